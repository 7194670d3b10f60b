"""People's names: a title typed before a name."""

from datetime import date

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
        ("น้ําฝน", "น้ำฝน"),  # mai tho, nikhahit, sara aa
        ("นำ้ฝน", "น้ำฝน"),  # sara am, then mai tho
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


def test_names_wrap_only_between_words_and_stay_escaped():
    from carenet.core.templatetags.thai import name_words

    shown = name_words("นางกะดิรัตน์ <b>ธนประทีป</b>")
    assert shown == (
        '<span class="nobr">นางกะดิรัตน์</span> <span class="nobr">&lt;b&gt;ธนประทีป&lt;/b&gt;</span>'
    )
    assert "nobr" not in name_words("A" * 40)  # a word this long may still break


@pytest.mark.parametrize(
    ("typed", "name", "title"),
    [
        ("ว่าที่ ร.ต.สมชาย", "สมชาย", "ว่าที่ ร.ต."),
        ("จ.ส.อ.ประยุทธ", "ประยุทธ", "จ.ส.อ."),
        ("ร.ต.อ. สมศักดิ์", "สมศักดิ์", "ร.ต.อ."),
        ("ดร.มาลี", "มาลี", "ดร."),
    ],
)
def test_ranks_and_professional_titles_before_a_name(typed, name, title):
    assert people.without_title(typed) == name
    assert people.title_in_name(typed) == title


def test_an_acting_rank_typed_several_ways_is_one_title():
    for typed in ("ว่าที่ร.ต.", "ว่าที่ ร.ต.", "ว่าที่ร้อยตรี"):
        assert people.normalize_title(typed) == "ว่าที่ ร.ต."


@pytest.mark.parametrize(
    ("born", "months"),
    [
        (date(2026, 6, 15), 5),
        (date(2026, 6, 16), 4),  # the fifth month is complete the next day
        (date(2026, 11, 15), 0),
        (date(2025, 11, 16), 11),
        (date(2025, 12, 31), 10),  # across a year end
    ],
)
def test_a_babys_age_in_months(born, months):
    assert people.months_on(born, date(2026, 11, 15)) == months


@pytest.mark.parametrize(
    ("title", "first", "last", "shown"),
    [
        ("นาย", "สมชาย", "ใจดี", "นายสมชาย ใจดี"),  # Thai joins the title to the name
        ("นาย", "John", "Testcase", "นาย John Testcase"),
        ("นางสาว", "emily", "Brown", "นางสาว emily Brown"),
        ("", "John", "", "John"),
        ("นาย", "1John", "", "นาย1John"),  # not a Latin letter: as typed
    ],
)
def test_a_latin_name_is_set_apart_from_its_title(title, first, last, shown):
    assert people.full_name(title, first, last) == shown


@pytest.mark.parametrize(
    ("typed", "title"),
    [("\u202eนาย\u202c", "นาย"), ("นาง สาว", "นางสาว"), ("  ว่าที่ ร.ต. ", "ว่าที่ ร.ต.")],
)
def test_a_title_is_cleaned_as_names_are(typed, title):
    """A right-to-left override kept in a title turned it around on the household page."""
    assert people.normalize_title(typed) == title


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("พระสมศักดิ์", "สมศักดิ์"),
        ("พระครูสมศักดิ์", "สมศักดิ์"),
        ("พระมหาสมศักดิ์ ฐิตธมฺโม", "สมศักดิ์ ฐิตธมฺโม"),
        ("ด.ญ.มาลี", "มาลี"),
        ("ว่าที่ร้อยตรีสมชาย", "สมชาย"),
        ("พระ", "พระ"),
    ],
)
def test_a_search_reads_past_a_monks_title(typed, name):
    assert people.without_title(typed, searching=True) == name


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("ยายสมศรี", "สมศรี"),
        ("คุณ มาลี", "มาลี"),
        ("ลุงชม", "ลุงชม"),  # two letters after ลุง: too short to be read as a name
        ("ลุงเชิด", "เชิด"),
        ("แม่เฒ่าบุญมา", "บุญมา"),
        ("ตาล", "ตาล"),
        ("คุณากร", "คุณากร"),  # no Thai syllable starts with า
        ("ป้า", "ป้า"),
    ],
)
def test_a_search_reads_past_the_words_a_caller_puts_before_a_name(typed, name):
    assert people.without_title(typed, searching=True) == name
    assert people.without_title(typed) == typed  # a form or an import keeps the name as typed


def test_only_a_search_reads_past_a_monks_title():
    # A sound-alike match takes the name as it is: พระพร is not พร.
    assert people.without_title("พระพร") == "พระพร"
    assert people.without_title("ด.ช.ต้น") == "ต้น"


def test_a_monks_title_is_not_taken_from_a_first_name_that_begins_with_it():
    assert people.title_in_name("พระพร") == ""  # an import or form keeps the name as typed
    assert people.normalize_title("พระ") == "พระ"


@pytest.mark.parametrize(
    ("typed", "searched"),
    [
        ("ฐิตธมฺโม", "ฐิตธมโม"),
        ("นานา ๆ", "นานาๆ"),
        ("นานาๆดี", "นานาๆ ดี"),
        ("นานา ๆ ดี", "นานาๆ ดี"),
        ("สมชาย", "สมชาย"),
    ],
)
def test_search_spelling(typed, searched):
    assert people.search_spelling(typed) == searched


def test_mai_yamok_with_or_without_a_space_has_one_key():
    assert people.name_key("นานา ๆ", "ดี ๆ") == people.name_key("นานาๆ", "ดีๆ")
    assert " " not in people.name_key("นานา ๆ", "")
    assert people.name_key("ฐิตธมฺโม", "") == people.name_key("ฐิตธมโม", "")


@pytest.mark.parametrize(
    "written, heard",
    [
        ("สมศรี", "สมสี"),
        ("ศรีสุข", "สีสุข"),
        ("สร้อยทอง", "ส้อยทอง"),
        ("เสริมศักดิ์", "เสิมศักดิ์"),
        ("ทรายทอง", "ซายทอง"),
        ("ทรัพย์สิน", "ซัพย์สิน"),
        ("บุตรดี", "บุตดี"),
        ("จักรพันธ์", "จักพันธ์"),
        ("มิตรชัย", "มิตชัย"),
    ],
)
def test_a_name_written_with_a_silent_ror_rua_has_the_key_of_the_name_as_said(written, heard):
    """A volunteer types the name they heard: สมสี for สมศรี."""
    assert people.name_key(written, "") == people.name_key(heard, "")


@pytest.mark.parametrize("said", ["ศรัณย์", "ภัทรา", "จันทรา", "พร", "อมร", "เจริญ", "ศรศักดิ์"])
def test_a_ror_rua_that_is_said_stays_in_the_key(said):
    assert people.as_said(said) == said
