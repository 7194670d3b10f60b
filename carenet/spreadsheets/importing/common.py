"""What the registry imports share: the result, the report, and the readers of cells.

An import reads its file with `tabular.open_table`, one row at a time, and checks each row
with the readers here. A reader returns the cleaned value or raises `Problem(key, reason)`;
`Report` turns problems into `RowError`s (row, the column's header as written in the file,
the cell, the reason) and keeps the first MAX_LISTED of them. Areas and scope are in
places.py, the fast writing in writing.py.
"""

import gc
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from carenet.core import citizen_id, thaidate
from carenet.core.models import AuditEvent
from carenet.core.people import PHONE_NUMBER, PHONE_RULE, normalize_title, title_in_name
from carenet.core.tabular import (
    FORMULA_ERROR,
    HIDDEN,
    Column,
    Row,
    RowError,
    Source,
    Table,
    TableStream,
    normalize_header,
    resembled_column,
)
from carenet.core.text import THAI_DIGITS
from carenet.households.cleaning import dms_degrees, split_pasted_point
from carenet.spreadsheets import columns
from carenet.spreadsheets.columns import (
    NO_WORDS,
    YES_WORDS,
    Vocabulary,
    imported,
    label,
    word_key,
)
from carenet.spreadsheets.models import ImportKind

# The errors and warnings an import lists; past these it only counts them.
MAX_LISTED = 10_000
REPEATED = 100  # rows sharing one reason that earn a summary line (Report.summarize_repeats)
SHOWN_LENGTH = 200  # characters of a cell a report lists
CHUNK_ROWS = 5_000
ON_EXISTING = ("update", "skip", "error")

T = TypeVar("T")
ProgressCallback = Callable[[str, int, int], None]


# --- The result ----------------------------------------------------------------------------


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
        }


@dataclass(frozen=True)
class Change:
    """One value a row changes on a stored record, as the result lists it (a dry run shows
    what a file would change before it does)."""

    row: int
    column: str
    before: str
    after: str
    removed: str = ""  # of a list (groups, welfare): what it takes off, to stand out
    name: str = ""  # whose value it is, as recorded: a row number alone names nobody


@dataclass
class ImportResult:
    """What an import did, or would do on a dry run. With any error it did nothing.

    `errors` and `warnings` list at most MAX_LISTED each; `error_count` and `warning_count`
    count them all. Warnings (likely duplicates, groups that contradict the age) never block.
    """

    kind: str
    file_name: str = ""
    dry_run: bool = False
    total_rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    error_count: int = 0
    warning_count: int = 0
    households: Counts = field(default_factory=Counts)
    people: Counts = field(default_factory=Counts)
    volunteers: Counts = field(default_factory=Counts)
    # Rows told that the person is registered outside the importer's areas: each tells
    # something of someone they may not see, so the job's audit record keeps the count
    # (accounts.disclosure).
    registered_elsewhere: int = 0
    changes: list[Change] = field(default_factory=list)  # the first MAX_LISTED
    change_count: int = 0
    removal_count: int = 0  # changes that take something off a recorded list
    # Asked to hold changes to records already registered for review (hold_changes), it
    # found some and wrote nothing: the counts and changes say what it would do.
    held: bool = False

    @property
    def ok(self) -> bool:
        return not self.error_count

    def in_row_order(self) -> "ImportResult":
        """Sorts the errors and warnings by row, file-wide ones first. Checks run in several
        passes (each row, then the file's rows against each other and the register), so
        they are found out of order; a report is read top to bottom, like the file."""
        for listed in (self.errors, self.warnings):
            listed.sort(key=lambda e: -1 if e.row is None else e.row)
        return self

    @property
    def counts(self) -> dict[str, dict[str, int]]:
        """Counts by record type, for a page or a job's stored result."""
        if self.kind == "volunteers":
            return {"volunteers": self.volunteers.as_dict()}
        return {"households": self.households.as_dict(), "people": self.people.as_dict()}


class Problem(Exception):
    """One thing wrong with one cell (`key` is the column's key)."""

    def __init__(self, key: str, reason: str, value: str | None = None) -> None:
        super().__init__(reason)
        self.key, self.reason, self.value = key, reason, value
        _problems_made[0] += 1


