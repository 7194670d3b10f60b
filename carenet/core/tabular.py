"""Reading the spreadsheets people upload, and reporting what is wrong with them.

Every import in Carenet (villages, volunteers, households) starts from a file a coordinator saved
from Excel: an .xlsx workbook, or a CSV that may be UTF-8 with or without a byte-order mark, or
cp874 (TIS-620) if an old Thai Excel wrote it. `read_table` opens any of these and hands back the
rows as plain strings, so each importer deals with meaning only, never with file formats.

An importer declares its columns (`Column`): a key for the code, and the header names people
write for it, Thai and English. Government sheets often carry a title row or two above the
header, so the header row is the row, among the first ten, that names the most declared columns.
Headers are compared after trimming, case-folding and collapsing spaces. Other columns are
ignored. A row with nothing in any declared column is skipped: templates often number their rows
ahead of the data.

Each data row comes back as a `Row`: its 1-based row number as the spreadsheet shows it, and a
dict of column key to cleaned text (trimmed, runs of spaces collapsed; "" when the cell is blank
or the optional column is absent). Spreadsheet cells are turned into the text a person would
have typed: a whole number 1.0 becomes "1", a date cell becomes an ISO date ("2025-02-26").

Problems with the file as a whole (unreadable, no header, a required column missing) raise
`TableError`. Problems with single rows are the importer's to find. Both are `RowError`s, the one
report type every import returns: row, column, value, reason. A file with any error imports
nothing, and `write_error_report` gives the coordinator the list as a CSV that Excel opens with
Thai intact.

`neutralize_formula` is for the opposite direction: text that Carenet exports must not become a
formula when a spreadsheet opens it.
"""

import codecs
import csv
import html
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import partial
from itertools import chain, islice
from operator import itemgetter
from pathlib import Path
from typing import IO, Any, BinaryIO, Protocol

from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from python_calamine import (
    CalamineError,
    CalamineSheet,
    CalamineWorkbook,
    SheetTypeEnum,
    SheetVisibleEnum,
)

from carenet.core import citizen_id
from carenet.core.sheet_marks import Marks, column_index, find_marks
from carenet.core.text import INVISIBLE, THAI_DIGITS

HEADER_SEARCH_ROWS = 10
LONGEST_HEADER = 200
LONGEST_CELL = 32_767  # Excel's own limit
MAX_ROWS = 200_000
# The most XML one part of a workbook may unpack to. calamine holds a sheet whole, in about
# one and a half times its XML: 200,000 rows of 35 columns unpack to about 400 MB. A few MB of
# zip can unpack to gigabytes (a million rows of repeated cells), which would take the process
# down before a row is read.
WORKBOOK_XML_LIMIT = 450 * 1024 * 1024
PACKING_LIMIT = 100
PACKED_PART_MIN = 32 * 1024 * 1024
CSV_DELIMITERS = (",", ";", "\t")
# Python's csv refuses a cell over 128 KB with an error that names no row. An XLSX cell can hold
# 32,767 characters; a CSV cell up to this is read, and its length checked against its column.
csv.field_size_limit(max(csv.field_size_limit(), 16 * 1024 * 1024))
# The report is a file for Thai coordinators: its header is Thai whatever the page language.
# In the language of the page (or job) that writes the report, as its reasons are.
REPORT_HEADER = (
    pgettext_lazy("error report", "Row"),
    pgettext_lazy("error report", "Column"),
    pgettext_lazy("error report", "Value"),
    pgettext_lazy("error report", "Reason"),
    pgettext_lazy("error report", "Type"),
)
REPORT_ERROR = pgettext_lazy("error report", "error")
REPORT_WARNING = pgettext_lazy("error report", "warning")


_WHOLE_NUMBER = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.0*)?$|^[+-]?\d+\.0*$")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
# The characters a spreadsheet starts a formula with, and their full-width forms, which some
# spreadsheet programs read the same way.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
_TRIMMED = " \n\u00a0\u3000"
_FORMULA_FIRST = frozenset("".join(_FORMULA_START) + _TRIMMED)
# Government sheets fill a cell they have nothing for with a dash: it means blank.
_BLANK_MARK = re.compile(r"[-–—−]+")
# Excel counts days from 30 Dec 1899; these bound the serials that are real dates.
_EXCEL_EPOCH = date(1899, 12, 30)
# Whole numbers a date column reads as Excel day numbers (up to the year 2173), but for those
# that read as a year typed alone (1800 to 2700, CE or BE), which would be dates of 1904 to 1907.
_EXCEL_SERIALS = range(1, 100_000)
_YEARS = range(1800, 2701)


class Readable(Protocol):
    """An open binary file, such as a Django upload."""

    def read(self) -> bytes: ...


Source = str | Path | bytes | Readable
Cells = Sequence[Sequence[object]]


class Kind(StrEnum):
    """How a column's cells are read. INTEGER also turns Thai digits, "3.0" and "1,234" into
    plain digits; DATE turns a bare Excel day number (a date cell that lost its format) into
    an ISO date. Anything that still is not a number or a date is left for the importer."""

    TEXT = "text"
    INTEGER = "integer"
    DATE = "date"


class CellType(StrEnum):
    """How an export writes a column's cells in a workbook (a CSV writes text throughout).

    TEXT for names, words and anything that only looks like a number (citizen IDs, phone
    numbers, house numbers, codes: their leading zeros and dashes kept); NUMBER for counts and
    quantities a spreadsheet adds up; DATE and DATETIME for days and moments a spreadsheet
    sorts and filters as such, shown in the Buddhist Era."""

    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    DATETIME = "datetime"


@dataclass(frozen=True)
class Column:
    """A column an importer reads. The first alias is the name shown in error reports.
    `kind` is how an import reads its cells, `cell` how an export writes them."""

    key: str
    aliases: tuple[str, ...]
    required: bool = False
    kind: Kind = Kind.TEXT
    cell: CellType = CellType.TEXT

    @property
    def label(self) -> str:
        return self.aliases[0]


@dataclass(frozen=True)
class RowError:
    """One thing wrong with an imported file. `row` is None for the file as a whole."""

    row: int | None
    column: str
    value: str
    reason: str
    # The value is a cell of a citizen-ID column: masked whatever it holds, not only when it
    # is shaped like an ID (a digit missed is still most of someone's ID).
    id_cell: bool = field(default=False, compare=False)

    def masked(self) -> "RowError":
        """The problem as reports keep it, which outlive the file: citizen IDs show only
        their last digits (enough to find the row in the file)."""
        mask = citizen_id.mask_typed if self.id_cell else citizen_id.mask_all
        value, reason = mask(self.value), citizen_id.mask_all(str(self.reason))
        return RowError(self.row, self.column, value, reason)


@dataclass(frozen=True)
class Row:
    number: int
    values: dict[str, str]

    def __getitem__(self, key: str) -> str:
        return self.values[key]


@dataclass(frozen=True)
class Table:
    """The data rows of a file, with where its header was and what each column is called."""

    header_row: int
    headers: dict[str, str]  # column key -> the header text as written in the file
    rows: list[Row]
    ignored: list[tuple[str, str]] = field(default_factory=list)  # see `ignored_columns`

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def has(self, key: str) -> bool:
        return key in self.headers


