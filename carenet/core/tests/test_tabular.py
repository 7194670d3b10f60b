"""Reading uploaded spreadsheets, and the error report every import returns."""

import codecs
import csv
import io
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from functools import partial
from typing import IO

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from carenet.core import tabular
from carenet.core.tabular import (
    REPORT_HEADER,
    Column,
    Kind,
    RowError,
    TableError,
    clean_cell,
    column_letter,
    error_report_csv,
    neutralize_formula,
    normalize_header,
    open_table,
    read_table,
    write_error_report,
)

COLUMNS = (
    Column("code", ("รหัสตำบล", "subdistrict_code"), required=True, kind=Kind.INTEGER),
    Column("moo", ("หมู่ที่", "moo"), required=True, kind=Kind.INTEGER),
    Column("name", ("ชื่อหมู่บ้าน", "village name"), required=True),
    Column("founded", ("วันที่ตั้ง", "founded"), kind=Kind.DATE),
    Column("note", ("หมายเหตุ", "note")),
)

THAI_CSV = "รหัสตำบล,หมู่ที่,ชื่อหมู่บ้าน\n860101,1,บ้านท่าตะเภา\n860101,2,บ้านหาดทรายรี\n"
EXPECTED = [
    (2, {"code": "860101", "moo": "1", "name": "บ้านท่าตะเภา", "founded": "", "note": ""}),
    (3, {"code": "860101", "moo": "2", "name": "บ้านหาดทรายรี", "founded": "", "note": ""}),
]


def rows_of(table):
    return [(row.number, row.values) for row in table]


# Encodings ------------------------------------------------------------------------------------


def test_utf8_with_bom(tmp_path):
    path = tmp_path / "villages.csv"
    path.write_bytes(THAI_CSV.encode("utf-8-sig"))
    table = read_table(path, COLUMNS)
    assert rows_of(table) == EXPECTED
    assert table.header_row == 1
    assert table.headers["code"] == "รหัสตำบล"


def test_utf8_without_bom(tmp_path):
    path = tmp_path / "villages.csv"
    path.write_bytes(THAI_CSV.encode("utf-8"))
    assert rows_of(read_table(path, COLUMNS)) == EXPECTED


def test_cp874_from_old_thai_excel(tmp_path):
    path = tmp_path / "villages.csv"
    path.write_bytes(THAI_CSV.encode("cp874"))
    assert rows_of(read_table(path, COLUMNS)) == EXPECTED


def test_tis620_is_read_as_well():
    assert rows_of(read_table(THAI_CSV.encode("tis-620"), COLUMNS)) == EXPECTED


def test_utf16_tab_separated_unicode_text():
    data = THAI_CSV.replace(",", "\t").encode("utf-16")
    assert rows_of(read_table(data, COLUMNS)) == EXPECTED


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_other_delimiters(delimiter):
    assert rows_of(read_table(THAI_CSV.replace(",", delimiter).encode(), COLUMNS)) == EXPECTED


def test_sources_can_be_bytes_open_files_and_uploads(tmp_path):
    data = THAI_CSV.encode()
    assert rows_of(read_table(data, COLUMNS)) == EXPECTED
    assert rows_of(read_table(io.BytesIO(data), COLUMNS)) == EXPECTED
    assert rows_of(read_table(SimpleUploadedFile("v.csv", data), COLUMNS)) == EXPECTED
    (tmp_path / "v.csv").write_bytes(data)
    assert rows_of(read_table(str(tmp_path / "v.csv"), COLUMNS)) == EXPECTED


# Header ---------------------------------------------------------------------------------------


def test_title_rows_above_the_header_are_skipped():
    data = (
        "รายชื่อหมู่บ้าน จังหวัดชุมพร,,\n"
        "ข้อมูล ณ วันที่ 1 ต.ค. 2568,,\n"
        ",,\n"
        "ลำดับ,รหัสตำบล,หมู่ที่,ชื่อหมู่บ้าน\n"
        "1,860101,1,บ้านท่าตะเภา\n"
    ).encode()
    table = read_table(data, COLUMNS)
    assert table.header_row == 4
    assert rows_of(table) == [
        (5, {"code": "860101", "moo": "1", "name": "บ้านท่าตะเภา", "founded": "", "note": ""})
    ]


def test_header_after_the_first_ten_rows_is_not_found(en):
    data = ("title\n" * 10 + "รหัสตำบล,หมู่ที่,ชื่อหมู่บ้าน\n860101,1,x\n").encode()
    with pytest.raises(TableError) as error:
        read_table(data, COLUMNS)
    [problem] = error.value.errors
    assert problem.row is None
    assert "header" in problem.reason
    assert "รหัสตำบล" in problem.reason


