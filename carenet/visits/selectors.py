"""Reads about field work, always scoped to the user.

Visits, concerns and drafts are scoped like the households they belong to: a volunteer sees
those of the households assigned to them, a coordinator those of their area. On top of
that, *sensitive* entries (a finding in the violence or trafficking areas, and the concerns
they raise) are shown in full only to `sees_sensitive` people: for now the volunteer who
recorded it, provincial officers and national admins. Everyone else in scope sees that a
restricted entry exists, and no more.

The volunteer's home (`my_households`) and the household timeline take a constant number of
queries whatever their length; tests prove it.

The household timeline is a list of sources, one small function per kind of entry
(registration, visits, assessments, concerns, consents). A later kind (cases, assistance,
disaster checks) is one more function and one template. Apps that visits may not import
(cases) register their functions with `register_timeline_source` and name their own template
in TimelineEntry.template.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, cast
from uuid import UUID

from django.core.paginator import Page
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.http import Http404
from django.utils import timezone

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.areas.models import Area
from carenet.core.collation import thai_order
from carenet.core.models import AuditEvent
from carenet.core.paging import Paginator
from carenet.households import selectors as household_selectors
from carenet.households import vulnerability
from carenet.households.models import (
    Consent,
    Household,
    HouseholdAssignment,
    HouseholdStatus,
    Person,
    PersonStatus,
)
from carenet.households.selectors import (
    Badge,
    badges,
    household_own_q,
    shown_groups,
    withdrawn_q,
)
from carenet.households.services import person_is_restricted
from carenet.visits import assessments, late
from carenet.visits.followup import due_date, late_q
from carenet.visits.models import (
    Assessment,
    Concern,
    ConcernStatus,
    ProblemArea,
    ProblemItem,
    RiskLevel,
    Visit,
    VisitDraft,
    VisitPhoto,
)
from carenet.volunteers.models import Volunteer, VolunteerStatus
from carenet.volunteers.selectors import volunteer_of

RECORD_PERM = Perm.RECORD_VISITS
ACKNOWLEDGE_PERM = Perm.ACKNOWLEDGE_VISITS
CONCERN_PERM = Perm.ACKNOWLEDGE_VISITS

DUE_SOON_DAYS = 7
MY_HOUSEHOLDS_PER_PAGE = 50
MY_BADGES = 3
RECENT_ACKNOWLEDGEMENTS = 5
ACKNOWLEDGEMENTS_SHOWN_FOR = timedelta(days=30)
CONCERNS_PER_PAGE = 25
RISK_LABELS = dict(RiskLevel.choices)
TIMELINE_LIMIT = 200  # of each kind; a household's whole history is rarely near it


def today() -> date:
    return timezone.localdate()


# --- Scope ---------------------------------------------------------------------------------


def sees_sensitive(user: Any, area_code: str, recorded_by_id: int | None = None) -> bool:
    """Whether the user may read a sensitive entry of this area: the person who recorded it,
    or a provincial officer or national admin whose grant covers the area."""
    if not getattr(user, "is_authenticated", False):
        return False
    if recorded_by_id is not None and recorded_by_id == user.pk:
        return True
    return access.can(user, Perm.VIEW_SENSITIVE, area_code)


def _own_visits_q(user: Any) -> Q:
    return Q(household__in=Household.objects.filter(household_own_q(user)).values("pk"))


def visits_visible(user: Any, perm: Perm = Perm.VIEW_HOUSEHOLDS) -> QuerySet[Visit]:
    return access.visible_to(user, Visit.objects.all(), perm=perm, own=_own_visits_q(user))


def concerns_visible(user: Any, perm: Perm = Perm.VIEW_HOUSEHOLDS) -> QuerySet[Concern]:
    return access.visible_to(user, Concern.objects.all(), perm=perm, own=_own_visits_q(user))


def household_for_recording(*, user: Any, pk: Any) -> Household:
    """A household the user may record a visit for: theirs (volunteer) or in their area
    (coordinator). 404 for missing and not-yours alike."""
    return household_selectors.household_get(user=user, pk=pk, perm=RECORD_PERM)


def can_record(user: Any, household: Household) -> bool:
    return (
        household_selectors.households_visible(user, RECORD_PERM).filter(pk=household.pk).exists()
    )


def may_record_now(user: Any, household: Household) -> bool:
    """Whether the visit form opens for the user: one they may record, still active."""
    return household.status == HouseholdStatus.ACTIVE and can_record(user, household)


def can_acknowledge(user: Any, visit: Visit) -> bool:
    if not access.can(user, ACKNOWLEDGE_PERM, visit.area_id):
        return False
    return not visit.sensitive or sees_sensitive(user, visit.area_id, visit.recorded_by_id)


def can_handle_concern(user: Any, concern: Concern) -> bool:
    if not access.can(user, CONCERN_PERM, concern.area_id):
        return False
    return not concern.sensitive or sees_sensitive(user, concern.area_id, concern.raised_by_id)


# --- The volunteer's home ------------------------------------------------------------------


@dataclass
class MyHouseholdRow:
    household: Household
    level: str  # priority: high, medium, low
    groups: list[Badge]
    more_groups: int
    head_name: str
    state: str  # overdue, soon, later, never (never visited), withdrawn (see withdrawn_q)
    due: date | None
    days_since: int | None  # days since the last visit; None when never visited
    overdue_days: int
    has_draft: bool


@dataclass
class MyHouseholds:
    page: Page
    volunteer: Volunteer | None
    overdue: int
    due_soon: int
    total: int
    acknowledgements: list[Visit] = field(default_factory=list)


def _urgency(day: date) -> tuple[Case, Coalesce]:
    soon = day + timedelta(days=DUE_SOON_DAYS)
    due = Coalesce("next_visit_due", Value(day), output_field=DateField())
    return Case(
        When(withdrawn_q(), then=Value(3)),  # nothing to do there: last
        When(late_q(day), then=Value(0)),
        When(Q(next_visit_due__isnull=True) | Q(next_visit_due__lte=soon), then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    ), due


def my_households(*, user: Any, page: Any = 1, day: date | None = None) -> MyHouseholds:
    """The households assigned to the signed-in volunteer, most urgent first: overdue, then
    due within a week (and never visited), then the rest; by due date, then priority. Those
    whose members all withdrew consent come last, neither due nor counted."""
    day = day or today()
    volunteer = volunteer_of(user)
    urgency, due = _urgency(day)
    mine = household_selectors.households_visible(user).filter(
        household_own_q(user), status=HouseholdStatus.ACTIVE
    )
    soon = day + timedelta(days=DUE_SOON_DAYS)
    visited = ~withdrawn_q()
    counts = mine.aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=visited & late_q(day)),
        due_soon=Count(
            "pk",
            filter=visited
            & ~late_q(day)
            & (
                Q(next_visit_due__isnull=True)
                | Q(next_visit_due__gte=day, next_visit_due__lte=soon)
            ),
        ),
    )
    queryset = (
        mine.annotate(urgency=urgency, due_on=due)
        .select_related("head", "area")
        .prefetch_related(
            Prefetch(
                "members",
                queryset=Person.objects.filter(status=PersonStatus.ACTIVE).order_by("pk"),
                to_attr="active_members",
            )
        )
        .order_by("urgency", "due_on", "-priority_score", "pk")
    )
    result = Paginator(queryset, MY_HOUSEHOLDS_PER_PAGE).get_page(page)
    drafts = set(
        VisitDraft.objects.filter(
            user_id=user.pk, household_id__in=[h.pk for h in result.object_list]
        ).values_list("household_id", flat=True)
    )
    result.object_list = cast(Any, [_my_row(h, day, h.pk in drafts) for h in result.object_list])
    return MyHouseholds(
        page=result,
        volunteer=volunteer,
        overdue=counts["overdue"],
        due_soon=counts["due_soon"],
        total=counts["total"],
        acknowledgements=_recent_acknowledgements(user, day),
    )


def _my_row(household: Any, day: date, has_draft: bool) -> MyHouseholdRow:
    groups = shown_groups(household.vulnerability)
    last = household.last_visit_at
    # Never visited: due NEVER_VISITED_GRACE_DAYS after registering, as the centre counts it.
    due = household.next_visit_due if last is not None else due_date(household)
    if household.urgency == 3:  # withdrawn_q
        state, due = "withdrawn", None
    elif last is None:
        state = "overdue" if due < day else "never"
    elif due is not None and due < day:
        state = "overdue"
    elif due is None or due <= day + timedelta(days=DUE_SOON_DAYS):
        state = "soon"
    else:
        state = "later"
    members = household.active_members
    head = household.head.full_name if household.head else (members[0].full_name if members else "")
    return MyHouseholdRow(
        household=household,
        level=vulnerability.priority_level(household.priority_score),
        groups=badges(groups[:MY_BADGES]),
        more_groups=max(0, len(groups) - MY_BADGES),
        head_name=head,
        state=state,
        due=due,
        days_since=(day - timezone.localdate(last)).days if last else None,
        overdue_days=(day - due).days if due is not None and due < day else 0,
        has_draft=has_draft,
    )


def _recent_acknowledgements(user: Any, day: date) -> list[Visit]:
    """The coordinators' latest comments on the visits this user recorded."""
    since = timezone.make_aware(datetime.combine(day, time.min)) - ACKNOWLEDGEMENTS_SHOWN_FOR
    return list(
        visits_visible(user)
        .filter(recorded_by_id=user.pk, acknowledged_at__gte=since)
        .select_related("household__area", "acknowledged_by")
        .order_by("-acknowledged_at")[:RECENT_ACKNOWLEDGEMENTS]
    )


