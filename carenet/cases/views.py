"""The case pages for working a case: the list, my action list, the case page with its review
chain, moves, plan and follow-ups, break-glass access and its log, and the time limits.

Every object comes through `access.case_get` (404 for missing and out of scope alike). A
sensitive case the user may not read shows only its number and status, with the break-glass
form. A refused move (WorkflowError) shows its reason on the page, never a 500.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_POST

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.accounts.models import Role, User
from carenet.areas.models import Area, Level
from carenet.cases import export, intake, periods, selectors, services, workflow
from carenet.cases.access import (
    break_glass_open,
    case_get,
    cases_visible,
    may_break_glass,
    shows_details,
)
from carenet.cases.action_list import action_list
from carenet.cases.forms import CasePeriodForm
from carenet.cases.models import Case, CaseCategory, CaseStatus, CaseTask, Outcome
from carenet.core import id_search, thaidate
from carenet.core.forms import ThaiDateField, int_or_none
from carenet.spreadsheets.exporting import table_download
from carenet.volunteers.models import Volunteer

S = CaseStatus

# What each move's button says, by the move's name in workflow.CASE_MOVES.
MOVE_LABELS: dict[str, Any] = {
    "submit": gettext_lazy("Submit the request"),
    "resubmit": gettext_lazy("Send the fixed request again"),
    "accept": gettext_lazy("Accept the case"),
    "decline": gettext_lazy("Decline"),
    "send back": gettext_lazy("Send back for fixing"),
    "close": gettext_lazy("Close the case"),
    "reopen": gettext_lazy("Reopen"),
}
CHECK_LABELS: dict[str, Any] = {
    S.DISTRICT_REVIEW: gettext_lazy("Checked: send to the district"),
    S.PROVINCE_REVIEW: gettext_lazy("Checked: send to the province"),
}


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class TaskForm(forms.Form):
    prefix = "task"
    what = forms.CharField(label=pgettext_lazy("task", "What"), max_length=300)
    who = PersonChoice(
        label=pgettext_lazy("task", "Who"),
        queryset=User.objects.none(),
        required=False,
        empty_label=gettext_lazy("— someone else (write below) —"),
    )
    who_text = forms.CharField(
        label=gettext_lazy("Or another person or agency"), max_length=200, required=False
    )
    due_on = ThaiDateField(label=gettext_lazy("By when"))

    def __init__(self, *args: Any, case: Case, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = self.fields["who"]
        assert isinstance(people, forms.ModelChoiceField)
        people.queryset = services.task_people(case)
        if user is not None and not self.is_bound:
            # Most steps are the writer's own: chosen beforehand, changed when they are not.
            self.initial.setdefault("who", user.pk)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("who") and not (data.get("who_text") or "").strip():
            self.add_error("who_text", _("Please say who will do it."))
        return data


class FollowUpForm(forms.Form):
    prefix = "fu"
    on = ThaiDateField(label=gettext_lazy("Date"), initial=timezone.localdate)
    note = forms.CharField(
        label=gettext_lazy("What was found"), widget=forms.Textarea(attrs={"rows": 3})
    )
    visit = forms.TypedChoiceField(
        label=gettext_lazy("Home visit (optional)"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, visits: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.visits = {v.pk: v for v in visits}
        choices: list[tuple[Any, str]] = [("", _("— none —"))]
        choices += [(v.pk, _visit_label(v)) for v in visits]
        visit = self.fields["visit"]
        assert isinstance(visit, forms.TypedChoiceField)
        visit.choices = choices


def _visit_label(visit: Any) -> str:
    return thaidate.format_short(timezone.localdate(visit.visited_at))


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why you need to open this case"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class LimitsForm(forms.Form):
    acknowledge_urgent_hours = forms.IntegerField(
        label=gettext_lazy("Hours to acknowledge an urgent case"),
        min_value=1,
        max_value=services.MAX_HOURS,
    )
    subdistrict_review_days = forms.IntegerField(
        label=gettext_lazy("Days for the subdistrict check"),
        min_value=1,
        max_value=services.MAX_DAYS,
    )
    district_review_days = forms.IntegerField(
        label=gettext_lazy("Days for the district check"), min_value=1, max_value=services.MAX_DAYS
    )
    province_review_days = forms.IntegerField(
        label=gettext_lazy("Days for the provincial decision"),
        min_value=1,
        max_value=services.MAX_DAYS,
    )
    referral_answer_days = forms.IntegerField(
        label=gettext_lazy("Days for an agency to answer a referral"),
        min_value=1,
        max_value=services.MAX_DAYS,
    )
    urgent_step_days = forms.IntegerField(
        label=gettext_lazy("Days for each review step of an urgent case"),
        min_value=1,
        max_value=services.MAX_DAYS,
    )


# --- Lists ------------------------------------------------------------------------------------


@id_search.hides_citizen_ids
@access.requires(Perm.VIEW_CASES)
def case_list(request: HttpRequest) -> HttpResponse:
    """The cases in scope, filtered. A period typed wrong lists nothing, with the reason beside
    the date: a reader would take the whole list for the period's."""
    params = id_search.search_params(request)
    period_form = CasePeriodForm(params)
    filters = period_form.filters(selectors.CaseFilters.from_query(params))
    page = None
    if filters is not None:
        page = selectors.case_list(user=request.user, filters=filters, page=request.GET.get("page"))
    shown = filters or selectors.CaseFilters.from_query(params)
    period_links = periods.case_links(shown, timezone.localdate())
    for link in period_links:
        link["query"] = id_search.keeping_key(request, link["query"])
    return render(
        request,
        "cases/list.html",
        {
            "page": page,
            "filters": shown,
            "period_form": period_form,
            "period_said": periods.said(shown),
            "period_links": period_links,
            "restricted_left_out": selectors.restricted_left_out(user=request.user, filters=filters)
            if filters is not None
            else 0,
            "query": id_search.keeping_key(request, shown.as_query()),
            "statuses": S.choices,
            "categories": list(CaseCategory.objects.filter(active=True)),
            "areas": selectors.filter_areas(request.user),
            "can_file": access.can(request.user, Perm.FILE_CASES),
            "can_export": access.can(request.user, Perm.EXPORT_DATA),
            # A volunteer's own few requests come first on their phone, the filters folded
            # away until asked for (or in use).
            "fold_filters": access.main_role(request.user) == Role.VOLUNTEER
            and filters is not None
            and not set(request.GET) - {"page"},
        },
        status=200 if filters is not None else 400,
    )


