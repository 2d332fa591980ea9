"""SheetContext: the cells a parser reads, what it records for the ledger, and values it must not crash on."""

from __future__ import annotations

import pytest

from kamxl.config import load_settings
from kamxl.read import _values
from kamxl.read.grid import Grid
from kamxl.read.header import form_specs
from kamxl.read.sheet import SheetContext

SETTINGS = load_settings()


def _ctx(rows):
    return SheetContext(Grid("表", rows), SETTINGS, _values(SETTINGS), form_specs(SETTINGS)["customers"])


@pytest.mark.parametrize("value", [float("inf"), float("-inf")])
def test_an_infinite_close_date_is_refused_at_its_cell_not_a_crash(value):
    ctx = _ctx([[value]])
    assert ctx.parse("close", 0, 0) is None
    assert [(i.code, i.cell) for i in ctx.finish()] == [("invalid_date", "A1")]


def test_every_reader_records_the_cells_it_read():
    """parse (fast and general path), text, raw and quick_column each record their cells for the ledger."""
    ctx = _ctx([[1.0, "1,200", "甲", None], [2.0, None, "乙", 5.0]])
    ctx.parse("number", 0, 0)
    ctx.parse("number", 0, 1)
    ctx.text(0, 2)
    ctx.raw(1, 3)
    ctx.quick_column([0, 1], 2, "text")
    assert {col: sorted(rows) for col, rows in ctx.read.items()} == {0: [0], 1: [0], 2: [0, 1], 3: [1]}
