"""Large Excel exports as jobs: scope, who may open the job and its file, progress, clean-up.

DIRECT_ROWS is set to 0 here so that the small test registry goes the way of a province's.
"""

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from carenet.core.models import AuditEvent
from carenet.spreadsheets import columns, export_jobs, exporting
from carenet.spreadsheets.models import ExportJob, ExportStatus
from carenet.spreadsheets.tests.registry_data import (
    HOUSEHOLDS_SEEN,
    VOLUNTEERS_SEEN,
    build_registry,
)
from carenet.spreadsheets.tests.test_exports import EXPORTERS, read_xlsx, surnames
from conftest import PERSONAS, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(area_tree, personas):
    return build_registry(area_tree, personas)


@pytest.fixture(autouse=True)
def every_xlsx_is_a_job(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CARENET_JOBS_INLINE = True
    monkeypatch.setattr(export_jobs, "DIRECT_ROWS", 0)


def export_url(dataset: str = "households", fmt: str = "xlsx") -> str:
    return reverse("spreadsheets:export", args=[dataset, fmt])


def file_bytes(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("dataset", ["households", "volunteers"])
def test_a_large_excel_export_is_a_job_holding_exactly_the_scope(
    client, registry, persona, dataset
):
    login(client, persona)
    before = AuditEvent.objects.count()
    response = client.get(export_url(dataset))
    if persona not in EXPORTERS:
        assert response.status_code == 403
        assert not ExportJob.objects.exists()
        return
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("spreadsheets:export_job", args=[job.pk])
    assert AuditEvent.objects.count() == before + 1  # when asked for, not again when written
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert 'data-testid="export-download"' in page.text
    download = client.get(reverse("spreadsheets:export_job_file", args=[job.pk]))
    assert download.status_code == 200
    assert download["Cache-Control"] == "no-store"
    assert download["Content-Disposition"].startswith("attachment;")
    assert job.file_name in download["Content-Disposition"]
    rows = read_xlsx(file_bytes(download))
    if dataset == "households":
        assert surnames(rows, columns.household_headers()) == HOUSEHOLDS_SEEN[persona]
    else:
        assert surnames(rows, columns.volunteer_headers()) == VOLUNTEERS_SEEN[persona]
    job.refresh_from_db()
    assert (job.status, job.done_rows) == (ExportStatus.DONE, len(rows) - 1)


@pytest.mark.parametrize("other", ["national_admin", "district_coordinator_b", "auditor"])
def test_only_who_asked_may_open_the_job_and_its_file(client, registry, other):
    login(client, "district_coordinator_a")
    client.get(export_url())
    job = ExportJob.objects.get()
    urls = [
        reverse("spreadsheets:export_job", args=[job.pk]),
        reverse("spreadsheets:export_job_progress", args=[job.pk]),
        reverse("spreadsheets:export_job_file", args=[job.pk]),
    ]
    assert all(client.get(url).status_code == 200 for url in urls)
    login(client, other)
    assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    assert (
        reverse("spreadsheets:export_job", args=[job.pk])
        not in client.get(reverse("spreadsheets:home")).text
    )
    client.logout()
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_a_volunteer_cannot_open_a_job_page(client, registry):
    login(client, "volunteer_a")
    assert client.get(reverse("spreadsheets:export_job", args=[1])).status_code == 403


def test_csv_and_small_workbooks_are_sent_at_once(client, registry, monkeypatch):
    login(client, "district_coordinator_a")
    assert client.get(export_url(fmt="csv")).status_code == 200
    monkeypatch.setattr(export_jobs, "DIRECT_ROWS", 10_000)
    response = client.get(export_url())
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert not ExportJob.objects.exists()


def test_the_area_and_status_chosen_go_with_the_job(client, registry):
    login(client, "district_coordinator_a")
    client.get(export_url("volunteers"), {"area": "860101", "status": "active"})
    job = ExportJob.objects.get()
    assert (job.area_code, job.volunteer_status) == ("860101", "active")
    assert "860101" in job.file_name and "active" in job.file_name
    login(client, "district_coordinator_a")
    assert client.get(export_url(), {"area": "8602"}).status_code == 404  # out of scope
    assert ExportJob.objects.count() == 1


def test_the_households_filters_go_with_the_job(client, registry):
    login(client, "district_coordinator_a")
    client.get(export_url(), {"unserved": "on"})
    job = ExportJob.objects.get()
    assert job.household_subset == {"unserved": True} and "unserved" in job.file_name
    download = client.get(reverse("spreadsheets:export_job_file", args=[job.pk]))
    assert surnames(read_xlsx(file_bytes(download)), columns.household_headers()) == {"ศรีสุข"}


def test_the_home_page_lists_the_users_recent_exports(client, registry):
    login(client, "district_coordinator_a")
    client.get(export_url())
    job = ExportJob.objects.get()
    page = client.get(reverse("spreadsheets:home")).text
    assert 'data-testid="export-jobs"' in page
    assert reverse("spreadsheets:export_job", args=[job.pk]) in page


def test_the_progress_says_the_rows_written(client, registry, personas):
    user = personas["district_coordinator_a"]
    export = exporting.export_prepare(user=user, dataset="households", fmt="xlsx")
    job = export_jobs.export_job_create(actor=user, export=export)
    login(client, "district_coordinator_a")
    waiting = client.get(reverse("spreadsheets:export_job_progress", args=[job.pk]))
    assert 'data-status="queued"' in waiting.text and "hx-get" in waiting.text
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.WRITING, done_rows=1)
    writing = client.get(reverse("spreadsheets:export_job_progress", args=[job.pk]))
    assert f"แถวที่ 1 จาก {job.total_rows}" in writing.text
    assert client.get(reverse("spreadsheets:export_job_file", args=[job.pk])).status_code == 404


def test_one_export_job_at_a_time_for_each_user(client, registry, personas):
    """Clicking export again while a province's workbook is being written sends the user
    to the job under way; another user, or a job lost with its process, does not count."""
    user = personas["district_coordinator_a"]
    running = ExportJob.objects.create(user=user, dataset="households", fmt="xlsx")
    login(client, "district_coordinator_a")
    response = client.get(export_url(), follow=True)
    assert response.redirect_chain[-1][0] == reverse("spreadsheets:export_job", args=[running.pk])
    assert "ยังเขียนไม่เสร็จ" in response.text
    assert ExportJob.objects.count() == 1
    login(client, "province_officer")
    assert client.get(export_url()).status_code == 302
    assert ExportJob.objects.count() == 2
    ExportJob.objects.filter(pk=running.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    login(client, "district_coordinator_a")
    client.get(export_url())
    assert ExportJob.objects.filter(user=user).count() == 2
    running.refresh_from_db()
    assert running.status == ExportStatus.FAILED


def test_a_job_runs_once(registry, personas):
    user = personas["district_coordinator_a"]
    export = exporting.export_prepare(user=user, dataset="households", fmt="xlsx")
    job = export_jobs.export_job_create(actor=user, export=export)
    export_jobs.run_export_job(job.pk)
    job.refresh_from_db()
    stored = job.stored_file
    export_jobs.run_export_job(job.pk)
    job.refresh_from_db()
    assert job.stored_file == stored


def test_a_scope_taken_away_before_the_job_runs_fails_it(registry, personas):
    user = personas["district_coordinator_a"]
    job = ExportJob.objects.create(user=user, dataset="households", fmt="xlsx", area_code="8602")
    export_jobs.run_export_job(job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED
    assert job.failure == "พื้นที่นี้ไม่อยู่ในขอบเขตของท่านแล้ว"
    assert not job.stored_file


def test_a_job_stopped_with_its_process_is_marked_failed(client, registry, personas):
    user = personas["district_coordinator_a"]
    job = ExportJob.objects.create(user=user, dataset="households", fmt="xlsx")
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.WRITING, updated_at=timezone.now() - timedelta(hours=1)
    )
    login(client, "district_coordinator_a")
    page = client.get(reverse("spreadsheets:export_job", args=[job.pk]))
    assert 'data-status="failed"' in page.text and "hx-get" not in page.text
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED


def test_files_are_deleted_after_a_day(client, registry):
    login(client, "district_coordinator_a")
    client.get(export_url())
    old = ExportJob.objects.get()
    assert default_storage.exists(old.stored_file)
    ExportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    client.get(export_url())  # the next export clears the old files
    gone = ExportJob.objects.get(pk=old.pk)
    assert not gone.stored_file
    assert not default_storage.exists(old.stored_file)
    page = client.get(reverse("spreadsheets:export_job", args=[old.pk]))
    assert "export-download" not in page.text
    assert client.get(reverse("spreadsheets:export_job_file", args=[old.pk])).status_code == 404
    home = client.get(reverse("spreadsheets:home")).text  # a day on, no longer listed
    assert reverse("spreadsheets:export_job", args=[old.pk]) not in home


def test_the_nightly_command_deletes_old_export_files(client, registry):
    from django.core.management import call_command

    login(client, "district_coordinator_a")
    client.get(export_url())
    job = ExportJob.objects.get()
    kept = job.stored_file
    call_command("forget_old_files")
    assert default_storage.exists(kept)  # still within its day
    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(days=2))
    call_command("forget_old_files")
    assert not default_storage.exists(kept)
    job.refresh_from_db()
    assert job.stored_file == ""
