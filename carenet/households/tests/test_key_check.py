"""A citizen-ID key that does not read the stored IDs stops the site and the commands."""

import base64
import os

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError, connection
from django.db.backends.signals import connection_created

from carenet.core import checks, citizen_id
from carenet.core.checks import citizen_id_key, refuse_a_wrong_citizen_id_key
from carenet.households.tests.factories import PersonFactory, new_citizen_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_key(settings):
    """Another valid key, as after a typo in .env (the keys are derived once per process)."""
    settings.CITIZEN_ID_KEY = base64.b64encode(os.urandom(32)).decode()
    citizen_id._keys.cache_clear()
    yield
    citizen_id._keys.cache_clear()


def test_an_empty_register_passes_with_any_key(other_key):
    assert citizen_id_key(None) == []


def test_the_key_the_ids_were_saved_with_passes(area_tree):
    PersonFactory.create(citizen_id=new_citizen_id())
    assert citizen_id_key(None) == []
    refuse_a_wrong_citizen_id_key()


def test_another_key_is_refused_with_a_reason(area_tree, request):
    PersonFactory.create(citizen_id=new_citizen_id())
    request.getfixturevalue("other_key")
    [error] = citizen_id_key(None)
    assert error.id == "carenet.E001" and "CARENET_CITIZEN_ID_KEY" in error.msg
    with pytest.raises(ImproperlyConfigured, match="not the key they were saved with"):
        refuse_a_wrong_citizen_id_key()


def test_a_database_not_up_at_start_is_checked_at_its_first_connection(
    area_tree, request, monkeypatch
):
    """The web process started before PostgreSQL: the key is checked when it connects."""
    PersonFactory.create(citizen_id=new_citizen_id())
    request.getfixturevalue("other_key")

    def refused() -> None:
        raise OperationalError("connection refused")

    with monkeypatch.context() as down:
        down.setattr(connection, "ensure_connection", refused)
        [warning] = citizen_id_key(None)
        assert warning.id == "carenet.W001"
        refuse_a_wrong_citizen_id_key()  # starts; the check waits for a connection
    try:
        with pytest.raises(ImproperlyConfigured, match="not the key they were saved with"):
            connection_created.send(sender=type(connection), connection=connection)
        with pytest.raises(ImproperlyConfigured):  # and at every connection after it
            connection_created.send(sender=type(connection), connection=connection)
    finally:
        connection_created.disconnect(dispatch_uid=checks.DISPATCH_UID)


def test_the_check_at_first_connection_stops_once_the_key_reads(area_tree, monkeypatch):
    PersonFactory.create(citizen_id=new_citizen_id())
    with monkeypatch.context() as down:
        down.setattr(
            connection, "ensure_connection", lambda: (_ for _ in ()).throw(OperationalError())
        )
        refuse_a_wrong_citizen_id_key()
    connection_created.send(sender=type(connection), connection=connection)
    assert not connection_created.disconnect(dispatch_uid=checks.DISPATCH_UID)  # gone already