# --- The visit form ------------------------------------------------------------------------


def problem_areas() -> list[ProblemArea]:
    """The nine areas with their active items, in order (two queries)."""
    items = ProblemItem.objects.filter(active=True).order_by("order", "code")
    return list(
        ProblemArea.objects.prefetch_related(Prefetch("items", queryset=items)).order_by("order")
    )


def members_to_see(*, household: Household) -> list[Person]:
    """Active members a visit can record as seen. People whose consent is withdrawn are left
    out: nothing new is recorded about them (PDPA)."""
    people = (
        household.members.filter(status=PersonStatus.ACTIVE)
        .prefetch_related("consents")
        .order_by("pk")
    )
    return [p for p in people if not person_is_restricted(p)]


def members_left_out(*, household: Household, shown: Sequence[Person]) -> list[Person]:
    """The household's other people (consent withdrawn, moved away, died), so that a form
    opened before they left the list can say why they are no longer on it."""
    return list(
        household.members.exclude(pk__in=[p.pk for p in shown])
        .exclude(status=PersonStatus.MERGED)
        .prefetch_related("consents")
        .order_by("pk")
    )


def co_volunteers(*, household: Household, user: Any) -> QuerySet[Volunteer]:
    """Other active volunteers who may have come along: those serving the subdistrict and
    those assigned to the household."""
    subdistrict = household.area_id[:6]
    return (
        Volunteer.objects.filter(status=VolunteerStatus.ACTIVE)
        .filter(Q(area_id=subdistrict) | Q(assignments__household=household))
        .exclude(user_id=user.pk)
        .distinct()
        .order_by(*thai_order("first_name", "last_name"), "pk")
    )


