"""A year of field work for the Chumphon demo: visits, assessments, concerns, acknowledgements.

The registry (chumphon.py) gives every household a volunteer of its village. This module lets
those volunteers work for a year, so that the volunteer's home, the timeline, the charts, the
overdue lists and the monthly summary show something real on the first `make run`.

Each household is visited only by its assigned volunteer, on a cadence that follows the rules of
carenet.visits.services: after each visit the next one falls due after `follow_up_days` for the
risk found and the household's priority (7 days urgent, 30 watch, 90 normal; a high-priority
household waits at most 30). Volunteers come back around that date, a little early or a little
late; a few are habitually late, a few stopped visiting two to eight months ago (so the centre
sees inactive volunteers and their households overdue), and a few never started (households
never visited). The risk walks between normal, watch and urgent: an urgent finding brings weekly
follow-ups for a few weeks, then watch, then normal. Rarely an urgent episode is violence or
trafficking: those visits are sensitive and raise a sensitive Concern, as do half of the other
urgent episodes. A household found during the year (its first consent falls within it) is
first visited for screening (ค้นหา) on the day it was registered; the others have routine and
follow-up visits. About every third or fourth visit carries a จปฐ. assessment, answered against
the current IndicatorSet from the members' ages and the house, drifting slowly (mostly for the
better) so that the charts show trends; scores come from `assessments.score`. The `mueang`
coordinator acknowledges some visits of their district with a short comment, and the provincial
officer has handled the older concerns.

The `volunteer` login's eight households end in a planned state: two overdue, one due within a
week, the rest fine, and a recent visit acknowledged.

Everything comes from a fixed seed and is written in chunks of households, in one
transaction, once: when Chumphon already has visits nothing is added. Visits, assessments and
concerns go through bulk_create; the rows that only link them (volunteers, members seen,
problems, the answers: about ten a visit) through multi-row INSERTs of plain values, and the
households' follow-up fields and the volunteers' latest visit through one UPDATE per row with
executemany, because bulk_create and bulk_update cost several times more a row there (see
insert_rows). The builder ends with ANALYZE. Dates are relative to the day the demo is built
(visits from a year back until yesterday). `FieldworkSize` can ask for a given number of visits
per household (bench/fieldwork.py asks for about 13, for 400,000 visits): the volunteers then
come back proportionally sooner.
"""

import random
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from django.db import connection, models, transaction
from django.db.models import F, Min, Model, OuterRef, Subquery
from django.utils import timezone, translation

from carenet.accounts.models import User
from carenet.areas.models import within
from carenet.core import thaidate
from carenet.core.people import age_on
from carenet.demo.chumphon import PROVINCE, demo_volunteer
from carenet.demo.users import DEMO_LOGINS
from carenet.households.models import (
    Condition,
    Consent,
    Household,
    HouseholdAssignment,
    HouseholdStatus,
    Ownership,
    Person,
    PersonStatus,
)
from carenet.households.vulnerability import (
    HIGH_PRIORITY_FROM,
    MEDIUM_PRIORITY_FROM,
    priority_level,
)
from carenet.visits.assessments import current_indicator_set, score
from carenet.visits.followup import inactive_q, overdue_q
from carenet.visits.models import (
    Answer,
    Assessment,
    Concern,
    ConcernStatus,
    Indicator,
    ProblemItem,
    RiskLevel,
    Visit,
    VisitType,
)
from carenet.visits.services import follow_up_days
from carenet.volunteers.models import Volunteer, VolunteerStatus

SEED = 8612
WINDOW_DAYS = 365  # visits from this many days back until yesterday
CHUNK = 1500  # households written per round of bulk_create
BATCH = 1000  # rows per INSERT (PostgreSQL takes at most 65,535 parameters)
COORDINATOR_LOGIN = "mueang"
OFFICER_LOGIN = "chumphon"
VOLUNTEER_LOGIN = "volunteer"
# The `volunteer` login's households, in pk order: days from today to the next due date (a
# negative number is overdue), and the risk of the latest visit (None: whatever it walked to).
DEMO_ENDINGS: tuple[tuple[int, str | None], ...] = (
    (-16, None),
    (-4, None),
    (3, None),
    (19, RiskLevel.WATCH),  # visited eleven days ago: the acknowledged visit
    (12, None),
    (25, None),
    (40, None),
    (60, None),
)
ACKNOWLEDGED_ENDING = 3  # the index in DEMO_ENDINGS whose latest visit the centre acknowledges

# How volunteers keep to the due date: the gap to the next visit is the follow-up interval times
# a factor from a triangular distribution (low, high, mode). Weights over the volunteers.
HABITS: dict[str, tuple[float, float, float]] = {
    "steady": (0.6, 1.2, 0.93),
    "late": (0.8, 1.7, 1.2),
}
HABIT_WEIGHTS = {"steady": 84, "late": 8, "lapsed": 6, "never": 2}
LAPSED_DAYS = (62, 240)  # a lapsed volunteer's last visit was this many days ago

# Risk: where a household starts (watch, urgent by priority level) and how it moves per visit.
START_RISK = {"low": (0.05, 0.005), "medium": (0.12, 0.01), "high": (0.25, 0.02)}
NORMAL_TO = {"low": (0.04, 0.003), "medium": (0.06, 0.005), "high": (0.08, 0.008)}
WATCH_TO_NORMAL, WATCH_TO_URGENT = 0.30, 0.03
URGENT_FOLLOW_UPS = (2, 5)  # weekly visits after an urgent finding before it eases to watch
VIOLENCE_CHANCE, TRAFFICKING_CHANCE = 0.05, 0.01  # of urgent episodes
URGENT_CONCERN_CHANCE = 0.5
ASSESS_EVERY = (3, 4)

