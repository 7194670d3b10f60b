"""The import & export pages: access matrix, upload checks, job pages, progress and report."""

import codecs
import csv
import io
from collections.abc import Sequence

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from carenet.accounts.models import User
from carenet.core.citizen_id import checksum_digit
from carenet.core.tabular import RowError, error_report_csv
from carenet.households.models import Person
from carenet.spreadsheets import columns, jobs
from carenet.spreadsheets.forms import check_file_kind
from carenet.spreadsheets.models import ImportJob, JobStatus
from conftest import PERSONAS, login

pytestmark = pytest.mark.django_db

EXPORTERS = {"national_admin", "auditor", "province_officer", "district_coordinator_a",
             "district_coordinator_b"}  # fmt: skip
IMPORTERS = {"national_admin", "province_officer", "district_coordinator_a",
             "district_coordinator_b"}  # fmt: skip


@pytest.fixture(autouse=True)
def media_and_cache(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CARENET_JOBS_INLINE = True
    cache.clear()
    yield
    cache.clear()


def finished_job(user: User, *, errors: int = 0, dry_run: bool = False, **extra) -> ImportJob:
    """A job as the runner leaves it, with a report file when it had errors."""
    rows: list[list] = [
        [n + 2, "เลขประจำตัวประชาชน", f"12345{n}", "เลขประจำตัวประชาชนไม่ถูกต้อง"] for n in range(errors)
    ]
    report = ""
    if errors:
        report = default_storage.save(
            "imports/reports/test.csv",
            ContentFile(error_report_csv(RowError(*row) for row in rows)),
        )
    values = {
        "user": user,
        "kind": "households",
        "file_name": "ครัวเรือน ต.ท่าตะเภา.xlsx",
        "status": JobStatus.DONE,
        "dry_run": dry_run,
        "total_rows": 12,
        "error_count": errors,
        "report_file": report,
        "result": {
            "counts": {},
            "errors": rows[: jobs.SHOWN],
            "errors_listed": errors,
            "warnings": [],
        },
        **extra,
    }
    return ImportJob.objects.create(**values)


def csv_upload(name: str = "households.csv", text: str | None = None) -> SimpleUploadedFile:
    if text is None:
        text = ",".join(columns.household_headers()) + "\n"
    return SimpleUploadedFile(name, text.encode("utf-8-sig"), content_type="text/csv")


# --- Landing page --------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_landing_page_access_matrix(client, personas, persona):
    login(client, persona)
    response = client.get(reverse("spreadsheets:home"))
    if persona not in EXPORTERS:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    body = response.content.decode()
    assert reverse("spreadsheets:export", args=["households", "xlsx"]) in body
    assert "ย้ายออก เสียชีวิต หรือปิดแล้ว" in body  # what the households file leaves out
    assert response.context["can_import"] == (persona in IMPORTERS)
    assert ('data-testid="import-card"' in body) == (persona in IMPORTERS)


def test_landing_page_lists_own_jobs_and_national_admin_sees_all(client, personas):
    mine = finished_job(personas["district_coordinator_a"])
    theirs = finished_job(personas["district_coordinator_b"])
    login(client, "district_coordinator_a")
    assert client.get(reverse("spreadsheets:home")).context["jobs"] == [mine]
    client.logout()
    login(client, "national_admin")
    assert client.get(reverse("spreadsheets:home")).context["jobs"] == [theirs, mine]


def test_landing_page_area_choices_are_the_scope(client, personas):
    login(client, "district_coordinator_b")
    response = client.get(reverse("spreadsheets:home"))
    assert [a.code for a in response.context["areas"]] == ["8602", "860201"]


def test_landing_page_query_count_does_not_grow_with_jobs(
    client, personas, django_assert_max_num_queries
):
    login(client, "national_admin")
    finished_job(personas["district_coordinator_a"])
    with django_assert_max_num_queries(15) as few:
        client.get(reverse("spreadsheets:home"))
    for persona in ("district_coordinator_a", "district_coordinator_b", "province_officer"):
        for _ in range(5):
            finished_job(personas[persona])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("spreadsheets:home"))
    assert len(response.context["jobs"]) == 10


