"""Forms of the cases pages: they parse what was typed; the services decide the rest.

The intake form follows the ministry's request app, in its order, on one phone column: the
person, who asks, addresses, requester types, the kind of problem and the problems found,
the help wanted, welfare already received, the consent signature, photos and documents, and
the position. Nothing is required to save a draft beyond the person and the kind of problem
(a case row needs both); filing checks the rest (intake.case_file).
"""

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from carenet.cases import intake
from carenet.cases.models import (
    Case,
    CaseCategory,
    CaseDocument,
    CaseSource,
    RequesterKind,
    RequesterType,
)
from carenet.cases.selectors import CaseFilters
from carenet.core.forms import (
    DateRangeForm,
    FormIdField,
    PreparedFilesField,
    VersionField,
    show_service_errors,
)
from carenet.core.signature import SignatureField
from carenet.core.thaidate import THAI_DIGITS
from carenet.households.models import Person
from carenet.visits.forms import ProblemGroup, problem_groups, read_position
from carenet.visits.models import ProblemArea

NUMERIC = {"inputmode": "numeric", "autocomplete": "off"}

# Which form fields each commentable part of a request covers (workflow.COMMENTABLE_FIELDS).
COMMENT_TARGETS: dict[str, tuple[str, ...]] = {
    "person": ("person",),
    "requester": ("requester_kind", "requester_name", "requester_relation", "requester_phone"),
    "registered_address": ("registered_address",),
    "requester_types": ("requester_types",),
    "category": ("category",),
    "problems": ("problems",),
    "help_wanted": ("help_wanted",),
    "amount_requested": ("amount_requested",),
    "welfare": ("welfare_count", "welfare_baht", "welfare_types"),
    "consent": ("signature", "consent_witness"),
    "documents": ("documents",),
    "location": ("latitude",),
}


_PLAIN_AMOUNT = re.compile(r"\d+(?:\.\d*)?|\.\d+")
# Thousands as people group them: 12,500 or 1,250,000.50 (not 1,2,3, a slip of the finger).
_GROUPED_AMOUNT = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d*)?")


