"""Pages of the agency directory and of referrals: the directory per area, an agency's entry,
referring a case, recording the agency's answer, and the referral letter as a PDF.

Records come through the cases' scope (access.py) with the permission the page needs; one
outside it is the same 404 as a missing one. A sensitive case's referrals open only to the
people allowed to read its details. Services refuse with a reason that the page shows.
"""

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.areas.models import Area, within
from carenet.cases import periods, referrals, selectors
from carenet.cases.access import case_get, referrals_visible, shows_details
from carenet.cases.forms_referrals import (
    AgencyFilterForm,
    AgencyForm,
    ReferralFilterForm,
    ReferralForm,
    ReferralMoveForm,
)
from carenet.cases.letters import referral_letter_pdf
from carenet.cases.models import Agency, Case, Referral, ReferralStatus
from carenet.cases.selectors import filter_areas
from carenet.cases.workflow import WorkflowError, consent_refusal, referral_move
from carenet.core import thaidate
from carenet.core.paging import Paginator
from carenet.core.pdf import stream_pdf_response

PAGE_SIZE = 50
AGENCIES_SHOWN = 15  # the rest of the agencies' counts open on a tap


def _details_or_404(user: Any, case: Case) -> None:
    if not shows_details(user, case):
        raise Http404


# --- The agency directory --------------------------------------------------------------------


def _manageable_areas(user: Any, agency: Agency | None) -> QuerySet[Area]:
    """The areas the user may place an agency in. A national scope holds thousands of
    subdistricts, too many for a list: it gets the provinces and districts (and the agency's
    own area, whatever its level)."""
    codes = access.scope_codes(user, Perm.MANAGE_AGENCIES)
    if access.NATIONAL in codes:
        q = Q(level__in=["province", "district"])
        if agency is not None and agency.area_id:
            q |= Q(pk=agency.area_id)
        return Area.objects.filter(q)
    q = Q(pk__in=[])
    for code in codes:
        q |= within(code)
    return Area.objects.filter(q, level__in=["province", "district", "subdistrict"])


