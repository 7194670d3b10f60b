"""Check-in services: QR codes, scanning and ticking, and the attendance figures."""

from datetime import timedelta

import pytest
import segno
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from carenet.core.models import AuditEvent
from carenet.training import checkin
from carenet.training.models import Attendance, CheckInMethod
from carenet.training.tests.factories_checkin import checkin_world, invite_many
from carenet.training.tests.factories_events import AttendanceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas):
    return checkin_world(personas)


def scan(user, session, token, method=CheckInMethod.QR):
    return checkin.attendance_record(actor=user, session=session, token=token, method=method)


def test_the_qr_code_holds_the_token_and_nothing_personal(world):
    invitation = world.mine
    volunteer = invitation.volunteer
    svg = str(checkin.qr_svg(invitation))
    assert checkin.qr_text(invitation) == "CARENET-T:" + invitation.token
    expected = segno.make("CARENET-T:" + invitation.token, error="m", micro=False)
    assert svg == expected.svg_inline(scale=1, border=4, dark="#000", light="#fff", omitsize=True)
    assert svg.startswith("<svg") and "<title" not in svg
    for personal in (
        volunteer.first_name,
        volunteer.last_name,
        volunteer.phone,
        volunteer.read_citizen_id(),
        invitation.token,  # not even the token in clear: only the modules' path data
    ):
        if personal:
            assert personal not in svg


@pytest.mark.parametrize(
    ("code", "found"),
    [
        ("CARENET-T:abcdefghijklmnop_-12", "abcdefghijklmnop_-12"),
        ("  carenet-t:abcdefghijklmnop_-12 \n", "abcdefghijklmnop_-12"),
        ("abcdefghijklmnop_-12", "abcdefghijklmnop_-12"),
        ("", None),
        ("CARENET-T:", None),
        ("https://example.com/?q=1", None),
        ("abc", None),
        ("'; DROP TABLE x; --", None),
        ("x" * 40, None),
        ("มาลี ศรีสุข", None),
    ],
)
def test_token_from_code(code, found):
    assert checkin.token_from_code(code) == found


def test_a_first_scan_checks_in_and_audits_once(world, district_coordinator_a):
    code = checkin.qr_text(world.mine)
    first = scan(district_coordinator_a, world.session, code)
    assert first.status == "new"
    assert first.name == world.mine.volunteer.full_name
    assert first.time is not None and not first.declined
    row = Attendance.objects.get()
    assert (row.session, row.invitation, row.method) == (world.session, world.mine, "qr")
    assert row.checked_in_by == district_coordinator_a
    assert AuditEvent.objects.filter(action="training.checkin").count() == 1

    again = scan(district_coordinator_a, world.session, code)
    assert again.status == "already"
    assert again.time == row.checked_in_at
    assert again.time_text == first.time_text
    assert Attendance.objects.count() == 1
    assert AuditEvent.objects.filter(action="training.checkin").count() == 1

    # The next session is another check-in.
    assert scan(district_coordinator_a, world.session2, code).status == "new"
    assert Attendance.objects.count() == 2


@pytest.mark.parametrize("code", ["", "   ", "garbage", "CARENET-T:" + "A" * 22, "x" * 5000])
def test_bad_codes_are_refused_with_a_reason(world, district_coordinator_a, code):
    result = scan(district_coordinator_a, world.session, code)
    assert result.status == "refused"
    assert result.reason
    assert not Attendance.objects.exists()


def test_a_code_from_another_event_is_refused(world, national_admin):
    with translation.override("en"):  # the reason is in the active language
        result = scan(national_admin, world.session, checkin.qr_text(world.invitation_b))
    assert result.status == "refused"
    assert "another training event" in result.reason
    assert not Attendance.objects.exists()


def test_an_unsent_invitation_is_refused(world, district_coordinator_a):
    result = scan(district_coordinator_a, world.session, checkin.qr_text(world.unsent))
    assert result.status == "refused"
    assert not Attendance.objects.exists()


