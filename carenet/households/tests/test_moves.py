"""A person who moved house moves with their record (services.person_move and its page)."""

import html
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from carenet.core import citizen_id
from carenet.core.models import AuditEvent
from carenet.households import services
from carenet.households.models import Household, HouseholdStatus, Person, PersonStatus, Relation
from carenet.households.tests.factories import (
    ConsentFactory,
    HouseholdFactory,
    PersonFactory,
    new_citizen_id,
)
from conftest import login

pytestmark = pytest.mark.django_db


def moved_away(household: Household) -> Person:
    person = PersonFactory.create(household=household, citizen_id=new_citizen_id())
    ConsentFactory.create(person=person)
    person.status = PersonStatus.MOVED
    person.save(update_fields=["status"])
    return person


def test_a_person_who_moved_away_moves_with_their_record(world, personas):
    mover = moved_away(world.households["a1"])
    to = world.households["p1"]  # another subdistrict of the coordinator's district
    services.person_move(
        actor=personas["district_coordinator_a"], person=mover, household=to, relation="spouse"
    )
    mover.refresh_from_db()
    assert (mover.household, mover.area_id, mover.status) == (to, to.area_id, "active")
    assert mover.relation == Relation.SPOUSE
    assert {c.area_id for c in mover.consents.all()} == {to.area_id}
    to.refresh_from_db()
    assert to.member_count == 2
    event = AuditEvent.objects.get(action="person.move")
    assert (event.details["from"], event.details["to"]) == (world.households["a1"].pk, to.pk)


def test_the_last_member_leaving_closes_the_household_and_a_head_takes_over(world, personas):
    head = world.people["a2"]
    to = world.households["a1"]
    former_head = to.head
    services.person_move(
        actor=personas["district_coordinator_a"], person=head, household=to, relation="head"
    )
    left = Household.objects.get(pk=world.households["a2"].pk)
    assert (left.status, left.head_id) == (HouseholdStatus.CLOSED, None)
    to.refresh_from_db()
    assert to.head_id == head.pk
    former_head.refresh_from_db()
    assert former_head.relation == ""  # for the coordinator to fill in, as on any handover


@pytest.mark.parametrize("status", [PersonStatus.DECEASED, PersonStatus.MERGED])
def test_the_dead_and_merged_records_do_not_move(world, personas, status):
    person = world.people["a2"]
    person.status = status
    person.save(update_fields=["status"])
    with pytest.raises(ValidationError):
        services.person_move(
            actor=personas["district_coordinator_a"],
            person=person,
            household=world.households["a1"],
            relation="child",
        )


def test_a_restricted_record_and_a_closed_household_refuse_a_move(world, personas):
    coordinator = personas["district_coordinator_a"]
    person = world.people["a2"]
    consent = person.consents.get()
    services.consent_withdraw(
        actor=coordinator, consent=consent, withdrawn_on=timezone.localdate(), reason="ไม่ประสงค์"
    )
    with pytest.raises(ValidationError):
        services.person_move(
            actor=coordinator, person=person, household=world.households["a1"], relation="child"
        )
    closed = HouseholdFactory.create(area_id="86010101", status=HouseholdStatus.CLOSED)
    with pytest.raises(ValidationError):
        services.person_move(
            actor=coordinator, person=world.people["p1"], household=closed, relation="child"
        )


@pytest.mark.parametrize(
    ("actor", "person", "to"),
    [
        ("district_coordinator_a", "a1", "b1"),  # into another district
        ("district_coordinator_b", "a1", "b1"),  # a person from another district
        ("volunteer_a", "a2", "a1"),  # not one of the volunteer's households
        ("auditor", "a1", "a2"),
    ],
)
def test_a_move_outside_what_the_user_may_change_is_refused(world, personas, actor, person, to):
    with pytest.raises(PermissionDenied):
        services.person_move(
            actor=personas[actor],
            person=world.people[person],
            household=world.households[to],
            relation="child",
        )
    assert Person.objects.get(pk=world.people[person].pk).household == world.households[person]


