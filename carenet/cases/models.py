"""Cases: requests for help (คำร้อง), their review chain, referrals and welfare assistance.

A Case is one request for help for one affected person. It is filed by a volunteer from a
household page or from a visit's concern, or entered by an officer from the 1300 hotline, a
walk-in or another agency. It climbs a review chain (subdistrict check → district check →
provincial decision); any step can send it back with a comment per field. Statuses and the
moves between them live in workflow.py, and only `workflow.case_move` changes a status.

Once accepted, a case is worked: a plan of tasks, follow-ups, referrals to agencies
(Referral, with its own small status table) and welfare assistance (Assistance, checked
against the caps of its AssistanceType for the fiscal year). It ends with a closure and an
outcome, and can be reopened with a reason.

Every case carries its area (the affected household's subdistrict or village) so that
scoping is one range filter (accounts.access). Cases in a sensitive category (violence, abuse,
trafficking) are restricted to the people assigned to them and provincial officers; anybody
else in scope opens them only through break-glass access (BreakGlassAccess), which expires and
is logged.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from carenet.areas.models import Area
from carenet.core.thaidate import fiscal_year
from carenet.households.models import Household, Person
from carenet.training.models import Competency
from carenet.visits.models import Concern, ProblemItem, Visit
from carenet.volunteers.models import Volunteer


class Urgency(models.TextChoices):
    NORMAL = "normal", _("normal")
    URGENT = "urgent", _("urgent")


class CaseCategory(models.Model):
    """A kind of case, configurable data: its urgency and whether it is sensitive."""

    code = models.SlugField(primary_key=True, max_length=32)
    name_th = models.CharField(max_length=120)
    name_en = models.CharField(max_length=120)
    urgency = models.CharField(max_length=8, choices=Urgency.choices, default=Urgency.NORMAL)
    # Violence, abuse, trafficking: restricted to the assigned people and the province.
    sensitive = models.BooleanField(default=False)
    # Volunteers assigned to such a case must hold this competency (from training).
    required_competency = models.ForeignKey(
        Competency, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name_plural = "case categories"

    def __str__(self) -> str:
        return self.name_th


class CaseStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    RETURNED = "returned", _("sent back for fixing")
    SUBDISTRICT_REVIEW = "subdistrict_review", _("waiting for the subdistrict check")
    DISTRICT_REVIEW = "district_review", _("waiting for the district check")
    PROVINCE_REVIEW = "province_review", _("waiting for the provincial decision")
    ACCEPTED = "accepted", _("being worked on")
    DECLINED = "declined", pgettext_lazy("case status", "declined")
    CLOSED = "closed", _("closed")


class CaseSource(models.TextChoices):
    VOLUNTEER = "volunteer", _("a volunteer")
    HOTLINE = "hotline", _("1300 hotline")
    WALK_IN = "walk_in", _("walk-in")
    AGENCY = "agency", _("another agency")
    OTHER = "other", _("other")


class RequesterKind(models.TextChoices):
    SELF = "self", _("the person themselves")
    ON_BEHALF = "on_behalf", _("someone on their behalf")


class RequesterType(models.TextChoices):
    """Who the affected person is, as in the ministry's request form (several can apply)."""

    CHILD = "child", _("child or youth")
    WOMAN = "woman", _("woman")
    FAMILY = "family", _("family")
    ELDERLY = "elderly", _("elderly person")
    DISABLED = "disabled", _("person with disability")
    DISADVANTAGED = "disadvantaged", _("disadvantaged person")
    HOMELESS = "homeless", _("homeless person")
    DISASTER = "disaster", _("disaster-affected")
    LOW_INCOME = "low_income", _("low-income person")


class Outcome(models.TextChoices):
    SOLVED = "solved", _("solved")
    REFERRED_ON = "referred_on", _("referred on")
    MOVED = "moved", _("the person moved")
    DIED = "died", _("the person died")
    DECLINED = "declined", _("the person declined help")


def case_number(pk: int, sent_on: date) -> str:
    """ "2570-000136": the fiscal year the request was sent in, then its own number. A draft's
    number is provisional and follows it into the year it is first sent (workflow)."""
    return f"{fiscal_year(sent_on)}-{pk:06d}"


