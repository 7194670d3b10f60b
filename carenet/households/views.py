"""Household and people pages: parse the form, call one service or selector, render.

Every view declares its access. Records are fetched through the selectors with the
permission the page needs (viewing or managing), so a record outside that scope is the same
404 as a missing one. A service that refuses gives its reasons beside the fields; a stale
edit shows the saved record with the user's own changes put back, and says what changed.
"""

import json
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from carenet.accounts import access, disclosure
from carenet.accounts.access import Perm
from carenet.accounts.models import Role
from carenet.areas.models import Level
from carenet.core import citizen_id, id_search, thaidate
from carenet.core.forms import show_service_errors
from carenet.core.people import age_on, full_name
from carenet.core.text import THAI_DIGITS
from carenet.households import checks, cleaning, rescue, selectors, services, vulnerability
from carenet.households.forms import (
    SEARCH_LENGTH,
    AssignForm,
    BackHomeForm,
    ConsentAddForm,
    ConsentForm,
    DuplicateConfirmForm,
    EvacuationForm,
    HandOverForm,
    HouseholdFilterForm,
    HouseholdForm,
    HouseholdStatusForm,
    MergeForm,
    PersonEditForm,
    PersonForm,
    PersonMoveForm,
    PersonStatusForm,
    WithdrawForm,
)
from carenet.households.models import (
    Household,
    HouseholdStatus,
    Person,
    PersonStatus,
    Relation,
    restricted_q,
    volunteer_serves,
)
from carenet.households.services import ConflictError

MANAGE = Perm.MANAGE_HOUSEHOLDS


# --- Households ----------------------------------------------------------------------------


@id_search.hides_citizen_ids
@access.requires(Perm.VIEW_HOUSEHOLDS)
def household_list(request: HttpRequest) -> HttpResponse:
    form = HouseholdFilterForm(
        id_search.search_params(request),
        area_choices=selectors.filter_area_choices(user=request.user),
    )
    filters = form.filters(user=request.user)
    page = selectors.household_list(
        user=request.user, filters=filters, page=request.GET.get("page") or 1
    )
    sounding = False  # nothing spelt so: the names that sound like it
    if not page.paginator.count and filters.search:
        alike = selectors.household_list_sounding_like(
            user=request.user, filters=filters, page=request.GET.get("page") or 1
        )
        if alike is not None and alike.paginator.count:
            page, sounding = alike, True
    # An export holds every person of the households the filters choose, but for the search
    # (a name typed to find one household) and the status (an export is of those looked after).
    chosen = {
        "area": filters.area,
        "group": filters.group,
        "level": filters.level,
        "unserved": "on" if filters.unserved else "",
    }
    export_query = (
        urlencode({k: v for k, v in chosen.items() if v})
        if access.can(request.user, Perm.EXPORT_DATA)
        else None
    )
    return render(
        request,
        "households/list.html",
        {
            "form": form,
            "page": page,
            "sounding": sounding,
            "can_register": access.can(request.user, MANAGE),
            "export_query": export_query,
            "filters_chosen": _filters_chosen(request.GET),
            "own_households_only": access.main_role(request.user) == Role.VOLUNTEER,
        },
    )


def _filters_chosen(params: Any) -> int:
    """How many of the filters beside the search box are set, the status counting only when
    it is not the list's own (every search sends status=active). None set: they fold away,
    so that on a phone the results come first."""
    chosen = sum(
        1 for name in ("area", "group", "level", "unserved", "evacuated") if params.get(name)
    )
    return chosen + ("status" in params and params["status"] != HouseholdStatus.ACTIVE)


@access.requires(Perm.VIEW_HOUSEHOLDS)
def priority_list(request: HttpRequest) -> HttpResponse:
    """The printable priority list of an area for a rescue or relief team (see rescue.py)."""
    form, filters = rescue.rescue_filters(
        user=request.user,
        data=request.GET,
        area_choices=selectors.filter_area_choices(user=request.user),
    )
    result = rescue.rescue_list(user=request.user, filters=filters, today=selectors.today())
    rescue.rescue_list_log(actor=request.user, filters=filters, result=result)
    code = filters.households.area
    return render(
        request,
        "households/priority_list.html",
        {
            "form": form,
            "result": result,
            "area": selectors.area_in_scope(user=request.user, code=code) if code else None,
            "groups": vulnerability.group_labels(filters.groups),
            "filters_groups": filters.groups,
            "filters": filters.households,
            "cap": rescue.RESCUE_CAP,
        },
    )


@access.requires(Perm.VIEW_HOUSEHOLDS)
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = selectors.household_get(user=request.user, pk=pk)
    services.household_log_view(actor=request.user, household=household)
    return _render_detail(request, household)