class BahtField(forms.DecimalField):
    """Baht as people type it: 1,500 or ๑๕๐๐ or 1500.50; 0 to 1,000,000."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", Decimal(0))
        kwargs.setdefault("max_value", intake.MAX_AMOUNT)
        kwargs.setdefault("max_digits", 10)
        kwargs.setdefault("decimal_places", 2)
        # Not autocomplete="off": a browser then clears the amount on Back, and the request
        # saved again no longer matches the draft it repeats (intake.TWIN_WINDOW).
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "maxlength": 14})
        )
        super().__init__(**kwargs)
        if self.max_value is not None:  # 1,000,000 as people read it, not 1000000
            self.error_messages["max_value"] = format_lazy(
                _("An amount is at most {limit} baht."), limit=f"{self.max_value:,.0f}"
            )

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = value.translate(THAI_DIGITS).replace("บาท", "").strip()
            if _GROUPED_AMOUNT.fullmatch(value):
                value = value.replace(",", "")
            if value and not _PLAIN_AMOUNT.fullmatch(value):  # 1e5 would be 100,000
                raise ValidationError(_("Write an amount in baht, e.g. 3000."), code="invalid")
        try:
            return super().to_python(value)
        except (ValidationError, InvalidOperation):
            raise ValidationError(
                _("Write an amount in baht, e.g. 3000."), code="invalid"
            ) from None


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        category = cast(CaseCategory, obj)
        name = category.name_en if (get_language() or "th").startswith("en") else category.name_th
        return f"{name} ⚡" if category.urgency == "urgent" else name


class IntakeForm(forms.Form):
    version = VersionField(required=False)
    # Sent again after a lost reply (the browser resends, the user reloads): the same request.
    client_uuid = FormIdField()
    source = forms.ChoiceField(
        label=_("where the case came from"),
        choices=CaseSource.choices,
        widget=forms.RadioSelect,
    )
    person = forms.TypedChoiceField(
        label=_("the person who needs help"), coerce=int, widget=forms.RadioSelect
    )
    requester_kind = forms.ChoiceField(
        label=_("who is asking"),
        choices=RequesterKind.choices,
        initial=RequesterKind.SELF,
        required=False,  # not sent: the person themselves
        widget=forms.RadioSelect,
    )
    requester_name = forms.CharField(
        label=_("name of the person asking"), required=False, max_length=200
    )
    requester_relation = forms.CharField(
        label=_("relation to the person"),
        required=False,
        max_length=100,
        help_text=_("e.g. daughter, neighbour, carer"),
    )
    requester_phone = forms.CharField(
        label=_("phone"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    requester_types = forms.MultipleChoiceField(
        label=_("the person is"),
        choices=RequesterType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    registered_address = forms.CharField(
        label=_("address in the house registration"),
        required=False,
        max_length=intake.MAX_ADDRESS,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Leave blank if it is the same as the current address."),
    )
    category = CategoryChoiceField(
        label=_("kind of problem"),
        queryset=CaseCategory.objects.filter(active=True),
        empty_label=_("— choose —"),
        error_messages={"required": _("Choose the kind of problem.")},
    )
    problems = forms.MultipleChoiceField(
        label=_("problems found"), required=False, widget=forms.CheckboxSelectMultiple
    )
    help_wanted = forms.CharField(
        label=_("help wanted"),
        required=False,
        max_length=intake.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the person asks for, in their words."),
    )
    amount_requested = BahtField(label=_("amount asked for (baht)"))
    welfare_count = forms.IntegerField(
        label=_("times helped"),
        required=False,
        min_value=0,
        max_value=intake.MAX_WELFARE_COUNT,
        widget=forms.TextInput(attrs={**NUMERIC, "maxlength": 2, "size": 3}),
    )
    welfare_baht = BahtField(label=_("baht received"))
    welfare_types = forms.CharField(
        label=_("kinds of help received"),
        required=False,
        max_length=300,
        help_text=_("e.g. emergency cash aid 3,000 baht, survival kit"),
    )
    signature = SignatureField(
        label=_("signature of the person who needs help, or of whoever asks on their behalf"),
        required=False,
    )
    consent_witness = forms.CharField(
        label=_("who heard them consent (name, and how they are related)"),
        required=False,
        max_length=200,
        help_text=_(
            "For a person who cannot sign (blind, cannot hold a pen, too ill): read them the "
            "text above; they consent by word or by a mark, before someone other than you."
        ),
    )
    documents = PreparedFilesField(
        label=_("photos and documents"),
        prepare=intake.document_prepare,
        max_files=intake.MAX_FILES_AT_ONCE,
        too_many=_("At most %(max)s files at once; you chose %(count)s."),
        accept="image/*,application/pdf,.pdf",
    )
    remove_documents = forms.TypedMultipleChoiceField(
        label=_("remove"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    latitude = forms.CharField(label=_("location"), required=False, widget=forms.HiddenInput)
    longitude = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        members: Sequence[Person],
        areas: Sequence[ProblemArea],
        officer: bool,
        documents: Sequence[CaseDocument] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.areas = list(areas)
        self.officer = officer
        self.existing_documents = list(documents)
        # An open request like this one, found on sending: the page asks before filing it.
        self.open_request: Case | None = None
        self.kept = False  # what a failed send typed was saved in the draft (views_intake)
        self._choices("person", [(p.pk, p.full_name) for p in members])
        self._choices(
            "problems", [(i.code, i.name) for area in self.areas for i in area.items.all()]
        )
        self._choices("remove_documents", [(d.pk, d.title or str(d.pk)) for d in documents])
        if not officer:
            # A volunteer's request always comes from a volunteer.
            del self.fields["source"]

    def _choices(self, name: str, choices: list[tuple[Any, str]]) -> None:
        cast(forms.ChoiceField, self.fields[name]).choices = choices

    @staticmethod
    def initial_for_case(case: Case) -> dict[str, Any]:
        return {
            "version": case.version,
            "source": case.source,
            "person": case.person_id,
            "requester_kind": case.requester_kind,
            "requester_name": case.requester_name,
            "requester_relation": case.requester_relation,
            "requester_phone": case.requester_phone,
            "requester_types": list(case.requester_types or []),
            "registered_address": case.registered_address,
            "category": case.category_id,
            "problems": [p.code for p in case.problems.all()],
            "help_wanted": case.help_wanted,
            "amount_requested": case.amount_requested,
            "welfare_count": case.welfare_count,
            "welfare_baht": case.welfare_baht,
            "welfare_types": case.welfare_types,
            "consent_witness": case.consent_witness,
            "latitude": "" if case.latitude is None else str(case.latitude),
            "longitude": "" if case.longitude is None else str(case.longitude),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        read_position(self, cleaned)
        return cleaned

    def problem_groups(self) -> list[ProblemGroup]:
        return problem_groups(self["problems"], self.areas)

    def document_rows(self) -> list[tuple[CaseDocument, Any]]:
        """The attached documents, each with its "remove" checkbox."""
        boxes = {str(w.data["value"]): w for w in self["remove_documents"]}
        return [(d, boxes.get(str(d.pk))) for d in self.existing_documents]

    def to_data(self, *, visit_id: int | None = None, concern_id: int | None = None) -> Any:
        data = self.cleaned_data
        latitude, longitude = data.get("gps") or (None, None)
        category = data.get("category")
        return intake.RequestData(
            person_id=data.get("person"),
            category_code=category.code if category is not None else None,
            source=data.get("source") or CaseSource.VOLUNTEER,
            requester_kind=data.get("requester_kind") or RequesterKind.SELF,
            requester_name=data.get("requester_name", ""),
            requester_relation=data.get("requester_relation", ""),
            requester_phone=data.get("requester_phone", ""),
            requester_types=data.get("requester_types") or [],
            registered_address=data.get("registered_address", ""),
            problem_codes=data.get("problems") or [],
            help_wanted=data.get("help_wanted", ""),
            amount_requested=data.get("amount_requested"),
            welfare_count=data.get("welfare_count"),
            welfare_baht=data.get("welfare_baht"),
            welfare_types=data.get("welfare_types", ""),
            signature=data.get("signature") or None,
            consent_witness=data.get("consent_witness", ""),
            documents=data.get("documents") or [],
            remove_document_ids=data.get("remove_documents") or [],
            latitude=latitude,
            longitude=longitude,
            visit_id=visit_id,
            concern_id=concern_id,
            client_uuid=data.get("client_uuid"),
        )

    def show_service_errors(self, error: ValidationError) -> None:
        show_service_errors(error, self, aliases={"longitude": "latitude"})


# --- Periods of the lists -----------------------------------------------------------------------


class CasePeriodForm(DateRangeForm):
    """The case list's period: the cases submitted, or closed, from one day to another."""

    field_order = ("period", "since", "until")
    period = forms.ChoiceField(
        label=_("Dates of"),
        required=False,
        choices=[
            ("submitted", _("submitting")),
            ("decided", _("the province's decision (accepted or declined)")),
            ("closed", _("closing")),
        ],
    )

    def filters(self, base: CaseFilters) -> CaseFilters | None:
        """`base` with the period; None while a date is typed wrong (nothing is listed)."""
        if not self.is_valid():
            return None
        data = self.cleaned_data
        return base.with_period(data.get("period") or "", data.get("since"), data.get("until"))
