"""Rows of an .xlsx sheet that the person who saved it does not read as data.

Offices hide rows (by hand, or with a filter) and strike through entries they have cancelled,
and take the sheet to say what they see. calamine reads every cell as it is written, so an
import would take those rows like any other. This module finds them in the sheet's XML, for
the import to refuse them with a reason (`tabular.TableStream.marked`):

* a row saved with hidden="1";
* a cell whose style's font is struck through;
* a cell whose text is partly struck through (a rich-text run with <strike/>), in the
  workbook's shared strings or in the cell itself;
* a cell showing an Excel error (#N/A, #REF! ...): a formula that found no value, which
  calamine reads as a blank cell.

The sheet is scanned in blocks with regular expressions, which costs a fraction of reading it;
the struck-cell searches run only when the workbook has a struck font or run at all.
"""

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

_BLOCK = 8 * 1024 * 1024
_P = rb"(?:\w+:)?"  # any namespace prefix
# Every run of a tag's attributes is bounded: unbounded, a sheet of "<row <row <row ..." with no
# ">" made each search rescan to the end of the block, quadratic time with the lock held that
# every other request waits for (a 14 KB workbook would have held the site for hours).
_A = rb"[^>]{0,2000}"
_HIDDEN_ROW = re.compile(rb"<" + _P + rb"row\b" + _A + rb'?\bhidden="(?:1|true)"' + _A + rb">")
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
# <col min="3" max="4" width="0" hidden="1"/>, in the <cols> before the sheet's rows.
_HIDDEN_COLUMNS = re.compile(
    rb"<" + _P + rb"col\b(?=" + _A + rb'\bhidden="(?:1|true)")' + _A + rb">"
)
_MIN, _MAX = re.compile(rb'\bmin="(\d+)"'), re.compile(rb'\bmax="(\d+)"')
_LAST_COLUMN = 16384
_CELL_REF = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
# <strike/> or <strike val="1"/>, not <strike val="0"/>
_STRIKE = re.compile(rb"<" + _P + rb"strike\b(?!" + _A + rb'\bval="(?:0|false)")' + _A + rb">")
_FONTS = re.compile(rb"<" + _P + rb"fonts\b" + _A + rb">(.*?)</" + _P + rb"fonts>", re.S)
_FONT = re.compile(
    rb"<" + _P + rb"font\b" + _A + rb"?(?:/>|>(.{0,4000}?)</" + _P + rb"font>)", re.S
)
_CELL_XFS = re.compile(rb"<" + _P + rb"cellXfs\b" + _A + rb">(.*?)</" + _P + rb"cellXfs>", re.S)
_XF = re.compile(rb"<" + _P + rb"xf\b(" + _A + rb")>")
_FONT_ID = re.compile(rb'\bfontId="(\d+)"')
_SHARED = re.compile(rb"<" + _P + rb"si\b" + _A + rb"?(?:/>|>(.{0,65536}?)</" + _P + rb"si>)", re.S)
_INLINE_STRUCK = re.compile(
    rb"<"
    + _P
    + rb"c\b("
    + _A
    + rb")>\s*<"
    + _P
    + rb"is>(?:(?!</"
    + _P
    + rb"is>).){0,20000}?<"
    + _P
    + rb"strike\b(?!"
    + _A
    + rb'\bval="(?:0|false)")',
    re.S,
)


# <c r="H2" t="e"><f>VLOOKUP(...)</f><v>#N/A</v></c>
_ERROR_CELL = re.compile(
    rb"<" + _P + rb"c\b(" + _A + rb'\bt="e"' + _A + rb"?)(?<!/)>(.{0,2000}?)</" + _P + rb"c>", re.S
)
_VALUE = re.compile(rb"<" + _P + rb"v>([^<]*)<")


@dataclass
class Marks:
    hidden: set[int] = field(default_factory=set)  # row numbers, as Excel shows them
    struck: dict[int, set[int]] = field(default_factory=dict)  # row -> columns (A = 0)
    hidden_columns: set[int] = field(default_factory=set)  # A = 0
    errors: dict[int, dict[int, str]] = field(default_factory=dict)  # row -> column -> "#N/A"

    def __bool__(self) -> bool:
        return bool(self.hidden or self.struck or self.errors)


