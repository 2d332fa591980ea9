"""Competitors, SWOT, targets breakdown and plan review: each read in zh, zh-Hant and en layouts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import xlsxwriter

from kamxl.read import read_workbook


def _book(
    path: Path, name: str, rows: list[list[Any]], merges: list[tuple[int, int, int, int, Any]] = ()
) -> Path:
    """A one-sheet workbook of ``rows`` (None = blank cell), with merged ranges (r0, c0, r1, c1, value)."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(name)
    for r, cells in enumerate(rows):
        for c, value in enumerate(cells):
            if value is not None:
                ws.write(r, c, value)
    for r0, c0, r1, c1, value in merges:
        ws.merge_range(r0, c0, r1, c1, value)
    wb.close()
    return path


COMPETITOR_HEADERS = {
    "zh": [
        "竞争对手",
        "主要产品",
        "价格水平",
        "渠道运作",
        "销售模式",
        "服务状态",
        "优势",
        "劣势",
        "争夺客户",
        "竞争者动向",
    ],
    "zh-Hant": [
        "競爭對手",
        "主要產品",
        "價格水平",
        "渠道運作",
        "銷售模式",
        "服務狀態",
        "優勢",
        "劣勢",
        "爭奪客戶",
        "競爭者動向",
    ],
    "en": [
        "Competitor",
        "Products",
        "Price level",
        "Channel",
        "Sales model",
        "Service",
        "Strengths",
        "Weaknesses",
        "Customers contested",
        "Recent moves",
    ],
}
COMPETITOR_TITLES = {
    "zh": "华东区 竞争对手信息表",
    "zh-Hant": "華東區 競爭對手信息表",
    "en": "East region competitor information",
}


@pytest.mark.parametrize("lang", ["zh", "zh-Hant", "en"])
def test_competitor_rows_read_in_each_language(tmp_path, settings, lang):
    rows = [
        [COMPETITOR_TITLES[lang]],
        [],
        COMPETITOR_HEADERS[lang],
        ["恒通", "B型机", "低10%", "代理", "电话+拜访", "一般", "价格低", "服务慢", "朗通、泰岳", "3月降价"],
        ["远大", "A型机", "持平", "直销", "顾问式", "好", "关系深", "产品旧", "泰岳", None],
    ]
    result = read_workbook(_book(tmp_path / "c.xlsx", "Sheet1", rows), settings)
    assert [s.form for s in result.sheets] == ["competitors"]
    main = result.table("competitors")
    assert main["competitor"].tolist() == ["恒通", "远大"]
    assert main["row"].tolist() == [4, 5]
    assert main.loc[0, "customers"] == "朗通、泰岳" and main.loc[0, "moves"] == "3月降价"
    assert main.loc[1, "channel"] == "直销" and pd.isna(main.loc[1, "moves"])
    assert main.loc[0, "sales_model"] == "电话+拜访" and main.loc[1, "weaknesses"] == "产品旧"
    assert result.issues == []


@pytest.mark.parametrize(
    ("title", "dims", "lang"),
    [
        ("竞争者比照", ["比照项目", "渠道运作", "销售模式", "服务状态", "价格水平", "产品特性"], "zh"),
        ("競爭者比照", ["比照項目", "渠道運作", "銷售模式", "服務狀態", "價格水平", "產品特性"], "zh-Hant"),
        (
            "Competitor comparison",
            ["Dimension", "Channel", "Sales model", "Service", "Price level", "Product features"],
            "en",
        ),
    ],
)
def test_comparison_layout_reads_a_column_per_competitor(tmp_path, settings, title, dims, lang):
    rows = [[title], [dims[0], "我公司", "恒通", "远大"]]
    rows += [[dim, f"我{i}", f"恒{i}", f"远{i}"] for i, dim in enumerate(dims[1:])]
    result = read_workbook(_book(tmp_path / "c.xlsx", "比照", rows), settings)
    main = result.table("competitors")
    assert main["competitor"].tolist() == ["我公司", "恒通", "远大"]
    assert main.loc[1, "channel"] == "恒0" and main.loc[1, "products"] == "恒4"
    assert main.loc[2, "price"] == "远3" and main.loc[0, "service"] == "我2"
    assert result.forms["competitors"][0].meta["layout"] == "wide"
    assert result.issues == []


