"""Month headers as written next to a unit, and the year a title gives them (issue 14, known bugs).

"一月计划（万元）" names January's plan in 万元: the unit is the column's, not part of the month; before,
such a header named no month and the plan read as no months at all, without a word. The year a plan's
months take comes from the title cell over the table before the sheet's name (a copied tab keeps the
old year in its name)."""

from __future__ import annotations

import pytest
import xlsxwriter

from kamxl.read import read_workbook
from kamxl.read.grid import Grid
from kamxl.read.header import header_month, split_measure, title_year
from kamxl.read.values import Values


@pytest.mark.parametrize(
    ("label", "month", "measure"),
    [
        ("一月计划（万元）", (None, 1), ("一月", "plan")),
        ("2026年1月实收(万元)", (2026, 1), ("2026年1月", "actual")),
        ("2026-01 计划(千元)", (2026, 1), ("2026-01", "plan")),
        ("Jan-26 plan (万元)", (2026, 1), ("Jan-26", "plan")),
        ("三月(万元)", (None, 3), None),
        ("一月计划", (None, 1), ("一月", "plan")),  # as before
        ("金额(万元)", None, None),  # a unit is no month
        ("(万元)", None, None),
    ],
)
def test_a_month_header_carrying_a_unit_is_a_month(settings, label, month, measure):
    values = Values(settings)
    assert header_month(label, values) == month
    assert split_measure(label, values) == measure


def _plan(path, unit_in):
    """A receivables plan with one header row: 2026年1月计划(万元) … figures in 万元."""
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("应收帐款规划表")
    sheet.write_row(0, 0, ["客户", "总欠款(万元)", f"2026年1月计划{unit_in}", f"2026年1月实收{unit_in}"])
    sheet.write_row(0, 4, [f"2026年2月计划{unit_in}", f"2026年2月实收{unit_in}"])
    sheet.write_row(1, 0, ["朗通", 30, 5, 4.8, 5, 5])
    sheet.write_row(2, 0, ["泰岳", 18, 3, 2.8, 3, 3.1])
    book.close()
    return path


@pytest.mark.parametrize("unit_in", ["(万元)", "（万元）"])
def test_month_headers_with_a_unit_read_their_figures_in_yuan(tmp_path, settings, unit_in):
    result = read_workbook(_plan(tmp_path / "plan.xlsx", unit_in), settings)
    assert [issue.code for issue in result.issues if issue.severity != "info"] == []
    months = result.table("receivables", "months")
    got = {
        (row, year, month): (round(plan), round(actual))
        for row, year, month, plan, actual in months[["row", "year", "month", "plan", "actual"]].to_numpy()
    }
    # by hand: the 万元 figures × 10,000
    assert got == {
        (2, 2026, 1): (50000, 48000),
        (2, 2026, 2): (50000, 50000),
        (3, 2026, 1): (30000, 28000),
        (3, 2026, 2): (30000, 31000),
    }


@pytest.mark.parametrize(
    ("name", "rows", "expected"),
    [
        (
            "2025备份",
            [["华东区 2026年3月 应收帐款规划表"], ["客户"]],
            (2026, 3),
        ),  # the title outranks the name
        ("2025备份", [["华东区 2026年 预期损益表"], ["时间"]], (2026, None)),
        ("2025年3月", [["应收帐款规划表"], ["客户"]], (2025, 3)),  # no year in the title: the name's
        ("Sheet1", [["应收帐款规划表"], ["客户"]], None),
    ],
)
def test_the_title_cell_outranks_the_sheet_name(settings, name, rows, expected):
    assert title_year(Grid(name, rows), 1, Values(settings)) == expected


def test_a_copied_tab_named_for_last_year_keeps_the_titles_year(tmp_path, settings):
    """The tab "2025" holds the 2026 plan (its title says so): 十二月 … 一月 run from 2026-12 into 2027."""
    path = tmp_path / "plan.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("2025")
    sheet.write(0, 0, "华东区 2026年 应收帐款规划表")
    sheet.write_row(1, 0, ["客户", "总欠款", "十二月", None, "一月", None])
    sheet.write_row(2, 2, ["计划", "实收", "计划", "实收"])
    sheet.write_row(3, 0, ["朗通", 300000, 50000, 48000, 50000, 50000])
    book.close()
    result = read_workbook(path, settings)
    months = result.table("receivables", "months")
    assert list(zip(months["year"], months["month"], strict=True)) == [(2026, 12), (2027, 1)]
