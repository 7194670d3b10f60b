"""Capacity building in the Chumphon demo: the 26 ก.พ. 2568 workshop, older and recent events,
their attendance, tests, certificates and competencies, and the 2568 awards.

The centrepiece is the province's workshop of 26 February 2025 (ประชุมเชิงปฏิบัติการพัฒนาศักยภาพ
อพม. ... ประจำปี 2568, at a hotel in ต.ท่าตะเภา). Its target group is every active volunteer at
subdistrict level in the province ({"area": "86", "committee": "subdistrict"}): the volunteers
who sit on a subdistrict centre's committee. The registry builds centres for the province and
its districts only, so `ensure_subdistrict_centres` first gives every subdistrict of Chumphon a
centre and a committee of eight active volunteers of that subdistrict (term 1 Oct 2024 – 30 Sep
2027; the `volunteer` login sits on ท่าตะเภา's), which makes 500+ invitations at full size.

Around it, so that the coverage report shows real gaps: an elderly-care course (FY 2566, หลังสวน),
child-protection courses for two districts (FY 2567, เมืองชุมพร and สวี), a disaster-response
meeting for ปะทิว (FY 2567; its competency has expired since), a disability-care course for
ท่าแซะ (FY 2569), and two events of the current fiscal year, placed relative to today (ละแม
nearly all trained, the new volunteers of เมืองชุมพร). A course next month has its invitations
out, the `volunteer` login's not answered yet. The other districts show gaps in every year.

Attendance, scores and ratings are drawn from a fixed seed: about nine in ten of those invited
come to each session, a few declined, some came to one session only; pre-test scores average
about 55 %, post-test about 78 %, most improve. Those meeting the attendance rule get a
Certificate and the event's competencies (CompetencyGrant), as learning.event_complete would
give them. The hotel and the signers are made up, like the people.

Rows are written with bulk_create in one transaction. Nothing is added when the workshop exists.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from carenet.accounts.models import User
from carenet.areas.models import Area, Level, within
from carenet.core.people import full_name
from carenet.core.thaidate import fiscal_year, fiscal_year_bounds
from carenet.demo.chumphon import DEMO_VOLUNTEER_VILLAGE, PROVINCE, demo_volunteer
from carenet.training.criteria import TargetCriteria, target_volunteers
from carenet.training.models import (
    Attendance,
    Award,
    AwardStatus,
    Certificate,
    CheckInMethod,
    Choice,
    Competency,
    CompetencyGrant,
    Evaluation,
    EventKind,
    EventStatus,
    Invitation,
    InvitationStatus,
    Question,
    Quiz,
    QuizAttempt,
    QuizKind,
    Session,
    TrainingEvent,
    new_certificate_code,
)
from carenet.volunteers.models import (
    Centre,
    CommitteeMembership,
    Position,
    Volunteer,
    VolunteerStatus,
)
from carenet.volunteers.services import centre_name

__all__ = ["TrainingCounts", "build_training", "ensure_subdistrict_centres"]

SEED = 2568
BANGKOK = ZoneInfo("Asia/Bangkok")
WORKSHOP_TITLE = "ประชุมเชิงปฏิบัติการพัฒนาศักยภาพ อพม. เพื่อขับเคลื่อนงานตามภารกิจของกระทรวง พม. ประจำปี 2568"
WORKSHOP_DAY = date(2025, 2, 26)
WORKSHOP_VENUE = "ห้องประชุมโรงแรมชุมพรแกรนด์"  # the page and the certificate add ต.ท่าตะเภา
TERM_START, TERM_END = date(2024, 10, 1), date(2027, 9, 30)
COMMITTEE_SIZE = 8
SEAT_POSITIONS = [Position.CHAIR, Position.VICE_CHAIR, Position.SECRETARY] + [Position.MEMBER] * 5
OFFICER_LOGIN, COORDINATOR_LOGIN, VOLUNTEER_LOGIN = "chumphon", "mueang", "volunteer"
PMJ = "สำนักงานพัฒนาสังคมและความมั่นคงของมนุษย์จังหวัดชุมพร"
SIGNER_NAME = "นางสาวอรวรรณ ศักดิ์ชุมพร"  # made up
SIGNER_POSITION = "พัฒนาสังคมและความมั่นคงของมนุษย์จังหวัดชุมพร"


@dataclass(frozen=True)
class TrainingCounts:
    centres: int = 0  # subdistrict centres
    seats: int = 0  # their committee seats
    events: int = 0
    invitations: int = 0
    attendance: int = 0
    attempts: int = 0
    evaluations: int = 0
    certificates: int = 0
    grants: int = 0
    awards: int = 0


# --- subdistrict centres ---------------------------------------------------------------------


def ensure_subdistrict_centres(rng: random.Random) -> None:
    """Every subdistrict of Chumphon gets a centre (when it has none) and, when its centre has
    no seats yet, a committee of up to eight active volunteers of the subdistrict who were
    registered by the term's start. The `volunteer` login sits on ท่าตะเภา's as secretary."""
    subdistricts = list(
        Area.objects.filter(within(PROVINCE), level=Level.SUBDISTRICT).order_by("code")
    )
    have = set(Centre.objects.filter(area__in=subdistricts).values_list("area_id", flat=True))
    Centre.objects.bulk_create(
        [Centre(area=a, name=centre_name(a)) for a in subdistricts if a.code not in have]
    )
    seated = set(
        CommitteeMembership.objects.filter(centre__area__in=subdistricts).values_list(
            "centre_id", flat=True
        )
    )
    centres = [
        c
        for c in Centre.objects.filter(area__in=subdistricts).order_by("area_id")
        if c.pk not in seated
    ]
    if not centres:
        return
    pool: dict[str, list[int]] = {}
    for pk, area in (
        Volunteer.objects.filter(within(PROVINCE, "area"), status=VolunteerStatus.ACTIVE)
        .filter(Q(registration_date__isnull=True) | Q(registration_date__lte=TERM_START))
        .order_by("pk")
        .values_list("pk", "area_id")
    ):
        pool.setdefault(area, []).append(pk)
    ours = _our_volunteer()
    seats = []
    for centre in centres:
        candidates = pool.get(centre.area_id, [])
        chosen = rng.sample(candidates, k=min(len(candidates), COMMITTEE_SIZE))
        if ours is not None and ours.area_id == centre.area_id and ours.pk in candidates:
            chosen = [pk for pk in chosen if pk != ours.pk]
            chosen.insert(2, ours.pk)  # the secretary
            chosen = chosen[:COMMITTEE_SIZE]
        seats += [
            CommitteeMembership(
                centre=centre,
                volunteer_id=pk,
                position=position,
                term_start=TERM_START,
                term_end=TERM_END,
            )
            for pk, position in zip(chosen, SEAT_POSITIONS, strict=False)
        ]
    CommitteeMembership.objects.bulk_create(seats, batch_size=1000)


def _our_volunteer() -> Volunteer | None:
    """The `volunteer` login's record (or the one it will be linked to)."""
    return Volunteer.objects.filter(user__username=VOLUNTEER_LOGIN).first() or demo_volunteer()


