"""What the registry imports share: the result, cell readers, areas, scope, and fast writing.

An import reads its file with `tabular.open_table`, one row at a time, and checks each row
with the readers here. A reader returns the cleaned value or raises `Problem(key, reason)`;
`Report` turns problems into `RowError`s (row, the column's header as written in the file,
the cell, the reason) and keeps the first MAX_LISTED of them.

Areas are resolved in memory (`Areas`): the subdistrict by its code, or by its names read
with geothai.match and matched against Carenet's own Area table; then the village by หมู่ที่.
Scope (`Scope`) asks accounts.access once per area.

Writing is `TableWriter`: rows of plain values into one table, with ids reserved beforehand
(`IdReserve`) so that rows can refer to each other before they are written. On PostgreSQL it
uses COPY, formatted here and sent by a background thread, so the database indexes one chunk
while Python checks the next; elsewhere (SQLite) it uses executemany in the calling thread.
"""

import json
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from io import BytesIO
from itertools import islice
from operator import mul
from pathlib import Path
from typing import Any, TypeVar

import geothai
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, IntegrityError, connection, models
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.areas.models import Area, Level
from carenet.core import citizen_id, thaidate
from carenet.core.tabular import Column, RowError, Source, TableStream
from carenet.spreadsheets.columns import NO_WORDS, YES_WORDS, Vocabulary, word_key

# The errors and warnings an import lists; past these it only counts them.
MAX_LISTED = 10_000
CHUNK_ROWS = 5_000
# Rows of one INSERT on backends without COPY (SQLite allows 32,766 parameters).
INSERT_BATCH = 500
ON_EXISTING = ("update", "skip", "error")
THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")

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

    @property
    def ok(self) -> bool:
        return not self.error_count

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


class Report:
    """Collects the errors and warnings of one import, with the file's own headers."""

    def __init__(self, result: ImportResult, headers: dict[str, str], columns: Sequence[Column]):
        self.result = result
        self.headers = headers
        self.labels = {c.key: c.label for c in columns}

    def column(self, key: str) -> str:
        return self.headers.get(key) or self.labels.get(key, key)

    def error(self, row: int | None, key: str, value: str, reason: str) -> None:
        self.result.error_count += 1
        if len(self.result.errors) < MAX_LISTED:
            self.result.errors.append(RowError(row, self.column(key) if key else "", value, reason))

    def warning(self, row: int | None, key: str, value: str, reason: str) -> None:
        self.result.warning_count += 1
        if len(self.result.warnings) < MAX_LISTED:
            self.result.warnings.append(
                RowError(row, self.column(key) if key else "", value, reason)
            )

    def problem(self, row: int, values: dict[str, str], problem: Problem) -> None:
        value = problem.value if problem.value is not None else values.get(problem.key, "")
        self.error(row, problem.key, value, problem.reason)

    def file_error(self, reason: str, row: int | None = None) -> None:
        self.error(row, "", "", reason)


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


_CHECK_WEIGHTS = range(13, 1, -1)  # as citizen_id.checksum_digit


def read_citizen_id(key: str, text: str) -> str:
    """The 13 digits of a citizen ID typed with or without dashes; "" for a blank cell."""
    if not text:
        return ""
    # Most cells hold the 13 digits as they are: check those without the general cleanup.
    if len(text) == 13 and text.isascii() and text.isdigit() and text[0] != "0":
        total = sum(map(mul, map(int, text[:12]), _CHECK_WEIGHTS))
        if (11 - total % 11) % 10 == int(text[12]):
            return text
    try:
        return citizen_id.normalize(text)
    except Exception as error:  # ValidationError, with the reason in the active language
        messages = getattr(error, "messages", None) or [str(error)]
        raise Problem(key, str(messages[0])) from None


_PHONE_JUNK = re.compile(r"[\s\-().]")
_PHONE = re.compile(r"0\d{8,9}")


