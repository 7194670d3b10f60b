"""Intake pages: the access matrix for new requests, drafts, edits and the request's files;
saving a draft, filing, bad files, a request sent back with its comments, a request opened
from a concern, and the request's part of the case page."""

import base64
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse

from carenet.cases import intake
from carenet.cases.models import Case, CaseCategory, CaseDocument, CaseStatus
from carenet.cases.tests.factories import CaseFactory, subdistrict_reviewer
from carenet.cases.tests.test_intake import full_data, jpeg, pdf, signature_png
from carenet.cases.workflow import case_move
from carenet.households.models import Household
from carenet.households.tests.factories import PersonFactory
from carenet.visits.models import ProblemItem
from carenet.visits.tests.factories import ConcernFactory, VisitFactory, build_world
from conftest import PERSONAS, login

S = CaseStatus
pytestmark = pytest.mark.django_db

# Who may file for which household of the world (volunteers: only those assigned to them).
FILES_FOR = {
    "national_admin": {"a1", "a2", "p1", "b1", "s1"},
    "province_officer": {"a1", "a2", "p1", "b1"},
    "district_coordinator_a": {"a1", "a2", "p1"},
    "district_coordinator_b": {"b1"},
    "volunteer_a": {"a1"},
    "volunteer_b": {"b1"},
    "auditor": set(),
}


