"""Form fields for Thai data: dates in either calendar and citizen IDs."""

import re
from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from carenet.core import citizen_id, thaidate
from carenet.core.text import INVISIBLE, THAI_DIGITS


class ThaiDateInput(forms.TextInput):
    """A text box, not the browser's date picker: the picker shows Gregorian years only."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        defaults = {"placeholder": _("dd/mm/yyyy"), "inputmode": "numeric", "autocomplete": "off"}
        super().__init__({**defaults, **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, date):
            return thaidate.format_numeric(value)
        return super().format_value(value)


class ThaiDateField(forms.DateField):
    """Accepts BE or CE dates as typed by people (see carenet.core.thaidate). On an English
    page a two-digit year is asked for in full: its reader may mean either calendar."""

    widget = ThaiDateInput

    def to_python(self, value: Any) -> date | None:
        if isinstance(value, str):
            value = value.strip()
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return (timezone.localtime(value) if timezone.is_aware(value) else value).date()
        if isinstance(value, date):
            return value
        try:
            return thaidate.parse(str(value), short_year_asked=not thaidate.is_thai())
        except thaidate.DateInputError as error:
            raise ValidationError(str(error), code="invalid") from None


# "หมู่ที่ 3", "หมู่ 3", "ม.3", "ม 3": the word some people type before the number.
_MOO_WORD = re.compile(r"^\s*(?:หมู่\s*ที่|หมู่|ม\s*\.|ม(?=\s*\d)|moo\.?|village)\s*", re.IGNORECASE)


class VersionField(forms.IntegerField):
    """The hidden version of the record a form was opened on (core.services.save_versioned).
    Only a tampered page sends something else: it is told, in the page's language."""

    widget = forms.HiddenInput
    default_error_messages = {
        "invalid": _("This page was changed before it was sent. Open it again."),
        "required": _("This page was changed before it was sent. Open it again."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("the page's version"))
        super().__init__(**kwargs)


class MooField(forms.IntegerField):
    """A village number (หมู่ที่), 1 to 99, typed alone or after its word, in Thai or Arabic
    digits. A text box, not a number box: a number box takes no Thai digits (๓)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 99)
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": 12}),
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str):
            value = _MOO_WORD.sub("", value.translate(THAI_DIGITS)).strip()
        return super().to_python(value)


class DateRangeForm(forms.Form):
    """A period typed as two dates, each in BE or CE and either one optional, the first and
    the last day included. A reversed range is refused, naming the start; `read_as` says how
    a date typed with a short year was read. Lists filter with `days_q`."""

    since = ThaiDateField(label=_("From"), required=False)
    until = ThaiDateField(label=_("To"), required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error(
                "until",
                _("The end date is before the start date (%(since)s). Swap them.")
                % {"since": thaidate.format_short(since)},
            )
        return cleaned

    def read_as(self) -> list[str]:
        """How a date typed with a short year was read ("01/11/69": 1 พ.ย. 2569)."""
        return dates_read_as(self, ("since", "until"))


def dates_read_as(form: forms.Form, names: tuple[str, ...]) -> list[str]:
    """How the dates typed in `names` with a short, no-calendar or Christian-era year were
    read ("01/11/69 was read as 1 พฤศจิกายน 2569.", "2026-11-01 was read as ..."), so that the
    reader sees which year was meant, in the Buddhist Era the pages show."""
    notes = []
    form.is_valid()  # a date typed right is read, whatever the other fields say
    for name in names:
        day = form.cleaned_data.get(name) if name not in form.errors else None
        typed = str(form.data.get(name, "")).translate(THAI_DIGITS)
        if day is None or str(day.year + thaidate.BE_OFFSET) in typed:
            continue
        notes.append(
            gettext("%(typed)s was read as %(date)s.")
            % {"typed": str(form.data[name]).strip(), "date": thaidate.format_long(day)}
        )
    return notes


def start_of(day: date) -> datetime:
    """The first moment of a day in Bangkok time (the active time zone)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def days_q(field: str, since: date | None, until: date | None) -> Q:
    """Rows whose moment `field` falls from the first moment of `since` to the last of
    `until`, in Bangkok time; either end may be open."""
    found = Q()
    if since:
        found &= Q(**{f"{field}__gte": start_of(since)})
    if until:
        found &= Q(**{f"{field}__lt": start_of(until + timedelta(days=1))})
    return found


class CitizenIDField(forms.CharField):
    """Thirteen digits with a valid check digit; dashes, spaces and Thai digits are accepted."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

    def to_python(self, value: Any) -> str:
        # What cannot be seen is not counted against the length (pasted from a chat).
        return str(super().to_python(value)).translate(INVISIBLE)

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        return citizen_id.normalize(value) if value else ""


def int_or_none(value: Any) -> int | None:
    """A whole number from a query string or a posted field; None for anything else."""
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class PreparedFilesField(forms.Field):
    """Several uploads at once, each checked and prepared by `prepare` (which raises a
    ValidationError with its reason); every bad file gets its own reason, and then none is
    kept. `too_many` is the message past `max_files`, with %(max)s and %(count)s."""

    widget = MultipleFileInput

    def __init__(
        self,
        *,
        prepare: Any,
        max_files: int,
        too_many: Any,
        accept: str,
        capture: str = "",
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.prepare, self.max_files, self.too_many = prepare, max_files, too_many
        self.widget.attrs["accept"] = accept
        if capture:
            self.widget.attrs["capture"] = capture

    def clean(self, value: Any) -> list[Any]:
        uploads = [f for f in (value or []) if f]
        if len(uploads) > self.max_files:
            raise ValidationError(self.too_many % {"max": self.max_files, "count": len(uploads)})
        prepared, reasons = [], []
        for upload in uploads:
            try:
                prepared.append(self.prepare(upload))
            except ValidationError as error:
                reasons.extend(error.messages)
        if reasons:
            raise ValidationError(reasons)
        return prepared


def show_service_errors(
    error: ValidationError, *page_forms: forms.Form, aliases: dict[str, str] | None = None
) -> None:
    """Puts a service's reasons beside the fields they name, on whichever of the page's forms
    holds that field; the rest go at the top of the first form. `aliases` maps a service's
    name for a field to the form's (longitude -> latitude, when one widget holds both)."""
    first = page_forms[0]
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            first.add_error(None, message)
        return
    for name, messages in error.message_dict.items():
        name = (aliases or {}).get(name, name)
        target = next((f for f in page_forms if name in f.fields), None)
        for message in messages:
            if target is None:
                first.add_error(None, message)
            else:
                target.add_error(name, message)


class FormIdField(forms.UUIDField):
    """The hidden id of a form filled on a phone, so that sending it twice (a weak signal, the
    browser sending again, a double tap) stores one record. A UUID, or None for anything else:
    nobody can correct a hidden field."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)

    def to_python(self, value: Any) -> Any:
        try:
            return super().to_python(value)
        except ValidationError:
            return None
