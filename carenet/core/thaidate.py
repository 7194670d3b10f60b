"""Dates the Thai way: stored Gregorian, shown in Buddhist Era (พ.ศ.), typed in either.

Showing: `short` gives "26 ก.พ. 2568", `numeric` "26/02/2568", `long` "26 กุมภาพันธ์ 2568".
English pages use English month names with the same BE year, marked so ("26 Feb 2568 BE"):
a reader of English expects a Common Era year otherwise.

Reading (`parse`): day/month/year with / - or . between (26/02/2568, 26-2-2025), ISO
(2025-02-26), or a month written out (26 ก.พ. 2568, 26 กุมภาพันธ์ 68, 26 Feb 2025, and Excel's
26-ก.พ.-68). A time after a numeric date (26/02/2568 00:00:00) is ignored. Thai digits are read
too. A day or month of 0, the civil registry's way of writing one not known, is refused: Carenet
does not guess it.

Which calendar a year is in follows one rule, never a guess:
  * a four-digit year of 2400 or more is Buddhist Era; below 2400 it is Common Era.
    2400 BE is 1857 CE, and Carenet holds no date before 1857 or after 2399 CE, so the two
    ranges never meet: 2468 is read as 2468 BE = 1925 CE, and 2025 as 2025 CE = 2568 BE.
  * a two-digit year is Buddhist Era in the 2500s (68 -> 2568), as Thai paperwork writes it;
    one that would fall more than TWO_DIGITS_AHEAD years ahead (90 -> 2590) is asked for in
    full, since it was meant as another century.
A year outside both ranges, and anything else, is refused with a reason, in the user's
language.

The fiscal year (ปีงบประมาณ) runs October to September and is named by its BE year of ending:
1 Oct 2024 is in fiscal year 2568.
"""

import re
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from carenet.core.text import THAI_DIGITS

BE_OFFSET = 543
BE_THRESHOLD = 2400
# The years (CE) Carenet holds; the rule above needs them apart from the BE years.
MIN_YEAR = BE_THRESHOLD - BE_OFFSET
MAX_YEAR = BE_THRESHOLD - 1

MONTHS_TH_SHORT = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)  # fmt: skip
MONTHS_TH_LONG = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)  # fmt: skip
MONTHS_EN_SHORT = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip
MONTHS_EN_LONG = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def _month_lookup() -> dict[str, int]:
    names: dict[str, int] = {}
    for table in (MONTHS_TH_SHORT, MONTHS_TH_LONG, MONTHS_EN_SHORT, MONTHS_EN_LONG):
        for number, name in enumerate(table, start=1):
            names[name.lower().replace(".", "").replace(" ", "")] = number
    names["sept"] = 9
    # Spoken Thai drops the ending: กุมภา, เมษา, ตุลา.
    for number, name in enumerate(MONTHS_TH_LONG, start=1):
        for ending in ("าคม", "ายน", "าพันธ์"):
            if name.endswith(ending):
                names[name[: -len(ending) + 1]] = number
    return names


MONTH_NUMBERS = _month_lookup()

# Other systems export a date column with a time of day ("05/01/2510 00:00:00"); a date field
# keeps only the date.
TIME = r"(?:\s\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
# Spaces alone between the parts are read too ("15 06 2515"), as some phones' keypads type.
NUMERIC = re.compile(
    r"^(\d{1,2})(?:\s*[/\-.]\s*|\s+)(\d{1,2})(?:\s*[/\-.]\s*|\s+)(\d{2}|\d{4})" + TIME + "$"
)
ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$")
# Day, month and year run together: 15032530, 150330. Phones' number pads (which date boxes
# open) may have no "/" to type.
COMPACT = re.compile(r"^(\d{2})(\d{2})(\d{4}|\d{2})$")
# Around a month name: spaces, or the dashes of Excel's d-mmm-yy display saved to CSV
# ("5-ม.ค.-10", "05-Jan-1967"), or dots or slashes. They are kept out of the name, which a
# reason may show.
WORDED = re.compile(
    r"^(\d{1,2})[\s\-./]*([^\d\s\-./][^\d]*?)[\s\-/]*(พ\.?\s*ศ\.?|ค\.?\s*ศ\.?)?[\s\-/]*(\d{2}|\d{4})$"
)


BE_MARK = re.compile(r"\s*B\.?\s*E\.?$", re.IGNORECASE)


class DateInputError(ValueError):
    """A date that cannot be read. The message is in the active language."""