class TableError(Exception):
    """The file cannot be imported at all; `errors` says why, in the user's language."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(error.reason for error in errors))
        self.errors = errors


def _file_error(reason: str, *, row: int | None = None, column: str = "") -> TableError:
    return TableError([RowError(row=row, column=column, value="", reason=reason)])


def read_table(source: Source, columns: Sequence[Column], *, max_rows: int = MAX_ROWS) -> Table:
    """Reads a CSV or spreadsheet file into rows of the declared columns; raises TableError."""
    cells = _load_cells(_read_bytes(source), columns)
    header_index, header = _find_header(cells, columns)
    positions = _column_positions(header, columns, header_index + 1)
    missing = [c for c in columns if c.required and c.key not in positions]
    if missing:
        raise TableError([_missing_column(column, header_index + 1) for column in missing])
    rows = _data_rows(cells, header_index, positions, columns)
    if len(rows) > max_rows:
        raise _file_error(
            _("The file has %(count)d rows; one import can take at most %(limit)d. Split it.")
            % {"count": len(rows), "limit": max_rows}
        )
    headers = {key: _header_text(header[index]) for key, index in positions.items()}
    ignored = ignored_columns(header, positions)
    return Table(header_row=header_index + 1, headers=headers, rows=rows, ignored=ignored)


def ignored_columns(header: Sequence[object], positions: dict[str, int]) -> list[tuple[str, str]]:
    """(letter, header) of the columns with a header that names none of the declared columns:
    their cells are not read, which the importer says."""
    used = set(positions.values())
    named = [(index, _header_text(cell)) for index, cell in enumerate(header) if cell is not None]
    return [(column_letter(index), text) for index, text in named if text and index not in used]


def _read_bytes(source: Source) -> bytes:
    if isinstance(source, bytes):
        return source
    if isinstance(source, str | Path):
        try:
            return Path(source).read_bytes()
        except OSError as error:
            raise _file_error(
                _("The file could not be opened: %(problem)s") % {"problem": error.strerror}
            ) from None
    return source.read()


def _load_cells(data: bytes, columns: Sequence[Column]) -> Cells:
    # .xlsx and .ods are zip files; .xls is an OLE compound file. Anything else is text.
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        return _workbook_cells(data, columns)
    return _csv_cells(_decode(data), columns)


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    for encoding in ("utf-8", "cp874"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _file_error(
        _(
            "The file is neither a spreadsheet nor a text file Carenet can read. "
            "In Excel, save it as “Excel Workbook (.xlsx)” or “CSV UTF-8” and upload it again."
        )
    )


def _csv_cells(text: str, columns: Sequence[Column]) -> Cells:
    # The delimiter is whichever one makes a header row appear: Excel writes ; or tab in
    # some locales, and a sniffer guessing from Thai text is easily fooled.
    def parse(delimiter: str, limit: int | None = None) -> list[list[str]]:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return list(islice(iter(reader), limit))

    try:
        best = max(
            CSV_DELIMITERS,
            key=lambda d: _header_score(parse(d, HEADER_SEARCH_ROWS), columns)[0],
        )
        return parse(best)
    except csv.Error:
        raise _csv_error() from None


def _workbook_cells(data: bytes, columns: Sequence[Column]) -> Cells:
    _refuse_unreadable_workbook(io.BytesIO(data))
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet, top = _data_sheet(book, columns)
        _refuse_uncalculated(io.BytesIO(data), sheet.name)
        cells = sheet.to_python(skip_empty_area=False)
    except (CalamineError, ValueError, OSError):
        raise _damaged_workbook() from None
    header_index, _header = _find_header(top, columns)
    return list(_filled_down(iter(cells), sheet.merged_cell_ranges, 0, header_index + 1))


def _packed_too_tight(part: zipfile.ZipInfo) -> bool:
    """A large part that unpacks to more than PACKING_LIMIT times its packed size: a sheet of
    typed rows packs to a tenth or so; only a few cells repeated without end pack tighter, and
    calamine would hold all of it in memory (a 300 KB file took gigabytes)."""
    return part.file_size > PACKED_PART_MIN and part.file_size > PACKING_LIMIT * max(
        part.compress_size, 1
    )


# calamine makes room for a sheet's whole rectangle, from its first cell to its last, at 32
# bytes a cell, before a row can be read: one cell at XFD1048576 asks for 550 GB and aborts
# the process (calamine issue 693). Sheets that would take more than this are refused.
SHEET_CELLS_LIMIT = 30_000_000
_SCAN_BLOCK = 8 * 1024 * 1024
# Each starts with a literal, which the regular expression engine looks for first.
# Attribute runs are bounded: unbounded, a sheet of "<row <row ..." with no ">" took time
# quadratic in its size, holding the lock every other request waits for.
_ROW_TAG = re.compile(rb'row [^>]{0,2000}?r="(\d+)"')  # <row r="12" ...>, <x:row ...>
# A cell past column Z, or on row 1,000,000 or further.
_FAR_CELL = re.compile(rb' r="(?:[A-Z]{2,}\d+|[A-Z]?\d{7,})"')
_SIX_DIGIT_CELL = re.compile(rb' r="[A-Z]+(\d{6})"')
# A cell whose reference is not its first attribute, or that has none.
_UNREFERENCED = re.compile(rb'<c(?:>|/>|\s(?!r="))')
_UNREFERENCED_PREFIXED = re.compile(rb':c(?:>|/>|\s(?!r="))')
_TAG_LIMIT = 2000  # bytes: no cell's attributes run longer


def _sheet_too_large(open_part: Callable[[], IO[bytes]]) -> bool:
    """Whether the cells of a worksheet part span more than SHEET_CELLS_LIMIT cells.

    Searched with patterns that rarely match in an ordinary sheet (columns past Z, rows past
    999,999, cells not written as Excel writes them), so that the pass costs little more than
    unpacking the part. A cell without its reference makes the sheet too large: where it
    falls is not known without reading the sheet as calamine does.
    """
    rows = columns = 0
    prefixed = None
    for text in _xml_blocks(open_part):
        if prefixed is None:
            prefixed = _PREFIXED_SHEET.search(text) is not None
        unreferenced = _UNREFERENCED_PREFIXED if prefixed else _UNREFERENCED
        for found in unreferenced.finditer(text):
            end = text.find(b">", found.start(), found.start() + _TAG_LIMIT)
            if end < 0 or b' r="' not in text[found.start() : end]:
                return True  # no reference, or a tag that never ends: not a sheet to open
        rows = max(rows, *map(int, _ROW_TAG.findall(text)), 0)
        for reference in _FAR_CELL.findall(text):
            letters = reference[4:].rstrip(b'"0123456789').decode()
            if letters:
                columns = max(columns, column_index(letters) + 1)
            rows = max(rows, int(reference[4 + len(letters) : -1]))
    columns = max(columns, 26)
    if columns * 999_999 > SHEET_CELLS_LIMIT:
        # A wide sheet: a cell of A to Z may lie further down than any row says.
        for text in _xml_blocks(open_part):
            rows = max(rows, *map(int, _SIX_DIGIT_CELL.findall(text)), 0)
    return rows * columns > SHEET_CELLS_LIMIT


_PREFIXED_SHEET = re.compile(rb"<\w+:sheetData\b")
# An OpenDocument sheet's rows and cells, each maybe repeated: a row of one filled cell said to
# repeat 300,000 times, 100 columns wide, is 1 KB packed and took 5.5 GB to open. calamine
# holds about 128 bytes a cell of such a sheet: 5 million filled cells (200,000 people of 25
# columns) take some 640 MB.
ODS_CELLS_LIMIT = 5_000_000
_ODS_TAG = re.compile(rb"<(/?)table:table-(row|cell|covered-table-cell)\b([^>]{0,2000}?)(/?)>")
_ROWS_REPEATED = re.compile(rb'number-rows-repeated="(\d+)"')
_COLUMNS_REPEATED = re.compile(rb'number-columns-repeated="(\d+)"')


def _ods_too_large(open_part: Callable[[], IO[bytes]]) -> bool:
    """Whether an OpenDocument sheet's filled cells, repeats counted, pass ODS_CELLS_LIMIT.
    Empty cells repeated to the sheet's edge, as LibreOffice saves every sheet, do not count:
    only cells with a value (office:value-type) do."""
    total = 0
    rows_repeated = 1
    filled = 0  # the filled cells of the row being read, its columns' repeats counted
    for text in _xml_blocks(open_part):
        for closing, kind, attributes, empty in _ODS_TAG.findall(text):
            if kind == b"row":
                if closing or empty:
                    total += rows_repeated * filled
                    filled, rows_repeated = 0, 1
                else:
                    found = _ROWS_REPEATED.search(attributes)
                    rows_repeated, filled = (int(found[1]) if found else 1), 0
            elif not closing and b"value-type=" in attributes:
                found = _COLUMNS_REPEATED.search(attributes)
                filled += int(found[1]) if found else 1
            if total > ODS_CELLS_LIMIT:
                return True
    return total > ODS_CELLS_LIMIT


def _xml_blocks(open_part: Callable[[], IO[bytes]]) -> Iterator[bytes]:
    """A part's bytes in blocks that end at the end of a tag."""
    tail = b""
    with open_part() as part:
        while block := part.read(_SCAN_BLOCK):
            text = tail + block
            cut = text.rfind(b">") + 1
            yield text[:cut]
            tail = text[cut:]


