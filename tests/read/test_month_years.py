"""Months carry their year: a rolling plan from 2025-11 to 2026-11 (13 months) in every spelling of a month,
read as thirteen months in time order; a roll into a next year that nothing writes is reported at its cell."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
import xlsxwriter

from kamxl.pipeline import RunOptions, process
from kamxl.read import read_workbook
from kamxl.read.header import place_months
from tests.write.libreoffice import convert, formula_cells, require, same

# 2025-11 … 2026-11: thirteen months, two Novembers
YEAR_MONTHS = [(2025, 11), (2025, 12)] + [(2026, month) for month in range(1, 12)]
PLAN = [1000 * (i + 1) for i in range(13)]  # 1000, 2000, … 13000
ACTUAL = [100 * (i + 1) if i < 4 else None for i in range(13)]  # collected to 2026-02


def _spell(style, year, month):
    """A month header as people write it."""
    return {
        "number": float(f"{year}.{month:02d}"),
        "dash": f"{year}-{month:02d}",
        "chinese": f"{year}年{month}月",
        "english": dt.date(year, month, 1).strftime("%b-%y"),
        "month_only": f"{month}月",
    }[style]


def _receivables(path, style, title="华东区 应收帐款规划表 2025-2026", date_headers=False):
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("应收帐款规划表")
    sheet.write(0, 0, title)
    sheet.write_row(1, 0, ["客户", "总欠款"])
    month_format = book.add_format({"num_format": "mmm-yy"})
    for i, (year, month) in enumerate(YEAR_MONTHS):
        col = 2 + 2 * i
        if date_headers:
            sheet.merge_range(1, col, 1, col + 1, "", month_format)
            sheet.write_datetime(1, col, dt.datetime(year, month, 1), month_format)
        else:
            sheet.merge_range(1, col, 1, col + 1, _spell(style, year, month))
        sheet.write_row(2, col, ["计划", "实收"])
        sheet.write(3, col, PLAN[i])
        if ACTUAL[i] is not None:
            sheet.write(3, col + 1, ACTUAL[i])
    sheet.write_row(3, 0, ["朗通", 91000])
    book.close()
    return path


def _by_month(result):
    months = result.table("receivables", "months").sort_values("period")
    return [
        (year, month, plan, None if actual != actual else actual)
        for year, month, plan, actual in months[["year", "month", "plan", "actual"]].itertuples(index=False)
    ]


EXPECTED = [(y, m, float(p), a) for (y, m), p, a in zip(YEAR_MONTHS, PLAN, ACTUAL, strict=True)]


@pytest.mark.parametrize("style", ["number", "dash", "chinese", "english", "month_only"])
def test_a_rolling_plan_of_thirteen_months_in_every_spelling(tmp_path, settings, style):
    """month_only: 11月 … takes 2025 from the title and rolls into 2026 after 12月."""
    result = read_workbook(_receivables(tmp_path / "r.xlsx", style), settings)
    assert not result.issues, result.issues
    assert _by_month(result) == EXPECTED


def test_month_headers_written_as_dates(tmp_path, settings):
    result = read_workbook(_receivables(tmp_path / "r.xlsx", "dash", date_headers=True), settings)
    assert not result.issues, result.issues
    assert _by_month(result) == EXPECTED


def test_a_month_without_a_year_takes_it_from_the_header_before(tmp_path, settings):
    """2025年11月, then 12月, 1月 … with no year in the title: the first header's year, rolled over."""
    path = _receivables(tmp_path / "r.xlsx", "month_only", title="应收帐款规划表")
    book = openpyxl.load_workbook(path)
    book.active["C2"] = "2025年11月"
    book.save(path)
    result = read_workbook(path, settings)
    assert not result.issues, result.issues
    assert _by_month(result) == EXPECTED


def test_months_before_the_first_year_written_count_back_from_it(tmp_path, settings):
    """11月, 12月, then 2026年1月: the two months before January fall in 2025."""
    path = _receivables(tmp_path / "r.xlsx", "month_only", title="应收帐款规划表")
    book = openpyxl.load_workbook(path)
    book.active["G2"] = "2026年1月"
    book.save(path)
    result = read_workbook(path, settings)
    assert not result.issues, result.issues
    assert _by_month(result) == EXPECTED


