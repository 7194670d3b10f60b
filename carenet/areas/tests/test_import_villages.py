"""Importing villages: a file is checked whole, and imports completely or not at all."""

import csv
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from carenet.areas.models import Area, Level
from carenet.areas.selectors import area_typed
from carenet.areas.services import villages_import
from carenet.core.models import AuditEvent

pytestmark = pytest.mark.django_db

HEADER = "รหัสตำบล,หมู่ที่,ชื่อหมู่บ้าน\n"


def write_csv(tmp_path, text, name="villages.csv", encoding="utf-8-sig"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(tmp_path, rows, name="villages.xlsx"):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def run(path, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_villages", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def fail(path, *args):
    err = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import_villages", str(path), *args, stdout=io.StringIO(), stderr=err)
    return str(error.value), err.getvalue()


def snapshot():
    return list(Area.objects.order_by("code").values_list("code", "name_th", "moo", "parent_id"))


def village(code):
    return Area.objects.get(code=code)


def reasons(result):
    with translation.override("en"):
        return [(e.row, e.column, e.value, e.reason) for e in result.errors]


def import_text(text, *, dry_run=False, actor=None):
    with translation.override("en"):
        return villages_import(actor=actor, source=text.encode(), dry_run=dry_run)


# A clean file ---------------------------------------------------------------------------------


def test_clean_file_adds_villages_under_their_subdistricts(area_tree, tmp_path):
    path = write_csv(tmp_path, HEADER + "860101,3,บ้านใหม่\n860102,2,บ้านบน\n840101,12,บ้านตลาด\n")
    out, err = run(path)
    new = village("86010103")
    assert (new.level, new.name_th, new.moo, new.parent_id) == (
        Level.VILLAGE,
        "บ้านใหม่",
        3,
        "860101",
    )
    assert village("86010202").parent_id == "860102"
    assert village("84010112").moo == 12
    assert err == ""
    assert "3" in out


def test_import_writes_one_audit_row(area_tree, tmp_path, national_admin):
    before = AuditEvent.objects.count()
    result = villages_import(
        actor=national_admin,
        source=write_csv(tmp_path, HEADER + "860101,3,บ้านใหม่\n860101,4,บ้านสี่\n"),
    )
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert event.action == "areas.import_villages"
    assert event.actor == national_admin
    assert event.area_code == "860101"  # the narrowest area that holds all its villages
    assert event.details["created"] == 2
    assert event.details["file"] == "villages.csv"


def test_same_file_twice_changes_nothing(area_tree, tmp_path):
    path = write_csv(tmp_path, HEADER + "860101,3,บ้านใหม่\n860101,1,บ้านท่าตะเภา\n")
    run(path)
    state, events = snapshot(), AuditEvent.objects.count()
    result = villages_import(actor=None, source=path)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert snapshot() == state
    assert AuditEvent.objects.count() == events


def test_a_changed_name_renames_the_village(area_tree, tmp_path):
    path = write_csv(tmp_path, HEADER + "860101,2,บ้านหาดทรายรีใต้\n860101,1,บ้านท่าตะเภา\n")
    result = villages_import(actor=None, source=path)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert village("86010102").name_th == "บ้านหาดทรายรีใต้"
    assert Area.objects.filter(level=Level.VILLAGE).count() == 4


def test_dry_run_checks_and_counts_but_writes_nothing(area_tree, tmp_path):
    path = write_csv(tmp_path, HEADER + "860101,3,บ้านใหม่\n860101,2,ชื่อใหม่\n")
    state, events = snapshot(), AuditEvent.objects.count()
    with translation.override("en"):
        out, _ = run(path, "--dry-run")
    assert "dry run" in out
    assert snapshot() == state
    assert AuditEvent.objects.count() == events
    result = villages_import(actor=None, source=path, dry_run=True)
    assert (result.created, result.updated, result.dry_run, result.ok) == (1, 1, True, True)


def test_the_name_is_kept_as_written_only_trimmed(area_tree):
    result = import_text(HEADER + "860101,3,   บ้าน   ใหม่  \n860101,4,หนองบัว\n")
    assert result.ok, reasons(result)
    assert village("86010103").name_th == "บ้าน ใหม่"
    assert village("86010104").name_th == "หนองบัว"


@pytest.mark.parametrize("moo", ["5", "05", "หมู่ 5", "หมู่ที่ 5", "ม.5", "ม. 5", "๕", "หมู่ ๕", "5.0"])
def test_village_number_written_in_several_ways(area_tree, moo):
    result = import_text(f"{HEADER}860101,{moo},บ้านห้า\n")
    assert result.ok, reasons(result)
    assert village("86010105").moo == 5


def test_the_same_village_twice_with_the_same_name_is_fine(area_tree):
    result = import_text(HEADER + "860101,3,บ้านใหม่\n860101,หมู่ 3,บ้านใหม่\n")
    assert result.ok, reasons(result)
    assert result.created == 1


def test_subdistrict_by_names_with_or_without_prefixes(area_tree):
    text = (
        "ตำบล,อำเภอ,จังหวัด,หมู่ที่,ชื่อหมู่บ้าน\n"
        "ต.ท่าตะเภา,อ.เมืองชุมพร,จ.ชุมพร,3,บ้านสาม\n"
        "ปากน้ำ,เมืองชุมพร,ชุมพร,4,บ้านสี่\n"
        "ท่าแซะ,,,2,บ้านสอง\n"
        "ตลาด,อ.เมือง,สุราษฎร์ธานี,1,บ้านตลาด\n"
    )
    result = import_text(text)
    assert result.ok, reasons(result)
    assert {a.code for a in Area.objects.filter(name_th__in=["บ้านสาม", "บ้านสี่"])} == {
        "86010103",
        "86010204",
    }
    assert village("86020102").name_th == "บ้านสอง"
    assert village("84010101").name_th == "บ้านตลาด"


def test_english_headers(area_tree):
    result = import_text("subdistrict_code,moo,village_name\n860201,2,Ban Song\n")
    assert result.ok, reasons(result)
    assert village("86020102").name_th == "Ban Song"


def test_xlsx_with_title_rows_and_numeric_cells(area_tree, tmp_path):
    path = write_xlsx(
        tmp_path,
        [
            ["บัญชีรายชื่อหมู่บ้าน จังหวัดชุมพร"],
            [],
            ["ลำดับ", "รหัสตำบล", "หมู่ที่", "ชื่อหมู่บ้าน"],
            [1, 860101, 3.0, "บ้านใหม่"],
            [None, None, None, None],
            [2, "860102", "หมู่ 2", "บ้านบน"],
        ],
    )
    run(path)
    assert village("86010103").name_th == "บ้านใหม่"
    assert village("86010202").name_th == "บ้านบน"


def test_cp874_csv(area_tree, tmp_path):
    run(write_csv(tmp_path, HEADER + "860101,3,บ้านใหม่\n", encoding="cp874"))
    assert village("86010103").name_th == "บ้านใหม่"


def test_many_villages_in_few_queries(area_tree, django_assert_max_num_queries):
    subdistricts = ("860101", "860102", "860201", "840101")
    rows = [f"{sub},{moo},บ้าน {moo}" for sub in subdistricts for moo in range(3, 100)]
    with django_assert_max_num_queries(20):
        result = import_text(HEADER + "\n".join(rows))
    assert result.created == 4 * 97
    assert Area.objects.filter(level=Level.VILLAGE).count() == 4 * 97 + 4


# A file with errors ---------------------------------------------------------------------------

BAD_FILE = (
    HEADER
    + "860101,3,บ้านดี\n"  # row 2 is fine, but must not be imported either
    + "860199,1,บ้านไม่มีตำบล\n"  # 3 unknown code
    + "860101,0,บ้านศูนย์\n"  # 4 bad moo
    + "860101,4,\n"  # 5 empty name
    + "860101,abc,บ้านผิด\n"  # 6 not a number
    + "860101,3,บ้านอื่น\n"  # 7 same village, other name
)


def test_a_file_with_errors_imports_nothing_and_reports_each_row(area_tree, tmp_path):
    path = write_csv(tmp_path, BAD_FILE)
    state, events = snapshot(), AuditEvent.objects.count()
    report = tmp_path / "report.csv"
    with translation.override("en"):
        message, err = fail(path, "--report", str(report))
    assert snapshot() == state
    assert AuditEvent.objects.count() == events
    assert "5 problems" in message
    assert "nothing was imported" in message
    for row in ("Row 3", "Row 4", "Row 5", "Row 6", "Row 7"):
        assert row in err
    assert "Row 2," not in err
    lines = list(csv.reader(io.StringIO(report.read_text(encoding="utf-8-sig"))))
    assert lines[0] == ["Row", "Column", "Value", "Reason", "Type"]  # the command's language
    assert [line[:3] for line in lines[1:]] == [
        ["3", "รหัสตำบล", "860199"],
        ["4", "หมู่ที่", "0"],
        ["5", "ชื่อหมู่บ้าน", ""],
        ["6", "หมู่ที่", "abc"],
        ["7", "ชื่อหมู่บ้าน", "บ้านอื่น"],
    ]
    assert report.read_bytes().startswith(b"\xef\xbb\xbf")


def test_error_reasons(area_tree):
    result = import_text(BAD_FILE)
    by_row = {row: reason for row, _, _, reason in reasons(result)}
    assert "load_areas" in by_row[3]
    assert "Check the code" in by_row[3]
    assert "1 to 99" in by_row[4]
    assert "village name" in by_row[5]
    assert "1 to 99" in by_row[6]
    assert "row 2" in by_row[7]
    assert "บ้านดี" in by_row[7]


def test_errors_are_reported_in_thai_by_default(area_tree, tmp_path):
    # A management command runs in the site language, Thai.
    _, err = fail(write_csv(tmp_path, BAD_FILE))
    with translation.override("en"):
        _, english = fail(write_csv(tmp_path, BAD_FILE))
    assert err != english


@pytest.mark.parametrize("moo", ["100", "-1", "3.5", "หมู่", "สาม"])
def test_bad_village_numbers(area_tree, moo):
    result = import_text(f"{HEADER}860101,{moo},บ้านนา\n")
    assert [(row, column) for row, column, _, _ in reasons(result)] == [(2, "หมู่ที่")]


def test_too_long_name(area_tree):
    result = import_text(f"{HEADER}860101,3,{'ก' * 151}\n")
    assert "at most 150" in reasons(result)[0][3]


def test_badly_shaped_subdistrict_code(area_tree):
    result = import_text(HEADER + "8601,3,บ้านใหม่\n86010103,3,บ้านใหม่\n")
    assert [(row, column) for row, column, _, _ in reasons(result)] == [
        (2, "รหัสตำบล"),
        (3, "รหัสตำบล"),
    ]
    assert "6 digits" in reasons(result)[0][3]


def test_real_subdistrict_not_yet_loaded(area_tree):
    # 860409 ปากน้ำ (หลังสวน) exists in geothai but not in the test database.
    for text in (
        HEADER + "860409,1,บ้านปากน้ำหลังสวน\n",
        "ตำบล,อำเภอ,จังหวัด,หมู่ที่,ชื่อหมู่บ้าน\nปากน้ำ,หลังสวน,ชุมพร,1,บ้าน\n",
    ):
        result = import_text(text)
        assert "load_areas" in reasons(result)[0][3]


def test_ambiguous_subdistrict_name_needs_the_district(area_tree):
    # Chumphon has two subdistricts named ปากน้ำ: in เมืองชุมพร and in หลังสวน.
    result = import_text("ตำบล,จังหวัด,หมู่ที่,ชื่อหมู่บ้าน\nปากน้ำ,ชุมพร,3,บ้านสาม\n")
    [(row, column, value, reason)] = reasons(result)
    assert (row, column, value) == (2, "ตำบล", "ปากน้ำ")
    assert "860102" in reason
    assert "860409" in reason
    assert "district" in reason
    assert not Area.objects.filter(code="86010203").exists()


def test_unknown_subdistrict_name(area_tree):
    result = import_text("ตำบล,หมู่ที่,ชื่อหมู่บ้าน\nไม่มีตำบลนี้,1,บ้านนา\n")
    [(row, column, value, _)] = reasons(result)
    assert (row, column, value) == (2, "ตำบล", "ไม่มีตำบลนี้")


def test_neither_code_nor_name_in_a_row(area_tree):
    result = import_text("รหัสตำบล,ตำบล,หมู่ที่,ชื่อหมู่บ้าน\n,,1,บ้านนา\n")
    assert [(row, column) for row, column, _, _ in reasons(result)] == [(2, "ตำบล")]


def test_code_and_name_that_disagree(area_tree):
    result = import_text("รหัสตำบล,ตำบล,หมู่ที่,ชื่อหมู่บ้าน\n860101,ปากน้ำ,3,บ้านสาม\n")
    [(row, column, value, reason)] = reasons(result)
    assert (row, column, value) == (2, "ตำบล", "ปากน้ำ")
    assert "ท่าตะเภา" in reason


def test_code_and_name_that_agree(area_tree):
    text = "รหัสตำบล,ตำบล,อำเภอ,หมู่ที่,ชื่อหมู่บ้าน\n860102,ต.ปากน้ำ,อ.เมืองชุมพร,3,บ้านสาม\n"
    assert import_text(text).ok


def test_missing_village_number_column_is_a_file_error(area_tree, tmp_path):
    path = write_csv(tmp_path, "รหัสตำบล,ชื่อหมู่บ้าน\n860101,บ้านนา\n")
    with translation.override("en"):
        message, err = fail(path)
    assert "หมู่ที่" in err
    assert "1 problem" in message


def test_file_without_any_subdistrict_column(area_tree):
    result = import_text("หมู่ที่,ชื่อหมู่บ้าน\n1,บ้านนา\n")
    [(row, _, _, reason)] = reasons(result)
    assert row == 1
    assert "รหัสตำบล" in reason
    assert "ตำบล" in reason


def test_unreadable_file(area_tree, tmp_path):
    path = tmp_path / "villages.xlsx"
    path.write_bytes(b"PK\x03\x04 broken")
    state = snapshot()
    _, err = fail(path)
    assert err
    assert snapshot() == state


def test_file_that_does_not_exist(area_tree, tmp_path):
    with pytest.raises(CommandError):
        call_command("import_villages", str(tmp_path / "nothing.csv"))


def test_report_is_written_for_a_clean_file_too(area_tree, tmp_path):
    report = tmp_path / "report.csv"
    run(write_csv(tmp_path, HEADER + "860101,3,บ้านใหม่\n"), "--report", str(report))
    assert report.read_text(encoding="utf-8-sig").splitlines() == ["แถว,คอลัมน์,ค่า,เหตุผล,ประเภท"]


def test_report_neutralizes_formulas(area_tree, tmp_path):
    report = tmp_path / "report.csv"
    fail(write_csv(tmp_path, HEADER + "860101,=1+1,บ้านนา\n"), "--report", str(report))
    assert "'=1+1" in report.read_text(encoding="utf-8-sig")


# What the other imports forgive: a total row, a misspelt subdistrict -------------------------


def test_a_total_row_is_said_once_to_be_no_village(area_tree, tmp_path):
    """The province's sheet ends with "รวม … 26 หมู่บ้าน", as the households' sheets end."""
    path = write_xlsx(
        tmp_path,
        [
            ["บัญชีรายชื่อหมู่บ้าน จังหวัดชุมพร"],
            ["ลำดับ", "อำเภอ", "ตำบล", "หมู่ที่", "ชื่อหมู่บ้าน"],
            [1, "อ.เมืองชุมพร", "ต.ท่าตะเภา", "๓", "บ้านใหม่"],
            [2, "อ.เมืองชุมพร", "ต.ปากน้ำ", "๒", "บ้านบน"],
            [],
            ["รวม", None, None, None, "2 หมู่บ้าน"],
        ],
    )
    with translation.override("en"):
        result = villages_import(actor=None, source=path)
    [(row, column, value, reason)] = reasons(result)
    assert (row, column, value) == (6, "", "")
    assert "no record" in reason and "total" in reason and "delete it" in reason
    assert not Area.objects.filter(code="86010103").exists()  # nothing until the file is clean


@pytest.mark.parametrize("total", ["รวม 26 หมู่บ้าน", "26 หมู่บ้าน", "รวมทั้งสิ้น"])
def test_a_total_in_the_name_column_is_no_village(area_tree, total):
    result = import_text(f"{HEADER}860101,3,บ้านใหม่\n,,{total}\n")
    assert [(row, column) for row, column, _, _ in reasons(result)] == [(3, "")]


def test_the_total_row_reason_is_the_households_imports(area_tree):
    from carenet.core.tabular import odd_row_reason

    result = import_text(f"{HEADER},,รวม 26 หมู่บ้าน\n")
    with translation.override("en"):
        said = odd_row_reason({"name": "รวม 26 หมู่บ้าน"}, {})
    assert reasons(result)[0][3] == said


def test_a_misspelt_subdistrict_is_answered_with_the_likely_one(area_tree):
    # ภ typed as พ: the households' and volunteers' imports say the same of this typo.
    text = "ตำบล,อำเภอ,จังหวัด,หมู่ที่,ชื่อหมู่บ้าน\nต.ท่าตะเพา,อ.เมืองชุมพร,จ.ชุมพร,3,บ้านสาม\n"
    [(row, column, value, reason)] = reasons(import_text(text))
    assert (row, column, value) == (2, "ตำบล", "ต.ท่าตะเพา")
    assert reason.endswith("Did you mean 860101 ต.ท่าตะเภา อ.เมืองชุมพร จ.ชุมพร?")


def test_the_likely_subdistrict_in_the_rows_district_and_province_comes_first(area_tree):
    """ปากน้ำ is a subdistrict of many provinces: the ones of the row's come first, not the
    first codes of the country."""
    for code, name in (("11", "สมุทรปราการ"), ("21", "ระยอง"), ("24", "ฉะเชิงเทรา")):
        Area.objects.create(code=code, level=Level.PROVINCE, name_th=name)
        Area.objects.create(code=f"{code}01", level=Level.DISTRICT, name_th="เมือง", parent_id=code)
        Area.objects.create(
            code=f"{code}0101", level=Level.SUBDISTRICT, name_th="ปากน้ำ", parent_id=f"{code}01"
        )
    text = "ตำบล,อำเภอ,จังหวัด,หมู่ที่,ชื่อหมู่บ้าน\nปากน้า,เมืองชุมพร,ชุมพร,3,บ้านสาม\n"
    [(_, _, _, reason)] = reasons(import_text(text))
    assert "Did you mean 860102 ต.ปากน้ำ อ.เมืองชุมพร จ.ชุมพร;" in reason


def test_a_name_nothing_resembles_gets_no_suggestion(area_tree):
    [(_, _, _, reason)] = reasons(import_text("ตำบล,หมู่ที่,ชื่อหมู่บ้าน\nไม่มีตำบลนี้,1,บ้านนา\n"))
    assert "Did you mean" not in reason


def test_the_command_says_a_total_row_once_without_an_empty_column(area_tree, tmp_path):
    path = write_csv(tmp_path, HEADER + "860101,3,บ้านใหม่\n,,รวม 1 หมู่บ้าน\n")
    with translation.override("en"):
        _, err = fail(path, "--dry-run")
    assert err.startswith("Row 3: This row is no record.")
    assert "column" not in err


def test_a_typo_repeated_on_every_row_is_answered_on_every_row(area_tree):
    rows = "".join(f"ท่าตะเพา,{moo},บ้าน {moo}\n" for moo in range(1, 61))
    found = reasons(import_text("ตำบล,หมู่ที่,ชื่อหมู่บ้าน\n" + rows))
    assert len(found) == 60 and all("Did you mean 860101" in reason for *_, reason in found)


@pytest.fixture
def kra_buri(area_tree):
    """ต.จ.ป.ร. of อ.กระบุรี, จ.ระนอง: a name of initials, whose จ. geothai reads as a level."""
    Area.objects.create(code="85", level=Level.PROVINCE, name_th="ระนอง", name_en="Ranong")
    Area.objects.create(
        code="8504", level=Level.DISTRICT, name_th="กระบุรี", name_en="Kra Buri", parent_id="85"
    )
    Area.objects.create(
        code="850406",
        level=Level.SUBDISTRICT,
        name_th="จ.ป.ร.",
        name_en="Choporo",
        parent_id="8504",
    )


@pytest.mark.parametrize("typed", ["ต.จ.ป.ร.", "ตำบลจ.ป.ร.", "ต. จ.ป.ร.", "จ.ป.ร."])
def test_a_subdistrict_named_with_initials_is_found_with_its_level_typed(kra_buri, typed):
    result = import_text(f"ตำบล,อำเภอ,จังหวัด,หมู่ที่,ชื่อหมู่บ้าน\n{typed},อ.กระบุรี,ระนอง,1,บ้านหนึ่ง\n")
    assert result.ok, reasons(result)
    assert village("85040601").name_th == "บ้านหนึ่ง"


@pytest.mark.parametrize(
    "typed", ["ต.จ.ป.ร.", "ตำบล จ.ป.ร.", "จ.ป.ร.", "จ.ป.ร", "ต.จ. ป. ร.", "850406"]
)
def test_the_users_page_finds_a_subdistrict_named_with_initials(kra_buri, typed):
    assert area_typed(typed).code == "850406"


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("หมู่ 3 บ้านควนไม้ดำ", "บ้านควนไม้ดำ"),
        ("หมู่ที่ ๓ บ้านควนไม้ดำ", "บ้านควนไม้ดำ"),
        ("ม.3 บ.ควนไม้ดำ", "บ้านควนไม้ดำ"),
        ("บ. ทุ่งมะพร้าว", "บ้านทุ่งมะพร้าว"),
        ("หมู่ 9 บ้านเก้าแสน", "หมู่ 9 บ้านเก้าแสน"),  # another number: maybe the name's own
        ("บางหมาก", "บางหมาก"),
        ("ม 3 บ้านนาวง", "บ้านนาวง"),
        ("ม.3บ.ปากคลอง", "บ้านปากคลอง"),
        ("มะม่วง 3 ต้น", "มะม่วง 3 ต้น"),
    ],
)
def test_the_village_s_own_number_and_the_short_ban_are_written_out(area_tree, written, kept):
    result = import_text(HEADER + f"860101,3,{written}\n")
    assert result.ok, reasons(result)
    assert village("86010103").name_th == kept
