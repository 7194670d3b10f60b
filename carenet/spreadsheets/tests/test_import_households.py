"""Importing households and people from CSV and XLSX files (carenet.spreadsheets.importing).

The files are written by the tests themselves, over the root conftest's area tree:
860101 ท่าตะเภา (villages 1 and 2) and 860102 ปากน้ำ (village 1) in เมืองชุมพร, 860201 ท่าแซะ
(village 1) in district ท่าแซะ, and 840101 ตลาด in Surat Thani, which has no villages.
"""

import codecs
import csv
import gc
import io
import random
import zipfile
from datetime import date
from xml.sax.saxutils import escape

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl.styles import Font

from carenet.accounts import disclosure
from carenet.accounts.models import Role
from carenet.accounts.tests.factories import AreaAssignmentFactory, UserFactory
from carenet.areas.models import Area, Level
from carenet.core import citizen_id, tabular
from carenet.core.models import AuditEvent
from carenet.core.people import age_on, name_key
from carenet.households.cleaning import PersonData, person_clean
from carenet.households.models import (
    Consent,
    ConsentBasis,
    Household,
    HouseholdAssignment,
    Person,
    PersonStatus,
)
from carenet.households.tests.factories import ConsentFactory, HouseholdFactory, PersonFactory
from carenet.households.vulnerability import household_summary
from carenet.spreadsheets import columns, exporting
from carenet.spreadsheets.importing import common, import_households, readahead
from carenet.spreadsheets.importing.stored import _Member, signature, summary
from carenet.volunteers.models import Volunteer, VolunteerStatus
from carenet.volunteers.tests.factories import VolunteerFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 1)
THAI = {c.key: c.label for c in columns.HOUSEHOLD_COLUMNS}
ENGLISH = {c.key: c.aliases[1] for c in columns.HOUSEHOLD_COLUMNS}


def cid(number: int) -> str:
    """A valid citizen ID, different for each number."""
    first = f"3{number:011d}"
    return first + str(citizen_id.checksum_digit(first))


def dashed(digits: str) -> str:
    return citizen_id.formatted(digits)


def person(**values: str) -> dict[str, str]:
    row = {
        "household_ref": "H1",
        "house_no": "12/3",
        "moo": "1",
        "subdistrict": "ท่าตะเภา",
        "district": "เมืองชุมพร",
        "province": "ชุมพร",
        "citizen_id": cid(1),
        "title": "นาย",
        "first_name": "สมชาย",
        "last_name": "ใจดี",
        "birth_date": "15/06/2490",
        "sex": "ชาย",
        "relation": "หัวหน้าครัวเรือน",
    }
    row.update(values)
    return row


def family() -> list[dict[str, str]]:
    """Two households: an elderly couple at 12/3 หมู่ 1, and a woman alone in ปากน้ำ."""
    return [
        person(vulnerable_groups="ผู้สูงอายุ, ติดเตียง", phone="081-234-5678"),
        person(
            citizen_id=cid(2),
            title="นาง",
            first_name="สมศรี",
            sex="หญิง",
            birth_date="02/01/2495",
            relation="คู่สมรส",
            welfare="เบี้ยยังชีพผู้สูงอายุ",
        ),
        person(
            household_ref="H2",
            house_no="5",
            subdistrict="ต.ปากน้ำ",
            district="อ.เมืองชุมพร",
            province="จ.ชุมพร",
            citizen_id=cid(3),
            title="นางสาว",
            first_name="มาลี",
            last_name="ศรีสุข",
            sex="",
            birth_date="1990-04-01",
            lives_alone="ใช่",
        ),
    ]


def csv_file(
    rows: list[dict[str, str]],
    *,
    headers: dict[str, str] = THAI,
    bom: bool = True,
    above: list[list[str]] | None = None,
) -> bytes:
    keys = [key for key in headers if any(key in row for row in rows)]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for line in above or []:
        writer.writerow(line)
    writer.writerow([headers[key] for key in keys])
    for row in rows:
        writer.writerow([row.get(key, "") for key in keys])
    data = buffer.getvalue().encode("utf-8")
    return codecs.BOM_UTF8 + data if bom else data


def xlsx_file(
    rows: list[dict[str, str]], *, above: list[list[str]] | None = None, mark=None
) -> bytes:
    """`mark(sheet)`, when given, formats the sheet before it is saved."""
    keys = [key for key in THAI if any(key in row for row in rows)]
    book = openpyxl.Workbook()
    sheet = book.active
    for line in above or []:
        sheet.append(line)
    sheet.append([THAI[key] for key in keys])
    for row in rows:
        sheet.append([_cell(key, row.get(key, "")) for key in keys])
    if mark is not None:
        mark(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell(key: str, text: str) -> object:
    # What Excel would hold: numbers as numbers, an ISO date as a date cell.
    if key == "moo" and text.isdigit():
        return int(text)
    if key == "birth_date" and len(text) == 10 and text[4] == "-":
        return date.fromisoformat(text)
    return text or None


def run(data: bytes, actor=None, **options):
    options.setdefault("today", TODAY)
    return import_households(actor=actor, source=data, **options)


def snapshot() -> dict[str, list[tuple]]:
    """Every stored row an import can write, to show that nothing changed."""
    return {
        "households": list(Household.objects.order_by("pk").values_list()),
        "people": list(Person.objects.order_by("pk").values_list()),
        "consents": list(Consent.objects.order_by("pk").values_list()),
        "assignments": list(
            HouseholdAssignment.objects.order_by("pk").values_list("household_id", "volunteer_id")
        ),
    }


def stored(digits: str) -> Person:
    return Person.objects.select_related("household").get(
        citizen_id_hash=citizen_id.lookup_hash(digits)
    )


@pytest.fixture(autouse=True)
def areas(area_tree):
    return area_tree


@pytest.fixture(
    autouse=True, params=["one chunk", "chunks of 2 rows", "chunks of 2 rows, one process"]
)
def chunk_size(request, monkeypatch):
    """Every test runs three times: with the whole file in one chunk, and with chunks of two
    rows, so that households and duplicates spread over chunks are covered too: read ahead
    by a second process (readahead), as a longer file is, and read by the importer itself."""
    if request.param != "one chunk":
        monkeypatch.setattr(common, "CHUNK_ROWS", 2)
    if request.param.endswith("one process"):
        monkeypatch.setattr(readahead, "READ_AHEAD", False)


# --- A clean file -------------------------------------------------------------------------------


def test_csv_with_bom_imports_households_people_and_consents():
    result = run(csv_file(family(), bom=True))

    assert result.ok, result.errors
    assert result.total_rows == 3
    assert result.counts == {
        "households": {"created": 2, "updated": 0, "unchanged": 0, "skipped": 0},
        "people": {"created": 3, "updated": 0, "unchanged": 0, "skipped": 0},
    }
    husband = stored(cid(1))
    home = husband.household
    assert (home.area_id, home.house_no, home.moo) == ("86010101", "12/3", 1)
    assert home.head_id == husband.pk
    assert husband.area_id == "86010101"
    assert (husband.first_name, husband.last_name, husband.title) == ("สมชาย", "ใจดี", "นาย")
    assert husband.birth_date == date(1947, 6, 15)
    assert husband.bedridden and not husband.lives_alone
    assert husband.phone == "0812345678"
    assert husband.name_key == name_key("สมชาย", "ใจดี")
    assert husband.read_citizen_id() == cid(1)
    wife = stored(cid(2))
    assert (wife.household_id, wife.relation, wife.sex) == (home.pk, "spouse", "F")
    assert wife.elderly_allowance and not wife.welfare_card
    assert home.member_count == 2
    expected = household_summary([husband, wife], TODAY)
    assert (home.priority_score, home.vulnerability) == (expected.score, expected.groups)
    alone = stored(cid(3))
    assert (alone.area_id, alone.sex, alone.lives_alone) == ("86010201", "F", True)
    assert alone.household.head_id == alone.pk
    consents = Consent.objects.filter(person__in=[husband, wife, alone])
    assert {(c.basis, c.purpose, c.given_on) for c in consents} == {
        (ConsentBasis.PUBLIC_TASK, "นำเข้าจากทะเบียน", TODAY)
    }
    assert consents.count() == 3
    audit = AuditEvent.objects.get(action="spreadsheets.import_households")
    assert audit.details["people"]["created"] == 3
    assert audit.area_code == "8601"  # the narrowest area that holds all its households


def test_csv_without_bom():
    assert run(csv_file(family(), bom=False)).ok
    assert Person.objects.count() == 3


def test_title_rows_above_the_header_are_skipped():
    above = [["ทะเบียนครัวเรือนเปราะบาง จังหวัดชุมพร"], ["ข้อมูล ณ วันที่ 1 มีนาคม 2569"], []]
    result = run(csv_file(family(), above=above))
    assert result.ok, result.errors
    assert Person.objects.count() == 3


def test_thai_headers():
    assert run(csv_file(family(), headers=THAI)).ok
    assert Person.objects.count() == 3


def test_english_headers():
    result = run(csv_file(family(), headers=ENGLISH))
    assert result.ok, result.errors
    assert stored(cid(3)).household.area_id == "86010201"


def test_headers_as_people_write_them(en):
    # A line break typed inside a header cell, slashes, another spelling of the ID column,
    # and a column Carenet does not read, which the report names.
    headers = {
        **THAI,
        "last_name": "นาม\nสกุล",
        "birth_date": "วัน/เดือน/ปีเกิด",
        "citizen_id": "เลขบัตรประจำตัวประชาชน",
        "note": "หมายเหตุ",
    }
    rows = [{**row, "note": "ดูแลดี"} for row in family()]
    result = run(csv_file(rows, headers=headers))
    assert result.ok, result.errors
    kept = stored(cid(1))
    assert (kept.last_name, kept.birth_date) == ("ใจดี", date(1947, 6, 15))
    [warning] = result.warnings
    assert (warning.row, warning.column) == (1, "หมายเหตุ")
    assert warning.reason.startswith("Column ")
    assert "is not one Carenet reads" in warning.reason


def test_the_lists_own_running_number_is_no_warning():
    """Nearly every office sheet numbers its rows: ลำดับ holds nothing to import or to say."""
    headers = {"no": "ลำดับ", **THAI, "note": "หมายเหตุ"}
    rows = [{"no": str(n), **row, "note": ""} for n, row in enumerate(family(), start=1)]
    result = run(csv_file(rows, headers=headers))
    assert result.ok, result.errors
    assert [w.column for w in result.warnings] == ["หมายเหตุ"]


def test_no_two_columns_share_a_header():
    for table in (columns.HOUSEHOLD_COLUMNS, columns.VOLUNTEER_COLUMNS):
        names = [n for c in table for n in {tabular.normalize_header(a) for a in c.aliases}]
        assert len(names) == len(set(names))


def test_buddhist_and_common_era_dates():
    rows = [
        person(birth_date="15/06/2490"),
        person(citizen_id=cid(2), first_name="ก", birth_date="15/06/1947", relation="บุตร"),
        person(citizen_id=cid(3), first_name="ข", birth_date="2490-06-15", relation="บุตร"),
        person(citizen_id=cid(4), first_name="ค", birth_date="1947-06-15", relation="บุตร"),
    ]
    assert run(csv_file(rows)).ok
    assert set(Person.objects.values_list("birth_date", flat=True)) == {date(1947, 6, 15)}


def test_citizen_ids_with_dashes_and_spaces():
    rows = [
        person(citizen_id=dashed(cid(1))),
        person(citizen_id=" ".join(dashed(cid(2)).split("-")), first_name="ก", relation="บุตร"),
    ]
    assert run(csv_file(rows)).ok
    assert stored(cid(1)).read_citizen_id() == cid(1)
    assert stored(cid(2)).first_name == "ก"


def test_xlsx_file_with_a_title_row():
    rows = family()
    rows[2]["birth_date"] = "1990-04-01"  # a date cell
    result = run(xlsx_file(rows, above=[["ทะเบียนครัวเรือน"]]))
    assert result.ok, result.errors
    assert stored(cid(3)).birth_date == date(1990, 4, 1)
    assert stored(cid(1)).household.moo == 1


def test_hidden_and_struck_through_rows_are_refused_and_nothing_is_imported(en):
    """Offices hide rows and strike through cancelled entries; the import would take them."""

    def mark(sheet):
        sheet.row_dimensions[3].hidden = True  # the family's second row (the header is row 1)
        for cell in sheet[4]:
            cell.font = Font(strike=True)

    before = snapshot()
    result = run(xlsx_file(family(), mark=mark))
    assert [(e.row, e.column) for e in result.errors] == [(3, ""), (4, "รหัสครัวเรือน")]
    assert "hidden in the sheet" in result.errors[0].reason
    assert "struck through" in result.errors[1].reason
    assert result.errors[1].value == family()[2]["household_ref"]
    assert snapshot() == before


def test_an_excel_error_cell_is_refused_not_read_as_blank(en):
    """A VLOOKUP of IDs that found nothing shows #N/A: the person would come in with no ID."""

    def fail(sheet):
        for cell in sheet[3]:
            if cell.value == family()[1]["citizen_id"]:
                cell.value = "#N/A"

    before = snapshot()
    result = run(xlsx_file(family(), mark=fail))
    [error] = result.errors
    assert (error.row, error.column, error.value) == (3, "เลขประจำตัวประชาชน", "#N/A")
    assert "Excel error (#N/A)" in error.reason
    assert snapshot() == before


def test_a_hidden_column_read_is_warned_of(en):
    """A column hidden to make room, or because it is out of date: said, not refused."""
    rows = [{**row, "phone": "0812345678"} for row in family()]
    keys = [key for key in THAI if any(key in row for row in rows)]
    letter = openpyxl.utils.get_column_letter(keys.index("phone") + 1)

    def mark(sheet):
        sheet.column_dimensions[letter].hidden = True

    result = run(xlsx_file(rows, mark=mark), dry_run=True)
    assert result.ok
    [warning] = [w for w in result.warnings if "hidden in the workbook" in w.reason]
    assert (warning.row, warning.column) == (1, "โทรศัพท์")
    assert f"Column {letter}" in warning.reason


def test_people_without_a_citizen_id():
    rows = [
        person(citizen_id="", document_type="บัตรชมพู", document_no="00-1234-567890-9"),
        person(citizen_id="", first_name="ลูก", relation="บุตร", document_type="ไม่มีเอกสาร"),
    ]
    assert run(csv_file(rows)).ok
    adult = Person.objects.get(first_name="สมชาย")
    assert (adult.citizen_id_hash, adult.document_type, adult.document_no) == (
        "",
        "pink_card",
        "0012345678909",
    )
    assert Person.objects.get(first_name="ลูก").document_type == "none"


def test_no_document_with_a_number_is_refused_but_no_document_written_twice_is_not():
    rows = [
        person(citizen_id="", document_type="ไม่มีเอกสาร", document_no="ท.12345"),
        person(
            citizen_id="", first_name="ลูก", relation="บุตร", document_type="ไม่มี", document_no="ไม่มี"
        ),
    ]
    result = run(csv_file(rows))
    assert [(e.row, e.column) for e in result.errors] == [(2, "เลขที่เอกสาร")]
    assert "ไม่มีเอกสาร" in result.errors[0].reason
    assert not Person.objects.exists()
    rows[0]["document_no"] = ""
    assert run(csv_file(rows)).ok
    assert Person.objects.get(first_name="ลูก").document_no == ""


def test_a_subdistrict_without_villages_takes_the_household_itself():
    rows = [person(subdistrict="ตลาด", district="เมืองสุราษฎร์ธานี", province="สุราษฎร์ธานี")]
    assert run(csv_file(rows)).ok
    assert stored(cid(1)).household.area_id == "840101"


def test_a_subdistrict_code_instead_of_names():
    rows = [person(subdistrict="", district="", province="", subdistrict_code="860102")]
    assert run(csv_file(rows)).ok
    assert stored(cid(1)).household.area_id == "86010201"


def test_rows_of_a_household_need_not_be_together_nor_repeat_the_address():
    rows = [
        person(household_ref="A"),
        person(household_ref="B", house_no="9", citizen_id=cid(2), first_name="ข"),
        person(
            household_ref="A",
            house_no="",
            moo="",
            subdistrict="",
            district="",
            province="",
            citizen_id=cid(3),
            first_name="ค",
            relation="บุตร",
        ),
    ]
    assert run(csv_file(rows)).ok
    assert stored(cid(3)).household_id == stored(cid(1)).household_id
    assert stored(cid(3)).area_id == "86010101"
    assert Household.objects.count() == 2


def test_a_household_whose_rows_come_back_further_down():
    volunteer = VolunteerFactory(citizen_id=cid(50), area=Area.objects.get(code="860101"))
    rows = [
        person(
            household_ref="A",
            citizen_id=cid(1),
            title="นาง",
            first_name="แม่",
            sex="หญิง",
            relation="คู่สมรส",
        ),
        person(household_ref="B", house_no="2", citizen_id=cid(2), first_name="บี"),
        person(household_ref="C", house_no="3", citizen_id=cid(3), first_name="ซี"),
        person(household_ref="D", house_no="4", citizen_id=cid(4), first_name="ดี"),
        person(
            household_ref="A",
            citizen_id=cid(5),
            first_name="พ่อ",
            vulnerable_groups="ติดเตียง",
            volunteer_citizen_id=cid(50),
        ),
    ]
    result = run(csv_file(rows))
    assert result.ok, result.errors
    assert result.households.created == 4
    father, mother = stored(cid(5)), stored(cid(1))
    home = father.household
    assert mother.household_id == home.pk
    assert (home.head_id, home.member_count) == (father.pk, 2)
    assert home.priority_score == household_summary([father, mother], TODAY).score
    assert list(home.volunteers.all()) == [volunteer]


def test_without_a_ref_rows_at_the_same_address_are_one_household():
    rows = [
        person(household_ref=""),
        person(household_ref="", citizen_id=cid(2), first_name="ข", relation="บุตร"),
        person(household_ref="", house_no="99", citizen_id=cid(3), first_name="ค"),
        # The same house no. typed with spaces, or in Thai digits.
        person(
            household_ref="", house_no="12 / 3", citizen_id=cid(4), first_name="ง", relation="บุตร"
        ),
        person(
            household_ref="", house_no="๑๒/๓", citizen_id=cid(5), first_name="จ", relation="บุตร"
        ),
    ]
    assert run(csv_file(rows)).ok
    assert Household.objects.count() == 2
    assert stored(cid(2)).household_id == stored(cid(1)).household_id
    assert stored(cid(4)).household_id == stored(cid(5)).household_id == stored(cid(1)).household_id
    assert stored(cid(1)).household.house_no == "12/3"


def test_vulnerable_groups_in_english_and_spaced_thai(en):
    rows = [
        person(vulnerable_groups="Disability; chronic illness, Disaster affected"),
        person(
            citizen_id=cid(2),
            first_name="ข",
            relation="บุตร",
            vulnerable_groups="ผู้ด้อยโอกาส คนไร้บ้าน",
        ),
    ]
    assert run(csv_file(rows)).ok
    first = stored(cid(1))
    assert (first.disability, first.chronic_illness, first.disaster_affected) == (True,) * 3
    assert not first.bedridden
    second = stored(cid(2))
    assert second.disadvantaged and second.homeless


def test_elderly_listed_for_a_young_person_is_a_warning_only(en):
    rows = [person(birth_date="01/01/2000", vulnerable_groups="elderly")]
    result = run(csv_file(rows))
    assert result.ok
    assert Person.objects.count() == 1
    [warning] = result.warnings
    assert (warning.row, warning.column) == (2, "กลุ่มเปราะบาง")
    assert "26" in warning.reason


def test_a_pregnancy_at_an_implausible_age_is_a_warning_only(en):
    rows = [person(title="นาง", sex="หญิง", vulnerable_groups="หญิงตั้งครรภ์")]
    result = run(csv_file(rows))
    assert result.ok and Person.objects.get().pregnant
    [warning] = result.warnings
    assert (warning.row, warning.column) == (2, "กลุ่มเปราะบาง")
    assert "78" in warning.reason


def test_a_citizen_id_with_another_document_is_a_warning_only(en):
    rows = [person(document_type="บัตรชมพู", document_no="0-0000-00000-00-1")]
    result = run(csv_file(rows))
    assert result.ok
    [warning] = result.warnings
    assert warning.column == "ประเภทเอกสาร" and "without a Thai citizen ID" in warning.reason


def test_a_card_or_document_no_a_spreadsheet_rounded_is_refused(en):
    rows = [
        person(disability_type="ทางการเห็น", disability_card_no="6.18306E+11"),
        person(citizen_id="", household_ref="H2", document_type="หนังสือเดินทาง",
               document_no="1.23457E+12", first_name="อ่อง"),
    ]  # fmt: skip
    result = run(csv_file(rows))
    assert [(e.row, e.column) for e in result.errors] == [
        (2, THAI["disability_card_no"]),
        (3, THAI["document_no"]),
    ]
    assert "lost its last digits" in result.errors[0].reason


def test_the_words_the_english_pages_show_are_read(en):
    """A file written from what the English pages show: their labels, not only the codes."""
    rows = [
        person(
            condition="needs repair",
            ownership="public or temple land",
            sex="not specified",
            title="",
            vulnerable_groups="lives alone, elderly",
            welfare="newborn grant, elderly allowance",
            consent="public task under the law",
        ),
        person(
            household_ref="H2",
            house_no="7",
            citizen_id="",
            first_name="อ่อง",
            document_type="non-Thai ID card",
            document_no="0012345678909",
            title="",
            sex="",
            relation="head of household",
        ),
    ]
    result = run(csv_file(rows))
    assert result.ok, result.errors
    first = stored(cid(1))
    assert (first.household.condition, first.household.ownership, first.sex) == (
        "fair",
        "public",
        "X",
    )
    assert (first.lives_alone, first.newborn_grant, first.elderly_allowance) == (True,) * 3
    assert first.consents.get().basis == "public_task"
    assert Person.objects.get(first_name="อ่อง").document_type == "pink_card"


def test_a_word_not_read_is_answered_with_the_english_labels_on_an_english_page(en):
    [error] = run(csv_file([person(condition="okay")])).errors
    assert "“มั่นคงแข็งแรง” (sound)" in error.reason


def test_the_household_is_assigned_to_the_volunteer_named(en):
    volunteer = VolunteerFactory(citizen_id=cid(50), area=Area.objects.get(code="860101"))
    rows = [person(volunteer_citizen_id=dashed(cid(50)))]
    assert run(csv_file(rows)).ok
    home = stored(cid(1)).household
    assert list(home.volunteers.all()) == [volunteer]


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        ("missing", "No volunteer with this citizen ID"),
        ("inactive", "is not an active volunteer"),
        ("elsewhere", "serves 860201"),
    ],
)
def test_the_volunteer_must_exist_be_active_and_serve_the_subdistrict(en, setup, reason):
    if setup == "inactive":
        VolunteerFactory(citizen_id=cid(50), status=VolunteerStatus.RESIGNED)
    if setup == "elsewhere":
        VolunteerFactory(citizen_id=cid(50), area=Area.objects.get(code="860201"))
    result = run(csv_file([person(volunteer_citizen_id=cid(50))]))
    [error] = result.errors
    assert (error.row, error.column, error.value) == (2, THAI["volunteer_citizen_id"], cid(50))
    assert reason in error.reason
    assert not Household.objects.exists()


