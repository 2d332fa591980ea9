"""Where a value came from: the cell behind a row and field, and how a message names the row."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pytest

from kamxl.calc.cells import CellMap, cell_at, row_label

CELLS = CellMap({"客户": {"customer": "A", "amount": "J"}})


@pytest.mark.parametrize(
    "sheet, field_name, row, cell",
    [
        ("客户", "amount", 12, "J12"),
        ("客户", "amount", 12.0, "J12"),  # rows come as floats after a join
        ("客户", "amount", np.int64(5), "J5"),
        ("客户", "owner", 12, None),  # the sheet has no such column
        ("其他", "amount", 12, None),  # nor such a sheet
        (None, "amount", 12, None),
        ("客户", "amount", None, None),
        ("客户", "amount", float("nan"), None),
    ],
)
def test_cell(sheet, field_name, row, cell):
    assert CELLS.cell(sheet, field_name, row) == cell


@pytest.mark.parametrize(
    "sheet, field_name, has", [("客户", "amount", True), ("客户", "owner", False), (None, "amount", False)]
)
def test_has(sheet, field_name, has):
    assert CELLS.has(sheet, field_name) is has


@dataclass
class _Sheet:
    sheet: str
    columns: dict[str, str] = field(default_factory=dict)


def test_of_the_readers_sheets():
    cells = CellMap.of([_Sheet("甲", {"amount": "C"}), _Sheet("乙", {"amount": "D"})])
    assert cells.cell("乙", "amount", 4) == "D4" and not CellMap().columns


@pytest.mark.parametrize(
    "letter, row, cell", [("E", 12, "E12"), ("E", 12.0, "E12"), (None, 12, None), ("", 3, None)]
)
def test_cell_at(letter, row, cell):
    assert cell_at(letter, row) == cell


@pytest.mark.parametrize(
    "customer, detail, label",
    [
        ("朗通", "二期", "朗通 / 二期"),
        ("朗通", None, "朗通"),
        ("朗通", "", "朗通"),
        ("朗通", float("nan"), "朗通"),  # a blank project read by pandas
        (42, None, "42"),
    ],
)
def test_row_label(customer, detail, label):
    assert row_label(customer, detail) == label
