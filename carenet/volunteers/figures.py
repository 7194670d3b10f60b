"""The volunteer figures the ministry asks each province for (ตัวเลข อพม.), for a period.

Per area under the one chosen (districts of a province, subdistricts of a district; the areas
of the user's scope when they have several), and in all:

* in the network (active or inactive) at the start, on the day before the period, and at its
  end, on its last day with that day's changes (today, for a period not over yet);
* registered in the period, by their registration date;
* status changes effective in the period, by the status moved to: became inactive, became
  active again (from inactive, resigned or removed), resigned, removed, died. A volunteer is
  counted once per kind however often they moved so; changes taken back as mistakes are not
  counted (history.standing_changes);
* the active volunteers at the end, by sex and by age band on that day.

Everything comes from the status history (history.py), read in two grouped queries whatever
the number of areas or volunteers. A volunteer is counted in the area they serve now. These
are the pages of those who follow an area's work, as the monthly summary is: not a
volunteer's (FIGURES_PERM).
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.areas.models import Area, Level, within
from carenet.core.people import Sex
from carenet.core.periods import Period
from carenet.volunteers.history import (
    AGE_KEYS,
    AGE_LABELS,
    LEAVING,
    LEFT,
    REGISTERED,
    UNKNOWN_AGE,
    HistoryFilter,
    age_band,
    changed_q,
    standing_changes,
    status_on,
)
from carenet.volunteers.models import IN_NETWORK, Volunteer, VolunteerStatus

FIGURES_PERM = Perm.VIEW_FOLLOWUP
# Back in the network from resigned or removed (not from inactive, which never left it): the
# headline's fifth figure, with which start + registered + rejoined - left = end.
REJOINED = "rejoined"
SEXES = (Sex.MALE, Sex.FEMALE, Sex.UNSPECIFIED)
EVERY_STATUS = "all"  # the volunteer list's status filter for every status

# The figure each change of status counts in, by the status moved to.
CHANGE_FIGURES = {
    VolunteerStatus.INACTIVE: "inactive",
    VolunteerStatus.ACTIVE: "back",
    VolunteerStatus.RESIGNED: "resigned",
    VolunteerStatus.REMOVED: "removed",
    VolunteerStatus.DECEASED: "deceased",
}
# The columns of the two tables: (figure, header).
MOVES = (
    ("start", pgettext_lazy("figures column", "at the start")),
    ("registered", pgettext_lazy("figures column", "registered")),
    ("inactive", pgettext_lazy("figures column", "became inactive")),
    ("back", pgettext_lazy("figures column", "active again")),
    ("resigned", pgettext_lazy("figures column", "resigned")),
    ("removed", pgettext_lazy("figures column", "removed")),
    ("deceased", pgettext_lazy("figures column", "died")),
    ("end", pgettext_lazy("figures column", "at the end")),
)
SEX_FIGURES = {sex: f"sex_{sex}" for sex in SEXES}
AGE_FIGURES = {key: "age_" + key.replace("-", "_").replace("+", "") for key in AGE_KEYS}
PROFILE = (
    ("active", pgettext_lazy("figures column", "active")),
    (SEX_FIGURES[Sex.MALE], pgettext_lazy("figures column", "male")),
    (SEX_FIGURES[Sex.FEMALE], pgettext_lazy("figures column", "female")),
    (SEX_FIGURES[Sex.UNSPECIFIED], pgettext_lazy("figures column", "sex not recorded")),
    *((AGE_FIGURES[key], label) for key, label in AGE_LABELS.items()),
)


@dataclass(frozen=True)
class Cell:
    key: str
    label: Any
    n: int
    query: str  # the volunteer list's query string that lists the volunteers counted


@dataclass
class FigureRow:
    """One line of the figures: an area, or the total (the chosen area, or None)."""

    area: Area | None
    label: str
    # Each figure (MOVES, PROFILE) by its key: start and end are in the network (active or
    # inactive); active, by sex and by age, are the active at the end.
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            (*(key for key, _label in (*MOVES, *PROFILE)), REJOINED), 0
        )
    )
    queries: dict[str, str] = field(default_factory=dict)  # by figure

    @property
    def left(self) -> int:
        """Out of the network in the period: resigned, removed or died (the tile beside
        start, registered, came back and end, which only then add up)."""
        return sum(self.counts[CHANGE_FIGURES[status]] for status in LEAVING)

    def add(self, other: "FigureRow") -> None:
        for key, n in other.counts.items():
            self.counts[key] += n

    def _cells(self, columns: tuple[tuple[str, Any], ...]) -> list[Cell]:
        return [
            Cell(key, label, self.counts[key], self.queries.get(key, "")) for key, label in columns
        ]

    @property
    def moves(self) -> list[Cell]:
        return self._cells(MOVES)

    @property
    def profile(self) -> list[Cell]:
        return self._cells(PROFILE)


@dataclass
class VolunteerFigures:
    period: Period
    end: date  # the last day counted: the period's last, or today for one not over
    base: Area | None
    rows: list[FigureRow]
    total: FigureRow
    # Status changes in force by the period's end but recorded after it: they changed its
    # figures since they could first be read (a report sent then no longer matches).
    recorded_late: int = 0

    @property
    def so_far(self) -> bool:
        return self.end < self.period.last


def area_get(*, user: Any, code: str) -> Area | None:
    """A province, district or subdistrict the user follows; None for any other code."""
    code = code.strip()
    if not (code.isdigit() and len(code) in (2, 4, 6)):
        return None
    queryset = access.visible_to(
        user, Area.objects.filter(code=code), field="code", perm=FIGURES_PERM
    )
    return queryset.select_related("parent").first()


def default_base(*, user: Any) -> Area | None:
    """The one area the user follows (a province's, a centre's), when there is one."""
    codes = access.scope_codes(user, FIGURES_PERM)
    if len(codes) != 1 or codes[0] == access.NATIONAL:
        return None
    return area_get(user=user, code=codes[0])


def _row_areas(user: Any, base: Area | None) -> list[Area]:
    """The areas one line each: those just below the base (none below a subdistrict, whose
    volunteers all serve it), or the user's own areas."""
    if base is not None:
        if base.level == Level.SUBDISTRICT:
            return []
        return list(Area.objects.filter(parent_id=base.code).order_by("code"))
    codes = access.scope_codes(user, FIGURES_PERM)
    if access.NATIONAL in codes:
        return list(Area.objects.filter(level=Level.PROVINCE).order_by("code"))
    return list(Area.objects.filter(code__in=codes).order_by("code"))


