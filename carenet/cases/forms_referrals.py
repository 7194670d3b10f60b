"""Forms of the referral and assistance pages: they parse what was typed; services decide."""

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from carenet.areas.models import Area, Level
from carenet.cases.forms import BahtField
from carenet.cases.models import (
    Agency,
    AgencyKind,
    AssistanceType,
    ReferralStatus,
)
from carenet.cases.selectors import ReferralFilters
from carenet.core.forms import DateRangeForm, ThaiDateField
from carenet.households.models import Person

AMOUNT = {"inputmode": "decimal", "autocomplete": "off"}


class AgencyForm(forms.ModelForm):
    class Meta:
        model = Agency
        fields = [
            "area",
            "kind",
            "name",
            "head_title",
            "address",
            "phone",
            "email",
            "contact_person",
            "active",
        ]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}

    def __init__(
        self, *args: Any, areas: QuerySet[Area], national: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        area = self.fields["area"]
        assert isinstance(area, forms.ModelChoiceField)
        area.queryset = areas
        area.label = _("Area served")
        # Only someone who keeps national agencies may leave the area empty.
        area.required = not national
        if national:
            area.empty_label = _("The whole country (a national agency)")
        area.label_from_instance = lambda a: f"{a.code} {a.label}"  # type: ignore[method-assign,assignment]
        self.fields["active"].label = _("In use")


AREA_INDENT = {
    Level.PROVINCE: "",
    Level.DISTRICT: "\u00a0\u00a0",
    Level.SUBDISTRICT: "\u00a0\u00a0\u00a0\u00a0",
}


def area_field() -> forms.ChoiceField:
    """An area chosen from the user's own (a name, not a code to type); a value outside the
    list is reported beside the field."""
    return forms.ChoiceField(
        label=_("Area"),
        required=False,
        error_messages={"invalid_choice": _("Choose an area from the list.")},
    )


def offer_areas(form: forms.Form, areas: list[Area]) -> None:
    field = form.fields["area"]
    assert isinstance(field, forms.ChoiceField)
    options = [(a.code, AREA_INDENT.get(Level(a.level), "") + a.label) for a in areas]
    field.choices = [("", _("all my areas")), *options]


class AgencyFilterForm(forms.Form):
    """The directory's filters. The area is one from a list (a name, not a code to type); a
    value outside it is reported beside the field and left out of the filter."""

    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *AgencyKind.choices]
    )
    area = area_field()

    def __init__(self, *args: Any, areas: list[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer_areas(self, areas)

    def filters(self) -> tuple[str, str]:
        """The valid (kind, area code); a bad one is left out."""
        if not self.is_bound:
            return "", ""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return data.get("kind", ""), data.get("area", "")


class ReferralFilterForm(DateRangeForm):
    """The referrals list's filters: sent from one day to another, a status, an area of the
    list (a value outside it is reported beside the field, and nothing is listed)."""

    field_order = ("since", "until", "status", "area")
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("any")), *ReferralStatus.choices]
    )
    area = area_field()

    def __init__(self, *args: Any, areas: list[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["since"].label = _("Sent from")
        offer_areas(self, areas)

    def filters(self) -> ReferralFilters | None:
        """What the fields ask for; None while one is typed wrong (nothing is listed)."""
        if not self.is_valid():
            return None
        data = self.cleaned_data
        return ReferralFilters(
            status=data.get("status") or "",
            area=data.get("area") or "",
            since=data.get("since"),
            until=data.get("until"),
        )


class ReferralForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.none())
    need = forms.CharField(
        label=_("Service needed"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    letter_no = forms.CharField(
        label=_("Letter number"),
        max_length=60,
        required=False,
        help_text=_("As written on the letter, e.g. ชพ 0009/123. May be left blank."),
    )

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = agencies
        field.label_from_instance = _agency_choice  # type: ignore[method-assign,assignment]


def _agency_choice(agency: Agency) -> str:
    served = agency.area.label if agency.area else _("The whole country")
    return f"{agency.name} ({served})"


REFERRAL_ANSWERS = [
    (ReferralStatus.RECEIVED, ReferralStatus.RECEIVED.label),
    (ReferralStatus.IN_PROGRESS, ReferralStatus.IN_PROGRESS.label),
    (ReferralStatus.DONE, ReferralStatus.DONE.label),
    (ReferralStatus.DECLINED, ReferralStatus.DECLINED.label),
    (ReferralStatus.WITHDRAWN, _("withdrawn: sent by mistake, or no longer needed")),
]


class ReferralMoveForm(forms.Form):
    to = forms.ChoiceField(choices=REFERRAL_ANSWERS, label=_("The agency's answer"))
    note = forms.CharField(
        label=_("Result or reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AssistanceForm(forms.Form):
    person = forms.ModelChoiceField(label=_("For whom"), queryset=Person.objects.none())
    assistance_type = forms.ModelChoiceField(
        label=_("Kind of help"), queryset=AssistanceType.objects.none()
    )
    # As the request form reads it: 12,500 or ๑๒๕๐๐ as well as 12500.
    amount = BahtField(
        label=_("Amount (baht)"),
        required=True,
        initial=Decimal("0"),
        widget=forms.TextInput(attrs=AMOUNT),
    )
    description = forms.CharField(label=_("What is given"), max_length=300, required=False)
    override_reason = forms.CharField(
        label=_("Why the cap is overridden"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self,
        *args: Any,
        people: QuerySet[Person],
        types: QuerySet[AssistanceType],
        may_override: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        person = self.fields["person"]
        kind = self.fields["assistance_type"]
        assert isinstance(person, forms.ModelChoiceField)
        assert isinstance(kind, forms.ModelChoiceField)
        person.queryset = people
        person.label_from_instance = lambda p: p.full_name  # type: ignore[method-assign,assignment]
        kind.queryset = types
        if not may_override:
            del self.fields["override_reason"]


class AssistanceGiveForm(forms.Form):
    given_on = ThaiDateField(label=_("Paid or handed over on"))
    evidence = forms.FileField(
        label=_("Evidence: a photo or a PDF"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*,application/pdf"}),
    )
    note = forms.CharField(label=_("Evidence (receipt no., note)"), max_length=300, required=False)


class AssistanceCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is cancelled"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
