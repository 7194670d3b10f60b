"""Recording and deciding data subject requests: who may, what is checked, what is logged."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from carenet.core.models import AuditEvent
from carenet.privacy import services
from carenet.privacy.models import Outcome, RequestKind, SubjectRequest

pytestmark = pytest.mark.django_db
# Read once, when the module is collected: a date meant to be in the future is two days on,
# so that a run crossing Bangkok's midnight does not make it today.
TODAY = timezone.localdate()


def record(personas, who="volunteer_a", person=None, world=None, **kwargs):
    values = {"kind": RequestKind.ERASURE, "received_on": TODAY, "details": "ขอให้ลบข้อมูล"}
    return services.request_record(
        actor=personas[who], person=person or world.people["a1"], **{**values, **kwargs}
    )


def test_a_volunteer_passes_on_a_request_due_in_30_days(world, personas):
    request = record(personas, world=world, received_on=TODAY - timedelta(days=3))
    assert request.due_on == TODAY + timedelta(days=27)
    assert request.is_open and request.area_id == world.people["a1"].area_id
    row = AuditEvent.objects.get(action="pdpa.request_record")
    assert (row.target_type, row.target_id) == ("households.person", str(world.people["a1"].pk))
    assert row.details["request"] == request.pk and row.details["kind"] == "erasure"


@pytest.mark.parametrize(
    ("who", "key"),
    [
        ("volunteer_a", "a2"),
        ("volunteer_b", "a1"),
        ("auditor", "a1"),
        ("district_coordinator_b", "a1"),
    ],
)
def test_outside_what_one_may_change_nothing_is_recorded(world, personas, who, key):
    with pytest.raises(PermissionDenied):
        record(personas, who, person=world.people[key])
    assert not SubjectRequest.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="pdpa.").exists()


def test_bad_input_is_refused_with_reasons(world, personas):
    with pytest.raises(ValidationError) as refused:
        record(personas, world=world, kind="delete-all", received_on=TODAY + timedelta(days=2))
    assert set(refused.value.message_dict) == {"kind", "received_on"}
    assert not SubjectRequest.objects.exists()


@pytest.mark.parametrize("who", ["volunteer_a", "district_coordinator_a", "auditor"])
def test_only_the_province_decides(world, personas, who):
    request = record(personas, world=world)
    with pytest.raises(PermissionDenied):
        services.request_decide(
            actor=personas[who], request=request, outcome="done", decided_on=TODAY, reason=""
        )
    request.refresh_from_db()
    assert request.is_open


def test_a_refusal_needs_its_legal_reason_and_is_logged_once(world, personas):
    officer = personas["province_officer"]
    request = record(personas, world=world)
    with pytest.raises(ValidationError) as refused:
        services.request_decide(
            actor=officer, request=request, outcome=Outcome.REFUSED, decided_on=TODAY, reason=" "
        )
    assert set(refused.value.message_dict) == {"reason"}
    reason = "เก็บไว้เพื่อปฏิบัติหน้าที่ตามกฎหมายว่าด้วยการส่งเสริมการจัดสวัสดิการสังคม"
    services.request_decide(
        actor=officer, request=request, outcome=Outcome.REFUSED, decided_on=TODAY, reason=reason
    )
    request.refresh_from_db()
    assert (request.outcome, request.reason, request.decided_by) == ("refused", reason, officer)
    row = AuditEvent.objects.get(action="pdpa.request_decide")
    assert row.target_id == str(world.people["a1"].pk)
    assert row.details == {
        "request": request.pk,
        "kind": "erasure",
        "outcome": "refused",
        "reason": reason,
    }
    with pytest.raises(ValidationError):
        services.request_decide(
            actor=officer, request=request, outcome=Outcome.DONE, decided_on=TODAY, reason=""
        )
    assert AuditEvent.objects.filter(action="pdpa.request_decide").count() == 1


def test_a_decision_does_not_come_before_the_request(world, personas):
    request = record(personas, world=world)
    with pytest.raises(ValidationError) as refused:
        services.request_decide(
            actor=personas["province_officer"],
            request=request,
            outcome=Outcome.DONE,
            decided_on=TODAY - timedelta(days=1),
            reason="",
        )
    assert set(refused.value.message_dict) == {"decided_on"}
