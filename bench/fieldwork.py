"""Field-work pages at demo scale: the volunteer's home, a household timeline, the overdue page.

    .venv/bin/python -m bench.fieldwork [--requests 40] [--visits-per-household 13.3]
                                        [--explain] [--keep] [--db PATH] [--scratch NAME]

It builds the Chumphon demo with the demo's own builders (4,351 volunteers, 30,000 households,
85,000 people) and a year of field work at about 13 visits a household, about 400,000 visits
(carenet.demo.fieldwork with FieldworkSize.visits_per_household), on the configured database:
DATABASE_URL, SQLite in a temporary file when it is not set, and on PostgreSQL a scratch
database `carenet_bench_fieldwork` (--scratch NAME for another, so that two runs on one server
keep apart) on DATABASE_URL's server, created and dropped (--keep keeps it, and a later run
with --keep reuses it: the builders skip what exists; --db PATH does the same for SQLite).

Then it asks for three pages with Django's test Client, so that the real middleware
(sessions, locale, CSRF, auth, axes), views, selectors, templates and queries all run:

1. `visits:my_households` as the `volunteer` login (the demo volunteer, 8 households);
2. `visits:timeline` of the household with the most visits, as the provincial officer;
3. `visits:overdue` as the coordinator of the district with the most households.

Each page is asked for a few times to warm up, then --requests times: the median and p95 of the
time spent in `Client.get`, the queries one request makes, and their time in the database. The
test Client keeps the database connection open between requests; a production request with
CONN_MAX_AGE=0 also opens one, measured on its own line. The reference, from the same run, is
the raw count query of the visits behind each page (the volunteer's households, the household,
the district's year), so that the ratio holds on a noisy machine; and the CPU time a request
takes (this process, and a local PostgreSQL's backend), which load from other work does not
stretch as it does the wall clock. --explain prints the plans of each page's slowest queries.
Nothing is asserted about time.

The builder runs ANALYZE after loading, so both databases plan with statistics (see
bench/README.md for what SQLite does without them).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCRATCH_DATABASE = "carenet_bench_fieldwork"
WARM_UP = 3
SLOWEST = 3
EMPTY_DISTRICT = "8401"  # Mueang Surat Thani: areas, no people


@dataclass
class Page:
    label: str
    user: Any
    url: str
    empty_label: str  # the same page over a scope that holds nothing
    empty_user: Any
    empty_url: str
    count_label: str  # the raw count of the visits behind the page
    count_sql: str
    count_params: list[Any]


@dataclass
class Query:
    ms: float
    sql: str
    params: Any


@dataclass
class PageResult:
    page: Page
    times_ms: list[float]
    queries: list[Query]
    empty_ms: list[float]
    empty_queries: int
    count_ms: list[float]
    count_rows: int
    cpu_ms: float  # mean CPU time of a request: this process and the local database backend
    empty_cpu_ms: float

    @property
    def sql_ms(self) -> float:
        return sum(q.ms for q in self.queries)


def percentile(values: list[float], fraction: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(fraction * 100) - 1]


def configure(args: argparse.Namespace) -> tuple[str, Path | None]:
    """Points Django at the scratch database; returns its description and a folder to remove."""
    configured = os.environ.get("DATABASE_URL", "")
    workdir: Path | None = None
    if configured.startswith(("postgres://", "postgresql://")):
        url = scratch_postgresql(configured, args.scratch, fresh=not args.keep)
    else:
        if args.db:
            path = Path(args.db).resolve()
        else:
            workdir = Path(tempfile.mkdtemp(prefix="carenet-bench-"))
            path = workdir / "fieldwork.sqlite3"
        url = f"sqlite:///{path}"
    os.environ.update(
        {
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "CARENET_ENV": "development",
            "DJANGO_DEBUG": "false",  # no query log: measure what production runs
            "CARENET_LOG_LEVEL": "WARNING",
        }
    )
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return url, workdir


def scratch_postgresql(configured: str, name: str, *, fresh: bool) -> str:
    import psycopg

    server = configured.split("?", 1)[0].rsplit("/", 1)[0]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            admin.execute(f"DROP DATABASE {name}")
        if not exists or fresh:
            admin.execute(f"CREATE DATABASE {name}")
    return f"{server}/{name}"


def drop_postgresql(url: str) -> None:
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")


def scratch_name(text: str) -> str:
    """A database name the bench may create and drop: a plain identifier, never `carenet`."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", text) or text == "carenet":
        raise argparse.ArgumentTypeError(f"not a scratch database name: {text!r}")
    return text


