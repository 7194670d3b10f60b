"""A request whose person died or moved away after it was filed says so to every reviewer,
and the person's page names the requests that recording it leaves open."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from carenet.cases.models import CaseStatus
from carenet.cases.tests.factories import CaseFactory
from carenet.households.models import PersonStatus
from carenet.households.services import person_set_status

S = CaseStatus
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def case(personas, reference_data):
    return CaseFactory(filed_by=personas["volunteer_a"], status=S.DISTRICT_REVIEW)


def record_death(personas, case, days_ago=3):
    person_set_status(
        actor=personas["district_coordinator_a"],
        person=case.person,
        status=PersonStatus.DECEASED,
        on=timezone.localdate() - timedelta(days=days_ago),
    )


def test_the_person_page_names_the_open_requests_before_and_after_the_death(
    login_as, personas, case
):
    client = login_as("district_coordinator_a")
    url = reverse("households:person", args=[case.person_id])
    body = client.get(url).content.decode()
    assert 'data-testid="person-open-requests"' in body and case.number in body
    record_death(personas, case)
    body = client.get(url).content.decode()
    assert "requests for help are still open" in body and case.number in body


def test_the_case_page_tells_every_reviewer_the_person_died_and_when(login_as, personas, case):
    day = timezone.localdate() - timedelta(days=3)
    assert (
        b'data-testid="person-gone"'
        not in login_as("district_coordinator_a")
        .get(reverse("cases:detail", args=[case.pk]))
        .content
    )
    record_death(personas, case)
    for who in ("district_coordinator_a", "province_officer"):
        body = login_as(who).get(reverse("cases:detail", args=[case.pk])).content.decode()
        assert 'data-testid="person-gone"' in body
        assert "The affected person has died" in body and f"{day.year + 543}" in body
    listed = login_as("province_officer").get(reverse("cases:list")).content.decode()
    assert 'data-testid="person-gone"' in listed


def test_a_closed_case_does_not_warn(login_as, personas, case):
    record_death(personas, case)

    type(case).objects.filter(pk=case.pk).update(status=S.CLOSED)
    body = login_as("province_officer").get(reverse("cases:detail", args=[case.pk])).content
    assert b'data-testid="person-gone"' not in body


@pytest.mark.parametrize("who, status", [("district_coordinator_b", 404), (None, 302)])
def test_out_of_scope_and_anonymous_see_neither(login_as, personas, case, who, status):
    record_death(personas, case)
    for url in (
        reverse("cases:detail", args=[case.pk]),
        reverse("households:person", args=[case.person_id]),
    ):
        page = login_as(who).get(url)
        assert page.status_code == status
        assert b"person-gone" not in page.content and case.number.encode() not in page.content
