"""Pages of welfare assistance: approving help on a case (with what the person and the household
already received this fiscal year and the caps, shown before approving), recording the payment
or handover with its evidence, cancelling, and serving the evidence file.

The approval form has two buttons: "check" shows where the amount stands against the caps
without saving anything; "approve" asks the service, which refuses past a cap unless the user
may override and says why. The override box shows only to those who may override.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.cases import assistance as services
from carenet.cases.access import case_get, cases_visible, shows_details
from carenet.cases.forms_referrals import AssistanceCancelForm, AssistanceForm, AssistanceGiveForm
from carenet.cases.models import Assistance, AssistanceType, CaseStatus
from carenet.cases.workflow import WorkflowError, consent_refusal
from carenet.households.models import Person


def assistance_visible(user: Any, perm: Perm = Perm.VIEW_CASES) -> QuerySet[Assistance]:
    return access.visible_to(
        user,
        Assistance.objects.all(),
        perm=perm,
        own=Q(case__in=cases_visible(user, perm).values("pk")),
    )


def _assistance_get(user: Any, pk: int, perm: Perm = Perm.VIEW_CASES) -> Assistance:
    found = get_object_or_404(
        assistance_visible(user, perm).select_related(
            "case__person", "case__household", "person", "assistance_type"
        ),
        pk=pk,
    )
    if not shows_details(user, found.case):
        raise Http404
    return found


@access.requires(Perm.APPROVE_ASSISTANCE)
def assistance_new(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_get(user=request.user, pk=pk, perm=Perm.APPROVE_ASSISTANCE)
    if not shows_details(request.user, case):
        raise Http404
    year = services.current_fiscal_year()
    may_override = services.may_override(request.user, case)
    types = AssistanceType.objects.filter(active=True)
    form = AssistanceForm(
        request.POST if request.method == "POST" else None,
        people=Person.objects.filter(household_id=case.household_id).order_by("pk"),
        types=types,
        may_override=may_override,
        initial={"person": case.person_id},
    )
    refusal = None
    if case.status != CaseStatus.ACCEPTED:
        refusal = _("Assistance can be approved only on a case being worked on.")
    elif not services.may_approve(request.user, case):
        refusal = _("You cannot approve assistance on this case.")
    else:
        refusal = consent_refusal(case) or None
    check = None
    if request.method == "POST" and refusal is None and form.is_valid():
        data = form.cleaned_data
        check = services.cap_check(
            data["assistance_type"], data["person"], year, data["amount"], case
        )
        if "approve" in request.POST:
            try:
                services.assistance_approve(
                    case=case,
                    person=data["person"],
                    assistance_type=data["assistance_type"],
                    amount=data["amount"],
                    description=data["description"],
                    override_reason=data.get("override_reason", ""),
                    actor=request.user,
                )
            except WorkflowError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The assistance is approved."))
                return redirect(case)
    person = case.person
    if form.is_bound and form.is_valid():
        person = form.cleaned_data["person"]
    type_list = list(types)
    return render(
        request,
        "cases/assistance_new.html",
        {
            "case": case,
            "form": form,
            "refusal": refusal,
            "check": check,
            "fiscal_year": year,
            "summary": services.assistance_summary(person, case.household, year),
            "summary_person": person,
            "caps": _caps_rows(person, case, year, type_list),
            "may_override": may_override,
        },
        status=400 if (request.method == "POST" and form.errors) or refusal else 200,
    )


def _caps_rows(person: Person, case: Any, year: int, types: list[AssistanceType]) -> list[Any]:
    caps = services.caps_for(person, case, year, types)
    return [(t, caps[t.code]) for t in types if t.code in caps]


@access.requires(Perm.MANAGE_CASES)
def assistance_give(request: HttpRequest, pk: int) -> HttpResponse:
    found = _assistance_get(request.user, pk, Perm.MANAGE_CASES)
    form = AssistanceGiveForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    refusal = None
    if found.status != "approved":
        refusal = _("Only approved assistance can be recorded as paid or handed over.")
    elif not services.may_give(request.user, found.case):
        refusal = _("You cannot record this payment.")
    else:
        refusal = consent_refusal(found.case, found.person) or None
    if request.method == "POST" and refusal is None and form.is_valid():
        try:
            services.assistance_give(
                assistance=found,
                given_on=form.cleaned_data["given_on"],
                evidence=form.cleaned_data["evidence"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error("evidence", error)
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The payment or handover is recorded."))
            return redirect(found.case)
    return render(
        request,
        "cases/assistance_give.html",
        {
            "item": found,
            "case": found.case,
            "form": form,
            "cancel_form": AssistanceCancelForm(),
            "may_cancel": found.status == "approved"
            and services.may_approve(request.user, found.case),
            "refusal": refusal,
        },
        status=400 if (request.method == "POST") or refusal else 200,
    )


@require_POST
@access.requires(Perm.APPROVE_ASSISTANCE)
def assistance_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    found = _assistance_get(request.user, pk, Perm.APPROVE_ASSISTANCE)
    form = AssistanceCancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please give a reason."))
    else:
        try:
            services.assistance_cancel(
                assistance=found, reason=form.cleaned_data["reason"], actor=request.user
            )
        except WorkflowError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The assistance is cancelled."))
    return redirect(found.case)


@access.requires(Perm.VIEW_CASES)
def evidence(request: HttpRequest, pk: int) -> HttpResponseBase:
    found = _assistance_get(request.user, pk)
    if not found.evidence:
        raise Http404
    try:
        stored = found.evidence.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    is_pdf = found.evidence.name.lower().endswith(".pdf")
    response = FileResponse(stored, content_type="application/pdf" if is_pdf else "image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response
