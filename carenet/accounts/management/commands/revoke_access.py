"""Takes a role at an area back from a user: grant_access's reverse, for an admin at a terminal."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from carenet.accounts.management.commands.switch_off_user import find_user
from carenet.accounts.models import AreaAssignment, Role
from carenet.accounts.services import role_remove
from carenet.core.terminal import TerminalCommand


class Command(TerminalCommand):
    help = (
        "Take ROLE at AREA (omit AREA for the whole country) back from USERNAME. An account "
        "keeps at least one role: to stop someone signing in, use switch_off_user."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("role", choices=[r.value for r in Role])
        parser.add_argument(
            "area",
            nargs="?",
            default=None,
            help="the area's DOPA code, as the role was given (omit it for the whole country)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = find_user(options["username"])
        assignment = AreaAssignment.objects.filter(
            user=user, role=options["role"], area_id=options["area"] or None
        ).first()
        if assignment is None:
            held = ", ".join(
                f"{role} {area or _('(whole country)')}"
                for role, area in user.assignments.values_list("role", "area_id")
            )
            raise CommandError(
                _("%(username)s holds no %(role)s role at %(area)s. Roles held: %(held)s.")
                % {
                    "username": user.username,
                    "role": options["role"],
                    "area": options["area"] or _("the whole country"),
                    "held": held or _("none"),
                }
            )
        try:
            role_remove(actor=None, assignment=assignment)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            _("%(username)s: %(role)s taken back")
            % {"username": user.username, "role": options["role"]}
        )
