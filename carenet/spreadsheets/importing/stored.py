"""What the households import asks the database: stored people and households like the rows.

Each function takes the rows of one chunk and answers in one or a few queries. Lists of
values travel as one array parameter on PostgreSQL (`writing.as_array`). Rows the import
itself wrote (ids from `below` on) never count as stored.
"""

from datetime import date
from typing import Any

from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from carenet.core import citizen_id
from carenet.core.people import Sex
from carenet.households.models import (
    DocumentType,
    Household,
    HouseholdStatus,
    Person,
    PersonStatus,
    restricted_q,
)
from carenet.households.vulnerability import (
    CHILD_UNDER,
    ELDERLY_FROM,
    RECORDED_FLAGS,
    YOUTH_UNTIL,
    Summary,
    household_summary,
)
from carenet.spreadsheets.importing.rows import FLAG_BITS, WELFARE_CODES, PersonRow
from carenet.spreadsheets.importing.writing import among, as_array, is_postgresql

# What is read of a stored person who may match a row, with their household's address.
COMPARED = (
    "title",
    "first_name",
    "last_name",
    "name_key",
    "birth_date",
    "sex",
    "relation",
    "phone",
    "document_type",
    "document_no",
    "disability_type",
    "disability_card_no",
    *RECORDED_FLAGS,
    *WELFARE_CODES,
)
# The household fields an address sets (rows.ADDRESS_FIELDS) and their columns.
STORED_ADDRESS = {
    "area": "area_id",
    "house_no": "house_no",
    "moo": "moo",
    "soi": "soi",
    "road": "road",
    "lat": "latitude",
    "lon": "longitude",
    "ownership": "ownership",
    "condition": "condition",
}
HOUSEHOLD_VALUES = (*STORED_ADDRESS.values(), "head_id", "member_count", "version", "updated_at")
MATCH_VALUES = (
    "pk",
    "citizen_id_hash",
    "household_id",
    "area_id",
    "status",
    "version",
    "updated_at",
    *COMPARED,
    *(f"household__{name}" for name in HOUSEHOLD_VALUES),
)


def _matches(people: QuerySet[Person]) -> list[dict[str, Any]]:
    """MATCH_VALUES rows, with whether the person withdrew consent and gave none since
    (`restricted`: as households.services.person_is_restricted, the record changes no more)."""
    restricted = ExpressionWrapper(restricted_q(), output_field=BooleanField())
    return list(people.annotate(restricted=restricted).values(*MATCH_VALUES, "restricted"))


def people_with_ids(hashes: set[str], *, below: int) -> dict[str, dict[str, Any]]:
    """Stored people by citizen-ID hash, with their household's address."""
    if not hashes:
        return {}
    # Repeats the condition of the unique constraint's index: see models.with_citizen_id.
    rows = Person.objects.filter(**among("citizen_id_hash", hashes), pk__lt=below).exclude(
        citizen_id_hash=""
    )
    return {row["citizen_id_hash"]: row for row in _matches(rows)}


def people_without_ids(people: list[PersonRow], *, below: int) -> dict[int, list[dict[str, Any]]]:
    """Sets `match` on rows without a citizen ID that are a stored person: the same first and
    last name, birth date and subdistrict (an office's list often leaves IDs out, and must
    not register everyone again). A stored person without an ID is preferred.

    Returns the namesakes of rows that match nobody, by row number: the active stored
    people of the same name and subdistrict, whom such a row may well be (a headman's list
    gives names only, or 01/01 of the year for a birth date). The same query finds them."""
    wanted = {(p.first_name, p.last_name, p.birth_date): p for p in people}
    rows = Person.objects.filter(
        **among("name_key", {p.name_key for p in people}),  # what an index serves
        **among("first_name", {p.first_name for p in people}),
        **among("last_name", {p.last_name for p in people}),
        pk__lt=below,
    ).exclude(status=PersonStatus.MERGED)  # its survivor, by the same name, is the person
    found = sorted(_matches(rows), key=lambda row: row["citizen_id_hash"] == "")
    for row in found:
        person = wanted.get((row["first_name"], row["last_name"], row["birth_date"]))
        if person is not None and row["area_id"][:6] == (person.household.area or "")[:6]:
            person.match = row
    unmatched: dict[tuple[str, str, str], list[PersonRow]] = {}
    for p in people:
        if p.match is None:
            key = (p.first_name, p.last_name, (p.household.area or "")[:6])
            unmatched.setdefault(key, []).append(p)
    namesakes: dict[int, list[dict[str, Any]]] = {}
    for row in sorted(found, key=lambda row: row["pk"]) if unmatched else ():
        key = (row["first_name"], row["last_name"], row["area_id"][:6])
        for person in unmatched.get(key, []) if row["status"] == PersonStatus.ACTIVE else ():
            namesakes.setdefault(person.number, []).append(row)
    return namesakes


