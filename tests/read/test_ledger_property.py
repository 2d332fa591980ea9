"""A figure typed anywhere in or beside a table is never silent: it is read, or a warning names its cell."""

from __future__ import annotations

import tempfile
from pathlib import Path

import openpyxl
import pytest

from kamxl.config import load_settings
from kamxl.issues import a1
from kamxl.read import read_workbook
from tests.read.test_ledger import BASE

SETTINGS = load_settings()
FIGURE = 7777.0  # no cell of the base holds it, so where it is read shows
MERGED_PARTS = {"E2", "G2"}  # inside the header's merged ranges: not a cell of their own


def _blank_cells() -> list[str]:
    """Every blank cell of A1:J12 of the base workbook (tests/read/test_ledger.py)."""
    return [
        ref for r in range(12) for c in range(10) if (ref := a1(r, c)) not in BASE and ref not in MERGED_PARTS
    ]


def _read_with(ref: str):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    for key, value in BASE.items():
        sheet[key] = value
    sheet[ref] = FIGURE
    sheet.merge_cells("D2:E2")
    sheet.merge_cells("F2:G2")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "book.xlsx"
        book.save(path)
        return read_workbook(path, SETTINGS)


def _in_tables(result) -> bool:
    """The figure was read: some table holds it, as a number or as text (a customer named 7777)."""
    return any(
        value == FIGURE or str(value) == str(int(FIGURE))
        for sheets in result.forms.values()
        for sheet in sheets
        for frame in sheet.tables.values()
        for column in frame.columns
        if column not in ("sheet", "row")
        for value in frame[column]
    )


@pytest.mark.parametrize("ref", _blank_cells())
def test_a_figure_anywhere_is_read_or_said_at_its_cell(ref):
    """Every blank cell of A1:J12 in turn: the figure lands in a table, or a warning names its cell."""
    result = _read_with(ref)
    [ledger] = result.ledgers
    cell = (ref_row := int(ref[1:]) - 1, ord(ref[0]) - 65)
    said = ledger.unread.get(cell)
    assert _in_tables(result) or (said is not None and said.severity in ("warning", "error")), (
        ref,
        ref_row,
        ledger.counts,
        [(i.code, i.cell) for i in result.issues],
    )
    assert sum(ledger.counts.values()) == ledger.cells
