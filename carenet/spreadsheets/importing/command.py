"""What the import_households and import_volunteers commands share.

Without --as, a command imports as the system itself: national scope, no user in the audit
row (as `manage.py import_villages` does). With --as USERNAME it applies that user's scope,
as the upload page does. Errors go to stderr (citizen IDs masked, since a terminal's output
often ends up in a log), the full report to --report (its citizen IDs masked too: a report
outlives the file), and any error exits non-zero.
"""

from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.core.citizen_id import redact
from carenet.core.tabular import RowError, write_error_report
from carenet.spreadsheets.forms import check_file_kind
from carenet.spreadsheets.importing.common import ON_EXISTING, ImportResult

ERRORS_SHOWN = 20


def add_arguments(parser: CommandParser, what: str) -> None:
    parser.add_argument("file", type=Path, help=f"The CSV or XLSX file of {what}.")
    parser.add_argument(
        "--as",
        dest="username",
        metavar="USERNAME",
        help="Import as this user, within their scope. Without it: the system, national scope.",
    )
    parser.add_argument("--dry-run", action="store_true", help="Only check the file.")
    parser.add_argument(
        "--report",
        type=Path,
        metavar="REPORT.csv",
        help="Write the row-by-row report of errors and warnings to this CSV file.",
    )
    parser.add_argument(
        "--on-existing",
        choices=ON_EXISTING,
        default="update",
        help="What a record already stored does: update it (default), skip it, or error.",
    )


def handle(command: BaseCommand, importer: Callable[..., ImportResult], options: Any) -> None:
    path: Path = options["file"]
    if not path.is_file():
        raise CommandError(_("There is no file %(path)s.") % {"path": path})
    with path.open("rb") as file:
        start = file.read(4096)
    if not start:
        raise CommandError(_("The file is empty. Choose the file again."))
    try:
        check_file_kind(path.name, start)
    except ValidationError as refused:
        raise CommandError(refused.messages[0]) from None
    actor = None
    if options["username"]:
        try:
            actor = get_user_model().objects.get(username=options["username"], is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(
                _("There is no active user %(name)s.") % {"name": options["username"]}
            ) from None
        if not access.can(actor, Perm.IMPORT_DATA):
            raise CommandError(
                _("%(name)s may not import data: none of their roles allows it.")
                % {"name": actor.get_username()}
            )

    def progress(stage: str, done: int, total: int) -> None:
        if options["verbosity"] > 1:
            command.stdout.write(f"{stage}: {done:,}/{total:,}")

    result = importer(
        actor=actor,
        source=path,
        dry_run=options["dry_run"],
        on_existing=options["on_existing"],
        progress=progress,
    )
    if options["report"]:
        write_error_report(
            [error.masked() for error in result.errors],
            options["report"],
            [warning.masked() for warning in result.warnings],
        )
    for warning in result.warnings[:ERRORS_SHOWN]:
        command.stderr.write(describe(warning))
    if result.error_count:
        for error in result.errors[:ERRORS_SHOWN]:
            command.stderr.write(describe(error))
        if result.error_count > ERRORS_SHOWN:
            command.stderr.write(
                _("… and %(count)d more.") % {"count": result.error_count - ERRORS_SHOWN}
            )
        raise CommandError(
            ngettext(
                "%(count)d problem found in the file; nothing was imported.",
                "%(count)d problems found in the file; nothing was imported.",
                result.error_count,
            )
            % {"count": result.error_count}
        )
    for change in result.changes[:ERRORS_SHOWN]:
        if change.name:
            said = _("Row %(row)s (%(name)s), column “%(column)s”: %(before)s → %(after)s")
        else:
            said = _("Row %(row)s, column “%(column)s”: %(before)s → %(after)s")
        command.stdout.write(redact(said % {**asdict(change)}))
    if result.change_count > ERRORS_SHOWN:
        command.stdout.write(
            _("… and %(count)d more.") % {"count": result.change_count - ERRORS_SHOWN}
        )
    command.stdout.write(summary(result))


def describe(error: RowError) -> str:
    error = error.masked()  # a citizen-ID cell of any length, as the report shows it
    if error.row is None and not error.column and not error.value:
        return redact(error.reason)  # about the file as a whole
    if not error.column and not error.value:  # about a row as a whole (a hidden one, say)
        return redact(_("Row %(row)s: %(reason)s") % {"row": error.row, "reason": error.reason})
    return redact(
        _("Row %(row)s, column “%(column)s”, value “%(value)s”: %(reason)s")
        % {
            "row": "-" if error.row is None else error.row,
            "column": error.column,
            "value": error.value,
            "reason": error.reason,
        }
    )


def summary(result: ImportResult) -> str:
    """What an import did, or would do on a dry run, record type by record type."""
    names = {"households": _("households"), "people": _("people"), "volunteers": _("volunteers")}
    parts = [
        _(
            "%(what)s: %(created)d added, %(updated)d updated, %(unchanged)d unchanged, "
            "%(skipped)d skipped"
        )
        % {"what": names[kind], **counts}
        for kind, counts in result.counts.items()
    ]
    text = "; ".join(parts) + "."
    if result.dry_run:
        return _("The file is correct. Nothing was saved (dry run). It would give: %(counts)s") % {
            "counts": text
        }
    return _("%(rows)d rows imported. %(counts)s") % {"rows": result.total_rows, "counts": text}