def find_marks(
    archive: zipfile.ZipFile, sheet: str, styles: str | None, strings: str | None
) -> Marks:
    """The hidden and struck-through rows of the sheet part `sheet`; `styles` and `strings`
    are the workbook's styles and shared-strings parts, when it has them."""
    struck_styles = _struck_styles(archive.read(styles)) if styles else []
    struck_strings = _struck_strings(archive, strings) if strings else []
    found_in_cells = [
        search
        for search in (_cells_styled(struck_styles), _cells_holding(struck_strings))
        if search is not None
    ]
    marks = Marks()
    with archive.open(sheet) as part:
        for block in _whole_rows(part):
            if b"cols>" in block:
                marks.hidden_columns.update(_hidden_columns(block))
            if b'hidden="' in block:
                for found in _HIDDEN_ROW.finditer(block):
                    number = _ROW_NUMBER.search(found[0])
                    if number:
                        marks.hidden.add(int(number[1]))
            if b't="e"' in block:
                _mark_errors(marks, block)
            inline = [_INLINE_STRUCK] if b"strike" in block else []
            for search in [*found_in_cells, *inline]:
                for found in search.finditer(block):
                    _mark_cell(marks, found[1])
    return marks


def _hidden_columns(block: bytes) -> Iterator[int]:
    """The columns (A = 0) a <cols> element in `block` hides."""
    for found in _HIDDEN_COLUMNS.finditer(block):
        low, high = _MIN.search(found[0]), _MAX.search(found[0])
        if low and high:
            yield from range(int(low[1]) - 1, min(int(high[1]), _LAST_COLUMN))


def _whole_rows(part: IO[bytes]) -> Iterator[bytes]:
    """The part's bytes in blocks that each end after a row (no tag is cut in two)."""
    carried = b""
    while chunk := part.read(_BLOCK):
        data = carried + chunk
        end = data.rfind(b"</row>")
        if end < 0:
            carried = data
            continue
        end += len(b"</row>")
        carried = data[end:]
        yield data[:end]
    if carried:
        yield carried


def _mark_errors(marks: Marks, block: bytes) -> None:
    for found in _ERROR_CELL.finditer(block):
        reference, value = _CELL_REF.search(found[1]), _VALUE.search(found[2])
        if reference is None:
            continue
        shown = value[1].decode("utf-8", "replace") if value else "#ERROR"
        row = int(reference[2])
        marks.errors.setdefault(row, {})[column_index(reference[1].decode())] = shown


def _mark_cell(marks: Marks, tag: bytes) -> None:
    reference = _CELL_REF.search(tag)
    if reference is None:
        return
    letters, row = reference[1].decode(), int(reference[2])
    marks.struck.setdefault(row, set()).add(column_index(letters))


def column_index(letters: str) -> int:
    """A column's letters as a 0-based index: A -> 0, Z -> 25, AA -> 26."""
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1


def _struck_styles(styles: bytes) -> list[int]:
    """The cell styles (indexes into cellXfs) whose font is struck through."""
    if b"</fonts>" not in styles or b"</cellXfs>" not in styles:  # damaged: calamine says so
        return []
    fonts = _FONTS.search(styles)
    xfs = _CELL_XFS.search(styles)
    if fonts is None or xfs is None or b"strike" not in fonts[1]:
        return []
    struck_fonts = {
        index
        for index, font in enumerate(_FONT.finditer(fonts[1]))
        if font[1] and _STRIKE.search(font[1])
    }
    styles_found = []
    for index, xf in enumerate(_XF.finditer(xfs[1])):
        font_id = _FONT_ID.search(xf[1])
        if int(font_id[1] if font_id else 0) in struck_fonts:
            styles_found.append(index)
    return styles_found


def _struck_strings(archive: zipfile.ZipFile, part_name: str) -> list[int]:
    """The shared strings with a struck-through run (rich text), by index."""
    data = archive.read(part_name)
    if b"strike" not in data:
        return []
    return [
        index
        for index, item in enumerate(_SHARED.finditer(data))
        if item[1] and _STRIKE.search(item[1])
    ]


def _cells_styled(styles: list[int]) -> re.Pattern[bytes] | None:
    if not styles:
        return None
    numbers = b"|".join(str(style).encode() for style in styles)
    return re.compile(
        rb"<" + _P + rb"c\b(" + _A + rb'?\bs="(?:' + numbers + rb')"' + _A + rb")(?<!/)>"
    )


def _cells_holding(strings: list[int]) -> re.Pattern[bytes] | None:
    if not strings:
        return None
    numbers = b"|".join(str(index).encode() for index in strings)
    return re.compile(
        rb"<"
        + _P
        + rb"c\b("
        + _A
        + rb'?\bt="s"'
        + _A
        + rb")>\s*<"
        + _P
        + rb"v>(?:"
        + numbers
        + rb")</"
    )