def _render_detail(request: HttpRequest, household: Household, **forms: Any) -> HttpResponse:
    user = request.user
    can_manage = selectors.can_manage_household(user, household)
    can_assign = can_manage and selectors.manages_widely(user, household.area_id)
    if can_manage and "status_form" not in forms:
        forms["status_form"] = HouseholdStatusForm(
            initial={"version": household.version}, current=household.status
        )
    if can_manage and household.status == HouseholdStatus.ACTIVE:
        forms.setdefault("evacuation_form", EvacuationForm(initial={"since": timezone.localdate()}))
        forms.setdefault("back_home_form", BackHomeForm(initial={"ended_on": timezone.localdate()}))
    if can_assign and "assign_form" not in forms:
        forms["assign_form"] = AssignForm(
            queryset=selectors.volunteers_to_assign(household=household)
        )
    return render(
        request,
        "households/detail.html",
        {
            "d": selectors.household_detail(household=household),
            "household": household,
            "history_url": access.history_url(user, household, household.area_id),
            "can_manage": can_manage,
            "can_assign": can_assign,
            "can_record_visit": access.can(user, Perm.RECORD_VISITS, household.area_id),
            "all_withdrew": selectors.household_withdrawn(household),
            "emptied": selectors.household_emptied(household) if can_manage else None,
            **forms,
        },
        status=400 if any(f.errors for f in forms.values()) else 200,
    )


@access.requires(MANAGE)
def household_create(request: HttpRequest) -> HttpResponse:
    post = request.POST if request.method == "POST" else None
    household_form = HouseholdForm(
        post,
        prefix="h",
        user=request.user,
        perm=MANAGE,
        area_choices=selectors.register_area_choices(user=request.user),
        # The address typed before the page went to move a person who turned out to be
        # registered already comes back with them (_typed_address_query).
        initial={"area": request.GET.get("area", ""), **_address_from_query(request)},
    )
    mover_no = _record_no(request.GET.get("move", ""))
    if mover_no:  # someone registered who moved house: they come as the head, no new record
        mover = selectors.person_get(user=request.user, pk=mover_no, perm=MANAGE)
        return _register_for_mover(request, household_form, mover)
    person_form = PersonForm(post, prefix="p", initial={"relation": "head"})
    consent_form = ConsentForm(post, prefix="c")
    confirm = DuplicateConfirmForm(post)
    context: dict[str, Any] = {
        "household_form": household_form,
        "person_form": person_form,
        "consent_form": consent_form,
        "page_forms": [household_form, person_form, consent_form],
        "address_query": _typed_address_query(post) if post is not None else "",
    }
    page_forms = [household_form, person_form, consent_form, confirm]
    if post is not None and not all([f.is_valid() for f in page_forms]):
        _more_reasons(person_form, household_form)
    elif post is not None:
        area = household_form.cleaned_data["area"]
        data = person_form.to_data()
        found = context["duplicates"] = _duplicates(
            request, data, area.code, household_form.cleaned_data["house_no"]
        )
        address = household_form.address()
        if not confirm.cleaned_data["confirm_address"]:
            context["at_address"] = selectors.at_address(
                user=request.user, area=area, house_no=address["house_no"], moo=address["moo"]
            )
        context["to_confirm"] = _to_confirm(person_form, others=0)
        # Said on the page first: a household at the address, an ID that cannot be checked,
        # a record that looks unlikely.
        held_back = context.get("at_address") or found.unchecked_id or context["to_confirm"]
        if not held_back and (not found or confirm.cleaned_data["confirm_distinct"]):
            try:
                household = services.household_register(
                    actor=request.user,
                    area=area,
                    **address,
                    first_member=data,
                    consent=consent_form.to_data(),
                )
            except ValidationError as error:
                show_service_errors(error, household_form, person_form, consent_form)
            else:
                messages.success(request, _("The household is registered."))
                _warn_if_gps_far(request, household)
                return redirect("households:detail", pk=household.pk)
    return _render_form(request, "households/household_create.html", context)


def _register_for_mover(
    request: HttpRequest, household_form: HouseholdForm, mover: Person
) -> HttpResponse:
    if request.method == "POST" and household_form.is_valid():
        version = _record_no(request.POST.get("mover_version", ""))
        try:
            household = services.household_register(
                actor=request.user,
                area=household_form.cleaned_data["area"],
                **household_form.address(),
                mover=mover,
                mover_version=int(version) if version.isdigit() else mover.version,
            )
        except ConflictError:  # sent twice: the first one registered the household
            messages.info(
                request,
                _("%(name)s was moved meanwhile: see where they live now.")
                % {"name": mover.full_name},
            )
            return redirect("households:person", pk=mover.pk)
        except ValidationError as error:
            _form_error(household_form, error)
        else:
            messages.success(
                request,
                _("The household is registered; %(name)s now lives in it.")
                % {"name": mover.full_name},
            )
            return redirect("households:detail", pk=household.pk)
    context = {"household_form": household_form, "mover": mover}
    return _render_form(request, "households/household_create.html", context)


ADDRESS_QUERY_LIMIT = 200  # characters per field carried in an address


def _typed_address_query(data: Any) -> str:
    """The household address typed on the registration page (h-* fields), as a query
    string the move page hands on, so that it is not typed twice."""
    return urlencode(
        {
            key: value[:ADDRESS_QUERY_LIMIT]
            for key, value in data.items()
            if key.startswith("h-") and key != "h-version" and value.strip()
        }
    )


def _address_from_query(request: HttpRequest) -> dict[str, str]:
    return {
        key[2:]: str(value)[:ADDRESS_QUERY_LIMIT]
        for key, value in request.GET.items()
        if key.startswith("h-") and key != "h-version"
    }


