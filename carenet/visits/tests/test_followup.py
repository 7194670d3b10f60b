"""The centre's follow-up: overdue households (and their boundaries), inactive volunteers,
households with no volunteer, the monthly summary against targets, a volunteer's activity, the
access matrix of those pages, and query counts that do not grow with the data."""

import csv
import io
import re
from datetime import date, datetime, time, timedelta
from importlib import import_module
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from carenet.accounts.models import AreaAssignment, Role
from carenet.accounts.tests.factories import UserFactory
from carenet.core.periods import Month, month_of, parse_month, recent_months
from carenet.households.models import Consent, Household
from carenet.households.tests.factories import (
    ConsentFactory,
    HouseholdFactory,
    VolunteerFactory,
    assign,
)
from carenet.visits import followup, services
from carenet.visits.models import VisitTarget
from carenet.visits.tests.factories import VisitFactory, build_world
from carenet.volunteers.models import Volunteer, VolunteerStatusChange
from conftest import PERSONAS, login
from conftest import page_body as any_page_body

pytestmark = pytest.mark.django_db

CENTRE_PERSONAS = {"national_admin", "province_officer", "district_coordinator_a",
                   "district_coordinator_b", "auditor"}  # fmt: skip


@pytest.fixture
def world(personas):
    return build_world(personas)


def today() -> date:
    return timezone.localdate()


