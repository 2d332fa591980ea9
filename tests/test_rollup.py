"""kamxl rollup: the regions side by side from the history and the regions' report.json.

The bundled samples (华东区, 华南区, 西北区, January to March 2026) rolled up
and checked by hand; the roll-up workbook recalculated by LibreOffice; a
history built directly in the store for the rest.
"""

from __future__ import annotations

import json
import re
import zipfile

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from kamxl.calc.snapshots import OPPORTUNITY_COLUMNS, opportunity_key
from kamxl.cli import main
from kamxl.rollup import rollup
from kamxl.store import HistoryStore
from tests.conftest import SAMPLES
from tests.write.libreoffice import convert, formula_cells, require, same

REGIONAL = [f"{stem}-2026-{month:02d}.xlsx" for stem in ("east", "south", "northwest") for month in (1, 2, 3)]


# ------------------------------------------------------------ the samples ---
@pytest.fixture(scope="module")
def samples_rollup(tmp_path_factory):
    """The nine regional samples processed into a fresh folder and history, then rolled up (March)."""
    from kamxl.config import load_settings

    out = tmp_path_factory.mktemp("rollup")
    history = out / "kamxl-history.sqlite"
    import datetime as dt

    outcome = rollup(
        history,
        None,
        out,
        load_settings(),
        inputs=[SAMPLES / name for name in REGIONAL],
        as_of=dt.date(2026, 3, 31),
        jobs=1,
        strict=True,
    )
    return outcome, out


def _region(report, name):
    return next(region for region in report["regions"] if region["region"] == name)


@pytest.mark.slow
def test_the_samples_roll_up_as_computed_by_hand(samples_rollup):
    outcome, out = samples_rollup
    assert outcome.period == "2026-03" and outcome.errors == []
    assert sorted(path.name for path in outcome.outputs) == [
        "org-2026-03.rollup.json",
        "org-2026-03.rollup.xlsx",
        "org-2026-03.summary.html",
        "org-2026-03.summary.md",
    ]
    report = json.loads((out / "org-2026-03.rollup.json").read_text("utf-8"))
    south = _region(report, "华南区")
    # scripts/make_samples.py, March: the six receivables rows' plans 25,000 + 40,000 + 10,000 + 15,000 +
    # 8,000 + 3,000 a month over three months; actuals 75,000 + 120,000 + 27,000 + 42,000 + 24,000 + 6,000
    assert south["receivables"] == {
        "plan_to_date": 303000.0,
        "actual_to_date": 294000.0,
        "collection_rate": 294000 / 303000,
        "balance": 1212000.0 - 294000.0,  # Σ 总欠款 − collected
    }
    # revenue 420,000 a month planned; actual 905,000 + 365,000; expense 145,000 planned, 437,000 spent
    assert south["pnl"] == {
        "revenue_plan_to_date": 1260000.0,
        "revenue_actual_to_date": 1270000.0,
        "revenue_variance_to_date": 10000.0,
        "expense_plan_to_date": 435000.0,
        "expense_actual_to_date": 437000.0,
        "expense_variance_to_date": 2000.0,
        "profit_plan_to_date": 825000.0,
        "profit_actual_to_date": 833000.0,
        "profit_variance_to_date": 8000.0,
    }
    # A: 美佳, 粤海 (超额/本月内 10.0); B: 宏图, 珠江 (重要/考核期内 8.0), 华侨 (重要/更长期 7.0);
    # C: 鹏程 (5.0), 金湾 (6.0), 岭南 (5.0); D: 南星 (4.0); 海韵 won. Stuck: C or D in all three months
    # with no progress — 南星 D D D, 鹏程 C C C, 岭南 C C C (金湾 was not there in January): 3 of 4.
    assert south["funnel"] == {
        "counts": {"A": 2, "B": 3, "C": 3, "D": 1},
        "open": 9,
        # 280,000 × 0.9 + 450,000 × 0.9 + 160,000 × 0.6 + 230,000 × 0.6 + 200,000 × 0.3
        # + 120,000 × 0.1 + 90,000 × 0.3 + 100,000 × 0.1 + 25,000 × 0.1
        "weighted_total": 1002500.0,
        "health": "good",
        "health_rule": "stuck",
        "stuck": ["南星", "岭南", "鹏程"],
        "stuck_count": 3,
        "stuck_share": 0.75,
    }
    assert south["filed"] == ["customers", "pnl", "receivables"]
    assert south["plans"] is None  # 华南区 has no monthly plan
    assert south["issues"] == {"error": 0, "warning": 0}
    assert south["report"] == "south-2026-03.kamxl.xlsx" and (out / south["report"]).is_file()
    # collection rates 0.970 (华南区), 0.906 (华东区), 0.799 (西北区)
    assert [(region["region"], region["rank"]) for region in report["regions"]] == [
        ("华南区", 1),
        ("华东区", 2),
        ("西北区", 3),
    ]
    total = report["total"]
    assert total["receivables"]["plan_to_date"] == 303000 + 889500 + 174000
    assert total["receivables"]["actual_to_date"] == 294000 + 806000 + 139000
    assert total["receivables"]["collection_rate"] == pytest.approx(1239000 / 1366500)
    assert total["funnel"]["counts"] == {"A": 2 + 4 + 1, "B": 3 + 3 + 3, "C": 3 + 4 + 1, "D": 1 + 2 + 1}
    assert total["funnel"]["weighted_total"] == 1002500 + 1625000 + 542000
    # 华东区's monthly plan only: one region of three is not the organisation's attainment, and it says so
    assert total["plans"] is None
    assert total["coverage"] == {"monthly": {"regions": 1, "of": 3}}
    assert report["missing"] == []
    assert {entry["region"]: entry["status"] for entry in report["completeness"]} == {
        "华东区": "filed",
        "华南区": "filed",
        "西北区": "filed",
    }


