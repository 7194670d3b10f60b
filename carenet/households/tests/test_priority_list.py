"""The printable priority list for a rescue team: scope as the household list, any of several
groups, most urgent first, every household up to a cap, a constant number of queries, logged."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from carenet.core.models import AuditEvent
from carenet.households import rescue
from carenet.households.models import HouseholdStatus
from carenet.households.services import household_recompute
from carenet.households.tests.conftest import SEES
from carenet.households.tests.factories import HouseholdFactory, PersonFactory, assign
from conftest import login

pytestmark = pytest.mark.django_db
URL = reverse("households:priority_list")


def _household(area_id="86010101", **flags):
    household = HouseholdFactory.create(area_id=area_id, latitude="10.447966", longitude="99.1")
    head = PersonFactory.create(household=household, phone="0812345678", **flags)
    household.head = head
    household.member_count = 1
    household.save(update_fields=["head", "member_count"])
    household_recompute(household=household)
    household.refresh_from_db()
    return household


def _shown(response):
    return [row.household.pk for row in response.context["result"].rows]


@pytest.mark.parametrize("persona", sorted(SEES))
def test_each_persona_sees_exactly_the_households_of_the_list(client, world, persona):
    login(client, persona)
    response = client.get(URL)
    assert response.status_code == 200
    expected = {world.households[key].pk for key in SEES[persona]}
    assert set(_shown(response)) == expected


def test_an_area_outside_the_scope_shows_only_the_users_own(client, world):
    login(client, "district_coordinator_b")
    response = client.get(URL, {"area": "8601"})
    assert response.status_code == 200
    assert _shown(response) == [world.households["b1"].pk]
    assert world.people["a1"].full_name not in response.text


def test_anonymous_users_are_sent_to_log_in_and_nothing_is_logged(client, world):
    response = client.get(URL, {"area": "8601"})
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="household.priority_list").exists()


def test_any_of_several_groups_most_urgent_first_with_phones_gps_and_volunteers(client, world):
    today = timezone.localdate()
    bedridden = _household(bedridden=True, lives_alone=True)
    pregnant = _household(pregnant=True, sex="F", title="นาง")
    baby = PersonFactory.create(
        household=pregnant, birth_date=today.replace(year=today.year - 1), phone=""
    )
    household_recompute(household=pregnant)
    _household(chronic_illness=True)  # neither group: not listed
    volunteer = world.volunteers["a"]
    volunteer.phone = "0891112222"
    volunteer.save(update_fields=["phone"])
    assign(bedridden, volunteer)
    login(client, "district_coordinator_a")
    response = client.get(URL, {"area": "860101", "group": ["bedridden", "pregnant"]})
    assert _shown(response) == [bedridden.pk, pregnant.pk]  # highest priority first
    page = response.text
    assert "google.com/maps/search/?api=1&amp;query=10.447966,99.100000" in page
    assert 'href="tel:0812345678"' in page
    assert volunteer.full_name in page and f'href="tel:{volunteer.phone}"' in page
    first, second = response.context["result"].rows
    assert [b.code for b in first.needs[0].groups] == ["bedridden_alone"]
    needs = {n.person.pk: [b.code for b in n.groups] for n in second.needs}
    assert needs[baby.pk] == ["child"] and "pregnant" in needs[pregnant.head_id]
    assert "ติดเตียง" in page or "bedridden" in page
    what = page.split('data-testid="pl-what"')[1].split("</p>")[0]
    assert str(today.year + 543) in what  # the time it was printed
    assert 'data-testid="volunteer-status"' not in page
    # A volunteer not serving now is marked: a rescue team calls someone else.
    type(volunteer).objects.filter(pk=volunteer.pk).update(status="inactive")
    page = client.get(URL, {"area": "860101", "group": ["bedridden", "pregnant"]}).text
    assert 'data-testid="volunteer-status"' in page


def test_children_with_no_adult_are_said_of_the_household_whatever_was_asked(client, world):
    today = timezone.localdate()
    children = _household(birth_date=today.replace(year=today.year - 15))
    PersonFactory.create(household=children, birth_date=today.replace(year=today.year - 8))
    household_recompute(household=children)
    login(client, "district_coordinator_a")
    response = client.get(URL, {"area": "860101", "group": ["child"]})
    (row,) = response.context["result"].rows
    assert [b.code for b in row.household_groups] == ["children_alone"]
    assert "เด็กอยู่ลำพัง" in response.text


def test_the_top_says_which_area_and_groups(client, world):
    login(client, "district_coordinator_a")
    response = client.get(URL, {"area": "860101", "group": ["bedridden", "pregnant"]})
    what = response.text.split('data-testid="pl-what"')[1].split("</p>")[0]
    assert "ท่าตะเภา" in what and "ติดเตียง" in what and "ตั้งครรภ์" in what


def test_bad_input_is_dropped_not_an_error(client, world):
    login(client, "district_coordinator_a")
    response = client.get(URL, {"area": "zz", "group": ["nonsense", "'"], "level": "x"})
    assert response.status_code == 200
    assert set(_shown(response)) == {world.households[k].pk for k in SEES["district_coordinator_a"]}


def test_moved_households_are_not_listed(client, world):
    moved = _household(bedridden=True)
    moved.status = HouseholdStatus.MOVED
    moved.save(update_fields=["status"])
    login(client, "district_coordinator_a")
    assert moved.pk not in _shown(client.get(URL, {"group": "bedridden"}))


def test_past_the_cap_it_asks_to_narrow_the_area(client, world, monkeypatch):
    monkeypatch.setattr(rescue, "RESCUE_CAP", 2)
    login(client, "district_coordinator_a")
    response = client.get(URL)
    assert len(_shown(response)) == 2 and response.context["result"].count == 3
    assert 'data-testid="capped"' in response.text


def test_each_print_is_logged_with_its_filters(client, world):
    login(client, "district_coordinator_a")
    _household(area_id="86010102", bedridden=True)
    client.get(URL, {"area": "860101", "group": ["bedridden", "pregnant"]})
    event = AuditEvent.objects.get(action="household.priority_list")
    assert event.area_code == "86010102" and event.details["households"] == 1
    assert event.details["groups"] == ["bedridden", "pregnant"]
    assert event.details["area"] == "860101"


def test_the_query_count_does_not_grow_with_the_households(client, world, personas):
    login(client, "district_coordinator_a")
    client.get(URL)  # sessions, grants and the like, once

    def run() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL, {"area": "8601"}).status_code == 200
        return len(queries.captured_queries)

    few = run()
    for _ in range(12):
        household = _household(bedridden=True)
        PersonFactory.create(household=household, phone="0899999999", birth_date=date(2020, 1, 1))
        assign(household, world.volunteers["a"])
    assert run() == few


def test_the_household_list_links_to_it_with_its_filters(client, world):
    login(client, "district_coordinator_a")
    _household(bedridden=True)
    page = client.get(reverse("households:list"), {"area": "860101", "group": "bedridden"}).text
    assert 'data-testid="priority-list-link"' in page
    link = page.split('data-testid="priority-list-link"><a href="')[1].split('"')[0]
    assert link == f"{URL}?area=860101&amp;group=bedridden"


def test_the_list_query_count_stays_under_a_bound(world, personas, django_assert_max_num_queries):
    user = personas["district_coordinator_a"]
    filters = rescue.RescueFilters(
        households=rescue.HouseholdFilters(area="8601"), groups=["bedridden"]
    )
    for _ in range(5):
        _household(bedridden=True)
    rescue.rescue_list(user=user, filters=filters, today=timezone.localdate())
    with django_assert_max_num_queries(4):
        result = rescue.rescue_list(user=user, filters=filters, today=timezone.localdate())
    assert len(result.rows) == 5


def test_someone_who_withdrew_consent_is_marked_and_the_page_says_what_for(client, world, personas):
    from carenet.households import services
    from carenet.households.tests.factories import ConsentFactory

    household = _household(bedridden=True)
    consent = ConsentFactory.create(person=household.head)
    services.consent_withdraw(
        actor=personas["district_coordinator_a"],
        consent=consent,
        withdrawn_on=timezone.localdate(),
        reason="ไม่ประสงค์",
    )
    login(client, "district_coordinator_a")
    response = client.get(URL, {"area": "860101", "group": ["bedridden"]})
    assert household.pk in _shown(response)
    page = response.text
    assert 'data-testid="restricted-note"' in page
    assert page.count('data-testid="restricted"') == 2  # by the phone and among those in need
    others = client.get(URL, {"area": "860101", "group": ["pregnant"]})
    assert 'data-testid="restricted-note"' not in others.text
