"""Visit services: every rule of visits, drafts, concerns, acknowledgement and follow-up."""

import uuid
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from carenet.areas.models import Area
from carenet.core.models import AuditEvent
from carenet.households import services as household_services
from carenet.households.models import Household, Person
from carenet.households.tests.factories import ConsentFactory, PersonFactory, VolunteerFactory
from carenet.households.vulnerability import HIGH_PRIORITY_FROM
from carenet.visits import planning, services
from carenet.visits.models import (
    Assessment,
    Concern,
    ConcernStatus,
    FollowUpPolicy,
    RiskLevel,
    Visit,
    VisitDraft,
    VisitType,
)
from carenet.visits.photos import PreparedPhoto
from carenet.visits.services import VisitData
from carenet.visits.tests.factories import VisitFactory, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_messages():
    """These tests match the (English) source text of error messages."""
    with translation.override("en"):
        yield


@pytest.fixture
def world(personas):
    return build_world(personas)


def data(**overrides) -> VisitData:
    values = {
        "visited_at": timezone.now() - timedelta(hours=1),
        "visit_type": VisitType.ROUTINE,
        "risk_level": RiskLevel.NORMAL,
        "observations": "สุขภาพดี",
    }
    return VisitData(**{**values, **overrides})


def record(world, actor, key="a1", **overrides) -> Visit:
    return services.visit_record(
        actor=actor, household=world.households[key], data=data(**overrides)
    )


def written() -> tuple:
    return (
        Visit.objects.count(),
        Concern.objects.count(),
        AuditEvent.objects.count(),
        list(Household.objects.values_list("pk", "last_visit_at", "next_visit_due").order_by("pk")),
    )


# --- Recording -----------------------------------------------------------------------------


def test_a_visit_is_recorded_with_its_volunteer_members_and_problems(world, volunteer_a):
    member = world.people["a1"]
    visit = record(world, volunteer_a, member_ids=[member.pk], problem_codes=["low_income"])
    assert list(visit.volunteers.all()) == [world.volunteers["a"]]
    assert list(visit.members_seen.all()) == [member]
    assert [p.code for p in visit.problems.all()] == ["low_income"]
    assert visit.area_id == world.households["a1"].area_id
    assert visit.recorded_by == volunteer_a
    assert not visit.sensitive
    event = AuditEvent.objects.get(action="visit.record")
    assert event.target_id == str(visit.pk) and event.area_code == visit.area_id


def test_a_visit_in_the_future_is_refused_with_a_reason_and_nothing_is_written(world, volunteer_a):
    before = written()
    with pytest.raises(ValidationError) as caught:
        record(world, volunteer_a, visited_at=timezone.now() + timedelta(hours=2))
    assert "visited_at" in caught.value.message_dict
    assert "later than now" in caught.value.message_dict["visited_at"][0]
    assert written() == before


def test_a_few_minutes_of_clock_difference_is_not_the_future(world, volunteer_a):
    visit = record(world, volunteer_a, visited_at=timezone.now() + timedelta(minutes=2))
    assert visit.pk


def test_a_visit_more_than_a_year_back_is_refused(world, volunteer_a):
    with pytest.raises(ValidationError) as caught:
        record(world, volunteer_a, visited_at=timezone.now() - timedelta(days=400))
    assert "visited_at" in caught.value.message_dict


@pytest.mark.parametrize("key", ["a2", "p1", "b1", "s1"])
def test_a_volunteer_cannot_record_for_a_household_not_assigned_to_them(world, volunteer_a, key):
    before = written()
    with pytest.raises(PermissionDenied):
        record(world, volunteer_a, key=key)
    assert written() == before


def test_a_coordinator_records_in_their_area_naming_the_volunteer(world, district_coordinator_a):
    vol_a = world.volunteers["a"]
    visit = record(world, district_coordinator_a, key="a1", co_volunteer_ids=[vol_a.pk])
    assert list(visit.volunteers.all()) == [vol_a]
    with pytest.raises(PermissionDenied):
        record(world, district_coordinator_a, key="b1")


def test_a_coordinator_without_a_volunteer_record_must_name_one(world, district_coordinator_a):
    with pytest.raises(ValidationError) as caught:
        record(world, district_coordinator_a, key="a1")
    assert "co_volunteers" in caught.value.message_dict


