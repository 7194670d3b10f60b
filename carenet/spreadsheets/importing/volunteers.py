"""Importing volunteers (อพม.) from a spreadsheet, one row per volunteer.

The conventions are those of the households import (headers, dates, IDs, areas, yes/no,
lists; see households.py), plus the registration number and date, the status and the
villages covered (หมู่ที่รับผิดชอบ, "1, 3, 5"). The subdistrict columns name the subdistrict
the volunteer serves; หมู่ที่ and บ้านเลขที่ are their home address, in the subdistrict that
รหัสตำบลที่อยู่ gives (an export writes it). Without that column a new volunteer lives where
they serve, and a stored one keeps the home subdistrict on record.

Volunteers are matched by citizen ID. Even the whole country holds fewer than 200,000, so
this import checks every row and holds them before it writes anything, in one transaction.
A new volunteer gets the first entry of their status history; a status the file changes is
recorded in the history too, and must be a move STATUS_MOVES allows. It takes effect on the
row's วันที่เปลี่ยนสถานะ (the column an export writes), checked as the status form checks its
date, or, when the cell is blank, on the day of the import.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from carenet.accounts import disclosure
from carenet.core import citizen_id, thaidate
from carenet.core.models import AuditEvent
from carenet.core.people import (
    SEX_OF_TITLE,
    Sex,
    age_on,
    name_key,
    normalize_title,
    parse_sex,
    phone_shown,
    thai_spelling,
)
from carenet.core.services import audit_areas, audit_record_each
from carenet.core.tabular import (
    Row,
    RowError,
    Source,
    TableError,
    alias_lookup,
    odd_row_reason,
    open_table,
    repeats_header,
)
from carenet.households.models import HouseholdAssignment
from carenet.spreadsheets.columns import (
    HOUSEHOLD_COLUMNS,
    HOUSEHOLD_ONLY,
    OTHER_ROLES,
    VOLUNTEER_COLUMNS,
    VOLUNTEER_IMPORT_COLUMNS,
    VOLUNTEER_STATUSES,
    label,
    other_kind_column,
)
from carenet.spreadsheets.importing.common import (
    ON_EXISTING,
    THAI_DIGITS,
    Counts,
    ImportResult,
    Problem,
    ProgressCallback,
    ProgressReporter,
    Report,
    attempt,
    chunks,
    import_audit,
    name_parts,
    no_name_column,
    problems_freed,
    read_as_of,
    read_citizen_id,
    read_date,
    read_moo,
    read_phone,
    read_text,
    read_words,
    refuse_excel_date,
    refuse_marked,
    renamed_reason,
    source_name,
    user_or_none,
    wrong_kind,
)
from carenet.spreadsheets.importing.places import Areas, Scope, outside_scope_reason
from carenet.spreadsheets.importing.writing import among
from carenet.spreadsheets.models import ImportKind
from carenet.volunteers.models import (
    STATUS_MOVES,
    Volunteer,
    VolunteerStatus,
    VolunteerStatusChange,
)
from carenet.volunteers.services import (
    LEAVING,
    MINIMUM_AGE,
    check_registration_no,
    last_status_dates,
    login_follows_area,
    login_follows_status,
    seat_records,
    seats_follow_status,
    service_date_refused,
    status_date_refused,
)

AUDIT_ACTION = "spreadsheets.import_volunteers"
COLUMNS = VOLUNTEER_IMPORT_COLUMNS
# The fields a file sets on a volunteer (the villages and status are handled apart).
FIELDS = (
    "title",
    "first_name",
    "last_name",
    "name_key",
    "birth_date",
    "sex",
    "phone",
    "line_id",
    "house_no",
    "address_moo",
    "address_area_id",
    "area_id",
    "registration_no",
    "registration_date",
    "other_roles",
)
# Which cell sets which field: a blank cell keeps what is stored.
CELL_OF = {
    "title": "title",
    "last_name": "last_name",
    "birth_date": "birth_date",
    "sex": "sex",
    "phone": "phone",
    "line_id": "line_id",
    "house_no": "house_no",
    "address_moo": "moo",
    "registration_no": "registration_no",
    "registration_date": "registration_date",
    "other_roles": "other_roles",
}


def _keep_first_registration(item: Any, volunteer: Any, report: Any) -> None:
    """A re-registration's later date does not replace the first: the date a volunteer
    joined counts their years of service, the figures of every year since, and the earliest
    day a seat or a status change may have. The new number is taken; the date is said."""
    given = item.changes.get("registration_date")
    first = volunteer.registration_date
    if given is None or first is None or given <= first:
        return  # none given, none stored, or an earlier day: a correction, taken
    del item.changes["registration_date"]
    report.warning(
        item.row,
        "registration_date",
        thaidate.format_numeric(given),
        _(
            "Registered first on %(first)s: that date is kept, as the day this volunteer "
            "joined the network (their years of service and every year's figures count from "
            "it). A re-registration's new number is taken."
        )
        % {"first": thaidate.format_numeric(first)},
    )


@dataclass
class _Checked:
    row: int
    digits: str
    hash: str
    values: dict[str, Any]
    given: set[str]
    villages: list[str] | None  # None: the file does not say
    status: str  # "" when the cell is blank
    status_date: date | None = None  # the date of a change of status the row makes
    last_change: date | None = None  # the stored volunteer's last status change (_match)
    stale_date: bool = False  # the row's date of change is that of the last change: not used
    as_of: datetime | None = None  # when the row's data was exported, if it says
    whole_name: str = ""  # the whole-name cell as written: a new volunteer's title may be in it
    stored: Volunteer | None = None
    changes: dict[str, Any] = field(default_factory=dict)


def import_volunteers(
    *,
    actor: Any,
    source: Source,
    dry_run: bool = False,
    on_existing: str = "update",
    progress: ProgressCallback | None = None,
    max_rows: int | None = None,
    today: date | None = None,
    hold_changes: bool = False,
) -> ImportResult:
    """Checks a CSV or XLSX file of volunteers whole, then imports it in one transaction.

    The arguments and the result are those of import_households; `volunteers` holds the
    counts. With any error nothing is written and `errors` lists every problem.
    """
    if on_existing not in ON_EXISTING:
        raise ValueError(f"on_existing must be one of {ON_EXISTING}")
    result = ImportResult(kind="volunteers", file_name=source_name(source), dry_run=dry_run)
    _import(
        result,
        actor=actor,
        source=source,
        on_existing=on_existing,
        progress=progress,
        max_rows=max_rows,
        today=today or timezone.localdate(),
        hold_changes=hold_changes,
    )
    return result.in_row_order()


def _import(
    result: ImportResult,
    *,
    actor: Any,
    source: Source,
    on_existing: str,
    progress: ProgressCallback | None,
    max_rows: int | None,
    today: date,
    hold_changes: bool,
) -> None:
    dry_run = result.dry_run
    try:
        with open_table(source, COLUMNS, max_rows=max_rows) as table:
            if not (table.has("subdistrict") or table.has("subdistrict_code")):
                result.errors.append(_no_area_column(table.header_row))
                result.error_count += 1
                return
            if not (table.has("first_name") or table.has("full_name")):
                result.errors.append(no_name_column(table.header_row, COLUMNS))
                result.error_count += 1
                return
            other = other_kind_column(table.ignored, HOUSEHOLD_COLUMNS, HOUSEHOLD_ONLY)
            if other:
                result.errors.append(wrong_kind(table.header_row, other, ImportKind.HOUSEHOLDS))
                result.error_count += 1
                return
            report = Report(result, table.headers, COLUMNS)
            # A whole name stands for the title and the name's parts.
            named = ("title", "first_name", "last_name") if table.has("full_name") else ()
            report.ignored_columns(table, covered=named)
            report.marks_unread(table)
            reader = _Reader(actor=actor, areas=Areas(), report=report, today=today)
            reader.marked = table.marked
            ticker = ProgressReporter(progress)
            checked: list[_Checked] = []
            for rows in chunks(table):
                with problems_freed():
                    checked += [c for row in rows if (c := reader.read(row)) is not None]
                result.total_rows += len(rows)
                ticker.checking(result.total_rows, table.fraction_read())
            if not result.total_rows:
                report.no_rows(table.header_row)
                return
    except TableError as error:
        result.errors.extend(error.errors)
        result.error_count += len(error.errors)
        return
    _match(checked, reader, on_existing, result)
    _check_status_dates(checked, reader)
    _check_new_status_dates(checked, reader)
    _check_registration_numbers(checked, reader)
    _warn_of_households_left(checked, reader)
    _warn_of_logins_closed(checked, reader)
    report.summarize_repeats()
    reader.allowance.record()
    if result.error_count:
        result.volunteers = Counts()
        return
    result.held = hold_changes and not dry_run and bool(result.change_count)
    if not dry_run and not result.held:
        try:
            with transaction.atomic():
                _write(checked, actor=actor, today=today, result=result)
        except IntegrityError:
            result.volunteers = Counts()
            result.error_count += 1
            result.errors.append(
                RowError(
                    None,
                    "",
                    "",
                    _(
                        "Someone else registered some of these volunteers while the file was "
                        "being imported. Nothing was imported: import the file again."
                    ),
                )
            )
            return
        if progress is not None:
            progress("importing", result.total_rows, result.total_rows)


class _Reader:
    def __init__(self, *, actor: Any, areas: Areas, report: Report, today: date) -> None:
        self.areas, self.report, self.today = areas, report, today
        self.scope = Scope(actor)
        self.ids_seen: dict[str, int] = {}
        self.aliases = alias_lookup(COLUMNS)
        self.marked: dict[int, tuple[str, str, str]] = {}  # TableStream.marked
        self.notes_below = False  # a total or a signature was met: the table has ended
        self.allowance = disclosure.Allowance(user_or_none(actor))
        self.now = timezone.now()

    def read(self, row: Row) -> _Checked | None:
        if self.marked and refuse_marked(row, self.marked, self.report):
            return None
        v = row.values
        as_read = dict(v)  # before the name is taken apart: what odd_row_reason looks at
        for key in ("first_name", "last_name"):
            v[key] = thai_spelling(v[key])  # as the register's forms write names
        if not v["first_name"] and (whole := v.get("full_name")):
            said, v["first_name"], v["last_name"] = name_parts(thai_spelling(whole), v["last_name"])
            v["title"] = v["title"] or said
        problems: list[Problem] = []
        digits = attempt(problems, read_citizen_id, "citizen_id", v["citizen_id"]) or ""
        if not digits and not problems:
            problems.append(Problem("citizen_id", _("Enter the citizen ID.")))
        title = normalize_title(v["title"]) if v["title"] else ""
        for key, text, limit in (
            ("title", title, 40),
            ("first_name", v["first_name"], 100),
            ("last_name", v["last_name"], 100),
        ):
            # A blank title keeps the stored one: only a new volunteer needs it (_match).
            if not text and key != "title":
                problems.append(_blank(key))
            attempt(problems, read_text, key, text, limit)
        birth = attempt(problems, read_date, "birth_date", v["birth_date"], self.today)
        age = age_on(birth, self.today)
        if age is not None and age < MINIMUM_AGE:
            problems.append(
                Problem(
                    "birth_date",
                    _("A volunteer must be at least %(age)d years old.") % {"age": MINIMUM_AGE},
                )
            )
        sex = self._sex(v["sex"], title, problems)
        phone = attempt(problems, read_phone, "phone", v["phone"]) or ""
        line_id = attempt(problems, read_text, "line_id", v["line_id"], 60) or ""
        house_no = v["house_no"].translate(THAI_DIGITS)
        attempt(problems, refuse_excel_date, "house_no", house_no, "12/3")
        house_no = attempt(problems, read_text, "house_no", house_no, 20) or ""
        moo = attempt(problems, read_moo, "moo", v["moo"])
        area = self._area(v, problems)
        home = self._home(v["home_subdistrict_code"], problems)
        villages = self._villages(v["covered_moo"], area, problems) if area else None
        registration_no = (
            attempt(problems, _registration_no, v["registration_no"], self.today) or ""
        )
        registered = attempt(
            problems, read_date, "registration_date", v["registration_date"], self.today
        )
        birth_refused = any(problem.key == "birth_date" for problem in problems)
        if (
            registered
            and not birth_refused
            and (refused := service_date_refused(registered, birth))
        ):
            problems.append(Problem("registration_date", refused))
        status = ""
        if v["status"]:
            status = VOLUNTEER_STATUSES.parse(v["status"]) or ""
            if not status:
                problems.append(
                    Problem(
                        "status",
                        _("Write one of %(known)s.") % {"known": VOLUNTEER_STATUSES.listed()},
                    )
                )
        status_date = attempt(problems, read_date, "status_date", v["status_date"], self.today)
        roles = attempt(problems, read_words, "other_roles", v["other_roles"], OTHER_ROLES)
        as_of = attempt(problems, read_as_of, "as_of", v["as_of"], self.now)
        if digits:
            first = self.ids_seen.setdefault(digits, row.number)
            if first != row.number:
                problems.append(
                    Problem(
                        "citizen_id",
                        _("The same citizen ID is also in row %(row)d. A volunteer has one row.")
                        % {"row": first},
                    )
                )
        if problems:
            reason = odd_row_reason(as_read, self.aliases, below_notes=self.notes_below)
            if reason is not None:
                # The lines under a total or a signature are notes too.
                self.notes_below = self.notes_below or not repeats_header(as_read, self.aliases)
                self.report.error(row.number, "", "", reason)
                return None
            for problem in problems:
                self.report.problem(row.number, v, problem)
            return None
        assert area is not None
        values = {
            "title": title,
            "first_name": v["first_name"],
            "last_name": v["last_name"],
            "name_key": name_key(v["first_name"], v["last_name"]),
            "birth_date": birth,
            "sex": sex,
            "phone": phone,
            "line_id": line_id,
            "house_no": house_no,
            "address_moo": moo,
            "address_area_id": home or area,
            "area_id": area,
            "registration_no": registration_no,
            "registration_date": registered,
            "other_roles": [code for code in OTHER_ROLES.words if code in (roles or [])],
        }
        given = {name for name, key in CELL_OF.items() if v[key]}
        given |= {"first_name", "name_key", "area_id"}
        if home:
            given.add("address_area_id")
        if not v["sex"] and sex != Sex.UNSPECIFIED:
            given.add("sex")
        return _Checked(
            row=row.number,
            digits=digits,
            hash=citizen_id.lookup_hash(digits),
            values=values,
            given=given,
            villages=villages,
            status=status,
            status_date=status_date,
            as_of=as_of,
            whole_name=v.get("full_name") or "",
        )

    def _home(self, code: str, problems: list[Problem]) -> str:
        """The home subdistrict a code names, anywhere in the country: a volunteer may live
        outside the area they serve (and the importer's scope). "" for a blank cell."""
        if not code:
            return ""
        try:
            return self.areas.subdistrict("", "", "", code)
        except Problem as problem:
            problems.append(Problem("home_subdistrict_code", problem.reason))
            return ""

    def _sex(self, text: str, title: str, problems: list[Problem]) -> str:
        sex = Sex.UNSPECIFIED.value
        if text:
            parsed = parse_sex(text)
            if parsed is None:
                problems.append(
                    Problem(
                        "sex",
                        _("Write the sex as ชาย, หญิง or ไม่ระบุ (male, female or not specified)."),
                    )
                )
                return sex
            sex = parsed.value
        expected = SEX_OF_TITLE.get(title)
        if expected is not None and sex == Sex.UNSPECIFIED:
            return expected.value
        if expected is not None and sex != expected:
            problems.append(
                Problem(
                    "sex", _("The sex does not match the title “%(title)s”.") % {"title": title}
                )
            )
        return sex

    def _area(self, v: dict[str, str], problems: list[Problem]) -> str | None:
        code = attempt(
            problems,
            self.areas.subdistrict,
            v["subdistrict"],
            v["district"],
            v["province"],
            v["subdistrict_code"],
            self.scope.allows,  # a name several subdistricts share: the one in scope
        )
        if code is not None and not self.scope.allows(code):
            key = "subdistrict" if v["subdistrict"] else "subdistrict_code"
            problems.append(Problem(key, outside_scope_reason(self.areas, code)))
            return None
        return code

    def _villages(self, text: str, area: str, problems: list[Problem]) -> list[str] | None:
        """The village codes of "1, 3, 5" or "1-3" in the subdistrict served; None for a blank
        cell."""
        if not text:
            return None
        try:
            refuse_excel_date("covered_moo", text, "1-3")
        except Problem as problem:
            problems.append(problem)
            return None
        villages = self.areas.villages.get(area, {})
        if _EVERY_VILLAGE.fullmatch(" ".join(text.split())):  # "ทุกหมู่", "ทั้งตำบล"
            return [villages[moo] for moo in sorted(villages)]
        codes: list[str] = []
        unknown: list[str] = []
        for item in _covered_items(text):
            try:
                numbers = _moo_range(item.strip())
            except Problem as problem:
                problems.append(problem)
                return None
            for moo in numbers:
                if moo not in villages:
                    unknown.append(str(moo))
                elif villages[moo] not in codes:
                    codes.append(villages[moo])
        if unknown and not villages:
            problems.append(
                Problem(
                    "covered_moo",
                    _(
                        "No village of %(subdistrict)s is in Carenet yet. The villages are "
                        "loaded first (by the administrator, manage.py import_villages), then "
                        "the volunteers who cover them."
                    )
                    % {"subdistrict": self.areas.describe(area)},
                )
            )
            return None
        if unknown:
            known = ", ".join(str(moo) for moo in sorted(villages))
            problems.append(
                Problem(
                    "covered_moo",
                    _(
                        "%(subdistrict)s has no village no. %(unknown)s in Carenet (it has "
                        "%(known)s)."
                    )
                    % {
                        "subdistrict": self.areas.describe(area),
                        "unknown": ", ".join(unknown),
                        "known": known,
                    },
                )
            )
            return None
        return sorted(codes)


def _registration_no(text: str, today: date) -> str:
    """ "123/2568" (number/BE year), as volunteers.services reads it; "" for a blank cell."""
    try:
        return check_registration_no(text, today)
    except ValidationError as error:
        refuse_excel_date("registration_no", text, "12/2568")  # "12/2568" typed became Dec 68
        raise Problem("registration_no", error.messages[0]) from None


def _blank(key: str) -> Problem:
    what = {"title": _("title"), "first_name": _("first name"), "last_name": _("last name")}[key]
    return Problem(key, _("Enter the %(column)s.") % {"column": what})


def _match(
    checked: list[_Checked], reader: _Reader, on_existing: str, result: ImportResult
) -> None:
    """Finds the stored volunteers, and decides what the file does to each."""
    stored: dict[str, Volunteer] = {}
    hashes = [c.hash for c in checked]
    for start in range(0, len(hashes), 5000):
        for volunteer in Volunteer.objects.filter(
            **among("citizen_id_hash", hashes[start : start + 5000])
        ).prefetch_related("villages"):
            stored[volunteer.citizen_id_hash] = volunteer
    pks = [v.pk for v in stored.values()]
    last_changes: dict[int, date] = {}
    for start in range(0, len(pks), 5000):
        last_changes.update(last_status_dates(pks[start : start + 5000]))
    counts = result.volunteers
    report = reader.report
    allowance = reader.allowance
    for item in checked:
        found = stored.get(item.hash)
        visible = found is not None and reader.scope.allows(found.area_id)
        if not visible and allowance.used_up:  # as the forms refuse it (disclosure)
            digits = citizen_id.formatted(item.digits)
            report.error(item.row, "citizen_id", digits, disclosure.used_up_reason())
            continue
        if found is None and not item.values["title"]:
            report.problem(item.row, {"full_name": item.whole_name}, _blank("title"))
            continue
        if found is None:
            counts.created += 1
            continue
        item.stored = volunteer = found
        problem = None
        if not visible and allowance.tell():
            result.registered_elsewhere += 1
            problem = _(
                "This citizen ID is already registered to a volunteer outside your area. "
                "Contact the provincial office."
            )
        elif not visible:
            problem = disclosure.used_up_reason()
        elif on_existing == "error":
            problem = _(
                "This volunteer is already registered (%(name)s, %(area)s). The import was asked "
                "to treat volunteers already registered as errors."
            ) % {"name": volunteer.full_name, "area": reader.areas.describe(volunteer.area_id)}
        elif on_existing == "skip":
            counts.skipped += 1
            continue
        if problem is None:
            problem = _status_problem(volunteer.status, item.status)
        if problem:
            if item.status and item.status != volunteer.status and on_existing == "update":
                report.error(item.row, "status", VOLUNTEER_STATUSES.word(item.status), problem)
            else:
                report.error(item.row, "citizen_id", citizen_id.formatted(item.digits), problem)
            continue
        item.changes = {
            name: item.values[name]
            for name in FIELDS
            if name in item.given and _differs(getattr(volunteer, name), item.values[name])
        }
        _keep_first_registration(item, volunteer, report)
        item.last_change = last_changes.get(volunteer.pk)
        if item.status_date is not None and item.status_date == item.last_change:
            # The export's date of the last change, left as it was when the status was
            # edited: not a date of this change.
            item.status_date, item.stale_date = None, True
        if "first_name" in item.changes or "last_name" in item.changes:
            report.warning(
                item.row,
                "first_name" if "first_name" in item.changes else "last_name",
                f"{item.values['first_name']} {item.values['last_name']}".strip(),
                renamed_reason(volunteer.full_name),
            )
        before = sorted(v.code for v in volunteer.villages.all())
        moved = "area_id" in item.changes
        if item.villages is None and moved:
            item.villages = []  # the villages of the former subdistrict are no longer served
            if before:
                report.warning(
                    item.row,
                    "subdistrict",
                    reader.areas.describe(item.values["area_id"]),
                    _(
                        "This volunteer moves to another subdistrict, so the villages they "
                        "covered in %(area)s are cleared. Add the column “%(column)s” to give "
                        "the villages they cover now."
                    )
                    % {
                        "area": reader.areas.describe(volunteer.area_id),
                        "column": label(VOLUNTEER_COLUMNS, "covered_moo"),
                    },
                )
        if item.villages is not None and item.villages != before:
            item.changes["villages"] = item.villages
        if item.status and item.status != volunteer.status:
            item.changes["status"] = item.status
        if item.changes and report.undoes_later_edit(
            item.row, item.as_of, volunteer.updated_at, "volunteer"
        ):
            _list_changes(item, volunteer, before, reader)
        elif item.changes:
            counts.updated += 1
            _list_changes(item, volunteer, before, reader)
        else:
            counts.unchanged += 1
    _warn_likely_same([item for item in checked if item.stored is None], reader)


def _list_changes(
    item: _Checked, volunteer: Volunteer, villages: list[str], reader: _Reader
) -> None:
    """Each value the row changes on the stored volunteer, for the result to list."""
    report = reader.report
    for name, after in item.changes.items():
        if name == "name_key":
            continue
        before = getattr(volunteer, name, None)
        if name in ("area_id", "address_area_id"):
            before = reader.areas.describe(before) if before else ""
            after = reader.areas.describe(after) if after else ""
        elif name == "villages":  # with their names: a move keeps numbers, not villages
            before = [reader.areas.village_names.get(code, code) for code in villages]
            after = [reader.areas.village_names.get(code, code) for code in after]
        elif name == "other_roles":
            before = [OTHER_ROLES.word(code) for code in before or []]
            after = [OTHER_ROLES.word(code) for code in after or []]
        elif name == "phone":  # as the pages show it
            before, after = phone_shown(before or ""), phone_shown(after or "")
        else:
            choices = dict(getattr(Volunteer._meta.get_field(name), "flatchoices", ()))
            before, after = choices.get(before, before), choices.get(after, after)
        column = _CHANGED_COLUMN.get(name, name)
        report.change(item.row, column, before, after, name=volunteer.full_name)
        if name == "status" and item.status_date:
            report.change(item.row, "status_date", "", item.status_date, name=volunteer.full_name)


# The column that sets each field, where the two names differ.
_CHANGED_COLUMN = {
    "address_moo": "moo",
    "address_area_id": "home_subdistrict_code",
    "area_id": "subdistrict",
    "villages": "covered_moo",
}


def _new_history(
    volunteer: Volunteer, status_date: date | None, user: Any, today: date
) -> list[VolunteerStatusChange]:
    """A new volunteer's history: registered (active) on their registration date, then, for
    one the file lists in another status, the change to it on the row's date of the change,
    or the registration date when it gives none (_check_new_status_dates says so). Registered
    straight into "resigned", they were counted registered but never leaving, and the
    figures' start, changes and end did not add up."""
    # Without a registration date, the history starts on the day of the change the row gives
    # (else leaving would come before joining), or today.
    registered = volunteer.registration_date or min(status_date or today, today)
    joined = VolunteerStatus.ACTIVE
    history = [
        VolunteerStatusChange(
            volunteer=volunteer,
            from_status="",
            to_status=joined,
            effective_date=registered,
            reason=_("Registered"),
            changed_by=user,
        )
    ]
    if volunteer.status != joined:
        history.append(
            VolunteerStatusChange(
                volunteer=volunteer,
                from_status=joined,
                to_status=volunteer.status,
                effective_date=status_date or registered,
                reason=_("Changed by an import from a file"),
                changed_by=user,
            )
        )
    return history


def _check_new_status_dates(checked: list[_Checked], reader: _Reader) -> None:
    """A new volunteer the file lists as no longer active: the date of that change must pass
    the status form's checks; without one it is taken as the registration date, and said."""
    for item in checked:
        if item.stored is not None or item.status in ("", VolunteerStatus.ACTIVE):
            continue
        registered = item.values.get("registration_date")
        if registered is None:
            reader.report.warning(
                item.row,
                "registration_date",
                "",
                _(
                    "No registration date: the volunteer is counted as registered on the day "
                    "of the change of status (or today, without one), and leaving the same "
                    "day. Give the registration date if it is known."
                ),
            )
        if item.status_date is not None:
            refused = status_date_refused(
                item.status_date,
                birth_date=item.values.get("birth_date"),
                registered=registered,
                last=None,
                today=reader.today,
            )
            if refused:
                shown = thaidate.format_numeric(item.status_date)
                reader.report.error(item.row, "status_date", shown, refused)
            continue
        reader.report.warning(
            item.row,
            "status_date",
            "",
            _(
                "No date of the change to this status: it is recorded as of the volunteer's "
                "registration date (%(date)s). Give the date in this column if it is known, "
                "so that the figures count the change in its month."
            )
            % {"date": thaidate.format_short(registered or reader.today)},
        )


def _check_status_dates(checked: list[_Checked], reader: _Reader) -> None:
    """A status the file changes changes on the row's date of the change (without one, on
    the day of the import), which must pass the status form's checks (status_date_refused).
    In a row that changes no status, the date is the export's of the last change: nothing
    is made of it; nor when the status changes but the date was left as the export wrote
    it. A new volunteer's history starts at their registration."""
    dated = [c for c in checked if c.stored and "status" in c.changes and c.status_date]
    for item in dated:
        volunteer, day = item.stored, item.status_date
        assert volunteer is not None and day is not None
        refused = status_date_refused(
            day,
            birth_date=_given_or(item, "birth_date", volunteer),
            registered=_given_or(item, "registration_date", volunteer),
            last=item.last_change,
            today=reader.today,
        )
        if refused:
            reader.report.error(item.row, "status_date", thaidate.format_numeric(day), refused)
    today = thaidate.format_short(reader.today)
    for item in checked:
        if not (item.stored and "status" in item.changes and not item.status_date):
            continue
        if item.stale_date and item.last_change is not None:
            shown = thaidate.format_numeric(item.last_change)
            reason = _(
                "This date is that of the volunteer's last change of status, as exported, "
                "so it is not taken for this change, which is recorded as of today "
                "(%(today)s). Write the date of this change if it happened earlier."
            ) % {"today": today}
        else:
            shown = ""
            reason = _(
                "The status changes with no date of the change: it is recorded as of "
                "today (%(today)s). Give the date in this column if it happened earlier, "
                "so that the monthly figures count it in its month."
            ) % {"today": today}
        reader.report.warning(item.row, "status_date", shown, reason)


def _given_or(item: _Checked, name: str, volunteer: Volunteer) -> Any:
    """The row's value of a field when its cell is filled, else the stored one."""
    return item.values[name] if name in item.given else getattr(volunteer, name)


def _warn_of_households_left(checked: list[_Checked], reader: _Reader) -> None:
    """A volunteer the file takes out of service, or to another subdistrict, leaves the
    households they look after without anyone: said, as the status form says it."""
    leaving: dict[int, tuple[_Checked, Volunteer]] = {
        c.stored.pk: (c, c.stored)
        for c in checked
        if c.stored is not None
        and (c.changes.get("status", VolunteerStatus.ACTIVE) != VolunteerStatus.ACTIVE
             or "area_id" in c.changes)
    }  # fmt: skip
    if not leaving:
        return
    counted = (
        HouseholdAssignment.objects.filter(**among("volunteer_id", leaving, "bigint"))
        .values("volunteer_id")
        .annotate(households=Count("household_id"))
    )
    for row in counted:
        item, volunteer = leaving[row["volunteer_id"]]
        if "status" in item.changes:
            key, value = "status", VOLUNTEER_STATUSES.word(item.changes["status"])
        else:
            key, value = "subdistrict", reader.areas.describe(item.changes["area_id"])
        reader.report.warning(
            item.row,
            key,
            value,
            ngettext(
                "%(name)s looks after %(count)d household: hand it over to another volunteer "
                "in Carenet (on the volunteer's page).",
                "%(name)s looks after %(count)d households: hand them over to another "
                "volunteer in Carenet (on the volunteer's page).",
                row["households"],
            )
            % {"name": volunteer.full_name, "count": row["households"]},
        )


def _warn_of_logins_closed(checked: list[_Checked], reader: _Reader) -> None:
    """A volunteer the file takes out of the network loses their login's volunteer role (the
    login closes if it holds no other), as on the status form: said before it happens."""
    for item in checked:
        volunteer = item.stored
        if (
            volunteer is None
            or volunteer.user_id is None
            or item.changes.get("status") not in LEAVING
        ):
            continue
        reader.report.warning(
            item.row,
            "status",
            VOLUNTEER_STATUSES.word(item.changes["status"]),
            _(
                "%(name)s can no longer sign in as a volunteer after this import: leaving the "
                "network ends their login's volunteer role."
            )
            % {"name": volunteer.full_name},
        )


def _check_registration_numbers(checked: list[_Checked], reader: _Reader) -> None:
    """A registration no. is one volunteer's in the province, as the register's form says:
    twice in the file, or another registered volunteer's, is an error."""
    numbered = [c for c in checked if c.values["registration_no"]]
    # (province, number) -> the holder's citizen-ID hash, name and birth date
    holders: dict[tuple[str, str], tuple[Any, ...]] = {}
    numbers = sorted({c.values["registration_no"] for c in numbered})
    for start in range(0, len(numbers), 5000):
        for number, area, hashed, *named in Volunteer.objects.filter(
            **among("registration_no", numbers[start : start + 5000])
        ).values_list(
            "registration_no", "area_id", "citizen_id_hash", "first_name", "last_name", "birth_date"
        ):
            holders[(area[:2], number)] = (hashed, *named)
    first_rows: dict[tuple[str, str], int] = {}
    for item in numbered:
        key = (item.values["area_id"][:2], item.values["registration_no"])
        first = first_rows.setdefault(key, item.row)
        if first != item.row:
            reason = _(
                "Registration no. %(number)s is also in row %(row)d: a number is one "
                "volunteer's in the province."
            ) % {"number": key[1], "row": first}
        elif (holder := holders.get(key)) is None or holder[0] == item.hash:
            continue
        elif holder[1:] == (
            item.values["first_name"],
            item.values["last_name"],
            item.values["birth_date"],
        ):
            reason = _(
                "Registration no. %(number)s is that of %(name)s, with this name and birth "
                "date, registered under another citizen ID. A file does not change a citizen "
                "ID: if the one on record is wrong, correct it on their page in Carenet."
            ) % {"number": key[1], "name": f"{holder[1]} {holder[2]}"}
        else:
            reason = _(
                "Registration no. %(number)s already belongs to another volunteer of this province."
            ) % {"number": key[1]}
        reader.report.error(item.row, "registration_no", key[1], reason)


def _warn_likely_same(new: list[_Checked], reader: _Reader) -> None:
    """Warns of new volunteers who may be registered already, or twice in the file, under
    another citizen ID: a name that sounds the same and the same birth date (a mistyped ID
    would otherwise register one person twice). Warnings only: namesakes exist."""
    wanted = [item for item in new if item.values["birth_date"] is not None]
    keys = sorted({item.values["name_key"] for item in wanted})
    registered: dict[tuple[str, date | None], Volunteer] = {}
    for start in range(0, len(keys), 5000):
        for volunteer in Volunteer.objects.filter(
            **among("name_key", keys[start : start + 5000])
        ).only("title", "first_name", "last_name", "name_key", "birth_date", "area_id"):
            registered.setdefault((volunteer.name_key, volunteer.birth_date), volunteer)
    in_file: dict[tuple[str, date | None], int] = {}
    for item in wanted:
        key = (item.values["name_key"], item.values["birth_date"])
        first_row = in_file.setdefault(key, item.row)
        match = registered.get(key)
        if match is not None and reader.scope.allows(match.area_id):
            reason = _(
                "Possibly the same volunteer as %(name)s, already registered in %(area)s with "
                "the same birth date and a similar name under another citizen ID. Check the "
                "citizen ID before importing."
            ) % {"name": match.full_name, "area": reader.areas.describe(match.area_id)}
        elif match is not None and not reader.allowance.tell():
            continue
        elif match is not None:  # who and where stay with that area's coordinators
            reader.report.result.registered_elsewhere += 1
            reason = _(
                "Possibly the same volunteer as someone already registered outside the areas "
                "where you may import data, with the same birth date and a similar name. Check "
                "with the provincial office before importing."
            )
        elif first_row != item.row:
            reason = _(
                "Possibly the same volunteer as row %(row)d: the same birth date and a similar "
                "name, under another citizen ID."
            ) % {"row": first_row}
        else:
            continue
        reader.report.warning(item.row, "first_name", item.values["first_name"], reason)


def _differs(stored: Any, new: Any) -> bool:
    """Whether a row changes a field; a list (other roles) whatever its order."""
    if isinstance(new, list):
        return set(stored or []) != set(new)
    return bool(stored != new)


def _status_problem(current: str, wanted: str) -> str | None:
    if not wanted or wanted == current or wanted in STATUS_MOVES.get(current, set()):
        return None
    return _("A volunteer who is %(current)s cannot become %(new)s.") % {
        "current": VolunteerStatus(current).label,
        "new": VolunteerStatus(wanted).label,
    }


def _write(checked: list[_Checked], *, actor: Any, today: date, result: ImportResult) -> None:
    user = user_or_none(actor)
    new = [c for c in checked if c.stored is None]
    volunteers = []
    for item in new:
        volunteer = Volunteer(status=item.status or VolunteerStatus.ACTIVE, **item.values)
        volunteer.set_citizen_id(item.digits)
        volunteers.append(volunteer)
    Volunteer.objects.bulk_create(volunteers, batch_size=1000)
    through = Volunteer.villages.through
    links = [
        through(volunteer_id=volunteer.pk, area_id=code)
        for volunteer, item in zip(volunteers, new, strict=True)
        for code in item.villages or []
    ]
    history = [
        change
        for volunteer, item in zip(volunteers, new, strict=True)
        for change in _new_history(volunteer, item.status_date, user, today)
    ]
    changed = [c for c in checked if c.stored is not None and c.changes]
    now = timezone.now()
    audits: list[AuditEvent] = []  # the import in each changed volunteer's own history
    for item in changed:
        assert item.stored is not None
        volunteer = item.stored
        fields = [name for name in item.changes if name in FIELDS]
        for name in fields:
            setattr(volunteer, name, item.changes[name])
        day = item.status_date or today  # the date of the change, as the file gives it
        if "status" in item.changes:
            history.append(
                VolunteerStatusChange(
                    volunteer=volunteer,
                    from_status=volunteer.status,
                    to_status=item.changes["status"],
                    effective_date=day,
                    reason=_("Changed by an import from a file"),
                    changed_by=user,
                )
            )
            volunteer.status = item.changes["status"]
            fields.append("status")
        area = item.changes.get("area_id", volunteer.area_id)
        audits.append(
            import_audit(
                user.pk if user is not None else None,
                "volunteers.volunteer",
                volunteer.pk,
                area,
                item.changes,
                result.file_name,
            )
        )
        volunteer.version += 1
        volunteer.updated_at = now
        Volunteer.objects.filter(pk=volunteer.pk).update(
            **{name: getattr(volunteer, name) for name in fields},
            version=volunteer.version,
            updated_at=now,
        )
        if "status" in item.changes:
            # As the status form does: seats end, the login follows.
            closed = seats_follow_status(actor=actor, volunteer=volunteer, day=day)
            history[-1].seats_ended = seat_records(closed)
            if volunteer.user_id is not None:
                login_follows_status(actor=actor, volunteer=volunteer, was=history[-1].from_status)
        if "area_id" in item.changes:
            login_follows_area(actor=actor, volunteer=volunteer)
        if "villages" in item.changes:
            through.objects.filter(volunteer_id=volunteer.pk).delete()
            links += [
                through(volunteer_id=volunteer.pk, area_id=code) for code in item.villages or []
            ]
    through.objects.bulk_create(links, batch_size=2000)
    VolunteerStatusChange.objects.bulk_create(history, batch_size=2000)
    AuditEvent.objects.bulk_create(audits, batch_size=2000)
    audit_record_each(
        areas=audit_areas(c.values["area_id"] for c in checked),
        actor=actor,
        action=AUDIT_ACTION,
        details={
            "file": result.file_name,
            "rows": result.total_rows,
            "volunteers": result.volunteers.as_dict(),
        },
    )


def _no_area_column(header_row: int) -> RowError:
    return RowError(
        header_row,
        "",
        "",
        _(
            "The file needs a “%(code)s” column, or a “%(name)s” column (with “%(district)s” "
            "and “%(province)s” when the name is not unique)."
        )
        % {
            "code": label(VOLUNTEER_COLUMNS, "subdistrict_code"),
            "name": label(VOLUNTEER_COLUMNS, "subdistrict"),
            "district": label(VOLUNTEER_COLUMNS, "district"),
            "province": label(VOLUNTEER_COLUMNS, "province"),
        },
    )


_MOO_RANGE = re.compile(r"(.+?)\s*[-–]\s*(.+)")


def _covered_items(text: str) -> list[str]:
    """The items of a covered-villages cell, as offices write them: "1, 3, 5", "1;3",
    "1 3 5", "หมู่ที่ 1 และ 2", "ม.1-3"."""
    text = _VILLAGE_WORD.sub(" ", text.translate(THAI_DIGITS))
    text = _AROUND_DASH.sub("-", text.replace("และ", ","))
    return [item for item in _ITEM_SEPARATOR.split(text) if item]


_VILLAGE_WORD = re.compile(r"หมู่ที่|หมู่|ม\.")
# What offices write for a volunteer who covers every village of the subdistrict.
_EVERY_VILLAGE = re.compile(r"(?:ทุก\s*(?:หมู่(?:ที่)?|หมู่บ้าน)|ทั้งตำบล|all(?: villages)?)", re.I)
_AROUND_DASH = re.compile(r"\s*[-–]\s*")
_ITEM_SEPARATOR = re.compile(r"[\s,;]+")


def _moo_range(text: str) -> list[int]:
    """The village numbers of "3", "ม.3" or a range "1-3"; raises Problem."""
    ends = _MOO_RANGE.fullmatch(text)
    try:
        if ends is None:
            return [moo for moo in [read_moo("covered_moo", text)] if moo is not None]
        first, last = (read_moo("covered_moo", end) for end in ends.groups())
    except Problem:  # a word, not a number: say what is read
        raise Problem(
            "covered_moo",
            _(
                "Write the villages covered as numbers: one (3), a list (1, 3, 5) or a range "
                "(1-3); or ทุกหมู่ for every village of the subdistrict."
            ),
        ) from None
    if first is None or last is None or first > last:
        raise Problem("covered_moo", _("Write a range of villages from the lower no., e.g. 1-3."))
    return list(range(first, last + 1))