# How many Problems this process has made, and had made at the last collection (see
# problems_freed).
_problems_made = [0, 0]
PROBLEMS_PER_COLLECTION = 50_000  # about 10,000 wrong rows: a few MB of garbage


@contextmanager
def problems_freed() -> Iterator[None]:
    """Frees what the rows read inside found wrong leave behind. A caught Problem kept in a
    list is a reference cycle (its traceback holds the frames that hold the list), which only
    the cycle collector frees, and imports pause it (collector_paused): a file of two million
    wrong rows took 20 GB. Once rows have made enough problems, one collection frees them;
    good rows make none and cost nothing."""
    yield
    made, collected = _problems_made
    if made - collected >= PROBLEMS_PER_COLLECTION and not gc.isenabled():
        _problems_made[1] = made
        gc.collect()


NAME_PARTS = ("title", "first_name", "last_name")
# The columns of citizen IDs: a report masks their cells whatever they hold (RowError.masked).
CITIZEN_ID_KEYS = frozenset({"citizen_id", "volunteer_citizen_id"})


class Report:
    """Collects the errors and warnings of one import, with the file's own headers."""

    def __init__(self, result: ImportResult, headers: dict[str, str], columns: Sequence[Column]):
        self.result = result
        self.headers = headers
        self.columns = columns
        self.labels = {c.key: c.label for c in columns}
        # Each error's reason -> how many rows have it, and the first of them.
        self._reasons: dict[str, list[int]] = {}

    def column(self, key: str) -> str:
        key = self._cell_key(key)
        return self.headers.get(key) or self.labels.get(key, key)

    def _cell_key(self, key: str) -> str:
        """The column that holds `key`'s cell: the whole name's for a part of the name the
        file has no column of."""
        if key in NAME_PARTS and key not in self.headers and "full_name" in self.headers:
            return "full_name"
        return key

    def error(self, row: int | None, key: str, value: str, reason: str) -> None:
        self.result.error_count += 1
        if len(self.result.errors) < MAX_LISTED:
            self.result.errors.append(self._listed(row, key, value, reason))
        if row is None:
            return
        seen = self._reasons.get(str(reason))
        if seen is not None:
            seen[0] += 1
        elif len(self._reasons) < MAX_LISTED:  # reasons that name their row are all distinct
            self._reasons[str(reason)] = [1, row]

    def undoes_later_edit(
        self, row: int, as_of: datetime | None, changed: datetime, record: str
    ) -> bool:
        """Whether the data of `row`, exported `as_of`, would undo an edit made in Carenet at
        `changed` (to the second: the as_of cell has no fraction); if so, refuses the row."""
        if as_of is None or changed.replace(microsecond=0) <= as_of:
            return False
        reason = later_edit_reason(record, changed, as_of, self.column("as_of"))
        self.error(row, "as_of", columns.as_of_text(as_of), reason)
        return True

    def summarize_repeats(self) -> None:
        """One line on top for a reason many rows share (a district's clerk importing the
        province's file: one "outside your areas" a row), so that it is read first, and
        what the cut list leaves out is counted."""
        for reason, (count, first) in self._reasons.items():
            if count >= REPEATED:
                summary = ngettext(
                    "%(count)d row, from row %(row)d on, has this problem: %(reason)s",
                    "%(count)d rows, from row %(row)d on, have this problem: %(reason)s",
                    count,
                ) % {"count": count, "row": first, "reason": reason}
                self.result.errors.insert(0, RowError(None, "", "", summary))

    def warning(self, row: int | None, key: str, value: str, reason: str) -> None:
        self.result.warning_count += 1
        if len(self.result.warnings) < MAX_LISTED:
            self.result.warnings.append(self._listed(row, key, value, reason))

    def change(
        self,
        row: int,
        key: str,
        before: object,
        after: object,
        removed: Sequence[str] = (),
        name: str = "",
    ) -> None:
        """Lists a value the row changes on a stored record (`shown` writes the values);
        `removed`: what a list loses, for the result to point out; `name`: the person's."""
        self.result.change_count += 1
        self.result.removal_count += bool(removed)
        if len(self.result.changes) < MAX_LISTED:
            column = shortened(self.column(key))
            gone = shortened(", ".join(removed))
            before, after = shortened(shown(before)), shortened(shown(after))
            self.result.changes.append(Change(row, column, before, after, gone, shortened(name)))

    def _listed(self, row: int | None, key: str, value: str, reason: str) -> RowError:
        column = self.column(key) if key else ""
        secret = key in CITIZEN_ID_KEYS
        return RowError(row, shortened(column), shortened(value), reason, id_cell=secret)

    def problem(self, row: int, values: dict[str, str], problem: Problem) -> None:
        key = self._cell_key(problem.key)
        value = problem.value if problem.value is not None else values.get(key, "")
        self.error(row, problem.key, value, problem.reason)

    def ignored_columns(self, table: Table | TableStream, covered: Iterable[str] = ()) -> None:
        """A warning for each column of the file that the import does not read, and an error
        for one whose header looks like a column the file lacks (`covered`: columns another
        one stands for): its cells would be lost under a header spelt another way."""
        # A column no import reads (EXPORT_ONLY) is never one whose cells would be lost.
        absent = [
            c for c in imported(self.columns) if not table.has(c.key) and c.key not in covered
        ]
        for letter, header in table.ignored:
            column = resembled_column(header, absent) or _status_named(header, absent)
            second = _status_named(header, self.columns) if table.has("status") else None
            if column is None and second is not None:
                reason = _(
                    "Column %(letter)s is not one Carenet reads, but its header speaks of a "
                    "status, and the file's status is read from “%(column)s”. Delete the "
                    "column if it holds nothing to import, or bring what it says into that one."
                ) % {"letter": letter, "column": table.headers["status"]}
                self.error(table.header_row, header, "", reason)
                continue
            if column is not None:
                if "volunteer_citizen_id" in self.labels:  # households: people and volunteers
                    reason = _(
                        "Column %(letter)s is not one Carenet reads, but its header looks like "
                        "“%(column)s”, which the file lacks. If it holds something else (the "
                        "volunteer's phone, say), delete the column; if it is “%(column)s” of "
                        "the people listed, rename its header to that."
                    )
                else:
                    reason = _(
                        "Column %(letter)s is not one Carenet reads, but its header looks like "
                        "“%(column)s”, which the file lacks. If it holds something else, delete "
                        "the column; if it is “%(column)s”, rename its header to that."
                    )
                reason %= {"letter": letter, "column": column.label}
                self.error(table.header_row, header, "", reason)
                continue
            if normalize_header(header) not in _ROW_NUMBER_HEADERS:
                born = table.headers.get("birth_date") if table.has("birth_date") else None
                reason = self._unread_reason(letter, header, birth_header=born)
                self.warning(table.header_row, header, "", reason)

    def _unread_reason(self, letter: str, header: str, *, birth_header: str | None) -> str:
        """Why a column is not imported, for the columns offices often add; `birth_header`:
        the file's birth-date column, if it has one."""
        key = normalize_header(header)
        if key in _AGE_HEADERS and birth_header:
            return _(
                "Column %(letter)s holds ages, which Carenet does not import: it works ages "
                "out from the column “%(column)s”."
            ) % {"letter": letter, "column": birth_header}
        if key in _AGE_HEADERS:
            return _(
                "Column %(letter)s holds ages, which Carenet does not import: it records birth "
                "dates and works ages and age groups (child, elderly ...) out from them. Add "
                "a column “%(column)s”; where only the year of birth is known, write 1 January "
                "of it."
            ) % {"letter": letter, "column": self.labels.get("birth_date", "")}
        if key in _VOLUNTEER_NAME_HEADERS and "volunteer_citizen_id" in self.labels:
            return _(
                "Column %(letter)s names volunteers, which Carenet cannot match by name: a "
                "household's volunteers are found by their citizen ID, in the column "
                "“%(column)s”."
            ) % {"letter": letter, "column": self.labels["volunteer_citizen_id"]}
        return _(
            "Column %(letter)s is not one Carenet reads, so its cells were not imported. If it "
            "holds data to import, give it the header the template uses."
        ) % {"letter": letter}

    def marks_unread(self, table: TableStream) -> None:
        """A warning for a workbook whose hidden and struck rows Carenet cannot see, for
        each column it reads that the workbook hides (hidden rows are refused: a column is
        often hidden only to make room, so it is said, not refused), and for rows read from
        another sheet than the first, whose row numbers the report gives."""
        if table.other_sheet:
            self.warning(
                None,
                "",
                "",
                _(
                    "The rows were read from the sheet “%(sheet)s”, not the workbook's first "
                    "sheet: the row numbers in this report are that sheet's."
                )
                % {"sheet": table.other_sheet},
            )
        for letter, header in table.hidden_columns:
            self.warning(
                table.header_row,
                header,
                "",
                _(
                    "Column %(letter)s is hidden in the workbook, yet it is read like the "
                    "others. Check what it holds; if it is out of date, delete the column."
                )
                % {"letter": letter},
            )
        if not table.marks_read:
            self.warning(
                None,
                "",
                "",
                _(
                    "Rows hidden or struck through in an .xls or .ods file cannot be told from "
                    "the others: every row was read. If some are hidden or struck through, "
                    "save the file as .xlsx and import that, or delete those rows."
                ),
            )

    def file_error(self, reason: str, row: int | None = None) -> None:
        self.error(row, "", "", reason)

    def no_rows(self, header_row: int) -> None:
        """The error of a file with a header and nothing under it (an empty template)."""
        self.file_error(
            _("The file has a header row but no rows of data under it: nothing to import."),
            header_row,
        )


