"""Pages of agencies, referrals, letters and assistance: access matrix, forms and the PDF."""

import io
import os
import re
import shutil
import subprocess
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from carenet.accounts.models import AreaAssignment, Role
from carenet.accounts.tests.factories import UserFactory
from carenet.cases import assistance as services
from carenet.cases.forms import BahtField
from carenet.cases.models import (
    Agency,
    Assistance,
    AssistanceType,
    CaseCategory,
    CaseStatus,
    Referral,
    ReferralStatus,
)
from carenet.cases.tests.factories import AgencyFactory, CaseFactory, ReferralFactory
from carenet.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def case(personas, reference_data):
    found = CaseFactory(filed_by=personas["volunteer_a"], status=CaseStatus.ACCEPTED)
    found.person.first_name, found.person.last_name = "มาลี", "ศรีสุข"
    found.person.save()
    return found


@pytest.fixture
def referral(case, personas):
    return ReferralFactory(
        case=case, agency=AgencyFactory(area_id="8601"), sent_by=personas["province_officer"]
    )


def approved(case, personas, amount="1000"):
    return services.assistance_approve(
        case=case,
        person=case.person,
        assistance_type=AssistanceType.objects.get(code="emergency_cash"),
        amount=Decimal(amount),
        description="",
        actor=personas["province_officer"],
    )


def officer_of_84():
    user = UserFactory(username="surat_officer")
    AreaAssignment.objects.create(user=user, role=Role.PROVINCIAL_OFFICER, area_id="84")
    return user


def png_upload(name="receipt.png"):
    out = io.BytesIO()
    Image.new("RGB", (30, 20), (10, 120, 10)).save(out, "PNG")
    out.name = name
    out.seek(0)
    return out


# --- The directory ---------------------------------------------------------------------------


