"""Coordination-centre coverage: villages without an active volunteer, and the ratios."""

import pytest

from carenet.areas.models import Area, Level
from carenet.households.models import Household
from carenet.reports import selectors
from carenet.volunteers.models import VolunteerStatus
from carenet.volunteers.tests.factories import CentreFactory, VolunteerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def spread(area_tree, volunteer_a):
    """One volunteer in each subdistrict of the tree; the ท่าตะเภา one is volunteer_a's own."""
    return {
        "own": VolunteerFactory(
            area=area_tree["860101"], user=volunteer_a, villages=[area_tree["86010101"]]
        ),
        "neighbour": VolunteerFactory(area=area_tree["860101"], villages=[area_tree["86010102"]]),
        "paknam": VolunteerFactory(area=area_tree["860102"]),
        "thasae": VolunteerFactory(area=area_tree["860201"]),
        "talat": VolunteerFactory(area=area_tree["840101"]),
    }


def add_households(area_code: str, n: int, status: str = "active") -> None:
    Household.objects.bulk_create(Household(area_id=area_code, status=status) for _ in range(n))


def test_coverage_of_a_district(area_tree, spread, django_assert_num_queries):
    centre = CentreFactory(area=area_tree["8601"])
    add_households("86010101", 30)
    add_households("86010102", 10)
    add_households("86010201", 10)
    add_households("86010201", 5, status="moved")  # no longer counted
    add_households("86020101", 99)  # another district
    spread["neighbour"].status = VolunteerStatus.INACTIVE
    spread["neighbour"].save()
    with django_assert_num_queries(4):
        coverage = selectors.centre_coverage(centre=centre)
    assert coverage.villages == 3
    # หมู่ 2 is covered only by an inactive volunteer; ปากน้ำ หมู่ 1 by nobody.
    assert [v.code for v in coverage.uncovered] == ["86010102", "86010201"]
    assert coverage.active_volunteers == 2  # own (ท่าตะเภา) and paknam
    assert coverage.households == 50
    assert coverage.per_village == pytest.approx(2 / 3)
    assert coverage.per_100_households == 4.0
    by_code = {row.area.code: row for row in coverage.subdistricts}
    assert by_code["860101"].households == 40
    assert by_code["860101"].active_volunteers == 1
    assert [v.code for v in by_code["860101"].uncovered] == ["86010102"]
    assert by_code["860102"].per_100_households == 10.0
    # Each village too: its households, and volunteers per 100 of them.
    villages = {v.code: v for v in by_code["860101"].villages}
    assert (villages["86010101"].households, villages["86010101"].per_100_households) == (
        30,
        3.3,
    )
    assert (villages["86010102"].households, villages["86010102"].per_100_households) == (10, 0.0)


def test_coverage_query_count_does_not_grow_with_the_area(area_tree, django_assert_num_queries):
    centre = CentreFactory(area=area_tree["8601"])
    VolunteerFactory(villages=[area_tree["86010101"]])
    with django_assert_num_queries(4):
        selectors.centre_coverage(centre=centre)
    for n in range(3, 40):
        Area.objects.create(
            code=f"860101{n:02d}", level=Level.VILLAGE, name_th=f"บ้าน{n}", parent_id="860101", moo=n
        )
        add_households(f"860101{n:02d}", 2)
    VolunteerFactory.create_batch(10, area=area_tree["860102"])
    with django_assert_num_queries(4):
        coverage = selectors.centre_coverage(centre=centre)
    assert coverage.villages == 40
    assert coverage.households == 74


def test_coverage_of_an_empty_area_has_no_ratios(area_tree):
    coverage = selectors.centre_coverage(centre=CentreFactory(area=area_tree["84"]))
    assert coverage.villages == 0
    assert coverage.per_village is None
    assert coverage.per_100_households is None


def test_a_subdistrict_without_villages_is_not_covered(
    area_tree, spread, django_assert_num_queries
):
    # ปากน้ำ's villages are not loaded yet; ท่าตะเภา's are all covered.
    Area.objects.filter(parent_id="860102").delete()
    centre = CentreFactory(area=area_tree["86"])
    spread["thasae"].villages.add(area_tree["86020101"])
    with django_assert_num_queries(4):
        coverage = selectors.centre_coverage(centre=centre)
    assert coverage.uncovered == []
    assert [a.code for a in coverage.unloaded] == ["860102"]
    assert coverage.unserved == []  # ปากน้ำ has its volunteer, villages or not
    assert not coverage.all_covered
    assert coverage.per_village == 1.0  # ท่าตะเภา's 2 and ท่าแซะ's 1 for their 3 villages
    spread["paknam"].status = VolunteerStatus.RESIGNED
    spread["paknam"].save()
    assert [a.code for a in selectors.centre_coverage(centre=centre).unserved] == ["860102"]


def test_a_subdistrict_centre_without_villages(area_tree, spread):
    coverage = selectors.centre_coverage(centre=CentreFactory(area=area_tree["840101"]))
    assert [a.code for a in coverage.unloaded] == ["840101"]
    assert coverage.active_volunteers == 1 and coverage.unserved == []
    assert not coverage.all_covered


def test_every_village_loaded_and_covered_is_all_covered(area_tree, spread):
    coverage = selectors.centre_coverage(centre=CentreFactory(area=area_tree["860101"]))
    assert coverage.unloaded == [] and coverage.uncovered == []
    assert coverage.all_covered
