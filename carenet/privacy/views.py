"""Pages of data subject requests: a person's requests (and the form to pass one on), the
open requests of the user's areas, the decision, and the printable copy of everything held
about a person. Who may do what: see services.py."""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.areas.models import Area
from carenet.cases.letters import office_of
from carenet.core.forms import DateRangeForm, show_service_errors
from carenet.core.paging import Paginator
from carenet.households import selectors as households
from carenet.households import services as household_services
from carenet.households.selectors import today
from carenet.privacy import selectors, services
from carenet.privacy.forms import DecideForm, RequestForm
from carenet.privacy.models import Outcome, RequestKind

PER_PAGE = 50


@access.requires(Perm.VIEW_HOUSEHOLDS)
def person_requests(request: HttpRequest, pk: int) -> HttpResponse:
    person = households.person_get(user=request.user, pk=pk)
    may_record = services.may_record(request.user, person)
    form = RequestForm(request.POST if request.method == "POST" and may_record else None)
    if form.is_bound and form.is_valid():
        try:
            services.request_record(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as error:
            show_service_errors(error, form)
        else:
            messages.success(
                request, _("The request is recorded. A provincial officer decides it.")
            )
            return redirect("privacy:person", pk=person.pk)
    context = {
        "person": person,
        "requests": selectors.requests_of(person=person),
        "form": form if may_record else None,
        "may_decide": services.may_decide(request.user, person),
        "today": today(),
    }
    return render(request, "privacy/person.html", context, status=400 if form.errors else 200)


@access.requires(Perm.VIEW_HOUSEHOLDS)
def home(request: HttpRequest) -> HttpResponse:
    return redirect("privacy:open")


@access.requires(Perm.VIEW_HOUSEHOLDS)
def open_requests(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.request_list_open(user=request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "privacy/open.html", {"page": page, "today": today()})


@access.requires(Perm.VIEW_HOUSEHOLDS)
def decided_requests(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    kind = kind if kind in RequestKind.values else ""
    period = DateRangeForm(request.GET)
    dates = period.cleaned_data if period.is_valid() else {}
    since, until = dates.get("since"), dates.get("until")
    found = selectors.request_list_decided(user=request.user, kind=kind, since=since, until=until)
    if period.errors:  # a date typed wrong lists nothing: the whole would pass for the period's
        found = found.none()
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    counts = (
        {}
        if period.errors
        else selectors.decided_counts(user=request.user, since=since, until=until)
    )
    table = [
        (label, [counts.get((value, outcome), 0) for outcome in Outcome.values])
        for value, label in RequestKind.choices
    ]
    context = {
        "page": page,
        "kind": kind,
        "kinds": RequestKind.choices,
        "outcomes": Outcome.choices,
        "table": table,
        "period": period,
        "period_query": urlencode(
            {k: request.GET[k] for k in ("since", "until") if request.GET.get(k)}
        ),
    }
    status = 400 if period.errors else 200
    return render(request, "privacy/decided.html", context, status=status)


@access.requires(Perm.DECIDE_CASES)
def request_decide(request: HttpRequest, pk: int) -> HttpResponse:
    subject_request = selectors.request_get(user=request.user, pk=pk)
    form = DecideForm(request.POST if request.method == "POST" else None)
    if subject_request.is_open and form.is_bound and form.is_valid():
        try:
            services.request_decide(
                actor=request.user, request=subject_request, **form.cleaned_data
            )
        except ValidationError as error:
            show_service_errors(error, form)
        else:
            if not services.restricts(subject_request.kind, form.cleaned_data["outcome"]):
                messages.success(request, _("The decision is recorded."))
            elif household_services.person_is_restricted(subject_request.person):
                messages.success(
                    request, _("The decision is recorded. The person's record is now restricted.")
                )
            else:
                messages.warning(
                    request,
                    _(
                        "The decision is recorded, but the record is not restricted: a consent "
                        "given after the decision's date is still in force. If the person "
                        "objects to it too, withdraw it on the person's page."
                    ),
                )
            return redirect("privacy:person", pk=subject_request.person_id)
    context = {
        "form": form,
        "item": subject_request,
        "person": subject_request.person,
        "today": today(),
    }
    return render(request, "privacy/decide.html", context, status=400 if form.errors else 200)


@access.requires(Perm.DECIDE_CASES)
def person_copy(request: HttpRequest, pk: int) -> HttpResponse:
    """GET shows the copy with the citizen ID masked; POST shows it once in full, through
    the person's logged reveal."""
    person = selectors.person_for_copy(user=request.user, pk=pk)
    services.copy_log_view(actor=request.user, person=person)
    revealed = ""
    if request.method == "POST":
        revealed = household_services.person_reveal_citizen_id(actor=request.user, person=person)
    copy = selectors.person_copy(user=request.user, person=person)
    services.copy_log_sensitive(actor=request.user, copy=copy)
    province = Area.objects.filter(code=person.area_id[:2]).first()
    context: dict[str, Any] = {
        "copy": copy,
        "office": office_of(province) if province is not None else None,
        "sensitive": any(case.sensitive for case in copy.cases)
        or any(line.sensitive for line in copy.visits),
        "revealed_id": revealed,
        "masked_document_no": households.masked_document_no(person),
    }
    response = render(request, "privacy/copy.html", context)
    response["Cache-Control"] = "no-store"
    return response
