"""What a reader of the report workbook sees, checked from the file itself (issue 15).

The combined sample (zh) and the English sample (en) are written once; each
test reads what a person would meet: number formats, charts, wording.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from xml.etree import ElementTree

import openpyxl
import pytest

from kamxl.pipeline import RunOptions, process
from tests.conftest import SAMPLES

AS_OF = dt.date(2026, 3, 31)
SAMPLE_STEMS = ("east-2026-03", "east-2026-03-en")


@pytest.fixture(scope="module")
def reports(tmp_path_factory, settings):
    """The report workbooks of the two samples, by stem."""
    out = tmp_path_factory.mktemp("review")
    for stem in SAMPLE_STEMS:
        process(SAMPLES / f"{stem}.xlsx", out, settings, RunOptions(AS_OF, strict=True))
    return {stem: out / f"{stem}.kamxl.xlsx" for stem in SAMPLE_STEMS}


# ------------------------------------------------------------------ formats ---
MONEY_WITH_DECIMALS = re.compile(r"#,##0\.")


@pytest.mark.parametrize("stem", SAMPLE_STEMS)
def test_no_number_shows_cents_or_a_trailing_point(reports, stem):
    """Money is whole yuan (3,650,000, not 3,650,000.00); no format leaves "60." behind."""
    workbook = openpyxl.load_workbook(reports[stem])
    seen = set()
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for found in row:
                if found.value is None or isinstance(found.value, str) and not found.value.startswith("="):
                    continue
                seen.add(found.number_format)
                assert not MONEY_WITH_DECIMALS.search(found.number_format), (ws.title, found.coordinate)
    assert "#,##0" in seen


def test_rate_indicators_of_the_monthly_plan_are_percentages(reports):
    """费用率 0.12 beside 达成率 104.3 % reads as 12.0 %; 销售额(万元) 60 stays a number."""
    ws = openpyxl.load_workbook(reports["east-2026-03"])["计划"]
    formats = {ws.cell(row, 1).value: ws.cell(row, 3).number_format for row in range(1, 15)}
    assert formats["费用率"] == "0.0%" and formats["客户满意度"] == "0.0%"
    assert formats["销售额(万元)"] == "General"
    # the summary names the missed targets among its decisions (report.json has them all), in their units
    report = (reports["east-2026-03"].parent / "east-2026-03.report.json").read_text(encoding="utf-8")
    assert "目标 120,实际 111(达成率 92.5%)" in report and "目标 2,实际 1(达成率 50.0%)" in report


# ---------------------------------------------------------------- P&L totals ---
MONTHS_ZH = (
    "一月",
    "二月",
    "三月",
    "四月",
    "五月",
    "六月",
    "七月",
    "八月",
    "九月",
    "十月",
    "十一月",
    "十二月",
)
REVENUE_ACTUAL = (90_000, 110_000, 120_000)  # plan 100,000 a month
EXPENSE_ACTUAL = (50_000, 70_000, 65_000)  # plan 60,000 a month


def _pnl_with_a_quarter_of_actuals(path):
    """A P&L planned for the year (revenue 100,000, expense 60,000 a month) with actuals for Jan–Mar."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(path)
    ws = workbook.add_worksheet("预期损益表")
    ws.write_row(0, 0, ["预期损益表 — 测试 2026"])
    ws.write(2, 0, "时间")
    ws.merge_range(2, 1, 2, 2, "收入项")  # the course's form: group and line over their plan and actual
    ws.merge_range(2, 3, 2, 4, "支出项")
    ws.merge_range(3, 1, 3, 2, "产品A")
    ws.merge_range(3, 3, 3, 4, "人员工资")
    ws.write_row(4, 0, [None, "计划", "实际", "计划", "实际"])
    for index, month in enumerate(MONTHS_ZH):
        actuals = (REVENUE_ACTUAL[index], EXPENSE_ACTUAL[index]) if index < 3 else (None, None)
        ws.write_row(5 + index, 0, [month, 100_000, actuals[0], 60_000, actuals[1]])
    workbook.close()


def _row_of(ws, label_start):
    return next(
        row for row in range(1, ws.max_row + 1) if str(ws.cell(row, 1).value or "").startswith(label_start)
    )


