"""Households and the people in them: who the volunteers look after.

A household lives at an address in a village; `area` is that village (or the subdistrict when
the village is not known), so scoping reads one indexed column. Its members are Persons. The
household's vulnerability summary and priority score are worked out from its members by
vulnerability.py and stored by the services, never typed in.

Nothing here is ever deleted by ordinary work: a household is moved or closed, a person moves,
dies or is merged into the record that survives a duplicate merge.

Every index slows each insert, and a province's registry is loaded a million rows at a time,
so only what pages look up is indexed. The keys to the user who created, recorded or assigned
a row are not: no page lists rows by who wrote them, and users are closed, not deleted (were
one deleted, the check of these keys would read the tables through once).
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, pgettext_lazy

from carenet.areas.models import Area
from carenet.core.models import HasCitizenID
from carenet.core.people import Sex, full_name
from carenet.core.text import written_by_carenet
from carenet.volunteers.models import Volunteer, VolunteerStatus


class HouseholdStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("household status", "active")
    MOVED = "moved", _("moved away")
    CLOSED = "closed", _("closed")


class Ownership(models.TextChoices):
    OWN = "own", _("own house")
    RENT = "rent", _("rented")
    RELATIVE = "relative", _("lives with relatives")
    PUBLIC = "public", _("public or temple land")
    ENCROACHED = "encroached", _("encroached land")
    OTHER = "other", _("other")


class Condition(models.TextChoices):
    GOOD = "good", _("sound")
    FAIR = "fair", _("needs repair")
    POOR = "poor", _("dilapidated")
    UNSAFE = "unsafe", _("unsafe to live in")


class Household(models.Model):
    # Not indexed alone: the (area, status) and (area, next visit) indexes serve the scoping
    # range and the foreign key (see Meta.indexes). Fewer indexes make imports faster.
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("village"),
        db_index=False,
    )
    house_no = models.CharField(_("house no."), max_length=20, blank=True)
    moo = models.PositiveSmallIntegerField(_("village no. (หมู่ที่)"), null=True, blank=True)
    soi = models.CharField(_("soi"), max_length=100, blank=True)
    road = models.CharField(_("road"), max_length=100, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    ownership = models.CharField(_("housing"), max_length=12, choices=Ownership.choices, blank=True)
    condition = models.CharField(
        _("house condition"), max_length=8, choices=Condition.choices, blank=True
    )
    head = models.ForeignKey(
        "Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("head of household"),
    )
    volunteers: "models.ManyToManyField[Volunteer, HouseholdAssignment]" = models.ManyToManyField(
        Volunteer,
        through="HouseholdAssignment",
        related_name="households",
        verbose_name=_("volunteers"),
    )
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=HouseholdStatus.choices,
        default=HouseholdStatus.ACTIVE,
    )
    # Worked out from the members by vulnerability.py; never typed in.
    priority_score = models.PositiveSmallIntegerField(_("priority"), default=0, editable=False)
    vulnerability = models.JSONField(_("vulnerability"), default=list, editable=False)
    member_count = models.PositiveSmallIntegerField(default=0, editable=False)
    # Kept by the visit services, so that "my households by urgency" is one indexed query.
    last_visit_at = models.DateTimeField(_("last visit"), null=True, blank=True, editable=False)
    next_visit_due = models.DateField(_("next visit due"), null=True, blank=True, editable=False)
    current_risk = models.CharField(_("risk"), max_length=8, blank=True, editable=False)

    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # see the module's docstring
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-priority_score", "area_id", "house_no"]
        verbose_name = _("household")
        verbose_name_plural = _("households")
        indexes = [
            models.Index(fields=["area", "status"], name="household_area_status_idx"),
            models.Index(fields=["-priority_score"], name="household_priority_idx"),
            models.Index(fields=["area", "next_visit_due"], name="household_area_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.house_no} หมู่ {self.moo or '-'} ({self.area_id})"


class HouseholdAssignment(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="assignments")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="assignments")
    assigned_at = models.DateTimeField(auto_now_add=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # see the module's docstring
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["household", "volunteer"], name="household_assignment_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.volunteer_id} → {self.household_id}"


class Evacuation(models.Model):
    """A household staying away from home for a while (a flood shelter, a temple, relatives'
    house): where and since when, until it is back home. The household and its members stay
    active meanwhile, so they stay in every list and figure. At most one is open at a time;
    ended ones are kept, so that past evacuations stay on record."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="evacuations")
    # Not indexed: found through its household, and checked against the scope once found.
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", db_index=False)
    place = models.CharField(_("shelter or place"), max_length=200)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    since = models.DateField(_("since"))
    ended_on = models.DateField(_("back home on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # see the module's docstring
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # see the module's docstring
    )

    class Meta:
        ordering = ["-since", "-id"]
        constraints = [
            # Its partial index also serves "is it evacuated now" and the list's filter.
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(ended_on__isnull=True),
                name="evacuation_one_open",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("since")),
                name="evacuation_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} → {self.place}"


class PersonStatus(models.TextChoices):
    ACTIVE = "active", _("lives here")
    MOVED = "moved", _("moved away")
    DECEASED = "deceased", _("deceased")
    MERGED = "merged", _("merged into another record")


class Relation(models.TextChoices):
    HEAD = "head", _("head of household")
    SPOUSE = "spouse", _("spouse")
    CHILD = "child", pgettext_lazy("relation to the head", "child")
    PARENT = "parent", _("parent")
    GRANDCHILD = "grandchild", _("grandchild")
    GRANDPARENT = "grandparent", _("grandparent")
    SIBLING = "sibling", _("sibling")
    RELATIVE = "relative", _("other relative")
    NON_RELATIVE = "non_relative", _("not related")


class DocumentType(models.TextChoices):
    """For people without a Thai citizen ID, or whose ID is not known yet (ID_UNKNOWN: a Thai
    citizen whose card is lost or not at hand, not counted with those without documents)."""

    PINK_CARD = "pink_card", _("non-Thai ID card (บัตรชมพู)")
    PASSPORT = "passport", _("passport")
    BIRTH_CERTIFICATE = "birth_certificate", _("birth certificate")
    STATELESS = "stateless", _("stateless person document")
    NONE = "none", _("no document")
    ID_UNKNOWN = "id_unknown", _("has a Thai citizen ID, number not known yet")


class DisabilityType(models.TextChoices):
    """The seven disability types of the Ministry's disability card."""

    VISUAL = "visual", _("visual")
    HEARING = "hearing", _("hearing or communication")
    PHYSICAL = "physical", _("physical or movement")
    MENTAL = "mental", _("mental or behavioural")
    INTELLECTUAL = "intellectual", _("intellectual")
    LEARNING = "learning", _("learning")
    AUTISM = "autism", _("autism")


class Person(HasCitizenID):
    # Indexed by the unique constraint's partial index alone, which serves lookups that
    # repeat its condition (with_citizen_id). On PostgreSQL the column compares byte by byte
    # (COLLATE "C", migration 0006): an AlterField here must keep that.
    citizen_id_hash = models.CharField(max_length=64, blank=True, editable=False)
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="members")
    # The household's area, copied here so that scoping a person needs no join. Indexed by
    # (area, status) only, like the household's; see Meta.indexes.
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", db_index=False)
    document_type = models.CharField(
        _("other document"), max_length=20, choices=DocumentType.choices, blank=True
    )
    document_no = models.CharField(_("document no."), max_length=40, blank=True)
    title = models.CharField(_("title"), max_length=40, blank=True)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    name_key = models.CharField(max_length=40, blank=True, editable=False)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, default=Sex.UNSPECIFIED)
    relation = models.CharField(
        _("relation to the head"), max_length=16, choices=Relation.choices, blank=True
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    # Recorded vulnerability (age groups and "woman" are derived, see vulnerability.py).
    disability = models.BooleanField(_("person with disability"), default=False)
    disability_type = models.CharField(
        _("disability type"), max_length=16, choices=DisabilityType.choices, blank=True
    )
    disability_card_no = models.CharField(_("disability card no."), max_length=30, blank=True)
    bedridden = models.BooleanField(_("bedridden"), default=False)
    lives_alone = models.BooleanField(_("lives alone"), default=False)
    chronic_illness = models.BooleanField(_("chronic illness"), default=False)
    pregnant = models.BooleanField(_("pregnant"), default=False)
    single_parent = models.BooleanField(_("single parent"), default=False)
    homeless = models.BooleanField(_("homeless"), default=False)
    disadvantaged = models.BooleanField(_("disadvantaged"), default=False)
    disaster_affected = models.BooleanField(_("disaster-affected"), default=False)

    # Welfare received.
    welfare_card = models.BooleanField(_("state welfare card"), default=False)
    elderly_allowance = models.BooleanField(_("elderly allowance"), default=False)
    disability_allowance = models.BooleanField(_("disability allowance"), default=False)
    newborn_grant = models.BooleanField(_("newborn grant"), default=False)

    status = models.CharField(
        _("status"),
        max_length=10,
        choices=PersonStatus.choices,
        default=PersonStatus.ACTIVE,
    )
    # Indexed although no page looks it up: while an import's rows wait for their households
    # (keys checked at commit), SQLite looks for the records merged into each new person.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from"
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # see the module's docstring
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["household_id", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            # The same citizen ID can never be registered twice.
            models.UniqueConstraint(
                fields=["citizen_id_hash"],
                condition=~Q(citizen_id_hash=""),
                name="person_citizen_id_unique",
            )
        ]
        # Every index slows each insert (a million-row import writes them all), so there is
        # no index another one covers: (area, status) serves scoping by area, which is a
        # range (areas.within); the name index is in pattern order so that it serves both
        # an exact key and a prefix (name_key LIKE 'k-%'), whatever the database's collation;
        # the unique constraint's index serves lookups by citizen ID (with_citizen_id).
        indexes = [
            models.Index(fields=["area", "status"], name="person_area_status_idx"),
            models.Index(
                fields=["name_key", "birth_date"],
                name="person_name_birth_idx",
                opclasses=["varchar_pattern_ops", "date_ops"],
            ),
            # The few people without a citizen ID: the likely-duplicate check by document.
            models.Index(
                fields=["document_no"], condition=~Q(document_no=""), name="person_document_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return full_name(self.title, self.first_name, self.last_name)


def with_citizen_id(id_hash: str) -> Q:
    """People with this citizen-ID hash, asked so that the unique constraint's index serves it.

    That index leaves out the people without an ID (hash ""), and SQLite uses such a partial
    index only for a query that repeats its condition.
    """
    return Q(citizen_id_hash=id_hash) & ~Q(citizen_id_hash="")


def with_document_no(number: str) -> Q:
    """People whose other document (passport, pink card ...) has this number, in capitals
    or as typed; asked, like with_citizen_id, so that the partial index serves it."""
    return Q(document_no__in={number, number.upper()}) & ~Q(document_no="")


# The purposes Carenet writes itself: the consent form's default, and an import's (stored in
# Thai: spreadsheets.importing.tables.CONSENT_PURPOSE).
DEFAULT_PURPOSE = gettext_noop(
    "Looking after the person's welfare: home visits, assessments and help from อพม. "
    "volunteers and the Ministry of Social Development and Human Security."
)
IMPORTED_PURPOSE = gettext_noop("Imported from a register")
SYSTEM_PURPOSES = (DEFAULT_PURPOSE, IMPORTED_PURPOSE)


class ConsentBasis(models.TextChoices):
    """PDPA: consent, or the lawful basis used instead (PDPA sections 24 and 26)."""

    CONSENT = "consent", _("consent of the person")
    GUARDIAN = "guardian", _("consent of a parent or guardian")
    VITAL_INTEREST = "vital_interest", _("to protect life or health")
    PUBLIC_TASK = "public_task", _("public task under the law")
    LEGAL_OBLIGATION = "legal_obligation", _("legal obligation")


class Consent(models.Model):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="consents")
    # Not indexed: a consent is found through its person, and checked against the scope
    # once found (see the module's docstring).
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", db_index=False)
    basis = models.CharField(_("basis"), max_length=20, choices=ConsentBasis.choices)
    purpose = models.TextField(_("purpose"))
    given_on = models.DateField(_("date"))
    # Who consented on the person's behalf (a parent, a guardian, a relative caring for an
    # adult who cannot decide), with how they are related: the record names who agreed.
    given_by = models.CharField(_("consented on their behalf by"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # see the module's docstring
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # see the module's docstring
    )
    # After a withdrawal or objection: how and when the person gave consent again (in front of
    # whom, where the signed form is kept), or why a lawful basis overrides what they asked.
    note = models.TextField(_("note after a withdrawal"), blank=True)

    class Meta:
        ordering = ["-given_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_basis_display()} {self.given_on}"

    @property
    def purpose_shown(self) -> str:
        """The purpose in the page's language when Carenet wrote it (the form's default, an
        import's), which it stored in the language of whoever acted; a typed one as typed."""
        return written_by_carenet(self.purpose, SYSTEM_PURPOSES)

    @property
    def is_consent(self) -> bool:
        """Given by the person or their guardian; the other bases are not given, so they
        are not withdrawn but objected to (PDPA s.32), with the same effect here."""
        return self.basis in (ConsentBasis.CONSENT, ConsentBasis.GUARDIAN)

    @property
    def is_active(self) -> bool:
        return self.withdrawn_on is None


def volunteer_serves(volunteer: Volunteer, area_code: str) -> bool:
    """Whether a volunteer visits the households of an area: active, and serving its
    subdistrict. One who left, or moved to another subdistrict, no longer does, though still
    assigned until the households are handed over."""
    return volunteer.status == VolunteerStatus.ACTIVE and volunteer.area_id == area_code[:6]


def serving_q(household_area: Any) -> Q:
    """volunteer_serves as a filter on assignments; `household_area` is the household's area
    code: a field path, or OuterRef("area_id") from a household query."""
    return Q(volunteer__status=VolunteerStatus.ACTIVE) & Q(
        volunteer__area_id=Substr(household_area, 1, 6)
    )


def restricted_q() -> Q:
    """People who withdrew consent and gave none since: services.person_is_restricted, as a
    query (their records are kept, but not changed, visited or exported)."""
    consents = Consent.objects.filter(person=OuterRef("pk"))
    return Q(Exists(consents.filter(withdrawn_on__isnull=False))) & ~Q(
        Exists(consents.filter(withdrawn_on__isnull=True))
    )
