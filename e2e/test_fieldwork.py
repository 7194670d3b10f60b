"""A volunteer's week in a real browser, on a 360 px phone in Thai (issue 4's "Done when").

The world is made the way the centre makes it, through the services: the เมืองชุมพร district
coordinator `mueang` registers the volunteer `volunteer` of ต.ท่าตะเภา, gives her a login and
two households: one overdue since an urgent visit, one never visited where an elderly woman
lives alone. Then, through the real sign-in form (django-axes watches it):

1. the volunteer lands on *my households* in Thai, most urgent first, and taps "record a visit";
2. she fills the visit (type, members seen, a problem, risk "watch", observations, every
   indicator of the quality-of-life assessment) and attaches a photo from the camera;
3. the confirmation gives the next visit due in Buddhist Era (watch: 30 days); the visit page
   shows the photo, and its assessment the scores; the database holds one visit, one shrunk
   JPEG and one assessment;
4. the coordinator signs in on a PC and acknowledges the visit with a comment;
5. the volunteer signs in again and sees the acknowledgement.

A second test proves that a half-typed visit survives a reload: the server keeps the draft.

Every text the pages show is looked up in the Thai catalogue, so that a page left in English
fails here with the list of the missing translations, after the rest has been checked.
"""

import importlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.sessions.backends.db import SessionStore
from django.db.models import F
from django.utils import timezone, translation
from PIL import Image
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, expect

from carenet.accounts.middleware import SEEN
from carenet.accounts.models import Role, User
from carenet.accounts.services import assignment_grant, user_create
from carenet.areas.models import Area
from carenet.core import thaidate
from carenet.households.cleaning import ConsentData
from carenet.households.models import ConsentBasis, Household, Person, Relation
from carenet.households.services import household_register, person_add
from carenet.visits import services as visit_services
from carenet.visits.assessments import score
from carenet.visits.models import (
    Assessment,
    Indicator,
    ProblemArea,
    ProblemItem,
    RiskLevel,
    Visit,
    VisitDraft,
    VisitPhoto,
    VisitType,
)
from carenet.volunteers.models import Volunteer
from carenet.volunteers.services import (
    centre_ensure,
    volunteer_link_user,
    volunteer_register,
)
from e2e.steps import (
    PASSWORD,
    PC,
    PHONE,
    Thai,
    camera_photo,
    malee,
    person,
    screenshot,
    sign_in,
    sign_out,
    years_ago,
)

pytestmark = pytest.mark.e2e


# The answers given to the จปฐ. indicators, and the scores they make: health 1/2, living 3/4,
# education 1/1, income 1/3, access 1/1.
ANSWERS = {
    1: "na", 4: "na", 5: "yes", 7: "no",
    8: "yes", 9: "yes", 10: "yes", 11: "no",
    15: "na", 16: "na", 17: "na", 19: "yes",
    20: "yes", 21: "no", 22: "no",
    27: "yes", 28: "na",
}  # fmt: skip
ANSWER_LABELS = {"yes": "met", "no": "not met", "na": "does not apply"}
SCORES = {"health": 50, "living": 75, "education": 100, "income": 33, "access": 100}
PROBLEM = ("family", "alone_no_carer")  # ครอบครัว → อยู่ลำพังไม่มีผู้ดูแล
OBSERVATIONS = "ยายอยู่บ้านคนเดียว เดินได้ช้า กินข้าววันละสองมื้อ ลูกหลานมาเยี่ยมเดือนละครั้ง"
COMMENT = "ขอบคุณค่ะ ศูนย์จะประสานเบี้ยยังชีพให้ยาย"


# --- Thai on every page ----------------------------------------------------------------------


@pytest.fixture
def th() -> Thai:
    return Thai(pages="the field-work")


def shot(page: Page, name: str) -> None:
    screenshot(page, f"fieldwork-{name}")


# --- The world -------------------------------------------------------------------------------


@dataclass
class World:
    mueang: User
    volunteer_user: User
    volunteer: Volunteer
    alone: Household  # an elderly woman living alone, never visited
    family: Household  # a parent and a child, overdue since an urgent visit
    grandmother: Person
    parent: Person