def test_english_headers_compared_loosely():
    data = b"  SUBDISTRICT_CODE , Moo,Village   Name,Note\n860101,3,Ban Mai,new\n"
    table = read_table(data, COLUMNS)
    assert rows_of(table) == [
        (2, {"code": "860101", "moo": "3", "name": "Ban Mai", "founded": "", "note": "new"})
    ]
    assert table.headers["name"] == "Village Name"


def test_thai_headers_with_stray_spaces_and_zero_width_characters():
    data = " รหัสตำบล ,หมู่\u200bที่,ชื่อหมู่บ้าน \n860101,1,บ้านนา\n".encode()
    assert read_table(data, COLUMNS).rows[0]["name"] == "บ้านนา"


@pytest.mark.parametrize(
    "header",
    ["1. ชื่อหมู่บ้าน", "(3) ชื่อหมู่บ้าน", "๒) ชื่อหมู่บ้าน", "ชื่อหมู่บ้าน (ภาษาไทย)", "ชื่อ – หมู่บ้าน"],
)
def test_headers_numbered_or_with_a_note_in_brackets(header):
    table = read_table(f"รหัสตำบล,หมู่ที่,{header}\n860101,1,บ้านนา\n".encode(), COLUMNS)
    assert [row["name"] for row in table] == ["บ้านนา"]


def test_a_header_as_written_wins_over_one_named_by_its_note_dropped():
    csv_text = "รหัสตำบล,หมู่ที่,ชื่อหมู่บ้าน (เดิม),ชื่อหมู่บ้าน\n860101,1,บ้านเก่า,บ้านนา\n"
    table = read_table(csv_text.encode(), COLUMNS)
    assert [row["name"] for row in table] == ["บ้านนา"]
    assert table.ignored == [("C", "ชื่อหมู่บ้าน (เดิม)")]


def test_normalize_header():
    assert normalize_header("  Village \n  NAME ") == "villagename"
    assert normalize_header("\ufeffรหัสตำบล") == "รหัสตำบล"
    assert normalize_header("นาม\nสกุล") == normalize_header("นามสกุล")
    assert normalize_header("วัน/เดือน/ปี เกิด") == normalize_header("วันเดือนปีเกิด")
    assert normalize_header("House No.*") == normalize_header("house_no")


def test_columns_not_read_are_listed():
    data = "ลำดับ,ชื่อหมู่บ้าน,,หมู่ที่,รหัสตำบล,ผู้บันทึก\n1,บ้านนา,,4,860102,ดี\n".encode()
    assert read_table(data, COLUMNS).ignored == [("A", "ลำดับ"), ("F", "ผู้บันทึก")]
    assert open_table(data, COLUMNS).ignored == [("A", "ลำดับ"), ("F", "ผู้บันทึก")]


def test_columns_in_any_order_and_others_ignored():
    data = "ชื่อหมู่บ้าน,อื่นๆ,หมู่ที่,รหัสตำบล\nบ้านนา,xx,4,860102\n".encode()
    [row] = read_table(data, COLUMNS)
    assert (row["code"], row["moo"], row["name"]) == ("860102", "4", "บ้านนา")


def test_optional_columns_may_be_absent():
    table = read_table(THAI_CSV.encode(), COLUMNS)
    assert table.has("code")
    assert not table.has("note")
    assert table.rows[0]["note"] == ""


def test_missing_required_column_is_a_file_error(en):
    data = "รายชื่อ\nรหัสตำบล,ชื่อหมู่บ้าน\n860101,บ้านนา\n".encode()
    with pytest.raises(TableError) as error:
        read_table(data, COLUMNS)
    [problem] = error.value.errors
    assert problem == RowError(row=2, column="หมู่ที่", value="", reason=problem.reason)
    assert "หมู่ที่" in problem.reason
    assert "moo" in problem.reason


def test_every_missing_required_column_is_reported():
    with pytest.raises(TableError) as error:
        read_table("หมายเหตุ\nx\n".encode(), COLUMNS)
    assert [e.column for e in error.value.errors] == ["รหัสตำบล", "หมู่ที่", "ชื่อหมู่บ้าน"]


def test_the_same_column_twice_is_a_file_error(en):
    data = "รหัสตำบล,หมู่ที่,ชื่อหมู่บ้าน,village name\n860101,1,a,b\n".encode()
    with pytest.raises(TableError) as error:
        read_table(data, COLUMNS)
    [problem] = error.value.errors
    assert problem.row == 1
    assert "C" in problem.reason
    assert "D" in problem.reason


def test_file_error_messages_are_translated():
    with translation.override("th"), pytest.raises(TableError) as thai:
        read_table(b"nothing,here\n", COLUMNS)
    with translation.override("en"), pytest.raises(TableError) as english:
        read_table(b"nothing,here\n", COLUMNS)
    assert thai.value.errors[0].reason != english.value.errors[0].reason


# Rows -----------------------------------------------------------------------------------------