_SWOT_ROWS = [
    ["SWOT分析"],
    ["优势(S)", None, "劣势(W)"],
    ["产品质量稳定", None, "交货周期长"],
    [],
    ["机会(O)", None, "威胁(T)"],
    ["新园区开工", None, "恒通降价"],
]
_COMPARISON_ROWS = [
    ["竞争者比照"],
    ["比照项目", "恒通", "远大"],
    ["渠道运作", "代理", "直销"],
    ["价格水平", "低", "持平"],
]


@pytest.mark.parametrize(
    ("rows", "stray", "code", "cell"),
    [
        # a figure beside the quadrants, a cell no part reads: a warning at it
        (_SWOT_ROWS, (2, 4, 1200), "figure_not_read", "E3"),
        # a second 优势 label: the first is read, the second is a leftover, said
        (_SWOT_ROWS, (8, 0, "优势(S)"), "text_not_read", "A9"),
        # a remark under the comparison, in no dimension's row
        (_COMPARISON_ROWS, (5, 1, "价格仅供参考"), "text_not_read", "B6"),
        # a figure in the dimensions' column far to the right of every competitor column
        (_COMPARISON_ROWS, (7, 0, 35), "figure_not_read", "A8"),
    ],
)
def test_a_cell_no_new_form_reads_is_said_at_its_cell(tmp_path, settings, rows, stray, code, cell):
    """The ledger holds on the new forms: what their parsers do not read is a finding, not marked away."""
    grid = [list(row) for row in rows]
    row, col, value = stray
    while len(grid) <= row:
        grid.append([])
    grid[row] = grid[row] + [None] * (col + 1 - len(grid[row]))
    grid[row][col] = value
    result = read_workbook(_book(tmp_path / "x.xlsx", "Sheet1", grid), settings)
    assert [(issue.code, issue.cell) for issue in result.issues] == [(code, cell)]


def test_swot_whose_labels_carry_their_text_inline_is_read(tmp_path, settings):
    rows = [
        ["SWOT分析"],
        ["优势(S):产品质量稳定\n老客户关系好", None, "劣势(W):交货周期长"],
        [],
        ["机会(O):新园区开工", None, "威胁(T):恒通降价"],
    ]
    result = read_workbook(_book(tmp_path / "s.xlsx", "SWOT", rows), settings)
    assert result.issues == []
    main = result.table("swot")
    assert main is not None and main["text"].tolist() == [
        "产品质量稳定",
        "老客户关系好",
        "交货周期长",
        "新园区开工",
        "恒通降价",
    ]


SWOT_WORDS = {
    "zh": ("SWOT分析", "优势(S)", "劣势(W)", "机会(O)", "威胁(T)", "具体行动趋向"),
    "zh-Hant": ("SWOT分析", "優勢(S)", "劣勢(W)", "機會(O)", "威脅(T)", "具體行動趨向"),
    "en": (
        "SWOT analysis",
        "Strengths (S)",
        "Weaknesses (W)",
        "Opportunities (O)",
        "Threats (T)",
        "Action directions",
    ),
}


@pytest.mark.parametrize("lang", ["zh", "zh-Hant", "en"])
def test_swot_is_read_from_its_quadrant_labels(tmp_path, settings, lang):
    title, s, w, o, t, actions = SWOT_WORDS[lang]
    rows = [
        [title],
        [s, None, w],
        ["产品质量稳定", None, "交货周期长"],
        ["老客户关系好", None, None],
        [],
        [o, None, t],
        ["新园区开工\n政府采购增加", None, "恒通降价"],
        [],
        [f"{actions}:先守老客户;再攻园区"],
    ]
    result = read_workbook(_book(tmp_path / "s.xlsx", "SWOT", rows), settings)
    assert [x.form for x in result.sheets] == ["swot"]
    main = result.table("swot")
    by = {
        q: main[main["quadrant"] == q]["text"].tolist()
        for q in ("strengths", "weaknesses", "opportunities", "threats", "actions")
    }
    assert by == {
        "strengths": ["产品质量稳定", "老客户关系好"],
        "weaknesses": ["交货周期长"],
        "opportunities": ["新园区开工", "政府采购增加"],
        "threats": ["恒通降价"],
        "actions": ["先守老客户;再攻园区"],
    }
    assert main[main["quadrant"] == "threats"][["row", "col"]].values.tolist() == [[7, "C"]]
    assert result.issues == []


