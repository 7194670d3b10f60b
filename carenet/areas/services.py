"""Writes of areas: loading the official list from geothai, and adding villages."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import geothai
from django.db import transaction
from django.utils.translation import gettext as _

from carenet.areas.models import Area, Level
from carenet.areas.names import NearSpellings, did_you_mean, places_above, subdistricts_named
from carenet.core.services import audit_areas, audit_record, audit_record_each
from carenet.core.tabular import (
    Column,
    Kind,
    Row,
    RowError,
    Source,
    Table,
    TableError,
    alias_lookup,
    odd_row_reason,
    read_table,
)
from carenet.core.text import THAI_DIGITS


@dataclass
class LoadResult:
    created: int = 0
    renamed: int = 0
    unchanged: int = 0


def _official_areas() -> list[Area]:
    """Every province, district and subdistrict in geothai, parents before children."""
    rows: list[Area] = []
    for province in geothai.provinces():
        rows.append(
            Area(
                code=province.code,
                level=Level.PROVINCE,
                name_th=province.name_th,
                name_en=province.name_en,
            )
        )
        for district in geothai.districts(province.code):
            rows.append(
                Area(
                    code=district.code,
                    level=Level.DISTRICT,
                    name_th=district.name_th,
                    name_en=district.name_en,
                    parent_id=province.code,
                )
            )
            for sub in geothai.subdistricts(district.code):
                rows.append(
                    Area(
                        code=sub.code,
                        level=Level.SUBDISTRICT,
                        name_th=sub.name_th,
                        name_en=sub.name_en,
                        parent_id=district.code,
                    )
                )
    return rows


@transaction.atomic
def areas_load_from_geothai(
    *, actor: object = None, province_codes: list[str] | None = None
) -> LoadResult:
    """Adds the official areas that are missing and renames those geothai now names otherwise.

    Nothing is deleted: an area that a later geothai release drops may still be referred to by
    records, so it stays. Running this twice changes nothing the second time.
    """
    official = _official_areas()
    if province_codes:
        official = [a for a in official if a.code[:2] in province_codes]
    existing = {
        code: (name_th, name_en)
        for code, name_th, name_en in Area.objects.exclude(level=Level.VILLAGE).values_list(
            "code", "name_th", "name_en"
        )
    }
    result = LoadResult()
    to_create: list[Area] = []
    to_rename: list[Area] = []
    for area in official:
        names = existing.get(area.code)
        if names is None:
            to_create.append(area)
        elif names != (area.name_th, area.name_en):
            to_rename.append(area)
        else:
            result.unchanged += 1
    Area.objects.bulk_create(to_create, batch_size=1000)
    Area.objects.bulk_update(to_rename, ["name_th", "name_en"], batch_size=1000)
    result.created, result.renamed = len(to_create), len(to_rename)
    if to_create or to_rename:
        audit_record(
            actor=actor,
            action="areas.load",
            details={
                "geothai": geothai.DATA_VERSION,
                "created": result.created,
                "renamed": result.renamed,
            },
        )
    return result


# Importing villages ---------------------------------------------------------------------------
#
# The official list stops at subdistricts; villages (หมู่บ้าน) come from each province's own
# spreadsheet. A row names its subdistrict by code (รหัสตำบล) or by names (ตำบล, อำเภอ,
# จังหวัด, read by geothai.match), then the village number (หมู่ที่) and name. The village's
# code is the subdistrict code and the two-digit number, so importing is an upsert by code: a
# new number adds a village, a new name renames it, and the same file twice changes nothing.
# The whole file is checked before anything is written, and any error stops the import.

VILLAGE_COLUMNS = (
    Column(
        "subdistrict_code",
        ("รหัสตำบล", "subdistrict_code", "subdistrict code", "tambon code"),
        kind=Kind.INTEGER,
    ),
    Column("subdistrict", ("ตำบล", "subdistrict", "tambon")),
    Column("district", ("อำเภอ", "district", "amphoe")),
    Column("province", ("จังหวัด", "province", "changwat")),
    Column(
        "moo",
        ("หมู่ที่", "moo", "หมู่", "village_no", "village no", "village number"),
        required=True,
        kind=Kind.INTEGER,
    ),
    Column(
        "name",
        ("ชื่อหมู่บ้าน", "village_name", "name", "village name", "หมู่บ้าน"),
        required=True,
    ),
)
_MOO = re.compile(r"^(?:หมู่ที่|หมู่|ม\.?|moo\.?|m\.?)?\s*(\d+)$", re.IGNORECASE)
_NAME_MAX_LENGTH = Area._meta.get_field("name_th").max_length or 150
_PLACES_SHOWN = 5

T = TypeVar("T")


@dataclass
class ImportResult:
    """What an import did, or would do on a dry run; with errors, it did nothing."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class _Village:
    row: int
    subdistrict: str
    moo: int
    name: str

    @property
    def code(self) -> str:
        return f"{self.subdistrict}{self.moo:02d}"


