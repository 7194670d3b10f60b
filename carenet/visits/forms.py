"""Forms of the field-work pages: they parse what was typed; the services decide the rest.

The visit form is filled on a cheap phone: big radio buttons and checkboxes, plain text boxes
with numeric keyboards, a date in either calendar, and photos from the camera. Photos are
shrunk here (photos.py) so that a bad file gets its reason beside the photo field, with
everything else the volunteer typed kept on the page and in the draft.
"""

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carenet.core import thaidate
from carenet.core.forms import (
    FormIdField,
    PreparedFilesField,
    ThaiDateField,
    show_service_errors,
)
from carenet.core.thaidate import THAI_DIGITS
from carenet.households.cleaning import clean_gps
from carenet.households.models import Household, Person
from carenet.households.services import person_is_restricted
from carenet.visits import photos, services
from carenet.visits.models import ConcernStatus, ProblemArea, RiskLevel, VisitType
from carenet.volunteers.models import Volunteer

NUMERIC = {"inputmode": "numeric", "autocomplete": "off"}
# Where a service's reason about a stored name belongs on this form.
SERVICE_FIELDS = {"visited_at": "visit_date", "longitude": "latitude"}


class ThaiTimeField(forms.TimeField):
    """14:30, 14.30, 1430 or 14.30 น., in Thai or Arabic digits. "14.3" is half past two, as
    a number of hours with one decimal reads, not 14.03."""

    default_error_messages = {
        "invalid": _("Write the time as hours and minutes, from 00.00 to 23.59, for example 14.30.")
    }

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = value.translate(THAI_DIGITS).replace("น.", "").replace("น", "").strip()
            if re.fullmatch(r"\d{1,2}[.:]\d", value):
                value += "0"
        return super().to_python(value)


class MembersField(forms.TypedMultipleChoiceField):
    """The members seen. Also takes the household's people who left the list while the form
    was open (consent withdrawn, moved away, died: `left_out`), so that the form names them
    and says why, instead of refusing an unknown choice by its number."""

    left_out: dict[int, Person]

    def valid_value(self, value: Any) -> bool:
        try:
            if int(value) in getattr(self, "left_out", {}):
                return True
        except (TypeError, ValueError):
            pass
        return super().valid_value(value)


@dataclass(frozen=True)
class ProblemGroup:
    area: ProblemArea
    checkboxes: list[Any]  # BoundWidgets of the `problems` field
    chosen: int


def problem_groups(field: forms.BoundField, areas: Sequence[ProblemArea]) -> list[ProblemGroup]:
    """A `problems` field's checkboxes under their area, in the ministry's order (visit and
    case forms)."""
    by_code = {str(w.data["value"]): w for w in field}
    chosen = {str(v) for v in (field.value() or [])}
    return [
        ProblemGroup(
            area,
            [by_code[i.code] for i in area.items.all() if i.code in by_code],
            sum(1 for i in area.items.all() if i.code in chosen),
        )
        for area in areas
    ]


def read_position(form: forms.Form, cleaned: dict[str, Any]) -> None:
    """The phone's GPS position from the hidden latitude/longitude fields, as cleaned["gps"];
    a position that cannot be read is an error on the form."""
    try:
        cleaned["gps"] = clean_gps(cleaned.get("latitude"), cleaned.get("longitude"))
    except ValidationError:
        form.add_error("latitude", _("The position from the phone could not be read; try again."))