def test_the_move_page_finds_the_household_and_moves(client, world, personas):
    mover = moved_away(world.households["a1"])
    to = world.households["a2"]
    login(client, "district_coordinator_a")
    page = client.get(f"/households/people/{mover.pk}/move/", {"q": to.house_no})
    assert page.status_code == 200
    assert f"?to={to.pk}" in page.content.decode()
    assert f"?to={world.households['b1'].pk}" not in page.content.decode()
    confirm = client.get(f"/households/people/{mover.pk}/move/", {"to": to.pk})
    assert confirm.status_code == 200 and 'data-testid="move-form"' in confirm.content.decode()
    blank = client.post(
        f"/households/people/{mover.pk}/move/", {"to": to.pk, "version": mover.version}
    )
    assert blank.status_code == 400  # the relation is needed
    done = client.post(
        f"/households/people/{mover.pk}/move/",
        {"to": to.pk, "relation": "child", "version": mover.version},
    )
    assert done.status_code == 302 and done["Location"] == f"/households/{to.pk}/"
    assert Person.objects.get(pk=mover.pk).household == to


def test_the_move_page_finds_a_household_by_its_village(client, world, personas):
    """Coordinators know a house by its village: "บ้านท่าตะเภา", or "12 บ้านท่าตะเภา"."""
    from carenet.areas.models import Area

    mover = moved_away(world.households["a1"])
    to = world.households["a2"]
    to.house_no = "12"
    to.save()
    village = Area.objects.get(code=to.area_id)
    login(client, "district_coordinator_a")
    url = f"/households/people/{mover.pk}/move/"
    for typed in (village.name_th, f"๑๒ {village.name_th}"):
        found = client.get(url, {"q": typed}).context["found"]
        assert to in found, typed
    assert to not in client.get(url, {"q": f"99 {village.name_th}"}).context["found"]


def test_the_move_page_keeps_to_the_users_scope(client, world, personas):
    mover = world.people["a1"]
    login(client, "district_coordinator_b")
    assert client.get(f"/households/people/{mover.pk}/move/").status_code == 404
    login(client, "district_coordinator_a")
    other = world.households["b1"]
    assert client.get(f"/households/people/{mover.pk}/move/", {"to": other.pk}).status_code == 404
    posted = client.post(
        f"/households/people/{mover.pk}/move/",
        {"to": other.pk, "relation": "child", "version": mover.version},
    )
    assert posted.status_code == 404
    login(client, "auditor")
    assert client.get(f"/households/people/{mover.pk}/move/").status_code == 403
    client.logout()
    anonymous = client.get(f"/households/people/{mover.pk}/move/")
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert Person.objects.get(pk=mover.pk).household == world.households["a1"]


def test_a_citizen_id_searched_for_on_the_move_page_stays_out_of_the_address(
    client, world, personas
):
    """The move page finds a household by a member's citizen ID, as the lists do, and moves
    the ID out of the address the same way (core.id_search)."""
    mover = moved_away(world.households["a1"])
    member = PersonFactory.create(household=world.households["a2"], citizen_id=new_citizen_id())
    stranger = PersonFactory.create(household=world.households["b1"], citizen_id=new_citizen_id())
    digits = member.read_citizen_id()
    url = f"/households/people/{mover.pk}/move/"
    login(client, "district_coordinator_a")
    moved = client.get(url, {"q": citizen_id.formatted(digits)})
    assert moved.status_code == 302
    assert "qid=" in moved["Location"] and digits[1:] not in moved["Location"]
    page = client.get(moved["Location"])
    assert page.context["found"] == [world.households["a2"]]
    assert citizen_id.formatted(digits) in page.text  # the box shows what was typed
    # Out of scope, the same search finds nothing; an address search stays in the address.
    other = client.get(client.get(url, {"q": stranger.read_citizen_id()})["Location"])
    assert other.status_code == 200 and other.context["found"] == []
    assert client.get(url, {"q": world.households["a2"].house_no}).status_code == 200
    # A phone number is moved out too.
    assert "qid=" in client.get(url, {"q": "081-234-5678"})["Location"]
    # A visitor whose session ended signs in with the key, not the ID, in `next`.
    client.logout()
    hidden = client.get(url, {"q": digits})
    assert hidden.status_code == 302 and "qid=" in hidden["Location"]
    to_login = client.get(hidden["Location"])
    assert "login" in to_login["Location"] and digits[1:] not in to_login["Location"]


