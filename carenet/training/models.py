"""Capacity building: training events, invitations, check-in, tests, certificates, competencies
and awards.

A TrainingEvent is organised by a coordination centre (its area scopes who manages it). Its
target group is a set of criteria (TargetCriteria, stored as JSON on the event): the organiser
sees the volunteers the criteria produce, adjusts the list, and invites them (Invitation, one per
volunteer, each with a random QR token for check-in). Attendance is recorded per session
(Attendance, unique per session and volunteer, so scanning twice is harmless).

A pre-test and a post-test (Quiz with Questions and Choices, each choice scored) are taken on the
phone (QuizAttempt); the evaluation form is a set of ratings (Evaluation). Attendees who meet the
event's attendance rule get a Certificate with a public verification code. Completing an event
grants its competencies (CompetencyGrant), which case categories can require. The province
records its annual awards (Award: nominated → shortlisted → awarded).
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from carenet.areas.models import Area
from carenet.core.models import BilingualName
from carenet.volunteers.models import Centre, Volunteer


def new_token() -> str:
    return secrets.token_urlsafe(16)


def new_certificate_code() -> str:
    """Ten characters a person can read out or type: no 0/O or 1/I/L to confuse."""
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    return "".join(secrets.choice(alphabet) for _ in range(10))


class Competency(BilingualName, models.Model):
    """A skill an event grants and a case category may require (data, not code)."""

    code = models.SlugField(primary_key=True, max_length=32)
    name_th = models.CharField(max_length=120)
    name_en = models.CharField(max_length=120)
    # How long a grant stays valid; blank: for good.
    valid_years = models.PositiveSmallIntegerField(null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name_plural = "competencies"

    def __str__(self) -> str:
        return self.name


class EventKind(models.TextChoices):
    WORKSHOP = "workshop", _("workshop (ประชุมเชิงปฏิบัติการ)")
    COURSE = "course", _("training course (หลักสูตรอบรม)")
    MEETING = "meeting", _("meeting (ประชุม)")


class EventStatus(models.TextChoices):
    PLANNED = "planned", _("being planned")
    INVITED = "invited", _("invitations sent")
    DONE = "done", _("held")
    CANCELLED = "cancelled", _("cancelled")


class TrainingEvent(models.Model):
    title = models.CharField(pgettext_lazy("event", "title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=10, choices=EventKind.choices)
    centre = models.ForeignKey(
        Centre, on_delete=models.PROTECT, related_name="events", verbose_name=_("organiser")
    )
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")  # the centre's
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year (BE)"))
    budget = models.DecimalField(
        _("budget (baht)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    venue = models.CharField(_("venue"), max_length=300)
    venue_area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("venue subdistrict"),
        null=True,
        blank=True,
    )
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    description = models.TextField(_("purpose"), blank=True)
    competencies = models.ManyToManyField(
        Competency, blank=True, related_name="events", verbose_name=_("competencies granted")
    )
    # The target group as criteria (see criteria.py): area, committee level, years of service...
    criteria = models.JSONField(default=dict, blank=True)
    # Share of sessions a volunteer must attend to pass (and get a certificate), in percent.
    attendance_rule = models.PositiveSmallIntegerField(_("attendance needed (%)"), default=80)
    status = models.CharField(max_length=10, choices=EventStatus.choices, default="planned")
    # Why it was called off, for the organisers' page and the volunteers it had invited.
    cancel_reason = models.TextField(_("why it was cancelled"), blank=True)
    signer_name = models.CharField(_("certificate signed by"), max_length=200, blank=True)
    signer_position = models.CharField(_("signer's position"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        indexes = [models.Index(fields=["area", "starts_on"], name="event_area_start_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="event_days_in_order"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Session(models.Model):
    event = models.ForeignKey(TrainingEvent, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(pgettext_lazy("session", "title"), max_length=300)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    agenda = models.TextField(_("agenda"), blank=True)
    speakers = models.CharField(_("speakers"), max_length=500, blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]

    def __str__(self) -> str:
        return self.title


class InvitationStatus(models.TextChoices):
    INVITED = "invited", _("invited")
    # "เข้าร่วม" alone reads as "attended": the context gives the answer its own Thai.
    CONFIRMED = "confirmed", pgettext_lazy("invitation answers", "will attend")
    DECLINED = "declined", _("cannot attend")


class Invitation(models.Model):
    event = models.ForeignKey(TrainingEvent, on_delete=models.CASCADE, related_name="invitations")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="invitations")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")  # the volunteer's
    status = models.CharField(
        max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.INVITED
    )
    # In the QR code on the volunteer's phone or printed badge. Random: it cannot be guessed.
    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    added_by_hand = models.BooleanField(default=False)  # not from the criteria
    invited_at = models.DateTimeField(null=True, blank=True)  # null: on the list, not sent yet
    responded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["area_id", "volunteer__first_name"]
        constraints = [
            models.UniqueConstraint(fields=["event", "volunteer"], name="invitation_once")
        ]
        indexes = [models.Index(fields=["area", "status"], name="invitation_area_status_idx")]

    def __str__(self) -> str:
        return f"{self.event_id}/{self.volunteer_id}"


class CheckInMethod(models.TextChoices):
    QR = "qr", _("QR code")
    LIST = "list", _("ticked on the list")


class Attendance(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="attendance")
    checked_in_at = models.DateTimeField()
    method = models.CharField(max_length=4, choices=CheckInMethod.choices)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "invitation"], name="attendance_once")
        ]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.invitation_id}"


class QuizKind(models.TextChoices):
    PRE = "pre", _("pre-test")
    POST = "post", _("post-test")


class Quiz(models.Model):
    event = models.ForeignKey(TrainingEvent, on_delete=models.CASCADE, related_name="quizzes")
    kind = models.CharField(max_length=4, choices=QuizKind.choices)
    open = models.BooleanField(_("open for answers"), default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "kind"], name="quiz_once")]

    def __str__(self) -> str:
        return f"{self.event_id} {self.kind}"


class Question(models.Model):
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    text = models.TextField(_("question"))
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(_("answer"), max_length=500)
    score = models.PositiveSmallIntegerField(_("score"), default=0)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class QuizAttempt(models.Model):
    """One volunteer's answers to one test, scored when submitted."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="attempts")
    answers = models.JSONField(default=dict)  # question id → choice id
    score = models.PositiveSmallIntegerField(default=0)
    max_score = models.PositiveSmallIntegerField(default=0)
    submitted_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["quiz", "invitation"], name="attempt_once")]

    def __str__(self) -> str:
        return f"{self.quiz_id}/{self.invitation_id}: {self.score}/{self.max_score}"