@pytest.fixture
def world(area_tree: dict[str, Area], settings: Any, tmp_path: Path) -> World:
    settings.MEDIA_ROOT = tmp_path / "media"
    # live_server's database is emptied after each test, with the rows the migrations put in:
    # the problem areas and the จปฐ. indicators go back the way the migration wrote them.
    importlib.import_module("carenet.visits.migrations.0002_reference_data").load(apps, None)

    mueang = user_create(
        actor=None, username="mueang", password=PASSWORD, first_name="ประเสริฐ", last_name="รักถิ่น"
    )
    assignment_grant(actor=None, user=mueang, role=Role.CENTRE_COORDINATOR, area=area_tree["8601"])
    centre_ensure(actor=mueang, area_code="8601")
    volunteer = volunteer_register(
        actor=mueang,
        data=malee(),
    )
    volunteer_user = volunteer_link_user(
        actor=mueang, volunteer=volunteer, username="volunteer", password=PASSWORD
    )
    # The centre chose the password; the volunteer has chosen their own since (the first
    # sign-in's password page is tested in carenet/accounts/tests/test_password.py).
    type(volunteer_user).objects.filter(pk=volunteer_user.pk).update(must_change_password=False)

    village = area_tree["86010101"]
    consent = ConsentData(
        basis=ConsentBasis.CONSENT, purpose="ดูแลสวัสดิการ", given_on=date(2025, 1, 10)
    )
    alone = household_register(
        actor=mueang,
        area=village,
        house_no="12",
        moo=1,
        # A road typed in Latin letters without spaces must wrap on the phone, not widen the page.
        road="Ratsadonbamrungphatthanasamakkhinimitprachaluamjai",
        volunteer=volunteer,
        first_member=person("บุญมี", "ใจเย็น", "นาง", years_ago(78), Relation.HEAD, lives_alone=True),
        consent=consent,
    )
    family = household_register(
        actor=mueang,
        area=village,
        house_no="45/2",
        moo=1,
        volunteer=volunteer,
        first_member=person("สมชาย", "ทองดี", "นาย", years_ago(41), Relation.HEAD),
        consent=consent,
    )
    person_add(
        actor=mueang,
        household=family,
        data=person("น้ำฝน", "ทองดี", "เด็กหญิง", years_ago(9), Relation.CHILD),
        consent=ConsentData(
            basis=ConsentBasis.GUARDIAN, purpose="ดูแลสวัสดิการ", given_on=date(2025, 1, 10)
        ),
    )
    # Three weeks ago the family was urgent: due again after 7 days, so overdue now.
    visit_services.visit_record(
        actor=volunteer_user,
        household=family,
        data=visit_services.VisitData(
            visited_at=timezone.now() - timedelta(days=20),
            visit_type=VisitType.SCREENING,
            risk_level=RiskLevel.URGENT,
            observations="พ่อตกงาน ลูกยังเรียนอยู่",
        ),
    )
    alone.refresh_from_db()
    family.refresh_from_db()
    assert "elderly_alone" in alone.vulnerability
    assert family.next_visit_due is not None and family.next_visit_due < timezone.localdate()
    return World(
        mueang=mueang,
        volunteer_user=volunteer_user,
        volunteer=volunteer,
        alone=alone,
        family=family,
        grandmother=alone.members.get(),
        parent=family.members.get(relation=Relation.HEAD),
    )


@pytest.fixture
def photo_file(tmp_path: Path) -> Path:
    return camera_photo(tmp_path / "บ้านยาย.jpg", make="CarenetPhone")


# --- Steps shared by the tests ---------------------------------------------------------------


def household_row(page: Page, household: Household) -> Locator:
    return page.get_by_test_id("my-household").filter(
        has=page.locator(f'a[href$="/visits/households/{household.pk}/record/"]')
    )


def open_visit_form(page: Page, th: Thai, household: Household) -> None:
    with page.expect_navigation():
        household_row(page, household).get_by_test_id("record").click()
    assert page.url.endswith(f"/visits/households/{household.pk}/record/")
    expect(page.get_by_role("heading", level=1)).to_have_text(th("Record a visit"))


# --- The tests -------------------------------------------------------------------------------