@access.requires(Perm.VIEW_CASES)
def agencies(request: HttpRequest) -> HttpResponse:
    areas = referrals.agency_filter_areas(user=request.user, wanted=request.GET.get("area", ""))
    form = AgencyFilterForm(request.GET or None, areas=areas)
    kind, code = form.filters()
    found = referrals.agencies_visible(request.user).select_related("area")
    if kind:
        found = found.filter(kind=kind)
    if code:
        found = found.filter(
            within(code, "area")
            | Q(area_id__in=referrals.area_path(code))
            | Q(area__isnull=True)  # national agencies serve every area
        )
    national_first = F("area_id").asc(nulls_first=True)
    page = Paginator(found.order_by(national_first, "kind", "name"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [(a, referrals.may_manage_agency(request.user, a.area_id)) for a in page.object_list]
    return render(
        request,
        "cases/agencies.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "can_add": access.can(request.user, Perm.MANAGE_AGENCIES),
        },
    )


@access.requires(Perm.VIEW_CASES)
def referral_list(request: HttpRequest) -> HttpResponse:
    """Referrals in scope sent in a period, counted by status and by agency. A filter typed
    wrong lists nothing, with its reason: a reader would take the whole list for the period's."""
    form = ReferralFilterForm(request.GET, areas=filter_areas(request.user))
    filters = form.filters()
    summary = None
    if filters is not None:
        summary = selectors.referral_list(
            user=request.user, filters=filters, page=request.GET.get("page")
        )
    query = request.GET.copy()
    query.pop("page", None)

    def period_query(since: date, until: date) -> str:
        dated = query.copy()
        dated["since"], dated["until"] = map(thaidate.format_numeric, (since, until))
        return dated.urlencode()

    current = (filters.since, filters.until) if filters else (None, None)
    period_links = periods.links(timezone.localdate(), period_query, current)
    query.pop("status", None)
    return render(
        request,
        "cases/referrals.html",
        {
            "form": form,
            "summary": summary,
            "filters": filters,
            "query": query.urlencode(),
            "period_links": period_links,
            "period_said": periods.dates_said("sent", *current),
            "today": timezone.localdate(),
            "agencies_first": summary.by_agency[:AGENCIES_SHOWN] if summary else [],
            "agencies_rest": summary.by_agency[AGENCIES_SHOWN:] if summary else [],
        },
        status=200 if filters is not None else 400,
    )


@access.requires(Perm.MANAGE_AGENCIES)
def agency_new(request: HttpRequest) -> HttpResponse:
    return _agency_form(request, None)


@access.requires(Perm.MANAGE_AGENCIES)
def agency_edit(request: HttpRequest, pk: int) -> HttpResponse:
    agency = get_object_or_404(referrals.agencies_visible(request.user), pk=pk)
    if not referrals.may_manage_agency(request.user, agency.area_id):
        raise PermissionDenied
    return _agency_form(request, agency)


def _agency_form(request: HttpRequest, agency: Agency | None) -> HttpResponse:
    form = AgencyForm(
        request.POST if request.method == "POST" else None,
        instance=agency,
        areas=_manageable_areas(request.user, agency),
        national=referrals.may_manage_agency(request.user, None),
    )
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            if agency is None:
                saved = referrals.agency_create(actor=request.user, **fields)
            else:
                saved = referrals.agency_update(actor=request.user, agency=agency, **fields)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The agency is saved."))
            return redirect(f"{reverse('cases:agencies')}?area={saved.area_id or ''}")
    return render(
        request,
        "cases/agency_form.html",
        {"form": form, "agency": agency},
        status=400 if request.method == "POST" else 200,
    )


# --- Referrals -------------------------------------------------------------------------------


@access.requires(Perm.MANAGE_CASES)
def referral_new(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_get(user=request.user, pk=pk, perm=Perm.MANAGE_CASES)
    _details_or_404(request.user, case)
    refusal = None if referrals.may_refer(request.user, case) else _refusal(case)
    form = ReferralForm(
        request.POST if request.method == "POST" else None,
        agencies=referrals.agencies_for_case(case),
    )
    if request.method == "POST" and refusal is None and form.is_valid():
        try:
            referrals.referral_send(
                case=case,
                agency=form.cleaned_data["agency"],
                need=form.cleaned_data["need"],
                letter_no=form.cleaned_data["letter_no"],
                actor=request.user,
            )
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The referral is sent. Print the letter for the agency."))
            return redirect(case)
    return render(
        request,
        "cases/referral_new.html",
        {
            "case": case,
            "form": form,
            "refusal": refusal,
            "objections": referrals.objections(case.person),
        },
        status=400 if request.method == "POST" or refusal else 200,
    )


def _refusal(case: Case) -> str:
    if case.status != "accepted":
        return _("Only a case that is being worked on can be referred.")
    return consent_refusal(case) or _("You cannot refer this case.")


def _referral_get(user: Any, pk: int, perm: Perm = Perm.VIEW_CASES) -> Referral:
    referral = get_object_or_404(
        referrals_visible(user, perm).select_related(
            "case__person", "case__household", "case__category", "agency", "sent_by"
        ),
        pk=pk,
    )
    _details_or_404(user, referral.case)
    return referral


@require_POST
@access.requires(Perm.MANAGE_CASES)
def referral_move_view(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _referral_get(request.user, pk, Perm.MANAGE_CASES)
    form = ReferralMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the agency's answer."))
    else:
        try:
            referral_move(
                referral=referral,
                to=form.cleaned_data["to"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except WorkflowError as error:
            messages.error(request, str(error))
        else:
            withdrawn = form.cleaned_data["to"] == ReferralStatus.WITHDRAWN
            messages.success(
                request,
                _("The referral is withdrawn. It is counted for no agency.")
                if withdrawn
                else _("The agency's answer is saved."),
            )
    return redirect(referral.case)


@access.requires(Perm.VIEW_CASES)
def referral_letter(request: HttpRequest, pk: int) -> HttpResponseBase:
    referral = _referral_get(request.user, pk)
    if refusal := consent_refusal(referral.case):  # the letter discloses the person's data
        messages.error(request, refusal)
        return redirect(referral.case)
    if referral.status == ReferralStatus.WITHDRAWN:
        messages.error(request, _("This referral was withdrawn: its letter is not printed."))
        return redirect(referral.case)
    pdf = referral_letter_pdf(referral)
    referrals.referral_letter_log(actor=request.user, referral=referral)
    return stream_pdf_response(pdf, f"หนังสือส่งต่อ {referral.case.number}.pdf", inline=True)
