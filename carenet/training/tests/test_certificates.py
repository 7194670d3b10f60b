"""Certificates: the PDF, batches (one PDF, a zip), who may open them, and public verification."""

import io
import re
import shutil
import subprocess
import zipfile

import pytest
from django.urls import reverse
from pypdf import PdfReader

from carenet.accounts.models import Role
from carenet.accounts.tests.factories import AreaAssignmentFactory, UserFactory
from carenet.core.pdf import decompose_sara_am
from carenet.training import certificates, jobs, learning
from carenet.training.models import Certificate, CertificateBatch
from carenet.training.tests.factories_learning import learning_world, many_attendees

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas, reference_data, settings, tmp_path):
    settings.CARENET_CERTIFICATE_JOBS_INLINE = True
    settings.MEDIA_ROOT = str(tmp_path / "media")
    w = learning_world(personas)
    learning.event_complete(actor=None, event=w.event)
    return w


def pdf_text(pdf: bytes) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    command = [tool, "-raw", "-enc", "UTF-8", "-", "-"]
    done = subprocess.run(command, input=pdf, capture_output=True, check=True)  # noqa: S603
    return done.stdout.decode()


def test_certificate_pdf_holds_name_event_and_code(world):
    certificate = Certificate.objects.get(invitation=world.mine)
    pdf = certificates.render_certificate(certificate, base="https://carenet.example.go.th")
    assert pdf.startswith(b"%PDF")
    text = " ".join(pdf_text(pdf).split())
    assert decompose_sara_am("นางสาวน้ำผึ้ง ศรีสุข") in text
    assert "ประชุมเชิงปฏิบัติการพัฒนาศักยภาพ อพม." in text
    assert "ระหว่างวันที่ 26 – 27 กุมภาพันธ์ 2568" in text
    assert decompose_sara_am("ตำบลท่าตะเภา อำเภอเมืองชุมพร จังหวัดชุมพร") in text
    assert f"{certificate.code[:5]}-{certificate.code[5:]}" in text
    assert "https://carenet.example.go.th/training/verify/" in text


def test_thai_dates():
    from datetime import date

    assert certificates.thai_days(date(2025, 2, 26), date(2025, 2, 26)) == (
        "เมื่อวันที่ 26 กุมภาพันธ์ 2568"
    )
    assert certificates.thai_days(date(2025, 1, 30), date(2025, 2, 2)) == (
        "ระหว่างวันที่ 30 มกราคม – 2 กุมภาพันธ์ 2568"
    )
    assert certificates.thai_days(date(2024, 12, 30), date(2025, 1, 2)) == (
        "ระหว่างวันที่ 30 ธันวาคม 2567 – 2 มกราคม 2568"
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("volunteer_a", 200),  # their own
        ("district_coordinator_a", 200),
        ("province_officer", 200),
        ("district_coordinator_b", 404),
        ("volunteer_b", 404),
        ("auditor", 200),  # reads everything, changes nothing: the issued certificate too
    ],
)
def test_certificate_page_access(world, login_as, persona, status):
    certificate = Certificate.objects.get(invitation=world.mine)
    response = login_as(persona).get(reverse("training:certificate", args=[certificate.pk]))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response).startswith(b"%PDF")


def colleague_of_volunteer_a():
    """Another volunteer of ต.ท่าตะเภา, with a login and a certificate of the same event."""
    user = UserFactory(username="colleague")
    AreaAssignmentFactory(user=user, role=Role.VOLUNTEER, area_id="860101")
    return user