def test_volunteer_records_a_visit_and_the_coordinator_acknowledges_it(
    open_page: Callable[[int, int], Page],
    live_server: Any,
    world: World,
    photo_file: Path,
    th: Thai,
) -> None:
    today = timezone.localdate()
    phone = open_page(*PHONE)

    # 1. The volunteer's home is her households, in Thai, most urgent first.
    sign_in(phone, th, "volunteer")
    assert phone.url == live_server.url + "/visits/mine/", "a volunteer starts at my households"
    expect(phone.get_by_role("heading", level=1)).to_have_text(th("My households"))
    th.page(phone)
    rows = phone.get_by_test_id("my-household")
    expect(rows).to_have_count(2)
    # Overdue first, then the one never visited.
    assert [rows.nth(i).get_attribute("data-state") for i in range(2)] == ["overdue", "never"]
    overdue_row, alone_row = household_row(phone, world.family), household_row(phone, world.alone)
    expect(rows.first).to_contain_text(world.parent.full_name)
    expect(overdue_row.locator(".due-overdue")).to_be_visible()
    expect(alone_row).to_contain_text(th("never visited"))
    # Her badges say why she matters: an elderly woman living alone, high priority.
    heavy = th("weighs much in the priority:")  # said to a screen reader, not shown
    expect(alone_row.locator('[data-group="elderly_alone"]')).to_have_text(
        f"{heavy} {th('elderly living alone')}"
    )
    expect(alone_row.get_by_test_id("priority")).to_contain_text(th("High priority"))
    expect(alone_row.get_by_test_id("record")).to_have_text(th("Record a visit"))
    shot(phone, "1-my-households")
    open_visit_form(phone, th, world.alone)
    th.page(phone)

    # 2. The visit: type, who was seen, a problem, risk, observations, assessment, a photo.
    form = phone.get_by_test_id("visit-form")
    form.locator('[data-field="visit_type"]').get_by_label(th("routine visit"), exact=True).check()
    form.locator('[data-field="members_seen"]').get_by_label(world.grandmother.full_name).check()
    form.get_by_label(th("observations")).fill(OBSERVATIONS)
    area = ProblemArea.objects.get(code=PROBLEM[0])
    item = ProblemItem.objects.get(code=PROBLEM[1])
    problems = form.locator(f'.problem-area[data-area="{area.code}"]')
    problems.locator("summary").click()
    problems.get_by_label(item.name_th, exact=True).check()
    expect(problems.locator("[data-count]")).to_have_text("1")
    form.locator('[data-field="risk_level"]').get_by_label(th("watch"), exact=True).check()
    # No concern is asked for a "watch" without a sensitive problem.
    expect(phone.get_by_test_id("concern-box")).to_be_hidden()

    assessment = form.locator("details.assessment-part")
    assessment.locator("summary").click()
    indicators = {i.number: i for i in Indicator.objects.filter(indicator_set__current=True)}
    assert set(indicators) == set(ANSWERS), "the จปฐ. indicators the test answers have changed"
    for number, answer in ANSWERS.items():
        item_box = assessment.locator(f'[data-field="qa-i{number}"]')
        item_box.get_by_label(th(ANSWER_LABELS[answer]), exact=True).check()

    # The camera's photo: the page shows it before sending, shrunk on the phone if it can.
    phone.locator('input[type=file][name="photos"]').set_input_files(photo_file)
    expect(form.locator("[data-photo-list] li")).to_have_count(1)
    expect(form.locator("[data-photo-list] li img")).to_be_visible()
    th.page(phone)
    shot(phone, "2-visit-form")
    with phone.expect_navigation():
        phone.get_by_test_id("submit").click()

    # 3. Recorded: the next visit falls due in 30 days (watch), shown in Buddhist Era.
    saved = re.fullmatch(rf"{re.escape(live_server.url)}/visits/(\d+)/saved/", phone.url)
    if saved is None:
        errors = phone.get_by_test_id("form-error")
        pytest.fail(f"the visit was not recorded: {errors.all_inner_texts() or phone.url}")
    visit_pk = int(saved.group(1))
    expect(phone.get_by_role("heading", level=1)).to_have_text(th("Visit recorded"))
    th.page(phone)
    due = today + timedelta(days=30)
    with translation.override("th"):
        due_text = thaidate.format_long(due)
        due_short = thaidate.format_short(due)
    next_due = phone.get_by_test_id("next-due")
    expect(next_due).to_contain_text(th("Next visit due"))
    expect(next_due.locator("strong")).to_have_text(due_text)
    assert str(due.year + 543) in due_text
    shot(phone, "3-saved")

    # The visit page shows the photo; its assessment, the scores of the five dimensions.
    with phone.expect_navigation():
        phone.get_by_role("link", name=th("See the visit")).click()
    assert phone.url == f"{live_server.url}/visits/{visit_pk}/"
    th.page(phone)
    expect(phone.get_by_test_id("risk")).to_have_text(th("watch"))
    expect(phone.locator("p.pre").first).to_have_text(OBSERVATIONS)
    expect(phone.get_by_text(item.name_th)).to_be_visible()
    picture = phone.locator(".photos img")
    expect(picture).to_have_count(1)
    picture.scroll_into_view_if_needed()
    expect(picture).to_be_visible()
    phone.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=picture.element_handle()
    )
    shown = picture.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    shot(phone, "4-visit")
    with phone.expect_navigation():
        phone.get_by_role("link", name=th("See the scores")).click()
    th.page(phone)
    scores = phone.get_by_test_id("scores")
    for dimension, value in SCORES.items():
        expect(scores.locator(f'[data-dimension="{dimension}"] .score-value')).to_have_text(
            f"{value}%"
        )
    # Income: one of three met, below the 50% line.
    expect(scores.locator('[data-dimension="income"]')).to_have_class(re.compile(r"\bfailing\b"))
    shot(phone, "5-assessment")

    # In the database: one visit, one photo (a JPEG shrunk, its EXIF gone), one assessment.
    # Read only now: on SQLite the live server shares the test's connection, and a request
    # the form's page sent as it closed could still be running on the saved page.
    visit = Visit.objects.get(household=world.alone)
    assert visit.pk == visit_pk
    assert visit.risk_level == RiskLevel.WATCH and visit.visit_type == VisitType.ROUTINE
    assert visit.observations == OBSERVATIONS
    assert list(visit.members_seen.all()) == [world.grandmother]
    assert list(visit.problems.values_list("code", flat=True)) == [PROBLEM[1]]
    assert list(visit.volunteers.all()) == [world.volunteer]
    photos = list(VisitPhoto.objects.filter(visit=visit))
    assert len(photos) == 1
    with photos[0].image.open("rb") as stored, Image.open(stored) as image:
        assert image.format == "JPEG"
        assert max(image.size) <= 1600 < 2400, f"the photo was not shrunk: {image.size}"
        assert [photos[0].width, photos[0].height] == list(image.size)
        # The page shows a 480 px preview of it, in the same proportions.
        assert max(shown) == 480 and abs(shown[0] / shown[1] - image.width / image.height) < 0.01
        assert not image.getexif(), "the photo kept its EXIF data"
    assessments = list(Assessment.objects.filter(visit=visit))
    assert len(assessments) == 1
    assert assessments[0].scores == SCORES
    values = {"yes": True, "no": False, "na": None}
    assert score(indicators.values(), {n: values[a] for n, a in ANSWERS.items()}) == SCORES
    world.alone.refresh_from_db()
    assert world.alone.next_visit_due == due
    assert world.alone.current_risk == RiskLevel.WATCH

    # Back home: the household moved down; its next visit is due in 30 days.
    phone.goto("/visits/mine/")
    expect(rows.nth(0)).to_have_attribute("data-state", "overdue")
    expect(alone_row).to_contain_text(th("visited today"))
    expect(alone_row).to_contain_text(due_short)
    # Recording the visit ended its draft: there is nothing to carry on with. (Checked here,
    # a few pages later, so that a request the form's page sent as it closed has arrived.)
    left = VisitDraft.objects.filter(user=world.volunteer_user, household=world.alone).first()
    record_label = alone_row.get_by_test_id("record").inner_text().strip()
    th.fault_unless(
        left is None and record_label == th("Record a visit"),
        f"the recorded visit's draft came back: a draft saved {left and left.updated_at} after "
        f"the visit ({visit.created_at}), holding its form "
        f"(client_uuid {left and left.data.get('client_uuid')} vs {visit.client_uuid}); "
        f"my households says {record_label!r}. A new visit typed into that form would be "
        "taken for this one. visit_form.js sends a draft beacon on page hide even while the "
        "form is being submitted, and services.draft_save accepts a recorded form's draft.",
    )
    sign_out(phone)

    # 4. The district coordinator, on a PC, acknowledges the visit with a comment.
    pc = open_page(*PC)
    sign_in(pc, th, "mueang")
    assert pc.url == live_server.url + "/"
    pc.goto(f"/households/{world.alone.pk}/")
    with pc.expect_navigation():
        pc.get_by_test_id("timeline").click()
    with pc.expect_navigation():
        pc.get_by_test_id("timeline").get_by_role("link", name=th("Home visit")).first.click()
    assert pc.url == f"{live_server.url}/visits/{visit.pk}/"
    acknowledge = pc.get_by_test_id("acknowledge")
    expect(acknowledge.get_by_role("heading")).to_have_text(th("Acknowledge this visit"))
    acknowledge.get_by_label(th("comment for the volunteer")).fill(COMMENT)
    with pc.expect_navigation():
        acknowledge.get_by_test_id("acknowledge-submit").click()
    assert pc.url == f"{live_server.url}/visits/{visit.pk}/"
    expect(pc.locator("html")).to_have_attribute("lang", "th")
    expect(
        pc.get_by_text(th("The visit is acknowledged; the volunteer will see it."))
    ).to_be_visible()
    expect(pc.get_by_test_id("acknowledgement")).to_contain_text(COMMENT)
    expect(pc.get_by_test_id("acknowledgement")).to_contain_text(world.mueang.display_name)
    shot(pc, "6-acknowledged-pc")
    visit.refresh_from_db()
    assert visit.acknowledged_by == world.mueang and visit.acknowledgement == COMMENT

    # 5. The volunteer signs in again: the acknowledgement is on her home and the visit.
    sign_in(phone, th, "volunteer")
    assert phone.url == live_server.url + "/visits/mine/"
    acknowledgements = phone.get_by_test_id("acknowledgements")
    expect(acknowledgements).to_contain_text(th("Acknowledged by the coordinator"))
    expect(acknowledgements).to_contain_text(COMMENT)
    th.page(phone)
    shot(phone, "7-acknowledgement-home")
    with phone.expect_navigation():
        acknowledgements.get_by_role("link").first.click()
    assert phone.url == f"{live_server.url}/visits/{visit.pk}/"
    expect(phone.get_by_test_id("acknowledgement")).to_contain_text(COMMENT)
    # A volunteer may not acknowledge.
    expect(phone.get_by_test_id("acknowledge")).to_have_count(0)
    th.page(phone)

    th.check()


