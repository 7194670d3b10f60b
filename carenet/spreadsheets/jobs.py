"""Import jobs: running an uploaded file through the importer, away from the web request.

A coordinator uploads a file on the import page; `job_create` keeps the bytes in the default
storage and records an ImportJob (queued). `job_start` then has it run, and the page polls
`job_progress` every second until the job is finished and shows the result.

How a job runs is decided in one place. `run_import_job(job_id)` is the whole of the work: it
loads the job, reads the stored file, calls importing.import_households or import_volunteers,
and stores the outcome (counts, the first errors and warnings, the full error report as a CSV
file). It takes only the job's id and is idempotent (a job that is no longer queued is left
alone), so a real task queue can run it: at national scale, `job_start` enqueues it for the
django-tasks database workers instead of starting a thread, and nothing else changes. The
embedded default starts a daemon thread in the web process, which closes its database
connection when it ends. Tests, and the setting CARENET_JOBS_INLINE, run it in the
request itself.

Progress is kept in Django's cache, not in the job row: the importer holds one long transaction
(a file imports whole or not at all), so whatever the runner wrote to the database meanwhile
would stay invisible to the polling page until the commit. The cache must be shared by every
process that serves the page: Django's default local-memory cache is enough for the single
process of the embedded default; several nodes need a shared cache such as Redis. The runner
refreshes the entry at every step, so a job whose entry has not moved for LOST_AFTER, or is
gone (the process that ran it was stopped, taking its local-memory cache along), or whose
runner, on this machine, is no longer a running process, is marked failed when someone looks
at it: its transaction was never committed, so nothing of the file was imported.

An upload holds citizen IDs, so the stored file is deleted as soon as the job is finished,
except after a clean check (dry run), whose file waits a day for the coordinator to confirm
the import; `job_confirm` starts that import from the same file, which is then deleted too.
Error reports quote the file's cells (citizen IDs masked but for their last digits) and are
deleted after KEEP_REPORTS. Both clean-ups run whenever a new file is uploaded.
"""

import io
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import connections, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.core import citizen_id
from carenet.core.services import audit_areas, audit_record_each
from carenet.core.tabular import RowError, TableError, error_report_csv
from carenet.spreadsheets.importing.common import Change
from carenet.spreadsheets.models import ImportJob, ImportKind, JobStatus, OnExisting

logger = logging.getLogger(__name__)

UPLOAD_FOLDER = "imports"
# How many errors and warnings the result page shows; the report file holds them all.
SHOWN = 200
# A job whose progress has not moved for this long was stopped with its process.
LOST_AFTER = timedelta(minutes=30)
# A job whose progress entry has gone lost it with its process (see job_progress).
MISSING_GRACE = timedelta(minutes=2)
# How long the file of a clean check waits for the coordinator to confirm the import.
KEEP_CHECKED = timedelta(days=1)
# How long a job's error report stays downloadable.
KEEP_REPORTS = timedelta(days=30)
PROGRESS_TIMEOUT = 60 * 60 * 24


# --- Reads ---------------------------------------------------------------------------------


def job_list(*, user: Any) -> QuerySet[ImportJob]:
    """The jobs a user may see: their own; a national administrator sees every job."""
    jobs = ImportJob.objects.select_related("user")
    if access.scope_codes(user, Perm.IMPORT_DATA) == [access.NATIONAL]:
        return jobs
    return jobs.filter(user_id=user.pk)


