"""Screenshots of Carenet's main pages, for a person to look at. A script, not a test.

    .venv/bin/python e2e/screenshots.py --base-url http://127.0.0.1:8000 [--out screenshots/]

It signs in through the real login form as the demo users `mueang` (a district coordinator) and
`volunteer`, and saves full-page PNGs of the login page (empty and with an error), the home page,
the user's area page and the 404 page, at 360 px (a cheap Android phone) and 1280 px (an office
PC), in Thai and in English. Files are named `<width>-<language>[-<user>]-<page>.png`.

Run it against a server holding the demo data (`CARENET_DEMO=true manage.py demo`). It needs
Debian's chromium; Playwright's own browser download is never used.
"""

import argparse
import sys
from pathlib import Path

from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
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
VIEWPORTS: dict[int, ViewportSize] = {
    360: {"width": 360, "height": 740},
    1280: {"width": 1280, "height": 800},
}
LANGUAGES = ["th", "en"]
USERS = ["mueang", "volunteer"]


def open_login(browser: Browser, base_url: str, width: int, language: str) -> Page:
    """A fresh browser session on the login page, switched to `language` with the page's switch."""
    context = browser.new_context(
        base_url=base_url,
        viewport=VIEWPORTS[width],
        locale="th-TH",
        device_scale_factor=2 if width < 720 else 1,
    )
    page = context.new_page()
    page.goto("/accounts/login/")
    if page.get_attribute("html", "lang") != language:
        with page.expect_navigation():
            page.click(f"[data-testid=lang-{language}]")
    return page


def sign_in(page: Page, username: str, password: str) -> None:
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("[data-testid=login-submit]")


def shoot(page: Page, out: Path, name: str) -> None:
    page.evaluate("document.fonts.ready")
    path = out / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument("--password", default="carenet-demo")
    parser.add_argument("--chromium", default=CHROMIUM)
    parser.add_argument("--users", nargs="+", default=USERS, help="demo logins to sign in as")
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        for width in VIEWPORTS:
            for language in LANGUAGES:
                prefix = f"{width}-{language}"
                page = open_login(browser, args.base_url, width, language)
                shoot(page, out, f"{prefix}-login")
                page.context.close()
                for username in args.users:
                    page = open_login(browser, args.base_url, width, language)
                    if username == args.users[0]:
                        # A wrong password first; the right one below resets django-axes' count.
                        sign_in(page, username, args.password + "-wrong")
                        shoot(page, out, f"{prefix}-login-error")
                    sign_in(page, username, args.password)
                    if "/accounts/login/" in page.url:
                        print(f"could not sign in as {username}", file=sys.stderr)
                        return 1
                    shoot(page, out, f"{prefix}-{username}-home")
                    page.goto("/areas/")
                    shoot(page, out, f"{prefix}-{username}-area")
                    if username == args.users[0]:
                        page.goto("/no-such-page/")
                        shoot(page, out, f"{prefix}-404")
                    page.context.close()
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