OBSERVATIONS: dict[str, tuple[str, ...]] = {
    RiskLevel.NORMAL: (
        "สมาชิกในบ้านสุขภาพโดยรวมปกติ ช่วยเหลือตนเองได้",
        "ผู้สูงอายุรับประทานยาสม่ำเสมอ ไปตามนัด รพ.สต.",
        "บ้านสะอาด เป็นระเบียบ มีน้ำใช้เพียงพอ",
        "เด็กไปโรงเรียนตามปกติ ผลการเรียนดีขึ้น",
        "ครอบครัวมีรายได้จากการกรีดยางและสวนปาล์ม พอใช้จ่าย",
        "ได้รับเบี้ยยังชีพครบ ไม่มีปัญหาเร่งด่วน",
        "พูดคุยให้กำลังใจ สมาชิกอารมณ์ดี",
    ),
    RiskLevel.WATCH: (
        "ผู้สูงอายุเหนื่อยง่าย ความดันสูง ควรติดตามใกล้ชิด",
        "รายได้ลดลงเพราะราคายางตกต่ำ เริ่มมีหนี้",
        "หลังคารั่วหลายจุด ต้องซ่อมก่อนหน้ามรสุม",
        "ผู้ป่วยติดเตียงมีแผลกดทับเล็กน้อย ญาติดูแลได้บางเวลา",
        "ขาดนัดพบแพทย์สองครั้ง ไม่มีคนพาไป",
        "เด็กขาดเรียนบ่อย ผู้ปกครองต้องออกไปรับจ้าง",
    ),
    RiskLevel.URGENT: (
        "ผู้ป่วยติดเตียงอยู่ลำพังช่วงกลางวัน ไม่มีผู้ดูแล",
        "อาหารในบ้านไม่พอ ขอรับการช่วยเหลือเร่งด่วน",
        "บ้านเสียหายจากพายุ อยู่อาศัยไม่ปลอดภัย",
        "ผู้สูงอายุหกล้ม เดินไม่ได้ ต้องมีคนดูแลต่อเนื่อง",
        "ผู้ป่วยขาดยาจิตเวชหลายวัน มีอาการกำเริบ",
    ),
}
SENSITIVE_OBSERVATIONS = (
    "พบร่องรอยการถูกทำร้ายร่างกาย ผู้เสียหายขอให้เก็บเป็นความลับ",
    "เพื่อนบ้านแจ้งว่าได้ยินเสียงทะเลาะและทุบตีบ่อยครั้ง",
    "เด็กถูกพาไปทำงานนอกพื้นที่ ไม่ได้ไปโรงเรียน",
)
NEEDS: dict[str, tuple[str, ...]] = {
    RiskLevel.NORMAL: ("", "", "", "", "ติดตามเบี้ยยังชีพ", "ผ้าอ้อมผู้ใหญ่"),
    RiskLevel.WATCH: (
        "ซ่อมแซมหลังคาบ้าน",
        "ทุนการศึกษาสำหรับเด็ก",
        "ประสานขึ้นทะเบียนบัตรสวัสดิการแห่งรัฐ",
        "ผ้าอ้อมผู้ใหญ่และที่นอนลม",
        "เงินสงเคราะห์ครอบครัวผู้มีรายได้น้อย",
    ),
    RiskLevel.URGENT: (
        "ถุงยังชีพ",
        "ผู้ดูแลผู้ป่วยติดเตียง (Caregiver)",
        "รถเข็นและที่นอนลม",
        "ที่พักชั่วคราว",
        "ส่งต่อ รพ.สต. เพื่อประเมินอาการ",
    ),
}
ACKNOWLEDGEMENTS = (
    "ขอบคุณครับ ติดตามได้ต่อเนื่องดีมาก",
    "รับทราบครับ",
    "รับทราบครับ จะประสาน อบต. เรื่องเบี้ยยังชีพให้",
    "ดีมากครับ ฝากดูเรื่องยาของผู้สูงอายุด้วย",
    "รับทราบ จะแจ้ง รพ.สต. ให้ช่วยเยี่ยมอีกทางครับ",
    "ขอบคุณที่ลงพื้นที่ครับ",
    "บันทึกละเอียดดีครับ",
    "รับทราบครับ ครั้งหน้าขอรูปสภาพบ้านเพิ่มด้วย",
    "ศูนย์ฯ จะเสนอเรื่องซ่อมบ้านให้ พมจ. พิจารณาครับ",
    "ขอบคุณครับ ฝากติดตามเรื่องทุนการศึกษาของน้องต่อด้วย",
)
CONCERN_ACKNOWLEDGED = ("รับเรื่องแล้ว ประสานทีมสหวิชาชีพค่ะ", "รับทราบ นัดลงพื้นที่ร่วมกันค่ะ")
CONCERN_CLOSED = (
    "ประสาน รพ.สต. จัดผู้ดูแลแล้ว ปิดเรื่องค่ะ",
    "มอบถุงยังชีพและเงินสงเคราะห์แล้วค่ะ",
    "ส่งต่อบ้านพักเด็กและครอบครัวจังหวัดชุมพรดำเนินการแล้วค่ะ",
    "ซ่อมแซมบ้านร่วมกับ อบต. เรียบร้อยค่ะ",
)
URGENT_ITEMS = ("bedridden_no_carer", "malnutrition", "unsafe_home", "mental_health")
VIOLENCE_ITEMS = ("domestic_violence", "elder_abuse", "child_abuse")
TRAFFICKING_ITEMS = ("child_labour", "forced_labour")


