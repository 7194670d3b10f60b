"""Intake pages: a new request from a household page or from a visit's concern, a draft or a
request sent back being edited, and the request's files (documents, photos, the signature).

Every view declares its access. A household or case outside the user's scope is the same 404
as a missing one. A request that cannot be filed yet keeps what was typed: the page comes
back with the reasons beside the fields, and a draft being edited is saved. Files cannot come
back with the page, so a new request sent with files is kept as a draft, its files too;
without files, no draft is made that the user did not ask for.

Sending the same request twice. The new-request form lists the household's open requests
above it. A form whose id (client_uuid) was filed already opens that request instead of
filing it again: the phone's Back button brings the filled form back with its id
(intake.js). A request like one still open for the same person and kind of problem asks
first (intake.OpenRequestExists): "send it as a new request" files it anyway.
"""

import contextlib
import json
from datetime import timedelta
from typing import Any
from uuid import uuid4

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.cases import intake
from carenet.cases.access import case_get, cases_visible, shows_details
from carenet.cases.forms import COMMENT_TARGETS, IntakeForm
from carenet.cases.models import (
    Case,
    CaseDocument,
    CaseEvent,
    CaseSource,
    CaseStatus,
)
from carenet.cases.workflow import COMMENTABLE_FIELDS
from carenet.core.services import ConflictError
from carenet.core.thaidate import fiscal_year, format_datetime
from carenet.households.models import Household, HouseholdStatus, PersonStatus, restricted_q
from carenet.households.selectors import household_get
from carenet.visits import selectors as visit_selectors
from carenet.visits.models import Concern

FILE = intake.FILE_PERM


# --- New requests ------------------------------------------------------------------------


@access.requires(FILE)
def case_new(request: HttpRequest, household_pk: int) -> HttpResponseBase:
    household = household_get(user=request.user, pk=household_pk, perm=FILE)
    if household.status != HouseholdStatus.ACTIVE:
        messages.error(request, _("This household has moved away or is closed: reopen it first."))
        return redirect("households:detail", pk=household.pk)
    initial = {"person": household.head_id, "requester_kind": "self"}
    return _intake(request, household=household, case=None, initial=initial)


@access.requires(FILE)
def case_new_from_concern(request: HttpRequest, concern_pk: int) -> HttpResponseBase:
    concern = _concern_get(request.user, concern_pk)
    household = household_get(user=request.user, pk=concern.household_id, perm=FILE)
    started = Case.objects.filter(
        concern=concern, filed_by=request.user.pk, status=CaseStatus.DRAFT
    ).first()
    if started is not None and request.method != "POST":
        return redirect("cases:edit", pk=started.pk)
    visit = concern.visit
    problems = [p.code for p in visit.problems.all()] if visit is not None else []
    initial: dict[str, Any] = {
        "person": household.head_id,
        "requester_kind": "self",
        "source": CaseSource.VOLUNTEER,
        "problems": problems,
        "category": intake.category_guess(problems),
    }
    if visit is not None:
        initial["help_wanted"] = visit.needs
        if visit.latitude is not None:
            initial["latitude"], initial["longitude"] = str(visit.latitude), str(visit.longitude)
    return _intake(
        request,
        household=household,
        case=None,
        initial=initial,
        concern=concern,
    )


def _concern_get(user: Any, pk: int) -> Concern:
    """A concern about a household the user may file for, whose details they may read."""
    found = (
        visit_selectors.concerns_visible(user, FILE).select_related("visit").filter(pk=pk).first()
    )
    if found is None or not (
        not found.sensitive
        or visit_selectors.sees_sensitive(user, found.area_id, found.raised_by_id)
    ):
        raise Http404
    return found


# --- Editing a draft or a request sent back ----------------------------------------------


