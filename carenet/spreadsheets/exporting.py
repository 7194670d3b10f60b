"""Exports: the volunteers and the households of a user's scope, as CSV or XLSX.

An export is the same file an import reads. Its header row is the first (Thai) alias of every
column declared in columns.py, and its cells are written by columns.py's own helpers, so a
coordinator can export, correct in Excel and import the file again. Households come one row per
person; the household_ref column (the household's number in Carenet) groups the rows of one
household.

An export never reaches past the user's scope: the rows come from the same filters as the
pages (access.visible_to; for households, the households selectors, which narrow a volunteer to
the households assigned to them). An area filter narrows within that scope; an area entirely
outside it is refused (AreaOutOfScope) rather than answered with an empty file, so the page can
give the same 404 as for an area that does not exist, and the command can say so.

People who withdrew consent (and gave none since) are left out: their records stay in Carenet,
restricted, but are not handed on in files.

Exports carry citizen IDs in clear, so each one is a logged read: `export_prepare` writes an
audit row (who, what, the scope and area, the format and the row count) before the first row
goes out. The row carries the area the export covered, so that the province reads it in its
log: the area chosen, or with none chosen ("all my areas") the user's scope. A scope of several
areas gets one row per area, each with the rows that area gave, so that every area's log shows
what left it, and no area reads of another's.

Size: rows are read with iterator(chunk_size=CHUNK), and the related rows a chunk needs come
with one prefetch query per relation, so the number of queries grows with the number of chunks,
never with the number of rows, and memory holds one chunk at a time. CSV is streamed as it is
written (UTF-8 with a byte-order mark, so that Excel shows the Thai). XLSX goes through
openpyxl's write-only mode into a temporary file, which the response then streams. Every text
cell passes through tabular.neutralize_formula, so a name such as "=HYPERLINK(...)" reaches the
spreadsheet as text, never as a formula.

A CSV's cells are all text, its dates in the Buddhist Era (26/02/2568). A workbook writes each
column as its declaration says (Column.cell): counts and coordinates as numbers, dates and the
as_of moment as dates a spreadsheet sorts, filters and counts years with, shown in the
Buddhist Era (DATE_FORMAT); citizen IDs, phone numbers and codes stay text. The import reads
either back as it was written.
"""

import codecs
import csv
import io
import re
import tempfile
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from functools import partial
from itertools import chain, islice, repeat
from typing import IO, Any, NamedTuple

from django.db.models import Case, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.http import FileResponse, HttpResponseBase, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.areas.models import Area, within
from carenet.core import citizen_id, thaidate
from carenet.core.services import audit_record
from carenet.core.tabular import (
    CellType,
    looks_like_formula,
    neutralize_formula,
    reads_back_as_date,
)
from carenet.households.models import (
    Consent,
    Evacuation,
    HouseholdAssignment,
    HouseholdStatus,
    Person,
    PersonStatus,
    restricted_q,
)
from carenet.households.selectors import HouseholdFilters, household_queryset, people_visible
from carenet.spreadsheets import columns
from carenet.volunteers import selectors as volunteer_selectors
from carenet.volunteers.history import standing_changes
from carenet.volunteers.models import Volunteer

CHUNK = 2000
CSV_ROWS_PER_WRITE = 500
# Column widths come from the header and the first rows, in characters Excel counts.
WIDTH_SAMPLE = 200
MIN_WIDTH = 6
MAX_WIDTH = 45
HEADER_FILL = PatternFill("solid", fgColor="E6F2F2")
AREA_FIELDS = ("code", "level", "name_th", "name_en", "moo")


class Dataset(StrEnum):
    HOUSEHOLDS = "households"
    VOLUNTEERS = "volunteers"


