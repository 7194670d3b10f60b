"""The columns of Carenet's registry spreadsheets, for imports and exports alike.

One declaration serves both directions, so an exported file can be imported again without
losing the fields that matter. Each column (`tabular.Column`) has a key for the code and the
header names people write for it: the first is Thai, and it is the header an export writes;
the others (English, and common spellings) are accepted on import.

Households and their people come one row per person: the household's columns repeat on each
of its members' rows, and `household_ref` groups them. Volunteers come one row per volunteer.

Coded values (relation, housing, status, ...) are written in Thai words. A `Vocabulary` lists,
for each code, the words accepted on import; the first word is the one an export writes.
The code itself and its English label are always accepted too. Lists (vulnerable groups,
welfare received, covered villages, other roles) are comma-separated.

The `*_row_values` functions turn one loaded record into the cell texts of its row, as a CSV
writes them. They never query: the export passes records with what they need already loaded
(see each docstring), and, when it wants area names, a mapping of area codes to areas. A
workbook writes a column's texts as its `cell` says (numbers, Buddhist Era dates: see
exporting), which is marked on the column: by default its cells are text.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from django.db import models
from django.utils import timezone, translation

from carenet.areas.models import Area
from carenet.core import citizen_id, thaidate
from carenet.core.people import Sex, phone_shown
from carenet.core.tabular import CellType, Column, Kind, header_key, normalize_header
from carenet.households.models import (
    Condition,
    ConsentBasis,
    DisabilityType,
    DocumentType,
    Household,
    Ownership,
    Person,
    Relation,
)
from carenet.households.vulnerability import GROUP_LABELS, RECORDED_FLAGS, priority_level
from carenet.volunteers.models import OtherRole, Volunteer, VolunteerStatus

# --- Words for coded values ----------------------------------------------------------------

_WORD_MARKS = re.compile(r"[\s._\-]")


def word_key(text: str) -> str:
    """How words are compared: case-folded, without spaces, dots, hyphens or underscores."""
    return _WORD_MARKS.sub("", text.casefold())


class Vocabulary:
    """The words a cell may hold for each code; the first word of each is the one written.

    The code itself and its label (`labels`: the choices, or a dict of labels), in Thai and
    in English, with or without a Thai gloss in brackets, are accepted as well: a file may
    say what the pages show. Labels are read on first use, once translations are loaded.
    """

    def __init__(
        self,
        words: dict[str, tuple[str, ...]],
        labels: type[models.TextChoices] | Mapping[str, Any] | None = None,
    ) -> None:
        self.words = words
        if isinstance(labels, type):
            labels = {code: labels(code).label for code in words}
        self.labels: Mapping[str, Any] = labels or {}
        self._known: dict[str, str] | None = None

    @property
    def _lookup(self) -> dict[str, str]:
        if self._known is None:
            self._known = {}
            for code, written in self.words.items():
                for word in [code, *written, *self._label_words(code)]:
                    known = self._known.setdefault(word_key(word), code)
                    assert known == code, f"“{word}” stands for both {known} and {code}"
        return self._known

    def _label_words(self, code: str) -> list[str]:
        label = self.labels.get(code)
        if label is None:
            return []
        said = []
        for language in ("th", "en"):
            with translation.override(language):
                text = str(label)
            said += [text, _GLOSS.sub("", text)]
        return said

    def parse(self, text: str) -> str | None:
        """The code a cell's word stands for, or None when it is not a known word."""
        return self._lookup.get(word_key(text))

    def word(self, code: str) -> str:
        """The word an export writes for a code ("" for no code)."""
        return self.words[code][0] if code else ""

    def listed(self) -> str:
        """The written words, for error messages: “a”, “b”, “c”; on an English page, with
        the English label of each."""
        english = (translation.get_language() or "").startswith("en")
        return ", ".join(
            f"“{written[0]}” ({self.labels[code]})"
            if english and code in self.labels
            else f"“{written[0]}”"
            for code, written in self.words.items()
        )


_GLOSS = re.compile(r"\s*\([^)]*\)\s*$")  # "village health volunteer (อสม.)"


