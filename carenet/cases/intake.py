"""Intake: a request for help (คำร้อง) saved as a draft, finished later, then filed.

A request is one Case row from the first save on: a draft (status DRAFT) that only its filer
and the reviewers of its area may change, and that may lack anything the review needs. It
gets its readable number (BE fiscal year and its key, "2569-000123") in the transaction that
creates it. Filing checks what the review chain needs (a problem at least, a category, the
affected person in the household, the consent signature, who asks on the person's behalf),
saves, and moves the case with workflow.case_move to the first review step the filer cannot
do themselves. A request sent back (RETURNED) is edited the same way and filed again to the
step that returned it.

Urgency comes from the category; a case is sensitive when its category is, or when any
problem chosen lies in a sensitive problem area (violence, trafficking), so that such a case
is restricted from its first save (cases.access).

Photos are shrunk like visit photos (visits.photos) and PDF documents are kept as sent; both
are checked before the transaction opens so that a bad file gets a reason beside its field.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.cases import workflow
from carenet.cases.access import cases_visible, details_flag, restricted_q
from carenet.cases.models import (
    Case,
    CaseCategory,
    CaseDocument,
    CaseSource,
    CaseStatus,
    RequesterKind,
    RequesterType,
    Urgency,
    case_number,
)
from carenet.core.models import AuditEvent
from carenet.core.services import ConflictError, audit_record, save_versioned
from carenet.households.cleaning import clean_gps, clean_phone
from carenet.households.models import Household, HouseholdStatus, Person, PersonStatus
from carenet.households.selectors import households_visible, person_history
from carenet.households.services import person_is_restricted
from carenet.visits import photos
from carenet.visits.models import Concern, ProblemItem, Visit
from carenet.volunteers.selectors import volunteer_of

FILE_PERM = Perm.FILE_CASES
EDITABLE = (CaseStatus.DRAFT, CaseStatus.RETURNED)
# Filed and not finished: someone is still working on it (a draft is not filed yet).
OPEN = (
    CaseStatus.RETURNED,
    CaseStatus.SUBDISTRICT_REVIEW,
    CaseStatus.DISTRICT_REVIEW,
    CaseStatus.PROVINCE_REVIEW,
    CaseStatus.ACCEPTED,
)
OPEN_SHOWN = 10  # on the household page and above the form; the timeline has them all
MAX_AMOUNT = Decimal("1000000")
MAX_WELFARE_COUNT = 99
MAX_TEXT = 2000
MAX_ADDRESS = 500
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
MAX_FILES_AT_ONCE = 10
MAX_DOCUMENTS = 20  # on one request
# Cases that do not start at a home visit: the person is rarely there to sign (see
# consent_required).
REMOTE_SOURCES = frozenset(
    {CaseSource.HOTLINE, CaseSource.WALK_IN, CaseSource.AGENCY, CaseSource.OTHER}
)
# Saved fields of the case row an update may change (files are saved by their field).
REQUEST_FIELDS = [
    "person",
    "category",
    "source",
    "requester_kind",
    "requester_name",
    "requester_relation",
    "requester_phone",
    "requester_types",
    "registered_address",
    "help_wanted",
    "amount_requested",
    "welfare_count",
    "welfare_baht",
    "welfare_types",
    "latitude",
    "longitude",
    "urgent",
    "sensitive",
    "consent_signature",
    "consent_signed_at",
    "consent_witness",
]


@dataclass(frozen=True)
class PreparedDocument:
    """A checked attachment: a shrunk JPEG photo, or a PDF kept as it was sent."""

    content: bytes
    is_photo: bool
    title: str

    @property
    def extension(self) -> str:
        return "jpg" if self.is_photo else "pdf"


@dataclass
class RequestData:
    """What the intake form gives the services; anything may be missing in a draft."""

    person_id: int | None = None
    category_code: str | None = None
    source: str = CaseSource.VOLUNTEER
    requester_kind: str = RequesterKind.SELF
    requester_name: str = ""
    requester_relation: str = ""
    requester_phone: str = ""
    requester_types: Sequence[str] = ()
    registered_address: str = ""
    problem_codes: Sequence[str] = ()
    help_wanted: str = ""
    amount_requested: Decimal | None = None
    welfare_count: int | None = None
    welfare_baht: Decimal | None = None
    welfare_types: str = ""
    signature: ContentFile | None = None  # a newly drawn signature (PNG); None keeps the old
    consent_witness: str = ""  # who heard the consent of a person who cannot sign
    documents: Sequence[PreparedDocument] = ()
    remove_document_ids: Sequence[int] = ()
    latitude: Any = None
    longitude: Any = None
    visit_id: int | None = None
    concern_id: int | None = None
    client_uuid: UUID | None = None  # the form's id: the same form sent twice is one case


# --- Attachments -------------------------------------------------------------------------


def document_prepare(upload: Any) -> PreparedDocument:
    """A photo (shrunk, EXIF-free JPEG) or a PDF (at most 10 MB); ValidationError with the
    reason otherwise. The content decides, not the file's name."""
    name = str(getattr(upload, "name", "") or _("the file"))
    title = name.rsplit("/", 1)[-1][:200]
    if hasattr(upload, "seek"):
        upload.seek(0)
    head = upload.read(5)
    if head == b"%PDF-":
        size = getattr(upload, "size", None) or 0
        if size > MAX_DOCUMENT_BYTES:
            raise ValidationError(
                _("“%(name)s” is %(size)s MB; a PDF document may be at most %(limit)s MB.")
                % {
                    "name": name,
                    "size": photos.megabytes(size),
                    "limit": photos.megabytes(MAX_DOCUMENT_BYTES),
                },
                code="document_too_large",
            )
        upload.seek(0)
        return PreparedDocument(upload.read(), is_photo=False, title=title)
    try:
        prepared = photos.photo_prepare(upload, name=name)
    except ValidationError as error:
        if error.code != "photo_not_image":
            raise
        raise ValidationError(
            _(
                "“%(name)s” cannot be attached: attach a photo (JPEG, PNG or WebP) or a PDF "
                "document."
            )
            % {"name": name},
            code="document_type",
        ) from None
    return PreparedDocument(prepared.content, is_photo=True, title=title)


