"""Each suggestion rule on its own, at its boundaries, and the rules together: no queries once
the objects are loaded, the weightiest first, and the partial that shows them."""

from datetime import date

import pytest
from django.template.loader import render_to_string

from carenet.households.models import Household, Person
from carenet.households.tests.factories import HouseholdFactory, PersonFactory
from carenet.visits import suggestions
from carenet.visits.models import Assessment
from carenet.visits.suggestions import Suggestion, suggestions_for
from carenet.visits.tests.factories import AssessmentFactory

TODAY = date(2025, 6, 15)


def person(**flags) -> Person:
    """An unsaved person: the rules read attributes only."""
    defaults = {"first_name": "สมใจ", "last_name": "ใจดี", "title": "นาง", "status": "active",
                "birth_date": date(1980, 1, 1)}  # fmt: skip
    return Person(**(defaults | flags))


def assessment(**scores) -> Assessment:
    return Assessment(scores=scores)


def run(members=(), assessments=()):
    return suggestions_for(Household(), list(assessments), members=list(members), today=TODAY)


def codes(found: list[Suggestion]) -> list[str]:
    return [s.code for s in found]


# --- Elderly allowance --------------------------------------------------------------------


def test_elderly_without_allowance_is_told_to_register():
    found = run([person(birth_date=date(1950, 3, 1))])
    assert codes(found) == ["elderly_allowance"]
    assert "สมใจ" in found[0].text and "75" in found[0].reason
    assert found[0].severity == suggestions.MEDIUM


def test_sixty_today_counts_and_fifty_nine_does_not():
    assert codes(run([person(birth_date=date(1965, 6, 15))])) == ["elderly_allowance"]
    assert codes(run([person(birth_date=date(1965, 6, 16))])) == []


def test_elderly_with_the_allowance_or_no_birth_date_is_left_alone():
    assert run([person(birth_date=date(1940, 1, 1), elderly_allowance=True)]) == []
    assert run([person(birth_date=None)]) == []


def test_a_member_who_moved_away_or_died_is_not_counted():
    assert run([person(birth_date=date(1940, 1, 1), status="moved")]) == []
    assert run([person(birth_date=date(1940, 1, 1), status="deceased")]) == []


# --- Disability card and allowance --------------------------------------------------------


def test_disabled_without_a_card_is_told_to_get_the_card():
    assert codes(run([person(disability=True)])) == ["disability_card"]


def test_disabled_with_a_card_but_no_allowance_is_told_to_register_for_it():
    found = run([person(disability=True, disability_card_no="1234567890123")])
    assert codes(found) == ["disability_allowance"]


def test_disabled_with_card_and_allowance_or_not_disabled_is_left_alone():
    assert run([person(disability=True, disability_card_no="1", disability_allowance=True)]) == []
    assert run([person(disability=False)]) == []


# --- State welfare card -------------------------------------------------------------------


def test_income_failing_and_no_welfare_card_suggests_the_application():
    found = run([person()], [assessment(income=33)])
    assert codes(found) == ["welfare_card"]
    assert "33%" in found[0].reason


def test_income_at_fifty_is_not_failing():
    assert run([person()], [assessment(income=50)]) == []


def test_anyone_holding_the_card_is_enough():
    assert run([person(), person(welfare_card=True)], [assessment(income=0)]) == []


def test_only_the_latest_assessment_counts_for_the_welfare_card():
    assert run([person()], [assessment(income=67), assessment(income=0)]) == []
    assert run([person()], []) == []
    assert run([person()], [assessment(health=0)]) == []  # income did not apply


# --- Newborn grant ------------------------------------------------------------------------


def baby(**flags) -> list[Person]:
    """A baby and their mother."""
    return [person(), person(**flags)]


def test_a_baby_without_the_grant_suggests_it():
    assert codes(run(baby(birth_date=date(2025, 1, 10)))) == ["newborn_grant"]


def test_a_first_birthday_ends_it_and_the_grant_settles_it():
    assert run(baby(birth_date=date(2024, 6, 15))) == []
    assert codes(run(baby(birth_date=date(2024, 6, 16)))) == ["newborn_grant"]
    assert run(baby(birth_date=date(2025, 1, 10), newborn_grant=True)) == []


# --- A dimension failing twice ------------------------------------------------------------


