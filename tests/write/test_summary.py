"""The review summary: its sections and figures, text safety, and the HTML as headless Chromium sees it."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
import xlsxwriter

from kamxl.config import load_settings
from kamxl.pipeline import RunOptions, process
from kamxl.write import svg
from kamxl.write.summary import md_cell, money, pct
from tests.conftest import SAMPLES

AS_OF = dt.date(2026, 3, 31)
SECTIONS_ZH = [
    "待决事项与风险",
    "计划摘要",
    "漏斗与健康度",
    "客户策略",
    "应收",
    "损益",
    "活动",
    "时间管理",
    "问题清单",
]
SECTIONS_EN = [
    "Decisions and risks",
    "Plan summary",
    "Funnel and health",
    "Customer strategy",
    "Receivables",
    "Profit and loss",
    "Activities",
    "Time management",
    "Issues",
]


@pytest.fixture(scope="module")
def march(tmp_path_factory, settings):
    out = tmp_path_factory.mktemp("summary")
    outcome = process(SAMPLES / "east-2026-03.xlsx", out, settings, RunOptions(AS_OF, strict=True))
    return out, outcome


def test_process_writes_both_summaries(march):
    out, outcome = march
    names = sorted(p.name for p in outcome.outputs)
    assert names == [
        "east-2026-03.kamxl.xlsx",
        "east-2026-03.report.json",
        "east-2026-03.summary.html",
        "east-2026-03.summary.md",
    ]
    assert not list(out.glob("*.part"))


def test_markdown_sections_in_the_course_order(march):
    md = (march[0] / "east-2026-03.summary.md").read_text("utf-8")
    headings = re.findall(r"^## \d\. (.+)$", md, re.M)
    assert headings == SECTIONS_ZH


def test_markdown_blocks_are_apart(march):
    """A heading, and the line counting the decisions left out, each follow a blank line: otherwise Markdown
    reads the line as part of the list item above it."""
    lines = (march[0] / "east-2026-03.summary.md").read_text("utf-8").splitlines()
    starts = [n for n, line in enumerate(lines) if line.startswith("## ") or line.startswith("另有 ")]
    assert len(starts) > 3 and all(lines[n - 1] == "" for n in starts)


def test_markdown_figures_match_the_report(march):
    out, _ = march
    md = (out / "east-2026-03.summary.md").read_text("utf-8")
    report = json.loads((out / "east-2026-03.report.json").read_text("utf-8"))
    # hand-checked in tests/test_process.py: collected 806,000 of 889,500 planned to March
    assert "| 回款 | 889,500 | 806,000 | −83,500 | −9.4% |" in md
    # customers behind on all their lines together: not 朗通 (产品B 88 %, 96.7 % in all)
    assert "回款率 90.6%(截至 3 月),未收余额 2,844,000;4 个客户回款落后。" in md
    behind = md[md.index("### 回款落后的客户") : md.index("### 按月")]
    customers = re.findall(r"^\| (\S+) \| 产品[AB]", behind, re.M)
    assert customers == ["海川", "万星", "新源", "瑞丰"]  # the largest shortfall first: 31,000 … 10,000
    assert "| 海川 | 产品B | 90,000 | 59,000 | 65.6% | 361,000 |" in behind
    # the top 20% of 11 customers is 3 (华信 900k, 朗通 840k, 海川 420k) of 3,650,000 owed: 59.2%;
    # 3 of 11 is 27.3% of the customers, and they are the 11 the receivables plan owes (not the 14 tiered)
    assert "- 在 11 个有欠款的客户中,欠款最多的 3 个(占客户数的 27.3%)合计占欠款总额的 59.2%。" in md
    assert report["contribution"]["customers"]["top_share"] == pytest.approx(
        (900_000 + 840_000 + 420_000) / 3_650_000
    )
    # the funnel rows and total
    assert "| A类 | 4 | 30.8% | 1,350,000 | 1,215,000 |" in md
    assert "| **合计** | **13** | | **2,260,000** | **1,625,000** |" in md
    # revenue to March: 585,000 + 598,000 + 635,000 against 3 × 600,000; March up 6.2% on February
    assert "| 收入 | 1,800,000 | 1,818,000 | +18,000 | +1.0% |" in md
    assert f"| 本月收入 | 635,000 | 598,000 | ▲ {635_000 / 598_000 - 1:.1%} |" in md
    # the decisions first, each with the input cell it comes from; the rest counted
    decisions = md[md.index("## 1.") : md.index("## 2.")]
    assert (
        "1. **高** · 一级客户新源回款落后:截至本期计划 33,000,实收 22,000(回款率 66.7%),少收 11,000。"
        in decisions
    )
    assert "(应收帐款规划表 A15)" in decisions
    # a customer's decisions on one line, as on the dashboard: 海川 2 — the first 5 lines hold 6 (朗通, at
    # 96.7 % as a customer, is no late payer: only its slipped deal)
    assert "(客户价值评估 R17, Q17)" in decisions and decisions.count("海川 / 堆场管理") == 2
    # the rest: the report workbook's 问题 sheet lists them all (a manager does not open report.json)
    more = len(report["decisions"]) - 6
    assert f"另有 {more} 项,见报告工作簿 east-2026-03.kamxl.xlsx 的“问题”工作表" in decisions
    assert "report.json" not in decisions
    # over two products "the top 1 holds 70.8 %" is noise: no sentence under contribution.sentence_min_names
    assert "个有实际收入的产品中" not in md
    # no rows of months to come: the months with actuals only
    assert "| 三月 | 296,500 | 276,000 | 90.6% |" in md and "| 四月 |" not in md
    # every customer behind is listed (as a customer, report.json's behind_customers), every issue too
    for name in report["receivables"]["behind_customers"]:
        assert re.search(rf"^\| {name} \| 产品[AB] \|", md, re.M), name
    listed = md.count("| 警告 | ") + md.count("| 提示 | ")  # the warnings and the info (no due dates)
    assert listed == len(report["issues"]) and "plan_short" not in md


def test_english_summary(tmp_path):
    settings = load_settings(lang="en")
    process(SAMPLES / "east-2026-03-en.xlsx", tmp_path, settings, RunOptions(AS_OF, strict=True))
    md = (tmp_path / "east-2026-03-en.summary.md").read_text("utf-8")
    assert re.findall(r"^## \d\. (.+)$", md, re.M) == SECTIONS_EN
    # the input's customer names stay as written (the P1 plans name customers and owners: left out);
    # every label kamxl writes (headings, table headers, sentences) is English
    lines = md.splitlines()
    headers = [lines[i - 1] for i, line in enumerate(lines) if line.startswith("|---")]
    labels = [line for line in lines if line.startswith(("#", "- ")) and " — owner: " not in line] + headers
    assert len(headers) >= 6
    assert [x for x in labels if re.search(r"[\u3400-\u9fff]", x)] == []
    # real plurals and month names, no "customer(s)" nor "month 3"
    assert "Collection rate 90.6% (to March), outstanding 2,844,000; 4 customers behind on collections." in md
    assert re.search(r"^- 0 errors and \d+ warnings were found; see the issues\.$", md, re.M)
    assert "(s)" not in md and "to month" not in md
    html = (tmp_path / "east-2026-03-en.summary.html").read_text("utf-8")
    assert '<html lang="en">' in html
    assert [x for x in re.findall(r"<th[^>]*>([^<]*)</th>", html) if re.search(r"[\u3400-\u9fff]", x)] == []


@pytest.mark.parametrize(
    "name", ["form-pnl.xlsx", "form-todo.xlsx", "form-calendar.xlsx", "form-worklog.xlsx"]
)
def test_a_single_form_still_gives_every_section(tmp_path, settings, name):
    process(SAMPLES / name, tmp_path, settings, RunOptions(AS_OF, strict=True))
    md = (tmp_path / name.replace(".xlsx", ".summary.md")).read_text("utf-8")
    assert re.findall(r"^## \d\. (.+)$", md, re.M) == SECTIONS_ZH
    assert "工作簿中没有这部分的表单。" in md


def _evil_workbook(path):
    wb = xlsxwriter.Workbook(path, {"strings_to_formulas": False})
    ws = wb.add_worksheet("客户")
    ws.write_row(0, 0, ["客户", "负责人", "订单量", "成交可能性", "项目金额", "客户吸引力", "我们的优势"])
    ws.write_row(1, 0, ["<script>alert(1)</script>", "a|b", "超额", "本月内", 100, 4, 4])
    ws.write_row(
        2,
        0,
        ["**粗体** [链接](http://evil.example)", "<img src=x onerror=alert(2)>", "重要", "有意向", 50, 2, 2],
    )
    wb.close()


def test_input_text_is_escaped(tmp_path, settings):
    _evil_workbook(tmp_path / "evil.xlsx")
    process(tmp_path / "evil.xlsx", tmp_path, settings, RunOptions(AS_OF, strict=True))
    html = (tmp_path / "evil.summary.html").read_text("utf-8")
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    md = (tmp_path / "evil.summary.md").read_text("utf-8")
    assert "<script>" not in md and "[链接](http" not in md
    assert "\\<script\\>alert(1)\\</script\\>" in md
    # a pipe in the input cannot add a column to a Markdown table
    for line in md.splitlines():
        if line.startswith("| ") and "script" in line:  # the tier table: tier, count, customers
            assert len(re.findall(r"(?<!\\)\|", line)) == 4


def test_html_is_well_formed_and_self_contained(march):
    html = (march[0] / "east-2026-03.summary.html").read_text("utf-8")
    stack: list[str] = []
    void = {"meta", "br", "img", "hr", "link", "input", "circle", "line", "rect", "polyline", "polygon"}

    class Check(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag not in void:
                stack.append(tag)
            for k, v in attrs:
                assert not (k in ("src", "href") and v and not v.startswith("#")), (
                    f"external reference {k}={v}"
                )

        def handle_startendtag(self, tag, attrs):
            pass

        def handle_endtag(self, tag):
            if tag in void:
                return
            assert stack and stack[-1] == tag, f"</{tag}> closes <{stack[-1] if stack else None}>"
            stack.pop()

    Check().feed(html)
    assert stack == []
    assert "<script" not in html and "@import" not in html and "url(" not in html
    # the funnel, collections by month, time per customer group: the rest is in the workbook
    assert len(re.findall(r"<svg ", html)) == 3
    assert [m for m in re.findall(r'<section id="(\w+)"', html)] == [
        "decisions",
        "plan",
        "funnel",
        "strategy",
        "receivables",
        "pnl",
        "activities",
        "time",
        "issues",
    ]


def test_svg_charts_are_valid_xml_and_escape_labels():
    chart = svg.hbars("t<", [("<b>&", 3.0, "3"), ("x", 1.0, "1")])
    root = ET.fromstring(str(chart))
    assert root.tag.endswith("svg") and root.find("{http://www.w3.org/2000/svg}title").text == "t<"
    assert "<b>" not in str(chart)
    for chart in (
        svg.columns("c", ["1", "2"], [("p", [1.0, None], "#000")], line=("r", [0.5, None], "#f00")),
        svg.funnel("f", [("D", 2, "2"), ("A", 0, "0")]),
        svg.scatter(
            "s", [(4.0, 2.0, "甲", 3), (9.0, 0.0, "out of range", 1)], 3.0, "x", "y", {(True, True): "1"}
        ),
    ):
        ET.fromstring(str(chart))


@pytest.mark.parametrize(
    "value, top, step",
    [
        (0, 1.0, 0.25),
        (3.2, 4.0, 1.0),
        (296_500, 300_000, 100_000),
        (66_500, 80_000, 20_000),
        (1.0, 1.0, 0.25),
    ],
)
def test_axis_maximum(value, top, step):
    assert svg.nice_max(value) == (pytest.approx(top), pytest.approx(step))


@pytest.mark.parametrize(
    "value, text",
    [(1234567, "1,234,567"), (-15000, "−15,000"), (0.5, "0.50"), (None, "—"), (float("nan"), "—")],
)
def test_money(value, text):
    assert money(value) == text


def test_signed_and_percent():
    assert money(18000, signed=True) == "+18,000" and pct(-0.025, signed=True) == "−2.5%" and pct(None) == "—"
    assert md_cell("a|b\nc*d") == "a\\|b c\\*d"


def test_user_templates_override_the_shipped_ones(tmp_path):
    own = tmp_path / "tpl"
    own.mkdir()
    (own / "summary.md.j2").write_text("# {{ title }} — {{ funnel.open }} open\n", "utf-8")
    config = tmp_path / "kamxl.toml"
    config.write_text(f'[summary]\ntemplate_dir = "{own.as_posix()}"\n', "utf-8")
    settings = load_settings(config)
    process(SAMPLES / "east-2026-03.xlsx", tmp_path / "out", settings, RunOptions(AS_OF, strict=True))
    assert (tmp_path / "out" / "east-2026-03.summary.md").read_text(
        "utf-8"
    ) == "# 华东区 · 2026 年 3 月评审摘要 — 13 open\n"
    assert "<section" in (tmp_path / "out" / "east-2026-03.summary.html").read_text(
        "utf-8"
    )  # the shipped HTML still serves


# ------------------------------------------------------------- Chromium ---
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str | None:
    exe = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is required in CI (.ci/run installs the Debian package chromium)")
        pytest.skip("Chromium is not installed")
    pytest.importorskip("playwright.sync_api")
    return exe


@pytest.mark.slow
@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("name, lang", [("east-2026-03.xlsx", "zh"), ("east-2026-03-en.xlsx", "en")])
def test_html_loads_in_headless_chromium(tmp_path, name, lang, width):
    exe = _chromium()
    from playwright.sync_api import sync_playwright

    process(SAMPLES / name, tmp_path, load_settings(lang=lang), RunOptions(AS_OF, strict=True))
    page_file = tmp_path / name.replace(".xlsx", ".summary.html")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            problems, requests = [], []
            page.on(
                "console",
                lambda m: (
                    problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None
                ),
            )
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
            page.on("request", lambda r: requests.append(r.url))
            response = page.goto(page_file.as_uri(), wait_until="load")
            assert response is None or response.ok
            assert problems == []
            assert requests == [page_file.as_uri()], "the summary fetches nothing"
            # every section and chart is there and drawn
            assert page.locator("section h2").count() == 9
            charts = page.locator("svg.chart")
            boxes = [charts.nth(i).bounding_box() for i in range(charts.count())]
            # the funnel, collections by month, and time per group where there is a to-do list
            assert len(boxes) == page_file.read_text("utf-8").count("<svg ") >= 2
            assert all(b and b["width"] > min(300, width * 0.8) and b["height"] > 40 for b in boxes), boxes
            # on a phone the page does not scroll sideways (wide tables scroll inside their own box)
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            # and it prints: A4 pages, a sensible number of them
            pdf = page.pdf(format="A4", print_background=True)
            pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
            assert 3 <= pages <= 20, pages
        finally:
            browser.close()


def test_summary_shows_the_months_before(tmp_path, settings):
    for name, day in (
        ("east-2026-01.xlsx", dt.date(2026, 1, 31)),
        ("east-2026-02.xlsx", dt.date(2026, 2, 28)),
        ("east-2026-03.xlsx", AS_OF),
    ):
        process(
            SAMPLES / name, tmp_path, settings, RunOptions(day, strict=True, history=tmp_path / "h.sqlite")
        )
    md = (tmp_path / "east-2026-03.summary.md").read_text("utf-8")
    # this month against last month, the rate and the grade from the history (February: 89.4 %, 优)
    assert "| 回款率(累计) | 90.6% | 89.4% | ▲ 1.2 个百分点 |" in md
    assert "| 加权商机金额 | 1,625,000 | 1,591,000 | ▲ 2.1% |" in md
    # each month's grade qualified by its rule: February's 优 was judged without enough history
    assert "| 漏斗健康度 | 良(有停滞,需推动) | 优(未判断停滞) |  |" in md
    assert "与 2026-02 相比:上升 2、下降 1、持平 9、新增 1、赢单 1" in md
    assert "**停滞的商机(4 个,占 C、D 类的 66.7%)**" in md
    # stuck in C for three reviews with a price cut in the tier-2 playbook: a decision each
    report = json.loads((tmp_path / "east-2026-03.report.json").read_text("utf-8"))
    stuck = [d["evidence"]["customer"] for d in report["decisions"] if d["kind"] == "stuck_price_cut"]
    assert sorted(stuck) == ["万星", "恒通"]
    html = (tmp_path / "east-2026-03.summary.html").read_text("utf-8")
    assert html.count("<svg ") == 3


def test_outputs_are_readable_by_others_as_the_umask_says(march):
    import os
    import stat

    mask = os.umask(0)
    os.umask(mask)
    for path in march[1].outputs:
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask, path.name


def test_a_crowded_tier_lists_names_thirty(tmp_path, settings):
    wb = xlsxwriter.Workbook(tmp_path / "many.xlsx")
    ws = wb.add_worksheet("客户")
    ws.write_row(0, 0, ["客户", "负责人", "客户吸引力", "我们的优势", "订单量", "成交可能性", "项目金额"])
    for i in range(80):
        ws.write_row(1 + i, 0, [f"客户{i:03d}", "王伟", 1 + (i % 5), 1 + (i * 7 % 5), "重要", "本月内", 1000])
    wb.close()
    process(tmp_path / "many.xlsx", tmp_path, settings, RunOptions(AS_OF, strict=True))
    html = (tmp_path / "many.summary.html").read_text("utf-8")
    assert "<circle" not in html  # the tier matrix is the workbook's, not the summary's
    md = (tmp_path / "many.summary.md").read_text("utf-8")
    crowded = [
        line
        for line in md.splitlines()
        if line.startswith("| 一级")
        or line.startswith("| 二级")
        or line.startswith("| 三级")
        or line.startswith("| 四级")
    ]
    # at most 30 names per tier, then how many more
    assert all(line.split(" | ")[2].count("、") <= 30 for line in crowded)
    assert any("其他" in line.split(" | ")[2] for line in crowded)


@pytest.mark.parametrize(
    "rest,widths,breaks",
    [
        (
            True,
            (1.0, 0.5, 1.0),
            2,
        ),  # the others row is cut at the edge, with a break; the named ones keep their scale
        (False, (0.01, 0.005, 1.0), 0),  # an ordinary row sets the scale like any other
    ],
)
def test_the_others_bar_does_not_flatten_the_named_ones(rest, widths, breaks):
    from kamxl.write import svg

    chart = svg.hbars("t", [("甲", 10.0, "10"), ("乙", 5.0, "5"), ("其他", 1000.0, "1000")], rest=rest)
    found = [float(w) for w in re.findall(r'<rect x="[0-9.]+" y="[0-9.]+" width="([0-9.]+)"', chart)]
    assert [w / max(found) for w in found] == pytest.approx(widths, abs=0.002)
    assert chart.count('stroke="#fff"') == breaks


def test_a_tiny_share_is_not_shown_as_zero():
    assert (pct(0.0004), pct(0.0), pct(0.0005), pct(-0.0001)) == ("<0.1%", "0.0%", "0.1%", "−<0.1%")


def test_the_charts_colours_come_from_the_settings(march, tmp_path):
    """[charts.summary] colours the SVG charts: a user's file changes them."""
    from kamxl.write.summary import render_summary

    _, outcome = march
    config = tmp_path / "colours.toml"
    config.write_text(
        "[charts.summary]\nactual = '#abcdef'\n[charts.colours]\n"
        "classes = { A = '#000001', B = '#000002', C = '#000003', D = '#000004' }\n",
        "utf-8",
    )
    shipped = render_summary(outcome.results, load_settings(), "html")
    mine = render_summary(outcome.results, load_settings(config), "html")
    assert 'fill="#abcdef"' not in shipped and 'fill="#abcdef"' in mine
    assert 'fill="#000001"' in mine and 'fill="#000004"' in mine and 'fill="#000001"' not in shipped


