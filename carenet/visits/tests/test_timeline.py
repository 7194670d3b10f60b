"""The household timeline: every kind of entry in time order, sensitive entries restricted
to those allowed, and a constant number of queries however long the history."""

from datetime import date, timedelta
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from carenet.accounts.models import Role
from carenet.accounts.tests.factories import AreaAssignmentFactory, UserFactory
from carenet.core.models import AuditEvent
from carenet.households import services
from carenet.households.tests.factories import (
    ConsentFactory,
    PersonFactory,
    VolunteerFactory,
    assign,
)
from carenet.visits import selectors
from carenet.visits.models import Assessment, IndicatorSet, ProblemItem, VisitPhoto
from carenet.visits.tests.factories import ConcernFactory, VisitFactory, build_world
from conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas):
    return build_world(personas)


def assessment_for(household, day: date, visit=None) -> Assessment:
    return Assessment.objects.create(
        household=household,
        area_id=household.area_id,
        visit=visit,
        indicator_set=IndicatorSet.objects.get(current=True),
        assessed_on=day,
        scores={"health": 75, "income": 33},
    )


def test_every_kind_of_entry_newest_first(world, volunteer_a):
    household = world.households["a1"]
    now = timezone.now()
    old = VisitFactory.create(
        household=household, visited_at=now - timedelta(days=30), volunteers=[world.volunteers["a"]]
    )
    new = VisitFactory.create(household=household, visited_at=now - timedelta(days=1))
    assessment_for(household, timezone.localdate(new.visited_at), new)
    concern = ConcernFactory.create(household=household, visit=new)
    entries = selectors.household_timeline(user=volunteer_a, household=household)
    kinds = [e.kind for e in entries]
    assert set(kinds) == {"registration", "visit", "assessment", "concern", "consent"}
    whens = [e.when for e in entries]
    assert whens == sorted(whens, reverse=True)
    visits = [e.item for e in entries if e.kind == "visit"]
    assert visits == [new, old]
    assert next(e for e in entries if e.kind == "concern").item == concern
    assert not any(e.restricted for e in entries)


def test_a_withdrawn_consent_is_an_entry_of_its_own(world, volunteer_a):
    household = world.households["a1"]
    ConsentFactory.create(
        person=world.people["a1"], given_on=date(2025, 1, 1), withdrawn_on=date(2025, 3, 1)
    )
    kinds = [e.kind for e in selectors.household_timeline(user=volunteer_a, household=household)]
    assert kinds.count("consent_withdrawn") == 1


@pytest.fixture
def sensitive(world, volunteer_a):
    household = world.households["a1"]
    visit = VisitFactory.create(
        household=household,
        sensitive=True,
        recorded_by=volunteer_a,
        observations="พบร่องรอยการถูกทำร้าย",
    )
    visit.problems.set([ProblemItem.objects.get(code="domestic_violence")])
    ConcernFactory.create(
        household=household,
        visit=visit,
        sensitive=True,
        summary="ความรุนแรงในครอบครัว ต้องการความช่วยเหลือ",
        raised_by=volunteer_a,
    )
    return visit


ALLOWED = {
    "national_admin": True,
    "province_officer": True,
    "volunteer_a": True,
    "district_coordinator_a": False,
}


