"""Writing many rows fast, inside the import's transaction.

`TableWriter` inserts rows of plain values into one table, with ids reserved beforehand
(`IdReserve`) so that rows can refer to each other before they are written. `Pipeline` sends
them: on PostgreSQL with binary COPY, formatted in the calling thread and sent by a background
thread, so that the database stores one chunk while Python checks the next; elsewhere
(SQLite) with executemany in the calling thread. `among` and `as_array` pass long lists of
values to a query as one parameter.
"""

import json
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import (
    DatabaseError,
    IntegrityError,
    OperationalError,
    connection,
    models,
    transaction,
)
from django.db.models.expressions import RawSQL

# Rows of one INSERT on backends without COPY (SQLite allows 32,766 parameters).
INSERT_BATCH = 500


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


# Joins the values of one array parameter (see `as_array`); cleaned cells never hold it.
ARRAY_SEPARATOR = "\x1f"


def as_array(values: Iterable[Any], cast: str = "text") -> tuple[str, str]:
    """(SQL, parameter) of a PostgreSQL array of the values, sent as one string.

    psycopg spends far longer quoting a long list, element by element, and on a query with
    thousands of placeholders, than the database spends running the query.
    """
    text = ARRAY_SEPARATOR.join(str(value) for value in values)
    return f"string_to_array(%s, '{ARRAY_SEPARATOR}')::{cast}[]", text


def among(field: str, values: Iterable[Any], cast: str = "text") -> dict[str, Any]:
    """`field__in=values`, with one array parameter on PostgreSQL (see `as_array`)."""
    listed = list(values)
    if is_postgresql():
        sql, param = as_array(listed, cast)
        return {f"{field}__in": RawSQL(f"SELECT unnest({sql})", (param,))}  # noqa: S611
    return {f"{field}__in": listed}


class IdReserve:
    """Hands out primary keys for rows not yet written, so that other rows can refer to them.

    PostgreSQL: values taken from the table's own sequence, a block at a time, so ids never
    clash with other sessions. SQLite: the import's IMMEDIATE transaction holds the write
    lock, so ids after the largest ever used (AUTOINCREMENT's counter) are free. Call
    `ensure` while the connection is free: `take` would otherwise wait for it.
    """

    BLOCK = 10_000

    def __init__(self, model: type[models.Model]) -> None:
        self.table = model._meta.db_table
        self.column = model._meta.pk.column
        self._free: deque[int] = deque()
        self._next_sqlite: int | None = None
        self._sequence: str | None = None

    def ensure(self, count: int) -> None:
        """Reserves ids now, so that the next `count` takes need no query."""
        while len(self._free) < count:
            self._free.extend(self._block())

    def take(self) -> int:
        if not self._free:
            self._free.extend(self._block())
        return self._free.popleft()

    def _block(self) -> list[int]:
        with connection.cursor() as cursor:
            if is_postgresql():
                if self._sequence is None:
                    cursor.execute(
                        "SELECT pg_get_serial_sequence(%s, %s)", [self.table, self.column]
                    )
                    self._sequence = cursor.fetchone()[0]
                cursor.execute(
                    "SELECT nextval(%s::regclass) FROM generate_series(1, %s)",
                    [self._sequence, self.BLOCK],
                )
                return [row[0] for row in cursor.fetchall()]
            if self._next_sqlite is None:
                quoted = connection.ops.quote_name(self.table)
                cursor.execute(f"SELECT COALESCE(MAX({self.column}), 0) FROM {quoted}")  # noqa: S608
                largest = cursor.fetchone()[0]
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [self.table])
                row = cursor.fetchone()
                self._next_sqlite = max(largest, row[0] if row else 0) + 1
            first = self._next_sqlite
            self._next_sqlite += self.BLOCK
            return list(range(first, first + self.BLOCK))


