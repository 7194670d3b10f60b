"""Reading one row of a households file: the person, and the address of their household.

`RowReader.read` turns a row's cells into a `PersonRow` (or reports every problem of the row
and returns None). It never queries the database: areas come from `places.Areas`, and the
checks that need stored records (matches, volunteers, scope of existing records) are the
importer's. Rows of one household share a `FileHousehold`, found by the household ref or,
without one, by the address.
"""

import re
from datetime import date, datetime
from decimal import Decimal
from operator import itemgetter
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from carenet.core import citizen_id
from carenet.core.people import (
    FIRST_NAME_REQUIRED,
    SEX_OF_TITLE,
    Sex,
    age_on,
    full_name,
    name_key,
    normalize_title,
    parse_sex,
    thai_spelling,
    title_in_name,
)
from carenet.core.tabular import NOTE_CELL, Row, TableStream, alias_lookup, odd_row_reason
from carenet.households import checks
from carenet.households.cleaning import (
    NUMBERLESS,
    PREGNANCY_AGES,
    clean_document_no,
    first_name_refused,
    house_no_and_moo,
    house_number,
    moo_contradicted,
    numbered_id_unknown,
    numbered_no_document,
)
from carenet.households.models import ConsentBasis, DocumentType, Relation
from carenet.households.vulnerability import CHILD_UNDER, ELDERLY_FROM, RECORDED_FLAGS
from carenet.spreadsheets.columns import (
    CONDITIONS,
    CONSENTS,
    DERIVED_GROUPS,
    DISABILITIES,
    DOCUMENTS,
    GROUPS,
    HOUSEHOLD_IMPORT_COLUMNS,
    OWNERSHIPS,
    RELATIONS,
    WELFARE,
    word_key,
)
from carenet.spreadsheets.importing.common import (
    NO_ID_WORDS,
    Problem,
    Report,
    attempt,
    name_parts,
    read_as_of,
    read_choice,
    read_citizen_id,
    read_date,
    read_gps,
    read_moo,
    read_phone,
    read_text,
    read_words,
    read_yes_no,
    refuse_excel_date,
    refuse_excel_number,
    refuse_marked,
)
from carenet.spreadsheets.importing.places import Areas, Scope, outside_scope_reason

FLAG_BITS = {flag: 1 << index for index, flag in enumerate(RECORDED_FLAGS)}
WELFARE_CODES = tuple(WELFARE.words)
WELFARE_BITS = {code: 1 << index for index, code in enumerate(WELFARE_CODES)}
OLDEST_AGE = 130
# More people than share any home. A ref column that repeats one value (a village no., say)
# would otherwise make one household of a village.
LARGEST_HOUSEHOLD = 100
OWN_CONSENT_FROM_AGE = 10  # PDPA s.20: below this a parent or guardian consents
ADDRESS_KEYS = (
    "house_no",
    "moo",
    "soi",
    "road",
    "subdistrict",
    "district",
    "province",
    "subdistrict_code",
    "lat",
    "lon",
    "ownership",
    "condition",
)
# The household fields an address sets, in the order FileHousehold keeps them.
ADDRESS_FIELDS = ("area", "house_no", "moo", "soi", "road", "lat", "lon", "ownership", "condition")
ADDRESS_COLUMN = {
    "area": "subdistrict",
    "house_no": "house_no",
    "moo": "moo",
    "soi": "soi",
    "road": "road",
    "lat": "lat",
    "lon": "lon",
    "ownership": "ownership",
    "condition": "condition",
}
_ID_SEPARATORS = re.compile(r"[,;|\n]")
_HAS_DIGIT = re.compile(r"\d")
_ADDRESS_CELLS = itemgetter(*ADDRESS_KEYS)
_nk_first: dict[str, str] = {}
_nk_last: dict[str, str] = {}


def fast_name_key(first: str, last: str) -> str:
    """core.people.name_key, remembered per name: the same names recur all over a file."""
    head = _nk_first.get(first)
    if head is None:
        head = _nk_first[first] = name_key(first, "")[:-1]  # "S123-" -> "S123"
    tail = _nk_last.get(last)
    if tail is None:
        tail = _nk_last[last] = name_key("", last)  # "-J456"
    if len(_nk_first) > 200_000 or len(_nk_last) > 200_000:
        _nk_first.clear()
        _nk_last.clear()
    return head + tail


