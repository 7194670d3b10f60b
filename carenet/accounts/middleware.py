"""Signing out a PC left alone. Offices share PCs: a session that has seen no request for
CARENET_IDLE_MINUTES ends, and the request goes to the sign-in page with the reason. What a
form was sending then is not lost: form-keep keeps its copy when a send lands on the sign-in
page, and offers it back once the same user has signed in again. The sign-in page says that
what was sent is not saved only when the request was a send (access.to_sign_in).

The time of the last request is written to the session at sign-in, then at most every
TOUCH_SECONDS (a quarter of a shorter limit), not on every request (each write is a database
write), so the idle limit holds to within that. A session without it (made before this was
deployed) is left to its 12 hours."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, ResolverMatch, resolve, reverse
from django.utils.translation import gettext as _

from carenet.accounts import access, services

SEEN = "carenet_seen"
TOUCH_SECONDS = 300


class IdleSignOutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            seen = request.session.get(SEEN)
            if isinstance(seen, int) and now - seen > settings.CARENET_IDLE_MINUTES * 60:
                services.sign_out_log(user=request.user, idle=True)
                logout(request)
                messages.info(request, idle_message())
                if request.path != reverse("accounts:logout"):  # else: signed out, as asked
                    return access.to_sign_in(request)
            if isinstance(seen, int) and now - seen >= touch_seconds():
                request.session[SEEN] = now
        return self.get_response(request)


def touch_seconds() -> int:
    """How often a request moves the idle clock on: every TOUCH_SECONDS, or a quarter of a
    shorter idle limit (a limit of 2 minutes would otherwise never be moved on)."""
    return min(TOUCH_SECONDS, settings.CARENET_IDLE_MINUTES * 60 // 4)


def start_idle_clock(request: HttpRequest) -> None:
    """At sign-in: the session's idle time counts from now."""
    request.session[SEEN] = int(time.time())


def idle_message() -> str:
    return _(
        "You were signed out after %(minutes)s minutes without use, so that the next person "
        "at this computer cannot use your account. Sign in again to go on."
    ) % {"minutes": settings.CARENET_IDLE_MINUTES}


# What a login whose password someone else chose may still reach before choosing its own.
PASSWORD_FREE = frozenset({"password_change", "logout", "still_here", "set_language"})


class PasswordChosenMiddleware:
    """A login whose password was chosen by someone else (a centre making or resetting it)
    goes to the password page first: the owner chooses their own before anything else, so
    that what is done under the login is theirs alone. Static files pass: they are served
    before this, by WhiteNoise."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and getattr(user, "must_change_password", False):
            match = resolve_or_none(request.path_info)
            if match is None or match.url_name not in PASSWORD_FREE:
                messages.warning(request, password_chosen_message())
                return redirect("accounts:password_change")
        return self.get_response(request)


def resolve_or_none(path: str) -> ResolverMatch | None:
    try:
        return resolve(path)
    except Resolver404:
        return None


def password_chosen_message() -> str:
    return _(
        "Choose your own password before you go on: the one you signed in with was chosen "
        "by someone else, who should not be able to use your login."
    )
