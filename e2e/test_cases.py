"""A request for help from the home visit to its outcome, in a real browser, in Thai (issue 5's
"Done when").

The world is made through the services: `mueang` (the เมืองชุมพร district coordinator)
registers the volunteer `volunteer` of ต.ท่าตะเภา and gives her the household of an elderly
woman who lives alone; `tambon` coordinates the ท่าตะเภา centre (the subdistrict check) and
`chumphon` is the provincial officer. Earlier this fiscal year the woman received 1,000 baht
of emergency cash on another case; the อบต. ท่าตะเภา is in the agency directory. Then, through
the real sign-in form:

1. the volunteer, on a 360 px phone, files a request from the household page: the person,
   her daughter asking on her behalf, the problems, the category, the help wanted and the
   amount; the woman signs the consent with a finger on the canvas; a photo of the house is
   attached. The case waits for the subdistrict check, with a PNG signature and one shrunk
   photo;
2. `tambon` checks it; `mueang` sends it back with a comment on the amount; the volunteer sees
   what to fix on her action list and on the request, fixes the amount and sends it again; it
   comes back to the district step, and `mueang` checks it;
3. `chumphon` accepts it, approves 2,000 baht of emergency cash (the page shows the 1,000 baht
   already received this fiscal year and the caps), refers the roof to the อบต. and opens the
   referral letter: a PDF that names the woman;
4. `chumphon` records the อบต.'s answer: done;
5. the volunteer signs in again and sees how it ended, on her action list and the case page.

Office users work at 1280 px. Every text looked up is checked against the Thai catalogue.
Each user works in their own browser, signed in once, as on their own phone or PC; the
volunteer signs out after fixing the request and signs in again to see the outcome. Set
CARENET_E2E_SCREENSHOTS to a folder to keep a full-page screenshot of each step there.
"""

import contextlib
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, expect

from carenet.accounts.models import Role, User
from carenet.accounts.services import assignment_grant, user_create
from carenet.areas.models import Area
from carenet.cases.assistance import assistance_approve
from carenet.cases.models import (
    Agency,
    AgencyKind,
    Assistance,
    AssistanceStatus,
    AssistanceType,
    Case,
    CaseCategory,
    CaseEvent,
    CaseStatus,
    FieldComment,
    Outcome,
    Referral,
    ReferralEvent,
    ReferralStatus,
    RequesterKind,
)
from carenet.cases.referrals import agency_create
from carenet.cases.tests.factories import CaseFactory
from carenet.households.cleaning import ConsentData
from carenet.households.models import ConsentBasis, Household, Person, Relation
from carenet.households.services import household_register
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
    SCREENSHOTS,
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

S = CaseStatus

PROBLEMS = {"work_income": "low_income", "housing": "dilapidated"}
CATEGORY = "poverty"
REQUESTER = ("สมศรี ใจเย็น", "ลูกสาว", "0891234567")
HELP_WANTED = "ขอเงินสงเคราะห์ค่าอาหารและค่ายา และขอให้ช่วยซ่อมหลังคาบ้านที่รั่วก่อนหน้าฝน"
AMOUNT_ASKED, AMOUNT_FIXED = "5000", "2000"
AMOUNT_COMMENT = "เงินสงเคราะห์กรณีฉุกเฉินได้ไม่เกิน 3,000 บาทต่อครั้ง กรุณาแก้เป็น 2,000 บาท"
APPROVED = Decimal("2000")
EARLIER = Decimal("1000")  # emergency cash received on another case this fiscal year
AGENCY = "องค์การบริหารส่วนตำบลท่าตะเภา"
NEED = "ซ่อมแซมหลังคาบ้านที่รั่ว ผู้สูงอายุอยู่ลำพัง"
LETTER_NO = "ชพ 0019/321"
CONSENT = (
    "I may withdraw this consent at any time by telling the volunteer or the provincial office; "
    "help already given is not affected."
)
RESULT = "อบต. ซ่อมหลังคาเสร็จแล้ว ใช้งบ 12,000 บาท"


@pytest.fixture
def th() -> Thai:
    return Thai(pages="the cases")