class VisitForm(forms.Form):
    # The form's id, so that sending it twice stores one visit; a page that lost it (an old
    # browser, an edited page) is still saved, as a visit of its own.
    client_uuid = FormIdField()
    # When and for whom the form was drawn, signed (late.py): a visit begun before the
    # volunteer lost the household is still recorded.
    opened = forms.CharField(required=False, widget=forms.HiddenInput)
    visit_date = ThaiDateField(label=_("date of the visit"))
    # A text box, not the browser's time picker: pickers follow the phone's locale (12-hour
    # with AM/PM on many), and Thai people write 14.30 as often as 14:30.
    visit_time = ThaiTimeField(
        label=_("time"),
        input_formats=["%H:%M", "%H.%M", "%H%M", "%H:%M:%S"],
        widget=forms.TimeInput(
            format="%H:%M",
            attrs={
                "inputmode": "decimal",
                "autocomplete": "off",
                "maxlength": 8,
                "placeholder": "14.30",
            },
        ),
    )
    visit_type = forms.ChoiceField(
        label=_("type of visit"), choices=VisitType.choices, widget=forms.RadioSelect
    )
    members_seen = MembersField(
        label=_("members seen"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    co_volunteers = forms.TypedMultipleChoiceField(
        label=_("volunteers who came along"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    observations = forms.CharField(
        label=_("observations"),
        required=False,
        max_length=services.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What you saw and heard: health, the house, money, how the family gets on."),
    )
    problems = forms.MultipleChoiceField(
        label=_("problems found"), required=False, widget=forms.CheckboxSelectMultiple
    )
    risk_level = forms.ChoiceField(
        label=_("risk"), choices=RiskLevel.choices, widget=forms.RadioSelect
    )
    raise_concern = forms.BooleanField(
        label=_("Raise a concern: ask the centre to help"), required=False
    )
    concern_summary = forms.CharField(
        label=_("what is wrong, in a few words"),
        required=False,
        max_length=services.MAX_SUMMARY,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    needs = forms.CharField(
        label=_("needs"),
        required=False,
        max_length=services.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What help the household needs, and from whom."),
    )
    duration_minutes = forms.IntegerField(
        label=_("minutes spent"),
        min_value=1,
        max_value=services.MAX_MINUTES,
        widget=forms.TextInput(attrs={**NUMERIC, "maxlength": 3, "size": 4}),
    )
    latitude = forms.CharField(label=_("location"), required=False, widget=forms.HiddenInput)
    longitude = forms.CharField(required=False, widget=forms.HiddenInput)
    photos = PreparedFilesField(
        label=_("photos"),
        prepare=photos.photo_prepare,
        max_files=photos.MAX_PHOTOS,
        too_many=_("At most %(max)s photos for one visit; you chose %(count)s."),
        accept="image/*",
        capture="environment",
    )

    def __init__(
        self,
        *args: Any,
        household: Household,
        areas: Sequence[ProblemArea],
        members: Sequence[Person],
        volunteers: Sequence[Volunteer],
        left_out: Sequence[Person] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.household = household
        self.areas = list(areas)
        self._choices("members_seen", [(p.pk, p.full_name) for p in members])
        cast(MembersField, self.fields["members_seen"]).left_out = {p.pk: p for p in left_out}
        self._choices("co_volunteers", [(v.pk, v.full_name) for v in volunteers])
        self._choices(
            "problems", [(i.code, i.name) for area in self.areas for i in area.items.all()]
        )

    def _choices(self, name: str, choices: list[tuple[Any, str]]) -> None:
        cast(forms.ChoiceField, self.fields[name]).choices = choices

    @staticmethod
    def initial_for(household: Household, now: datetime | None = None) -> dict[str, Any]:
        """A new visit: now, a type that fits the household's history, normal risk."""
        local = timezone.localtime(now or timezone.now())
        if household.last_visit_at is None:
            visit_type = VisitType.SCREENING
        elif household.current_risk in (RiskLevel.URGENT, RiskLevel.WATCH):
            visit_type = VisitType.FOLLOW_UP
        else:
            visit_type = VisitType.ROUTINE
        return {
            "client_uuid": uuid.uuid4(),
            "visit_date": local.date(),
            "visit_time": local.time().replace(second=0, microsecond=0),
            "visit_type": visit_type,
            "risk_level": RiskLevel.NORMAL,
            "raise_concern": True,
            "duration_minutes": 30,
        }

    @classmethod
    def initial_from_draft(
        cls, data: Mapping[str, Any], defaults: dict[str, Any]
    ) -> dict[str, Any]:
        """The draft as the form's initial values: shown as typed, checked only on submit."""
        initial = dict(defaults)
        for name, field in cls.base_fields.items():
            if name == "photos":
                continue
            if isinstance(field, forms.BooleanField):
                # An unticked checkbox is absent from what the browser sends.
                initial[name] = bool(data.get(name))
            elif name in data:
                value = data[name]
                if isinstance(field, forms.MultipleChoiceField):
                    initial[name] = value if isinstance(value, list) else [value]
                else:
                    initial[name] = value[-1] if isinstance(value, list) and value else value
        return initial

    def clean_members_seen(self) -> list[int]:
        chosen = self.cleaned_data["members_seen"]
        left_out = cast(MembersField, self.fields["members_seen"]).left_out
        gone = [left_out[pk] for pk in chosen if pk in left_out]
        if gone:
            raise ValidationError([_why_not_seen(person) for person in gone])
        return chosen

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day, at = cleaned.get("visit_date"), cleaned.get("visit_time")
        if day is not None and at is not None:
            visited_at = timezone.make_aware(datetime.combine(day, at))
            try:
                cleaned["visited_at"] = services.visit_clean_time(visited_at)
            except ValidationError as error:
                self.add_error("visit_date", error.message_dict["visited_at"])
        read_position(self, cleaned)
        return cleaned

    def when_fields(self) -> list[forms.BoundField]:
        return [self["visit_date"], self["visit_time"]]

    def problem_groups(self) -> list[ProblemGroup]:
        return problem_groups(self["problems"], self.areas)

    def to_data(self, answers: Mapping[int, bool | None] | None = None) -> services.VisitData:
        data = self.cleaned_data
        latitude, longitude = data["gps"]
        return services.VisitData(
            visited_at=data["visited_at"],
            visit_type=data["visit_type"],
            risk_level=data["risk_level"],
            observations=data["observations"],
            needs=data["needs"],
            duration_minutes=data["duration_minutes"],
            co_volunteer_ids=data["co_volunteers"],
            member_ids=data["members_seen"],
            problem_codes=data["problems"],
            latitude=latitude,
            longitude=longitude,
            client_uuid=data["client_uuid"],
            raise_concern=data["raise_concern"],
            concern_summary=data["concern_summary"],
            answers=answers or None,
            photos=data["photos"],
        )

    def show_service_errors(self, error: ValidationError) -> None:
        show_service_errors(error, self, aliases=SERVICE_FIELDS)


def _why_not_seen(person: Person) -> str:
    """Why a person ticked as seen can no longer be recorded, naming them."""
    if person_is_restricted(person):
        withdrawn = max(c.withdrawn_on for c in person.consents.all() if c.withdrawn_on)
        return str(
            _(
                "%(name)s withdrew their consent (recorded on %(date)s): nothing new may be "
                "recorded about them. They are taken off the members seen; take out anything "
                "you wrote about them, then save the visit again."
            )
        ) % {"name": person.full_name, "date": thaidate.format_short(withdrawn)}
    return str(
        _(
            "%(name)s is no longer recorded as living in this household (%(status)s). They "
            "are taken off the members seen; save the visit again."
        )
    ) % {"name": person.full_name, "status": person.get_status_display()}


class AcknowledgeForm(forms.Form):
    comment = forms.CharField(
        label=_("comment for the volunteer"),
        required=False,
        max_length=services.MAX_ACKNOWLEDGEMENT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("A few words: thanks, advice, or what the centre will do."),
    )
    # The acknowledgement the page showed (services.acknowledgement_stamp): another one saved
    # meanwhile is shown to the user instead of being replaced unseen.
    seen = forms.CharField(required=False, widget=forms.HiddenInput)


class ConcernHandleForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(ConcernStatus.ACKNOWLEDGED, _("seen")), (ConcernStatus.CLOSED, _("close")),
                 (ConcernStatus.OPEN, _("open again"))],
        widget=forms.HiddenInput,
    )  # fmt: skip
    note = forms.CharField(
        label=_("note"),
        required=False,
        max_length=services.MAX_SUMMARY,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
