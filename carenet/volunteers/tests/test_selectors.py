"""Reads are scoped to the user, search finds Thai names and phones, counts cost fixed queries."""

from datetime import date, timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from carenet.accounts import access
from carenet.areas.models import Area, Level
from carenet.core import citizen_id
from carenet.volunteers import selectors
from carenet.volunteers.models import Position, Volunteer, VolunteerStatus
from carenet.volunteers.tests.factories import (
    CentreFactory,
    CommitteeMembershipFactory,
    VolunteerFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def spread(area_tree, volunteer_a):
    """One volunteer in each subdistrict of the tree; the ท่าตะเภา one is volunteer_a's own."""
    return {
        "own": VolunteerFactory(
            area=area_tree["860101"], user=volunteer_a, villages=[area_tree["86010101"]]
        ),
        "neighbour": VolunteerFactory(area=area_tree["860101"], villages=[area_tree["86010102"]]),
        "paknam": VolunteerFactory(area=area_tree["860102"]),
        "thasae": VolunteerFactory(area=area_tree["860201"]),
        "talat": VolunteerFactory(area=area_tree["840101"]),
    }


SEES = {
    "national_admin": {"own", "neighbour", "paknam", "thasae", "talat"},
    "auditor": {"own", "neighbour", "paknam", "thasae", "talat"},
    "province_officer": {"own", "neighbour", "paknam", "thasae"},
    "district_coordinator_a": {"own", "neighbour", "paknam"},
    "district_coordinator_b": {"thasae"},
    "volunteer_a": {"own"},  # a volunteer sees only their own record
    "volunteer_b": set(),  # no volunteer record of their own
}


@pytest.mark.parametrize("persona", SEES)
def test_list_is_scoped(personas, spread, persona):
    found = set(selectors.volunteer_list(user=personas[persona]))
    assert found == {spread[name] for name in SEES[persona]}


@pytest.mark.parametrize("persona", SEES)
def test_get_is_404_for_missing_and_not_yours_alike(personas, spread, persona):
    user = personas[persona]
    for name, volunteer in spread.items():
        if name in SEES[persona]:
            assert selectors.volunteer_get(user=user, pk=volunteer.pk) == volunteer
        else:
            with pytest.raises(Http404):
                selectors.volunteer_get(user=user, pk=volunteer.pk)
    with pytest.raises(Http404):
        selectors.volunteer_get(user=user, pk=999_999)
    with pytest.raises(Http404):
        selectors.volunteer_get(user=user, pk="abc")


def test_only_managers_get_a_volunteer_for_editing(personas, spread):
    own = spread["own"]
    assert selectors.volunteer_for_edit(user=personas["district_coordinator_a"], pk=own.pk)
    for persona in ("auditor", "volunteer_a", "district_coordinator_b"):
        with pytest.raises(Http404):
            selectors.volunteer_for_edit(user=personas[persona], pk=own.pk)


def test_me_is_the_linked_record_or_none(personas, spread):
    assert selectors.volunteer_me(user=personas["volunteer_a"]) == spread["own"]
    assert selectors.volunteer_me(user=personas["district_coordinator_a"]) is None


@pytest.fixture
def named(area_tree):
    return {
        "malee": VolunteerFactory(first_name="มาลี", last_name="ศรีสุข", phone="0812345678"),
        "manee": VolunteerFactory(first_name="มานี", last_name="ศรีสุขใจ", phone="0899999999"),
        "somchai": VolunteerFactory(
            first_name="สมชาย", last_name="ใจดี", phone="077-511-234", registration_no="77/2560"
        ),
        "namfon": VolunteerFactory(first_name="น้ำฝน", last_name="เนื้อทอง"),
    }


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("มาลี", {"malee"}),
        ("ศรีสุข", {"malee", "manee"}),
        ("มาลี ศรีสุข", {"malee"}),
        ("  มาลี   ศรีสุข ", {"malee"}),
        ("ศรีสุข มาลี", {"malee"}),
        ("ใจ", {"manee", "somchai"}),
        ("081-234", {"malee"}),
        ("๐๘๑๒๓๔๕๖๗๘", {"malee"}),
        ("+66 81 234 5678", {"malee"}),
        ("0775112", {"somchai"}),  # stored with dashes, compared by digits
        ("77/2560", {"somchai"}),
        ("๗๗ / ๒๕๖๐", {"somchai"}),  # in Thai digits, spaced
        ("77/60", {"somchai"}),  # the year short, as the form accepts it
        ("นางมาลี", {"malee"}),  # the title typed before the name
        ("น.ส. มาลี ศรีสุข", {"malee"}),
        ("ไม่มีใคร", set()),
        # Thai typed ways that look the same as the usual spelling, as names are saved
        ("นํ้าฝน", {"namfon"}),
        ("นำ้ฝน", {"namfon"}),
        ("น้ําฝน เนื้อทอง", {"namfon"}),
        # Pasted from the web: a zero-width space between the words, a mark before them
        ("มาลี\u200bศรีสุข", {"malee"}),
        ("\u200eมาลี\u200d", {"malee"}),
    ],
)
def test_search_by_thai_name_or_phone(province_officer, named, search, expected):
    found = set(selectors.volunteer_list(user=province_officer, search=search))
    assert found == {named[name] for name in expected}


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("ศรีสุก", {"malee"}),  # a last name spelt another way
        ("มาลี ศรีศุข", {"malee"}),
        ("ศรีศุข มาลี", {"malee"}),
        ("นางมาลี่", {"malee"}),  # a title and a stray tone mark
        ("เนือทอง", {"namfon"}),
        ("สมชาย", {"somchai"}),
    ],
)
def test_a_name_can_be_found_by_how_it_sounds(province_officer, named, search, expected):
    assert selectors.is_name_search(search)
    found = set(selectors.volunteer_list(user=province_officer, search=search, sounds_like=True))
    assert found >= {named[name] for name in expected}


