"""A production process refuses to start while the public demo logins exist."""

from typing import Any as Settings

import pytest
from django.core.exceptions import ImproperlyConfigured

from carenet.accounts.startup import refuse_demo_users_in_production
from carenet.accounts.tests.factories import UserFactory


@pytest.mark.django_db
def test_production_refuses_to_start_with_demo_users(settings: Settings) -> None:
    UserFactory(username="demo-admin", is_demo=True)
    settings.CARENET_ENV = "production"
    with pytest.raises(ImproperlyConfigured, match="demo-admin") as raised:
        refuse_demo_users_in_production()
    assert "remove_demo_users" in str(raised.value)


@pytest.mark.django_db
def test_production_starts_once_demo_users_are_gone(settings: Settings) -> None:
    UserFactory(username="real-officer")
    settings.CARENET_ENV = "production"
    refuse_demo_users_in_production()


@pytest.mark.django_db
def test_development_tolerates_demo_users(settings: Settings) -> None:
    UserFactory(username="demo-admin", is_demo=True)
    settings.CARENET_ENV = "development"
    refuse_demo_users_in_production()
