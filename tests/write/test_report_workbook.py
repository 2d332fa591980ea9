"""The report workbook: live formulas equal LibreOffice's recalculation, text stays text, charts point at the
right ranges."""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile

import openpyxl
import pytest
import xlsxwriter

from kamxl.pipeline import RunOptions, process
from tests.conftest import SAMPLES
from tests.write.libreoffice import convert, formula_cells, require, same

AS_OF = dt.date(2026, 3, 31)
ERRORS = ("#REF!", "#NAME?", "#VALUE!", "#DIV/0!", "#N/A", "#NUM!", "#NULL!", "Err:")


@pytest.fixture(scope="module")
def march(tmp_path_factory, settings):
    out = tmp_path_factory.mktemp("report")
    process(SAMPLES / "east-2026-03.xlsx", out, settings, RunOptions(AS_OF, strict=True))
    return out / "east-2026-03.kamxl.xlsx"


@pytest.mark.slow
def test_formulas_equal_libreoffice_recalculation(march, tmp_path):
    require()
    recalculated = convert(march, tmp_path)
    cached = openpyxl.load_workbook(march, data_only=True)
    lo = openpyxl.load_workbook(recalculated, data_only=True)
    cells = formula_cells(march)
    per_sheet = {}
    for sheet, ref, _ in cells:
        per_sheet[sheet] = per_sheet.get(sheet, 0) + 1
        mine, theirs = cached[sheet][ref].value, lo[sheet][ref].value
        assert same(mine, theirs), f"{sheet}!{ref}: kamxl cached {mine!r}, LibreOffice {theirs!r}"
    # at least the totals, variances and rates of every calculated sheet are formulas
    for sheet in ("摘要", "销售漏斗", "行动", "应收帐款", "损益", "活动", "时间", "计划"):
        assert per_sheet.get(sheet, 0) > 0, sheet
    for ws in lo.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert not (isinstance(c.value, str) and c.value.startswith(ERRORS)), (
                    f"{ws.title}!{c.coordinate} = {c.value}"
                )


def test_sheets_of_the_combined_sample(march):
    wb = openpyxl.load_workbook(march)
    assert wb.sheetnames == [
        "仪表板",
        "摘要",
        "客户分级",
        "销售漏斗",
        "行动",
        "应收帐款",
        "损益",
        "活动",
        "时间",
        "计划",
        "日历",
        "负责人",
        "问题",
    ]


def test_golden_receivables_cells(march):
    wb = openpyxl.load_workbook(march)
    values = openpyxl.load_workbook(march, data_only=True)
    ws, v = wb["应收帐款"], values["应收帐款"]
    # the first data row is 朗通 / 产品A (row 7); 12 months × (plan, actual) from column E;
    # totals follow in AC…
    assert [ws.cell(7, c).value for c in (1, 2, 3)] == ["朗通", "产品A", "王伟"]
    assert ws["D7"].value == 600000 and ws["D7"].number_format == "#,##0"
    assert ws["AC7"].value == '=SUMIFS(E7:AB7,$E$6:$AB$6,"计划")' and v["AC7"].value == 600000
    assert (
        ws["AE7"].value == '=SUMIFS(E7:AB7,$E$6:$AB$6,"计划",$E$4:$AB$4,"<="&$B$3)'
        and v["AE7"].value == 150000
    )
    assert v["B3"].value == 3  # m*: March is the last month with actuals
    assert ws["AG7"].number_format == "0.0%"
    # the total row (after 12 customer rows): rate to date = 806,000 / 889,500
    total = 7 + 12
    assert ws.cell(total, 1).value == "合计"
    assert ws.cell(total, 33).value == f'=IF(AE{total}=0,"",AF{total}/AE{total})'
    assert v.cell(total, 33).value == pytest.approx(806000 / 889500)
    assert v.cell(total, 4).value == 3650000
    assert (
        ws.freeze_panes == "C7" and ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    )
    # 37 columns: two pages wide (one would print them too small to read), customer and product on each
    assert (
        ws.sheet_properties.pageSetUpPr.fitToPage
        and ws.page_setup.fitToWidth == 2
        and ws.page_setup.fitToHeight == 0
    )
    assert ws.print_title_cols == "$A:$B"  # 客户 and 产品 on each page: 朗通 产品A and 产品B stay apart


