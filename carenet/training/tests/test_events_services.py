"""Training events: the service rules (events, sessions, the invitation list, answers, awards)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from carenet.core.models import AuditEvent
from carenet.core.services import ConflictError
from carenet.training import services
from carenet.training.criteria import TargetCriteria, target_volunteers
from carenet.training.models import (
    Competency,
    EventStatus,
    Invitation,
    InvitationStatus,
)
from carenet.training.services import EventData
from carenet.training.tests.factories_events import (
    AttendanceFactory,
    AwardFactory,
    CertificateFactory,
    EventFactory,
    GrantFactory,
    InvitationFactory,
    SessionFactory,
    VolunteerFactory,
    aware,
    centre,
    many_volunteers,
)
from carenet.volunteers.models import VolunteerStatus
from carenet.volunteers.tests.factories import CommitteeMembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(area_tree, personas, reference_data):
    return {
        "province": centre("86"),
        "centre_a": centre("8601"),
        "centre_b": centre("8602"),
    }


def data(c, **changes):
    values = {
        "centre": c,
        "title": "ประชุมเชิงปฏิบัติการพัฒนาศักยภาพ อพม.",
        "kind": "workshop",
        "starts_on": date(2025, 2, 26),
        "ends_on": date(2025, 2, 27),
        "venue": "โรงแรมในตำบลท่าตะเภา",
        "venue_area": "860101",
        "budget": Decimal("150000"),
        "criteria": TargetCriteria(area=c.area_id),
    }
    values.update(changes)
    return EventData(**values)


# --- events ----------------------------------------------------------------------------------


def test_create_takes_area_and_fiscal_year_and_builds_the_list(world, district_coordinator_a):
    mine = VolunteerFactory(area_id="860101")
    VolunteerFactory(area_id="860201")  # another district
    VolunteerFactory(area_id="860102", status=VolunteerStatus.INACTIVE)
    event = services.event_create(actor=district_coordinator_a, data=data(world["centre_a"]))
    assert event.area_id == "8601"
    assert event.fiscal_year == 2568
    assert event.venue_area_id == "860101"
    assert list(event.invitations.values_list("volunteer", flat=True)) == [mine.pk]
    assert event.invitations.get().invited_at is None  # on the list, not sent
    assert AuditEvent.objects.filter(action="training.event_create").count() == 1


def test_fiscal_year_starts_in_october(world, province_officer):
    event = services.event_create(
        actor=province_officer,
        data=data(world["province"], starts_on=date(2024, 10, 1), ends_on=date(2024, 10, 1)),
    )
    assert event.fiscal_year == 2568


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ends_on": date(2025, 2, 25)}, "ends_on"),
        ({"budget": Decimal("-1")}, "budget"),
        ({"venue_area": "8601"}, "venue_area"),
        ({"venue_area": "999999"}, "venue_area"),
        ({"title": "  "}, "title"),
        ({"criteria": TargetCriteria(area="8602")}, "target_area"),
        ({"criteria": TargetCriteria(area="8601", min_years=5, max_years=3)}, "max_years"),
        ({"criteria": TargetCriteria(area="8601", lacks="nonsense")}, "lacks"),
    ],
)
def test_create_refuses_bad_input_and_writes_nothing(world, district_coordinator_a, changes, field):
    with pytest.raises(ValidationError) as caught:
        services.event_create(actor=district_coordinator_a, data=data(world["centre_a"], **changes))
    assert field in caught.value.message_dict
    assert not AuditEvent.objects.exists()


def test_a_district_coordinator_cannot_organise_for_the_province(world, district_coordinator_a):
    with pytest.raises(ValidationError) as caught:
        services.event_create(actor=district_coordinator_a, data=data(world["province"]))
    assert "centre" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.event_create(actor=district_coordinator_a, data=data(world["centre_b"]))


def test_update_is_versioned_and_scoped(world, district_coordinator_a, district_coordinator_b):
    event = services.event_create(actor=district_coordinator_a, data=data(world["centre_a"]))
    services.event_update(
        actor=district_coordinator_a,
        event=event,
        data=data(world["centre_a"], title="ชื่อใหม่"),
        version=1,
    )
    event.refresh_from_db()
    assert (event.title, event.version) == ("ชื่อใหม่", 2)
    with pytest.raises(ConflictError):
        services.event_update(
            actor=district_coordinator_a, event=event, data=data(world["centre_a"]), version=1
        )
    with pytest.raises(PermissionDenied):
        services.event_update(
            actor=district_coordinator_b, event=event, data=data(world["centre_a"]), version=2
        )
    event.refresh_from_db()
    assert event.title == "ชื่อใหม่"


def test_what_certificates_print_is_fixed_once_they_are_issued(world, district_coordinator_a):
    event = services.event_create(actor=district_coordinator_a, data=data(world["centre_a"]))
    invitation = InvitationFactory(event=event)
    CertificateFactory(invitation=invitation)
    with pytest.raises(ValidationError) as caught:
        services.event_update(
            actor=district_coordinator_a,
            event=event,
            data=data(world["centre_a"], title="ชื่อใหม่"),
            version=event.version,
        )
    assert list(caught.value.message_dict) == ["title"]
    event.refresh_from_db()
    assert event.title != "ชื่อใหม่"
    # What is not printed still changes.
    services.event_update(
        actor=district_coordinator_a,
        event=event,
        data=data(world["centre_a"], description="เพิ่มรายละเอียด"),
        version=event.version,
    )
    event.refresh_from_db()
    assert event.description == "เพิ่มรายละเอียด"


def test_sessions_and_competencies_are_fixed_once_certificates_are_issued(
    world, district_coordinator_a
):
    """They decided who got a certificate and what it grants."""
    from datetime import datetime

    from django.utils import timezone

    event = services.event_create(actor=district_coordinator_a, data=data(world["centre_a"]))
    day, noon = (timezone.make_aware(datetime(2025, 2, 26, hour)) for hour in (9, 12))
    session = services.session_add(
        actor=district_coordinator_a, event=event, title="เช้า", starts_at=day, ends_at=noon
    )
    invitation = InvitationFactory(event=event)
    CertificateFactory(invitation=invitation)
    later, end = (timezone.make_aware(datetime(2025, 2, 27, hour)) for hour in (9, 12))
    with pytest.raises(ValidationError):
        services.session_add(
            actor=district_coordinator_a, event=event, title="บ่าย", starts_at=later, ends_at=end
        )
    with pytest.raises(ValidationError):
        services.session_delete(actor=district_coordinator_a, session=session)
    with pytest.raises(ValidationError):  # moved to another day
        services.session_update(
            actor=district_coordinator_a, session=session, title="เช้า", starts_at=later, ends_at=end
        )
    # Its title and agenda may still be corrected.
    services.session_update(
        actor=district_coordinator_a, session=session, title="ภาคเช้า", starts_at=day, ends_at=noon
    )
    competency = Competency.objects.get(code="child_protection")
    with pytest.raises(ValidationError) as caught:
        services.event_update(
            actor=district_coordinator_a,
            event=event,
            data=data(world["centre_a"], competencies=[competency]),
            version=event.version,
        )
    assert list(caught.value.message_dict) == ["competencies"]
    assert event.sessions.count() == 1 and not event.competencies.exists()


def test_an_event_year_typed_wrong_is_refused(world, district_coordinator_a):
    long_ago = data(world["centre_a"], starts_on=date(1957, 1, 1), ends_on=date(1957, 1, 2))
    thirty_years = data(world["centre_a"], starts_on=date(2026, 1, 1), ends_on=date(2056, 1, 1))
    for wrong, field in ((long_ago, "starts_on"), (thirty_years, "ends_on")):
        with pytest.raises(ValidationError) as caught:
            services.event_create(actor=district_coordinator_a, data=wrong)
        assert field in caught.value.message_dict


def test_changing_the_days_keeps_sessions_inside(world, district_coordinator_a):
    event = services.event_create(actor=district_coordinator_a, data=data(world["centre_a"]))
    services.session_add(
        actor=district_coordinator_a,
        event=event,
        title="ภาคบ่าย",
        starts_at=aware(date(2025, 2, 27), 13),
        ends_at=aware(date(2025, 2, 27), 16),
    )
    with pytest.raises(ValidationError):
        services.event_update(
            actor=district_coordinator_a,
            event=event,
            data=data(world["centre_a"], ends_on=date(2025, 2, 26)),
            version=event.version,
        )


# --- sessions --------------------------------------------------------------------------------


def test_sessions_fall_within_the_event_days(world, district_coordinator_a):
    event = EventFactory(centre=world["centre_a"], ends_on=date(2025, 2, 27))
    with pytest.raises(ValidationError) as caught:
        services.session_add(
            actor=district_coordinator_a,
            event=event,
            title="ก่อนงาน",
            starts_at=aware(date(2025, 2, 25), 9),
            ends_at=aware(date(2025, 2, 25), 12),
        )
    assert "day" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.session_add(
            actor=district_coordinator_a,
            event=event,
            title="กลับด้าน",
            starts_at=aware(date(2025, 2, 26), 12),
            ends_at=aware(date(2025, 2, 26), 9),
        )
    assert "ends" in caught.value.message_dict
    session = services.session_add(
        actor=district_coordinator_a,
        event=event,
        title="ภาคเช้า",
        starts_at=aware(date(2025, 2, 26), 9),
        ends_at=aware(date(2025, 2, 26), 12),
        speakers="พมจ.ชุมพร",
    )
    services.session_update(
        actor=district_coordinator_a,
        session=session,
        title="ภาคเช้า (ปรับ)",
        starts_at=session.starts_at,
        ends_at=session.ends_at,
    )
    assert event.sessions.get().title == "ภาคเช้า (ปรับ)"
    with pytest.raises(ValidationError) as caught:  # the same morning again
        services.session_add(
            actor=district_coordinator_a,
            event=event,
            title="ซ้อน",
            starts_at=aware(date(2025, 2, 26), 11),
            ends_at=aware(date(2025, 2, 26), 13),
        )
    assert "“ภาคเช้า (ปรับ)”" in caught.value.message_dict["starts"][0]  # the one it overlaps
    AttendanceFactory(session=session, invitation=InvitationFactory(event=event))
    with pytest.raises(ValidationError):
        services.session_delete(actor=district_coordinator_a, session=session)
    empty = SessionFactory(event=event)
    services.session_delete(actor=district_coordinator_a, session=empty)
    assert event.sessions.count() == 1


# --- criteria --------------------------------------------------------------------------------


def test_criteria_committee_level_subdistrict(world):
    subdistrict_centre = centre("860101")
    seated = VolunteerFactory(area_id="860101")
    ended = VolunteerFactory(area_id="860101")
    district_seat = VolunteerFactory(area_id="860102")
    VolunteerFactory(area_id="860101")  # no seat
    CommitteeMembershipFactory(centre=subdistrict_centre, volunteer=seated)
    CommitteeMembershipFactory(
        centre=subdistrict_centre,
        volunteer=ended,
        term_start=date(2020, 1, 1),
        term_end=date(2023, 12, 31),
    )
    CommitteeMembershipFactory(centre=world["centre_a"], volunteer=district_seat)
    on = date(2025, 2, 26)
    found = set(target_volunteers(TargetCriteria(area="86", committee="subdistrict"), on))
    assert found == {seated}
    found = set(target_volunteers(TargetCriteria(area="86", committee="district"), on))
    assert found == {district_seat}
    found = set(target_volunteers(TargetCriteria(area="86", committee="any"), on))
    assert found == {seated, district_seat}


def test_criteria_years_of_service(world):
    old = VolunteerFactory(registration_date=date(2010, 5, 1))
    new = VolunteerFactory(registration_date=date(2023, 5, 1))
    exactly_three = VolunteerFactory(registration_date=date(2022, 2, 26))
    on = date(2025, 2, 26)
    assert set(target_volunteers(TargetCriteria(area="8601", max_years=3), on)) == {new}
    assert set(target_volunteers(TargetCriteria(area="8601", min_years=3), on)) == {
        old,
        exactly_three,
    }
    assert set(target_volunteers(TargetCriteria(area="8601", min_years=5, max_years=20), on)) == {
        old
    }


def test_criteria_lacks_a_competency_and_untrained_this_year(world):
    holder = VolunteerFactory()
    expired = VolunteerFactory()
    lacking = VolunteerFactory()
    GrantFactory(volunteer=holder, granted_on=date(2024, 1, 10), expires_on=date(2027, 1, 10))
    GrantFactory(volunteer=expired, granted_on=date(2020, 1, 10), expires_on=date(2023, 1, 10))
    on = date(2025, 2, 26)
    found = set(target_volunteers(TargetCriteria(area="86", lacks="child_protection"), on))
    assert found == {expired, lacking}
    # Trained in FY 2568: attended a session of an FY 2568 event.
    AttendanceFactory(invitation=InvitationFactory(volunteer=lacking))
    found = set(target_volunteers(TargetCriteria(area="86", untrained_fy=2568), on))
    assert found == {holder, expired}
    found = set(target_volunteers(TargetCriteria(area="86", untrained_fy=2567), on))
    assert found == {lacking, expired}  # the holder was granted in FY 2567


# --- the invitation list ---------------------------------------------------------------------


def test_rebuild_keeps_hand_edits(world, district_coordinator_a):
    first, second, third = (VolunteerFactory(area_id="860101") for _ in range(3))
    elsewhere = VolunteerFactory(area_id="860102")
    event = services.event_create(
        actor=district_coordinator_a,
        data=data(world["centre_a"], criteria=TargetCriteria(area="860101")),
    )
    assert event.invitations.count() == 3
    services.invitation_remove(
        actor=district_coordinator_a, invitation=event.invitations.get(volunteer=first)
    )
    by_hand = services.invitation_add(
        actor=district_coordinator_a, event=event, volunteer=elsewhere
    )
    assert by_hand.added_by_hand
    newcomer = VolunteerFactory(area_id="860101")
    result = services.invitations_build(actor=district_coordinator_a, event=event)
    assert result == {"added": 1, "dropped": 0}
    on_list = set(event.invitations.values_list("volunteer", flat=True))
    assert on_list == {second.pk, third.pk, elsewhere.pk, newcomer.pk}
    event.refresh_from_db()
    assert event.criteria["excluded"] == [first.pk]
    # Putting the removed volunteer back takes them off the excluded list.
    back = services.invitation_add(actor=district_coordinator_a, event=event, volunteer=first)
    assert not back.added_by_hand
    event.refresh_from_db()
    assert "excluded" not in event.criteria


def test_rebuild_drops_unsent_rows_the_criteria_no_longer_match(world, district_coordinator_a):
    stays = VolunteerFactory(area_id="860101")
    goes = VolunteerFactory(area_id="860102")
    sent = VolunteerFactory(area_id="860102")
    event = services.event_create(actor=district_coordinator_a, data=data(world["centre_a"]))
    event.invitations.filter(volunteer=sent).update(invited_at=aware(date(2025, 1, 1), 9))
    services.event_update(
        actor=district_coordinator_a,
        event=event,
        data=data(world["centre_a"], criteria=TargetCriteria(area="860101")),
        version=event.version,
    )
    on_list = set(event.invitations.values_list("volunteer", flat=True))
    assert on_list == {stays.pk, sent.pk}
    assert goes.pk not in on_list


def test_hand_add_only_active_volunteers_of_the_organisers_area(world, district_coordinator_a):
    event = EventFactory(centre=world["centre_a"])
    with pytest.raises(ValidationError):
        services.invitation_add(
            actor=district_coordinator_a, event=event, volunteer=VolunteerFactory(area_id="860201")
        )
    with pytest.raises(ValidationError):
        services.invitation_add(
            actor=district_coordinator_a,
            event=event,
            volunteer=VolunteerFactory(status=VolunteerStatus.RESIGNED),
        )
    assert not event.invitations.exists()


def test_build_and_send_500_plus_in_constant_queries(world, province_officer):
    many_volunteers(520, ["860101", "860102", "860201"])
    event = EventFactory(centre=world["province"], criteria={"area": "86"})
    with CaptureQueriesContext(connection) as queries:
        result = services.invitations_build(actor=province_officer, event=event)
    assert result["added"] == 520
    assert len(queries) <= 12
    assert Invitation.objects.filter(event=event).count() == 520
    assert len(set(Invitation.objects.values_list("token", flat=True))) == 520
    with CaptureQueriesContext(connection) as queries:
        sent = services.invitations_send(actor=province_officer, event=event)
    assert sent == (520, 0)
    assert len(queries) <= 8
    event.refresh_from_db()
    assert event.status == EventStatus.INVITED
    assert not Invitation.objects.filter(event=event, invited_at__isnull=True).exists()
    # Building again adds nothing and keeps everyone who was sent.
    assert services.invitations_build(actor=province_officer, event=event)["added"] == 0


def test_list_changes_are_scoped(world, district_coordinator_b):
    event = EventFactory(centre=world["centre_a"])
    invitation = InvitationFactory(event=event)
    with pytest.raises(PermissionDenied):
        services.invitations_build(actor=district_coordinator_b, event=event)
    with pytest.raises(PermissionDenied):
        services.invitations_send(actor=district_coordinator_b, event=event)
    with pytest.raises(PermissionDenied):
        services.invitation_remove(actor=district_coordinator_b, invitation=invitation)
    assert Invitation.objects.filter(pk=invitation.pk).exists()


# --- answers ---------------------------------------------------------------------------------


def test_only_the_volunteer_answers_their_invitation(world, volunteer_a, volunteer_b, monkeypatch):
    own = VolunteerFactory(user=volunteer_a)
    event = EventFactory(centre=world["centre_a"], starts_on=date(2099, 1, 5))
    invitation = InvitationFactory(event=event, volunteer=own)
    with pytest.raises(PermissionDenied):
        services.invitation_respond(actor=volunteer_b, invitation=invitation, attend=True)
    services.invitation_respond(actor=volunteer_a, invitation=invitation, attend=True)
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.CONFIRMED
    services.invitation_respond(actor=volunteer_a, invitation=invitation, attend=False)
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.DECLINED and invitation.responded_at


def test_no_answer_to_an_unsent_invitation_or_a_past_event(world, volunteer_a):
    own = VolunteerFactory(user=volunteer_a)
    unsent = InvitationFactory(
        event=EventFactory(centre=world["centre_a"], starts_on=date(2099, 1, 5)),
        volunteer=own,
        invited_at=None,
    )
    with pytest.raises(ValidationError):
        services.invitation_respond(actor=volunteer_a, invitation=unsent, attend=True)
    past = InvitationFactory(event=EventFactory(centre=world["centre_a"]), volunteer=own)
    with pytest.raises(ValidationError):
        services.invitation_respond(actor=volunteer_a, invitation=past, attend=True)


# --- awards ------------------------------------------------------------------------------------


def test_award_nomination_and_moves(
    world, district_coordinator_a, district_coordinator_b, province_officer
):
    volunteer = VolunteerFactory(area_id="860101")
    with pytest.raises(PermissionDenied):
        services.award_nominate(
            actor=district_coordinator_b, volunteer=volunteer, fiscal_year=2568, reason="ดี"
        )
    award = services.award_nominate(
        actor=district_coordinator_a, volunteer=volunteer, fiscal_year=2568, reason="ทำงานดีเด่น"
    )
    assert award.title == "อพม. ดีเด่น" and award.area_id == "860101"
    with pytest.raises(ValidationError):
        services.award_nominate(
            actor=district_coordinator_a, volunteer=volunteer, fiscal_year=2568, reason="ซ้ำ"
        )
    with pytest.raises(PermissionDenied):  # the province decides, not the district
        services.award_move(actor=district_coordinator_a, award=award, to_status="shortlisted")
    with pytest.raises(ValidationError):
        services.award_move(actor=province_officer, award=award, to_status="awarded")
    services.award_move(actor=province_officer, award=award, to_status="shortlisted")
    services.award_move(actor=province_officer, award=award, to_status="awarded")
    award.refresh_from_db()
    assert award.status == "awarded" and award.decided_by == province_officer
    with pytest.raises(ValidationError):
        services.award_move(actor=province_officer, award=award, to_status="not_selected")
    other = AwardFactory(volunteer=VolunteerFactory())
    services.award_move(actor=province_officer, award=other, to_status="not_selected")
    assert AuditEvent.objects.filter(action="training.award_move").count() == 3


def test_an_award_for_a_year_typed_wrong_is_refused(world, district_coordinator_a):
    volunteer = VolunteerFactory(area_id="860101")
    for year in (2500, 2700):
        with pytest.raises(ValidationError) as caught:
            services.award_nominate(
                actor=district_coordinator_a, volunteer=volunteer, fiscal_year=year, reason="ดี"
            )
        assert "fiscal_year" in caught.value.message_dict


def test_the_same_event_sent_twice_is_one_event(world, district_coordinator_a):
    first = services.event_create(actor=district_coordinator_a, data=data(world["centre_a"]))
    again = services.event_create(actor=district_coordinator_a, data=data(world["centre_a"]))
    assert first.pk == again.pk
    other = data(world["centre_a"], title="อบรมอีกรุ่น")
    assert services.event_create(actor=district_coordinator_a, data=other).pk != first.pk


def test_competencies_are_data(reference_data):
    assert Competency.objects.filter(code="child_protection").exists()


def test_volunteers_who_left_are_taken_off_the_list_not_invited(world, province_officer):
    many_volunteers(3, ["860101"])
    event = EventFactory(centre=world["province"], criteria={"area": "86"})
    services.invitations_build(actor=province_officer, event=event)
    listed = Invitation.objects.filter(event=event)
    gone = listed.first().volunteer
    type(gone).objects.filter(pk=gone.pk).update(status="deceased")
    on_list = listed.count()
    assert services.invitations_send(actor=province_officer, event=event) == (on_list - 1, 1)
    assert not listed.filter(volunteer=gone).exists()
    assert not listed.filter(invited_at__isnull=True).exists()