def test_only_a_name_is_searched_by_sound():
    for typed in ("081", "1/2555", "", "\u200b"):
        assert not selectors.is_name_search(typed)


def test_a_name_that_sounds_alike_out_of_scope_is_not_found(personas, spread):
    outside = spread["thasae"]
    found = selectors.volunteer_list(
        user=personas["district_coordinator_a"], search=outside.last_name, sounds_like=True
    )
    assert outside not in found


def test_search_by_citizen_id(province_officer, named):
    digits = named["manee"].read_citizen_id()
    for typed in (digits, citizen_id.formatted(digits)):
        assert list(selectors.volunteer_list(user=province_officer, search=typed)) == [
            named["manee"]
        ]


def test_filter_by_area_at_any_level_and_by_status(province_officer, spread, area_tree):
    def names(**filters):
        found = set(selectors.volunteer_list(user=province_officer, **filters))
        return {name for name, v in spread.items() if v in found}

    assert names(area_code="8601") == {"own", "neighbour", "paknam"}
    assert names(area_code="860102") == {"paknam"}
    assert names(area_code="86010102") == {"neighbour"}  # who covers the village
    assert names(area_code="84") == set()  # outside the officer's scope
    spread["paknam"].status = VolunteerStatus.RESIGNED
    spread["paknam"].save()
    assert names(status="resigned") == {"paknam"}
    assert names(area_code="8601", status="active") == {"own", "neighbour"}


def test_list_counts_villages_without_duplicating_rows(province_officer, area_tree):
    volunteer = VolunteerFactory(villages=[area_tree["86010101"], area_tree["86010102"]])
    rows = list(selectors.volunteer_list(user=province_officer))
    assert rows == [volunteer]
    assert rows[0].village_count == 2


def test_list_query_count_does_not_grow(province_officer, area_tree, django_assert_num_queries):
    VolunteerFactory.create_batch(3, villages=[area_tree["86010101"]])
    access.grants(province_officer)  # read once per request, not per list
    with django_assert_num_queries(1):
        rows = list(selectors.volunteer_list(user=province_officer)[:25])
        assert [r.area.parent.label for r in rows]
    VolunteerFactory.create_batch(30, villages=[area_tree["86010102"]])
    with django_assert_num_queries(1):
        rows = list(selectors.volunteer_list(user=province_officer)[:25])
        assert len(rows) == 25 and [r.area.parent.label for r in rows]


# --- centres ----------------------------------------------------------------------------------


@pytest.fixture
def centres(area_tree):
    return {
        "86": CentreFactory(area=area_tree["86"], name="ศูนย์ฯ จังหวัดชุมพร"),
        "8601": CentreFactory(area=area_tree["8601"]),
        "8602": CentreFactory(area=area_tree["8602"]),
        "84": CentreFactory(area=area_tree["84"], name="ศูนย์ฯ จังหวัดสุราษฎร์ธานี"),
    }


