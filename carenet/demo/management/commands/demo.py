from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from carenet.areas.models import Area
from carenet.areas.services import areas_load_from_geothai
from carenet.demo.users import DEMO_PASSWORD, demo_users_ensure


class Command(BaseCommand):
    help = "Build the Chumphon demo (demo mode only). Running it again is safe and quick."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError("The demo runs only in demo mode: set CARENET_DEMO=true.")
        if not Area.objects.filter(code="86").exists():
            areas_load_from_geothai()
        logins = demo_users_ensure()
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD})")
        for login in logins:
            self.stdout.write(f"  {login.username:<10} {login.who}")