RELATIONS = Vocabulary(
    {
        Relation.HEAD: ("หัวหน้าครัวเรือน", "หัวหน้า", "เจ้าบ้าน", "head of household"),
        Relation.SPOUSE: ("คู่สมรส", "สามี", "ภรรยา", "ภริยา", "husband", "wife"),
        Relation.CHILD: (
            "บุตร",
            "ลูก",
            "บุตรชาย",
            "บุตรสาว",
            "ลูกชาย",
            "ลูกสาว",
            "บุตรบุญธรรม",
            "ลูกบุญธรรม",
            "ลูกเลี้ยง",
            "son",
            "daughter",
        ),
        Relation.PARENT: (
            "บิดาหรือมารดา",
            "บิดามารดา",
            "บิดา",
            "มารดา",
            "พ่อ",
            "แม่",
            "father",
            "mother",
        ),
        Relation.GRANDCHILD: ("หลาน", "หลานชาย", "หลานสาว", "grandson", "granddaughter"),
        Relation.GRANDPARENT: (
            "ปู่ ย่า ตา หรือยาย",
            "ปู่ย่าตายาย",
            "ปู่",
            "ย่า",
            "ตา",
            "ยาย",
            "grandfather",
            "grandmother",
        ),
        Relation.SIBLING: (
            "พี่น้อง",
            "พี่",
            "น้อง",
            "พี่ชาย",
            "พี่สาว",
            "น้องชาย",
            "น้องสาว",
            "brother",
            "sister",
        ),
        # In-laws, aunts and uncles, great-grandchildren: relatives of the household.
        Relation.RELATIVE: (
            "ญาติอื่น",
            "ญาติ",
            "ลูกเขย",
            "ลูกสะใภ้",
            "บุตรเขย",
            "บุตรสะใภ้",
            "พ่อตา",
            "แม่ยาย",
            "พ่อสามี",
            "แม่สามี",
            "ลุง",
            "ป้า",
            "น้า",
            "อา",
            "เหลน",
            "other relative",
        ),
        Relation.NON_RELATIVE: ("ไม่ใช่ญาติ", "ผู้อาศัย", "non-relative", "lodger"),
    },
    Relation,
)
OWNERSHIPS = Vocabulary(
    {
        # The first word of each is the page's: an export says what the household page says.
        Ownership.OWN: ("บ้านของตนเอง", "ของตนเอง", "เจ้าของ", "own house", "owner"),
        Ownership.RENT: ("เช่าอยู่", "เช่า", "บ้านเช่า", "rented"),
        Ownership.RELATIVE: ("อาศัยอยู่กับญาติ", "อาศัยญาติ", "lives with relatives"),
        Ownership.PUBLIC: (
            "อยู่ในที่ดินสาธารณะหรือที่วัด",
            "ที่สาธารณะหรือที่วัด",
            "ที่สาธารณะ",
            "ที่วัด",
            "public land",
        ),
        Ownership.ENCROACHED: ("บุกรุกที่ดิน", "บุกรุก", "ที่ดินบุกรุก", "encroached land"),
        Ownership.OTHER: ("อื่น ๆ", "อื่น"),
    },
    Ownership,
)
CONDITIONS = Vocabulary(
    {
        Condition.GOOD: ("มั่นคงแข็งแรง", "แข็งแรง", "ดี", "good"),
        Condition.FAIR: ("ต้องซ่อมแซม", "ชำรุดบางส่วน", "fair"),
        Condition.POOR: ("ทรุดโทรม", "poor"),
        Condition.UNSAFE: ("ไม่ปลอดภัยต่อการอยู่อาศัย", "ไม่ปลอดภัย", "unsafe"),
    },
    Condition,
)
DOCUMENTS = Vocabulary(
    {
        DocumentType.PINK_CARD: ("บัตรชมพู", "บัตรประจำตัวคนซึ่งไม่มีสัญชาติไทย", "pink card"),
        DocumentType.PASSPORT: ("หนังสือเดินทาง", "พาสปอร์ต"),
        DocumentType.BIRTH_CERTIFICATE: ("สูติบัตร", "ใบเกิด", "birth certificate"),
        DocumentType.STATELESS: ("เอกสารบุคคลไร้สถานะ", "ไร้สถานะ", "stateless"),
        DocumentType.NONE: ("ไม่มีเอกสาร", "ไม่มี", "no document"),
        DocumentType.ID_UNKNOWN: (
            "มีเลขประจำตัวประชาชน แต่ยังไม่ทราบเลข",
            "ยังไม่ทราบเลข",
            "ไม่ทราบเลขประจำตัวประชาชน",
            "id not known yet",
        ),
    },
    DocumentType,
)
DISABILITIES = Vocabulary(
    {
        DisabilityType.VISUAL: ("ทางการเห็น", "การเห็น", "ตาบอด", "blind"),
        DisabilityType.HEARING: ("ทางการได้ยินหรือสื่อความหมาย", "การได้ยิน", "หูหนวก", "deaf"),
        DisabilityType.PHYSICAL: ("ทางการเคลื่อนไหวหรือทางร่างกาย", "การเคลื่อนไหว", "ทางร่างกาย"),
        DisabilityType.MENTAL: ("ทางจิตใจหรือพฤติกรรม", "ทางจิตใจ", "จิตใจ", "พฤติกรรม"),
        DisabilityType.INTELLECTUAL: ("ทางสติปัญญา", "สติปัญญา"),
        DisabilityType.LEARNING: ("ทางการเรียนรู้", "การเรียนรู้"),
        DisabilityType.AUTISM: ("ทางออทิสติก", "ออทิสติก", "autistic"),
    },
    DisabilityType,
)
CONSENTS = Vocabulary(
    {
        ConsentBasis.CONSENT: ("ยินยอม", "ให้ความยินยอม", "เจ้าของข้อมูลยินยอม"),
        ConsentBasis.GUARDIAN: ("ผู้ปกครองยินยอม", "ผู้แทนโดยชอบธรรมยินยอม", "guardian consent"),
        ConsentBasis.VITAL_INTEREST: ("ป้องกันอันตรายต่อชีวิตหรือสุขภาพ", "vital interest"),
        ConsentBasis.PUBLIC_TASK: ("ภารกิจของรัฐ", "ภารกิจเพื่อประโยชน์สาธารณะ", "public task"),
        ConsentBasis.LEGAL_OBLIGATION: ("หน้าที่ตามกฎหมาย", "legal obligation"),
    },
    ConsentBasis,
)
SEXES = Vocabulary({Sex.MALE: ("ชาย",), Sex.FEMALE: ("หญิง",), Sex.UNSPECIFIED: ("ไม่ระบุ",)}, Sex)


