"""Which sheets are read (docs/forms.md): hidden and duplicate copies, hidden rows, names as weak evidence.

Every workbook is written by the test with XlsxWriter, the way a manager's
Excel would save it; every expectation is computed by hand from the rows below.
"""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest
import xlsxwriter
from click.testing import CliRunner

from kamxl.cli import main
from kamxl.read import _by_name, form_specs, read_workbook
from kamxl.read.grid import Grid
from kamxl.read.parts import _hidden_rows
from tests.conftest import SAMPLES
from tests.write.libreoffice import convert, require

# The receivables plan of one region: 客户 / 产品 / 数量, 一月 and 二月 as 计划 / 实收, 总欠款.
ROWS = [
    ["朗通", "产品A", 120, 50000, 48000, 50000, 50000, 300000],
    ["泰岳", "产品B", 80, 30000, 28000, 30000, 31000, 180000],
    ["万星", "产品A", 40, 20000, 0, 20000, 15000, 90000],
]
TOTAL_OWED = 300000 + 180000 + 90000  # 570,000: once, whatever copies the workbook holds
PLAN_JAN = 50000 + 30000 + 20000  # 100,000
OTHER_REGION = [["华光", "产品C", 10, 5000, 5000, 5000, 4000, 60000]]


def _receivables(book, name, rows=ROWS, title=True, first_row=0, hidden_rows=(), hide=None):
    """One receivables sheet; its header starts at ``first_row`` (0-based), two rows below the title."""
    sheet = book.add_worksheet(name)
    top = first_row
    if title:
        sheet.write(top, 0, "应收帐款规划表")
        top += 2
    sheet.write_row(top, 0, ["客户", "产品", "数量"])
    for index, month in enumerate(["一月", "二月"]):
        sheet.merge_range(top, 3 + 2 * index, top, 4 + 2 * index, month)
        sheet.write_row(top + 1, 3 + 2 * index, ["计划", "实收"])
    sheet.write(top, 7, "总欠款")
    for index, row in enumerate(rows):
        excel_row = top + 2 + index
        options = {"hidden": True} if index in hidden_rows else None
        if options:
            sheet.set_row(excel_row, None, None, options)
        sheet.write_row(excel_row, 0, row)
    if hide == "hidden":
        sheet.hide()
    elif hide == "veryhidden":
        sheet.very_hidden()
    return sheet


def _book(tmp_path, name="book.xlsx"):
    return xlsxwriter.Workbook(str(tmp_path / name))


def _codes(result, code):
    return [issue for issue in result.issues if issue.code == code]


def _total_owed(result):
    return float(result.table("receivables")["total_owed"].sum())


def _plan(result, month):
    months = result.table("receivables", "months")
    return float(months.loc[months["month"] == month, "plan"].sum())


# -- hidden sheets ------------------------------------------------------------------------------------
@pytest.mark.parametrize("hide", ["hidden", "veryhidden"])
@pytest.mark.parametrize("copy_rows", ["same", "older"], ids=["same rows", "older figures"])
def test_a_hidden_backup_copy_of_a_visible_form_is_left_out(tmp_path, settings, hide, copy_rows):
    book = _book(tmp_path)
    _receivables(book, "应收帐款规划表")
    older = [[*row[:7], row[7] - 10000] for row in ROWS]  # a backup from before the last collections
    _receivables(book, "应收帐款规划表 (2)", rows=ROWS if copy_rows == "same" else older, hide=hide)
    book.close()
    result = read_workbook(tmp_path / "book.xlsx", settings)
    assert [sheet.sheet for sheet in result.forms["receivables"]] == ["应收帐款规划表"]
    assert _total_owed(result) == TOTAL_OWED  # not 1,140,000
    assert _plan(result, 1) == PLAN_JAN
    [warning] = _codes(result, "hidden_sheet_left_out")
    assert (warning.sheet, warning.severity, warning.params["used"]) == (
        "应收帐款规划表 (2)",
        "warning",
        "应收帐款规划表",
    )
    info = {sheet.name: sheet for sheet in result.sheets}["应收帐款规划表 (2)"]
    assert (info.form, info.left_out, info.same_as) == (None, "hidden", "应收帐款规划表")
    assert not any(issue.sheet == "应收帐款规划表 (2)" for issue in result.issues if issue is not warning)