class _Invalid(Exception):
    def __init__(self, key: str, reason: str) -> None:
        super().__init__(reason)
        self.key, self.reason = key, reason


class _Loaded:
    """The provinces, districts and subdistricts Carenet holds, for one import: code -> Thai
    name; and, for a subdistrict name none of them has, those spelt nearly the same."""

    def __init__(self) -> None:
        areas = Area.objects.exclude(level=Level.VILLAGE).values_list("code", "name_th")
        self.names: dict[str, str] = dict(areas)
        self._near = NearSpellings()
        self._by_name: dict[str, list[str]] = {}
        # A province's file repeats a typo on every row.
        self._said: dict[tuple[str, str, str], list[str]] = {}

    def __contains__(self, code: str) -> bool:
        return code in self.names

    def __getitem__(self, code: str) -> str:
        return self.names[code]

    def spelt_alike(self, name: str, district: str = "", province: str = "") -> list[str]:
        """ "850107 ต.หาดส้มแป้น อ.เมืองระนอง จ.ระนอง" for up to three loaded subdistricts
        whose name is spelt nearly as `name`: a clerk's typo, offered as the likely meaning.
        Those in the district and province the row names come first: a common name
        (ปากน้ำ) is in many provinces."""
        asked = (name, district, province)
        if asked not in self._said:
            self._said[asked] = self._spelt_alike(*asked)
        return self._said[asked]

    def _spelt_alike(self, name: str, district: str, province: str) -> list[str]:
        if not self._by_name:
            for code, subdistrict in self.names.items():
                if len(code) == 6:
                    self._by_name.setdefault(geothai.normalize(subdistrict), []).append(code)
        near = self._near(name, self._by_name)
        in_row = [geothai.normalize(p) if p else "" for p in (province, district)]

        def farther(code: str) -> tuple[bool, bool, str]:
            above = [geothai.normalize(self.names.get(code[:n], "")) for n in (2, 4)]
            return (in_row[0] != above[0], in_row[1] != above[1], code)

        codes = sorted({code for key in near for code in self._by_name[key]}, key=farther)[:3]
        return [f"{code} {places_above(code, lambda c: self.names.get(c, ''))}" for code in codes]


@transaction.atomic
def villages_import(*, actor: object, source: Source, dry_run: bool = False) -> ImportResult:
    """Checks a CSV or XLSX file of villages whole, then adds and renames them in one go.

    With any error in the file nothing is written and `errors` lists them row by row. The
    subdistricts must already be loaded (`manage.py load_areas`). One audit row per import.
    """
    try:
        table = read_table(source, VILLAGE_COLUMNS)
    except TableError as error:
        return ImportResult(errors=error.errors, dry_run=dry_run)
    villages, errors = _check_villages(table)
    result = ImportResult(rows=len(table), errors=errors, dry_run=dry_run)
    if errors:
        return result
    to_create, to_update = _village_changes(villages, result)
    if dry_run:
        return result
    Area.objects.bulk_create(to_create, batch_size=1000)
    Area.objects.bulk_update(to_update, ["name_th", "moo"], batch_size=1000)
    if to_create or to_update:
        audit_record_each(
            areas=audit_areas(village.code for village in villages),
            actor=actor,
            action="areas.import_villages",
            details={
                "file": _source_name(source),
                "rows": result.rows,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            },
        )
    return result


