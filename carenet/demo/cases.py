"""Requests for help in the Chumphon demo: a year of cases, the agencies, referrals and assistance.

A few hundred cases over the last twelve months (more of them recent), most in เมืองชุมพร, for
the vulnerable people of the registry: the bedridden and the elderly living alone need care,
people with disabilities need devices and registration, poor houses need repair, poverty is the
commonest. Some come from the visits' concerns, and the sensitive concerns (violence,
trafficking) become sensitive cases, restricted to the filer. Each case is played forward from
the day it was filed, step by step, with the durations people take: the review chain, send-backs
with a comment per field, the province's decision, a plan of tasks, follow-ups, referrals that
the agency answers (or not), assistance within the caps, a closure with its outcome, and now and
then a reopening. Where "now" falls in that story is the case's status, so the spread is the one
a province would show: the old cases closed, the recent ones still climbing the chain, some
overdue.

Who files follows the workflow: the `volunteer` login for their households, the `tambon`
reviewer for the rest of ต.ท่าตะเภา, the `mueang` centre elsewhere in เมืองชุมพร, and the
provincial office (`chumphon`) for the other districts (hotline, walk-ins, other agencies, and
volunteers' paper forms). Each goes to the next step its filer cannot do, as
`workflow.next_step` says. The demo logins' own cases are written by hand (PLANNED_*), so each
login's action list always holds something of every kind.

The rows are written directly (bulk_create), statuses and events together, with the same
fields `workflow.case_move` would set. Case numbers take the intake's shape, fiscal year and
key. Nothing is added when Chumphon has cases already; the agencies are ensured every run.
"""

import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from carenet.areas.models import within
from carenet.cases.models import (
    Agency,
    Assistance,
    Case,
    CaseEvent,
    CaseFollowUp,
    CaseTask,
    FieldComment,
    Referral,
    ReferralEvent,
)
from carenet.core.people import age_on
from carenet.core.thaidate import fiscal_year
from carenet.demo.cases_data import ensure_agencies
from carenet.demo.cases_story import (
    MUEANG,
    PLANNED_CHUMPHON,
    PLANNED_MUEANG,
    PLANNED_TAMBON,
    PLANNED_VOLUNTEER,
    SEED,
    SUBDISTRICT,
    Builder,
    CasesSize,
    Planner,
    R,
    S,
    Story,
    Who,
    ago,
)
from carenet.demo.chumphon import PROVINCE
from carenet.demo.fieldwork import update_rows
from carenet.households.models import HouseholdAssignment, Person, PersonStatus
from carenet.visits.models import Concern, Visit

__all__ = ["CaseCounts", "CasesSize", "build_cases"]

REVIEW = (S.SUBDISTRICT_REVIEW, S.DISTRICT_REVIEW, S.PROVINCE_REVIEW)
# Category weights for the people who are not flagged for anything in particular.
CATEGORY_WEIGHTS = {"poverty": 60, "housing": 14, "education": 6, "disaster": 6, "other": 4}
SENSITIVE_SHARE = 0.035  # of the cases that do not come from a concern


@dataclass(frozen=True)
class CaseCounts:
    cases: int = 0
    drafts: int = 0
    returned: int = 0
    in_review: int = 0
    accepted: int = 0
    declined: int = 0
    closed: int = 0
    sensitive: int = 0
    referrals: int = 0
    referrals_overdue: int = 0
    assistance: int = 0
    agencies: int = 0


# --- Who the cases are about ----------------------------------------------------------------

FLAGS = ("bedridden", "disability", "lives_alone", "chronic_illness", "single_parent",
         "homeless", "disadvantaged", "disaster_affected")  # fmt: skip


def load_people(today: date) -> list[Who]:
    """The living members of Chumphon's households, with their household's volunteer."""
    carer = dict(
        HouseholdAssignment.objects.filter(within(PROVINCE, "household__area")).values_list(
            "household_id", "volunteer_id"
        )
    )
    rows = (
        Person.objects.filter(within(PROVINCE, "area"), status=PersonStatus.ACTIVE)
        .order_by("pk")
        .values(
            "pk", "household_id", "area_id", "birth_date", "sex", "title", "first_name",
            "last_name", "relation", "phone", *FLAGS, "household__condition",
            "household__latitude", "household__longitude",
        )
    )  # fmt: skip
    return [
        Who(
            pk=row["pk"],
            household_id=row["household_id"],
            area_id=row["area_id"],
            age=age_on(row["birth_date"], today) or 40,
            sex=row["sex"],
            name=f"{row['title']}{row['first_name']} {row['last_name']}",
            relation=row["relation"],
            phone=row["phone"],
            flags={f for f in FLAGS if row[f]},
            condition=row["household__condition"],
            latitude=row["household__latitude"],
            longitude=row["household__longitude"],
            volunteer_id=carer.get(row["household_id"]),
        )
        for row in rows
    ]