def test_a_half_typed_visit_survives_a_reload(
    open_page: Callable[[int, int], Page], live_server: Any, world: World, th: Thai
) -> None:
    phone = open_page(*PHONE)
    sign_in(phone, th, "volunteer")
    open_visit_form(phone, th, world.alone)
    form = phone.get_by_test_id("visit-form")
    observations = form.get_by_label(th("observations"))
    observations.fill(OBSERVATIONS)
    # Ticking the risk is a change: the page sends its draft a moment later (the one that
    # carries the risk: a timed save of the text alone may go first).
    with phone.expect_response(
        lambda r: r.url.endswith("/draft/") and "risk_level=watch" in (r.request.post_data or "")
    ) as sent:
        form.locator('[data-field="risk_level"]').get_by_label(th("watch"), exact=True).check()
    assert sent.value.ok and sent.value.json()["saved"] is True
    saved_label = th("Draft saved at %(time)s").split("%(time)s")[0].strip()
    expect(form.locator("[data-draft-status]")).to_contain_text(saved_label)
    draft = VisitDraft.objects.get(user=world.volunteer_user, household=world.alone)
    assert draft.data["observations"] == OBSERVATIONS

    # Without the phone's own copy, only the server's draft can bring the text back.
    phone.evaluate("() => localStorage.clear()")
    phone.reload()
    expect(phone.get_by_test_id("draft-notice")).to_be_visible()
    expect(observations).to_have_value(OBSERVATIONS)
    expect(form.locator('[data-field="risk_level"] input[value="watch"]')).to_be_checked()
    th.page(phone)
    shot(phone, "8-draft-restored")

    # The home page offers to carry on with it.
    phone.goto("/visits/mine/")
    expect(household_row(phone, world.alone).get_by_test_id("record")).to_have_text(
        th("Continue the visit record")
    )

    # Sent after the session ended: the sign-in page says the visit is not saved yet.
    open_visit_form(phone, th, world.alone)
    phone.context.clear_cookies(name="sessionid")
    with phone.expect_navigation():
        phone.get_by_test_id("visit-form").locator("[type=submit]").first.click()
    expect(phone.get_by_test_id("keep-note")).to_be_visible()
    th.check()