# Without a status column every volunteer imported is active: any header that speaks of a
# status ("สถานะการเป็นสมาชิก", "current status") is taken for one the file misspells.
_STATUS_WORDS = ("สถานะ", "สถานภาพ", "status")


# The list's own running number, which nearly every office sheet has: nothing to import, and
# nothing to warn of.
_ROW_NUMBER_HEADERS = frozenset(
    map(normalize_header, ("ลำดับ", "ลำดับที่", "ที่", "เลขที่ลำดับ", "no.", "no", "#", "ลำดับ (No.)"))
)
_AGE_HEADERS = frozenset(
    map(normalize_header, ("อายุ", "อายุ (ปี)", "อายุปี", "age", "age (years)", "อายุ ปี"))
)
_VOLUNTEER_NAME_HEADERS = frozenset(
    map(
        normalize_header,
        ("ชื่อ อพม.", "ชื่อ-สกุล อพม.", "ชื่อ อพม. ที่ดูแล", "อพม. ที่ดูแล", "อพม.ผู้ดูแล",
         "อพม. ผู้รับผิดชอบ", "volunteer", "volunteer name"),
    )
)  # fmt: skip


def _status_named(header: str, columns: Sequence[Column]) -> Column | None:
    """The status column among `columns`, when the header speaks of a status."""
    column = next((c for c in columns if c.key == "status"), None)
    text = normalize_header(header)
    if column is not None and any(word in text for word in _STATUS_WORDS):
        return column
    return None