def volunteer_figures(
    *, user: Any, period: Period, base: Area | None, today: date
) -> VolunteerFigures:
    """The figures of the period for the volunteers the user may see, per area under `base`
    (or per area of the user's scope) and in all, in five queries whatever their number."""
    end = period.counted_until(today)
    areas = _row_areas(user, base)
    rows = {area.code: FigureRow(area, area.label) for area in areas}
    total = FigureRow(base, base.label if base is not None else _("Total"))
    # Volunteers serve subdistricts: their area code's first digits name the row's area.
    lengths = sorted({len(code) for code in rows}) or [len(base.code) if base else 2]
    length = lengths[0] if len(lengths) == 1 else 6

    def row_of(code: str) -> FigureRow | None:
        if not rows:
            return total
        return next((rows[code[:n]] for n in lengths if code[:n] in rows), None)

    volunteers = access.visible_to(user, Volunteer.objects.all(), perm=FIGURES_PERM)
    changes = access.visible_to(
        user, standing_changes(), field="volunteer__area", perm=FIGURES_PERM
    )
    if base is not None:
        volunteers = volunteers.filter(within(base.code, "area"))
        changes = changes.filter(within(base.code, "volunteer__area"))
    _count_volunteers(volunteers, period, end, length, row_of)
    _count_changes(changes, period.first, end, length, row_of)
    if rows:
        for row in rows.values():
            total.add(row)
    # Registrations are left out: loading a province's register writes one for everyone,
    # dated the day each registered; what a report can have missed is a change of status.
    late = (
        changes.filter(effective_date__lte=end, created_at__date__gt=end)
        .exclude(from_status="")
        .count()
    )
    figures = VolunteerFigures(period, end, base, list(rows.values()), total, late)
    for row in [*figures.rows, total]:
        row.queries = _list_queries(row, figures)
    return figures