def test_a_volunteer_who_declined_can_still_be_checked_in(world, district_coordinator_a):
    result = scan(district_coordinator_a, world.session, checkin.qr_text(world.declined))
    assert result.status == "new" and result.declined
    audit = AuditEvent.objects.get(action="training.checkin")
    assert audit.details["had_declined"] is True


def test_ticking_a_name(world, district_coordinator_a):
    invitation = checkin.invitation_for_tick(session=world.session, pk=world.other.pk)
    assert invitation is not None
    result = checkin.attendance_record(
        actor=district_coordinator_a,
        session=world.session,
        invitation=invitation,
        method=CheckInMethod.LIST,
    )
    assert result.status == "new"
    assert Attendance.objects.get().method == "list"
    again = checkin.invitation_for_tick(session=world.session, pk=world.other.pk)
    assert again is not None and again.checked_in_at is not None
    result = checkin.attendance_record(
        actor=district_coordinator_a,
        session=world.session,
        invitation=again,
        method=CheckInMethod.LIST,
    )
    assert result.status == "already"
    # Another event's invitation, an unsent one, or junk is not one to tick.
    assert checkin.invitation_for_tick(session=world.session, pk=world.invitation_b.pk) is None
    assert checkin.invitation_for_tick(session=world.session, pk=world.unsent.pk) is None
    assert checkin.invitation_for_tick(session=world.session, pk="x1") is None


def test_two_scanners_racing_record_one_check_in(world, district_coordinator_a):
    # The invitation was read as "not checked in", then another scanner got there first.
    invitation = checkin.invitation_for_tick(session=world.session, pk=world.mine.pk)
    AttendanceFactory(session=world.session, invitation=world.mine)
    result = checkin.attendance_record(
        actor=district_coordinator_a,
        session=world.session,
        invitation=invitation,
        method=CheckInMethod.QR,
    )
    assert result.status == "already"
    assert Attendance.objects.count() == 1
    assert not AuditEvent.objects.filter(action="training.checkin").exists()


def test_only_the_events_managers_check_in(world, district_coordinator_b, volunteer_a):
    for user in (district_coordinator_b, volunteer_a):
        with pytest.raises(PermissionDenied):
            scan(user, world.session, checkin.qr_text(world.mine))
    assert not Attendance.objects.exists()


def test_a_scan_is_a_few_queries(world, district_coordinator_a, django_assert_max_num_queries):
    invite_many(world.event, 50)
    session = checkin.session_get(user=district_coordinator_a, pk=world.session.pk)
    code = checkin.qr_text(world.other)
    # lookup, then SAVEPOINT, INSERT attendance, INSERT audit, RELEASE (in a test's transaction)
    with django_assert_max_num_queries(5):
        assert scan(district_coordinator_a, session, code).status == "new"
    with django_assert_max_num_queries(1):
        assert scan(district_coordinator_a, session, code).status == "already"
    with django_assert_max_num_queries(1):
        assert scan(district_coordinator_a, session, "CARENET-T:" + "b" * 22).status == "refused"


def test_attendance_figures(world, national_admin):
    # Sent: mine (confirmed), other (confirmed), declined; two sessions.
    for invitation, session in [
        (world.mine, world.session),
        (world.mine, world.session2),
        (world.other, world.session),
        (world.declined, world.session),
    ]:
        AttendanceFactory(invitation=invitation, session=session)
    summary = checkin.attendance_summary(user=national_admin, event=world.event)
    assert summary.people == 3
    morning, afternoon = (item.rate for item in summary.sessions)
    assert (morning.checked_in, morning.invited, morning.confirmed) == (3, 3, 2)
    assert (morning.came_confirmed, morning.came_declined) == (2, 1)
    assert morning.of_invited == 100
    assert morning.of_confirmed == 100
    assert (afternoon.checked_in, afternoon.came_confirmed) == (1, 1)
    assert afternoon.of_confirmed == 50
    assert round(afternoon.of_invited or 0, 1) == 33.3
    # Overall: 4 check-ins of 3 people × 2 sessions.
    assert (summary.overall.checked_in, summary.overall.invited) == (4, 6)
    assert [(d.code, d.people, d.attended) for d in summary.districts] == [("8601", 3, 4)]
    assert summary.districts[0].area is not None
    assert summary.by_count == [(0, 0), (1, 2), (2, 1)]
    # The rule is 80 %: of two sessions, both are needed.
    assert summary.meeting_rule == 1


