"""Referrals, followed to the end: the agency directory and sending a case's need to an agency.

The directory lists agencies per area (a province, a district or a subdistrict): the province's
พมจ., shelters, local governments, health centres, police, schools, the 1300 centre. Whoever holds
MANAGE_AGENCIES at an agency's area keeps its entry; everybody in scope reads the entries of their
own areas and of the areas above them.

A referral hands one service need of an accepted case to one agency on the case's area path (an
agency of the case's subdistrict, its district or its province). It is due an answer within the
province's `referral_answer_days` (CaseTimeLimits; 7 days without a row). From then on only
`workflow.referral_move` changes its status: received, in progress, done, or declined with a
reason. A referral past its answer date with no answer shows on the officer's action list.
"""

from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.areas.models import LEVEL_BY_LENGTH, Area, within
from carenet.cases.models import (
    Agency,
    Case,
    CaseStatus,
    Referral,
    ReferralEvent,
    ReferralStatus,
)
from carenet.cases.services import limits_for
from carenet.cases.workflow import Move, WorkflowError, consent_refusal, may_act
from carenet.core.services import audit_record

# An agency serves a province, a district or a subdistrict.
AGENCY_CODE_LENGTHS = (2, 4, 6)
AGENCY_FIELDS = ("area", "kind", "name", "address", "phone", "email", "contact_person",
                 "head_title", "active")  # fmt: skip
# Referrals still waiting for the agency's answer.
OPEN_STATUSES = (ReferralStatus.SENT, ReferralStatus.RECEIVED, ReferralStatus.IN_PROGRESS)
UNANSWERED_STATUSES = (ReferralStatus.SENT,)
# Taken by the agency (received, in progress): its result is asked for after this many days
# with no news, so that a referral the agency said it received is not forgotten either.
TAKEN_STATUSES = (ReferralStatus.RECEIVED, ReferralStatus.IN_PROGRESS)
RESULT_DAYS = 30


def referral_answer_days(area_code: str) -> int:
    """How many days an agency has to answer a referral in the area's province."""
    return int(limits_for(area_code).referral_answer_days)


def area_path(area_code: str) -> list[str]:
    """The codes an agency serving this area may carry: its province, district, subdistrict."""
    return [area_code[:n] for n in AGENCY_CODE_LENGTHS if n <= len(area_code)]


def serves(agency: Agency, area_code: str) -> bool:
    """Whether the agency serves the area: one on its path, or a national one."""
    return agency.area_id is None or agency.area_id in area_path(area_code)


def agencies_for_case(case: Case) -> QuerySet[Agency]:
    """The active agencies a case can be referred to: on its area path, nearest first, then
    the national ones."""
    return (
        Agency.objects.filter(
            Q(area_id__in=area_path(case.area_id)) | Q(area__isnull=True), active=True
        )
        .select_related("area")
        .order_by(F("area_id").desc(nulls_last=True), "kind", "name")
    )


def agencies_visible(user: Any) -> QuerySet[Agency]:
    """The directory the user reads: agencies within their scope and in the areas above it."""
    codes = access.scope_codes(user, Perm.VIEW_CASES)
    if not codes:
        return Agency.objects.none()
    if access.NATIONAL in codes:
        return Agency.objects.all()
    q = Q(pk__in=[])
    above: set[str] = set()
    for code in codes:
        q |= within(code, "area")
        above.update(code[:n] for n in AGENCY_CODE_LENGTHS if n < len(code))
    return Agency.objects.filter(q | Q(area_id__in=above) | Q(area__isnull=True))


def agency_filter_areas(*, user: Any, wanted: str = "") -> list[Area]:
    """The areas the directory can be narrowed to, in one query: those of the user's scope
    down to subdistricts and the areas above them (whose agencies they read too). A national
    scope gets the provinces, and the province, district or subdistrict a link names (the
    directory opens on an agency's own area after it is saved)."""
    codes = access.scope_codes(user, Perm.VIEW_CASES)
    if not codes:
        return []
    levels = Q(level__in=[LEVEL_BY_LENGTH[n] for n in AGENCY_CODE_LENGTHS])
    if access.NATIONAL in codes:
        q = Q(level=LEVEL_BY_LENGTH[2])
        if wanted.isdecimal() and wanted.isascii() and len(wanted) in AGENCY_CODE_LENGTHS:
            q |= Q(code=wanted)
    else:
        q = Q(pk__in=[])
        above: set[str] = set()
        for code in codes:
            q |= within(code)
            above.update(code[:n] for n in AGENCY_CODE_LENGTHS if n < len(code))
        q |= Q(code__in=above)
    return list(Area.objects.filter(q & levels).order_by("code"))


def may_manage_agency(user: Any, area_code: str | None) -> bool:
    """Whether the user keeps the agencies of that area (None: the national ones)."""
    return access.can(user, Perm.MANAGE_AGENCIES, area_code or access.NATIONAL)


