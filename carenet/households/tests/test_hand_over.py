"""Handing a volunteer's households over to another volunteer of the subdistrict."""

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from carenet.core.models import AuditEvent
from carenet.households import services
from carenet.households.models import HouseholdAssignment, HouseholdStatus
from carenet.households.tests.factories import HouseholdFactory, VolunteerFactory, assign
from carenet.volunteers.models import Volunteer, VolunteerStatus
from conftest import PERSONAS, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def handover(world):
    """volunteer_a's record looks after a1 and two more households of ท่าตะเภา, one closed."""
    giver = world.volunteers["a"]
    more = HouseholdFactory.create(area_id="86010102")
    closed = HouseholdFactory.create(area_id="86010101", status=HouseholdStatus.CLOSED)
    assign(more, giver)
    assign(closed, giver)
    taker = VolunteerFactory.create(area_id="860101", first_name="สมศรี", last_name="รับช่วง")
    return {"giver": giver, "taker": taker, "active": [world.households["a1"], more]}


def looked_after_by(volunteer) -> set[int]:
    return set(
        HouseholdAssignment.objects.filter(volunteer=volunteer).values_list(
            "household_id", flat=True
        )
    )


def test_the_households_move_to_the_taker_with_an_audit_row_each(personas, handover):
    moved = services.households_hand_over(
        actor=personas["district_coordinator_a"],
        giver=handover["giver"],
        taker=handover["taker"],
        households=handover["active"],
    )
    assert moved == 2
    assert looked_after_by(handover["taker"]) == {h.pk for h in handover["active"]}
    assert len(looked_after_by(handover["giver"])) == 1  # the closed one keeps its history
    events = AuditEvent.objects.filter(action="household.handover")
    assert {e.target_id for e in events} == {str(h.pk) for h in handover["active"]}
    assert events[0].details == {"from": handover["giver"].pk, "to": handover["taker"].pk}


def test_a_household_the_taker_already_has_just_loses_the_giver(personas, handover):
    first = handover["active"][0]
    assign(first, handover["taker"])
    services.households_hand_over(
        actor=personas["district_coordinator_a"],
        giver=handover["giver"],
        taker=handover["taker"],
        households=[first],
    )
    assert HouseholdAssignment.objects.filter(household=first).count() == 1


@pytest.mark.parametrize(
    "taker_changes",
    [{"status": VolunteerStatus.RESIGNED}, {"area_id": "860102"}],
    ids=["not active", "another subdistrict"],
)
def test_the_taker_must_serve_the_subdistrict(personas, handover, taker_changes):
    taker = VolunteerFactory.create(**{"area_id": "860101", **taker_changes})
    with pytest.raises(ValidationError):
        services.households_hand_over(
            actor=personas["district_coordinator_a"],
            giver=handover["giver"],
            taker=taker,
            households=handover["active"],
        )
    assert looked_after_by(taker) == set()


def test_out_of_scope_or_own_records_only_may_not_hand_over(personas, handover):
    for persona in ("district_coordinator_b", "volunteer_a"):
        with pytest.raises(PermissionDenied):
            services.households_hand_over(
                actor=personas[persona],
                giver=handover["giver"],
                taker=handover["taker"],
                households=handover["active"],
            )
    assert looked_after_by(handover["taker"]) == set()


def test_the_page_hands_over_what_is_ticked(client, handover):
    login(client, "district_coordinator_a")
    url = reverse("households:hand_over", args=[handover["giver"].pk])
    page = client.get(url)
    assert page.status_code == 200
    assert page.text.count('name="households"') == 2  # the active ones
    assert page.text.count(" checked") == 0  # an active volunteer's: the coordinator picks
    assert "รับช่วง" in page.text
    one = handover["active"][0]
    response = client.post(url, {"taker": handover["taker"].pk, "households": [one.pk]})
    assert response["Location"] == reverse("volunteers:detail", args=[handover["giver"].pk])
    assert looked_after_by(handover["taker"]) == {one.pk}
    again = client.post(url, {"taker": handover["taker"].pk, "households": [one.pk]})
    assert again.status_code == 400
    assert "ส่งต่อไปแล้ว" in again.text


def test_a_volunteer_who_left_has_every_household_ticked(client, handover):
    Volunteer.objects.filter(pk=handover["giver"].pk).update(status=VolunteerStatus.RESIGNED)
    login(client, "district_coordinator_a")
    page = client.get(reverse("households:hand_over", args=[handover["giver"].pk]))
    assert page.text.count(" checked") == 2
    assert "รับช่วง" in page.text and "ดูแล 0 ครัวเรือน" in page.text


def test_those_who_cover_the_households_villages_come_first_and_say_so(client, handover):
    """a1 is in หมู่ 1 and the other in หมู่ 2 of ท่าตะเภา."""
    covers_one = VolunteerFactory.create(area_id="860101", first_name="ก้อย", last_name="หมู่หนึ่ง")
    covers_one.villages.set(["86010101"])
    covers_both = VolunteerFactory.create(area_id="860101", first_name="ฮวด", last_name="สองหมู่")
    covers_both.villages.set(["86010101", "86010102"])
    login(client, "district_coordinator_a")
    page = client.get(reverse("households:hand_over", args=[handover["giver"].pk]))
    takers = list(page.context["form"].fields["taker"].queryset)
    assert takers[:2] == [covers_both, covers_one]
    assert "ฮวด สองหมู่ (ดูแล 2 จาก 2 หมู่บ้านของครัวเรือนเหล่านี้" in page.text
    assert "ก้อย หมู่หนึ่ง (ดูแล 1 จาก 2 หมู่บ้านของครัวเรือนเหล่านี้" in page.text
    assert "รับช่วง (หมู่บ้านอื่น" in page.text