SWOT_MATRIX = {
    "zh": (
        "SWOT分析",
        "优势(S):产品稳定",
        "劣势(W):交期长",
        "机会(O)",
        "威胁(T)",
        ("SO 增长型战略", "WO战略", "ST:", "防御型战略"),
    ),
    "zh-Hant": (
        "SWOT分析",
        "優勢(S):產品穩定",
        "劣勢(W):交期長",
        "機會(O)",
        "威脅(T)",
        ("SO 增長型戰略", "WO", "ST:", "防禦型戰略"),
    ),
    "en": (
        "SWOT analysis",
        "Strengths: stable product",
        "Weaknesses: long lead time",
        "Opportunities",
        "Threats",
        ("SO strategies", "Turnaround strategy", "ST:", "WT strategy"),
    ),
}


@pytest.mark.parametrize("lang", ["zh", "zh-Hant", "en"])
def test_swot_strategy_matrix_is_read_from_its_cells(tmp_path, settings, lang):
    """The matrix variant: S and W across the top, O and T down the side, a strategy in each crossing —
    its label on its own line (items under it in the cell), alone (items below), or before a colon."""
    title, s, w, o, t, (so, wo, st, wt) = SWOT_MATRIX[lang]
    rows = [
        [title],
        [None, s, w],
        [o + ":园区开工", f"{so}\n借园区扩产\n主推A型机", wo],
        [None, None, "补交付短板"],
        [t + ":对手降价", st + "以服务对抗降价", f"{wt}\n收缩低毛利客户"],
    ]
    result = read_workbook(_book(tmp_path / "s.xlsx", "SWOT", rows), settings)
    main = result.table("swot")
    by = {q: main[main["quadrant"] == q]["text"].tolist() for q in ("so", "wo", "st", "wt", "strengths")}
    assert by == {
        "so": ["借园区扩产", "主推A型机"],
        "wo": ["补交付短板"],
        "st": ["以服务对抗降价"],
        "wt": ["收缩低毛利客户"],
        "strengths": [s.split(":")[1].strip()],
    }
    assert main[main["quadrant"] == "wo"][["row", "col"]].values.tolist() == [[4, "C"]]


def test_swot_missing_and_empty_quadrants_are_said(tmp_path, settings):
    rows = [["SWOT分析"], ["优势", None, "劣势"], ["价格好", None, None], [], ["机会"]]
    result = read_workbook(_book(tmp_path / "s.xlsx", "SWOT", rows), settings)
    found = sorted((i.code, i.cell) for i in result.issues)
    assert found == [
        ("swot_quadrant_empty", "A5"),
        ("swot_quadrant_empty", "C2"),
        ("swot_quadrant_missing", None),
    ]


TARGET_WORDS = {
    "zh": ("营销目标及分解", "产品", "市场/客户", "1月", "2月", "3月", "全年目标", "合计"),
    "zh-Hant": ("營銷目標及分解", "產品", "市場/客戶", "1月", "2月", "3月", "全年目標", "合計"),
    "en": (
        "Sales targets breakdown",
        "Product",
        "Market/customer",
        "Jan",
        "Feb",
        "Mar",
        "Annual target",
        "Total",
    ),
}


