"""The statuses of a case and of a referral, the moves between them, and the one function each
that changes a status.

A request for help climbs a review chain: a subdistrict check, a district check, then the
provincial decision (a sensitive request goes to the provincial decision at once, see
`next_step`). Each step is done by somebody who holds the step's permission at an assignment
covering the case's area, at the step's level or wider (a district coordinator may do the
subdistrict check where the subdistrict has nobody). Whoever files or checks a case sends it
to the next step they cannot do themselves, so nobody checks their own work twice.

Any step can send the case back (RETURNED) with a comment per field; the fixed request goes
back to the step that returned it. An accepted case is worked and then closed with an
outcome; a closed or declined case can be reopened with a reason.

Only `case_move` and `referral_move` change a status. They check the move against the table,
check who is moving it, record who, when and why (an event row and an audit row), and refuse
anything else with a reason in Thai (WorkflowError).

PDPA: once the affected person has withdrawn consent (or objected to a lawful basis) and
nothing lets Carenet go on (households.services.person_is_restricted), the case goes no
further: only the moves that stop it or hand it back (STOPPING) remain, and referrals,
letters, assistance, follow-ups, new tasks and new volunteers are refused (`consent_refusal`),
until the person consents again or a provincial officer records a lawful basis on the
person's page.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carenet.accounts.access import ROLE_PERMISSIONS, Perm, grants
from carenet.cases.models import (
    Case,
    CaseEvent,
    CaseStatus,
    FieldComment,
    Outcome,
    Referral,
    ReferralEvent,
    ReferralStatus,
    case_number,
)
from carenet.core.services import audit_record
from carenet.households.models import Person
from carenet.households.services import person_is_restricted

S = CaseStatus

# Area code lengths: a grant at this length or shorter (wider) may do the step.
SUBDISTRICT, DISTRICT, PROVINCE = 6, 4, 2


class WorkflowError(Exception):
    """A move that is not allowed; the message says why, in the user's language."""


@dataclass(frozen=True)
class Move:
    name: str  # what the button says, e.g. "check", "send back"
    perm: Perm
    level: int | None = None  # widest grant code length allowed (None: anywhere in scope)
    needs_reason: bool = False
    filer_may: bool = False  # the person who filed it may make this move


CASE_MOVES: Mapping[tuple[str, str], Move] = {
    # Submitting and resubmitting: the filer, or a reviewer in scope on their behalf.
    (S.DRAFT, S.SUBDISTRICT_REVIEW): Move("submit", Perm.REVIEW_CASES, filer_may=True),
    (S.DRAFT, S.DISTRICT_REVIEW): Move("submit", Perm.REVIEW_CASES, filer_may=True),
    (S.DRAFT, S.PROVINCE_REVIEW): Move("submit", Perm.REVIEW_CASES, filer_may=True),
    (S.RETURNED, S.SUBDISTRICT_REVIEW): Move("resubmit", Perm.REVIEW_CASES, filer_may=True),
    (S.RETURNED, S.DISTRICT_REVIEW): Move("resubmit", Perm.REVIEW_CASES, filer_may=True),
    (S.RETURNED, S.PROVINCE_REVIEW): Move("resubmit", Perm.REVIEW_CASES, filer_may=True),
    # The review chain.
    (S.SUBDISTRICT_REVIEW, S.DISTRICT_REVIEW): Move("check", Perm.REVIEW_CASES, SUBDISTRICT),
    (S.SUBDISTRICT_REVIEW, S.PROVINCE_REVIEW): Move("check", Perm.REVIEW_CASES, SUBDISTRICT),
    (S.SUBDISTRICT_REVIEW, S.RETURNED): Move(
        "send back", Perm.REVIEW_CASES, SUBDISTRICT, needs_reason=True
    ),
    (S.DISTRICT_REVIEW, S.PROVINCE_REVIEW): Move("check", Perm.REVIEW_CASES, DISTRICT),
    (S.DISTRICT_REVIEW, S.RETURNED): Move(
        "send back", Perm.REVIEW_CASES, DISTRICT, needs_reason=True
    ),
    (S.PROVINCE_REVIEW, S.ACCEPTED): Move("accept", Perm.DECIDE_CASES, PROVINCE),
    (S.PROVINCE_REVIEW, S.DECLINED): Move(
        "decline", Perm.DECIDE_CASES, PROVINCE, needs_reason=True
    ),
    (S.PROVINCE_REVIEW, S.RETURNED): Move(
        "send back", Perm.DECIDE_CASES, PROVINCE, needs_reason=True
    ),
    # Working, closing and reopening.
    (S.ACCEPTED, S.CLOSED): Move("close", Perm.MANAGE_CASES),
    (S.CLOSED, S.ACCEPTED): Move("reopen", Perm.MANAGE_CASES, needs_reason=True),
    (S.DECLINED, S.PROVINCE_REVIEW): Move("reopen", Perm.DECIDE_CASES, PROVINCE, needs_reason=True),
}

