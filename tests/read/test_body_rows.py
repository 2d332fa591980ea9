"""Body rows as managers and HR really write them (issue 14, classes 1, 2, 9 and 10).

Every workbook is built here with XlsxWriter, in the layout it is about, and
every expectation is worked out by hand in the comment beside it.
"""

from __future__ import annotations

import datetime as dt

import pytest
import xlsxwriter

from kamxl.read import read_workbook
from kamxl.results import build_results

AS_OF = dt.date(2026, 3, 31)


def _book(tmp_path, sheet, rows, *, merges=(), start=0, name="book.xlsx", build=None):
    """A workbook of one sheet: ``rows`` from row ``start`` (0-based), ``merges`` as (A1 range, value)."""
    path = tmp_path / name
    workbook = xlsxwriter.Workbook(path)
    worksheet = workbook.add_worksheet(sheet)
    for i, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                worksheet.write(start + i, c, value)
    for cells, value in merges:
        worksheet.merge_range(cells, value)
    if build is not None:
        build(workbook, worksheet)
    workbook.close()
    return path


def _codes(issues, code):
    return [(issue.cell, issue.params) for issue in issues if issue.code == code]


def _texts(column):
    """A text column as a list, blanks as None (pandas may hold them as NaN)."""
    return [value if isinstance(value, str) else None for value in column]


def _totals_blamed(issues):
    """Issues that say a written total or subtotal is wrong, or that a cell could not be read."""
    return [
        i for i in issues if i.code.endswith("total_mismatch") or i.code.startswith(("invalid_", "missing_"))
    ]


RECEIVABLES_HEADER = ["客户", "产品", "负责人", "总欠款", "一月计划", "一月实收"]
# three customers: 总欠款 100 + 200 + 50 = 350; 一月计划 10 + 20 + 5 = 35; 一月实收 5 + 6 + 1 = 12
RECEIVABLES_ROWS = [
    ["朗通", "产品A", "王伟", 100, 10, 5],
    ["泰岳", "产品B", "王伟", 200, 20, 6],
    ["万星", "产品A", "李娜", 50, 5, 1],
]


# -- class 2: totals and subtotals ------------------------------------------------------------


@pytest.mark.parametrize(
    "label",
    [
        "合计",
        "汇总",
        "总计",
        "合 计",
        "合计(元)",
        "合计：",
        "Total",
        "TOTAL",
        "Grand total",
        "本页合计",
        "累计",
    ],
)
@pytest.mark.parametrize("where", ["below", "above"])
def test_a_total_in_any_spelling_above_or_below_is_checked_never_a_customer(tmp_path, settings, label, where):
    total = [label, None, None, 350, 35, 12]
    body = [*RECEIVABLES_ROWS, total] if where == "below" else [total, *RECEIVABLES_ROWS]
    path = _book(tmp_path, "应收", [RECEIVABLES_HEADER, *body])
    workbook = read_workbook(path, settings)
    [sheet] = workbook.forms["receivables"]
    assert sheet.tables["main"]["customer"].tolist() == ["朗通", "泰岳", "万星"]
    kept = [*sheet.tables["totals"]["total_owed"], *sheet.tables["subtotals"]["total_owed"]]
    assert kept == [350]
    results = build_results(workbook, settings, AS_OF)
    assert not _totals_blamed(results.issues), results.issues
    assert results.receivables.summary["total_owed"] == 350


def test_a_total_on_top_does_not_end_the_table_at_a_row_with_only_its_key(tmp_path, settings):
    rows = [RECEIVABLES_HEADER, ["合计", None, None, 350, 35, 12], ["新客户"], *RECEIVABLES_ROWS]
    workbook = read_workbook(_book(tmp_path, "应收", rows), settings)
    customers = workbook.forms["receivables"][0].tables["main"]["customer"].tolist()
    assert customers == ["新客户", "朗通", "泰岳", "万星"]


def test_a_wrong_grand_total_is_reported_with_both_figures(tmp_path, settings):
    path = _book(tmp_path, "应收", [RECEIVABLES_HEADER, *RECEIVABLES_ROWS, ["汇总", None, None, 360, 35, 12]])
    results = build_results(read_workbook(path, settings), settings, AS_OF)
    [(cell, params)] = _codes(results.issues, "total_mismatch")
    assert cell == "D5" and params["written"] == "360" and params["computed"] == "350"


