"""Reading a column at a time must read exactly what reading cell by cell reads, issues included."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from kamxl.config import load_settings
from kamxl.read import _values
from kamxl.read.forms import FLAT_FIELDS, _read_fields, _read_rows
from kamxl.read.formulas import SuspectFormula
from kamxl.read.grid import Grid
from kamxl.read.header import form_specs
from kamxl.read.sheet import SheetContext

SETTINGS = load_settings()

# what calamine hands over, plus what users type: numbers as text, labels, blanks, junk
cell = st.one_of(
    st.none(),
    st.just(""),
    st.just("  "),
    st.just("-"),
    st.floats(allow_nan=True, allow_infinity=True, width=32),
    st.integers(-(10**6), 10**6),
    st.booleans(),
    st.sampled_from(
        [
            "1,200",
            "3万",
            "12%",
            "完成",
            "未完成",
            "M2",
            "紧迫且重要",
            "重要",
            "本月内",
            "赢单",
            "高",
            "9:30",
            "下午2点",
            "2026-03-05",
            "3月5日",
            "朗通",
            " 泰岳 ",
            "=SUM(A1)",
            "abc",
        ]
    ),
    st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)),
    st.datetimes(dt.datetime(1990, 1, 1), dt.datetime(2030, 12, 31)),
    st.times(),
)


@hsettings(max_examples=60, deadline=None)
@given(form=st.sampled_from(sorted(FLAT_FIELDS)), data=st.data())
def test_read_rows_equals_read_fields(form, data):
    fields = list(FLAT_FIELDS[form])
    width = len(fields) + 1  # one column left out: a field with no column
    nrows = data.draw(st.integers(1, 8))
    rows = [data.draw(st.lists(cell, min_size=width, max_size=width)) for _ in range(nrows)]
    suspects = {
        (r, c): SuspectFormula(r, c, "SUM(A1)", "no_value")
        for r, c in data.draw(
            st.sets(st.tuples(st.integers(0, nrows - 1), st.integers(0, width - 1)), max_size=3)
        )
    }
    cols = {f: c for c, f in enumerate(fields) if c != 1}
    results = []
    for read in ("cells", "columns"):
        grid = Grid("表", [list(r) for r in rows], [], dict(suspects))
        ctx = SheetContext(grid, SETTINGS, _values(SETTINGS), form_specs(SETTINGS)[form])
        recs = (
            [_read_fields(ctx, r, cols, form) for r in range(nrows)]
            if read == "cells"
            else _read_rows(ctx, list(range(nrows)), cols, form)
        )
        results.append(([{k: rec[k] for k in sorted(rec)} for rec in recs], ctx.finish()))
    assert _same(results[0], results[1])


def _same(a, b) -> bool:
    """Equal, with NaN equal to NaN."""
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:
        return True
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b and type(a) is type(b)
