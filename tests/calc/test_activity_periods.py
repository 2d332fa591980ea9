"""The activity plan's months carry their year (issue 14): a rolling plan from 2025-11 to 2026-11 keeps
both Novembers, apart, in its budget per month, in its comparison with the P&L's advertising plan, and
in the report. Expected figures are worked out by hand from the rows below."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pandas as pd
import xlsxwriter

from kamxl.calc.activities import month_budget, plan_activities
from kamxl.pipeline import RunOptions, process

# Two activities: 新品推介会 (30,000) in 2025-11 and 2026-11; 客户答谢会 (20,000) in 2025-12 and 2026-01.
HEADERS = ["工作内容", "负责人", "费用预算", "2025-11", "2025-12", "2026-01", "2026-11"]
ROWS = [
    ["新品推介会", "王伟", 30000, "✓", None, None, "✓"],
    ["客户答谢会", "李娜", 20000, None, "✓", "✓", None],
]
# By hand: each budget shared evenly over its months.
BY_MONTH = {202511: 15000.0, 202512: 10000.0, 202601: 10000.0, 202611: 15000.0}


def _plan(path, advertising=None):
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("市场活动")
    sheet.write(0, 0, "华东区 市场活动计划")
    sheet.write_row(1, 0, HEADERS)
    for i, row in enumerate(ROWS):
        sheet.write_row(2 + i, 0, row)
    if advertising:  # a P&L whose 区域广告 line plans each month of the plan
        pnl = book.add_worksheet("预期损益表")
        pnl.write(0, 0, "时间")
        pnl.merge_range(0, 1, 0, 2, "支出项")
        pnl.merge_range(1, 1, 1, 2, "区域广告")
        pnl.write_row(2, 1, ["计划", "实际"])
        for i, (month, plan) in enumerate(advertising.items()):
            pnl.write_row(3 + i, 0, [month, plan])
    book.close()
    return path


def _process(path, tmp_path, settings):
    out = tmp_path / "out"
    outcome = process(path, out, settings, RunOptions(dt.date(2026, 1, 31), history=None, strict=True))
    report = json.loads((out / f"{path.stem}.report.json").read_text(encoding="utf-8"))
    return outcome, report, out / f"{path.stem}.kamxl.xlsx"


def test_a_rolling_activity_plan_keeps_both_novembers(tmp_path, settings):
    _, report, _ = _process(_plan(tmp_path / "a.xlsx"), tmp_path, settings)
    assert {int(key): value for key, value in report["activities"]["by_month"].items()} == BY_MONTH
    assert report["activities"]["budget"] == 50000.0


def test_each_november_is_held_against_its_own_advertising_plan(tmp_path, settings):
    """The P&L plans 10,000 for 2025-11 and 20,000 for 2026-11: only the first November (15,000) is over."""
    plans = {"2025-11": 10000, "2025-12": 10000, "2026-01": 10000, "2026-11": 20000}
    outcome, report, _ = _process(_plan(tmp_path / "a.xlsx", plans), tmp_path, settings)
    activities = report["activities"]
    assert activities["over_advertising"] == [202511]
    assert {int(key): value for key, value in activities["advertising_plan"].items()} == {
        202511: 10000.0,
        202512: 10000.0,
        202601: 10000.0,
        202611: 20000.0,
    }
    [over] = [issue for issue in outcome.issues if issue.code == "activities_over_advertising"]
    assert over.params["month"] == "2025-11"


def test_the_report_heads_each_month_of_a_rolling_activity_plan_with_its_year(tmp_path, settings):
    _, _, report = _process(_plan(tmp_path / "a.xlsx"), tmp_path, settings)
    sheet = openpyxl.load_workbook(report, data_only=True)["活动"]
    header = [cell.value for cell in sheet[4]]
    assert header[3:8] == ["2025-11", "2025-12", "2026-01", "2026-11", header[7]]
    amounts = [cell.value for cell in sheet[5]][3:7]
    assert amounts == [15000, None, None, 15000]


def test_a_plan_within_one_year_keeps_its_month_numbers(settings):
    """The months of a calendar-year plan are keyed 1..12 as before, with or without their year."""
    spread = pd.DataFrame(
        {"month": [3, 4], "amount": [100.0, 200.0], "period": [2026 * 12 + 2, 2026 * 12 + 3], "year": 2026}
    )
    assert month_budget(spread, None, 0.5)["budget"].to_dict() == {3: 100.0, 4: 200.0}
    undated = spread.drop(columns=["period", "year"])
    assert month_budget(undated, None, 0.5)["budget"].to_dict() == {3: 100.0, 4: 200.0}


def test_an_undated_pnl_is_placed_in_the_activity_plans_year(settings):
    """A P&L of month numbers (3, 4) against a plan dated 2026: compared month by month as before."""
    main = pd.DataFrame(
        {"sheet": "s", "row": [2], "activity": ["路演"], "owner": ["王伟"], "budget": [300.0]}
    )
    months = pd.DataFrame(
        {
            "sheet": "s",
            "row": [2, 2],
            "month": [3, 4],
            "amount": [None, None],
            "year": 2026,
            "period": [2026 * 12 + 2, 2026 * 12 + 3],
        }
    )
    pnl = pd.DataFrame({"group": "expense", "line": "区域广告", "month": [3, 4], "plan": [100.0, 200.0]})
    result, issues = plan_activities(main, months, settings, pnl)
    assert result.summary["advertising_plan"] == {3: 100.0, 4: 200.0}
    assert result.summary["over_advertising"] == [3]  # 150 planned in March against 100
    assert [issue.code for issue in issues] == ["activities_over_advertising"]