def _count_volunteers(volunteers: Any, period: Period, end: date, length: int, row_of: Any) -> None:
    found = (
        volunteers.annotate(
            part=Substr("area_id", 1, length),
            before=status_on(period.day_before),
            after=status_on(end),
            band=age_band(end),
        )
        .values("part", "sex", "band")
        .annotate(
            start=Count("pk", filter=Q(before__in=IN_NETWORK)),
            end=Count("pk", filter=Q(after__in=IN_NETWORK)),
            active=Count("pk", filter=Q(after=VolunteerStatus.ACTIVE)),
            registered=Count("pk", filter=changed_q(REGISTERED, period.first, end)),
        )
        .order_by()
    )
    for line in found:
        row = row_of(line["part"])
        if row is None:
            continue
        counts = row.counts
        for key in ("start", "end", "registered", "active"):
            counts[key] += line[key]
        counts[SEX_FIGURES.get(line["sex"], SEX_FIGURES[Sex.UNSPECIFIED])] += line["active"]
        counts[AGE_FIGURES.get(line["band"], AGE_FIGURES[UNKNOWN_AGE])] += line["active"]


def _count_changes(changes: Any, first: date, end: date, length: int, row_of: Any) -> None:
    found = (
        changes.filter(
            effective_date__gte=first, effective_date__lte=end, to_status__in=list(CHANGE_FIGURES)
        )
        .exclude(from_status="")  # a registration: counted by its date
        .annotate(part=Substr("volunteer__area_id", 1, length))
        .values("part", "to_status")
        .annotate(
            n=Count("volunteer_id", distinct=True),
            rejoined=Count("volunteer_id", distinct=True, filter=Q(from_status__in=LEAVING)),
        )
        .order_by()
    )
    for line in found:
        row = row_of(line["part"])
        if row is not None:
            row.counts[CHANGE_FIGURES[line["to_status"]]] += line["n"]
            row.counts[REJOINED] += line["rejoined"]


def _list_queries(row: FigureRow, figures: VolunteerFigures) -> dict[str, str]:
    """The volunteer list's query string for each figure of `row`: the same volunteers."""
    area = row.area.code if row.area is not None else ""
    period, end = figures.period, figures.end

    def listed(status: str, found: HistoryFilter) -> str:
        params = {"area": area, "status": status, **found.params()}
        return urlencode({name: value for name, value in params.items() if value})

    def changed(kind: str) -> str:
        return listed(EVERY_STATUS, HistoryFilter(changed=kind, since=period.first, until=end))

    active = VolunteerStatus.ACTIVE
    queries = {
        "start": listed("", HistoryFilter(on=period.day_before)),
        "end": listed("", HistoryFilter(on=end)),
        "active": listed(active, HistoryFilter(on=end)),
        "registered": changed(REGISTERED),
        "left": changed(LEFT),
        **{figure: changed(kind) for kind, figure in CHANGE_FIGURES.items()},
    }
    for sex, figure in SEX_FIGURES.items():
        queries[figure] = listed(active, HistoryFilter(on=end, sex=sex))
    for key, figure in AGE_FIGURES.items():
        queries[figure] = listed(active, HistoryFilter(on=end, age=key))
    return queries