def test_the_summary_draws_in_the_workbooks_colours(settings):
    """Tiers and funnel classes in [charts.colours], the workbook's: one colour per tier everywhere."""
    from kamxl.write.summary import _palette

    palette = _palette(settings)
    assert palette["tiers"] == [colour.lower() for colour in settings.get("charts.colours.tiers")]
    assert palette["funnel"] == [settings.get(f"charts.colours.classes.{k}").lower() for k in "ABCD"]


def test_the_funnel_is_drawn_a_at_the_top_as_wide_as_its_counts():
    """A at the top, D at the bottom; each band's width in proportion to its count: the sample's C (4) is
    as wide as A (4) and wider than B (3), D (2) half of A; a class with no opportunity has no band."""
    chart = svg.funnel("t", [("A类", 4, "4"), ("B类", 3, "3"), ("C类", 4, "4"), ("D类", 2, "2")])
    bands = re.findall(r'<polygon points="([0-9.]+),([0-9.]+) ([0-9.]+),[0-9.]+ ', chart)
    tops = [float(y) for _, y, _ in bands]
    widths = [float(right) - float(left) for left, _, right in bands]
    assert tops == sorted(tops)
    assert widths == pytest.approx([260, 195, 260, 130])
    empty = svg.funnel("t", [("A类", 0, "0"), ("B类", 2, "2"), ("C类", 0, "0"), ("D类", 1, "1")])
    assert len(re.findall("<polygon", empty)) == 2
    labels = re.findall(r">([A-D]类)<", chart)
    assert labels == ["A类", "B类", "C类", "D类"]


