"""The home page of each role, and the area overview pages."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.reports import selectors


@access.signed_in
def home(request: HttpRequest) -> HttpResponse:
    roots = list(selectors.area_roots(user=request.user))
    return render(
        request,
        "reports/home.html",
        {
            "role": access.main_role(request.user),
            "grants": selectors.grant_list(user=request.user),
            "roots": roots,
            "counts": selectors.area_counts(user=request.user),
        },
    )


@access.requires(Perm.VIEW_AREAS)
def area_mine(request: HttpRequest) -> HttpResponse:
    roots = list(selectors.area_roots(user=request.user))
    if len(roots) == 1:
        return redirect("reports:area", code=roots[0].code)
    return render(request, "reports/area_list.html", {"areas": roots})


@access.requires(Perm.VIEW_AREAS)
def area_detail(request: HttpRequest, code: str) -> HttpResponse:
    area = selectors.area_get(user=request.user, code=code)
    return render(
        request,
        "reports/area_detail.html",
        {
            "area": area,
            "ancestors": selectors.area_ancestors(area=area),
            "children": selectors.area_children(area=area),
            "counts": selectors.area_counts(user=request.user, code=area.code),
        },
    )