def test_a_roll_into_a_year_nothing_writes_is_reported_at_its_header(tmp_path, settings):
    result = read_workbook(_receivables(tmp_path / "r.xlsx", "month_only", title="应收帐款规划表"), settings)
    assert [(i.code, i.cell, i.severity) for i in result.issues] == [("month_year_assumed", "G2", "warning")]
    months = result.table("receivables", "months").sort_values("period")
    # still thirteen months in the order written, without years
    assert months["month"].tolist() == [m for _, m in YEAR_MONTHS]
    assert months["year"].isna().all() and months["period"].is_monotonic_increasing
    assert months["period"].nunique() == 13


def test_plan_columns_before_actual_columns_are_not_a_new_year(tmp_path, settings):
    """Each measure's months are placed in their own order: 1月计划 2月计划 1月实收 2月实收 is one year."""
    book = xlsxwriter.Workbook(tmp_path / "r.xlsx")
    sheet = book.add_worksheet("应收")
    sheet.write_row(0, 0, ["客户", "总欠款", "1月计划", "2月计划", "1月实收", "2月实收"])
    sheet.write_row(1, 0, ["朗通", 3000, 1000, 2000, 900, 1800])
    book.close()
    result = read_workbook(tmp_path / "r.xlsx", settings)
    assert not result.issues, result.issues
    months = result.table("receivables", "months")
    assert months[["month", "plan", "actual", "period"]].values.tolist() == [
        [1, 1000, 900, 0],
        [2, 2000, 1800, 1],
    ]


def test_a_plain_year_keeps_its_month_numbers(tmp_path, settings):
    """一月 … 三月 with no year anywhere: periods 0..2, years None, as every plan read before."""
    book = xlsxwriter.Workbook(tmp_path / "r.xlsx")
    sheet = book.add_worksheet("应收")
    sheet.write_row(0, 0, ["客户", "总欠款", "一月计划", "一月实收", "二月计划", "三月计划"])
    sheet.write_row(1, 0, ["朗通", 3000, 1000, 900, 1000, 1000])
    book.close()
    result = read_workbook(tmp_path / "r.xlsx", settings)
    assert not result.issues, result.issues
    months = result.table("receivables", "months")
    assert months["month"].tolist() == [1, 2, 3] and months["period"].tolist() == [0, 1, 2]
    assert months["year"].isna().all()


def _pnl_rolling(path, spell):
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("损益")
    sheet.write(0, 0, "预期损益表")
    sheet.write(1, 0, "时间")
    sheet.merge_range(1, 1, 1, 2, "收入项")
    sheet.merge_range(2, 1, 2, 2, "产品A")
    sheet.write_row(3, 1, ["计划", "实际"])
    for i, (year, month) in enumerate(YEAR_MONTHS):
        sheet.write_row(4 + i, 0, [spell(year, month), PLAN[i]])
        if ACTUAL[i] is not None:
            sheet.write(4 + i, 2, ACTUAL[i])
    book.close()
    return path


@pytest.mark.parametrize(
    "spell",
    [lambda y, m: float(f"{y}.{m:02d}"), lambda y, m: f"{y}-{m:02d}", lambda y, m: f"{y}年{m}月"],
    ids=["number", "dash", "chinese"],
)
def test_pnl_months_as_rows_carry_their_year(tmp_path, settings, spell):
    result = read_workbook(_pnl_rolling(tmp_path / "p.xlsx", spell), settings)
    assert not result.issues, result.issues
    main = result.table("pnl").sort_values("period")
    got = [
        (y, m, p, None if a != a else a)
        for y, m, p, a in main[["year", "month", "plan", "actual"]].itertuples(index=False)
    ]
    assert got == EXPECTED


