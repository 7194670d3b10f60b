"""A training event from the invitations to the certificates, in a real browser, in Thai
(issue 6's "Done when").

The world is made through the services: the province of ชุมพร has its provincial centre and a
centre in each of three subdistricts, whose committees seat 531 active volunteers (อพม. ระดับ
ตำบล); a few more volunteers hold no seat, and must not be invited. `chumphon` is the
provincial officer; `malee` is one of the seated volunteers, with a login. Then, through the
real sign-in form:

1. `chumphon`, on a PC, creates the workshop from criteria (every subdistrict-level volunteer
   of the province), sees the list they produce (531), sends the invitations, and adds the
   morning session;
2. `malee`, on a 360 px phone, confirms on "my trainings" and opens her QR code;
3. `chumphon` writes a pre-test of three questions and opens it; `malee` takes it on her phone;
4. at the venue (the organiser's phone, 360 px), the decoded QR text of `malee`'s code goes
   through the scanner's code box: green; the same code again: "already"; then สมหญิง is found
   in the list by name and ticked: two attendance rows, not three;
5. the post-test is a copy of the pre-test; opened, `malee` takes it; the report shows both
   averages and the gain;
6. `chumphon` completes the event (two certificates), has the certificates made as one PDF: the
   batch page shows the progress bar while the batch waits, then the download link; the PDF
   downloads with a page per certificate;
7. someone who is not signed in verifies `malee`'s certificate on the public page: her name and
   the event, nothing else.

Every text looked up is checked against the Thai catalogue, and every page's visible text is
searched for English words left untranslated. Set CARENET_E2E_SCREENSHOTS to a folder to keep
a full-page screenshot of each step there.
"""

import io
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone, translation
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from carenet.accounts.models import Role, User
from carenet.accounts.services import assignment_grant, user_create
from carenet.areas.models import Area
from carenet.core import thaidate
from carenet.core.people import name_key
from carenet.training import checkin, jobs
from carenet.training.models import (
    Attendance,
    Certificate,
    CertificateBatch,
    CheckInMethod,
    Competency,
    Invitation,
    InvitationStatus,
    QuizAttempt,
    TrainingEvent,
)
from carenet.volunteers.models import (
    Centre,
    CommitteeMembership,
    Position,
    Volunteer,
    VolunteerStatus,
)
from carenet.volunteers.services import (
    centre_ensure,
    committee_seat_add,
    volunteer_link_user,
    volunteer_register,
)
from e2e.steps import (
    PASSWORD,
    PC,
    PHONE,
    Thai,
    malee,
    screenshot,
    sign_in,
    years_ago,
)

pytestmark = pytest.mark.e2e


SUBDISTRICTS = ["860101", "860102", "860201"]
SEATED = 530  # volunteers seated on a subdistrict committee, beside `malee`
UNSEATED = 25  # active volunteers with no seat: not in the target group
INVITED = SEATED + 1
FIRST_NAMES = ["มาลัย", "วันดี", "สุดา", "ประภา", "อำไพ", "บุญเรือน", "จันทร์เพ็ญ", "ละเอียด"]
FIRST_NAMES += ["สมพร", "ทองใบ", "กาญจนา", "ณัฐชา", "ประยูร", "วิเชียร", "สุนทร", "บุญส่ง"]
LAST_NAMES = ["ทองคำ", "แก้วมณี", "ศรีสวัสดิ์", "บุญมา", "จันทร์หอม", "รักษ์ไทย", "ใจงาม"]
LAST_NAMES += ["สุขสม", "พรหมแก้ว", "ชูช่วย", "นาคสุข", "เพชรรัตน์", "วงศ์ใหญ่"]
TICKED = ("นาง", "สมหญิง", "ใจดี")  # found in the list by name and ticked