def test_blank_rows_are_skipped_and_row_numbers_kept():
    data = (
        "รหัสตำบล,หมู่ที่,ชื่อหมู่บ้าน\n,,\n860101,1,บ้านท่าตะเภา\n\n  ,\t, \n860101,2,บ้านหาดทรายรี\n,,\n"
    ).encode()
    assert [row.number for row in read_table(data, COLUMNS)] == [3, 6]


def test_rows_with_only_undeclared_columns_filled_are_skipped():
    data = "ลำดับ,รหัสตำบล,หมู่ที่,ชื่อหมู่บ้าน\n1,860101,1,บ้านนา\n2,,,\n3,,,\n".encode()
    assert len(read_table(data, COLUMNS)) == 1


def test_values_are_trimmed_and_spaces_collapsed():
    data = "รหัสตำบล,หมู่ที่,ชื่อหมู่บ้าน\n 860101 ,๓,  บ้าน   หนอง\u200bใหญ่ \n".encode()
    [row] = read_table(data, COLUMNS)
    assert row.values["name"] == "บ้าน หนองใหญ่"
    assert row.values["moo"] == "3"
    assert row.values["code"] == "860101"


def test_short_rows_and_quoted_cells():
    data = 'รหัสตำบล,หมู่ที่,ชื่อหมู่บ้าน,หมายเหตุ\n860101,1,"บ้านนา, ใต้","two\nlines"\n860101,2\n'
    rows = read_table(data.encode(), COLUMNS).rows
    assert rows[0]["name"] == "บ้านนา, ใต้"
    assert rows[0]["note"] == "two lines"
    assert rows[1]["name"] == ""


def test_too_many_rows_is_a_file_error():
    data = ("รหัสตำบล,หมู่ที่,ชื่อหมู่บ้าน\n" + "860101,1,x\n" * 11).encode()
    assert len(read_table(data, COLUMNS, max_rows=11)) == 11
    with pytest.raises(TableError):
        read_table(data, COLUMNS, max_rows=10)


# Unreadable files -----------------------------------------------------------------------------


def test_missing_file_is_a_file_error(tmp_path):
    with pytest.raises(TableError):
        read_table(tmp_path / "nothing.csv", COLUMNS)


def test_damaged_workbook_is_a_file_error(en):
    with pytest.raises(TableError) as error:
        read_table(b"PK\x03\x04 this is not really a zip file", COLUMNS)
    assert "xlsx" in error.value.errors[0].reason


def test_binary_garbage_is_a_file_error():
    with pytest.raises(TableError):
        read_table(bytes(range(256)) * 4, COLUMNS)


def test_empty_file_is_a_file_error():
    with pytest.raises(TableError):
        read_table(b"", COLUMNS)


def test_control_characters_are_dropped():
    # PostgreSQL cannot store NUL in text, so it must not reach an importer.
    data = "รหัสตำบล,หมู่ที่,ชื่อหมู่บ้าน\n860101,1,บ้าน\x00นา\x07\n".encode()
    assert read_table(data, COLUMNS).rows[0]["name"] == "บ้านนา"


# XLSX -----------------------------------------------------------------------------------------


def write_xlsx(path, rows, *, instructions=None):
    book = openpyxl.Workbook()
    sheet = book.active
    if instructions is not None:
        sheet.title = "คำอธิบาย"
        for line in instructions:
            sheet.append(line)
        sheet = book.create_sheet("data")
    for line in rows:
        sheet.append(line)
    book.save(path)
    return path


def test_xlsx_with_title_rows_numbers_and_dates(tmp_path):
    path = write_xlsx(
        tmp_path / "villages.xlsx",
        [
            ["ทะเบียนหมู่บ้าน อำเภอเมืองชุมพร"],
            [],
            ["รหัสตำบล", "หมู่ที่", "ชื่อหมู่บ้าน", "วันที่ตั้ง", "หมายเหตุ"],
            [860101, 1.0, "บ้านท่าตะเภา", date(2025, 2, 26), datetime(2025, 2, 26, 14, 5)],
            [None, None, None, None, None],
            ["860101", "2", " บ้านหาดทรายรี ", datetime(2024, 10, 1), 2.5],
        ],
    )
    table = read_table(path, COLUMNS)
    assert table.header_row == 3
    assert rows_of(table) == [
        (
            4,
            {
                "code": "860101",
                "moo": "1",
                "name": "บ้านท่าตะเภา",
                "founded": "2025-02-26",
                "note": "2025-02-26 14:05",
            },
        ),
        (
            6,
            {
                "code": "860101",
                "moo": "2",
                "name": "บ้านหาดทรายรี",
                "founded": "2024-10-01",
                "note": "2.5",
            },
        ),
    ]


def test_xlsx_english_headers(tmp_path):
    path = write_xlsx(
        tmp_path / "v.xlsx", [["Subdistrict_Code", "MOO", "Village Name"], [860102, 3, "Ban Y"]]
    )
    assert rows_of(read_table(path, COLUMNS)) == [
        (2, {"code": "860102", "moo": "3", "name": "Ban Y", "founded": "", "note": ""})
    ]