class Format(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


CONTENT_TYPES = {
    Format.CSV: "text/csv; charset=utf-8",
    Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# The permission whose scope an export of each dataset covers (the pages' own).
VIEW_PERM = {Dataset.HOUSEHOLDS: Perm.VIEW_HOUSEHOLDS, Dataset.VOLUNTEERS: Perm.VIEW_VOLUNTEERS}
# Who gets citizen IDs in clear: those who work with the records (as the reveal on a person's
# page, households.services.person_reveal_citizen_id). The read-only auditor's file shows each
# ID masked to its last digits (x-xxxx-xxxxx-12-1), enough to tell rows apart, not to use.
CLEAR_IDS_PERM = {
    Dataset.HOUSEHOLDS: Perm.MANAGE_HOUSEHOLDS,
    Dataset.VOLUNTEERS: Perm.MANAGE_VOLUNTEERS,
}
ID_KEYS = ("citizen_id", "volunteer_citizen_id")
SHEET_TITLES = {Dataset.HOUSEHOLDS: "ครัวเรือน", Dataset.VOLUNTEERS: "อพม."}


class AreaOutOfScope(Exception):
    """The area asked for does not exist or lies wholly outside the user's scope."""


# --- Scope ---------------------------------------------------------------------------------


def area_in_scope(user: Any, code: str, perm: Perm = Perm.EXPORT_DATA) -> Area | None:
    """The area, if it exists and the user holds `perm` over some of it: it lies inside their
    scope, or their scope lies inside it (a district coordinator asking for the province gets
    their district)."""
    area = Area.objects.filter(code=code).first() if code.isdigit() else None
    if area is None:
        return None
    for grant in access.grants(user):
        if perm in access.ROLE_PERMISSIONS[grant.role] and (
            grant.covers(code) or grant.area_code.startswith(code)
        ):
            return area
    return None


def narrowed(user: Any, code: str, perm: Perm) -> str:
    """The area an export of `code` really covers: a district coordinator asking for the
    province gets their district, and the file and the log are named after it."""
    if not code:
        return code
    held = {g.area_code for g in access.grants(user) if perm in access.ROLE_PERMISSIONS[g.role]}
    if any(code.startswith(area) for area in held):  # (NATIONAL, "", starts every code)
        return code
    inside = [area for area in held if area.startswith(code)]
    return inside[0] if len(inside) == 1 else code


def area_options(*, user: Any, limit: int = 400) -> list[Area]:
    """Areas to narrow an export to: the scope from province down to subdistrict, in code
    order; only provinces and districts when that is too long for a select."""
    queryset = access.visible_to(
        user, Area.objects.exclude(level="village"), field="code", perm=Perm.EXPORT_DATA
    ).order_by("code")
    if queryset.count() > limit:
        queryset = queryset.exclude(level="subdistrict")
    return list(queryset.only(*AREA_FIELDS))


def volunteers_in_scope(user: Any, area_code: str = "") -> QuerySet[Volunteer]:
    queryset = access.visible_to(
        user, Volunteer.objects.all(), perm=Perm.VIEW_VOLUNTEERS, own=Q(user=user)
    )
    return volunteer_selectors.in_area(queryset, area_code)  # a village: who covers it


def people_in_scope(user: Any, area_code: str = "") -> QuerySet[Person]:
    """The people an export may carry: those in scope, but for those who withdrew consent
    (PDPA: their records are kept, not handed on in files)."""
    queryset = people_visible(user).exclude(restricted_q())
    return queryset.filter(within(area_code, "area")) if area_code else queryset


# --- The export ----------------------------------------------------------------------------


@dataclass(frozen=True)
class HouseholdSubset:
    """The households list's filters an export of households keeps: a vulnerable group, a
    priority level, and only those no serving volunteer looks after. The search does not
    carry over: a name typed to find one household is not a selection of the register."""

    group: str = ""
    level: str = ""
    unserved: bool = False

    def __bool__(self) -> bool:
        return bool(self.group or self.level or self.unserved)

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if v}

    @property
    def suffix(self) -> str:
        """For the file's name: -bedridden-high-unserved."""
        parts = [self.group, self.level, "unserved" if self.unserved else ""]
        return "".join(f"-{part}" for part in parts if part)


@dataclass
class Export:
    """An export ready to write: its header, its rows (read lazily) and how many there are."""

    dataset: Dataset
    fmt: Format
    headers: list[str]
    rows: Iterator[Sequence[Any]]
    row_count: int
    area_code: str
    template: bool = False
    status: str = ""
    subset: HouseholdSubset = HouseholdSubset()

    @property
    def filename(self) -> str:
        if self.template:
            return f"carenet-{self.dataset}-template.{self.fmt}"
        area = f"-{self.area_code}" if self.area_code else ""
        status = f"-{self.status}" if self.status else ""
        day = thaidate.file_stamp(timezone.localdate())
        return f"carenet-{self.dataset}{area}{status}{self.subset.suffix}-{day}.{self.fmt}"

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.fmt]


