"""Reads about training events, invitations, coverage and awards, always scoped to the user.

Who sees which event:
* an event is managed by whoever holds MANAGE_TRAINING over its area (the organising centre's
  area): a district coordinator manages their district's events only;
* it is seen (read-only) by whoever holds VIEW_TRAINING over its area, and also by those whose
  scope holds volunteers it invited: a district coordinator sees the province's workshop that
  invites their district's volunteers. On such a page they see only their own volunteers'
  invitations, because invitation lists are scoped by each invitation's own area;
* a volunteer sees no event list: they see their own invitations ("my trainings").

Every list costs a fixed number of queries whatever its length: counts are annotations or
grouped queries, never a loop.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.areas.models import Area, Level, within
from carenet.core.collation import thai_order
from carenet.core.people import name_q
from carenet.core.thaidate import fiscal_year, fiscal_year_bounds
from carenet.training import learning
from carenet.training.criteria import trained_in
from carenet.training.models import (
    Attendance,
    Award,
    Competency,
    CompetencyGrant,
    EventStatus,
    Invitation,
    InvitationStatus,
    Quiz,
    Session,
    TrainingEvent,
)
from carenet.volunteers.history import status_on
from carenet.volunteers.models import Centre, Volunteer, VolunteerStatus
from carenet.volunteers.selectors import volunteer_of

NOBODY = Q(pk__in=[])  # `own` for records a volunteer's grant never shows


def _search(queryset: QuerySet[Volunteer], search: str) -> QuerySet[Volunteer]:
    """Volunteers whose first or last name holds every word typed ("มาลี ศรีสุข")."""
    return queryset.filter(name_q(search))


def _viewing(user: Any, field: str = "area") -> Q:
    return access.scope_q(user, field=field, perm=Perm.VIEW_TRAINING, own=NOBODY)


def _events_seen(user: Any) -> QuerySet[TrainingEvent]:
    here = _viewing(user)
    if not here:  # the whole country: an empty Q would vanish from the OR below
        return TrainingEvent.objects.all()
    invited_here = Invitation.objects.filter(event=OuterRef("pk")).filter(here)
    return TrainingEvent.objects.filter(here | Q(Exists(invited_here)))


def event_list(
    *, user: Any, search: str = "", year: int | None = None, status: str = ""
) -> QuerySet[TrainingEvent]:
    queryset = _events_seen(user)
    search = " ".join(search.split())
    if search:
        queryset = queryset.filter(Q(title__icontains=search) | Q(venue__icontains=search))
    if year:
        queryset = queryset.filter(fiscal_year=year)
    if status:
        queryset = queryset.filter(status=status)
    # Counted as on the event's page: the invitations in the user's scope.
    mine = _viewing(user, "invitations__area")
    sent = mine & Q(invitations__invited_at__isnull=False)
    return (
        queryset.select_related("centre", "area", "venue_area")
        .annotate(
            n_invitations=Count("invitations", filter=mine),
            n_sent=Count("invitations", filter=sent),
            n_confirmed=Count(
                "invitations", filter=sent & Q(invitations__status=InvitationStatus.CONFIRMED)
            ),
        )
        .order_by("-starts_on", "-pk")
    )


def with_attendance(*, user: Any, events: Iterable[TrainingEvent]) -> list[TrainingEvent]:
    """The events, each given `attendance` (learning.AttendanceFigures) over the invitations in
    the user's scope: the event report's figures, in three queries for a whole page."""
    events = list(events)
    figures = learning.events_attendance(events, _viewing(user))
    for event in events:
        event.attendance = figures[event.pk]  # type: ignore[attr-defined]
    return events


def event_years(*, user: Any) -> list[int]:
    """The fiscal years of the events the user sees, and the current one, newest first."""
    years = set(_events_seen(user).values_list("fiscal_year", flat=True).distinct().order_by())
    return sorted(years | {current_fiscal_year()}, reverse=True)


@dataclass
class YearTotals:
    """A fiscal year's training in the user's scope, as the event list sums it up."""

    year: int
    first: date
    last: date
    areas: list[Area]  # the user's outermost areas; none: the whole country
    held: int
    planned: int  # planned or invited, not held yet
    cancelled: int
    trained: int  # active volunteers, as the coverage report counts them
    certificates: int  # as the events' reports count them, in the user's scope


def year_totals(*, user: Any, year: int) -> YearTotals | None:
    """None for a volunteer, who has no scope to sum up (see coverage_scope)."""
    scope = coverage_scope(user=user)
    if not scope:
        return None
    events = _events_seen(user).filter(fiscal_year=year)
    by_status = dict(
        events.values("status").annotate(n=Count("pk")).values_list("status", "n").order_by()
    )
    invitations = Invitation.objects.filter(event__in=events.values("pk")).filter(_viewing(user))
    first, last = fiscal_year_bounds(year)
    areas = [] if access.NATIONAL in scope else Area.objects.filter(code__in=scope)
    return YearTotals(
        year=year,
        first=first,
        last=last,
        areas=list(areas),
        held=by_status.get(EventStatus.DONE, 0),
        planned=by_status.get(EventStatus.PLANNED, 0) + by_status.get(EventStatus.INVITED, 0),
        cancelled=by_status.get(EventStatus.CANCELLED, 0),
        trained=_trained(year).filter(_viewing(user)).count(),
        certificates=learning.certificates_issued(invitations).count(),
    )


def event_get(*, user: Any, pk: Any, manage: bool = False) -> TrainingEvent:
    """One event the user may see (or manage); 404 when missing or not theirs."""
    if manage:
        queryset = access.visible_to(
            user, TrainingEvent.objects.all(), perm=Perm.MANAGE_TRAINING, own=NOBODY
        )
    else:
        queryset = _events_seen(user)
    queryset = queryset.select_related("centre", "area", "venue_area", "created_by")
    try:
        return queryset.prefetch_related("competencies").get(pk=pk)
    except (TrainingEvent.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def can_manage(user: Any, event: TrainingEvent) -> bool:
    return access.can(user, Perm.MANAGE_TRAINING, event.area_id)


def event_sessions(*, event: TrainingEvent) -> list[Session]:
    return list(event.sessions.annotate(n_attended=Count("attendance")))


def invitation_counts(*, user: Any, event: TrainingEvent) -> dict[str, int]:
    """How many invitations of each status (in the user's scope), and how many not sent yet."""
    rows = (
        Invitation.objects.filter(event=event)
        .filter(_viewing(user))
        .values("status", sent=Q(invited_at__isnull=False))
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {status.value: 0 for status in InvitationStatus}
    counts.update(total=0, unsent=0)
    for row in rows:
        counts["total"] += row["n"]
        if row["sent"]:
            counts[row["status"]] += row["n"]
        else:
            counts["unsent"] += row["n"]
    return counts


def invitation_list(
    *, user: Any, event: TrainingEvent, search: str = "", status: str = ""
) -> QuerySet[Invitation]:
    """The event's list as the user may see it, for the invitations page (paginated there)."""
    queryset = Invitation.objects.filter(event=event).filter(_viewing(user))
    search = " ".join(search.split())
    if search:
        volunteers = _search(Volunteer.objects.all(), search)
        queryset = queryset.filter(volunteer__in=volunteers.values("pk"))
    if status == "unsent":
        queryset = queryset.filter(invited_at__isnull=True)
    elif status in InvitationStatus.values:
        queryset = queryset.filter(status=status, invited_at__isnull=False)
    elif status == "by_hand":
        queryset = queryset.filter(added_by_hand=True)
    return queryset.select_related("volunteer", "area__parent").order_by(
        "area_id", *thai_order("volunteer__first_name", "volunteer__last_name"), "pk"
    )


def invitation_get(*, user: Any, pk: Any) -> Invitation:
    """An invitation of an event the user manages; 404 otherwise."""
    return access.get_visible_or_404(
        user,
        Invitation.objects.select_related("event", "volunteer"),
        field="event__area",
        perm=Perm.MANAGE_TRAINING,
        own=NOBODY,
        pk=pk,
    )


def excluded_volunteers(*, event: TrainingEvent) -> list[Volunteer]:
    ids = event.criteria.get("excluded", [])
    if not ids:
        return []
    return list(
        Volunteer.objects.filter(pk__in=ids)
        .select_related("area")
        .order_by(*thai_order("first_name"))
    )


def invite_candidates(*, event: TrainingEvent, search: str) -> list[Volunteer]:
    """Active volunteers of the organiser's area not on the list, to add by hand."""
    search = " ".join(search.split())
    if not search:
        return []
    queryset = Volunteer.objects.filter(
        within(event.area_id, "area"), status=VolunteerStatus.ACTIVE
    ).exclude(invitations__event=event)
    return list(
        _search(queryset, search).select_related("area").order_by(*thai_order("first_name"))[:20]
    )


# --- a volunteer's own -----------------------------------------------------------------------


def my_volunteer(*, user: Any) -> Volunteer | None:
    return volunteer_of(user)


def my_invitations(*, volunteer: Volunteer) -> list[Invitation]:
    """The invitations sent to the volunteer, newest event first, with what the page shows."""
    return list(
        Invitation.objects.filter(volunteer=volunteer, invited_at__isnull=False)
        .select_related("event__venue_area", "event__centre", "certificate", "evaluation")
        .prefetch_related(
            Prefetch("event__quizzes", queryset=Quiz.objects.filter(open=True)),
            Prefetch("event__sessions", queryset=Session.objects.order_by("starts_at")),
        )
        .order_by("-event__starts_on", "-pk")
    )


def my_invitation_get(*, user: Any, pk: Any) -> Invitation:
    """The user's own sent invitation; 404 for anyone else's."""
    try:
        return Invitation.objects.select_related("event", "volunteer").get(
            pk=pk, volunteer__user=user, invited_at__isnull=False
        )
    except (Invitation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# --- a volunteer's training record -----------------------------------------------------------


@dataclass
class ServiceLength:
    years: int
    months: int


def service_length(since: date | None, today: date) -> ServiceLength | None:
    """Whole years and months from the registration date (12 ปี 3 เดือน)."""
    if since is None or since > today:
        return None
    months = (today.year - since.year) * 12 + today.month - since.month
    if today.day < since.day:
        months -= 1
    return ServiceLength(months // 12, months % 12)


@dataclass
class TrainingRecord:
    volunteer: Volunteer
    service: ServiceLength | None
    invitations: Sequence[Invitation] = field(default_factory=list)
    grants: list[CompetencyGrant] = field(default_factory=list)
    awards: list[Award] = field(default_factory=list)


def training_record(*, volunteer: Volunteer) -> TrainingRecord:
    """A volunteer's trainings (sessions attended of how many), competencies and awards."""
    today = timezone.localdate()
    invitations = list(
        Invitation.objects.filter(volunteer=volunteer)
        .filter(
            Q(invited_at__isnull=False)
            | Q(Exists(Attendance.objects.filter(invitation=OuterRef("pk"))))
        )
        .select_related("event__centre", "certificate")
        .annotate(
            n_attended=Count("attendance", distinct=True),
            n_sessions=Count("event__sessions", distinct=True),
        )
        .order_by("-event__starts_on", "-pk")
    )
    grants = list(
        CompetencyGrant.objects.filter(volunteer=volunteer)
        .select_related("competency", "event")
        .order_by("competency__order", "-granted_on")
    )
    for grant in grants:
        grant.valid = grant.expires_on is None or grant.expires_on >= today  # type: ignore[attr-defined]
    awards = list(Award.objects.filter(volunteer=volunteer).order_by("-fiscal_year", "title"))
    return TrainingRecord(
        volunteer=volunteer,
        service=service_length(volunteer.registration_date, today),
        invitations=invitations,
        grants=grants,
        awards=awards,
    )


# --- coverage ----------------------------------------------------------------------------------


@dataclass
class CoverageRow:
    area: Area
    active: int = 0
    trained: int = 0
    by_competency: list[int] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.trained / self.active * 100 if self.active else 0.0

    @property
    def competency_cells(self) -> list[tuple[int, float]]:
        return [(n, n / self.active * 100 if self.active else 0.0) for n in self.by_competency]


@dataclass
class Coverage:
    area: Area
    fiscal_year: int
    competencies: list[Competency]
    total: CoverageRow
    rows: list[CoverageRow]  # districts, each followed by its subdistricts


def coverage_area(*, user: Any, code: str) -> Area:
    """The area of a coverage report, if the user may see trainings there (not volunteers)."""
    if not (code.isdigit() and len(code) in (2, 4, 6)):
        raise Http404
    return access.get_visible_or_404(
        user,
        Area.objects.select_related("parent"),
        field="code",
        perm=Perm.VIEW_TRAINING,
        own=NOBODY,
        code=code,
    )


def current_fiscal_year() -> int:
    return fiscal_year(timezone.localdate())


def counted_on(year: int) -> date | None:
    """The day a fiscal year's figures count volunteers on: its last, once it is over (so that
    they agree with the volunteer figures of that year); None for today's status."""
    last = fiscal_year_bounds(year)[1]
    return last if last < timezone.localdate() else None


def _active(year: int) -> QuerySet[Volunteer]:
    """The volunteers active at the end of a past fiscal year, or now in the current one."""
    day = counted_on(year)
    if day is None:
        return Volunteer.objects.filter(status=VolunteerStatus.ACTIVE)
    return Volunteer.objects.alias(then=status_on(day)).filter(then=VolunteerStatus.ACTIVE)


def _active_in(code: str, year: int) -> QuerySet[Volunteer]:
    return _active(year).filter(within(code, "area"))


def _trained(year: int) -> QuerySet[Volunteer]:
    """Active volunteers trained in the fiscal year: the coverage report's and the event list's
    figure, so that both give the same number for an area."""
    return _active(year).filter(trained_in(year))


def coverage(*, area: Area, year: int) -> Coverage:
    """Per district and subdistrict inside `area`: active volunteers, those trained in the
    fiscal year (criteria.trained_in), and those holding a valid grant of each competency.
    Five grouped queries whatever the size of the area."""
    day = counted_on(year) or timezone.localdate()
    competencies = list(Competency.objects.all())
    index = {c.code: i for i, c in enumerate(competencies)}
    active = dict(
        _active_in(area.code, year)
        .values("area_id")
        .annotate(n=Count("id"))
        .values_list("area_id", "n")
    )
    trained = dict(
        _trained(year)
        .filter(within(area.code, "area"))
        .values("area_id")
        .annotate(n=Count("id"))
        .values_list("area_id", "n")
    )
    held = (
        CompetencyGrant.objects.filter(within(area.code, "volunteer__area"))
        .filter(volunteer__in=_active(year), granted_on__lte=day)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=day))
        .values("volunteer__area_id", "competency_id")
        .annotate(n=Count("volunteer_id", distinct=True))
        .values_list("volunteer__area_id", "competency_id", "n")
    )
    areas = list(
        Area.objects.filter(within(area.code))
        .filter(level__in=[Level.DISTRICT, Level.SUBDISTRICT])
        .order_by("code")
    )
    rows = {a.code: CoverageRow(a, by_competency=[0] * len(competencies)) for a in areas}
    total = CoverageRow(area, by_competency=[0] * len(competencies))

    def up(code: str) -> list[CoverageRow]:
        found = [rows[code[:n]] for n in (4, 6) if len(code) >= n and code[:n] in rows]
        return [*found, total]

    for code, n in active.items():
        for row in up(code):
            row.active += n
    for code, n in trained.items():
        for row in up(code):
            row.trained += n
    for code, competency, n in held:
        for row in up(code):
            row.by_competency[index[competency]] += n
    shown = [r for r in rows.values() if r.area.code != area.code]
    return Coverage(area, year, competencies, total, shown)


def untrained_volunteers(*, area: Area, year: int) -> QuerySet[Volunteer]:
    """Active volunteers of the area not trained in the fiscal year, for the next event."""
    return coverage_volunteers(area=area, year=year, listed=UNTRAINED)


UNTRAINED, NEVER = "", "never"  # the coverage page's lists, besides a competency's holders


def coverage_listed(typed: str) -> str:
    """The list asked for: UNTRAINED, NEVER, or a competency's code (its holders)."""
    if typed == NEVER or Competency.objects.filter(code=typed).exists():
        return typed
    return UNTRAINED


def coverage_volunteers(*, area: Area, year: int, listed: str) -> QuerySet[Volunteer]:
    """Active volunteers of the area: not trained in the fiscal year (UNTRAINED), never
    trained at all (NEVER: no session attended, no competency granted, ever), or holding a
    valid grant of the competency `listed` on the day the report counts."""
    volunteers = _active_in(area.code, year)
    if listed == UNTRAINED:
        volunteers = volunteers.exclude(trained_in(year))
    elif listed == NEVER:
        attended = Attendance.objects.filter(invitation__volunteer=OuterRef("pk"))
        granted = CompetencyGrant.objects.filter(volunteer=OuterRef("pk"))
        volunteers = volunteers.exclude(Exists(attended)).exclude(Exists(granted))
    else:
        day = counted_on(year) or timezone.localdate()
        held = CompetencyGrant.objects.filter(
            volunteer=OuterRef("pk"), competency_id=listed, granted_on__lte=day
        ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=day))
        volunteers = volunteers.filter(Exists(held))
    return volunteers.select_related("area__parent").order_by(
        "area_id", *thai_order("first_name", "last_name"), "pk"
    )


def coverage_area_or_none(*, user: Any, code: str) -> Area | None:
    try:
        return coverage_area(user=user, code=code)
    except Http404:
        return None


def coverage_choices(*, user: Any) -> list[Area]:
    """The areas a coverage report can start from: the user's own areas, or every province
    for the whole country (the report then goes down to districts and subdistricts)."""
    codes = coverage_codes(user=user)
    areas = Area.objects.filter(code__in=codes) if codes else Area.objects.none()
    if access.NATIONAL in coverage_scope(user=user):
        areas = Area.objects.filter(level=Level.PROVINCE)
    return list(areas.order_by(*thai_order("name_th")))


def coverage_scope(*, user: Any) -> list[str]:
    """The outermost codes where the user may read coverage reports (NATIONAL: the whole
    country). The report names other volunteers, so a volunteer's grant counts for none
    (as in `coverage_area`, own=NOBODY): it is a page of coordinators, officers and auditors."""
    held = sorted(
        {
            g.area_code
            for g in access.grants(user)
            if Perm.VIEW_TRAINING in access.ROLE_PERMISSIONS[g.role]
            and g.role not in access.OWN_RECORDS_ONLY
        }
    )
    # A covering code sorts before the codes inside it.
    return [c for i, c in enumerate(held) if not any(c.startswith(o) for o in held[:i])]


def coverage_codes(*, user: Any) -> list[str]:
    """Where the user's coverage reports start: their outermost areas (none: choose)."""
    return [c for c in coverage_scope(user=user) if c]


# --- organiser choices -------------------------------------------------------------------------


def centre_options(*, user: Any) -> QuerySet[Centre]:
    """Centres the user may organise events for."""
    return access.visible_to(
        user, Centre.objects.all(), perm=Perm.MANAGE_TRAINING, own=NOBODY
    ).select_related("area")


# --- awards --------------------------------------------------------------------------------


def award_list(*, user: Any, year: int | None = None, status: str = "") -> QuerySet[Award]:
    queryset = access.visible_to(
        user, Award.objects.all(), perm=Perm.VIEW_TRAINING, own=Q(volunteer__user=user)
    )
    if year:
        queryset = queryset.filter(fiscal_year=year)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.select_related("volunteer", "area__parent", "nominated_by", "decided_by")


def award_get(*, user: Any, pk: Any) -> Award:
    """A nomination the user may act on (MANAGE_TRAINING over its area); 404 otherwise."""
    return access.get_visible_or_404(
        user,
        Award.objects.select_related("volunteer"),
        perm=Perm.MANAGE_TRAINING,
        own=NOBODY,
        pk=pk,
    )


def award_candidates(*, user: Any, search: str) -> list[Volunteer]:
    search = " ".join(search.split())
    if not search:
        return []
    queryset = access.visible_to(
        user,
        Volunteer.objects.filter(status=VolunteerStatus.ACTIVE),
        perm=Perm.MANAGE_TRAINING,
        own=NOBODY,
    )
    return list(
        _search(queryset, search).select_related("area").order_by(*thai_order("first_name"))[:20]
    )


def award_volunteer(*, user: Any, pk: Any) -> Volunteer:
    return access.get_visible_or_404(
        user,
        Volunteer.objects.select_related("area"),
        perm=Perm.MANAGE_TRAINING,
        own=NOBODY,
        pk=pk,
    )
