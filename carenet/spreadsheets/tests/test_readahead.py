"""Reading a households file in a second process (carenet.spreadsheets.importing.readahead).

test_import_households runs every import test with the file read ahead and without; these
cover what only the second process can do: be forked or not, fail, be stopped, and keep away
from the database connection it shares.
"""

import os

import pytest

from carenet.areas.models import Area
from carenet.households.models import Person
from carenet.spreadsheets.importing import common, readahead
from carenet.spreadsheets.importing.households import _HouseholdImport
from carenet.spreadsheets.importing.rows import RowReader
from carenet.spreadsheets.tests.test_import_households import cid, csv_file, person, run
from carenet.volunteers.tests.factories import VolunteerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def chunks_of_two(area_tree, monkeypatch):
    monkeypatch.setattr(common, "CHUNK_ROWS", 2)


@pytest.fixture(autouse=True)
def forks(monkeypatch):
    """The reading processes the importer forked (their pids, as the parent saw them)."""
    made = []
    real_fork = os.fork

    def fork():
        pid = real_fork()
        if pid:
            made.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", fork)
    return made


def members(count: int, *, start: int = 1, ref: str = "H1", **values: str) -> list[dict]:
    rows = [
        person(
            household_ref=ref,
            citizen_id=cid(start + n),
            first_name=f"สมาชิก{start + n}",
            relation="บุตร",
            **values,
        )
        for n in range(count)
    ]
    if ref == "H1" and start == 1:
        rows[0]["relation"] = "หัวหน้าครัวเรือน"
    return rows


def reaped(pids: list[int]) -> bool:
    """Whether every reading process forked is gone and reaped. Only these: a worker that ran
    the browser tests before keeps its browser's processes as its children."""
    for pid in pids:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            continue
        return False
    return bool(pids)


def test_a_file_longer_than_a_chunk_is_read_by_a_second_process(forks):
    result = run(csv_file(members(7)))
    assert result.ok, result.errors
    assert len(forks) == 1
    assert Person.objects.count() == 7
    assert reaped(forks)


def test_a_file_of_one_chunk_is_read_by_the_importer(forks):
    assert run(csv_file(members(2))).ok
    assert forks == []


def test_reading_ahead_reports_what_one_process_reports(monkeypatch, forks):
    VolunteerFactory(area_id="860101", citizen_id=cid(90))
    rows = [
        *members(3),
        person(household_ref="H2", citizen_id="1234567890123", first_name="ผิด"),  # checksum
        person(household_ref="H3", subdistrict="ไม่มีตำบลนี้", citizen_id=cid(20)),
        person(household_ref="H1", citizen_id=cid(2), first_name="ซ้ำ", relation="บุตร"),
        person(household_ref="H1", citizen_id=cid(21), first_name="หัวหน้า2"),  # second head
        person(household_ref="H1", house_no="99", citizen_id=cid(22), relation="บุตร"),
        person(household_ref="H4", citizen_id=cid(23), volunteer_citizen_id=cid(91)),
        person(
            household_ref="H5",
            citizen_id=cid(24),
            vulnerable_groups="เด็ก",
            volunteer_citizen_id=cid(90),
        ),
        *members(3, start=30, ref="H6"),
    ]
    data = csv_file(rows)
    ahead = run(data)
    monkeypatch.setattr(readahead, "READ_AHEAD", False)
    alone = run(data)
    assert ahead.error_count == alone.error_count > 5
    assert ahead.errors == alone.errors
    assert ahead.warnings == alone.warnings
    assert ahead.total_rows == alone.total_rows == len(rows)
    assert Person.objects.count() == 0


def test_a_file_error_further_down_is_reported_as_one_process_reports_it(monkeypatch, forks):
    # Past the first 64 KB, from which the encoding is decided.
    rows = [
        person(household_ref=f"H{n // 4}", citizen_id=cid(n), relation="บุตร" if n % 4 else "")
        for n in range(1, 701)
    ]
    data = csv_file(rows, bom=False) + "ลาก่อน".encode("tis-620") + b"\n"
    ahead = run(data)
    monkeypatch.setattr(readahead, "READ_AHEAD", False)
    alone = run(data)
    assert not ahead.ok
    assert ahead.errors == alone.errors
    assert Person.objects.count() == 0
    assert reaped(forks)


def in_the_child(action):
    """RowReader.read, doing `action` first when it runs in a process other than this one."""
    parent = os.getpid()
    read = RowReader.read

    def reading(self, row):
        if os.getpid() != parent:
            action()
        return read(self, row)

    return reading


def test_a_failure_in_the_reading_process_is_raised_and_the_process_reaped(monkeypatch, forks):
    def fail():
        raise ValueError("broken reader")

    monkeypatch.setattr(RowReader, "read", in_the_child(fail))
    with pytest.raises(RuntimeError, match="broken reader"):
        run(csv_file(members(6)))
    assert reaped(forks)
    assert Person.objects.count() == 0  # and the connection still answers


def test_the_reading_process_makes_no_queries(monkeypatch, forks):
    monkeypatch.setattr(RowReader, "read", in_the_child(lambda: Area.objects.count()))
    with pytest.raises(RuntimeError, match="makes no queries"):
        run(csv_file(members(6)))
    assert reaped(forks)
    assert Area.objects.filter(code="860101").exists()


def test_the_importer_stopping_early_ends_the_reading_process(monkeypatch, forks):
    decide = _HouseholdImport._decide

    def deciding(self, person):
        if person.number > 5:
            raise ValueError("stopped")
        decide(self, person)

    monkeypatch.setattr(_HouseholdImport, "_decide", deciding)
    with pytest.raises(ValueError, match="stopped"):
        run(csv_file(members(40)))
    assert reaped(forks)


def test_an_import_outside_the_main_thread_does_not_fork(forks, monkeypatch):
    # The web process runs import jobs in a thread: forking there could deadlock the child.
    # (A real thread would need its own database connection, outside the test's transaction.)
    monkeypatch.setattr(readahead.threading, "main_thread", lambda: object())
    result = run(csv_file(members(7)))
    assert result.ok, result.errors
    assert forks == []
    assert Person.objects.count() == 7
