"""Field work: home visits, what they find, quality-of-life assessments, and follow-up.

A Visit is one home visit by one or more volunteers. It records the situation against the
ministry's nine problem areas (ProblemArea, each with its ProblemItems: data, loaded by a data
migration, so a new item is a data change), a risk level, needs, photos and where it happened.
A visit whose risk is urgent, or that finds a problem in a sensitive area (violence, human
trafficking), raises a Concern for the centre; the cases issue turns concerns into cases.

An Assessment scores a household on the five dimensions of quality of life from the จปฐ.
basic-minimum-needs indicators. The indicators are versioned data (IndicatorSet, Indicator):
a new จปฐ. cycle is a new set, not new code.

The next visit falls due from the latest risk and the household's priority; the cadence is
set per province (FollowUpPolicy). The household carries its last visit and next due date so
that "my households by urgency" is one indexed query.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from carenet.areas.models import Area
from carenet.core.models import AuditEvent, BilingualName
from carenet.households.models import Household, Person
from carenet.volunteers.models import Volunteer


class VisitType(models.TextChoices):
    SCREENING = "screening", _("screening")
    ROUTINE = "routine", _("routine visit")
    FOLLOW_UP = "follow_up", _("follow-up")
    DISASTER_CHECK = "disaster_check", _("disaster check")


class RiskLevel(models.TextChoices):
    NORMAL = "normal", _("normal")
    WATCH = "watch", _("watch")
    URGENT = "urgent", _("urgent")


class ProblemArea(BilingualName, models.Model):
    """One of the ministry's nine problem areas (housing, health, ... violence, other)."""

    code = models.SlugField(primary_key=True, max_length=32)
    name_th = models.CharField(max_length=120)
    name_en = models.CharField(max_length=120)
    # Findings here are restricted to those allowed to see sensitive records.
    sensitive = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name


class ProblemItem(BilingualName, models.Model):
    code = models.SlugField(primary_key=True, max_length=48)
    area = models.ForeignKey(ProblemArea, on_delete=models.PROTECT, related_name="items")
    name_th = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["area__order", "order"]

    def __str__(self) -> str:
        return self.name


class StandingVisits(models.Manager["Visit"]):
    """Visits not withdrawn: what every page, count and schedule reads (Visit.objects)."""

    def get_queryset(self) -> models.QuerySet["Visit"]:
        return super().get_queryset().filter(withdrawn_at__isnull=True)


