"""Import jobs: the runner, its progress, what it keeps and deletes, and the background thread.

Most tests run the job inline (CARENET_JOBS_INLINE) with a stand-in importer, so they
say what the runner does whatever the importer finds; the tests at the end run the real
importer through the upload page.
"""

import subprocess
import sys
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from carenet.core.models import AuditEvent
from carenet.core.tabular import RowError, TableError
from carenet.spreadsheets import jobs
from carenet.spreadsheets.importing.common import Change
from carenet.spreadsheets.models import ImportJob, JobStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_and_cache(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CARENET_JOBS_INLINE = True
    cache.clear()
    yield
    cache.clear()


@dataclass
class FakeResult:
    total_rows: int = 3
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    error_count: int = 0
    warning_count: int = 0
    registered_elsewhere: int = 0
    changes: list = field(default_factory=list)
    change_count: int = 0
    removal_count: int = 0
    held: bool = False
    counts: dict = field(
        default_factory=lambda: {
            "households": {"created": 1, "updated": 0, "unchanged": 0, "skipped": 0},
            "people": {"created": 3, "updated": 0, "unchanged": 0, "skipped": 0},
        }
    )


class FakeImporter:
    """Stands in for importing.import_*: records its calls, reports progress, returns `result`."""

    def __init__(self, result=None, raises: Exception | None = None):
        self.result = result or FakeResult()
        self.raises = raises
        self.calls: list[dict] = []
        self.seen_progress: list[tuple] = []

    def __call__(self, *, actor, source, dry_run, on_existing, progress, hold_changes):
        self.calls.append(
            {"actor": actor, "data": source.read(), "name": source.name, "dry_run": dry_run,
             "on_existing": on_existing, "hold_changes": hold_changes}
        )  # fmt: skip
        job = ImportJob.objects.order_by("-pk").first()
        progress("checking", 2, 3)
        self.seen_progress.append(jobs.job_progress(job))
        progress("importing", 1, 3)
        self.seen_progress.append(jobs.job_progress(job))
        if self.raises is not None:
            raise self.raises
        return self.result


@pytest.fixture
def fake(monkeypatch):
    importer = FakeImporter()
    monkeypatch.setattr(jobs, "_importer", lambda kind: importer)
    return importer


def upload(name="ครัวเรือน.csv", data=b"\xef\xbb\xbfa,b\n"):
    return SimpleUploadedFile(name, data)


def new_job(user, *, dry_run=False, on_existing="update", name="ครัวเรือน.csv"):
    return jobs.job_create(
        actor=user, kind="households", upload=upload(name), dry_run=dry_run, on_existing=on_existing
    )


def test_a_clean_import_runs_to_done_and_deletes_the_upload(district_coordinator_a, fake):
    job = new_job(district_coordinator_a, on_existing="skip")
    stored = job.stored_file
    assert default_storage.exists(stored)
    assert jobs.job_progress(job).status == JobStatus.QUEUED
    jobs.job_start(job)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert (job.total_rows, job.error_count, job.warning_count) == (3, 0, 0)
    assert job.result["counts"]["people"]["created"] == 3
    assert job.started_at and job.finished_at
    assert job.stored_file == "" and not default_storage.exists(stored)
    assert job.report_file == ""
    call = fake.calls[0]
    assert call["actor"] == district_coordinator_a
    assert call["data"] == b"\xef\xbb\xbfa,b\n"
    assert (call["name"], call["dry_run"], call["on_existing"]) == ("ครัวเรือน.csv", False, "skip")
    # Progress: checking is the first half of the bar, importing the second.
    assert [(p.status, p.percent) for p in fake.seen_progress] == [
        (JobStatus.CHECKING, 33),
        (JobStatus.IMPORTING, 66),
    ]
    assert jobs.job_progress(job).percent == 100
    audit = AuditEvent.objects.get(action="spreadsheets.import_job")
    assert audit.actor == district_coordinator_a
    assert audit.details["rows"] == 3
    assert audit.details["registered_elsewhere"] == 0


def test_a_dry_run_shows_what_the_file_would_change(client, district_coordinator_a, fake):
    fake.result = FakeResult(
        changes=[
            Change(7, "ชื่อ", "ดวงสมร", "ดวงสมอร"),
            Change(9, "เลขที่เอกสาร", "1234567890121", "1234567890139"),
        ],
        change_count=2,
    )
    job = new_job(district_coordinator_a, dry_run=True)
    jobs.job_start(job)
    client.force_login(district_coordinator_a)
    page = client.get(reverse("spreadsheets:job", args=[job.pk]))
    assert page.text.count('data-testid="change-row"') == 2
    assert "สิ่งที่ไฟล์นี้จะเปลี่ยน" in page.text and "ดวงสมอร" in page.text
    assert "1234567890139" not in page.text  # an ID-shaped number shows its last digits only


def test_a_check_that_takes_groups_off_people_shows_the_changes_open_and_marked(
    client, district_coordinator_a, fake
):
    """Many changes fold away, but not when some take recorded groups off people."""
    changes = [Change(n + 2, "โทรศัพท์", "0811111111", "0822222222") for n in range(30)]
    changes.append(Change(40, "กลุ่มเปราะบาง", "ผู้ป่วยติดเตียง", "ผู้ประสบภัยพิบัติ", "ผู้ป่วยติดเตียง"))
    fake.result = FakeResult(changes=changes, change_count=31, removal_count=1)
    job = new_job(district_coordinator_a, dry_run=True)
    jobs.job_start(job)
    client.force_login(district_coordinator_a)
    page = client.get(reverse("spreadsheets:job", args=[job.pk])).text
    assert page.count('class="removes"') == 1 and page.count('data-testid="removed"') == 1
    assert '<details class="warnings-fold" open>' in page
    assert 'data-testid="removals"' in page
    # Without removals, thirty changes of a check stay folded.
    fake.result = FakeResult(changes=changes[:30], change_count=30)
    job = new_job(district_coordinator_a, dry_run=True)
    jobs.job_start(job)
    page = client.get(reverse("spreadsheets:job", args=[job.pk])).text
    assert "removes" not in page and 'data-testid="removals"' not in page
    assert '<details class="warnings-fold" open>' not in page


def test_errors_are_kept_with_a_full_report_and_nothing_of_the_upload(district_coordinator_a, fake):
    errors = [RowError(n + 2, "วันเกิด", f"31/02/25{n:02d}", "วันที่ไม่มีจริง") for n in range(250)]
    warnings = [RowError(5, "ชื่อ", "สมชาย", "อาจซ้ำกับผู้ที่ลงทะเบียนแล้ว")]
    fake.result = FakeResult(
        errors=errors, warnings=warnings, error_count=260, warning_count=1, counts={}
    )
    job = new_job(district_coordinator_a)
    jobs.job_start(job)
    job.refresh_from_db()
    assert (job.status, job.error_count, job.warning_count) == (JobStatus.DONE, 260, 1)
    assert len(job.result["errors"]) == jobs.SHOWN
    assert job.result["errors_listed"] == 250
    assert jobs.job_errors(job)[0] == errors[0]
    assert jobs.job_warnings(job) == warnings
    report = default_storage.open(job.report_file).read().decode("utf-8-sig")
    assert report.splitlines()[0] == "แถว,คอลัมน์,ค่า,เหตุผล,ประเภท"
    assert len(report.splitlines()) == 1 + 250 + 1
    assert "31/02/2549" in report and "อาจซ้ำ" in report
    assert job.stored_file == ""
    assert not job.can_confirm


def test_a_file_that_cannot_be_read_is_a_finished_job_with_the_reason(district_coordinator_a, fake):
    fake.raises = TableError([RowError(None, "", "", "ไม่พบแถวหัวตาราง")])
    job = new_job(district_coordinator_a)
    jobs.job_start(job)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.error_count == 1
    assert jobs.job_errors(job) == [RowError(None, "", "", "ไม่พบแถวหัวตาราง")]


def test_an_unexpected_failure_fails_the_job_and_deletes_the_upload(
    district_coordinator_a, fake, caplog
):
    fake.raises = RuntimeError("boom 1-2345-67890-12-1")
    job = new_job(district_coordinator_a)
    stored = job.stored_file
    jobs.job_start(job)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.result["failure"]
    assert "boom" not in job.result["failure"]
    assert not default_storage.exists(stored) and job.stored_file == ""
    assert jobs.job_progress(job).status == JobStatus.FAILED


def test_a_job_runs_once(district_coordinator_a, fake):
    job = new_job(district_coordinator_a)
    jobs.run_import_job(job.pk)
    jobs.run_import_job(job.pk)
    assert len(fake.calls) == 1


def test_a_clean_check_keeps_the_file_until_it_is_confirmed(district_coordinator_a, fake):
    check = new_job(district_coordinator_a, dry_run=True)
    stored = check.stored_file
    jobs.job_start(check)
    check.refresh_from_db()
    assert check.succeeded and check.can_confirm
    assert default_storage.exists(stored)
    follow_up = jobs.job_confirm(actor=district_coordinator_a, job=check)
    assert jobs.job_confirm(actor=district_coordinator_a, job=check) == follow_up
    check.refresh_from_db()
    assert check.stored_file == "" and not check.can_confirm
    assert (follow_up.dry_run, follow_up.stored_file) == (False, stored)
    jobs.job_start(follow_up)
    follow_up.refresh_from_db()
    assert follow_up.status == JobStatus.DONE
    assert [call["dry_run"] for call in fake.calls] == [True, False]
    assert fake.calls[0]["data"] == fake.calls[1]["data"]
    assert not default_storage.exists(stored)


def test_a_check_with_errors_does_not_keep_the_file(district_coordinator_a, fake):
    fake.result = FakeResult(errors=[RowError(2, "ชื่อ", "", "ต้องมีชื่อ")], error_count=1)
    check = new_job(district_coordinator_a, dry_run=True)
    jobs.job_start(check)
    check.refresh_from_db()
    assert check.stored_file == "" and not check.can_confirm
    with pytest.raises(ValueError):
        jobs.job_confirm(actor=district_coordinator_a, job=check)


def test_unconfirmed_checks_are_forgotten_after_a_day(district_coordinator_a, fake):
    check = new_job(district_coordinator_a, dry_run=True)
    jobs.job_start(check)
    check.refresh_from_db()
    stored = check.stored_file
    ImportJob.objects.filter(pk=check.pk).update(
        finished_at=timezone.now() - jobs.KEEP_CHECKED - timedelta(minutes=1)
    )
    new_job(district_coordinator_a)  # any new upload tidies up
    check.refresh_from_db()
    assert check.stored_file == "" and not default_storage.exists(stored)


def test_error_reports_are_deleted_after_a_month(district_coordinator_a, fake):
    fake.result = FakeResult(errors=[RowError(2, "ชื่อ", "", "ต้องมีชื่อ")], error_count=1)
    job = new_job(district_coordinator_a)
    jobs.job_start(job)
    job.refresh_from_db()
    report = job.report_file
    assert default_storage.exists(report)
    new_job(district_coordinator_a)
    assert default_storage.exists(report)  # a recent report stays
    ImportJob.objects.filter(pk=job.pk).update(
        finished_at=timezone.now() - jobs.KEEP_REPORTS - timedelta(minutes=1)
    )
    new_job(district_coordinator_a)
    job.refresh_from_db()
    assert job.report_file == "" and not default_storage.exists(report)
    assert jobs.job_errors(job)  # the first errors stay on the result page


def test_a_job_lost_with_its_process_is_marked_failed(district_coordinator_a):
    job = new_job(district_coordinator_a)
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.CHECKING)
    job.refresh_from_db()
    assert jobs.job_progress(job).status == JobStatus.QUEUED  # the cache says queued: alive
    cache.clear()  # the process that ran it is gone, and its cache with it
    assert jobs.job_progress(job).status == JobStatus.CHECKING  # within the grace period
    ImportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - jobs.MISSING_GRACE - timedelta(seconds=1)
    )
    job.refresh_from_db()
    assert jobs.job_progress(job).status == JobStatus.FAILED
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.result["failure"]
    assert job.stored_file == ""
    assert jobs.job_running(user=district_coordinator_a) is None