def _refuse_unreadable_workbook(stream: BinaryIO) -> None:
    """Raises TableError for a zipped workbook (.xlsx, .ods) that cannot be opened safely: a
    part that would unpack to more than WORKBOOK_XML_LIMIT (a CSV of the same rows is read as
    a stream, whatever its size), or far more than its packed size."""
    position = stream.tell()
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        stream.seek(position)
        return  # not a zipped workbook (an .xls), or not a workbook at all: calamine says which
    try:
        with archive:
            parts = archive.infolist()
            largest = max((item.file_size for item in parts), default=0)
            packed = any(_packed_too_tight(item) for item in parts)
            sprawling = (
                not packed
                and largest <= WORKBOOK_XML_LIMIT
                and any(
                    _sheet_too_large(partial(archive.open, name))
                    for name in _worksheet_parts(archive)
                )
            )
            if "content.xml" in archive.namelist() and not packed and not sprawling:
                sprawling = _ods_too_large(partial(archive.open, "content.xml"))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, zlib.error):
        # A part that does not unpack (a wrong checksum, cut short, an unknown packing) was not
        # measured, so it is not handed to calamine either: what it would unpack to is unknown,
        # and calamine aborts the whole process when it cannot allocate a sheet.
        raise _damaged_workbook() from None
    finally:
        stream.seek(position)
    if packed:
        raise _file_error(
            _(
                "This workbook unpacks to far more than its size (a sheet of a few KB that "
                "opens to hundreds of MB): it is not a sheet Carenet can read safely. Save the "
                "sheet as “CSV UTF-8” and import that."
            )
        )
    if sprawling:
        raise _file_error(
            _(
                "A sheet of this workbook has cells far beyond its table (up to the last "
                "rows or columns a sheet can have), so it would take too much memory to open. "
                "Delete the rows and columns after the table, or save the sheet as “CSV UTF-8” "
                "and import that."
            )
        )
    if largest > WORKBOOK_XML_LIMIT:
        raise _file_error(
            _(
                "This workbook is too large to open: its sheet unpacks to %(size)d MB, and "
                "Carenet opens up to %(limit)d MB. Delete the empty rows and columns, or save "
                "the sheet as “CSV UTF-8”, which has no such limit."
            )
            % {"size": largest // 2**20, "limit": WORKBOOK_XML_LIMIT // 2**20}
        )


def _refuse_uncalculated(stream: BinaryIO, sheet_name: str) -> None:
    """Raises TableError when the sheet to be read holds a formula saved without its result,
    as some programs write them: its cell would read as blank. Other sheets (a summary beside
    the data) are not read, so their formulas do not matter."""
    position = stream.tell()
    try:
        with zipfile.ZipFile(stream) as archive:
            cell = _uncalculated(archive, _sheet_part(archive, sheet_name))
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        return  # not an .xlsx (an .ods, an .xls), or a part calamine read all the same
    finally:
        stream.seek(position)
    if cell is not None:
        raise _file_error(
            _(
                "Cell %(cell)s of the sheet “%(sheet)s”, and maybe others, holds a formula "
                "saved without its result, as some programs write them, so it cannot be read. "
                "Open the file in Excel or LibreOffice, let it calculate, save it and upload "
                "it again."
            )
            % {"cell": cell, "sheet": sheet_name}
        )


HIDDEN = "hidden"
STRUCK = "struck"
FORMULA_ERROR = "formula error"


def _marks_by_sheet(packed: bytes) -> dict[str, Marks]:
    """The hidden and struck-through rows of each worksheet of an .xlsx (sheet_marks), by
    sheet name; nothing for other workbooks (an .ods, an .xls)."""
    try:
        with zipfile.ZipFile(io.BytesIO(packed)) as archive:
            links = _workbook_links(archive)
            present = set(archive.namelist())
            styles, strings = (
                name if (name := _part_name(links, kind)) in present else None
                for kind in ("styles", "sharedStrings")
            )
            return {
                name: find_marks(archive, part, styles, strings)
                for name, part in _sheet_parts(archive).items()
                if part in present
            }
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, EOFError, zlib.error):
        # Not an .xlsx, or a part damaged (one calamine need not open, a hidden sheet's): the
        # marks are not read, and the import says so; calamine reports a damaged data sheet.
        return {}


def _marked_rows(
    marks: Marks, positions: dict[str, int], header_row: int
) -> dict[int, tuple[str, str, str]]:
    """The data rows `marks` names, as TableStream.marked: a struck row, or one with an
    Excel error, only when a column the import reads is, and with the first such column."""
    keys = sorted((index, key) for key, index in positions.items())
    marked = {row: (HIDDEN, "", "") for row in marks.hidden if row > header_row}
    for row, errors in marks.errors.items():
        found = next(((key, errors[index]) for index, key in keys if index in errors), None)
        if row > header_row and found is not None and row not in marked:
            marked[row] = (FORMULA_ERROR, *found)
    for row, struck in marks.struck.items():
        key = next((key for index, key in keys if index in struck), None)
        if row > header_row and key is not None and row not in marked:
            marked[row] = (STRUCK, key, "")
    return marked