@access.requires(MANAGE)
def household_edit(request: HttpRequest, pk: int) -> HttpResponse:
    household = selectors.household_get(user=request.user, pk=pk, perm=MANAGE)

    def address_form(
        data: Any, record: Household, mine: dict[str, Any] | None = None
    ) -> HouseholdForm:
        return HouseholdForm(
            data,
            user=request.user,
            perm=MANAGE,
            area_choices=selectors.subdistrict_area_choices(household=record),
            initial={
                "area": record.area_id,
                "version": record.version,
                "opened": opened_values(record, [*cleaning.ADDRESS_FIELDS, "status"]),
                **{name: getattr(record, name) for name in cleaning.ADDRESS_FIELDS},
                # A listed village says its หมู่ itself: the box is for unlisted villages.
                "moo": None if record.area.level == Level.VILLAGE else record.moo,
                **(mine or {}),
            },
        )

    form, conflict = (
        address_form(request.POST if request.method == "POST" else None, household),
        False,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.household_update(
                actor=request.user,
                household=household,
                version=form.cleaned_data["version"] or 0,
                area=form.cleaned_data["area"],
                **form.address(),
            )
        except ConflictError:
            fresh = Household.objects.get(pk=household.pk)
            mine = _conflict(request, form, fresh, _typed_address(form))
            household = fresh  # the service changed the old copy before it found out
            form, conflict = address_form(None, fresh, mine), True
        except ValidationError as error:
            show_service_errors(error, form)
        else:
            messages.success(request, _("The household is saved."))
            _warn_if_gps_far(request, household)
            _warn_if_volunteers_elsewhere(request, household)
            return redirect("households:detail", pk=household.pk)
    return _render_form(
        request,
        "households/household_edit.html",
        {"form": form, "household": household},
        conflict=conflict,
    )


@access.requires(MANAGE)
@require_POST
def household_status(request: HttpRequest, pk: int) -> HttpResponse:
    household = selectors.household_get(user=request.user, pk=pk, perm=MANAGE)
    form = HouseholdStatusForm(request.POST)
    if form.is_valid():
        try:
            services.household_set_status(
                actor=request.user,
                household=household,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
            )
        except (ValidationError, ConflictError) as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The status is changed."))
            return redirect("households:detail", pk=household.pk)
    return _render_detail(request, household, status_form=form)


@access.requires(MANAGE)
@require_POST
def household_evacuate(request: HttpRequest, pk: int) -> HttpResponse:
    household = selectors.household_get(user=request.user, pk=pk, perm=MANAGE)
    form = EvacuationForm(request.POST)
    if form.is_valid():
        try:
            services.evacuation_start(actor=request.user, household=household, **form.cleaned_data)
        except ValidationError as error:
            if selectors.evacuated_now(household):
                # Recorded by someone else meanwhile: the form is gone from the page, so the
                # reason (who recorded which shelter) is said above it.
                messages.error(request, " ".join(error.messages))
                return redirect("households:detail", pk=household.pk)
            _form_error(form, error)
        else:
            messages.success(request, _("The evacuation is recorded."))
            return redirect("households:detail", pk=household.pk)
    return _render_detail(request, household, evacuation_form=form)


@access.requires(MANAGE)
@require_POST
def household_back_home(request: HttpRequest, pk: int) -> HttpResponse:
    household = selectors.household_get(user=request.user, pk=pk, perm=MANAGE)
    form = BackHomeForm(request.POST)
    if form.is_valid():
        try:
            services.evacuation_end(
                actor=request.user, household=household, ended_on=form.cleaned_data["ended_on"]
            )
        except ValidationError as error:
            if not selectors.evacuated_now(household):  # recorded back home meanwhile
                messages.error(request, " ".join(error.messages))
                return redirect("households:detail", pk=household.pk)
            _form_error(form, error)
        else:
            messages.success(request, _("The household is recorded as back home."))
            return redirect("households:detail", pk=household.pk)
    return _render_detail(request, household, back_home_form=form)


@access.requires(MANAGE)
@require_POST
def household_assign(request: HttpRequest, pk: int) -> HttpResponse:
    household = selectors.household_get(user=request.user, pk=pk, perm=MANAGE)
    removing = request.POST.get("action") == "remove"
    queryset = (
        household.volunteers.all()
        if removing
        else selectors.volunteers_to_assign(household=household)
    )
    form = AssignForm(request.POST, queryset=queryset)
    if form.is_valid():
        service = (
            services.household_unassign_volunteer
            if removing
            else services.household_assign_volunteer
        )
        try:
            service(
                actor=request.user, household=household, volunteer=form.cleaned_data["volunteer"]
            )
        except ValidationError as error:
            show_service_errors(error, form)
        else:
            messages.success(request, _("The volunteers are updated."))
            return redirect("households:detail", pk=household.pk)
    return _render_detail(request, household, assign_form=form)


def _warn_if_gps_far(request: HttpRequest, household: Household) -> None:
    km = selectors.gps_far_from_neighbours(household=household)
    if km is not None:
        messages.warning(
            request,
            _(
                "The GPS point is %(km)s km from the other households of %(area)s: check it. "
                "A point taken at the office, or a mistyped digit, puts a house far away."
            )
            % {"km": km, "area": selectors.subdistrict_of(household.area).label},
        )


def _warn_if_volunteers_elsewhere(request: HttpRequest, household: Household) -> None:
    """A household moved to another village keeps its volunteers: said when one of them covers
    villages and not this one, so that the centre can hand it over (or widen their cover)."""
    elsewhere = selectors.volunteers_not_covering(household=household)
    if elsewhere:
        messages.warning(
            request,
            _(
                "%(names)s does not cover %(village)s, where the household now is. Hand the "
                "household over to a volunteer of that village, or add it to their villages."
            )
            % {"names": ", ".join(v.full_name for v in elsewhere), "village": household.area.label},
        )


@access.requires(MANAGE)
def hand_over(request: HttpRequest, volunteer_pk: int) -> HttpResponse:
    """The coordination centre hands some or all of a volunteer's households to another
    volunteer of the subdistrict: when one leaves, moves, or looks after too many."""
    found = selectors.hand_over_get(user=request.user, pk=volunteer_pk)
    giver, households = found.giver, found.households
    # All of them go when the volunteer stopped serving them; otherwise the coordinator picks
    # which (a volunteer who looks after too many).
    ticked_first = [h.pk for h in households if not volunteer_serves(giver, h.area_id)]
    # A coordinator of the subdistrict a volunteer moved away from hands over what is left.
    can_see_giver = access.can(request.user, Perm.VIEW_VOLUNTEERS, giver.area_id)
    form = HandOverForm(
        request.POST if request.method == "POST" else None,
        takers=selectors.hand_over_takers(volunteer=giver, households=households),
        households=Household.objects.filter(pk__in=[h.pk for h in households]),
        initial={"households": ticked_first},
    )
    if request.method == "POST" and form.is_valid():
        taker = form.cleaned_data["taker"]
        try:
            moved = services.households_hand_over(
                actor=request.user,
                giver=giver,
                taker=taker,
                households=list(form.cleaned_data["households"]),
            )
        except ValidationError as error:
            show_service_errors(error, form, aliases={"volunteer": "taker"})
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d household is now looked after by %(name)s.",
                    "%(count)d households are now looked after by %(name)s.",
                    moved,
                )
                % {"count": moved, "name": taker.full_name},
            )
            if can_see_giver:
                return redirect("volunteers:detail", pk=giver.pk)
            return redirect("households:list")
    ticked = {str(pk) for pk in form["households"].value() or []}
    return _render_form(
        request,
        "households/hand_over.html",
        {
            "giver": giver,
            "can_see_giver": can_see_giver,
            "form": form,
            "rows": [(h, str(h.pk) in ticked) for h in households],
        },
    )


