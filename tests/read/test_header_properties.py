"""The same receivables plan and P&L written in random header layouts read back the same numbers: groups
merged, centred across or left in one cell; months spelt with their years in any way, a rolling plan or a
calendar year; sub-header words from the vocabulary; title rows above and columns to the left."""

from __future__ import annotations

import datetime as dt

import pytest
import xlsxwriter
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from kamxl.config import load_settings
from kamxl.read import read_workbook

pytestmark = pytest.mark.slow

SETTINGS = load_settings()
GROUPINGS = ("merged", "across", "left")
PLAN_WORDS = ("计划", "计划金额", "预算", "回款计划", "plan")
ACTUAL_WORDS = ("实收", "已收", "已回款", "到账", "实际回款", "回款", "实收金额", "actual")
SPELLINGS = (
    lambda y, m: f"{y}年{m}月",
    lambda y, m: f"{y}-{m:02d}",
    lambda y, m: float(f"{y}.{m:02d}"),
    lambda y, m: dt.date(y, m, 1).strftime("%b-%y"),
    lambda y, m: dt.datetime(y, m, 1),
)


def _months(start, count):
    """``count`` months from ``start`` (year, month)."""
    year, month = start
    out = []
    for _ in range(count):
        out.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _group(book, sheet, row, first, last, value, grouping, date_format):
    if isinstance(value, dt.datetime):
        if grouping == "merged":
            sheet.merge_range(row, first, row, last, "", date_format)
        sheet.write_datetime(row, first, value, date_format)
        return
    if grouping == "merged":
        sheet.merge_range(row, first, row, last, value)
    elif grouping == "across":
        across = book.add_format({"center_across": True})
        sheet.write(row, first, value, across)
        for col in range(first + 1, last + 1):
            sheet.write_blank(row, col, None, across)
    else:
        sheet.write(row, first, value)


layouts = st.fixed_dictionaries(
    {
        "grouping": st.sampled_from(GROUPINGS),
        "spelling": st.integers(0, len(SPELLINGS) - 1),
        "start": st.sampled_from([(2026, 1), (2025, 11), (2025, 10)]),
        "count": st.integers(2, 13),
        "title_rows": st.integers(0, 2),
        "offset": st.integers(0, 2),
        "plan_word": st.sampled_from(PLAN_WORDS),
        "actual_word": st.sampled_from(ACTUAL_WORDS),
        "plans": st.lists(st.integers(0, 9).map(lambda n: n * 1000), min_size=13, max_size=13),
    }
)


def _write_receivables(path, layout):
    months = _months(layout["start"], layout["count"])
    spell = SPELLINGS[layout["spelling"]]
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("应收帐款规划表")
    date_format = book.add_format({"num_format": "mmm-yy"})
    for r in range(layout["title_rows"]):
        sheet.write(r, layout["offset"], "华东区 应收帐款规划表" if r == 0 else "单位:元")
    top, left = layout["title_rows"], layout["offset"]
    sheet.write_row(top, left, ["客户", "总欠款"])
    for i, (year, month) in enumerate(months):
        col = left + 2 + 2 * i
        _group(book, sheet, top, col, col + 1, spell(year, month), layout["grouping"], date_format)
        sheet.write_row(top + 1, col, [layout["plan_word"], layout["actual_word"]])
        sheet.write_row(top + 2, col, [layout["plans"][i], layout["plans"][i] // 2])
    sheet.write_row(top + 2, left, ["朗通", 100000])
    book.close()
    return {
        (y, m): (float(layout["plans"][i]), float(layout["plans"][i] // 2)) for i, (y, m) in enumerate(months)
    }


@given(layout=layouts)
@hsettings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_receivables_in_any_header_layout_read_the_same(tmp_path, layout):
    path = tmp_path / "r.xlsx"
    expected = _write_receivables(path, layout)
    result = read_workbook(path, SETTINGS)
    assert not result.issues, (layout, result.issues)
    months = result.table("receivables", "months")
    got = {(int(y), int(m)): (p, a) for y, m, p, a in months[["year", "month", "plan", "actual"]].to_numpy()}
    assert got == expected, layout


pnl_layouts = st.fixed_dictionaries(
    {
        "grouping": st.sampled_from(GROUPINGS),
        "title_rows": st.integers(0, 2),
        "lines": st.integers(1, 3),
        "plan_word": st.sampled_from(("计划", "预算", "plan")),
        "actual_word": st.sampled_from(("实际", "actual")),
        "values": st.lists(st.integers(1, 99), min_size=24, max_size=24),
    }
)


@given(layout=pnl_layouts)
@hsettings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_pnl_in_any_group_layout_reads_the_same(tmp_path, layout):
    path, lines = tmp_path / "p.xlsx", layout["lines"]
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("损益")
    for r in range(layout["title_rows"]):
        sheet.write(r, 0, "预期损益表 2026")
    top = layout["title_rows"]
    sheet.write(top, 0, "时间")
    names = [(group, f"{group}{i + 1}") for group in ("收入项", "支出项") for i in range(lines)]
    _group(book, sheet, top, 1, 2 * lines, "收入项", layout["grouping"], None)
    _group(book, sheet, top, 1 + 2 * lines, 4 * lines, "支出项", layout["grouping"], None)
    expected = {}
    for i, (group, line) in enumerate(names):
        col = 1 + 2 * i
        _group(book, sheet, top + 1, col, col + 1, line, layout["grouping"], None)
        sheet.write_row(top + 2, col, [layout["plan_word"], layout["actual_word"]])
        for month in (1, 2):
            plan, actual = (
                layout["values"][(4 * i + 2 * month) % 24],
                layout["values"][(4 * i + 2 * month + 1) % 24],
            )
            sheet.write_row(top + 2 + month, col, [plan, actual])
            code = "revenue" if group == "收入项" else "expense"
            expected[(month, code, line)] = (float(plan), float(actual))
    for month in (1, 2):
        sheet.write(top + 2 + month, 0, f"{month}月")
    book.close()
    result = read_workbook(path, SETTINGS)
    assert not result.issues, (layout, result.issues)
    main = result.table("pnl")
    got = {
        (int(m), g, line): (p, a)
        for m, g, line, p, a in main[["month", "group", "line", "plan", "actual"]].itertuples(index=False)
    }
    assert got == expected, layout
