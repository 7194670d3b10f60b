"""Writes about field work: visits, their drafts, concerns, acknowledgements and follow-up.

A visit is recorded by `visit_record`, in one transaction with everything that follows from
it: the volunteers and members seen, the problems found, photos (already shrunk by
photos.py), a quality-of-life assessment when the form carried one, a concern when the
volunteer raised one, the household's last visit, risk and next due date, each volunteer's
latest visit, the audit row, and the end of the volunteer's draft.

Rules, each with a test:

* Only the volunteers assigned to the household, or a coordinator in its area, may record
  a visit (PermissionDenied; the pages give the same 404 as a missing household).
* A visit begun before its volunteer was taken off the household, before it was handed over
  or before it moved away or closed (`started_at`, see late.py) is recorded all the same,
  with that change noted on it (Visit.recorded_after) and in its audit row.
* A household whose living members all withdrew consent (households.selectors.withdrawn_q) gets no
  visit and no draft: anything typed there would be about them (PDPA).
* A visit cannot lie in the future (beyond a few minutes of clock difference between phone
  and server) nor more than a year back: a reason is given, nothing is stored.
* The phone's form carries a client UUID: the same form submitted twice stores one visit.
  The same visit sent again in a new form is stored once too, but only when every entry is
  the same: one that differs in anything is a visit of its own, never dropped.
* The next visit falls due after the days the province's FollowUpPolicy gives for the risk
  (7 urgent, 30 watch, 90 normal by default); a high-priority household waits at most the
  watch interval. An older visit entered late never moves the household's dates backwards,
  nor a volunteer's latest visit (Volunteer.last_visit_at).
* A visit that is urgent or finds a problem in a sensitive area (violence, trafficking) may
  raise a Concern for the centre; a sensitive finding makes the visit and its concern
  sensitive, shown in full only to those allowed (selectors.sees_sensitive).

Drafts are what the volunteer has typed so far, saved as they go: never validated (a draft
with a future date is still kept), deleted when the visit is recorded or discarded. Draft
saves are not audited: they happen every few seconds and hold nothing that was decided.
"""

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.core import thaidate
from carenet.core.services import audit_record
from carenet.core.text import visible
from carenet.households import vulnerability
from carenet.households.cleaning import clean_gps
from carenet.households.models import Household, HouseholdStatus, Person, PersonStatus
from carenet.households.selectors import household_withdrawn
from carenet.households.services import person_is_restricted
from carenet.visits import late, selectors
from carenet.visits.assessments import assessment_record
from carenet.visits.models import (
    Concern,
    ConcernStatus,
    FollowUpPolicy,
    ProblemItem,
    RiskLevel,
    Visit,
    VisitDraft,
    VisitPhoto,
    VisitType,
)
from carenet.visits.photos import PreparedPhoto
from carenet.volunteers.models import Volunteer, VolunteerStatus
from carenet.volunteers.selectors import volunteer_of

# Phones and servers disagree by a minute or two; a visit "now" must not be refused.
CLOCK_TOLERANCE = timedelta(minutes=5)
OLDEST_VISIT = timedelta(days=366)
MAX_MINUTES = 12 * 60
DEFAULT_FOLLOW_UP_DAYS = {RiskLevel.URGENT: 7, RiskLevel.WATCH: 30, RiskLevel.NORMAL: 90}
MAX_TEXT = 5000
MAX_SUMMARY = 2000

# Status changes of a concern: which may follow which.
CONCERN_MOVES: dict[str, set[str]] = {
    ConcernStatus.OPEN: {ConcernStatus.ACKNOWLEDGED, ConcernStatus.CLOSED},
    ConcernStatus.ACKNOWLEDGED: {ConcernStatus.CLOSED},
    ConcernStatus.CLOSED: {ConcernStatus.OPEN},
}


@dataclass(frozen=True)
class VisitData:
    """What the visit form (or a phone) says, before the service checks it."""

    visited_at: datetime
    visit_type: str = VisitType.ROUTINE
    risk_level: str = RiskLevel.NORMAL
    observations: str = ""
    needs: str = ""
    duration_minutes: int = 30
    co_volunteer_ids: Sequence[int] = ()
    member_ids: Sequence[int] = ()
    problem_codes: Sequence[str] = ()
    latitude: Any = None
    longitude: Any = None
    client_uuid: UUID | None = None
    raise_concern: bool = False
    concern_summary: str = ""
    # Indicator answers for carenet.visits.assessments (None: no assessment with this visit).
    answers: Mapping[Any, Any] | None = None
    photos: Sequence[PreparedPhoto] = field(default=())


