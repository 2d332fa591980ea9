"""The same receivables plan and P&L, written in random valid layouts, read back as the same numbers
(issue 14, "Done when"): group headers merged, centred across (跨列居中) or left in their first cell; keys
merged down, written once or on every row; subtotal and total rows in their spellings; units in the
headers or in a units row (the figures written scaled); months with their years in five spellings; title
rows; row and column offsets; the P&L on its own sheet or stacked under the plan.

Every expected figure is written out by hand below, in 元; a variant writes them in its unit.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import pytest
import xlsxwriter
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from kamxl.config import load_settings
from kamxl.read import read_workbook
from tests.write.libreoffice import convert, require

# A plan that rolls over a new year: 2025-12, 2026-01, 2026-02.
YEAR_MONTHS = [(2025, 12), (2026, 1), (2026, 2)]
# (customer, product, 总欠款, plans, actuals): 朗通 has two products, so its key spans two rows.
PLAN_ROWS = [
    ("朗通", "产品A", 300000, (50000, 50000, 60000), (48000, 50000, None)),
    ("朗通", "产品B", 120000, (20000, 20000, 20000), (20000, 15000, None)),
    ("泰岳", "产品C", 180000, (30000, 30000, 30000), (28000, 31000, None)),
]
# By hand from PLAN_ROWS.
OWED = {("朗通", "产品A"): 300000, ("朗通", "产品B"): 120000, ("泰岳", "产品C"): 180000}
COLLECTIONS = {  # (year, month) -> (计划, 实收) over all rows
    (2025, 12): (100000, 96000),
    (2026, 1): (100000, 96000),
    (2026, 2): (110000, None),
}
SUBTOTALS = {  # customer -> (总欠款, plans, actuals) of its rows, by hand
    "朗通": (420000, (70000, 70000, 80000), (68000, 65000, None)),
    "泰岳": (180000, (30000, 30000, 30000), (28000, 31000, None)),
}
GRAND_TOTAL = (600000, (100000, 100000, 110000), (96000, 96000, None))

# The P&L's lines (group, line) and, per month, (计划, 实际) of each line in that order.
PNL_LINES = [("收入项", "产品A"), ("收入项", "产品B"), ("支出项", "区域广告"), ("预期盈亏", "预期盈亏")]
PNL_FIGURES = [
    [(50000, 52000), (30000, 28000), (10000, 12000), (70000, 68000)],
    [(50000, 48000), (30000, 33000), (10000, 9000), (70000, 72000)],
    [(60000, None), (30000, None), (10000, None), (80000, None)],
]
GROUP_CODES = {"收入项": "revenue", "支出项": "expense", "预期盈亏": "profit"}
PNL_EXPECTED = {
    (year, month, GROUP_CODES[group], line): figures
    for (year, month), per_line in zip(YEAR_MONTHS, PNL_FIGURES, strict=True)
    for (group, line), figures in zip(PNL_LINES, per_line, strict=True)
}

UNITS = {"元": 1, "千元": 1000, "万元": 10000}
# The default settings, loaded once: hypothesis calls the test many times, and prints its arguments.
SETTINGS = load_settings()


@dataclass(frozen=True)
class Variant:
    """One way of writing the two forms."""

    grouping: str  # month and P&L group labels: merged, across (centerContinuous), left (first cell only)
    month_header: str  # two_row (month over 计划/实收) or one_row ("2026-01计划")
    spelling: str  # number (2026.01), dash, chinese, english (Jan-26), month_only (一月, year in the title)
    keys: str  # merged, once (blank below), every (written on each row)
    subtotal: str | None  # None, 小计, named ("朗通 小计")
    total: str | None  # None, 合计, 汇总, 总计, Total
    total_on_top: bool  # the total row right under the header instead of under the rows
    unit: str  # 元, 万元
    unit_place: str  # header (金额(万元)) or row ("单位:万元" under the title)
    title_rows: int  # 0..2 (at least 1 for month_only: the title carries the year)
    top: int  # blank rows above
    left: int  # blank columns to the left
    pnl_place: str  # sheet (its own) or below (stacked under the plan)
    gap: int  # blank rows between stacked tables
    sheet_name: str


def _spell(spelling, year, month):
    """A month as people write it, with its year unless the spelling has none."""
    return {
        "number": float(f"{year}.{month:02d}"),
        "dash": f"{year}-{month:02d}",
        "chinese": f"{year}年{month}月",
        "english": dt.date(year, month, 1).strftime("%b-%y"),
        "month_only": "一二三四五六七八九十"[month - 1] + "月"
        if month <= 10
        else ("十一月", "十二月")[month - 11],
    }[spelling]


class _Writer:
    """Writes the forms of one variant into an xlsxwriter workbook."""

    def __init__(self, path, variant: Variant):
        self.variant = variant
        self.book = xlsxwriter.Workbook(path)
        self.across = self.book.add_format({"center_across": True})
        self.scale = UNITS[variant.unit]
        self.path = path

    def money(self, value):
        return None if value is None else value / self.scale

    def unit_suffix(self):
        """The unit in brackets after a money header, when the variant writes it there."""
        return (
            f"({self.variant.unit})"
            if self.variant.unit != "元" and self.variant.unit_place == "header"
            else ""
        )

    def group(self, sheet, row, first, last, text):
        """A label over columns first..last, merged, centred across or in its first cell."""
        if first == last:
            sheet.write(row, first, text)
        elif self.variant.grouping == "merged":
            sheet.merge_range(row, first, row, last, text)
        elif self.variant.grouping == "across":
            sheet.write(row, first, text, self.across)
            for col in range(first + 1, last + 1):
                sheet.write_blank(row, col, None, self.across)
        else:
            sheet.write(row, first, text)

    def head(self, sheet, row, title):
        """Title rows and a units row from ``row``; returns the row after them."""
        left = self.variant.left
        year = "2025年 " if self.variant.spelling == "month_only" else ""
        for i in range(self.variant.title_rows):
            sheet.write(row, left, f"华东区 {year}{title}" if i == 0 else "制表日期:2026年3月5日")
            row += 1
        if self.variant.unit != "元" and self.variant.unit_place == "row":
            sheet.write(row, left, f"单位:{self.variant.unit}")
            row += 1
        return row

    def receivables(self, sheet, row):
        """The receivables plan from ``row``; returns the row after its last."""
        variant, left = self.variant, self.variant.left
        row = self.head(sheet, row, "应收帐款规划表")
        unit = self.unit_suffix()
        sheet.write_row(row, left, ["客户", "产品", f"总欠款{unit}"])
        first = left + 3
        if variant.month_header == "two_row":
            for i, (year, month) in enumerate(YEAR_MONTHS):
                self.group(
                    sheet, row, first + 2 * i, first + 2 * i + 1, _spell(variant.spelling, year, month)
                )
                sheet.write_row(row + 1, first + 2 * i, [f"计划{unit}", f"实收{unit}"])
            row += 2
        else:
            for i, (year, month) in enumerate(YEAR_MONTHS):
                name = _spell(variant.spelling, year, month)
                sheet.write_row(row, first + 2 * i, [f"{name}计划{unit}", f"{name}实收{unit}"])
            row += 1
        return self.body(sheet, row)

    def figures(self, sheet, row, owed, plans, actuals):
        sheet.write(row, self.variant.left + 2, self.money(owed))
        for i, (plan, actual) in enumerate(zip(plans, actuals, strict=True)):
            for j, value in enumerate((plan, actual)):
                if value is not None:
                    sheet.write(row, self.variant.left + 3 + 2 * i + j, self.money(value))

    def body(self, sheet, row):
        variant, left = self.variant, self.variant.left
        customers = list(SUBTOTALS)
        if variant.total and variant.total_on_top:
            sheet.write(row, left, variant.total)
            self.figures(sheet, row, *GRAND_TOTAL)
            row += 1
        for customer in customers:
            rows = [item for item in PLAN_ROWS if item[0] == customer]
            start = row
            for i, (name, product, owed, plans, actuals) in enumerate(rows):
                if variant.keys == "every" or i == 0:  # merged: the merge below writes it again
                    sheet.write(row, left, name)
                sheet.write(row, left + 1, product)
                self.figures(sheet, row, owed, plans, actuals)
                row += 1
            if variant.keys == "merged" and row - start > 1:
                sheet.merge_range(start, left, row - 1, left, customer)
            if variant.subtotal:
                label = "小计" if variant.subtotal == "小计" else f"{customer} 小计"
                sheet.write(row, left, label)
                self.figures(sheet, row, *SUBTOTALS[customer])
                row += 1
        if variant.total and not variant.total_on_top:
            sheet.write(row, left, variant.total)
            self.figures(sheet, row, *GRAND_TOTAL)
            row += 1
        return row

    def pnl(self, sheet, row):
        """预期损益表 with three header rows: group over line over 计划/实际, months as rows."""
        variant, left = self.variant, self.variant.left
        row = self.head(sheet, row, "预期损益表")
        unit = self.unit_suffix()
        sheet.write(row, left, "时间")
        self.group(sheet, row, left + 1, left + 4, "收入项")
        self.group(sheet, row, left + 5, left + 6, "支出项")
        self.group(sheet, row, left + 7, left + 8, "预期盈亏")
        for i, (_, line) in enumerate(PNL_LINES[:3]):
            self.group(sheet, row + 1, left + 1 + 2 * i, left + 2 + 2 * i, line)
        sheet.write_row(row + 2, left + 1, [f"计划{unit}", f"实际{unit}"] * 4)
        row += 3
        for (year, month), per_line in zip(YEAR_MONTHS, PNL_FIGURES, strict=True):
            sheet.write(row, left, _spell(variant.spelling, year, month))
            for i, (plan, actual) in enumerate(per_line):
                for j, value in enumerate((plan, actual)):
                    if value is not None:
                        sheet.write(row, left + 1 + 2 * i + j, self.money(value))
            row += 1
        return row

    def build(self):
        variant = self.variant
        sheet = self.book.add_worksheet(variant.sheet_name)
        end = self.receivables(sheet, variant.top)
        if variant.pnl_place == "below":
            self.pnl(sheet, end + variant.gap)
        else:
            self.pnl(self.book.add_worksheet("预期损益表"), variant.top)
        self.book.close()
        return self.path


def _variants():
    """Valid variants: a number month needs its own header cell, a month without a year a title."""
    return st.builds(
        Variant,
        grouping=st.sampled_from(("merged", "across", "left")),
        month_header=st.sampled_from(("two_row", "one_row")),
        spelling=st.sampled_from(("number", "dash", "chinese", "english", "month_only")),
        keys=st.sampled_from(("merged", "once", "every")),
        subtotal=st.sampled_from((None, "小计", "named")),
        total=st.sampled_from((None, "合计", "汇总", "总计", "Total")),
        total_on_top=st.booleans(),
        unit=st.sampled_from(tuple(UNITS)),
        unit_place=st.sampled_from(("header", "row")),
        title_rows=st.integers(0, 2),
        top=st.integers(0, 2),
        left=st.integers(0, 2),
        pnl_place=st.sampled_from(("sheet", "below")),
        gap=st.integers(1, 3),
        sheet_name=st.sampled_from(("应收帐款规划表", "Sheet1", "华东区")),
    ).filter(lambda v: not (v.spelling == "number" and v.month_header == "one_row"))


def _valid(variant: Variant) -> Variant:
    """A month written without its year takes it from the title: such a variant has one."""
    if variant.spelling == "month_only" and variant.title_rows == 0:
        return Variant(**{**variant.__dict__, "title_rows": 1})
    return variant


def _figure(value):
    """A read figure as written by hand: None for blank, rounded off the unit's float noise."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), 6)