def test_xlsx_data_sheet_after_an_instructions_sheet(tmp_path):
    path = write_xlsx(
        tmp_path / "v.xlsx",
        [["รหัสตำบล", "หมู่ที่", "ชื่อหมู่บ้าน"], [860101, 1, "บ้านนา"]],
        instructions=[["กรอกข้อมูลในแผ่นงาน data"], ["รหัสตำบล = รหัส 6 หลัก"]],
    )
    assert [row["name"] for row in read_table(path, COLUMNS)] == ["บ้านนา"]
    with open_table(path, COLUMNS) as table:
        assert table.other_sheet == "data"  # the report says its row numbers are that sheet's
    plain = write_xlsx(tmp_path / "plain.xlsx", [["รหัสตำบล", "หมู่ที่", "ชื่อหมู่บ้าน"]])
    with open_table(plain, COLUMNS) as table:
        assert table.other_sheet == ""


def test_xlsx_with_the_header_on_several_sheets_is_refused(tmp_path, en):
    book = openpyxl.Workbook()
    for number, sheet in enumerate([book.active, book.create_sheet(), book.create_sheet()], 1):
        sheet.title = f"ม.{number}"
        sheet.append(["รหัสตำบล", "หมู่ที่", "ชื่อหมู่บ้าน"])
        sheet.append([860101, number, f"บ้าน {number}"])
    book.save(tmp_path / "v.xlsx")
    for read in (read_table, open_table):
        with pytest.raises(TableError) as raised:
            read(tmp_path / "v.xlsx", COLUMNS)
        assert "“ม.1”, “ม.2”, “ม.3”" in raised.value.errors[0].reason
        assert "one import reads one sheet" in raised.value.errors[0].reason


def test_xlsx_whose_rows_are_on_a_hidden_sheet_says_so(tmp_path, en):
    book = openpyxl.Workbook()
    book.active.append(["สรุป"])
    data = book.create_sheet("ข้อมูล")
    data.append(["รหัสตำบล", "หมู่ที่", "ชื่อหมู่บ้าน"])
    data.append([860101, 1, "บ้านนา"])
    data.sheet_state = "hidden"
    book.save(tmp_path / "v.xlsx")
    with pytest.raises(TableError) as raised:
        read_table(tmp_path / "v.xlsx", COLUMNS)
    assert "hidden sheet “ข้อมูล”" in raised.value.errors[0].reason


def test_xlsx_cells_merged_down_over_rows_are_read_in_every_row(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["ทะเบียนหมู่บ้าน"])  # a title merged across, above the header
    sheet.merge_cells("A1:C1")
    sheet.append(["รหัสตำบล", "หมู่ที่", "ชื่อหมู่บ้าน"])
    for moo in (1, 2, 3):
        sheet.append([860101 if moo == 1 else None, moo, f"บ้าน {moo}"])
    sheet.append([860102, 1, "บ้านไร่"])
    sheet.merge_cells("A3:A5")  # the subdistrict code written once for its three villages
    book.save(tmp_path / "v.xlsx")
    expected = ["860101", "860101", "860101", "860102"]
    assert [row["code"] for row in read_table(tmp_path / "v.xlsx", COLUMNS)] == expected
    with open_table(tmp_path / "v.xlsx", COLUMNS) as table:
        assert [row["code"] for row in table] == expected


def test_xlsx_missing_required_column(tmp_path):
    path = write_xlsx(tmp_path / "v.xlsx", [["รหัสตำบล", "ชื่อหมู่บ้าน"], [860101, "x"]])
    with pytest.raises(TableError) as error:
        read_table(path, COLUMNS)
    assert [e.column for e in error.value.errors] == ["หมู่ที่"]


def test_xlsx_read_from_an_upload(tmp_path):
    path = write_xlsx(tmp_path / "v.xlsx", [["รหัสตำบล", "หมู่ที่", "ชื่อหมู่บ้าน"], [1, 2, "a"]])
    upload = SimpleUploadedFile("whatever.bin", path.read_bytes())
    assert len(read_table(upload, COLUMNS)) == 1