@pytest.mark.parametrize("lang", ["zh", "zh-Hant", "en"])
def test_targets_read_products_markets_months_and_totals(tmp_path, settings, lang):
    title, product, market, jan, feb, mar, year, total = TARGET_WORDS[lang]
    rows = [
        [title],
        [product, market, jan, feb, mar, year],
        ["A型机", "朗通", 100, 200, 300, 600],
        [None, "泰岳", 50, 50, 50, 150],
        ["B型机", "朗通", 10, 20, 30, 60],
        [total, None, 160, 270, 380, 810],
    ]
    result = read_workbook(_book(tmp_path / "t.xlsx", "目标", rows), settings)
    assert [x.form for x in result.sheets] == ["targets"]
    main = result.table("targets")
    assert main[["product", "market", "total"]].values.tolist() == [
        ["A型机", "朗通", 600],
        ["A型机", "泰岳", 150],
        ["B型机", "朗通", 60],
    ]
    months = result.table("targets", "months")
    assert months[months["row"] == 4][["month", "plan", "col"]].values.tolist() == [
        [1, 50, "C"],
        [2, 50, "D"],
        [3, 50, "E"],
    ]
    totals = result.table("targets", "totals")
    assert totals[["row", "kind", "total", "total_col"]].values.tolist() == [[6, "total", 810, "F"]]
    assert result.table("targets", "total_months")["plan"].tolist() == [160, 270, 380]
    assert [i.code for i in result.issues] == ["filled_down"]


def test_targets_in_wan_yuan_are_read_in_yuan(tmp_path, settings):
    rows = [
        ["营销目标及分解"],
        ["单位:万元"],
        ["产品", "客户", "1月", "全年目标"],
        ["A型机", "朗通", 1.5, 1.5],
    ]
    result = read_workbook(_book(tmp_path / "t.xlsx", "目标", rows), settings)
    assert result.table("targets")["total"].tolist() == [15000]
    assert result.table("targets", "months")["plan"].tolist() == [15000]


REVIEW_WORDS = {
    "zh": (
        "月度计划审查",
        ["考核项目", "月目标", "实际完成", "第1周", "第2周", "第3周", "第4周", "下月重点目标"],
        "特别纪要:",
    ),
    "zh-Hant": (
        "月度計劃審查",
        ["考核項目", "月目標", "實際完成", "第1週", "第2週", "第3週", "第4週", "下月重點目標"],
        "特別紀要:",
    ),
    "en": (
        "Monthly plan review",
        ["Indicator", "Monthly target", "Actual", "Week 1", "Week 2", "Week 3", "Week 4", "Next month focus"],
        "Special notes:",
    ),
}


@pytest.mark.parametrize("lang", ["zh", "zh-Hant", "en"])
def test_review_reads_indicators_weeks_and_the_notes_below(tmp_path, settings, lang):
    title, header, notes = REVIEW_WORDS[lang]
    rows = [
        [title],
        header,
        ["回款", 100, 90, 20, 30, 25, 15, "回款120"],
        ["新客户拜访", 12, None, 3, 3, 3, 2, None],
        [],
        [notes + "泰岳付款推迟到4月"],
        ["恒通在园区降价,需应对"],
    ]
    result = read_workbook(_book(tmp_path / "r.xlsx", "审查", rows), settings)
    assert [x.form for x in result.sheets] == ["review"]
    main = result.table("review")
    assert main["indicator"].tolist() == ["回款", "新客户拜访"]
    assert main[["target", "actual", "week1", "week4"]].values.tolist()[0] == [100, 90, 20, 15]
    assert pd.isna(main.loc[1, "actual"])
    assert main.loc[0, "next_focus"] == "回款120" and main.loc[0, "target_col"] == "B"
    notes_table = result.table("review", "notes")
    assert notes_table[["row", "kind", "text"]].values.tolist() == [
        [6, "notes", "泰岳付款推迟到4月"],
        [7, "notes", "恒通在园区降价,需应对"],
    ]
    assert result.issues == []


WEEKLY_WORDS = {
    "zh": (
        "周计划审查",
        ["周次", "周目标", "实际完成", "每周大事"],
        ["第1周", "第2周", "第3周", "第4周"],
        "合计",
    ),
    "zh-Hant": (
        "週計劃審查",
        ["週次", "週目標", "實際完成", "每週大事"],
        ["第1週", "第2週", "第3週", "第4週"],
        "合計",
    ),
    "en": (
        "Weekly plan review",
        ["Week", "Weekly target", "Actual", "Weekly key events"],
        [1, 2, 3, 4],
        "Total",
    ),
}


