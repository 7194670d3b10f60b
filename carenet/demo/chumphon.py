"""The Chumphon demo: the province's real areas and volunteer count, with synthetic people.

Chumphon (86) has 8 districts and 70 subdistricts (from geothai) and, in the demo, 736 villages
with made-up names. Its real register counts 4,351 volunteers; the demo creates exactly that
many, spread so that every village has at least one active volunteer. About 30,000 vulnerable
households get Faker th_TH names, plausible ages and flags, valid citizen IDs, a consent, and a
volunteer of their own village. Everything is generated from a fixed seed, written with
bulk_create in one transaction, and skipped when it is already there.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from faker import Faker

from carenet.areas.models import Area, Level, within
from carenet.core import citizen_id
from carenet.core.people import Sex, name_key
from carenet.demo.places import SubdistrictPoints
from carenet.households.models import (
    Condition,
    Consent,
    ConsentBasis,
    DisabilityType,
    Household,
    HouseholdAssignment,
    Ownership,
    Person,
    Relation,
)
from carenet.households.vulnerability import household_summary
from carenet.volunteers.models import (
    Centre,
    CommitteeMembership,
    OtherRole,
    Position,
    Volunteer,
    VolunteerStatus,
    VolunteerStatusChange,
)
from carenet.volunteers.services import MINIMUM_AGE

PROVINCE = "86"
VILLAGE_TOTAL = 736
VOLUNTEER_TOTAL = 4351
HOUSEHOLD_TOTAL = 30_000
SEED = 8601
TODAY = date(2026, 11, 28)
DEMO_VOLUNTEER_VILLAGE = "86010101"  # ต.ท่าตะเภา หมู่ 1, where the `volunteer` login serves
DEMO_VOLUNTEER_HOUSEHOLDS = 8

VILLAGE_WORDS = (
    "ท่า", "หนอง", "ทุ่ง", "เขา", "คลอง", "นา", "ดอน", "บาง", "วัง", "สวน", "โคก", "ปาก",
    "หาด", "ห้วย", "ควน", "แหลม", "ถ้ำ", "บ่อ", "ไร่", "ป่า",
)  # fmt: skip
VILLAGE_TAILS = (
    "ใหม่", "ทอง", "ยาง", "มะพร้าว", "ไทร", "พระ", "สะท้อน", "กลาง", "เหนือ", "ใต้", "ตะเคียน",
    "หิน", "ทราย", "สำโรง", "ขาม", "ม่วง", "ลำพู", "ปลาดุก", "จันทร์", "เตย", "ยายหม่อม",
)  # fmt: skip


@dataclass(frozen=True)
class DemoSize:
    villages: int = VILLAGE_TOTAL
    volunteers: int = VOLUNTEER_TOTAL
    households: int = HOUSEHOLD_TOTAL


@dataclass
class DemoCounts:
    villages: int = 0
    volunteers: int = 0
    households: int = 0
    people: int = 0


def valid_citizen_id(rng: random.Random, used: set[str]) -> str:
    while True:
        first = str(rng.choice((1, 3, 5))) + "".join(str(rng.randrange(10)) for _ in range(11))
        digits = first + str(citizen_id.checksum_digit(first))
        if digits not in used:
            used.add(digits)
            return digits


def split_evenly(total: int, buckets: int, rng: random.Random) -> list[int]:
    """`total` items over `buckets`, each getting the floor share and the rest spread at random."""
    base, extra = divmod(total, buckets)
    shares = [base] * buckets
    for index in rng.sample(range(buckets), extra):
        shares[index] += 1
    return shares


def ensure_villages(rng: random.Random, total: int) -> list[Area]:
    """736 villages over Chumphon's 70 subdistricts (keeping villages that already exist)."""
    subdistricts = list(Area.objects.filter(within(PROVINCE), level=Level.SUBDISTRICT))
    existing = {a.code for a in Area.objects.filter(within(PROVINCE), level=Level.VILLAGE)}
    new: list[Area] = []
    for sub, count in zip(subdistricts, split_evenly(total, len(subdistricts), rng), strict=True):
        for moo in range(1, count + 1):
            code = f"{sub.code}{moo:02d}"
            if code not in existing:
                name = "บ้าน" + rng.choice(VILLAGE_WORDS) + rng.choice(VILLAGE_TAILS)
                new.append(Area(code=code, level=Level.VILLAGE, name_th=name, parent=sub, moo=moo))
    Area.objects.bulk_create(new, batch_size=1000)
    return list(Area.objects.filter(within(PROVINCE), level=Level.VILLAGE).order_by("code"))


