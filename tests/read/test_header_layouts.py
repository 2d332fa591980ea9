"""The header model: group headers merged, centred across (跨列居中) or left in one cell, in .xlsx, .ods
and .xls; the sub-header words people write; a sub-header kamxl does not know is reported at its cell."""

from __future__ import annotations

import pytest
import xlsxwriter

from kamxl.read import read_workbook
from tests.write.libreoffice import convert, require

# How a group label is written over its columns.
GROUPINGS = ("merged", "across", "left")


def _group(book, sheet, row, first, last, text, grouping):
    """One group label over columns ``first``..``last`` of ``row``, written the way ``grouping`` says."""
    if first == last:
        sheet.write(row, first, text)
    elif grouping == "merged":
        sheet.merge_range(row, first, row, last, text)
    elif grouping == "across":  # the alignment Excel calls Center Across Selection: centerContinuous
        across = book.add_format({"center_across": True})
        sheet.write(row, first, text, across)
        for col in range(first + 1, last + 1):
            sheet.write_blank(row, col, None, across)
    else:  # the label in the group's first cell, the rest left blank
        sheet.write(row, first, text)


# The P&L of two months: (month, plan and actual of 产品A, 产品B, 区域广告, 人员工资, 预期盈亏).
PNL_ROWS = [
    ["1月", 100, 110, 50, 40, 20, 25, 30, 30, 100, 95],
    ["2月", 100, 90, 50, 60, 20, 15, 30, 31, 100, 104],
]


def _pnl(path, grouping):
    """预期损益表 with three header rows: 收入项 over two products, 支出项 over two lines, 预期盈亏 alone."""
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("损益")
    sheet.write(0, 0, "华东区 2026年 预期损益表")
    sheet.write(1, 0, "时间")
    _group(book, sheet, 1, 1, 4, "收入项", grouping)
    _group(book, sheet, 1, 5, 8, "支出项", grouping)
    _group(book, sheet, 1, 9, 10, "预期盈亏", grouping)
    for first, line in zip((1, 3, 5, 7), ("产品A", "产品B", "区域广告", "人员工资"), strict=True):
        _group(book, sheet, 2, first, first + 1, line, grouping)
    sheet.write_row(3, 1, ["计划", "实际"] * 5)
    for i, row in enumerate(PNL_ROWS):
        sheet.write_row(4 + i, 0, row)
    book.close()
    return path


# (month, group, line) -> (plan, actual), by hand from PNL_ROWS
PNL_EXPECTED = {
    (1, "revenue", "产品A"): (100, 110),
    (1, "revenue", "产品B"): (50, 40),
    (1, "expense", "区域广告"): (20, 25),
    (1, "expense", "人员工资"): (30, 30),
    (1, "profit", "预期盈亏"): (100, 95),
    (2, "revenue", "产品A"): (100, 90),
    (2, "revenue", "产品B"): (50, 60),
    (2, "expense", "区域广告"): (20, 15),
    (2, "expense", "人员工资"): (30, 31),
    (2, "profit", "预期盈亏"): (100, 104),
}


def _pnl_read(path, settings):
    result = read_workbook(path, settings)
    main = result.table("pnl")
    got = {
        (int(m), g, line): (p, a)
        for m, g, line, p, a in main[["month", "group", "line", "plan", "actual"]].itertuples(index=False)
    }
    return result, got


@pytest.mark.parametrize("grouping", GROUPINGS)
def test_pnl_groups_merged_centred_across_or_left_read_the_same(tmp_path, settings, grouping):
    result, got = _pnl_read(_pnl(tmp_path / "pnl.xlsx", grouping), settings)
    assert not result.issues, result.issues
    assert got == PNL_EXPECTED


@pytest.mark.slow
@pytest.mark.parametrize("grouping", ("merged", "across"))
@pytest.mark.parametrize("kind", ("ods", "xls"))
def test_pnl_saved_by_libreoffice_as_ods_and_xls_reads_the_same(tmp_path, settings, grouping, kind):
    """calamine reports no merged ranges for .ods: the groups are found from the blanks to their right."""
    require()
    source = _pnl(tmp_path / "pnl.xlsx", grouping)
    result, got = _pnl_read(convert(source, tmp_path / "out", kind), settings)
    assert not result.issues, result.issues
    assert got == PNL_EXPECTED


def _receivables(path, grouping, subs=("计划", "实收"), months=("一月", "二月")):
    """应收帐款规划表: 客户, 总欠款, then a month over each pair of sub-headers."""
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("应收帐款规划表")
    sheet.write_row(0, 0, ["客户", "总欠款"])
    for i, month in enumerate(months):
        _group(book, sheet, 0, 2 + 2 * i, 3 + 2 * i, month, grouping)
        sheet.write_row(1, 2 + 2 * i, subs)
    sheet.write_row(2, 0, ["朗通", 300000, 50000, 48000, 50000, 50000])
    sheet.write_row(3, 0, ["泰岳", 180000, 30000, 28000, 30000, 31000])
    book.close()
    return path


def _months(result):
    months = result.table("receivables", "months")
    return {(row, int(m)): (p, a) for row, m, p, a in months[["row", "month", "plan", "actual"]].to_numpy()}