@pytest.mark.parametrize(
    "name", ["home", "upload", "job", "job_progress", "job_report", "job_confirm"]
)
def test_anonymous_users_are_sent_to_login(client, personas, name):
    job = finished_job(personas["district_coordinator_a"], errors=1)
    args = [] if name in ("home", "upload") else [job.pk]
    response = client.get(reverse(f"spreadsheets:{name}", args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# --- Upload --------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_upload_page_access_matrix(client, personas, persona):
    login(client, persona)
    response = client.get(reverse("spreadsheets:upload"))
    assert response.status_code == (200 if persona in IMPORTERS else 403)


def test_the_upload_page_names_the_english_headers_on_an_english_page(client, personas, settings):
    login(client, "district_coordinator_a")
    thai = client.get(reverse("spreadsheets:upload")).content.decode()
    assert '<span lang="th" class="muted">' not in thai
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(reverse("spreadsheets:upload")).content.decode()
    chips = english.split('data-testid="columns-households"')[1]
    assert 'household_ref <span lang="th" class="muted">รหัสครัวเรือน</span>' in chips


def test_the_upload_page_lists_the_words_each_coded_column_takes(client, personas):
    """An office fills its sheet before the first upload: the words come before any error."""
    login(client, "district_coordinator_a")
    page = client.get(reverse("spreadsheets:upload")).content.decode()
    households = page.split('data-testid="words-households"')[1].split("</dl>")[0]
    assert "คนพิการ, ผู้ป่วยติดเตียง" in households  # several may be given
    assert "คั่นด้วยจุลภาค" in households
    assert "“ใช่” หรือ “ไม่” หรือเว้นว่าง" in households  # ติดเตียง, อยู่ลำพัง
    assert "บ้านของตนเอง, เช่า" in households
    assert "ผู้สูงอายุ" not in households.split("กลุ่มเปราะบาง")[1].split("</dd>")[0]  # worked out
    assert "หัวหน้าครัวเรือน, คู่สมรส, บุตร, บิดาหรือมารดา" in households  # child, a relation
    volunteers = page.split('data-testid="words-volunteers"')[1].split("</dl>")[0]
    assert "อสม." in volunteers


@pytest.mark.parametrize("persona", sorted(set(PERSONAS) - IMPORTERS))
def test_upload_is_refused_without_import_permission_and_changes_nothing(
    client, personas, persona, settings
):
    login(client, persona)
    response = client.post(
        reverse("spreadsheets:upload"),
        {"kind": "households", "file": csv_upload(), "on_existing": "update"},
    )
    assert response.status_code == 403
    assert not ImportJob.objects.exists()
    assert not (settings.MEDIA_ROOT / "imports").exists()


def post_upload(client, upload, **fields):
    data = {"kind": "households", "on_existing": "update", "file": upload, **fields}
    return client.post(reverse("spreadsheets:upload"), data)


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (SimpleUploadedFile("notes.pdf", b"%PDF-1.4 ..."), "file_type"),
        (SimpleUploadedFile("photo.jpg", b"\xff\xd8\xff\xe0 JFIF"), "file_type"),
        (SimpleUploadedFile("noname", b"a,b\n1,2\n"), "file_type"),
        (SimpleUploadedFile("scan.xlsx", b"%PDF-1.4 ..."), "not_workbook"),
        (SimpleUploadedFile("binary.csv", b"abc\x00\x01\x02"), "not_csv"),
        (SimpleUploadedFile("report.xls", b"<html><table><tr><td>1"), "markup"),
        (SimpleUploadedFile("old.xls", b'\xef\xbb\xbf<?xml version="1.0"?>'), "markup"),
        (SimpleUploadedFile("empty.csv", b""), "empty"),
    ],
)
def test_wrong_files_are_refused_beside_the_field(client, personas, settings, upload, code):
    login(client, "district_coordinator_a")
    response = post_upload(client, upload)
    assert response.status_code == 400
    form = response.context["form"]
    assert form.has_error("file", code)
    assert form.errors["file"][0] in response.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("households.xlsx", "รหัสตำบล,ชื่อ\n".encode()),  # a CSV named as a workbook
        ("households.csv", b"PK\x03\x04 a workbook named as a CSV"),
    ],
)
def test_a_file_named_as_the_other_kind_is_read_by_its_contents(name, content):
    check_file_kind(name, content)  # no ValidationError: the reader goes by the contents