def _assigned(digits: str) -> set[str]:
    return {a.volunteer.first_name for a in stored(digits).household.assignments.all()}


def test_the_files_volunteers_replace_those_of_a_stored_household(en):
    """A hand-over written in the file: the new volunteer replaces the old one, and the
    result lists it (a dry run too)."""
    VolunteerFactory(citizen_id=cid(50), first_name="ยุภา", area=Area.objects.get(code="860101"))
    VolunteerFactory(citizen_id=cid(51), first_name="ธมน", area=Area.objects.get(code="860101"))
    rows = family()[:2]
    rows[0]["volunteer_citizen_id"] = cid(50)
    assert run(csv_file(rows)).ok
    rows[0]["volunteer_citizen_id"] = rows[1]["volunteer_citizen_id"] = dashed(cid(51))
    dry = run(csv_file(rows), dry_run=True)
    assert dry.ok, dry.errors
    [change] = dry.changes
    assert (change.column, "ยุภา" in change.before, "ธมน" in change.after) == (
        THAI["volunteer_citizen_id"],
        True,
        True,
    )
    assert dry.counts["households"]["updated"] == 1
    assert _assigned(cid(1)) == {"ยุภา"}
    assert run(csv_file(rows)).ok
    assert _assigned(cid(1)) == {"ธมน"}
    rows[0]["volunteer_citizen_id"] = rows[1]["volunteer_citizen_id"] = ""
    assert run(csv_file(rows)).ok  # no volunteer named: the household keeps its own
    assert _assigned(cid(1)) == {"ธมน"}


def test_rows_of_a_household_that_name_other_volunteers_are_refused(en):
    VolunteerFactory(citizen_id=cid(50), area=Area.objects.get(code="860101"))
    VolunteerFactory(citizen_id=cid(51), area=Area.objects.get(code="860101"))
    rows = family()[:2]
    rows[0]["volunteer_citizen_id"] = cid(50)
    rows[1]["volunteer_citizen_id"] = f"{cid(51)}, {cid(50)}"
    result = run(csv_file(rows))
    [error] = result.errors
    assert (error.row, error.column) == (3, THAI["volunteer_citizen_id"])
    assert "Row 2 names other volunteers" in error.reason
    rows[1]["volunteer_citizen_id"] = ""  # named on one row only
    assert run(csv_file(rows)).ok


def test_a_volunteer_who_left_still_assigned_is_kept_with_a_warning(en):
    """The untouched export of a household whose volunteer resigned since imports again."""
    volunteer = VolunteerFactory(citizen_id=cid(50), area=Area.objects.get(code="860101"))
    rows = family()[:2]
    rows[0]["volunteer_citizen_id"] = cid(50)
    assert run(csv_file(rows)).ok
    Volunteer.objects.filter(pk=volunteer.pk).update(status=VolunteerStatus.RESIGNED)
    result = run(csv_file(rows))
    assert result.ok, result.errors
    [warning] = [w for w in result.warnings if w.column == THAI["volunteer_citizen_id"]]
    assert "not an active volunteer" in warning.reason and "hand it over" in warning.reason
    assert _assigned(cid(1)) == {volunteer.first_name}
    rows[2:] = [person(household_ref="H7", house_no="8", citizen_id=cid(9),
                       volunteer_citizen_id=cid(50))]  # fmt: skip
    assert not run(csv_file(rows)).ok  # a new assignment to them is still refused


# --- Files with errors import nothing -------------------------------------------------------


@pytest.mark.parametrize("key", ["citizen_id", "volunteer_citizen_id"])
def test_a_citizen_id_of_the_wrong_length_is_masked_as_reports_keep_it(en, key):
    rows = family()
    rows[0][key] = "124599568230"
    [error] = run(csv_file(rows)).errors
    assert (error.row, error.value) == (2, "124599568230")  # the page of the check: masked next
    assert error.masked().value == "xxxxxxxxx230"


def test_bad_checksum_imports_nothing_and_reports_the_cell(en):
    rows = family()
    bad = cid(2)[:12] + str((int(cid(2)[12]) + 1) % 10)
    rows[1]["citizen_id"] = bad
    result = run(csv_file(rows))

    assert not result.ok
    [error] = result.errors
    assert (error.row, error.column, error.value) == (3, "เลขประจำตัวประชาชน", bad)
    assert "check digit" in error.reason
    assert snapshot() == {"households": [], "people": [], "consents": [], "assignments": []}
    assert not AuditEvent.objects.filter(action="spreadsheets.import_households").exists()
    assert result.people.created == 0


def test_every_problem_of_every_row_is_reported(en):
    rows = family()
    rows[0].update(birth_date="31/02/2490", sex="z", phone="12")
    rows[2].update(citizen_id="123")
    result = run(csv_file(rows))
    found = {(e.row, e.column) for e in result.errors}
    assert found == {
        (2, "วันเกิด"),
        (2, "เพศ"),
        (2, "โทรศัพท์"),
        (4, "เลขประจำตัวประชาชน"),
    }
    assert not Person.objects.exists()


def test_unknown_subdistrict(en):
    rows = [
        person(subdistrict="ไม่มีตำบลนี้"),
        # A member row that leaves the address to the first row has no error of its own.
        person(
            citizen_id=cid(2),
            first_name="ลูก",
            relation="บุตร",
            house_no="",
            moo="",
            subdistrict="",
            district="",
            province="",
        ),
    ]
    result = run(csv_file(rows))
    [error] = result.errors
    assert (error.row, error.column, error.value) == (2, "ตำบล", "ไม่มีตำบลนี้")
    assert "No subdistrict with this name" in error.reason
    assert not Person.objects.exists()


def test_a_misspelt_subdistrict_is_refused_with_the_likely_one(en, district_coordinator_a):
    rows = [person(subdistrict="ท่าตะเพา", district="", province="")]  # ภ typed as พ
    [error] = run(csv_file(rows), actor=district_coordinator_a).errors
    assert "Did you mean 860101 ต.ท่าตะเภา อ.เมืองชุมพร จ.ชุมพร?" in error.reason
    assert not Person.objects.exists()


def test_unknown_subdistrict_code(en):
    rows = [person(subdistrict="", district="", province="", subdistrict_code="869999")]
    [error] = run(csv_file(rows)).errors
    assert (error.column, error.value) == ("รหัสตำบล", "869999")
    assert "no subdistrict with code 869999" in error.reason


def test_ambiguous_subdistrict_name_names_the_candidates(en):
    # ปากน้ำ also in district ท่าแซะ (a made-up code, so that only Carenet's table has it).
    Area.objects.create(code="860299", level=Level.SUBDISTRICT, name_th="ปากน้ำ", parent_id="8602")
    rows = [person(subdistrict="ปากน้ำ", district="", province="", moo="")]
    [error] = run(csv_file(rows)).errors
    assert (error.row, error.column, error.value) == (2, "ตำบล", "ปากน้ำ")
    assert "2 subdistricts have this name" in error.reason
    assert "860102 ต.ปากน้ำ อ.เมืองชุมพร จ.ชุมพร" in error.reason
    assert "860299 ต.ปากน้ำ อ.ท่าแซะ จ.ชุมพร" in error.reason
    # The district tells them apart.
    rows = [person(subdistrict="ปากน้ำ", district="ท่าแซะ", province="", moo="")]
    assert run(csv_file(rows)).ok
    assert stored(cid(1)).household.area_id == "860299"