@dataclass(frozen=True)
class FieldworkSize:
    # None: the cadence the follow-up rules give (about 7 visits a household a year).
    visits_per_household: float | None = None


@dataclass
class FieldworkCounts:
    visits: int = 0
    assessments: int = 0
    answers: int = 0
    concerns: int = 0
    sensitive_visits: int = 0
    acknowledged: int = 0
    households_visited: int = 0
    never_visited: int = 0
    overdue: int = 0
    inactive_volunteers: int = 0


@dataclass(frozen=True)
class Member:
    pk: int
    age: int | None
    disability: bool
    disability_card: bool
    elderly_allowance: bool


@dataclass
class Home:
    """A household as the builder sees it."""

    pk: int
    area_id: str
    level: str  # priority level: low, medium, high
    groups: list[str]
    condition: str
    ownership: str
    latitude: Decimal | None
    longitude: Decimal | None
    volunteer_id: int | None
    members: list[Member] = field(default_factory=list)
    registered: date | None = None  # the first consent


@dataclass
class Step:
    """One planned visit: when, the risk found, and the episode it belongs to."""

    day: date
    risk: str
    kind: str
    sensitive_item: str = ""
    first_of_episode: bool = False


@dataclass
class Plan:
    """What the schedule of one household depends on besides the household itself."""

    days: dict[tuple[str, str], int]  # (risk, priority level) -> follow_up_days
    first: date
    last: date  # the last day the volunteer visits (yesterday, or when they stopped)
    habit: tuple[float, float, float]
    pace: float
    ending: tuple[int, str | None] | None = None  # (due in days from today, risk)


@dataclass
class Writing:
    """What one chunk of households turns into, before it is written."""

    visits: list[Visit] = field(default_factory=list)
    volunteer_of: list[int] = field(default_factory=list)
    seen: list[list[int]] = field(default_factory=list)
    problems: list[list[str]] = field(default_factory=list)
    answers: list[dict[int, bool | None] | None] = field(default_factory=list)
    concern: list[str] = field(default_factory=list)  # a summary raises one


def follow_up_table(province: str = PROVINCE) -> dict[tuple[str, str], int]:
    """services.follow_up_days for every risk and priority level: nine calls instead of one per
    visit (the days depend on the province, the risk and the priority level only)."""
    representative = {"low": 0, "medium": MEDIUM_PRIORITY_FROM, "high": HIGH_PRIORITY_FROM}
    table = {}
    for level, priority in representative.items():
        assert priority_level(priority) == level
        for risk in RiskLevel.values:
            table[(risk, level)] = follow_up_days(
                area_code=province, risk_level=risk, priority_score=priority
            )
    return table


# --- Schedules: pure functions of a seeded Random --------------------------------------------


def _start_risk(level: str, rng: random.Random) -> str:
    watch, urgent = START_RISK[level]
    roll = rng.random()
    return RiskLevel.URGENT if roll < urgent else RiskLevel.WATCH if roll < watch else "normal"


def schedule(home: Home, plan: Plan, rng: random.Random) -> list[Step]:
    """The visits one household gets between plan.first and plan.last (and the planned last one
    when plan.ending is set): around each due date, the risk walking from visit to visit."""
    window_start = plan.first
    last = plan.last
    final: tuple[date, str] | None = None
    if plan.ending is not None:
        due_in, final_risk = plan.ending
        risk_at_end = final_risk or RiskLevel.NORMAL
        end_day = plan.last + timedelta(days=1) + timedelta(days=due_in)
        days = plan.days[(risk_at_end, home.level)]
        final_day = min(end_day - timedelta(days=days), plan.last)
        final = (max(final_day, window_start + timedelta(days=30)), risk_at_end)
        last = final[0] - timedelta(days=max(4, int(days * 0.4)))
    screening = home.registered is not None and home.registered >= window_start
    if screening:
        assert home.registered is not None
        day = home.registered
    else:
        day = window_start + timedelta(days=rng.randrange(plan.days[("normal", home.level)]))
    risk = _start_risk(home.level, rng)
    urgent_left, sensitive_item = 0, ""
    if risk == RiskLevel.URGENT:
        urgent_left, sensitive_item = _episode(home, rng)
    steps: list[Step] = []
    previous = ""
    while day <= last:
        kind = VisitType.ROUTINE
        if not steps and screening:
            kind = VisitType.SCREENING
        elif previous in (RiskLevel.URGENT, RiskLevel.WATCH) or risk == RiskLevel.URGENT:
            kind = VisitType.FOLLOW_UP
        first = risk == RiskLevel.URGENT and previous != RiskLevel.URGENT
        steps.append(Step(day, risk, kind, sensitive_item, first))
        if sensitive_item and not first:
            sensitive_item = ""  # found on the first visit and the one after, then in hand
        if risk == RiskLevel.URGENT:
            gap = rng.randint(5, 8)
        else:
            gap = round(plan.days[(risk, home.level)] * rng.triangular(*plan.habit))
        day += timedelta(days=max(1, round(gap * plan.pace)))
        previous, risk = risk, _next_risk(risk, home.level, urgent_left, rng)
        if risk == RiskLevel.URGENT and previous != RiskLevel.URGENT:
            urgent_left, sensitive_item = _episode(home, rng)
        elif risk == RiskLevel.URGENT:
            urgent_left -= 1
    if final is not None and (not steps or steps[-1].day < final[0]):
        previous = steps[-1].risk if steps else ""
        kind = VisitType.FOLLOW_UP if previous in ("urgent", "watch") else VisitType.ROUTINE
        steps.append(Step(final[0], final[1], kind if steps else VisitType.SCREENING))
    return steps