def test_agencies_anonymous_goes_to_login(client, personas):
    response = client.get(reverse("cases:agencies"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_agencies_scoped_with_read_only_parents(login_as, personas):
    mine = AgencyFactory(area_id="860101", name="อบต.ท่าตะเภา")
    parent = AgencyFactory(area_id="86", name="พมจ.ชุมพร")
    AgencyFactory(area_id="8602", name="อบต.ท่าแซะ")
    response = login_as("district_coordinator_a").get(reverse("cases:agencies"))
    page = response.content.decode()
    assert "อบต.ท่าตะเภา" in page and "พมจ.ชุมพร" in page and "อบต.ท่าแซะ" not in page
    assert reverse("cases:agency_edit", args=[mine.pk]) in page
    assert reverse("cases:agency_edit", args=[parent.pk]) not in page


def test_agencies_filters_by_kind_and_area(login_as, personas):
    AgencyFactory(area_id="860101", name="อบต.ท่าตะเภา", kind="local_gov")
    AgencyFactory(area_id="8602", name="สภ.ท่าแซะ", kind="police")
    client = login_as("province_officer")
    page = client.get(reverse("cases:agencies"), {"kind": "police"}).content.decode()
    assert "สภ.ท่าแซะ" in page and "อบต.ท่าตะเภา" not in page
    page = client.get(reverse("cases:agencies"), {"area": "8601"}).content.decode()
    assert "สภ.ท่าแซะ" not in page and "อบต.ท่าตะเภา" in page


@pytest.mark.parametrize(
    "persona", ["volunteer_a", "district_coordinator_a", "province_officer", "auditor"]
)
@pytest.mark.parametrize("typed", ["abc", "ชุมพร", "86/01", "๘๖", "99", "8" * 60, "<b>"])
def test_agencies_area_not_in_the_list_is_answered_beside_the_field(
    login_as, personas, persona, typed
):
    AgencyFactory(area_id="86", name="หน่วยทดสอบหนึ่ง", kind="pmj")
    AgencyFactory(area_id="86", name="หน่วยทดสอบสอง", kind="police")
    response = login_as(persona).get(reverse("cases:agencies"), {"area": typed, "kind": "police"})
    assert response.status_code == 200
    assert response.context["form"].errors["area"] == ["กรุณาเลือกพื้นที่จากรายการ"]
    page = response.content.decode()
    assert 'data-field="area"' in page and "has-error" in page
    # The filter that was valid still applies; the bad one is left out.
    assert "หน่วยทดสอบสอง" in page and "หน่วยทดสอบหนึ่ง" not in page


@pytest.mark.parametrize(
    ("persona", "outside"),
    [
        ("volunteer_a", ["860102", "8602", "84"]),
        ("district_coordinator_a", ["8602", "860201", "84"]),
        ("province_officer", ["84", "8401", "840101"]),
    ],
)
def test_agencies_area_outside_the_scope_is_not_a_choice(login_as, personas, persona, outside):
    AgencyFactory(area_id="84", name="พมจ.สุราษฎร์ธานี")
    client = login_as(persona)
    for code in outside:
        response = client.get(reverse("cases:agencies"), {"area": code})
        assert response.status_code == 200, code
        assert "area" in response.context["form"].errors, code
        page = response.content.decode()
        assert "พมจ.สุราษฎร์ธานี" not in page and f'value="{code}"' not in page, code


def test_agencies_area_choices_are_the_scope_and_the_areas_above(login_as, personas):
    def choices(persona: str) -> list[str]:
        response = login_as(persona).get(reverse("cases:agencies"))
        return [code for code, _ in response.context["form"].fields["area"].choices if code]

    assert choices("volunteer_a") == ["86", "8601", "860101"]
    assert choices("district_coordinator_a") == ["86", "8601", "860101", "860102"]
    assert choices("province_officer") == ["86", "8601", "860101", "860102", "8602", "860201"]
    assert choices("auditor") == ["84", "86"]  # the whole country: the provinces


def test_agencies_a_volunteer_narrows_to_the_areas_above(login_as, personas):
    AgencyFactory(area_id="86", name="พมจ.ชุมพร")
    AgencyFactory(area_id="860101", name="อบต.ท่าตะเภา")
    response = login_as("volunteer_a").get(reverse("cases:agencies"), {"area": "86"})
    assert response.status_code == 200 and not response.context["form"].errors
    page = response.content.decode()
    assert "พมจ.ชุมพร" in page and "อบต.ท่าตะเภา" in page


def test_agencies_a_national_scope_opens_on_any_area_a_link_names(login_as, personas):
    AgencyFactory(area_id="860201", name="อบต.ท่าแซะ")
    AgencyFactory(area_id="860101", name="อบต.ท่าตะเภา")
    client = login_as("national_admin")
    response = client.get(reverse("cases:agencies"), {"area": "860201"})
    assert response.status_code == 200 and not response.context["form"].errors
    page = response.content.decode()
    assert "อบต.ท่าแซะ" in page and "อบต.ท่าตะเภา" not in page
    assert 'value="860201" selected' in page
    for code in ("86010101", "99", "8699"):  # a village, and codes that name no area
        response = client.get(reverse("cases:agencies"), {"area": code})
        assert response.status_code == 200 and "area" in response.context["form"].errors


def test_agencies_anonymous_with_filters_goes_to_login(client, personas):
    response = client.get(reverse("cases:agencies"), {"area": "abc"})
    assert response.status_code == 302 and "login" in response["Location"]


def test_agencies_auditor_reads_only(login_as, personas):
    agency = AgencyFactory(area_id="86")
    client = login_as("auditor")
    page = client.get(reverse("cases:agencies")).content.decode()
    assert agency.name in page and reverse("cases:agency_edit", args=[agency.pk]) not in page
    assert client.get(reverse("cases:agency_new")).status_code == 403


@pytest.mark.parametrize("size", [3, 12])
def test_agencies_query_count_is_constant(login_as, personas, django_assert_max_num_queries, size):
    for n in range(size):
        AgencyFactory(area_id=["86", "8601", "860101"][n % 3])
    client = login_as("district_coordinator_a")
    with django_assert_max_num_queries(8):
        assert client.get(reverse("cases:agencies")).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("cases:agencies"), {"area": "8601"}).status_code == 200


def test_a_national_agency_from_the_form_and_in_every_list(login_as, personas):
    client = login_as("national_admin")
    form = client.get(reverse("cases:agency_new")).content.decode()
    assert "ทั้งประเทศ" in form  # the empty choice of the area
    response = client.post(
        reverse("cases:agency_new"),
        {"area": "", "kind": "hotline", "name": "ศูนย์ช่วยเหลือสังคม สายด่วน 1300", "active": "on"},
    )
    assert response.status_code == 302
    assert Agency.objects.get(name__startswith="ศูนย์ช่วยเหลือสังคม").area_id is None
    page = login_as("district_coordinator_b").get(reverse("cases:agencies"), {"area": "8602"})
    assert "สายด่วน 1300" in page.content.decode()
    assert "ทั้งประเทศ" in page.content.decode()


def test_a_national_admin_places_an_agency_in_a_province_or_district(login_as, personas):
    client = login_as("national_admin")
    form = client.get(reverse("cases:agency_new")).context["form"]
    offered = {area.code for area in form.fields["area"].queryset}
    assert {"86", "8601", "8602"} <= offered
    assert "860101" not in offered  # thousands of subdistricts nationally: not a list
    response = client.post(
        reverse("cases:agency_new"),
        {"area": "8601", "kind": "police", "name": "สภ.เมืองชุมพร", "active": "on"},
    )
    assert response.status_code == 302
    agency = Agency.objects.get(name="สภ.เมืองชุมพร")
    assert agency.area_id == "8601"
    # An agency a coordinator put in a subdistrict keeps it when a national admin edits it.
    local = AgencyFactory(area_id="860101")
    edit = client.get(reverse("cases:agency_edit", args=[local.pk])).context["form"]
    assert "860101" in {area.code for area in edit.fields["area"].queryset}


def test_a_province_officer_must_choose_an_area(login_as, personas):
    client = login_as("province_officer")
    response = client.post(
        reverse("cases:agency_new"), {"area": "", "kind": "other", "name": "กรม", "active": "on"}
    )
    assert response.status_code == 400
    assert "area" in response.context["form"].errors
    assert not Agency.objects.exists()


def test_agency_new_and_edit(login_as, personas):
    client = login_as("district_coordinator_a")
    assert client.get(reverse("cases:agency_new")).status_code == 200
    response = client.post(
        reverse("cases:agency_new"),
        {"area": "860101", "kind": "health", "name": "รพ.สต.ท่าตะเภา", "active": "on"},
    )
    assert response.status_code == 302
    agency = Agency.objects.get(name="รพ.สต.ท่าตะเภา")
    url = reverse("cases:agency_edit", args=[agency.pk])
    response = client.post(
        url, {"area": "860101", "kind": "health", "name": "รพ.สต.ท่าตะเภา", "phone": "077-000-000"}
    )
    assert response.status_code == 302
    agency.refresh_from_db()
    assert agency.phone == "077-000-000" and not agency.active


def test_agency_new_refuses_an_area_above(login_as, personas):
    response = login_as("district_coordinator_a").post(
        reverse("cases:agency_new"), {"area": "86", "kind": "police", "name": "สภ.เมือง"}
    )
    assert response.status_code == 400 and not Agency.objects.exists()


def test_agency_edit_scope(login_as, personas):
    neighbour, parent = AgencyFactory(area_id="8602"), AgencyFactory(area_id="86")
    client = login_as("district_coordinator_a")
    assert client.get(reverse("cases:agency_edit", args=[neighbour.pk])).status_code == 404
    assert (
        client.post(reverse("cases:agency_edit", args=[parent.pk]), {"name": "x"}).status_code
        == 403
    )
    parent.refresh_from_db()
    assert parent.name != "x"
    assert (
        login_as("volunteer_a").get(reverse("cases:agency_edit", args=[parent.pk])).status_code
        == 403
    )


# --- Referrals -------------------------------------------------------------------------------


def test_referral_new_sends(login_as, case):
    agency = AgencyFactory(area_id="860101")
    client = login_as("province_officer")
    url = reverse("cases:referral_new", args=[case.pk])
    page = client.get(url).content.decode()
    assert agency.name in page
    response = client.post(
        url, {"agency": agency.pk, "need": "ซ่อมแซมบ้าน", "letter_no": "ชพ 0009/7"}
    )
    assert response.status_code == 302
    assert Referral.objects.get(case=case).letter_no == "ชพ 0009/7"


def test_referral_new_lists_a_national_agency(login_as, case):
    AgencyFactory(area_id=None, name="สายด่วน 1300")
    page = login_as("province_officer").get(reverse("cases:referral_new", args=[case.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "สายด่วน 1300 (ทั้งประเทศ)" in body


def test_referral_new_lists_only_agencies_on_the_path(login_as, case):
    AgencyFactory(area_id="8602", name="อบต.ท่าแซะ")
    neighbour = Agency.objects.get(name="อบต.ท่าแซะ")
    response = login_as("province_officer").post(
        reverse("cases:referral_new", args=[case.pk]), {"agency": neighbour.pk, "need": "x"}
    )
    assert response.status_code == 400 and not Referral.objects.exists()
    assert "อบต.ท่าแซะ" not in response.content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [(None, 302), ("district_coordinator_b", 404), ("volunteer_a", 403), ("auditor", 403)],
)
def test_referral_new_access(login_as, case, who, status):
    agency = AgencyFactory(area_id="86")
    response = login_as(who).post(
        reverse("cases:referral_new", args=[case.pk]), {"agency": agency.pk, "need": "x"}
    )
    assert response.status_code == status
    assert not Referral.objects.exists()


def test_referral_new_refuses_a_case_not_accepted(login_as, personas, reference_data):
    draft = CaseFactory(filed_by=personas["volunteer_a"], status=CaseStatus.PROVINCE_REVIEW)
    response = login_as("province_officer").get(reverse("cases:referral_new", args=[draft.pk]))
    assert response.status_code == 400 and 'data-testid="refusal"' in response.content.decode()


def test_referral_move(login_as, referral):
    url = reverse("cases:referral_move", args=[referral.pk])
    client = login_as("district_coordinator_a")
    assert client.get(url).status_code == 405
    client.post(url, {"to": "declined", "note": ""})
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT  # a decline needs a reason
    assert client.post(url, {"to": "done", "note": "ซ่อมแล้ว"}).status_code == 302
    referral.refresh_from_db()
    assert (referral.status, referral.result) == ("done", "ซ่อมแล้ว")


@pytest.mark.parametrize(
    ("who", "status"),
    [(None, 302), ("district_coordinator_b", 404), ("volunteer_a", 403), ("auditor", 403)],
)
def test_referral_move_access(login_as, referral, who, status):
    response = login_as(who).post(
        reverse("cases:referral_move", args=[referral.pk]), {"to": "done"}
    )
    assert response.status_code == status
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT


def pdftotext() -> str:
    path = shutil.which("pdftotext")
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("The letter test needs pdftotext (apt-get install poppler-utils).")
        pytest.skip("pdftotext is missing")
    return path


def test_referral_letter_pdf(login_as, referral, tmp_path):
    tool = pdftotext()
    response = login_as("province_officer").get(
        reverse("cases:referral_letter", args=[referral.pk])
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    path = tmp_path / "letter.pdf"
    path.write_bytes(response.content)
    command = [tool, "-enc", "UTF-8", str(path), "-"]
    text = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    assert "มาลี ศรีสุข" in text and "ขอส่งต่อ" in text
    assert str(timezone.localdate().year + 543) in text  # BE dates


def test_a_babys_letter_gives_the_age_in_months(referral):
    from carenet.cases.letters import letter_context

    person = referral.case.person
    person.birth_date = timezone.localdate(referral.sent_at) - timedelta(days=330)
    person.save(update_fields=["birth_date"])
    html = render_to_string("cases/letters/referral.html", letter_context(referral))
    assert "อายุ 10 เดือน" in html and "อายุ 0 ปี" not in html
    # Sent by a provincial officer: signed on the head of the office's behalf.
    assert "ปฏิบัติราชการแทนพัฒนาสังคมและความมั่นคงของมนุษย์จังหวัดชุมพร" in html


@pytest.mark.parametrize(
    ("who", "status"),
    [(None, 302), ("district_coordinator_b", 404), ("volunteer_b", 404), ("volunteer_a", 200)],
)
def test_referral_letter_access(login_as, referral, who, status):
    assert (
        login_as(who).get(reverse("cases:referral_letter", args=[referral.pk])).status_code
        == status
    )


def test_a_withdrawn_referral_prints_no_letter(login_as, referral):
    Referral.objects.filter(pk=referral.pk).update(status=ReferralStatus.WITHDRAWN)
    client = login_as("province_officer")
    response = client.get(reverse("cases:referral_letter", args=[referral.pk]))
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="referral.letter").exists()
    page = client.get(reverse("cases:detail", args=[referral.case_id])).content.decode()
    assert 'data-testid="letter"' not in page


def test_sensitive_letter_only_for_allowed_people(login_as, personas, reference_data, tmp_path):
    sensitive = CaseFactory(
        filed_by=personas["volunteer_a"],
        category=CaseCategory.objects.get(code="domestic_violence"),
        status=CaseStatus.ACCEPTED,
    )
    found = ReferralFactory(case=sensitive, sent_by=personas["province_officer"])
    url = reverse("cases:referral_letter", args=[found.pk])
    assert login_as("district_coordinator_a").get(url).status_code == 404
    letter = login_as("province_officer").get(url)
    assert letter.status_code == 200
    path = tmp_path / "letter.pdf"
    path.write_bytes(letter.content)
    command = [pdftotext(), "-enc", "UTF-8", str(path), "-"]
    text = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    # The marks' large bold glyphs come out of pdftotext with their vowels and tone marks
    # apart: compare the base letters only.
    letters = re.sub(r"[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e\s]", "", text)
    assert letters.count("ลบ") >= 2  # ลับ at the top and the foot
    assert ("ดวนทสด" in letters) == sensitive.urgent  # ด่วนที่สุด
    # Each print is logged, refused ones not.
    printed = AuditEvent.objects.filter(action="referral.letter")
    assert list(printed.values_list("actor", "target_id")) == [
        (personas["province_officer"].pk, str(sensitive.pk))
    ]


def _pages(pdf: bytes, tmp_path) -> list[str]:
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    command = [pdftotext(), "-enc", "UTF-8", "-layout", str(path), "-"]
    text = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    return text.split("\f")


@pytest.mark.parametrize("sensitive", [False, True])
def test_a_long_letter_numbers_its_pages_from_the_second(
    login_as, personas, reference_data, tmp_path, sensitive
):
    category = "domestic_violence" if sensitive else "care_needed"
    case = CaseFactory(
        filed_by=personas["volunteer_a"],
        category=CaseCategory.objects.get(code=category),
        status=CaseStatus.ACCEPTED,
    )
    need = "ขอรับการตรวจประเมินและการดูแลต่อเนื่องที่บ้านโดยทีมสหวิชาชีพ " * 60
    found = ReferralFactory(case=case, sent_by=personas["province_officer"], need=need)
    letter = login_as("province_officer").get(reverse("cases:referral_letter", args=[found.pk]))
    first, second, *_rest = _pages(letter.content, tmp_path)
    assert not re.search(r"-\s*1\s*-", first)
    top = second.strip().split("\n", 1)[0]  # the line of the page's head
    assert re.search(r"-\s*2\s*-", top)
    assert ("ลับ" in top) == sensitive


# --- Assistance ------------------------------------------------------------------------------


def test_assistance_new_shows_what_was_received_and_the_caps(login_as, case, personas):
    approved(case, personas, "2000")
    page = (
        login_as("province_officer")
        .get(reverse("cases:assistance_new", args=[case.pk]))
        .content.decode()
    )
    assert 'data-testid="received"' in page and 'data-testid="caps"' in page
    assert "2,000" in page and 'name="override_reason"' in page


def test_assistance_check_warns_and_saves_nothing(login_as, case):
    data = {
        "person": case.person_id,
        "assistance_type": "emergency_cash",
        "amount": "3500",
        "check": "1",
    }
    response = login_as("province_officer").post(
        reverse("cases:assistance_new", args=[case.pk]), data
    )
    page = response.content.decode()
    assert 'data-testid="cap-warning"' in page and "500" in page
    assert not Assistance.objects.exists()


def test_assistance_approve_refused_past_cap_then_overridden(login_as, case):
    url = reverse("cases:assistance_new", args=[case.pk])
    client = login_as("province_officer")
    data = {
        "person": case.person_id,
        "assistance_type": "emergency_cash",
        "amount": "3500",
        "approve": "1",
    }
    response = client.post(url, data)
    assert response.status_code == 400 and not Assistance.objects.exists()
    response = client.post(url, {**data, "override_reason": "บ้านถูกไฟไหม้ทั้งหลัง"})
    assert response.status_code == 302
    assert Assistance.objects.get().override_reason == "บ้านถูกไฟไหม้ทั้งหลัง"


@pytest.mark.parametrize("typed", ["3000", "3,000", "๓๐๐๐", "3,000 บาท"])
def test_assistance_within_cap_is_approved(login_as, case, typed):
    data = {
        "person": case.person_id,
        "assistance_type": "emergency_cash",
        "amount": typed,
        "approve": "1",
    }
    response = login_as("province_officer").post(
        reverse("cases:assistance_new", args=[case.pk]), data
    )
    assert response.status_code == 302 and Assistance.objects.get().amount == 3000


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 302),
        ("volunteer_a", 403),
        ("district_coordinator_a", 403),
        ("auditor", 403),
        ("surat", 404),
    ],
)
def test_assistance_new_access(login_as, client, case, who, status):
    if who == "surat":
        client.force_login(officer_of_84())
        who = None
    data = {"person": case.person_id, "assistance_type": "goods", "amount": "10", "approve": "1"}
    response = login_as(who).post(reverse("cases:assistance_new", args=[case.pk]), data)
    assert response.status_code == status
    assert not Assistance.objects.exists()