def _workbook_links(archive: zipfile.ZipFile) -> list[dict[str, str]]:
    links = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    return list(_elements(links, "Relationship"))


def _part_name(links: list[dict[str, str]], kind: str) -> str:
    """The part a workbook's relationship of this kind points to ("" when none does)."""
    target = next((a.get("Target", "") for a in links if a.get("Type", "").endswith(kind)), "")
    return _target_part(target) if target else ""


def _target_part(target: str) -> str:
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def _sheet_part(archive: zipfile.ZipFile, sheet_name: str) -> str:
    """The part of an .xlsx that holds the sheet of this name (KeyError when none does)."""
    return _sheet_parts(archive)[sheet_name]


def _worksheet_parts(archive: zipfile.ZipFile) -> set[str]:
    """Every part a workbook's sheets may be read from: where its relationships point (a sheet
    may lie outside xl/worksheets/, and calamine follows them there), and the usual place.
    When the relationships cannot be read, every XML part."""
    present = set(archive.namelist())
    usual = {n for n in present if n.startswith("xl/worksheets/") and n.endswith(".xml")}
    try:
        linked = set(_sheet_parts(archive).values())
    except (KeyError, ValueError, UnicodeDecodeError):
        return {n for n in present if n.endswith(".xml")}
    return usual | (linked & present)


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Each sheet's name, and the part of the .xlsx that holds it."""
    book = archive.read("xl/workbook.xml").decode("utf-8")
    targets = {a.get("Id"): a.get("Target", "") for a in _workbook_links(archive)}
    parts = {}
    for attributes in _elements(book, "sheet"):
        link = next((value for key, value in attributes.items() if key.endswith(":id")), "")
        if targets.get(link):
            parts[html.unescape(attributes.get("name", ""))] = _target_part(targets[link])
    return parts


def _elements(xml: str, tag: str) -> Iterator[dict[str, str]]:
    """The attributes of each element of this tag, whatever their order and prefix."""
    for found in re.finditer(rf"<(?:\w+:)?{tag}\b([^>]*)>", xml):
        yield dict(_ATTRIBUTE.findall(found[1]))


_ATTRIBUTE = re.compile(r'([\w:]+)="([^"]*)"')


# A formula cell of an .xlsx sheet with no result: "<f>P2</f><v/>", "<f>P2</f></c>", or a
# shared formula "<f t="shared" si="0"/></c>". Excel always saves the result; scripts may not.
_NO_RESULT = re.compile(rb"(?:</f>|<f\b[^>]{0,2000}/>)(?:<v\s*/>|<v></v>|</c>)")
_FORMULA_SCAN_BYTES = 4 * 1024 * 1024  # a column of formulas shows in its first rows


def _uncalculated(archive: zipfile.ZipFile, part_name: str) -> str | None:
    """The first cell of a worksheet part (in its first _FORMULA_SCAN_BYTES) that holds a
    formula saved without its result, as "B12"; None when there is none."""
    with archive.open(part_name) as part:
        head = part.read(_FORMULA_SCAN_BYTES)
    found = _NO_RESULT.search(head)
    if found is None:
        return None
    cells = _CELL_REF.findall(head, 0, found.start())
    return cells[-1].decode() if cells else "?"


_CELL_REF = re.compile(rb'<c\b[^>]{0,2000}?\br="([A-Z]+\d+)"')


def _data_sheet(book: CalamineWorkbook, columns: Sequence[Column]) -> tuple[CalamineSheet, Cells]:
    """The visible worksheet whose header names the most declared columns (a workbook may
    open with an instructions sheet), with its first rows. A workbook with that header on
    several sheets (one per หมู่, say) is refused: one import reads one sheet, and the others
    would be left out without a word. So is one whose header is only on a hidden sheet."""
    visible: list[tuple[int, str, CalamineSheet, Cells]] = []
    hidden: list[str] = []
    for index, meta in enumerate(book.sheets_metadata):
        if meta.typ != SheetTypeEnum.WorkSheet:
            continue
        if meta.visible != SheetVisibleEnum.Visible:
            hidden.append(meta.name)
            continue
        sheet = book.get_sheet_by_index(index)
        top = sheet.to_python(skip_empty_area=False, nrows=HEADER_SEARCH_ROWS)
        visible.append((_header_score(top, columns)[0], meta.name, sheet, top))
    if not visible:
        first = book.get_sheet_by_index(0)
        return first, first.to_python(skip_empty_area=False, nrows=HEADER_SEARCH_ROWS)
    best = max(visible, key=lambda candidate: candidate[0])
    twins = [name for score, name, *_ in visible if score == best[0]]
    if best[0] and len(twins) > 1:
        raise _file_error(
            _(
                "The sheets %(sheets)s all have the header of the rows to import, and one "
                "import reads one sheet. Copy all the rows onto one sheet, or import each "
                "sheet as a file of its own."
            )
            % {"sheets": ", ".join(f"“{name}”" for name in twins)}
        )
    if not best[0]:
        for name in hidden:
            top = book.get_sheet_by_name(name).to_python(
                skip_empty_area=False, nrows=HEADER_SEARCH_ROWS
            )
            if _header_score(top, columns)[0]:
                raise _file_error(
                    _(
                        "The rows to import are on the hidden sheet “%(sheet)s”. Unhide it "
                        "(right-click a sheet's tab, then Unhide) and delete the other sheets, "
                        "or copy its rows onto a visible sheet."
                    )
                    % {"sheet": name}
                )
    return best[2], best[3]


def _filled_down(
    records: Iterator[Sequence[object]],
    merged: Sequence[tuple[tuple[int, int], tuple[int, int]]] | None,
    offset: int,
    first_row: int,
) -> Iterator[Sequence[object]]:
    """The sheet's rows, from its first, with the value of each cell merged down over rows
    below the header copied into those rows. Offices merge a household's reference and
    address over its members' rows; the sheet holds the value in the top row only.
    `offset` is the sheet's first column, where the records start."""
    spans: dict[int, list[tuple[int, int]]] = {}
    for (top, left), (bottom, _right) in merged or ():
        if bottom > top >= first_row:
            spans.setdefault(top, []).append((left - offset, bottom))
    if not spans:
        yield from records
        return
    carried: dict[int, tuple[object, int]] = {}  # column -> (value, last row it covers)
    for number, record in enumerate(records):
        for column, bottom in spans.get(number, ()):
            if 0 <= column < len(record):
                carried[column] = (record[column], bottom)
        if carried:
            record = list(record)
            for column, (value, bottom) in list(carried.items()):
                if number > bottom:
                    del carried[column]
                elif column < len(record) and record[column] in ("", None):
                    record[column] = value
        yield record


