"""Intake services: drafts, filing and its checks, derived flags, numbers, attachments, the
consent signature, and a request sent back and filed again."""

import re
import uuid
from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from PIL import Image, ImageDraw

from carenet.cases import intake
from carenet.cases.intake import RequestData
from carenet.cases.models import (
    Case,
    CaseCategory,
    CaseEvent,
    CaseSource,
    CaseStatus,
    FieldComment,
    case_number,
)
from carenet.cases.tests.factories import CaseFactory, subdistrict_reviewer
from carenet.cases.workflow import case_move
from carenet.core.models import AuditEvent
from carenet.core.services import ConflictError
from carenet.core.thaidate import fiscal_year
from carenet.households.services import person_merge as merge
from carenet.households.tests.factories import PersonFactory
from carenet.visits.models import Visit
from carenet.visits.tests.factories import VisitFactory, build_world

S = CaseStatus
pytestmark = pytest.mark.django_db


# --- Helpers shared with test_intake_views.py ----------------------------------------------


def signature_png() -> bytes:
    image = Image.new("RGBA", (300, 120), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(10, 100), (120, 20), (290, 90)], fill=(11, 31, 75, 255), width=4)
    out = BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def jpeg(width: int = 3000, height: int = 2000) -> bytes:
    out = BytesIO()
    Image.new("RGB", (width, height), (10, 120, 90)).save(out, "JPEG")
    return out.getvalue()


def pdf(extra: int = 0) -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b"\0" * extra


