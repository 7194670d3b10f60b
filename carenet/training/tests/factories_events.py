"""Factories for the events tests: events, sessions, invitations, attendance, grants, awards,
and many volunteers at once (bulk, without citizen IDs) for the size tests."""

from datetime import date, datetime, time
from typing import Any, cast

import factory
from django.utils import timezone

from carenet.accounts.models import User
from carenet.areas.models import Area
from carenet.core.thaidate import fiscal_year
from carenet.training.models import (
    Attendance,
    Award,
    Certificate,
    CompetencyGrant,
    Invitation,
    Session,
    TrainingEvent,
)
from carenet.volunteers.models import Centre, Volunteer, VolunteerStatus
from carenet.volunteers.tests.factories import CentreFactory, VolunteerFactory

__all__ = ["CentreFactory", "VolunteerFactory"]


def aware(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


class EventFactory(factory.django.DjangoModelFactory[TrainingEvent]):
    class Meta:
        model = TrainingEvent

    title = factory.Sequence(lambda n: f"อบรมพัฒนาศักยภาพ อพม. รุ่นที่ {n + 1}")
    kind = "workshop"
    centre = factory.SubFactory(CentreFactory)
    area = factory.LazyAttribute(lambda o: o.centre.area)
    starts_on = date(2025, 2, 26)
    ends_on = factory.LazyAttribute(lambda o: o.starts_on)
    fiscal_year = factory.LazyAttribute(lambda o: fiscal_year(o.starts_on))
    venue = "โรงแรมชุมพรคาบาน่า"
    criteria = factory.LazyAttribute(lambda o: {"area": o.centre.area_id})
    created_by = factory.LazyFunction(lambda: User.objects.order_by("pk").first())


class SessionFactory(factory.django.DjangoModelFactory[Session]):
    class Meta:
        model = Session

    event = factory.SubFactory(EventFactory)
    title = factory.Sequence(lambda n: f"ช่วงที่ {n + 1}")
    starts_at = factory.LazyAttribute(lambda o: aware(o.event.starts_on, 9))
    ends_at = factory.LazyAttribute(lambda o: aware(o.event.starts_on, 12))


class InvitationFactory(factory.django.DjangoModelFactory[Invitation]):
    class Meta:
        model = Invitation

    event = factory.SubFactory(EventFactory)
    volunteer = factory.SubFactory(VolunteerFactory)
    area = factory.LazyAttribute(lambda o: o.volunteer.area)
    invited_at = factory.LazyFunction(timezone.now)


class AttendanceFactory(factory.django.DjangoModelFactory[Attendance]):
    class Meta:
        model = Attendance

    invitation = factory.SubFactory(InvitationFactory)
    session = factory.SubFactory(SessionFactory)
    checked_in_at = factory.LazyAttribute(lambda o: o.session.starts_at)
    method = "qr"
    checked_in_by = factory.LazyFunction(lambda: User.objects.order_by("pk").first())


class GrantFactory(factory.django.DjangoModelFactory[CompetencyGrant]):
    class Meta:
        model = CompetencyGrant

    volunteer = factory.SubFactory(VolunteerFactory)
    competency_id = "child_protection"
    area = factory.LazyAttribute(lambda o: o.volunteer.area)
    granted_on = date(2025, 2, 26)


class CertificateFactory(factory.django.DjangoModelFactory[Certificate]):
    """A certificate issued to an invitation (of its event, to its volunteer)."""

    class Meta:
        model = Certificate

    invitation = factory.SubFactory(InvitationFactory)
    event = factory.LazyAttribute(lambda o: o.invitation.event)
    volunteer = factory.LazyAttribute(lambda o: o.invitation.volunteer)
    area = factory.LazyAttribute(lambda o: o.invitation.area)
    name_printed = "นางบุญมี รักถิ่น"
    issued_on = date(2025, 3, 1)


class AwardFactory(factory.django.DjangoModelFactory[Award]):
    class Meta:
        model = Award

    volunteer = factory.SubFactory(VolunteerFactory)
    area = factory.LazyAttribute(lambda o: o.volunteer.area)
    fiscal_year = 2568
    reason = "ดูแลผู้สูงอายุในชุมชนอย่างต่อเนื่อง"
    nominated_by = factory.LazyFunction(lambda: User.objects.order_by("pk").first())


def many_volunteers(count: int, area_codes: list[str], **fields: Any) -> list[Volunteer]:
    """`count` active volunteers spread over the areas, in one INSERT (no citizen IDs)."""
    rows = [
        Volunteer(
            title="นาง",
            first_name=f"อาสา{n:04d}",
            last_name="ทดสอบ",
            area_id=area_codes[n % len(area_codes)],
            status=VolunteerStatus.ACTIVE,
            registration_date=date(2020, 1, 1),
            **fields,
        )
        for n in range(count)
    ]
    return Volunteer.objects.bulk_create(rows, batch_size=500)


def centre(code: str) -> Centre:
    return cast(Centre, CentreFactory(area=Area.objects.get(code=code)))
