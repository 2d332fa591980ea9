"""docs/method.md §13.2: figures two forms both state, table-driven, with hand-computed expectations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kamxl.calc.cells import CellMap
from kamxl.calc.crossform import agree, cross_check, money_factor

MARCH = (2026, 3)
PLAN_SHEET, REC_SHEET, PNL_SHEET, ACT_SHEET = "月度计划", "应收帐款规划表", "预期损益表", "活动"
CELLS = CellMap({PLAN_SHEET: {"indicator": "A", "target": "C", "actual": "D"}})


def plan(*items):
    """(indicator, target, actual, unit) → the monthly plan's rows, from row 4."""
    return pd.DataFrame(
        [
            {
                "sheet": PLAN_SHEET,
                "row": 4 + i,
                "indicator": name,
                "target": target,
                "actual": actual,
                "unit": unit,
                "target_unit": "",
                "actual_unit": "",
            }
            for i, (name, target, actual, unit) in enumerate(items)
        ]
    )


def receivable_months(march_plans, march_actuals):
    """Two customers (rows 5, 6) over February and March (plan H / actual I for March), no years."""
    rows = []
    for i, (plan_, actual) in enumerate(zip(march_plans, march_actuals, strict=True)):
        rows.append(
            {
                "sheet": REC_SHEET,
                "row": 5 + i,
                "month": 2,
                "plan": 1.0,
                "actual": 1.0,
                "plan_col": "F",
                "actual_col": "G",
            }
        )
        rows.append(
            {
                "sheet": REC_SHEET,
                "row": 5 + i,
                "month": 3,
                "plan": plan_,
                "actual": actual,
                "plan_col": "H",
                "actual_col": "I",
            }
        )
    return pd.DataFrame(rows)


def pnl(revenue, advertising, actual=np.nan):
    """March's P&L (row 7): two revenue lines (B/C, D/E) sharing ``revenue``, the advertising line (F/G)."""
    lines = [
        ("revenue", "产品A", revenue / 2, actual / 2, "B", "C"),
        ("revenue", "产品B", revenue / 2, actual / 2, "D", "E"),
        ("expense", "区域广告", advertising, np.nan, "F", "G"),
        ("expense", "人员工资", 99_999.0, np.nan, "H", "I"),
    ]
    return pd.DataFrame(
        [
            {
                "sheet": PNL_SHEET,
                "row": 7,
                "month": 3,
                "group": group,
                "line": line,
                "plan": p,
                "actual": a,
                "plan_col": pc,
                "actual_col": ac,
                "year": None,
                "period": None,
            }
            for group, line, p, a, pc, ac in lines
        ]
    )


def activities(*amounts):
    """Activities (rows 4, 5, …) with their March amounts, in column H."""
    return pd.DataFrame(
        [
            {"sheet": ACT_SHEET, "row": 4 + i, "month": 3, "amount": amount, "col": "H"}
            for i, amount in enumerate(amounts)
        ]
    )


def found(issues):
    return [
        (i.code, i.sheet, i.cell, i.params.get("cell_b"), i.params.get("value_a"), i.params.get("value_b"))
        for i in issues
    ]