TITLE = "ประชุมเชิงปฏิบัติการพัฒนาศักยภาพ อพม. เพื่อขับเคลื่อนงานตามภารกิจของกระทรวง พม."
VENUE = "โรงแรมชุมพรคาบาน่า ห้องประชุมใหญ่"
SIGNER = ("นางอรุณี พรหมสุวรรณ", "พัฒนาสังคมและความมั่นคงของมนุษย์จังหวัดชุมพร")
COMPETENCY = "child_protection"
SESSION = ("การคุ้มครองเด็กและการป้องกันความรุนแรงในครอบครัว", "09:00", "12:00")
SPEAKERS = "นายวิชัย ศักดิ์ดี นักสังคมสงเคราะห์ชำนาญการ"
# The tests' questions: (question, [(answer, score)]); the first answer is the right one.
QUESTIONS = [
    (
        "เมื่อพบเด็กถูกทำร้าย อพม. ควรทำอย่างไรเป็นอันดับแรก",
        [("แจ้งศูนย์ช่วยเหลือสังคม สายด่วน 1300", 1), ("รอให้ผู้ปกครองจัดการเอง", 0)],
    ),
    (
        "พระราชบัญญัติใดคุ้มครองเด็กโดยตรง",
        [
            ("พ.ร.บ. คุ้มครองเด็ก พ.ศ. 2546", 1),
            ("พ.ร.บ. ผู้สูงอายุ พ.ศ. 2546", 0),
            ("พ.ร.บ. จราจรทางบก พ.ศ. 2522", 0),
        ],
    ),
    (
        "ข้อมูลของเด็กที่ถูกกระทำควรเปิดเผยต่อใคร",
        [("เฉพาะผู้ที่เกี่ยวข้องกับการช่วยเหลือ", 1), ("ประกาศในกลุ่มไลน์หมู่บ้าน", 0)],
    ),
]
PRE_ANSWERS = [0, 1, 1]  # the index of the answer `malee` picks: 1 of 3 before
POST_ANSWERS = [0, 0, 0]  # 3 of 3 after

