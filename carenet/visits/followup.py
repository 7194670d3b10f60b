"""Follow-up for the coordination centre: who is overdue, who has stopped, who has no one.

Each volunteer's overdue list rolls up here into the centre's view of its area:

* **Overdue households**: active households whose next visit fell due before today, and those
  never visited that were registered more than NEVER_VISITED_GRACE_DAYS ago (their first visit
  is due that many days after registration). They are counted by subdistrict and by volunteer,
  and listed, never-visited first and then the longest overdue.
* **Inactive volunteers**: active volunteers whose latest visit is more than
  INACTIVE_AFTER_DAYS days ago, or who have made none.
* **Unassigned households**: active households no volunteer looks after.
* **The monthly summary**: per area under the centre, the visits made in a month, the
  households reached, how many are overdue today, and the volunteers who made fewer visits than
  their target (VisitTarget, set per area; the nearest area above a volunteer's subdistrict
  that has one decides, 4 a month when none does).

Every figure comes from grouped queries over the whole scope, never from a loop over rows, so a
page costs the same number of queries for ten households or thirty thousand (tests prove it).
These are the centre's pages: a volunteer's own-records grant does not open them
(`can_follow_up`): those who hold Perm.VIEW_FOLLOWUP.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from django.core.paginator import Page
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Substr, TruncMonth
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.areas.models import Area, Level, within
from carenet.core import thaidate
from carenet.core.collation import thai_order
from carenet.core.paging import Paginator
from carenet.core.people import full_name
from carenet.core.periods import Month, recent_months
from carenet.households.models import (
    Household,
    HouseholdAssignment,
    HouseholdStatus,
    serving_q,
    volunteer_serves,
)
from carenet.households.selectors import households_visible, person_own_q, withdrawn_q
from carenet.households.vulnerability import priority_level
from carenet.visits.models import Visit, VisitTarget
from carenet.volunteers.models import Volunteer, VolunteerStatus, VolunteerStatusChange
from carenet.volunteers.selectors import with_looks_after

# The permission that opens the follow-up pages; a role table entry of its own would be better.
FOLLOW_UP_PERM = Perm.VIEW_FOLLOWUP
NEVER_VISITED_GRACE_DAYS = 30
INACTIVE_AFTER_DAYS = 60
DEFAULT_VISITS_PER_VOLUNTEER = 4
PAGE_SIZE = 50
# Longest list of volunteers or households shown in one section (each says how many more there
# are and how to narrow to them): drawing rows is most of the overdue page's time once its
# queries are index ranges (bench/README.md, fieldwork).
SHORT_LIST = 25


def can_follow_up(user: Any) -> bool:
    """Whether the user follows up an area (a centre's work), not only their own households."""
    return access.can(user, FOLLOW_UP_PERM)


def start_of_day(day: date) -> datetime:
    """Midnight in Bangkok (the active time zone) at the start of `day`."""
    return timezone.make_aware(datetime.combine(day, time.min))


def overdue_q(today: date) -> Q:
    """Households whose visit is overdue today (see the module docstring). Not those whose
    members all withdrew consent or objected: no visit is recorded there (withdrawn_q)."""
    return late_q(today) & ~withdrawn_q()


def late_q(today: date) -> Q:
    """Past their due date (due_date): the next visit's, or for a household never visited,
    NEVER_VISITED_GRACE_DAYS after it was registered. The volunteer's list reads it too."""
    registered_before = start_of_day(today - timedelta(days=NEVER_VISITED_GRACE_DAYS))
    return Q(next_visit_due__lt=today) | Q(
        next_visit_due__isnull=True, created_at__lt=registered_before
    )


def inactive_q(today: date) -> Q:
    """Volunteers with no visit in INACTIVE_AFTER_DAYS days before `today`, or none at all
    since they were registered that long ago: one registered last week has not fallen
    silent yet."""
    cutoff = start_of_day(today - timedelta(days=INACTIVE_AFTER_DAYS))
    return Q(last_visit_at__lt=cutoff) | Q(last_visit_at__isnull=True, created_at__lt=cutoff)


def due_date(household: Household) -> date:
    if household.next_visit_due is not None:
        return household.next_visit_due
    registered = timezone.localdate(household.created_at)
    return registered + timedelta(days=NEVER_VISITED_GRACE_DAYS)


def area_filter(*, user: Any, code: str) -> Area | None:
    """An area in the user's scope to narrow the pages to; None for anything else."""
    code = code.strip()
    if not code.isdigit() or len(code) not in (2, 4, 6, 8):
        return None
    queryset = access.visible_to(
        user, Area.objects.filter(code=code), field="code", perm=FOLLOW_UP_PERM
    )
    return queryset.select_related("parent").first()


def area_choices(*, user: Any) -> list[Area]:
    """Provinces, districts and subdistricts in scope, for the filter (one query)."""
    queryset = access.visible_to(
        user, Area.objects.exclude(level=Level.VILLAGE), field="code", perm=FOLLOW_UP_PERM
    )
    areas = list(queryset.order_by("code")[:401])
    if len(areas) > 400:  # a national scope: a select of 8,000 subdistricts is no use
        areas = [a for a in areas if a.level != Level.SUBDISTRICT][:400]
    return areas


def _households(user: Any, area: Area | None) -> QuerySet[Household]:
    queryset = households_visible(user).filter(status=HouseholdStatus.ACTIVE)
    return queryset.filter(within(area.code, "area")) if area is not None else queryset


def _volunteers(user: Any, area: Area | None, on: date | None = None) -> QuerySet[Volunteer]:
    """The active volunteers the user sees; with `on`, those who were active on that day
    (by their status history), so that a past month counts who served then."""
    active = Q(status=VolunteerStatus.ACTIVE)
    people = Volunteer.objects.all()
    if on is not None:
        changes = VolunteerStatusChange.objects.filter(volunteer=OuterRef("pk"))
        then = changes.filter(effective_date__lte=on).order_by("-effective_date", "-id")
        people = people.annotate(status_then=Subquery(then.values("to_status")[:1]))
        # A record without any history (none is written without one) keeps its status now.
        active = Q(status_then=VolunteerStatus.ACTIVE) | (~Exists(changes) & active)
    queryset = access.visible_to(
        user, people.filter(active), perm=Perm.VIEW_VOLUNTEERS, own=Q(user=user)
    )
    if area is None:
        return queryset
    if area.level == Level.VILLAGE:  # those who cover the village, among its subdistrict's
        return queryset.filter(area_id=area.code[:6], villages=area.code)  # one row each
    return queryset.filter(within(area.code, "area"))


def _assignments() -> QuerySet[HouseholdAssignment]:
    """Assignments that look after a household: to a volunteer still serving its subdistrict
    (households.models.volunteer_serves)."""
    return HouseholdAssignment.objects.filter(serving_q("household__area_id"))


def _has_volunteer() -> Exists:
    # The household's area from the outer row: no join back to the household per row.
    return Exists(
        HouseholdAssignment.objects.filter(
            serving_q(OuterRef("area_id")), household_id=OuterRef("pk")
        )
    )


# --- The overdue page ------------------------------------------------------------------------


@dataclass
class Group:
    key: str  # the area code, or the volunteer's pk
    label: str
    context: str  # the district of a subdistrict, the subdistrict of a volunteer
    count: int
    without_volunteer: int = 0


@dataclass
class OverdueRow:
    household: Household
    due: date
    days: int
    never_visited: bool
    volunteers: list[Volunteer]
    level: str  # priority level: high, medium or low


@dataclass
class HouseholdLine:
    household: Household
    level: str


@dataclass
class InactiveRow:
    volunteer: Volunteer
    last_visit: date | None
    days: int | None  # since the latest visit


@dataclass
class OverdueReport:
    today: date
    total: int
    without_volunteer: int
    by_subdistrict: list[Group]
    by_volunteer: list[Group]
    volunteer_groups: int  # how many volunteers have overdue households (more than shown)
    page: Page
    inactive: list[InactiveRow]
    inactive_count: int
    unassigned: list[HouseholdLine]
    unassigned_count: int


def overdue_report(
    *,
    user: Any,
    area: Area | None = None,
    volunteer_id: int | None = None,
    page: Any = 1,
    today: date | None = None,
) -> OverdueReport:
    """The centre's overdue page for the user's scope (inside `area` when given)."""
    today = today or timezone.localdate()
    households = _households(user, area)
    overdue = households.filter(overdue_q(today))

    by_area = list(
        overdue.annotate(sub=Substr("area_id", 1, 6))
        .values("sub")
        .annotate(n=Count("pk"), alone=Count("pk", filter=~_has_volunteer()))
        .order_by("sub")
    )
    names = {
        a.code: a
        for a in Area.objects.filter(code__in=[r["sub"] for r in by_area]).select_related("parent")
    }
    by_subdistrict = []
    for row in by_area:
        found = names.get(row["sub"])
        by_subdistrict.append(
            Group(
                key=row["sub"],
                label=found.label if found else row["sub"],
                context=found.parent.label if found and found.parent else "",
                count=row["n"],
                without_volunteer=row["alone"],
            )
        )

    if len({g.context for g in by_subdistrict}) == 1:
        for group in by_subdistrict:  # all in one district: saying so on every row is noise
            group.context = ""

    per_volunteer = list(
        _assignments()
        .filter(household__in=overdue.values("pk"))
        .values(
            "volunteer_id",
            "volunteer__title",
            "volunteer__first_name",
            "volunteer__last_name",
            "volunteer__area__name_th",
            "volunteer__area__name_en",
        )
        .annotate(n=Count("household_id", distinct=True))
        .order_by("-n", *thai_order("volunteer__first_name"), "volunteer_id")
    )
    by_volunteer = [
        Group(
            key=str(row["volunteer_id"]),
            label=full_name(
                row["volunteer__title"], row["volunteer__first_name"], row["volunteer__last_name"]
            ),
            context=_in_language(row["volunteer__area__name_th"], row["volunteer__area__name_en"]),
            count=row["n"],
        )
        for row in per_volunteer[:SHORT_LIST]
    ]

    listed = overdue
    if volunteer_id is not None:
        assigned = HouseholdAssignment.objects.filter(volunteer_id=volunteer_id)
        listed = listed.filter(pk__in=assigned.values("household_id"))
    listed = (
        listed.select_related("area__parent", "head")
        .prefetch_related(
            Prefetch("volunteers", queryset=Volunteer.objects.filter(status=VolunteerStatus.ACTIVE))
        )
        .order_by(F("next_visit_due").asc(nulls_first=True), "created_at", "pk")
    )
    result = Paginator(listed, PAGE_SIZE).get_page(page)
    rows = []
    for household in result.object_list:
        due = due_date(household)
        rows.append(
            OverdueRow(
                household=household,
                due=due,
                days=(today - due).days,
                never_visited=household.next_visit_due is None,
                volunteers=[
                    v for v in household.volunteers.all() if volunteer_serves(v, household.area_id)
                ],
                level=priority_level(household.priority_score),
            )
        )
    result.object_list = cast(Any, rows)

    inactive, inactive_count = _inactive(user, area, today)
    unassigned = households.filter(~_has_volunteer())
    return OverdueReport(
        today=today,
        total=sum(g.count for g in by_subdistrict),
        without_volunteer=sum(g.without_volunteer for g in by_subdistrict),
        by_subdistrict=by_subdistrict,
        by_volunteer=by_volunteer,
        volunteer_groups=len(per_volunteer),
        page=result,
        inactive=inactive,
        inactive_count=inactive_count,
        unassigned=[
            HouseholdLine(h, priority_level(h.priority_score))
            for h in unassigned.select_related("area__parent", "head").order_by(
                "-priority_score", "created_at", "pk"
            )[:SHORT_LIST]
        ],
        unassigned_count=unassigned.count(),
    )


def inactive_volunteers(
    *, user: Any, area: Area | None = None, today: date | None = None
) -> QuerySet[Volunteer]:
    """Active volunteers in scope with no visit in INACTIVE_AFTER_DAYS days (`last_visit_at`
    is None when they never made one); those who never visited first. One who looks after
    no household has nobody to visit: the volunteer list finds those (households=none), as
    the monthly summary says."""
    today = today or timezone.localdate()
    looks_after = HouseholdAssignment.objects.filter(
        volunteer=OuterRef("pk"), household__status=HouseholdStatus.ACTIVE
    )
    # The volunteer's own latest visit, kept by services.visit_record: a range of the index on
    # (status, area, last_visit_at) instead of reading their visits (bench/README.md).
    return (
        _volunteers(user, area)
        .filter(inactive_q(today), Exists(looks_after))
        .order_by(
            F("last_visit_at").asc(nulls_first=True), *thai_order("first_name", "last_name"), "pk"
        )
    )


def _inactive(user: Any, area: Area | None, today: date) -> tuple[list[InactiveRow], int]:
    queryset = inactive_volunteers(user=user, area=area, today=today)
    rows = []
    for volunteer in queryset.select_related("area")[:SHORT_LIST]:
        last = volunteer.last_visit_at
        last_day = timezone.localdate(last) if last is not None else None
        rows.append(InactiveRow(volunteer, last_day, (today - last_day).days if last_day else None))
    return rows, queryset.count()


# --- The monthly summary ---------------------------------------------------------------------


@dataclass
class SummaryRow:
    area: Area | None
    label: str
    visits: int = 0
    households: int = 0
    target: int | None = None  # households to reach in the month
    overdue: int = 0
    volunteers: int | None = None  # active volunteers (None where they are not counted)
    behind: int | None = None

    @property
    def percent(self) -> int | None:
        if not self.target:
            return None
        return round(100 * self.households / self.target)


@dataclass
class BehindRow:
    volunteer_id: int
    name: str
    area_label: str
    visits: int
    target: int


@dataclass
class MonthlySummary:
    month: Month
    base: Area | None
    rows: list[SummaryRow]
    total: SummaryRow
    behind: list[BehindRow]
    behind_count: int
    is_current: bool
    without_households: int = 0  # active volunteers with nobody to visit: not behind


def default_base(*, user: Any) -> Area | None:
    """The one area the user follows up, when there is one (their centre's area)."""
    codes = access.scope_codes(user, FOLLOW_UP_PERM)
    wide = [
        g.area_code
        for g in access.grants(user)
        if g.area_code in codes and g.role not in access.OWN_RECORDS_ONLY
    ]
    if len(set(wide)) != 1 or wide[0] == access.NATIONAL:
        return None
    return Area.objects.select_related("parent").filter(code=wide[0]).first()


def _row_areas(user: Any, base: Area | None) -> list[Area]:
    if base is not None:
        return list(Area.objects.filter(parent_id=base.code).order_by("code"))
    codes = access.scope_codes(user, FOLLOW_UP_PERM)
    if access.NATIONAL in codes:
        return list(Area.objects.filter(level=Level.PROVINCE).order_by("code"))
    return list(Area.objects.filter(code__in=codes).order_by("code"))


def _grouped(queryset: QuerySet[Any], lengths: Iterable[int], **aggregates: Any) -> dict[str, dict]:
    """Aggregates by area-code prefix, one grouped query per prefix length used by the rows."""
    found: dict[str, dict] = {}
    for length in sorted(set(lengths)):
        rows = (
            queryset.annotate(prefix=Substr("area_id", 1, length))
            .values("prefix")
            .annotate(**aggregates)
            .order_by()
        )
        for row in rows:
            found[row["prefix"]] = row
    return found


def _target_for(code: str, targets: dict[str, VisitTarget]) -> int:
    """Visits a month expected of a volunteer serving `code`: the nearest area's target."""
    for length in (6, 4, 2):
        target = targets.get(code[:length]) if length <= len(code) else None
        if target is not None:
            return target.visits_per_volunteer_per_month
    return DEFAULT_VISITS_PER_VOLUNTEER


def summary_table(summary: MonthlySummary, *, today: date) -> tuple[list[str], list[list[Any]]]:
    """The summary's table as a file holds it: a row per area and the total, the month in the
    first column, and the day the overdue households were counted in their header."""
    headers = [
        _("Month"),
        _("Area"),
        _("Area code"),
        _("Visits made"),
        _("Households reached"),
        _("Households to reach (target)"),
        _("% of target"),
        _("Households overdue on %(date)s") % {"date": thaidate.format_numeric(today)},
        _("Active volunteers"),
        _("Volunteers behind their target"),
    ]
    month = summary.month.label + (f" ({_('so far')})" if summary.is_current else "")

    def line(row: SummaryRow, label: str) -> list[Any]:
        code = row.area.code if row.area is not None else ""
        shown = (row.target, row.percent, row.overdue, row.volunteers, row.behind)
        return [month, label, code, row.visits, row.households, *shown]

    rows = [line(row, row.label) for row in summary.rows]
    rows.append(line(summary.total, _("Total") if summary.rows else summary.total.label))
    return headers, rows


def _in_language(thai: str | None, english: str | None) -> str:
    """An area's name in the page's language, as Area.label gives it (the Thai when there is
    no English)."""
    if english and (get_language() or "th").startswith("en"):
        return english
    return thai or ""


def _month_share(month: Month, today: date) -> float:
    """How much of the month has passed by the end of today (1 for a month over): in a month
    under way a volunteer falls behind the target for the days gone, not the whole month's,
    so that nobody is behind on its first day."""
    if today >= month.end:
        return 1.0
    days = (month.end - month.first).days
    return max(0, (today - month.first).days + 1) / days


def monthly_summary(
    *, user: Any, month: Month, base: Area | None, today: date | None = None
) -> MonthlySummary:
    """Visits, households reached, overdue and volunteers falling behind, per area under
    `base` (or per area of the user's scope when there is no single base)."""
    today = today or timezone.localdate()
    areas = _row_areas(user, base)
    lengths = [len(a.code) for a in areas] or [2]
    start, end = start_of_day(month.first), start_of_day(month.end)

    visits = access.visible_to(
        user, Visit.objects.all(), perm=Perm.VIEW_HOUSEHOLDS, own=person_own_q(user)
    ).filter(visited_at__gte=start, visited_at__lt=end)
    if base is not None:
        visits = visits.filter(within(base.code, "area"))
    counts = {"visits": Count("pk"), "households": Count("household_id", distinct=True)}
    visit_counts = _grouped(visits, lengths, **counts)
    overdue = _households(user, base).filter(overdue_q(today))
    overdue_counts = _grouped(overdue, lengths, overdue=Count("pk"))

    target_q = within(base.code, "area") if base is not None else Q()
    if base is not None:
        target_q |= Q(area_id__in=base.ancestor_codes())
    targets = {t.area_id: t for t in VisitTarget.objects.filter(target_q)}

    served_on = min(month.end - timedelta(days=1), today)  # the month's last day, or today
    volunteers = list(
        with_looks_after(_volunteers(user, base, served_on))
        .select_related("area")
        .only("title", "first_name", "last_name", "area__level", "area__name_th", "area__name_en")
    )
    made = {
        row["volunteer_id"]: row["n"]
        for row in Visit.volunteers.through.objects.filter(
            visit__visited_at__gte=start,
            visit__visited_at__lt=end,
            visit__withdrawn_at__isnull=True,
            volunteer_id__in=_volunteers(user, base, served_on).values("pk"),
        )
        .values("volunteer_id")
        .annotate(n=Count("visit_id"))
        .order_by()
    }
    behind: list[BehindRow] = []
    per_area: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # [volunteers, behind]
    share = _month_share(month, today)
    for volunteer in volunteers:
        code = volunteer.area_id
        expected = int(_target_for(code, targets) * share)
        count = made.get(volunteer.pk, 0)
        # One who looks after no household has nobody to visit: the list of volunteers
        # without households finds them, not the list of those falling behind.
        late = count < expected and getattr(volunteer, "looks_after", 1) > 0
        for length in {n for n in lengths if n <= len(code)}:
            per_area[code[:length]][0] += 1
            per_area[code[:length]][1] += int(late)
        if late:
            behind.append(
                BehindRow(volunteer.pk, volunteer.full_name, volunteer.area.label, count, expected)
            )
    behind.sort(key=lambda b: (b.visits - b.target, b.name))

    rows = []
    for area in areas:
        counted = visit_counts.get(area.code, {})
        people = per_area.get(area.code, [0, 0])
        area_target = targets.get(area.code)
        counts_people = area.level != Level.VILLAGE  # volunteers serve whole subdistricts
        rows.append(
            SummaryRow(
                area=area,
                label=area.label,
                visits=counted.get("visits", 0),
                households=counted.get("households", 0),
                target=(area_target.households_per_month or None) if area_target else None,
                overdue=overdue_counts.get(area.code, {}).get("overdue", 0),
                volunteers=people[0] if counts_people else None,
                behind=people[1] if counts_people else None,
            )
        )
    base_target = targets.get(base.code) if base is not None else None
    row_targets = [r.target for r in rows if r.target]
    # Counted over the whole scope, not added up from the rows: a scope of a district and a
    # subdistrict elsewhere has rows of two lengths, and one inside the other has rows that
    # overlap.
    in_all = visits.aggregate(**counts)
    total = SummaryRow(
        area=base,
        label=base.label if base is not None else _("Total"),
        visits=in_all["visits"],
        households=in_all["households"],
        # Without a target of its own, the sum of its areas' targets, when every one has one:
        # one subdistrict's 150 was a whole district's, 2,734% met.
        target=(base_target.households_per_month or None)
        if base_target
        else (sum(row_targets) if rows and len(row_targets) == len(rows) else None),
        overdue=overdue.count(),
        volunteers=len(volunteers),
        behind=len(behind),
    )
    return MonthlySummary(
        month=month,
        base=base,
        rows=rows,
        total=total,
        behind=behind[:SHORT_LIST],
        behind_count=len(behind),
        is_current=month.first == today.replace(day=1),
        without_households=sum(not getattr(v, "looks_after", 1) for v in volunteers),
    )


# --- A volunteer's activity ------------------------------------------------------------------


@dataclass
class MonthActivity:
    month: Month
    visits: int
    minutes: int
    acknowledged: int

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)


