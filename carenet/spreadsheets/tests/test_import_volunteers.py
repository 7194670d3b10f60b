"""Importing volunteers (อพม.) from CSV and XLSX files, over the root conftest's area tree."""

import codecs
import csv
import io
from datetime import date

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from carenet.accounts import disclosure
from carenet.areas.models import Area, Level
from carenet.core import citizen_id
from carenet.core.models import AuditEvent
from carenet.households.models import HouseholdAssignment
from carenet.households.tests.factories import HouseholdFactory
from carenet.spreadsheets import columns
from carenet.spreadsheets.importing import import_households, import_volunteers
from carenet.volunteers.models import Volunteer, VolunteerStatus, VolunteerStatusChange
from carenet.volunteers.services import volunteer_undo_status
from carenet.volunteers.tests.factories import (
    CentreFactory,
    CommitteeMembershipFactory,
    VolunteerFactory,
)

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 1)
THAI = {c.key: c.label for c in columns.VOLUNTEER_COLUMNS}
ENGLISH = {c.key: c.aliases[1] for c in columns.VOLUNTEER_COLUMNS}


def cid(number: int) -> str:
    first = f"5{number:011d}"
    return first + str(citizen_id.checksum_digit(first))


def volunteer(**values: str) -> dict[str, str]:
    row = {
        "citizen_id": citizen_id.formatted(cid(1)),
        "title": "นาง",
        "first_name": "บุญมี",
        "last_name": "รักถิ่น",
        "birth_date": "12/08/2515",
        "phone": "089 123 4567",
        "line_id": "boonmee",
        "house_no": "45",
        "moo": "2",
        "subdistrict": "ท่าตะเภา",
        "district": "เมืองชุมพร",
        "province": "ชุมพร",
        "covered_moo": "1, 2",
        "registration_no": "123/2560",
        "registration_date": "01/06/2560",
        "status": "ปฏิบัติงาน",
        "other_roles": "อสม., อปพร.",
    }
    row.update(values)
    return row


def csv_file(rows: list[dict[str, str]], headers: dict[str, str] = THAI) -> bytes:
    keys = [key for key in headers if any(key in row for row in rows)]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([headers[key] for key in keys])
    for row in rows:
        writer.writerow([row.get(key, "") for key in keys])
    return codecs.BOM_UTF8 + buffer.getvalue().encode()


def run(data: bytes, actor=None, **options):
    options.setdefault("today", TODAY)
    return import_volunteers(actor=actor, source=data, **options)


def stored(number: int) -> Volunteer:
    return Volunteer.objects.get(citizen_id_hash=citizen_id.lookup_hash(cid(number)))


def snapshot() -> dict[str, list[tuple]]:
    return {
        "volunteers": list(Volunteer.objects.order_by("pk").values_list()),
        "villages": list(
            Volunteer.villages.through.objects.order_by("pk").values_list("volunteer_id", "area_id")
        ),
        "history": list(VolunteerStatusChange.objects.order_by("pk").values_list()),
    }


@pytest.fixture(autouse=True)
def areas(area_tree):
    return area_tree


def test_volunteers_with_covered_villages_status_and_roles():
    rows = [
        volunteer(),
        volunteer(
            citizen_id=cid(2),
            title="นาย",
            first_name="สมหมาย",
            registration_no="124/2560",
            covered_moo="หมู่ 1",
            status="ลาออก",
            other_roles="",
            subdistrict="ปากน้ำ",
            moo="1",
        ),
    ]
    result = run(csv_file(rows))
    assert result.ok, result.errors
    assert result.counts == {
        "volunteers": {"created": 2, "updated": 0, "unchanged": 0, "skipped": 0}
    }
    first = stored(1)
    assert (first.area_id, first.address_area_id, first.address_moo) == ("860101", "860101", 2)
    assert sorted(first.villages.values_list("code", flat=True)) == ["86010101", "86010102"]
    assert (first.status, first.registration_no) == (VolunteerStatus.ACTIVE, "123/2560")
    assert first.registration_date == date(2017, 6, 1)
    assert (first.phone, first.line_id, first.sex) == ("0891234567", "boonmee", "F")
    assert first.other_roles == ["vhv", "civil_defence"]
    assert first.read_citizen_id() == cid(1)
    second = stored(2)
    assert second.status == VolunteerStatus.RESIGNED
    assert list(second.villages.values_list("code", flat=True)) == ["86010201"]
    # Registered, then resigned: with no date of the change, on the registration day (said).
    history = VolunteerStatusChange.objects.filter(volunteer=second).order_by("pk")
    assert [(h.from_status, h.to_status, h.effective_date) for h in history] == [
        ("", VolunteerStatus.ACTIVE, second.registration_date),
        (VolunteerStatus.ACTIVE, VolunteerStatus.RESIGNED, second.registration_date),
    ]
    assert [w.column for w in result.warnings if w.row == 3] == [THAI["status_date"]]
    audit = AuditEvent.objects.get(action="spreadsheets.import_volunteers")
    assert audit.details["volunteers"]["created"] == 2


def test_a_new_volunteer_listed_as_resigned_adds_up_in_the_figures(personas):
    """Start + registered - left = end, for the year they registered and left in."""
    from carenet.core.periods import fiscal_year_period
    from carenet.volunteers.figures import volunteer_figures

    rows = [
        volunteer(registration_date="01/06/2560"),
        volunteer(
            citizen_id=cid(2), first_name="สมหมาย", registration_no="124/2560",
            registration_date="01/07/2560", status="ลาออก", status_date="01/09/2560",
        ),
        volunteer(
            citizen_id=cid(3), first_name="สมปอง", registration_no="125/2560",
            registration_date="01/07/2560", status="ลาออก", status_date="01/05/2560",
        ),
    ]  # fmt: skip
    refused = run(csv_file(rows))
    [error] = refused.errors
    assert (error.row, error.column) == (4, THAI["status_date"])  # before the registration
    assert run(csv_file(rows[:2])).ok
    figures = volunteer_figures(
        user=personas["province_officer"],
        period=fiscal_year_period(2560),
        base=None,
        today=date(2026, 1, 1),
    )
    counts = figures.total.counts
    added = (counts["start"], counts["registered"], counts["resigned"], counts["end"])
    assert added == (0, 2, 1, 1)
    assert figures.total.left == 1  # the tile beside them: resigned, removed or died