class FileHousehold:
    """One household of the file: its address as the rows give it, and what becomes of it."""

    __slots__ = (
        "address",
        "as_of",
        "assigned",
        "by_address",
        "chunk",
        "existing",
        "head_given",
        "head_id",
        "head_row",
        "id",
        "key",
        "members",
        "named",
        "new_ids",
        "row",
        "size",
        "stored",
        "touched",
        "volunteers",
        "written",
    )

    def __init__(self, key: object, row: int) -> None:
        self.key = key
        self.row = row  # the first row of the household in the file
        # area, house_no, moo, soi, road, lat, lon, ownership, condition; None = not given
        self.address: list[Any] = [None] * len(ADDRESS_FIELDS)
        self.id: int | None = None  # a reserved id, while the household is new
        self.existing: int | None = None  # the stored household it turned out to be
        self.stored: dict[str, Any] | None = None  # that household's stored address
        self.head_id: int | None = None
        self.head_given = False  # a row says who the head is
        self.head_row = 0
        self.size = 0  # the file's rows of it, read so far
        # Member signatures of new people, for the priority, and the ids of those people;
        # both are let go of once the household is written (None).
        self.members: list[int] | None = []
        self.new_ids: list[int] | None = []
        # volunteer ID hash -> (the row that names them, the cell), checked by the importer
        self.volunteers: dict[str, tuple[int, str]] | None = None
        # The first row that names volunteers, and the hashes it names: every row that names
        # them names the same ones (the file's list replaces the stored one).
        self.named: tuple[int, frozenset[str]] | None = None
        self.assigned: tuple[int, ...] = ()  # the volunteers found to fit
        self.touched = False  # a stored household whose members the file changes
        self.by_address = False  # looked for at its address already
        # When the data of its rows was exported (the earliest the rows say), if they say.
        self.as_of: datetime | None = None
        self.chunk = 0  # the last chunk of the file with rows of it
        self.written = False  # a new household written already

    @property
    def area(self) -> str | None:
        area: str | None = self.address[0]
        return area


class PersonRow:
    """What one row says about a person.

    When the row updates a stored person, it sets the fields of its filled-in cells, and, when
    the file has the column, every vulnerability flag (the vulnerable groups list says them
    all; a blank list means none) and every kind of welfare (RowReader.given). A blank cell of
    any other column keeps the stored value.
    """

    __slots__ = (
        "age",
        "as_of",
        "birth_date",
        "cells",
        "consent",
        "consent_date",
        "digits",
        "disability_card_no",
        "disability_type",
        "document_no",
        "document_type",
        "first_name",
        "flags",
        "given",
        "hash",
        "household",
        "last_name",
        "match",
        "name_key",
        "number",
        "phone",
        "relation",
        "sex",
        "title",
        "welfare",
    )

    number: int
    household: FileHousehold
    digits: str
    hash: str
    title: str
    first_name: str
    last_name: str
    name_key: str
    birth_date: date | None
    sex: str
    relation: str
    phone: str
    document_type: str
    document_no: str
    flags: int
    welfare: int
    disability_type: str
    disability_card_no: str
    consent: str
    consent_date: date | None
    age: int | None
    as_of: datetime | None  # when the row's data was exported, if it says
    cells: dict[str, str] | None
    given: frozenset[str] | None  # RowReader.given, once worked out
    match: dict[str, Any] | None

    def values(self) -> dict[str, Any]:
        """The person fields this row sets (for a new person: with defaults for the rest)."""
        values: dict[str, Any] = {
            "title": self.title,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "name_key": self.name_key,
            "birth_date": self.birth_date,
            "sex": self.sex,
            "relation": self.relation,
            "phone": self.phone,
            "document_type": self.document_type,
            "document_no": self.document_no,
            "disability_type": self.disability_type,
            "disability_card_no": self.disability_card_no,
        }
        for flag, bit in FLAG_BITS.items():
            values[flag] = bool(self.flags & bit)
        for code, bit in WELFARE_BITS.items():
            values[code] = bool(self.welfare & bit)
        return values