# The moves still allowed once the person withdrew consent: they end the case or hand it
# back, and send nothing further about the person.
STOPPING = frozenset({S.CLOSED, S.DECLINED, S.RETURNED})

REVIEW_STEPS: tuple[tuple[str, int], ...] = (
    (S.SUBDISTRICT_REVIEW, SUBDISTRICT),
    (S.DISTRICT_REVIEW, DISTRICT),
    (S.PROVINCE_REVIEW, PROVINCE),
)
# Fields a reviewer can comment on when sending a request back (form field names).
COMMENTABLE_FIELDS: Mapping[str, Any] = {
    "person": gettext_lazy("affected person"),
    "requester": gettext_lazy("who is asking"),
    "registered_address": gettext_lazy("address in the house registration"),
    "requester_types": gettext_lazy("requester types"),
    "category": gettext_lazy("category"),
    "problems": gettext_lazy("problems found"),
    "help_wanted": gettext_lazy("help wanted"),
    "amount_requested": gettext_lazy("amount requested (baht)"),
    "welfare": gettext_lazy("welfare already received this fiscal year"),
    "consent": gettext_lazy("consent signature"),
    "documents": gettext_lazy("photos and documents"),
    "location": gettext_lazy("location"),
}


def may_act(user: Any, move: Move, area_code: str) -> bool:
    """Whether the user holds the move's permission at a grant that covers the area at the
    move's level or wider."""
    return any(
        move.perm in ROLE_PERMISSIONS[g.role]
        and g.covers(area_code)
        and (move.level is None or len(g.area_code) <= move.level)
        for g in grants(user)
    )


def consent_refusal(case: Case, *people: Person) -> str:
    """Why the case cannot go forward because its person (or one of `people`) withdrew
    consent, and what can be done; "" when nothing stands in the way."""
    for person in (case.person, *people):
        if person_is_restricted(person):
            return _(
                "%(name)s has withdrawn consent (or objected to the use of their data), so this "
                "case cannot go forward: no review, decision, referral, letter, assistance, "
                "follow-up, new task or new volunteer. You can still close, decline or send it "
                "back. To go on, the person must give consent again, or a provincial officer "
                "must record a lawful basis with a written justification, on the person's page."
            ) % {"name": person.full_name}
    return ""


def _reviews_at(user: Any, area_code: str, level: int) -> bool:
    perm = Perm.DECIDE_CASES if level == PROVINCE else Perm.REVIEW_CASES
    return may_act(user, Move("", perm, level), area_code)


def next_step(user: Any, case: Case, after: str | None = None) -> str:
    """The first review step after `after` that the user cannot do themselves.

    The province's decision is never skipped: an officer who files a case decides it next.
    A sensitive case (violence, abuse, trafficking) goes to it at once: only the people
    assigned and the province read one (cases.access), so a centre could check it only by
    breaking the glass, and an urgent child's case would wait on that.
    """
    if case.sensitive:
        return S.PROVINCE_REVIEW
    steps = list(REVIEW_STEPS)
    if after is not None:
        index = [status for status, _level in steps].index(after)
        steps = steps[index + 1 :]
    for status, level in steps[:-1]:
        if not _reviews_at(user, case.area_id, level):
            return status
    return S.PROVINCE_REVIEW