def _check_villages(table: Table) -> tuple[list[_Village], list[RowError]]:
    if not (table.has("subdistrict_code") or table.has("subdistrict")):
        reason = _(
            "The file needs a “%(code)s” column, or a “%(name)s” column "
            "(with “%(district)s” and “%(province)s” when the name is not unique)."
        ) % {
            "code": _label("subdistrict_code"),
            "name": _label("subdistrict"),
            "district": _label("district"),
            "province": _label("province"),
        }
        return [], [RowError(row=table.header_row, column="", value="", reason=reason)]
    known = _Loaded()
    aliases = alias_lookup(VILLAGE_COLUMNS)
    errors: list[RowError] = []
    seen: dict[str, _Village] = {}
    for row in table:
        checked = _check_village_row(row, known)
        if isinstance(checked, list):
            # A total or a note under the list is no village: said once, not cell by cell.
            if odd := odd_row_reason(row.values, aliases):
                errors.append(RowError(row=row.number, column="", value="", reason=odd))
            else:
                errors += [_row_error(table, row, problem) for problem in checked]
            continue
        first = seen.setdefault(checked.code, checked)
        if first.name != checked.name:
            errors.append(_row_error(table, row, _Invalid("name", _duplicate_reason(first))))
    return list(seen.values()), errors


def _duplicate_reason(first: _Village) -> str:
    return _(
        "Village no. %(moo)d of this subdistrict is already in row %(row)d with the name "
        "“%(name)s”. A village can have only one name: correct one of the two rows."
    ) % {"moo": first.moo, "row": first.row, "name": first.name}


def _row_error(table: Table, row: Row, problem: _Invalid) -> RowError:
    column = table.headers.get(problem.key) or _label(problem.key)
    return RowError(row=row.number, column=column, value=row[problem.key], reason=problem.reason)


def _label(key: str) -> str:
    return next(c.label for c in VILLAGE_COLUMNS if c.key == key)


def _check_village_row(row: Row, known: _Loaded) -> _Village | list[_Invalid]:
    problems: list[_Invalid] = []
    subdistrict = _attempt(problems, _subdistrict_code, row, known)
    moo = _attempt(problems, _moo_number, row["moo"])
    name = _attempt(problems, _village_name, row["name"])
    if subdistrict is None or moo is None or name is None:
        return problems
    return _Village(row=row.number, subdistrict=subdistrict, moo=moo, name=_plain_name(name, moo))


# "หมู่ 7 บ้านควนไม้ดำ", "ม.7 บ.ควนไม้ดำ": the village's own number written before its name,
# and บ. for บ้าน, as lists often write them.
_NUMBER_BEFORE = re.compile(r"^(?:หมู่ที่|หมู่|ม\.?)\s*(\d+)\s*(?=\S)")
_BAN = re.compile(r"^บ\.\s*(?=\S)")


def _plain_name(name: str, moo: int) -> str:
    """The village's name without its own number before it (another number is left: it may
    be part of the name), and with บ. written out as บ้าน: "หมู่ 7 บ้านควนไม้ดำ" showed as
    "หมู่ 7 หมู่ 7 บ้านควนไม้ดำ" on the centre pages."""
    number = _NUMBER_BEFORE.match(name.translate(THAI_DIGITS))
    if number and int(number.group(1)) == moo:
        name = name[number.end() :]
    return _BAN.sub("บ้าน", name)


def _attempt(problems: list[_Invalid], check: Callable[..., T], *args: Any) -> T | None:
    try:
        return check(*args)
    except _Invalid as problem:
        problems.append(problem)
        return None


def _moo_number(text: str) -> int:
    if not text:
        raise _Invalid("moo", _("Enter the village number (1 to 99)."))
    match = _MOO.match(text)
    if match is None:
        raise _Invalid(
            "moo", _("This is not a village number. Write a number from 1 to 99, such as 3.")
        )
    number = int(match.group(1))
    if not 1 <= number <= 99:
        raise _Invalid("moo", _("A village number runs from 1 to 99."))
    return number


