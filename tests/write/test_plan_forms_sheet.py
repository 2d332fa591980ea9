"""The planning forms' sheets, summary section and report.json, from the strategy sample (make_samples.py)."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest
import xlsxwriter

from kamxl.pipeline import RunOptions, process
from tests.conftest import SAMPLES
from tests.write.libreoffice import convert, formula_cells, require, same

AS_OF = dt.date(2026, 3, 31)
MY_SHEETS = ("竞争对手信息表", "SWOT 分析", "营销目标及分解", "月度计划审查")


@pytest.fixture(scope="module")
def strategy(tmp_path_factory, settings):
    out = tmp_path_factory.mktemp("plan_forms")
    process(SAMPLES / "strategy-east-2026.xlsx", out, settings, RunOptions(AS_OF, strict=True))
    return out


def test_the_four_sheets_are_written(strategy):
    wb = openpyxl.load_workbook(strategy / "strategy-east-2026.kamxl.xlsx")
    assert set(MY_SHEETS) <= set(wb.sheetnames)
    competitors = wb["竞争对手信息表"]
    # the 4P1S comparison: dimensions down column A, a column per competitor
    assert [competitors.cell(4, c).value for c in range(1, 5)] == ["比照项目", "远大科技", "联创", "中科信"]
    assert [competitors.cell(r, 1).value for r in range(5, 10)] == [
        "渠道运作",
        "销售模式",
        "服务状态",
        "价格水平",
        "产品特性",
    ]
    assert competitors["C8"].value == "低于我方 10%"
    # the contested customers: a move shown only against the customer it names
    moves = {
        (competitors.cell(r, 1).value, competitors.cell(r, 2).value): competitors.cell(r, 3).value
        for r in range(13, 20)
    }
    assert moves[("泰岳", "联创")] == "3月起对泰岳降价 8%" and moves[("万星", "联创")] is None
    assert moves[("华信", "远大科技")] == "3月在华信做免费试用" and moves[("朗通", "远大科技")] is None
    swot = wb["SWOT 分析"]
    assert (swot["A4"].value, swot["B4"].value, swot["A6"].value, swot["B6"].value) == (
        "优势(S)",
        "劣势(W)",
        "机会(O)",
        "威胁(T)",
    )
    assert swot["B7"].value == "• 联创对泰岳降价 8%\n• 远大科技在华信免费试用"
    assert swot["A9"].value.startswith("1. 守住朗通、华信")


def _table(sheet, title: str) -> list[list]:
    """The rows under the (last) key cell ``title`` in column A, header first, to the blank row."""
    top = max(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == title) + 1
    rows = []
    for r in range(top, sheet.max_row + 2):
        if sheet.cell(r, 1).value is None:
            return rows
        rows.append([sheet.cell(r, c).value for c in range(1, sheet.max_column + 1)])
    return rows


def test_the_contested_customers_read_p1_first_with_only_what_names_them(strategy):
    sheet = openpyxl.load_workbook(strategy / "strategy-east-2026.kamxl.xlsx")["竞争对手信息表"]
    head, *rows = _table(sheet, "按客户的竞争情况")
    assert head[:6] == ["客户", "竞争对手", "竞争者动向", "对手优势", "对手劣势", "优先级"]
    by_pair = {(row[0], row[1]): row for row in rows}
    assert by_pair[("华信", "远大科技")][3] is None  # "与朗通高层关系深" is not a strength at 华信
    assert by_pair[("朗通", "远大科技")][3] == "与朗通高层关系深"
    priorities = [row[5] for row in rows]
    ranked = [p for p in priorities if p is not None]
    assert ranked == sorted(ranked) and priorities[: len(ranked)] == ranked  # P1 first, unranked last
    head, *rows = _table(sheet, "竞争对手信息")
    assert head[1:3] == ["对手优势", "对手劣势"]
    contested = [row[3] for row in rows if row[3]]
    assert all(";" not in text and ";" not in text for text in contested)
    assert "泰岳、万星" in contested  # written "泰岳;万星" on the form


def test_targets_and_review_hold_live_formulas(strategy):
    path = strategy / "strategy-east-2026.kamxl.xlsx"
    formulas, values = openpyxl.load_workbook(path), openpyxl.load_workbook(path, data_only=True)
    targets, cached = formulas["营销目标及分解"], values["营销目标及分解"]
    # five pieces in rows 5–9, the 合计 row 10: Jan 130,000+110,000+190,000+60,000+115,000
    assert targets["C10"].value == "=SUM(C5:C9)" and cached["C10"].value == 605000
    assert targets["F5"].value == "=SUM(C5:E5)" and cached["F5"].value == 395000
    # per month: the pieces' SUM, the P&L revenue 585,000, 585/605; the pieces add up to the 合计 row, so
    # no 合计行/差额 columns, one line under the months says so
    assert [cached.cell(13, col).value for col in range(1, 6)] == ["月份", "目标", "实际", "达成率", None]
    assert cached["B14"].value == 605000 and cached["C14"].value == 585000
    assert cached["D14"].value == pytest.approx(585000 / 605000)
    assert cached["A17"].value == "各项相加与合计一致。"
    assert "A12:D12" in {str(merged) for merged in targets.merged_cells.ranges}  # the heading: its own row
    # per product: a SUMIF over the pieces, against the P&L's 产品A line (430,000 planned, 410,000 actual)
    assert targets["C22"].value == "=SUMIF($A$5:$A$9,A22,$C$5:$C$9)" and cached["C22"].value == 430000
    assert cached["A22"].value == "产品A" and cached["D22"].value == 410000
    review, shown = formulas["月度计划审查"], values["月度计划审查"]
    assert [shown.cell(4, c).value for c in range(1, 10)] == [
        "考核项目",
        "月目标",
        "实际完成",
        "第1周",
        "第2周",
        "第3周",
        "第4周",
        "各周合计",
        "达成率",
    ]
    assert review["I8"].value == '=IF(OR(C8="",N(B8)=0),"",C8/B8)' and shown["I8"].value == pytest.approx(
        0.85
    )
    assert shown["H6"].value == 111  # 回款's weeks: 25+30+28+28
    assert shown["A10"].value == "特别纪要"  # two rows under the four indicators (rows 5–8)
    assert shown["A11"].value.startswith("联创对泰岳降价 8%")


def test_targets_that_do_not_add_up_show_the_check_with_the_gaps_in_red(tmp_path, settings):
    from tests.calc.test_plan_forms import TARGETS

    path = tmp_path / "targets.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("目标")
    for r, cells in enumerate(TARGETS):
        for c, value in enumerate(cells):
            if value is not None:
                sheet.write(r, c, value)
    book.close()
    process(path, tmp_path / "out", settings, RunOptions(AS_OF))
    shown = openpyxl.load_workbook(tmp_path / "out" / "targets.kamxl.xlsx")["营销目标及分解"]
    column_a = [cell.value for cell in shown["A"]]
    at = column_a.index("核对:各项相加与合计行不一致(差额标红)") + 1  # 1-based: the heading's row
    assert [shown.cell(at + 1, col).value for col in range(1, 5)] == ["月份", "各项相加", "合计行", "差额"]
    # March: the pieces 300 + 50 + 30 = 380, the 合计 row 390: a gap of 10, in red
    assert shown.cell(at + 4, 1).value == "三月" and shown.cell(at + 4, 3).value == 390
    rules = [rule for ranges in shown.conditional_formatting for rule in ranges.rules]
    assert any(rule.operator == "notBetween" for rule in rules)
    assert "各项相加与合计一致。" not in column_a


def test_summary_carries_the_section_before_the_issues(strategy):
    for kind, mark in (("html", '<section id="issues">\n<h2>10. '), ("md", "## 10. 问题清单")):
        text = (strategy / f"strategy-east-2026.summary.{kind}").read_text("utf-8")
        heading = "<h2>9. 竞争、SWOT" if kind == "html" else "## 9. 竞争、SWOT"
        at, issues = text.find(heading), text.find(mark)
        assert 0 < at < issues, kind  # numbered 9, the issues moved down to 10
        assert "联创对泰岳降价 8%,4 月初与泰岳采购部面谈" in text  # the 特别纪要, as written
        assert "1/4 项考核未达到 90%" in text
        # the pieces add up to the 合计 row: said once, the 合计 row's figure not repeated beside the target
        assert "各项相加与合计一致。" in text and "合计行: 1,858,000" not in text


def test_summary_lists_the_section_in_its_contents(strategy):
    text = (strategy / "strategy-east-2026.summary.html").read_text("utf-8")
    nav = text[text.index("<nav") : text.index("</nav>")]
    assert '<a href="#plan_forms">9. 竞争、SWOT、目标与计划审查</a>' in nav
    assert '<a href="#issues">10. 问题清单</a>' in nav


def test_summary_strategy_names_the_contested_customers(strategy):
    """客户策略 closes with who contests which customer (P1 first); the section below does not repeat it."""
    for kind, start, end in (
        ("html", '<section id="strategy">', '<section id="receivables">'),
        ("md", "## 4. 客户策略", "## 5. "),
    ):
        text = (strategy / f"strategy-east-2026.summary.{kind}").read_text("utf-8")
        section = text[text.index(start) : text.index(end)]
        assert "竞争对手争夺的客户" in section, kind
        assert "泰岳" in section and "联创" in section, kind
        forms = text[text.index("竞争、SWOT、目标与计划审查", text.index(end)) :]
        assert "按客户的竞争情况" not in forms, kind
        # each competitor's moves once, in the comparison; a customer shows only a move that names it
        assert forms.split("SWOT 分析")[0].count("3月起对泰岳降价 8%") == 1, kind
        assert section.count("3月起对泰岳降价 8%") == 1 and section.count("3月在华信做免费试用") == 1, kind


def test_report_json_plan_forms(strategy):
    report = json.loads((strategy / "strategy-east-2026.report.json").read_text("utf-8"))
    forms = report["plan_forms"]
    assert forms["targets"]["total"] == 1858000 and forms["targets"]["actual_source"] == "pnl"
    assert forms["targets"]["by_month"][0] == {
        "month": 1,
        "plan": 605000,
        "written": 605000,
        "actual": 585000,
        "attainment": pytest.approx(585000 / 605000),
    }
    assert forms["review"]["behind"] == 1 and forms["review"]["counted"] == 4
    assert forms["competitors"]["comparison"]["price"]["联创"] == "低于我方 10%"
    assert forms["swot"]["threats"] == ["联创对泰岳降价 8%", "远大科技在华信免费试用"]


def test_a_workbook_without_these_forms_has_no_section(tmp_path, settings):
    process(SAMPLES / "form-weekly.xlsx", tmp_path, settings, RunOptions(AS_OF, strict=True))
    report = json.loads((tmp_path / "form-weekly.report.json").read_text("utf-8"))
    assert report["plan_forms"] is None
    assert "竞争、SWOT" not in (tmp_path / "form-weekly.summary.md").read_text("utf-8")


@pytest.mark.slow
def test_formulas_equal_libreoffice_recalculation(strategy, tmp_path):
    require()
    path = strategy / "strategy-east-2026.kamxl.xlsx"
    lo = openpyxl.load_workbook(convert(path, tmp_path), data_only=True)
    cached = openpyxl.load_workbook(path, data_only=True)
    mine = [(sheet, ref) for sheet, ref, _ in formula_cells(path) if sheet in MY_SHEETS]
    assert len(mine) > 20
    for sheet, ref in mine:
        assert same(cached[sheet][ref].value, lo[sheet][ref].value), f"{sheet}!{ref}"


def test_the_swot_strategy_matrix_is_shown_under_the_2x2(tmp_path, settings):
    import xlsxwriter

    path = tmp_path / "swot-matrix.xlsx"
    rows = [
        ["SWOT分析"],
        [None, "优势(S)", "劣势(W)"],
        [None, "产品稳定", "交期长"],
        ["机会(O):园区开工", "SO 增长型战略\n借园区扩产", "WO:补交付短板"],
        ["威胁(T):对手降价", "ST:以服务对抗降价", "WT:收缩低毛利客户"],
    ]
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("SWOT")
    for r, cells in enumerate(rows):
        for c, value in enumerate(cells):
            if value is not None:
                sheet.write(r, c, value)
    book.close()
    out = tmp_path / "out"
    process(path, out, settings, RunOptions(AS_OF, strict=True))
    shown = openpyxl.load_workbook(out / "swot-matrix.kamxl.xlsx")["SWOT 分析"]
    column_a = [cell.value for cell in shown["A"]]
    at = column_a.index("SWOT 战略组合")
    assert at > column_a.index("机会(O)")  # under the 2×2
    assert column_a[at + 1 : at + 3] == ["SO 增长型战略", "• 借园区扩产"]
    assert (
        shown.cell(at + 4, 2).value == "WT 防御型战略" and shown.cell(at + 5, 2).value == "• 收缩低毛利客户"
    )
    summary = (out / "swot-matrix.summary.md").read_text("utf-8")
    assert "| SO 增长型战略 | WO 扭转型战略 |" in summary and "| 以服务对抗降价 | 收缩低毛利客户 |" in summary
    report = json.loads((out / "swot-matrix.report.json").read_text("utf-8"))
    assert report["plan_forms"]["swot"]["so"] == ["借园区扩产"]


def _east_with_targets(tmp_path, settings):
    """east-2026-03 with a targets sheet naming two of its receivables customers, processed."""
    import shutil

    path = tmp_path / "east-targets-2026-03.xlsx"
    shutil.copy(SAMPLES / "east-2026-03.xlsx", path)
    book = openpyxl.load_workbook(path)
    sheet = book.create_sheet("营销目标及分解")
    for row in (
        ["营销目标及分解"],
        ["产品", "客户", "1月", "2月", "3月"],
        ["产品A", "朗通", 60000, 60000, 60000],
        ["产品B", "朗 通", 10000, 10000, 10000],
        ["产品A", "泰岳", 30000, 30000, 30000],
        ["产品B", "其他客户", 5000, 5000, 5000],
    ):
        sheet.append(row)
    book.save(path)
    out = tmp_path / "out"
    process(path, out, settings, RunOptions(AS_OF, strict=True))
    return out


@pytest.mark.slow
def test_the_customer_collections_formulas_equal_libreoffice_recalculation(tmp_path, settings):
    require()
    path = _east_with_targets(tmp_path, settings) / "east-targets-2026-03.kamxl.xlsx"
    lo = openpyxl.load_workbook(convert(path, tmp_path), data_only=True)
    cached = openpyxl.load_workbook(path, data_only=True)
    mine = [(sheet, ref) for sheet, ref, _ in formula_cells(path) if sheet == "营销目标及分解"]
    assert len(mine) > 20
    for sheet, ref in mine:
        assert same(cached[sheet][ref].value, lo[sheet][ref].value), f"{sheet}!{ref}"


def test_targets_naming_receivables_customers_show_their_collections(tmp_path, settings):
    """east-2026-03 with a targets sheet added: 朗通 (two receivables rows: 48,000 + 20,000 collected in
    January by the sample) and 泰岳 named, 其他客户 not matched. The plan is a live sum of the rows above."""
    out = _east_with_targets(tmp_path, settings)
    report = json.loads((out / "east-targets-2026-03.report.json").read_text("utf-8"))
    collected = {"朗通": 0.0, "泰岳": 0.0}  # each customer's rows added up (朗通 has two)
    for row in report["receivables"]["rows"]:
        if row["customer"] in collected:
            collected[row["customer"]] += row["actual_to_date"]
    shown = openpyxl.load_workbook(out / "east-targets-2026-03.kamxl.xlsx")["营销目标及分解"]
    column_a = [cell.value for cell in shown["A"]]
    at = column_a.index("各客户目标与应收帐款实收") + 3  # 0-based title; its header; then the rows (1-based)
    table = [[cell.value for cell in row[:5]] for row in shown.iter_rows(min_row=at, max_row=at + 5)]
    assert [row[:2] for row in table] == [["朗通", "一月"], ["朗通", "二月"], ["朗通", "三月"]] + [
        ["泰岳", "一月"],
        ["泰岳", "二月"],
        ["泰岳", "三月"],
    ]
    assert table[0][2] == "=$C$5+$C$6"  # the two 朗通 rows' January cells
    assert sum(row[3] for row in table[:3]) == collected["朗通"]  # its collections, month by month
    assert sum(row[3] for row in table[3:]) == collected["泰岳"]
    summary = (out / "east-targets-2026-03.summary.md").read_text("utf-8")
    assert "| 客户 | 月份 | 目标 | 实收 | 达成率 |" in summary
    assert "| 泰岳 | 三月 | 30,000 | 29,000 | 96.7% |" in summary


def _weekly_review(tmp_path, settings):
    import xlsxwriter

    path = tmp_path / "weekly-review.xlsx"
    rows = [
        ["周计划审查"],
        ["周次", "周目标", "实际完成", "每周大事"],
        ["第1周", 25, 20, "拜访泰岳"],
        ["第2周", 25, 30, None],
        ["第3周", 25, 25, None],
        ["第4周", 25, 15, "华信试用"],
        ["合计", 100, 90, None],
    ]
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("审查")
    for r, cells in enumerate(rows):
        for c, value in enumerate(cells):
            if value is not None:
                sheet.write(r, c, value)
    book.close()
    process(path, tmp_path / "out", settings, RunOptions(AS_OF, strict=True))
    return tmp_path / "out" / "weekly-review.kamxl.xlsx"


def test_the_weekly_review_shows_each_week_against_the_month(tmp_path, settings):
    shown = openpyxl.load_workbook(_weekly_review(tmp_path, settings), data_only=True)["月度计划审查"]
    values = [[cell.value for cell in row[:6]] for row in shown.iter_rows()]
    at = next(i for i, row in enumerate(values) if row[0] == "各周目标与实际(周计划审查)") + 2
    assert values[at - 1][:3] == ["考核项目", "周次", "周目标"]
    assert [row[1:6] for row in values[at : at + 4]] == [
        ["第1周", 25, 20, 20, 0.2],
        ["第2周", 25, 30, 50, 0.5],
        ["第3周", 25, 25, 75, 0.75],
        ["第4周", 25, 15, 90, 0.9],
    ]
    assert values[4][:3] == ["每周目标与实际", 100, 90]  # the month: the 合计 row


@pytest.mark.slow
def test_the_weekly_review_formulas_equal_libreoffice_recalculation(tmp_path, settings):
    require()
    path = _weekly_review(tmp_path, settings)
    lo = openpyxl.load_workbook(convert(path, tmp_path), data_only=True)
    cached = openpyxl.load_workbook(path, data_only=True)
    mine = [(sheet, ref) for sheet, ref, _ in formula_cells(path) if sheet == "月度计划审查"]
    assert len(mine) >= 10
    for sheet, ref in mine:
        assert same(cached[sheet][ref].value, lo[sheet][ref].value), f"{sheet}!{ref}"