# Cells ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        (None, Kind.TEXT, ""),
        (1.0, Kind.INTEGER, "1"),
        (1.0, Kind.TEXT, "1"),
        (1234567890121.0, Kind.TEXT, "1234567890121"),
        (2.5, Kind.INTEGER, "2.5"),
        (7, Kind.TEXT, "7"),
        (True, Kind.TEXT, "TRUE"),
        (date(2025, 2, 26), Kind.TEXT, "2025-02-26"),
        (datetime(2025, 2, 26, 0, 0), Kind.TEXT, "2025-02-26"),
        (datetime(2025, 2, 26, 9, 30), Kind.DATE, "2025-02-26"),
        (datetime(2025, 2, 26, 9, 30), Kind.TEXT, "2025-02-26 09:30"),
        # An export's as_of is read to the second, and a day number's float to its second.
        (datetime(2026, 11, 30, 10, 15, 42), Kind.TEXT, "2026-11-30 10:15:42"),
        (datetime(2026, 11, 30, 10, 15, 41, 999_987), Kind.TEXT, "2026-11-30 10:15:42"),
        (datetime(2026, 11, 30, 10, 15, 42, 12), Kind.TEXT, "2026-11-30 10:15:42"),
        (45714.0, Kind.DATE, "2025-02-26"),
        (45714.0, Kind.TEXT, "45714"),
        (2515.0, Kind.DATE, "2515"),  # a year typed alone, not 19 November 1906
        (date(1906, 11, 19), Kind.DATE, "2515"),  # the same in a cell formatted as a date
        (datetime(1905, 5, 25), Kind.DATE, "1972"),
        (date(1906, 11, 19), Kind.TEXT, "1906-11-19"),
        (1990, Kind.DATE, "1990"),
        (1012500.0, Kind.DATE, "1012500"),  # 1/01/2500 typed as a number, not a serial
        ("๑๒", Kind.INTEGER, "12"),
        ("3.0", Kind.INTEGER, "3"),
        ("1,234", Kind.INTEGER, "1234"),
        ("หมู่ ๓", Kind.INTEGER, "หมู่ 3"),
        ("3.0", Kind.TEXT, "3.0"),
        ("๑๒", Kind.TEXT, "๑๒"),
        ("26/02/2568", Kind.DATE, "26/02/2568"),
        ("  a \n b  ", Kind.TEXT, "a b"),
        ("-", Kind.TEXT, ""),
        (" – ", Kind.TEXT, ""),
        ("--", Kind.INTEGER, ""),
        ("-5", Kind.INTEGER, "-5"),
        ("ม.-", Kind.TEXT, "ม.-"),
        ("'=1+1", Kind.TEXT, "=1+1"),
        ("'-", Kind.TEXT, ""),
        ("'@SUM(A1)", Kind.TEXT, "@SUM(A1)"),
        ("'-5", Kind.TEXT, "'-5"),  # a number: an export writes it without the apostrophe
        ("'สมชาย", Kind.TEXT, "'สมชาย"),
    ],
)
def test_clean_cell(value, kind, expected):
    assert clean_cell(value, kind) == expected


@pytest.mark.parametrize(
    ("day", "reads_back"),
    [
        (date(1967, 11, 1), True),
        (date(1904, 12, 3), True),
        (date(1904, 12, 4), False),  # day number 1800: read as a year typed alone
        (date(1907, 5, 23), False),  # 2700
        (date(1907, 5, 24), True),
        (datetime(2026, 11, 30, 10, 15), True),
    ],
)
def test_a_date_cell_reads_back_but_for_day_numbers_read_as_years(day, reads_back):
    assert tabular.reads_back_as_date(day) is reads_back
    expected = day.date() if isinstance(day, datetime) else day
    assert (clean_cell(day, Kind.DATE) == expected.isoformat()) is reads_back


def test_a_day_before_excel_s_first_does_not_read_back_from_a_date_cell():
    assert not tabular.reads_back_as_date(date(1899, 12, 30))  # day number 0: a time of day


def test_column_letter():
    assert [column_letter(i) for i in (0, 1, 25, 26, 27, 51, 52, 701, 702)] == [
        "A",
        "B",
        "Z",
        "AA",
        "AB",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
    ]