def allowed_moves(user: Any, case: Case) -> list[tuple[str, Move]]:
    """The moves this user may make on this case now (for the buttons on its page)."""
    found = []
    stopping_only = bool(consent_refusal(case))
    for (source, target), move in CASE_MOVES.items():
        if source != case.status or not _target_fits(user, case, source, target):
            continue
        if stopping_only and target not in STOPPING:
            continue
        if _may_make(user, case, move):
            found.append((target, move))
    return found


def _target_fits(user: Any, case: Case, source: str, target: str) -> bool:
    """Among several targets of the same move, only the one the rules pick."""
    if source == S.DRAFT:
        return target == next_step(user, case)
    if source == S.RETURNED:
        return target == (case.returned_from or S.SUBDISTRICT_REVIEW)
    if source in (S.SUBDISTRICT_REVIEW, S.DISTRICT_REVIEW) and target != S.RETURNED:
        return target == next_step(user, case, after=source)
    return True


def _may_make(user: Any, case: Case, move: Move) -> bool:
    if move.filer_may and case.filed_by_id == getattr(user, "pk", None):
        return True
    return may_act(user, move, case.area_id)


@transaction.atomic
def case_move(
    *,
    case: Case,
    to: str,
    actor: Any,
    reason: str = "",
    field_comments: Mapping[str, str] | None = None,
    outcome: str = "",
    at: datetime | None = None,
) -> CaseEvent:
    """Moves a case to `to`, or raises WorkflowError saying why it cannot."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    source = case.status
    move = CASE_MOVES.get((source, to))
    if move is None:
        raise WorkflowError(
            _("A case that is “%(from)s” cannot become “%(to)s”.")
            % {"from": S(source).label, "to": _status_label(to)}
        )
    if not _target_fits(actor, case, source, to) or not _may_make(actor, case, move):
        raise WorkflowError(_("You cannot make this move on this case."))
    if to not in STOPPING and (refusal := consent_refusal(case)):
        raise WorkflowError(refusal)
    reason = reason.strip()
    comments = {f: c.strip() for f, c in (field_comments or {}).items() if c and c.strip()}
    unknown = set(comments) - set(COMMENTABLE_FIELDS)
    if unknown:
        raise WorkflowError(_("Unknown field: %(field)s") % {"field": ", ".join(sorted(unknown))})
    if move.needs_reason and not (reason or comments):
        raise WorkflowError(_("Please give a reason."))
    if to == S.CLOSED and outcome not in Outcome.values:
        raise WorkflowError(_("Please choose how the case ended."))
    if to == S.CLOSED and not reason:
        raise WorkflowError(_("Please write a note on how the case ended."))

    now = at or timezone.now()
    numbered = case.number
    _apply(case, source, to, actor, now, outcome=outcome, reason=reason)
    event = CaseEvent.objects.create(
        case=case, from_status=source, to_status=to, by=actor, at=now, reason=reason
    )
    if to == S.RETURNED:
        FieldComment.objects.bulk_create(
            FieldComment(case=case, event=event, field=f, comment=c) for f, c in comments.items()
        )
    if source == S.RETURNED:
        case.field_comments.filter(resolved=False).update(resolved=True)
    audit_record(
        actor=actor,
        action=f"case.{move.name.replace(' ', '_')}",
        target=case,
        area_code=case.area_id,
        details={
            "from": source,
            "to": to,
            **({"number_was": numbered} if case.number != numbered else {}),
        },
    )
    return event


# The numbers intake gives (case_number); the demo's and older ones are left as they are.
_PROVISIONAL = re.compile(r"\d{4}-\d{6}")


def _apply(case: Case, source: str, to: str, actor: Any, now: datetime, **kw: str) -> None:
    case.status = to
    case.status_changed_at = now
    fields = ["status", "status_changed_at", "updated_at"]
    if source == S.DRAFT and case.submitted_at is None:
        case.submitted_at = now
        fields.append("submitted_at")
        sent = case_number(case.pk, timezone.localdate(now))
        if _PROVISIONAL.fullmatch(case.number) and case.number != sent:
            case.number = sent  # a draft begun in September, sent in October
            fields.append("number")
    if to == S.RETURNED:
        case.returned_from = source
        fields.append("returned_from")
    if source not in (S.DRAFT, S.RETURNED) and case.acknowledged_at is None:
        case.acknowledged_at, case.acknowledged_by = now, actor
        fields += ["acknowledged_at", "acknowledged_by"]
    if to in (S.ACCEPTED, S.DECLINED) and source == S.PROVINCE_REVIEW:
        case.decided_at = now
        fields.append("decided_at")
    if to == S.CLOSED:
        case.closed_at, case.outcome, case.outcome_note = now, kw["outcome"], kw["reason"]
        fields += ["closed_at", "outcome", "outcome_note"]
    if to == S.DECLINED:  # why, where the filer reads how their cases ended
        case.outcome_note = kw["reason"]
        fields.append("outcome_note")
    if source == S.CLOSED:
        case.closed_at, case.outcome = None, ""
        fields += ["closed_at", "outcome"]
    if source == S.DECLINED:
        case.outcome_note = ""
        fields.append("outcome_note")
    case.save(update_fields=fields)


def _status_label(value: str) -> str:
    try:
        return str(S(value).label)
    except ValueError:
        return value


@transaction.atomic
def case_acknowledge(*, case: Case, actor: Any) -> None:
    """A reviewer says "seen": stops the urgent 24-hour clock without moving the case."""
    if case.acknowledged_at is not None:
        return
    step_level = dict(REVIEW_STEPS).get(case.status)
    if step_level is None or not _reviews_at(actor, case.area_id, step_level):
        raise WorkflowError(_("You cannot make this move on this case."))
    case.acknowledged_at, case.acknowledged_by = timezone.now(), actor
    case.save(update_fields=["acknowledged_at", "acknowledged_by", "updated_at"])
    audit_record(actor=actor, action="case.acknowledge", target=case, area_code=case.area_id)


# --- Referrals -------------------------------------------------------------------------------

R = ReferralStatus

REFERRAL_MOVES: Mapping[tuple[str, str], bool] = {
    # (from, to): whether a reason is needed
    (R.SENT, R.RECEIVED): False,
    (R.SENT, R.IN_PROGRESS): False,
    (R.SENT, R.DONE): False,
    (R.SENT, R.DECLINED): True,
    (R.RECEIVED, R.IN_PROGRESS): False,
    (R.RECEIVED, R.DONE): False,
    (R.RECEIVED, R.DECLINED): True,
    (R.IN_PROGRESS, R.DONE): False,
    (R.IN_PROGRESS, R.DECLINED): True,
    # Taken back by the office: sent to the wrong agency, or no longer needed.
    (R.SENT, R.WITHDRAWN): True,
    (R.RECEIVED, R.WITHDRAWN): True,
    (R.IN_PROGRESS, R.WITHDRAWN): True,
}


@transaction.atomic
def referral_move(
    *, referral: Referral, to: str, actor: Any, note: str = "", at: datetime | None = None
) -> ReferralEvent:
    """Records the agency's answer: received, in progress, done, or declined with a reason;
    or the office's taking it back (withdrawn, with the reason: the wrong agency)."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    source = referral.status
    if (source, to) not in REFERRAL_MOVES:
        raise WorkflowError(
            _("A referral that is “%(from)s” cannot become “%(to)s”.")
            % {"from": R(source).label, "to": _referral_label(to)}
        )
    if not may_act(actor, Move("", Perm.MANAGE_CASES), referral.area_id):
        raise WorkflowError(_("You cannot make this move on this case."))
    note = note.strip()
    if REFERRAL_MOVES[(source, to)] and not note:
        raise WorkflowError(_("Please give a reason."))
    now = at or timezone.now()
    referral.status, referral.status_changed_at = to, now
    fields = ["status", "status_changed_at"]
    if note:
        referral.result = note
        fields.append("result")
    referral.save(update_fields=fields)
    event = ReferralEvent.objects.create(
        referral=referral, from_status=source, to_status=to, by=actor, at=now, note=note
    )
    audit_record(
        actor=actor,
        action="referral.move",
        target=referral,
        area_code=referral.area_id,
        details={"from": source, "to": to},
    )
    return event


def _referral_label(value: str) -> str:
    try:
        return str(R(value).label)
    except ValueError:
        return value