# --- People --------------------------------------------------------------------------------


@access.requires(MANAGE)
def person_add(request: HttpRequest, pk: int) -> HttpResponse:
    household = selectors.household_get(user=request.user, pk=pk, perm=MANAGE)
    if household.status != HouseholdStatus.ACTIVE:  # said before the form is filled in
        messages.warning(
            request, _("This household is not active; reopen it before adding members.")
        )
        return redirect("households:detail", pk=household.pk)
    post = request.POST if request.method == "POST" else None
    person_form = PersonForm(post, prefix="p")
    consent_form = ConsentForm(post, prefix="c")
    confirm = DuplicateConfirmForm(post)
    context: dict[str, Any] = {
        "household": household,
        "person_form": person_form,
        "consent_form": consent_form,
        "page_forms": [person_form, consent_form],
    }
    if post is not None and not all([f.is_valid() for f in (person_form, consent_form, confirm)]):
        _more_reasons(person_form)
    elif post is not None:
        data = person_form.to_data()
        found = context["duplicates"] = _duplicates(
            request, data, household.area_id, household.house_no
        )
        to_confirm = context["to_confirm"] = _to_confirm(
            person_form, others=household.member_count, head=household.head
        )
        if found.unchecked_id or (found and not confirm.cleaned_data["confirm_distinct"]):
            _more_reasons(person_form)  # fixed before they confirm, not after
        elif not to_confirm:
            former_head = household.head
            try:
                person = services.person_add(
                    actor=request.user,
                    household=household,
                    data=data,
                    consent=consent_form.to_data(),
                )
            except ValidationError as error:
                show_service_errors(error, person_form, consent_form)
            else:
                messages.success(request, _("%(name)s is added.") % {"name": person.full_name})
                _tell_head_change(request, former_head, household)
                return redirect("households:detail", pk=household.pk)
    return _render_form(request, "households/person_add.html", context)


def _to_confirm(
    person_form: PersonForm,
    *,
    others: int,
    has_stored_id: bool = False,
    head: Person | None = None,
) -> list[str]:
    """What the household page would list as worth checking in this record once saved (an
    adult's title on a child, living alone among `others` members ...), and a `head` the
    record would replace: asked before saving, unless the user confirmed it. Not refused:
    old records and lists carry such values."""
    if person_form.cleaned_data.get("confirm_checks"):
        return []
    try:
        data = cleaning.person_clean(person_form.to_data(), has_stored_id=has_stored_id)
    except ValidationError:
        return []  # the service gives the reasons
    age = age_on(data.birth_date, timezone.localdate())
    name = full_name(data.title, data.first_name, data.last_name)
    notes = checks.member_notes(data, age, others=others, name=name)
    if data.relation == Relation.HEAD and head is not None:
        notes.append(_head_replaced(name, head))
    return notes