class TableWriter:
    """Inserts rows of plain values (in `fields` order) into a model's table.

    Values are Python values as the model holds them (bool, date, aware datetime, Decimal,
    a list for a JSON field, None). The model's other columns get their field's default, so
    that a field added to the model later needs no change here (one without a default is a
    mistake this raises at once). Use one `Pipeline` for all the writers of an import.
    """

    def __init__(self, model: type[models.Model], fields: Sequence[str]) -> None:
        meta = model._meta
        self.table = meta.db_table
        given = [meta.get_field(name) for name in fields]
        names = {f.name for f in given}
        rest = [
            f
            for f in meta.concrete_fields
            if f.name not in names and not (f.primary_key and isinstance(f, models.AutoField))
        ]
        for f in rest:
            if not (f.has_default() or f.null or f.empty_strings_allowed):
                raise ImproperlyConfigured(f"{meta.label}.{f.name} needs a value or a default")
        self.defaults = tuple(f.get_default() for f in rest)
        self.fields = [*given, *rest]
        quote = connection.ops.quote_name
        self.columns = ", ".join(quote(f.column) for f in self.fields)  # type: ignore[union-attr,arg-type]
        # Binary: psycopg formats a row in a quarter of the time text takes, and the database
        # parses numbers, dates and times no more.
        self.copy_sql = f"COPY {quote(self.table)} ({self.columns}) FROM STDIN (FORMAT BINARY)"
        self.insert_sql = (
            f"INSERT INTO {quote(self.table)} ({self.columns}) VALUES "  # noqa: S608
            f"({', '.join(['%s'] * len(self.fields))})"
        )
        self._adapters = [self._adapter(f) for f in self.fields]

    def _adapter(self, model_field: Any) -> Callable[[Any], Any] | None:
        if is_postgresql():  # binary COPY: psycopg dumps JSON itself, and needs a Decimal
            return _decimal_or_none if isinstance(model_field, models.DecimalField) else None
        if isinstance(model_field, models.JSONField):
            return json.dumps
        if isinstance(model_field, models.DateTimeField):
            return connection.ops.adapt_datetimefield_value
        if isinstance(model_field, models.DateField):
            return _iso_or_none
        if isinstance(model_field, models.DecimalField):
            return _str_or_none
        return None

    def adapt(self, rows: Iterable[Sequence[Any]]) -> list[Sequence[Any]]:
        """The rows as the database driver takes them, with the defaults appended."""
        adapters, defaults = self._adapters, self.defaults
        if not any(adapters):
            return list(rows) if not defaults else [(*row, *defaults) for row in rows]
        return [
            tuple(
                value if adapt is None or value is None else adapt(value)
                for value, adapt in zip((*row, *defaults), adapters, strict=True)
            )
            for row in rows
        ]