# --- what an event looks like ----------------------------------------------------------------


@dataclass(frozen=True)
class SessionPlan:
    day: date
    starts: time
    ends: time
    title: str
    agenda: str
    speakers: str


@dataclass(frozen=True)
class Turnout:
    """How the invitees answered and came: shares of confirmed and declined (the rest never
    answered), the chance that one who confirmed (or did not answer) came at all, and the chance
    that one who came was at a given session."""

    confirmed: float = 0.93
    declined: float = 0.035
    came_if_confirmed: float = 0.96
    came_if_silent: float = 0.5
    per_session: float = 0.96


@dataclass
class EventPlan:
    key: str
    title: str
    kind: str
    centre_area: str
    organiser: str  # the login that entered it and checked people in
    criteria: dict[str, Any]
    sessions: list[SessionPlan]
    competencies: list[str]
    budget: int
    venue: str
    venue_area: str | None
    description: str
    status: str = EventStatus.DONE
    turnout: Turnout = field(default_factory=Turnout)
    tests: bool = False  # pre- and post-test, evaluation form

    @property
    def starts_on(self) -> date:
        return min(s.day for s in self.sessions)

    @property
    def ends_on(self) -> date:
        return max(s.day for s in self.sessions)


MORNING, AFTERNOON = (time(9, 0), time(12, 0)), (time(13, 0), time(16, 30))


def _day(
    day: date, title: str, agenda: tuple[str, str], speakers: tuple[str, str]
) -> list[SessionPlan]:
    """A day of two sessions, morning and afternoon."""
    return [
        SessionPlan(day, *MORNING, f"{title} (ภาคเช้า)", agenda[0], speakers[0]),
        SessionPlan(day, *AFTERNOON, f"{title} (ภาคบ่าย)", agenda[1], speakers[1]),
    ]


WORKSHOP_AGENDA = (
    "08.00 – 08.45 น. ลงทะเบียน รับเอกสาร และทำแบบทดสอบก่อนการอบรม\n"
    "09.00 – 09.30 น. พิธีเปิดและชี้แจงวัตถุประสงค์ของการประชุม\n"
    "09.30 – 10.30 น. บรรยาย ภารกิจของกระทรวง พม. ปี 2568 และบทบาทของ อพม. ในการขับเคลื่อนงาน\n"
    "10.45 – 12.00 น. การค้นหาและดูแลกลุ่มเปราะบางในชุมชน: เด็ก ผู้สูงอายุ คนพิการ และผู้ด้อยโอกาส",
    "13.00 – 14.30 น. ฝึกปฏิบัติ การเยี่ยมบ้าน การประเมินคุณภาพชีวิต 5 มิติ และการจัดการรายกรณี\n"
    "14.45 – 15.45 น. การคุ้มครองข้อมูลส่วนบุคคลในงานอาสาสมัคร และการส่งต่อหน่วยงาน\n"
    "15.45 – 16.30 น. ทำแบบทดสอบหลังการอบรม ประเมินผล และพิธีปิด",
)
WORKSHOP_SPEAKERS = (
    f"พัฒนาสังคมและความมั่นคงของมนุษย์จังหวัดชุมพร; นักพัฒนาสังคมชำนาญการ {PMJ}",
    f"นักพัฒนาสังคมปฏิบัติการ {PMJ}; นักสังคมสงเคราะห์ บ้านพักเด็กและครอบครัวจังหวัดชุมพร",
)