def _also_misspelt(*words: str) -> tuple[str, ...]:
    """The words, then each spelt with ฎ for ฏ, as offices often type ปฏิบัติ (ปฎิบัติ)."""
    return tuple(dict.fromkeys([*words, *(word.replace("ฏ", "ฎ") for word in words)]))


VOLUNTEER_STATUSES = Vocabulary(
    {
        VolunteerStatus.ACTIVE: _also_misspelt(
            "ปฏิบัติงาน", "ปกติ", "ยังปฏิบัติงาน", "ยังปฏิบัติงานอยู่", "ปฏิบัติงานอยู่", "active"
        ),
        VolunteerStatus.INACTIVE: _also_misspelt(
            "ไม่ได้ปฏิบัติงาน", "ไม่ปฏิบัติงาน", "พักการปฏิบัติงาน", "inactive"
        ),
        VolunteerStatus.RESIGNED: ("ลาออก", "ลาออกแล้ว", "resigned"),
        VolunteerStatus.REMOVED: ("พ้นสภาพ", "ถูกถอดถอน", "ถอดถอน", "removed"),
        VolunteerStatus.DECEASED: ("เสียชีวิต", "ถึงแก่กรรม", "ตาย", "deceased", "dead"),
    },
    VolunteerStatus,
)
OTHER_ROLES = Vocabulary(
    {
        OtherRole.VHV: (
            "อสม.",
            "อาสาสมัครสาธารณสุขประจำหมู่บ้าน",
            "อาสาสมัครสาธารณสุข",
            "vhv",
        ),
        OtherRole.CIVIL_DEFENCE: ("อปพร.", "อาสาสมัครป้องกันภัยฝ่ายพลเรือน", "civil defence"),
        OtherRole.VILLAGE_HEAD: (
            "ผู้ใหญ่บ้าน",
            "ผู้ช่วยผู้ใหญ่บ้าน",
            "ผญบ.",
            "ผช.ผญบ.",
            "village head",
        ),
        OtherRole.SUBDISTRICT_HEAD: ("กำนัน", "subdistrict headman", "kamnan"),
        OtherRole.COMMUNITY_LEADER: ("ผู้นำชุมชน", "community leader"),
        OtherRole.LOCAL_COUNCIL: (
            "สมาชิกสภาท้องถิ่น",
            "ส.อบต.",
            "สมาชิกสภา อบต.",
            "สมาชิก อบต.",
            "ส.ท.",
            "local council",
        ),
        OtherRole.CHILD_PROTECTION: ("อาสาสมัครคุ้มครองเด็ก", "child protection"),
        OtherRole.ELDERLY_CARER: ("อผส.", "อาสาสมัครดูแลผู้สูงอายุ", "elderly carer"),
        OtherRole.OTHER: ("อื่น ๆ", "อื่น"),
    },
    OtherRole,
)
# The vulnerable groups recorded on a person (their flags), then the groups that Carenet
# works out from age and sex: those are accepted in a file but not stored.
GROUPS = Vocabulary(
    {
        "disability": ("คนพิการ", "ผู้พิการ", "พิการ", "disabled", "person with disability"),
        "bedridden": ("ผู้ป่วยติดเตียง", "ติดเตียง"),
        "lives_alone": ("อยู่ลำพัง", "อยู่คนเดียว", "living alone"),
        "chronic_illness": ("ผู้ป่วยโรคเรื้อรัง", "โรคเรื้อรัง", "chronic"),
        "pregnant": ("หญิงตั้งครรภ์", "ตั้งครรภ์"),
        "single_parent": ("พ่อหรือแม่เลี้ยงเดี่ยว", "พ่อแม่เลี้ยงเดี่ยว", "พ่อ/แม่เลี้ยงเดี่ยว", "เลี้ยงเดี่ยว"),
        "homeless": ("คนไร้บ้าน", "ไร้บ้าน"),
        "disadvantaged": ("ผู้ด้อยโอกาส", "ด้อยโอกาส"),
        "disaster_affected": ("ผู้ประสบภัยพิบัติ", "ผู้ประสบภัย", "ประสบภัย", "disaster affected"),
        "child": ("เด็ก", "children"),
        "youth": ("เยาวชน",),
        "elderly": ("ผู้สูงอายุ", "สูงอายุ", "older person"),
        "woman": ("สตรี", "ผู้หญิง", "women"),
    },
    GROUP_LABELS,
)
assert set(RECORDED_FLAGS) <= set(GROUPS.words), "every recorded flag needs its words"
DERIVED_GROUPS = frozenset({"child", "youth", "elderly", "woman"})
WELFARE = Vocabulary(
    {
        "welfare_card": ("บัตรสวัสดิการแห่งรัฐ", "บัตรคนจน", "state welfare card"),
        "elderly_allowance": ("เบี้ยยังชีพผู้สูงอายุ", "เบี้ยผู้สูงอายุ", "elderly allowance"),
        "disability_allowance": ("เบี้ยความพิการ", "เบี้ยยังชีพคนพิการ", "disability allowance"),
        "newborn_grant": ("เงินอุดหนุนเด็กแรกเกิด", "เงินอุดหนุนเพื่อการเลี้ยงดูเด็กแรกเกิด"),
    },
    {
        code: getattr(Person._meta.get_field(code), "verbose_name", code)
        for code in ("welfare_card", "elderly_allowance", "disability_allowance", "newborn_grant")
    },
)
YES_WORDS = frozenset(map(word_key, ("ใช่", "มี", "เป็น", "y", "yes", "true", "1", "✓", "✔", "/")))
NO_WORDS = frozenset(map(word_key, ("ไม่", "ไม่ใช่", "ไม่มี", "ไม่เป็น", "n", "no", "false", "0", "-")))
YES, NO = "ใช่", "ไม่"
LIST_SEPARATOR = ", "