def shown(value: object) -> str:
    """A stored or read value as a result page shows it: dates in the Buddhist Era, choices
    by their label (pass the label), lists joined, nothing as a dash."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, date):
        return thaidate.format_short(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(str(item) for item in value)
    return str(value)


def name_parts(whole: str, last: str) -> tuple[str, str, str]:
    """(title, first name, last name) of a whole name such as "นายสมชาย ใจดี", the last name
    from its own cell when it has one."""
    said = title_in_name(whole)
    words = whole[len(said) :].split()
    if not words:
        return "", "", last
    return normalize_title(said), words[0], last or " ".join(words[1:])


def no_name_column(header_row: int, columns: Sequence[Column]) -> RowError:
    """The file error of a file with neither the first name's column nor the whole name's."""
    return RowError(
        header_row,
        label(columns, "first_name"),
        "",
        _(
            "The file needs a “%(first)s” column (with “%(last)s”), or one “%(full)s” column "
            "holding the whole name."
        )
        % {
            "first": label(columns, "first_name"),
            "last": label(columns, "last_name"),
            "full": label(columns, "full_name"),
        },
    )


def renamed_reason(recorded: str) -> str:
    """The warning for a row that renames the person its citizen ID finds: a mistyped ID
    would put one person's name on another's record."""
    return _(
        "The name differs from the one recorded for this citizen ID (%(recorded)s): the import "
        "renames the record. Check that the ID is this person's."
    ) % {"recorded": recorded}


def refuse_marked(row: Row, marked: dict[int, tuple[str, str, str]], report: "Report") -> bool:
    """Reports a row of the sheet that is hidden, struck through or shows an Excel error
    (TableStream.marked), as an error: whoever saved the file does not see it as data, or
    the cell lost its value, yet it would be imported. True when the row is one."""
    mark = marked.get(row.number)
    if mark is None:
        return False
    kind, key, shown = mark
    if kind == HIDDEN:
        reason = _(
            "This row is hidden in the sheet (by hand or by a filter), but an import reads "
            "every row. Delete the row if it should not be imported, or show it if it should, "
            "then upload the file again."
        )
    elif kind == FORMULA_ERROR:
        reason = _(
            "This cell shows an Excel error (%(error)s): its formula found no value (a VLOOKUP "
            "that did not find the row, a deleted cell). Fix the formula or type the value, "
            "then upload the file again."
        ) % {"error": shown}
    else:
        reason = _(
            "Text in this row is struck through, which usually marks a cancelled entry, but an "
            "import reads struck text like any other. Delete the row (or the struck text) if "
            "it should not be imported, or remove the strikethrough if it should, then upload "
            "the file again."
        )
    report.error(row.number, key, shown or (row.values.get(key, "") if key else ""), reason)
    return True


def shortened(text: str) -> str:
    """A cell's text as a report shows it: enough to find the cell, not a whole pasted page."""
    return text if len(text) <= SHOWN_LENGTH else text[: SHOWN_LENGTH - 1] + "…"