def shot(page: Page, name: str) -> None:
    screenshot(page, f"cases-{name}")


# --- The world -------------------------------------------------------------------------------


@dataclass
class World:
    volunteer_user: User
    volunteer: Volunteer
    tambon: User
    mueang: User
    chumphon: User
    household: Household
    grandmother: Person
    agency: Agency
    earlier: Case


def office_user(username: str, first: str, last: str, role: Role, area: Area) -> User:
    user = user_create(
        actor=None, username=username, password=PASSWORD, first_name=first, last_name=last
    )
    assignment_grant(actor=None, user=user, role=role, area=area)
    return user


@pytest.fixture
def world(area_tree: dict[str, Area], reference_data: None, settings: Any, tmp_path: Path) -> World:
    settings.MEDIA_ROOT = tmp_path / "media"
    mueang = office_user("mueang", "ประเสริฐ", "รักถิ่น", Role.CENTRE_COORDINATOR, area_tree["8601"])
    tambon = office_user("tambon", "วิไล", "ท่าตะเภา", Role.CENTRE_COORDINATOR, area_tree["860101"])
    chumphon = office_user("chumphon", "อรุณี", "พมจ", Role.PROVINCIAL_OFFICER, area_tree["86"])
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
    household = household_register(
        actor=mueang,
        area=area_tree["86010101"],
        house_no="12",
        moo=1,
        volunteer=volunteer,
        first_member=person("บุญมี", "ใจเย็น", "นาง", years_ago(78), Relation.HEAD, lives_alone=True),
        consent=ConsentData(
            basis=ConsentBasis.CONSENT, purpose="ดูแลสวัสดิการ", given_on=date(2025, 1, 10)
        ),
    )
    grandmother = household.members.get()
    agency = agency_create(
        actor=chumphon,
        area=area_tree["860101"],
        kind=AgencyKind.LOCAL_GOVERNMENT,
        name=AGENCY,
        head_title="นายกองค์การบริหารส่วนตำบลท่าตะเภา",
        address="หมู่ 3 ตำบลท่าตะเภา อำเภอเมืองชุมพร จังหวัดชุมพร 86000",
        phone="077511234",
    )
    # Earlier this fiscal year: 1,000 baht of emergency cash on another case, closed long ago
    # enough not to be among the volunteer's recent outcomes.
    earlier = cast(
        Case,
        CaseFactory(
            person=grandmother, filed_by=volunteer_user, status=S.ACCEPTED, help_wanted="ค่าอาหาร"
        ),
    )
    assistance_approve(
        case=earlier,
        person=grandmother,
        assistance_type=AssistanceType.objects.get(code="emergency_cash"),
        amount=EARLIER,
        description="ค่าอาหาร",
        actor=chumphon,
    )
    long_ago = timezone.now() - timedelta(days=45)
    Case.objects.filter(pk=earlier.pk).update(
        status=S.CLOSED,
        outcome=Outcome.SOLVED,
        outcome_note="ได้รับเงินแล้ว",
        closed_at=long_ago,
        status_changed_at=long_ago,
    )
    return World(
        volunteer_user=volunteer_user,
        volunteer=volunteer,
        tambon=tambon,
        mueang=mueang,
        chumphon=chumphon,
        household=household,
        grandmother=grandmother,
        agency=agency,
        earlier=earlier,
    )


@pytest.fixture
def photo_file(tmp_path: Path) -> Path:
    return camera_photo(tmp_path / "หลังคารั่ว.jpg")


# --- Steps -----------------------------------------------------------------------------------


def open_actions(page: Page, th: Thai) -> None:
    menu = page.get_by_role("navigation", name=th("Main menu"))
    with page.expect_navigation():
        menu.get_by_role("link", name=th("My action list"), exact=True).click()
    assert page.url.endswith("/cases/mine/")
    expect(page.get_by_role("heading", level=1)).to_have_text(th("My action list"))
    th.page(page)


def case_row(page: Page, section: str, case: Case) -> Locator:
    return page.get_by_test_id(f"section-{section}").locator(f'[data-case="{case.pk}"]')