def event_plans(today: date) -> list[EventPlan]:
    """The demo's events: fixed dates for the past, dates relative to today for the current
    fiscal year and the course to come."""
    first, _last = fiscal_year_bounds(fiscal_year(today))
    recent = max(today - timedelta(days=24), first + timedelta(days=2))
    if recent >= today:  # the fiscal year began days ago: the recent events fall before it
        recent = today - timedelta(days=24)
    later = recent + timedelta(days=7) if recent + timedelta(days=7) < today else recent
    upcoming = today + timedelta(days=30)
    while upcoming.weekday() not in (1, 2, 3):  # a Tuesday to Thursday
        upcoming += timedelta(days=1)
    staff = f"นักพัฒนาสังคมชำนาญการ {PMJ}"
    return [
        EventPlan(
            key="elderly_2566",
            title="อบรมหลักสูตรการดูแลผู้สูงอายุสำหรับ อพม. อำเภอหลังสวน ประจำปี 2566",
            kind=EventKind.COURSE,
            centre_area="8604",
            organiser=OFFICER_LOGIN,
            criteria={"area": "8604", "min_years": 15},
            sessions=[
                *_day(
                    date(2023, 3, 8),
                    "การดูแลผู้สูงอายุ วันที่ 1",
                    (
                        "สถานการณ์ผู้สูงอายุในจังหวัดชุมพร และสิทธิสวัสดิการผู้สูงอายุ",
                        "การประเมินภาวะพึ่งพิงและการดูแลผู้สูงอายุติดเตียง",
                    ),
                    (staff, "พยาบาลวิชาชีพ โรงพยาบาลหลังสวน"),
                ),
                *_day(
                    date(2023, 3, 9),
                    "การดูแลผู้สูงอายุ วันที่ 2",
                    (
                        "ฝึกปฏิบัติ การเยี่ยมบ้านผู้สูงอายุที่อยู่ลำพัง",
                        "การส่งต่อและประสานหน่วยงานในพื้นที่ สรุปบทเรียน",
                    ),
                    (staff, staff),
                ),
            ],
            competencies=["elderly_care"],
            budget=98_000,
            venue="หอประชุมอำเภอหลังสวน",
            venue_area="860401",
            description="เพิ่มทักษะการดูแลผู้สูงอายุให้ อพม. ที่ปฏิบัติงานมาไม่น้อยกว่า 15 ปี",
        ),
        *[
            EventPlan(
                key=f"child_2567_{district}",
                title=f"อบรมหลักสูตรการคุ้มครองเด็กสำหรับ อพม. อำเภอ{name} ประจำปี 2567",
                kind=EventKind.COURSE,
                centre_area=district,
                organiser=COORDINATOR_LOGIN if district == "8601" else OFFICER_LOGIN,
                criteria={"area": district, "max_years": 5},
                sessions=_day(
                    day,
                    "การคุ้มครองเด็ก",
                    (
                        "พระราชบัญญัติคุ้มครองเด็ก พ.ศ. 2546 และการเฝ้าระวังเด็กในชุมชน",
                        "กรณีศึกษา การแจ้งเหตุ การช่วยเหลือ และการส่งต่อเด็กที่ถูกกระทำ",
                    ),
                    (staff, "นักสังคมสงเคราะห์ บ้านพักเด็กและครอบครัวจังหวัดชุมพร"),
                ),
                competencies=["child_protection"],
                budget=budget,
                venue=f"หอประชุมอำเภอ{name}",
                venue_area=None,
                description="ให้ อพม. ที่ปฏิบัติงานไม่ถึง 5 ปี รู้จักการเฝ้าระวังและคุ้มครองเด็ก",
            )
            for district, name, day, budget in (
                ("8601", "เมืองชุมพร", date(2024, 1, 17), 72_000),
                ("8607", "สวี", date(2024, 2, 7), 54_000),
            )
        ],
        EventPlan(
            key="disaster_2567",
            title="ประชุมเตรียมความพร้อมรับมือสาธารณภัยสำหรับ อพม. อำเภอปะทิว ประจำปี 2567",
            kind=EventKind.MEETING,
            centre_area="86",
            organiser=OFFICER_LOGIN,
            criteria={"area": "8603", "min_years": 12},
            sessions=[
                SessionPlan(
                    date(2024, 9, 12),
                    time(9, 0),
                    time(15, 30),
                    "การเตรียมความพร้อมรับมืออุทกภัยและวาตภัย",
                    "แผนเผชิญเหตุของตำบล การสำรวจครัวเรือนเปราะบางก่อนเกิดภัย "
                    "การแจ้งเตือน และการช่วยเหลือหลังเกิดภัย",
                    f"{staff}; เจ้าหน้าที่ป้องกันและบรรเทาสาธารณภัยจังหวัดชุมพร",
                )
            ],
            competencies=["disaster_response"],
            budget=45_000,
            venue="ห้องประชุมที่ว่าการอำเภอปะทิว",
            venue_area=None,
            description="เตรียม อพม. ในพื้นที่ชายฝั่งให้พร้อมช่วยเหลือครัวเรือนเปราะบางก่อนฤดูมรสุม",
        ),
        EventPlan(
            key="workshop_2568",
            title=WORKSHOP_TITLE,
            kind=EventKind.WORKSHOP,
            centre_area=PROVINCE,
            organiser=OFFICER_LOGIN,
            criteria={"area": PROVINCE, "committee": "subdistrict"},
            sessions=_day(WORKSHOP_DAY, "พัฒนาศักยภาพ อพม.", WORKSHOP_AGENDA, WORKSHOP_SPEAKERS),
            competencies=["case_management", "home_visit", "pdpa"],
            budget=250_000,
            venue=WORKSHOP_VENUE,
            venue_area=DEMO_VOLUNTEER_VILLAGE[:6],
            description=(
                "เพื่อพัฒนาศักยภาพ อพม. ระดับตำบลทั่วทั้งจังหวัดให้ขับเคลื่อนงานตามภารกิจของ"
                "กระทรวง พม. ได้แก่ การค้นหาและดูแลกลุ่มเปราะบาง การเยี่ยมบ้าน การจัดการรายกรณี "
                "และการคุ้มครองข้อมูลส่วนบุคคล"
            ),
            tests=True,
        ),
        EventPlan(
            key="disability_2569",
            title="อบรมหลักสูตรการดูแลคนพิการสำหรับ อพม. อำเภอท่าแซะ ประจำปี 2569",
            kind=EventKind.COURSE,
            centre_area="8602",
            organiser=OFFICER_LOGIN,
            criteria={"area": "8602", "min_years": 8, "max_years": 14},
            sessions=_day(
                date(2026, 3, 18),
                "การดูแลคนพิการ",
                (
                    "สิทธิและสวัสดิการคนพิการ บัตรประจำตัวคนพิการ และเบี้ยความพิการ",
                    "การช่วยเหลือคนพิการในชีวิตประจำวันและการปรับสภาพที่อยู่อาศัย",
                ),
                (staff, "เจ้าหน้าที่ศูนย์บริการคนพิการจังหวัดชุมพร"),
            ),
            competencies=["disability_care"],
            budget=64_000,
            venue="หอประชุมอำเภอท่าแซะ",
            venue_area="860201",
            description="ให้ อพม. ที่ปฏิบัติงาน 8–14 ปี ดูแลและช่วยคนพิการเข้าถึงสิทธิได้",
        ),
        EventPlan(
            key="home_visit_current",
            title="อบรมการเยี่ยมบ้านและการประเมินคุณภาพชีวิตครัวเรือนเปราะบาง อำเภอละแม",
            kind=EventKind.COURSE,
            centre_area="8605",
            organiser=OFFICER_LOGIN,
            criteria={"area": "8605"},
            sessions=_day(
                recent,
                "การเยี่ยมบ้านและการประเมินคุณภาพชีวิต",
                (
                    "การเยี่ยมบ้านและการบันทึกสภาพปัญหา ความเสี่ยง และความต้องการ",
                    "ฝึกปฏิบัติการประเมินคุณภาพชีวิต 5 มิติ",
                ),
                (staff, staff),
            ),
            competencies=["home_visit"],
            budget=60_000,
            venue="หอประชุมอำเภอละแม",
            venue_area="860501",
            description="อบรม อพม. ทุกคนของอำเภอละแมให้เยี่ยมบ้านและประเมินคุณภาพชีวิตได้",
            turnout=Turnout(confirmed=0.95, declined=0.02, per_session=0.97),
        ),
        EventPlan(
            key="newcomers_current",
            title="ประชุมชี้แจงแนวทางการปฏิบัติงานสำหรับ อพม. ใหม่ อำเภอเมืองชุมพร",
            kind=EventKind.MEETING,
            centre_area="8601",
            organiser=COORDINATOR_LOGIN,
            criteria={"area": "8601", "max_years": 5},
            sessions=[
                SessionPlan(
                    later,
                    time(9, 0),
                    time(12, 0),
                    "แนวทางการปฏิบัติงานของ อพม. และการบันทึกการเยี่ยมบ้าน",
                    "บทบาทหน้าที่ของ อพม. การบันทึกการเยี่ยมบ้านทางโทรศัพท์ และการแจ้งเรื่อง",
                    "ผู้ประสานงานศูนย์ประสานงาน อพม. อำเภอเมืองชุมพร",
                )
            ],
            competencies=[],
            budget=15_000,
            venue="ห้องประชุมศูนย์ประสานงาน อพม. อำเภอเมืองชุมพร",
            venue_area=None,
            description="ชี้แจงแนวทางการทำงานให้ อพม. ที่ปฏิบัติงานไม่ถึง 5 ปี",
            turnout=Turnout(confirmed=0.85, declined=0.06, per_session=1.0),
        ),
        EventPlan(
            key="child_upcoming",
            title="อบรมหลักสูตรการคุ้มครองเด็กและการช่วยเหลือผู้ถูกกระทำความรุนแรงในครอบครัว "
            "สำหรับ อพม. ระดับตำบล อำเภอเมืองชุมพร",
            kind=EventKind.COURSE,
            centre_area="8601",
            organiser=COORDINATOR_LOGIN,
            criteria={"area": "8601", "committee": "subdistrict"},
            sessions=_day(
                upcoming,
                "การคุ้มครองเด็กและครอบครัว",
                (
                    "การเฝ้าระวังและคุ้มครองเด็กในชุมชน",
                    "การช่วยเหลือผู้ถูกกระทำความรุนแรงในครอบครัวและการส่งต่อ",
                ),
                (staff, "นักสังคมสงเคราะห์ บ้านพักเด็กและครอบครัวจังหวัดชุมพร"),
            ),
            competencies=["child_protection", "violence_response"],
            budget=85_000,
            venue=WORKSHOP_VENUE,
            venue_area=DEMO_VOLUNTEER_VILLAGE[:6],
            description="ให้ อพม. ระดับตำบลของอำเภอเมืองชุมพรดูแลเด็กและครอบครัวที่เสี่ยงได้",
            status=EventStatus.INVITED,
            turnout=Turnout(confirmed=0.3, declined=0.05),
        ),
    ]


