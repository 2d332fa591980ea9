"""Several tables on one sheet (issue 14, class 7): stacked with blank rows between, or side by side
with a blank column between. Each is read as its own form; a block no form reads is a warning at its
first cell. Every expected figure below is written out by hand from the rows the test writes."""

from __future__ import annotations

import json

import openpyxl
import pytest

from kamxl.read import read_workbook
from tests.write.libreoffice import convert, require

# 应收帐款规划表: a title, 客户/产品/总欠款, two months over 计划/实收, two customers and a 合计.
RECEIVABLES = [
    ["华东区 应收帐款规划表 2026"],
    ["客户", "产品", "总欠款", "一月", None, "二月", None],
    [None, None, None, "计划", "实收", "计划", "实收"],
    ["朗通", "产品A", 300000, 50000, 48000, 50000, 50000],
    ["泰岳", "产品B", 180000, 30000, 28000, 30000, 31000],
    ["合计", None, 480000, 80000, 76000, 80000, 81000],
]
# merged header cells, relative to the table's first row and column (0-based): (r0, c0, r1, c1)
RECEIVABLES_MERGED = [(1, 3, 1, 4), (1, 5, 1, 6)]

# 预期损益表 with a three-level header: 时间, then 收入项 / 支出项 groups over lines over 计划/实际.
PNL = [
    ["预期损益表"],
    ["时间", "收入项", None, "支出项", None, "预期盈亏", None],
    [None, "产品A", None, "区域广告", None, None, None],
    [None, "计划", "实际", "计划", "实际", "计划", "实际"],
    ["1月", 100, 110, 20, 25, 80, 85],
    ["2月", 100, 90, 20, 15, 80, 75],
    ["合计", 200, 200, 40, 40, 160, 160],
]
PNL_MERGED = [(1, 1, 1, 2), (1, 3, 1, 4), (1, 5, 2, 6), (2, 1, 2, 2), (2, 3, 2, 4)]

# By hand from RECEIVABLES: customer -> 总欠款; (customer, month) -> (计划, 实收).
OWED = {"朗通": 300000, "泰岳": 180000}
MONTHS = {
    ("朗通", 1): (50000, 48000),
    ("朗通", 2): (50000, 50000),
    ("泰岳", 1): (30000, 28000),
    ("泰岳", 2): (30000, 31000),
}
# By hand from PNL: (month, group, line) -> (计划, 实际).
PNL_EXPECTED = {
    (1, "revenue", "产品A"): (100, 110),
    (1, "expense", "区域广告"): (20, 25),
    (1, "profit", "预期盈亏"): (80, 85),
    (2, "revenue", "产品A"): (100, 90),
    (2, "expense", "区域广告"): (20, 15),
    (2, "profit", "预期盈亏"): (80, 75),
}
# A block that is no form: vehicle costs.
VEHICLES = [
    ["车辆费用"],
    ["车辆", "里程", "油费"],
    ["沪A12345", 1200, 860],
    ["沪B54321", 800, 560],
]


def _put(ws, top, left, rows, merged=()):
    """Write ``rows`` with their first cell at (top, left), 1-based as openpyxl counts, and merge."""
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if value is not None:
                ws.cell(top + i, left + j, value)
    for r0, c0, r1, c1 in merged:
        ws.merge_cells(start_row=top + r0, start_column=left + c0, end_row=top + r1, end_column=left + c1)


def _book(path, *blocks, title="Sheet1"):
    """One sheet holding each (top, left, rows, merged) block."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for top, left, rows, merged in blocks:
        _put(ws, top, left, rows, merged)
    wb.save(path)
    return path


def _receivables(result):
    main = result.table("receivables")
    months = result.table("receivables", "months")
    owed = dict(zip(main["customer"], main["total_owed"], strict=True))
    plan = {
        (c, m): (p, a)
        for c, m, p, a in months.merge(main[["row", "customer"]], on="row")[
            ["customer", "month", "plan", "actual"]
        ].itertuples(index=False)
    }
    return owed, plan


def _pnl(result):
    main = result.table("pnl")
    return {
        (m, g, line): (p, a)
        for m, g, line, p, a in main[["month", "group", "line", "plan", "actual"]].itertuples(index=False)
    }


def _stacked(path, gap=2, title="Sheet1"):
    """The receivables plan from A1, then ``gap`` blank rows, then the P&L."""
    below = 1 + len(RECEIVABLES) + gap
    return _book(
        path, (1, 1, RECEIVABLES, RECEIVABLES_MERGED), (below, 1, PNL, PNL_MERGED), title=title
    ), below


@pytest.mark.parametrize("gap", [1, 2, 4])
def test_a_pnl_under_the_receivables_plan_is_read_too(tmp_path, settings, gap):
    path, below = _stacked(tmp_path / "book.xlsx", gap=gap)
    result = read_workbook(path, settings)
    assert not result.issues, result.issues
    assert _receivables(result) == (OWED, MONTHS)
    assert _pnl(result) == PNL_EXPECTED
    [pnl] = result.forms["pnl"]
    totals = pnl.tables["totals"]
    assert totals["row"].unique().tolist() == [below + 6]  # the P&L's 合计, Excel row
    assert sorted(totals["plan"].tolist()) == [40, 160, 200]
    # the receivables' own rows and totals are untouched by the table under them
    [receivables] = result.forms["receivables"]
    assert receivables.tables["main"]["row"].tolist() == [4, 5]
    assert receivables.tables["totals"]["total_owed"].tolist() == [480000]
    assert [(s.form, s.header_row, s.rows, s.area) for s in result.sheets] == [
        ("receivables", 2, 2, f"A1:G{below - 1}"),
        ("pnl", below + 1, 2, f"A{below}:G{below + 6}"),
    ]
    assert pnl.meta.get("title") == "预期损益表"


def test_a_pnl_right_under_the_receivables_total_row_is_read_too(tmp_path, settings):
    """No blank row between: the 合计 row ends the receivables, the P&L's title opens the next table."""
    path, below = _stacked(tmp_path / "book.xlsx", gap=0)
    result = read_workbook(path, settings)
    assert not result.issues, result.issues
    assert _receivables(result) == (OWED, MONTHS)
    assert _pnl(result) == PNL_EXPECTED
    assert [s.area for s in result.sheets] == ["A1:G6", f"A{below}:G{below + 6}"]


