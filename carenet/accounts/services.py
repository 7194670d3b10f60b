"""Writes about users and their assignments. Each writes its audit row in the same transaction."""

import re
from datetime import timedelta
from typing import Any

from axes.models import AccessFailureLog
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from carenet.accounts.access import (
    NATIONAL,
    ROLE_PERMISSIONS,
    ROLE_RANK,
    Perm,
    can,
    forget_grants,
    scope_codes,
)
from carenet.accounts.models import AreaAssignment, Role, User
from carenet.areas.models import Area
from carenet.core.services import audit_record

NATIONAL_ROLES = {Role.NATIONAL_ADMIN, Role.AUDITOR}
# Django's username rule (UnicodeUsernameValidator), 150 characters at most, but for letters:
# English and the whole Thai block only. Other scripts hold letters that look Latin (the
# Cyrillic "а" of "аdmin"); and \w would leave out the Thai vowel and tone marks (ี, ่).
USERNAME = re.compile(r"[A-Za-z0-9_\u0e00-\u0e7f.@+-]{1,150}")


def password_check(password: str, user: User) -> None:
    """Holds a password to AUTH_PASSWORD_VALIDATORS (for `user`, saved or about to be), as a
    form's "password" error."""
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    is_demo: bool = False,
    area_code: str = "",
) -> User:
    """A new login. `area_code` is where it is made (a volunteer's area), for the audit log:
    "" is the country's log."""
    username = User.normalize_username(username)
    if not USERNAME.fullmatch(username):
        # Letters, digits and . @ + - _ only: no spaces, no invisible or direction marks that
        # would let "admin" and "admin\u200b" look the same in a list or the audit log.
        raise ValidationError(
            {
                "username": _(
                    "Use English or Thai letters, digits and . @ + - _ only, with no spaces "
                    "(up to 150)."
                )
            }
        )
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This username is already taken.")})
    user = User(username=username, first_name=first_name, last_name=last_name, is_demo=is_demo)
    user.set_password(password)
    # Chosen on a page by a manager: the owner chooses their own at their first sign-in. At
    # the terminal (actor None) the person setting up is the owner, or tells them in person.
    user.must_change_password = actor is not None and not is_demo
    user.save()
    audit_record(
        actor=actor,
        action="user.create",
        target=user,
        area_code=area_code,
        details={"username": username},
    )
    return user


@transaction.atomic
def assignment_grant(*, actor: Any, user: User, role: Role, area: Area | None) -> AreaAssignment:
    """Gives `user` the `role` at `area` (None: the whole country). Granting twice is harmless."""
    if area is None and role not in NATIONAL_ROLES:
        raise ValidationError(_("Only national roles can be granted for the whole country."))
    if area is not None and role in NATIONAL_ROLES and role == Role.NATIONAL_ADMIN:
        raise ValidationError(_("A national admin is granted for the whole country."))
    assignment, created = AreaAssignment.objects.get_or_create(
        user=user, role=role, area=area, defaults={"granted_by": actor if actor else None}
    )
    if created:
        audit_record(
            actor=actor,
            action="assignment.grant",
            target=user,
            area_code=area.code if area else "",
            details={"role": role.value, "area": area.code if area else ""},
        )
    forget_grants(user)
    return assignment


@transaction.atomic
def assignment_revoke(*, actor: Any, assignment: AreaAssignment) -> None:
    user = assignment.user
    audit_record(
        actor=actor,
        action="assignment.revoke",
        target=user,
        area_code=assignment.area_id or "",
        details={"role": assignment.role, "area": assignment.area_id or ""},
    )
    assignment.delete()
    forget_grants(user)


# --- Signing in and out: in the audit log, for questions about a shared PC --------------------


@transaction.atomic
def sign_in_log(*, user: User) -> None:
    audit_record(actor=user, action="user.sign_in", target=user, area_code=home_area(user))


@transaction.atomic
def sign_out_log(*, user: User, idle: bool = False) -> None:
    """A sign-out, by the button or (idle) by the PC left alone too long."""
    audit_record(
        actor=user,
        action="user.sign_out",
        target=user,
        area_code=home_area(user),
        details={"idle": True} if idle else {},
    )


@transaction.atomic
def sign_in_failed_log(*, username: str, password_right: bool = False) -> None:
    """A refused sign-in, never with the password. A login that exists is named, in its
    province's log; one that does not is only in the national log, and only its first two
    characters are kept: what lands in the username box by mistake may be a phone number or
    the password itself. The sign-in page says the same in both cases."""
    typed = username.strip()[:150]
    # Matched as the sign-in form matches it: a phone's keyboard starts with a capital.
    found = list(User.objects.filter(username__iexact=typed)[:2]) if typed else []
    user = found[0] if len(found) == 1 else None
    details = {"username": user.username if user is not None else _masked(typed)}
    if user is not None:  # why, for whoever follows up the account
        if user.is_active:
            details["why"] = "password"
        else:  # the right password, or someone guessing at a switched-off account
            details["why"] = "switched_off" if password_right else "password_switched_off"
    audit_record(
        actor=None,
        action="user.sign_in_failed",
        target=user,
        area_code=home_area(user) if user is not None else NATIONAL,
        details=details,
    )


