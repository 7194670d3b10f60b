"""The demo's year of field work, at a small size: visits follow the rules the services keep,
the `volunteer` login has something to do, and a second run adds nothing."""

from collections import Counter

import pytest
from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone

from carenet.accounts.models import User
from carenet.areas.models import within
from carenet.areas.services import areas_load_from_geothai
from carenet.demo.chumphon import DemoSize, build_chumphon
from carenet.demo.fieldwork import build_fieldwork
from carenet.demo.management.commands.demo import link_demo_volunteer
from carenet.demo.users import demo_users_ensure
from carenet.households.models import Household, HouseholdAssignment
from carenet.visits import followup, selectors, services
from carenet.visits.assessments import current_indicator_set, score
from carenet.visits.models import (
    Answer,
    Assessment,
    Concern,
    ProblemItem,
    RiskLevel,
    Visit,
    VisitType,
)

pytestmark = pytest.mark.django_db

SMALL = DemoSize(villages=140, volunteers=300, households=400)


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def fieldwork(now):
    areas_load_from_geothai(province_codes=["86"])
    build_chumphon(SMALL)
    demo_users_ensure()
    link_demo_volunteer()
    return build_fieldwork(now=now)


def fingerprint() -> list[tuple]:
    return list(
        Visit.objects.order_by("household_id", "visited_at").values_list(
            "household_id", "visited_at", "visit_type", "risk_level", "client_uuid"
        )
    )


def test_a_year_of_visits_mostly_normal_with_assessments(fieldwork):
    assert fieldwork.visits > 5 * SMALL.households
    assert fieldwork.households_visited > 0.9 * SMALL.households
    assert fieldwork.households_visited + fieldwork.never_visited == SMALL.households
    risks = Counter(Visit.objects.values_list("risk_level", flat=True))
    assert risks[RiskLevel.NORMAL] > risks[RiskLevel.WATCH] > risks[RiskLevel.URGENT] > 0
    kinds = Counter(Visit.objects.values_list("visit_type", flat=True))
    assert kinds[VisitType.ROUTINE] > kinds[VisitType.FOLLOW_UP] > 0
    assert kinds[VisitType.SCREENING] > 0
    # About every third or fourth visit carries an assessment.
    assert fieldwork.visits / 4.5 < fieldwork.assessments < fieldwork.visits / 2
    minutes = list(Visit.objects.values_list("duration_minutes", flat=True))
    assert min(minutes) >= 20 and max(minutes) <= 90
    assert not Visit.objects.annotate(
        seen=Exists(Visit.members_seen.through.objects.filter(visit_id=OuterRef("pk")))
    ).filter(seen=False)


def test_visits_only_by_the_assigned_volunteer(fieldwork):
    through = Visit.volunteers.through.objects
    assert through.count() == fieldwork.visits  # one volunteer each
    assigned = HouseholdAssignment.objects.filter(
        household_id=OuterRef("visit__household_id"), volunteer_id=OuterRef("volunteer_id")
    )
    assert not through.annotate(ok=Exists(assigned)).filter(ok=False).exists()


def test_dates_lie_within_the_last_year_and_not_in_the_future(fieldwork, now):
    visits = list(Visit.objects.select_related("household"))
    for visit in (min(visits, key=lambda v: v.visited_at), max(visits, key=lambda v: v.visited_at)):
        services.visit_clean_time(visit.visited_at, now=now)  # the service's own check
    for visit in visits:
        assert visit.household.created_at <= visit.visited_at
        if visit.acknowledged_at is not None:
            assert visit.visited_at < visit.acknowledged_at <= now
    for assessment in Assessment.objects.select_related("visit"):
        assert assessment.assessed_on == timezone.localdate(assessment.visit.visited_at)
    for concern in Concern.objects.select_related("visit"):
        assert concern.visit.visited_at < concern.created_at <= now


def test_household_follow_up_fields_come_from_the_latest_visit(fieldwork):
    latest = {}
    for visit in Visit.objects.order_by("visited_at"):
        latest[visit.household_id] = visit
    for household in Household.objects.all():
        visit = latest.get(household.pk)
        if visit is None:
            assert household.last_visit_at is None and household.next_visit_due is None
            assert household.current_risk == ""
            continue
        assert household.last_visit_at == visit.visited_at
        assert household.current_risk == visit.risk_level
        assert household.next_visit_due == services.next_visit_due(
            household=household, risk_level=visit.risk_level, visited_at=visit.visited_at
        )


def test_assessment_scores_match_their_answers(fieldwork):
    indicator_set = current_indicator_set()
    indicators = list(indicator_set.indicators.all())
    answers = Prefetch("answers", queryset=Answer.objects.select_related("indicator"))
    assessments = Assessment.objects.prefetch_related(answers)
    assert assessments.exists()
    for assessment in assessments:
        given = {a.indicator.number: a.met for a in assessment.answers.all()}
        assert len(given) == len(indicators)
        assert assessment.indicator_set_id == indicator_set.pk
        assert assessment.scores == score(indicators, given)
        assert assessment.visit.household_id == assessment.household_id


def test_sensitive_findings_are_sensitive_visits_and_concerns(fieldwork):
    sensitive_items = set(
        ProblemItem.objects.filter(area__sensitive=True).values_list("code", flat=True)
    )
    for visit in Visit.objects.prefetch_related("problems"):
        found = {p.code for p in visit.problems.all()}
        assert visit.sensitive == bool(found & sensitive_items)
        if visit.sensitive:
            assert visit.acknowledged_at is None  # a district coordinator cannot see it
    for concern in Concern.objects.select_related("visit"):
        assert concern.household_id == concern.visit.household_id
        assert concern.sensitive == concern.visit.sensitive
        assert concern.visit.risk_level == RiskLevel.URGENT


def test_the_volunteer_login_has_overdue_due_soon_and_acknowledged_visits(fieldwork):
    user = User.objects.get(username="volunteer")
    mine = selectors.my_households(user=user)
    states = Counter(row.state for row in mine.page.object_list)
    assert mine.total == 8
    assert 1 <= mine.overdue <= 2 and states["overdue"] == mine.overdue
    assert states["soon"] >= 1 and states["never"] == 0
    assert states["later"] >= 4
    assert mine.acknowledgements
    assert all(v.acknowledged_by.username == "mueang" for v in mine.acknowledgements)


def test_the_centre_sees_overdue_households_and_inactive_volunteers(fieldwork):
    coordinator = User.objects.get(username="mueang")
    report = followup.overdue_report(user=coordinator)
    assert report.total > 0
    assert report.inactive_count > 0
    assert fieldwork.overdue > 0 and fieldwork.inactive_volunteers > 0
    acknowledged = Visit.objects.filter(acknowledged_by=coordinator)
    assert acknowledged.exists()
    assert not acknowledged.exclude(within("8601", "area")).exists()


def test_second_run_adds_nothing(fieldwork, now):
    before = fingerprint()
    assert build_fieldwork(now=now) == fieldwork
    assert fingerprint() == before


def test_the_same_seed_gives_the_same_year(fieldwork, now):
    before = fingerprint()
    Answer.objects.all().delete()
    Assessment.objects.all().delete()
    Concern.objects.all().delete()
    Visit.objects.all().delete()
    Household.objects.update(last_visit_at=None, next_visit_due=None, current_risk="")
    assert build_fieldwork(now=now) == fieldwork
    assert fingerprint() == before
