"""The report workbook's building blocks."""

from __future__ import annotations

import datetime as dt

import pytest
import xlsxwriter

from kamxl.write.xlsx.book import FormulaWorksheet


@pytest.mark.parametrize("formula", [
    "=SUM(A1:A9)", '=IF(B2="","",B2/C2)', '=SUMIFS(E7:AB7,$E$6:$AB$6,"计划")', "=COUNTIF('问题'!$A:$A,\"错误\")",
    "=UNIQUE(A1:A9)", "=XLOOKUP(1,A:A,B:B)", "=SORT(A1:A3)", "=FILTER(A1:A9,B1:B9>0)", "SUM(A1)", "{=SUM(A1:A2*B1:B2)}",
])
def test_fast_formula_path_gives_what_xlsxwriter_gives(tmp_path, formula):
    wb = xlsxwriter.Workbook(tmp_path / "f.xlsx")
    plain, fast = wb.add_worksheet("a"), wb.add_worksheet("b", worksheet_class=FormulaWorksheet)
    assert fast._prepare_formula(formula) == plain._prepare_formula(formula)
    wb.close()


COLUMNS = [  # (writer, values, format): a column written at once must equal the same cells written one by one
    ("text", ["朗通", None, float("nan"), 12.0, "=HYPERLINK(\"x\")", "两行\n文字", ""], "text"),
    ("text", ["甲" * 40000, "乙"], "wrap"),
    ("number", [1.5, None, float("nan"), -1234567.891, 0, 7], "money"),
    ("number", [0.25, None, 1], "percent"),
    ("date", [dt.date(2026, 3, 5), None, dt.datetime(2026, 3, 6, 14, 30), dt.date(1900, 1, 15), dt.date(1900, 3, 1)], "date"),
    ("formula", [("A1*2", 4.0), ('IF(A1="","",1)', None), ('IF(A1>0,"超","")', "超"), ("A1", -3)], "money"),
]


def _cells(path):
    import openpyxl

    ws = openpyxl.load_workbook(path)["s"]
    return {(c.row, c.column): (c.value, c.number_format, c.border.left.style) for row in ws.iter_rows() for c in row}


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
