"""Forms of the household pages: they parse what was typed; the services decide the rest.

A service's ValidationError is keyed by field name; `core.forms.show_service_errors` puts each
reason beside its field, on whichever of the page's forms holds that field.
"""

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from carenet.areas.models import Area, Level
from carenet.core import thaidate
from carenet.core.forms import CitizenIDField, MooField, ThaiDateField, VersionField
from carenet.core.people import FIRST_NAME_REQUIRED, NOT_NAMED_YET, TITLES, Sex, phone_shown
from carenet.households import cleaning, models, selectors, services, vulnerability
from carenet.households.cleaning import ConsentData, PersonData
from carenet.households.models import (
    Condition,
    ConsentBasis,
    DisabilityType,
    DocumentType,
    Household,
    HouseholdStatus,
    Ownership,
    Person,
    PersonStatus,
    Relation,
)
from carenet.households.services import HOUSEHOLD_MOVES, PERSON_MOVES
from carenet.volunteers.models import Volunteer

BLANK: list[tuple[str, Any]] = [("", "—")]

# Plain text boxes (not type=number) for numbers people type on phones: no spinner, no
# browser-side rounding, and Thai digits still arrive for the server to read.
NUMERIC = {"inputmode": "numeric", "autocomplete": "off"}
DECIMAL = {"inputmode": "decimal", "autocomplete": "off"}


def _choices(form: forms.Form, name: str, choices: list[tuple[Any, Any]]) -> None:
    cast(forms.ChoiceField, form.fields[name]).choices = choices


class AreaField(forms.ChoiceField):
    """A village (or subdistrict) from a grouped list; a typed code when the list is too long."""

    def __init__(self, *, user: Any, perm: Any, choices: list | None, **kwargs: Any) -> None:
        self.user, self.perm, self.typed = user, perm, choices is None
        widget = forms.TextInput(attrs={**NUMERIC, "maxlength": 8}) if self.typed else None
        super().__init__(choices=[*BLANK, *(choices or [])], widget=widget, **kwargs)
        if self.typed:
            self.help_text = _("The 8-digit village code, or the 6-digit subdistrict code.")

    def valid_value(self, value: Any) -> bool:
        return True if self.typed else super().valid_value(value)

    def clean(self, value: Any) -> Area | None:
        code = super().clean(value)
        if not code:
            return None
        area = selectors.area_in_scope(user=self.user, code=str(code).strip(), perm=self.perm)
        if area is None or len(area.code) < 6:
            raise ValidationError(_("Choose a village or subdistrict inside your area."))
        return area


