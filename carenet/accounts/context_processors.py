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
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        items.append(
            {
                "label": label,
                "url": url,
                "active": request.path.startswith(url) and (url != "/" or request.path == "/"),
            }
        )
    role = main_role(user)
    return {"nav_items": items, "main_role": role}
