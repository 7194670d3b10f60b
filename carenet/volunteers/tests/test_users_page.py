"""A volunteer's login on the accounts' users page: listed, but managed on the volunteer's page."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from carenet.accounts.models import Role
from carenet.accounts.tests.factories import AreaAssignmentFactory
from carenet.volunteers.tests.factories import VolunteerFactory
from conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def linked(personas):
    user = personas["volunteer_a"]
    return VolunteerFactory(user=user), user


def test_the_list_sends_the_manager_to_the_volunteers_page(client, linked):
    volunteer, user = linked
    login(client, "province_officer")
    html = client.get(reverse("accounts:users"), {"q": user.username}).content.decode()
    assert reverse("volunteers:detail", args=[volunteer.pk]) in html
    assert reverse("accounts:user", args=[user.pk]) not in html


def test_the_users_page_changes_nothing_on_a_volunteers_login(client, linked):
    volunteer, user = linked
    login(client, "province_officer")
    page = client.get(reverse("accounts:user", args=[user.pk]))
    assert page.context["refused"]
    assert reverse("volunteers:detail", args=[volunteer.pk]) in page.content.decode()
    client.post(reverse("accounts:user_switch", args=[user.pk]), {"on": "0"})
    user.refresh_from_db()
    assert user.is_active
    with pytest.raises(CommandError, match="อพม"):
        call_command("switch_off_user", user.username)


def test_a_volunteer_who_is_also_a_coordinator_keeps_the_volunteer_role_here(
    client, linked, area_tree
):
    _volunteer, user = linked
    AreaAssignmentFactory(user=user, role=Role.CENTRE_COORDINATOR, area=area_tree["8601"])
    login(client, "province_officer")
    assert not client.get(reverse("accounts:user", args=[user.pk])).context["refused"]
    role = user.assignments.get(role=Role.VOLUNTEER)
    client.post(reverse("accounts:user_role_remove", args=[user.pk, role.pk]))
    assert user.assignments.filter(role=Role.VOLUNTEER).exists()