def test_the_receivables_plan_alone_reads_the_same_as_with_a_pnl_under_it(tmp_path, settings):
    alone = read_workbook(_book(tmp_path / "alone.xlsx", (1, 1, RECEIVABLES, RECEIVABLES_MERGED)), settings)
    path, _ = _stacked(tmp_path / "stacked.xlsx")
    stacked = read_workbook(path, settings)
    for name, table in alone.forms["receivables"][0].tables.items():
        assert stacked.forms["receivables"][0].tables[name].equals(table), name
    assert [s.area for s in alone.sheets] == [None]  # a sheet of one table is listed as always


def test_a_sheet_named_for_one_form_still_reads_the_other_table_by_its_header(tmp_path, settings):
    """The sheet's name says 应收; the table under it has a P&L header and is a P&L."""
    path, _ = _stacked(tmp_path / "book.xlsx", title="应收")
    result = read_workbook(path, settings)
    assert not result.issues, result.issues
    assert _receivables(result) == (OWED, MONTHS)
    assert _pnl(result) == PNL_EXPECTED


def test_a_table_above_the_one_the_sheet_name_names_is_read_too(tmp_path, settings):
    """Sheet 损益 is recognised as the P&L, which sits under a receivables plan: both are read."""
    path, _ = _stacked(tmp_path / "book.xlsx", title="损益")
    result = read_workbook(path, settings)
    assert not result.issues, result.issues
    assert _receivables(result) == (OWED, MONTHS)
    assert _pnl(result) == PNL_EXPECTED


def test_tables_side_by_side_are_each_read(tmp_path, settings):
    """The receivables plan in A:G, column H blank, the P&L in I:O, both from row 1."""
    path = _book(tmp_path / "book.xlsx", (1, 1, RECEIVABLES, RECEIVABLES_MERGED), (1, 9, PNL, PNL_MERGED))
    result = read_workbook(path, settings)
    assert not result.issues, result.issues
    assert _receivables(result) == (OWED, MONTHS)
    assert _pnl(result) == PNL_EXPECTED
    assert result.table("pnl")["plan_col"].tolist() == ["J", "L", "N", "J", "L", "N"]
    assert [(s.form, s.area) for s in result.sheets] == [("receivables", "A1:G7"), ("pnl", "I1:O7")]


def test_a_table_beside_another_may_start_lower_down(tmp_path, settings):
    """The P&L in I5:O11, beside a receivables plan in A1:G6."""
    path = _book(tmp_path / "book.xlsx", (1, 1, RECEIVABLES, RECEIVABLES_MERGED), (5, 9, PNL, PNL_MERGED))
    result = read_workbook(path, settings)
    assert not result.issues, result.issues
    assert _receivables(result) == (OWED, MONTHS)
    assert _pnl(result) == PNL_EXPECTED
    assert result.table("pnl")["row"].tolist() == [9, 9, 9, 10, 10, 10]


def test_a_block_between_two_tables_is_reported_and_both_tables_read(tmp_path, settings):
    """Receivables A1:G6, vehicle costs A9:C12, P&L from A15: the middle block is the receivables' tail."""
    path = _book(
        tmp_path / "book.xlsx",
        (1, 1, RECEIVABLES, RECEIVABLES_MERGED),
        (9, 1, VEHICLES, ()),
        (15, 1, PNL, PNL_MERGED),
    )
    result = read_workbook(path, settings)
    assert _receivables(result) == (OWED, MONTHS)
    assert _pnl(result) == PNL_EXPECTED
    [issue] = result.issues
    assert (issue.code, issue.cell, issue.params["cells"]) == ("table_not_read", "A9", 10)