@pytest.fixture(scope="module")
def quarter_pnl(tmp_path_factory, settings):
    out = tmp_path_factory.mktemp("pnl")
    _pnl_with_a_quarter_of_actuals(out / "pnl.xlsx")
    process(out / "pnl.xlsx", out, settings, RunOptions(AS_OF, history=None, strict=True))
    return out / "pnl.kamxl.xlsx"


def _to_date_figures(workbook):
    """The to-date row's and the full-year row's figures, by the P&L sheet's column headings."""
    ws = workbook["损益"]
    headings = {ws.cell(4, col).value: col for col in range(1, ws.max_column + 1)}
    to_date, year = _row_of(ws, "截至本期"), _row_of(ws, "全年计划")
    names = (
        "收入计划",
        "收入实际",
        "收入差异",
        "收入差异%",
        "支出差异",
        "利润计划",
        "利润实际",
        "利润差异",
        "利润差异%",
    )
    return (
        ws.cell(to_date, 1).value,
        {name: ws.cell(to_date, headings[name]).value for name in names},
        {
            name: ws.cell(year, headings[name]).value
            for name in ("收入计划", "收入实际", "收入差异", "利润计划")
        },
    )


# by hand: plan to date 3 × 100,000 = 300,000 against 90 + 110 + 120 thousand; expense 180,000 against 185,000
TO_DATE = {
    "收入计划": 300_000,
    "收入实际": 320_000,
    "收入差异": 20_000,
    "收入差异%": pytest.approx(20_000 / 300_000),
    "支出差异": 5_000,
    "利润计划": 120_000,
    "利润实际": 135_000,
    "利润差异": 15_000,
    "利润差异%": pytest.approx(0.125),
}
YEAR_PLAN = {"收入计划": 1_200_000, "收入实际": None, "收入差异": None, "利润计划": 480_000}


def test_pnl_totals_compare_the_plan_to_date_with_the_actual_to_date(quarter_pnl):
    label, to_date, year = _to_date_figures(openpyxl.load_workbook(quarter_pnl, data_only=True))
    assert label == "截至本期(一月–三月)"
    assert to_date == TO_DATE
    assert year == YEAR_PLAN


@pytest.mark.slow
def test_pnl_to_date_row_recalculates_in_libreoffice(quarter_pnl, tmp_path):
    from tests.write.libreoffice import convert, require

    require()
    recalculated = convert(quarter_pnl, tmp_path)
    _, to_date, year = _to_date_figures(openpyxl.load_workbook(recalculated, data_only=True))
    assert to_date == TO_DATE
    assert year == {**YEAR_PLAN, "收入实际": None, "收入差异": None}


# ------------------------------------------------------------------- charts ---
C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
SINGLE_FORMS = (
    "form-receivables",
    "form-pnl",
    "form-activities",
    "form-todo",
    "form-worklog",
    "form-customers",
)


def _charts(path):
    """(name in the package, parsed XML) of every chart in a workbook."""
    with zipfile.ZipFile(path) as package:
        names = sorted(name for name in package.namelist() if name.startswith("xl/charts/chart"))
        return [(name, ElementTree.fromstring(package.read(name))) for name in names]


def _axes(plot, kind):
    """The value axes of the ``kind`` charts (barChart, lineChart …) in a plot area."""
    ids = {axis.get("val") for chart in plot.iter(C + kind) for axis in chart.findall(C + "axId")}
    return [axis for axis in plot.findall(C + "valAx") if axis.find(C + "axId").get("val") in ids]


def _title(axis):
    return "".join(text.text or "" for text in axis.iter(A + "t"))


@pytest.fixture(scope="module")
def every_report(reports, tmp_path_factory, settings):
    """The two samples' reports and those of the single forms."""
    out = tmp_path_factory.mktemp("forms")
    for stem in SINGLE_FORMS:
        process(SAMPLES / f"{stem}.xlsx", out, settings, RunOptions(AS_OF, strict=True))
    # with a history of January and February, as in the demo: a single form's 趋势 has figures of some kinds
    history = RunOptions(AS_OF, history=out / "history" / "kamxl-history.sqlite", strict=True)
    for stem in ("east-2026-01", "east-2026-02", "form-worklog", "east-2026-03"):
        process(SAMPLES / f"{stem}.xlsx", out / "history", settings, history)
    with_history = {
        f"{stem} (history)": out / "history" / f"{stem}.kamxl.xlsx"
        for stem in ("form-worklog", "east-2026-03")
    }
    return {**reports, **{stem: out / f"{stem}.kamxl.xlsx" for stem in SINGLE_FORMS}, **with_history}


