"""How people and places are shown and read on the household pages: a baby's age in months,
a Latin name apart from its title, a GPS point in degrees and minutes."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from carenet.core.people import months_on
from carenet.households.models import Household
from carenet.households.tests.factories import ConsentFactory, PersonFactory
from carenet.households.tests.test_views import register_data
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


def test_a_household_registered_with_a_point_in_degrees_and_minutes(client, world):
    """As a paper form or a phone gives it: stored in decimal degrees."""
    login(client, "district_coordinator_a")
    data = register_data(**{"h-latitude": "10°29'30\"N 99°11'02\"E", "h-longitude": ""})
    response = client.post(reverse("households:create"), data)
    assert response.status_code == 302
    household = Household.objects.get(house_no="45/1")
    assert (str(household.latitude), str(household.longitude)) == ("10.491667", "99.183889")
    bad = register_data(
        **{
            "h-house_no": "46",
            "p-first_name": "สมใจ",
            "h-latitude": "10°29'N",
            "h-longitude": "99°71'E",
        }
    )
    response = client.post(reverse("households:create"), bad)
    assert response.status_code == 400
    assert "longitude" in response.context["household_form"].errors


@pytest.mark.parametrize(
    ("basis", "shown"),
    [
        ("consent", "บันทึกความยินยอมแล้ว"),
        ("guardian", "ความยินยอมของผู้ปกครองหรือผู้แทนโดยชอบธรรมแล้ว"),
        ("public_task", "ไม่ใช่ความยินยอม บันทึกตามฐานทางกฎหมาย: ภารกิจของรัฐ"),
        ("vital_interest", "ฐานทางกฎหมาย: เพื่อป้องกันอันตรายต่อชีวิต"),
    ],
)
def test_the_household_page_says_which_basis_is_recorded(client, world, basis, shown):
    """Only a consent is called one: a lawful basis is named as what it is."""
    person = PersonFactory.create(household=world.households["a1"])
    ConsentFactory.create(person=person, basis=basis)
    path = reverse("households:detail", args=[person.household_id])
    login(client, "volunteer_a")
    text = client.get(path).text
    assert shown in text
    if basis not in ("consent", "guardian"):
        assert text.count("บันทึกความยินยอมแล้ว") == 1  # the head's own, not this person's
    login(client, "volunteer_b")
    assert client.get(path).status_code == 404
    client.logout()
    assert client.get(path).status_code == 302