@pytest.mark.slow
def test_the_rollup_workbook_recalculates_the_same_in_libreoffice(samples_rollup, tmp_path):
    require()
    _, out = samples_rollup
    workbook = out / "org-2026-03.rollup.xlsx"
    cached = openpyxl.load_workbook(workbook, data_only=True)
    lo = openpyxl.load_workbook(convert(workbook, tmp_path), data_only=True)
    cells = formula_cells(workbook)
    assert len(cells) > 100
    assert {sheet for sheet, _, formula in cells if "SUM(" in formula} >= {"总览", "区域对比"}
    for sheet, ref, _ in cells:
        assert same(cached[sheet][ref].value, lo[sheet][ref].value), f"{sheet}!{ref}"


@pytest.mark.slow
def test_the_directors_attention_list_puts_the_largest_risks_first(samples_rollup):
    """Ranked by score (weight × the money's factor, method.md §8.5): 华东区's slipped 华信 500,000 first,
    西北区's profit 106,000 under plan and its poor funnel within the first `summary.top_rows` (10) lines,
    above the tier-1 shortfalls of 11,000–15,000 — not a stuck 20,000 (瑞丰); a customer's matters are one
    line (海川, 天山), each line "区域:事实。", and the rest are pointed to on the 关注事项 sheet."""
    _, out = samples_rollup
    decisions = json.loads((out / "org-2026-03.rollup.json").read_text("utf-8"))["decisions"]
    assert [item["rank"] for item in decisions] == list(range(1, len(decisions) + 1))
    scores = [item["score"] for item in decisions]
    assert scores == sorted(scores, reverse=True)
    assert (decisions[0]["customer"], decisions[0]["kind"], decisions[0]["amount"]) == (
        "华信",
        "slipped",
        500000.0,
    )
    assert decisions[0]["message"].startswith("华东区:A 类商机 华信 / 数据中心(500,000)")
    sheet = openpyxl.load_workbook(out / "org-2026-03.rollup.xlsx")["关注事项"]
    lines = [
        [cell.value for cell in row] for row in sheet.iter_rows(min_row=5) if isinstance(row[0].value, int)
    ]
    keys = [(line[2], line[3]) for line in lines if line[3]]
    assert len(keys) == len(set(keys)), "a (region, customer) once"
    first = {(line[2], line[3], line[5].split(":")[1][:6]) for line in lines[:10]}
    assert ("西北区", None, "利润比计划少") in first
    assert ("西北区", None, "漏斗健康度为") in first
    assert all(line[3] not in ("长安", "新源", "瑞丰") for line in lines[:10])
    haichuan = next(line for line in lines if line[3] == "海川")
    assert haichuan[5].count("海川") == 2 and haichuan[5].count("华东区") == 1 and haichuan[4] == 420000
    for line in lines:  # one pattern: 区域:事实。
        assert re.fullmatch(rf"{line[2]}:[^:].*。", line[5]), line[5]
        assert " 的 " not in line[5] and "::" not in line[5]
    # every cell of a line top-aligned: a wrapped line reads across
    row = next(row for row in sheet.iter_rows(min_row=5) if row[3].value == "天山")
    assert {cell.alignment.vertical for cell in row} == {"top"}
    summary = (out / "org-2026-03.summary.md").read_text("utf-8")
    listed = summary.split("## 需要总监关注")[1].split("##")[0]
    assert "华信" in listed and listed.count("海川") == 2 and "瑞丰" not in listed
    more = f"另有 {len(lines) - 10} 项,见“关注事项”表"
    assert more in listed
    assert more in [
        cell.value
        for row in openpyxl.load_workbook(out / "org-2026-03.rollup.xlsx")["总览"].iter_rows()
        for cell in row
    ]