def test_golden_pnl_and_funnel_cells(march):
    values = openpyxl.load_workbook(march, data_only=True)
    wb = openpyxl.load_workbook(march)
    pnl = wb["损益"]
    headers = {pnl.cell(4, c).value: c for c in range(1, pnl.max_column + 1)}
    c = headers["利润差异"]
    assert values["损益"].cell(8, c).value == 33000  # March: 428,000 − 395,000
    assert pnl.cell(8, c).value.startswith("=IF(")
    f = wb["销售漏斗"]
    assert f["C7"].value == '=COUNTIF(行动!$F$5:$F$18,"A")' and values["销售漏斗"]["C7"].value == 4
    assert values["销售漏斗"]["E11"].value == 2260000  # all open amounts


def chart_refs(path) -> dict[str, list[str]]:
    """Each chart's series references, from the chart parts of the xlsx."""
    with zipfile.ZipFile(path) as z:
        return {
            n: re.findall(r"<c:f>([^<]+)</c:f>", z.read(n).decode())
            for n in sorted(z.namelist())
            if n.startswith("xl/charts/chart")
        }


def test_charts_reference_the_right_ranges(march):
    refs = [r for rs in chart_refs(march).values() for r in rs]
    assert "销售漏斗!$C$7:$C$10" in refs and "销售漏斗!$B$7:$B$10" in refs  # funnel: counts per class
    assert any(r.startswith("应收帐款!$D$") for r in refs) and any(
        r.startswith("应收帐款!$I$") for r in refs
    )  # plan and cumulative rate (the month table starts right of the repeated key columns A:B)
    assert any(r.startswith("客户分级!$D$") for r in refs) and any(
        r.startswith("客户分级!$C$") for r in refs
    )  # advantage × attractiveness
    assert len(chart_refs(march)) >= 7


def test_input_text_stays_text(tmp_path, settings):
    path = tmp_path / "evil.xlsx"
    wb = xlsxwriter.Workbook(path, {"strings_to_formulas": False})
    ws = wb.add_worksheet("客户")
    ws.write_row(0, 0, ["客户", "负责人", "订单量", "成交可能性", "项目金额"])
    ws.write_row(
        1, 0, ['=HYPERLINK("http://evil.example","点我")', "https://evil.example/x", "超额", "本月内", 100]
    )
    ws.write_row(2, 0, ["+SUM(1,2)", "@cmd", "重要", "有意向", 50])
    wb.close()
    process(path, tmp_path / "out", settings, RunOptions(AS_OF, strict=True))
    out = openpyxl.load_workbook(tmp_path / "out" / "evil.kamxl.xlsx")
    texts = [
        (c.value, c.data_type)
        for ws in out.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and ("evil" in c.value or "SUM(1,2)" in c.value or c.value == "@cmd")
    ]
    assert texts and all(t == "s" for _, t in texts)
    assert not any(ws._hyperlinks for ws in out.worksheets if ws.title != "问题")


def test_same_input_same_bytes(tmp_path, settings):
    a = process(SAMPLES / "east-2026-03.xlsx", tmp_path / "a", settings, RunOptions(AS_OF)).outputs
    b = process(SAMPLES / "east-2026-03.xlsx", tmp_path / "b", settings, RunOptions(AS_OF)).outputs
    for first, second in zip(sorted(a), sorted(b), strict=True):
        assert first.read_bytes() == second.read_bytes(), first.name


def test_in_memory_or_through_temporary_files_the_same_bytes(tmp_path):
    """Small reports are put together in memory (output.in_memory_rows): the bytes do not depend on it."""
    from kamxl.config import load_settings

    outputs = {}
    for rows in (0, 1_000_000):
        config = tmp_path / f"c{rows}.toml"
        config.write_text(f"[output]\nin_memory_rows = {rows}\n", "utf-8")
        out = tmp_path / str(rows)
        process(SAMPLES / "east-2026-03.xlsx", out, load_settings(config), RunOptions(AS_OF, strict=True))
        with zipfile.ZipFile(
            out / "east-2026-03.kamxl.xlsx"
        ) as z:  # the parts (the zip's entry dates differ between the two)
            outputs[rows] = [(i.filename, z.read(i)) for i in z.infolist()]
    assert len(outputs[0]) > 30 and outputs[0] == outputs[1_000_000]


