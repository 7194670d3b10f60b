"""grant_access: how a deployment gets its first users."""

import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from carenet.accounts.models import User
from carenet.accounts.services import volunteer_login_elsewhere
from carenet.core.models import AuditEvent

pytestmark = pytest.mark.django_db

GOOD = "ชุมพร-ดูแลกัน-2569"


def in_thai(msgid: str, **values: str) -> str:
    """A message as the command says it by default (English until the catalogue has its
    Thai)."""
    with translation.override("th"):
        return translation.gettext(msgid) % values


def typed(monkeypatch, *answers):
    replies = iter(answers)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(replies))


def test_a_new_user_gets_the_role_and_their_name(monkeypatch, area_tree):
    typed(monkeypatch, GOOD, GOOD)
    call_command("grant_access", "officer_cp", "provincial_officer", "86", "--first-name", "สมศรี")
    user = User.objects.get(username="officer_cp")
    assert user.check_password(GOOD) and user.first_name == "สมศรี"
    assert user.assignments.filter(area_id="86", role="provincial_officer").exists()


@pytest.mark.parametrize(
    ("answers", "reason"),
    [
        ((GOOD, GOOD + "x"), re.escape(in_thai("The two passwords differ: nothing was created."))),
        (("password123", "password123"), None),
    ],
)
def test_a_password_mistyped_or_too_common_creates_nothing(monkeypatch, area_tree, answers, reason):
    typed(monkeypatch, *answers)
    with pytest.raises(CommandError, match=reason):
        call_command("grant_access", "admin_cp", "national_admin")
    assert not User.objects.filter(username="admin_cp").exists()


def test_a_role_refused_at_that_area_leaves_no_user_behind(monkeypatch, area_tree):
    typed(monkeypatch, GOOD, GOOD)
    with pytest.raises(CommandError):
        call_command("grant_access", "national_cp", "national_admin", "86")
    assert not User.objects.filter(username="national_cp").exists()


def test_it_speaks_thai_and_the_log_names_who_ran_it(monkeypatch, area_tree, capsys):
    typed(monkeypatch, GOOD, GOOD)
    monkeypatch.setattr("getpass.getuser", lambda: "root")
    call_command("grant_access", "officer_cp", "provincial_officer", "86")
    said = capsys.readouterr().out.strip()
    with translation.override("th"):
        role = str(translation.gettext("provincial officer"))
    assert said == in_thai(
        "%(username)s: %(role)s at %(area)s", username="officer_cp", role=role, area="จ.ชุมพร"
    )
    events = AuditEvent.objects.filter(action__in=["user.create", "assignment.grant"])
    assert events.count() == 2
    assert {(e.actor, e.run_by) for e in events} == {(None, "root")}


def test_the_area_may_be_named(monkeypatch, area_tree):
    typed(monkeypatch, GOOD, GOOD)
    call_command("grant_access", "coord_cp", "coordinator", "อ.เมืองชุมพร")
    assert User.objects.get(username="coord_cp").assignments.get().area_id == "8601"


def test_an_unknown_or_shared_name_is_refused_before_any_password_is_asked(area_tree):
    with pytest.raises(CommandError, match="8602"):
        call_command("grant_access", "coord_cp", "coordinator", "ท่าแซะ")
    with pytest.raises(CommandError):
        call_command("grant_access", "coord_cp", "coordinator", "99")
    with pytest.raises(CommandError):  # spaces only: refused, not a traceback
        call_command("grant_access", "coord_cp", "coordinator", "   ")
    assert not User.objects.filter(username="coord_cp").exists()


def test_the_volunteer_role_is_sent_to_the_volunteers_page(monkeypatch, area_tree):
    """A login made here could not be linked to the volunteer's record from anywhere: the
    volunteer's page gives it, or links one made before by its username."""
    monkeypatch.setattr("getpass.getpass", lambda prompt="": pytest.fail("asked a password"))
    with pytest.raises(CommandError, match=re.escape(volunteer_login_elsewhere())):
        call_command("grant_access", "vol_yupin", "volunteer", "860101")
    assert not User.objects.filter(username="vol_yupin").exists()
