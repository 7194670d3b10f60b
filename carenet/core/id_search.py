"""Searching for a citizen ID without putting it in the address.

List pages search with GET forms, so what is typed lands in the URL: in the browser's history,
in shared links and in server logs. A citizen ID must not (DESIGN.md), so a search that holds
one is moved out of the address: a view decorated with `hides_citizen_ids` keeps the text,
encrypted, in the session under a random key and sends the browser to the same page with
`qid=<key>` instead of `q=...`; the view then reads its parameters through `search_params`,
which puts the text back. Paging links keep the key, and the search box still shows what was
typed. A passport no. and a phone number, which point to one person as surely, are moved
out the same way. Other searches stay in the URL as typed.
The decorator goes above the access check, so that a visitor whose session ended is sent to
the sign-in page with the key, not the ID, in `next`.
"""

import re
import secrets
import unicodedata
from collections.abc import Callable
from functools import wraps
from typing import Any

from cryptography.exceptions import InvalidTag
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from carenet.core import citizen_id
from carenet.core.text import THAI_DIGITS

FIELD, KEY_FIELD = "q", "qid"
SESSION_KEY = "carenet:id-searches"
KEEP = 20  # the latest searches of a session; older keys read as an empty search
# A Thai phone number (0 or +66, then 8 or 9 digits) grouped any way: 089-111-2222,
# 089 111 2222, +66 89 111 2222, 02-123-4567.
LOOKS_LIKE_PHONE = re.compile(r"(?<![\d+])(?:\+66|0)(?:[\s\-.()]*\d){8,9}(?!\d)")


def hidden_or_none(request: HttpRequest) -> HttpResponse | None:
    """A redirect to the page without the citizen ID, when the search holds one."""
    # Full-width digits (a phone's other keyboard) read as ASCII ones.
    text = unicodedata.normalize("NFKC", request.GET.get(FIELD, "")).translate(THAI_DIGITS)
    if not (citizen_id.looks_like_id_or_passport(text) or LOOKS_LIKE_PHONE.search(text)):
        return None
    saved = dict(request.session.get(SESSION_KEY, {}))
    key = secrets.token_urlsafe(8)
    saved[key] = citizen_id.encrypt(request.GET[FIELD])  # sessions are rows in the database
    request.session[SESSION_KEY] = dict(list(saved.items())[-KEEP:])
    params = request.GET.copy()
    params.pop(FIELD, None)
    params.pop("page", None)
    params[KEY_FIELD] = key
    return HttpResponseRedirect(f"{request.path}?{params.urlencode()}")


def search_params(request: HttpRequest) -> QueryDict:
    """The page's GET parameters, with a search moved out of the address put back."""
    key = request.GET.get(KEY_FIELD)
    if not key:
        return request.GET
    params = request.GET.copy()
    del params[KEY_FIELD]
    params[FIELD] = _kept(request, key)
    if not params[FIELD]:  # from another session, one that ended, or sealed by an old key
        messages.info(request, _("That search is no longer kept: type it again."))
    return params


def keeping_key(request: HttpRequest, query: str) -> str:
    """A query string a page builds from its filters (the search put back by search_params),
    with the search moved out of it again when the request had it moved: links to the next
    page, a period or a download carry the key, never the citizen ID."""
    key = request.GET.get(KEY_FIELD)
    if not key:
        return query
    params = QueryDict(query, mutable=True)
    params.pop(FIELD, None)
    params[KEY_FIELD] = key
    return params.urlencode()


def _kept(request: HttpRequest, key: str) -> str:
    sealed = request.session.get(SESSION_KEY, {}).get(key)
    try:
        return citizen_id.decrypt(sealed) if sealed else ""
    except (InvalidTag, ValueError):  # the ID key was changed since: as if not kept
        return ""


def hides_citizen_ids(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return hidden_or_none(request) or view(request, *args, **kwargs)

    return wrapped
