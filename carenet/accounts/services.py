"""Writes about users and their assignments. Each writes its audit row in the same transaction."""

import re
from typing import Any

from axes.utils import reset as axes_reset
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from carenet.accounts.access import forget_grants
from carenet.accounts.models import AreaAssignment, Role, User
from carenet.areas.models import Area
from carenet.core.services import audit_record

NATIONAL_ROLES = {Role.NATIONAL_ADMIN, Role.AUDITOR}
# Django's username rule (UnicodeUsernameValidator), 150 characters at most, but for letters:
# English and the whole Thai block only. Other scripts hold letters that look Latin (the
# Cyrillic "а" of "аdmin"); and \w would leave out the Thai vowel and tone marks (ี, ่).
USERNAME = re.compile(r"[A-Za-z0-9_\u0e00-\u0e7f.@+-]{1,150}")


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


@transaction.atomic
@transaction.atomic
def password_change(*, form: PasswordChangeForm) -> User:
    """Saves the new password a user chose for themselves (the form is valid), and records it."""
    _refuse_demo(form.user)
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
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None
    user.set_password(password)
    user.save(update_fields=["password"])
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
