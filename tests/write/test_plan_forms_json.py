"""report.json's plan_forms from workbooks built here: the per-customer targets and the targets' period."""

from __future__ import annotations

import datetime as dt

import pytest
import xlsxwriter

from kamxl.read import read_workbook
from kamxl.results import build_results
from kamxl.write.plan_forms_json import plan_forms_json
from kamxl.write.summary_forms import total_label

AS_OF = dt.date(2026, 1, 31)
RECEIVABLES = [
    ["客户", "产品", "负责人", "总欠款", "一月计划", "一月实收"],
    ["朗通", "产品A", "王伟", 100, 10, 5],
    ["泰岳", "产品B", "王伟", 200, 20, 6],
    ["万星", "产品A", "李娜", 50, 5, 1],
]


def _targets(months: list[str]) -> list[list[object]]:
    """A targets breakdown over ``months``: 朗通 twice (A型机 100 a month, B型机 10), 泰岳 once (50)."""
    return [
        ["营销目标及分解"],
        ["产品", "市场/客户", *months],
        ["A型机", "朗通", *[100] * len(months)],
        ["A型机", "泰岳", *[50] * len(months)],
        ["B型机", "朗通", *[10] * len(months)],
    ]


def _results(tmp_path, settings, targets):
    path = tmp_path / "book.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    for name, rows in (("应收", RECEIVABLES), ("目标", targets)):
        ws = wb.add_worksheet(name)
        for r, cells in enumerate(rows):
            for c, value in enumerate(cells):
                ws.write(r, c, value)
    wb.close()
    return build_results(read_workbook(path, settings), settings, AS_OF, strict=True)


def test_report_json_holds_each_customers_targets_against_its_collections(tmp_path, settings):
    """By hand: 朗通's rows 3 and 5 give 110 in January, collected 5; 泰岳 50, collected 6; 万星 has
    no target row; February has no receivables column: nothing collected there yet (null)."""
    results = _results(tmp_path, settings, _targets(["1月", "2月"]))
    found = plan_forms_json(results)["targets"]["by_customer"]
    assert [(c["customer"], c["target_rows"], c["month"], c["plan"], c["collected"]) for c in found] == [
        ("朗通", [3, 5], 1, 110, 5),
        ("朗通", [3, 5], 2, 110, None),
        ("泰岳", [4], 1, 50, 6),
        ("泰岳", [4], 2, 50, None),
    ]
    assert found[0]["attainment"] == pytest.approx(5 / 110) and found[1]["attainment"] is None


@pytest.mark.parametrize(
    ("months", "title", "period", "zh", "en"),
    [
        (["1月", "2月", "3月"], "营销目标及分解", ("quarter", 1), "第1季度目标", "Q1 target"),
        (["10月", "11月", "12月"], "营销目标及分解", ("quarter", 4), "第4季度目标", "Q4 target"),
        ([f"{m}月" for m in range(1, 13)], "营销目标及分解", ("year", 0), "全年目标", "Annual target"),
        ([f"{m}月" for m in range(7, 13)], "营销目标及分解", ("half", 2), "下半年目标", "Second-half target"),
        (["1月", "2月"], "营销目标及分解 — 第一季度", ("months", 0), "一月至二月目标", "Target, Jan–Feb"),
        # no month columns: the title names the period
        ([], "营销目标及分解 — 2026年第二季度", ("quarter", 2), "第2季度目标", "Q2 target"),
        ([], "Sales targets breakdown, first half", ("half", 1), "上半年目标", "First-half target"),
        ([], "营销目标及分解", ("none", 0), "目标合计", "Target total"),
    ],
)
def test_the_targets_total_is_named_by_the_period_its_months_or_title_cover(
    tmp_path, settings, settings_en, months, title, period, zh, en
):
    rows = _targets(months)
    rows[0] = [title]
    targets = _results(tmp_path, settings, rows).targets
    assert targets is not None and targets.period == period
    assert total_label(targets, settings.label) == zh and total_label(targets, settings_en.label) == en
