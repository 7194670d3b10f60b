"""The volunteer list says how many active households each volunteer looks after, sorts and
filters by it: the provincial officer's month-end question of who carries too much and who
nobody's household. (Here, not in volunteers' tests: households sit below that app.)"""

import pytest
from django.urls import reverse

from carenet.households.models import HouseholdStatus
from carenet.households.tests.factories import HouseholdFactory, VolunteerFactory, assign
from carenet.volunteers.models import VolunteerStatus
from conftest import login

pytestmark = pytest.mark.django_db

LIST = reverse("volunteers:list")


@pytest.fixture
def workload(world):
    """Besides world's a (one household) and b (one): in ท่าตะเภา, a busy volunteer with three
    active households and a closed one, an active one with none, an inactive one with none."""
    busy = VolunteerFactory.create(area_id="860101", first_name="ขยัน", last_name="ดูแลมาก")
    for _ in range(3):
        assign(HouseholdFactory.create(area_id="86010101"), busy)
    assign(HouseholdFactory.create(area_id="86010101", status=HouseholdStatus.CLOSED), busy)
    idle = VolunteerFactory.create(area_id="860101", first_name="ว่าง", last_name="ยังไม่มี")
    resting = VolunteerFactory.create(
        area_id="860101", first_name="พัก", last_name="ชั่วคราว", status=VolunteerStatus.INACTIVE
    )
    return {
        "a": world.volunteers["a"],
        "b": world.volunteers["b"],
        "busy": busy,
        "idle": idle,
        "resting": resting,
    }


def listed(client, **params) -> list:
    response = client.get(LIST, params)
    assert response.status_code == 200
    return list(response.context["page"].object_list)


def test_each_row_says_how_many_active_households_the_volunteer_looks_after(client, workload):
    login(client, "province_officer")
    response = client.get(LIST)
    counts = {v.pk: v.looks_after for v in response.context["page"].object_list}
    assert counts[workload["busy"].pk] == 3  # the closed household is not counted
    assert counts[workload["a"].pk] == 1
    assert counts[workload["idle"].pk] == 0
    assert response.text.count('data-testid="looks-after"') == len(counts)
    assert 'class="c-households none"' in response.text  # the idle one stands out


def test_the_list_sorts_by_households_both_ways(client, workload):
    login(client, "district_coordinator_a")
    most = listed(client, order="most_households")
    assert most[0] == workload["busy"] and most[1] == workload["a"]
    fewest = listed(client, order="fewest_households")
    assert fewest[-1] == workload["busy"]
    assert {fewest[0], fewest[1]} == {workload["idle"], workload["resting"]}


def test_the_list_finds_active_volunteers_who_look_after_no_household(client, workload):
    login(client, "province_officer")
    page = client.get(LIST)
    assert 'data-testid="idle-link"' in page.text
    assert listed(client, status="active", households="none") == [workload["idle"]]
    # Any status: the inactive one too, who is not expected to.
    assert set(listed(client, households="none")) == {workload["idle"], workload["resting"]}
    assert set(listed(client, households="some")) == {workload[k] for k in ("a", "b", "busy")}
    filtered = client.get(LIST, {"status": "active", "households": "none"})
    assert 'data-testid="idle-link"' not in filtered.text  # already that list
    assert filtered.context["filtered"]
    # The export has no workload filter: no link that would download someone else.
    assert 'data-testid="export-list"' not in filtered.text


def test_the_list_finds_volunteers_with_many_households(client, workload):
    for _ in range(7):
        assign(HouseholdFactory.create(area_id="86010102"), workload["busy"])
    login(client, "district_coordinator_a")
    assert listed(client, households="10") == [workload["busy"]]
    assert listed(client, households="20") == []


def test_a_made_up_workload_filter_is_said_to_be_wrong_and_left_out(client, workload):
    login(client, "district_coordinator_a")
    response = client.get(LIST, {"households": "'; drop table"})
    assert response.status_code == 200
    assert "households" in response.context["form"].errors
    assert len(response.context["page"].object_list) == 4  # a, busy, idle, resting


@pytest.mark.parametrize(
    ("persona", "seen"),
    [
        ("district_coordinator_a", {"idle"}),  # in scope
        ("district_coordinator_b", set()),  # ท่าแซะ's has no idle volunteer; ours is not theirs
        ("volunteer_a", set()),  # a volunteer sees only themselves
        ("volunteer_b", set()),
    ],
)
def test_the_workload_filter_keeps_to_the_users_scope(client, workload, persona, seen):
    login(client, persona)
    found = listed(client, status="active", households="none")
    assert set(found) == {workload[key] for key in seen}


def test_a_volunteer_sees_only_their_own_count(client, workload):
    login(client, "volunteer_a")
    [own] = listed(client, order="most_households")
    assert (own, own.looks_after) == (workload["a"], 1)
    login(client, "district_coordinator_b")
    [other] = listed(client, order="most_households")
    assert (other, other.looks_after) == (workload["b"], 1)


def test_the_anonymous_are_sent_to_sign_in(client, workload):
    response = client.get(LIST, {"order": "most_households", "households": "none"})
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_list_costs_the_same_queries_with_many_households(
    client, workload, django_assert_max_num_queries
):
    login(client, "province_officer")
    params = {"order": "most_households", "households": "some"}
    with django_assert_max_num_queries(100) as captured:
        client.get(LIST, params)
    small = len(captured.captured_queries)
    for volunteer in VolunteerFactory.create_batch(30, area_id="860102"):
        for _ in range(2):
            assign(HouseholdFactory.create(area_id="86010201"), volunteer)
    with django_assert_max_num_queries(small):
        response = client.get(LIST, params)
    assert len(response.context["page"].object_list) == 25
    with django_assert_max_num_queries(small):
        client.get(LIST, {"order": "fewest_households", "status": "active", "households": "none"})