# 王伟's rows: 100 + 200 = 300, 10 + 20 = 30, 5 + 6 = 11; 李娜's: 50, 5, 1; all: 350, 35, 12
@pytest.mark.parametrize(
    "first, second",
    [
        ("王伟 小计", "李娜 小计"),  # named by the owner
        ("小计:王伟", "小计（李娜）"),
        ("小计", "小计"),  # unnamed: the rows since the previous subtotal
        ("Subtotal", "Sub total"),
        ("王伟合计", "李娜合计"),  # a 合计 that names its group is a subtotal
    ],
)
def test_subtotals_are_checked_against_their_own_group_and_not_counted(tmp_path, settings, first, second):
    rows = [
        RECEIVABLES_HEADER,
        *RECEIVABLES_ROWS[:2],
        [first, None, None, 300, 30, 11],
        RECEIVABLES_ROWS[2],
        [second, None, None, 50, 5, 1],
        ["合计", None, None, 350, 35, 12],
    ]
    workbook = read_workbook(_book(tmp_path, "应收", rows), settings)
    [sheet] = workbook.forms["receivables"]
    assert sheet.tables["main"]["customer"].tolist() == ["朗通", "泰岳", "万星"]
    assert sheet.tables["subtotals"]["row"].tolist() == [4, 6]
    assert sheet.tables["totals"]["row"].tolist() == [7]
    results = build_results(workbook, settings, AS_OF)
    assert not _totals_blamed(results.issues), results.issues
    assert results.receivables.summary["total_owed"] == 350  # subtotals never counted


def test_a_wrong_subtotal_is_reported_against_its_group_and_the_grand_total_is_not_blamed(tmp_path, settings):
    rows = [
        RECEIVABLES_HEADER,
        *RECEIVABLES_ROWS[:2],
        ["王伟 小计", None, None, 310, 30, 11],  # 总欠款 wrong: 100 + 200 = 300
        RECEIVABLES_ROWS[2],
        ["李娜 小计", None, None, 50, 5, 2],  # 一月实收 wrong: 1
        ["合计", None, None, 350, 35, 12],  # right
    ]
    workbook = read_workbook(_book(tmp_path, "应收", rows), settings)
    assert _codes(workbook.issues, "subtotal_mismatch") == [
        ("D4", {"written": "310", "computed": "300", "column": "总欠款", "rows": "2–3"}),
        ("F6", {"written": "2", "computed": "1", "column": "一月 实际", "rows": "5"}),
    ]
    results = build_results(workbook, settings, AS_OF)
    assert not _codes(results.issues, "total_mismatch")


def test_owner_subtotals_in_a_customer_list_are_not_customers(tmp_path, settings):
    header = ["客户", "负责人", "项目", "项目金额", "订单量", "成交可能性"]
    rows = [
        header,
        ["朗通", "王伟", "二期", 320000, "超额", "本月内"],
        ["泰岳", "王伟", "扩容", 80000, "部分", "考核期内"],
        ["王伟 小计", None, None, 400000, None, None],
        ["万星", "李娜", "新建", 150000, "重要", "有意向"],
        ["李娜 小计", None, None, 150000, None, None],
        ["总计", None, None, 550000, None, None],
    ]
    workbook = read_workbook(_book(tmp_path, "客户价值评估", rows), settings)
    [sheet] = workbook.forms["customers"]
    assert sheet.tables["main"]["customer"].tolist() == ["朗通", "泰岳", "万星"]
    assert not [i for i in workbook.issues if i.severity != "info"], workbook.issues


def test_a_wrong_owner_subtotal_in_a_customer_list_is_reported(tmp_path, settings):
    rows = [
        ["客户", "负责人", "项目", "项目金额"],
        ["朗通", "王伟", "二期", 320000],
        ["万星", "李娜", "新建", 150000],
        ["泰岳", "王伟", "扩容", 80000],
        ["王伟 小计", None, None, 410000],  # 王伟's rows, wherever they are: 320,000 + 80,000
    ]
    workbook = read_workbook(_book(tmp_path, "客户价值评估", rows), settings)
    assert _codes(workbook.issues, "subtotal_mismatch") == [
        ("D5", {"written": "410,000", "computed": "400,000", "column": "项目金额", "rows": "2, 4"})
    ]


