"""A case whose person withdrew consent goes no further: it says so on its page, and every
step that would process or disclose the person's data is refused, while closing stays."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from carenet.cases import assistance, referrals, services
from carenet.cases.models import (
    Assistance,
    AssistanceType,
    CaseFollowUp,
    CaseStatus,
    CaseTask,
    Referral,
)
from carenet.cases.tests.factories import AgencyFactory, CaseFactory, ReferralFactory
from carenet.cases.workflow import WorkflowError, allowed_moves, case_move
from carenet.households.tests.factories import ConsentFactory, VolunteerFactory
from carenet.visits.tests.factories import build_world

S = CaseStatus
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    """The reasons are read in English: their Thai comes with the translations."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def withdraw(person):
    ConsentFactory(person=person, withdrawn_on=timezone.localdate(), withdrawal_reason="ไม่ประสงค์")


@pytest.fixture
def case(personas, reference_data):
    found = CaseFactory(filed_by=personas["volunteer_a"], status=S.PROVINCE_REVIEW)
    withdraw(found.person)
    return found


def test_only_stopping_moves_remain(case, personas):
    officer = personas["province_officer"]
    assert {t for t, _ in allowed_moves(officer, case)} == {S.DECLINED, S.RETURNED}
    with pytest.raises(WorkflowError, match="withdrawn consent"):
        case_move(case=case, to=S.ACCEPTED, actor=officer)
    case.refresh_from_db()
    assert case.status == S.PROVINCE_REVIEW
    case_move(case=case, to=S.DECLINED, actor=officer, reason="ถอนความยินยอม")


def test_review_and_reopen_refused(personas, reference_data):
    coordinator = personas["district_coordinator_a"]
    reviewed = CaseFactory(filed_by=personas["volunteer_a"], status=S.DISTRICT_REVIEW)
    withdraw(reviewed.person)
    with pytest.raises(WorkflowError):
        case_move(case=reviewed, to=S.PROVINCE_REVIEW, actor=coordinator)
    closed = CaseFactory(filed_by=personas["volunteer_a"], status=S.CLOSED, outcome="solved")
    withdraw(closed.person)
    with pytest.raises(WorkflowError):
        case_move(case=closed, to=S.ACCEPTED, actor=coordinator, reason="กลับมาอีก")


def test_an_accepted_case_can_still_be_closed(personas, reference_data):
    coordinator = personas["district_coordinator_a"]
    accepted = CaseFactory(filed_by=personas["volunteer_a"], status=S.ACCEPTED)
    withdraw(accepted.person)
    assert [t for t, _ in allowed_moves(coordinator, accepted)] == [S.CLOSED]
    case_move(case=accepted, to=S.CLOSED, actor=coordinator, outcome="declined", reason="ถอน")
    accepted.refresh_from_db()
    assert accepted.status == S.CLOSED


def test_no_referral_and_no_assistance(personas, reference_data):
    officer = personas["province_officer"]
    accepted = CaseFactory(filed_by=personas["volunteer_a"], status=S.ACCEPTED)
    approved = assistance.assistance_approve(
        case=accepted,
        person=accepted.person,
        assistance_type=AssistanceType.objects.get(code="emergency_cash"),
        amount=Decimal("500"),
        description="",
        actor=officer,
    )
    withdraw(accepted.person)
    assert not referrals.may_refer(officer, accepted)
    with pytest.raises(WorkflowError):
        referrals.referral_send(
            case=accepted, agency=AgencyFactory(area_id="8601"), need="ซ่อมบ้าน", actor=officer
        )
    with pytest.raises(WorkflowError):
        assistance.assistance_approve(
            case=accepted,
            person=accepted.person,
            assistance_type=AssistanceType.objects.get(code="emergency_cash"),
            amount=Decimal("500"),
            description="",
            actor=officer,
        )
    with pytest.raises(WorkflowError):
        assistance.assistance_give(
            assistance=approved, given_on=timezone.localdate(), actor=officer, note="ใบเสร็จ 1"
        )
    assert not Referral.objects.filter(case=accepted).exists()
    assert Assistance.objects.filter(case=accepted).count() == 1
    assistance.assistance_cancel(assistance=approved, actor=officer, reason="ถอนความยินยอม")


