"""The report workbook's building blocks."""

from __future__ import annotations

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
