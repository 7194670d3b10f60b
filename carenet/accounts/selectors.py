"""Reads about user accounts, for those who manage them: always scoped to the manager.

A manager's scope is where they hold Perm.MANAGE_USERS. A national admin sees every account;
a provincial officer sees the accounts holding a role inside their province, and of each
account only the roles inside it. Whether they may change an account is services'
manage_refused; the list marks the accounts that also hold a role elsewhere.
"""

from dataclasses import dataclass
from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from carenet.accounts.access import Perm, scope_q
from carenet.accounts.models import AreaAssignment, Role, User
from carenet.accounts.services import NATIONAL_ROLES, manages_nationally
from carenet.areas.models import within


@dataclass(frozen=True)
class UserFilters:
    search: str = ""
    role: str = ""
    area_code: str = ""
    state: str = ""  # "", "active", "off" or "locked"


def user_list(*, user: Any, filters: UserFilters = UserFilters()) -> QuerySet[User]:
    """The accounts in the manager's scope, with their roles there, ordered by username.
    Two queries a page, whatever it holds (the accounts, then their roles)."""
    users: QuerySet[User] = _in_scope(user).annotate(
        locked_out=Exists(_lockouts()),
        # A volunteer's login opens on their page; named by lookup, not imported.
        volunteer_pk=F("volunteer__pk"),
        holds_staff_role=Exists(_assignments().exclude(role=Role.VOLUNTEER)),
    )
    if not manages_nationally(user):
        users = users.annotate(roles_elsewhere=Exists(_assignments().exclude(_inside(user))))
    users = _filtered(user, users, filters)
    shown = (
        AreaAssignment.objects.filter(_inside(user)).select_related("area").order_by("role", "area")
    )
    return users.prefetch_related(Prefetch("assignments", queryset=shown, to_attr="roles_shown"))


def user_get(*, user: Any, pk: Any) -> User:
    """One account in the manager's scope; missing and out of scope are the same 404."""
    try:
        return user_list(user=user).get(pk=int(pk))
    except (User.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def is_locked_out(username: str) -> bool:
    return _lockouts(username).exists()


def _in_scope(user: Any) -> QuerySet[User]:
    if manages_nationally(user):
        return User.objects.all()
    return User.objects.filter(Exists(_assignments().filter(_inside(user))))


def _assignments() -> QuerySet[AreaAssignment]:
    return AreaAssignment.objects.filter(user=OuterRef("pk"))


def _inside(user: Any) -> Q:
    """The assignments the manager may see: inside their scope, a national role only for a
    national manager."""
    if manages_nationally(user):
        return Q()
    return scope_q(user, perm=Perm.MANAGE_USERS) & ~Q(role__in=NATIONAL_ROLES)


def _lockouts(username: Any = None) -> QuerySet[AccessAttempt]:
    """Sign-in attempts locking a username out now (from some address: axes locks the pair of
    username and address). `username` None: the account's, in a subquery."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(
        username=OuterRef("username") if username is None else username,
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        attempt_time__gte=since,
    )


def _filtered(user: Any, users: QuerySet[User], filters: UserFilters) -> QuerySet[User]:
    if search := filters.search.strip():
        for word in search.split()[:4]:
            users = users.filter(
                Q(username__icontains=word)
                | Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
            )
    held = _assignments().filter(_inside(user))
    if filters.role in Role.values:
        held = held.filter(role=filters.role)
    if filters.area_code:
        held = held.filter(within(filters.area_code, "area"))
    if filters.role in Role.values or filters.area_code:
        users = users.filter(Exists(held))
    if filters.state == "active":
        users = users.filter(is_active=True)
    elif filters.state == "off":
        users = users.filter(is_active=False)
    elif filters.state == "locked":
        users = users.filter(Exists(_lockouts()))
    return users.order_by("username")
