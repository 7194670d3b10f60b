"""The menu each role sees: every entry opens, and what a role may read is in it."""

import pytest
from django.urls import reverse

from conftest import login

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "persona", ["auditor", "volunteer_a", "district_coordinator_a", "province_officer"]
)
def test_every_menu_entry_opens(client, personas, persona):
    login(client, persona)
    home = client.get(reverse("reports:home"), follow=True)
    for item in home.context["nav_items"]:
        assert client.get(item["url"], follow=True).status_code == 200, (persona, item["url"])


def test_the_auditor_finds_what_they_may_read(client, personas):
    login(client, "auditor")
    home = client.get(reverse("reports:home"), follow=True)
    urls = {item["url"] for item in home.context["nav_items"]}
    assert {
        reverse("volunteers:list"),
        reverse("volunteers:centre_list"),
        reverse("training:list"),
    } <= urls
    assert reverse("cases:actions") not in urls
    assert "cases/mine" not in client.get(reverse("cases:list")).content.decode()


def test_a_volunteers_menu_has_one_entry_for_their_households(client, personas):
    """Their home is their households: "Home" beside "My households" opened the same page."""
    login(client, "volunteer_a")
    page = client.get(reverse("visits:my_households"))
    urls = [item["url"] for item in page.context["nav_items"]]
    assert reverse("reports:home") not in urls
    assert urls[0] == reverse("visits:my_households")
    active = [item["url"] for item in page.context["nav_items"] if item["active"]]
    assert active == [reverse("visits:my_households")]