def test_the_auditor_records_nothing(world, auditor):
    with pytest.raises(PermissionDenied):
        record(world, auditor, key="a1")


def test_co_volunteers_must_be_active_and_serve_the_subdistrict(world, volunteer_a):
    other = VolunteerFactory.create(area_id="860101")
    elsewhere = VolunteerFactory.create(area_id="860201")
    inactive = VolunteerFactory.create(area_id="860101", status="inactive")
    visit = record(world, volunteer_a, co_volunteer_ids=[other.pk])
    assert set(visit.volunteers.all()) == {world.volunteers["a"], other}
    for wrong in (elsewhere, inactive):
        with pytest.raises(ValidationError) as caught:
            record(world, volunteer_a, co_volunteer_ids=[wrong.pk])
        assert "co_volunteers" in caught.value.message_dict


def test_members_seen_must_live_in_the_household(world, volunteer_a):
    with pytest.raises(ValidationError) as caught:
        record(world, volunteer_a, member_ids=[world.people["b1"].pk])
    assert "members_seen" in caught.value.message_dict


def test_nothing_new_is_recorded_about_a_person_who_withdrew_consent(world, volunteer_a):
    person = world.people["a1"]
    person.consents.update(withdrawn_on=timezone.localdate())
    # Someone else there still consents, so the household is visited (see the next test).
    ConsentFactory(person=PersonFactory(household=world.households["a1"]))
    with pytest.raises(ValidationError) as caught:
        record(world, volunteer_a, member_ids=[person.pk])
    assert "members_seen" in caught.value.message_dict


def test_no_visit_where_everyone_withdrew_consent(world, volunteer_a):
    world.people["a1"].consents.update(withdrawn_on=timezone.localdate())
    with pytest.raises(ValidationError) as caught:
        record(world, volunteer_a)
    assert caught.value.messages == [services.withdrawn_reason()]
    assert not Visit.objects.filter(household=world.households["a1"]).exists()


def test_unknown_problems_and_bad_choices_are_refused(world, volunteer_a):
    with pytest.raises(ValidationError) as caught:
        record(
            world,
            volunteer_a,
            problem_codes=["no_such_problem"],
            risk_level="panic",
            visit_type="party",
            duration_minutes=0,
        )
    assert {"problems", "risk_level", "visit_type", "duration_minutes"} <= set(
        caught.value.message_dict
    )


def test_gps_must_be_in_thailand(world, volunteer_a):
    visit = record(world, volunteer_a, latitude="10.4930", longitude="99.1800")
    assert str(visit.latitude) == "10.493000"
    with pytest.raises(ValidationError) as caught:
        record(world, volunteer_a, latitude="51.5", longitude="-0.12")
    assert "latitude" in caught.value.message_dict or "longitude" in caught.value.message_dict


def test_the_same_form_submitted_twice_stores_one_visit(world, volunteer_a):
    form_id, when = uuid.uuid4(), timezone.now().replace(second=0, microsecond=0)
    first = record(world, volunteer_a, client_uuid=form_id, visited_at=when)
    events = AuditEvent.objects.count()
    second = record(world, volunteer_a, client_uuid=form_id, visited_at=when)
    assert first.pk == second.pk
    assert Visit.objects.filter(client_uuid=form_id).count() == 1
    assert AuditEvent.objects.count() == events


def test_the_same_visit_in_a_new_form_stores_one_visit(world, volunteer_a):
    """The back button after saving brings the typed words back in a form with a new id."""
    when = timezone.now().replace(second=0, microsecond=0) - timedelta(hours=1)
    first = record(world, volunteer_a, client_uuid=uuid.uuid4(), visited_at=when)
    second = record(world, volunteer_a, client_uuid=uuid.uuid4(), visited_at=when)
    assert first.pk == second.pk
    other = record(
        world, volunteer_a, client_uuid=uuid.uuid4(), visited_at=when, observations="อีกครั้ง"
    )
    assert other.pk != first.pk


def all_answers(met=True, **others):
    """An answer to every indicator of the current set; `i<number>=...` changes one."""
    from carenet.visits.assessments import current_indicator_set

    indicator_set = current_indicator_set()
    assert indicator_set is not None
    answers = {i.number: met for i in indicator_set.indicators.all()}
    return {**answers, **{int(k[1:]): v for k, v in others.items()}}