# --- Columns -------------------------------------------------------------------------------


def _area_columns() -> tuple[Column, ...]:
    return (
        Column("subdistrict", ("ตำบล", "subdistrict", "tambon", "แขวง", "ตำบล/แขวง")),
        Column("district", ("อำเภอ", "district", "amphoe", "เขต", "อำเภอ/เขต")),
        Column("province", ("จังหวัด", "province", "changwat")),
        Column(
            "subdistrict_code",
            ("รหัสตำบล", "subdistrict_code", "subdistrict code", "tambon code"),
            kind=Kind.INTEGER,
        ),
    )


def _column(key: str, *, required: bool = False, more: tuple[str, ...] = ()) -> Column:
    """A column households and volunteers share; `more`: headers only one kind uses."""
    aliases, kind = _SHARED[key]
    cell = _SHARED_CELLS.get(key, CellType.TEXT)
    return Column(key, (*aliases, *more), required=required, kind=kind, cell=cell)


_SHARED: dict[str, tuple[tuple[str, ...], Kind]] = {
    "house_no": (("บ้านเลขที่", "house_no", "house no", "house no.", "house number"), Kind.TEXT),
    "moo": (("หมู่ที่", "moo", "หมู่", "village_no", "village no"), Kind.INTEGER),
    "citizen_id": (
        (
            "เลขประจำตัวประชาชน",
            "citizen_id",
            "citizen id",
            "national id",
            "เลขบัตรประชาชน",
            "เลขบัตรประจำตัวประชาชน",
            "เลขที่บัตรประชาชน",
            "เลขประจำตัว",
            "บัตรประชาชน",
            "เลขบัตร",
            "เลข 13 หลัก",
            "เลขประจำตัวประชาชน 13 หลัก",
        ),
        Kind.TEXT,
    ),
    "title": (("คำนำหน้า", "title", "prefix", "คำนำหน้าชื่อ", "คำนำหน้านาม"), Kind.TEXT),
    "first_name": (("ชื่อ", "first_name", "first name", "given name"), Kind.TEXT),
    "last_name": (
        ("นามสกุล", "last_name", "last name", "surname", "family name", "สกุล"),
        Kind.TEXT,
    ),
    "birth_date": (
        ("วันเกิด", "birth_date", "birth date", "date of birth", "วันเดือนปีเกิด", "ว/ด/ป เกิด"),
        Kind.DATE,
    ),
    "sex": (("เพศ", "sex", "gender"), Kind.TEXT),
    "phone": (
        (
            "โทรศัพท์",
            "phone",
            "telephone",
            "mobile",
            "เบอร์โทรศัพท์",
            "เบอร์โทร",
            "โทร",
            "มือถือ",
            "เบอร์มือถือ",
            "เบอร์ติดต่อ",
            "หมายเลขโทรศัพท์",
            "โทรศัพท์มือถือ",
            "เบอร์โทรศัพท์มือถือ",
        ),
        Kind.TEXT,
    ),
}
# The shared columns an export writes as other than text (CellType). หมู่ที่ is a number
# wherever Carenet keeps it (a household's, a volunteer's home), never "1-2" nor "๓".
_SHARED_CELLS = {"moo": CellType.NUMBER, "birth_date": CellType.DATE}