def test_the_page_says_what_is_missing(client, handover):
    login(client, "district_coordinator_a")
    url = reverse("households:hand_over", args=[handover["giver"].pk])
    response = client.post(url, {"taker": handover["taker"].pk})
    assert response.status_code == 400
    assert "household" in str(response.context["form"].errors)
    response = client.post(url, {"households": [handover["active"][0].pk], "taker": "99999"})
    assert response.status_code == 400
    huge = client.post(url, {"taker": handover["taker"].pk, "households": ["9" * 23]})
    assert huge.status_code == 400
    assert looked_after_by(handover["taker"]) == set()


def test_households_left_behind_by_a_move_are_handed_over_where_they_are(client, handover):
    """The giver moved to ท่าแซะ (district B): district A's coordinator no longer sees them,
    but still assigns the households they left in ท่าตะเภา, to a volunteer of ท่าตะเภา."""
    Volunteer.objects.filter(pk=handover["giver"].pk).update(area_id="860201")
    login(client, "district_coordinator_a")
    url = reverse("households:hand_over", args=[handover["giver"].pk])
    page = client.get(url)
    assert page.status_code == 200
    assert not page.context["can_see_giver"]
    assert list(page.context["form"].fields["taker"].queryset) == [handover["taker"]]
    response = client.post(
        url, {"taker": handover["taker"].pk, "households": [h.pk for h in handover["active"]]}
    )
    assert response["Location"] == reverse("households:list")
    assert looked_after_by(handover["taker"]) == {h.pk for h in handover["active"]}


def test_the_new_districts_coordinator_sees_no_household_to_hand_over(client, handover):
    Volunteer.objects.filter(pk=handover["giver"].pk).update(area_id="860201")
    login(client, "district_coordinator_b")
    page = client.get(reverse("households:hand_over", args=[handover["giver"].pk]))
    assert page.status_code == 200
    assert 'data-testid="nothing-to-hand-over"' in page.text


def test_a_refusal_of_the_service_is_shown_beside_the_taker(client, handover, monkeypatch):
    form_data = {"taker": handover["taker"].pk, "households": [handover["active"][0].pk]}
    login(client, "district_coordinator_a")
    url = reverse("households:hand_over", args=[handover["giver"].pk])
    # The taker leaves between the page and the click: the form still offers them.
    original = services.households_hand_over

    def taker_left(**kwargs):
        Volunteer.objects.filter(pk=handover["taker"].pk).update(status="resigned")
        kwargs["taker"].refresh_from_db()
        return original(**kwargs)

    monkeypatch.setattr(services, "households_hand_over", taker_left)
    response = client.post(url, form_data)
    assert response.status_code == 400
    assert response.context["form"].errors["taker"]
    assert looked_after_by(handover["taker"]) == set()


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_page_is_the_coordination_centres(client, handover, persona):
    login(client, persona)
    response = client.get(reverse("households:hand_over", args=[handover["giver"].pk]))
    allowed = {"national_admin", "province_officer", "district_coordinator_a"}
    expected = 200 if persona in allowed else 403 if persona == "auditor" else 404
    if persona.startswith("volunteer"):
        expected = 404  # they manage only their own households, never a colleague's
    assert response.status_code == expected, persona


def test_the_page_sends_anonymous_users_to_login(client, handover):
    response = client.get(reverse("households:hand_over", args=[handover["giver"].pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_volunteer_page_links_to_the_handover(client, handover):
    login(client, "district_coordinator_a")
    page = client.get(reverse("volunteers:detail", args=[handover["giver"].pk]))
    assert 'data-testid="hand-over"' in page.text
    assert page.context["households_looked_after"] == 2


def test_moving_a_volunteer_warns_of_the_households_left_behind(client, handover):
    giver = handover["giver"]
    login(client, "district_coordinator_a")
    post = {
        "citizen_id": "",
        "title": giver.title,
        "first_name": giver.first_name,
        "last_name": giver.last_name,
        "area": "860102",  # ปากน้ำ: the households stay in ท่าตะเภา
        "version": giver.version,
    }
    response = client.post(reverse("volunteers:edit", args=[giver.pk]), post)
    assert response.status_code == 302
    warned = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    assert any("2" in text and "ส่งต่อครัวเรือน" in text for text in warned), warned
    page = client.get(reverse("volunteers:detail", args=[giver.pk]))
    assert page.context["households_away"] == 2
    assert "อยู่ในตำบลที่ไม่ได้รับผิดชอบแล้ว 2 ครัวเรือน" in page.text


def test_a_household_page_leads_to_the_hand_over_of_a_volunteer_gone_elsewhere(client, handover):
    Volunteer.objects.filter(pk=handover["giver"].pk).update(area_id="860201")
    login(client, "district_coordinator_a")
    household = handover["active"][0]
    page = client.get(reverse("households:detail", args=[household.pk])).text
    assert 'data-testid="volunteer-gone"' in page
    assert 'data-testid="no-volunteer"' in page  # nobody visits it any more
    link = reverse("households:hand_over", args=[handover["giver"].pk])
    assert f'href="{link}" data-testid="hand-over-from-household"' in page


def test_a_volunteer_with_no_household_is_not_told_to_search_again(client, handover):
    HouseholdAssignment.objects.filter(volunteer=handover["giver"]).delete()
    login(client, "volunteer_a")
    page = client.get(reverse("households:list")).text
    assert "ยังไม่มีครัวเรือนที่จะแสดง" in page