def test_a_resigned_volunteer_with_no_registration_date_joins_the_day_they_left():
    rows = [
        volunteer(
            registration_date="", status="ลาออก", status_date="15/01/2569",
            registration_no="",
        ),
    ]  # fmt: skip
    result = run(csv_file(rows))
    assert result.ok, result.errors
    assert [w.column for w in result.warnings if w.row == 2] == [THAI["registration_date"]]
    history = VolunteerStatusChange.objects.filter(volunteer=stored(1)).order_by("pk")
    assert [(h.to_status, h.effective_date) for h in history] == [
        (VolunteerStatus.ACTIVE, date(2026, 1, 15)),
        (VolunteerStatus.RESIGNED, date(2026, 1, 15)),
    ]


def test_english_headers_and_an_xlsx_file():
    rows = [volunteer()]
    assert run(csv_file(rows, ENGLISH)).ok
    Volunteer.objects.all().delete()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["ทะเบียน อพม."])
    keys = list(rows[0])
    sheet.append([THAI[key] for key in keys])
    sheet.append([rows[0][key] for key in keys])
    buffer = io.BytesIO()
    book.save(buffer)
    assert run(buffer.getvalue()).ok
    assert stored(1).villages.count() == 2


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("สถานะการปฏิบัติงาน", "status"),
        ("สถานภาพ", "status"),
        ("สถานะปัจจุบัน", "status"),
        ("เลขที่ทะเบียน", "registration_no"),
        ("ทะเบียน อพม. เลขที่", "registration_no"),
        ("ทะเบียนอพม.เลขที่", "registration_no"),
        ("เลขที่ทะเบียน อพม.", "registration_no"),
        ("เลขทะเบียนอพม.", "registration_no"),
        ("วันที่ได้รับการแต่งตั้ง", "registration_date"),
        ("หมู่บ้านที่รับผิดชอบ", "covered_moo"),
        ("เบอร์โทรศัพท์ อพม.", "phone"),
    ],
)
def test_headers_offices_write_for_the_register(header, key):
    headers = {**THAI, key: header}
    row = volunteer(status="เสียชีวิต")
    assert run(csv_file([row], headers)).ok
    saved = stored(1)
    assert saved.status == VolunteerStatus.DECEASED
    assert (saved.registration_no, saved.phone, saved.villages.count()) == (
        row["registration_no"],
        "0891234567",
        2,
    )


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("ปฎิบัติงาน", VolunteerStatus.ACTIVE),  # ฎ for ฏ, as often typed
        ("ยังปฏิบัติงานอยู่", VolunteerStatus.ACTIVE),
        ("ยังปฎิบัติงาน", VolunteerStatus.ACTIVE),
        ("ไม่ได้ปฎิบัติงาน", VolunteerStatus.INACTIVE),
        ("พักการปฎิบัติงาน", VolunteerStatus.INACTIVE),
        ("ลาออกแล้ว", VolunteerStatus.RESIGNED),
    ],
)
def test_status_words_offices_write(word, status):
    assert run(csv_file([volunteer(status=word)])).ok
    assert stored(1).status == status


def test_a_misspelt_status_header_is_the_status():
    headers = {**THAI, "status": "สถานะการปฎิบัติงาน"}
    assert run(csv_file([volunteer(status="ลาออก")], headers)).ok
    assert stored(1).status == VolunteerStatus.RESIGNED


def test_a_header_that_speaks_of_a_status_is_never_passed_over():
    """Every volunteer of a file without a status column is imported as active: a status
    column under a header Carenet does not know would make the deceased active."""
    headers = {**THAI, "status": "สถานะการเป็นสมาชิก"}
    result = run(csv_file([volunteer(status="เสียชีวิต")], headers))
    [error] = result.errors
    assert error.column == "สถานะการเป็นสมาชิก"
    assert not Volunteer.objects.exists()


def test_a_name_shared_with_a_subdistrict_outside_the_scope_is_the_one_inside(
    district_coordinator_a,
):
    """District offices leave out the district: the name is read within the importer's
    areas, as the households import reads it."""
    Area.objects.create(code="860299", level=Level.SUBDISTRICT, name_th="ปากน้ำ", parent_id="8602")
    row = volunteer(subdistrict="ปากน้ำ", district="", province="", covered_moo="")
    result = run(csv_file([row]), actor=district_coordinator_a)  # อ.เมืองชุมพร
    assert result.ok, result.errors
    assert stored(1).area_id == "860102"


def test_a_misspelt_subdistrict_is_answered_with_one_in_the_scope(district_coordinator_a):
    row = volunteer(subdistrict="ท่าตเภา", district="เมืองชุมพร", province="ชุมพร")
    [error] = run(csv_file([row]), actor=district_coordinator_a).errors
    assert "860101 ต.ท่าตะเภา" in error.reason


def test_a_registration_no_excel_turned_into_a_date_says_so():
    """Typed as 12/2568, Excel keeps December 2568: the cell reads as a date."""
    [error] = run(csv_file([volunteer(registration_no="2568-12-01")])).errors
    assert error.column == "เลขทะเบียน"
    assert "Excel" in error.reason and "12/2568" in error.reason


