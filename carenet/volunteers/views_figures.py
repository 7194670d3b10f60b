"""The volunteer figures page (figures.py): the period and area asked for, then one selector.

Those who follow an area's work open it (figures.FIGURES_PERM; a volunteer's grant gets a 403);
an `?area=` outside their scope is the same 404 as one that does not exist. Its download lives
with the other files, in spreadsheets.views.
"""

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.areas.models import Area
from carenet.core.periods import PeriodForm
from carenet.volunteers import figures, selectors


def figures_asked(request: HttpRequest) -> tuple[Area | None, PeriodForm]:
    """The area (`?area=`, else the user's one area) and the period the figures page and its
    download are asked for. An area outside the user's scope is the same 404 as a missing one."""
    code = request.GET.get("area", "").strip()
    if code:
        base = figures.area_get(user=request.user, code=code)
        if base is None:
            raise Http404
    else:
        base = figures.default_base(user=request.user)
    asked = any(request.GET.get(name) for name in PeriodForm.base_fields)
    return base, PeriodForm(request.GET if asked else None)


@access.requires(figures.FIGURES_PERM)
@require_GET
def volunteer_figures(request: HttpRequest) -> HttpResponse:
    """The month's, fiscal year's or days' volunteer figures (figures.py); a period typed
    wrong shows its reason and no figures (400)."""
    base, form = figures_asked(request)
    period = form.period()
    found = (
        figures.volunteer_figures(
            user=request.user, period=period, base=base, today=timezone.localdate()
        )
        if period is not None
        else None
    )
    return render(
        request,
        "volunteers/figures.html",
        {
            "form": form,
            "f": found,
            "base": base,
            "areas": selectors.area_options(user=request.user, perm=figures.FIGURES_PERM),
            "period_query": urlencode(period.query()) if period else "",
            "area_query": urlencode({"area": base.code}) if base else "",
            "read_as": form.read_as() if form.is_bound else [],
            "moves": figures.MOVES,
            "profile": figures.PROFILE,
            "period_params": list(period.query().items()) if period else [],
            "can_download": access.can(request.user, Perm.EXPORT_DATA),
        },
        status=200 if period is not None else 400,
    )
