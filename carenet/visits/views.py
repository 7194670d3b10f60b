"""Field-work pages: the volunteer's households, the visit form and its drafts, a visit,
the household timeline, acknowledgements and the centre's concerns.

Every view declares its access. Records come through the selectors with the permission the
page needs, so one outside that scope is the same 404 as a missing one. A service that
refuses gives its reasons beside the fields, and what the volunteer typed stays on the page
and in their draft: a bad photo, a future date or an expired session never loses a visit.
"""

from typing import Any, cast
from uuid import uuid4

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
    QueryDict,
)
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import select_template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from PIL import Image

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.core.services import audit_read
from carenet.households import vulnerability
from carenet.households.models import Household, HouseholdStatus
from carenet.households.selectors import badges, household_get, household_withdrawn, shown_groups
from carenet.visits import assessments, late, photos, selectors, services
from carenet.visits.forms import AcknowledgeForm, ConcernHandleForm, VisitForm
from carenet.visits.models import ConcernStatus
from carenet.volunteers.selectors import volunteer_of

RECORD = selectors.RECORD_PERM
ASSESSMENT_TEMPLATE = "visits/_assessment_fields.html"


# --- The volunteer's home ------------------------------------------------------------------


@access.requires(Perm.VIEW_HOUSEHOLDS)
def my_households(request: HttpRequest) -> HttpResponse:
    mine = selectors.my_households(user=request.user, page=request.GET.get("page") or 1)
    left = late.left_drafts(user=request.user)
    return render(request, "visits/my_households.html", {"mine": mine, "left": left})


# --- The visit form ------------------------------------------------------------------------