class HouseholdForm(forms.Form):
    area = forms.Field(label=_("Village"))  # replaced in __init__
    house_no = forms.CharField(label=_("House no."), max_length=20, required=False)
    moo = MooField(
        label=_("Village no. (หมู่ที่)"),
        required=False,
        help_text=_("Only when the village is not in the list."),
    )
    soi = forms.CharField(label=_("Soi"), max_length=100, required=False)
    road = forms.CharField(label=_("Road"), max_length=100, required=False)
    latitude = forms.CharField(
        label=_("Latitude"), required=False, max_length=40, widget=forms.TextInput(attrs=DECIMAL)
    )
    longitude = forms.CharField(
        label=_("Longitude"), required=False, max_length=20, widget=forms.TextInput(attrs=DECIMAL)
    )
    ownership = forms.ChoiceField(
        label=_("Housing"), choices=[*BLANK, *Ownership.choices], required=False
    )
    condition = forms.ChoiceField(
        label=_("House condition"), choices=[*BLANK, *Condition.choices], required=False
    )
    version = VersionField(required=False)
    opened = forms.CharField(widget=forms.HiddenInput, required=False)  # views.opened_values

    def __init__(
        self, *args: Any, user: Any, perm: Any, area_choices: list | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"] = AreaField(
            user=user, perm=perm, choices=area_choices, label=_("Village")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        area = data.get("area")
        # The หมู่ of the old address, left in the box when another village is chosen, does
        # not contradict the village: a หมู่ typed or changed by the user still does.
        if area is not None and area.level == Level.VILLAGE and "moo" not in self.changed_data:
            data["moo"] = None
        return data

    def address(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {name: data[name] for name in cleaning.ADDRESS_FIELDS}


FLAG_FIELDS = list(vulnerability.RECORDED_FLAGS)
WELFARE_FIELDS = list(selectors.WELFARE_FIELDS)


class PersonCitizenIDField(CitizenIDField):
    """A citizen ID; a number starting with 0 is refused with where it belongs instead."""

    def clean(self, value: Any) -> str:
        try:
            return super().clean(value)
        except ValidationError as error:
            # Django's own checks (max_length ...) raise a list, which has no code.
            if getattr(error, "code", None) != "citizen_id_leading":
                raise
            leading = cleaning.card_in_citizen_id_field()
            raise ValidationError(leading, code="citizen_id_leading") from None


class PersonForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"list": "titles", "autocomplete": "off"}),
        help_text=_("นาย, นาง, นางสาว, เด็กชาย, เด็กหญิง, or another title"),
    )
    first_name = forms.CharField(
        label=_("First name"),
        max_length=100,
        help_text=NOT_NAMED_YET,
        error_messages={"required": FIRST_NAME_REQUIRED},
    )
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    citizen_id = PersonCitizenIDField(label=_("Citizen ID"), required=False)
    document_type = forms.ChoiceField(
        label=_("Other document"),
        choices=[*BLANK, *DocumentType.choices],
        required=False,
        help_text=_(
            "Only for a person without a Thai citizen ID, or a Thai citizen whose ID is not "
            "known yet."
        ),
    )
    document_no = forms.CharField(label=_("Document no."), max_length=40, required=False)
    birth_date = ThaiDateField(label=_("Birth date"), required=False)
    sex = forms.ChoiceField(
        label=_("Sex"), choices=Sex.choices, required=False, widget=forms.RadioSelect
    )
    relation = forms.ChoiceField(
        label=_("Relation to the head"), choices=[*BLANK, *Relation.choices], required=False
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    disability = forms.BooleanField(label=_("Person with disability"), required=False)
    disability_type = forms.ChoiceField(
        label=_("Disability type"), choices=[*BLANK, *DisabilityType.choices], required=False
    )
    disability_card_no = forms.CharField(
        label=_("Disability card no."), max_length=30, required=False
    )
    # Saved as it is although it looks unlikely (views._to_confirm, checks.member_notes).
    confirm_checks = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, editing: Person | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in FLAG_FIELDS + WELFARE_FIELDS:
            if name != "disability":
                label = selectors.field_label(Person, name)
                self.fields[name] = forms.BooleanField(label=label, required=False)
        self.editing = editing
        if editing is not None and editing.citizen_id_encrypted:
            masked = selectors.masked_citizen_id(editing)
            self.fields["citizen_id"].help_text = _(
                "Stored: %(masked)s. Leave empty to keep it."
            ) % {"masked": masked}
            self.fields["remove_citizen_id"] = forms.BooleanField(
                label=_("Remove the stored citizen ID: it was entered by mistake"),
                required=False,
            )

    titles = TITLES

    @property
    def flag_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in FLAG_FIELDS if name != "disability"]

    @property
    def welfare_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in WELFARE_FIELDS]

    def to_data(self) -> PersonData:
        data = dict(self.cleaned_data)
        citizen: str | None = data.pop("citizen_id") or ""
        removed = data.pop("remove_citizen_id", False)
        if self.editing is not None and not citizen and not removed:
            citizen = None  # keep the stored one
        for name in ("version", "opened", "confirm_distinct", "confirm_checks"):
            data.pop(name, None)
        return PersonData(citizen_id=citizen, **data)


class PersonEditForm(PersonForm):
    version = VersionField()
    opened = forms.CharField(widget=forms.HiddenInput, required=False)  # views.opened_values


DEFAULT_PURPOSE = _(models.DEFAULT_PURPOSE)  # marked for translation in models