def _masked(typed: str) -> str:
    """ "0812345678" as "08••••••••": enough to tell attempts apart, not to read them."""
    return typed[:2] + "•" * min(len(typed) - 2, 20) if len(typed) > 2 else "•" * len(typed)


@transaction.atomic
def password_change(*, form: PasswordChangeForm) -> User:
    """Saves the new password a user chose for themselves (the form is valid), and records it."""
    _refuse_demo(form.user)
    if form.cleaned_data["new_password1"] == form.cleaned_data["old_password"]:
        # Typed again, the password someone else chose would stay theirs to use as well.
        raise ValidationError(_("Choose a new password, not the one you signed in with."))
    form.user.must_change_password = False
    user: User = form.save()
    audit_record(actor=user, action="user.password_change", target=user)
    return user


@transaction.atomic
def password_set(*, actor: Any, user: User, password: str, area_code: str = "") -> User:
    """Sets a password chosen for `user` by someone who looks after their account (a centre
    sets one for a volunteer who forgot theirs); the caller has checked that the actor may.

    The hash changes, so every session of the user ends at its next request: Django checks each
    session against the hash. The lockout left by the forgotten password's wrong tries is lifted,
    or the new password would be refused until it expires. The password is not in the audit row.
    """
    _refuse_demo(user)
    password_check(password, user)
    user.set_password(password)
    user.must_change_password = actor is not None  # as user_create: theirs to choose next
    user.save(update_fields=["password", "must_change_password"])
    unlocked = axes_reset(username=user.get_username())
    audit_record(
        actor=actor,
        action="user.password_set",
        target=user,
        area_code=area_code,
        details={"lockout_lifted": unlocked > 0},
    )
    return user


def _refuse_demo(user: User) -> None:
    if user.is_demo:
        # Everyone trying the demo signs in with the one password the README gives.
        raise ValidationError(_("The demo logins keep the password everyone uses."))


# --- staff accounts: the users page and the commands ------------------------------------------
#
# `actor` is the signed-in manager, or None at a terminal (manage.py), where whoever runs the
# command already holds the whole database. A page's manager holds Perm.MANAGE_USERS at some
# areas: a national admin for the whole country, a provincial officer for their province. Each
# write below asks the same two questions first: may the actor touch this account at all
# (manage_refused), and may they give this role at this area (grant_refused). A refusal is a
# ValidationError whose message says why, in the reader's language.


def manages_nationally(actor: Any) -> bool:
    return actor is None or NATIONAL in scope_codes(actor, Perm.MANAGE_USERS)


def is_volunteer_login(user: User) -> bool:
    """A volunteer's own login: linked to a volunteer record, and holding no staff role. Its
    roles follow the volunteer's status and area, so it is managed on the volunteer's page.
    (The link is named by its lookup: this app imports nothing from the volunteers'.)"""
    return _linked_to_volunteer(user) and not user.assignments.exclude(role=Role.VOLUNTEER).exists()


def _linked_to_volunteer(user: User) -> bool:
    return User.objects.filter(pk=user.pk, volunteer__isnull=False).exists()


def address_refused(address: str | None) -> bool:
    """Whether sign-ins from this address wait: LOGIN_ADDRESS_FAILURE_LIMIT wrong passwords
    from it in the last LOGIN_LOCKOUT_MINUTES, whatever the usernames (axes locks a username
    from an address after a few; this stops a few tried on each of many)."""
    if not address:
        return False
    since = timezone.now() - timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    failures = AccessFailureLog.objects.filter(ip_address=address, attempt_time__gte=since)
    return failures.count() >= settings.LOGIN_ADDRESS_FAILURE_LIMIT


def manage_refused(actor: Any, user: User) -> str:
    """Why `actor` may not change `user`'s account ("" when they may)."""
    if user.is_demo:
        return _("The demo logins stay as they are, for everyone who tries the demo.")
    if is_volunteer_login(user):
        return _("This is a volunteer's login: manage it on the volunteer's page.")
    if actor is None or manages_nationally(actor):
        return ""
    if user.is_superuser or any(
        a.role in NATIONAL_ROLES or not can(actor, Perm.MANAGE_USERS, a.area_id or NATIONAL)
        for a in user.assignments.all()
    ):
        return _(
            "This account holds a role outside the province you manage (or a national one): "
            "the ministry's administrators manage it."
        )
    if not user.assignments.exists():
        return _("This account holds no role in the areas you manage.")
    return ""


def volunteer_login_elsewhere() -> str:
    """Where a volunteer's login is given: with the volunteer record, whose status and area
    its role follows. A role given here would open no profile and follow nothing."""
    return _(
        "A volunteer's login is given on the volunteer's page, by their coordination centre "
        "(“Give this volunteer a login”). A login made already is linked there: type its "
        "username."
    )