@pytest.mark.slow
def test_the_plan_measures_are_named_apart_and_the_total_is_honest(samples_rollup):
    """A region's 指标达成数 is met/judged (华东区 6/8); a salesperson's 平均达成率 the mean attainment;
    the organisation's total of a form one region of three filed is "1/3 区域", not that region's."""
    _, out = samples_rollup
    summary = (out / "org-2026-03.summary.md").read_text("utf-8")
    assert "月度计划达成率" not in summary
    header = next(line for line in summary.splitlines() if line.startswith("| 排名 | 区域 |"))
    column = header.split(" | ").index("指标达成数")
    table = summary.split("## 各区域对比")[1].split("##")[0]
    cells = [line.split(" | ") for line in table.splitlines() if line.startswith("| ")]
    rows = {row[1].strip("* "): row for row in cells if len(row) > column}
    assert rows["华东区"][column] == "6/8"
    assert rows["全公司合计"][column] == "1/3 区域"
    assert "平均达成率" in summary
    book = openpyxl.load_workbook(out / "org-2026-03.rollup.xlsx")
    regions = book["区域对比"]
    headings = [cell.value for cell in regions[4]]
    total = next(row for row in regions.iter_rows(min_row=5) if row[1].value == "全公司合计")
    # "1/3 区域" once, under the form's first column; the median region blank where the total is
    assert [total[headings.index(name)].value for name in ("月度指标数", "达成指标数", "指标达成占比")] == [
        "1/3 区域",
        None,
        None,
    ]
    median = next(row for row in regions.iter_rows(min_row=5) if row[1].value == "中位区域")
    assert [median[headings.index(name)].value for name in ("月度指标数", "达成指标数", "指标达成占比")] == [
        None,
        None,
        None,
    ]
    assert median[headings.index("回款率")].value.startswith("=MEDIAN(")
    # the salespeople's indicators judged and met are not kept per owner: no columns of blanks
    owners = [cell.value for cell in book["业务员"][4]]
    assert "平均达成率" in owners and "月度指标数" not in owners and "达成指标数" not in owners


@pytest.mark.slow
def test_the_rollup_prints_and_reads_as_a_director_expects(samples_rollup):
    """Page headers name the organisation and period; pages across repeat their key columns; the forms
    filed wrap; variances are signed with a true minus in the workbook and the summary; 3/3 filed on
    time; the summary's regions scroll in their own box with the region's name in view."""
    _, out = samples_rollup
    book = openpyxl.load_workbook(out / "org-2026-03.rollup.xlsx")
    for sheet in book.worksheets:  # rollup.org left at its placeholder: the organisation is not named
        assert sheet.oddHeader.left.text == "区域汇总 2026-03", sheet.title
    assert book["趋势"].print_title_cols == "$A:$B"
    trends = book["趋势"]
    assert [trends.cell(5, col).value for col in (1, 2, 3)] == ["指标", "月份", "华南区"]
    _the_trends_changes_read_in_points(trends, out)
    regions = book["区域对比"]
    headings = [cell.value for cell in regions[4]]
    assert "利润计划(截至当月)" in headings and "利润差异(截至当月)" in headings
    # 区域对比 counts the forms (a row of one line); 提交情况 lists them, wrapped within rollup_forms
    east = next(row for row in regions.iter_rows(min_row=5) if row[1].value == "华东区")
    report = json.loads((out / "org-2026-03.rollup.json").read_text("utf-8"))
    assert east[2].value == f"{len(_region(report, '华东区')['filed'])} 张表单"
    assert regions.row_dimensions[east[0].row].height is None
    completeness = book["提交情况"]
    filed = next(row for row in completeness.iter_rows(min_row=5) if row[0].value == "华东区")[3]
    assert filed.alignment.wrap_text and "预期损益表" in filed.value
    assert completeness.column_dimensions[filed.column_letter].width >= 24  # formats.widths.rollup_forms
    assert completeness.row_dimensions[filed.row].height > 15  # tall enough for its lines
    health = east[headings.index("漏斗健康度")]
    assert health.value == "良" and health.alignment.horizontal == "center"
    stuck = east[headings.index("停滞客户")]  # after the 警告 count: indented, not "0南星、岭南"
    assert stuck.value and stuck.alignment.indent == 1
    variance = next(row for row in regions.iter_rows(min_row=5) if row[1].value == "西北区")
    assert variance[headings.index("利润差异(截至当月)")].number_format == '+#,##0;"−"#,##0;0'
    summary = (out / "org-2026-03.summary.md").read_text("utf-8")
    assert "| −106,000 |" in summary and "| +17,000 |" in summary and "-106,000" not in summary
    assert "3/3 按时提交" in summary
    dashboard = [cell.value for row in book["总览"].iter_rows() for cell in row]
    assert "3/3 按时提交" in dashboard
    html = (out / "org-2026-03.summary.html").read_text("utf-8")
    assert '<div class="scroll wide">' in html and "position: sticky" in html


