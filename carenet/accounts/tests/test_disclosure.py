"""How many answers about people outside their areas a user gets in a day."""

import pytest

from carenet.accounts import disclosure
from carenet.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_a_provincial_office_gets_more_answers_than_a_centre(personas):
    assert disclosure.per_day(personas["district_coordinator_a"]) == disclosure.ELSEWHERE_PER_DAY
    assert disclosure.per_day(personas["province_officer"]) == disclosure.PROVINCE_PER_DAY


def test_answers_are_counted_per_user_and_day(personas, monkeypatch):
    monkeypatch.setattr(disclosure, "ELSEWHERE_PER_DAY", 2)
    user, other = personas["district_coordinator_a"], personas["district_coordinator_b"]
    disclosure.elsewhere_told(user, by="citizen_id")
    assert disclosure.elsewhere_allowed(user)
    allowance = disclosure.Allowance(user)
    assert allowance.tell() and not allowance.tell() and allowance.used_up
    allowance.record()
    assert not disclosure.elsewhere_allowed(user)
    assert disclosure.elsewhere_allowed(other)
    assert AuditEvent.objects.filter(action=disclosure.AUDIT_ACTION, actor=user).count() == 2


def test_the_system_has_no_allowance():
    allowance = disclosure.Allowance(None)
    assert all(allowance.tell() for _ in range(1000))
    allowance.record()  # nothing to count, nobody to log
    assert not AuditEvent.objects.exists()