# When an export read its data from Carenet. Importing the file again, a row that would
# change a record changed since then is refused: an old file must not undo later edits.
AS_OF = Column(
    "as_of", ("ข้อมูล ณ", "as_of", "as of", "data as of", "ข้อมูล ณ วันที่"), cell=CellType.DATETIME
)

# For the reader of a households export, never imported (EXPORT_ONLY): the shelter where an
# evacuated household stays now (households.models.Evacuation). It is recorded on the
# household's page, which also ends it when the household is back home; a file cannot say so.
EVACUATED_TO = Column("evacuated_to", ("อพยพไปที่", "evacuated_to", "evacuated to"))
# For the reader of a households export, never imported: what Carenet works out from the
# members (households.vulnerability), so that a file can count households by priority or by
# group. Worked out again from the members, so an import reads nothing from them.
PRIORITY = Column("priority", ("ลำดับความสำคัญ", "priority", "priority level"))
PRIORITY_SCORE = Column(
    "priority_score",
    ("คะแนนความสำคัญ", "priority_score", "priority score"),
    kind=Kind.INTEGER,
    cell=CellType.NUMBER,
)
HOUSEHOLD_GROUPS = Column(
    "household_groups", ("กลุ่มเปราะบางของครัวเรือน", "household_groups", "household groups")
)
PRIORITY_WORDS = {"high": "สูง", "medium": "ปานกลาง", "low": "ต่ำ"}

HOUSEHOLD_COLUMNS: tuple[Column, ...] = (
    Column(
        "household_ref",
        (
            "รหัสครัวเรือน",
            "household_ref",
            "household ref",
            "household id",
            "ครัวเรือนที่",
            "ลำดับครัวเรือน",
            "เลขที่ครัวเรือน",
        ),
    ),
    _column("house_no"),
    _column("moo"),
    Column("soi", ("ซอย", "soi", "lane")),
    Column("road", ("ถนน", "road", "street")),
    *_area_columns(),
    Column("lat", ("ละติจูด", "lat", "latitude"), cell=CellType.NUMBER),
    Column("lon", ("ลองจิจูด", "lon", "longitude", "lng"), cell=CellType.NUMBER),
    EVACUATED_TO,
    Column("ownership", ("การครอบครองที่อยู่อาศัย", "ownership", "housing")),
    Column("condition", ("สภาพที่อยู่อาศัย", "condition", "house condition")),
    PRIORITY,
    PRIORITY_SCORE,
    HOUSEHOLD_GROUPS,
    Column(
        "volunteer_citizen_id",
        ("เลขประจำตัวประชาชน อพม.", "volunteer_citizen_id", "volunteer citizen id"),
    ),
    _column("citizen_id"),
    Column("document_type", ("ประเภทเอกสาร", "document_type", "document type")),
    Column("document_no", ("เลขที่เอกสาร", "document_no", "document no", "document number")),
    _column("title"),
    _column("first_name"),  # or the full name (HOUSEHOLD_IMPORT_COLUMNS): the importer checks
    _column("last_name"),
    _column("birth_date"),
    _column("sex"),
    Column(
        "relation",
        (
            "ความสัมพันธ์กับหัวหน้าครัวเรือน",
            "relation",
            "relationship",
            "ความสัมพันธ์",
            "ความสัมพันธ์กับหัวหน้าครอบครัว",
            "ความเกี่ยวข้องกับเจ้าบ้าน",
            "ความเกี่ยวพันกับเจ้าบ้าน",
        ),
    ),
    _column("phone"),
    Column("vulnerable_groups", ("กลุ่มเปราะบาง", "vulnerable_groups", "vulnerable groups")),
    Column("bedridden", ("ติดเตียง", "bedridden")),
    Column("lives_alone", ("อยู่ลำพัง", "lives_alone", "lives alone")),
    Column("disability_type", ("ประเภทความพิการ", "disability_type", "disability type")),
    Column(
        "disability_card_no",
        ("เลขบัตรคนพิการ", "disability_card_no", "disability card no", "disability card"),
    ),
    Column("welfare", ("สวัสดิการที่ได้รับ", "welfare", "welfare received")),
    Column("consent", ("ฐานการประมวลผลข้อมูล", "consent", "consent basis", "ความยินยอม")),
    Column(
        "consent_date",
        ("วันที่ให้ความยินยอม", "consent_date", "consent date"),
        kind=Kind.DATE,
        cell=CellType.DATE,
    ),
    AS_OF,
)