def export_prepare(
    *,
    user: Any,
    dataset: str,
    fmt: str,
    area_code: str = "",
    status: str = "",
    subset: HouseholdSubset = HouseholdSubset(),
    logged: bool = True,
) -> Export:
    """Counts the rows in scope, logs the export, and returns it ready to write.

    `status` keeps only the volunteers of that status, or of the network (NETWORK: active and
    inactive); households are exported while active; `subset` keeps only some of them.
    `logged=False` is for an export job, whose export was logged when it was asked for.
    Raises AreaOutOfScope for an area that is missing or outside the user's scope.
    """
    dataset, fmt = Dataset(dataset), Format(fmt)
    perm = VIEW_PERM[dataset]
    if area_code and area_in_scope(user, area_code, perm) is None:
        raise AreaOutOfScope(area_code)
    if dataset == Dataset.VOLUNTEERS:
        subset = HouseholdSubset()
    queryset = _rows(user, dataset, area_code, status, subset)
    if dataset == Dataset.VOLUNTEERS:
        headers, keys = columns.volunteer_headers(), columns.VOLUNTEER_KEYS
    else:
        headers, keys = columns.household_headers(), columns.HOUSEHOLD_KEYS
    row_count = queryset.count()
    if logged:
        _log(user, dataset, fmt, area_code, status, row_count, perm, subset)
    rows = _cells(queryset, dataset, keys)
    if not access.can(user, CLEAR_IDS_PERM[dataset]):
        rows = _ids_masked(rows, [index for index, key in enumerate(keys) if key in ID_KEYS])
    covered = narrowed(user, area_code, perm)  # what the file is named after
    return Export(dataset, fmt, headers, rows, row_count, covered, status=status, subset=subset)


def _rows(
    user: Any,
    dataset: Dataset,
    area_code: str,
    status: str,
    subset: HouseholdSubset = HouseholdSubset(),
) -> QuerySet[Any]:
    if dataset == Dataset.VOLUNTEERS:
        queryset = _volunteer_rows(volunteers_in_scope(user, area_code))
        return volunteer_selectors.with_status(queryset, status)
    people = people_in_scope(user, area_code)
    if subset:
        filters = HouseholdFilters(area=area_code, status="", **subset.as_dict())
        chosen = household_queryset(user=user, filters=filters).order_by().values("pk")
        people = people.filter(household__in=chosen)
    return _person_rows(people)


def covered_areas(user: Any, area_code: str, perm: Perm) -> list[str]:
    """The areas an export covered: the area chosen where the scope holds all of it, else the
    parts of the scope inside it; with no area chosen, the scope (NATIONAL: the country)."""
    scope = access.scope_codes(user, perm)
    if not area_code:
        return scope or [access.NATIONAL]
    if any(area_code.startswith(code) for code in scope):
        return [area_code]
    return [code for code in scope if code.startswith(area_code)] or [area_code]


