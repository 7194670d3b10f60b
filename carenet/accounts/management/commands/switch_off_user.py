"""Switches a staff account off (or --on again), for an admin at a terminal."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from carenet.accounts.models import User
from carenet.accounts.services import user_switch
from carenet.core.terminal import TerminalCommand


def find_user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(_("No user has the username %(username)s.") % {"username": username})
    return user


class Command(TerminalCommand):
    help = (
        "Switch USERNAME's account off: it can no longer sign in, and its sessions end. Its "
        "roles are kept; --on switches it on again. (A volunteer's login follows their status.)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--on", action="store_true", help="switch the account on again")

    def handle(self, *args: Any, **options: Any) -> None:
        user = find_user(options["username"])
        try:
            user_switch(actor=None, user=user, on=options["on"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        done = _("%(username)s: switched on") if options["on"] else _("%(username)s: switched off")
        self.stdout.write(done % {"username": user.username})
