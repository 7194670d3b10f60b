"""manage.py forget_old_files: deletes the kept files that hold personal data once their time
is up: unconfirmed checked uploads after a day, error reports after 30 days, export files after
a day. Each new upload or export does the same; run this once a night too (README.md), so
that nothing waits for the next one."""

from typing import Any

from django.utils.translation import gettext as _

from carenet.core.terminal import TerminalCommand
from carenet.spreadsheets import export_jobs, jobs


class Command(TerminalCommand):
    help = "Deletes uploaded files, error reports and export files kept past their time."

    def handle(self, *args: Any, **options: Any) -> None:
        jobs.forget_old_files()
        export_jobs.forget_old_files()
        if options["verbosity"] > 0:  # -v 0 from cron: a mail only when something fails
            self.stdout.write(_("Kept files past their time are deleted."))
