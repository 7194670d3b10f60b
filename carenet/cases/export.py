"""The case list as a CSV or XLSX file: the cases the list finds with the same filters and
period, in its order, one row each, for the month-end figures an officer sends on.

Scope: the list's own (access.cases_visible, other people's drafts left out), narrowed to the
areas where the user may export (EXPORT_DATA: coordinators, officers, auditors; never a
volunteer). A row names people only where the case pages show them to that user: a
restricted case (violence, abuse, trafficking) the user may not read keeps its number,
dates, status, urgency and area, as its row in the list does, and nothing else; and a person
who withdrew consent is not named, since the registry's exports do not hand such people on in
files either (the row stays, so that the counts agree with the list). No citizen ID is written.

The file is written the way the other exports are (spreadsheets.exporting: a BOM for Excel,
cells that would run as formulas kept as text, the rows read a chunk at a time). Exporting is
audited: one row at the areas the export covered, with the format, the row count and the
filters in words, before the first row is written.
"""

from collections.abc import Iterator
from datetime import date
from typing import Any

from django.contrib.humanize.templatetags.humanize import intcomma
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.areas.models import Area
from carenet.cases.models import Case, CaseStatus, Urgency
from carenet.cases.selectors import CaseFilters, case_queryset, limits_table, listed
from carenet.core import thaidate
from carenet.core.services import audit_areas, audit_record_each
from carenet.core.tabular import CellType
from carenet.households.models import Person, restricted_q
from carenet.spreadsheets.exporting import ListExport, read_in_chunks
from carenet.volunteers.models import Volunteer

FORMATS = ("csv", "xlsx")
ENDED = (CaseStatus.CLOSED, CaseStatus.DECLINED)
XLSX_MAX_ROWS = 50_000


# The file's columns, and how a workbook writes each (the CSV writes dates in the Buddhist
# Era): the days as dates and the amount as a number, so that they sort and add up.
COLUMNS: list[tuple[Any, CellType]] = [
    (gettext_lazy("Case number"), CellType.TEXT),
    (gettext_lazy("Submitted on"), CellType.DATE),
    (gettext_lazy("Closed on"), CellType.DATE),
    (gettext_lazy("Status"), CellType.TEXT),
    (gettext_lazy("Category"), CellType.TEXT),
    (gettext_lazy("Urgency"), CellType.TEXT),
    (gettext_lazy("Village"), CellType.TEXT),
    (gettext_lazy("Subdistrict"), CellType.TEXT),
    (gettext_lazy("District"), CellType.TEXT),
    (gettext_lazy("Head of household"), CellType.TEXT),
    (gettext_lazy("Affected person"), CellType.TEXT),
    (gettext_lazy("Volunteer who raised it"), CellType.TEXT),
    (gettext_lazy("Volunteers on the case"), CellType.TEXT),
    (gettext_lazy("Amount asked (baht)"), CellType.NUMBER),
    (gettext_lazy("How the case ended"), CellType.TEXT),
    (gettext_lazy("How it ended, or why it was declined"), CellType.TEXT),
    (gettext_lazy("Not shown"), CellType.TEXT),
]
CELLS = [cell for _label, cell in COLUMNS]


def headers() -> list[str]:
    return [str(label) for label, _cell in COLUMNS]


def export_queryset(*, user: Any, filters: CaseFilters) -> QuerySet[Case]:
    """The list's cases with these filters, within the areas the user may export."""
    found = case_queryset(user=user, filters=filters, now=timezone.now(), table=limits_table())
    return access.visible_to(user, found, perm=Perm.EXPORT_DATA)


def count(*, user: Any, filters: CaseFilters) -> int:
    return export_queryset(user=user, filters=filters).count()