def build(args: argparse.Namespace) -> dict[str, Any]:
    """The demo registry, its logins and a year of field work (each skipped when present)."""
    from django.core.management import call_command

    from carenet.areas.models import Area
    from carenet.areas.services import areas_load_from_geothai
    from carenet.demo.chumphon import build_chumphon
    from carenet.demo.fieldwork import FieldworkSize, build_fieldwork
    from carenet.demo.management.commands.demo import link_demo_volunteer
    from carenet.demo.users import demo_users_ensure

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    if not Area.objects.filter(code="86").exists():
        areas_load_from_geothai()
    registry = build_chumphon()
    demo_users_ensure()
    link_demo_volunteer()
    registry_done = time.perf_counter()
    work = build_fieldwork(FieldworkSize(visits_per_household=args.visits_per_household))
    built = time.perf_counter()
    return {
        "registry": registry,
        "work": work,
        "registry_s": registry_done - started,
        "work_s": built - registry_done,
    }


def personas() -> dict[str, Any]:
    """Who asks for each page, and what for."""
    from django.db.models import Count
    from django.db.models.functions import Substr

    from carenet.accounts.models import AreaAssignment, Role, User
    from carenet.areas.models import Area, within
    from carenet.demo.chumphon import DEMO_VOLUNTEER_VILLAGE
    from carenet.households.models import Household
    from carenet.visits.models import Visit

    biggest = (
        Household.objects.filter(within("86", "area"))
        .annotate(district=Substr("area_id", 1, 4))
        .values("district")
        .annotate(n=Count("pk"))
        .order_by("-n", "district")
        .first()
    )
    assert biggest is not None, "no households: the demo did not build"
    district = Area.objects.get(code=biggest["district"])
    # The district's centre coordinator: the demo's `mueang` when that is the biggest district.
    coordinator = User.objects.filter(
        assignments__role=Role.CENTRE_COORDINATOR, assignments__area=district
    ).first()
    if coordinator is None:
        coordinator, _ = User.objects.get_or_create(username=f"bench_{district.code}")
        AreaAssignment.objects.get_or_create(
            user=coordinator, role=Role.CENTRE_COORDINATOR, area=district
        )
    busiest = Visit.objects.values("household_id").annotate(n=Count("pk")).order_by("-n").first()
    assert busiest is not None, "no visits: the field work did not build"
    volunteer = User.objects.get(username="volunteer")
    # The empty references: a volunteer of the same subdistrict with no household, the
    # coordinator of a district with no data (Mueang Surat Thani), a household never visited.
    empty_volunteer, _ = User.objects.get_or_create(username="bench_volunteer_none")
    AreaAssignment.objects.get_or_create(
        user=empty_volunteer, role=Role.VOLUNTEER, area_id=DEMO_VOLUNTEER_VILLAGE[:6]
    )
    empty_coordinator, _ = User.objects.get_or_create(username="bench_coordinator_none")
    AreaAssignment.objects.get_or_create(
        user=empty_coordinator, role=Role.CENTRE_COORDINATOR, area_id=EMPTY_DISTRICT
    )
    unvisited = Household.objects.filter(within("86", "area"), last_visit_at=None).first()
    assert unvisited is not None, "every household was visited: no empty timeline to compare"
    return {
        "empty_volunteer": empty_volunteer,
        "empty_coordinator": empty_coordinator,
        "empty_district": EMPTY_DISTRICT,
        "unvisited": unvisited.pk,
        "volunteer": volunteer,
        "officer": User.objects.get(username="chumphon"),
        "coordinator": coordinator,
        "district": district,
        "household": busiest["household_id"],
        "household_visits": busiest["n"],
        "volunteer_households": list(
            Household.objects.filter(assignments__volunteer__user=volunteer).values_list(
                "pk", flat=True
            )
        ),
    }


class Recorder:
    """Every query a request makes, with its parameters (Django's query log has neither the
    parameters nor a time finer than a millisecond)."""

    def __init__(self) -> None:
        self.queries: list[Query] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append(Query((time.perf_counter() - began) * 1000, sql, params))


def timed_gets(user: Any, url: str, count: int) -> tuple[list[float], list[Query], float]:
    """`count` requests after WARM_UP, the queries of one more, and the mean CPU ms of a
    request (Python, and the database backend when it runs on this machine)."""
    from django.db import connection
    from django.test import Client

    client = Client()
    client.force_login(user)
    for _ in range(WARM_UP):
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code} to {user.username}")
    backend = backend_pid()
    cpu = time.process_time() + cpu_of(backend)
    times = []
    for _ in range(count):
        began = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - began) * 1000)
    cpu_ms = (time.process_time() + cpu_of(backend) - cpu) * 1000 / count
    recorder = Recorder()
    with connection.execute_wrapper(recorder):
        client.get(url)
    return times, [replayed(query) for query in recorder.queries], cpu_ms


