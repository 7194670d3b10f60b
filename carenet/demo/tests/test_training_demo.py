"""The demo's trainings, at a small size: the 26 ก.พ. 2568 workshop invites exactly the
volunteers its criteria produce, attendance and scores are plausible, certificates follow the
attendance rule, the coverage report shows gaps, the `volunteer` login has a history and an
invitation to answer, and a second run adds nothing."""

from collections import Counter
from datetime import date
from importlib import import_module
from statistics import mean

import pytest
from django.apps import apps
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from carenet.areas.models import Area, Level, within
from carenet.areas.services import areas_load_from_geothai
from carenet.core.thaidate import fiscal_year
from carenet.demo.chumphon import DemoSize, build_chumphon, give_centres_phones
from carenet.demo.management.commands.demo import (
    link_demo_volunteer,
    link_subdistrict_volunteer,
)
from carenet.demo.training import (
    COMMITTEE_SIZE,
    TERM_START,
    WORKSHOP_DAY,
    WORKSHOP_TITLE,
    build_training,
    training_counts,
)
from carenet.demo.users import demo_users_ensure
from carenet.training import selectors
from carenet.training.criteria import TargetCriteria, target_volunteers
from carenet.training.models import (
    Attendance,
    Award,
    AwardStatus,
    Certificate,
    Choice,
    Competency,
    CompetencyGrant,
    Evaluation,
    EventStatus,
    Invitation,
    InvitationStatus,
    QuizAttempt,
    TrainingEvent,
)
from carenet.volunteers.models import Centre, CommitteeMembership, Volunteer, VolunteerStatus

pytestmark = pytest.mark.django_db

SMALL = DemoSize(villages=140, volunteers=300, households=400)


@pytest.fixture(scope="module")
def now():
    return timezone.now()


@pytest.fixture(scope="module")
def demo(now, django_db_setup, django_db_blocker, tmp_path_factory):
    """One small demo for the whole module, rolled back after."""
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
            # What a transactional test that ran before may have emptied.
            if not Competency.objects.exists():
                import_module("carenet.training.migrations.0002_competencies").load(apps, None)
            areas_load_from_geothai(province_codes=["86"])
            build_chumphon(SMALL)
            demo_users_ensure()
            link_demo_volunteer()
            link_subdistrict_volunteer()
            yield build_training(now=now)
        transaction.set_rollback(True)


@pytest.fixture
def workshop(demo):
    return TrainingEvent.objects.get(title=WORKSHOP_TITLE, starts_on=WORKSHOP_DAY)


def attended(event: TrainingEvent) -> dict[int, int]:
    """Invitation id → sessions attended."""
    return dict(
        Counter(
            Attendance.objects.filter(session__event=event).values_list("invitation_id", flat=True)
        )
    )


def passes(n: int, event: TrainingEvent, sessions: int) -> bool:
    return n > 0 and n * 100 >= event.attendance_rule * sessions


def test_every_centre_has_a_phone_for_its_volunteers_to_call(demo):
    """A volunteer's own page lists their centres: with no number, she has nobody to call."""
    centres = Centre.objects.filter(within("86", "area"))
    assert give_centres_phones() == centres.count()
    phones = list(centres.values_list("phone", flat=True))
    assert all(len(p) == 9 and p.startswith("077") for p in phones)
    Centre.objects.filter(area_id="86").update(phone="077000111")  # set by the centre
    assert give_centres_phones() == 0  # a second run changes nothing
    assert Centre.objects.get(area_id="86").phone == "077000111"


def test_every_subdistrict_has_a_centre_and_a_committee_of_its_volunteers(demo):
    subdistricts = Area.objects.filter(within("86"), level=Level.SUBDISTRICT)
    centres = Centre.objects.filter(area__in=subdistricts)
    assert centres.count() == subdistricts.count() == 70 == demo.centres
    seats = CommitteeMembership.objects.filter(centre__in=centres).select_related(
        "centre", "volunteer"
    )
    assert seats.count() == demo.seats
    by_centre = Counter(s.centre_id for s in seats)
    assert max(by_centre.values()) <= COMMITTEE_SIZE
    for seat in seats:
        assert seat.volunteer.area_id == seat.centre.area_id
        assert seat.volunteer.status == VolunteerStatus.ACTIVE
        assert seat.volunteer.registration_date <= TERM_START
        assert (seat.term_start, seat.term_end) == (TERM_START, date(2027, 9, 30))
    # One chair per centre; the `volunteer` login sits on ท่าตะเภา's.
    chairs = Counter(s.centre_id for s in seats if s.position == "chair")
    assert set(chairs.values()) == {1}
    assert seats.filter(centre__area_id="860101", volunteer__user__username="volunteer").exists()
    # At full size, eight seats in each of the 70 subdistricts make the 500+ invitations.
    assert COMMITTEE_SIZE * 70 >= 500