class Visit(models.Model):
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="visits")
    # The household's area, copied so that scoping needs no join.
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    visited_at = models.DateTimeField(_("date and time"), db_index=True)
    visit_type = models.CharField(_("type"), max_length=16, choices=VisitType.choices)
    volunteers = models.ManyToManyField(
        Volunteer, related_name="visits", verbose_name=_("volunteers")
    )
    members_seen = models.ManyToManyField(
        Person, blank=True, related_name="visits", verbose_name=_("members seen")
    )
    observations = models.TextField(_("observations"), blank=True)
    problems = models.ManyToManyField(
        ProblemItem, blank=True, related_name="visits", verbose_name=_("problems found")
    )
    risk_level = models.CharField(
        _("risk"), max_length=8, choices=RiskLevel.choices, default=RiskLevel.NORMAL
    )
    needs = models.TextField(_("needs"), blank=True)
    duration_minutes = models.PositiveSmallIntegerField(_("minutes spent"), default=30)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    # True when a finding lies in a sensitive problem area; such visits are shown only to
    # those allowed to see sensitive records.
    sensitive = models.BooleanField(default=False, editable=False)
    # Made on the phone: submitting the same visit twice stores it once.
    client_uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledgement = models.CharField(_("comment"), max_length=500, blank=True)
    # The change (taken off the household, handed over, moved away, closed) that came while
    # the visit was being recorded, which was kept all the same (see late.py).
    recorded_after = models.ForeignKey(
        AuditEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Withdrawn: recorded by mistake (another household, a wrong date). Kept, with who and
    # why, out of every list and count (services.visit_withdraw); never deleted.
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_reason = models.TextField(_("why it was withdrawn"), blank=True)

    # Withdrawn ones too: a form id stays used, and the audit log's links still open.
    everything = models.Manager()
    objects = StandingVisits()

    class Meta:
        ordering = ["-visited_at", "-id"]
        default_manager_name = "objects"
        base_manager_name = "everything"
        indexes = [
            models.Index(fields=["household", "-visited_at"], name="visit_household_time_idx"),
            models.Index(fields=["area", "-visited_at"], name="visit_area_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.visited_at:%Y-%m-%d}"


class VisitPhoto(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="visits/%Y/%m/")
    width = models.PositiveSmallIntegerField(default=0)
    height = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.image.name


class VisitDraft(models.Model):
    """A half-filled visit form, kept on the server as the volunteer types."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    data = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "household"], name="visit_draft_one_per_user")
        ]

    def __str__(self) -> str:
        return f"draft {self.user_id} {self.household_id}"


class ConcernStatus(models.TextChoices):
    OPEN = "open", _("open")
    ACKNOWLEDGED = "acknowledged", _("seen by the centre")
    CLOSED = "closed", _("closed")


class Concern(models.Model):
    """A volunteer's call for help from a visit: urgent risk, violence or trafficking."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="concerns")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    visit = models.ForeignKey(
        Visit, null=True, blank=True, on_delete=models.PROTECT, related_name="concerns"
    )
    summary = models.TextField(_("what is wrong"))
    sensitive = models.BooleanField(default=False)
    status = models.CharField(
        max_length=12, choices=ConcernStatus.choices, default=ConcernStatus.OPEN, db_index=True
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["area", "status"], name="concern_area_status_idx")]

    def __str__(self) -> str:
        return self.summary[:60]


class Dimension(models.TextChoices):
    HEALTH = "health", _("health")
    LIVING = "living", _("living conditions")
    EDUCATION = "education", _("education")
    INCOME = "income", _("income")
    ACCESS = "access", _("access to public services")


class IndicatorSet(models.Model):
    """One cycle of the จปฐ. indicators (e.g. จปฐ. 2566-2570)."""

    code = models.SlugField(primary_key=True, max_length=32)
    name = models.CharField(max_length=120)
    valid_from = models.DateField()
    current = models.BooleanField(default=False)

    class Meta:
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return self.name


class Indicator(models.Model):
    indicator_set = models.ForeignKey(
        IndicatorSet, on_delete=models.PROTECT, related_name="indicators"
    )
    number = models.PositiveSmallIntegerField()
    dimension = models.CharField(max_length=12, choices=Dimension.choices)
    text_th = models.CharField(max_length=300)
    text_en = models.CharField(max_length=300)

    class Meta:
        ordering = ["indicator_set", "number"]
        constraints = [
            models.UniqueConstraint(fields=["indicator_set", "number"], name="indicator_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.text_th}"


class StandingAssessments(models.Manager["Assessment"]):
    """Assessments whose visit was not withdrawn (Assessment.objects)."""

    def get_queryset(self) -> models.QuerySet["Assessment"]:
        return super().get_queryset().filter(visit__withdrawn_at__isnull=True)


class Assessment(models.Model):
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="assessments")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    visit = models.OneToOneField(
        Visit, null=True, blank=True, on_delete=models.PROTECT, related_name="assessment"
    )
    indicator_set = models.ForeignKey(IndicatorSet, on_delete=models.PROTECT, related_name="+")
    assessed_on = models.DateField(_("date"), db_index=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    # Share of indicators met per dimension, 0-100, worked out from the answers.
    scores = models.JSONField(default=dict, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    everything = models.Manager()
    objects = StandingAssessments()

    class Meta:
        ordering = ["-assessed_on", "-id"]
        default_manager_name = "objects"
        base_manager_name = "everything"
        indexes = [models.Index(fields=["household", "-assessed_on"], name="assessment_hh_idx")]

    def __str__(self) -> str:
        return f"{self.household_id} {self.assessed_on}"


class Answer(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    # None: does not apply to this household (e.g. no school-age child).
    met = models.BooleanField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "indicator"], name="answer_unique")
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}: {self.met}"


class FollowUpPolicy(models.Model):
    """How soon the next visit falls due, by risk; one row per province (default 7/30/90)."""

    area = models.OneToOneField(Area, on_delete=models.PROTECT, related_name="+")
    urgent_days = models.PositiveSmallIntegerField(default=7)
    watch_days = models.PositiveSmallIntegerField(default=30)
    normal_days = models.PositiveSmallIntegerField(default=90)

    def __str__(self) -> str:
        return f"{self.area_id}: {self.urgent_days}/{self.watch_days}/{self.normal_days}"


class VisitTarget(models.Model):
    """Households a centre's area aims to reach per month."""

    area = models.OneToOneField(Area, on_delete=models.PROTECT, related_name="+")
    households_per_month = models.PositiveIntegerField(default=0)
    visits_per_volunteer_per_month = models.PositiveSmallIntegerField(default=4)

    def __str__(self) -> str:
        return f"{self.area_id}: {self.households_per_month}"
