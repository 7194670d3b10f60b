"""Names in Thai dictionary order, in the database (carenet.core.collation)."""

import pytest

from carenet.core.collation import thai_order
from carenet.volunteers.models import Volunteer
from carenet.volunteers.tests.factories import VolunteerFactory

pytestmark = pytest.mark.django_db

SHUFFLED = ["หมู", "ไก่", "กาล", "เป็ด", "วัว", "เกิด", "ฮูก", "แมว", "ขวด"]
DICTIONARY = ["กาล", "เกิด", "ไก่", "ขวด", "เป็ด", "แมว", "วัว", "หมู", "ฮูก"]


def test_names_sort_as_in_a_thai_dictionary(area_tree):
    for name in SHUFFLED:
        VolunteerFactory(first_name=name, last_name="ทดสอบ")
    names = Volunteer.objects.order_by(*thai_order("first_name", "last_name"), "pk")
    assert list(names.values_list("first_name", flat=True)) == DICTIONARY


def test_descending(area_tree):
    for name in SHUFFLED:
        VolunteerFactory(first_name=name, last_name="ทดสอบ")
    names = Volunteer.objects.order_by(*thai_order("-first_name"))
    assert list(names.values_list("first_name", flat=True)) == DICTIONARY[::-1]


def test_code_point_order_would_put_leading_vowels_last():
    """Why: what plain ORDER BY gives on both databases."""
    assert sorted(DICTIONARY).index("เกิด") > sorted(DICTIONARY).index("ฮูก")
