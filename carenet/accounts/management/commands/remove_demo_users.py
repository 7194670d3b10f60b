from typing import Any

from django.utils.translation import gettext as _

from carenet.accounts.models import User
from carenet.core.terminal import TerminalCommand


class Command(TerminalCommand):
    help = "Deactivate and rename the demo users, so a production site can start."

    def handle(self, *args: Any, **options: Any) -> None:
        for user in User.objects.filter(is_demo=True):
            user.is_active = False
            user.is_demo = False
            user.username = f"removed-demo-{user.pk}"
            user.set_unusable_password()
            user.save(update_fields=["is_active", "is_demo", "username", "password"])
            self.stdout.write(_("Demo user #%(number)d switched off.") % {"number": user.pk})
