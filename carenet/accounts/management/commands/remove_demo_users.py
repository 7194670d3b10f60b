from typing import Any

from django.core.management.base import BaseCommand

from carenet.accounts.models import User


class Command(BaseCommand):
    help = "Deactivate and rename the demo users, so a production site can start."

    def handle(self, *args: Any, **options: Any) -> None:
        for user in User.objects.filter(is_demo=True):
            user.is_active = False
            user.is_demo = False
            user.username = f"removed-demo-{user.pk}"
            user.set_unusable_password()
            user.save(update_fields=["is_active", "is_demo", "username", "password"])
            self.stdout.write(f"deactivated demo user #{user.pk}")
