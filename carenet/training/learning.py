"""Learning results, completion and competencies: the tests, the evaluation form, the event
report, and what completing an event gives each attendee.

Tests. An event has at most two quizzes, a pre-test and a post-test (Quiz.kind), usually with the
same questions: `quiz_copy` copies the pre-test's questions to the post-test in one step. Each
question has scored choices (a wrong answer scores 0; a question may give part marks). A quiz
is taken only while it is open, only by the invited volunteer themself (their Volunteer.user),
and once: `quiz_submit` scores every question and refuses, writing nothing, when a question is
not answered (listing which) or when the volunteer already took the quiz (the first attempt is
kept; the unique constraint keeps it so under a double tap too).

Evaluation. Ratings 1–5 on the fixed EVALUATION_TOPICS and a comment, once per invitation.

Report. `event_report` works out, for the whole event, each quiz's average score as a share of
its maximum, the gain (post − pre, in percentage points, over those who took both), the share
of those who improved, the distribution of scores in bands of 20 %, the evaluation averages per
topic, and how many sessions each invitee attended. A few grouped queries whatever the size of
the event; the arithmetic runs in Python over one row per attempt. The attendance part
(`events_attendance`: attended at least one session, met the rule, certificates issued) also
serves the event list and the event page, for a whole page of events at once and over the
invitations a reader may see, so that every page gives the report's numbers.

Completion. An invitee passes when they attended at least one session and their sessions
attended / the event's sessions reach the event's attendance rule (%). `event_complete` issues
each passing invitee a Certificate (a random code for the public verify page, the printed name
kept on the row, issued on the event's last day) and grants each of the event's competencies
(CompetencyGrant, granted on the last day, expiring after the competency's valid_years when it
has one). Running it again adds only what is missing (attendance corrected afterwards), so it is
safe to press twice. The event is then marked done.

Case categories can require a competency: `volunteer_holds` says whether a volunteer holds one
on a day, and `holders_near` lists the active volunteers who hold it nearest an area (same
subdistrict, then district, then province), for the assignment form to name.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carenet.accounts import access
from carenet.accounts.access import Perm
from carenet.areas.models import within
from carenet.core import thaidate
from carenet.core.collation import thai_order
from carenet.core.services import audit_record
from carenet.training.models import (
    Attendance,
    Certificate,
    Choice,
    CompetencyGrant,
    Evaluation,
    EventStatus,
    Invitation,
    Question,
    Quiz,
    QuizAttempt,
    QuizKind,
    Session,
    TrainingEvent,
    new_certificate_code,
)
from carenet.volunteers.models import Volunteer, VolunteerStatus

NOBODY = Q(pk__in=[])
MAX_CHOICES = 6
MIN_CHOICES = 2

EVALUATION_TOPICS: list[tuple[str, Any]] = [
    ("content", gettext_lazy("Content")),
    ("speakers", gettext_lazy("Speakers")),
    ("venue", gettext_lazy("Venue and arrangements")),
    ("usefulness", gettext_lazy("Usefulness for your work")),
    ("overall", gettext_lazy("Overall")),
]
TOPIC_CODES = [code for code, _label in EVALUATION_TOPICS]
RATINGS = range(1, 6)
# Score bands of the distribution chart, in percent of the maximum (the last includes 100).
BANDS = [(0, 20), (20, 40), (40, 60), (60, 80), (80, 101)]


def _require_manage(actor: Any, event: TrainingEvent) -> None:
    if actor is not None and not access.can(actor, Perm.MANAGE_TRAINING, event.area_id):
        raise PermissionDenied


# --- reads -----------------------------------------------------------------------------------


def event_for_manager(*, user: Any, pk: Any) -> TrainingEvent:
    """An event the user manages (MANAGE_TRAINING over its area); 404 otherwise."""
    return access.get_visible_or_404(
        user,
        TrainingEvent.objects.select_related("centre", "area", "venue_area"),
        perm=Perm.MANAGE_TRAINING,
        own=NOBODY,
        pk=pk,
    )


def event_for_viewer(*, user: Any, pk: Any) -> TrainingEvent:
    """An event whose whole figures the user may read: VIEW_TRAINING over the organiser's area
    (its centre and those above, auditors); not the volunteers, nor a neighbouring district."""
    return access.get_visible_or_404(
        user,
        TrainingEvent.objects.select_related("centre", "area", "venue_area"),
        perm=Perm.VIEW_TRAINING,
        own=NOBODY,
        pk=pk,
    )


def quiz_of(event: TrainingEvent, kind: str) -> Quiz | None:
    return Quiz.objects.filter(event=event, kind=kind).first()


def quiz_questions(quiz: Quiz | None) -> list[Question]:
    if quiz is None:
        return []
    return list(quiz.questions.prefetch_related("choices"))


def my_invitation_for(*, user: Any, event_id: int) -> Invitation | None:
    """The user's own sent invitation to the event, if they are an invited volunteer."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Invitation.objects.select_related("event", "volunteer")
        .filter(event_id=event_id, volunteer__user=user, invited_at__isnull=False)
        .first()
    )


