"""Giving a case to a volunteer: a category may require a competency, and the refusal names
who holds it nearby (issue 6, competencies)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from carenet.cases import access, services
from carenet.cases.models import CaseCategory, CaseStatus
from carenet.cases.tests.work_helpers import case_in
from carenet.households.tests.factories import VolunteerFactory
from carenet.training.models import CompetencyGrant

S = CaseStatus
pytestmark = pytest.mark.django_db


def _grant(volunteer, code="child_protection", expires_on=None):
    return CompetencyGrant.objects.create(
        volunteer=volunteer,
        competency_id=code,
        area_id=volunteer.area_id,
        granted_on=date(2025, 2, 26),
        expires_on=expires_on,
    )


@pytest.fixture
def abuse_case(personas, reference_data):
    category = CaseCategory.objects.get(code="child_abuse")
    assert category.required_competency_id == "child_protection"  # from the data migration
    return case_in(
        "86010101", filed_by=personas["volunteer_a"], category=category, status=S.ACCEPTED
    )


def test_untrained_volunteer_is_refused_with_trained_ones_nearby(personas, abuse_case):
    untrained = VolunteerFactory(area_id="860101")
    near = VolunteerFactory(area_id="860101")
    far = VolunteerFactory(area_id="860201")
    expired = VolunteerFactory(area_id="860101")
    _grant(near)
    _grant(far)
    _grant(expired, expires_on=timezone.localdate() - timedelta(days=1))
    with pytest.raises(services.AssignmentRefused) as refused:
        services.case_volunteer_assign(
            actor=personas["province_officer"], case=abuse_case, volunteer=untrained
        )
    assert [v.pk for v in refused.value.holders] == [near.pk, far.pk]
    assert "การคุ้มครองเด็ก" in refused.value.messages[0]
    assert not abuse_case.case_volunteers.exists()

    services.case_volunteer_assign(
        actor=personas["province_officer"], case=abuse_case, volunteer=near
    )
    assert list(abuse_case.case_volunteers.all()) == [near]


def test_the_trained_then_the_subdistricts_volunteers_come_first(personas, abuse_case):
    """The page shows a district's first few hundred: the ones to choose must be among them."""
    case = case_in(
        "86010201",
        filed_by=personas["volunteer_a"],
        category=abuse_case.category,
        status=S.ACCEPTED,
    )
    elsewhere = VolunteerFactory(area_id="860101", first_name="ก")  # its code sorts first
    here = VolunteerFactory(area_id="860102", first_name="ฮ")
    trained_elsewhere = VolunteerFactory(area_id="860101", first_name="ฮฮ")
    _grant(trained_elsewhere)
    order = list(services.volunteers_to_assign(case))
    assert order.index(trained_elsewhere) < order.index(here) < order.index(elsewhere)
    assert order[order.index(trained_elsewhere)].trained


def test_a_category_without_requirement_takes_anyone(personas, reference_data):
    case = case_in("86010101", filed_by=personas["volunteer_a"], status=S.ACCEPTED)
    volunteer = VolunteerFactory(area_id="860102")
    services.case_volunteer_assign(
        actor=personas["district_coordinator_a"], case=case, volunteer=volunteer
    )
    assert case.case_volunteers.count() == 1


def test_only_people_working_the_case_assign(personas, abuse_case):
    trained = VolunteerFactory(area_id="860101")
    _grant(trained)
    with pytest.raises(PermissionDenied):
        services.case_volunteer_assign(
            actor=personas["district_coordinator_b"], case=abuse_case, volunteer=trained
        )


def test_a_break_glass_opening_does_not_give_the_case_to_a_volunteer(personas, abuse_case):
    """The assignment would outlive the hour: the volunteer could read the case for good."""
    coordinator = personas["district_coordinator_a"]
    assert abuse_case.sensitive and not access.reads_without_break_glass(coordinator, abuse_case)
    access.break_glass_open(
        actor=coordinator, case=abuse_case, reason="ผู้เสียหายโทรมาขอความช่วยเหลือเร่งด่วน"
    )
    assert access.shows_details(coordinator, abuse_case)
    assert not services.can_assign(coordinator, abuse_case)
    trained = VolunteerFactory(area_id="860101")
    _grant(trained)
    with pytest.raises(PermissionDenied):
        services.case_volunteer_assign(actor=coordinator, case=abuse_case, volunteer=trained)


def test_the_page_explains_the_refusal(personas, abuse_case, login_as):
    untrained = VolunteerFactory(area_id="860101", first_name="ไม่เคยอบรม")
    trained = VolunteerFactory(area_id="860101", first_name="ผ่านอบรมแล้ว")
    _grant(trained)
    client = login_as("province_officer")
    url = reverse("cases:volunteer_assign", args=[abuse_case.pk])
    response = client.post(url, {"volunteer": untrained.pk})
    assert response.status_code == 400
    body = response.content.decode()
    assert "การคุ้มครองเด็ก" in body and "ผ่านอบรมแล้ว" in body
    response = client.post(url, {"volunteer": trained.pk})
    assert response.status_code == 302
    assert list(abuse_case.case_volunteers.all()) == [trained]
    # Out of scope and anonymous: nothing changes.
    assert (
        login_as("district_coordinator_b").post(url, {"volunteer": trained.pk}).status_code == 404
    )
    client.logout()
    assert client.post(url, {"volunteer": trained.pk}).status_code == 302
    assert abuse_case.case_volunteers.count() == 1
    assert client.post(url, {"volunteer": "x"}).status_code == 302  # anonymous: to the login


def test_garbage_volunteer_gives_a_reason_not_a_500(personas, abuse_case, login_as):
    client = login_as("province_officer")
    url = reverse("cases:volunteer_assign", args=[abuse_case.pk])
    assert client.post(url, {"volunteer": "abc"}).status_code == 400
    assert client.post(url, {}).status_code == 400


def test_the_filer_cannot_give_the_case_away(personas, reference_data):
    """Giving a case opens it to the volunteer: the centre decides, not the volunteer who filed."""
    case = case_in("86010101", filed_by=personas["volunteer_a"], status=S.ACCEPTED)
    other = VolunteerFactory(area_id="860101")
    with pytest.raises(PermissionDenied):
        services.case_volunteer_assign(actor=personas["volunteer_a"], case=case, volunteer=other)
    assert not case.case_volunteers.exists()


def test_a_case_needing_a_competency_offers_only_those_who_hold_it(personas, abuse_case, login_as):
    VolunteerFactory(area_id="860101", first_name="ใกล้บ้าน")
    client = login_as("province_officer")
    url = reverse("cases:detail", args=[abuse_case.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="none-trained"' in page and 'data-testid="assign-volunteer"' not in page
    trained = VolunteerFactory(area_id="860102", first_name="ผ่านอบรมแล้ว")
    _grant(trained)
    page = client.get(url).content.decode()
    assert 'data-testid="none-trained"' not in page
    assert "ผ่านอบรมแล้ว" in page and "ใกล้บ้าน" not in page  # only those it can be given to


def test_a_case_needing_nothing_lists_its_subdistrict_first(personas, reference_data, login_as):
    case = case_in("86010101", filed_by=personas["volunteer_a"], status=S.ACCEPTED)
    VolunteerFactory(area_id="860102", first_name="ไกลออกไป")
    VolunteerFactory(area_id="860101", first_name="ใกล้บ้าน")
    page = login_as("province_officer").get(reverse("cases:detail", args=[case.pk]))
    body = page.content.decode()
    assert body.index("ใกล้บ้าน") < body.index("ไกลออกไป")
