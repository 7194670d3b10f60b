"""The periods a report counts over: a month, a fiscal year, or days typed in either calendar.

A `Month` is what the monthly summary pages through ("2025-03" in a link, "2568-03" read too).
A `Period` is a first and a last day, both counted: a month, a fiscal year (ปีงบประมาณ,
1 October to 30 September, named by the BE year it ends in: core.thaidate.fiscal_year_bounds)
or a range typed in Buddhist or Common Era (thaidate.parse). Days are dates in Bangkok, the
time zone every date Carenet keeps is in, so a period has no time of day to get wrong.

`PeriodForm` reads one from a page's query string: `?month=2026-11`, `?fy=2570` or
`?since=1/10/2569&until=30/11/69`. A period typed wrong, or one that has not begun, is refused
with its reason beside the field, and a page then shows no figures: a reader would take
figures of another period for the ones they asked for.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from carenet.core import thaidate
from carenet.core.forms import DateRangeForm, ThaiDateField
from carenet.core.text import THAI_DIGITS


def short_month(day: date) -> str:
    """ "ก.พ. 68": month and two-digit BE year, short enough for an axis at 360 px. In English
    the year is whole ("Feb 2568"): "Feb 68" reads as 1968 there."""
    full = thaidate.format_short(day)  # "26 ก.พ. 2568", "26 Feb 2568 BE"
    _day, month, year = full.split(" ")[:3]
    return f"{month} {year[-2:]}" if get_language() == "th" else f"{month} {year}"


@dataclass(frozen=True)
class Month:
    first: date

    @property
    def param(self) -> str:
        return f"{self.first:%Y-%m}"

    @property
    def label(self) -> str:
        """ "มีนาคม 2568" (English: "March 2568")."""
        return thaidate.format_long(self.first).split(" ", 1)[1]

    @property
    def abbr(self) -> str:
        """ "มี.ค.": the month alone, for the bars of a year."""
        return thaidate.format_short(self.first).split(" ")[1]

    @property
    def named(self) -> str:
        """ "ต.ค. 2569" (English: "Oct 2569"), for buttons: short, with the whole year, which
        "Oct 69" is not to an English reader."""
        return " ".join(thaidate.format_short(self.first).split(" ")[1:3])

    @property
    def short(self) -> str:
        """ "มี.ค. 68", for chart axes."""
        return short_month(self.first)

    @property
    def end(self) -> date:
        """The first day of the next month."""
        return (self.first + timedelta(days=32)).replace(day=1)

    @property
    def last(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def previous(self) -> "Month":
        return Month((self.first - timedelta(days=1)).replace(day=1))

    @property
    def following(self) -> "Month":
        return Month(self.end)


def month_of(day: date) -> Month:
    return Month(day.replace(day=1))


def parse_month(text: str) -> Month | None:
    """ "2025-03" (or "2568-03" in BE) as a Month; None when it is not one."""
    parts = text.strip().translate(THAI_DIGITS).split("-")
    if len(parts) != 2 or not all(p.isdigit() for p in parts) or len(parts[0]) != 4:
        return None
    year = thaidate.gregorian_year(int(parts[0]), digits=4)
    month = int(parts[1])
    if not (thaidate.MIN_YEAR <= year <= thaidate.MAX_YEAR and 1 <= month <= 12):
        return None
    return Month(date(year, month, 1))


def recent_months(today: date, count: int = 12) -> list[Month]:
    """This month and the ones before it, latest first."""
    months = [month_of(today)]
    while len(months) < count:
        months.append(months[-1].previous)
    return months


def recent_fiscal_years(today: date, count: int = 10) -> list[int]:
    """This fiscal year (BE) and the ones before it, latest first."""
    this_year = thaidate.fiscal_year(today)
    return list(range(this_year, this_year - count, -1))


@dataclass(frozen=True)
class Period:
    """Days from `first` to `last`, both counted; a month or a fiscal year when it is one."""

    first: date
    last: date
    month: Month | None = None
    fiscal_year: int | None = None  # BE

    @property
    def kind(self) -> str:
        return "month" if self.month else "fiscal_year" if self.fiscal_year else "range"

    @property
    def label(self) -> str:
        """ "พฤศจิกายน 2569", "ปีงบประมาณ 2570", or its days."""
        if self.month is not None:
            return self.month.label
        if self.fiscal_year is not None:
            return fiscal_year_label(self.fiscal_year)
        return self.days

    @property
    def days(self) -> str:
        """ "1 ต.ค. 2569 – 30 ก.ย. 2570"."""
        if self.first == self.last:
            return thaidate.format_short(self.first)
        return f"{thaidate.format_short(self.first)} – {thaidate.format_short(self.last)}"

    @property
    def day_before(self) -> date:
        """The last day before the period: what stood at its start."""
        return self.first - timedelta(days=1)

    def counted_until(self, today: date) -> date:
        """The period's last day, or today for a period not over yet."""
        return min(self.last, today)

    def query(self) -> dict[str, str]:
        """The query string that asks for this period again."""
        if self.month is not None:
            return {"month": self.month.param}
        if self.fiscal_year is not None:
            return {"fy": str(self.fiscal_year)}
        return {
            "since": thaidate.format_numeric(self.first),
            "until": thaidate.format_numeric(self.last),
        }