def at(day: date, hour: int = 0, minute: int = 0) -> datetime:
    """An aware datetime in Bangkok time."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def due_in(household: Household, days: int) -> None:
    Household.objects.filter(pk=household.pk).update(
        next_visit_due=today() + timedelta(days=days),
        last_visit_at=timezone.now() - timedelta(days=30),
        current_risk="watch",
    )


def registered(household: Household, when: datetime) -> None:
    Household.objects.filter(pk=household.pk).update(created_at=when)


def report(user, **kwargs):
    return followup.overdue_report(user=user, **kwargs)


def listed(result) -> list[int]:
    return [row.household.pk for row in result.page.object_list]


# --- Overdue households ---------------------------------------------------------------------


def test_due_yesterday_is_overdue_and_due_today_is_not(world, district_coordinator_a):
    a1, a2 = world.households["a1"], world.households["a2"]
    due_in(a1, -1)
    due_in(a2, 0)
    result = report(district_coordinator_a)
    assert listed(result) == [a1.pk]
    row = result.page.object_list[0]
    assert row.days == 1 and not row.never_visited and row.due == today() - timedelta(days=1)


def test_a_household_whose_members_all_withdrew_is_not_overdue(world, district_coordinator_a):
    a1, a2 = world.households["a1"], world.households["a2"]
    due_in(a1, -3)
    due_in(a2, -3)
    for person in a2.members.all():
        Consent.objects.filter(person=person).delete()
        ConsentFactory.create(person=person, withdrawn_on=today(), withdrawal_reason="คัดค้าน")
    assert listed(report(district_coordinator_a)) == [a1.pk]
    assert Household.objects.filter(followup.overdue_q(today())).filter(pk=a2.pk).count() == 0


def test_never_visited_is_overdue_only_after_thirty_days(world, district_coordinator_a):
    a2, p1 = world.households["a2"], world.households["p1"]
    # Registered 30 days ago (at any time that day): due today, not yet overdue.
    registered(a2, at(today() - timedelta(days=30), 0, 0))
    # Registered 31 days ago, a minute before midnight: due yesterday.
    registered(p1, at(today() - timedelta(days=31), 23, 59))
    result = report(district_coordinator_a)
    assert listed(result) == [p1.pk]
    row = result.page.object_list[0]
    assert row.never_visited and row.days == 1


def test_never_visited_come_first_then_the_longest_overdue(world, district_coordinator_a):
    a1, a2, p1 = (world.households[k] for k in ("a1", "a2", "p1"))
    due_in(a1, -3)
    due_in(a2, -40)
    registered(p1, at(today() - timedelta(days=35)))
    assert listed(report(district_coordinator_a)) == [p1.pk, a2.pk, a1.pk]


def test_households_that_moved_or_closed_are_not_followed_up(world, district_coordinator_a):
    a1 = world.households["a1"]
    due_in(a1, -10)
    Household.objects.filter(pk=a1.pk).update(status="closed")
    result = report(district_coordinator_a)
    assert result.total == 0 and listed(result) == []


def test_overdue_roll_up_by_subdistrict_and_by_volunteer(world, district_coordinator_a):
    for key in ("a1", "a2", "p1", "b1", "s1"):
        due_in(world.households[key], -5)
    extra = HouseholdFactory.create(area_id="86010102")
    assign(extra, world.volunteers["a"])
    due_in(extra, -2)
    result = report(district_coordinator_a)
    assert result.total == 4  # a1, a2, p1, extra: not b1 (district B), not s1
    by_area = {g.key: (g.count, g.without_volunteer) for g in result.by_subdistrict}
    assert by_area == {"860101": (3, 1), "860102": (1, 1)}
    assert result.without_volunteer == 2
    assert [g.label for g in result.by_subdistrict] == ["ต.ท่าตะเภา", "ต.ปากน้ำ"]
    assert result.by_subdistrict[0].context == ""  # one district: not repeated on every row
    assert [(g.key, g.count) for g in result.by_volunteer] == [(str(world.volunteers["a"].pk), 2)]


def test_subdistricts_of_several_districts_name_their_district(world, province_officer):
    for key in ("a1", "b1"):
        due_in(world.households[key], -5)
    result = report(province_officer)
    assert [(g.label, g.context) for g in result.by_subdistrict] == [
        ("ต.ท่าตะเภา", "อ.เมืองชุมพร"),
        ("ต.ท่าแซะ", "อ.ท่าแซะ"),
    ]


def test_the_list_narrows_to_an_area_or_a_volunteer(world, district_coordinator_a):
    for key in ("a1", "a2", "p1"):
        due_in(world.households[key], -5)
    area = followup.area_filter(user=district_coordinator_a, code="860102")
    assert listed(report(district_coordinator_a, area=area)) == [world.households["p1"].pk]
    vol = world.volunteers["a"].pk
    assert listed(report(district_coordinator_a, volunteer_id=vol)) == [world.households["a1"].pk]


def test_a_coordinator_sees_only_their_own_district(world, district_coordinator_b):
    for key in ("a1", "a2", "p1", "b1", "s1"):
        due_in(world.households[key], -5)
    result = report(district_coordinator_b)
    assert listed(result) == [world.households["b1"].pk]
    assert [g.key for g in result.by_subdistrict] == ["860201"]
    assert [u.household.pk for u in result.unassigned] == []


def test_the_area_filter_takes_only_areas_in_scope(world, district_coordinator_a):
    assert followup.area_filter(user=district_coordinator_a, code="8601").code == "8601"
    assert followup.area_filter(user=district_coordinator_a, code="86010101") is not None
    for code in ("8602", "86", "84", "99", "abc", "", "8601' OR 1=1"):
        assert followup.area_filter(user=district_coordinator_a, code=code) is None


# --- Inactive volunteers --------------------------------------------------------------------


def serving(*volunteers, household):
    """Volunteers registered long ago who look after `household`: a new volunteer, or one
    with nobody to visit, is not counted as silent."""
    for volunteer in volunteers:
        Volunteer.objects.filter(pk=volunteer.pk).update(
            created_at=timezone.now() - timedelta(days=100)
        )
        if not household.assignments.filter(volunteer=volunteer).exists():
            assign(household, volunteer)
    return volunteers


def test_new_volunteers_and_those_with_nobody_to_visit_are_not_silent(
    world, district_coordinator_a
):
    new = VolunteerFactory.create(area_id="860101")
    assign(world.households["a1"], new)
    idle = VolunteerFactory.create(area_id="860101")
    Volunteer.objects.filter(pk=idle.pk).update(created_at=timezone.now() - timedelta(days=100))
    (old,) = serving(VolunteerFactory.create(area_id="860101"), household=world.households["a1"])
    found = set(followup.inactive_volunteers(user=district_coordinator_a))
    assert old in found and new not in found and idle not in found


def test_a_visit_exactly_sixty_days_ago_is_still_active(world, district_coordinator_a):
    on_time = VolunteerFactory.create(area_id="860101", first_name="ก")
    late = VolunteerFactory.create(area_id="860101", first_name="ข")
    serving(on_time, late, household=world.households["a1"])
    VisitFactory.create(household=world.households["a1"], volunteers=[on_time],
                        visited_at=at(today() - timedelta(days=60), 0, 0))  # fmt: skip
    VisitFactory.create(household=world.households["a1"], volunteers=[late],
                        visited_at=at(today() - timedelta(days=61), 23, 59))  # fmt: skip
    VisitFactory.create(household=world.households["a1"], volunteers=[world.volunteers["a"]])
    inactive = list(followup.inactive_volunteers(user=district_coordinator_a))
    assert inactive == [late]
    assert timezone.localdate(inactive[0].last_visit_at) == today() - timedelta(days=61)


def test_a_volunteer_who_never_visited_is_inactive_and_listed_first(world, district_coordinator_a):
    late = VolunteerFactory.create(area_id="860102")
    serving(late, household=world.households["p1"])
    serving(world.volunteers["a"], household=world.households["a1"])
    VisitFactory.create(household=world.households["p1"], volunteers=[late],
                        visited_at=timezone.now() - timedelta(days=90))  # fmt: skip
    result = report(district_coordinator_a)
    # volunteer_a's record never visited; the new one did, 90 days ago.
    assert [r.volunteer.pk for r in result.inactive] == [world.volunteers["a"].pk, late.pk]
    assert result.inactive[0].last_visit is None and result.inactive[1].days == 90
    assert result.inactive_count == 2


def test_only_active_volunteers_in_scope_count(world, district_coordinator_a):
    VolunteerFactory.create(area_id="860101", status="resigned")
    VolunteerFactory.create(area_id="860201")  # district B
    VisitFactory.create(household=world.households["a1"], volunteers=[world.volunteers["a"]])
    assert list(followup.inactive_volunteers(user=district_coordinator_a)) == []


def test_a_long_list_is_cut_and_says_how_many_there_are(client, world, monkeypatch):
    monkeypatch.setattr(followup, "SHORT_LIST", 2)
    for name in ("ก", "ข", "ค"):
        serving(
            VolunteerFactory.create(area_id="860101", first_name=name),
            household=world.households["a1"],
        )
    serving(world.volunteers["a"], household=world.households["a1"])
    login(client, "district_coordinator_a")
    response = client.get(reverse("visits:overdue"))
    inactive = response.context["report"].inactive
    assert len(inactive) == 2 and response.context["report"].inactive_count == 4
    assert b"more-note" in response.content


def test_a_visit_recorded_takes_the_volunteer_off_the_list(world, district_coordinator_a):
    (vol_a,) = serving(world.volunteers["a"], household=world.households["a1"])
    assert list(followup.inactive_volunteers(user=district_coordinator_a)) == [vol_a]
    services.visit_record(
        actor=district_coordinator_a,
        household=world.households["a1"],
        data=services.VisitData(
            visited_at=timezone.now() - timedelta(days=59), co_volunteer_ids=[vol_a.pk]
        ),
    )
    assert list(followup.inactive_volunteers(user=district_coordinator_a)) == []
    in_two_days = today() + timedelta(days=2)
    assert list(followup.inactive_volunteers(user=district_coordinator_a, today=in_two_days)) == [
        vol_a
    ]


def test_the_migration_fills_the_latest_visit_from_the_visits(world):
    """0002_volunteer_last_visit_at: a visit counts for each volunteer on it, the latest wins."""
    fill = import_module("carenet.volunteers.migrations.0002_volunteer_last_visit_at").backfill
    vol_a, vol_b = world.volunteers["a"], world.volunteers["b"]
    other = VolunteerFactory.create(area_id="860101")
    newest, older = timezone.now() - timedelta(days=3), timezone.now() - timedelta(days=80)
    VisitFactory.create(household=world.households["a1"], volunteers=[vol_a, other],
                        visited_at=older)  # fmt: skip
    VisitFactory.create(household=world.households["a1"], volunteers=[vol_a], visited_at=newest)
    Volunteer.objects.update(last_visit_at=None)
    fill(django_apps, SimpleNamespace(connection=connection))
    latest = dict(Volunteer.objects.values_list("pk", "last_visit_at"))
    assert (latest[vol_a.pk], latest[other.pk], latest[vol_b.pk]) == (newest, older, None)


# --- Households with no volunteer -----------------------------------------------------------


def test_households_with_no_volunteer_highest_priority_first(world, district_coordinator_a):
    Household.objects.filter(pk=world.households["p1"].pk).update(priority_score=12)
    result = report(district_coordinator_a)
    assert [u.household.pk for u in result.unassigned] == [
        world.households["p1"].pk,
        world.households["a2"].pk,
    ]
    assert result.unassigned[0].level == "high"
    assert result.unassigned_count == 2


def test_a_household_whose_volunteer_resigned_has_no_volunteer(world, district_coordinator_a):
    Volunteer.objects.filter(pk=world.volunteers["a"].pk).update(status="resigned")
    result = report(district_coordinator_a)
    assert world.households["a1"].pk in [u.household.pk for u in result.unassigned]
    assert result.unassigned_count == 3
    assert str(world.volunteers["a"].pk) not in [g.key for g in result.by_volunteer]


def test_a_household_whose_volunteer_moved_away_has_no_volunteer(world, district_coordinator_a):
    Volunteer.objects.filter(pk=world.volunteers["a"].pk).update(area_id="860102")
    due_in(world.households["a1"], -1)
    result = report(district_coordinator_a)
    assert world.households["a1"].pk in [u.household.pk for u in result.unassigned]
    assert str(world.volunteers["a"].pk) not in [g.key for g in result.by_volunteer]
    assert world.households["a1"].pk in [row.household.pk for row in result.page.object_list]
    named = [v for row in result.page.object_list for v in row.volunteers]
    assert world.volunteers["a"] not in named  # an overdue row does not name them either


# --- The monthly summary --------------------------------------------------------------------


@pytest.fixture
def march(world):
    """Visits around March 2025 in district A; vol_c serves ต.ปากน้ำ."""
    vol_a = world.volunteers["a"]
    vol_c = VolunteerFactory.create(area_id="860102")
    a1, a2, p1 = (world.households[k] for k in ("a1", "a2", "p1"))
    assign(p1, vol_c)
    VisitFactory.create(household=a1, volunteers=[vol_a], visited_at=at(date(2025, 3, 1), 0, 0))
    VisitFactory.create(household=a1, volunteers=[vol_a], visited_at=at(date(2025, 3, 31), 23, 59))
    VisitFactory.create(
        household=p1, volunteers=[vol_a, vol_c], visited_at=at(date(2025, 3, 15), 10)
    )
    VisitFactory.create(household=a2, volunteers=[vol_a], visited_at=at(date(2025, 4, 1), 0, 0))
    VisitFactory.create(household=p1, volunteers=[vol_c], visited_at=at(date(2025, 2, 28), 23, 59))
    VisitFactory.create(household=world.households["b1"], volunteers=[world.volunteers["b"]],
                        visited_at=at(date(2025, 3, 10)))  # fmt: skip
    return {"a": vol_a, "c": vol_c}


def summary(user, base_code=None, month="2025-03"):
    base = followup.area_filter(user=user, code=base_code) if base_code else None
    if base_code is None:
        base = followup.default_base(user=user)
    return followup.monthly_summary(user=user, month=parse_month(month), base=base)


def test_the_month_counts_visits_and_households_within_its_bounds(march, district_coordinator_a):
    s = summary(district_coordinator_a)
    assert s.base.code == "8601"
    assert (s.total.visits, s.total.households) == (3, 2)
    rows = {r.area.code: (r.visits, r.households) for r in s.rows}
    assert rows == {"860101": (2, 1), "860102": (1, 1)}


def test_volunteers_fall_behind_the_default_target_of_four(march, district_coordinator_a):
    s = summary(district_coordinator_a)
    assert {(b.volunteer_id, b.visits, b.target) for b in s.behind} == {
        (march["a"].pk, 3, 4),
        (march["c"].pk, 1, 4),
    }
    assert s.total.volunteers == 2 and s.total.behind == 2
    assert {r.area.code: (r.volunteers, r.behind) for r in s.rows} == {
        "860101": (1, 1),
        "860102": (1, 1),
    }


def test_in_a_month_under_way_the_target_counts_the_days_gone(march, district_coordinator_a):
    """Nobody is behind on the first day; by the middle, half the target is expected."""

    def behind_on(day: date) -> set[tuple[int, int, int]]:
        s = followup.monthly_summary(
            user=district_coordinator_a,
            month=Month(date(2025, 3, 1)),
            base=followup.default_base(user=district_coordinator_a),
            today=day,
        )
        return {(b.volunteer_id, b.visits, b.target) for b in s.behind}

    assert behind_on(date(2025, 3, 1)) == set()
    assert behind_on(date(2025, 3, 16)) == {(march["c"].pk, 1, 2)}  # 4 x 16/31 = 2
    assert behind_on(date(2025, 4, 2)) == behind_on(date(2025, 3, 31))  # the whole target


def test_a_volunteer_with_no_household_is_not_behind(march, district_coordinator_a):
    """Nobody to visit is not falling behind: the summary counts them apart."""
    idle = VolunteerFactory.create(area_id="860101")
    s = summary(district_coordinator_a)
    assert idle.pk not in {b.volunteer_id for b in s.behind}
    assert s.without_households == 1
    assert s.total.volunteers == 3 and s.total.behind == 2


def test_a_past_month_counts_who_served_then(march, district_coordinator_a):
    """Registered after March: not behind in March. Resigned since: still counted for it."""
    late, gone = march["a"], march["c"]
    VolunteerStatusChange.objects.create(
        volunteer=late, to_status="active", effective_date=date(2025, 4, 10), reason="ขึ้นทะเบียน"
    )
    VolunteerStatusChange.objects.create(
        volunteer=gone, to_status="active", effective_date=date(2024, 1, 5), reason="ขึ้นทะเบียน"
    )
    VolunteerStatusChange.objects.create(
        volunteer=gone,
        from_status="active",
        to_status="resigned",
        effective_date=date(2025, 5, 2),
        reason="ลาออก",
    )
    Volunteer.objects.filter(pk=gone.pk).update(status="resigned")
    s = summary(district_coordinator_a)
    assert [b.volunteer_id for b in s.behind] == [gone.pk]
    assert s.total.volunteers == 1


def test_the_nearest_area_target_decides(march, district_coordinator_a, area_tree):
    VisitTarget.objects.create(area=area_tree["8601"], visits_per_volunteer_per_month=2)
    s = summary(district_coordinator_a)
    assert [(b.volunteer_id, b.target) for b in s.behind] == [(march["c"].pk, 2)]
    VisitTarget.objects.create(area=area_tree["860102"], visits_per_volunteer_per_month=1)
    assert summary(district_coordinator_a).behind == []


def test_households_are_measured_against_the_area_target(march, district_coordinator_a, area_tree):
    VisitTarget.objects.create(area=area_tree["8601"], households_per_month=4)
    VisitTarget.objects.create(area=area_tree["860102"], households_per_month=2)
    s = summary(district_coordinator_a)
    assert (s.total.target, s.total.percent) == (4, 50)
    rows = {r.area.code: (r.target, r.percent) for r in s.rows}
    assert rows == {"860101": (None, None), "860102": (2, 50)}


def test_one_subdistrict_s_target_is_not_the_district_s(march, district_coordinator_a, area_tree):
    VisitTarget.objects.create(area=area_tree["860102"], households_per_month=2)
    s = summary(district_coordinator_a)
    assert (s.total.target, s.total.percent) == (None, None)  # 860101 has none
    VisitTarget.objects.create(area=area_tree["860101"], households_per_month=3)
    assert summary(district_coordinator_a).total.target == 5  # every one has: their sum


def test_the_summary_counts_households_overdue_today(march, world, district_coordinator_a):
    for key in ("a1", "a2", "p1", "b1"):
        due_in(world.households[key], -1)
    s = summary(district_coordinator_a)
    assert s.total.overdue == 3
    assert {r.area.code: r.overdue for r in s.rows} == {"860101": 2, "860102": 1}


@pytest.mark.parametrize("second", ["b1", "a1"])  # a subdistrict elsewhere, one inside the district
def test_the_total_of_a_scope_of_two_areas_counts_each_visit_once(march, world, second):
    """A district and a subdistrict at once doubled the total line: each prefix length's
    counts were added up."""
    user = UserFactory.create()
    AreaAssignment.objects.create(user=user, role=Role.CENTRE_COORDINATOR, area_id="8601")
    subdistrict = world.households[second].area_id[:6]
    AreaAssignment.objects.create(user=user, role=Role.CENTRE_COORDINATOR, area_id=subdistrict)
    for key in ("a1", "b1"):
        due_in(world.households[key], -1)
    s = summary(user)
    assert (s.base is None) == (second == "b1")  # a subdistrict inside the district adds none
    in_8601, households_8601 = 3, 2  # the march fixture's visits in district A
    extra = (1, 1, 1) if second == "b1" else (0, 0, 0)
    assert (s.total.visits, s.total.households, s.total.overdue) == (
        in_8601 + extra[0],
        households_8601 + extra[1],
        1 + extra[2],
    )


def test_a_province_sees_its_districts_and_the_nation_its_provinces(march, personas):
    province = summary(personas["province_officer"])
    assert province.base.code == "86"
    assert [r.area.code for r in province.rows] == ["8601", "8602"]
    assert [r.visits for r in province.rows] == [3, 1]
    nation = summary(personas["national_admin"])
    assert nation.base is None
    assert [r.area.code for r in nation.rows] == ["84", "86"]
    assert nation.total.visits == 4


def test_a_subdistrict_shows_its_villages_without_volunteer_columns(march, district_coordinator_a):
    s = summary(district_coordinator_a, base_code="860101")
    assert [r.area.code for r in s.rows] == ["86010101", "86010102"]
    assert [(r.visits, r.volunteers) for r in s.rows] == [(2, None), (0, None)]
    assert s.total.volunteers == 1


def test_a_village_counts_the_volunteers_who_cover_it(march, district_coordinator_a):
    vol_a = march["a"]
    vol_a.villages.set(["86010101"])
    VolunteerFactory.create(area_id="860101").villages.set(["86010102"])
    assert summary(district_coordinator_a, base_code="86010101").total.volunteers == 1
    assert summary(district_coordinator_a, base_code="860101").total.volunteers == 2


def test_months_read_in_either_calendar_and_refuse_nonsense():
    assert parse_month("2025-03") == Month(date(2025, 3, 1))
    assert parse_month("2568-03") == Month(date(2025, 3, 1))
    assert parse_month("๒๕๖๘-๐๓") == Month(date(2025, 3, 1))  # Thai digits
    for text in ("2025-13", "2025-00", "25-03", "march", "", "2025-3-1", "1500-01", "2025-"):
        assert parse_month(text) is None, text


def test_month_labels_and_neighbours():
    march = Month(date(2025, 3, 1))
    assert march.label in ("มีนาคม 2568", "March 2568")
    assert march.previous == Month(date(2025, 2, 1)) and march.following == Month(date(2025, 4, 1))
    assert Month(date(2024, 12, 1)).following == Month(date(2025, 1, 1))
    assert march.param == "2025-03"
    months = recent_months(date(2025, 1, 20))
    assert len(months) == 12 and months[0].param == "2025-01" and months[-1].param == "2024-02"


# --- A volunteer's activity -----------------------------------------------------------------


def test_activity_counts_visits_and_hours_per_month(world):
    vol = world.volunteers["a"]
    h = world.households["a1"]
    VisitFactory.create(household=h, volunteers=[vol], visited_at=at(date(2025, 6, 1)),
                        duration_minutes=45, acknowledged_at=timezone.now())  # fmt: skip
    VisitFactory.create(household=h, volunteers=[vol], visited_at=at(date(2025, 6, 14), 23, 59),
                        duration_minutes=30)  # fmt: skip
    VisitFactory.create(household=h, volunteers=[vol], visited_at=at(date(2025, 3, 10)),
                        duration_minutes=60)  # fmt: skip
    VisitFactory.create(household=h, volunteers=[vol], visited_at=at(date(2024, 6, 30), 23, 59))
    VisitFactory.create(household=h, volunteers=[world.volunteers["b"]],
                        visited_at=at(date(2025, 6, 2)))  # fmt: skip
    months = followup.volunteer_activity(volunteer=vol, today=date(2025, 6, 15))
    assert [m.month.param for m in months][:1] == ["2024-07"] and months[
        -1
    ].month.param == "2025-06"
    by_month = {m.month.param: (m.visits, m.minutes, m.acknowledged) for m in months}
    assert by_month["2025-06"] == (2, 75, 1)
    assert by_month["2025-03"] == (1, 60, 0)
    assert sum(m.visits for m in months) == 3  # June 2024 is 13 months back
    assert months[-1].hours == 1.2


# --- Pages: access ---------------------------------------------------------------------------


def page_body(response, path: str) -> bytes:
    """conftest.page_body, and the values of the page's fields (dates of today)."""
    return re.sub(rb'value="[^"]*"', b'value="X"', any_page_body(response, path))


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", ["visits:overdue", "visits:summary"])
def test_centre_pages_open_to_centres_and_not_to_volunteers(client, world, persona, name):
    login(client, persona)
    response = client.get(reverse(name))
    assert response.status_code == (200 if persona in CENTRE_PERSONAS else 403)


