"""Blank forms: written in zh and en, recognised, filled by a user and read back."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from kamxl.read import FORM_NAMES, read_workbook
from kamxl.write.template import write_template


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("form", FORM_NAMES)
def test_template_is_recognised_with_its_example_row(tmp_path, form, lang, settings, settings_en):
    s = settings if lang == "zh" else settings_en
    path = write_template(form, tmp_path, s)
    result = read_workbook(path, s)
    assert [x.form for x in result.sheets] == [form]
    assert result.issues == []
    assert result.forms[form][0].rows >= 1


def test_template_has_dropdowns_formats_and_live_totals(tmp_path, settings):
    path = write_template("customers", tmp_path, settings)
    ws = openpyxl.load_workbook(path).active
    lists = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    assert any("超额" in f and "微小" in f for f in lists.values())
    assert ws.freeze_panes == "A4"
    total = [c for c in ws["I"] if isinstance(c.value, str) and c.value.startswith("=SUM")]
    assert total and total[0].value == "=SUM(I4:I14)"
    assert ws["I4"].number_format == "#,##0" and ws["J4"].number_format == "yyyy-mm-dd"


def test_filled_template_reads_back(tmp_path, settings):
    path = write_template("receivables", tmp_path, settings)
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws["A6"], ws["B6"], ws["D6"], ws["E6"], ws["AB6"] = "泰岳", "产品B", 30000, "２８,０００", "18万"
    ws["AC6"] = dt.date(2026, 9, 30)
    wb.save(path)
    result = read_workbook(path, settings)
    main = result.table("receivables")
    assert main["customer"].tolist() == ["朗通", "泰岳"]
    assert main["total_owed"].tolist() == [300000, 180000]
    months = result.table("receivables", "months")
    taiyue = months[(months["row"] == 6) & (months["month"] == 1)]
    assert taiyue[["plan", "actual"]].values.tolist() == [[30000, 28000]]
    assert main["due_date"].tolist()[1] == dt.date(2026, 9, 30)
    # the 合计 row holds formulas: openpyxl saved them without results, and kamxl says so
    codes = [i.code for i in result.issues]
    assert set(codes) == {"formula_no_value", "more_cell_issues"} and codes.count(
        "formula_no_value"
    ) == settings.get("limits.max_cell_issues")


def test_template_output_is_deterministic(tmp_path, settings):
    a = write_template("pnl", tmp_path / "a", settings).read_bytes()
    b = write_template("pnl", tmp_path / "b", settings).read_bytes()
    assert a == b