# What a header may hold that does not change which column it names: spaces and line breaks
# anywhere ("นาม\nสกุล", typed with Alt+Enter), the punctuation of "วัน/เดือน/ปีเกิด",
# "ชื่อ – สกุล" or "house no.", and the star a template marks required columns with.
_HEADER_NOISE = str.maketrans(dict.fromkeys("_-–—−./:*", " "))
# A header numbered as a list ("1. ชื่อ", "(2) นามสกุล"), and a note in brackets after the name
# ("เลขประจำตัวประชาชน (13 หลัก)", "วันเกิด (พ.ศ.)", "เพศ (ชาย/หญิง)").
_HEADER_NUMBER = re.compile(r"^[(\[]?[0-9๐-๙]{1,3}\s*[.)\]]\s*")
_HEADER_NOTE = re.compile(r"[(\[（][^)\]）]*[)\]）]")
_BRACKETS = str.maketrans(dict.fromkeys("()[]（）", " "))


def normalize_header(text: object) -> str:
    """A header as compared with the aliases: case-folded, without spaces or punctuation."""
    return "".join(str(text).translate(INVISIBLE).translate(_HEADER_NOISE).split()).casefold()


def header_readings(cell: object) -> tuple[str, ...]:
    """The ways a header cell may name a column, the most literal first: as written, without
    its list number and brackets ("เลขประจำตัวประชาชน (อพม.)"), then without what the brackets
    hold ("เลขประจำตัวประชาชน (13 หลัก)")."""
    if cell is None or len(str(cell)) > LONGEST_HEADER:
        return ()
    text = _header_text(cell)
    plain = _HEADER_NUMBER.sub("", text)
    readings = (text, plain.translate(_BRACKETS), _HEADER_NOTE.sub(" ", plain))
    return tuple(dict.fromkeys(normalize_header(reading) for reading in readings))


def header_key(cell: object, aliases: dict[str, str]) -> str | None:
    """The key of the column a header cell names (see `header_readings`), or None."""
    match = _header_match(cell, aliases)
    return match[0] if match else None


# A cell of a row that is no record: a signature, a note or a total under the table.
NOTE_CELL = re.compile(
    r"^(?:ลงชื่อ|ลงนาม|หมายเหตุ|ผู้รายงาน|ผู้บันทึก|ผู้จัดทำ|\(|รวม|ทั้งหมด|จำนวน|total\b"
    r"|(?:[\d๐-๙,]+\s*(?:คน|ราย|ครัวเรือน|หลัง|หมู่บ้าน|ตำบล|แห่ง)\s*)+$)|\.\.|…",
    re.IGNORECASE,
)


def repeats_header(values: dict[str, str], aliases: dict[str, str]) -> bool:
    """Whether a data row holds the header again (a sheet pasted under another with its
    header): three of its cells or more name their own columns."""
    named = [key for key, text in values.items() if text and header_key(text, aliases) == key]
    return len(named) >= 3


def odd_row_reason(
    values: dict[str, str], aliases: dict[str, str], *, below_notes: bool = False
) -> str | None:
    """Why a row that failed its checks is not a record at all, if it is not: the header
    again, or a cell or two of total, note or signature (`below_notes`: any cell or two,
    once such a row was met: the signer's position under their name). The report then says
    that once instead of listing every cell the row lacks."""
    if repeats_header(values, aliases):
        return _("This row repeats the header row. A file has one header: delete this row.")
    filled = [text for text in values.values() if text]
    if len(filled) <= 2 and (below_notes or any(NOTE_CELL.search(text) for text in filled)):
        return _(
            "This row is no record. If it is a total, a note or a signature under the table, "
            "delete it from the file."
        )
    return None


def _header_match(cell: object, aliases: dict[str, str]) -> tuple[str, int] | None:
    """(the key a header cell names, how far from literal the reading that names it is)."""
    return next(
        ((aliases[r], level) for level, r in enumerate(header_readings(cell)) if r in aliases),
        None,
    )


def resembled_column(header: str, columns: Sequence[Column]) -> Column | None:
    """The column among `columns` whose name the header seems to shorten or lengthen ("สกุล"
    for "นามสกุล", "เบอร์" for "เบอร์โทร"): one of its aliases and a reading of the header
    hold one another, the shorter more than half the longer."""
    readings = [r for r in header_readings(header) if len(r) >= 3]
    for column in columns:
        for alias in map(normalize_header, column.aliases):
            for reading in readings:
                short, long = sorted((alias, reading), key=len)
                if len(short) >= 3 and short in long and 2 * len(short) > len(long):
                    return column
    return None


def _header_text(cell: object) -> str:
    return " ".join(str(cell)[:LONGEST_HEADER].translate(INVISIBLE).split())


# Columns past this are not read as headers (nor their cells): no register is so wide, and a
# row of 40 million empty cells took minutes to read as one.
MAX_HEADER_CELLS = 1000


def _header_score(cells: Cells, columns: Sequence[Column]) -> tuple[int, int]:
    """(how many declared columns the best header row names, that row's index)."""
    aliases = alias_lookup(columns)
    best = (0, 0)
    for index, row in enumerate(cells[:HEADER_SEARCH_ROWS]):
        found = _named(row[:MAX_HEADER_CELLS], aliases)
        if found > best[0]:
            best = (found, index)
    return best


def alias_lookup(columns: Sequence[Column]) -> dict[str, str]:
    """Each alias of the columns, as `normalize_header` writes it, to its column's key."""
    return {normalize_header(alias): c.key for c in columns for alias in c.aliases}


def _find_header(cells: Cells, columns: Sequence[Column]) -> tuple[int, list[object]]:
    """(the index of the header's last row, its cells). The header is the row among the first
    HEADER_SEARCH_ROWS that names the most declared columns, or two rows read together when
    they name more: government sheets often write a header over two rows ("หมู่" above "ที่",
    or "ที่อยู่" merged above "บ้านเลขที่" and "หมู่ที่")."""
    aliases = alias_lookup(columns)
    top = [row[:MAX_HEADER_CELLS] for row in cells[:HEADER_SEARCH_ROWS]]
    best: tuple[int, int, Sequence[object]] = (0, 0, ())
    for index, row in enumerate(top):
        found = _named(row, aliases)
        if found > best[0]:
            best = (found, index, row)
    for index in range(len(top) - 1):
        header = _two_row_header(top[index], top[index + 1], aliases)
        found = _named(header, aliases)
        if found > best[0]:
            best = (found, index + 1, header)
    if best[0]:
        return best[1], list(best[2])
    required = [c.label for c in columns if c.required] or [c.label for c in columns[:6]]
    raise _file_error(
        _(
            "No header row was found in the first %(rows)d rows of the file. "
            "The header must name the columns, such as %(columns)s."
        )
        % {"rows": HEADER_SEARCH_ROWS, "columns": ", ".join(f"“{label}”" for label in required)}
    )


def _named(row: Sequence[object], aliases: dict[str, str]) -> int:
    return len({key for cell in row if (key := header_key(cell, aliases)) is not None})


def _two_row_header(
    upper: Sequence[object], lower: Sequence[object], aliases: dict[str, str]
) -> list[object]:
    """Each column's header from two rows: both read together, or the one that names a
    column (the other being a group title merged over several columns)."""
    cells: list[object] = []
    for index in range(max(len(upper), len(lower))):
        parts = [
            _header_text(row[index])
            for row in (upper, lower)
            if index < len(row) and row[index] is not None and _header_text(row[index])
        ]
        together = (" " if all(part.isascii() for part in parts) else "").join(parts)
        named = [text for text in (together, *reversed(parts)) if header_key(text, aliases)]
        cells.append(named[0] if named else together or None)
    return cells


