"""Switches a staff account off (or --on again), for an admin at a terminal."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from carenet.accounts.models import User
from carenet.accounts.services import user_switch


def find_user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"No user has the username {username}.")
    return user


class Command(BaseCommand):
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
        self.stdout.write(f"{user.username}: switched {'on' if options['on'] else 'off'}")