def job_get(*, user: Any, pk: Any) -> ImportJob:
    """One job, or the same 404 for a missing job and another user's."""
    try:
        return job_list(user=user).get(pk=pk)
    except (ImportJob.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def job_running(*, user: Any) -> ImportJob | None:
    """The user's own job still waiting or running, if any."""
    job = (
        ImportJob.objects.filter(user_id=user.pk)
        .exclude(status__in=[JobStatus.DONE, JobStatus.FAILED])
        .first()
    )
    if job is not None:
        job_progress(job)  # a job lost with its process is marked failed here
    return None if job is None or job.is_finished else job


@dataclass(frozen=True)
class Progress:
    status: str  # a JobStatus value
    done: int
    total: int
    check_only: bool = False

    @property
    def percent(self) -> int:
        """Checking is the first half of the bar, importing the second; a check only is the
        whole bar."""
        if self.status in (JobStatus.DONE, JobStatus.FAILED):
            return 100
        share = self.done / self.total if self.total else 0.0
        if self.status == JobStatus.IMPORTING:
            return 99 if self.check_only else min(99, 50 + int(share * 50))
        if self.status == JobStatus.CHECKING:
            return min(99, int(share * 100)) if self.check_only else min(50, int(share * 50))
        return 0


@dataclass(frozen=True)
class CountRow:
    """What the import did (or, on a check, would do) to one type of record."""

    label: str
    created: int
    updated: int
    unchanged: int
    skipped: int


RECORD_LABELS = {
    "households": gettext_lazy("Households"),
    "people": gettext_lazy("People"),
    "volunteers": gettext_lazy("Volunteers"),
}


def job_counts(job: ImportJob) -> list[CountRow]:
    counts: dict[str, dict[str, int]] = job.result.get("counts") or {}
    # In RECORD_LABELS' order: PostgreSQL's jsonb keeps keys in an order of its own.
    records = [r for r in RECORD_LABELS if r in counts] + sorted(set(counts) - set(RECORD_LABELS))
    return [
        CountRow(
            label=str(RECORD_LABELS.get(record, record)),
            created=counts[record].get("created", 0),
            updated=counts[record].get("updated", 0),
            unchanged=counts[record].get("unchanged", 0),
            skipped=counts[record].get("skipped", 0),
        )
        for record in records
    ]


def job_errors(job: ImportJob) -> list[RowError]:
    """The errors the result page shows (the first SHOWN; the report file holds them all)."""
    return [RowError(*item) for item in job.result.get("errors", [])]


def job_warnings(job: ImportJob) -> list[RowError]:
    return [RowError(*item) for item in job.result.get("warnings", [])]


def job_changes(job: ImportJob) -> list[Change]:
    return [Change(*item) for item in job.result.get("changes", [])]


def _progress_key(job_id: int) -> str:
    return f"carenet:import-job:{job_id}"


def job_progress(job: ImportJob) -> Progress:
    """Where a job stands. A job that stopped moving long ago is marked failed first."""
    if job.is_finished:
        return Progress(job.status, job.total_rows, job.total_rows)
    entry = cache.get(_progress_key(job.pk))
    if entry is None:
        # Every job has an entry from its creation on; only the loss of the process (and of
        # its local-memory cache) takes it away before the job ends.
        lost = timezone.now() - (job.started_at or job.created_at) > MISSING_GRACE
    else:
        lost = timezone.now() - entry["at"] > LOST_AFTER or _runner_gone(entry)
    if lost:
        _finish_failed(
            job,
            _(
                "The import stopped before it finished (the server was restarted). "
                "Nothing from the file was saved. Upload the file again."
            ),
        )
        return Progress(job.status, 0, 0)
    if entry is None:
        return Progress(job.status, 0, 0)
    return Progress(entry["status"], entry["done"], entry["total"], check_only=job.dry_run)


def _set_progress(job_id: int, status: str, done: int = 0, total: int = 0) -> None:
    entry = {"status": status, "done": done, "total": total, "at": timezone.now()}
    if status != JobStatus.QUEUED:
        entry["runner"] = _this_process()
    cache.set(_progress_key(job_id), entry, PROGRESS_TIMEOUT)


def _this_process() -> tuple[str, int]:
    return socket.gethostname(), os.getpid()


def _runner_gone(entry: dict[str, Any]) -> bool:
    """Whether the process running the job is known to have ended: it ran on this machine
    and its process no longer exists (a server restarted or killed mid-import). A runner on
    another machine is left to LOST_AFTER."""
    host, pid = entry.get("runner") or ("", 0)
    if host != socket.gethostname() or not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # a process of another user holds the number now
        return True
    return False


# --- Writes --------------------------------------------------------------------------------


def job_create(
    *,
    actor: Any,
    kind: str,
    upload: UploadedFile,
    dry_run: bool,
    on_existing: str = OnExisting.UPDATE,
) -> ImportJob:
    """Keeps the uploaded file and records a queued job; `job_start` runs it."""
    if not access.can(actor, Perm.IMPORT_DATA):
        raise PermissionError("import_data")
    original = PurePath(upload.name or "upload").name[:255]
    suffix = PurePath(original).suffix.lower()[:8]
    upload.seek(0)
    stored = default_storage.save(f"{UPLOAD_FOLDER}/{uuid.uuid4().hex}{suffix}", upload)
    job = ImportJob.objects.create(
        user=actor,
        kind=ImportKind(kind),
        file_name=original,
        stored_file=stored,
        file_size=upload.size or 0,
        dry_run=dry_run,
        on_existing=OnExisting(on_existing),
        language=translation.get_language() or "",
    )
    _set_progress(job.pk, JobStatus.QUEUED)
    forget_old_files()
    return job


def forget_old_files() -> None:
    """Deletes the files of clean checks nobody confirmed within KEEP_CHECKED, and error
    reports (which quote the file's cells) older than KEEP_REPORTS."""
    now = timezone.now()
    checks = ImportJob.objects.filter(
        status=JobStatus.DONE, dry_run=True, finished_at__lt=now - KEEP_CHECKED
    ).exclude(stored_file="")
    for job in checks:
        _delete_stored(job)
        job.save(update_fields=["stored_file"])
    reports = ImportJob.objects.filter(finished_at__lt=now - KEEP_REPORTS).exclude(report_file="")
    for job in reports:
        default_storage.delete(job.report_file)
        job.report_file = ""
        job.save(update_fields=["report_file"])


def job_confirm(*, actor: Any, job: ImportJob) -> ImportJob:
    """Imports the file of a clean check without uploading it again; returns the new job.

    Confirming twice gives the same import job, so a double click imports once.
    """
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.follow_up_id is not None:
            return ImportJob.objects.get(pk=job.follow_up_id)
        if not job.can_confirm:
            raise ValueError("this job cannot be confirmed")
        follow_up = ImportJob.objects.create(
            user=actor,
            kind=job.kind,
            file_name=job.file_name,
            stored_file=job.stored_file,
            file_size=job.file_size,
            dry_run=False,
            on_existing=job.on_existing,
            language=translation.get_language() or job.language,
        )
        job.follow_up = follow_up
        job.stored_file = ""
        job.save(update_fields=["follow_up", "stored_file"])
    _set_progress(follow_up.pk, JobStatus.QUEUED)
    return follow_up


def job_start(job: ImportJob) -> threading.Thread | None:
    """Has the import job run (see run_in_background)."""
    return run_in_background(run_import_job, job.pk, f"import-job-{job.pk}")


def run_in_background(
    run: Callable[[int], None], job_id: int, name: str
) -> threading.Thread | None:
    """Has a job run: in a background thread, or inline when the setting asks for it.

    This is the one place that chooses how, for import and export jobs alike; a task queue's
    `enqueue` would go here. Returns the thread, so that a test can wait for it.
    """
    if getattr(settings, "CARENET_JOBS_INLINE", False):
        run(job_id)
        return None
    thread = threading.Thread(target=_run_in_thread, args=(run, job_id), name=name, daemon=True)
    # The job row must be committed before another connection looks for it.
    transaction.on_commit(thread.start)
    return thread


def _run_in_thread(run: Callable[[int], None], job_id: int) -> None:
    try:
        run(job_id)
    finally:
        # Each thread has its own connections; leaving them open would leak one per job.
        connections.close_all()


def run_import_job(job_id: int) -> None:
    """Runs one queued import job to the end. Safe to call twice: only a queued job runs."""
    claimed = ImportJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.CHECKING, started_at=timezone.now()
    )
    if not claimed:
        return
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    _set_progress(job.pk, JobStatus.CHECKING)
    with translation.override(job.language or settings.LANGUAGE_CODE):
        _run(job)