URGENT = {"risk_level": RiskLevel.URGENT, "raise_concern": True}
# (first, second): the second sent in a new form at the same time, with the same words.
# Values that need the world are functions of it.
DIFFERENT_ENTRIES = {
    "risk": ({}, {"risk_level": RiskLevel.WATCH}),
    "risk, concern and problem": (
        {},
        {**URGENT, "concern_summary": "บ้านไม่ปลอดภัย", "problem_codes": ["unsafe_home"]},
    ),
    "a concern raised after all": ({**URGENT, "raise_concern": False}, URGENT),
    "concern summary": (
        {**URGENT, "concern_summary": "ล้มในบ้าน"},
        {**URGENT, "concern_summary": "ล้มในบ้าน ขาหัก"},
    ),
    "a problem unticked": ({"problem_codes": ["low_income", "unsafe_home"]},
                           {"problem_codes": ["low_income"]}),
    "a sensitive finding": ({}, {"problem_codes": ["domestic_violence"]}),
    "members seen": ({}, {"member_ids": lambda w: [w.people["a1"].pk]}),
    "co-volunteers": (
        {},
        {"co_volunteer_ids": lambda w: [VolunteerFactory.create(area_id="860101").pk]},
    ),
    "needs": ({}, {"needs": "ข้าวสาร"}),
    "minutes": ({}, {"duration_minutes": 45}),
    "position": ({}, {"latitude": "10.4986", "longitude": "99.1801"}),
    "an assessment": ({}, {"answers": lambda w: all_answers()}),
    "assessment answers": (
        {"answers": lambda w: all_answers()},
        {"answers": lambda w: all_answers(i4=False)},
    ),
}  # fmt: skip


@pytest.mark.parametrize(("first", "second"), DIFFERENT_ENTRIES.values(), ids=DIFFERENT_ENTRIES)
def test_a_new_form_differing_in_any_entry_is_stored_and_its_resend_is_not(
    world, volunteer_a, first, second
):
    """Only an exact repeat is the same visit: a change to anything entered is never dropped."""
    when = timezone.now().replace(second=0, microsecond=0) - timedelta(hours=1)

    first, second = (
        {k: v(world) if callable(v) else v for k, v in o.items()} for o in (first, second)
    )

    def send(values):
        return record(world, volunteer_a, client_uuid=uuid.uuid4(), visited_at=when, **values)

    earlier = send(first)
    concerns = Concern.objects.count()
    changed = send(second)
    assert changed.pk != earlier.pk
    assert Visit.objects.count() == 2
    if second.get("raise_concern"):
        assert Concern.objects.filter(visit=changed).count() == 1
        assert Concern.objects.count() == concerns + 1
    world.households["a1"].refresh_from_db()
    assert world.households["a1"].current_risk == changed.risk_level
    events = AuditEvent.objects.count()
    assert send(second).pk == changed.pk  # that changed visit sent once more: stored once
    assert (Visit.objects.count(), AuditEvent.objects.count()) == (2, events)


def test_a_box_left_ticked_on_a_normal_visit_changes_nothing(world, volunteer_a):
    """The concern box starts ticked; on a normal visit it raises nothing, so it is no entry."""
    when = timezone.now().replace(second=0, microsecond=0) - timedelta(hours=1)
    first = record(world, volunteer_a, client_uuid=uuid.uuid4(), visited_at=when)
    again = record(
        world, volunteer_a, client_uuid=uuid.uuid4(), visited_at=when, raise_concern=True
    )
    assert again.pk == first.pk


def test_photos_make_a_new_visit_and_a_resend_without_them_is_the_same(
    world, volunteer_a, settings, tmp_path
):
    """A browser never puts files back into a form: photos were chosen for this visit, and a
    resend without them loses nothing."""
    settings.MEDIA_ROOT = tmp_path
    when = timezone.now().replace(second=0, microsecond=0) - timedelta(hours=1)
    photo = PreparedPhoto(b"\xff\xd8\xff\xd9", 1600, 1200)
    plain = record(world, volunteer_a, client_uuid=uuid.uuid4(), visited_at=when)
    with_photo = record(
        world, volunteer_a, client_uuid=uuid.uuid4(), visited_at=when, photos=[photo]
    )
    assert with_photo.pk != plain.pk and with_photo.photos.count() == 1
    Visit.objects.filter(pk=plain.pk).delete()
    resent = record(world, volunteer_a, client_uuid=uuid.uuid4(), visited_at=when)
    assert resent.pk == with_photo.pk


