"""The transition table and case_move: every rule of the review chain."""

import pytest

from carenet.cases import services
from carenet.cases.models import CaseCategory, CaseEvent, CaseStatus, FieldComment
from carenet.cases.tests.factories import CaseFactory, subdistrict_reviewer
from carenet.cases.workflow import (
    CASE_MOVES,
    WorkflowError,
    allowed_moves,
    case_acknowledge,
    case_move,
)
from carenet.core.models import AuditEvent

S = CaseStatus
pytestmark = pytest.mark.django_db


def test_full_chain_with_a_send_back(personas, reference_data):
    volunteer, officer = personas["volunteer_a"], personas["province_officer"]
    coordinator = personas["district_coordinator_a"]
    tambon = subdistrict_reviewer()
    case = CaseFactory(filed_by=volunteer)

    case_move(case=case, to=S.SUBDISTRICT_REVIEW, actor=volunteer)
    case_move(case=case, to=S.DISTRICT_REVIEW, actor=tambon)
    case_move(
        case=case,
        to=S.RETURNED,
        actor=coordinator,
        field_comments={"help_wanted": "ระบุจำนวนเงินที่ต้องการ"},
    )
    case.refresh_from_db()
    assert case.returned_from == S.DISTRICT_REVIEW
    assert FieldComment.objects.filter(case=case, resolved=False).count() == 1
    case_move(case=case, to=S.DISTRICT_REVIEW, actor=volunteer)
    assert FieldComment.objects.filter(case=case, resolved=False).count() == 0
    case_move(case=case, to=S.PROVINCE_REVIEW, actor=coordinator)
    case_move(case=case, to=S.ACCEPTED, actor=officer)
    case_move(case=case, to=S.CLOSED, actor=coordinator, outcome="solved", reason="ได้รับเงินแล้ว")
    case.refresh_from_db()
    assert (case.status, case.outcome) == (S.CLOSED, "solved")
    assert case.acknowledged_by == tambon
    assert CaseEvent.objects.filter(case=case).count() == 7


def test_illegal_and_unauthorised_moves(personas, reference_data):
    volunteer, officer = personas["volunteer_a"], personas["province_officer"]
    case = CaseFactory(filed_by=volunteer)
    with pytest.raises(WorkflowError):
        case_move(case=case, to=S.ACCEPTED, actor=officer)  # a draft cannot be accepted
    case_move(case=case, to=S.SUBDISTRICT_REVIEW, actor=volunteer)
    with pytest.raises(WorkflowError):
        case_move(case=case, to=S.DISTRICT_REVIEW, actor=volunteer)  # nobody checks their own
    with pytest.raises(WorkflowError):
        case_move(case=case, to=S.DISTRICT_REVIEW, actor=personas["district_coordinator_b"])
    with pytest.raises(WorkflowError):
        case_move(case=case, to=S.RETURNED, actor=personas["district_coordinator_a"])  # no reason
    # A district coordinator doing the subdistrict check sends it straight to the province.
    moves = [target for target, _ in allowed_moves(personas["district_coordinator_a"], case)]
    assert S.PROVINCE_REVIEW in moves and S.DISTRICT_REVIEW not in moves


def test_officer_entry_goes_to_the_decision(personas, reference_data):
    officer = personas["province_officer"]
    case = CaseFactory(filed_by=officer)
    assert [t for t, _ in allowed_moves(officer, case)] == [S.PROVINCE_REVIEW]


def test_a_sensitive_case_goes_to_the_province_at_once(personas, reference_data):
    """Only the people assigned and the province read an abuse case: the centres' checks
    would need break-glass, so it skips them."""
    volunteer, officer = personas["volunteer_a"], personas["province_officer"]
    abuse = CaseCategory.objects.get(code="child_abuse")
    case = CaseFactory(filed_by=volunteer, category=abuse)
    assert case.sensitive
    assert [t for t, _ in allowed_moves(volunteer, case)] == [S.PROVINCE_REVIEW]
    case_move(case=case, to=S.PROVINCE_REVIEW, actor=volunteer)
    case.refresh_from_db()
    assert S.ACCEPTED in [t for t, _ in allowed_moves(officer, case)]
    # One left at a centre's step from before goes on to the province, not to the district.
    waiting = CaseFactory(filed_by=volunteer, category=abuse, status=S.SUBDISTRICT_REVIEW)
    moves = [t for t, _ in allowed_moves(personas["district_coordinator_a"], waiting)]
    assert S.DISTRICT_REVIEW not in moves


def test_reopen_needs_a_reason(personas, reference_data):
    officer = personas["province_officer"]
    case = CaseFactory(filed_by=officer, status=S.CLOSED, outcome="solved")
    with pytest.raises(WorkflowError):
        case_move(case=case, to=S.ACCEPTED, actor=officer)
    case_move(case=case, to=S.ACCEPTED, actor=officer, reason="ปัญหากลับมาอีก")
    case.refresh_from_db()
    assert (case.status, case.outcome, case.closed_at) == (S.ACCEPTED, "", None)


# --- Every illegal transition, closing, reopening, acknowledging ---------------------------


@pytest.mark.parametrize(
    ("source", "target"),
    [(a, b) for a in S.values for b in S.values if (a, b) not in CASE_MOVES],
)
def test_every_move_outside_the_table_is_refused(personas, reference_data, source, target):
    """Even the national admin, who holds every permission, cannot make a move not in the table."""
    admin = personas["national_admin"]
    case = CaseFactory(filed_by=admin, status=source)
    with pytest.raises(WorkflowError):
        case_move(case=case, to=target, actor=admin, reason="เหตุผล", outcome="solved")
    case.refresh_from_db()
    assert case.status == source
    assert not CaseEvent.objects.filter(case=case).exists()
    assert not AuditEvent.objects.filter(target_id=str(case.pk)).exists()


