"""Likely duplicates on the data-check page: two different citizen IDs are two people."""

from datetime import date

import pytest

from carenet.areas.models import Area
from carenet.households.tests.factories import HouseholdFactory, PersonFactory, new_citizen_id
from carenet.reports.selectors import data_quality

pytestmark = pytest.mark.django_db


def _twins(personas, *citizen_ids: str) -> int:
    home = HouseholdFactory.create(area_id="86010101")
    for cid in citizen_ids:
        PersonFactory.create(
            household=home,
            first_name="ภูมิ",
            last_name="แฝดดี",
            birth_date=date(2017, 3, 3),
            citizen_id=cid,
        )
    quality = data_quality(
        user=personas["district_coordinator_a"],
        area=Area.objects.get(code="860101"),
        today=date(2025, 6, 1),
    )
    return quality.twins.count


def test_twins_with_two_citizen_ids_are_not_listed(personas):
    assert _twins(personas, new_citizen_id(), new_citizen_id()) == 0


def test_a_record_without_a_citizen_id_is_still_listed(personas):
    assert _twins(personas, new_citizen_id(), "") == 1
    assert _twins(personas, new_citizen_id()) == 1  # a third record, the same name and date
