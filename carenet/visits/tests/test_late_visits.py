"""A visit begun before its volunteer lost the household (late.py): taken off it, handed over,
or the household moved away, while she was recording. The visit is recorded with the change
noted, she is told what changed, by whom and when, and sees nothing more of the household;
whoever never had the household still gets the same 404 as for a missing one. Also: a member
whose consent is withdrawn while the form is open is named, with the reason."""

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from carenet.core import thaidate
from carenet.core.models import AuditEvent
from carenet.households import services as household_services
from carenet.households.models import Household, HouseholdStatus
from carenet.households.tests.factories import PersonFactory, VolunteerFactory
from carenet.visits import late, services
from carenet.visits.models import Visit, VisitDraft
from carenet.visits.tests.factories import build_world
from conftest import login, page_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas):
    return build_world(personas)


def visit_post(**overrides) -> dict:
    now = timezone.localtime() - timedelta(minutes=10)
    return {
        "client_uuid": str(uuid.uuid4()),
        "visit_date": thaidate.format_numeric(now.date()),
        "visit_time": now.strftime("%H:%M"),
        "visit_type": "routine",
        "risk_level": "watch",
        "duration_minutes": "30",
        "observations": "ยายนอนติดเตียง ลูกสาวดูแล",
        **overrides,
    }


def open_form(client, household) -> str:
    """The visit form as the volunteer opens it: its signed start."""
    page = client.get(reverse("visits:record", args=[household.pk]))
    assert page.status_code == 200
    return page.context["form"].initial[late.OPENED_FIELD]


