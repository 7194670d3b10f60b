"""A small world of households over the shared area tree (see the root conftest).

a1  86010101 ท่าตะเภา หมู่ 1   assigned to volunteer_a's record
a2  86010102 ท่าตะเภา หมู่ 2   not assigned: volunteer_a must not see it
p1  86010201 ปากน้ำ หมู่ 1      district A, another subdistrict
b1  86020101 ท่าแซะ หมู่ 1      district B, assigned to volunteer_b's record
s1  840101   ตลาด (Surat Thani) another province
"""

from dataclasses import dataclass

import pytest

from carenet.accounts.models import User
from carenet.households.models import Household, Person
from carenet.households.tests.factories import (
    ConsentFactory,
    HouseholdFactory,
    PersonFactory,
    VolunteerFactory,
    assign,
)
from carenet.volunteers.models import Volunteer

# Which of the world's households each persona sees.
SEES = {
    "national_admin": {"a1", "a2", "p1", "b1", "s1"},
    "auditor": {"a1", "a2", "p1", "b1", "s1"},
    "province_officer": {"a1", "a2", "p1", "b1"},
    "district_coordinator_a": {"a1", "a2", "p1"},
    "district_coordinator_b": {"b1"},
    "volunteer_a": {"a1"},
    "volunteer_b": {"b1"},
}
# Which they may change (the auditor changes nothing).
MANAGES = {**SEES, "auditor": set()}


@dataclass
class World:
    households: dict[str, Household]
    people: dict[str, Person]
    volunteers: dict[str, Volunteer]


@pytest.fixture
def world(personas: dict[str, User]) -> World:
    vol_a = VolunteerFactory.create(user=personas["volunteer_a"], area_id="860101")
    vol_b = VolunteerFactory.create(user=personas["volunteer_b"], area_id="860201")
    areas = {"a1": "86010101", "a2": "86010102", "p1": "86010201", "b1": "86020101", "s1": "840101"}
    households, people = {}, {}
    for key, code in areas.items():
        household = HouseholdFactory.create(area_id=code)
        person = PersonFactory.create(household=household, relation="head")
        ConsentFactory.create(person=person)
        household.head = person
        household.member_count = 1
        household.save(update_fields=["head", "member_count"])
        households[key], people[key] = household, person
    assign(households["a1"], vol_a)
    assign(households["b1"], vol_b)
    return World(households, people, {"a": vol_a, "b": vol_b})
