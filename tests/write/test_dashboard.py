"""仪表板: the report's first page — region and period, tiles linked to their sheets, change on last month,
the funnel, the decisions with their input cells, the salespeople; one A4 landscape page."""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile

import openpyxl
import pandas as pd
import pytest

from kamxl.pipeline import RunOptions, process
from kamxl.read import read_workbook
from kamxl.results import build_results
from kamxl.write.xlsx import write_workbook
from tests.conftest import SAMPLES
from tests.write.libreoffice import convert, require, same

AS_OF = dt.date(2026, 3, 31)
TILES, VALUES, NOTE_1, NOTE_2 = 4, 5, 6, 7  # the tiles' Excel rows: label, figure, two notes


@pytest.fixture(scope="module")
def march(tmp_path_factory, settings):
    """The combined sample's report, January and February filed in the history before it."""
    out = tmp_path_factory.mktemp("dashboard")
    history = out / "history.sqlite"
    for month in (1, 2):
        process(
            SAMPLES / f"east-2026-0{month}.xlsx", out, settings, RunOptions(dt.date(2026, month, 28), history)
        )
    process(SAMPLES / "east-2026-03.xlsx", out, settings, RunOptions(AS_OF, history, strict=True))
    return out / "east-2026-03.kamxl.xlsx"


@pytest.fixture(scope="module")
def english(tmp_path_factory, settings_en):
    out = tmp_path_factory.mktemp("dashboard-en")
    process(SAMPLES / "east-2026-03-en.xlsx", out, settings_en, RunOptions(AS_OF, strict=True))
    return out / "east-2026-03-en.kamxl.xlsx"


def test_page_one_is_the_dashboard_and_the_issues_come_last(march):
    workbook = openpyxl.load_workbook(march)
    assert workbook.sheetnames[0] == "仪表板" and workbook.sheetnames[-1] == "问题"
    assert workbook.active.title == "仪表板"
    with zipfile.ZipFile(march) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert 'orientation="landscape"' in xml and 'paperSize="9"' in xml
    assert '<pageSetUpPr fitToPage="1"/>' in xml
    assert "fitToWidth" not in xml and "fitToHeight" not in xml  # 1 × 1: XlsxWriter writes no 1s


@pytest.mark.parametrize(
    "fixture, dashboard, summary",
    [
        ("march", "华东区 · 2026 年 3 月月度评审", "华东区 · 2026 年 3 月评审摘要"),
        ("english", "East region · Mar 2026 monthly review", "East region · Mar 2026 review summary"),
    ],
)
def test_the_titles_say_region_and_period_not_the_file(request, fixture, dashboard, summary):
    workbook = openpyxl.load_workbook(request.getfixturevalue(fixture))
    assert workbook.worksheets[0]["A1"].value == dashboard
    assert workbook.worksheets[1]["A1"].value == summary


def test_tiles_link_to_the_sheets_that_hold_their_figures(march):
    formulas = openpyxl.load_workbook(march)["仪表板"]
    values = openpyxl.load_workbook(march, data_only=True)["仪表板"]
    labels = [values.cell(TILES, col).value for col in range(1, 13, 2)]
    assert labels == [
        "回款计划(截至本期)",
        "回款实收(截至本期)",
        "回款差异(实收 − 计划)",
        "回款率(实收 ÷ 计划)",
        "收入(截至本期)",
        "利润(截至本期)",
    ]
    figures = [values.cell(VALUES, col).value for col in range(1, 13, 2)]
    # by hand: 296,500 × 3 planned, 261,000 + 269,000 + 276,000 collected; P&L to March (test_samples)
    assert figures[:3] == [889_500, 806_000, -83_500]
    assert figures[3] == pytest.approx(806_000 / 889_500)
    assert figures[4:] == [1_818_000, 1_202_000]
    assert formulas["C5"].value.startswith("=应收帐款!") and formulas["G5"].value.startswith("=应收帐款!")
    assert formulas["E5"].value == "=C5-A5"
    # a variance reads with its sign and a true minus (−83,500), the format the sheets' variances use
    signed = '+#,##0;"−"#,##0;0'
    assert formulas["E5"].number_format == signed and formulas["A5"].number_format == "#,##0"
    assert formulas["I5"].value.startswith("=损益!") and formulas["K5"].value.startswith("=损益!")


def test_change_on_last_month(march):
    """276,000 against February's 269,000 is +2.6 %; 90.6 % against February's 89.4 % (the history) is
    +1.2 points; revenue 635,000 against 598,000 +6.2 %; profit 428,000 against 387,000 +10.6 %."""
    ws = openpyxl.load_workbook(march)["仪表板"]
    assert ws["C6"].value == "本月 276,000,比上月 ▲ 2.6%"
    assert ws["G7"].value == "比上月 ▲ 1.2 个百分点(上月 89.4%)"
    assert ws["I7"].value == "本月 635,000,比上月 ▲ 6.2%"
    assert ws["K7"].value == "本月 428,000,比上月 ▲ 10.6%"
    assert ws["I6"].value == "计划 1,800,000,+18,000(+1.0%)"


