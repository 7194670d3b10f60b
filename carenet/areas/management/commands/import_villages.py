from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from carenet.areas.services import ImportResult, villages_import
from carenet.core.tabular import RowError, write_error_report
from carenet.core.terminal import TerminalCommand


class Command(TerminalCommand):
    help = (
        "Import villages (หมู่บ้าน) from a CSV, XLSX, XLS or ODS file. The file is checked "
        "whole first: with any error nothing is imported and the errors are listed row by row."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The CSV, XLSX, XLS or ODS file of villages.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Only check the file; change nothing."
        )
        parser.add_argument(
            "--report",
            type=Path,
            metavar="REPORT.csv",
            help="Also write the row-by-row error report to this CSV file.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("There is no file %(path)s.") % {"path": path})
        result = villages_import(actor=None, source=path, dry_run=options["dry_run"])
        if options["report"]:
            write_error_report(result.errors, options["report"])
        if result.errors:
            for error in result.errors:
                self.stderr.write(_describe(error))
            raise CommandError(
                ngettext(
                    "%(count)d problem found in the file; nothing was imported.",
                    "%(count)d problems found in the file; nothing was imported.",
                    len(result.errors),
                )
                % {"count": len(result.errors)}
            )
        self.stdout.write(_summary(result))


def _describe(error: RowError) -> str:
    if not error.column and not error.value:  # about a row as a whole (a total, say)
        if error.row is None:
            return error.reason
        return _("Row %(row)s: %(reason)s") % {"row": error.row, "reason": error.reason}
    return _("Row %(row)s, column “%(column)s”, value “%(value)s”: %(reason)s") % {
        "row": "-" if error.row is None else error.row,
        "column": error.column,
        "value": error.value,
        "reason": error.reason,
    }


def _summary(result: ImportResult) -> str:
    counts = {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
    if result.dry_run:
        return (
            _(
                "The file is correct. Nothing was saved (dry run): %(created)d villages would "
                "be added, %(updated)d renamed, %(unchanged)d are unchanged."
            )
            % counts
        )
    return _("%(created)d villages added, %(updated)d renamed, %(unchanged)d unchanged.") % counts