@pytest.fixture
def world(personas: dict[str, Any], reference_data: None, settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return build_world(personas)


def full_data(world: Any, key: str = "a1", **overrides: Any) -> RequestData:
    values: dict[str, Any] = {
        "person_id": world.people[key].pk,
        "category_code": "poverty",
        "requester_kind": "on_behalf",
        "requester_name": "นางสมใจ ใจดี",
        "requester_relation": "ลูกสาว",
        "requester_phone": "081 234 5678",
        "requester_types": ["elderly", "low_income"],
        "registered_address": "99 หมู่ 3 ต.ตากแดด",
        "problem_codes": ["low_income", "bedridden_no_carer"],
        "help_wanted": "ขอเงินสงเคราะห์และผ้าอ้อมผู้ใหญ่",
        "amount_requested": Decimal("3000"),
        "welfare_count": 1,
        "welfare_baht": Decimal("1000"),
        "welfare_types": "ถุงยังชีพ",
        "signature": ContentFile(signature_png(), name="signature.png"),
        "latitude": "10.493000",
        "longitude": "99.180000",
    }
    values.update(overrides)
    return RequestData(**values)


# --- Drafts --------------------------------------------------------------------------------


def test_a_draft_needs_little(world: Any, personas: dict[str, Any]) -> None:
    volunteer = personas["volunteer_a"]
    household = world.households["a1"]
    case = intake.case_create(
        actor=volunteer,
        household=household,
        data=RequestData(person_id=world.people["a1"].pk, category_code="poverty"),
    )
    case.refresh_from_db()
    assert case.status == S.DRAFT and case.submitted_at is None
    assert case.area_id == household.area_id
    assert case.volunteer == world.volunteers["a"]
    assert list(case.assigned.all()) == [volunteer]
    assert case.number == f"{fiscal_year(timezone.localdate())}-{case.pk:06d}"
    assert (case.urgent, case.sensitive) == (False, False)
    assert AuditEvent.objects.filter(action="case.create", target_id=str(case.pk)).exists()


def test_the_same_request_sent_twice_is_one_draft(world: Any, personas: dict[str, Any]) -> None:
    volunteer = personas["volunteer_a"]
    household = world.households["a1"]
    data = RequestData(person_id=world.people["a1"].pk, category_code="poverty", help_wanted="ข้าว")
    first = intake.case_create(actor=volunteer, household=household, data=data)
    second = intake.case_create(actor=volunteer, household=household, data=data)
    assert first.pk == second.pk
    other = RequestData(person_id=world.people["a1"].pk, category_code="poverty", help_wanted="ยา")
    assert intake.case_create(actor=volunteer, household=household, data=other).pk != first.pk


def test_the_same_form_filed_again_is_the_same_case(world: Any, personas: dict[str, Any]) -> None:
    volunteer = personas["volunteer_a"]
    household = world.households["a1"]
    form_id = uuid.uuid4()
    first = intake.case_file(
        actor=volunteer, household=household, data=full_data(world, client_uuid=form_id)
    )
    again = intake.case_file(
        actor=volunteer, household=household, data=full_data(world, client_uuid=form_id)
    )
    assert again.pk == first.pk and Case.objects.count() == 1
    assert Case.objects.get().status == S.SUBDISTRICT_REVIEW


def test_a_request_like_an_open_one_asks_before_it_is_filed(
    world: Any, personas: dict[str, Any]
) -> None:
    volunteer = personas["volunteer_a"]
    household = world.households["a1"]
    first = intake.case_file(actor=volunteer, household=household, data=full_data(world))
    again = full_data(world, client_uuid=uuid.uuid4())  # opened again, filled in again
    with pytest.raises(intake.OpenRequestExists) as asked:
        intake.case_file(actor=volunteer, household=household, data=again)
    assert asked.value.case == first and Case.objects.count() == 1
    # Another kind of problem is another request.
    other = intake.case_file(
        actor=volunteer, household=household, data=full_data(world, category_code="housing")
    )
    # Told that it is a new one, it is filed.
    second = intake.case_file(actor=volunteer, household=household, data=again, despite_open=True)
    assert len({first.pk, other.pk, second.pk}) == 3 and second.status == S.SUBDISTRICT_REVIEW


def test_a_finished_request_or_a_draft_does_not_ask(world: Any, personas: dict[str, Any]) -> None:
    volunteer = personas["volunteer_a"]
    person = world.people["a1"]
    for status in (S.DRAFT, S.CLOSED, S.DECLINED):
        CaseFactory.create(person=person, filed_by=volunteer, status=status)
    filed = intake.case_file(
        actor=volunteer, household=world.households["a1"], data=full_data(world)
    )
    assert filed.status == S.SUBDISTRICT_REVIEW
    # The draft being filed is not its own repeat; a returned request is filed again as is.
    draft = intake.case_create(
        actor=volunteer,
        household=world.households["a1"],
        data=full_data(world, category_code="housing", help_wanted="ซ่อมหลังคา"),
    )
    housing = full_data(world, category_code="housing")
    filed = intake.case_file(actor=volunteer, case=draft, data=housing)
    assert filed.status == S.SUBDISTRICT_REVIEW


def test_an_open_request_the_filer_may_not_read_is_not_told(
    world: Any, personas: dict[str, Any]
) -> None:
    """A sensitive request someone else filed is not listed: on the household's page even
    its number would say that someone in it was hurt."""
    volunteer = personas["volunteer_a"]
    hidden = CaseFactory.create(
        person=world.people["a1"],
        filed_by=personas["district_coordinator_a"],
        category=CaseCategory.objects.get(code="domestic_violence"),
        status=S.SUBDISTRICT_REVIEW,
        submitted_at=timezone.now(),
    )
    assert hidden.sensitive
    data = full_data(world, category_code="domestic_violence")
    filed = intake.case_file(actor=volunteer, household=world.households["a1"], data=data)
    assert filed.pk != hidden.pk
    listed = intake.open_requests(volunteer, world.households["a1"])
    assert [c.pk for c in listed.cases] == [filed.pk]


def test_open_requests_are_the_households_filed_and_unfinished(
    world: Any, personas: dict[str, Any]
) -> None:
    volunteer = personas["volunteer_a"]
    person = world.people["a1"]
    now = timezone.now()
    found = {
        status: CaseFactory.create(
            person=person, filed_by=volunteer, status=status, submitted_at=now
        ).pk
        for status in S.values
    }
    CaseFactory.create(person=world.people["a2"], filed_by=volunteer, status=S.ACCEPTED)
    listed = intake.open_requests(volunteer, world.households["a1"])
    assert {c.pk for c in listed.cases} == {found[s] for s in intake.OPEN}
    assert not listed.more
    assert intake.open_requests(personas["volunteer_b"], world.households["a1"]).cases == []
    assert intake.open_requests(personas["province_officer"], world.households["a1"]).cases


def test_the_form_a_request_was_filed_from_is_found_for_its_filer(
    world: Any, personas: dict[str, Any]
) -> None:
    volunteer = personas["volunteer_a"]
    form_id = uuid.uuid4()
    data = full_data(world, client_uuid=form_id)
    filed = intake.case_file(actor=volunteer, household=world.households["a1"], data=data)
    assert intake.filed_form(volunteer, str(form_id)) == filed
    assert intake.filed_form(personas["district_coordinator_a"], str(form_id)) is None
    assert intake.filed_form(volunteer, "not a uuid") is None
    assert intake.filed_form(volunteer, None) is None
    draft_id = uuid.uuid4()
    intake.case_create(
        actor=volunteer,
        household=world.households["a1"],
        data=full_data(world, category_code="housing", client_uuid=draft_id),
    )
    assert intake.filed_form(volunteer, str(draft_id)) is None  # a draft is still being filled


def test_a_draft_sent_again_with_changes_is_updated(world: Any, personas: dict[str, Any]) -> None:
    volunteer = personas["volunteer_a"]
    household = world.households["a1"]
    form_id = uuid.uuid4()
    person = world.people["a1"].pk
    draft = intake.case_create(
        actor=volunteer,
        household=household,
        data=RequestData(person_id=person, category_code="poverty", client_uuid=form_id),
    )
    fixed = RequestData(
        person_id=person, category_code="poverty", help_wanted="ข้าวสาร", client_uuid=form_id
    )
    again = intake.case_create(actor=volunteer, household=household, data=fixed)
    assert again.pk == draft.pk and Case.objects.count() == 1
    assert Case.objects.get().help_wanted == "ข้าวสาร"
    with pytest.raises(PermissionDenied):  # another user's form id is not theirs to resend
        intake.case_create(actor=personas["district_coordinator_a"], household=household,
                           data=fixed)  # fmt: skip


def test_a_draft_is_edited_and_keeps_its_number(world: Any, personas: dict[str, Any]) -> None:
    volunteer = personas["volunteer_a"]
    case = intake.case_create(
        actor=volunteer,
        household=world.households["a1"],
        data=RequestData(person_id=world.people["a1"].pk, category_code="poverty"),
    )
    number = case.number
    updated = intake.case_update(
        actor=volunteer, case=case, data=full_data(world), expected_version=case.version
    )
    updated.refresh_from_db()
    assert updated.number == number and updated.status == S.DRAFT
    assert updated.help_wanted.startswith("ขอเงิน") and updated.version == 2
    assert updated.requester_phone == "0812345678"
    assert sorted(updated.problems.values_list("code", flat=True)) == [
        "bedridden_no_carer",
        "low_income",
    ]
    assert AuditEvent.objects.filter(action="case.update", target_id=str(case.pk)).exists()
    with pytest.raises(ConflictError):
        intake.case_update(actor=volunteer, case=case, data=full_data(world), expected_version=1)


def test_numbers_are_unique(world: Any, personas: dict[str, Any]) -> None:
    numbers = {
        intake.case_create(
            actor=personas["volunteer_a"],
            household=world.households["a1"],
            data=RequestData(
                person_id=world.people["a1"].pk, category_code="poverty", help_wanted=f"คำขอ {n}"
            ),
        ).number
        for n in range(3)
    }
    assert len(numbers) == 3
    assert all(re.fullmatch(r"25\d\d-\d{6}", n) for n in numbers)


def test_a_draft_for_someone_of_another_household_is_refused(
    world: Any, personas: dict[str, Any]
) -> None:
    with pytest.raises(ValidationError) as refused:
        intake.case_create(
            actor=personas["volunteer_a"],
            household=world.households["a1"],
            data=RequestData(person_id=world.people["a2"].pk, category_code="poverty"),
        )
    assert "person" in refused.value.message_dict
    assert not Case.objects.exists()


def test_no_request_for_someone_who_withdrew_consent(world: Any, personas: dict[str, Any]) -> None:
    person = world.people["a1"]
    consent = person.consents.get()
    consent.withdrawn_on = timezone.localdate()
    consent.save(update_fields=["withdrawn_on"])
    with pytest.raises(ValidationError) as refused:
        intake.case_create(
            actor=personas["volunteer_a"],
            household=world.households["a1"],
            data=RequestData(person_id=person.pk, category_code="poverty"),
        )
    assert "person" in refused.value.message_dict
    assert not Case.objects.exists()


def test_no_request_for_a_household_that_moved_away(world: Any, personas: dict[str, Any]) -> None:
    household = world.households["a1"]
    household.status = "moved"
    household.save(update_fields=["status"])
    with pytest.raises(ValidationError):
        intake.case_create(
            actor=personas["volunteer_a"],
            household=household,
            data=RequestData(person_id=world.people["a1"].pk, category_code="poverty"),
        )
    assert not Case.objects.exists()


def test_a_merge_brings_the_duplicates_cases_and_visits_to_the_survivor(
    world: Any, personas: dict[str, Any]
) -> None:
    survivor, duplicate = world.people["a1"], world.people["a2"]
    case = CaseFactory.create(person=duplicate, filed_by=personas["volunteer_a"])
    both = VisitFactory.create(household=world.households["a1"])
    both.members_seen.set([survivor, duplicate])
    one = VisitFactory.create(household=world.households["a2"])
    one.members_seen.set([duplicate])
    merge(actor=personas["district_coordinator_a"], survivor=survivor, duplicate=duplicate)
    assert Case.objects.get(pk=case.pk).person_id == survivor.pk
    assert list(both.members_seen.all()) == [survivor]
    assert list(one.members_seen.all()) == [survivor]
    assert list(Visit.objects.filter(members_seen=duplicate)) == []
    moved = AuditEvent.objects.get(action="person.merge").details["records_moved"]
    assert moved == {"cases.case": 1, "visits.visit_members_seen": 1}  # "both" kept one


def test_only_households_in_scope(world: Any, personas: dict[str, Any]) -> None:
    data = RequestData(person_id=world.people["a2"].pk, category_code="poverty")
    # a2 lies in volunteer_a's subdistrict but is not assigned to them.
    with pytest.raises(PermissionDenied):
        intake.case_create(
            actor=personas["volunteer_a"], household=world.households["a2"], data=data
        )
    with pytest.raises(PermissionDenied):
        intake.case_create(
            actor=personas["district_coordinator_b"], household=world.households["a2"], data=data
        )
    assert intake.case_create(
        actor=personas["district_coordinator_a"], household=world.households["a2"], data=data
    )


def test_only_the_filer_or_a_reviewer_edits(world: Any, personas: dict[str, Any]) -> None:
    case = intake.case_create(
        actor=personas["volunteer_a"],
        household=world.households["a1"],
        data=RequestData(person_id=world.people["a1"].pk, category_code="poverty"),
    )
    with pytest.raises(PermissionDenied):
        intake.case_update(actor=personas["volunteer_b"], case=case, data=full_data(world))
    with pytest.raises(PermissionDenied):
        intake.case_update(
            actor=personas["district_coordinator_b"], case=case, data=full_data(world)
        )
    intake.case_update(actor=personas["district_coordinator_a"], case=case, data=full_data(world))


# --- Filing --------------------------------------------------------------------------------


def test_filing_everything_goes_to_the_subdistrict_check(
    world: Any, personas: dict[str, Any]
) -> None:
    volunteer = personas["volunteer_a"]
    photo = intake.document_prepare(SimpleUploadedFile("home.jpg", jpeg(), "image/jpeg"))
    paper = intake.document_prepare(SimpleUploadedFile("id.pdf", pdf(), "application/pdf"))
    case = intake.case_file(
        actor=volunteer,
        household=world.households["a1"],
        data=full_data(world, documents=[photo, paper]),
    )
    assert case.status == S.SUBDISTRICT_REVIEW and case.submitted_at is not None
    assert (case.urgent, case.sensitive) == (False, False)
    assert case.consent_signed_at is not None
    with case.consent_signature.open("rb") as stored:
        assert stored.read(8) == b"\x89PNG\r\n\x1a\n"
    documents = list(case.documents.order_by("pk"))
    assert [(d.is_photo, d.title) for d in documents] == [(True, "home.jpg"), (False, "id.pdf")]
    with documents[0].file.open("rb") as stored, Image.open(stored) as image:
        assert max(image.size) == 1600
    assert case.latitude == Decimal("10.493000")
    assert CaseEvent.objects.filter(case=case, to_status=S.SUBDISTRICT_REVIEW).count() == 1
    # One row says it was sent (the move's), not two.
    sent = AuditEvent.objects.filter(
        target_id=str(case.pk), action__in=["case.file", "case.submit"]
    )
    assert list(sent.values_list("action", flat=True)) == ["case.submit"]


def test_filing_refuses_what_is_missing_and_changes_nothing(
    world: Any, personas: dict[str, Any]
) -> None:
    volunteer = personas["volunteer_a"]
    case = intake.case_create(
        actor=volunteer,
        household=world.households["a1"],
        data=RequestData(person_id=world.people["a1"].pk, category_code="poverty"),
    )
    incomplete = full_data(
        world,
        problem_codes=[],
        signature=None,
        requester_name=" ",
        requester_relation="",
        help_wanted="ข้อความใหม่",
    )
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        intake.case_file(actor=volunteer, case=case, data=incomplete)
    errors = refused.value.message_dict
    assert set(errors) == {"problems", "signature", "requester_name", "requester_relation"}
    assert "at least one problem" in errors["problems"][0]
    case.refresh_from_db()
    assert (case.status, case.help_wanted, case.version) == (S.DRAFT, "", 1)
    assert not case.events.exists()
    # Nothing is created when a new request cannot be filed either.
    count = Case.objects.count()
    with pytest.raises(ValidationError):
        intake.case_file(actor=volunteer, household=world.households["a1"], data=incomplete)
    assert Case.objects.count() == count


@pytest.mark.parametrize(
    "sensitive",
    [{"category_code": "child_abuse"}, {"problem_codes": ["low_income", "domestic_violence"]}],
)
def test_a_sensitive_request_is_sent_without_a_signature(
    world: Any, personas: dict[str, Any], sensitive: dict[str, Any]
) -> None:
    """Protecting a person from violence needs no consent, and asking a child, or a parent
    who may be the abuser, to sign is neither needed nor safe."""
    data = full_data(world, signature=None, **sensitive)
    case = intake.case_file(
        actor=personas["volunteer_a"], household=world.households["a1"], data=data
    )
    assert case.sensitive and not case.consent_signature
    assert case.status == S.PROVINCE_REVIEW  # only the province reads it


def test_a_person_who_cannot_sign_consents_by_word_before_a_witness(
    world: Any, personas: dict[str, Any]
) -> None:
    volunteer, household = personas["volunteer_a"], world.households["a1"]
    data = full_data(world, signature=None, consent_witness="  นายสมชาย  ใจดี ผู้ใหญ่บ้าน ")
    case = intake.case_file(actor=volunteer, household=household, data=data)
    assert not case.consent_signature
    assert case.consent_witness == "นายสมชาย ใจดี ผู้ใหญ่บ้าน"
    assert case.consent_signed_at is not None
    assert case.status == S.SUBDISTRICT_REVIEW


def test_a_volunteer_cannot_skip_the_signature_by_naming_the_hotline(
    world: Any, personas: dict[str, Any]
) -> None:
    data = full_data(world, signature=None, source=CaseSource.HOTLINE)
    with pytest.raises(ValidationError) as refused:
        intake.case_file(actor=personas["volunteer_a"], household=world.households["a1"], data=data)
    assert set(refused.value.message_dict) == {"signature"}


def test_an_officer_enters_a_hotline_case_without_the_signature(
    world: Any, personas: dict[str, Any]
) -> None:
    officer = personas["province_officer"]
    data = full_data(world, "b1", signature=None, source=CaseSource.HOTLINE)
    case = intake.case_file(actor=officer, household=world.households["b1"], data=data)
    assert (case.status, case.source, case.volunteer) == (S.PROVINCE_REVIEW, "hotline", None)
    assert not case.consent_signature
    # A visit of the officer's own still needs it.
    own = full_data(world, "b1", signature=None, source=CaseSource.VOLUNTEER)
    with pytest.raises(ValidationError):
        intake.case_file(actor=officer, household=world.households["b1"], data=own)


def test_sensitive_and_urgent_are_derived(world: Any, personas: dict[str, Any]) -> None:
    volunteer = personas["volunteer_a"]
    household = world.households["a1"]
    person = world.people["a1"].pk
    by_problem = intake.case_create(
        actor=volunteer,
        household=household,
        data=RequestData(
            person_id=person, category_code="poverty", problem_codes=["domestic_violence"]
        ),
    )
    assert (by_problem.urgent, by_problem.sensitive) == (False, True)
    by_category = intake.case_create(
        actor=volunteer,
        household=household,
        data=RequestData(person_id=person, category_code="trafficking"),
    )
    assert (by_category.urgent, by_category.sensitive) == (True, True)
    cleared = intake.case_update(
        actor=volunteer,
        case=by_problem,
        data=RequestData(person_id=person, category_code="care_needed", problem_codes=["other"]),
    )
    assert (cleared.urgent, cleared.sensitive) == (True, False)


def test_a_request_sent_back_is_fixed_and_goes_back_to_that_step(
    world: Any, personas: dict[str, Any]
) -> None:
    volunteer = personas["volunteer_a"]
    case = intake.case_file(
        actor=volunteer, household=world.households["a1"], data=full_data(world)
    )
    case_move(case=case, to=S.DISTRICT_REVIEW, actor=subdistrict_reviewer())
    case_move(
        case=case,
        to=S.RETURNED,
        actor=personas["district_coordinator_a"],
        field_comments={"amount_requested": "ระบุจำนวนเงินให้ตรงกับใบเสนอราคา"},
    )
    case.refresh_from_db()
    assert intake.can_edit(volunteer, case)
    with pytest.raises(ValidationError):  # sent again with nothing the reviewer asked fixed
        intake.case_file(
            actor=volunteer,
            case=case,
            data=full_data(world, signature=None),
            expected_version=case.version,
        )
    assert Case.objects.get(pk=case.pk).status == S.RETURNED
    fixed = intake.case_file(
        actor=volunteer,
        case=case,
        data=full_data(world, amount_requested=Decimal("2500"), signature=None),
        expected_version=case.version,
    )
    assert (fixed.status, fixed.amount_requested) == (S.DISTRICT_REVIEW, Decimal("2500"))
    assert fixed.consent_signature  # the signature given before is kept
    assert not FieldComment.objects.filter(case=case, resolved=False).exists()
    assert not intake.can_edit(volunteer, fixed)
    with pytest.raises(PermissionDenied):
        intake.case_update(actor=volunteer, case=fixed, data=full_data(world))


# --- Attachments ---------------------------------------------------------------------------


def test_documents_photos_shrunk_pdfs_kept_others_refused(settings: Any) -> None:
    photo = intake.document_prepare(SimpleUploadedFile("a.png", jpeg(2400, 1800), "image/png"))
    assert photo.is_photo and photo.content[:2] == b"\xff\xd8"
    with Image.open(BytesIO(photo.content)) as image:
        assert image.size == (1600, 1200)
    paper = intake.document_prepare(SimpleUploadedFile("a.pdf", pdf(), "application/pdf"))
    assert not paper.is_photo and paper.content == pdf()
    with translation.override("en"):
        for upload in (
            SimpleUploadedFile(
                "setup.exe", b"MZ\x90\x00" + b"\0" * 500, "application/octet-stream"
            ),
            SimpleUploadedFile("notes.pdf", b"not really a pdf", "application/pdf"),
        ):
            with pytest.raises(ValidationError) as refused:
                intake.document_prepare(upload)
            assert refused.value.code == "document_type"
            assert str(upload.name) in refused.value.messages[0]
            assert "photo (JPEG, PNG or WebP) or a PDF" in refused.value.messages[0]
        big = SimpleUploadedFile("big.pdf", pdf(11 * 1024 * 1024), "application/pdf")
        with pytest.raises(ValidationError) as refused:
            intake.document_prepare(big)
        assert refused.value.code == "document_too_large"
        assert "at most 10 MB" in refused.value.messages[0]


def test_documents_are_removed_on_request(world: Any, personas: dict[str, Any]) -> None:
    volunteer = personas["volunteer_a"]
    paper = intake.document_prepare(SimpleUploadedFile("a.pdf", pdf(), "application/pdf"))
    case = intake.case_create(
        actor=volunteer,
        household=world.households["a1"],
        data=RequestData(
            person_id=world.people["a1"].pk, category_code="poverty", documents=[paper, paper]
        ),
    )
    first = case.documents.order_by("pk").first()
    assert first is not None
    intake.case_update(
        actor=volunteer,
        case=case,
        data=RequestData(
            person_id=world.people["a1"].pk,
            category_code="poverty",
            remove_document_ids=[first.pk],
        ),
    )
    assert case.documents.count() == 1


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        (["low_income", "child_abuse"], "child_abuse"),
        (["elder_abuse"], "domestic_violence"),
        (["forced_begging", "domestic_violence"], "trafficking"),
        (["bedridden_no_carer", "low_income"], "care_needed"),
        (["dilapidated"], "housing"),
        (["no_id_card"], "other"),
        ([], None),
    ],
)
def test_a_category_is_guessed_from_the_problems(
    reference_data: None, codes: list[str], expected: str | None
) -> None:
    assert intake.category_guess(codes) == expected


