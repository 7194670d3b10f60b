"""The add-person form's help for names and documents."""

from django.utils import translation

from carenet.households.forms import PersonForm


def test_a_missing_first_name_says_what_to_write_for_a_baby_not_named_yet():
    with translation.override("en"):
        form = PersonForm(data={"title": "เด็กชาย", "first_name": "  ", "document_type": "none"})
        assert not form.is_valid()
        [reason] = form.errors["first_name"]
        assert reason.startswith("Enter the first name.") and "ทารก" in reason
        assert "ทารก" in str(form["first_name"].help_text)


def test_a_baby_registered_by_the_temporary_name_is_accepted():
    form = PersonForm(data={"title": "เด็กชาย", "first_name": "ทารก", "document_type": "none"})
    assert form.is_valid(), form.errors


def test_a_citizen_id_longer_than_the_box_takes_is_a_reason_not_a_500():
    """A script, or a form whose maxlength was taken off, posts a long text."""
    for typed in ("1-1896-97540-60-5 (old card)", "1" * 21):
        form = PersonForm(data={"first_name": "สมชาย", "citizen_id": typed})
        assert not form.is_valid()
        assert form.errors["citizen_id"]