def volunteer_for_activity(*, user: Any, pk: Any) -> Volunteer:
    """A volunteer whose activity the user may see: their own, or any in a coordinator's or
    officer's area; 404 otherwise."""
    return access.get_visible_or_404(
        user,
        Volunteer.objects.select_related("area__parent"),
        perm=Perm.VIEW_VOLUNTEERS,
        own=Q(user=user),
        pk=pk,
    )


def volunteer_activity(
    *, volunteer: Volunteer, today: date | None = None, months: int = 12
) -> list[MonthActivity]:
    """Visits, time spent and visits acknowledged by the centre, per month, oldest first.

    A visit made by two volunteers counts for each of them, with its whole duration.
    """
    today = today or timezone.localdate()
    shown = list(reversed(recent_months(today, months)))
    rows = (
        Visit.objects.filter(volunteers=volunteer, visited_at__gte=start_of_day(shown[0].first))
        .annotate(month=TruncMonth("visited_at"))
        .values("month")
        .annotate(
            n=Count("pk"),
            minutes=Sum("duration_minutes"),
            acknowledged=Count("pk", filter=Q(acknowledged_at__isnull=False)),
        )
        .order_by("month")
    )
    by_month = {}
    for row in rows:
        first = row["month"]
        if isinstance(first, datetime):
            first = timezone.localtime(first) if timezone.is_aware(first) else first
            first = first.date()
        by_month[first.replace(day=1)] = row
    return [
        MonthActivity(
            month=m,
            visits=by_month.get(m.first, {}).get("n", 0),
            minutes=by_month.get(m.first, {}).get("minutes", 0) or 0,
            acknowledged=by_month.get(m.first, {}).get("acknowledged", 0),
        )
        for m in shown
    ]