def test_a_visit_saved_with_no_signal_says_it_is_not_recorded(
    open_page: Callable[[int, int], Page], live_server: Any, world: World, th: Thai
) -> None:
    """Not the browser's own error page: the form stays, and says what happened."""
    phone = open_page(*PHONE)
    sign_in(phone, th, "volunteer")
    open_visit_form(phone, th, world.alone)
    form = phone.get_by_test_id("visit-form")
    form.get_by_label(th("observations")).fill(OBSERVATIONS)
    phone.context.set_offline(True)
    form.locator("[type=submit]").first.click()
    not_sent = th(
        "No signal: the visit is NOT recorded yet. What you typed is kept on this phone; "
        "press Save again when there is signal."
    )
    expect(form.locator("[data-draft-status]")).to_have_text(not_sent)
    phone.context.set_offline(False)
    expect(form.get_by_label(th("observations"))).to_have_value(OBSERVATIONS)
    assert not Visit.objects.filter(household=world.alone, observations=OBSERVATIONS).exists()
    # Back online, the draft goes to the server: nothing is left for the page to send as it
    # closes, after the test's database is gone.
    with phone.expect_response(lambda r: r.url.endswith("/draft/")) as sent:
        form.get_by_label(th("observations")).fill(OBSERVATIONS + " ")
    assert sent.value.ok
    phone.goto("/visits/mine/")  # leaves the form while the server is there to take its last
    expect(phone.get_by_test_id("counts")).to_be_visible()


