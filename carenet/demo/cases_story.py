"""How one demo case is played forward (Builder), and the demo logins' own cases written by
hand (Planner). cases.py picks the people and writes the rows; see its docstring."""

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from io import BytesIO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from faker import Faker

from carenet.accounts.models import User
from carenet.areas.models import within
from carenet.cases.models import (
    Agency,
    AgencyKind,
    Assistance,
    AssistanceStatus,
    AssistanceType,
    Case,
    CaseCategory,
    CaseEvent,
    CaseFollowUp,
    CaseSource,
    CaseStatus,
    CaseTask,
    CaseTimeLimits,
    Outcome,
    Referral,
    ReferralEvent,
    ReferralStatus,
    RequesterKind,
    RequesterType,
)
from carenet.core.thaidate import fiscal_year
from carenet.demo.cases_data import (
    CATEGORY_AID,
    CATEGORY_PROBLEMS,
    CLOSING_NOTES,
    DECLINE_REASONS,
    FIELD_COMMENTS,
    FOLLOW_UP_NOTES,
    HELP_WANTED,
    REFERRAL_NEEDS,
    REOPEN_REASONS,
    TASKS,
)
from carenet.demo.chumphon import DEMO_VOLUNTEER_VILLAGE, PROVINCE
from carenet.visits.models import ProblemItem
from carenet.volunteers.models import Volunteer

SEED = 8630
CASE_TOTAL = 420
MUEANG = "8601"
SUBDISTRICT = DEMO_VOLUNTEER_VILLAGE[:6]  # ต.ท่าตะเภา: the `tambon` and `volunteer` logins
S = CaseStatus
R = ReferralStatus
REVIEW = (S.SUBDISTRICT_REVIEW, S.DISTRICT_REVIEW, S.PROVINCE_REVIEW)


@dataclass(frozen=True)
class CasesSize:
    cases: int = CASE_TOTAL


@dataclass
class Who:
    """A person the registry holds, as the builder needs them."""

    pk: int
    household_id: int
    area_id: str
    age: int
    sex: str
    name: str
    relation: str
    phone: str
    flags: set[str]
    condition: str
    latitude: Decimal | None
    longitude: Decimal | None
    volunteer_id: int | None