def test_a_volunteer_opens_only_their_own_certificates(world, client):
    """Same subdistrict, same event: a colleague's certificate is a 404, as their record is."""
    mine = Certificate.objects.get(invitation=world.mine)
    colleague = colleague_of_volunteer_a()
    world.half.volunteer.user = colleague
    world.half.volunteer.save(update_fields=["user"])
    theirs = Certificate.objects.create(
        event=world.event,
        invitation=world.half,
        volunteer=world.half.volunteer,
        area_id="860101",
        name_printed="นายครึ่งวัน ทดสอบ",
        issued_on=mine.issued_on,
    )
    client.force_login(colleague)
    assert client.get(reverse("training:certificate", args=[mine.pk])).status_code == 404
    record = reverse("training:volunteer", args=[world.mine.volunteer.pk])
    assert client.get(record).status_code == 404
    assert client.get(reverse("training:certificate", args=[theirs.pk])).status_code == 200
    client.force_login(world.mine.volunteer.user)
    assert client.get(reverse("training:certificate", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("training:certificate", args=[mine.pk])).status_code == 200
    # The public verification stays public, for anybody holding the code.
    client.logout()
    verified = client.get(reverse("training:verify", args=[mine.code]))
    assert verified.status_code == 200 and "น้ำผึ้ง" in verified.text


def test_certificate_page_anonymous(world, client):
    certificate = Certificate.objects.get(invitation=world.mine)
    response = client.get(reverse("training:certificate", args=[certificate.pk]))
    assert response.status_code == 302


def test_batch_one_pdf_and_zip(world, district_coordinator_a, login_as):
    many_attendees(world.event, 60)  # more than a chunk
    learning.event_complete(actor=district_coordinator_a, event=world.event)
    total = Certificate.objects.filter(event=world.event).count()
    assert total == 62
    client = login_as("district_coordinator_a")
    response = client.post(reverse("training:batch_new", args=[world.event.pk]), {"format": "pdf"})
    batch = CertificateBatch.objects.get()
    assert response.status_code == 302
    assert (batch.status, batch.done, batch.total) == ("done", total, total)
    page = client.get(reverse("training:batch", args=[batch.pk]))
    assert b'data-testid="download"' in page.content
    assert b'data-testid="leave-note"' not in page.content  # finished: nothing to leave
    download = client.get(reverse("training:batch_download", args=[batch.pk]))
    pdf = b"".join(download.streaming_content)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == total
    assert decompose_sara_am("นางสาวน้ำผึ้ง ศรีสุข") in " ".join(pdf_text(pdf).split())
    # The verify address is the site's as the coordinator reached it, not a local default.
    assert "http://testserver/training/verify/" in pdf_text(pdf)

    client.post(reverse("training:batch_new", args=[world.event.pk]), {"format": "zip"})
    batch = CertificateBatch.objects.get(as_zip=True)
    assert batch.status == "done"
    data = b"".join(
        client.get(reverse("training:batch_download", args=[batch.pk])).streaming_content
    )
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert len(names) == total
        one = archive.read(names[0])
    assert one.startswith(b"%PDF")
    assert len(PdfReader(io.BytesIO(one)).pages) == 1


def test_a_batch_at_work_says_the_page_can_be_left(world, district_coordinator_a, login_as):
    batch = jobs.batch_create(actor=district_coordinator_a, event=world.event, as_zip=False)
    page = login_as("district_coordinator_a").get(reverse("training:batch", args=[batch.pk]))
    assert batch.status == "queued"
    assert b'data-testid="leave-note"' in page.content


def test_runner_is_idempotent(world, district_coordinator_a):
    batch = jobs.batch_create(actor=district_coordinator_a, event=world.event, as_zip=False)
    jobs.run_certificate_batch(batch.pk)
    batch.refresh_from_db()
    name = batch.file.name
    jobs.run_certificate_batch(batch.pk)
    batch.refresh_from_db()
    assert (batch.status, batch.file.name) == ("done", name)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("district_coordinator_a", 200),
        ("province_officer", 200),
        ("district_coordinator_b", 404),
        ("volunteer_a", 403),
        ("auditor", 403),
    ],
)
def test_batch_pages_access(world, district_coordinator_a, login_as, persona, status):
    batch = jobs.batch_create(actor=district_coordinator_a, event=world.event, as_zip=False)
    client = login_as(persona)
    for name in ("training:batch", "training:batch_progress"):
        assert client.get(reverse(name, args=[batch.pk])).status_code == status
    assert client.get(reverse("training:batch_new", args=[world.event.pk])).status_code == status


def test_batch_new_refused_to_other_district(world, login_as):
    response = login_as("district_coordinator_b").post(
        reverse("training:batch_new", args=[world.event.pk]), {"format": "pdf"}
    )
    assert response.status_code == 404
    assert not CertificateBatch.objects.exists()


# --- public verification -------------------------------------------------------------------------


def test_verify_found_shows_name_and_event_only(world, client):
    certificate = Certificate.objects.get(invitation=world.mine)
    volunteer = world.mine.volunteer
    spaced = f" {certificate.code[:5].lower()}-{certificate.code[5:]} "
    for response in (
        client.get(reverse("training:verify", args=[certificate.code])),
        client.get(reverse("training:verify"), {"code": spaced}),
    ):
        assert response.status_code == 200
        page = response.content.decode()
        assert "นางสาวน้ำผึ้ง ศรีสุข" in page
        assert world.event.title in page
        assert "26 กุมภาพันธ์ 2568" in page
        for secret in ("ท่าตะเภา", volunteer.phone, volunteer.registration_no, "ชุมพรคาบาน่า"):
            assert secret not in page
        assert not re.search(r"\d{13}", page)  # no citizen ID
        other = Certificate.objects.get(invitation=world.other)
        assert other.name_printed not in page and other.code not in page


@pytest.mark.parametrize("code", ["ZZZZZZZZZZ", "x", "'; DROP TABLE--", "๑๒๓", "A" * 64, "%00"])
def test_verify_not_found_is_neutral(world, client, code):
    response = client.get(reverse("training:verify"), {"code": code})
    assert response.status_code == 404
    assert b'data-testid="verify-none"' in response.content


def test_verify_revoked_looks_like_not_found(world, client):
    certificate = Certificate.objects.get(invitation=world.mine)
    certificate.revoked = True
    certificate.save()
    revoked = client.get(reverse("training:verify", args=[certificate.code]))
    missing = client.get(reverse("training:verify", args=["ZZZZZZZZZZ"]))
    assert revoked.status_code == missing.status_code == 404
    for response in (revoked, missing):
        assert b'data-testid="verify-none"' in response.content
    assert "นางสาวน้ำผึ้ง" not in revoked.content.decode()


def test_verify_box_empty(client, db):
    response = client.get(reverse("training:verify"))
    assert response.status_code == 200
    assert b'name="code"' in response.content


def test_the_certificates_page_names_who_received_one(
    world, district_coordinator_a, login_as, django_assert_max_num_queries
):
    """Each with their own PDF; the names come in one query whatever their number."""
    many_attendees(world.event, 30)
    learning.event_complete(actor=district_coordinator_a, event=world.event)
    client = login_as("district_coordinator_a")
    with django_assert_max_num_queries(16):
        page = client.get(reverse("training:batch_new", args=[world.event.pk]))
    holders = page.context["holders"]
    assert len(holders) == Certificate.objects.filter(event=world.event).count() == 32
    one = holders[0]
    assert reverse("training:certificate", args=[one.pk]) in page.text
    assert one.name_printed in page.text
