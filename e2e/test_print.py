"""What paper gets: the stylesheet's print rules and page-actions.js, in Debian's chromium.

A page of the project's own CSS and script, without the server: a list whose rows past the
tenth are folded (details.fold, as on the monthly summary and the overdue page) must print
every row, while a form's folded section stays off paper.
"""

from pathlib import Path

from django.conf import settings

from e2e.conftest import Chromium

STATIC = Path(settings.BASE_DIR) / "static"
PAGE = """<!doctype html><html lang="th"><head><meta charset="utf-8"><style>{css}</style></head>
<body><main>
<table class="data"><tbody><tr><td>row 1</td></tr></tbody></table>
<details class="fold"><summary>อีก 1 คน</summary>
  <table class="data"><tbody><tr><td data-testid="folded">row 11</td></tr></tbody></table>
</details>
<details><summary>Change the status</summary><p data-testid="form-part">a form</p></details>
</main><script>{script}</script></body></html>"""


def test_folded_rows_print_and_forms_do_not(chromium: Chromium, transactional_db: None) -> None:
    page = chromium.launch().new_page()
    try:
        page.set_content(
            PAGE.format(
                css=(STATIC / "css" / "carenet.css").read_text("utf-8"),
                script=(STATIC / "js" / "page-actions.js").read_text("utf-8"),
            )
        )
        assert not page.get_by_test_id("folded").is_visible()  # on screen, folded
        page.emulate_media(media="print")
        assert page.get_by_test_id("folded").is_visible()
        assert not page.get_by_text("อีก 1 คน").is_visible()  # the fold's own summary
        assert not page.get_by_test_id("form-part").is_visible()
        assert page.evaluate("getComputedStyle(document.documentElement).backgroundColor") in (
            "rgb(255, 255, 255)",
            "rgba(0, 0, 0, 0)",
        )
        # A browser that fires beforeprint opens the fold itself, and closes it afterwards.
        page.emulate_media(media="screen")
        page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
        assert page.locator("details.fold").get_attribute("open") is not None
        page.evaluate("window.dispatchEvent(new Event('afterprint'))")
        assert page.locator("details.fold").get_attribute("open") is None
    finally:
        page.close()


def test_the_visit_forms_save_bar_stops_following_the_screen_at_large_text(
    chromium: Chromium, transactional_db: None
) -> None:
    """At about 150 % text on a 360 px phone a bar kept on screen would cover much of the
    form: the button comes after the form instead (visits.css, as on the request form)."""
    css = (Path(settings.BASE_DIR) / "carenet/visits/static/visits/visits.css").read_text("utf-8")
    page = chromium.launch().new_page(viewport={"width": 360, "height": 640})
    try:
        for size, expected in ((17, "sticky"), (34, "static")):
            page.set_content(
                f"<style>{css} :root {{ font-size: {size}px }} body {{ margin: 16px }}</style>"
                '<form class="visit-form"><div class="vf-submit"><button>Save</button></div>'
                "</form>"
            )
            position = page.evaluate(
                "getComputedStyle(document.querySelector('.vf-submit')).position"
            )
            assert position == expected, size
    finally:
        page.close()