def test_a_job_whose_progress_stopped_moving_is_marked_failed(district_coordinator_a):
    job = new_job(district_coordinator_a)
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.IMPORTING)
    job.refresh_from_db()
    jobs._set_progress(job.pk, JobStatus.IMPORTING, 10, 100)
    assert jobs.job_progress(job).status == JobStatus.IMPORTING
    entry = cache.get(jobs._progress_key(job.pk))
    entry["at"] -= jobs.LOST_AFTER + timedelta(seconds=1)
    cache.set(jobs._progress_key(job.pk), entry)
    assert jobs.job_progress(job).status == JobStatus.FAILED


def test_a_job_whose_process_ended_is_marked_failed_at_once(district_coordinator_a):
    job = new_job(district_coordinator_a)
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.CHECKING)
    job.refresh_from_db()
    jobs._set_progress(job.pk, JobStatus.CHECKING, 10, 100)
    assert jobs.job_progress(job).status == JobStatus.CHECKING  # this process runs it: alive
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)  # fmt: skip
    entry = cache.get(jobs._progress_key(job.pk))
    entry["runner"] = (entry["runner"][0], int(ended.stdout))
    cache.set(jobs._progress_key(job.pk), entry)
    assert jobs.job_progress(job).status == JobStatus.FAILED
    assert jobs.job_running(user=district_coordinator_a) is None