def test_bar_and_column_charts_start_at_zero_with_a_titled_axis(every_report):
    """A column from 240,000 makes 261k against 296.5k look like a 40 % shortfall; the unit is said."""
    checked = 0
    for stem, path in every_report.items():
        for name, chart in _charts(path):
            plot = chart.find(f"{C}chart/{C}plotArea")
            for axis in _axes(plot, "barChart"):
                checked += 1
                where = (stem, name)
                least = axis.find(f"{C}scaling/{C}min")
                assert least is not None and least.get("val") == "0", where
                deleted = axis.find(C + "delete")
                if deleted is None or deleted.get("val") != "1":  # the funnel hides its axis
                    assert re.search(r"\(.+\)|（.+）|人数|Opportunities|Employees", _title(axis)), where
            if plot.find(C + "barChart") is not None:
                for axis in _axes(plot, "lineChart"):  # a secondary axis is named too
                    assert _title(axis), (stem, name)
    assert checked >= 6


def test_every_scatter_point_is_named(every_report):
    """The matrices name their customers and quadrants: a custom label with its show flag."""
    scatters = 0
    for stem, path in every_report.items():
        for name, chart in _charts(path):
            for scatter in chart.iter(C + "scatterChart"):
                scatters += 1
                points = [ser for ser in scatter.findall(C + "ser") if _is_points(ser)]
                assert points, (stem, name)
                for ser in points:
                    labels = ser.find(C + "dLbls")
                    assert labels is not None, (stem, name)
                    assert labels.find(C + "showVal").get("val") == "1", (stem, name)
                    texts = [_title(label) for label in labels.findall(C + "dLbl")]
                    assert texts and all(texts), (stem, name, texts)
    assert scatters >= 1


def _is_points(ser):
    """A series of points or quadrant names, not a threshold line (two points joined, no labels)."""
    return ser.find(C + "dLbls") is not None or ser.find(f"{C}marker/{C}symbol").get("val") != "none"


def test_no_chart_is_drawn_without_data(every_report):
    for stem, path in every_report.items():
        for name, chart in _charts(path):
            values = [
                float(point.text)
                for ser in chart.iter(C + "ser")
                for figures in (ser.find(C + "val"), ser.find(C + "yVal"))
                if figures is not None
                for point in figures.iter(C + "v")
            ]
            assert any(value != 0 for value in values), (stem, name)


# ------------------------------------------------------------------ wording ---
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")  # plan_short, activities_over_advertising …


@pytest.mark.parametrize("stem", SAMPLE_STEMS)
def test_no_raw_code_is_shown_to_a_reader(reports, stem, settings):
    """Codes are for programs (report.json); the workbook and the summary say things in words."""
    workbook = openpyxl.load_workbook(reports[stem])
    texts = [
        (f"{ws.title}!{found.coordinate}", found.value)
        for ws in workbook.worksheets
        for row in ws.iter_rows()
        for found in row
        if isinstance(found.value, str) and not found.value.startswith("=")
    ]
    folder = reports[stem].parent
    texts += [(name, (folder / f"{stem}.{name}").read_text(encoding="utf-8")) for name in ("summary.md",)]
    html = (folder / f"{stem}.summary.html").read_text(encoding="utf-8")
    texts.append(("summary.html", re.sub(r"<[^>]+>|\{[^}]*\}", " ", html)))  # words, not tags or CSS
    for where, text in texts:
        assert not SNAKE.findall(text), (where, SNAKE.findall(text))  # no code, nor any other identifier
    assert {"plan_short", "activity_no_owner"} <= set(settings.get("labels.issues"))  # the sample's codes


# ----------------------------------------------------------------- language ---
def _sheets_written(tmp_path, *options):
    from click.testing import CliRunner

    from kamxl.cli import main

    out = tmp_path / "-".join(options or ("default",))
    args = ["process", str(SAMPLES / "east-2026-03-en.xlsx"), "--out", str(out), "--as-of", "2026-03-31"]
    result = CliRunner().invoke(main, [*args, "--no-history", *options])
    assert result.exit_code == 0, result.output
    return openpyxl.load_workbook(out / "east-2026-03-en.kamxl.xlsx").sheetnames, out


