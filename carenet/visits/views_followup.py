"""Assessment, follow-up and activity pages: parse the query, call a selector, render.

* `assessment_detail`, `assessment_history`: scoped like households (a volunteer sees the
  assessments of the households assigned to them); out of scope is the same 404 as missing.
* `overdue`, `summary`: the centre's pages. Users whose only grant is a volunteer's get a 403;
  an `?area=` outside the user's scope is the same 404 as an area that does not exist.
* `activity`: scoped like volunteers (a volunteer sees their own, coordinators their area's).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.areas.models import Area
from carenet.core import periods
from carenet.households.selectors import household_get
from carenet.spreadsheets.exporting import table_download
from carenet.visits import assessments, charts, followup, suggestions


@access.requires(Perm.VIEW_HOUSEHOLDS)
@require_GET
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = assessments.assessment_get(user=request.user, pk=pk)
    household = assessment.household
    history = assessments.household_assessments(household=household)
    earlier = [
        a for a in history if (a.assessed_on, a.pk) < (assessment.assessed_on, assessment.pk)
    ]
    return render(
        request,
        "visits/assessment.html",
        {
            "assessment": assessment,
            "household": household,
            "previous": earlier[0] if earlier else None,
            "results": assessments.assessment_results(assessment, earlier[0] if earlier else None),
            "trends": assessments.dimension_trends(history),
            "history_count": len(history),
            "suggestions": suggestions.household_suggestions(household=household),
        },
    )


@access.requires(Perm.VIEW_HOUSEHOLDS)
@require_GET
def assessment_history(request: HttpRequest, pk: int) -> HttpResponse:
    household = household_get(user=request.user, pk=pk)
    history = assessments.household_assessments(household=household)
    return render(
        request,
        "visits/assessment_history.html",
        {
            "household": household,
            "history": history,
            "rows": assessments.history_rows(history),
            "dimensions": [(d, assessments.dimension_label(d)) for d in assessments.DIMENSIONS],
            "trends": assessments.dimension_trends(history),
            "suggestions": suggestions.household_suggestions(household=household),
        },
    )


def _centre_area(request: HttpRequest) -> Area | None:
    """The `?area=` to narrow a centre page to; 404 when it is not one the user follows up."""
    if not followup.can_follow_up(request.user):
        raise PermissionDenied
    code = request.GET.get("area", "").strip()
    if not code:
        return None
    area = followup.area_filter(user=request.user, code=code)
    if area is None:
        raise Http404
    return area


@access.requires(followup.FOLLOW_UP_PERM)
@require_GET
def overdue(request: HttpRequest) -> HttpResponse:
    area = _centre_area(request)
    volunteer = request.GET.get("volunteer", "")
    volunteer_id = int(volunteer) if volunteer.isdigit() and len(volunteer) < 10 else None
    report = followup.overdue_report(
        user=request.user, area=area, volunteer_id=volunteer_id, page=request.GET.get("page") or 1
    )
    chosen = next((g for g in report.by_volunteer if g.key == str(volunteer_id)), None)
    return render(
        request,
        "visits/overdue.html",
        {
            "report": report,
            "area": area,
            "areas": followup.area_choices(user=request.user),
            "volunteer_id": volunteer_id,
            "volunteer_label": chosen.label if chosen else "",
            "grace_days": followup.NEVER_VISITED_GRACE_DAYS,
            "inactive_days": followup.INACTIVE_AFTER_DAYS,
        },
    )


def _summary_asked(request: HttpRequest) -> tuple[Area | None, periods.Month | None, bool]:
    """The area and month the summary's address asks for: the month None when it cannot be
    read, and whether it lies ahead (both shown as this month)."""
    area = _centre_area(request) or followup.default_base(user=request.user)
    asked = request.GET.get("month", "").strip()
    this_month = periods.month_of(timezone.localdate())
    month = periods.parse_month(asked) if asked else this_month
    future = month is not None and month.first > this_month.first
    return area, month, future


@access.requires(followup.FOLLOW_UP_PERM)
@require_GET
def summary(request: HttpRequest) -> HttpResponse:
    area, month, future = _summary_asked(request)
    today = timezone.localdate()
    this_month = periods.month_of(today)
    return render(
        request,
        "visits/summary.html",
        {
            "s": followup.monthly_summary(
                user=request.user, month=this_month if future or not month else month, base=area
            ),
            "month_invalid": month is None,
            "month_future": future,
            "months": periods.recent_months(today),
            "areas": followup.area_choices(user=request.user),
            "area": area,
            "this_month": periods.month_of(today),
            "default_target": followup.DEFAULT_VISITS_PER_VOLUNTEER,
        },
    )


@access.requires(Perm.VIEW_VOLUNTEERS)
@require_GET
def activity(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = followup.volunteer_for_activity(user=request.user, pk=pk)
    months = followup.volunteer_activity(volunteer=volunteer)
    return render(
        request,
        "visits/activity.html",
        {
            "volunteer": volunteer,
            "months": months,
            "latest_first": list(reversed(months)),
            "chart": charts.bar_chart([(m.month.abbr, m.visits) for m in months]),
            "total_visits": sum(m.visits for m in months),
            "total_hours": round(sum(m.minutes for m in months) / 60, 1),
            "total_acknowledged": sum(m.acknowledged for m in months),
            "can_follow_up": followup.can_follow_up(request.user),
        },
    )


@access.requires(followup.FOLLOW_UP_PERM)
@require_GET
def summary_download(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """The summary's table, a row per area and the total, as a file to send on."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    area, month, future = _summary_asked(request)
    if month is None or future:
        return summary(request)  # the page says why
    found = followup.monthly_summary(user=request.user, month=month, base=area)
    headers, rows = followup.summary_table(found, today=timezone.localdate())
    where = f"-{area.code}" if area is not None else ""
    name = f"carenet-monthly-summary{where}-{month.first.year + 543}-{month.first.month:02d}"
    return table_download(
        fmt, headers, iter(rows), filename=f"{name}.{fmt}", title=_("Monthly summary")
    )