# --- the tests -------------------------------------------------------------------------------

# (question, right answer, wrong answers): one point for the right one.
QUESTIONS: list[tuple[str, str, tuple[str, str, str]]] = [
    (
        "อพม. ย่อมาจากข้อใด",
        "อาสาสมัครพัฒนาสังคมและความมั่นคงของมนุษย์",
        ("อาสาสมัครสาธารณสุขประจำหมู่บ้าน", "อาสาสมัครป้องกันภัยฝ่ายพลเรือน", "อาสาพัฒนาชุมชน"),
    ),
    (
        "กลุ่มเป้าหมายหลักที่ อพม. ค้นหาและดูแลในชุมชนคือข้อใด",
        "กลุ่มเปราะบาง เช่น เด็ก ผู้สูงอายุ คนพิการ และผู้ด้อยโอกาส",
        ("ผู้ประกอบการรายใหญ่ในตำบล", "นักท่องเที่ยว", "ข้าราชการที่เกษียณแล้วเท่านั้น"),
    ),
    (
        "เมื่อพบเด็กถูกทำร้ายร่างกายในครอบครัว อพม. ควรทำอย่างไรเป็นอันดับแรก",
        "แจ้งศูนย์ช่วยเหลือสังคม สายด่วน 1300 หรือเจ้าหน้าที่ พมจ. ทันที",
        (
            "รอให้เด็กมาขอความช่วยเหลือเอง",
            "ไกล่เกลี่ยให้ครอบครัวยอมความกันเอง",
            "ถ่ายภาพเด็กโพสต์ลงสื่อสังคมออนไลน์เพื่อขอความช่วยเหลือ",
        ),
    ),
    (
        "สายด่วนศูนย์ช่วยเหลือสังคม กระทรวง พม. คือหมายเลขใด",
        "1300",
        ("1669", "191", "1111"),
    ),
    (
        "ในการเยี่ยมบ้านครัวเรือนเปราะบาง ข้อมูลใดควรบันทึกทุกครั้ง",
        "สภาพปัญหา ความเสี่ยง ความต้องการ และวันนัดเยี่ยมครั้งต่อไป",
        (
            "เฉพาะชื่อหัวหน้าครัวเรือน",
            "เฉพาะรายได้ของครัวเรือน",
            "ไม่ต้องบันทึก ถ้าครัวเรือนไม่มีปัญหาเร่งด่วน",
        ),
    ),
    (
        "การประเมินคุณภาพชีวิตครัวเรือน 5 มิติ ประกอบด้วยข้อใด",
        "สุขภาพ ความเป็นอยู่ การศึกษา รายได้ และการเข้าถึงบริการของรัฐ",
        (
            "สุขภาพ ศาสนา การเมือง กีฬา และการท่องเที่ยว",
            "รายได้ หนี้สิน ที่ดิน รถยนต์ และเครื่องใช้ไฟฟ้า",
            "การศึกษา อาชีพ ภาษา ดนตรี และศิลปะ",
        ),
    ),
    (
        "ขั้นตอนแรกของการจัดการรายกรณีคือข้อใด",
        "การคัดกรองและประเมินปัญหาและความต้องการของผู้รับบริการ",
        (
            "การปิดกรณี",
            "การส่งต่อหน่วยงานทันทีโดยไม่ต้องประเมิน",
            "การจ่ายเงินช่วยเหลือทันที",
        ),
    ),
    (
        "ข้อใดปฏิบัติถูกต้องตามพระราชบัญญัติคุ้มครองข้อมูลส่วนบุคคล",
        "ใช้ข้อมูลของผู้รับบริการเพื่อการช่วยเหลือตามวัตถุประสงค์ที่แจ้งไว้เท่านั้น",
        (
            "ส่งสำเนาบัตรประชาชนของผู้รับบริการในกลุ่มไลน์หมู่บ้าน",
            "ถ่ายภาพผู้ป่วยติดเตียงโพสต์ขอรับบริจาคโดยไม่ขออนุญาต",
            "วางแบบบันทึกการเยี่ยมบ้านไว้ในที่ที่ใครก็เปิดดูได้",
        ),
    ),
    (
        "ข้อมูลใดเป็นข้อมูลส่วนบุคคลที่อ่อนไหว ต้องระมัดระวังเป็นพิเศษ",
        "ข้อมูลสุขภาพและความพิการ",
        ("ชื่อหมู่บ้าน", "ราคาพืชผลทางการเกษตร", "ตารางเดินรถประจำทาง"),
    ),
    (
        "เมื่อครัวเรือนต้องการความช่วยเหลือเกินกว่าที่ อพม. ทำได้ ควรทำอย่างไร",
        "ส่งต่อหน่วยงานที่เกี่ยวข้องผ่านศูนย์ประสานงาน อพม. และติดตามผล",
        (
            "บอกให้ครัวเรือนไปติดต่อหน่วยงานเอง",
            "หยุดเยี่ยมครัวเรือนนั้น",
            "ใช้เงินส่วนตัวช่วยเหลือทุกกรณี",
        ),
    ),
]
# How much easier (+) or harder (−) than the person's level each question is.
EASE = [0.25, 0.15, 0.05, 0.1, 0.0, -0.1, -0.15, -0.05, 0.0, -0.05]
COMMENTS = [
    "ได้ความรู้เรื่องการคุ้มครองข้อมูลส่วนบุคคลมาก นำไปใช้ตอนเยี่ยมบ้านได้เลย",
    "อยากให้จัดอบรมแบบนี้ปีละสองครั้ง",
    "วิทยากรอธิบายเข้าใจง่าย ยกตัวอย่างกรณีจริงในพื้นที่",
    "ช่วงบ่ายเวลาฝึกปฏิบัติน้อยไป อยากให้เพิ่มเวลา",
    "ห้องประชุมเย็นเกินไปเล็กน้อย",
    "อยากได้เอกสารประกอบการบรรยายเป็นไฟล์ในโทรศัพท์",
    "ขอบคุณ พมจ.ชุมพร ที่จัดอบรมให้ อพม. ระดับตำบล",
    "อยากให้มีการอบรมเรื่องการช่วยเหลือผู้ประสบภัยด้วย",
    "ได้พบเพื่อน อพม. ต่างอำเภอ แลกเปลี่ยนประสบการณ์กัน",
    "การเดินทางไกลสำหรับ อพม. อำเภอรอบนอก อยากให้มีค่าเดินทางเพิ่ม",
    "เข้าใจขั้นตอนการจัดการรายกรณีมากขึ้น จะนำไปใช้กับครอบครัวที่ดูแลอยู่",
    "อยากให้มีตัวอย่างแบบบันทึกการเยี่ยมบ้านที่กรอกแล้วให้ดู",
    "ได้รู้ว่าข้อมูลสุขภาพเป็นข้อมูลอ่อนไหว ต่อไปจะไม่ส่งในกลุ่มไลน์",
    "เวลาพักน้อย ช่วงเช้าเนื้อหาแน่นมาก",
    "อยากให้จัดที่อำเภอบ้าง จะได้ไม่ต้องเดินทางไกล",
    "วิทยากรจาก พมจ. ตอบคำถามได้ชัดเจน",
    "ควรแจกคู่มือ อพม. ฉบับใหม่ให้ทุกคน",
    "อาหารกลางวันดี สถานที่สะดวก",
    "อยากเรียนเรื่องการช่วยเหลือคนพิการให้ได้รับสิทธิเพิ่มเติม",
    "ขอให้มีการอบรมต่อเนื่องสำหรับ อพม. ใหม่ในตำบล",
]