CASES = [
    # the combined sample: 回款 120 万 against the receivables plan's March 296,500 → reported, both cells
    (
        "collections target in 万元",
        dict(
            monthly=plan(("回款(万元)", 120.0, np.nan, None)),
            receivables=receivable_months([200_000.0, 96_500.0], [np.nan, np.nan]),
        ),
        [("crossform_mismatch", PLAN_SHEET, "C4", "H5:H6", "120 万元", "296,500")],
    ),
    (
        "the same figure in 万元 agrees",
        dict(
            monthly=plan(("回款(万元)", 29.65, np.nan, None)),
            receivables=receivable_months([200_000.0, 96_500.0], [np.nan, np.nan]),
        ),
        [],
    ),
    (
        "the unit in the 单位 column; actual compared too",
        dict(
            monthly=plan(("回款", 29.65, 20.0, "万元")),
            receivables=receivable_months([200_000.0, 96_500.0], [100_000.0, 90_000.0]),
        ),
        [("crossform_mismatch", PLAN_SHEET, "D4", "I5:I6", "20 万元", "190,000")],
    ),
    (
        "within 1 % is agreement",
        dict(
            monthly=plan(("回款(元)", 300_000.0, np.nan, None)),
            receivables=receivable_months([200_000.0, 98_000.0], [np.nan, np.nan]),
        ),
        [],
    ),
    (
        "no unit: not compared, said",
        dict(
            monthly=plan(("回款", 120.0, np.nan, None)),
            receivables=receivable_months([1.0, 1.0], [np.nan, np.nan]),
        ),
        [("crossform_no_unit", PLAN_SHEET, "C4", None, None, None)],
    ),
    (
        "no receivables plan: nothing to compare with",
        dict(monthly=plan(("回款(万元)", 120.0, np.nan, None))),
        [],
    ),
    (
        "回款率 is a rate, not the collections figure",
        dict(
            monthly=plan(("回款率", 0.9, np.nan, None)),
            receivables=receivable_months([1.0, 1.0], [np.nan, np.nan]),
        ),
        [],
    ),
    (
        "revenue against the P&L's revenue lines",
        dict(monthly=plan(("销售额(万元)", 60.0, 63.5, None)), pnl=pnl(500_000.0, 30_000.0, 635_000.0)),
        [("crossform_mismatch", PLAN_SHEET, "C4", "B7,D7", "60 万元", "500,000")],
    ),
    (
        "revenue that agrees",
        dict(monthly=plan(("销售额(万元)", 60.0, 63.5, None)), pnl=pnl(600_000.0, 30_000.0, 635_000.0)),
        [],
    ),
    (
        "activities short of the advertising plan",
        dict(pnl=pnl(600_000.0, 30_000.0), activities=activities(5_000.0, 10_000.0)),
        [("crossform_mismatch", PNL_SHEET, "F7", "H4:H5", "30,000", "15,000")],
    ),
    (
        "activities over the advertising plan: activities_over_advertising's, not repeated",
        dict(pnl=pnl(600_000.0, 30_000.0), activities=activities(50_000.0)),
        [],
    ),
    (
        "activities equal to the plan",
        dict(pnl=pnl(600_000.0, 30_000.0), activities=activities(20_000.0, 10_000.0)),
        [],
    ),
]


@pytest.mark.parametrize(("why", "forms", "expected"), CASES, ids=[case[0] for case in CASES])
def test_cross_checks(settings, why, forms, expected):
    issues = cross_check(
        forms.get("monthly"),
        forms.get("receivables"),
        forms.get("pnl"),
        forms.get("activities"),
        MARCH,
        settings,
        CELLS,
    )
    assert found(issues) == expected, why


def test_the_message_names_both_cells(settings):
    issues = cross_check(
        plan(("回款(万元)", 120.0, np.nan, None)),
        receivable_months([200_000.0, 96_500.0], [np.nan, np.nan]),
        None,
        None,
        MARCH,
        settings,
        CELLS,
    )
    message = settings.message(issues[0])
    assert "月度计划!C4" in message and "应收帐款规划表!H5:H6" in message and "903,500" in message


def test_an_issue_sits_at_the_first_cell_of_a_sum(settings):
    # two advertising lines in March's row: the sum is F7 + H7; the issue is at F7 and names both
    two = pnl(600_000.0, 20_000.0)
    two.loc[two["line"] == "人员工资", ["line", "plan"]] = ["广告费", 10_000.0]
    issues = cross_check(None, None, two, activities(5_000.0), MARCH, settings, CELLS)
    assert [(i.sheet, i.cell, i.params["cell_a"]) for i in issues] == [(PNL_SHEET, "F7", "F7,H7")]
    assert issues[0].params["value_a"] == "30,000"


def test_only_the_review_month_is_compared(settings):
    # February's plan is 1 + 1 = 2 元; a monthly target of 2 元 agrees with February, not with March
    issues = cross_check(
        plan(("回款(元)", 2.0, np.nan, None)),
        receivable_months([200_000.0, 96_500.0], [np.nan, np.nan]),
        None,
        None,
        (2026, 2),
        settings,
        CELLS,
    )
    assert issues == []


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        (10.0, 10.4, True),  # within 0.5 yuan
        (10.0, 10.6, False),  # 0.6 > 0.5 and > 1 % of 10.6
        (100_000.0, 100_999.0, True),
        (100_000.0, 101_100.0, False),
    ],
)
def test_tolerance(settings, first, second, same):
    assert agree(first, second, settings) is same


@pytest.mark.parametrize(
    ("indicator", "units", "factor"),
    [
        ("回款(万元)", [None, "", ""], 10_000.0),
        ("回款", ["万元", "", ""], 10_000.0),
        ("回款", [None, "万", ""], 10_000.0),
        ("Collections (CNY 10k)", [None, "", ""], None),
        ("Collections", ["yuan", "", ""], 1.0),
        ("回款(千元)", [None, "", ""], 1_000.0),
        ("回款", [None, "", ""], None),
        ("新增商机(个)", [None, "", ""], None),
    ],
)
def test_money_units(settings, indicator, units, factor):
    unit = money_factor(indicator, units, settings)
    assert (unit[1] if unit else None) == factor