def open_case(page: Page, th: Thai, live_server: Any, section: str, case: Case) -> None:
    """From the action list, the case waiting in `section`."""
    row = case_row(page, section, case)
    expect(row).to_be_visible()
    with page.expect_navigation():
        row.locator("a.case-no").click()
    assert page.url == f"{live_server.url}/cases/{case.pk}/"
    th.page(page)


def move(page: Page, th: Thai, to: str, label: str) -> None:
    """Presses the case page's button for a move, and lands back on the case page."""
    button = page.get_by_test_id(f"move-{to}")
    expect(button).to_have_text(th(label))
    with page.expect_navigation():
        button.click()
    expect(page.get_by_test_id("move-error")).to_have_count(0)


def expect_status(page: Page, th: Thai, case: Case, status: str) -> None:
    case.refresh_from_db()
    assert case.status == status, f"the case is {case.status}, not {status}"
    expect(page.get_by_test_id("status")).to_have_text(th(str(S(status).label)))


def draw_signature(page: Page, box: Locator) -> None:
    """A finger's signature: one stroke of zigzags across the canvas."""
    canvas = box.locator("canvas")
    canvas.scroll_into_view_if_needed()
    found = canvas.bounding_box()
    assert found is not None and found["width"] > 200, f"the signature box is {found}"
    x, y, width, height = found["x"], found["y"], found["width"], found["height"]
    page.mouse.move(x + width * 0.1, y + height * 0.6)
    page.mouse.down()
    for step in range(1, 17):
        page.mouse.move(
            x + width * (0.1 + step * 0.05), y + height * (0.3 if step % 2 else 0.7), steps=3
        )
    page.mouse.up()


def loaded(page: Page, picture: Locator) -> None:
    """The image is shown and its file arrived (a lazy image loads once scrolled to)."""
    picture.scroll_into_view_if_needed()
    expect(picture).to_be_visible()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=picture.element_handle()
    )


def events(case: Case) -> list[tuple[str, str, str]]:
    return [
        (e.from_status, e.to_status, e.by.username)
        for e in CaseEvent.objects.filter(case=case).select_related("by").order_by("at", "pk")
    ]


# The focused element's box against the send bar kept at the bottom of the screen: "" when
# the focus is clear of it (or in it), else what is hidden.
_UNDER_THE_BAR = """() => {
  const bar = document.querySelector(".ik-bar"), el = document.activeElement;
  if (!bar || !el || el === document.body || bar.contains(el)) return "";
  const b = el.getBoundingClientRect(), top = bar.getBoundingClientRect().top;
  return b.bottom > top + 1 ? (el.name || el.id || el.tagName) : "";
}"""


def assert_focus_never_under_the_bar(page: Page, stops: int = 120) -> None:
    """Tabbing through the form scrolls each field clear of the sticky bar (WCAG 2.4.11)."""
    hidden = []
    for _ in range(stops):
        page.keyboard.press("Tab")
        if found := page.evaluate(_UNDER_THE_BAR):
            hidden.append(found)
    page.evaluate("() => { document.activeElement.blur(); window.scrollTo(0, 0); }")
    assert not hidden, f"fields hidden under the send bar when focused: {hidden}"


# --- The test --------------------------------------------------------------------------------