def _log(
    user: Any,
    dataset: Dataset,
    fmt: Format,
    area_code: str,
    status: str,
    rows: int,
    perm: Perm,
    subset: HouseholdSubset = HouseholdSubset(),
) -> None:
    """One audit row per area covered, each with the rows of its area (a count per area
    only when there are several)."""
    covered = covered_areas(user, area_code, perm)
    for code in covered:
        audit_record(
            actor=user,
            action=f"spreadsheets.export_{dataset}",
            area_code=code,
            details={
                "format": str(fmt),
                "rows": rows
                if len(covered) == 1
                else _rows(user, dataset, code, status, subset).count(),
                "area": area_code,
                **({"status": status} if status else {}),
                **({"households": subset.as_dict()} if subset else {}),
                "scope": access.scope_codes(user, perm),
                **({"rows_in_all": rows, "areas": covered} if len(covered) > 1 else {}),
            },
        )


def blank_template(dataset: str) -> Export:
    """An empty workbook with the import's headers, to fill in by hand (no data, no audit)."""
    dataset = Dataset(dataset)
    if dataset == Dataset.VOLUNTEERS:
        headers = columns.volunteer_headers()
    else:
        headers = columns.household_headers()
    headers.remove(columns.AS_OF.label)  # data typed in, not read from Carenet
    written = set(columns.header_keys(headers))
    every = (*columns.VOLUNTEER_COLUMNS, *columns.HOUSEHOLD_COLUMNS)
    for key in written.intersection(columns.EXPORT_ONLY):  # nothing to type in
        headers.remove(columns.label(every, key))
    return Export(dataset, Format.XLSX, headers, iter([]), 0, "", template=True)


def _volunteer_rows(queryset: QuerySet[Volunteer]) -> QuerySet[Volunteer]:
    """Every volunteer, whatever their status (the status is a column of the file, and the
    date of its latest change another: a subquery, no query more)."""
    villages = Prefetch("villages", queryset=Area.objects.only("code", "moo"))
    latest = (
        standing_changes()
        .filter(volunteer_id=OuterRef("pk"))
        .exclude(from_status="")  # the registration: a column of its own
        .order_by("-effective_date", "-id")
    )
    queryset = volunteer_selectors.with_looks_after(queryset).annotate(
        status_date=Subquery(latest.values("effective_date")[:1])
    )
    return queryset.prefetch_related(villages).order_by("area_id", "pk")


def _person_rows(queryset: QuerySet[Person]) -> QuerySet[Person]:
    """The people who live in the active households, each household's head first. Their
    volunteers and consents are read a chunk at a time by `_household_extras`."""
    head_first = Case(When(pk=F("household__head_id"), then=Value(0)), default=Value(1))
    away = Evacuation.objects.filter(household_id=OuterRef("household_id"), ended_on__isnull=True)
    return (
        queryset.filter(status=PersonStatus.ACTIVE, household__status=HouseholdStatus.ACTIVE)
        .select_related("household")
        .only("household_id", *columns.HOUSEHOLD_ROW_FIELDS)
        .annotate(head_first=head_first, evacuated_to=Subquery(away.values("place")[:1]))
        .order_by("area_id", "household_id", "head_first", "pk")
    )


class _ConsentRow(NamedTuple):
    """What an export reads of a consent (household_row_values), without a model instance."""

    pk: int
    person_id: int
    basis: str
    given_on: date | None
    withdrawn_on: date | None


def _household_extras(
    people: list[Person], known: dict[int, Volunteer]
) -> tuple[dict[int, list[Volunteer]], dict[int, list[_ConsentRow]]]:
    """The chunk's households' volunteers and its people's active consents, in two queries,
    and a third for the volunteers that earlier chunks did not bring (`known` keeps them).

    Django's prefetch_related does the same, but sets up a queryset per row: on a province's
    85,000 people that was half of the export's time. Plain rows cost less again than model
    instances: a province has a few thousand volunteers for its tens of thousands of households.
    """
    pairs = list(
        HouseholdAssignment.objects.filter(household_id__in={p.household_id for p in people})
        .order_by("household_id", "volunteer_id")
        .values_list("household_id", "volunteer_id")
    )
    unknown = {volunteer_id for _, volunteer_id in pairs} - known.keys()
    if unknown:
        found = Volunteer.objects.filter(pk__in=unknown).only("pk", "citizen_id_encrypted")
        known.update((volunteer.pk, volunteer) for volunteer in found)
    volunteers: dict[int, list[Volunteer]] = defaultdict(list)
    for household_id, volunteer_id in pairs:
        volunteers[household_id].append(known[volunteer_id])
    consents: dict[int, list[_ConsentRow]] = defaultdict(list)
    active = Consent.objects.filter(
        person_id__in=[p.pk for p in people], withdrawn_on__isnull=True
    ).values_list("pk", "person_id", "basis", "given_on", "withdrawn_on")
    for consent in map(_ConsentRow._make, active):
        consents[consent.person_id].append(consent)
    return volunteers, consents