def test_an_ambiguous_name_lists_only_the_subdistricts_in_the_scope(en, province_officer):
    for n in range(6):  # ปากน้ำ in another province, listed before Chumphon's by code
        Area.objects.create(
            code=f"84019{n}", level=Level.SUBDISTRICT, name_th="ปากน้ำ", parent_id="8401"
        )
    Area.objects.create(code="860299", level=Level.SUBDISTRICT, name_th="ปากน้ำ", parent_id="8602")
    rows = [person(subdistrict="ปากน้ำ", district="", province="", moo="")]
    [error] = run(csv_file(rows), actor=province_officer).errors
    assert "2 subdistricts in your areas have this name" in error.reason
    assert "860102" in error.reason and "860299" in error.reason
    assert "840190" not in error.reason  # another province: it cannot be meant


def test_a_name_shared_with_a_subdistrict_outside_the_scope_is_the_one_inside(
    en, district_coordinator_a
):
    Area.objects.create(code="860299", level=Level.SUBDISTRICT, name_th="ปากน้ำ", parent_id="8602")
    rows = [person(subdistrict="ปากน้ำ", district="", province="", moo="")]
    result = run(csv_file(rows), actor=district_coordinator_a)  # อ.เมืองชุมพร
    assert result.ok, result.errors
    assert stored(cid(1)).household.area_id == "860102"


def test_a_village_number_the_subdistrict_does_not_have(en):
    [error] = run(csv_file([person(moo="7")])).errors
    assert (error.column, error.value) == ("หมู่ที่", "7")
    assert "has no village no. 7" in error.reason


def test_the_same_citizen_id_twice_in_the_file(en):
    rows = [person(), person(citizen_id=dashed(cid(1)), first_name="ซ้ำ", relation="บุตร")]
    [error] = run(csv_file(rows)).errors
    assert (error.row, error.column) == (3, "เลขประจำตัวประชาชน")
    assert "also in row 2" in error.reason
    assert not Person.objects.exists()


def test_the_same_person_without_id_twice_in_the_file(en):
    rows = [person(citizen_id=""), person(citizen_id="", household_ref="H2", house_no="7")]
    [error] = run(csv_file(rows)).errors
    assert (error.row, error.column, error.value) == (3, "ชื่อ", "สมชาย")
    assert "also in row 2" in error.reason


def test_the_same_household_ref_with_another_address(en):
    rows = [person(), person(citizen_id=cid(2), first_name="ข", house_no="99", relation="บุตร")]
    [error] = run(csv_file(rows)).errors
    assert (error.row, error.column, error.value) == (3, "บ้านเลขที่", "99")
    assert "already used in row 2, with another address (12/3)" in error.reason
    assert not Household.objects.exists()


def test_the_same_household_ref_in_another_village_points_at_the_village(en):
    rows = [person(), person(citizen_id=cid(2), first_name="ข", moo="2", relation="บุตร")]
    [error] = run(csv_file(rows)).errors
    assert (error.row, error.column, error.value) == (3, "หมู่ที่", "2")


def test_every_value_a_household_s_later_row_contradicts_is_reported_at_once(en):
    rows = [
        person(ownership="บ้านของตนเอง"),
        person(citizen_id=cid(2), first_name="ข", relation="บุตร", moo="2", house_no="99",
               ownership="เช่า"),
    ]  # fmt: skip
    errors = run(csv_file(rows)).errors
    assert [(e.row, e.column) for e in errors] == [
        (3, "หมู่ที่"), (3, "บ้านเลขที่"), (3, "การครอบครองที่อยู่อาศัย")
    ]  # fmt: skip
    assert "where this column says" in errors[2].reason and "address" not in errors[2].reason


def test_an_age_column_beside_birth_dates_is_only_said_to_be_left_out(en):
    rows = [{**row, "age": "70"} for row in family()]
    result = run(csv_file(rows, headers={**THAI, "age": "อายุ"}), dry_run=True)
    [column] = [w for w in result.warnings if w.column == "อายุ"]
    assert "works ages out from the column “วันเกิด”" in column.reason
    assert "Add a column" not in column.reason


def test_a_file_of_ages_is_told_that_birth_dates_are_needed(en):
    rows = [{**row, "birth_date": ""} for row in family()]
    for row, age in zip(rows, ("67", "72", "15 ปี"), strict=True):
        row["age"] = age
    headers = {**THAI, "age": "อายุ"}
    result = run(csv_file(rows, headers=headers), dry_run=True)
    column = [w for w in result.warnings if w.column == "อายุ"]
    assert len(column) == 1 and "holds ages" in column[0].reason
    assert "วันเกิด" in column[0].reason
    groups = [w for w in result.warnings if w.column == "กลุ่มเปราะบาง"]
    assert [w.row for w in groups] == [2]  # ผู้สูงอายุ, with no birth date to work it from
    assert "names an age group" in groups[0].reason


def test_a_column_of_volunteers_names_says_they_are_found_by_citizen_id(en):
    rows = [{**row, "volunteer_name": "นางสมศรี อาสาดี"} for row in family()]
    result = run(csv_file(rows, headers={**THAI, "volunteer_name": "ชื่อ อพม."}), dry_run=True)
    [warning] = [w for w in result.warnings if w.column == "ชื่อ อพม."]
    assert "cannot match by name" in warning.reason
    assert "เลขประจำตัวประชาชน อพม." in warning.reason


def test_a_disability_type_kept_while_the_list_leaves_the_group_out_is_said(en):
    rows = family()
    rows[0].update(vulnerable_groups="ผู้สูงอายุ", disability_type="ทางการเห็น")
    result = run(csv_file(rows), dry_run=True)
    [warning] = [w for w in result.warnings if "leaves out" in w.reason]
    assert (warning.row, warning.column) == (2, "กลุ่มเปราะบาง")
    assert "คนพิการ" in warning.reason


def test_two_heads_in_one_household(en):
    rows = [person(), person(citizen_id=cid(2), first_name="ข")]
    [error] = run(csv_file(rows)).errors
    assert (error.row, error.column) == (3, "ความสัมพันธ์กับหัวหน้าครัวเรือน")


def test_a_family_with_no_head_is_imported_with_the_first_as_head_and_a_warning(en):
    rows = family()
    rows[0]["relation"] = "คู่สมรส"
    result = run(csv_file(rows))
    assert result.ok
    [warning] = [w for w in result.warnings if w.column == "ความสัมพันธ์กับหัวหน้าครัวเรือน"]
    assert warning.row == 2 and "first listed, was recorded as the head" in warning.reason
    household = Person.objects.get(first_name="สมชาย").household
    assert household.head.first_name == "สมชาย"
    # A person alone, a file with no relation column or none filled in, says nothing of it.
    no_relation = [{k: v for k, v in row.items() if k != "relation"} for row in family()]
    blank = [{**row, "relation": ""} for row in family()]
    for rows in (no_relation, blank):
        result = run(csv_file(rows), dry_run=True)
        assert not [w for w in result.warnings if "recorded as the head" in w.reason]


def test_a_ref_repeated_over_a_village_is_refused_past_a_household_s_size():
    """A ref column holding the village no. on every row would make one household of all."""
    rows = [
        person(household_ref="1", citizen_id=cid(n), first_name=f"คน{n}", relation="บุตร")
        for n in range(1, 104)
    ]
    result = run(csv_file(rows))
    assert [error.row for error in result.errors] == [102, 103, 104]  # rows 101 to 103
    assert result.errors[0].column == "รหัสครัวเรือน"
    assert "100" in result.errors[0].reason and "รหัสครัวเรือน" in result.errors[0].reason
    assert Person.objects.count() == 0


def test_a_missing_required_column_is_a_file_error(en):
    data = "รหัสครัวเรือน,ตำบล,นามสกุล\nH1,ท่าตะเภา,ใจดี\n".encode()
    [error] = run(data).errors
    assert (error.row, error.column) == (1, "ชื่อ")
    assert "needs a “ชื่อ” column (with “นามสกุล”), or one “ชื่อ-สกุล” column" in error.reason


def test_a_file_without_any_area_column(en):
    data = "ชื่อ,นามสกุล\nสมชาย,ใจดี\n".encode()
    [error] = run(data).errors
    assert "needs a “รหัสตำบล” column" in error.reason


# --- Scope ------------------------------------------------------------------------------------


def test_rows_outside_the_coordinators_district_are_refused(en, district_coordinator_a):
    rows = family()
    rows.append(
        person(
            household_ref="H3",
            subdistrict="ท่าแซะ",
            district="ท่าแซะ",
            citizen_id=cid(9),
            first_name="นอกเขต",
        )
    )
    result = run(csv_file(rows), actor=district_coordinator_a)
    [error] = result.errors
    assert (error.row, error.column, error.value) == (5, "ตำบล", "ท่าแซะ")
    assert "outside the areas where you may import" in error.reason
    assert not Person.objects.exists()
    # Without that row, the coordinator imports the rest.
    assert run(csv_file(rows[:3]), actor=district_coordinator_a).ok
    assert Person.objects.count() == 3
    assert AuditEvent.objects.get(action="spreadsheets.import_households").actor == (
        district_coordinator_a
    )


def test_a_reason_many_rows_share_is_summed_up_first(en, district_coordinator_a):
    """A district's clerk who uploads the province's file reads one line first, not a list
    of the same reason cut at the report's limit."""
    rows = [
        person(household_ref=f"H{n}", subdistrict="ท่าแซะ", district="ท่าแซะ",
               citizen_id=cid(n), first_name=f"นอกเขต{n}")
        for n in range(1, common.REPEATED + 6)
    ]  # fmt: skip
    result = run(csv_file(rows), actor=district_coordinator_a)
    first = result.errors[0]
    assert first.row is None
    assert f"{common.REPEATED + 5} rows, from row 2 on, have this problem" in first.reason
    assert "outside the areas where you may import" in first.reason
    assert result.error_count == common.REPEATED + 5  # the line sums up, it is not counted


def test_a_person_stored_outside_the_scope_cannot_be_changed(en, district_coordinator_b):
    PersonFactory(citizen_id=cid(1), household=HouseholdFactory(area_id="86010101"))
    rows = [person(subdistrict="ท่าแซะ", district="ท่าแซะ")]
    result = run(csv_file(rows), actor=district_coordinator_b)
    [error] = result.errors
    assert error.column == "เลขประจำตัวประชาชน"
    # Where the person lives is not told to someone who may not see them.
    assert "already registered outside the areas where you may import" in error.reason
    assert result.registered_elsewhere == 1  # counted for the job's audit record
    assert "8601" not in error.reason and "ท่าตะเภา" not in error.reason


def test_an_import_tells_of_people_outside_the_scope_only_while_the_days_answers_last(
    en, district_coordinator_b, monkeypatch
):
    """The forms' rule, row by row: told while the answers last, then every row with an ID
    not registered in the importer's areas is refused, registered elsewhere or not."""
    monkeypatch.setattr(disclosure, "ELSEWHERE_PER_DAY", 1)
    for number in (1, 2):
        PersonFactory(citizen_id=cid(number), household=HouseholdFactory(area_id="86010101"))
    here = {"subdistrict": "ท่าแซะ", "district": "ท่าแซะ", "moo": ""}
    rows = [
        person(**here),
        person(**here, citizen_id=cid(2), household_ref="H2", first_name="สมหญิง"),
        person(**here, citizen_id=cid(3), household_ref="H3", first_name="สมศรี"),
    ]
    result = run(csv_file(rows), actor=district_coordinator_b, dry_run=True)
    reasons = {error.row: error.reason for error in result.errors}
    assert "already registered outside the areas" in reasons[2]
    assert "Today you have been told" in reasons[3] and "Today you have been told" in reasons[4]
    assert result.registered_elsewhere == 1
    assert AuditEvent.objects.get(action=disclosure.AUDIT_ACTION).details == {
        "by": "import",
        "count": 1,
    }
    assert not disclosure.elsewhere_allowed(district_coordinator_b)  # the forms' count too
    result = run(csv_file(rows[2:]), actor=district_coordinator_b)
    [error] = result.errors
    assert "Today you have been told" in error.reason  # a new person: refused all the same
    assert run(csv_file([person()])).ok  # the system (no user) has no such limit


def test_a_volunteer_outside_the_scope_is_not_named(en, district_coordinator_b):
    VolunteerFactory(citizen_id=cid(50), area=Area.objects.get(code="860101"), first_name="กษิดิฐ")
    rows = [person(subdistrict="ท่าแซะ", district="ท่าแซะ", volunteer_citizen_id=cid(50))]
    [error] = run(csv_file(rows), actor=district_coordinator_b).errors
    assert error.column == THAI["volunteer_citizen_id"]
    assert "serves outside the areas where you may import" in error.reason
    assert "กษิดิฐ" not in error.reason and "860101" not in error.reason


def test_a_likely_duplicate_outside_the_scope_is_not_named(en, district_coordinator_b):
    PersonFactory(
        first_name="สมชาย",
        last_name="ใจดี",
        birth_date=date(1947, 6, 15),
        household=HouseholdFactory(area_id="86010101"),
        citizen_id=cid(40),
    )
    rows = [person(subdistrict="ท่าแซะ", district="ท่าแซะ")]
    result = run(csv_file(rows), actor=district_coordinator_b)
    assert result.ok, result.errors
    [warning] = result.warnings
    assert "someone already registered outside the areas" in warning.reason
    assert result.registered_elsewhere == 1
    assert "ใจดี" not in warning.reason and "ท่าตะเภา" not in warning.reason


# --- Importing again ---------------------------------------------------------------------------


def test_an_area_name_typed_with_nikhahit_and_sara_aa_is_found():
    """ "ปากน้ำ" copied from an old system comes as น + ้ + ํ + า: it looks the same."""
    rows = family()
    rows[2]["subdistrict"] = "ต.ปากน\u0e49\u0e4d\u0e32"
    result = run(csv_file(rows))
    assert result.ok, result.errors
    assert stored(cid(3)).household.area_id.startswith("860102")


def test_importing_the_same_file_again_changes_nothing():
    data = csv_file(family())
    assert run(data).ok
    before = snapshot()
    again = run(data)
    assert again.ok, again.errors
    assert again.counts["people"] == {"created": 0, "updated": 0, "unchanged": 3, "skipped": 0}
    assert again.counts["households"]["created"] == 0
    assert snapshot() == before


def test_a_file_exported_before_the_last_edit_cannot_undo_it():
    assert run(csv_file(family())).ok  # stored now, after the file's data was "exported"
    rows = [{**row, "as_of": "01/03/2569 09:30"} for row in family()]
    rows[0]["phone"] = "0899999999"
    before = snapshot()

    result = run(csv_file(rows))

    assert [(e.row, e.column, e.value) for e in result.errors] == [
        (2, "ข้อมูล ณ", "01/03/2569 09:30:00")
    ]
    assert "(1 มี.ค. 2569 09:30:00)" in result.errors[0].reason
    assert snapshot() == before
    rows[0]["as_of"] = ""  # the clerk overwrites on purpose
    assert run(csv_file(rows)).ok
    assert stored(cid(1)).phone == "0899999999"


def test_held_changes_write_nothing_and_a_file_of_new_people_is_not_held():
    first = run(csv_file(family()), hold_changes=True)
    assert first.ok and not first.held and stored(cid(1))
    rows = family()
    rows[0]["phone"] = "0899999999"
    rows.append(person(household_ref="H9", house_no="99", citizen_id=cid(9), first_name="ใหม่"))
    before = snapshot()
    held = run(csv_file(rows), hold_changes=True)
    assert held.ok and held.held
    assert held.change_count == 1 and held.counts["people"]["created"] == 1
    assert snapshot() == before