def need_weight(who: Who) -> float:
    """How likely a person is to need a case: the bedridden and the disabled most."""
    weight = 0.3
    weight += 6 if "bedridden" in who.flags else 0
    weight += 4 if "disability" in who.flags else 0
    weight += 5 if "homeless" in who.flags else 0
    weight += 3 if "lives_alone" in who.flags and who.age >= 60 else 0
    weight += 1.5 if who.age >= 60 else 0
    weight += 1 if who.age < 18 else 0
    weight += 1.5 * len(who.flags & {"single_parent", "disadvantaged", "disaster_affected"})
    weight += 2 if who.condition in ("poor", "unsafe") else 0
    return weight


def weighted_sample(people: list[Who], k: int, rng: random.Random) -> list[Who]:
    """k people without replacement, each kept with odds by need_weight."""
    keyed = sorted(people, key=lambda w: rng.random() ** (1 / need_weight(w)), reverse=True)
    return keyed[:k]


def category_for(who: Who, rng: random.Random) -> str:
    flags = who.flags
    if "homeless" in flags:
        return "homeless"
    if "bedridden" in flags or ("lives_alone" in flags and who.age >= 70):
        return rng.choices(["care_needed", "poverty"], [75, 25])[0]
    if "disability" in flags:
        return rng.choices(["disability", "poverty", "housing"], [65, 20, 15])[0]
    if who.condition in ("poor", "unsafe"):
        return rng.choices(["housing", "poverty"], [65, 35])[0]
    if "disaster_affected" in flags:
        return "disaster"
    if who.age < 18:
        return rng.choices(["child_welfare", "education", "poverty"], [35, 45, 20])[0]
    if who.age >= 60:
        return rng.choices(["care_needed", "poverty", "housing", "other"], [25, 55, 12, 8])[0]
    return rng.choices(list(CATEGORY_WEIGHTS), list(CATEGORY_WEIGHTS.values()))[0]


def sensitive_category(who: Who, rng: random.Random) -> str:
    if who.age < 18:
        return "child_abuse" if rng.random() < 0.7 else "trafficking"
    if who.sex == "M" and who.age < 45:
        return "trafficking"
    return "domestic_violence"


# --- Building -------------------------------------------------------------------------------


@transaction.atomic
def build_cases(size: CasesSize | None = None, *, now: datetime | None = None) -> CaseCounts:
    """Ensures the agencies, builds a year of cases once (nothing when Chumphon has cases
    already); returns what exists afterwards."""
    now = now or timezone.now()
    ensure_agencies(random.Random(SEED))
    if not Case.objects.filter(within(PROVINCE, "area")).exists():
        _build(size or CasesSize(), now)
    return case_counts(timezone.localdate(now))