def draft_get(*, user: Any, household: Household) -> VisitDraft | None:
    return VisitDraft.objects.filter(user_id=user.pk, household=household).first()


def own_draft(*, user: Any, household_id: Any) -> VisitDraft:
    """The user's own draft for a household, whether or not they may still open it; 404."""
    draft = VisitDraft.objects.select_related("household").filter(
        user_id=user.pk, household_id=household_id
    )
    found = draft.first()
    if found is None:
        raise Http404
    return found


def recent_client_uuids(*, household: Household, limit: int = 5) -> list[UUID]:
    """The latest visits' form ids: a copy kept on the phone for one of them was submitted
    already and must not be restored into a new form."""
    return list(
        household.visits.order_by("-created_at").values_list("client_uuid", flat=True)[:limit]
    )


# --- One visit -----------------------------------------------------------------------------


def visit_get(*, user: Any, pk: Any, perm: Perm = Perm.VIEW_HOUSEHOLDS) -> Visit:
    """One visit in scope with what its page shows; 404 for missing and not-yours alike."""
    queryset = Visit.objects.select_related(
        "household__area",
        "household__head",
        "recorded_by",
        "acknowledged_by",
        "recorded_after__actor",
    ).prefetch_related(
        Prefetch("volunteers", queryset=Volunteer.objects.order_by(*thai_order("first_name"))),
        Prefetch("members_seen", queryset=Person.objects.order_by("pk")),
        Prefetch("problems", queryset=ProblemItem.objects.select_related("area")),
        "photos",
        Prefetch("concerns", queryset=Concern.objects.select_related("handled_by")),
    )
    return access.get_visible_or_404(user, queryset, perm=perm, own=_own_visits_q(user), pk=pk)