# --- Reading the rules -------------------------------------------------------------------


def is_officer(user: Any, area_code: str) -> bool:
    """A coordinator or officer of the area: enters hotline, walk-in and agency cases."""
    return access.can(user, Perm.REVIEW_CASES, area_code)


def can_file_for(user: Any, household: Household) -> bool:
    return households_visible(user, FILE_PERM).filter(pk=household.pk).exists()


def can_edit(user: Any, case: Case) -> bool:
    """Its filer, or a reviewer of its area, while it is a draft or sent back."""
    if case.status not in EDITABLE or not getattr(user, "is_authenticated", False):
        return False
    if case.filed_by_id == user.pk:
        return True
    return workflow.may_act(user, workflow.Move("", Perm.REVIEW_CASES), case.area_id)


def consent_required(user: Any, case: Case, *, sensitive: bool) -> bool:
    """Whether filing needs the affected person's signature now.

    A request raised by a volunteer starts at the person's home, where they sign the consent
    on the phone. A case an officer enters from the 1300 hotline, a walk-in at the office or
    another agency's referral usually comes without the person: their data is recorded for
    their vital interest or the ministry's public task (PDPA sections 24 and 26), and the
    signature is taken at the first home visit, added to the request later. So only an
    officer of the area, with a source other than a volunteer, may file without it.

    A sensitive request (violence, abuse, trafficking) needs no signature from anyone: it is
    made to protect the person's life and body, and under the child protection and domestic
    violence acts (PDPA section 24 (2) and (6)), and the one asked to sign may be a child, or
    a parent who is the abuser.
    """
    if sensitive:
        return False
    return not (case.source in REMOTE_SOURCES and is_officer(user, case.area_id))