def read_in_chunks(queryset: QuerySet[Any]) -> Iterator[list[Any]]:
    """The records in order, CHUNK at a time, each chunk read by a query of its own on the
    keys read first, so that no cursor stays open from one chunk to the next (other apps'
    exports use it too). On SQLite a
    connection that keeps one open cannot write once another connection has written (an
    export job writing its progress while people log in), and a long read holds back the
    WAL's checkpoints."""
    keys = list(queryset.values_list("pk", flat=True))
    for start in range(0, len(keys), CHUNK):
        wanted = keys[start : start + CHUNK]
        found = {record.pk: record for record in queryset.filter(pk__in=wanted)}
        yield [found[pk] for pk in wanted if pk in found]  # gone meanwhile: left out


def _cells(queryset: QuerySet[Any], dataset: Dataset, keys: Sequence[str]) -> Iterator[list[str]]:
    """The rows' cells, read a chunk at a time: one query for the keys, then one for each
    chunk, one per prefetch, and one for the names of the areas the chunk brings that earlier
    chunks did not. Every row's as_of is when the reading began."""
    as_of = columns.as_of_text(timezone.now())
    areas: dict[str, Area] = {}
    looked_up: set[str] = set()
    volunteers_seen: dict[int, Volunteer] = {}
    for batch in read_in_chunks(queryset):
        wanted = {r.area_id[:n] for r in batch for n in (6, 4, 2)} - looked_up
        if wanted:
            found = Area.objects.filter(code__in=wanted).only(*AREA_FIELDS)
            areas.update((area.code, area) for area in found)
            looked_up |= wanted
        if dataset == Dataset.VOLUNTEERS:
            for record in batch:
                values = columns.volunteer_row_values(record, areas=areas)
                values["as_of"] = as_of
                yield [values[key] for key in keys]
            continue
        volunteers, consents = _household_extras(batch, volunteers_seen)
        for record in batch:
            values = columns.household_row_values(
                record,
                areas=areas,
                volunteers=volunteers.get(record.household_id, []),
                consents=consents.get(record.pk, []),
            )
            values["as_of"] = as_of
            yield [values[key] for key in keys]


def _ids_masked(rows: Iterator[list[Any]], indexes: list[int]) -> Iterator[list[Any]]:
    for row in rows:
        for index in indexes:
            if row[index]:
                row[index] = citizen_id.mask_all(str(row[index]))
        yield row


def _text(value: Any) -> str:
    """A cell as a CSV writes it: dates in the Buddhist Era (26/02/2568, a date and time as
    the pages show it, in Bangkok)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return thaidate.format_datetime(value)
    if isinstance(value, date):
        return thaidate.format_numeric(value)
    return str(value)


# --- CSV -----------------------------------------------------------------------------------


def csv_chunks(export: Export) -> Iterator[bytes]:
    """The export as CSV bytes, a few hundred rows at a time, starting with a BOM."""
    return csv_table(export.headers, export.rows)


def csv_table(headers: Sequence[str], rows: Iterator[Sequence[Any]]) -> Iterator[bytes]:
    """Any table as CSV bytes the way exports write them (a BOM, so that Excel shows the
    Thai; formulas neutralised), a few hundred rows at a time. Other apps' exports use it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralize_formula(h) for h in headers])
    yield codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")
    while batch := list(islice(rows, CSV_ROWS_PER_WRITE)):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows([neutralize_formula(_text(cell)) for cell in row] for row in batch)
        yield buffer.getvalue().encode("utf-8")


