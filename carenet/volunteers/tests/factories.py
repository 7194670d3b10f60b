"""Volunteers, centres and seats for tests, with Thai names and valid citizen IDs.

The areas come from the root conftest's `area_tree`: a volunteer serves ต.ท่าตะเภา (860101)
unless told otherwise.
"""

import random
from datetime import date

import factory
from faker import Faker

from carenet.areas.models import Area
from carenet.core.citizen_id import checksum_digit
from carenet.core.people import name_key
from carenet.volunteers.models import (
    Centre,
    CommitteeMembership,
    Position,
    Volunteer,
    VolunteerStatus,
    VolunteerStatusChange,
)

fake = Faker("th_TH")


def valid_citizen_id() -> str:
    """Thirteen digits with a correct check digit; the first is 1-8 as on real cards."""
    first_twelve = str(random.randint(1, 8)) + "".join(random.choices("0123456789", k=11))
    return first_twelve + str(checksum_digit(first_twelve))


def bad_checksum(digits: str) -> str:
    return digits[:12] + str((int(digits[12]) + 1) % 10)


def thai_mobile() -> str:
    return "0" + random.choice("689") + "".join(random.choices("0123456789", k=8))


class VolunteerFactory(factory.django.DjangoModelFactory[Volunteer]):
    class Meta:
        model = Volunteer
        skip_postgeneration_save = True

    title = factory.Iterator(["นาย", "นาง", "นางสาว"])
    first_name = factory.Faker("first_name", locale="th_TH")
    last_name = factory.Faker("last_name", locale="th_TH")
    name_key = factory.LazyAttribute(lambda o: name_key(o.first_name, o.last_name))
    sex = factory.LazyAttribute(lambda o: "M" if o.title == "นาย" else "F")
    birth_date = factory.LazyFunction(lambda: fake.date_of_birth(minimum_age=25, maximum_age=70))
    phone = factory.LazyFunction(thai_mobile)
    area = factory.LazyFunction(lambda: Area.objects.get(code="860101"))
    address_area = factory.SelfAttribute("area")
    house_no = factory.Sequence(lambda n: f"{n % 300 + 1}/{n % 7 + 1}")
    registration_no = factory.Sequence(lambda n: f"{n + 1}/2567")
    registration_date = date(2024, 6, 1)
    status = VolunteerStatus.ACTIVE

    @factory.post_generation
    def citizen_id(obj: Volunteer, create: bool, extracted: str | None, **kwargs: object) -> None:
        obj.set_citizen_id(extracted or valid_citizen_id())
        if create:
            obj.save(update_fields=["citizen_id_encrypted", "citizen_id_hash"])

    @factory.post_generation
    def villages(obj: Volunteer, create: bool, extracted: list[Area] | None, **kwargs: object):
        if create and extracted:
            obj.villages.set(extracted)


class VolunteerStatusChangeFactory(factory.django.DjangoModelFactory[VolunteerStatusChange]):
    class Meta:
        model = VolunteerStatusChange

    volunteer = factory.SubFactory(VolunteerFactory)
    from_status = ""
    to_status = VolunteerStatus.ACTIVE
    effective_date = date(2024, 6, 1)
    reason = "ขึ้นทะเบียน"


class CentreFactory(factory.django.DjangoModelFactory[Centre]):
    class Meta:
        model = Centre
        django_get_or_create = ("area",)

    area = factory.LazyFunction(lambda: Area.objects.get(code="8601"))
    name = factory.LazyAttribute(lambda o: f"ศูนย์ประสานงาน อพม. อำเภอ{o.area.name_th}")


class CommitteeMembershipFactory(factory.django.DjangoModelFactory[CommitteeMembership]):
    class Meta:
        model = CommitteeMembership

    centre = factory.SubFactory(CentreFactory)
    volunteer = factory.SubFactory(VolunteerFactory)
    position = Position.MEMBER
    term_start = date(2024, 1, 1)
    term_end = None