def test_the_workshop_invites_exactly_the_volunteers_its_criteria_produce(workshop):
    assert workshop.criteria == {"area": "86", "committee": "subdistrict"}
    assert (workshop.fiscal_year, workshop.status, workshop.area_id) == (2568, "done", "86")
    assert "โรงแรม" in workshop.venue and workshop.venue_area_id == "860101"  # ต.ท่าตะเภา
    assert workshop.budget and workshop.centre.area_id == "86"
    assert set(workshop.competencies.values_list("code", flat=True)) == {
        "case_management",
        "home_visit",
        "pdpa",
    }
    sessions = list(workshop.sessions.all())
    assert len(sessions) == 2 and all(s.agenda and s.speakers for s in sessions)
    assert [timezone.localtime(s.starts_at).hour for s in sessions] == [9, 13]
    wanted = set(
        target_volunteers(
            TargetCriteria.from_json(workshop.criteria), workshop.starts_on
        ).values_list("pk", flat=True)
    )
    invited = set(workshop.invitations.values_list("volunteer_id", flat=True))
    assert invited == wanted and len(invited) > 150
    assert not workshop.invitations.filter(invited_at__isnull=True).exists()
    for invitation in workshop.invitations.select_related("volunteer")[:50]:
        assert invitation.area_id == invitation.volunteer.area_id


def test_attendance_is_realistic(workshop):
    invitations = workshop.invitations.count()
    for session in workshop.sessions.all():
        rate = session.attendance.count() / invitations
        assert 0.8 <= rate <= 0.96, (session.title, rate)
    statuses = Counter(workshop.invitations.values_list("status", flat=True))
    assert statuses[InvitationStatus.DECLINED] >= 1
    assert statuses[InvitationStatus.CONFIRMED] > 0.85 * invitations
    per_person = Counter(attended(workshop).values())
    assert per_person[1] >= 3  # some came to one session only
    assert per_person[2] > 0.75 * invitations
    # Nobody is checked in twice to one session, and check-ins fall on the day.
    days = {
        timezone.localtime(a.checked_in_at).date()
        for a in Attendance.objects.filter(session__event=workshop)
    }
    assert days == {WORKSHOP_DAY}


def test_scores_improve_and_match_the_answers(workshop):
    scores = {"pre": {}, "post": {}}
    correct = set(Choice.objects.filter(score__gt=0).values_list("pk", flat=True))
    for attempt in QuizAttempt.objects.filter(quiz__event=workshop).select_related("quiz"):
        assert attempt.max_score == 10 == len(attempt.answers)
        assert attempt.score == sum(1 for c in attempt.answers.values() if c in correct)
        scores[attempt.quiz.kind][attempt.invitation_id] = attempt.score / attempt.max_score
    pre, post = scores["pre"], scores["post"]
    assert 0.48 <= mean(pre.values()) <= 0.62
    assert 0.72 <= mean(post.values()) <= 0.85
    both = [pk for pk in pre if pk in post]
    improved = sum(1 for pk in both if post[pk] > pre[pk])
    assert 0.7 <= improved / len(both) < 1  # most improve, a few do not
    # Only those who were there took the tests.
    present = attended(workshop)
    assert all(pk in present for pk in pre) and all(pk in present for pk in post)
    evaluations = Evaluation.objects.filter(event=workshop)
    assert evaluations.count() > 0.6 * len(post)
    ratings = {v for e in evaluations for v in e.ratings.values()}
    assert ratings <= {3, 4, 5} and len(ratings) == 3
    assert evaluations.exclude(comment="").exists()


