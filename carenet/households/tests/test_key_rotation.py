"""rotate_citizen_id_key re-seals every stored ID with a new key, all or nothing."""

import base64
import os

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from carenet.core import citizen_id
from carenet.core.models import AuditEvent
from carenet.households.models import Person
from carenet.households.tests.factories import PersonFactory, new_citizen_id
from carenet.volunteers.models import Volunteer
from carenet.volunteers.tests.factories import VolunteerFactory

pytestmark = pytest.mark.django_db


def a_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


@pytest.fixture
def fresh_keys():
    citizen_id._keys.cache_clear()
    yield
    citizen_id._keys.cache_clear()


def test_every_id_reads_and_is_found_with_the_new_key_only(
    area_tree, settings, monkeypatch, fresh_keys
):
    person_id, volunteer_id = new_citizen_id(), new_citizen_id()
    person = PersonFactory.create(citizen_id=person_id)
    PersonFactory.create()  # without an ID: left alone
    volunteer = VolunteerFactory.create(citizen_id=volunteer_id)
    new_key = a_key()
    monkeypatch.setenv("CARENET_NEW_CITIZEN_ID_KEY", new_key)
    call_command("rotate_citizen_id_key", batch=1)
    assert AuditEvent.objects.filter(action="person.keys_changed").count() == 1

    settings.CITIZEN_ID_KEY = new_key
    citizen_id._keys.cache_clear()
    assert Person.objects.get(pk=person.pk).read_citizen_id() == person_id
    assert Volunteer.objects.get(pk=volunteer.pk).read_citizen_id() == volunteer_id
    found = Person.objects.get(citizen_id_hash=citizen_id.lookup_hash(person_id))
    assert found.pk == person.pk


def test_a_missing_bad_or_unchanged_key_changes_nothing(area_tree, settings, monkeypatch):
    PersonFactory.create(citizen_id=new_citizen_id())
    before = list(Person.objects.values_list("citizen_id_encrypted", flat=True))
    for value, reason in (
        ("", "Set CARENET_NEW_CITIZEN_ID_KEY"),
        ("not base64!", "must be base64"),
        (base64.b64encode(b"short").decode(), "32 bytes"),
        (settings.CITIZEN_ID_KEY, "the key in use"),
    ):
        monkeypatch.setenv("CARENET_NEW_CITIZEN_ID_KEY", value)
        with translation.override("en"), pytest.raises(CommandError, match=reason):
            call_command("rotate_citizen_id_key")
    assert list(Person.objects.values_list("citizen_id_encrypted", flat=True)) == before
