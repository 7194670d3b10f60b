"""Welfare assistance: what the person already received, the caps, approval, handover.

Assistance types are data (AssistanceType), each with an optional cap per case (all approvals of
that type on one case together) and per fiscal year (all approvals of that type for one person
in one fiscal year, October to September, named by its Buddhist Era year). Cancelled approvals
count for nothing.

Before approving, the officer sees what the person and their household already received this
fiscal year from Carenet's own records (`assistance_summary`) and what is left under each cap
(`cap_check`). An approval past a cap is refused, unless the approver holds OVERRIDE_CAPS at
the case's area and writes why; the reason is stored on the approval and the audit row says
"override". Approvals of one person are serialised by locking the person's row, so two officers
approving at once cannot both fit under a cap that only one fits under.

A payment or handover (`assistance_give`) records its date and its evidence: a photo (checked,
shrunk and stripped as the visit photos are), a PDF of at most 10 MB, or a note such as a
receipt number.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.cases.models import (
    Assistance,
    AssistanceStatus,
    AssistanceType,
    Case,
    CaseStatus,
)
from carenet.cases.workflow import Move, WorkflowError, consent_refusal, may_act
from carenet.core.services import audit_record
from carenet.core.thaidate import fiscal_year as fiscal_year_of
from carenet.households.models import Household, Person
from carenet.visits import photos
from carenet.visits.photos import megabytes

ZERO = Decimal("0")
PDF_MAX_BYTES = 10 * 1024 * 1024
COUNTED = (AssistanceStatus.APPROVED, AssistanceStatus.GIVEN)


def current_fiscal_year(at: datetime | date | None = None) -> int:
    """The BE fiscal year (e.g. 2569) of a moment, today by default."""
    return fiscal_year_of(at or timezone.now())


# --- What was already received --------------------------------------------------------------


@dataclass
class Received:
    count: int = 0
    baht: Decimal = ZERO


@dataclass
class Summary:
    """What one person and their household received in one fiscal year, by assistance type."""

    fiscal_year: int
    person: dict[str, Received] = field(default_factory=dict)  # by type code
    household: dict[str, Received] = field(default_factory=dict)
    types: dict[str, AssistanceType] = field(default_factory=dict)

    @property
    def person_total(self) -> Received:
        return _total(self.person.values())

    @property
    def household_total(self) -> Received:
        return _total(self.household.values())

    @property
    def rows(self) -> list[tuple[AssistanceType, Received, Received]]:
        """(type, person's, household's) for every type either received, in the types' order."""
        codes = set(self.person) | set(self.household)
        ordered = sorted(codes, key=lambda c: (self.types[c].order, c))
        return [
            (self.types[c], self.person.get(c, Received()), self.household.get(c, Received()))
            for c in ordered
        ]


def _total(items: Any) -> Received:
    total = Received()
    for item in items:
        total.count += item.count
        total.baht += item.baht
    return total


def _by_type(**filters: Any) -> dict[str, Received]:
    rows = (
        Assistance.objects.filter(status__in=COUNTED, **filters)
        .values("assistance_type")
        .annotate(n=Count("pk"), baht=Sum("amount"))
        .order_by()
    )
    return {r["assistance_type"]: Received(r["n"], r["baht"] or ZERO) for r in rows}


def assistance_summary(
    person: Person, household: Household | None = None, fiscal_year: int | None = None
) -> Summary:
    """What the person and the household received in the fiscal year (BE), cancelled excluded."""
    year = fiscal_year or current_fiscal_year()
    household_id = household.pk if household is not None else person.household_id
    summary = Summary(
        fiscal_year=year,
        person=_by_type(person=person, fiscal_year=year),
        household=_by_type(household_id=household_id, fiscal_year=year),
    )
    codes = set(summary.person) | set(summary.household)
    summary.types = {t.code: t for t in AssistanceType.objects.filter(code__in=codes)}
    return summary