def test_a_dimension_failing_in_the_two_latest_assessments_suggests_a_case():
    found = run([], [assessment(health=25, living=40), assessment(health=0, living=75)])
    assert codes(found) == ["open_case"]
    assert found[0].severity == suggestions.HIGH
    assert "health" in found[0].reason or "สุขภาพ" in found[0].reason
    assert "living" not in found[0].reason


def test_failing_once_or_recovering_is_not_a_case():
    assert run([], [assessment(health=25)]) == []
    assert run([], [assessment(health=75), assessment(health=0)]) == []
    assert run([], [assessment(health=25), assessment(health=50)]) == []


def test_a_dimension_missing_from_one_of_the_two_is_not_a_case():
    assert run([], [assessment(education=0), assessment(health=0)]) == []


# --- Bedridden and alone ------------------------------------------------------------------


def test_bedridden_and_living_alone_asks_for_a_care_plan():
    found = run([person(bedridden=True, lives_alone=True)])
    assert codes(found) == ["care_plan"]
    assert found[0].severity == suggestions.HIGH


def test_bedridden_with_family_is_left_alone():
    assert run([person(bedridden=True, lives_alone=False)]) == []


def test_children_with_no_adult_are_reported_first():
    found = run([person(birth_date=date(2010, 1, 1)), person(birth_date=date(2016, 5, 1))])
    assert codes(found)[0] == "children_alone"
    assert found[0].severity == suggestions.HIGH


def test_children_with_an_adult_or_an_unknown_age_are_left_to_the_other_rules():
    assert "children_alone" not in codes(run([person(birth_date=date(2010, 1, 1)), person()]))
    assert "children_alone" not in codes(
        run([person(birth_date=date(2010, 1, 1)), person(birth_date=None)])
    )


# --- Together -----------------------------------------------------------------------------


def test_every_rule_is_listed_once():
    assert len(suggestions.RULES) == len(set(suggestions.RULES)) == 7
    assert all(rule.__doc__ for rule in suggestions.RULES)


def test_the_weightiest_come_first():
    members = [person(birth_date=date(1940, 1, 1)), person(bedridden=True, lives_alone=True)]
    found = run(members, [assessment(income=0), assessment(income=0)])
    assert codes(found)[:2] == ["care_plan", "open_case"]
    assert set(codes(found)[2:]) == {"elderly_allowance", "welfare_card"}


@pytest.mark.django_db
def test_rules_run_no_query_once_the_objects_are_loaded(area_tree, django_assert_num_queries):
    household = HouseholdFactory.create()
    PersonFactory.create(household=household, birth_date=date(1940, 1, 1))
    AssessmentFactory.create(household=household, scores={"income": 0})
    loaded = Household.objects.prefetch_related("members").get(pk=household.pk)
    latest = list(Assessment.objects.filter(household=household))
    with django_assert_num_queries(0):
        found = suggestions_for(loaded, latest)
    assert set(codes(found)) == {"elderly_allowance", "welfare_card"}


@pytest.mark.django_db
def test_household_suggestions_loads_what_it_needs_in_two_queries(
    area_tree, django_assert_num_queries
):
    household = HouseholdFactory.create()
    PersonFactory.create(household=household, bedridden=True, lives_alone=True)
    PersonFactory.create(household=household, birth_date=date(1940, 1, 1), status="moved")
    AssessmentFactory.create(household=household, assessed_on=date(2024, 1, 1),
                             scores={"living": 0})  # fmt: skip
    AssessmentFactory.create(household=household, assessed_on=date(2025, 1, 1),
                             scores={"living": 25})  # fmt: skip
    AssessmentFactory.create(household=household, assessed_on=date(2023, 1, 1),
                             scores={"living": 100})  # fmt: skip
    with django_assert_num_queries(2):
        found = suggestions.household_suggestions(household=household)
    assert codes(found) == ["care_plan", "open_case"]


def test_the_partial_lists_them_with_their_reasons():
    found = run([person(bedridden=True, lives_alone=True), person(birth_date=date(1940, 1, 1))])
    html = render_to_string("visits/_suggestions.html", {"suggestions": found})
    assert html.count("<li") == 2
    assert 'data-code="care_plan"' in html and 'data-code="elderly_allowance"' in html
    assert found[1].reason in html


def test_the_partial_is_empty_without_suggestions():
    assert render_to_string("visits/_suggestions.html", {"suggestions": []}).strip() == ""
    shown = render_to_string("visits/_suggestions.html", {"suggestions": [], "show_empty": True})
    assert 'data-testid="suggestions"' in shown
