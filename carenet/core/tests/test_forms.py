"""Form fields for Thai data: a date box that takes either calendar, and the citizen ID field."""

from datetime import UTC, date, datetime

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation

from carenet.core.forms import CitizenIDField, ThaiDateField, ThaiDateInput


class PersonForm(forms.Form):
    born = ThaiDateField()
    visited = ThaiDateField(required=False)
    citizen_id = CitizenIDField()
    spouse_citizen_id = CitizenIDField(required=False)


def person(**data: str) -> PersonForm:
    return PersonForm(data={"born": "26/02/2568", "citizen_id": "1234567890121", **data})


@pytest.mark.parametrize("typed", ["26/02/2568", "26/02/2025", "2025-02-26", "26 ก.พ. 2568"])
def test_date_field_takes_either_calendar(typed):
    form = person(born=typed)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["born"] == date(2025, 2, 26)


def test_optional_date_field_may_be_empty():
    form = person(visited="  ")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["visited"] is None


def test_required_date_field_must_be_filled():
    form = person(born="")
    assert not form.is_valid()
    assert form.errors["born"]


@pytest.mark.parametrize(
    ("typed", "reason"),
    [("31/02/2568", "no such date"), ("soon", "day/month/year"), ("1/1/9999", "year")],
)
def test_bad_date_shows_the_reason_beside_the_field(typed, reason):
    with translation.override("en"):
        form = person(born=typed)
        assert not form.is_valid()
        assert reason in form.errors["born"][0]
    assert form.errors.as_data()["born"][0].code == "invalid"


def test_bad_date_reason_is_translated_to_thai():
    with translation.override("th"):
        form = person(born="soon")
        assert not form.is_valid()
        message = form.errors["born"][0]
    with translation.override("en"):
        english = person(born="soon").errors["born"][0]
    assert message
    assert message != english


def test_a_two_digit_year_is_read_in_buddhist_era_on_a_thai_page():
    with translation.override("th"):
        form = person(born="01/11/69")
        assert form.is_valid(), form.errors
    assert form.cleaned_data["born"] == date(2026, 11, 1)


@pytest.mark.parametrize("typed", ["01/11/26", "1-11-26", "011126"])
def test_a_two_digit_year_is_asked_in_full_on_an_english_page(typed):
    """An English reader typing 01/11/26 most likely means 2026, not 2526 BE."""
    with translation.override("en"):
        form = person(born=typed)
        assert not form.is_valid()
        assert "in full" in form.errors["born"][0]
        assert person(born="01/11/2026").is_valid()
        assert person(born="1 Nov 2569 BE").is_valid()


def test_date_field_passes_date_objects_through():
    field = ThaiDateField()
    assert field.clean(date(2025, 2, 26)) == date(2025, 2, 26)
    # A datetime becomes its date in Bangkok: 20:00 UTC on 30 Sep is 1 Oct there.
    assert field.clean(datetime(2025, 9, 30, 20, 0, tzinfo=UTC)) == date(2025, 10, 1)
    assert field.clean(datetime(2025, 9, 30, 20, 0)) == date(2025, 9, 30)


def test_date_widget_is_a_text_box_showing_the_be_date():
    field = PersonForm().fields["born"]
    assert isinstance(field.widget, ThaiDateInput)
    html = field.widget.render("born", date(2025, 2, 26))
    assert 'type="text"' in html
    assert 'value="26/02/2568"' in html
    assert 'inputmode="numeric"' in html
    assert "placeholder=" in html


def test_date_widget_shows_what_was_typed_when_it_was_wrong():
    form = person(born="31/02/2568")
    assert not form.is_valid()
    assert 'value="31/02/2568"' in str(form["born"])


def test_date_widget_keeps_given_attributes():
    widget = ThaiDateInput(attrs={"placeholder": "dd/mm/yyyy", "class": "date"})
    assert widget.attrs["placeholder"] == "dd/mm/yyyy"
    assert widget.attrs["class"] == "date"
    assert widget.attrs["autocomplete"] == "off"


@pytest.mark.parametrize(
    "typed", ["1234567890121", "1-2345-67890-12-1", " 1 2345 67890 12 1 ", "๑๒๓๔๕๖๗๘๙๐๑๒๑"]
)
def test_citizen_id_field_returns_the_thirteen_digits(typed):
    form = person(citizen_id=typed)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["citizen_id"] == "1234567890121"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("1234567890122", "citizen_id_checksum"),
        ("123456789012", "citizen_id_length"),
        ("0123456789016", "citizen_id_leading"),
        ("1-2345-67890-12-1-9999", "max_length"),
    ],
)
def test_citizen_id_field_refuses_bad_ids_with_a_reason(typed, code):
    form = person(citizen_id=typed)
    assert not form.is_valid()
    assert form.errors.as_data()["citizen_id"][0].code == code
    assert form.errors["citizen_id"][0]


def test_optional_citizen_id_may_be_empty_and_required_may_not():
    form = person(spouse_citizen_id="")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["spouse_citizen_id"] == ""
    assert not person(citizen_id="").is_valid()


def test_citizen_id_widget_asks_for_a_number_pad():
    field = CitizenIDField()
    assert field.widget.attrs["inputmode"] == "numeric"
    assert field.widget.attrs["autocomplete"] == "off"
    assert field.max_length == 20
    with pytest.raises(ValidationError):
        field.clean("1234567890122")


def test_a_choice_left_empty_asks_to_choose():
    from django import forms

    class Pick(forms.Form):
        where = forms.ChoiceField(choices=[("a", "A")])
        what = forms.CharField()

    with translation.override("th"):
        form = Pick({})
        assert form.errors["where"] == ["กรุณาเลือก"]
        assert form.errors["what"] != ["กรุณาเลือก"]


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        *[("3", 3), ("๓", 3), ("หมู่ 3", 3), ("หมู่ที่ 12", 12)],
        *[("ม.3", 3), ("ม. ๔", 4), ("ม 5", 5), ("Moo 3", 3), ("", None)],
    ],
)
def test_a_village_number_is_read_with_or_without_its_word(typed, read):
    from carenet.core.forms import MooField

    assert MooField(required=False).clean(typed) == read


@pytest.mark.parametrize("typed", ["0", "100", "บ้านนา", "3/1"])
def test_a_village_number_that_is_not_one_is_refused(typed):
    from carenet.core.forms import MooField

    with pytest.raises(ValidationError):
        MooField(required=False).clean(typed)