# --- Checks: pure functions ----------------------------------------------------------------


def visit_clean_time(visited_at: datetime, *, now: datetime | None = None) -> datetime:
    """Not in the future (within CLOCK_TOLERANCE), not more than a year back."""
    now = now or timezone.now()
    if timezone.is_naive(visited_at):
        visited_at = timezone.make_aware(visited_at)
    if visited_at > now + CLOCK_TOLERANCE:
        raise ValidationError(
            {
                "visited_at": _(
                    "%(when)s is later than now (%(now)s). Record a visit once it has "
                    "happened: check the date and the time."
                )
                % {
                    "when": thaidate.format_datetime(visited_at),
                    "now": thaidate.format_datetime(now),
                }
            },
            code="visit_in_future",
        )
    if visited_at < now - OLDEST_VISIT:
        be, ce = thaidate.example_years()
        raise ValidationError(
            {
                "visited_at": _(
                    "%(when)s is more than a year ago. Check the year: %(be)s is a Buddhist "
                    "Era year, %(ce)s a Common Era one."
                )
                % {"when": thaidate.format_datetime(visited_at), "be": be, "ce": ce}
            },
            code="visit_too_old",
        )
    return visited_at


def concern_needed(risk_level: str, items: Sequence[ProblemItem]) -> bool:
    """Urgent risk, or a finding in a sensitive area, asks the volunteer to raise a concern."""
    return risk_level == RiskLevel.URGENT or any(i.area.sensitive for i in items)


def follow_up_days(*, area_code: str, risk_level: str, priority_score: int) -> int:
    """Days until the next visit: the province's policy for the risk, and at most the watch
    interval for a high-priority household."""
    policy = FollowUpPolicy.objects.filter(area_id=area_code[:2]).first()
    return _days_under(policy, risk_level, priority_score)


def _days_under(policy: FollowUpPolicy | None, risk_level: str, priority_score: int) -> int:
    if policy is None:
        days = {str(k): v for k, v in DEFAULT_FOLLOW_UP_DAYS.items()}
        watch = DEFAULT_FOLLOW_UP_DAYS[RiskLevel.WATCH]
    else:
        days = {
            RiskLevel.URGENT: policy.urgent_days,
            RiskLevel.WATCH: policy.watch_days,
            RiskLevel.NORMAL: policy.normal_days,
        }
        watch = policy.watch_days
    result = days.get(risk_level, days[RiskLevel.NORMAL])
    if vulnerability.priority_level(priority_score) == "high":
        result = min(result, watch)
    return result


def next_visit_due(*, household: Household, risk_level: str, visited_at: datetime) -> date:
    days = follow_up_days(
        area_code=household.area_id,
        risk_level=risk_level,
        priority_score=household.priority_score,
    )
    return timezone.localdate(visited_at) + timedelta(days=days)


# --- Scope ---------------------------------------------------------------------------------


def _require_recorder(actor: Any, household: Household) -> None:
    if not selectors.can_record(actor, household):
        raise PermissionDenied(_("You may not record visits to this household."))


def _late_changes(actor: Any, household: Household, started_at: Any) -> list[late.Change]:
    """[] when the actor may record as usual; the changes since `started_at` that stopped
    them, when the visit began before every one; PermissionDenied when they may not record
    and nothing explains it. A household that moved or closed before the visit began is left
    to _clean_visit, which says so."""
    may_record = selectors.can_record(actor, household)
    if may_record and household.status == HouseholdStatus.ACTIVE:
        return []
    changes = late.changes_since(
        user=actor, household=household, started_at=started_at, may_record=may_record
    )
    if changes:
        return changes
    if not may_record:
        raise PermissionDenied(_("You may not record visits to this household."))
    return []


# --- Visits --------------------------------------------------------------------------------


def withdrawn_reason() -> str:
    return _(
        "Everyone in this household withdrew their consent: no visit is recorded about them "
        "and none is scheduled. If a member gives consent again, record it on their page first."
    )