def _is_sensitive(category: CaseCategory | None, problems: Iterable[ProblemItem]) -> bool:
    """A request is sensitive when its category is, or a problem found lies in a sensitive
    problem area (violence, trafficking)."""
    return bool(category and category.sensitive) or any(p.area.sensitive for p in problems)


def _sensitive_request(data: RequestData) -> bool:
    """Whether a request as written is sensitive, before it is saved."""
    category = CaseCategory.objects.filter(code=data.category_code).first()
    problems = ProblemItem.objects.filter(code__in=list(data.problem_codes)).select_related("area")
    return _is_sensitive(category if data.category_code else None, problems)


def category_guess(problem_codes: Iterable[str]) -> str | None:
    """A category that fits the problems a visit found (the most serious first)."""
    codes = set(problem_codes)
    rules: list[tuple[str, set[str]]] = [
        ("trafficking", {"forced_labour", "sexual_exploitation", "child_labour", "forced_begging"}),
        ("child_abuse", {"child_abuse"}),
        ("domestic_violence", {"domestic_violence", "sexual_abuse", "elder_abuse"}),
        ("care_needed", {"bedridden_no_carer", "alone_no_carer", "chronic_no_care"}),
        ("child_welfare", {"orphaned", "abandoned"}),
        ("homeless", {"no_home"}),
        ("housing", {"dilapidated", "unsafe_home", "no_land_right"}),
        ("disability", {"no_disability_card"}),
        ("education", {"out_of_school", "dropout_risk", "no_school_costs", "illiterate"}),
        ("poverty", {"low_income", "unemployed", "informal_debt", "family_debt", "no_farmland"}),
    ]
    active = set(CaseCategory.objects.filter(active=True).values_list("code", flat=True))
    for code, items in rules:
        if codes & items and code in active:
            return code
    return "other" if codes and "other" in active else None


@dataclass(frozen=True)
class OpenRequests:
    cases: list[Any]  # Case rows the user may read in full (see _open_requests)
    more: bool  # there are more than these: the timeline lists them all


def open_requests(user: Any, household: Household) -> OpenRequests:
    """The household's open requests the user may see, newest first, in one query."""
    return _open_requests(user, household=household)


def person_open_requests(user: Any, person: Any) -> OpenRequests:
    """The person's own open requests the user may see, newest first (one query): what
    recording their death or their moving away leaves for a reviewer to end."""
    return _open_requests(user, person=person)


def _open_requests(user: Any, **which: Any) -> OpenRequests:
    # A restricted case the user may not read is left out: in the case list it is one row
    # among many, but on a person's or household's page it would tell whom it is about.
    found = list(
        cases_visible(user)
        .filter(status__in=OPEN, **which)
        .exclude(restricted_q(user))
        .select_related("category", "person")
        .order_by("-submitted_at", "-pk")[: OPEN_SHOWN + 1]
    )
    return OpenRequests(cases=found[:OPEN_SHOWN], more=len(found) > OPEN_SHOWN)


@dataclass(frozen=True)
class PersonGone:
    """The person of an open case who died or moved away, and since when (when recorded)."""

    status: str  # PersonStatus.DECEASED or MOVED
    on: date | None


def person_gone(case: Case) -> PersonGone | None:
    """Whether the person of an open case has died or moved away since it was filed: the
    reviewer should know before sending it on (recording it does not end the case)."""
    person = case.person
    if case.status not in OPEN or person.status not in (PersonStatus.DECEASED, PersonStatus.MOVED):
        return None
    label = person.get_status_display()
    recorded = next((c for c in person_history(person=person) if c.status == label), None)
    on = (recorded.on or timezone.localtime(recorded.when).date()) if recorded else None
    return PersonGone(status=person.status, on=on)


