"""负责人 / By owner: the owners' rows with live SUMIFS over the source sheets, the aging per customer.

The formulas' cached values are kamxl's; LibreOffice's recalculation must give the same.
"""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest
import xlsxwriter

from kamxl.pipeline import RunOptions, process
from kamxl.write.xlsx.owners_sheet import criteria_safe
from tests.conftest import SAMPLES
from tests.write.libreoffice import convert, formula_cells, require, same

AS_OF = dt.date(2026, 3, 31)
# (customer, owed, due date, owner, [(plan, actual) for January–March])
RECEIVABLES = [
    (
        "朗通",
        300_000,
        dt.date(2026, 3, 1),
        "王伟",
        [(100_000, 100_000), (100_000, 80_000), (100_000, 90_000)],
    ),
    ("泰岳", 120_000, dt.date(2026, 1, 10), "李娜", [(40_000, 40_000), (40_000, 0), (40_000, 10_000)]),
    ("万星", 90_000, dt.date(2026, 5, 31), None, [(30_000, 30_000), (30_000, 30_000), (30_000, 0)]),
    ("朗通", 60_000, dt.date(2025, 11, 30), "王伟", [(20_000, 20_000), (20_000, 0), (20_000, 0)]),
]
# (customer, owner, order size, likelihood, amount)
OPPORTUNITIES = [
    ("朗通", "王伟", "超额", "本月内", 500_000),
    ("泰岳", "李娜", "重要", "有意向", 200_000),
    ("金桥", None, "部分", "考核期内", 80_000),
]


def workbook(path):
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("应收帐款规划表")
    ws.write(0, 0, "应收帐款规划表 — 华东区 2026 年度")
    fixed = ["客户", "总欠款", "到期日", "负责人"]
    for col, name in enumerate(fixed):
        ws.merge_range(2, col, 3, col, name)
    for index, month in enumerate(["一月", "二月", "三月"]):
        col = len(fixed) + 2 * index
        ws.merge_range(2, col, 2, col + 1, month)
        ws.write_row(3, col, ["计划", "实收"])
    dates = wb.add_format({"num_format": "yyyy-mm-dd"})
    for row, (customer, owed, due, owner, months) in enumerate(RECEIVABLES, 4):
        ws.write_row(row, 0, [customer, owed])
        ws.write_datetime(row, 2, dt.datetime.combine(due, dt.time()), dates)
        if owner:
            ws.write(row, 3, owner)
        for index, (plan, actual) in enumerate(months):
            ws.write_row(row, len(fixed) + 2 * index, [plan, actual])
    customers = wb.add_worksheet("客户")
    customers.write_row(0, 0, ["客户", "负责人", "订单量", "成交可能性", "项目金额"])
    for row, (customer, owner, size, likelihood, amount) in enumerate(OPPORTUNITIES, 1):
        customers.write_row(row, 0, [customer, owner or "", size, likelihood, amount])
    wb.close()


@pytest.fixture(scope="module")
def report(tmp_path_factory, settings):
    folder = tmp_path_factory.mktemp("owners")
    workbook(folder / "owners.xlsx")
    process(folder / "owners.xlsx", folder, settings, RunOptions(AS_OF, strict=True))
    return folder / "owners.kamxl.xlsx", json.loads((folder / "owners.report.json").read_text("utf-8"))


def table(ws, first_row, columns):
    return [
        [ws.cell(row, col).value for col in range(1, columns + 1)] for row in range(first_row, ws.max_row + 1)
    ]


def test_owner_rows_and_total(report):
    path, _ = report
    ws = openpyxl.load_workbook(path, data_only=True)["负责人"]
    rows = table(ws, 5, 9)
    # to date = January–March: 王伟 300,000 + 60,000 planned, 270,000 + 20,000 collected; 李娜 120k / 50k
    assert rows[0][:3] == ["王伟", 360_000, 290_000]
    assert rows[1][:3] == ["李娜", 120_000, 50_000]
    assert rows[2][:3] == ["未指定", 90_000, 60_000]  # the blank owner is not dropped
    assert rows[3][0] == "合计" and rows[3][1:3] == [570_000, 400_000]
    assert rows[3][3] == pytest.approx(400_000 / 570_000)
    # pipeline: every opportunity is open; 金桥 has no owner
    assert [row[4] for row in rows[:4]] == [500_000, 200_000, 80_000, 780_000]


def test_live_formulas_over_the_source_sheets(report):
    path, _ = report
    ws = openpyxl.load_workbook(path)["负责人"]
    assert ws["B5"].value.startswith("=SUMIFS(应收帐款!")
    assert ws["B7"].value.startswith("=(SUM(应收帐款!") and ws["B7"].value.endswith("-SUM(B5:B6)")
    assert ws["E5"].value.count("SUMIFS(行动!") == 4  # one per class: an open opportunity has one
    assert ws["B8"].value == "=SUM(B5:B7)"


def test_aging_per_customer(report):
    path, data = report
    ws = openpyxl.load_workbook(path, data_only=True)["负责人"]
    head = next(row for row in range(1, ws.max_row + 1) if ws.cell(row, 1).value == "客户")
    assert [ws.cell(head, col).value for col in range(1, 8)] == [
        "客户",
        "未到期",
        "1–30 天",
        "31–60 天",
        "61–90 天",
        "90 天以上",
        "合计",
    ]
    rows = table(ws, head + 1, 7)
    # 朗通: 30,000 left due 03-01 (30 days: 1–30) and 60,000 − 20,000 due 2025-11-30 (121 days: over 90)
    # 泰岳: 120,000 − 50,000 due 01-10 (80 days: 61–90); 万星: 90,000 − 60,000 not due
    assert rows == [
        ["朗通", 0, 30_000, 0, 0, 40_000, 70_000],
        ["泰岳", 0, 0, 0, 70_000, 0, 70_000],
        ["万星", 30_000, 0, 0, 0, 0, 30_000],
        ["合计", 30_000, 30_000, 0, 70_000, 40_000, 170_000],
    ]
    assert data["receivables"]["aging_customers"][0] == {
        "customer": "朗通",
        "not_due": 0.0,
        "d1_30": 30_000.0,
        "d31_60": 0.0,
        "d61_90": 0.0,
        "over_90": 40_000.0,
        "total": 70_000.0,
    }