# --- XLSX ----------------------------------------------------------------------------------


def display_width(text: str) -> int:
    """How many columns a text takes: Thai vowel and tone marks above or below take none."""
    return sum(1 for ch in text if unicodedata.category(ch) not in ("Mn", "Me", "Cf"))


def xlsx_write(export: Export, destination: IO[bytes]) -> None:
    """Writes the export as an .xlsx workbook (one sheet, bold frozen header) to a file, each
    column's cells of the type its declaration says (columns.py)."""

    def typing_aids(sheet: Any) -> None:
        _typing_aids(sheet, export.headers, lists=export.template)

    xlsx_table(
        export.headers,
        export.rows,
        destination,
        title=SHEET_TITLES[export.dataset],
        prepare=typing_aids,
        cells=columns.header_cells(export.headers),
    )


def xlsx_table(
    headers: Sequence[str],
    rows: Iterator[Sequence[Any]],
    destination: IO[bytes],
    *,
    title: str,
    prepare: Callable[[Any], None] | None = None,
    cells: Sequence[CellType] = (),
) -> None:
    """Any table as an .xlsx workbook the way exports write them (one sheet, bold frozen
    header, columns as wide as their first rows, formulas kept as text), written as the rows
    come. `prepare` sets up the sheet before the first row. `cells` says how each column's
    cells are written (`_cell_writer`), text for the columns it does not reach. Other apps'
    exports use it."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    types = [*cells, *[CellType.TEXT] * (len(headers) - len(cells))]
    sample = list(islice(rows, WIDTH_SAMPLE))
    widths = []
    for index, header in enumerate(headers):
        widest = max(
            [display_width(header) + 2]
            + [
                display_width(_shown(row[index], types[index])) + 1
                for row in sample
                if index < len(row)
            ]
        )
        widths.append(min(MAX_WIDTH, max(MIN_WIDTH, widest * 1.15)))
        sheet.column_dimensions[get_column_letter(index + 1)].width = widths[-1]
    sheet.freeze_panes = "A2"
    _print_setup(sheet, sum(widths))
    if prepare is not None:
        prepare(sheet)
    bold = Font(bold=True)
    wrap = Alignment(vertical="top", wrap_text=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=neutralize_formula(header))
        cell.font = bold
        cell.fill = HEADER_FILL
        cell.alignment = wrap
        header_cells.append(cell)
    sheet.append(header_cells)
    text = _cell_writer(sheet, CellType.TEXT)  # also for a row longer than the header
    writers = [_cell_writer(sheet, kind) for kind in types]
    for row in chain(sample, rows):
        written = zip(chain(writers, repeat(text)), row, strict=False)
        sheet.append([write(value) for write, value in written])
    book.save(destination)


# Landscape A4 holds about 130 characters across at 100 %; a table up to this wide is printed
# shrunk to the page's width, still legible. A wider one runs over pages left to right.
FIT_TO_PAGE_WIDTH = 210


def _print_setup(sheet: Any, width: float) -> None:
    """Printed, the table is landscape on A4, each page repeats the header row and the first
    column (the area or the person it is about), and a narrow enough table fits the page's
    width: on paper, page two was numbers without their headings."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = "9"  # A4
    sheet.print_title_rows = "1:1"
    sheet.print_title_cols = "A:A"
    if width <= FIT_TO_PAGE_WIDTH:
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0