class Case(models.Model):
    number = models.CharField(_("case number"), max_length=20, unique=True, editable=False)
    # The id of the form it was filed from, so that the same form sent twice is one case.
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="cases")
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="cases", verbose_name=_("affected person")
    )
    category = models.ForeignKey(
        CaseCategory, on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )
    source = models.CharField(
        _("came from"), max_length=12, choices=CaseSource.choices, default=CaseSource.VOLUNTEER
    )
    # Who is asking: the person, or a carer on their behalf (then both are recorded).
    requester_kind = models.CharField(
        _("who is asking"), max_length=10, choices=RequesterKind.choices, default=RequesterKind.SELF
    )
    requester_name = models.CharField(_("requester's name"), max_length=200, blank=True)
    requester_relation = models.CharField(_("relation to the person"), max_length=100, blank=True)
    requester_phone = models.CharField(_("requester's phone"), max_length=20, blank=True)
    requester_types = models.JSONField(_("requester types"), default=list, blank=True)
    registered_address = models.TextField(
        _("address in the house registration"), blank=True
    )  # blank: the same as the household's (current) address
    problems = models.ManyToManyField(
        ProblemItem, related_name="+", blank=True, verbose_name=_("problems found")
    )
    help_wanted = models.TextField(_("help wanted"), blank=True)
    amount_requested = models.DecimalField(
        _("amount requested (baht)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    # Welfare already received this fiscal year, as told by the person.
    welfare_count = models.PositiveSmallIntegerField(
        _("times helped this fiscal year"), null=True, blank=True
    )
    welfare_baht = models.DecimalField(
        _("baht received this fiscal year"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    welfare_types = models.CharField(_("kinds of help received"), max_length=300, blank=True)
    consent_signature = models.ImageField(upload_to="cases/signatures/%Y/%m/", blank=True)
    consent_signed_at = models.DateTimeField(null=True, blank=True)
    # A person who cannot sign (blind, cannot hold a pen, too ill) consents by word or by a
    # mark: who heard or saw it stands in for the signature.
    consent_witness = models.CharField(_("consent heard by"), max_length=200, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    visit = models.ForeignKey(
        Visit, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    concern = models.ForeignKey(
        Concern, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )

    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.DRAFT
    )
    # The review step that sent the case back: fixing it goes back to that step.
    returned_from = models.CharField(max_length=20, choices=CaseStatus.choices, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    urgent = models.BooleanField(default=False, editable=False)  # from the category
    sensitive = models.BooleanField(default=False, editable=False)  # category or problems
    submitted_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("how it ended"), blank=True)

    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cases_filed"
    )
    volunteer = models.ForeignKey(  # the volunteer who raised it, who sees how it ends
        Volunteer, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    # The people working the case; with sensitive cases, the only ones below the province.
    assigned = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="cases_assigned"
    )
    # Volunteers given the case to work on (home visits, follow-ups); a category may require
    # a competency of them.
    case_volunteers = models.ManyToManyField(
        Volunteer, blank=True, related_name="cases_worked", verbose_name=_("volunteers on the case")
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["area", "status"], name="case_area_status_idx"),
            models.Index(fields=["status", "status_changed_at"], name="case_status_changed_idx"),
        ]

    def __str__(self) -> str:
        return self.number or f"case {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("cases:detail", args=[self.pk])


class CaseEvent(models.Model):
    """One status move (or acknowledgement, reopening...) with who, when and why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=CaseStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    reason = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_status} → {self.to_status}"


class FieldComment(models.Model):
    """A reviewer's note on one field of a request sent back; the filer sees what to fix."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="field_comments")
    event = models.ForeignKey(CaseEvent, on_delete=models.CASCADE, related_name="field_comments")
    field = models.CharField(max_length=40)
    comment = models.TextField()
    resolved = models.BooleanField(default=False)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.field}: {self.comment[:40]}"


class CaseDocument(models.Model):
    """A photo or document attached to a request (the home visit's evidence)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to="cases/%Y/%m/")
    is_photo = models.BooleanField(default=True)
    title = models.CharField(pgettext_lazy("document", "title"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.title or self.file.name


class CaseTask(models.Model):
    """One step of the case plan: who does what by when."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    what = models.CharField(pgettext_lazy("task", "what to do"), max_length=300)
    who = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case_tasks",
        verbose_name=pgettext_lazy("task", "who does it"),
    )
    who_text = models.CharField(_("who (another person or agency)"), max_length=200, blank=True)
    due_on = models.DateField(_("by when"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.what


class CaseFollowUp(models.Model):
    """A follow-up contact on an accepted case (a home visit, a call)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups")
    on = models.DateField(_("date"))
    note = models.TextField(_("what was found"))
    visit = models.ForeignKey(Visit, null=True, blank=True, on_delete=models.SET_NULL)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-on", "-pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.on}"


class CaseTimeLimits(models.Model):
    """How long each step may take, set per province (defaults without a row)."""

    area = models.OneToOneField(Area, on_delete=models.PROTECT, related_name="+")
    acknowledge_urgent_hours = models.PositiveSmallIntegerField(
        _("hours to acknowledge an urgent case"), default=24
    )
    subdistrict_review_days = models.PositiveSmallIntegerField(
        _("days for the subdistrict check"), default=3
    )
    district_review_days = models.PositiveSmallIntegerField(
        _("days for the district check"), default=3
    )
    province_review_days = models.PositiveSmallIntegerField(
        _("days for the provincial decision"), default=7
    )
    referral_answer_days = models.PositiveSmallIntegerField(
        _("days for an agency to answer a referral"), default=7
    )
    # An urgent case waits no longer than this at any review step (the shorter limit wins).
    urgent_step_days = models.PositiveSmallIntegerField(
        _("days for each review step of an urgent case"), default=1
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"limits {self.area_id}"


# --- Referrals -------------------------------------------------------------------------------


class AgencyKind(models.TextChoices):
    PMJ = "pmj", _("provincial social development office (พมจ.)")
    CHILDREN_HOME = "children_home", _("children and family shelter")
    SHELTER = "shelter", _("shelter for the destitute")
    LOCAL_GOVERNMENT = "local_gov", _("local government (อบต./เทศบาล)")
    HEALTH = "health", _("health centre or hospital")
    POLICE = "police", _("police")
    SCHOOL = "school", _("school")
    HOTLINE = "hotline", _("1300 centre")
    OTHER = "other", _("other")


class Agency(models.Model):
    """An agency that can act on a referral, listed per area; one with no area is national
    (a ministry department, a national hotline) and serves every area."""

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    kind = models.CharField(_("kind"), max_length=16, choices=AgencyKind.choices)
    name = models.CharField(_("name"), max_length=200)
    address = models.TextField(_("address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    contact_person = models.CharField(_("contact person"), max_length=200, blank=True)
    head_title = models.CharField(
        _("addressed to (title of the head)"), max_length=200, blank=True
    )  # เรียน ... on the referral letter
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["area_id", "kind", "name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("sent")
    RECEIVED = "received", _("received")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", pgettext_lazy("referral status", "done")
    DECLINED = "declined", pgettext_lazy("referral status", "declined")
    # Sent by mistake (to the wrong agency): taken back by the office, counted for no agency.
    WITHDRAWN = "withdrawn", pgettext_lazy("referral status", "withdrawn")


class Referral(models.Model):
    """One service need handed to one agency, followed until the agency answers."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="referrals")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")  # the case's
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="referrals")
    need = models.TextField(_("service needed"))
    letter_no = models.CharField(_("letter number"), max_length=60, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    sent_at = models.DateTimeField()
    answer_due = models.DateField(_("answer due"))
    status_changed_at = models.DateTimeField()
    result = models.TextField(_("result or reason"), blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        indexes = [
            models.Index(fields=["area", "status", "answer_due"], name="referral_area_due_idx")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.agency_id}"


class ReferralEvent(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=12, choices=ReferralStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=ReferralStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.to_status}"


# --- Welfare assistance ----------------------------------------------------------------------


class AssistanceKind(models.TextChoices):
    CASH = "cash", _("cash")
    GOODS = "goods", _("goods or devices")
    REPAIR = "repair", _("home repair")
    REGISTRATION = "registration", _("registration for a benefit")


class AssistanceType(models.Model):
    """A kind of help that can be given, configurable data with optional caps in baht."""

    code = models.SlugField(primary_key=True, max_length=32)
    name_th = models.CharField(max_length=160)
    name_en = models.CharField(max_length=160)
    kind = models.CharField(max_length=14, choices=AssistanceKind.choices)
    cap_per_case = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    # Per person per fiscal year (October to September).
    cap_per_year = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name_th


class AssistanceStatus(models.TextChoices):
    APPROVED = "approved", _("approved")
    GIVEN = "given", _("paid or handed over")
    CANCELLED = "cancelled", _("cancelled")


class Assistance(models.Model):
    """Help approved for one person on one case, then paid or handed over with evidence."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assistance")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="assistance")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="assistance")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    assistance_type = models.ForeignKey(
        AssistanceType, on_delete=models.PROTECT, related_name="+", verbose_name=_("kind of help")
    )
    fiscal_year = models.PositiveSmallIntegerField()  # Buddhist Era, e.g. 2569
    amount = models.DecimalField(_("amount (baht)"), max_digits=10, decimal_places=2, default=0)
    description = models.CharField(_("what is given"), max_length=300, blank=True)
    status = models.CharField(
        max_length=10, choices=AssistanceStatus.choices, default=AssistanceStatus.APPROVED
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField()
    # Set when the approval went past a cap: who allowed it and why.
    override_reason = models.TextField(blank=True)
    cancel_reason = models.TextField(_("why it was cancelled"), blank=True)
    given_on = models.DateField(_("paid or handed over on"), null=True, blank=True)
    evidence = models.FileField(upload_to="cases/evidence/%Y/%m/", blank=True)
    evidence_note = models.CharField(_("evidence (receipt no., note)"), max_length=300, blank=True)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-approved_at", "-pk"]
        indexes = [
            models.Index(fields=["person", "fiscal_year"], name="assistance_person_year_idx"),
            models.Index(fields=["household", "fiscal_year"], name="assistance_hh_year_idx"),
            models.Index(fields=["area", "status"], name="assistance_area_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.assistance_type_id} {self.amount}"


# --- Break-glass -----------------------------------------------------------------------------


class BreakGlassAccess(models.Model):
    """Short-lived access to a sensitive case by someone not assigned to it, with a reason."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="break_glass")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")  # the case's
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("why you need to open this case"))
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-granted_at"]
        indexes = [models.Index(fields=["user", "case", "expires_at"], name="breakglass_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.case_id}"
