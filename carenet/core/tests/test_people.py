"""People's names: a title typed before a name."""

import pytest

from carenet.core import people


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("นางมาลี", "มาลี"),
        ("นางสาวมาลี ศรีสุข", "มาลี ศรีสุข"),
        ("น.ส. มาลี", "มาลี"),
        ("ด.ช.ต้น", "ต้น"),
        ("มาลี", "มาลี"),
        ("นาง", "นาง"),  # a title alone is what was typed
    ],
)
def test_without_title(typed, name):
    assert people.without_title(typed) == name


@pytest.mark.parametrize(
    ("typed", "usual"),
    [
        ("นํ้าฝน", "น้ำฝน"),  # nikhahit, mai tho, sara aa: looks like sara am
        ("เเสงดาว", "แสงดาว"),  # sara e twice for sara ae
        ("มานีี", "มานี"),  # a vowel typed twice
        ("สมชาย", "สมชาย"),
    ],
)
def test_names_typed_an_unusual_way_are_written_the_usual_way(typed, usual):
    assert people.clean_name(typed) == usual
    assert people.name_key(people.clean_name(typed), "") == people.name_key(usual, "")


@pytest.mark.parametrize(
    ("typed", "title"),
    [("Mr.", "นาย"), ("MRS.", "นาง"), ("Miss.", "นางสาว"), ("น.ส.", "นางสาว"), ("ดร.", "ดร.")],
)
def test_titles_typed_with_a_dot(typed, title):
    assert people.normalize_title(typed) == title
