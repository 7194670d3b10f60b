"""The home page of each role, the area overview pages, and the coordination centre page."""

from typing import Any

from django.contrib import messages
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.accounts.models import Role
from carenet.areas.models import Area
from carenet.core import citizen_id, id_search
from carenet.core.tabular import CellType
from carenet.reports import audit, audit_export, registry_file, selectors
from carenet.spreadsheets.exporting import table_download
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
            "waiting": selectors.waiting_for(user=request.user),
            "grants": selectors.grant_list(user=request.user),
            "roots": roots,
            "counts": selectors.area_counts(user=request.user),
            # One area of work (a centre's, a province's) opens on its figures.
            "area": roots[0] if len(roots) == 1 else None,
            "registry": _registry(request.user, roots[0]) if len(roots) == 1 else None,
            "first_steps": selectors.first_steps(user=request.user, area=roots[0])
            if len(roots) == 1
            else [],
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


@access.requires(Perm.VIEW_FOLLOWUP)
def area_quality(request: HttpRequest, code: str) -> HttpResponse:
    """What to check in the area's register: households without a head, unlikely ages, likely
    duplicate people, households without a GPS point, volunteers without households."""
    area = selectors.area_get(user=request.user, code=code)
    if not access.can(request.user, Perm.VIEW_FOLLOWUP, area.code):
        raise Http404
    quality = selectors.data_quality(user=request.user, area=area, today=timezone.localdate())
    return render(
        request,
        "reports/quality.html",
        {
            "area": area,
            "ancestors": selectors.area_ancestors(area=area),
            "q": quality,
            "oldest": selectors.OLDEST_LIKELY,
            "can_merge": access.can(request.user, Perm.MERGE_PEOPLE, area.code),
        },
    )


@access.requires(Perm.VIEW_FOLLOWUP)
@require_GET
def registry_download(request: HttpRequest, code: str, fmt: str) -> HttpResponseBase:
    """The area's registry in figures as a file (registry_file); the download is logged."""
    if fmt not in registry_file.FORMATS:
        raise Http404
    area = selectors.area_get(user=request.user, code=code)
    registry = _registry(request.user, area)
    if registry is None:
        raise Http404
    today = timezone.localdate()
    prepared = registry_file.registry_file_prepare(
        user=request.user, area=area, registry=registry, fmt=fmt, today=today
    )
    return table_download(
        fmt,
        prepared.headers,
        iter(prepared.rows),
        filename=prepared.filename,
        title=_("The registry in figures"),
        cells=prepared.cells,
    )


@access.requires(Perm.VIEW_FOLLOWUP)
@require_GET
def uncovered_download(request: HttpRequest, code: str, fmt: str) -> HttpResponseBase:
    """Every village of the area with no active volunteer, as a file (the check page lists
    the first 25); the download is logged."""
    area = selectors.area_get(user=request.user, code=code)
    if fmt not in registry_file.FORMATS or not access.can(
        request.user, Perm.VIEW_FOLLOWUP, area.code
    ):
        raise Http404
    villages = list(selectors.uncovered_villages(area=area))
    prepared = registry_file.uncovered_file_prepare(
        user=request.user, area=area, villages=villages, fmt=fmt, today=timezone.localdate()
    )
    return table_download(
        fmt,
        prepared.headers,
        iter(prepared.rows),
        filename=prepared.filename,
        title=_("Villages with no active volunteer"),
        cells=prepared.cells,
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
            "today": today,
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


@id_search.hides_citizen_ids  # no search box here, but a ?q= typed in the address is moved out
@access.requires(Perm.VIEW_AUDIT)
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """Who did what, in the user's audit scope; ?record= narrows it to one record's history.
    A filter typed wrong lists nothing: the reader would take the whole log for its answer."""
    if citizen_id.looks_like_id_or_passport(request.GET.get("who", "")):
        # "Done by" is a login or a name: a citizen ID typed there leaves the address at once.
        kept = request.GET.copy()
        del kept["who"]
        messages.error(
            request,
            _(
                "“Done by” takes a username or a name, not a citizen ID. To see what was done "
                "to a person, open the person's page and its history."
            ),
        )
        return redirect(f"{reverse('reports:audit')}?{kept.urlencode()}")
    form = audit.AuditFilterForm(request.GET)
    filters = form.filters()
    page = None
    if filters is not None:
        page = audit.events(user=request.user, filters=filters, page=request.GET.get("page"))
    return render(
        request,
        "reports/audit.html",
        {"form": form, "page": page, "query": _query(request)},
        status=400 if filters is None else 200,
    )


@access.requires(Perm.VIEW_AUDIT)
@require_GET
def audit_download(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """The events the page lists, as a file (audit_export); the download is audited."""
    if fmt not in audit_export.FORMATS:
        raise Http404
    form = audit.AuditFilterForm(request.GET)
    filters = form.filters()
    if filters is None:
        return audit_log(request)  # the page, with the reason beside the filter
    row_count = audit_export.count(user=request.user, filters=filters)
    if fmt == "xlsx" and row_count > audit_export.XLSX_MAX_ROWS:
        messages.warning(request, audit_export.too_long_for_xlsx(row_count))
        return redirect(f"{reverse('reports:audit')}?{_query(request)}")
    prepared = audit_export.log_export_prepare(
        user=request.user,
        filters=filters,
        fmt=fmt,
        described=form.described(),
        row_count=row_count,
    )
    return table_download(
        fmt,
        prepared.headers,
        prepared.rows,
        filename=prepared.filename,
        title=_("Audit log"),
        cells=[CellType.DATETIME],  # when it happened; the rest is text
    )


def _query(request: HttpRequest) -> str:
    """The page's filters, without its page number, for the download links."""
    kept = request.GET.copy()
    kept.pop("page", None)
    return kept.urlencode()
