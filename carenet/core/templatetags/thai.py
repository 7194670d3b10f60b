"""Template filters for Thai dates: {{ day|be_date }} -> 26 ก.พ. 2568.

Like Django's own `date` filter they show nothing for a value that is not a date (None, or ""
from a missing variable) instead of failing the whole page.
"""

from collections.abc import Callable
from datetime import date

from django import template
from django.forms import BaseForm, BoundField
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from carenet.core import citizen_id, thaidate
from carenet.core.people import phone_shown

register = template.Library()


def _date_filter(name: str, format_date: Callable[[date], str]) -> None:
    def show(value: object) -> str:
        return format_date(value) if isinstance(value, date) else ""

    register.filter(name, show)


_date_filter("be_date", thaidate.format_short)
_date_filter("be_long", thaidate.format_long)
_date_filter("be_numeric", thaidate.format_numeric)
_date_filter("be_datetime", thaidate.format_datetime)


@register.simple_tag
def be_now() -> str:
    """The time now, as be_datetime shows it (a printed page says when it was printed)."""
    return thaidate.format_datetime(timezone.now())


@register.filter
def citizen_id_masked(value: object) -> str:
    return citizen_id.masked(value) if isinstance(value, str) else ""


@register.filter
def card_no_shown(value: object) -> str:
    """A card number as a page shows it: masked like a citizen ID when it is one (the
    disability card carries its holder's ID), as typed otherwise."""
    if not isinstance(value, str):
        return ""
    return citizen_id.masked(citizen_id.normalize(value)) if citizen_id.is_valid(value) else value


@register.filter
def thai_phone(value: object) -> str:
    return phone_shown(value) if isinstance(value, str) else ""


# A word longer than this may still break: kept whole, it would widen a phone's page.
_WHOLE_WORD = 24


@register.filter
def name_words(value: object) -> str:
    """A name that wraps only between its words: Thai line breaking would otherwise cut a
    surname at a word it contains ("ธน|ประทีป") in a narrow column."""
    words = str(value or "").split()
    return mark_safe(  # noqa: S308 - every word is escaped
        " ".join(
            f'<span class="nobr">{escape(w)}</span>' if len(w) <= _WHOLE_WORD else escape(w)
            for w in words
        )
    )


@register.filter
def has_field_errors(form: object) -> bool:
    """Whether a bound form has errors beside its fields (not only the form-wide ones)."""
    errors = getattr(form, "errors", {}) or {}
    return any(name != "__all__" for name in errors)


@register.inclusion_tag("core/_error_summary.html")
def error_summary(*forms: object, note: str = "", testid: str = "form-error") -> dict[str, object]:
    """The box at the top of a form sent back with errors: the form-wide reasons, then each
    field's reason as a link to the field. static/js/form-errors.js gives it the focus, so a
    keyboard or screen-reader user starts there. Takes forms, or lists of forms; anything else
    (a variable the page does not have) is left out."""
    flat = [f for item in forms for f in (item if isinstance(item, list) else [item])]
    failed = [f for f in flat if isinstance(f, BaseForm) and f.is_bound and f.errors]
    general = [e for f in failed for e in f.non_field_errors()]
    fields = [
        {"href": _field_id(bf), "label": bf.label, "message": message}
        for f in failed
        for bf in f
        for message in bf.errors
    ]
    return {
        "failed": bool(failed),
        "general": general,
        "fields": fields,
        "note": note,
        "testid": testid,
    }


def _field_id(field: BoundField) -> str:
    """Where a link to the field goes: its input, a group's first choice; none when hidden."""
    if field.is_hidden:
        return ""
    return field.id_for_label or (field.subwidgets[0].id_for_label if field.subwidgets else "")
