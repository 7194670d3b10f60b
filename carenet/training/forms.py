"""Forms of the training pages. They parse what was typed; services decide.

Choices come from the user's own scope (selectors), so a form never offers a centre or an area
the user cannot act in; the services check again all the same.
"""

from datetime import datetime, time
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from carenet.accounts.access import Perm
from carenet.areas.models import Level
from carenet.core.forms import ThaiDateField, VersionField
from carenet.training import selectors
from carenet.training.criteria import COMMITTEE_CHOICES, TargetCriteria
from carenet.training.models import AwardStatus, Competency, EventKind, TrainingEvent
from carenet.training.services import AWARD_MOVES, EventData
from carenet.volunteers.models import Centre
from carenet.volunteers.selectors import area_options

LEVEL_INDENT = {Level.PROVINCE: "", Level.DISTRICT: "\u00a0\u00a0", Level.SUBDISTRICT: "\u00a0" * 5}


class EventForm(forms.Form):
    centre = forms.ModelChoiceField(
        label=_("Organising centre"), queryset=Centre.objects.none(), empty_label="—"
    )
    # "Title" alone is a person's title (คำนำหน้าชื่อ) in the catalogue: the event's own word.
    title = forms.CharField(label=capfirst(pgettext_lazy("event", "title")), max_length=300)
    kind = forms.ChoiceField(label=_("Kind"), choices=EventKind.choices)
    starts_on = ThaiDateField(label=_("First day"))
    ends_on = ThaiDateField(label=_("Last day"))
    venue = forms.CharField(label=_("Venue"), max_length=300)
    venue_area = forms.RegexField(
        label=_("Venue subdistrict code"),
        required=False,
        regex=r"^\d{6}$",
        error_messages={"invalid": _("A subdistrict code has 6 digits, e.g. 860101.")},
        help_text=_("The 6-digit subdistrict code (DOPA), e.g. 860101 for ต.ท่าตะเภา."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    budget = forms.DecimalField(
        label=_("Budget (baht)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    description = forms.CharField(
        label=_("Purpose"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    competencies = forms.ModelMultipleChoiceField(
        label=_("Competencies it grants"),
        queryset=Competency.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    attendance_rule = forms.IntegerField(
        label=_("Attendance needed (% of sessions)"), min_value=0, max_value=100, initial=80
    )
    signer_name = forms.CharField(label=_("Certificate signed by"), required=False, max_length=200)
    signer_position = forms.CharField(label=_("Signer's position"), required=False, max_length=300)
    # The target group
    target_area = forms.ChoiceField(label=_("Volunteers of"), required=False)
    committee = forms.ChoiceField(label=_("Committee level"), required=False)
    min_years = forms.IntegerField(
        label=_("At least this many years of service"), required=False, min_value=0, max_value=80
    )
    max_years = forms.IntegerField(
        label=_("Fewer than this many years of service"), required=False, min_value=1, max_value=80
    )
    lacks = forms.ModelChoiceField(
        label=_("Not yet holding the competency"),
        queryset=Competency.objects.all(),
        required=False,
        empty_label=_("any"),
        to_field_name="code",
    )
    untrained_fy = forms.IntegerField(
        label=_("Not trained in fiscal year (BE)"),
        required=False,
        min_value=2500,
        max_value=2700,
        help_text=_("Leave blank for everyone; e.g. 2568 keeps those with no training that year."),
    )
    version = VersionField(required=False)

    def __init__(self, *args: Any, user: Any, event: TrainingEvent | None = None, **kwargs: Any):
        if event is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(event)
        super().__init__(*args, **kwargs)
        centre_field = self.fields["centre"]
        assert isinstance(centre_field, forms.ModelChoiceField)
        centre_field.queryset = selectors.centre_options(user=user)
        options = area_options(user=user, perm=Perm.MANAGE_TRAINING)
        area_field = self.fields["target_area"]
        assert isinstance(area_field, forms.ChoiceField)
        area_field.choices = [
            ("", _("the whole area of the organising centre")),
            *[(a.code, LEVEL_INDENT.get(Level(a.level), "") + a.label) for a in options],
        ]
        wanted = str(self.data.get("target_area", "") or self.initial.get("target_area", ""))
        if (
            wanted.isdigit()
            and len(wanted) in (2, 4, 6)
            and wanted not in {a.code for a in options}
        ):
            # A wide scope lists no subdistricts; a link (the coverage report) may name one.
            # The service checks that it lies within the organiser's area.
            area_field.choices = [*area_field.choices, (wanted, wanted)]
        committee_field = self.fields["committee"]
        assert isinstance(committee_field, forms.ChoiceField)
        committee_field.choices = COMMITTEE_CHOICES

    @staticmethod
    def initial_from(event: TrainingEvent) -> dict[str, Any]:
        criteria = TargetCriteria.from_json(event.criteria or {"area": event.area_id})
        return {
            "centre": event.centre_id,
            "title": event.title,
            "kind": event.kind,
            "starts_on": event.starts_on,
            "ends_on": event.ends_on,
            "venue": event.venue,
            "venue_area": event.venue_area_id or "",
            "budget": event.budget,
            "description": event.description,
            "competencies": [c.pk for c in event.competencies.all()],
            "attendance_rule": event.attendance_rule,
            "signer_name": event.signer_name,
            "signer_position": event.signer_position,
            "target_area": "" if criteria.area == event.area_id else criteria.area,
            "committee": criteria.committee,
            "min_years": criteria.min_years,
            "max_years": criteria.max_years,
            "lacks": criteria.lacks or None,
            "untrained_fy": criteria.untrained_fy,
            "version": event.version,
        }

    def to_data(self) -> EventData:
        data = self.cleaned_data
        centre = data["centre"]
        lacks = data.get("lacks")
        criteria = TargetCriteria(
            area=data.get("target_area") or centre.area_id,
            committee=data.get("committee") or "",
            min_years=data.get("min_years"),
            max_years=data.get("max_years"),
            lacks=lacks.code if lacks else "",
            untrained_fy=data.get("untrained_fy"),
        )
        return EventData(
            centre=centre,
            title=data["title"],
            kind=data["kind"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            venue=data["venue"],
            venue_area=data.get("venue_area") or "",
            budget=data.get("budget"),
            description=data.get("description") or "",
            competencies=list(data.get("competencies") or []),
            attendance_rule=data["attendance_rule"],
            signer_name=data.get("signer_name") or "",
            signer_position=data.get("signer_position") or "",
            criteria=criteria,
        )


class SessionForm(forms.Form):
    title = forms.CharField(label=_("Session"), max_length=300)
    day = ThaiDateField(label=_("Day"))
    starts = forms.TimeField(
        label=_("Starts"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    ends = forms.TimeField(
        label=_("Ends"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    speakers = forms.CharField(label=_("Speakers"), required=False, max_length=500)
    agenda = forms.CharField(
        label=_("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    @staticmethod
    def initial_from(session: Any) -> dict[str, Any]:
        starts, ends = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
        return {
            "title": session.title,
            "day": starts.date(),
            "starts": starts.time(),
            "ends": ends.time(),
            "speakers": session.speakers,
            "agenda": session.agenda,
        }

    def moments(self) -> tuple[datetime, datetime]:
        day = self.cleaned_data["day"]

        def at(moment: time) -> datetime:
            return timezone.make_aware(datetime.combine(day, moment))

        return at(self.cleaned_data["starts"]), at(self.cleaned_data["ends"])


class InvitationFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("e.g. มาลี ศรีสุข")}),
    )
    status = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("", _("everyone on the list")),
            ("unsent", _("not sent yet")),
            ("invited", _("no answer yet")),
            ("confirmed", pgettext_lazy("invitation answers", "will attend")),
            ("declined", _("cannot attend")),
            ("by_hand", _("added by hand")),
        ],
    )

    def filters(self) -> dict[str, str]:
        if not self.is_bound or not self.is_valid():
            return {"search": "", "status": ""}
        return {"search": self.cleaned_data["q"], "status": self.cleaned_data["status"]}


class AwardForm(forms.Form):
    volunteer = forms.IntegerField(label=_("Volunteer"), widget=forms.HiddenInput)
    fiscal_year = forms.IntegerField(label=_("Year (BE)"), min_value=2500, max_value=2700)
    title = forms.CharField(label=_("Award"), max_length=200, initial="อพม. ดีเด่น")
    reason = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 4}))


class AwardMoveForm(forms.Form):
    to_status = forms.ChoiceField(choices=AwardStatus.choices)

    def __init__(self, *args: Any, status: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_status"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(s, label) for s, label in AwardStatus.choices if s in AWARD_MOVES[status]]