def _column_positions(
    header: Sequence[object], columns: Sequence[Column], row_number: int
) -> dict[str, int]:
    aliases = alias_lookup(columns)
    positions: dict[str, int] = {}
    levels: dict[str, int] = {}
    for index, cell in enumerate(header):
        match = _header_match(cell, aliases)
        if match is None:
            continue
        key, level = match
        if key in positions and level != levels[key]:
            # "ชื่อ" beside "ชื่อ (เดิม)": the header that names the column as written wins,
            # and the other is a column the import does not read.
            if level < levels[key]:
                positions[key], levels[key] = index, level
            continue
        if key in positions:
            raise _file_error(
                _(
                    "Two columns (%(first)s and %(second)s) both hold “%(header)s”. "
                    "Keep one and delete or rename the other."
                )
                % {
                    "first": column_letter(positions[key]),
                    "second": column_letter(index),
                    "header": _header_text(cell),
                },
                row=row_number,
                column=_header_text(cell),
            )
        positions[key], levels[key] = index, level
    return positions


def _missing_column(column: Column, header_row: int) -> RowError:
    return RowError(
        row=header_row,
        column=column.label,
        value="",
        reason=_("The file has no “%(column)s” column. Its header may be written as: %(aliases)s.")
        % {"column": column.label, "aliases": ", ".join(column.aliases)},
    )


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: the column name a spreadsheet shows."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _data_rows(
    cells: Cells,
    header_index: int,
    positions: dict[str, int],
    columns: Sequence[Column],
) -> list[Row]:
    rows: list[Row] = []
    for index in range(header_index + 1, len(cells)):
        raw = cells[index]
        values = {
            c.key: clean_cell(raw[positions[c.key]], c.kind)
            if c.key in positions and positions[c.key] < len(raw)
            else ""
            for c in columns
        }
        if any(values.values()):
            rows.append(Row(number=index + 1, values=values))
    return rows


def clean_cell(value: object, kind: Kind = Kind.TEXT) -> str:
    """The text a person would have typed for a cell value from CSV or a spreadsheet."""
    if value is None or isinstance(value, bool):
        return "" if value is None else ("TRUE" if value else "FALSE")
    if isinstance(value, date) and kind == Kind.DATE and _day_number(value) in _YEARS:
        return str(_day_number(value))  # a year typed alone into a cell formatted as a date
    if isinstance(value, datetime):
        return _datetime_text(value, kind)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat(timespec="seconds" if value.second else "minutes")
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, int | float):
        return _number_text(value, kind)
    # Longer than a spreadsheet cell can be: what is past the limit only makes every step
    # slower, and a cell this long is refused as too long for its column whatever it holds.
    text = " ".join(str(value)[: LONGEST_CELL + 1].translate(INVISIBLE).split())
    if text[:1] == "'" and neutralize_formula(text[1:]) == text:
        text = text[1:]  # as an export wrote it: the file is read as it was before export
    if _BLANK_MARK.fullmatch(text):
        return ""
    if kind == Kind.INTEGER:
        text = text.translate(THAI_DIGITS)
        if _WHOLE_NUMBER.match(text):
            text = text.replace(",", "").split(".")[0]
    return text


def _day_number(value: date) -> int:
    """The Excel day number of a date."""
    day = value.date() if isinstance(value, datetime) else value
    return (day - _EXCEL_EPOCH).days


def reads_back_as_date(value: date) -> bool:
    """Whether a day written into a date cell reads back as that day (`clean_cell`, for a
    date column): not a day before Excel's first, nor one whose day number reads as a year
    typed alone (late 1904 to early 1907)."""
    number = _day_number(value)
    return number in _EXCEL_SERIALS and number not in _YEARS


def _datetime_text(value: datetime, kind: Kind) -> str:
    if kind == Kind.DATE or value.time() == time(0):
        return value.date().isoformat()
    if value.microsecond:  # a day number's float, a hair off the second it stands for
        value = (value + timedelta(microseconds=500_000)).replace(microsecond=0)
    # The seconds, when there are some: an export's as_of is read to the second.
    return value.isoformat(sep=" ", timespec="seconds" if value.second else "minutes")


def _number_text(value: float, kind: Kind) -> str:
    # A date column holding a plain number is a date cell that lost its format.
    if (
        kind == Kind.DATE
        and float(value).is_integer()
        and int(value) in _EXCEL_SERIALS
        and int(value) not in _YEARS
    ):
        return (_EXCEL_EPOCH + timedelta(days=int(value))).isoformat()
    if float(value).is_integer():
        return str(int(value))
    return str(value)


def looks_like_formula(value: str) -> bool:
    """Whether a spreadsheet would run the text as a formula (numbers are not)."""
    if not value or value[0] not in _FORMULA_FIRST:  # most cells: one look at one character
        return False
    # Spreadsheets that trim cells on opening (LibreOffice's "trim spaces") would run " =1+1".
    value = value.lstrip(_TRIMMED)
    return value.startswith(_FORMULA_START) and not _NUMBER.match(value)


def neutralize_formula(value: str) -> str:
    """Prefixes an apostrophe to text a spreadsheet would run as a formula; numbers pass."""
    return "'" + value if looks_like_formula(value) else value


def error_report_csv(errors: Iterable[RowError], warnings: Iterable[RowError] = ()) -> bytes:
    """The errors and warnings as CSV bytes, in the file's row order, each marked as the one or
    the other (only errors stop an import): UTF-8 with a byte-order mark, so Excel shows the
    Thai."""
    marked = [(e, REPORT_ERROR) for e in errors] + [(w, REPORT_WARNING) for w in warnings]
    # Stable: problems with the file as a whole first, then by row, errors before warnings.
    marked.sort(key=lambda pair: -1 if pair[0].row is None else pair[0].row)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(REPORT_HEADER)
    for problem, kind in marked:
        writer.writerow(
            [
                "" if problem.row is None else problem.row,
                neutralize_formula(problem.column),
                neutralize_formula(problem.value),
                neutralize_formula(problem.reason),
                kind,
            ]
        )
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def write_error_report(
    errors: Iterable[RowError],
    destination: str | Path | BinaryIO,
    warnings: Iterable[RowError] = (),
) -> None:
    """Writes `error_report_csv` to a path or an open binary file."""
    data = error_report_csv(errors, warnings)
    if isinstance(destination, str | Path):
        Path(destination).write_bytes(data)
    else:
        destination.write(data)


# Streaming: the same reading, one row at a time -----------------------------------------------
#
# `read_table` holds the whole file, which suits a page of villages. A registry import can carry
# a million people, so `open_table` reads the same files in the same way (encodings, delimiter,
# header search, aliases, cleaning, row numbers and file errors are those of `read_table`) but
# hands the rows out one at a time: memory stays flat whatever the file's size. A CSV is decoded
# as it is read; its encoding is decided from the first 64 KB, and a file that changes encoding
# further down is a file error when the reader gets there. A workbook is parsed by calamine
# into its own compact memory, and only one row at a time becomes Python objects.
#
# Errors found while reading (a row limit passed, undecodable bytes further down) raise
# TableError from the iteration, so an importer reading rows must be ready for it there too.

