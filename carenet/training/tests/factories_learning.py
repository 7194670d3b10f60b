"""The learning tests' small world: a two-day workshop of เมืองชุมพร (8601) with two sessions, a
pre- and a post-test of five one-point questions, and invitees with their attendance; plus a
workshop of ท่าแซะ (8602)."""

from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from django.utils import timezone

from carenet.accounts.models import User
from carenet.training.models import (
    Attendance,
    Choice,
    Invitation,
    InvitationStatus,
    Question,
    Quiz,
    QuizAttempt,
    Session,
    TrainingEvent,
)
from carenet.training.tests.factories_events import (
    EventFactory,
    InvitationFactory,
    SessionFactory,
    VolunteerFactory,
    aware,
    centre,
    many_volunteers,
)

__all__ = [
    "LearningWorld",
    "attend",
    "build_quiz",
    "learning_world",
    "many_attendees",
    "take",
]

DAY1 = date(2025, 2, 26)
DAY2 = date(2025, 2, 27)


@dataclass
class LearningWorld:
    event: TrainingEvent
    sessions: list[Session]
    pre: Quiz
    post: Quiz
    mine: Invitation  # volunteer_a's own (นางสาวน้ำผึ้ง ศรีสุข), both sessions
    other: Invitation  # another of 8601, both sessions
    half: Invitation  # one session of two: below an 80 % rule
    absent: Invitation  # none
    event_b: TrainingEvent
    invitation_b: Invitation  # volunteer_b's own, at the 8602 event


def build_quiz(event: TrainingEvent, kind: str, questions: int = 5, *, open: bool = True) -> Quiz:
    """`questions` questions, each with a right answer (1 point) first and a wrong one (0)."""
    quiz = Quiz.objects.create(event=event, kind=kind, open=open)
    for n in range(questions):
        question = Question.objects.create(quiz=quiz, text=f"คำถามข้อที่ {n + 1}", order=n + 1)
        Choice.objects.create(question=question, text="ถูก", score=1, order=1)
        Choice.objects.create(question=question, text="ผิด", score=0, order=2)
    return quiz


def answers_for(quiz: Quiz, right: int) -> dict[str, str]:
    """Answers with the first `right` questions right and the rest wrong."""
    result = {}
    for n, question in enumerate(quiz.questions.prefetch_related("choices")):
        choices = list(question.choices.all())
        result[str(question.pk)] = str(choices[0].pk if n < right else choices[1].pk)
    return result


def take(quiz: Quiz, invitation: Invitation, right: int) -> QuizAttempt:
    """An attempt stored directly (the services are tested elsewhere)."""
    total = quiz.questions.count()
    return QuizAttempt.objects.create(
        quiz=quiz,
        invitation=invitation,
        answers=answers_for(quiz, right),
        score=right,
        max_score=total,
        submitted_at=timezone.now(),
    )


def attend(invitation: Invitation, *sessions: Session) -> None:
    user = User.objects.order_by("pk").first()
    assert user is not None
    for session in sessions:
        Attendance.objects.create(
            session=session,
            invitation=invitation,
            checked_in_at=session.starts_at,
            method="list",
            checked_in_by=user,
        )


def learning_world(personas: dict[str, User]) -> LearningWorld:
    event = cast(
        TrainingEvent,
        EventFactory(
            centre=centre("8601"),
            title="ประชุมเชิงปฏิบัติการพัฒนาศักยภาพ อพม. เพื่อขับเคลื่อนงานตามภารกิจของกระทรวง พม. ประจำปี 2568",
            starts_on=DAY1,
            ends_on=DAY2,
            attendance_rule=80,
            signer_name="นายสมชาย ใจงาม",
            signer_position="พัฒนาสังคมและความมั่นคงของมนุษย์จังหวัดชุมพร",
            venue_area_id="860101",
        ),
    )
    s1 = cast(Session, SessionFactory(event=event, title="วันแรก"))
    s2 = cast(
        Session,
        SessionFactory(
            event=event, title="วันที่สอง", starts_at=aware(DAY2, 9), ends_at=aware(DAY2, 16)
        ),
    )
    own = VolunteerFactory(
        area_id="860101",
        user=personas["volunteer_a"],
        title="นางสาว",
        first_name="น้ำผึ้ง",
        last_name="ศรีสุข",
    )
    mine = cast(
        Invitation, InvitationFactory(event=event, volunteer=own, status=InvitationStatus.CONFIRMED)
    )
    other = cast(
        Invitation,
        InvitationFactory(
            event=event,
            volunteer=VolunteerFactory(
                area_id="860102", title="นาย", first_name="สมศักดิ์", last_name="ใจดี"
            ),
            area_id="860102",
        ),
    )
    half = cast(
        Invitation,
        InvitationFactory(
            event=event, volunteer=VolunteerFactory(area_id="860101", first_name="ครึ่งวัน")
        ),
    )
    absent = cast(
        Invitation,
        InvitationFactory(
            event=event, volunteer=VolunteerFactory(area_id="860101", first_name="ไม่มา")
        ),
    )
    attend(mine, s1, s2)
    attend(other, s1, s2)
    attend(half, s1)
    pre = build_quiz(event, "pre")
    post = build_quiz(event, "post")
    event_b = cast(
        TrainingEvent, EventFactory(centre=centre("8602"), title="อบรม อพม. ท่าแซะ", starts_on=DAY1)
    )
    SessionFactory(event=event_b)
    thasae = VolunteerFactory(area_id="860201", user=personas["volunteer_b"], first_name="สมชาย")
    invitation_b = cast(Invitation, InvitationFactory(event=event_b, volunteer=thasae))
    return LearningWorld(
        event, [s1, s2], pre, post, mine, other, half, absent, event_b, invitation_b
    )


def many_attendees(event: TrainingEvent, count: int, **fields: Any) -> list[Invitation]:
    """`count` sent invitations to the event, each checked in to every session (bulk)."""
    volunteers = many_volunteers(count, ["860101", "860102"])
    now = timezone.now()
    invitations = Invitation.objects.bulk_create(
        [
            Invitation(event=event, volunteer=v, area_id=v.area_id, invited_at=now, **fields)
            for v in volunteers
        ]
    )
    user = User.objects.order_by("pk").first()
    Attendance.objects.bulk_create(
        [
            Attendance(
                session=s,
                invitation=i,
                checked_in_at=s.starts_at,
                method="list",
                checked_in_by=user,
            )
            for s in event.sessions.all()
            for i in invitations
        ],
        batch_size=1000,
    )
    return invitations
