"""Importing a households file of N rows: Carenet's importer against bulk_create and raw COPY.

    .venv/bin/python -m bench.import_households --rows 100000 [--format csv|xlsx]

It generates a valid file of N people (one row each) in households of one to six, over the
real Chumphon areas (8 districts, 70 subdistricts, 736 demo villages, one active volunteer per
village): Thai names, valid citizen IDs (a tenth written with dashes), Buddhist Era birth dates,
relations, vulnerable groups, welfare, GPS points and the village volunteer's citizen ID. Then,
on the configured database (DATABASE_URL; SQLite in a temporary file when it is not set; a
scratch database `<name>_bench`, created, migrated and dropped, on PostgreSQL), it measures:

1. Carenet: `import_households` as a provincial officer of Chumphon, every check included
   (scope, areas, villages, volunteers, duplicates in the file, matches with stored people),
   citizen IDs encrypted and hashed, consents written, priorities worked out, one transaction.
   Wall time, rows/s and the peak memory (ru_maxrss) of the process that ran it. The tables
   are empty, so on PostgreSQL this is a first load (importing.writing.FirstLoad: indexes and
   keys built after the rows); --registry-not-empty stores one household before, so that the
   import goes the ordinary way.
2. The naive reference: plain Django, reading the same file and writing the same models
   (households, people with encrypted IDs, consents, assignments) with bulk_create in
   batches of 1,000 households, no checks, one transaction.
3. On PostgreSQL, the raw reference: COPY of the file's bytes into an unindexed table of
   text columns (the server parses the CSV; nothing is checked or converted).

Each measurement runs in a process of its own, on the same rows, with the households tables
emptied in between, so that the ratios hold on a noisy machine. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCRATCH_SUFFIX = "_bench"
SEED = 8601
TODAY = date(2026, 3, 1)
HOUSEHOLD_TABLES = [
    "households_householdassignment",
    "households_consent",
    "households_person",
    "households_household",
]
HEADERS = {
    "household_ref": "รหัสครัวเรือน",
    "house_no": "บ้านเลขที่",
    "moo": "หมู่ที่",
    "road": "ถนน",
    "subdistrict": "ตำบล",
    "district": "อำเภอ",
    "province": "จังหวัด",
    "lat": "ละติจูด",
    "lon": "ลองจิจูด",
    "ownership": "การครอบครองที่อยู่อาศัย",
    "condition": "สภาพที่อยู่อาศัย",
    "volunteer_citizen_id": "เลขประจำตัวประชาชน อพม.",
    "citizen_id": "เลขประจำตัวประชาชน",
    "title": "คำนำหน้า",
    "first_name": "ชื่อ",
    "last_name": "นามสกุล",
    "birth_date": "วันเกิด",
    "sex": "เพศ",
    "relation": "ความสัมพันธ์กับหัวหน้าครัวเรือน",
    "phone": "โทรศัพท์",
    "vulnerable_groups": "กลุ่มเปราะบาง",
    "bedridden": "ติดเตียง",
    "lives_alone": "อยู่ลำพัง",
    "disability_type": "ประเภทความพิการ",
    "welfare": "สวัสดิการที่ได้รับ",
}


# --- the orchestrating process ------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="people in the file")
    parser.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    parser.add_argument("--skip-references", action="store_true", help="measure Carenet only")
    parser.add_argument("--profile", action="store_true", help="cProfile the import")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument(
        "--registry-not-empty",
        action="store_true",
        help="store one household before the import, so that it is not a first load",
    )
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(run_phase(args.phase, args)))
        return

    configured = os.environ.get("DATABASE_URL", "")
    postgresql = configured.startswith(("postgres://", "postgresql://"))
    workdir = Path(tempfile.mkdtemp(prefix="carenet-bench-"))
    url = scratch_postgresql(configured) if postgresql else f"sqlite:///{workdir / 'bench.sqlite3'}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "false",  # no query log: measure what production runs
        "CARENET_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    path = workdir / f"households.{args.format}"
    try:
        started = time.perf_counter()
        setup = phase("setup", env, path, args)
        print(
            f"{args.rows:,} rows, {setup['households']:,} households, {args.format.upper()} "
            f"{path.stat().st_size / 1e6:,.0f} MB, on {setup['vendor']} "
            f"(prepared in {time.perf_counter() - started:,.0f} s)"
        )
        label = "Carenet import_households"
        if postgresql:  # only there does an empty registry make a first load (FirstLoad)
            label = (
                "Carenet, registry not empty" if args.registry_not_empty else "Carenet, first load"
            )
        results = [(label, phase("import", env, path, args))]
        if not args.skip_references and postgresql:
            phase("dump", env, path, args)
            phase("empty", env, path, args)
            results.append(("PostgreSQL COPY of its output", phase("reload", env, path, args)))
        if not args.skip_references and args.format == "csv":  # these two read the CSV
            phase("empty", env, path, args)
            results.append(
                ("Django bulk_create (no checks)", phase("bulk_create", env, path, args))
            )
            if postgresql:
                results.append(("PostgreSQL COPY, unindexed", phase("copy", env, path, args)))
        report(args.rows, results)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if postgresql and not args.keep:
            drop_postgresql(configured)


def phase(name: str, env: dict[str, str], path: Path, args: argparse.Namespace) -> dict[str, Any]:
    command = [
        sys.executable,
        "-m",
        "bench.import_households",
        "--phase",
        name,
        "--file",
        str(path),
    ]
    command += ["--rows", str(args.rows), "--format", args.format]
    if args.registry_not_empty:
        command.append("--registry-not-empty")
    if args.profile and name == "import":
        command.append("--profile")
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"phase {name} failed")
    if done.stderr.strip():
        sys.stderr.write(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(rows: int, results: list[tuple[str, dict[str, Any]]]) -> None:
    carenet = results[0][1]
    print()
    print(
        f"{'':32}  {'seconds':>8}  {'rows/s':>9}  {'peak MB':>8}  {'Carenet ×':>11}"
        f"  {'CPU s: Python':>14}  {'reader':>7}  {'database':>8}"
    )
    for label, figures in results:
        seconds = figures["seconds"]
        ratio = seconds / carenet["seconds"]
        python = f"{figures['cpu']:14.1f}" if "cpu" in figures else f"{'':14}"
        reader = f"{figures['reader_cpu']:7.1f}" if figures.get("reader_cpu") else f"{'':7}"
        database = f"{figures['database_cpu']:8.1f}" if figures.get("database_cpu") else ""
        peak = figures["peak_mb"] + figures.get("reader_peak_mb", 0)
        print(
            f"{label:32}  {seconds:8.1f}  {rows / seconds:9,.0f}  "
            f"{peak:8,.0f}  {ratio:10.2f}x  {python}  {reader}  {database}"
        )
    counts = carenet.get("counts", {})
    print()
    if carenet.get("reader_cpu"):
        print(
            f"peak MB: the importer's {carenet['peak_mb']:,.0f} and its reading process's "
            f"{carenet['reader_peak_mb']:,.0f} (readahead), added up; sampled, the two "
            f"together never held more than {carenet['pss_peak_mb']:,.0f} (PSS)"
        )
    print(f"imported: {counts}; errors {carenet['errors']}, warnings {carenet['warnings']}")
    if carenet["errors"]:
        print("first errors:", carenet["first_errors"])


def scratch_name(configured: str) -> str:
    """The scratch database: the configured one's name ending in "_bench" (carenet ->
    carenet_bench; carenet_x_bench stays itself), never the configured database itself."""
    name = configured.rsplit("/", 1)[1].split("?")[0] or "carenet"
    return name if name.endswith(SCRATCH_SUFFIX) else name + SCRATCH_SUFFIX


def scratch_postgresql(configured: str) -> str:
    import psycopg

    server, name = configured.rsplit("/", 1)[0], scratch_name(configured)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    return f"{server}/{name}"


def drop_postgresql(configured: str) -> None:
    import psycopg

    server = configured.rsplit("/", 1)[0]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {scratch_name(configured)}")


# --- the measured processes ---------------------------------------------------------------------


def run_phase(name: str, args: argparse.Namespace) -> dict[str, Any]:
    import django

    django.setup()
    work = {
        "setup": prepare,
        "import": measure_import,
        "empty": empty_tables,
        "bulk_create": measure_bulk_create,
        "copy": measure_copy,
        "dump": dump_output,
        "reload": measure_reload,
    }[name]
    return work(args)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def prepare(args: argparse.Namespace) -> dict[str, Any]:
    """Migrates, loads Chumphon, its villages and volunteers, and writes the file."""
    from django.core.management import call_command
    from django.db import connection

    from carenet.accounts.models import AreaAssignment, Role, User
    from carenet.areas.services import areas_load_from_geothai
    from carenet.demo.chumphon import PROVINCE, VILLAGE_TOTAL, ensure_villages

    call_command("migrate", verbosity=0, interactive=False)
    areas_load_from_geothai(province_codes=[PROVINCE])
    rng = random.Random(SEED)
    villages = ensure_villages(rng, VILLAGE_TOTAL)
    volunteer_ids = make_volunteers(villages)
    officer = User.objects.create(username="bench_officer")
    AreaAssignment.objects.create(user=officer, role=Role.PROVINCIAL_OFFICER, area_id=PROVINCE)
    households = write_file(args.file, args.rows, villages, volunteer_ids, args.format, rng)
    return {"households": households, "vendor": connection.vendor}


def make_volunteers(villages: list[Any]) -> dict[str, str]:
    """One active volunteer per village; returns village code -> citizen ID."""
    from carenet.core import citizen_id
    from carenet.core.people import name_key
    from carenet.volunteers.models import Volunteer

    ids: dict[str, str] = {}
    volunteers = []
    for index, village in enumerate(villages):
        first = f"4{index:011d}"
        digits = first + str(citizen_id.checksum_digit(first))
        ids[village.code] = digits
        volunteer = Volunteer(
            title="นาง",
            first_name=f"อาสา{index}",
            last_name="ชุมพร",
            name_key=name_key(f"อาสา{index}", "ชุมพร"),
            sex="F",
            area_id=village.parent_id,
            address_area_id=village.parent_id,
        )
        volunteer.set_citizen_id(digits)
        volunteers.append(volunteer)
    Volunteer.objects.bulk_create(volunteers)
    return ids


class PeopleFile:
    """Plausible people, fast: names from pools drawn once from Faker th_TH."""

    def __init__(self, rng: random.Random) -> None:
        from faker import Faker

        faker = Faker("th_TH")
        faker.seed_instance(SEED)
        self.rng = rng
        self.male = sorted({faker.first_name_male() for _ in range(600)})
        self.female = sorted({faker.first_name_female() for _ in range(600)})
        self.last = sorted({faker.last_name() for _ in range(1500)})
        self.serial = 0

    def citizen_id(self) -> str:
        from carenet.core.citizen_id import checksum_digit

        self.serial += 1
        # A bijection of the serial over 11 digits, so that IDs do not look sequential.
        first = str(1 + self.serial % 8) + f"{self.serial * 7_919 % 10**11:011d}"
        digits = first + str(checksum_digit(first))
        if self.serial % 10 == 0:
            return f"{digits[0]}-{digits[1:5]}-{digits[5:10]}-{digits[10:12]}-{digits[12]}"
        return digits

    def person(self, relation: str, low: int, high: int, sex: str, last: str) -> dict[str, str]:
        rng = self.rng
        born = TODAY - timedelta(days=rng.randint(low * 365 + 1, high * 365 + 300))
        age = (TODAY - born).days // 365
        if sex == "M":
            first, title = rng.choice(self.male), "นาย" if age >= 15 else "เด็กชาย"
        else:
            first = rng.choice(self.female)
            title = (
                ("นาง" if relation in ("หัวหน้าครัวเรือน", "คู่สมรส") else "นางสาว")
                if age >= 15
                else "เด็กหญิง"
            )
        groups = []
        if age >= 60:
            groups.append("ผู้สูงอายุ")
        bedridden = rng.random() < (0.08 if age >= 60 else 0.005)
        if bedridden:
            groups.append("ติดเตียง")
        disabled = rng.random() < (0.12 if age >= 60 else 0.03)
        if disabled:
            groups.append("คนพิการ")
        if rng.random() < (0.3 if age >= 60 else 0.08):
            groups.append("ผู้ป่วยโรคเรื้อรัง")
        if rng.random() < 0.05:
            groups.append("ผู้ด้อยโอกาส")
        welfare = []
        if age >= 60 and rng.random() < 0.9:
            welfare.append("เบี้ยยังชีพผู้สูงอายุ")
        if age >= 18 and rng.random() < 0.35:
            welfare.append("บัตรสวัสดิการแห่งรัฐ")
        if disabled and rng.random() < 0.85:
            welfare.append("เบี้ยความพิการ")
        return {
            "citizen_id": self.citizen_id(),
            "title": title,
            "first_name": first,
            "last_name": last,
            "birth_date": f"{born.day:02d}/{born.month:02d}/{born.year + 543}",
            "sex": "ชาย" if sex == "M" else "หญิง",
            "relation": relation,
            "phone": f"08{rng.randrange(10**8):08d}" if age >= 15 and rng.random() < 0.6 else "",
            "vulnerable_groups": ", ".join(groups),
            "bedridden": "ใช่" if bedridden else "ไม่",
            "lives_alone": "ไม่",
            "disability_type": rng.choice(("ทางการเห็น", "ทางการเคลื่อนไหวหรือทางร่างกาย"))
            if disabled
            else "",
            "welfare": ", ".join(welfare),
        }

    def household(self) -> list[dict[str, str]]:
        rng = self.rng
        size = rng.choices((1, 2, 3, 4, 5, 6), weights=(18, 30, 22, 16, 9, 5))[0]
        last = rng.choice(self.last)
        if size == 1:
            head = self.person("หัวหน้าครัวเรือน", 62, 92, rng.choice("MF"), last)
            head["lives_alone"] = "ใช่"
            return [head]
        members = [
            self.person("หัวหน้าครัวเรือน", 35, 85, "M", last),
            self.person("คู่สมรส", 30, 80, "F", last),
        ]
        for _ in range(size - 2):
            relation = rng.choice(("บุตร", "หลาน", "บิดามารดา"))
            low, high = {"บุตร": (0, 30), "หลาน": (0, 15), "บิดามารดา": (60, 95)}[relation]
            members.append(self.person(relation, low, high, rng.choice("MF"), last))
        return members


def write_file(
    path: Path,
    rows: int,
    villages: list[Any],
    volunteer_ids: dict[str, str],
    fmt: str,
    rng: random.Random,
) -> int:
    """Writes `rows` people in whole households; returns the number of households."""
    from carenet.areas.models import Area
    from carenet.demo.places import SubdistrictPoints

    names = dict(Area.objects.filter(code__startswith="86").values_list("code", "name_th"))
    maker = PeopleFile(rng)
    keys = list(HEADERS)
    sink = _Sink(path, fmt, [HEADERS[key] for key in keys])
    written = households = 0
    # Houses near their subdistrict's middle, as real points are (the import questions a
    # point far from its subdistrict's others).
    places = SubdistrictPoints(rng)
    while written < rows:
        village = rng.choice(villages)
        sub = village.parent_id
        lat, lon = places.point(sub)
        address = {
            "household_ref": f"HH{households + 1:07d}",
            "house_no": str(rng.randint(1, 400))
            if rng.random() < 0.8
            else f"{rng.randint(1, 400)}/{rng.randint(1, 9)}",
            "moo": str(village.moo),
            "road": "" if rng.random() < 0.8 else "ถนนสายหลัก",
            "subdistrict": names[sub],
            "district": names[sub[:4]],
            "province": names[sub[:2]],
            "lat": f"{lat:.6f}",
            "lon": f"{lon:.6f}",
            "ownership": rng.choice(("บ้านของตนเอง", "บ้านของตนเอง", "เช่า", "อาศัยญาติ")),
            "condition": rng.choice(("มั่นคงแข็งแรง", "ชำรุดบางส่วน", "ทรุดโทรม")),
            "volunteer_citizen_id": volunteer_ids[village.code],
        }
        for member in maker.household()[: rows - written]:
            sink.write([{**address, **member}[key] for key in keys])
            written += 1
        households += 1
    sink.close()
    return households


class _Sink:
    def __init__(self, path: Path, fmt: str, header: list[str]) -> None:
        self.fmt = fmt
        if fmt == "csv":
            self.file = path.open("w", encoding="utf-8-sig", newline="")
            self.writer: Any = csv.writer(self.file)
            self.writer.writerow(header)
        else:
            from openpyxl import Workbook

            self.path = path
            self.book = Workbook(write_only=True)
            self.sheet = self.book.create_sheet("ครัวเรือน")
            self.sheet.append(["ทะเบียนครัวเรือนเปราะบาง จังหวัดชุมพร"])
            self.sheet.append(header)

    def write(self, row: list[str]) -> None:
        if self.fmt == "csv":
            self.writer.writerow(row)
        else:
            self.sheet.append(row)

    def close(self) -> None:
        if self.fmt == "csv":
            self.file.close()
        else:
            self.book.save(self.path)


def measure_import(args: argparse.Namespace) -> dict[str, Any]:
    from carenet.accounts.models import User
    from carenet.spreadsheets.importing import import_households

    officer = User.objects.get(username="bench_officer")
    if args.registry_not_empty:
        _store_one_household()
    _checkpoint()
    backend = _backend_pid()
    backend_cpu = _cpu_of(backend)
    cpu = time.process_time()
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    memory = MemorySampler()
    started = time.perf_counter()
    with memory:
        result = import_households(actor=officer, source=args.file, today=TODAY)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    backend_cpu = _cpu_of(backend) - backend_cpu
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(30)
    reader = resource.getrusage(resource.RUSAGE_CHILDREN)  # the reading process, reaped
    return {
        "seconds": seconds,
        "peak_mb": peak_mb(),
        "cpu": cpu,
        "reader_cpu": reader.ru_utime + reader.ru_stime,
        "reader_peak_mb": reader.ru_maxrss / 1024,
        "pss_peak_mb": memory.peak_mb,
        "database_cpu": backend_cpu,
        "counts": result.counts,
        "errors": result.error_count,
        "warnings": result.warning_count,
        "first_errors": [list(map(str, e.__dict__.values())) for e in result.errors[:5]],
    }


class MemorySampler:
    """The largest memory the import and its reading process held together, sampled.

    Each process's peak RSS counts the pages they share since the fork twice; the sum of
    their proportional set sizes (PSS, Linux) does not. Sampled once a second in a thread:
    reading smaps makes the kernel walk both processes' memory, which slows them.
    """

    def __init__(self) -> None:
        self.peak_mb = 0.0
        self._running = False

    def __enter__(self) -> MemorySampler:
        import threading

        self._running = True
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._running = False
        self._thread.join()

    def _sample(self) -> None:
        me = os.getpid()
        while self._running:
            pids = [me]
            for children in Path(f"/proc/{me}/task").glob("*/children"):
                pids += [int(pid) for pid in children.read_text().split()]
            total = sum(_pss_kb(pid) for pid in pids) / 1024
            self.peak_mb = max(self.peak_mb, total)
            time.sleep(1.0)


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:  # gone meanwhile
        pass
    return 0


def _store_one_household() -> None:
    """A household the file does not name: the tables are not empty, the import goes the
    ordinary way (writing.FirstLoad is not taken)."""
    from carenet.households.models import Household, Person

    household = Household.objects.create(area_id="86010101", house_no="bench-0", moo=1)
    Person.objects.create(
        household=household, area_id=household.area_id, first_name="ก่อน", last_name="นำเข้า"
    )


def empty_tables(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(HOUSEHOLD_TABLES)} CASCADE")
        else:
            for table in HOUSEHOLD_TABLES:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM")
    return {}


def measure_bulk_create(args: argparse.Namespace) -> dict[str, Any]:
    """What a plain Django importer would do: no checks, bulk_create in batches."""
    from django.db import transaction

    from carenet.areas.models import Area, Level
    from carenet.core import citizen_id, thaidate
    from carenet.core.people import name_key
    from carenet.households.models import (
        Consent,
        Household,
        HouseholdAssignment,
        Person,
    )
    from carenet.volunteers.models import Volunteer

    villages = {
        (parent, moo): code
        for code, parent, moo in Area.objects.filter(level=Level.VILLAGE).values_list(
            "code", "parent_id", "moo"
        )
    }
    subdistricts = {
        (name, parent): code
        for code, name, parent in Area.objects.filter(level=Level.SUBDISTRICT).values_list(
            "code", "name_th", "parent_id"
        )
    }
    districts = dict(Area.objects.filter(level=Level.DISTRICT).values_list("name_th", "code"))
    volunteers = dict(Volunteer.objects.values_list("citizen_id_hash", "pk"))
    sex = {"ชาย": "M", "หญิง": "F"}
    relation = {"หัวหน้าครัวเรือน": "head", "คู่สมรส": "spouse", "บุตร": "child", "หลาน": "grandchild",
                "บิดามารดา": "parent"}  # fmt: skip
    _checkpoint()
    started = time.perf_counter()

    def flush(batch: list[tuple[Household, list[Person], int]]) -> None:
        Household.objects.bulk_create([h for h, _p, _v in batch])
        people = []
        for household, members, _volunteer in batch:
            for member in members:
                member.household = household
                people.append(member)
        Person.objects.bulk_create(people)
        for household, members, _volunteer in batch:
            household.head = members[0]
        Household.objects.bulk_update([h for h, _p, _v in batch], ["head"])
        Consent.objects.bulk_create(
            Consent(
                person=p,
                area_id=p.area_id,
                basis="public_task",
                purpose="นำเข้าจากทะเบียน",
                given_on=TODAY,
            )
            for p in people
        )
        HouseholdAssignment.objects.bulk_create(
            HouseholdAssignment(household=h, volunteer_id=v) for h, _p, v in batch
        )

    with transaction.atomic(), args.file.open(encoding="utf-8-sig", newline="") as file:
        reader = csv.reader(file)
        header = next(reader)
        position = {key: header.index(HEADERS[key]) for key in HEADERS}
        batch: list[tuple[Household, list[Person], int]] = []
        current = ""
        for row in reader:
            value = {key: row[index] for key, index in position.items()}
            if value["household_ref"] != current:
                if len(batch) >= 1000:
                    flush(batch)
                    batch = []
                current = value["household_ref"]
                sub = subdistricts[(value["subdistrict"], districts[value["district"]])]
                area = villages[(sub, int(value["moo"]))]
                household = Household(
                    area_id=area,
                    house_no=value["house_no"],
                    moo=int(value["moo"]),
                    road=value["road"],
                    latitude=value["lat"],
                    longitude=value["lon"],
                )
                volunteer = volunteers[citizen_id.lookup_hash(value["volunteer_citizen_id"])]
                batch.append((household, [], volunteer))
            digits = citizen_id.normalize(value["citizen_id"])
            person = Person(
                area_id=household.area_id,
                title=value["title"],
                first_name=value["first_name"],
                last_name=value["last_name"],
                name_key=name_key(value["first_name"], value["last_name"]),
                birth_date=thaidate.parse(value["birth_date"]),
                sex=sex[value["sex"]],
                relation=relation[value["relation"]],
                phone=value["phone"],
                bedridden=value["bedridden"] == "ใช่",
                lives_alone=value["lives_alone"] == "ใช่",
            )
            person.set_citizen_id(digits)
            batch[-1][1].append(person)
        if batch:
            flush(batch)
    return {"seconds": time.perf_counter() - started, "peak_mb": peak_mb()}


def dump_output(args: argparse.Namespace) -> dict[str, Any]:
    """Keeps the rows the import wrote, table by table, for `measure_reload`."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in reversed(HOUSEHOLD_TABLES):
            with (
                cursor.cursor.copy(f"COPY {table} TO STDOUT") as copy,
                _dump_path(args, table).open("wb") as file,
            ):
                for block in copy:
                    file.write(block)
    return {}