def test_a_hidden_sheet_is_read_when_no_visible_sheet_holds_its_form(tmp_path, settings):
    book = _book(tmp_path)
    book.add_worksheet("说明").write(0, 0, "本工作簿用于三月评审。")
    _receivables(book, "应收帐款规划表", hide="hidden")
    book.close()
    result = read_workbook(tmp_path / "book.xlsx", settings)
    assert _total_owed(result) == TOTAL_OWED
    [note] = _codes(result, "hidden_sheet_read")
    assert (note.sheet, note.severity) == ("应收帐款规划表", "info")
    assert not _codes(result, "hidden_sheet_left_out")


# -- duplicate sheets ---------------------------------------------------------------------------------
@pytest.mark.parametrize("first_row", [0, 3], ids=["same place", "rows inserted above"])
def test_a_visible_copy_with_the_same_rows_is_counted_once(tmp_path, settings, first_row):
    book = _book(tmp_path)
    _receivables(book, "应收帐款规划表")
    _receivables(book, "应收帐款规划表 (2)", first_row=first_row)
    book.close()
    result = read_workbook(tmp_path / "book.xlsx", settings)
    assert [sheet.sheet for sheet in result.forms["receivables"]] == ["应收帐款规划表"]
    assert _total_owed(result) == TOTAL_OWED
    assert _plan(result, 1) == PLAN_JAN
    [warning] = _codes(result, "duplicate_sheet_left_out")
    assert (warning.sheet, warning.severity, warning.params["used"]) == (
        "应收帐款规划表 (2)",
        "warning",
        "应收帐款规划表",
    )
    info = {sheet.name: sheet for sheet in result.sheets}["应收帐款规划表 (2)"]
    assert (info.form, info.left_out, info.same_as) == (None, "duplicate", "应收帐款规划表")
    assert [issue.code for issue in result.issues if issue.sheet == "应收帐款规划表 (2)"] == [
        "duplicate_sheet_left_out"
    ]


def test_a_copy_left_out_says_only_why(tmp_path, settings):
    """The copy's own notes (here: its name overruled by its header) would repeat or mislead."""
    book = _book(tmp_path)
    _receivables(book, "应收帐款规划表", title=False)
    _receivables(book, "3月计划", title=False)
    _receivables(book, "3月计划 (2)", title=False, hide="hidden")
    book.close()
    result = read_workbook(tmp_path / "book.xlsx", settings)
    assert _total_owed(result) == TOTAL_OWED
    by_sheet = [(issue.sheet, issue.code) for issue in result.issues]
    assert by_sheet == [
        ("3月计划", "duplicate_sheet_left_out"),
        ("3月计划 (2)", "hidden_sheet_left_out"),
    ]


def test_two_hidden_copies_and_no_visible_one_are_read_once(tmp_path, settings):
    book = _book(tmp_path)
    book.add_worksheet("说明").write(0, 0, "本工作簿用于三月评审。")  # Excel keeps one sheet visible
    _receivables(book, "应收帐款规划表", hide="hidden")
    _receivables(book, "应收帐款规划表 (2)", hide="hidden")
    book.close()
    result = read_workbook(tmp_path / "book.xlsx", settings)
    assert _total_owed(result) == TOTAL_OWED
    assert [issue.sheet for issue in _codes(result, "duplicate_sheet_left_out")] == ["应收帐款规划表 (2)"]


def test_sheets_of_one_form_with_other_rows_are_all_read(tmp_path, settings):
    book = _book(tmp_path)
    _receivables(book, "华东 应收帐款")
    _receivables(book, "华南 应收帐款", rows=OTHER_REGION)
    changed = [list(row) for row in ROWS]
    changed[2][7] = 95000  # one figure differs: not a copy
    _receivables(book, "华东 应收帐款 修订", rows=changed)
    book.close()
    result = read_workbook(tmp_path / "book.xlsx", settings)
    assert _total_owed(result) == TOTAL_OWED + 60000 + (TOTAL_OWED - 90000 + 95000)
    assert not _codes(result, "duplicate_sheet_left_out")
    assert not _codes(result, "hidden_sheet_left_out")


def test_the_same_rows_under_another_title_are_not_a_copy(tmp_path, settings):
    """The title names the region and period: the same figures for two regions are both read."""
    book = _book(tmp_path)
    _receivables(book, "华东")
    sheet = _receivables(book, "华南")
    sheet.write(0, 0, "华南区 应收帐款规划表")
    book.close()
    result = read_workbook(tmp_path / "book.xlsx", settings)
    assert _total_owed(result) == 2 * TOTAL_OWED
    assert not _codes(result, "duplicate_sheet_left_out")