def quiz_for_taker(*, user: Any, pk: Any) -> tuple[Quiz, Invitation]:
    """A quiz of an event the user was invited to, with their invitation; 404 otherwise."""
    try:
        quiz = Quiz.objects.select_related("event").get(pk=pk)
    except (Quiz.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    invitation = my_invitation_for(user=user, event_id=quiz.event_id)
    if invitation is None:
        raise Http404
    return quiz, invitation


def attempt_of(quiz: Quiz, invitation: Invitation) -> QuizAttempt | None:
    return QuizAttempt.objects.filter(quiz=quiz, invitation=invitation).first()


# --- quiz authoring --------------------------------------------------------------------------


@transaction.atomic
def quiz_ensure(*, actor: Any, event: TrainingEvent, kind: str) -> Quiz:
    """The event's pre- or post-test, created (closed, empty) the first time it is edited."""
    _require_manage(actor, event)
    if kind not in QuizKind.values:
        raise ValidationError(_("There are only a pre-test and a post-test."))
    quiz, created = Quiz.objects.get_or_create(event=event, kind=kind)
    if created:
        audit_record(
            actor=actor,
            action="training.quiz_create",
            target=quiz,
            area_code=event.area_id,
            details={"kind": kind},
        )
    return quiz


def _refuse_if_taken(quiz: Quiz) -> None:
    if quiz.attempts.exists():
        raise ValidationError(
            _("Volunteers have already taken this test: its questions can no longer change.")
        )


@transaction.atomic
def question_add(*, actor: Any, quiz: Quiz, text: str, choices: list[tuple[str, int]]) -> Question:
    """Adds a question at the end, with its choices (text, score); blank choices are skipped."""
    event = quiz.event
    _require_manage(actor, event)
    _refuse_if_taken(quiz)
    errors: dict[str, list[str]] = {}
    text = text.strip()
    if not text:
        errors.setdefault("text", []).append(_("Write the question."))
    kept = [(" ".join(c.split()), score) for c, score in choices if c.strip()]
    if len(kept) < MIN_CHOICES:
        errors.setdefault("choices", []).append(_("Give at least two answers to choose from."))
    elif len(kept) > MAX_CHOICES:
        errors.setdefault("choices", []).append(
            _("Give at most %(n)s answers.") % {"n": MAX_CHOICES}
        )
    if any(score < 0 or score > 100 for _c, score in kept):
        errors.setdefault("choices", []).append(_("A score is a whole number from 0 to 100."))
    elif kept and not any(score > 0 for _c, score in kept):
        errors.setdefault("choices", []).append(_("At least one answer must score points."))
    if errors:
        raise ValidationError(errors)
    last = quiz.questions.order_by("-order").values_list("order", flat=True).first()
    question = Question.objects.create(quiz=quiz, text=text, order=(last or 0) + 1)
    Choice.objects.bulk_create(
        [
            Choice(question=question, text=c, score=score, order=n)
            for n, (c, score) in enumerate(kept, start=1)
        ]
    )
    audit_record(
        actor=actor, action="training.question_add", target=question, area_code=event.area_id
    )
    return question


@transaction.atomic
def question_delete(*, actor: Any, question: Question) -> None:
    quiz = question.quiz
    _require_manage(actor, quiz.event)
    _refuse_if_taken(quiz)
    audit_record(
        actor=actor,
        action="training.question_delete",
        target=question,
        area_code=quiz.event.area_id,
        details={"text": question.text[:200]},
    )
    question.delete()


@transaction.atomic
def quiz_copy(*, actor: Any, event: TrainingEvent, source: str, target: str) -> Quiz:
    """Replaces the `target` test's questions with copies of the `source` test's (usually the
    pre-test to the post-test). Refused once the target test has been taken."""
    _require_manage(actor, event)
    from_quiz = quiz_of(event, source)
    if from_quiz is None or not from_quiz.questions.exists():
        raise ValidationError(_("The test to copy from has no questions yet."))
    to_quiz = quiz_ensure(actor=actor, event=event, kind=target)
    _refuse_if_taken(to_quiz)
    to_quiz.questions.all().delete()
    for question in from_quiz.questions.prefetch_related("choices"):
        copy = Question.objects.create(quiz=to_quiz, text=question.text, order=question.order)
        Choice.objects.bulk_create(
            [
                Choice(question=copy, text=c.text, score=c.score, order=c.order)
                for c in question.choices.all()
            ]
        )
    audit_record(
        actor=actor,
        action="training.quiz_copy",
        target=to_quiz,
        area_code=event.area_id,
        details={"from": source, "to": target},
    )
    return to_quiz


@transaction.atomic
def quiz_set_open(*, actor: Any, quiz: Quiz, open: bool) -> Quiz:
    _require_manage(actor, quiz.event)
    if open and not quiz.questions.exists():
        raise ValidationError(_("Add questions before opening the test."))
    quiz.open = open
    quiz.save(update_fields=["open"])
    audit_record(
        actor=actor,
        action="training.quiz_open" if open else "training.quiz_close",
        target=quiz,
        area_code=quiz.event.area_id,
    )
    return quiz


# --- taking a quiz ---------------------------------------------------------------------------


def _own_invitation(actor: Any, event: TrainingEvent) -> Invitation:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied
    invitation = (
        Invitation.objects.filter(event=event, invited_at__isnull=False)
        .filter(volunteer__user_id=actor.pk)
        .select_related("volunteer")
        .first()
    )
    if invitation is None:
        raise PermissionDenied
    return invitation


@transaction.atomic
def quiz_submit(*, actor: Any, quiz: Quiz, answers: dict[Any, Any]) -> QuizAttempt:
    """Scores the actor's answers (question id → choice id) and keeps them. Only the invited
    volunteer themself, while the quiz is open, once, and with every question answered."""
    invitation = _own_invitation(actor, quiz.event)
    if QuizAttempt.objects.filter(quiz=quiz, invitation=invitation).exists():
        raise ValidationError(
            _("You have already taken this test. Your first answers are kept."),
            code="already_taken",
        )
    if not quiz.open:
        raise ValidationError(_("This test is not open for answers."), code="closed")
    questions = quiz_questions(quiz)
    if not questions:
        raise ValidationError(_("This test has no questions yet."), code="closed")
    given: dict[int, int] = {}
    for key, value in answers.items():
        try:
            given[int(key)] = int(value)
        except (TypeError, ValueError):
            continue
    chosen: dict[str, int] = {}
    missing: list[str] = []
    score = max_score = 0
    for number, question in enumerate(questions, start=1):
        choices = {c.pk: c.score for c in question.choices.all()}
        max_score += max(choices.values(), default=0)
        picked = given.get(question.pk)
        if picked not in choices:
            missing.append(str(number))
            continue
        chosen[str(question.pk)] = picked
        score += choices[picked]
    if missing:
        raise ValidationError(
            _("Please answer every question. Not answered: %(list)s.")
            % {"list": ", ".join(missing)},
            code="missing",
            params={"missing": missing},
        )
    try:
        with transaction.atomic():
            attempt = QuizAttempt.objects.create(
                quiz=quiz,
                invitation=invitation,
                answers=chosen,
                score=score,
                max_score=max_score,
                submitted_at=timezone.now(),
            )
    except IntegrityError:  # a double tap raced the first submit
        raise ValidationError(
            _("You have already taken this test. Your first answers are kept."),
            code="already_taken",
        ) from None
    audit_record(
        actor=actor,
        action="training.quiz_submit",
        target=attempt,
        area_code=invitation.area_id,
        details={"kind": quiz.kind, "score": score, "max": max_score},
    )
    return attempt


# --- evaluation ------------------------------------------------------------------------------


@transaction.atomic
def evaluation_submit(
    *, actor: Any, event: TrainingEvent, ratings: dict[str, Any], comment: str = ""
) -> Evaluation:
    """The actor's evaluation of an event they attended (checked in at least once): 1–5 on
    every topic, once."""
    invitation = _own_invitation(actor, event)
    if not invitation.attendance.exists():
        raise ValidationError(_("Only those who took part evaluate the training."))
    if Evaluation.objects.filter(invitation=invitation).exists():
        raise ValidationError(_("You have already sent your evaluation. Thank you."))
    clean: dict[str, int] = {}
    errors: dict[str, str] = {}
    for code, _label in EVALUATION_TOPICS:
        try:
            value = int(ratings.get(code))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            value = 0
        if value not in RATINGS:
            errors[code] = _("Choose from 1 (poor) to 5 (excellent).")
        else:
            clean[code] = value
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            evaluation = Evaluation.objects.create(
                event=event,
                invitation=invitation,
                ratings=clean,
                comment=comment.strip()[:4000],
                submitted_at=timezone.now(),
            )
    except IntegrityError:
        raise ValidationError(_("You have already sent your evaluation. Thank you.")) from None
    audit_record(
        actor=actor,
        action="training.evaluation_submit",
        target=evaluation,
        area_code=invitation.area_id,
    )
    return evaluation


# --- the report ------------------------------------------------------------------------------


@dataclass
class Bar:
    label: str
    pre: int
    post: int


@dataclass
class QuizFigures:
    kind: str
    questions: int = 0
    taken: int = 0
    average: float | None = None  # percent of the maximum


@dataclass
class TopicAverage:
    code: str
    label: str
    average: float | None
    count: int

    @property
    def width(self) -> float:
        return (self.average or 0) / 5 * 100


@dataclass
class ChartBar:
    x: float
    y: float
    height: float
    value: int
    kind: str


@dataclass
class ScoreChart:
    """A grouped bar chart (pre and post per score band) as SVG geometry."""

    width: int
    height: int
    baseline: float
    bars: list[ChartBar]
    labels: list[tuple[float, str]]
    bar_width: float


@dataclass
class AttendanceFigures:
    sessions: int
    invited: int
    attended: int  # at least one session
    passed: int  # meeting the rule
    by_count: list[tuple[int, int]] = field(default_factory=list)  # sessions attended → people
    certificates: int = 0  # issued and not revoked
    # Check-ins recorded for the whole event, whoever reads: none before it is held, so that
    # the pages show no attendance figure (not even 0) for an event still to come.
    checked_in: int = 0


@dataclass
class EventReport:
    event: TrainingEvent
    pre: QuizFigures
    post: QuizFigures
    both: int  # took both tests
    gain: float | None  # percentage points
    improved: int
    improved_share: float | None  # percent of `both`
    bands: list[Bar]
    chart: ScoreChart
    topics: list[TopicAverage]
    evaluations: int
    comments: list[str]
    attendance: AttendanceFigures


def _percent(score: int, max_score: int) -> float:
    return score / max_score * 100 if max_score else 0.0


def _band(percent: float) -> int:
    return next(i for i, (low, high) in enumerate(BANDS) if low <= percent < high)


def score_chart(bands: list[Bar], *, width: int = 320, height: int = 160) -> ScoreChart:
    left, right, top, bottom = 8.0, width - 8.0, 18.0, height - 22.0
    peak = max([b.pre for b in bands] + [b.post for b in bands] + [1])
    group = (right - left) / len(bands)
    bar_width = group * 0.34
    bars: list[ChartBar] = []
    labels: list[tuple[float, str]] = []
    for n, band in enumerate(bands):
        x0 = left + n * group + group * 0.14
        for k, (kind, value) in enumerate((("pre", band.pre), ("post", band.post))):
            h = (bottom - top) * value / peak
            bars.append(ChartBar(x0 + k * bar_width, bottom - h, h, value, kind))
        labels.append((left + n * group + group / 2, band.label))
    return ScoreChart(width, height, bottom, bars, labels, bar_width)


def sessions_attended(event: TrainingEvent) -> Any:
    """The event's invitations with n_attended (sessions checked in to)."""
    return Invitation.objects.filter(event=event).annotate(
        n_attended=Count("attendance", distinct=True)
    )


def passes(n_attended: int, n_sessions: int, rule: int) -> bool:
    """Whether attending `n_attended` of `n_sessions` meets the rule: at least one, always."""
    return n_sessions > 0 and n_attended > 0 and n_attended * 100 >= rule * n_sessions


def event_report(event: TrainingEvent) -> EventReport:
    quizzes = {q.kind: q for q in Quiz.objects.filter(event=event).annotate(n=Count("questions"))}
    figures = {
        kind: QuizFigures(kind, questions=getattr(quizzes.get(kind), "n", 0) or 0)
        for kind in QuizKind.values
    }
    percents: dict[str, dict[int, float]] = defaultdict(dict)
    rows = QuizAttempt.objects.filter(quiz__event=event).values_list(
        "quiz__kind", "invitation_id", "score", "max_score"
    )
    for kind, invitation_id, score, max_score in rows:
        percents[kind][invitation_id] = _percent(score, max_score)
    for kind, by_invitation in percents.items():
        values = list(by_invitation.values())
        figures[kind].taken = len(values)
        figures[kind].average = sum(values) / len(values) if values else None
    pre, post = percents.get(QuizKind.PRE, {}), percents.get(QuizKind.POST, {})
    both = [pk for pk in pre if pk in post]
    gains = [post[pk] - pre[pk] for pk in both]
    improved = sum(1 for g in gains if g > 0)
    counts = {
        kind: Counter(_band(p) for p in percents.get(kind, {}).values()) for kind in ("pre", "post")
    }
    bands = [
        Bar(
            f"{low}–{min(high, 100)}%",
            counts["pre"].get(n, 0),
            counts["post"].get(n, 0),
        )
        for n, (low, high) in enumerate(BANDS)
    ]
    sums: dict[str, list[int]] = defaultdict(list)
    comments: list[str] = []
    evaluations = 0
    for ratings, comment in (
        Evaluation.objects.filter(event=event)
        .order_by("-submitted_at")
        .values_list("ratings", "comment")
    ):
        evaluations += 1
        for code in TOPIC_CODES:
            value = ratings.get(code)
            if isinstance(value, int) and value in RATINGS:
                sums[code].append(value)
        if comment.strip() and len(comments) < 50:
            comments.append(comment.strip())
    topics = [
        TopicAverage(
            code,
            str(label),
            sum(sums[code]) / len(sums[code]) if sums[code] else None,
            len(sums[code]),
        )
        for code, label in EVALUATION_TOPICS
    ]
    return EventReport(
        event=event,
        pre=figures[QuizKind.PRE],
        post=figures[QuizKind.POST],
        both=len(both),
        gain=sum(gains) / len(gains) if gains else None,
        improved=improved,
        improved_share=improved / len(both) * 100 if both else None,
        bands=bands,
        chart=score_chart(bands),
        topics=topics,
        evaluations=evaluations,
        comments=comments,
        attendance=attendance_figures(event),
    )


def attendance_figures(event: TrainingEvent) -> AttendanceFigures:
    return events_attendance([event])[event.pk]


# Sessions an invitation was checked in to, as a subquery: grouping the invitations by this
# count stays one row per (event, count) in the database.
_attendance_count = (
    Attendance.objects.filter(invitation=OuterRef("pk"))
    .order_by()
    .values("invitation")
    .annotate(n=Count("pk"))
    .values("n")
)


def events_attendance(
    events: Sequence[TrainingEvent], invitations: Q | None = None
) -> dict[int, AttendanceFigures]:
    """The attendance figures of each event, in three grouped queries whatever their number
    (the event list shows a page of them). `invitations` narrows the people counted, e.g. to a
    reader's scope; `checked_in` always counts the whole event."""
    rules = {e.pk: e.attendance_rule for e in events}
    sessions = {
        pk: (n, checked_in)
        for pk, n, checked_in in Session.objects.filter(event__in=list(rules))
        .values("event_id")
        .annotate(n=Count("pk", distinct=True), checked_in=Count("attendance"))
        .values_list("event_id", "n", "checked_in")
        .order_by()
    }
    scoped = Invitation.objects.filter(event__in=list(rules)).filter(invitations or Q())
    per: dict[int, Counter[int]] = defaultdict(Counter)
    for pk, k, n in (
        scoped.filter(invited_at__isnull=False)
        .annotate(n_attended=Coalesce(Subquery(_attendance_count), 0))
        .values("event_id", "n_attended")
        .annotate(n=Count("pk"))
        .values_list("event_id", "n_attended", "n")
        .order_by()
    ):
        per[pk][k] += n
    certificates = dict(
        certificates_issued(scoped)
        .values("event_id")
        .annotate(n=Count("pk"))
        .values_list("event_id", "n")
        .order_by()
    )
    figures = {}
    for pk, rule in rules.items():
        n_sessions, checked_in = sessions.get(pk, (0, 0))
        counts = per[pk]
        figures[pk] = AttendanceFigures(
            sessions=n_sessions,
            invited=sum(counts.values()),
            attended=sum(n for k, n in counts.items() if k > 0),
            passed=sum(n for k, n in counts.items() if passes(k, n_sessions, rule)),
            by_count=[(k, counts.get(k, 0)) for k in range(n_sessions + 1)],
            certificates=certificates.get(pk, 0),
            checked_in=checked_in,
        )
    return figures


def certificates_issued(invitations: QuerySet[Invitation]) -> QuerySet[Certificate]:
    """The certificates of these invitations that stand (not revoked): what the report, the
    event list and its fiscal year's totals count."""
    return Certificate.objects.filter(invitation__in=invitations, revoked=False)


# --- completion ------------------------------------------------------------------------------


def passing_invitations(event: TrainingEvent) -> list[tuple[int, int, str]]:
    """(invitation id, volunteer id, volunteer's area) of those meeting the attendance rule."""
    n_sessions = event.sessions.count()
    if n_sessions == 0:
        return []
    rows = sessions_attended(event).values_list(
        "pk", "volunteer_id", "volunteer__area_id", "n_attended"
    )
    return [
        (pk, volunteer, area)
        for pk, volunteer, area, n in rows
        if passes(n, n_sessions, event.attendance_rule)
    ]


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


@dataclass
class Completion:
    passing: int
    certificates_new: int
    certificates_had: int
    grants_new: int
    competencies: int


def _passing_and_issued(event: TrainingEvent) -> tuple[list[tuple[int, int, str]], set[int], int]:
    """Those meeting the rule, the invitations given a certificate already, and how many of
    those stand. A certificate the province revoked was issued by mistake: its invitation
    gets neither a new certificate nor competencies when the event is closed again."""
    issued = dict(Certificate.objects.filter(event=event).values_list("invitation_id", "revoked"))
    passing = [row for row in passing_invitations(event) if not issued.get(row[0], False)]
    return passing, set(issued), sum(not revoked for revoked in issued.values())


def completion_preview(event: TrainingEvent) -> Completion:
    """What event_complete would do now, without doing it."""
    passing, had, standing = _passing_and_issued(event)
    competencies = list(event.competencies.values_list("code", flat=True))
    granted = set(
        CompetencyGrant.objects.filter(event=event).values_list("volunteer_id", "competency_id")
    )
    new_grants = sum(
        1 for _pk, volunteer, _a in passing for c in competencies if (volunteer, c) not in granted
    )
    return Completion(
        passing=len(passing),
        certificates_new=sum(1 for pk, _v, _a in passing if pk not in had),
        certificates_had=standing,
        grants_new=new_grants,
        competencies=len(competencies),
    )


def printed_name(volunteer: Volunteer) -> str:
    return volunteer.full_name


def _unique_codes(count: int) -> list[str]:
    codes: set[str] = set()
    while len(codes) < count:
        wanted = {new_certificate_code() for _n in range(count - len(codes))}
        taken = set(Certificate.objects.filter(code__in=wanted).values_list("code", flat=True))
        codes |= wanted - taken
    return list(codes)


@transaction.atomic
def event_complete(*, actor: Any, event: TrainingEvent) -> Completion:
    """Issues certificates and grants competencies to those meeting the attendance rule and
    marks the event done. Idempotent: a second run adds only what is missing."""
    _require_manage(actor, event)
    if event.status == EventStatus.CANCELLED:
        raise ValidationError(_("This event is cancelled: it cannot be completed."))
    if event.starts_on > timezone.localdate():
        raise ValidationError(_("This event has not taken place yet."))
    if not event.sessions.exists():
        raise ValidationError(_("This event has no sessions: nobody could attend."))
    ends = event.sessions.order_by("-ends_at").values_list("ends_at", flat=True).first()
    if ends is not None and timezone.localdate(ends) > timezone.localdate():
        raise ValidationError(
            _(
                "The last session is on %(day)s: complete the event on that day or after, "
                "when everyone who came has been checked in (certificates are dated then)."
            )
            % {"day": thaidate.format_short(timezone.localdate(ends))}
        )
    last = event.sessions.order_by("-starts_at").values_list("starts_at", flat=True).first()
    if last is not None and last > timezone.now():
        # Not before the last session has begun: an afternoon's check-ins are still to come.
        raise ValidationError(
            _(
                "The last session begins at %(time)s on %(day)s: complete the event once it "
                "has begun, when everyone who came has been checked in (certificates are "
                "dated then)."
            )
            % {
                "time": timezone.localtime(last).strftime("%H:%M"),
                "day": thaidate.format_short(timezone.localdate(last)),
            }
        )
    # Lock the event row so that two presses do not issue twice.
    TrainingEvent.objects.select_for_update().filter(pk=event.pk).first()
    passing, had, standing = _passing_and_issued(event)
    todo = [row for row in passing if row[0] not in had]
    volunteers = Volunteer.objects.in_bulk([v for _pk, v, _a in todo])
    codes = _unique_codes(len(todo))
    Certificate.objects.bulk_create(
        [
            Certificate(
                event=event,
                invitation_id=pk,
                volunteer_id=volunteer,
                area_id=area,
                code=code,
                name_printed=printed_name(volunteers[volunteer]),
                issued_on=event.ends_on,
            )
            for (pk, volunteer, area), code in zip(todo, codes, strict=True)
        ],
        batch_size=500,
    )
    competencies = list(event.competencies.all())
    granted = set(
        CompetencyGrant.objects.filter(event=event).values_list("volunteer_id", "competency_id")
    )
    grants = [
        CompetencyGrant(
            volunteer_id=volunteer,
            competency=competency,
            area_id=area,
            granted_on=event.ends_on,
            expires_on=add_years(event.ends_on, competency.valid_years)
            if competency.valid_years
            else None,
            event=event,
            granted_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        for _pk, volunteer, area in passing
        for competency in competencies
        if (volunteer, competency.code) not in granted
    ]
    CompetencyGrant.objects.bulk_create(grants, batch_size=500)
    if event.status != EventStatus.DONE:
        event.status = EventStatus.DONE
        event.save(update_fields=["status", "updated_at"])
    result = Completion(
        passing=len(passing),
        certificates_new=len(todo),
        certificates_had=standing,
        grants_new=len(grants),
        competencies=len(competencies),
    )
    audit_record(
        actor=actor,
        action="training.event_complete",
        target=event,
        area_code=event.area_id,
        details={
            "passing": result.passing,
            "certificates": result.certificates_new,
            "grants": result.grants_new,
        },
    )
    return result


# --- competencies held -----------------------------------------------------------------------


def valid_on(on: date) -> Q:
    return Q(granted_on__lte=on) & (Q(expires_on__isnull=True) | Q(expires_on__gte=on))


def volunteer_holds(volunteer: Volunteer, competency_code: str, on: date) -> bool:
    """Whether the volunteer holds the competency on that day (granted, not expired)."""
    return (
        CompetencyGrant.objects.filter(volunteer=volunteer, competency_id=competency_code)
        .filter(valid_on(on))
        .exists()
    )


def holders_near(
    area_code: str, competency_code: str, on: date, *, limit: int = 10
) -> list[Volunteer]:
    """Active volunteers of the province holding the competency on that day, nearest first:
    the same subdistrict, then the same district, then the rest of the province. Each carries
    `nearness` (0, 1 or 2)."""
    subdistrict, district, province = area_code[:6], area_code[:4], area_code[:2]
    holding = CompetencyGrant.objects.filter(competency_id=competency_code).filter(valid_on(on))
    return list(
        Volunteer.objects.filter(
            within(province, "area"),
            status=VolunteerStatus.ACTIVE,
            pk__in=holding.values("volunteer_id"),
        )
        .annotate(
            nearness=Case(
                When(area_id=subdistrict, then=Value(0)),
                When(within(district, "area"), then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .select_related("area")
        .order_by("nearness", "area_id", *thai_order("first_name", "last_name"), "pk")[:limit]
    )
