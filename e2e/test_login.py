"""Signing in, switching language and signing out, in a real browser, on a phone and a PC.

The path a user takes on the first day: open Carenet, land on the Thai sign-in page, sign in
through the real form (django-axes watches it), see the Thai home page with their own scope,
switch to English and back, and sign out. On the phone the page must not scroll sideways, and
the Thai webfont must have loaded (no boxes or a fallback font in place of Thai letters).
"""

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import translation
from playwright.sync_api import Page

from carenet.accounts.models import User
from carenet.accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

SARABUN_THAI_LOADED = """() => document.fonts.ready.then(fonts => [...fonts].some(face =>
    face.family.replace(/["']/g, "") === "Sarabun" && face.status === "loaded"
    && face.unicodeRange.toUpperCase().includes("E01")))"""
FITS_WIDTH = "() => document.documentElement.scrollWidth <= window.innerWidth"


def text(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


def switch_language(page: Page, language: str) -> None:
    with page.expect_navigation():
        page.get_by_test_id(f"lang-{language}").click()
    assert page.locator("html").get_attribute("lang") == language


def check_layout(page: Page) -> None:
    assert page.evaluate(SARABUN_THAI_LOADED), "Sarabun's Thai face did not load"
    assert page.evaluate(FITS_WIDTH), "the page is wider than the screen"


@pytest.mark.parametrize(
    ("width", "height", "persona", "area_label", "area_code"),
    [
        pytest.param(360, 740, "district_coordinator_a", "อ.เมืองชุมพร", "8601", id="phone"),
        pytest.param(1280, 800, "province_officer", "จ.ชุมพร", "86", id="desktop"),
    ],
)
def test_sign_in_switch_language_and_sign_out(
    open_page: Callable[[int, int], Page],
    live_server: Any,
    personas: dict[str, User],
    width: int,
    height: int,
    persona: str,
    area_label: str,
    area_code: str,
) -> None:
    user = personas[persona]
    page = open_page(width, height)
    # Anonymous: sent to the sign-in page, in Thai.
    page.goto("/")
    assert "/accounts/login/" in page.url
    assert page.locator("html").get_attribute("lang") == "th"
    assert page.get_by_role("heading", level=1).inner_text() == text("th", "Sign in to Carenet")
    check_layout(page)

    # Sign in through the real form.
    page.get_by_label(text("th", "Username")).fill(user.username)
    page.get_by_label(text("th", "Password")).fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_test_id("login-submit").click()
    assert page.url == live_server.url + "/"

    # The Thai home page, with the user's name, role and scope.
    assert page.locator("html").get_attribute("lang") == "th"
    assert user.display_name in page.get_by_role("heading", level=1).inner_text()
    scope = page.get_by_test_id("scope")
    assert text("th", "Your scope") in scope.inner_text()
    assert area_label in scope.inner_text() and area_code in scope.inner_text()
    with translation.override("th"):
        role = user.assignments.get().get_role_display()
    assert page.get_by_test_id("main-role").inner_text() == role
    # The menu bar repeats the role where there is room for it: not on a phone.
    assert page.get_by_test_id("who").get_by_text(role).is_visible() == (width >= 480)
    assert page.get_by_test_id("logout").inner_text() == "ออกจากระบบ"
    check_layout(page)

    # English, then Thai again: the switch is on every page and keeps the user where they are.
    switch_language(page, "en")
    assert page.url == live_server.url + "/"
    assert "Your scope" in page.get_by_test_id("scope").inner_text()
    assert page.get_by_test_id("logout").inner_text() == "Sign out"
    assert "ออกจากระบบ" not in page.locator("body").inner_text()
    check_layout(page)
    switch_language(page, "th")
    assert page.get_by_test_id("logout").inner_text() == "ออกจากระบบ"

    # Sign out: back on the Thai sign-in page, and the home page is closed again.
    with page.expect_navigation():
        page.get_by_test_id("logout").click()
    assert page.url.startswith(live_server.url + "/accounts/login/")
    assert page.get_by_test_id("login-submit").inner_text() == "เข้าสู่ระบบ"
    page.goto("/")
    assert "/accounts/login/" in page.url


def test_the_language_switch_asks_before_losing_what_was_typed(
    open_page: Callable[[int, int], Page], personas: dict[str, User]
) -> None:
    """A coordinator halfway through a form taps the language: asked first, nothing lost."""
    page = open_page(360, 740)
    page.goto("/accounts/login/")
    page.get_by_label(text("th", "Username")).fill(personas["district_coordinator_a"].username)
    page.get_by_label(text("th", "Password")).fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_test_id("login-submit").click()
    page.goto("/households/new/")
    page.get_by_test_id("lang-th").click()  # the language shown: nothing happens
    page.locator("input[name='p-first_name']").fill("บุญมา")
    asked: list[str] = []

    def answer(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", answer)
    page.get_by_test_id("lang-en").click()
    page.wait_for_timeout(300)
    assert asked and "ยังไม่ได้บันทึก" in asked[0]
    assert page.locator("html").get_attribute("lang") == "th"
    assert page.locator("input[name='p-first_name']").input_value() == "บุญมา"
