"""Pages about volunteers and coordination centres: parse, call one service or selector, render.

Each view declares its access with a decorator from accounts.access, and fetches its record
through a selector scoped to the user, so a record outside the user's scope is a 404, the same
as a missing one. Pages that change something fetch with the manage permission.
"""

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from carenet.accounts import access, disclosure
from carenet.accounts.access import Perm
from carenet.areas.models import within
from carenet.core import citizen_id as cid
from carenet.core import id_search, thaidate
from carenet.core.forms import show_service_errors
from carenet.core.paging import Paginator
from carenet.core.people import Sex, age_on
from carenet.core.services import ConflictError
from carenet.volunteers import figures, selectors, services
from carenet.volunteers.forms import (
    AccountForm,
    CentreCreateForm,
    CentrePhoneForm,
    PasswordSetForm,
    SeatEndForm,
    SeatForm,
    StatusForm,
    UndoStatusForm,
    VolunteerFilterForm,
    VolunteerForm,
)
from carenet.volunteers.history import AGE_LABELS, CHANGE_KINDS, HistoryFilter
from carenet.volunteers.models import (
    NETWORK,
    STATUS_MOVES,
    CommitteeMembership,
    Volunteer,
    VolunteerStatus,
)
from carenet.volunteers.services import VolunteerData

PAGE_SIZE = 25
SEAT_CANDIDATES_SHOWN = 16


@id_search.hides_citizen_ids
@access.requires(Perm.VIEW_VOLUNTEERS)
@require_GET
def volunteer_list(request: HttpRequest) -> HttpResponse:
    form = VolunteerFilterForm(id_search.search_params(request) or None, user=request.user)
    filters = form.filters()
    page, sound_alike = _volunteer_page(request, filters)
    history: HistoryFilter = filters["history"]
    in_network = filters["status"] == NETWORK
    return render(
        request,
        "volunteers/list.html",
        {
            "form": form,
            "page": page,
            "filtered": filters != VolunteerFilterForm.DEFAULTS,
            "in_network": in_network,
            # Said beside the count, so that it does not pass for everyone ever registered.
            "sound_alike": sound_alike,
            # On a past day, "every status" would take in those not registered yet.
            "outside_network": _outside_network(request, filters, sound_alike, page.paginator.count)
            if in_network and history.on is None
            else 0,
            "history_said": _history_said(history, filters["status"]),
            "history_errors": form.history_errors(),
            "without_history_query": _without_params(request, *VolunteerFilterForm.HISTORY_FIELDS),
            "every_status_query": _with_params(request, status=VolunteerFilterForm.EVERY_STATUS),
            # The volunteers whose work is missing: active, and nobody's to visit.
            "idle_query": None
            if history
            or (
                filters["status"] == VolunteerStatus.ACTIVE
                and filters["households"] == selectors.NO_HOUSEHOLD
            )
            else _with_params(
                request, status=VolunteerStatus.ACTIVE, households=selectors.NO_HOUSEHOLD
            ),
            "can_register": access.can(request.user, Perm.MANAGE_VOLUNTEERS),
            "figures_query": _figures_query(request, filters["area_code"]),
            # An export keeps the area and status chosen; it has no name search and no
            # workload filter (its rows say how many households each looks after).
            "export_query": urlencode({"area": filters["area_code"], "status": filters["status"]})
            if access.can(request.user, Perm.EXPORT_DATA)
            and not filters["search"]
            and not filters["households"]
            and not history
            else None,
        },
    )


def _with_params(request: HttpRequest, **params: str) -> str:
    """The page's query string (a hidden search's key kept), first page, with `params`."""
    query = request.GET.copy()
    query.pop("page", None)
    for name, value in params.items():
        query[name] = value
    return query.urlencode()


def _figures_query(request: HttpRequest, area_code: str) -> str | None:
    """The figures page's query string for the area chosen (its subdistrict, for a village);
    None for those who may not open it."""
    if not access.can(request.user, figures.FIGURES_PERM):
        return None
    return urlencode({"area": area_code[:6]}) if area_code else ""


