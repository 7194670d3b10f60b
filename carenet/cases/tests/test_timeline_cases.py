"""The household timeline (visits) shows the household's cases, referrals and assistance,
restricted when sensitive, in one query per kind."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from carenet.cases.models import Assistance, CaseCategory, CaseStatus
from carenet.cases.tests.factories import CaseFactory, ReferralFactory
from carenet.households.tests.factories import HouseholdFactory, PersonFactory
from carenet.visits import selectors

S = CaseStatus
pytestmark = pytest.mark.django_db


def _history(household: Any, filed_by: Any, officer: Any, n: int = 1) -> None:
    for i in range(n):
        person = PersonFactory.create(household=household)
        category = "domestic_violence" if i % 2 else "poverty"
        case = CaseFactory.create(
            person=person,
            filed_by=filed_by,
            status=S.ACCEPTED,
            submitted_at=timezone.now() - timedelta(days=i),
            category=CaseCategory.objects.get(code=category),
        )
        ReferralFactory(case=case, sent_by=officer)
        Assistance.objects.create(
            case=case,
            person=person,
            household=household,
            area_id=case.area_id,
            assistance_type_id="emergency_cash",
            fiscal_year=2569,
            amount=Decimal("1000"),
            approved_by=officer,
            approved_at=timezone.now(),
        )


def test_cases_referrals_and_assistance_on_the_timeline(personas, reference_data):
    volunteer, officer = personas["volunteer_a"], personas["province_officer"]
    household = HouseholdFactory()
    _history(household, volunteer, officer, n=2)
    kinds = [e.kind for e in selectors.household_timeline(user=officer, household=household)]
    assert kinds.count("case") == 2 and kinds.count("referral") == 2
    assert kinds.count("assistance") == 2
    # The district coordinator does not see the sensitive case's entries at all: a
    # restricted entry on one household's timeline would say that someone in it was hurt.
    entries = selectors.household_timeline(
        user=personas["district_coordinator_a"], household=household
    )
    shown = [e for e in entries if e.kind in ("case", "referral", "assistance")]
    assert len(shown) == 3 and not any(e.restricted for e in shown)
    assert all(not getattr(e.item, "sensitive", False) for e in shown if e.kind == "case")
    # Out of scope: nothing of it.
    others = selectors.household_timeline(
        user=personas["district_coordinator_b"], household=household
    )
    assert not [e for e in others if e.kind in ("case", "referral", "assistance")]


def test_the_page_shows_them_without_names_when_restricted(login_as, personas, reference_data):
    volunteer, officer = personas["volunteer_a"], personas["province_officer"]
    household = HouseholdFactory()
    _history(household, volunteer, officer, n=2)
    sensitive = household.cases.get(sensitive=True)
    plain = household.cases.get(sensitive=False)
    url = reverse("visits:timeline", args=[household.pk])
    body = login_as("province_officer").get(url).content.decode()
    assert sensitive.number in body and plain.number in body
    body = login_as("district_coordinator_a").get(url).content.decode()
    assert plain.number in body and plain.person.full_name in body
    assert sensitive.number not in body and sensitive.person.full_name not in body


def test_the_timeline_queries_stay_constant(client, login_as, personas, reference_data):
    volunteer, officer = personas["volunteer_a"], personas["province_officer"]
    household = HouseholdFactory()
    login_as("district_coordinator_a")
    url = reverse("visits:timeline", args=[household.pk])
    _history(household, volunteer, officer, n=2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _history(household, volunteer, officer, n=10)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)