def test_pnl_quarter_subtotals_are_checked_per_quarter_and_the_year_total_against_every_month(
    tmp_path, settings
):
    header = ["月份", "收入项", None, "支出项", None]
    lines = [None, "产品A", None, "人员工资", None]
    measures = [None, "计划", "实际", "计划", "实际"]
    rows = [
        ["一月", 100, 90, 40, 40],
        ["二月", 100, 110, 40, 41],
        ["三月", 100, 100, 40, 39],
        ["一季度合计", 300, 300, 120, 120],  # right: 90 + 110 + 100 = 300; 40 + 41 + 39 = 120
        ["四月", 120, 0, 40, 0],
        ["二季度小计", 130, 0, 40, 0],  # plan wrong: only 四月 so far, 120
        ["全年合计", 420, 300, 160, 120],  # right: all four months
    ]
    path = _book(
        tmp_path,
        "预期损益表",
        [header, lines, measures, *rows],
        merges=[("B1:C1", "收入项"), ("D1:E1", "支出项"), ("B2:C2", "产品A"), ("D2:E2", "人员工资")],
    )
    workbook = read_workbook(path, settings)
    [sheet] = workbook.forms["pnl"]
    assert sorted(sheet.tables["main"]["month"].unique()) == [1, 2, 3, 4]
    assert _codes(workbook.issues, "subtotal_mismatch") == [
        ("B9", {"written": "130", "computed": "120", "column": "产品A 计划", "rows": "8"})
    ]
    results = build_results(workbook, settings, AS_OF)
    assert not _codes(results.issues, "total_mismatch"), results.issues


def test_a_running_total_sums_every_row_above_it(tmp_path, settings):
    rows = [
        RECEIVABLES_HEADER,
        *RECEIVABLES_ROWS[:2],
        ["本页合计", None, None, 300, 30, 11],
        ["累计", None, None, 300, 30, 11],
        RECEIVABLES_ROWS[2],
        ["本页合计", None, None, 50, 5, 1],
        ["累计", None, None, 350, 35, 13],  # 一月实收 wrong: 5 + 6 + 1 = 12
    ]
    workbook = read_workbook(_book(tmp_path, "应收", rows), settings)
    assert _codes(workbook.issues, "subtotal_mismatch") == [
        ("F8", {"written": "13", "computed": "12", "column": "一月 实际", "rows": "2–3, 6"})
    ]
    results = build_results(workbook, settings, AS_OF)
    assert results.receivables.summary["total_owed"] == 350
    assert not _codes(results.issues, "total_mismatch")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("合计", ("total", "")),
        ("合 计", ("total", "")),
        ("合计(元)", ("total", "")),
        ("汇总", ("total", "")),
        ("Grand Total", ("total", "")),
        ("本页合计", ("subtotal", "")),
        ("累计", ("cumulative", "")),
        ("王伟 小计", ("subtotal", "王伟")),
        ("小计：王伟", ("subtotal", "王伟")),
        ("Wang subtotal", ("subtotal", "wang")),
        ("一季度合计", ("subtotal", "一季度")),
        ("合计公司", None),  # a total word must end the label
        ("总计划", None),
        ("联合计算机", None),
        ("Total Petroleum", None),
        ("Gypsum", None),  # English words are whole words
        ("备注:以上合计", None),  # a note
        ("这是一段很长的说明文字其中提到了合计", None),  # a name is short
    ],
)
def test_total_words(settings, text, expected):
    from kamxl.read.values import Values

    assert Values(settings).total_kind(text) == expected


def test_without_named_totals_only_subtotal_words_name_a_group(settings):
    from kamxl.read.values import Values

    values = Values(settings)
    assert values.total_kind("销售额合计", named_totals=False) is None
    assert values.total_kind("王伟 小计", named_totals=False) == ("subtotal", "王伟")


# -- class 1: keys merged down or written once ------------------------------------------------

# The course's receivables form: 客户 / 产品 / 数量, one customer over its product rows.
PRODUCT_HEADER = ["客户", "产品", "数量", "总欠款", "一月计划", "一月实收", "负责人"]
PRODUCT_ROWS = [
    ["朗通", "产品A", 10, 100, 10, 5, "王伟"],
    [None, "产品B", 20, 200, 20, 6, None],
    [None, "产品C", 5, 50, 5, 1, None],
    ["泰岳", "产品A", 8, 80, 8, 8, None],  # a new customer does not inherit 王伟
]


@pytest.mark.parametrize("layout", ["merged", "written_once"])
def test_a_customer_over_its_product_rows_is_read_into_each_row(tmp_path, settings, layout):
    merges = [("A2:A4", "朗通"), ("G2:G4", "王伟")] if layout == "merged" else []
    path = _book(tmp_path, "应收", [PRODUCT_HEADER, *PRODUCT_ROWS], merges=merges)
    workbook = read_workbook(path, settings)
    [sheet] = workbook.forms["receivables"]
    main = sheet.tables["main"]
    assert main["customer"].tolist() == ["朗通", "朗通", "朗通", "泰岳"]
    assert main["product"].tolist() == ["产品A", "产品B", "产品C", "产品A"]
    assert main["total_owed"].tolist() == [100, 200, 50, 80]  # 430 in all, nothing dropped
    assert _texts(main["owner"]) == ["王伟", "王伟", "王伟", None]
    assert sheet.tables["months"]["plan"].sum() == 43
    assert _codes(workbook.issues, "filled_down") == [
        ("A3", {"column": "客户", "count": 2}),
        ("G3", {"column": "负责人", "count": 2}),
    ]
    assert not [i for i in workbook.issues if i.severity != "info"]


