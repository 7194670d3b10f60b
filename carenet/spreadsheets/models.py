"""Import jobs, one row per file a coordinator uploads, and export jobs, one per large export.

An import job records who uploaded what and how it ended. While it runs, its progress lives in
the cache (see jobs.py), because the import holds one long transaction and rows written to the
database from inside it would be invisible to the page that polls until the very end. An
export only reads, so its job keeps its progress in its own row (see export_jobs.py).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    HOUSEHOLDS = "households", _("households and people")
    VOLUNTEERS = "volunteers", _("volunteers")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("waiting")
    CHECKING = "checking", _("checking")
    IMPORTING = "importing", _("importing")
    DONE = "done", _("finished")
    FAILED = "failed", _("failed")


FINISHED = frozenset({JobStatus.DONE, JobStatus.FAILED})


class OnExisting(models.TextChoices):
    UPDATE = "update", _("update the existing record")
    SKIP = "skip", _("keep the existing record, skip the row")
    ERROR = "error", _("report the row as an error")


class ImportJob(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    kind = models.CharField(_("what"), max_length=12, choices=ImportKind.choices)
    file_name = models.CharField(_("file"), max_length=255)
    # Where the uploaded bytes wait for the runner, in the default storage. Cleared once the
    # file is deleted: an upload holds citizen IDs, so it is kept no longer than needed.
    stored_file = models.CharField(max_length=255, blank=True, editable=False)
    file_size = models.PositiveBigIntegerField(default=0)
    dry_run = models.BooleanField(_("check only"), default=False)
    on_existing = models.CharField(
        _("when a record already exists"),
        max_length=8,
        choices=OnExisting.choices,
        default=OnExisting.UPDATE,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    warning_count = models.PositiveIntegerField(_("warnings"), default=0)
    # Counts by record type, the first errors and warnings, and the failure reason if any.
    result = models.JSONField(default=dict, blank=True)
    # The full error report (CSV) in the default storage, when there were errors.
    report_file = models.CharField(max_length=255, blank=True, editable=False)
    # A clean check can be imported without uploading the file again: that import's job.
    follow_up = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="checked_by"
    )
    # The page's language when the file was uploaded: the reasons of its report are in it.
    language = models.CharField(max_length=8, blank=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        indexes = [models.Index(fields=["user", "-created_at"], name="importjob_user_created_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    @property
    def succeeded(self) -> bool:
        return self.status == JobStatus.DONE and self.error_count == 0

    @property
    def can_confirm(self) -> bool:
        """A clean check whose file is still here can be imported without uploading again."""
        return (
            self.succeeded and self.dry_run and bool(self.stored_file) and self.follow_up_id is None
        )


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("waiting")
    WRITING = "writing", _("writing the file")
    DONE = "done", _("ready")
    FAILED = "failed", _("failed")


class ExportJob(models.Model):
    """A large Excel export, written away from the web request (see export_jobs.py)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    dataset = models.CharField(_("what"), max_length=12, choices=ImportKind.choices)
    fmt = models.CharField(_("format"), max_length=4)
    area_code = models.CharField(max_length=8, blank=True)
    volunteer_status = models.CharField(max_length=12, blank=True)
    household_subset = models.JSONField(default=dict, blank=True)  # exporting.HouseholdSubset
    status = models.CharField(
        _("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    done_rows = models.PositiveIntegerField(default=0)
    file_name = models.CharField(_("file"), max_length=120, blank=True)
    # The written file in the default storage; cleared when it is deleted (it holds citizen
    # IDs, so it is kept only for KEEP_EXPORTS).
    stored_file = models.CharField(max_length=255, blank=True, editable=False)
    failure = models.TextField(blank=True)
    language = models.CharField(max_length=8, blank=True)  # of the page that asked
    created_at = models.DateTimeField(_("requested"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        indexes = [models.Index(fields=["user", "-created_at"], name="exportjob_user_created_idx")]

    def __str__(self) -> str:
        return f"{self.dataset} {self.area_code or '*'} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        return min(99, self.done_rows * 100 // self.total_rows) if self.total_rows else 0