@access.requires(FILE)
def case_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    case = case_get(user=request.user, pk=pk)
    if not shows_details(request.user, case):
        raise Http404
    if case.status not in intake.EDITABLE:
        messages.info(request, _("This request has been sent and can no longer be changed here."))
        return redirect(case)
    if not intake.can_edit(request.user, case):
        raise PermissionDenied
    household = Household.objects.select_related("area__parent__parent__parent", "head").get(
        pk=case.household_id
    )
    return _intake(
        request, household=household, case=case, initial=IntakeForm.initial_for_case(case)
    )


# --- The form, new or edited -------------------------------------------------------------


def _intake(
    request: HttpRequest,
    *,
    household: Household,
    case: Case | None,
    initial: dict[str, Any],
    concern: Concern | None = None,
) -> HttpResponseBase:
    user = request.user
    post = request.POST if request.method == "POST" else None
    files = request.FILES if post is not None else None
    if case is None:  # a new form: its id makes the same form sent twice one request
        initial = {**initial, "client_uuid": uuid4()}
        filed = intake.filed_form(user, post.get("client_uuid")) if post is not None else None
        if filed is not None:
            messages.info(request, _sent_already(filed))
            return redirect(filed)
    form = _form(user, household, case, post, files, initial)
    if post is not None:
        filing = post.get("action") in ("file", "file_new")
        if form.is_valid():
            data = form.to_data(
                visit_id=concern.visit_id if concern is not None else None,
                concern_id=concern.pk if concern is not None else None,
            )
            version = form.cleaned_data.get("version") if case is not None else None
            despite_open = post.get("action") == "file_new"
            saved, case = _save(request, form, data, household, case, version, filing, despite_open)
            if saved is not None:
                return saved
            if case is not None:  # kept as a draft: show its files and new version
                form.existing_documents = list(case.documents.order_by("pk"))
    sent = _sent_forms(user, household) if case is None else []
    return render(
        request,
        "cases/intake.html",
        {
            "household": household,
            "case": case,
            "form": form,
            "concern": concern,
            "address_areas": _address_areas(household),
            "drafts": _drafts(user, household) if case is None else [],
            "open_requests": intake.open_requests(user, household),
            "officer": form.officer,
            "sent_forms": json.dumps([str(c.client_uuid) for c in sent]),
            "sent_requests": [c for c in sent if c.status not in intake.EDITABLE],
            "fiscal_year": fiscal_year(timezone.localdate()),
            # Nobody to choose because those living there withdrew (not: nobody lives there).
            "members_withdrew": not form["person"].field.widget.choices
            and household.members.filter(restricted_q(), status=PersonStatus.ACTIVE).exists(),
            **_comments(case),
        },
        status=400 if post is not None else 200,
    )


def _sent_forms(user: Any, household: Household) -> list[Case]:
    """The requests from the forms this user sent for the household lately: a copy of one of
    them kept on the phone (intake.js) is no longer needed, and a filled form the Back button
    brings back is told which request it became."""
    since = timezone.now() - timedelta(days=7)
    return list(
        Case.objects.filter(
            household=household, filed_by=user, client_uuid__isnull=False, created_at__gte=since
        )
        .select_related("person")
        .order_by("-created_at")
    )


def _sent_already(case: Case) -> str:
    return _(
        "Request %(number)s was sent already (%(when)s): it is not sent twice. This is it."
    ) % {"number": case.number, "when": format_datetime(case.submitted_at or case.created_at)}


def _form(
    user: Any,
    household: Household,
    case: Case | None,
    post: Any,
    files: Any,
    initial: dict[str, Any],
) -> IntakeForm:
    living = household.members.filter(status=PersonStatus.ACTIVE).exclude(restricted_q())
    members = list(living.order_by("pk"))
    if case is not None and case.person_id not in {m.pk for m in members}:
        members.append(case.person)
    return IntakeForm(
        post,
        files,
        initial=initial,
        members=members,
        areas=visit_selectors.problem_areas(),
        officer=intake.is_officer(user, household.area_id),
        documents=list(case.documents.order_by("pk")) if case is not None else [],
    )