@transaction.atomic
def visit_record(
    *, actor: Any, household: Household, data: VisitData, started_at: datetime | None = None
) -> Visit:
    """Records one visit and everything that follows from it (see the module's docstring).
    `started_at`: when the actor was known to be recording it (late.recording_started_at).

    Submitting the same form twice (same client_uuid) returns the visit stored the first time,
    as does the same visit sent again in a new form with everything entered the same (see
    _twin). A visit that differs in anything is stored as a visit of its own.
    """
    changes = _late_changes(actor, household, started_at)
    if data.client_uuid is not None:
        existing = Visit.everything.filter(client_uuid=data.client_uuid).first()
        if existing is not None:
            return _resent(_same_form(existing, actor, household), actor, data, changes)
    household = Household.objects.select_for_update().get(pk=household.pk)
    if household_withdrawn(household):
        raise ValidationError(withdrawn_reason())
    cleaned = _clean_visit(actor, household, data, changes)
    visited_at, volunteers, members, items, (lat, lon) = cleaned
    # Photos mean a new visit: a browser never puts files back into a form, so a resend has none.
    entered = _entered(data, volunteers, members, items, lat, lon)
    twin = None if data.photos else _twin(actor, household, visited_at, entered)
    if twin is not None:
        return twin
    sensitive = any(item.area.sensitive for item in items)
    visit = Visit(
        household=household,
        area_id=household.area_id,
        visited_at=visited_at,
        visit_type=data.visit_type,
        risk_level=data.risk_level,
        observations=data.observations.strip(),
        needs=data.needs.strip(),
        duration_minutes=data.duration_minutes,
        latitude=lat,
        longitude=lon,
        sensitive=sensitive,
        recorded_by=actor,
        recorded_after_id=changes[-1].event_id if changes else None,
    )
    if data.client_uuid is not None:
        visit.client_uuid = data.client_uuid
    try:
        with transaction.atomic():
            visit.save()
    except IntegrityError:
        # The same form arrived twice at once; the other request stored it.
        if data.client_uuid is None:
            raise
        return _same_form(Visit.everything.get(client_uuid=data.client_uuid), actor, household)
    visit.volunteers.set(volunteers)
    visit.members_seen.set(members)
    visit.problems.set(items)
    for number, photo in enumerate(data.photos, start=1):
        stored = VisitPhoto(visit=visit, width=photo.width, height=photo.height)
        stored.image.save(f"visit-{visit.pk}-{number}.jpg", ContentFile(photo.content), save=False)
        stored.save()
    if data.answers:
        assessment_record(
            actor=actor,
            household=household,
            visit=visit,
            answers=data.answers,
            assessed_on=timezone.localdate(visited_at),
        )
    concern = None
    if data.raise_concern and concern_needed(data.risk_level, items):
        concern = _concern_raise(actor, visit, items, data.concern_summary)
    _schedule_after(household, visit)
    _volunteers_visited(volunteers, visit)
    VisitDraft.objects.filter(user_id=actor.pk, household=household).delete()
    audit_record(
        actor=actor,
        action="visit.record",
        target=visit,
        area_code=visit.area_id,
        details={
            "household": household.pk,
            "risk": visit.risk_level,
            "sensitive": sensitive,
            "photos": len(data.photos),
            "concern": concern.pk if concern else None,
            "after": [c.event_id for c in changes],
        },
    )
    return visit


def _entered(
    data: VisitData,
    volunteers: Sequence[Volunteer],
    members: Sequence[Person],
    items: Sequence[ProblemItem],
    lat: Any,
    lon: Any,
) -> dict[str, Any]:
    """Everything the user entered that a visit keeps, photos aside, as _entered_in reads it
    back from a stored one. The concern is what would be stored: the box may stay ticked on a
    normal visit, where it raises nothing."""
    raises = data.raise_concern and concern_needed(data.risk_level, items)
    return {
        "visit_type": data.visit_type,
        "risk_level": data.risk_level,
        "observations": data.observations.strip(),
        "needs": data.needs.strip(),
        "duration_minutes": data.duration_minutes,
        "gps": (lat, lon),
        "volunteers": {v.pk for v in volunteers},
        "members": {p.pk for p in members},
        "problems": {i.code for i in items},
        "concern": (data.concern_summary.strip() or _default_summary(data.risk_level, items))
        if raises
        else None,
        "answers": dict(data.answers) if data.answers else None,
    }