def backend_pid() -> int | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def cpu_of(pid: int | None) -> float:
    """CPU seconds of a local process (the database backend); 0 when there is none to read
    (SQLite, or a server on another machine). Ticks of 10 ms: meaningful over many requests."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def replayed(query: Query) -> Query:
    """The query's time with its rows fetched, best of three: SQLite does a SELECT's work as
    the rows are fetched, after `execute` has returned."""
    from django.db import connection

    if not query.sql.lstrip().upper().startswith("SELECT"):
        return query
    times = []
    with connection.cursor() as cursor:
        for _ in range(3):
            began = time.perf_counter()
            cursor.execute(query.sql, query.params)
            cursor.fetchall()
            times.append((time.perf_counter() - began) * 1000)
    return Query(min(times), query.sql, query.params)


def measure_page(page: Page, args: argparse.Namespace) -> PageResult:
    from django.db import connection

    times, queries, cpu_ms = timed_gets(page.user, page.url, args.requests)
    empty_times, empty_queries, empty_cpu_ms = timed_gets(
        page.empty_user, page.empty_url, args.requests
    )
    count_times, rows = [], 0
    with connection.cursor() as cursor:
        for index in range(WARM_UP + args.requests):
            began = time.perf_counter()
            cursor.execute(page.count_sql, page.count_params)
            rows = cursor.fetchone()[0]
            if index >= WARM_UP:
                count_times.append((time.perf_counter() - began) * 1000)
    return PageResult(
        page=page,
        times_ms=times,
        queries=queries,
        empty_ms=empty_times,
        empty_queries=len(empty_queries),
        count_ms=count_times,
        count_rows=rows,
        cpu_ms=cpu_ms,
        empty_cpu_ms=empty_cpu_ms,
    )


def connection_open_ms(args: argparse.Namespace) -> list[float]:
    """What a request with CONN_MAX_AGE=0 adds: opening and initialising a connection."""
    from django.db import connection

    times = []
    for _ in range(args.requests):
        connection.close()
        began = time.perf_counter()
        connection.ensure_connection()
        times.append((time.perf_counter() - began) * 1000)
    return times


def explain(query: Query) -> str:
    from django.db import connection

    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ANALYZE "
    with connection.cursor() as cursor:
        cursor.execute(prefix + query.sql, query.params)
        rows = cursor.fetchall()
    return "\n".join(
        f"              {row[-1] if connection.vendor == 'sqlite' else row[0]}" for row in rows
    )


def pages(who: dict[str, Any]) -> list[Page]:
    from django.urls import reverse
    from django.utils import timezone

    district = who["district"]
    ids = who["volunteer_households"]
    marks = ", ".join(["%s"] * len(ids))
    next_district = f"{int(district.code) + 1:04d}"
    return [
        Page(
            label=f"volunteer home ({len(ids)} households)",
            user=who["volunteer"],
            url=reverse("visits:my_households"),
            empty_label="a volunteer with none",
            empty_user=who["empty_volunteer"],
            empty_url=reverse("visits:my_households"),
            count_label="their visits",
            count_sql=f"SELECT COUNT(*) FROM visits_visit WHERE household_id IN ({marks})",  # noqa: S608
            count_params=ids,
        ),
        Page(
            label=f"timeline ({who['household_visits']} visits)",
            user=who["officer"],
            url=reverse("visits:timeline", args=[who["household"]]),
            empty_label="a household never visited",
            empty_user=who["officer"],
            empty_url=reverse("visits:timeline", args=[who["unvisited"]]),
            count_label="its visits",
            count_sql="SELECT COUNT(*) FROM visits_visit WHERE household_id = %s",
            count_params=[who["household"]],
        ),
        Page(
            label=f"overdue, district {district.code}",
            user=who["coordinator"],
            url=reverse("visits:overdue"),
            empty_label=f"district {who['empty_district']} (no data)",
            empty_user=who["empty_coordinator"],
            empty_url=reverse("visits:overdue"),
            count_label="the district's year of visits",
            count_sql="SELECT COUNT(*) FROM visits_visit "
            "WHERE area_id >= %s AND area_id < %s AND visited_at >= %s",
            count_params=[district.code, next_district, timezone.now() - timedelta(days=365)],
        ),
    ]


def run(args: argparse.Namespace) -> None:
    import django
    from django.conf import settings
    from django.db import connection
    from django.test.utils import override_settings

    django.setup()
    warnings.filterwarnings("ignore", "No directory at")  # WhiteNoise: no collectstatic here
    began = time.perf_counter()
    built = build(args)
    who = personas()
    work, registry = built["work"], built["registry"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sqlite_version()" if connection.vendor == "sqlite" else "SHOW server_version"
        )
        version = f"{connection.display_name} {cursor.fetchone()[0]}"
    print(
        f"{version}, {os.cpu_count()} CPUs; {registry.volunteers:,} volunteers, "
        f"{registry.households:,} households, {work.visits:,} visits, "
        f"{work.assessments:,} assessments ({work.overdue:,} households overdue); "
        f"built in {built['registry_s']:.0f} s + {built['work_s']:.0f} s "
        f"({time.perf_counter() - began:.0f} s with checks)"
    )
    # DEBUG is off, so templates would ask the manifest storage for hashed names, and there is
    # no collectstatic here; plain storage costs the same dictionary lookup.
    plain = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=plain):
        results = [measure_page(page, args) for page in pages(who)]
    report(results, connection_open_ms(args), args)


def _ms(values: list[float]) -> tuple[str, str]:
    return f"{statistics.median(values):.1f}", f"{percentile(values, 0.95):.1f}"


def report(results: list[PageResult], opening: list[float], args: argparse.Namespace) -> None:
    print(f"\n{args.requests} requests per page after {WARM_UP} to warm up; times in ms.\n")
    headers = ["page", "median", "p95", "queries", "SQL", "empty scope", "median", "p95",
               "queries", "p95 ratio"]  # fmt: skip
    rows = []
    for r in results:
        median, p95 = _ms(r.times_ms)
        empty_median, empty_p95 = _ms(r.empty_ms)
        ratio = percentile(r.times_ms, 0.95) / percentile(r.empty_ms, 0.95)
        rows.append(
            [r.page.label, median, p95, str(len(r.queries)), f"{r.sql_ms:.1f}",
             r.page.empty_label, empty_median, empty_p95, str(r.empty_queries), f"{ratio:.1f}x"]
        )  # fmt: skip
    table(headers, rows, left={0, 5})
    print("\nReference: the raw count of the visits behind each page (median ms of the query)\n")
    table(
        ["page", "count of", "rows", "median", "p95"],
        [
            [r.page.label, r.page.count_label, f"{r.count_rows:,}", *_ms(r.count_ms)]
            for r in results
        ],
        left={0, 1},
    )
    print(
        "\nCPU time of a request (mean ms: this process, plus the database backend when it is"
        "\nlocal), which other work on the machine does not stretch as it does the wall clock\n"
    )
    table(
        ["page", "CPU", "empty scope CPU"],
        [[r.page.label, f"{r.cpu_ms:.1f}", f"{r.empty_cpu_ms:.1f}"] for r in results],
        left={0},
    )
    print(
        f"\nOpening a connection (each request with CONN_MAX_AGE=0): median "
        f"{statistics.median(opening):.2f} ms, p95 {percentile(opening, 0.95):.2f} ms"
    )
    print(f"\nThe {SLOWEST} slowest queries of one request (ms):")
    for r in results:
        print(f"  {r.page.label}: {r.sql_ms:.1f} ms in {len(r.queries)} queries")
        for query in sorted(r.queries, key=lambda q: -q.ms)[:SLOWEST]:
            text = " ".join(query.sql.split())
            print(f"    {query.ms:7.1f}  {text[:150]}{'…' if len(text) > 150 else ''}")
            if args.explain:
                print(explain(query))


def table(headers: list[str], rows: list[list[str]], left: set[int]) -> None:
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "  ".join(
            cell.ljust(width) if i in left else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        )

    print(line(headers))
    print("  ".join("-" * width for width in widths))
    for row in rows:
        print(line(row))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=40, help="timed requests per page (40)")
    parser.add_argument(
        "--visits-per-household",
        type=float,
        default=13.3,
        help="visits a household gets in the year (13.3: about 400,000)",
    )
    parser.add_argument("--explain", action="store_true", help="print the slowest queries' plans")
    parser.add_argument("--keep", action="store_true", help="keep (and reuse) the database")
    parser.add_argument("--db", help="SQLite file to use and keep (built when empty)")
    parser.add_argument(
        "--scratch",
        type=scratch_name,
        default=SCRATCH_DATABASE,
        help=f"PostgreSQL scratch database to create and drop ({SCRATCH_DATABASE})",
    )
    args = parser.parse_args(argv)

    url, workdir = configure(args)
    try:
        run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if workdir is not None and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        elif workdir is not None:
            print(f"\nKept {workdir}")
        if url.startswith(("postgres://", "postgresql://")) and not args.keep:
            drop_postgresql(url)


if __name__ == "__main__":
    main()
