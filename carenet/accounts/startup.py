"""Checks made when a web process starts."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError


def refuse_demo_users_in_production() -> None:
    """A production site must not hold the demo logins, whose password is public."""
    if settings.CARENET_ENV != "production":
        return
    from carenet.accounts.models import User

    try:
        demo_users = list(User.objects.filter(is_demo=True).values_list("username", flat=True))
    except DatabaseError:
        return  # not migrated yet: there are no users at all
    if demo_users:
        raise ImproperlyConfigured(
            "Carenet refuses to start in production while demo users exist: "
            + ", ".join(sorted(demo_users))
            + ". Remove them with: manage.py remove_demo_users"
        )