def _episode(home: Home, rng: random.Random) -> tuple[int, str]:
    """An urgent episode: how many weekly follow-ups, and its sensitive finding if any."""
    roll = rng.random()
    item = ""
    if roll < TRAFFICKING_CHANCE:
        item = rng.choice(TRAFFICKING_ITEMS)
    elif roll < TRAFFICKING_CHANCE + VIOLENCE_CHANCE:
        ages = [m.age for m in home.members if m.age is not None]
        choices = ["domestic_violence"]
        if any(a >= 60 for a in ages):
            choices.append("elder_abuse")
        if any(a < 18 for a in ages):
            choices.append("child_abuse")
        item = rng.choice(choices)
    return rng.randint(*URGENT_FOLLOW_UPS), item


def _next_risk(risk: str, level: str, urgent_left: int, rng: random.Random) -> str:
    roll = rng.random()
    if risk == RiskLevel.URGENT:
        return RiskLevel.URGENT if urgent_left > 0 else RiskLevel.WATCH
    if risk == RiskLevel.WATCH:
        if roll < WATCH_TO_URGENT:
            return RiskLevel.URGENT
        return RiskLevel.NORMAL if roll < WATCH_TO_URGENT + WATCH_TO_NORMAL else RiskLevel.WATCH
    watch, urgent = NORMAL_TO[level]
    return RiskLevel.URGENT if roll < urgent else RiskLevel.WATCH if roll < watch else risk


# --- What a visit finds ------------------------------------------------------------------------


def household_issues(home: Home, rng: random.Random) -> list[str]:
    """The problem items a household tends to show, from its groups, members and house."""
    groups = set(home.groups)
    found: list[str] = []
    ages = [m.age for m in home.members if m.age is not None]
    if "bedridden" in groups:
        found.append("bedridden_no_carer" if groups & {"lives_alone", "no_working_adult"} else "")
    if groups & {"elderly_alone", "lives_alone"} and rng.random() < 0.6:
        found.append("alone_no_carer")
    if "chronic_illness" in groups and rng.random() < 0.5:
        found.append("chronic_no_care")
    if any(m.disability and not m.disability_card for m in home.members):
        found.append("no_disability_card")
    if any(m.age is not None and m.age >= 60 and not m.elderly_allowance for m in home.members):
        found.append("no_allowance")
    if "no_working_adult" in groups and "child" in groups:
        found.append("skipped_generation")
    if "single_parent" in groups:
        found.append(rng.choice(("low_income", "family_debt")))
    if home.condition in (Condition.POOR, Condition.UNSAFE):
        found.append("dilapidated" if home.condition == Condition.POOR else "unsafe_home")
    if home.ownership in (Ownership.ENCROACHED, Ownership.PUBLIC):
        found.append("no_land_right")
    if "disadvantaged" in groups:
        found.append("no_welfare_card")
    if "homeless" in groups:
        found.append("no_home")
    if any(6 <= a <= 17 for a in ages) and rng.random() < 0.15:
        found.append(rng.choice(("dropout_risk", "no_school_costs")))
    for item, chance in (
        ("low_income", 0.3),
        ("informal_debt", 0.1),
        ("unemployed", 0.08),
        ("poor_hygiene", 0.05),
        ("mental_health", 0.03),
        ("substance", 0.03),
    ):
        if rng.random() < chance:
            found.append(item)
    return list(dict.fromkeys(i for i in found if i))


def visit_problems(step: Step, issues: Sequence[str], rng: random.Random) -> list[str]:
    chosen: list[str] = []
    pool = list(issues) or ["low_income", "chronic_no_care"]
    if step.risk == RiskLevel.NORMAL:
        if issues and rng.random() < 0.35:
            chosen.append(rng.choice(issues))
    elif step.risk == RiskLevel.WATCH:
        chosen.extend(rng.sample(pool, k=min(len(pool), rng.randint(1, 2))))
    else:
        chosen.extend(rng.sample(pool, k=min(len(pool), rng.randint(1, 2))))
        if not step.sensitive_item and rng.random() < 0.5:
            chosen.append(rng.choice(URGENT_ITEMS))
    if step.sensitive_item:
        chosen.insert(0, step.sensitive_item)
    return list(dict.fromkeys(chosen))


def applicable_indicators(members: Sequence[Member]) -> set[int]:
    """The จปฐ. indicators that apply to a household, from its members' ages and disabilities."""
    ages = [m.age for m in members if m.age is not None]
    numbers = {5, 7, 8, 9, 10, 11, 22}
    checks = {
        1: lambda a: a < 1,
        4: lambda a: a <= 12,
        15: lambda a: 3 <= a <= 5,
        16: lambda a: 6 <= a <= 14,
        17: lambda a: 15 <= a <= 17,
        19: lambda a: 15 <= a <= 59,
        20: lambda a: 18 <= a <= 59,
        21: lambda a: a >= 60,
        27: lambda a: a >= 60,
    }
    numbers.update(n for n, check in checks.items() if any(check(a) for a in ages))
    if any(m.disability for m in members):
        numbers.add(28)
    return numbers


def first_answers(
    home: Home, indicators: Sequence[Indicator], rng: random.Random
) -> dict[int, bool | None]:
    """A household's first answers: met more often the lower its priority."""
    base = {"low": 0.86, "medium": 0.74, "high": 0.6}[home.level]
    house: dict[str, float] = {Condition.GOOD: 0.95, Condition.FAIR: 0.8, Condition.POOR: 0.4}
    chance = {
        7: 0.55,
        8: house.get(home.condition, 0.15),
        11: house.get(home.condition, 0.15) - 0.1,
        21: 0.35,
        22: base - 0.15,
        27: base + 0.05,
        28: base - 0.1,
    }
    applicable = applicable_indicators(home.members)
    return {
        i.number: (rng.random() < chance.get(i.number, base)) if i.number in applicable else None
        for i in indicators
    }