def test_a_household_takes_the_phone_position(
    open_page: Callable[[int, int], Page], live_server: Any, world: World, th: Thai
) -> None:
    """At the door, the volunteer records where the house is with the phone's GPS."""
    phone = open_page(*PHONE)
    phone.context.grant_permissions(["geolocation"])
    phone.context.set_geolocation({"latitude": 10.4930, "longitude": 99.1800, "accuracy": 12})
    sign_in(phone, th, "volunteer")
    phone.goto(f"/households/{world.alone.pk}/edit/")
    phone.get_by_test_id("gps-button").click()
    expect(phone.get_by_label(th("Latitude"))).to_have_value("10.493000")
    expect(phone.get_by_label(th("Longitude"))).to_have_value("99.180000")
    expect(phone.locator("[data-gps-status]")).to_contain_text("12")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE[0]
    with phone.expect_navigation():
        phone.get_by_test_id("submit").click()
    world.alone.refresh_from_db()
    assert (float(world.alone.latitude), float(world.alone.longitude)) == (10.493, 99.18)
    th.check()


def test_a_member_typed_as_the_signal_drops_or_the_session_ends_is_offered_back(
    open_page: Callable[[int, int], Page], live_server: Any, world: World, th: Thai
) -> None:
    """At the doorstep the send is lost: the phone keeps what was typed and offers it back."""
    phone = open_page(*PHONE)
    sign_in(phone, th, "volunteer")
    url = f"/households/{world.alone.pk}/people/new/"
    phone.goto(url)
    form = phone.get_by_test_id("person-form")
    form.locator("[name=p-first_name]").fill("สมหมาย")
    form.locator("[name=p-last_name]").fill("ใจเย็น")

    # No signal when she taps the button: the browser shows its own error page.
    phone.context.set_offline(True)
    with pytest.raises(PlaywrightError), phone.expect_navigation(timeout=5000):
        form.locator("[type=submit]").first.click()
    phone.context.set_offline(False)
    phone.goto(url)
    expect(phone.get_by_test_id("keep-offer")).to_be_visible()
    th.page(phone)
    shot(phone, "9-member-offered-back")
    phone.get_by_test_id("keep-restore").click()
    expect(form.locator("[name=p-first_name]")).to_have_value("สมหมาย")
    expect(form.locator("[name=p-last_name]")).to_have_value("ใจเย็น")

    # The session ends meanwhile: the sign-in page says the form was not saved, and the form
    # offers it back after signing in.
    phone.context.clear_cookies(name="sessionid")  # the CSRF cookie outlives a session
    with phone.expect_navigation():
        form.locator("[type=submit]").first.click()
    expect(phone.get_by_test_id("keep-note")).to_be_visible()
    th.page(phone)
    phone.get_by_label(th("Username")).fill("volunteer")
    phone.get_by_label(th("Password")).fill(PASSWORD)
    with phone.expect_navigation():
        phone.get_by_test_id("login-submit").click()
    assert phone.url.endswith(url)
    expect(phone.get_by_test_id("keep-offer")).to_be_visible()

    # A send the server takes drops the copy.
    phone.get_by_test_id("keep-restore").click()
    with phone.expect_navigation():
        form.locator("[type=submit]").first.click()
    if not phone.url.endswith(url):  # saved: the household's page
        phone.goto(url)
        expect(phone.get_by_test_id("keep-offer")).to_have_count(0)
    th.check()


