"""The ledger of one table: each non-blank cell counted once, each cell not read said at its cell.

The base workbook, cell by cell (hand-counted):

    1  华东区 2026年 应收帐款规划表                      title            notes 1
    2  客户 产品 总欠款 一月(D:E merged) 二月(F:G merged) header           headers 5
    3  .  .  .  计划 实收 计划 实收                       sub-headers      headers 4
    4  朗通 产品A 300000 50000 48000 50000 45000          item             values 7
    5  泰岳 产品B 200000 30000 30000 30000 .              item             values 6
    6  合计 . 500000 80000 78000 80000 45000              total row        totals 6
    7  (blank)
    8  备注:二月实收含预付款。                            note             notes 1
    9  制表:王伟                                          signature        notes 1

31 non-blank cells. The note ends the body, so the signature under it is a note too (no
signature_row issue: the body is not read past the note). Each case below changes a few cells
and says what becomes of them.
"""

from __future__ import annotations

import json

import openpyxl
import pytest
from click.testing import CliRunner

from kamxl.cli import main
from kamxl.read import read_workbook

BASE = {
    "A1": "华东区 2026年 应收帐款规划表",
    **dict(zip(["A2", "B2", "C2", "D2", "F2"], ["客户", "产品", "总欠款", "一月", "二月"], strict=True)),
    **dict(zip(["D3", "E3", "F3", "G3"], ["计划", "实收", "计划", "实收"], strict=True)),
    **dict(zip("ABCDEFG", ["朗通", "产品A", 300000, 50000, 48000, 50000, 45000], strict=True)),
    "A8": "备注:二月实收含预付款。",
    "A9": "制表:王伟",
}
BASE = {(key if key[-1].isdigit() else f"{key}4"): value for key, value in BASE.items()}
BASE |= {f"{c}5": v for c, v in zip("ABCDEF", ["泰岳", "产品B", 200000, 30000, 30000, 30000], strict=True)}
BASE |= {f"{c}6": v for c, v in zip("ACDEFG", ["合计", 500000, 80000, 78000, 80000, 45000], strict=True)}
COUNTS = {"values": 13, "headers": 9, "totals": 6, "notes": 3, "unread": 0}

CASES = {
    # the base as it is: nothing unread, and no issue but the signature line's own note
    "clean": ({}, COUNTS, []),
    # figures in a column without a header: one warning naming the column's range
    "figures without a header": (
        {"H4": 999, "H5": 888},
        COUNTS | {"unread": 2},
        [("figure_not_read", "H4", "H4:H5", 2)],
    ),
    # a lone remark beside the table: text, so info
    "a remark beside": (
        {"J5": "待确认"},
        COUNTS | {"unread": 1},
        [("text_not_read", "J5", "J5", 1)],
    ),
    # a number that cannot be read is read (and reported where it is), never reported twice
    "a bad number": ({"G5": "abc"}, COUNTS | {"values": 14}, [("invalid_number", "G5")]),
    # a sub-header the vocabulary lacks: its column is reported at the sub-header, once
    "an unknown sub-header": (
        {"H3": "差额", "H4": 5000, "merge": "F2:H2"},
        COUNTS | {"headers": 10, "unread": 1},
        [("unknown_subheader", "H3")],
    ),
    # a row of figures without its customer (after the total: nothing to fill it from): said at its key
    "a row without a key": (
        {"B7": "产品C", "C7": 1000, "D7": 500},
        COUNTS | {"unread": 3},
        [("missing_value", "A7")],
    ),
    # a 合计 column across the months: kept aside like a total row
    "a totals column": (
        {"H2": "合计", "H4": 98000, "H5": 60000},
        COUNTS | {"headers": 10, "totals": 8},
        [],
    ),
    # a number in the header row over nothing: no header, a figure not read
    "a number in the header row": (
        {"I2": 2026},
        COUNTS | {"unread": 1},
        [("figure_not_read", "I2", "I2", 1)],
    ),
    # a month typed as a number in the header is a header
    "a month as a number": (
        {"F2": 2026.02},
        COUNTS,
        [],
    ),
    # row numbers under 序号 label the rows: counted with the headers, no figures not read
    "a row-number column": (
        {"H2": "序号", "H4": 1, "H5": 2},
        COUNTS | {"headers": 12},
        [],
    ),
    # a table under the notes that no form reads: one warning for the block, nothing more
    "a block under": (
        {"A11": "项目", "B11": "金额", "A12": "差旅", "B12": 1000, "A13": "招待", "B13": 2000},
        COUNTS | {"unread": 6},
        [("table_not_read", "A11")],
    ),
}


def _book(tmp_path, changes):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet1"  # the title cell names the form
    cells = dict(BASE) | {key: value for key, value in changes.items() if key != "merge"}
    for ref, value in cells.items():
        sheet[ref] = value
    sheet.merge_cells("D2:E2")
    sheet.merge_cells(changes.get("merge", "F2:G2"))
    path = tmp_path / "book.xlsx"
    book.save(path)
    return path


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_every_cell_is_in_one_column_of_the_ledger_and_each_unread_cell_is_said_once(
    tmp_path, settings, case
):
    changes, counts, said = CASES[case]
    result = read_workbook(_book(tmp_path, changes), settings)
    [ledger] = result.ledgers
    assert ledger.counts == counts
    assert ledger.cells == sum(counts.values())
    got = [
        (i.code, i.cell, i.params["cells"], i.params["count"])
        if i.code.endswith("_not_read") and i.code != "table_not_read"
        else (i.code, i.cell)
        for i in result.issues
    ]
    assert sorted(got) == sorted(said)
    # each cell not read has its issue, and that issue is one of the workbook's
    assert len(ledger.unread) == counts["unread"]
    assert all(any(issue is known for known in result.issues) for issue in ledger.unread.values())