# --- building --------------------------------------------------------------------------------


def _at(day: date, clock: time, minutes: float = 0) -> datetime:
    return datetime.combine(day, clock, tzinfo=BANGKOK) + timedelta(minutes=minutes)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _unique_codes(count: int, taken: set[str]) -> list[str]:
    codes: set[str] = set()
    while len(codes) < count:
        wanted = {new_certificate_code() for _n in range(count - len(codes))} - taken
        wanted -= set(Certificate.objects.filter(code__in=wanted).values_list("code", flat=True))
        codes |= wanted
    taken |= codes
    return sorted(codes)


@dataclass
class Builder:
    rng: random.Random
    now: datetime
    users: dict[str, User]
    ours: Volunteer | None
    competencies: dict[str, Competency]
    codes_taken: set[str] = field(default_factory=set)
    comments: list[str] = field(default_factory=list)

    def invitees(self, plan: EventPlan) -> list[tuple[int, str, str]]:
        """(volunteer id, area, printed name) of those the criteria produce, registered by the
        event's day (a course in 2023 did not invite people who joined in 2025)."""
        found = target_volunteers(TargetCriteria.from_json(plan.criteria), plan.starts_on)
        found = found.filter(
            Q(registration_date__isnull=True) | Q(registration_date__lte=plan.starts_on)
        )
        return [
            (pk, area, full_name(title, first, last))
            for pk, area, title, first, last in found.order_by("pk").values_list(
                "pk", "area_id", "title", "first_name", "last_name"
            )
        ]

    def event(self, plan: EventPlan) -> None:
        rng, turnout = self.rng, plan.turnout
        organiser = self.users[plan.organiser]
        event = TrainingEvent.objects.create(
            title=plan.title,
            kind=plan.kind,
            centre=Centre.objects.get(area_id=plan.centre_area),
            area_id=plan.centre_area,
            fiscal_year=fiscal_year(plan.starts_on),
            budget=Decimal(plan.budget),
            venue=plan.venue,
            venue_area_id=plan.venue_area,
            starts_on=plan.starts_on,
            ends_on=plan.ends_on,
            description=plan.description,
            criteria=TargetCriteria.from_json(plan.criteria).to_json(),
            attendance_rule=80,
            status=plan.status,
            signer_name=SIGNER_NAME,
            signer_position=SIGNER_POSITION,
            created_by=organiser,
        )
        event.competencies.set([self.competencies[c] for c in plan.competencies])
        sessions = Session.objects.bulk_create(
            [
                Session(
                    event=event,
                    title=s.title,
                    starts_at=_at(s.day, s.starts),
                    ends_at=_at(s.day, s.ends),
                    agenda=s.agenda,
                    speakers=s.speakers,
                )
                for s in plan.sessions
            ]
        )
        held = plan.status == EventStatus.DONE
        sent = _at(plan.starts_on, time(10, 0)) - timedelta(days=21 if held else 3)
        invitations: list[Invitation] = []
        names: dict[int, str] = {}
        present: dict[int, list[int]] = {}  # volunteer → indexes of the sessions attended
        ours = self.ours.pk if self.ours is not None else None
        for volunteer, area, name in self.invitees(plan):
            roll = rng.random()
            if volunteer == ours:
                status = InvitationStatus.CONFIRMED if held else InvitationStatus.INVITED
            elif roll < turnout.confirmed:
                status = InvitationStatus.CONFIRMED
            elif roll < turnout.confirmed + turnout.declined:
                status = InvitationStatus.DECLINED
            else:
                status = InvitationStatus.INVITED
            responded = None
            if status != InvitationStatus.INVITED:
                responded = sent + timedelta(
                    minutes=rng.randrange(20, 60 * 24 * (10 if held else 2))
                )
                responded = min(responded, self.now - timedelta(minutes=5))
            invitations.append(
                Invitation(
                    event=event,
                    volunteer_id=volunteer,
                    area_id=area,
                    status=status,
                    invited_at=sent,
                    responded_at=responded,
                )
            )
            names[volunteer] = name
            if not held:
                continue
            came = {
                InvitationStatus.CONFIRMED: turnout.came_if_confirmed,
                InvitationStatus.INVITED: turnout.came_if_silent,
                InvitationStatus.DECLINED: 0.02,
            }[status]
            if volunteer == ours:
                present[volunteer] = list(range(len(sessions)))
            elif rng.random() < came:
                attended = [n for n in range(len(sessions)) if rng.random() < turnout.per_session]
                present[volunteer] = attended or [rng.randrange(len(sessions))]
        invitations = Invitation.objects.bulk_create(invitations, batch_size=500)
        if not held:
            return
        by_volunteer = {i.volunteer_id: i for i in invitations}
        attendance = []
        for volunteer, indexes in present.items():
            invitation = by_volunteer[volunteer]
            for n in indexes:
                session = sessions[n]
                # Most come before the start, a few late; morning arrivals spread wider.
                early = 75 if session.starts_at.astimezone(BANGKOK).hour < 12 else 25
                attendance.append(
                    Attendance(
                        session=session,
                        invitation=invitation,
                        checked_in_at=session.starts_at
                        + timedelta(minutes=rng.uniform(-early, 20)),
                        method=CheckInMethod.QR if rng.random() < 0.82 else CheckInMethod.LIST,
                        checked_in_by=organiser,
                    )
                )
        Attendance.objects.bulk_create(attendance, batch_size=1000)
        passing = [
            by_volunteer[v]
            for v, indexes in present.items()
            if len(indexes) * 100 >= event.attendance_rule * len(sessions)
        ]
        passing.sort(key=lambda i: i.pk)
        codes = _unique_codes(len(passing), self.codes_taken)
        self.rng.shuffle(codes)
        Certificate.objects.bulk_create(
            [
                Certificate(
                    event=event,
                    invitation=invitation,
                    volunteer_id=invitation.volunteer_id,
                    area_id=invitation.area_id,
                    code=code,
                    name_printed=names[invitation.volunteer_id],
                    issued_on=plan.ends_on,
                )
                for invitation, code in zip(passing, codes, strict=True)
            ],
            batch_size=500,
        )
        CompetencyGrant.objects.bulk_create(
            [
                CompetencyGrant(
                    volunteer_id=invitation.volunteer_id,
                    competency=competency,
                    area_id=invitation.area_id,
                    granted_on=plan.ends_on,
                    expires_on=_add_years(plan.ends_on, competency.valid_years)
                    if competency.valid_years
                    else None,
                    event=event,
                    granted_by=organiser,
                )
                for invitation in passing
                for competency in (self.competencies[c] for c in plan.competencies)
            ],
            batch_size=1000,
        )
        if plan.tests:
            self.tests(event, sessions, by_volunteer, present)

    def tests(
        self,
        event: TrainingEvent,
        sessions: list[Session],
        by_volunteer: dict[int, Invitation],
        present: dict[int, list[int]],
    ) -> None:
        """The same ten questions before (morning) and after (afternoon); the evaluation form
        at the end of the day."""
        rng = self.rng
        quizzes = Quiz.objects.bulk_create(
            [Quiz(event=event, kind=QuizKind.PRE), Quiz(event=event, kind=QuizKind.POST)]
        )
        questions = Question.objects.bulk_create(
            [
                Question(quiz=quiz, text=text, order=n)
                for quiz in quizzes
                for n, (text, _right, _wrong) in enumerate(QUESTIONS, start=1)
            ]
        )
        rows: list[Choice] = []
        for question in questions:
            _text, right, wrong = QUESTIONS[question.order - 1]
            options = [(right, 1), *((w, 0) for w in wrong)]
            rng.shuffle(options)
            rows += [
                Choice(question=question, text=text, score=score, order=n)
                for n, (text, score) in enumerate(options, start=1)
            ]
        choices = Choice.objects.bulk_create(rows)
        # question → (right choice id, wrong choice ids)
        key: dict[int, tuple[int, list[int]]] = {}
        for question in questions:
            mine = [c for c in choices if c.question_id == question.pk]
            key[question.pk] = (
                next(c.pk for c in mine if c.score),
                [c.pk for c in mine if not c.score],
            )
        by_quiz = {q.pk: [x for x in questions if x.quiz_id == q.pk] for q in quizzes}
        pre, post = quizzes
        morning, afternoon = sessions[0], sessions[-1]
        ours = self.ours.pk if self.ours is not None else None
        attempts: list[QuizAttempt] = []
        evaluations: list[Evaluation] = []

        def attempt(
            quiz: Quiz,
            invitation: Invitation,
            level: float,
            at: datetime,
            correct: Callable[[int], bool],
        ) -> None:
            answers: dict[str, int] = {}
            score = 0
            for n, question in enumerate(by_quiz[quiz.pk]):
                right, wrong = key[question.pk]
                if (
                    correct(n)
                    if invitation.volunteer_id == ours
                    else rng.random() < level + EASE[n]
                ):
                    answers[str(question.pk)] = right
                    score += 1
                else:
                    answers[str(question.pk)] = rng.choice(wrong)
            attempts.append(
                QuizAttempt(
                    quiz=quiz,
                    invitation=invitation,
                    answers=answers,
                    score=score,
                    max_score=len(by_quiz[quiz.pk]),
                    submitted_at=at,
                )
            )

        for volunteer in sorted(present):
            indexes = present[volunteer]
            invitation = by_volunteer[volunteer]
            before = min(max(rng.gauss(0.55, 0.15), 0.1), 0.95)
            gain = rng.gauss(0.24, 0.12)
            after = min(max(before + gain, 0.1), 0.98)
            if 0 in indexes and (volunteer == ours or rng.random() < 0.97):
                at = morning.starts_at - timedelta(minutes=rng.uniform(5, 40))
                attempt(pre, invitation, before, at, lambda n: n < 6)
            if len(sessions) - 1 in indexes and (volunteer == ours or rng.random() < 0.96):
                at = afternoon.ends_at - timedelta(minutes=rng.uniform(0, 35))
                attempt(post, invitation, after, at, lambda n: n != 5)
                if volunteer == ours or rng.random() < 0.85:
                    evaluations.append(self.evaluation(event, invitation, at, volunteer == ours))
        QuizAttempt.objects.bulk_create(attempts, batch_size=500)
        Evaluation.objects.bulk_create(evaluations, batch_size=500)

    def evaluation(
        self, event: TrainingEvent, invitation: Invitation, at: datetime, ours: bool
    ) -> Evaluation:
        rng = self.rng
        mood = rng.choices((3, 4, 5), weights=(15, 45, 40))[0]
        ratings = {
            topic: 5 if ours else min(5, max(3, mood + rng.choice((-1, 0, 0, 0, 1))))
            for topic in ("content", "speakers", "venue", "usefulness", "overall")
        }
        comment = ""
        if ours:
            comment = "ได้ความรู้เรื่องการจัดการรายกรณีและการเยี่ยมบ้าน นำไปใช้ในตำบลได้จริง"
        elif rng.random() < 0.06:
            # Each comment once before any comes again, as people rarely write the same.
            if not self.comments:
                self.comments = rng.sample(COMMENTS, len(COMMENTS))
            comment = self.comments.pop()
        return Evaluation(
            event=event,
            invitation=invitation,
            ratings=ratings,
            comment=comment,
            submitted_at=at + timedelta(minutes=rng.uniform(2, 15)),
        )