@access.requires(RECORD)
def visit_record(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "POST":
        found = _late(request, pk)
        if found is not None:
            return _record_late(request, found)
    household = selectors.household_for_recording(user=request.user, pk=pk)
    if request.method != "POST" and household.status != HouseholdStatus.ACTIVE:
        messages.error(
            request, _("This household has moved away or is closed: visits are no longer recorded.")
        )
        return redirect("households:detail", pk=household.pk)
    if household_withdrawn(household):
        context = {"household": household, "reason": services.withdrawn_reason()}
        status = 400 if request.method == "POST" else 200
        return render(request, "visits/withdrawn.html", context, status=status)
    draft = selectors.draft_get(user=request.user, household=household)
    indicator_set = assessments.current_indicator_set()
    post, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = _visit_form(request, household, draft, post, files)
    qa_form = _assessment_form(post, indicator_set, draft)
    if post is not None:
        visit = _try_record(request, household, form, qa_form)
        if visit is not None:
            return redirect("visits:saved", pk=visit.pk)
        # Whatever the reason it failed, what was typed is kept (photos cannot be).
        draft = services.draft_save(
            actor=request.user, household=household, data=_draft_data(form.data)
        )
    return _form_page(request, household, form, qa_form, draft)


def _form_page(
    request: HttpRequest,
    household: Household,
    form: VisitForm,
    qa_form: Any,
    draft: Any,
    found: late.LateRecording | None = None,
) -> HttpResponse:
    post = form.data if form.is_bound else None
    return render(
        request,
        "visits/record.html",
        {
            "household": household,
            "late": found,
            "form": form,
            # Someone who is not a volunteer (a coordinator) names who made the visit.
            "visitors_needed": volunteer_of(request.user) is None,
            "qa_form": qa_form,
            "assessment_template": _assessment_template() if qa_form is not None else None,
            "draft": draft,
            "restored": draft is not None and post is None,
            "visited_today": selectors.visit_today(household=household),
            "level": vulnerability.priority_level(household.priority_score),
            "groups": badges(shown_groups(household.vulnerability)),
            "recent_uuids": [str(u) for u in selectors.recent_client_uuids(household=household)],
            "max_photo_bytes": photos.max_bytes(),
            "max_photos": photos.MAX_PHOTOS,
        },
        status=400 if post is not None else 200,
    )


def _visit_form(
    request: HttpRequest,
    household: Household,
    draft: Any,
    post: Any,
    files: Any,
    members: list[Any] | None = None,
) -> VisitForm:
    initial = VisitForm.initial_for(household)
    if draft is not None:
        initial = VisitForm.initial_from_draft(draft.data, initial)
    initial[late.OPENED_FIELD] = late.form_opened_token(user=request.user, household=household)
    if members is None:
        members = selectors.members_to_see(household=household)
    return VisitForm(
        post,
        files,
        initial=initial,
        household=household,
        areas=selectors.problem_areas(),
        members=members,
        left_out=selectors.members_left_out(household=household, shown=members),
        volunteers=list(selectors.co_volunteers(household=household, user=request.user)),
    )


def _assessment_form(post: Any, indicator_set: Any, draft: Any) -> Any:
    if indicator_set is None:
        return None
    prefix = assessments.AssessmentForm.prefix + "-"
    initial = {}
    if draft is not None:
        initial = {
            key[len(prefix) :]: value[-1] if isinstance(value, list) and value else value
            for key, value in draft.data.items()
            if key.startswith(prefix)
        }
    return assessments.AssessmentForm(post, indicator_set=indicator_set, initial=initial)


def _assessment_template() -> str | None:
    try:
        select_template([ASSESSMENT_TEMPLATE])
    except TemplateDoesNotExist:
        return None
    return ASSESSMENT_TEMPLATE


def _try_record(
    request: HttpRequest,
    household: Household,
    form: VisitForm,
    qa_form: Any,
    started_at: Any = None,
) -> Any:
    """The stored visit, or None with the reasons put beside the fields."""
    valid = form.is_valid()
    if not (qa_form is None or qa_form.is_valid()) or not valid:
        return None
    answers = qa_form.answers() if qa_form is not None else None
    try:
        return services.visit_record(
            actor=request.user,
            household=household,
            data=form.to_data(answers),
            started_at=started_at,
        )
    except ValidationError as error:
        if getattr(error, "code", None) == services.FORM_SAVED:
            # Saved again after the user checks it, it is a visit of its own.
            fresh = cast(QueryDict, form.data).copy()
            fresh["client_uuid"] = str(uuid4())
            form.data = fresh
        if qa_form is not None and hasattr(error, "error_dict"):
            for message in error.message_dict.get("answers", []):
                qa_form.add_error(None, message)
            rest = {k: v for k, v in error.message_dict.items() if k != "answers"}
            error = ValidationError(rest) if rest else ValidationError({})
        form.show_service_errors(error)
        return None


def _late(request: HttpRequest, pk: int) -> late.LateRecording | None:
    token = request.POST.get(late.OPENED_FIELD)
    resent = request.POST.get("client_uuid")
    return late.late_recording(user=request.user, pk=pk, token=token, client_uuid=resent)


def _record_late(request: HttpRequest, found: late.LateRecording, post: Any = None) -> HttpResponse:
    """A visit begun before the volunteer lost the household (late.py): recorded, or, when
    the form has mistakes, kept for the centre. Either way she is told what changed; the form
    comes back only to someone who may still open the household."""
    household, post = found.household, request.POST if post is None else post
    form = _visit_form(request, household, None, post, request.FILES, members=found.members)
    qa_form = _assessment_form(post, assessments.current_indicator_set(), None)
    visit = _try_record(request, household, form, qa_form, started_at=found.started_at)
    if visit is None:
        draft = services.draft_save(
            actor=request.user,
            household=household,
            data=_draft_data(post),
            started_at=found.started_at,
        )
        if found.still_sees:
            return _form_page(request, household, form, qa_form, draft, found)
    return render(
        request,
        "visits/kept.html",
        {
            "late": found,
            "household": household,
            "visit": visit,
            "forms": [form, qa_form],
            "storage_key": f"carenet:visit-draft:{request.user.pk}:{household.pk}",
        },
        status=200 if visit is not None else 400,
    )


def _draft_data(post: Any) -> dict[str, Any]:
    """A form's fields as a draft keeps them: lists for multiple choices, text otherwise."""
    data: dict[str, Any] = {}
    for key in post:
        values = post.getlist(key)
        multiple = isinstance(VisitForm.base_fields.get(key), forms.MultipleChoiceField)
        data[key] = values if len(values) != 1 or multiple else values[0]
    return data


@require_POST
@access.requires(RECORD)
def draft_save(request: HttpRequest, pk: int) -> HttpResponse:
    """The form's autosave: what is typed so far, never checked. JSON for the page's script.
    A visit begun before its volunteer lost the household is kept too, and the label says so."""
    found = _late(request, pk)
    household = found.household if found else None
    if household is None:
        household = selectors.household_for_recording(user=request.user, pk=pk)
    if household_withdrawn(household):
        return JsonResponse(
            {"saved": False, "recorded": False, "label": services.withdrawn_reason()}
        )
    data = _draft_data(request.POST)
    draft = services.draft_save(
        actor=request.user,
        household=household,
        data=data,
        started_at=found.started_at if found else None,
    )
    if draft is None:
        return JsonResponse({"saved": False, "recorded": True, "label": ""})
    saved = timezone.localtime(draft.updated_at)
    label = _("Draft saved at %(time)s") % {"time": saved.strftime("%H:%M")}
    if found is not None:
        label = _(
            "Draft saved at %(time)s. This household changed while you were recording: "
            "save the visit, it will still be recorded."
        ) % {"time": saved.strftime("%H:%M")}
    return JsonResponse({"saved": True, "saved_at": int(saved.timestamp() * 1000), "label": label})


@require_POST
@access.requires(RECORD)
def draft_send(request: HttpRequest, pk: int) -> HttpResponse:
    """Sends the user's draft for a household they lost while recording (late.left_drafts)."""
    draft = selectors.own_draft(user=request.user, household_id=pk)
    found = late.late_recording(user=request.user, pk=pk, token=None)
    if found is None and selectors.may_record_now(request.user, draft.household):
        return redirect("visits:record", pk=pk)  # still hers: the form takes the draft
    if found is None:
        messages.info(
            request,
            _("This visit began after the household changed, so it cannot be recorded: the "
              "coordinators of the area see your draft on the household's page."),
        )  # fmt: skip
        return redirect("visits:my_households")
    return _record_late(request, found, _as_post(draft.data))


def _as_post(data: dict[str, Any]) -> QueryDict:
    post = QueryDict(mutable=True)
    for key, value in data.items():
        post.setlist(key, [str(v) for v in value] if isinstance(value, list) else [str(value)])
    return post


@require_POST
@access.requires(RECORD)
def draft_discard(request: HttpRequest, pk: int) -> HttpResponse:
    household = selectors.household_for_recording(user=request.user, pk=pk)
    services.draft_discard(actor=request.user, household=household)
    messages.success(request, _("The draft is discarded."))
    return redirect("visits:record", pk=household.pk)


# --- After recording -----------------------------------------------------------------------


@access.requires(Perm.VIEW_HOUSEHOLDS)
def visit_saved(request: HttpRequest, pk: int) -> HttpResponse:
    visit = selectors.visit_get(user=request.user, pk=pk)
    return render(
        request,
        "visits/saved.html",
        {
            "visit": visit,
            "household": visit.household,
            "concern": next(iter(visit.concerns.all()), None),
            "storage_key": f"carenet:visit-draft:{request.user.pk}:{visit.household_id}",
        },
    )


@require_POST
@access.requires(RECORD)
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraws a visit recorded by mistake, with the reason (services.visit_withdraw)."""
    visit = selectors.visit_get(user=request.user, pk=pk)
    if not selectors.visit_shows_details(request.user, visit):
        raise Http404
    try:
        services.visit_withdraw(
            actor=request.user, visit=visit, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(reverse("visits:detail", args=[visit.pk]) + "#withdraw")
    messages.success(
        request,
        _(
            "The visit is withdrawn: it is kept, out of every list and count, and the "
            "household's next visit is worked out again."
        ),
    )
    return redirect("visits:timeline", pk=visit.household_id)


@access.requires(Perm.VIEW_HOUSEHOLDS)
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = selectors.visit_get(user=request.user, pk=pk)
    shows = selectors.visit_shows_details(request.user, visit)
    # The notes tell of the household's people: the read is logged, the sensitive apart.
    audit_read(
        actor=request.user,
        action="visit.view_sensitive" if shows and visit.sensitive else "visit.view",
        target=visit,
        area_code=visit.area_id,
        household=visit.household_id,
    )
    return render(
        request,
        "visits/detail.html",
        {
            "visit": visit,
            "household": visit.household,
            "shows": shows,
            "late_change": late.change_of(visit.recorded_after) if visit.recorded_after else None,
            "problem_groups": selectors.problems_by_area(visit) if shows else [],
            "assessment": selectors.visit_assessment(visit) if shows else None,
            "can_acknowledge": selectors.can_acknowledge(request.user, visit),
            "can_withdraw": shows and services.may_withdraw(request.user, visit),
            "can_handle_concerns": shows
            and access.can(request.user, selectors.CONCERN_PERM, visit.area_id),
            "ack_form": AcknowledgeForm(
                initial={
                    "comment": visit.acknowledgement,
                    "seen": services.acknowledgement_stamp(visit),
                }
            ),
        },
    )


@access.requires(Perm.VIEW_HOUSEHOLDS)
def photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    found = selectors.photo_get(user=request.user, pk=pk)
    try:
        stored = found.image.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    if request.GET.get("size") != "small":  # the page shows a preview; its link, the photo
        return FileResponse(stored, content_type="image/jpeg")
    with stored:
        try:
            return HttpResponse(photos.preview(stored), content_type="image/jpeg")
        except (OSError, Image.DecompressionBombError):  # a stored file that is no photo
            raise Http404 from None


@access.requires(selectors.ACKNOWLEDGE_PERM)
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    visit = selectors.visit_get(user=request.user, pk=pk, perm=selectors.ACKNOWLEDGE_PERM)
    if not selectors.can_acknowledge(request.user, visit):
        raise PermissionDenied
    form = AcknowledgeForm(
        request.POST if request.method == "POST" else None,
        initial={"comment": visit.acknowledgement, "seen": services.acknowledgement_stamp(visit)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_acknowledge(
                actor=request.user,
                visit=visit,
                comment=form.cleaned_data["comment"],
                seen=form.cleaned_data["seen"] if "seen" in request.POST else None,
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error("comment", message)
            visit.refresh_from_db()
            data = request.POST.copy()  # what is saved now is what the page shows
            data["seen"] = services.acknowledgement_stamp(visit)
            form.data = data
        else:
            messages.success(request, _("The visit is acknowledged; the volunteer will see it."))
            return redirect("visits:detail", pk=visit.pk)
    return render(
        request,
        "visits/acknowledge.html",
        {"visit": visit, "household": visit.household, "form": form},
        status=400 if form.errors else 200,
    )


# --- The household timeline ----------------------------------------------------------------


@access.requires(Perm.VIEW_HOUSEHOLDS)
def timeline(request: HttpRequest, pk: int) -> HttpResponse:
    household = household_get(user=request.user, pk=pk)
    return render(
        request,
        "visits/timeline.html",
        {
            "household": household,
            "entries": selectors.household_timeline(user=request.user, household=household),
            "can_record": selectors.can_record(request.user, household),
            "level": vulnerability.priority_level(household.priority_score),
            "today": timezone.localdate(),
        },
    )


# --- Concerns ------------------------------------------------------------------------------


@access.requires(selectors.CONCERN_PERM)
def concerns(request: HttpRequest) -> HttpResponse:
    status = "closed" if request.GET.get("status") == "closed" else "active"
    return render(
        request,
        "visits/concerns.html",
        {
            "page": selectors.concern_list(
                user=request.user, status=status, page=request.GET.get("page") or 1
            ),
            "status": status,
            "counts": selectors.concern_counts(user=request.user),
        },
    )


@access.requires(selectors.CONCERN_PERM)
def concern_handle(request: HttpRequest, pk: int) -> HttpResponse:
    concern = selectors.concern_get(user=request.user, pk=pk)
    if not selectors.can_handle_concern(request.user, concern):
        raise PermissionDenied
    form = ConcernHandleForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.concern_handle(
                actor=request.user,
                concern=concern,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            for name, reasons in error.message_dict.items():
                for reason in reasons:
                    form.add_error("note" if name != "status" else None, reason)
        else:
            messages.success(request, _("The concern is updated."))
            return redirect("visits:concerns")
    return render(
        request,
        "visits/concern_handle.html",
        {"concern": concern, "form": form, "statuses": ConcernStatus},
        status=400 if form.errors else 200,
    )