# Formulas in exports --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("＝1+1", "'＝1+1"),
        (" =1+1", "' =1+1"),
        ("\n=1+1", "'\n=1+1"),
        ("\u00a0@SUM(A1)", "'\u00a0@SUM(A1)"),
        (" -5", " -5"),
        ("  ", "  "),
        ("-5", "-5"),
        ("-5.25", "-5.25"),
        ("+66", "+66"),
        ("-", "'-"),
        ("5-3", "5-3"),
        ("บ้านนา", "บ้านนา"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_neutralize_formula(value, expected):
    assert neutralize_formula(value) == expected


# Error report ---------------------------------------------------------------------------------

ERRORS = [
    RowError(row=None, column="", value="", reason="ไฟล์อ่านไม่ได้"),
    RowError(row=5, column="หมู่ที่", value="abc", reason="ไม่ใช่เลขหมู่"),
    RowError(row=7, column="ชื่อหมู่บ้าน", value="=1+1", reason="ชื่อ, ซ้ำ"),
]


def read_report(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_error_report_is_utf8_with_bom_and_thai_header():
    data = error_report_csv(ERRORS)
    assert data.startswith(codecs.BOM_UTF8)
    assert read_report(data) == [
        ["แถว", "คอลัมน์", "ค่า", "เหตุผล", "ประเภท"],
        ["", "", "", "ไฟล์อ่านไม่ได้", "ข้อผิดพลาด"],
        ["5", "หมู่ที่", "abc", "ไม่ใช่เลขหมู่", "ข้อผิดพลาด"],
        ["7", "ชื่อหมู่บ้าน", "'=1+1", "ชื่อ, ซ้ำ", "ข้อผิดพลาด"],
    ]
    assert tuple(read_report(data)[0]) == REPORT_HEADER


def test_error_report_marks_warnings_and_keeps_the_files_row_order():
    warnings = [
        RowError(row=1, column="สี", value="", reason="ไม่ได้อ่านคอลัมน์นี้"),
        RowError(row=5, column="ชื่อหมู่บ้าน", value="นา", reason="อาจซ้ำ"),
    ]
    rows = read_report(error_report_csv(ERRORS, warnings))[1:]
    assert [(row[0], row[4]) for row in rows] == [
        ("", "ข้อผิดพลาด"),
        ("1", "คำเตือน"),
        ("5", "ข้อผิดพลาด"),  # at one row, the error that stops the import comes first
        ("5", "คำเตือน"),
        ("7", "ข้อผิดพลาด"),
    ]


def test_an_error_report_written_in_english_is_english_throughout():
    with translation.override("en"):
        rows = read_report(error_report_csv(ERRORS[:1], ERRORS[1:2]))
    assert rows[0] == ["Row", "Column", "Value", "Reason", "Type"]
    assert [row[4] for row in rows[1:]] == ["error", "warning"]


def test_empty_error_report_has_the_header():
    assert read_report(error_report_csv([])) == [list(REPORT_HEADER)]


def test_write_error_report_to_a_path_or_a_file(tmp_path):
    path = tmp_path / "report.csv"
    write_error_report(ERRORS, path)
    assert path.read_bytes() == error_report_csv(ERRORS)
    buffer = io.BytesIO()
    write_error_report(iter(ERRORS), buffer)
    assert buffer.getvalue() == error_report_csv(ERRORS)
    write_error_report(ERRORS, str(tmp_path / "again.csv"))
    assert (tmp_path / "again.csv").exists()


def test_error_report_reads_back_as_a_table_of_errors():
    columns = (
        Column("row", ("แถว",)),
        Column("column", ("คอลัมน์",)),
        Column("value", ("ค่า",)),
        Column("reason", ("เหตุผล",), required=True),
    )
    table = read_table(error_report_csv(ERRORS), columns)
    assert [row["reason"] for row in table] == ["ไฟล์อ่านไม่ได้", "ไม่ใช่เลขหมู่", "ชื่อ, ซ้ำ"]


def test_a_csv_cell_longer_than_pythons_default_limit_is_read():
    data = ("รหัสตำบล,หมู่ที่,ชื่อหมู่บ้าน\n860101,1," + "ก" * 200_000 + "\n").encode()
    table = read_table(io.BytesIO(data), COLUMNS)
    # Read up to one past the longest a spreadsheet cell can be: too long for any column.
    assert table.rows[0].values["name"] == "ก" * (tabular.LONGEST_CELL + 1)


def test_a_workbook_that_unpacks_far_past_its_size_is_refused(tmp_path, en, monkeypatch):
    """A few KB that unpack to a huge repeated cell took the server to gigabytes."""
    header = ["รหัสตำบล", "หมู่ที่", "ชื่อหมู่บ้าน"]
    path = write_xlsx(tmp_path / "v.xlsx", [header, [860101, 1, "ก" * 300_000]])
    monkeypatch.setattr(tabular, "PACKED_PART_MIN", 50_000)
    for read in (read_table, open_table):
        with pytest.raises(TableError) as raised:
            read(path, COLUMNS)
        assert "unpacks to far more than its size" in raised.value.errors[0].reason
    ordinary = write_xlsx(
        tmp_path / "o.xlsx", [header] + [[860101, n, f"บ้าน {n}"] for n in range(5000)]
    )
    assert len(read_table(ordinary, COLUMNS).rows) == 5000


def test_a_workbook_that_unpacks_past_the_limit_is_refused_before_it_is_opened(
    tmp_path, en, monkeypatch
):
    path = write_xlsx(tmp_path / "v.xlsx", [["รหัสตำบล", "หมู่ที่", "ชื่อหมู่บ้าน"]] * 2000)
    monkeypatch.setattr(tabular, "WORKBOOK_XML_LIMIT", 50_000)
    for read in (read_table, open_table):
        with pytest.raises(TableError) as raised:
            read(path, COLUMNS)
        assert "too large to open" in raised.value.errors[0].reason
        assert "CSV UTF-8" in raised.value.errors[0].reason


def _with_cells(path, extra: str, *, attributes: str = ""):
    """The workbook at `path` with `extra` XML added to its first sheet's data."""
    with zipfile.ZipFile(path) as source:
        parts = {item.filename: source.read(item) for item in source.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(
        "</sheetData>", extra + "</sheetData>"
    ).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path


@pytest.mark.parametrize(
    "extra",
    [
        '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>',
        '<row r="3"><c r="XFD3"><v>1</v></c><c r="A999999"><v>1</v></c></row>',
        '<row r="1048576"><c t="n" r="ZZ1048576"><v>1</v></c></row>',
        '<row r="999999">' + "<c><v>1</v></c>" * 40 + "</row>",  # no references
    ],
    ids=["last cell", "far down a wide sheet", "reference not first", "cells without references"],
)
def test_a_workbook_with_a_cell_far_past_its_table_is_refused_before_it_is_opened(
    tmp_path, en, extra
):
    """calamine makes room for the whole rectangle up to the last cell: one cell at XFD1048576
    in a file of 6 KB asked for 550 GB and took the server process down."""
    header = ["รหัสตำบล", "หมู่ที่", "ชื่อหมู่บ้าน"]
    path = _with_cells(write_xlsx(tmp_path / "v.xlsx", [header, [860101, 1, "บ้าน"]]), extra)
    for read in (read_table, open_table):
        with pytest.raises(TableError) as raised:
            read(path, COLUMNS)
        assert "cells far beyond its table" in raised.value.errors[0].reason


def test_a_workbook_whose_sheet_is_damaged_inside_is_a_file_error(tmp_path, en):
    """The extent check unpacks each sheet: a damaged deflate stream is a reason, not a 500."""
    header = ["รหัสตำบล", "หมู่ที่", "ชื่อหมู่บ้าน"]
    path = write_xlsx(
        tmp_path / "v.xlsx", [header] + [[860101, n, f"บ้าน {n}" * 5] for n in range(2000)]
    )
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        part = archive.getinfo("xl/worksheets/sheet1.xml")
    start = part.header_offset + 30 + len(part.filename) + len(part.extra)
    for offset in range(200, 260):
        data[start + offset] ^= 0xFF
    path.write_bytes(bytes(data))
    for read in (read_table, open_table):
        with pytest.raises(TableError) as raised:
            read(path, COLUMNS)
        assert "cannot be opened" in raised.value.errors[0].reason


def _crc_zeroed(path, part_name: str):
    """The workbook at `path` with `part_name`'s CRC-32 set to 0 in both zip headers: the part
    then fails its check when Python unpacks it, while calamine reads it regardless."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        part = archive.getinfo(part_name)
    local = part.header_offset
    data[local + 14 : local + 18] = b"\0\0\0\0"
    name = part_name.encode()
    central = data.find(b"PK\x01\x02")
    while data[central + 46 : central + 46 + len(name)] != name:
        central = data.find(b"PK\x01\x02", central + 4)
    data[central + 16 : central + 20] = b"\0\0\0\0"
    path.write_bytes(bytes(data))
    return path


def test_a_far_cell_behind_a_wrong_checksum_is_refused_before_it_is_opened(tmp_path, en):
    """A 6.6 KB upload with one cell at XFD1048576 and its sheet's CRC zeroed passed the
    extent check as 'damaged, let calamine say' and aborted the web process (550 GB)."""
    header = ["รหัสตำบล", "หมู่ที่", "ชื่อหมู่บ้าน"]
    path = _with_cells(
        write_xlsx(tmp_path / "v.xlsx", [header, [860101, 1, "บ้าน"]]),
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
    )
    _crc_zeroed(path, "xl/worksheets/sheet1.xml")
    for read in (read_table, open_table):
        with pytest.raises(TableError) as raised:
            read(path, COLUMNS)
        assert "cannot be opened" in raised.value.errors[0].reason


def test_a_long_or_wide_workbook_within_bounds_is_read(tmp_path):
    header = ["รหัสตำบล", "หมู่ที่", "ชื่อหมู่บ้าน"]
    far = '<row r="900000"><c r="A900000"><v>1</v></c></row>'  # 900,000 × 3 columns
    path = _with_cells(write_xlsx(tmp_path / "v.xlsx", [header, [860101, 1, "บ้าน"]]), far)
    with zipfile.ZipFile(path) as archive:
        assert not tabular._sheet_too_large(partial(archive.open, "xl/worksheets/sheet1.xml"))
    wide = write_xlsx(tmp_path / "w.xlsx", [header + [f"c{n}" for n in range(200)]] * 50)
    assert len(read_table(wide, COLUMNS).rows) == 49


def test_a_workbook_of_formulas_saved_without_results_is_refused(tmp_path, en):
    # openpyxl, as other programs that write workbooks, saves a formula without its result.
    path = write_xlsx(
        tmp_path / "v.xlsx", [["รหัสตำบล", "หมู่ที่", "ชื่อหมู่บ้าน"], [860101, "=1+2", "บ้านนา"]]
    )
    for read in (read_table, open_table):
        with pytest.raises(TableError) as raised:
            read(path, COLUMNS)
        reason = raised.value.errors[0].reason
        assert "Cell B2 of the sheet “Sheet”" in reason and "without its result" in reason


def test_a_formula_saved_without_its_result_on_another_sheet_does_not_matter(tmp_path):
    book = openpyxl.Workbook()
    data = book.active
    data.append(["รหัสตำบล", "หมู่ที่", "ชื่อหมู่บ้าน"])
    data.append([860101, 1, "บ้านนา"])
    summary = book.create_sheet("สรุป & รวม")
    summary.append(["รวม", "=COUNTA(Sheet!A:A)"])
    book.save(tmp_path / "v.xlsx")
    assert [row.values["name"] for row in read_table(tmp_path / "v.xlsx", COLUMNS).rows] == [
        "บ้านนา"
    ]
    with open_table(tmp_path / "v.xlsx", COLUMNS) as table:
        assert [row.values["name"] for row in table] == ["บ้านนา"]


def test_a_workbook_of_calculated_formulas_is_read(tmp_path):
    path = write_xlsx(tmp_path / "v.xlsx", [["รหัสตำบล", "หมู่ที่", "ชื่อหมู่บ้าน"], [860101, 3, "x"]])
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    # The moo cell as Excel saves a formula: with its result.
    parts[sheet] = parts[sheet].replace(b"<v>3</v>", b"<f>1+2</f><v>3</v>")
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    assert [row["moo"] for row in read_table(path, COLUMNS)] == ["3"]


def test_a_sheet_kept_outside_the_usual_folder_is_checked_too(tmp_path, en):
    """calamine follows the workbook's relationships wherever they point: a 2 KB file with
    its sheet at sheets/s1.xml and one cell at XFD1048576 took the process down."""
    header = ["รหัสตำบล", "หมู่ที่", "ชื่อหมู่บ้าน"]
    path = _with_cells(
        write_xlsx(tmp_path / "v.xlsx", [header, [860101, 1, "บ้าน"]]),
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
    )
    with zipfile.ZipFile(path) as source:
        parts = {item.filename: source.read(item) for item in source.infolist()}
    parts["xl/sheets/s1.xml"] = parts.pop("xl/worksheets/sheet1.xml")
    links = parts["xl/_rels/workbook.xml.rels"].decode()
    parts["xl/_rels/workbook.xml.rels"] = links.replace(
        "worksheets/sheet1.xml", "sheets/s1.xml"
    ).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    with pytest.raises(TableError) as raised:
        open_table(path, COLUMNS)
    assert "cells far beyond its table" in raised.value.errors[0].reason


def test_a_sheet_of_tags_that_never_end_is_refused(tmp_path, en):
    """ "<c <c <c ..." and "<row <row ..." with no ">": refused (a search for where each tag
    ends ran to the end of the block, each time: hours for a 14 KB file)."""
    header = ["รหัสตำบล", "หมู่ที่", "ชื่อหมู่บ้าน"]
    path = _with_cells(
        write_xlsx(tmp_path / "v.xlsx", [header, [860101, 1, "บ้าน"]]),
        '<row r="3">' + "<c " * 20_000 + "</row>",
    )
    with pytest.raises(TableError):
        open_table(path, COLUMNS)
    rows = "<row " * 20_000  # not a row: nothing to count, found in one pass
    assert not tabular._sheet_too_large(lambda: io.BytesIO(rows.encode()))


def _ods_content(rows: str) -> Callable[[], IO[bytes]]:
    return lambda: io.BytesIO(f"<office:spreadsheet><table:table>{rows}</table:table>".encode())


def test_an_opendocument_sheet_of_repeated_filled_cells_is_too_large():
    """A row of one filled cell repeated 300,000 times, 100 columns wide: 1 KB, and 5.5 GB."""
    filled = '<table:table-cell office:value-type="string" table:number-columns-repeated="100">'
    repeated = f'<table:table-row table:number-rows-repeated="300000">{filled}</table:table-cell>'
    assert tabular._ods_too_large(_ods_content(repeated + "</table:table-row>"))


def test_an_opendocument_sheet_saved_by_libreoffice_is_not():
    """LibreOffice repeats empty cells to the sheet's edge in every file it saves."""
    cell = '<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>'
    data = f"<table:table-row>{cell * 25}</table:table-row>" * 1000
    edge = (
        '<table:table-row table:number-rows-repeated="1048000">'
        '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    )
    assert not tabular._ods_too_large(_ods_content(data + edge))


def test_a_header_row_of_millions_of_empty_cells_is_read_at_once(tmp_path):
    """A row of 40 million commas took minutes: columns past MAX_HEADER_CELLS are not read."""
    path = tmp_path / "wide.csv"
    path.write_text("รหัสตำบล,หมู่ที่,ชื่อหมู่บ้าน" + "," * 200_000 + "\n860101,1,บ้านนา\n")
    assert read_table(path, COLUMNS).rows[0]["name"] == "บ้านนา"