def test_the_same_visit_with_everything_in_it_in_a_new_form_stores_one_visit(world, volunteer_a):
    """Members, problems, a concern and an assessment are compared as stored, not as typed."""
    when = timezone.now().replace(second=0, microsecond=0) - timedelta(hours=1)
    other = VolunteerFactory.create(area_id="860101")
    entries = {
        **URGENT,
        "visited_at": when,
        "observations": "  ผู้ป่วยติดเตียง  ",
        "needs": "ผ้าอ้อม",
        "concern_summary": "",  # the summary is made from the findings
        "member_ids": [world.people["a1"].pk],
        "co_volunteer_ids": [other.pk],
        "problem_codes": ["unsafe_home", "domestic_violence"],
        "latitude": "10.4986",
        "longitude": "99.1801",
        "answers": all_answers(i4=False, i5=None),
    }
    first = record(world, volunteer_a, client_uuid=uuid.uuid4(), **entries)
    before = written()
    assert record(world, volunteer_a, client_uuid=uuid.uuid4(), **entries).pk == first.pk
    assert written() == before


def test_another_users_form_id_is_refused(world, volunteer_a, district_coordinator_a):
    form_id = uuid.uuid4()
    record(world, volunteer_a, client_uuid=form_id)
    with pytest.raises(ValidationError):
        record(
            world,
            district_coordinator_a,
            client_uuid=form_id,
            co_volunteer_ids=[world.volunteers["a"].pk],
        )
    assert Visit.objects.count() == 1


def test_photos_are_stored_with_their_size(world, volunteer_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    photo = PreparedPhoto(b"\xff\xd8\xff\xd9", 1600, 1200)
    visit = record(world, volunteer_a, photos=[photo, photo])
    stored = list(visit.photos.order_by("pk"))
    assert [(p.width, p.height) for p in stored] == [(1600, 1200), (1600, 1200)]
    assert stored[0].image.read() == b"\xff\xd8\xff\xd9"


# --- Follow-up -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("risk", "days"), [(RiskLevel.URGENT, 7), (RiskLevel.WATCH, 30), (RiskLevel.NORMAL, 90)]
)
def test_the_next_visit_falls_due_by_risk(world, volunteer_a, risk, days):
    visited_at = timezone.now() - timedelta(days=2)
    record(world, volunteer_a, visited_at=visited_at, risk_level=risk)
    household = Household.objects.get(pk=world.households["a1"].pk)
    assert household.next_visit_due == timezone.localdate(visited_at) + timedelta(days=days)
    assert household.current_risk == risk
    assert household.last_visit_at == visited_at


@pytest.mark.parametrize(
    ("risk", "days"), [(RiskLevel.URGENT, 3), (RiskLevel.WATCH, 14), (RiskLevel.NORMAL, 60)]
)
def test_the_province_sets_its_own_cadence(world, volunteer_a, area_tree, risk, days):
    FollowUpPolicy.objects.create(
        area=area_tree["86"], urgent_days=3, watch_days=14, normal_days=60
    )
    FollowUpPolicy.objects.create(area=area_tree["84"], urgent_days=1, watch_days=2, normal_days=3)
    visited_at = timezone.now() - timedelta(hours=3)
    record(world, volunteer_a, visited_at=visited_at, risk_level=risk)
    household = Household.objects.get(pk=world.households["a1"].pk)
    assert household.next_visit_due == timezone.localdate(visited_at) + timedelta(days=days)


def test_a_high_priority_household_waits_at_most_the_watch_interval(world, volunteer_a):
    Household.objects.filter(pk=world.households["a1"].pk).update(priority_score=12)
    visited_at = timezone.now() - timedelta(hours=3)
    record(world, volunteer_a, visited_at=visited_at, risk_level=RiskLevel.NORMAL)
    household = Household.objects.get(pk=world.households["a1"].pk)
    assert household.next_visit_due == timezone.localdate(visited_at) + timedelta(days=30)
    # Urgent stays shorter than the cap.
    assert (
        services.follow_up_days(area_code="86010101", risk_level="urgent", priority_score=12) == 7
    )
    # A medium priority is not capped.
    assert (
        services.follow_up_days(area_code="86010101", risk_level="normal", priority_score=5) == 90
    )