# For the reader of a volunteers export, never imported: how many active households each
# volunteer looks after (volunteers.selectors.looks_after), which Carenet counts from the
# households' volunteers. The volunteers import declares it, so that an export imported again
# has no column it does not read; it reads nothing from it.
LOOKS_AFTER = Column(
    "households_looked_after",
    ("จำนวนครัวเรือนที่ดูแล", "households_looked_after", "households looked after"),
    kind=Kind.INTEGER,
    cell=CellType.NUMBER,
)
# The date of the volunteer's latest change of status (not their registration; a change taken
# back as a mistake left out), so that "resigned this month" can be filtered in the file. An
# import reads it only in a row that changes the status: the date that change takes effect.
STATUS_DATE = Column(
    "status_date",
    ("วันที่เปลี่ยนสถานะ", "status_date", "status date", "status changed on"),
    kind=Kind.DATE,
    cell=CellType.DATE,
)
# Columns an export writes and an import skips: not in the guide or the blank template.
EXPORT_ONLY = (
    LOOKS_AFTER.key,
    EVACUATED_TO.key,
    PRIORITY.key,
    PRIORITY_SCORE.key,
    HOUSEHOLD_GROUPS.key,
)

VOLUNTEER_COLUMNS: tuple[Column, ...] = (
    _column("citizen_id", required=True),
    # The name, or the whole name in one column (VOLUNTEER_IMPORT_COLUMNS): the importer checks.
    _column("title"),
    _column("first_name"),
    _column("last_name"),
    _column("birth_date"),
    _column("sex"),
    # A volunteers file's phone is the volunteer's; in a households file it is not.
    _column("phone", more=("เบอร์โทรศัพท์ อพม.", "เบอร์โทร อพม.", "โทรศัพท์ อพม.")),
    Column("line_id", ("LINE ID", "line_id", "line", "ไลน์", "ไอดีไลน์")),
    *_area_columns(),
    Column(
        "covered_moo",
        (
            "หมู่ที่รับผิดชอบ",
            "covered_moo",
            "covered moo",
            "covered villages",
            "หมู่บ้านที่รับผิดชอบ",
            "หมู่ที่ดูแล",
            "หมู่บ้านที่ดูแล",
        ),
    ),
    Column(
        "registration_no",
        (
            "เลขทะเบียน",
            "registration_no",
            "registration no",
            "เลขที่ทะเบียน",
            "เลขทะเบียน อพม.",
            "เลขที่ทะเบียน อพม.",
            # Headers compare without spaces or dots: "ทะเบียนอพม.เลขที่" is read too.
            "ทะเบียน อพม. เลขที่",
            "ทะเบียนเลขที่",
        ),
    ),
    Column(
        "registration_date",
        (
            "วันที่ขึ้นทะเบียน",
            "registration_date",
            "registration date",
            "วันขึ้นทะเบียน",
            "วันที่ได้รับการแต่งตั้ง",
            "วันที่แต่งตั้ง",
        ),
        kind=Kind.DATE,
        cell=CellType.DATE,
    ),
    Column(
        "status",
        (
            "สถานะ",
            "status",
            "สถานะ อพม.",
            "สถานภาพ",
            "สถานะการปฏิบัติงาน",
            "สถานะการปฎิบัติงาน",  # ฎ for ฏ, as often typed
            "สถานะปัจจุบัน",
            "สถานภาพ อพม.",
        ),
    ),
    STATUS_DATE,
    Column("other_roles", ("บทบาทอื่น", "other_roles", "other roles", "บทบาทอื่นในชุมชน")),
    _column("house_no"),
    _column("moo"),
    # Where the volunteer lives (house no., หมู่, the subdistrict's code), after where they
    # serve: an export read left to right does not pass the subdistrict served for the home's.
    Column(
        "home_subdistrict_code",
        ("รหัสตำบลที่อยู่", "home_subdistrict_code", "home subdistrict code"),
        kind=Kind.INTEGER,
    ),
    LOOKS_AFTER,
    AS_OF,
)

# Many office sheets write the whole name in one column: a households import reads it too,
# and an export keeps the name in its parts.
FULL_NAME = Column(
    "full_name", ("ชื่อ-สกุล", "full_name", "full name", "ชื่อ-นามสกุล", "ชื่อและนามสกุล", "ชื่อเต็ม")
)
HOUSEHOLD_IMPORT_COLUMNS = (*HOUSEHOLD_COLUMNS, FULL_NAME)
VOLUNTEER_IMPORT_COLUMNS = (*VOLUNTEER_COLUMNS, FULL_NAME)

# Columns only one kind of file has: a file with one of the other kind's was chosen wrongly.
HOUSEHOLD_ONLY = ("household_ref", "relation", "vulnerable_groups")
VOLUNTEER_ONLY = ("registration_no", "registration_date", "covered_moo")