@pytest.mark.parametrize(("persona", "allowed"), ALLOWED.items())
def test_sensitive_entries_only_for_those_allowed(client, world, sensitive, persona, allowed):
    login(client, persona)
    response = client.get(reverse("visits:timeline", args=[world.households["a1"].pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert ("พบร่องรอยการถูกทำร้าย" in body) is allowed
    assert ("ความรุนแรงในครอบครัว ต้องการความช่วยเหลือ" in body) is allowed
    assert ("tl-restricted" in body) is not allowed
    detail = client.get(reverse("visits:detail", args=[sensitive.pk]))
    assert detail.status_code == 200
    assert ("พบร่องรอยการถูกทำร้าย" in detail.content.decode()) is allowed
    assert ('data-testid="restricted"' in detail.content.decode()) is not allowed


def test_another_volunteer_of_the_household_sees_it_restricted(world, sensitive, area_tree):
    user = UserFactory.create()
    AreaAssignmentFactory.create(user=user, role=Role.VOLUNTEER, area=area_tree["860101"])
    assign(world.households["a1"], VolunteerFactory.create(area_id="860101", user=user))
    entries = selectors.household_timeline(user=user, household=world.households["a1"])
    assert sorted(e.kind for e in entries if e.restricted) == ["concern", "visit"]


def test_reading_a_sensitive_visit_is_logged(client, world, sensitive):
    login(client, "province_officer")
    client.get(reverse("visits:detail", args=[sensitive.pk]))
    assert AuditEvent.objects.filter(
        action="visit.view_sensitive", target_id=str(sensitive.pk)
    ).exists()


def test_a_sensitive_visits_photo_is_not_served_to_others(
    client, world, sensitive, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    photo = VisitPhoto(visit=sensitive, width=1, height=1)
    photo.image.save("s.jpg", BytesIO(b"\xff\xd8\xff\xd9"), save=False)
    photo.save()
    login(client, "district_coordinator_a")
    assert client.get(reverse("visits:photo", args=[photo.pk])).status_code == 404
    client.logout()
    login(client, "volunteer_a")
    assert client.get(reverse("visits:photo", args=[photo.pk])).status_code == 200


def grow(world, n: int) -> None:
    household = world.households["a1"]
    items = list(ProblemItem.objects.all()[:3])
    other = VolunteerFactory.create(area_id="860101")
    for i in range(n):
        visit = VisitFactory.create(
            household=household,
            visited_at=timezone.now() - timedelta(days=i + 1),
            volunteers=[world.volunteers["a"], other],
            sensitive=i % 3 == 0,
        )
        visit.problems.set(items)
        ConcernFactory.create(household=household, visit=visit, sensitive=i % 3 == 0)
        assessment_for(household, timezone.localdate() - timedelta(days=i + 1), visit)
        ConsentFactory.create(person=world.people["a1"])
        AuditEvent.objects.create(  # a member's status, named from the person
            action="person.status",
            target_type="households.person",
            target_id=str(world.people["a1"].pk),
            area_code=household.area_id,
            details={"from": "active", "to": "moved", "reason": "ย้ายไปทำงาน"},
        )
        AuditEvent.objects.create(
            action="household.handover",
            target_type="households.household",
            target_id=str(household.pk),
            area_code=household.area_id,
            details={"from": world.volunteers["a"].pk, "to": other.pk},
        )


def test_volunteers_given_taken_off_and_handed_over_show_with_who_did_it(
    client, world, district_coordinator_a
):
    from carenet.households import services as household_services

    household = world.households["a1"]
    giver = world.volunteers["a"]
    taker = VolunteerFactory.create(area_id="860101", first_name="สมศรี", last_name="รับช่วง")
    household_services.households_hand_over(
        actor=district_coordinator_a, giver=giver, taker=taker, households=[household]
    )
    entries = selectors.household_timeline(user=district_coordinator_a, household=household)
    (change,) = [e.item for e in entries if e.kind == "volunteer_change"]
    assert (change.volunteer, change.taker) == (giver.full_name, taker.full_name)
    login(client, "district_coordinator_a")
    page = client.get(reverse("visits:timeline", args=[household.pk])).content.decode()
    assert "สมศรี รับช่วง" in page and 'data-kind="volunteer_change"' in page


@pytest.mark.parametrize("persona", ["volunteer_a", "district_coordinator_a"])
def test_the_timeline_takes_a_constant_number_of_queries(client, world, persona):
    login(client, persona)
    path = reverse("visits:timeline", args=[world.households["a1"].pk])
    grow(world, 2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(path).status_code == 200
    grow(world, 12)
    with CaptureQueriesContext(connection) as many:
        assert client.get(path).status_code == 200
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]
    assert len(few) <= 20  # one per kind of entry (the centre's: drafts left behind too)


def test_a_next_visit_date_gone_by_is_marked_overdue(client, world):
    household = world.households["a1"]
    url = reverse("visits:timeline", args=[household.pk])
    login(client, "district_coordinator_a")
    for due, overdue in ((timezone.localdate() - timedelta(days=16), True),
                         (timezone.localdate(), False)):  # fmt: skip
        type(household).objects.filter(pk=household.pk).update(next_visit_due=due)
        assert ('data-testid="visit-overdue"' in client.get(url).text) == overdue


def test_deaths_moves_and_a_move_of_house_are_on_the_timeline(client, world, personas):
    """The household's history says who died or left, and where it lived before."""
    actor = personas["district_coordinator_a"]
    home, other = world.households["a1"], world.households["a2"]
    grandma = PersonFactory.create(household=home, first_name="ทวด")
    son = PersonFactory.create(household=home, first_name="ลูกชาย")
    services.person_set_status(actor=actor, person=grandma, status="deceased", reason="ชราภาพ")
    services.person_move(actor=actor, person=son, household=other, relation="child")
    was = home.house_no
    home.refresh_from_db()
    services.household_update(
        actor=actor, household=home, version=home.version, house_no="45/2", moo=home.moo,
        soi="", road="", latitude=None, longitude=None, ownership=home.ownership,
        condition=home.condition,
    )  # fmt: skip
    login(client, "district_coordinator_a")
    page = client.get(reverse("visits:timeline", args=[home.pk])).text
    assert "ทวด" in page and "ชราภาพ" in page and "เสียชีวิต" in page
    assert "ลูกชาย" in page and "ย้ายไปอยู่ครัวเรือนอื่น" in page
    assert "ย้ายบ้าน" in page and f"บ้านเลขที่ {was}" in page
    joined = client.get(reverse("visits:timeline", args=[other.pk])).text
    assert "ลูกชาย" in joined and "ย้ายมาจากครัวเรือนอื่น" in joined


def test_a_members_status_stays_with_the_household_where_it_happened(client, world, personas):
    """Marked moved away here, then placed in another household: the entry stays here, on
    the day it happened, and the new household's volunteers do not read where she went."""
    actor = personas["district_coordinator_a"]
    home, other = world.households["a1"], world.households["a2"]
    mother = PersonFactory.create(household=home, first_name="แม่")
    services.person_set_status(actor=actor, person=mother, status="moved",
                               reason="ไปอยู่กับลูกสาว", on=date(2026, 11, 25))  # fmt: skip
    mother.refresh_from_db()
    services.person_move(actor=actor, person=mother, household=other, relation="parent")
    entries = selectors.household_timeline(user=actor, household=home)
    (gone,) = [e for e in entries if e.kind == "member_change" and e.item.action == "person.status"]
    assert timezone.localdate(gone.when) == date(2026, 11, 25)
    elsewhere = selectors.household_timeline(user=actor, household=other)
    said = [e.item for e in elsewhere if e.kind == "member_change"]
    assert [c.action for c in said] == ["moved_in"]