class RowReader:
    """Checks rows of a households file one by one, reporting problems to `report`."""

    def __init__(
        self, *, table: TableStream, areas: Areas, scope: Scope, report: Report, today: date
    ) -> None:
        self.areas, self.scope, self.report, self.today = areas, scope, report, today
        self.has = {key for key in table.headers}
        self.marked = table.marked
        self.households: dict[object, FileHousehold] = {}
        # Which person fields the file's columns set, whatever the cells hold; the others
        # are set only by a cell that is filled in.
        self.groups_column = "vulnerable_groups" in self.has
        self.welfare_column = "welfare" in self.has
        self._given_cache: dict[tuple[str, ...], frozenset[str]] = {}
        # Each column's texts, read once a file: (column, reader, blank value, memo).
        self._readers: list[tuple[str, Any, Any, dict[str, Any]]] = [
            (key, read, blank, {}) for key, read, blank in _CELL_READERS
        ]
        self._choices: dict[str, dict[str, str]] = {"ownership": {}, "condition": {}}
        self._last_address: tuple[tuple[str, ...], list[Any]] | None = None
        self._volunteer_cells: dict[str, frozenset[str]] = {}
        self._unplaced: set[str] = set()  # refs whose first address could not be read
        self._as_of_texts: dict[str, datetime] = {}
        self._notes_below = False  # a total or a signature line was met: the table has ended
        self.now = timezone.now()
        # Whether `read` works out each person's citizen-ID hash and name key, which no check
        # here needs: a process reading for another (readahead) leaves them to that one.
        self.derive_keys = True
        self.aliases = alias_lookup(HOUSEHOLD_IMPORT_COLUMNS)

    # -- the row ----------------------------------------------------------------------------

    def read(self, row: Row) -> PersonRow | None:
        if self.marked and refuse_marked(row, self.marked, self.report):
            return None
        v = row.values
        named = v["first_name"] or v.get("full_name") or ""
        if (
            not v["citizen_id"]
            and (not named or self._notes_below or NOTE_CELL.search(named) is not None)
            and self._not_a_person(row)
        ):
            return None
        problems: list[Problem] = []
        household: FileHousehold | None = None
        try:
            household = self._household(row)
        except _Problems as several:
            problems.extend(several.problems)
        except Problem as single:
            problems.append(single)
        as_of = self._as_of(household, v["as_of"], problems) if v["as_of"] else None
        person = self._person(row, problems)
        if problems or household is None or person is None:
            reason = odd_row_reason(v, self.aliases) if problems else None
            if reason is not None:
                self.report.error(row.number, "", "", reason)
                return None
            for problem in problems:
                self.report.problem(row.number, v, problem)
            return None
        person.household, person.as_of = household, as_of
        household.size += 1
        if household.size > LARGEST_HOUSEHOLD:
            self.report.error(
                row.number,
                "household_ref",
                v["household_ref"],
                _(
                    "The rows above already give this household %(limit)d people, more than "
                    "any household has. Check the household ref: each household has its own."
                )
                % {"limit": LARGEST_HOUSEHOLD},
            )
            return None
        if v["volunteer_citizen_id"] and not self._volunteers(row, household):
            return None
        if person.relation == Relation.HEAD:
            if household.head_row and household.head_row != row.number:
                self.report.error(
                    row.number,
                    "relation",
                    v["relation"],
                    (
                        _(
                            "This household already has its head in row %(row)d. A household "
                            "has one head."
                        )
                        if v["household_ref"]
                        else _(
                            "This household already has its head in row %(row)d. A household "
                            "has one head: if these are two families at the same house no., "
                            "give each family its own household ref (a column that groups the "
                            "rows of one household)."
                        )
                    )
                    % {"row": household.head_row},
                )
                return None
            household.head_row = row.number
        return person

    def _as_of(
        self, household: FileHousehold | None, text: str, problems: list[Problem]
    ) -> datetime | None:
        """When the row's data was exported; the household keeps the earliest of its rows."""
        moment = self._as_of_texts.get(text)
        if moment is None:
            try:
                moment = read_as_of("as_of", text, self.now)
            except Problem as problem:
                problems.append(problem)
                return None
            assert moment is not None  # the cell is not blank
            if len(self._as_of_texts) > _MEMO_LIMIT:
                self._as_of_texts.clear()
            self._as_of_texts[text] = moment
        if household is not None and (household.as_of is None or moment < household.as_of):
            household.as_of = moment
        return moment

    def _not_a_person(self, row: Row) -> bool:
        """A row of a cell or two with no name nor ID, or with a total or a signature line
        where the name goes, is reported as that, not as a person with everything missing."""
        filled = [(key, text) for key, text in row.values.items() if text]
        if len(filled) > 2:
            return False
        names = [(key, text) for key, text in filled if key in ("first_name", "full_name")]
        key, text = (names or filled)[0]  # a blank row never comes here
        self._notes_below = True  # the lines under a total or a signature are notes too
        self.report.error(
            row.number,
            key,
            text,
            _(
                "This row names no person (no first name nor citizen ID). If it is a total, a "
                "note or a signature under the table, delete it from the file."
            ),
        )
        return True

    def _person(self, row: Row, problems: list[Problem]) -> PersonRow | None:
        v = row.values
        p = PersonRow()
        p.number = row.number
        p.match = p.given = p.as_of = None
        text = v["citizen_id"]
        p.digits = p.hash = ""
        if text:
            try:
                p.digits = read_citizen_id("citizen_id", text)
                if self.derive_keys:
                    p.hash = citizen_id.lookup_hash(p.digits)
            except Problem as problem:
                problems.append(problem)
        first, last = thai_spelling(v["first_name"]), thai_spelling(v["last_name"])
        named = ""  # a title written before the whole name
        if not first and (whole := v.get("full_name")):
            named, first, last = name_parts(thai_spelling(whole), last)
        if not first:
            key = "first_name" if "first_name" in self.has else "full_name"
            problems.append(Problem(key, str(FIRST_NAME_REQUIRED)))
        elif len(first) > 100:
            problems.append(Problem("first_name", _too_long(100)))
        elif refused := first_name_refused(first):
            problems.append(Problem("first_name", refused))
        if len(last) > 100:
            problems.append(Problem("last_name", _too_long(100)))
        p.first_name, p.last_name = first, last
        p.name_key = fast_name_key(first, last) if self.derive_keys else ""
        parsed = self._parse_cells(v, problems)
        title = p.title = parsed["title"] or named
        if not named and (not title or not last):
            self._name_as_one(p.number, first, title, last)
        p.birth_date = parsed["birth_date"]
        age = p.age = age_on(p.birth_date, self.today) if p.birth_date else None
        if age is not None and age > OLDEST_AGE:
            problems.append(
                Problem("birth_date", _("Check the year: this person would be over 130."))
            )
        p.sex = self._sex(v["sex"], parsed["sex"], title, problems)
        p.relation = parsed["relation"]
        p.phone = ""
        if v["phone"]:
            try:
                p.phone = read_phone("phone", v["phone"])
            except Problem as problem:
                problems.append(problem)
        self._document(p, v, parsed["document_type"], problems)
        self._vulnerability(p, v, parsed, age, problems)
        if age is not None and not problems:
            self._age_warnings(p, v, age)
        p.consent, p.consent_date = parsed["consent"], parsed["consent_date"]
        if p.consent == ConsentBasis.CONSENT and age is not None and age < OWN_CONSENT_FROM_AGE:
            problems.append(
                Problem(
                    "consent",
                    _(
                        "A child under 10 cannot give consent: record the consent of a "
                        "parent or guardian."
                    ),
                )
            )
        if problems:
            return None
        p.cells = v
        return p

    def _name_as_one(self, number: int, first: str, title: str, last: str) -> None:
        """Warns of a title or a last name written in the first name's cell: names are compared
        word for word, so such a person would not be found again."""
        said = "" if title else title_in_name(first)
        if said:
            reason = _(
                "The first name starts with “%(title)s”. If that is the title, move it to the "
                "title column."
            ) % {"title": said}
        elif not last and " " in first and "last_name" in self.has:
            reason = _(
                "The first name has several words and the last name is blank. If the cell "
                "holds the whole name, put the last name in its own column."
            )
        else:
            return
        self.report.warning(number, "first_name", first, reason)

    def _parse_cells(self, v: dict[str, str], problems: list[Problem]) -> dict[str, Any]:
        """The cells whose meaning depends on their text alone, each text read once a file."""
        parsed: dict[str, Any] = {}
        for key, read, blank, memo in self._readers:
            text = v[key]
            if not text:
                parsed[key] = blank
                continue
            value = memo.get(text, _MISSING)
            if value is _MISSING:
                try:
                    value = read(key, text, self.today)
                except Problem as problem:
                    problems.append(problem)
                    parsed[key] = blank
                    continue
                if len(memo) > _MEMO_LIMIT:
                    memo.clear()
                memo[text] = value
            parsed[key] = value
        return parsed

    def given(self, p: PersonRow) -> frozenset[str]:
        """The person fields the row sets when it updates a stored person (see PersonRow)."""
        if p.given is not None:
            return p.given
        v = p.cells
        assert v is not None
        given = [key for key in TEXT_FIELDS if v[key]]
        if not v["sex"] and p.sex != Sex.UNSPECIFIED:
            given.append("sex")  # from the title
        if self.groups_column:
            given += RECORDED_FLAGS
        else:
            given += [flag for flag in ("bedridden", "lives_alone") if v[flag]]
            if p.disability_type or p.disability_card_no:
                given.append("disability")
        if self.welfare_column:
            given += WELFARE_CODES
        key = tuple(given)
        found = self._given_cache.get(key)
        if found is None:
            found = self._given_cache[key] = frozenset(given)
        p.given = found
        return found

    def _volunteers(self, row: Row, household: FileHousehold) -> bool:
        """Notes the volunteers a row assigns its household to (IDs separated by commas)."""
        text = row.values["volunteer_citizen_id"]
        found = self._volunteer_cells.get(text)
        if found is None:
            hashes = []
            for item in _ID_SEPARATORS.split(text):
                if not item.strip():
                    continue
                try:
                    digits = read_citizen_id("volunteer_citizen_id", item.strip())
                except Problem as problem:
                    self.report.problem(row.number, row.values, problem)
                    return False
                hashes.append(citizen_id.lookup_hash(digits))
            found = frozenset(hashes)
            if len(self._volunteer_cells) < _MEMO_LIMIT:
                self._volunteer_cells[text] = found
        named = household.named
        if named is None:
            household.named = (row.number, found)
        elif named[1] is not found and not self._same_volunteers(row, named, found):
            return False
        if household.volunteers is None:
            household.volunteers = {}
        for hashed in found:
            household.volunteers.setdefault(hashed, (row.number, text))
        return True

    def _same_volunteers(
        self, row: Row, named: tuple[int, frozenset[str]], found: frozenset[str]
    ) -> bool:
        """Whether a row names the volunteers the household's first such row named (`named`);
        reported when not."""
        first, volunteers = named
        if volunteers == found:
            return True
        self.report.error(
            row.number,
            "volunteer_citizen_id",
            row.values["volunteer_citizen_id"],
            _(
                "Row %(row)d names other volunteers for this household. The file's volunteers "
                "replace those a household has: name the same ones on each of its rows, or "
                "on one row only."
            )
            % {"row": first},
        )
        return False

    def _sex(self, text: str, parsed: str, title: str, problems: list[Problem]) -> str:
        """The sex written, or the one the title says; the two must agree."""
        sex = parsed or Sex.UNSPECIFIED.value
        expected = SEX_OF_TITLE.get(title)
        if expected is None or not title:
            return sex
        if sex == Sex.UNSPECIFIED:
            return expected.value
        if sex != expected:
            problems.append(
                Problem(
                    "sex", _("The sex does not match the title “%(title)s”.") % {"title": title}
                )
            )
        return sex

    def _document(
        self, p: PersonRow, v: dict[str, str], document_type: str, problems: list[Problem]
    ) -> None:
        p.document_type = document_type
        p.document_no = v["document_no"]
        if len(p.document_no) > 40:
            problems.append(Problem("document_no", _too_long(40)))
        if p.document_no:
            attempt(problems, refuse_excel_number, "document_no", p.document_no)
        if document_type == DocumentType.ID_UNKNOWN and p.digits:
            p.document_type = document_type = ""  # the ID is known now
        elif not document_type and not p.digits and not p.document_no:
            # No ID and no other document (a blank cell, "-", "ไม่มี"): kept as a citizen
            # whose number is not known yet, as the form would ask, so that the area's
            # check page lists the person to complete. A stored person keeps their type.
            p.document_type = DocumentType.ID_UNKNOWN
        if p.document_no and document_type not in ("", *NUMBERLESS):
            read = attempt(problems, read_document_no, document_type, p.document_no)
            p.document_no = read or p.document_no
        if document_type == DocumentType.NONE:
            if word_key(p.document_no) in NO_ID_WORDS:  # "ไม่มี" says the same again
                p.document_no = ""
            if p.document_no:
                problems.append(Problem("document_no", numbered_no_document()))
        elif document_type == DocumentType.ID_UNKNOWN:
            if p.document_no:
                problems.append(Problem("document_no", numbered_id_unknown()))
        elif document_type and not p.document_no:
            problems.append(Problem("document_no", _("Enter the document no.")))
        elif document_type and p.digits:  # a warning: the file may hold both on record
            self.report.warning(
                p.number,
                "document_type",
                v["document_type"],
                _(
                    "The other document is for people without a Thai citizen ID: clear the "
                    "citizen ID or the other document."
                ),
            )

    def _age_warnings(self, p: PersonRow, v: dict[str, str], age: int) -> None:
        """What the household page would question, said at once (households.checks): a
        title or a role the age makes unlikely, or an age only a mistyped year gives. A year
        written with two digits is read as the Buddhist Era; the warning says so."""
        notes: list[tuple[str, str]] = []
        if age > OLDEST_LIKELY:
            notes.append(("birth_date", _("Check the year: this person would be %(age)d.")))
        if _may_be_odd(p, age):
            seen = _AgeView(p)
            name = full_name(p.title, p.first_name, p.last_name)
            notes += checks.age_notes(seen, name, age)
        written = v["birth_date"]
        read_as = ""
        born = p.birth_date
        if (
            born is not None
            and len(written) <= _LONGEST_SHORT_DATE
            # Most rows end in a four-digit year: settled without the pattern, a million times.
            and not written.rstrip()[-3:-1].isdigit()
            and _TWO_DIGIT_YEAR.match(_TIME_AFTER.sub("", written))
        ):
            # Always said: 5/6/45 is 2545 for a child and 2445 for a great-grandmother, and
            # only the clerk knows which (the age tells nothing when it is plausible both ways).
            read_as = " " + _(
                "The birth date's year has two digits and was read as the Buddhist Era: "
                "%(year)d, age %(age)d. If that is wrong, write the year in full."
            ) % {"year": born.year + 543, "age": age}
            if not notes:
                notes.append(("birth_date", ""))
        for field, note in notes:
            column = _NOTE_COLUMN[field]
            text = note % {"age": age} if field == "birth_date" and note else note
            self.report.warning(p.number, column, v[column], (text + read_as).strip())

    def _vulnerability(
        self,
        p: PersonRow,
        v: dict[str, str],
        parsed: dict[str, Any],
        age: int | None,
        problems: list[Problem],
    ) -> None:
        listed: tuple[str, ...] = parsed["vulnerable_groups"]
        flags = _flags_of(listed)
        for key in ("bedridden", "lives_alone"):
            said = parsed[key]
            if said is None:
                continue
            bit = FLAG_BITS[key]
            if said:
                flags |= bit
            elif flags & bit:
                problems.append(
                    Problem(
                        key,
                        _(
                            "This says no, but the vulnerable groups of the row include it: "
                            "take it out of the vulnerable groups too (an export writes both)."
                        ),
                    )
                )
        p.disability_type = parsed["disability_type"]
        p.disability_card_no = v["disability_card_no"]
        if len(p.disability_card_no) > 30:
            problems.append(Problem("disability_card_no", _too_long(30)))
        if p.disability_card_no:
            attempt(problems, refuse_excel_number, "disability_card_no", p.disability_card_no)
        if p.disability_type or p.disability_card_no:
            if self.groups_column and not flags & FLAG_BITS["disability"]:
                self.report.warning(
                    p.number,
                    "vulnerable_groups",
                    v["vulnerable_groups"],
                    _(
                        "The list leaves out “%(group)s”, but the row gives a disability type "
                        "or card, so the person is kept as one. If the person has no "
                        "disability, clear those cells too."
                    )
                    % {"group": GROUPS.word("disability")},
                )
            flags |= FLAG_BITS["disability"]
        if flags & FLAG_BITS["pregnant"] and parsed["sex"] == Sex.MALE:
            problems.append(
                Problem("vulnerable_groups", _("Only a woman can be recorded as pregnant."))
            )
        elif (
            flags & FLAG_BITS["pregnant"]
            and age is not None
            and not PREGNANCY_AGES[0] <= age <= PREGNANCY_AGES[1]
        ):
            self.report.warning(
                p.number,
                "vulnerable_groups",
                v["vulnerable_groups"],
                _("Check the birth date or the pregnancy: this person is %(age)d.") % {"age": age},
            )
        p.flags = flags
        p.welfare = _welfare_of(parsed["welfare"])
        if age is not None and listed:
            derived = DERIVED_GROUPS.intersection(listed)
            if derived:
                self._check_derived(p.number, v, frozenset(derived), age)
        elif listed and not v["birth_date"] and AGE_GROUPS.intersection(listed):
            self.report.warning(
                p.number,
                "vulnerable_groups",
                v["vulnerable_groups"],
                _(
                    "The list names an age group (child, youth or elderly), which Carenet works "
                    "out from the birth date, and this row gives none: add the birth date, or "
                    "the person will have no age group (unless Carenet already holds it)."
                ),
            )

    def _check_derived(
        self, number: int, v: dict[str, str], derived: frozenset[str], age: int
    ) -> None:
        """Age groups are worked out from the birth date; a list that disagrees is a warning."""
        wrong = ("elderly" in derived and age < ELDERLY_FROM) or (
            "child" in derived and age >= CHILD_UNDER
        )
        if wrong:
            self.report.warning(
                number,
                "vulnerable_groups",
                v["vulnerable_groups"],
                _(
                    "The list says %(groups)s, but the birth date makes this person %(age)d. "
                    "Age groups are worked out from the birth date; check the birth date."
                )
                % {
                    "groups": ", ".join(str(GROUPS.labels[code]) for code in sorted(derived)),
                    "age": age,
                },
            )

    # -- the household ----------------------------------------------------------------------

    def _household(self, row: Row) -> FileHousehold | None:
        """The row's household; None (with no new problem) for a household whose address
        was wrong in an earlier row, which reported it."""
        v = row.values
        ref = v["household_ref"]
        cells = _ADDRESS_CELLS(v)
        address: list[Any] | None = None
        if any(cells):
            # The members of a household repeat its address: read it once for all of them.
            last = self._last_address
            if last is not None and last[0] == cells:
                address = last[1]
            else:
                try:
                    address = self._address(v)
                except Problem:
                    if ref and ref not in self.households:
                        self._unplaced.add(ref)
                    raise
                self._last_address = (cells, address)
        if address is None and ref in self._unplaced:
            return None
        if ref:
            key: object = ref
        elif address is not None and address[1]:
            key = ("address", *address[:5])  # area, house no., moo, soi, road
        else:
            key = ("row", row.number)  # no ref and no house no.: a household of its own
        household = self.households.get(key)
        if household is None:
            if address is None or address[0] is None:
                raise Problem(
                    "subdistrict", _("Enter the subdistrict (ตำบล) or the subdistrict code.")
                )
            household = self.households[key] = FileHousehold(key, row.number)
            household.address = list(address)
            return household
        if address is not None:
            self._same_address(household, address)
        return household

    def _address(self, v: dict[str, str]) -> list[Any]:
        """The address fields a row gives (None where its cell is blank); raises Problem."""
        problems: list[Problem] = []
        area: str | None = None
        subdistrict: str | None = None
        if v["subdistrict"] or v["subdistrict_code"]:
            try:
                subdistrict = self.areas.subdistrict(
                    v["subdistrict"],
                    v["district"],
                    v["province"],
                    v["subdistrict_code"],
                    self.scope.allows,
                )
            except Problem as problem:
                problems.append(problem)
        elif v["district"] or v["province"]:
            problems.append(
                Problem("subdistrict", _("Enter the subdistrict (ตำบล) or the subdistrict code."))
            )
        house_cell, said_moo = house_no_and_moo(v["house_no"])
        moo = attempt(problems, read_moo, "moo", v["moo"]) if v["moo"] else said_moo
        if said_moo is not None and moo is not None and moo != said_moo:
            problems.append(Problem("house_no", moo_contradicted(said_moo, moo)))
        if subdistrict is not None and not problems:
            area = attempt(problems, self.areas.village, subdistrict, moo)
            if area is not None and not self.scope.allows(area):
                key = "subdistrict" if v["subdistrict"] else "subdistrict_code"
                problems.append(Problem(key, outside_scope_reason(self.areas, area)))
        house_no, soi, road = house_number(house_cell), v["soi"], v["road"]
        attempt(problems, refuse_excel_date, "house_no", v["house_no"], "12/3")
        if len(house_no) > 20:
            problems.append(Problem("house_no", _("A house no. has at most 20 characters.")))
        elif house_no and not _HAS_DIGIT.search(house_no):
            problems.append(Problem("house_no", _("A house no. has digits, e.g. 12/3.")))
        for key, text in (("soi", soi), ("road", road)):
            if len(text) > 100:
                problems.append(Problem(key, _too_long(100)))
        lat = lon = None
        if v["lat"] or v["lon"]:
            try:
                lat, lon = read_gps(v["lat"], v["lon"])
            except Problem as problem:
                problems.append(problem)
        ownership = self._choice("ownership", v["ownership"], OWNERSHIPS, problems)
        condition = self._choice("condition", v["condition"], CONDITIONS, problems)
        if problems:
            raise _Problems(problems)
        return [
            area,
            house_no or None,
            moo,
            soi or None,
            road or None,
            # As text ("10.493000"): a Decimal takes twice the memory, times a million rows.
            None if lat is None else f"{lat:f}",
            None if lon is None else f"{lon:f}",
            ownership or None,
            condition or None,
        ]

    def _choice(self, key: str, text: str, words: Any, problems: list[Problem]) -> str:
        if not text:
            return ""
        memo = self._choices[key]
        code = memo.get(text)
        if code is None:
            try:
                code = memo[text] = read_choice(key, text, words)
            except Problem as problem:
                problems.append(problem)
                return ""
        return code

    def _same_address(self, household: FileHousehold, address: list[Any]) -> None:
        """A later row of a household may repeat its address or leave it blank, not change it.
        Every value that differs is reported at once."""
        problems: list[Problem] = []
        for index, value in enumerate(address):
            if value is None:
                continue
            known = household.address[index]
            if known is None:
                household.address[index] = value
            elif known != value:
                name = ADDRESS_FIELDS[index]
                column = ADDRESS_COLUMN[name]
                if name == "area" and known[:6] == value[:6]:
                    column = "moo"  # the same subdistrict: the villages differ
                shown = {"row": household.row, "known": shown_address(name, known, self.areas)}
                if name in ("ownership", "condition"):
                    reason = _(
                        "This household ref is already used in row %(row)d, where this column "
                        "says %(known)s. The rows of one household say the same of its home: "
                        "check the ref or the cell."
                    )
                else:
                    reason = _(
                        "This household ref is already used in row %(row)d, with another "
                        "address (%(known)s). The rows of one household have the same address: "
                        "check the ref or the address."
                    )
                if all(problem.key != column for problem in problems):  # a village is a moo
                    problems.append(Problem(column, reason % shown))
        if problems:
            raise _Problems(problems)


