"""What the households import writes, table by table: the columns, and each row's values.

A row is a tuple of the model's values in the order of its `*_FIELDS`; `writing.TableWriter`
gives every other column its default.
"""

from datetime import date, datetime
from typing import Any

from carenet.core import citizen_id
from carenet.households.cleaning import ADDRESS_FIELDS
from carenet.households.models import (
    Consent,
    ConsentBasis,
    Household,
    HouseholdAssignment,
    HouseholdStatus,
    Person,
    PersonStatus,
)
from carenet.households.vulnerability import RECORDED_FLAGS
from carenet.spreadsheets.importing import stored
from carenet.spreadsheets.importing.rows import (
    FLAG_BITS,
    WELFARE_BITS,
    WELFARE_CODES,
    FileHousehold,
    PersonRow,
)
from carenet.spreadsheets.importing.writing import TableWriter

CONSENT_PURPOSE = "นำเข้าจากทะเบียน"  # stored data, in Thai like every consent's purpose
# Foreign keys checked only at commit. People are written before their household, so their
# household is; every other key is checked as rows arrive (see writing.Pipeline).
DEFERRED_CONSTRAINTS = ((Person, "household"), (Person, "merged_into"))

PERSON_FIELDS = (
    "id",
    "household",
    "area",
    "citizen_id_encrypted",
    "citizen_id_hash",
    "document_type",
    "document_no",
    "title",
    "first_name",
    "last_name",
    "name_key",
    "birth_date",
    "sex",
    "relation",
    "phone",
    "disability_type",
    "disability_card_no",
    *RECORDED_FLAGS,
    *WELFARE_CODES,
    "status",
    "merged_into",
    "version",
    "created_by",
    "created_at",
    "updated_at",
)
CONSENT_FIELDS = (
    "person",
    "area",
    "basis",
    "purpose",
    "given_on",
    "recorded_by",
    "recorded_at",
    "withdrawal_reason",
)
HOUSEHOLD_FIELDS = (
    "id",
    "area",
    *ADDRESS_FIELDS,
    "head",
    "status",
    "priority_score",
    "vulnerability",
    "member_count",
    "version",
    "created_by",
    "created_at",
    "updated_at",
)
ASSIGNMENT_FIELDS = ("household", "volunteer", "assigned_by", "assigned_at")
# Flags and welfare as bits, turned back into the booleans of a row at once.
FLAG_VALUES = [
    tuple(bool(bits & bit) for bit in FLAG_BITS.values()) for bits in range(1 << len(FLAG_BITS))
]
WELFARE_VALUES = [
    tuple(bool(bits & bit) for bit in WELFARE_BITS.values())
    for bits in range(1 << len(WELFARE_BITS))
]


_ACTIVE = PersonStatus.ACTIVE.value
_PUBLIC_TASK = ConsentBasis.PUBLIC_TASK.value


def writers() -> tuple[TableWriter, TableWriter, TableWriter, TableWriter]:
    """Writers of people, consents, households and assignments, in that order."""
    return (
        TableWriter(Person, PERSON_FIELDS),
        TableWriter(Consent, CONSENT_FIELDS),
        TableWriter(Household, HOUSEHOLD_FIELDS),
        TableWriter(HouseholdAssignment, ASSIGNMENT_FIELDS),
    )


def person_row(
    person: PersonRow, pk: int, household_id: int, area: str, user_id: int | None, now: datetime
) -> tuple[Any, ...]:
    """A new person, with their citizen ID encrypted."""
    return (
        pk,
        household_id,
        area,
        citizen_id.encrypt(person.digits) if person.digits else "",
        person.hash,
        person.document_type,
        person.document_no,
        person.title,
        person.first_name,
        person.last_name,
        person.name_key,
        person.birth_date,
        person.sex,
        person.relation,
        person.phone,
        person.disability_type,
        person.disability_card_no,
        *FLAG_VALUES[person.flags],
        *WELFARE_VALUES[person.welfare],
        _ACTIVE,
        None,
        1,
        user_id,
        now,
        now,
    )


def consent_row(
    person: PersonRow, pk: int, area: str, user_id: int | None, now: datetime, today: date
) -> tuple[Any, ...]:
    """A new person's consent: the file's, or the public task of the register."""
    return (
        pk,
        area,
        person.consent or _PUBLIC_TASK,
        CONSENT_PURPOSE,
        person.consent_date or today,
        user_id,
        now,
        "",
    )


def household_row(household: FileHousehold, user_id: int | None, now: datetime) -> tuple[Any, ...]:
    area, house_no, moo, soi, road, lat, lon, ownership, condition = household.address
    assert household.members is not None
    summary = stored.summary(household.members)
    return (
        household.id,
        area,
        house_no or "",
        moo,
        soi or "",
        road or "",
        lat,
        lon,
        ownership or "",
        condition or "",
        household.head_id,
        HouseholdStatus.ACTIVE.value,
        summary.score,
        summary.groups,
        len(household.members),
        1,
        user_id,
        now,
        now,
    )