def _iso_or_none(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _str_or_none(value: Any) -> str | None:
    return str(value) if value is not None else None


def _decimal_or_none(value: Any) -> Decimal | None:
    return Decimal(value) if value is not None else None


class Pipeline:
    """Writes batches of rows for TableWriters, in order, inside the caller's transaction.

    On PostgreSQL, `write` formats the rows as COPY data at once (psycopg's own formatting,
    into memory) and hands them to one background thread that sends them, so that the
    database works on a chunk while the caller checks the next one. The caller must call
    `wait` before it uses the database connection itself; `close` waits too. A failure of
    the thread is raised by the next `wait`, as IntegrityError when the data broke a
    constraint. Elsewhere `write` inserts at once, with executemany.
    """

    def __init__(
        self,
        *,
        checked: Sequence[type[models.Model]] = (),
        deferred: Sequence[tuple[type[models.Model], str]] = (),
    ) -> None:
        self.postgresql = is_postgresql()
        self._executor: ThreadPoolExecutor | None = None
        self._pending: Future[None] | None = None
        self._formatters: dict[int, _CopyFormatter] = {}
        self._immediate: list[str] = []
        if self.postgresql:
            connection.ensure_connection()
            self._raw = connection.connection  # the psycopg connection, inside the transaction
            self._cursor = self._raw.cursor()
            self._check_as_written(checked, deferred)

    def _check_as_written(
        self,
        checked: Sequence[type[models.Model]],
        deferred: Sequence[tuple[type[models.Model], str]],
    ) -> None:
        """Has PostgreSQL check the foreign keys of `checked` tables as rows are written.

        Django's foreign keys are checked at commit (DEFERRABLE INITIALLY DEFERRED): after a
        million rows, that is minutes of checks while nothing else can happen. Checked as the
        rows arrive, the work is done by the writing thread while the next chunk is being
        checked. Keys whose rows are written later (`deferred`) stay checked at commit.
        """
        later = {(m._meta.db_table, m._meta.get_field(f).column) for m, f in deferred}  # type: ignore[union-attr]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.conrelid::regclass::text, a.attname, c.conname FROM pg_constraint c "
                "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
                "WHERE c.contype = 'f' AND c.condeferrable AND c.conrelid = ANY(%s::regclass[])",
                [[m._meta.db_table for m in checked]],
            )
            self._immediate = [
                name for table, column, name in cursor.fetchall() if (table, column) not in later
            ]
            if self._immediate:
                cursor.execute(f"SET CONSTRAINTS {self._constraints()} IMMEDIATE")

    def _constraints(self) -> str:
        return ", ".join(connection.ops.quote_name(name) for name in self._immediate)

    def write(
        self,
        batches: Sequence[tuple[TableWriter, Sequence[Sequence[Any]]]],
        then: Callable[[Any], None] | None = None,
    ) -> None:
        """Writes the batches; then runs `then(cursor)` on the connection, after them."""
        batches = [(writer, rows) for writer, rows in batches if rows]
        if not self.postgresql:
            with connection.cursor() as cursor:
                for writer, rows in batches:
                    adapted = writer.adapt(rows)
                    for start in range(0, len(adapted), INSERT_BATCH):
                        cursor.executemany(writer.insert_sql, adapted[start : start + INSERT_BATCH])
            if then is not None:
                then(None)
            return
        if not batches and then is None:
            return
        if any(id(writer) not in self._formatters for writer, _rows in batches):
            self.wait()  # a formatter is set up from the connection: only while it is idle
            for writer, _rows in batches:
                if id(writer) not in self._formatters:
                    self._formatters[id(writer)] = _CopyFormatter(self._raw, self._cursor, writer)
        payloads = [
            (writer.copy_sql, self._formatters[id(writer)].format(writer.adapt(rows)))
            for writer, rows in batches
        ]
        self.wait()
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-copy")
        self._pending = self._executor.submit(self._send, payloads, then)

    def _send(self, payloads: list[tuple[str, bytes]], then: Callable[[Any], None] | None) -> None:
        from psycopg import errors

        try:
            with self._raw.cursor() as cursor:
                for sql, data in payloads:
                    with cursor.copy(sql) as copy:
                        copy.write(data)
                if then is not None:
                    then(cursor)
        except errors.IntegrityError as error:
            raise IntegrityError(str(error)) from error

    def wait(self) -> None:
        """Waits until everything handed over is written; re-raises a failure."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def close(self) -> None:
        """Waits for the thread, and gives the foreign keys back their check at commit."""
        try:
            self.wait()
        finally:
            if self._executor is not None:
                self._executor.shutdown(wait=True)
                self._executor = None
            if self.postgresql:
                self._cursor.close()
                self._defer_again()

    def _defer_again(self) -> None:
        """Back to checks at commit, for what the caller's transaction does next."""
        if not self._immediate:
            return
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"SET CONSTRAINTS {self._constraints()} DEFERRED")
        except DatabaseError:
            pass  # the transaction failed already and will be rolled back