def test_each_record_a_file_changes_has_the_import_in_its_own_history(en):
    from carenet.core.models import AuditEvent

    assert run(csv_file(family())).ok
    rows = family()
    rows[0].update(phone="0899999999", house_no="12/4")
    rows[1].update(house_no="12/4")
    source = io.BytesIO(csv_file(rows))
    source.name = "แก้ไข.csv"
    assert run(source).ok
    husband = stored(cid(1))
    [changed] = AuditEvent.objects.filter(
        action="person.import", target_type="households.person", target_id=str(husband.pk)
    )
    assert changed.details == {"fields": ["phone"], "file": "แก้ไข.csv"}
    assert changed.area_code == husband.area_id
    [moved] = AuditEvent.objects.filter(action="household.import")
    assert moved.target_id == str(husband.household_id)
    assert moved.details["fields"] == ["house_no"]
    assert not AuditEvent.objects.filter(action="person.import").exclude(pk=changed.pk).exists()


def test_importing_again_people_without_citizen_id_matches_by_name_birth_and_subdistrict():
    rows = [person(citizen_id=""), person(citizen_id="", first_name="ลูก", relation="บุตร")]
    assert run(csv_file(rows)).ok
    before = snapshot()
    assert run(csv_file(rows)).people.unchanged == 2
    assert snapshot() == before


def test_a_record_merged_away_is_not_matched_by_name(en):
    """An export taken after two records without an ID were merged imports again unchanged:
    the merged-away record shares the survivor's name, but is not the person any more."""
    rows = [person(citizen_id="")]
    assert run(csv_file(rows)).ok
    survivor = Person.objects.get()
    merged = PersonFactory.create(
        household=survivor.household,
        first_name=survivor.first_name,
        last_name=survivor.last_name,
        birth_date=survivor.birth_date,
        status=PersonStatus.MERGED,
        merged_into=survivor,
    )
    before = snapshot()
    again = run(csv_file(rows))
    assert again.ok, again.errors
    assert again.people.unchanged == 1
    assert snapshot() == before
    assert merged.pk != survivor.pk


def test_a_row_without_citizen_id_finds_the_registered_person_who_has_one(en):
    """An office's list that leaves IDs out must not register everyone a second time."""
    assert run(csv_file(family())).ok
    rows = [{**row, "citizen_id": ""} for row in family()]
    before = snapshot()
    again = run(csv_file(rows))
    assert again.ok, again.errors
    assert again.counts["people"] == {"created": 0, "updated": 0, "unchanged": 3, "skipped": 0}
    assert snapshot() == before
    both = [family()[0], {**family()[0], "citizen_id": "", "relation": "บุตร"}]
    twice = run(csv_file(both))
    assert [(e.row, e.column) for e in twice.errors] == [(3, "ชื่อ")]
    assert "same registered person" in twice.errors[0].reason


def test_on_existing_update_changes_what_the_file_says():
    assert run(csv_file(family())).ok
    rows = family()
    rows[0].update(phone="0899999999", vulnerable_groups="ผู้สูงอายุ")  # no longer bedridden
    rows[1].update(house_no="", moo="", subdistrict="", district="", province="")
    result = run(csv_file(rows), on_existing="update")
    assert result.ok, result.errors
    assert result.counts["people"] == {"created": 0, "updated": 1, "unchanged": 2, "skipped": 0}
    husband = stored(cid(1))
    assert (husband.phone, husband.bedridden, husband.version) == ("0899999999", False, 2)
    home = husband.household
    assert home.priority_score == household_summary([husband, stored(cid(2))], TODAY).score


def test_the_result_lists_each_value_a_file_changes(en):
    """A dry run of an edited export shows, row by row, what it would change."""
    assert run(csv_file(family())).ok
    rows = family()
    rows[0].update(phone="0899999999", vulnerable_groups="ผู้สูงอายุ")  # no longer bedridden
    result = run(csv_file(rows), dry_run=True)
    assert result.ok, result.errors
    changes = {(c.row, c.column): (c.before, c.after) for c in result.changes}
    assert changes[(2, "โทรศัพท์")][1] == "089-999-9999"  # as the pages show phones
    assert {c.name for c in result.changes} == {"นายสมชาย ใจดี"}  # whose values they are
    before, after = changes[(2, "กลุ่มเปราะบาง")]
    assert "ติดเตียง" in before and "ติดเตียง" not in after
    assert result.change_count == len(result.changes) == 2
    assert stored(cid(1)).phone != "0899999999"  # a dry run


def test_the_result_lists_what_a_file_changes_on_a_stored_household(en):
    """A new house no., housing condition and GPS point are listed as the people's are."""
    assert run(csv_file(family())).ok
    rows = family()
    for row in rows[:2]:
        row.update(house_no="297/1", condition="ทรุดโทรม", lat="10.5", lon="99.2")
    result = run(csv_file(rows), dry_run=True)
    assert result.ok, result.errors
    changes = {c.column: (c.before, c.after) for c in result.changes if c.row == 2}
    assert changes[THAI["house_no"]] == ("12/3", "297/1")
    assert changes[THAI["condition"]][1] == "ทรุดโทรม"
    assert changes[THAI["lat"]] == ("—", "10.500000")  # none before
    assert stored(cid(1)).household.house_no == "12/3"  # a dry run


def test_a_deceased_person_still_in_the_sheet_is_said_and_not_changed(en):
    assert run(csv_file(family())).ok
    Person.objects.filter(pk=stored(cid(2)).pk).update(status=PersonStatus.DECEASED)
    rows = family()
    rows[1]["phone"] = "0811111111"
    result = run(csv_file(rows))
    assert result.ok, result.errors
    [warning] = [w for w in result.warnings if w.row == 3]
    assert "deceased" in warning.reason and "not applied" in warning.reason
    assert stored(cid(2)).phone == "" and stored(cid(2)).status == PersonStatus.DECEASED


def test_a_corrected_citizen_id_does_not_add_the_person_again(en):
    """The office fixed a mistyped ID in its sheet: the row would be a second record of the
    same person in the same household. Refused, with where to correct the ID."""
    assert run(csv_file(family())).ok
    before = snapshot()
    rows = family()
    rows[1]["citizen_id"] = cid(9)
    result = run(csv_file(rows))
    [error] = result.errors
    assert (error.row, error.column) == (3, THAI["citizen_id"])
    assert "already registered in this household under another citizen ID" in error.reason
    assert snapshot() == before


def test_a_stored_member_given_another_ref_does_not_rewrite_their_household(en):
    """The husband listed under his household's rows, the wife under a new ref with another
    address: both refs would be the one stored household, with two addresses. Refused: a
    ref does not move anyone."""
    assert run(csv_file(family())).ok
    before = snapshot()
    rows = family()[:2]
    rows[1].update(household_ref="X1", house_no="69", relation="หัวหน้าครัวเรือน")
    result = run(csv_file(rows))
    [error] = result.errors
    assert (error.row, error.column) == (3, THAI["citizen_id"])
    assert "row 2 of this file gives under another household ref" in error.reason
    assert "move them in Carenet" in error.reason
    assert snapshot() == before


def test_a_row_that_renames_the_person_of_its_citizen_id_is_warned_of(en):
    """A mistyped ID would put one person's name on another's record: said, not refused."""
    assert run(csv_file(family())).ok
    recorded = stored(cid(1))
    rows = family()
    rows[0]["first_name"] = "ประยุทธ"
    result = run(csv_file(rows))
    assert result.ok, result.errors
    [warning] = result.warnings
    assert (warning.row, warning.column, warning.value) == (2, "ชื่อ", "ประยุทธ ใจดี")
    assert f"({recorded.first_name} {recorded.last_name})" in warning.reason
    assert stored(cid(1)).first_name == "ประยุทธ"
    rows[0]["last_name"] = "ใจดีมาก"  # the last name alone: its column, the whole name shown
    [warning] = run(csv_file(rows)).warnings
    assert (warning.column, warning.value) == ("นามสกุล", "ประยุทธ ใจดีมาก")


def test_a_blank_groups_or_welfare_cell_clearing_a_stored_person_is_warned_of(en):
    assert run(csv_file(family())).ok
    rows = family()
    rows[0]["vulnerable_groups"] = ""  # was ผู้สูงอายุ, ติดเตียง
    rows[1]["welfare"] = ""  # was เบี้ยยังชีพผู้สูงอายุ
    result = run(csv_file(rows))
    assert result.ok, result.errors
    cleared = {(w.row, w.column): w.reason for w in result.warnings if "clears" in w.reason}
    assert set(cleared) == {(2, THAI["vulnerable_groups"]), (3, THAI["welfare"])}
    assert "ติดเตียง" in cleared[(2, THAI["vulnerable_groups"])]
    assert "เบี้ยยังชีพผู้สูงอายุ" in cleared[(3, THAI["welfare"])]
    assert not stored(cid(1)).bedridden  # the file is the list: warned of, then done
    assert run(csv_file(family())).ok  # bedridden again
    rows = family()
    rows[0]["vulnerable_groups"] = "อยู่ลำพัง"  # no longer bedridden: an edit of the list
    result = run(csv_file(rows))
    assert not [w for w in result.warnings if "clears" in w.reason]
    assert [w.row for w in result.warnings if "removes" in w.reason] == [2]  # said all the same
    assert not stored(cid(1)).bedridden


def test_a_groups_cell_listing_other_groups_warns_of_each_group_it_removes(en):
    """A headman's sheet of the day's flood victims would take the bedridden off the list."""
    assert run(csv_file(family())).ok
    rows = family()
    rows[0]["vulnerable_groups"] = "ผู้ประสบภัยพิบัติ"  # was ผู้สูงอายุ, ติดเตียง
    rows[1]["vulnerable_groups"] = "ผู้ประสบภัยพิบัติ"  # nothing recorded to take off
    rows[1]["welfare"] = "เบี้ยความพิการ"  # was เบี้ยยังชีพผู้สูงอายุ
    result = run(csv_file(rows), dry_run=True)
    assert result.ok, result.errors
    removes = {(w.row, w.column): w for w in result.warnings if "removes" in w.reason}
    assert set(removes) == {(2, THAI["vulnerable_groups"]), (3, THAI["welfare"])}
    groups = removes[(2, THAI["vulnerable_groups"])]
    assert columns.GROUPS.word("bedridden") in groups.reason
    assert "write it in the cell too" in groups.reason
    assert groups.value == columns.GROUPS.word("disaster_affected")
    assert columns.WELFARE.word("elderly_allowance") in removes[(3, THAI["welfare"])].reason
    # The changes listed say what each takes off; a change that only adds takes off nothing.
    marked = {(c.row, c.column): c.removed for c in result.changes}
    assert marked[(2, THAI["vulnerable_groups"])] == columns.GROUPS.word("bedridden")
    assert marked[(3, THAI["vulnerable_groups"])] == ""
    assert marked[(3, THAI["welfare"])] == columns.WELFARE.word("elderly_allowance")
    assert result.removal_count == 2
    # Listing what is recorded with the new group removes nothing and says nothing.
    rows[0]["vulnerable_groups"] = "ติดเตียง, ผู้ประสบภัยพิบัติ"
    rows[1]["welfare"] = "เบี้ยยังชีพผู้สูงอายุ, เบี้ยความพิการ"
    result = run(csv_file(rows))
    assert result.ok and not result.warnings and result.removal_count == 0
    assert stored(cid(1)).bedridden and stored(cid(1)).disaster_affected


def test_a_dash_that_clears_a_list_is_quoted_as_typed(en):
    assert run(csv_file(family())).ok
    rows = family()
    rows[1]["welfare"] = "-"  # was เบี้ยยังชีพผู้สูงอายุ
    result = run(csv_file(rows), dry_run=True)
    [cleared] = [w for w in result.warnings if "clears" in w.reason]
    assert (cleared.row, cleared.column, cleared.value) == (3, THAI["welfare"], "-")


def test_on_existing_skip_leaves_stored_people_alone():
    assert run(csv_file(family())).ok
    before = snapshot()
    rows = family()
    rows[0]["phone"] = "0899999999"
    result = run(csv_file(rows), on_existing="skip")
    assert result.ok
    assert result.counts["people"]["skipped"] == 3
    assert snapshot() == before


def test_on_existing_error_refuses_stored_people(en):
    assert run(csv_file(family())).ok
    before = snapshot()
    rows = [*family(), person(household_ref="H9", house_no="77", citizen_id=cid(8))]
    result = run(csv_file(rows), on_existing="error")
    assert [(e.row, e.column) for e in result.errors] == [
        (2, "เลขประจำตัวประชาชน"),
        (3, "เลขประจำตัวประชาชน"),
        (4, "เลขประจำตัวประชาชน"),
    ]
    assert "already registered" in result.errors[0].reason
    assert snapshot() == before


def test_a_stored_member_named_with_a_new_head_whose_head_is_left_out_is_refused(en):
    """One of a stored couple, listed under a new ref with a newcomer as head at another
    address: the stored household would move and have two heads."""
    assert run(csv_file(family())).ok
    before = snapshot()
    rows = [
        person(household_ref="ใหม่1", house_no="321", moo="2", citizen_id=cid(8),
               first_name="สมหมาย", birth_date="01/01/2500"),
        {**family()[1], "household_ref": "ใหม่1", "house_no": "321", "moo": "2"},
    ]  # fmt: skip
    result = run(csv_file(rows))
    [error] = result.errors
    assert (error.row, error.column) == (2, THAI["relation"])
    assert f"household no. {stored(cid(1)).household_id}" in error.reason
    assert "its head is not in the file" in error.reason
    assert snapshot() == before


def test_a_new_head_listed_with_the_present_one_changes_the_head():
    assert run(csv_file(family())).ok
    rows = family()[:2]
    rows[0]["relation"], rows[1]["relation"] = "คู่สมรส", "หัวหน้าครัวเรือน"
    result = run(csv_file(rows))
    assert result.ok, result.errors
    home = stored(cid(1)).household
    assert home.head_id == stored(cid(2)).pk
    assert stored(cid(1)).relation == "spouse"


def test_a_new_address_for_some_members_says_the_others_move_too(en):
    assert run(csv_file(family())).ok
    home = stored(cid(1)).household
    assert home.member_count == 2
    rows = [{**family()[1], "house_no": "99"}]  # the wife alone, at a new house no.
    result = run(csv_file(rows))
    assert result.ok, result.errors
    [warning] = [w for w in result.warnings if w.column == THAI["house_no"]]
    assert (
        f"household no. {home.pk}" in warning.reason and "with its 1 member not" in warning.reason
    )
    assert "found by its members' names" not in warning.reason  # found by her citizen ID
    unnamed = [{**family()[1], "house_no": "98", "citizen_id": ""}]
    [warning] = [w for w in run(csv_file(unnamed)).warnings if w.column == THAI["house_no"]]
    assert "found by its members' names, birth dates and subdistrict" in warning.reason
    every = [{**row, "house_no": "100"} for row in family()[:2]]
    result = run(csv_file(every))
    assert not [w for w in result.warnings if w.column == THAI["house_no"]]
    assert stored(cid(2)).household.house_no == "100"