def _entered_in(visit: Visit) -> dict[str, Any]:
    concern = next(iter(visit.concerns.all()), None)
    # No assessment: the reverse one-to-one raises RelatedObjectDoesNotExist, an AttributeError.
    assessment = getattr(visit, "assessment", None)
    return {
        "visit_type": visit.visit_type,
        "risk_level": visit.risk_level,
        "observations": visit.observations,
        "needs": visit.needs,
        "duration_minutes": visit.duration_minutes,
        "gps": (visit.latitude, visit.longitude),
        "volunteers": {v.pk for v in visit.volunteers.all()},
        "members": {p.pk for p in visit.members_seen.all()},
        "problems": {i.code for i in visit.problems.all()},
        "concern": concern.summary if concern else None,
        "answers": {a.indicator.number: a.met for a in assessment.answers.all()}
        if assessment
        else None,
    }


def _twin(
    actor: Any, household: Household, visited_at: datetime, entered: dict[str, Any]
) -> Visit | None:
    """The visit this one repeats exactly, sent again in a new form: the back button after
    saving brings the typed values back under a new form id. Only an exact repeat counts: a
    visit that differs in anything (a corrected risk, a concern raised after all) is stored,
    or what the user entered would be dropped behind a "saved"."""
    candidates = Visit.objects.filter(
        household=household, recorded_by=actor, visited_at=visited_at
    ).prefetch_related(
        "volunteers", "members_seen", "problems", "concerns", "assessment__answers__indicator"
    )
    return next((v for v in candidates if _entered_in(v) == entered), None)


# The code of the refusal of a form already saved with other values (see _resent).
FORM_SAVED = "form_saved"


def _resent(existing: Visit, actor: Any, data: VisitData, changes: Sequence[late.Change]) -> Visit:
    """The stored visit, when the same form comes again as it was saved (a double tap, a
    resend after a lost answer). Sent again with other values (a second tab opened from the
    same draft, a change typed after a send whose answer was lost), it is refused: returning
    the stored visit would show "saved" over what was typed."""
    try:
        visited_at, volunteers, members, items, (lat, lon) = _clean_visit(
            actor, existing.household, data, changes
        )
    except ValidationError:
        return existing  # nothing that could be stored: the saved visit is the answer
    entered = _entered(data, volunteers, members, items, lat, lon)
    if visited_at == existing.visited_at and _entered_in(existing) == entered:
        return existing
    raise ValidationError(
        _(
            "This form was saved already, as the visit of %(when)s, with other details than "
            "these. What is shown here was NOT saved. If it is another visit, check it and "
            "save again; it will be recorded as a visit of its own."
        )
        % {"when": thaidate.format_datetime(existing.visited_at)},
        code=FORM_SAVED,
    )


def _same_form(existing: Visit, actor: Any, household: Household) -> Visit:
    if existing.household_id != household.pk or existing.recorded_by_id != actor.pk:
        # A UUID is random: another user's visit with it is a forged form, not a double tap.
        raise ValidationError(_("This form was already used. Open the visit form again."))
    return existing