def test_too_large_a_file_is_refused_with_the_limit(client, personas, settings):
    settings.CARENET_IMPORT_MAX_BYTES = 1024
    login(client, "district_coordinator_a")
    response = post_upload(client, csv_upload(text="x" * 2048))
    form = response.context["form"]
    assert form.has_error("file", "too_large")
    assert "1.0" in form.errors["file"][0]  # the limit, 1.0 KB, is named
    assert not ImportJob.objects.exists()


def test_a_missing_file_or_kind_is_refused(client, personas):
    login(client, "district_coordinator_a")
    response = client.post(reverse("spreadsheets:upload"), {"kind": "people"})
    form = response.context["form"]
    assert form.has_error("file", "required")
    assert form.has_error("kind", "invalid_choice")
    assert not ImportJob.objects.exists()


def test_upload_waits_for_the_previous_import(client, personas):
    user = personas["district_coordinator_a"]
    running = ImportJob.objects.create(user=user, kind="households", file_name="a.csv")
    login(client, "district_coordinator_a")
    page = client.get(reverse("spreadsheets:upload"))
    assert page.context["running"] == running
    response = post_upload(client, csv_upload())
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert ImportJob.objects.count() == 1


# --- Job pages -----------------------------------------------------------------------------

JOB_VIEWS = ["job", "job_progress", "job_report"]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", JOB_VIEWS)
def test_job_pages_access_matrix(client, personas, persona, name):
    job = finished_job(personas["district_coordinator_a"], errors=3)
    login(client, persona)
    response = client.get(reverse(f"spreadsheets:{name}", args=[job.pk]))
    if persona not in IMPORTERS:
        assert response.status_code == 403
    elif persona in ("district_coordinator_a", "national_admin"):
        assert response.status_code == 200
    else:
        # Another coordinator's job, even in a province the user covers: not theirs.
        assert response.status_code == 404


@pytest.mark.parametrize("name", JOB_VIEWS)
def test_a_missing_job_and_another_users_job_look_the_same(client, personas, name):
    job = finished_job(personas["district_coordinator_b"], errors=1)
    login(client, "district_coordinator_a")
    theirs = client.get(reverse(f"spreadsheets:{name}", args=[job.pk]))
    missing = client.get(reverse(f"spreadsheets:{name}", args=[job.pk + 1000]))
    assert theirs.status_code == missing.status_code == 404


def test_result_page_shows_the_first_errors_and_offers_the_full_report(client, personas):
    job = finished_job(personas["district_coordinator_a"], errors=jobs.SHOWN + 5)
    login(client, "district_coordinator_a")
    response = client.get(reverse("spreadsheets:job", args=[job.pk]))
    body = response.content.decode()
    assert body.count('data-testid="error-row"') == jobs.SHOWN
    assert "123450" in body
    assert f"12345{jobs.SHOWN + 4}" not in body
    assert reverse("spreadsheets:job_report", args=[job.pk]) in body
    report = client.get(reverse("spreadsheets:job_report", args=[job.pk]))
    assert report["Content-Disposition"].startswith("attachment;")
    data = b"".join(report.streaming_content)
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").count("\n") == jobs.SHOWN + 5 + 1


def test_a_job_without_errors_has_no_report(client, personas):
    job = finished_job(personas["district_coordinator_a"])
    login(client, "district_coordinator_a")
    assert client.get(reverse("spreadsheets:job_report", args=[job.pk])).status_code == 404
    body = client.get(reverse("spreadsheets:job", args=[job.pk])).content.decode()
    assert 'data-testid="error-row"' not in body


@pytest.mark.parametrize(("errors", "heading"), [(0, "What the file changed"), (1, "would")])
def test_the_changes_of_an_import_that_failed_are_what_it_would_change(
    client, personas, settings, errors, heading
):
    """Nothing was saved: the changes listed are those the file will make once corrected."""
    job = finished_job(personas["district_coordinator_a"], errors=errors)
    job.result["changes"] = [[3, "โทรศัพท์", "081", "089"]]
    job.save()
    login(client, "district_coordinator_a")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(reverse("spreadsheets:job", args=[job.pk])).content.decode()
    assert 'data-testid="changes"' in body and heading in body