def test_a_copy_put_back_after_someone_else_saved_keeps_their_change(
    open_page: Callable[[int, int], Page], live_server: Any, world: World, th: Thai
) -> None:
    """Two coordinators edit one household. The second is told the first saved meanwhile; the
    form shows the saved record with the second's own change on it, and putting back the phone's
    copy restores only that change: saved again, neither is lost."""
    pc = open_page(*PC)
    sign_in(pc, th, "mueang")
    url = f"/households/{world.alone.pk}/edit/"
    pc.goto(url)
    form = pc.locator("form[data-keep]")
    form.locator("[name=road]").fill("ถนนของอำเภอ")
    # The subdistrict coordinator saves a ซอย first.
    Household.objects.filter(pk=world.alone.pk).update(soi="ซอยของตำบล", version=F("version") + 1)
    with pc.expect_navigation():
        form.locator("[type=submit]").first.click()
    expect(form.locator("[name=soi]")).to_have_value("ซอยของตำบล")
    expect(form.locator("[name=road]")).to_have_value("ถนนของอำเภอ")
    expect(pc.locator(".messages .error")).to_contain_text(th("Road"))
    pc.get_by_test_id("keep-restore").click()
    expect(form.locator("[name=soi]")).to_have_value("ซอยของตำบล")
    with pc.expect_navigation():
        form.locator("[type=submit]").first.click()
    world.alone.refresh_from_db()
    assert (world.alone.soi, world.alone.road) == ("ซอยของตำบล", "ถนนของอำเภอ")
    th.check()


# --- A shared PC: drafts leave with the user ---------------------------------------------------

CARENET_KEYS = "() => Object.keys(localStorage).filter(k => k.startsWith('carenet:')).sort()"