def same_document_holders(
    people: list[PersonRow], *, below: int
) -> dict[int, list[dict[str, Any]]]:
    """Stored people holding a row's other document no. (a pink card, a passport): as
    their own document no., or, a 13-digit one, as their citizen ID (as the form's check,
    households.selectors.person_find_duplicates). By row number, leaving out the person the
    row is, and anyone with another citizen ID than the row's (another person). One query,
    and none when no row has a document no."""
    numbered: dict[str, list[PersonRow]] = {}
    by_hash: dict[str, list[PersonRow]] = {}
    for p in people:
        number = p.document_no
        if not number or p.document_type == DocumentType.NONE:
            continue
        numbered.setdefault(number.upper(), []).append(p)
        if citizen_id.is_valid(number):
            by_hash.setdefault(citizen_id.lookup_hash(number), []).append(p)
    if not numbered:
        return {}
    held = Q(**among("document_no", {n for key in numbered for n in (key, key.lower())}))
    wanted = held & ~Q(document_no="")
    if by_hash:
        wanted |= Q(**among("citizen_id_hash", by_hash)) & ~Q(citizen_id_hash="")
    rows = Person.objects.filter(wanted, pk__lt=below).exclude(status=PersonStatus.MERGED)
    holders: dict[int, list[dict[str, Any]]] = {}
    for row in sorted(_matches(rows), key=lambda row: row["pk"]):
        rows_of = numbered.get(row["document_no"].upper(), []) if row["document_no"] else []
        for p in {id(p): p for p in [*rows_of, *by_hash.get(row["citizen_id_hash"], [])]}.values():
            if _not_a_duplicate(p, row):
                continue
            holders.setdefault(p.number, []).append(row)
    return holders


def _not_a_duplicate(person: PersonRow, row: dict[str, Any]) -> bool:
    """The stored person is the one the row is, or has another citizen ID (someone else)."""
    if person.match is not None and person.match["pk"] == row["pk"]:
        return True
    return bool(person.hash and row["citizen_id_hash"] and row["citizen_id_hash"] != person.hash)


def stored_household(match: dict[str, Any]) -> dict[str, Any]:
    """The household part of a MATCH_VALUES row, keyed like `households_at` rows."""
    stored = {column: match[f"household__{column}"] for column in HOUSEHOLD_VALUES}
    stored["id"] = match["household_id"]
    return stored


def areas_with_households(areas: set[str], *, below: int) -> set[str]:
    """Those of the areas that hold an active stored household.

    Asked once per area: address matching then skips the areas with none (a new village,
    or a first import), where its query would only read through the import's own rows.
    """
    if not areas:
        return set()
    table = connection.ops.quote_name(Household._meta.db_table)
    exists = f"SELECT 1 FROM {table} h WHERE h.area_id = a.code AND h.status = %s AND h.id < %s"  # noqa: S608
    with connection.cursor() as cursor:
        if is_postgresql():
            codes, param = as_array(sorted(areas))
            cursor.execute(
                f"SELECT a.code FROM unnest({codes}) AS a(code) WHERE EXISTS ({exists})",  # noqa: S608
                [param, HouseholdStatus.ACTIVE.value, below],
            )
            return {code for (code,) in cursor.fetchall()}
        found: set[str] = set()
        for code in sorted(areas):
            cursor.execute(
                f"SELECT 1 FROM {table} h WHERE h.area_id = %s AND h.status = %s "  # noqa: S608
                "AND h.id < %s LIMIT 1",
                [code, HouseholdStatus.ACTIVE.value, below],
            )
            if cursor.fetchone():
                found.add(code)
        return found


def households_at(places: set[tuple[str, str]], *, below: int) -> list[dict[str, Any]]:
    """Active stored households at these (area, house no.) places, with their address."""
    found: list[dict[str, Any]] = []
    listed = sorted(places)
    for start in range(0, len(listed), 2000):
        batch = listed[start : start + 2000]
        rows = Household.objects.filter(
            **among("area_id", {area for area, _no in batch}),
            **among("house_no", {number for _area, number in batch}),
            status=HouseholdStatus.ACTIVE,
            pk__lt=below,
        ).values("id", *HOUSEHOLD_VALUES)
        found.extend(row for row in rows if (row["area_id"], row["house_no"]) in places)
    return found