def attempt(problems: list[Problem], check: Callable[..., T], *args: Any) -> T | None:
    """Runs one cell reader, keeping its problem so that a row reports all of them."""
    try:
        return check(*args)
    except Problem as problem:
        problems.append(problem)
        return None


# --- Cell readers --------------------------------------------------------------------------


def read_yes_no(key: str, text: str) -> bool | None:
    """ใช่/ไม่, yes/no, 1/0 ...; None for a blank cell."""
    if not text:
        return None
    found = word_key(text)
    if found in YES_WORDS:
        return True
    if found in NO_WORDS:
        return False
    raise Problem(key, _("Write yes or no (ใช่ or ไม่), or leave the cell blank."))


_LIST_SEPARATORS = re.compile(r"[,;|\n]+")


def read_words(key: str, text: str, vocabulary: Vocabulary) -> list[str]:
    """The codes of a comma-separated list of words, in the order written, without repeats.

    Thai lists are often separated by spaces only ("ผู้สูงอายุ ติดเตียง"), so an item that is
    not a known word is read again word by word (and at "/").
    """
    codes: list[str] = []
    unknown: list[str] = []
    for item in _LIST_SEPARATORS.split(text):
        item = item.strip()
        if not item:
            continue
        code = vocabulary.parse(item)
        if code is not None:
            parts = [code]
        else:
            pieces = [p for p in re.split(r"[\s/]+", item) if p]
            found = [vocabulary.parse(p) for p in pieces]
            if len(pieces) < 2 or None in found:
                unknown.append(item)
                continue
            parts = [code for code in found if code is not None]
        codes.extend(code for code in parts if code not in codes)
    if unknown:
        raise Problem(
            key,
            _("Not a known value: %(unknown)s. Use the words %(known)s, separated by commas.")
            % {"unknown": ", ".join(f"“{u}”" for u in unknown), "known": vocabulary.listed()},
        )
    return codes


def read_choice(key: str, text: str, vocabulary: Vocabulary) -> str:
    """The code of one word; "" for a blank cell."""
    if not text:
        return ""
    code = vocabulary.parse(text)
    if code is None:
        raise Problem(key, _("Write one of %(known)s.") % {"known": vocabulary.listed()})
    return code


def read_date(key: str, text: str, today: date, past: bool = True) -> date | None:
    """A date in Buddhist Era or Common Era, day/month/year or ISO; None for a blank cell."""
    if not text:
        return None
    try:
        value = thaidate.parse(text)
    except thaidate.DateInputError as error:
        raise Problem(key, str(error)) from None
    if past and value > today:
        raise Problem(key, _("The date cannot be in the future."))
    return value


# "30/11/2569 10:15:42" as an export writes it; the seconds may be gone (a spreadsheet that
# reformatted the cell), the time too ("30/11/2569": the start of that day).
_AS_OF = re.compile(
    r"^(?P<day>.+?)"
    r"(?:[ T]+(?P<h>\d{1,2})[:.](?P<m>\d\d)(?:[:.](?P<s>\d\d)(?:\.\d+)?)?)?(?:\s*น\.)?$"
)