def test_a_request_goes_up_the_chain_is_helped_referred_and_the_volunteer_sees_the_outcome(
    open_page: Callable[[int, int], Page],
    live_server: Any,
    world: World,
    photo_file: Path,
    th: Thai,
) -> None:
    grandmother, household = world.grandmother, world.household
    phone = open_page(*PHONE)

    # 1. The volunteer files the request from the household page, on her phone.
    sign_in(phone, th, "volunteer")
    phone.goto(f"/households/{household.pk}/")
    th.page(phone)
    file_case = phone.get_by_test_id("file-case")
    expect(file_case).to_have_text(th("File a request for help"))
    with phone.expect_navigation():
        file_case.click()
    assert phone.url == f"{live_server.url}/cases/new/{household.pk}/"
    expect(phone.get_by_role("heading", level=1)).to_have_text(th("Request for help"))
    th.page(phone)
    assert_focus_never_under_the_bar(phone)

    form = phone.get_by_test_id("intake-form")
    form.locator('[data-field="person"]').get_by_label(grandmother.full_name).check()
    form.locator('[data-field="requester_kind"]').get_by_label(
        th(str(RequesterKind.ON_BEHALF.label)), exact=True
    ).check()
    form.get_by_label(th("name of the person asking")).fill(REQUESTER[0])
    form.get_by_label(th("relation to the person")).fill(REQUESTER[1])
    form.get_by_label(th("phone"), exact=True).fill(REQUESTER[2])
    form.locator('[data-field="requester_types"]').get_by_label(
        th("elderly person"), exact=True
    ).check()
    category = CaseCategory.objects.get(code=CATEGORY)
    form.get_by_label(th("kind of problem")).select_option(str(category.pk))
    for area_code, item_code in PROBLEMS.items():
        group = form.locator(f'.problem-area[data-area="{area_code}"]')
        group.locator("summary").click()
        group.locator(f'input[value="{item_code}"]').check()
        expect(group.locator("[data-count]")).to_have_text("1")
    form.get_by_label(th("help wanted")).fill(HELP_WANTED)
    form.get_by_label(th("amount asked for (baht)")).fill(AMOUNT_ASKED)

    # The consent, signed with a finger; the drawing goes into the form as a PNG.
    expect(phone.get_by_test_id("consent-text")).to_contain_text(th(CONSENT))
    signature = form.locator('[data-field="signature"] [data-signature]')
    draw_signature(phone, signature)
    expect(signature.locator("input[type=hidden]")).to_have_value(
        re.compile(r"^data:image/png;base64,.{200,}")
    )
    # The signal drops as she sends: the page is lost, but the phone kept what she typed.
    phone.context.set_offline(True)
    with contextlib.suppress(PlaywrightError):
        phone.get_by_test_id("file").click(timeout=5000)
    phone.context.set_offline(False)
    phone.goto(f"/cases/new/{household.pk}/")
    expect(phone.get_by_test_id("restored")).to_be_visible()
    expect(form.get_by_label(th("help wanted"))).to_have_value(HELP_WANTED)
    expect(signature.locator("input[type=hidden]")).to_have_value(
        re.compile(r"^data:image/png;base64,.{200,}")
    )
    assert not Case.objects.exclude(pk=world.earlier.pk).filter(household=household).exists()
    form.locator('input[type=file][name="documents"]').set_input_files(photo_file)
    expect(form.locator("[data-file-list] li")).to_have_count(1)
    th.page(phone)
    shot(phone, "1-request-form-360")
    send = phone.get_by_test_id("file")
    expect(send).to_have_text(th("Send the request"))
    with phone.expect_navigation():
        send.click()
    if "/cases/new/" in phone.url:
        errors = phone.locator(".field-error, [data-testid=form-error]")
        pytest.fail(f"the request was not sent: {errors.all_inner_texts()}")

    case = Case.objects.exclude(pk=world.earlier.pk).get(household=household)
    assert phone.url == f"{live_server.url}/cases/{case.pk}/"
    expect(phone.locator(".messages")).to_contain_text(
        th("Request %(number)s is sent for checking.") % {"number": case.number}
    )
    expect_status(phone, th, case, S.SUBDISTRICT_REVIEW)
    assert case.client_uuid is not None  # the form's id, kept through the lost send
    request = phone.get_by_test_id("request")
    expect(request.get_by_test_id("request-person")).to_have_text(grandmother.full_name)
    expect(request).to_contain_text(REQUESTER[0])
    # The signature and the photo are served to the filer (their pictures load).
    for picture in (
        request.get_by_test_id("request-consent").locator("img"),
        request.get_by_test_id("request-documents").locator("img"),
    ):
        expect(picture).to_have_count(1)
        loaded(phone, picture)
    th.page(phone)
    shot(phone, "2-request-sent-360")

    assert case.filed_by == world.volunteer_user and case.person == grandmother
    assert case.category == category and case.help_wanted == HELP_WANTED
    assert case.amount_requested == Decimal(AMOUNT_ASKED)
    assert case.requester_kind == RequesterKind.ON_BEHALF
    assert (case.requester_name, case.requester_relation) == REQUESTER[:2]
    assert sorted(case.problems.values_list("code", flat=True)) == sorted(PROBLEMS.values())
    assert case.consent_signed_at is not None
    with case.consent_signature.open("rb") as stored, Image.open(stored) as drawn:
        assert drawn.format == "PNG"
    documents = list(case.documents.all())
    assert len(documents) == 1 and documents[0].is_photo
    with documents[0].file.open("rb") as stored, Image.open(stored) as image:
        assert image.format == "JPEG"
        assert max(image.size) <= 1600 < 2400, f"the photo was not shrunk: {image.size}"
    assert events(case) == [(S.DRAFT, S.SUBDISTRICT_REVIEW, "volunteer")]
    # Sent: a new request for the household starts empty, the phone's copy dropped.
    phone.goto(f"/cases/new/{household.pk}/")
    expect(phone.get_by_test_id("restored")).to_be_hidden()
    expect(phone.get_by_test_id("intake-form").get_by_label(th("help wanted"))).to_have_value("")
    sign_out(phone)

    # 2. The review chain. The subdistrict checks it, on a PC.
    pc = open_page(*PC)
    sign_in(pc, th, "tambon")
    open_actions(pc, th)
    open_case(pc, th, live_server, "waiting", case)
    shot(pc, "3-subdistrict-check-1280")
    move(pc, th, S.DISTRICT_REVIEW, "Checked: send to the district")
    expect_status(pc, th, case, S.DISTRICT_REVIEW)
    sign_out(pc)

    # The district sends it back with a comment on the amount.
    sign_in(pc, th, "mueang")
    open_actions(pc, th)
    open_case(pc, th, live_server, "waiting", case)
    opener = pc.get_by_test_id("open-send-back")
    expect(opener).to_have_text(th("Send back for fixing"))
    opener.click()
    pc.get_by_test_id("comment-amount_requested").fill(AMOUNT_COMMENT)
    expect(pc.get_by_label(th("amount requested (baht)"))).to_have_value(AMOUNT_COMMENT)
    th.page(pc)
    shot(pc, "4-send-back-1280")
    with pc.expect_navigation():
        pc.get_by_test_id("move-send-back").click()
    expect_status(pc, th, case, S.RETURNED)
    comments = list(FieldComment.objects.filter(case=case))
    assert [(c.field, c.comment, c.resolved) for c in comments] == [
        ("amount_requested", AMOUNT_COMMENT, False)
    ]
    assert case.returned_from == S.DISTRICT_REVIEW
    sign_out(pc)

    # The volunteer sees what to fix on her action list and on the request, and fixes it.
    sign_in(phone, th, "volunteer")
    open_actions(phone, th)
    returned = case_row(phone, "returned", case)
    expect(phone.get_by_test_id("count-returned")).to_have_text("1")
    expect(returned.locator(".to-fix")).to_contain_text(AMOUNT_COMMENT)
    shot(phone, "5-sent-back-actions-360")
    open_case(phone, th, live_server, "returned", case)
    expect(phone.get_by_test_id("request-comments")).to_contain_text(AMOUNT_COMMENT)
    with phone.expect_navigation():
        phone.get_by_test_id("edit").click()
    assert phone.url == f"{live_server.url}/cases/{case.pk}/edit/"
    expect(phone.get_by_role("heading", level=1)).to_have_text(th("Fix the request"))
    to_fix = phone.get_by_test_id("to-fix")
    expect(to_fix.get_by_role("heading")).to_have_text(th("What to fix"))
    expect(to_fix).to_contain_text(AMOUNT_COMMENT)
    expect(to_fix).to_contain_text(world.mueang.display_name)
    # The signature and the photo are kept: nothing to sign or attach again.
    expect(phone.get_by_test_id("signed")).to_be_visible()
    expect(phone.get_by_test_id("documents").locator("li")).to_have_count(1)
    form = phone.get_by_test_id("intake-form")
    amount = form.get_by_label(th("amount asked for (baht)"))
    expect(amount).to_have_value(re.compile(r"^5,?000(\.00)?$"))
    amount.fill(AMOUNT_FIXED)
    th.page(phone)
    shot(phone, "6-fix-360")
    again = phone.get_by_test_id("file")
    expect(again).to_have_text(th("Send it again"))
    with phone.expect_navigation():
        again.click()
    assert phone.url == f"{live_server.url}/cases/{case.pk}/", "the fixed request was not sent"
    expect_status(phone, th, case, S.DISTRICT_REVIEW)
    assert case.amount_requested == Decimal(AMOUNT_FIXED)
    assert list(FieldComment.objects.filter(case=case).values_list("resolved", flat=True)) == [True]
    expect(phone.get_by_test_id("request-comments")).to_have_count(0)
    sign_out(phone)

    # The district checks the fixed request.
    sign_in(pc, th, "mueang")
    open_actions(pc, th)
    open_case(pc, th, live_server, "waiting", case)
    move(pc, th, S.PROVINCE_REVIEW, "Checked: send to the province")
    expect_status(pc, th, case, S.PROVINCE_REVIEW)
    sign_out(pc)

    # 3. The province accepts, approves emergency cash and refers the roof to the อบต.
    sign_in(pc, th, "chumphon")
    open_actions(pc, th)
    open_case(pc, th, live_server, "decide", case)
    move(pc, th, S.ACCEPTED, "Accept the case")
    expect_status(pc, th, case, S.ACCEPTED)
    assert case.decided_at is not None
    assert events(case) == [
        (S.DRAFT, S.SUBDISTRICT_REVIEW, "volunteer"),
        (S.SUBDISTRICT_REVIEW, S.DISTRICT_REVIEW, "tambon"),
        (S.DISTRICT_REVIEW, S.RETURNED, "mueang"),
        (S.RETURNED, S.DISTRICT_REVIEW, "volunteer"),
        (S.DISTRICT_REVIEW, S.PROVINCE_REVIEW, "mueang"),
        (S.PROVINCE_REVIEW, S.ACCEPTED, "chumphon"),
    ]
    chain = pc.get_by_test_id("chain").locator("li")
    expect(chain.filter(has_text=world.tambon.display_name)).to_have_count(1)

    approve = pc.get_by_test_id("approve-assistance")
    with pc.expect_navigation():
        approve.click()
    assert pc.url == f"{live_server.url}/cases/{case.pk}/assistance/"
    expect(pc.get_by_role("heading", level=1)).to_have_text(th("Approve assistance"))
    cash = AssistanceType.objects.get(code="emergency_cash")
    received = pc.get_by_test_id("received")
    expect(received.locator(".rf-item").filter(has_text=cash.name_th)).to_contain_text("1,000")
    expect(received.get_by_test_id("person-total")).to_contain_text("1,000")
    caps = pc.get_by_test_id("caps").locator(".rf-item").filter(has_text=cash.name_th)
    expect(caps).to_contain_text(th("Cap per case") + " 3,000")
    expect(caps).to_contain_text(th("Cap per year") + " 9,000")
    assistance_form = pc.get_by_test_id("assistance-form")
    assistance_form.get_by_label(th("Kind of help")).select_option(str(cash.pk))
    assistance_form.get_by_label(th("Amount (baht)")).fill(str(APPROVED))
    assistance_form.get_by_label(th("What is given")).fill("ค่าอาหารและค่ายา")
    with pc.expect_navigation():
        pc.get_by_test_id("check").click()
    expect(pc.get_by_test_id("cap-ok")).to_contain_text(th("Within the caps."))
    th.page(pc)
    shot(pc, "7-approve-assistance-1280")
    with pc.expect_navigation():
        pc.get_by_test_id("approve").click()
    assert pc.url == f"{live_server.url}/cases/{case.pk}/", "the assistance was not approved"
    expect(pc.locator(".messages")).to_contain_text(th("The assistance is approved."))
    expect(pc.get_by_test_id("assistance-item")).to_contain_text(cash.name_th)
    given = Assistance.objects.get(case=case)
    assert (given.assistance_type, given.amount, given.person) == (cash, APPROVED, grandmother)
    assert given.approved_by == world.chumphon and given.status == AssistanceStatus.APPROVED
    assert not given.override_reason

    with pc.expect_navigation():
        pc.get_by_test_id("refer").click()
    assert pc.url == f"{live_server.url}/cases/{case.pk}/refer/"
    referral_form = pc.get_by_test_id("referral-form")
    referral_form.get_by_label(th("Agency")).select_option(str(world.agency.pk))
    referral_form.get_by_label(th("Service needed")).fill(NEED)
    referral_form.get_by_label(th("Letter number")).fill(LETTER_NO)
    th.page(pc)
    shot(pc, "8-refer-1280")
    with pc.expect_navigation():
        referral_form.get_by_test_id("submit").click()
    assert pc.url == f"{live_server.url}/cases/{case.pk}/", "the referral was not sent"
    referral = Referral.objects.get(case=case)
    assert (referral.agency, referral.status, referral.need) == (
        world.agency,
        ReferralStatus.SENT,
        NEED,
    )
    item = pc.get_by_test_id("referral")
    expect(item).to_contain_text(AGENCY)
    expect(item.get_by_test_id("referral-status")).to_have_text(th("sent"))

    # The referral letter: a PDF naming the woman.
    letter_url = item.get_by_test_id("letter").get_attribute("href")
    assert letter_url is not None
    letter = pc.request.get(letter_url)
    assert letter.ok and letter.headers["content-type"] == "application/pdf"
    pdf = letter.body()
    assert pdf.startswith(b"%PDF")
    if SCREENSHOTS is not None:
        (SCREENSHOTS / "e2e-cases-referral-letter.pdf").write_bytes(pdf)
    pdftotext = shutil.which("pdftotext")
    if pdftotext:
        text = subprocess.run(  # noqa: S603
            [pdftotext, "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
        # pdftotext writes สระอำ as nikhahit + sara aa, and breaks lines.
        text = text.replace("\u0e4d\u0e32", "\u0e33").replace("\n", "")
        assert grandmother.full_name in text, text
        assert f"เรียน {world.agency.head_title}" in text, text
        assert LETTER_NO in text and case.number in text, text
    shot(pc, "9-referred-1280")

    # 4. The อบต. answers: the roof is mended. The officer records it.
    answer = item.locator("details.rf-answer")
    answer.locator("summary").click()
    answer.get_by_label(th("The agency's answer")).select_option(ReferralStatus.DONE.value)
    answer.get_by_label(th("Result or reason")).fill(RESULT)
    with pc.expect_navigation():
        answer.get_by_role("button").click()
    expect(pc.locator(".messages")).to_contain_text(th("The agency's answer is saved."))
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DONE and referral.result == RESULT
    assert list(
        ReferralEvent.objects.filter(referral=referral).values_list(
            "from_status", "to_status", "by__username"
        )
    ) == [
        ("", ReferralStatus.SENT, "chumphon"),
        (ReferralStatus.SENT, ReferralStatus.DONE, "chumphon"),
    ]
    expect(item.get_by_test_id("referral-status")).to_have_text(
        th.context("referral status", "done")
    )
    th.page(pc)
    shot(pc, "10-referral-done-1280")
    sign_out(pc)

    # 5. The volunteer sees how it ended.
    sign_in(phone, th, "volunteer")
    open_actions(phone, th)
    outcome = case_row(phone, "outcomes", case)
    expect(outcome.locator(".outcome-line")).to_contain_text(AGENCY)
    expect(outcome.locator(".outcome-line")).to_contain_text(RESULT)
    shot(phone, "11-outcomes-360")
    open_case(phone, th, live_server, "outcomes", case)
    done = phone.get_by_test_id("referral")
    expect(done.get_by_test_id("referral-status")).to_have_text(
        th.context("referral status", "done")
    )
    expect(done).to_contain_text(RESULT)
    expect(phone.get_by_test_id("assistance-item")).to_contain_text(cash.name_th)
    # A volunteer records no agency's answer and approves nothing.
    expect(done.locator("details.rf-answer")).to_have_count(0)
    expect(phone.get_by_test_id("approve-assistance")).to_have_count(0)
    th.page(phone)
    shot(phone, "12-case-outcome-360")

    th.check()