def _texts(ws) -> list[str]:
    return [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


def test_funnel_and_its_rule_in_words(march):
    texts = _texts(openpyxl.load_workbook(march)["仪表板"])
    # the grade says what holds it back; the rule, and the share measured (4 stuck of 6 in C and D)
    assert (
        "漏斗健康度:良(有停滞,需推动) — C、D 类中停滞的占 50% 以上:长时间无法向漏斗口靠近(本期停滞占 67%)"
        in texts
    )
    assert [text for text in texts if re.fullmatch("[A-D]类", text)] == ["A类", "B类", "C类", "D类"]


def test_decisions_with_their_input_cells_as_text(march):
    ws = openpyxl.load_workbook(march)["仪表板"]
    texts = _texts(ws)
    # 12 decisions; a customer's on one line: 新源; 华信; 海川 (2); 朗通; 金桥 — 6 in the first 5 lines
    # (朗通 is at 96.7 % as a customer: neither 一级 behind nor a late payer, only its slipped deal)
    start = texts.index("待决事项与风险(共 12 项;同一客户的合并为一行,前 5 行含 6 项)")
    assert texts[start + 5 : start + 9] == [
        "高",
        "一级客户新源回款落后:截至本期计划 33,000,实收 22,000(回款率 66.7%),少收 11,000。",
        "应收帐款规划表 A15",
        "高",
    ]
    assert not any(c.hyperlink for row in ws.iter_rows() for c in row)


def test_a_customers_decisions_are_one_line_with_both_facts(march):
    """海川 pays late and its A deal slipped: one line, both sentences, both cells (report.json keeps two)."""
    texts = _texts(openpyxl.load_workbook(march)["仪表板"])
    haichuan = [text for text in texts if "海川 / 堆场管理" in text]
    assert haichuan == [
        "A 类大单 海川 / 堆场管理(420,000)的客户回款落后(回款率 65.6%):签约前需定付款条件。\n"
        "A 类商机 海川 / 堆场管理(420,000)预计本月内成交,评审日仍未成交:已延期。"
    ]
    assert texts[texts.index(haichuan[0]) + 1] == "客户价值评估 R17, Q17"
    report = json.loads((march.parent / "east-2026-03.report.json").read_text("utf-8"))
    kinds = [entry["kind"] for entry in report["decisions"] if entry["evidence"].get("customer") == "海川"]
    assert kinds == ["big_deal_late_payer", "slipped"]


def test_salespeople_from_the_results(tmp_path, settings):
    """A hand-made owners table, as another calculation provides it, is shown row by row."""
    workbook = read_workbook(SAMPLES / "form-receivables.xlsx", settings)
    results = build_results(workbook, settings, AS_OF)
    results.owners = pd.DataFrame(
        {
            "owner": ["王伟", "李娜"],
            "collections_plan": [100_000.0, 50_000.0],
            "collections_actual": [90_000.0, 55_000.0],
            "collections_rate": [0.9, 1.1],
            "pipeline": [500_000.0, 0.0],
            "weighted_pipeline": [300_000.0, 0.0],
            "p1_customers": [2, 0],
            "plan_attainment": [0.95, None],
            "hours": [12.5, 3.0],
        }
    )
    target = tmp_path / "owners.kamxl.xlsx"
    write_workbook(results, target, settings)
    ws = openpyxl.load_workbook(target)["仪表板"]
    rows = [[c.value for c in row] for row in ws.iter_rows(max_col=9)]
    head = rows.index(
        [
            "负责人",
            "回款计划",
            "回款实收",
            "回款率",
            "商机金额",
            "加权商机",
            "P1 客户",
            "月度计划达成",
            "用时(小时)",
        ]
    )
    assert rows[head - 1][0] == "按负责人"
    assert rows[head + 1] == ["王伟", 100_000, 90_000, 0.9, 500_000, 300_000, 2, 0.95, 12.5]
    assert rows[head + 2] == ["李娜", 50_000, 55_000, 1.1, 0, 0, 0, None, 3]


def test_no_decision_says_so(tmp_path, settings):
    results = build_results(read_workbook(SAMPLES / "form-todo.xlsx", settings), settings, AS_OF)
    target = tmp_path / "todo.kamxl.xlsx"
    write_workbook(results, target, settings)
    assert "没有需要决定的事项。" in _texts(openpyxl.load_workbook(target)["仪表板"])


@pytest.mark.slow
def test_cached_values_equal_libreoffice_recalculation(march, tmp_path):
    require()
    cached = openpyxl.load_workbook(march, data_only=True)["仪表板"]
    formulas = openpyxl.load_workbook(march)["仪表板"]
    recalculated = openpyxl.load_workbook(convert(march, tmp_path), data_only=True)["仪表板"]
    checked = 0
    for row in formulas.iter_rows():
        for found in row:
            if isinstance(found.value, str) and found.value.startswith("="):
                mine, theirs = cached[found.coordinate].value, recalculated[found.coordinate].value
                assert same(mine, theirs), f"{found.coordinate}: kamxl {mine!r}, LibreOffice {theirs!r}"
                checked += 1
    assert checked >= 5


def test_debt_in_no_months_plan_is_said_under_the_years_plan(march):
    """3,650,000 owed − 3,558,000 planned over the months = 92,000 the balance holds and no plan does."""
    ws = openpyxl.load_workbook(march)["仪表板"]
    assert ws["A6"].value == "全年计划 3,558,000"
    assert ws["A7"].value == "另有 92,000 未排入回款计划"


def test_a_fully_planned_debt_says_nothing_more(tmp_path, settings):
    workbook = read_workbook(SAMPLES / "form-receivables.xlsx", settings)
    results = build_results(workbook, settings, AS_OF)
    assert results.receivables is not None
    summary = results.receivables.summary
    summary["total_owed"] = summary["plan"]  # as if every yuan owed were planned
    target = tmp_path / "planned.kamxl.xlsx"
    write_workbook(results, target, settings)
    assert not any("未排入回款计划" in text for text in _texts(openpyxl.load_workbook(target)["仪表板"]))


def _owners_block(ws):
    rows = [[c.value for c in row] for row in ws.iter_rows(max_col=12)]
    start = next(index for index, row in enumerate(rows) if row[0] in ("按负责人", "By salesperson"))
    return rows, start + 1  # the header's index (0-based; its Excel row is one more)


def test_owner_columns_nobody_has_are_left_out_and_said_once(english):
    ws = openpyxl.load_workbook(english)["Dashboard"]
    rows, head = _owners_block(ws)
    assert [value for value in rows[head] if value] == [
        "Salesperson",
        "Collections plan",
        "Collected",
        "Rate",
        "Pipeline",
        "Weighted pipeline",
        "P1 customers",
    ]
    notes = [row[0] for row in rows if isinstance(row[0], str) and row[0].startswith("Not shown")]
    assert notes == [
        "Not shown: Plan attainment, Hours — no salesperson has a figure "
        "(the workbook has no form that gives them by salesperson)."
    ]
    # "Collections plan" (16 characters) wraps in an 11.5-wide column: the row holds two lines
    assert ws.row_dimensions[head + 1].height >= 2 * 15


def test_strategy_dashboard_shows_the_targets_and_the_review(tmp_path, settings):
    """strategy-east-2026: targets 605,000 + 608,000 + 645,000 = 1,858,000 to March against revenue
    585,000 + 598,000 + 635,000 = 1,818,000 (97.9 %); the review: 重点客户拜访 17 of 20 (85 %) is the one
    of four indicators under 90 %."""
    results = build_results(read_workbook(SAMPLES / "strategy-east-2026.xlsx", settings), settings, AS_OF)
    target = tmp_path / "strategy.kamxl.xlsx"
    write_workbook(results, target, settings)
    ws = openpyxl.load_workbook(target)["仪表板"]
    labels = [ws.cell(TILES, col).value for col in range(1, 13, 2)]
    # the form covers January to March: the tile says whose targets these are, beside the P&L's revenue
    assert labels[2:4] == ["第1季度营销目标达成(截至本期)", "月度考核未达标项"]
    assert ws["E5"].value == pytest.approx(1_818_000 / 1_858_000)
    assert ws["E6"].value == "目标 1,858,000,实际 1,818,000"
    # the P&L's revenue plan to March is 600,000 × 3 = 1,800,000: 58,000 less than the targets
    assert ws["E7"].value == "与损益表收入计划差 58,000"
    assert ws["G5"].value == "1/4"
    assert ws["G6"].value == "达成率低于 90% 的考核项"  # the count is the value, said once
    assert ws["G7"].value == "重点客户拜访(家) 85.0%"
    texts = [
        str(ws.cell(row, col).value) for row in (TILES + 1, TILES + 2, TILES + 3) for col in range(1, 13)
    ]
    assert sum("1,858,000" in text for text in texts) == 1
    assert sum("1/4" in text for text in texts) == 1


def test_the_unplanned_debt_note_fits_its_tile_in_english(english):
    """The tile is two columns wide (23 characters): the English note says it as short as the Chinese."""
    ws = openpyxl.load_workbook(english)["Dashboard"]
    assert ws["A7"].value == "Unplanned debt 92,000"
    assert len(ws["A7"].value) <= 2 * 11.5