# (row, month) -> (plan, actual), by hand from _receivables
RECEIVABLES_EXPECTED = {
    (3, 1): (50000, 48000),
    (3, 2): (50000, 50000),
    (4, 1): (30000, 28000),
    (4, 2): (30000, 31000),
}


@pytest.mark.parametrize("grouping", GROUPINGS)
def test_receivables_months_merged_centred_across_or_left_read_the_same(tmp_path, settings, grouping):
    result = read_workbook(_receivables(tmp_path / "r.xlsx", grouping), settings)
    assert not result.issues, result.issues
    assert _months(result) == RECEIVABLES_EXPECTED


@pytest.mark.slow
def test_receivables_saved_as_ods_reads_the_same(tmp_path, settings):
    require()
    source = _receivables(tmp_path / "r.xlsx", "merged")
    result = read_workbook(convert(source, tmp_path / "out", "ods"), settings)
    assert not result.issues, result.issues
    assert _months(result) == RECEIVABLES_EXPECTED


@pytest.mark.parametrize(
    "subs",
    [
        ("计划", "已收"),
        ("计划", "已回款"),
        ("计划", "到账"),
        ("计划", "实际回款"),
        ("计划", "回款"),
        ("计划金额", "实收金额"),
        ("预算", "实际"),
        ("回款计划", "已收款"),
        ("Plan", "Received"),
    ],
)
def test_sub_header_words_under_a_month(tmp_path, settings, subs):
    result = read_workbook(_receivables(tmp_path / "r.xlsx", "merged", subs=subs), settings)
    assert not result.issues, result.issues
    assert _months(result) == RECEIVABLES_EXPECTED


def test_an_unknown_sub_header_is_a_warning_at_its_cell_never_a_silent_zero(tmp_path, settings):
    result = read_workbook(_receivables(tmp_path / "r.xlsx", "left", subs=("计划", "差额")), settings)
    unknown = [i for i in result.issues if i.code == "unknown_subheader"]
    assert [(i.cell, i.severity) for i in unknown] == [("D2", "warning"), ("F2", "warning")]
    assert "差额" in settings.message(unknown[0]) and "一月" in settings.message(unknown[0])
    months = result.table("receivables", "months")
    assert months["actual"].isna().all() and months["plan"].tolist() == [50000, 50000, 30000, 30000]


def test_a_month_without_a_measure_is_a_warning_at_the_month(tmp_path, settings):
    book = xlsxwriter.Workbook(tmp_path / "r.xlsx")
    sheet = book.add_worksheet("应收")
    sheet.write_row(0, 0, ["客户", "总欠款", "一月计划", "一月实收", "二月"])
    sheet.write_row(1, 0, ["朗通", 300000, 50000, 48000, 50000])
    book.close()
    result = read_workbook(tmp_path / "r.xlsx", settings)
    assert [(i.code, i.cell) for i in result.issues] == [("no_subheader", "E1")]


def test_the_same_month_and_measure_twice_is_reported_not_added(tmp_path, settings):
    book = xlsxwriter.Workbook(tmp_path / "r.xlsx")
    sheet = book.add_worksheet("应收")
    sheet.write_row(0, 0, ["客户", "总欠款", "一月计划", "一月实收", "一月实收"])
    sheet.write_row(1, 0, ["朗通", 300000, 50000, 48000, 2000])
    book.close()
    result = read_workbook(tmp_path / "r.xlsx", settings)
    assert [(i.code, i.cell) for i in result.issues] == [("duplicate_column", "E1")]
    assert _months(result) == {(2, 1): (50000, 48000)}


def test_an_unknown_sub_header_under_a_pnl_line_is_reported(tmp_path, settings):
    book = xlsxwriter.Workbook(tmp_path / "p.xlsx")
    sheet = book.add_worksheet("损益")
    sheet.write_row(0, 0, ["时间", "收入项", None, "支出项"])
    sheet.write_row(1, 0, [None, "产品A", None, "区域广告"])
    sheet.write_row(2, 0, [None, "计划", "完成率", "计划"])
    sheet.write_row(3, 0, ["1月", 100, 0.9, 20])
    book.close()
    result = read_workbook(tmp_path / "p.xlsx", settings)
    assert [(i.code, i.cell) for i in result.issues] == [("unknown_subheader", "C3")]


def test_a_label_over_no_sub_header_does_not_spread(tmp_path, settings):
    """总欠款 has nothing under it: the 一月 pair to its right is not taken into it, nor 备注 into 一月."""
    book = xlsxwriter.Workbook(tmp_path / "r.xlsx")
    sheet = book.add_worksheet("应收")
    sheet.write_row(0, 0, ["客户", "总欠款", None, "一月", None, "备注"])
    sheet.write_row(1, 0, [None, None, None, "计划", "实收"])
    sheet.write_row(2, 0, ["朗通", 300000, None, 50000, 48000, "按时"])
    book.close()
    result = read_workbook(tmp_path / "r.xlsx", settings)
    assert not result.issues, result.issues
    assert _months(result) == {(3, 1): (50000, 48000)}
    assert result.table("receivables")["total_owed"].tolist() == [300000]


