"""Reading and checking a households file in a second process, while the importer goes on.

Reading a row's cells and checking them (`rows.RowReader`) is about half of the Python work of
an import, and it needs nothing from the database: the areas, the user's scope and the
translations are in memory once the first rows have been read. So once the file proves longer
than a chunk, the importer forks: the child reads and checks the rest of the file, a chunk at
a time, and sends each chunk's people over a pipe, while the parent looks them up, decides
them and writes them. On two cores that is two CPUs at work instead of one (bench/README.md).

What the child sends is what the parent would have had, had it read the chunk itself:

* the people, as the reader makes them, with `given` worked out (`RowReader.given` needs the
  cells, which are not sent), but for the citizen-ID hash and the name key, which no check of
  the reader needs: the parent works them out, which evens out the two processes' work;
* each household those people belong to, as the chunk leaves it (address, head row, when
  its rows say the data was exported, the volunteers its rows named since the last chunk),
  applied to the parent's copy of the reader's households, so that a household spread over
  chunks stays one object;
* the errors and warnings the reader reported, replayed into the parent's report in order;
* how much of the file has been read, for the progress bar.

A file error found further down (`TableError`) is sent and raised by the parent; any other
failure in the child is raised as a RuntimeError. The pipe holds about a megabyte, so the
child is at most a chunk or two ahead. When the parent stops early (an error of its own), the
child is killed and reaped. The child never touches the database connection it inherited: it leaves
with os._exit, so nothing of the connection is closed or sent on its behalf.

Files of one chunk are read in the importer's process, as are all files where forking cannot
be done (no os.fork) or is not wanted (READ_AHEAD off): the same reading, in the same order.
So are imports run outside a process's main thread, such as the web process's import jobs:
forking a process whose other threads may hold a lock can leave the child waiting on it for
ever (Python 3.12 warns of it). The command and task workers import on their main thread.
"""

import os
import pickle
import signal
import threading
import traceback
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from itertools import chain
from multiprocessing.connection import Connection, Pipe
from operator import attrgetter
from typing import Any

from django.db import connections

from carenet.core import citizen_id
from carenet.core.tabular import RowError, TableError, TableStream
from carenet.spreadsheets.importing import common
from carenet.spreadsheets.importing.common import Report
from carenet.spreadsheets.importing.rows import FileHousehold, PersonRow, RowReader, fast_name_key

PIPE_BYTES = 1 << 20  # at most Linux's pipe-max-size for anyone; the default is 64 KB
READ_AHEAD = hasattr(os, "fork")  # tests turn it off to cover the reading in one process


@dataclass
class CheckedChunk:
    rows: int  # rows read, blank ones included
    people: list[PersonRow]  # the rows that passed the reader's checks
    fraction: float | None  # how much of the file has been read, when it can be told


def checked_chunks(
    table: TableStream, reader: RowReader, *, given: bool = True
) -> Iterator[CheckedChunk]:
    """The file's rows, a chunk at a time, as `reader` checks them (see the module's doc).

    `given=False`: the importer will not ask `RowReader.given` (nobody is stored yet), so the
    reading process does not work it out.
    """
    rows = common.chunks(table)
    first = next(rows, None)
    if first is None:
        return
    yield _read(first, reader, table)
    second = next(rows, None)  # taken before forking: a file of one chunk never forks
    if second is None:
        return
    if not READ_AHEAD or threading.current_thread() is not threading.main_thread():
        yield _read(second, reader, table)
        yield from (_read(chunk, reader, table) for chunk in rows)
        return
    child = _Child.start(chain([second], rows), reader, table, given)
    try:
        yield from child.chunks(reader)
    finally:
        child.stop()


def _read(rows: list[Any], reader: RowReader, table: TableStream) -> CheckedChunk:
    with common.problems_freed():
        people = [person for row in rows if (person := reader.read(row)) is not None]
    return CheckedChunk(len(rows), people, table.fraction_read())


# What a person's row says: every PersonRow field but the household (sent as its key), the
# cells, the stored match (the parent's to find), the citizen-ID hash and the name key (see
# the module's doc). A chunk's people go as one list per field, dates as day numbers: pickling
# a few long lists of plain values costs half of pickling a tuple per person.
_SENT = (
    "number",
    "digits",
    "title",
    "first_name",
    "last_name",
    "birth_date",
    "sex",
    "relation",
    "phone",
    "document_type",
    "document_no",
    "flags",
    "welfare",
    "disability_type",
    "disability_card_no",
    "consent",
    "consent_date",
    "age",
    "as_of",
    "given",
)
_GETTERS = [attrgetter(name) for name in _SENT]
_DATES = [_SENT.index("birth_date"), _SENT.index("consent_date")]


def _columns(people: list[PersonRow]) -> list[list[Any]]:
    columns = [list(map(getter, people)) for getter in _GETTERS]
    for index in _DATES:
        columns[index] = [day.toordinal() if day else 0 for day in columns[index]]
    return columns


def _rows_of(columns: list[list[Any]]) -> Iterator[tuple[Any, ...]]:
    for index in _DATES:
        columns[index] = [date.fromordinal(day) if day else None for day in columns[index]]
    return zip(*columns, strict=True)


