"""How Thai people are named and described, shared by volunteers and household members.

Names: a title (คำนำหน้า) then first and last name. Titles arrive in many spellings ("น.ส.",
"นางสาว", "Miss"), so `normalize_title` maps the common ones to the form the ID card prints, and
keeps any other title (ดร., พระ, ว่าที่ ร.ต. ...) as typed.

Duplicate search compares names by sound, not by spelling, because the same Thai name is
often typed differently (ศรีสุข / ศรีสุก). `name_key` is the udom83 Thai soundex of the first and
last names, from pythainlp; records with the same key and birth date are likely the same person.
Before the soundex, a ร that is written but not said is left out (`as_said`), since udom83 keeps
it: ศรี is said สี, ทราย ซาย, เพชร เพ็ด.
"""

import re
from datetime import date
from typing import Any

from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Replace
from django.db.models.lookups import IContains
from django.utils.translation import gettext_lazy as _
from pythainlp.soundex import soundex
from pythainlp.util import normalize

from carenet.core.text import INVISIBLE


class Sex(models.TextChoices):
    MALE = "M", _("male")
    FEMALE = "F", _("female")
    UNSPECIFIED = "X", _("not specified")


TITLES = ["นาย", "นาง", "นางสาว", "เด็กชาย", "เด็กหญิง"]

TITLE_ALIASES = {
    "นาย": "นาย", "mr": "นาย", "mister": "นาย",
    "นาง": "นาง", "mrs": "นาง",
    "นางสาว": "นางสาว", "น.ส.": "นางสาว", "นส.": "นางสาว", "น.ส": "นางสาว", "ms": "นางสาว",
    "miss": "นางสาว",
    "เด็กชาย": "เด็กชาย", "ด.ช.": "เด็กชาย", "ดช.": "เด็กชาย", "ด.ช": "เด็กชาย", "master": "เด็กชาย",
    "เด็กหญิง": "เด็กหญิง", "ด.ญ.": "เด็กหญิง", "ดญ.": "เด็กหญิง", "ด.ญ": "เด็กหญิง",
    # Ranks, an acting rank and professional titles, as registers abbreviate them. They tell
    # no sex, and each is its own title.
    **{rank: rank for rank in (
        "พล.อ.", "พล.ท.", "พล.ต.", "พ.อ.", "พ.ท.", "พ.ต.", "ร.อ.", "ร.ท.", "ร.ต.",
        "จ.ส.อ.", "จ.ส.ท.", "จ.ส.ต.", "ส.อ.", "ส.ท.", "ส.ต.", "พลฯ",
        "พ.ต.อ.", "พ.ต.ท.", "พ.ต.ต.", "ร.ต.อ.", "ร.ต.ท.", "ร.ต.ต.", "ด.ต.",
        "ส.ต.อ.", "ส.ต.ท.", "ส.ต.ต.", "ว่าที่ ร.ต.", "ดร.", "นพ.", "พญ.", "ทพ.", "ทพญ.",
    )},
    "ว่าที่ร.ต.": "ว่าที่ ร.ต.", "ว่าที่ร้อยตรี": "ว่าที่ ร.ต.", "ว่าที่ ร้อยตรี": "ว่าที่ ร.ต.",
}  # fmt: skip

SEX_OF_TITLE = {"นาย": Sex.MALE, "เด็กชาย": Sex.MALE, "นาง": Sex.FEMALE, "นางสาว": Sex.FEMALE,
                "เด็กหญิง": Sex.FEMALE}  # fmt: skip

SEX_ALIASES = {
    "ชาย": Sex.MALE, "ช": Sex.MALE, "m": Sex.MALE, "male": Sex.MALE, "1": Sex.MALE,
    "หญิง": Sex.FEMALE, "ญ": Sex.FEMALE, "f": Sex.FEMALE, "female": Sex.FEMALE, "2": Sex.FEMALE,
    "ไม่ระบุ": Sex.UNSPECIFIED, "x": Sex.UNSPECIFIED, "": Sex.UNSPECIFIED,
    "not specified": Sex.UNSPECIFIED, "unspecified": Sex.UNSPECIFIED,
}  # fmt: skip


# Thai titles as they are typed before a name, longest first ("นางสาว" before "นาง").
_TITLE_PREFIXES = sorted((t for t in TITLE_ALIASES if not t.isascii()), key=len, reverse=True)
_TITLE_START = tuple(_TITLE_PREFIXES)