def test_a_job_run_on_another_machine_waits_for_its_progress_to_stop(district_coordinator_a):
    job = new_job(district_coordinator_a)
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.CHECKING)
    job.refresh_from_db()
    jobs._set_progress(job.pk, JobStatus.CHECKING, 10, 100)
    entry = cache.get(jobs._progress_key(job.pk))
    entry["runner"] = ("another-node", 1)
    cache.set(jobs._progress_key(job.pk), entry)
    assert jobs.job_progress(job).status == JobStatus.CHECKING


def test_job_list_is_own_jobs_except_for_a_national_admin(personas, fake):
    a = new_job(personas["district_coordinator_a"])
    b = new_job(personas["district_coordinator_b"])
    assert list(jobs.job_list(user=personas["district_coordinator_a"])) == [a]
    assert list(jobs.job_list(user=personas["province_officer"])) == []
    assert set(jobs.job_list(user=personas["national_admin"])) == {a, b}


# serialized_rollback: put the migrations' reference data back for the tests that follow.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_default_runs_the_job_in_a_thread(personas, fake, settings):
    settings.CARENET_JOBS_INLINE = False
    job = new_job(personas["district_coordinator_a"])
    thread = jobs.job_start(job)
    assert thread is not None
    thread.join(timeout=30)
    assert not thread.is_alive()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert len(fake.calls) == 1