def _received(
    key: object, values: tuple[Any, ...], households: dict[object, FileHousehold]
) -> PersonRow:
    p = PersonRow()
    (
        p.number,
        p.digits,
        p.title,
        p.first_name,
        p.last_name,
        p.birth_date,
        p.sex,
        p.relation,
        p.phone,
        p.document_type,
        p.document_no,
        p.flags,
        p.welfare,
        p.disability_type,
        p.disability_card_no,
        p.consent,
        p.consent_date,
        p.age,
        p.as_of,
        p.given,
    ) = values
    p.household, p.cells, p.match = households[key], None, None
    p.hash = citizen_id.lookup_hash(p.digits) if p.digits else ""
    p.name_key = fast_name_key(p.first_name, p.last_name)
    return p


class _Recorder(Report):
    """The child's report: keeps what the reader reports, for the parent to report."""

    def __init__(self, report: Report) -> None:
        self.headers, self.labels = report.headers, report.labels
        self.entries: list[tuple[str, int | None, str, str, str]] = []

    def error(self, row: int | None, key: str, value: str, reason: str) -> None:
        self.entries.append(("error", row, key, value, str(reason)))

    def warning(self, row: int | None, key: str, value: str, reason: str) -> None:
        self.entries.append(("warning", row, key, value, str(reason)))


class _Child:
    def __init__(self, pid: int, pipe: Connection) -> None:
        self.pid, self.pipe = pid, pipe

    @classmethod
    def start(
        cls, rows: Iterator[list[Any]], reader: RowReader, table: TableStream, given: bool
    ) -> "_Child":
        receiving, sending = Pipe(duplex=False)
        with suppress(ImportError, OSError, AttributeError):  # Linux: room for a chunk or so
            import fcntl

            fcntl.fcntl(sending.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
        pid = os.fork()
        if pid == 0:  # the child
            status = 1
            try:
                receiving.close()
                _forbid_queries()
                _read_on(rows, reader, table, sending, given)
                status = 0
            finally:
                os._exit(status)
        sending.close()
        return cls(pid, receiving)

    def chunks(self, reader: RowReader) -> Iterator[CheckedChunk]:
        households = reader.households
        report = reader.report
        while True:
            try:
                message = pickle.loads(self.pipe.recv_bytes())  # noqa: S301 (our own child's)
            except EOFError:
                raise RuntimeError("the process reading the file ended without a word") from None
            kind = message[0]
            if kind == "done":
                return
            if kind == "table error":
                raise TableError([RowError(*error) for error in message[1]])
            if kind == "failed":
                raise RuntimeError(f"reading the file failed:\n{message[1]}")
            _kind, rows, fraction, changed, keys, columns, entries = message
            for key, first_row, address, head_row, as_of, volunteers in changed:
                household = households.get(key)
                if household is None:
                    household = households[key] = FileHousehold(key, first_row)
                household.address, household.head_row = address, head_row
                household.as_of = as_of
                if volunteers:
                    if household.volunteers is None:
                        household.volunteers = {}
                    for hashed, named in volunteers.items():
                        household.volunteers.setdefault(hashed, named)
            for entry_kind, *entry in entries:
                (report.error if entry_kind == "error" else report.warning)(*entry)
            people = [
                _received(key, values, households)
                for key, values in zip(keys, _rows_of(columns), strict=True)
            ]
            yield CheckedChunk(rows, people, fraction)

    def stop(self) -> None:
        """Ends the child, done or not, and reaps it."""
        self.pipe.close()
        with suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)


def _read_on(
    rows: Iterator[list[Any]],
    reader: RowReader,
    table: TableStream,
    pipe: Connection,
    given: bool,
) -> None:
    """The child's work: every chunk left, read, checked and sent."""
    recorder = reader.report = _Recorder(reader.report)
    reader.derive_keys = False
    message: tuple[Any, ...]
    try:
        for chunk in rows:
            checked = _read(chunk, reader, table)
            if given:
                for person in checked.people:
                    person.given = reader.given(person)
            keys = [p.household.key for p in checked.people]
            changed = {id(p.household): p.household for p in checked.people}
            households = [
                (h.key, h.row, h.address, h.head_row, h.as_of, h.volunteers)
                for h in changed.values()
            ]
            for household in changed.values():
                household.volunteers = None  # sent: the parent checks them
            columns = _columns(checked.people)
            message = ("chunk", checked.rows, checked.fraction, households, keys, columns)
            pipe.send_bytes(pickle.dumps((*message, recorder.entries), pickle.HIGHEST_PROTOCOL))
            recorder.entries = []
        message = ("done",)
    except TableError as error:
        message = ("table error", [_as_tuple(e) for e in error.errors])
    except Exception:
        message = ("failed", traceback.format_exc())
    pipe.send_bytes(pickle.dumps(message, pickle.HIGHEST_PROTOCOL))
    pipe.close()


def _as_tuple(error: RowError) -> tuple[Any, ...]:
    return (error.row, error.column, error.value, str(error.reason))


def _forbid_queries() -> None:
    """The child shares the parent's database connections: any use of one would interleave
    with the parent's, so it fails at once instead."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the process reading the file makes no queries")

    for connection in connections.all(initialized_only=True):
        connection.ensure_connection = refuse  # type: ignore[method-assign]
        connection.cursor = refuse  # type: ignore[method-assign,assignment]
