"""Subtotals against their own group (kamxl/calc/totals.py), table-driven, sums worked by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from kamxl.calc.totals import row_ranges, subtotal_mismatches

# items on rows 2, 3 (王伟) and 5 (李娜); subtotals on rows 4 and 6
ITEMS = pd.DataFrame({"sheet": ["甲"] * 3, "row": [2, 3, 5], "plan": [100.0, 50.0, "30"], "month": [1, 1, 1]})
GROUPS = pd.DataFrame({"total_row": [4, 4, 6], "row": [2, 3, 5]})


@pytest.mark.parametrize(
    "subtotals, expected",
    [
        ([(4, 150.0), (6, 30.0)], []),  # both right: 100 + 50, and "30" read as 30
        ([(4, 150.5), (6, 29.6)], []),  # within the tolerance of 0.5
        ([(4, 150.6), (6, 30.0)], [(4, 150.6, 150.0)]),  # just past it
        (
            [(4, 180.0), (6, 150.0)],
            [(4, 180.0, 150.0), (6, 150.0, 30.0)],
        ),  # 6 holds 王伟's sum: wrong for 李娜
        ([(4, None), (6, 31.0)], [(6, 31.0, 30.0)]),  # a blank subtotal is not checked
        ([(9, 10.0)], []),  # a subtotal whose group read no item is not checked
    ],
)
def test_subtotal_mismatches(subtotals, expected):
    frame = pd.DataFrame([("甲", row, plan) for row, plan in subtotals], columns=["sheet", "row", "plan"])
    found = subtotal_mismatches(ITEMS, frame, GROUPS, ["sheet"], ["plan"], 0.5)
    assert [(m["row"], m["written"], m["computed"]) for m in found] == expected


def test_a_subtotal_matches_its_items_on_keys_too():
    # one P&L line's quarter: the other line's figures are not in its sum
    items = pd.DataFrame({"row": [2, 2, 3, 3], "line": ["A", "B", "A", "B"], "plan": [1.0, 10.0, 2.0, 20.0]})
    subtotals = pd.DataFrame({"row": [4, 4], "line": ["A", "B"], "plan": [3.0, 31.0]})
    groups = pd.DataFrame({"total_row": [4, 4], "row": [2, 3]})
    found = subtotal_mismatches(items, subtotals, groups, ["line"], ["plan"], 0.5)
    assert [(m["line"], m["written"], m["computed"]) for m in found] == [("B", 31.0, 30.0)]


@pytest.mark.parametrize(
    "rows, text",
    [([5, 6, 7, 9], "5–7, 9"), ([2], "2"), ([3, 2], "2–3"), ([4, 4, 8, 10, 11], "4, 8, 10–11"), ([], "")],
)
def test_row_ranges(rows, text):
    assert row_ranges(rows) == text
