"""Every rule of the volunteer and centre services, and that a refusal writes nothing."""

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.accounts.models import AreaAssignment, Role, User
from carenet.accounts.tests.factories import AreaAssignmentFactory, UserFactory
from carenet.areas.models import Area
from carenet.core import citizen_id as cid
from carenet.core.models import AuditEvent
from carenet.core.services import ConflictError
from carenet.volunteers import selectors, services
from carenet.volunteers.models import (
    CommitteeMembership,
    Position,
    Volunteer,
    VolunteerStatus,
    VolunteerStatusChange,
)
from carenet.volunteers.services import VolunteerData
from carenet.volunteers.tests.factories import (
    CentreFactory,
    CommitteeMembershipFactory,
    VolunteerFactory,
    bad_checksum,
    valid_citizen_id,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are checked by their English text (the msgids)."""
    with translation.override("en"):
        yield


def typed(**changes: Any) -> VolunteerData:
    """What a coordinator types for มาลี ศรีสุข of ต.ท่าตะเภา, with `changes`."""
    data = VolunteerData(
        citizen_id=cid.formatted(valid_citizen_id()),
        title="น.ส.",
        first_name="  มาลี ",
        last_name="ศรีสุข",
        area_code="860101",
        village_codes=("86010101", "86010102"),
        birth_date=date(1980, 5, 17),
        phone="081-234-5678",
        line_id="malee.s",
        house_no="12/3",
        address_moo=1,
        address_area_code="860101",
        registration_no="๑๒๓ / ๒๕๖๘",
        registration_date=date(2025, 2, 26),
        other_roles=("vhv",),
    )
    return replace(data, **changes)


def snapshot() -> tuple[int, int, int]:
    return (
        Volunteer.objects.count(),
        VolunteerStatusChange.objects.count(),
        AuditEvent.objects.count(),
    )


def refused(call, field: str, *, containing: str = "") -> ValidationError:
    """Runs `call`, expects a ValidationError on `field`, and that nothing was written."""
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        call()
    assert field in caught.value.message_dict, caught.value.message_dict
    if containing:
        assert containing in " ".join(caught.value.message_dict[field])
    assert snapshot() == before
    return caught.value


# --- registering ------------------------------------------------------------------------------


def test_register_normalizes_encrypts_and_audits(district_coordinator_a):
    digits = valid_citizen_id()
    volunteer = services.volunteer_register(
        actor=district_coordinator_a, data=typed(citizen_id=cid.formatted(digits))
    )
    volunteer.refresh_from_db()
    assert volunteer.full_name == "นางสาวมาลี ศรีสุข"
    assert volunteer.sex == "F"  # from the title
    assert volunteer.phone == "0812345678"
    assert volunteer.registration_no == "123/2568"
    assert volunteer.name_key and volunteer.name_key != "-"
    assert digits not in volunteer.citizen_id_encrypted
    assert volunteer.read_citizen_id() == digits
    assert volunteer.citizen_id_hash == cid.lookup_hash(digits)
    assert sorted(v.code for v in volunteer.villages.all()) == ["86010101", "86010102"]
    assert volunteer.other_roles == ["vhv"]
    change = volunteer.status_changes.get()
    assert (change.from_status, change.to_status) == ("", VolunteerStatus.ACTIVE)
    assert change.changed_by == district_coordinator_a
    assert change.effective_date == date(2025, 2, 26)
    event = AuditEvent.objects.get(action="volunteer.register")
    assert event.actor == district_coordinator_a
    assert event.area_code == "860101"
    assert event.target_id == str(volunteer.pk)
    assert digits not in str(event.details)


def test_a_registration_number_is_one_volunteer_s_in_the_province(district_coordinator_a):
    services.volunteer_register(actor=district_coordinator_a, data=typed())
    refused(
        lambda: services.volunteer_register(
            actor=None, data=typed(area_code="860201", village_codes=())
        ),
        "registration_no",
        containing="123/2568",
    )
    # Another province numbers its own; and a volunteer's own number is no clash when edited.
    services.volunteer_register(actor=None, data=typed(area_code="840101", village_codes=()))
    own = Volunteer.objects.get(area_id="860101")
    services.volunteer_update(
        actor=district_coordinator_a, volunteer=own, data=typed(citizen_id=""), version=own.version
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"registration_date": date(1979, 1, 1)}, "registration_date"),  # before the birth
        ({"birth_date": date(1896, 1, 1)}, "birth_date"),  # a mistyped year: 130 years old
    ],
)
def test_impossible_dates_are_refused(district_coordinator_a, changes, field):
    refused(
        lambda: services.volunteer_register(actor=district_coordinator_a, data=typed(**changes)),
        field,
    )


def test_register_by_the_system_needs_no_scope(area_tree):
    volunteer = services.volunteer_register(
        actor=None, data=typed(area_code="840101", village_codes=())
    )
    assert volunteer.area_id == "840101"
    assert AuditEvent.objects.get(action="volunteer.register").actor is None


def test_bad_checksum_is_refused(district_coordinator_a):
    digits = bad_checksum(valid_citizen_id())
    refused(
        lambda: services.volunteer_register(
            actor=district_coordinator_a, data=typed(citizen_id=digits)
        ),
        "citizen_id",
        containing="check digit",
    )


def test_missing_citizen_id_is_refused(district_coordinator_a):
    refused(
        lambda: services.volunteer_register(
            actor=district_coordinator_a, data=typed(citizen_id="")
        ),
        "citizen_id",
    )


def test_duplicate_citizen_id_names_the_volunteer_the_actor_can_see(district_coordinator_a):
    digits = valid_citizen_id()
    existing = VolunteerFactory(citizen_id=digits, first_name="สมชาย", last_name="ใจดี")
    refused(
        lambda: services.volunteer_register(
            actor=district_coordinator_a, data=typed(citizen_id=digits)
        ),
        "citizen_id",
        containing=existing.full_name,
    )


def test_duplicate_citizen_id_outside_scope_does_not_say_who(area_tree, district_coordinator_b):
    digits = valid_citizen_id()
    existing = VolunteerFactory(citizen_id=digits, first_name="สมชาย", last_name="ใจดี")
    error = refused(
        lambda: services.volunteer_register(
            actor=district_coordinator_b,
            data=typed(citizen_id=digits, area_code="860201", village_codes=()),
        ),
        "citizen_id",
        containing="outside your area",
    )
    assert existing.first_name not in str(error)


def test_area_outside_the_actors_scope_is_refused(district_coordinator_b):
    refused(
        lambda: services.volunteer_register(actor=district_coordinator_b, data=typed()),
        "area",
        containing="outside the area you manage",
    )


@pytest.mark.parametrize("persona", ["auditor", "volunteer_a"])
def test_roles_that_do_not_manage_volunteers_cannot_register(personas, persona):
    refused(lambda: services.volunteer_register(actor=personas[persona], data=typed()), "area")


@pytest.mark.parametrize("code", ["8601", "86010101", "999999", ""])
def test_the_area_served_must_be_a_subdistrict(district_coordinator_a, code):
    refused(
        lambda: services.volunteer_register(
            actor=district_coordinator_a, data=typed(area_code=code, village_codes=())
        ),
        "area",
    )


def test_villages_must_belong_to_the_subdistrict(district_coordinator_a):
    refused(
        lambda: services.volunteer_register(
            actor=district_coordinator_a, data=typed(village_codes=("86010101", "86010201"))
        ),
        "villages",
        containing="86010201",
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"registration_no": "123-2568"}, "registration_no"),
        ({"registration_no": "123/1999"}, "registration_no"),
        ({"registration_no": "0/2568"}, "registration_no"),
        ({"birth_date": date.today() - timedelta(days=365 * 10)}, "birth_date"),
        ({"birth_date": date.today() + timedelta(days=1)}, "birth_date"),
        ({"registration_date": date.today() + timedelta(days=3)}, "registration_date"),
        ({"phone": "12345"}, "phone"),
        ({"title": " "}, "title"),
        ({"first_name": ""}, "first_name"),
        ({"last_name": "   "}, "last_name"),
        ({"sex": "Q"}, "sex"),
        ({"address_moo": 0}, "address_moo"),
        ({"address_area_code": "86"}, "address_area"),
        ({"other_roles": ("astronaut",)}, "other_roles"),
        ({"house_no": "9" * 21}, "house_no"),
        ({"line_id": "x" * 61}, "line_id"),
        ({"first_name": "ก" * 101}, "first_name"),
    ],
)
def test_bad_details_are_refused_beside_their_field(district_coordinator_a, changes, field):
    refused(
        lambda: services.volunteer_register(actor=district_coordinator_a, data=typed(**changes)),
        field,
    )


def test_every_problem_is_reported_at_once(district_coordinator_a):
    error = refused(
        lambda: services.volunteer_register(
            actor=district_coordinator_a,
            data=typed(citizen_id="123", first_name="", phone="1", registration_no="x"),
        ),
        "citizen_id",
    )
    assert {"first_name", "phone", "registration_no"} <= set(error.message_dict)


# --- editing ----------------------------------------------------------------------------------


def test_update_saves_bumps_version_and_audits(district_coordinator_a, area_tree):
    volunteer = VolunteerFactory(villages=[area_tree["86010101"]])
    digits = volunteer.read_citizen_id()
    services.volunteer_update(
        actor=district_coordinator_a,
        volunteer=volunteer,
        data=typed(citizen_id="", first_name="มานี", village_codes=("86010102",)),
        version=volunteer.version,
    )
    volunteer.refresh_from_db()
    assert volunteer.first_name == "มานี"
    assert volunteer.version == 2
    assert volunteer.read_citizen_id() == digits  # an empty box keeps the ID
    assert [v.code for v in volunteer.villages.all()] == ["86010102"]
    event = AuditEvent.objects.get(action="volunteer.update")
    assert "first_name" in event.details["fields"]
    assert "villages" in event.details["fields"]
    assert "citizen_id" not in event.details["fields"]


def test_update_can_correct_the_citizen_id(district_coordinator_a):
    volunteer = VolunteerFactory()
    digits = valid_citizen_id()
    services.volunteer_update(
        actor=district_coordinator_a,
        volunteer=volunteer,
        data=typed(citizen_id=digits),
        version=volunteer.version,
    )
    volunteer.refresh_from_db()
    assert volunteer.read_citizen_id() == digits
    event = AuditEvent.objects.get(action="volunteer.update")
    assert "citizen_id" in event.details["fields"]
    assert digits not in str(event.details)


def test_update_cannot_take_another_volunteers_citizen_id(district_coordinator_a):
    other = VolunteerFactory()
    volunteer = VolunteerFactory()
    refused(
        lambda: services.volunteer_update(
            actor=district_coordinator_a,
            volunteer=volunteer,
            data=typed(citizen_id=other.read_citizen_id()),
            version=volunteer.version,
        ),
        "citizen_id",
        containing=other.full_name,
    )


def test_stale_version_is_a_conflict_and_changes_nothing(district_coordinator_a, area_tree):
    volunteer = VolunteerFactory(first_name="เดิม", villages=[area_tree["86010101"]])
    opened_with = volunteer.version
    services.volunteer_update(
        actor=district_coordinator_a,
        volunteer=Volunteer.objects.get(pk=volunteer.pk),
        data=typed(citizen_id="", first_name="คนแรก", village_codes=("86010101",)),
        version=opened_with,
    )
    before = snapshot()
    with pytest.raises(ConflictError):
        services.volunteer_update(
            actor=district_coordinator_a,
            volunteer=volunteer,
            data=typed(citizen_id="", first_name="คนที่สอง", village_codes=("86010102",)),
            version=opened_with,
        )
    assert snapshot() == before
    assert volunteer.first_name == "เดิม"  # the caller's copy is left as it was
    volunteer.refresh_from_db()
    assert volunteer.first_name == "คนแรก"
    assert [v.code for v in volunteer.villages.all()] == ["86010101"]


def test_update_out_of_scope_is_denied_and_changes_nothing(district_coordinator_b):
    volunteer = VolunteerFactory(first_name="เดิม")
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.volunteer_update(
            actor=district_coordinator_b,
            volunteer=volunteer,
            data=typed(area_code="860201", village_codes=()),
            version=volunteer.version,
        )
    assert snapshot() == before
    volunteer.refresh_from_db()
    assert (volunteer.first_name, volunteer.area_id, volunteer.version) == ("เดิม", "860101", 1)


def test_update_cannot_move_a_volunteer_out_of_the_actors_scope(district_coordinator_a):
    volunteer = VolunteerFactory()
    refused(
        lambda: services.volunteer_update(
            actor=district_coordinator_a,
            volunteer=volunteer,
            data=typed(citizen_id="", area_code="860201", village_codes=()),
            version=volunteer.version,
        ),
        "area",
    )


# --- status -----------------------------------------------------------------------------------


def test_status_change_is_recorded_with_who_when_and_why(district_coordinator_a):
    volunteer = VolunteerFactory()
    day = timezone.localdate()
    result = services.volunteer_change_status(
        actor=district_coordinator_a,
        volunteer=volunteer,
        to_status=VolunteerStatus.INACTIVE,
        effective_date=day,
        reason="ย้ายไปทำงานต่างจังหวัดชั่วคราว",
    )
    change = result.change
    assert result.seats_closed == ()  # only leaving ends seats
    volunteer.refresh_from_db()
    assert volunteer.status == VolunteerStatus.INACTIVE
    assert (change.from_status, change.to_status) == ("active", "inactive")
    assert change.changed_by == district_coordinator_a
    assert change.effective_date == day
    event = AuditEvent.objects.get(action="volunteer.status")
    assert event.details["from"] == "active" and event.details["to"] == "inactive"


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (VolunteerStatus.DECEASED, VolunteerStatus.ACTIVE),
        (VolunteerStatus.DECEASED, VolunteerStatus.INACTIVE),
        (VolunteerStatus.RESIGNED, VolunteerStatus.INACTIVE),
        (VolunteerStatus.ACTIVE, VolunteerStatus.ACTIVE),
        (VolunteerStatus.ACTIVE, "retired"),
    ],
)
def test_illegal_status_moves_are_refused(district_coordinator_a, current, target):
    volunteer = VolunteerFactory(status=current)
    refused(
        lambda: services.volunteer_change_status(
            actor=district_coordinator_a,
            volunteer=volunteer,
            to_status=target,
            effective_date=timezone.localdate(),
            reason="ทดสอบ",
        ),
        "to_status",
    )
    volunteer.refresh_from_db()
    assert volunteer.status == current


@pytest.mark.parametrize(
    ("day", "reason", "field"),
    [
        (None, "เหตุผล", "effective_date"),
        (date.today() + timedelta(days=2), "เหตุผล", "effective_date"),
        (date(2024, 1, 1), "   ", "reason"),
        (date(2024, 1, 1), " \u200b\u200c ", "reason"),  # looks blank, is blank
    ],
)
def test_status_change_needs_a_date_and_a_reason(district_coordinator_a, day, reason, field):
    volunteer = VolunteerFactory()
    refused(
        lambda: services.volunteer_change_status(
            actor=district_coordinator_a,
            volunteer=volunteer,
            to_status=VolunteerStatus.RESIGNED,
            effective_date=day,
            reason=reason,
        ),
        field,
    )


def test_status_change_cannot_predate_the_last_one(district_coordinator_a):
    volunteer = VolunteerFactory()
    services.volunteer_change_status(
        actor=district_coordinator_a,
        volunteer=volunteer,
        to_status=VolunteerStatus.INACTIVE,
        effective_date=date(2025, 3, 1),
        reason="ป่วย",
    )
    refused(
        lambda: services.volunteer_change_status(
            actor=district_coordinator_a,
            volunteer=volunteer,
            to_status=VolunteerStatus.ACTIVE,
            effective_date=date(2025, 2, 1),
            reason="หายป่วย",
        ),
        "effective_date",
    )


def test_status_change_cannot_predate_the_registration(district_coordinator_a, en):
    volunteer = VolunteerFactory(registration_date=date(2024, 6, 1))
    refused(
        lambda: services.volunteer_change_status(
            actor=district_coordinator_a,
            volunteer=volunteer,
            to_status=VolunteerStatus.RESIGNED,
            effective_date=date(2024, 5, 31),
            reason="ลาออก",
        ),
        "effective_date",
        containing="before the volunteer's registration",
    )


@pytest.mark.parametrize(
    "day",
    [
        date(1957, 1, 1),  # 2500 BE typed as CE: before the network existed
        date(1999, 12, 31),
        date(1990, 6, 1),  # before this volunteer turned 18
    ],
)
def test_a_status_change_from_before_they_could_serve_is_a_mistyped_year(
    district_coordinator_a, day
):
    volunteer = services.volunteer_register(
        actor=district_coordinator_a,
        data=typed(registration_date=None, birth_date=date(1975, 8, 5)),
    )
    refused(
        lambda: services.volunteer_change_status(
            actor=district_coordinator_a,
            volunteer=volunteer,
            to_status=VolunteerStatus.RESIGNED,
            effective_date=day,
            reason="ลาออก",
        ),
        "effective_date",
    )
    assert volunteer.status_changes.count() == 1


@pytest.mark.parametrize("day", [date(1957, 6, 1), date(1995, 6, 1)])
def test_a_registration_before_the_network_or_before_18_is_a_mistyped_year(
    district_coordinator_a, day
):
    refused(  # born 17/05/1980: 15 in 1995; 1957 is 2500 BE typed as CE
        lambda: services.volunteer_register(
            actor=district_coordinator_a, data=typed(registration_date=day)
        ),
        "registration_date",
    )


def test_a_change_from_old_records_may_predate_an_undated_registration(district_coordinator_a):
    volunteer = services.volunteer_register(
        actor=district_coordinator_a, data=typed(registration_date=None)
    )
    assert volunteer.status_changes.get().effective_date == timezone.localdate()
    services.volunteer_change_status(
        actor=district_coordinator_a,
        volunteer=volunteer,
        to_status=VolunteerStatus.DECEASED,
        effective_date=timezone.localdate() - timedelta(days=40),
        reason="ถึงแก่กรรมตามหนังสือแจ้ง",
    )
    assert volunteer.status == VolunteerStatus.DECEASED


@pytest.mark.parametrize("persona", ["district_coordinator_b", "auditor", "volunteer_a"])
def test_status_change_out_of_scope_is_denied(personas, persona):
    volunteer = VolunteerFactory()
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.volunteer_change_status(
            actor=personas[persona],
            volunteer=volunteer,
            to_status=VolunteerStatus.DECEASED,
            effective_date=timezone.localdate(),
            reason="x",
        )
    assert snapshot() == before
    volunteer.refresh_from_db()
    assert volunteer.status == VolunteerStatus.ACTIVE


def test_leaving_the_network_ends_committee_seats(district_coordinator_a):
    seat = CommitteeMembershipFactory(position=Position.CHAIR, term_start=date(2024, 1, 1))
    day = timezone.localdate()
    later = CommitteeMembershipFactory(  # on another centre, due to start after the death
        volunteer=seat.volunteer, term_start=day + timedelta(days=30)
    )
    result = services.volunteer_change_status(
        actor=district_coordinator_a,
        volunteer=seat.volunteer,
        to_status=VolunteerStatus.DECEASED,
        effective_date=day,
        reason="ถึงแก่กรรม",
    )
    # The page tells what happened to each seat: the coordinator asked only for a status.
    assert [(c.seat.pk, c.seat.position, c.cancelled) for c in result.seats_closed] == [
        (seat.pk, Position.CHAIR, False),
        (None, later.position, True),  # deleted, described from memory
    ]
    assert result.seats_closed[1].seat.term_start == day + timedelta(days=30)
    seat.refresh_from_db()
    assert seat.term_end == day
    assert not CommitteeMembership.objects.filter(pk=later.pk).exists()
    assert AuditEvent.objects.get(action="volunteer.status").details["seats_ended"] == 2
    assert AuditEvent.objects.get(action="committee.seat_cancel").details["volunteer"] == (
        seat.volunteer.pk
    )


def _marked_deceased(actor, volunteer, day):
    return services.volunteer_change_status(
        actor=actor,
        volunteer=volunteer,
        to_status=VolunteerStatus.DECEASED,
        effective_date=day,
        reason="ถึงแก่กรรม",
    )


def _taken_back(actor, volunteer):
    last = volunteer.status_changes.order_by("-id").first()
    return services.volunteer_undo_status(
        actor=actor, volunteer=volunteer, change_id=last.pk, reason="บันทึกผิดคน"
    )


def test_taking_a_mistake_back_gives_the_seats_back(district_coordinator_a):
    """The wrong volunteer marked deceased lost a chair and a seat due to start: taken back,
    both are theirs again as they were."""
    seat = CommitteeMembershipFactory(
        position=Position.CHAIR, term_start=date(2024, 1, 1), term_end=date(2028, 12, 31)
    )
    volunteer = seat.volunteer
    day = timezone.localdate()
    later = CommitteeMembershipFactory(  # the province's committee, from next month
        centre=CentreFactory(area=Area.objects.get(code="86")),
        volunteer=volunteer,
        term_start=day + timedelta(days=30),
    )
    _marked_deceased(district_coordinator_a, volunteer, day)
    result = _taken_back(district_coordinator_a, volunteer)
    assert result.seats_kept_ended == ()
    assert result.seats_restored[0].pk == seat.pk
    seat.refresh_from_db()
    assert seat.term_end == date(2028, 12, 31)
    again = CommitteeMembership.objects.get(volunteer=volunteer, centre=later.centre)
    assert (again.position, again.term_start, again.term_end) == (
        later.position,
        later.term_start,
        later.term_end,
    )
    assert AuditEvent.objects.filter(action="committee.seat_restore").count() == 2
    undone = AuditEvent.objects.get(action=services.UNDO_ACTION)
    assert undone.details["seats_restored"] == 2


def test_a_seat_someone_holds_now_stays_ended(district_coordinator_a):
    """Between the mistake and its taking back, the centre appointed a new chair: the chair
    is not given back, and the coordinator is told why."""
    seat = CommitteeMembershipFactory(position=Position.CHAIR, term_start=date(2024, 1, 1))
    day = timezone.localdate()
    _marked_deceased(district_coordinator_a, seat.volunteer, day)
    successor = VolunteerFactory()
    services.committee_seat_add(
        actor=district_coordinator_a,
        centre=seat.centre,
        volunteer=successor,
        position=Position.CHAIR,
        term_start=day + timedelta(days=1),
    )
    result = _taken_back(district_coordinator_a, seat.volunteer)
    assert result.seats_restored == ()
    [(kept, why)] = result.seats_kept_ended
    assert kept.position == Position.CHAIR and successor.full_name in why
    seat.refresh_from_db()
    assert seat.term_end == day


def test_reading_a_citizen_id_is_logged(district_coordinator_a):
    volunteer = VolunteerFactory()
    digits = services.volunteer_citizen_id_read(actor=district_coordinator_a, volunteer=volunteer)
    assert cid.is_valid(digits)
    event = AuditEvent.objects.get(action="volunteer.citizen_id_read")
    assert event.target_id == str(volunteer.pk)
    assert event.area_code == "860101"
    assert digits not in str(event.details)


# --- user accounts ----------------------------------------------------------------------------


def test_link_user_creates_an_account_with_the_volunteer_role(district_coordinator_a):
    volunteer = VolunteerFactory()
    user = services.volunteer_link_user(
        actor=district_coordinator_a,
        volunteer=volunteer,
        username="malee",
        password="ชุมพร-long-pass-2568",
    )
    volunteer.refresh_from_db()
    assert volunteer.user == user
    assert user.check_password("ชุมพร-long-pass-2568")
    assignment = AreaAssignment.objects.get(user=user)
    assert (assignment.role, assignment.area_id) == (Role.VOLUNTEER, "860101")
    assert access.can(user, Perm.VIEW_VOLUNTEERS, "860101")
    assert not access.can(user, Perm.MANAGE_VOLUNTEERS)
    assert AuditEvent.objects.filter(action="volunteer.link_user").count() == 1
    # The login is made in the volunteer's area: the province reads it in its log.
    assert AuditEvent.objects.get(action="user.create").area_code == "860101"


def test_link_existing_user(district_coordinator_a, volunteer_a):
    volunteer = VolunteerFactory()
    services.volunteer_link_user(
        actor=district_coordinator_a, volunteer=volunteer, user=volunteer_a
    )
    volunteer.refresh_from_db()
    assert volunteer.user == volunteer_a


def server_login(username: str = "vol_yupin", *roles: tuple[str, str]) -> User:
    """An account made at the server, as `grant_access USER volunteer AREA` once made them:
    no volunteer record linked."""
    user: Any = UserFactory(username=username)
    for role, code in roles:
        AreaAssignmentFactory(user=user, role=role, area_id=code)
    return user


def test_a_login_made_at_the_server_is_linked_and_audited(district_coordinator_a):
    user = server_login("vol_yupin", (Role.VOLUNTEER, "860101"))
    volunteer = VolunteerFactory(first_name=user.first_name, last_name=user.last_name)
    assert services.link_refused(district_coordinator_a, volunteer, user) == ""
    services.volunteer_link_user(actor=district_coordinator_a, volunteer=volunteer, user=user)
    volunteer.refresh_from_db()
    assert volunteer.user == user
    assert list(user.assignments.values_list("role", "area_id")) == [("volunteer", "860101")]
    linked = AuditEvent.objects.get(action="volunteer.link_user")
    assert linked.details == {"user": user.pk, "existing": True}
    mine = AuditEvent.objects.get(action="user.link_volunteer")
    assert (mine.target_type, mine.target_id) == ("accounts.user", str(user.pk))
    assert mine.actor == district_coordinator_a and mine.area_code == "860101"
    assert mine.details == {"username": "vol_yupin", "volunteer": volunteer.pk}


def test_a_linked_logins_volunteer_role_moves_to_the_volunteers_subdistrict(
    district_coordinator_a,
):
    user = server_login("vol_yupin", (Role.VOLUNTEER, "860102"))  # ปากน้ำ, same district
    services.volunteer_link_user(
        actor=district_coordinator_a, volunteer=VolunteerFactory(), user=user
    )
    assert list(user.assignments.values_list("role", "area_id")) == [("volunteer", "860101")]


IN_MUEANG = (Role.VOLUNTEER, "860101")


def linked(user: User) -> User:
    VolunteerFactory(user=user)
    return user


def switched_off(user: User) -> User:
    user.is_active = False
    user.save()
    return user


@pytest.mark.parametrize(
    ("account", "reason"),
    [
        (lambda p: p["province_officer"], "taken"),
        (lambda p: server_login("both", (Role.VOLUNTEER, "860101"), (Role.AUDITOR, "86")), "taken"),
        (lambda p: UserFactory(username="root", is_superuser=True), "taken"),
        (lambda p: linked(server_login("vol_yupin", IN_MUEANG)), "already belongs to a volunteer"),
        (lambda p: switched_off(server_login("vol_yupin", IN_MUEANG)), "switched off"),
        # ท่าแซะ's volunteer login: another centre's, not เมืองชุมพร's to take.
        (lambda p: server_login("vol_thasae", (Role.VOLUNTEER, "860201")), "taken"),
        # An account with no role, made at the server: nobody's to claim from a page.
        (lambda p: UserFactory(username="moved_officer"), "taken"),
        (lambda p: UserFactory(username="demo_x", is_demo=True), "demo"),
    ],
)
def test_an_account_that_is_not_a_free_volunteer_login_is_not_linked(personas, account, reason):
    user = account(personas)
    volunteer = VolunteerFactory()
    held = list(user.assignments.values_list("role", "area_id"))
    refused(
        lambda: services.volunteer_link_user(
            actor=personas["district_coordinator_a"], volunteer=volunteer, user=user
        ),
        "username",
        containing=reason,
    )
    volunteer.refresh_from_db()
    assert volunteer.user is None
    assert list(user.assignments.values_list("role", "area_id")) == held


def test_a_new_login_needs_a_password(district_coordinator_a):
    volunteer = VolunteerFactory()
    refused(
        lambda: services.volunteer_link_user(
            actor=district_coordinator_a, volunteer=volunteer, username="malee"
        ),
        "password",
    )
    assert not User.objects.filter(username="malee").exists()


def linked_volunteer(coordinator: Any) -> tuple[Any, User]:
    volunteer: Any = VolunteerFactory()
    user = services.volunteer_link_user(
        actor=coordinator, volunteer=volunteer, username="malee", password="ชุมพร-long-pass-2568"
    )
    return volunteer, user


def change(coordinator: Any, volunteer: Any, to: str) -> None:
    services.volunteer_change_status(
        actor=coordinator,
        volunteer=volunteer,
        to_status=to,
        effective_date=timezone.localdate(),
        reason="ตามมติศูนย์",
    )


@pytest.mark.parametrize(
    "leaving", [VolunteerStatus.RESIGNED, VolunteerStatus.REMOVED, VolunteerStatus.DECEASED]
)
def test_a_volunteer_who_leaves_loses_their_login(district_coordinator_a, leaving):
    volunteer, user = linked_volunteer(district_coordinator_a)
    change(district_coordinator_a, volunteer, leaving)
    user.refresh_from_db()
    assert not user.is_active
    assert not AreaAssignment.objects.filter(user=user).exists()
    assert not access.can(user, Perm.VIEW_VOLUNTEERS, "860101")
    event = AuditEvent.objects.get(action="volunteer.status")
    assert event.details["login"] == "closed"
    assert AuditEvent.objects.filter(action="assignment.revoke").count() == 1


@pytest.mark.parametrize(
    "left", [VolunteerStatus.RESIGNED, VolunteerStatus.REMOVED, VolunteerStatus.DECEASED]
)
def test_a_volunteer_who_has_left_cannot_be_given_a_login(district_coordinator_a, left):
    volunteer: Any = VolunteerFactory(status=left)
    assert not services.may_get_login(volunteer)
    with pytest.raises(ValidationError):
        services.volunteer_link_user(
            actor=district_coordinator_a,
            volunteer=volunteer,
            username="late",
            password="ชุมพร-long-pass-2568",
        )
    assert not User.objects.filter(username="late").exists()
    assert services.may_get_login(VolunteerFactory(status=VolunteerStatus.INACTIVE))


def test_a_leaving_volunteer_with_another_role_keeps_the_login_without_the_volunteer_role(
    district_coordinator_a,
):
    volunteer, user = linked_volunteer(district_coordinator_a)
    AreaAssignment.objects.create(user=user, role=Role.CENTRE_COORDINATOR, area_id="8601")
    change(district_coordinator_a, volunteer, VolunteerStatus.RESIGNED)
    user.refresh_from_db()
    assert user.is_active
    assert list(AreaAssignment.objects.filter(user=user).values_list("role", flat=True)) == [
        Role.CENTRE_COORDINATOR
    ]
    assert AuditEvent.objects.get(action="volunteer.status").details["login"] == "role_removed"


def test_an_inactive_volunteer_keeps_their_login(district_coordinator_a):
    volunteer, user = linked_volunteer(district_coordinator_a)
    change(district_coordinator_a, volunteer, VolunteerStatus.INACTIVE)
    user.refresh_from_db()
    assert user.is_active
    assert AreaAssignment.objects.filter(user=user, role=Role.VOLUNTEER).exists()


def test_a_volunteer_taken_back_gets_their_login_again(district_coordinator_a):
    volunteer, user = linked_volunteer(district_coordinator_a)
    change(district_coordinator_a, volunteer, VolunteerStatus.RESIGNED)
    change(district_coordinator_a, volunteer, VolunteerStatus.ACTIVE)
    user.refresh_from_db()
    assert user.is_active
    assignment = AreaAssignment.objects.get(user=user)
    assert (assignment.role, assignment.area_id) == (Role.VOLUNTEER, "860101")
    latest = AuditEvent.objects.filter(action="volunteer.status").order_by("-pk").first()
    assert latest is not None and latest.details["login"] == "reopened"


def test_a_volunteer_moved_to_another_subdistrict_takes_the_login_role_along(
    district_coordinator_a,
):
    volunteer, user = linked_volunteer(district_coordinator_a)
    assert access.can(user, Perm.VIEW_HOUSEHOLDS, "860101")
    services.volunteer_update(
        actor=district_coordinator_a,
        volunteer=volunteer,
        data=typed(citizen_id="", area_code="860102", village_codes=("86010201",)),
        version=volunteer.version,
    )
    user = User.objects.get(pk=user.pk)  # a fresh instance: grants are cached per user
    assignment = AreaAssignment.objects.get(user=user)
    assert (assignment.role, assignment.area_id) == (Role.VOLUNTEER, "860102")
    assert access.can(user, Perm.VIEW_HOUSEHOLDS, "860102")
    assert not access.can(user, Perm.VIEW_HOUSEHOLDS, "860101")


def test_an_edit_that_keeps_the_subdistrict_leaves_the_login_alone(district_coordinator_a):
    volunteer, user = linked_volunteer(district_coordinator_a)
    services.volunteer_update(
        actor=district_coordinator_a,
        volunteer=volunteer,
        data=typed(citizen_id="", phone="089-999-9999"),
        version=volunteer.version,
    )
    assert not AuditEvent.objects.filter(action="assignment.revoke").exists()
    assert AreaAssignment.objects.get(user=user).area_id == "860101"


@pytest.mark.parametrize(
    ("username", "password", "field"),
    [
        ("volunteer_a", "ชุมพร-long-pass-2568", "username"),  # taken
        ("malee", "123", "password"),  # too weak
        ("  ", "ชุมพร-long-pass-2568", "username"),
    ],
)
def test_link_user_refusals_write_nothing(personas, username, password, field):
    volunteer = VolunteerFactory()
    users = User.objects.count()
    refused(
        lambda: services.volunteer_link_user(
            actor=personas["district_coordinator_a"],
            volunteer=volunteer,
            username=username,
            password=password,
        ),
        field,
    )
    assert User.objects.count() == users
    volunteer.refresh_from_db()
    assert volunteer.user is None


def test_a_volunteer_has_one_account(district_coordinator_a, volunteer_a, volunteer_b):
    volunteer = VolunteerFactory(user=volunteer_a)
    refused(
        lambda: services.volunteer_link_user(
            actor=district_coordinator_a, volunteer=volunteer, user=volunteer_b
        ),
        "username",
    )
    other = VolunteerFactory()
    refused(
        lambda: services.volunteer_link_user(
            actor=district_coordinator_a, volunteer=other, user=volunteer_a
        ),
        "username",
    )


# --- a new password for a volunteer who forgot theirs -----------------------------------------

NEW_PASSWORD = "ต้นไม้สูงใหญ่-2569"


def test_a_coordinator_sets_a_new_password_audited_without_it(district_coordinator_a):
    volunteer, user = linked_volunteer(district_coordinator_a)
    services.volunteer_password_set(
        actor=district_coordinator_a, volunteer=volunteer, password=NEW_PASSWORD
    )
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action="user.password_set")
    assert (event.actor, event.target_id, event.area_code) == (
        district_coordinator_a,
        str(user.pk),
        "860101",
    )
    assert NEW_PASSWORD not in str(event.details)
    assert user.password not in str(event.details)


def test_a_new_password_lifts_the_lockout_of_the_forgotten_one(district_coordinator_a):
    from axes.models import AccessAttempt

    volunteer, user = linked_volunteer(district_coordinator_a)
    AccessAttempt.objects.create(
        username=user.username, ip_address="10.0.0.1", failures_since_start=5
    )
    services.volunteer_password_set(
        actor=district_coordinator_a, volunteer=volunteer, password=NEW_PASSWORD
    )
    assert not AccessAttempt.objects.filter(username=user.username).exists()
    assert AuditEvent.objects.get(action="user.password_set").details["lockout_lifted"] is True


def password_refused(actor: Any, volunteer: Any, password: str = NEW_PASSWORD) -> str:
    """Expects the service to refuse, and nothing to change; returns the reasons."""
    before = (snapshot(), list(User.objects.order_by("pk").values_list("password", flat=True)))
    with pytest.raises((ValidationError, PermissionDenied)) as caught:
        services.volunteer_password_set(actor=actor, volunteer=volunteer, password=password)
    after = (snapshot(), list(User.objects.order_by("pk").values_list("password", flat=True)))
    assert after == before
    error = caught.value
    return " ".join(error.messages) if isinstance(error, ValidationError) else "denied"


@pytest.mark.parametrize("password", ["1234", "qwertyuiop", "", "2568256825"])
def test_a_weak_new_password_is_refused(district_coordinator_a, password):
    volunteer, _user = linked_volunteer(district_coordinator_a)
    assert password_refused(district_coordinator_a, volunteer, password)


def test_a_demo_login_keeps_its_password(district_coordinator_a):
    volunteer, user = linked_volunteer(district_coordinator_a)
    User.objects.filter(pk=user.pk).update(is_demo=True)
    volunteer.user.refresh_from_db()
    reason = password_refused(district_coordinator_a, volunteer)
    assert reason == "The demo logins keep the password everyone uses."
    assert services.password_refused(volunteer) == reason


def test_a_login_with_another_role_is_not_the_coordinators_to_take_over(
    district_coordinator_a, province_officer
):
    # An officer who serves as a volunteer too (linked at the server: a centre may not link a
    # staff account, see link_refused).
    volunteer = VolunteerFactory(user=province_officer)
    assert "another role" in password_refused(district_coordinator_a, volunteer)
    assert not province_officer.check_password(NEW_PASSWORD)


def test_no_password_for_the_closed_login_of_a_volunteer_who_left(district_coordinator_a):
    volunteer, user = linked_volunteer(district_coordinator_a)
    services.volunteer_change_status(
        actor=district_coordinator_a,
        volunteer=volunteer,
        to_status=VolunteerStatus.DECEASED,
        effective_date=timezone.localdate(),
        reason="ถึงแก่กรรม",
    )
    volunteer.user.refresh_from_db()
    assert "no working login" in password_refused(district_coordinator_a, volunteer)
    user.refresh_from_db()
    assert not user.check_password(NEW_PASSWORD)


def test_no_password_without_a_login(district_coordinator_a):
    assert "no login" in password_refused(district_coordinator_a, VolunteerFactory())


@pytest.mark.parametrize("persona", ["district_coordinator_b", "auditor", "volunteer_a"])
def test_setting_a_password_out_of_scope_is_denied(personas, persona):
    volunteer, user = linked_volunteer(personas["district_coordinator_a"])
    assert password_refused(personas[persona], volunteer) == "denied"
    user.refresh_from_db()
    assert not user.check_password(NEW_PASSWORD)


def test_link_user_out_of_scope_is_denied(district_coordinator_b):
    volunteer = VolunteerFactory()
    with pytest.raises(PermissionDenied):
        services.volunteer_link_user(
            actor=district_coordinator_b, volunteer=volunteer, username="x", password="y" * 12
        )
    assert not User.objects.filter(username="x").exists()


# --- centres and committees -------------------------------------------------------------------


def test_centre_ensure_names_the_centre_and_is_idempotent(province_officer):
    district = services.centre_ensure(actor=province_officer, area_code="8601")
    assert district.name == "ศูนย์ประสานงาน อพม. อำเภอเมืองชุมพร"
    again = services.centre_ensure(actor=province_officer, area_code="8601")
    assert again.pk == district.pk
    province = services.centre_ensure(actor=province_officer, area_code="86")
    assert province.name == "ศูนย์ประสานงาน อพม. จังหวัดชุมพร"
    assert AuditEvent.objects.filter(action="centre.create").count() == 2


def test_centre_ensure_refuses_villages_and_unknown_areas(province_officer):
    for code in ("86010101", "99"):
        with pytest.raises(ValidationError):
            services.centre_ensure(actor=province_officer, area_code=code)


def test_centre_ensure_out_of_scope_is_denied(district_coordinator_a):
    with pytest.raises(PermissionDenied):
        services.centre_ensure(actor=district_coordinator_a, area_code="8602")
    with pytest.raises(PermissionDenied):
        services.centre_ensure(actor=district_coordinator_a, area_code="86")


def seat_args(centre, volunteer, **changes):
    args = {
        "centre": centre,
        "volunteer": volunteer,
        "position": Position.CHAIR,
        "term_start": date(2025, 1, 1),
        "term_end": None,
    }
    return {**args, **changes}


def test_a_centre_has_one_chair_at_a_time(district_coordinator_a):
    centre = CentreFactory()
    first, second = VolunteerFactory(), VolunteerFactory()
    seat = services.committee_seat_add(actor=district_coordinator_a, **seat_args(centre, first))
    refused(
        lambda: services.committee_seat_add(
            actor=district_coordinator_a, **seat_args(centre, second, term_start=date(2025, 6, 1))
        ),
        "position",
        containing=first.full_name,
    )
    services.committee_seat_end(actor=district_coordinator_a, seat=seat, term_end=date(2025, 5, 31))
    services.committee_seat_add(
        actor=district_coordinator_a, **seat_args(centre, second, term_start=date(2025, 6, 1))
    )
    assert CommitteeMembership.objects.filter(centre=centre, position=Position.CHAIR).count() == 2
    assert AuditEvent.objects.filter(action="committee.seat_add").count() == 2
    assert AuditEvent.objects.filter(action="committee.seat_end").count() == 1


def test_a_chair_hands_over_on_the_day_their_term_ends(district_coordinator_a):
    """The end form and the seat form both offer today: a term may start the day another
    ends, not a day earlier."""
    centre = CentreFactory()
    first, second = VolunteerFactory(), VolunteerFactory()
    seat = services.committee_seat_add(actor=district_coordinator_a, **seat_args(centre, first))
    services.committee_seat_end(actor=district_coordinator_a, seat=seat, term_end=date(2025, 5, 31))
    refused(
        lambda: services.committee_seat_add(
            actor=district_coordinator_a, **seat_args(centre, second, term_start=date(2025, 5, 30))
        ),
        "position",
        containing=first.full_name,
    )
    services.committee_seat_add(
        actor=district_coordinator_a, **seat_args(centre, second, term_start=date(2025, 5, 31))
    )
    # The member who becomes secretary the day their member's term ends, too.
    member = services.committee_seat_add(
        actor=district_coordinator_a,
        **seat_args(centre, first, position=Position.MEMBER, term_start=date(2025, 6, 1)),
    )
    services.committee_seat_end(
        actor=district_coordinator_a, seat=member, term_end=date(2025, 9, 1)
    )
    services.committee_seat_add(
        actor=district_coordinator_a,
        **seat_args(centre, first, position=Position.SECRETARY, term_start=date(2025, 9, 1)),
    )


def test_a_centre_has_one_secretary_at_a_time(district_coordinator_a):
    centre = CentreFactory()
    first, second = VolunteerFactory(), VolunteerFactory()
    secretary = seat_args(centre, first, position=Position.SECRETARY)
    services.committee_seat_add(actor=district_coordinator_a, **secretary)
    refused(
        lambda: services.committee_seat_add(
            actor=district_coordinator_a, **{**secretary, "volunteer": second}
        ),
        "position",
        containing=first.full_name,
    )


@pytest.mark.parametrize("position", [Position.VICE_CHAIR, Position.MEMBER])
def test_other_positions_may_be_held_by_several(district_coordinator_a, position):
    centre = CentreFactory()
    for _ in range(3):
        services.committee_seat_add(
            actor=district_coordinator_a,
            **seat_args(centre, VolunteerFactory(), position=position),
        )
    assert centre.committee.count() == 3


@pytest.mark.parametrize(
    ("volunteer_changes", "seat_changes", "field"),
    [
        ({"area_id": "860201"}, {}, "volunteer"),  # serves outside the centre's area
        ({"status": VolunteerStatus.RESIGNED}, {}, "volunteer"),
        ({}, {"position": "king"}, "position"),
        ({}, {"term_start": None}, "term_start"),
        ({}, {"term_end": date(2024, 12, 31)}, "term_end"),
        # Years typed in the wrong era: 2568 read as CE 1968 or 2025 written where 2568 was.
        ({}, {"term_start": date(1968, 1, 1), "term_end": None}, "term_start"),
        ({}, {"term_start": date.today() + timedelta(days=400)}, "term_start"),
        ({}, {"term_end": date(2568, 1, 1)}, "term_end"),
    ],
)
def test_seat_rules(district_coordinator_a, volunteer_changes, seat_changes, field):
    centre = CentreFactory()
    volunteer = VolunteerFactory(**volunteer_changes)
    refused(
        lambda: services.committee_seat_add(
            actor=district_coordinator_a, **seat_args(centre, volunteer, **seat_changes)
        ),
        field,
    )


def test_a_volunteer_holds_one_seat_of_a_centre_at_a_time(district_coordinator_a):
    centre = CentreFactory()
    volunteer = VolunteerFactory()
    services.committee_seat_add(
        actor=district_coordinator_a, **seat_args(centre, volunteer, position=Position.MEMBER)
    )
    refused(
        lambda: services.committee_seat_add(
            actor=district_coordinator_a,
            **seat_args(centre, volunteer, position=Position.SECRETARY),
        ),
        "volunteer",
    )


def test_seats_out_of_scope_are_denied(district_coordinator_b):
    centre = CentreFactory()
    seat = CommitteeMembershipFactory(centre=centre)
    with pytest.raises(PermissionDenied):
        services.committee_seat_add(
            actor=district_coordinator_b, **seat_args(centre, VolunteerFactory())
        )
    with pytest.raises(PermissionDenied):
        services.committee_seat_end(actor=district_coordinator_b, seat=seat, term_end=date.today())
    seat.refresh_from_db()
    assert seat.term_end is None


def test_ending_a_seat_checks_its_dates(district_coordinator_a):
    seat = CommitteeMembershipFactory(term_start=date(2025, 1, 1))
    refused(
        lambda: services.committee_seat_end(
            actor=district_coordinator_a, seat=seat, term_end=date(2024, 12, 1)
        ),
        "term_end",
    )
    refused(
        lambda: services.committee_seat_end(actor=district_coordinator_a, seat=seat, term_end=None),
        "term_end",
    )
    ended = CommitteeMembershipFactory(term_start=date(2020, 1, 1), term_end=date(2021, 1, 1))
    refused(
        lambda: services.committee_seat_end(
            actor=district_coordinator_a, seat=ended, term_end=date(2021, 6, 1)
        ),
        "term_end",
        containing="already ended",
    )


def test_ending_a_seat_in_another_era_is_refused(district_coordinator_a):
    seat = CommitteeMembershipFactory(term_start=date(2025, 1, 1))
    refused(
        lambda: services.committee_seat_end(
            actor=district_coordinator_a, seat=seat, term_end=date(2568, 9, 30)
        ),
        "term_end",
        containing="at most 10 years",
    )


def test_a_seat_kept_open_for_years_can_still_end_today(district_coordinator_a):
    seat = CommitteeMembershipFactory(term_start=date(2010, 1, 1))
    today = timezone.localdate()
    services.committee_seat_end(actor=district_coordinator_a, seat=seat, term_end=today)
    seat.refresh_from_db()
    assert seat.term_end == today


def test_vacant_single_seats_are_named(district_coordinator_a):
    centre = CentreFactory()
    assert selectors.vacant_seats([]) == [Position.CHAIR, Position.SECRETARY]
    services.committee_seat_add(
        actor=district_coordinator_a,
        **seat_args(centre, VolunteerFactory(), position=Position.CHAIR),
    )
    current, _past = selectors.committee_list(centre=centre)
    assert selectors.vacant_seats(current) == [Position.SECRETARY]


def test_ending_a_seat_never_lengthens_it(district_coordinator_a):
    today = timezone.localdate()
    seat = CommitteeMembershipFactory(
        term_start=today - timedelta(days=100), term_end=today + timedelta(days=300)
    )
    refused(
        lambda: services.committee_seat_end(
            actor=district_coordinator_a, seat=seat, term_end=today + timedelta(days=301)
        ),
        "term_end",
    )
    services.committee_seat_end(actor=district_coordinator_a, seat=seat, term_end=today)
    seat.refresh_from_db()
    assert seat.term_end == today


def test_a_seat_ended_before_its_term_starts_is_cancelled(district_coordinator_a):
    today = timezone.localdate()
    seat = CommitteeMembershipFactory(term_start=today + timedelta(days=10))
    pk = seat.pk
    kept = services.committee_seat_end(actor=district_coordinator_a, seat=seat, term_end=today)
    assert kept is None
    assert not CommitteeMembership.objects.filter(pk=pk).exists()
    assert AuditEvent.objects.filter(action="committee.seat_cancel").count() == 1


@pytest.mark.parametrize(
    ("typed_no", "stored"),
    [
        *[("123/2568", "123/2568"), ("๑๒๓ / ๒๕๖๘", "123/2568"), ("123/68", "123/2568")],
        # The year written first, as some offices do: 16 of 2568, not 2568 of (25)16.
        *[("2568/16", "16/2568"), ("๒๕๖๘/๑๖", "16/2568"), ("2568 / 078", "78/2568"), ("", "")],
        # The province's letters before it, as some offices print it; zeros in front.
        *[("ชพ.001/2555", "1/2555"), ("ชพ 123/2568", "123/2568"), ("001/2555", "1/2555")],
    ],
)
def test_registration_numbers_as_people_type_them(typed_no, stored):
    assert services.check_registration_no(typed_no, date(2025, 11, 1)) == stored


@pytest.mark.parametrize(
    "typed_no", ["0/2568", "123/2490", "123/2540", "123/2571", "123", "ab/2568", "2540/16"]
)
def test_registration_numbers_that_cannot_be_right(typed_no):
    # In November 2568 the fiscal year 2569 has begun; a later year cannot be right.
    with pytest.raises(ValidationError):
        services.check_registration_no(typed_no, date(2025, 11, 1))


def test_a_centres_phone_is_checked_kept_as_digits_and_logged(area_tree, personas):
    centre = CentreFactory(area=area_tree["8601"])
    coordinator = personas["district_coordinator_a"]
    with pytest.raises(ValidationError) as refused:
        services.centre_set_phone(actor=coordinator, centre=centre, phone="081-234-567")
    assert "phone" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        services.centre_set_phone(
            actor=personas["district_coordinator_b"], centre=centre, phone="077511234"
        )
    services.centre_set_phone(actor=coordinator, centre=centre, phone="077 511 234")
    services.centre_set_phone(actor=coordinator, centre=centre, phone="077-511-234")  # the same
    centre.refresh_from_db()
    assert centre.phone == "077511234"
    [event] = AuditEvent.objects.filter(action="centre.update")
    assert event.details == {"phone": ["", "077511234"]}


def test_a_term_cannot_start_before_the_volunteer_was_registered(district_coordinator_a):
    centre = CentreFactory()
    volunteer = VolunteerFactory(registration_date=date(2022, 9, 15))
    refused(
        lambda: services.committee_seat_add(
            actor=district_coordinator_a,
            **seat_args(centre, volunteer, term_start=date(2022, 9, 1)),
        ),
        "term_start",
        containing="2565",
    )
    services.committee_seat_add(
        actor=district_coordinator_a, **seat_args(centre, volunteer, term_start=date(2022, 9, 15))
    )


def test_a_change_taken_back_no_longer_sets_the_earliest_date(district_coordinator_a):
    """Set inactive today by mistake, taken back: she resigned a week ago, and can be recorded
    so (the mistake's date held any new change back to today)."""
    volunteer, _user = linked_volunteer(district_coordinator_a)
    today = timezone.localdate()
    Volunteer.objects.filter(pk=volunteer.pk).update(registration_date=today - timedelta(days=30))
    VolunteerStatusChange.objects.filter(volunteer=volunteer).update(
        effective_date=today - timedelta(days=30)
    )
    volunteer.refresh_from_db()
    change(district_coordinator_a, volunteer, VolunteerStatus.INACTIVE)
    mistake = services.undoable_change(volunteer)
    assert mistake is not None
    services.volunteer_undo_status(
        actor=district_coordinator_a, volunteer=volunteer, change_id=mistake.pk, reason="ผิดคน"
    )
    volunteer.refresh_from_db()
    week_ago = today - timedelta(days=7)
    services.volunteer_change_status(
        actor=district_coordinator_a,
        volunteer=volunteer,
        to_status=VolunteerStatus.RESIGNED,
        effective_date=week_ago,
        reason="ลาออกตามหนังสือ",
    )
    volunteer.refresh_from_db()
    assert volunteer.status == VolunteerStatus.RESIGNED