def test_an_older_visit_entered_late_does_not_move_the_dates_back(world, volunteer_a):
    recent = timezone.now() - timedelta(days=1)
    record(world, volunteer_a, visited_at=recent, risk_level=RiskLevel.URGENT)
    record(world, volunteer_a, visited_at=recent - timedelta(days=20), risk_level=RiskLevel.NORMAL)
    household = Household.objects.get(pk=world.households["a1"].pk)
    assert household.last_visit_at == recent
    assert household.current_risk == RiskLevel.URGENT
    assert household.next_visit_due == timezone.localdate(recent) + timedelta(days=7)


def test_the_household_version_is_not_bumped(world, volunteer_a):
    version = world.households["a1"].version
    record(world, volunteer_a)
    assert Household.objects.get(pk=world.households["a1"].pk).version == version


def test_each_volunteers_latest_visit_moves_forward_never_back(world, volunteer_a):
    vol_a = world.volunteers["a"]
    other = VolunteerFactory.create(area_id="860101")
    versions = (vol_a.version, other.version)
    first = timezone.now() - timedelta(days=10)
    record(world, volunteer_a, visited_at=first, co_volunteer_ids=[other.pk])

    def latest() -> tuple:
        vol_a.refresh_from_db()
        other.refresh_from_db()
        return vol_a.last_visit_at, other.last_visit_at

    assert latest() == (first, first)  # a co-volunteer's visit is theirs too
    record(world, volunteer_a, visited_at=first - timedelta(days=20), co_volunteer_ids=[other.pk])
    assert latest() == (first, first)  # an older visit entered late
    later = timezone.now() - timedelta(days=1)
    record(world, volunteer_a, visited_at=later)
    assert latest() == (later, first)  # only those on the visit
    with pytest.raises(ValidationError):
        record(world, volunteer_a, visited_at=timezone.now() + timedelta(days=1))
    assert latest() == (later, first)
    assert (vol_a.version, other.version) == versions  # not a user's edit


def test_reschedule_follows_a_changed_policy(world, volunteer_a, area_tree):
    visited_at = timezone.now() - timedelta(days=1)
    record(world, volunteer_a, visited_at=visited_at, risk_level=RiskLevel.WATCH)
    FollowUpPolicy.objects.create(area=area_tree["86"], watch_days=10)
    due = services.follow_up_reschedule(household=world.households["a1"])
    assert due == timezone.localdate(visited_at) + timedelta(days=10)
    assert services.follow_up_reschedule(household=world.households["a2"]) is None


def test_a_household_turned_high_priority_is_due_within_the_watch_interval(world, volunteer_a):
    """A bedridden member recorded after a normal visit left the household due in 90 days."""
    visited_at = timezone.now() - timedelta(days=2)
    record(world, volunteer_a, visited_at=visited_at, risk_level=RiskLevel.NORMAL)
    household = Household.objects.get(pk=world.households["a1"].pk)
    assert household.next_visit_due == timezone.localdate(visited_at) + timedelta(days=90)
    Person.objects.filter(pk=world.people["a1"].pk).update(
        bedridden=True, disability=True, lives_alone=True, birth_date=date(1940, 1, 1)
    )
    household_services.household_recompute(household=household)
    household.refresh_from_db()
    assert household.priority_score >= HIGH_PRIORITY_FROM
    assert household.next_visit_due == timezone.localdate(visited_at) + timedelta(days=30)


def test_a_new_cadence_moves_the_due_dates_of_the_province(world, volunteer_a, personas):
    visited_at = timezone.now() - timedelta(days=2)
    record(world, volunteer_a, visited_at=visited_at, risk_level=RiskLevel.NORMAL)
    province = Area.objects.get(code="86")
    planning.follow_up_policy_set(
        actor=personas["province_officer"], province=province, urgent_days=5, watch_days=14,
        normal_days=45,
    )  # fmt: skip
    due = Household.objects.get(pk=world.households["a1"].pk).next_visit_due
    assert due == timezone.localdate(visited_at) + timedelta(days=45)
    event = AuditEvent.objects.get(action="followup.policy_set")
    assert event.details["households_moved"] >= 1


# --- Concerns ------------------------------------------------------------------------------


