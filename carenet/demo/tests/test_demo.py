"""The Chumphon demo, at a small size: its invariants hold and a second run changes nothing."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count, F

from carenet.areas.models import Area, Level, within
from carenet.areas.services import areas_load_from_geothai
from carenet.core import citizen_id
from carenet.demo.chumphon import DemoSize, build_chumphon
from carenet.households.models import Consent, Household, Person
from carenet.households.selectors import gps_far_from_neighbours
from carenet.volunteers.models import Centre, Volunteer, VolunteerStatus

pytestmark = pytest.mark.django_db

SMALL = DemoSize(villages=140, volunteers=300, households=400)


@pytest.fixture
def chumphon():
    areas_load_from_geothai(province_codes=["86"])
    return build_chumphon(SMALL)


def test_counts_are_exact(chumphon):
    assert (chumphon.villages, chumphon.volunteers, chumphon.households) == (140, 300, 400)
    assert Area.objects.filter(within("86"), level=Level.SUBDISTRICT).count() == 70


def test_every_village_has_an_active_volunteer(chumphon):
    uncovered = Area.objects.filter(within("86"), level=Level.VILLAGE).exclude(
        volunteers__status=VolunteerStatus.ACTIVE
    )
    assert not uncovered.exists()


def test_every_household_has_a_volunteer_of_its_subdistrict(chumphon):
    for household in Household.objects.prefetch_related("volunteers")[:100]:
        carers = list(household.volunteers.all())
        assert len(carers) == 1
        assert household.area_id.startswith(carers[0].area_id)
        assert carers[0].status == VolunteerStatus.ACTIVE


def test_a_subdistricts_households_lie_near_each_other(chumphon):
    """A correct point in ต.ท่าตะเภา (10.4935, 99.1801) is not questioned as far from the
    subdistrict's other households, and no demo household is."""
    tha_taphao = Household.objects.filter(within("860101", "area"))
    assert tha_taphao.count() > 5  # enough for the check to say something
    household = tha_taphao.first()
    household.latitude, household.longitude = Decimal("10.4935"), Decimal("99.1801")
    assert gps_far_from_neighbours(household=household) is None
    for household in Household.objects.order_by("?")[:30]:
        assert gps_far_from_neighbours(household=household) is None


def test_people_have_valid_unique_citizen_ids_and_a_consent(chumphon):
    people = list(Person.objects.annotate(n=Count("consents"))[:200])
    assert all(citizen_id.is_valid(p.read_citizen_id()) for p in people)
    assert all(p.n == 1 for p in people)
    hashes = Person.objects.values_list("citizen_id_hash", flat=True)
    assert len(set(hashes)) == len(hashes)
    # An export of the demo imports again: no consent comes before its person's birth.
    assert not Consent.objects.filter(given_on__lt=F("person__birth_date")).exists()


def test_centres_for_the_province_and_each_district_with_committees(chumphon):
    centres = Centre.objects.annotate(seats=Count("committee"))
    assert sorted(c.area_id for c in centres) == ["86", *[f"86{n:02d}" for n in range(1, 9)]]
    assert all(c.seats >= 3 for c in centres)


def test_household_priority_comes_from_members(chumphon):
    top = Household.objects.order_by("-priority_score").first()
    assert top.priority_score > 0 and top.vulnerability


def test_second_run_changes_nothing(chumphon):
    again = build_chumphon(SMALL)
    assert again == chumphon
    assert Volunteer.objects.count() == 300


def test_demo_command_refuses_without_demo_mode(settings):
    settings.DEMO_MODE = False
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("demo")