def measure_reload(args: argparse.Namespace) -> dict[str, Any]:
    """The database's own share: COPY of exactly the rows the import wrote into the real
    tables, with their indexes and foreign keys, in one transaction. No Python work."""
    from django.db import connection, transaction

    _checkpoint()
    backend = _backend_pid()
    backend_cpu = _cpu_of(backend)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for table in reversed(HOUSEHOLD_TABLES):
            with (
                cursor.cursor.copy(f"COPY {table} FROM STDIN") as copy,
                _dump_path(args, table).open("rb") as file,
            ):
                while block := file.read(1 << 20):
                    copy.write(block)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "peak_mb": peak_mb(),
        "database_cpu": _cpu_of(backend) - backend_cpu,
    }


def _dump_path(args: argparse.Namespace, table: str) -> Path:
    return args.file.with_name(f"{table}.copy")


def measure_copy(args: argparse.Namespace) -> dict[str, Any]:
    """The raw database: the file's bytes into an unindexed table of text columns."""
    from django.db import connection, transaction

    columns = ", ".join(f"c{index} text" for index in range(len(HEADERS)))
    _checkpoint()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE bench_raw ({columns})")
        raw = cursor.cursor
        with (
            raw.copy("COPY bench_raw FROM STDIN (FORMAT csv, HEADER true)") as copy,
            args.file.open("rb") as file,
        ):
            file.read(3)  # the byte-order mark
            while block := file.read(1 << 20):
                copy.write(block)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_raw")
    return {"seconds": seconds, "peak_mb": peak_mb()}


def _backend_pid() -> int | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def _cpu_of(pid: int | None) -> float:
    """CPU seconds of a local process (the database backend), 0 when it cannot be read."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _checkpoint() -> None:
    """Starts each measurement with the database's dirty pages written (PostgreSQL)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")


if __name__ == "__main__":
    main()