def read_as_of(key: str, text: str, now: datetime) -> datetime | None:
    """When the data of an exported file was read (the as_of column); None for a blank."""
    if not text:
        return None
    match = _AS_OF.match(" ".join(text.translate(THAI_DIGITS).split()))
    try:
        if match is None:
            raise thaidate.DateInputError("")
        day = thaidate.parse(match["day"])
        moment = datetime.combine(day, time(int(match["h"] or 0), int(match["m"] or 0)))
        moment = moment.replace(second=int(match["s"] or 0))
    except (thaidate.DateInputError, ValueError):
        raise Problem(
            key,
            _(
                "Write when the data was exported as day/month/year and time, as an export "
                "writes it (e.g. %(example)s), or leave the cell blank."
            )
            % {"example": columns.as_of_text(now)},
        ) from None
    moment = timezone.make_aware(moment)
    if moment > now + timedelta(minutes=5):
        raise Problem(key, _("The time the data was exported cannot be in the future."))
    return moment


def _to_the_second(moment: datetime) -> str:
    """30 พ.ย. 2569 10:15:42: two moments of one minute told apart."""
    return f"{thaidate.format_datetime(moment)}:{timezone.localtime(moment):%S}"


def import_audit(
    actor_id: int | None, target_type: str, pk: int, area: str, changed: Iterable[str], file: str
) -> AuditEvent:
    """The audit row of one stored record a file changes, naming the fields and the file, so
    that the record's own history shows the import; written with the import's rows."""
    fields = sorted(name.removesuffix("_id") for name in changed if name not in _UNAUDITED)
    return AuditEvent(
        actor_id=actor_id,
        action=f"{target_type.split('.')[1]}.import",
        target_type=target_type,
        target_id=str(pk),
        area_code=area,
        details={"fields": fields, "file": file},
    )


_UNAUDITED = frozenset({"name_key", "version", "updated_at"})  # kept with the fields, not typed


def later_edit_reason(record: str, changed: datetime, as_of: datetime, column: str) -> str:
    """Why a row that would undo a later edit of a person, household or volunteer is refused."""
    opening = {
        "person": _(
            "This person's record was changed in Carenet on %(changed)s, after this file's "
            "data was exported (%(as_of)s): the row would undo that change."
        ),
        "household": _(
            "This household's address, head or volunteers were changed in Carenet on "
            "%(changed)s, after this file's data was exported (%(as_of)s): the rows would "
            "undo that change."
        ),
        "volunteer": _(
            "This volunteer's record was changed in Carenet on %(changed)s, after this file's "
            "data was exported (%(as_of)s): the row would undo that change."
        ),
    }[record] % {"changed": _to_the_second(changed), "as_of": _to_the_second(as_of)}
    return (
        opening
        + " "
        + _(
            "Export the data again and make your edits in the new file. To overwrite what "
            "Carenet holds on purpose, clear the row's “%(column)s” cell."
        )
        % {"column": column}
    )


# What registers write where a person has no citizen ID (the cell then counts as blank).
NO_ID_WORDS = frozenset(map(word_key, ("ไม่มี", "ไม่มีบัตร", "ไม่มีเลข", "ไม่ทราบ", "none", "n/a")))


def read_citizen_id(key: str, text: str) -> str:
    """The 13 digits of a citizen ID typed with or without dashes; "" for a blank cell."""
    if not text:
        return ""
    # Most cells hold the 13 digits as they are: check those without the general cleanup.
    plain = len(text) == 13 and text.isascii() and text.isdigit() and text[0] != "0"
    if plain and citizen_id.checksum_digit(text[:12]) == int(text[12]):
        return text
    text = unicodedata.normalize("NFKC", text).removeprefix("'")  # full-width digits too
    if word_key(text) in NO_ID_WORDS:
        return ""
    if _AS_NUMBER.fullmatch(text):
        raise Problem(
            key,
            _(
                "The spreadsheet turned this ID into a number and lost its last digits. Format "
                "the column as text, type the IDs again, and save the file."
            ),
        )
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]  # a number cell written out as text
    try:
        return citizen_id.normalize(text)
    except Exception as error:  # ValidationError, with the reason in the active language
        messages = getattr(error, "messages", None) or [str(error)]
        raise Problem(key, str(messages[0])) from None


