"""What the person forms ask before saving a record that looks unlikely (checks.member_notes):
a child's title on an adult, the elderly allowance before 60, living alone among others. The
user corrects the form or confirms it; a first name without a letter is refused."""

import pytest
from django.urls import reverse

from carenet.households.models import Household, Person
from carenet.households.tests.test_views import register_data, snapshot
from conftest import login

pytestmark = pytest.mark.django_db


def member(**changes) -> dict:
    data = {
        "p-title": "นาย",
        "p-first_name": "สมหวัง",
        "p-last_name": "ใจดี",
        "p-birth_date": "01/01/2500",
        "p-document_type": "none",
        "p-relation": "child",
        "c-basis": "consent",
        "c-purpose": "ดูแล",
        "c-given_on": "1/5/2568",
    }
    data.update(changes)
    return data


def add_path(world) -> str:
    return reverse("households:person_add", args=[world.households["a1"].pk])


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"p-title": "เด็กชาย"}, "อายุ 15 ปีขึ้นไป"),
        ({"p-birth_date": "01/01/2556"}, "อายุต่ำกว่า 15"),
        ({"p-title": "", "p-birth_date": "01/01/2556", "p-elderly_allowance": "on"}, "เบี้ยยังชีพ"),
    ],
)
def test_an_unlikely_member_is_asked_about_then_added_once_confirmed(client, world, changes, said):
    login(client, "district_coordinator_a")
    response = client.post(add_path(world), member(**changes))
    assert response.status_code == 200
    [note] = response.context["to_confirm"]
    assert said in note and "สมหวัง" in note
    assert b'data-testid="to-confirm"' in response.content
    assert not Person.objects.filter(first_name="สมหวัง").exists()
    confirmed = client.post(add_path(world), {**member(**changes), "p-confirm_checks": "1"})
    assert confirmed.status_code == 302
    assert Person.objects.filter(first_name="สมหวัง").count() == 1


def test_a_likely_member_is_added_without_a_question(client, world):
    login(client, "district_coordinator_a")
    assert client.post(add_path(world), member()).status_code == 302


@pytest.mark.parametrize("first_name", ["12345", "๑๒๓๔"])
def test_a_first_name_without_a_letter_is_refused(client, world, first_name):
    login(client, "district_coordinator_a")
    response = client.post(add_path(world), member(**{"p-first_name": first_name}))
    assert response.status_code == 400
    assert "first_name" in response.context["person_form"].errors
    assert not Person.objects.filter(last_name="ใจดี").exists()


def test_a_new_household_is_asked_about_its_first_member_too(client, world):
    login(client, "district_coordinator_a")
    data = register_data(**{"p-title": "เด็กหญิง"})  # born 2490
    response = client.post(reverse("households:create"), data)
    assert response.status_code == 200 and response.context["to_confirm"]
    assert not Household.objects.filter(house_no="45/1").exists()
    confirmed = client.post(reverse("households:create"), {**data, "p-confirm_checks": "1"})
    assert confirmed.status_code == 302


def test_an_edit_is_asked_about_too(client, world):
    person = world.people["a1"]  # an adult
    login(client, "district_coordinator_a")
    path = reverse("households:person_edit", args=[person.pk])
    form = client.get(path).context["form"]
    data = {k: v for k, v in form.initial.items() if v not in (None, False, "")}
    data |= {"title": "เด็กชาย", "sex": "M", "document_type": "none"}
    response = client.post(path, data)
    assert response.status_code == 200, response.context["form"].errors
    assert response.context["to_confirm"]
    person.refresh_from_db()
    assert person.title == "นาย"
    assert client.post(path, {**data, "confirm_checks": "1"}).status_code == 302
    person.refresh_from_db()
    assert person.title == "เด็กชาย"


@pytest.mark.parametrize("persona", [None, "district_coordinator_b", "volunteer_b"])
def test_out_of_scope_or_anonymous_confirming_changes_nothing(client, world, persona):
    if persona:
        login(client, persona)
    before = snapshot()
    data = {**member(**{"p-title": "เด็กชาย"}), "p-confirm_checks": "1"}
    response = client.post(add_path(world), data)
    assert response.status_code == (404 if persona else 302)
    assert snapshot() == before


def test_living_alone_among_other_members_is_asked_about(client, world):
    login(client, "district_coordinator_a")
    response = client.post(add_path(world), member(**{"p-lives_alone": "on"}))
    assert response.status_code == 200
    [note] = response.context["to_confirm"]
    assert "บันทึกไว้ว่าอยู่ลำพัง" in note
    assert not Person.objects.filter(first_name="สมหวัง").exists()


def test_living_alone_is_not_asked_about_for_the_only_member(client, world):
    login(client, "district_coordinator_a")
    data = register_data(**{"p-lives_alone": "on"})
    assert client.post(reverse("households:create"), data).status_code == 302
    person = world.people["a1"]  # alone in their household
    path = reverse("households:person_edit", args=[person.pk])
    form = client.get(path).context["form"]
    data = {k: v for k, v in form.initial.items() if v not in (None, False, "")}
    data |= {"lives_alone": "on", "document_type": "none"}
    assert client.post(path, data).status_code == 302
    person.refresh_from_db()
    assert person.lives_alone


# --- A new head in the place of the one recorded ----------------------------------------------


def test_adding_a_member_as_the_head_asks_first_naming_the_head_now(client, world):
    household = world.households["a1"]
    head = household.head
    login(client, "district_coordinator_a")
    response = client.post(add_path(world), member(**{"p-relation": "head"}))
    assert response.status_code == 200
    [note] = response.context["to_confirm"]
    assert head.full_name in note and "สมหวัง" in note
    assert Household.objects.get(pk=household.pk).head_id == head.pk
    confirmed = client.post(
        add_path(world), {**member(**{"p-relation": "head"}), "p-confirm_checks": "1"}
    )
    assert confirmed.status_code == 302
    assert Household.objects.get(pk=household.pk).head.first_name == "สมหวัง"


def test_moving_in_as_the_head_asks_first(client, world):
    mover = world.people["a2"]
    to = world.households["a1"]
    login(client, "district_coordinator_a")
    path = reverse("households:person_move", args=[mover.pk])
    data = {"to": to.pk, "relation": "head", "version": mover.version}
    response = client.post(path, data)
    assert response.status_code == 200
    [note] = response.context["to_confirm"]
    assert to.head.full_name in note
    assert b'data-testid="to-confirm"' in response.content
    assert Person.objects.get(pk=mover.pk).household_id != to.pk
    assert client.post(path, {**data, "confirm_checks": "1"}).status_code == 302
    assert Household.objects.get(pk=to.pk).head_id == mover.pk


def test_moving_in_as_a_member_asks_nothing(client, world):
    mover = world.people["a2"]
    to = world.households["a1"]
    login(client, "district_coordinator_a")
    path = reverse("households:person_move", args=[mover.pk])
    data = {"to": to.pk, "relation": "child", "version": mover.version}
    assert client.post(path, data).status_code == 302


def test_moving_a_child_in_as_the_head_asks_about_the_age(client, world):
    from datetime import date

    mover = world.people["a2"]
    Person.objects.filter(pk=mover.pk).update(birth_date=date(2017, 1, 1))
    mover.refresh_from_db()
    to = world.households["a1"]
    login(client, "district_coordinator_a")
    path = reverse("households:person_move", args=[mover.pk])
    response = client.post(path, {"to": to.pk, "relation": "head", "version": mover.version})
    notes = response.context["to_confirm"]
    assert len(notes) == 2 and "หัวหน้าครัวเรือน" in notes[1]
