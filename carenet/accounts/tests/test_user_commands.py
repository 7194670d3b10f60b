"""revoke_access, switch_off_user and set_password: the users page's work at a terminal."""

import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from carenet.accounts.models import Role
from carenet.accounts.tests.factories import PASSWORD, AreaAssignmentFactory
from carenet.core.models import AuditEvent

pytestmark = pytest.mark.django_db

GOOD = "ชุมพร-ดูแลกัน-2569"


def in_thai(msgid: str, **values: str) -> str:
    """A command's message as it says it by default, as a pattern (English until the
    catalogue has its Thai)."""
    with translation.override("th"):
        return re.escape(translation.gettext(msgid) % values)


def typed(monkeypatch, *answers):
    replies = iter(answers)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(replies))


def test_revoke_access_takes_a_role_back_and_is_audited(district_coordinator_a, area_tree):
    AreaAssignmentFactory(
        user=district_coordinator_a, role=Role.CENTRE_COORDINATOR, area=area_tree["8602"]
    )
    call_command("revoke_access", "district_coordinator_a", "coordinator", "8602")
    assert list(district_coordinator_a.assignments.values_list("area_id", flat=True)) == ["8601"]
    assert AuditEvent.objects.filter(action="assignment.revoke", actor=None).count() == 1


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (
            ["nobody", "coordinator", "8601"],
            in_thai("No user has the username %(username)s.", username="nobody"),
        ),
        (
            ["district_coordinator_a", "coordinator", "8602"],
            in_thai(
                "%(username)s holds no %(role)s role at %(area)s. Roles held: %(held)s.",
                username="district_coordinator_a",
                role="coordinator",
                area="8602",
                held="coordinator 8601",
            ),
        ),
        (["district_coordinator_a", "coordinator", "8601"], "ปิดการใช้งาน"),  # the only role
    ],
)
def test_revoke_access_says_why_it_refuses(district_coordinator_a, args, reason):
    with pytest.raises(CommandError, match=reason):
        call_command("revoke_access", *args)
    assert district_coordinator_a.assignments.count() == 1


def test_switch_off_user_and_on_again(district_coordinator_a):
    call_command("switch_off_user", "district_coordinator_a")
    district_coordinator_a.refresh_from_db()
    assert not district_coordinator_a.is_active
    call_command("switch_off_user", "district_coordinator_a", "--on")
    district_coordinator_a.refresh_from_db()
    assert district_coordinator_a.is_active
    actions = AuditEvent.objects.filter(target_id=str(district_coordinator_a.pk))
    assert list(actions.order_by("id").values_list("action", flat=True)) == [
        "user.switch_off",
        "user.switch_on",
    ]


def test_set_password_asks_twice_unlocks_and_is_audited(monkeypatch, district_coordinator_a):
    AccessAttempt.objects.create(
        username="district_coordinator_a",
        ip_address="10.0.0.1",
        user_agent="x",
        failures_since_start=settings.AXES_FAILURE_LIMIT,
        get_data="",
        post_data="",
    )
    typed(monkeypatch, GOOD, GOOD)
    monkeypatch.setattr("getpass.getuser", lambda: "it_somchai")
    call_command("set_password", "district_coordinator_a")
    district_coordinator_a.refresh_from_db()
    assert district_coordinator_a.check_password(GOOD)
    assert not AccessAttempt.objects.exists()
    event = AuditEvent.objects.get(action="user.password_set")
    # The row names the server's account that ran the command (core.terminal).
    assert event.details == {"lockout_lifted": True, "os_account": "it_somchai"}
    assert event.area_code == "8601" and event.actor is None


@pytest.mark.parametrize(
    ("answers", "reason"),
    [
        ((GOOD, GOOD + "x"), in_thai("The two passwords differ: nothing was changed.")),
        (("password123", "password123"), None),
    ],
)
def test_set_password_refuses_a_mistyped_or_weak_password(
    monkeypatch, district_coordinator_a, answers, reason
):
    typed(monkeypatch, *answers)
    with pytest.raises(CommandError, match=reason):
        call_command("set_password", "district_coordinator_a")
    district_coordinator_a.refresh_from_db()
    assert district_coordinator_a.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="user.password_set").exists()