# Titles of monks, novices and nuns, and of royal descent, that a search also reads past
# ("พระสมศักดิ์"). Not in TITLE_ALIASES: many names begin with these letters (พระพร), so an
# import or a form must not take them for a title typed into the first name.
_SEARCH_ONLY_TITLES = (
    "พระ", "พระครู", "พระมหา", "พระอธิการ", "พระปลัด", "พระสมุห์", "พระใบฎีกา", "พระครูสมุห์",
    "พระครูปลัด", "พระครูใบฎีกา", "สามเณร", "ส.ณ.", "แม่ชี", "ม.ร.ว.", "ม.ล.", "ม.จ.",
    "หม่อมราชวงศ์", "หม่อมหลวง", "ว่าที่ร้อยตรี", "ว่าที่ ร้อยตรี",
)  # fmt: skip
_SEARCH_TITLE_PREFIXES = sorted({*_TITLE_PREFIXES, *_SEARCH_ONLY_TITLES}, key=len, reverse=True)

# How a caller names someone at the front desk ("ยายสมศรี", "คุณ มาลี", "ลุงชม"). A search reads
# past these only when a name of three letters or more follows, starting as a Thai syllable
# can: "ตาล" and "คุณากร" stay whole. The whole text is searched as well.
_CALLED_BY = sorted(
    ("คุณ", "ป้า", "ลุง", "ยาย", "ตา", "น้า", "อา", "พี่", "น้อง", "แม่", "พ่อ", "เจ๊", "เฮีย", "หลาน",
     "แม่เฒ่า", "พ่อเฒ่า", "ตายาย"),
    key=len,
    reverse=True,
)  # fmt: skip
_SYLLABLE_START = re.compile(r"[ก-ฮเแโใไ]")


def _without_called_by(text: str) -> str:
    for word in _CALLED_BY:
        rest = text[len(word) :].strip()
        if text.startswith(word) and len(rest) >= 3 and _SYLLABLE_START.match(rest):
            return rest
    return text


def without_title(text: str, *, searching: bool = False) -> str:
    """The name in "นางมาลี ศรีสุข" or "น.ส. มาลี": what follows a Thai title, else the text.
    `searching` also reads past a monk's or royal title ("พระสมศักดิ์") and the words a caller
    puts before a name ("ยายสมศรี").

    A search tries both, since a title can also begin a name (นางนวล, พระพร).
    """
    for title in _SEARCH_TITLE_PREFIXES if searching else _TITLE_PREFIXES:
        if text.startswith(title) and text[len(title) :].strip():
            return text[len(title) :].strip()
    return _without_called_by(text) if searching else text


def title_in_name(text: str) -> str:
    """The Thai title a name starts with ("นาย" of "นายสมชาย"), or "" when it starts with none."""
    if text.startswith(_TITLE_START):
        return next(
            (t for t in _TITLE_PREFIXES if text.startswith(t) and text[len(t) :].strip()), ""
        )
    return ""


# More words than a name has only make the query longer.
NAME_WORDS = 5


def name_q(text: str, prefix: str = "") -> Q:
    """A search for a person by name: every word in the first or the last name ("มาลี ศรีสุข"
    and "ศรีสุข มาลี" alike), or, with a title typed before the name, every word of what
    follows the title ("นางมาลี"). The text is read as names are saved (clean_name): Thai
    typed an unusual way finds the name written the usual way. `prefix` reaches the names
    through a relation ("person__")."""
    text = clean_name(text)
    found = _every_word_q(text, prefix)
    untitled = without_title(text, searching=True)
    return found | _every_word_q(untitled, prefix) if untitled != text else found


def sounds_like_q(text: str) -> Q | None:
    """People whose first or last name sounds like each word of the text (name_key), for a
    search that found nothing spelt as typed. None when a word is not a name (digits)."""
    words = search_spelling(clean_name(text)).split()[:NAME_WORDS]
    if not words or any(ch.isdigit() for word in words for ch in word):
        return None
    found = Q()
    for word in words:
        key = name_key(word, "").split("-")[0]
        if not key:
            return None
        found &= Q(name_key__startswith=f"{key}-") | Q(name_key__endswith=f"-{key}")
    return found


