"""What every request goes through: Thai first, pages of personal data kept out of caches, a
HEAD request answered without the page, and a database that stayed busy past its timeout
turned into a polite 503, never a 500; pages compressed for slow mobile data.

With SQLite in IMMEDIATE mode and a busy timeout, writers queue rather than fail. If a writer
still waits longer than the timeout (a very long import, say), the user gets a Thai page asking
them to try again in a moment, and nothing of their request was written.
"""

import logging
from collections.abc import Callable

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.middleware.gzip import GZipMiddleware
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.utils.cache import patch_cache_control

logger = logging.getLogger(__name__)


class HeadWithoutBodyMiddleware:
    """A HEAD request gets the headers a GET would, without the page. Django's WSGI handler
    sends the body anyway (its runserver and test client drop it themselves); gunicorn drops
    it too, but logs a warning each time, which an uptime monitor's checks would repeat all
    day. Outermost, so that it sees every response. Content-Length stays the GET's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if request.method != "HEAD":
            return response
        if isinstance(response, StreamingHttpResponse):
            response.streaming_content = []  # the file or query is not read; closed as usual
        elif isinstance(response, HttpResponse):
            response.content = b""
        return response


class TextGZipMiddleware(GZipMiddleware):
    """Pages and other text compressed (to about a fifth: volunteers are on slow mobile data),
    but not files that are compressed already (a workbook is a zip, a PDF or a photo packed):
    compressing them again gains nothing and drops their Content-Length, which a phone's
    download shows as progress. Django pads each compressed body with random bytes against
    BREACH (Heal The Breach, since Django 4.2)."""

    TEXT = ("text/", "application/json", "application/javascript", "image/svg+xml")

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if not response.get("Content-Type", "").startswith(self.TEXT):
            return response
        return super().process_response(request, response)


class ThaiFirstMiddleware:
    """Thai until the user picks English with the switch.

    Office PCs often run an English browser; Django would then follow Accept-Language and show
    English to a Thai officer. Carenet ignores the header: the language cookie set by the
    switch is the only thing that changes the language.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class PrivatePagesMiddleware:
    """Whatever a signed-in user is shown holds personal data, so no browser or proxy keeps
    it: on a phone shared in the family, the back button after signing out would show the
    last household again. Files too (a visit's photos, a request's documents and consent
    signatures): a browser's disk cache outlives the session on a shared office PC. A view
    that sets its own header keeps it (a download's no-store)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response


# What PostgreSQL's driver says when the server cannot be reached or is restarting: the user
# is told to try again shortly, as for a busy SQLite file, and the server's log says why.
_UNREACHABLE = (
    "connection refused",
    "could not connect",
    "connection to server",
    "server closed the connection",
    "the database system is starting up",
    "the database system is shutting down",
    "too many clients",
)


class DatabaseBusyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError):
            return None
        said = str(exception).lower()
        if any(words in said for words in _UNREACHABLE):
            logger.error("The database cannot be reached: %s", exception)
        elif "locked" not in said:
            return None
        body = render_to_string("503.html", request=request)
        response = HttpResponse(body, status=503)
        response["Retry-After"] = "5"
        return response


class SendOnlyAddressMiddleware:
    """An address that only takes a sent form, opened in the browser (a bookmark, or the
    address bar after a refused send, Enter pressed again): Django answers an empty 405, which
    a browser shows as its own error page. A Thai page says what happened instead, with a link
    to the page the form belongs to when there is one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or request.method != "GET":
            return response
        if response.streaming or response.content:
            return response
        page = HttpResponse(
            render_to_string("405.html", {"back": _page_above(request.path)}, request=request),
            status=405,
        )
        page["Allow"] = response.get("Allow", "POST")
        return page


def _page_above(path: str) -> str:
    """/volunteers/50/account/ -> /volunteers/50/, when that is a page; else ""."""
    above = path.rstrip("/").rsplit("/", 1)[0] + "/"
    try:
        resolve(above)
    except Resolver404:
        return ""
    return above if above != path else ""