def test_two_blank_forms_are_not_duplicates(tmp_path, settings):
    book = _book(tmp_path)
    _receivables(book, "应收帐款规划表", rows=[])
    _receivables(book, "应收帐款规划表 (2)", rows=[])
    book.close()
    result = read_workbook(tmp_path / "book.xlsx", settings)
    assert [sheet.sheet for sheet in result.forms["receivables"]] == ["应收帐款规划表", "应收帐款规划表 (2)"]
    assert not _codes(result, "duplicate_sheet_left_out")


# -- hidden rows --------------------------------------------------------------------------------------
def test_hidden_rows_are_read_and_said(tmp_path, settings):
    book = _book(tmp_path)
    _receivables(book, "应收帐款规划表", hidden_rows=(1, 2))  # 泰岳 and 万星: Excel rows 6 and 7
    book.close()
    result = read_workbook(tmp_path / "book.xlsx", settings)
    assert _total_owed(result) == TOTAL_OWED
    [note] = _codes(result, "hidden_rows_read")
    assert (note.sheet, note.severity, note.row, note.col, note.params["rows"]) == (
        "应收帐款规划表",
        "info",
        5,
        0,
        "6-7",
    )


@pytest.mark.parametrize(
    ("xml", "rows"),
    [
        (b'<row r="3" spans="1:1" hidden="1"><c r="A3"/></row>', {2}),
        (b'<x:row r="3" hidden="true" customHeight="1"/>', {2}),  # a prefixed tag, an empty row
        (b'<row r="3" hidden="0"/><row r="4"/>', set()),
        (b'<row hidden="1"/>', set()),  # no number: no row to name
        (b'<rowBreaks count="1"><brk id="3"/></rowBreaks>', set()),
    ],
)
def test_hidden_rows_from_the_sheet_xml(xml, rows):
    assert _hidden_rows(b"<sheetData>" + xml + b"</sheetData>") == rows


def test_no_note_without_hidden_rows(tmp_path, settings):
    book = _book(tmp_path)
    sheet = _receivables(book, "应收帐款规划表")
    sheet.set_row(20, None, None, {"hidden": True})  # hidden, but below the table: nothing read is hidden
    book.close()
    result = read_workbook(tmp_path / "book.xlsx", settings)
    assert not _codes(result, "hidden_rows_read")


# -- sheet names are weak evidence --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "form"),
    [
        ("应收帐款规划表", "receivables"),
        ("应收", "receivables"),
        ("应收 (2)", "receivables"),
        ("2026应收", "receivables"),
        ("3月应收帐款", "receivables"),
        ("应收款明细", None),  # 应收 is a short title: not found inside a word
        ("客户", "customers"),
        ("客户-华东", "customers"),
        ("客户回款计划", None),  # not a customer assessment by its name
        ("3月计划", "monthly"),  # 月计划 is three characters: found inside the name
        ("P&L", "pnl"),
        ("pnl 2026", "pnl"),
        ("Sheet1", None),
    ],
)
def test_what_a_sheet_name_suggests(settings, name, form):
    assert _by_name(Grid(name, []), form_specs(settings), settings) == form


@pytest.mark.parametrize(
    ("name", "overruled"),
    [("3月计划", "月度计划"), ("客户回款计划", None), ("月度计划 (2)", "月度计划"), ("Sheet1", None)],
)
def test_a_receivables_plan_under_any_sheet_name_is_read(tmp_path, settings, name, overruled):
    book = _book(tmp_path)
    _receivables(book, name, title=False)  # no title cell: only the header and the name say what it is
    book.close()
    result = read_workbook(tmp_path / "book.xlsx", settings)
    assert [sheet.form for sheet in result.sheets] == ["receivables"]
    assert _total_owed(result) == TOTAL_OWED
    notes = _codes(result, "sheet_name_overruled")
    assert [note.params["named"] for note in notes] == ([overruled] if overruled else [])


def test_a_title_cell_outranks_the_sheet_name(tmp_path, settings):
    book = _book(tmp_path)
    _receivables(book, "损益")  # the name says P&L, the title cell says receivables plan
    book.close()
    result = read_workbook(tmp_path / "book.xlsx", settings)
    assert [sheet.form for sheet in result.sheets] == ["receivables"]
    assert _total_owed(result) == TOTAL_OWED
    assert not _codes(result, "sheet_name_overruled")  # the title decided: the name was not asked