def test_a_blank_spacer_column_inside_a_table_does_not_cut_it(tmp_path, settings):
    """总欠款 | (blank) | 一月 …: the months right of the blank column are the same table's."""
    rows = [[*row[:3], None, *row[3:]] for row in RECEIVABLES]
    merged = [(r0, c0 + 1, r1, c1 + 1) for r0, c0, r1, c1 in RECEIVABLES_MERGED]
    result = read_workbook(_book(tmp_path / "book.xlsx", (1, 1, rows, merged)), settings)
    assert not result.issues, result.issues
    assert _receivables(result) == (OWED, MONTHS)
    assert [s.area for s in result.sheets] == [None]


def test_an_unread_block_under_a_table_is_a_warning_at_its_first_cell(tmp_path, settings, settings_en):
    path = _book(tmp_path / "book.xlsx", (1, 1, RECEIVABLES, RECEIVABLES_MERGED), (9, 1, VEHICLES, ()))
    result = read_workbook(path, settings)
    assert _receivables(result) == (OWED, MONTHS)
    [issue] = result.issues
    assert (issue.code, issue.severity, issue.sheet, issue.cell) == (
        "table_not_read",
        "warning",
        "Sheet1",
        "A9",
    )
    assert issue.params["cells"] == 10  # 1 title + 3 header cells + 2 rows of 3
    assert "A9" in settings.message(issue) and "没有读取" in settings.message(issue)
    assert "A9" in settings_en.message(issue) and "not read" in settings_en.message(issue)


def test_an_unread_block_beside_a_table_is_a_warning_and_leaves_the_table_as_it_reads_alone(
    tmp_path, settings
):
    """The block's header sits in the table's sub-header row: without the cut it spoils 计划/实收."""
    path = _book(tmp_path / "book.xlsx", (1, 1, RECEIVABLES, RECEIVABLES_MERGED), (2, 9, VEHICLES[1:], ()))
    result = read_workbook(path, settings)
    assert _receivables(result) == (OWED, MONTHS)
    [issue] = result.issues
    assert (issue.code, issue.cell, issue.params["cells"]) == ("table_not_read", "I2", 9)


@pytest.mark.parametrize(
    "below",
    [
        [["备注:二月实收含预付款。"], ["1. 泰岳二月多付 1,000 元"]],  # notes
        [["制表:王伟", None, "审核:李娜"]],  # a signature line
        [["以上数据截至 3 月 31 日"]],  # a lone remark
        [["填表人:王伟", "日期:2026-03-31"]],  # two cells of text, nothing under them
    ],
)
def test_notes_signatures_and_remarks_under_a_table_are_not_a_table(tmp_path, settings, below):
    path = _book(tmp_path / "book.xlsx", (1, 1, RECEIVABLES, RECEIVABLES_MERGED), (9, 1, below, ()))
    result = read_workbook(path, settings)
    assert _receivables(result) == (OWED, MONTHS)
    assert "table_not_read" not in {i.code for i in result.issues}


def test_a_title_and_units_row_over_the_second_table_are_its_head_not_a_block(tmp_path, settings):
    """单位:万元 over the P&L applies to the P&L only; 编制:王伟 beside it in the same row is no table."""
    head = [["华东区 2026"], ["单位:元", "编制:王伟"], []]
    pnl = [PNL[0], ["单位:万元", "编制:王伟"], *PNL[1:]]
    merged = [(r0 + 1, c0, r1 + 1, c1) for r0, c0, r1, c1 in PNL_MERGED]
    path = _book(
        tmp_path / "book.xlsx",
        (1, 1, head, ()),
        (4, 1, RECEIVABLES[1:], [(r0 - 1, c0, r1 - 1, c1) for r0, c0, r1, c1 in RECEIVABLES_MERGED]),
        (11, 1, pnl, merged),
    )
    result = read_workbook(path, settings)
    assert {i.code for i in result.issues} == {"units_applied"}, result.issues
    assert _receivables(result) == (OWED, MONTHS)
    assert _pnl(result) == {key: (p * 10000, a * 10000) for key, (p, a) in PNL_EXPECTED.items()}


def test_check_lists_each_table_of_a_sheet_with_its_area(tmp_path, settings):
    from click.testing import CliRunner

    from kamxl.cli import main

    path, below = _stacked(tmp_path / "book.xlsx")
    run = CliRunner().invoke(main, ["check", "--json", str(path)])
    [book] = json.loads(run.output)
    assert [(s["form"], s.get("area")) for s in book["sheets"]] == [
        ("receivables", f"A1:G{below - 1}"),
        ("pnl", f"A{below}:G{below + 6}"),
    ]


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["ods", "xls"])
@pytest.mark.parametrize("layout", ["stacked", "side_by_side"])
def test_several_tables_saved_by_libreoffice_read_the_same(tmp_path, settings, kind, layout):
    """.ods has no merged ranges for calamine: the tables are still found and their groups spread."""
    require()
    if layout == "stacked":
        path, _ = _stacked(tmp_path / "book.xlsx")
    else:
        path = _book(tmp_path / "book.xlsx", (1, 1, RECEIVABLES, RECEIVABLES_MERGED), (1, 9, PNL, PNL_MERGED))
    result = read_workbook(convert(path, tmp_path / "out", kind), settings)
    assert _receivables(result) == (OWED, MONTHS)
    assert _pnl(result) == PNL_EXPECTED
