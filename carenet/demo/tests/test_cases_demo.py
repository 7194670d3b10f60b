"""The demo's cases, at a small size: every status, every demo login with something to act on,
referrals and assistance in every state, the caps kept, and a second run adds nothing."""

import itertools
from collections import Counter
from datetime import timedelta
from importlib import import_module

import pytest
from django.apps import apps
from django.db import transaction
from django.db.models import Count, Sum
from django.test import override_settings
from django.utils import timezone

from carenet.accounts.models import User
from carenet.areas.models import within
from carenet.areas.services import areas_load_from_geothai
from carenet.cases import workflow
from carenet.cases.access import cases_visible, shows_details
from carenet.cases.models import (
    Agency,
    AgencyKind,
    Assistance,
    AssistanceStatus,
    AssistanceType,
    Case,
    CaseCategory,
    CaseEvent,
    CaseStatus,
    CaseTask,
    FieldComment,
    Outcome,
    Referral,
    ReferralEvent,
    ReferralStatus,
)
from carenet.core.thaidate import fiscal_year
from carenet.demo.cases import CasesSize, build_cases
from carenet.demo.chumphon import DemoSize, build_chumphon
from carenet.demo.fieldwork import build_fieldwork
from carenet.demo.management.commands.demo import (
    link_demo_volunteer,
    link_subdistrict_volunteer,
)
from carenet.demo.users import DEMO_LOGINS, demo_users_ensure
from carenet.visits.models import ProblemArea

pytestmark = pytest.mark.django_db

SMALL = DemoSize(villages=140, volunteers=300, households=400)
S = CaseStatus
REVIEW_LEVEL: dict[str, int] = {S.SUBDISTRICT_REVIEW: 6, S.DISTRICT_REVIEW: 4, S.PROVINCE_REVIEW: 2}
LIMIT_DAYS: dict[str, int] = {S.SUBDISTRICT_REVIEW: 3, S.DISTRICT_REVIEW: 3, S.PROVINCE_REVIEW: 7}


@pytest.fixture(scope="module")
def now():
    return timezone.now()


@pytest.fixture(scope="module")
def demo(now, django_db_setup, django_db_blocker, tmp_path_factory):
    """One small demo for the whole module (it takes most of a minute), rolled back after."""
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
            # What a transactional test that ran before may have emptied.
            for model, app in ((ProblemArea, "visits"), (CaseCategory, "cases")):
                if not model.objects.exists():
                    import_module(f"carenet.{app}.migrations.0002_reference_data").load(apps, None)
            areas_load_from_geothai(province_codes=["86"])
            build_chumphon(SMALL)
            demo_users_ensure()
            link_demo_volunteer()
            link_subdistrict_volunteer()
            build_fieldwork(now=now)
            yield build_cases(CasesSize(cases=90), now=now)
        transaction.set_rollback(True)


def login(name: str) -> User:
    return User.objects.get(username=name)


def waiting(user: User, status: str):
    """Cases waiting at a review step that this user may do (the action list's first part)."""
    move = workflow.Move("", workflow.Perm.REVIEW_CASES, REVIEW_LEVEL[status])
    if status == S.PROVINCE_REVIEW:
        move = workflow.Move("", workflow.Perm.DECIDE_CASES, 2)
    return [
        c
        for c in cases_visible(user).filter(status=status)
        if workflow.may_act(user, move, c.area_id)
    ]


def overdue(cases, status: str, now) -> list[Case]:
    late = now - timedelta(days=LIMIT_DAYS[status])
    urgent_late = now - timedelta(hours=24)
    return [
        c
        for c in cases
        if c.status_changed_at < late
        or (c.urgent and c.acknowledged_at is None and c.status_changed_at < urgent_late)
    ]


def test_tambon_is_a_subdistrict_reviewer_linked_to_a_volunteer(demo):
    login_row = next(d for d in DEMO_LOGINS if d.username == "tambon")
    assert login_row.area_code == "860101"
    tambon = login("tambon")
    assert tambon.volunteer.area_id == "860101"
    assert tambon.volunteer.first_name == tambon.first_name
    assert tambon.volunteer != login("volunteer").volunteer
    link_subdistrict_volunteer()  # again: nothing changes
    assert login("tambon").volunteer.pk == tambon.volunteer.pk