def test_a_new_person_of_the_household_may_be_chosen(world: Any, personas: dict[str, Any]) -> None:
    child = PersonFactory.create(household=world.households["a1"], first_name="เด็กชาย")
    case = intake.case_create(
        actor=personas["volunteer_a"],
        household=world.households["a1"],
        data=RequestData(person_id=child.pk, category_code="child_welfare"),
    )
    assert case.person == child and case.urgent


def test_a_draft_begun_in_one_fiscal_year_is_numbered_in_the_year_it_is_sent(
    world: Any, personas: dict[str, Any]
) -> None:
    """A case list by fiscal year counts a request by when it was sent: its number agrees."""
    volunteer = personas["volunteer_a"]
    draft = intake.case_create(
        actor=volunteer,
        household=world.households["a1"],
        data=RequestData(person_id=world.people["a1"].pk, category_code="poverty"),
    )
    Case.objects.filter(pk=draft.pk).update(number=f"2569-{draft.pk:06d}")  # begun in September
    draft.refresh_from_db()
    case = intake.case_file(actor=volunteer, case=draft, data=full_data(world))
    assert case.number == case_number(case.pk, timezone.localdate())
    assert case.number.startswith(f"{fiscal_year(timezone.localdate())}-")
    sent = AuditEvent.objects.filter(target_id=str(case.pk), details__to=case.status).get()
    assert sent.details["number_was"] == f"2569-{draft.pk:06d}"  # the draft's number is kept
    sent_back = case_move(case=case, to=S.RETURNED, actor=subdistrict_reviewer(), reason="แก้")
    assert sent_back and Case.objects.get(pk=case.pk).number == case.number  # numbered once