def test_a_text_row_naming_a_measure_is_data_in_a_form_without_groups(tmp_path, settings):
    """回款 is an actual under a month, but in a monthly plan it is an indicator: its row is data."""
    book = xlsxwriter.Workbook(tmp_path / "m.xlsx")
    sheet = book.add_worksheet("月计划")
    sheet.write_row(0, 0, ["指标", "目标", "实际"])
    sheet.write_row(1, 0, ["回款", "100万", "90万"])
    sheet.write_row(2, 0, ["新客户", "3家", "2家"])
    book.close()
    result = read_workbook(tmp_path / "m.xlsx", settings)
    assert result.table("monthly")["indicator"].tolist() == ["回款", "新客户"]


def test_a_rolling_activity_plan_keeps_both_novembers(tmp_path, settings):
    """A 13-month activity plan: both 十一月 are read, each in its year; with no year written anywhere,
    the roll into the next year is reported at its header (E1), as in the receivables plan."""
    book = xlsxwriter.Workbook(tmp_path / "a.xlsx")
    sheet = book.add_worksheet("市场活动")
    sheet.write_row(0, 0, ["工作内容", "负责人", "十一月", "十二月", "一月", "十一月"])
    sheet.write_row(1, 0, ["新品推介会", "王伟", "✓", None, None, "✓"])
    book.close()
    result = read_workbook(tmp_path / "a.xlsx", settings)
    assert [(i.code, i.cell) for i in result.issues] == [("month_year_assumed", "E1")]
    months = result.table("activities", "months")
    assert list(zip(months["month"], months["period"], months["col"], strict=True)) == [
        (11, 10, "C"),
        (11, 22, "F"),
    ]


def test_an_activity_month_of_the_same_year_written_twice_is_reported(tmp_path, settings):
    book = xlsxwriter.Workbook(tmp_path / "a.xlsx")
    sheet = book.add_worksheet("市场活动")
    sheet.write_row(0, 0, ["工作内容", "负责人", "2025年11月", "2025年12月", "2025年11月"])
    sheet.write_row(1, 0, ["新品推介会", "王伟", "✓", None, "✓"])
    book.close()
    result = read_workbook(tmp_path / "a.xlsx", settings)
    assert [(i.code, i.cell) for i in result.issues] == [("duplicate_column", "E1")]
    months = result.table("activities", "months")
    assert list(zip(months["year"], months["month"], months["col"], strict=True)) == [(2025, 11, "C")]


@pytest.mark.parametrize("grouping, issues", [("merged", []), ("left", [("unknown_subheader", "F2")])])
def test_a_merged_group_ends_where_its_merge_ends(tmp_path, settings, grouping, issues):
    """一月 merged over D:E is not carried over F; left in one cell it may be, so F is reported, not read."""
    book = xlsxwriter.Workbook(tmp_path / "r.xlsx")
    sheet = book.add_worksheet("应收")
    sheet.write_row(0, 0, ["客户", "总欠款"])
    _group(book, sheet, 0, 3, 4, "一月", grouping)
    sheet.write_row(1, 3, ["计划", "实收", "说明"])
    sheet.write_row(2, 0, ["朗通", 300000, None, 50000, 48000, "按时"])
    book.close()
    result = read_workbook(tmp_path / "r.xlsx", settings)
    assert [(i.code, i.cell) for i in result.issues] == issues
    assert _months(result) == {(3, 1): (50000, 48000)}


def test_a_measure_with_no_month_over_it_is_reported(tmp_path, settings):
    """一月 typed in the right-hand cell of its pair: the left 计划 has no month over it, and says so."""
    book = xlsxwriter.Workbook(tmp_path / "r.xlsx")
    sheet = book.add_worksheet("应收")
    sheet.write_row(0, 0, ["客户", "总欠款", None, "一月"])
    sheet.write_row(1, 2, ["计划", "实收"])
    sheet.write_row(2, 0, ["朗通", 300000, 50000, 48000])
    book.close()
    result = read_workbook(tmp_path / "r.xlsx", settings)
    assert [(i.code, i.cell) for i in result.issues] == [("orphan_measure", "C2")]
    assert _months(result) == {(3, 1): (None, 48000)}


def test_a_pnl_measure_outside_any_group_is_reported(tmp_path, settings):
    """收入项 over its line, not over the 计划 left of it: that column belongs to nothing, and says so."""
    book = xlsxwriter.Workbook(tmp_path / "p.xlsx")
    sheet = book.add_worksheet("损益")
    sheet.write_row(0, 0, ["时间", None, "收入项", None])
    sheet.write_row(1, 0, [None, None, "产品A", None])
    sheet.write_row(2, 0, [None, "计划", "计划", "实际"])
    sheet.write_row(3, 0, ["1月", 70, 100, 90])
    book.close()
    result = read_workbook(tmp_path / "p.xlsx", settings)
    assert [(i.code, i.cell) for i in result.issues] == [("orphan_measure", "B3")]
    assert result.table("pnl")[["line", "plan", "actual"]].values.tolist() == [["产品A", 100, 90]]
