"""Training pages: events, sessions, the invitation list, a volunteer's own trainings, a
volunteer's training record, the coverage report and the annual awards.

Each view declares its access with a decorator from accounts.access and fetches its record through
a scoped selector: out of scope is a 404, the same as missing. Pages that change something fetch
with MANAGE_TRAINING; an auditor (VIEW_TRAINING only) reads and changes nothing.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.accounts.models import Role
from carenet.areas.models import Area
from carenet.core.forms import int_or_none, show_service_errors
from carenet.core.paging import Paginator
from carenet.core.services import ConflictError, audit_record
from carenet.core.text import THAI_DIGITS
from carenet.spreadsheets.exporting import table_download
from carenet.training import selectors, services
from carenet.training.criteria import COMMITTEE_CHOICES
from carenet.training.forms import (
    AwardForm,
    AwardMoveForm,
    EventForm,
    InvitationFilterForm,
    SessionForm,
)
from carenet.training.models import AwardStatus, Certificate, Competency, Session, TrainingEvent
from carenet.volunteers.models import Volunteer

PAGE_SIZE = 25
INVITATION_PAGE_SIZE = 50


# --- events ----------------------------------------------------------------------------------


@access.requires(Perm.VIEW_TRAINING)
@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    if access.main_role(request.user) == Role.VOLUNTEER:
        # A volunteer's trainings are their invitations: the organisers' list would be empty.
        return redirect("training:my")
    search = request.GET.get("q", "").strip()[:100]
    year = _fiscal_year_or_none(request.GET.get("year"))
    events = selectors.event_list(user=request.user, search=search, year=year)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.with_attendance(user=request.user, events=page.object_list)
    return render(
        request,
        "training/list.html",
        {
            "page": page,
            "search": search,
            "year": year or "",
            "years": selectors.event_years(user=request.user),
            "totals": selectors.year_totals(
                user=request.user, year=year or selectors.current_fiscal_year()
            ),
            "today": timezone.localdate(),
            "can_create": access.can(request.user, Perm.MANAGE_TRAINING),
            "coverage_areas": Area.objects.filter(
                code__in=selectors.coverage_codes(user=request.user)
            ).order_by("code"),
            "coverage_pick": bool(selectors.coverage_scope(user=request.user)),
            "is_volunteer": selectors.my_volunteer(user=request.user) is not None,
        },
    )


def _fiscal_year_or_none(typed: str | None) -> int | None:
    """A BE fiscal year from the address; anything else shows every year."""
    year = int_or_none(typed)
    return year if year is not None and 2500 <= year <= 2700 else None


def _criteria_summary(event: TrainingEvent) -> list[str]:
    criteria = services.event_criteria(event)
    # The area's name (จ.ชุมพร), not its code: organisers do not read DOPA codes.
    area = Area.objects.filter(code=criteria.area).first()
    parts = [_("volunteers of area %(code)s") % {"code": area.label if area else criteria.area}]
    if criteria.committee:
        parts.append(str(dict(COMMITTEE_CHOICES)[criteria.committee]))
    if criteria.min_years is not None:
        parts.append(_("at least %(n)s years of service") % {"n": criteria.min_years})
    if criteria.max_years is not None:
        parts.append(_("fewer than %(n)s years of service") % {"n": criteria.max_years})
    if criteria.lacks:
        competency = Competency.objects.filter(code=criteria.lacks).first()
        parts.append(_("not yet holding: %(c)s") % {"c": competency or criteria.lacks})
    if criteria.untrained_fy:
        parts.append(_("not trained in fiscal year %(y)s") % {"y": criteria.untrained_fy})
    return parts


@access.requires(Perm.MANAGE_TRAINING)
def event_new(request: HttpRequest) -> HttpResponse:
    initial: dict[str, Any] = {"attendance_rule": 80, "kind": "workshop"}
    for key in ("target_area", "lacks", "untrained_fy", "committee"):
        if request.GET.get(key):
            initial[key] = request.GET[key][:20]
    form = EventForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(actor=request.user, data=form.to_data())
        except ValidationError as error:
            show_service_errors(error, form)
        else:
            messages.success(request, _("The event is created. Check the invitation list."))
            return redirect("training:invitations", pk=event.pk)
    return render(request, "training/event_form.html", {"form": form, "event": None})


@access.requires(Perm.VIEW_TRAINING)
@require_GET
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_get(user=request.user, pk=pk)
    [event] = selectors.with_attendance(user=request.user, events=[event])
    return render(
        request,
        "training/event.html",
        {
            "event": event,
            "today": timezone.localdate(),
            "sessions": selectors.event_sessions(event=event),
            "counts": selectors.invitation_counts(user=request.user, event=event),
            "criteria": _criteria_summary(event),
            "can_manage": selectors.can_manage(request.user, event),
            # The whole event's figures: its organiser's area and above (learning.event_for_viewer).
            "can_report": access.can(request.user, Perm.VIEW_TRAINING, event.area_id),
        },
    )


@access.requires(Perm.MANAGE_TRAINING)
@require_POST
def event_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_get(user=request.user, pk=pk, manage=True)
    try:
        reason = request.POST.get("reason", "")
        services.event_cancel(actor=request.user, event=event, reason=reason)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The event is cancelled. The volunteers invited see it so."))
    return redirect("training:event", pk=event.pk)


@access.requires(Perm.MANAGE_TRAINING)
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_get(user=request.user, pk=pk, manage=True)
    form = EventForm(request.POST or None, user=request.user, event=event)
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            services.event_update(
                actor=request.user,
                event=event,
                data=form.to_data(),
                version=form.cleaned_data["version"] or 0,
            )
        except ConflictError as error:
            form.add_error(None, str(error))
            conflict = True
        except ValidationError as error:
            show_service_errors(error, form)
        else:
            messages.success(request, _("The changes are saved."))
            rebuilt = getattr(event, "list_rebuilt", None)
            if rebuilt and rebuilt["dropped"]:
                messages.warning(
                    request,
                    ngettext(
                        "The new criteria took %(dropped)s volunteer off the list not sent "
                        "yet and put %(added)s on it. Invitations already sent stay.",
                        "The new criteria took %(dropped)s volunteers off the list not sent "
                        "yet and put %(added)s on it. Invitations already sent stay.",
                        rebuilt["dropped"],
                    )
                    % rebuilt,
                )
            return redirect("training:event", pk=event.pk)
    return render(
        request,
        "training/event_form.html",
        {"form": form, "event": event, "conflict": conflict},
        status=409 if conflict else 200,
    )


# --- sessions --------------------------------------------------------------------------------


@access.requires(Perm.MANAGE_TRAINING)
def sessions(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_get(user=request.user, pk=pk, manage=True)
    editing: Session | None = None
    edit_id = request.POST.get("session") or request.GET.get("edit")
    if edit_id:
        editing = event.sessions.filter(pk=int_or_none(edit_id) or 0).first()
        if editing is None:
            raise Http404
    initial = SessionForm.initial_from(editing) if editing else {"day": event.starts_on}
    form = SessionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        starts_at, ends_at = form.moments()
        values = {
            "title": form.cleaned_data["title"],
            "starts_at": starts_at,
            "ends_at": ends_at,
            "agenda": form.cleaned_data["agenda"],
            "speakers": form.cleaned_data["speakers"],
        }
        try:
            if editing:
                services.session_update(actor=request.user, session=editing, **values)
            else:
                services.session_add(actor=request.user, event=event, **values)
        except ValidationError as error:
            show_service_errors(error, form)
        else:
            messages.success(request, _("The session is saved."))
            return redirect("training:sessions", pk=event.pk)
    return render(
        request,
        "training/event_sessions.html",
        {
            "event": event,
            "sessions": selectors.event_sessions(event=event),
            "form": form,
            "editing": editing,
        },
    )


@access.requires(Perm.MANAGE_TRAINING)
@require_POST
def session_delete(request: HttpRequest, pk: int) -> HttpResponse:
    session = access.get_visible_or_404(
        request.user,
        Session.objects.select_related("event"),
        field="event__area",
        perm=Perm.MANAGE_TRAINING,
        own=Q(pk__in=[]),
        pk=pk,
    )
    try:
        services.session_delete(actor=request.user, session=session)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The session is deleted."))
    return redirect("training:sessions", pk=session.event_id)


# --- invitations -----------------------------------------------------------------------------


@access.requires(Perm.VIEW_TRAINING)
@require_GET
def invitations(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_get(user=request.user, pk=pk)
    can_manage = selectors.can_manage(request.user, event)
    form = InvitationFilterForm(request.GET or None)
    filters = form.filters()
    rows = selectors.invitation_list(user=request.user, event=event, **filters)
    page = Paginator(rows, INVITATION_PAGE_SIZE).get_page(request.GET.get("page"))
    search = request.GET.get("add", "").strip()[:100]
    return render(
        request,
        "training/invitations.html",
        {
            "event": event,
            "form": form,
            "page": page,
            "filtered": any(filters.values()),
            "counts": selectors.invitation_counts(user=request.user, event=event),
            "can_manage": can_manage,
            "excluded": selectors.excluded_volunteers(event=event) if can_manage else [],
            "add_search": search,
            "candidates": selectors.invite_candidates(event=event, search=search)
            if can_manage
            else [],
            "criteria": _criteria_summary(event),
        },
    )


@access.requires(Perm.MANAGE_TRAINING)
@require_POST
def invitations_build(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_get(user=request.user, pk=pk, manage=True)
    result = services.invitations_build(actor=request.user, event=event)
    messages.success(
        request,
        _("The list is built again: %(added)s added, %(dropped)s no longer matching.") % result,
    )
    return redirect("training:invitations", pk=event.pk)


@access.requires(Perm.MANAGE_TRAINING)
@require_POST
def invitations_send(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_get(user=request.user, pk=pk, manage=True)
    try:
        sent = services.invitations_send(actor=request.user, event=event)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(n)s invitations are sent.") % {"n": sent.sent})
        if sent.left_out:
            messages.warning(
                request,
                ngettext(
                    "%(n)s volunteer on the list has left the network since it was made: "
                    "taken off it, not invited.",
                    "%(n)s volunteers on the list have left the network since it was made: "
                    "taken off it, not invited.",
                    sent.left_out,
                )
                % {"n": sent.left_out},
            )
    return redirect("training:invitations", pk=event.pk)


@access.requires(Perm.MANAGE_TRAINING)
@require_POST
def invitation_add(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_get(user=request.user, pk=pk, manage=True)
    in_scope = access.visible_to(request.user, Volunteer.objects.all(), perm=Perm.MANAGE_TRAINING)
    volunteer = in_scope.filter(pk=int_or_none(request.POST.get("volunteer")) or 0).first()
    if volunteer is None:
        messages.error(request, _("Choose a volunteer from the list."))
    else:
        try:
            services.invitation_add(actor=request.user, event=event, volunteer=volunteer)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(name)s is on the list.") % {"name": volunteer})
    return redirect("training:invitations", pk=event.pk)


@access.requires(Perm.MANAGE_TRAINING)
@require_POST
def invitation_remove(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = selectors.invitation_get(user=request.user, pk=pk)
    try:
        services.invitation_remove(actor=request.user, invitation=invitation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("%(name)s is taken off the list.") % {"name": invitation.volunteer}
        )
    return redirect("training:invitations", pk=invitation.event_id)


# --- a volunteer's own -----------------------------------------------------------------------


@access.requires(Perm.VIEW_TRAINING)
@require_GET
def my_trainings(request: HttpRequest) -> HttpResponse:
    volunteer = selectors.my_volunteer(user=request.user)
    return render(
        request,
        "training/my.html",
        {
            "volunteer": volunteer,
            "invitations": selectors.my_invitations(volunteer=volunteer) if volunteer else [],
            "today": timezone.localdate(),
        },
    )


@access.requires(Perm.VIEW_TRAINING)
@require_POST
def respond(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = selectors.my_invitation_get(user=request.user, pk=pk)
    answer = request.POST.get("answer")
    if answer not in ("yes", "no"):
        messages.error(request, _("Choose whether you will attend."))
        return redirect("training:my")
    try:
        services.invitation_respond(
            actor=request.user, invitation=invitation, attend=answer == "yes"
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, _("Thank you: your answer is saved."))
    return redirect("training:my")


@access.requires(Perm.VIEW_VOLUNTEERS)
@require_GET
def volunteer_record(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = access.get_visible_or_404(
        request.user,
        Volunteer.objects.select_related("area"),
        perm=Perm.VIEW_VOLUNTEERS,
        own=Q(user=request.user),
        pk=pk,
    )
    return render(
        request,
        "training/volunteer.html",
        {
            "record": selectors.training_record(volunteer=volunteer),
            "can_nominate": access.can(request.user, Perm.MANAGE_TRAINING, volunteer.area_id),
            # The province revokes a certificate issued by mistake (services.may_revoke).
            "can_revoke": access.can(request.user, Perm.MANAGE_TRAINING, volunteer.area_id[:2]),
            "year": selectors.current_fiscal_year(),
        },
    )


@access.requires(Perm.MANAGE_TRAINING)
@require_POST
def certificate_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """The provincial office revokes a certificate issued by mistake, from the volunteer's
    training record; anyone else gets a 404, as for a certificate they cannot see."""
    certificate = get_object_or_404(
        Certificate.objects.select_related("event"), pk=pk, revoked=False
    )
    if not services.may_revoke(request.user, certificate):
        raise Http404
    try:
        services.certificate_revoke(
            actor=request.user, certificate=certificate, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _(
                "Certificate %(code)s is revoked: its verification page no longer finds it, "
                "and the competencies it granted are withdrawn."
            )
            % {"code": certificate.code},
        )
    return redirect("training:volunteer", pk=certificate.volunteer_id)


# --- coverage ----------------------------------------------------------------------------------


@access.requires(Perm.VIEW_TRAINING)
@require_GET
def coverage_pick(request: HttpRequest) -> HttpResponse:
    """Where a coverage report starts: the user's own area, else the one they choose. A
    volunteer has no coverage to read (selectors.coverage_scope): refused, as by `requires`."""
    if not selectors.coverage_scope(user=request.user):
        raise PermissionDenied
    code = "".join(request.GET.get("area", "").translate(THAI_DIGITS).split())
    if not code:
        codes = selectors.coverage_codes(user=request.user)
        code = codes[0] if len(codes) == 1 else ""
    if code and selectors.coverage_area_or_none(user=request.user, code=code) is not None:
        return redirect("training:coverage", code=code)
    context = {
        "report": None,
        "choices": selectors.coverage_choices(user=request.user),
        "error": _("Choose an area from the list.") if code else "",
    }
    return render(request, "training/coverage.html", context, status=400 if code else 200)


@access.requires(Perm.VIEW_TRAINING)
@require_GET
def coverage(request: HttpRequest, code: str) -> HttpResponse:
    area, year, listed = _coverage_asked(request, code)
    volunteers = selectors.coverage_volunteers(area=area, year=year, listed=listed)
    page = Paginator(volunteers, INVITATION_PAGE_SIZE).get_page(request.GET.get("page"))
    report = selectors.coverage(area=area, year=year)
    current = selectors.current_fiscal_year()
    return render(
        request,
        "training/coverage.html",
        {
            "report": report,
            "counted_on": selectors.counted_on(year),
            "area": area,
            "year": year,
            "years": list(range(current, current - 6, -1)),
            "page": page,
            "listed": listed,
            "listed_competency": next((c for c in report.competencies if c.code == listed), None),
            "can_create": access.can(request.user, Perm.MANAGE_TRAINING, area.code),
            "can_download": access.can(request.user, Perm.EXPORT_DATA, area.code),
        },
    )


def _coverage_asked(request: HttpRequest, code: str) -> tuple[Area, int, str]:
    """The area, the fiscal year and the list of volunteers a coverage page or file asks for."""
    area = selectors.coverage_area(user=request.user, code=code)
    current = selectors.current_fiscal_year()
    year = int_or_none(request.GET.get("year")) or current
    if not 2500 <= year <= 2700:
        year = current
    return area, year, selectors.coverage_listed(request.GET.get("list", ""))


@access.requires(Perm.EXPORT_DATA)
@require_GET
def coverage_download(request: HttpRequest, code: str) -> HttpResponseBase:
    """The volunteers the coverage page lists, as a CSV file for the next event's invitations
    or a phone round; the download is logged as every export is."""
    area, year, listed = _coverage_asked(request, code)
    if not access.can(request.user, Perm.EXPORT_DATA, area.code):
        raise Http404
    volunteers = selectors.coverage_volunteers(area=area, year=year, listed=listed)
    rows = [
        [
            v.full_name,
            v.phone,
            v.registration_no,
            v.area.label,
            v.area.parent.label if v.area.parent else "",
        ]
        for v in volunteers
    ]
    audit_record(
        actor=request.user,
        action="spreadsheets.export_training_coverage",
        area_code=area.code,
        details={"year": year, "list": listed or "untrained", "rows": len(rows)},
    )
    headers = [_("Name"), _("Phone"), _("Registration no."), _("Subdistrict"), _("District")]
    which = listed or "untrained"
    return table_download(
        "csv",
        headers,
        iter(rows),
        filename=f"carenet-training-{which}-{area.code}-fy{year}.csv",
        title=_("Training coverage"),
    )


# --- awards ------------------------------------------------------------------------------------


@access.requires(Perm.VIEW_TRAINING)
@require_GET
def awards(request: HttpRequest) -> HttpResponse:
    year = int_or_none(request.GET.get("year"))
    status = request.GET.get("status", "")
    if status not in AwardStatus.values:
        status = ""
    rows = selectors.award_list(user=request.user, year=year, status=status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for award in page.object_list:
        award.can_move = services.can_decide_awards(request.user, award.area_id) and bool(
            services.AWARD_MOVES[award.status]
        )
        award.moves = [
            (s, label)
            for s, label in AwardStatus.choices
            if s in services.AWARD_MOVES[award.status]
        ]
    return render(
        request,
        "training/awards.html",
        {
            "page": page,
            "year": year or "",
            "status": status,
            "statuses": AwardStatus.choices,
            "can_nominate": access.can(request.user, Perm.MANAGE_TRAINING),
        },
    )


@access.requires(Perm.MANAGE_TRAINING)
def award_new(request: HttpRequest) -> HttpResponse:
    chosen = None
    wanted = request.POST.get("volunteer") or request.GET.get("volunteer")
    if wanted:
        chosen = selectors.award_volunteer(user=request.user, pk=int_or_none(wanted))
    form = AwardForm(
        request.POST or None,
        initial={
            "volunteer": chosen.pk if chosen else None,
            "fiscal_year": selectors.current_fiscal_year(),
            "title": "อพม. ดีเด่น",
        },
    )
    if request.method == "POST" and chosen is not None and form.is_valid():
        try:
            services.award_nominate(
                actor=request.user,
                volunteer=chosen,
                fiscal_year=form.cleaned_data["fiscal_year"],
                title=form.cleaned_data["title"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            show_service_errors(error, form)
        else:
            messages.success(request, _("%(name)s is nominated.") % {"name": chosen})
            return redirect("training:awards")
    search = request.GET.get("q", "").strip()[:100]
    return render(
        request,
        "training/award_form.html",
        {
            "form": form,
            "chosen": chosen,
            "search": search,
            "candidates": selectors.award_candidates(user=request.user, search=search),
        },
    )


@access.requires(Perm.MANAGE_TRAINING)
@require_POST
def award_move(request: HttpRequest, pk: int) -> HttpResponse:
    award = selectors.award_get(user=request.user, pk=pk)
    form = AwardMoveForm(request.POST, status=award.status)
    if not form.is_valid():
        messages.error(request, _("A nomination cannot move from this status to that one."))
        return redirect("training:awards")
    try:
        services.award_move(
            actor=request.user, award=award, to_status=form.cleaned_data["to_status"]
        )
    except PermissionDenied:
        messages.error(request, _("The province decides the awards."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The nomination is updated."))
    return redirect("training:awards")
