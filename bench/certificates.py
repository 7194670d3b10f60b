"""Certificate batches at province scale: 4,351 certificates as one PDF and as a zip.

    .venv/bin/python -m bench.certificates [--count 4351] [--chunk 50] [--db PATH]

It builds, in a throwaway SQLite database (a temporary file, or --db PATH), a two-session event
of Chumphon's centre with --count active volunteers who attended both sessions, completes the
event (event_complete issues the certificates), then runs the batch runner
(carenet.training.jobs.run_certificate_batch) twice: one PDF, then a zip of one PDF each. Each
run happens in a forked child process, so that its peak resident memory (ru_maxrss) is its own.

It prints, per run: the total seconds, the milliseconds per certificate, the size of the file,
and the child's resident memory before the run and at its peak. The reference from the same run
is WeasyPrint drawing one certificate alone (the cost of a single download), and one chunk of
--chunk certificates drawn as one document. Memory that stays flat from --count 500 to 4351
shows that the batch is bounded by the chunk, not by the count. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import shutil
import sys
import tempfile
import time
import warnings
from datetime import date, datetime
from datetime import time as dtime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def configure(db: str | None) -> Path:
    workdir = Path(tempfile.mkdtemp(prefix="carenet-bench-cert-"))
    path = Path(db).resolve() if db else workdir / "certificates.sqlite3"
    os.environ.update(
        {
            "DATABASE_URL": f"sqlite:///{path}",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "CARENET_ENV": "development",
            "DJANGO_DEBUG": "false",
            "CARENET_LOG_LEVEL": "WARNING",
            "CARENET_MEDIA_ROOT": str(workdir / "media"),
        }
    )
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return workdir


def rss_mb() -> float:
    """The current resident set size (Linux /proc), in MB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(count: int) -> int:
    """The areas, a centre, the event with two sessions, `count` attendees; returns its id."""
    from django.core.management import call_command
    from django.utils import timezone

    from carenet.accounts.models import User
    from carenet.areas.models import Area, Level
    from carenet.training import learning
    from carenet.training.models import Attendance, Invitation, Session, TrainingEvent
    from carenet.volunteers.models import Centre, Volunteer, VolunteerStatus

    call_command("migrate", verbosity=0, interactive=False)
    areas = [
        ("86", Level.PROVINCE, "ชุมพร", None),
        ("8601", Level.DISTRICT, "เมืองชุมพร", "86"),
        ("860101", Level.SUBDISTRICT, "ท่าตะเภา", "8601"),
        ("860102", Level.SUBDISTRICT, "ปากน้ำ", "8601"),
    ]
    for code, level, name, parent in areas:
        Area.objects.get_or_create(
            code=code, defaults={"level": level, "name_th": name, "parent_id": parent}
        )
    user, _ = User.objects.get_or_create(username="bench_certificates")
    centre, _ = Centre.objects.get_or_create(
        area_id="86", defaults={"name": "ศูนย์ประสานงาน อพม. จังหวัดชุมพร"}
    )
    day1, day2 = date(2025, 2, 26), date(2025, 2, 27)
    event = TrainingEvent.objects.create(
        title="ประชุมเชิงปฏิบัติการพัฒนาศักยภาพ อพม. เพื่อขับเคลื่อนงานตามภารกิจของกระทรวง พม. ประจำปี 2568",
        kind="workshop",
        centre=centre,
        area_id="86",
        fiscal_year=2568,
        venue="โรงแรมชุมพรคาบาน่า",
        venue_area_id="860101",
        starts_on=day1,
        ends_on=day2,
        signer_name="นายสมชาย ใจงาม",
        signer_position="พัฒนาสังคมและความมั่นคงของมนุษย์จังหวัดชุมพร",
        created_by=user,
    )
    sessions = [
        Session.objects.create(
            event=event,
            title=f"วันที่ {n + 1}",
            starts_at=timezone.make_aware(datetime.combine(day, dtime(9))),
            ends_at=timezone.make_aware(datetime.combine(day, dtime(16))),
        )
        for n, day in enumerate((day1, day2))
    ]
    titles, firsts = ["นาง", "นางสาว", "นาย"], ["น้ำผึ้ง", "สมศักดิ์", "กิตติ์ธนา", "ปิ่นแก้ว", "ณัฐฐ์"]
    volunteers = Volunteer.objects.bulk_create(
        [
            Volunteer(
                title=titles[n % 3],
                first_name=f"{firsts[n % 5]}{n:04d}",
                last_name="ศรีสุขเจริญวงศ์",
                area_id=("860101", "860102")[n % 2],
                status=VolunteerStatus.ACTIVE,
                registration_date=date(2015, 1, 1),
            )
            for n in range(count)
        ],
        batch_size=500,
    )
    now = timezone.now()
    invitations = Invitation.objects.bulk_create(
        [
            Invitation(event=event, volunteer=v, area_id=v.area_id, invited_at=now)
            for v in volunteers
        ],
        batch_size=500,
    )
    Attendance.objects.bulk_create(
        [
            Attendance(
                session=s, invitation=i, checked_in_at=s.starts_at, method="qr", checked_in_by=user
            )
            for s in sessions
            for i in invitations
        ],
        batch_size=1000,
    )
    learning.event_complete(actor=None, event=event)
    return event.pk


