"""Each layout variant of the forms (docs/forms.md), in a workbook built by the test."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from kamxl.read import read_workbook


def _save(wb, tmp_path, name="book.xlsx"):
    path = tmp_path / name
    wb.save(path)
    return path


def _receivables_two_level(ws, merged=True, title=True):
    if title:
        ws["A1"] = "华东区 应收帐款规划表 2026"
    ws.append([]) if title else None
    top = ws.max_row + 1 if title else 1
    ws.cell(top, 1, "客户")
    ws.cell(top, 2, "产品")
    ws.cell(top, 3, "数量")
    for m, name in enumerate(["一月", "二月", "三月"]):
        c = 4 + 2 * m
        ws.cell(top, c, name)
        if merged:
            ws.merge_cells(start_row=top, start_column=c, end_row=top, end_column=c + 1)
        ws.cell(top + 1, c, "计划")
        ws.cell(top + 1, c + 1, "实收")
    ws.cell(top, 10, "总欠款")
    rows = [
        ["朗通", "产品A", 120, 50000, 48000, 50000, "50,000", 50000, None, 300000],
        [None] * 10,  # a blank spacer row
        ["泰岳", "产品B", 80, "3万", "２８０００", 30000, 31000, 30000, None, "180,000元"],
        ["万星", "产品A", None, 20000, 0, 20000, None, 20000, None, 90000],
        ["合计", None, 200, 100000, 76000, 100000, 81000, 100000, None, 570000],
        [None] * 10,
        ["备注:二月实收含预付款。", None, None, None, None, None, None, None, None, None],
    ]
    for i, row in enumerate(rows):
        for c, v in enumerate(row, start=1):
            if v is not None:
                ws.cell(top + 2 + i, c, v)
    return top


@pytest.mark.parametrize("merged", [True, False])
def test_receivables_two_level_header_with_title_total_spacer_and_notes(tmp_path, settings, merged):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"  # the sheet name says nothing: the title cell does
    top = _receivables_two_level(ws, merged=merged)
    result = read_workbook(_save(wb, tmp_path), settings)
    assert not result.errors, result.issues
    [sheet] = result.forms["receivables"]
    assert sheet.header_row == top
    main, months = sheet.tables["main"], sheet.tables["months"]
    assert main["customer"].tolist() == ["朗通", "泰岳", "万星"]
    assert main["total_owed"].tolist() == [300000, 180000, 90000]
    assert main["row"].tolist() == [top + 2, top + 4, top + 5]
    langtong = months[months["row"] == top + 2].set_index("month")
    assert (
        langtong.loc[2, "actual"] == 50000
        and langtong.loc[1, "plan_col"] == "D"
        and langtong.loc[1, "actual_col"] == "E"
    )
    taiyue = months[months["row"] == top + 4].set_index("month")
    assert taiyue.loc[1, "plan"] == 30000 and taiyue.loc[1, "actual"] == 28000
    assert sheet.tables["totals"]["total_owed"].tolist() == [570000]  # kept aside, never data
    assert "备注" not in " ".join(main["customer"])


def test_single_row_month_headers_zh_and_en(tmp_path, settings):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "应收"
    ws.append(["客户", "一月计划", "一月实收", "Feb plan", "Feb actual", "總欠款"])
    ws.append(["朗通", 100, 90, 100, 95, 500])
    result = read_workbook(_save(wb, tmp_path), settings)
    months = result.forms["receivables"][0].tables["months"].set_index("month")
    assert months.loc[1, "plan"] == 100 and months.loc[2, "actual"] == 95


def test_traditional_and_english_headers(tmp_path, settings):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(["應收帳款規劃表"])
    ws.append(["客戶名稱", "Product", "一月", None, "總欠款"])
    ws.append([None, None, "計劃", "實收", None])
    ws.append(["朗通", "A", 10, 9, 100])
    ws2 = wb.create_sheet("Plan")
    ws2.append(["CUSTOMER", "Jan", None, "Total Owed"])
    ws2.append([None, "Plan", "Collected", None])
    ws2.append(["Langtong", 10, 8, 100])
    result = read_workbook(_save(wb, tmp_path), settings)
    assert [s.form for s in result.sheets] == ["receivables", "receivables"]
    assert result.table("receivables", "months")["actual"].tolist() == [9, 8]


def test_hidden_rows_and_columns_are_read(tmp_path, settings):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客户价值评估"
    ws.append(["客户", "负责人", "订单量", "成交可能性", "项目金额"])
    ws.append(["朗通", "王伟", "超额", "本月内", 300000])
    ws.append(["泰岳", "李娜", "重要", "考核期内", 120000])
    ws.row_dimensions[3].hidden = True
    ws.column_dimensions["E"].hidden = True
    result = read_workbook(_save(wb, tmp_path), settings)
    main = result.table("customers")
    assert main["customer"].tolist() == ["朗通", "泰岳"]
    assert main["amount"].tolist() == [300000, 120000]
    assert main["order_size"].tolist() == ["over", "major"] and main["likelihood"].tolist() == [
        "this_month",
        "this_period",
    ]


def test_missing_required_column_names_sheet_row_and_column_and_other_forms_still_read(tmp_path, settings):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "应收"
    ws.append(["应收帐款规划表"])
    ws.append(["客户", "产品", "一月", None])
    ws.append([None, None, "计划", "实收"])
    ws.append(["朗通", "A", 1, 1])
    ws2 = wb.create_sheet("客户")
    ws2.append(["客户", "订单量", "成交可能性"])
    ws2.append(["朗通", "超额", "本月内"])
    result = read_workbook(_save(wb, tmp_path), settings)
    [error] = result.errors
    assert error.code == "missing_column" and error.sheet == "应收"
    assert "总欠款" in settings.message(error) and "第 2 行" in settings.message(error)
    assert "customers" in result.forms and "receivables" not in result.forms


def test_unparseable_value_is_a_warning_at_its_cell_never_a_silent_zero(tmp_path, settings):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客户"
    ws.append(["客户", "项目金额", "订单量"])
    ws.append(["朗通", "三十万", "巨大"])
    result = read_workbook(_save(wb, tmp_path), settings)
    cells = {(i.code, i.cell) for i in result.issues}
    assert ("invalid_number", "B2") in cells and ("invalid_label", "C2") in cells
    main = result.table("customers")
    assert main["amount"].isna().all() and main["order_size"].isna().all()


def test_formula_without_cached_value_is_an_issue_at_its_cell(tmp_path, settings):
    wb = openpyxl.Workbook()  # openpyxl writes formulas without results
    ws = wb.active
    ws.title = "应收"
    ws.append(["客户", "一月计划", "一月实收", "总欠款"])
    ws.append(["朗通", 100, 90, "=B2*5"])
    result = read_workbook(_save(wb, tmp_path), settings)
    [issue] = [i for i in result.issues if i.code == "formula_no_value"]
    assert (issue.sheet, issue.cell) == ("应收", "D2") and "=B2*5" in settings.message(issue)
    assert "Excel/WPS/LibreOffice" in settings.message(issue)


def test_pnl_three_level_header(tmp_path, settings):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "损益"
    ws.append(["预期损益表"])
    ws.append(["时间", "收入项", None, None, None, "支出项", None, "预期盈亏", None])
    ws.append([None, "产品A", None, "产品B", None, "区域广告", None, None, None])
    ws.append([None, "计划", "实际", "计划", "实际", "计划", "实际", "计划", "实际"])
    ws.merge_cells("B2:E2")
    ws.merge_cells("F2:G2")
    ws.merge_cells("H2:I3")
    ws.merge_cells("A2:A4")
    ws.merge_cells("B3:C3")
    ws.merge_cells("D3:E3")
    ws.merge_cells("F3:G3")
    ws.append(["1月", 100, 110, 50, 40, 20, 25, 130, 125])
    ws.append(["2月", 100, 90, 50, 60, 20, 15, 130, 135])
    ws.append(["合计", 200, 200, 100, 100, 40, 40, 260, 260])
    result = read_workbook(_save(wb, tmp_path), settings)
    assert not result.issues
    main = result.table("pnl")
    got = {
        (m, g, line): (p, a)
        for m, g, line, p, a in main[["month", "group", "line", "plan", "actual"]].itertuples(index=False)
    }
    assert got[(1, "revenue", "产品A")] == (100, 110)
    assert got[(2, "expense", "区域广告")] == (20, 15)
    assert got[(2, "profit", "预期盈亏")] == (130, 135)
    assert len(result.forms["pnl"][0].tables["totals"]) == 4


def test_pnl_transposed_layout(tmp_path, settings):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "P&L"
    ws.append(["项目", "一月", None, "二月", None])
    ws.append([None, "计划", "实际", "计划", "实际"])
    ws.append(["收入项"])
    ws.append(["产品A", 100, 90, 100, 120])
    ws.append(["支出项"])
    ws.append(["人员工资", 30, 30, 30, 31])
    ws.append(["合计", 70, 60, 70, 89])
    result = read_workbook(_save(wb, tmp_path), settings)
    main = result.table("pnl")
    assert set(zip(main["group"], main["line"], strict=True)) == {
        ("revenue", "产品A"),
        ("expense", "人员工资"),
    }
    assert main[(main["line"] == "人员工资") & (main["month"] == 2)]["actual"].item() == 31


def test_todo_with_several_days_in_one_sheet(tmp_path, settings):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "待办"
    ws.append(["地区经理日工作待办单"])
    ws.append(["类别", "开始", "结束", "工作内容", "相关", "完成情况"])
    ws.append(["2026年3月5日"])
    ws.append(["紧迫且重要", dt.time(9, 0), dt.time(10, 30), "处理万星投诉", "万星", "完成"])
    ws.append(["M2", "14:00", "16:00", "准备泰岳方案", "泰岳", "50%"])
    ws.append(["日期:2026-03-06"])
    ws.append(["重要不紧迫", "9点", "11点半", "团队辅导", None, "未完成"])
    result = read_workbook(_save(wb, tmp_path), settings)
    main = result.table("todo")
    assert main["date"].tolist() == [dt.date(2026, 3, 5), dt.date(2026, 3, 5), dt.date(2026, 3, 6)]
    assert main["category"].tolist() == ["M1", "M2", "M2"]
    assert main["hours"].tolist() == [1.5, 2.0, 2.5]
    assert main["status"].tolist() == [1.0, 0.5, 0.0]


def test_todo_export_with_time_spent_instead_of_start_and_end(tmp_path, settings):
    """An export giving 用时(小时) reads as hours.

    A row with start and end as well keeps the column's value.
    """
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "日工作待办单"
    ws.append(["日期", "类别", "工作内容", "相关", "用时(小时)", "完成情况"])
    ws.append([dt.date(2026, 3, 2), "M1", "处理万星投诉", "万星", 1.5, "完成"])
    ws.append([dt.date(2026, 3, 2), "M2", "准备泰岳方案", "泰岳", "2", "未完成"])
    ws.append([dt.date(2026, 3, 3), "M3", "例会", None, None, "完成"])
    result = read_workbook(_save(wb, tmp_path), settings)
    main = result.table("todo")
    assert main["hours"].tolist()[:2] == [1.5, 2.0]
    assert main["hours"].isna().tolist() == [False, False, True]


def test_calendar_grid(tmp_path, settings):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["地区经理行事月历(2026-03)"])
    ws.append(["本月大事", "18日 新品推介会"])
    ws.append(["周一", "周二", "周三", "周四", "周五", "周六", "周日"])
    ws.append([None, None, None, None, None, None, 1])
    ws.append([None, None, None, None, None, None, "休息"])
    ws.append([2, 3, 4, "5 拜访朗通", 6, 7, 8])
    ws.append(["备注", "月底前完成回款"])
    result = read_workbook(_save(wb, tmp_path), settings)
    [sheet] = result.forms["calendar"]
    events = sheet.tables["main"]
    assert set(zip(events["date"], events["text"], strict=True)) == {
        (dt.date(2026, 3, 1), "休息"),
        (dt.date(2026, 3, 5), "拜访朗通"),
    }
    assert sheet.meta["key_events"] == ["18日 新品推介会"] and sheet.meta["notes"] == ["月底前完成回款"]


def test_appraisal_wide_form_becomes_long(tmp_path, settings):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "考核"
    ws.append(["员工", "工号", "销售额", None, None, "回款率", None, None])
    ws.append([None, None, "目标", "实际", "权重", "目标", "实际", "权重"])
    ws.append(["王伟", "E001", 100, 95, "60%", 0.9, 0.85, 40])
    result = read_workbook(_save(wb, tmp_path), settings)
    main = result.table("appraisal")
    assert main["indicator"].tolist() == ["销售额", "回款率"]
    assert main["weight"].tolist() == [0.6, 0.4] and main["employee_id"].tolist() == ["E001", "E001"]


def test_sheet_matching_no_form_is_listed_as_not_used(tmp_path, settings):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "说明"
    ws.append(["本工作簿用于三月计划评审。"])
    ws2 = wb.create_sheet("客户")
    ws2.append(["客户", "订单量"])
    ws2.append(["朗通", "超额"])
    result = read_workbook(_save(wb, tmp_path), settings)
    assert [(s.name, s.form) for s in result.sheets] == [("说明", None), ("客户", "customers")]
    assert not result.errors


@pytest.mark.parametrize(
    "form, headers",
    [
        ("activities", ["工作内容", "负责人", "提请支持", "费用预算", "达成效果", "三月", "四月"]),
        ("weekly", ["周次", "目标项", "周目标", "实际完成", "月计划项", "负责人"]),
        ("monthly", ["指标", "类别", "目标", "实际", "负责人", "上期实际"]),
        ("worklog", ["日期", "开始", "结束", "客户", "工作内容", "结果"]),
        ("todo", ["日期", "类别", "开始", "结束", "工作内容", "相关", "备注", "完成情况"]),
        ("customers", ["客户", "利润贡献", "采购量", "产品", "服务"]),
        ("appraisal", ["员工", "工号", "部门", "指标", "指标类别", "目标", "实际", "权重", "方向"]),
    ],
)
def test_forms_recognised_by_header_signature_alone(tmp_path, settings, form, headers):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(headers)
    ws.append(["x"] * len(headers))
    result = read_workbook(_save(wb, tmp_path), settings)
    assert [s.form for s in result.sheets] == [form]
