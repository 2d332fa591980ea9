"""损益: the one colour rule on the P&L's variances, both ways (docs/method.md §10, formats.behind_below).

Worse than plan by more than 10 % red (revenue or profit under plan, expense over it), on or better than
plan green, in between uncoloured. The rules are the sheet's conditional formats, evaluated here against
the cached figures of each month and of the to-date row.
"""

from __future__ import annotations

import datetime as dt
import re

import openpyxl
import pytest

from kamxl.pipeline import RunOptions, process

MONTHS = ("一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月", "十一月", "十二月")
# plan 100,000 revenue and 60,000 expense a month; actuals January–April
REVENUE = (85_000, 90_000, 110_000, 100_000)
EXPENSE = (50_000, 70_000, 65_000, 60_000)
# by hand: revenue −15 %, −10 % (on the line), +10 %, 0; expense −16.7 %, +16.7 %, +8.3 %, 0;
# profit (plan 40,000) 35,000 −12.5 %, 20,000 −50 %, 45,000 +12.5 %, 40,000 0;
# to date: revenue 385,000 against 400,000 (−3.75 %), expense 245,000 against 240,000 (+2.1 %),
# profit 140,000 against 160,000 (−12.5 %)
EXPECTED = {
    "收入差异": ["bad", "", "good", "good", ""],
    "支出差异": ["good", "bad", "", "good", ""],
    "利润差异": ["bad", "bad", "good", "good", "bad"],
}


def _pnl(path):
    import xlsxwriter

    workbook = xlsxwriter.Workbook(path)
    ws = workbook.add_worksheet("预期损益表")
    ws.write_row(0, 0, ["预期损益表 — 测试 2026"])
    ws.write(2, 0, "时间")
    ws.merge_range(2, 1, 2, 2, "收入项")
    ws.merge_range(2, 3, 2, 4, "支出项")
    ws.merge_range(3, 1, 3, 2, "产品A")
    ws.merge_range(3, 3, 3, 4, "人员工资")
    ws.write_row(4, 0, [None, "计划", "实际", "计划", "实际"])
    for index, month in enumerate(MONTHS):
        actuals = (REVENUE[index], EXPENSE[index]) if index < len(REVENUE) else (None, None)
        ws.write_row(5 + index, 0, [month, 100_000, actuals[0], 60_000, actuals[1]])
    workbook.close()


@pytest.fixture(scope="module")
def sheet(tmp_path_factory, settings):
    out = tmp_path_factory.mktemp("pnl")
    _pnl(out / "pnl.xlsx")
    process(out / "pnl.xlsx", out, settings, RunOptions(dt.date(2026, 4, 30), history=None, strict=True))
    path = out / "pnl.kamxl.xlsx"
    return openpyxl.load_workbook(path)["损益"], openpyxl.load_workbook(path, data_only=True)["损益"]


def _tone(formulas, values, coordinate: str) -> str:
    """The look the conditional formats give one cell: the first rule that holds ("good" is the sheet's
    first format, "bad" its second), evaluated on the cached values."""
    column, row = re.match(r"([A-Z]+)(\d+)", coordinate).groups()
    for ranges, rules in formulas.conditional_formatting._cf_rules.items():
        if coordinate not in ranges.sqref:
            continue
        for rule in rules:
            text = rule.formula[0]
            ref = re.search(r"\$([A-Z]+)\d+", text).group(1)
            value = values[f"{ref}{row}"].value
            number = isinstance(value, (int, float))
            text = re.sub(r"ISNUMBER\(\$[A-Z]+\d+\)", str(number), text)
            text = re.sub(r"\$[A-Z]+\d+", repr(float(value) if number else 0.0), text)
            if eval(text.replace("AND(", "all_("), {"all_": lambda *parts: all(parts)}):
                return ("good", "bad")[rule.dxfId]
    return ""


def test_worse_than_plan_by_more_than_ten_percent_is_red_in_both_directions(sheet):
    formulas, values = sheet
    headings = {formulas.cell(4, col).value: col for col in range(1, formulas.max_column + 1)}
    rows = [*range(6, 10), 18]  # January–April, then the to-date row under December
    assert str(values.cell(18, 1).value).startswith("截至本期")
    for heading, looks in EXPECTED.items():
        for col in (headings[heading], headings[f"{heading}%"]):  # the variance and its % agree
            letter = openpyxl.utils.get_column_letter(col)
            found = [_tone(formulas, values, f"{letter}{row}") for row in rows]
            assert found == looks, (heading, letter, found)


def test_months_to_come_and_the_full_year_are_not_coloured(sheet):
    formulas, values = sheet
    col = next(col for col in range(1, formulas.max_column + 1) if formulas.cell(4, col).value == "利润差异")
    letter = openpyxl.utils.get_column_letter(col)
    assert [_tone(formulas, values, f"{letter}{row}") for row in (10, 17, 19)] == ["", "", ""]


def test_variances_carry_their_sign_with_a_true_minus(sheet):
    """ "-5,382,000" read as a hyphenated figure: every variance (and its %), in the months and the to-date
    row, is written +1,200 / −83,500 (the formats 趋势 and 仪表板 use)."""
    formulas, _ = sheet
    headings = {formulas.cell(4, col).value: col for col in range(1, formulas.max_column + 1)}
    signed_money, signed_percent = '+#,##0;"−"#,##0;0', '+0.0%;"−"0.0%;0.0%'
    for heading in EXPECTED:
        for row in (6, 18):
            assert formulas.cell(row, headings[heading]).number_format == signed_money, (heading, row)
            assert formulas.cell(row, headings[f"{heading}%"]).number_format == signed_percent, (heading, row)
    assert formulas.cell(18, headings[next(iter(EXPECTED))]).font.b  # the to-date row stays a total