def test_a_month_that_cannot_be_read_is_reported_and_its_row_skipped(tmp_path, settings):
    book = xlsxwriter.Workbook(tmp_path / "p.xlsx")
    sheet = book.add_worksheet("损益")
    sheet.write_row(0, 0, ["时间", "收入项", None])
    sheet.write_row(1, 0, [None, "计划", "实际"])
    sheet.write_row(2, 0, ["2026.01", 100, 90])
    sheet.write_row(3, 0, [2026.13, 100, 90])
    book.close()
    result = read_workbook(tmp_path / "p.xlsx", settings)
    assert [(i.code, i.cell) for i in result.issues] == [("invalid_label", "A4")]
    assert result.table("pnl")[["year", "month"]].values.tolist() == [[2026, 1]]


def _process(path, tmp_path, settings):
    out = tmp_path / "out"
    process(path, out, settings, RunOptions(dt.date(2026, 2, 28), history=None, strict=True))
    return out / (path.stem + ".kamxl.xlsx")


def test_the_report_of_a_rolling_plan_heads_each_month_with_its_year(tmp_path, settings):
    report = _process(_receivables(tmp_path / "r.xlsx", "chinese"), tmp_path, settings)
    sheet = openpyxl.load_workbook(report, data_only=True)["应收帐款"]
    headers = [value for value in next(sheet.iter_rows(min_row=5, max_row=5, values_only=True)) if value]
    assert (
        "2025-11" in headers and "2026-11" in headers and headers.index("2025-11") < headers.index("2026-01")
    )
    # m*, the last month with actuals, rises with time: YYYYMM when the plan runs into a second year
    assert sheet["B3"].value == 202602


@pytest.mark.slow
def test_the_report_of_a_rolling_plan_recalculates_the_same_in_libreoffice(tmp_path, settings):
    require()
    path = _receivables(tmp_path / "r.xlsx", "chinese")
    report = _process(path, tmp_path, settings)
    cached = openpyxl.load_workbook(report, data_only=True)
    recalculated = openpyxl.load_workbook(convert(report, tmp_path / "lo"), data_only=True)
    cells = formula_cells(report)
    assert cells
    for sheet, ref, _ in cells:
        assert same(cached[sheet][ref].value, recalculated[sheet][ref].value), f"{sheet}!{ref}"


def _cells(months):
    return [((0, i), year_month) for i, year_month in enumerate(months)]


@pytest.mark.parametrize(
    "months, title, expected, guessed",
    [
        # a plain year, nothing dated: months 1..12 as written, periods from January
        ([(None, 1), (None, 2), (None, 3)], None, [(None, 1, 0), (None, 2, 1), (None, 3, 2)], []),
        # the title's year starts the first month, December rolls into January
        ([(None, 11), (None, 12), (None, 1)], (2025, None), [(2025, 11), (2025, 12), (2026, 1)], []),
        # a title naming its month: the plan holds that month (11月 … 10月 under 2026年3月 starts in 2025)
        (
            [(None, 11), (None, 12), (None, 1), (None, 3), (None, 10)],
            (2026, 3),
            [(2025, 11), (2025, 12), (2026, 1), (2026, 3), (2026, 10)],
            [],
        ),
        # a plain year under "2026年3月" stays in 2026
        ([(None, 1), (None, 2), (None, 12)], (2026, 3), [(2026, 1), (2026, 2), (2026, 12)], []),
        # a year written in a header wins over the title, and months before it count back
        ([(None, 12), (2026, 1), (None, 2)], (2030, None), [(2025, 12), (2026, 1), (2026, 2)], []),
        # the same month twice in a row is a pair (一月计划, 一月实收), not a new year
        ([(2026, 1), (None, 1), (None, 2)], None, [(2026, 1), (2026, 1), (2026, 2)], []),
        # nothing dated and a roll: placed relative to the first month, the roll reported
        ([(None, 12), (None, 1)], None, [(None, 12, 11), (None, 1, 12)], [(0, 1)]),
    ],
)
def test_place_months(months, title, expected, guessed):
    placed, rolled = place_months(_cells(months), title)
    got = [placed[(0, i)] for i in range(len(months))]
    if len(expected[0]) == 3:
        assert [(m.year, m.month, m.period) for m in got] == expected
    else:
        assert [(m.year, m.month) for m in got] == expected
        assert [m.period for m in got] == [y * 12 + m - 1 for y, m in expected]
    assert rolled == guessed