def test_the_look_comes_from_the_settings(tmp_path, settings):
    """[charts] and [formats] decide colours, chart sizes and widths: a user's file changes them."""
    from kamxl.config import load_settings

    config = tmp_path / "look.toml"
    config.write_text(
        "[charts.colours]\nactual = '#123456'\n"
        "[charts.funnel]\nwidth = 600\n"
        "[formats.cells.header]\nbg_color = '#FFEEDD'\n"
        "[formats.widths]\nissue_message = 100\n",
        "utf-8",
    )
    parts = {}
    for name, chosen in (("shipped", settings), ("mine", load_settings(config))):
        process(SAMPLES / "east-2026-03.xlsx", tmp_path / name, chosen, RunOptions(AS_OF, strict=True))
        with zipfile.ZipFile(tmp_path / name / "east-2026-03.kamxl.xlsx") as z:
            parts[name] = {part: z.read(part).decode() for part in z.namelist() if part.startswith("xl/")}
    charts = "".join(text for part, text in parts["mine"].items() if part.startswith("xl/charts/"))
    assert "123456" in charts and "2F5597" not in charts
    drawings = [part for part in parts["mine"] if part.startswith("xl/drawings/drawing")]
    # only the receivables chart is wider: its anchor's far corner moves
    assert len([part for part in drawings if parts["mine"][part] != parts["shipped"][part]]) == 1
    wb = openpyxl.load_workbook(tmp_path / "mine" / "east-2026-03.kamxl.xlsx")
    assert wb["应收帐款"]["A5"].fill.fgColor.rgb == "FFFFEEDD"
    assert wb["问题"].column_dimensions["D"].width == pytest.approx(100, abs=1)


def test_xlsxwriter_shortcuts_change_no_byte(tmp_path, settings, monkeypatch):
    """The report written with FormulaWorksheet's shortcuts and with XlsxWriter's own writers only.

    The same parts, byte for byte."""
    from kamxl.write.xlsx import book

    outputs = {}
    for shortcuts in (True, False):
        monkeypatch.setattr(book, "SHORTCUTS", shortcuts)
        out = tmp_path / str(shortcuts)
        process(SAMPLES / "east-2026-03.xlsx", out, settings, RunOptions(AS_OF, strict=True))
        with zipfile.ZipFile(out / "east-2026-03.kamxl.xlsx") as z:
            outputs[shortcuts] = [(i.filename, z.read(i)) for i in z.infolist()]
    assert len(outputs[True]) > 30 and outputs[True] == outputs[False]


def test_english_workbook_has_no_chinese_labels(tmp_path, settings_en):
    process(SAMPLES / "east-2026-03-en.xlsx", tmp_path, settings_en, RunOptions(AS_OF, strict=True))
    wb = openpyxl.load_workbook(tmp_path / "east-2026-03-en.kamxl.xlsx")
    assert wb.sheetnames[:5] == ["Dashboard", "Summary", "Value tiers", "Funnel", "Priorities"]
    # the input's customer names stay as written; every label kamxl writes (titles, headers) is English
    labels = [
        (ws.title, c.coordinate, c.value)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str)
        and (c.row == 1 or (c.fill and c.fill.fgColor and c.fill.fgColor.rgb == "FFDCE6F1"))
    ]
    assert len(labels) > 50
    assert [x for x in labels if re.search(r"[\u3400-\u9fff]", x[2])] == []


def test_issue_cells_link_into_the_input(march):
    wb = openpyxl.load_workbook(march)
    ws = wb["问题"]
    links = [c.hyperlink for row in ws.iter_rows() for c in row if c.hyperlink]
    assert links and all(h.target.endswith("east-2026-03.xlsx") for h in links)
    assert "应收帐款规划表!AB10" in [h.location for h in links]


def test_long_text_is_truncated_with_a_warning(tmp_path, settings):
    path = tmp_path / "long.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("区域市场活动协调计划表")
    ws.write_row(0, 0, ["工作内容", "负责人", "费用预算", "达成效果", "三月"])
    ws.write_row(1, 0, ["推介会", "李娜", 1000, "好" * 32000, "✓"])
    wb.close()
    outcome = process(path, tmp_path / "out", settings, RunOptions(AS_OF))
    assert "text_truncated" not in [i.code for i in outcome.issues]  # 32,000 fits
    # the reader's own cells are capped by Excel already; exercise the writer directly
    from kamxl.write.xlsx.book import MAX_TEXT, Book

    wb2 = xlsxwriter.Workbook(tmp_path / "t.xlsx")
    book = Book(wb2, settings, {"source": "x", "period": "2026-03", "as_of": "2026-03-31", "version": "0"})
    sheet = book.add("issues")
    sheet.text(0, 0, "x" * (MAX_TEXT + 10))
    wb2.close()
    assert [i.code for i in book.issues] == ["text_truncated"]
    assert len(openpyxl.load_workbook(tmp_path / "t.xlsx").active["A1"].value) == MAX_TEXT


