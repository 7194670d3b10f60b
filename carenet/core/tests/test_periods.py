"""Periods: a month, a fiscal year, or days typed in either calendar, read from a query string."""

from datetime import date

import pytest
from django.http import QueryDict
from django.utils import translation

from carenet.core.periods import (
    Month,
    Period,
    PeriodForm,
    fiscal_year_period,
    month_period,
    parse_month,
)

TODAY = date(2026, 11, 30)


def period(query: str) -> tuple[Period | None, PeriodForm]:
    form = PeriodForm(QueryDict(query), today=TODAY)
    return form.period(), form


def test_nothing_asked_is_this_month():
    form = PeriodForm(today=TODAY)
    assert form.period() == month_period(Month(date(2026, 11, 1)))
    assert form["month"].value() == "2026-11"  # the select shows it chosen


@pytest.mark.parametrize("month", ["2026-11", "2569-11", "๒๕๖๙-๑๑"])
def test_a_month_in_either_calendar(month):
    found, _form = period(f"month={month}")
    assert (found.first, found.last, found.kind) == (date(2026, 11, 1), date(2026, 11, 30), "month")
    assert found.query() == {"month": "2026-11"}


def test_a_month_of_february_ends_on_its_last_day():
    found, _form = period("month=2024-02")
    assert found.last == date(2024, 2, 29)


def test_a_fiscal_year_runs_october_to_september_named_by_its_be_year():
    found, _form = period("fy=2570")
    assert (found.first, found.last, found.kind) == (
        date(2026, 10, 1),
        date(2027, 9, 30),
        "fiscal_year",
    )
    assert found.counted_until(TODAY) == TODAY  # not over: counted up to today
    assert fiscal_year_period(2569).first == date(2025, 10, 1)
    with translation.override("th"):
        assert found.label == "ปีงบประมาณ 2570" or found.label == "Fiscal year 2570"


@pytest.mark.parametrize(
    "since,until,first,last",
    [
        ("1/11/2569", "30/11/2569", date(2026, 11, 1), date(2026, 11, 30)),
        ("2026-11-01", "2026-11-30", date(2026, 11, 1), date(2026, 11, 30)),
        ("01/11/69", "30 พ.ย. 2569", date(2026, 11, 1), date(2026, 11, 30)),
        ("1/10/2569", "", date(2026, 10, 1), TODAY),  # up to today
        ("30/11/2569", "30/11/2569", TODAY, TODAY),  # one day
    ],
)
def test_days_typed_in_either_calendar(since, until, first, last):
    found, _form = period(f"since={since}&until={until}")
    assert (found.first, found.last, found.kind) == (first, last, "range")


def test_a_short_year_says_how_it_was_read():
    _found, form = period("since=01/11/69&until=30/11/2569")
    assert len(form.read_as()) == 1 and "01/11/69" in form.read_as()[0]


def test_a_christian_era_date_says_its_buddhist_era_date():
    _found, form = period("since=2026-11-01&until=30/11/2569")
    [note] = form.read_as()
    assert "2026-11-01" in note and "2569" in note


@pytest.mark.parametrize(
    "query,field",
    [
        ("since=30/11/2569&until=1/11/2569", "until"),  # reversed
        ("since=31/11/2569", "since"),  # no such day
        ("until=30/11/2569", "since"),  # no first day
        ("since=1/12/2569", "since"),  # not begun
        ("month=2026-12", "month"),  # not come yet
        ("month=2026-13", "month"),
        ("month=abc", "month"),
        ("fy=2571", "fy"),  # begins on 1 October 2570
        ("fy=2026", "fy"),  # a fiscal year is named in BE
        ("fy=x", "fy"),
    ],
)
def test_a_period_typed_wrong_is_refused_beside_its_field(query, field):
    found, form = period(query)
    assert found is None
    assert form.errors[field]


def test_an_older_month_or_year_a_link_asks_for_is_offered():
    _found, form = period("month=2010-01")
    assert ("2010-01", Month(date(2010, 1, 1)).label) in form.fields["month"].widget.choices
    _found, form = period("fy=2550")
    assert "2550" in [value for value, _label in form.fields["fy"].widget.choices]


def test_months_moved_here_still_read_as_before():
    assert parse_month("2568-03") == Month(date(2025, 3, 1))
    assert Month(date(2025, 3, 1)).last == date(2025, 3, 31)


def test_an_axis_month_keeps_its_whole_year_in_english():
    from django.utils import translation

    from carenet.core.periods import short_month

    with translation.override("th"):
        assert short_month(date(2025, 12, 1)) == "ธ.ค. 68"
    with translation.override("en"):
        assert short_month(date(2025, 12, 1)) == "Dec 2568"
