"""The 'everything inside an area' query is a range that an index serves, on both databases."""

import pytest
from django.db import connection

from carenet.areas.models import Area, code_upper_bound, within
from carenet.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("code", "upper"),
    [("86", "87"), ("8609", "8610"), ("860199", "860200"), ("09", "10"), ("99", None)],
)
def test_upper_bound_is_the_next_code_of_the_same_width(code, upper):
    assert code_upper_bound(code) == upper


def test_within_finds_exactly_the_descendants(area_tree):
    inside = set(Area.objects.filter(within("8601")).values_list("code", flat=True))
    assert inside == {"8601", "860101", "86010101", "86010102", "860102", "86010201"}


def test_within_everything_when_code_is_empty(area_tree):
    assert Area.objects.filter(within("")).count() == len(area_tree)


@pytest.mark.parametrize("code", ["abc", "ชุมพร", "๘๖", "86 01", "9" * 5000])
def test_within_what_is_no_code_is_nothing(area_tree, code):
    assert not Area.objects.filter(within(code)).exists()


def explain(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(" ".join(str(col) for col in row) for row in cursor.fetchall())


def uses_index(plan: str) -> bool:
    if connection.vendor == "postgresql":
        return "Index" in plan and "Seq Scan" not in plan
    return "SEARCH" in plan and "USING INDEX" in plan


def test_area_range_is_served_by_the_primary_key_index(area_tree):
    plan = explain(Area.objects.filter(within("8601")))
    assert uses_index(plan), plan


def test_a_records_area_column_range_is_served_by_an_index(area_tree):
    plan = explain(AuditEvent.objects.filter(within("8601", field="area_code")))
    assert uses_index(plan), plan