def read_phone(key: str, text: str) -> str:
    """A Thai phone number as digits (0812345678); +66 becomes 0."""
    if not text:
        return ""
    digits = _PHONE_JUNK.sub("", text.translate(THAI_DIGITS))
    if digits.startswith("+66"):
        digits = "0" + digits[3:]
    elif digits.startswith("66") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    if not _PHONE.fullmatch(digits):
        raise Problem(key, _("Write a Thai phone number of 9 or 10 digits, e.g. 081 234 5678."))
    return digits


_MOO = re.compile(r"^(?:หมู่ที่|หมู่|ม\.?|moo\.?|m\.?)?\s*(\d+)$", re.IGNORECASE)


def read_moo(key: str, text: str) -> int | None:
    """A village number (หมู่ที่) 1 to 99; "หมู่ 3" and "ม.3" are read too."""
    if not text:
        return None
    match = _MOO.match(text)
    if match is None:
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


def read_gps(lat_text: str, lon_text: str) -> tuple[Decimal | None, Decimal | None]:
    """Both coordinates or neither, in decimal degrees, inside Thailand."""
    if not lat_text and not lon_text:
        return None, None
    if not lat_text or not lon_text:
        missing = "lat" if not lat_text else "lon"
        raise Problem(missing, _("Give both latitude and longitude, or neither."))
    values = []
    for key, text in (("lat", lat_text), ("lon", lon_text)):
        try:
            value = Decimal(text.translate(THAI_DIGITS))
        except InvalidOperation:
            value = Decimal("NaN")
        if not value.is_finite():
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


# --- Areas and scope -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Place:
    code: str
    name: str  # geothai.normalize'd Thai name
    name_en: str
    district: str  # the code of the district above


