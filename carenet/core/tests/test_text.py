"""What the eye cannot see is not kept."""

from carenet.core.text import visible


def test_visible():
    assert visible(" \u200b\u200c\u200d\ufeff ") == ""
    assert visible("สม\u200bชาย\x00") == "สมชาย"
    assert visible(" ไม่ประสงค์\nให้ข้อมูล ") == "ไม่ประสงค์\nให้ข้อมูล"  # line breaks kept


def test_direction_overrides_and_blank_looking_letters_are_not_kept():
    assert visible("สม\u200bชาย\u202eabc") == "สมชายabc"
    for blank in ("\u202e\u202e", "\u200e\u200f", "\u3164", "\u00ad", "\u2800", "\u2066\u2069"):
        assert visible(blank) == "", repr(blank)
