"""An evacuated household: where it stays and since when, until it is back home. It stays
active, and so do its members, so it stays in every list and figure; past evacuations are kept."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from carenet.accounts.models import User
from carenet.core.models import AuditEvent
from carenet.households import services
from carenet.households.models import Evacuation, HouseholdStatus, PersonStatus
from carenet.households.services import household_recompute
from carenet.households.tests.conftest import MANAGES, SEES
from carenet.households.tests.factories import HouseholdFactory, PersonFactory, assign
from conftest import login

pytestmark = pytest.mark.django_db
SHELTER = "ศูนย์พักพิงชั่วคราว วัดปากน้ำ"


def _user(name: str) -> User:
    return User.objects.get(username=name)


def _evacuate(world, key="a1", actor="district_coordinator_a", **extra):
    data = {"place": SHELTER, "since": timezone.localdate(), **extra}
    return services.evacuation_start(actor=_user(actor), household=world.households[key], **data)


# --- Services ------------------------------------------------------------------------------


def test_an_evacuated_household_and_its_members_stay_active_and_counted(world):
    household = world.households["a1"]
    PersonFactory.create(household=household, bedridden=True)
    household_recompute(household=household)
    household.refresh_from_db()
    before = (household.priority_score, household.member_count, household.vulnerability)

    evacuation = _evacuate(world, latitude="10.4986, 99.1801")

    household.refresh_from_db()
    assert household.status == HouseholdStatus.ACTIVE
    assert (household.priority_score, household.member_count, household.vulnerability) == before
    assert set(household.members.values_list("status", flat=True)) == {PersonStatus.ACTIVE}
    assert (evacuation.area_id, evacuation.ended_on) == (household.area_id, None)
    assert (str(evacuation.latitude), str(evacuation.longitude)) == ("10.498600", "99.180100")
    assert evacuation.recorded_by.username == "district_coordinator_a"
    event = AuditEvent.objects.get(action="household.evacuate")
    assert event.target_id == str(household.pk)
    assert event.details["place"] == SHELTER


def test_back_home_ends_it_and_keeps_it_so_another_can_follow(world):
    first = _evacuate(world, since=timezone.localdate() - timedelta(days=3))
    services.evacuation_end(
        actor=_user("volunteer_a"), household=world.households["a1"], ended_on=timezone.localdate()
    )
    first.refresh_from_db()
    assert first.ended_on == timezone.localdate()
    assert first.ended_by.username == "volunteer_a"
    assert AuditEvent.objects.filter(action="household.back_home").count() == 1
    _evacuate(world)
    assert Evacuation.objects.filter(household=world.households["a1"]).count() == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"place": "  \u200b "}, "place"),
        ({"since": date.today() + timedelta(days=2)}, "since"),
        ({"latitude": "99.1", "longitude": "10.4"}, "latitude"),
        ({"latitude": "10.4"}, "longitude"),
    ],
)
def test_bad_input_is_refused_with_its_field_and_records_nothing(world, change, field):
    with pytest.raises(ValidationError) as raised:
        _evacuate(world, **change)
    assert field in raised.value.message_dict
    assert not Evacuation.objects.exists()
    assert not AuditEvent.objects.filter(action="household.evacuate").exists()


def test_one_open_evacuation_at_a_time(world):
    _evacuate(world)
    with pytest.raises(ValidationError):
        _evacuate(world, place="บ้านญาติ")
    assert Evacuation.objects.count() == 1


def test_back_home_is_refused_before_leaving_or_when_not_away(world):
    household = world.households["a1"]
    coordinator = _user("district_coordinator_a")
    with pytest.raises(ValidationError):
        services.evacuation_end(actor=coordinator, household=household, ended_on=date.today())
    _evacuate(world, since=timezone.localdate() - timedelta(days=1))
    for day in (timezone.localdate() - timedelta(days=5), timezone.localdate() + timedelta(1)):
        with pytest.raises(ValidationError) as raised:
            services.evacuation_end(actor=coordinator, household=household, ended_on=day)
        assert "ended_on" in raised.value.message_dict
    assert Evacuation.objects.get().ended_on is None


def test_a_household_moved_or_closed_is_not_evacuated_and_its_stay_ends(world):
    household = world.households["a1"]
    _evacuate(world)
    services.household_set_status(
        actor=_user("district_coordinator_a"),
        household=household,
        status=HouseholdStatus.MOVED,
        reason="ย้ายไปอยู่จังหวัดอื่น",
    )
    assert Evacuation.objects.get().ended_on == timezone.localdate()
    with pytest.raises(ValidationError):
        _evacuate(world)


def test_the_evacuation_follows_the_household_to_another_village(world):
    household = world.households["a1"]
    _evacuate(world)
    services.household_update(
        actor=_user("district_coordinator_a"),
        household=household,
        version=household.version,
        house_no=household.house_no,
        moo=None,
        soi="",
        road="",
        latitude=None,
        longitude=None,
        ownership="",
        condition="",
        area=world.households["a2"].area,
    )
    assert Evacuation.objects.get().area_id == "86010102"


@pytest.mark.parametrize("persona", ["volunteer_a", "district_coordinator_b", "auditor"])
def test_those_who_may_not_change_the_household_record_nothing(world, persona):
    key = "a2" if persona == "volunteer_a" else "a1"
    with pytest.raises(PermissionDenied):
        _evacuate(world, key=key, actor=persona)
    assert not Evacuation.objects.exists()


# --- Pages ---------------------------------------------------------------------------------


def _post_evacuation(client, household, **data):
    url = reverse("households:evacuate", args=[household.pk])
    return client.post(url, {"place": SHELTER, "since": "15/11/2569", **data})


@pytest.mark.parametrize("persona", sorted(p for p in MANAGES if "a1" in MANAGES[p]))
def test_those_who_manage_the_household_record_it_with_a_buddhist_era_date(client, world, persona):
    login(client, persona)
    household = world.households["a1"]
    response = _post_evacuation(client, household)
    assert response.status_code == 302
    assert Evacuation.objects.get().since == date(2026, 11, 15)
    page = client.get(reverse("households:detail", args=[household.pk]))
    assert SHELTER in page.text
    assert 'data-testid="back-home-form"' in page.text


@pytest.mark.parametrize("persona", ["district_coordinator_b", "volunteer_b", "auditor", None])
def test_others_get_a_404_or_the_login_page_and_nothing_changes(client, world, persona):
    login(client, persona)
    household = world.households["a1"]
    response = _post_evacuation(client, household)
    assert response.status_code in ((302,) if persona is None else (403, 404))
    if persona is None:
        assert "/accounts/login/" in response["Location"]
    url = reverse("households:back_home", args=[household.pk])
    client.post(url, {"ended_on": "16/11/2569"})
    assert not Evacuation.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="household.evacuate").exists()


def test_bad_dates_answer_beside_the_field_not_with_an_error_page(client, world):
    login(client, "district_coordinator_a")
    household = world.households["a1"]
    for since in ("31/02/2569", "พรุ่งนี้", "", "01/01/2999"):
        response = _post_evacuation(client, household, since=since)
        assert response.status_code == 400
        assert response.context["evacuation_form"].errors
    assert not Evacuation.objects.exists()


def test_back_home_on_the_page(client, world):
    login(client, "volunteer_a")
    household = world.households["a1"]
    _evacuate(world, since=date(2026, 11, 1))
    url = reverse("households:back_home", args=[household.pk])
    assert client.post(url, {"ended_on": "31/10/2569"}).status_code == 400  # before leaving
    assert client.post(url, {"ended_on": "02/11/2569"}).status_code == 302
    page = client.get(reverse("households:detail", args=[household.pk]))
    assert 'data-testid="past-evacuations"' in page.text
    assert 'data-testid="evacuation-form"' in page.text
    # Not away now (recorded back home already, here or by someone else): said on the page.
    again = client.post(url, {"ended_on": "03/11/2569"}, follow=True)
    assert [m for m in again.context["messages"] if m.level_tag == "error"]


def test_a_reader_sees_where_the_household_is_without_the_forms(client, world):
    _evacuate(world)
    login(client, "auditor")
    page = client.get(reverse("households:detail", args=[world.households["a1"].pk]))
    assert SHELTER in page.text
    assert 'data-testid="back-home-form"' not in page.text


@pytest.mark.parametrize("persona", sorted(SEES))
def test_the_list_shows_the_shelter_and_filters_the_evacuated_in_scope(client, world, persona):
    _evacuate(world)
    _evacuate(world, key="b1", actor="district_coordinator_b", place="วัดท่าแซะ")
    login(client, persona)
    response = client.get(reverse("households:list"), {"evacuated": "on"})
    shown = {row.household.pk for row in response.context["page"].object_list}
    evacuated = {world.households[k].pk for k in ("a1", "b1")}
    assert shown == evacuated & {world.households[k].pk for k in SEES[persona]}
    assert (SHELTER in response.text) == ("a1" in SEES[persona])
    everyone = client.get(reverse("households:list"))
    assert len(everyone.context["page"].object_list) == len(SEES[persona])  # still counted
    # Those still at home: whom a rescue team must still reach.
    home = client.get(reverse("households:list"), {"evacuated": "home"})
    at_home = {row.household.pk for row in home.context["page"].object_list}
    seen = {world.households[k].pk for k in SEES[persona]}
    assert at_home == seen - evacuated
    printed = client.get(reverse("households:priority_list"), {"evacuated": "home"})
    assert not {row.household.pk for row in printed.context["result"].rows} & evacuated


def test_the_list_filter_and_card_for_anonymous_is_the_login_page(client, world):
    _evacuate(world)
    response = client.get(reverse("households:list"), {"evacuated": "on"})
    assert response.status_code == 302
    assert SHELTER not in response.text


def test_the_list_keeps_a_constant_number_of_queries(client, world, django_assert_max_num_queries):
    login(client, "district_coordinator_a")
    path = reverse("households:list")
    client.get(path)

    def grow(n: int) -> None:
        for i in range(n):
            household = HouseholdFactory.create(area_id="86010101", vulnerability=["elderly"])
            household.head = PersonFactory.create(household=household)
            household.save()
            assign(household, world.volunteers["a"])
            services.evacuation_start(
                actor=_user("district_coordinator_a"),
                household=household,
                place=f"วัด {i}",
                since=timezone.localdate(),
            )

    grow(2)
    with django_assert_max_num_queries(30) as small:
        assert client.get(path, {"evacuated": "on"}).status_code == 200
    grow(15)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(path, {"evacuated": "on"})
    rows = response.context["page"].object_list
    assert len(rows) == 17
    assert all(row.evacuated_to.startswith("วัด ") for row in rows)


def test_the_priority_list_shows_the_shelter_next_to_the_address(client, world):
    _evacuate(world)
    login(client, "district_coordinator_a")
    response = client.get(reverse("households:priority_list"), {"area": "86010101"})
    rows = response.context["result"].rows
    assert [r.evacuated_to for r in rows] == [SHELTER]
    assert rows[0].evacuated_since == timezone.localdate()
    assert SHELTER in response.text
    login(client, "district_coordinator_b")
    response = client.get(reverse("households:priority_list"))
    assert SHELTER not in response.text


def test_the_page_finds_the_open_evacuation_among_many_past_ones(world):
    from carenet.households.selectors import EVACUATIONS_SHOWN, household_detail

    household = world.households["a1"]
    _evacuate(world, since=date(2026, 1, 1))
    day = date(2026, 2, 1)
    Evacuation.objects.bulk_create(
        Evacuation(
            household=household, area=household.area, place=f"วัด {i}", since=day, ended_on=day
        )
        for i in range(EVACUATIONS_SHOWN + 1)
    )
    shown = household_detail(household=household)
    assert shown.evacuation is not None and shown.evacuation.place == SHELTER
    assert len(shown.past_evacuations) == EVACUATIONS_SHOWN - 1


def test_a_second_coordinator_recording_the_stay_is_told_who_recorded_which(client, world):
    """Two centres on the same household at night: the second one's form was answered with a
    400 and nothing said, as the page shows no form once the household is evacuated."""
    household = world.households["a1"]
    _evacuate(world, actor="province_officer", place="วัดบางกลาง")
    login(client, "district_coordinator_a")
    url = reverse("households:evacuate", args=[household.pk])
    data = {"place": "ศูนย์พักพิง อบต.", "since": timezone.localdate().strftime("%d/%m/%Y")}
    response = client.post(url, data, follow=True)
    said = " ".join(str(m) for m in response.context["messages"])
    assert "วัดบางกลาง" in said and Evacuation.objects.count() == 1
    back = reverse("households:back_home", args=[household.pk])
    when = {"ended_on": timezone.localdate().strftime("%d/%m/%Y")}
    assert client.post(back, when).status_code == 302
    again = client.post(back, when, follow=True)
    assert [str(m) for m in again.context["messages"] if m.level_tag == "error"]