def _read_back(path, settings):
    """(issues above info, 总欠款 by row key, collections per (year, month), P&L lines)."""
    result = read_workbook(path, settings)
    problems = [issue for issue in result.issues if issue.severity != "info"]
    main = result.table("receivables")
    owed = {
        (customer, product): _figure(value)
        for customer, product, value in main[["customer", "product", "total_owed"]].itertuples(index=False)
    }
    months = result.table("receivables", "months")
    collections = {}
    for (year, month), group in months.groupby(["year", "month"]):
        plan = group["plan"].sum(min_count=1)
        actual = group["actual"].sum(min_count=1)
        collections[(int(year), int(month))] = (_figure(plan), _figure(actual))
    pnl = result.table("pnl")
    lines = {
        (int(year), int(month), group, line): (_figure(plan), _figure(actual))
        for year, month, group, line, plan, actual in pnl[
            ["year", "month", "group", "line", "plan", "actual"]
        ].itertuples(index=False)
    }
    return problems, owed, collections, lines


def _check(path, settings):
    problems, owed, collections, lines = _read_back(path, settings)
    assert not problems, problems
    assert owed == OWED
    assert collections == COLLECTIONS
    assert lines == PNL_EXPECTED


@hypothesis_settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(variant=_variants())
def test_the_same_plan_and_pnl_in_any_layout_read_the_same(tmp_path_factory, variant):
    variant = _valid(variant)
    path = _Writer(tmp_path_factory.mktemp("variant") / "book.xlsx", variant).build()
    _check(path, SETTINGS)


