"""Rows a workbook hides or strikes through: found, so that an import can refuse them."""

import io
import zipfile

import openpyxl
import pytest
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.styles import Font

from carenet.core import sheet_marks, tabular
from carenet.core.tabular import HIDDEN, STRUCK, Column, column_letter, open_table

COLUMNS = (
    Column("code", ("รหัสตำบล",), required=True),
    Column("name", ("ชื่อหมู่บ้าน",), required=True),
)


def workbook(mark) -> bytes:
    """A title row, a header with a column the import does not read (หมายเหตุ), four
    villages in rows 3 to 6; `mark(sheet)` hides or strikes some of them."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["ทะเบียนหมู่บ้าน"])
    sheet.append(["หมายเหตุ", "รหัสตำบล", "ชื่อหมู่บ้าน"])
    for number in range(1, 5):
        sheet.append(["", "860101", f"บ้าน {number}"])
    mark(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def marked(data: bytes) -> dict[int, tuple[str, str, str]]:
    with open_table(io.BytesIO(data), COLUMNS) as table:
        assert len(list(table)) == 4  # every row is still read; the import refuses them
        return table.marked


def test_a_plain_workbook_marks_nothing():
    assert marked(workbook(lambda sheet: None)) == {}


def test_hidden_rows_by_hand_or_by_a_filter():
    def hide(sheet):
        sheet.row_dimensions[1].hidden = True  # the title: not a data row
        sheet.row_dimensions[4].hidden = True
        sheet.row_dimensions[6].hidden = True

    assert marked(workbook(hide)) == {4: (HIDDEN, "", ""), 6: (HIDDEN, "", "")}


def test_a_struck_row_names_the_first_column_read():
    def strike(sheet):
        for cell in sheet[5]:
            cell.font = Font(strike=True)

    assert marked(workbook(strike)) == {5: (STRUCK, "code", "")}


def test_only_struck_text_in_columns_read_counts():
    def strike(sheet):
        sheet["A3"] = "ย้ายแล้ว"
        sheet["A3"].font = Font(strike=True)  # a note the import does not read
        sheet["C4"].font = Font(strike=True)
        sheet["B6"].font = Font(strike=False, bold=True)

    assert marked(workbook(strike)) == {4: (STRUCK, "name", "")}


def test_an_empty_cell_formatted_as_struck_is_no_mark():
    def strike(sheet):
        sheet["C7"].font = Font(strike=True)  # below the rows: a formatted empty cell

    assert marked(workbook(strike)) == {}


def test_text_partly_struck_through():
    def strike(sheet):
        sheet["C3"] = CellRichText(["บ้านใหม่ ", TextBlock(InlineFont(strike=True), "บ้านเก่า")])

    assert marked(workbook(strike)) == {3: (STRUCK, "name", "")}


def test_a_shared_string_with_a_struck_run_and_a_strike_turned_off():
    """Excel keeps text in shared strings; a font can also say strike val="0"."""
    data = workbook(lambda sheet: None)
    strings = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" '
        'uniqueCount="2"><si><t>บ้านนา</t></si><si><r><rPr><strike/></rPr><t>บ้านไร่</t></r>'
        "</si></sst>"
    )
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<sheetData>"
        '<row r="1"><c r="B1" t="inlineStr"><is><t>รหัสตำบล</t></is></c>'
        '<c r="C1" t="inlineStr"><is><t>ชื่อหมู่บ้าน</t></is></c></row>'
        '<row r="2"><c r="B2" s="1" t="inlineStr"><is><t>860101</t></is></c>'
        '<c r="C2" t="s"><v>0</v></c></row>'
        '<row r="3"><c r="B3" t="inlineStr"><is><t>860101</t></is></c>'
        '<c r="C3" t="s"><v>1</v></c></row>'
        "</sheetData></worksheet>"
    )
    styles = (
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<fonts count="2"><font><sz val="11"/></font><font><strike val="0"/></font></fonts>'
        '<cellXfs count="2"><xf fontId="0"/><xf fontId="1"/></cellXfs></styleSheet>'
    )
    data = _replaced(data, {"xl/worksheets/sheet1.xml": sheet, "xl/styles.xml": styles})
    data = _with_shared_strings(data, strings)
    with open_table(io.BytesIO(data), COLUMNS) as table:
        assert [row["name"] for row in table] == ["บ้านนา", "บ้านไร่"]
        assert table.marked == {3: (STRUCK, "name", "")}


def test_rows_far_down_a_large_sheet_are_found(monkeypatch):
    """The sheet is read in blocks; a mark past the first block is found all the same."""
    monkeypatch.setattr(sheet_marks, "_BLOCK", 256)

    def mark(sheet):
        for number in range(5, 400):
            sheet.append(["", "860101", f"บ้าน {number}"])
        sheet.row_dimensions[350].hidden = True
        sheet["C399"].font = Font(strike=True)

    with open_table(io.BytesIO(workbook(mark)), COLUMNS) as table:
        assert table.marked == {350: (HIDDEN, "", ""), 399: (STRUCK, "name", "")}


def test_a_csv_has_no_marks():
    with open_table(io.BytesIO("รหัสตำบล,ชื่อหมู่บ้าน\n860101,บ้านนา\n".encode()), COLUMNS) as t:
        assert t.marked == {}


@pytest.mark.parametrize("index", [0, 25, 26, 51, 701, 702, 16383])
def test_column_index_reverses_column_letter(index):
    assert sheet_marks.column_index(column_letter(index)) == index


def _replaced(data: bytes, parts: dict[str, str]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            content = parts.get(item.filename)
            target.writestr(item, content.encode() if content else source.read(item))
    return buffer.getvalue()


def _with_shared_strings(data: bytes, strings: str) -> bytes:
    """openpyxl wrote no shared strings for this sheet: add the part and its links."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    link = (
        '<Relationship Id="rIdStrings" Target="sharedStrings.xml" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
    )
    kind = (
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    )
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            content = source.read(item).decode()
            if item.filename == "xl/_rels/workbook.xml.rels":
                content = content.replace("</Relationships>", link + "</Relationships>")
            elif item.filename == "[Content_Types].xml":
                content = content.replace("</Types>", kind + "</Types>")
            if item.filename != "xl/sharedStrings.xml":
                target.writestr(item, content.encode())
        target.writestr("xl/sharedStrings.xml", strings.encode())
    return buffer.getvalue()


def test_a_part_that_cannot_be_unpacked_leaves_the_marks_unread(monkeypatch):
    """A damaged part calamine never opens (a hidden sheet's) must not stop the reading."""
    import zlib

    def damaged(*args, **kwargs):
        raise zlib.error("invalid stored block lengths")

    monkeypatch.setattr(tabular, "find_marks", damaged)
    with open_table(io.BytesIO(workbook(lambda sheet: None)), COLUMNS) as table:
        assert len(list(table)) == 4
        assert (table.marked, table.marks_read) == ({}, False)


def test_a_cell_showing_an_excel_error_is_marked_with_the_error():
    """A VLOOKUP that found no ID shows #N/A; calamine reads it as a blank cell."""

    def fail(sheet):
        sheet["C4"] = "#N/A"  # openpyxl writes it as an error cell (t="e")
        sheet["B6"] = "#REF!"
        sheet["A5"] = "#DIV/0!"  # หมายเหตุ: a column the import does not read

    assert marked(workbook(fail)) == {
        4: (tabular.FORMULA_ERROR, "name", "#N/A"),
        6: (tabular.FORMULA_ERROR, "code", "#REF!"),
    }