# English left on a Thai page: a word with a lower-case letter. These are not words to
# translate: the product's name, file formats.
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’.-]*[a-z][A-Za-z'’-]*|[a-z]{2,}")
NOT_ENGLISH = {"Carenet", "zip", "English"}


class TrainingThai(Thai):
    """The field-work checks, plus a look for English words on every page."""

    def __init__(self) -> None:
        super().__init__(pages="the training")
        self.english: list[str] = []

    def page(self, page: Page) -> None:
        super().page(page)
        text = page.locator("body").inner_text()
        words = sorted({w for w in LATIN_WORD.findall(text) if w not in NOT_ENGLISH})
        if words:
            path = page.url.split("//", 1)[-1].split("/", 1)[-1]
            line = f"/{path}: {', '.join(words)}"
            if line not in self.english:
                self.english.append(line)

    def report(self) -> list[str]:
        lines = super().report()
        if self.english:
            lines.append(
                "These training pages show English words to a Thai user:\n  "
                + "\n  ".join(self.english)
            )
        return lines


@pytest.fixture
def th() -> TrainingThai:
    return TrainingThai()


def shot(page: Page, name: str) -> None:
    screenshot(page, f"training-{name}")


# --- The world -------------------------------------------------------------------------------


@dataclass
class World:
    chumphon: User
    centre: Centre
    malee_user: User
    malee: Volunteer
    ticked: Volunteer


def seated_volunteers(on: date) -> Volunteer:
    """SEATED volunteers on the subdistrict committees and UNSEATED beside them, in a few
    INSERTs (a registry import's work; the services register one at a time). Returns the one
    to be ticked in the list."""
    centres = {code: centre_ensure(actor=None, area_code=code) for code in SUBDISTRICTS}
    rows = []
    for n in range(SEATED + UNSEATED):
        title, first, last = (
            TICKED
            if n == 7
            else (
                "นาง",
                FIRST_NAMES[n % len(FIRST_NAMES)],
                LAST_NAMES[(n // len(FIRST_NAMES)) % len(LAST_NAMES)],
            )
        )
        rows.append(
            Volunteer(
                title=title,
                first_name=first,
                last_name=last,
                name_key=name_key(first, last),
                sex="F",
                area_id=SUBDISTRICTS[n % len(SUBDISTRICTS)],
                status=VolunteerStatus.ACTIVE,
                registration_no=f"{n + 1}/2565",
                registration_date=date(2022, 3, 1),
            )
        )
    volunteers = Volunteer.objects.bulk_create(rows, batch_size=500)
    CommitteeMembership.objects.bulk_create(
        [
            CommitteeMembership(
                centre=centres[v.area_id],
                volunteer=v,
                position=Position.MEMBER,
                term_start=on.replace(year=on.year - 2),
            )
            for v in volunteers[:SEATED]
        ],
        batch_size=500,
    )
    return volunteers[7]


@pytest.fixture
def world(area_tree: dict[str, Area], reference_data: None, settings: Any, tmp_path: Path) -> World:
    settings.MEDIA_ROOT = tmp_path / "media"
    today = timezone.localdate()
    chumphon = user_create(
        actor=None, username="chumphon", password=PASSWORD, first_name="อรุณี", last_name="พรหมสุวรรณ"
    )
    assignment_grant(actor=None, user=chumphon, role=Role.PROVINCIAL_OFFICER, area=area_tree["86"])
    province_centre = centre_ensure(actor=None, area_code="86")
    ticked = seated_volunteers(today)
    volunteer = volunteer_register(actor=None, data=malee())
    committee_seat_add(
        actor=None,
        centre=Centre.objects.get(area_id="860101"),
        volunteer=volunteer,
        position=Position.SECRETARY,
        term_start=years_ago(1),
    )
    malee_user = volunteer_link_user(
        actor=None, volunteer=volunteer, username="malee", password=PASSWORD
    )
    return World(
        chumphon=chumphon,
        centre=province_centre,
        malee_user=malee_user,
        malee=volunteer,
        ticked=ticked,
    )


@dataclass
class HeldBatches:
    """Batches asked for in the browser wait, queued, until the test lets them go through the
    real jobs.batch_start (a daemon thread, as in production), so that the batch page is seen
    before the work ends, whatever the speed of the machine."""

    held: list[tuple[CertificateBatch, str | None]]
    start: Callable[..., threading.Thread | None]

    def hold(self, batch: CertificateBatch, *, base: str | None = None) -> None:
        self.held.append((batch, base))

    def release(self) -> list[threading.Thread]:
        threads = [self.start(batch, base=base) for batch, base in self.held]
        return [thread for thread in threads if thread is not None]


@pytest.fixture
def held_batches(monkeypatch: pytest.MonkeyPatch, settings: Any) -> HeldBatches:
    settings.CARENET_CERTIFICATE_JOBS_INLINE = False
    batches = HeldBatches(held=[], start=jobs.batch_start)
    monkeypatch.setattr(jobs, "batch_start", batches.hold)
    return batches


# --- Steps -----------------------------------------------------------------------------------


def labelled(label: str) -> re.Pattern[str]:
    """A field's label, exactly, with or without the mark of a required field."""
    return re.compile(rf"^{re.escape(label)}(\s*\*)?$")


def go(page: Page, click: Callable[[], None]) -> None:
    with page.expect_navigation():
        click()


def main_menu(page: Page, th: Thai, label: str) -> None:
    link = page.get_by_role("navigation", name=th("Main menu")).get_by_role(
        "link", name=th(label), exact=True
    )
    go(page, link.click)


def take_quiz(phone: Page, th: Thai, label: str, answers: list[int], name: str) -> None:
    """From "my trainings", the volunteer takes a test, answering with the given choices."""
    phone.goto("/training/my/")
    card = phone.get_by_test_id("my-invitation").filter(has_text=TITLE)
    go(phone, card.get_by_role("link", name=th(label)).click)
    form = phone.get_by_test_id("quiz-form")
    cards = form.locator("fieldset.q-card")
    expect(cards).to_have_count(len(QUESTIONS))
    th.page(phone)
    for n, ((_question, choices), pick) in enumerate(zip(QUESTIONS, answers, strict=True)):
        cards.nth(n).get_by_label(choices[pick][0], exact=True).check()
    shot(phone, name)
    go(phone, phone.get_by_test_id("submit").click)
    expect(phone.get_by_text(th("Thank you: your answers are saved."))).to_be_visible()
    right = sum(1 for (_q, choices), pick in zip(QUESTIONS, answers, strict=True) if pick == 0)
    expect(phone.get_by_test_id("score")).to_have_text(str(right))
    th.page(phone)


# --- The test --------------------------------------------------------------------------------


def test_an_event_from_invitations_to_verified_certificates(
    open_page: Callable[[int, int], Page],
    live_server: Any,
    world: World,
    held_batches: HeldBatches,
    th: TrainingThai,
) -> None:
    today = timezone.localdate()
    with translation.override("th"):
        today_long = thaidate.format_long(today)

    # 1. The provincial officer creates the event from criteria, on a PC.
    pc = open_page(*PC)
    sign_in(pc, th, "chumphon")
    main_menu(pc, th, "Training")
    expect(pc.get_by_role("heading", level=1)).to_have_text(th("Training events"))
    go(pc, pc.get_by_test_id("event-new").click)
    expect(pc.get_by_role("heading", level=1)).to_have_text(th("New training event"))
    form = pc.get_by_test_id("event-form")
    form.get_by_label(labelled(th("Organising centre"))).select_option(label=world.centre.name)
    form.get_by_label(labelled(th("Kind"))).select_option("workshop")
    form.get_by_label(labelled(th.context("event", "title"))).fill(TITLE)
    form.get_by_label(labelled(th("First day"))).fill(thaidate.format_numeric(today))
    form.get_by_label(labelled(th("Last day"))).fill(thaidate.format_numeric(today))
    form.get_by_label(labelled(th("Venue"))).fill(VENUE)
    form.get_by_label(labelled(th("Venue subdistrict code"))).fill("860101")
    form.get_by_label(labelled(th("Budget (baht)"))).fill("185000")
    form.get_by_label(labelled(th("Volunteers of"))).select_option("86")
    form.get_by_label(labelled(th("Committee level"))).select_option("subdistrict")
    competency = Competency.objects.get(code=COMPETENCY)
    form.get_by_label(competency.name_th, exact=True).check()
    form.get_by_label(labelled(th("Certificate signed by"))).fill(SIGNER[0])
    form.get_by_label(labelled(th("Signer's position"))).fill(SIGNER[1])
    th.page(pc)
    shot(pc, "1-event-form-pc")
    go(pc, pc.get_by_test_id("save-event").click)

    event = TrainingEvent.objects.get(title=TITLE)
    assert pc.url == f"{live_server.url}/training/{event.pk}/invitations/", (
        pc.get_by_role("alert").all_inner_texts() or pc.url
    )
    assert event.criteria == {"area": "86", "committee": "subdistrict"}
    assert event.centre == world.centre and event.starts_on == today
    assert list(event.competencies.values_list("code", flat=True)) == [COMPETENCY]
    expect(pc.get_by_role("heading", level=1)).to_have_text(th("Invitation list"))
    expect(pc.get_by_test_id("list-count")).to_contain_text(str(INVITED))
    with translation.override("th"):
        province = Area.objects.get(code="86").label
    expect(pc.locator(".criteria-line")).to_contain_text(province)  # จ.ชุมพร, not "86"
    expect(pc.get_by_test_id("invitation-row").first).to_contain_text(th("not sent yet"))
    th.page(pc)
    shot(pc, "2-invitation-list-pc")
    go(pc, pc.get_by_test_id("send").click)
    expect(pc.get_by_text(th("%(n)s invitations are sent.") % {"n": INVITED})).to_be_visible()
    expect(pc.get_by_test_id("send")).to_have_count(0)
    sent = Invitation.objects.filter(event=event)
    assert sent.count() == INVITED == sent.filter(invited_at__isnull=False).count()
    assert not sent.filter(volunteer__committee_seats__isnull=True).exists()
    shot(pc, "3-invitations-sent-pc")

    # The morning session, on the sessions page.
    go(pc, pc.locator("nav.breadcrumbs").get_by_role("link", name=TITLE).click)
    expect(pc.get_by_test_id("invitation-counts")).to_contain_text(str(INVITED))
    th.page(pc)
    go(pc, pc.get_by_test_id("event-links").get_by_role("link", name=th("Sessions")).click)
    session_form = pc.get_by_test_id("session-form")
    session_form.get_by_label(labelled(th("Session"))).fill(SESSION[0])
    session_form.get_by_label(labelled(th("Starts"))).fill(SESSION[1])
    session_form.get_by_label(labelled(th("Ends"))).fill(SESSION[2])
    session_form.get_by_label(labelled(th("Speakers"))).fill(SPEAKERS)
    go(pc, pc.get_by_test_id("save-session").click)
    expect(pc.get_by_test_id("sessions")).to_contain_text(SESSION[0])
    th.page(pc)
    session = event.sessions.get()

    # 2. The volunteer confirms on her phone, and finds her QR code.
    phone = open_page(*PHONE)
    sign_in(phone, th, "malee")
    main_menu(phone, th, "My trainings")
    expect(phone.get_by_role("heading", level=1)).to_have_text(th("My trainings"))
    card = phone.get_by_test_id("my-invitation").filter(has_text=TITLE)
    expect(card).to_contain_text(today_long)
    expect(card.get_by_test_id("my-status")).to_have_text(th("not answered yet"))
    th.page(phone)
    shot(phone, "4-my-trainings-phone")
    go(phone, card.get_by_test_id("confirm").click)
    expect(phone.get_by_text(th("Thank you: your answer is saved."))).to_be_visible()
    expect(card.get_by_test_id("my-status")).to_have_text(
        th.context("invitation answers", "will attend")
    )
    invitation = Invitation.objects.get(event=event, volunteer=world.malee)
    assert invitation.status == InvitationStatus.CONFIRMED
    go(phone, card.get_by_test_id("my-qr").click)
    expect(phone.get_by_test_id("my-qr-name")).to_have_text(world.malee.full_name)
    expect(phone.locator(".my-qr-code svg")).to_be_visible()
    th.page(phone)
    shot(phone, "5-my-qr-phone")

    # 3. The pre-test: three questions, opened; the volunteer takes it on her phone.
    pc.goto(f"/training/{event.pk}/")
    go(pc, pc.get_by_test_id("event-links").get_by_role("link", name=th("Pre-test")).click)
    for question, choices in QUESTIONS:
        adding = pc.get_by_test_id("add-question")
        adding.get_by_label(labelled(th("Question"))).fill(question)
        for n, (text, score) in enumerate(choices, start=1):
            adding.locator(f'[name="choice_{n}"]').fill(text)
            adding.locator(f'[name="score_{n}"]').fill(str(score))
        go(pc, pc.get_by_test_id("add").click)
        expect(pc.get_by_text(th("The question is added."))).to_be_visible()
    expect(pc.get_by_test_id("questions").locator("> li")).to_have_count(len(QUESTIONS))
    go(pc, pc.get_by_test_id("open").click)
    expect(pc.get_by_test_id("quiz-state")).to_have_text(th("open for answers"))
    th.page(pc)
    shot(pc, "6-pre-test-pc")
    take_quiz(phone, th, "Take the pre-test", PRE_ANSWERS, "6b-pre-test-phone")

    # 4. Check-in at the venue, on the organiser's phone: the QR code's text, twice, then a
    # name from the list.
    pc.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    pc.goto(f"/training/{event.pk}/")
    go(pc, pc.get_by_role("link", name=th("Check-in"), exact=True).click)
    assert pc.url == f"{live_server.url}/training/sessions/{session.pk}/checkin/"
    expect(pc.get_by_test_id("checkin-title")).to_contain_text(SESSION[0])
    result = pc.get_by_test_id("scan-result")
    checked_in = pc.locator('[data-count="checked_in"]')
    expect(checked_in).to_have_text("0")
    th.page(pc)
    decoded = checkin.qr_text(invitation)
    assert decoded == f"CARENET-T:{invitation.token}"
    pc.get_by_test_id("manual-code").fill(decoded)
    pc.get_by_test_id("manual-submit").click()
    expect(result).to_have_class(re.compile(r"\bnew\b"))
    expect(result).to_have_text(f"✓ {world.malee.full_name}")
    expect(checked_in).to_have_text("1")
    shot(pc, "7-checkin-scanned-phone")
    first = Attendance.objects.get(session=session, invitation=invitation)
    at = timezone.localtime(first.checked_in_at).strftime("%H:%M")
    pc.get_by_test_id("manual-code").fill(decoded)
    pc.get_by_test_id("manual-submit").click()
    expect(result).to_have_class(re.compile(r"\balready\b"))
    expect(result).to_have_text(
        th("%(name)s: already checked in at %(time)s") % {"name": world.malee.full_name, "time": at}
    )
    expect(checked_in).to_have_text("1")
    shot(pc, "8-checkin-again-phone")

    ticked_name = " ".join(TICKED[1:])
    pc.get_by_test_id("invitee-search").fill(TICKED[1])
    rows = pc.get_by_test_id("invitee")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(ticked_name)
    rows.get_by_test_id("tick").click()
    expect(rows.get_by_test_id("checked")).to_be_visible()
    expect(checked_in).to_have_text("2")
    th.page(pc)
    pc.evaluate("() => window.scrollTo(0, 0)")  # the counts stick to the top of the screen
    shot(pc, "9-checkin-ticked-phone")
    attendance = Attendance.objects.filter(session=session)
    assert sorted(attendance.values_list("invitation__volunteer_id", "method")) == sorted(
        [(world.malee.pk, CheckInMethod.QR), (world.ticked.pk, CheckInMethod.LIST)]
    )
    pc.set_viewport_size({"width": PC[0], "height": PC[1]})

    # 5. The post-test copies the pre-test; the volunteer takes it; the report shows the gain.
    pc.goto(f"/training/{event.pk}/quiz/post/")
    expect(pc.get_by_test_id("no-questions")).to_be_visible()
    go(pc, pc.get_by_test_id("copy").click)
    expect(pc.get_by_text(th("The questions are copied."))).to_be_visible()
    expect(pc.get_by_test_id("questions").locator("> li")).to_have_count(len(QUESTIONS))
    go(pc, pc.get_by_test_id("open").click)
    expect(pc.get_by_test_id("quiz-state")).to_have_text(th("open for answers"))
    th.page(pc)
    take_quiz(phone, th, "Take the post-test", POST_ANSWERS, "10a-post-test-phone")
    shot(phone, "10-post-test-result-phone")
    scores = sorted(QuizAttempt.objects.values_list("quiz__kind", "score", "max_score"))
    assert scores == [("post", 3, 3), ("pre", 1, 3)]

    pc.goto(f"/training/{event.pk}/")
    go(pc, pc.get_by_test_id("event-links").get_by_role("link", name=th("Report")).click)
    expect(pc.get_by_test_id("pre-average")).to_have_text("33.3%")
    expect(pc.get_by_test_id("post-average")).to_have_text("100.0%")
    expect(pc.get_by_test_id("gain")).to_have_text("+66.7")
    expect(pc.get_by_test_id("improved")).to_have_text("100%")
    th.page(pc)
    shot(pc, "11-report-pc")

    # 6. Complete the event, and make the certificates as one PDF, with progress.
    go(pc, pc.get_by_test_id("complete-link").click)
    expect(pc.get_by_test_id("new-certificates")).to_contain_text("2")
    th.page(pc)
    go(pc, pc.get_by_test_id("complete").click)
    event.refresh_from_db()
    assert event.status == "done"
    certificates = Certificate.objects.filter(event=event)
    assert sorted(certificates.values_list("volunteer_id", flat=True)) == sorted(
        [world.malee.pk, world.ticked.pk]
    )
    pc.goto(f"/training/{event.pk}/")
    go(
        pc,
        pc.get_by_test_id("event-links").get_by_role("link", name=th("Certificates")).click,
    )
    expect(pc.get_by_test_id("certificate-count")).to_contain_text("2")
    th.page(pc)
    go(pc, pc.get_by_test_id("make").click)
    progress = pc.get_by_test_id("progress")
    expect(progress).to_have_attribute("data-status", "queued")
    expect(progress.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "0")
    expect(progress).to_contain_text(th("Waiting to start…"))
    th.page(pc)
    shot(pc, "12-batch-waiting-pc")
    assert [(b.total, b.as_zip) for b, _base in held_batches.held] == [(2, False)]
    workers = held_batches.release()
    assert len(workers) == 1, "the batch should run in a background thread"
    download = progress.get_by_test_id("download")
    expect(download).to_be_visible(timeout=60_000)
    workers[0].join(timeout=30)
    expect(progress.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    expect(progress).to_contain_text(th("Finished."))
    th.page(pc)
    shot(pc, "13-batch-done-pc")
    with pc.expect_download() as downloading:
        download.click()
    pdf = Path(downloading.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 2
    # The certificates page lists the batch, finished.
    go(pc, pc.locator("nav.breadcrumbs").get_by_role("link", name=th("Certificates")).click)
    expect(pc.locator(".batch-list li")).to_have_count(1)
    expect(pc.locator(".batch-list li")).to_contain_text(th("Finished."))
    th.page(pc)
    shot(pc, "13b-certificates-pc")

    # 7. Anyone can verify a certificate: the name and the event, nothing else.
    certificate = certificates.get(volunteer=world.malee)
    public = open_page(*PHONE)
    public.goto("/training/verify/")
    expect(public.get_by_role("heading", level=1)).to_have_text(th("Verify a certificate"))
    public.get_by_label(labelled(th("Code printed at the bottom of the certificate"))).fill(
        certificate.code
    )
    go(public, public.get_by_role("button", name=th("Verify")).click)
    found = public.get_by_test_id("verify-found")
    expect(found).to_contain_text(th("This certificate is genuine."))
    expect(found.get_by_test_id("verify-name")).to_have_text(world.malee.full_name)
    expect(found).to_contain_text(TITLE)
    expect(found).to_contain_text(today_long)
    expect(found.locator("dd")).to_have_count(3)
    shown = public.locator("body").inner_text()
    for private in (
        VENUE,
        world.centre.name,
        SIGNER[0],
        world.malee.phone,
        "ท่าตะเภา",
        world.ticked.first_name,
    ):
        assert private not in shown, f"the public verify page shows {private!r}"
    th.page(public)
    shot(public, "14-verify-phone")

    th.check()