class _Problems(Problem):
    """Several problems of one row's address, raised together."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems[0].key, problems[0].reason)
        self.problems = problems


def shown_address(name: str, value: Any, areas: Areas) -> str:
    """An address field's value (ADDRESS_FIELDS) as a person reads it."""
    if name == "area":
        return areas.describe(value)
    if name == "ownership":
        return OWNERSHIPS.word(value)
    if name == "condition":
        return CONDITIONS.word(value)
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value)


# Person fields set only by a filled-in cell: a blank cell keeps what is stored.
TEXT_FIELDS = (
    "title",
    "last_name",
    "birth_date",
    "sex",
    "relation",
    "phone",
    "document_type",
    "document_no",
    "disability_type",
    "disability_card_no",
)


def read_document_no(document_type: str, text: str) -> str:
    """A document no. as households.cleaning stores it; for a pink card, 13 digits with a
    valid check digit, and a number cell that lost the zeros it starts with is caught."""
    plain = text.removesuffix(".0")
    lost_zeros = plain.isascii() and plain.isdigit() and len(plain) < 13
    if document_type == DocumentType.PINK_CARD and lost_zeros:
        lost_zeros = citizen_id.has_valid_checksum(plain.zfill(13))
    if document_type == DocumentType.PINK_CARD and lost_zeros:
        raise Problem(
            "document_no",
            _(
                "The spreadsheet turned this card number into a number and dropped the "
                "zeros it starts with. Format the column as text, type the numbers again, "
                "and save the file."
            ),
        )
    try:
        return clean_document_no(document_type, text)
    except ValidationError as error:
        raise Problem("document_no", str(error.messages[0])) from None