def later_answers(previous: dict[int, bool | None], rng: random.Random) -> dict[int, bool | None]:
    """The next assessment: most answers stay, unmet ones are often put right (that is what the
    visits are for), and now and then something is lost."""
    return {
        n: v if v is None else (rng.random() < 0.2 if not v else rng.random() >= 0.04)
        for n, v in previous.items()
    }


# --- Loading what the registry built ---------------------------------------------------------


def load_homes(today: date) -> list[Home]:
    homes = {
        row["pk"]: Home(
            pk=row["pk"],
            area_id=row["area_id"],
            level=priority_level(row["priority_score"]),
            groups=list(row["vulnerability"] or []),
            condition=row["condition"],
            ownership=row["ownership"],
            latitude=row["latitude"],
            longitude=row["longitude"],
            volunteer_id=None,
        )
        for row in Household.objects.filter(within(PROVINCE, "area"), status=HouseholdStatus.ACTIVE)
        .order_by("pk")
        .values(
            "pk",
            "area_id",
            "priority_score",
            "vulnerability",
            "condition",
            "ownership",
            "latitude",
            "longitude",
        )
    }
    # Only an active volunteer visits; a household whose volunteers all left waits for one.
    assigned = HouseholdAssignment.objects.filter(
        within(PROVINCE, "household__area"), volunteer__status=VolunteerStatus.ACTIVE
    )
    for household_id, volunteer_id in assigned.order_by("pk").values_list(
        "household_id", "volunteer_id"
    ):
        home = homes.get(household_id)
        if home is not None and home.volunteer_id is None:
            home.volunteer_id = volunteer_id
    people = Person.objects.filter(within(PROVINCE, "area"), status=PersonStatus.ACTIVE).order_by(
        "household_id", "pk"
    )
    for row in people.values(
        "pk",
        "household_id",
        "birth_date",
        "disability",
        "disability_card_no",
        "elderly_allowance",
    ):
        home = homes.get(row["household_id"])
        if home is not None:
            home.members.append(
                Member(
                    pk=row["pk"],
                    age=age_on(row["birth_date"], today),
                    disability=row["disability"],
                    disability_card=bool(row["disability_card_no"]),
                    elderly_allowance=row["elderly_allowance"],
                )
            )
    consents = (
        Consent.objects.filter(within(PROVINCE, "area"))
        .values("person__household_id")
        .annotate(first=Min("given_on"))
        .order_by()
    )
    for first in consents:
        home = homes.get(first["person__household_id"])
        if home is not None:
            home.registered = first["first"]
    return list(homes.values())


# --- Building ------------------------------------------------------------------------------------


@dataclass
class Context:
    """What every household's visits are dressed with."""

    rng: random.Random
    now: datetime
    today: date
    indicators: list[Indicator]
    items: dict[str, ProblemItem]
    recorder_of: dict[int, int]  # volunteer pk -> user pk (the `volunteer` login)
    coordinator: User | None
    coordinator_area: str
    officer: User | None
    demo_volunteer_id: int | None
    days: dict[tuple[str, str], int] = field(default_factory=dict)  # follow_up_table()
    zone: tzinfo = field(default_factory=timezone.get_current_timezone)
    acknowledged_home: int | None = None  # the `volunteer` login's acknowledged ending


def _at(day: date, rng: random.Random, zone: tzinfo) -> datetime:
    """A time of day in office hours on `day`, in the time zone (Bangkok: no daylight saving)."""
    return datetime.combine(day, time(rng.randint(8, 16), rng.randrange(0, 60)), tzinfo=zone)


def _habits(
    volunteer_ids: Sequence[int], demo_id: int | None, rng: random.Random
) -> dict[int, str]:
    names = list(HABIT_WEIGHTS)
    weights = list(HABIT_WEIGHTS.values())
    habits = {pk: rng.choices(names, weights)[0] for pk in volunteer_ids}
    if demo_id is not None:
        habits[demo_id] = "steady"
    return habits


def _plans(
    homes: Sequence[Home],
    habits: dict[int, str],
    context: Context,
    demo_endings: dict[int, tuple[int, str | None]],
) -> dict[int, Plan | None]:
    """Each household's plan (None: its volunteer never visits, or it has none)."""
    rng = context.rng
    first = context.today - timedelta(days=WINDOW_DAYS)
    yesterday = context.today - timedelta(days=1)
    lapsed: dict[int, date] = {}
    plans: dict[int, Plan | None] = {}
    for home in homes:
        habit = habits.get(home.volunteer_id or 0, "never")
        if home.volunteer_id is None or habit == "never":
            plans[home.pk] = None
            continue
        last = yesterday
        if habit == "lapsed":
            if home.volunteer_id not in lapsed:
                lapsed[home.volunteer_id] = context.today - timedelta(
                    days=rng.randint(*LAPSED_DAYS)
                )
            last = lapsed[home.volunteer_id]
        plans[home.pk] = Plan(
            days=context.days,
            first=first,
            last=last,
            habit=HABITS["late" if habit == "late" else "steady"],
            pace=1.0,
            ending=demo_endings.get(home.pk),
        )
    return plans