@pytest.fixture
def world(personas: dict[str, Any], reference_data: None, settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return build_world(personas)


def english(client: Any) -> Any:
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def signature_url() -> str:
    return "data:image/png;base64," + base64.b64encode(signature_png()).decode()


def post_data(world: Any, key: str = "a1", **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "person": world.people[key].pk,
        "requester_kind": "on_behalf",
        "requester_name": "นางสมใจ ใจดี",
        "requester_relation": "ลูกสาว",
        "requester_phone": "0812345678",
        "requester_types": ["elderly"],
        "registered_address": "",
        "category": "poverty",
        "problems": ["low_income"],
        "help_wanted": "ขอเงินสงเคราะห์",
        "amount_requested": "3,000",
        "welfare_count": "0",
        "welfare_baht": "",
        "welfare_types": "",
        "signature": signature_url(),
        "latitude": "10.493",
        "longitude": "99.18",
        "action": "file",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def a_case(world: Any, personas: dict[str, Any], key: str = "a1", **overrides: Any) -> Case:
    filer = personas["volunteer_a" if key == "a1" else "district_coordinator_a"]
    return intake.case_create(
        actor=filer, household=world.households[key], data=full_data(world, key, **overrides)
    )


# --- The access matrix ---------------------------------------------------------------------


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_new_request_page_access(client: Any, world: Any, persona: str) -> None:
    login(client, persona)
    for key, household in world.households.items():
        response = client.get(reverse("cases:new", args=[household.pk]))
        if persona == "auditor":
            assert response.status_code == 403
        else:
            assert response.status_code == (200 if key in FILES_FOR[persona] else 404), key


def test_anonymous_is_sent_to_sign_in(client: Any, world: Any, personas: dict[str, Any]) -> None:
    case = a_case(world, personas)
    document = CaseDocument.objects.create(
        case=case, file=ContentFile(b"x", name="x.jpg"), uploaded_by=personas["volunteer_a"]
    )
    for url in (
        reverse("cases:new", args=[world.households["a1"].pk]),
        reverse("cases:edit", args=[case.pk]),
        reverse("cases:signature", args=[case.pk]),
        reverse("cases:document", args=[document.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"], url
    response = client.post(reverse("cases:new", args=[world.households["a1"].pk]), post_data(world))
    assert response.status_code == 302 and Case.objects.count() == 1


def test_a_volunteer_cannot_post_for_a_household_not_theirs(
    client: Any, world: Any, personas: dict[str, Any]
) -> None:
    login(client, "volunteer_a")
    for key in ("a2", "b1"):
        url = reverse("cases:new", args=[world.households[key].pk])
        assert client.post(url, post_data(world, key)).status_code == 404
    login(client, "district_coordinator_b")
    url = reverse("cases:new", args=[world.households["a1"].pk])
    assert client.post(url, post_data(world)).status_code == 404
    assert not Case.objects.exists()


def test_edit_page_access(client: Any, world: Any, personas: dict[str, Any]) -> None:
    case = a_case(world, personas)
    url = reverse("cases:edit", args=[case.pk])
    expected = {
        "volunteer_a": 200,  # the filer
        "district_coordinator_a": 200,  # a reviewer of the area
        "province_officer": 200,
        "national_admin": 200,
        "district_coordinator_b": 404,
        "volunteer_b": 404,
        "auditor": 403,
    }
    for persona, status in expected.items():
        login(client, persona)
        assert client.get(url).status_code == status, persona
    login(client, "volunteer_b")
    assert client.post(url, post_data(world, action="draft")).status_code == 404
    case.refresh_from_db()
    assert case.version == 1


def test_a_filed_request_is_not_edited_here(
    client: Any, world: Any, personas: dict[str, Any]
) -> None:
    case = intake.case_file(
        actor=personas["volunteer_a"], household=world.households["a1"], data=full_data(world)
    )
    login(client, "volunteer_a")
    url = reverse("cases:edit", args=[case.pk])
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    response = client.post(url, post_data(world, help_wanted="เปลี่ยน"))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.help_wanted != "เปลี่ยน"


# --- Drafts and filing ---------------------------------------------------------------------


def test_a_draft_is_saved_with_little_and_finished_later(
    client: Any, world: Any, personas: dict[str, Any]
) -> None:
    login(client, "volunteer_a")
    url = reverse("cases:new", args=[world.households["a1"].pk])
    page = client.get(url).content.decode()
    assert 'data-testid="current-address"' in page and 'name="signature"' in page
    assert 'name="source"' not in page  # volunteers' requests always come from a volunteer
    minimal = {"person": world.people["a1"].pk, "category": "poverty", "action": "draft"}
    response = client.post(url, minimal)
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "cases:edit", args=[case.pk]
    )
    assert case.status == S.DRAFT and not case.problems.exists()
    # The draft opens again with what was saved, and is then sent.
    edit = reverse("cases:edit", args=[case.pk])
    assert case.number in client.get(edit).content.decode()
    response = client.post(edit, post_data(world, version=case.version))
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    case.refresh_from_db()
    assert case.status == S.SUBDISTRICT_REVIEW
    assert case.amount_requested == Decimal("3000") and case.consent_signature


def test_filing_everything_with_a_photo_and_a_pdf(
    client: Any, world: Any, personas: dict[str, Any]
) -> None:
    login(client, "volunteer_a")
    url = reverse("cases:new", args=[world.households["a1"].pk])
    data = post_data(
        world,
        documents=[
            SimpleUploadedFile("home.jpg", jpeg(), "image/jpeg"),
            SimpleUploadedFile("letter.pdf", pdf(), "application/pdf"),
        ],
    )
    response = client.post(url, data)
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert case.status == S.SUBDISTRICT_REVIEW and case.consent_signed_at is not None
    assert sorted(case.documents.values_list("is_photo", flat=True)) == [False, True]
    for document in case.documents.all():
        served = client.get(reverse("cases:document", args=[document.pk]))
        assert served.status_code == 200
        assert served["Content-Type"] == ("image/jpeg" if document.is_photo else "application/pdf")
        assert served["Cache-Control"] == "private, no-store"  # shared office PCs
    served = client.get(reverse("cases:signature", args=[case.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert served["Cache-Control"] == "private, no-store"


def test_a_filed_form_sent_again_after_a_lost_reply_is_one_case(
    client: Any, world: Any, personas: dict[str, Any]
) -> None:
    login(client, "volunteer_a")
    url = reverse("cases:new", args=[world.households["a1"].pk])
    form_id = client.get(url).context["form"].initial["client_uuid"]
    data = post_data(world, client_uuid=str(form_id))
    first = client.post(url, data)
    again = client.post(url, data)  # the browser sending the same form once more
    case = Case.objects.get()
    assert first["Location"] == again["Location"] == f"/cases/{case.pk}/"
    assert case.status == S.SUBDISTRICT_REVIEW


def test_filing_with_something_missing_keeps_the_draft(
    client: Any, world: Any, personas: dict[str, Any]
) -> None:
    english(login(client, "volunteer_a"))
    url = reverse("cases:new", args=[world.households["a1"].pk])
    data = post_data(
        world,
        problems=None,
        signature=None,
        requester_name="",
        help_wanted="ขอผ้าอ้อม",
        documents=[SimpleUploadedFile("home.jpg", jpeg(800, 600), "image/jpeg")],
    )
    response = client.post(url, data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Tick at least one problem found." in body
    assert "must sign the consent" in body
    assert "Write the name of the person asking for help." in body
    case = Case.objects.get()  # kept as a draft, with its photo
    assert case.status == S.DRAFT and case.help_wanted == "ขอผ้าอ้อม"
    assert case.documents.count() == 1
    assert f'action="{reverse("cases:edit", args=[case.pk])}"' in body
    assert f'name="version" value="{case.version}"' in body


def test_a_bad_file_gets_its_reason_and_nothing_is_saved(
    client: Any, world: Any, personas: dict[str, Any]
) -> None:
    english(login(client, "volunteer_a"))
    url = reverse("cases:new", args=[world.households["a1"].pk])
    for upload, reason in (
        (SimpleUploadedFile("virus.exe", b"MZ" + b"\0" * 300), "cannot be attached"),
        (
            SimpleUploadedFile("scan.pdf", pdf(11 * 1024 * 1024), "application/pdf"),
            "a PDF document may be at most 10 MB",
        ),
    ):
        response = client.post(url, post_data(world, documents=[upload]))
        assert response.status_code == 400
        body = response.content.decode()
        assert upload.name in body and reason in body
    assert not Case.objects.exists()


def test_bad_amounts_are_refused_beside_the_field(client: Any, world: Any) -> None:
    english(login(client, "volunteer_a"))
    url = reverse("cases:new", args=[world.households["a1"].pk])
    response = client.post(url, post_data(world, amount_requested="2000000", welfare_baht="-5"))
    assert response.status_code == 400
    assert not Case.objects.exists()
    for amount in ("สามพัน", "1e5", "NaN", "Infinity", "1,2,3", "12.500,00"):
        response = client.post(url, post_data(world, amount_requested=amount))
        assert "Write an amount in baht" in response.content.decode(), amount
    assert not Case.objects.exists()


def test_a_person_who_cannot_sign_is_filed_with_who_heard_them_and_the_page_says_so(
    client: Any, world: Any
) -> None:
    login(client, "volunteer_a")
    url = reverse("cases:new", args=[world.households["a1"].pk])
    form = client.get(url).content.decode()
    assert 'data-testid="consent-unsigned"' in form and 'name="consent_witness"' in form
    refused = client.post(url, post_data(world, signature=None))
    assert "ลงลายมือชื่อไม่ได้" in refused.content.decode()  # the error names the way out
    response = client.post(url, post_data(world, signature=None, consent_witness="นางแดง ป้า"))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.consent_witness == "นางแดง ป้า" and not case.consent_signature
    page = client.get(response["Location"]).content.decode()
    consent = page.split('data-testid="request-consent"')[1].split("</dd>")[0]
    assert "นางแดง ป้า" in consent


def test_an_officer_picks_where_the_case_came_from(client: Any, world: Any) -> None:
    login(client, "district_coordinator_b")
    url = reverse("cases:new", args=[world.households["b1"].pk])
    assert 'name="source"' in client.get(url).content.decode()
    response = client.post(url, post_data(world, "b1", source="hotline", signature=None))
    case = Case.objects.get()
    assert response.status_code == 302
    assert (case.source, case.status) == ("hotline", S.PROVINCE_REVIEW)


# --- A request sent back -------------------------------------------------------------------


def sent_back(world: Any, personas: dict[str, Any], reason: str, **comments: str) -> Any:
    """The volunteer's request, checked by the subdistrict, sent back by the district."""
    case = intake.case_file(
        actor=personas["volunteer_a"], household=world.households["a1"], data=full_data(world)
    )
    case_move(case=case, to=S.DISTRICT_REVIEW, actor=subdistrict_reviewer())
    case_move(
        case=case,
        to=S.RETURNED,
        actor=personas["district_coordinator_a"],
        reason=reason,
        field_comments=comments,
    )
    case.refresh_from_db()
    return case


def test_a_returned_request_shows_what_to_fix_and_is_sent_again(
    client: Any, world: Any, personas: dict[str, Any]
) -> None:
    case = sent_back(
        world,
        personas,
        "กรุณาแก้ไขตามความเห็น",
        amount_requested="ระบุจำนวนเงินตามใบเสนอราคา",
        requester="ใส่เบอร์โทรของลูกสาว",
    )
    english(login(client, "volunteer_a"))
    url = reverse("cases:edit", args=[case.pk])
    body = client.get(url).content.decode()
    assert 'data-testid="to-fix"' in body and "What to fix" in body
    assert "ระบุจำนวนเงินตามใบเสนอราคา" in body and "ใส่เบอร์โทรของลูกสาว" in body
    assert "กรุณาแก้ไขตามความเห็น" in body
    assert body.count('data-testid="field-comment"') == 2
    assert 'href="#part-amount_requested"' in body and 'id="part-amount_requested"' in body
    response = client.post(
        url, post_data(world, amount_requested="2500", signature=None, version=case.version)
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.amount_requested) == (S.DISTRICT_REVIEW, Decimal("2500"))
    assert not case.field_comments.filter(resolved=False).exists()


def test_a_returned_request_is_not_sent_again_from_its_page_with_nothing_fixed(
    client: Any, world: Any, personas: dict[str, Any]
) -> None:
    case = sent_back(world, personas, "กรุณาแก้ไข", help_wanted="เขียนให้ชัดว่าต้องการอะไร")
    english(login(client, "volunteer_a"))
    send = reverse("cases:move", args=[case.pk])
    refused = client.post(send, {"to": S.DISTRICT_REVIEW})
    assert refused.status_code == 400 and "Nothing the reviewer asked about" in refused.text
    case.refresh_from_db()
    assert case.status == S.RETURNED and case.field_comments.filter(resolved=False).exists()
    # Saved with the fix (not sent), it may then go from the page.
    edit = reverse("cases:edit", args=[case.pk])
    fixed = post_data(
        world, action="draft", help_wanted="ขอรถเข็นวีลแชร์ 1 คัน", signature=None, version=case.version
    )
    assert client.post(edit, fixed).status_code == 302
    assert client.post(send, {"to": S.DISTRICT_REVIEW}).status_code == 302
    case.refresh_from_db()
    assert case.status == S.DISTRICT_REVIEW


def test_a_stale_edit_is_a_conflict(client: Any, world: Any, personas: dict[str, Any]) -> None:
    case = a_case(world, personas)
    english(login(client, "volunteer_a"))
    url = reverse("cases:edit", args=[case.pk])
    typed = {"help_wanted": "ข้อความจากแท็บที่สอง", "amount_requested": "500"}
    response = client.post(url, post_data(world, action="draft", version=case.version + 5, **typed))
    assert response.status_code == 400
    said = response.content.decode()
    assert "saved after you opened it (in another tab, or by someone else)" in said
    # The parts where the saved request and the form differ are named.
    assert "help wanted" in said and "amount requested" in said
    case.refresh_from_db()
    assert case.help_wanted != typed["help_wanted"]  # nothing saved


def test_a_stale_form_is_refused_before_it_is_asked_whether_it_repeats_an_open_request(
    client: Any, world: Any, personas: dict[str, Any]
) -> None:
    """The question about an open request like this one must not let a stale form through:
    its "send it as a new request" would overwrite the other tab's save."""
    intake.case_file(
        actor=personas["volunteer_a"], household=world.households["a1"], data=full_data(world)
    )
    draft = a_case(world, personas)
    english(login(client, "volunteer_a"))
    url = reverse("cases:edit", args=[draft.pk])
    stale = post_data(world, version=draft.version + 1, help_wanted="ข้อความเก่าจากแท็บที่สอง")
    response = client.post(url, stale)
    assert response.status_code == 400
    assert "saved after you opened it" in response.content.decode()
    again = client.post(url, {**stale, "action": "file_new"})
    assert "saved after you opened it" in again.content.decode()
    draft.refresh_from_db()
    assert draft.status == S.DRAFT and draft.help_wanted != stale["help_wanted"]


# --- From a concern ------------------------------------------------------------------------


def test_a_request_is_opened_from_a_concern(
    client: Any, world: Any, personas: dict[str, Any]
) -> None:
    household = world.households["a1"]
    visit = VisitFactory.create(
        household=household,
        needs="ต้องการรถเข็น",
        latitude=Decimal("10.5"),
        longitude=Decimal("99.1"),
    )
    visit.problems.set(ProblemItem.objects.filter(code__in=["bedridden_no_carer", "low_income"]))
    concern = ConcernFactory.create(household=household, visit=visit)
    login(client, "district_coordinator_a")
    assert (
        "cases/new/concern/"
        in client.get(reverse("visits:concern_handle", args=[concern.pk])).content.decode()
    )
    url = reverse("cases:new_from_concern", args=[concern.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    assert form["category"].value() == "care_needed"
    assert sorted(form["problems"].value()) == ["bedridden_no_carer", "low_income"]
    assert form["help_wanted"].value() == "ต้องการรถเข็น"
    response = client.post(
        url, post_data(world, action="draft", problems=["bedridden_no_carer"], source="volunteer")
    )
    case = Case.objects.get()
    assert response.status_code == 302 and (case.concern, case.visit) == (concern, visit)
    # Opening the concern again continues that draft.
    assert client.get(url)["Location"] == reverse("cases:edit", args=[case.pk])
    login(client, "district_coordinator_b")
    assert client.get(url).status_code == 404
    login(client, "volunteer_b")
    assert client.get(url).status_code == 404


def test_a_sensitive_concern_opens_only_for_those_who_may_read_it(
    client: Any, world: Any, personas: dict[str, Any]
) -> None:
    concern = ConcernFactory.create(
        household=world.households["a1"], sensitive=True, raised_by=personas["volunteer_a"]
    )
    url = reverse("cases:new_from_concern", args=[concern.pk])
    for persona, status in (
        ("volunteer_a", 200),
        ("province_officer", 200),
        ("district_coordinator_a", 404),
    ):
        login(client, persona)
        assert client.get(url).status_code == status, persona


def test_the_household_page_links_to_a_new_request(client: Any, world: Any) -> None:
    url = reverse("households:detail", args=[world.households["a1"].pk])
    login(client, "volunteer_a")
    assert 'data-testid="file-case"' in client.get(url).content.decode()
    login(client, "auditor")
    assert 'data-testid="file-case"' not in client.get(url).content.decode()


# --- Files ---------------------------------------------------------------------------------


def test_files_are_served_only_to_who_may_read_the_case(
    client: Any, world: Any, personas: dict[str, Any]
) -> None:
    paper = intake.document_prepare(SimpleUploadedFile("a.pdf", pdf(), "application/pdf"))
    plain = a_case(world, personas, documents=[paper])
    sensitive = a_case(world, personas, problem_codes=["domestic_violence"], documents=[paper])
    assert sensitive.sensitive and not plain.sensitive
    cases = {"plain": plain, "sensitive": sensitive}
    expected = {
        "volunteer_a": {"plain", "sensitive"},  # the filer
        "province_officer": {"plain", "sensitive"},
        "national_admin": {"plain", "sensitive"},
        "auditor": {"plain"},
        "district_coordinator_a": {"plain"},  # in scope, not assigned: no sensitive details
        "district_coordinator_b": set(),
        "volunteer_b": set(),
    }
    for persona, allowed in expected.items():
        login(client, persona)
        for name, case in cases.items():
            document = case.documents.get()
            status = 200 if name in allowed else 404
            assert client.get(reverse("cases:document", args=[document.pk])).status_code == status
            assert client.get(reverse("cases:signature", args=[case.pk])).status_code == status
    login(client, "volunteer_a")
    assert client.get(reverse("cases:document", args=[999999])).status_code == 404


def test_a_file_that_is_gone_is_a_404(client: Any, world: Any, personas: dict[str, Any]) -> None:
    case = a_case(world, personas)
    case.consent_signature.storage.delete(case.consent_signature.name)
    login(client, "volunteer_a")
    assert client.get(reverse("cases:signature", args=[case.pk])).status_code == 404


# --- The request on the case page ----------------------------------------------------------


def test_the_request_part_shows_everything_in_few_queries(
    world: Any, personas: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    volunteer = personas["volunteer_a"]
    paper = intake.document_prepare(SimpleUploadedFile("a.pdf", pdf(), "application/pdf"))
    small = a_case(world, personas, documents=[paper])
    many = a_case(
        world,
        personas,
        documents=[paper] * 6,
        problem_codes=["low_income", "bedridden_no_carer", "dilapidated", "no_welfare_card"],
    )
    for case in (small, many):
        case = Case.objects.select_related("person", "household", "category").get(pk=case.pk)
        with django_assert_max_num_queries(8):
            html = render_to_string(
                "cases/_request.html", {"case": case, "user": volunteer, "request": None}
            )
        assert case.person.full_name in html and "นางสมใจ ใจดี" in html
        assert reverse("cases:signature", args=[case.pk]) in html
        assert html.count(reverse("cases:document", args=[0])[:-2]) >= case.documents.count()
    restricted = a_case(world, personas, problem_codes=["domestic_violence"])
    html = render_to_string(
        "cases/_request.html",
        {"case": restricted, "user": personas["district_coordinator_a"], "request": None},
    )
    assert 'data-testid="request-restricted"' in html and "นางสมใจ" not in html


def test_a_member_added_later_can_be_chosen(client: Any, world: Any) -> None:
    child = PersonFactory.create(household=world.households["a1"], first_name="เด็กหญิงมะลิ")
    login(client, "volunteer_a")
    page = client.get(reverse("cases:new", args=[world.households["a1"].pk]))
    assert "เด็กหญิงมะลิ" in page.content.decode()
    assert child.pk in [value for value, _label in page.context["form"].fields["person"].choices]


def test_a_closed_household_sends_the_request_form_back_to_its_page(
    client: Any, world: Any, personas: dict[str, Any]
) -> None:
    household = world.households["a1"]
    Household.objects.filter(pk=household.pk).update(status="closed")
    login(client, "volunteer_a")
    response = client.get(reverse("cases:new", args=[household.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("households:detail", args=[household.pk])


# --- The same request sent twice ------------------------------------------------------------


def test_a_form_brought_back_after_it_was_filed_opens_the_request(
    client: Any, world: Any, personas: dict[str, Any]
) -> None:
    """The phone's Back button shows the filled form again (intake.js gives it back the id it
    was sent with): sending it again, signed or not, or as a draft, files nothing more."""
    english(login(client, "volunteer_a"))
    url = reverse("cases:new", args=[world.households["a1"].pk])
    form_id = str(client.get(url).context["form"].initial["client_uuid"])
    filed = client.post(url, post_data(world, client_uuid=form_id))
    case = Case.objects.get()
    assert filed["Location"] == f"/cases/{case.pk}/"
    page = client.get(url).content.decode()  # the form as Back brings it
    assert f'data-sent-form="{form_id}"' in page and case.number in page
    for again in (
        post_data(world, client_uuid=form_id, signature=None),
        post_data(world, client_uuid=form_id, action="draft"),
    ):
        response = client.post(url, again, follow=True)
        assert response.redirect_chain == [(f"/cases/{case.pk}/", 302)]
        assert f"Request {case.number} was sent already" in response.content.decode()
    assert Case.objects.count() == 1 and Case.objects.get().status == S.SUBDISTRICT_REVIEW


def test_a_failed_send_without_files_leaves_no_draft(
    client: Any, world: Any, personas: dict[str, Any]
) -> None:
    english(login(client, "volunteer_a"))
    url = reverse("cases:new", args=[world.households["a1"].pk])
    response = client.post(url, post_data(world, signature=None, help_wanted="ขอข้าวสาร"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "must sign the consent" in body and "ขอข้าวสาร" in body  # the page keeps it all
    assert "kept in your draft" not in body
    assert not Case.objects.exists()
    # A draft the volunteer saved keeps what was typed, as the page says.
    draft = a_case(world, personas, signature=None)
    edit = reverse("cases:edit", args=[draft.pk])
    data = post_data(world, signature=None, help_wanted="ขอยา", version=draft.version)
    response = client.post(edit, data)
    assert response.status_code == 400 and "kept in your draft" in response.content.decode()
    draft.refresh_from_db()
    assert (draft.status, draft.help_wanted) == (S.DRAFT, "ขอยา")


def test_a_stale_send_does_not_say_what_was_typed_is_kept(
    client: Any, world: Any, personas: dict[str, Any]
) -> None:
    draft = a_case(world, personas, signature=None)
    english(login(client, "volunteer_a"))
    edit = reverse("cases:edit", args=[draft.pk])
    data = post_data(world, help_wanted="ขอยา", version=draft.version + 3)
    response = client.post(edit, data)
    assert response.status_code == 400 and "saved after you opened it" in response.text
    assert "kept in your draft" not in response.text
    draft.refresh_from_db()
    assert draft.help_wanted != "ขอยา"


def test_a_request_like_an_open_one_asks_and_is_sent_as_a_new_one(
    client: Any, world: Any, personas: dict[str, Any]
) -> None:
    first = intake.case_file(
        actor=personas["volunteer_a"], household=world.households["a1"], data=full_data(world)
    )
    english(login(client, "volunteer_a"))
    url = reverse("cases:new", args=[world.households["a1"].pk])
    page = client.get(url).content.decode()
    assert 'data-testid="open-requests-notice"' in page and first.number in page
    response = client.post(url, post_data(world, help_wanted="ขอข้าวสาร"))
    assert response.status_code == 400 and Case.objects.count() == 1
    body = response.content.decode()
    assert 'data-testid="open-request-found"' in body and 'value="file_new"' in body
    assert f"already has request {first.number}" in body
    assert reverse("cases:detail", args=[first.pk]) in body and "ขอข้าวสาร" in body
    response = client.post(url, post_data(world, help_wanted="ขอข้าวสาร", action="file_new"))
    second = Case.objects.exclude(pk=first.pk).get()
    assert response["Location"] == f"/cases/{second.pk}/"
    assert second.status == S.SUBDISTRICT_REVIEW and second.help_wanted == "ขอข้าวสาร"


# --- Open requests on the household page ----------------------------------------------------


def _open_cases(world: Any, personas: dict[str, Any], count: int) -> list[Case]:
    people = [world.people["a1"], PersonFactory.create(household=world.households["a1"])]
    return [
        CaseFactory.create(
            person=people[n % 2],
            household=world.households["a1"],
            filed_by=personas["district_coordinator_a"],
            category=CaseCategory.objects.get(code="poverty"),
            status=S.SUBDISTRICT_REVIEW,
        )
        for n in range(count)
    ]


def test_the_household_page_lists_its_open_requests(
    client: Any, world: Any, personas: dict[str, Any]
) -> None:
    shown = a_case(world, personas)
    case_move(case=shown, to=S.SUBDISTRICT_REVIEW, actor=personas["volunteer_a"])
    hidden = CaseFactory.create(
        person=world.people["a1"],
        filed_by=personas["district_coordinator_a"],
        category=CaseCategory.objects.get(code="domestic_violence"),
        status=S.DISTRICT_REVIEW,
    )
    closed = CaseFactory.create(
        person=world.people["a1"], filed_by=personas["volunteer_a"], status=S.CLOSED
    )
    url = reverse("households:detail", args=[world.households["a1"].pk])
    english(login(client, "volunteer_a"))
    page = client.get(url).content.decode()
    assert 'data-testid="household-requests"' in page
    assert shown.number in page and reverse("cases:detail", args=[shown.pk]) in page
    # Restricted: not even its number. On a household's page it would say that someone in
    # it was hurt (violence, abuse, trafficking); the case list keeps it among all the rows.
    assert hidden.number not in page and "A restricted case" not in page
    assert "Domestic violence" not in page and "ความรุนแรงในครอบครัว" not in page
    assert closed.number not in page
    login(client, "province_officer")  # may read sensitive cases
    page = client.get(url).content.decode()
    assert hidden.number in page and "A restricted case" not in page
    login(client, "volunteer_b")  # not her household
    assert client.get(url).status_code == 404
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response["Location"]


def test_a_household_without_open_requests_says_so(client: Any, world: Any) -> None:
    english(login(client, "volunteer_a"))
    page = client.get(reverse("households:detail", args=[world.households["a1"].pk]))
    assert 'data-testid="no-open-requests"' in page.content.decode()


def test_the_household_page_keeps_its_queries_with_more_open_requests(
    client: Any, world: Any, personas: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    url = reverse("households:detail", args=[world.households["a1"].pk])
    english(login(client, "volunteer_a"))
    _open_cases(world, personas, 1)
    client.get(url)  # the session and caches settle
    with django_assert_max_num_queries(60) as few:
        assert client.get(url).content.decode().count('data-testid="open-request"') == 1
    _open_cases(world, personas, 14)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count('data-testid="open-request"') == intake.OPEN_SHOWN
    assert "More in the timeline" in page


def test_a_signature_given_on_the_persons_behalf_says_who_gave_it(client: Any, world: Any) -> None:
    login(client, "volunteer_a")
    response = client.post(reverse("cases:new", args=[world.households["a1"].pk]), post_data(world))
    assert response.status_code == 302
    case = Case.objects.get()
    page = client.get(reverse("cases:detail", args=[case.pk])).text
    assert 'data-testid="signed-for"' in page and "นางสมใจ ใจดี (ลูกสาว)" in page