def _head_replaced(name: str, head: Person) -> str:
    return _(
        "%(head)s is the head of this household now. Saved as the head, %(name)s takes their "
        "place, and %(head)s stays a member whose relation to the new head you then fill in."
    ) % {"head": head.full_name, "name": name}


def _more_reasons(person_form: PersonForm, household_form: HouseholdForm | None = None) -> None:
    """What the services would say of the parts of a page that passed their form's checks,
    shown with the reasons of those that did not: every reason in one answer."""
    if household_form is not None and household_form.is_valid():
        area = household_form.cleaned_data["area"]
        try:
            cleaning.household_clean_address(area=area, **household_form.address())
        except ValidationError as error:
            show_service_errors(error, household_form)
    if person_form.is_valid():
        try:
            cleaning.person_clean(person_form.to_data())
        except ValidationError as error:
            show_service_errors(error, person_form)


def _duplicates(
    request: HttpRequest, data: cleaning.PersonData, area_code: str, house_no: str
) -> selectors.DuplicateCheck:
    found = selectors.person_find_duplicates(
        user=request.user,
        first_name=data.first_name,
        last_name=data.last_name,
        birth_date=data.birth_date,
        citizen_id_digits=data.citizen_id or "",
        area_code=area_code,
        house_no=house_no,
        document_no=data.document_no,
    )
    # Someone registered elsewhere who moved house is moved, not registered again.
    same_id = [c.person.pk for c in found.candidates if c.same_id]
    if same_id:
        # Not those who withdrew consent: their record is kept, but not moved.
        manageable = selectors.people_visible(request.user, MANAGE).filter(pk__in=same_id)
        found.movable = set(manageable.exclude(restricted_q()).values_list("pk", flat=True))
        found.restricted = set(manageable.filter(restricted_q()).values_list("pk", flat=True))
    return found


@access.requires(Perm.VIEW_HOUSEHOLDS)
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(user=request.user, pk=pk)
    services.person_log_view(actor=request.user, person=person)
    return _render_person(request, person)


def _render_person(request: HttpRequest, person: Person, **extra: Any) -> HttpResponse:
    user = request.user
    can_manage = selectors.can_manage_household(user, person.household)
    can_merge = access.can(user, Perm.MERGE_PEOPLE, person.area_id)
    if can_manage and "status_form" not in extra:
        extra["status_form"] = PersonStatusForm(
            initial={"version": person.version}, current=person.status
        )
    errors = "status_form" in extra and extra["status_form"].errors
    return render(
        request,
        "households/person_detail.html",
        {
            "person": person,
            "history_url": access.history_url(user, person, person.area_id),
            "row": selectors.member_row(person, selectors.today()),
            "masked_document_no": selectors.masked_document_no(person),
            "history": selectors.person_history(person=person),
            "restricted": services.person_is_restricted(person),
            "can_manage": can_manage and person.status != "merged",
            "emptied": selectors.household_emptied(person.household, last=person)
            if can_manage
            else None,
            "can_decide": access.can(user, Perm.DECIDE_CASES, person.area_id),
            "can_merge": can_merge,
            "duplicates": selectors.person_duplicates_of(user=user, person=person)
            if can_merge and person.status != "merged"
            else None,
            **extra,
        },
        status=400 if errors else 200,
    )


@access.requires(MANAGE)
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(user=request.user, pk=pk, perm=MANAGE)
    restricted = person.status == "merged"
    correcting = services.person_is_restricted(person)

    def person_form(
        data: Any, record: Person, mine: dict[str, Any] | None = None
    ) -> PersonEditForm:
        names = [*cleaning.PERSON_FIELDS, "disability"]
        initial = {name: getattr(record, name) for name in names}
        opened = opened_values(record, [*names, "status"])
        initial.update(version=record.version, opened=opened, **(mine or {}))
        form = PersonEditForm(data, editing=record, initial=initial)
        if correcting:  # consent withdrawn: the rest shows as it is, locked (services.IDENTIFYING)
            for name in set(names) - services.IDENTIFYING:
                form.fields[name].disabled = True
        return form

    form, conflict = person_form(request.POST if request.method == "POST" else None, person), False
    checked = request.method == "POST" and form.is_valid() and _id_checkable(request, form, person)
    others = person.household.member_count - (person.status == PersonStatus.ACTIVE)
    stored_id = bool(person.citizen_id_hash)
    head = person.household.head if person.household.head_id != person.pk else None
    to_confirm = (
        _to_confirm(form, others=others, has_stored_id=stored_id, head=head) if checked else []
    )
    if checked and not to_confirm:
        former_head = person.household.head
        try:
            services.person_update(
                actor=request.user,
                person=person,
                version=form.cleaned_data["version"],
                data=form.to_data(),
            )
        except ConflictError:
            fresh = Person.objects.get(pk=person.pk)
            mine = _conflict(request, form, fresh, _typed_person(form, person))
            person = fresh  # the service changed the old copy before it found out
            form, conflict = person_form(None, fresh, mine), True
        except ValidationError as error:
            show_service_errors(error, form)
        else:
            messages.success(request, _("The record is saved."))
            _tell_head_change(request, former_head, person.household)
            return redirect("households:person", pk=person.pk)
    return _render_form(
        request,
        "households/person_edit.html",
        {
            "form": form,
            "person": person,
            "restricted": restricted,
            "correcting": correcting,
            "to_confirm": to_confirm,
        },
        conflict=conflict,
    )


