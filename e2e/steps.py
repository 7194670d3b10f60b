"""What the browser tests share: screen sizes, the Thai catalogue check, signing in and out,
screenshots, and the people and photos their worlds are made of."""

import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.utils import timezone, translation
from PIL import Image
from playwright.sync_api import Page

from carenet.households.cleaning import PersonData
from carenet.volunteers.services import VolunteerData
from carenet.volunteers.tests.factories import valid_citizen_id

PHONE = (360, 740)
PC = (1280, 800)
PASSWORD = "Tha-Taphao-2568!"  # the test accounts' password
THAI = re.compile("[\u0e00-\u0e7f]")
WIDTHS = "() => [document.documentElement.scrollWidth, window.innerWidth]"
SCREENSHOTS = (
    Path(os.environ["CARENET_E2E_SCREENSHOTS"])
    if os.environ.get("CARENET_E2E_SCREENSHOTS")
    else None
)


@dataclass
class Thai:
    """gettext in Thai that remembers every message with no Thai translation, and the faults
    that need not stop the walk through the pages.

    A missing translation does not stop the walk (the English text is used to find things
    instead); `check()` fails at the end with the whole list, so that one run shows all.
    """

    pages: str = "these"  # which pages, for the report: "the field-work", ...
    missing: list[str] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)

    def __call__(self, message: str) -> str:
        with translation.override("th"):
            result = translation.gettext(message)
        if not THAI.search(result) and message not in self.missing:
            self.missing.append(message)
        return result

    def context(self, context: str, message: str) -> str:
        """pgettext in Thai, remembering a message with no Thai translation."""
        with translation.override("th"):
            result = translation.pgettext(context, message)
        missing = f"{message} (msgctxt {context!r})"
        if not THAI.search(result) and missing not in self.missing:
            self.missing.append(missing)
        return result

    def page(self, page: Page) -> None:
        """The page is in Thai and fits the screen's width (no sideways scrolling)."""
        lang = page.locator("html").get_attribute("lang")
        self.fault_unless(lang == "th", f"{page.url} is in {lang!r}, not Thai")
        widths = page.evaluate(WIDTHS)
        self.fault_unless(
            widths[0] <= widths[1],
            f"{page.url} is {widths[0]} px wide on a {widths[1]} px screen (it scrolls sideways)",
        )

    def fault_unless(self, ok: bool, message: str) -> None:
        if not ok:
            self.faults.append(message)

    def report(self) -> list[str]:
        lines = [f"FAULT: {fault}" for fault in self.faults]
        if self.missing:
            lines.append(
                f"These texts of {self.pages} pages have no Thai translation, so a user sees "
                "them in English (run `manage.py makemessages -l th -l en`, translate the new "
                "entries in locale/th/LC_MESSAGES/django.po, and compile):\n  "
                + "\n  ".join(self.missing)
            )
        return lines

    def check(self) -> None:
        report = self.report()
        assert not report, "\n\n".join(report)


def screenshot(page: Page, name: str) -> None:
    """A full-page screenshot as screenshots/e2e-<name>.png, when CARENET_E2E_SCREENSHOTS
    names a folder (they take a few seconds in all)."""
    if SCREENSHOTS is not None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"e2e-{name}.png"), full_page=True)


def sign_in(page: Page, th: Thai, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label(th("Username")).fill(username)
    page.get_by_label(th("Password")).fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_test_id("login-submit").click()
    assert "/accounts/login/" not in page.url, f"{username} could not sign in"


def sign_out(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_test_id("logout").click()
    assert "/accounts/login/" in page.url


def years_ago(years: int) -> date:
    today = timezone.localdate()
    return today.replace(year=today.year - years, day=min(today.day, 28))


def person(
    first: str, last: str, title: str, born: date, relation: str, **flags: Any
) -> PersonData:
    return PersonData(
        first_name=first,
        last_name=last,
        title=title,
        citizen_id=valid_citizen_id(),
        birth_date=born,
        relation=relation,
        **flags,
    )


def malee() -> VolunteerData:
    """นางมาลี ศรีสุข, the volunteer of ต.ท่าตะเภา หมู่ 1 the tests follow."""
    return VolunteerData(
        citizen_id=valid_citizen_id(),
        title="นาง",
        first_name="มาลี",
        last_name="ศรีสุข",
        area_code="860101",
        village_codes=("86010101",),
        birth_date=years_ago(48),
        phone="0812345678",
        registration_no="12/2560",
        registration_date=date(2017, 6, 1),
    )


def camera_photo(path: Path, *, make: str = "") -> Path:
    """A 2400 × 1800 JPEG as a phone camera makes it, with the phone's make in its EXIF."""
    image = Image.radial_gradient("L").resize((2400, 1800)).convert("RGB")
    exif = Image.Exif()
    if make:
        exif[0x010F] = make  # Make
    image.save(path, "JPEG", quality=92, exif=exif)
    return path