def test_attendance_figures_by_district_and_scope(world, national_admin, district_coordinator_b):
    from carenet.training.tests.factories_events import InvitationFactory, VolunteerFactory

    thasae = InvitationFactory(
        event=world.event, volunteer=VolunteerFactory(area_id="860201"), area_id="860201"
    )
    AttendanceFactory(invitation=thasae, session=world.session)
    summary = checkin.attendance_summary(user=national_admin, event=world.event)
    assert [(d.code, d.people, d.attended) for d in summary.districts] == [
        ("8601", 3, 0),
        ("8602", 1, 1),
    ]
    assert summary.by_count == [(0, 3), (1, 1)]
    # The ท่าแซะ coordinator sees only their own volunteers' figures.
    mine = checkin.attendance_summary(user=district_coordinator_b, event=world.event)
    assert [(d.code, d.people) for d in mine.districts] == [("8602", 1)]


def _left(volunteer, status, day):
    from carenet.volunteers.models import VolunteerStatusChange

    VolunteerStatusChange.objects.create(
        volunteer=volunteer, from_status="active", to_status=status, effective_date=day, reason="-"
    )
    type(volunteer).objects.filter(pk=volunteer.pk).update(status=status)


@pytest.mark.parametrize("status", ["deceased", "resigned", "removed"])
def test_a_volunteer_who_had_left_by_the_sessions_day_is_not_checked_in(
    world, district_coordinator_a, status
):
    session_day = timezone.localdate(world.session.starts_at)
    _left(world.other.volunteer, status, session_day)
    with translation.override("en"):
        result = scan(district_coordinator_a, world.session, checkin.qr_text(world.other))
    assert result.status == "refused" and "cannot be checked in" in result.reason
    ticked = checkin.invitation_for_tick(session=world.session, pk=world.other.pk)
    again = checkin.attendance_record(
        actor=district_coordinator_a,
        session=world.session,
        invitation=ticked,
        method=CheckInMethod.LIST,
    )
    assert again.status == "refused"
    assert not Attendance.objects.exists()


def test_a_volunteer_who_left_after_the_session_still_counts(world, district_coordinator_a):
    """A sign-in sheet entered afterwards: they attended before they died."""
    from datetime import timedelta

    day_after = timezone.localdate(world.session.starts_at) + timedelta(days=1)
    _left(world.other.volunteer, "deceased", day_after)
    result = scan(district_coordinator_a, world.session, checkin.qr_text(world.other))
    assert result.status == "new"


@pytest.mark.parametrize(
    "history",
    [
        [("resigned", -5), ("deceased", 5)],  # resigned before, recorded as dead after
        [("removed", -5), ("active", 5)],  # removed that day, back in the network since
    ],
)
def test_the_status_on_the_sessions_day_decides(world, district_coordinator_a, history):
    from carenet.volunteers.models import VolunteerStatusChange

    volunteer = world.other.volunteer
    day = timezone.localdate(world.session.starts_at)
    was = "active"
    for status, offset in history:
        VolunteerStatusChange.objects.create(
            volunteer=volunteer,
            from_status=was,
            to_status=status,
            effective_date=day + timedelta(days=offset),
            reason="-",
        )
        was = status
    type(volunteer).objects.filter(pk=volunteer.pk).update(status=was)
    result = scan(district_coordinator_a, world.session, checkin.qr_text(world.other))
    assert result.status == "refused"
    assert not Attendance.objects.exists()