def test_an_unknown_status_is_refused(personas, reference_data):
    case = CaseFactory(filed_by=personas["volunteer_a"])
    with pytest.raises(WorkflowError):
        case_move(case=case, to="approved", actor=personas["national_admin"])


def test_close_needs_an_outcome_and_a_note(personas, reference_data):
    officer = personas["province_officer"]
    case = CaseFactory(filed_by=officer, status=S.ACCEPTED)
    with pytest.raises(WorkflowError):
        services.case_close(actor=officer, case=case, outcome="", note="จบแล้ว")
    with pytest.raises(WorkflowError):
        services.case_close(actor=officer, case=case, outcome="nonsense", note="จบแล้ว")
    with pytest.raises(WorkflowError):
        services.case_close(actor=officer, case=case, outcome="moved", note="  ")
    with pytest.raises(WorkflowError):  # a volunteer does not close cases
        services.case_close(
            actor=personas["volunteer_a"], case=case, outcome="moved", note="ย้ายไปต่างจังหวัด"
        )
    services.case_close(actor=officer, case=case, outcome="moved", note="ย้ายไปต่างจังหวัด")
    case.refresh_from_db()
    assert (case.status, case.outcome, case.outcome_note) == (S.CLOSED, "moved", "ย้ายไปต่างจังหวัด")
    assert case.closed_at is not None


def test_reopen_closed_and_declined(personas, reference_data):
    officer, coordinator = personas["province_officer"], personas["district_coordinator_a"]
    closed = CaseFactory(filed_by=officer, status=S.CLOSED, outcome="solved")
    declined = CaseFactory(filed_by=officer, status=S.DECLINED)
    draft = CaseFactory(filed_by=officer)
    with pytest.raises(WorkflowError):
        services.case_reopen(actor=officer, case=draft, reason="ลองดู")
    with pytest.raises(WorkflowError):
        services.case_reopen(actor=officer, case=closed, reason=" ")
    # A district coordinator reopens a closed case; only the province reopens a declined one.
    services.case_reopen(actor=coordinator, case=closed, reason="ปัญหากลับมา")
    with pytest.raises(WorkflowError):
        services.case_reopen(actor=coordinator, case=declined, reason="มีข้อมูลใหม่")
    services.case_reopen(actor=officer, case=declined, reason="มีข้อมูลใหม่")
    closed.refresh_from_db()
    declined.refresh_from_db()
    assert (closed.status, declined.status) == (S.ACCEPTED, S.PROVINCE_REVIEW)
    event = CaseEvent.objects.filter(case=closed).get()
    assert (event.from_status, event.reason, event.by) == (S.CLOSED, "ปัญหากลับมา", coordinator)
    assert AuditEvent.objects.filter(action="case.reopen", target_id=str(closed.pk)).exists()


def test_the_reason_for_a_decline_is_kept_on_the_case_until_it_is_reopened(
    personas, reference_data
):
    officer = personas["province_officer"]
    case = CaseFactory(filed_by=officer, status=S.PROVINCE_REVIEW)
    case_move(case=case, to=S.DECLINED, actor=officer, reason="ซ้ำกับคำร้อง 2570-000007")
    case.refresh_from_db()
    assert case.outcome_note == "ซ้ำกับคำร้อง 2570-000007"
    services.case_reopen(actor=officer, case=case, reason="มีข้อมูลใหม่")
    case.refresh_from_db()
    assert (case.status, case.outcome_note) == (S.PROVINCE_REVIEW, "")


def test_acknowledge(personas, reference_data):
    volunteer = personas["volunteer_a"]
    urgent = CaseCategory.objects.get(code="care_needed")
    case = CaseFactory(filed_by=volunteer, category=urgent, status=S.DRAFT)
    case_move(case=case, to=S.SUBDISTRICT_REVIEW, actor=volunteer)
    case.refresh_from_db()
    with pytest.raises(WorkflowError):
        case_acknowledge(case=case, actor=volunteer)
    with pytest.raises(WorkflowError):
        case_acknowledge(case=case, actor=personas["district_coordinator_b"])
    tambon = subdistrict_reviewer()
    case_acknowledge(case=case, actor=tambon)
    case.refresh_from_db()
    assert case.acknowledged_by == tambon and case.status == S.SUBDISTRICT_REVIEW
    first = case.acknowledged_at
    case_acknowledge(case=case, actor=personas["district_coordinator_a"])  # already: nothing
    case.refresh_from_db()
    assert case.acknowledged_at == first and case.acknowledged_by == tambon
    assert AuditEvent.objects.filter(action="case.acknowledge").count() == 1
    draft = CaseFactory(filed_by=volunteer, category=urgent)
    with pytest.raises(WorkflowError):  # nothing to acknowledge before it is submitted
        case_acknowledge(case=draft, actor=tambon)


def test_a_review_move_acknowledges_an_urgent_case(personas, reference_data):
    volunteer, tambon = personas["volunteer_a"], subdistrict_reviewer()
    case = CaseFactory(filed_by=volunteer, category=CaseCategory.objects.get(code="care_needed"))
    case_move(case=case, to=S.SUBDISTRICT_REVIEW, actor=volunteer)
    case.refresh_from_db()
    assert case.acknowledged_at is None
    case_move(case=case, to=S.DISTRICT_REVIEW, actor=tambon)
    case.refresh_from_db()
    assert case.acknowledged_by == tambon
