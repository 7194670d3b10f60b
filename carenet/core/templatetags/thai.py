"""Template filters for Thai dates: {{ day|be_date }} -> 26 ก.พ. 2568.

Like Django's own `date` filter they show nothing for a value that is not a date (None, or ""
from a missing variable) instead of failing the whole page.
"""

from collections.abc import Callable
from datetime import date

from django import template

from carenet.core import citizen_id, thaidate

register = template.Library()


def _date_filter(name: str, format_date: Callable[[date], str]) -> None:
    def show(value: object) -> str:
        return format_date(value) if isinstance(value, date) else ""

    register.filter(name, show)


_date_filter("be_date", thaidate.format_short)
_date_filter("be_long", thaidate.format_long)
_date_filter("be_numeric", thaidate.format_numeric)
_date_filter("be_datetime", thaidate.format_datetime)


@register.filter
def citizen_id_masked(value: object) -> str:
    return citizen_id.masked(value) if isinstance(value, str) else ""


@register.filter
def thai_phone(value: object) -> str:
    """Stored digits grouped the way Thai numbers are written: mobiles 081-234-5678,
    Bangkok lines 02-123-4567, provincial lines 077-511-234; anything else as stored."""
    digits = value if isinstance(value, str) else ""
    if not (digits.isascii() and digits.isdigit()):
        return digits
    if len(digits) == 10:
        return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    if len(digits) == 9 and digits.startswith("02"):
        return f"{digits[:2]}-{digits[2:5]}-{digits[5:]}"
    if len(digits) == 9:
        return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    return digits