def calibrate_pace(
    homes: Sequence[Home], plans: dict[int, Plan | None], visits_per_household: float
) -> float:
    """The factor on the gaps between visits that gives about `visits_per_household`, found by
    scheduling every fifth household a few times (with a Random of its own)."""
    sample = homes[::5] or homes
    pace = 1.0
    for _ in range(4):
        rng = random.Random(SEED + 1)
        total = 0
        for home in sample:
            plan = plans[home.pk]
            if plan is not None:
                plan.pace = pace
                total += len(schedule(home, plan, rng))
        mean = total / len(sample)
        if not mean:
            break
        pace *= mean / visits_per_household
    return pace


def dress(home: Home, steps: Sequence[Step], context: Context, out: Writing) -> Household:
    """Turns a household's steps into visits (appended to `out`); returns the household with
    its registration, last visit, risk and next due date set."""
    rng = context.rng
    days = context.days
    issues = household_issues(home, rng)
    recorder = context.recorder_of.get(home.volunteer_id or 0)
    ours = home.volunteer_id is not None and home.volunteer_id == context.demo_volunteer_id
    acknowledging = context.coordinator is not None and home.area_id.startswith(
        context.coordinator_area
    )
    answers: dict[int, bool | None] | None = None
    assess_in = 0
    household = Household(pk=home.pk)
    registered = home.registered
    first_visit = len(out.visits)
    for index, step in enumerate(steps):
        visited_at = _at(step.day, rng, context.zone)
        if index == 0 and step.kind == VisitType.SCREENING:
            registered = None
            household.created_at = visited_at - timedelta(minutes=rng.randint(5, 30))
        problems = visit_problems(step, issues, rng)
        sensitive = any(context.items[code].area.sensitive for code in problems)
        low, high = {"normal": (20, 45), "watch": (30, 60), "urgent": (45, 90)}[step.risk]
        if step.kind == VisitType.SCREENING:
            low, high = 40, 90
        visit = Visit(
            household_id=home.pk,
            area_id=home.area_id,
            visited_at=visited_at,
            visit_type=step.kind,
            risk_level=step.risk,
            observations=rng.choice(
                SENSITIVE_OBSERVATIONS if sensitive else OBSERVATIONS[step.risk]
            ),
            needs=rng.choice(NEEDS[step.risk]),
            duration_minutes=rng.randint(low, high),
            sensitive=sensitive,
            client_uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
            recorded_by_id=recorder,
        )
        if home.latitude is not None and home.longitude is not None and rng.random() < 0.75:
            visit.latitude = _jitter(home.latitude, rng)
            visit.longitude = _jitter(home.longitude, rng)
        days_ago = (context.today - step.day).days
        if acknowledging and not sensitive:
            chance = (0.4 if days_ago <= 90 else 0.1) if ours else (0.2 if days_ago <= 60 else 0.05)
            forced = index == len(steps) - 1 and home.pk == context.acknowledged_home
            if forced or rng.random() < chance:
                _acknowledge(visit, context)
        if step.kind == VisitType.SCREENING:
            members = [m.pk for m in home.members]
        else:
            members = [m.pk for i, m in enumerate(home.members) if i == 0 or rng.random() < 0.4]
        assessment = None
        if context.indicators:
            if answers is None or assess_in <= 0:
                answers = (
                    first_answers(home, context.indicators, rng)
                    if answers is None
                    else later_answers(answers, rng)
                )
                assessment = answers
                assess_in = rng.randint(*ASSESS_EVERY)
            assess_in -= 1
        summary = ""
        if step.first_of_episode and (sensitive or rng.random() < URGENT_CONCERN_CHANCE):
            summary = _concern_summary(problems, sensitive, visit.observations, context)
        out.visits.append(visit)
        out.volunteer_of.append(home.volunteer_id or 0)
        out.seen.append(members)
        out.problems.append(problems)
        out.answers.append(assessment)
        out.concern.append(summary)
    if registered is not None:
        household.created_at = _at(min(registered, context.today), rng, context.zone)
    elif household.created_at is None and steps:  # no consent on record: registered at the visit
        household.created_at = out.visits[first_visit].visited_at - timedelta(minutes=30)
    if steps:
        last = out.visits[-1]
        household.last_visit_at = last.visited_at
        household.current_risk = last.risk_level
        household.next_visit_due = steps[-1].day + timedelta(
            days=days[(last.risk_level, home.level)]
        )
    return household


def _jitter(value: Decimal, rng: random.Random) -> Decimal:
    return Decimal(f"{float(value) + rng.uniform(-0.0004, 0.0004):.6f}")


def _acknowledge(visit: Visit, context: Context) -> None:
    rng = context.rng
    when = visit.visited_at + timedelta(hours=rng.randint(2, 96))
    if when > context.now - timedelta(minutes=30):
        when = visit.visited_at + (context.now - visit.visited_at) / 2
    visit.acknowledged_by = context.coordinator
    visit.acknowledged_at = when
    visit.acknowledgement = rng.choice(ACKNOWLEDGEMENTS)


def _concern_summary(
    problems: Sequence[str], sensitive: bool, observation: str, context: Context
) -> str:
    names = [context.items[code].name_th for code in problems]
    if sensitive:
        found = [context.items[c].name_th for c in problems if context.items[c].area.sensitive]
        return f"พบ{' '.join(found)} {observation} ขอให้ศูนย์ฯ ประสานหน่วยงานที่เกี่ยวข้อง"
    return f"ความเสี่ยงเร่งด่วน: {observation} ({', '.join(names)})"