def test_a_blank_key_after_a_gap_or_a_total_is_reported_not_guessed(tmp_path, settings):
    rows = [
        PRODUCT_HEADER,
        PRODUCT_ROWS[0],
        [None] * 7,  # a gap ends the group
        [None, "产品B", 20, 200, 20, 6, None],
        ["小计", None, 10, 100, 10, 5, None],
        [None, "产品C", 5, 50, 5, 1, None],  # after a subtotal: whose?
    ]
    workbook = read_workbook(_book(tmp_path, "应收", rows), settings)
    [sheet] = workbook.forms["receivables"]
    assert sheet.tables["main"]["customer"].tolist() == ["朗通"]
    assert [issue.cell for issue in workbook.issues if issue.code == "missing_value"] == ["A4", "A6"]
    assert not _codes(workbook.issues, "filled_down")


def test_a_row_with_figures_only_in_month_columns_is_never_dropped_silently(tmp_path, settings):
    # no fill-down for the activity plan: the blank 工作内容 is reported
    rows = [["工作内容", "负责人", "一月", "二月"], ["推介会", "李娜", "✓", None], [None, None, "✓", "✓"]]
    workbook = read_workbook(_book(tmp_path, "市场活动", rows), settings)
    assert [issue.cell for issue in workbook.issues if issue.code == "missing_value"] == ["A3"]


@pytest.mark.parametrize("layout", ["merged", "written_once"])
def test_one_customer_with_several_projects(tmp_path, settings, layout):
    header = ["客户", "负责人", "行业", "项目", "项目金额", "订单量", "成交可能性"]
    rows = [
        header,
        ["朗通", "王伟", "制造", "二期扩容", 320000, "超额", "本月内"],
        [None, None, None, "运维外包", 60000, "部分", "考核期内"],
        ["泰岳", "李娜", "零售", "新建", 150000, "重要", "有意向"],
    ]
    merges = [("A2:A3", "朗通"), ("B2:B3", "王伟"), ("C2:C3", "制造")] if layout == "merged" else []
    workbook = read_workbook(_book(tmp_path, "客户价值评估", rows, merges=merges), settings)
    main = workbook.forms["customers"][0].tables["main"]
    assert main[["customer", "owner", "industry", "project"]].values.tolist() == [
        ["朗通", "王伟", "制造", "二期扩容"],
        ["朗通", "王伟", "制造", "运维外包"],
        ["泰岳", "李娜", "零售", "新建"],
    ]
    assert main["amount"].sum() == 530000


@pytest.mark.parametrize("layout", ["merged", "written_once"])
def test_hr_export_with_employee_and_department_over_the_indicator_rows(tmp_path, settings, layout):
    header = ["部门", "员工", "工号", "指标", "目标", "实际", "权重"]
    rows = [
        header,
        ["华东大客户部", "王伟", "E001", "销售额", 1000, 1150, "40%"],
        [None, None, None, "回款率", "95%", "97%", "30%"],
        [None, None, None, "费用率", "8%", "7.5%", "30%"],
        [None, "李娜", "E002", "销售额", 800, 760, "50%"],
        [None, None, None, "回款率", "95%", "90%", "50%"],
    ]
    merges = (
        [
            ("A2:A6", "华东大客户部"),
            ("B2:B4", "王伟"),
            ("C2:C4", "E001"),
            ("B5:B6", "李娜"),
            ("C5:C6", "E002"),
        ]
        if layout == "merged"
        else []
    )
    workbook = read_workbook(_book(tmp_path, "考核表", rows, merges=merges), settings)
    main = workbook.forms["appraisal"][0].tables["main"]
    # every one of the five indicator rows is read, each with its employee
    assert main["employee"].tolist() == ["王伟", "王伟", "王伟", "李娜", "李娜"]
    assert main["employee_id"].tolist() == ["E001", "E001", "E001", "E002", "E002"]
    assert main["indicator"].tolist() == ["销售额", "回款率", "费用率", "销售额", "回款率"]
    # 部门 merged over both employees is theirs; written once, a new employee does not inherit it
    expected = ["华东大客户部"] * 5 if layout == "merged" else ["华东大客户部"] * 3 + [None, None]
    assert _texts(main["department"]) == expected
    assert ("B3", {"column": "员工", "count": 3}) in _codes(workbook.issues, "filled_down")


