"""manage.py recompute_households: the nightly refresh of priority scores and groups.

They are worked out from the members' ages, so they change with the calendar (a child turns
18, a parent 60) even when nobody edits anything. Run it once a night, from cron or a systemd
timer (README.md); it writes only the households whose figures changed.
"""

from typing import Any

from django.utils.translation import ngettext

from carenet.core.terminal import TerminalCommand
from carenet.households.services import households_recompute_all


class Command(TerminalCommand):
    help = "Recomputes every active household's priority score and vulnerable groups."

    def handle(self, *args: Any, **options: Any) -> None:
        changed = households_recompute_all()
        if options["verbosity"] > 0:  # -v 0 from cron: a mail only when something fails
            self.stdout.write(
                ngettext("%(count)s household changed", "%(count)s households changed", changed)
                % {"count": f"{changed:,}"}
            )