def _too_long(limit: int) -> str:
    return _("At most %(limit)d characters.") % {"limit": limit}


_MISSING = object()
OLDEST_LIKELY = 110  # older than this, a birth date is most likely mistyped (as reports say)
_AGE_WELFARE = WELFARE_BITS["elderly_allowance"] | WELFARE_BITS["newborn_grant"]
# The column a warning of households.checks.age_notes points to.
_NOTE_COLUMN = {
    "birth_date": "birth_date",
    "title": "title",
    "relation": "relation",
    "elderly_allowance": "welfare",
    "newborn_grant": "welfare",
}
# 12/1/67, 5-ม.ค.-10: a day first, then a year of one or two digits (not an ISO 2510-01-12).
_LONGEST_SHORT_DATE = 16  # "5 มีนาคม 45" and shorter
# The time a spreadsheet writes after a date ("1/1/1967 0:00"): its minutes are no year.
_TIME_AFTER = re.compile(r"\s+[0-9๐-๙]{1,2}[:.][0-9๐-๙]{2}(?:[:.][0-9๐-๙]{2})?\s*(?:น\.)?\s*$")
_TWO_DIGIT_YEAR = re.compile(r"^(?![0-9๐-๙]{4})\S.*[^0-9๐-๙][0-9๐-๙]{1,2}\s*$")


