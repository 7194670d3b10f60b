"""Recording and deciding data subject requests: who may, what is checked, what is logged."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from carenet.core.models import AuditEvent
from carenet.households.models import Consent, ConsentBasis, Person
from carenet.households.services import person_is_restricted
from carenet.privacy import selectors, services
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
    request = record(personas, world=world, kind=RequestKind.ACCESS)
    with pytest.raises(ValidationError) as refused:
        services.request_decide(
            actor=personas["province_officer"],
            request=request,
            outcome=Outcome.DONE,
            decided_on=TODAY - timedelta(days=1),
            reason="",
        )
    assert set(refused.value.message_dict) == {"decided_on"}


def decide(personas, request, outcome, reason="ยอมรับคำขอ"):
    return services.request_decide(
        actor=personas["province_officer"],
        request=request,
        outcome=outcome,
        decided_on=TODAY,
        reason=reason,
    )


def test_an_accepted_objection_restricts_the_record_at_once(world, personas):
    person = world.people["a1"]
    decide(personas, record(personas, world=world, kind=RequestKind.OBJECTION), Outcome.DONE)
    assert person_is_restricted(person)
    consent = person.consents.get()
    assert consent.withdrawn_on == TODAY and consent.withdrawn_by == personas["province_officer"]
    assert str(SubjectRequest.objects.get().pk) in consent.withdrawal_reason
    assert AuditEvent.objects.filter(action="consent.withdraw").count() == 1


@pytest.mark.parametrize(
    ("kind", "outcome"),
    [
        (RequestKind.OBJECTION, Outcome.PARTLY),
        (RequestKind.OBJECTION, Outcome.REFUSED),
        (RequestKind.ERASURE, Outcome.REFUSED),
        (RequestKind.ACCESS, Outcome.DONE),
        (RequestKind.CORRECTION, Outcome.DONE),
    ],
)
def test_other_decisions_leave_the_record_as_it_was(world, personas, kind, outcome):
    decide(personas, record(personas, world=world, kind=kind), outcome)
    assert not person_is_restricted(world.people["a1"])
    assert not AuditEvent.objects.filter(action="consent.withdraw").exists()


def test_erasure_is_answered_by_restricting_never_by_deleting(world, personas):
    request = record(personas, world=world)
    with pytest.raises(ValidationError) as refused:
        decide(personas, request, Outcome.DONE)
    assert set(refused.value.message_dict) == {"outcome"}
    request.refresh_from_db()
    assert request.is_open and not person_is_restricted(world.people["a1"])
    decide(personas, request, Outcome.PARTLY, reason="เก็บไว้ตามกฎหมาย ระงับการใช้ข้อมูลแล้ว")
    assert person_is_restricted(world.people["a1"])


def test_a_person_with_no_consent_recorded_is_restricted_by_an_objection(world, personas):
    person = world.people["a1"]
    person.consents.all().delete()
    decide(personas, record(personas, world=world, kind=RequestKind.OBJECTION), Outcome.DONE)
    objection = person.consents.get()
    assert objection.basis == ConsentBasis.PUBLIC_TASK and not objection.is_active
    assert person_is_restricted(person)


def test_an_objection_from_someone_already_restricted_adds_nothing(world, personas):
    person = world.people["a1"]
    Consent.objects.filter(person=person).update(withdrawn_on=TODAY, withdrawal_reason="ถอน")
    request = decide(
        personas, record(personas, world=world, kind=RequestKind.OBJECTION), Outcome.DONE
    )
    assert request.outcome == Outcome.DONE and person.consents.count() == 1
    assert not AuditEvent.objects.filter(action="consent.withdraw").exists()


def test_an_open_request_follows_the_person_who_moves_to_another_district(world, personas):
    person = world.people["a1"]
    request = record(personas, world=world)
    moved_to = world.people["b1"].household
    Person.objects.filter(pk=person.pk).update(household=moved_to, area_id=moved_to.area_id)
    seen_by = {
        who: request.pk
        in set(selectors.requests_visible(personas[who]).values_list("pk", flat=True))
        for who in ("district_coordinator_a", "district_coordinator_b")
    }
    assert seen_by == {"district_coordinator_a": False, "district_coordinator_b": True}


def test_a_request_recorded_by_mistake_is_closed_as_withdrawn_with_a_reason(world, personas):
    request = record(personas, world=world, kind="objection")
    with pytest.raises(ValidationError) as refused:
        services.request_decide(
            actor=personas["province_officer"],
            request=request,
            outcome=Outcome.WITHDRAWN,
            decided_on=TODAY,
            reason=" ",
        )
    assert set(refused.value.message_dict) == {"reason"}
    services.request_decide(
        actor=personas["province_officer"],
        request=request,
        outcome=Outcome.WITHDRAWN,
        decided_on=TODAY,
        reason="บันทึกผิดคน",
    )
    request.refresh_from_db()
    assert request.outcome == "withdrawn" and not person_is_restricted(request.person)


def test_a_request_received_before_the_pdpa_came_into_force_is_refused(world, personas):
    with pytest.raises(ValidationError) as refused:
        record(personas, world=world, received_on=services.PDPA_IN_FORCE - timedelta(days=1))
    assert set(refused.value.message_dict) == {"received_on"}
    assert record(personas, world=world, received_on=services.PDPA_IN_FORCE).pk