def test_assistance_give_and_evidence(login_as, case, personas):
    item = approved(case, personas)
    client = login_as("province_officer")
    url = reverse("cases:assistance_give", args=[item.pk])
    assert client.get(url).status_code == 200
    today = timezone.localdate()
    response = client.post(
        url, {"given_on": f"{today.day}/{today.month}/{today.year + 543}", "evidence": png_upload()}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "given" and item.given_on == today
    evidence = client.get(reverse("cases:evidence", args=[item.pk]))
    assert evidence.status_code == 200 and evidence["Content-Type"] == "image/jpeg"
    assert (
        login_as("district_coordinator_b")
        .get(reverse("cases:evidence", args=[item.pk]))
        .status_code
        == 404
    )


def test_assistance_give_refuses_a_bad_file(login_as, case, personas):
    item = approved(case, personas)
    bad = io.BytesIO(b"hello, not a photo")
    bad.name = "receipt.jpg"
    response = login_as("province_officer").post(
        reverse("cases:assistance_give", args=[item.pk]), {"given_on": "1/1/2568", "evidence": bad}
    )
    assert response.status_code == 400 and "receipt.jpg" in response.content.decode()
    item.refresh_from_db()
    assert item.status == "approved"


@pytest.mark.parametrize(
    ("who", "status"),
    [(None, 302), ("district_coordinator_b", 404), ("volunteer_a", 403), ("auditor", 403)],
)
def test_assistance_give_access(login_as, case, personas, who, status):
    item = approved(case, personas)
    today = timezone.localdate()
    response = login_as(who).post(
        reverse("cases:assistance_give", args=[item.pk]),
        {"given_on": today.isoformat(), "note": "x"},
    )
    assert response.status_code == status
    item.refresh_from_db()
    assert item.status == "approved"


def test_evidence_anonymous_and_missing(client, login_as, case, personas):
    item = approved(case, personas)
    url = reverse("cases:evidence", args=[item.pk])
    assert client.get(url).status_code == 302
    assert login_as("province_officer").get(url).status_code == 404  # no file yet


# --- The case page's sections ----------------------------------------------------------------


def render_sections(case, user):
    request = RequestFactory().get("/")
    request.user = user
    context = {"case": case, "request": request, "user": user}
    return render_to_string("cases/_referrals.html", context, request=request) + render_to_string(
        "cases/_assistance.html", context, request=request
    )


def test_sections_show_buttons_by_permission(case, referral, personas):
    approved(case, personas)
    Referral.objects.filter(pk=referral.pk).update(
        answer_due=timezone.localdate().replace(year=2020)
    )
    officer_page = render_sections(case, personas["province_officer"])
    assert 'data-testid="overdue"' in officer_page
    assert 'data-testid="referral-move"' in officer_page and 'data-testid="refer"' in officer_page
    assert (
        'data-testid="approve-assistance"' in officer_page and 'data-testid="give"' in officer_page
    )
    volunteer_page = render_sections(case, personas["volunteer_a"])
    assert referral.agency.name in volunteer_page and 'data-testid="letter"' in volunteer_page
    assert 'data-testid="referral-move"' not in volunteer_page
    assert 'data-testid="approve-assistance"' not in volunteer_page
    assert 'data-testid="give"' not in volunteer_page


def test_a_wrong_approved_amount_is_put_right_from_the_case_page(login_as, case):
    client = login_as("province_officer")
    data = {"person": case.person_id, "assistance_type": "emergency_cash", "amount": "2,000"}
    client.post(reverse("cases:assistance_new", args=[case.pk]), {**data, "approve": "1"})
    approved = Assistance.objects.get()
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="cancel-link"' in page
    give = client.get(reverse("cases:assistance_give", args=[approved.pk]), {"cancel": "1"})
    assert 'id="cancel" data-testid="cancel" open' in give.content.decode()


def test_an_amount_over_the_limit_is_said_with_its_thousands():
    for language, said in (("en", "1,000,000 baht"), ("th", "1,000,000 บาท")):
        with translation.override(language):
            with pytest.raises(ValidationError) as refused:
                BahtField().clean("2,000,000")
            assert said in refused.value.messages[0]  # read in the page's language