_AS_NUMBER = re.compile(r"\d(?:[.,]\d+)?[eE]\+?\d+")
_PHONE_JUNK = re.compile(r"[\s\-().]")
_LOST_ZERO = re.compile(r"[689]\d{8}|[2-57]\d{7}")
# A number written with something more: "081-234-5678 (ลูกสาว)", "02 123 4567 ต่อ 12".
_PHONE_IN_TEXT = re.compile(r"(?<!\d)0\d(?:[\s\-.]?\d){7,8}(?!\d)")


def read_phone(key: str, text: str) -> str:
    """A Thai phone number as digits (0812345678); +66 becomes 0."""
    if not text:
        return ""
    digits = _PHONE_JUNK.sub("", text.translate(THAI_DIGITS))
    if digits.startswith("+66"):
        digits = "0" + digits[3:]
    elif digits.startswith("66") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    elif _LOST_ZERO.fullmatch(digits):
        digits = "0" + digits  # a spreadsheet read the number as a number and dropped its 0
    if not PHONE_NUMBER.fullmatch(digits):
        lone = digits.lstrip("+").isdigit()  # one number, of the wrong length or start
        if not lone and _PHONE_IN_TEXT.search(text.translate(THAI_DIGITS)):
            raise Problem(
                key,
                _(
                    "Write one phone number in the cell and nothing else, e.g. 081 234 5678. "
                    "Whose number it is, an extension or a second number go elsewhere."
                ),
            )
        raise Problem(key, str(PHONE_RULE))
    return digits


# "3", "หมู่ 3", "ม.3", and the village's name after its number ("ม.3 บ้านบางกลาง").
_MOO = re.compile(r"^(?:หมู่ที่|หมู่|ม\.?|moo\.?|m\.?)?\s*(\d+)(?:\s+(?:บ้าน|บ\.)\S*.*)?$", re.I)


# What a cell holds once Excel has read "12/3" or "1-3" typed into it as a date.
_EXCEL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2})?$")
# The same date as a CSV saved by Excel shows it: "16-May", "May-16", "16-พ.ค.", "1-Mar-25".
_MONTH = "|".join(re.escape(m) for m in (*thaidate.MONTHS_EN_SHORT, *thaidate.MONTHS_TH_SHORT))
_SHOWN_DATE = re.compile(
    rf"^(?:\d{{1,2}}[- ](?:{_MONTH})(?:[- ]\d{{2,4}})?|(?:{_MONTH})[- ]\d{{1,4}})$", re.IGNORECASE
)


def refuse_excel_number(key: str, text: str) -> None:
    """Raises Problem for a number (a card or document no.) a spreadsheet wrote as a float
    ("6.18306E+11"): its last digits are gone, and only the clerk has them."""
    if _AS_NUMBER.fullmatch(text):
        raise Problem(
            key,
            _(
                "The spreadsheet turned this number into a rounded figure and lost its last "
                "digits. Format the column as text, type the numbers again, and save the file."
            ),
        )


def refuse_excel_date(key: str, text: str, example: str) -> None:
    """Raises Problem when a cell that holds no date (a house no., village numbers) holds
    one: Excel turns "12/3" and "1-3" into dates as they are typed, and the sheet keeps the
    date, not what was typed."""
    if _EXCEL_DATE.match(text) or _SHOWN_DATE.match(text):
        raise Problem(
            key,
            _(
                "Excel has turned what was typed here into a date. Set the column's format "
                "to Text, type it again (e.g. %(example)s) and save the file."
            )
            % {"example": example},
        )


def read_moo(key: str, text: str) -> int | None:
    """A village number (หมู่ที่) 1 to 99; "หมู่ 3" and "ม.3" are read too."""
    if not text:
        return None
    match = _MOO.match(text)
    if match is None:
        refuse_excel_date(key, text, "3")
        raise Problem(key, _("Write the village number (หมู่ที่) as a number from 1 to 99."))
    number = int(match.group(1))
    if not 1 <= number <= 99:
        raise Problem(key, _("A village number (หมู่ที่) is between 1 and 99."))
    return number


def read_text(key: str, text: str, limit: int) -> str:
    if len(text) > limit:
        raise Problem(key, _("At most %(limit)d characters.") % {"limit": limit})
    return text


