"""The queries that find households and people are served by an index, on both databases.

Migration 0004 dropped the single-column indexes that composite ones cover (fewer indexes,
faster imports); these plans show the composites still do the work.
"""

import pytest
from django.db import connection
from django.db.models import Q

from carenet.areas.models import within
from carenet.core import citizen_id
from carenet.households.models import Household, Person, PersonStatus

pytestmark = pytest.mark.django_db


def explain(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(" ".join(str(col) for col in row) for row in cursor.fetchall())


def uses_index(plan: str, name: str) -> bool:
    """Whether the plan finds the rows through an index whose name contains `name`."""
    if connection.vendor == "postgresql":
        return name in plan and "Seq Scan" not in plan
    return name in plan and "SEARCH" in plan


HASH = citizen_id.lookup_hash("1101700203451")


# A name-key prefix (LIKE 'k-%') is indexed on PostgreSQL only: SQLite's LIKE ignores case,
# so it serves a prefix from no ordinary index.
PREFIX = pytest.mark.skipif("connection.vendor != 'postgresql'")


@pytest.mark.parametrize(
    ("queryset", "index"),
    [
        pytest.param(
            lambda: Person.objects.filter(within("8601", field="area_id")),
            "person_area_status_idx",
            id="people-in-district",
        ),
        pytest.param(
            lambda: Person.objects.filter(
                within("860101", field="area_id"), status=PersonStatus.ACTIVE
            ),
            "person_area_status_idx",
            id="active-people-in-subdistrict",
        ),
        pytest.param(
            lambda: Household.objects.filter(within("8601", field="area_id"), status="active"),
            "household_area_",  # (area, status) or (area, next visit due)
            id="households-in-district",
        ),
        pytest.param(
            lambda: Person.objects.filter(citizen_id_hash=HASH),
            "citizen_id",
            id="person-by-citizen-id",
        ),
        pytest.param(
            lambda: Person.objects.filter(name_key="S530-J530"),
            "person_name_birth_idx",
            id="person-by-name-key",
        ),
        pytest.param(
            lambda: Person.objects.filter(name_key__startswith="S530-", birth_date="1960-01-01"),
            "person_name_birth_idx",
            id="person-by-name-prefix-and-birth",
            marks=PREFIX,
        ),
        pytest.param(
            lambda: Person.objects.filter(
                Q(citizen_id_hash=HASH) | Q(name_key__startswith="S530-", birth_date="1960-01-01")
            ),
            "person_name_birth_idx",
            id="likely-duplicates-by-id-or-name",  # households.selectors
            marks=PREFIX,
        ),
    ],
)
def test_lookups_use_an_index(queryset, index):
    plan = explain(queryset())
    assert uses_index(plan, index), plan
