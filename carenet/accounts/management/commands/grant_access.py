"""Gives a user a role at an area, creating the user if needed: how a deployment starts."""

import getpass
from argparse import ArgumentTypeError
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from carenet.accounts.models import Role, User
from carenet.accounts.services import (
    assignment_grant,
    password_check,
    user_create,
    volunteer_login_elsewhere,
)
from carenet.areas.selectors import area_typed
from carenet.core.terminal import TerminalCommand


def _not_volunteer(typed: str) -> str:
    """The volunteer's role is refused with where it is given: a login made here would open
    no volunteer record. (Any other word that is no role, argparse refuses with the list.)"""
    if typed == Role.VOLUNTEER:
        raise ArgumentTypeError(volunteer_login_elsewhere())
    return typed


class Command(TerminalCommand):
    help = (
        "Grant ROLE at AREA (omit AREA for the whole country) to USERNAME, creating the user "
        "(asked for a password twice) when there is none."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "role",
            type=_not_volunteer,
            choices=[r.value for r in Role if r != Role.VOLUNTEER],
            help="a volunteer's login is given on the volunteer's page instead",
        )
        parser.add_argument(
            "area",
            nargs="?",
            default=None,
            help="the area's DOPA code (2 digits for a province, 4 for a district, 6 for a "
            "subdistrict) or its Thai name; omit it for the whole country",
        )
        parser.add_argument("--first-name", default="", help="a new user's first name")
        parser.add_argument("--last-name", default="", help="a new user's last name")

    def handle(self, *args: Any, **options: Any) -> None:
        role = Role(options["role"])
        area = None
        if options["area"]:
            try:
                area = area_typed(options["area"])
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
        user = User.objects.filter(username=options["username"]).first()
        try:
            # One transaction: a role refused at that area leaves no user without a role behind.
            with transaction.atomic():
                if user is None:
                    user = user_create(
                        actor=None,
                        username=options["username"],
                        password=self._new_password(options),
                        first_name=options["first_name"],
                        last_name=options["last_name"],
                    )
                assignment_grant(actor=None, user=user, role=role, area=area)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(
            _("%(username)s: %(role)s at %(area)s")
            % {
                "username": user.username,
                "role": role.label,
                "area": area.label if area else _("the whole country"),
            }
        )

    def _new_password(self, options: dict[str, Any]) -> str:
        """Asked twice, and held to the same rules as the pages' password forms."""
        username = options["username"]
        try:
            password = getpass.getpass(
                _("Password for the new user %(username)s: ") % {"username": username}
            )
            again = getpass.getpass(_("The same password again: "))
        except EOFError:
            raise CommandError(_("A new user needs a password: run this in a terminal.")) from None
        if password != again:
            raise CommandError(_("The two passwords differ: nothing was created."))
        candidate = User(
            username=username, first_name=options["first_name"], last_name=options["last_name"]
        )
        try:
            password_check(password, candidate)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        return password