class ConsentForm(forms.Form):
    # Nothing chosen beforehand: whoever registers a person says which basis applies, and a
    # consent is recorded only when the person (or a guardian) gave it (PDPA s.19).
    basis = forms.ChoiceField(
        label=_("Consent or lawful basis"),
        choices=ConsentBasis.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _(
                "Choose how this person's data may be kept: their consent, a guardian's, or "
                "the lawful basis used instead."
            )
        },
    )
    purpose = forms.CharField(
        label=_("Purpose"),
        widget=forms.Textarea(attrs={"rows": 3}),
        initial=DEFAULT_PURPOSE,
    )
    given_on = ThaiDateField(label=_("Date"), initial=timezone.localdate)
    # For a guardian's consent: who gave it, and how they are related (kept as one line,
    # "นางสมศรี ใจดี (บุตรสาว)", on the consent).
    given_by = forms.CharField(
        label=_("Name of who consented for the person"),
        required=False,
        max_length=150,
        help_text=_("For the consent of a parent, guardian or representative."),
    )
    given_by_relation = forms.CharField(
        label=_("How they are related to the person"),
        required=False,
        max_length=40,
        help_text=_("For example: mother, daughter, legal guardian."),
    )

    def clean(self) -> dict[str, Any]:
        """A guardian's consent names who gave it and how they are related; an import's
        file does not ask it."""
        cleaned = super().clean() or {}
        if cleaned.get("basis") == ConsentBasis.GUARDIAN:
            name = " ".join(cleaned.get("given_by", "").split())
            if len([c for c in name if c.isalpha()]) < 2:
                self.add_error("given_by", _("Write the name of who consented for the person."))
            if not any(c.isalpha() for c in cleaned.get("given_by_relation", "")):
                self.add_error(
                    "given_by_relation",
                    _("Write how they are related to the person: mother, daughter, guardian."),
                )
        return cleaned

    def to_data(self) -> ConsentData:
        data = self.cleaned_data
        name = " ".join(data.get("given_by", "").split())
        relation = " ".join(data.get("given_by_relation", "").split())
        return ConsentData(
            basis=data["basis"],
            purpose=data["purpose"],
            given_on=data["given_on"],
            given_by=f"{name} ({relation})" if name and relation else name,
        )


GIVEN_BASES = (ConsentBasis.CONSENT, ConsentBasis.GUARDIAN)


