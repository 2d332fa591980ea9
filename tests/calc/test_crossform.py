"""docs/method.md §13.2: figures two forms both state, table-driven, with hand-computed expectations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kamxl.calc.cells import CellMap
from kamxl.calc.crossform import agree, cross_check, money_factor, targets_checks, weekly_checks
from kamxl.calc.plan_forms import Targets

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


# -- the weekly plan's weeks against the monthly plan (weekly_checks) ------------------------------------
WEEK_SHEET = "周计划表"
WEEK_CELLS = CellMap({WEEK_SHEET: {"goal": "B", "weekly_target": "C", "actual": "D", "monthly_item": "E"}})


def weeks(*goals):
    """goals: (goal, 月计划项, unit, [actual per week]) → the weekly plan's rows, week by week from row 4."""
    rows = []
    for week in range(max(len(actuals) for *_, actuals in goals)):
        for goal, item, unit, actuals in goals:
            if week < len(actuals):
                rows.append(
                    {"sheet": WEEK_SHEET, "week": week + 1, "goal": goal, "weekly_target": 1.0}
                    | {"actual": actuals[week], "monthly_item": item, "unit": unit, "actual_unit": ""}
                )
    return pd.DataFrame(rows).assign(row=lambda frame: range(4, 4 + len(frame)))


# the combined sample: 回款 weeks 28 + 32 + 25 + 31 = 116 万 against 111 万;
# 新增商机 2 + 1 + 3 + 2 = 8 against 9
SAMPLE_WEEKS = weeks(
    ("拜访重点客户", "重点客户拜访 20 家", None, [5.0, 4.0, 6.0, 5.0]),
    ("新增商机", "新增商机 8 个", None, [2.0, 1.0, 3.0, 2.0]),
    ("回款(万元)", "回款 120 万", None, [28.0, 32.0, 25.0, 31.0]),
)
SAMPLE_MONTH = plan(
    ("回款(万元)", 120.0, 111.0, None),
    ("新增商机(个)", 8.0, 9.0, None),
    ("重点客户拜访(家)", 20.0, 20.0, None),
)
WEEKLY_CASES = [
    (
        "the combined sample: 回款 116 万 against 111 万 in 元, 新增商机 8 against 9 as counts; 拜访 20 = 20",
        SAMPLE_WEEKS,
        SAMPLE_MONTH,
        [
            ("crossform_mismatch", PLAN_SHEET, "D5", "D5,D8,D11,D14", "9", "8"),
            ("crossform_mismatch", PLAN_SHEET, "D4", "D6,D9,D12,D15", "111 万元", "116 万元"),
        ],
    ),
    (
        "weeks that agree with the month, and a goal no monthly indicator has, are not reported",
        weeks(("回款(万元)", "回款", None, [50.0, 61.0]), ("走访渠道", "渠道", None, [3.0])),
        plan(("回款(万元)", 120.0, 111.0, None)),
        [],
    ),
    (
        "the weeks in 元 and the month in 万元: 1,000,000 元 against 111 万元 (1 % would be 11,100)",
        weeks(("回款", "回款", "元", [600_000.0, 400_000.0])),
        plan(("回款(万元)", 120.0, 111.0, None)),
        [("crossform_mismatch", PLAN_SHEET, "D4", "D4,D5", "111 万元", "1,000,000 元")],
    ),
    (
        "within the tolerances: 110 万 against 111 万 is under 1 %",
        weeks(("回款(万元)", "回款", None, [55.0, 55.5])),
        plan(("回款(万元)", 120.0, 111.0, None)),
        [],
    ),
    (
        "only the month names a money unit: not compared, said at the weekly plan",
        weeks(("回款", "回款", None, [50.0, 50.0])),
        plan(("回款(万元)", 120.0, 111.0, None)),
        [("crossform_weekly_no_unit", WEEK_SHEET, "D4", None, None, None)],
    ),
    (
        "weeks without any actual yet, or a month without its actual: nothing to compare",
        weeks(("回款(万元)", "回款", None, [np.nan, np.nan]), ("新增商机", "新增商机", None, [2.0])),
        plan(("回款(万元)", 120.0, 111.0, None), ("新增商机(个)", 8.0, np.nan, None)),
        [],
    ),
    (
        "a week without its actual is left out: 28 + 32 = 60 against 111",
        weeks(("回款(万元)", "回款", None, [28.0, 32.0, np.nan])),
        plan(("回款(万元)", 120.0, 111.0, None)),
        [("crossform_mismatch", PLAN_SHEET, "D4", "D4,D5", "111 万元", "60 万元")],
    ),
]


@pytest.mark.parametrize(
    ("why", "weekly", "monthly", "expected"), WEEKLY_CASES, ids=[case[0][:50] for case in WEEKLY_CASES]
)
def test_weeks_against_the_month(settings, why, weekly, monthly, expected):
    assert found(weekly_checks(weekly, monthly, MARCH, settings, WEEK_CELLS, CELLS)) == expected, why


def test_the_weeks_message_names_both_cells(settings):
    issues = weekly_checks(SAMPLE_WEEKS, SAMPLE_MONTH, MARCH, settings, WEEK_CELLS, CELLS)
    assert settings.message(issues[1]) == (
        "三月“回款(万元)”实际(周计划各周相加)两张表不一致:月度计划!D4 为 111 万元,"
        "周计划表!D6,D9,D12,D15 为 116 万元(相差 50,000)。"
    )