def test_an_hr_row_without_an_employee_is_reported(tmp_path, settings):
    rows = [
        ["员工", "指标", "目标", "实际"],
        ["王伟", "销售额", 1000, 1150],
        [None] * 4,
        [None, "回款率", 95, 97],
    ]
    workbook = read_workbook(_book(tmp_path, "考核表", rows), settings)
    assert workbook.forms["appraisal"][0].tables["main"]["indicator"].tolist() == ["销售额"]
    assert [issue.cell for issue in workbook.issues if issue.code == "missing_value"] == ["A4"]


def test_a_todo_date_written_once_is_each_task_s_date(tmp_path, settings):
    rows = [
        ["日期", "类别", "开始", "结束", "工作内容"],
        [dt.datetime(2026, 3, 5), "紧迫且重要", "9:00", "10:00", "拜访朗通"],
        [None, "重要不紧迫", "10:00", "11:00", "整理方案"],
        [dt.datetime(2026, 3, 6), "紧迫且重要", "9:00", "10:00", "拜访泰岳"],
    ]

    def dates(workbook, worksheet):
        fmt = workbook.add_format({"num_format": "yyyy-mm-dd"})
        worksheet.write_datetime(1, 0, rows[1][0], fmt)
        worksheet.write_datetime(3, 0, rows[3][0], fmt)

    body = [[None if isinstance(v, dt.datetime) else v for v in row] for row in rows]
    workbook = read_workbook(_book(tmp_path, "待办", body, build=dates), settings)
    main = workbook.forms["todo"][0].tables["main"]
    assert main["date"].tolist() == [dt.date(2026, 3, 5), dt.date(2026, 3, 5), dt.date(2026, 3, 6)]


def test_an_excel_table_s_total_row_is_a_total_even_without_a_label(tmp_path, settings):
    # 客户 / 总欠款 as an Excel table with its total row on; the total row's first cell is blank
    def table(workbook, worksheet):
        worksheet.add_table(
            "A1:C5",
            {
                "data": [["朗通", 100, 10], ["泰岳", 200, 20], ["万星", 50, 5]],
                "columns": [
                    {"header": "客户"},
                    {"header": "总欠款", "total_function": "sum"},
                    {"header": "一月计划", "total_function": "sum"},
                ],
                "total_row": True,
            },
        )

    path = _book(tmp_path, "应收", [], build=table)
    workbook = read_workbook(path, settings)
    [sheet] = workbook.forms["receivables"]
    assert sheet.tables["main"]["customer"].tolist() == ["朗通", "泰岳", "万星"]
    assert sheet.tables["totals"]["row"].tolist() == [5]
    assert not _codes(workbook.issues, "missing_value")


def test_an_excel_table_total_row_is_never_a_filled_down_customer(tmp_path, settings):
    # with 客户 filled down, a blank-labelled total row would otherwise be a second 万星
    def table(workbook, worksheet):
        worksheet.add_table(
            "A1:B4",
            {
                "data": [["朗通", 100], ["万星", 50]],
                "columns": [
                    {"header": "客户", "total_string": ""},
                    {"header": "总欠款", "total_function": "sum"},
                ],
                "total_row": True,
            },
        )

    workbook = read_workbook(_book(tmp_path, "应收", [], build=table), settings)
    [sheet] = workbook.forms["receivables"]
    assert sheet.tables["main"]["total_owed"].tolist() == [100, 50]


# -- class 10: small ones ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "signature",
    [
        "制表:王伟",
        "制表：王伟",
        "审核:",
        "填表人 李娜",
        "审核人:李娜",
        "Prepared by: Wang Wei",
        "日期:2026-03-31",
    ],
)
def test_a_signature_line_is_a_note_not_a_customer(tmp_path, settings, signature):
    rows = [
        RECEIVABLES_HEADER,
        *RECEIVABLES_ROWS,
        ["合计", None, None, 350, 35, 12],
        [signature, None, None, "审核:李娜", None, None],
    ]
    workbook = read_workbook(_book(tmp_path, "应收", rows), settings)
    [sheet] = workbook.forms["receivables"]
    assert sheet.tables["main"]["customer"].tolist() == ["朗通", "泰岳", "万星"]
    assert [(i.cell, i.severity) for i in workbook.issues if i.code == "signature_row"] == [("A6", "info")]