# --- Caps ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CapCheck:
    """Where an amount stands against the type's caps. None: no such cap."""

    amount: Decimal
    case_cap: Decimal | None
    case_used: Decimal
    year_cap: Decimal | None
    year_used: Decimal

    @property
    def case_remaining(self) -> Decimal | None:
        return None if self.case_cap is None else max(self.case_cap - self.case_used, ZERO)

    @property
    def year_remaining(self) -> Decimal | None:
        return None if self.year_cap is None else max(self.year_cap - self.year_used, ZERO)

    @property
    def case_over_by(self) -> Decimal:
        if self.case_cap is None:
            return ZERO
        return max(self.case_used + self.amount - self.case_cap, ZERO)

    @property
    def year_over_by(self) -> Decimal:
        if self.year_cap is None:
            return ZERO
        return max(self.year_used + self.amount - self.year_cap, ZERO)

    @property
    def over_by(self) -> Decimal:
        return max(self.case_over_by, self.year_over_by)

    @property
    def exceeds(self) -> bool:
        return self.over_by > 0

    @property
    def remaining(self) -> Decimal | None:
        """The most that still fits under every cap (None: no cap)."""
        left = [r for r in (self.case_remaining, self.year_remaining) if r is not None]
        return min(left) if left else None

    def reason(self) -> str:
        """Why the amount does not fit, in the user's language ("" when it fits)."""
        parts = []
        if self.case_over_by > 0:
            parts.append(
                _(
                    "The cap for one case is %(cap)s baht; %(used)s baht is already approved on "
                    "this case, so %(left)s baht is left. This amount is %(over)s baht too much."
                )
                % {
                    "cap": baht(self.case_cap),
                    "used": baht(self.case_used),
                    "left": baht(self.case_remaining),
                    "over": baht(self.case_over_by),
                }
            )
        if self.year_over_by > 0:
            parts.append(
                _(
                    "The cap for one person in a fiscal year is %(cap)s baht; the person has "
                    "already received %(used)s baht this fiscal year, so %(left)s baht is left. "
                    "This amount is %(over)s baht too much."
                )
                % {
                    "cap": baht(self.year_cap),
                    "used": baht(self.year_used),
                    "left": baht(self.year_remaining),
                    "over": baht(self.year_over_by),
                }
            )
        return " ".join(parts)


