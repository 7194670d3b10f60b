"""Welfare assistance: what was received, the caps, approvals, overrides, handover, evidence."""

import io
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from carenet.accounts.access import ROLE_PERMISSIONS, Perm
from carenet.accounts.models import Role
from carenet.cases import assistance as services
from carenet.cases.models import Assistance, AssistanceStatus, AssistanceType, CaseStatus
from carenet.cases.tests.factories import CaseFactory
from carenet.cases.workflow import WorkflowError
from carenet.core.models import AuditEvent
from carenet.households.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db
BKK = ZoneInfo("Asia/Bangkok")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def officer(personas):
    return personas["province_officer"]


@pytest.fixture
def case(personas, reference_data):
    return CaseFactory(filed_by=personas["volunteer_a"], status=CaseStatus.ACCEPTED)


def kind(code="emergency_cash"):
    return AssistanceType.objects.get(code=code)  # caps 3,000 a case, 9,000 a year


def approve(case, actor, amount, code="emergency_cash", person=None, **kw):
    return services.assistance_approve(
        case=case,
        person=person or case.person,
        assistance_type=kind(code),
        amount=Decimal(amount),
        description=kw.pop("description", ""),
        actor=actor,
        **kw,
    )


def test_fiscal_year_is_buddhist_era():
    assert services.current_fiscal_year(datetime(2025, 9, 30, 12, tzinfo=BKK)) == 2568
    assert services.current_fiscal_year(datetime(2025, 10, 1, 0, 30, tzinfo=BKK)) == 2569


def test_approval_records_who_amount_year_and_audit(case, officer):
    item = approve(case, officer, "2500", description="ค่าครองชีพ")
    assert (item.approved_by, item.amount, item.status) == (officer, Decimal("2500"), "approved")
    assert item.fiscal_year == services.current_fiscal_year() > 2500
    assert (item.household_id, item.area_id) == (case.household_id, case.area_id)
    assert item.override_reason == ""
    assert AuditEvent.objects.filter(action="assistance.approve", target_id=str(item.pk)).exists()


def test_approval_only_on_an_accepted_case(personas, reference_data, officer):
    draft = CaseFactory(filed_by=personas["volunteer_a"])
    with pytest.raises(WorkflowError):
        approve(draft, officer, "100")
    assert not Assistance.objects.exists()


@pytest.mark.parametrize("name", ["volunteer_a", "district_coordinator_a", "auditor"])
def test_only_approvers_approve(case, personas, name):
    with pytest.raises(WorkflowError):
        approve(case, personas[name], "100")
    assert not Assistance.objects.exists()


def test_person_must_belong_to_the_household(case, officer):
    with pytest.raises(WorkflowError):
        approve(case, officer, "100", person=PersonFactory())


def test_per_case_cap_is_refused_with_the_reason(case, officer):
    approve(case, officer, "2000")
    with pytest.raises(WorkflowError) as error:
        approve(case, officer, "1500")
    assert "3,000" in str(error.value) and "500" in str(error.value)
    assert Assistance.objects.count() == 1


def test_per_year_cap_counts_this_fiscal_year_only_and_not_cancelled(
    personas, reference_data, officer
):
    person = PersonFactory()
    cases = [
        CaseFactory(filed_by=personas["volunteer_a"], person=person, status=CaseStatus.ACCEPTED)
        for _ in range(5)
    ]
    now = timezone.now()
    last_year = now - timedelta(days=400)
    approve(cases[0], officer, "3000", at=last_year)  # previous fiscal year: not counted
    approve(cases[1], officer, "3000")
    cancelled = approve(cases[2], officer, "3000")
    services.assistance_cancel(assistance=cancelled, actor=officer, reason="อนุมัติซ้ำ")
    approve(cases[3], officer, "3000")
    check = services.cap_check(kind(), person, services.current_fiscal_year(), Decimal(3000))
    assert (check.year_used, check.year_remaining, check.exceeds) == (6000, 3000, False)
    approve(cases[4], officer, "2000")
    check = services.cap_check(kind(), person, services.current_fiscal_year(), Decimal(1500))
    assert (check.year_used, check.year_remaining, check.over_by) == (8000, 1000, 500)
    assert check.exceeds and "9,000" in check.reason()
    extra = CaseFactory(filed_by=personas["volunteer_a"], person=person, status="accepted")
    with pytest.raises(WorkflowError):
        approve(extra, officer, "1500")
    approve(extra, officer, "1000")  # exactly up to the cap


def test_cap_check_gives_the_warning_data(case, officer):
    approve(case, officer, "1000")
    year = services.current_fiscal_year()
    check = services.cap_check(kind(), case.person, year, Decimal(2500), case)
    assert (check.case_cap, check.case_used, check.case_remaining) == (3000, 1000, 2000)
    assert (check.case_over_by, check.year_over_by, check.over_by) == (500, 0, 500)
    assert check.remaining == 2000 and check.exceeds
    uncapped = services.cap_check(kind("goods"), case.person, year, Decimal(99999), case)
    assert not uncapped.exceeds and uncapped.remaining is None and uncapped.reason() == ""


