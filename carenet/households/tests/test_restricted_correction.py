"""After a withdrawal the person keeps the right to correction (PDPA s.35): their own
identifying details can be corrected, audited as a correction; nothing else changes."""

from dataclasses import replace

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from carenet.core.models import AuditEvent
from carenet.households import services
from carenet.households.cleaning import PersonData
from carenet.households.models import Person
from carenet.households.tests.factories import new_citizen_id
from conftest import login

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def withdrawn(world, personas):
    person = world.people["a1"]
    person.set_citizen_id(new_citizen_id())
    person.save()
    services.consent_withdraw(
        actor=personas["volunteer_a"],
        consent=person.consents.get(),
        withdrawn_on=TODAY,
        reason="ไม่ประสงค์ให้เก็บข้อมูล",
    )
    return Person.objects.get(pk=person.pk)


def stored(person):
    names = [name for name in PersonData.__dataclass_fields__ if name != "citizen_id"]
    return PersonData(**{name: getattr(person, name) for name in names}, citizen_id=None)


def test_names_and_phone_are_corrected_and_logged_as_a_correction(withdrawn, personas):
    data = replace(stored(withdrawn), first_name="โกวิท", phone="0812345678")
    services.person_update(
        actor=personas["volunteer_a"], person=withdrawn, version=withdrawn.version, data=data
    )
    withdrawn.refresh_from_db()
    assert (withdrawn.first_name, withdrawn.phone) == ("โกวิท", "0812345678")
    row = AuditEvent.objects.get(action="person.correct")
    assert set(row.details["fields"]) == {"first_name", "phone"}
    assert services.person_is_restricted(withdrawn)


def test_anything_else_stays_as_it_was(withdrawn, personas):
    data = replace(stored(withdrawn), first_name="โกวิท", bedridden=True)
    with pytest.raises(ValidationError):
        services.person_update(
            actor=personas["volunteer_a"], person=withdrawn, version=withdrawn.version, data=data
        )
    withdrawn.refresh_from_db()
    assert withdrawn.first_name != "โกวิท" and not withdrawn.bedridden
    assert not AuditEvent.objects.filter(action__in=["person.correct", "person.update"]).exists()


def test_the_form_says_so_and_locks_the_rest(client, withdrawn):
    login(client, "volunteer_a")
    url = reverse("households:person_edit", args=[withdrawn.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'data-testid="correcting"' in page.content.decode()
    form = page.context["form"]
    assert form.fields["bedridden"].disabled and not form.fields["phone"].disabled
    data = {k: v for k, v in form.initial.items() if v not in (None, False)}
    sent = client.post(url, {**data, "phone": "0899999999", "bedridden": "on"})
    assert sent.status_code == 302, sent.context["form"].errors
    withdrawn.refresh_from_db()
    assert withdrawn.phone == "0899999999" and not withdrawn.bedridden


def test_out_of_scope_cannot_correct(client, withdrawn):
    login(client, "volunteer_b")
    url = reverse("households:person_edit", args=[withdrawn.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"first_name": "x"}).status_code == 404
    assert not AuditEvent.objects.filter(action="person.correct").exists()
