"""What every page gets: no caching of what a signed-in user sees, and a Thai page for a form
whose CSRF token failed."""

import pytest
from django.test import Client
from django.urls import reverse

from conftest import login

pytestmark = pytest.mark.django_db


def test_a_signed_in_users_pages_are_not_kept_by_the_browser(client, volunteer_a):
    login(client, "volunteer_a")
    response = client.get(reverse("reports:home"))
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_a_form_sent_without_its_token_gets_a_thai_page(volunteer_a):
    client = Client(enforce_csrf_checks=True)
    login(client, "volunteer_a")
    response = client.post(reverse("accounts:password_change"), {"old_password": "x"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "ส่งแบบฟอร์มไม่สำเร็จ" in body
    assert "DEBUG" not in body


def test_a_form_sent_from_an_address_not_served_says_so_to_the_administrator(volunteer_a):
    """A trial on another port than the proxy's: the origin does not match the host."""
    client = Client(enforce_csrf_checks=True)
    login(client, "volunteer_a")
    page = client.get(reverse("accounts:password_change"))
    token = page.cookies["csrftoken"].value
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "x", "csrfmiddlewaretoken": token},
        headers={"Origin": "http://127.0.0.1:8105"},
    )
    assert response.status_code == 403
    body = response.content.decode()
    assert "DJANGO_CSRF_TRUSTED_ORIGINS" in body and "ส่งแบบฟอร์มไม่สำเร็จ" not in body


def test_the_browsers_favicon_request_finds_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].endswith(".svg")


def test_pages_run_only_carenet_s_scripts_and_their_own_nonce(client, volunteer_a):
    """A Content-Security-Policy: script injected into a page would not run."""
    import re
    from pathlib import Path

    from django.conf import settings

    login(client, "volunteer_a")
    response = client.get(reverse("households:list"))
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert (
        "script-src 'self'" in policy
        and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    )
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    # The few pages with a script of their own give it the page's nonce.
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", response.content.decode())
    nonce = re.search(r"'nonce-([^']+)'", policy)
    assert all(nonce and f'nonce="{nonce[1]}"' in attributes for attributes in inline)
    # No template uses an inline event handler, which the policy would block.
    handlers = re.compile(r"\son(?:click|change|submit|load|input)=")
    templates = Path(settings.BASE_DIR).glob("**/templates/**/*.html")
    assert [
        str(path)
        for path in templates
        if ".venv" not in path.parts and handlers.search(path.read_text())
    ] == []


def test_a_request_for_another_host_gets_a_thai_400_page(client, settings):
    """Staff typing the server's IP address, which DJANGO_ALLOWED_HOSTS does not list."""
    settings.DEBUG = False
    response = client.get("/", HTTP_HOST="10.1.2.3")
    assert response.status_code == 400
    body = response.content.decode()
    assert "อ่านคำขอไม่ได้" in body and "The request could not be read" in body


def test_an_address_that_only_takes_a_form_opened_by_itself_explains_in_thai(client, volunteer_a):
    login(client, "volunteer_a")
    path = reverse("accounts:logout")
    response = client.get(path)
    assert response.status_code == 405
    body = response.content.decode()
    assert 'data-testid="send-only"' in body and "ไม่ได้บันทึกสิ่งใด" in body


def served(method: str, path: str) -> tuple[str, dict[str, str], bytes]:
    """The response as a WSGI server such as gunicorn receives it: the test client drops a
    HEAD response's body itself, so it cannot tell whether Carenet sent one."""
    from wsgiref.util import setup_testing_defaults

    from django.core.wsgi import get_wsgi_application

    environ: dict[str, object] = {"REQUEST_METHOD": method, "PATH_INFO": path}
    setup_testing_defaults(environ)
    environ["HTTP_HOST"] = "localhost"
    started: dict[str, object] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info=None):
        started.update(status=status, headers=dict(headers))

    result = get_wsgi_application()(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        result.close()
    return str(started["status"]), started["headers"], body  # type: ignore[return-value]


@pytest.mark.parametrize("path", ["/accounts/login/", "/no-such-page/", "/favicon.ico"])
def test_a_head_request_gets_the_headers_without_the_page(path):
    """An uptime monitor's HEAD: gunicorn would log a warning for every body it had to drop."""
    got_status, got_headers, got_body = served("GET", path)
    status, headers, body = served("HEAD", path)
    assert body == b""
    assert status == got_status
    assert headers["Content-Type"] == got_headers["Content-Type"]
    if got_body:
        assert headers.get("Content-Length") == str(len(got_body))


def test_pages_are_compressed_for_a_browser_that_accepts_it(client):
    """A volunteer on slow mobile data: the sign-in page's HTML shrinks to well under half."""
    plain = client.get("/accounts/login/")
    packed = client.get("/accounts/login/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert len(packed.content) < len(plain.content) / 2


def test_a_workbook_download_is_sent_as_it_is(client, tmp_path):
    """Compressing a zip again gains nothing and hides its size from the phone's download."""
    from django.http import FileResponse
    from django.test import RequestFactory

    from carenet.core.middleware import TextGZipMiddleware

    book = tmp_path / "export.xlsx"
    book.write_bytes(b"PK" + b"x" * 5000)
    request = RequestFactory().get("/", HTTP_ACCEPT_ENCODING="gzip")
    response = TextGZipMiddleware(lambda r: FileResponse(book.open("rb"), as_attachment=True))(
        request
    )
    assert "Content-Encoding" not in response.headers
    assert response.headers["Content-Length"] == "5002"
    response.close()
