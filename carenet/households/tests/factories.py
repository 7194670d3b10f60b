"""Factories for household tests, and a small VolunteerFactory (the volunteers app's own
factories belong to that app; these tests only need rows to assign)."""

import random
from datetime import date

import factory
from factory.django import DjangoModelFactory

from carenet.core.citizen_id import checksum_digit
from carenet.core.people import Sex, name_key
from carenet.households.models import (
    Consent,
    ConsentBasis,
    Household,
    HouseholdAssignment,
    Person,
)
from carenet.volunteers.models import Volunteer, VolunteerStatus


def new_citizen_id() -> str:
    """A valid, random 13-digit citizen ID."""
    first = str(random.randint(1, 8)) + "".join(random.choices("0123456789", k=11))
    return first + str(checksum_digit(first))


def bad_checksum(digits: str) -> str:
    return digits[:12] + str((int(digits[12]) + 1) % 10)


class VolunteerFactory(DjangoModelFactory[Volunteer]):
    class Meta:
        model = Volunteer
        skip_postgeneration_save = True

    title = "นาง"
    first_name = factory.Faker("first_name_female", locale="th_TH")
    last_name = factory.Faker("last_name", locale="th_TH")
    sex = Sex.FEMALE
    area_id = "860101"
    status = VolunteerStatus.ACTIVE
    user = None

    @factory.post_generation
    def citizen_id(obj: Volunteer, create: bool, extracted: str | None, **kwargs: object) -> None:
        obj.set_citizen_id(extracted or new_citizen_id())
        obj.name_key = name_key(obj.first_name, obj.last_name)
        if create:
            obj.save()


class HouseholdFactory(DjangoModelFactory[Household]):
    class Meta:
        model = Household

    area_id = "86010101"
    house_no = factory.Sequence(lambda n: f"{n + 1}/{n % 7 + 1}")
    moo = factory.LazyAttribute(lambda o: int(o.area_id[6:]) if len(o.area_id) == 8 else None)


class PersonFactory(DjangoModelFactory[Person]):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    household = factory.SubFactory(HouseholdFactory)
    area_id = factory.LazyAttribute(lambda o: o.household.area_id)
    title = "นาย"
    first_name = factory.Faker("first_name_male", locale="th_TH")
    last_name = factory.Faker("last_name", locale="th_TH")
    sex = Sex.MALE
    birth_date = factory.Faker("date_of_birth", minimum_age=18, maximum_age=59)

    @factory.post_generation
    def citizen_id(obj: Person, create: bool, extracted: str | None, **kwargs: object) -> None:
        if extracted:
            obj.set_citizen_id(extracted)
        obj.name_key = name_key(obj.first_name, obj.last_name)
        if create:
            obj.save()


class ConsentFactory(DjangoModelFactory[Consent]):
    class Meta:
        model = Consent

    person = factory.SubFactory(PersonFactory)
    area_id = factory.LazyAttribute(lambda o: o.person.area_id)
    basis = ConsentBasis.CONSENT
    purpose = "ดูแลสวัสดิการ"
    given_on = date(2025, 1, 10)


def assign(household: Household, volunteer: Volunteer) -> HouseholdAssignment:
    return HouseholdAssignment.objects.create(household=household, volunteer=volunteer)
