"""manage.py recompute_households: the nightly refresh of priority scores and groups.

They are worked out from the members' ages, so they change with the calendar (a child turns
18, a parent 60) even when nobody edits anything. Run it once a night, from cron or a systemd
timer (README.md); it writes only the households whose figures changed.
"""

from typing import Any

from carenet.core.terminal import TerminalCommand
from carenet.households.services import households_recompute_all


class Command(TerminalCommand):
    help = "Recomputes every active household's priority score and vulnerable groups."

    def handle(self, *args: Any, **options: Any) -> None:
        changed = households_recompute_all()
        self.stdout.write(f"{changed} households changed")