def test_the_whole_name_in_one_column():
    """Office sheets often write "นางสมศรี ใจดี" under ชื่อ-สกุล."""
    row = volunteer()
    for key in ("title", "first_name", "last_name"):
        del row[key]
    row["full_name"] = "นางสมศรี  ใจดี"
    headers = {**THAI, "full_name": "ชื่อ-สกุล"}
    result = run(csv_file([row], headers))
    assert result.ok, result.errors
    saved = stored(1)
    assert (saved.title, saved.first_name, saved.last_name) == ("นาง", "สมศรี", "ใจดี")
    # Without a title, the stored volunteer keeps theirs; a new one's reason names the
    # file's column.
    row["full_name"] = "สมศรี ใจดี"
    assert run(csv_file([row], headers), on_existing="update").volunteers.unchanged == 1
    assert stored(1).title == "นาง"
    row.update(citizen_id=cid(2), registration_no="")
    [error] = run(csv_file([row], headers), on_existing="update").errors
    assert (error.column, error.value) == ("ชื่อ-สกุล", "สมศรี ใจดี")  # the cell, as written


def test_a_file_without_any_name_column_says_what_it_needs():
    row = volunteer()
    del row["first_name"]
    [error] = run(csv_file([row])).errors
    assert "ชื่อ-สกุล" in error.reason


def test_a_second_header_that_speaks_of_a_status_is_refused_too():
    """Two status columns: which one is right? The clerk says, not the import."""
    row = {**volunteer(), "other": "เสียชีวิต"}
    result = run(csv_file([row], {**THAI, "other": "current status"}))
    [error] = result.errors
    assert error.column == "current status" and "สถานะ" in error.reason
    assert not Volunteer.objects.exists()


def test_a_hidden_row_is_refused_and_nothing_is_imported():
    """A filter left on hides rows the clerk does not see, yet an import reads them all."""
    book = openpyxl.Workbook()
    sheet = book.active
    rows = [volunteer(), volunteer(citizen_id=cid(2), first_name="สมศรี")]
    keys = list(rows[0])
    sheet.append([THAI[key] for key in keys])
    for row in rows:
        sheet.append([row[key] for key in keys])
    sheet.auto_filter.ref = "A1:E3"
    sheet.row_dimensions[3].hidden = True
    buffer = io.BytesIO()
    book.save(buffer)
    result = run(buffer.getvalue())
    [error] = result.errors
    assert (error.row, error.column) == (3, "")
    assert "ถูกซ่อน" in error.reason
    assert not Volunteer.objects.exists()


@pytest.mark.parametrize(
    "text", ["1-2", "ม.1 - ม.2", "1–2, 2", "1 2", "หมู่ที่ 1 และ 2", "ม.๑, ม.๒", "1;2"]
)
def test_covered_villages_as_a_range(text):
    assert run(csv_file([volunteer(covered_moo=text)])).ok
    assert stored(1).villages.count() == 2


@pytest.mark.parametrize("text", ["ทุกหมู่", "ทุกหมู่บ้าน", "ทั้งตำบล", "all villages"])
def test_every_village_of_the_subdistrict(text):
    assert run(csv_file([volunteer(covered_moo=text)])).ok
    served = Area.objects.filter(parent_id="860101", level=Level.VILLAGE)
    assert set(stored(1).villages.all()) == set(served)


def test_villages_written_in_words_are_answered_with_what_is_read():
    [error] = run(csv_file([volunteer(covered_moo="บางหมู่")])).errors
    assert error.column == "หมู่ที่รับผิดชอบ" and "ทุกหมู่" in error.reason and "1-3" in error.reason


def test_a_backward_range_of_villages_is_refused(en):
    [error] = run(csv_file([volunteer(covered_moo="2-1")])).errors
    assert "from the lower no." in error.reason


def test_a_covered_village_the_subdistrict_does_not_have(en):
    result = run(csv_file([volunteer(covered_moo="1, 9")]))
    [error] = result.errors
    assert (error.row, error.column, error.value) == (2, "หมู่ที่รับผิดชอบ", "1, 9")
    assert "has no village no. 9" in error.reason
    assert not Volunteer.objects.exists()


def test_covered_villages_before_any_village_is_loaded_say_to_load_them_first(en):
    Area.objects.filter(code__startswith="860101", level=Level.VILLAGE).delete()
    [error] = run(csv_file([volunteer(covered_moo="1", moo="")])).errors
    assert error.column == "หมู่ที่รับผิดชอบ" and "import_villages" in error.reason


def test_every_problem_is_reported_and_nothing_imported(en):
    bad = cid(2)[:12] + str((int(cid(2)[12]) + 1) % 10)
    rows = [
        volunteer(birth_date="01/01/2560"),
        volunteer(citizen_id=bad, status="หายไป"),
        volunteer(citizen_id=cid(3), registration_no="12-2560", subdistrict="ไม่มี"),
        volunteer(),
    ]
    result = run(csv_file(rows))
    assert {(e.row, e.column) for e in result.errors} == {
        (2, "วันเกิด"),
        (3, "เลขประจำตัวประชาชน"),
        (3, "สถานะ"),
        (4, "เลขทะเบียน"),
        (4, "ตำบล"),
        (5, "เลขประจำตัวประชาชน"),
    }
    assert not Volunteer.objects.exists()


def test_reimporting_changes_nothing():
    data = csv_file([volunteer()])
    assert run(data).ok
    before = snapshot()
    again = run(data)
    assert again.counts["volunteers"]["unchanged"] == 1
    assert snapshot() == before


