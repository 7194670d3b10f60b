"""Who may see and do what in Carenet. This module is the one place that decides.

The model, in plain words:

* A user holds one or more *assignments*: a role at an area (AreaAssignment). The role says what
  they may do; the area says where. An assignment at an area covers everything inside it,
  because area codes nest as prefixes: a grant at 86 (ชุมพร) covers 8601, 860101, 86010103...
  An assignment with no area covers the whole country.
* What each role may do is the table ROLE_PERMISSIONS below. The auditor's row holds only
  viewing permissions: an auditor can read everything in scope and change nothing.
* Deny by default. Every view declares its access with one of the decorators at the bottom:
  `public`, `signed_in` or `requires(perm)`. A test walks every URL and fails on a view that
  declares nothing.
* Lists are filtered with `visible_to(user, queryset)`: one range filter per assignment on the
  record's own area column (records with personal data carry their area), so scoping never
  needs a join chain, and counts, exports, search and the API use the very same filter.
* One record is fetched with `get_visible_or_404`. A record that is missing and a record that is
  not yours give the same 404, so nobody can probe what exists outside their scope.
* Volunteers see only the households assigned to them. That rule belongs to the households
  selectors, which narrow this module's area scope further; it never widens.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse

from carenet.accounts.models import AreaAssignment, Role
from carenet.areas.models import within


class Perm(StrEnum):
    VIEW_AREAS = "view_areas"
    MANAGE_AREAS = "manage_areas"
    VIEW_AUDIT = "view_audit"
    MANAGE_USERS = "manage_users"
    VIEW_VOLUNTEERS = "view_volunteers"
    MANAGE_VOLUNTEERS = "manage_volunteers"
    VIEW_HOUSEHOLDS = "view_households"
    MANAGE_HOUSEHOLDS = "manage_households"
    MERGE_PEOPLE = "merge_people"
    IMPORT_DATA = "import_data"
    EXPORT_DATA = "export_data"
    RECORD_VISITS = "record_visits"
    ACKNOWLEDGE_VISITS = "acknowledge_visits"
    VIEW_FOLLOWUP = "view_followup"
    VIEW_SENSITIVE = "view_sensitive"
    PLAN_FOLLOWUP = "plan_followup"
    VIEW_CASES = "view_cases"
    FILE_CASES = "file_cases"
    REVIEW_CASES = "review_cases"
    MANAGE_CASES = "manage_cases"
    DECIDE_CASES = "decide_cases"
    APPROVE_ASSISTANCE = "approve_assistance"
    OVERRIDE_CAPS = "override_caps"
    MANAGE_AGENCIES = "manage_agencies"
    VIEW_TRAINING = "view_training"
    MANAGE_TRAINING = "manage_training"


VIEWING = frozenset(
    {
        Perm.VIEW_AREAS,
        Perm.VIEW_VOLUNTEERS,
        Perm.VIEW_HOUSEHOLDS,
        Perm.VIEW_CASES,
        Perm.VIEW_TRAINING,
    }
)
COORDINATING = VIEWING | {
    Perm.FILE_CASES,
    Perm.REVIEW_CASES,
    Perm.MANAGE_CASES,
    Perm.MANAGE_AGENCIES,
    Perm.RECORD_VISITS,
    Perm.ACKNOWLEDGE_VISITS,
    Perm.VIEW_FOLLOWUP,
    Perm.PLAN_FOLLOWUP,
    Perm.MANAGE_VOLUNTEERS,
    Perm.MANAGE_HOUSEHOLDS,
    Perm.MERGE_PEOPLE,
    Perm.IMPORT_DATA,
    Perm.EXPORT_DATA,
    # Centres run trainings; the province and the ministry too (they hold COORDINATING).
    Perm.MANAGE_TRAINING,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    # A volunteer sees their own profile and the households assigned to them, and registers
    # the households they find (which are then assigned to them).
    # They file requests for help for those households and see how their requests end.
    Role.VOLUNTEER: VIEWING | {Perm.MANAGE_HOUSEHOLDS, Perm.RECORD_VISITS, Perm.FILE_CASES},
    Role.CENTRE_COORDINATOR: COORDINATING,
    # Sensitive records (violence, abuse, trafficking) open to the province and above.
    # The province decides cases and approves assistance; going past a cap needs OVERRIDE_CAPS.
    # A province deploys itself: its officers manage the staff accounts inside it (never a
    # national role, nor an account that also holds a role elsewhere: see services.manage_refused).
    Role.PROVINCIAL_OFFICER: COORDINATING
    | {
        Perm.MANAGE_USERS,
        Perm.VIEW_AUDIT,
        Perm.VIEW_SENSITIVE,
        Perm.DECIDE_CASES,
        Perm.APPROVE_ASSISTANCE,
        Perm.OVERRIDE_CAPS,
    },
    Role.NATIONAL_ADMIN: COORDINATING
    | {
        Perm.MANAGE_AREAS,
        Perm.VIEW_AUDIT,
        Perm.MANAGE_USERS,
        Perm.VIEW_SENSITIVE,
        Perm.DECIDE_CASES,
        Perm.APPROVE_ASSISTANCE,
        Perm.OVERRIDE_CAPS,
    },
    Role.AUDITOR: VIEWING | {Perm.VIEW_AUDIT, Perm.EXPORT_DATA, Perm.VIEW_FOLLOWUP},
}

# Roles whose scope is narrowed to "their own" records (see scope_q's `own`).
OWN_RECORDS_ONLY = frozenset({Role.VOLUNTEER})

# The role a user "is" when they hold several: the widest first.
ROLE_RANK = [
    Role.NATIONAL_ADMIN,
    Role.AUDITOR,
    Role.PROVINCIAL_OFFICER,
    Role.CENTRE_COORDINATOR,
    Role.VOLUNTEER,
]

M = TypeVar("M", bound=Model)

NATIONAL = ""  # the area code of an assignment that covers the whole country


@dataclass(frozen=True)
class Grant:
    role: Role
    area_code: str  # NATIONAL for the whole country

    def covers(self, code: str) -> bool:
        return code.startswith(self.area_code)


def grants(user: Any) -> tuple[Grant, ...]:
    """The user's assignments, read once per request and kept on the user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ()
    cached = getattr(user, "_carenet_grants", None)
    if cached is None:
        rows = AreaAssignment.objects.filter(user=user).values_list("role", "area_id")
        cached = tuple(Grant(Role(role), area or NATIONAL) for role, area in rows)
        user._carenet_grants = cached
    return cached