class PeopleMaker:
    """Fake but plausible Thai people, from one seed."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.faker = Faker("th_TH")
        self.faker.seed_instance(rng.randrange(1 << 30))
        self.used_ids: set[str] = set()

    def name(self, sex: str) -> tuple[str, str]:
        first = self.faker.first_name_male() if sex == Sex.MALE else self.faker.first_name_female()
        return first, self.faker.last_name()

    def birth_date(self, min_age: int, max_age: int) -> date:
        days = self.rng.randint(min_age * 365 + 1, max_age * 365 + 300)
        return TODAY - timedelta(days=days)

    def title(self, sex: str, born: date, married: bool) -> str:
        adult = (TODAY - born).days >= 15 * 365
        if sex == Sex.MALE:
            return "นาย" if adult else "เด็กชาย"
        if not adult:
            return "เด็กหญิง"
        return "นาง" if married else "นางสาว"

    def phone(self) -> str:
        return "0" + self.rng.choice("689") + "".join(str(self.rng.randrange(10)) for _ in range(8))

    def citizen_id(self) -> str:
        return valid_citizen_id(self.rng, self.used_ids)


def make_volunteers(villages: list[Area], maker: PeopleMaker, total: int) -> list[Volunteer]:
    """`total` volunteers (4,351 by default): every village gets at least one active one."""
    rng = maker.rng
    shares = split_evenly(total, len(villages), rng)
    volunteers: list[Volunteer] = []
    for village, count in zip(villages, shares, strict=True):
        for index in range(count):
            sex = Sex.FEMALE if rng.random() < 0.68 else Sex.MALE
            first, last = maker.name(sex)
            born = maker.birth_date(28, 72)
            # Registered once 18 (the Ministry's rule), and not before the network began.
            first_year = max(2003, born.year + MINIMUM_AGE + 1)
            registered = date(rng.randint(first_year, 2025), rng.randint(1, 12), rng.randint(1, 28))
            status = VolunteerStatus.ACTIVE
            if index > 0:  # the first volunteer of each village stays active
                status = rng.choices(
                    [
                        VolunteerStatus.ACTIVE,
                        VolunteerStatus.INACTIVE,
                        VolunteerStatus.RESIGNED,
                        VolunteerStatus.DECEASED,
                    ],
                    weights=[88, 6, 5, 1],
                )[0]
            volunteer = Volunteer(
                title=maker.title(sex, born, married=rng.random() < 0.7),
                first_name=first,
                last_name=last,
                name_key=name_key(first, last),
                birth_date=born,
                sex=sex,
                phone=maker.phone(),
                line_id=f"line{rng.randrange(10**6):06d}" if rng.random() < 0.5 else "",
                house_no=f"{rng.randint(1, 250)}",
                address_moo=village.moo,
                address_area_id=str(village.parent_id),
                area_id=str(village.parent_id),
                registration_no=f"{len(volunteers) + 1}/{registered.year + 543}",
                registration_date=registered,
                status=status,
                other_roles=_other_roles(rng),
            )
            volunteer.set_citizen_id(maker.citizen_id())
            volunteer._demo_village = village  # type: ignore[attr-defined]
            volunteers.append(volunteer)
    Volunteer.objects.bulk_create(volunteers, batch_size=1000)
    _entered_when_registered(volunteers)
    link_villages(volunteers, villages, rng)
    record_status_history(volunteers, rng)
    return volunteers


def _entered_when_registered(volunteers: list[Volunteer]) -> None:
    """The demo plays a province that has used Carenet for years, so a volunteer's record is
    as old as their registration (follow-up counts silence only after a record's first 60 days)."""
    zone = timezone.get_current_timezone()
    for volunteer in volunteers:
        registered = volunteer.registration_date or TODAY
        volunteer.created_at = datetime.combine(registered, time(9), tzinfo=zone)
    Volunteer.objects.bulk_update(volunteers, ["created_at"], batch_size=1000)


def _other_roles(rng: random.Random) -> list[str]:
    """None, one or two of the roles, in the order the form and the import store them."""
    roles = [role.value for role in OtherRole if role != OtherRole.OTHER]
    held = set(rng.sample(roles, k=rng.choice((0, 0, 1, 1, 2))))
    return [role for role in roles if role in held]


def link_villages(volunteers: list[Volunteer], villages: list[Area], rng: random.Random) -> None:
    by_subdistrict: dict[str, list[Area]] = {}
    for village in villages:
        by_subdistrict.setdefault(str(village.parent_id), []).append(village)
    through = Volunteer.villages.through
    links: list[Any] = []
    for volunteer in volunteers:
        home: Area = volunteer._demo_village  # type: ignore[attr-defined]
        covered = {home.code}
        if rng.random() < 0.25:
            covered.add(rng.choice(by_subdistrict[str(home.parent_id)]).code)
        links.extend(through(volunteer_id=volunteer.pk, area_id=code) for code in covered)
    through.objects.bulk_create(links, batch_size=2000)


def record_status_history(volunteers: list[Volunteer], rng: random.Random) -> None:
    rows = []
    for volunteer in volunteers:
        registered = volunteer.registration_date or TODAY
        rows.append(
            VolunteerStatusChange(
                volunteer=volunteer,
                from_status="",
                to_status=VolunteerStatus.ACTIVE,
                effective_date=registered,
                reason="ขึ้นทะเบียน อพม.",
            )
        )
        if volunteer.status != VolunteerStatus.ACTIVE:
            days = max((TODAY - registered).days, 1)
            rows.append(
                VolunteerStatusChange(
                    volunteer=volunteer,
                    from_status=VolunteerStatus.ACTIVE,
                    to_status=volunteer.status,
                    effective_date=registered + timedelta(days=rng.randrange(days)),
                    reason={
                        "inactive": "ไม่ได้ปฏิบัติงานต่อเนื่อง",
                        "resigned": "ลาออกเนื่องจากย้ายที่อยู่",
                        "deceased": "ถึงแก่กรรม",
                    }.get(volunteer.status, ""),
                )
            )
    VolunteerStatusChange.objects.bulk_create(rows, batch_size=2000)
    # Recorded when they happened, as in a province that has used Carenet for years (the
    # figures of a past period say how many changes were recorded after it ended).
    zone = timezone.get_current_timezone()
    for row in rows:
        late = (row.volunteer_id + row.effective_date.toordinal()) % 4  # keeps `rng` as it was
        recorded = min(row.effective_date + timedelta(days=late), TODAY)
        row.created_at = datetime.combine(recorded, time(10), tzinfo=zone)
    VolunteerStatusChange.objects.bulk_update(rows, ["created_at"], batch_size=1000)


FLAG_CHANCES = {
    "chronic_illness": 0.18,
    "disadvantaged": 0.06,
    "disaster_affected": 0.04,
    "homeless": 0.003,
}


def make_member(
    maker: PeopleMaker,
    *,
    relation: str,
    min_age: int,
    max_age: int,
    sex: str | None = None,
    surname: str = "",
) -> Person:
    rng = maker.rng
    sex = sex or rng.choice((Sex.MALE, Sex.FEMALE))
    first, last = maker.name(sex)
    last = surname or last
    born = maker.birth_date(min_age, max_age)
    age = (TODAY - born).days // 365
    married = relation in (Relation.HEAD, Relation.SPOUSE) and age >= 18  # a child head is not
    person = Person(
        title=maker.title(sex, born, married=married),
        first_name=first,
        last_name=last,
        name_key=name_key(first, last),
        birth_date=born,
        sex=sex,
        relation=relation,
        phone=maker.phone() if age >= 15 and rng.random() < 0.6 else "",
    )
    person.set_citizen_id(maker.citizen_id())
    elderly = age >= 60
    person.bedridden = rng.random() < (0.08 if elderly else 0.005)
    if rng.random() < (0.12 if elderly else 0.03) or (person.bedridden and rng.random() < 0.5):
        person.disability = True
        person.disability_type = rng.choice(list(DisabilityType)).value
        person.disability_card_no = f"{rng.randrange(10**12):012d}"
        person.disability_allowance = rng.random() < 0.85
    for flag, chance in FLAG_CHANCES.items():
        setattr(
            person,
            flag,
            rng.random() < chance * (2 if elderly and flag == "chronic_illness" else 1),
        )
    person.pregnant = sex == Sex.FEMALE and 18 <= age <= 40 and rng.random() < 0.05
    person.elderly_allowance = elderly and rng.random() < 0.9
    person.welfare_card = age >= 18 and rng.random() < 0.35
    person.newborn_grant = age < 6 and rng.random() < 0.6
    return person


def make_household_members(maker: PeopleMaker) -> list[Person]:
    """One of the shapes vulnerable households take, with the head first."""
    rng = maker.rng
    shape = rng.choices(
        [
            "elderly_alone",
            "elderly_couple",
            "skipped_generation",
            "family",
            "single_parent",
            "disability_family",
            "children_alone",
        ],
        weights=[18, 14, 16, 30, 12, 10, 1],
    )[0]
    if shape == "elderly_alone":
        head = make_member(maker, relation=Relation.HEAD, min_age=62, max_age=92)
        head.lives_alone = True
        return [head]
    if shape == "elderly_couple":
        head = make_member(maker, relation=Relation.HEAD, min_age=60, max_age=88, sex=Sex.MALE)
        return [
            head,
            make_member(
                maker,
                relation=Relation.SPOUSE,
                min_age=58,
                max_age=85,
                sex=Sex.FEMALE,
                surname=head.last_name,
            ),
        ]
    if shape == "skipped_generation":
        head = make_member(maker, relation=Relation.HEAD, min_age=58, max_age=80)
        kids = [
            make_member(
                maker, relation=Relation.GRANDCHILD, min_age=2, max_age=16, surname=head.last_name
            )
            for _ in range(rng.randint(1, 3))
        ]
        return [head, *kids]
    if shape == "children_alone":  # left with no adult: a parent gone to work far away, or dead
        head = make_member(maker, relation=Relation.HEAD, min_age=13, max_age=17)
        younger = make_member(
            maker, relation=Relation.SIBLING, min_age=5, max_age=12, surname=head.last_name
        )
        return [head, younger]
    if shape == "single_parent":
        head = make_member(maker, relation=Relation.HEAD, min_age=22, max_age=45, sex=Sex.FEMALE)
        head.single_parent = True
        kids = [
            make_member(
                maker, relation=Relation.CHILD, min_age=0, max_age=15, surname=head.last_name
            )
            for _ in range(rng.randint(1, 3))
        ]
        return [head, *kids]
    head = make_member(maker, relation=Relation.HEAD, min_age=30, max_age=58, sex=Sex.MALE)
    members = [
        head,
        make_member(
            maker,
            relation=Relation.SPOUSE,
            min_age=28,
            max_age=55,
            sex=Sex.FEMALE,
            surname=head.last_name,
        ),
    ]
    members += [
        make_member(maker, relation=Relation.CHILD, min_age=0, max_age=20, surname=head.last_name)
        for _ in range(rng.randint(0, 3))
    ]
    if rng.random() < 0.4:
        members.append(
            make_member(
                maker, relation=Relation.PARENT, min_age=65, max_age=90, surname=head.last_name
            )
        )
    if shape == "disability_family":
        members[-1].disability = True
        members[-1].disability_type = rng.choice(list(DisabilityType)).value
    return members


def household_targets(
    villages: list[Area], volunteers: list[Volunteer], rng: random.Random, total: int
) -> Iterator[tuple[Area, Volunteer]]:
    """(village, volunteer) for each household: the village's active volunteers share them."""
    active: dict[str, list[Volunteer]] = {}
    for volunteer in volunteers:
        if volunteer.status == VolunteerStatus.ACTIVE:
            active.setdefault(volunteer._demo_village.code, []).append(volunteer)  # type: ignore[attr-defined]
    demo_village = next(v for v in villages if v.code == DEMO_VOLUNTEER_VILLAGE)
    for _ in range(DEMO_VOLUNTEER_HOUSEHOLDS):
        yield demo_village, active[demo_village.code][0]
    others = [v for v in villages if v.code != DEMO_VOLUNTEER_VILLAGE]
    remaining = total - DEMO_VOLUNTEER_HOUSEHOLDS
    for village, count in zip(others, split_evenly(remaining, len(others), rng), strict=True):
        carers = active[village.code]
        for index in range(count):
            yield village, carers[index % len(carers)]
    # The demo village's other volunteers look after nobody here: the village is small.


def make_households(
    villages: list[Area], volunteers: list[Volunteer], maker: PeopleMaker, total: int
) -> tuple[int, int]:
    rng = maker.rng
    households: list[Household] = []
    members_of: list[list[Person]] = []
    carers: list[Volunteer] = []
    places = SubdistrictPoints(rng)
    for village, volunteer in household_targets(villages, volunteers, rng, total):
        members = make_household_members(maker)
        summary = household_summary(members, TODAY)
        latitude, longitude = places.point(village.code[:6])
        households.append(
            Household(
                area=village,
                house_no=f"{rng.randint(1, 300)}/{rng.randint(1, 9)}"
                if rng.random() < 0.2
                else str(rng.randint(1, 300)),
                moo=village.moo,
                road="" if rng.random() < 0.7 else "ถนนสายหลัก",
                latitude=latitude,
                longitude=longitude,
                ownership=rng.choices([o.value for o in Ownership], weights=[70, 8, 14, 3, 3, 2])[
                    0
                ],
                condition=rng.choices([c.value for c in Condition], weights=[45, 35, 15, 5])[0],
                priority_score=summary.score,
                vulnerability=summary.groups,
                member_count=len(members),
            )
        )
        members_of.append(members)
        carers.append(volunteer)
    Household.objects.bulk_create(households, batch_size=1000)
    people: list[Person] = []
    for household, members in zip(households, members_of, strict=True):
        for person in members:
            person.household, person.area = household, household.area
            people.append(person)
    Person.objects.bulk_create(people, batch_size=1000)
    for household, members in zip(households, members_of, strict=True):
        household.head = members[0]
    Household.objects.bulk_update(households, ["head"], batch_size=1000)
    HouseholdAssignment.objects.bulk_create(
        [
            HouseholdAssignment(household=h, volunteer=v)
            for h, v in zip(households, carers, strict=True)
        ],
        batch_size=2000,
    )
    Consent.objects.bulk_create(
        [
            Consent(
                person=p,
                area=p.area,
                basis=ConsentBasis.CONSENT
                if p.title not in ("เด็กชาย", "เด็กหญิง")
                else ConsentBasis.GUARDIAN,
                purpose="การดูแลช่วยเหลือและพัฒนาคุณภาพชีวิตโดย อพม.",
                # Never before the birth: a baby's guardian consents once the baby is born.
                given_on=max(TODAY - timedelta(days=rng.randrange(30, 900)), p.birth_date or TODAY),
            )
            for p in people
        ],
        batch_size=2000,
    )
    return len(households), len(people)


def make_committees(volunteers: list[Volunteer], rng: random.Random) -> None:
    active = [v for v in volunteers if v.status == VolunteerStatus.ACTIVE]
    seats = []
    for centre in Centre.objects.filter(within(PROVINCE, "area")):
        pool = [v for v in active if v.area_id.startswith(centre.area_id)]
        chosen = rng.sample(pool, k=min(len(pool), 7))
        positions = [Position.CHAIR, Position.VICE_CHAIR, Position.SECRETARY] + [
            Position.MEMBER
        ] * 4
        for volunteer, position in zip(chosen, positions, strict=False):
            seats.append(
                CommitteeMembership(
                    centre=centre,
                    volunteer=volunteer,
                    position=position,
                    term_start=date(2024, 10, 1),
                    term_end=date(2027, 9, 30),
                )
            )
    CommitteeMembership.objects.bulk_create(seats)


def give_centres_phones() -> int:
    """A landline (Chumphon's 077) for every centre of the province that has none, so that a
    volunteer's own page has a number to call, as a real centre's would. Same numbers on
    every run; a phone someone set is kept."""
    quiet = Centre.objects.filter(within(PROVINCE, "area"), phone="").order_by("area_id")
    centres = list(quiet)
    for centre in centres:
        rng = random.Random(centre.area_id)
        centre.phone = "077" + "".join(str(rng.randrange(10)) for _ in range(6))
    Centre.objects.bulk_update(centres, ["phone"])
    return len(centres)


def ensure_centres() -> None:
    for area in Area.objects.filter(within(PROVINCE), level__in=[Level.PROVINCE, Level.DISTRICT]):
        where = f"จังหวัด{area.name_th}" if area.level == Level.PROVINCE else f"อำเภอ{area.name_th}"
        Centre.objects.get_or_create(area=area, defaults={"name": f"ศูนย์ประสานงาน อพม. {where}"})


@transaction.atomic
def build_chumphon(size: DemoSize | None = None) -> DemoCounts:
    """Builds the demo once; returns what exists afterwards. Tests pass a smaller size."""
    size = size or DemoSize()
    rng = random.Random(SEED)
    villages = ensure_villages(rng, size.villages)
    ensure_centres()
    if not Volunteer.objects.filter(within(PROVINCE, "area")).exists():
        maker = PeopleMaker(rng)
        volunteers = make_volunteers(villages, maker, size.volunteers)
        make_committees(volunteers, rng)
        make_households(villages, volunteers, maker, size.households)
    return DemoCounts(
        villages=len(villages),
        volunteers=Volunteer.objects.filter(within(PROVINCE, "area")).count(),
        households=Household.objects.filter(within(PROVINCE, "area")).count(),
        people=Person.objects.filter(within(PROVINCE, "area")).count(),
    )


def demo_volunteer() -> Volunteer | None:
    """The volunteer record the `volunteer` login is linked to."""
    return (
        Volunteer.objects.filter(assignments__household__area_id=DEMO_VOLUNTEER_VILLAGE)
        .distinct()
        .order_by("pk")
        .first()
    ) or Volunteer.objects.filter(area_id=DEMO_VOLUNTEER_VILLAGE[:6]).order_by("pk").first()