# -- kamxl check --------------------------------------------------------------------------------------
def _two_copies(tmp_path):
    book = _book(tmp_path)
    _receivables(book, "应收帐款规划表")
    _receivables(book, "应收帐款规划表 (2)", hide="hidden")
    _receivables(book, "应收帐款规划表 (3)")
    book.close()
    return tmp_path / "book.xlsx"


def test_check_shows_a_left_out_sheet_as_not_used_with_the_reason(tmp_path):
    result = CliRunner().invoke(main, ["check", str(_two_copies(tmp_path))])
    assert "未使用:隐藏,已有可见的“应收帐款规划表”" in result.output
    assert "未使用:与“应收帐款规划表”重复" in result.output
    english = CliRunner().invoke(main, ["check", "--lang", "en", str(_two_copies(tmp_path))])
    assert "not used: hidden, “应收帐款规划表” is visible" in " ".join(english.output.split())
    assert "not used: same rows as “应收帐款规划表”" in english.output


def test_check_json_gives_why_a_sheet_was_left_out(tmp_path):
    result = CliRunner().invoke(main, ["check", "--json", str(_two_copies(tmp_path))])
    [workbook] = json.loads(result.output)
    sheets = {sheet["name"]: sheet for sheet in workbook["sheets"]}
    assert sheets["应收帐款规划表"]["form"] == "receivables"
    assert "left_out" not in sheets["应收帐款规划表"]
    copy = sheets["应收帐款规划表 (2)"]
    assert (copy["form"], copy["left_out"], copy["same_as"]) == (None, "hidden", "应收帐款规划表")
    assert sheets["应收帐款规划表 (3)"]["left_out"] == "duplicate"
    assert sheets["应收帐款规划表 (3)"]["same_as"] == "应收帐款规划表"


# -- the same workbook saved by LibreOffice as .xls and .ods ------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("kind", ["xls", "ods"])
def test_hidden_and_duplicate_sheets_saved_as_xls_and_ods(tmp_path, settings, kind):
    """Sheet visibility survives .xls and .ods; hidden rows are read, but only .xlsx says which they are."""
    require()
    book = _book(tmp_path)
    _receivables(book, "应收帐款规划表", hidden_rows=(1,))
    _receivables(book, "应收帐款规划表 (2)", hide="hidden")
    _receivables(book, "应收帐款规划表 (3)")
    book.close()
    result = read_workbook(convert(tmp_path / "book.xlsx", tmp_path / "out", kind), settings)
    assert _total_owed(result) == TOTAL_OWED
    assert _plan(result, 1) == PLAN_JAN
    left_out = {sheet.name: sheet.left_out for sheet in result.sheets if sheet.left_out}
    assert left_out == {"应收帐款规划表 (2)": "hidden", "应收帐款规划表 (3)": "duplicate"}
    assert not _codes(result, "hidden_rows_read")  # the hidden row (泰岳) is read, without a note


# -- every form: a copy of the sample sheet, hidden or visible ----------------------------------------
FORM_SAMPLES = sorted(SAMPLES.glob("form-*.xlsx"))


def _tables(result):
    """Every form's tables, without the sheet column (the copy's rows must be the original's, once)."""
    return {
        (form, name): frame.drop(columns="sheet").reset_index(drop=True)
        for form in result.forms
        for name in result.forms[form][0].tables
        if (frame := result.table(form, name)) is not None
    }


@pytest.mark.parametrize("sample", FORM_SAMPLES, ids=[path.stem for path in FORM_SAMPLES])
@pytest.mark.parametrize("hide", [True, False], ids=["hidden copy", "visible copy"])
def test_a_copy_of_any_form_is_read_once(tmp_path, settings, sample, hide):
    workbook = openpyxl.load_workbook(sample, data_only=True)
    workbook.save(tmp_path / "plain.xlsx")
    copy = workbook.copy_worksheet(workbook.worksheets[0])
    copy.title = f"{workbook.worksheets[0].title} (2)"
    copy.sheet_state = "hidden" if hide else "visible"
    workbook.save(tmp_path / "copied.xlsx")
    plain = read_workbook(tmp_path / "plain.xlsx", settings)
    copied = read_workbook(tmp_path / "copied.xlsx", settings)
    expected, got = _tables(plain), _tables(copied)
    assert expected.keys() == got.keys()
    for key, frame in expected.items():
        pd.testing.assert_frame_equal(got[key], frame, obj=str(key))
    [left_out] = [sheet for sheet in copied.sheets if sheet.left_out]
    assert (left_out.name, left_out.left_out) == (copy.title, "hidden" if hide else "duplicate")