def _id_checkable(request: HttpRequest, form: PersonEditForm, person: Person) -> bool:
    """A citizen ID typed on an edit is checked against the register, as on registration:
    what that tells of a person outside the user's areas is counted and logged, and past the
    day's answers it is refused (accounts.disclosure)."""
    typed = form.to_data().citizen_id or ""
    if not citizen_id.is_valid(typed) or citizen_id.normalize(typed) == person.read_citizen_id():
        return True
    if not disclosure.elsewhere_allowed(request.user):
        form.add_error("citizen_id", disclosure.used_up_reason())
        return False
    digits = citizen_id.normalize(typed)
    holder = selectors.citizen_id_elsewhere(user=request.user, digits=digits, exclude_pk=person.pk)
    if holder is not None:
        disclosure.elsewhere_told(
            request.user, by="citizen_id", area_code=person.area_id, record=holder
        )
    return True


@access.requires(MANAGE)
@require_POST
def person_status(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(user=request.user, pk=pk, perm=MANAGE)
    form = PersonStatusForm(request.POST)
    if form.is_valid():
        try:
            services.person_set_status(
                actor=request.user,
                person=person,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
                on=form.cleaned_data["happened_on"],
            )
        except (ValidationError, ConflictError) as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The status is changed."))
            return redirect("households:person", pk=person.pk)
    form.offer(person.status)  # shown again: only the statuses that may follow this one
    return _render_person(request, person, status_form=form)


@id_search.hides_citizen_ids  # a member's citizen ID finds their household
@access.requires(MANAGE)
def person_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Someone who moved house: find the household they live in now (?q=), or open a new
    one for them, then confirm (?to=) with their relation to its head."""
    person = selectors.person_get(user=request.user, pk=pk, perm=MANAGE)
    if person.status in (PersonStatus.MERGED, PersonStatus.DECEASED):
        messages.error(
            request,
            _("A person who is %(now)s does not move.") % {"now": person.get_status_display()},
        )
        return redirect("households:person", pk=person.pk)
    chosen = _record_no(request.POST.get("to") or request.GET.get("to", ""))
    target = selectors.household_get(user=request.user, pk=chosen, perm=MANAGE) if chosen else None
    post = request.POST if request.method == "POST" else None
    form = PersonMoveForm(post, initial={"version": person.version})
    to_confirm = _move_notes(form, person, target) if post is not None else []
    if post is not None and target is not None and form.is_valid() and not to_confirm:
        former_head = target.head
        try:
            services.person_move(
                actor=request.user,
                person=person,
                household=target,
                relation=form.cleaned_data["relation"],
                version=form.cleaned_data["version"],
            )
        except ConflictError as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            show_service_errors(error, form)
        else:
            messages.success(
                request, _("%(name)s now lives in this household.") % {"name": person.full_name}
            )
            _tell_head_change(request, former_head, target)
            return redirect("households:detail", pk=target.pk)
    search = id_search.search_params(request).get("q", "")[:SEARCH_LENGTH]
    found = selectors.move_targets(user=request.user, person=person, search=search)
    context = {
        "person": person,
        "form": form,
        "target": target,
        "search": search,
        "found": found,
        "address_query": _typed_address_query(request.GET),
        "to_confirm": to_confirm,
    }
    return _render_form(request, "households/person_move.html", context)


def _move_notes(form: PersonMoveForm, person: Person, target: Household | None) -> list[str]:
    """Moving in as the head is asked first, as adding is: the head it replaces, and an age
    unlikely for a head (a child of 9)."""
    if target is None or not form.is_valid() or form.cleaned_data["confirm_checks"]:
        return []
    if form.cleaned_data["relation"] != Relation.HEAD:
        return []
    notes = []
    head = target.head
    if head is not None and head.pk != person.pk:
        notes.append(_head_replaced(person.full_name, head))
    age = age_on(person.birth_date, timezone.localdate())
    if age is not None and age < checks.HEAD_FROM:
        notes.append(
            _("%(name)s is %(age)d and recorded as the head of household: check who heads it.")
            % {"name": person.full_name, "age": age}
        )
    return notes


@access.requires(MANAGE)
@require_POST
def person_citizen_id(request: HttpRequest, pk: int) -> HttpResponse:
    """Shows the full citizen ID (or other document no.) once, on an explicit request; the
    read is logged (services.person_reveal_citizen_id says who may)."""
    person = selectors.person_get(user=request.user, pk=pk, perm=MANAGE)
    revealed = services.person_reveal_citizen_id(actor=request.user, person=person)
    response = _render_person(request, person, revealed_id=revealed)
    response["Cache-Control"] = "no-store"
    return response


# --- Consent -------------------------------------------------------------------------------


@access.requires(MANAGE)
def consent_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(user=request.user, pk=pk, perm=MANAGE)
    withdrawal = services.last_withdrawal(person) if services.person_is_restricted(person) else None
    may_override = services.may_override_withdrawal(request.user, person)
    form = ConsentAddForm(
        request.POST if request.method == "POST" else None,
        after_withdrawal=withdrawal is not None,
        may_override=may_override,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_record(
                actor=request.user,
                person=person,
                data=form.to_data(),
                justification=form.cleaned_data.get("justification", ""),
                note=form.cleaned_data.get("note", ""),
            )
        except ValidationError as error:
            show_service_errors(error, form)
        else:
            messages.success(request, _("The consent is recorded."))
            return redirect("households:person", pk=person.pk)
    context = {"form": form, "person": person, "withdrawal": withdrawal}
    context["may_override"] = may_override
    return _render_form(request, "households/consent_add.html", context)


@access.requires(MANAGE)
def consent_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    consent = selectors.consent_get(user=request.user, pk=pk)
    form = WithdrawForm(
        request.POST if request.method == "POST" else None, objection=not consent.is_consent
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_withdraw(
                actor=request.user,
                consent=consent,
                withdrawn_on=form.cleaned_data["withdrawn_on"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            show_service_errors(error, form)
        else:
            if consent.is_consent:
                messages.success(request, _("The withdrawal is recorded."))
            else:
                messages.success(request, _("The objection is recorded."))
            return redirect("households:person", pk=consent.person_id)
    return _render_form(
        request,
        "households/consent_withdraw.html",
        {"form": form, "consent": consent, "person": consent.person},
    )


# --- Merge ---------------------------------------------------------------------------------


@access.requires(Perm.MERGE_PEOPLE)
def merge(request: HttpRequest) -> HttpResponse:
    """Two records of the same person (?a=&b=): pick the one that stays, confirm, merge."""
    first, second = (_record_no(request.GET.get(key, "")) for key in ("a", "b"))
    if not (first and second) or first == second:
        error = _("Choose two different records.") if first and first == second else ""
        context = {"a": first, "b": second, "error": error}
        return render(request, "households/merge_pick.html", context)
    try:
        pair = selectors.merge_pair(user=request.user, survivor_pk=first, duplicate_pk=second)
    except Http404:  # the same answer for a missing record and another area's
        error = _("Record no. %(a)s or %(b)s is not one you can merge: check the numbers.")
        a, b = first[:20], second[:20]
        context = {"a": a, "b": b, "error": error % {"a": a, "b": b}}
        return render(request, "households/merge_pick.html", context, status=404)
    form = MergeForm(request.POST if request.method == "POST" else None, pair=pair)
    if request.method == "POST" and form.is_valid():
        survivor = pair[0] if form.cleaned_data["survivor"] == pair[0].pk else pair[1]
        duplicate = pair[1] if survivor is pair[0] else pair[0]
        versions = dict(zip((pair[0].pk, pair[1].pk), _versions(form), strict=True))
        # The pair comes with its households (selectors.person_get): no query to know this.
        left_open = (
            duplicate.household_id != survivor.household_id
            and duplicate.household.status == HouseholdStatus.ACTIVE
        )
        try:
            services.person_merge(
                actor=request.user,
                survivor=survivor,
                duplicate=duplicate,
                survivor_version=versions[survivor.pk],
                duplicate_version=versions[duplicate.pk],
                take=form.taken_from(duplicate),
            )
        except (ValidationError, ConflictError) as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The two records are merged."))
            closed = Household.objects.filter(
                pk=duplicate.household_id, status=HouseholdStatus.CLOSED
            )
            if left_open and closed.exists():
                messages.info(request, _("The household left without members is now closed."))
            elif left_open and duplicate.household.head_id == duplicate.pk:
                messages.warning(
                    request,
                    _(
                        "The other record was the head of household no. %(no)s, which has no "
                        "head now: open it and choose one, and check its members' relations."
                    )
                    % {"no": duplicate.household_id},
                )
            return redirect("households:person", pk=survivor.pk)
    rows = [selectors.member_row(p, selectors.today()) for p in pair]
    return _render_form(
        request,
        "households/merge.html",
        {"form": form, "rows": rows, "refusal": services.merge_refused(*pair)},
    )


def _versions(form: MergeForm) -> tuple[int | None, int | None]:
    try:
        a, b = (int(v) for v in form.cleaned_data["versions"].split("-"))
    except ValueError:
        return None, None
    return a, b


# --- Helpers -------------------------------------------------------------------------------


def _record_no(text: str) -> str:
    """A record number as typed ("03", "๓"): its digits without leading zeros, else as typed."""
    digits = text.strip().translate(THAI_DIGITS)
    if digits.isascii() and digits.isdigit():
        return digits.lstrip("0") or "0"  # not int(): 5,000 digits are past its limit
    return text.strip()


def _render_form(
    request: HttpRequest, template: str, context: dict[str, Any], *, conflict: bool = False
) -> HttpResponse:
    """A form page; 400 when it comes back with errors, 409 when someone else saved the
    record meanwhile (`_conflict`), so that tests and tools can tell."""
    forms = [v for v in context.values() if hasattr(v, "errors") and hasattr(v, "is_bound")]
    failed = request.method == "POST" and any(f.is_bound and f.errors for f in forms)
    context.setdefault("page_forms", forms)
    context["has_errors"] = failed
    context["has_field_errors"] = failed and any(
        name != "__all__" for f in forms for name in f.errors
    )
    return render(request, template, context, status=409 if conflict else 400 if failed else 200)


def _form_error(form: Any, error: Exception) -> None:
    if isinstance(error, ValidationError):
        show_service_errors(error, form)
    else:
        form.add_error(None, str(error))


def opened_values(record: Any, names: list[str]) -> str:
    """The record's values as an edit form opens, carried by the form (its `opened` field):
    should someone else save first, they tell the user's own changes from the rest."""
    return json.dumps({name: getattr(record, name) for name in names}, cls=DjangoJSONEncoder)


def _as_json(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _conflict(request: HttpRequest, form: Any, fresh: Any, typed: dict[str, Any]) -> dict[str, Any]:
    """Someone saved the record while the user edited it. Returns the user's own changes (what
    they typed where it differs from the record as their form opened), which the form shows
    again on top of the saved record; the message names them, and where both changed a field,
    both values. Without the opened values (an old page) the form shows the saved record, and
    the message what the user's form said where it differs: saving the old form a second time
    cannot undo what the other person saved."""
    try:
        opened = json.loads(form.cleaned_data.get("opened") or "")
    except (TypeError, ValueError):
        opened = None
    if not isinstance(opened, dict):
        _tell_conflict(request, form, fresh, typed, mine=None)
        return {}
    mine = {
        name: value
        for name, value in typed.items()
        if name in opened and _as_json(value) != opened[name]
    }
    both = {
        name: value
        for name, value in mine.items()
        if _as_json(getattr(fresh, name)) != opened[name]
    }
    _tell_conflict(request, form, fresh, both, mine=mine)
    if opened.get("status", fresh.status) != fresh.status:
        # Marked deceased or moved meanwhile: a change typed for a living resident may be moot.
        messages.warning(
            request,
            _("Meanwhile the record was marked “%(status)s”. Check that your changes still apply.")
            % {"status": fresh.get_status_display()},
        )
    return mine


def _tell_conflict(
    request: HttpRequest,
    form: Any,
    fresh: Any,
    typed: dict[str, Any],
    *,
    mine: dict[str, Any] | None,
) -> None:
    differences = [
        _("%(field)s (yours: %(yours)s; saved: %(saved)s)")
        % {
            "field": selectors.field_label(type(fresh), name),
            "yours": _shown(form, name, value),
            "saved": _shown(form, name, getattr(fresh, name)),
        }
        for name, value in typed.items()
        if getattr(fresh, name) != value
    ]
    message = _(
        "This record was saved while you were editing (by someone else, or in another tab): "
        "the form now shows it."
    )
    if mine:
        message += " " + _(
            "Your changes are put back on it: %(fields)s. Check them, then save again."
        ) % {"fields": ", ".join(str(selectors.field_label(type(fresh), n)) for n in mine)}
        if differences:
            message += " " + _("Both of you changed: %(fields)s.") % {
                "fields": "; ".join(differences)
            }
    elif mine is None and differences:
        message += " " + _("Where yours differed: %(fields)s. Enter your changes again.") % {
            "fields": "; ".join(differences)
        }
    messages.error(request, message)


def _shown(form: Any, name: str, value: Any) -> str:
    """A value as the form shows it: a choice by its label, a date in the Thai calendar."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, date):
        return thaidate.format_short(value)
    field = form.fields.get(name)
    choices = dict(getattr(field, "choices", None) or ())
    return str(choices.get(value, choices.get(str(value), value)))


def _typed_person(form: PersonEditForm, person: Person) -> dict[str, Any]:
    """What the form says, cleaned the way the service stores it, field by field."""
    try:
        data = cleaning.person_clean(form.to_data(), has_stored_id=bool(person.citizen_id_hash))
    except ValidationError:
        data = form.to_data()
    return {name: getattr(data, name) for name in [*cleaning.PERSON_FIELDS, "disability"]}


def _typed_address(form: HouseholdForm) -> dict[str, Any]:
    try:
        address = cleaning.household_clean_address(area=form.cleaned_data["area"], **form.address())
    except ValidationError:
        address = form.address()
    return {name: address[name] for name in cleaning.ADDRESS_FIELDS}


def _tell_head_change(request: HttpRequest, former: Person | None, household: Household) -> None:
    """A new head leaves the former one's relation blank: say so, so that it is filled in."""
    head = household.head
    if former is not None and head is not None and head.pk != former.pk:
        messages.warning(
            request,
            _(
                "%(new)s is now the head of the household. %(former)s was the head: set "
                "their relation to the new head on their record, and check the other "
                "members' relations, which are to the head."
            )
            % {"new": head.full_name, "former": former.full_name},
        )
