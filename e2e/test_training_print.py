"""The training coverage report on paper and on a phone, in a real browser.

The provincial officer prints /training/coverage/86/ as an attachment: it prints on A4 landscape
(a named @page), and the whole table, the nine competency columns with it, fits the sheet's
width, where it used to be cut after the first. On a 360 px phone the page does not scroll
sideways: the table scrolls inside its box.
"""

import io
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from playwright.sync_api import Page
from pypdf import PdfReader

from carenet.accounts.models import Role
from carenet.accounts.services import assignment_grant, user_create
from carenet.areas.models import Area
from carenet.training.models import Competency, CompetencyGrant
from carenet.volunteers.models import Volunteer, VolunteerStatus
from e2e.steps import PASSWORD, PC, PHONE, Thai, screenshot, sign_in

pytestmark = pytest.mark.e2e

# A4 landscape less the page's 10 mm margins, in CSS px (96 per inch).
LANDSCAPE_WIDTH = round((297 - 20) / 25.4 * 96)


@pytest.fixture
def officer(area_tree: dict[str, Area], reference_data: None) -> None:
    chumphon = user_create(
        actor=None, username="chumphon", password=PASSWORD, first_name="สมศรี", last_name="ใจดี"
    )
    assignment_grant(actor=None, user=chumphon, role=Role.PROVINCIAL_OFFICER, area=area_tree["86"])
    volunteers = Volunteer.objects.bulk_create(
        Volunteer(
            title="นาง",
            first_name=f"อาสา{n:03d}",
            last_name="ทดสอบ",
            area_id=code,
            status=VolunteerStatus.ACTIVE,
            registration_date=date(2020, 1, 1),
        )
        for n, code in enumerate(["860101", "860102", "860201"] * 20)
    )
    # Every competency held by someone, so that every column has figures (1,234 12%).
    CompetencyGrant.objects.bulk_create(
        CompetencyGrant(volunteer=v, competency=c, area_id=v.area_id, granted_on=date(2025, 2, 26))
        for c in Competency.objects.all()
        for v in volunteers[::2]
    )


def test_the_coverage_report_prints_every_column_on_a4_landscape(
    open_page: Callable[[int, int], Page], live_server: Any, officer: None
) -> None:
    th = Thai(pages="the training coverage")
    pc = open_page(*PC)
    sign_in(pc, th, "chumphon")
    pc.goto("/training/coverage/86/")
    pdf = PdfReader(io.BytesIO(pc.pdf(format="A4")))
    for page in pdf.pages:
        assert page.mediabox.width > page.mediabox.height, "not printed landscape"

    pc.emulate_media(media="print")
    pc.set_viewport_size({"width": LANDSCAPE_WIDTH, "height": 700})
    right = pc.evaluate(
        """() => Math.max(...[...document.querySelectorAll('.coverage-table th')]
            .map(cell => cell.getBoundingClientRect().right))"""
    )
    headers = pc.locator(".coverage-table th.comp")
    assert headers.count() == Competency.objects.count() == 9
    assert right <= LANDSCAPE_WIDTH, f"the table is {right} px wide on a {LANDSCAPE_WIDTH} px page"
    screenshot(pc, "training-coverage-print")

    phone = open_page(*PHONE)
    sign_in(phone, th, "chumphon")
    phone.goto("/training/coverage/86/")
    th.page(phone)
    screenshot(phone, "training-coverage-phone")
    assert th.faults == []