class Areas:
    """Carenet's subdistricts and villages, held in memory for one import.

    A subdistrict is found by its code or by its names. Names are read by geothai.match
    (which knows ต./อ./จ., "เมือง" and English names) and, for areas geothai does not list,
    compared with Carenet's own names; only areas Carenet holds count. A name shared by
    subdistricts in several districts, with no district to tell them apart, is an error that
    names the candidates.
    """

    PLACES_SHOWN = 5

    def __init__(self) -> None:
        self.names: dict[str, tuple[str, str]] = {}  # code -> (Thai name, English name)
        self.subdistricts: dict[str, list[_Place]] = {}  # normalized name -> places
        self.villages: dict[str, dict[int, str]] = {}  # subdistrict code -> moo -> village code
        self.level: dict[str, str] = {}
        rows = Area.objects.values_list("code", "level", "name_th", "name_en", "parent_id", "moo")
        for code, level, name_th, name_en, parent, moo in rows.iterator(chunk_size=10_000):
            self.level[code] = level
            if level == Level.VILLAGE:
                if parent and moo:
                    self.villages.setdefault(parent, {})[moo] = code
                continue
            self.names[code] = (name_th, name_en)
            if level == Level.SUBDISTRICT:
                place = _Place(code, geothai.normalize(name_th), name_en, parent or "")
                for key in {place.name, geothai.normalize(name_en) if name_en else ""} - {""}:
                    self.subdistricts.setdefault(key, []).append(place)
        self._resolved: dict[tuple[str, str, str, str], str | Problem] = {}

    def subdistrict(self, name: str, district: str, province: str, code: str) -> str:
        """The subdistrict code a row names; raises Problem."""
        key = (name, district, province, code)
        found = self._resolved.get(key)
        if found is None:
            try:
                found = self._subdistrict(name, district, province, code)
            except Problem as problem:
                found = problem
            self._resolved[key] = found
        if isinstance(found, Problem):
            raise found
        return found

    def _subdistrict(self, name: str, district: str, province: str, code: str) -> str:
        code = re.sub(r"[\s\-]", "", code)
        if code:
            if not re.fullmatch(r"\d{6}", code):
                raise Problem(
                    "subdistrict_code", _("A subdistrict code has 6 digits, such as 860101.")
                )
            if self.level.get(code) != Level.SUBDISTRICT:
                raise Problem("subdistrict_code", self._not_loaded(code))
            if name and code not in self._named(name, district, province):
                raise Problem(
                    "subdistrict",
                    _(
                        "The subdistrict code %(code)s is %(official)s, not “%(name)s”. "
                        "Check which of the two is right."
                    )
                    % {"code": code, "official": self.names[code][0], "name": name},
                )
            return code
        if not name:
            raise Problem("subdistrict", _("Enter the subdistrict (ตำบล) or the subdistrict code."))
        matches = self._named(name, district, province)
        if not matches:
            if district or province:
                reason = _(
                    "No subdistrict with this name was found in that district and province. "
                    "Check the spelling of the subdistrict, district and province, or use "
                    "the subdistrict code."
                )
            else:
                reason = _(
                    "No subdistrict with this name was found. Check the spelling, or use "
                    "the subdistrict code."
                )
            raise Problem("subdistrict", reason)
        if len(matches) > 1:
            places = "; ".join(self.describe(c) for c in matches[: self.PLACES_SHOWN])
            if len(matches) > self.PLACES_SHOWN:
                places += "; …"
            raise Problem(
                "subdistrict",
                _(
                    "%(count)d subdistricts have this name (%(places)s). Fill in the district "
                    "and the province, or use the subdistrict code."
                )
                % {"count": len(matches), "places": places},
            )
        return matches[0]

    def _named(self, name: str, district: str, province: str) -> list[str]:
        """The codes of the subdistricts Carenet holds that fit the names, sorted."""
        found = {
            address.subdistrict.code
            for address in _geothai_match(name, district, province)
            if self.level.get(address.subdistrict.code) == Level.SUBDISTRICT
        }
        district_key = geothai.normalize(district) if district else ""
        province_key = geothai.normalize(province) if province else ""
        for place in self.subdistricts.get(geothai.normalize(name), ()):
            if district_key and district_key not in self._keys(place.district):
                continue
            if province_key and province_key not in self._keys(place.code[:2]):
                continue
            found.add(place.code)
        return sorted(found)

    def _keys(self, code: str) -> set[str]:
        name_th, name_en = self.names.get(code, ("", ""))
        return {geothai.normalize(name_th), geothai.normalize(name_en)} - {""}

    def describe(self, code: str) -> str:
        """ "860101 ต.ท่าตะเภา อ.เมืองชุมพร จ.ชุมพร", to tell places apart in a message."""
        parts = [code]
        for prefix, length in (("ต.", 6), ("อ.", 4), ("จ.", 2)):
            name = self.names.get(code[:length], ("", ""))[0]
            if name:
                parts.append(f"{prefix}{name}")
        return " ".join(parts)

    def village(self, subdistrict: str, moo: int | None) -> str:
        """The area of an address: the village when villages are loaded, else the subdistrict."""
        villages = self.villages.get(subdistrict)
        if moo is None or not villages:
            return subdistrict
        code = villages.get(moo)
        if code is None:
            raise Problem(
                "moo",
                _(
                    "%(subdistrict)s has no village no. %(moo)d in Carenet (it has %(known)s). "
                    "Check the number."
                )
                % {
                    "subdistrict": self.describe(subdistrict),
                    "moo": moo,
                    "known": ", ".join(str(m) for m in sorted(villages)),
                },
            )
        return code

    @staticmethod
    def _not_loaded(code: str) -> str:
        return _(
            "There is no subdistrict with code %(code)s in Carenet. Check the code. If it is "
            "right, the areas have not been loaded yet: an administrator runs "
            "“manage.py load_areas”."
        ) % {"code": code}


@lru_cache(maxsize=16384)
def _geothai_match(name: str, district: str, province: str) -> tuple[Any, ...]:
    return tuple(geothai.match(name, district=district or None, province=province or None))


class Scope:
    """Whether the actor may import data at an area; the system (actor None) may anywhere."""

    def __init__(self, actor: Any) -> None:
        self.actor = actor
        self._allowed: dict[str, bool] = {}

    def allows(self, code: str) -> bool:
        if self.actor is None:
            return True
        allowed = self._allowed.get(code)
        if allowed is None:
            allowed = self._allowed[code] = access.can(self.actor, Perm.IMPORT_DATA, code)
        return allowed