def visit_shows_details(user: Any, visit: Visit) -> bool:
    return not visit.sensitive or sees_sensitive(user, visit.area_id, visit.recorded_by_id)


def visit_assessment(visit: Visit) -> Assessment | None:
    try:
        return visit.assessment
    except Assessment.DoesNotExist:
        return None


@dataclass(frozen=True)
class ProblemGroup:
    area: ProblemArea
    items: list[ProblemItem]


def problems_by_area(visit: Visit) -> list[ProblemGroup]:
    groups: dict[str, ProblemGroup] = {}
    for item in sorted(visit.problems.all(), key=lambda i: (i.area.order, i.order)):
        groups.setdefault(item.area_id, ProblemGroup(item.area, [])).items.append(item)
    return list(groups.values())


def photo_get(*, user: Any, pk: Any) -> VisitPhoto:
    """A visit photo, for someone who may see its visit in full; else 404."""
    queryset = VisitPhoto.objects.select_related("visit")
    photo = access.get_visible_or_404(
        user, queryset, field="visit__area", perm=Perm.VIEW_HOUSEHOLDS,
        own=Q(visit__household__in=Household.objects.filter(household_own_q(user)).values("pk")),
        pk=pk,
    )  # fmt: skip
    if not visit_shows_details(user, photo.visit):
        raise Http404
    return photo


# --- Concerns ------------------------------------------------------------------------------


@dataclass
class ConcernRow:
    concern: Concern
    restricted: bool
    can_handle: bool