@dataclass
class Story:
    """One case played forward: the row, its events and everything hanging on it."""

    case: Case
    who: Who
    events: list[tuple[CaseEvent, dict[str, str]]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    assigned: set[int] = field(default_factory=set)
    tasks: list[CaseTask] = field(default_factory=list)
    follow_ups: list[CaseFollowUp] = field(default_factory=list)
    referrals: list[tuple[Referral, list[ReferralEvent]]] = field(default_factory=list)
    aid: list[Assistance] = field(default_factory=list)

    def move(
        self,
        to: str,
        by: User,
        at: datetime,
        reason: str = "",
        comments: dict[str, str] | None = None,
        outcome: str = "",
    ) -> datetime:
        """What workflow.case_move writes (its _apply), without the checks and the audit."""
        case, source = self.case, self.case.status
        case.status, case.status_changed_at = to, at
        if source == S.DRAFT and case.submitted_at is None:
            case.submitted_at = at
        if to == S.RETURNED:
            case.returned_from = source
        if source not in (S.DRAFT, S.RETURNED) and case.acknowledged_at is None:
            case.acknowledged_at, case.acknowledged_by = at, by
        if to in (S.ACCEPTED, S.DECLINED) and source == S.PROVINCE_REVIEW:
            case.decided_at = at
        if to == S.CLOSED:
            case.closed_at, case.outcome, case.outcome_note = at, outcome, reason
        if source == S.CLOSED:
            case.closed_at, case.outcome = None, ""
        if source == S.RETURNED:
            for event, _ in self.events:
                event._resolved = True  # type: ignore[attr-defined]
        event = CaseEvent(from_status=source, to_status=to, by=by, at=at, reason=reason)
        event._resolved = False  # type: ignore[attr-defined]
        self.events.append((event, comments or {}))
        return at

    def acknowledge(self, by: User, at: datetime) -> None:
        if self.case.acknowledged_at is None:
            self.case.acknowledged_at, self.case.acknowledged_by = at, by


class Builder:
    def __init__(self, size: CasesSize, now: datetime) -> None:
        self.rng = random.Random(SEED)
        self.faker = Faker("th_TH")
        self.faker.seed_instance(SEED)
        self.now = now
        self.today = timezone.localdate(now)
        self.size = size
        users = {u.username: u for u in User.objects.filter(is_demo=True)}
        missing = {"volunteer", "tambon", "mueang", "chumphon"} - set(users)
        if missing:
            raise RuntimeError(f"The demo logins come first: {', '.join(sorted(missing))}")
        self.volunteer, self.tambon = users["volunteer"], users["tambon"]
        self.mueang, self.chumphon = users["mueang"], users["chumphon"]
        self.volunteer_of = dict(
            Volunteer.objects.filter(user__in=[self.volunteer, self.tambon]).values_list(
                "user_id", "pk"
            )
        )
        limits = CaseTimeLimits.objects.filter(area_id=PROVINCE).first() or CaseTimeLimits()
        self.limits: dict[str, int] = {
            S.SUBDISTRICT_REVIEW: limits.subdistrict_review_days,
            S.DISTRICT_REVIEW: limits.district_review_days,
            S.PROVINCE_REVIEW: limits.province_review_days,
        }
        self.urgent_hours = limits.acknowledge_urgent_hours
        self.answer_days = limits.referral_answer_days
        self.categories = {c.code: c for c in CaseCategory.objects.all()}
        self.aid_types = {t.code: t for t in AssistanceType.objects.all()}
        self.sensitive_items = set(
            ProblemItem.objects.filter(area__sensitive=True).values_list("code", flat=True)
        )
        self.agencies: dict[str, list[Agency]] = defaultdict(list)
        # In the order they were made: names sort differently in SQLite and PostgreSQL.
        agencies = Agency.objects.filter(within(PROVINCE, "area"), active=True).order_by("pk")
        for agency in agencies:
            self.agencies[agency.area_id or ""].append(agency)
        # Baht approved by (person, assistance type, fiscal year), to stay within the caps.
        self.aid_used: defaultdict[tuple[int, str, int], Decimal] = defaultdict(Decimal)
        self.signatures = demo_signatures()
        self.letters = 0
        self.receipts = 0

    # --- Who files, who checks -----------------------------------------------------------

    def filer(self, who: Who) -> User:
        if who.area_id.startswith(SUBDISTRICT):
            return self.tambon
        return self.mueang if who.area_id.startswith(MUEANG) else self.chumphon

    def chain(self, filer: User) -> list[tuple[str, User]]:
        """The review steps after filing, as workflow.next_step gives them for the demo's
        people: nobody checks at a level they already cover as the filer."""
        steps: list[tuple[str, User]] = [(S.PROVINCE_REVIEW, self.chumphon)]
        if filer in (self.volunteer, self.tambon):
            steps.insert(0, (S.DISTRICT_REVIEW, self.mueang))
        if filer == self.volunteer:
            steps.insert(0, (S.SUBDISTRICT_REVIEW, self.tambon))
        return steps

    def manager(self, who: Who) -> User:
        return self.mueang if who.area_id.startswith(MUEANG) else self.chumphon

    # --- A case's request ---------------------------------------------------------------

    def new_case(self, who: Who, category: str, filer: User, created: datetime) -> Story:
        rng = self.rng
        cat = self.categories[category]
        problems = list(CATEGORY_PROBLEMS[category])
        problems = rng.sample(problems, k=min(len(problems), rng.randint(1, 2)))
        if who.age >= 60 and "no_allowance" not in problems and rng.random() < 0.15:
            problems.append("no_allowance")
        help_text, amount = HELP_WANTED[category]
        case = Case(
            area_id=who.area_id,
            household_id=who.household_id,
            person_id=who.pk,
            category=cat,
            source=self.source(who, filer),
            requester_types=self.requester_types(who),
            help_wanted=help_text,
            amount_requested=Decimal(amount) if amount else None,
            latitude=who.latitude,
            longitude=who.longitude,
            status=S.DRAFT,
            urgent=cat.urgency == "urgent",
            sensitive=cat.sensitive or any(p in self.sensitive_items for p in problems),
            filed_by=filer,
            volunteer_id=self.volunteer_of.get(filer.pk) or who.volunteer_id,
            status_changed_at=created,
        )
        case.created_at = created
        if rng.random() < 0.6:
            case.welfare_count = rng.randint(0, 3)
            case.welfare_baht = Decimal(rng.choice((0, 1000, 2000, 3000)) * case.welfare_count)
            case.welfare_types = "เงินสงเคราะห์ฉุกเฉิน" if case.welfare_count else ""
        self.requester(case, who)
        case.consent_signature = rng.choice(self.signatures)
        case.consent_signed_at = created + timedelta(minutes=rng.randint(1, 10))
        story = Story(case=case, who=who, problems=problems, assigned={filer.pk})
        return story

    def source(self, who: Who, filer: User) -> str:
        if filer in (self.volunteer, self.tambon):
            return CaseSource.VOLUNTEER
        weights = (70, 12, 8, 8, 2) if filer == self.mueang else (45, 25, 15, 12, 3)
        return self.rng.choices(list(CaseSource.values), weights)[0]

    def requester_types(self, who: Who) -> list[str]:
        types = []
        if who.age < 18:
            types.append(RequesterType.CHILD)
        if who.age >= 60:
            types.append(RequesterType.ELDERLY)
        if "disability" in who.flags:
            types.append(RequesterType.DISABLED)
        if who.sex == "F" and 18 <= who.age < 60:
            types.append(RequesterType.WOMAN)
        if "homeless" in who.flags:
            types.append(RequesterType.HOMELESS)
        if "disaster_affected" in who.flags:
            types.append(RequesterType.DISASTER)
        if "disadvantaged" in who.flags:
            types.append(RequesterType.DISADVANTAGED)
        if not types or self.rng.random() < 0.4:
            types.append(RequesterType.LOW_INCOME)
        return [str(t) for t in types]

    def requester(self, case: Case, who: Who) -> None:
        """A bedridden person or a child is asked for by a carer; others mostly ask themselves."""
        rng = self.rng
        on_behalf = who.age < 18 or "bedridden" in who.flags or rng.random() < 0.2
        if not on_behalf:
            case.requester_kind = RequesterKind.SELF
            case.requester_phone = who.phone
            return
        case.requester_kind = RequesterKind.ON_BEHALF
        sex = rng.choice(("M", "F"))
        first = self.faker.first_name_male() if sex == "M" else self.faker.first_name_female()
        surname = who.name.split()[-1]
        title = "นาย" if sex == "M" else "นาง"
        if who.age < 18:
            relation = rng.choice(("มารดา", "บิดา", "ยาย", "ตา", "ป้า"))
        elif who.age >= 60:
            relation = rng.choice(("บุตร", "บุตร", "หลาน", "คู่สมรส"))
        else:
            relation = rng.choice(("คู่สมรส", "พี่น้อง", "บุตร"))
            if rng.random() < 0.2:
                surname, relation = self.faker.last_name(), "เพื่อนบ้าน"
        case.requester_name = f"{title}{first} {surname}"
        case.requester_relation = relation
        case.requester_phone = "0" + rng.choice("689") + f"{rng.randrange(10**8):08d}"

    # --- Playing a case forward ----------------------------------------------------------

    def at(self, moment: datetime) -> datetime:
        """Moves a moment forward into working hours (never past now)."""
        rng, local = self.rng, timezone.localtime(moment)
        if local.hour >= 18:
            local += timedelta(days=1)
        if local.hour >= 18 or local.hour < 8:
            local = local.replace(hour=rng.randint(8, 10), minute=rng.randrange(60))
        return min(local, self.now - timedelta(minutes=5))

    def play(self, story: Story) -> None:
        """Moves a case along the chain while the moments stay in the past."""
        rng, case = self.rng, story.case
        filer = case.filed_by
        t = case.created_at
        draft_days = rng.choices(
            [rng.uniform(0.02, 0.3), rng.uniform(1, 3), rng.uniform(3, 10)], [80, 15, 5]
        )[0]
        t = t + timedelta(days=draft_days)
        if t >= self.now:
            return
        steps = self.chain(filer)
        t = story.move(steps[0][0], filer, self.at(t))
        returned = False
        for index, (step, reviewer) in enumerate(steps):
            limit = self.limits[step]
            while True:
                if case.urgent and rng.random() < 0.85:
                    seen = t + timedelta(hours=rng.uniform(1, self.urgent_hours * 0.8))
                    if seen < self.now:
                        story.acknowledge(reviewer, seen)
                stuck = rng.random() < 0.06
                days = rng.uniform(limit, limit * 4) if stuck else rng.triangular(0.1, limit, 1)
                t = t + timedelta(days=days * (0.5 if case.urgent else 1))
                if t >= self.now:
                    return
                if not returned and rng.random() < 0.07:
                    returned = True
                    t = story.move(S.RETURNED, reviewer, self.at(t), *self.send_back(case))
                    t += timedelta(days=rng.uniform(0.3, 5))
                    if t >= self.now:
                        return
                    t = story.move(step, filer, self.at(t))
                    continue
                break
            if index + 1 < len(steps):
                t = story.move(steps[index + 1][0], reviewer, self.at(t))
        self.decide(story, t)

    def send_back(self, case: Case) -> tuple[str, dict[str, str]]:
        fields = self.rng.sample(list(FIELD_COMMENTS), k=self.rng.randint(1, 3))
        comments = {f: self.rng.choice(FIELD_COMMENTS[f]) for f in fields}
        return "ขอให้แก้ไขตามความเห็นรายช่อง แล้วส่งกลับมาอีกครั้ง", comments

    def decide(self, story: Story, t: datetime) -> None:
        rng, case = self.rng, story.case
        if rng.random() < 0.1 and not case.sensitive:
            story.move(S.DECLINED, self.chumphon, self.at(t), rng.choice(DECLINE_REASONS))
            return
        decided = story.move(S.ACCEPTED, self.chumphon, self.at(t), "อนุมัติให้ดำเนินการช่วยเหลือ")
        work_days = rng.choice((rng.uniform(10, 40), rng.uniform(20, 90), rng.uniform(60, 160)))
        closes = decided + timedelta(days=work_days)
        self.work(story, decided, min(closes, self.now))
        if closes < self.now:
            closed = self.close(story, closes)
            if rng.random() < 0.04:
                reopened = closed + timedelta(days=rng.uniform(5, 30))
                if reopened < self.now:
                    at = story.move(
                        S.ACCEPTED, self.manager(story.who), self.at(reopened),
                        rng.choice(REOPEN_REASONS),
                    )  # fmt: skip
                    story.tasks.append(self.task(story, at, open_=True))

    def close(self, story: Story, at: datetime) -> datetime:
        rng, who = self.rng, story.who
        died = 8 if who.age >= 70 or "bedridden" in who.flags else 1
        outcome = rng.choices(
            [Outcome.SOLVED, Outcome.REFERRED_ON, Outcome.MOVED, Outcome.DIED, Outcome.DECLINED],
            [62, 16, 5, died, 6],
        )[0]
        note = rng.choice(CLOSING_NOTES[outcome])
        return story.move(S.CLOSED, self.manager(who), self.at(at), note, outcome=outcome)

    # --- Working a case: tasks, follow-ups, referrals, assistance -------------------------

    def work(self, story: Story, decided: datetime, until: datetime) -> None:
        """The plan, follow-ups, referrals and assistance between the decision and `until`
        (the closure, or now)."""
        rng = self.rng
        closing = until < self.now - timedelta(minutes=10)
        for _ in range(rng.randint(1, 3)):
            story.tasks.append(self.task(story, decided, until=until if closing else None))
        day = decided + timedelta(days=rng.uniform(7, 25))
        while day < until:
            by = rng.choice((story.case.filed_by, self.manager(story.who)))
            story.follow_ups.append(
                CaseFollowUp(on=timezone.localdate(day), note=rng.choice(FOLLOW_UP_NOTES), by=by)
            )
            day += timedelta(days=rng.uniform(14, 40))
        if rng.random() < 0.5:
            self.refer(story, decided + timedelta(days=rng.uniform(0.5, 6)), until, closing)
        if rng.random() < 0.55 or story.case.category_id == "poverty":
            self.assist(story, decided + timedelta(days=rng.uniform(0.2, 5)), until, closing)

    def task(
        self, story: Story, start: datetime, until: datetime | None = None, open_: bool = False
    ) -> CaseTask:
        rng, case = self.rng, story.case
        what, who_text = rng.choice(TASKS[case.category_id])
        due = timezone.localdate(start) + timedelta(days=rng.randint(7, 30))
        who = None if who_text else rng.choice((case.filed_by, self.manager(story.who)))
        done_on = None
        if not open_:
            done = timezone.localdate(start) + timedelta(days=rng.randint(3, 40))
            last = timezone.localdate(until) if until is not None else self.today
            if until is not None:
                done_on = min(done, last)
            elif done <= last and rng.random() < 0.8:
                done_on = done
        task = CaseTask(what=what, who=who, who_text=who_text, due_on=due, done_on=done_on)
        task.created_by = self.manager(story.who)
        task._created = start  # type: ignore[attr-defined]
        return task

    def refer(self, story: Story, sent: datetime, until: datetime, closing: bool) -> None:
        rng, case = self.rng, story.case
        if sent >= until:
            return
        options = [
            (agency, need)
            for kind, need in REFERRAL_NEEDS[case.category_id]
            for code in (case.area_id[:6], case.area_id[:4], PROVINCE)
            for agency in self.agencies.get(code, [])
            if agency.kind == kind
        ]
        if not options:
            return
        agency, need = rng.choice(options)
        self.letters += 1
        sent = self.at(sent)
        referral = Referral(
            area_id=case.area_id,
            agency=agency,
            need=need,
            letter_no=f"ชพ 0020/{self.letters + 300}",
            status=R.SENT,
            sent_at=sent,
            answer_due=timezone.localdate(sent) + timedelta(days=self.answer_days),
            status_changed_at=sent,
            sent_by=self.manager(story.who),
        )
        by = self.manager(story.who)
        events = [ReferralEvent(from_status="", to_status=R.SENT, by=by, at=sent)]
        silent = not closing and rng.random() < 0.2  # the agency has not answered
        t = sent
        path = [R.RECEIVED, R.IN_PROGRESS, R.DONE] if rng.random() < 0.9 else [R.DECLINED]
        if rng.random() < 0.3 and path[0] == R.RECEIVED:
            path = path[1:]  # the agency answered straight that it is on it
        for status in [] if silent else path:
            step = {R.RECEIVED: (0.5, 5), R.IN_PROGRESS: (1, 10), R.DONE: (4, 40)}
            before, t = t, t + timedelta(days=rng.uniform(*step.get(status, (1, 8))))
            if t >= until:
                if not closing:
                    break
                t = before + (until - before) * rng.uniform(0.3, 0.9)  # answered before closing
            note = ""
            if status == R.DONE:
                note = "ดำเนินการตามที่ส่งต่อเรียบร้อยแล้ว"
            elif status == R.DECLINED:
                note = "ไม่อยู่ในอำนาจหน้าที่ของหน่วยงาน ขอให้ประสานหน่วยงานอื่น"
            events.append(
                ReferralEvent(from_status=referral.status, to_status=status, by=by, at=t, note=note)
            )
            referral.status, referral.status_changed_at = status, t
            if note:
                referral.result = note
        story.referrals.append((referral, events))

    def assist(self, story: Story, approved: datetime, until: datetime, closing: bool) -> None:
        rng, case = self.rng, story.case
        if approved >= until:
            return
        codes = list(CATEGORY_AID[case.category_id])
        for code in rng.sample(codes, k=min(len(codes), rng.choice((1, 1, 2)))):
            self.aid(story, code, self.at(approved), until, closing)

    def aid(
        self,
        story: Story,
        code: str,
        approved: datetime,
        until: datetime,
        closing: bool,
        amount: Decimal | None = None,
        override: str = "",
        give: bool | None = None,
    ) -> Assistance | None:
        rng, who, kind = self.rng, story.who, self.aid_types[code]
        year = fiscal_year(approved)
        if amount is None:
            amount = Decimal(aid_amount(kind.kind, code, rng))
            room = [c for c in (kind.cap_per_case, kind.cap_per_year) if c is not None]
            if kind.cap_per_year is not None:
                room.append(kind.cap_per_year - self.aid_used[(who.pk, code, year)])
            amount = min([amount, *room])
            if kind.kind != "registration" and amount <= 0:
                return None
        self.aid_used[(who.pk, code, year)] += amount
        aid = Assistance(
            person_id=who.pk,
            household_id=who.household_id,
            area_id=who.area_id,
            assistance_type=kind,
            fiscal_year=year,
            amount=amount,
            description=kind.name_th,
            approved_by=self.chumphon,
            approved_at=approved,
            override_reason=override,
        )
        given = approved + timedelta(days=rng.uniform(1, 20))
        if give is None:
            give = closing or (given < until and rng.random() < 0.75)
        if give:
            given = min(given, until - timedelta(hours=1)) if closing else min(given, self.now)
            self.receipts += 1
            aid.status, aid.given_on = AssistanceStatus.GIVEN, timezone.localdate(given)
            aid.given_by = self.manager(who)
            aid.evidence_note = evidence_note(kind.kind, self.receipts, fiscal_year(given))
        story.aid.append(aid)
        return aid


def aid_amount(kind: str, code: str, rng: random.Random) -> int:
    if kind == "registration":
        return 0
    if kind == "repair":
        return rng.randrange(12_000, 40_001, 500)
    if code == "devices":
        return rng.choice((2_500, 3_500, 6_000, 9_000))
    if kind == "goods":
        return rng.choice((500, 800, 1_000, 1_500))
    return rng.choice((1_000, 1_500, 2_000, 3_000, 3_000))


def evidence_note(kind: str, number: int, year: int) -> str:
    if kind == "cash":
        return f"ใบสำคัญรับเงิน เลขที่ {number}/{year}"
    if kind == "registration":
        return f"ยื่นแบบคำขอขึ้นทะเบียนแล้ว ทะเบียนรับเลขที่ {number}/{year}"
    if kind == "repair":
        return f"ใบส่งมอบงานซ่อมแซมบ้าน เลขที่ {number}/{year} พร้อมภาพถ่ายก่อนและหลัง"
    return f"ใบรับสิ่งของ เลขที่ {number}/{year}"


# --- The demo logins' own cases, written by hand --------------------------------------------

# (category, days ago filed, moves as (status, login, days ago)); "returned" moves carry the
# field comments. After the moves: "refer" (a referral the agency finished), "aid" (cash given),
# "close" (closed as solved), "late_task" (a task past its date).
Plan = tuple[str, float, list[tuple[str, str, float]], str]
PLANNED_VOLUNTEER: list[Plan] = [
    ("poverty", 0.8, [], ""),
    ("housing", 6.2, [("subdistrict_review", "volunteer", 6), ("returned", "tambon", 4)], ""),
    ("housing", 5.0, [("subdistrict_review", "volunteer", 4.6)], ""),
    ("care_needed", 1.5, [("subdistrict_review", "volunteer", 1.4)], ""),
    ("disability", 4.0, [("subdistrict_review", "volunteer", 3.8),
                         ("district_review", "tambon", 1.2)], ""),
    ("poverty", 10, [("subdistrict_review", "volunteer", 9.8), ("district_review", "tambon", 8),
                     ("province_review", "mueang", 5)], ""),
    # The referral is answered (done) eleven days ago, the other case closed 25 days ago: both
    # show in the volunteer's "how my cases ended" (the last 30 days).
    ("care_needed", 45, [("subdistrict_review", "volunteer", 44.8),
                         ("district_review", "tambon", 44), ("province_review", "mueang", 42),
                         ("accepted", "chumphon", 38)], "refer"),
    ("poverty", 55, [("subdistrict_review", "volunteer", 54.8),
                     ("district_review", "tambon", 54), ("province_review", "mueang", 51),
                     ("accepted", "chumphon", 45)], "aid close"),
]  # fmt: skip
PLANNED_TAMBON: list[Plan] = [
    ("poverty", 7, [("district_review", "tambon", 6.5)], ""),
    ("care_needed", 2.2, [("district_review", "tambon", 2)], ""),
    ("housing", 1.2, [("district_review", "tambon", 1)], ""),
    ("disability", 5, [("district_review", "tambon", 4.8), ("returned", "mueang", 2)], ""),
    ("education", 0.5, [], ""),
]
PLANNED_MUEANG: list[Plan] = [
    ("housing", 9, [("province_review", "mueang", 8.8), ("returned", "chumphon", 3)], ""),
    ("care_needed", 40, [("province_review", "mueang", 39.5), ("accepted", "chumphon", 35)],
     "late_task"),
    ("poverty", 12, [("province_review", "mueang", 11.5)], ""),
    ("child_welfare", 1.8, [("province_review", "mueang", 1.6)], ""),
    ("disability", 30, [("province_review", "mueang", 29), ("declined", "chumphon", 25)], ""),
]  # fmt: skip
PLANNED_CHUMPHON: list[Plan] = [
    ("housing", 16, [("province_review", "chumphon", 15)], ""),
    ("poverty", 35, [("province_review", "chumphon", 34), ("accepted", "chumphon", 30)],
     "silent_referral"),
    ("care_needed", 20, [("province_review", "chumphon", 19), ("accepted", "chumphon", 14)],
     "pending_aid"),
    ("housing", 120, [("province_review", "chumphon", 118), ("accepted", "chumphon", 110),
                      ("closed", "chumphon", 60), ("accepted", "chumphon", 20)], "override"),
]  # fmt: skip


def ago(now: datetime, days: float) -> datetime:
    return now - timedelta(days=days)


class Planner(Builder):
    """The scripted cases: exact statuses for the demo logins' lists."""

    def user(self, login: str) -> User:
        return {
            "volunteer": self.volunteer,
            "tambon": self.tambon,
            "mueang": self.mueang,
            "chumphon": self.chumphon,
        }[login]

    def scripted(self, who: Who, filer: User, plan: Plan) -> Story:
        category, filed, moves, extra = plan
        story = self.new_case(who, category, filer, ago(self.now, filed))
        for status, login, days in moves:
            reason, comments = "", dict[str, str]()
            if status == S.RETURNED:
                reason, comments = self.send_back(story.case)
            elif status == S.ACCEPTED and story.case.status == S.CLOSED:
                reason = REOPEN_REASONS[0]
            elif status == S.DECLINED:
                reason = DECLINE_REASONS[0]
            outcome = Outcome.SOLVED if status == S.CLOSED else ""
            if outcome:
                reason = CLOSING_NOTES[Outcome.SOLVED][0]
            story.move(status, self.user(login), ago(self.now, days), reason, comments, outcome)
        case = story.case
        if case.status == S.ACCEPTED or "close" in extra:
            self.planned_work(story, extra)
        return story

    def planned_work(self, story: Story, extra: str) -> None:
        case, rng = story.case, self.rng
        decided = case.decided_at or case.status_changed_at
        assert decided is not None
        closes = decided + timedelta(days=20) if "close" in extra else self.now
        story.tasks.append(self.task(story, decided, until=closes if "close" in extra else None))
        story.follow_ups.append(
            CaseFollowUp(
                on=timezone.localdate(decided + timedelta(days=9)),
                note=FOLLOW_UP_NOTES[0],
                by=case.filed_by,
            )
        )
        if "refer" in extra:
            self.refer_planned(story, decided + timedelta(days=2), "received in_progress done")
            task = self.task(story, self.now - timedelta(days=3), open_=True)
            task.who, task.who_text = case.filed_by, ""
            task.due_on = self.today + timedelta(days=10)
            story.tasks.append(task)
        if "late_task" in extra:
            self.refer_planned(story, decided + timedelta(days=1), "received")
            task = self.task(story, decided, open_=True)
            task.who, task.who_text = self.mueang, ""
            task.due_on = self.today - timedelta(days=10)
            story.tasks.append(task)
        if "silent_referral" in extra:
            self.refer(story, self.now - timedelta(days=16), self.now, closing=False)
            if story.referrals:
                referral, events = story.referrals[-1]
                del events[1:]
                referral.status, referral.status_changed_at = R.SENT, referral.sent_at
                referral.result = ""
        if "pending_aid" in extra:
            self.refer_planned(story, decided + timedelta(days=1), "received in_progress")
            # An agency that said no, so that every referral status shows in any demo.
            self.refer_planned(story, decided + timedelta(days=1), "received declined")
            # And one sent to the wrong agency, taken back the same day.
            self.refer_planned(story, decided + timedelta(days=1), "withdrawn")
            for code in ("low_income_family", "goods"):
                self.aid(story, code, decided + timedelta(days=1), self.now, False, give=False)
        if "aid" in extra:
            self.aid(story, "emergency_cash", decided + timedelta(days=2), closes, True,
                     amount=Decimal(3000))  # fmt: skip
        if "override" in extra:
            self.aid(
                story, "elderly_home_repair", decided + timedelta(days=3), closes, True,
                amount=Decimal(45_000),
                override=(
                    "บ้านเสียหายหนักจากพายุ ต้องเปลี่ยนโครงหลังคาและเสาทั้งหลัง ราคากลางของ "
                    "โยธาธิการจังหวัด 45,000 บาท ผู้สูงอายุอยู่ลำพัง ไม่มีที่พักอื่น"
                ),
            )  # fmt: skip
        if "close" in extra:
            story.move(
                S.CLOSED, self.manager(story.who), self.at(closes),
                CLOSING_NOTES[Outcome.SOLVED][0], outcome=Outcome.SOLVED,
            )  # fmt: skip
        rng.random()

    def refer_planned(self, story: Story, sent: datetime, path: str) -> None:
        """A referral to the health centre nearest the case, answered as far as `path` says
        (days after sending of each answer)."""
        case = story.case
        agencies = self.agencies.get(case.area_id[:6], []) + self.agencies.get(case.area_id[:4], [])
        agency = next((a for a in agencies if a.kind == AgencyKind.HEALTH), None)
        if agency is None:
            return
        by = self.manager(story.who)
        self.letters += 1
        referral = Referral(
            area_id=case.area_id, agency=agency, letter_no=f"ชพ 0020/{self.letters + 300}",
            need=REFERRAL_NEEDS["care_needed"][0][1], sent_at=sent, sent_by=by,
            answer_due=timezone.localdate(sent) + timedelta(days=self.answer_days),
            status=R.SENT, status_changed_at=sent,
        )  # fmt: skip
        events = [ReferralEvent(from_status="", to_status=R.SENT, by=by, at=sent)]
        done = "จัดผู้ดูแลผู้ป่วยติดเตียง (Caregiver) เยี่ยมบ้านสัปดาห์ละ 2 ครั้ง และมอบที่นอนลมแล้ว"
        days = {"received": 1, "in_progress": 5, "done": 25, "declined": 4, "withdrawn": 0.1}
        notes: dict[str, str] = {
            R.DONE: done,
            R.DECLINED: "ไม่อยู่ในอำนาจหน้าที่ของหน่วยงาน ขอให้ประสานโรงพยาบาลชุมชน",
            R.WITHDRAWN: "ส่งผิดหน่วยงาน ส่งใหม่ถึงหน่วยงานที่รับผิดชอบแล้ว",
        }
        for status in path.split():
            at = sent + timedelta(days=days[status])
            note = notes.get(status, "")
            events.append(
                ReferralEvent(
                    from_status=referral.status, to_status=status, by=by, at=at, note=note
                )
            )
            referral.status, referral.status_changed_at, referral.result = status, at, note
        story.referrals.append((referral, events))

    def repeaters(self, people: list[Who]) -> list[Story]:
        """People helped several times in one fiscal year, so the cap summary shows something:
        two cash aids this year and a third request waiting for the decision, and three aids
        last year that reached the yearly cap."""
        stories: list[Story] = []
        fy_start = date(self.today.year - (0 if self.today.month >= 10 else 1), 10, 1)
        elapsed = (self.today - fy_start).days
        this_year = elapsed >= 40
        first, second = (elapsed - 3, elapsed // 2) if this_year else (300, 250)
        for who, ages in ((people[0], (first, second, 3)), (people[1], (330, 270, 220))):
            filer = self.filer(who)
            for index, days in enumerate(ages):
                story = self.new_case(who, "poverty", filer, ago(self.now, days))
                story.move(S.PROVINCE_REVIEW, filer, ago(self.now, days - 0.2))
                waiting = who is people[0] and index == 2
                if not waiting:
                    story.move(S.ACCEPTED, self.chumphon, ago(self.now, days - 2))
                    self.aid(story, "emergency_cash", ago(self.now, days - 3),
                             ago(self.now, days - 12), True, amount=Decimal(3000))  # fmt: skip
                    story.move(
                        S.CLOSED, self.manager(who), ago(self.now, days - 12),
                        CLOSING_NOTES[Outcome.SOLVED][1], outcome=Outcome.SOLVED,
                    )  # fmt: skip
                stories.append(story)
        return stories


# --- Consent signatures ---------------------------------------------------------------------


def demo_signatures(count: int = 6) -> list[str]:
    """A few drawn signatures, stored once and shared by the demo's requests."""
    from PIL import Image, ImageDraw

    names = []
    rng = random.Random(SEED)
    for index in range(count):
        name = f"cases/signatures/demo/consent-demo-{index + 1}.png"
        names.append(name)
        if default_storage.exists(name):
            continue
        image = Image.new("RGBA", (480, 160), (255, 255, 255, 0))
        draw = ImageDraw.Draw(image)
        x, y = 40.0, 90.0
        points = [(x, y)]
        for _ in range(28):
            x += rng.uniform(6, 18)
            y = min(140.0, max(20.0, y + rng.uniform(-30, 30)))
            points.append((x, y))
        draw.line(points, fill=(20, 30, 90, 255), width=4, joint="curve")
        draw.line([(60, 128), (x - 20, 122)], fill=(20, 30, 90, 255), width=3)
        buffer = BytesIO()
        image.save(buffer, format="PNG")
        default_storage.save(name, ContentFile(buffer.getvalue()))
    return names
