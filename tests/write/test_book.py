"""The report workbook's building blocks."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import xlsxwriter
from hypothesis import given
from hypothesis import settings as settings_
from hypothesis import strategies as st

from kamxl.write.xlsx.book import FormulaWorksheet


@pytest.mark.parametrize(
    "formula",
    [
        "=SUM(A1:A9)",
        '=IF(B2="","",B2/C2)',
        '=SUMIFS(E7:AB7,$E$6:$AB$6,"计划")',
        "=COUNTIF('问题'!$A:$A,\"错误\")",
        "=UNIQUE(A1:A9)",
        "=XLOOKUP(1,A:A,B:B)",
        "=SORT(A1:A3)",
        "=FILTER(A1:A9,B1:B9>0)",
        "SUM(A1)",
        "{=SUM(A1:A2*B1:B2)}",
    ],
)
def test_fast_formula_path_gives_what_xlsxwriter_gives(tmp_path, formula):
    wb = xlsxwriter.Workbook(tmp_path / "f.xlsx")
    plain, fast = wb.add_worksheet("a"), wb.add_worksheet("b", worksheet_class=FormulaWorksheet)
    assert fast._prepare_formula(formula) == plain._prepare_formula(formula)
    wb.close()


COLUMNS = [  # (writer, values, format): a column written at once must equal the same cells written one by one
    ("text", ["朗通", None, float("nan"), 12.0, '=HYPERLINK("x")', "两行\n文字", ""], "text"),
    ("text", ["甲" * 40000, "乙"], "wrap"),
    ("number", [1.5, None, float("nan"), -1234567.891, 0, 7, float("inf"), float("-inf")], "money"),
    ("number", [0.25, None, 1], "percent"),
    (
        "date",
        [
            dt.date(2026, 3, 5),
            None,
            dt.datetime(2026, 3, 6, 14, 30),
            dt.date(1900, 1, 15),
            dt.date(1900, 3, 1),
        ],
        "date",
    ),
    ("formula", [("A1*2", 4.0), ('IF(A1="","",1)', None), ('IF(A1>0,"超","")', "超"), ("A1", -3)], "money"),
]


def _cells(path):
    import openpyxl

    ws = openpyxl.load_workbook(path)["s"]
    return {
        (c.row, c.column): (c.value, c.number_format, c.border.left.style)
        for row in ws.iter_rows()
        for c in row
    }


@pytest.mark.parametrize("kind,values,fmt", COLUMNS)
def test_a_column_at_once_writes_what_cell_by_cell_writes(tmp_path, settings, kind, values, fmt):
    from kamxl.write.xlsx.book import Book

    results = {}
    for how in ("cells", "column"):
        path = tmp_path / f"{how}.xlsx"
        wb = xlsxwriter.Workbook(path)
        book = Book(wb, settings, {"source": "x", "period": "", "version": "0", "as_of": ""})
        sh = book.add("x", "s")
        if how == "cells":
            for r, v in enumerate(values, 2):
                if kind == "formula":
                    sh.formula(r, 1, v[0], v[1], fmt)
                else:
                    getattr(sh, kind)(r, 1, v, fmt)
        elif kind == "formula":
            sh.formula_column(2, 1, [f for f, _ in values], [v for _, v in values], fmt)
        else:
            getattr(sh, f"{kind}_column")(2, 1, values, fmt)
        results[how] = (dict(sh.widths), dict(sh.numbers), [i.code for i in book.issues], dict(sh.wrapped))
        book.close()
        results[how] += (_cells(path),)
    assert results["column"] == results["cells"]


def test_a_number_column_can_leave_blanks_unwritten(tmp_path, settings):
    from kamxl.write.xlsx.book import Book

    wb = xlsxwriter.Workbook(tmp_path / "b.xlsx")
    sh = Book(wb, settings, {"source": "x", "period": "", "version": "0", "as_of": ""}).add("x", "s")
    sh.number_column(0, 0, [1.0, None, float("nan"), 2.0], blanks=False)
    assert sorted(sh.ws.table) == [0, 3]
    wb.close()


def test_fast_cells_write_the_xml_xlsxwriter_writes(tmp_path):
    """Every kind of cell, formatted or not, through FormulaWorksheet and through XlsxWriter's worksheet.

    The same sheet XML, byte for byte."""
    import zipfile

    path = tmp_path / "cells.xlsx"
    wb = xlsxwriter.Workbook(path)
    money, bold = wb.add_format({"num_format": "#,##0.00", "border": 1}), wb.add_format({"bold": True})
    for ws in (wb.add_worksheet("plain"), wb.add_worksheet("fast", worksheet_class=FormulaWorksheet)):
        r = 0
        for fmt in (money, bold, None):
            for v in (0.0, -1234567.891, 1e-7, 3.0, 12345678901234567.0, 2**53 + 1.0, 0.1 + 0.2):
                ws.write_number(r, 0, v, fmt)
                ws.write_formula(r, 1, '=IF(A1>0,A1&"<x>",B2)', fmt, v)
                r += 1
            for text in ("朗通", " lead & trail ", "<tag>", 'say "hi"', "two\nlines", "=not a formula"):
                ws.write_string(r, 0, text, fmt)
                r += 1
            for value in ("", "超", True, False, "#DIV/0!", 7, None):
                ws.write_formula(r, 1, "=SUM(A1:A3)", fmt, value)
                r += 1
            ws.write_blank(r, 0, None, fmt)
            ws.write_datetime(r, 1, dt.datetime(2026, 3, 5, 9, 30), fmt)
            ws.write_boolean(r, 2, True, fmt)
            ws.write_url(r, 3, "https://example.com/?a=1&b=2", fmt, "link")
            ws.write_array_formula(r, 4, r, 4, "{=SUM(A1:A2*B1:B2)}", fmt, 3)
            r += 1
    wb.close()
    with zipfile.ZipFile(path) as z:  # the cells: the sheets differ elsewhere (the first is the selected tab)
        plain, fast = (
            re.search(rb"<sheetData>.*</sheetData>", z.read(f"xl/worksheets/sheet{i}.xml"), re.S).group(0)
            for i in (1, 2)
        )
    assert plain.count(b"<c ") > 80
    assert fast == plain


PUT = [  # kind, items: put_column must store what XlsxWriter's writers store, cell for cell
    ("number", [1.5, None, -2.0, 1e300, None]),
    ("number", [None, None, 3.0]),
    ("string", ["朗通", None, "a & <b>", "x" * 20000, "朗通"]),
    ("formula", [("A1*2", 4.0), ('IF(A1="","",1)', ""), ('IF(A1>0,"超","")', "超"), ("SUM(A1:A3)", 0.0)]),
    ("formula", [("A1*2", 4.0), ("UNIQUE(A1:A9)", 0.0)]),  # a dynamic-array function: XlsxWriter's own path
    ("formula", [("{=SUM(A1:A2*B1:B2)}", 3.0)]),  # an array formula: likewise
]


def _one_by_one(ws, row0: int, col: int, kind: str, items: list, fmt) -> None:
    """What put_column stands for: XlsxWriter's own writers, a cell at a time."""
    for r, item in enumerate(items, row0):
        if kind == "number" and item is not None:
            ws.write_number(r, col, item, fmt)
        elif kind == "string":
            ws.write_string(r, col, item, fmt) if item is not None else ws.write_blank(r, col, None, fmt)
        elif kind == "formula":
            ws.write_formula(r, col, item[0], fmt, item[1])