def _run(job: ImportJob) -> None:
    try:
        data = _read_stored(job)
        outcome = _import(job, data)
    except Exception:
        logger.exception("import job %s failed", job.pk)
        _finish_failed(
            job,
            _(
                "The import stopped because of an unexpected problem. Nothing from the file "
                "was saved. Try again later, or tell your system administrator."
            ),
        )
        return
    _finish(job, outcome)


def _read_stored(job: ImportJob) -> bytes:
    with default_storage.open(job.stored_file, "rb") as stored:
        data: bytes = stored.read()
    return data


@dataclass
class Outcome:
    counts: dict[str, Any]
    errors: list[RowError]
    warnings: list[RowError]
    error_count: int
    warning_count: int
    total_rows: int
    registered_elsewhere: int = 0
    changes: list[Change] = field(default_factory=list)
    change_count: int = 0
    removal_count: int = 0
    held: bool = False


def _importer(kind: str) -> Any:
    from carenet.spreadsheets import importing

    if kind == ImportKind.HOUSEHOLDS:
        return importing.import_households
    return importing.import_volunteers


def _import(job: ImportJob, data: bytes) -> Outcome:
    importer = _importer(job.kind)

    def progress(stage: str, done: int, total: int) -> None:
        status = JobStatus.IMPORTING if stage == "importing" else JobStatus.CHECKING
        _set_progress(job.pk, status, done, total)

    source = io.BytesIO(data)
    source.name = job.file_name  # for the importer's own audit row
    try:
        result = importer(
            actor=job.user,
            source=source,
            dry_run=job.dry_run,
            on_existing=job.on_existing,
            progress=progress,
            # Changes to records already registered wait for the uploader to see them,
            # unless the uploader confirmed them after a check (the job follows one).
            hold_changes=not ImportJob.objects.filter(follow_up=job).exists(),
        )
    except TableError as error:
        return Outcome({}, list(error.errors), [], len(error.errors), 0, 0)
    return Outcome(
        counts=result.counts,
        errors=list(result.errors),
        warnings=list(result.warnings),
        error_count=result.error_count,
        warning_count=result.warning_count,
        total_rows=result.total_rows,
        registered_elsewhere=result.registered_elsewhere,
        changes=list(result.changes),
        change_count=result.change_count,
        removal_count=result.removal_count,
        held=result.held,
    )