def _village_name(text: str) -> str:
    if not text:
        raise _Invalid("name", _("Enter the village name."))
    if len(text) > _NAME_MAX_LENGTH:
        raise _Invalid(
            "name",
            _("A village name can have at most %(limit)d characters.")
            % {"limit": _NAME_MAX_LENGTH},
        )
    return text


def _subdistrict_code(row: Row, known: _Loaded) -> str:
    """The row's subdistrict: by its code when given (checked against the name), else by name."""
    code = re.sub(r"[\s\-]", "", row["subdistrict_code"])
    if code:
        if not re.fullmatch(r"\d{6}", code):
            raise _Invalid(
                "subdistrict_code", _("A subdistrict code has 6 digits, such as 860101.")
            )
        if code not in known:
            raise _Invalid("subdistrict_code", _not_loaded_reason(code))
        if row["subdistrict"] and code not in _codes_named(row):
            raise _Invalid(
                "subdistrict",
                _(
                    "The subdistrict code %(code)s is %(official)s, not “%(name)s”. "
                    "Check which of the two is right."
                )
                % {"code": code, "official": known[code], "name": row["subdistrict"]},
            )
        return code
    if not row["subdistrict"]:
        raise _Invalid("subdistrict", _("Enter the subdistrict code or the subdistrict name."))
    return _subdistrict_by_name(row, known)


def _not_loaded_reason(code: str) -> str:
    return _(
        "There is no subdistrict with code %(code)s in Carenet. Check the code. If it is "
        "right, the areas have not been loaded yet: an administrator runs "
        "“manage.py load_areas”."
    ) % {"code": code}


def _subdistrict_by_name(row: Row, known: _Loaded) -> str:
    matches = subdistricts_named(row["subdistrict"], row["district"], row["province"])
    if not matches:
        reason = (
            _(
                "No subdistrict with this name was found in that district and province. "
                "Check the spelling of the subdistrict, district and province, or use the "
                "subdistrict code."
            )
            if row["district"] or row["province"]
            else _("No subdistrict with this name was found. Check the spelling, or use the code.")
        )
        if near := known.spelt_alike(row["subdistrict"], row["district"], row["province"]):
            reason += " " + did_you_mean(near)
        raise _Invalid("subdistrict", reason)
    if len(matches) > 1:
        places = "; ".join(
            f"{a.subdistrict.code} {a.district.name_th} {a.province.name_th}"
            for a in matches[:_PLACES_SHOWN]
        ) + ("; …" if len(matches) > _PLACES_SHOWN else "")
        raise _Invalid(
            "subdistrict",
            _(
                "%(count)d subdistricts have this name (%(places)s). Fill in the district "
                "and the province, or use the subdistrict code."
            )
            % {"count": len(matches), "places": places},
        )
    code = matches[0].subdistrict.code
    if code not in known:
        raise _Invalid("subdistrict", _not_loaded_reason(code))
    return code


def _codes_named(row: Row) -> set[str]:
    found = subdistricts_named(row["subdistrict"], row["district"], row["province"])
    return {address.subdistrict.code for address in found}


def _village_changes(
    villages: list[_Village], result: ImportResult
) -> tuple[list[Area], list[Area]]:
    existing = {
        code: (name, moo)
        for code, name, moo in Area.objects.filter(level=Level.VILLAGE).values_list(
            "code", "name_th", "moo"
        )
    }
    to_create: list[Area] = []
    to_update: list[Area] = []
    for village in villages:
        area = Area(
            code=village.code,
            level=Level.VILLAGE,
            name_th=village.name,
            moo=village.moo,
            parent_id=village.subdistrict,
        )
        before = existing.get(village.code)
        if before is None:
            to_create.append(area)
        elif before != (village.name, village.moo):
            to_update.append(area)
        else:
            result.unchanged += 1
    result.created, result.updated = len(to_create), len(to_update)
    return to_create, to_update


def _source_name(source: Source) -> str:
    if isinstance(source, str | Path):
        return Path(source).name
    return str(getattr(source, "name", "") or "")
