"""manage.py export_households --as USERNAME [--area CODE] --format csv|xlsx --output FILE

Writes the households and people that USERNAME may see (one row per person), with the headers
the import reads, if USERNAME may export data at all (a volunteer may not, as on the pages).
--area narrows within that scope; an area outside it exports nothing and the command fails.
The export is recorded in the audit log as USERNAME's.
"""

import os
import tempfile
from pathlib import Path
from typing import Any

from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.accounts.models import User
from carenet.core.terminal import TerminalCommand
from carenet.spreadsheets import exporting
from carenet.spreadsheets.exporting import Dataset, Format
from carenet.volunteers.models import VolunteerStatus


class Command(TerminalCommand):
    help = "Exports the households and people in a user's scope (one row per person)."
    dataset = Dataset.HOUSEHOLDS
    words = gettext_lazy("households")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as", dest="username", required=True, help="whose scope the export covers"
        )
        parser.add_argument("--area", default="", help="an area code within that scope")
        parser.add_argument(
            "--format",
            choices=[f.value for f in Format],
            help="csv or xlsx (default: from the output file's name, else csv)",
        )
        parser.add_argument("--output", required=True, help="the file to write")
        if self.dataset == Dataset.VOLUNTEERS:
            parser.add_argument(
                "--status",
                default="",
                choices=["", *VolunteerStatus.values],
                help="only the volunteers of this status (default: every status)",
            )

    def handle(self, *args: Any, **options: Any) -> None:
        output = Path(options["output"])
        if output.is_dir():
            raise CommandError(
                _("%(path)s is a folder: give the file to write, e.g. %(path)s/x.csv")
                % {"path": output}
            )
        if not output.parent.is_dir():
            raise CommandError(
                _("There is no folder %(path)s; nothing was exported.") % {"path": output.parent}
            )
        fmt = options["format"] or self._format_of(output)
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(_("There is no user %(name)s.") % {"name": options["username"]})
        if not access.can(user, Perm.EXPORT_DATA):
            # As on the pages: a volunteer sees their households but exports nothing.
            raise CommandError(
                _("%(name)s may not export data (their role does not); nothing was exported.")
                % {"name": user.username}
            )
        if not access.scope_codes(user, exporting.VIEW_PERM[self.dataset]):
            raise CommandError(
                _("%(name)s may not see any %(what)s; nothing was exported.")
                % {"name": user.username, "what": self.words}
            )
        area = options["area"].strip()
        try:
            export = exporting.export_prepare(
                user=user,
                dataset=self.dataset,
                fmt=fmt,
                area_code=area,
                status=options.get("status", ""),
            )
        except exporting.AreaOutOfScope:
            raise CommandError(
                _(
                    "Area %(area)s does not exist or is outside the scope of %(name)s; "
                    "nothing was exported."
                )
                % {"area": area, "name": user.username}
            ) from None
        if output.exists() and not output.is_file():  # /dev/null, /dev/stdout, a pipe
            with output.open("wb") as destination:
                exporting.write(export, destination)
            self._written(export, user, output)
            return
        # Written beside the target and renamed, so a failed export never leaves half a file.
        folder = output.resolve().parent
        handle, partial = tempfile.mkstemp(dir=folder, prefix=f".{output.name}.", suffix=".part")
        try:
            with os.fdopen(handle, "wb") as destination:
                exporting.write(export, destination)
            os.replace(partial, output)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
        self._written(export, user, output)

    @staticmethod
    def _format_of(output: Path) -> Format:
        """The format the file's name asks for; a name that asks for neither is refused
        rather than given a CSV it does not expect (x.pdf)."""
        suffix = output.suffix.lower()
        if suffix == ".xlsx":
            return Format.XLSX
        if suffix in (".csv", "") or (output.exists() and not output.is_file()):
            return Format.CSV  # also /dev/stdout, a pipe
        raise CommandError(
            _("%(path)s is neither .csv nor .xlsx: name the file so, or give --format.")
            % {"path": output}
        )

    def _written(self, export: Any, user: Any, output: Path) -> None:
        values = {
            "rows": intcomma(export.row_count),
            "what": self.words,
            "area": export.area_code,  # the area it covers: their district, for a province
            "name": user.username,
            "path": output,
        }
        if export.area_code:
            said = _("%(rows)s rows of %(what)s in area %(area)s, in the scope of %(name)s, "
                     "written to %(path)s.")  # fmt: skip
        else:
            said = _("%(rows)s rows of %(what)s in the scope of %(name)s written to %(path)s.")
        self.stdout.write(said % values)
