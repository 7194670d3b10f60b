from typing import Any

import geothai
from django.core.management.base import CommandParser

from carenet.areas.services import areas_load_from_geothai
from carenet.core.terminal import TerminalCommand


class Command(TerminalCommand):
    help = "Load Thailand's provinces, districts and subdistricts from geothai (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--province",
            action="append",
            dest="provinces",
            metavar="CODE",
            help="Load only this province (repeatable). Default: the whole country.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = areas_load_from_geothai(province_codes=options["provinces"])
        self.stdout.write(
            f"geothai {geothai.DATA_VERSION}: {result.created} added, "
            f"{result.renamed} renamed, {result.unchanged} unchanged"
        )