class FirstLoad:
    """A load into empty tables on PostgreSQL: their indexes and keys are built after the rows.

    PostgreSQL's own advice for loading much data ("Populating a Database" in its manual):
    building an index over a million rows at once costs a fraction of updating it a million
    times, and a foreign key added afterwards is checked in one query instead of once a row.
    On a first load of a province's registry (bench/README.md) that takes the database's
    share from about 56 to 16 seconds a million people.

    `begin` takes this way only when every table is empty, under an ACCESS EXCLUSIVE lock it
    holds to the end of the import's transaction, so nobody reads the tables meanwhile
    (there is nothing in them to read) and nobody writes to them. When the lock does not
    come within LOCK_WAIT, or a table is not empty, it returns None and the import goes the
    ordinary way. `finish` builds the indexes and keys again, under the same names; a failed
    import rolls back to the tables as they were, indexes included.
    """

    LOCK_WAIT = "2s"
    INDEX_MEMORY = "256MB"  # maintenance_work_mem while the indexes are built

    def __init__(self, tables: list[str]) -> None:
        self.tables = tables
        self.indexes: list[str] = []  # CREATE INDEX statements
        self.constraints: list[tuple[str, str, str]] = []  # table, name, definition

    @classmethod
    def begin(cls, models_: Sequence[type[models.Model]]) -> "FirstLoad | None":
        if not is_postgresql() or any(m._base_manager.exists() for m in models_):
            return None
        tables = [m._meta.db_table for m in models_]
        quoted = ", ".join(connection.ops.quote_name(t) for t in tables)
        savepoint = transaction.savepoint()
        try:
            with connection.cursor() as cursor:
                # Keys of rows written earlier in the transaction are checked now: a table
                # with checks pending cannot be altered.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
                cursor.execute("SELECT set_config('lock_timeout', %s, true)", [cls.LOCK_WAIT])
                cursor.execute(f"LOCK TABLE {quoted} IN ACCESS EXCLUSIVE MODE")
                cursor.execute("SET LOCAL lock_timeout TO DEFAULT")
                empty = not any(m._base_manager.exists() for m in models_)
        except (OperationalError, IntegrityError):  # no lock in time; a key that fails
            empty = False
        if not empty:
            transaction.savepoint_rollback(savepoint)  # lets go of the lock
            return None
        transaction.savepoint_commit(savepoint)
        load = cls(tables)
        load._set_aside()
        return load

    def _set_aside(self) -> None:
        """Drops the tables' foreign keys, unique constraints and indexes but primary keys.

        A unique constraint another table's foreign key rests on is kept.
        """
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) "
                "FROM pg_constraint c WHERE c.conrelid = ANY(%s::regclass[]) "
                "AND (c.contype = 'f' OR (c.contype = 'u' AND NOT EXISTS ("
                "SELECT 1 FROM pg_constraint r WHERE r.contype = 'f' AND r.conindid = c.conindid"
                "))) ORDER BY c.contype, c.conname",
                [self.tables],
            )
            self.constraints = list(cursor.fetchall())
            # Table and index names come as regclass text: already quoted where they need it.
            for table, name, _definition in self.constraints:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
                "FROM pg_index i WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
                "ORDER BY 1",
                [self.tables],
            )
            found = cursor.fetchall()
            for name, _definition in found:
                cursor.execute(f"DROP INDEX {name}")
            self.indexes = [definition for _name, definition in found]

    def finish(self) -> None:
        """Builds the indexes, then the constraints (each checked over all the rows)."""
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('maintenance_work_mem', %s, true)", [self.INDEX_MEMORY]
            )
            for definition in self.indexes:
                cursor.execute(definition)
            # Unique constraints first: they were dropped after the foreign keys.
            for table, name, definition in reversed(self.constraints):
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
            cursor.execute("SET LOCAL maintenance_work_mem TO DEFAULT")
        self.indexes, self.constraints = [], []


class _CopyFormatter:
    """Turns rows into binary COPY data with psycopg's formatter, without sending anything.

    Binary COPY takes each value in its column's own type, so the types are read from the
    catalogue once, and a psycopg Copy with a FileWriter formats a batch at a time.
    """

    def __init__(self, raw_connection: Any, idle_cursor: Any, writer: TableWriter) -> None:
        with raw_connection.cursor() as cursor:
            cursor.execute(
                "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass "
                "AND attnum > 0 AND NOT attisdropped",
                [writer.table],
            )
            types = dict(cursor.fetchall())
        self._types = [types[f.column] for f in writer.fields]  # type: ignore[union-attr]
        self._cursor = idle_cursor  # a Copy is made on a cursor that has run no query

    def format(self, rows: Iterable[Sequence[Any]]) -> bytes:
        from psycopg.copy import Copy, FileWriter

        sink = BytesIO()
        copy = Copy(self._cursor, binary=True, writer=FileWriter(sink))
        copy.set_types(self._types)
        write_row = copy.write_row
        for row in rows:
            write_row(row)
        sink.write(copy.formatter.end())
        return sink.getvalue()