def other_kind_column(
    ignored: list[tuple[str, str]], other: Sequence[Column], keys: Sequence[str]
) -> str:
    """The header of a column, among those an import ignored, that only files of the other kind
    have ("" when there is none)."""
    aliases = {normalize_header(a): c.key for c in other if c.key in keys for a in c.aliases}
    return next((header for _letter, header in ignored if header_key(header, aliases)), "")


HOUSEHOLD_KEYS = tuple(c.key for c in HOUSEHOLD_COLUMNS)
VOLUNTEER_KEYS = tuple(c.key for c in VOLUNTEER_COLUMNS)


def imported(columns: Iterable[Column]) -> tuple[Column, ...]:
    """The columns an import reads something from (EXPORT_ONLY left out)."""
    return tuple(c for c in columns if c.key not in EXPORT_ONLY)


def label(columns: Iterable[Column], key: str) -> str:
    """The Thai header of a column: what an export writes and an error names when the file
    has no such column."""
    return next(c.label for c in columns if c.key == key)


def household_headers() -> list[str]:
    """The header row of a households export, in column order."""
    return [c.label for c in HOUSEHOLD_COLUMNS]


def volunteer_headers() -> list[str]:
    """The header row of a volunteers export, in column order."""
    return [c.label for c in VOLUNTEER_COLUMNS]


def header_keys(headers: Sequence[str]) -> list[str]:
    """The column key of each header an export or template writes ("" for none)."""
    keys = {c.label: c.key for c in (*HOUSEHOLD_COLUMNS, *VOLUNTEER_COLUMNS)}
    return [keys.get(header, "") for header in headers]


def header_cells(headers: Sequence[str]) -> list[CellType]:
    """How a workbook writes the cells under each header of an export (TEXT for none)."""
    cells = {c.label: c.cell for c in (*HOUSEHOLD_COLUMNS, *VOLUNTEER_COLUMNS)}
    return [cells.get(header, CellType.TEXT) for header in headers]


# --- Row values for exports ----------------------------------------------------------------


def _date(value: Any) -> str:
    return thaidate.format_numeric(value) if value else ""


def as_of_text(moment: datetime) -> str:
    """30/11/2569 10:15:42, Bangkok time: the as_of cell of an export read at `moment`."""
    local = timezone.localtime(moment)
    return f"{thaidate.format_numeric(local.date())} {local:%H:%M:%S}"


def _citizen_id(record: Any) -> str:
    # Written with dashes, as the card prints it: a spreadsheet would turn 13 bare digits
    # into a number and show it as 1.10E+12.
    digits = record.read_citizen_id()
    return citizen_id.formatted(digits) if digits else ""


def _area_values(code: str, areas: Mapping[str, Area] | None) -> dict[str, str]:
    subdistrict = code[:6]
    values = {"subdistrict_code": subdistrict, "subdistrict": "", "district": "", "province": ""}
    if areas is not None:
        for key, prefix in (("subdistrict", 6), ("district", 4), ("province", 2)):
            area = areas.get(subdistrict[:prefix])
            values[key] = area.name_th if area is not None else ""
    return values


def _prefetched(record: models.Model, name: str) -> list[Any] | None:
    """The related objects `name` when the caller prefetched them, else None (no query)."""
    cache = getattr(record, "_prefetched_objects_cache", {})
    return list(cache[name]) if name in cache else None


# What household_row_values reads of a person and their household: an export loads only these
# (a person row has timestamps and keys besides, which took a third of a province's export).
HOUSEHOLD_ROW_FIELDS = (
    "area_id",
    "citizen_id_encrypted",
    "document_type",
    "document_no",
    "title",
    "first_name",
    "last_name",
    "birth_date",
    "sex",
    "relation",
    "phone",
    *RECORDED_FLAGS,
    "disability_type",
    "disability_card_no",
    *WELFARE.words,
    "household__area_id",
    "household__house_no",
    "household__moo",
    "household__soi",
    "household__road",
    "household__latitude",
    "household__longitude",
    "household__ownership",
    "household__condition",
    "household__priority_score",
    "household__vulnerability",
)


@cache
def _thai_group_words() -> dict[str, str]:
    with translation.override("th"):
        return {code: str(label) for code, label in GROUP_LABELS.items()}


def _group_words(groups: list[str] | None) -> list[str]:
    """A household's worked-out groups as an export writes them, in Thai as its headers."""
    words = _thai_group_words()
    return [words.get(code, code) for code in groups or []]