def test_report_json_owners(report):
    _, data = report
    owners = data["owners"]
    assert [(row["owner"], row["unassigned"]) for row in owners] == [
        ("王伟", False),
        ("李娜", False),
        (None, True),
    ]
    assert sum(row["collections_plan"] for row in owners) == data["receivables"]["plan_to_date"]
    assert sum(row["weighted_pipeline"] for row in owners) == pytest.approx(data["funnel"]["weighted_total"])
    assert all(row["hours"] is None for row in owners)


@pytest.mark.slow
def test_libreoffice_recalculates_the_same(report, tmp_path):
    require()
    path, _ = report
    cached = openpyxl.load_workbook(path, data_only=True)
    lo = openpyxl.load_workbook(convert(path, tmp_path), data_only=True)
    cells = [(sheet, ref) for sheet, ref, _ in formula_cells(path) if sheet == "负责人"]
    assert len(cells) > 20
    for sheet, ref in cells:
        assert same(cached[sheet][ref].value, lo[sheet][ref].value), f"{sheet}!{ref}"


def test_the_combined_sample_has_an_owner_sheet_that_adds_up(tmp_path, settings):
    process(SAMPLES / "east-2026-03.xlsx", tmp_path, settings, RunOptions(AS_OF, strict=True))
    data = json.loads((tmp_path / "east-2026-03.report.json").read_text("utf-8"))
    owners = {row["owner"]: row for row in data["owners"]}
    assert list(owners) == ["王伟", "李娜", "张强"]
    assert (owners["王伟"]["collections_plan"], owners["王伟"]["collections_actual"]) == (360_000, 343_000)
    assert sum(row["collections_actual"] for row in owners.values()) == data["receivables"]["actual_to_date"]
    assert sum(row["pipeline"] for row in owners.values()) == sum(data["funnel"]["amounts"].values())
    assert owners["李娜"]["p1_customers"] == 2
    codes = [(issue["code"], issue["sheet"], issue["cell"]) for issue in data["issues"]]
    assert ("crossform_mismatch", "月度计划", "C5") in codes  # 回款 120 万 against the receivables' 296,500
    assert ("no_due_dates", "应收帐款规划表", None) in codes
    sheet = openpyxl.load_workbook(tmp_path / "east-2026-03.kamxl.xlsx", data_only=True)["负责人"]
    assert any(cell.value == "应收帐款规划表没有到期日,无法计算账龄。" for cell in sheet["A"])


@pytest.mark.parametrize(
    ("names", "safe"),
    [
        (["王伟", "李娜", None], True),
        (["王伟 "], False),  # SUMIFS would look for the name with its space
        (["王*"], False),
        (["=王伟"], False),
        (["Wang", "wang"], False),  # one for SUMIFS, two for kamxl
        (["Wang", "Li"], True),
    ],
)
def test_criteria_safe(names, safe):
    assert criteria_safe(names) is safe


def test_empty_columns_are_left_out_and_said_why_once(report):
    """No monthly plan and no to-do list or work log: no plan attainment or hours column of blanks; a
    sentence each under the table says why."""
    path, _ = report
    ws = openpyxl.load_workbook(path, data_only=True)["负责人"]
    header = [found.value for found in ws[4] if found.value is not None]
    assert header == [
        "负责人",
        "回款计划(至今)",
        "回款实收(至今)",
        "回款率",
        "商机金额",
        "加权商机金额",
        "P1 客户数",
    ]
    texts = [found.value for found in ws["A"]]
    assert "没有月度计划,或其指标没有负责人,故不列计划达成。" in texts
    assert "没有待办事项或工作日志,故不列工时。" in texts


def test_the_subtitle_names_the_month_and_wraps_over_the_table(report):
    path, _ = report
    ws = openpyxl.load_workbook(path)["负责人"]
    assert ws["A2"].value.startswith("回款为截至三月的计划与实收") and "—" not in ws["A2"].value
    assert "A2:G2" in [str(merged) for merged in ws.merged_cells.ranges]
    assert ws["A2"].alignment.wrap_text and ws.row_dimensions[2].height > 15


def test_without_receivables_the_subtitle_says_so(tmp_path, settings):
    process(SAMPLES / "strategy-east-2026.xlsx", tmp_path, settings, RunOptions(AS_OF, strict=False))
    book = openpyxl.load_workbook(tmp_path / "strategy-east-2026.kamxl.xlsx")
    if "负责人" not in book.sheetnames:
        pytest.skip("the strategy sample has no owners")
    note = book["负责人"]["A2"].value
    assert note.startswith("没有应收帐款规划表,故无回款数字") and "截至—" not in note
    # and no three columns of blanks for collections, rate and all
    header = [found.value for found in book["负责人"][4] if found.value is not None]
    assert header == ["负责人", "商机金额", "加权商机金额", "P1 客户数"]
    assert book["负责人"]["B5"].value.startswith("=SUMIFS(")  # the pipeline, still live, now in B
