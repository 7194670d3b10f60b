"""Form fields for Thai data: dates in either calendar and citizen IDs."""

from datetime import date, datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carenet.core import citizen_id, thaidate
from carenet.core.text import INVISIBLE


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
    """Accepts BE or CE dates as typed by people (see carenet.core.thaidate)."""

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
            return thaidate.parse(str(value))
        except thaidate.DateInputError as error:
            raise ValidationError(str(error), code="invalid") from None


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