@pytest.mark.parametrize(
    "options, first_sheet", [((), "Summary"), (("--lang", "zh"), "摘要"), (("--lang", "en"), "Summary")]
)
def test_the_report_follows_the_inputs_language_unless_told(tmp_path, options, first_sheet):
    names, out = _sheets_written(tmp_path, *options)
    assert names[1] == first_sheet  # after the dashboard
    if first_sheet == "Summary":  # English lists are separated by commas
        text = (out / "east-2026-03-en.summary.md").read_text(encoding="utf-8")
        assert "、" not in text and ", " in text


@pytest.mark.parametrize(
    "words, lang",
    [
        ([(5, 0)], "zh"),
        ([(0, 6)], "en"),
        ([(4, 1), (0, 2)], "zh"),  # the majority of the labels, over every recognised sheet
        ([(1, 0), (0, 3)], "en"),
        ([(2, 2)], None),  # even: the settings' language
        ([], None),
    ],
)
def test_input_language_is_the_majority_of_header_labels(words, lang):
    from kamxl.read import SheetInfo
    from kamxl.results import Results
    from kamxl.write.language import input_lang

    sheets = [SheetInfo(f"s{index}", "pnl", 1, 1, counted) for index, counted in enumerate(words)]
    sheets.append(SheetInfo("unused", None, header_words=(9, 9)))  # a sheet no form was found in: not counted
    assert input_lang(Results(SAMPLES / "x.xlsx", AS_OF, sheets=sheets)) == lang


# ------------------------------------------------------------------- colour ---
@pytest.mark.parametrize(
    "rate, look",
    [
        (1.0, "good"),  # at plan
        (1.2, "good"),
        (0.999, ""),  # under plan, not behind
        (0.906, ""),  # the sample's collections: not red, "behind" is under 90 %
        (0.9, ""),  # exactly the line: not behind
        (0.8999, "bad"),
        (None, ""),
    ],
)
def test_one_colour_rule_for_rates(settings, rate, look):
    from kamxl.write.words import rate_tone

    assert rate_tone(settings, rate) == look


@pytest.mark.parametrize("rate, variance, plan", [(1.0, 0, 100), (0.95, -5, 100), (0.85, -15, 100)])
def test_rate_and_variance_tones_agree_at_the_boundaries(settings, rate, variance, plan):
    from kamxl.write.words import rate_tone, variance_tone

    assert variance_tone(settings, variance, plan) == rate_tone(settings, rate)


@pytest.mark.parametrize(
    "variance, plan, good_when_positive, look",
    [
        (18_000, 1_800_000, True, "good"),  # revenue above plan
        (-100_000, 1_000_000, True, ""),  # 10 % short: on the line, uncoloured
        (-100_001, 1_000_000, True, "bad"),
        (5_000, 180_000, False, ""),  # expense 2.8 % over plan
        (20_000, 180_000, False, "bad"),  # expense 11 % over plan
        (-5_000, 180_000, False, "good"),  # expense under plan
        (-1, 0, True, "bad"),  # no plan: any shortfall is behind
        (0, 100, True, "good"),  # exactly on plan: green, as a rate of 100 % is
        (0, 180_000, False, "good"),  # expense exactly on plan
        (0, 0, True, "good"),  # no plan and nothing spent: on plan
        (1, 100, True, "good"),
        (-1, 100, True, ""),  # the smallest shortfall: not on plan any more
        (None, 100, True, ""),  # unknown: uncoloured
    ],
)
def test_one_colour_rule_for_variances(settings, variance, plan, good_when_positive, look):
    from kamxl.write.words import variance_tone

    assert variance_tone(settings, variance, plan, good_when_positive) == look


@pytest.mark.parametrize(
    "grade, look", [("excellent", "good"), ("good", "warn"), ("fair", "bad"), ("poor", "bad")]
)
def test_the_funnels_grade_is_green_only_without_a_warning(grade, look):
    from kamxl.write.words import health_tone

    assert health_tone(grade) == look