def same_open_request(
    user: Any, *, person_id: int, category_code: str, exclude_pk: int | None = None
) -> Case | None:
    """An open request for the same person and kind of problem that the user may read (a
    restricted one is not told: its category is what it hides)."""
    found = (
        cases_visible(user)
        .filter(person_id=person_id, category_id=category_code, status__in=OPEN)
        .filter(details_flag(user))
        .select_related("category", "person")
    )
    if exclude_pk is not None:
        found = found.exclude(pk=exclude_pk)
    return found.order_by("-submitted_at", "-pk").first()


class OpenRequestExists(Exception):
    """Filing would repeat a request still open for the same person and kind of problem: the
    filer confirms that it is a new one (case_file's `despite_open`)."""

    def __init__(self, case: Case) -> None:
        super().__init__(case.number)
        self.case = case


# --- Writing -----------------------------------------------------------------------------


class _Cleaned:
    """The request's values checked against the database: what every save needs."""

    def __init__(self, *, actor: Any, household: Household, data: RequestData) -> None:
        self.errors: dict[str, list[ValidationError]] = {}
        self.person = self._person(household, data.person_id)
        self.category = self._category(data.category_code)
        self.problems = list(
            ProblemItem.objects.filter(code__in=list(data.problem_codes)).select_related("area")
        )
        if len(self.problems) != len(set(data.problem_codes)):
            self._add("problems", _("Choose the problems from the list."))
        self.source = data.source if is_officer(actor, household.area_id) else CaseSource.VOLUNTEER
        if self.source not in CaseSource.values:
            self._add("source", _("Choose where the case came from."))
        kinds = set(data.requester_types) - set(RequesterType.values)
        if kinds or data.requester_kind not in RequesterKind.values:
            self._add("requester_types", _("Choose from the list."))
        try:
            self.phone = clean_phone(data.requester_phone or "")
        except ValidationError as error:
            self.phone = ""
            self._add("requester_phone", error.messages[0])
        for name, value in (("amount_requested", data.amount_requested),
                            ("welfare_baht", data.welfare_baht)):  # fmt: skip
            if value is not None and not (0 <= value <= MAX_AMOUNT):
                self._add(name, _("Write an amount from 0 to 1,000,000 baht."))
        if data.welfare_count is not None and not 0 <= data.welfare_count <= MAX_WELFARE_COUNT:
            self._add("welfare_count", _("Write a number from 0 to 99."))
        try:
            self.gps = clean_gps(data.latitude, data.longitude)
        except ValidationError:
            self.gps = (None, None)
            self._add("latitude", _("The position from the phone could not be read; try again."))
        self.visit = self._linked(Visit, data.visit_id, household, "visit")
        self.concern = self._linked(Concern, data.concern_id, household, "concern")

    def _add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(ValidationError(message))

    def _person(self, household: Household, pk: int | None) -> Person | None:
        if pk is None:
            self._add("person", _("Choose the person who needs help."))
            return None
        person = Person.objects.filter(pk=pk, household=household).first()
        if person is None:
            self._add("person", _("Choose a member of this household."))
        elif person_is_restricted(person):
            self._add(
                "person",
                _(
                    "%(names)s withdrew their consent: nothing new may be recorded about them "
                    "until they give it again."
                )
                % {"names": person.full_name},
            )
        return person

    def _category(self, code: str | None) -> CaseCategory | None:
        found = CaseCategory.objects.filter(code=code or "", active=True).first()
        if found is None:
            self._add("category", _("Choose the kind of problem."))
        return found

    def _linked(self, model: Any, pk: int | None, household: Household, name: str) -> Any:
        if pk is None:
            return None
        found = model.objects.filter(pk=pk, household=household).first()
        if found is None:
            self._add(name, _("This does not belong to the household."))
        return found

    def raise_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def _require_filer(actor: Any, household: Household) -> None:
    if not can_file_for(actor, household):
        raise PermissionDenied


def _require_editor(actor: Any, case: Case) -> None:
    if not can_edit(actor, case):
        raise PermissionDenied


def _same_form(actor: Any, data: RequestData) -> Case | None:
    """The case this very form created already (by its client_uuid), if the user filed it."""
    if data.client_uuid is None:
        return None
    found = Case.objects.filter(client_uuid=data.client_uuid).first()
    if found is not None and found.filed_by_id != actor.pk:
        raise PermissionDenied  # somebody else's form id: not a resend
    return found