def _chunks(items: Sequence[Home], size: int) -> Iterator[Sequence[Home]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def write(out: Writing, context: Context) -> list[Concern]:
    """One chunk's visits, assessments and concerns with bulk_create; the rows that only link
    them (volunteers, members seen, problems, answers: ten for every visit) with insert_rows."""
    Visit.objects.bulk_create(out.visits, batch_size=BATCH)
    pairs = list(zip(out.visits, out.volunteer_of, out.seen, out.problems, strict=True))
    insert_rows(
        Visit.volunteers.through, ["visit", "volunteer"], [(v.pk, who) for v, who, *_ in pairs]
    )
    insert_rows(
        Visit.members_seen.through,
        ["visit", "person"],
        [(v.pk, pk) for v, _, people, _ in pairs for pk in people],
    )
    insert_rows(
        Visit.problems.through,
        ["visit", "problemitem"],
        [(v.pk, code) for v, _, _, codes in pairs for code in codes],
    )
    indicator_set_id = context.indicators[0].indicator_set_id if context.indicators else ""
    assessed = [(v, a) for v, a in zip(out.visits, out.answers, strict=True) if a is not None]
    assessments = [
        Assessment(
            household_id=v.household_id,
            area_id=v.area_id,
            visit_id=v.pk,
            indicator_set_id=indicator_set_id,
            assessed_on=timezone.localdate(v.visited_at),
            assessed_by_id=v.recorded_by_id,
            scores=score(context.indicators, answers),
        )
        for v, answers in assessed
    ]
    Assessment.objects.bulk_create(assessments, batch_size=BATCH)
    insert_rows(
        Answer,
        ["assessment", "indicator", "met"],
        [
            (a.pk, i.pk, answers[i.number])
            for a, (_, answers) in zip(assessments, assessed, strict=True)
            for i in context.indicators
        ],
    )
    concerns = [
        _concern(v, summary, context)
        for v, summary in zip(out.visits, out.concern, strict=True)
        if summary
    ]
    # bulk_create stamps created_at and updated_at with the time it runs (auto_now_add and
    # auto_now set them on the instances); _finish writes the real ones back.
    stamps = [(c.created_at, c.updated_at) for c in concerns]
    Concern.objects.bulk_create(concerns, batch_size=BATCH)
    for concern, (created, updated) in zip(concerns, stamps, strict=True):
        concern.created_at, concern.updated_at = created, updated
    return concerns


def _concern(visit: Visit, summary: str, context: Context) -> Concern:
    rng = context.rng
    concern = Concern(
        household_id=visit.household_id,
        area_id=visit.area_id,
        visit=visit,
        summary=summary,
        sensitive=visit.sensitive,
        raised_by_id=visit.recorded_by_id,
    )
    created = visit.visited_at + timedelta(minutes=visit.duration_minutes + rng.randint(5, 90))
    concern.created_at = concern.updated_at = min(created, context.now)
    days_ago = (context.now - created).days
    officer = context.officer
    if officer is None or days_ago < 3:
        return concern
    status = ConcernStatus.ACKNOWLEDGED
    if days_ago > 30 and rng.random() < 0.75:
        status = ConcernStatus.CLOSED
    elif days_ago <= 30 and rng.random() < 0.4:
        return concern  # not seen yet
    seen_at = created + timedelta(hours=rng.randint(4, 48))
    lines = [(seen_at, rng.choice(CONCERN_ACKNOWLEDGED))]
    if status == ConcernStatus.CLOSED:
        lines.append((seen_at + timedelta(days=rng.randint(2, 25)), rng.choice(CONCERN_CLOSED)))
    with translation.override("th"):
        concern.note = "\n".join(
            f"{thaidate.format_datetime(when)} {officer.display_name}: {text}"
            for when, text in lines
        )
    concern.status = status
    concern.handled_by = officer
    concern.updated_at = min(lines[-1][0], context.now)
    return concern


@transaction.atomic
def build_fieldwork(
    size: FieldworkSize | None = None, *, now: datetime | None = None
) -> FieldworkCounts:
    """Builds a year of field work once (nothing when Chumphon has visits already); returns what
    exists afterwards."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if not Visit.objects.filter(within(PROVINCE, "area")).exists():
        _build(size or FieldworkSize(), now, today)
        # Fresh planner statistics for the two million rows just written. Without them SQLite
        # picks an index on `status` over the area or the household (a volunteer's home then
        # scans every person: 37 ms instead of 0.3); PostgreSQL's autovacuum would do the same
        # a minute later.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return fieldwork_counts(today)


def _build(size: FieldworkSize, now: datetime, today: date) -> None:
    rng = random.Random(SEED)
    indicator_set = current_indicator_set()
    users = {
        u.username: u for u in User.objects.filter(username__in=[COORDINATOR_LOGIN, OFFICER_LOGIN])
    }
    coordinator_area = next(
        (login.area_code or "" for login in DEMO_LOGINS if login.username == COORDINATOR_LOGIN), ""
    )
    linked = dict(
        Volunteer.objects.filter(within(PROVINCE, "area"), user__isnull=False).values_list(
            "pk", "user_id"
        )
    )
    ours = Volunteer.objects.filter(user__username=VOLUNTEER_LOGIN).first() or demo_volunteer()
    context = Context(
        rng=rng,
        now=now,
        today=today,
        indicators=list(indicator_set.indicators.all()) if indicator_set is not None else [],
        items={i.code: i for i in ProblemItem.objects.select_related("area")},
        recorder_of=linked,
        coordinator=users.get(COORDINATOR_LOGIN),
        coordinator_area=coordinator_area,
        officer=users.get(OFFICER_LOGIN),
        demo_volunteer_id=ours.pk if ours is not None else None,
        days=follow_up_table(),
    )
    homes = load_homes(today)
    volunteer_ids = sorted({h.volunteer_id for h in homes if h.volunteer_id is not None})
    habits = _habits(volunteer_ids, context.demo_volunteer_id, rng)
    demo_homes = [h.pk for h in homes if h.volunteer_id == context.demo_volunteer_id]
    endings = dict(zip(demo_homes, DEMO_ENDINGS, strict=False))
    if len(demo_homes) > ACKNOWLEDGED_ENDING:
        context.acknowledged_home = demo_homes[ACKNOWLEDGED_ENDING]
    plans = _plans(homes, habits, context, endings)
    if size.visits_per_household:
        pace = calibrate_pace(homes, plans, size.visits_per_household)
        for plan in plans.values():
            if plan is not None:
                plan.pace = pace if plan.ending is None else 1.0

    households: list[Household] = []
    concerns: list[Concern] = []
    latest: dict[int, datetime] = {}  # each volunteer's latest visit
    for chunk in _chunks(homes, CHUNK):
        out = Writing()
        for home in chunk:
            plan = plans[home.pk]
            steps = schedule(home, plan, rng) if plan is not None else []
            households.append(dress(home, steps, context, out))
        concerns += write(out, context)
        for visit, who in zip(out.visits, out.volunteer_of, strict=True):
            if who and (who not in latest or visit.visited_at > latest[who]):
                latest[who] = visit.visited_at
    volunteers = [Volunteer(pk=pk, last_visit_at=at) for pk, at in latest.items()]
    _finish(households, concerns, volunteers)


def _finish(
    households: list[Household], concerns: list[Concern], volunteers: list[Volunteer]
) -> None:
    """What bulk_create cannot set: registration and record dates (auto_now_add), the
    households' follow-up fields, and each volunteer's latest visit (the last two are what
    services.visit_record keeps when visits are recorded one at a time)."""
    update_rows(households, ["created_at", "last_visit_at", "next_visit_due", "current_risk"])
    update_rows(volunteers, ["last_visit_at"])
    Visit.objects.filter(within(PROVINCE, "area")).update(created_at=F("visited_at"))
    Assessment.objects.filter(within(PROVINCE, "area")).update(
        created_at=Subquery(Visit.objects.filter(pk=OuterRef("visit_id")).values("visited_at")[:1])
    )
    Concern.objects.bulk_update(concerns, ["created_at", "updated_at"], batch_size=BATCH)


def _fields(model: type[Model], names: Sequence[str]) -> "list[models.Field[Any, Any]]":
    found = [model._meta.get_field(name) for name in names]
    return [f for f in found if isinstance(f, models.Field)]


def _quoted(name: str | None) -> str:
    return connection.ops.quote_name(name or "")


def insert_rows(model: type[Model], names: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """INSERT rows of plain values (ids, booleans), many rows a statement, or COPY them on
    PostgreSQL. For link rows bulk_create spends most of its time making model instances and
    preparing each value: about 30 µs a row on SQLite, against 4 here. On PostgreSQL a
    statement of a thousand rows is itself the cost (psycopg parses its placeholders):
    COPY took the two million link rows of the demo from 51 s to 13 (both measured under load)."""
    if not rows:
        return
    columns = ", ".join(_quoted(f.column) for f in _fields(model, names))
    table = _quoted(model._meta.db_table)
    if connection.vendor == "postgresql":
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    one = "(" + ", ".join(["%s"] * len(names)) + ")"
    per = min(BATCH, (connection.features.max_query_params or 65535) // len(names))
    # Table and column names come from the model; every value is a parameter.
    head = f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per):
            batch = rows[start : start + per]
            cursor.execute(head + ", ".join([one] * len(batch)), [v for row in batch for v in row])


def update_rows(objs: Sequence[Model], names: Sequence[str]) -> None:
    """UPDATE ... WHERE pk = %s for each object, with executemany; a None leaves the column as
    it is. bulk_update builds a CASE over every row of a batch: 45 s for 30,000 households on
    SQLite under load, against under a second here."""
    if not objs:
        return
    model = type(objs[0])
    fields = _fields(model, names)
    sets = ", ".join(f"{_quoted(f.column)} = COALESCE(%s, {_quoted(f.column)})" for f in fields)
    where = f"{_quoted(model._meta.pk.column)} = %s"
    rows = [
        [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields] + [obj.pk]
        for obj in objs
    ]
    sql = f"UPDATE {_quoted(model._meta.db_table)} SET {sets} WHERE {where}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def fieldwork_counts(today: date) -> FieldworkCounts:
    visits = Visit.objects.filter(within(PROVINCE, "area"))
    households = Household.objects.filter(within(PROVINCE, "area"), status=HouseholdStatus.ACTIVE)
    inactive = Volunteer.objects.filter(
        within(PROVINCE, "area"), inactive_q(today), status=VolunteerStatus.ACTIVE
    )
    return FieldworkCounts(
        visits=visits.count(),
        assessments=Assessment.objects.filter(within(PROVINCE, "area")).count(),
        answers=Answer.objects.filter(within(PROVINCE, "assessment__area")).count(),
        concerns=Concern.objects.filter(within(PROVINCE, "area")).count(),
        sensitive_visits=visits.filter(sensitive=True).count(),
        acknowledged=visits.filter(acknowledged_at__isnull=False).count(),
        households_visited=households.filter(last_visit_at__isnull=False).count(),
        never_visited=households.filter(last_visit_at__isnull=True).count(),
        overdue=households.filter(overdue_q(today)).count(),
        inactive_volunteers=inactive.count(),
    )
