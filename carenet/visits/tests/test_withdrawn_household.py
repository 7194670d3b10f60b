"""A household whose living members all withdrew consent: the volunteer's list says so with no
due date and no record button, the visit form and its autosave refuse, and the service
stores nothing. A household where someone still consents is visited as before."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from carenet.households.selectors import household_withdrawn
from carenet.households.tests.factories import ConsentFactory, PersonFactory
from carenet.visits import services
from carenet.visits.models import Visit, VisitDraft
from carenet.visits.tests.factories import build_world
from carenet.visits.tests.test_visit_views import valid_post
from conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world = build_world(personas)
    household = world.households["a1"]
    household.next_visit_due = timezone.localdate() - timedelta(days=3)
    household.save(update_fields=["next_visit_due"])
    world.people["a1"].consents.update(withdrawn_on=timezone.localdate(), withdrawal_reason="x")
    return world


def record_url(world):
    return reverse("visits:record", args=[world.households["a1"].pk])


def test_the_household_is_withdrawn_until_someone_consents(world):
    household = world.households["a1"]
    assert household_withdrawn(household)
    assert not household_withdrawn(world.households["a2"])
    ConsentFactory(person=PersonFactory(household=household))
    assert not household_withdrawn(household)


def test_the_service_records_nothing(world, personas):
    data = services.VisitData(
        visited_at=timezone.now() - timedelta(minutes=5),
        visit_type="routine",
        risk_level="urgent",
        observations="ความดันสูง",
    )
    with pytest.raises(ValidationError):
        services.visit_record(
            actor=personas["volunteer_a"], household=world.households["a1"], data=data
        )
    assert not Visit.objects.exists()
    draft = services.draft_save(
        actor=personas["volunteer_a"], household=world.households["a1"], data={"needs": "หนี้"}
    )
    assert draft is None and not VisitDraft.objects.exists()


def test_my_households_says_so_and_offers_no_visit(client, world):
    login(client, "volunteer_a")
    page = client.get(reverse("visits:my_households")).content.decode()
    assert 'data-testid="withdrawn"' in page
    assert 'data-state="withdrawn"' in page
    assert 'data-testid="record"' not in page  # a1 is the volunteer's only household


@pytest.mark.parametrize("who", ["volunteer_a", "district_coordinator_a"])
def test_the_form_refuses(client, world, who):
    login(client, who)
    page = client.get(record_url(world))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="withdrawn"' in body and 'data-testid="visit-form"' not in body
    posted = client.post(record_url(world), valid_post(world))
    assert posted.status_code == 400
    saved = client.post(
        reverse("visits:draft_save", args=[world.households["a1"].pk]), {"needs": "หนี้"}
    )
    assert saved.json()["saved"] is False
    assert not Visit.objects.filter(household=world.households["a1"]).exists()
    assert not VisitDraft.objects.exists()


@pytest.mark.parametrize("who, status", [("volunteer_b", 404), ("district_coordinator_b", 404)])
def test_the_form_out_of_scope(client, world, who, status):
    login(client, who)
    page = client.get(record_url(world))
    assert page.status_code == status
    assert b'data-testid="withdrawn"' not in page.content


def test_the_form_anonymous(client, world):
    assert client.get(record_url(world)).status_code == 302


def test_a_household_with_someone_who_consents_is_visited(client, world):
    household = world.households["a1"]
    ConsentFactory(person=PersonFactory(household=household))
    login(client, "volunteer_a")
    assert client.post(record_url(world), valid_post(world)).status_code == 302
    assert Visit.objects.filter(household=household).exists()