def filed_form(actor: Any, form_id: Any) -> Case | None:
    """The request the user filed from this form (its client_uuid), once sent: the same form
    sent again (the phone's Back button brought it back) opens it instead."""
    try:
        found = UUID(str(form_id))
    except ValueError:
        return None
    return (
        Case.objects.filter(client_uuid=found, filed_by=actor.pk)
        .exclude(status__in=EDITABLE)
        .first()
    )


def _editable(case: Case) -> bool:
    return case.status in (CaseStatus.DRAFT, CaseStatus.RETURNED)


def _twin(
    actor: Any, household: Household, cleaned: _Cleaned, data: RequestData, now: Any
) -> Case | None:
    """A draft the user saved within TWIN_WINDOW that says all this request says."""
    if data.signature is not None or data.documents:
        return None  # something new came with it
    asked = Case()
    _apply(asked, cleaned, data, now)
    compared = [f for f in REQUEST_FIELDS if not f.startswith("consent_")]
    problems = {p.pk for p in cleaned.problems}
    for draft in Case.objects.filter(
        household=household,
        filed_by=actor,
        status=CaseStatus.DRAFT,
        created_at__gte=now - TWIN_WINDOW,
    ).prefetch_related("problems"):
        same = all(getattr(draft, f) == getattr(asked, f) for f in compared)
        if same and {p.pk for p in draft.problems.all()} == problems:
            return draft
    return None


def _apply(case: Case, cleaned: _Cleaned, data: RequestData, now: Any) -> None:
    assert cleaned.person is not None and cleaned.category is not None
    case.person = cleaned.person
    case.category = cleaned.category
    case.source = cleaned.source
    case.requester_kind = data.requester_kind
    on_behalf = data.requester_kind == RequesterKind.ON_BEHALF
    case.requester_name = data.requester_name.strip()[:200] if on_behalf else ""
    case.requester_relation = data.requester_relation.strip()[:100] if on_behalf else ""
    case.requester_phone = cleaned.phone
    case.requester_types = [t for t in RequesterType.values if t in set(data.requester_types)]
    case.registered_address = data.registered_address.strip()[:MAX_ADDRESS]
    case.help_wanted = data.help_wanted.strip()[:MAX_TEXT]
    case.amount_requested = data.amount_requested
    case.welfare_count = data.welfare_count
    case.welfare_baht = data.welfare_baht
    case.welfare_types = data.welfare_types.strip()[:300]
    case.latitude, case.longitude = cleaned.gps
    case.urgent = cleaned.category.urgency == Urgency.URGENT
    case.sensitive = _is_sensitive(cleaned.category, cleaned.problems)
    if data.signature is not None:
        case.consent_signature.save(f"consent-{uuid4().hex}.png", data.signature, save=False)
        case.consent_signed_at = now
    witness = " ".join(data.consent_witness.split())[:200]
    if witness != case.consent_witness:
        case.consent_witness = witness
        case.consent_signed_at = now if witness else case.consent_signed_at


def _attach(case: Case, actor: Any, data: RequestData) -> dict[str, int]:
    removed = 0
    if data.remove_document_ids:
        removed, _kinds = case.documents.filter(pk__in=list(data.remove_document_ids)).delete()
    kept = case.documents.count()
    if kept + len(data.documents) > MAX_DOCUMENTS:
        raise ValidationError(
            {
                "documents": _("At most %(max)s photos and documents on one request.")
                % {"max": MAX_DOCUMENTS}
            }
        )
    for number, document in enumerate(data.documents, start=kept + 1):
        stored = CaseDocument(
            case=case, is_photo=document.is_photo, title=document.title, uploaded_by=actor
        )
        stored.file.save(
            f"case-{case.pk}-{number}-{uuid4().hex[:8]}.{document.extension}",
            ContentFile(document.content),
            save=False,
        )
        stored.save()
    return {"added": len(data.documents), "removed": removed}


