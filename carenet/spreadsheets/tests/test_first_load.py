"""A first load into an empty registry on PostgreSQL (spreadsheets.importing.writing.FirstLoad).

The import sets the tables' indexes and keys aside and builds them again at the end; these
tests show that it happens only when the tables are empty and free, that everything is back
afterwards under the same names, and that a failed file leaves the tables as they were.
"""

import psycopg
import pytest
from django.db import connection

from carenet.households.models import Consent, Household, HouseholdAssignment, Person
from carenet.spreadsheets.importing import households as households_import
from carenet.spreadsheets.importing.writing import FirstLoad
from carenet.spreadsheets.tests.test_import_households import cid, csv_file, family, person, run
from carenet.volunteers.tests.factories import VolunteerFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'postgresql'"),
]

TABLES = [m._meta.db_table for m in households_import.WRITTEN]


@pytest.fixture(autouse=True)
def areas(area_tree):
    return area_tree


def schema() -> set[tuple[str, ...]]:
    """Every index and constraint of the tables the import writes, with its definition."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
            "WHERE indrelid = ANY(%s::regclass[])",
            [TABLES],
        )
        indexes = {("index", *row) for row in cursor.fetchall()}
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid), condeferrable::text, condeferred::text "
            "FROM pg_constraint WHERE conrelid = ANY(%s::regclass[])",
            [TABLES],
        )
        return indexes | {("constraint", *row) for row in cursor.fetchall()}


def spy(monkeypatch) -> list[FirstLoad | None]:
    """Records what FirstLoad.begin gave each import."""
    taken: list[FirstLoad | None] = []
    begin = FirstLoad.begin

    def recording(models):
        taken.append(begin(models))
        return taken[-1]

    monkeypatch.setattr(FirstLoad, "begin", recording)
    return taken


def test_a_first_load_builds_every_index_and_key_again(monkeypatch):
    before = schema()
    taken = spy(monkeypatch)
    result = run(csv_file(family()))
    assert result.ok, result.errors
    assert taken[0] is not None
    assert schema() == before
    assert Person.objects.count() == 3
    assert Consent.objects.count() == 3
    assert Household.objects.count() == 2
    head = Person.objects.get(first_name="สมชาย")
    assert head.household.head_id == head.pk


def test_a_registry_with_people_is_loaded_the_ordinary_way(monkeypatch):
    assert run(csv_file(family())).ok
    taken = spy(monkeypatch)
    before = schema()
    result = run(csv_file([person(household_ref="H9", house_no="9", citizen_id=cid(9))]))
    assert result.ok, result.errors
    assert taken == [None]
    assert schema() == before
    assert Person.objects.count() == 4


def test_a_file_with_errors_leaves_the_tables_as_they_were(monkeypatch):
    before = schema()
    taken = spy(monkeypatch)
    rows = [*family(), person(household_ref="H3", citizen_id="1234567890123")]
    result = run(csv_file(rows))
    assert not result.ok
    assert taken[0] is not None
    assert schema() == before
    assert not Person.objects.exists()


def test_a_dry_run_sets_nothing_aside(monkeypatch):
    taken = spy(monkeypatch)
    assert run(csv_file(family()), dry_run=True).ok
    assert taken == []


def test_volunteers_named_in_a_first_load_are_assigned(monkeypatch):
    volunteer = VolunteerFactory(area_id="860101", citizen_id=cid(50))
    taken = spy(monkeypatch)
    rows = [{**row, "volunteer_citizen_id": cid(50)} for row in family()[:2]]
    assert run(csv_file(rows)).ok
    assert taken[0] is not None
    assert list(HouseholdAssignment.objects.values_list("volunteer_id", flat=True)) == [
        volunteer.pk
    ]


def test_tables_someone_else_is_using_are_loaded_the_ordinary_way(monkeypatch):
    """Another session reading the people: the lock does not come, the import goes on."""
    monkeypatch.setattr(FirstLoad, "LOCK_WAIT", "200ms")
    settings = connection.settings_dict
    other = psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        password=settings["PASSWORD"] or None,
    )
    try:
        other.execute("BEGIN")
        other.execute("SELECT count(*) FROM households_person")  # holds ACCESS SHARE
        taken = spy(monkeypatch)
        result = run(csv_file(family()))
        assert result.ok, result.errors
        assert taken == [None]
        assert Person.objects.count() == 3
    finally:
        other.close()