def test_a_new_member_joins_the_stored_household_even_when_listed_first():
    assert run(csv_file(family())).ok
    baby = person(citizen_id=cid(7), first_name="หลาน", relation="หลาน", birth_date="01/01/2568")
    result = run(csv_file([baby, *family()]))
    assert result.ok, result.errors
    assert result.counts["households"]["created"] == 0
    home = stored(cid(1)).household
    assert stored(cid(7)).household_id == home.pk
    assert Household.objects.count() == 2
    home.refresh_from_db()
    assert home.member_count == 3
    assert Consent.objects.filter(person__household=home).count() == 3


def test_a_new_household_at_a_stored_address_joins_it():
    home = HouseholdFactory(area_id="86010101", house_no="12/3", moo=1)
    assert run(csv_file([person()])).ok
    assert stored(cid(1)).household_id == home.pk
    assert Household.objects.count() == 1


def test_a_family_with_its_own_head_at_a_stored_address_is_another_household(en):
    home = HouseholdFactory(area_id="86010101", house_no="12/3", moo=1)
    head = PersonFactory(household=home, relation="head", citizen_id=cid(40))
    home.head = head
    home.save()
    # A member without a head row joins it.
    baby = person(citizen_id=cid(7), first_name="หลาน", relation="หลาน", household_ref="H9")
    assert run(csv_file([baby])).ok
    assert stored(cid(7)).household_id == home.pk
    result = run(csv_file(family()[:2]))
    assert result.ok, result.errors
    assert result.counts["households"]["created"] == 1
    assert stored(cid(1)).household_id != home.pk
    home.refresh_from_db()
    assert home.head_id == head.pk
    [warning] = result.warnings
    assert (warning.row, warning.column, warning.value) == (2, "บ้านเลขที่", "12/3")
    assert "already registered at this address" in warning.reason
    assert "(12/3 หมู่ 1 บ้านท่าตะเภา ต.ท่าตะเภา อ.เมืองชุมพร จ.ชุมพร)" in warning.reason


def two_families_at(house_no: str) -> list[Household]:
    homes = []
    for number in (40, 41):
        home: Household = HouseholdFactory.create(area_id="86010101", house_no=house_no, moo=1)
        home.head = PersonFactory.create(household=home, relation="head", citizen_id=cid(number))
        home.save()
        homes.append(home)
    return homes


def test_members_without_a_head_at_an_address_of_two_households_are_refused(en):
    """Which of the two the child belongs to is the clerk's to say, not a guess; before, the
    child became a household of its own, headed by a three-year-old."""
    homes = two_families_at("12/3")
    child = person(citizen_id=cid(7), first_name="ลูก", relation="บุตร", birth_date="01/06/2566")
    before = snapshot()
    result = run(csv_file([{**child, "household_ref": ""}]))
    [error] = result.errors
    assert (error.row, error.column, error.value) == (2, "บ้านเลขที่", "12/3")
    assert "2 households are registered at this address" in error.reason
    assert all(f"household no. {home.pk}" in error.reason for home in homes)
    assert "household's page" in error.reason
    assert snapshot() == before
    # Listed with a registered member under one ref, the child joins that member's household.
    mother = person(citizen_id=cid(41), first_name="แม่", relation="ญาติอื่น", household_ref="B")
    assert run(csv_file([mother, {**child, "household_ref": "B"}])).ok
    assert stored(cid(7)).household_id == homes[1].pk


def test_a_family_with_a_head_at_an_address_of_two_households_is_a_third(en):
    two_families_at("12/3")
    result = run(csv_file(family()[:1]))
    assert result.ok and result.counts["households"]["created"] == 1
    [warning] = result.warnings
    assert "Already registered at this address" in warning.reason
    assert "soi or road" not in warning.reason


def test_a_head_listed_after_the_members_makes_them_a_family_of_their_own(en):
    """The head row may come last, in another chunk of a large file."""
    two_families_at("12/3")
    kids = [
        person(citizen_id=cid(n), first_name=f"ลูก{n}", relation="บุตร", birth_date="01/06/2560")
        for n in (7, 8)
    ]
    result = run(csv_file([*kids, family()[0]]))
    assert result.ok, result.errors
    assert result.counts["households"]["created"] == 1


def test_two_heads_at_one_house_without_refs_are_told_how_to_part_them(en):
    rows = [{**row, "household_ref": ""} for row in family()[:1]]
    other = person(citizen_id=cid(9), first_name="สมศรี", household_ref="")
    result = run(csv_file([*rows, other]))
    [error] = result.errors
    assert "already has its head in row 2" in error.reason
    assert "give each family its own household ref" in error.reason


def test_a_stored_household_moves_village_but_not_subdistrict(en):
    assert run(csv_file(family()[:2])).ok
    home = stored(cid(1)).household
    moved = [{**row, "moo": "2"} for row in family()[:2]]
    assert run(csv_file(moved)).ok
    home.refresh_from_db()
    assert home.area_id == "86010102"
    assert stored(cid(2)).area_id == "86010102"
    before = snapshot()
    away = [{**row, "subdistrict": "ปากน้ำ", "moo": "1"} for row in family()[:2]]
    result = run(csv_file(away))
    [error] = result.errors
    assert (error.row, error.column) == (2, "ตำบล")
    assert "only change village within its subdistrict" in error.reason
    assert snapshot() == before


@pytest.mark.parametrize("with_id", [True, False])
def test_a_person_who_withdrew_consent_is_not_changed(en, with_id):
    row = person(phone="0812345678") if with_id else person(citizen_id="", phone="0812345678")
    assert run(csv_file([row])).ok
    kept = Person.objects.get()
    kept.consents.update(withdrawn_on=date(2026, 2, 1), withdrawal_reason="ไม่ประสงค์")
    before = snapshot()
    assert run(csv_file([row])).people.unchanged == 1  # the same row again: nothing to say
    result = run(csv_file([{**row, "phone": "0899999999"}]))
    assert result.ok
    assert (result.people.skipped, result.people.updated) == (1, 0)
    [warning] = result.warnings
    assert (warning.row, warning.value) == (2, cid(1) if with_id else "สมชาย")
    assert "withdrew their consent" in warning.reason
    assert snapshot() == before
    # A new consent given since lifts the restriction.
    ConsentFactory(person=kept, given_on=date(2026, 2, 20))
    assert run(csv_file([{**row, "phone": "0899999999"}])).people.updated == 1
    assert Person.objects.get().phone == "0899999999"


def test_a_likely_duplicate_is_listed_but_does_not_block(en):
    PersonFactory(
        first_name="สมชาย",
        last_name="ใจดี",
        birth_date=date(1947, 6, 15),
        household=HouseholdFactory(area_id="86010201"),
        citizen_id=cid(40),
    )
    result = run(csv_file([person()]))
    assert result.ok
    [warning] = result.warnings
    assert warning.row == 2
    assert "Possibly the same person as สมชาย ใจดี" in warning.reason
    assert Person.objects.count() == 2