def grant_refused(actor: Any, role: Role, area: Area | None) -> str:
    """Why `actor` may not give `role` at `area` ("" when they may)."""
    if actor is None:
        return ""  # at a terminal, assignment_grant's own rules apply
    if role == Role.VOLUNTEER:
        return volunteer_login_elsewhere()
    if role in NATIONAL_ROLES and not manages_nationally(actor):
        return _("Only the ministry's administrators give the national admin and auditor roles.")
    if not can(actor, Perm.MANAGE_USERS, area.code if area else NATIONAL):
        return _("You can give roles only inside the areas you manage.")
    return ""


def home_area(user: User) -> str:
    """The area an account's audit rows carry, so that the log of the province whose staff
    it holds shows them: its widest role's area ("" for a national role or none)."""
    codes = [a.area_id or NATIONAL for a in user.assignments.all()]
    return min(codes, key=len) if codes else NATIONAL


def _refuse(reason: str, field: str | None = None) -> None:
    if reason:
        raise ValidationError({field: reason} if field else reason)


@transaction.atomic
def staff_create(
    *,
    actor: Any,
    username: str,
    password: str,
    first_name: str,
    last_name: str,
    role: Role,
    area: Area | None,
) -> User:
    """A staff account with its first role: nobody is created without one."""
    _refuse(grant_refused(actor, role, area), "role")
    candidate = User(username=username, first_name=first_name, last_name=last_name)
    password_check(password, candidate)
    user = user_create(
        actor=actor,
        username=username,
        password=password,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        area_code=area.code if area else NATIONAL,
    )
    assignment_grant(actor=actor, user=user, role=role, area=area)
    return user


@transaction.atomic
def role_give(*, actor: Any, user: User, role: Role, area: Area | None) -> AreaAssignment:
    _refuse(manage_refused(actor, user))
    _refuse(grant_refused(actor, role, area), "role")
    return assignment_grant(actor=actor, user=user, role=role, area=area)


@transaction.atomic
def role_remove(*, actor: Any, assignment: AreaAssignment) -> None:
    user = assignment.user
    _refuse(manage_refused(actor, user))
    if assignment.role == Role.VOLUNTEER and _linked_to_volunteer(user):
        _refuse(
            _(
                "The volunteer role follows the volunteer's status and area: change them on "
                "the volunteer's page."
            )
        )
    if not user.assignments.exclude(pk=assignment.pk).exists():
        _refuse(
            _(
                "This is the account's only role. To stop its owner signing in, switch the "
                "account off; to change the role, give the new one first."
            )
        )
    if actor is not None and actor.pk == user.pk and not _still_manages(actor, assignment):
        _refuse(
            _(
                "Without this role you could no longer manage accounts. Ask another "
                "administrator to remove it."
            )
        )
    assignment_revoke(actor=actor, assignment=assignment)


def _still_manages(actor: Any, leaving: AreaAssignment) -> bool:
    others = actor.assignments.exclude(pk=leaving.pk).values_list("role", flat=True)
    return any(Perm.MANAGE_USERS in ROLE_PERMISSIONS[Role(role)] for role in others)


@transaction.atomic
def user_switch(*, actor: Any, user: User, on: bool) -> User:
    """Switches an account off (its owner can no longer sign in, and every session it has
    ends) or on again. Its roles stay, so that it is switched on as it was."""
    _refuse(manage_refused(actor, user))
    if not on and actor is not None and actor.pk == user.pk:
        _refuse(_("You cannot switch off your own account. Ask another administrator."))
    if user.is_active == on:
        return user
    user.is_active = on
    user.save(update_fields=["is_active"])
    ended = 0 if on else end_sessions(user)
    audit_record(
        actor=actor,
        action="user.switch_on" if on else "user.switch_off",
        target=user,
        area_code=home_area(user),
        details={"username": user.username, **({} if on else {"sessions_ended": ended})},
    )
    return user


def end_sessions(user: User) -> int:
    """Deletes the user's sessions (Carenet keeps them in the database). Switched off, they
    would be refused anyway; deleted, they stay ended when the account is switched on again."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get(SESSION_KEY) == str(user.pk):
            session.delete()
            ended += 1
    return ended


@transaction.atomic
def user_rename(*, actor: Any, user: User, first_name: str, last_name: str) -> User:
    _refuse(manage_refused(actor, user))
    user.first_name, user.last_name = first_name.strip(), last_name.strip()
    user.save(update_fields=["first_name", "last_name"])
    audit_record(
        actor=actor,
        action="user.rename",
        target=user,
        area_code=home_area(user),
        details={"username": user.username, "fields": ["first_name", "last_name"]},
    )
    return user


@transaction.atomic
def staff_password_set(*, actor: Any, user: User, password: str) -> User:
    """A new password for a staff member who forgot theirs; lifts their lockout (password_set)."""
    _refuse(manage_refused(actor, user))
    if actor is not None and actor.pk == user.pk:
        _refuse(_("Change your own password on the “Change my password” page."))
    return password_set(actor=actor, user=user, password=password, area_code=home_area(user))


def roles_given_by(actor: Any) -> list[Role]:
    """The roles a manager may give on the users page, widest first."""
    staff: list[Role] = [r for r in ROLE_RANK if r != Role.VOLUNTEER]
    if manages_nationally(actor):
        return staff
    return [r for r in staff if r not in NATIONAL_ROLES]