def fiscal_year_label(be_year: int) -> str:
    """ "ปีงบประมาณ 2570"."""
    return gettext("Fiscal year %(year)s") % {"year": be_year}


def month_period(month: Month) -> Period:
    return Period(month.first, month.last, month=month)


def fiscal_year_period(be_year: int) -> Period:
    first, last = thaidate.fiscal_year_bounds(be_year)
    return Period(first, last, fiscal_year=be_year)


class PeriodForm(DateRangeForm):
    """A period from a page's query string: a month, a fiscal year, or days from and to.

    Days typed win over a fiscal year, and a fiscal year over a month; nothing asked for is
    this month. `period()` is None while something is typed wrong (the reason is beside its
    field)."""

    MONTHS_OFFERED = 24
    YEARS_OFFERED = 10

    # Text behind a select: a link may ask for a month or year the select does not offer.
    month = forms.CharField(label=_("Month"), required=False, widget=forms.Select)
    fy = forms.CharField(label=_("Fiscal year"), required=False, widget=forms.Select)
    until = ThaiDateField(
        label=_("To"), required=False, help_text=_("Leave empty to count up to today.")
    )

    def __init__(self, *args: Any, today: date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        months = recent_months(self.today, self.MONTHS_OFFERED)
        asked = parse_month(str(self.data.get("month", "")))
        if asked is not None and asked.first <= self.today and asked not in months:
            months.append(asked)  # an older month a link asks for
        self._offer("month", [(m.param, m.label) for m in months])
        years = recent_fiscal_years(self.today, self.YEARS_OFFERED)
        asked_year = _be_year(str(self.data.get("fy", "")))
        if asked_year is not None and asked_year < years[-1]:
            years.append(asked_year)
        self._offer("fy", [(str(y), fiscal_year_label(y)) for y in years])

        if not self.is_bound:
            self.initial.setdefault("month", month_of(self.today).param)

    def _offer(self, name: str, choices: list[tuple[str, str]]) -> None:
        widget = self.fields[name].widget
        assert isinstance(widget, forms.Select)
        widget.choices = [("", "—"), *choices]
        widget.attrs["data-autosubmit"] = ""  # a choice is sent at once (page-actions.js)

    def clean_month(self) -> str:
        typed = self.cleaned_data["month"]
        if not typed:
            return ""
        month = parse_month(typed)
        if month is None:
            raise forms.ValidationError(
                _("Choose a month from the list (a link writes it as year-month: 2026-11).")
            )
        if month.first > self.today:
            raise forms.ValidationError(_("%(month)s has not come yet.") % {"month": month.label})
        return month.param

    def clean_fy(self) -> int | None:
        typed = self.cleaned_data["fy"]
        if not typed:
            return None
        year = _be_year(typed)
        if year is None:
            raise forms.ValidationError(
                _("Choose a fiscal year from the list (its Buddhist Era year: 2570).")
            )
        if fiscal_year_period(year).first > self.today:
            raise forms.ValidationError(
                _("%(year)s has not begun yet.") % {"year": fiscal_year_label(year)}
            )
        return year

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()  # a reversed range is refused there
        since, until = cleaned.get("since"), cleaned.get("until")
        if "since" in self.errors or "until" in self.errors:
            return cleaned
        if until and not since:
            self.add_error("since", _("Enter the first day of the period."))
        elif since and since > self.today:
            self.add_error(
                "since",
                _("%(date)s has not come yet: the period must begin by today.")
                % {"date": thaidate.format_short(since)},
            )
        return cleaned

    def period(self) -> Period | None:
        """The period asked for; this month when none is; None while one is typed wrong."""
        if not self.is_bound:
            return month_period(month_of(self.today))
        if not self.is_valid():
            return None
        data = self.cleaned_data
        if data.get("since"):
            return Period(data["since"], data.get("until") or self.today)
        if data.get("fy"):
            return fiscal_year_period(data["fy"])
        if data.get("month"):
            return month_period(parse_month(data["month"]) or month_of(self.today))
        return month_period(month_of(self.today))


def _be_year(text: str) -> int | None:
    """A fiscal year as a link or a person writes it: a BE year, in Arabic or Thai digits."""
    text = text.strip().translate(THAI_DIGITS)
    if not (text.isdigit() and len(text) == 4):
        return None
    year = int(text)
    return year if year >= thaidate.BE_THRESHOLD else None