def _clean_visit(
    actor: Any, household: Household, data: VisitData, changes: Sequence[late.Change] = ()
) -> tuple[datetime, list[Volunteer], list[Person], list[ProblemItem], tuple[Any, Any]]:
    errors: dict[str, list[str]] = {}

    def check(name: str, run: Any) -> Any:
        try:
            return run()
        except ValidationError as error:
            for key, messages in _by_field(error, name).items():
                errors.setdefault(key, []).extend(messages)
            return None

    if household.status != HouseholdStatus.ACTIVE and not changes:
        errors["__all__"] = [
            _("This household has moved away or is closed: visits are no longer recorded.")
        ]
    visited_at = check("visited_at", lambda: visit_clean_time(data.visited_at))
    if data.visit_type not in VisitType.values:
        errors["visit_type"] = [_("Choose the type of visit.")]
    if data.risk_level not in RiskLevel.values:
        errors["risk_level"] = [_("Choose the risk: normal, watch or urgent.")]
    if not 1 <= data.duration_minutes <= MAX_MINUTES:
        errors["duration_minutes"] = [
            _("Write the minutes spent, from 1 to %(max)s.") % {"max": MAX_MINUTES}
        ]
    for name, text, limit in (
        ("observations", data.observations, MAX_TEXT),
        ("needs", data.needs, MAX_TEXT),
        ("concern_summary", data.concern_summary, MAX_SUMMARY),
    ):
        if len(text) > limit:
            errors[name] = [_("At most %(limit)s characters.") % {"limit": limit}]
    volunteers = check("co_volunteers", lambda: _visit_volunteers(actor, household, data))
    moved_with = {m for c in changes for m in c.members}
    members = check("members_seen", lambda: _members_seen(household, data.member_ids, moved_with))
    items = check("problems", lambda: _problem_items(data.problem_codes))
    gps = check("latitude", lambda: clean_gps(data.latitude, data.longitude))
    if errors:
        raise ValidationError(errors)
    return visited_at, volunteers, members, items, gps


def _by_field(error: ValidationError, name: str) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {name: error.messages}


def _visit_volunteers(actor: Any, household: Household, data: VisitData) -> list[Volunteer]:
    """The actor's own volunteer record and the others who came along: active, serving the
    household's subdistrict or assigned to it."""
    ids = set(data.co_volunteer_ids)
    found = list(
        Volunteer.objects.filter(pk__in=ids, status=VolunteerStatus.ACTIVE)
        .filter(Q(area_id=household.area_id[:6]) | Q(assignments__household=household))
        .distinct()
    )
    if len(found) != len(ids):
        raise ValidationError(
            _("Choose only active volunteers who serve this household's subdistrict.")
        )
    own = volunteer_of(actor)
    if own is not None and own.pk not in ids:
        found.insert(0, own)
    if not found:
        raise ValidationError(_("Choose the volunteer or volunteers who made the visit."))
    return found


def _members_seen(
    household: Household, ids: Sequence[int], moved_with: Collection[int] = ()
) -> list[Person]:
    """Members living there, or who moved away with the household after the visit began."""
    wanted = set(ids)
    if not wanted:
        return []
    living = Q(status=PersonStatus.ACTIVE) | Q(pk__in=moved_with, status=PersonStatus.MOVED)
    people = list(household.members.filter(living, pk__in=wanted).prefetch_related("consents"))
    if len(people) != len(wanted):
        raise ValidationError(_("Choose only people who live in this household."))
    restricted = [p.full_name for p in people if person_is_restricted(p)]
    if restricted:
        raise ValidationError(
            _(
                "%(names)s withdrew their consent: nothing new may be recorded about them "
                "until they give it again."
            )
            % {"names": ", ".join(restricted)}
        )
    return people


def _problem_items(codes: Sequence[str]) -> list[ProblemItem]:
    wanted = set(codes)
    items = list(ProblemItem.objects.filter(code__in=wanted, active=True).select_related("area"))
    if len(items) != len(wanted):
        raise ValidationError(_("Choose problems from the list."))
    return sorted(items, key=lambda i: (i.area.order, i.order))


def _schedule_after(household: Household, visit: Visit) -> None:
    """The household's last visit, risk and next due date, unless a later visit is stored."""
    if household.last_visit_at is not None and household.last_visit_at > visit.visited_at:
        return
    household.last_visit_at = visit.visited_at
    household.current_risk = visit.risk_level
    household.next_visit_due = next_visit_due(
        household=household, risk_level=visit.risk_level, visited_at=visit.visited_at
    )
    # Not a user's edit: the version stays, so nobody's open edit form turns stale.
    household.save(update_fields=["last_visit_at", "current_risk", "next_visit_due"])


def _volunteers_visited(volunteers: Sequence[Volunteer], visit: Visit) -> None:
    """Each volunteer's latest visit (followup.inactive_volunteers reads it), moved forward
    only: an older visit entered late leaves a later one in place. One UPDATE whose condition
    the database checks against the row as it is, so two visits at once cannot move it back."""
    Volunteer.objects.filter(pk__in=[v.pk for v in volunteers]).filter(
        Q(last_visit_at__isnull=True) | Q(last_visit_at__lt=visit.visited_at)
    ).update(last_visit_at=visit.visited_at)


