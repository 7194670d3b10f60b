"""Concurrent writers on SQLite: Carenet's configuration against Django's default.

Sixteen processes (real concurrency, not threads) each run read-then-write transactions inside
`transaction.atomic()` on one SQLite file: count the audit rows of an area and insert one more;
read a shared counter row and write it back incremented. That is the shape of most service
calls: read, decide, write.

Carenet runs SQLite in WAL mode with IMMEDIATE transactions and a busy timeout (see
config/settings.py). IMMEDIATE takes the write lock at BEGIN, so writers queue on the busy
timeout. Django's default, DEFERRED, starts every transaction as a reader; when two of them try
to write, the later one cannot upgrade its stale snapshot and fails at once with "database is
locked", whatever the busy timeout. The second run is that reference, from the same run, on an
identical copy of the database, with only `transaction_mode` changed.

    .venv/bin/python -m bench.sqlite_writers [--writers 16] [--transactions 500] [--seconds 20]

Each writer stops after --transactions attempts or --seconds, whichever comes first. Failed
transactions are counted, not retried. This prints figures; it never asserts times.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from multiprocessing.synchronize import Barrier
from pathlib import Path
from queue import Empty
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
AREAS = ["86", "8601", "8602", "860101", "860201", "84"]
COUNTER_ACTION = "bench.counter"


@dataclass
class WriterResult:
    attempted: int = 0
    committed: int = 0
    increments: int = 0
    locked: int = 0
    other_errors: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    first_other_error: str = ""


@dataclass
class ModeResult:
    label: str
    seconds: float
    attempted: int
    committed: int
    locked: int
    other_errors: int
    counter: int
    increments: int
    latencies_ms: list[float]
    first_other_error: str

    @property
    def tps(self) -> float:
        return self.committed / self.seconds if self.seconds else 0.0


def configure_environment(db_path: Path) -> None:
    """Points config/settings.py at db_path. Must run before django.setup(), in every process."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ["CARENET_ENV"] = "development"
    os.environ["DJANGO_DEBUG"] = "false"  # no query log: measure what production runs
    os.environ["CARENET_LOG_LEVEL"] = "WARNING"
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


def setup_django(db_path: Path, transaction_mode: str | None) -> None:
    configure_environment(db_path)
    import django
    from django.conf import settings

    django.setup()
    options = settings.DATABASES["default"]["OPTIONS"]
    if transaction_mode is None:
        options.pop("transaction_mode", None)  # Django's default: plain BEGIN, i.e. DEFERRED
    else:
        options["transaction_mode"] = transaction_mode


def prepare_database(db_path: Path) -> dict[str, Any]:
    """Migrates a fresh database and adds the shared counter row; returns the SQLite options."""
    setup_django(db_path, "IMMEDIATE")
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from carenet.core.models import AuditEvent

    call_command("migrate", verbosity=0, interactive=False)
    AuditEvent.objects.create(action=COUNTER_ACTION, details={"n": 0})
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    options: dict[str, Any] = dict(settings.DATABASES["default"]["OPTIONS"])
    connection.close()
    return options


def one_transaction(worker: int, step: int) -> bool:
    """Read, then write based on what was read, in one transaction. True if it was an increment."""
    from django.db import transaction

    from carenet.core.models import AuditEvent

    area = AREAS[(worker + step) % len(AREAS)]
    with transaction.atomic():
        if step % 2 == 0:
            seen = AuditEvent.objects.filter(area_code=area).count()
            AuditEvent.objects.create(
                action="bench.write", area_code=area, details={"seen": seen, "worker": worker}
            )
            return False
        counter = AuditEvent.objects.get(action=COUNTER_ACTION)
        counter.details = {"n": counter.details["n"] + 1}
        counter.save(update_fields=["details"])
        return True


def writer(
    worker: int,
    db_path: str,
    transaction_mode: str | None,
    transactions: int,
    seconds: float,
    start: Barrier,
    results: multiprocessing.Queue[tuple[int, WriterResult]],
) -> None:
    setup_django(Path(db_path), transaction_mode)
    from django.db import OperationalError, connection

    connection.ensure_connection()
    result = WriterResult()
    start.wait()
    deadline = time.monotonic() + seconds
    while result.attempted < transactions and time.monotonic() < deadline:
        began = time.perf_counter()
        result.attempted += 1
        try:
            incremented = one_transaction(worker, result.attempted)
        except OperationalError as error:
            if "locked" in str(error).lower():
                result.locked += 1
            else:
                result.other_errors += 1
                result.first_other_error = result.first_other_error or repr(error)
        else:
            result.committed += 1
            result.increments += incremented
            result.latencies_ms.append((time.perf_counter() - began) * 1000)
    connection.close()
    results.put((worker, result))