# The columns that keep what is typed as text (Excel would turn 13 digits into 1.1E+12, and
# 12/3 into a date), and those a blank template offers the words of in a drop-down list.
TEMPLATE_TEXT_COLUMNS = frozenset(
    {
        "citizen_id", "volunteer_citizen_id", "phone", "house_no", "document_no",
        "disability_card_no", "registration_no", "subdistrict_code", "home_subdistrict_code",
        "covered_moo",
    }
)  # fmt: skip
TEMPLATE_LISTS = {
    "relation": columns.RELATIONS,
    "ownership": columns.OWNERSHIPS,
    "condition": columns.CONDITIONS,
    "consent": columns.CONSENTS,
    "sex": columns.SEXES,
    "document_type": columns.DOCUMENTS,
    "disability_type": columns.DISABILITIES,
    "status": columns.VOLUNTEER_STATUSES,
}
TEMPLATE_ROWS = 2000


def _typing_aids(sheet: Any, headers: Sequence[str], *, lists: bool) -> None:
    """Text format for the columns of numbers typed as text, for rows a clerk adds; and, in
    a blank template (`lists`), drop-down lists. A list only offers: other words the import
    reads may still be typed."""
    keys = columns.header_keys(headers)
    for index, key in enumerate(keys, start=1):
        letter = get_column_letter(index)
        if key in TEMPLATE_TEXT_COLUMNS:
            sheet.column_dimensions[letter].number_format = "@"
        elif lists and key in TEMPLATE_LISTS:
            words = ",".join(written[0] for written in TEMPLATE_LISTS[key].words.values())
            offered = DataValidation(type="list", formula1=f'"{words}"', allow_blank=True)
            offered.showErrorMessage = False
            offered.add(f"{letter}2:{letter}{TEMPLATE_ROWS}")
            sheet.data_validations.append(offered)


# How a workbook shows the exports' dates: in the Buddhist Era, as the CSV writes them
# (01/11/2510), whatever the reader's settings. The locale code 0x0107041E reads: Western
# digits (01; D0 would show Thai digits), the Thai Buddhist calendar (07), Thai (041E).
# Excel's newer "[$-th-TH,107]" belongs to its formatCode16 attribute, not to the formatCode
# openpyxl writes, and LibreOffice shows the bare day number for it.
DATE_FORMAT = "[$-107041E]dd/mm/yyyy"
DATETIME_FORMAT = "[$-107041E]dd/mm/yyyy hh:mm:ss"
# The text forms the exports write: thaidate.format_numeric, columns.as_of_text, and numbers
# as str() writes them (no leading zero, no sign but a minus, no exponent).
_BE_DAY = re.compile(r"(\d\d)/(\d\d)/(\d{4})")
_BE_MOMENT = re.compile(r"(\d\d)/(\d\d)/(\d{4}) (\d\d):(\d\d)(?::(\d\d))?")
_PLAIN_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?")


def _cell_writer(sheet: Any, kind: CellType) -> Callable[[Any], Any]:
    """What a workbook's row gets for each value of a column of this kind.

    A typed column takes the value itself (a number, a date, an aware or Bangkok date and
    time) or its text as the exports write it (the rows of columns.py are the CSV's text).
    What is neither is written as text, as in a text column: a workbook never says less
    than the CSV. So is a date whose cell would not import again as that date
    (tabular.reads_back_as_date): its BE text imports as it is.
    """
    if kind == CellType.NUMBER:
        return lambda value: _xlsx_value(sheet, _number(value))
    if kind in (CellType.DATE, CellType.DATETIME):
        dates = kind == CellType.DATE
        style = _number_style(sheet, DATE_FORMAT if dates else DATETIME_FORMAT)
        read = _day if dates else _moment
        last: list[Any] = [None, None]  # the value and its day number: as_of repeats

        def dated(value: Any) -> Any:
            if value != last[0]:
                moment = read(value)
                readable = moment is not None and reads_back_as_date(moment)
                last[:] = [value, to_excel(moment) if readable else None]
            if last[1] is None:
                return _xlsx_value(sheet, _text(value))
            # The day number under a date format is what openpyxl writes for a date; the
            # date itself would have openpyxl test the format again for every cell.
            cell = WriteOnlyCell(sheet, value=last[1])
            cell._style = style  # shared, never changed: each cell is written as it comes
            return cell

        return dated
    return partial(_xlsx_value, sheet)