def test_taken_off_during_the_visit_records_it_and_says_who_and_when(
    client, world, district_coordinator_a
):
    household, head = world.households["a1"], world.people["a1"]
    login(client, "volunteer_a")
    opened = open_form(client, household)
    household_services.household_unassign_volunteer(
        actor=district_coordinator_a, household=household, volunteer=world.volunteers["a"]
    )
    data = visit_post(opened=opened, members_seen=[str(head.pk)])
    response = client.post(reverse("visits:record", args=[household.pk]), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="late-recorded"' in body
    assert district_coordinator_a.display_name in body
    assert "นำท่านออกจากครัวเรือนนี้" in body or "took you off this household" in body
    assert head.full_name not in body  # no more of the household than her access allows
    assert "localStorage.removeItem" in body
    visit = Visit.objects.get(client_uuid=data["client_uuid"])
    event = AuditEvent.objects.get(action="household.unassign")
    assert visit.recorded_after == event
    assert list(visit.members_seen.all()) == [head]
    assert AuditEvent.objects.get(action="visit.record").details["after"] == [event.pk]
    assert not VisitDraft.objects.exists()
    # Sent again (a double tap, a reload): stored once.
    assert client.post(reverse("visits:record", args=[household.pk]), data).status_code == 200
    assert Visit.objects.filter(client_uuid=data["client_uuid"]).count() == 1
    # Another visit on the same form's start is not the one in progress: the same 404 as for
    # a household she never had, however urgent it claims to be.
    again = visit_post(opened=opened, risk_level="urgent", observations="แจ้งเรื่องเท็จ")
    assert client.post(reverse("visits:record", args=[household.pk]), again).status_code == 404
    assert Visit.objects.filter(household=household).count() == 1
    # She may not open it afterwards; the centre sees it with the change noted.
    assert client.get(reverse("visits:detail", args=[visit.pk])).status_code == 404
    login(client, "district_coordinator_a")
    detail = client.get(reverse("visits:detail", args=[visit.pk])).content.decode()
    assert 'data-testid="late-note"' in detail
    timeline = client.get(reverse("visits:timeline", args=[household.pk])).content.decode()
    assert 'data-testid="late-note"' in timeline


def test_handed_over_during_the_visit_names_the_new_volunteer(
    client, world, district_coordinator_a
):
    household = world.households["a1"]
    taker = VolunteerFactory.create(area_id="860101")
    login(client, "volunteer_a")
    opened = open_form(client, household)
    household_services.households_hand_over(
        actor=district_coordinator_a,
        giver=world.volunteers["a"],
        taker=taker,
        households=[household],
    )
    data = visit_post(opened=opened)
    response = client.post(reverse("visits:record", args=[household.pk]), data)
    assert response.status_code == 200
    assert taker.full_name in response.content.decode()
    visit = Visit.objects.get(client_uuid=data["client_uuid"])
    assert visit.recorded_after.action == "household.handover"
    assert list(visit.volunteers.all()) == [world.volunteers["a"]]


def test_a_household_that_moved_during_the_visit_still_takes_it(
    client, world, district_coordinator_a
):
    household, head = world.households["a1"], world.people["a1"]
    login(client, "volunteer_a")
    opened = open_form(client, household)
    household_services.household_set_status(
        actor=district_coordinator_a, household=household, status="moved", reason="ย้ายไปอยู่กับลูก"
    )
    data = visit_post(opened=opened, members_seen=[str(head.pk)])
    response = client.post(reverse("visits:record", args=[household.pk]), data)
    assert response.status_code == 200
    assert 'data-testid="late-recorded"' in response.content.decode()
    visit = Visit.objects.get(client_uuid=data["client_uuid"])
    assert visit.recorded_after.action == "household.status"
    assert list(visit.members_seen.all()) == [head]  # moved away with the household
    household.refresh_from_db()
    assert household.status == HouseholdStatus.MOVED and household.last_visit_at == visit.visited_at


def test_without_the_start_a_moved_household_still_refuses_the_visit(
    client, world, district_coordinator_a
):
    household = world.households["a1"]
    household_services.household_set_status(
        actor=district_coordinator_a, household=household, status="moved", reason="ย้าย"
    )
    login(client, "volunteer_a")
    response = client.post(reverse("visits:record", args=[household.pk]), visit_post())
    assert response.status_code == 400
    assert not Visit.objects.filter(household=household).exists()


def test_her_draft_shows_she_was_recording(client, world, volunteer_a, district_coordinator_a):
    household = world.households["a1"]
    services.draft_save(actor=volunteer_a, household=household, data={"needs": "ข้าวสาร"})
    household_services.household_unassign_volunteer(
        actor=district_coordinator_a, household=household, volunteer=world.volunteers["a"]
    )
    login(client, "volunteer_a")
    data = visit_post(needs="ข้าวสาร")  # an old page, without the signed start
    response = client.post(reverse("visits:record", args=[household.pk]), data)
    assert response.status_code == 200
    assert Visit.objects.filter(client_uuid=data["client_uuid"]).exists()
    assert not VisitDraft.objects.exists()


def test_a_visit_with_mistakes_is_kept_for_the_centre(
    client, world, volunteer_a, district_coordinator_a
):
    household, head = world.households["a1"], world.people["a1"]
    login(client, "volunteer_a")
    opened = open_form(client, household)
    household_services.household_unassign_volunteer(
        actor=district_coordinator_a, household=household, volunteer=world.volunteers["a"]
    )
    tomorrow = thaidate.format_numeric(timezone.localdate() + timedelta(days=2))
    data = visit_post(opened=opened, visit_date=tomorrow)
    response = client.post(reverse("visits:record", args=[household.pk]), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="late-kept"' in body
    assert "<li>วันที่เยี่ยม" in body or "<li>date of the visit" in body  # the reason
    assert head.full_name not in body and 'name="observations"' not in body  # no form back
    draft = VisitDraft.objects.get(user=volunteer_a, household=household)
    assert draft.data["observations"] == data["observations"]
    # Kept with its start: sent again once corrected, it is recorded.
    fixed = {**draft.data, "visit_date": thaidate.format_numeric(timezone.localdate())}
    fixed.pop("opened")
    assert late.form_opened_at(draft.data["opened"], user=volunteer_a, household=household)
    again = client.post(reverse("visits:record", args=[household.pk]), fixed)
    assert again.status_code == 200
    assert Visit.objects.filter(household=household, recorded_by=volunteer_a).exists()


def test_autosave_after_being_taken_off_keeps_the_draft_and_says_so(
    client, world, volunteer_a, district_coordinator_a
):
    household = world.households["a1"]
    login(client, "volunteer_a")
    opened = open_form(client, household)
    household_services.household_unassign_volunteer(
        actor=district_coordinator_a, household=household, volunteer=world.volunteers["a"]
    )
    response = client.post(
        reverse("visits:draft_save", args=[household.pk]), {"opened": opened, "needs": "ยา"}
    )
    assert response.status_code == 200
    assert response.json()["saved"] is True
    assert VisitDraft.objects.get(user=volunteer_a).data["needs"] == "ยา"


def test_a_visit_begun_after_the_change_is_refused(world, volunteer_a, district_coordinator_a):
    household = world.households["a1"]
    household_services.household_unassign_volunteer(
        actor=district_coordinator_a, household=household, volunteer=world.volunteers["a"]
    )
    data = services.VisitData(visited_at=timezone.now() - timedelta(minutes=5))
    with pytest.raises(PermissionDenied):
        services.visit_record(
            actor=volunteer_a, household=household, data=data, started_at=timezone.now()
        )
    assert not Visit.objects.exists()


@pytest.mark.parametrize("who", ["volunteer_b", "volunteer_a_other_household", "never_assigned"])
def test_whoever_never_had_the_household_gets_the_same_404(
    client, world, personas, district_coordinator_a, who
):
    household = world.households["a1"]
    login(client, "volunteer_a")
    opened = open_form(client, household)
    household_services.household_unassign_volunteer(
        actor=district_coordinator_a, household=household, volunteer=world.volunteers["a"]
    )
    target = household
    if who == "volunteer_b":
        login(client, "volunteer_b")  # her token names volunteer_a
    elif who == "volunteer_a_other_household":
        target = world.households["a2"]  # the token names a1
    else:
        opened = "forged"
    before = (Visit.objects.count(), VisitDraft.objects.count(), AuditEvent.objects.count())
    missing_path = reverse("visits:record", args=[999999])
    missing = client.post(missing_path, visit_post(opened=opened))
    for name in ("visits:record", "visits:draft_save"):
        path = reverse(name, args=[target.pk])
        response = client.post(path, visit_post(opened=opened))
        assert response.status_code == 404
        if name == "visits:record":
            assert page_body(response, path) == page_body(missing, missing_path)
    assert (Visit.objects.count(), VisitDraft.objects.count(), AuditEvent.objects.count()) == before


def test_anonymous_with_a_start_goes_to_login(client, world, district_coordinator_a):
    household = world.households["a1"]
    login(client, "volunteer_a")
    opened = open_form(client, household)
    client.logout()
    response = client.post(reverse("visits:record", args=[household.pk]), visit_post(opened=opened))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not Visit.objects.exists()


# --- Consent withdrawn while the form is open ----------------------------------------------


def test_a_member_whose_consent_is_withdrawn_is_named_with_the_reason(
    client, world, district_coordinator_a
):
    household, head = world.households["a1"], world.people["a1"]
    other = PersonFactory.create(household=household, relation="child")
    login(client, "volunteer_a")
    open_form(client, household)
    household_services.consent_withdraw(
        actor=district_coordinator_a,
        consent=head.consents.get(),
        withdrawn_on=timezone.localdate(),
        reason="ไม่ประสงค์ให้เก็บข้อมูล",
    )
    data = visit_post(members_seen=[str(head.pk), str(other.pk)], needs="ถุงยังชีพ")
    response = client.post(reverse("visits:record", args=[household.pk]), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert head.full_name in body
    assert "ถอนความยินยอม" in body or "withdrew their consent" in body
    assert "ไม่ใช่ตัวเลือก" not in body and "not one of the available choices" not in body
    assert "ถุงยังชีพ" in body  # the rest is kept
    assert not Visit.objects.exists()
    # Sent again: the person is no longer ticked on the page, so the visit is recorded.
    data.update(members_seen=[str(other.pk)], opened="")
    assert client.post(reverse("visits:record", args=[household.pk]), data).status_code == 302
    assert list(Visit.objects.get().members_seen.all()) == [other]


def test_a_member_who_moved_away_meanwhile_is_named(client, world, district_coordinator_a):
    household = world.households["a1"]
    other = PersonFactory.create(household=household, relation="child")
    login(client, "volunteer_a")
    open_form(client, household)
    other.status = "moved"
    other.save(update_fields=["status"])
    data = visit_post(members_seen=[str(other.pk)])
    response = client.post(reverse("visits:record", args=[household.pk]), data)
    assert response.status_code == 400
    assert other.full_name in response.content.decode()
    assert Household.objects.get(pk=household.pk).last_visit_at is None


# --- Her draft for a household she lost ----------------------------------------------------


def test_her_draft_for_a_lost_household_is_listed_and_sent(
    client, world, volunteer_a, district_coordinator_a
):
    household, head = world.households["a1"], world.people["a1"]
    services.draft_save(actor=volunteer_a, household=household, data=visit_post())
    household_services.household_unassign_volunteer(
        actor=district_coordinator_a, household=household, volunteer=world.volunteers["a"]
    )
    login(client, "volunteer_a")
    home = client.get(reverse("visits:my_households")).content.decode()
    assert 'data-testid="left-drafts"' in home and head.full_name not in home
    response = client.post(reverse("visits:draft_send", args=[household.pk]))
    assert response.status_code == 200
    assert 'data-testid="late-recorded"' in response.content.decode()
    assert Visit.objects.get(household=household).recorded_by == volunteer_a
    assert (
        'data-testid="left-drafts"'
        not in client.get(reverse("visits:my_households")).content.decode()
    )


@pytest.mark.parametrize("who", ["volunteer_b", "district_coordinator_a", None])
def test_sending_a_draft_that_is_not_yours_is_a_404(
    client, world, volunteer_a, who, district_coordinator_a
):
    household = world.households["a1"]
    services.draft_save(actor=volunteer_a, household=household, data=visit_post())
    household_services.household_unassign_volunteer(
        actor=district_coordinator_a, household=household, volunteer=world.volunteers["a"]
    )
    login(client, who)
    response = client.post(reverse("visits:draft_send", args=[household.pk]))
    assert response.status_code == (404 if who else 302)
    assert not Visit.objects.exists() and VisitDraft.objects.count() == 1


@pytest.mark.parametrize(
    "persona", ["district_coordinator_a", "district_coordinator_b", "volunteer_a"]
)
def test_the_centre_sees_a_draft_left_behind(
    client, world, volunteer_a, district_coordinator_a, persona
):
    household = world.households["a1"]
    services.draft_save(actor=volunteer_a, household=household, data=visit_post(needs="ผ้าอ้อมผู้ใหญ่"))
    login(client, persona)
    path = reverse("visits:timeline", args=[household.pk])
    assert 'data-testid="left-draft"' not in client.get(path).content.decode()  # still hers
    household_services.household_unassign_volunteer(
        actor=district_coordinator_a, household=household, volunteer=world.volunteers["a"]
    )
    response = client.get(path)
    if persona == "district_coordinator_a":
        body = response.content.decode()
        assert 'data-testid="left-draft"' in body and "ผ้าอ้อมผู้ใหญ่" in body
    else:
        assert response.status_code == 404  # not theirs (any more)


def test_a_draft_left_behind_with_a_sensitive_finding_is_restricted_for_the_district(
    client, world, volunteer_a, district_coordinator_a
):
    from carenet.visits.models import ProblemItem

    household = world.households["a1"]
    code = ProblemItem.objects.filter(area__sensitive=True).values_list("code", flat=True)[0]
    services.draft_save(
        actor=volunteer_a,
        household=household,
        data=visit_post(problems=[code], needs="ถูกทำร้ายร่างกาย"),
    )
    household_services.household_unassign_volunteer(
        actor=district_coordinator_a, household=household, volunteer=world.volunteers["a"]
    )
    login(client, "district_coordinator_a")
    body = client.get(reverse("visits:timeline", args=[household.pk])).content.decode()
    assert 'data-kind="left_draft"' in body and "ถูกทำร้ายร่างกาย" not in body
    login(client, "province_officer")
    body = client.get(reverse("visits:timeline", args=[household.pk])).content.decode()
    assert 'data-testid="left-draft"' in body and "ถูกทำร้ายร่างกาย" in body