def run_mode(
    label: str,
    db_path: Path,
    transaction_mode: str | None,
    args: argparse.Namespace,
) -> ModeResult:
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(args.writers + 1)
    results: multiprocessing.Queue[tuple[int, WriterResult]] = context.Queue()
    processes = [
        context.Process(
            target=writer,
            args=(
                worker,
                str(db_path),
                transaction_mode,
                args.transactions,
                args.seconds,
                start,
                results,
            ),
        )
        for worker in range(args.writers)
    ]
    for process in processes:
        process.start()
    start.wait(timeout=120)  # every writer has started Django and opened its connection
    began = time.perf_counter()
    collected: list[WriterResult] = []
    while len(collected) < args.writers:
        try:
            collected.append(results.get(timeout=args.seconds + 120)[1])
        except Empty:
            raise SystemExit(f"{label}: a writer did not report back") from None
    elapsed = time.perf_counter() - began
    for process in processes:
        process.join()

    with sqlite3.connect(db_path) as check:
        row = check.execute(
            "SELECT json_extract(details, '$.n') FROM core_auditevent WHERE action = ?",
            (COUNTER_ACTION,),
        ).fetchone()
    committed = sum(r.committed for r in collected)
    return ModeResult(
        label=label,
        seconds=elapsed,
        attempted=sum(r.attempted for r in collected),
        committed=committed,
        locked=sum(r.locked for r in collected),
        other_errors=sum(r.other_errors for r in collected),
        counter=int(row[0]),
        increments=sum(r.increments for r in collected),
        latencies_ms=[ms for r in collected for ms in r.latencies_ms],
        first_other_error=next((r.first_other_error for r in collected if r.first_other_error), ""),
    )


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(fraction * 100) - 1]


def print_table(results: list[ModeResult]) -> None:
    headers = [
        "configuration",
        "attempted",
        "committed",
        "locked",
        "other err",
        "tps",
        "p50 ms",
        "p95 ms",
        "max ms",
    ]
    rows = [
        [
            r.label,
            str(r.attempted),
            str(r.committed),
            str(r.locked),
            str(r.other_errors),
            f"{r.tps:,.0f}",
            f"{percentile(r.latencies_ms, 0.50):.1f}",
            f"{percentile(r.latencies_ms, 0.95):.1f}",
            f"{max(r.latencies_ms, default=float('nan')):.1f}",
        ]
        for r in results
    ]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = (cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True))
        return "  ".join([first, *rest])

    print(line(headers))
    print("  ".join("-" * width for width in widths))
    for row in rows:
        print(line(row))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--writers", type=int, default=16, help="writer processes (16)")
    parser.add_argument(
        "--transactions", type=int, default=500, help="attempts per writer and mode (500)"
    )
    parser.add_argument(
        "--seconds", type=float, default=20.0, help="time limit per writer and mode (20)"
    )
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="carenet-bench-") as tmp:
        template = Path(tmp) / "template.sqlite3"
        options = prepare_database(template)
        print(
            f"SQLite {sqlite3.sqlite_version}, {args.writers} writer processes, "
            f"{os.cpu_count()} CPUs, up to {args.transactions} transactions or "
            f"{args.seconds:g} s per writer"
        )
        print(
            f"Carenet options: transaction_mode={options.get('transaction_mode')}, "
            f"busy timeout={options.get('timeout')} s, "
            f"{options.get('init_command', '').replace(';', '; ').strip()}"
        )
        print("Each transaction: read a count or a row, then insert or update based on it.\n")

        modes = [("Carenet (WAL, IMMEDIATE)", "IMMEDIATE"), ("Django default (DEFERRED)", None)]
        results = []
        for label, mode in modes:
            db_path = Path(tmp) / f"{mode or 'DEFERRED'}.sqlite3"
            shutil.copyfile(template, db_path)
            results.append(run_mode(label, db_path, mode, args))

    print_table(results)
    print()
    for result in results:
        print(
            f"{result.label}: shared counter {result.counter}, committed increments "
            f"{result.increments}, lost updates {result.increments - result.counter}"
        )
        if result.first_other_error:
            print(f"  first other error: {result.first_other_error}")
    carenet, default = results
    if default.tps:
        print(f"\nCarenet commits {carenet.tps / default.tps:.1f}x the transactions per second.")


if __name__ == "__main__":
    main()