def _may_be_odd(p: PersonRow, age: int) -> bool:
    """Whether households.checks.age_notes may find anything: most rows are settled here, at
    a fraction of the cost (the reading process does it a million times a large file)."""
    welfare = p.welfare & _AGE_WELFARE
    if age < checks.ADULT_TITLE_FROM:
        return p.title in checks.ADULT_TITLES or p.relation == Relation.HEAD or bool(welfare)
    return p.title in checks.CHILD_TITLES or bool(
        welfare and (welfare & WELFARE_BITS["newborn_grant"] or age < checks.ELDERLY_ALLOWANCE_FROM)
    )


class _AgeView:
    """A person row as households.checks.age_notes reads a person."""

    __slots__ = ("elderly_allowance", "newborn_grant", "relation", "title")

    def __init__(self, p: PersonRow) -> None:
        self.title, self.relation = p.title, p.relation
        self.elderly_allowance = bool(p.welfare & WELFARE_BITS["elderly_allowance"])
        self.newborn_grant = bool(p.welfare & WELFARE_BITS["newborn_grant"])


# What the lines under a table say where a name would be: a total ("รวม 4 ครัวเรือน"), a
# signature ("ลงชื่อ ....... ผู้สำรวจ", "(นางสาวสมใจ ใจงาม)"), a note.
_MEMO_LIMIT = 200_000