def name_matches(text: str, person: Any) -> bool:
    """name_q for a person in hand (first_name, last_name): whether the search finds them,
    so that a list can say which member of a household it found."""
    text = clean_name(text)
    names = [_searched(person.first_name), _searched(person.last_name)]

    def every_word(typed: str) -> bool:
        words = search_spelling(typed).lower().split()[:NAME_WORDS]
        return bool(words) and all(any(word in name for name in names) for word in words)

    untitled = without_title(text, searching=True)
    return every_word(text) or (untitled != text and every_word(untitled))


def sounds_like(text: str, person: Any) -> bool:
    """sounds_like_q for a person in hand (name_key)."""
    words = search_spelling(clean_name(text)).split()[:NAME_WORDS]
    if not words or any(ch.isdigit() for word in words for ch in word):
        return False
    keys = [name_key(word, "").split("-")[0] for word in words]
    stored = person.name_key or ""
    return all(key and (stored.startswith(f"{key}-") or stored.endswith(f"-{key}")) for key in keys)


def _searched(name: str) -> str:
    return name.replace(_PHINTHU, "").replace(f" {_MAI_YAMOK}", _MAI_YAMOK).lower()


def _every_word_q(text: str, prefix: str) -> Q:
    found = Q()
    for word in search_spelling(text).split()[:NAME_WORDS]:
        found &= Q(IContains(_as_searched(f"{prefix}first_name"), word)) | Q(
            IContains(_as_searched(f"{prefix}last_name"), word)
        )
    return found


# Spellings a search takes as one: with or without พินทุ (ฐิตธมฺโม, ฐิตธมโม), and ไม้ยมก
# with or without a space before it (นานา ๆ, นานาๆ). Names are stored as typed.
_PHINTHU, _MAI_YAMOK = "\u0e3a", "\u0e46"
_AROUND_MAI_YAMOK = re.compile(r"\s*\u0e46\s*")


def search_spelling(text: str) -> str:
    """Searched text without พินทุ, each ๆ joined to the word before it and ending a word
    ("นานาๆดี" and "นานา ๆ ดี" are both "นานาๆ ดี"), so that each word is found alone."""
    return _AROUND_MAI_YAMOK.sub(f"{_MAI_YAMOK} ", text.replace(_PHINTHU, "")).strip()


def _as_searched(field: str) -> Replace:
    """A stored name the way search_spelling writes what is typed (its word breaks aside)."""
    without_phinthu = Replace(F(field), Value(_PHINTHU), Value(""))
    return Replace(without_phinthu, Value(f" {_MAI_YAMOK}"), Value(_MAI_YAMOK))


# A baby is registered before it is named: the first name stays required, and says what the
# register writes until then.
NOT_NAMED_YET = _(
    "A baby not named yet: write “ทารก”, or “บุตรของ” and the mother's name (บุตรของนางมาลี), "
    "and correct it once the baby is named."
)
FIRST_NAME_REQUIRED = _(
    "Enter the first name. A baby not named yet: write “ทารก”, or “บุตรของ” and the mother's "
    "name (บุตรของนางมาลี)."
)


def normalize_title(raw: str) -> str:
    """A Thai title for one as typed (น.ส., Mr., MRS): else the text, cleaned as names are."""
    cleaned = clean_name(raw)
    key = cleaned.lower()
    return (
        TITLE_ALIASES.get(key)
        or TITLE_ALIASES.get(key.rstrip("."))
        or TITLE_ALIASES.get(key.replace(" ", ""))  # "นาง สาว"
        or cleaned
    )


def parse_sex(raw: str) -> Sex | None:
    """The sex written in a cell (ชาย/หญิง/M/F/1/2...), or None when it cannot be read."""
    return SEX_ALIASES.get(raw.strip().lower().rstrip("."))


# Thai typed in ways that look the same as the usual spelling but are other characters: น + ํ
# + ้ + า for น้ำ (nikhahit and sara aa for sara am), เ + เ for แ, a mark typed twice, a tone
# mark typed before the vowel above the consonant, or after sara am (นำ้).
_UNUSUAL_THAI = re.compile(
    "\u0e4d|\u0e40\u0e40|([\u0e31\u0e34-\u0e3a\u0e47-\u0e4e])\\1|[\u0e48-\u0e4b][\u0e31\u0e34-\u0e3a]"
    "|\u0e33[\u0e48-\u0e4b]"
)


def thai_spelling(text: str) -> str:
    """The text with Thai typed the unusual ways above written the usual way (pythainlp), so
    that "นํ้าฝน" is found as "น้ำฝน". Looked for first: normalizing costs 30 µs a name."""
    return normalize(text) if _UNUSUAL_THAI.search(text) else text