def gregorian_year(year: int, *, digits: int, era: str = "") -> int:
    """The Common Era year. Without an era written, the documented rule decides (four digits
    from 2400 are BE; two digits are BE in the 2500s); "พ.ศ." or "ค.ศ." written says which."""
    if era == "ce":
        return 2000 + year if digits == 2 else year
    if era == "be":
        return (2500 + year if digits == 2 else year) - BE_OFFSET
    if digits == 2:
        return 2500 + year - BE_OFFSET
    return year - BE_OFFSET if year >= BE_THRESHOLD else year


def parse(text: str, *, short_year_asked: bool = False) -> date:
    """Reads a typed date in either calendar; raises DateInputError with a reason.

    `short_year_asked`: a numeric date with a two-digit year is asked for in full rather
    than read by the rule. A form on an English page asks it: "01/11/26" typed there is
    most likely 2026, which the rule would read as 2526 BE."""
    typed = " ".join(str(text).split())  # as the user wrote it, for the reasons
    cleaned = typed.translate(THAI_DIGITS)
    # "26 Feb 2568 BE", as English pages show a date, copied back into a box.
    marked_be = BE_MARK.search(cleaned)
    if marked_be:
        cleaned = cleaned[: marked_be.start()]
    if not cleaned:
        raise DateInputError(_("Enter a date."))
    if match := ISO.match(cleaned):
        year_text, month_text, day_text = match.groups()
        return _build(typed, day_text, int(month_text), year_text)
    if match := NUMERIC.match(cleaned) or COMPACT.match(cleaned):
        day_text, month_text, year_text = match.groups()
        if short_year_asked and len(year_text) == 2 and not marked_be:
            be, ce = example_years()
            raise DateInputError(
                _(
                    "Write the year of %(text)s in full (%(ce)s or %(be)s, say): two digits "
                    "could be either calendar."
                )
                % {"text": typed, "ce": ce, "be": be}
            )
        return _build(typed, day_text, int(month_text), year_text)
    if match := WORDED.match(cleaned):
        day_text, month_name, era_text, year_text = match.groups()
        month = MONTH_NUMBERS.get(month_name.lower().replace(".", "").replace(" ", ""))
        if month is None:
            raise DateInputError(_("“%(month)s” is not a month name.") % {"month": month_name})
        era = "" if not era_text else ("be" if era_text.startswith("พ") else "ce")
        era = era or ("be" if marked_be else "")
        if len(year_text) == 2 and not era and month_name.isascii():
            # "5-Jan-67" is how an English Excel shows a Common Era date; the rule that two
            # digits are Buddhist Era would read it 57 years late.
            be, ce = example_years()
            raise DateInputError(
                _(
                    "Write the year of %(text)s in full (%(ce)s or %(be)s, say): two digits "
                    "could be either calendar."
                )
                % {"text": typed, "ce": ce, "be": be}
            )
        return _build(typed, day_text, month, year_text, era)
    if YEAR_ALONE.fullmatch(cleaned):
        raise DateInputError(
            _(
                "%(text)s is a year alone. Carenet needs a whole date: ask the person, or if "
                "only the year is known, write 1 January (01/01/%(text)s)."
            )
            % {"text": cleaned}
        )
    if UNKNOWN.search(cleaned):
        raise DateInputError(
            _("“%(text)s” is not a date. If the date is not known, leave the box empty.")
            % {"text": typed}
        )
    be, ce = example_years()
    raise DateInputError(
        _("Write the date as day/month/year, for example 26/02/%(be)s or 26/02/%(ce)s.")
        % {"be": be, "ce": ce}
    )


# What registers and sheets write for a date nobody knows.
UNKNOWN = re.compile(r"ไม่ทราบ|ไม่รู้|ไม่มี|ไม่ระบุ|unknown|n/?a\b", re.IGNORECASE)


YEAR_ALONE = re.compile(r"(?:19|20|24|25)\d\d")


def example_years() -> tuple[int, int]:
    """This year in Buddhist and Common Era, for messages that show both."""
    this_year = timezone.localdate().year
    return this_year + BE_OFFSET, this_year


# A two-digit year read as further ahead than this was meant as another century ("01/01/90"
# for 1990 would be 2590 BE): the year is asked for in full.
TWO_DIGITS_AHEAD = 10
# No date Carenet keeps (births, visits, terms, consents) lies further ahead than this.
CE_YEARS_AHEAD = 100


