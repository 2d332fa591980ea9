"""docs/method.md §7, activities: marks spread the budget, numbers are amounts.

And each month's activities against the P&L's 区域广告 plan.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kamxl.calc.activities import plan_activities
from kamxl.calc.cells import CellMap

SHEET = "活动"
CELLS = CellMap({SHEET: {"activity": "A", "owner": "B", "budget": "D"}})


def tables(rows):
    """rows: (activity, owner, budget, {month: mark-or-amount})."""
    main, months = [], []
    for i, (act, owner, budget, cells) in enumerate(rows):
        r = 4 + i
        main.append(
            {
                "sheet": SHEET,
                "row": r,
                "activity": act,
                "owner": owner,
                "support": None,
                "budget": budget,
                "expected": None,
            }
        )
        for m, v in cells.items():
            months.append(
                {
                    "sheet": SHEET,
                    "row": r,
                    "month": m,
                    "mark": True,
                    "amount": v if isinstance(v, float) else np.nan,
                    "col": "X",
                }
            )
    return pd.DataFrame(main), pd.DataFrame(
        months, columns=["sheet", "row", "month", "mark", "amount", "col"]
    )


def ad_plan(per_month):
    return pd.DataFrame(
        [
            {
                "sheet": "损益",
                "row": 5 + m,
                "month": m,
                "group": "expense",
                "line": "区域广告",
                "plan": v,
                "actual": None,
            }
            for m, v in per_month.items()
        ]
    )


def test_marks_spread_the_budget_evenly_and_numbers_are_amounts(settings):
    main, months = tables(
        [
            ("推介会", "李娜", 60000.0, {3: "✓"}),
            ("回访", "张强", 6000.0, {3: "●", 6: "●", 9: "●", 12: "●"}),  # 1,500 a quarter
            ("高层拜访", "王伟", 15000.0, {2: 5000.0, 3: 5000.0, 4: 5000.0}),  # the numbers themselves
            ("展会", "张强", 40000.0, {5: 10000.0, 6: "√"}),  # 10,000 written, the rest (30,000) on the mark
        ]
    )
    result, issues = plan_activities(main, months, settings, cells=CELLS)
    assert result.summary["by_month"] == {
        2: 5000.0,
        3: 66500.0,
        4: 5000.0,
        5: 10000.0,
        6: 31500.0,
        9: 1500.0,
        12: 1500.0,
    }
    assert result.summary["budget"] == 121000.0
    assert {o["owner"]: o["budget"] for o in result.summary["by_owner"]} == {
        "李娜": 60000.0,
        "张强": 46000.0,
        "王伟": 15000.0,
    }
    assert issues == []


def test_missing_owner_month_budget_are_warned_at_their_cells(settings):
    main, months = tables(
        [
            ("促销", None, 30000.0, {6: "x"}),
            ("培训", "李娜", np.nan, {4: "x"}),
            ("满意度调查", "张强", 5000.0, {}),
        ]
    )
    _, issues = plan_activities(main, months, settings, cells=CELLS)
    assert [(i.code, i.cell) for i in issues] == [
        ("activity_no_owner", "B4"),
        ("activity_no_budget", "D5"),
        ("activity_no_month", "A6"),
    ]


def test_month_amounts_that_disagree_with_the_budget(settings):
    main, months = tables([("拜访", "王伟", 20000.0, {2: 5000.0, 3: 5000.0})])
    result, issues = plan_activities(main, months, settings, cells=CELLS)
    assert [(i.code, i.cell) for i in issues] == [("activity_amounts_mismatch", "D4")]
    assert result.summary["budget"] == 10000.0  # the month amounts are what is planned


def test_months_over_the_advertising_plan_are_flagged(settings):
    main, months = tables([("推介会", "李娜", 60000.0, {3: "✓"}), ("回访", "张强", 20000.0, {4: "✓"})])
    result, issues = plan_activities(
        main, months, settings, ad_plan({3: 30000.0, 4: 20000.0, 5: 30000.0}), cells=CELLS
    )
    # March 60,000 > 30,000; April 20,000 = 20,000 is not over
    assert result.summary["over_advertising"] == [3]
    assert result.summary["advertising_plan"] == {3: 30000.0, 4: 20000.0, 5: 30000.0}
    assert [i.code for i in issues] == ["activities_over_advertising"]


@pytest.mark.parametrize(
    "line, matched",
    [
        ("区域广告", True),
        ("广告费", True),
        ("Regional advertising", True),
        ("區域廣告", True),
        ("人员工资", False),
    ],
)
def test_advertising_line_names(settings, line, matched):
    main, months = tables([("推介会", "李娜", 60000.0, {3: "✓"})])
    plan = ad_plan({3: 1000.0}).assign(line=line)
    result, _ = plan_activities(main, months, settings, plan)
    assert (result.summary["advertising_plan"] is not None) == matched
