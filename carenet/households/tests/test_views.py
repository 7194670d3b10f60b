"""Household pages: the access matrix (in scope, out of scope, anonymous), denied POSTs that
change nothing, the register and add-member flows with their duplicate check, conflicts,
logged reads, merging, bad input, and the list's query count."""

import re
from datetime import date

import pytest
from django.conf import settings
from django.contrib.messages import WARNING, get_messages
from django.urls import reverse
from django.utils import timezone, translation

from carenet.accounts import disclosure
from carenet.areas.models import Area
from carenet.core import citizen_id, people
from carenet.core.models import AuditEvent
from carenet.households import models, selectors, services
from carenet.households.models import (
    Consent,
    Household,
    HouseholdAssignment,
    HouseholdStatus,
    Person,
    PersonStatus,
)
from carenet.households.tests.conftest import MANAGES, SEES
from carenet.households.tests.factories import (
    HouseholdFactory,
    PersonFactory,
    VolunteerFactory,
    assign,
    bad_checksum,
    new_citizen_id,
)
from carenet.volunteers.models import Volunteer
from conftest import PERSONAS, login, page_body

pytestmark = pytest.mark.django_db


def target(world, kind: str, key: str) -> int:
    if kind == "household":
        return world.households[key].pk
    if kind == "person":
        return world.people[key].pk
    return world.people[key].consents.get().pk


VIEW_PAGES = [("households:detail", "household"), ("households:person", "person")]
MANAGE_PAGES = [
    ("households:edit", "household"),
    ("households:person_add", "household"),
    ("households:person_edit", "person"),
    ("households:consent_add", "person"),
    ("households:consent_withdraw", "consent"),
]


def snapshot() -> tuple:
    """Everything a denied request must leave as it was."""
    return (
        list(Household.objects.values().order_by("pk")),
        list(Person.objects.values().order_by("pk")),
        list(Consent.objects.values().order_by("pk")),
        list(HouseholdAssignment.objects.values_list("household_id", "volunteer_id")),
        AuditEvent.objects.count(),
    )


# --- Access matrix -------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kind"), VIEW_PAGES)
def test_view_pages_in_scope_200_out_of_scope_404(client, world, persona, name, kind):
    login(client, persona)
    missing_path = reverse(name, args=[999999])
    missing = client.get(missing_path)
    assert missing.status_code == 404
    for key in world.households:
        path = reverse(name, args=[target(world, kind, key)])
        response = client.get(path)
        if key in SEES[persona]:
            assert response.status_code == 200, (key, path)
        else:
            assert response.status_code == 404, (key, path)
            assert page_body(response, path) == page_body(missing, missing_path)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kind"), MANAGE_PAGES)
def test_manage_pages_in_scope_200_out_of_scope_404(client, world, persona, name, kind):
    login(client, persona)
    for key in world.households:
        path = reverse(name, args=[target(world, kind, key)])
        response = client.get(path)
        if persona == "auditor":
            assert response.status_code == 403, path
        elif key in MANAGES[persona]:
            assert response.status_code == 200, (key, path)
        else:
            assert response.status_code == 404, (key, path)


@pytest.mark.parametrize("persona", PERSONAS)
def test_list_shows_exactly_the_households_in_scope(client, world, persona):
    login(client, persona)
    response = client.get(reverse("households:list"))
    assert response.status_code == 200
    shown = {row.household.pk for row in response.context["page"].object_list}
    assert shown == {world.households[k].pk for k in SEES[persona]}


ALL_URLS = [
    ("households:list", None),
    ("households:create", None),
    ("households:merge", None),
    ("households:detail", "household"),
    ("households:edit", "household"),
    ("households:status", "household"),
    ("households:assign", "household"),
    ("households:person_add", "household"),
    ("households:person", "person"),
    ("households:person_edit", "person"),
    ("households:person_status", "person"),
    ("households:person_citizen_id", "person"),
    ("households:consent_add", "person"),
    ("households:consent_withdraw", "consent"),
]


@pytest.mark.parametrize(("name", "kind"), ALL_URLS)
def test_anonymous_users_are_sent_to_login(client, world, name, kind):
    before = snapshot()
    args = [target(world, kind, "a1")] if kind else []
    for method in (client.get, client.post):
        response = method(reverse(name, args=args))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    assert snapshot() == before


def test_user_without_a_role_is_refused(client, world, django_user_model):
    client.force_login(django_user_model.objects.create_user("norole", password="x"))
    assert client.get(reverse("households:list")).status_code == 403
    path = reverse("households:detail", args=[world.households["a1"].pk])
    assert client.get(path).status_code == 403


# --- Denied writes change nothing ----------------------------------------------------------