# Roughly Thailand, with a margin for the islands (as carenet.households.services).
LATITUDES = (Decimal("5.5"), Decimal("20.5"))
LONGITUDES = (Decimal("97.3"), Decimal("105.7"))
_GPS_PLACES = Decimal("0.000001")


def _dms_degrees(key: str, text: str) -> Decimal | None:
    """10°29'30"N as the form reads it (households.cleaning.dms_degrees)."""
    try:
        return dms_degrees(text, "latitude" if key == "lat" else "longitude")
    except ValidationError as error:
        raise Problem(key, error.messages[0]) from None


def read_gps(lat_text: str, lon_text: str) -> tuple[Decimal | None, Decimal | None]:
    """Both coordinates or neither, in decimal degrees (or degrees, minutes and seconds,
    converted), inside Thailand."""
    if not lat_text and not lon_text:
        return None, None
    lat_text, lon_text = split_pasted_point(lat_text, lon_text)  # as the form reads it
    if not lat_text or not lon_text:
        missing = "lat" if not lat_text else "lon"
        raise Problem(missing, _("Give both latitude and longitude, or neither."))
    values = []
    for key, text in (("lat", lat_text), ("lon", lon_text)):
        text = text.translate(THAI_DIGITS)
        try:
            value: Decimal | None = Decimal(text)
        except InvalidOperation:
            value = _dms_degrees(key, text)
        if value is None or not value.is_finite():
            raise Problem(key, _("Write the coordinate as a decimal number, e.g. 10.493."))
        values.append(value.quantize(_GPS_PLACES))
    lat, lon = values
    lat_ok = LATITUDES[0] <= lat <= LATITUDES[1]
    lon_ok = LONGITUDES[0] <= lon <= LONGITUDES[1]
    if not lat_ok and not lon_ok and LATITUDES[0] <= lon <= LATITUDES[1]:
        raise Problem("lat", _("Latitude and longitude look swapped: latitude comes first."))
    if not lat_ok:
        raise Problem("lat", _("This point is not in Thailand (latitude 5.5 to 20.5)."))
    if not lon_ok:
        raise Problem("lon", _("This point is not in Thailand (longitude 97.3 to 105.7)."))
    return lat, lon


def user_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def chunks(rows: Iterable[T], size: int | None = None) -> Iterator[list[T]]:
    size = size or CHUNK_ROWS
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


_collector_pauses = 0
_collector_lock = threading.Lock()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off while an import runs, back on when the last one ends.

    An import keeps hundreds of thousands of objects alive (the households and IDs it has
    seen), and every full collection walks all of them again: at a million rows that was
    nearly a third of the import's CPU time (bench/README.md). Its good rows make no
    reference cycles, and wrong ones are cleared up after (problems_freed). Imports in
    threads of one web process share the switch, hence the count.
    """
    global _collector_pauses
    with _collector_lock:
        _collector_pauses += 1
        if _collector_pauses == 1:
            gc.disable()
    try:
        yield
    finally:
        with _collector_lock:
            _collector_pauses -= 1
            if _collector_pauses == 0:
                gc.enable()


def source_name(source: Source) -> str:
    if isinstance(source, str | Path):
        return Path(source).name
    return str(getattr(source, "name", "") or "")


class ProgressReporter:
    """Calls `progress(stage, done, total)` once per chunk: "checking", then "importing"."""

    def __init__(self, callback: ProgressCallback | None) -> None:
        self.callback = callback

    def checking(self, done: int, fraction: float | None) -> None:
        """`fraction`: how much of the file has been read (TableStream.fraction_read)."""
        if self.callback is None:
            return
        total = max(done, round(done / fraction)) if fraction else done
        self.callback("checking", done, total)

    def importing(self, done: int, total: int) -> None:
        if self.callback is not None:
            self.callback("importing", done, total)


def wrong_kind(header_row: int, header: str, kind: ImportKind) -> RowError:
    """The error of a file of the other kind (households for volunteers, or the reverse)."""
    return RowError(
        header_row,
        header,
        "",
        _(
            "This looks like a file of %(kind)s: it has a “%(header)s” column. Choose "
            "“%(kind)s” as what the file holds, or remove that column."
        )
        % {"kind": kind.label, "header": header},
    )