CENTRES_SEEN = {
    "national_admin": {"86", "8601", "8602", "84"},
    "auditor": {"86", "8601", "8602", "84"},
    "province_officer": {"86", "8601", "8602"},
    "district_coordinator_a": {"8601"},
    "district_coordinator_b": {"8602"},
    "volunteer_a": set(),  # a centre lists everyone: not for volunteers
    "volunteer_b": set(),
}


@pytest.mark.parametrize("persona", CENTRES_SEEN)
def test_centres_are_scoped_by_their_area(personas, centres, persona):
    user = personas[persona]
    seen = {c.area_id for c in selectors.centre_list(user=user)}
    assert seen == CENTRES_SEEN[persona]
    for code, centre in centres.items():
        if code in CENTRES_SEEN[persona]:
            assert selectors.centre_get(user=user, pk=centre.pk) == centre
        else:
            with pytest.raises(Http404):
                selectors.centre_get(user=user, pk=centre.pk)


def test_centre_list_counts_active_volunteers_and_current_seats(
    province_officer, centres, spread, django_assert_max_num_queries
):
    spread["paknam"].status = VolunteerStatus.INACTIVE
    spread["paknam"].save()
    CommitteeMembershipFactory(centre=centres["8601"], volunteer=spread["own"])
    # The scope, the centres, their volunteers, their villages without one, their
    # subdistricts without villages or volunteers, their seats.
    with django_assert_max_num_queries(6):
        listed = {c.area_id: c for c in selectors.centre_list(user=province_officer)}
    assert listed["86"].active_volunteers == 3  # own, neighbour, thasae
    assert listed["8601"].active_volunteers == 2
    assert listed["8602"].active_volunteers == 1
    assert listed["8601"].committee_size == 1
    assert listed["86"].committee_size == 0


def test_centre_list_counts_villages_without_an_active_volunteer(province_officer, centres, spread):
    spread["neighbour"].status = VolunteerStatus.INACTIVE  # หมู่ 2 of ท่าตะเภา loses its only one
    spread["neighbour"].save()
    listed = {c.area_id: c for c in selectors.centre_list(user=province_officer)}
    # ท่าตะเภา หมู่ 2, ปากน้ำ หมู่ 1 (its volunteer covers no village), ท่าแซะ หมู่ 1.
    assert listed["8601"].uncovered_villages == 2
    assert listed["8602"].uncovered_villages == 1
    assert listed["86"].uncovered_villages == 3