def test_case_page_says_so(login_as, case):
    page = login_as("province_officer").get(reverse("cases:detail", args=[case.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="consent-withdrawn"' in body
    assert 'data-testid="move-accepted"' not in body
    assert 'data-testid="open-decline"' in body


@pytest.mark.parametrize("who, status", [("district_coordinator_b", 404), (None, 302)])
def test_case_page_out_of_scope_and_anonymous(login_as, case, who, status):
    page = login_as(who).get(reverse("cases:detail", args=[case.pk]))
    assert page.status_code == status
    assert b"consent-withdrawn" not in page.content


def test_move_page_refuses_with_the_reason(login_as, case):
    page = login_as("province_officer").post(
        reverse("cases:move", args=[case.pk]), {"to": S.ACCEPTED}
    )
    assert page.status_code == 400
    assert "withdrawn consent" in page.content.decode()
    case.refresh_from_db()
    assert case.status == S.PROVINCE_REVIEW


@pytest.fixture
def referral(personas, reference_data):
    accepted = CaseFactory(filed_by=personas["volunteer_a"], status=S.ACCEPTED)
    sent = ReferralFactory(
        case=accepted, agency=AgencyFactory(area_id="8601"), sent_by=personas["province_officer"]
    )
    withdraw(accepted.person)
    return sent


@pytest.mark.parametrize(
    "who, status", [("province_officer", 302), ("district_coordinator_b", 404), (None, 302)]
)
def test_no_letter_once_consent_is_withdrawn(login_as, referral, who, status):
    page = login_as(who).get(reverse("cases:referral_letter", args=[referral.pk]))
    assert page.status_code == status
    assert page.get("Content-Type", "") != "application/pdf"
    if who == "province_officer":
        assert page["Location"] == referral.case.get_absolute_url()
        case_page = login_as(who).get(referral.case.get_absolute_url()).text
        assert 'data-testid="referral"' in case_page and 'data-testid="letter"' not in case_page


@pytest.mark.parametrize(
    "who, status",
    # The other district's coordinator: the case is out of scope, and approving is not theirs.
    [("province_officer", (400, 400)), ("district_coordinator_b", (404, 403))],
)
def test_refer_and_assistance_pages_refuse(login_as, referral, who, status):
    case = referral.case
    client = login_as(who)
    refer = client.post(
        reverse("cases:referral_new", args=[case.pk]),
        {"agency": referral.agency_id, "need": "ซ่อมบ้าน"},
    )
    approve = client.get(reverse("cases:assistance_new", args=[case.pk]))
    assert (refer.status_code, approve.status_code) == status
    if who == "province_officer":
        assert "withdrawn consent" in refer.content.decode()
        assert "withdrawn consent" in approve.content.decode()
    assert Referral.objects.filter(case=case).count() == 1


# --- A new request for a household whose people withdrew -------------------------------------


@pytest.fixture
def world(personas, reference_data, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    found = build_world(personas)
    found.people["a1"].consents.update(withdrawn_on=timezone.localdate())
    return found


@pytest.mark.parametrize("who", ["volunteer_a", "district_coordinator_a"])
def test_new_request_says_the_people_withdrew(login_as, world, who):
    page = login_as(who).get(reverse("cases:new", args=[world.households["a1"].pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="members-withdrew"' in body
    assert 'data-testid="intake-form"' not in body  # only the reason, no form to fill in vain
    other = login_as(who).get(reverse("cases:new", args=[world.households["a2"].pk]))
    assert b"members-withdrew" not in other.content
    if other.status_code == 200:  # a2 is not the volunteer's: 404 for them
        assert b'data-testid="intake-form"' in other.content


@pytest.mark.parametrize("who", ["volunteer_a", "district_coordinator_a"])
def test_the_household_page_offers_no_visit_or_request_when_everyone_withdrew(login_as, world, who):
    page = login_as(who).get(reverse("households:detail", args=[world.households["a1"].pk]))
    body = page.content.decode()
    assert 'data-testid="all-withdrew"' in body
    assert 'data-testid="record-visit"' not in body and 'data-testid="file-case"' not in body
    other = login_as(who).get(reverse("households:detail", args=[world.households["a2"].pk]))
    assert b"all-withdrew" not in other.content
    if other.status_code == 200:  # a2 is not the volunteer's: 404 for them
        assert b'data-testid="record-visit"' in other.content


@pytest.mark.parametrize("who, status", [("volunteer_b", 404), ("district_coordinator_b", 404)])
def test_new_request_out_of_scope(login_as, world, who, status):
    url = reverse("cases:new", args=[world.households["a1"].pk])
    assert login_as(who).get(url).status_code == status


def test_new_request_anonymous(client, world):
    assert client.get(reverse("cases:new", args=[world.households["a1"].pk])).status_code == 302


# --- Nothing new is added to the case: no follow-up, task or volunteer --------------------------


@pytest.fixture
def worked(personas, reference_data):
    found = CaseFactory(filed_by=personas["volunteer_a"], status=S.ACCEPTED)
    withdraw(found.person)
    return found


def _adds(client, case, volunteer):
    return [
        client.post(reverse("cases:follow_up_add", args=[case.pk]), {"fu-on": "", "fu-note": "x"}),
        client.post(
            reverse("cases:task_add", args=[case.pk]),
            {"task-what": "ประสานโรงเรียน", "task-who_text": "ครู", "task-due_on": "10/12/2569"},
        ),
        client.post(reverse("cases:volunteer_assign", args=[case.pk]), {"volunteer": volunteer.pk}),
    ]


def test_no_follow_up_task_or_volunteer_once_consent_is_withdrawn(login_as, worked):
    volunteer = VolunteerFactory(area_id=worked.area_id[:6])
    client = login_as("district_coordinator_a")
    page = client.get(reverse("cases:detail", args=[worked.pk]))
    body = page.content.decode()
    for shown in ('data-testid="open-follow-up"', 'data-testid="open-task"', "assign-volunteer"):
        assert shown not in body
    answers = _adds(client, worked, volunteer)
    assert [a.status_code for a in answers] == [400, 400, 400]
    assert all("withdrawn consent" in a.content.decode() for a in answers)
    assert not CaseFollowUp.objects.filter(case=worked).exists()
    assert not CaseTask.objects.filter(case=worked).exists()
    assert not worked.case_volunteers.exists()


@pytest.mark.parametrize("who, status", [("district_coordinator_b", 404), (None, 302)])
def test_adds_out_of_scope_and_anonymous(login_as, worked, who, status):
    volunteer = VolunteerFactory(area_id=worked.area_id[:6])
    answers = _adds(login_as(who), worked, volunteer)
    assert {a.status_code for a in answers} == {status}
    assert not CaseFollowUp.objects.filter(case=worked).exists()
    assert not CaseTask.objects.filter(case=worked).exists()
    assert not worked.case_volunteers.exists()


def test_services_refuse_too_but_winding_down_stays(personas, worked):
    coordinator = personas["district_coordinator_a"]
    volunteer = VolunteerFactory(area_id=worked.area_id[:6])
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="withdrawn consent"):
        services.follow_up_add(actor=coordinator, case=worked, on=today, note="โทรติดตาม")
    with pytest.raises(ValidationError, match="withdrawn consent"):
        services.task_add(
            actor=coordinator, case=worked, what="ประสาน", due_on=today, who_text="ครู"
        )
    with pytest.raises(ValidationError, match="withdrawn consent"):
        services.case_volunteer_assign(actor=coordinator, case=worked, volunteer=volunteer)
    # A task from before is still marked done, a volunteer from before still taken off.
    task = CaseTask.objects.create(
        case=worked, what="ก่อนถอน", who_text="ครู", due_on=today, created_by=coordinator
    )
    services.task_done(actor=coordinator, task=task)
    worked.case_volunteers.add(volunteer)
    services.case_volunteer_remove(actor=coordinator, case=worked, volunteer=volunteer)
    assert not worked.case_volunteers.exists()


def test_adds_open_again_once_consent_is_given_again(login_as, worked):
    ConsentFactory(person=worked.person)
    page = login_as("district_coordinator_a").get(reverse("cases:detail", args=[worked.pk]))
    assert 'data-testid="open-follow-up"' in page.content.decode()


def test_an_approval_not_paid_is_named_when_closing_and_can_be_cancelled_after_a_withdrawal(
    client, personas, reference_data
):
    officer = personas["province_officer"]
    case = CaseFactory(filed_by=personas["volunteer_a"], status=S.ACCEPTED)
    approved = assistance.assistance_approve(
        case=case,
        person=case.person,
        assistance_type=AssistanceType.objects.get(code="emergency_cash"),
        amount=Decimal("2500"),
        description="ซ่อมบ้าน",
        actor=officer,
    )
    client.force_login(officer)
    page = client.get(reverse("cases:detail", args=[case.pk])).text
    unpaid = page.split('data-testid="unpaid"')[1].split("</p>")[0]
    assert "2,500" in unpaid
    withdraw(case.person)
    page = client.get(reverse("cases:detail", args=[case.pk])).text
    assert 'data-testid="give"' not in page and 'data-testid="cancel-link"' in page
    assistance.assistance_cancel(assistance=approved, actor=officer, reason="ถอนความยินยอม")
    page = client.get(reverse("cases:detail", args=[case.pk])).text
    assert 'data-testid="unpaid"' not in page