def test_every_status_and_outcome_appears(demo):
    statuses = Counter(Case.objects.values_list("status", flat=True))
    assert set(statuses) == set(S.values)
    assert demo.cases == sum(statuses.values()) >= 90
    # Old cases are closed; recent ones climb the chain.
    assert statuses[S.CLOSED] + statuses[S.ACCEPTED] > statuses[S.PROVINCE_REVIEW]
    outcomes = set(Case.objects.filter(status=S.CLOSED).values_list("outcome", flat=True))
    assert {Outcome.SOLVED, Outcome.REFERRED_ON} <= outcomes
    reopened = CaseEvent.objects.filter(from_status=S.CLOSED, to_status=S.ACCEPTED)
    assert reopened.exists()
    assert demo.agencies == Agency.objects.count()


def test_histories_match_the_rows(demo, now):
    for case in Case.objects.prefetch_related("events"):
        events = list(case.events.all())
        assert case.number == f"{fiscal_year(case.created_at)}-{case.pk:06d}"
        if case.status == S.DRAFT:
            assert not events and case.submitted_at is None
            continue
        assert events[0].from_status == S.DRAFT and events[0].at == case.submitted_at
        assert events[-1].to_status == case.status
        assert events[-1].at == case.status_changed_at
        for before, after in itertools.pairwise(events):
            assert before.to_status == after.from_status and before.at <= after.at
        assert all((e.from_status, e.to_status) in workflow.CASE_MOVES for e in events)
        assert case.created_at <= case.submitted_at <= case.status_changed_at <= now
        if case.status == S.CLOSED:
            assert case.outcome and case.closed_at == case.status_changed_at
        else:
            assert not case.outcome and case.closed_at is None
        if case.status in (S.ACCEPTED, S.DECLINED, S.CLOSED):
            assert case.decided_at is not None


def test_returned_cases_carry_open_field_comments(demo):
    for case in Case.objects.filter(status=S.RETURNED):
        comments = FieldComment.objects.filter(case=case, resolved=False)
        assert comments.exists()
        assert set(comments.values_list("field", flat=True)) <= set(workflow.COMMENTABLE_FIELDS)
    resubmitted = FieldComment.objects.exclude(case__status=S.RETURNED)
    assert not resubmitted.filter(resolved=False).exists()


def test_sensitive_cases_are_assigned_to_the_filer_only(demo):
    sensitive = Case.objects.filter(sensitive=True).prefetch_related("assigned")
    assert sensitive.exists()
    for case in sensitive:
        assert [u.pk for u in case.assigned.all()] == [case.filed_by_id]
        assert case.category.sensitive or case.concern_id is not None
    mueang = login("mueang")
    hidden = [c for c in cases_visible(mueang).filter(sensitive=True) if c.filed_by != mueang]
    assert all(not shows_details(mueang, c) for c in hidden)


def test_the_volunteer_sees_every_stage_and_how_it_ends(demo):
    volunteer = login("volunteer")
    mine = cases_visible(volunteer).filter(filed_by=volunteer)
    statuses = Counter(mine.values_list("status", flat=True))
    for status in (S.DRAFT, S.RETURNED, *REVIEW_LEVEL, S.ACCEPTED, S.CLOSED):
        assert statuses[status] >= 1, status
    assert mine.filter(status=S.CLOSED, outcome=Outcome.SOLVED).exists()
    assert Referral.objects.filter(case__in=mine, status=ReferralStatus.DONE).exists()
    returned = mine.get(status=S.RETURNED)
    assert returned.field_comments.filter(resolved=False).count() >= 1
    assert all(c.volunteer == volunteer.volunteer for c in mine)


def test_every_reviewer_has_cases_waiting_some_overdue(demo, now):
    tambon, mueang, chumphon = login("tambon"), login("mueang"), login("chumphon")
    sub = waiting(tambon, S.SUBDISTRICT_REVIEW)
    assert sub and all(c.area_id.startswith("860101") for c in sub)
    assert overdue(sub, S.SUBDISTRICT_REVIEW, now)
    district = waiting(mueang, S.DISTRICT_REVIEW)
    assert len(overdue(district, S.DISTRICT_REVIEW, now)) >= 2
    province = waiting(chumphon, S.PROVINCE_REVIEW)
    assert overdue(province, S.PROVINCE_REVIEW, now)
    # What was sent back waits for its filer.
    for user in (login("volunteer"), tambon, mueang):
        assert Case.objects.filter(status=S.RETURNED, filed_by=user).exists(), user
    # Accepted cases have plans, some of them late.
    late = CaseTask.objects.filter(done_on__isnull=True, due_on__lt=timezone.localdate(now))
    assert late.filter(who=mueang).exists()