def _as_list(error: RowError) -> list[Any]:
    return [error.row, error.column, error.value, error.reason]


def _finish(job: ImportJob, outcome: Outcome) -> None:
    errors = [e.masked() for e in outcome.errors]
    warnings = [w.masked() for w in outcome.warnings]
    report = ""
    if errors or warnings:
        report = default_storage.save(
            f"{UPLOAD_FOLDER}/reports/{uuid.uuid4().hex}.csv",
            ContentFile(error_report_csv(errors, warnings)),
        )
    job.status = JobStatus.DONE
    job.total_rows = outcome.total_rows
    job.error_count = outcome.error_count
    job.warning_count = outcome.warning_count
    job.report_file = report
    job.result = {
        "counts": outcome.counts,
        "errors": [_as_list(e) for e in errors[:SHOWN]],
        # The importer lists a bounded number of problems; the report holds those it listed.
        "errors_listed": len(errors),
        "warnings": [_as_list(w) for w in warnings[:SHOWN]],
        # What the file changes on stored records (a dry run: would change).
        "changes": [
            [
                c.row,
                c.column,
                citizen_id.mask_all(c.before),
                citizen_id.mask_all(c.after),
                c.removed,
                c.name,
            ]
            for c in outcome.changes[:SHOWN]
        ],
        "change_count": outcome.change_count,
        # Changes that take groups or welfare off a person: the result shows them first.
        "removal_count": outcome.removal_count,
        "held": outcome.held,
    }
    if outcome.held:  # nothing written: a check, to confirm once the changes are seen
        job.dry_run = True
    job.finished_at = timezone.now()
    if not (job.dry_run and not outcome.error_count):
        _delete_stored(job)
    job.save(
        update_fields=[
            "status",
            "total_rows",
            "error_count",
            "warning_count",
            "report_file",
            "result",
            "finished_at",
            "stored_file",
            "dry_run",
        ]
    )
    _set_progress(job.pk, JobStatus.DONE, job.total_rows, job.total_rows)
    # The file was read within the uploader's areas: each of them reads it in its log.
    audit_record_each(
        areas=audit_areas(access.scope_codes(job.user, Perm.IMPORT_DATA)),
        actor=job.user,
        action="spreadsheets.import_job",
        target=job,
        details={
            "kind": job.kind,
            "dry_run": job.dry_run,
            "held": outcome.held,
            "rows": job.total_rows,
            "errors": job.error_count,
            "counts": outcome.counts,
            "registered_elsewhere": outcome.registered_elsewhere,
        },
    )


def _finish_failed(job: ImportJob, reason: str) -> None:
    job.status = JobStatus.FAILED
    job.result = {**job.result, "failure": reason}
    job.finished_at = timezone.now()
    _delete_stored(job)
    job.save(update_fields=["status", "result", "finished_at", "stored_file"])
    _set_progress(job.pk, JobStatus.FAILED)


def _delete_stored(job: ImportJob) -> None:
    if job.stored_file:
        default_storage.delete(job.stored_file)
        job.stored_file = ""
