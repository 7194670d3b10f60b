"""Gives a user a role at an area, creating the user if needed: how a deployment starts."""

import getpass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from carenet.accounts.models import Role, User
from carenet.accounts.services import assignment_grant, user_create
from carenet.areas.models import Area


class Command(BaseCommand):
    help = "Grant ROLE at AREA (omit AREA for the whole country) to USERNAME."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("role", choices=[r.value for r in Role])
        parser.add_argument("area", nargs="?", default=None, help="DOPA code, e.g. 86 or 8601")

    def handle(self, *args: Any, **options: Any) -> None:
        area = None
        if options["area"]:
            area = Area.objects.filter(code=options["area"]).first()
            if area is None:
                raise CommandError(f"No area has the code {options['area']} (run load_areas?)")
        user = User.objects.filter(username=options["username"]).first()
        try:
            if user is None:
                try:
                    password = getpass.getpass(f"Password for new user {options['username']}: ")
                except EOFError:
                    raise CommandError(
                        "A new user needs a password: run this in a terminal."
                    ) from None
                if len(password) < 10:
                    raise CommandError("Use a password of at least 10 characters.")
                user = user_create(actor=None, username=options["username"], password=password)
            assignment_grant(actor=None, user=user, role=Role(options["role"]), area=area)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        where = area.label if area else "Thailand"
        self.stdout.write(f"{user.username}: {options['role']} at {where}")
