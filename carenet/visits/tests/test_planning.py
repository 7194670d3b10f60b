"""Setting a province's visit cadence and an area's monthly targets."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from carenet.areas.models import Area
from carenet.core.models import AuditEvent
from carenet.visits import planning
from carenet.visits.models import FollowUpPolicy, VisitTarget
from conftest import login

pytestmark = pytest.mark.django_db

POLICY = {
    "form": "policy",
    "policy-urgent_days": "5",
    "policy-watch_days": "21",
    "policy-normal_days": "60",
}
TARGET = {
    "form": "target",
    "target-households_per_month": "120",
    "target-visits_per_volunteer_per_month": "6",
}


def plan_url(code: str) -> str:
    return reverse("visits:plan", args=[code])


@pytest.mark.parametrize("persona", ["province_officer", "national_admin"])
def test_the_province_sets_its_cadence(client, personas, persona):
    login(client, persona)
    response = client.post(plan_url("86"), POLICY)
    assert response.status_code == 302
    policy = FollowUpPolicy.objects.get(area_id="86")
    assert (policy.urgent_days, policy.watch_days, policy.normal_days) == (5, 21, 60)
    assert AuditEvent.objects.filter(action="followup.policy_set", area_code="86").exists()


def test_days_out_of_order_are_refused_and_nothing_is_saved(client, personas):
    login(client, "province_officer")
    response = client.post(plan_url("86"), {**POLICY, "policy-urgent_days": "40"})
    assert response.status_code == 200
    assert response.context["policy_form"].errors
    assert not FollowUpPolicy.objects.exists()


def test_a_district_sets_targets_but_not_the_provinces_cadence(client, personas):
    login(client, "district_coordinator_a")
    assert client.get(plan_url("8601")).status_code == 200
    assert client.post(plan_url("8601"), TARGET).status_code == 302
    target = VisitTarget.objects.get(area_id="8601")
    assert (target.households_per_month, target.visits_per_volunteer_per_month) == (120, 6)
    client.post(plan_url("8601"), POLICY)
    assert not FollowUpPolicy.objects.exists()


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("99999999999999999999999", "น้อยกว่าหรือเท่ากับ 1000000"),
        ("1000001", "น้อยกว่าหรือเท่ากับ 1000000"),
        ("-1", "มากกว่าหรือเท่ากับ 0"),
    ],
)
def test_a_target_out_of_range_gets_a_reason_not_a_500(client, personas, typed, reason):
    """Django's own messages, in Thai, beside the field; the huge one raised OverflowError."""
    login(client, "district_coordinator_a")
    response = client.post(plan_url("8601"), {**TARGET, "target-households_per_month": typed})
    assert response.status_code == 200
    assert reason in response.context["target_form"].errors["households_per_month"][0]
    assert reason in response.content.decode()
    assert not VisitTarget.objects.exists()


def test_the_highest_target_is_accepted(client, personas):
    login(client, "district_coordinator_a")
    most = str(planning.MAX_HOUSEHOLDS)
    assert client.post(plan_url("8601"), {**TARGET, "target-households_per_month": most})
    assert VisitTarget.objects.get(area_id="8601").households_per_month == planning.MAX_HOUSEHOLDS


@pytest.mark.parametrize(
    ("households", "visits", "wrong"),
    [
        (10**23, 6, "households_per_month"),
        (-1, 6, "households_per_month"),
        (120, 201, "visits_per_volunteer_per_month"),
        (120, -1, "visits_per_volunteer_per_month"),
    ],
)
def test_the_service_refuses_targets_out_of_range(personas, households, visits, wrong):
    """Called without the form (a script, the API), it refuses the same numbers."""
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        planning.visit_target_set(
            actor=personas["district_coordinator_a"],
            area=Area.objects.get(code="8601"),
            households_per_month=households,
            visits_per_volunteer_per_month=visits,
        )
    assert list(caught.value.message_dict) == [wrong]
    assert "Write a whole number from 0 to" in caught.value.message_dict[wrong][0]
    assert not VisitTarget.objects.exists()
    assert not AuditEvent.objects.filter(action="followup.target_set").exists()


@pytest.mark.parametrize(
    ("persona", "code", "status"),
    [
        ("district_coordinator_a", "86", 404),
        ("district_coordinator_a", "8602", 404),
        ("district_coordinator_b", "8601", 404),
        ("province_officer", "84", 404),
        ("province_officer", "99999999", 404),
        ("volunteer_a", "860101", 403),
        ("auditor", "86", 403),
    ],
)
def test_out_of_scope_or_without_the_right_nothing_changes(client, personas, persona, code, status):
    login(client, persona)
    assert client.post(plan_url(code), TARGET).status_code == status
    assert client.post(plan_url(code), POLICY).status_code == status
    assert not VisitTarget.objects.exists() and not FollowUpPolicy.objects.exists()


def test_anonymous_users_are_sent_to_login(client, area_tree):
    response = client.post(plan_url("86"), POLICY)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not FollowUpPolicy.objects.exists()
