"""Sets a new password on a staff account and lifts its lockout, for an admin at a terminal.

Unlike Django's changepassword, it writes an audit row and unlocks the account.
"""

import getpass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from carenet.accounts.management.commands.switch_off_user import find_user
from carenet.accounts.services import staff_password_set
from carenet.core.terminal import TerminalCommand


class Command(TerminalCommand):
    help = (
        "Set a new password for USERNAME (asked twice, held to the password rules), and lift "
        "the lockout left by wrong passwords. Its sessions end."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = find_user(options["username"])
        try:
            password = getpass.getpass(
                _("New password for %(username)s: ") % {"username": user.username}
            )
            again = getpass.getpass(_("The same password again: "))
        except EOFError:
            raise CommandError(_("Type the password in a terminal.")) from None
        if password != again:
            raise CommandError(_("The two passwords differ: nothing was changed."))
        try:
            staff_password_set(actor=None, user=user, password=password)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            _("%(username)s: new password set, lockout lifted") % {"username": user.username}
        )
