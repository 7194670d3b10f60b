"""Error pages in Thai (and English), with the base layout wherever it can still render."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form refused by the CSRF check: usually a page left open too long; but a form sent
    from an address the server is not set to serve (a trial before the proxy, a port missing
    from the Host) is the administrator's to fix, and says so."""
    template = "403_origin.html" if reason.startswith("Origin checking failed") else "403_csrf.html"
    return render(request, template, status=403)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # No request context: a request for a host Carenet does not serve fails again on reading it.
    return HttpResponse(render_to_string("400.html"), status=400)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: whatever broke may be in a context processor or the database.
    return HttpResponse(render_to_string("500.html"), status=500)