def _read_title(key: str, text: str, today: date) -> str:
    return read_text(key, normalize_title(text), 40)


def _read_sex(key: str, text: str, today: date) -> str:
    parsed = parse_sex(text)
    if parsed is None:
        raise Problem(key, _("Write the sex as ชาย, หญิง or ไม่ระบุ (male, female or not specified)."))
    return parsed.value


def _reader(vocabulary: Any) -> Any:
    def read(key: str, text: str, today: date) -> str:
        return read_choice(key, text, vocabulary)

    return read


def _list_reader(vocabulary: Any) -> Any:
    def read(key: str, text: str, today: date) -> tuple[str, ...]:
        return tuple(read_words(key, text, vocabulary))

    return read


def _read_yes_no(key: str, text: str, today: date) -> bool | None:
    return read_yes_no(key, text)


AGE_GROUPS = DERIVED_GROUPS - {"woman"}


def _flags_of(groups: tuple[str, ...]) -> int:
    flags = 0
    for group in groups:
        flags |= FLAG_BITS.get(group, 0)
    return flags


def _welfare_of(codes: tuple[str, ...]) -> int:
    bits = 0
    for code in codes:
        bits |= WELFARE_BITS[code]
    return bits


# (column, reader(key, text, today), value of a blank cell): cells read through the memo.
_CELL_READERS: tuple[tuple[str, Any, Any], ...] = (
    ("title", _read_title, ""),
    ("birth_date", read_date, None),
    ("sex", _read_sex, ""),
    ("relation", _reader(RELATIONS), ""),
    ("document_type", _reader(DOCUMENTS), ""),
    ("disability_type", _reader(DISABILITIES), ""),
    ("vulnerable_groups", _list_reader(GROUPS), ()),
    ("bedridden", _read_yes_no, None),
    ("lives_alone", _read_yes_no, None),
    ("welfare", _list_reader(WELFARE), ()),
    ("consent", _reader(CONSENTS), ""),
    ("consent_date", read_date, None),
)
