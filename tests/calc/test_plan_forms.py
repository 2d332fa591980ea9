"""Targets add up (or are warned at the total's cell), the review's attainment, the 4P1S comparison."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import xlsxwriter

from kamxl.calc.plan_forms import (
    check_targets,
    competition,
    contested,
    moves_naming,
    review_attainment,
    with_priorities,
)
from kamxl.read import read_workbook
from kamxl.results import build_results


def _read(tmp_path, name, rows, settings):
    path = tmp_path / f"{name}.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(name)
    for r, cells in enumerate(rows):
        for c, value in enumerate(cells):
            if value is not None:
                ws.write(r, c, value)
    wb.close()
    return read_workbook(path, settings)


TARGETS = [
    ["营销目标及分解"],
    ["产品", "客户", "1月", "2月", "3月", "全年目标"],
    ["A型机", "朗通", 100, 200, 300, 600],
    ["A型机", "泰岳", 50, 50, 50, 160],  # 150 written as 160: row 4's F4
    ["B型机", "朗通", 10, 20, 30, 60],
    ["合计", None, 160, 270, 390, 800],  # March pieces 380 (E6), annual 160+… pieces 810 (F6)
]


def test_targets_add_up_or_are_warned_at_the_totals_cell(tmp_path, settings):
    book = _read(tmp_path, "目标", TARGETS, settings)
    tables = {name: book.table("targets", name) for name in ("main", "months", "totals", "total_months")}
    targets, issues = check_targets(tables, settings)
    found = sorted((i.code, i.cell, i.params["written"], i.params["computed"]) for i in issues)
    assert found == [
        ("targets_mismatch", "E6", "390", "380"),
        ("targets_mismatch", "F4", "160", "150"),
        ("targets_mismatch", "F6", "800", "810"),
    ]
    assert targets.total == 810 and targets.written_total == 800
    assert targets.by_month[["month", "plan", "written"]].values.tolist() == [
        [1, 160, 160],
        [2, 270, 270],
        [3, 380, 390],
    ]
    assert targets.source == "none" and targets.by_month["actual"].isna().all()
    assert targets.rows["m2"].tolist() == [200, 50, 20]


def test_targets_that_add_up_raise_nothing_and_take_the_pnl_revenue(tmp_path, settings):
    rows = [list(r) for r in TARGETS]
    rows[3][5], rows[5][4], rows[5][5] = 150, 380, 810
    book = _read(tmp_path, "目标", rows, settings)
    tables = {name: book.table("targets", name) for name in ("main", "months", "totals", "total_months")}
    pnl_months = pd.DataFrame({"month": [1, 2], "revenue_actual": [120.0, 297.0]})
    targets, issues = check_targets(tables, settings, pnl_months=pnl_months)
    assert issues == []
    assert targets.source == "pnl"
    assert targets.by_month["attainment"].tolist()[:2] == [pytest.approx(0.75), pytest.approx(1.1)]
    assert pd.isna(targets.by_month["attainment"].iloc[2])


def test_each_products_targets_against_its_pnl_revenue_line(tmp_path, settings):
    book = _read(tmp_path, "目标", TARGETS, settings)
    tables = {name: book.table("targets", name) for name in ("main", "months", "totals", "total_months")}
    lines = pd.DataFrame(
        {
            "month": [1, 1, 1, 2],
            "group": ["revenue", "revenue", "expense", "revenue"],
            "line": [
                "A型机",
                "Ｂ型机",
                "A型机",
                "A型机",
            ],  # full-width Ｂ names B型机 too; an expense line is no sale
            "actual": [120.0, 9.0, 999.0, None],
        }
    )
    targets, _ = check_targets(tables, settings, pnl_lines=lines)
    table = targets.by_product
    assert table[["product", "month", "plan"]].values.tolist() == [
        ["A型机", 1, 150],  # 朗通 100 + 泰岳 50
        ["A型机", 2, 250],
        ["A型机", 3, 350],
        ["B型机", 1, 10],
        ["B型机", 2, 20],
        ["B型机", 3, 30],
    ]
    assert table["actual"].tolist()[0] == 120 and table["actual"].tolist()[3] == 9
    assert table["actual"].isna().tolist() == [False, True, True, False, True, True]
    assert table["attainment"].tolist()[0] == pytest.approx(0.8)


REVIEW = [
    ["月度计划审查"],
    ["考核项目", "月目标", "实际完成", "第1周", "第2周", "第3周", "第4周"],
    ["回款", 100, 80, 20, 30, 25, 15],  # weeks 90 ≠ 80: warned at C3; 80 % attainment: behind
    ["新客户拜访", 12, None, 3, 3, 3, 2],  # no actual: the weeks' 11, 11/12
    ["满意度调查", None, 5, None, None, None, None],  # no target: no attainment
    [],
    ["特别纪要:泰岳付款推迟"],
]


def test_review_attainment_and_the_weeks_against_the_month(tmp_path, settings):
    book = _read(tmp_path, "审查", REVIEW, settings)
    review, issues = review_attainment(book.table("review"), book.table("review", "notes"), settings)
    assert sorted((i.code, i.cell) for i in issues) == [
        ("review_actual_from_weeks", "C4"),
        ("review_no_target", "B5"),
        ("review_weeks_mismatch", "C3"),
    ]
    rows = review.rows
    assert rows["actual"].tolist()[:2] == [80, 11]
    assert rows["attainment"].tolist()[:2] == [pytest.approx(0.8), pytest.approx(11 / 12)]
    assert pd.isna(rows["attainment"].iloc[2])
    assert rows["behind"].tolist() == [True, False, None]
    assert (review.behind, review.counted) == (1, 2)
    first = review.weeks[review.weeks["indicator"] == "回款"]
    assert first["cumulative"].tolist() == [20, 50, 75, 90]
    assert first["share"].tolist() == [
        pytest.approx(0.2),
        pytest.approx(0.5),
        pytest.approx(0.75),
        pytest.approx(0.9),
    ]
    assert review.notes["notes"] == ["泰岳付款推迟"]


WEEKLY = [
    ["周计划审查"],
    ["周次", "周目标", "实际完成", "每周大事"],
    ["第1周", 25, 20, "拜访泰岳"],
    ["第2周", 25, 30, None],
    ["第3周", 25, 25, None],
    ["第4周", 25, 15, None],
    ["合计", 100, 95, None],  # the weeks add up to 90: a mismatch at C7
]


def test_weekly_review_holds_the_weeks_against_the_month(tmp_path, settings):
    book = _read(tmp_path, "周审查", WEEKLY, settings)
    review, issues = review_attainment(book.table("review"), book.table("review", "notes"), settings)
    assert [(i.code, i.cell) for i in issues] == [("review_weeks_mismatch", "C7")]
    row = review.rows.iloc[0]
    assert (row["actual"], row["weeks_sum"], row["attainment"]) == (95, 90, pytest.approx(0.95))
    assert review.weeks["cumulative"].tolist() == [20, 50, 75, 90]
    assert review.weeks["share"].tolist() == [pytest.approx(x) for x in (0.2, 0.5, 0.75, 0.9)]
    assert review.weeks["week_target"].tolist() == [25, 25, 25, 25]
    assert review.notes["week_events"] == ["第1周: 拜访泰岳"]


def test_competition_compares_on_4p1s_and_lists_each_contested_customer():
    main = pd.DataFrame(
        {
            "sheet": ["竞争", "竞争"],
            "row": [4, 5],
            "competitor": ["恒通", "远大"],
            "products": ["B型机", "A型机"],
            "price": ["低10%", "持平"],
            "channel": ["代理", "直销"],
            "sales_model": ["电话", "顾问式"],
            "service": ["一般", "好"],
            "strengths": ["价格低", "关系深"],
            "weaknesses": ["服务慢", "产品旧"],
            "customers": ["朗通、泰岳", "泰岳"],
            "moves": ["3月降价", None],
        }
    )
    found = competition(main)
    assert list(found.comparison.index) == ["channel", "sales_model", "service", "price", "products"]
    assert found.comparison["远大"].tolist() == ["直销", "顾问式", "好", "持平", "A型机"]
    assert found.per_customer[["customer", "competitor"]].values.tolist() == [
        ["朗通", "恒通"],
        ["泰岳", "恒通"],
        ["泰岳", "远大"],
    ]
    assert found.per_customer["moves"].tolist() == [None, None, None]  # "3月降价" names no customer


def test_a_customer_is_shown_only_the_strengths_and_weaknesses_that_name_it():
    main = pd.DataFrame(
        {
            "sheet": ["竞争"],
            "row": [4],
            "competitor": ["远大"],
            **{name: ["x"] for name in ("products", "price", "channel", "sales_model", "service")},
            "strengths": ["与朗通高层关系深;价格低"],
            "weaknesses": ["华信交付周期长"],
            "customers": ["朗通、华信"],
            "moves": [None],
        }
    )
    found = competition(main).per_customer.set_index("customer")
    assert (
        found.loc["朗通", "strengths"] == "与朗通高层关系深"
    )  # not "价格低": that is shown once, per competitor
    assert pd.isna(found.loc["华信", "strengths"])  # the 朗通 relationship is not a strength at 华信
    assert found.loc["华信", "weaknesses"] == "华信交付周期长"
    assert pd.isna(found.loc["朗通", "weaknesses"])


def test_contested_customers_are_listed_p1_first_then_without_a_priority():
    main = pd.DataFrame(
        {
            "sheet": ["竞争"] * 2,
            "row": [4, 5],
            "competitor": ["恒通", "远大"],
            **{name: ["x", "y"] for name in ("products", "price", "channel", "sales_model", "service")},
            "strengths": [None, None],
            "weaknesses": [None, None],
            "customers": ["安达;朗通", "泰岳、博雅"],
            "moves": [None, None],
        }
    )
    customers = pd.DataFrame({"customer": ["朗通", "泰岳", "博雅"], "priority": ["P2", "P1", "P3"]})
    found = with_priorities(competition(main), customers).per_customer
    assert found["customer"].tolist() == ["泰岳", "朗通", "博雅", "安达"]
    assert found["priority"].tolist()[:3] == ["P1", "P2", "P3"]
    assert pd.isna(found["priority"].iloc[3])


@pytest.mark.parametrize(
    ("cell", "names"),
    [
        ("朗通、华信", ["朗通", "华信"]),
        ("泰岳;万星", ["泰岳", "万星"]),
        ("天成", ["天成"]),
        (None, []),
        ("a ,\nb", ["a", "b"]),
    ],
)
def test_the_contested_cell_is_split_whatever_the_separator(cell, names):
    assert contested(cell) == names


@pytest.mark.parametrize(
    ("moves", "customer", "shown"),
    [
        ("3月起对泰岳降价 8%", "泰岳", "3月起对泰岳降价 8%"),
        ("3月起对泰岳降价 8%", "万星", None),  # a move against another customer is not this one's
        ("3月降价;4月在万星试用", "万星", "4月在万星试用"),
        ("对泰岳降价。泰岳续约谈判\n万星试用", "泰岳", "对泰岳降价; 泰岳续约谈判"),
        ("对泰岳科技降价", "泰 岳", "对泰岳科技降价"),  # names matched as users write them
        ("3月降价", "泰岳", None),  # a move naming no customer is the competitor's, shown once
        (None, "泰岳", None),
    ],
)
def test_a_customer_is_shown_only_the_moves_that_name_it(moves, customer, shown):
    assert moves_naming(moves, customer) == shown


def test_results_carry_the_four_forms(tmp_path, settings):
    path = tmp_path / "all.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    for name, rows in (
        ("目标", TARGETS),
        ("审查", REVIEW),
        ("SWOT", [["SWOT分析"], ["优势", "劣势"], ["好", "慢"], [], ["机会", "威胁"], ["新区", "降价"]]),
    ):
        ws = wb.add_worksheet(name)
        for r, cells in enumerate(rows):
            for c, value in enumerate(cells):
                if value is not None:
                    ws.write(r, c, value)
    wb.close()
    results = build_results(read_workbook(path, settings), settings, dt.date(2026, 3, 31), strict=True)
    assert results.swot is not None and results.swot["threats"] == ["降价"]
    assert results.targets is not None and results.targets.total == 810
    assert results.review is not None and results.review.behind == 1
    assert results.competition is None
    assert {"targets_mismatch", "review_weeks_mismatch"} <= {i.code for i in results.issues}


def test_a_target_row_naming_a_receivables_customer_is_held_against_its_collections():
    """By hand: 朗通 is named by two target rows (150 a month) and has two receivables rows (80 + 40
    collected in January, nothing yet in February); 泰岳 has no receivables row; 华信 has no target."""
    from kamxl.calc.plan_forms import Targets, by_customer

    rows = pd.DataFrame(
        {
            "sheet": ["目标"] * 4,
            "row": [4, 5, 6, 7],
            "product": ["A型机", "B型机", "A型机", "B型机"],
            "market": ["朗通", "朗 通", "泰岳", None],
            "m1": [100.0, 50.0, 70.0, 10.0],
            "m2": [100.0, 50.0, 70.0, 10.0],
        }
    )
    targets = Targets(rows, pd.DataFrame(), 0.0, None, "none", [1, 2])
    receivables = pd.DataFrame(
        {"sheet": ["应收"] * 3, "row": [5, 6, 7], "customer": ["朗通", "朗通", "华信"]}
    )
    months = pd.DataFrame(
        {
            "sheet": ["应收"] * 6,
            "row": [5, 5, 6, 6, 7, 7],
            "month": [1, 2, 1, 2, 1, 2],
            "actual": [80.0, None, 40.0, None, 30.0, 30.0],
        }
    )
    found = by_customer(targets, receivables, months)
    assert found[["customer", "target_rows", "month", "plan"]].values.tolist() == [
        ["朗通", (4, 5), 1, 150.0],
        ["朗通", (4, 5), 2, 150.0],
    ]
    assert found["collected"].iloc[0] == 120.0 and pd.isna(found["collected"].iloc[1])
    assert found["attainment"].iloc[0] == pytest.approx(0.8) and pd.isna(found["attainment"].iloc[1])
    # a rolling receivables plan (its months run into a second year) is not matched by month number
    rolling = months.assign(period=[24311, 24312] * 3)
    assert by_customer(targets, receivables, rolling).empty