def outside_scope_reason(areas: Areas, code: str) -> str:
    return _(
        "%(area)s is outside the areas where you may import data. Remove the row, or ask "
        "the coordinator of that area to import it."
    ) % {"area": areas.describe(code)}


def user_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


# --- Writing -------------------------------------------------------------------------------


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


# Joins the values of one array parameter (see `as_array`); cleaned cells never hold it.
ARRAY_SEPARATOR = "\x1f"


def as_array(values: Iterable[Any], cast: str = "text") -> tuple[str, str]:
    """(SQL, parameter) of a PostgreSQL array of the values, sent as one string.

    psycopg spends far longer quoting a long list, element by element, and on a query with
    thousands of placeholders, than the database spends running the query.
    """
    text = ARRAY_SEPARATOR.join(str(value) for value in values)
    return f"string_to_array(%s, '{ARRAY_SEPARATOR}')::{cast}[]", text


def among(field: str, values: Iterable[Any], cast: str = "text") -> dict[str, Any]:
    """`field__in=values`, with one array parameter on PostgreSQL (see `as_array`)."""
    listed = list(values)
    if is_postgresql():
        sql, param = as_array(listed, cast)
        return {f"{field}__in": RawSQL(f"SELECT unnest({sql})", (param,))}  # noqa: S611
    return {f"{field}__in": listed}


class IdReserve:
    """Hands out primary keys for rows not yet written, so that other rows can refer to them.

    PostgreSQL: values taken from the table's own sequence, a block at a time, so ids never
    clash with other sessions. SQLite: the import's IMMEDIATE transaction holds the write
    lock, so ids after the largest ever used (AUTOINCREMENT's counter) are free. Call
    `ensure` while the connection is free: `take` would otherwise wait for it.
    """

    BLOCK = 10_000

    def __init__(self, model: type[models.Model]) -> None:
        self.table = model._meta.db_table
        self.column = model._meta.pk.column
        self._free: deque[int] = deque()
        self._next_sqlite: int | None = None
        self._sequence: str | None = None

    def ensure(self, count: int) -> None:
        """Reserves ids now, so that the next `count` takes need no query."""
        while len(self._free) < count:
            self._free.extend(self._block())

    def take(self) -> int:
        if not self._free:
            self._free.extend(self._block())
        return self._free.popleft()

    def _block(self) -> list[int]:
        with connection.cursor() as cursor:
            if is_postgresql():
                if self._sequence is None:
                    cursor.execute(
                        "SELECT pg_get_serial_sequence(%s, %s)", [self.table, self.column]
                    )
                    self._sequence = cursor.fetchone()[0]
                cursor.execute(
                    "SELECT nextval(%s::regclass) FROM generate_series(1, %s)",
                    [self._sequence, self.BLOCK],
                )
                return [row[0] for row in cursor.fetchall()]
            if self._next_sqlite is None:
                quoted = connection.ops.quote_name(self.table)
                cursor.execute(f"SELECT COALESCE(MAX({self.column}), 0) FROM {quoted}")  # noqa: S608
                largest = cursor.fetchone()[0]
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [self.table])
                row = cursor.fetchone()
                self._next_sqlite = max(largest, row[0] if row else 0) + 1
            first = self._next_sqlite
            self._next_sqlite += self.BLOCK
            return list(range(first, first + self.BLOCK))