def test_centre_list_counts_subdistricts_without_villages_or_volunteers(
    province_officer, centres, spread, django_assert_max_num_queries
):
    Area.objects.filter(parent_id="860102").delete()  # ปากน้ำ: its villages not loaded yet
    spread["thasae"].status = VolunteerStatus.RESIGNED
    spread["thasae"].save()
    selectors.centre_list(user=province_officer)  # the user's grants, once
    with django_assert_max_num_queries(6) as few:
        listed = {c.area_id: c for c in selectors.centre_list(user=province_officer)}
    assert (listed["8601"].unloaded_subdistricts, listed["8601"].unserved_subdistricts) == (1, 0)
    assert (listed["8602"].unloaded_subdistricts, listed["8602"].unserved_subdistricts) == (0, 1)
    assert (listed["86"].unloaded_subdistricts, listed["86"].unserved_subdistricts) == (1, 1)
    # ปากน้ำ's village went with its list: only ท่าแซะ หมู่ 1 is left uncovered.
    assert listed["86"].uncovered_villages == 1
    Area.objects.bulk_create(
        Area(code=f"8601{n:02d}", level=Level.SUBDISTRICT, name_th=f"ตำบล{n}", parent_id="8601")
        for n in range(10, 40)
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        listed = {c.area_id: c for c in selectors.centre_list(user=province_officer)}
    assert (listed["8601"].unloaded_subdistricts, listed["8601"].unserved_subdistricts) == (31, 30)


def seat(centre, position, start, end=None, **extra):
    return CommitteeMembershipFactory(
        centre=centre, position=position, term_start=start, term_end=end, **extra
    )


def test_centre_list_says_the_seats_to_fill_and_the_terms_ending(
    province_officer, centres, spread, django_assert_max_num_queries
):
    today = timezone.localdate()
    ago, soon, later = (
        today - timedelta(days=30),
        today + timedelta(days=20),
        today + timedelta(days=200),
    )
    mueang, thasae = centres["8601"], centres["8602"]
    seat(mueang, Position.CHAIR, date(2020, 1, 1), ago)  # ended, nobody since
    seat(mueang, Position.CHAIR, date(2016, 1, 1), date(2019, 12, 31))
    seat(mueang, Position.SECRETARY, date(2024, 1, 1), soon)  # ends in 20 days
    seat(mueang, Position.MEMBER, date(2024, 1, 1), soon)
    seat(mueang, Position.MEMBER, date(2024, 1, 1), later)
    # ท่าแซะ: full, its secretary's term ends soon but a successor is appointed.
    seat(thasae, Position.CHAIR, date(2024, 1, 1))
    seat(thasae, Position.SECRETARY, date(2024, 1, 1), soon)
    seat(thasae, Position.SECRETARY, soon + timedelta(days=1))
    with django_assert_max_num_queries(6):
        listed = {c.area_id: c for c in selectors.centre_list(user=province_officer)}
    state = listed["8601"].seat_state
    assert [(v.position, v.ended_on) for v in state.vacant] == [(Position.CHAIR, ago)]
    assert [(s.position, s.term_end) for s in state.ending] == [
        (Position.SECRETARY, soon),
        (Position.MEMBER, soon),
    ]
    assert listed["8602"].seat_state.vacant == []
    assert listed["8602"].seat_state.ending == []
    # A centre that never had a committee: both seats to fill, no term ended.
    never = listed["86"].seat_state
    assert [(v.position, v.ended_on) for v in never.vacant] == [
        (Position.CHAIR, None),
        (Position.SECRETARY, None),
    ]


def test_a_vacant_vice_chair_is_not_a_seat_to_fill(centres):
    """A committee is short without a chair or a secretary (SINGLE_SEATS); it may have no
    vice-chair, or several, as it has members."""
    mueang = centres["8601"]
    seat(mueang, Position.CHAIR, date(2024, 1, 1))
    seat(mueang, Position.SECRETARY, date(2024, 1, 1))
    current, _past = selectors.committee_list(centre=mueang)
    assert selectors.vacant_seats(current) == []
    state = selectors.committee_state(current, timezone.localdate())
    assert state.vacant == []


def test_a_term_renewed_for_the_same_volunteer_is_not_said_to_end(centres):
    today = timezone.localdate()
    mueang = centres["8601"]
    ending = seat(mueang, Position.MEMBER, date(2024, 1, 1), today + timedelta(days=10))
    seat(
        mueang,
        Position.MEMBER,
        today + timedelta(days=11),
        volunteer=ending.volunteer,
    )
    other = seat(mueang, Position.MEMBER, date(2024, 1, 1), today + timedelta(days=90))
    seat(mueang, Position.MEMBER, date(2024, 1, 1), today + timedelta(days=91))
    current, past = selectors.committee_list(centre=mueang)
    planned = [s for s in past if s.term_start > today]
    assert selectors.seats_ending(current, planned, today) == [other]


def test_a_seat_ended_by_its_holder_leaving_is_not_said_to_end(centres):
    """A member who resigned today has a seat ending today: nobody is to appoint them again."""
    today = timezone.localdate()
    mueang = centres["8601"]
    gone = seat(mueang, Position.MEMBER, date(2024, 1, 1), today)
    Volunteer.objects.filter(pk=gone.volunteer_id).update(status=VolunteerStatus.RESIGNED)
    staying = seat(mueang, Position.MEMBER, date(2024, 1, 1), today + timedelta(days=30))
    current, _past = selectors.committee_list(centre=mueang)
    assert selectors.seats_ending(current, [], today) == [staying]
    state = selectors.committee_state(current, today)
    assert state.ending == [staying]


def missing_codes(user) -> tuple[list[str], list[tuple[str, list[str]]]]:
    missing = selectors.centre_missing_areas(user=user)
    return [a.code for a in missing.required], [
        (district.code if district else "", [a.code for a in areas])
        for district, areas in missing.subdistricts
    ]


def test_missing_centres_are_offered_to_managers_only(personas, centres, area_tree):
    centres["8602"].delete()
    CentreFactory(area=area_tree["860102"])  # a subdistrict that has opened its own
    assert missing_codes(personas["province_officer"]) == (
        ["8602"],
        [("8601", ["860101"]), ("8602", ["860201"])],  # optional, grouped by district
    )
    assert missing_codes(personas["district_coordinator_a"]) == ([], [("8601", ["860101"])])
    for persona in ("auditor", "volunteer_a"):
        missing = selectors.centre_missing_areas(user=personas[persona])
        assert not missing and missing_codes(personas[persona]) == ([], [])


def test_missing_centres_cost_two_queries_and_a_wide_scope_lists_no_subdistricts(
    personas, area_tree, django_assert_num_queries, monkeypatch
):
    selectors.centre_missing_areas(user=personas["national_admin"])  # loads the user's grants
    with django_assert_num_queries(2):
        missing = selectors.centre_missing_areas(user=personas["national_admin"])
    assert [a.code for a in missing.required] == ["84", "8401", "86", "8601", "8602"]
    assert [d.code for d, _areas in missing.subdistricts] == ["8401", "8601", "8602"]
    assert not missing.too_many_subdistricts
    # A national scope has thousands of subdistricts: no select could hold them.
    monkeypatch.setattr(selectors, "AREA_OPTION_LIMIT", 3)
    with django_assert_num_queries(2):
        missing = selectors.centre_missing_areas(user=personas["national_admin"])
    assert missing.too_many_subdistricts and missing.subdistricts == []
    assert missing and len(missing.required) == 5


def test_seats_outside_the_area_served_are_current_or_planned_ones(area_tree):
    volunteer = VolunteerFactory(area=area_tree["860201"])  # moved from ท่าตะเภา to ท่าแซะ
    old_subdistrict = CommitteeMembershipFactory(
        volunteer=volunteer, centre=CentreFactory(area=area_tree["860101"])
    )
    old_district = CommitteeMembershipFactory(
        volunteer=volunteer, centre=CentreFactory(area=area_tree["8601"]), term_start="2099-01-01"
    )
    CommitteeMembershipFactory(  # ended: nothing to do
        volunteer=volunteer,
        centre=CentreFactory(area=area_tree["860102"]),
        term_start="2020-01-01",
        term_end="2021-01-01",
    )
    CommitteeMembershipFactory(volunteer=volunteer, centre=CentreFactory(area=area_tree["86"]))
    CommitteeMembershipFactory(volunteer=volunteer, centre=CentreFactory(area=area_tree["8602"]))
    assert selectors.seats_outside_area(volunteer=volunteer) == [old_subdistrict, old_district]


def test_committee_lists_current_seats_chair_first(area_tree):
    centre = CentreFactory()
    member = CommitteeMembershipFactory(centre=centre, position=Position.MEMBER)
    chair = CommitteeMembershipFactory(centre=centre, position=Position.CHAIR)
    past = CommitteeMembershipFactory(
        centre=centre, position=Position.CHAIR, term_start="2020-01-01", term_end="2021-01-01"
    )
    current, previous = selectors.committee_list(centre=centre)
    assert current == [chair, member]
    assert previous == [past]


def test_on_a_handover_day_the_centre_has_one_chair_the_successor(area_tree, national_admin):
    """The old chair's term ends today and the new one's starts today: one chair is shown,
    and no warning asks for a successor already appointed."""
    today = timezone.localdate()
    centre = CentreFactory()
    old = CommitteeMembershipFactory(
        centre=centre, position=Position.CHAIR, term_start=date(2020, 1, 1), term_end=today
    )
    new = CommitteeMembershipFactory(centre=centre, position=Position.CHAIR, term_start=today)
    current, previous = selectors.committee_list(centre=centre)
    assert current == [new] and previous == [old]
    assert selectors.committee_state([old, new], today).ending == []
    listed = {c.pk: c for c in selectors.centre_list(user=national_admin)}
    assert listed[centre.pk].committee_size == 1  # the list counts the seats as the page does
    new.delete()  # without a successor, the chair holds the seat to the end of its last day
    current, _previous = selectors.committee_list(centre=centre)
    assert current == [old]
    assert selectors.committee_state([old], today).ending == [old]


def test_the_centre_list_reads_each_area_once():
    codes = {"86", "8601", "860101", "8602", "8401", "840101", "840201"}
    assert selectors._outermost(codes) == ["8401", "840201", "86"]
