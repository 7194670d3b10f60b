"""Reads for the overview pages: areas in the user's scope and what lies inside them."""

from typing import Any

from django.db.models import Count, QuerySet

from carenet.accounts import access
from carenet.areas.models import Area, Level, within


def area_get(*, user: Any, code: str) -> Area:
    """One area inside the user's scope; 404 when missing or outside it."""
    queryset = Area.objects.select_related("parent__parent__parent")
    return access.get_visible_or_404(user, queryset, field="code", code=code)


def area_roots(*, user: Any) -> QuerySet[Area]:
    """The top areas of the user's scope: their assignments' areas, or every province."""
    codes = access.scope_codes(user)
    if access.NATIONAL in codes:
        return Area.objects.filter(level=Level.PROVINCE)
    return Area.objects.filter(code__in=codes)


def area_children(*, area: Area) -> QuerySet[Area]:
    return area.children.annotate(child_count=Count("children")).order_by("code")


def area_counts(*, user: Any, code: str | None = None) -> dict[str, int]:
    """How many areas of each level lie in the user's scope (inside `code`, when given)."""
    queryset = access.visible_to(user, Area.objects.all(), field="code")
    if code:
        queryset = queryset.filter(within(code)).exclude(code=code)
    rows = queryset.values("level").annotate(n=Count("code")).order_by()
    counts = {level.value: 0 for level in Level}
    counts.update({row["level"]: row["n"] for row in rows})
    return counts


def area_ancestors(*, area: Area) -> list[Area]:
    chain = []
    parent = area.parent
    while parent is not None:
        chain.append(parent)
        parent = parent.parent
    return list(reversed(chain))


def grant_list(*, user: Any) -> list[dict[str, Any]]:
    """The user's assignments with their areas, for the home page."""
    grants = access.grants(user)
    areas = Area.objects.in_bulk([g.area_code for g in grants if g.area_code])
    return [
        {"role": g.role, "area": areas.get(g.area_code)}
        for g in sorted(grants, key=lambda g: (access.ROLE_RANK.index(g.role), g.area_code))
    ]