def test_drafts_leave_a_shared_pc_with_the_user_who_typed_them(
    open_page: Callable[[int, int], Page], live_server: Any, world: World, th: Thai
) -> None:
    """One officer types a request for help, a visit and a member, and signs out: nothing of
    it stays on the PC. Drafts left by a session that ended on its own go when someone else
    signs in, and are never offered to them."""
    pc = open_page(*PC)
    sign_in(pc, th, "volunteer")
    me = world.volunteer_user.pk
    pc.goto(f"/cases/new/{world.alone.pk}/")
    pc.locator("#intake-form textarea").first.fill("ลูกสาวถูกทำร้าย ขอให้ปิดเป็นความลับ")
    pc.goto(f"/visits/households/{world.alone.pk}/record/")
    pc.get_by_test_id("visit-form").get_by_label(th("observations")).fill(OBSERVATIONS)
    pc.goto(f"/households/{world.alone.pk}/people/new/")
    pc.get_by_test_id("person-form").locator("[name=p-first_name]").fill("สมหมาย")
    keys = pc.evaluate(CARENET_KEYS)
    assert [k.split(":")[1:3] for k in keys] == [
        ["intake", str(me)],
        ["keep", str(me)],
        ["visit-draft", str(me)],
    ], keys
    sign_out(pc)
    assert pc.evaluate(CARENET_KEYS) == []

    # The session ended on its own, with drafts on the PC: the next user does not get them.
    sign_in(pc, th, "volunteer")
    pc.goto(f"/households/{world.alone.pk}/people/new/")
    pc.get_by_test_id("person-form").locator("[name=p-first_name]").fill("สมหมาย")
    pc.context.clear_cookies(name="sessionid")
    sign_in(pc, th, "mueang")
    assert pc.evaluate(CARENET_KEYS) == []
    pc.goto(f"/households/{world.alone.pk}/people/new/")
    expect(pc.get_by_test_id("keep-offer")).to_have_count(0)
    th.check()


def test_a_send_answered_with_a_possible_duplicate_offers_no_kept_copy(
    open_page: Callable[[int, int], Page], live_server: Any, world: World, th: Thai
) -> None:
    """The page shows what was typed, with the warning: the kept copy is not offered on top."""
    pc = open_page(*PC)
    sign_in(pc, th, "mueang")
    pc.goto(f"/households/{world.family.pk}/people/new/")
    form = pc.get_by_test_id("person-form")
    twin = world.grandmother
    form.locator("[name=p-first_name]").fill(twin.first_name)
    form.locator("[name=p-last_name]").fill(twin.last_name)
    form.locator("[name=p-birth_date]").fill(thaidate.format_numeric(twin.birth_date))
    form.locator("[name=c-basis][value=consent]").check()
    with pc.expect_navigation():
        form.locator("[type=submit]").first.click()
    expect(pc.get_by_test_id("duplicates")).to_be_visible()
    expect(form.locator("[name=p-first_name]")).to_have_value(twin.first_name)
    expect(pc.get_by_test_id("keep-offer")).to_have_count(0)
    th.check()


def test_a_pc_left_alone_signs_out_and_keeps_what_was_typed(
    open_page: Callable[[int, int], Page], live_server: Any, world: World, th: Thai
) -> None:
    """The officer leaves a half-typed member for longer than the idle limit, then sends it: the
    sign-in page says why, and after signing in again the form offers back what was typed."""
    pc = open_page(*PC)
    sign_in(pc, th, "mueang")
    url = f"/households/{world.alone.pk}/people/new/"
    pc.goto(url)
    form = pc.get_by_test_id("person-form")
    form.locator("[name=p-first_name]").fill("สมหมาย")
    name = django_settings.SESSION_COOKIE_NAME
    (cookie,) = [c for c in pc.context.cookies() if c["name"] == name]
    assert cookie["expires"] == -1  # ends with the browser
    session = SessionStore(session_key=cookie["value"])
    session[SEEN] = int(time.time()) - (django_settings.CARENET_IDLE_MINUTES + 1) * 60
    session.save()
    with pc.expect_navigation():
        form.locator("[type=submit]").first.click()
    assert "/accounts/login/" in pc.url
    expect(pc.locator(".messages")).to_contain_text(
        th(
            "You were signed out after %(minutes)s minutes without use, so that the next person "
            "at this computer cannot use your account. Sign in again to go on."
        )
        % {"minutes": django_settings.CARENET_IDLE_MINUTES}
    )
    expect(pc.get_by_test_id("keep-note")).to_be_visible()
    th.page(pc)
    pc.get_by_label(th("Username")).fill("mueang")
    pc.get_by_label(th("Password")).fill(PASSWORD)
    with pc.expect_navigation():
        pc.get_by_test_id("login-submit").click()
    assert pc.url.endswith(url)
    pc.get_by_test_id("keep-restore").click()
    expect(form.locator("[name=p-first_name]")).to_have_value("สมหมาย")
    th.check()