AWARD_REASONS = [
    "เยี่ยมบ้านผู้สูงอายุที่อยู่ลำพังและผู้ป่วยติดเตียงสม่ำเสมอทุกเดือน ประสานความช่วยเหลือได้รวดเร็ว",
    "เป็นแกนนำ อพม. ในการช่วยเหลือผู้ประสบอุทกภัยของตำบล สำรวจครัวเรือนเปราะบางก่อนเกิดภัย",
    "ค้นหาและส่งต่อเด็กที่ถูกกระทำความรุนแรงให้ได้รับการคุ้มครองอย่างทันท่วงที",
    "บันทึกข้อมูลครัวเรือนเปราะบางครบถ้วน เป็นพี่เลี้ยงให้ อพม. ใหม่ในตำบล",
    "ประสานหน่วยงานท้องถิ่นซ่อมแซมบ้านผู้ยากไร้และคนพิการได้หลายหลัง",
    "อุทิศตนทำงานอาสาสมัครต่อเนื่องกว่า 10 ปี เป็นที่ยอมรับของชุมชน",
    "จัดกิจกรรมส่งเสริมอาชีพให้ครอบครัวเปราะบางในหมู่บ้าน",
    "ช่วยเหลือคนพิการให้ได้รับบัตรประจำตัวคนพิการและเบี้ยความพิการ",
]
AWARD_STATUSES = [
    AwardStatus.AWARDED,
    AwardStatus.AWARDED,
    AwardStatus.AWARDED,
    AwardStatus.SHORTLISTED,
    AwardStatus.SHORTLISTED,
    AwardStatus.NOMINATED,
    AwardStatus.NOMINATED,
    AwardStatus.NOT_SELECTED,
]


