"""The home page of each role, the area overview pages, and the coordination centre page."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.accounts.models import Role
from carenet.areas.models import Area
from carenet.reports import audit, selectors
from carenet.volunteers import selectors as volunteer_selectors

CENTRE_VOLUNTEERS_SHOWN = 25


@access.signed_in
def home(request: HttpRequest) -> HttpResponse:
    if access.main_role(request.user) == Role.VOLUNTEER:
        # A volunteer's day starts from their households, most urgent first.
        return redirect("visits:my_households")
    roots = list(selectors.area_roots(user=request.user))
    return render(
        request,
        "reports/home.html",
        {
            "role": access.main_role(request.user),
            "grants": selectors.grant_list(user=request.user),
            "roots": roots,
            "counts": selectors.area_counts(user=request.user),
            # One area of work (a centre's, a province's) opens on its figures.
            "area": roots[0] if len(roots) == 1 else None,
            "registry": _registry(request.user, roots[0]) if len(roots) == 1 else None,
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
            "can_plan": area.level != "village"
            and access.can(request.user, Perm.PLAN_FOLLOWUP, area.code),
            "registry": _registry(request.user, area),
        },
    )


def _registry(user: Any, area: Area) -> selectors.Registry | None:
    """The area's registry in figures, for those who follow an area's work (not a volunteer,
    who sees only their own households)."""
    if not access.can(user, Perm.VIEW_FOLLOWUP, area.code):
        return None
    return selectors.area_registry(user=user, area=area, today=timezone.localdate())


@access.requires(Perm.VIEW_VOLUNTEERS)
@require_GET
def centre_detail(request: HttpRequest, pk: int) -> HttpResponse:
    centre = volunteer_selectors.centre_get(user=request.user, pk=pk)
    current, past = volunteer_selectors.committee_list(centre=centre)
    today = timezone.localdate()
    # A successor appointed to start later is shown with the committee, not folded away.
    planned = [seat for seat in past if seat.term_start > today]
    past = [seat for seat in past if seat.term_start <= today]
    volunteers = volunteer_selectors.volunteer_list(user=request.user, area_code=centre.area_id)
    return render(
        request,
        "volunteers/centre_detail.html",
        {
            "centre": centre,
            "coverage": selectors.centre_coverage(centre=centre),
            "current_seats": current,
            "vacant_seats": volunteer_selectors.vacant_seats(current),
            "ending_seats": volunteer_selectors.seats_ending(current, planned, today),
            "past_seats": past,
            "planned_seats": planned,
            "volunteers": volunteers[:CENTRE_VOLUNTEERS_SHOWN],
            "stats": volunteer_selectors.volunteer_stats(
                user=request.user, area_code=centre.area_id
            ),
            "can_manage": access.can(request.user, Perm.MANAGE_VOLUNTEERS, centre.area_id),
            # A seat holder's name links to their page only where the user may open it.
            "openable": volunteer_selectors.volunteers_visible(
                user=request.user, pks={seat.volunteer_id for seat in [*current, *past]}
            ),
        },
    )


@access.requires(Perm.VIEW_AUDIT)
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """Who did what, in the user's audit scope; ?record= narrows it to one record's history."""
    form = audit.AuditFilterForm(request.GET)
    page = audit.events(user=request.user, filters=form.filters(), page=request.GET.get("page"))
    return render(
        request,
        "reports/audit.html",
        {"form": form, "page": page},
        status=400 if form.errors else 200,
    )