def run_batch(event_id: int, as_zip: bool, results: Any) -> None:
    """In a forked child: one batch, timed, with this process's own memory figures."""
    from django.core.files.storage import default_storage
    from django.db import connections

    from carenet.accounts.models import User
    from carenet.training import jobs
    from carenet.training.models import CertificateBatch, TrainingEvent

    connections.close_all()
    before = rss_mb()
    event = TrainingEvent.objects.get(pk=event_id)
    user = User.objects.get(username="bench_certificates")
    batch = CertificateBatch.objects.create(event=event, as_zip=as_zip, requested_by=user)
    began = time.perf_counter()
    jobs.run_certificate_batch(batch.pk)
    seconds = time.perf_counter() - began
    batch.refresh_from_db()
    size = default_storage.size(batch.file.name) if batch.file else 0
    results.put(
        {
            "status": batch.status,
            "done": batch.done,
            "seconds": seconds,
            "bytes": size,
            "rss_before": before,
            "peak": peak_mb(),
        }
    )


def reference(event_id: int, chunk: int) -> dict[str, float]:
    from carenet.training import certificates, jobs
    from carenet.training.models import TrainingEvent

    event = TrainingEvent.objects.get(pk=event_id)
    rows = list(jobs.event_certificates(event)[:chunk])
    certificates.render_certificates(rows[:1])  # warm up: fonts unpacked once per process
    single = []
    for certificate in rows[:5]:
        began = time.perf_counter()
        certificates.render_certificate(certificate)
        single.append(time.perf_counter() - began)
    began = time.perf_counter()
    certificates.render_certificates(rows)
    chunk_s = time.perf_counter() - began
    return {"single_ms": min(single) * 1000, "chunk_ms_each": chunk_s * 1000 / len(rows)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=4351, help="certificates (4351)")
    parser.add_argument("--chunk", type=int, default=50, help="certificates per document (50)")
    parser.add_argument("--db", help="SQLite file to use (default: a temporary file)")
    args = parser.parse_args(argv)
    workdir = configure(args.db)
    try:
        import django

        django.setup()
        warnings.filterwarnings("ignore", "No directory at")
        from django.conf import settings
        from django.db import connections
        from django.test.utils import override_settings

        from carenet.training import jobs

        # No collectstatic here: read the fonts through the finders, as development does.
        storages = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        override_settings(STORAGES=storages).enable()

        jobs.CHUNK = args.chunk
        began = time.perf_counter()
        event_id = build(args.count)
        print(f"Built {args.count} certificates in {time.perf_counter() - began:.1f} s")
        ref = reference(event_id, args.chunk)
        print(
            f"Reference: one certificate alone {ref['single_ms']:.0f} ms; "
            f"a chunk of {args.chunk} in one document {ref['chunk_ms_each']:.1f} ms each"
        )
        connections.close_all()
        context = multiprocessing.get_context("fork")
        for as_zip in (False, True):
            results = context.Queue()
            child = context.Process(target=run_batch, args=(event_id, as_zip, results))
            child.start()
            child.join()
            if results.empty():
                raise SystemExit(f"the batch child failed (exit code {child.exitcode})")
            outcome = results.get()
            label = "zip of PDFs" if as_zip else "one PDF"
            per = outcome["seconds"] * 1000 / max(outcome["done"], 1)
            print(
                f"{label:12}: {outcome['status']} {outcome['done']} certificates in "
                f"{outcome['seconds']:.1f} s = {per:.1f} ms per certificate "
                f"({per / ref['single_ms']:.2f}× one alone); file {outcome['bytes'] / 1e6:.1f} MB; "
                f"RSS {outcome['rss_before']:.0f} MB before, peak {outcome['peak']:.0f} MB"
            )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