def _number_style(sheet: Any, number_format: str) -> Any:
    """The style of a cell with this number format, set up once for the cells to share."""
    cell = WriteOnlyCell(sheet)
    cell.number_format = number_format
    return cell._style


def _number(value: Any) -> Any:
    if isinstance(value, str) and _PLAIN_NUMBER.fullmatch(value):
        return Decimal(value) if "." in value else int(value)
    return value


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = _BE_DAY.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return None
    day, month, year = map(int, match.groups())
    try:
        return date(year - thaidate.BE_OFFSET, month, day)
    except ValueError:
        return None


def _moment(value: Any) -> datetime | None:
    """A date and time as a spreadsheet keeps it: in Bangkok, without a zone, to the second."""
    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return local.replace(tzinfo=None, microsecond=0)
    match = _BE_MOMENT.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return None
    day, month, year, hour, minute, second = (int(part or 0) for part in match.groups())
    try:
        return datetime(year - thaidate.BE_OFFSET, month, day, hour, minute, second)
    except ValueError:
        return None


def _shown(value: Any, kind: CellType) -> str:
    """The text a spreadsheet shows for a value, for the column's width."""
    if kind == CellType.DATE and _day(value) is not None:
        return "00/00/0000"
    if kind == CellType.DATETIME and _moment(value) is not None:
        return "00/00/0000 00:00:00"
    return _text(value)


def _xlsx_value(sheet: Any, value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, bool | int | float | Decimal):
        return value
    text = value if isinstance(value, str) else _text(value)  # a date: as the CSV writes it
    if not looks_like_formula(text):
        return text
    # Text stays text, shown as written: a text cell (openpyxl would store "=..." as a
    # formula) with Excel's quote prefix, which keeps it text when someone edits it.
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def xlsx_file(export: Export) -> IO[bytes]:
    """The workbook in a temporary file (deleted when closed), rewound for reading."""
    return temporary_file(lambda handle: xlsx_write(export, handle))


def temporary_file(write: Callable[[IO[bytes]], None]) -> IO[bytes]:
    """What `write` writes, in a temporary file (deleted when closed), rewound for reading."""
    # Returned open: the response streams it and closes it, which deletes it.
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    try:
        write(handle)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return handle


@dataclass
class ListExport:
    """A list's download (the audit log, the cases) about to be written: its rows are read
    a chunk at a time as the file is written."""

    name: str  # the file is carenet-<name>-<today>.<fmt>
    fmt: str
    headers: list[str]
    rows: Iterator[list[Any]]
    row_count: int

    @property
    def filename(self) -> str:
        return f"carenet-{self.name}-{thaidate.file_stamp(timezone.localdate())}.{self.fmt}"


def table_download(
    fmt: str,
    headers: Sequence[str],
    rows: Iterator[Sequence[Any]],
    *,
    filename: str,
    title: str,
    cells: Sequence[CellType] = (),
) -> HttpResponseBase:
    """Any table as a download the way exports send it, never kept in a cache: CSV streamed
    as it is written, XLSX written whole to a temporary file first, its columns' cells as
    `cells` says (xlsx_table). Other apps' exports use it; `fmt` is "csv" or "xlsx"."""
    response: HttpResponseBase
    if fmt == Format.CSV:
        response = StreamingHttpResponse(
            csv_table(headers, rows), content_type=CONTENT_TYPES[Format.CSV]
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    else:
        response = FileResponse(
            temporary_file(
                lambda handle: xlsx_table(headers, rows, handle, title=title, cells=cells)
            ),
            as_attachment=True,
            filename=filename,
            content_type=CONTENT_TYPES[Format.XLSX],
        )
    response["Cache-Control"] = "no-store"
    return response


def write(export: Export, destination: IO[bytes]) -> None:
    """Writes the export, in its format, to an open binary file."""
    if export.fmt == Format.CSV:
        for chunk in csv_chunks(export):
            destination.write(chunk)
    else:
        xlsx_write(export, destination)