# A draft like one the same user saved this recently is the same request sent again.
TWIN_WINDOW = timedelta(minutes=10)


@transaction.atomic
def case_create(*, actor: Any, household: Household, data: RequestData) -> Case:
    """A new request, saved as a draft: needs only the person and the kind of problem. The
    same request sent again within TWIN_WINDOW is the draft saved the first time."""
    _require_filer(actor, household)
    sent = _same_form(actor, data)
    if sent is not None:  # this form arrived before: a lost reply sent again, a reload
        return case_update(actor=actor, case=sent, data=data) if _editable(sent) else sent
    if household.status != HouseholdStatus.ACTIVE:
        raise ValidationError(_("This household has moved away or is closed: reopen it first."))
    cleaned = _Cleaned(actor=actor, household=household, data=data)
    cleaned.raise_any()
    now = timezone.now()
    Household.objects.select_for_update().filter(pk=household.pk).first()  # one at a time
    if _same_form(actor, data) is not None:  # stored while this waited for the lock
        return case_create(actor=actor, household=household, data=data)
    twin = _twin(actor, household, cleaned, data, now)
    if twin is not None:  # the same request sent twice: a double tap, or the back button
        return twin
    case = Case(
        client_uuid=data.client_uuid,
        household=household,
        area_id=household.area_id,
        number=f"new-{uuid4().hex[:16]}",  # replaced below, once the key is known
        filed_by=actor,
        volunteer=volunteer_of(actor),
        visit=cleaned.visit,
        concern=cleaned.concern,
        status=CaseStatus.DRAFT,
    )
    _apply(case, cleaned, data, now)
    case.save()
    case.number = case_number(case.pk, timezone.localdate())
    case.save(update_fields=["number"])
    case.problems.set(cleaned.problems)
    case.assigned.add(actor)
    files = _attach(case, actor, data)
    audit_record(
        actor=actor,
        action="case.create",
        target=case,
        area_code=case.area_id,
        details={"number": case.number, "documents": files["added"]},
    )
    return case


@transaction.atomic
def case_update(
    *, actor: Any, case: Case, data: RequestData, expected_version: int | None = None
) -> Case:
    """Saves changes to a draft or a request sent back; its status stays as it is.

    A stale edit (someone saved in between) raises ConflictError and changes nothing.
    """
    case = Case.objects.select_for_update().select_related("household").get(pk=case.pk)
    _require_editor(actor, case)
    cleaned = _Cleaned(actor=actor, household=case.household, data=data)
    cleaned.raise_any()
    _refuse_if_stale(case, cleaned, data, expected_version)
    _apply(case, cleaned, data, timezone.now())
    save_versioned(case, case.version, REQUEST_FIELDS)
    case.problems.set(cleaned.problems)
    case.assigned.add(actor)
    files = _attach(case, actor, data)
    audit_record(
        actor=actor,
        action="case.update",
        target=case,
        area_code=case.area_id,
        details={"documents_added": files["added"], "documents_removed": files["removed"]},
    )
    return case


def _filing_errors(actor: Any, case: Case, data: RequestData) -> dict[str, list[str]]:
    """What the review chain needs that the request lacks, by form field."""
    errors: dict[str, list[str]] = {}
    if not data.problem_codes:
        errors["problems"] = [_("Tick at least one problem found.")]
    if data.person_id is None:
        errors["person"] = [_("Choose the person who needs help.")]
    elif not case.household.members.filter(pk=data.person_id).exists():
        errors["person"] = [_("Choose a member of this household.")]
    if not data.category_code:
        errors["category"] = [_("Choose the kind of problem.")]
    if data.requester_kind == RequesterKind.ON_BEHALF:
        if not data.requester_name.strip():
            errors["requester_name"] = [_("Write the name of the person asking for help.")]
        if not data.requester_relation.strip():
            errors["requester_relation"] = [_("Write how they are related to the person.")]
    consented = data.signature is not None or case.consent_signature or data.consent_witness
    if not consented and consent_required(actor, case, sensitive=_sensitive_request(data)):
        errors["signature"] = [
            _(
                "The person who needs help must sign the consent before the request is sent. "
                "If they cannot sign, write who heard them consent."
            )
        ]
    return errors