@pytest.mark.slow
@pytest.mark.parametrize(
    "name, lang",
    [
        ("east-2026-03-en.xlsx", "en"),
        ("form-pnl.xlsx", "zh"),
        ("form-activities.xlsx", "zh"),
        ("form-todo.xlsx", "zh"),
        ("form-weekly.xlsx", "en"),
    ],
)
def test_other_samples_recalculate_the_same(tmp_path, name, lang):
    require()
    from kamxl.config import load_settings

    process(SAMPLES / name, tmp_path, load_settings(lang=lang), RunOptions(AS_OF, strict=True))
    out = tmp_path / (name.rsplit(".", 1)[0] + ".kamxl.xlsx")
    cached = openpyxl.load_workbook(out, data_only=True)
    lo = openpyxl.load_workbook(convert(out, tmp_path / "lo"), data_only=True)
    cells = formula_cells(out)
    assert cells
    for sheet, ref, _ in cells:
        assert same(cached[sheet][ref].value, lo[sheet][ref].value), f"{sheet}!{ref}"


def test_wrapped_text_gets_tall_enough_rows(march):
    """Neither Excel nor LibreOffice grows a row for wrapped text on opening: kamxl sets the height."""
    ws = openpyxl.load_workbook(march)["行动"]
    for row in range(5, ws.max_row + 1):
        actions = ws.cell(row, 14).value
        if actions:
            lines = actions.count("\n") + 1
            assert ws.row_dimensions[row].height >= 15 * lines, (row, lines, ws.row_dimensions[row].height)


@pytest.fixture(scope="module")
def march_with_history(tmp_path_factory, settings):
    out = tmp_path_factory.mktemp("trends")
    for name, day in (
        ("east-2026-01.xlsx", dt.date(2026, 1, 31)),
        ("east-2026-02.xlsx", dt.date(2026, 2, 28)),
        ("east-2026-03.xlsx", AS_OF),
    ):
        process(SAMPLES / name, out, settings, RunOptions(day, strict=True, history=out / "h.sqlite"))
    return out / "east-2026-03.kamxl.xlsx"


def test_trends_sheet(march_with_history):
    wb = openpyxl.load_workbook(march_with_history)
    assert wb.sheetnames[-2:] == ["趋势", "问题"]
    ws, v = wb["趋势"], openpyxl.load_workbook(march_with_history, data_only=True)["趋势"]
    assert [ws.cell(5 + i, 1).value for i in range(3)] == ["2026-01", "2026-02", "2026-03"]
    assert ws["F7"].value == "=SUM(B7:E7)" and v["F7"].value == 13
    assert ws["J7"].value == '=IF(OR(H7="",I7=""),"",I7-H7)' and v["J7"].value == 428_000 - 395_000
    assert ws["J5"].number_format == '+#,##0;"−"#,##0;0'  # January's −8,000 with a true minus, as 仪表板
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "漏斗变化:2026-02 → 2026-03" in texts and "C → C → D" in texts  # 瑞丰, stuck
    charts = chart_refs(march_with_history)
    assert any("趋势!$B$5:$B$7" in refs and "趋势!$A$5:$A$7" in refs for refs in charts.values())
    # each month's grade with what it was judged on: January and February too few reviews to judge stuck
    assert [ws.cell(5 + i, 11).value for i in range(3)] == [
        "优(未判断停滞)",
        "优(未判断停滞)",
        "良(有停滞,需推动)",
    ]
    # the summary sheet's health is the history's: 良 by the stuck rule, with the share measured
    summary = [c.value for row in wb["摘要"].iter_rows() for c in row if isinstance(c.value, str)]
    assert "良(有停滞,需推动) — C、D 类中停滞的占 50% 以上:长时间无法向漏斗口靠近(本期停滞占 67%)" in summary
    funnel = [c.value for row in wb["销售漏斗"].iter_rows() for c in row if isinstance(c.value, str)]
    assert any(text.endswith("(本期停滞占 67%)") for text in funnel)


def test_summary_sheet_counts_customers_and_plans_the_p1_actions(march):
    """摘要 in the words of the other sheets: customers behind as customers (not 朗通, late on one product
    and 96.7 % in all), each P1 customer's owner, date and next step above its actions."""
    rows = list(openpyxl.load_workbook(march)["摘要"].iter_rows(values_only=True))
    behind = next(value for label, value, *_ in rows if label == "回款落后的客户")
    assert behind == "万星、海川、新源、瑞丰"
    health = next(value for label, value, *_ in rows if label == "漏斗健康度")
    assert health == "优(未判断停滞) — 良性循环(历史不足 3 次评审,未判断停滞)"
    start = next(index for index, row in enumerate(rows) if row[0] == "P1 客户与动作")
    first = rows[start + 1]
    assert first[0] == "华信 / 数据中心"  # the biggest P1 deal, 500,000
    plan, actions = first[1].split("\n", 1)
    assert plan == "华信 / 数据中心 — 负责人:李娜;预计成交:未指定(成交可能性:本月内);下一步:未指定"
    assert actions.startswith("3. 主动为客户提供信息\n")