def test_referrals_and_assistance_in_every_state(demo, now):
    referrals = Referral.objects.all()
    assert set(referrals.values_list("status", flat=True)) == set(ReferralStatus.values)
    unanswered = referrals.filter(
        status=ReferralStatus.SENT, answer_due__lt=timezone.localdate(now)
    )
    assert unanswered.exists() and demo.referrals_overdue == unanswered.count()
    for referral in referrals.select_related("case", "agency"):
        assert referral.case.status in (S.ACCEPTED, S.CLOSED)
        assert referral.agency.area_id in {referral.area_id[:n] for n in (2, 4, 6)}
        assert referral.events.last().to_status == referral.status
    aid = Assistance.objects.all()
    assert aid.filter(status=AssistanceStatus.GIVEN).exclude(evidence_note="").exists()
    assert aid.filter(status=AssistanceStatus.APPROVED, given_on__isnull=True).exists()
    assert not aid.exclude(approved_by=login("chumphon")).exists()
    assert not aid.exclude(case__status__in=(S.ACCEPTED, S.CLOSED)).exists()


def test_assistance_keeps_the_caps_but_for_one_override(demo):
    caps = {t.code: t for t in AssistanceType.objects.all()}
    over = []
    for row in (
        Assistance.objects.values("person", "assistance_type", "fiscal_year")
        .annotate(baht=Sum("amount"), n=Count("pk"))
        .order_by()
    ):
        cap = caps[row["assistance_type"]].cap_per_year
        if cap is not None and row["baht"] > cap:
            over.append(row)
    overrides = Assistance.objects.exclude(override_reason="")
    assert len(over) == overrides.count() == 1
    assert (
        Assistance.objects.values("person", "fiscal_year").annotate(n=Count("pk")).filter(n__gte=3)
    )


def test_second_run_adds_nothing(demo, now):
    numbers = list(Case.objects.order_by("pk").values_list("number", flat=True))
    assert build_cases(CasesSize(cases=90), now=now) == demo
    assert list(Case.objects.order_by("pk").values_list("number", flat=True)) == numbers


def test_agencies_cover_every_district_and_subdistrict(demo):
    kinds = set(Agency.objects.filter(area_id="86").values_list("kind", flat=True))
    assert {AgencyKind.PMJ, AgencyKind.CHILDREN_HOME, AgencyKind.SHELTER} <= kinds
    assert Agency.objects.get(kind=AgencyKind.HOTLINE).area_id is None  # national
    local = Agency.objects.filter(within("86", "area"), kind=AgencyKind.LOCAL_GOVERNMENT)
    assert local.count() == 70
    assert local.filter(name="องค์การบริหารส่วนตำบลปากน้ำ", area_id="860102").exists()
    for agency in Agency.objects.exclude(kind=AgencyKind.HOTLINE):
        assert agency.phone.startswith("077-") and len(agency.phone) == 11
        assert agency.head_title


# Sections of `action_list.action_list` that must hold something for each demo login.
ACTIONS = {
    "volunteer": {"returned", "drafts", "outcomes", "in_progress", "my_tasks"},
    "tambon": {"waiting", "returned"},
    "mueang": {"waiting", "below", "late_tasks", "returned"},
    "chumphon": {"decide", "referrals", "assistance", "overdue"},
}


@pytest.mark.parametrize("username", list(ACTIONS))
def test_every_demo_login_has_an_action_list(demo, now, username):
    from carenet.cases.action_list import action_list

    found = action_list(user=login(username), now=now)
    counts = {section.key: section.count for section in found.sections}
    assert {key for key in ACTIONS[username] if counts.get(key)} == ACTIONS[username], counts


def fingerprint() -> list[tuple]:
    return list(
        Case.objects.order_by("created_at", "person_id").values_list(
            "person_id", "category_id", "status", "created_at", "status_changed_at", "outcome"
        )
    )


def test_the_same_seed_and_moment_give_the_same_cases(demo, now):
    before = fingerprint()
    ReferralEvent.objects.all().delete()
    Referral.objects.all().delete()
    Assistance.objects.all().delete()
    Case.objects.all().delete()
    assert build_cases(CasesSize(cases=90), now=now) == demo
    assert fingerprint() == before
