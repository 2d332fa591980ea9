"""合计 rows against the sum of their rows."""

from __future__ import annotations

import pandas as pd
import pytest

from kamxl.calc.totals import mismatched_totals, total_mismatch_issue, written_cell

ROWS = pd.DataFrame({"sheet": ["甲", "甲", "乙"], "plan": [100.0, 50.0, "30"], "actual": [None, 20.0, None]})


@pytest.mark.parametrize(
    "totals,rows_required,expected",
    [
        ([("甲", 150.0, 20.0)], False, []),  # both right
        ([("甲", 150.4, 20.0)], False, []),  # within the tolerance
        (
            [("甲", 160.0, None)],
            False,
            [("甲", "plan", 160.0, 150.0)],
        ),  # plan wrong, actual blank: not checked
        ([("乙", "30", 5.0)], False, [("乙", "actual", 5.0, 0.0)]),  # text numbers read; blank rows sum to 0
        ([("丙", 10.0, 0.0)], False, [("丙", "plan", 10.0, 0.0)]),  # a total with no rows counts against 0…
        ([("丙", 10.0, 0.0)], True, []),  # …or is skipped
        (
            [("乙", 1.0, None), ("甲", 0.0, 0.0)],
            False,  # in the order of the totals, then of the measures
            [("乙", "plan", 1.0, 30.0), ("甲", "plan", 0.0, 150.0), ("甲", "actual", 0.0, 20.0)],
        ),
    ],
)
def test_mismatched_totals(totals, rows_required, expected):
    frame = pd.DataFrame(totals, columns=["sheet", "plan", "actual"])
    found = mismatched_totals(ROWS, frame, ["sheet"], ["plan", "actual"], 0.5, rows_required)
    assert [(t["sheet"], t["measure"], t["written"], t["computed"]) for t in found] == expected


@pytest.mark.parametrize(
    "mismatch, cell",
    [
        ({"measure": "plan", "plan_col": "C", "row": 20}, "C20"),
        ({"measure": "actual", "plan_col": "C", "actual_col": "D", "row": 20.0}, "D20"),
        ({"measure": "plan", "plan_col": None, "row": 20}, None),  # the total row had no plan cell
    ],
)
def test_written_cell(mismatch, cell):
    assert written_cell(mismatch) == cell


def test_total_mismatch_issue_names_both_figures(settings):
    mismatch = {"sheet": "甲", "measure": "plan", "written": 160.0, "computed": 150.5}
    issue = total_mismatch_issue(settings, mismatch, "C20", "计划")
    assert (issue.code, issue.sheet, issue.cell) == ("total_mismatch", "甲", "C20")
    assert "160" in settings.message(issue) and "150.50" in settings.message(issue)