def test_an_urgent_visit_raises_a_concern_when_asked(world, volunteer_a):
    visit = record(
        world,
        volunteer_a,
        risk_level=RiskLevel.URGENT,
        raise_concern=True,
        concern_summary="ผู้ป่วยติดเตียงไม่มีคนดูแล",
    )
    concern = Concern.objects.get()
    assert concern.visit == visit and concern.household == visit.household
    assert concern.summary == "ผู้ป่วยติดเตียงไม่มีคนดูแล"
    assert concern.status == ConcernStatus.OPEN and not concern.sensitive
    assert concern.area_id == visit.area_id and concern.raised_by == volunteer_a
    assert AuditEvent.objects.filter(action="concern.raise").count() == 1


def test_violence_makes_the_visit_and_its_concern_sensitive(world, volunteer_a):
    visit = record(
        world, volunteer_a, problem_codes=["domestic_violence", "low_income"], raise_concern=True
    )
    assert visit.sensitive
    concern = Concern.objects.get()
    assert concern.sensitive
    assert "ความรุนแรงในครอบครัว" in concern.summary  # a summary is made when none is typed


def test_a_summary_made_for_a_volunteer_working_in_english_is_in_thai(
    world, volunteer_a, district_coordinator_a
):
    """The coordinator reads it in Thai: a made summary, and the stamp of a note, are stored
    in Thai whatever the writer's language."""
    from django.utils import translation

    with translation.override("en"):
        record(world, volunteer_a, risk_level=RiskLevel.URGENT, raise_concern=True)
        concern = Concern.objects.get()
        services.concern_handle(
            actor=district_coordinator_a, concern=concern, status="acknowledged", note="Will go"
        )
    concern.refresh_from_db()
    assert concern.summary.startswith("ความเสี่ยงเร่งด่วน") and "Urgent" not in concern.summary
    assert " BE " not in concern.note and "Will go" in concern.note


def test_trafficking_is_sensitive_too(world, volunteer_a):
    visit = record(world, volunteer_a, problem_codes=["forced_labour"], raise_concern=False)
    assert visit.sensitive
    assert not Concern.objects.exists()  # the volunteer chose not to raise one


def test_no_concern_for_a_normal_visit_even_if_the_box_stayed_ticked(world, volunteer_a):
    record(world, volunteer_a, problem_codes=["low_income"], raise_concern=True)
    assert not Concern.objects.exists()


def test_the_centre_marks_a_concern_seen_then_closed(world, volunteer_a, district_coordinator_a):
    record(world, volunteer_a, risk_level=RiskLevel.URGENT, raise_concern=True)
    concern = Concern.objects.get()
    services.concern_handle(actor=district_coordinator_a, concern=concern, status="acknowledged")
    with pytest.raises(ValidationError) as caught:
        services.concern_handle(actor=district_coordinator_a, concern=concern, status="closed")
    assert "note" in caught.value.message_dict
    services.concern_handle(
        actor=district_coordinator_a, concern=concern, status="closed", note="ส่งต่อ รพ.สต. แล้ว"
    )
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.CLOSED
    assert concern.handled_by == district_coordinator_a
    assert "ส่งต่อ รพ.สต. แล้ว" in concern.note
    with pytest.raises(ValidationError):
        services.concern_handle(
            actor=district_coordinator_a, concern=concern, status="acknowledged"
        )


@pytest.mark.parametrize("persona", ["district_coordinator_b", "volunteer_a", "auditor"])
def test_only_the_centre_in_scope_handles_a_concern(world, personas, volunteer_a, persona):
    record(world, volunteer_a, risk_level=RiskLevel.URGENT, raise_concern=True)
    concern = Concern.objects.get()
    with pytest.raises(PermissionDenied):
        services.concern_handle(actor=personas[persona], concern=concern, status="acknowledged")
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.OPEN


def test_a_sensitive_concern_is_handled_by_the_provincial_officer_not_the_district(
    world, volunteer_a, district_coordinator_a, province_officer
):
    record(world, volunteer_a, problem_codes=["child_abuse"], raise_concern=True)
    concern = Concern.objects.get()
    with pytest.raises(PermissionDenied):
        services.concern_handle(
            actor=district_coordinator_a, concern=concern, status="acknowledged"
        )
    services.concern_handle(actor=province_officer, concern=concern, status="acknowledged")
    assert Concern.objects.get().status == ConcernStatus.ACKNOWLEDGED


# --- Acknowledgement -----------------------------------------------------------------------