@pytest.mark.parametrize("lang", ["zh", "zh-Hant", "en"])
def test_weekly_review_reads_one_row_per_week(tmp_path, settings, lang):
    """周次 down the side: each week's target and actual become the indicator layout's weeks; the 合计 row
    is the month (its cells are where the month's issues point); the weekly events are kept as notes."""
    title, header, weeks, total = WEEKLY_WORDS[lang]
    rows = [
        [title],
        header,
        [weeks[0], 25, 20, "拜访泰岳"],
        [weeks[1], 25, 30, None],
        [weeks[2], 25, 25, None],
        [weeks[3], 25, 15, "华信试用"],
        [total, 100, 90, None],
        [],
        ["特别纪要:泰岳付款推迟"],
    ]
    result = read_workbook(_book(tmp_path / "w.xlsx", "审查", rows), settings)
    assert [x.form for x in result.sheets] == ["review"] and result.issues == []
    main = result.table("review")
    assert len(main) == 1
    first = main.iloc[0]
    assert (first["row"], first["target"], first["actual"]) == (7, 100, 90)
    assert [first[f"week{n}"] for n in (1, 2, 3, 4)] == [20, 30, 25, 15] and first["week5"] is None
    assert [first[f"week{n}_target"] for n in (1, 2, 3, 4)] == [25] * 4
    assert (first["target_col"], first["actual_col"]) == ("B", "C")
    notes = result.table("review", "notes")
    assert notes[["row", "kind"]].values.tolist() == [[9, "notes"], [3, "week_events"], [6, "week_events"]]
    assert notes["text"].tolist()[1:] == ["第1周: 拜访泰岳", "第4周: 华信试用"]


def test_weekly_review_without_a_total_row_takes_the_weeks_targets(tmp_path, settings):
    rows = [
        ["周计划审查"],
        ["周次", "考核项目", "周目标", "实际完成"],
        ["第1周", "回款", 30, 20],
        ["第1周", "拜访", 5, 6],
        ["第2周", "回款", 30, 40],
        ["第2周", "拜访", 5, 4],
        ["第九周", "回款", 30, 40],  # not a week 1–5: said, not read
    ]
    result = read_workbook(_book(tmp_path / "w.xlsx", "审查", rows), settings)
    main = result.table("review")
    assert main["indicator"].tolist() == ["回款", "拜访"]
    assert main["target"].tolist() == [60, 10]  # the weeks' targets added up, and said
    assert main["actual"].isna().all() and main["week2"].tolist() == [40, 4]
    assert main["target_col"].isna().all()  # no month cell to point at
    assert sorted((i.code, i.cell) for i in result.issues) == [
        ("review_target_from_weeks", "C3"),
        ("review_target_from_weeks", "C4"),
        ("review_week_unknown", "A7"),
    ]


def test_a_weekly_goals_column_beside_indicators_stays_text(tmp_path, settings):
    """In the indicator layout, 周目标 is the weeks' goals in words (as before the weekly layout)."""
    rows = [["月度计划审查"], ["考核项目", "月目标", "实际完成", "周目标"], ["回款", 100, 90, "每周回款25"]]
    main = read_workbook(_book(tmp_path / "r.xlsx", "审查", rows), settings).table("review")
    assert main.loc[0, "week_events"] == "每周回款25" and main.loc[0, "week1_target"] is None


@pytest.mark.parametrize(
    ("header", "form"),
    [
        (["竞争对手", "价格水平", "渠道运作"], "competitors"),
        (["产品", "市场", "1月", "2月"], "targets"),
        (["考核项目", "月目标", "第1周", "第2周"], "review"),
    ],
)
def test_untitled_sheets_are_recognised_by_their_header(tmp_path, settings, header, form):
    rows = [header, ["甲", 1, 2, 3]]
    result = read_workbook(_book(tmp_path / "u.xlsx", "Sheet1", rows), settings)
    assert [s.form for s in result.sheets] == [form]


def test_a_monthly_plan_stays_a_monthly_plan(tmp_path, settings):
    rows = [["指标", "目标", "实际", "特别纪要"], ["回款", 100, 90, "万星推迟"]]
    result = read_workbook(_book(tmp_path / "m.xlsx", "Sheet1", rows), settings)
    assert [s.form for s in result.sheets] == ["monthly"]