@pytest.mark.slow
def test_trends_formulas_equal_libreoffice(march_with_history, tmp_path):
    require()
    cached = openpyxl.load_workbook(march_with_history, data_only=True)
    lo = openpyxl.load_workbook(convert(march_with_history, tmp_path), data_only=True)
    cells = [c for c in formula_cells(march_with_history) if c[0] in ("趋势", "摘要")]
    assert len(cells) > 6
    for sheet, ref, _ in cells:
        assert same(cached[sheet][ref].value, lo[sheet][ref].value), f"{sheet}!{ref}"


def test_the_summary_sheet_of_a_big_plan_lists_the_first_and_counts_the_rest(tmp_path, settings):
    """300 customers behind plan, all P1: the 摘要 sheet names list_rows of them and counts the rest.

    (It used to hold all, truncated at 32,767 characters.)"""
    wb = xlsxwriter.Workbook(tmp_path / "big.xlsx")
    ws = wb.add_worksheet("客户价值评估")
    ws.write_row(0, 0, ["客户", "负责人", "客户吸引力", "我们的优势", "订单量", "成交可能性", "项目金额"])
    ws2 = wb.add_worksheet("应收帐款规划表")
    ws2.write_row(0, 0, ["客户", "总欠款", "一月计划", "一月实收"])
    for i in range(300):
        ws.write_row(1 + i, 0, [f"客户{i:03d}", "王伟", 4.5, 4.5, "超额", "本月内", 1000 + i])
        ws2.write_row(1 + i, 0, [f"客户{i:03d}", 1000, 1000, 10])
    wb.close()
    outcome = process(tmp_path / "big.xlsx", tmp_path, settings, RunOptions(AS_OF, strict=True))
    assert not [i for i in outcome.issues if i.code == "text_truncated"]
    cells = [
        row for row in openpyxl.load_workbook(tmp_path / "big.kamxl.xlsx")["摘要"].iter_rows(values_only=True)
    ]
    limit = settings.get("summary.list_rows")
    behind = next(b for a, b, *_ in cells if a == "回款落后的客户")
    assert behind.count("、") == limit and behind.endswith(f"其他 {300 - limit} 项")
    more = [a for a, *_ in cells if isinstance(a, str) and a.startswith("……另有")]
    assert more == [f"……另有 {300 - limit} 项"]


def test_summary_sheet_puts_the_plan_to_date_over_the_rate(march):
    """806,000 collected ÷ 889,500 planned to March (296,500 × 3) = 90.6 %: the plan is on the row above
    the rate, so the rate can be checked by eye; both link to the receivables sheet."""
    ws = openpyxl.load_workbook(march)["摘要"]
    cached = openpyxl.load_workbook(march, data_only=True)["摘要"]
    labels = [ws.cell(row, 1).value for row in range(1, 12)]
    rate_row = labels.index("回款完成率(实收÷计划,截至本期)") + 1
    assert labels[rate_row - 3 : rate_row] == ["累计实收", "计划截至本期", "回款完成率(实收÷计划,截至本期)"]
    assert ws.cell(rate_row - 1, 2).value.startswith("=应收帐款!")
    assert cached.cell(rate_row - 1, 2).value == 889_500
    assert cached.cell(rate_row, 2).value == pytest.approx(806_000 / 889_500)


def test_the_issues_sheet_lists_every_decision_under_the_issues(march):
    """The dashboard and the summary show the first few decisions and send the reader to 问题 for the rest:
    it lists every one of report.json's decisions, ranked, with its input sheet and cell; the severity
    count (COUNTIF over column A) still counts only the issues."""
    report = json.loads((march.parent / "east-2026-03.report.json").read_text("utf-8"))
    rows = list(openpyxl.load_workbook(march, data_only=True)["问题"].iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if str(row[0]).startswith("全部待决事项与风险"))
    assert rows[start][0].startswith(f"全部待决事项与风险({len(report['decisions'])} 项")
    listed = rows[start + 1 : start + 1 + len(report["decisions"])]
    assert [(row[1], row[2]) for row in listed] == [(d["sheet"], d["cell"]) for d in report["decisions"]]
    assert listed[0][0] == "高" and listed[0][3].startswith("一级客户新源回款落后")
    summary = openpyxl.load_workbook(march, data_only=True)["摘要"]
    warnings = next(row[1] for row in summary.iter_rows(values_only=True) if row[0] == "警告")
    assert warnings == sum(1 for issue in report["issues"] if issue["severity"] == "warning")
