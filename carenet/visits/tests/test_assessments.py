"""Quality-of-life assessments: scoring, the service and its refusals, the form part of the visit
form, the pages (access matrix, what they show) and the trends drawn from a history."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from carenet.core.models import AuditEvent
from carenet.households.models import Household
from carenet.households.tests.conftest import SEES
from carenet.households.tests.factories import HouseholdFactory, PersonFactory
from carenet.visits import assessments
from carenet.visits.assessments import (
    AssessmentForm,
    assessment_answers_from_post,
    assessment_record,
    current_indicator_set,
)
from carenet.visits.models import Answer, Assessment
from carenet.visits.tests.factories import AssessmentFactory, VisitFactory, build_world
from conftest import PERSONAS, login, page_body

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_messages():
    """These tests match the (English) source text of error messages."""
    with translation.override("en"):
        yield


NUMBERS = [1, 4, 5, 7, 8, 9, 10, 11, 15, 16, 17, 19, 20, 21, 22, 27, 28]


@pytest.fixture
def world(personas):
    return build_world(personas)


def every(value):
    return dict.fromkeys(NUMBERS, value)


def record(actor, household, answers, **kwargs):
    return assessment_record(
        actor=actor,
        household=household,
        visit=kwargs.pop("visit", None),
        answers=answers,
        assessed_on=kwargs.pop("assessed_on", timezone.localdate()),
    )


def snapshot():
    return (Assessment.objects.count(), Answer.objects.count(), AuditEvent.objects.count())


# --- Scoring --------------------------------------------------------------------------------


def fake_indicators(spec):
    return [SimpleNamespace(number=n, dimension=d) for n, d in spec]


def test_the_reference_data_holds_the_tpmap_indicators():
    indicator_set = current_indicator_set()
    by_dimension = {}
    for i in indicator_set.indicators.all():
        by_dimension.setdefault(i.dimension, []).append(i.number)
    assert by_dimension == {
        "health": [1, 4, 5, 7],
        "living": [8, 9, 10, 11],
        "education": [15, 16, 17, 19],
        "income": [20, 21, 22],
        "access": [27, 28],
    }


def test_a_score_is_the_share_of_applicable_indicators_met():
    indicators = fake_indicators([(1, "health"), (4, "health"), (5, "health"), (20, "income")])
    answers = {1: True, 4: False, 5: None, 20: False}
    assert assessments.score(indicators, answers) == {"health": 50, "income": 0}


def test_a_score_is_rounded_half_up():
    indicators = fake_indicators(
        [(n, "health") for n in range(8)] + [(9, "income"), (10, "income"), (11, "income")]
    )
    answers = {n: n < 5 for n in range(8)} | {9: True, 10: True, 11: False}
    # 5 of 8 is 62.5 -> 63 (not 62, as round() would give); 2 of 3 is 66.7 -> 67.
    assert assessments.score(indicators, answers) == {"health": 63, "income": 67}


def test_a_dimension_where_nothing_applies_has_no_score():
    indicators = fake_indicators([(15, "education"), (16, "education"), (8, "living")])
    scores = assessments.score(indicators, {15: None, 16: None, 8: True})
    assert scores == {"living": 100}


# --- The service ----------------------------------------------------------------------------


def test_record_stores_every_answer_the_scores_and_an_audit_row(world, volunteer_a):
    household = world.households["a1"]
    visit = VisitFactory.create(household=household, volunteers=[world.volunteers["a"]])
    answers = every(True) | {1: None, 4: None, 20: False, 21: False, 22: True, 28: None}
    assessment = record(volunteer_a, household, answers, visit=visit)
    assessment.refresh_from_db()
    assert assessment.area_id == household.area_id
    assert assessment.visit == visit
    assert assessment.assessed_by == volunteer_a
    assert assessment.indicator_set_id == "jpt-2560"
    assert assessment.scores == {
        "health": 100, "living": 100, "education": 100, "income": 33, "access": 100,
    }  # fmt: skip
    stored = dict(assessment.answers.values_list("indicator__number", "met"))
    assert stored == answers
    event = AuditEvent.objects.get(action="assessment.record")
    assert event.target_id == str(assessment.pk)
    assert event.area_code == household.area_id


def test_a_coordinator_may_assess_any_household_of_their_area(world, district_coordinator_a):
    assessment = record(district_coordinator_a, world.households["p1"], every(False))
    assert assessment.scores == dict.fromkeys(assessments.DIMENSIONS, 0)


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({n: True for n in NUMBERS if n != 22}, "Missing: 22"),
        (every(True) | {99: True}, "not indicators of the current set: 99"),
        (every(None), "at least one indicator"),
        (every(True) | {5: "yes"}, "must be met, not met or does not apply"),
        ({}, "Missing"),
    ],
)
def test_incomplete_or_odd_answers_are_refused(world, volunteer_a, answers, message):
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        record(volunteer_a, world.households["a1"], answers)
    assert message in " ".join(caught.value.message_dict["answers"])
    assert snapshot() == before


def test_a_future_date_is_refused(world, volunteer_a):
    before = snapshot()
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        record(volunteer_a, world.households["a1"], every(True), assessed_on=tomorrow)
    assert "assessed_on" in caught.value.message_dict
    assert snapshot() == before


@pytest.mark.parametrize(
    ("persona", "key"),
    [
        ("volunteer_a", "a2"),  # same subdistrict, not assigned to them
        ("volunteer_a", "b1"),
        ("district_coordinator_b", "a1"),
        ("auditor", "a1"),  # reads everything, changes nothing
    ],
)
def test_a_household_out_of_reach_is_refused(world, personas, persona, key):
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        record(personas[persona], world.households[key], every(True))
    assert "household" in caught.value.message_dict
    assert snapshot() == before


def test_a_household_that_moved_away_is_refused(world, district_coordinator_a):
    household = world.households["a1"]
    Household.objects.filter(pk=household.pk).update(status="moved")
    household.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        record(district_coordinator_a, household, every(True))
    assert "household" in caught.value.message_dict


def test_a_visit_to_another_household_or_already_assessed_is_refused(world, volunteer_a):
    household = world.households["a1"]
    other = VisitFactory.create(household=world.households["a2"])
    with pytest.raises(ValidationError) as caught:
        record(volunteer_a, household, every(True), visit=other)
    assert "visit" in caught.value.message_dict
    visit = VisitFactory.create(household=household)
    record(volunteer_a, household, every(True), visit=visit)
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        record(volunteer_a, household, every(True), visit=visit)
    assert "already has an assessment" in caught.value.message_dict["visit"][0]
    assert snapshot() == before


# --- The form part --------------------------------------------------------------------------


def post_for(values):
    return {f"qa-i{n}": v for n, v in values.items()}


def test_a_blank_assessment_part_asks_nothing():
    form = AssessmentForm({}, indicator_set=current_indicator_set())
    assert form.is_valid()
    assert form.answers() == {}
    assert not form.answered


def test_a_complete_part_gives_answers_by_indicator_number():
    values = dict.fromkeys(NUMBERS, "yes") | {1: "na", 20: "no"}
    form = AssessmentForm(post_for(values), indicator_set=current_indicator_set())
    assert form.is_valid(), form.errors
    assert form.answered
    answers = form.answers()
    assert answers[1] is None and answers[20] is False and answers[4] is True
    assert sorted(answers) == NUMBERS


def test_a_part_begun_must_be_finished_and_says_which_are_missing():
    form = AssessmentForm(post_for({1: "yes", 4: "no"}), indicator_set=current_indicator_set())
    assert not form.is_valid()
    assert set(form.errors) == {f"i{n}" for n in NUMBERS if n not in (1, 4)}
    assert "Choose met, not met or does not apply." in form.errors["i5"][0] or form.errors["i5"]


def test_a_part_where_nothing_applies_is_refused():
    form = AssessmentForm(
        post_for(dict.fromkeys(NUMBERS, "na")), indicator_set=current_indicator_set()
    )
    assert not form.is_valid()
    assert form.non_field_errors()


def test_an_answer_that_is_not_a_choice_is_refused():
    values = dict.fromkeys(NUMBERS, "yes") | {7: "maybe"}
    form = AssessmentForm(post_for(values), indicator_set=current_indicator_set())
    assert not form.is_valid()
    assert "i7" in form.errors


def test_the_parse_function_returns_answers_or_raises_with_messages():
    indicator_set = current_indicator_set()
    assert assessment_answers_from_post({}, indicator_set) == {}
    answers = assessment_answers_from_post(post_for(dict.fromkeys(NUMBERS, "no")), indicator_set)
    assert answers == every(False)
    with pytest.raises(ValidationError) as caught:
        assessment_answers_from_post(post_for({1: "yes"}), indicator_set)
    assert "i4" in caught.value.message_dict


def test_a_draft_restores_the_part_open():
    form = AssessmentForm(indicator_set=current_indicator_set(), initial={"i1": "yes"})
    assert form.answered


def test_the_fields_come_grouped_by_dimension_in_the_ministry_order():
    form = AssessmentForm(indicator_set=current_indicator_set())
    groups = form.groups()
    assert [g.dimension for g in groups] == assessments.DIMENSIONS
    assert [f.name for f in groups[4].fields] == ["i27", "i28"]


def test_the_fields_partial_draws_three_choices_per_indicator():
    translation.activate("th")
    form = AssessmentForm(indicator_set=current_indicator_set())
    html = render_to_string("visits/_assessment_fields.html", {"qa_form": form})
    assert html.count('type="radio"') == 3 * len(NUMBERS)
    assert 'name="qa-i28"' in html
    assert html.count('class="qa-dim"') == 5
    assert "ครัวเรือนกินอาหารถูกสุขลักษณะ" in html


def test_the_fields_partial_draws_nothing_without_an_indicator_set():
    html = render_to_string("visits/_assessment_fields.html", {"qa_form": None})
    assert html.strip() == ""


# --- Trends and history ---------------------------------------------------------------------


def test_trends_run_oldest_to_latest_with_the_latest_change(world):
    household = world.households["a1"]
    AssessmentFactory.create(household=household, assessed_on=date(2024, 6, 1),
                             scores={"health": 50, "income": 0})  # fmt: skip
    AssessmentFactory.create(household=household, assessed_on=date(2025, 1, 1),
                             scores={"health": 75, "income": 33})  # fmt: skip
    AssessmentFactory.create(household=household, assessed_on=date(2024, 1, 1),
                             scores={"health": 25})  # fmt: skip
    trends = assessments.dimension_trends(assessments.household_assessments(household=household))
    assert [t.dimension for t in trends] == ["health", "income"]  # no score, no chart
    health, income = trends
    assert [v for _, v in health.values] == [25, 50, 75]
    assert health.latest == 75 and health.change == 25
    assert income.latest == 33 and income.change == 33 and income.failing
    assert income.values[0] == (date(2024, 1, 1), None)


def test_results_show_each_dimension_with_its_change(world, volunteer_a):
    household = world.households["a1"]
    first = record(volunteer_a, household, every(False), assessed_on=date(2025, 1, 1))
    second = record(volunteer_a, household, every(True) | {15: None, 16: None, 17: None, 19: None})
    results = assessments.assessment_results(second, first)
    by_dimension = {r.dimension: r for r in results}
    assert by_dimension["health"].score == 100 and by_dimension["health"].change == 100
    assert by_dimension["education"].score is None and by_dimension["education"].change is None
    assert len(by_dimension["health"].answers) == 4
    assert not by_dimension["health"].failing


def test_history_rows_mark_failing_scores():
    assessment = Assessment(scores={"health": 49, "living": 50})
    row = assessments.history_rows([assessment])[0]
    assert row.scores[:3] == [(49, True), (50, False), (None, False)]


# --- Pages ----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_assessment_pages_in_scope_200_out_of_scope_404(client, world, persona):
    made = {key: AssessmentFactory.create(household=h) for key, h in world.households.items()}
    login(client, persona)
    for name, target in (("visits:assessment", made), ("visits:assessment_history", None)):
        missing_path = reverse(name, args=[999999])
        missing = client.get(missing_path)
        assert missing.status_code == 404
        for key in world.households:
            pk = made[key].pk if target else world.households[key].pk
            path = reverse(name, args=[pk])
            response = client.get(path)
            if key in SEES[persona]:
                assert response.status_code == 200, (name, key)
            else:
                assert response.status_code == 404, (name, key)
                assert page_body(response, path) == page_body(missing, missing_path)


@pytest.mark.parametrize("name", ["visits:assessment", "visits:assessment_history"])
def test_anonymous_users_are_sent_to_login(client, world, name):
    assessment = AssessmentFactory.create(household=world.households["a1"])
    pk = assessment.pk if name == "visits:assessment" else assessment.household_id
    response = client.get(reverse(name, args=[pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_pages_accept_only_get(client, world):
    assessment = AssessmentFactory.create(household=world.households["a1"])
    login(client, "volunteer_a")
    assert client.post(reverse("visits:assessment", args=[assessment.pk])).status_code == 405


def test_the_assessment_page_shows_scores_answers_trend_and_suggestions(client, world, volunteer_a):
    household = world.households["a1"]
    PersonFactory.create(household=household, birth_date=date(1940, 1, 1), elderly_allowance=False)
    record(volunteer_a, household, every(False), assessed_on=date(2025, 1, 1))
    latest = record(volunteer_a, household, every(True) | {20: False, 21: False, 22: False})
    login(client, "volunteer_a")
    response = client.get(reverse("visits:assessment", args=[latest.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="score') >= 5
    assert 'data-dimension="income"' in html
    assert html.count("<svg") == 5  # one trend per dimension
    codes = {s.code for s in response.context["suggestions"]}
    assert {"elderly_allowance", "open_case", "welfare_card"} <= codes
    assert 'data-code="open_case"' in html
    assert reverse("visits:assessment_history", args=[household.pk]) in html


def test_a_first_assessment_shows_no_trend(client, world, volunteer_a):
    assessment = record(volunteer_a, world.households["a1"], every(True))
    login(client, "volunteer_a")
    response = client.get(reverse("visits:assessment", args=[assessment.pk]))
    assert "<svg" not in response.content.decode()


def test_the_history_page_lists_every_assessment_and_draws_the_charts(client, world):
    household = world.households["a1"]
    for month in (1, 4, 7):
        AssessmentFactory.create(household=household, assessed_on=date(2025, month, 1))
    login(client, "district_coordinator_a")
    response = client.get(reverse("visits:assessment_history", args=[household.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<svg") == 5
    assert len(response.context["rows"]) == 3
    assert "1 ม.ค. 2568" in html or "1 Jan 2568" in html


def test_the_history_page_of_a_household_never_assessed_says_so(client, world):
    login(client, "district_coordinator_a")
    response = client.get(reverse("visits:assessment_history", args=[world.households["a2"].pk]))
    assert response.status_code == 200
    assert "<svg" not in response.content.decode()
    assert response.context["history"] == []


def test_the_history_page_costs_the_same_for_few_or_many_assessments(
    client, world, django_assert_max_num_queries
):
    household = HouseholdFactory.create(area_id="86010101")
    login(client, "district_coordinator_a")
    path = reverse("visits:assessment_history", args=[household.pk])
    client.get(path)
    AssessmentFactory.create(household=household)
    with django_assert_max_num_queries(30) as small:
        client.get(path)
    for day in range(1, 25):
        AssessmentFactory.create(household=household, assessed_on=date(2024, 1, day))
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(path)
