"""Referrals: the agency directory, sending a case to an agency, and the agency's answers."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from carenet.cases import referrals
from carenet.cases.models import (
    Agency,
    AgencyKind,
    CaseStatus,
    CaseTimeLimits,
    Referral,
    ReferralEvent,
    ReferralStatus,
)
from carenet.cases.selectors import referral_overdue_q
from carenet.cases.tests.factories import AgencyFactory, CaseFactory
from carenet.cases.workflow import WorkflowError, referral_move
from carenet.core.models import AuditEvent

pytestmark = pytest.mark.django_db
R = ReferralStatus


@pytest.fixture
def accepted(personas, reference_data):
    return CaseFactory(filed_by=personas["volunteer_a"], status=CaseStatus.ACCEPTED)


def send(case, actor, agency=None, **kw):
    return referrals.referral_send(
        case=case,
        agency=agency or AgencyFactory(area_id="8601"),
        need=kw.pop("need", "ซ่อมแซมบ้าน"),
        actor=actor,
        **kw,
    )


# --- The directory ---------------------------------------------------------------------------


def test_coordinator_adds_an_agency_of_their_area(personas):
    coordinator = personas["district_coordinator_a"]
    agency = referrals.agency_create(
        actor=coordinator, area_id="860101", kind=AgencyKind.LOCAL_GOVERNMENT, name=" อบต.ท่าตะเภา "
    )
    assert agency.name == "อบต.ท่าตะเภา"
    assert AuditEvent.objects.filter(action="agency.create", target_id=str(agency.pk)).exists()


@pytest.mark.parametrize("area", ["86", "8602", "84"])
def test_coordinator_cannot_add_outside_or_above_their_area(personas, area):
    with pytest.raises(ValidationError) as error:
        referrals.agency_create(
            actor=personas["district_coordinator_a"], area_id=area, kind="police", name="สภ.ทดสอบ"
        )
    assert "area" in error.value.message_dict
    assert not Agency.objects.exists()


def test_an_agency_serves_a_province_district_or_subdistrict(personas):
    with pytest.raises(ValidationError):
        referrals.agency_create(
            actor=personas["province_officer"], area_id="86010101", kind="school", name="ร.ร."
        )


def test_update_needs_the_agency_area(personas):
    agency = AgencyFactory(area_id="86")
    with pytest.raises(PermissionDenied):
        referrals.agency_update(
            actor=personas["district_coordinator_a"], agency=agency, name="เปลี่ยน"
        )
    agency.refresh_from_db()
    assert agency.name != "เปลี่ยน"
    referrals.agency_update(actor=personas["province_officer"], agency=agency, phone="077-511-111")
    agency.refresh_from_db()
    assert agency.phone == "077-511-111"


def test_directory_shows_own_areas_and_the_areas_above(personas):
    mine, above, neighbour, other = (
        AgencyFactory(area_id="860101"),
        AgencyFactory(area_id="86"),
        AgencyFactory(area_id="8602"),
        AgencyFactory(area_id="84"),
    )
    seen = set(referrals.agencies_visible(personas["district_coordinator_a"]))
    assert seen == {mine, above}
    assert set(referrals.agencies_visible(personas["auditor"])) == {mine, above, neighbour, other}


def test_a_national_admin_keeps_national_agencies(personas):
    agency = referrals.agency_create(
        actor=personas["national_admin"],
        area_id=None,
        kind=AgencyKind.HOTLINE,
        name="ศูนย์ช่วยเหลือสังคม สายด่วน 1300",
    )
    assert agency.area_id is None
    assert AuditEvent.objects.get(action="agency.create").area_code == ""


@pytest.mark.parametrize("persona", ["province_officer", "district_coordinator_a"])
def test_only_a_national_admin_may_leave_the_area_empty(personas, persona):
    with pytest.raises(ValidationError) as error:
        referrals.agency_create(actor=personas[persona], area_id=None, kind="other", name="กรม")
    assert "area" in error.value.message_dict
    national = AgencyFactory(area_id=None)
    with pytest.raises(PermissionDenied):
        referrals.agency_update(actor=personas[persona], agency=national, name="เปลี่ยน")


def test_national_agencies_are_in_every_directory_and_serve_every_case(personas, accepted):
    national = AgencyFactory(area_id=None, name="กรมกิจการเด็กและเยาวชน")
    nearest = AgencyFactory(area_id="860101")
    assert national in set(referrals.agencies_visible(personas["district_coordinator_b"]))
    assert national in set(referrals.agencies_visible(personas["volunteer_a"]))
    assert list(referrals.agencies_for_case(accepted)) == [nearest, national]  # nearest first
    referral = send(accepted, personas["province_officer"], agency=national)
    assert referral.agency == national


# --- Sending ---------------------------------------------------------------------------------


def test_send_records_the_referral_its_event_and_the_audit(personas, accepted):
    officer = personas["province_officer"]
    referral = send(accepted, officer, letter_no="ชพ 0009/1")
    assert referral.status == R.SENT
    assert referral.area_id == accepted.area_id
    assert referral.answer_due == timezone.localdate() + timedelta(days=7)
    assert ReferralEvent.objects.get(referral=referral).to_status == R.SENT
    assert AuditEvent.objects.filter(action="referral.send", target_id=str(referral.pk)).exists()


@pytest.mark.parametrize(
    "status", [CaseStatus.DRAFT, CaseStatus.PROVINCE_REVIEW, CaseStatus.CLOSED, CaseStatus.DECLINED]
)
def test_send_only_on_an_accepted_case(personas, reference_data, status):
    case = CaseFactory(filed_by=personas["volunteer_a"], status=status)
    with pytest.raises(WorkflowError):
        send(case, personas["province_officer"])
    assert not Referral.objects.exists()


@pytest.mark.parametrize("area", ["8602", "860102", "84"])
def test_agency_must_be_on_the_case_area_path(personas, accepted, area):
    with pytest.raises(WorkflowError):
        send(accepted, personas["province_officer"], agency=AgencyFactory(area_id=area))
    assert not Referral.objects.exists()


@pytest.mark.parametrize("area", ["86", "8601", "860101"])
def test_agencies_on_the_path_are_fine(personas, accepted, area):
    agency = AgencyFactory(area_id=area)
    assert agency in referrals.agencies_for_case(accepted)
    send(accepted, personas["province_officer"], agency=agency)


def test_inactive_agency_and_blank_need_are_refused(personas, accepted):
    officer = personas["province_officer"]
    with pytest.raises(WorkflowError):
        send(accepted, officer, agency=AgencyFactory(area_id="86", active=False))
    with pytest.raises(WorkflowError):
        send(accepted, officer, need="   ")


def test_volunteer_and_neighbour_cannot_send(personas, accepted):
    for name in ("volunteer_a", "district_coordinator_b", "auditor"):
        with pytest.raises(WorkflowError):
            send(accepted, personas[name])
    assert not Referral.objects.exists()


def test_answer_due_follows_the_province_limits(personas, accepted):
    CaseTimeLimits.objects.create(area_id="86", referral_answer_days=3)
    referral = send(accepted, personas["district_coordinator_a"])
    assert referral.answer_due == timezone.localdate() + timedelta(days=3)
    assert referrals.referral_answer_days("84") == 7


# --- Moves -----------------------------------------------------------------------------------


def test_moves_to_done(personas, accepted):
    officer = personas["province_officer"]
    referral = send(accepted, officer)
    referral_move(referral=referral, to=R.RECEIVED, actor=officer)
    referral_move(referral=referral, to=R.IN_PROGRESS, actor=officer)
    referral_move(referral=referral, to=R.DONE, actor=officer, note="ซ่อมหลังคาเสร็จแล้ว")
    referral.refresh_from_db()
    assert (referral.status, referral.result) == (R.DONE, "ซ่อมหลังคาเสร็จแล้ว")
    assert referral.events.count() == 4


@pytest.mark.parametrize(
    ("before", "to"), [(R.DONE, R.RECEIVED), (R.DECLINED, R.DONE), (R.IN_PROGRESS, R.SENT)]
)
def test_illegal_moves_are_refused(personas, accepted, before, to):
    referral = send(accepted, personas["province_officer"])
    Referral.objects.filter(pk=referral.pk).update(status=before)
    with pytest.raises(WorkflowError):
        referral_move(referral=referral, to=to, actor=personas["province_officer"])
    referral.refresh_from_db()
    assert referral.status == before


def test_decline_needs_a_reason(personas, accepted):
    officer = personas["province_officer"]
    referral = send(accepted, officer)
    with pytest.raises(WorkflowError):
        referral_move(referral=referral, to=R.DECLINED, actor=officer, note="  ")
    referral_move(referral=referral, to=R.DECLINED, actor=officer, note="ไม่อยู่ในเขตบริการ")
    referral.refresh_from_db()
    assert (referral.status, referral.result) == (R.DECLINED, "ไม่อยู่ในเขตบริการ")


@pytest.mark.parametrize("before", [R.SENT, R.RECEIVED, R.IN_PROGRESS])
def test_a_referral_sent_by_mistake_is_withdrawn_with_a_reason(personas, accepted, before):
    officer = personas["province_officer"]
    referral = send(accepted, officer)
    Referral.objects.filter(pk=referral.pk).update(status=before)
    with pytest.raises(WorkflowError):
        referral_move(referral=referral, to=R.WITHDRAWN, actor=officer, note="")
    referral_move(referral=referral, to=R.WITHDRAWN, actor=officer, note="ส่งผิดหน่วยงาน")
    referral.refresh_from_db()
    assert (referral.status, referral.result) == (R.WITHDRAWN, "ส่งผิดหน่วยงาน")
    assert not referrals.is_overdue(referral, referral.answer_due + timedelta(days=60))
    with pytest.raises(WorkflowError):  # nothing follows a withdrawal
        referral_move(referral=referral, to=R.DONE, actor=officer)


def test_a_referral_the_agency_took_is_chased_after_thirty_days_without_news(personas, accepted):
    referral = send(accepted, personas["province_officer"])
    today = timezone.localdate()
    taken = timezone.now() - timedelta(days=referrals.RESULT_DAYS)
    Referral.objects.filter(pk=referral.pk).update(status=R.RECEIVED, status_changed_at=taken)
    referral.refresh_from_db()
    assert not referrals.is_overdue(referral, today)
    assert not Referral.objects.filter(referral_overdue_q(today), pk=referral.pk).exists()
    later = today + timedelta(days=2)
    assert referrals.is_overdue(referral, later)
    assert Referral.objects.filter(referral_overdue_q(later), pk=referral.pk).exists()


def test_overdue_means_no_answer_after_the_due_date(personas, accepted):
    referral = send(accepted, personas["province_officer"])
    later = referral.answer_due + timedelta(days=1)
    assert not referrals.is_overdue(referral, referral.answer_due)
    assert referrals.is_overdue(referral, later)
    referral.status = R.RECEIVED
    assert not referrals.is_overdue(referral, later)