def test_certificates_and_competencies_follow_the_attendance_rule(demo):
    for event in TrainingEvent.objects.filter(status=EventStatus.DONE):
        sessions = event.sessions.count()
        present = attended(event)
        passing = {pk for pk, n in present.items() if passes(n, event, sessions)}
        certificates = Certificate.objects.filter(event=event)
        assert set(certificates.values_list("invitation_id", flat=True)) == passing, event
        for certificate in certificates.select_related("volunteer")[:20]:
            assert certificate.name_printed == certificate.volunteer.full_name
            assert certificate.issued_on == event.ends_on and len(certificate.code) == 10
        codes = set(event.competencies.values_list("code", flat=True))
        grants = CompetencyGrant.objects.filter(event=event)
        assert grants.count() == len(passing) * len(codes)
        assert set(grants.values_list("competency_id", flat=True)) <= codes
    codes = list(Certificate.objects.values_list("code", flat=True))
    assert len(codes) == len(set(codes)) == demo.certificates
    # Some came to part of a course only, and got no certificate.
    elderly = TrainingEvent.objects.get(fiscal_year=2566)
    assert elderly.sessions.count() == 4
    workshop = TrainingEvent.objects.get(title=WORKSHOP_TITLE)
    assert Certificate.objects.filter(event=workshop).count() < len(attended(workshop))


def test_expiring_competencies_expire(demo):
    disaster = CompetencyGrant.objects.filter(competency_id="disaster_response")
    assert disaster.exists()
    assert all(g.expires_on == g.granted_on.replace(year=g.granted_on.year + 2) for g in disaster)
    assert not CompetencyGrant.objects.filter(
        competency_id="elderly_care", expires_on__isnull=False
    ).exists()


def test_coverage_shows_gaps(demo, now):
    province = Area.objects.get(code="86")
    for year in (2566, 2567, 2568, fiscal_year(timezone.localdate(now))):
        report = selectors.coverage(area=province, year=year)
        districts = [r for r in report.rows if r.area.level == Level.DISTRICT and r.active]
        shares = [r.share for r in districts]
        assert 0 < report.total.trained < report.total.active, year
        assert max(shares) > min(shares), year
        assert selectors.untrained_volunteers(area=province, year=year).exists()
    current = selectors.coverage(area=province, year=fiscal_year(timezone.localdate(now)))
    shares = {r.area.code: r.share for r in current.rows if r.area.level == Level.DISTRICT}
    assert shares["8605"] > 60 and shares["8602"] == 0
    held = dict(
        zip([c.code for c in current.competencies], current.total.by_competency, strict=True)
    )
    assert held["pdpa"] > 0 and held["disaster_response"] == 0  # expired


def test_the_volunteer_login_has_a_history_and_an_invitation_to_answer(demo, now, workshop):
    volunteer = Volunteer.objects.get(user__username="volunteer")
    invitations = selectors.my_invitations(volunteer=volunteer)
    ours = next(i for i in invitations if i.event_id == workshop.pk)
    assert ours.status == InvitationStatus.CONFIRMED
    assert ours.attendance.count() == 2
    assert Certificate.objects.filter(invitation=ours).exists()
    assert QuizAttempt.objects.filter(invitation=ours).count() == 2
    assert Evaluation.objects.filter(invitation=ours).exists()
    upcoming = [i for i in invitations if i.event.starts_on > timezone.localdate(now)]
    assert len(upcoming) == 1
    assert upcoming[0].status == InvitationStatus.INVITED and upcoming[0].responded_at is None
    assert upcoming[0].event.status == EventStatus.INVITED
    assert 20 <= (upcoming[0].event.starts_on - timezone.localdate(now)).days <= 40
    assert not upcoming[0].event.sessions.filter(attendance__isnull=False).exists()
    record = selectors.training_record(volunteer=volunteer)
    assert record.grants and record.awards and record.service
    assert {g.competency_id for g in record.grants} >= {"case_management", "home_visit", "pdpa"}


def test_awards_of_2568_at_every_stage(demo):
    awards = Award.objects.filter(fiscal_year=2568)
    assert awards.count() == demo.awards >= 5
    assert {AwardStatus.NOMINATED, AwardStatus.SHORTLISTED, AwardStatus.AWARDED} <= set(
        awards.values_list("status", flat=True)
    )
    assert not awards.filter(status=AwardStatus.NOMINATED, decided_by__isnull=False).exists()
    for award in awards.select_related("volunteer"):
        assert award.area_id == award.volunteer.area_id and award.reason


def test_second_run_adds_nothing(demo, now):
    invitations = Invitation.objects.count()
    assert build_training(now=now) == demo == training_counts()
    assert Invitation.objects.count() == invitations
    assert TrainingEvent.objects.filter(title=WORKSHOP_TITLE).count() == 1
