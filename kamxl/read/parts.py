"""What calamine does not say about an .xlsx sheet: Excel tables' total rows, zero-padded IDs, hidden rows.

An Excel table (插入 › 表格) with its total row switched on ends in a row of
SUBTOTAL formulas that may carry no label at all; read as an item, it would
be a customer without a name, or — with keys filled down — a second copy of
the last customer. And an ID formatted 00000 is a number whose leading
zeros only the number format keeps (calamine gives 123.0 for 00123). Both
are in the package's XML, read here with defusedxml (the container has
already refused any part that declares entities). Hidden rows (行 › 隐藏)
are read like any other — a manager hides rows to print, not to delete —
but the reader says so, and only the sheet XML knows which they are.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from defusedxml import ElementTree as SafeET

from kamxl.read.formulas import _rels, column_index, sheet_parts

_CELL_START = re.compile(rb"<(?:\w+:)?c\b([^>]*?)/?>")
_ROW_START = re.compile(rb"<(?:\w+:)?row\b([^>]*?)/?>")
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_HIDDEN = re.compile(rb'\bhidden="(?:1|true)"')
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_STYLE = re.compile(rb'\bs="(\d+)"')
_TEXT_TYPE = re.compile(rb'\bt="(?:s|str|inlineStr|b|e)"')
_RANGE = re.compile(r"^\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?$")
_PADDED = re.compile(r"^0{2,}$")  # 00000: a number shown with leading zeros to this many digits
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


@dataclass
class SheetParts:
    """One sheet's facts from the package XML (empty for files that are not .xlsx)."""

    formats_known: bool = False  # number formats were read (xlsx): a plain number in an ID column is plain
    table_total_rows: set[int] = field(default_factory=set)  # 0-based rows that are a table's total row
    padded: dict[tuple[int, int], int] = field(default_factory=dict)  # (row, col) -> digits shown
    hidden_rows: set[int] = field(default_factory=set)  # 0-based rows hidden in the sheet


def read_parts(path: Path, names: list[str]) -> dict[str, SheetParts]:
    """Each named sheet's table total rows, zero-padded number cells and hidden rows."""
    out = {name: SheetParts(formats_known=True) for name in names}
    with zipfile.ZipFile(path) as archive:
        parts, _ = sheet_parts(archive)
        padded_styles = _padded_styles(archive)
        for name, found in out.items():
            part = parts.get(name)
            if part is None:
                continue
            found.table_total_rows = _table_total_rows(archive, part)
            data = archive.read(part)
            found.hidden_rows = _hidden_rows(data)
            if padded_styles:
                found.padded = _padded_cells(data, padded_styles)
    return out


def _table_total_rows(archive: zipfile.ZipFile, part: str) -> set[int]:
    """The last ``totalsRowCount`` rows of every table on the sheet whose total row is on."""
    rows: set[int] = set()
    for kind, table_part in _rels(archive, part).values():
        if not kind.endswith("/table"):
            continue
        try:
            root = SafeET.fromstring(archive.read(table_part))
        except KeyError:
            continue
        count = int(root.get("totalsRowCount") or 0)
        match = _RANGE.match(root.get("ref", ""))
        if count > 0 and match and match.group(4):
            last = int(match.group(4)) - 1
            rows |= set(range(last - count + 1, last + 1))
    return rows


def _padded_styles(archive: zipfile.ZipFile) -> dict[int, int]:
    """Cell style index -> digits, for the styles whose number format is 00000-like."""
    try:
        root = SafeET.fromstring(archive.read("xl/styles.xml"))
    except KeyError:
        return {}
    codes = {
        int(element.get("numFmtId", "-1")): element.get("formatCode", "")
        for element in root.iter(f"{_MAIN}numFmt")
    }
    cell_xfs = root.find(f"{_MAIN}cellXfs")
    styles: dict[int, int] = {}
    for index, xf in enumerate(cell_xfs if cell_xfs is not None else []):
        code = codes.get(int(xf.get("numFmtId", "0")), "")
        if _PADDED.match(code):
            styles[index] = len(code)
    return styles


def _padded_cells(data: bytes, styles: dict[int, int]) -> dict[tuple[int, int], int]:
    """The number cells of a sheet part drawn in a zero-padded style."""
    wanted = {str(index).encode() for index in styles}
    found: dict[tuple[int, int], int] = {}
    for cell in _CELL_START.finditer(data):
        attrs = cell.group(1)
        style, ref = _STYLE.search(attrs), _REF.search(attrs)
        if style is None or ref is None or style.group(1) not in wanted or _TEXT_TYPE.search(attrs):
            continue
        position = (int(ref.group(2)) - 1, column_index(ref.group(1).decode("ascii")))
        found[position] = styles[int(style.group(1))]
    return found


def _hidden_rows(data: bytes) -> set[int]:
    """The 0-based rows of a sheet part marked hidden (``<row r="5" hidden="1">``)."""
    rows: set[int] = set()
    for row in _ROW_START.finditer(data):
        attrs = row.group(1)
        number = _ROW_NUMBER.search(attrs)
        if number is not None and _HIDDEN.search(attrs):
            rows.add(int(number.group(1)) - 1)
    return rows