def test_the_result_lists_each_value_a_file_changes():
    assert run(csv_file([volunteer()])).ok
    edited = volunteer(phone="0811111111", status="ลาออก", covered_moo="1")
    result = run(csv_file([edited]), dry_run=True)
    assert result.ok, result.errors
    changes = {c.column: (c.before, c.after) for c in result.changes}
    assert changes["โทรศัพท์"] == ("089-123-4567", "081-111-1111")  # as the pages show phones
    assert {c.name for c in result.changes} == {"นางบุญมี รักถิ่น"}  # whose values they are
    assert changes["สถานะ"] == ("ปฏิบัติงาน", "ลาออก")
    assert changes["หมู่ที่รับผิดชอบ"] == ("หมู่ 1 บ้านท่าตะเภา, หมู่ 2 บ้านหาดทรายรี", "หมู่ 1 บ้านท่าตะเภา")
    assert stored(1).phone == "0891234567"


def test_a_row_that_renames_the_volunteer_of_its_citizen_id_is_warned_of(en):
    assert run(csv_file([volunteer()])).ok
    result = run(csv_file([volunteer(first_name="บุญมา")]))
    assert result.ok, result.errors
    [warning] = result.warnings
    assert (warning.row, warning.value) == (2, "บุญมา รักถิ่น")
    assert "(นางบุญมี รักถิ่น)" in warning.reason
    assert stored(1).first_name == "บุญมา"


def test_a_file_without_titles_keeps_the_stored_ones_but_a_new_volunteer_needs_one(en):
    assert run(csv_file([volunteer()])).ok
    keys = ("citizen_id", "first_name", "last_name", "subdistrict_code", "status")
    headers = {key: THAI[key] for key in keys}
    row = volunteer(subdistrict_code="860101", status="ลาออก")
    result = run(csv_file([row], headers))
    assert result.ok, result.errors
    assert (stored(1).title, stored(1).status) == ("นาง", VolunteerStatus.RESIGNED)
    assert run(csv_file([{**row, "title": ""}])).ok  # a blank cell keeps it too
    assert stored(1).title == "นาง"
    before = snapshot()
    new = {**row, "citizen_id": cid(2), "first_name": "สมหมาย"}
    [error] = run(csv_file([row, new], headers)).errors
    assert (error.row, error.column, error.reason) == (3, THAI["title"], "Enter the title.")
    assert snapshot() == before


def test_update_changes_fields_villages_and_status_with_history():
    assert run(csv_file([volunteer()])).ok
    result = run(csv_file([volunteer(phone="0811111111", covered_moo="2", status="ลาออก")]))
    assert result.volunteers.updated == 1
    changed = stored(1)
    assert changed.phone == "0811111111"
    assert list(changed.villages.values_list("code", flat=True)) == ["86010102"]
    assert changed.status == VolunteerStatus.RESIGNED
    assert changed.version == 2
    last = changed.status_changes.order_by("-id").first()
    assert (last.from_status, last.to_status, last.effective_date) == (
        "active",
        "resigned",
        TODAY,
    )
    [warning] = [w for w in result.warnings if w.column == "วันที่เปลี่ยนสถานะ"]
    assert warning.row == 1 + 1 and "วันนี้" in warning.reason  # dated today: said so


@pytest.mark.parametrize("typed", ["15/01/2569", "15/01/2026", "2026-01-15"])
def test_a_status_the_file_changes_takes_effect_on_its_date_of_change(typed):
    """A death recorded in March with the date it happened, January, counts in January."""
    assert run(csv_file([volunteer()])).ok
    seat = CommitteeMembershipFactory(volunteer=stored(1), term_start=date(2025, 1, 1))
    result = run(csv_file([volunteer(status="เสียชีวิต", status_date=typed)]))
    assert result.ok, result.errors
    last = stored(1).status_changes.order_by("-id").first()
    assert (last.to_status, last.effective_date) == (VolunteerStatus.DECEASED, date(2026, 1, 15))
    seat.refresh_from_db()
    assert seat.term_end == date(2026, 1, 15)  # as the status form ends them: on that day


def test_the_date_of_change_is_listed_with_the_change():
    assert run(csv_file([volunteer()])).ok
    edited = volunteer(status="ลาออก", status_date="15/01/2569")
    changes = {c.column: (c.before, c.after) for c in run(csv_file([edited]), dry_run=True).changes}
    assert changes["วันที่เปลี่ยนสถานะ"] == ("—", "15 ม.ค. 2569")


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("02/03/2569", "วันที่ต้องไม่เป็นวันในอนาคต"),  # TODAY is 1 March 2569
        ("31/05/2560", "ก่อนวันขึ้นทะเบียน"),  # registered on 1 June 2560
        ("15/01/2026 เวลา", ""),  # not a date
    ],
)
def test_a_date_of_change_the_status_form_would_refuse_is_refused(typed, reason):
    assert run(csv_file([volunteer()])).ok
    before = snapshot()
    result = run(csv_file([volunteer(status="ลาออก", status_date=typed)]))
    [error] = result.errors
    assert (error.row, error.column) == (2, "วันที่เปลี่ยนสถานะ")
    assert reason in error.reason
    assert snapshot() == before


def test_a_date_of_change_before_the_last_change_is_refused(en):
    assert run(csv_file([volunteer()])).ok
    assert run(csv_file([volunteer(status="ไม่ได้ปฏิบัติงาน", status_date="01/02/2569")])).ok
    [error] = run(csv_file([volunteer(status="ลาออก", status_date="15/01/2569")])).errors
    assert "before the last status change" in error.reason


def test_the_export_s_date_of_the_last_change_left_beside_a_new_status_is_not_its_date():
    """A clerk edits the status of an exported row and leaves วันที่เปลี่ยนสถานะ as it was: that
    is the date of the last change, not of this one."""
    assert run(csv_file([volunteer()])).ok
    assert run(csv_file([volunteer(status="ไม่ได้ปฏิบัติงาน", status_date="01/02/2569")])).ok
    result = run(csv_file([volunteer(status="ลาออก", status_date="01/02/2569")]))
    assert result.ok, result.errors
    last = stored(1).status_changes.order_by("-id").first()
    assert (last.to_status, last.effective_date) == (VolunteerStatus.RESIGNED, TODAY)
    [warning] = result.warnings
    assert (warning.column, warning.value) == ("วันที่เปลี่ยนสถานะ", "01/02/2569")
    assert "ครั้งล่าสุด" in warning.reason  # says why the date in the cell was not used