@pytest.mark.parametrize("constant_memory", [False, True])
@pytest.mark.parametrize("kind,items", PUT)
def test_put_column_stores_what_the_writers_store(tmp_path, kind, items, constant_memory):
    import zipfile

    path = tmp_path / "put.xlsx"
    wb = xlsxwriter.Workbook(path, {"constant_memory": constant_memory})
    fmt = wb.add_format({"border": 1})
    one, column = (
        wb.add_worksheet("a", worksheet_class=FormulaWorksheet),
        wb.add_worksheet("b", worksheet_class=FormulaWorksheet),
    )
    _one_by_one(one, 3, 2, kind, items, fmt)
    column.put_column(3, 2, kind, items, fmt)
    if not constant_memory:
        assert {r: dict(cols) for r, cols in column.table.items() if cols} == {
            r: dict(cols) for r, cols in one.table.items() if cols
        }
    wb.close()
    with zipfile.ZipFile(path) as z:
        a, b = (
            re.search(
                rb"<sheetData>.*</sheetData>|<sheetData/>", z.read(f"xl/worksheets/sheet{i}.xml"), re.S
            ).group(0)
            for i in (1, 2)
        )
        dims = [
            re.search(rb'<dimension ref="[^"]*"/>', z.read(f"xl/worksheets/sheet{i}.xml")).group(0)
            for i in (1, 2)
        ]
    assert a == b and dims[0] == dims[1]


def test_put_column_outside_the_sheet_is_refused_as_the_writers_refuse(tmp_path):
    wb = xlsxwriter.Workbook(tmp_path / "x.xlsx")
    ws = wb.add_worksheet(worksheet_class=FormulaWorksheet)
    ws.put_column(1_048_575, 0, "number", [1.0, 2.0], None)  # the second row is past Excel's last
    assert dict(ws.table[1_048_575]) and not ws.table.get(1_048_576)
    wb.close()


@pytest.mark.slow
@settings_(max_examples=80, deadline=None)
@given(kind=st.sampled_from(["number", "string", "formula"]), data=st.data())
def test_put_column_writes_what_the_writers_write_for_any_values(tmp_path_factory, kind, data):
    """Any finite numbers, any text (XML specials, control characters, CJK, long), any cached values.

    The same workbook XML."""
    import zipfile

    if kind == "number":
        items = data.draw(
            st.lists(st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False)), max_size=40)
        )
    elif kind == "string":
        items = data.draw(st.lists(st.one_of(st.none(), st.text(max_size=30)), max_size=40))
    else:
        items = data.draw(
            st.lists(
                st.tuples(
                    st.sampled_from(["A1*2", 'IF(A1>0,"<&>",B1)', 'SUM(A1:A9)&"x"']),
                    st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=8)),
                ),
                max_size=40,
            )
        )
    path = tmp_path_factory.mktemp("put") / "p.xlsx"
    wb = xlsxwriter.Workbook(path)
    fmt = wb.add_format({"num_format": "0.00"})
    one, column = (
        wb.add_worksheet("a", worksheet_class=FormulaWorksheet),
        wb.add_worksheet("b", worksheet_class=FormulaWorksheet),
    )
    _one_by_one(one, 0, 1, kind, items, fmt)
    column.put_column(0, 1, kind, items, fmt)
    wb.close()
    with zipfile.ZipFile(path) as z:
        a, b = (
            re.search(
                rb"<sheetData.*?(?:</sheetData>|/>)", z.read(f"xl/worksheets/sheet{i}.xml"), re.S
            ).group(0)
            for i in (1, 2)
        )
    assert a == b