@transaction.atomic
def follow_up_reschedule(*, household: Household) -> date | None:
    """Works the next due date out again from the last visit (after the priority or the
    province's policy changed). Returns the new date; None for a household never visited."""
    follow_up_reschedule_many(household_ids=[household.pk])
    return Household.objects.values_list("next_visit_due", flat=True).get(pk=household.pk)


def follow_up_reschedule_many(*, household_ids: Iterable[int]) -> int:
    """The same for many households, in a few queries whatever their number: a bedridden
    member recorded, or the nightly run finding someone turned 60, makes a household high
    priority, which waits at most the watch interval, not the three months it had. Only
    households visited before and still active; returns how many due dates moved."""
    households = list(
        Household.objects.filter(
            pk__in=list(household_ids),
            status=HouseholdStatus.ACTIVE,
            last_visit_at__isnull=False,
        ).only("area_id", "priority_score", "current_risk", "last_visit_at", "next_visit_due")
    )
    provinces = {h.area_id[:2] for h in households}
    policies = {p.area_id: p for p in FollowUpPolicy.objects.filter(area_id__in=provinces)}
    moved = []
    for household in households:
        assert household.last_visit_at is not None
        days = _days_under(
            policies.get(household.area_id[:2]),
            household.current_risk or RiskLevel.NORMAL,
            household.priority_score,
        )
        due = timezone.localdate(household.last_visit_at) + timedelta(days=days)
        if due != household.next_visit_due:
            household.next_visit_due = due
            moved.append(household)
    # Not a user's edit: the version stays, so nobody's open edit form turns stale.
    Household.objects.bulk_update(moved, ["next_visit_due"], batch_size=500)
    return len(moved)


def reschedule_on_priority(sender: Any, household_ids: list[int], **kwargs: Any) -> None:
    """households.signals.priority_changed: connected in VisitsConfig.ready()."""
    follow_up_reschedule_many(household_ids=household_ids)


# --- Withdrawing a visit recorded by mistake -----------------------------------------------

# The volunteer who recorded a visit may withdraw it this long after saving it; later, and for
# anyone else's, the centre of its area does.
OWN_WITHDRAW_WITHIN = timedelta(hours=24)


def may_withdraw(user: Any, visit: Visit) -> bool:
    if visit.withdrawn_at is not None:
        return False
    own = (
        visit.recorded_by_id == getattr(user, "pk", None)
        and visit.created_at >= timezone.now() - OWN_WITHDRAW_WITHIN
    )
    return own or access.can(user, Perm.ACKNOWLEDGE_VISITS, visit.area_id)


@transaction.atomic
def visit_withdraw(*, actor: Any, visit: Visit, reason: str) -> Visit:
    """Takes a visit recorded by mistake (another household, a wrong date or risk) out of
    every list, count and schedule, with who and why; it is kept, never deleted. The
    household's last visit, risk and next due date, and its volunteers' latest visits, are
    worked out again from the visits that stand, and a concern it raised and nobody closed is
    closed with the reason."""
    visit = Visit.everything.select_for_update().get(pk=visit.pk)
    if not selectors.visits_visible(actor).filter(pk=visit.pk).exists():
        raise PermissionDenied
    if not may_withdraw(actor, visit):
        raise PermissionDenied(
            _(
                "A visit is withdrawn by the volunteer who recorded it, within a day, or by "
                "the centre of its area."
            )
        )
    reason = visible(reason)
    if not reason:
        raise ValidationError({"reason": _("Say why the visit is withdrawn.")})
    visit.withdrawn_at, visit.withdrawn_by, visit.withdrawn_reason = timezone.now(), actor, reason
    visit.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
    _schedule_again(visit.household_id)
    for volunteer in visit.volunteers.all():
        latest = Visit.objects.filter(volunteers=volunteer).aggregate(at=Max("visited_at"))["at"]
        Volunteer.objects.filter(pk=volunteer.pk).update(last_visit_at=latest)
    closed = visit.concerns.exclude(status=ConcernStatus.CLOSED).update(
        status=ConcernStatus.CLOSED,
        handled_by=actor,
        note=_("The visit that raised it was withdrawn: %(reason)s") % {"reason": reason},
        updated_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action="visit.withdraw",
        target=visit,
        area_code=visit.area_id,
        details={"household": visit.household_id, "reason": reason, "concerns_closed": closed},
    )
    return visit