def test_a_date_of_change_in_a_row_that_changes_no_status_makes_nothing():
    assert run(csv_file([volunteer()])).ok
    before = snapshot()
    result = run(csv_file([volunteer(status_date="15/01/2569")]))
    assert result.volunteers.unchanged == 1 and not result.changes
    assert snapshot() == before


def test_an_export_with_its_dates_of_change_imports_again_unchanged():
    assert run(csv_file([volunteer()])).ok
    assert run(csv_file([volunteer(status="ลาออก", status_date="15/01/2569")])).ok
    areas = {a.code: a for a in Area.objects.all()}
    record = Volunteer.objects.prefetch_related("villages").get()
    record.status_date = date(2026, 1, 15)  # as the export reads it (exporting._volunteer_rows)
    row = columns.volunteer_row_values(record, areas=areas)
    assert row["status_date"] == "15/01/2569"
    before = snapshot()
    result = run(csv_file([row]))
    assert result.volunteers.unchanged == 1 and not result.errors
    assert snapshot() == before


def test_a_volunteer_an_import_marks_resigned_loses_their_login(personas):
    assert run(csv_file([volunteer()])).ok
    user = personas["volunteer_a"]
    Volunteer.objects.filter(pk=stored(1).pk).update(user=user)
    checked = run(csv_file([volunteer(status="ลาออก")]), dry_run=True)
    assert any("เข้าสู่ระบบในฐานะ อพม. ไม่ได้อีก" in w.reason for w in checked.warnings)
    assert run(csv_file([volunteer(status="ลาออก")])).ok
    user.refresh_from_db()
    assert not user.is_active
    assert not user.assignments.exists()


def test_a_volunteer_an_import_moves_takes_the_login_role_along(personas):
    assert run(csv_file([volunteer()])).ok
    user = personas["volunteer_a"]
    Volunteer.objects.filter(pk=stored(1).pk).update(user=user)
    moved = volunteer(subdistrict="ปากน้ำ", covered_moo="1", moo="1")
    assert run(csv_file([moved])).volunteers.updated == 1
    assert list(user.assignments.values_list("role", "area_id")) == [("volunteer", "860102")]


def test_a_status_move_the_rules_forbid(en):
    VolunteerFactory(citizen_id=cid(1), status=VolunteerStatus.DECEASED)
    [error] = run(csv_file([volunteer()])).errors
    assert (error.row, error.column) == (2, "สถานะ")
    assert "cannot become" in error.reason


def test_on_existing_skip_and_error(en):
    VolunteerFactory(citizen_id=cid(1), phone="0800000000")
    before = snapshot()
    assert run(csv_file([volunteer()]), on_existing="skip").volunteers.skipped == 1
    assert snapshot() == before
    [error] = run(csv_file([volunteer()]), on_existing="error").errors
    assert "already registered" in error.reason
    assert snapshot() == before


def test_a_move_to_another_subdistrict_warns_that_the_villages_are_cleared(en):
    assert run(csv_file([volunteer()])).ok
    moved = volunteer(subdistrict="ปากน้ำ", covered_moo="")
    del moved["covered_moo"]
    headers = {key: text for key, text in THAI.items() if key != "covered_moo"}
    result = run(csv_file([moved], headers))
    assert result.ok, result.errors
    [warning] = result.warnings
    assert "villages they covered in 860101 ต.ท่าตะเภา" in warning.reason
    assert stored(1).area_id == "860102" and not stored(1).villages.exists()


def test_out_of_scope_rows_are_refused(en, district_coordinator_a):
    rows = [volunteer(), volunteer(citizen_id=cid(2), subdistrict="ท่าแซะ", district="ท่าแซะ")]
    result = run(csv_file(rows), actor=district_coordinator_a)
    [error] = result.errors
    assert (error.row, error.column) == (3, "ตำบล")
    assert not Volunteer.objects.exists()
    assert run(csv_file(rows[:1]), actor=district_coordinator_a).ok


def test_dry_run_writes_nothing():
    result = run(csv_file([volunteer()]), dry_run=True)
    assert result.ok and result.volunteers.created == 1
    assert not Volunteer.objects.exists()


def test_export_values_import_again_unchanged():
    assert run(csv_file([volunteer()])).ok
    areas = {a.code: a for a in Area.objects.all()}
    record = Volunteer.objects.prefetch_related("villages").get()
    row = columns.volunteer_row_values(record, areas=areas)
    before = snapshot()
    assert run(csv_file([row])).volunteers.unchanged == 1
    assert snapshot() == before


def test_a_file_with_a_header_and_no_rows_is_an_error():
    header = "เลขประจำตัวประชาชน,คำนำหน้า,ชื่อ,นามสกุล,ตำบล\r\n\r\n"
    result = run(("\ufeff" + header).encode())
    [error] = result.errors
    assert error.row == 1
    assert not result.ok and not Volunteer.objects.exists()


def test_other_roles_in_another_order_change_nothing():
    assert run(csv_file([volunteer(other_roles="อสม., ผู้นำชุมชน")])).ok
    Volunteer.objects.update(other_roles=["community_leader", "vhv"])  # as stored elsewhere
    before = snapshot()
    assert run(csv_file([volunteer(other_roles="ผู้นำชุมชน, อสม.")])).volunteers.unchanged == 1
    assert run(csv_file([volunteer(other_roles="อสม., ผู้นำชุมชน")])).volunteers.unchanged == 1
    assert snapshot() == before
    assert run(csv_file([volunteer(other_roles="อสม.")])).volunteers.updated == 1