@pytest.mark.parametrize("name", ["visits:overdue", "visits:summary"])
def test_an_area_out_of_scope_is_the_same_404_as_one_that_does_not_exist(client, world, name):
    login(client, "district_coordinator_a")
    path = reverse(name)
    missing = client.get(path, {"area": "99"})
    assert missing.status_code == 404
    for code in ("8602", "86020101", "84", "abc"):
        response = client.get(path, {"area": code})
        assert response.status_code == 404
        assert page_body(response, path) == page_body(missing, path)
    assert client.get(path, {"area": "860102"}).status_code == 200


@pytest.mark.parametrize("name", ["visits:overdue", "visits:summary"])
def test_centre_pages_send_anonymous_users_to_login(client, world, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


ACTIVITY_SEES = {
    "national_admin": {"a", "b"},
    "auditor": {"a", "b"},
    "province_officer": {"a", "b"},
    "district_coordinator_a": {"a"},
    "district_coordinator_b": {"b"},
    "volunteer_a": {"a"},
    "volunteer_b": {"b"},
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_activity_in_scope_200_out_of_scope_404(client, world, persona):
    login(client, persona)
    missing_path = reverse("visits:activity", args=[999999])
    missing = client.get(missing_path)
    assert missing.status_code == 404
    for key, volunteer in world.volunteers.items():
        path = reverse("visits:activity", args=[volunteer.pk])
        response = client.get(path)
        if key in ACTIVITY_SEES[persona]:
            assert response.status_code == 200, key
        else:
            assert response.status_code == 404, key
            assert page_body(response, path) == page_body(missing, missing_path)


def test_activity_sends_anonymous_users_to_login(client, world):
    response = client.get(reverse("visits:activity", args=[world.volunteers["a"].pk]))
    assert response.status_code == 302


def test_the_pages_accept_only_get(client, world):
    login(client, "district_coordinator_a")
    assert client.post(reverse("visits:overdue")).status_code == 405
    assert client.post(reverse("visits:summary")).status_code == 405
    assert (
        client.post(reverse("visits:activity", args=[world.volunteers["a"].pk])).status_code == 405
    )


# --- Pages: what they show -------------------------------------------------------------------


def test_the_overdue_page_shows_the_roll_ups(client, world):
    due_in(world.households["a1"], -4)
    registered(world.households["p1"], at(today() - timedelta(days=40)))
    login(client, "district_coordinator_a")
    response = client.get(reverse("visits:overdue"))
    html = response.content.decode()
    assert 'data-testid="overdue-total">2<' in html
    assert 'data-testid="by-subdistrict"' in html and 'data-testid="by-volunteer"' in html
    assert html.count('class="fu-row') >= 2
    assert reverse("visits:activity", args=[world.volunteers["a"].pk]) in html


def test_junk_in_the_query_never_breaks_the_overdue_page(client, world):
    login(client, "district_coordinator_a")
    path = reverse("visits:overdue")
    for query in ({"volunteer": "abc"}, {"volunteer": "9" * 30}, {"page": "x"}, {"page": "999"}):
        assert client.get(path, query).status_code == 200, query


def test_the_summary_page_reads_the_month_and_says_when_it_cannot(client, march):
    login(client, "district_coordinator_a")
    path = reverse("visits:summary")
    response = client.get(path, {"month": "2568-03"})
    assert response.status_code == 200
    assert response.context["s"].month == Month(date(2025, 3, 1))
    assert 'data-testid="visits-total">3<' in response.content.decode()
    bad = client.get(path, {"month": "2025-99"})
    assert bad.status_code == 200 and bad.context["month_invalid"]
    assert bad.context["s"].month == month_of(today())
    ahead = client.get(path, {"month": f"{today().year + 1}-03"})
    assert ahead.context["month_future"] and ahead.context["s"].month == month_of(today())
    assert 'rel="next"' not in ahead.content.decode()


def test_the_summary_downloads_as_csv_and_xlsx_in_scope(client, march):
    login(client, "district_coordinator_a")
    page = client.get(reverse("visits:summary"), {"month": "2568-03"}).content.decode()
    assert 'data-testid="summary-download"' in page
    csv_path = reverse("visits:summary_download", args=["csv"])
    response = client.get(csv_path, {"month": "2568-03"})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('-8601-2568-03.csv"')
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    rows = list(csv.reader(lines))
    assert rows[0][:4] == ["เดือน", "พื้นที่", "รหัสพื้นที่", "จำนวนการเยี่ยม"]
    assert [r[2] for r in rows[1:]] == ["860101", "860102", "8601"]  # the total last
    assert rows[-1][3] == "3" and rows[-1][0].startswith("มีนาคม 2568")
    xlsx = client.get(reverse("visits:summary_download", args=["xlsx"]), {"month": "2568-03"})
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    assert sheet.max_row == 4
    # Another district's area is not found, as on the page.
    assert client.get(csv_path, {"month": "2568-03", "area": "8602"}).status_code == 404
    # A bad format or month is no file.
    assert client.get(reverse("visits:summary_download", args=["pdf"])).status_code == 404
    assert client.get(csv_path, {"month": "2025-99"}).status_code == 200  # the page, with why
    login(client, "volunteer_a")
    assert client.get(csv_path).status_code == 403
    client.logout()
    assert client.get(csv_path).status_code == 302


def test_the_activity_page_shows_twelve_months(client, world):
    VisitFactory.create(household=world.households["a1"], volunteers=[world.volunteers["a"]],
                        duration_minutes=90)  # fmt: skip
    login(client, "volunteer_a")
    response = client.get(reverse("visits:activity", args=[world.volunteers["a"].pk]))
    html = response.content.decode()
    assert len(response.context["months"]) == 12
    assert html.count("<tr data-month=") == 12
    assert "<svg" in html and html.count("<rect") == 1


# --- Query counts ----------------------------------------------------------------------------


def grow(world, n: int) -> None:
    """n more households, volunteers and visits in district A, most of them overdue."""
    for i in range(n):
        code = ("86010101", "86010102", "86010201")[i % 3]
        household = HouseholdFactory.create(area_id=code)
        volunteer = VolunteerFactory.create(area_id=code[:6])
        if i % 2:
            assign(household, volunteer)
        due_in(household, -i - 1)
        VisitFactory.create(household=household, volunteers=[volunteer],
                            visited_at=timezone.now() - timedelta(days=i * 7))  # fmt: skip


@pytest.mark.parametrize(
    ("name", "query"),
    [("visits:overdue", {}), ("visits:overdue", {"area": "860101"}), ("visits:summary", {})],
)
def test_centre_pages_cost_the_same_for_small_and_large_data(
    client, world, name, query, django_assert_max_num_queries
):
    login(client, "district_coordinator_a")
    path = reverse(name)
    client.get(path, query)  # warm the session
    grow(world, 3)
    with django_assert_max_num_queries(40) as small:
        assert client.get(path, query).status_code == 200
    grow(world, 40)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(path, query).status_code == 200


def test_activity_page_costs_the_same_for_few_or_many_visits(
    client, world, django_assert_max_num_queries
):
    volunteer = world.volunteers["a"]
    login(client, "volunteer_a")
    path = reverse("visits:activity", args=[volunteer.pk])
    client.get(path)
    with django_assert_max_num_queries(20) as small:
        client.get(path)
    for days in range(0, 300, 10):
        VisitFactory.create(household=world.households["a1"], volunteers=[volunteer],
                            visited_at=timezone.now() - timedelta(days=days))  # fmt: skip
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(path)