def _without_params(request: HttpRequest, *names: str) -> str:
    """The page's query string, first page, without `names`."""
    query = request.GET.copy()
    for name in ("page", *names):
        query.pop(name, None)
    return query.urlencode()


def _volunteer_page(request: HttpRequest, filters: dict[str, Any]) -> tuple[Any, bool]:
    """The page of volunteers found, and whether they were found by a name that sounds like
    the one typed: a Thai name is often spelt another way (ศรีสุก for ศรีสุข)."""
    page = Paginator(_listed(request, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    if page.paginator.count or not selectors.is_name_search(filters["search"]):
        return page, False
    volunteers = _listed(request, filters, sounds_like=True)
    return Paginator(volunteers, PAGE_SIZE).get_page(request.GET.get("page")), True


def _listed(
    request: HttpRequest, filters: dict[str, Any], *, sounds_like: bool = False
) -> QuerySet[Volunteer]:
    return selectors.volunteer_list(
        user=request.user,
        search=filters["search"],
        area_code=filters["area_code"],
        status=filters["status"],
        order=filters["order"],
        households=filters["households"],
        sounds_like=sounds_like,
        history=filters["history"],
    )


def _history_said(history: HistoryFilter, status: str) -> list[str]:
    """What a figures link keeps of the volunteers, in words, for the line above the list."""
    said = []
    if history.on is not None and status:
        said.append(
            _("status on %(date)s, from the status history")
            % {"date": thaidate.format_short(history.on)}
        )
    if history.changed in CHANGE_KINDS and history.since and history.until:
        said.append(
            _("%(change)s from %(since)s to %(until)s")
            % {
                "change": CHANGE_KINDS[history.changed],
                "since": thaidate.format_short(history.since),
                "until": thaidate.format_short(history.until),
            }
        )
    if history.sex:
        said.append(str(Sex(history.sex).label))
    if history.age in AGE_LABELS:
        said.append(
            _("aged %(band)s on %(date)s")
            % {
                "band": AGE_LABELS[history.age],
                "date": thaidate.format_short(history.on or timezone.localdate()),
            }
        )
    return said


def _outside_network(
    request: HttpRequest, filters: dict[str, Any], sounds_like: bool, shown: int
) -> int:
    """How many more the same filters find among those who left or died."""
    every = _listed(request, {**filters, "status": ""}, sounds_like=sounds_like)
    return every.count() - shown


def _detail(
    request: HttpRequest, volunteer: Volunteer, *, status: int = 200, **extra: Any
) -> HttpResponse:
    can_manage = access.can(request.user, Perm.MANAGE_VOLUNTEERS, volunteer.area_id)
    looked_after, away = _households_of(volunteer) if can_manage else (0, 0)
    seats = volunteer.committee_seats.all()
    context = {
        "volunteer": volunteer,
        "age": _age_shown(volunteer),
        "died": volunteer.status == VolunteerStatus.DECEASED,
        "visible_centres": selectors.centres_visible(
            user=request.user, pks={seat.centre_id for seat in seats}
        )
        if seats
        else set(),
        "can_manage": can_manage,
        "history_url": access.history_url(request.user, volunteer, volunteer.area_id),
        "citizen_id_masked": cid.masked(volunteer.read_citizen_id()),
        "can_change_status": can_manage and bool(STATUS_MOVES.get(volunteer.status)),
        # A status with no move onward (deceased) can still be taken back for a while, on the
        # status page: the page links to it, or a death recorded by mistake is a dead end.
        "can_undo_status": can_manage
        and not STATUS_MOVES.get(volunteer.status)
        and services.undoable_change(volunteer) is not None,
        "account_form": AccountForm() if can_manage and services.may_get_login(volunteer) else None,
        "households_looked_after": looked_after,
        "households_away": away,
        **extra,
    }
    return render(request, "volunteers/detail.html", context, status=status)


def _age_shown(volunteer: Volunteer) -> int | None:
    """Their age today; a deceased volunteer's age when they died, or none when the history
    does not say when."""
    if volunteer.status != VolunteerStatus.DECEASED:
        return age_on(volunteer.birth_date, timezone.localdate())
    died = _died_on(volunteer)
    return age_on(volunteer.birth_date, died) if died else None


def _died_on(volunteer: Volunteer) -> date | None:
    """The effective date of their change to deceased, from the history the page prefetched."""
    return next(
        (
            change.effective_date
            for change in volunteer.status_changes.all()
            if change.to_status == VolunteerStatus.DECEASED
        ),
        None,
    )


@access.requires(Perm.VIEW_VOLUNTEERS)
@require_GET
def volunteer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.volunteer_get(user=request.user, pk=pk))


@access.signed_in
@require_GET
def volunteer_me(request: HttpRequest) -> HttpResponse:
    volunteer = selectors.volunteer_me(user=request.user)
    if volunteer is None:
        return render(request, "volunteers/me_missing.html")
    return _detail(request, volunteer, is_me=True, my_centres=selectors.centres_serving(volunteer))


@access.requires(Perm.VIEW_VOLUNTEERS)
@require_POST
def volunteer_citizen_id(request: HttpRequest, pk: int) -> HttpResponse:
    """Shows the full citizen ID on an explicit request; each read is written to the audit log."""
    volunteer = selectors.volunteer_get(user=request.user, pk=pk)
    digits = services.volunteer_citizen_id_read(actor=request.user, volunteer=volunteer)
    shown = cid.formatted(digits) if digits else ""
    if request.headers.get("HX-Request"):
        response = render(request, "volunteers/_citizen_id.html", {"citizen_id_full": shown})
    else:
        response = _detail(request, volunteer, citizen_id_full=shown)
    response["Cache-Control"] = "no-store"
    return response


@access.requires(Perm.MANAGE_VOLUNTEERS)
def volunteer_create(request: HttpRequest) -> HttpResponse:
    initial = {"area": request.GET.get("area", "")}
    form = VolunteerForm(request.POST or None, user=request.user, initial=initial)
    likely = None
    if request.method == "POST" and form.is_valid():
        data = form.to_data()
        likely = _likely_same(request, form, data)
        # Likely matches are shown above the form, with a button to register all the same.
        if likely is not None and (not likely or request.POST.get("confirm_distinct")):
            try:
                volunteer = services.volunteer_register(actor=request.user, data=data)
            except ValidationError as error:
                show_service_errors(error, form)
            else:
                messages.success(request, _("%(name)s is registered.") % {"name": volunteer})
                return redirect("volunteers:detail", pk=volunteer.pk)
    context = {
        "form": form,
        "volunteer": None,
        "likely": likely,
        **_registered_already(request, form),
    }
    return render(request, "volunteers/form.html", context)


def _registered_already(request: HttpRequest, form: VolunteerForm) -> dict[str, Any]:
    """The record a refused citizen ID belongs to, when the user may open it, so that the
    refusal leads somewhere: to the record, and for a volunteer who left and comes back, to
    the status change that makes them active again."""
    if "citizen_id" not in form.errors or not form.data.get("citizen_id"):
        return {}
    holder = selectors.volunteer_holding_id(user=request.user, digits=str(form.data["citizen_id"]))
    if holder is None or holder == form.instance:
        return {}
    may_return = VolunteerStatus.ACTIVE in STATUS_MOVES.get(holder.status, set())
    return {
        "registered": holder,
        "may_reactivate": may_return
        and access.can(request.user, Perm.MANAGE_VOLUNTEERS, holder.area_id),
    }


def _likely_same(
    request: HttpRequest, form: VolunteerForm, data: VolunteerData
) -> selectors.LikelySame | None:
    """The volunteers who may be the one typed in; None when the citizen ID cannot be
    checked today. What is told of volunteers outside the user's areas is counted and logged
    (accounts.disclosure)."""
    user = request.user
    if not disclosure.elsewhere_allowed(user):
        form.add_error("citizen_id", disclosure.used_up_reason())
        return None
    holder = selectors.volunteer_id_elsewhere(user=user, digits=data.citizen_id)
    if holder is not None:
        disclosure.elsewhere_told(
            user, by="volunteer_citizen_id", area_code=data.area_code, record=holder
        )
    likely = selectors.volunteer_likely_same(
        user=user,
        first_name=data.first_name,
        last_name=data.last_name,
        birth_date=data.birth_date,
        digits=data.citizen_id,
    )
    if likely.elsewhere:
        disclosure.elsewhere_told(user, by="volunteer_name_and_birth_date")
    return likely


@access.requires(Perm.MANAGE_VOLUNTEERS)
def volunteer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = selectors.volunteer_for_edit(user=request.user, pk=pk)
    form = VolunteerForm(request.POST or None, user=request.user, instance=volunteer)
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            services.volunteer_update(
                actor=request.user,
                volunteer=volunteer,
                data=form.to_data(),
                version=form.cleaned_data["version"],
            )
        except ConflictError as error:
            form.add_error(None, str(error))
            conflict = True
        except ValidationError as error:
            show_service_errors(error, form)
        else:
            messages.success(request, _("The changes are saved."))
            _tell_seats_kept(request, volunteer)
            _tell_households_left_behind(request, volunteer)
            return redirect("volunteers:detail", pk=volunteer.pk)
    return render(
        request,
        "volunteers/form.html",
        {
            "form": form,
            "volunteer": volunteer,
            "conflict": conflict,
            **_registered_already(request, form),
        },
        status=409 if conflict else 400 if form.errors else 200,
    )


def _seat_text(seat: CommitteeMembership) -> str:
    return _("%(position)s of %(centre)s") % {
        "position": seat.get_position_display(),
        "centre": seat.centre.name,
    }


def _tell_seats_kept(request: HttpRequest, volunteer: Volunteer) -> None:
    """A volunteer moved to another subdistrict keeps their seats on the committees of areas
    they no longer serve. Ending them is the coordinator's call, not the edit's: the move may
    be a typo being corrected, and the term's end is a date only they know. So say which."""
    kept = selectors.seats_outside_area(volunteer=volunteer)
    if kept:
        messages.warning(
            request,
            _(
                "They still hold seats on committees of areas they no longer serve: %(seats)s. "
                "End those terms on each centre's page unless they should go on."
            )
            % {"seats": "; ".join(_seat_text(seat) for seat in kept)},
        )


def _households_of(volunteer: Volunteer) -> tuple[int, int]:
    """How many active households the volunteer looks after, and how many of those lie outside
    the subdistrict they serve (left behind by a move), in one query."""
    counts = volunteer.assignments.filter(household__status="active").aggregate(
        total=Count("pk"), away=Count("pk", filter=~within(volunteer.area_id, "household__area"))
    )
    return counts["total"], counts["away"]


def _tell_households_left_behind(request: HttpRequest, volunteer: Volunteer) -> None:
    """A volunteer moved to another subdistrict still looks after the households of the one
    they left, where they no longer visit (their login opens only their new area's)."""
    _total, away = _households_of(volunteer)
    if away:
        messages.warning(
            request,
            ngettext(
                "%(count)d household they looked after is in a subdistrict they no longer "
                "serve: hand it over to a volunteer there (Hand over households, below).",
                "%(count)d households they looked after are in a subdistrict they no longer "
                "serve: hand them over to a volunteer there (Hand over households, below).",
                away,
            )
            % {"count": away},
        )


def _status_changed_text(result: services.StatusChanged) -> str:
    """The success message, naming the committee seats the change ended or cancelled: the
    coordinator asked for a status, not for those."""
    text = _("The status is changed.")
    if not result.seats_closed:
        return text
    seats = "; ".join(_seat_closed_text(closed) for closed in result.seats_closed)
    return f"{text} " + _("Their committee seats end with it: %(seats)s.") % {"seats": seats}


def _seat_closed_text(closed: services.SeatClosed) -> str:
    seat = closed.seat
    if closed.cancelled:
        return _("%(seat)s, due to start on %(date)s, is cancelled") % {
            "seat": _seat_text(seat),
            "date": thaidate.format_short(seat.term_start),
        }
    return _("%(seat)s, ended on %(date)s") % {
        "seat": _seat_text(seat),
        "date": thaidate.format_short(seat.term_end),
    }


def _tell_seats_back(request: HttpRequest, result: services.StatusChanged) -> None:
    """Which committee seats taking a change back gave back, and which it could not."""
    if result.seats_restored:
        seats = "; ".join(_seat_text(seat) for seat in result.seats_restored)
        messages.success(
            request, _("Their committee seats are theirs again: %(seats)s.") % {"seats": seats}
        )
    if result.seats_kept_ended:
        seats = "; ".join(f"{_seat_text(seat)}: {why}" for seat, why in result.seats_kept_ended)
        messages.warning(
            request,
            _(
                "These committee seats the mistake ended stay ended: %(seats)s Appoint them "
                "again on the centre's page if they still hold them."
            )
            % {"seats": seats},
        )


def _tell_login_follows(request: HttpRequest, result: services.StatusChanged) -> None:
    """What the status change did to their login (services.login_follows_status)."""
    if result.login in ("closed", "role_removed"):
        messages.info(
            request,
            _(
                "Their login no longer opens the households they looked after: Carenet "
                "has taken the volunteer role off it, and closed it if it had no other "
                "role."
            ),
        )
    elif result.login == "reopened":
        messages.info(request, _("Their login is open again, with the volunteer role."))
    elif result.login == "role_given":
        messages.info(request, _("Their login has the volunteer role again."))


def _refused_status(request: HttpRequest, form: Any) -> int:
    """400 for a form sent back with its reasons, so that tests and tools can tell."""
    return 400 if request.method == "POST" and form is not None and form.errors else 200


def _tell_households_left(request: HttpRequest, volunteer: Volunteer) -> None:
    """A volunteer who stops serving leaves their households without anyone: say how many."""
    if volunteer.status == VolunteerStatus.ACTIVE:
        return
    left, _away = _households_of(volunteer)
    if left:
        messages.warning(
            request,
            ngettext(
                "%(count)d household was looked after by them: hand it over to another "
                "volunteer (Hand over households, below).",
                "%(count)d households were looked after by them: hand them over to another "
                "volunteer (Hand over households, below).",
                left,
            )
            % {"count": left},
        )


@access.requires(Perm.MANAGE_VOLUNTEERS)
def volunteer_status(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = selectors.volunteer_for_edit(user=request.user, pk=pk)
    form = StatusForm(request.POST or None, volunteer=volunteer)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.volunteer_change_status(
                actor=request.user,
                volunteer=volunteer,
                to_status=form.cleaned_data["to_status"],
                effective_date=form.cleaned_data["effective_date"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            show_service_errors(error, form)
        else:
            messages.success(request, _status_changed_text(result))
            _tell_login_follows(request, result)
            _tell_households_left(request, volunteer)
            return redirect("volunteers:detail", pk=volunteer.pk)
    return _render_status(request, volunteer, form, UndoStatusForm())


def _render_status(
    request: HttpRequest, volunteer: Volunteer, form: StatusForm, undo_form: UndoStatusForm
) -> HttpResponse:
    context = {
        "form": form,
        "volunteer": volunteer,
        "undo_form": undo_form,
        "undoable": services.undoable_change(volunteer),
    }
    refused = request.method == "POST" and bool(form.errors or undo_form.errors)
    return render(request, "volunteers/status.html", context, status=400 if refused else 200)


@access.requires(Perm.MANAGE_VOLUNTEERS)
@require_POST
def volunteer_status_undo(request: HttpRequest, pk: int) -> HttpResponse:
    """Takes back the last status change, recorded by mistake."""
    volunteer = selectors.volunteer_for_edit(user=request.user, pk=pk)
    form = UndoStatusForm(request.POST)
    if form.is_valid():
        try:
            result = services.volunteer_undo_status(
                actor=request.user,
                volunteer=volunteer,
                change_id=form.cleaned_data["change"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            show_service_errors(error, form)
        else:
            messages.success(
                request,
                _("The change is taken back: the status is %(status)s again.")
                % {"status": volunteer.get_status_display()},
            )
            _tell_seats_back(request, result)
            _tell_login_follows(request, result)
            return redirect("volunteers:detail", pk=volunteer.pk)
    return _render_status(request, volunteer, StatusForm(volunteer=volunteer), form)


@access.requires(Perm.MANAGE_VOLUNTEERS)
@require_POST
def volunteer_account(request: HttpRequest, pk: int) -> HttpResponse:
    """A login for the volunteer: a new one, or one made already (by grant_access, say) when
    its username is typed, linked once the coordinator has read what that does."""
    volunteer = selectors.volunteer_for_edit(user=request.user, pk=pk)
    if refused := services.login_refused(volunteer):  # a page left open since they left
        messages.error(request, refused)
        return redirect("volunteers:detail", pk=volunteer.pk)
    form = AccountForm(request.POST)
    if not form.is_valid():
        return _detail(request, volunteer, status=400, account_form=form)
    existing = selectors.login_named(form.cleaned_data["username"])
    if existing is not None and not form.cleaned_data["link"]:
        return _link_offer(request, volunteer, form, existing)
    try:
        user = services.volunteer_link_user(
            actor=request.user,
            volunteer=volunteer,
            user=existing,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
        )
    except ValidationError as error:
        show_service_errors(error, form)
        return _detail(request, volunteer, status=400, account_form=form)
    if existing is not None:
        done = _(
            "%(username)s is now this volunteer's login. They sign in with its password, as before."
        ) % {"username": existing.username}
    else:
        done = _(
            "The volunteer can now sign in at %(site)s as %(username)s. Give them the password "
            "in person: at their first sign-in they choose one of their own."
        ) % {"site": request.build_absolute_uri("/"), "username": user.username}
    messages.success(request, done)
    return redirect("volunteers:detail", pk=volunteer.pk)


def _link_offer(
    request: HttpRequest, volunteer: Volunteer, form: AccountForm, existing: Any
) -> HttpResponse:
    """The username typed is a login made already: what linking it would do, to confirm, or
    why it cannot be this volunteer's."""
    if refused := services.link_refused(request.user, volunteer, existing):
        form.add_error("username", refused)
        return _detail(request, volunteer, status=400, account_form=form)
    return _detail(request, volunteer, account_form=form, link_offer=existing)


@access.requires(Perm.MANAGE_VOLUNTEERS)
def volunteer_password(request: HttpRequest, pk: int) -> HttpResponse:
    """A new password for the volunteer's login, set by their coordinator: the sign-in page
    tells a volunteer who forgot theirs to ask their centre."""
    volunteer = selectors.volunteer_for_edit(user=request.user, pk=pk)
    refused = services.password_refused(volunteer)
    form = None if refused else PasswordSetForm(volunteer.user, request.POST or None)
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            user = services.volunteer_password_set(
                actor=request.user, volunteer=volunteer, password=form.cleaned_data["new_password1"]
            )
        except ValidationError as error:
            show_service_errors(error, form, aliases={"password": "new_password2"})
        else:
            messages.success(
                request,
                _(
                    "%(username)s has a new password. Give it to the volunteer in person; "
                    "wherever they were signed in, they are signed out, and at their next "
                    "sign-in they choose one of their own."
                )
                % {"username": user.username},
            )
            return redirect("volunteers:detail", pk=volunteer.pk)
    context = {"volunteer": volunteer, "form": form, "refused": refused}
    return render(
        request, "volunteers/password.html", context, status=_refused_status(request, form)
    )


@access.requires(Perm.MANAGE_VOLUNTEERS)
@require_GET
def village_choices(request: HttpRequest) -> HttpResponse:
    """The village check-boxes of the subdistrict chosen in the volunteer form (htmx)."""
    form = VolunteerForm(user=request.user, initial={"area": request.GET.get("area", "")})
    return render(request, "volunteers/_villages.html", {"form": form})


# --- centres ----------------------------------------------------------------------------------


@access.requires(Perm.VIEW_VOLUNTEERS)
@require_GET
def centre_list(request: HttpRequest) -> HttpResponse:
    can_manage = access.can(request.user, Perm.MANAGE_VOLUNTEERS)
    is_volunteer = selectors.volunteer_me(user=request.user) is not None
    centres = selectors.centre_list(user=request.user)
    return render(
        request,
        "volunteers/centre_list.html",
        {
            "centres": centres,
            "is_volunteer": is_volunteer,
            "missing": selectors.centre_missing_areas(user=request.user) if can_manage else None,
            # A volunteer and nothing more has them on their profile (centres_serving); a
            # coordinator who is a volunteer too comes here for them.
            "above": selectors.centres_above(user=request.user)
            if centres or not is_volunteer
            else [],
        },
    )


@access.requires(Perm.MANAGE_VOLUNTEERS)
@require_POST
def centre_create(request: HttpRequest) -> HttpResponse:
    form = CentreCreateForm(request.POST)
    if form.is_valid():
        try:
            centre = services.centre_ensure(actor=request.user, area_code=form.cleaned_data["area"])
        except (ValidationError, PermissionDenied):
            pass
        else:
            return redirect("reports:centre", pk=centre.pk)
    messages.error(
        request,
        _("A centre can be opened only for a province, district or subdistrict you manage."),
    )
    return redirect("volunteers:centre_list")


@access.requires(Perm.MANAGE_VOLUNTEERS)
def centre_phone(request: HttpRequest, pk: int) -> HttpResponse:
    """The centre's phone, for those who manage its area."""
    centre = selectors.centre_get(user=request.user, pk=pk, perm=Perm.MANAGE_VOLUNTEERS)
    form = CentrePhoneForm(request.POST or None, initial={"phone": centre.phone})
    if request.method == "POST" and form.is_valid():
        try:
            services.centre_set_phone(
                actor=request.user, centre=centre, phone=form.cleaned_data["phone"]
            )
        except ValidationError as error:
            show_service_errors(error, form)
        else:
            messages.success(request, _("The centre's phone is saved."))
            return redirect("reports:centre", pk=centre.pk)
    return render(
        request,
        "volunteers/centre_phone.html",
        {"centre": centre, "form": form},
        status=_refused_status(request, form),
    )


@access.requires(Perm.MANAGE_VOLUNTEERS)
def seat_add(request: HttpRequest, pk: int) -> HttpResponse:
    centre = selectors.centre_get(user=request.user, pk=pk, perm=Perm.MANAGE_VOLUNTEERS)
    search = request.GET.get("q", "").strip()[:100]
    form = SeatForm(request.POST or None, centre=centre)
    if request.method == "POST" and form.is_valid():
        try:
            services.committee_seat_add(
                actor=request.user,
                centre=centre,
                volunteer=form.cleaned_data["volunteer"],
                position=form.cleaned_data["position"],
                term_start=form.cleaned_data["term_start"],
                term_end=form.cleaned_data["term_end"],
            )
        except ValidationError as error:
            show_service_errors(error, form)
        else:
            messages.success(request, _("The committee seat is added."))
            return redirect("reports:centre", pk=centre.pk)
    candidates = list(
        selectors.seat_candidates(centre=centre, search=search)[:SEAT_CANDIDATES_SHOWN]
    )
    chosen = form.cleaned_data.get("volunteer") if hasattr(form, "cleaned_data") else None
    if chosen is not None and chosen not in candidates:
        candidates.insert(0, chosen)
    return render(
        request,
        "volunteers/seat_add.html",
        {
            "centre": centre,
            "form": form,
            "search": search,
            "candidates": candidates,
            "chosen": chosen.pk if chosen else None,
        },
        status=_refused_status(request, form),
    )


@access.requires(Perm.MANAGE_VOLUNTEERS)
def seat_end(request: HttpRequest, pk: int) -> HttpResponse:
    seat = selectors.seat_get(user=request.user, pk=pk)
    form = SeatEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            kept = services.committee_seat_end(
                actor=request.user, seat=seat, term_end=form.cleaned_data["term_end"]
            )
        except ValidationError as error:
            show_service_errors(error, form)
        else:
            if kept is None:
                messages.success(request, _("The term had not started: the seat is cancelled."))
            elif kept.term_end is not None and kept.term_end > timezone.localdate():
                messages.success(
                    request,
                    _("The term will end on %(day)s: the seat is held until then.")
                    % {"day": thaidate.format_short(kept.term_end)},
                )
            else:
                messages.success(request, _("The term is ended."))
            return redirect("reports:centre", pk=seat.centre_id)
    return render(
        request,
        "volunteers/seat_end.html",
        {"seat": seat, "form": form},
        status=_refused_status(request, form),
    )