def saved_request_errors(actor: Any, case: Case) -> list[str]:
    """What a saved draft still lacks before it can go up the chain (for the case page's
    "submit" button, which sends what is stored rather than a form)."""
    data = RequestData(
        person_id=case.person_id,
        category_code=case.category_id,
        requester_kind=case.requester_kind,
        requester_name=case.requester_name,
        requester_relation=case.requester_relation,
        problem_codes=list(case.problems.values_list("code", flat=True)),
        consent_witness=case.consent_witness,
    )
    errors = _filing_errors(actor, case, data)
    missing = [message for messages in errors.values() for message in messages]
    if case.status == CaseStatus.RETURNED and (parts := _unfixed_parts(case)):
        missing.append(_nothing_fixed(parts))  # sent from the case page, as it is stored
    return missing


# The stored fields of each part of a request a reviewer comments on (workflow.COMMENTABLE_FIELDS);
# the signature, the documents and the problems are compared on their own.
_PART_FIELDS = {
    "person": ("person",),
    "requester": ("requester_kind", "requester_name", "requester_relation", "requester_phone"),
    "registered_address": ("registered_address",),
    "requester_types": ("requester_types",),
    "category": ("category",),
    "help_wanted": ("help_wanted",),
    "amount_requested": ("amount_requested",),
    "welfare": ("welfare_count", "welfare_baht", "welfare_types"),
    "location": ("latitude", "longitude"),
}


def _differing_parts(case: Case, cleaned: _Cleaned, data: RequestData) -> set[str]:
    """The parts of the stored request (workflow.COMMENTABLE_FIELDS) that `data` would change."""
    asked = Case()
    _apply(asked, cleaned, replace(data, signature=None), timezone.now())
    changed = {
        part
        for part, names in _PART_FIELDS.items()
        if any(getattr(asked, n) != getattr(case, n) for n in names)
    }
    if data.signature is not None or asked.consent_witness != case.consent_witness:
        changed.add("consent")
    if data.documents or data.remove_document_ids:
        changed.add("documents")
    if {p.pk for p in cleaned.problems} != set(case.problems.values_list("pk", flat=True)):
        changed.add("problems")
    return changed


def _refuse_if_stale(
    case: Case, cleaned: _Cleaned | None, data: RequestData, expected_version: int | None
) -> None:
    """ConflictError when the form was opened before the request's last save."""
    if expected_version is None or expected_version == case.version:
        return
    if cleaned is None or cleaned.errors:
        raise ConflictError(
            _(
                "This request was saved after you opened it (in another tab, or by someone "
                "else). Open it again, and make your changes there."
            )
        )
    raise ConflictError(_stale(case, cleaned, data))


def _stale(case: Case, cleaned: _Cleaned, data: RequestData) -> str:
    """Why a save made from a page opened before the last save is refused, and where the
    saved request and the form differ, so that saving the form again is a choice."""
    parts = _differing_parts(case, cleaned, data)
    if not parts:
        return _(
            "This request was saved after you opened it (in another tab, or by someone else), "
            "with what your form says. Save again."
        )
    labels = ", ".join(str(workflow.COMMENTABLE_FIELDS.get(p, p)) for p in sorted(parts))
    return _(
        "This request was saved after you opened it (in another tab, or by someone else), and "
        "the saved request differs from your form in: %(parts)s. Your form is shown as you "
        "typed it: open the request in a new tab to compare, then save again only to keep "
        "yours."
    ) % {"parts": labels}