def test_a_signature_word_inside_a_name_is_not_a_signature(settings):
    from kamxl.read.values import Values

    values = Values(settings)
    assert values.is_signature("制表:王伟") and values.is_signature("审核")
    assert not values.is_signature("审核中心")  # a customer's name
    assert not values.is_signature("日期调整")


TODO_HEADER = ["日期", "类别", "开始", "结束", "工作内容"]


@pytest.mark.parametrize(
    "start, end, hours",
    [
        (8.45, 10.15, 1.5),  # h.mm: 8:45 to 10:15
        (8.45, 10.3, 1.75),  # 10.30 typed as a number is 10.3: 10:30
        (9, 10.15, 1.25),  # 9:00 to 10:15
    ],
)
def test_times_typed_as_hours_minutes(tmp_path, settings, start, end, hours):
    rows = [TODO_HEADER, ["2026-03-05", "紧迫且重要", start, end, "拜访朗通"]]
    workbook = read_workbook(_book(tmp_path, "待办", rows), settings)
    main = workbook.forms["todo"][0].tables["main"]
    assert main["hours"].tolist() == [pytest.approx(hours)]
    [(cell, params)] = _codes(workbook.issues, "time_hours_minutes")
    assert cell in ("C2", "D2")


def test_decimal_hours_stay_decimal_hours_and_minutes_that_cannot_be_are_refused(tmp_path, settings):
    rows = [TODO_HEADER, ["2026-03-05", "紧迫且重要", 8.5, 10, "拜访朗通"]]
    workbook = read_workbook(_book(tmp_path, "待办", rows), settings)
    assert workbook.forms["todo"][0].tables["main"]["hours"].tolist() == [1.5]  # 8:30 to 10:00
    assert not _codes(workbook.issues, "time_hours_minutes")
    rows = [TODO_HEADER, ["2026-03-05", "紧迫且重要", 8.45, 9.75, "拜访朗通"]]  # 9.75 is no h.mm
    workbook = read_workbook(_book(tmp_path, "待办", rows, name="mixed.xlsx"), settings)
    assert [issue.cell for issue in workbook.issues if issue.code == "invalid_time"] == ["D2"]
    assert workbook.forms["todo"][0].tables["main"]["hours"].isna().all()


CUSTOMER_HEADER = ["客户", "项目", "项目金额", "预计成交日期"]


@pytest.mark.parametrize(
    "typed, expected",
    [
        (2026.03, dt.date(2026, 3, 31)),  # a month: its last day
        (2026.11, dt.date(2026, 11, 30)),
        (2026.2, dt.date(2026, 2, 28)),  # one decimal: February
        ("2026.03", dt.date(2026, 3, 31)),
        ("2026-03", dt.date(2026, 3, 31)),
        ("2026年3月", dt.date(2026, 3, 31)),
        ("2026-03-15", dt.date(2026, 3, 15)),  # a day stays a day
    ],
)
def test_a_close_month_is_a_month_not_an_1905_serial(tmp_path, settings, typed, expected):
    rows = [CUSTOMER_HEADER, ["朗通", "二期", 320000, typed]]
    workbook = read_workbook(_book(tmp_path, "客户价值评估", rows), settings)
    assert workbook.forms["customers"][0].tables["main"]["expected_close"].tolist() == [expected]
    assert not [i for i in workbook.issues if i.severity != "info"]


@pytest.mark.parametrize(
    "typed, code", [(2026.1, "ambiguous_month"), (2026, "invalid_date"), (2026.13, "invalid_date")]
)
def test_a_close_month_that_cannot_be_placed_is_refused_at_its_cell(tmp_path, settings, typed, code):
    rows = [CUSTOMER_HEADER, ["朗通", "二期", 320000, typed]]
    workbook = read_workbook(_book(tmp_path, "客户价值评估", rows), settings)
    assert workbook.forms["customers"][0].tables["main"]["expected_close"].isna().all()
    assert [issue.cell for issue in workbook.issues if issue.code == code] == ["D2"]


def test_ids_formatted_00000_keep_their_leading_zeros(tmp_path, settings):
    def ids(workbook, worksheet):
        padded = workbook.add_format({"num_format": "00000"})
        worksheet.write_number(1, 1, 123, padded)  # shown 00123
        worksheet.write_string(2, 1, "00456")  # typed as text
        worksheet.write_number(3, 1, 789)  # a plain number

    rows = [["员工", "工号", "指标", "目标", "实际"], ["王伟", None, "销售额", 100, 90]]
    rows += [["李娜", None, "销售额", 100, 90], ["张强", None, "销售额", 100, 90]]
    workbook = read_workbook(_book(tmp_path, "考核表", rows, build=ids), settings)
    main = workbook.forms["appraisal"][0].tables["main"]
    assert main["employee_id"].tolist() == ["00123", "00456", "789"]
    assert not _codes(workbook.issues, "id_as_number")  # .xlsx: the format was seen