def test_a_new_household_is_registered_around_a_person_who_moved(client, world, personas):
    mover = moved_away(world.households["a1"])
    login(client, "district_coordinator_a")
    url = f"/households/new/?move={mover.pk}"
    page = client.get(url)
    assert page.status_code == 200 and 'data-testid="mover"' in page.content.decode()
    done = client.post(url, {"h-area": "86010201", "h-house_no": "5/1"})
    assert done.status_code == 302
    mover.refresh_from_db()
    household = mover.household
    assert (household.area_id, household.house_no, household.head_id) == (
        "86010201",
        "5/1",
        mover.pk,
    )
    assert (mover.status, mover.relation) == ("active", "head")
    login(client, "district_coordinator_b")
    assert client.get(f"/households/new/?move={world.people['a2'].pk}").status_code == 404


def test_the_address_typed_before_finding_the_mover_comes_along(client, world, personas):
    mover = moved_away(world.households["a1"])
    login(client, "district_coordinator_a")
    page = client.post(
        "/households/new/",
        {
            "h-area": "86010201",
            "h-house_no": "77/4",
            "h-road": "เพชรเกษม",
            "p-first_name": mover.first_name,
            "p-citizen_id": mover.read_citizen_id(),
            "c-basis": "consent",
            "c-purpose": "ดูแล",
            "c-given_on": "01/01/2568",
        },
    )
    move_link = re.search(r'data-testid="move-here" href="([^"]+)"', page.content.decode())
    assert move_link is not None
    move_page = client.get(html.unescape(move_link.group(1))).content.decode()
    new_link = re.search(r'href="([^"]+)" data-testid="move-new-household"', move_page)
    assert new_link is not None
    form = client.get(html.unescape(new_link.group(1))).context["household_form"]
    assert (form["area"].value(), form["house_no"].value(), form["road"].value()) == (
        "86010201",
        "77/4",
        "เพชรเกษม",
    )


def add_as_member(client, mover: Person, to: Household):
    """Adds someone already registered (their citizen ID) as a new member of `to`."""
    return client.post(
        f"/households/{to.pk}/people/new/",
        {
            "p-first_name": mover.first_name,
            "p-citizen_id": mover.read_citizen_id(),
            "c-basis": "consent",
            "c-purpose": "ดูแล",
            "c-given_on": "01/01/2568",
        },
    )


def test_adding_a_registered_citizen_id_offers_to_move_the_person(client, world, personas):
    mover = moved_away(world.households["a1"])
    to = world.households["a2"]
    login(client, "district_coordinator_a")
    page = add_as_member(client, mover, to)
    assert page.status_code == 200  # shown the match, not registered
    assert f"/households/people/{mover.pk}/move/?to={to.pk}" in page.content.decode()
    assert Person.objects.filter(household=to).count() == 1


def test_a_person_who_withdrew_consent_is_not_offered_a_move(client, world, personas):
    mover = moved_away(world.households["a1"])
    mover.consents.update(withdrawn_on=timezone.localdate())
    to = world.households["a2"]
    login(client, "district_coordinator_a")
    page = add_as_member(client, mover, to)
    assert page.status_code == 200  # the match is shown, and it blocks
    text = page.content.decode()
    assert f"/households/people/{mover.pk}/move/" not in text
    # ... and says why, with the way out: a new consent lifts the restriction.
    assert 'data-testid="restricted-here"' in text
    assert f"/households/people/{mover.pk}/consents/new/" in text


def test_a_member_added_again_to_their_own_household_is_not_offered_a_move(client, world, personas):
    household = world.households["a1"]
    member = PersonFactory.create(household=household, citizen_id=new_citizen_id())
    ConsentFactory.create(person=member)
    login(client, "district_coordinator_a")
    text = add_as_member(client, member, household).content.decode()
    assert 'data-testid="member-here"' in text
    assert f"/households/people/{member.pk}/move/" not in text


def test_the_new_household_for_a_mover_sent_twice_is_registered_once(client, world, personas):
    mover = moved_away(world.households["a1"])
    login(client, "district_coordinator_a")
    url = f"/households/new/?move={mover.pk}"
    data = {"h-area": "86010201", "h-house_no": "9/9", "mover_version": str(mover.version)}
    assert client.post(url, data).status_code == 302
    again = client.post(url, data)  # a double tap, or Back and send
    assert again.status_code == 302 and again["Location"] == f"/households/people/{mover.pk}/"
    assert Household.objects.filter(house_no="9/9").count() == 1
