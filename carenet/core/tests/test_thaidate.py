"""Thai dates: shown in Buddhist Era, typed in either calendar, fiscal years from October."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from carenet.core import thaidate
from carenet.core.thaidate import DateInputError

FEB_26 = date(2025, 2, 26)


@pytest.fixture
def thai():
    with translation.override("th"):
        yield


@pytest.fixture
def english():
    with translation.override("en"):
        yield


# Showing --------------------------------------------------------------------------------------


def test_short_date_in_thai(thai):
    assert thaidate.format_short(FEB_26) == "26 ก.พ. 2568"


def test_numeric_date_pads_day_and_month(thai):
    assert thaidate.format_numeric(FEB_26) == "26/02/2568"
    assert thaidate.format_numeric(date(2024, 1, 5)) == "05/01/2567"


def test_a_file_name_date_is_buddhist_era_and_sorts():
    assert thaidate.file_stamp(date(2024, 1, 5)) == "25670105"


def test_long_date_in_thai(thai):
    assert thaidate.format_long(FEB_26) == "26 กุมภาพันธ์ 2568"


def test_english_uses_english_month_names_with_the_be_year(english):
    assert thaidate.format_short(FEB_26) == "26 Feb 2568 BE"
    # What an English page shows reads back, and its mark settles a two-digit year.
    assert thaidate.parse("26 Feb 2568 BE") == FEB_26
    assert thaidate.parse("26 Feb 68 B.E.") == FEB_26
    assert thaidate.format_long(FEB_26) == "26 February 2568 BE"
    assert thaidate.format_numeric(FEB_26) == "26/02/2568"


def test_thai_is_the_default_when_no_language_is_active():
    with translation.override(None):
        assert thaidate.format_short(FEB_26) == "26 ก.พ. 2568"


@pytest.mark.parametrize(
    "formatter",
    [
        thaidate.format_short,
        thaidate.format_long,
        thaidate.format_numeric,
        thaidate.format_datetime,
    ],
)
def test_nothing_shows_as_empty(formatter):
    assert formatter(None) == ""


def test_datetime_is_shown_in_bangkok_time(thai):
    # 20:30 UTC on 30 Sep is 03:30 on 1 Oct in Bangkok (UTC+7): the date moves too.
    moment = datetime(2025, 9, 30, 20, 30, tzinfo=UTC)
    assert thaidate.format_datetime(moment) == "1 ต.ค. 2568 03:30"
    assert thaidate.format_short(moment) == "1 ต.ค. 2568"
    assert thaidate.format_numeric(moment) == "01/10/2568"


def test_datetime_from_another_zone_is_converted_to_bangkok(thai):
    moment = datetime(2025, 2, 26, 9, 5, tzinfo=ZoneInfo("Europe/London"))
    assert thaidate.format_datetime(moment) == "26 ก.พ. 2568 16:05"


def test_naive_datetime_is_shown_as_it_is(thai):
    assert thaidate.format_datetime(datetime(2025, 2, 26, 14, 5)) == "26 ก.พ. 2568 14:05"


def test_plain_date_as_datetime_shows_without_time(thai):
    assert thaidate.format_datetime(FEB_26) == "26 ก.พ. 2568"


# Reading --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "26/02/2568",
        "26/02/2025",
        "26/2/2568",
        "26-02-2568",
        "26.02.2568",
        "26 / 02 / 2568",
        "2025-02-26",
        "2568-02-26",
        "2025-02-26T10:30:00",
        "26 ก.พ. 2568",
        "26 ก.พ 2568",
        "26ก.พ.2568",
        "26 กุมภาพันธ์ 2568",
        "26 กุมภาพันธ์ 68",
        "26 ก.พ. พ.ศ. 2568",
        "26 Feb 2025",
        "26 february 2568",
        "26/02/68",
        "26022568",  # from a phone's number pad, which may have no "/"
        "26022025",
        "260268",
        "๒๖๐๒๒๕๖๘",
        "๒๖/๐๒/๒๕๖๘",
        "๒๖ ก.พ. ๒๕๖๘",
        "  26/02/2568  ",
    ],
)
def test_parse_accepts_the_ways_people_write_a_date(typed):
    assert thaidate.parse(typed) == FEB_26


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("26 ก.พ. ค.ศ. 2025", FEB_26),
        ("26 ก.พ. ค.ศ. 25", FEB_26),  # two digits with ค.ศ. written: 2025, not 2525 BE
        ("26 ก.พ. พ.ศ. 68", FEB_26),
        ("26 กุมภาพันธ์ พ.ศ.2568", FEB_26),
        ("1 ม.ค. ค.ศ. 1999", date(1999, 1, 1)),
    ],
)
def test_a_written_era_decides_the_calendar(typed, expected):
    assert thaidate.parse(typed) == expected


@pytest.mark.parametrize("typed", ["26 ก.พ. พ.ศ. 2025", "26 ก.พ. ค.ศ. 2568"])
def test_a_year_that_does_not_fit_its_written_era_is_refused(typed):
    with pytest.raises(thaidate.DateInputError):
        thaidate.parse(typed)


JAN_5_1967 = date(1967, 1, 5)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        # Excel's d-mmm-yy display saved to CSV: dashes around the month name.
        ("5-ม.ค.-10", JAN_5_1967),
        ("05-ม.ค.-2510", JAN_5_1967),
        ("15-พ.ค.-28", date(1985, 5, 15)),
        ("5-มกราคม-2510", JAN_5_1967),
        ("05-Jan-1967", JAN_5_1967),
        ("5-jan-1967", JAN_5_1967),
        ("5-ม.ค.-67", date(2024, 1, 5)),
        ("5 - ม.ค. - 10", JAN_5_1967),
        ("5-ม.ค-10", JAN_5_1967),
        ("5-มค-10", JAN_5_1967),
        ("5.Jan.1967", JAN_5_1967),
        ("5/ม.ค./2510", JAN_5_1967),
        ("5-ม.ค.-พ.ศ.2510", JAN_5_1967),
        ("5-Jan-ค.ศ.-1967", JAN_5_1967),
        ("๕-ม.ค.-๑๐", JAN_5_1967),
    ],
)
def test_excel_dashes_around_a_month_name(typed, expected):
    assert thaidate.parse(typed) == expected


@pytest.mark.parametrize("typed", ["5-Jan-67", "5 Jan 67", "05-Jan-10"])
def test_two_digits_after_an_english_month_name_are_asked_in_full(typed):
    # An English Excel shows d-mmm-yy with Common Era years; Thai two-digit years are BE.
    with pytest.raises(DateInputError) as error, translation.override("en"):
        thaidate.parse(typed)
    assert str(error.value).startswith(f"Write the year of {typed} in full")


def test_an_unknown_month_name_between_dashes_is_named_without_them():
    with pytest.raises(DateInputError) as error, translation.override("en"):
        thaidate.parse("5-Smarch-67")
    assert str(error.value) == "“Smarch” is not a month name."


@pytest.mark.parametrize(
    "typed",
    [
        "05/01/2510 00:00:00",
        "5/1/2510 0:00",
        "05/01/2510 00:00:00.000",
        "05/01/1967 00:00:00",
        "5/1/1967 0:00",
        "05-01-2510 00:00",
        "05/01/10 00:00:00",
        "05/01/2510 14:30",  # any time of day: a date field keeps only the date
        "1967-01-05 00:00:00",
        "2510-01-05 00:00:00",
        "๐๕/๐๑/๒๕๑๐ ๐๐:๐๐:๐๐",
    ],
)
def test_a_time_after_a_numeric_date_is_ignored(typed):
    assert thaidate.parse(typed) == JAN_5_1967


@pytest.mark.parametrize("typed", ["05/01/2510 00", "05/01/2510 0:0", "05/01/2510 00:00 x"])
def test_a_broken_time_is_still_refused(typed):
    with pytest.raises(DateInputError):
        thaidate.parse(typed)


@pytest.mark.parametrize(
    "typed",
    ["00/00/2480", "00/05/2480", "0/0/2480", "15/00/2480", "00/00/1937", "00002480", "0-0-2480"],
)
def test_the_civil_registrys_unknown_day_or_month_is_refused_not_guessed(typed):
    with pytest.raises(DateInputError) as error, translation.override("en"):
        thaidate.parse(typed)
    message = str(error.value)
    assert f"The day or month in {typed} is 0" in message
    assert "civil registry" in message
    assert f"01/01/{typed[-4:]}" in message


def test_the_unknown_day_reason_is_in_thai_and_shows_the_date_as_typed(thai):
    with pytest.raises(DateInputError) as error:
        thaidate.parse("๐๐/๐๐/๒๔๘๐")
    message = str(error.value)
    assert "๐๐/๐๐/๒๔๘๐" in message
    assert "ทะเบียนราษฎร" in message
    assert "01/01/2480" in message


@pytest.mark.parametrize(("typed", "year"), [("2513", "2513"), ("๒๕๑๓", "2513"), ("1970", "1970")])
def test_a_year_alone_is_refused_with_the_way_to_write_it(typed, year):
    with pytest.raises(DateInputError) as error, translation.override("en"):
        thaidate.parse(typed)
    assert "is a year alone" in str(error.value) and f"01/01/{year}" in str(error.value)


def test_a_zero_day_with_an_impossible_year_is_refused_for_the_year():
    with pytest.raises(DateInputError) as error, translation.override("en"):
        thaidate.parse("00/00/1500")
    assert "The year 1500 cannot be right" in str(error.value)


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("31/02/2568", "31/02/2568"),
        ("2025-02-30", "2025-02-30"),
        ("31 ก.พ. 2568", "31 ก.พ. 2568"),
        ("  31 / 02 / 2568 ", "31 / 02 / 2568"),
    ],
)
def test_an_impossible_date_is_shown_as_typed(typed, shown):
    with pytest.raises(DateInputError) as error, translation.override("en"):
        thaidate.parse(typed)
    assert str(error.value) == f"There is no such date: {shown}."


@pytest.mark.parametrize("typed", ["05/05/2300", "31/12/2399", "2300-05-05"])
def test_a_common_era_year_a_century_ahead_is_taken_for_a_slipped_buddhist_year(typed):
    with pytest.raises(DateInputError) as error, translation.override("en"):
        thaidate.parse(typed)
    assert "more than a century away" in str(error.value)
    assert "starts with 24 or 25" in str(error.value)


@pytest.mark.parametrize("typed", ["ไม่ทราบวันเกิด", "ไม่ทราบ", "Unknown", "N/A"])
def test_an_unknown_date_written_out_is_told_to_leave_the_box_empty(typed):
    with pytest.raises(DateInputError) as error, translation.override("en"):
        thaidate.parse(typed)
    expected = f"“{typed}” is not a date. If the date is not known, leave the box empty."
    assert str(error.value) == expected


def test_sept_is_september():
    assert thaidate.parse("1 Sept 2025") == date(2025, 9, 1)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        # The documented rule: four digits from 2400 are BE, below 2400 are CE.
        ("01/01/2468", date(1925, 1, 1)),
        ("01/01/2025", date(2025, 1, 1)),
        ("01/01/2400", date(1857, 1, 1)),
        ("31/12/2099", date(2099, 12, 31)),
        ("01/01/1857", date(1857, 1, 1)),
        # Two digits are BE in the 2500s.
        ("01/01/68", date(2025, 1, 1)),
        ("01/01/00", date(1957, 1, 1)),
    ],
)
def test_calendar_of_a_year_follows_the_threshold_rule(typed, expected):
    assert thaidate.parse(typed) == expected


def test_gregorian_year():
    assert thaidate.gregorian_year(2568, digits=4) == 2025
    assert thaidate.gregorian_year(2025, digits=4) == 2025
    assert thaidate.gregorian_year(68, digits=2) == 2025


def test_leap_day_is_checked_in_the_right_calendar():
    assert thaidate.parse("29/02/2567") == date(2024, 2, 29)
    with pytest.raises(DateInputError):
        thaidate.parse("29/02/2568")


@pytest.mark.parametrize("typed", ["31/02/2568", "30/02/2025", "32/01/2568", "15/13/2568"])
def test_impossible_dates_are_refused_with_a_reason(typed):
    with pytest.raises(DateInputError) as error, translation.override("en"):
        thaidate.parse(typed)
    assert "no such date" in str(error.value)


def test_impossible_iso_date_is_refused():
    with pytest.raises(DateInputError):
        thaidate.parse("2025-02-30")


@pytest.mark.parametrize("typed", ["26/02/1500", "26/02/9999", "26/02/0000", "0001-01-01"])
def test_years_outside_what_carenet_holds_are_refused(typed):
    with pytest.raises(DateInputError) as error, translation.override("en"):
        thaidate.parse(typed)
    assert "year" in str(error.value)


@pytest.mark.parametrize(
    "typed",
    ["tomorrow", "26/02", "2568", "26/02/256", "abc/def/ghij", "26 02 2568 x", "//", "2602256"],
)
def test_garbage_is_refused_with_a_reason(typed):
    with pytest.raises(DateInputError) as error, translation.override("en"):
        thaidate.parse(typed)
    assert str(error.value)


def test_unknown_month_name_is_named_in_the_reason():
    with pytest.raises(DateInputError) as error, translation.override("en"):
        thaidate.parse("26 Smarch 2568")
    assert "Smarch" in str(error.value)


@pytest.mark.parametrize("typed", ["", "   "])
def test_empty_input_asks_for_a_date(typed):
    with pytest.raises(DateInputError) as error, translation.override("en"):
        thaidate.parse(typed)
    assert str(error.value) == "Enter a date."


def test_date_input_error_is_a_value_error():
    assert issubclass(DateInputError, ValueError)


def test_shown_dates_read_back():
    with translation.override("th"):
        for shown in (thaidate.format_short, thaidate.format_long, thaidate.format_numeric):
            assert thaidate.parse(shown(FEB_26)) == FEB_26


# Fiscal year ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "fiscal"),
    [
        (date(2024, 9, 30), 2567),
        (date(2024, 10, 1), 2568),
        (date(2025, 2, 26), 2568),
        (date(2025, 9, 30), 2568),
        (date(2025, 10, 1), 2569),
        (date(2025, 12, 31), 2569),
        (date(2026, 1, 1), 2569),
    ],
)
def test_fiscal_year_runs_october_to_september(day, fiscal):
    assert thaidate.fiscal_year(day) == fiscal


def test_fiscal_year_of_a_moment_is_by_its_bangkok_date():
    # 30 Sep 20:00 UTC is already 1 Oct in Bangkok, the first day of the next fiscal year.
    assert thaidate.fiscal_year(datetime(2025, 9, 30, 20, 0, tzinfo=UTC)) == 2569
    assert thaidate.fiscal_year(datetime(2025, 9, 30, 16, 59, tzinfo=UTC)) == 2568


def test_fiscal_year_bounds():
    assert thaidate.fiscal_year_bounds(2568) == (date(2024, 10, 1), date(2025, 9, 30))


def test_fiscal_year_bounds_agree_with_fiscal_year():
    first, last = thaidate.fiscal_year_bounds(2569)
    assert thaidate.fiscal_year(first) == thaidate.fiscal_year(last) == 2569
    assert thaidate.fiscal_year(date.fromordinal(first.toordinal() - 1)) == 2568
    assert thaidate.fiscal_year(date.fromordinal(last.toordinal() + 1)) == 2570


# Template filters -----------------------------------------------------------------------------


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


def test_template_filters_are_builtin(thai):
    out = render(
        "{{ d|be_date }}|{{ d|be_long }}|{{ d|be_numeric }}|{{ t|be_datetime }}",
        d=FEB_26,
        t=timezone.make_aware(datetime(2025, 2, 26, 14, 5)),
    )
    assert out == "26 ก.พ. 2568|26 กุมภาพันธ์ 2568|26/02/2568|26 ก.พ. 2568 14:05"


def test_template_filters_in_english(english):
    assert render("{{ d|be_date }}", d=FEB_26) == "26 Feb 2568 BE"


@pytest.mark.parametrize("value", [None, "", "2025-02-26", 42])
def test_template_filters_show_nothing_for_a_non_date(thai, value):
    for name in ("be_date", "be_long", "be_numeric", "be_datetime"):
        assert render(f"{{{{ v|{name} }}}}", v=value) == ""


def test_template_filter_on_a_missing_variable_shows_nothing(thai):
    assert render("[{{ nothing|be_date }}]") == "[]"


def test_citizen_id_masked_filter():
    assert render("{{ v|citizen_id_masked }}", v="1234567890121") == "x-xxxx-xxxxx-12-1"
    assert render("{{ v|citizen_id_masked }}", v=None) == ""
    assert render("{{ v|citizen_id_masked }}", v="123") == ""


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("0812345678", "081-234-5678"),
        ("021234567", "02-123-4567"),
        ("077511234", "077-511-234"),
        ("1300", "1300"),
        ("", ""),
    ],
)
def test_phones_are_grouped_the_thai_way(stored, shown):
    assert render("{{ p|thai_phone }}", p=stored) == shown


@pytest.mark.parametrize(
    ("typed", "day"),
    [("29 กุมภา 2567", date(2024, 2, 29)), ("1 ตุลา 68", date(2025, 10, 1)),
     ("5 พฤศจิกา 2569", date(2026, 11, 5)), ("4 มีนา 2511", date(1968, 3, 4))],
)  # fmt: skip
def test_spoken_month_names(typed, day):
    assert thaidate.parse(typed) == day


def test_a_two_digit_year_far_ahead_asks_for_the_year_in_full():
    with pytest.raises(thaidate.DateInputError, match="2590"):
        thaidate.parse("01/01/90")
    ahead = (timezone.localdate().year + 543 + 1) % 100
    assert thaidate.parse(f"01/01/{ahead:02d}").year == timezone.localdate().year + 1


@pytest.mark.parametrize("typed", ["15 06 2515", "15  6  2515", "๑๕ ๐๖ ๒๕๑๕", "15 06 1972"])
def test_spaces_alone_between_the_parts_of_a_date(typed):
    assert thaidate.parse(typed) == date(1972, 6, 15)