def test_summary_by_type_for_person_and_household(personas, case, officer):
    sister = PersonFactory(household=case.household)
    approve(case, officer, "1000")
    approve(case, officer, "500", code="goods", person=sister)
    gone = approve(case, officer, "700", code="goods")
    services.assistance_cancel(assistance=gone, actor=officer, reason="ผิดคน")
    summary = services.assistance_summary(
        case.person, case.household, services.current_fiscal_year()
    )
    assert summary.person == {"emergency_cash": services.Received(1, Decimal(1000))}
    assert summary.household_total == services.Received(2, Decimal(1500))
    assert [row[0].code for row in summary.rows] == ["emergency_cash", "goods"]
    other_year = services.assistance_summary(case.person, case.household, 2500)
    assert other_year.person_total.count == 0


def test_override_needs_the_permission_and_a_reason(case, officer, monkeypatch):
    with pytest.raises(WorkflowError):
        approve(case, officer, "5000")  # no reason
    without = ROLE_PERMISSIONS[Role.PROVINCIAL_OFFICER] - {Perm.OVERRIDE_CAPS}
    monkeypatch.setitem(ROLE_PERMISSIONS, Role.PROVINCIAL_OFFICER, without)
    with pytest.raises(WorkflowError):
        approve(case, officer, "5000", override_reason="ไฟไหม้บ้านทั้งหลัง")
    monkeypatch.undo()
    assert not Assistance.objects.exists()
    item = approve(case, officer, "5000", override_reason="ไฟไหม้บ้านทั้งหลัง")
    assert item.override_reason == "ไฟไหม้บ้านทั้งหลัง"
    audit = AuditEvent.objects.get(action="assistance.approve_override")
    assert audit.details["override"] is True and Decimal(audit.details["over_by"]) == 2000


def test_override_reason_is_not_kept_within_the_cap(case, officer):
    item = approve(case, officer, "100", override_reason="ไม่จำเป็น")
    assert item.override_reason == ""


# --- Handover and evidence -------------------------------------------------------------------


def png(size=(40, 30)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 50, 50)).save(out, "PNG")
    return SimpleUploadedFile("receipt.png", out.getvalue(), content_type="image/png")


def test_give_records_date_evidence_and_audit(case, officer):
    item = approve(case, officer, "2000")
    today = timezone.localdate()
    services.assistance_give(assistance=item, given_on=today, actor=officer, evidence=png())
    item.refresh_from_db()
    assert (item.status, item.given_on, item.given_by) == ("given", today, officer)
    assert item.evidence.name.endswith(".jpg")
    with item.evidence.open("rb") as stored:
        assert stored.read(3) == b"\xff\xd8\xff"  # re-encoded as JPEG
    assert AuditEvent.objects.filter(action="assistance.give").exists()


def test_give_with_a_pdf_or_a_note(case, officer, personas):
    first, second = approve(case, officer, "1000"), approve(case, officer, "1000")
    pdf = SimpleUploadedFile("slip.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    coordinator = personas["district_coordinator_a"]  # a coordinator records handovers too
    services.assistance_give(
        assistance=first, given_on=timezone.localdate(), actor=coordinator, evidence=pdf
    )
    services.assistance_give(
        assistance=second, given_on=timezone.localdate(), actor=officer, note="ใบสำคัญรับเงิน 12/2569"
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.evidence.name.endswith(".pdf")
    assert second.evidence_note == "ใบสำคัญรับเงิน 12/2569" and not second.evidence


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("x.jpg", b"not an image at all", content_type="image/jpeg"),
        SimpleUploadedFile("x.pdf", b"", content_type="application/pdf"),
        SimpleUploadedFile(
            "big.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024), content_type="application/pdf"
        ),
    ],
    ids=["text-as-jpg", "empty", "pdf-over-10MB"],
)
def test_bad_files_are_refused(case, officer, upload):
    item = approve(case, officer, "1000")
    with pytest.raises(ValidationError):
        services.assistance_give(
            assistance=item, given_on=timezone.localdate(), actor=officer, evidence=upload
        )
    item.refresh_from_db()
    assert item.status == "approved" and not item.evidence


def test_give_needs_evidence_a_sane_date_and_an_approval(case, officer, personas):
    item = approve(case, officer, "1000")
    today = timezone.localdate()
    with pytest.raises(WorkflowError):
        services.assistance_give(assistance=item, given_on=today, actor=officer)
    with pytest.raises(WorkflowError):
        services.assistance_give(
            assistance=item, given_on=today + timedelta(days=1), actor=officer, note="x"
        )
    with pytest.raises(WorkflowError):
        services.assistance_give(
            assistance=item, given_on=today, actor=personas["volunteer_a"], note="x"
        )
    services.assistance_give(assistance=item, given_on=today, actor=officer, note="x")
    with pytest.raises(WorkflowError):
        services.assistance_give(assistance=item, given_on=today, actor=officer, note="again")


def test_cancel_needs_a_reason_and_only_before_handover(case, officer):
    item = approve(case, officer, "1000")
    with pytest.raises(WorkflowError):
        services.assistance_cancel(assistance=item, actor=officer, reason=" ")
    services.assistance_cancel(assistance=item, actor=officer, reason="ซ้ำ")
    item.refresh_from_db()
    assert item.status == AssistanceStatus.CANCELLED
    assert AuditEvent.objects.get(action="assistance.cancel").details["reason"] == "ซ้ำ"
    given = approve(case, officer, "1000")
    services.assistance_give(
        assistance=given, given_on=timezone.localdate(), actor=officer, note="x"
    )
    with pytest.raises(WorkflowError):
        services.assistance_cancel(assistance=given, actor=officer, reason="ผิด")
