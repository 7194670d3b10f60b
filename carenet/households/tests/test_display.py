"""How people are shown on the household and person pages: a baby's age in months."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from carenet.core.people import months_on
from carenet.households.tests.factories import PersonFactory
from conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def baby(world):
    born = timezone.localdate() - timedelta(days=160)
    return PersonFactory.create(
        household=world.households["a1"], title="เด็กชาย", birth_date=born, relation="child"
    )


@pytest.mark.parametrize("page", ["households:detail", "households:person"])
def test_a_baby_under_one_is_shown_in_months(client, world, baby, page):
    months = months_on(baby.birth_date, timezone.localdate())
    pk = baby.household_id if page == "households:detail" else baby.pk
    login(client, "volunteer_a")
    text = client.get(reverse(page, args=[pk])).text
    assert f"{months} เดือน" in text
    assert not re.search(r"(?<![\d,])0 ปี", text)  # not "0 ปี"; "30 ปี" is the parent


@pytest.mark.parametrize("page", ["households:detail", "households:person"])
def test_the_baby_is_not_shown_out_of_scope_or_anonymously(client, world, baby, page):
    pk = baby.household_id if page == "households:detail" else baby.pk
    assert client.get(reverse(page, args=[pk])).status_code == 302
    login(client, "volunteer_b")
    assert client.get(reverse(page, args=[pk])).status_code == 404


@pytest.mark.parametrize("page", ["households:detail", "households:person"])
def test_a_latin_name_is_set_apart_from_its_title(client, world, page):
    john = PersonFactory.create(
        household=world.households["a1"], title="นาย", first_name="John", last_name="Smith"
    )
    pk = john.household_id if page == "households:detail" else john.pk
    login(client, "volunteer_a")
    text = client.get(reverse(page, args=[pk])).text
    assert "นาย John Smith" in text and "นายJohn" not in text
    login(client, "volunteer_b")
    assert client.get(reverse(page, args=[pk])).status_code == 404