def forget_grants(user: Any) -> None:
    """Call after changing a user's assignments within the same request."""
    user.__dict__.pop("_carenet_grants", None)


def main_role(user: Any) -> Role | None:
    held = {grant.role for grant in grants(user)}
    return next((role for role in ROLE_RANK if role in held), None)


def scope_codes(user: Any, perm: Perm = Perm.VIEW_AREAS) -> list[str]:
    """The area codes where the user holds `perm`, without codes already covered by another.

    NATIONAL ("") in the list means the whole country.
    """
    return _outermost({g.area_code for g in grants(user) if perm in ROLE_PERMISSIONS[g.role]})


def scope_q(
    user: Any, *, field: str = "area", perm: Perm = Perm.VIEW_AREAS, own: Q | None = None
) -> Q:
    """A filter matching the records whose area `field` lies within the user's scope.

    `own` says which records are the user's own (e.g. households assigned to them). When given,
    a volunteer's grant covers only those; other roles' grants cover the whole area.
    """
    held = [g for g in grants(user) if perm in ROLE_PERMISSIONS[g.role]]
    wide = {g.area_code for g in held if own is None or g.role not in OWN_RECORDS_ONLY}
    narrow = {g.area_code for g in held} - wide
    if NATIONAL in wide:
        return Q()
    if not held:
        return Q(pk__in=[])
    combined = Q(pk__in=[])
    for code in _outermost(wide):
        combined |= within(code, field)
    if narrow and own is not None:
        mine = Q(pk__in=[])
        for code in _outermost(narrow):
            mine |= within(code, field)
        combined |= mine & own
    return combined


def _outermost(codes: set[str]) -> list[str]:
    kept: list[str] = []
    for code in sorted(codes):  # a covering code sorts before the codes inside it
        if not any(code.startswith(outer) for outer in kept):
            kept.append(code)
    return kept


def visible_to(
    user: Any,
    queryset: QuerySet[M],
    *,
    field: str = "area",
    perm: Perm = Perm.VIEW_AREAS,
    own: Q | None = None,
) -> QuerySet[M]:
    return queryset.filter(scope_q(user, field=field, perm=perm, own=own))


def get_visible_or_404(
    user: Any,
    queryset: QuerySet[M],
    *,
    field: str = "area",
    perm: Perm = Perm.VIEW_AREAS,
    own: Q | None = None,
    **lookup: Any,
) -> M:
    """One record in scope. Missing and out-of-scope look the same: 404."""
    try:
        return visible_to(user, queryset, field=field, perm=perm, own=own).get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None


def can(user: Any, perm: Perm, area_code: str | None = None) -> bool:
    """Whether the user holds `perm` somewhere (area_code None) or at that area."""
    return any(
        perm in ROLE_PERMISSIONS[g.role] and (area_code is None or g.covers(area_code))
        for g in grants(user)
    )


# --- View declarations --------------------------------------------------------------------

V = TypeVar("V", bound=Callable[..., HttpResponseBase])


def public(view: V) -> V:
    """Anyone may open this view, signed in or not (login, language switch, error pages)."""
    view.access_rule = "public"  # type: ignore[attr-defined]
    return view


def to_sign_in(request: HttpRequest) -> HttpResponseRedirect:
    """To the sign-in page, then back here. A form sent (POST) is lost on the way: the
    address says so (?sent=1), and only then does the sign-in page carry its note that what
    was sent is not saved (form-keep.js shows it when it kept a copy of the form)."""
    login_url = resolve_url(settings.LOGIN_URL)
    if request.method == "POST":
        login_url += "?sent=1"
    return redirect_to_login(request.get_full_path(), login_url)


def signed_in(view: V) -> V:
    """Any signed-in user; the view itself shows only what their scope allows."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return to_sign_in(request)
        return view(request, *args, **kwargs)

    wrapper.access_rule = "signed_in"  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def requires(perm: Perm) -> Callable[[V], V]:
    """A signed-in user who holds `perm` at some area. Objects are still scoped by the view."""

    def decorate(view: V) -> V:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return to_sign_in(request)
            if not can(request.user, perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.access_rule = f"requires:{perm}"  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def history_url(user: Any, record: Model, area_code: str) -> str:
    """The audit log narrowed to one record, for a user who may read the area's log; else "".
    (The log's page lives with the reports: named here, not imported.)"""
    if not can(user, Perm.VIEW_AUDIT, area_code):
        return ""
    return f"{reverse('reports:audit')}?record={record._meta.label_lower}:{record.pk}"
