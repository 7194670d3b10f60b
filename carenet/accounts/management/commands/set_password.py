"""Sets a new password on a staff account and lifts its lockout, for an admin at a terminal.

Unlike Django's changepassword, it writes an audit row and unlocks the account.
"""

import getpass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from carenet.accounts.management.commands.switch_off_user import find_user
from carenet.accounts.services import staff_password_set


class Command(BaseCommand):
    help = (
        "Set a new password for USERNAME (asked twice, held to the password rules), and lift "
        "the lockout left by wrong passwords. Its sessions end."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = find_user(options["username"])
        try:
            password = getpass.getpass(f"New password for {user.username}: ")
            again = getpass.getpass("The same password again: ")
        except EOFError:
            raise CommandError("Type the password in a terminal.") from None
        if password != again:
            raise CommandError("The two passwords differ: nothing was changed.")
        try:
            staff_password_set(actor=None, user=user, password=password)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(f"{user.username}: new password set, lockout lifted")