@transaction.atomic
def case_export_prepare(
    *, user: Any, filters: CaseFilters, fmt: str, described: str, row_count: int
) -> ListExport:
    """Logs the export (at the area filtered to, else the user's export scope) and returns
    it, its rows read as they are written."""
    codes = [filters.area] if filters.area else access.scope_codes(user, Perm.EXPORT_DATA)
    audit_record_each(
        areas=audit_areas(codes),
        actor=user,
        action="case.export",
        details={"format": fmt, "rows": row_count, "area": filters.area, "filters": described},
    )
    rows = _rows(user, export_queryset(user=user, filters=filters))
    return ListExport(_file_name(filters), fmt, headers(), rows, row_count)


def _file_name(filters: CaseFilters) -> str:
    """ "cases-submitted-25691101-25691130": the period the file holds, in BE, in its name."""
    if not filters.dated:
        return "cases"
    days = [thaidate.file_stamp(d) if d else "" for d in (filters.since, filters.until)]
    return f"cases-{filters.period}-{days[0]}-{days[1]}".rstrip("-")


def _rows(user: Any, queryset: QuerySet[Case]) -> Iterator[list[Any]]:
    """The cells, a chunk at a time: one query for the keys, one for each chunk, one for its
    volunteers and one for the names of the areas it brings."""
    people = Person.objects.filter(restricted_q())
    queryset = (
        listed(user, queryset)
        .select_related("household__head", "volunteer")
        .prefetch_related(
            Prefetch("case_volunteers", queryset=Volunteer.objects.order_by("first_name", "pk"))
        )
        .annotate(
            person_withdrew=Exists(people.filter(pk=OuterRef("person_id"))),
            head_withdrew=Exists(people.filter(pk=OuterRef("household__head_id"))),
        )
    )
    areas: dict[str, Area] = {}
    for chunk in read_in_chunks(queryset):
        wanted = {c.area_id[:n] for c in chunk for n in (4, 6, 8)} - set(areas)
        if wanted:
            areas.update((a.code, a) for a in Area.objects.filter(code__in=wanted))
        for case in chunk:
            yield _cells(case, areas)


def _cells(case: Any, areas: dict[str, Area]) -> list[Any]:
    shows = bool(case.shows)
    head = case.household.head if shows and not case.head_withdrew else None
    person = case.person if shows and not case.person_withdrew else None
    code = case.area_id
    return [
        case.number,
        _day(case.submitted_at),
        _day(case.closed_at),
        case.get_status_display(),
        _category(case) if shows else "",
        str(Urgency.URGENT.label if case.urgent else Urgency.NORMAL.label),
        *(_area_name(areas, code[:n]) if len(code) >= n else "" for n in (8, 6, 4)),
        head.full_name if head is not None else "",
        person.full_name if person is not None else "",
        case.volunteer.full_name if shows and case.volunteer is not None else "",
        ", ".join(v.full_name for v in case.case_volunteers.all()) if shows else "",
        case.amount_requested if shows else None,
        case.get_outcome_display() if shows else "",
        case.outcome_note if shows and case.status in ENDED else "",
        _left_out(case),
    ]


def _day(moment: Any) -> date | None:
    """The day, in Bangkok, of a moment stored in UTC."""
    return timezone.localdate(moment) if moment is not None else None


def _left_out(case: Any) -> str:
    """Why a row names nobody, or fewer people than the case has."""
    if not case.shows:
        return _("a restricted case: only the people assigned to it and the province read it")
    if case.person_withdrew or (case.household.head_id and case.head_withdrew):
        return _("names left out: consent withdrawn")
    return ""


def _area_name(areas: dict[str, Area], code: str) -> str:
    area = areas.get(code)
    return area.label if area is not None else ""


def _category(case: Case) -> str:
    english = (get_language() or "th").startswith("en")
    return case.category.name_en if english and case.category.name_en else case.category.name_th


def too_long_for_xlsx(row_count: int) -> str:
    return _(
        "The list holds %(rows)s cases, more than an Excel file takes here (%(max)s). "
        "Download it as CSV, which Excel opens too, or narrow the filters."
    ) % {"rows": intcomma(row_count), "max": intcomma(XLSX_MAX_ROWS)}