def _build(size: CasesSize, now: datetime) -> None:
    planner = Planner(size, now)
    rng = planner.rng
    people = load_people(planner.today)
    ours = set(
        HouseholdAssignment.objects.filter(
            volunteer_id=planner.volunteer_of.get(planner.volunteer.pk, 0)
        ).values_list("household_id", flat=True)
    )
    stories: list[Story] = []
    taken: set[int] = set()

    def pick(pool: list[Who], k: int) -> list[Who]:
        chosen = weighted_sample([w for w in pool if w.pk not in taken], k, rng)
        taken.update(w.pk for w in chosen)
        return chosen

    def one_each(pool: list[Who], k: int) -> list[Who]:
        """Different households first, for the planned cases."""
        by_household: dict[int, Who] = {}
        for who in sorted(pool, key=need_weight, reverse=True):
            by_household.setdefault(who.household_id, who)
        chosen = [w for w in by_household.values() if w.pk not in taken][:k]
        chosen += pick([w for w in pool if w not in chosen], k - len(chosen))
        taken.update(w.pk for w in chosen)
        return chosen

    mine = [w for w in people if w.household_id in ours]
    subdistrict = [w for w in people if w.area_id.startswith(SUBDISTRICT) and w not in mine]
    mueang = [w for w in people if w.area_id.startswith(MUEANG) and w.area_id[:6] != SUBDISTRICT]
    others = [w for w in people if not w.area_id.startswith(MUEANG)]
    for pool, filer, plans in (
        (mine, planner.volunteer, PLANNED_VOLUNTEER),
        (subdistrict, planner.tambon, PLANNED_TAMBON),
        (mueang, planner.mueang, PLANNED_MUEANG),
        (others, planner.chumphon, PLANNED_CHUMPHON),
    ):
        for who, plan in zip(one_each(pool, len(plans)), plans, strict=False):
            stories.append(planner.scripted(who, filer, plan))
    stories += planner.repeaters(pick(mueang, 1) + pick(others, 1))

    total = max(size.cases - len(stories), 0)
    from_concerns = concern_cases(planner, [w for w in people if w.household_id not in ours],
                                  round(total * 0.12), taken)  # fmt: skip
    stories += from_concerns
    total -= len(from_concerns)
    in_mueang = round(total * 0.55)
    generic = pick(subdistrict + mueang, in_mueang) + pick(others, total - in_mueang)
    sensitive_left = round(size.cases * SENSITIVE_SHARE) - sum(
        1 for s in stories if s.case.sensitive
    )
    for who in generic:
        if sensitive_left > 0 and rng.random() < 0.08:
            category, sensitive_left = sensitive_category(who, rng), sensitive_left - 1
        else:
            category = category_for(who, rng)
        days = 365 * rng.random() ** 1.4 + 0.2
        story = planner.new_case(who, category, planner.filer(who), planner.at(ago(now, days)))
        planner.play(story)
        stories.append(story)
    write(stories)