@id_search.hides_citizen_ids
@access.requires(Perm.EXPORT_DATA)
@require_GET
def case_download(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """The cases the list finds, as a file (cases.export); the download is audited."""
    if fmt not in export.FORMATS:
        raise Http404
    params = id_search.search_params(request)
    period_form = CasePeriodForm(params)
    filters = period_form.filters(selectors.CaseFilters.from_query(params))
    if filters is None:
        return case_list(request)  # the list, with the reason beside the date
    row_count = export.count(user=request.user, filters=filters)
    if fmt == "xlsx" and row_count > export.XLSX_MAX_ROWS:
        messages.warning(request, export.too_long_for_xlsx(row_count))
        kept = id_search.keeping_key(request, filters.as_query())
        return redirect(f"{reverse('cases:list')}?{kept}")
    prepared = export.case_export_prepare(
        user=request.user,
        filters=filters,
        fmt=fmt,
        described=periods.described(filters),
        row_count=row_count,
    )
    return table_download(
        fmt,
        prepared.headers,
        prepared.rows,
        filename=prepared.filename,
        title=_("Cases"),
        cells=export.CELLS,
    )


@access.requires(Perm.FILE_CASES)
def actions(request: HttpRequest) -> HttpResponse:
    result = action_list(user=request.user)
    provinces = [
        code for code in access.scope_codes(request.user, Perm.DECIDE_CASES) if len(code) == 2
    ]
    return render(request, "cases/actions.html", {"actions": result, "provinces": provinces})


# --- The case page ----------------------------------------------------------------------------


def _move_kind(source: str, target: str, move: workflow.Move) -> str:
    if target == S.RETURNED:
        return "send_back"
    if target == S.CLOSED:
        return "close"
    if move.name == "reopen":
        return "reopen"
    if target == S.DECLINED:
        return "decline"
    return "forward"


def _moves(user: Any, case: Case) -> list[dict[str, Any]]:
    found = []
    for target, move in workflow.allowed_moves(user, case):
        label = CHECK_LABELS.get(target) if move.name == "check" else MOVE_LABELS.get(move.name)
        found.append(
            {
                "to": target,
                "name": move.name,
                "label": label or move.name,
                "kind": _move_kind(case.status, target, move),
            }
        )
    return found


def _page(
    request: HttpRequest,
    case: Case,
    *,
    status: int = 200,
    move_error: str = "",
    posted: Any = None,
    task_form: TaskForm | None = None,
    follow_up_form: FollowUpForm | None = None,
    assign_error: services.AssignmentRefused | ValidationError | None = None,
) -> HttpResponse:
    user = request.user
    if not shows_details(user, case):
        return _restricted(request, case, BreakGlassForm())
    events = selectors.case_events(case)
    may_work = services.can_work(user, case)
    refusal = workflow.consent_refusal(case)
    adds = may_work and not refusal  # nothing new once the person withdrew consent
    visits = selectors.household_visits(case) if adds else []
    limits = services.limits_for(case.area_id)
    context = {
        "case": case,
        "request_obj": case,
        "chain": selectors.review_chain(case, events),
        "events": events,
        "moves": (moves := _moves(user, case)),
        # Closing leaves open referrals and plan tasks as they are: the close form names them.
        "closable": (closable := any(m["kind"] == "close" for m in moves)),
        "tasks": (tasks := selectors.case_tasks(case)),
        # The error of a move shows in that move's own form, kept open, where the user looks.
        "error_in_form": bool(move_error and posted)
        and any(m["to"] == posted.get("to") and m["kind"] != "forward" for m in moves),
        "consent_refusal": refusal,
        "person_gone": intake.person_gone(case),
        "like_this": intake.same_open_request(
            user, person_id=case.person_id, category_code=case.category_id, exclude_pk=case.pk
        )
        if case.status in intake.OPEN
        else None,
        "move_error": move_error,
        "posted": posted or {},
        "commentable": list(workflow.COMMENTABLE_FIELDS.items()),
        "outcomes": Outcome.choices,
        "open_referrals": selectors.open_referral_agencies(case) if closable else [],
        "open_tasks": [t.what for t in tasks if t.done_on is None] if closable else [],
        "unpaid": selectors.unpaid_assistance(case) if closable else [],
        "may_acknowledge": _may_acknowledge(user, case),
        "overdue": selectors.overdue_reason(case, limits, _now()),
        "due": selectors.step_due(case, limits),
        "follow_ups": selectors.case_follow_ups(case),
        "may_work": may_work,
        "task_form": task_form
        or (
            TaskForm(case=case, user=user)
            if adds and case.status not in (S.CLOSED, S.DECLINED)
            else None
        ),
        "follow_up_form": follow_up_form or (FollowUpForm(visits=visits) if adds else None),
        "today": _now().date(),
        "edit_url": reverse("cases:edit", args=[case.pk])
        if case.status in (S.DRAFT, S.RETURNED)
        else "",
        "case_volunteers": case.case_volunteers.select_related("area"),
        "may_assign": (may_assign := services.can_assign(user, case)),
        "assignable_shown": ASSIGNABLE_SHOWN,
        "assignable": services.volunteers_to_assign(case)[:ASSIGNABLE_SHOWN]
        if may_assign and not refusal
        else [],
        "assign_error": assign_error,
        "history_url": access.history_url(user, case, case.area_id),
    }
    return render(request, "cases/detail.html", context, status=status)


ASSIGNABLE_SHOWN = 400  # a district's volunteers; the subdistrict's come first


def _now() -> Any:
    return timezone.localtime()


def _may_acknowledge(user: Any, case: Case) -> bool:
    if not case.urgent or case.acknowledged_at is not None:
        return False
    level = dict(workflow.REVIEW_STEPS).get(case.status)
    if level is None:
        return False
    perm = Perm.DECIDE_CASES if level == workflow.PROVINCE else Perm.REVIEW_CASES
    return workflow.may_act(user, workflow.Move("", perm, level), case.area_id)


@access.requires(Perm.VIEW_CASES)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_get(user=request.user, pk=pk)
    if shows_details(request.user, case):
        services.case_log_view(actor=request.user, case=case)
    return _page(request, case)


def _refused(request: HttpRequest, case: Case) -> HttpResponse | None:
    """The case page with the reason (400) when the person withdrew consent, else None."""
    if refusal := workflow.consent_refusal(case):
        return _page(request, case, status=400, move_error=refusal)
    return None


def _workable(request: HttpRequest, pk: int) -> Case:
    """A case in scope whose details the user may read (else 404)."""
    case = case_get(user=request.user, pk=pk)
    if not shows_details(request.user, case):
        raise Http404
    return case


@require_POST
@access.requires(Perm.FILE_CASES)
def move(request: HttpRequest, pk: int) -> HttpResponse:
    case = _workable(request, pk)
    data = request.POST
    to, reason = data.get("to", ""), data.get("reason", "")
    if to == case.status:  # a second tap, or a page from before someone else's move
        messages.info(request, _("The case is already “%(status)s”.") % {"status": _label(to)})
        return redirect("cases:detail", pk=case.pk)
    if (opened_at := data.get("from")) and opened_at != case.status:
        # The page was opened before someone else moved the case: say who, keep what was typed.
        said = _moved_meanwhile(case)
        typed = [data.get("reason", "")] + [data.get(f"comment_{f}", "") for f in COMMENTABLE]
        if kept := " / ".join(t.strip() for t in typed if t.strip()):
            said += " " + _("What you had typed: “%(text)s”") % {"text": kept}
        return _page(request, case, status=409, move_error=said, posted=data)
    if case.status in (S.DRAFT, S.RETURNED):
        missing = intake.saved_request_errors(request.user, case)
        if missing:
            return _page(request, case, status=400, move_error=" ".join(missing), posted=data)
    try:
        if to == S.CLOSED:
            services.case_close(
                actor=request.user, case=case, outcome=data.get("outcome", ""), note=reason
            )
        else:  # reopening too: only to where a reopened case goes (workflow.CASE_MOVES)
            comments = {f: data.get(f"comment_{f}", "") for f in workflow.COMMENTABLE_FIELDS}
            workflow.case_move(
                case=case, to=to, actor=request.user, reason=reason, field_comments=comments
            )
    except workflow.WorkflowError as error:
        return _page(request, case, status=400, move_error=str(error), posted=data)
    case.refresh_from_db(fields=["status"])
    messages.success(
        request, _("Saved: the case is now “%(status)s”.") % {"status": _label(case.status)}
    )
    return redirect("cases:detail", pk=case.pk)


COMMENTABLE = tuple(workflow.COMMENTABLE_FIELDS)


def _moved_meanwhile(case: Case) -> str:
    last = case.events.select_related("by").order_by("-at", "-pk").first()
    if last is None:
        return _("This case was changed after the page was opened. Read it again first.")
    return _(
        "While this page was open, %(who)s moved the case to “%(status)s” (%(when)s). Nothing "
        "was done with your step: read the case again first."
    ) % {
        "who": last.by.display_name,
        "status": _label(last.to_status),
        "when": thaidate.format_datetime(last.at),
    }


def _label(status: str) -> str:
    try:
        return str(S(status).label)
    except ValueError:
        return status


@require_POST
@access.requires(Perm.FILE_CASES)
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    case = _workable(request, pk)
    try:
        workflow.case_acknowledge(case=case, actor=request.user)
    except workflow.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Acknowledged: the urgent clock has stopped."))
    return redirect("cases:detail", pk=case.pk)


@require_POST
@access.requires(Perm.FILE_CASES)
def task_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = _workable(request, pk)
    if not services.can_work(request.user, case):
        raise PermissionDenied
    if refused := _refused(request, case):
        return refused
    form = TaskForm(request.POST, case=case)
    if form.is_valid():
        try:
            services.task_add(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The task is added to the plan."))
            return redirect(f"{case.get_absolute_url()}#plan")
    return _page(request, case, status=400, task_form=form)


@require_POST
@access.requires(Perm.FILE_CASES)
def volunteer_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Gives the case to a volunteer; a missing competency is explained with who holds it."""
    case = _workable(request, pk)
    if services.can_assign(request.user, case) and (refused := _refused(request, case)):
        return refused
    chosen = int_or_none(request.POST.get("volunteer"))
    in_scope = access.visible_to(request.user, Volunteer.objects.all(), perm=Perm.MANAGE_CASES)
    volunteer = in_scope.filter(pk=chosen).first() if chosen is not None else None
    if volunteer is None:
        error = ValidationError(_("Choose a volunteer."))
        return _page(request, case, status=400, assign_error=error)
    try:
        services.case_volunteer_assign(actor=request.user, case=case, volunteer=volunteer)
    except ValidationError as error:
        return _page(request, case, status=400, assign_error=error)
    messages.success(request, _("The volunteer is on the case."))
    return redirect(f"{case.get_absolute_url()}#volunteers")


@require_POST
@access.requires(Perm.FILE_CASES)
def volunteer_remove(request: HttpRequest, pk: int, volunteer_pk: int) -> HttpResponse:
    case = _workable(request, pk)
    volunteer = case.case_volunteers.filter(pk=volunteer_pk).first()
    if volunteer is None:
        raise Http404
    services.case_volunteer_remove(actor=request.user, case=case, volunteer=volunteer)
    return redirect(f"{case.get_absolute_url()}#volunteers")


@require_POST
@access.requires(Perm.FILE_CASES)
def task_done(request: HttpRequest, pk: int) -> HttpResponse:
    task = (
        CaseTask.objects.select_related("case__volunteer")
        .filter(case__in=cases_visible(request.user).values("pk"), pk=pk)
        .first()
    )
    if task is None or not shows_details(request.user, task.case):
        raise Http404
    services.task_done(actor=request.user, task=task)
    messages.success(request, _("The task is marked done."))
    return redirect(f"{task.case.get_absolute_url()}#plan")


@require_POST
@access.requires(Perm.FILE_CASES)
def follow_up_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = _workable(request, pk)
    if not services.can_work(request.user, case):
        raise PermissionDenied
    if refused := _refused(request, case):
        return refused
    form = FollowUpForm(request.POST, visits=selectors.household_visits(case))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.follow_up_add(
                actor=request.user,
                case=case,
                on=data["on"],
                note=data["note"],
                visit=form.visits.get(data["visit"]) if data["visit"] else None,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The follow-up is recorded."))
            return redirect(f"{case.get_absolute_url()}#follow-ups")
    return _page(request, case, status=400, follow_up_form=form)


# --- Break-glass ------------------------------------------------------------------------------


@access.requires(Perm.VIEW_CASES)
def break_glass(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_get(user=request.user, pk=pk)
    if shows_details(request.user, case):
        return redirect("cases:detail", pk=case.pk)
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and not may_break_glass(request.user, case):
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        try:
            break_glass_open(actor=request.user, case=case, reason=form.cleaned_data["reason"])
        except ValueError as error:
            form.add_error("reason", str(error))
        else:
            messages.warning(
                request,
                _("The case is open to you for %(minutes)d minutes. Your access is logged.")
                % {"minutes": 60},
            )
            return redirect("cases:detail", pk=case.pk)
    return _restricted(request, case, form)


def _restricted(request: HttpRequest, case: Case, form: BreakGlassForm) -> HttpResponse:
    context = {"case": case, "form": form, "may_break_glass": may_break_glass(request.user, case)}
    return render(request, "cases/break_glass.html", context, status=400 if form.errors else 200)


@access.requires(Perm.VIEW_AUDIT)
def break_glass_log(request: HttpRequest) -> HttpResponse:
    page = selectors.break_glass_log(user=request.user, page=request.GET.get("page"))
    return render(request, "cases/break_glass_log.html", {"page": page})


# --- Time limits ------------------------------------------------------------------------------


@access.requires(Perm.DECIDE_CASES)
def limits(request: HttpRequest, code: str) -> HttpResponse:
    area = access.get_visible_or_404(
        request.user, Area.objects.all(), field="code", perm=Perm.DECIDE_CASES, code=code
    )
    if area.level != Level.PROVINCE:
        raise Http404
    current = services.limits_for(area.code)
    initial = {name: getattr(current, name) for name in services.LIMIT_FIELDS}
    form = LimitsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.time_limits_set(actor=request.user, province=area, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("The time limits are saved."))
            return redirect("cases:limits", code=area.code)
    return render(
        request,
        "cases/limits.html",
        {"area": area, "form": form, "current": current},
        status=400 if form.errors else 200,
    )