def _build(typed: str, day_text: str, month: int, year_text: str, era: str = "") -> date:
    year = gregorian_year(int(year_text), digits=len(year_text), era=era)
    if len(year_text) == 2 and year > timezone.localdate().year + TWO_DIGITS_AHEAD:
        raise DateInputError(
            _(
                "Write the year in full: a two-digit year is read in Buddhist Era, so "
                "%(short)s would be %(be)s."
            )
            % {"short": year_text, "be": year + BE_OFFSET}
        )
    if year > timezone.localdate().year + CE_YEARS_AHEAD and year <= MAX_YEAR:
        # "05/05/2300" is a Buddhist Era year with a digit slipped, not the 24th century.
        raise DateInputError(
            _(
                "The year %(year)s cannot be right: read as Common Era it is more than a "
                "century away. A Buddhist Era year starts with 24 or 25, such as %(be)s."
            )
            % {"year": year_text, "be": example_years()[0]}
        )
    if not MIN_YEAR <= year <= MAX_YEAR:
        be, ce = example_years()
        raise DateInputError(
            _(
                "The year %(year)s cannot be right. Write the year in Buddhist Era, such as "
                "%(be)s, or in Common Era, such as %(ce)s."
            )
            % {"year": year_text, "be": be, "ce": ce}
        )
    if int(day_text) == 0 or month == 0:
        # The civil registry writes a day or month it does not know as 0 (00/00/2480). Any
        # date put in its place would be a guess, and would then pass for a known one.
        raise DateInputError(
            _(
                "The day or month in %(text)s is 0, as the civil registry writes an unknown "
                "one. Carenet needs a whole date: ask the person, or if only the year is "
                "known, write 1 January (01/01/%(year)s)."
            )
            % {"text": typed, "year": year_text}
        )
    try:
        return date(year, month, int(day_text))
    except ValueError:
        if month > 12 >= int(day_text):  # 3/15/2026: month first, as in American dates
            raise DateInputError(
                _("There is no such date: %(text)s. Write the day first, then the month.")
                % {"text": typed}
            ) from None
        raise DateInputError(_("There is no such date: %(text)s.") % {"text": typed}) from None


def _local(value: date) -> date:
    """An aware datetime in Bangkok time (the active time zone); anything else as it is."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def _parts(value: date) -> tuple[int, int, int]:
    value = _local(value)
    return value.day, value.month, value.year + BE_OFFSET


def is_thai() -> bool:
    return (get_language() or "th").startswith("th")


def format_short(value: date | None) -> str:
    """26 ก.พ. 2568 (English: 26 Feb 2568 BE)."""
    if value is None:
        return ""
    day, month, year = _parts(value)
    if is_thai():
        return f"{day} {MONTHS_TH_SHORT[month - 1]} {year}"
    return f"{day} {MONTHS_EN_SHORT[month - 1]} {year} BE"


def format_long(value: date | None) -> str:
    """26 กุมภาพันธ์ 2568 (English: 26 February 2568 BE)."""
    if value is None:
        return ""
    day, month, year = _parts(value)
    if is_thai():
        return f"{day} {MONTHS_TH_LONG[month - 1]} {year}"
    return f"{day} {MONTHS_EN_LONG[month - 1]} {year} BE"


def format_numeric(value: date | None) -> str:
    """26/02/2568."""
    if value is None:
        return ""
    day, month, year = _parts(value)
    return f"{day:02d}/{month:02d}/{year}"


def file_stamp(value: date) -> str:
    """25680226: a date in a file's name, BE, sorting as the days do."""
    day, month, year = _parts(value)
    return f"{year}{month:02d}{day:02d}"


def format_datetime(value: date | None) -> str:
    """26 ก.พ. 2568 14:05, in Bangkok time. A plain date shows without a time."""
    if value is None:
        return ""
    local = _local(value)
    if not isinstance(local, datetime):
        return format_short(local)
    return f"{format_short(local)} {local:%H:%M}"


def fiscal_year(value: date) -> int:
    """The BE fiscal year a date falls in (October to September), by its date in Bangkok."""
    value = _local(value)
    return value.year + BE_OFFSET + (1 if value.month >= 10 else 0)


def fiscal_year_bounds(be_year: int) -> tuple[date, date]:
    """First and last day of a BE fiscal year."""
    year = be_year - BE_OFFSET
    return date(year - 1, 10, 1), date(year, 9, 30)
