"""The check-in tests' small world: a district event in 8601 with two sessions and a few
invited volunteers (one linked to volunteer_a), and an event of the other district (8602)."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from carenet.accounts.models import User
from carenet.training.models import Invitation, InvitationStatus, Session, TrainingEvent
from carenet.training.tests.factories_events import (
    EventFactory,
    InvitationFactory,
    SessionFactory,
    VolunteerFactory,
    aware,
    centre,
    many_volunteers,
)

__all__ = ["CheckinWorld", "checkin_world", "invite_many"]


@dataclass
class CheckinWorld:
    event: TrainingEvent
    session: Session
    session2: Session
    mine: Invitation  # volunteer_a's own, confirmed
    other: Invitation  # another volunteer of 8601, confirmed
    declined: Invitation
    unsent: Invitation
    event_b: TrainingEvent
    session_b: Session
    invitation_b: Invitation  # volunteer_b's own, at the 8602 event


def checkin_world(personas: dict[str, User]) -> CheckinWorld:
    day = date(2025, 2, 26)
    event = EventFactory(centre=centre("8601"), title="อบรม อพม. เมืองชุมพร", starts_on=day)
    session = SessionFactory(event=event, title="ภาคเช้า")
    session2 = SessionFactory(
        event=event, title="ภาคบ่าย", starts_at=aware(day, 13), ends_at=aware(day, 16)
    )
    own = VolunteerFactory(
        area_id="860101", user=personas["volunteer_a"], first_name="มาลี", last_name="ศรีสุข"
    )
    mine = InvitationFactory(event=event, volunteer=own, status=InvitationStatus.CONFIRMED)
    other = InvitationFactory(
        event=event,
        volunteer=VolunteerFactory(area_id="860102", first_name="สมศรี", last_name="ใจดี"),
        area_id="860102",
        status=InvitationStatus.CONFIRMED,
    )
    declined = InvitationFactory(
        event=event,
        volunteer=VolunteerFactory(area_id="860101", first_name="บุญมา", last_name="มั่นคง"),
        status=InvitationStatus.DECLINED,
    )
    unsent = InvitationFactory(
        event=event,
        volunteer=VolunteerFactory(area_id="860101", first_name="ยังไม่ส่ง"),
        invited_at=None,
    )
    event_b = EventFactory(centre=centre("8602"), title="อบรม อพม. ท่าแซะ", starts_on=day)
    session_b = SessionFactory(event=event_b)
    thasae = VolunteerFactory(area_id="860201", user=personas["volunteer_b"], first_name="สมชาย")
    invitation_b = InvitationFactory(event=event_b, volunteer=thasae)
    made: list[Any] = [  # factories return their models (mypy sees the factory types)
        event,
        session,
        session2,
        mine,
        other,
        declined,
        unsent,
        event_b,
        session_b,
        invitation_b,
    ]
    return CheckinWorld(*made)


def invite_many(event: TrainingEvent, count: int, **fields: Any) -> list[Invitation]:
    """`count` more sent invitations to the event, spread over both subdistricts of 8601."""
    from django.utils import timezone

    volunteers = many_volunteers(count, ["860101", "860102"])
    now = timezone.now()
    return Invitation.objects.bulk_create(
        [
            Invitation(event=event, volunteer=v, area_id=v.area_id, invited_at=now, **fields)
            for v in volunteers
        ]
    )