class TableWriter:
    """Inserts rows of plain values (in `fields` order) into a model's table.

    Values are Python values as the model holds them (bool, date, aware datetime, Decimal,
    a list for a JSON field, None). The model's other columns get their field's default, so
    that a field added to the model later needs no change here (one without a default is a
    mistake this raises at once). Use one `Pipeline` for all the writers of an import.
    """

    def __init__(self, model: type[models.Model], fields: Sequence[str]) -> None:
        meta = model._meta
        self.table = meta.db_table
        given = [meta.get_field(name) for name in fields]
        names = {f.name for f in given}
        rest = [
            f
            for f in meta.concrete_fields
            if f.name not in names and not (f.primary_key and isinstance(f, models.AutoField))
        ]
        for f in rest:
            if not (f.has_default() or f.null or f.empty_strings_allowed):
                raise ImproperlyConfigured(f"{meta.label}.{f.name} needs a value or a default")
        self.defaults = tuple(f.get_default() for f in rest)
        self.fields = [*given, *rest]
        quote = connection.ops.quote_name
        self.columns = ", ".join(quote(f.column) for f in self.fields)  # type: ignore[union-attr,arg-type]
        self.copy_sql = f"COPY {quote(self.table)} ({self.columns}) FROM STDIN"
        self.insert_sql = (
            f"INSERT INTO {quote(self.table)} ({self.columns}) VALUES "  # noqa: S608
            f"({', '.join(['%s'] * len(self.fields))})"
        )
        self._adapters = [self._adapter(f) for f in self.fields]

    def _adapter(self, model_field: Any) -> Callable[[Any], Any] | None:
        if isinstance(model_field, models.JSONField):
            return json.dumps
        if is_postgresql():
            return None
        if isinstance(model_field, models.DateTimeField):
            return connection.ops.adapt_datetimefield_value
        if isinstance(model_field, models.DateField):
            return _iso_or_none
        if isinstance(model_field, models.DecimalField):
            return _str_or_none
        return None

    def adapt(self, rows: Iterable[Sequence[Any]]) -> list[Sequence[Any]]:
        """The rows as the database driver takes them, with the defaults appended."""
        adapters, defaults = self._adapters, self.defaults
        if not any(adapters):
            return list(rows) if not defaults else [(*row, *defaults) for row in rows]
        return [
            tuple(
                value if adapt is None or value is None else adapt(value)
                for value, adapt in zip((*row, *defaults), adapters, strict=True)
            )
            for row in rows
        ]