def test_a_rolling_plan_under_a_title_naming_its_month(tmp_path, settings):
    """11月 … under "华东区 2026年1月 应收帐款规划表": the plan that holds January 2026 starts in 2025-11."""
    path = _receivables(tmp_path / "r.xlsx", "month_only", title="华东区 2026年1月 应收帐款规划表")
    result = read_workbook(path, settings)
    assert not result.issues, result.issues
    assert _by_month(result) == EXPECTED


@pytest.mark.parametrize(
    "label, expected",
    [("26年1月", [(2026, 1)]), ("13月", []), ("2026-13", [])],
)
def test_a_month_header_that_cannot_be_read_is_reported_at_its_cell(tmp_path, settings, label, expected):
    book = xlsxwriter.Workbook(tmp_path / "r.xlsx")
    sheet = book.add_worksheet("应收")
    sheet.write_row(0, 0, ["客户", "总欠款", label, None, "合计", None])
    sheet.write_row(1, 2, ["计划", "实收", "计划", "实收"])
    sheet.write_row(2, 0, ["朗通", 3000, 1000, 900, 1000, 900])
    book.close()
    result = read_workbook(tmp_path / "r.xlsx", settings)
    months = result.table("receivables", "months")
    assert list(zip(months["year"], months["month"], strict=True)) == expected
    # the 合计 pair is no month: left to the totals' checks, not reported as one
    assert [(i.code, i.cell) for i in result.issues] == ([] if expected else [("month_unreadable", "C1")])


def test_a_transposed_pnl_with_rolling_month_columns(tmp_path, settings):
    """Lines as rows, 2025-12 and 2026-01 as columns: each month keeps its year."""
    book = xlsxwriter.Workbook(tmp_path / "p.xlsx")
    sheet = book.add_worksheet("P&L")
    sheet.write_row(0, 0, ["项目", "2025-12", None, "2026-01", None])
    sheet.write_row(1, 0, [None, "计划", "实际", "计划", "实际"])
    sheet.write_row(2, 0, ["收入项"])
    sheet.write_row(3, 0, ["产品A", 100, 90, 110, 120])
    book.close()
    result = read_workbook(tmp_path / "p.xlsx", settings)
    assert not result.issues, result.issues
    main = result.table("pnl").sort_values("period")
    assert main[["year", "month", "plan", "actual"]].values.tolist() == [
        [2025, 12, 100, 90],
        [2026, 1, 110, 120],
    ]


@pytest.mark.parametrize(
    "name, period, profit_plan",
    [
        # the file name names the second November: its profit (13,000), not the first November's (1,000)
        ("p-2026-11.xlsx", "2026-11", 13000),
        # nothing names a month: the last month with actuals, 2026-02 (4,000), not the review's November
        ("p.xlsx", "2026-02", 4000),
    ],
)
def test_the_history_files_the_month_of_the_review_in_a_rolling_pnl(
    tmp_path, settings, name, period, profit_plan
):
    """Reviewed as of 2026-11-30, actuals to 2026-02: the snapshot keeps its period's month's profit."""
    import json
    import sqlite3

    path = _pnl_rolling(tmp_path / name, lambda y, m: f"{y}-{m:02d}")
    out, history = tmp_path / "out", tmp_path / "history.sqlite"
    process(path, out, settings, RunOptions(dt.date(2026, 11, 30), history=history, strict=True))
    with sqlite3.connect(history) as db:
        [(filed, totals)] = db.execute("select period, totals from snapshots").fetchall()
    assert (filed, json.loads(totals)["profit_plan_month"]) == (period, profit_plan)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["ods", "xls"])
@pytest.mark.parametrize("style, date_headers", [("number", False), ("english", True), ("month_only", False)])
def test_a_rolling_plan_saved_by_libreoffice_reads_the_same(tmp_path, settings, kind, style, date_headers):
    require()
    source = _receivables(tmp_path / "r.xlsx", style, date_headers=date_headers)
    result = read_workbook(convert(source, tmp_path / "out", kind), settings)
    assert not result.issues, result.issues
    assert _by_month(result) == EXPECTED
