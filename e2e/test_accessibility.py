"""The registry pages for a coordinator with poor eyesight, on a cheap 360 px phone.

She zooms the page to 150 or 200 % (the phone is then 240 or 180 CSS px wide) or sets the text
to 200 %, and some days uses only a keyboard. Checked in a real browser:

1. reflow (WCAG 1.4.10): no page of the registry scrolls sideways at 320 px, in Thai and in
   English, nor zoomed to 200 %, nor with the text at 200 %;
2. a form sent back with errors puts the focus on its error summary, which lists every reason
   as a link to its field; a radio group's reason is read with the group.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from playwright.sync_api import Page

from carenet.accounts.models import Role, User
from carenet.accounts.services import assignment_grant, user_create
from carenet.areas.models import Area
from carenet.households.cleaning import ConsentData
from carenet.households.models import ConsentBasis, Household, Relation
from carenet.households.services import household_register, person_add
from carenet.volunteers.models import Centre, Volunteer
from carenet.volunteers.services import centre_ensure, volunteer_register
from e2e.steps import PASSWORD, WIDTHS, Thai, malee, person, screenshot, sign_in, years_ago

pytestmark = pytest.mark.e2e

LARGE_TEXT = "html { font-size: 200% !important; }"


@dataclass
class World:
    mueang: User
    centre: Centre
    volunteer: Volunteer
    household: Household


@pytest.fixture
def world(area_tree: dict[str, Area]) -> World:
    mueang = user_create(
        actor=None, username="mueang", password=PASSWORD, first_name="ประเสริฐ", last_name="รักถิ่น"
    )
    assignment_grant(actor=None, user=mueang, role=Role.CENTRE_COORDINATOR, area=area_tree["8601"])
    centre = centre_ensure(actor=mueang, area_code="8601")
    volunteer = volunteer_register(actor=mueang, data=malee())
    consent = ConsentData(
        basis=ConsentBasis.CONSENT, purpose="ดูแลสวัสดิการ", given_on=date(2025, 1, 10)
    )
    household = household_register(
        actor=mueang,
        area=area_tree["86010101"],
        house_no="249",
        moo=1,
        volunteer=volunteer,
        first_member=person("เกียรติศักดิ์", "เตชะกำพุ", "นาย", years_ago(50), Relation.HEAD),
        consent=consent,
    )
    person_add(
        actor=mueang,
        household=household,
        data=person("อุษณีย์", "เตชะกำพุ", "นาง", years_ago(46), Relation.SPOUSE),
        consent=consent,
    )
    return World(mueang=mueang, centre=centre, volunteer=volunteer, household=household)


def registry_pages(world: World) -> list[str]:
    """The pages of the registry a district coordinator opens every week."""
    first, second = world.household.members.order_by("pk")
    v = world.volunteer.pk
    return [
        "/",
        "/areas/",
        "/volunteers/",
        f"/volunteers/{v}/",
        "/volunteers/new/",
        f"/volunteers/{v}/status/",
        "/volunteers/centres/",
        f"/volunteers/centres/{world.centre.pk}/",
        "/households/",
        f"/households/{world.household.pk}/",
        "/households/new/",
        f"/households/people/{first.pk}/",
        f"/households/merge/?a={first.pk}&b={second.pk}",
        "/spreadsheets/",
        "/spreadsheets/import/",
    ]


def too_wide(page: Page, pages: list[str], *, large_text: bool = False) -> list[str]:
    """The pages wider than the screen, with their width."""
    faults = []
    for path in pages:
        page.goto(path)
        if large_text:
            page.add_style_tag(content=LARGE_TEXT)
        width, screen = page.evaluate(WIDTHS)
        if width > screen:
            faults.append(f"{path} is {width} px wide on a {screen} px screen")
    return faults


@pytest.mark.parametrize(
    ("width", "language", "large_text"),
    [
        pytest.param(320, "th", False, id="320px-thai"),
        pytest.param(320, "en", False, id="320px-english"),
        pytest.param(180, "th", False, id="360px-zoom200-thai"),
        pytest.param(240, "en", False, id="360px-zoom150-english"),
        pytest.param(360, "th", True, id="360px-text200-thai"),
    ],
)
def test_the_registry_pages_reflow_without_sideways_scrolling(
    open_page: Callable[[int, int], Page],
    world: World,
    width: int,
    language: str,
    large_text: bool,
) -> None:
    page = open_page(width, 740)
    th = Thai(pages="the registry")
    sign_in(page, th, world.mueang.username)
    if language != "th":
        with page.expect_navigation():
            page.get_by_test_id(f"lang-{language}").click()
    faults = too_wide(page, registry_pages(world), large_text=large_text)
    screenshot(page, f"reflow-{width}-{language}{'-text200' if large_text else ''}")
    assert not faults, "These pages scroll sideways:\n  " + "\n  ".join(faults)


FOCUSED = "() => document.activeElement.dataset.testid || document.activeElement.id"


def test_a_form_sent_back_focuses_its_error_summary_and_links_to_each_field(
    open_page: Callable[[int, int], Page], world: World
) -> None:
    page = open_page(360, 740)
    th = Thai(pages="the registry")
    sign_in(page, th, world.mueang.username)
    page.goto("/households/new/")
    house_no = page.get_by_label(th("House no."), exact=True)
    house_no.fill("249")
    with page.expect_navigation():
        house_no.press("Enter")  # the keyboard user sends the form half filled

    summary = page.get_by_test_id("form-error")
    assert page.evaluate(FOCUSED) == "form-error", "the error summary did not take the focus"
    assert th("Some answers need fixing. The reason is shown beside each one.") in (
        summary.inner_text()
    )
    links = summary.get_by_role("link")
    assert links.count() >= 3  # the village, the first name, the basis of the consent
    # The consent's basis is a radio group: its link reaches the first choice, and the group
    # is described by the reason.
    basis = summary.get_by_role("link", name=th("Consent or lawful basis"))
    basis.click()
    assert page.evaluate(FOCUSED) == "id_c-basis_0"
    group = page.locator("fieldset.choices:has(#id_c-basis_0)")
    assert "id_c-basis_error" in (group.get_attribute("aria-describedby") or "")
    screenshot(page, "error-summary")
    th.check()