def baht(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"{value:,.2f}".removesuffix(".00")


def _used(**filters: Any) -> Decimal:
    total = Assistance.objects.filter(status__in=COUNTED, **filters).aggregate(s=Sum("amount"))
    return total["s"] or ZERO


def cap_check(
    assistance_type: AssistanceType,
    person: Person,
    fiscal_year: int,
    amount: Decimal,
    case: Case | None = None,
) -> CapCheck:
    """The amount against the type's cap per case and cap per person per fiscal year."""
    case_used = ZERO
    if assistance_type.cap_per_case is not None and case is not None:
        case_used = _used(case=case, assistance_type=assistance_type)
    year_used = ZERO
    if assistance_type.cap_per_year is not None:
        year_used = _used(person=person, assistance_type=assistance_type, fiscal_year=fiscal_year)
    return CapCheck(
        amount=Decimal(amount),
        case_cap=assistance_type.cap_per_case,
        case_used=case_used,
        year_cap=assistance_type.cap_per_year,
        year_used=year_used,
    )


def caps_for(
    person: Person, case: Case, fiscal_year: int, types: list[AssistanceType]
) -> dict[str, CapCheck]:
    """Every capped type's standing for this person and case (two queries, for the form)."""
    on_case = _by_type(case=case)
    this_year = _by_type(person=person, fiscal_year=fiscal_year)
    return {
        t.code: CapCheck(
            amount=ZERO,
            case_cap=t.cap_per_case,
            case_used=on_case.get(t.code, Received()).baht,
            year_cap=t.cap_per_year,
            year_used=this_year.get(t.code, Received()).baht,
        )
        for t in types
        if t.cap_per_case is not None or t.cap_per_year is not None
    }


# --- Approving, giving, cancelling ----------------------------------------------------------


def may_approve(user: Any, case: Case) -> bool:
    return may_act(user, Move("", Perm.APPROVE_ASSISTANCE), case.area_id)


def may_override(user: Any, case: Case) -> bool:
    return access.can(user, Perm.OVERRIDE_CAPS, case.area_id)


def may_give(user: Any, case: Case) -> bool:
    return may_act(user, Move("", Perm.MANAGE_CASES), case.area_id) or may_approve(user, case)


@transaction.atomic
def assistance_approve(
    *,
    case: Case,
    person: Person,
    assistance_type: AssistanceType,
    amount: Decimal,
    description: str,
    actor: Any,
    override_reason: str = "",
    at: datetime | None = None,
) -> Assistance:
    """Approves help for a person of an accepted case, within the caps or with an override."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status != CaseStatus.ACCEPTED:
        raise WorkflowError(_("Assistance can be approved only on a case being worked on."))
    if not may_approve(actor, case):
        raise WorkflowError(_("You cannot approve assistance on this case."))
    # Lock the person: approvals of one person are checked against the caps one at a time.
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.household_id != case.household_id:
        raise WorkflowError(_("Choose a member of the case's household."))
    if refusal := consent_refusal(case, person):
        raise WorkflowError(refusal)
    if not assistance_type.active:
        raise WorkflowError(_("This kind of help is no longer given."))
    amount = Decimal(amount)
    if amount < 0:
        raise WorkflowError(_("The amount cannot be negative."))
    now = at or timezone.now()
    year = current_fiscal_year(now)
    check = cap_check(assistance_type, person, year, amount, case)
    override_reason = override_reason.strip()
    if check.exceeds:
        if not may_override(actor, case):
            raise WorkflowError(
                check.reason() + " " + _("Only an officer allowed to override caps can approve it.")
            )
        if not override_reason:
            raise WorkflowError(
                check.reason() + " " + _("To approve it anyway, write why the cap is overridden.")
            )
    else:
        override_reason = ""
    assistance = Assistance.objects.create(
        case=case,
        person=person,
        household_id=case.household_id,
        area_id=case.area_id,
        assistance_type=assistance_type,
        fiscal_year=year,
        amount=amount,
        description=description.strip(),
        approved_by=actor,
        approved_at=now,
        override_reason=override_reason,
    )
    details: dict[str, Any] = {
        "case": case.pk,
        "type": assistance_type.code,
        "amount": str(amount),
        "fiscal_year": year,
    }
    if override_reason:
        details.update(override=True, over_by=str(check.over_by), reason=override_reason)
    audit_record(
        actor=actor,
        action="assistance.approve_override" if override_reason else "assistance.approve",
        target=assistance,
        area_code=case.area_id,
        details=details,
    )
    return assistance


@dataclass(frozen=True)
class Evidence:
    content: bytes
    extension: str  # ".jpg" or ".pdf"


def evidence_prepare(upload: Any) -> Evidence:
    """A photo (re-encoded, without metadata) or a PDF of at most 10 MB; else ValidationError."""
    name = str(getattr(upload, "name", "") or _("the file"))
    size = getattr(upload, "size", None)
    if size == 0:
        raise ValidationError(_("“%(name)s” is empty. Choose the file again.") % {"name": name})
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        if size is not None and size > PDF_MAX_BYTES:
            raise ValidationError(
                _("“%(name)s” is %(size)s MB; a PDF may be at most %(limit)s MB.")
                % {"name": name, "size": megabytes(size), "limit": megabytes(PDF_MAX_BYTES)}
            )
        return Evidence(upload.read(), ".pdf")
    try:
        prepared = photos.photo_prepare(upload, name=name)
    except ValidationError as error:
        if error.code == "photo_not_image":
            raise ValidationError(
                _(
                    "“%(name)s” is neither a photo nor a PDF. "
                    "Choose a photo of the receipt or a PDF."
                )
                % {"name": name}
            ) from None
        raise
    return Evidence(prepared.content, ".jpg")


def assistance_give(
    *,
    assistance: Assistance,
    given_on: date,
    actor: Any,
    evidence: Any = None,
    note: str = "",
) -> Assistance:
    """Records the payment or handover: its date and its evidence (a file, a note or both).

    The file is checked and shrunk before the transaction opens, so a slow decode holds no lock.
    """
    prepared = evidence_prepare(evidence) if evidence else None
    return _give(
        assistance=assistance, given_on=given_on, actor=actor, prepared=prepared, note=note
    )


@transaction.atomic
def _give(
    *, assistance: Assistance, given_on: date, actor: Any, prepared: Evidence | None, note: str
) -> Assistance:
    assistance = Assistance.objects.select_for_update().select_related("case").get(pk=assistance.pk)
    if assistance.status != AssistanceStatus.APPROVED:
        raise WorkflowError(_("Only approved assistance can be recorded as paid or handed over."))
    if not may_give(actor, assistance.case):
        raise WorkflowError(_("You cannot record this payment."))
    if refusal := consent_refusal(assistance.case, assistance.person):
        raise WorkflowError(refusal)
    note = note.strip()
    if prepared is None and not note and not assistance.evidence:
        raise WorkflowError(_("Attach the evidence (a photo or a PDF) or write a receipt number."))
    today = timezone.localdate()
    if given_on > today:
        raise WorkflowError(_("The date cannot be in the future."))
    if given_on < timezone.localdate(assistance.approved_at):
        raise WorkflowError(_("The date cannot be before the approval."))
    assistance.status = AssistanceStatus.GIVEN
    assistance.given_on, assistance.given_by = given_on, actor
    fields = ["status", "given_on", "given_by"]
    if note:
        assistance.evidence_note = note
        fields.append("evidence_note")
    if prepared is not None:
        assistance.evidence.save(
            f"evidence-{assistance.pk}{prepared.extension}",
            ContentFile(prepared.content),
            save=False,
        )
        fields.append("evidence")
    assistance.save(update_fields=fields)
    audit_record(
        actor=actor,
        action="assistance.give",
        target=assistance,
        area_code=assistance.area_id,
        details={"given_on": given_on.isoformat(), "file": prepared is not None},
    )
    return assistance


@transaction.atomic
def assistance_cancel(*, assistance: Assistance, actor: Any, reason: str) -> Assistance:
    """Cancels an approval not yet paid, keeping the reason on the row and in the audit log."""
    assistance = Assistance.objects.select_for_update().select_related("case").get(pk=assistance.pk)
    if assistance.status != AssistanceStatus.APPROVED:
        raise WorkflowError(_("Only assistance not yet paid or handed over can be cancelled."))
    if not may_approve(actor, assistance.case):
        raise WorkflowError(_("You cannot cancel this assistance."))
    reason = reason.strip()
    if not reason:
        raise WorkflowError(_("Please give a reason."))
    assistance.status = AssistanceStatus.CANCELLED
    assistance.cancel_reason = reason
    assistance.save(update_fields=["status", "cancel_reason"])
    audit_record(
        actor=actor,
        action="assistance.cancel",
        target=assistance,
        area_code=assistance.area_id,
        details={"reason": reason},
    )
    return assistance


def totals(items: list[Assistance]) -> dict[str, Decimal]:
    """Approved and given baht of a case's assistance rows (cancelled left out)."""
    sums: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for item in items:
        if item.status in COUNTED:
            sums[item.status] += item.amount
            sums["all"] += item.amount
    return {"approved": sums["approved"], "given": sums["given"], "all": sums["all"]}