class Evaluation(models.Model):
    """The evaluation form: ratings 1–5 on set topics, and a comment."""

    event = models.ForeignKey(TrainingEvent, on_delete=models.CASCADE, related_name="evaluations")
    invitation = models.OneToOneField(
        Invitation, on_delete=models.CASCADE, related_name="evaluation"
    )
    ratings = models.JSONField(default=dict)  # topic code → 1..5
    comment = models.TextField(_("comments"), blank=True)
    submitted_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"evaluation {self.invitation_id}"


class Certificate(models.Model):
    event = models.ForeignKey(TrainingEvent, on_delete=models.PROTECT, related_name="certificates")
    invitation = models.OneToOneField(
        Invitation, on_delete=models.PROTECT, related_name="certificate"
    )
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="certificates")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=12, unique=True, default=new_certificate_code)
    # The name as printed, kept so the verify page never has to read the volunteer record.
    name_printed = models.CharField(max_length=300)
    issued_on = models.DateField()
    revoked = models.BooleanField(default=False)
    revoke_reason = models.TextField(_("why it was revoked"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.code


class CertificateBatch(models.Model):
    """A background run that writes many certificates into one PDF or a zip, with progress."""

    event = models.ForeignKey(TrainingEvent, on_delete=models.CASCADE, related_name="batches")
    as_zip = models.BooleanField(default=False)
    status = models.CharField(max_length=10, default="queued")  # queued/running/done/failed
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="training/batches/%Y/%m/", blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"batch {self.pk} {self.status}"


class CompetencyGrant(models.Model):
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="competency_grants"
    )
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="grants")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")  # the volunteer's
    granted_on = models.DateField(_("granted on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    event = models.ForeignKey(
        TrainingEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="grants"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-granted_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "competency", "event"], name="competency_grant_once"
            )
        ]
        indexes = [models.Index(fields=["competency", "area"], name="grant_competency_area_idx")]

    def __str__(self) -> str:
        return f"{self.volunteer_id} {self.competency_id}"


class AwardStatus(models.TextChoices):
    NOMINATED = "nominated", _("nominated")
    SHORTLISTED = "shortlisted", _("shortlisted")
    AWARDED = "awarded", _("awarded")
    NOT_SELECTED = "not_selected", _("not selected")


class Award(models.Model):
    """The province's annual award (อพม. ดีเด่น): a nomination that may become an award."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="awards")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")  # the volunteer's
    fiscal_year = models.PositiveSmallIntegerField(_("year (BE)"))
    title = models.CharField(_("award"), max_length=200, default="อพม. ดีเด่น")
    reason = models.TextField(_("why"))
    status = models.CharField(
        max_length=14, choices=AwardStatus.choices, default=AwardStatus.NOMINATED
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-fiscal_year", "status"]
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "fiscal_year", "title"], name="award_once_a_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.fiscal_year}"