def test_the_summary_does_not_colour_collections_red_above_the_behind_line(reports):
    html = (reports["east-2026-03"].parent / "east-2026-03.summary.html").read_text(encoding="utf-8")
    assert '<div class="value bad">90.6%</div>' not in html and '<div class="value ">90.6%</div>' in html


# ------------------------------------------------------- what is counted ---
def test_receivables_say_which_customers_are_behind_and_what_the_flags_count(reports):
    """5 lines are late; as customers 4 (朗通 is late on 产品B only, 96.7 % in all)."""
    ws = openpyxl.load_workbook(reports["east-2026-03"])["应收帐款"]
    note = next(str(found.value) for found in ws[2] if isinstance(found.value, str))
    assert "5 条客户·产品明细" in note
    assert "4 个客户落后:万星、海川、新源、瑞丰" in note and "朗通" not in note
    assert ws.print_title_cols == "$A:$B" and ws.freeze_panes == "C7"


def test_the_funnel_counts_opportunities_and_its_grade_agrees_with_its_note(reports):
    ws = openpyxl.load_workbook(reports["east-2026-03"])["销售漏斗"]
    headings = [found.value for row in ws.iter_rows(max_row=6) for found in row]
    assert "商机数" in headings and "数量" not in headings
    label = next(found for row in ws.iter_rows(max_row=6) for found in row if found.value == "漏斗健康度")
    # no history in this run: 优 says that being stuck was not judged, and the rule under it says why
    assert ws.cell(label.row, 2).value == "优(未判断停滞)"
    assert ws.cell(label.row + 1, 2).value.startswith("良性循环(历史不足 3 次评审")
    assert ws.row_dimensions[label.row + 1].height >= 15  # sized for its lines (it wraps, not cut off)


def test_each_p1_action_names_its_customer_owner_and_date(reports):
    ws = openpyxl.load_workbook(reports["east-2026-03"])["行动"]
    header = [found.value for found in ws[4]]
    priority, customer, owner = (header.index(name) for name in ("优先级", "客户", "负责人"))
    actions = header.index("客户动作")
    p1 = [row for row in ws.iter_rows(min_row=5, values_only=True) if row[priority] == "P1"]
    assert len(p1) == 3
    for row in p1:
        first_line = row[actions].splitlines()[0]
        assert first_line.startswith(row[customer]) and f"负责人:{row[owner]}" in first_line
        # the sample's assessment has no close-date or next-step column: said once above the table, not
        # "未指定" on every P1 row
        assert "预计成交" not in first_line and "下一步" not in first_line
    assert ws["A3"].value == "客户评估表没有预计成交日期、下一步列:P1 行的行动只列负责人,不逐行写“未指定”。"
    others = [row for row in ws.iter_rows(min_row=5, values_only=True) if row[priority] in ("P2", "P3")]
    assert others and not any("负责人:" in row[actions] for row in others)


def test_the_tiers_say_they_count_customers_and_the_funnel_opportunities(reports):
    ws = openpyxl.load_workbook(reports["east-2026-03"])["客户分级"]
    note = next(str(found.value) for found in ws[2] if isinstance(found.value, str))
    assert "本表 14 个客户(每个客户一行)" in note and "进行中的 13 个商机" in note


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # no row gives a close date or a next step: the form has no such column, the parts are left out
        ([{"expected_close": None, "next_step": None}], ["expected_close", "next_step"]),
        # one row gives a date: the column is there, a blank row's own cell reads 未指定
        ([{"expected_close": "2026-04-30", "next_step": None}, {"expected_close": None}], ["next_step"]),
        ([{"expected_close": "2026-04-30", "next_step": "报价"}], []),
    ],
)
def test_plan_parts_the_assessment_does_not_have(rows, expected):
    import pandas as pd

    from kamxl.write.xlsx.customers import absent_plan_parts

    assert absent_plan_parts(pd.DataFrame(rows)) == expected
    assert absent_plan_parts(pd.DataFrame({"customer": ["朗通"]})) == ["expected_close", "next_step"]