def make_awards(rng: random.Random, users: dict[str, User], ours: Volunteer | None) -> None:
    """The 2568 อพม. ดีเด่น: the `volunteer` login among the awarded, the others from the
    districts' experienced volunteers, at each stage."""
    chosen: list[tuple[int, str]] = []
    if ours is not None and ours.status == VolunteerStatus.ACTIVE:
        chosen.append((ours.pk, ours.area_id))
    for district in ("8602", "8603", "8604", "8605", "8606", "8607", "8608"):
        pool = list(
            Volunteer.objects.filter(
                within(district, "area"),
                status=VolunteerStatus.ACTIVE,
                registration_date__lte=date(2015, 1, 1),
            )
            .order_by("pk")
            .values_list("pk", "area_id")[:40]
        )
        if pool:
            chosen.append(rng.choice(pool))
    officer = users[OFFICER_LOGIN]
    Award.objects.bulk_create(
        [
            Award(
                volunteer_id=pk,
                area_id=area,
                fiscal_year=2568,
                reason=AWARD_REASONS[n % len(AWARD_REASONS)],
                status=status,
                nominated_by=users[COORDINATOR_LOGIN] if area.startswith("8601") else officer,
                decided_by=None if status == AwardStatus.NOMINATED else officer,
            )
            for n, ((pk, area), status) in enumerate(zip(chosen, AWARD_STATUSES, strict=False))
        ]
    )


