"""Factories for visit tests. Shared by the visit and assessment tests: append, do not reorder."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import factory
from django.db.models import Q
from django.utils import timezone
from factory.django import DjangoModelFactory

from carenet.households.models import Household, Person
from carenet.households.tests.factories import (
    ConsentFactory,
    HouseholdFactory,
    PersonFactory,
    VolunteerFactory,
    assign,
)
from carenet.visits.models import Concern, RiskLevel, Visit, VisitType
from carenet.volunteers.models import Volunteer


class VisitFactory(DjangoModelFactory[Visit]):
    """A visit made yesterday. Pass `volunteers=[...]` to link the volunteers who made it."""

    class Meta:
        model = Visit
        skip_postgeneration_save = True

    household = factory.SubFactory(HouseholdFactory)
    area_id = factory.LazyAttribute(lambda o: o.household.area_id)
    visited_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    visit_type = VisitType.ROUTINE
    risk_level = RiskLevel.NORMAL
    observations = "บ้านสะอาด สมาชิกสุขภาพดี"
    duration_minutes = 30

    @factory.post_generation
    def volunteers(obj: Visit, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            obj.volunteers.set(extracted)
            # What services.visit_record keeps: each volunteer's latest visit, moved forward.
            later = [
                v for v in extracted if v.last_visit_at is None or v.last_visit_at < obj.visited_at
            ]
            for volunteer in later:
                volunteer.last_visit_at = obj.visited_at
            Volunteer.objects.filter(pk__in=[v.pk for v in extracted]).filter(
                Q(last_visit_at__isnull=True) | Q(last_visit_at__lt=obj.visited_at)
            ).update(last_visit_at=obj.visited_at)


class ConcernFactory(DjangoModelFactory[Concern]):
    class Meta:
        model = Concern

    household = factory.SubFactory(HouseholdFactory)
    area_id = factory.LazyAttribute(lambda o: o.household.area_id)
    visit = None
    summary = "ผู้สูงอายุติดเตียงไม่มีผู้ดูแล"
    sensitive = False


# --- A small world for the visit pages (appended by the visits helper) ---------------------


@dataclass
class VisitWorld:
    """The households of carenet/households/tests/conftest.py's world, over the root
    conftest's area tree: a1 (assigned to volunteer_a), a2 (same subdistrict, unassigned),
    p1 (district A, another subdistrict), b1 (district B, assigned to volunteer_b), s1
    (another province)."""

    households: dict[str, Household]
    people: dict[str, Person]
    volunteers: dict[str, Volunteer]


WORLD_AREAS = {
    "a1": "86010101",
    "a2": "86010102",
    "p1": "86010201",
    "b1": "86020101",
    "s1": "840101",
}


def build_world(personas: dict[str, Any]) -> VisitWorld:
    vol_a = VolunteerFactory.create(user=personas["volunteer_a"], area_id="860101")
    vol_b = VolunteerFactory.create(user=personas["volunteer_b"], area_id="860201")
    households, people = {}, {}
    for key, code in WORLD_AREAS.items():
        household = HouseholdFactory.create(area_id=code)
        person = PersonFactory.create(household=household, relation="head")
        ConsentFactory.create(person=person)
        household.head = person
        household.member_count = 1
        household.save(update_fields=["head", "member_count"])
        households[key], people[key] = household, person
    assign(households["a1"], vol_a)
    assign(households["b1"], vol_b)
    return VisitWorld(households, people, {"a": vol_a, "b": vol_b})


class AssessmentFactory(DjangoModelFactory):
    """An assessment with the scores given (answers are not made: pass `scores={...}`);
    tests of the scoring itself go through visits.assessments.assessment_record."""

    class Meta:
        model = "visits.Assessment"

    household = factory.SubFactory(HouseholdFactory)
    area_id = factory.LazyAttribute(lambda o: o.household.area_id)
    indicator_set_id = "jpt-2560"
    assessed_on = factory.LazyFunction(timezone.localdate)
    scores = factory.LazyFunction(
        lambda: {"health": 75, "living": 100, "education": 50, "income": 33, "access": 100}
    )
