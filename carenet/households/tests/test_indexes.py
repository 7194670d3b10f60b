"""The queries that find households and people are served by an index, on both databases.

Migration 0004 dropped the single-column indexes that composite ones cover (fewer indexes,
faster imports); these plans show the composites still do the work.
"""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.models import Q

from carenet.areas.models import Area, Level, within
from carenet.core import citizen_id
from carenet.households.models import (
    Household,
    Person,
    PersonStatus,
    with_citizen_id,
    with_document_no,
)

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


@pytest.fixture
def people_in_numbers(area_tree):
    """Analysed rows over many areas, so that the planner weighs its indexes.

    On empty tables PostgreSQL's costs tie and it takes the first suitable index it lists,
    which is an accident of when each index was built (a first load builds them again, see
    spreadsheets.importing.writing.FirstLoad). Here the areas asked for hold a few percent
    of the rows, as in a real province.
    """
    if connection.vendor != "postgresql":
        return
    Area.objects.create(code="99", level=Level.PROVINCE, name_th="ทดสอบ", name_en="Test")
    codes = [f"99{n:02d}01" for n in range(1, 41)]
    for code in codes:
        Area.objects.create(
            code=code[:4], level=Level.DISTRICT, name_th=code, name_en=code, parent_id="99"
        )
        Area.objects.create(
            code=code, level=Level.SUBDISTRICT, name_th=code, name_en=code, parent_id=code[:4]
        )
    codes += ["86010101", "860102"]
    households = Household.objects.bulk_create(
        Household(area_id=codes[n % len(codes)], house_no=str(n)) for n in range(400)
    )
    statuses = list(PersonStatus)
    Person.objects.bulk_create(
        Person(
            household=households[n % 400],
            area_id=households[n % 400].area_id,
            status=statuses[n % len(statuses)],
            first_name=f"ชื่อ{n}",
            last_name="ทดสอบ",
            name_key=f"K{n:04d}-T000",
            birth_date=date(1950, 1, 1) + timedelta(days=n),
            citizen_id_hash=f"{n:064x}",
        )
        for n in range(3000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE households_person, households_household")


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
            lambda: Person.objects.filter(with_citizen_id(HASH)),
            "person_citizen_id_unique",
            id="person-by-citizen-id",
        ),
        pytest.param(
            lambda: Person.objects.filter(with_document_no("MA1234567")),
            "person_document_idx",
            id="person-by-document-no",
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
                with_citizen_id(HASH) | Q(name_key__startswith="S530-", birth_date="1960-01-01")
            ),
            "person_name_birth_idx",
            id="likely-duplicates-by-id-or-name",  # households.selectors
            marks=PREFIX,
        ),
    ],
)
def test_lookups_use_an_index(queryset, index, people_in_numbers):
    plan = explain(queryset())
    assert uses_index(plan, index), plan


def test_every_key_to_an_imported_record_is_indexed():
    """An import writes people before their households, with the keys checked at commit.
    Meanwhile SQLite looks up, for each new person or household, the rows whose keys point
    at it: without an index on a key, each insert reads that whole table (a 20,000-row
    import took 17 s instead of 2 when person merged_into lost its index)."""
    from django.apps import apps

    from carenet.volunteers.models import Volunteer

    imported = (Person, Household, Volunteer)
    unindexed = []
    for model in apps.get_models():
        leading = {index.fields[0].lstrip("-") for index in model._meta.indexes}
        leading |= {
            constraint.fields[0]
            for constraint in model._meta.constraints
            if getattr(constraint, "fields", None)
        }
        for field in model._meta.concrete_fields:
            target = getattr(field, "related_model", None)
            if target in imported and not (field.db_index or field.name in leading):
                unindexed.append(f"{model._meta.label}.{field.name}")
    assert unindexed == []
