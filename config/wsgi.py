"""WSGI entry point. Refuses to serve a production site that still holds demo users, or with a
citizen-ID key that does not read the IDs stored."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

from carenet.accounts.startup import refuse_demo_users_in_production  # noqa: E402
from carenet.core.checks import refuse_a_wrong_citizen_id_key  # noqa: E402

refuse_demo_users_in_production()
refuse_a_wrong_citizen_id_key()