def test_a_subdistrict_headman_is_not_stored_as_a_village_head():
    assert run(csv_file([volunteer(other_roles="กำนัน, อสม.")])).ok
    saved = stored(1)
    assert saved.other_roles == ["vhv", "subdistrict_head"]
    assert "กำนัน" in saved.get_other_roles_display()
    areas = {a.code: a for a in Area.objects.all()}
    row = columns.volunteer_row_values(Volunteer.objects.get(), areas=areas)
    assert row["other_roles"] == "อสม., กำนัน"
    assert run(csv_file([row])).volunteers.unchanged == 1
    assert run(csv_file([volunteer(other_roles="ผู้ใหญ่บ้าน")])).ok
    assert stored(1).other_roles == ["village_head"]


def test_command_exits_non_zero_and_writes_the_report(tmp_path, en):
    path, report = tmp_path / "volunteers.csv", tmp_path / "report.csv"
    path.write_bytes(csv_file([volunteer(phone="12")]))
    with pytest.raises(CommandError):
        call_command(
            "import_volunteers",
            str(path),
            "--report",
            str(report),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    lines = list(csv.reader(io.StringIO(report.read_bytes().decode("utf-8-sig"))))
    assert lines[1][:3] == ["2", "โทรศัพท์", "12"]
    path.write_bytes(csv_file([volunteer()]))
    call_command("import_volunteers", str(path), "--dry-run", stdout=io.StringIO())
    assert not Volunteer.objects.exists()
    call_command("import_volunteers", str(path), stdout=io.StringIO())
    assert Volunteer.objects.count() == 1
    path.write_bytes(csv_file([volunteer(phone="0811111111")]))
    out = io.StringIO()
    call_command("import_volunteers", str(path), "--dry-run", stdout=out)
    said = "Row 2 (นางบุญมี รักถิ่น), column “โทรศัพท์”: 089-123-4567 → 081-111-1111"
    assert said in out.getvalue()


def test_a_citizen_id_of_the_wrong_length_is_masked_in_every_report(tmp_path, en):
    path, report = tmp_path / "volunteers.csv", tmp_path / "report.csv"
    path.write_bytes(csv_file([volunteer(citizen_id="124599568230")]))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_volunteers", str(path), "--report", str(report), stderr=err)
    written = report.read_bytes().decode("utf-8-sig")
    for shown in (written, err.getvalue()):
        assert "xxxxxxxxx230" in shown  # the last digits find the row
        assert "1245995" not in shown
    [error] = run(csv_file([volunteer(citizen_id="1-2459-95682-30")])).errors
    assert error.masked().value == "x-xxxx-xxxx2-30"


def test_volunteers_outside_the_scope_are_told_of_while_the_days_answers_last(
    en, district_coordinator_a, monkeypatch
):
    monkeypatch.setattr(disclosure, "ELSEWHERE_PER_DAY", 1)
    for number in (1, 2):
        VolunteerFactory(citizen_id=cid(number), area=Area.objects.get(code="860201"))
    rows = [volunteer(citizen_id=cid(n), registration_no=f"{n}/2560") for n in (1, 2, 3)]
    result = run(csv_file(rows), actor=district_coordinator_a)
    reasons = [error.reason for error in sorted(result.errors, key=lambda e: e.row or 0)]
    assert "outside your area" in reasons[0]
    assert all("Today you have been told" in reason for reason in reasons[1:]), reasons
    assert len(reasons) == 3
    assert result.registered_elsewhere == 1


def test_a_volunteer_registered_outside_the_scope_is_not_placed(en, district_coordinator_a):
    VolunteerFactory(citizen_id=cid(1), area=Area.objects.get(code="860201"))
    [error] = run(csv_file([volunteer()]), actor=district_coordinator_a).errors
    assert "already registered to a volunteer outside your area" in error.reason
    assert "860201" not in error.reason and "ท่าแซะ" not in error.reason


def test_a_households_file_chosen_as_volunteers_is_refused(en):
    row = volunteer()
    data = csv_file([row]).decode("utf-8-sig").splitlines()
    data = f"รหัสครัวเรือน,{data[0]}\n1,{data[1]}\n".encode()
    result = run(data)
    [error] = result.errors
    assert (error.row, error.column) == (1, "รหัสครัวเรือน")
    assert "looks like a file of households and people" in error.reason
    assert not Volunteer.objects.exists()


def test_a_volunteers_file_chosen_as_households_is_refused(en):
    data = csv_file([volunteer()])
    result = import_households(actor=None, source=data)
    [error] = result.errors
    assert error.column in ("หมู่ที่รับผิดชอบ", "เลขทะเบียน", "วันที่ขึ้นทะเบียน")
    assert "looks like a file of volunteers" in error.reason


def test_a_total_and_a_repeated_header_are_each_one_error(en):
    rows = [volunteer(), dict(THAI), {"citizen_id": "รวม 8 คน"}]
    result = run(csv_file(rows))
    assert [(e.row, e.reason.split(".")[0]) for e in result.errors] == [
        (3, "This row repeats the header row"),
        (4, "This row is no record"),
    ]
    assert not Volunteer.objects.exists()


def test_a_total_in_the_whole_name_column_is_one_error(en):
    whole = {**volunteer(), "full_name": "นางบุญมี รักถิ่น"}
    for key in ("title", "first_name", "last_name"):
        del whole[key]
    headers = {**THAI, "full_name": "ชื่อ-สกุล"}
    result = run(csv_file([whole, {"full_name": "รวม 5 คน"}], headers=headers))
    assert [(e.row, e.reason.split(".")[0]) for e in result.errors] == [
        (3, "This row is no record")
    ]


def test_a_count_in_thai_digits_and_the_signers_position_are_each_one_error(en):
    """A total written "จำนวน ๕ คน", then a signature, then the signer's position alone in
    another column: each is said to be no record, not to lack a citizen ID and a name."""
    rows = [
        volunteer(),
        {"first_name": "จำนวน ๕ คน"},
        {"first_name": "ลงชื่อ.............."},
        {"district": "นักพัฒนาสังคมปฏิบัติการ"},
    ]
    result = run(csv_file(rows))
    assert [(e.row, e.reason.split(".")[0]) for e in result.errors] == [
        (3, "This row is no record"),
        (4, "This row is no record"),
        (5, "This row is no record"),
    ]


def test_covered_villages_excel_turned_into_a_date_are_explained(en):
    result = run(csv_file([volunteer(covered_moo="2026-03-01")]))
    [error] = result.errors
    assert error.column == "หมู่ที่รับผิดชอบ"
    assert "Excel has turned what was typed here into a date" in error.reason
    assert "1-3" in error.reason


def test_a_volunteer_living_outside_the_subdistrict_they_serve_imports_again_unchanged():
    assert run(csv_file([volunteer()])).ok
    Volunteer.objects.update(address_area_id="860102")  # lives in ปากน้ำ, serves ท่าตะเภา
    areas = {a.code: a for a in Area.objects.all()}
    record = Volunteer.objects.prefetch_related("villages").get()
    row = columns.volunteer_row_values(record, areas=areas)
    assert row["home_subdistrict_code"] == "860102"
    before = snapshot()
    assert run(csv_file([row])).volunteers.unchanged == 1
    assert snapshot() == before
    # A file without the column (an office's own sheet) keeps the home on record.
    del row["home_subdistrict_code"]
    run(csv_file([{**row, "phone": "081 111 2222"}]))
    assert Volunteer.objects.get().address_area_id == "860102"


def test_a_home_subdistrict_code_that_names_none_is_an_error(en):
    result = run(csv_file([volunteer(home_subdistrict_code="869999")]))
    [error] = result.errors
    assert error.column == "รหัสตำบลที่อยู่"
    assert not Volunteer.objects.exists()


def test_a_volunteer_an_import_takes_out_of_service_leaves_households_said(en):
    """As the status form says it: the households they looked after need another volunteer."""
    assert run(csv_file([volunteer()])).ok
    for household in HouseholdFactory.create_batch(3, area=stored(1).area.children.first()):
        HouseholdAssignment.objects.create(household=household, volunteer=stored(1))
    result = run(csv_file([volunteer(status="ลาออก")]), dry_run=True)
    assert result.ok, result.errors
    [warning] = [w for w in result.warnings if w.column != "วันที่เปลี่ยนสถานะ"]  # not dated
    assert (warning.row, warning.column) == (2, THAI["status"])
    assert "looks after 3 households" in warning.reason


def test_a_volunteer_an_import_marks_resigned_leaves_their_committee_seats(
    district_coordinator_a,
):
    """As the status form does; taken back as a mistake, the seats are theirs again."""
    assert run(csv_file([volunteer()])).ok
    seat = CommitteeMembershipFactory(volunteer=stored(1), term_start=date(2025, 1, 1))
    planned = CommitteeMembershipFactory(
        centre=CentreFactory(area=Area.objects.get(code="86")),
        volunteer=stored(1),
        term_start=date(2027, 1, 1),
    )
    result = run(csv_file([volunteer(status="ลาออก")]), today=date(2026, 3, 1))
    assert result.ok, result.errors
    seat.refresh_from_db()
    assert seat.term_end == date(2026, 3, 1)
    assert not type(planned).objects.filter(pk=planned.pk).exists()  # due to start: cancelled
    change = stored(1).status_changes.order_by("-id").first()
    assert len(change.seats_ended) == 2
    undone = volunteer_undo_status(
        actor=district_coordinator_a, volunteer=stored(1), change_id=change.pk, reason="ผิดแถว"
    )
    assert len(undone.seats_restored) == 2
    seat.refresh_from_db()
    assert seat.term_end is None


def test_likely_same_volunteers_are_warned_of_but_imported(en, district_coordinator_a):
    """A name that sounds the same and the same birth date under another citizen ID: in the
    register (named when in scope, not when outside it) and twice in the file."""
    born = date(1972, 8, 12)
    VolunteerFactory(
        citizen_id=cid(7), area=Area.objects.get(code="860101"), title="นาง",
        first_name="บุญมี", last_name="รักถิ่น", birth_date=born,
    )  # fmt: skip
    VolunteerFactory(
        citizen_id=cid(8), area=Area.objects.get(code="860201"),
        first_name="สมศรี", last_name="ใจดี", birth_date=born,
    )  # fmt: skip
    rows = [
        volunteer(),
        volunteer(citizen_id=cid(2), first_name="สมศรี", last_name="ใจดี", registration_no=""),
        volunteer(citizen_id=cid(3), first_name="สมศรี", last_name="ใจดี", registration_no=""),
        volunteer(citizen_id=cid(4), first_name="มานะ", registration_no=""),
    ]
    result = run(csv_file(rows), actor=district_coordinator_a)
    assert result.ok, result.errors
    assert result.volunteers.created == 4
    by_row = {w.row: w.reason for w in result.warnings if w.column == THAI["first_name"]}
    assert sorted(by_row) == [2, 3, 4]
    assert "นางบุญมี รักถิ่น" in by_row[2] and "under another citizen ID" in by_row[2]
    assert "outside the areas where you may import" in by_row[3]
    assert "ใจดี" not in by_row[3] and "ท่าแซะ" not in by_row[3]
    assert "outside the areas" in by_row[4]  # the register is told before an earlier row
    rows[1]["first_name"] = rows[2]["first_name"] = "สมหญิง"  # only each other now
    Volunteer.objects.filter(
        citizen_id_hash__in=[citizen_id.lookup_hash(cid(n)) for n in (1, 2, 3, 4)]
    ).delete()
    result = run(csv_file(rows[1:3]), actor=district_coordinator_a)
    [warning] = [w for w in result.warnings if w.column == THAI["first_name"]]
    assert warning.row == 3 and "row 2" in warning.reason


def test_a_registration_no_is_one_volunteers_in_the_province(en, district_coordinator_a):
    VolunteerFactory(
        citizen_id=cid(9), area=Area.objects.get(code="860201"), registration_no="5/2560"
    )
    rows = [
        volunteer(registration_no="1/2560"),
        volunteer(citizen_id=cid(2), first_name="มานี", registration_no="1/2560"),
        volunteer(citizen_id=cid(3), first_name="มานะ", registration_no="5/2560"),
    ]
    result = run(csv_file(rows), actor=district_coordinator_a)
    assert [(e.row, e.column) for e in result.errors] == [
        (3, THAI["registration_no"]),
        (4, THAI["registration_no"]),
    ]
    assert "also in row 2" in result.errors[0].reason
    assert "already belongs to another volunteer" in result.errors[1].reason
    assert not Volunteer.objects.filter(first_name__in=["บุญมี", "มานี", "มานะ"]).exists()
    assert run(csv_file(rows[:1]), actor=district_coordinator_a).ok
    assert run(csv_file(rows[:1]), actor=district_coordinator_a).ok  # its own number again


def test_a_corrected_citizen_id_is_told_apart_from_another_volunteers_number(
    en, district_coordinator_a
):
    """The same volunteer with the ID on record mistyped: their own registration no., not
    another volunteer's, and where to correct the ID."""
    assert run(csv_file([volunteer()]), actor=district_coordinator_a).ok
    result = run(csv_file([volunteer(citizen_id=cid(8))]), actor=district_coordinator_a)
    [error] = result.errors
    assert error.column == THAI["registration_no"]
    assert "is that of บุญมี รักถิ่น" in error.reason and "correct it on their page" in error.reason


@pytest.mark.parametrize("registered", ["01/06/2500", "01/06/2530"])
def test_a_registration_before_the_network_or_before_18_is_refused(en, registered):
    """Born 12/08/2515 (1972): 2530 is 1987, when they were 14; 2500 is before the network."""
    [error] = run(csv_file([volunteer(registration_date=registered)])).errors
    assert error.column == THAI["registration_date"] and "Check the year" in error.reason
    assert not Volunteer.objects.exists()


def test_held_changes_of_volunteers_write_nothing():
    assert run(csv_file([volunteer()])).ok
    before = snapshot()
    held = run(csv_file([volunteer(phone="0899999999")]), hold_changes=True)
    assert held.ok and held.held and held.change_count == 1
    assert snapshot() == before
    # A check holds nothing: it writes nothing anyway, as the households import's check.
    checked = run(csv_file([volunteer(phone="0899999999")]), hold_changes=True, dry_run=True)
    assert checked.ok and not checked.held and checked.change_count == 1


def test_each_volunteer_a_file_changes_has_the_import_in_their_own_history():
    from carenet.core.models import AuditEvent

    assert run(csv_file([volunteer()])).ok
    assert run(csv_file([volunteer(phone="0899999999", status="ลาออก")])).ok
    [changed] = AuditEvent.objects.filter(action="volunteer.import")
    assert changed.target_id == str(stored(1).pk)
    assert changed.details["fields"] == ["phone", "status"]


def test_the_households_looked_after_an_export_writes_import_as_nothing():
    """The export's count of households looked after is for its reader: imported again, it
    changes nothing and warns of nothing, whatever it says; an office's own sheet with such a
    column is not told to rename it either."""
    assert run(csv_file([volunteer()])).ok
    areas = {a.code: a for a in Area.objects.all()}
    record = Volunteer.objects.prefetch_related("villages").get()
    row = {**columns.volunteer_row_values(record, areas=areas), "households_looked_after": "7"}
    before = snapshot()
    result = run(csv_file([row]))
    assert result.volunteers.unchanged == 1
    assert not result.warnings and not result.errors
    assert snapshot() == before
    # Under another header, it is a column not read, as any other: a warning, not an error
    # telling to rename it to a column that imports nothing.
    own = csv_file([row]).replace("จำนวนครัวเรือนที่ดูแล".encode(), "ครัวเรือนที่ดูแล".encode())
    result = run(own)
    assert not result.errors
    assert [w.column for w in result.warnings] == ["ครัวเรือนที่ดูแล"]
    assert snapshot() == before


def test_the_import_guide_and_template_leave_the_households_looked_after_out():
    assert "households_looked_after" in {c.key for c in columns.VOLUNTEER_COLUMNS}
    assert "households_looked_after" not in {
        c.key for c in columns.imported(columns.VOLUNTEER_IMPORT_COLUMNS)
    }


def test_a_re_registration_takes_the_new_number_and_keeps_the_first_date(en):
    """The annual re-registration's date would count a ten-year volunteer as new."""
    assert run(csv_file([volunteer()])).ok
    again = volunteer(registration_no="16/2568", registration_date="02/11/2568")
    result = run(csv_file([again]))
    assert result.ok, result.errors
    kept = stored(1)
    assert (kept.registration_no, kept.registration_date) == ("16/2568", date(2017, 6, 1))
    [said] = [w for w in result.warnings if w.column == THAI["registration_date"]]
    assert "01/06/2560" in said.reason and "kept" in said.reason
    # An earlier date corrects the first one.
    assert run(csv_file([volunteer(registration_date="01/06/2559")])).ok
    assert stored(1).registration_date == date(2016, 6, 1)