def test_failed_job_shows_its_reason(client, personas):
    job = finished_job(
        personas["district_coordinator_a"],
        status=JobStatus.FAILED,
        result={"failure": "เหตุผลที่ล้มเหลว"},
    )
    login(client, "district_coordinator_a")
    body = client.get(reverse("spreadsheets:job", args=[job.pk])).content.decode()
    assert "เหตุผลที่ล้มเหลว" in body


def test_running_job_page_polls_its_progress(client, personas):
    job = ImportJob.objects.create(
        user=personas["district_coordinator_a"], kind="volunteers", file_name="v.csv"
    )
    jobs._set_progress(job.pk, JobStatus.CHECKING, 30, 120)
    login(client, "district_coordinator_a")
    page = client.get(reverse("spreadsheets:job", args=[job.pk]))
    progress_url = reverse("spreadsheets:job_progress", args=[job.pk])
    assert f'hx-get="{progress_url}"' in page.content.decode()
    fragment = client.get(progress_url, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "HX-Redirect" not in fragment
    assert 'aria-valuenow="12"' in fragment.content.decode()  # 30 of 120 checked: 12 %
    jobs._set_progress(job.pk, JobStatus.IMPORTING, 60, 120)
    assert 'aria-valuenow="75"' in client.get(progress_url).content.decode()


def test_progress_of_a_finished_job_sends_the_page_to_the_result(client, personas):
    job = finished_job(personas["district_coordinator_a"])
    login(client, "district_coordinator_a")
    fragment = client.get(reverse("spreadsheets:job_progress", args=[job.pk]))
    assert fragment["HX-Redirect"] == reverse("spreadsheets:job", args=[job.pk])


@pytest.mark.parametrize("persona", PERSONAS)
def test_confirm_access_matrix(client, personas, persona, monkeypatch):
    job = finished_job(
        personas["district_coordinator_a"], dry_run=True, stored_file="imports/x.csv"
    )
    started = []
    monkeypatch.setattr(jobs, "job_start", started.append)
    login(client, persona)
    response = client.post(reverse("spreadsheets:job_confirm", args=[job.pk]))
    job.refresh_from_db()
    if persona in ("district_coordinator_a", "national_admin"):
        assert response.status_code == 302
        assert job.follow_up is not None
        assert response["Location"] == reverse("spreadsheets:job", args=[job.follow_up.pk])
        assert started == [job.follow_up]
    else:
        assert response.status_code == (404 if persona in IMPORTERS else 403)
        assert job.follow_up is None
        assert ImportJob.objects.count() == 1
        assert started == []


def test_confirm_twice_imports_once(client, personas, monkeypatch):
    job = finished_job(
        personas["district_coordinator_a"], dry_run=True, stored_file="imports/x.csv"
    )
    monkeypatch.setattr(jobs, "job_start", lambda job: None)
    login(client, "district_coordinator_a")
    first = client.post(reverse("spreadsheets:job_confirm", args=[job.pk]))
    second = client.post(reverse("spreadsheets:job_confirm", args=[job.pk]))
    assert first["Location"] == second["Location"]
    assert ImportJob.objects.count() == 2


def test_confirm_needs_a_clean_check_and_a_post(client, personas):
    with_errors = finished_job(
        personas["district_coordinator_a"], errors=2, dry_run=True, stored_file="imports/y.csv"
    )
    imported = finished_job(personas["district_coordinator_a"])
    login(client, "district_coordinator_a")
    for job in (with_errors, imported):
        assert client.post(reverse("spreadsheets:job_confirm", args=[job.pk])).status_code == 404
    clean = finished_job(
        personas["district_coordinator_a"], dry_run=True, stored_file="imports/z.csv"
    )
    assert client.get(reverse("spreadsheets:job_confirm", args=[clean.pk])).status_code == 405
    assert ImportJob.objects.count() == 3


def xlsx_bytes(rows: Sequence[Sequence[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- Blank templates -----------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("dataset", ["households", "volunteers"])
def test_blank_template_has_the_import_headers(client, personas, persona, dataset):
    login(client, persona)
    response = client.get(reverse("spreadsheets:template", args=[dataset]))
    if persona not in IMPORTERS:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    expected = (
        columns.household_headers() if dataset == "households" else columns.volunteer_headers()
    )
    expected.remove("ข้อมูล ณ")  # data typed in, not read from Carenet
    if dataset == "volunteers":
        expected.remove("จำนวนครัวเรือนที่ดูแล")  # counted by Carenet, never typed in
    else:
        expected.remove("อพยพไปที่")  # recorded on the household's page, never imported
        for worked_out in ("ลำดับความสำคัญ", "คะแนนความสำคัญ", "กลุ่มเปราะบางของครัวเรือน"):
            expected.remove(worked_out)  # Carenet works them out from the members
    assert [list(row) for row in rows] == [expected]
    # Typing helps: the ID column keeps 13 digits as text, and the sex column offers its words.
    sheet = book.worksheets[0]
    letter = {header: get_column_letter(n) for n, header in enumerate(expected, start=1)}
    assert sheet.column_dimensions[letter["เลขประจำตัวประชาชน"]].number_format == "@"
    offered = {
        str(v.sqref).split(":")[0][:-1]: v.formula1 for v in sheet.data_validations.dataValidation
    }
    assert offered[letter["เพศ"]] == '"ชาย,หญิง,ไม่ระบุ"'


def test_blank_template_anonymous_goes_to_login(client):
    response = client.get(reverse("spreadsheets:template", args=["households"]))
    assert response.status_code == 302


# --- Uploads through the real importer -----------------------------------------------------

THAI = {c.key: c.label for c in columns.HOUSEHOLD_COLUMNS}


def valid_id(number: int) -> str:
    first = f"3{number:011d}"
    return first + str(checksum_digit(first))


def household_row(**values: str) -> dict[str, str]:
    row = {
        "household_ref": "H1",
        "house_no": "12/3",
        "moo": "1",
        "subdistrict": "ท่าตะเภา",
        "district": "เมืองชุมพร",
        "province": "ชุมพร",
        "citizen_id": valid_id(1),
        "title": "นาย",
        "first_name": "สมชาย",
        "last_name": "นำเข้าดี",
        "birth_date": "15/06/2490",
        "sex": "ชาย",
        "relation": "หัวหน้าครัวเรือน",
    }
    row.update(values)
    return row


GOOD_ROWS = [
    household_row(),
    household_row(citizen_id=valid_id(2), title="นาง", first_name="สมศรี", sex="หญิง",
                  relation="คู่สมรส", birth_date="02/01/2495"),
    household_row(household_ref="H2", house_no="5", subdistrict="ปากน้ำ", citizen_id=valid_id(3),
                  title="นางสาว", first_name="มาลี", birth_date="01/04/2533", sex="หญิง"),
]  # fmt: skip
BAD_ROWS = [
    household_row(household_ref="H3", house_no="9", citizen_id="1234567890123", first_name="ผิด"),
    household_row(household_ref="H4", house_no="10", subdistrict="ไม่มีตำบลนี้",
                  citizen_id=valid_id(4), first_name="หลง"),
]  # fmt: skip


def households_csv(rows: list[dict[str, str]]) -> bytes:
    keys = [key for key in THAI if any(key in row for row in rows)]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([THAI[key] for key in keys])
    for row in rows:
        writer.writerow([row.get(key, "") for key in keys])
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def households_xlsx(rows: list[dict[str, str]]) -> bytes:
    keys = [key for key in THAI if any(key in row for row in rows)]
    return xlsx_bytes([[THAI[key] for key in keys]] + [[r.get(k, "") for k in keys] for r in rows])


def test_a_clean_upload_imports_and_shows_what_it_did(client, personas):
    login(client, "district_coordinator_a")
    response = post_upload(client, SimpleUploadedFile("ครัวเรือน.xlsx", households_xlsx(GOOD_ROWS)))
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("spreadsheets:job", args=[job.pk])
    assert (job.status, job.error_count, job.total_rows) == (JobStatus.DONE, 0, 3)
    assert Person.objects.filter(last_name="นำเข้าดี").count() == 3
    page = client.get(response["Location"])
    counts = {row.label: row.created for row in page.context["counts"]}
    assert list(counts.values()) == [2, 3]  # households, people
    assert 'data-testid="error-row"' not in page.content.decode()
    assert job.stored_file == ""


def test_an_upload_with_bad_rows_imports_nothing_and_lists_them(client, personas):
    login(client, "district_coordinator_a")
    data = households_csv(GOOD_ROWS + BAD_ROWS)
    response = post_upload(client, SimpleUploadedFile("ครัวเรือน.csv", data))
    job = ImportJob.objects.get()
    assert job.status == JobStatus.DONE
    assert job.error_count >= 2
    assert not Person.objects.filter(last_name="นำเข้าดี").exists()
    page = client.get(response["Location"])
    body = page.content.decode()
    assert body.count('data-testid="error-row"') == job.error_count
    rows = {error.row for error in page.context["errors"]}
    assert rows == {5, 6}  # the header is row 1
    assert "x-xxxx-xxxxx-12-3" in body and "ไม่มีตำบลนี้" in body
    assert "1234567890123" not in body
    report = client.get(reverse("spreadsheets:job_report", args=[job.pk]))
    lines = b"".join(report.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0] == "แถว,คอลัมน์,ค่า,เหตุผล,ประเภท"
    assert len(lines) == 1 + job.error_count + job.warning_count


@pytest.mark.parametrize("language", ["th", "en"])
def test_the_reasons_are_in_the_language_of_the_page_that_uploaded(
    client, personas, settings, language
):
    login(client, "district_coordinator_a")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    post_upload(client, SimpleUploadedFile("ครัวเรือน.csv", households_csv(BAD_ROWS)))
    job = ImportJob.objects.get()
    assert job.language == language
    reasons = " ".join(error.reason for error in jobs.job_errors(job))
    thai = any("\u0e00" <= ch <= "\u0e7f" for ch in reasons.replace("ไม่มีตำบลนี้", ""))
    assert thai == (language == "th"), reasons


def test_an_upload_outside_the_scope_is_refused_row_by_row(client, personas):
    login(client, "district_coordinator_b")
    post_upload(client, SimpleUploadedFile("ครัวเรือน.csv", households_csv(GOOD_ROWS)))
    job = ImportJob.objects.get()
    assert job.error_count == 3
    assert not Person.objects.filter(last_name="นำเข้าดี").exists()


@pytest.mark.parametrize(
    "data",
    [
        "ไม่ใช่ตาราง\nแค่ข้อความ\n".encode(),
        b"\xef\xbb\xbf",
        "ชื่อ,นามสกุล\n".encode("utf-16"),
        b"a,b,c\n\x81\x82\x83\xfe\xff\n",
    ],
)
def test_a_file_that_does_not_parse_shows_the_reason(client, personas, data):
    login(client, "district_coordinator_a")
    response = post_upload(client, SimpleUploadedFile("ข้อมูล.csv", data))
    if response.status_code == 400:  # refused by the form: nothing to parse
        assert response.context["form"].errors
        return
    job = ImportJob.objects.get()
    assert job.status == JobStatus.DONE and job.error_count >= 1
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert page.context["errors"][0].reason in page.content.decode()


def test_a_damaged_workbook_shows_the_reason(client, personas):
    login(client, "district_coordinator_a")
    response = post_upload(client, SimpleUploadedFile("เสีย.xlsx", b"PK\x03\x04 not really a zip"))
    job = ImportJob.objects.get()
    assert job.error_count == 1
    page = client.get(response["Location"])
    assert page.context["errors"][0].reason in page.content.decode()


def test_a_check_saves_nothing_and_confirming_imports_the_same_file(client, personas):
    login(client, "district_coordinator_a")
    data = households_csv(GOOD_ROWS)
    response = post_upload(client, SimpleUploadedFile("ครัวเรือน.csv", data), dry_run="on")
    check = ImportJob.objects.get()
    assert check.dry_run and check.succeeded and check.can_confirm
    assert not Person.objects.filter(last_name="นำเข้าดี").exists()
    page = client.get(response["Location"])
    assert reverse("spreadsheets:job_confirm", args=[check.pk]) in page.content.decode()
    confirmed = client.post(reverse("spreadsheets:job_confirm", args=[check.pk]))
    follow_up = ImportJob.objects.exclude(pk=check.pk).get()
    assert confirmed["Location"] == reverse("spreadsheets:job", args=[follow_up.pk])
    assert follow_up.status == JobStatus.DONE and not follow_up.dry_run
    assert Person.objects.filter(last_name="นำเข้าดี").count() == 3
    assert not default_storage.exists(check.stored_file or "imports/none")


def test_importing_the_same_file_twice_changes_nothing(client, personas):
    login(client, "district_coordinator_a")
    data = households_csv(GOOD_ROWS)
    post_upload(client, SimpleUploadedFile("ครัวเรือน.csv", data))
    post_upload(client, SimpleUploadedFile("ครัวเรือน.csv", data), on_existing="skip")
    second = ImportJob.objects.order_by("-pk").first()
    assert second.error_count == 0
    assert second.result["counts"]["people"]["created"] == 0
    assert Person.objects.filter(last_name="นำเข้าดี").count() == 3


def test_an_upload_that_changes_registered_people_waits_for_the_uploader_to_confirm(
    client, personas
):
    """A blank groups column clears flags, a renamed person keeps their ID: the uploader sees
    every change before it is made, not after."""
    login(client, "district_coordinator_a")
    post_upload(client, SimpleUploadedFile("ครัวเรือน.csv", households_csv(GOOD_ROWS)))
    first = ImportJob.objects.get()
    assert first.succeeded and not first.dry_run  # only new people: imported at once
    changed = [{**GOOD_ROWS[0], "phone": "0899999999"}, *GOOD_ROWS[1:]]
    response = post_upload(client, SimpleUploadedFile("แก้ไข.csv", households_csv(changed)))
    held = ImportJob.objects.exclude(pk=first.pk).get()
    assert held.succeeded and held.dry_run and held.result["held"] and held.can_confirm
    assert not Person.objects.filter(phone="0899999999").exists()
    page = client.get(response["Location"]).content.decode()
    assert "ยังไม่มีการบันทึกข้อมูลใด ๆ" in page and "นำเข้าและเปลี่ยนแปลงตามนี้" in page
    assert "089-999-9999" in page  # the change listed, as the pages show phones
    assert 'data-testid="change-name">นายสมชาย นำเข้าดี<' in page  # with whose it is
    client.post(reverse("spreadsheets:job_confirm", args=[held.pk]))
    applied = ImportJob.objects.exclude(pk__in=[first.pk, held.pk]).get()
    assert applied.succeeded and not applied.dry_run and not applied.result["held"]
    assert Person.objects.filter(phone="0899999999").count() == 1
    page = client.get(reverse("spreadsheets:job", args=[held.pk])).content.decode()
    assert "ท่านยืนยันการเปลี่ยนแปลงเหล่านี้แล้ว" in page and "ยังไม่มีการบันทึก" not in page


@pytest.mark.parametrize(("dry_run", "stage"), [(True, "Checking the file…"), (False, "Saving")])
def test_a_check_only_import_never_says_it_is_saving(dry_run, stage):
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    job = SimpleNamespace(pk=1, dry_run=dry_run, is_finished=False)
    progress = {"status": "importing", "percent": 99, "done": 10, "total": 10}
    with translation.override("en"):
        html = render_to_string("spreadsheets/_progress.html", {"job": job, "progress": progress})
    assert stage in html


def test_a_file_still_being_opened_says_so_rather_than_sitting_at_0_percent():
    """A workbook of 86,000 rows is loaded for half a minute before its first row is read."""
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    job = SimpleNamespace(pk=1, dry_run=False, is_finished=False)
    opening = {"status": "checking", "percent": 0, "done": 0, "total": 0}
    reading = {"status": "checking", "percent": 5, "done": 500, "total": 10_000}
    with translation.override("en"):
        first = render_to_string("spreadsheets/_progress.html", {"job": job, "progress": opening})
        then = render_to_string("spreadsheets/_progress.html", {"job": job, "progress": reading})
    assert "Opening the file" in first and "Opening the file" not in then


def test_a_headmans_list_shows_removals_marked_and_namesakes_before_anything_is_saved(
    client, personas
):
    """Groups the file takes off people stand out, and a name without a birth date that is
    someone registered is warned of, on the page the uploader confirms from."""
    login(client, "district_coordinator_a")
    rows = [{**GOOD_ROWS[0], "vulnerable_groups": "ติดเตียง"}, *GOOD_ROWS[1:]]
    post_upload(client, SimpleUploadedFile("ครัวเรือน.csv", households_csv(rows)))
    headman = [
        {**GOOD_ROWS[0], "vulnerable_groups": "ผู้ประสบภัยพิบัติ"},
        {**GOOD_ROWS[2], "citizen_id": "", "birth_date": "", "relation": ""},
    ]
    response = post_upload(client, SimpleUploadedFile("ผู้ประสบภัย.csv", households_csv(headman)))
    held = ImportJob.objects.order_by("-pk").first()
    assert held.result["held"] and held.result["removal_count"] == 1
    assert not Person.objects.filter(disaster_affected=True).exists()
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="removals"' in page and page.count('data-testid="removed"') == 1
    assert "อาจเป็นบุคคลเดียวกับ มาลี" in page  # the office's language
    assert Person.objects.filter(first_name="มาลี").count() == 1


def test_a_check_without_errors_points_to_its_warnings(client, personas):
    """Green "no errors" with warnings further down says how many there are, and links them."""
    login(client, "district_coordinator_a")
    post_upload(client, SimpleUploadedFile("ครัวเรือน.csv", households_csv(GOOD_ROWS)))
    headman = [{**GOOD_ROWS[2], "citizen_id": "", "birth_date": "", "relation": ""}]
    upload = SimpleUploadedFile("ผู้สูงอายุ.csv", households_csv(headman))
    response = post_upload(client, upload, dry_run="on")
    job = ImportJob.objects.order_by("-pk").first()
    assert job.dry_run and not job.error_count and job.warning_count == 1
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="warning-note"' in page and 'href="#warnings"' in page
    assert 'id="warnings"' in page
    # None without warnings.
    response = post_upload(client, SimpleUploadedFile("ครัวเรือน.csv", households_csv(GOOD_ROWS)))
    assert 'data-testid="warning-note"' not in client.get(response["Location"]).content.decode()


def test_removals_are_imported_only_once_the_uploader_ticks_that_they_are_right(client, personas):
    login(client, "district_coordinator_a")
    rows = [{**GOOD_ROWS[0], "vulnerable_groups": "ติดเตียง"}, *GOOD_ROWS[1:]]
    post_upload(client, SimpleUploadedFile("ครัวเรือน.csv", households_csv(rows)))
    headman = [{**GOOD_ROWS[0], "vulnerable_groups": "ผู้ประสบภัยพิบัติ"}]
    response = post_upload(client, SimpleUploadedFile("ผู้ประสบภัย.csv", households_csv(headman)))
    held = ImportJob.objects.order_by("-pk").first()
    page = client.get(response["Location"]).content.decode()
    assert (
        'data-testid="removals-read"' in page
        and "required" in page.split("removals-read")[0][-200:]
    )
    confirm = reverse("spreadsheets:job_confirm", args=[held.pk])
    refused = client.post(confirm)  # the box left out, as a forced send would
    assert refused.status_code == 302 and refused["Location"] == reverse(
        "spreadsheets:job", args=[held.pk]
    )
    held.refresh_from_db()
    assert held.follow_up_id is None
    assert not Person.objects.filter(disaster_affected=True).exists()
    assert client.post(confirm, {"removals_read": "1"}).status_code == 302
    held.refresh_from_db()
    assert held.follow_up_id is not None


def test_a_confirm_without_removals_needs_no_tick(client, personas):
    login(client, "district_coordinator_a")
    post_upload(client, SimpleUploadedFile("ครัวเรือน.csv", households_csv(GOOD_ROWS)))
    changed = [{**GOOD_ROWS[0], "phone": "0899999999"}]
    response = post_upload(client, SimpleUploadedFile("โทรศัพท์.csv", households_csv(changed)))
    held = ImportJob.objects.order_by("-pk").first()
    assert 'data-testid="removals-read"' not in client.get(response["Location"]).content.decode()
    assert client.post(reverse("spreadsheets:job_confirm", args=[held.pk])).status_code == 302
    held.refresh_from_db()
    assert held.follow_up_id is not None


def test_the_check_only_box_is_described_by_its_help(client, personas):
    """A screen reader reads the help with the box: the id its aria-describedby names exists."""
    login(client, "district_coordinator_a")
    page = client.get(reverse("spreadsheets:upload")).content.decode()
    assert 'aria-describedby="id_dry_run_helptext"' in page
    assert 'id="id_dry_run_helptext"' in page