def test_a_coordinator_in_scope_acknowledges_with_a_comment(
    world, volunteer_a, district_coordinator_a
):
    visit = record(world, volunteer_a)
    services.visit_acknowledge(actor=district_coordinator_a, visit=visit, comment="  ขอบคุณมากครับ ")
    visit.refresh_from_db()
    assert visit.acknowledged_by == district_coordinator_a
    assert visit.acknowledgement == "ขอบคุณมากครับ"
    assert visit.acknowledged_at is not None
    assert AuditEvent.objects.filter(action="visit.acknowledge").count() == 1


@pytest.mark.parametrize(
    "persona", ["district_coordinator_b", "volunteer_a", "volunteer_b", "auditor"]
)
def test_acknowledgement_only_in_scope(world, personas, volunteer_a, persona):
    visit = record(world, volunteer_a)
    with pytest.raises(PermissionDenied):
        services.visit_acknowledge(actor=personas[persona], visit=visit, comment="เยี่ยม")
    visit.refresh_from_db()
    assert visit.acknowledged_at is None and visit.acknowledgement == ""


def test_an_overlong_comment_is_refused(world, volunteer_a, district_coordinator_a):
    visit = record(world, volunteer_a)
    with pytest.raises(ValidationError):
        services.visit_acknowledge(actor=district_coordinator_a, visit=visit, comment="ก" * 501)


# --- Drafts --------------------------------------------------------------------------------


def test_a_draft_keeps_invalid_values_as_typed(world, volunteer_a):
    tomorrow = "31/12/2599"
    services.draft_save(
        actor=volunteer_a,
        household=world.households["a1"],
        data={
            "visit_date": tomorrow,
            "problems": ["low_income", "x"],
            "csrfmiddlewaretoken": "t",
            "Bad Key!": "x",
            "observations": "ก" * 10000,
        },
    )
    draft = VisitDraft.objects.get()
    assert draft.data["visit_date"] == tomorrow
    assert draft.data["problems"] == ["low_income", "x"]
    assert "csrfmiddlewaretoken" not in draft.data and "Bad Key!" not in draft.data
    assert len(draft.data["observations"]) == services.DRAFT_MAX_TEXT
    # Saving again replaces it: one draft per user and household.
    services.draft_save(actor=volunteer_a, household=world.households["a1"], data={"needs": "ข้าว"})
    assert VisitDraft.objects.get().data == {"needs": "ข้าว"}


def test_a_draft_is_deleted_when_the_visit_is_recorded(world, volunteer_a):
    services.draft_save(actor=volunteer_a, household=world.households["a1"], data={"needs": "x"})
    record(world, volunteer_a)
    assert not VisitDraft.objects.exists()


def test_a_refused_visit_keeps_the_draft(world, volunteer_a):
    services.draft_save(actor=volunteer_a, household=world.households["a1"], data={"needs": "x"})
    with pytest.raises(ValidationError):
        record(world, volunteer_a, visited_at=timezone.now() + timedelta(days=1))
    assert VisitDraft.objects.count() == 1


def test_no_draft_for_a_household_not_assigned(world, volunteer_a):
    with pytest.raises(PermissionDenied):
        services.draft_save(actor=volunteer_a, household=world.households["a2"], data={"x": "y"})
    assert not VisitDraft.objects.exists()


def test_discarding_removes_only_ones_own_draft(world, volunteer_a, district_coordinator_a):
    services.draft_save(actor=volunteer_a, household=world.households["a1"], data={"x": "1"})
    services.draft_save(
        actor=district_coordinator_a, household=world.households["a1"], data={"x": "2"}
    )
    services.draft_discard(actor=volunteer_a, household=world.households["a1"])
    assert list(VisitDraft.objects.values_list("user_id", flat=True)) == [district_coordinator_a.pk]


# --- With an assessment --------------------------------------------------------------------


def test_an_assessment_is_recorded_in_the_same_visit(world, volunteer_a):
    from carenet.visits.assessments import current_indicator_set

    indicator_set = current_indicator_set()
    assert indicator_set is not None
    answers = {i.number: True for i in indicator_set.indicators.all()}
    visit = record(world, volunteer_a, answers=answers)
    assert visit.assessment.household == visit.household
    assert visit.assessment.assessed_on == timezone.localdate(visit.visited_at)