# ------------------------------------------------------------------ layout ---
XDR = "{http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing}"
REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _sheet_paths(package):
    """Each sheet's name and its part in the package."""
    book = ElementTree.fromstring(package.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(package.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target") for rel in rels.iter(REL + "Relationship")}
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    return [(sheet.get("name"), "xl/" + targets[sheet.get(R_ID)]) for sheet in book.iter(main + "sheet")]


def _chart_boxes(package, sheet_part):
    """Every chart on a sheet as ((row, offset), (col, offset)) of its top-left and bottom-right corners."""
    folder, name = sheet_part.rsplit("/", 1)
    rels_name = f"{folder}/_rels/{name}.rels"
    if rels_name not in package.namelist():
        return []
    rels = ElementTree.fromstring(package.read(rels_name))
    drawings = [
        rel.get("Target") for rel in rels.iter(REL + "Relationship") if rel.get("Type").endswith("/drawing")
    ]
    boxes = []
    for target in drawings:
        drawing = ElementTree.fromstring(package.read("xl/drawings/" + target.rsplit("/", 1)[1]))
        for anchor in drawing.findall(XDR + "twoCellAnchor"):
            corners = []
            for corner in (anchor.find(XDR + "from"), anchor.find(XDR + "to")):
                at = {tag: int(corner.find(XDR + tag).text) for tag in ("row", "rowOff", "col", "colOff")}
                corners.append(((at["row"], at["rowOff"]), (at["col"], at["colOff"])))
            boxes.append(corners)
    return boxes


def _overlaps(one, other):
    """Two boxes share some area (touching edges do not count)."""
    (top, left), (bottom, right) = one
    (top2, left2), (bottom2, right2) = other
    return top < bottom2 and top2 < bottom and left < right2 and left2 < right


def _cells_under(box):
    """The rows and columns (1-based, inclusive) a chart covers some part of."""
    (top, left), (bottom, right) = box
    last_row = bottom[0] if bottom[1] else bottom[0] - 1
    last_col = right[0] if right[1] else right[0] - 1
    return top[0] + 1, left[0] + 1, last_row + 1, last_col + 1


def test_no_chart_overlaps_another_or_a_table(every_report):
    """A chart drawn over a table hides its figures; two charts on each other hide both."""
    found, checked = [], 0
    for stem, path in every_report.items():
        book = openpyxl.load_workbook(path)
        with zipfile.ZipFile(path) as package:
            for sheet_name, part in _sheet_paths(package):
                boxes = _chart_boxes(package, part)
                checked += len(boxes)
                sheet = book[sheet_name]
                hidden = {letter for letter, dim in sheet.column_dimensions.items() if dim.hidden}
                for index, box in enumerate(boxes):
                    found += [
                        f"{stem}/{sheet_name}: charts {index} and {later}"
                        for later, other in enumerate(boxes)
                        if later > index and _overlaps(box, other)
                    ]
                    first_row, first_col, last_row, last_col = _cells_under(box)
                    under = [
                        cell.coordinate
                        for row in sheet.iter_rows(
                            min_row=first_row, max_row=last_row, min_col=first_col, max_col=last_col
                        )
                        for cell in row
                        if cell.value not in (None, "") and cell.column_letter not in hidden
                    ]
                    if under:
                        found.append(f"{stem}/{sheet_name}: chart {index} over {under[:3]}")
    assert checked > 10 and found == []


@pytest.mark.parametrize(
    ("one", "other", "overlap"),
    [
        ((((0, 0), (0, 0)), ((10, 0), (5, 0))), (((5, 0), (3, 0)), ((15, 0), (8, 0))), True),
        (
            (((0, 0), (0, 0)), ((10, 0), (5, 100))),
            (((0, 0), (5, 100)), ((10, 0), (9, 0))),
            False,
        ),  # side by side
        ((((0, 0), (0, 0)), ((10, 0), (5, 100))), (((0, 0), (5, 50)), ((10, 0), (9, 0))), True),
        ((((0, 0), (0, 0)), ((10, 0), (5, 0))), (((10, 0), (0, 0)), ((20, 0), (5, 0))), False),  # one below
    ],
)
def test_overlap_of_two_chart_boxes(one, other, overlap):
    assert _overlaps(one, other) is overlap and _overlaps(other, one) is overlap


def test_a_chart_covers_the_cells_it_reaches_into():
    assert _cells_under((((2, 0), (1, 0)), ((12, 0), (6, 0)))) == (3, 2, 12, 6)  # ends on a cell's edge
    assert _cells_under((((2, 0), (1, 0)), ((12, 5), (6, 5)))) == (3, 2, 13, 7)
