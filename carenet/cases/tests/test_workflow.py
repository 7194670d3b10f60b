"""The transition table and case_move: every rule of the review chain."""

import pytest

from carenet.cases.models import CaseEvent, CaseStatus, FieldComment
from carenet.cases.tests.factories import CaseFactory, subdistrict_reviewer
from carenet.cases.workflow import WorkflowError, allowed_moves, case_move

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


def test_reopen_needs_a_reason(personas, reference_data):
    officer = personas["province_officer"]
    case = CaseFactory(filed_by=officer, status=S.CLOSED, outcome="solved")
    with pytest.raises(WorkflowError):
        case_move(case=case, to=S.ACCEPTED, actor=officer)
    case_move(case=case, to=S.ACCEPTED, actor=officer, reason="ปัญหากลับมาอีก")
    case.refresh_from_db()
    assert (case.status, case.outcome, case.closed_at) == (S.ACCEPTED, "", None)
