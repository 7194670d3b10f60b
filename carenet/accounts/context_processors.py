"""The navigation each role sees. Entries name URL patterns, so this app imports none of them."""

import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from carenet.accounts.access import Perm, can, grants, main_role
from carenet.accounts.middleware import SEEN
from carenet.accounts.models import Role

# (label, url name, permission needed or None, roles it is for or None for every role)
VOLUNTEER_ONLY = frozenset({Role.VOLUNTEER})
NOT_VOLUNTEERS = frozenset(Role) - VOLUNTEER_ONLY  # a volunteer has their own pages instead
NAVIGATION: list[tuple[Any, str, Perm | None, frozenset[Role] | None]] = [
    # A volunteer's home is their households (reports.views.home): one entry, not two.
    (_("Home"), "reports:home", None, NOT_VOLUNTEERS),
    (_("My households"), "visits:my_households", Perm.RECORD_VISITS, VOLUNTEER_ONLY),
    (_("My action list"), "cases:actions", Perm.FILE_CASES, None),
    (_("Households"), "households:list", Perm.VIEW_HOUSEHOLDS, None),
    (_("Cases"), "cases:list", Perm.VIEW_CASES, None),
    (_("Overdue visits"), "visits:overdue", Perm.VIEW_FOLLOWUP, None),
    (_("Concerns"), "visits:concerns", Perm.ACKNOWLEDGE_VISITS, None),
    (_("Monthly summary"), "visits:summary", Perm.VIEW_FOLLOWUP, None),
    (_("Volunteers"), "volunteers:list", Perm.VIEW_VOLUNTEERS, NOT_VOLUNTEERS),
    (_("Centres"), "volunteers:centre_list", Perm.VIEW_VOLUNTEERS, NOT_VOLUNTEERS),
    (_("My profile"), "volunteers:me", None, VOLUNTEER_ONLY),
    (_("My trainings"), "training:my", None, VOLUNTEER_ONLY),
    (_("Training"), "training:list", Perm.VIEW_TRAINING, NOT_VOLUNTEERS),
    (_("Import & export"), "spreadsheets:home", Perm.EXPORT_DATA, None),
    (_("Areas"), "reports:areas", Perm.VIEW_AREAS, None),
    (_("PDPA requests"), "privacy:open", Perm.DECIDE_CASES, None),
    (_("Audit log"), "reports:audit", Perm.VIEW_AUDIT, None),
    (_("Users"), "accounts:users", Perm.MANAGE_USERS, None),
]

EXPORT_ONLY = _("Export data")


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "main_role": None}
    items = []
    held = {grant.role for grant in grants(user)}
    for label, url_name, perm, roles in NAVIGATION:
        if perm is not None and not can(user, perm):
            continue
        if roles is not None and not held & roles:
            continue
        if url_name == "spreadsheets:home" and not can(user, Perm.IMPORT_DATA):
            label = EXPORT_ONLY  # an auditor exports and imports nothing
        try:
            items.append({"label": label, "url": reverse(url_name), "active": False})
        except NoReverseMatch:
            continue
    # The entry whose URL is the longest prefix of this page is the current one, so that
    # /volunteers/centres/ lights "Centres" and not "Volunteers".
    matching = [i for i in items if request.path.startswith(i["url"]) and i["url"] != "/"]
    if matching:
        max(matching, key=lambda i: len(i["url"]))["active"] = True
    elif request.path == "/" and items:
        items[0]["active"] = True
    return {
        "nav_items": items,
        "main_role": main_role(user),
        # idle.js puts the sign-in page in place of a record left open once this has passed:
        # the time left of the session's idle clock, which the server moves on only every
        # few minutes (middleware.TOUCH_SECONDS)
        "idle_seconds": idle_seconds_left(request),
    }


def idle_seconds_left(request: HttpRequest) -> int:
    limit = settings.CARENET_IDLE_MINUTES * 60
    session = getattr(request, "session", None)  # a page drawn outside a request has none
    seen = session.get(SEEN) if session is not None else None
    if not isinstance(seen, int):
        return limit
    return max(1, limit - (int(time.time()) - seen))
