"""Commands at the server name, in the audit rows they write, the account that ran them."""

import pytest

from carenet.core import terminal
from carenet.core.models import AuditEvent
from carenet.core.services import audit_record

pytestmark = pytest.mark.django_db


class Writes(terminal.TerminalCommand):
    def handle(self, *args, **options):
        audit_record(actor=None, action="test.command")


def test_rows_written_by_a_command_name_its_account_and_only_those(monkeypatch):
    monkeypatch.setattr("getpass.getuser", lambda: "it_somchai")
    Writes().execute(verbosity=0, no_color=True, force_color=False, skip_checks=True)
    after = audit_record(actor=None, action="test.page")  # a page's, once the command ended
    assert AuditEvent.objects.get(action="test.command").run_by == "it_somchai"
    assert after.run_by == "" and after.details == {}


def test_an_account_without_a_name_is_named_by_its_number(monkeypatch):
    def nameless():
        raise OSError("no login name")

    monkeypatch.setattr("getpass.getuser", nameless)
    assert terminal.os_account().startswith("uid ")


def test_a_command_run_through_sudo_names_the_administrator_too(monkeypatch):
    monkeypatch.setattr("getpass.getuser", lambda: "carenet")
    monkeypatch.setenv("SUDO_USER", "it_somchai")
    assert terminal.os_account() == "carenet (sudo: it_somchai)"
    monkeypatch.setenv("SUDO_USER", "carenet")  # sudo to oneself adds nothing
    assert terminal.os_account() == "carenet"
