"""Browser tests: Debian's chromium, driven by Playwright's sync API, against pytest-django's
`live_server`. Playwright's own browser download is never used.

Without chromium the tests are skipped on a developer's machine and fail in CI (CI=true), so a
CI machine that lost its browser cannot pass silently. Each xdist worker starts its own browser
and its own live server with its own test database.
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import polib
import pytest
from django.conf import settings
from django.utils.translation import reloader
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

# Playwright's sync API keeps an event loop running in the test's thread, and Django refuses
# ORM calls from such a thread. The fixtures that create users run there, synchronously.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("CARENET_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class Chromium:
    """Debian's chromium, launched once per session (per xdist worker) on first use.

    The check for the browser runs inside the test, so that a missing browser in CI makes the
    test FAIL rather than error in a fixture, and makes it skip elsewhere.
    """

    def __init__(self) -> None:
        self.playwright: Playwright | None = None
        self.browser: Browser | None = None

    def launch(self) -> Browser:
        if self.browser is None:
            if not os.access(CHROMIUM, os.X_OK):
                message = (
                    f"The browser tests need Debian's chromium at {CHROMIUM} (apt-get install "
                    "chromium, or `make chromium`; CARENET_CHROMIUM names another path)."
                )
                if os.environ.get("CI") == "true":
                    pytest.fail(message)
                pytest.skip(message)
            self.playwright = sync_playwright().start()
            self.browser = self.playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS
            )
        return self.browser

    def close(self) -> None:
        if self.browser is not None:
            self.browser.close()
        if self.playwright is not None:
            self.playwright.stop()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Chromium]:
    browser = Chromium()
    yield browser
    browser.close()


@pytest.fixture
def open_page(chromium: Chromium, live_server: Any) -> Iterator[Callable[[int, int], Page]]:
    """open_page(width, height): a new tab in a fresh session on the live server, Thai locale."""
    contexts: list[BrowserContext] = []
    refused: list[str] = []  # what the Content-Security-Policy blocked

    def open_page(width: int, height: int) -> Page:
        context = chromium.launch().new_context(
            base_url=live_server.url, viewport={"width": width, "height": height}, locale="th-TH"
        )
        contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda message: (
                refused.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert refused == [], "the Content-Security-Policy blocked what a page needs"


@pytest.fixture(scope="session", autouse=True)
def compiled_translations() -> None:
    """The pages are checked in Thai: compile a catalogue whose .mo is missing or stale.

    Written to a temporary name and renamed, because two xdist workers may do it at once.
    """
    for po_path in sorted(Path(settings.BASE_DIR).glob("locale/*/LC_MESSAGES/django.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        partial = mo_path.with_name(f".{mo_path.name}.{os.getpid()}")
        polib.pofile(str(po_path)).save_as_mofile(str(partial))
        os.replace(partial, mo_path)
        reloader.translation_file_changed(None, mo_path)


@pytest.fixture(autouse=True)
def keep_reference_data(django_db_serialized_rollback: None) -> None:
    """The live server's database is emptied after each test; this puts the data that
    migrations load (problem areas, จปฐ. indicators) back for the tests that follow."""
