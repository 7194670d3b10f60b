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