def _the_trends_changes_read_in_points(trends, out):
    """The change table has its heading; a rate's change is in percentage points (华东区 89.4 % after
    88.0 %: +1.3 个百分点, not +1.3 %); the rate chart's axis runs to 100 %, not 120 %."""
    cells = [[cell.value for cell in row] for row in trends.iter_rows()]
    at = next(index for index, row in enumerate(cells) if row[0] == "各区域逐月变化(环比)")
    headings = cells[at + 1]
    assert headings[:2] == ["区域", "月份"]
    column = headings.index("回款率环比(个百分点)")
    row = next(index for index, row in enumerate(cells) if row[:2] == ["华东区", "2026-02"])
    change = trends.cell(row + 1, column + 1)
    assert change.value.endswith(")*100)") and change.number_format == '+0.0;"−"0.0;0.0'
    with zipfile.ZipFile(out / "org-2026-03.rollup.xlsx") as archive:
        charts = [archive.read(name).decode() for name in archive.namelist() if "charts/chart" in name]
    rate = next(chart for chart in charts if "<a:t>回款率</a:t>" in chart)
    assert [float(value) for value in re.findall(r'<c:(?:min|max) val="([^"]+)"/>', rate)] == [1.0, 0.0]


@pytest.mark.slow
def test_the_dashboard_total_is_a_sum_and_its_rate_a_ratio_of_sums(samples_rollup):
    _, out = samples_rollup
    sheet = openpyxl.load_workbook(out / "org-2026-03.rollup.xlsx")["总览"]
    total_row = next(row for row in sheet.iter_rows() if any(cell.value == "全公司合计" for cell in row))
    formulas = [
        cell.value for cell in total_row if isinstance(cell.value, str) and cell.value.startswith("=")
    ]
    assert any(re.fullmatch(r"=SUM\([A-Z]+\d+:[A-Z]+\d+\)", formula) for formula in formulas)
    # the rate divides the total row's own sums
    row = total_row[0].row
    assert any(re.search(rf"[A-Z]+{row}/[A-Z]+{row}", formula) for formula in formulas)


# ------------------------------------------------- a history built directly ---
def _opportunities(*rows):
    return pd.DataFrame(
        [
            {
                "key": opportunity_key(customer, None),
                "customer": customer,
                "project": None,
                "owner": owner,
                "tier": 1,
                "class": cls,
                "status": "open",
                "amount": amount,
                "weighted_amount": amount / 2,
            }
            for customer, owner, cls, amount in rows
        ],
        columns=OPPORTUNITY_COLUMNS,
    )


def _totals(counts, plan, actual):
    return {
        "funnel_counts": counts,
        "open": sum(counts.values()),
        "weighted_total": 100.0 * sum(counts.values()),
        "health": "poor",
        "health_rule": "sparse",
        "collection_rate": actual / plan,
        "receivables_plan_to_date": plan,
        "receivables_actual_to_date": actual,
        "receivables_last_month": 1,
    }


@pytest.fixture
def store_history(tmp_path):
    """华南区 January to March, 西北区 January and February only; a report.json for 华南区's March."""
    history = tmp_path / "out" / "kamxl-history.sqlite"
    store = HistoryStore(history)
    for month in (1, 2, 3):
        frame = _opportunities(("甲", "陈", "C", 200.0), ("乙", "赵", "A", 400.0))
        store.save(
            "华南区", f"2026-{month:02d}", frame, _totals({"A": 1, "B": 0, "C": 1, "D": 0}, 100.0, 90.0)
        )
        if month < 3:
            store.save(
                "西北区", f"2026-{month:02d}", frame, _totals({"A": 0, "B": 0, "C": 2, "D": 0}, 50.0, 25.0)
            )
    report = {
        "source": "south-2026-03.xlsx",
        "as_of": "2026-03-31",
        "forms": {"customers": "", "receivables": ""},
        "receivables": {"balance": 700.0, "rows": []},
        "history": {"region": "华南区", "period": "2026-03"},
        "issues": [{"severity": "warning"}],
    }
    (tmp_path / "out" / "south-2026-03.report.json").write_text(json.dumps(report), "utf-8")
    return history