def _require_a_fix(actor: Any, case: Case, data: RequestData) -> None:
    """A request sent back with comments goes up again only with at least one commented part
    changed: one tap on "send again" with nothing fixed would only bring it back."""
    parts = _unfixed_parts(case)
    if not parts:
        return
    cleaned = _Cleaned(actor=actor, household=case.household, data=data)
    if cleaned.errors:
        return  # said beside the fields by the save that follows
    if not parts & _differing_parts(case, cleaned, data):
        raise ValidationError(_nothing_fixed(parts))


def _unfixed_parts(case: Case) -> set[str]:
    """The parts a reviewer commented on when sending the request back, unless it was saved
    with changes since (then the parts were fixed, or the filer says why not in them)."""
    comments = list(case.field_comments.filter(resolved=False).select_related("event"))
    if not comments:
        return set()
    returned_at = max(comment.event.at for comment in comments)
    saved_since = AuditEvent.objects.filter(
        action="case.update",
        target_type=Case._meta.label_lower,
        target_id=str(case.pk),
        created_at__gt=returned_at,
    )
    return set() if saved_since.exists() else {comment.field for comment in comments}


def _nothing_fixed(parts: set[str]) -> str:
    labels = ", ".join(str(workflow.COMMENTABLE_FIELDS.get(p, p)) for p in sorted(parts))
    return _(
        "Nothing the reviewer asked about has changed yet (%(parts)s). Fix it as asked "
        "under “What to fix”, then send the request again."
    ) % {"parts": labels}


def _refuse_a_repeat(actor: Any, probe: Case, data: RequestData) -> None:
    assert data.person_id is not None and data.category_code  # _filing_errors said so
    found = same_open_request(
        actor, person_id=data.person_id, category_code=data.category_code, exclude_pk=probe.pk
    )
    if found is not None:
        raise OpenRequestExists(found)


@transaction.atomic
def case_file(
    *,
    actor: Any,
    data: RequestData,
    household: Household | None = None,
    case: Case | None = None,
    expected_version: int | None = None,
    despite_open: bool = False,
) -> Case:
    """Saves the request and sends it up the review chain (or back to the step that returned
    it). Refuses with every missing piece at once, changing nothing.

    A request like one still open (same person, same kind of problem) raises
    OpenRequestExists unless `despite_open`: sent again after the phone's Back button, or
    by someone who could not tell whether the first one went, it would be worked on twice."""
    if case is None and household is not None:
        sent = _same_form(actor, data)
        if sent is not None and not _editable(sent):
            return sent  # filed already: the reply was lost, and the form came again
        case = sent
    if case is None:
        if household is None:
            raise TypeError("case_file needs a household or a case")
        _require_filer(actor, household)
        probe = Case(household=household, area_id=household.area_id, filed_by=actor)
    else:
        probe = Case.objects.select_related("household").get(pk=case.pk)
        _require_editor(actor, probe)
    probe.source = data.source if is_officer(actor, probe.area_id) else CaseSource.VOLUNTEER
    if case is not None and expected_version not in (None, probe.version):
        # A stale form is said first: the questions below would take its old answers.
        cleaned = _Cleaned(actor=actor, household=probe.household, data=data)
        _refuse_if_stale(probe, cleaned, data, expected_version)
    errors = _filing_errors(actor, probe, data)
    if errors:
        raise ValidationError(errors)
    if not despite_open and probe.status != CaseStatus.RETURNED:
        _refuse_a_repeat(actor, probe, data)
    if probe.pk and probe.status == CaseStatus.RETURNED:
        _require_a_fix(actor, probe, data)
    if case is None:
        assert household is not None
        case = case_create(actor=actor, household=household, data=data)
    else:
        case = case_update(actor=actor, case=case, data=data, expected_version=expected_version)
    if case.status == CaseStatus.RETURNED:
        target = case.returned_from or CaseStatus.SUBDISTRICT_REVIEW
    else:
        target = workflow.next_step(actor, case)
    try:
        workflow.case_move(case=case, to=target, actor=actor)
    except workflow.WorkflowError as error:
        raise ValidationError(str(error)) from None
    case.refresh_from_db()  # case_move's audit row says it was sent, and to which step
    return case
