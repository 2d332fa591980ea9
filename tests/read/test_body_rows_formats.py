"""The main body-row layouts saved through LibreOffice as .xls and .ods read as the .xlsx does.

calamine reports no merged ranges for .ods, so a customer merged over its
product rows arrives there as written once and blank below; .xls and .ods
keep no number formats kamxl can see. Each is read to the same figures.
"""

from __future__ import annotations

import pytest
import xlsxwriter

from kamxl.read import read_workbook
from tests.write.libreoffice import convert, require

pytestmark = pytest.mark.slow


def _workbook(path):
    """Receivables (merged customers, subtotals, 万元), HR (merged employee), activities, to-do."""
    workbook = xlsxwriter.Workbook(path)
    sheet = workbook.add_worksheet("应收")
    sheet.write_row(0, 0, ["应收帐款规划表"])
    sheet.write_row(1, 0, ["单位:万元"])
    sheet.write_row(2, 0, ["客户", "产品", "总欠款", "一月计划", "一月实收"])
    sheet.merge_range("A4:A5", "朗通")
    sheet.write_row(3, 1, ["产品A", 10, 1, 0.5])
    sheet.write_row(4, 1, ["产品B", 20, 2, 0.6])
    sheet.write_row(5, 0, ["朗通 小计", None, 30, 3, 1.1])
    sheet.write_row(6, 0, ["泰岳", "产品A", 5, 0.5, 0.1])
    sheet.write_row(7, 0, ["合 计", None, 35, 3.5, 1.2])
    sheet.write_row(8, 0, ["制表:王伟"])
    hr = workbook.add_worksheet("考核表")
    hr.write_row(0, 0, ["员工", "指标", "目标", "实际", "能力"])
    hr.merge_range("A2:A3", "王伟")
    hr.write_row(1, 1, ["销售额", 1000, 1150, "4分"])
    hr.write_row(2, 1, ["回款率", 95, 97, "4分"])
    activities = workbook.add_worksheet("市场活动")
    activities.write_row(0, 0, ["工作内容", "负责人", "一月", "二月", "三月"])
    activities.write_row(1, 0, ["推介会", "李娜"])
    activities.write_boolean(1, 2, True)
    activities.write_boolean(1, 3, False)
    activities.write(1, 4, "×")
    todo = workbook.add_worksheet("待办")
    todo.write_row(0, 0, ["日期", "类别", "开始", "结束", "工作内容"])
    todo.write_row(1, 0, ["2026-03-05", "紧迫且重要", 8.45, 10.15, "拜访朗通"])
    workbook.close()
    return path


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    require()
    folder = tmp_path_factory.mktemp("formats")
    source = _workbook(folder / "rows.xlsx")
    return {"xlsx": source} | {kind: convert(source, folder / kind, kind) for kind in ("xls", "ods")}


@pytest.mark.parametrize("kind", ["xlsx", "xls", "ods"])
def test_the_same_figures_from_every_format(books, settings, kind):
    workbook = read_workbook(books[kind], settings)
    [receivables] = workbook.forms["receivables"]
    main = receivables.tables["main"]
    # 朗通 over two product rows; 万元 read in 元; the subtotal and the signature are not rows
    assert main["customer"].tolist() == ["朗通", "朗通", "泰岳"]
    assert main["total_owed"].tolist() == [100000, 200000, 50000]
    assert receivables.tables["months"]["actual"].tolist() == pytest.approx([5000, 6000, 1000])
    assert receivables.tables["subtotals"]["row"].tolist() == [6]
    assert receivables.tables["totals"]["row"].tolist() == [8]
    assert not [i for i in workbook.issues if i.code.endswith("total_mismatch")]
    assert [i.cell for i in workbook.issues if i.code == "signature_row"] == ["A9"]
    appraisal = workbook.forms["appraisal"][0].tables["main"]
    assert appraisal["employee"].tolist() == ["王伟", "王伟"]
    assert appraisal["ability"].tolist() == [4.0, 4.0]
    months = workbook.forms["activities"][0].tables["months"]
    assert months["month"].tolist() == [1]  # TRUE; FALSE and × are no ticks
    todo = workbook.forms["todo"][0].tables["main"]
    assert todo["hours"].tolist() == [pytest.approx(1.5)]  # 8:45 to 10:15
