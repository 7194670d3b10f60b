"""The navigation each role sees. Entries name URL patterns, so this app imports none of them."""

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from carenet.accounts.access import Perm, can, main_role

# (label, url name, permission needed or None for every signed-in user)
NAVIGATION: list[tuple[Any, str, Perm | None]] = [
    (_("Home"), "reports:home", None),
    (_("Households"), "households:list", Perm.VIEW_HOUSEHOLDS),
    (_("Volunteers"), "volunteers:list", Perm.MANAGE_VOLUNTEERS),
    (_("Centres"), "volunteers:centre_list", Perm.MANAGE_VOLUNTEERS),
    (_("My profile"), "volunteers:me", None),
    (_("Import & export"), "spreadsheets:home", Perm.EXPORT_DATA),
    (_("Areas"), "reports:areas", Perm.VIEW_AREAS),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "main_role": None}
    items = []
    for label, url_name, perm in NAVIGATION:
        if perm is not None and not can(user, perm):
            continue
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
    return {"nav_items": items, "main_role": main_role(user)}
