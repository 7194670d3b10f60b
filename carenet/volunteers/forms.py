"""Forms of the volunteer and centre pages. They parse what was typed; services decide.

Choices of areas come from the user's own scope (selectors), so a form never offers an area the
user cannot act in; the services check again all the same.
"""

from datetime import date
from itertools import groupby
from typing import Any

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carenet.areas.models import Level
from carenet.core import citizen_id as cid
from carenet.core.forms import CitizenIDField, MooField, ThaiDateField, VersionField
from carenet.core.people import TITLES, Sex, clean_name, title_in_name
from carenet.core.text import THAI_DIGITS
from carenet.volunteers import selectors, services
from carenet.volunteers.history import AGE_LABELS, CHANGE_KINDS, HistoryFilter
from carenet.volunteers.models import (
    NETWORK,
    STATUS_MOVES,
    OtherRole,
    Position,
    Volunteer,
    VolunteerStatus,
)
from carenet.volunteers.services import VolunteerData

LEVEL_INDENT = {Level.PROVINCE: "", Level.DISTRICT: "", Level.SUBDISTRICT: "\u00a0\u00a0\u00a0"}


class ChoicesForm(forms.Form):
    def _choice_field(self, name: str) -> forms.ChoiceField:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        return field


class VolunteerFilterForm(ChoicesForm):
    """The list's filters. Unless a status is chosen, the list shows the volunteers in the
    network (active and inactive): those who left or died are there for whoever asks."""

    EVERY_STATUS = "all"
    DEFAULTS: dict[str, Any] = {
        "search": "",
        "area_code": "",
        "status": NETWORK,
        "order": "",
        "households": "",
        "history": HistoryFilter(),
    }
    # The figures page's links: hidden, said above the list (history.HistoryFilter).
    HISTORY_FIELDS = ("on", "changed", "since", "until", "sex", "age")

    q = forms.CharField(
        label=_("Name, phone or citizen ID"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("e.g. มาลี ศรีสุข or 0812345678")}
        ),
    )
    area = forms.ChoiceField(label=_("Area"), required=False)
    village = forms.ChoiceField(label=_("Village"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("in the network")),
            (EVERY_STATUS, _("every status")),
            *VolunteerStatus.choices,
        ],
    )
    order = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("", _("subdistrict, then name")),
            ("name", _("name")),
            ("registered", _("latest registered first")),
            ("most_households", _("most households first")),
            ("fewest_households", _("fewest households first")),
        ],
    )
    # The active households each looks after (selectors.with_households).
    households = forms.ChoiceField(
        label=_("Households looked after"),
        required=False,
        choices=[
            ("", _("any number")),
            (selectors.NO_HOUSEHOLD, _("none")),
            (selectors.SOME_HOUSEHOLDS, _("one or more")),
            ("10", _("10 or more")),
            ("20", _("20 or more")),
            ("30", _("30 or more")),
        ],
    )

    on = ThaiDateField(required=False, widget=forms.HiddenInput)
    changed = forms.ChoiceField(
        required=False, choices=[("", ""), *CHANGE_KINDS.items()], widget=forms.HiddenInput
    )
    since = ThaiDateField(required=False, widget=forms.HiddenInput)
    until = ThaiDateField(required=False, widget=forms.HiddenInput)
    sex = forms.ChoiceField(
        required=False, choices=[("", ""), *Sex.choices], widget=forms.HiddenInput
    )
    age = forms.ChoiceField(
        required=False, choices=[("", ""), *AGE_LABELS.items()], widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options = selectors.area_options(user=user)
        choices = [(a.code, LEVEL_INDENT.get(Level(a.level), "") + a.label) for a in options]
        wanted = str(self.data.get("area", ""))
        if wanted and wanted not in {a.code for a in options}:
            # A link may name an area the select leaves out (a village, a subdistrict of a
            # national scope): offer it too, if it is the user's to see.
            extra = selectors.area_options_extra(user=user, code=wanted)
            if extra is not None:
                choices.append((extra.code, extra.label))
        self._choice_field("area").choices = [("", _("all my areas")), *choices]
        # Villages are offered once a subdistrict is chosen: a district has too many.
        villages = selectors.village_filter_options(user=user, subdistrict=wanted)
        if villages:
            self._choice_field("village").choices = [
                ("", _("every village")),
                *((v.code, v.label) for v in villages),
            ]
        else:
            del self.fields["village"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("changed") and not (cleaned.get("since") and cleaned.get("until")):
            self.add_error("changed", _("A change of status is looked for between two dates."))
        return cleaned

    def filters(self) -> dict[str, Any]:
        """The valid filters; a bad one is reported beside its field and left out."""
        if not self.is_bound:
            return dict(self.DEFAULTS)
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        status = data.get("status", "")
        return {
            "search": data.get("q", ""),
            "area_code": data.get("village") or data.get("area", ""),
            "status": {"": NETWORK, self.EVERY_STATUS: ""}.get(status, status),
            "order": data.get("order", ""),
            "households": data.get("households", ""),
            "history": HistoryFilter(
                on=data.get("on"),
                changed=data.get("changed", ""),
                since=data.get("since"),
                until=data.get("until"),
                sex=data.get("sex", ""),
                age=data.get("age", ""),
            ),
        }

    def history_errors(self) -> list[str]:
        """The reasons a figures link's hidden filters were left out (a link typed by hand)."""
        return [
            str(message) for name in self.HISTORY_FIELDS for message in self.errors.get(name, [])
        ]


class _CodeField(forms.RegexField):
    """A typed area code, in Arabic or Thai digits."""

    def to_python(self, value: Any) -> str:
        return str(super().to_python(value)).translate(THAI_DIGITS).strip()


def _subdistrict_field(user: Any, *, label: Any, required: bool) -> forms.Field:
    """A select of the subdistricts the user manages, grouped by district.

    A national scope holds thousands of subdistricts: it gets a box for the 6-digit code.
    """
    options = list(selectors.subdistrict_options(user=user)[: selectors.AREA_OPTION_LIMIT + 1])
    if len(options) > selectors.AREA_OPTION_LIMIT:
        return _CodeField(
            label=label,
            required=required,
            regex=r"^[0-9]{6}$",
            error_messages={"invalid": _("A subdistrict code has 6 digits, e.g. 860101.")},
            help_text=_("The 6-digit subdistrict code (DOPA), e.g. 860101."),
            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        )
    grouped: list[tuple[Any, Any]] = [("", "—")]
    for parent, areas in groupby(options, key=lambda a: a.parent):
        grouped.append((parent.label if parent else "", [(a.code, a.label) for a in areas]))
    return forms.ChoiceField(label=label, required=required, choices=grouped)


class VolunteerForm(ChoicesForm):
    """Registering (instance None) or editing a volunteer."""

    citizen_id = CitizenIDField(label=_("Citizen ID"))
    title = forms.CharField(
        label=_("Title"),
        max_length=40,
        widget=forms.TextInput(attrs={"list": "titles", "autocomplete": "off"}),
    )
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    sex = forms.ChoiceField(
        label=_("Sex"),
        required=False,
        choices=[("", _("as the title says")), *Sex.choices],
    )
    birth_date = ThaiDateField(label=_("Birth date"), required=False)
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
    )
    line_id = forms.CharField(label=_("LINE ID"), required=False, max_length=60)
    house_no = forms.CharField(label=_("House no."), required=False, max_length=20)
    address_moo = MooField(label=_("Village no. (หมู่ที่)"), required=False)
    address_area = forms.CharField(label=_("Home subdistrict"), required=False)
    area = forms.CharField(label=_("Subdistrict served"))
    villages = forms.MultipleChoiceField(
        label=_("Villages covered"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("Choose villages of the selected subdistrict."),
        },
    )
    registration_no = forms.CharField(
        label=_("Registration no."),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"placeholder": "123/2568", "autocomplete": "off"}),
    )
    registration_date = ThaiDateField(label=_("Registration date"), required=False)
    other_roles = forms.MultipleChoiceField(
        label=_("Other volunteer roles"),
        required=False,
        choices=OtherRole.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    # Shown once the first name is found to begin with a title (clean).
    keep_title = forms.BooleanField(required=False)
    version = VersionField(required=False)

    titles = TITLES
    title_asked = ""

    def __init__(self, *args: Any, user: Any, instance: Volunteer | None = None, **kwargs: Any):
        self.instance = instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(instance)
        super().__init__(*args, **kwargs)
        self.fields["area"] = _subdistrict_field(user, label=_("Subdistrict served"), required=True)
        # Choosing the subdistrict brings its villages in (htmx); without JavaScript the form
        # shows them after the first submit.
        self.fields["area"].widget.attrs.update(
            {
                "hx-get": reverse("volunteers:villages"),
                "hx-target": "#villages-choices",
                "hx-trigger": "change",
            }
        )
        self.fields["address_area"] = _subdistrict_field(
            user, label=_("Home subdistrict"), required=False
        )
        if instance is not None:
            # The stored ID is never put back in the page; an empty box keeps it.
            field = self.fields["citizen_id"]
            field.required = False
            field.help_text = _("Stored as %(masked)s. Leave empty to keep it.") % {
                "masked": cid.masked(instance.read_citizen_id())
            }
        else:
            del self.fields["version"]
        area_code = str(
            self.data.get("area", "") if self.is_bound else self.initial.get("area", "")
        )
        area_code = area_code.translate(THAI_DIGITS).strip()  # a code typed in Thai digits
        self._choice_field("villages").choices = [
            (v.code, v.label) for v in selectors.village_options(user=user, area_code=area_code)
        ]
        self.area_code = area_code

    @staticmethod
    def initial_from(volunteer: Volunteer) -> dict[str, Any]:
        return {
            "title": volunteer.title,
            "first_name": volunteer.first_name,
            "last_name": volunteer.last_name,
            "sex": volunteer.sex,
            "birth_date": volunteer.birth_date,
            "phone": volunteer.phone,
            "line_id": volunteer.line_id,
            "house_no": volunteer.house_no,
            "address_moo": volunteer.address_moo,
            "address_area": volunteer.address_area_id or "",
            "area": volunteer.area_id,
            "villages": [v.code for v in volunteer.villages.all()],
            "registration_no": volunteer.registration_no,
            "registration_date": volunteer.registration_date,
            "other_roles": list(volunteer.other_roles),
            "version": volunteer.version,
        }

    # Format checks run here too, so that a form shows every problem in one round; the
    # service runs the same checks again.
    def clean_phone(self) -> str:
        return services.check_phone(self.cleaned_data.get("phone") or "")

    def clean_registration_no(self) -> str:
        return services.check_registration_no(self.cleaned_data.get("registration_no") or "")

    def clean_birth_date(self) -> date | None:
        value = self.cleaned_data.get("birth_date")
        services.check_birth_date(value)
        return value

    def clean_registration_date(self) -> date | None:
        value = self.cleaned_data.get("registration_date")
        services.check_not_future(value)
        return value

    def clean_version(self) -> int:
        version = self.cleaned_data.get("version")
        if self.instance is not None and version is None:
            raise ValidationError(_("The page is out of date. Reload it and try again."))
        return version or 0

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self._ask_about_title(cleaned)
        return cleaned

    def _ask_about_title(self, cleaned: dict[str, Any]) -> None:
        """A title typed in the first-name box as well as in its own is saved twice
        ("นายนายแดง"), yet a name may begin like a title (นางนวล): ask, as the imports warn
        (core.people.title_in_name). A name already stored that way is not asked again."""
        first = clean_name(cleaned.get("first_name") or "")
        if self.instance is not None and first == self.instance.first_name:
            return
        self.title_asked = said = title_in_name(first)
        if not said or cleaned.get("keep_title"):
            return
        self.add_error(
            "first_name",
            ValidationError(
                _(
                    "The first name starts with “%(title)s”. If that is the title, take it "
                    "out of the first name: the title has its own box. If the name really "
                    "begins so, tick the box below."
                ),
                code="title_in_name",
                params={"title": said},
            ),
        )

    def to_data(self) -> VolunteerData:
        data = self.cleaned_data
        return VolunteerData(
            citizen_id=data.get("citizen_id") or "",
            title=data["title"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            area_code=data["area"],
            village_codes=tuple(data.get("villages") or ()),
            birth_date=data.get("birth_date"),
            sex=data.get("sex") or "",
            phone=data.get("phone") or "",
            line_id=data.get("line_id") or "",
            house_no=data.get("house_no") or "",
            address_moo=data.get("address_moo"),
            address_area_code=data.get("address_area") or "",
            registration_no=data.get("registration_no") or "",
            registration_date=data.get("registration_date"),
            other_roles=tuple(data.get("other_roles") or ()),
        )


class UndoStatusForm(forms.Form):
    """Takes back the last status change (services.volunteer_undo_status)."""

    change = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("What was recorded by mistake"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class StatusForm(ChoicesForm):
    to_status = forms.ChoiceField(label=_("New status"), widget=forms.RadioSelect)
    effective_date = ThaiDateField(label=_("Date of the change"))
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    # The status the page was shown with: another tab or person may have changed it since.
    from_status = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, volunteer: Volunteer, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial", {"effective_date": timezone.localdate(), "from_status": volunteer.status}
        )
        super().__init__(*args, **kwargs)
        self.volunteer = volunteer
        allowed = STATUS_MOVES.get(volunteer.status, set())
        self._choice_field("to_status").choices = [
            (value, label) for value, label in VolunteerStatus.choices if value in allowed
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        shown = cleaned.get("from_status")
        if shown and shown != self.volunteer.status:
            self.errors.pop("to_status", None)  # the choices shown were for the old status
            # Shown again with the new status, so that the next choice is checked against it.
            # A QueryDict again, not a dict of one, which would hold each value as its list
            # and show it back so ("['30/11/2569']").
            data = QueryDict(mutable=True)
            data.update(self.data)
            data["from_status"] = self.volunteer.status
            self.data = data
            raise forms.ValidationError(
                _(
                    "While this page was open, the status was changed to “%(status)s”. "
                    "Check the status shown above, then choose again."
                )
                % {"status": self.volunteer.get_status_display()},
                code="conflict",
            )
        return cleaned


class AccountForm(forms.Form):
    """A new login for the volunteer, or (the username of one made already, `link` once the
    coordinator has read what linking does) an existing account linked to them. The password
    is the service's to require: a linked account keeps its own."""

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Needed for a new login (one made already keeps its own): at least 10 "
            "characters. Give it to the volunteer in person."
        ),
    )
    link = forms.BooleanField(required=False, widget=forms.HiddenInput)


class PasswordSetForm(SetPasswordForm):
    """A new password for a volunteer's login, typed twice and checked by the password
    validators (the service checks again). Django's form, for its translated messages; the
    service saves it, not the form."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = _(
            "At least 10 characters. Give it to the volunteer in person."
        )


class SeatForm(forms.Form):
    volunteer = forms.ModelChoiceField(
        label=_("Volunteer"),
        queryset=Volunteer.objects.none(),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a volunteer: search for them, then pick one."),
            "invalid_choice": _("Choose an active volunteer of this centre's area."),
        },
    )
    position = forms.ChoiceField(label=_("Position"), choices=Position.choices)
    term_start = ThaiDateField(label=_("Term starts"))
    term_end = ThaiDateField(label=_("Term ends"), required=False)

    def __init__(self, *args: Any, centre: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"term_start": timezone.localdate()})
        super().__init__(*args, **kwargs)
        # Any active volunteer of the area is accepted; the page shows only search results.
        self.fields["volunteer"].queryset = selectors.seat_candidates(centre=centre)  # type: ignore[attr-defined]


class SeatEndForm(forms.Form):
    term_end = ThaiDateField(label=_("Term ends on"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"term_end": timezone.localdate()})
        super().__init__(*args, **kwargs)


class CentreCreateForm(forms.Form):
    area = forms.RegexField(regex=r"^\d{2}(\d{2})?(\d{2})?$")


class CentrePhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Centre's phone"),
        required=False,
        max_length=20,
        help_text=_("Its volunteers see it on their own page. Leave empty to take it off."),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
    )

    def clean_phone(self) -> str:
        return services.check_phone(self.cleaned_data.get("phone") or "")