def concern_cases(planner: Builder, people: list[Who], k: int, taken: set[int]) -> list[Story]:
    """Cases raised from the visits' concerns: the sensitive ones all, then others."""
    rng, now = planner.rng, planner.now
    members: dict[int, list[Who]] = defaultdict(list)
    for who in people:
        members[who.household_id].append(who)
    concerns = list(
        Concern.objects.filter(
            within(PROVINCE, "area"), created_at__gte=now - timedelta(days=360)
        ).order_by("pk")
    )
    concerns = [c for c in concerns if c.household_id in members]
    sensitive = [c for c in concerns if c.sensitive]
    chosen = sensitive[: max(2, k // 4)]
    chosen += rng.sample([c for c in concerns if not c.sensitive], k=max(0, min(
        k - len(chosen), len(concerns) - len(sensitive))))  # fmt: skip
    problems: dict[int, set[str]] = defaultdict(set)
    for visit_id, code in Visit.problems.through.objects.filter(
        visit_id__in=[c.visit_id for c in chosen]
    ).values_list("visit_id", "problemitem_id"):
        problems[visit_id].add(code)
    stories = []
    for concern in chosen:
        found = problems.get(concern.visit_id or 0, set())
        household = [w for w in members[concern.household_id] if w.pk not in taken]
        if not household:
            continue
        category = concern_category(found, concern.sensitive)
        if category == "child_abuse":
            household = [w for w in household if w.age < 18] or household
        elif category == "domestic_violence":
            household = [w for w in household if w.age >= 18] or household
        who = max(household, key=need_weight)
        if not concern.sensitive and category == "":
            category = category_for(who, rng)
        taken.add(who.pk)
        created = concern.created_at + timedelta(hours=rng.uniform(2, 72))
        if created >= now:
            continue
        story = planner.new_case(who, category, planner.filer(who), planner.at(created))
        story.case.concern, story.case.visit_id = concern, concern.visit_id
        story.problems = list(dict.fromkeys([*sorted(found), *story.problems]))[:4]
        story.case.sensitive = story.case.sensitive or bool(found & planner.sensitive_items)
        planner.play(story)
        stories.append(story)
    return stories


def concern_category(found: set[str], sensitive: bool) -> str:
    if found & {"forced_labour", "child_labour", "sexual_exploitation", "forced_begging"}:
        return "trafficking"
    if found & {"child_abuse", "sexual_abuse"}:
        return "child_abuse"
    if sensitive or found & {"domestic_violence", "elder_abuse"}:
        return "domestic_violence"
    if "bedridden_no_carer" in found or "alone_no_carer" in found:
        return "care_needed"
    if found & {"unsafe_home", "dilapidated", "no_home"}:
        return "housing"
    if "malnutrition" in found or "low_income" in found:
        return "poverty"
    return ""


# --- Writing --------------------------------------------------------------------------------


def write(stories: list[Story]) -> None:
    cases = [s.case for s in stories]
    stamps = [c.created_at for c in cases]
    for index, case in enumerate(cases):
        case.number = f"demo-{index}"
    Case.objects.bulk_create(cases, batch_size=500)
    for case, created in zip(cases, stamps, strict=True):
        case.created_at, case.updated_at = created, case.status_changed_at or created
        case.number = f"{fiscal_year(created)}-{case.pk:06d}"
    update_rows(cases, ["number", "created_at", "updated_at"])
    Case.problems.through.objects.bulk_create(
        [Case.problems.through(case_id=s.case.pk, problemitem_id=p) for s in stories
         for p in s.problems],
        batch_size=1000,
    )  # fmt: skip
    Case.assigned.through.objects.bulk_create(
        [Case.assigned.through(case_id=s.case.pk, user_id=u) for s in stories for u in s.assigned],
        batch_size=1000,
    )
    pairs = [(s.case, e, comments) for s in stories for e, comments in s.events]
    for case, event, _ in pairs:
        event.case = case
    CaseEvent.objects.bulk_create([e for _, e, _ in pairs], batch_size=1000)
    FieldComment.objects.bulk_create(
        [
            FieldComment(case=case, event=event, field=name, comment=text,
                         resolved=event._resolved)  # type: ignore[attr-defined]
            for case, event, comments in pairs
            for name, text in comments.items()
        ],
        batch_size=1000,
    )  # fmt: skip
    tasks = [(s.case, t) for s in stories for t in s.tasks]
    for case, task in tasks:
        task.case = case
    _create_dated(CaseTask, [t for _, t in tasks], lambda t: t._created)
    follow_ups = [(s.case, f) for s in stories for f in s.follow_ups]
    for case, follow_up in follow_ups:
        follow_up.case = case
    _create_dated(
        CaseFollowUp,
        [f for _, f in follow_ups],
        lambda f: (
            timezone.make_aware(datetime.combine(f.on, datetime.min.time())) + timedelta(hours=17)
        ),
    )
    referrals = [(s.case, r, events) for s in stories for r, events in s.referrals]
    for case, referral, _ in referrals:
        referral.case = case
    _create_dated(Referral, [r for _, r, _ in referrals], lambda r: r.sent_at)
    for _, referral, referral_events in referrals:
        for referral_event in referral_events:
            referral_event.referral = referral
    ReferralEvent.objects.bulk_create(
        [e for _, _, events in referrals for e in events], batch_size=1000
    )
    aid = [(s.case, a) for s in stories for a in s.aid]
    for case, assistance in aid:
        assistance.case = case
    _create_dated(Assistance, [a for _, a in aid], lambda a: a.approved_at)


def _create_dated(model: Any, objs: list[Any], created: Any) -> None:
    """bulk_create, then the real created_at (auto_now_add stamps the time it runs)."""
    stamps = [created(o) for o in objs]
    model.objects.bulk_create(objs, batch_size=1000)
    for obj, stamp in zip(objs, stamps, strict=True):
        obj.created_at = stamp
    update_rows(objs, ["created_at"])


def case_counts(today: date) -> CaseCounts:
    cases = Case.objects.filter(within(PROVINCE, "area"))
    statuses = Counter(cases.values_list("status", flat=True))
    referrals = Referral.objects.filter(within(PROVINCE, "area"))
    return CaseCounts(
        cases=sum(statuses.values()),
        drafts=statuses[S.DRAFT],
        returned=statuses[S.RETURNED],
        in_review=sum(statuses[s] for s in REVIEW),
        accepted=statuses[S.ACCEPTED],
        declined=statuses[S.DECLINED],
        closed=statuses[S.CLOSED],
        sensitive=cases.filter(sensitive=True).count(),
        referrals=referrals.count(),
        referrals_overdue=referrals.filter(status=R.SENT, answer_due__lt=today).count(),
        assistance=Assistance.objects.filter(within(PROVINCE, "area")).count(),
        agencies=Agency.objects.filter(within(PROVINCE, "area") | Q(area__isnull=True)).count(),
    )