def _save(
    request: HttpRequest,
    form: IntakeForm,
    data: intake.RequestData,
    household: Household,
    case: Case | None,
    version: int | None,
    filing: bool,
    despite_open: bool = False,
) -> tuple[HttpResponseBase | None, Case | None]:
    """Files or saves; a redirect when done, else the reasons on the form and the case as kept."""
    user = request.user
    try:
        if filing:
            filed = intake.case_file(
                actor=user,
                data=data,
                household=household,
                case=case,
                expected_version=version,
                despite_open=despite_open,
            )
            messages.success(
                request,
                _("Request %(number)s is sent for checking.") % {"number": filed.number},
            )
            return redirect(filed), filed
        kept = _keep(user, data, household, case, version)
        messages.success(request, _("The draft is saved. You can finish it later."))
        return redirect("cases:edit", pk=kept.pk), kept
    except ConflictError as error:
        form.add_error(None, str(error))
        return None, case
    except intake.OpenRequestExists as found:
        form.open_request = found.case  # the page asks whether this one is new
        return None, case
    except ValidationError as error:
        form.show_service_errors(error)
    if filing and (case is not None or data.documents):
        # Not ready to send: a draft keeps what was typed. A new request becomes one only
        # when files came with it, which cannot come back with the page (the page shows
        # everything else as it was typed): no draft the user did not ask for.
        with contextlib.suppress(ValidationError, ConflictError):
            case = _keep(user, data, household, case, version)
            form.kept = True  # the page may say so; a stale form or a bad field keeps nothing
    return None, case


def _keep(
    user: Any, data: intake.RequestData, household: Household, case: Case | None, version: Any
) -> Case:
    if case is None:
        return intake.case_create(actor=user, household=household, data=data)
    return intake.case_update(actor=user, case=case, data=data, expected_version=version)


def _address_areas(household: Household) -> list[Any]:
    areas: list[Any] = []
    area: Any = household.area
    while area is not None:
        if area.level != "village":
            areas.append(area)
        area = area.parent
    return areas


def _drafts(user: Any, household: Household) -> list[Case]:
    return list(
        Case.objects.filter(household=household, filed_by=user.pk, status=CaseStatus.DRAFT)
        .select_related("category", "person")
        .order_by("-updated_at")[:5]
    )


def _comments(case: Case | None) -> dict[str, Any]:
    """A request sent back: the reviewer's open comments, by part of the form."""
    if case is None or case.status != CaseStatus.RETURNED:
        return {"comments": {}, "to_fix": [], "returned": None}
    notes = list(case.field_comments.filter(resolved=False).order_by("pk"))
    by_part: dict[str, list[str]] = {}
    for note in notes:
        by_part.setdefault(note.field, []).append(note.comment)
    to_fix = [
        (COMMENTABLE_FIELDS[part], by_part[part], COMMENT_TARGETS[part][0])
        for part in COMMENTABLE_FIELDS
        if part in by_part
    ]
    returned = (
        CaseEvent.objects.filter(case=case, to_status=CaseStatus.RETURNED)
        .select_related("by")
        .order_by("-at", "-pk")
        .first()
    )
    return {"comments": by_part, "to_fix": to_fix, "returned": returned}


# --- The request's files -----------------------------------------------------------------


@access.requires(Perm.VIEW_CASES)
def document(request: HttpRequest, pk: int) -> HttpResponseBase:
    found = (
        CaseDocument.objects.select_related("case")
        .filter(case__in=cases_visible(request.user).values("pk"), pk=pk)
        .first()
    )
    if found is None or not shows_details(request.user, found.case):
        raise Http404
    return _serve(found.file, "image/jpeg" if found.is_photo else "application/pdf")


@access.requires(Perm.VIEW_CASES)
def signature(request: HttpRequest, pk: int) -> HttpResponseBase:
    case = case_get(user=request.user, pk=pk)
    if not case.consent_signature or not shows_details(request.user, case):
        raise Http404
    return _serve(case.consent_signature, "image/png")


def _serve(stored: Any, content_type: str) -> HttpResponseBase:
    try:
        opened = stored.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    return FileResponse(opened, content_type=content_type)