def concern_list(*, user: Any, status: str = "active", page: Any = 1) -> Page:
    """Concerns in the user's area: `active` (open or seen, not closed) or `closed`; open
    first, oldest first, so that nothing waits unseen at the bottom."""
    queryset = concerns_visible(user, CONCERN_PERM).select_related(
        "household__area", "raised_by", "handled_by", "visit"
    )
    if status == "closed":
        queryset = queryset.filter(status=ConcernStatus.CLOSED).order_by("-updated_at", "-pk")
    else:
        # Among those not yet seen, the user's own to handle first: a sensitive one, for the
        # province which alone handles it; after the others, for whoever only sees it listed.
        sensitive_rank = 0 if access.can(user, Perm.VIEW_SENSITIVE) else 2
        queryset = queryset.exclude(status=ConcernStatus.CLOSED).order_by(
            Case(
                When(status=ConcernStatus.OPEN, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            Case(
                When(sensitive=True, then=Value(sensitive_rank)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            "created_at",
            "pk",
        )
    result = Paginator(queryset, CONCERNS_PER_PAGE).get_page(page)
    rows = []
    for concern in result.object_list:
        shows = not concern.sensitive or sees_sensitive(user, concern.area_id, concern.raised_by_id)
        rows.append(ConcernRow(concern, not shows, shows and can_handle_concern(user, concern)))
    result.object_list = cast(Any, rows)
    return result


def concern_counts(*, user: Any) -> dict[str, int]:
    """Open (not yet seen) and seen concerns in the user's area, and `to_handle`: the open
    ones the user may act on (can_handle_concern), which a sensitive one is only for the
    province or whoever raised it."""
    sensitive_seen = access.visible_to(
        user, Concern.objects.filter(sensitive=True), perm=Perm.VIEW_SENSITIVE
    ).values("pk")
    may_handle = Q(sensitive=False) | Q(raised_by_id=user.pk) | Q(pk__in=sensitive_seen)
    return concerns_visible(user, CONCERN_PERM).aggregate(
        open=Count("pk", filter=Q(status=ConcernStatus.OPEN)),
        seen=Count("pk", filter=Q(status=ConcernStatus.ACKNOWLEDGED)),
        to_handle=Count("pk", filter=Q(status=ConcernStatus.OPEN) & may_handle),
    )


def concern_get(*, user: Any, pk: Any) -> Concern:
    queryset = Concern.objects.select_related("household__area", "raised_by", "visit")
    return access.get_visible_or_404(
        user, queryset, perm=CONCERN_PERM, own=_own_visits_q(user), pk=pk
    )


# --- The household timeline ----------------------------------------------------------------


@dataclass
class TimelineEntry:
    when: datetime
    kind: str  # names the template visits/timeline/_<kind>.html
    item: Any
    restricted: bool = False
    template: str = ""  # a later app's own template, used instead of visits/timeline/_<kind>


TimelineSource = Callable[[Any, Household], list[TimelineEntry]]


def _at_noon(day: date) -> datetime:
    """A date-only record sorts at midday of its day, after the morning's visits."""
    return timezone.make_aware(datetime.combine(day, time(12, 0)))


def _registration(user: Any, household: Household) -> list[TimelineEntry]:
    return [TimelineEntry(household.created_at, "registration", household)]


def _visits(user: Any, household: Household) -> list[TimelineEntry]:
    visits = (
        household.visits.select_related("acknowledged_by", "recorded_after__actor")
        .prefetch_related(
            Prefetch("volunteers", queryset=Volunteer.objects.order_by(*thai_order("first_name"))),
            Prefetch("problems", queryset=ProblemItem.objects.order_by("area__order", "order")),
        )
        .annotate(photo_count=Count("photos", distinct=True))
        .order_by("-visited_at", "-pk")[:TIMELINE_LIMIT]
    )
    for visit in visits:
        # The change while it was being recorded (late.py): rare, so read one by one.
        after = visit.recorded_after
        visit.late_change = late.change_of(after) if after else None  # type: ignore[attr-defined]
    return [
        TimelineEntry(v.visited_at, "visit", v, restricted=not visit_shows_details(user, v))
        for v in visits
    ]


def _assessments(user: Any, household: Household) -> list[TimelineEntry]:
    found = household.assessments.order_by("-assessed_on", "-pk")[:TIMELINE_LIMIT]
    entries = []
    for assessment in found:
        assessment.score_rows = [  # type: ignore[attr-defined]
            (assessments.dimension_label(d), assessment.scores[d])
            for d in assessments.DIMENSIONS
            if d in assessment.scores
        ]
        entries.append(TimelineEntry(_at_noon(assessment.assessed_on), "assessment", assessment))
    return entries


def _concerns(user: Any, household: Household) -> list[TimelineEntry]:
    concerns = household.concerns.select_related("raised_by", "handled_by").order_by("-created_at")[
        :TIMELINE_LIMIT
    ]
    return [
        TimelineEntry(
            c.created_at,
            "concern",
            c,
            restricted=c.sensitive and not sees_sensitive(user, c.area_id, c.raised_by_id),
        )
        for c in concerns
    ]


def _consents(user: Any, household: Household) -> list[TimelineEntry]:
    consents = (
        Consent.objects.filter(person__household=household)
        .select_related("person")
        .order_by("-given_on", "-pk")[:TIMELINE_LIMIT]
    )
    entries = []
    for consent in consents:
        entries.append(TimelineEntry(_at_noon(consent.given_on), "consent", consent))
        if consent.withdrawn_on is not None:
            entries.append(
                TimelineEntry(_at_noon(consent.withdrawn_on), "consent_withdrawn", consent)
            )
    return entries


def _left_drafts(user: Any, household: Household) -> list[TimelineEntry]:
    """Visits volunteers began here and could not send before they lost the household
    (late.py): the coordination centre sees them, so that none waits unseen. One query, and
    one more for their findings when there are some."""
    if not household_selectors.manages_widely(user, household.area_id):
        return []
    drafts = VisitDraft.objects.filter(household=household, user__volunteer__isnull=False)
    if household.status == HouseholdStatus.ACTIVE:  # a volunteer still assigned finishes hers
        hers = HouseholdAssignment.objects.filter(
            household=household, volunteer__user_id=OuterRef("user_id")
        )
        drafts = drafts.exclude(Exists(hers))
    found = list(drafts.select_related("user").order_by("-updated_at")[:TIMELINE_LIMIT])
    codes = {c for d in found for c in _as_list(d.data.get("problems"))}
    sensitive = set(
        ProblemItem.objects.filter(code__in=codes, area__sensitive=True).values_list(
            "code", flat=True
        )
    ) if codes else set()  # fmt: skip
    entries = []
    for draft in found:
        hidden = bool(sensitive & set(_as_list(draft.data.get("problems")))) and not (
            sees_sensitive(user, household.area_id, draft.user_id)
        )
        risk = draft.data.get("risk_level")
        draft.risk_label = RISK_LABELS.get(risk, "") if isinstance(risk, str) else ""  # type: ignore[attr-defined]
        entries.append(TimelineEntry(draft.updated_at, "left_draft", draft, restricted=hidden))
    return entries


def _as_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)] if value else []


def _status_changes(user: Any, household: Household) -> list[TimelineEntry]:
    changes = household_selectors.household_status_changes(household=household)
    return [TimelineEntry(change.when, "household_status", change) for change in changes]


@dataclass(frozen=True)
class VolunteerChange:
    """A volunteer given the household, taken off it, or its hand-over from one to another."""

    action: str  # household.assign, household.unassign or household.handover
    by: str
    volunteer: str  # the one assigned or taken off; for a hand-over, the giver
    taker: str = ""


VOLUNTEER_ACTIONS = ("household.assign", "household.unassign", "household.handover")


def _volunteer_changes(user: Any, household: Household) -> list[TimelineEntry]:
    """Who was given the household and who was taken off it, from the audit log: two queries
    (the rows, then the volunteers they name)."""
    events = list(
        AuditEvent.objects.filter(
            action__in=VOLUNTEER_ACTIONS,
            target_type=household._meta.label_lower,
            target_id=str(household.pk),
        )
        .select_related("actor")
        .order_by("-created_at", "-id")[:TIMELINE_LIMIT]
    )
    named = {
        pk
        for event in events
        for key in ("volunteer", "from", "to")
        if isinstance(pk := (event.details or {}).get(key), int)
    }
    names = {v.pk: v.full_name for v in Volunteer.objects.filter(pk__in=named)} if named else {}
    entries = []
    for event in events:
        details = event.details or {}
        who, to = details.get("volunteer", details.get("from")), details.get("to")
        change = VolunteerChange(
            action=event.action,
            by=event.actor.display_name if event.actor else "",
            volunteer=names.get(who, "") if isinstance(who, int) else "",
            taker=names.get(to, "") if isinstance(to, int) else "",
        )
        entries.append(TimelineEntry(event.created_at, "volunteer_change", change))
    return entries


@dataclass(frozen=True)
class MemberChange:
    """A member who died or moved away, came from or left for another household, or the
    household's move of house (`address_was`, shaped as households/_address.html reads it)."""

    action: str  # person.status, moved_out, moved_in or household.moved
    by: str
    person: str = ""
    status: str = ""  # a person.status's new status, in words
    reason: str = ""
    address_was: Any = None


@dataclass(frozen=True)
class _OldAddress:
    house_no: str
    moo: Any
    soi: str
    road: str
    area: Any


PERSON_TYPE = Person._meta.label_lower


def _member_changes(user: Any, household: Household) -> list[TimelineEntry]:
    """From the audit log: members' deaths and moves, and the household's moves of house (a
    member moved to another household is not said where). One query, and one more for the
    names of the people when there are some."""
    pk = household.pk
    here = Person.objects.filter(household=household).values(key=Cast("pk", CharField()))
    events = list(
        AuditEvent.objects.filter(
            Q(action="person.status", details__household=pk)
            | (  # logged before the status named its household
                Q(action="person.status", target_type=PERSON_TYPE, target_id__in=here)
                & ~Q(details__has_key="household")
            )
            | Q(action="person.move", details__from=pk)
            | Q(action="person.move", details__to=pk)
            | Q(
                action="household.update",
                target_type=household._meta.label_lower,
                target_id=str(pk),
                details__has_key="address_was",
            )
        )
        .select_related("actor")
        .order_by("-created_at", "-id")[:TIMELINE_LIMIT]
    )
    people = {
        str(p.pk): p.full_name
        for p in Person.objects.filter(
            pk__in=[int(e.target_id) for e in events if e.target_id.isdigit()]
        ).only("title", "first_name", "last_name")
    } if events else {}  # fmt: skip
    areas = Area.objects.in_bulk(
        [
            str((e.details or {})["address_was"].get("area"))
            for e in events
            if e.action == "household.update"
        ]
    )
    statuses = dict(PersonStatus.choices)
    entries = []
    for event in events:
        details, by = event.details or {}, event.actor.display_name if event.actor else ""
        name = people.get(event.target_id, "")
        if event.action == "person.status":
            status = str(statuses.get(str(details.get("to")), ""))
            change = MemberChange(event.action, by, name, status, str(details.get("reason") or ""))
        elif event.action == "person.move":
            moved = "moved_in" if details.get("to") == pk else "moved_out"
            change = MemberChange(moved, by, name)
        else:
            was = details["address_was"]
            old = _OldAddress(was.get("house_no") or "", was.get("moo"), was.get("soi") or "",
                              was.get("road") or "", areas.get(was.get("area")))  # fmt: skip
            change = MemberChange("household.moved", by, address_was=old)
        when = event.created_at
        if isinstance(details.get("on"), str):  # a death or a move on the day it happened
            when = _at_noon(date.fromisoformat(details["on"]))
        entries.append(TimelineEntry(when, "member_change", change))
    return entries


TIMELINE_SOURCES: tuple[TimelineSource, ...] = (
    _registration,
    _visits,
    _assessments,
    _concerns,
    _consents,
    _status_changes,
    _volunteer_changes,
    _member_changes,
    _left_drafts,
)


# Sources from apps that build on visits (cases, later disasters), which visits may not import:
# each registers its functions once, from its AppConfig.ready().
_REGISTERED_SOURCES: list[TimelineSource] = []


def register_timeline_source(source: TimelineSource) -> None:
    """Adds a later app's kind of entry to the household timeline (once per function)."""
    if source not in _REGISTERED_SOURCES:
        _REGISTERED_SOURCES.append(source)


def household_timeline(*, user: Any, household: Household) -> list[TimelineEntry]:
    """Everything about a household, newest first, in one query per kind of entry."""
    sources = (*TIMELINE_SOURCES, *_REGISTERED_SOURCES)
    entries = [entry for source in sources for entry in source(user, household)]
    return sorted(entries, key=lambda e: e.when, reverse=True)


# A visit saved this recently is the one a Back button brings the form of again.
JUST_RECORDED = timedelta(minutes=30)


def visit_today(*, household: Household) -> Visit | None:
    """The household's latest visit made today, or saved in the last JUST_RECORDED whatever
    its date, if any: a second visit may be one already recorded, sent again from another
    phone, retyped, or brought back by the Back button (dated some days ago, it was not
    "today")."""
    today = timezone.localdate()
    start = timezone.make_aware(datetime.combine(today, time.min))
    just = timezone.now() - JUST_RECORDED
    return (
        Visit.objects.filter(household=household)
        .filter(Q(visited_at__gte=start) | Q(created_at__gte=just))
        .select_related("recorded_by")
        .order_by("-created_at")
        .first()
    )