def _without_birth_dates(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """A headman's list: names and addresses, no citizen IDs nor birth dates (nor age groups)."""
    blank = {"citizen_id": "", "birth_date": "", "vulnerable_groups": "", "relation": ""}
    return [{**row, **blank} for row in rows]


def test_a_row_without_id_or_birth_date_named_as_a_stored_person_is_warned_of(en):
    assert run(csv_file(family())).ok
    home = stored(cid(1)).household
    result = run(csv_file(_without_birth_dates(family()[:1])), dry_run=True)
    assert result.ok, result.errors
    assert result.people.created == 1  # registered anew, as specified, but said
    [warning] = [w for w in result.warnings if "same person" in w.reason]
    assert (warning.row, warning.value) == (2, "สมชาย")
    assert f"Possibly the same person as สมชาย ใจดี, registered in household no. {home.pk}" in (
        warning.reason
    )
    assert "12/3 หมู่ 1 บ้านท่าตะเภา" in warning.reason
    assert "add their birth date (or citizen ID)" in warning.reason
    # In another subdistrict, or no longer living there: nobody to name.
    Person.objects.filter(pk=stored(cid(2)).pk).update(status=PersonStatus.MOVED)
    rows = _without_birth_dates(family()[:2])
    rows[0].update(subdistrict="ปากน้ำ", household_ref="H7")
    assert not [w for w in run(csv_file(rows), dry_run=True).warnings if "same person" in w.reason]


def test_a_namesake_outside_the_importers_areas_is_not_disclosed(en, area_tree):
    village = UserFactory(username="village2")
    AreaAssignmentFactory(user=village, role=Role.CENTRE_COORDINATOR, area=area_tree["86010102"])
    assert run(csv_file(family()[:1])).ok  # หมู่ 1
    row = {**_without_birth_dates(family()[:1])[0], "moo": "2", "house_no": "8"}
    result = run(csv_file([row]), actor=village, dry_run=True)
    assert result.ok, result.errors
    [warning] = [w for w in result.warnings if "same name" in w.reason]
    assert "outside the areas where you may import data" in warning.reason
    assert "ใจดี" not in warning.reason and "หมู่ 1" not in warning.reason
    assert result.registered_elsewhere == 1


def test_namesakes_are_looked_for_without_another_query(request, django_assert_num_queries):
    """They come from the query that looks for the rows' names anyway."""
    if request.node.callspec.params["chunk_size"] != "one chunk":
        pytest.skip("the count is of one chunk")
    assert run(csv_file(family())).ok
    rows = _without_birth_dates(family())
    with CaptureQueriesContext(connection) as one:
        assert len(run(csv_file(rows[:1]), dry_run=True).warnings) == 1
    with CaptureQueriesContext(connection) as two:
        assert len(run(csv_file(rows[:2]), dry_run=True).warnings) == 2
    assert len(two) == len(one)


def test_a_row_with_a_guessed_birth_date_named_as_a_housemate_is_warned_of(en):
    """01/01 of the year, as headmen write when only the year is known: no match, but the
    person of that name at the same house no. and village is named."""
    rows = [{**row, "citizen_id": ""} for row in family()]
    assert run(csv_file(rows)).ok
    home = Person.objects.get(first_name="สมชาย").household
    guessed = [{**rows[0], "birth_date": "01/01/2490", "household_ref": "X"}]
    result = run(csv_file(guessed), dry_run=True)
    assert result.ok, result.errors
    assert result.people.created == 1
    [warning] = [w for w in result.warnings if "same person" in w.reason]
    assert (warning.row, warning.value) == (2, "สมชาย")
    assert f"สมชาย ใจดี, registered in household no. {home.pk} (12/3 หมู่ 1" in warning.reason
    assert "another birth date (15/06/2490)" in warning.reason
    # Joining the household through a stored member, at another house no. in the file.
    joined = [{**rows[1], "house_no": "99"}, {**guessed[0], "house_no": "99"}]
    joined[1].update(household_ref="H1", relation="")
    result = run(csv_file(joined), dry_run=True)
    assert result.ok, result.errors
    assert [w.row for w in result.warnings if "same person" in w.reason] == [3]


def test_a_dated_namesake_elsewhere_in_the_subdistrict_is_not_warned_of(en):
    """Only the same household or address: a subdistrict has too many namesakes."""
    rows = [{**row, "citizen_id": ""} for row in family()]
    assert run(csv_file(rows)).ok
    elsewhere = {**rows[0], "birth_date": "01/01/2500", "moo": "2", "house_no": "8"}
    result = run(csv_file([elsewhere]), dry_run=True)
    assert result.ok, result.errors
    assert not result.warnings
    # Nor someone no longer living there.
    Person.objects.filter(first_name="สมชาย").update(status=PersonStatus.MOVED)
    again = run(csv_file([{**elsewhere, "moo": "1", "house_no": "12/3"}]), dry_run=True)
    assert not [w for w in again.warnings if "same person" in w.reason]


def test_a_first_load_without_birth_dates_looks_up_no_household():
    """Namesakes come from the lookup of the rows' names (which PostgreSQL skips on a first
    load); households at the same house no. are not looked for in an empty village."""
    rows = _without_birth_dates(family())
    with CaptureQueriesContext(connection) as queries:
        result = run(csv_file(rows))
    assert result.ok and not result.warnings
    selects = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert not [sql for sql in selects if '"house_no" IN' in sql]
    if connection.vendor == "postgresql":  # a first load asks nothing of stored people
        assert not [sql for sql in selects if '"name_key" IN' in sql]


def test_a_new_household_at_a_stored_house_no_and_village_is_warned_of(en):
    """Another road in the file than on record: not joined, but the stored one is named."""
    home = HouseholdFactory(area_id="86010101", house_no="12/3", road="ถนนสายหลัก")
    PersonFactory(household=home, first_name="มานะ", citizen_id=cid(40))
    result = run(csv_file(_without_birth_dates(family()[:2])), dry_run=True)
    assert result.ok, result.errors
    assert result.households.created == 1
    [warning] = result.warnings
    assert (warning.row, warning.column, warning.value) == (2, THAI["house_no"], "12/3")
    assert f"household no. {home.pk} (12/3 ถนนสายหลัก หมู่ 1 บ้านท่าตะเภา" in warning.reason
    assert "write its soi and road as recorded" in warning.reason
    # Written with the road recorded, the rows join it, and nothing is said.
    rows = [{**row, "road": "ถนนสายหลัก"} for row in _without_birth_dates(family()[:2])]
    result = run(csv_file(rows))
    assert result.ok and not result.warnings
    assert result.households.created == 0
    assert Person.objects.filter(household=home).count() == 3


def test_the_command_report_lists_the_headmans_list_warnings(tmp_path):
    assert run(csv_file(family())).ok
    path, report = tmp_path / "headman.csv", tmp_path / "report.csv"
    path.write_bytes(csv_file(_without_birth_dates(family()[:1])))
    call_command(
        "import_households", str(path), "--dry-run", "--report", str(report),
        stdout=io.StringIO(), stderr=io.StringIO(),
    )  # fmt: skip
    lines = list(csv.reader(io.StringIO(report.read_bytes().decode("utf-8-sig"))))
    # The command writes its report in Thai, the language of the office.
    assert [line[0] for line in lines[1:] if "อาจเป็นบุคคลเดียวกับ" in line[3]] == ["2"]


def pink(number: int, first: str = "0") -> str:
    """A pink card no. with the citizen-ID check digit, starting with `first`."""
    digits = f"{first}{number:011d}"
    return digits + str(citizen_id.checksum_digit(digits))


def _migrants() -> list[dict[str, str]]:
    """Rows of a migrant list: no citizen ID, a pink card or a passport."""
    blank = {"citizen_id": "", "relation": ""}
    return [
        person(**blank, first_name="ส่วย", last_name="ลิน", document_type="บัตรชมพู",
               document_no=pink(1)),
        person(**blank, first_name="มินต์", last_name="ทุนทอง", document_type="บัตรชมพู",
               document_no=dashed(pink(2, "6"))),
        person(**blank, first_name="ซอ", last_name="ลวิน", document_type="หนังสือเดินทาง",
               document_no="n0123-4567"),
    ]  # fmt: skip


def _holders(area: str = "86010102") -> list:
    """Stored people holding the migrants' numbers under other names: as their pink card,
    as their citizen ID (a pink card starting with 6 is accepted as one), as their passport."""
    home = HouseholdFactory(area_id=area, house_no="89")
    return [
        PersonFactory(household=home, first_name="อ่อง", last_name="จอ",
                      document_type="pink_card", document_no=pink(1)),
        PersonFactory(household=home, first_name="มิน", last_name="ทุน", citizen_id=pink(2, "6")),
        PersonFactory(household=home, first_name="Sokha", last_name="Chan",
                      document_type="passport", document_no="N01234567"),
    ]  # fmt: skip


def test_a_pink_card_or_passport_no_already_registered_is_warned_of(en):
    holders = _holders()
    result = run(csv_file(_migrants()), dry_run=True)
    assert result.ok, result.errors
    assert result.people.created == 3  # registered anew, as the form would let them be, but said
    warned = [w for w in result.warnings if "the same document no." in w.reason]
    assert [(w.row, w.column) for w in warned] == [(n, THAI["document_no"]) for n in (2, 3, 4)]
    assert [w.value for w in warned] == [pink(1), pink(2, "6"), "N01234567"]
    for warning, holder in zip(warned, holders, strict=True):
        assert f"Possibly the same person as {holder.first_name} {holder.last_name}, " in (
            warning.reason
        )
        assert f"household no. {holder.household_id} (89 หมู่ 2" in warning.reason


def test_the_person_who_holds_the_document_no_is_not_warned_of_again(en):
    """A file imported again finds its people, who hold their own numbers."""
    assert run(csv_file(_migrants())).ok
    result = run(csv_file(_migrants()))
    assert result.ok, result.errors
    assert result.people.unchanged == 3 and not result.warnings
    # Nor is someone with another citizen ID: two citizen IDs are two people, as the form says.
    PersonFactory(first_name="เก่ง", citizen_id=cid(50), document_type="pink_card",
                  document_no=pink(1))  # fmt: skip
    row = {**_migrants()[0], "citizen_id": cid(51), "document_type": "", "document_no": ""}
    row["first_name"] = "ใหม่"
    assert not run(csv_file([row]), dry_run=True).warnings


def test_a_document_no_registered_outside_the_importers_areas_is_not_disclosed(en, area_tree):
    village = UserFactory(username="village1")
    AreaAssignmentFactory(user=village, role=Role.CENTRE_COORDINATOR, area=area_tree["86010101"])
    _holders()  # หมู่ 2
    result = run(csv_file(_migrants()[:1]), actor=village, dry_run=True)
    assert result.ok, result.errors
    [warning] = result.warnings
    assert "holds this document no." in warning.reason
    assert "outside the areas where you may import data" in warning.reason
    assert "จอ" not in warning.reason and "89" not in warning.reason
    assert result.registered_elsewhere == 1


def test_document_numbers_are_looked_up_in_one_query_and_only_when_given(request):
    if request.node.callspec.params["chunk_size"] != "one chunk":
        pytest.skip("the count is of one chunk")
    _holders()

    def lookups(rows: list[dict[str, str]]) -> int:
        with CaptureQueriesContext(connection) as queries:
            run(csv_file(rows), dry_run=True)
        return len([q for q in queries.captured_queries if '"document_no" IN' in q["sql"]])

    assert lookups(_migrants()) == 1
    assert lookups(family()) == 0


def test_a_first_load_of_a_migrant_list_asks_for_no_document_no():
    with CaptureQueriesContext(connection) as queries:
        result = run(csv_file(_migrants()))
    assert result.ok and not result.warnings
    if connection.vendor == "postgresql":  # a first load asks nothing of stored people
        assert not [q for q in queries.captured_queries if '"document_no" IN' in q["sql"]]


def test_the_command_report_lists_a_registered_document_no(tmp_path):
    _holders("86010101")
    path, report = tmp_path / "migrants.csv", tmp_path / "report.csv"
    path.write_bytes(csv_file(_migrants()))
    call_command(
        "import_households", str(path), "--dry-run", "--report", str(report),
        stdout=io.StringIO(), stderr=io.StringIO(),
    )  # fmt: skip
    lines = list(csv.reader(io.StringIO(report.read_bytes().decode("utf-8-sig"))))
    # Under the file's own header (the reason is in Thai once its translation is compiled).
    assert [line[0] for line in lines[1:] if line[1] == THAI["document_no"]] == ["2", "3", "4"]


def test_an_export_imports_again_without_change():
    assert run(csv_file(family())).ok
    people = Person.objects.select_related("household").prefetch_related("consents")
    areas = {a.code: a for a in Area.objects.all()}
    exported = [columns.household_row_values(p, areas=areas) for p in people.order_by("pk")]
    before = snapshot()
    result = run(csv_file(exported))
    assert result.ok, result.errors
    assert result.people.unchanged == 3
    assert not result.warnings and result.removal_count == 0
    assert snapshot() == before


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_with_formula_like_text_imports_again_without_change(national_admin, fmt):
    # The export puts an apostrophe before text a spreadsheet would run; reading the file
    # again takes it off, so a person with no citizen ID is found again, not added.
    rows = [
        person(citizen_id="", last_name="=1+1", soi="-ทางรถไฟ", road="@ตลาด", phone="-"),
        person(citizen_id=cid(2), first_name="สมศรี", last_name="+ไทย", relation="คู่สมรส"),
    ]
    assert run(csv_file(rows)).ok
    kept = stored(cid(2))
    assert (kept.last_name, kept.phone, kept.household.soi) == ("+ไทย", "", "-ทางรถไฟ")
    prepared = exporting.export_prepare(user=national_admin, dataset="households", fmt=fmt)
    exported = io.BytesIO()
    exporting.write(prepared, exported)
    before = snapshot()
    result = run(exported.getvalue())
    assert result.ok, result.errors
    assert (result.people.unchanged, result.people.created) == (2, 0)
    assert snapshot() == before


@pytest.mark.parametrize("first_name", ["12345", "๑๒๓", "12/3"])
def test_a_first_name_without_a_letter_is_refused_as_on_the_form(en, first_name):
    result = run(csv_file([person(first_name=first_name)]))
    [error] = result.errors
    assert (error.column, error.value) == (THAI["first_name"], first_name)
    assert error.reason.startswith("A first name has letters")


def test_a_missing_first_name_says_what_to_write_for_a_baby_not_named_yet(en):
    result = run(csv_file([person(first_name="")]))
    [error] = result.errors
    assert error.column == THAI["first_name"]
    assert error.reason.startswith("Enter the first name.") and "ทารก" in error.reason
    assert run(csv_file([person(first_name="ทารก", title="เด็กชาย")])).ok


@pytest.mark.parametrize("word", ["มีเลขประจำตัวประชาชน แต่ยังไม่ทราบเลข", "ยังไม่ทราบเลข"])
def test_a_citizen_id_not_known_yet_is_read_and_written_again(national_admin, word):
    row = person(citizen_id="", document_type=word, first_name="แก่", last_name="ไม่รู้เลข")
    assert run(csv_file([row])).ok
    kept = Person.objects.get(first_name="แก่", last_name="ไม่รู้เลข")
    assert (kept.document_type, kept.document_no) == ("id_unknown", "")
    areas = {a.code: a for a in Area.objects.all()}
    exported = columns.household_row_values(kept, areas=areas)
    assert exported["document_type"] == "มีเลขประจำตัวประชาชน แต่ยังไม่ทราบเลข"
    before = snapshot()
    result = run(csv_file([exported]))
    assert result.ok and result.people.unchanged == 1, result.errors
    assert snapshot() == before


def test_a_citizen_id_not_known_yet_with_a_number_is_refused(en):
    row = person(citizen_id="", document_type="ยังไม่ทราบเลข", document_no="MC1234567")
    [error] = run(csv_file([row])).errors
    assert error.column == THAI["document_no"]


@pytest.mark.parametrize(("born", "ok"), [("29/11/2439", True), ("28/11/2438", False)])
def test_the_oldest_age_is_130_as_on_the_form(born, ok):
    """130 is accepted and 131 refused, by the import and by the form alike."""
    today = date(2026, 11, 29)
    assert run(csv_file([person(birth_date=born)]), today=today).ok is ok
    day, month, year = (int(part) for part in born.split("/"))
    born_on = date(year - 543, month, day)
    data = PersonData(first_name="สมชาย", birth_date=born_on, document_type="none")
    try:
        person_clean(data, today=today)
    except ValidationError:
        assert not ok
    else:
        assert ok


def test_a_report_shortens_a_long_cell(en):
    result = run(csv_file([person(first_name="ก" * 100_000)]))
    [error] = result.errors
    assert error.reason == "At most 100 characters."
    assert error.value == "ก" * 199 + "…"


def test_a_house_no_in_thai_digits_is_stored_in_arabic_digits():
    assert run(csv_file([person(house_no="๙๙๙/๑")])).ok
    assert stored(cid(1)).household.house_no == "999/1"


def test_a_house_no_with_the_word_house_no_before_it_is_stored_without_it():
    """ "เลขที่ 12/3" from a paper form would show as "บ้านเลขที่ เลขที่ 12/3"."""
    assert run(csv_file([person(house_no="บ้านเลขที่ 12 / 3")])).ok
    assert stored(cid(1)).household.house_no == "12/3"


@pytest.mark.parametrize("fmt", ["csv", "csv with blank rows", "xlsx"])
def test_a_file_with_a_header_and_no_rows_is_an_error(en, fmt):
    data = {
        "csv": "\ufeffชื่อ,ตำบล\r\n".encode(),
        "csv with blank rows": "ชื่อ,ตำบล\n\n,\n".encode(),
        "xlsx": _header_only_xlsx(),
    }[fmt]
    result = run(data)
    [error] = result.errors
    assert (error.row, error.reason) == (
        1,
        "The file has a header row but no rows of data under it: nothing to import.",
    )


def _header_only_xlsx() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["ชื่อ", "ตำบล"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_consent_dated_before_the_birth_is_an_error(en):
    result = run(csv_file([person(consent_date="01/01/2480")]))  # born 15/06/2490
    [error] = result.errors
    assert (error.row, error.value) == (2, "01/01/2480")
    assert "before the person was born" in error.reason
    assert not Person.objects.exists()


def test_a_stored_person_s_consent_date_is_not_checked_again():
    # The file's consent columns record a new person's consent; a stored person's consent,
    # even one stored before this rule, does not stop the person's row from importing.
    assert run(csv_file([person(consent_date="01/01/2500")])).ok
    Person.objects.get().consents.update(given_on=date(1940, 1, 1))
    result = run(csv_file([person(consent_date="01/01/2483")]))
    assert result.ok, result.errors
    assert result.people.unchanged == 1


def test_errors_are_listed_in_row_order():
    # Row 3 repeats row 2's ID (found when rows are compared), row 4 has a bad phone (found
    # when the row is read, before): the report lists them as the file has them.
    rows = [
        person(),
        person(first_name="สมศรี", title="นาง", sex="หญิง", relation="คู่สมรส"),
        person(citizen_id=cid(5), first_name="มานะ", relation="บุตร", phone="12"),
    ]
    result = run(csv_file(rows))
    assert [e.row for e in result.errors] == [3, 4]


def test_a_name_typed_an_unusual_way_matches_the_stored_person():
    assert run(csv_file([person(citizen_id="", first_name="น้ำฝน")])).ok
    result = run(csv_file([person(citizen_id="", first_name="นํ้าฝน")]))  # ํ + ้ + า
    assert (result.people.unchanged, result.people.created) == (1, 0)


def test_a_dash_is_a_blank_cell():
    assert run(csv_file([person(last_name="-", phone="-", soi="–", road="ถ.-")])).ok
    imported = stored(cid(1))
    assert (imported.last_name, imported.phone, imported.household.soi) == ("", "", "")
    assert imported.household.road == "ถ.-"  # only a cell of dashes alone is blank


# --- Dry run, the command and the report -----------------------------------------------------


def test_dry_run_checks_and_writes_nothing():
    result = run(csv_file(family()), dry_run=True)
    assert result.ok and result.dry_run
    assert result.people.created == 3
    assert result.households.created == 2
    assert snapshot() == {"households": [], "people": [], "consents": [], "assignments": []}
    assert not AuditEvent.objects.exists()


def test_the_command_says_a_problem_of_the_whole_file_without_a_row():
    from carenet.spreadsheets.importing.command import describe

    assert describe(tabular.RowError(None, "", "", "ไฟล์เสีย")) == "ไฟล์เสีย"
    assert describe(tabular.RowError(3, "ชื่อ", "ก", "ยาวไป")).startswith("แถว 3")


def test_an_age_group_the_birth_date_contradicts_is_named_in_thai():
    row = person(birth_date="01/01/2511", vulnerable_groups="ผู้สูงอายุ")  # 58 in 2569
    result = run(csv_file([row]))
    assert result.ok
    [warning] = [w for w in result.warnings if w.column == THAI["vulnerable_groups"]]
    assert "ผู้สูงอายุ" in warning.reason and "elderly" not in warning.reason


def test_a_house_no_written_with_its_village_no_gives_the_village(en):
    assert run(csv_file([person(house_no="12/3 ม.๒", moo="")])).ok
    household = stored(cid(1)).household
    assert (household.house_no, household.moo, household.area_id) == ("12/3", 2, "86010102")
    result = run(csv_file([person(citizen_id=cid(2), house_no="7 หมู่ที่ 2", moo="1")]))
    [error] = result.errors
    assert error.column == THAI["house_no"] and "หมู่ 2" in error.reason


def test_command_imports_a_file(tmp_path):
    path = tmp_path / "households.csv"
    path.write_bytes(csv_file(family()))
    out = io.StringIO()
    call_command("import_households", str(path), stdout=out)
    assert Person.objects.count() == 3
    assert "2" in out.getvalue()


def ods_file(rows: list[dict[str, str]]) -> bytes:
    """A LibreOffice spreadsheet (.ods) of the rows, with the Thai headers."""
    keys = [key for key in THAI if any(key in row for row in rows)]
    lines = [[THAI[key] for key in keys], *([row.get(key, "") for key in keys] for row in rows)]
    cell = '<table:table-cell office:value-type="string"><text:p>{}</text:p></table:table-cell>'
    table = "".join(
        "<table:table-row>"
        + "".join(cell.format(escape(text)) for text in line)
        + "</table:table-row>"
        for line in lines
    )
    names = {
        "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
        "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
        "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    }
    spaces = " ".join(f'xmlns:{name}="{uri}"' for name, uri in names.items())
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {spaces} '
        'office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Sheet1">'
        f"{table}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
            '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
            '<manifest:file-entry manifest:full-path="/" manifest:media-type='
            '"application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>',
        )
    return buffer.getvalue()


def test_command_imports_a_libreoffice_file(tmp_path):
    path = tmp_path / "households.ods"
    path.write_bytes(ods_file(family()))
    call_command("import_households", str(path), stdout=io.StringIO())
    assert Person.objects.count() == 3


def test_a_gps_point_far_from_the_files_other_households_is_questioned(en):
    """As the form does: a point taken at the office, or a digit mistyped, is warned of."""
    rows = [
        person(
            household_ref=f"H{n}",
            house_no=str(n),
            citizen_id=cid(n),
            first_name=f"สมชาย{n}",
            lat="10.4931",
            lon=f"99.18{n}",
        )
        for n in range(1, 6)
    ]
    far = person(
        household_ref="H9", house_no="9", citizen_id=cid(9), first_name="ไกล",
        lat="13.7563", lon="100.5018",
    )  # fmt: skip
    result = run(csv_file([*rows, far]), dry_run=True)
    assert result.ok, result.errors
    [warning] = result.warnings
    assert (warning.row, warning.column) == (7, "ละติจูด")
    assert "km from the file's other households of 860101" in warning.reason
    assert not run(csv_file([*rows[:3], far]), dry_run=True).warnings  # too few to tell
    # Imported, the point is the household's: the file repeating it is not asked again,
    # but a new far point for it is.
    assert run(csv_file([*rows, far])).ok
    assert not run(csv_file([*rows, far]), dry_run=True).warnings
    moved = {**far, "lat": "13.8563"}
    [again] = run(csv_file([*rows, moved]), dry_run=True).warnings
    assert again.row == 7


def test_a_gps_point_in_degrees_and_minutes_is_read_as_on_the_form(en):
    assert run(csv_file([person(lat="10°29'30\"N", lon="99°11'E")])).ok
    household = stored(cid(1)).household
    assert (str(household.latitude), str(household.longitude)) == ("10.491667", "99.183333")


def test_a_gps_point_pasted_whole_into_the_latitude_is_read(en):
    """Google Maps copies a point as "10.4930, 99.1800": pasted into the latitude alone."""
    assert run(csv_file([person(lat="10.4930, 99.1800", lon="")])).ok
    household = stored(cid(1)).household
    assert (str(household.latitude), str(household.longitude)) == ("10.493000", "99.180000")


def test_a_gps_point_in_degrees_that_makes_no_sense_is_refused(en):
    result = run(csv_file([person(lat="10°29'N", lon="99°75'E")]))
    [error] = result.errors
    assert error.column == "ลองจิจูด" and "below 60" in error.reason


def test_an_ods_file_says_its_hidden_rows_cannot_be_told(en):
    """Only an .xlsx workbook's hidden and struck rows are seen: the others say so."""
    result = run(ods_file(family()))
    assert result.ok, result.errors
    [warning] = result.warnings
    assert warning.row is None and ".xls or .ods" in warning.reason
    assert not run(xlsx_file(family())).warnings


def test_command_dry_run_writes_nothing(tmp_path):
    path = tmp_path / "households.csv"
    path.write_bytes(csv_file(family()))
    call_command("import_households", str(path), "--dry-run", stdout=io.StringIO())
    assert not Person.objects.exists()


def test_command_exits_non_zero_and_writes_the_report(tmp_path, en):
    rows = family()
    rows[1]["citizen_id"] = "1234"
    rows[2]["citizen_id"] = "1-2345-67890-12-2"  # one digit wrong
    path, report = tmp_path / "households.csv", tmp_path / "report.csv"
    path.write_bytes(csv_file(rows))
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 problems"):
        call_command(
            "import_households",
            str(path),
            "--report",
            str(report),
            stderr=err,
            stdout=io.StringIO(),
        )
    assert not Person.objects.exists()
    lines = list(csv.reader(io.StringIO(report.read_bytes().decode("utf-8-sig"))))
    assert lines[0] == list(tabular.REPORT_HEADER)
    assert lines[1][:3] == ["3", "เลขประจำตัวประชาชน", "x234"]  # masked, whatever it holds
    assert "13 digits" in lines[1][3]
    # The report outlives the file: a citizen ID in it shows only its last digits.
    assert lines[2][:3] == ["4", "เลขประจำตัวประชาชน", "x-xxxx-xxxxx-12-2"]
    assert "Row 3" in err.getvalue()


def test_command_acts_as_a_user_with_their_scope(tmp_path, district_coordinator_b):
    path = tmp_path / "households.csv"
    path.write_bytes(csv_file(family()))
    with pytest.raises(CommandError):
        call_command(
            "import_households",
            str(path),
            "--as",
            "district_coordinator_b",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert not Person.objects.exists()


def test_command_on_existing_skip(tmp_path):
    path = tmp_path / "households.csv"
    path.write_bytes(csv_file(family()))
    call_command("import_households", str(path), stdout=io.StringIO())
    out = io.StringIO()
    call_command("import_households", str(path), "--on-existing", "skip", stdout=out)
    assert Person.objects.count() == 3


def test_progress_is_reported_while_checking_and_importing():
    calls = []
    assert run(csv_file(family()), progress=lambda *call: calls.append(call)).ok
    assert calls[0][0] == "checking"
    assert calls[-1] == ("importing", 3, 3)
    assert all(done <= total for _stage, done, total in calls)


def test_the_cycle_collector_is_off_during_an_import_and_back_on_after():
    collecting = []
    assert run(csv_file(family()), progress=lambda *_: collecting.append(gc.isenabled())).ok
    assert collecting and not any(collecting)
    assert gc.isenabled()


def test_the_cycle_collector_comes_back_after_the_last_of_two_imports():
    with common.collector_paused():
        with common.collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the other import still runs
    assert gc.isenabled()


def test_a_file_over_the_row_limit_imports_nothing(en):
    result = run(csv_file(family()), max_rows=2)
    [error] = result.errors
    assert "more than 2 rows" in error.reason
    assert not Person.objects.exists()


def test_command_refuses_a_user_who_may_not_import(tmp_path, en, volunteer_a):
    path = tmp_path / "households.csv"
    path.write_bytes(csv_file(family()))
    with pytest.raises(CommandError, match="volunteer_a may not import data"):
        call_command("import_households", str(path), "--as", "volunteer_a", stdout=io.StringIO())


def test_command_refuses_an_unknown_user(tmp_path):
    path = tmp_path / "households.csv"
    path.write_bytes(csv_file(family()))
    with pytest.raises(CommandError):
        call_command("import_households", str(path), "--as", "nobody", stdout=io.StringIO())


@pytest.mark.parametrize(
    ("name", "data", "said"),
    [
        ("empty.csv", b"", "The file is empty"),
        ("report.pdf", b"%PDF-1.7", "Carenet cannot read .pdf files"),
        ("scan.csv", b"%PDF-1.7", "is neither a spreadsheet nor a CSV file"),
        ("photo.xlsx", b"\x89PNG\r\n", "is neither a spreadsheet nor a CSV file"),
    ],
)
def test_command_says_what_is_wrong_with_a_file_that_is_no_table(tmp_path, en, name, data, said):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(CommandError, match=said):
        call_command("import_households", str(path), stdout=io.StringIO())


# --- Parts ------------------------------------------------------------------------------------


def test_household_summary_by_age_band_equals_the_real_one():
    rng = random.Random(3)
    for _ in range(300):
        members = []
        for _member in range(rng.randint(1, 5)):
            member = PersonFactory.build(
                birth_date=None
                if rng.random() < 0.1
                else date(rng.randint(1920, 2025), rng.randint(1, 12), rng.randint(1, 28)),
                sex=rng.choice("MFX"),
                **{flag: rng.random() < 0.2 for flag in _Member.__slots__[2:]},
            )
            members.append(member)
        rows = [_as_row(m) for m in members]
        assert summary([signature(r) for r in rows]) == household_summary(members, TODAY)


def _as_row(member: Person):
    from carenet.spreadsheets.importing.rows import FLAG_BITS, PersonRow

    row = PersonRow()
    row.birth_date, row.sex = member.birth_date, member.sex
    row.age = age_on(member.birth_date, TODAY)
    row.flags = sum(bit for flag, bit in FLAG_BITS.items() if getattr(member, flag))
    return row


@pytest.mark.parametrize(
    "data",
    [
        "ทะเบียน\n\nชื่อ ; นามสกุล;หมู่ที่\n สม  ชาย ;ใจ\u200bดี;๓\n;;\nมาลี;ศรี\tสุข;1,000\n".encode(
            "cp874", "replace"
        ),
        'first_name,moo\nก,1\n"ข\nค",2\n'.encode("utf-16"),
        codecs.BOM_UTF8 + "ชื่อ,หมู่ที่\nก,1\n".encode(),
    ],
)
def test_the_streaming_reader_reads_as_read_table(data):
    wanted = (
        tabular.Column("first_name", ("ชื่อ", "first_name"), required=True),
        tabular.Column("last_name", ("นามสกุล",)),
        tabular.Column("moo", ("หมู่ที่", "moo"), kind=tabular.Kind.INTEGER),
    )
    whole = [(row.number, row.values) for row in tabular.read_table(data, wanted)]
    with tabular.open_table(data, wanted) as table:
        streamed = [(row.number, row.values) for row in table]
    assert streamed == whole


def test_the_streaming_reader_reads_a_workbook_with_offsets_as_read_table():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["C2"] = "ทะเบียน"
    sheet.append([])
    sheet.append([None, "ชื่อ", "หมู่ที่", "วันเกิด"])
    sheet.append([None, " สม  ชาย", 1.0, date(1990, 1, 2)])
    sheet.append([None, "มาลี", "2", 45000])
    buffer = io.BytesIO()
    book.save(buffer)
    wanted = (
        tabular.Column("first_name", ("ชื่อ",), required=True),
        tabular.Column("moo", ("หมู่ที่",), kind=tabular.Kind.INTEGER),
        tabular.Column("birth_date", ("วันเกิด",), kind=tabular.Kind.DATE),
    )
    whole = [(r.number, r.values) for r in tabular.read_table(buffer.getvalue(), wanted)]
    with tabular.open_table(buffer.getvalue(), wanted) as table:
        assert [(r.number, r.values) for r in table] == whole
    assert whole[0] == (5, {"first_name": "สม ชาย", "moo": "1", "birth_date": "1990-01-02"})


def test_the_streaming_reader_reports_a_change_of_encoding_further_down(en):
    body = "".join(f"{n},x\n" for n in range(20_000)).encode()  # past the first 64 KB
    data = "ชื่อ,นามสกุล\n".encode() + body + "มาลี,ศรีสุข\n".encode("cp874")
    wanted = (tabular.Column("first_name", ("ชื่อ",), required=True),)
    with (
        tabular.open_table(data, wanted) as table,
        pytest.raises(tabular.TableError, match="the file changes to another text encoding"),
    ):
        list(table)


@pytest.mark.parametrize("encoding", ["cp874", "utf-8"])
def test_english_headers_and_numbers_then_thai_further_down(encoding):
    # The first 64 KB are ASCII: the first Thai name decides the file's encoding.
    body = "".join(f"x{n},{n}\n" for n in range(20_000)).encode()
    data = b"first_name,moo\n" + body + "มาลี,2\n".encode(encoding)
    wanted = (tabular.Column("first_name", ("first_name",), required=True),)
    with tabular.open_table(data, wanted) as table:
        *_, last = table
    assert last.values["first_name"] == "มาลี"
    assert tabular.read_table(data, wanted, max_rows=30_000).rows[-1].values == last.values


def test_the_streaming_reader_stops_past_its_row_limit(en):
    data = ("ชื่อ\n" + "ก\n" * 5).encode()
    wanted = (tabular.Column("first_name", ("ชื่อ",), required=True),)
    with (
        tabular.open_table(data, wanted, max_rows=4) as table,
        pytest.raises(tabular.TableError, match="more than 4 rows"),
    ):
        list(table)


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("081-234-5678", "0812345678"),
        ("+66 81 234 5678", "0812345678"),
        ("๐๘๑๒๓๔๕๖๗๘", "0812345678"),
        ("812345678", "0812345678"),  # the 0 a spreadsheet dropped, reading a number
        ("77511234", "077511234"),
    ],
)
def test_phone_numbers(text, digits):
    assert common.read_phone("phone", text) == digits


@pytest.mark.parametrize(
    "text",
    [
        "12",
        "1234567",
        "08123456789",
        "0812-34567x",
        "081-234-567",  # a mobile has 10 digits
        "0212345678",  # a fixed line 9
        "012345678",
    ],
)
def test_phone_numbers_refused(en, text):
    with pytest.raises(common.Problem) as refused:
        common.read_phone("phone", text)
    if text.replace("-", "").isdigit():  # one number: the rule, not "one number only"
        assert "10" in refused.value.reason and "nothing else" not in refused.value.reason


def test_an_xlsx_phone_cell_that_lost_its_zero_keeps_it():
    book = openpyxl.load_workbook(io.BytesIO(xlsx_file([person()])))
    sheet = book.active
    column = sheet.max_column + 1
    sheet.cell(row=1, column=column, value="เบอร์โทร")  # a header many offices use
    sheet.cell(row=2, column=column, value=812345678)  # a number cell: no leading 0
    buffer = io.BytesIO()
    book.save(buffer)
    assert run(buffer.getvalue()).ok
    assert stored(cid(1)).phone == "0812345678"


def test_without_a_ref_or_house_no_column_each_row_is_a_household_and_the_file_says_so(en):
    rows = [
        {k: v for k, v in row.items() if k not in ("household_ref", "house_no")} for row in family()
    ]
    result = run(csv_file(rows))
    assert result.ok, result.errors
    assert result.counts["households"]["created"] == 3
    [warning] = result.warnings
    assert warning.row == 1
    assert "neither a “รหัสครัวเรือน” nor a “บ้านเลขที่” column" in warning.reason


def test_common_headers_of_office_sheets():
    data = "\n".join(
        [
            "ครัวเรือนที่,เลขประจำตัว,ชื่อ,นามสกุล,ตำบล,อำเภอ,จังหวัด,มือถือ",
            f"1,{cid(1)},สมชาย,ใจดี,ท่าตะเภา,เมืองชุมพร,ชุมพร,0812345678",
            f"1,{cid(2)},สมศรี,ใจดี,ท่าตะเภา,เมืองชุมพร,ชุมพร,",
        ]
    ).encode()
    result = run(data)
    assert result.ok, result.errors
    assert not result.warnings
    assert stored(cid(1)).household_id == stored(cid(2)).household_id
    assert stored(cid(1)).phone == "0812345678"


@pytest.mark.parametrize(
    "text",
    [
        cid(1),
        dashed(cid(1)),
        f"{cid(1)}.0",
        f"'{cid(1)}",
        cid(1).translate(str.maketrans("0123456789", "０１２３４５６７８９")),
    ],
)
def test_citizen_ids_as_spreadsheets_write_them(text):
    assert common.read_citizen_id("citizen_id", text) == cid(1)


def test_a_citizen_id_in_scientific_notation_is_explained(en):
    with pytest.raises(common.Problem) as refused:
        common.read_citizen_id("citizen_id", "3.00000E+12")
    assert "turned this ID into a number" in refused.value.reason


def test_a_total_or_signature_line_under_the_table_is_named_as_such(en):
    rows = [
        *family(),
        {"household_ref": "รวม 2 ครัวเรือน 3 คน"},
        {"title": "ลงชื่อ ........ ผู้สำรวจ"},
    ]
    result = run(csv_file(rows))
    assert [(e.row, e.column, e.value) for e in result.errors] == [
        (5, "รหัสครัวเรือน", "รวม 2 ครัวเรือน 3 คน"),
        (6, "คำนำหน้า", "ลงชื่อ ........ ผู้สำรวจ"),
    ]
    assert all("names no person" in e.reason for e in result.errors)
    assert not Person.objects.exists()


def test_a_title_or_a_whole_name_in_the_first_name_cell_is_pointed_out(en):
    rows = [
        person(title="", first_name="นายสมชาย"),
        person(
            citizen_id=cid(2),
            title="",
            first_name="สมศรี ใจดี",
            last_name="",
            relation="คู่สมรส",
            sex="หญิง",
        ),
        person(citizen_id=cid(3), title="", first_name="นางนวล", relation="บุตร", sex="หญิง"),
    ]
    result = run(csv_file(rows))
    assert result.ok, result.errors
    assert [(w.row, w.column, w.value) for w in result.warnings] == [
        (2, "ชื่อ", "นายสมชาย"),
        (3, "ชื่อ", "สมศรี ใจดี"),
        (4, "ชื่อ", "นางนวล"),  # perhaps a name: only a warning
    ]
    assert "starts with “นาย”" in result.warnings[0].reason
    assert "last name is blank" in result.warnings[1].reason
    assert stored(cid(1)).first_name == "นายสมชาย"  # kept as written


def test_a_whole_name_column_is_read_in_its_parts(en):
    data = "\n".join(
        [
            "รหัสครัวเรือน,ชื่อ-สกุล,ตำบล,อำเภอ,จังหวัด,วันเกิด",
            "1,นายสมชาย ใจดี,ท่าตะเภา,เมืองชุมพร,ชุมพร,15/06/2490",
            "1,น.ส. มาลี  ศรี สุข,ท่าตะเภา,เมืองชุมพร,ชุมพร,01/04/2533",
            "1,,ท่าตะเภา,เมืองชุมพร,ชุมพร,01/04/2533",
        ]
    ).encode()
    result = run(data)
    [error] = result.errors
    assert (error.row, error.column) == (4, "ชื่อ-สกุล")
    long = data.replace("สมชาย".encode(), ("ก" * 120).encode())
    [too_long, _blank] = run(long).errors  # a part too long is the whole-name column's
    assert (too_long.row, too_long.column) == (2, "ชื่อ-สกุล")
    result = run(data.rsplit(b"\n", 1)[0])
    assert result.ok, result.errors
    assert not result.warnings
    people = Person.objects.order_by("pk")
    assert [(p.title, p.first_name, p.last_name, p.sex) for p in people] == [
        ("นาย", "สมชาย", "ใจดี", "M"),
        ("นางสาว", "มาลี", "ศรี สุข", "F"),
    ]


def test_a_header_written_over_two_rows(en):
    lines = [
        ["ทะเบียนครัวเรือนเปราะบาง ต.ท่าตะเภา"],
        ["รหัสครัวเรือน", "บ้าน", "หมู่", "ที่อยู่", "", "", "เลขประจำตัว", "คำนำ", "ชื่อ", "นามสกุล", "วันเดือนปี"],
        ["", "เลขที่", "ที่", "ตำบล", "อำเภอ", "จังหวัด", "ประชาชน", "หน้า", "", "", "เกิด"],
        [
            "H1",
            "12/3",
            "1",
            "ท่าตะเภา",
            "เมืองชุมพร",
            "ชุมพร",
            cid(1),
            "นาย",
            "สมชาย",
            "ใจดี",
            "15/06/2490",
        ],
    ]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(lines)
    result = run(buffer.getvalue().encode())
    assert result.ok, result.errors
    assert not result.warnings  # every column read
    somchai = stored(cid(1))
    assert (somchai.title, somchai.birth_date, somchai.household.house_no) == (
        "นาย",
        date(1947, 6, 15),
        "12/3",
    )
    # Row numbers still count from the top of the file: an error in the data names row 4.
    lines[3][6] = cid(1)[:12] + str((int(cid(1)[12]) + 1) % 10)
    buffer = io.StringIO()
    csv.writer(buffer).writerows(lines)
    [error] = run(buffer.getvalue().encode()).errors
    assert (error.row, error.column) == (4, "เลขประจำตัวประชาชน")


def test_a_total_or_signature_line_where_the_name_goes(en):
    rows = [
        *family(),
        {"first_name": "รวม 4 ครัวเรือน 12 คน"},
        {"first_name": "ลงชื่อ ......................", "subdistrict": "ท่าตะเภา"},
        {"first_name": "(นางสาวสมใจ ใจงาม)"},
        {"first_name": "นักพัฒนาชุมชน"},  # the signer's position, under the signature
        person(citizen_id=cid(9), first_name="รวมพล", household_ref="H9"),  # a name, not a total
    ]
    result = run(csv_file(rows))
    assert [(e.row, e.column) for e in result.errors] == [
        (5, "ชื่อ"), (6, "ชื่อ"), (7, "ชื่อ"), (8, "ชื่อ")
    ]  # fmt: skip
    assert all("names no person" in e.reason for e in result.errors)


# --- What office sheets do that a template does not ----------------------------------------------


def test_headers_numbered_spelt_short_or_with_a_note_in_brackets():
    headers = {
        **THAI,
        "title": "1. คำนำหน้านาม",
        "first_name": "2. ชื่อ",
        "last_name": "3. สกุล",
        "citizen_id": "เลขประจำตัวประชาชน (13 หลัก)",
        "birth_date": "ว/ด/ป เกิด (พ.ศ.)",
        "sex": "เพศ (ชาย/หญิง)",
        "subdistrict": "ตำบล/แขวง",
        "district": "อำเภอ/เขต",
        "relation": "ความสัมพันธ์กับหัวหน้าครอบครัว",
    }
    result = run(csv_file(family(), headers=headers))
    assert result.ok, result.errors
    assert not result.warnings
    kept = stored(cid(1))
    assert (kept.title, kept.last_name, kept.birth_date) == ("นาย", "ใจดี", date(1947, 6, 15))


def test_a_header_that_looks_like_a_column_the_file_lacks_stops_the_import(en):
    headers = {**THAI, "last_name": "นามสกุลจริง"}
    result = run(csv_file(family(), headers=headers))
    assert not result.ok
    [error] = result.errors
    assert error.column == "นามสกุลจริง"
    assert "looks like “นามสกุล”, which the file lacks" in error.reason
    assert not Person.objects.exists()


def test_a_column_the_file_has_is_not_looked_for_in_other_headers():
    # The surveyor's name is not the person's: first names are in their own column.
    rows = [{**row, "note": "สมหญิง"} for row in family()]
    result = run(csv_file(rows, headers={**THAI, "note": "ชื่อผู้สำรวจ"}))
    assert result.ok, result.errors
    assert [w.column for w in result.warnings] == ["ชื่อผู้สำรวจ"]


def test_a_whole_name_column_stands_for_the_title_and_the_names(en):
    rows = [{**person(), "full_name": "นายสมชาย ใจดี", "note": "สมชาย"} for _ in range(1)]
    for row in rows:
        del row["title"], row["first_name"], row["last_name"]
    headers = {**THAI, "full_name": "ชื่อ-สกุล", "note": "ชื่อเล่น"}
    result = run(csv_file(rows, headers=headers))
    assert result.ok, result.errors
    assert stored(cid(1)).first_name == "สมชาย"


def test_relations_as_household_lists_write_them():
    rows = family()[:1]
    for number, word in enumerate(
        ["ลูกเขย", "ลูกสะใภ้", "หลานสาว", "น้องชาย", "พี่สาว", "บุตรบุญธรรม"], start=10
    ):
        rows.append(person(citizen_id=cid(number), first_name=f"คน{number}", relation=word))
    result = run(csv_file(rows))
    assert result.ok, result.errors
    relations = [stored(cid(n)).relation for n in range(10, 16)]
    assert relations == ["relative", "relative", "grandchild", "sibling", "sibling", "child"]


def test_a_house_no_excel_turned_into_a_date_is_explained(en):
    book = openpyxl.load_workbook(io.BytesIO(xlsx_file([person()])))
    sheet = book.active
    column = [cell.value for cell in sheet[1]].index(THAI["house_no"]) + 1
    sheet.cell(row=2, column=column).value = date(2026, 3, 12)  # "12/3" as Excel reads it
    buffer = io.BytesIO()
    book.save(buffer)
    result = run(buffer.getvalue())
    [error] = result.errors
    assert (error.row, error.column) == (2, "บ้านเลขที่")
    assert "Excel has turned what was typed here into a date" in error.reason
    assert not Household.objects.exists()


@pytest.mark.parametrize("shown", ["16-May", "May-16", "16-พ.ค.", "3-Jan-25"])
def test_a_house_no_excel_turned_into_a_date_in_a_csv_is_explained(en, shown):
    """A CSV exported, opened in Excel and saved: "16/5" comes back as "16-May"."""
    assert run(csv_file([person(house_no="16/5")])).ok
    before = snapshot()
    result = run(csv_file([person(house_no=shown)]))
    [error] = result.errors
    assert (error.row, error.column) == (2, "บ้านเลขที่")
    assert "Excel has turned what was typed here into a date" in error.reason
    assert snapshot() == before


def test_household_cells_merged_down_over_the_members_rows():
    book = openpyxl.load_workbook(io.BytesIO(xlsx_file(family()[:2])))
    sheet = book.active
    address = [THAI[key] for key in ("household_ref", "house_no", "moo", "subdistrict")]
    for column, header in enumerate((cell.value for cell in sheet[1]), start=1):
        if header in address:
            sheet.cell(row=3, column=column).value = None
            sheet.merge_cells(start_row=2, start_column=column, end_row=3, end_column=column)
    buffer = io.BytesIO()
    book.save(buffer)
    result = run(buffer.getvalue())
    assert result.ok, result.errors
    assert stored(cid(1)).household_id == stored(cid(2)).household_id


def test_a_repeated_header_row_and_a_total_are_each_one_error(en):
    rows = [*family()[:1], dict(THAI), person(citizen_id=cid(2), relation="คู่สมรส")]
    rows.append({"household_ref": "รวม", "first_name": "2 คน"})
    result = run(csv_file(rows))
    assert [(e.row, e.reason.split(".")[0]) for e in result.errors] == [
        (3, "This row repeats the header row"),
        (5, "This row names no person (no first name nor citizen ID)"),
    ]


def test_no_citizen_id_written_as_a_word_is_a_blank_cell():
    assert common.read_citizen_id("citizen_id", "ไม่มี") == ""
    assert common.read_citizen_id("citizen_id", "ไม่มีบัตร") == ""


@pytest.mark.parametrize(
    "text", ["081-234-5678 (ลูกสาว)", "02 123 4567 ต่อ 12", "0812345678, 0898765432"]
)
def test_a_phone_cell_with_more_than_one_number_says_so(en, text):
    with pytest.raises(common.Problem) as refused:
        common.read_phone("phone", text)
    assert "one phone number in the cell" in refused.value.reason


def test_a_village_no_followed_by_the_village_name():
    assert common.read_moo("moo", "ม.3 บ้านบางกลาง") == 3
    assert common.read_moo("moo", "หมู่ 3 บ.ดอนยาง") == 3


@pytest.mark.parametrize(
    ("text", "said"),
    [("ใช่", True), ("/", True), ("✓", True), ("มี", True), ("ไม่", False), ("-", False), ("", None)],
)
def test_yes_and_no_as_offices_mark_them(text, said):
    """A slash is how a Thai form ticks a box."""
    assert common.read_yes_no("bedridden", text) is said


def test_a_group_is_written_as_the_pages_name_it_and_read_in_either_spelling():
    """The list filter says พ่อหรือแม่เลี้ยงเดี่ยว: a file uses the same words, and older
    exports' พ่อแม่เลี้ยงเดี่ยว still read."""
    assert columns.GROUPS.words["single_parent"][0] == "พ่อหรือแม่เลี้ยงเดี่ยว"
    for number, spelling in enumerate(("พ่อหรือแม่เลี้ยงเดี่ยว", "พ่อแม่เลี้ยงเดี่ยว"), start=1):
        row = person(citizen_id=cid(number), vulnerable_groups=spelling)
        result = run(csv_file([row]))
        assert result.ok, result.errors
        assert stored(cid(number)).single_parent


def test_a_title_or_role_the_age_makes_unlikely_is_warned_of_and_imported(en):
    """What the household page would question is said at the import, the year read too."""
    rows = [
        person(title="นาง", first_name="ละเอียด", sex="หญิง", birth_date="12-1-67"),
        person(
            citizen_id=cid(2),
            title="เด็กชาย",
            first_name="ภูมิ",
            birth_date="5-ม.ค.-10",
            relation="หลาน",
        ),
        person(citizen_id=cid(3), first_name="ทวด", birth_date="1/1/2440", relation="ญาติอื่น"),
        person(citizen_id=cid(4), first_name="ดี", birth_date="1/1/2500", relation="บุตร"),
    ]
    result = run(csv_file(rows))
    assert result.ok, result.errors
    said = {(w.row, w.column): w.reason for w in result.warnings}
    assert "below 15 the title is" in said[(2, "คำนำหน้า")]
    assert "head of household" in said[(2, "ความสัมพันธ์กับหัวหน้าครัวเรือน")]
    assert "two digits and was read as the Buddhist Era: 2567" in said[(2, "คำนำหน้า")]
    assert "from 15 the title is" in said[(3, "คำนำหน้า")]
    assert "2510" in said[(3, "คำนำหน้า")]
    assert "would be 129" in said[(4, "วันเกิด")] and "two digits" not in said[(4, "วันเกิด")]
    assert 5 not in {row for row, _column in said}
    assert Person.objects.count() == 4


def test_a_two_digit_birth_year_is_always_said_as_read(en):
    """5/6/45 is 2545 to Carenet; for a great-grandmother the clerk meant 2445. The age alone
    cannot tell, so every two-digit year is warned of with the year and age it gives."""
    rows = [
        person(first_name="หัว", birth_date="1/1/2500"),
        person(citizen_id=cid(2), first_name="แม่เฒ่า", birth_date="5/6/45", relation="บิดามารดา"),
        person(citizen_id=cid(3), first_name="ยาย", birth_date="๕ มิ.ย. ๖๕", relation="ญาติอื่น"),
    ]
    result = run(csv_file(rows))
    assert result.ok, result.errors
    said = {(w.row, w.column): w.reason for w in result.warnings}
    assert (2, "วันเกิด") not in said
    assert "read as the Buddhist Era: 2545, age 2" in said[(3, "วันเกิด")]
    # The title นาย is unlikely at that age: one warning says both.
    assert "read as the Buddhist Era: 2565, age " in said[(4, "คำนำหน้า")]
    assert Person.objects.count() == 3


def test_a_time_after_a_four_digit_year_is_no_two_digit_year(en):
    """Excel writes "1/1/1967 0:00": its minutes were warned of as a year of two digits."""
    rows = [person(first_name="หัว", birth_date="1/1/1967 0:00")]
    result = run(csv_file(rows))
    assert result.ok, result.errors
    assert not [w for w in result.warnings if "two digits" in str(w.reason)]
    assert Person.objects.get().birth_date.year == 1967


@pytest.mark.parametrize(
    ("first_id", "second_id", "warned"),
    [
        ("", "", True),  # neither has an ID: likely the same person twice
        ("1", "", True),  # one has: the other may be them, typed without it
        ("1", "2", False),  # two different valid IDs: two people (twins, namesakes)
    ],
)
def test_a_similar_name_and_the_same_birth_date_in_the_file_warns_unless_two_ids_differ(
    en, first_id, second_id, warned
):
    rows = [
        person(citizen_id=cid(int(first_id)) if first_id else "", first_name="สมศรี"),
        person(
            citizen_id=cid(int(second_id)) if second_id else "",
            first_name="สมสี",
            relation="คู่สมรส",
            household_ref="H2",
            house_no="99",
        ),
    ]
    result = run(csv_file(rows))
    alike = [w for w in result.warnings if "Possibly the same person as in row 2" in w.reason]
    assert bool(alike) is warned, result.warnings


def test_rows_read_from_another_sheet_than_the_first_are_said_to_be(en):
    """With an instructions sheet first, the clerk who opens the file at row 12 would read
    the instructions: the report says which sheet its row numbers are of."""

    def instructions_first(sheet):
        sheet.title = "ข้อมูล"
        book = sheet.parent
        book.move_sheet(book.create_sheet("คำชี้แจง"), offset=-1)

    result = run(xlsx_file(family(), mark=instructions_first), dry_run=True)
    said = [str(w.reason) for w in result.warnings]
    assert any("“ข้อมูล”" in reason and "first sheet" in reason for reason in said), said