def _schedule_again(household_id: int) -> None:
    """The household's last visit, risk and next due date from the visits that stand."""
    household = Household.objects.select_for_update().get(pk=household_id)
    household.last_visit_at, household.current_risk, household.next_visit_due = None, "", None
    latest = Visit.objects.filter(household_id=household_id).order_by("-visited_at", "-pk").first()
    if latest is None:
        household.save(update_fields=["last_visit_at", "current_risk", "next_visit_due"])
    else:
        _schedule_after(household, latest)


# --- Concerns ------------------------------------------------------------------------------


def _concern_raise(actor: Any, visit: Visit, items: Sequence[ProblemItem], summary: str) -> Concern:
    summary = summary.strip() or _default_summary(visit.risk_level, items)
    concern = Concern.objects.create(
        household=visit.household,
        area_id=visit.area_id,
        visit=visit,
        summary=summary,
        sensitive=visit.sensitive,
        raised_by=actor,
    )
    audit_record(
        actor=actor,
        action="concern.raise",
        target=concern,
        area_code=concern.area_id,
        details={"visit": visit.pk, "sensitive": concern.sensitive},
    )
    return concern


def _default_summary(risk_level: str, items: Sequence[ProblemItem]) -> str:
    """The summary of a concern raised without one. Stored as text and read by coordinators in
    Thai, so written in Thai whatever the volunteer's language, as the problem names are."""
    with translation.override("th"):
        return _summary_of(risk_level, items)


def _summary_of(risk_level: str, items: Sequence[ProblemItem]) -> str:
    parts = []
    if risk_level == RiskLevel.URGENT:
        parts.append(_("Urgent risk."))
    found = [i.name_th for i in items if i.area.sensitive] or [i.name_th for i in items]
    if found:
        parts.append(_("Found: %(items)s.") % {"items": ", ".join(found)})
    return " ".join(parts) or _("The volunteer asks the centre for help.")


@transaction.atomic
def concern_handle(*, actor: Any, concern: Concern, status: str, note: str = "") -> Concern:
    """The centre marks a concern seen or closed (or opens a closed one again), with a note."""
    concern = Concern.objects.select_for_update().get(pk=concern.pk)
    in_scope = selectors.concerns_visible(actor, selectors.CONCERN_PERM).filter(pk=concern.pk)
    if not in_scope.exists() or not selectors.can_handle_concern(actor, concern):
        raise PermissionDenied(_("You may not handle this concern."))
    note = note.strip()
    if status not in CONCERN_MOVES.get(concern.status, set()):
        raise ValidationError(
            {
                "status": _("A concern that is “%(from)s” cannot become “%(to)s”.")
                % {
                    "from": ConcernStatus(concern.status).label,
                    "to": ConcernStatus(status).label if status in ConcernStatus.values else status,
                }
            }
        )
    if status == ConcernStatus.CLOSED and not note:
        raise ValidationError({"note": _("Say what was done before closing the concern.")})
    if len(note) > MAX_SUMMARY:
        raise ValidationError({"note": _("At most %(limit)s characters.") % {"limit": MAX_SUMMARY}})
    previous = concern.status
    concern.status = status
    concern.handled_by = actor
    if note:
        with translation.override("th"):  # stored with the note, as the log's other lines are
            stamp = thaidate.format_datetime(timezone.now())
        line = f"{stamp} {getattr(actor, 'display_name', '') or actor.get_username()}: {note}"
        concern.note = f"{concern.note}\n{line}".strip()
    concern.save(update_fields=["status", "handled_by", "note", "updated_at"])
    audit_record(
        actor=actor,
        action="concern.handle",
        target=concern,
        area_code=concern.area_id,
        details={"from": previous, "to": status},
    )
    return concern


# --- Acknowledgement -----------------------------------------------------------------------


MAX_ACKNOWLEDGEMENT = 500


def acknowledgement_stamp(visit: Visit) -> str:
    """Which acknowledgement a visit has: "" for none."""
    return visit.acknowledged_at.isoformat() if visit.acknowledged_at else ""