def test_a_region_missing_the_month_is_listed(store_history, settings):
    outcome = rollup(store_history, "2026-03", store_history.parent, settings)
    report = json.loads((store_history.parent / "org-2026-03.rollup.json").read_text("utf-8"))
    assert [region["region"] for region in report["regions"]] == ["华南区"]
    assert report["missing"] == ["西北区"]
    assert report["decisions"][0]["code"] == "not_filed" and "西北区" in report["decisions"][0]["message"]
    south = report["regions"][0]
    assert south["receivables"] == {
        "plan_to_date": 100.0,
        "actual_to_date": 90.0,
        "collection_rate": 0.9,
        "balance": 700.0,
    }
    assert south["issues"] == {"error": 0, "warning": 1}
    # 甲 in C in each of the three months: stuck, 1 of C + D = 1
    assert (south["funnel"]["stuck"], south["funnel"]["stuck_share"]) == (["甲"], 1.0)
    assert outcome.errors == [] and len(outcome.outputs) == 4


def test_a_region_without_its_report_is_said_and_its_other_figures_are_blank(store_history, settings):
    outcome = rollup(store_history, "2026-02", store_history.parent, settings)
    assert sorted(issue.params["region"] for issue in outcome.issues if issue.code == "rollup_no_report") == [
        "华南区",
        "西北区",
    ]
    report = json.loads((store_history.parent / "org-2026-02.rollup.json").read_text("utf-8"))
    assert report["total"]["receivables"]["balance"] is None  # not a sum of what happens to be known
    assert report["total"]["receivables"]["collection_rate"] == pytest.approx(115 / 150)


def test_charts_start_at_zero_with_titled_axes(store_history, settings):
    rollup(store_history, "2026-03", store_history.parent, settings)
    with zipfile.ZipFile(store_history.parent / "org-2026-03.rollup.xlsx") as archive:
        charts = [
            archive.read(name).decode() for name in archive.namelist() if name.startswith("xl/charts/chart")
        ]
    assert len(charts) == 1 + len(settings.get("rollup.trend_figures"))
    for chart in charts:
        value_axis = re.search(r"<c:valAx>.*?</c:valAx>", chart, re.S).group(0)
        assert '<c:min val="0"/>' in value_axis
        assert "<c:title>" in value_axis
        category_axis = re.search(r"<c:(?:catAx|dateAx)>.*?</c:(?:catAx|dateAx)>", chart, re.S).group(0)
        assert "<c:title>" in category_axis


def test_the_dashboard_is_one_landscape_a4_page(store_history, settings):
    rollup(store_history, "2026-03", store_history.parent, settings)
    with zipfile.ZipFile(store_history.parent / "org-2026-03.rollup.xlsx") as archive:
        first = archive.read("xl/worksheets/sheet1.xml").decode()
    assert '<pageSetup paperSize="9" orientation="landscape"' in first
    assert '<pageSetUpPr fitToPage="1"/>' in first
    assert 'fitToWidth="1"' not in first or 'fitToHeight="0"' not in first


def test_the_dashboards_texts_wrap_within_the_tables_width(store_history, settings_en):
    """The decisions and completeness lines are merged from their column to the table's last and wrap,
    rows tall enough: nothing runs past the printed page's right margin."""
    from kamxl.write.xlsx.rollup_book import DASHBOARD_COLUMNS

    rollup(store_history, "2026-03", store_history.parent, settings_en)
    sheet = openpyxl.load_workbook(store_history.parent / "org-2026-03.rollup.xlsx").worksheets[0]
    last = len(DASHBOARD_COLUMNS)  # 1-based
    merged = {(r.min_row, r.min_col): r for r in sheet.merged_cells.ranges}
    below = [
        cell
        for row in sheet.iter_rows(min_row=10)
        for cell in row
        if isinstance(cell.value, str) and cell.column > 2
    ]
    assert below, "the dashboard lists its decisions"
    for cell in below:
        span = merged[(cell.row, cell.column)]
        assert span.max_col == last and span.min_row == span.max_row, cell.coordinate
        assert cell.alignment.wrap_text, cell.coordinate
    assert all(cell.column <= last for row in sheet.iter_rows() for cell in row if cell.value is not None)