@pytest.mark.parametrize(
    "typed, expected",
    [(4.5, 4.5), ("4.5分", 4.5), ("4 分", 4.0), ("３分", 3.0), ("5 points", 5.0)],
)
def test_scores_written_with_a_unit(tmp_path, settings, typed, expected):
    rows = [["客户", "利润贡献", "采购量", "客户吸引力"], ["朗通", typed, "4分", typed]]
    workbook = read_workbook(_book(tmp_path, "客户价值评估", rows), settings)
    main = workbook.forms["customers"][0].tables["main"]
    assert main["f_attr.profit"].tolist() == [expected] and main["f_attr.volume"].tolist() == [4.0]
    assert main["attractiveness"].tolist() == [expected]
    assert not [i for i in workbook.issues if i.severity != "info"]


def test_hr_personal_scores_written_with_a_unit(tmp_path, settings):
    rows = [["员工", "指标", "目标", "实际", "个性", "能力"], ["王伟", "销售额", 100, 90, "4分", "3.5分"]]
    main = read_workbook(_book(tmp_path, "考核表", rows), settings).forms["appraisal"][0].tables["main"]
    assert main[["personality", "ability"]].values.tolist() == [[4.0, 3.5]]


# -- class 9: marks and units -----------------------------------------------------------------

ACTIVITY_HEADER = ["工作内容", "负责人", "费用预算", "一月", "二月", "三月", "四月"]


def _months_of(workbook):
    months = workbook.forms["activities"][0].tables["months"]
    return {
        (int(row), int(month)): (None if amount != amount else amount)
        for row, month, amount in zip(months["row"], months["month"], months["amount"], strict=True)
    }


def test_checkbox_months_false_is_not_a_tick(tmp_path, settings):
    def boxes(workbook, worksheet):
        for c, ticked in enumerate([True, False, True, False], start=3):
            worksheet.write_boolean(1, c, ticked)

    rows = [ACTIVITY_HEADER, ["推介会", "李娜", 30000]]
    workbook = read_workbook(_book(tmp_path, "市场活动", rows, build=boxes), settings)
    assert _months_of(workbook) == {(2, 1): None, (2, 3): None}  # 一月 and 三月 ticked


@pytest.mark.parametrize(
    "marks, ticked",
    [
        (["✓", "×", "√", None], [1, 3]),
        (["●", "✗", "是", "否"], [1, 3]),
        (["1", 0, 1, None], [1, 3]),  # 0/1 only: 1 is a tick
        (["x", None, "X", "×"], [1, 3]),  # a Latin x is a tick (with a warning), × is not
        (["3月18日", None, None, "no"], [1]),  # a note marks its month
    ],
)
def test_ticks_and_crosses(tmp_path, settings, marks, ticked):
    rows = [ACTIVITY_HEADER, ["推介会", "李娜", 30000, *marks]]
    workbook = read_workbook(_book(tmp_path, "市场活动", rows), settings)
    assert _months_of(workbook) == {(2, month): None for month in ticked}
    assert bool(_codes(workbook.issues, "latin_x_mark")) == ("x" in marks)


def test_a_one_among_amounts_is_an_amount_with_a_warning(tmp_path, settings):
    rows = [ACTIVITY_HEADER, ["推介会", "李娜", 30001, 20000, 10000, 1, None]]
    workbook = read_workbook(_book(tmp_path, "市场活动", rows), settings)
    assert _months_of(workbook) == {(2, 1): 20000, (2, 2): 10000, (2, 3): 1}
    assert [cell for cell, _ in _codes(workbook.issues, "one_as_amount")] == ["F2"]