STREAM_SNIFF_BYTES = 64 * 1024
# Joins a row's cells so that one test tells whether `clean_cell` would change any of them: a
# printable character that is neither a space nor anything `clean_cell` removes.
_CELL_SEPARATOR = "¦"
# A cell of dashes alone, which `clean_cell` makes blank. Looked for only in rows with a dash:
# the search costs ten times the test.
_DASH_CELL = re.compile(f"(?:^|{_CELL_SEPARATOR})[-–—−]+(?:{_CELL_SEPARATOR}|$)")


def _needs_cleaning(joined: str) -> bool:
    """Whether `clean_cell` could change a cell of the joined text cells.

    Non-printable characters are the control, zero-width and separator characters other than
    the ASCII space (tabs, newlines, no-break spaces ...); the rest is where spaces are.
    """
    return (
        not joined.isprintable()
        or "  " in joined
        or f" {_CELL_SEPARATOR}" in joined
        or f"{_CELL_SEPARATOR} " in joined
        or joined.startswith(" ")
        or joined.endswith(" ")
        or joined.startswith("'")  # the apostrophe an export puts before formula-like text
        or f"{_CELL_SEPARATOR}'" in joined
        or (_has_dash(joined) and _DASH_CELL.search(joined) is not None)
    )


def _has_dash(text: str) -> bool:
    return "-" in text or "–" in text or "—" in text or "−" in text


class TableStream:
    """The data rows of a file, read as they are iterated. Use it as a context manager."""

    def __init__(
        self,
        *,
        header_row: int,
        headers: dict[str, str],
        rows: Iterator[Row],
        progress: Callable[[], float | None],
        close: Callable[[], None],
        ignored: list[tuple[str, str]] | None = None,
        marked: dict[int, tuple[str, str, str]] | None = None,
        marks_read: bool = True,
        hidden_columns: list[tuple[str, str]] | None = None,
        other_sheet: str = "",
    ) -> None:
        self.header_row = header_row
        # The sheet read, when a workbook's rows are not on its first sheet: the row numbers
        # of a report are that sheet's, which whoever opens the file must be told.
        self.other_sheet = other_sheet
        self.headers = headers  # column key -> the header text as written in the file
        self.ignored = ignored or []  # (letter, header) of columns not read: ignored_columns
        # Row number -> (HIDDEN or STRUCK, the struck column's key or ""): rows of a workbook
        # that whoever saved it does not read as data (sheet_marks). Nothing for a CSV.
        self.marked = marked or {}
        # False for an .xls or .ods workbook, whose hidden and struck rows are not read.
        self.marks_read = marks_read
        # (letter, header) of the columns read that the workbook hides.
        self.hidden_columns = hidden_columns or []
        self._rows = rows
        self._progress = progress
        self._close = close

    def __iter__(self) -> Iterator[Row]:
        return self._rows

    def has(self, key: str) -> bool:
        return key in self.headers

    def fraction_read(self) -> float | None:
        """How much of the file has been read, 0 to 1, when the reader can tell."""
        return self._progress()

    def close(self) -> None:
        self._close()

    def __enter__(self) -> "TableStream":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def open_table(
    source: Source, columns: Sequence[Column], *, max_rows: int | None = None
) -> TableStream:
    """Opens a CSV or spreadsheet file to read its rows one by one; raises TableError.

    Like `read_table`, without holding the file: see the section comment above. `max_rows`
    None reads any number of rows.
    """
    stream, owned = _open_binary(source)
    try:
        start = stream.tell()
        magic = stream.read(8)
        stream.seek(start)
        if magic.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
            return _stream_workbook(stream, owned, columns, max_rows)
        return _stream_csv(stream, owned, columns, max_rows)
    except BaseException:
        if owned:
            stream.close()
        raise


def _open_binary(source: Source) -> tuple[BinaryIO, bool]:
    """A seekable binary stream of the source, and whether it is ours to close."""
    if isinstance(source, bytes):
        return io.BytesIO(source), True
    if isinstance(source, str | Path):
        try:
            return Path(source).open("rb"), True
        except OSError as error:
            raise _file_error(
                _("The file could not be opened: %(problem)s") % {"problem": error.strerror}
            ) from None
    seekable = getattr(source, "seekable", None)
    if callable(seekable) and seekable() and hasattr(source, "tell"):
        return source, False  # type: ignore[return-value]
    return io.BytesIO(source.read()), True


def _stream_size(stream: BinaryIO) -> int | None:
    try:
        here = stream.tell()
        size = stream.seek(0, io.SEEK_END)
        stream.seek(here)
        return size
    except (OSError, ValueError):
        return None


def _sniff_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head.isascii():
        return _ASCII_HEAD  # English headers and numbers: the Thai further down decides
    try:
        # The 64 KB may end inside a character: an incremental decoder allows for that.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        head.decode("cp874")
        return "cp874"
    except UnicodeDecodeError:
        raise _unreadable_text() from None


class _AsciiHeadDecoder(codecs.IncrementalDecoder):
    """Reads a text file whose first 64 KB are ASCII, so say nothing of its encoding.

    The first bytes that are not ASCII decide: UTF-8 if they read as UTF-8, else Windows-874,
    what Thai Windows saves as plain "CSV". A file with English headers and thousands of rows
    of numbers before the first Thai name is read either way.
    """

    def __init__(self, errors: str = "strict") -> None:
        super().__init__(errors)
        self._decoder: codecs.IncrementalDecoder | None = None

    def decode(self, data: bytes, final: bool = False) -> str:  # type: ignore[override]
        if self._decoder is None:
            if data.isascii():
                return data.decode("ascii")
            utf8 = codecs.getincrementaldecoder("utf-8")(self.errors)
            try:
                text = utf8.decode(data, final)
            except UnicodeDecodeError:
                self._decoder = codecs.getincrementaldecoder("cp874")(self.errors)
            else:
                self._decoder = utf8
                return text
        return self._decoder.decode(data, final)

    def reset(self) -> None:
        self._decoder = None


_ASCII_HEAD = "carenet_ascii_head"


def _find_codec(name: str) -> codecs.CodecInfo | None:
    if name != _ASCII_HEAD:
        return None
    utf8 = codecs.lookup("utf-8")
    return codecs.CodecInfo(
        name=_ASCII_HEAD,
        encode=utf8.encode,
        decode=utf8.decode,
        incrementalencoder=utf8.incrementalencoder,  # a writable stream asks for one
        incrementaldecoder=_AsciiHeadDecoder,
    )


codecs.register(_find_codec)


def _unreadable_text() -> TableError:
    return _file_error(
        _(
            "The file is neither a spreadsheet nor a text file Carenet can read. "
            "In Excel, save it as “Excel Workbook (.xlsx)” or “CSV UTF-8” and upload it again."
        )
    )


def _csv_error(row: int | None = None) -> TableError:
    # Python's own reason ("field larger than field limit") is English, and says no more.
    return _file_error(
        _(
            "The file could not be read as CSV: a cell is far too long, or its quotes do "
            "not match. Save it again from Excel."
        ),
        row=row,
    )