def household_row_values(
    person: Person,
    *,
    areas: Mapping[str, Area] | None = None,
    volunteers: list[Any] | None = None,
    consents: list[Any] | None = None,
) -> dict[str, str]:
    """The cells of one person's row in a households export, keyed like HOUSEHOLD_COLUMNS.

    Reads only what is loaded: `person.household` (select_related), `person.evacuated_to`
    where annotated (exporting._person_rows), and the household's
    `volunteers` (their citizen IDs fill the volunteer column) and the person's `consents`
    (the latest active one fills the consent columns), given or else prefetched. `areas` maps codes
    to Area rows for the subdistrict, district and province names; without it only the
    subdistrict code is written, which is enough to import the file again. Write a
    household's head first: an import makes the first row the head when no row says so.
    The household's id is its ref, so each household's rows stay together.
    """
    household: Household = person.household
    if volunteers is None:
        volunteers = _prefetched(household, "volunteers") or []
    if consents is None:
        consents = _prefetched(person, "consents") or []
    consents = [c for c in consents if c.withdrawn_on is None]
    consent = max(consents, key=lambda c: (c.given_on, c.pk), default=None)
    flags = [flag for flag in RECORDED_FLAGS if getattr(person, flag)]
    welfare = [code for code in WELFARE.words if getattr(person, code)]
    return {
        "household_ref": str(household.pk),
        "house_no": household.house_no,
        "moo": str(household.moo) if household.moo is not None else "",
        "soi": household.soi,
        "road": household.road,
        **_area_values(household.area_id, areas),
        "lat": str(household.latitude) if household.latitude is not None else "",
        "lon": str(household.longitude) if household.longitude is not None else "",
        "evacuated_to": getattr(person, "evacuated_to", None) or "",
        "ownership": OWNERSHIPS.word(household.ownership),
        "condition": CONDITIONS.word(household.condition),
        "priority": PRIORITY_WORDS[priority_level(household.priority_score)],
        "priority_score": str(household.priority_score),
        "household_groups": LIST_SEPARATOR.join(_group_words(household.vulnerability)),
        "volunteer_citizen_id": LIST_SEPARATOR.join(
            text for text in (_citizen_id(v) for v in volunteers) if text
        ),
        "citizen_id": _citizen_id(person),
        "document_type": DOCUMENTS.word(person.document_type),
        "document_no": person.document_no,
        "title": person.title,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "birth_date": _date(person.birth_date),
        "sex": SEXES.word(person.sex),
        "relation": RELATIONS.word(person.relation),
        "phone": phone_shown(person.phone),
        "vulnerable_groups": LIST_SEPARATOR.join(GROUPS.word(flag) for flag in flags),
        "bedridden": YES if person.bedridden else NO,
        "lives_alone": YES if person.lives_alone else NO,
        "disability_type": DISABILITIES.word(person.disability_type),
        "disability_card_no": person.disability_card_no,
        "welfare": LIST_SEPARATOR.join(WELFARE.word(code) for code in welfare),
        "consent": CONSENTS.word(consent.basis) if consent else "",
        "consent_date": _date(consent.given_on) if consent else "",
    }


def volunteer_row_values(
    volunteer: Volunteer, *, areas: Mapping[str, Area] | None = None
) -> dict[str, str]:
    """The cells of one volunteer's row in a volunteers export, keyed like VOLUNTEER_COLUMNS.

    Reads only what is loaded; prefetch `villages` to fill the covered villages, annotate
    `looks_after` (volunteers.selectors.with_looks_after) to fill the households looked after
    and `status_date` (exporting._volunteer_rows) the date of the latest change of status.
    `areas` maps codes to Area rows for the names of the subdistrict served (see
    household_row_values).
    """
    looks_after = getattr(volunteer, "looks_after", None)
    villages = _prefetched(volunteer, "villages") or []
    roles = [code for code in volunteer.other_roles if code in OTHER_ROLES.words]
    return {
        "citizen_id": _citizen_id(volunteer),
        "title": volunteer.title,
        "first_name": volunteer.first_name,
        "last_name": volunteer.last_name,
        "birth_date": _date(volunteer.birth_date),
        "sex": SEXES.word(volunteer.sex),
        "phone": phone_shown(volunteer.phone),
        "line_id": volunteer.line_id,
        "house_no": volunteer.house_no,
        "moo": str(volunteer.address_moo) if volunteer.address_moo is not None else "",
        "home_subdistrict_code": (volunteer.address_area_id or "")[:6],
        **_area_values(volunteer.area_id, areas),
        "covered_moo": LIST_SEPARATOR.join(
            str(moo) for moo in sorted(v.moo for v in villages if v.moo is not None)
        ),
        "registration_no": volunteer.registration_no,
        "registration_date": _date(volunteer.registration_date),
        "status": VOLUNTEER_STATUSES.word(volunteer.status),
        "status_date": _date(getattr(volunteer, "status_date", None)),
        "other_roles": LIST_SEPARATOR.join(OTHER_ROLES.word(code) for code in roles),
        "households_looked_after": "" if looks_after is None else str(looks_after),
    }