def test_a_figure_not_read_is_a_warning_and_text_not_read_is_info(tmp_path, settings):
    result = read_workbook(_book(tmp_path, {"H4": 999, "J5": "待确认"}), settings)
    severities = {i.code: i.severity for i in result.issues}
    assert severities["figure_not_read"] == "warning"
    assert severities["text_not_read"] == "info"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_message_names_the_cells_and_the_table(tmp_path, settings, settings_en, lang):
    chosen = settings if lang == "zh" else settings_en
    result = read_workbook(_book(tmp_path, {"H4": 999, "H5": 888}), chosen)
    [issue] = [i for i in result.issues if i.code == "figure_not_read"]
    message = chosen.message(issue)
    assert "H4:H5" in message and "A1:H9" in message and "999" in message


def test_numbers_in_several_columns_are_one_issue_per_block(tmp_path, settings):
    """A 2×2 block of figures beside the table is one warning, not four."""
    result = read_workbook(_book(tmp_path, {"I4": 1, "J4": 2, "I5": 3, "J5": 4}), settings)
    [issue] = [i for i in result.issues if i.code == "figure_not_read"]
    assert (issue.cell, issue.params["cells"], issue.params["count"]) == ("I4", "I4:J5", 4)


def test_check_json_lists_each_tables_ledger(tmp_path):
    path = _book(tmp_path, {"H4": 999})
    run = CliRunner().invoke(main, ["check", "--json", str(path)])
    [book] = json.loads(run.output)
    assert book["ledger"] == [
        {
            "sheet": "Sheet1",
            "form": "receivables",
            "table": "应收帐款规划表",
            "area": "A1:H9",
            "cells": 32,
            **COUNTS,
            "unread": 1,
        }
    ]


def test_check_json_lists_a_ledger_per_table_of_a_sheet(tmp_path):
    """Two tables stacked on one sheet: two ledgers, each over its own area."""
    changes = {
        "A11": "时间",
        "B11": "收入项",
        "B12": "计划",
        "C12": "实际",
        "A13": "2026年1月",
        "B13": 100,
        "C13": 90,
        "merge": "F2:G2",
    }
    book = openpyxl.load_workbook(_book(tmp_path, changes))
    book.active.merge_cells("B11:C11")
    book.save(tmp_path / "two.xlsx")
    run = CliRunner().invoke(main, ["check", "--json", str(tmp_path / "two.xlsx")])
    [result] = json.loads(run.output)
    assert [(t["form"], t["area"], t["unread"]) for t in result["ledger"]] == [
        ("receivables", "A1:G7", 0),
        ("pnl", "A8:G13", 0),
    ]
    # the note and signature line open the P&L's block: they are its head, kept as notes there
    assert [(t["cells"], t["notes"]) for t in result["ledger"]] == [(29, 1), (9, 2)]


def test_figures_in_a_band_beside_two_tables_are_said(tmp_path, settings):
    """Receivables in A:G, the P&L in I:O, loose figures in Q3:Q4 (no header): a band no form reads."""
    from tests.read.test_several_tables import PNL, PNL_MERGED, RECEIVABLES, RECEIVABLES_MERGED, _book

    loose = [[None], [None], [1500], [2500]]
    path = _book(
        tmp_path / "book.xlsx",
        (1, 1, RECEIVABLES, RECEIVABLES_MERGED),
        (1, 9, PNL, PNL_MERGED),
        (1, 17, loose, ()),
    )
    result = read_workbook(path, settings)
    assert [(ledger.form, ledger.area, ledger.counts["unread"]) for ledger in result.ledgers] == [
        ("receivables", "A1:G7", 0),
        ("pnl", "I1:O7", 0),
    ]
    assert [(i.code, i.cell, i.params["cells"], i.params["count"]) for i in result.issues] == [
        ("figure_not_read", "Q3", "Q3:Q4", 2)
    ]


def test_lines_above_a_table_further_down_are_its_head_said_once(tmp_path, settings):
    """Five lines of text over the receivables plan: a block of its own that is the table's head, notes."""
    from tests.read.test_several_tables import RECEIVABLES, RECEIVABLES_MERGED, _book

    lines = [["华东区"], ["2026年"], ["编制:王伟"], ["审核:李娜"], ["说明:按月填写"], []]
    path = _book(tmp_path / "book.xlsx", (1, 1, lines, ()), (7, 1, RECEIVABLES, RECEIVABLES_MERGED))
    result = read_workbook(path, settings)
    [ledger] = result.ledgers
    assert ledger.area == "A1:G12"
    assert ledger.counts["notes"] == 5 + 1  # the five lines and the table's own title
    assert result.issues == []