class ConsentAddForm(ConsentForm):
    """A new consent for a registered person. After a withdrawal, a lawful basis other than
    consent asks for a justification, and is offered only to those who may record one
    (services.may_override_withdrawal); a consent the person gives again is always offered,
    with a note of how and when they gave it."""

    note = forms.CharField(
        label=_("How and when the person gave consent again"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Needed for a consent after a withdrawal: for example, a form signed on which date, "
            "in front of whom, and where it is kept. It is shown on the person's page and kept "
            "in the audit log."
        ),
    )

    justification = forms.CharField(
        label=_("Why the data must be used despite the withdrawal"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed for a lawful basis other than consent. It is kept in the audit log."),
    )

    def __init__(
        self, *args: Any, after_withdrawal: bool = False, may_override: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if not after_withdrawal:
            del self.fields["justification"]
            del self.fields["note"]
        elif not may_override:
            field = self.fields["basis"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [c for c in ConsentBasis.choices if c[0] in GIVEN_BASES]


class DuplicateConfirmForm(forms.Form):
    confirm_distinct = forms.BooleanField(required=False, widget=forms.HiddenInput)
    # Another household in a house where one is registered already (selectors.at_address).
    confirm_address = forms.BooleanField(required=False, widget=forms.HiddenInput)


class WithdrawForm(forms.Form):
    withdrawn_on = ThaiDateField(label=_("Withdrawn on"), initial=timezone.localdate)
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The reason the person gave, or “not given”."),
    )

    def __init__(self, *args: Any, objection: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if objection:  # a lawful basis is not withdrawn but objected to (Consent.is_consent)
            self.fields["withdrawn_on"].label = _("Objected on")


class _StatusForm(forms.Form):
    """Offers the statuses that may follow `current` (services' table). A form posted back
    takes any status: the service refuses a move, and the version tells a stale page."""

    moves: dict[str, set[str]] = {}
    statuses: list[tuple[str, Any]] = []

    def __init__(self, *args: Any, current: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offer(current)

    def offer(self, current: str | None) -> None:
        """The statuses that may follow `current` (every one for None)."""
        field = self.fields["status"]
        assert isinstance(field, forms.ChoiceField)
        allowed = self.moves.get(current, set()) if current is not None else None
        # Nothing chosen beforehand: one careless tap must not record a move or a death.
        field.choices = [
            ("", _("choose the new status")),
            *(c for c in self.statuses if allowed is None or c[0] in allowed),
        ]


class HouseholdStatusForm(_StatusForm):
    moves, statuses = HOUSEHOLD_MOVES, HouseholdStatus.choices
    status = forms.ChoiceField(label=_("New status"))
    reason = forms.CharField(label=_("Reason"), max_length=500)
    version = VersionField()


class EvacuationForm(forms.Form):
    """Where an evacuated household stays and since when; the GPS point is optional."""

    place = forms.CharField(
        label=_("Shelter or place"),
        max_length=200,
        help_text=_("For example: the temporary shelter at Wat Paknam, or a relative's house."),
    )
    since = ThaiDateField(label=_("Since"), help_text=_("Buddhist or Common Era."))
    latitude = forms.CharField(
        label=_("Latitude"), required=False, max_length=40, widget=forms.TextInput(attrs=DECIMAL)
    )
    longitude = forms.CharField(
        label=_("Longitude"), required=False, max_length=20, widget=forms.TextInput(attrs=DECIMAL)
    )


class BackHomeForm(forms.Form):
    ended_on = ThaiDateField(label=_("Back home on"), help_text=_("Buddhist or Common Era."))


class PersonStatusForm(_StatusForm):
    moves = PERSON_MOVES
    statuses = [c for c in PersonStatus.choices if c[0] != PersonStatus.MERGED]
    status = forms.ChoiceField(label=_("New status"))
    happened_on = ThaiDateField(
        label=_("When it happened"),
        required=False,
        help_text=_("The day of death, or of moving away (Buddhist or Common Era)."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)
    version = VersionField()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        status, on = cleaned.get("status"), cleaned.get("happened_on")
        if status in (PersonStatus.DECEASED, PersonStatus.MOVED) and on is None:
            if "happened_on" not in self.errors:
                self.add_error("happened_on", _("Enter the day it happened."))
        elif on is not None and on > timezone.localdate():
            self.add_error("happened_on", _("The date cannot be in the future."))
        return cleaned


class PersonMoveForm(forms.Form):
    """The relation the person has to the head of the household they move into."""

    relation = forms.ChoiceField(
        label=_("Relation to the head"), choices=[*BLANK, *Relation.choices]
    )
    version = VersionField()
    confirm_checks = forms.BooleanField(required=False, widget=forms.HiddenInput)


class AssignForm(forms.Form):
    volunteer: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Assign a volunteer"),
        queryset=Volunteer.objects.none(),
        empty_label=_("choose a volunteer of this subdistrict"),
    )

    def __init__(self, *args: Any, queryset: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["volunteer"])
        field.queryset = queryset
        field.label_from_instance = _assignee_label  # type: ignore[method-assign,assignment]


def _looks_after(volunteer: Any) -> str:
    return ngettext(
        "looks after %(count)d household", "looks after %(count)d households", volunteer.looks_after
    ) % {"count": volunteer.looks_after}


def _assignee_label(volunteer: Any) -> str:
    """Whether the volunteer covers the household's village, and how busy they are already (a
    removal's choices carry neither)."""
    if not hasattr(volunteer, "looks_after"):
        return volunteer.full_name
    where = _("covers this village") if volunteer.covers_village else _("another village")
    return f"{volunteer.full_name} ({where} · {_looks_after(volunteer)})"


def _taker_label(volunteer: Any) -> str:
    """Who could take the households, whether they cover their villages, where they serve and
    how many they look after now."""
    where: Any
    if not volunteer.covers:
        where = _("another village")
    elif volunteer.of_villages == 1:
        where = _("covers this village")
    else:
        where = _("covers %(covers)d of their %(villages)d villages") % {
            "covers": volunteer.covers,
            "villages": volunteer.of_villages,
        }
    return f"{volunteer.full_name} ({where} · {volunteer.area.label} · {_looks_after(volunteer)})"


class HandOverForm(forms.Form):
    """Which of a volunteer's households go to which other volunteer of the subdistrict."""

    taker: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Hand over to"),
        queryset=Volunteer.objects.none(),
        empty_label=_("choose a volunteer"),
    )
    households: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("Households"),
        queryset=Household.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Tick at least one household."),
            # A second click, or another tab, after the hand-over was done.
            "invalid_choice": _(
                "Some of the households ticked are no longer this volunteer's: they were "
                "handed over already. Open the page again."
            ),
            "invalid_pk_value": _("Tick households from the list."),
        },
    )

    def __init__(self, *args: Any, takers: Any, households: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        taker = cast(forms.ModelChoiceField, self.fields["taker"])
        taker.queryset = takers
        taker.label_from_instance = _taker_label  # type: ignore[method-assign,assignment]
        cast(forms.ModelMultipleChoiceField, self.fields["households"]).queryset = households


class MergeForm(forms.Form):
    survivor = forms.TypedChoiceField(
        label=_("Which record stays"), coerce=int, widget=forms.RadioSelect
    )
    confirm = forms.BooleanField(
        label=_("I checked: these two records are the same person."), required=True
    )
    versions = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, pair: tuple[Person, Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "survivor", [(p.pk, p.full_name) for p in pair])
        self.fields["versions"].initial = f"{pair[0].version}-{pair[1].version}"
        # Where both records hold different values, either may be kept; none chosen keeps
        # the value of the record that stays.
        for name in services.merge_differences(*pair):
            self.fields[f"keep_{name}"] = forms.TypedChoiceField(
                label=selectors.field_label(Person, name),
                choices=[
                    (p.pk, f"{_shown_value(p, name)} · {_('Record no.')} {p.pk}") for p in pair
                ],
                coerce=int,
                required=False,
                widget=forms.RadioSelect,
            )

    def value_choices(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("keep_")]

    def taken_from(self, duplicate: Person) -> list[str]:
        """The fields whose value the other record gives."""
        return [
            name.removeprefix("keep_")
            for name in self.fields
            if name.startswith("keep_") and self.cleaned_data.get(name) == duplicate.pk
        ]


def _shown_value(person: Person, name: str) -> str:
    value = getattr(person, name)
    if name == "birth_date":
        return thaidate.format_long(value)
    if name == "phone":
        return phone_shown(value)
    if getattr(person._meta.get_field(name), "choices", None):
        return str(getattr(person, f"get_{name}_display")())
    return str(value)


SEARCH_LENGTH = 100


class HouseholdFilterForm(forms.Form):
    """The list's filters. Unknown values are dropped, never an error page."""

    q = forms.CharField(label=_("Search"), required=False, max_length=SEARCH_LENGTH)
    area = forms.ChoiceField(
        label=_("Area"),
        required=False,
        error_messages={
            "invalid_choice": _(
                "%(value)s is not one of your areas: the households of all your areas are shown."
            )
        },
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("every status")), *HouseholdStatus.choices],
    )
    group = forms.ChoiceField(label=_("Vulnerable group"), required=False)
    level = forms.ChoiceField(
        label=_("Priority"),
        required=False,
        choices=[
            ("", _("every priority")),
            ("high", _("high")),
            ("medium", _("medium")),
            ("low", _("low")),
        ],
    )

    unserved = forms.BooleanField(label=_("Only those with no serving volunteer"), required=False)
    # "on" for those at a shelter (as the links and the old tick box wrote it), "home" for
    # those still at home: whom a rescue team must still reach.
    evacuated = forms.ChoiceField(
        label=_("Evacuation"),
        required=False,
        choices=[
            ("", _("every household")),
            ("on", _("only those evacuated now")),
            ("home", _("only those still at home")),
        ],
    )

    def __init__(self, data: Any, *, area_choices: list[tuple[str, str]]) -> None:
        if "status" not in data:  # the list opens on the households still looked after
            data = data.copy()
            data["status"] = HouseholdStatus.ACTIVE
        super().__init__(data)
        _choices(self, "area", [("", _("all my areas")), *area_choices])
        groups = [g for g in vulnerability.WEIGHTS if g not in ("woman", "youth")]
        labels = [(g, str(vulnerability.GROUP_LABELS[g])) for g in groups]
        _choices(self, "group", [("", _("every group")), *labels])

    def filters(self, *, user: Any) -> selectors.HouseholdFilters:
        self.is_valid()
        data = {name: self.cleaned_data.get(name, "") for name in self.fields}
        area = str(self.data.get("area", "")).strip()
        if area and "area" in self.errors:
            # A code outside the list (a village, linked from an area page's figures, or typed
            # in the address bar): kept, and shown as chosen, if it is in scope.
            found = selectors.area_in_scope(user=user, code=area)
            if found is not None:
                field = self.fields["area"]
                field.choices = [*field.choices, (found.code, found.label)]  # type: ignore[attr-defined]
                del self.errors["area"]
            data["area"] = found.code if found else ""
        if "q" in self.errors:  # too long: search its first 100 characters, and say why
            data["q"] = str(self.data.get("q", ""))[:SEARCH_LENGTH]
        return selectors.HouseholdFilters(
            search=data["q"] or "",
            area=data["area"] or "",
            status=data["status"] or "",
            group=data["group"] or "",
            level=data["level"] or "",
            unserved=bool(data["unserved"]),
            evacuated=data["evacuated"] == "on",
            at_home=data["evacuated"] == "home",
        )