def _check_agency(user: Any, agency: Agency) -> None:
    errors: dict[str, list[str]] = {}
    if agency.area_id is None:
        if not may_manage_agency(user, None):
            errors["area"] = [
                _(
                    "Choose the area the agency serves. Only a national admin keeps "
                    "national agencies."
                )
            ]
    elif len(agency.area_id) not in AGENCY_CODE_LENGTHS:
        errors["area"] = [_("Choose a province, a district or a subdistrict.")]
    elif not may_manage_agency(user, agency.area_id):
        errors["area"] = [_("You may keep the agencies of your own area only.")]
    if not agency.name.strip():
        errors["name"] = [_("Enter the agency's name.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def agency_create(*, actor: Any, **fields: Any) -> Agency:
    """Adds an agency to the directory of an area the actor manages."""
    unknown = set(fields) - {*AGENCY_FIELDS, "area_id"}
    if unknown:
        raise TypeError(f"unknown agency fields: {sorted(unknown)}")
    agency = Agency(**fields)
    agency.name = agency.name.strip()
    _check_agency(actor, agency)
    agency.save()
    audit_record(actor=actor, action="agency.create", target=agency, area_code=agency.area_id or "")
    return agency


@transaction.atomic
def agency_update(*, actor: Any, agency: Agency, **fields: Any) -> Agency:
    """Changes an agency's entry; the actor manages both its old and its new area."""
    if not may_manage_agency(actor, agency.area_id):
        raise PermissionDenied
    unknown = set(fields) - {*AGENCY_FIELDS, "area_id"}
    if unknown:
        raise TypeError(f"unknown agency fields: {sorted(unknown)}")
    old_area = agency.area_id
    for name, value in fields.items():
        setattr(agency, name, value)
    agency.name = agency.name.strip()
    _check_agency(actor, agency)
    agency.save()
    audit_record(
        actor=actor,
        action="agency.update",
        target=agency,
        area_code=agency.area_id or "",
        details={
            "fields": sorted(fields),
            **({"from_area": old_area} if old_area != agency.area_id else {}),
        },
    )
    return agency


def may_refer(user: Any, case: Case) -> bool:
    return (
        case.status == CaseStatus.ACCEPTED
        and may_act(user, Move("", Perm.MANAGE_CASES), case.area_id)
        and not consent_refusal(case)
    )


@transaction.atomic
def referral_send(
    *,
    case: Case,
    agency: Agency,
    need: str,
    actor: Any,
    letter_no: str = "",
    at: datetime | None = None,
) -> Referral:
    """Refers one need of an accepted case to one agency on the case's area path."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status != CaseStatus.ACCEPTED:
        raise WorkflowError(_("Only a case that is being worked on can be referred."))
    if not may_act(actor, Move("", Perm.MANAGE_CASES), case.area_id):
        raise WorkflowError(_("You cannot refer this case."))
    if refusal := consent_refusal(case):
        raise WorkflowError(refusal)
    if not agency.active or not serves(agency, case.area_id):
        raise WorkflowError(_("Choose an agency that serves the person's area."))
    need = need.strip()
    if not need:
        raise WorkflowError(_("Say what service the agency is asked for."))
    now = at or timezone.now()
    today = timezone.localdate(now)
    referral = Referral.objects.create(
        case=case,
        area_id=case.area_id,
        agency=agency,
        need=need,
        letter_no=letter_no.strip(),
        status=ReferralStatus.SENT,
        sent_at=now,
        answer_due=today + timedelta(days=referral_answer_days(case.area_id)),
        status_changed_at=now,
        sent_by=actor,
    )
    ReferralEvent.objects.create(
        referral=referral, from_status="", to_status=ReferralStatus.SENT, by=actor, at=now
    )
    audit_record(
        actor=actor,
        action="referral.send",
        target=referral,
        area_code=case.area_id,
        details={
            "case": case.pk,
            "agency": agency.pk,
            "answer_due": referral.answer_due.isoformat(),
        },
    )
    return referral


def is_overdue(referral: Referral, today: date | None = None) -> bool:
    """No answer (still "sent") after its answer date, or no result RESULT_DAYS after the
    agency took it (selectors.referral_overdue_q, as a query)."""
    return days_late(referral, today or timezone.localdate()) > 0


def days_late(referral: Referral, today: date) -> int:
    """How many days past its answer date, or past RESULT_DAYS with no news since the agency
    took it; 0 or less when it is not late."""
    if referral.status in UNANSWERED_STATUSES:
        return (today - referral.answer_due).days
    if referral.status in TAKEN_STATUSES and referral.status_changed_at is not None:
        taken = timezone.localdate(referral.status_changed_at)
        return (today - taken).days - RESULT_DAYS
    return 0


def referral_letter_log(*, actor: Any, referral: Referral) -> None:
    """A printed letter carries the person's details to an agency: each print is logged."""
    audit_record(
        actor=actor,
        action="referral.letter",
        target=referral.case,
        area_code=referral.area_id,
        details={"referral": referral.pk, "agency": referral.agency_id},
    )


def objections(person: Any) -> list[Any]:
    """The person's PDPA objections not refused or withdrawn (open, or granted in whole or in
    part): a referral hands their details on, so whoever refers reads them first. Read through
    the person's reverse relation: the privacy app sits above cases and may not be imported."""
    return list(
        person.subject_requests.filter(kind="objection")
        .exclude(outcome__in=("refused", "withdrawn"))
        .order_by("-received_on", "-pk")
    )