def test_completeness_says_how_many_filed_on_time(store_history, settings_en):
    """西北区 did not file March, 华南区 filed it on time: the dashboard and the summary say so in a line,
    and list the exception."""
    rollup(store_history, "2026-03", store_history.parent, settings_en)
    out = store_history.parent
    summary = (out / "org-2026-03.summary.md").read_text("utf-8")
    assert "1/2 filed on time, 1/2 filed" in summary
    dashboard = openpyxl.load_workbook(out / "org-2026-03.rollup.xlsx").worksheets[0]
    texts = [cell.value for row in dashboard.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert "1/2 filed on time, 1/2 filed" in texts
    assert "not filed" in texts  # the exception, beside 西北区


def test_the_cli_rolls_up_and_says_where(store_history):
    runner = CliRunner()
    out = store_history.parent
    result = runner.invoke(main, ["rollup", "--out", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert f"wrote {out / 'org-2026-03.rollup.xlsx'}" in result.output
    english = json.loads((out / "org-2026-03.rollup.json").read_text("utf-8"))
    assert english["decisions"][0]["message"] == "西北区: not filed for 2026-03."


def test_the_cli_without_a_history_fails_plainly(tmp_path):
    result = CliRunner().invoke(main, ["rollup", "--out", str(tmp_path), "--lang", "en"])
    assert result.exit_code == 1
    assert "holds no review to roll up" in result.output
    assert list(tmp_path.iterdir()) == []


def test_the_cli_refuses_a_period_that_is_no_month(tmp_path):
    result = CliRunner().invoke(main, ["rollup", "--out", str(tmp_path), "--period", "2026-13"])
    assert result.exit_code == 2


def test_a_period_with_no_review(store_history, settings):
    outcome = rollup(store_history, "2025-12", store_history.parent, settings)
    assert [issue.code for issue in outcome.errors] == ["rollup_no_period"]
    assert outcome.outputs == []


def test_a_history_with_no_region_to_compare_still_says_who_filed(tmp_path, settings_en):
    out = tmp_path / "out"
    HistoryStore(out / "kamxl-history.sqlite").save(
        "form-calendar", "2026-03", pd.DataFrame(columns=OPPORTUNITY_COLUMNS), {}
    )
    outcome = rollup(out / "kamxl-history.sqlite", None, out, settings_en)
    assert outcome.errors == [] and outcome.period == "2026-03"
    report = json.loads((out / "org-2026-03.rollup.json").read_text("utf-8"))
    assert report["regions"] == [] and report["total"]["receivables"] is None
    assert [(entry["region"], entry["status"]) for entry in report["completeness"]] == [
        ("form-calendar", "no_figures")
    ]
    summary = (out / "org-2026-03.summary.md").read_text("utf-8")
    assert "customer assessment, receivables plan, projected P&L" in summary


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_message_keeps_an_unfilled_placeholder(store_history, lang):
    """Every message is rendered with its values: no "{min_open}" reaches a director."""
    out = store_history.parent
    result = CliRunner().invoke(main, ["rollup", "--out", str(out), "--lang", lang])
    assert result.exit_code == 0, result.output
    texts = [path.read_text("utf-8") for path in out.glob("org-2026-03.*") if path.suffix in {".json", ".md"}]
    assert len(texts) == 2
    placeholders = [found for text in texts for found in re.findall(r"\{[a-z_]+\}", text)]
    assert placeholders == []


# ------------------------------------------- files merged, regions guessed ---
FORMS = ("form-customers.xlsx", "form-receivables.xlsx", "form-pnl.xlsx", "form-monthly.xlsx")


def _section(report, region):
    return {key: value for key, value in _region(report, region).items() if key not in ("report", "as_of")}


def test_one_region_month_filed_as_four_files_rolls_up_as_one_row_without_its_reports(tmp_path, settings):
    """The customer assessment, receivables plan, P&L and monthly plan of 华东区's March filed as four
    files: one row with every form's figures, each as the form's own report has it — and the same
    row once the report.json files are gone (the store keeps every figure the roll-up shows)."""
    import datetime as dt

    from kamxl.pipeline import RunOptions, process

    out, history = tmp_path / "out", tmp_path / "out" / "kamxl-history.sqlite"
    alone = {}
    for name in FORMS:
        process(SAMPLES / name, tmp_path / name, settings, RunOptions(dt.date(2026, 3, 31), strict=True))
        alone[name] = json.loads((tmp_path / name / name.replace(".xlsx", ".report.json")).read_text("utf-8"))
        process(SAMPLES / name, out, settings, RunOptions(dt.date(2026, 3, 31), strict=True, history=history))
    rollup(history, "2026-03", out, settings)
    report = json.loads((out / "org-2026-03.rollup.json").read_text("utf-8"))
    east = _region(report, "华东区")
    assert east["filed"] == ["customers", "monthly", "pnl", "receivables"]
    assert east["funnel"]["counts"] == alone["form-customers.xlsx"]["funnel"]["counts"]
    receivables = alone["form-receivables.xlsx"]["receivables"]
    assert east["receivables"] == {
        "plan_to_date": receivables["plan_to_date"],
        "actual_to_date": receivables["actual_to_date"],
        "collection_rate": receivables["collection_rate"],
        "balance": receivables["balance"],
    }
    pnl = alone["form-pnl.xlsx"]["pnl"]
    assert east["pnl"]["profit_plan_to_date"] == pnl["profit_plan_to_date"]
    assert east["pnl"]["profit_actual_to_date"] == pnl["profit_actual"]
    monthly = alone["form-monthly.xlsx"]["plans"]["monthly"]
    judged = [row["attainment"] for row in monthly if row["attainment"] is not None]
    assert east["plans"]["judged"] == len(judged) and east["plans"]["met"] == sum(a >= 1 for a in judged)
    warnings = sum(1 for name in FORMS for issue in alone[name]["issues"] if issue["severity"] == "warning")
    assert east["issues"] == {"error": 0, "warning": warnings}
    assert report["notes"] == []  # no form filed twice, no region guessed

    for path in out.glob("*.report.json"):
        path.unlink()
    outcome = rollup(history, "2026-03", out, settings)
    assert "rollup_no_report" not in [issue.code for issue in outcome.issues]
    again = json.loads((out / "org-2026-03.rollup.json").read_text("utf-8"))
    assert _section(again, "华东区") == _section(report, "华东区")


def test_the_same_form_filed_twice_is_said_naming_both_files(tmp_path, settings_en):
    import datetime as dt
    import shutil

    from kamxl.pipeline import RunOptions, process

    out, history = tmp_path / "out", tmp_path / "out" / "kamxl-history.sqlite"
    shutil.copy(SAMPLES / "form-customers.xlsx", tmp_path / "customers-corrected.xlsx")
    for path in (
        SAMPLES / "form-customers.xlsx",
        SAMPLES / "form-receivables.xlsx",
        tmp_path / "customers-corrected.xlsx",
    ):
        process(path, out, settings_en, RunOptions(dt.date(2026, 3, 31), strict=True, history=history))
    rollup(history, "2026-03", out, settings_en)
    report = json.loads((out / "org-2026-03.rollup.json").read_text("utf-8"))
    [east] = report["completeness"]
    assert east["refiled"] == ["customers"]
    assert east["refiled_files"] == {"customers": ["form-customers.xlsx", "customers-corrected.xlsx"]}
    [note] = report["notes"]
    assert "form-customers.xlsx" in note and "customers-corrected.xlsx" in note
    assert note in (out / "org-2026-03.summary.md").read_text("utf-8")
    completeness = openpyxl.load_workbook(out / "org-2026-03.rollup.xlsx")[
        settings_en.label("rollup.sheets.completeness")
    ]
    assert note in [cell.value for row in completeness.iter_rows() for cell in row]


def test_a_region_whose_name_was_guessed_is_listed_as_such(tmp_path, settings):
    history = tmp_path / "kamxl-history.sqlite"
    store = HistoryStore(history)
    frame = _opportunities(("甲", "陈", "C", 200.0))
    guessed = {"x.xlsx": {"as_of": "2026-03-31", "errors": 0, "warnings": 1, "region_from": "file_stem"}}
    named = {"y.xlsx": {"as_of": "2026-03-31", "errors": 0, "warnings": 0, "region_from": "title"}}
    store.save("x", "2026-03", frame, _totals({"A": 0, "B": 0, "C": 1, "D": 0}, 10.0, 5.0), inputs=guessed)
    store.save("华南区", "2026-03", frame, _totals({"A": 0, "B": 0, "C": 1, "D": 0}, 10.0, 5.0), inputs=named)
    rollup(history, "2026-03", tmp_path, settings)
    report = json.loads((tmp_path / "org-2026-03.rollup.json").read_text("utf-8"))
    assert {entry["region"]: entry["region_guessed"] for entry in report["completeness"]} == {
        "x": True,
        "华南区": False,
    }
    assert _region(report, "x")["region_guessed"] is True
    [note] = report["notes"]
    assert "x" in note and "--region" in note
    summary = (tmp_path / "org-2026-03.summary.md").read_text("utf-8")
    assert f"x ({settings.label('rollup.region_guessed')})" in summary


def test_the_league_table_uses_the_owner_figures_the_store_kept(tmp_path, settings):
    """Where a snapshot kept results.owners' figures, the league table's collections and attainment are
    those (no report.json needed)."""
    history = tmp_path / "kamxl-history.sqlite"
    totals = _totals({"A": 1, "B": 0, "C": 0, "D": 0}, 100.0, 80.0) | {
        "owners": {
            "receivables": {
                "陈": {"collections_plan": 60.0, "collections_actual": 30.0, "collections_rate": 0.5}
            },
            "monthly": {"陈": {"plan_attainment": 0.75}},
        }
    }
    HistoryStore(history).save("华南区", "2026-03", _opportunities(("甲", "陈", "A", 200.0)), totals)
    rollup(history, "2026-03", tmp_path, settings)
    [owner] = json.loads((tmp_path / "org-2026-03.rollup.json").read_text("utf-8"))["owners"]
    assert (owner["owner"], owner["receivables_plan_to_date"], owner["receivables_actual_to_date"]) == (
        "陈",
        60.0,
        30.0,
    )
    assert (owner["collection_rate"], owner["plan_attainment"]) == (0.5, 0.75)
    assert owner["weighted_total"] == 100.0  # the opportunity's, from the store


@pytest.mark.parametrize(
    ("kind", "evidence", "message"),
    [
        # re-worded from its evidence in the roll-up's language, after the region's name
        (
            "slipped",
            {"customer": "华信", "project": "数据中心", "amount": 500000.0},
            "华东区: A-class deal 华信 / 数据中心 (500,000) was due to close this month and is still open "
            "at the review date: it has slipped.",
        ),
        # a kind this kamxl does not know (a region reviewed by a newer one): as the region worded it
        ("new_kind", {"customer": "华信"}, "华东区: 区域原文"),
    ],
)
def test_a_regions_decision_in_the_rollups_words(settings_en, kind, evidence, message):
    from kamxl.calc.rollup import Rollup
    from kamxl.write.rollup_json import decision_message

    decision = {
        "region": "华东区",
        "customer": "华信",
        "code": "region_decision",
        "kind": kind,
        "weight": 4,
        "amount": 500000.0,
        "evidence": evidence,
        "text": "区域原文",
    }
    assert decision_message(decision, Rollup("2026-03"), settings_en) == message


@pytest.mark.parametrize(
    ("org", "title"),
    [
        ("org", "区域汇总 2026-03"),  # rollup.org_placeholder: the organisation is not named
        ("", "区域汇总 2026-03"),
        ("华东公司", "华东公司 区域汇总 2026-03"),
    ],
)
def test_the_page_header_names_the_organisation_only_when_named(tmp_path, org, title):
    from kamxl.config import load_settings
    from kamxl.write.xlsx.rollup_book import document_title

    config = tmp_path / "kamxl.toml"
    config.write_text(f'[rollup]\norg = "{org}"\n', "utf-8")
    assert document_title(load_settings(config), "2026-03") == title


@pytest.mark.parametrize(
    ("code", "evidence", "zh", "en"),
    [
        (
            "not_filed",
            {"last_period": "2026-02"},
            "西北区:本月(2026-03)没有提交评审。",
            "西北区: not filed for 2026-03.",
        ),
        ("profit_behind", {}, "西北区:利润比计划少 106,000 元。", "西北区: profit 106,000 under plan."),
        (
            "funnel_health",
            {},
            "西北区:漏斗健康度为“差”(漏斗中的商机不足 8 个:稀稀落落)。",
            "西北区: funnel graded Poor (fewer than 8 open opportunities: sparse).",
        ),
        (
            "stuck",
            {"classes": "C → D → C"},
            "西北区:祁连 连续三次评审停在 C/D 类,没有向 A 类推进(金额 106,000 元)。",
            "西北区: 祁连 has stayed in C/D for the last three reviews without moving toward A (106,000).",
        ),
    ],
)
def test_every_matter_reads_region_then_fact(settings, settings_en, code, evidence, zh, en):
    """One pattern for every line of the attention list: "区域:事实。" — no "西北区 回款率…" beside
    "西北区:一级…", no "华南区 的 鹏程", and the funnel's rule inside its sentence, which ends."""
    from kamxl.calc.rollup import Rollup
    from kamxl.write.rollup_json import decision_message

    result = Rollup("2026-03", regions=[{"region": "西北区", "health": "poor", "health_rule": "sparse"}])
    decision = {
        "region": "西北区",
        "customer": "祁连" if code == "stuck" else None,
        "code": code,
        "weight": 4,
        "amount": 106000.0 if code in ("profit_behind", "stuck") else None,
        "evidence": evidence,
    }
    assert decision_message(decision, result, settings) == zh
    assert decision_message(decision, result, settings_en) == en