def test_the_p1_list_says_who_does_what_by_when(march):
    """As the 行动 sheet (words.action_plan): each P1 opportunity's owner, close date and next step."""
    out, _ = march
    md = (out / "east-2026-03.summary.md").read_text("utf-8")
    html = (out / "east-2026-03.summary.html").read_text("utf-8")
    plan = "华信 / 数据中心 — 负责人:李娜;预计成交:未指定(成交可能性:本月内);下一步:未指定"
    assert f"- {plan}" in md and f"<li>{plan}</li>" in html


@pytest.mark.parametrize("minimum, said", [(2, True), (3, False)])
def test_the_top_share_sentence_needs_enough_names(tmp_path, minimum, said):
    """Two products (the sample's P&L lines): said from a minimum of 2, not from 3 — the setting decides."""
    from kamxl.read import read_workbook
    from kamxl.results import build_results
    from kamxl.write.summary import summary_context

    config = tmp_path / "names.toml"
    config.write_text(f"[contribution]\nsentence_min_names = {minimum}\n", "utf-8")
    settings = load_settings(config)
    results = build_results(read_workbook(SAMPLES / "east-2026-03.xlsx", settings), settings, AS_OF)
    products = summary_context(results, settings)["contribution"]["products"]
    assert (products["sentence"] is not None) == said
    assert products["rows"]  # the table is shown either way
