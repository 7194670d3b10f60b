"""Commands run at the server (manage.py grant_access, import_villages, the imports and exports):
the audit rows they write name the operating-system account that ran them. A command has no
signed-in user, or acts `--as` one who did not type it; without this the log would say only
"the system", and not which administrator it was."""

import getpass
import os
from contextvars import ContextVar
from typing import Any

from django.core.management.base import BaseCommand

_RUN_BY: ContextVar[str] = ContextVar("carenet_command_run_by", default="")


def run_by() -> str:
    """The operating-system account running the current command ("" outside one: a page)."""
    return _RUN_BY.get()


def os_account() -> str:
    """The account, and the administrator behind it when sudo ran the command
    (`sudo -u carenet manage.py ...` would otherwise name only the service account)."""
    try:
        account = getpass.getuser()
    except (OSError, KeyError):  # no login name and no passwd entry (some containers)
        account = f"uid {os.getuid()}"
    admin = os.environ.get("SUDO_USER", "")
    if admin and admin != account:
        return f"{account} (sudo: {admin})"
    return account


class TerminalCommand(BaseCommand):
    """A command whose audit rows say who ran it (core.services.audit_record reads run_by)."""

    def execute(self, *args: Any, **options: Any) -> str | None:
        token = _RUN_BY.set(os_account())
        try:
            return super().execute(*args, **options)
        finally:
            _RUN_BY.reset(token)
