"""应收帐款: the key cells the dashboard's tiles link to, and the aging per customer under the aging table.

The aging per customer is SUMIFS over the sheet's own customer, aging and balance columns; without due
dates the sheet says so in one sentence. LibreOffice's recalculation must equal every cached value.
"""

from __future__ import annotations

import openpyxl
import pytest

from kamxl.pipeline import RunOptions, process
from tests.conftest import SAMPLES
from tests.write.libreoffice import convert, formula_cells, require, same
from tests.write.test_owners_sheet import AS_OF, workbook

BUCKETS = ["客户", "未到期", "1–30 天", "31–60 天", "61–90 天", "90 天以上", "合计"]


@pytest.fixture(scope="module")
def dated(tmp_path_factory, settings):
    """The 负责人 tests' plan: four lines of three customers, each with a due date."""
    folder = tmp_path_factory.mktemp("receivables")
    workbook(folder / "dated.xlsx")
    process(folder / "dated.xlsx", folder, settings, RunOptions(AS_OF, history=None, strict=True))
    return folder / "dated.kamxl.xlsx"


@pytest.fixture(scope="module")
def combined(tmp_path_factory, settings):
    folder = tmp_path_factory.mktemp("combined")
    process(SAMPLES / "east-2026-03.xlsx", folder, settings, RunOptions(AS_OF, history=None, strict=True))
    return folder / "east-2026-03.kamxl.xlsx"


def _rows_of(ws, first_label, after=1):
    head = next(row for row in range(after, ws.max_row + 1) if ws.cell(row, 1).value == first_label)
    return head, [[ws.cell(row, col).value for col in range(1, 8)] for row in range(head, ws.max_row + 1)]


def test_aging_per_customer_under_the_aging_table(dated):
    ws = openpyxl.load_workbook(dated, data_only=True)["应收帐款"]
    aging_head, aging = _rows_of(ws, "账龄")
    head, rows = _rows_of(ws, "客户", aging_head)
    assert head == aging_head + 8  # the aging table (header + 5 buckets), a blank row, the title
    assert ws.cell(head - 1, 1).value == "应收帐款账龄(评审日 2026-03-31,按到期日)"
    # by hand, as on the 负责人 sheet: 朗通 30,000 1–30 days and 40,000 over 90; 泰岳 70,000 61–90 days;
    # 万星 30,000 not yet due
    assert rows == [
        BUCKETS,
        ["朗通", 0, 30_000, 0, 0, 40_000, 70_000],
        ["泰岳", 0, 0, 0, 70_000, 0, 70_000],
        ["万星", 30_000, 0, 0, 0, 0, 30_000],
        ["合计", 30_000, 30_000, 0, 70_000, 40_000, 170_000],
    ]
    # the customers' columns add up to the aging table's balances
    assert [row[1] for row in aging[1:6]] == rows[-1][1:6]


def test_aging_per_customer_is_sumifs_over_the_sheets_own_columns(dated):
    ws = openpyxl.load_workbook(dated)["应收帐款"]
    head, _ = _rows_of(ws, "客户", _rows_of(ws, "账龄")[0])
    formula = ws.cell(head + 1, 2).value
    assert formula.startswith("=SUMIFS($") and "!" not in formula  # this sheet's columns, no other sheet
    assert ws.cell(head + 1, 7).value == f"=SUM(B{head + 1}:F{head + 1})"


def test_without_due_dates_one_sentence_and_no_table(combined):
    ws = openpyxl.load_workbook(combined, data_only=True)["应收帐款"]
    texts = [ws.cell(row, 1).value for row in range(1, ws.max_row + 1)]
    # the sentence right of the repeated key columns A:B (there it printed again, cut, on the page across)
    notes = [ws.cell(row, 3).value for row in range(1, ws.max_row + 1)]
    assert "应收帐款规划表没有到期日,无法计算账龄。" in notes
    note = notes.index("应收帐款规划表没有到期日,无法计算账龄。")
    assert "账龄" not in texts and "客户" not in texts[note:]


def test_the_month_table_names_its_months_right_of_the_repeated_columns(combined):
    """Months as their names (一月…), not 1–12; the table (and its chart) start right of the key columns
    A:B, which repeat on the page across: under them the table printed again there as a stray 月份/计划."""
    ws = openpyxl.load_workbook(combined, data_only=True)["应收帐款"]
    head = next(row for row in range(1, ws.max_row + 1) if ws.cell(row, 3).value == "月份")
    assert [ws.cell(head, col).value for col in (1, 2)] == [None, None]
    months = [ws.cell(row, 3).value for row in range(head + 1, head + 13)]
    assert months[:3] == ["一月", "二月", "三月"] and months[-1] == "十二月"
    assert all(ws.cell(row, col).value is None for row in range(head, head + 13) for col in (1, 2))
    numbers = [ws.cell(row, ws.max_column).value for row in range(head + 1, head + 13)]
    assert numbers == list(range(1, 13))  # m*'s input, in a hidden column
    hidden = openpyxl.load_workbook(combined)["应收帐款"]
    from openpyxl.utils import get_column_letter

    assert hidden.column_dimensions[get_column_letter(ws.max_column)].hidden
    assert ws["B3"].value == 3  # m* still found from the hidden numbers


def test_the_dashboards_tiles_link_to_the_sheets(combined):
    tiles = openpyxl.load_workbook(combined)["仪表板"]
    values = openpyxl.load_workbook(combined, data_only=True)["仪表板"]
    # plan, actual and rate to date on the receivables sheet; revenue and profit to date on the P&L's
    links = {"A5": "=应收帐款!$", "C5": "=应收帐款!$", "G5": "=应收帐款!$", "I5": "=损益!$", "K5": "=损益!$"}
    for at, start in links.items():
        assert str(tiles[at].value).startswith(start), at
    assert values["A5"].value == 889_500 and values["C5"].value == 806_000  # the sample, to March


@pytest.mark.slow
@pytest.mark.parametrize("which", ["dated", "combined"])
def test_libreoffice_recalculates_the_same(request, which, tmp_path):
    require()
    path = request.getfixturevalue(which)
    cached = openpyxl.load_workbook(path, data_only=True)
    lo = openpyxl.load_workbook(convert(path, tmp_path), data_only=True)
    cells = [(sheet, at) for sheet, at, _ in formula_cells(path) if sheet in ("应收帐款", "仪表板", "负责人")]
    assert len(cells) > 50
    for sheet, at in cells:
        assert same(cached[sheet][at].value, lo[sheet][at].value), f"{sheet}!{at}"