def test_kept_reports_show_citizen_ids_masked(district_coordinator_a, fake):
    errors = [RowError(4, "เลขประจำตัวประชาชน", "1-2345-67890-12-2", "เลขตรวจสอบไม่ถูกต้อง")]
    warnings = [RowError(7, "ชื่อ", "มาลี", "เลข 1234567890121 ซ้ำกับแถว 3")]
    fake.result = FakeResult(
        errors=errors, warnings=warnings, error_count=1, warning_count=1, counts={}
    )
    job = new_job(district_coordinator_a)
    jobs.job_start(job)
    job.refresh_from_db()
    assert jobs.job_errors(job) == [
        RowError(4, "เลขประจำตัวประชาชน", "x-xxxx-xxxxx-12-2", "เลขตรวจสอบไม่ถูกต้อง")
    ]
    assert jobs.job_warnings(job)[0].reason == "เลข x-xxxx-xxxxx-12-1 ซ้ำกับแถว 3"
    report = default_storage.open(job.report_file).read().decode("utf-8-sig")
    assert "x-xxxx-xxxxx-12-2" in report
    assert "2345" not in report and "67890" not in report


def test_kept_reports_mask_a_citizen_id_cell_of_any_length(district_coordinator_a, fake):
    errors = [RowError(4, "เลขประจำตัวประชาชน", "124599568230", "มี 13 หลัก", id_cell=True)]
    fake.result = FakeResult(errors=errors, warnings=[], error_count=1, warning_count=0, counts={})
    job = new_job(district_coordinator_a)
    jobs.job_start(job)
    job.refresh_from_db()
    assert [e.value for e in jobs.job_errors(job)] == ["xxxxxxxxx230"]
    report = default_storage.open(job.report_file).read().decode("utf-8-sig")
    assert "xxxxxxxxx230" in report and "1245995" not in report


@pytest.mark.parametrize(
    ("status", "done", "check_only", "percent"),
    [
        (JobStatus.CHECKING, 75, False, 37),  # checking is the first half of an import
        (JobStatus.IMPORTING, 50, False, 75),
        (JobStatus.CHECKING, 75, True, 75),  # and the whole of a check
        (JobStatus.IMPORTING, 100, True, 99),
        (JobStatus.DONE, 100, True, 100),
    ],
)
def test_the_bar_of_a_check_only_fills_as_the_file_is_checked(status, done, check_only, percent):
    progress = jobs.Progress(status, done, 100, check_only=check_only)
    assert progress.percent == percent