def training_counts() -> TrainingCounts:
    events = TrainingEvent.objects.filter(within(PROVINCE, "area"))
    return TrainingCounts(
        centres=Centre.objects.filter(
            within(PROVINCE, "area"), area__level=Level.SUBDISTRICT
        ).count(),
        seats=CommitteeMembership.objects.filter(
            within(PROVINCE, "centre__area"), centre__area__level=Level.SUBDISTRICT
        ).count(),
        events=events.count(),
        invitations=Invitation.objects.filter(event__in=events).count(),
        attendance=Attendance.objects.filter(session__event__in=events).count(),
        attempts=QuizAttempt.objects.filter(quiz__event__in=events).count(),
        evaluations=Evaluation.objects.filter(event__in=events).count(),
        certificates=Certificate.objects.filter(event__in=events).count(),
        grants=CompetencyGrant.objects.filter(event__in=events).count(),
        awards=Award.objects.filter(within(PROVINCE, "area")).count(),
    )


def workshop_exists() -> bool:
    return TrainingEvent.objects.filter(
        area_id=PROVINCE, starts_on=WORKSHOP_DAY, title=WORKSHOP_TITLE
    ).exists()


@transaction.atomic
def build_training(*, now: datetime | None = None) -> TrainingCounts:
    """Builds the demo's trainings once (nothing when the 2568 workshop exists); returns what
    exists afterwards. Needs the registry and the demo logins."""
    if workshop_exists():
        return training_counts()
    now = now or timezone.now()
    rng = random.Random(SEED)
    ensure_subdistrict_centres(rng)
    users = {
        u.username: u for u in User.objects.filter(username__in=[OFFICER_LOGIN, COORDINATOR_LOGIN])
    }
    ours = _our_volunteer()
    builder = Builder(
        rng=rng,
        now=now,
        users=users,
        ours=ours,
        competencies={c.code: c for c in Competency.objects.all()},
    )
    for plan in event_plans(timezone.localdate(now)):
        builder.event(plan)
    make_awards(rng, users, ours)
    return training_counts()