class LikelyDuplicates:
    """Stored people with the same sound-alike name key and birth date as new rows.

    `run` asks the database (on PostgreSQL in the writing thread, after the chunk's COPY);
    `found` gives the rows and whom they may duplicate.
    """

    def __init__(self, people: list[PersonRow], *, below: int) -> None:
        self.people = {(p.name_key, p.birth_date): p for p in people}
        self.below = below
        self.rows: list[tuple[Any, ...]] = []

    def run(self, cursor: Any) -> None:
        if not self.people:
            return
        pairs = sorted(self.people, key=lambda pair: (pair[0], pair[1]))
        table = connection.ops.quote_name(Person._meta.db_table)
        select = f"SELECT name_key, birth_date, first_name, last_name, area_id, household_id FROM {table}"  # noqa: S608, E501
        if cursor is not None or is_postgresql():
            keys, key_param = as_array(key for key, _born in pairs)
            dates, date_param = as_array((born for _key, born in pairs), "date")
            sql = (
                f"{select} WHERE (name_key, birth_date) IN "  # noqa: S608
                f"(SELECT * FROM unnest({keys}, {dates})) AND id < %s"
            )
            params: list[Any] = [key_param, date_param, self.below]
            if cursor is None:
                with connection.cursor() as django_cursor:
                    django_cursor.execute(sql, params)
                    self.rows = django_cursor.fetchall()
            else:
                cursor.execute(sql, params)
                self.rows = cursor.fetchall()
            return
        with connection.cursor() as django_cursor:
            for start in range(0, len(pairs), 2000):
                batch = pairs[start : start + 2000]
                values = ", ".join(["(%s, %s)"] * len(batch))
                django_cursor.execute(
                    f"{select} WHERE (name_key, birth_date) IN (VALUES {values}) AND id < %s",
                    [*(value for pair in batch for value in pair), self.below],
                )
                # SQLite hands dates back as text from raw SQL.
                self.rows += [(r[0], _as_date(r[1]), *r[2:]) for r in django_cursor.fetchall()]

    def found(self) -> list[tuple[PersonRow, tuple[str, str, str, int]]]:
        """Each new row, and the first stored person it may be: (first name, last name,
        area, household)."""
        seen: dict[int, tuple[PersonRow, tuple[str, str, str, int]]] = {}
        for key, born, first, last, area, household in self.rows:
            person = self.people.get((key, born))
            if person is not None:
                seen.setdefault(person.number, (person, (first, last, area, household)))
        return [seen[number] for number in sorted(seen)]


def _as_date(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


# --- Priority of new households -------------------------------------------------------------
#
# A new household's priority is household_summary of its members. The members are kept as
# small numbers (`signature`: age band, woman or not, the recorded flags), and households
# whose members look alike share one computation: the summary depends on age only through
# the bands, so a stand-in member of any age in the band gives the same groups and score.


def signature(person: PersonRow) -> int:
    """What the household summary needs of a member, in one number."""
    age = person.age
    if age is None:
        band = 0
    elif age < CHILD_UNDER:
        band = 1
    elif age <= YOUTH_UNTIL:
        band = 2
    elif age < ELDERLY_FROM:
        band = 3
    else:
        band = 4
    return (band << 10) | ((person.sex == Sex.FEMALE) << 9) | person.flags


class _Member:
    """A stand-in member with a birth date that puts them in their age band."""

    __slots__ = ("birth_date", "sex", *RECORDED_FLAGS)

    def __init__(self, signature: int) -> None:
        band = signature >> 10
        age = (None, CHILD_UNDER - 1, CHILD_UNDER, YOUTH_UNTIL + 1, ELDERLY_FROM)[band]
        day = _SUMMARY_DAY
        self.birth_date = None if age is None else day.replace(year=day.year - age)
        self.sex = Sex.FEMALE if signature & (1 << 9) else Sex.MALE
        for flag, bit in FLAG_BITS.items():
            setattr(self, flag, bool(signature & bit))


_SUMMARY_DAY = date(2001, 6, 15)
_summaries: dict[tuple[int, ...], Summary] = {}


def summary(signatures: list[int]) -> Summary:
    """household_summary of members with these signatures."""
    key = tuple(sorted(signatures))
    found = _summaries.get(key)
    if found is None:
        members: list[Any] = [_Member(s) for s in key]
        found = household_summary(members, _SUMMARY_DAY)
        if len(_summaries) < 100_000:
            _summaries[key] = found
    return found