def test_a_bad_assessment_undoes_the_whole_visit(world, volunteer_a):
    before = written()
    with pytest.raises(ValidationError):
        record(world, volunteer_a, answers={1: True})  # incomplete
    assert written() == before


def test_factories_make_visits(world):
    visit = VisitFactory.create(
        household=world.households["a1"], volunteers=[world.volunteers["a"]]
    )
    assert visit.volunteers.count() == 1
    assert PersonFactory.create(household=world.households["a1"]).household_id == visit.household_id


def test_no_visit_to_a_household_that_moved_away(world, volunteer_a):
    Household.objects.filter(pk=world.households["a1"].pk).update(status="moved")
    world.households["a1"].refresh_from_db()
    before = written()
    with pytest.raises(ValidationError) as caught:
        record(world, volunteer_a)
    assert "moved away" in " ".join(caught.value.messages)
    assert written() == before


# --- Withdrawing a visit recorded by mistake -----------------------------------------------


def test_a_visit_recorded_by_mistake_is_withdrawn_and_the_schedule_follows_the_others(
    world, volunteer_a, personas
):
    earlier = record(
        world, volunteer_a, visited_at=timezone.now() - timedelta(days=20), risk_level="watch"
    )
    wrong = record(
        world, volunteer_a, visited_at=timezone.now() - timedelta(hours=2), risk_level="urgent"
    )
    household = Household.objects.get(pk=world.households["a1"].pk)
    assert household.current_risk == "urgent"
    with pytest.raises(ValidationError):
        services.visit_withdraw(actor=volunteer_a, visit=wrong, reason="  ")
    services.visit_withdraw(actor=volunteer_a, visit=wrong, reason="บันทึกผิดหลัง")
    household.refresh_from_db()
    assert (household.last_visit_at, household.current_risk) == (earlier.visited_at, "watch")
    assert household.next_visit_due == timezone.localdate(earlier.visited_at) + timedelta(days=30)
    assert not Visit.objects.filter(pk=wrong.pk).exists()  # out of every list and count
    kept = Visit.everything.get(pk=wrong.pk)
    assert kept.withdrawn_by == volunteer_a and kept.withdrawn_reason == "บันทึกผิดหลัง"
    world.volunteers["a"].refresh_from_db()
    assert world.volunteers["a"].last_visit_at == earlier.visited_at
    event = AuditEvent.objects.get(action="visit.withdraw")
    assert event.details["household"] == household.pk


def test_who_may_withdraw_a_visit(world, volunteer_a, personas):
    visit = record(world, volunteer_a)
    with pytest.raises(PermissionDenied):  # another volunteer's household: not theirs
        services.visit_withdraw(actor=personas["volunteer_b"], visit=visit, reason="ผิด")
    Visit.objects.filter(pk=visit.pk).update(created_at=timezone.now() - timedelta(days=2))
    visit.refresh_from_db()
    assert not services.may_withdraw(volunteer_a, visit)  # her own, but days ago: the centre's
    services.visit_withdraw(actor=personas["district_coordinator_a"], visit=visit, reason="บันทึกซ้ำ")
    assert Visit.everything.get(pk=visit.pk).withdrawn_at is not None


def test_a_form_sent_again_after_its_visit_was_withdrawn_makes_nothing_new(world, volunteer_a):
    form_id, when = uuid.uuid4(), timezone.now().replace(second=0, microsecond=0)
    visit = record(world, volunteer_a, client_uuid=form_id, visited_at=when)
    services.visit_withdraw(actor=volunteer_a, visit=visit, reason="ผิดบ้าน")
    again = record(world, volunteer_a, client_uuid=form_id, visited_at=when)
    assert again.pk == visit.pk and Visit.everything.filter(client_uuid=form_id).count() == 1


def test_a_withdrawn_visits_assessment_and_concern_go_with_it(world, volunteer_a):
    visit = record(world, volunteer_a, answers=all_answers(), **URGENT)
    assert Assessment.objects.filter(visit=visit).exists()
    concern = Concern.objects.get(visit=visit)
    services.visit_withdraw(actor=volunteer_a, visit=visit, reason="ผิดบ้าน")
    assert not Assessment.objects.filter(visit=visit).exists()  # out of the history and scores
    assert Assessment.everything.filter(visit=visit).exists()  # kept
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.CLOSED and "ผิดบ้าน" in concern.note