def _stream_csv(
    stream: BinaryIO, owned: bool, columns: Sequence[Column], max_rows: int | None
) -> TableStream:
    start = stream.tell()
    size = _stream_size(stream)
    head = stream.read(STREAM_SNIFF_BYTES)
    stream.seek(start)
    encoding = _sniff_encoding(head)
    head_text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head)

    def first_rows(delimiter: str) -> list[list[str]]:
        reader = csv.reader(io.StringIO(head_text, newline=""), delimiter=delimiter)
        return list(islice(iter(reader), HEADER_SEARCH_ROWS))

    try:
        delimiter = max(CSV_DELIMITERS, key=lambda d: _header_score(first_rows(d), columns)[0])
        text = io.TextIOWrapper(stream, encoding=encoding, newline="")
        reader = csv.reader(text, delimiter=delimiter)
        top = list(islice(reader, HEADER_SEARCH_ROWS))
    except csv.Error:
        raise _csv_error() from None
    except UnicodeDecodeError:
        raise _unreadable_text() from None
    header_index, positions, headers, ignored = _stream_header(top, columns)

    def failure(error: Exception, number: int) -> TableError:
        if isinstance(error, UnicodeDecodeError):
            # The decoder reads ahead, so the row is only roughly where the change is.
            return _file_error(
                _(
                    "Around row %(row)d, the file changes to another text encoding. Save the "
                    "whole file again as “CSV UTF-8” and upload it again."
                )
                % {"row": number}
            )
        return _csv_error(number)

    records = chain(top[header_index + 1 :], reader)
    rows = _stream_rows(
        records, header_index + 1, positions, columns, max_rows, all_text=True, failure=failure
    )

    def progress() -> float | None:
        if not size:
            return None
        try:
            return min(1.0, (stream.tell() - start) / size)
        except (OSError, ValueError):
            return None

    def close() -> None:
        if owned:
            text.close()
        else:
            text.detach()

    return TableStream(
        header_row=header_index + 1,
        headers=headers,
        ignored=ignored,
        rows=rows,
        progress=progress,
        close=close,
    )


def _stream_header(
    top: Cells, columns: Sequence[Column]
) -> tuple[int, dict[str, int], dict[str, str], list[tuple[str, str]]]:
    header_index, header = _find_header(top, columns)
    positions = _column_positions(header, columns, header_index + 1)
    missing = [c for c in columns if c.required and c.key not in positions]
    if missing:
        raise TableError([_missing_column(column, header_index + 1) for column in missing])
    headers = {key: _header_text(header[index]) for key, index in positions.items()}
    return header_index, positions, headers, ignored_columns(header, positions)


def _stream_rows(
    records: Iterator[Sequence[object]],
    number: int,
    positions: dict[str, int],
    columns: Sequence[Column],
    max_rows: int | None,
    *,
    all_text: bool,
    failure: Callable[[Exception, int], TableError],
    offset: int = 0,
    position: list[int] | None = None,
) -> Iterator[Row]:
    """The Rows of the records following row `number`; `failure` turns a reading error
    further down the file into the TableError to raise, and `position` tracks the row."""
    keys = [c.key for c in columns]
    kinds = [c.kind for c in columns]
    # The cells of the declared columns, in order, picked in one step; a column the file
    # lacks reads the blank appended to each record.
    indexes = [positions[c.key] - offset if c.key in positions else -1 for c in columns]
    pick = itemgetter(*indexes) if len(indexes) > 1 else lambda r: (r[indexes[0]],)
    width = max(indexes) + 1
    integers = [i for i, kind in enumerate(kinds) if kind == Kind.INTEGER]
    count = 0
    try:
        for record in records:
            number += 1
            if position is not None:
                position[0] = number
            cells: list[Any]
            if len(record) >= width:
                cells = list(pick([*record, ""]))
            else:
                cells = [record[i] if 0 <= i < len(record) else "" for i in indexes]
            if all_text or all(type(cell) is str for cell in cells):
                if _needs_cleaning(_CELL_SEPARATOR.join(cells)):
                    cells = [
                        clean_cell(cell, kind) for cell, kind in zip(cells, kinds, strict=True)
                    ]
                else:
                    for i in integers:
                        text = cells[i]
                        if text and not (text.isascii() and text.isdigit()):
                            cells[i] = clean_cell(text, Kind.INTEGER)
            else:
                cells = [clean_cell(cell, kind) for cell, kind in zip(cells, kinds, strict=True)]
            if not any(cells):
                continue
            count += 1
            if max_rows is not None and count > max_rows:
                raise _file_error(
                    _(
                        "The file has more than %(limit)d rows; one import can take at most "
                        "that many. Split it."
                    )
                    % {"limit": max_rows}
                )
            yield Row(number, dict(zip(keys, cells, strict=True)))
    except (csv.Error, UnicodeDecodeError, CalamineError, OSError) as error:
        raise failure(error, number + 1) from None


def _stream_workbook(
    stream: BinaryIO, owned: bool, columns: Sequence[Column], max_rows: int | None
) -> TableStream:
    try:
        _refuse_unreadable_workbook(stream)
        packed = stream.read()
        with ThreadPoolExecutor(max_workers=1) as pool:
            # Rows hidden or struck are found while calamine loads the sheets: the two overlap.
            marking = pool.submit(_marks_by_sheet, packed)
            book = CalamineWorkbook.from_filelike(io.BytesIO(packed))
            sheet, top = _data_sheet(book, columns)
            _refuse_uncalculated(io.BytesIO(packed), sheet.name)
            found = marking.result().get(sheet.name)
            first = book.sheets_metadata[0].name if book.sheets_metadata else sheet.name
    except (CalamineError, ValueError, OSError):
        raise _damaged_workbook() from None
    finally:
        if owned:
            stream.close()
    # The sheet's cells stay in calamine's compact memory; rows become Python one by one.
    header_index, positions, headers, ignored = _stream_header(top, columns)
    marked = _marked_rows(found, positions, header_index + 1) if found else {}
    hidden = found.hidden_columns if found is not None else set()
    hidden_read = [
        (column_letter(index), headers[key])
        for key, index in positions.items()
        if index in hidden and key in headers
    ]
    start = sheet.start
    # calamine's row iterator starts at the sheet's first row but at its first used column.
    offset = start[1] if start else 0
    total = (start[0] + sheet.height) if start else 0
    read = [0]
    records = _filled_down(sheet.iter_rows(), sheet.merged_cell_ranges, offset, header_index + 1)
    rows = _stream_rows(
        islice(records, header_index + 1, None),
        header_index + 1,
        positions,
        columns,
        max_rows,
        all_text=False,
        failure=lambda _error, _number: _damaged_workbook(),
        offset=offset,
        position=read,
    )
    return TableStream(
        header_row=header_index + 1,
        headers=headers,
        ignored=ignored,
        marked=marked,
        marks_read=found is not None,
        hidden_columns=hidden_read,
        rows=rows,
        progress=lambda: min(1.0, read[0] / total) if total else None,
        close=lambda: None,
        other_sheet=sheet.name if sheet.name != first else "",
    )


def _damaged_workbook() -> TableError:
    return _file_error(
        _(
            "This spreadsheet cannot be opened (it may be damaged or protected by a "
            "password). Save it again as “Excel Workbook (.xlsx)” and upload it again."
        )
    )
