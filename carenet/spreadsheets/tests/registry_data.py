"""A small registry on conftest's area tree, for the export and import-page tests.

Every household and volunteer has a surname found nowhere else, so a test can say "this name
must not appear in that export". Who sees what:

    household   village    assigned to    seen by (besides national_admin and auditor)
    ใจดี        86010101   volunteer A    province_officer, district_coordinator_a, volunteer_a
    ศรีสุข      86010102   nobody         province_officer, district_coordinator_a
    ทองคำ       86010201   volunteer C    province_officer, district_coordinator_a
    แก้วมณี     86020101   volunteer B    province_officer, district_coordinator_b, volunteer_b
    ชาวใต้      840101     nobody         (national only)

    volunteer   serves     user
    อาสาดี      860101     volunteer_a
    รักถิ่น      860201     volunteer_b
    ปากน้ำดี    860102     -
    ใต้สุด      840101     -
"""

from dataclasses import dataclass
from datetime import date
from itertools import count
from typing import Any

from carenet.accounts.models import User
from carenet.areas.models import Area
from carenet.core.citizen_id import checksum_digit
from carenet.core.people import Sex, name_key
from carenet.households.models import Household, HouseholdAssignment, Person, Relation
from carenet.volunteers.models import Volunteer

_serial = count(1)


def new_citizen_id() -> str:
    first_twelve = f"3{86_000_000_000 + next(_serial) * 7919:011d}"[:12]
    return first_twelve + str(checksum_digit(first_twelve))


HOUSEHOLD_NAMES = {
    "86010101": "ใจดี",
    "86010102": "ศรีสุข",
    "86010201": "ทองคำ",
    "86020101": "แก้วมณี",
    "840101": "ชาวใต้",
}
VOLUNTEER_NAMES = {
    "860101": "อาสาดี",
    "860201": "รักถิ่น",
    "860102": "ปากน้ำดี",
    "840101": "ใต้สุด",
}
# Surnames each persona's households export holds; every other household surname must not appear.
HOUSEHOLDS_SEEN = {
    "national_admin": set(HOUSEHOLD_NAMES.values()),
    "auditor": set(HOUSEHOLD_NAMES.values()),
    "province_officer": {"ใจดี", "ศรีสุข", "ทองคำ", "แก้วมณี"},
    "district_coordinator_a": {"ใจดี", "ศรีสุข", "ทองคำ"},
    "district_coordinator_b": {"แก้วมณี"},
    "volunteer_a": {"ใจดี"},
    "volunteer_b": {"แก้วมณี"},
}
VOLUNTEERS_SEEN = {
    "national_admin": set(VOLUNTEER_NAMES.values()),
    "auditor": set(VOLUNTEER_NAMES.values()),
    "province_officer": {"อาสาดี", "รักถิ่น", "ปากน้ำดี"},
    "district_coordinator_a": {"อาสาดี", "ปากน้ำดี"},
    "district_coordinator_b": {"รักถิ่น"},
    "volunteer_a": {"อาสาดี"},
    "volunteer_b": {"รักถิ่น"},
}


def make_volunteer(area: Area, last_name: str, user: User | None = None, **extra: Any) -> Volunteer:
    volunteer = Volunteer(
        user=user,
        title="นาง",
        first_name="สมศรี",
        last_name=last_name,
        name_key=name_key("สมศรี", last_name),
        birth_date=date(1975, 5, 17),
        sex=Sex.FEMALE,
        phone="0812345678",
        area=area,
        address_area=area,  # they live where they serve, as most do
        registration_no=f"{next(_serial)}/2566",
        registration_date=date(2023, 6, 1),
        **extra,
    )
    volunteer.set_citizen_id(new_citizen_id())
    volunteer.save()
    return volunteer


def make_household(
    area: Area,
    last_name: str,
    *,
    members: int = 2,
    volunteer: Volunteer | None = None,
    first_names: tuple[str, ...] = ("สมชาย", "มาลี", "บุญมี", "ประยูร", "สมหญิง"),
) -> Household:
    household = Household.objects.create(
        area=area, house_no=f"{next(_serial)}/1", moo=area.moo, member_count=members
    )
    people = []
    for index in range(members):
        first = first_names[index % len(first_names)]
        person = Person(
            household=household,
            area=area,
            title="นาย" if index % 2 == 0 else "นาง",
            first_name=first,
            last_name=last_name,
            name_key=name_key(first, last_name),
            birth_date=date(1950 + index * 20, 1 + index, 10),
            sex=Sex.MALE if index % 2 == 0 else Sex.FEMALE,
            relation=Relation.HEAD if index == 0 else Relation.SPOUSE,
            phone="0899999999" if index == 0 else "",
            bedridden=index == 0 and members > 1,
        )
        person.set_citizen_id(new_citizen_id())
        people.append(person)
    Person.objects.bulk_create(people)
    household.head = people[0]
    household.save(update_fields=["head"])
    if volunteer is not None:
        HouseholdAssignment.objects.create(household=household, volunteer=volunteer)
    return household


@dataclass
class Registry:
    volunteers: dict[str, Volunteer]  # by surname
    households: dict[str, Household]  # by surname


def build_registry(areas: dict[str, Area], personas: dict[str, User]) -> Registry:
    volunteers = {
        "อาสาดี": make_volunteer(areas["860101"], "อาสาดี", personas["volunteer_a"]),
        "รักถิ่น": make_volunteer(areas["860201"], "รักถิ่น", personas["volunteer_b"]),
        "ปากน้ำดี": make_volunteer(areas["860102"], "ปากน้ำดี"),
        "ใต้สุด": make_volunteer(areas["840101"], "ใต้สุด"),
    }
    assigned = {"86010101": "อาสาดี", "86010201": "ปากน้ำดี", "86020101": "รักถิ่น"}
    households = {
        last_name: make_household(
            areas[code],
            last_name,
            volunteer=volunteers[assigned[code]] if code in assigned else None,
        )
        for code, last_name in HOUSEHOLD_NAMES.items()
    }
    return Registry(volunteers, households)
