"""Tests, evaluation, the event report, completion and the competencies held."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from carenet.core.models import AuditEvent
from carenet.training import learning
from carenet.training.models import (
    Attendance,
    Certificate,
    CompetencyGrant,
    Evaluation,
    EventStatus,
    QuizAttempt,
)
from carenet.training.tests.factories_events import GrantFactory, VolunteerFactory
from carenet.training.tests.factories_learning import (
    answers_for,
    attend,
    build_quiz,
    learning_world,
    take,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas, reference_data):
    return learning_world(personas)


# --- authoring ---------------------------------------------------------------------------------


def test_question_add_and_copy_pre_to_post(world, district_coordinator_a):
    event = world.event
    world.pre.delete()
    world.post.delete()
    pre = learning.quiz_ensure(actor=district_coordinator_a, event=event, kind="pre")
    learning.question_add(
        actor=district_coordinator_a,
        quiz=pre,
        text="อพม. ย่อมาจากอะไร",
        choices=[("อาสาสมัครพัฒนาสังคมฯ", 1), ("อื่น ๆ", 0), ("", 0)],
    )
    post = learning.quiz_copy(
        actor=district_coordinator_a, event=event, source="pre", target="post"
    )
    questions = learning.quiz_questions(post)
    assert [q.text for q in questions] == ["อพม. ย่อมาจากอะไร"]
    assert [(c.text, c.score) for c in questions[0].choices.all()] == [
        ("อาสาสมัครพัฒนาสังคมฯ", 1),
        ("อื่น ๆ", 0),
    ]


def test_question_add_refuses_bad_input(world, district_coordinator_a):
    with pytest.raises(ValidationError) as caught:
        learning.question_add(
            actor=district_coordinator_a, quiz=world.pre, text=" ", choices=[("ก", 0)]
        )
    assert set(caught.value.message_dict) == {"text", "choices"}


def test_other_district_cannot_edit(world, district_coordinator_b):
    with pytest.raises(PermissionDenied):
        learning.quiz_ensure(actor=district_coordinator_b, event=world.event, kind="pre")


def test_questions_frozen_once_taken(world, district_coordinator_a):
    take(world.pre, world.mine, 3)
    with pytest.raises(ValidationError):
        learning.question_add(
            actor=district_coordinator_a, quiz=world.pre, text="ข้อใหม่", choices=[("ก", 1), ("ข", 0)]
        )


# --- taking -------------------------------------------------------------------------------------


def test_submit_scores(world, volunteer_a):
    attempt = learning.quiz_submit(
        actor=volunteer_a, quiz=world.pre, answers=answers_for(world.pre, 3)
    )
    assert (attempt.score, attempt.max_score) == (3, 5)
    assert AuditEvent.objects.filter(action="training.quiz_submit").count() == 1


def test_one_attempt_only(world, volunteer_a):
    learning.quiz_submit(actor=volunteer_a, quiz=world.pre, answers=answers_for(world.pre, 2))
    with pytest.raises(ValidationError) as caught:
        learning.quiz_submit(actor=volunteer_a, quiz=world.pre, answers=answers_for(world.pre, 5))
    assert caught.value.code == "already_taken"
    assert list(QuizAttempt.objects.values_list("score", flat=True)) == [2]


def test_missing_answers_listed(world, volunteer_a):
    answers = answers_for(world.pre, 5)
    questions = list(world.pre.questions.all())
    del answers[str(questions[1].pk)]
    del answers[str(questions[3].pk)]
    answers[str(questions[0].pk)] = "999999"  # not one of its choices
    with pytest.raises(ValidationError) as caught:
        learning.quiz_submit(actor=volunteer_a, quiz=world.pre, answers=answers)
    assert caught.value.code == "missing"
    assert "1, 2, 4" in caught.value.messages[0]
    assert not QuizAttempt.objects.exists()


def test_only_own_invitation(world, volunteer_b, district_coordinator_a):
    for actor in (volunteer_b, district_coordinator_a):
        with pytest.raises(PermissionDenied):
            learning.quiz_submit(actor=actor, quiz=world.pre, answers=answers_for(world.pre, 5))


def test_closed_quiz_refused(world, volunteer_a):
    world.pre.open = False
    world.pre.save()
    with pytest.raises(ValidationError):
        learning.quiz_submit(actor=volunteer_a, quiz=world.pre, answers=answers_for(world.pre, 5))


def test_evaluation_once(world, volunteer_a):
    ratings = {"content": 5, "speakers": "4", "venue": 3, "usefulness": 5, "overall": 4}
    learning.evaluation_submit(
        actor=volunteer_a, event=world.event, ratings=ratings, comment="ดีมาก"
    )
    with pytest.raises(ValidationError):
        learning.evaluation_submit(actor=volunteer_a, event=world.event, ratings=ratings)
    assert Evaluation.objects.get().ratings["speakers"] == 4


def test_evaluation_needs_a_check_in(world, volunteer_a):
    Attendance.objects.filter(invitation=world.mine).delete()  # declined, or did not come
    ratings = {"content": 5, "speakers": 4, "venue": 3, "usefulness": 5, "overall": 4}
    with pytest.raises(ValidationError):
        learning.evaluation_submit(actor=volunteer_a, event=world.event, ratings=ratings)
    assert not Evaluation.objects.exists()


def test_evaluation_needs_every_topic(world, volunteer_a):
    with pytest.raises(ValidationError) as caught:
        learning.evaluation_submit(
            actor=volunteer_a, event=world.event, ratings={"content": 6, "speakers": 3}
        )
    assert set(caught.value.message_dict) == {"content", "venue", "usefulness", "overall"}


# --- the report ---------------------------------------------------------------------------------


def test_report_figures(world):
    # Two participants: 40 % → 80 % and 40 % → 80 %; a third took only the pre-test.
    take(world.pre, world.mine, 2)
    take(world.post, world.mine, 4)
    take(world.pre, world.other, 2)
    take(world.post, world.other, 4)
    take(world.pre, world.half, 5)
    report = learning.event_report(world.event)
    assert report.pre.taken == 3
    assert report.pre.average == pytest.approx((40 + 40 + 100) / 3)
    assert report.post.average == pytest.approx(80)
    assert report.both == 2
    assert report.gain == pytest.approx(40)
    assert report.improved == 2
    assert report.improved_share == pytest.approx(100)
    bands = {b.label: (b.pre, b.post) for b in report.bands}
    assert bands["40–60%"] == (2, 0)
    assert bands["80–100%"] == (1, 2)
    assert report.attendance.passed == 2
    assert report.attendance.by_count == [(0, 1), (1, 1), (2, 2)]


def test_report_share_improved_counts_only_gains(world):
    take(world.pre, world.mine, 2)
    take(world.post, world.mine, 4)
    take(world.pre, world.other, 4)
    take(world.post, world.other, 3)
    report = learning.event_report(world.event)
    assert report.gain == pytest.approx((40 - 20) / 2)
    assert report.improved_share == pytest.approx(50)


def test_report_evaluation_averages(world, volunteer_a):
    learning.evaluation_submit(
        actor=volunteer_a,
        event=world.event,
        ratings={"content": 4, "speakers": 5, "venue": 3, "usefulness": 5, "overall": 4},
    )
    report = learning.event_report(world.event)
    assert {t.code: t.average for t in report.topics}["venue"] == 3


# --- completion ---------------------------------------------------------------------------------


def test_an_event_is_not_completed_before_its_last_session_begins(world, district_coordinator_a):
    """Closed at 10:31 with the afternoon at 13:00 to come, the afternoon's people would have
    had no certificate."""
    from carenet.training.tests.factories_events import SessionFactory

    now = timezone.now()
    type(world.event).objects.filter(pk=world.event.pk).update(
        starts_on=timezone.localdate(now - timedelta(days=1)), ends_on=timezone.localdate(now)
    )
    world.event.refresh_from_db()
    afternoon = SessionFactory(
        event=world.event,
        title="ภาคบ่าย",
        starts_at=now + timedelta(minutes=30),
        ends_at=now + timedelta(hours=3),
    )
    with pytest.raises(ValidationError, match="begin"), translation_en():
        learning.event_complete(actor=district_coordinator_a, event=world.event)
    assert not Certificate.objects.exists()
    type(afternoon).objects.filter(pk=afternoon.pk).update(starts_at=now - timedelta(minutes=1))
    learning.event_complete(actor=district_coordinator_a, event=world.event)  # begun: it may


def translation_en():
    from django.utils import translation

    return translation.override("en")


def test_complete_issues_to_those_meeting_the_rule(world, district_coordinator_a):
    world.event.competencies.set(["child_protection", "elderly_care"])
    done = learning.event_complete(actor=district_coordinator_a, event=world.event)
    assert (done.passing, done.certificates_new, done.grants_new) == (2, 2, 4)
    certified = set(Certificate.objects.values_list("invitation_id", flat=True))
    assert certified == {world.mine.pk, world.other.pk}
    mine = Certificate.objects.get(invitation=world.mine)
    assert mine.name_printed == "นางสาวน้ำผึ้ง ศรีสุข"
    assert mine.issued_on == date(2025, 2, 27)
    assert len(mine.code) == 10
    grants = {
        (g.volunteer_id, g.competency_id): (g.granted_on, g.expires_on)
        for g in CompetencyGrant.objects.all()
    }
    assert grants[(world.mine.volunteer_id, "child_protection")] == (
        date(2025, 2, 27),
        date(2028, 2, 27),
    )
    assert grants[(world.mine.volunteer_id, "elderly_care")] == (date(2025, 2, 27), None)
    assert world.half.volunteer_id not in {v for v, _c in grants}
    world.event.refresh_from_db()
    assert world.event.status == EventStatus.DONE
    assert AuditEvent.objects.filter(action="training.event_complete").count() == 1


def test_complete_is_idempotent_and_adds_late_attendance(world, district_coordinator_a):
    world.event.competencies.set(["child_protection"])
    learning.event_complete(actor=district_coordinator_a, event=world.event)
    codes = dict(Certificate.objects.values_list("invitation_id", "code"))
    again = learning.event_complete(actor=district_coordinator_a, event=world.event)
    assert (again.certificates_new, again.grants_new) == (0, 0)
    attend(world.half, world.sessions[1])  # attendance corrected afterwards
    preview = learning.completion_preview(world.event)
    assert (preview.certificates_new, preview.grants_new) == (1, 1)
    third = learning.event_complete(actor=district_coordinator_a, event=world.event)
    assert (third.certificates_new, third.grants_new) == (1, 1)
    assert Certificate.objects.count() == 3
    assert {
        k: v for k, v in Certificate.objects.values_list("invitation_id", "code") if k in codes
    } == codes


def test_complete_refused_out_of_scope(world, district_coordinator_b):
    with pytest.raises(PermissionDenied):
        learning.event_complete(actor=district_coordinator_b, event=world.event)
    assert not Certificate.objects.exists()


def test_leap_day_expiry():
    assert learning.add_years(date(2024, 2, 29), 3) == date(2027, 2, 28)


# --- competencies held ----------------------------------------------------------------------------


def test_volunteer_holds_and_holders_near(area_tree, reference_data):
    here = VolunteerFactory(area_id="860101", first_name="ใกล้")
    district = VolunteerFactory(area_id="860102", first_name="อำเภอเดียวกัน")
    province = VolunteerFactory(area_id="860201", first_name="จังหวัดเดียวกัน")
    expired = VolunteerFactory(area_id="860101", first_name="หมดอายุ")
    elsewhere = VolunteerFactory(area_id="840101", first_name="ต่างจังหวัด")
    resigned = VolunteerFactory(area_id="860101", first_name="ลาออก", status="resigned")
    for v in (here, district, province, elsewhere, resigned):
        GrantFactory(volunteer=v, competency_id="child_protection", granted_on=date(2024, 1, 1))
    GrantFactory(
        volunteer=expired,
        competency_id="child_protection",
        granted_on=date(2020, 1, 1),
        expires_on=date(2023, 1, 1),
    )
    on = date(2025, 3, 1)
    assert learning.volunteer_holds(here, "child_protection", on)
    assert not learning.volunteer_holds(expired, "child_protection", on)
    assert not learning.volunteer_holds(here, "elderly_care", on)
    assert not learning.volunteer_holds(here, "child_protection", date(2023, 12, 31))
    near = learning.holders_near("86010101", "child_protection", on)
    assert [v.pk for v in near] == [here.pk, district.pk, province.pk]
    assert [v.nearness for v in near] == [0, 1, 2]


def test_quiz_kinds_checked(world, district_coordinator_a):
    with pytest.raises(ValidationError):
        learning.quiz_ensure(actor=district_coordinator_a, event=world.event, kind="mid")
    assert build_quiz(world.event_b, "pre").questions.count() == 5


def test_an_event_is_completed_only_after_its_last_session(world, district_coordinator_a):
    """Closed before it was held, it would certify people on a day still to come."""
    last = world.event.sessions.order_by("-ends_at").first()
    last.ends_at = timezone.now() + timedelta(days=1)
    last.save(update_fields=["ends_at"])
    with pytest.raises(ValidationError, match="ช่วงการอบรมสุดท้ายจัดในวันที่"):
        learning.event_complete(actor=district_coordinator_a, event=world.event)
    assert not Certificate.objects.exists()


def test_closing_again_gives_a_revoked_certificate_nothing_back(world, district_coordinator_a):
    from carenet.training import services

    world.event.competencies.set(["child_protection"])
    learning.event_complete(actor=district_coordinator_a, event=world.event)
    mine = Certificate.objects.get(invitation=world.mine)
    services.certificate_revoke(actor=None, certificate=mine, reason="ติ๊กชื่อผิดคน")
    assert not CompetencyGrant.objects.filter(volunteer=world.mine.volunteer).exists()
    preview = learning.completion_preview(world.event)
    assert (preview.certificates_new, preview.certificates_had, preview.grants_new) == (0, 1, 0)
    again = learning.event_complete(actor=district_coordinator_a, event=world.event)
    assert (again.certificates_new, again.grants_new) == (0, 0)
    assert not CompetencyGrant.objects.filter(volunteer=world.mine.volunteer).exists()