@transaction.atomic
def visit_acknowledge(
    *, actor: Any, visit: Visit, comment: str = "", seen: str | None = None
) -> Visit:
    """A coordinator in the visit's area says they have seen it, with a short comment the
    volunteer sees. Acknowledging again replaces the comment; with `seen` (the
    acknowledgement_stamp the user saw), only if nobody acknowledged it since."""
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    in_scope = selectors.visits_visible(actor, selectors.ACKNOWLEDGE_PERM).filter(pk=visit.pk)
    if not in_scope.exists() or not selectors.can_acknowledge(actor, visit):
        raise PermissionDenied(_("You may not acknowledge this visit."))
    if seen is not None and seen != acknowledgement_stamp(visit):
        raise ValidationError(
            {
                "comment": _(
                    "Someone acknowledged this visit meanwhile; their comment is shown above. "
                    "Save again to replace it with yours."
                )
            }
        )
    comment = " ".join(comment.split())
    if len(comment) > MAX_ACKNOWLEDGEMENT:
        raise ValidationError(
            {"comment": _("At most %(limit)s characters.") % {"limit": MAX_ACKNOWLEDGEMENT}}
        )
    visit.acknowledged_by = actor
    visit.acknowledged_at = timezone.now()
    visit.acknowledgement = comment
    visit.save(update_fields=["acknowledged_by", "acknowledged_at", "acknowledgement"])
    audit_record(actor=actor, action="visit.acknowledge", target=visit, area_code=visit.area_id)
    return visit


# --- Drafts --------------------------------------------------------------------------------


DRAFT_KEY = re.compile(r"^[a-z][a-z0-9_\-]{0,60}$")
DRAFT_MAX_KEYS = 120
DRAFT_MAX_VALUES = 200
DRAFT_MAX_TEXT = MAX_TEXT
# Never kept: the CSRF token changes, and files cannot be put back into a file input.
DRAFT_SKIP = {"csrfmiddlewaretoken", "photos"}


def draft_clean(data: Mapping[str, Any]) -> dict[str, Any]:
    """What a draft keeps of a form: field names to text or lists of text, bounded in size.
    Nothing is validated: a draft holds what was typed, right or wrong."""
    cleaned: dict[str, Any] = {}
    for key, value in data.items():
        if len(cleaned) >= DRAFT_MAX_KEYS:
            break
        if not isinstance(key, str) or key in DRAFT_SKIP or not DRAFT_KEY.match(key):
            continue
        if isinstance(value, list | tuple):
            values = [str(v)[:200] for v in value[:DRAFT_MAX_VALUES] if v is not None]
            cleaned[key] = values
        elif value is not None:
            cleaned[key] = str(value)[:DRAFT_MAX_TEXT]
    return cleaned


@transaction.atomic
def draft_save(
    *,
    actor: Any,
    household: Household,
    data: Mapping[str, Any],
    started_at: datetime | None = None,
) -> VisitDraft | None:
    """Keeps what is typed so far; None when that form was already recorded as a visit (a
    late autosave from the page that was just submitted must not bring its draft back).

    A visit begun before its volunteer lost the household (`started_at`, see late.py) that
    could not be recorded is kept too, with that start written into it: the draft then waits
    for the centre (late.left_drafts, the household timeline) instead of being lost."""
    changes = _late_changes(actor, household, started_at)
    if household_withdrawn(household):
        return None  # nothing typed about people who withdrew is kept
    cleaned = draft_clean(data)
    if changes and started_at is not None:
        cleaned[late.OPENED_FIELD] = late.form_opened_token(
            user=actor, household=household, at=started_at
        )
    if _form_recorded(cleaned.get("client_uuid")):
        return None
    draft, _created = VisitDraft.objects.update_or_create(
        user_id=actor.pk, household=household, defaults={"data": cleaned}
    )
    return draft


def _form_recorded(value: Any) -> bool:
    if isinstance(value, list):
        value = value[-1] if value else ""
    try:
        form_id = UUID(str(value))
    except ValueError:
        return False
    return Visit.everything.filter(client_uuid=form_id).exists()


@transaction.atomic
def draft_discard(*, actor: Any, household: Household) -> None:
    VisitDraft.objects.filter(user_id=actor.pk, household=household).delete()