def _iso_or_none(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _str_or_none(value: Any) -> str | None:
    return str(value) if value is not None else None


class Pipeline:
    """Writes batches of rows for TableWriters, in order, inside the caller's transaction.

    On PostgreSQL, `write` formats the rows as COPY data at once (psycopg's own formatting,
    into memory) and hands them to one background thread that sends them, so that the
    database works on a chunk while the caller checks the next one. The caller must call
    `wait` before it uses the database connection itself; `close` waits too. A failure of
    the thread is raised by the next `wait`, as IntegrityError when the data broke a
    constraint. Elsewhere `write` inserts at once, with executemany.
    """

    def __init__(
        self,
        *,
        checked: Sequence[type[models.Model]] = (),
        deferred: Sequence[tuple[type[models.Model], str]] = (),
    ) -> None:
        self.postgresql = is_postgresql()
        self._executor: ThreadPoolExecutor | None = None
        self._pending: Future[None] | None = None
        self._formatters: dict[int, _CopyFormatter] = {}
        self._immediate: list[str] = []
        if self.postgresql:
            connection.ensure_connection()
            self._raw = connection.connection  # the psycopg connection, inside the transaction
            self._cursor = self._raw.cursor()
            self._check_as_written(checked, deferred)

    def _check_as_written(
        self,
        checked: Sequence[type[models.Model]],
        deferred: Sequence[tuple[type[models.Model], str]],
    ) -> None:
        """Has PostgreSQL check the foreign keys of `checked` tables as rows are written.

        Django's foreign keys are checked at commit (DEFERRABLE INITIALLY DEFERRED): after a
        million rows, that is minutes of checks while nothing else can happen. Checked as the
        rows arrive, the work is done by the writing thread while the next chunk is being
        checked. Keys whose rows are written later (`deferred`) stay checked at commit.
        """
        later = {(m._meta.db_table, m._meta.get_field(f).column) for m, f in deferred}  # type: ignore[union-attr]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.conrelid::regclass::text, a.attname, c.conname FROM pg_constraint c "
                "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
                "WHERE c.contype = 'f' AND c.condeferrable AND c.conrelid = ANY(%s::regclass[])",
                [[m._meta.db_table for m in checked]],
            )
            self._immediate = [
                name for table, column, name in cursor.fetchall() if (table, column) not in later
            ]
            if self._immediate:
                cursor.execute(f"SET CONSTRAINTS {self._constraints()} IMMEDIATE")

    def _constraints(self) -> str:
        return ", ".join(connection.ops.quote_name(name) for name in self._immediate)

    def write(
        self,
        batches: Sequence[tuple[TableWriter, Sequence[Sequence[Any]]]],
        then: Callable[[Any], None] | None = None,
    ) -> None:
        """Writes the batches; then runs `then(cursor)` on the connection, after them."""
        batches = [(writer, rows) for writer, rows in batches if rows]
        if not self.postgresql:
            with connection.cursor() as cursor:
                for writer, rows in batches:
                    adapted = writer.adapt(rows)
                    for start in range(0, len(adapted), INSERT_BATCH):
                        cursor.executemany(writer.insert_sql, adapted[start : start + INSERT_BATCH])
            if then is not None:
                then(None)
            return
        if not batches and then is None:
            return
        if any(id(writer) not in self._formatters for writer, _rows in batches):
            self.wait()  # a formatter is set up from the connection: only while it is idle
            for writer, _rows in batches:
                if id(writer) not in self._formatters:
                    self._formatters[id(writer)] = _CopyFormatter(self._cursor)
        payloads = [
            (writer.copy_sql, self._formatters[id(writer)].format(writer.adapt(rows)))
            for writer, rows in batches
        ]
        self.wait()
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-copy")
        self._pending = self._executor.submit(self._send, payloads, then)

    def _send(self, payloads: list[tuple[str, bytes]], then: Callable[[Any], None] | None) -> None:
        from psycopg import errors

        try:
            with self._raw.cursor() as cursor:
                for sql, data in payloads:
                    with cursor.copy(sql) as copy:
                        copy.write(data)
                if then is not None:
                    then(cursor)
        except errors.IntegrityError as error:
            raise IntegrityError(str(error)) from error

    def wait(self) -> None:
        """Waits until everything handed over is written; re-raises a failure."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def close(self) -> None:
        """Waits for the thread, and gives the foreign keys back their check at commit."""
        try:
            self.wait()
        finally:
            if self._executor is not None:
                self._executor.shutdown(wait=True)
                self._executor = None
            if self.postgresql:
                self._cursor.close()
                self._defer_again()

    def _defer_again(self) -> None:
        """Back to checks at commit, for what the caller's transaction does next."""
        if not self._immediate:
            return
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"SET CONSTRAINTS {self._constraints()} DEFERRED")
        except DatabaseError:
            pass  # the transaction failed already and will be rolled back


class _CopyFormatter:
    """Turns rows into COPY text with psycopg's formatter, without sending anything.

    A psycopg Copy with a FileWriter only formats; this one stays open for the whole import
    and is emptied after each batch, so its type adapters are looked up once.
    """

    def __init__(self, cursor: Any) -> None:
        from psycopg.copy import Copy, FileWriter

        self._sink = BytesIO()
        self._copy = Copy(cursor, binary=False, writer=FileWriter(self._sink))

    def format(self, rows: Iterable[Sequence[Any]]) -> bytes:
        write_row = self._copy.write_row
        for row in rows:
            write_row(row)
        self._sink.write(self._copy.formatter.end())
        data = self._sink.getvalue()
        self._sink.seek(0)
        self._sink.truncate()
        return data


def chunks(rows: Iterable[T], size: int | None = None) -> Iterator[list[T]]:
    size = size or CHUNK_ROWS
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def source_name(source: Source) -> str:
    if isinstance(source, str | Path):
        return Path(source).name
    return str(getattr(source, "name", "") or "")


class ProgressReporter:
    """Calls `progress(stage, done, total)` once per chunk: "checking", then "importing"."""

    def __init__(self, callback: ProgressCallback | None, table: TableStream) -> None:
        self.callback = callback
        self.table = table

    def checking(self, done: int) -> None:
        if self.callback is None:
            return
        fraction = self.table.fraction_read()
        total = max(done, round(done / fraction)) if fraction else done
        self.callback("checking", done, total)

    def importing(self, done: int, total: int) -> None:
        if self.callback is not None:
            self.callback("importing", done, total)