def denied_posts(world, key: str) -> list[tuple[str, dict]]:
    household, person = world.households[key], world.people[key]
    consent = person.consents.get()
    return [
        (
            reverse("households:edit", args=[household.pk]),
            {"area": household.area_id, "house_no": "99", "road": "ถนนแฮก", "version": 1},
        ),
        (
            reverse("households:status", args=[household.pk]),
            {"status": "closed", "reason": "x", "version": 1},
        ),
        (
            reverse("households:assign", args=[household.pk]),
            {"volunteer": world.volunteers["a"].pk},
        ),
        (
            reverse("households:person_add", args=[household.pk]),
            {
                "p-first_name": "แฮก",
                "p-document_type": "none",
                "c-basis": "consent",
                "c-purpose": "x",
                "c-given_on": "1/1/2568",
                "confirm_distinct": "1",
            },
        ),
        (
            reverse("households:person_edit", args=[person.pk]),
            {"first_name": "แฮก", "document_type": "none", "version": 1},
        ),
        (
            reverse("households:person_status", args=[person.pk]),
            {"status": "deceased", "happened_on": "1/1/2568", "version": 1},
        ),
        (
            reverse("households:consent_add", args=[person.pk]),
            {"basis": "consent", "purpose": "x", "given_on": "1/1/2568"},
        ),
        (
            reverse("households:consent_withdraw", args=[consent.pk]),
            {"withdrawn_on": "1/1/2568", "reason": "x"},
        ),
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_denied_posts_change_nothing(client, world, persona):
    login(client, persona)
    before = snapshot()
    for key in world.households:
        if key in MANAGES[persona]:
            continue
        for path, data in denied_posts(world, key):
            response = client.post(path, data)
            expected = 403 if persona == "auditor" else 404
            assert response.status_code == expected, (key, path)
    assert snapshot() == before


def test_volunteer_cannot_assign_volunteers(client, world):
    colleague = VolunteerFactory.create(area_id="860101")
    login(client, "volunteer_a")
    before = snapshot()
    path = reverse("households:assign", args=[world.households["a1"].pk])
    assert client.post(path, {"volunteer": colleague.pk}).status_code == 403
    assert snapshot() == before


def test_merge_is_for_coordinators_and_scoped(client, world):
    a1, b1 = world.people["a1"], world.people["b1"]
    before = snapshot()
    for persona, status in (("volunteer_a", 403), ("auditor", 403)):
        login(client, persona)
        assert client.get(reverse("households:merge")).status_code == status
    login(client, "district_coordinator_a")
    path = f"{reverse('households:merge')}?a={a1.pk}&b={b1.pk}"
    assert client.get(path).status_code == 404
    response = client.post(path, {"survivor": a1.pk, "confirm": "on", "versions": "1-1"})
    assert response.status_code == 404
    assert client.get(f"{reverse('households:merge')}?a=x&b={a1.pk}").status_code == 404
    assert snapshot() == before
    refused = client.get(path)  # the pick form again, with a reason that names no one
    assert 'role="alert"' in refused.text and b1.first_name not in refused.text
    assert f'value="{b1.pk}"' in refused.text


def test_a_record_no_of_thousands_of_digits_is_no_record_not_an_error(client, world):
    login(client, "district_coordinator_a")
    huge = "9" * 5000  # past the digits Python's int() takes
    response = client.get(f"{reverse('households:merge')}?a={huge}&b=1")
    assert response.status_code in (200, 404)
    move = reverse("households:person_move", args=[world.people["a1"].pk])
    assert client.get(f"{move}?to={huge}").status_code in (200, 404)


# --- Pages that work -----------------------------------------------------------------------


def register_data(**changes) -> dict:
    data = {
        "h-area": "86010101",
        "h-house_no": "45/1",
        "h-soi": "ร่วมใจ",
        "h-latitude": "10.4931",
        "h-longitude": "99.1802",
        "p-title": "นาง",
        "p-first_name": "บุญมา",
        "p-last_name": "ทองดี",
        "p-citizen_id": citizen_id.formatted(new_citizen_id()),
        "p-birth_date": "12/03/2490",
        "p-relation": "head",
        "p-bedridden": "on",
        "p-lives_alone": "on",
        "p-elderly_allowance": "on",
        "c-basis": "consent",
        "c-purpose": "ดูแลสวัสดิการ",
        "c-given_on": "01/02/2568",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_list_links_to_an_export_of_its_area(client, world):
    login(client, "district_coordinator_a")
    response = client.get(reverse("households:list"), {"area": "860101"})
    part = response.text.split('data-testid="export-list"')[1][:600]
    assert "/spreadsheets/export/households.xlsx?area=860101" in part
    assert "/spreadsheets/export/households.csv?area=860101" in part
    assert "withdrew consent are not in the file" in part or "ถอนความยินยอม" in part
    assert 'data-testid="thai-file"' not in response.text  # said in English only
    client.cookies["carenet_language"] = "en"
    english = client.get(reverse("households:list"), {"area": "860101"}).text
    assert 'data-testid="thai-file"' in english and "The file is in Thai" in english
    login(client, "volunteer_a")  # volunteers do not export
    assert 'data-testid="export-list"' not in client.get(reverse("households:list")).text


def test_a_second_household_at_a_registered_address_is_questioned(client, world):
    """Whatever the names, a house no. already registered in the village is said first: most
    often it is the same family registered twice. Another family in the same house is
    registered once confirmed."""
    there = HouseholdFactory.create(area_id="86010101", house_no="99/1")
    login(client, "district_coordinator_a")
    data = register_data(**{"h-house_no": "99/1", "p-first_name": "ลำดวน"})
    response = client.post(reverse("households:create"), data)
    assert response.status_code == 200
    assert response.context["at_address"] == [there]
    assert b'data-testid="at-address"' in response.content
    assert Household.objects.filter(house_no="99/1").count() == 1
    confirmed = client.post(reverse("households:create"), {**data, "confirm_address": "1"})
    assert confirmed.status_code == 302
    assert Household.objects.filter(house_no="99/1").count() == 2
    # The village written as its หมู่ under the subdistrict is the same village.
    again = register_data(**{"h-area": "860101", "h-moo": "1", "h-house_no": "๙๙/๑"})
    response = client.post(reverse("households:create"), {**again, "p-first_name": "สมใจ"})
    assert len(response.context["at_address"]) == 2


def test_a_person_confirmed_different_is_said_so_while_the_address_is_asked(client, world):
    """Two questions on one page: the first answer is shown as given, not asked again."""
    there = HouseholdFactory.create(area_id="86010101", house_no="99/1")
    twin = PersonFactory.create(household=there, first_name="ลำดวน", birth_date=date(1950, 1, 5))
    login(client, "district_coordinator_a")
    typed = {"h-house_no": "99/1", "p-first_name": "ลำดวน", "p-last_name": twin.last_name}
    data = register_data(**typed, **{"p-birth_date": "05/01/2493"})
    first = client.post(reverse("households:create"), data)
    assert 'data-testid="confirm-distinct"' in first.text
    second = client.post(reverse("households:create"), {**data, "confirm_distinct": "1"})
    assert second.status_code == 200 and 'data-testid="at-address"' in second.text
    assert 'data-testid="distinct-confirmed"' in second.text
    assert 'data-testid="confirm-distinct"' not in second.text
    done = client.post(
        reverse("households:create"), {**data, "confirm_distinct": "1", "confirm_address": "1"}
    )
    assert done.status_code == 302


@pytest.mark.parametrize(
    ("area", "typed"),
    [("86010101", "12 / 3"), ("86010101", "เลขที่ 12/3"), ("860101", "บ้านเลขที่ ๑๒/๓ ม.1")],
)
def test_the_address_check_compares_the_house_no_as_it_would_be_stored(client, world, area, typed):
    """Spaces, Thai digits, "เลขที่" and a หมู่ written after the number are stored as 12/3 in
    หมู่ 1: the check sees the household already there."""
    there = HouseholdFactory.create(area_id="86010101", house_no="12/3")
    HouseholdFactory.create(area_id="86010101", house_no="12/03")  # zeros are kept apart
    login(client, "district_coordinator_a")
    data = register_data(**{"h-area": area, "h-house_no": typed, "p-first_name": "ลำดวน"})
    response = client.post(reverse("households:create"), data)
    assert response.status_code == 200
    assert response.context["at_address"] == [there]
    assert Household.objects.filter(house_no="12/3").count() == 1


def test_the_address_check_shows_only_households_in_scope(client, world):
    """A volunteer is not shown a household they cannot open, even at the same house no."""
    HouseholdFactory.create(area_id="86010101", house_no="12/3")  # not assigned to them
    login(client, "volunteer_a")
    data = register_data(**{"h-house_no": "12 / 3", "p-first_name": "ลำดวน"})
    response = client.post(reverse("households:create"), data)
    assert response.status_code == 302
    assert Household.objects.filter(house_no="12/3").count() == 2


def test_the_address_check_needs_a_login(client, world):
    data = register_data(**{"h-house_no": "12 / 3", "p-first_name": "ลำดวน"})
    response = client.post(reverse("households:create"), data)
    assert response.status_code == 302 and "/login" in response["Location"]
    assert not Household.objects.filter(house_no="12/3").exists()


def test_register_a_household_with_its_first_member(client, world):
    login(client, "district_coordinator_a")
    page = client.get(reverse("households:create"))
    assert page.status_code == 200
    response = client.post(reverse("households:create"), register_data())
    assert response.status_code == 302
    household = Household.objects.get(house_no="45/1")
    assert response["Location"] == reverse("households:detail", args=[household.pk])
    assert household.head.first_name == "บุญมา"
    assert household.head.birth_date.year == 1947
    assert household.priority_score >= 10
    assert household.head.consents.get().given_on.year == 2025
    detail = client.get(response["Location"])
    assert detail.status_code == 200
    assert b'data-group="bedridden_alone"' in detail.content
    assert b"map-link" in detail.content
    digits = household.head.read_citizen_id()
    assert digits.encode() not in detail.content
    assert citizen_id.formatted(digits).encode() not in detail.content
    assert citizen_id.masked(digits).encode() in detail.content


def neighbours_near(lat: str, lon: str, count: int = 5) -> None:
    for _ in range(count):
        HouseholdFactory.create(area_id="86010102", latitude=lat, longitude=lon)


def test_a_gps_point_far_from_the_subdistricts_households_is_questioned(client, world):
    neighbours_near("10.4931", "99.1802")
    login(client, "district_coordinator_a")
    near = client.post(reverse("households:create"), register_data(), follow=True)
    assert "GPS" not in " ".join(str(m) for m in near.context["messages"])
    # Bangkok, about 390 km from ท่าตะเภา.
    far = register_data(
        **{"h-house_no": "9", "h-latitude": "13.7563", "h-longitude": "100.5018"},
        **{"p-first_name": "สมหมาย", "p-birth_date": "01/01/2500", "h-soi": ""},
    )
    response = client.post(reverse("households:create"), far, follow=True)
    warning = [str(m) for m in response.context["messages"] if "GPS" in str(m)]
    assert warning and "ท่าตะเภา" in warning[0] and re.search(r"\b3\d\d กม\.", warning[0])
    assert Household.objects.filter(house_no="9").exists()  # saved: only a question


def test_a_gps_point_with_too_few_neighbours_says_nothing(client, world):
    neighbours_near("10.4931", "99.1802", count=4)
    login(client, "district_coordinator_a")
    far = register_data(**{"h-latitude": "13.7563", "h-longitude": "100.5018"})
    response = client.post(reverse("households:create"), far, follow=True)
    assert response.status_code == 200
    assert not [m for m in response.context["messages"] if "GPS" in str(m)]


def test_volunteer_registers_and_sees_their_household(client, world):
    login(client, "volunteer_a")
    response = client.post(reverse("households:create"), register_data(**{"h-area": "86010102"}))
    assert response.status_code == 302
    household = Household.objects.get(house_no="45/1")
    assert list(household.volunteers.all()) == [world.volunteers["a"]]
    assert client.get(response["Location"]).status_code == 200


def test_register_shows_likely_duplicates_first(client, world):
    login(client, "district_coordinator_a")
    existing = world.people["a1"]
    data = register_data(
        **{
            "p-first_name": existing.first_name,
            "p-last_name": existing.last_name,
            "p-birth_date": existing.birth_date.strftime("%d/%m/%Y"),
            "p-citizen_id": "",
            "p-document_type": "none",
            "p-elderly_allowance": None,  # under 60: would be asked about as well
        }
    )
    response = client.post(reverse("households:create"), data)
    assert response.status_code == 200
    assert existing in [c.person for c in response.context["duplicates"].candidates]
    assert b'data-testid="confirm-distinct"' in response.content
    assert not Household.objects.filter(house_no="45/1").exists()
    confirmed = client.post(reverse("households:create"), {**data, "confirm_distinct": "1"})
    assert confirmed.status_code == 302
    assert Household.objects.filter(house_no="45/1").exists()


def test_the_same_citizen_id_cannot_be_confirmed_as_another_person(client, world):
    digits = new_citizen_id()
    holder = world.people["b1"]  # outside district A: not shown, but still refused
    holder.set_citizen_id(digits)
    holder.save()
    login(client, "district_coordinator_a")
    data = register_data(**{"p-citizen_id": digits})
    response = client.post(reverse("households:create"), data)
    assert response.context["duplicates"].citizen_id_elsewhere
    assert b'data-testid="confirm-distinct"' not in response.content
    forced = client.post(reverse("households:create"), {**data, "confirm_distinct": "1"})
    assert forced.status_code == 400
    assert forced.context["person_form"].errors["citizen_id"]
    assert not Household.objects.filter(house_no="45/1").exists()


def test_answers_about_people_outside_the_scope_are_logged_and_limited(client, world, monkeypatch):
    """Whether an ID is registered elsewhere is told, and logged; past the day's allowance,
    no ID is checked against other areas, so nobody with an ID can be registered: refusing
    only the registered ones would answer all the same."""
    monkeypatch.setattr(disclosure, "ELSEWHERE_PER_DAY", 2)
    digits = new_citizen_id()
    holder = world.people["b1"]
    holder.set_citizen_id(digits)
    holder.save()
    login(client, "district_coordinator_a")
    data = register_data(**{"p-citizen_id": digits})
    for _ in range(2):
        assert (
            client.post(reverse("households:create"), data)
            .context["duplicates"]
            .citizen_id_elsewhere
        )
    told = AuditEvent.objects.filter(action=disclosure.AUDIT_ACTION)
    assert told.count() == 2
    assert told.first().actor.username == "district_coordinator_a"
    # Whose registration was disclosed, for an auditor.
    assert {(e.target_type, e.target_id) for e in told} == {("households.person", str(holder.pk))}
    unregistered = register_data(**{"p-citizen_id": new_citizen_id()})
    for payload in (data, unregistered, {**unregistered, "confirm_distinct": "1"}):
        response = client.post(reverse("households:create"), payload)
        found = response.context["duplicates"]
        assert found.unchecked_id and not found.citizen_id_elsewhere
        assert b'data-testid="unchecked-id"' in response.content
        assert b'data-testid="confirm-distinct"' not in response.content
    assert told.count() == 2
    assert not Household.objects.filter(house_no="45/1").exists()
    # Someone without a citizen ID can still be registered; others keep their allowance.
    no_id = register_data(**{"p-citizen_id": "", "p-document_type": "none"})
    assert client.post(reverse("households:create"), no_id).status_code == 302
    login(client, "province_officer")
    elsewhere = {**unregistered, "h-house_no": "7", "p-first_name": "ประยูร"}
    assert client.post(reverse("households:create"), elsewhere).status_code == 302


def test_an_id_typed_on_an_edit_is_told_and_limited_as_on_registration(client, world, monkeypatch):
    monkeypatch.setattr(disclosure, "ELSEWHERE_PER_DAY", 1)
    digits = new_citizen_id()
    holder = world.people["b1"]  # outside district A
    holder.set_citizen_id(digits)
    holder.save()
    person = world.people["a1"]
    login(client, "district_coordinator_a")
    url = reverse("households:person_edit", args=[person.pk])
    page = client.get(url)
    data = {
        key: value
        for key, value in page.context["form"].initial.items()
        if value not in (None, False)
    }
    taken = client.post(url, {**data, "citizen_id": digits})
    assert taken.status_code == 400
    [told] = AuditEvent.objects.filter(action=disclosure.AUDIT_ACTION)
    assert told.target_id == str(holder.pk)
    fresh = client.post(url, {**data, "citizen_id": new_citizen_id()})
    assert fresh.status_code == 400
    assert "จนถึงพรุ่งนี้" in fresh.context["form"].errors["citizen_id"][0]
    person.refresh_from_db()
    assert person.read_citizen_id() != digits


@pytest.mark.parametrize(
    ("changes", "form", "field"),
    [
        ({"p-birth_date": "31/02/2568"}, "person_form", "birth_date"),
        ({"p-birth_date": "เมื่อวาน"}, "person_form", "birth_date"),
        ({"p-citizen_id": bad_checksum(new_citizen_id())}, "person_form", "citizen_id"),
        ({"p-citizen_id": "", "p-document_type": ""}, "person_form", "document_type"),
        ({"p-first_name": ""}, "person_form", "first_name"),
        ({"p-phone": "โทรมา"}, "person_form", "phone"),
        ({"p-phone": "081-234-567"}, "person_form", "phone"),  # a mobile has 10 digits
        ({"p-sex": "Z"}, "person_form", "sex"),
        ({"h-latitude": "abc"}, "household_form", "latitude"),
        ({"h-latitude": "1.3", "h-longitude": "103.8"}, "household_form", "latitude"),
        ({"h-area": "86020101"}, "household_form", "area"),  # not district A's
        ({"h-area": "99999999"}, "household_form", "area"),
        ({"h-area": "'; drop table"}, "household_form", "area"),
        ({"h-moo": "ห้า"}, "household_form", "moo"),
        ({"c-basis": None}, "consent_form", "basis"),
        ({"c-given_on": "01/01/2600"}, "consent_form", "given_on"),
    ],
)
def test_bad_input_is_shown_beside_its_field(client, world, changes, form, field):
    login(client, "district_coordinator_a")
    before = snapshot()
    response = client.post(reverse("households:create"), register_data(**changes))
    assert response.status_code == 400
    assert field in response.context[form].errors
    assert b"field-error" in response.content
    assert snapshot() == before


def test_the_consent_basis_is_chosen_not_preset(client, world):
    login(client, "district_coordinator_a")
    page = client.get(reverse("households:create"))
    assert page.context["consent_form"]["basis"].value() is None
    assert 'name="c-basis" value="consent" checked' not in page.text.replace("\n", " ")


def test_add_a_member_to_a_household(client, world):
    login(client, "volunteer_a")
    household = world.households["a1"]
    path = reverse("households:person_add", args=[household.pk])
    assert client.get(path).status_code == 200
    data = {
        "p-title": "ด.ญ.",
        "p-first_name": "ใบเตย",
        "p-birth_date": "2020-05-01",
        "p-document_type": "birth_certificate",
        "p-document_no": "ก123",
        "p-relation": "grandchild",
        "c-basis": "guardian",
        "c-given_by": "นางบุญมี รักดี",
        "c-given_by_relation": "ยาย",
        "c-purpose": "ดูแล",
        "c-given_on": "1/5/2568",
    }
    response = client.post(path, data)
    assert response.status_code == 302
    child = Person.objects.get(first_name="ใบเตย")
    assert (child.title, child.sex, child.area_id) == ("เด็กหญิง", "F", household.area_id)
    household.refresh_from_db()
    assert household.member_count == 2
    assert "child" in household.vulnerability


def test_a_new_head_is_said_and_audited_and_the_former_head_stays(client, world):
    login(client, "volunteer_a")
    household, former = world.households["a1"], world.people["a1"]
    data = {
        "p-title": "นาง",
        "p-first_name": "บุญมี",
        "p-birth_date": "1970-05-01",
        "p-document_type": "none",
        "p-relation": "head",
        "c-basis": "consent",
        "c-purpose": "ดูแล",
        "c-given_on": "1/5/2568",
        "p-confirm_checks": "1",  # asked first (test_to_confirm), then confirmed
    }
    response = client.post(reverse("households:person_add", args=[household.pk]), data)
    assert response.status_code == 302
    page = client.get(response["Location"])
    warning = [str(m) for m in page.context["messages"] if m.level_tag == "warning"]
    assert len(warning) == 1 and former.full_name in warning[0]
    household.refresh_from_db()
    former.refresh_from_db()
    assert household.head.first_name == "บุญมี"
    assert (former.relation, former.status) == ("", "active")
    event = AuditEvent.objects.get(action="household.head_change")
    assert event.details == {"from": former.pk, "to": household.head_id}


def test_the_person_page_shows_what_happened_to_the_record(client, world):
    """A death, with its reason and who recorded it, is on the person's page: the audit log
    is not the coordinators'."""
    person = world.people["a1"]
    login(client, "district_coordinator_a")
    status = reverse("households:person_status", args=[person.pk])
    changed = client.post(
        status,
        {"status": "deceased", "happened_on": "20/11/2568", "reason": "ญาติแจ้ง", "version": 1},
    )
    assert changed.status_code == 302
    page = client.get(reverse("households:person", args=[person.pk])).text
    history = page.split('data-testid="person-history"')[1].split("</ul>")[0]
    assert "20 พ.ย. 2568" in history and "ญาติแจ้ง" in history  # the day it happened
    assert "บันทึกเมื่อ" in history


def test_when_the_last_member_dies_the_household_is_offered_to_close(client, world):
    """Not closed by itself: the volunteer is told, and closes it (or marks it moved) in one
    step from the person's page or the household's."""
    person, household = world.people["a1"], world.households["a1"]
    login(client, "volunteer_a")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("households:person", args=[person.pk])).text
    assert 'data-testid="household-emptied"' not in page  # someone still lives there
    status = reverse("households:person_status", args=[person.pk])
    died = {"status": "deceased", "happened_on": "28/11/2569", "reason": "ชรา", "version": 1}
    response = client.post(status, died, follow=True)
    household.refresh_from_db()
    assert household.status == HouseholdStatus.ACTIVE  # nothing changed by itself
    page = response.content.decode()
    assert 'data-testid="household-emptied"' in page
    assert f"The last member living here, {person.full_name}, died." in page
    offer = page.split('data-testid="household-emptied"')[1].split("</section>")[0]
    assert offer.index('data-testid="emptied-closed"') < offer.index('data-testid="emptied-moved"')
    assert 'class="button primary" data-testid="emptied-closed"' in offer
    detail = client.get(reverse("households:detail", args=[household.pk])).text
    assert 'data-testid="household-emptied"' in detail
    close = {"status": "closed", "reason": "The last member died.", "version": household.version}
    closed = client.post(reverse("households:status", args=[household.pk]), close)
    assert closed.status_code == 302
    household.refresh_from_db()
    assert household.status == HouseholdStatus.CLOSED
    assert 'data-testid="household-emptied"' not in client.get(closed["Location"]).text


def test_when_the_last_member_moves_away_marking_it_moved_comes_first(client, world):
    person = world.people["a1"]
    login(client, "volunteer_a")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    status = reverse("households:person_status", args=[person.pk])
    moved = {"status": "moved", "happened_on": "1/11/2569", "version": 1}
    page = client.post(status, moved, follow=True).content.decode()
    offer = page.split('data-testid="household-emptied"')[1].split("</section>")[0]
    assert f"{person.full_name}, moved away." in offer
    assert 'class="button primary" data-testid="emptied-moved"' in offer


def test_the_offer_to_close_is_only_for_who_may_change_the_household(client, world):
    person, household = world.people["a2"], world.households["a2"]
    Person.objects.filter(pk=person.pk).update(status=PersonStatus.DECEASED)
    Household.objects.filter(pk=household.pk).update(member_count=0)
    for persona, shown in (("district_coordinator_a", True), ("auditor", False)):
        login(client, persona)
        for url in (
            reverse("households:detail", args=[household.pk]),
            reverse("households:person", args=[person.pk]),
        ):
            assert ('data-testid="household-emptied"' in client.get(url).text) is shown, persona


def test_a_death_or_a_move_needs_the_day_it_happened_and_nothing_is_chosen_beforehand(
    client, world
):
    person = world.people["a1"]
    login(client, "district_coordinator_a")
    page = client.get(reverse("households:person", args=[person.pk])).text
    form = page.split('name="status"')[1].split("</select>")[0]
    assert '<option value="" selected>' in form
    status = reverse("households:person_status", args=[person.pk])
    for data, field in (
        ({"status": "deceased"}, "happened_on"),
        ({"status": "moved", "happened_on": "1/1/2600"}, "happened_on"),
        ({"status": "deceased", "happened_on": "1/1/2400"}, "happened_on"),  # before birth
        ({"happened_on": "1/1/2568"}, "status"),
    ):
        refused = client.post(status, {**data, "version": 1})
        assert refused.status_code == 400, data
        assert field in refused.context["status_form"].errors, data
        offered = refused.context["status_form"].fields["status"].choices
        assert "active" not in [value for value, _label in offered]  # what it is already
    person.refresh_from_db()
    assert person.status == "active"


def test_a_purpose_carenet_wrote_is_shown_in_the_pages_language(client, world, settings):
    """The form's default purpose was stored in English by an English page; an import's in
    Thai. Each reads in the page's language; a typed purpose stays as typed."""
    person = world.people["a1"]
    consent = person.consents.get()
    consent.purpose = models.DEFAULT_PURPOSE  # the msgid is the English
    consent.save()
    login(client, "district_coordinator_a")
    page = client.get(reverse("households:person", args=[person.pk])).text
    with translation.override("th"):
        thai = translation.gettext(models.DEFAULT_PURPOSE)
    assert thai in page and models.DEFAULT_PURPOSE not in page
    consent.purpose = "นำเข้าจากทะเบียน"
    consent.save()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert (
        "Imported from a register"
        in client.get(reverse("households:person", args=[person.pk])).text
    )


def test_person_page_logs_the_view_and_masks_the_id(client, world):
    digits = new_citizen_id()
    person = world.people["a1"]
    person.set_citizen_id(digits)
    person.save()
    login(client, "volunteer_a")
    response = client.get(reverse("households:person", args=[person.pk]))
    assert response.status_code == 200
    assert digits.encode() not in response.content
    assert citizen_id.masked(digits).encode() in response.content
    event = AuditEvent.objects.get(action="person.view")
    assert event.target_id == str(person.pk)


def test_a_disability_card_number_that_is_the_citizen_id_is_masked_as_one(client, world):
    """The current card carries its holder's citizen ID: shown in full it would undo the
    ID's masking."""
    digits = new_citizen_id()
    person = world.people["a1"]
    Person.objects.filter(pk=person.pk).update(
        disability=True, disability_card_no=citizen_id.formatted(digits)
    )
    login(client, "volunteer_a")
    page = client.get(reverse("households:person", args=[person.pk])).text
    assert digits not in page.replace("-", "") and citizen_id.masked(digits) in page
    Person.objects.filter(pk=person.pk).update(disability_card_no="ชพ 12345")  # another kind
    assert "ชพ 12345" in client.get(reverse("households:person", args=[person.pk])).text


def test_household_page_logs_the_view_of_its_members_health(client, world):
    household = world.people["a1"].household
    login(client, "volunteer_a")
    assert client.get(reverse("households:detail", args=[household.pk])).status_code == 200
    event = AuditEvent.objects.get(action="household.view")
    assert (event.target_id, event.area_code) == (str(household.pk), household.area_id)
    login(client, "volunteer_b")  # out of scope: a 404, and nothing read to log
    assert client.get(reverse("households:detail", args=[household.pk])).status_code == 404
    assert AuditEvent.objects.filter(action="household.view").count() == 1


def test_showing_the_full_citizen_id_is_explicit_and_logged(client, world):
    digits = new_citizen_id()
    person = world.people["a1"]
    person.set_citizen_id(digits)
    person.save()
    login(client, "volunteer_a")
    path = reverse("households:person_citizen_id", args=[person.pk])
    assert client.get(path).status_code == 405
    response = client.post(path)
    assert response.status_code == 200
    assert citizen_id.formatted(digits).encode() in response.content
    assert response["Cache-Control"] == "no-store"
    assert AuditEvent.objects.filter(action="person.citizen_id.read").count() == 1
    login(client, "volunteer_b")
    assert client.post(path).status_code == 404
    assert AuditEvent.objects.filter(action="person.citizen_id.read").count() == 1


def test_the_read_only_auditor_sees_who_read_an_id_not_the_id(client, world):
    person = world.people["a1"]
    person.set_citizen_id(new_citizen_id())
    person.save()
    login(client, "auditor")
    page = client.get(reverse("households:person", args=[person.pk]))
    assert page.status_code == 200 and b'data-testid="show-id"' not in page.content
    path = reverse("households:person_citizen_id", args=[person.pk])
    assert client.post(path).status_code == 403
    assert not AuditEvent.objects.filter(action="person.citizen_id.read").exists()


def test_a_stale_edit_shows_the_saved_record_and_what_the_form_said(client, world):
    person = world.people["a1"]
    login(client, "district_coordinator_a")
    path = reverse("households:person_edit", args=[person.pk])
    form = client.get(path).context["form"]
    assert form.initial["version"] == 1
    # someone else saves a new phone first
    Person.objects.filter(pk=person.pk).update(version=2, phone="0811111111")
    data = {**{k: v for k, v in form.initial.items() if v is not None}, "first_name": "ชื่อใหม่"}
    data["phone"] = person.phone  # the old phone, as the form showed it
    data["document_type"] = "none"
    response = client.post(path, data)
    assert response.status_code == 409, response.context["form"].errors
    page = response.content.decode()
    assert "ชื่อใหม่" in page  # what the user typed is in the message, not lost
    assert 'value="0811111111"' in page  # the form shows the saved phone, not the old one
    assert 'name="version" value="2"' in page
    person.refresh_from_db()
    assert person.first_name != "ชื่อใหม่" and person.phone == "0811111111"
    # Saving the form as the page now shows it keeps the other person's phone.
    again = response.context["form"]
    data = {k: v for k, v in again.initial.items() if v not in (None, False)}
    again = client.post(path, {**data, "first_name": "ชื่อใหม่", "document_type": "none"})
    assert again.status_code == 302
    person.refresh_from_db()
    assert (person.first_name, person.phone) == ("ชื่อใหม่", "0811111111")


def edit_data(form) -> dict:
    """What the edit form sends back as the page showed it."""
    return {k: v for k, v in form.initial.items() if v not in (None, "")} | {
        "area": form.initial["area"]
    }


def test_changing_the_village_of_a_household_needs_no_other_change(client, world):
    """The หมู่ box is left empty for a listed village, so choosing another village is all."""
    household = world.households["a1"]
    login(client, "district_coordinator_a")
    path = reverse("households:edit", args=[household.pk])
    form = client.get(path).context["form"]
    assert form.initial["moo"] is None
    response = client.post(path, {**edit_data(form), "area": "86010102"})
    assert response.status_code == 302
    household.refresh_from_db()
    assert (household.area_id, household.moo) == ("86010102", 2)


def test_the_moo_of_an_unlisted_village_does_not_stop_choosing_a_listed_one(client, world):
    household = HouseholdFactory.create(area_id="860101", moo=7)
    login(client, "district_coordinator_a")
    path = reverse("households:edit", args=[household.pk])
    form = client.get(path).context["form"]
    assert form.initial["moo"] == 7  # the box is where an unlisted village keeps its หมู่
    response = client.post(path, {**edit_data(form), "area": "86010102"})
    assert response.status_code == 302
    household.refresh_from_db()
    assert (household.area_id, household.moo) == ("86010102", 2)


def test_a_moo_typed_against_the_chosen_village_is_still_refused(client, world):
    household = world.households["a1"]
    login(client, "district_coordinator_a")
    path = reverse("households:edit", args=[household.pk])
    form = client.get(path).context["form"]
    response = client.post(path, {**edit_data(form), "area": "86010102", "moo": "1"})
    assert response.status_code == 400
    assert "moo" in response.context["form"].errors
    household.refresh_from_db()
    assert household.area_id == "86010101"


@pytest.mark.parametrize("persona", [None, "district_coordinator_b", "volunteer_b"])
def test_changing_the_village_out_of_scope_changes_nothing(client, world, persona):
    household = world.households["a1"]
    if persona:
        login(client, persona)
    before = snapshot()
    path = reverse("households:edit", args=[household.pk])
    response = client.post(path, {"area": "86010102", "version": household.version})
    assert response.status_code == (404 if persona else 302)
    assert snapshot() == before


def test_household_edit_conflict(client, world):
    household = world.households["a1"]
    login(client, "district_coordinator_a")
    path = reverse("households:edit", args=[household.pk])
    Household.objects.filter(pk=household.pk).update(version=5, road="ถนนเดิม")
    response = client.post(
        path, {"area": "86010101", "house_no": household.house_no, "road": "ใหม่", "version": 1}
    )
    assert response.status_code == 409
    assert 'value="ถนนเดิม"' in response.content.decode()
    household.refresh_from_db()
    assert household.road == "ถนนเดิม"


def test_a_stale_edit_puts_back_only_the_users_own_changes(client, world):
    """Two coordinators open the same household; the first saves a ซอย, the second a ถนน. The
    second's form comes back with the saved ซอย and their own ถนน on it: saved again, both stay."""
    household = world.households["a1"]
    login(client, "district_coordinator_a")
    path = reverse("households:edit", args=[household.pk])
    opened = edit_data(client.get(path).context["form"])
    Household.objects.filter(pk=household.pk).update(version=2, soi="ซอยของตำบล")
    response = client.post(path, {**opened, "road": "ถนนของอำเภอ"})
    assert response.status_code == 409
    shown = response.context["form"].initial
    assert (shown["soi"], shown["road"], shown["version"]) == ("ซอยของตำบล", "ถนนของอำเภอ", 2)
    message = str(next(iter(response.context["messages"])))
    assert "ถนน" in message and "ซอย" not in message  # the ซอย was not theirs to list
    again = client.post(path, edit_data(response.context["form"]))
    assert again.status_code == 302
    household.refresh_from_db()
    assert (household.soi, household.road) == ("ซอยของตำบล", "ถนนของอำเภอ")


def test_a_field_both_changed_is_named_with_both_values(client, world):
    person = world.people["a1"]
    login(client, "district_coordinator_a")
    path = reverse("households:person_edit", args=[person.pk])
    opened = {k: v for k, v in client.get(path).context["form"].initial.items() if v is not None}
    Person.objects.filter(pk=person.pk).update(version=2, phone="0811111111")
    data = {**opened, "phone": "0822222222", "document_type": "none"}
    response = client.post(path, data)
    assert response.status_code == 409
    assert response.context["form"].initial["phone"] == "0822222222"
    message = str(next(iter(response.context["messages"])))
    assert "081-111-1111" in message or "0811111111" in message
    person.refresh_from_db()
    assert person.phone == "0811111111"  # nothing saved until the user saves again


def test_a_stale_edit_says_the_person_was_marked_deceased_meanwhile(client, world):
    person = world.people["a1"]
    login(client, "district_coordinator_a")
    path = reverse("households:person_edit", args=[person.pk])
    opened = {k: v for k, v in client.get(path).context["form"].initial.items() if v is not None}
    Person.objects.filter(pk=person.pk).update(version=2, status=PersonStatus.DECEASED)
    response = client.post(path, {**opened, "phone": "0822222222", "document_type": "none"})
    assert response.status_code == 409
    said = " ".join(str(m) for m in response.context["messages"])
    assert "เสียชีวิต" in said


def test_withdrawal_restricts_editing(client, world):
    person = world.people["a1"]
    consent = person.consents.get()
    login(client, "volunteer_a")
    path = reverse("households:consent_withdraw", args=[consent.pk])
    assert client.get(path).status_code == 200
    bad = client.post(path, {"withdrawn_on": "อะไร", "reason": ""})
    assert bad.status_code == 400
    response = client.post(path, {"withdrawn_on": "2/2/2568", "reason": "ไม่ประสงค์"})
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_on is not None
    edit = reverse("households:person_edit", args=[person.pk])
    page = client.get(edit)
    # Only the person's own details can still be corrected (PDPA s.35): the rest is locked.
    assert b'data-testid="correcting"' in page.content
    assert page.context["form"].fields["bedridden"].disabled
    client.post(
        edit, {"first_name": "แก้", "document_type": "none", "version": 1, "bedridden": "on"}
    )
    person.refresh_from_db()
    assert not person.bedridden
    status = reverse("households:person_status", args=[person.pk])
    moved = {"status": "moved", "happened_on": "1/1/2568", "version": person.version}
    assert client.post(status, moved).status_code == 302


def test_a_legal_basis_is_objected_to_not_withdrawn(client, world):
    """PDPA: a basis the person did not give is not withdrawn; their objection restricts the
    record all the same."""
    person = world.people["a1"]
    person.consents.update(basis="public_task")
    login(client, "volunteer_a")
    page = client.get(reverse("households:person", args=[person.pk])).text
    assert "บันทึกการคัดค้าน" in page and "บันทึกการถอนความยินยอม" not in page
    form = client.get(reverse("households:consent_withdraw", args=[person.consents.get().pk]))
    assert 'data-testid="objection"' in form.text


def test_household_status_and_assignment(client, world):
    household = world.households["a2"]
    volunteer = VolunteerFactory.create(area_id="860101")
    login(client, "district_coordinator_a")
    detail = client.get(reverse("households:detail", args=[household.pk]))
    assert volunteer in detail.context["assign_form"].fields["volunteer"].queryset
    assign_path = reverse("households:assign", args=[household.pk])
    assert client.post(assign_path, {"volunteer": volunteer.pk}).status_code == 302
    assert list(household.volunteers.all()) == [volunteer]
    other = VolunteerFactory.create(area_id="860102")
    assert client.post(assign_path, {"volunteer": other.pk}).status_code == 400
    removed = client.post(assign_path, {"volunteer": volunteer.pk, "action": "remove"})
    assert removed.status_code == 302
    assert not household.volunteers.exists()
    status_path = reverse("households:status", args=[household.pk])
    no_reason = {"status": "moved", "reason": "", "version": 1}
    assert client.post(status_path, no_reason).status_code == 400
    offered = detail.context["status_form"].fields["status"].choices
    assert [value for value, _label in offered] == ["", "moved", "closed"]  # not "active" again
    # Closing records whoever still lives there as moved away: the form says so first, with a
    # link to each member's status, where a death is recorded as one.
    living = detail.context["d"].members
    [warning] = re.findall(r'data-testid="status-members">(.*?)</div>', detail.text, re.S)
    for row in living:
        assert reverse("households:person", args=[row.person.pk]) + "#status" in warning
    moved = {"status": "moved", "reason": "ย้ายไปกรุงเทพ", "version": 1}
    assert client.post(status_path, moved).status_code == 302
    household.refresh_from_db()
    assert household.status == "moved"
    detail = client.get(reverse("households:detail", args=[household.pk]))
    offered = detail.context["status_form"].fields["status"].choices
    assert [value for value, _label in offered] == ["", "active", "closed"]
    assert 'data-testid="not-active"' in detail.text
    assert "ย้ายไปกรุงเทพ" in detail.text  # the reason, in the notice and the history
    assert 'data-testid="status-changes"' in detail.text
    timeline = client.get(reverse("visits:timeline", args=[household.pk]))
    assert "เปลี่ยนสถานะเป็น" in timeline.text and "ย้ายไปกรุงเทพ" in timeline.text
    assert f'action="{assign_path}" class="inline-form"' not in detail.text
    assert client.post(assign_path, {"volunteer": volunteer.pk}).status_code == 400
    assert not household.volunteers.exists()


def test_assign_choices_put_the_village_first_and_say_how_busy(client, world):
    household = world.households["a2"]
    elsewhere = VolunteerFactory.create(area_id="860101", first_name="กมล")
    covering = VolunteerFactory.create(area_id="860101", first_name="สมใจ")
    covering.villages.add(household.area_id)
    assign(HouseholdFactory.create(area_id=household.area_id), covering)
    login(client, "district_coordinator_a")
    page = client.get(reverse("households:detail", args=[household.pk])).text
    options = re.findall(r'<option value="\d+">([^<]+)</option>', page)
    assert options.index(f"{covering.full_name} (ดูแลหมู่บ้านนี้ · ดูแล 1 ครัวเรือน)") < options.index(
        f"{elsewhere.full_name} (หมู่บ้านอื่น · ดูแล 0 ครัวเรือน)"
    )


def test_merge_page(client, world):
    survivor = world.people["a1"]
    duplicate = PersonFactory.create(
        household=world.households["a2"],
        first_name=survivor.first_name,
        last_name=survivor.last_name,
        birth_date=survivor.birth_date,
    )
    login(client, "district_coordinator_a")
    person_page = client.get(reverse("households:person", args=[survivor.pk]))
    assert b'data-testid="possible-duplicates"' in person_page.content
    assert client.get(reverse("households:merge")).status_code == 200
    itself = client.get(f"{reverse('households:merge')}?a={survivor.pk}&b={survivor.pk}")
    assert itself.status_code == 200 and b'role="alert"' in itself.content
    assert b'name="survivor"' not in itself.content  # no comparison of a record with itself
    padded = client.get(f"{reverse('households:merge')}?a={survivor.pk}&b=0{survivor.pk}")
    assert b'role="alert"' in padded.content and b'name="survivor"' not in padded.content
    path = f"{reverse('households:merge')}?a={survivor.pk}&b={duplicate.pk}"
    assert client.get(path).status_code == 200
    before = snapshot()
    unconfirmed = client.post(path, {"survivor": survivor.pk, "versions": "1-1"})
    assert unconfirmed.status_code == 400
    assert snapshot() == before
    response = client.post(path, {"survivor": survivor.pk, "confirm": "on", "versions": "1-1"})
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.merged_into == survivor
    event = AuditEvent.objects.get(action="person.merge")
    assert event.details["duplicate"] == duplicate.pk
    # The survivor's page tells of the merge; the merged record where its consents went.
    kept = client.get(reverse("households:person", args=[survivor.pk])).text
    assert f"เลขที่รายการ {duplicate.pk}" in kept.split('data-testid="person-history"')[1]
    merged = client.get(reverse("households:person", args=[duplicate.pk])).text
    assert duplicate.consents.exists() or 'data-testid="consents-merged"' in merged
    # The same form again (the back button, a second tab): merged already, not a conflict.
    again = client.post(path, {"survivor": survivor.pk, "confirm": "on", "versions": "1-1"})
    assert again.status_code == 400
    assert "รวมแล้ว" in again.text and "แท็บอื่น" not in again.text


def test_the_merge_page_offers_the_values_that_differ(client, world):
    survivor = world.people["a1"]
    duplicate = PersonFactory.create(
        household=world.households["a2"],
        first_name=survivor.first_name,
        last_name=survivor.last_name,
        birth_date=date(1951, 6, 15),
        phone="0822222222",
    )
    login(client, "district_coordinator_a")
    path = f"{reverse('households:merge')}?a={survivor.pk}&b={duplicate.pk}"
    page = client.get(path).text
    assert 'data-testid="merge-values"' in page
    assert "15 มิถุนายน 2494" in page and 'name="keep_birth_date"' in page
    assert 'name="keep_last_name"' not in page  # the same in both
    versions = f"{survivor.version}-{duplicate.version}"
    response = client.post(
        path,
        {
            "survivor": survivor.pk,
            "confirm": "on",
            "versions": versions,
            "keep_birth_date": duplicate.pk,
            "keep_phone": survivor.pk,
        },
    )
    assert response.status_code == 302
    survivor.refresh_from_db()
    assert survivor.birth_date == date(1951, 6, 15)
    history = client.get(reverse("households:person", args=[survivor.pk])).text
    assert "วันเกิด" in history.split('data-testid="person-history"')[1]


def test_the_merge_choice_is_a_group_whose_radios_are_named_by_the_person(client, world):
    first, second = world.people["a1"], PersonFactory.create(household=world.households["a2"])
    login(client, "district_coordinator_a")
    page = client.get(f"{reverse('households:merge')}?a={first.pk}&b={second.pk}").text
    assert re.search(
        r'<fieldset class="merge-choice">\s*<legend[^>]*>เลือกรายการที่จะเก็บไว้</legend>', page
    )
    for p in (first, second):
        assert f'aria-labelledby="survivor-{p.pk}-name"' in page
        assert f'<strong class="merge-name" id="survivor-{p.pk}-name">' in page


def test_two_records_with_different_citizen_ids_are_not_offered_a_merge(client, world):
    survivor = world.people["a1"]
    survivor.set_citizen_id(new_citizen_id())
    survivor.save()
    other = PersonFactory.create(
        household=world.households["a2"],
        first_name=survivor.first_name,
        last_name=survivor.last_name,
        birth_date=survivor.birth_date,
        citizen_id=new_citizen_id(),
    )
    assert survivor.citizen_id_hash and other.citizen_id_hash != survivor.citizen_id_hash
    login(client, "district_coordinator_a")
    page = client.get(reverse("households:person", args=[survivor.pk])).text
    # Two citizen IDs are two people (twins): not even listed as a likely duplicate.
    assert reverse("households:person", args=[other.pk]) not in page
    assert f"?a={survivor.pk}&amp;b={other.pk}" not in page
    merge = client.get(f"{reverse('households:merge')}?a={survivor.pk}&b={other.pk}").text
    assert 'data-testid="merge-refused"' in merge and 'data-testid="submit"' not in merge


def test_merging_away_a_head_says_their_household_needs_one(client, world):
    survivor = world.people["a1"]  # head of a1
    duplicate = world.people["a2"]  # head of a2, which has a second member
    PersonFactory.create(household=world.households["a2"], relation="child")
    Person.objects.filter(pk=duplicate.pk).update(
        first_name=survivor.first_name,
        last_name=survivor.last_name,
        birth_date=survivor.birth_date,
        citizen_id_hash="",
        citizen_id_encrypted="",
    )
    login(client, "district_coordinator_a")
    path = f"{reverse('households:merge')}?a={survivor.pk}&b={duplicate.pk}"
    services.household_recompute(household=world.households["a2"])
    page = client.get(path).text
    assert str(world.households["a2"].pk) in page  # the cards tell the households apart
    assert page.count('data-testid="merge-headless"') == 1  # said before, not only after
    response = client.post(path, {"survivor": survivor.pk, "confirm": "on", "versions": "1-1"})
    assert response.status_code == 302
    warned = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    assert len(warned) == 1 and str(world.households["a2"].pk) in warned[0]
    world.households["a2"].refresh_from_db()
    assert world.households["a2"].head_id is None
    page = client.get(reverse("households:detail", args=[world.households["a2"].pk])).text
    assert "ไม่มีสมาชิกคนใดเป็นหัวหน้าครัวเรือน" in page


def test_the_merge_page_says_which_household_a_merge_would_close(client, world):
    survivor = world.people["a1"]
    alone = HouseholdFactory.create(area_id="86010101")
    duplicate = PersonFactory.create(
        household=alone,
        first_name=survivor.first_name,
        last_name=survivor.last_name,
        birth_date=survivor.birth_date,
    )
    services.household_recompute(household=alone)
    login(client, "district_coordinator_a")
    page = client.get(f"{reverse('households:merge')}?a={survivor.pk}&b={duplicate.pk}").text
    warnings = re.findall(r'data-testid="merge-closes">([^<]*)<', page)
    assert any(f" {alone.pk} " in warning for warning in warnings)


@pytest.mark.parametrize(
    "query",
    [
        "?page=abc&area=zz&group=<script>&level=x&status=y",
        "?area=86&q=" + "ก" * 300,
        "?page=-1&area=99999999",
        "?area=84",  # outside district A's scope: ignored, never widened
    ],
)
def test_list_survives_bad_filters(client, world, query):
    login(client, "district_coordinator_a")
    response = client.get(reverse("households:list") + query)
    assert response.status_code == 200
    shown = {row.household.pk for row in response.context["page"].object_list}
    assert shown <= {world.households[k].pk for k in SEES["district_coordinator_a"]}


def test_a_village_linked_from_an_area_page_is_shown_as_chosen_not_as_an_error(
    client, world, monkeypatch
):
    """An area page links each village's figures to the list with the village's code, which
    the filter's list leaves out when a scope holds many villages."""
    monkeypatch.setattr(selectors, "MAX_FILTER_AREAS", 2)
    login(client, "district_coordinator_a")
    response = client.get(reverse("households:list"), {"area": "86010101"})
    form = response.context["form"]
    assert not form.errors
    assert ("86010101", Area.objects.get(code="86010101").label) in form.fields["area"].choices
    assert 'value="86010101" selected' in response.text
    shown = {row.household.area_id for row in response.context["page"].object_list}
    assert shown == {"86010101"}
    outside = client.get(reverse("households:list"), {"area": "84010101"})
    said = outside.context["form"].errors["area"][0]  # out of scope: said, and ignored
    assert "84010101" in said and "ทุกพื้นที่ของท่าน" in said


def test_list_page_query_count_is_constant(client, world, django_assert_max_num_queries):
    login(client, "district_coordinator_a")
    path = reverse("households:list")
    client.get(path)  # warm the session

    def grow(n: int) -> None:
        for _ in range(n):
            household = HouseholdFactory.create(area_id="86010101", vulnerability=["elderly"])
            household.head = PersonFactory.create(household=household)
            household.save()
            PersonFactory.create(household=household)
            assign(household, world.volunteers["a"])

    grow(2)
    with django_assert_max_num_queries(30) as small:
        assert client.get(path).status_code == 200
    grow(20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(path)
    assert len(response.context["page"].object_list) == 3 + 22


def test_list_opens_on_active_households_and_can_show_all(client, world):
    Household.objects.filter(pk=world.households["a2"].pk).update(status="closed")
    login(client, "district_coordinator_a")
    response = client.get(reverse("households:list"))
    assert response.context["form"]["status"].value() == "active"
    assert response.context["page"].paginator.count == 2
    everything = client.get(reverse("households:list") + "?status=")
    assert everything.context["page"].paginator.count == 3


def test_the_filters_fold_away_after_a_search_that_sets_none(client, world):
    """On a phone the filters filled the first screen and hid the results of a search."""
    login(client, "district_coordinator_a")
    url = reverse("households:list")
    folded = 'class="filter-more" data-testid'  # no `open`
    assert folded in client.get(url).content.decode()
    # The form sends every filter with a search, the status at its default.
    sent = {"q": "ใจดี", "area": "", "group": "", "level": "", "status": "active"}
    assert folded in client.get(url, sent).content.decode()
    filtered = client.get(url, {**sent, "group": "elderly"}).content.decode()
    assert 'class="filter-more" open' in filtered and "(1)" in filtered
    every_status = client.get(url, {**sent, "status": ""}).content.decode()
    assert 'class="filter-more" open' in every_status


def test_a_wide_scope_types_the_village_code(client, world, monkeypatch):
    from carenet.households import selectors

    monkeypatch.setattr(selectors, "MAX_AREA_CHOICES", 2)
    login(client, "national_admin")
    page = client.get(reverse("households:create"))
    assert page.context["household_form"].fields["area"].typed
    refused = client.post(reverse("households:create"), register_data(**{"h-area": "8601"}))
    assert "area" in refused.context["household_form"].errors
    response = client.post(reverse("households:create"), register_data(**{"h-area": "840101"}))
    assert response.status_code == 302
    assert Household.objects.get(house_no="45/1").area_id == "840101"


@pytest.mark.parametrize("language", ["th", "en"])
def test_pages_render_in_both_languages(client, world, language):
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    login(client, "district_coordinator_a")
    person = world.people["a1"]
    for path in (
        reverse("households:list"),
        reverse("households:detail", args=[world.households["a1"].pk]),
        reverse("households:person", args=[person.pk]),
        reverse("households:create"),
        reverse("households:person_edit", args=[person.pk]),
        f"{reverse('households:merge')}?a={person.pk}&b={world.people['a2'].pk}",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert f'lang="{language}"'.encode() in response.content


@pytest.mark.parametrize(
    ("persona", "offered"),
    [("district_coordinator_a", True), ("district_coordinator_b", False), ("volunteer_b", False)],
)
def test_a_name_search_that_finds_nothing_offers_names_that_sound_like_it(
    client, world, persona, offered
):
    first, last = "จินต์จุฑา", "ทองประเสริฐ"
    Person.objects.filter(pk=world.people["p1"].pk).update(
        first_name=first, last_name=last, name_key=people.name_key(first, last)
    )
    login(client, persona)
    page = client.get(reverse("households:list"), {"q": "จินจุฑา"}).content.decode()
    assert ('data-testid="sounding-like"' in page) is offered
    assert (last in page) is offered


def test_a_name_search_says_which_member_it_found(client, world):
    """The list shows the head; a member found by name is named beside it."""
    household = world.households["a1"]
    member = PersonFactory.create(household=household, first_name="วุฒิ", last_name="ธีวร")
    Person.objects.filter(pk=member.pk).update(name_key=people.name_key("วุฒิ", "ธีวร"))
    login(client, "district_coordinator_a")
    for typed in ("วุฒิ ธีวร", "นายวุฒิ", "วุฒ", "วุฒี ธีวร"):  # the last one sounds like it
        page = client.get(reverse("households:list"), {"q": typed})
        [row] = page.context["page"].object_list
        assert row.found == [member.full_name], typed
        assert 'data-testid="found-member"' in page.text
    head = household.head
    [row] = (
        client.get(reverse("households:list"), {"q": head.first_name}).context["page"].object_list
    )
    assert row.found == []  # the head is named on the row already
    Person.objects.filter(pk=member.pk).update(status="moved")
    [row] = client.get(reverse("households:list"), {"q": "วุฒิ ธีวร"}).context["page"].object_list
    assert row.found == [f"{member.full_name} (ย้ายออก)"]


def test_a_name_search_needs_the_users_sign_in(client, world):
    response = client.get(reverse("households:list"), {"q": "จินจุฑา"})
    assert response.status_code == 302


@pytest.mark.parametrize("persona", ["district_coordinator_a", "district_coordinator_b"])
def test_a_citizen_id_searched_for_stays_out_of_the_address(client, world, persona):
    person, digits = world.people["a2"], new_citizen_id()
    person.set_citizen_id(digits)
    person.save()
    login(client, persona)
    moved = client.get(reverse("households:list"), {"q": citizen_id.formatted(digits)})
    assert moved.status_code == 302
    assert "qid=" in moved["Location"] and digits[1:] not in moved["Location"]
    page = client.get(moved["Location"])
    shown = {row.household.pk for row in page.context["page"].object_list}
    assert shown == ({world.households["a2"].pk} if "a2" in SEES[persona] else set())


@pytest.mark.parametrize("shape", ["dots", "full width", "en dashes", "spaced dashes"])
def test_an_id_typed_with_dots_or_full_width_digits_stays_out_of_the_address(client, world, shape):
    person, digits = world.people["a2"], new_citizen_id()
    person.set_citizen_id(digits)
    person.save()
    formatted = citizen_id.formatted(digits)
    typed = {
        "dots": formatted.replace("-", "."),
        "full width": "".join(chr(ord(d) + 0xFEE0) for d in digits),
        "en dashes": formatted.replace("-", "\u2013"),
        "spaced dashes": formatted.replace("-", " - "),
    }[shape]
    login(client, "district_coordinator_a")
    moved = client.get(reverse("households:list"), {"q": typed})
    assert moved.status_code == 302 and "qid=" in moved["Location"]
    page = client.get(moved["Location"])
    assert {row.household.pk for row in page.context["page"].object_list} == {
        world.households["a2"].pk
    }


@pytest.mark.parametrize("persona", ["district_coordinator_a", "district_coordinator_b"])
def test_a_phone_searched_for_stays_out_of_the_address(client, world, persona):
    models.Person.objects.filter(pk=world.people["a2"].pk).update(phone="0950257265")
    login(client, persona)
    moved = client.get(reverse("households:list"), {"q": "095-025-7265"})
    assert moved.status_code == 302
    assert "qid=" in moved["Location"] and "7265" not in moved["Location"]
    page = client.get(moved["Location"])
    shown = {row.household.pk for row in page.context["page"].object_list}
    assert shown == ({world.households["a2"].pk} if "a2" in SEES[persona] else set())
    assert "095-025-7265" in page.text  # the search box still shows what was typed


def test_a_phone_search_by_an_anonymous_visitor_signs_in_first(client, world):
    moved = client.get(reverse("households:list"), {"q": "0950257265"})
    assert "7265" not in moved["Location"]
    assert "login" in client.get(moved["Location"])["Location"]


@pytest.mark.parametrize(("persona", "offered"), [("volunteer_a", True), ("auditor", False)])
def test_the_visit_button_is_offered_only_to_who_may_record(client, world, persona, offered):
    login(client, persona)
    page = client.get(reverse("households:detail", args=[world.households["a1"].pk]))
    assert ('data-testid="record-visit"' in page.text) is offered


def test_an_over_long_search_says_so(client, world):
    login(client, "district_coordinator_a")
    page = client.get(reverse("households:list"), {"q": "ก" * 150})
    assert page.status_code == 200
    assert 'data-testid="search-error"' in page.text
    assert list(page.context["page"].object_list) == []


def test_a_deceased_person_shows_no_current_age(client, world):
    person = world.people["a1"]
    login(client, "volunteer_a")
    url = reverse("households:person", args=[person.pk])
    age = re.compile(r"\(\d+ (ปี|years?)\)")
    assert age.search(client.get(url).text)
    Person.objects.filter(pk=person.pk).update(status="deceased")
    assert not age.search(client.get(url).text)


def test_the_household_page_lists_what_to_check(client, world):
    household, head = world.households["a1"], world.people["a1"]
    login(client, "volunteer_a")
    url = reverse("households:detail", args=[household.pk])
    assert 'data-testid="to-check"' not in client.get(url).text
    Person.objects.filter(pk=head.pk).update(lives_alone=True)
    PersonFactory.create(household=household, relation="child")
    page = client.get(url)
    assert 'data-testid="to-check"' in page.text
    assert page.context["d"].to_check and head.first_name in page.context["d"].to_check[0]


def test_the_household_page_says_its_volunteer_no_longer_serves(client, world, personas):
    household = world.households["a1"]
    Volunteer.objects.filter(pk=world.volunteers["a"].pk).update(status="resigned")
    login(client, "district_coordinator_a")
    body = client.get(f"/households/{household.pk}/").content.decode()
    assert 'data-testid="volunteer-gone"' in body and 'data-testid="no-volunteer"' in body


def test_resigning_a_volunteer_says_how_many_households_need_another(client, world, personas):
    volunteer = world.volunteers["a"]
    login(client, "district_coordinator_a")
    today = timezone.localdate().strftime("%d/%m/") + str(timezone.localdate().year + 543)
    response = client.post(
        f"/volunteers/{volunteer.pk}/status/",
        {"to_status": "resigned", "effective_date": today, "reason": "ย้ายไปทำงานต่างจังหวัด"},
    )
    assert response.status_code == 302
    warned = [str(m) for m in get_messages(response.wsgi_request) if m.level == WARNING]
    assert len(warned) == 1 and "1" in warned[0]


def test_a_citizen_id_entered_by_mistake_can_be_removed(client, world):
    person = world.people["a1"]
    person.set_citizen_id(new_citizen_id())
    person.save()
    login(client, "district_coordinator_a")
    path = reverse("households:person_edit", args=[person.pk])
    form = client.get(path).context["form"]
    assert "remove_citizen_id" in form.fields
    data = {k: v for k, v in form.initial.items() if v not in (None, False)}
    refused = client.post(path, {**data, "remove_citizen_id": "on"})
    assert refused.status_code == 400  # without an ID, the document must be said
    assert Person.objects.get(pk=person.pk).read_citizen_id()
    done = client.post(path, {**data, "remove_citizen_id": "on", "document_type": "none"})
    assert done.status_code == 302
    person.refresh_from_db()
    assert (person.read_citizen_id(), person.citizen_id_hash) == ("", "")


def test_registering_gives_every_reason_at_once(client, world):
    login(client, "district_coordinator_a")
    data = register_data(**{"h-house_no": "abc", "h-latitude": "200", "p-phone": "123"})
    response = client.post(reverse("households:create"), data)
    assert response.status_code == 400
    errors = {
        name
        for form in (response.context["household_form"], response.context["person_form"])
        for name in form.errors
    }
    assert {"house_no", "latitude", "phone"} <= errors
    assert not Household.objects.filter(house_no="abc").exists()


def test_a_missing_consent_does_not_hide_the_other_reasons(client, world):
    login(client, "district_coordinator_a")
    data = register_data(
        **{"h-house_no": "abc", "h-latitude": "200", "p-phone": "123", "c-basis": None}
    )
    response = client.post(reverse("households:create"), data)
    assert response.status_code == 400
    household_errors = response.context["household_form"].errors
    assert {"house_no", "latitude"} <= set(household_errors)
    assert "phone" in response.context["person_form"].errors
    assert "basis" in response.context["consent_form"].errors


def test_adding_a_member_to_a_closed_household_says_why_before_the_form(client, world):
    household = world.households["a1"]
    Household.objects.filter(pk=household.pk).update(status=HouseholdStatus.MOVED)
    login(client, "district_coordinator_a")
    response = client.get(reverse("households:person_add", args=[household.pk]))
    assert response["Location"] == reverse("households:detail", args=[household.pk])
    told = [str(m) for m in get_messages(response.wsgi_request)]
    assert told == ["ครัวเรือนนี้ไม่อยู่ในสถานะปกติ กรุณาเปิดใหม่ก่อนเพิ่มสมาชิก"]


def test_a_deceased_person_s_page_offers_no_new_consent_and_says_how_to_undo(client, world):
    person = world.people["a1"]
    login(client, "district_coordinator_a")
    status = reverse("households:person_status", args=[person.pk])
    died = {"status": "deceased", "happened_on": "1/1/2568", "version": 1}
    assert client.post(status, died).status_code == 302
    page = client.get(reverse("households:person", args=[person.pk])).text
    assert reverse("households:consent_add", args=[person.pk]) not in page
    assert "บันทึกผิดหรือไม่ เปลี่ยนสถานะกลับ" in page
    assert "สวัสดิการที่ได้รับขณะมีชีวิต" in page


def test_the_list_says_which_volunteer_no_longer_serves_and_filters_those_left(client, world):
    household = world.households["a1"]
    volunteer = household.volunteers.get()
    volunteer.status = "resigned"
    volunteer.save()
    login(client, "district_coordinator_a")
    page = client.get(reverse("households:list") + "?unserved=on").text
    assert reverse("households:detail", args=[household.pk]) in page
    assert 'data-testid="not-serving"' in page and "(ลาออก)" in page


def test_taking_a_volunteer_off_a_household_asks_first(client, world):
    household = world.households["a1"]
    login(client, "district_coordinator_a")
    page = client.get(reverse("households:detail", args=[household.pk])).text
    button = page.split('data-testid="unassign"')[1].split(">")[0]
    name = household.volunteers.get().full_name
    assert f'data-confirm-click="นำ {name} ออกจากการดูแลครัวเรือนนี้หรือไม่"' in button


def test_a_household_moved_to_another_village_says_its_volunteer_does_not_cover_it(
    client, world, area_tree
):
    household = world.households["a1"]  # หมู่ 1 of ท่าตะเภา
    volunteer = VolunteerFactory.create(area_id="860101")
    volunteer.villages.set([area_tree["86010101"]])
    HouseholdAssignment.objects.create(household=household, volunteer=volunteer)
    login(client, "district_coordinator_a")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    edit = reverse("households:edit", args=[household.pk])
    data = {"area": "86010102", "house_no": "5", "version": household.version}
    page = client.post(edit, data, follow=True).text
    assert f"{volunteer.full_name} does not cover" in page
    data = {"area": "86010101", "house_no": "5", "version": household.version + 1}
    assert "does not cover" not in client.post(edit, data, follow=True).text  # back home


def test_a_move_search_that_finds_nothing_says_what_to_do_for_another_area(client, world):
    """Someone who moved beyond the coordinator's area is marked moved away, not lost."""
    login(client, "district_coordinator_a")
    move = reverse("households:person_move", args=[world.people["a1"].pk])
    page = client.get(move, {"q": "ไม่มีบ้านนี้แน่นอน"}).text
    assert 'data-testid="moved-out-of-area"' in page and "ย้ายออก" in page


def test_the_merge_comparison_shows_a_withdrawn_consent_before_anything_is_chosen(client, world):
    a1, p1 = world.people["a1"], world.people["p1"]
    a1.consents.update(withdrawn_on=date(2026, 2, 1), withdrawal_reason="ไม่ประสงค์")
    login(client, "district_coordinator_a")
    page = client.get(f"{reverse('households:merge')}?a={a1.pk}&b={p1.pk}").text
    assert page.count('data-testid="merge-withdrawn"') == 1


def test_a_guardians_consent_names_who_gave_it(client, world):
    """A daughter consents for her bedridden mother: the record says so, not that the mother
    agreed herself."""
    household = world.households["a1"]
    path = reverse("households:person_add", args=[household.pk])
    data = {
        "p-title": "นาง",
        "p-first_name": "ทองใบ",
        "p-last_name": "รักดี",
        "p-birth_date": "01/01/2480",
        "p-document_type": "none",
        "p-relation": "parent",
        "c-basis": "guardian",
        "c-purpose": "ดูแล",
        "c-given_on": "1/5/2568",
        "p-confirm_checks": "1",
    }
    login(client, "volunteer_a")
    refused = client.post(path, data)
    assert refused.status_code == 400
    assert {"given_by", "given_by_relation"} <= set(refused.context["consent_form"].errors)
    for name, relation in (("x", "ลูกสาว"), ("นางสมศรี รักดี", "")):
        typed = {**data, "c-given_by": name, "c-given_by_relation": relation}
        assert client.post(path, typed).status_code == 400
    typed = {**data, "c-given_by": "นางสมศรี  รักดี", "c-given_by_relation": "ลูกสาว"}
    assert client.post(path, typed).status_code == 302
    person = Person.objects.get(first_name="ทองใบ")
    assert person.consents.get().given_by == "นางสมศรี รักดี (ลูกสาว)"
    login(client, "district_coordinator_a")
    page = client.get(reverse("households:person", args=[person.pk]))
    assert "นางสมศรี รักดี (ลูกสาว)" in page.text


def test_the_persons_own_consent_names_nobody_else(client, world):
    household = world.households["a1"]
    login(client, "volunteer_a")
    data = {
        "p-title": "นาย",
        "p-first_name": "ยืนยง",
        "p-last_name": "รักดี",
        "p-birth_date": "01/01/2520",
        "p-document_type": "none",
        "p-relation": "child",
        "c-basis": "consent",
        "c-given_by": "typed before the basis changed",
        "c-purpose": "ดูแล",
        "c-given_on": "1/5/2568",
    }
    client.post(reverse("households:person_add", args=[household.pk]), data)
    assert Person.objects.get(first_name="ยืนยง").consents.get().given_by == ""
