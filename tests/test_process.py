"""`process` and `kamxl process` end to end: report.json per docs/report-json.md, checked by hand."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import xlsxwriter
from click.testing import CliRunner

from kamxl.cli import main
from kamxl.pipeline import RunOptions, process
from tests.conftest import SAMPLES

AS_OF = dt.date(2026, 3, 31)


@pytest.fixture(scope="module")
def march(tmp_path_factory, settings):
    out = tmp_path_factory.mktemp("march")
    outcome = process(SAMPLES / "east-2026-03.xlsx", out, settings, RunOptions(AS_OF, strict=True))
    return outcome, json.loads((out / "east-2026-03.report.json").read_text("utf-8"))


def test_contract_fields(march):
    _, r = march
    assert r["kamxl_version"] and r["source"] == "east-2026-03.xlsx" and r["as_of"] == "2026-03-31"
    assert set(r["forms"]) == {
        "customers",
        "receivables",
        "pnl",
        "activities",
        "calendar",
        "todo",
        "weekly",
        "monthly",
        "worklog",
    }
    assert r["forms"]["receivables"] == "应收帐款规划表" and r["unused_sheets"] == ["说明"]
    for key in ("customers", "funnel", "receivables", "pnl", "issues"):
        assert key in r
    for c in r["customers"]:
        assert c["tier"] in (1, 2, 3, 4, None) and c["class"] in ("A", "B", "C", "D", None)
        assert c["priority"] in ("P1", "P2", "P3", "P4", None)
        assert c["order_size"] in ("over", "major", "partial", "minor", None)
        assert c["likelihood"] in ("this_month", "this_period", "later", "intent", None)
    for i in r["issues"]:
        assert set(i) == {"severity", "code", "sheet", "cell", "message"} and i["severity"] in (
            "error",
            "warning",
            "info",
        )


def by_name(r):
    return {c["customer"]: c for c in r["customers"]}


def test_customers_by_hand(march):
    _, r = march
    c = by_name(r)
    # 朗通: factors 利润5 采购4 成长4 制高点5 转介绍4 → 22/5 = 4.4;
    # 产品4 人员4 服务3 影响力4 → 15/4 = 3.75 → 一级;
    # 超额 5.1 + 本月内 4.9 = 10.0 → A → P1; weighted 320,000 × 0.9
    assert (c["朗通"]["attractiveness"], c["朗通"]["advantage"], c["朗通"]["tier"]) == (
        pytest.approx(4.4),
        pytest.approx(3.75),
        1,
    )
    assert (c["朗通"]["score"], c["朗通"]["class"], c["朗通"]["priority"], c["朗通"]["actions"]) == (
        10.0,
        "A",
        "P1",
        [3, 4, 15, 16],
    )
    assert c["朗通"]["weighted_amount"] == pytest.approx(288000.0)
    # 泰岳: 18/5 = 3.6, 10/4 = 2.5 → 二级; 重要 + 考核期内 = 8.0 → B → P2
    assert (c["泰岳"]["tier"], c["泰岳"]["class"], c["泰岳"]["priority"]) == (2, "B", "P2")
    # 金桥: 12/5 = 2.4, 15/4 = 3.75 → 三级; 重要 + 本月内 = 9.0 → A → P3
    assert (c["金桥"]["attractiveness"], c["金桥"]["tier"], c["金桥"]["priority"]) == (
        pytest.approx(2.4),
        3,
        "P3",
    )
    # direct scores: 益民 3.1/3.0 → 一级 (3.0 is high); 海川 2.9/3.4 → 三级
    assert c["益民"]["tier"] == 1 and c["海川"]["tier"] == 3
    # 博雅 was won: it keeps its tier but has left the funnel
    assert c["博雅"]["status"] == "won" and c["博雅"]["class"] is None and c["博雅"]["tier"] == 1
    priorities = sorted((p, n) for n, x in c.items() if (p := x["priority"]))
    assert [n for p, n in priorities if p == "P1"] == sorted(["朗通", "华信", "新源"])


def test_funnel_by_hand(march):
    _, r = march
    f = r["funnel"]
    # A 朗通 华信 金桥 海川 · B 泰岳 新源 天成 · C 万星 恒通 宏达 益民 · D 远航 瑞丰 (博雅 won)
    assert f["counts"] == {"A": 4, "B": 3, "C": 4, "D": 2}
    assert f["amounts"]["A"] == 320000 + 500000 + 110000 + 420000
    # N = 13 ≥ 8; C+D = 6 ≥ 25 %; A+B = 7 ≥ 20 % → 优, no history yet
    assert (f["health"], f["health_rule"]) == ("excellent", "no_history")


def test_receivables_by_hand(march):
    _, r = march
    rec = r["receivables"]
    assert rec["total_owed"] == 3650000.0 and rec["actual"] == 806000.0 and rec["plan"] == 296500.0 * 12
    # m* = 3: plan to date 3 × 296,500; actual 261,000 + 269,000 + 276,000
    assert rec["last_month"] == 3 and rec["plan_to_date"] == 889500.0
    assert rec["collection_rate"] == pytest.approx(806000 / 889500)
    assert rec["balance"] == 3650000.0 - 806000.0
    # cumulative actual under 90 % of plan: 朗通 产品B 53/60, 万星 11/37.5, 海川 59/90, 新源 22/33, 瑞丰 5/15
    assert rec["behind"] == ["朗通", "万星", "海川", "新源", "瑞丰"]
    # as customers, all their lines together: 朗通 (203,000 of 210,000 planned, 96.7 %) is not behind
    assert rec["behind_customers"] == ["万星", "海川", "新源", "瑞丰"]
    shorts = sorted(i["cell"] for i in r["issues"] if i["code"] == "plan_short")
    assert shorts == [
        "AB10",
        "AB12",
        "AB13",
        "AB15",
    ]  # 金桥 180k/200k, 海川 360k/420k, 恒通 96k/100k, 新源 132k/140k


def test_pnl_by_hand(march):
    _, r = march
    p = r["pnl"]
    assert (p["revenue_plan"], p["expense_plan"], p["profit_plan"]) == (7200000.0, 2460000.0, 4740000.0)
    # actuals Jan–Mar: revenue 585k + 598k + 635k, expense 198k + 211k + 207k
    assert (p["revenue_actual"], p["expense_actual"], p["profit_actual"]) == (1818000.0, 616000.0, 1202000.0)
    march_ = next(m for m in p["months"] if m["month"] == 3)
    assert (
        march_["profit_actual"] == 428000.0
        and march_["revenue_variance"] == 35000.0
        and march_["revenue_favourable"] is True
    )
    assert next(m for m in p["months"] if m["month"] == 4)["revenue_actual"] is None
    assert not [i for i in r["issues"] if i["code"] == "profit_mismatch"]  # the sample's 预期盈亏 is right


def test_activities_time_and_plans_by_hand(march):
    _, r = march
    a = r["activities"]
    # March: 推介会 60,000 + 高层拜访 5,000 + 满意度回访 6,000 / 4 marks
    assert a["by_month"]["3"] == 66500.0 and a["over_advertising"] == [3, 5]
    t = r["time"]
    assert t["hours"] == 14.5 and t["quadrants"]["M2"]["hours"] == 8.5
    g = {x["group"]: x for x in r["time_guideline"]}
    # work log hours: key 朗通 4.5 + 华信 4.5 + 新源 2; ordinary 泰岳 2.5 万星 1 恒通 1 天成 2.5 益民 1
    assert (g["key"]["customers"], g["key"]["hours"], g["ordinary"]["hours"], g["prospects"]["hours"]) == (
        3,
        11.0,
        8.0,
        7.5,
    )
    lint = {x["name"]: x["fails"] for x in r["plans"]["goal_lint"] if x["form"] == "monthly"}
    assert lint["周报按时率"] == ["individual"] and lint["销售额(万元)"] == []
    assert [x["goal"] for x in r["plans"]["weekly_goals"] if x["short"]] == []


def test_english_sample_gives_the_same_numbers(tmp_path, settings, settings_en):
    zh = process(SAMPLES / "east-2026-03.xlsx", tmp_path / "zh", settings, RunOptions(AS_OF)).results
    en = process(SAMPLES / "east-2026-03-en.xlsx", tmp_path / "en", settings_en, RunOptions(AS_OF)).results
    assert zh.receivables.summary == en.receivables.summary | {"behind": zh.receivables.summary["behind"]}
    assert zh.funnel.equals(en.funnel) and zh.pnl.summary == en.pnl.summary
    r = json.loads((tmp_path / "en" / "east-2026-03-en.report.json").read_text("utf-8"))
    assert all(i["message"].isascii() or "“" in i["message"] for i in r["issues"])


def test_unreadable_file_still_gets_a_report(tmp_path, settings):
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    outcome = process(bad, tmp_path / "out", settings, RunOptions(AS_OF))
    r = json.loads((tmp_path / "out" / "broken.report.json").read_text("utf-8"))
    assert r["forms"] == {} and r["issues"][0]["severity"] == "error" and outcome.errors
    assert bad.read_bytes() == b"PK\x03\x04 not really a zip"  # the input is never touched


def test_an_error_in_one_form_leaves_the_others(tmp_path, settings):
    path = tmp_path / "mixed.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("应收帐款规划表")  # titled, but without the required 总欠款 column
    for c, h in enumerate(["客户", "产品", "一月计划", "一月实收"]):
        ws.write(0, c, h)
    ws.write_row(1, 0, ["朗通", "产品A", 100, 90])
    ws = wb.add_worksheet("预期损益表")  # the course's three header levels: group, line, measure
    ws.merge_range(0, 0, 2, 0, "时间")
    ws.merge_range(0, 1, 0, 2, "收入项")
    ws.merge_range(1, 1, 1, 2, "产品A")
    ws.write_row(2, 1, ["计划", "实际"])
    ws.write_row(3, 0, ["一月", 100, 120])
    wb.close()
    outcome = process(path, tmp_path / "out", settings, RunOptions(AS_OF))
    r = json.loads((tmp_path / "out" / "mixed.report.json").read_text("utf-8"))
    assert [i["code"] for i in r["issues"] if i["severity"] == "error"] == ["missing_column"]
    assert r["receivables"] is None and r["pnl"] is not None and outcome.errors


def test_cli_process_exit_codes(tmp_path):
    runner = CliRunner()
    ok = runner.invoke(
        main, ["process", str(SAMPLES / "form-pnl.xlsx"), "--out", str(tmp_path), "--as-of", "2026-03-31"]
    )
    assert ok.exit_code == 0 and (tmp_path / "form-pnl.report.json").exists()
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook")
    assert runner.invoke(main, ["process", str(bad), "--out", str(tmp_path)]).exit_code == 1
    assert (
        runner.invoke(main, ["process", str(bad), "--out", str(tmp_path), "--as-of", "31/03/2026"]).exit_code
        == 2
    )
    assert runner.invoke(main, ["process", str(bad)]).exit_code == 2
    cfg = tmp_path / "bad.toml"
    cfg.write_text("[funnel]\nsize_ratio = 'x'\n")
    wrong = runner.invoke(main, ["process", str(bad), "--out", str(tmp_path), "--config", str(cfg)])
    assert wrong.exit_code == 2 and "funnel.size_ratio" in wrong.output


def test_config_changes_the_result(tmp_path, settings):
    from kamxl.config import load_settings

    cfg = tmp_path / "strict.toml"
    cfg.write_text("[receivables]\nbehind = 0.5\n[health]\nmin_open = 20\n")
    outcome = process(SAMPLES / "east-2026-03.xlsx", tmp_path, load_settings(cfg), RunOptions(AS_OF))
    # with a 50 % bar only 万星 (29 %) and 瑞丰 (33 %) are behind; 13 open < 20 → sparse
    assert outcome.results.receivables.summary["behind"] == ["万星", "瑞丰"]
    assert outcome.results.health == ("poor", "sparse")


def test_a_failing_calculation_costs_only_its_form(tmp_path, settings, monkeypatch):
    import kamxl.calc.pnl

    def boom(*args, **kwargs):
        raise ZeroDivisionError("simulated bug")

    monkeypatch.setattr(kamxl.calc.pnl, "analyse", boom)
    outcome = process(SAMPLES / "east-2026-03.xlsx", tmp_path, settings, RunOptions(AS_OF))
    r = json.loads((tmp_path / "east-2026-03.report.json").read_text("utf-8"))
    failed = [i for i in r["issues"] if i["code"] == "calculation_failed"]
    assert (
        len(failed) == 1 and "预期损益表" in failed[0]["message"] and "simulated bug" in failed[0]["message"]
    )
    assert r["pnl"] is None and r["receivables"]["actual"] == 806000.0 and r["funnel"]["counts"]["A"] == 4
    assert outcome.errors
    with pytest.raises(ZeroDivisionError):
        process(SAMPLES / "east-2026-03.xlsx", tmp_path, settings, RunOptions(AS_OF, strict=True))


def test_derived_funnel_from_a_real_sheet(tmp_path, settings):
    """Amount ÷ target and close dates (Excel dates, ISO and Chinese text) through reader and engine."""
    path = tmp_path / "opps.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("商机")
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(
        0,
        0,
        [
            "客户",
            "负责人",
            "客户吸引力",
            "我们的优势",
            "项目金额",
            "考核目标",
            "预计成交日期",
            "订单量",
            "成交可能性",
        ],
    )
    ws.write_row(1, 0, ["朗通", "王伟", 4, 4, 300000, 250000])
    ws.write_datetime(1, 6, dt.datetime(2026, 3, 20), date)  # 1.2 → 超额; March → 本月内 → 10.0 A
    ws.write_row(
        2, 0, ["泰岳", "王伟", "高", "低", 80000, None, "2026-05-02"]
    )  # owner's target: 0.32 → 重要; Q2 → 更长期 → 7.0 B
    ws.write_row(
        3, 0, ["万星", "李娜", 2, 2, 5000, 100000, "2026年1月5日"]
    )  # 0.05 → 微小; overdue → 本月内 (warned) → 7.0 B
    ws.write_row(4, 0, ["华信", "李娜", 3, 3, None, None, None, 5.1, 1.9])  # scores as numbers: 7.0 B
    ws.write_row(5, 0, ["远航", "张强", 2, 4, 40000])  # no target anywhere: warned, no class
    wb.close()
    process(path, tmp_path / "out", settings, RunOptions(AS_OF, strict=True))
    r = json.loads((tmp_path / "out" / "opps.report.json").read_text("utf-8"))
    c = by_name(r)
    assert [
        (c[n]["order_size"], c[n]["likelihood"], c[n]["class"]) for n in ("朗通", "泰岳", "万星", "华信")
    ] == [
        ("over", "this_month", "A"),
        ("major", "later", "B"),
        ("minor", "this_month", "B"),
        ("over", "intent", "B"),
    ]
    assert c["远航"]["class"] is None and c["泰岳"]["tier"] == 2 and c["朗通"]["priority"] == "P1"
    codes = sorted((i["code"], i["cell"]) for i in r["issues"])
    # no title or file name names a month, and a customer assessment has no actuals: the review date's
    assert codes == [
        ("no_order_size", "F6"),
        ("opportunity_overdue", "G4"),
        ("period_from_review_date", None),
    ]


def test_a_flood_of_one_issue_is_capped_and_counted(tmp_path, settings):
    """5,000 to-dos without a time: the first listed, the rest counted in one issue (report.json, xlsx)."""
    src = tmp_path / "todo.xlsx"
    wb = xlsxwriter.Workbook(src)
    ws = wb.add_worksheet("日工作待办单")
    ws.write_row(0, 0, ["日期", "类别", "工作内容", "完成情况"])
    for r in range(1, 5001):
        ws.write_row(r, 1, ["M2", f"拜访{r}", "完成"])
    wb.close()
    out = tmp_path / "out"
    process(src, out, settings, RunOptions(AS_OF, strict=True))
    report = json.loads((out / "todo.report.json").read_text("utf-8"))
    cap = settings.get("limits.max_cell_issues")
    codes = [i["code"] for i in report["issues"]]
    assert codes.count("no_hours") == cap
    more = [i for i in report["issues"] if i["code"] == "more_cell_issues" and "no_hours" in i["message"]]
    assert len(more) == 1 and str(5000 - cap) in more[0]["message"]
    assert report["time"]["tasks"] == 5000


def _february_customers(path, close_date: dt.date | None) -> None:
    """A customer assessment titled for February 2026 with no calendar form."""
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("客户价值评估")
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write(0, 0, "客户价值评估与商机 — 华东区 2026年2月")
    for col, header in enumerate(["客户", "负责人", "订单量", "成交可能性", "项目金额", "预计成交日期"]):
        sheet.write(2, col, header)
    sheet.write_row(3, 0, ["朗通", "王伟", "超额", "本月内", 320000])
    if close_date is not None:
        sheet.write_datetime(3, 5, dt.datetime.combine(close_date, dt.time()), dates)
    book.close()


@pytest.mark.parametrize("close_date", [dt.date(2026, 3, 20), dt.date(2026, 2, 20), None])
def test_the_month_a_title_names_beats_the_review_date(tmp_path, settings, close_date):
    """Titled 2026年2月, reviewed in March: filed under February whatever its close dates."""
    path = tmp_path / "east.xlsx"
    _february_customers(path, close_date)
    outcome = process(
        path, tmp_path / "out", settings, RunOptions(dt.date(2026, 3, 25), history=tmp_path / "h.sqlite")
    )
    assert outcome.results is not None and outcome.results.period is not None
    assert (str(outcome.results.period), outcome.results.period.source) == ("2026-02", "title")
    assert outcome.filed is not None and outcome.filed.period == "2026-02"
    calendar = outcome.results.calendar
    assert calendar is None or (calendar["year"], calendar["month"], calendar["source"]) == (2026, 2, "title")


@pytest.mark.parametrize(
    "as_of, period, code",
    [
        # actuals January–February 2026, reviewed in November: February's review, not November's
        (dt.date(2026, 11, 27), "2026-02", "period_from_last_actuals"),
        # reviewed on 31 January: February's actuals have not happened yet
        (dt.date(2026, 1, 31), "2026-01", "period_from_last_actuals"),
        # reviewed before any actual: only the review date is left
        (dt.date(2025, 12, 15), "2025-12", "period_from_review_date"),
    ],
)
def test_a_workbook_naming_no_month_is_the_month_of_its_last_actuals(tmp_path, settings, as_of, period, code):
    """A receivables plan titled only "2026" over a P&L (tests/read/test_several_tables.py): its month is
    its last month with actuals, and an info issue says it was assumed and how to write it."""
    from tests.read.test_several_tables import _stacked

    path, _ = _stacked(tmp_path / "book.xlsx")
    out = tmp_path / "out"
    outcome = process(path, out, settings, RunOptions(as_of, history=tmp_path / "h.sqlite"))
    assert outcome.results is not None and str(outcome.results.period) == period
    assert outcome.filed is not None and outcome.filed.period == period
    [issue] = [i for i in outcome.results.issues if i.code.startswith("period_from_")]
    assert (issue.code, issue.severity.value, issue.params["period"]) == (code, "info", period)
    assert issue.params["file"] == f"book-{period}.xlsx"
    report = json.loads((out / "book.report.json").read_text("utf-8"))
    assert report["history"]["period"] == period
    assert [i["code"] for i in report["issues"] if i["code"].startswith("period_from_")] == [code]
