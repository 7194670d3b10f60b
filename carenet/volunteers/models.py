"""Volunteers (อพม.), their status history, and the coordination centres they form.

A volunteer serves one subdistrict (their `area`) and covers some of its villages. Their own
home address is kept apart from the area they serve. Status changes go through
services.volunteer_change_status, which checks the move against STATUS_MOVES and records each
change with its date, reason and who made it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, gettext_noop, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from carenet.areas.models import Area
from carenet.core.models import HasCitizenID
from carenet.core.people import Sex, full_name
from carenet.core.text import said_in_both, written_by_carenet


class VolunteerStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("volunteer status", "active")
    INACTIVE = "inactive", _("inactive")
    RESIGNED = "resigned", _("resigned")
    REMOVED = "removed", _("removed")
    DECEASED = "deceased", _("deceased")


# Which status may follow which. Deceased is final; the others can be reversed by a coordinator.
STATUS_MOVES: dict[str, set[str]] = {
    VolunteerStatus.ACTIVE: {"inactive", "resigned", "removed", "deceased"},
    VolunteerStatus.INACTIVE: {"active", "resigned", "removed", "deceased"},
    VolunteerStatus.RESIGNED: {"active", "deceased"},
    VolunteerStatus.REMOVED: {"active", "deceased"},
    VolunteerStatus.DECEASED: set(),
}


# Who the network counts on, now or after a pause: the list shows them unless asked otherwise.
IN_NETWORK = (VolunteerStatus.ACTIVE, VolunteerStatus.INACTIVE)
NETWORK = "network"  # a status filter meaning IN_NETWORK


class OtherRole(models.TextChoices):
    """Other volunteer roles an อพม. often also holds."""

    VHV = "vhv", _("village health volunteer (อสม.)")
    CIVIL_DEFENCE = "civil_defence", _("civil defence volunteer (อปพร.)")
    VILLAGE_HEAD = "village_head", _("village headman or assistant")
    # A subdistrict's headman, chosen from among its village heads: a post of its own, which a
    # file's กำนัน is, not a village head's.
    SUBDISTRICT_HEAD = "subdistrict_head", _("subdistrict headman (กำนัน)")
    COMMUNITY_LEADER = "community_leader", _("community leader")
    LOCAL_COUNCIL = "local_council", _("local council member")
    CHILD_PROTECTION = "child_protection", _("child protection volunteer")
    ELDERLY_CARER = "elderly_carer", _("elderly care volunteer (อผส.)")
    OTHER = "other", _("other")


class Volunteer(HasCitizenID):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer",
        verbose_name=_("user account"),
    )
    title = models.CharField(_("title"), max_length=40)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    name_key = models.CharField(max_length=40, blank=True, db_index=True, editable=False)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, default=Sex.UNSPECIFIED)
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    line_id = models.CharField(_("LINE ID"), max_length=60, blank=True)

    house_no = models.CharField(_("house no."), max_length=20, blank=True)
    address_moo = models.PositiveSmallIntegerField(_("village no. (หมู่ที่)"), null=True, blank=True)
    address_area = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("home subdistrict"),
    )

    # The subdistrict they serve: scoping reads this column.
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("subdistrict served")
    )
    villages = models.ManyToManyField(
        Area, blank=True, related_name="volunteers", verbose_name=_("villages covered")
    )

    registration_no = models.CharField(_("registration no."), max_length=30, blank=True)
    registration_date = models.DateField(_("registration date"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=VolunteerStatus.choices,
        default=VolunteerStatus.ACTIVE,
        db_index=True,
    )
    other_roles = models.JSONField(_("other volunteer roles"), default=list, blank=True)
    # The latest visit they made or came along on, kept by visits.services.visit_record (it
    # only moves forward), so that "no visit in 60 days" is an index range, not a scan of visits.
    last_visit_at = models.DateTimeField(null=True, blank=True, editable=False)

    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["area_id", "first_name", "last_name"]
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        constraints = [
            models.UniqueConstraint(
                fields=["citizen_id_hash"],
                condition=~Q(citizen_id_hash=""),
                name="volunteer_citizen_id_unique",
            )
        ]
        indexes = [
            models.Index(fields=["area", "status"], name="volunteer_area_status_idx"),
            # The centre's inactive volunteers: active ones of an area, by their latest visit.
            models.Index(
                fields=["status", "area", "last_visit_at"], name="volunteer_status_visit_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return full_name(self.title, self.first_name, self.last_name)

    def get_other_roles_display(self) -> list[str]:
        labels = dict(OtherRole.choices)
        return [str(labels.get(code, code)) for code in self.other_roles]


class VolunteerStatusChange(models.Model):
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=12, choices=VolunteerStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=VolunteerStatus.choices)
    effective_date = models.DateField(_("date"))
    reason = models.TextField(_("reason"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The committee seats this change ended or cancelled, as they were before it
    # (services.seat_records), so that taking the change back can seat them again.
    seats_ended = models.JSONField(default=list, blank=True, editable=False)

    class Meta:
        ordering = ["-effective_date", "-id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status} {self.effective_date}"

    @property
    def reason_shown(self) -> str:
        """The reason in the page's language when Carenet wrote it ("Registered"), which it
        stored in the language of whoever acted; a reason someone typed, as typed."""
        return system_reason_shown(self.reason)


# The reasons Carenet writes itself (volunteers.services, the volunteers import).
SYSTEM_REASONS = (gettext_noop("Registered"), gettext_noop("Changed by an import from a file"))
TAKEN_BACK = gettext_noop("Taken back (recorded by mistake): %(reason)s")


def system_reason_shown(text: str) -> str:
    for before in said_in_both(TAKEN_BACK):
        prefix = before.split("%(reason)s")[0]
        if prefix and text.startswith(prefix):
            return gettext(TAKEN_BACK) % {"reason": text[len(prefix) :]}
    return written_by_carenet(text, SYSTEM_REASONS)


class Centre(models.Model):
    """A coordination centre (ศูนย์ประสานงาน อพม.): one per province and district."""

    area = models.OneToOneField(
        Area, on_delete=models.PROTECT, related_name="centre", verbose_name=_("area")
    )
    name = models.CharField(_("name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["area_id"]
        verbose_name = _("coordination centre")
        verbose_name_plural = _("coordination centres")

    def __str__(self) -> str:
        return self.name


class Position(models.TextChoices):
    CHAIR = "chair", _("chair (ประธาน)")
    VICE_CHAIR = "vice_chair", _("vice chair (รองประธาน)")
    SECRETARY = "secretary", _("secretary (เลขานุการ)")
    MEMBER = "member", _("committee member (กรรมการ)")


POSITION_ORDER = [Position.CHAIR, Position.VICE_CHAIR, Position.SECRETARY, Position.MEMBER]
# A committee has one chair and one secretary at a time, and is short without either.
SINGLE_SEATS = (Position.CHAIR, Position.SECRETARY)


class CommitteeMembership(models.Model):
    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="committee")
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="committee_seats"
    )
    position = models.CharField(_("position"), max_length=12, choices=Position.choices)
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"), null=True, blank=True)

    class Meta:
        ordering = ["centre_id", "position", "term_start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_end__gte=models.F("term_start")),
                name="committee_term_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_position_display()}: {self.volunteer_id}"

    @property
    def holder_serves_area(self) -> bool:
        """Whether the holder still serves inside the centre's area: a seat is for a volunteer
        of the area, yet one who moves keeps it until the coordinator ends the term."""
        return self.volunteer.area_id.startswith(self.centre.area_id)
