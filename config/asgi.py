"""ASGI entry point. Refuses to serve a production site that still holds demo users."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_asgi_application()

from carenet.accounts.startup import refuse_demo_users_in_production  # noqa: E402

refuse_demo_users_in_production()