# -- the targets breakdown against the P&L (targets_checks) ---------------------------------------------
TARGET_SHEET = "营销目标及分解"


def targets(plans, written=None):
    """The targets breakdown of two rows (4, 5) over January to March (columns C, D, E), each month's
    target split in halves; ``written``: the 合计 row 6's figures, if it has them."""
    columns = dict(zip((1, 2, 3), "CDE", strict=True))
    months = pd.DataFrame(
        [
            {"sheet": TARGET_SHEET, "row": row, "month": month, "plan": plan_ / 2, "col": columns[month]}
            for month, plan_ in zip((1, 2, 3), plans, strict=True)
            for row in (4, 5)
        ]
    )
    by_month = pd.DataFrame({"month": [1, 2, 3], "plan": [float(p) for p in plans]})
    by_month["written"] = [float(w) for w in written] if written else np.nan
    totals = pd.DataFrame([{"sheet": TARGET_SHEET, "row": 6, "kind": "total"}] if written else [])
    total_months = pd.DataFrame(
        [
            {"sheet": TARGET_SHEET, "row": 6, "month": month, "plan": float(w), "col": columns[month]}
            for month, w in zip((1, 2, 3), written or (), strict=False)
        ]
    )
    found_targets = Targets(pd.DataFrame(), by_month, float(sum(plans)), None, "pnl", [1, 2, 3])
    tables = {"months": months, "totals": totals if written else None}
    return found_targets, tables | {"total_months": total_months if written else None}


def year_pnl(revenue_plans, years=False):
    """A P&L of January to March (rows 6, 7, 8), revenue 产品A (B) and 产品B (D), 2:1."""
    return pd.DataFrame(
        [
            {"sheet": PNL_SHEET, "row": 5 + month, "month": month, "group": "revenue", "line": line}
            | {"plan": plan_ * share, "actual": np.nan, "plan_col": col, "actual_col": "X"}
            | {"year": 2026 if years else None, "period": 2026 * 12 + month - 1 if years else None}
            for month, plan_ in zip((1, 2, 3), revenue_plans, strict=True)
            for line, share, col in (("产品A", 2 / 3, "B"), ("产品B", 1 / 3, "D"))
        ]
    )


TARGET_CASES = [
    (
        "the strategy sample: 605,000 / 608,000 / 645,000 against 600,000 a month; January is within 1 %",
        targets((605_000, 608_000, 645_000), (605_000, 608_000, 645_000)),
        year_pnl((600_000, 600_000, 600_000), years=True),
        [
            ("crossform_mismatch", TARGET_SHEET, "D6", "B7,D7", "608,000", "600,000"),
            ("crossform_mismatch", TARGET_SHEET, "E6", "B8,D8", "645,000", "600,000"),
        ],
    ),
    (
        "no 合计 row: the month's rows' sum, at the month's column",
        targets((605_000, 500_000, 600_000)),
        year_pnl((600_000, 600_000, 600_000)),
        [("crossform_mismatch", TARGET_SHEET, "D4", "B7,D7", "500,000", "600,000")],
    ),
    (
        "the 合计 row's figure is the one stated (its sum with the rows is targets_mismatch's)",
        targets((600_000, 600_000, 600_000), (600_000, 650_000, 600_000)),
        year_pnl((600_000, 600_000, 600_000)),
        [("crossform_mismatch", TARGET_SHEET, "D6", "B7,D7", "650,000", "600,000")],
    ),
    (
        "every month agrees",
        targets((600_000, 600_000, 600_000), (600_000, 600_000, 600_000)),
        year_pnl((600_000, 600_000, 600_000)),
        [],
    ),
    (
        "a P&L of another year states none of these months",
        targets((900_000, 900_000, 900_000)),
        year_pnl((600_000, 600_000, 600_000), years=True).assign(
            year=2025, period=lambda f: f["period"] - 12
        ),
        [],
    ),
]


@pytest.mark.parametrize(
    ("why", "breakdown", "pnl_", "expected"), TARGET_CASES, ids=[case[0][:50] for case in TARGET_CASES]
)
def test_targets_against_the_pnl(settings, why, breakdown, pnl_, expected):
    found_targets, tables = breakdown
    assert found(targets_checks(found_targets, tables, pnl_, 2026, settings)) == expected, why


def test_targets_without_a_pnl_or_a_breakdown(settings):
    found_targets, tables = targets((605_000, 608_000, 645_000))
    assert targets_checks(found_targets, tables, None, 2026, settings) == []
    assert targets_checks(None, {}, year_pnl((1, 1, 1)), 2026, settings) == []


def test_the_targets_message_in_english(settings_en):
    found_targets, tables = targets((600_000, 608_000, 600_000), (600_000, 608_000, 600_000))
    issues = targets_checks(found_targets, tables, year_pnl((600_000, 600_000, 600_000)), 2026, settings_en)
    assert settings_en.message(issues[0]) == (
        "The Feb sales target differs between two forms: 营销目标及分解!D6 says 608,000, "
        "预期损益表!B7,D7 says 600,000 (a difference of 8,000)."
    )


def test_weeks_in_yuan_within_the_tolerance_of_the_month_in_wan(settings):
    """1,100,000 元 against 111 万元: 10,000 apart, within 1 % of 1,110,000 (11,100)."""
    weekly = weeks(("回款", "回款", "元", [600_000.0, 500_000.0]))
    assert (
        weekly_checks(weekly, plan(("回款(万元)", 120.0, 111.0, None)), MARCH, settings, WEEK_CELLS, CELLS)
        == []
    )
