from typing import Any

from django.core.management.base import CommandParser

from carenet.core.terminal import TerminalCommand
from carenet.spreadsheets.importing import command, import_volunteers


class Command(TerminalCommand):
    help = (
        "Import volunteers (อพม.) from a CSV or XLSX file, one row per volunteer. The whole "
        "file is checked and imported in one transaction: with any error nothing is "
        "imported, the errors are listed row by row and the command exits non-zero. "
        "Without --as it imports as the system, with national scope."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        command.add_arguments(parser, "volunteers")

    def handle(self, *args: Any, **options: Any) -> None:
        command.handle(self, import_volunteers, options)
