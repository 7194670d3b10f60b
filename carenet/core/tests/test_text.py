"""What the eye cannot see is not kept."""

from carenet.core.text import visible


def test_visible():
    assert visible(" \u200b\u200c\u200d\ufeff ") == ""
    assert visible("สม\u200bชาย\x00") == "สมชาย"
    assert visible(" ไม่ประสงค์\nให้ข้อมูล ") == "ไม่ประสงค์\nให้ข้อมูล"  # line breaks kept
