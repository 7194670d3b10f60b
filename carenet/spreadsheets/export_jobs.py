"""Export jobs: a large Excel export written away from the web request.

A workbook cannot be sent before it is whole (it is a zip), and a province's households take
from 20 s to a few minutes to write, by the machine: longer than a proxy in front of Carenet
usually waits for a first byte (nginx: 60 s), and longer than a phone on a weak signal keeps a
request open. So an Excel export of more than DIRECT_ROWS rows becomes a job: the export page
sends the user to the job's page, which shows the rows written so far, and offers the file
once it is ready. CSV needs none of this: its rows leave as they are read.

The job runs as an import job does (`jobs.run_in_background`). It reads only, so it keeps its
progress in its own row, every PROGRESS_EVERY rows. The export was scoped and logged when it
was asked for (`exporting.export_prepare`); the runner prepares it again as the same user,
so that a scope taken away meanwhile takes the rows away too.

The file holds citizen IDs: only the user who asked may open the job or fetch the file, and
files are deleted after KEEP_EXPORTS, whenever someone asks for a new export.
"""

import logging
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from datetime import timedelta
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from carenet.spreadsheets import exporting
from carenet.spreadsheets.jobs import run_in_background
from carenet.spreadsheets.models import ExportJob, ExportStatus

logger = logging.getLogger(__name__)

EXPORT_FOLDER = "exports"
# Exports with more rows than this, in Excel, are written by a job.
DIRECT_ROWS = 10_000
PROGRESS_EVERY = 2_000
# How long a written file can be fetched again.
KEEP_EXPORTS = timedelta(days=1)
# A job whose progress has not moved for this long was stopped with its process.
LOST_AFTER = timedelta(minutes=15)
RECENT = 5


def wants_job(export: exporting.Export) -> bool:
    return export.fmt == exporting.Format.XLSX and export.row_count > DIRECT_ROWS


# --- Reads ---------------------------------------------------------------------------------


def export_job_list(*, user: Any) -> QuerySet[ExportJob]:
    """The user's own export jobs of the last KEEP_EXPORTS, newest first."""
    since = timezone.now() - KEEP_EXPORTS
    return ExportJob.objects.filter(user_id=user.pk, created_at__gte=since)


def export_job_get(*, user: Any, pk: Any) -> ExportJob:
    """One of the user's own jobs; the same 404 for a missing job and another user's. A job
    whose process was stopped is marked failed here."""
    try:
        job = ExportJob.objects.get(pk=pk, user_id=user.pk)
    except (ExportJob.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not job.is_finished and timezone.now() - job.updated_at > LOST_AFTER:
        _fail(job, _("The export stopped before it finished (the server was restarted)."))
    return job


def export_job_running(*, user: Any) -> ExportJob | None:
    """The user's export job still being written, if any: one runs at a time for each user,
    so that a few clicks cannot set the server writing a province's workbook many times."""
    for job in ExportJob.objects.filter(user_id=user.pk).exclude(
        status__in=(ExportStatus.DONE, ExportStatus.FAILED)
    ):
        job = export_job_get(user=user, pk=job.pk)  # marks a lost one failed
        if not job.is_finished:
            return job
    return None


def export_job_file(job: ExportJob) -> IO[bytes] | None:
    """The written file, open for reading; None once it is gone."""
    if job.status != ExportStatus.DONE or not job.stored_file:
        return None
    if not default_storage.exists(job.stored_file):
        return None
    opened: IO[bytes] = default_storage.open(job.stored_file, "rb")
    return opened


# --- Writes --------------------------------------------------------------------------------


def export_job_create(*, actor: Any, export: exporting.Export) -> ExportJob:
    """Records a job for an export already prepared (scoped and logged); export_job_start
    runs it."""
    forget_old_files()
    return ExportJob.objects.create(
        user=actor,
        dataset=export.dataset,
        fmt=export.fmt,
        area_code=export.area_code,
        volunteer_status=export.status,
        household_subset=export.subset.as_dict(),
        total_rows=export.row_count,
        file_name=export.filename,
        language=translation.get_language() or "",
    )


def export_job_start(job: ExportJob) -> Any:
    return run_in_background(run_export_job, job.pk, f"export-job-{job.pk}")


def run_export_job(job_id: int) -> None:
    """Writes one queued export to the end. Safe to call twice: only a queued job runs."""
    if not ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.WRITING, updated_at=timezone.now()
    ):
        return
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    with translation.override(job.language or settings.LANGUAGE_CODE):
        _write(job)


def _write(job: ExportJob) -> None:
    try:
        export = exporting.export_prepare(
            user=job.user,
            dataset=job.dataset,
            fmt=job.fmt,
            area_code=job.area_code,
            status=job.volunteer_status,
            subset=exporting.HouseholdSubset(**job.household_subset),
            logged=False,
        )
    except exporting.AreaOutOfScope:
        _fail(job, _("This area is no longer in your scope."))
        return
    export.rows = _counted(export.rows, job)
    try:
        with tempfile.TemporaryFile(suffix=f".{job.fmt}") as handle:
            exporting.write(export, handle)
            handle.seek(0)
            name = f"{EXPORT_FOLDER}/{uuid.uuid4().hex}.{job.fmt}"
            stored = default_storage.save(name, File(handle))
    except Exception:
        logger.exception("export job %s failed", job.pk)
        _fail(job, _("The export stopped because of an unexpected problem. Try again later."))
        return
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.DONE,
        stored_file=stored,
        total_rows=export.row_count,
        done_rows=export.row_count,
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )


def _counted(rows: Iterator[Sequence[Any]], job: ExportJob) -> Iterator[Sequence[Any]]:
    """The rows as they are, telling the job's row how many have been written."""
    for done, row in enumerate(rows, start=1):
        if done % PROGRESS_EVERY == 0:
            ExportJob.objects.filter(pk=job.pk).update(done_rows=done, updated_at=timezone.now())
        yield row


def _fail(job: ExportJob, reason: str) -> None:
    job.status, job.failure, job.finished_at = ExportStatus.FAILED, reason, timezone.now()
    job.save(update_fields=["status", "failure", "finished_at", "updated_at"])


def forget_old_files() -> None:
    """Deletes the files written more than KEEP_EXPORTS ago."""
    old = ExportJob.objects.filter(created_at__lt=timezone.now() - KEEP_EXPORTS).exclude(
        stored_file=""
    )
    for job in old:
        default_storage.delete(job.stored_file)
        job.stored_file = ""
        job.save(update_fields=["stored_file"])