# A few variants saved through LibreOffice: .ods has no merged ranges for calamine, .xls the old format.
SAVED = [
    Variant(
        "merged",
        "two_row",
        "chinese",
        "merged",
        "named",
        "合计",
        False,
        "万元",
        "row",
        1,
        1,
        1,
        "below",
        2,
        "Sheet1",
    ),
    Variant(
        "across",
        "two_row",
        "dash",
        "once",
        "小计",
        "汇总",
        True,
        "元",
        "header",
        2,
        0,
        0,
        "sheet",
        1,
        "华东区",
    ),
    Variant(
        "merged",
        "one_row",
        "english",
        "every",
        None,
        None,
        False,
        "千元",
        "header",
        0,
        0,
        2,
        "below",
        3,
        "Sheet1",
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize("kind", ("ods", "xls"))
@pytest.mark.parametrize("variant", SAVED, ids=("merged-chinese", "across-dash", "one-row-english"))
def test_layout_variants_saved_by_libreoffice_read_the_same(tmp_path, settings, variant, kind):
    require()
    source = _Writer(tmp_path / "book.xlsx", variant).build()
    _check(convert(source, tmp_path / "out", kind), settings)


def test_an_item_under_a_bare_subtotal_stays_in_its_table_above_a_stacked_pnl(tmp_path, settings):
    """Found by the test above: after "小计", the next rows were searched for a header, the P&L's was found
    within reach, and 泰岳's row became the P&L's "title" — dropped without a word."""
    variant = Variant(
        "merged",
        "two_row",
        "dash",
        "every",
        "小计",
        None,
        False,
        "元",
        "header",
        0,
        0,
        0,
        "below",
        1,
        "Sheet1",
    )
    _check(_Writer(tmp_path / "book.xlsx", variant).build(), settings)