@pytest.mark.parametrize(
    "title_rows, header",
    [
        ([["应收帐款规划表"], ["单位:万元"]], RECEIVABLES_HEADER),  # a units row under the title
        ([["应收帐款规划表", None, None, None, "单位：万元"], []], RECEIVABLES_HEADER),  # at the right
        ([["应收帐款规划表(单位:万元)"], []], RECEIVABLES_HEADER),  # inside the title
        # the header's unit wins over the units row
        (
            [["应收帐款规划表"], ["单位:元"]],
            ["客户", "产品", "负责人", "总欠款(万元)", "一月计划", "一月实收"],
        ),
    ],
)
def test_money_in_wan_yuan_is_read_in_yuan(tmp_path, settings, title_rows, header):
    # the same plan as RECEIVABLES_ROWS, written in 万元: 总欠款 10 + 20 + 5 = 35 万元 = 350,000 元
    rows = [
        ["朗通", "产品A", "王伟", 10, 1, 0.5],
        ["泰岳", "产品B", "王伟", 20, 2, 0.6],
        ["万星", "产品A", "李娜", 5, 0.5, 0.1],
    ]
    total = ["合计", None, None, 35, 3.5, 1.2]
    workbook = read_workbook(_book(tmp_path, "应收", [*title_rows, header, *rows, total]), settings)
    [sheet] = workbook.forms["receivables"]
    assert sheet.tables["main"]["total_owed"].tolist() == [100000, 200000, 50000]
    assert [params["unit"] for _, params in _codes(workbook.issues, "units_applied")] == ["万元"]
    results = build_results(workbook, settings, AS_OF)
    assert results.receivables.summary["total_owed"] == pytest.approx(350000)
    assert not _totals_blamed(results.issues), results.issues
    if "总欠款(万元)" in header:  # the months' headers name no unit and the units row says 元
        assert sheet.tables["months"]["plan"].tolist() == [1, 2, 0.5]
    else:
        assert sheet.tables["months"]["plan"].tolist() == pytest.approx([10000, 20000, 5000])
        assert sheet.tables["months"]["actual"].tolist() == pytest.approx([5000, 6000, 1000])


def test_a_number_with_its_own_unit_in_a_wan_yuan_column_is_refused(tmp_path, settings):
    rows = [
        ["应收帐款规划表"],
        ["单位:万元"],
        RECEIVABLES_HEADER,
        ["朗通", "产品A", "王伟", "1.5万", 1, 0.5],  # 1.5万 in a 万元 column: 15,000 or 150,000,000?
        ["泰岳", "产品B", "王伟", "20", "2", "3000元"],  # text without a unit is fine; 3000元 is not
    ]
    workbook = read_workbook(_book(tmp_path, "应收", rows), settings)
    [sheet] = workbook.forms["receivables"]
    assert sheet.tables["main"]["total_owed"].tolist()[1] == 200000
    assert sheet.tables["main"]["total_owed"].isna().tolist() == [True, False]
    assert [cell for cell, _ in _codes(workbook.issues, "unit_conflict")] == ["D4", "F5"]


def test_without_a_unit_money_is_yuan_and_1_5_wan_is_15000(tmp_path, settings):
    rows = [RECEIVABLES_HEADER, ["朗通", "产品A", "王伟", "1.5万", 1, 0.5]]
    workbook = read_workbook(_book(tmp_path, "应收", rows), settings)
    assert workbook.forms["receivables"][0].tables["main"]["total_owed"].tolist() == [15000]
    assert not _codes(workbook.issues, "units_applied")


def test_a_pnl_in_wan_yuan_and_a_plan_in_yuan_compare_in_yuan(tmp_path, settings):
    header = ["月份", "收入项", None, "支出项", None]
    lines = [None, "产品A", None, "区域广告", None]
    measures = [None, "计划", "实际", "计划", "实际"]
    path = _book(
        tmp_path,
        "预期损益表",
        [["预期损益表", None, None, "单位:千元"], header, lines, measures, ["一月", 100, 90, 30, 20]],
        merges=[("B2:C2", "收入项"), ("D2:E2", "支出项"), ("B3:C3", "产品A"), ("D3:E3", "区域广告")],
    )
    main = read_workbook(path, settings).forms["pnl"][0].tables["main"]
    revenue = main[main["group"] == "revenue"].iloc[0]
    assert (revenue["plan"], revenue["actual"]) == (100000, 90000)


def test_activity_budget_in_wan_yuan(tmp_path, settings):
    rows = [
        ["费用单位:万元"],
        ["工作内容", "负责人", "费用预算", "一月", "二月"],
        ["推介会", "李娜", 3, 2, 1.5],
    ]
    workbook = read_workbook(_book(tmp_path, "市场活动", rows), settings)
    assert workbook.forms["activities"][0].tables["main"]["budget"].tolist() == [30000]
    assert _months_of(workbook) == {(3, 1): 20000, (3, 2): 15000}


def test_customer_amount_in_thousands_from_its_header(tmp_path, settings):
    rows = [["客户", "项目", "项目金额(千元)", "考核目标"], ["朗通", "二期", 320, 500000]]
    main = read_workbook(_book(tmp_path, "客户价值评估", rows), settings).forms["customers"][0].tables["main"]
    assert main[["amount", "period_target"]].values.tolist() == [[320000, 500000]]