def clean_name(raw: str) -> str:
    """Trims and collapses spaces and drops invisible characters; Thai typed an unusual way
    is written the usual way (thai_spelling); otherwise names keep their spelling exactly."""
    return thai_spelling(" ".join(raw.translate(INVISIBLE).split()))


_MARKS = "\u0e30-\u0e3a\u0e47-\u0e4e"  # vowel signs, tone marks, the killer ์
# Where a written ร is not said, in the spellings names use. A ร kept where it is said (ศรัณย์,
# ภัทรา, จันทรา, พร) keeps the key it had.
_SILENT_R = (
    # ทร starting a word is said ซ: ทราย, ทรัพย์, ทรงศักดิ์
    (re.compile(f"(?<![ก-ฮ{_MARKS}])ทร(?=[ก-ฮ{_MARKS}])"), "ซ"),
    # ศร/สร before ี or a tone mark, or after เ/แ: ศรี, สร้อย, เสริม, เศร้า
    (re.compile("([ศส])ร(?=[\u0e35\u0e48-\u0e4b])|(?<=[เแ])([ศส])ร"), r"\1\2"),
    # a ร ending a syllable after ก จ ช ต ท that a vowel opened: เพชร, มิตร, บุตร, ภัทร, จักรพันธ์
    (
        re.compile(
            f"(?:(?<=[\u0e31\u0e34-\u0e39\u0e47][กจชตท])|(?<=[เแโ][ก-ฮ][กจชตท]))ร(?![{_MARKS}])"
        ),
        "",
    ),
)


def as_said(name: str) -> str:
    """A name with the ร it does not say left out, for its sound-alike key."""
    if "ร" not in name:
        return name
    for pattern, said in _SILENT_R:
        name = pattern.sub(said, name)
    return name


def name_key(first_name: str, last_name: str) -> str:
    """A sound-alike key of a Thai name, for finding likely duplicates. Spaces around ๆ are
    left out first: "นานา ๆ" and "นานาๆ" are one name (and a key holds no space)."""
    parts = [
        as_said(_AROUND_MAI_YAMOK.sub(_MAI_YAMOK, clean_name(n))) for n in (first_name, last_name)
    ]
    return "-".join(soundex(part, engine="udom83") if part else "" for part in parts)


def age_on(birth_date: date | None, day: date) -> int | None:
    if birth_date is None:
        return None
    had_birthday = (day.month, day.day) >= (birth_date.month, birth_date.day)
    return day.year - birth_date.year - (0 if had_birthday else 1)


def years_before(day: date, years: int) -> date:
    """The same day `years` earlier: born on or before it, one is at least `years` old."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def months_on(birth_date: date | None, day: date) -> int | None:
    """Whole months of age: a baby's age, which in years is 0."""
    if birth_date is None:
        return None
    months = (day.year - birth_date.year) * 12 + day.month - birth_date.month
    return months - (1 if day.day < birth_date.day else 0)


def full_name(title: str, first_name: str, last_name: str) -> str:
    """นางสาวมาลี ศรีสุข: Thai writes the title joined to the first name; a name in Latin
    letters is set apart from it ("นาย John Smith", not "นายJohn")."""
    latin = first_name[:1].isascii() and first_name[:1].isalpha()
    return f"{title}{' ' if title and latin else ''}{first_name} {last_name}".strip()


# A Thai phone number's digits: mobiles have 10 (06, 08, 09), fixed lines 9 (02 to 07).
PHONE_NUMBER = re.compile(r"0[689]\d{8}|0[2-57]\d{7}")
PHONE_RULE = _(
    "Write a Thai phone number: a mobile has 10 digits (06, 08 or 09…), a fixed line 9 "
    "(02 to 07…), e.g. 081 234 5678."
)


def phone_shown(digits: str) -> str:
    """Stored digits grouped the way Thai numbers are written: mobiles 081-234-5678,
    Bangkok lines 02-123-4567, provincial lines 077-511-234; anything else as stored."""
    if not (digits.isascii() and digits.isdigit()):
        return digits
    if len(digits) == 10:
        return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    if len(digits) == 9 and digits.startswith("02"):
        return f"{digits[:2]}-{digits[2:5]}-{digits[5:]}"
    if len(digits) == 9:
        return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    return digits
