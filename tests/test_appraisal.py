"""The HR appraisal export: forms per employee, the overview, appraisal.json, errors per employee, PDF,
split files."""

from __future__ import annotations

import datetime as dt
import json
import subprocess

import openpyxl
import pytest
import xlsxwriter

from kamxl.hr import export_appraisal
from kamxl.pipeline import RunOptions, process
from kamxl.write.appraisal_files import safe_file_part
from kamxl.write.pdf import to_pdf
from tests.conftest import SAMPLES
from tests.write.libreoffice import convert, formula_cells, require, same

HEAD = [
    "员工",
    "工号",
    "部门",
    "考核期间",
    "指标",
    "指标类别",
    "目标",
    "实际",
    "权重",
    "方向",
    "能力",
    "意愿",
]


def export(path, rows):
    wb = xlsxwriter.Workbook(path, {"strings_to_numbers": False})
    ws = wb.add_worksheet("考核导出")
    ws.write_row(0, 0, HEAD)
    for i, row in enumerate(rows, start=1):
        for c, v in enumerate(row):
            if isinstance(v, str):
                ws.write_string(i, c, v)
            elif v is not None:
                ws.write_number(i, c, v)
    wb.close()
    return path


@pytest.fixture(scope="module")
def sample(tmp_path_factory, settings):
    out = tmp_path_factory.mktemp("appraisal")
    outcome = export_appraisal(SAMPLES / "hr-appraisal-2026q1.xlsx", out, settings)
    return out, outcome


def test_scores_grades_and_quadrants_by_hand(sample):
    out, _ = sample
    people = {
        e["employee"]: e
        for e in json.loads((out / "hr-appraisal-2026q1.appraisal.json").read_text("utf-8"))["employees"]
    }
    # 王伟: 销售额 1.15 × 40 % → 46; 回款率 0.97 / 0.95 × 20 % → 20.42; 新客户数 12 / 10 = 1.2 × 15 % → 18;
    # 客户投诉 (less is better) 5 / 2 = 2.5, capped at 1.2 × 10 % → 12; 报告及时率 1.0 × 15 % → 15
    wang = 115 * 0.4 + 0.97 / 0.95 * 100 * 0.2 + 120 * 0.15 + 120 * 0.1 + 100 * 0.15
    assert people["王伟"]["weighted_score"] == pytest.approx(wang)
    assert (people["王伟"]["grade"], people["王伟"]["quadrant"]) == ("A", "delegate")
    assert {n: (p["grade"], p["quadrant"]) for n, p in people.items()} == {
        "王伟": ("A", "delegate"),
        "李娜": ("A", "delegate"),
        "张强": ("B", "motivate"),
        "刘洋": ("B", "train"),
        "周杰": ("E", "direct"),
    }
    assert all(
        set(p) >= {"employee", "employee_id", "department", "weighted_score", "grade", "quadrant", "issues"}
        for p in people.values()
    )


def test_workbook_has_the_overview_and_a_form_each(sample, settings):
    out, outcome = sample
    wb = openpyxl.load_workbook(out / "hr-appraisal-2026q1.appraisal.xlsx")
    assert wb.sheetnames == ["总览", "王伟 E001", "李娜 E002", "张强 E003", "刘洋 E004", "周杰 E005"]
    form, values = (
        wb["王伟 E001"],
        openpyxl.load_workbook(out / "hr-appraisal-2026q1.appraisal.xlsx", data_only=True)["王伟 E001"],
    )
    texts = [c.value for row in form.iter_rows() for c in row if isinstance(c.value, str)]
    for label in ("财务类", "市场类", "形象类", "管理类", "员工签字", "主管签字", "日期", "评语"):
        assert label in texts, label
    formulas = [
        (c.coordinate, c.value)
        for row in form.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=")
    ]
    assert any("MIN(1.2," in f for _, f in formulas), "attainment capped at appraisal.cap"
    total = next(c for c, f in formulas if f.startswith("=SUM(I"))
    assert values[total].value == pytest.approx(outcome.employees[0]["weighted_score"])
    # fit to one page (1 × 1 is the default, so the file only says "fit to page")
    assert (
        form.sheet_properties.pageSetUpPr.fitToPage
        and form.page_setup.fitToWidth in (None, 1)
        and form.page_setup.fitToHeight in (None, 1)
    )
    assert form.page_setup.orientation == "portrait"
    overview = openpyxl.load_workbook(out / "hr-appraisal-2026q1.appraisal.xlsx", data_only=True)["总览"]
    ranked = [overview.cell(r, 1).value for r in range(5, 10)]
    assert ranked == ["王伟", "李娜", "张强", "刘洋", "周杰"]  # sorted by weighted total


@pytest.mark.slow
def test_formulas_equal_libreoffice(sample, tmp_path):
    require()
    book = sample[0] / "hr-appraisal-2026q1.appraisal.xlsx"
    cached = openpyxl.load_workbook(book, data_only=True)
    lo = openpyxl.load_workbook(convert(book, tmp_path), data_only=True)
    cells = formula_cells(book)
    assert len(cells) > 100
    for sheet, ref, _ in cells:
        assert same(cached[sheet][ref].value, lo[sheet][ref].value), (
            f"{sheet}!{ref}: {cached[sheet][ref].value!r} vs {lo[sheet][ref].value!r}"
        )


FULL_SIZE_WORD_PT = 9.6


def _median_word_height(pdf, page: int) -> float:
    """The median height of a page's words, in points: the cells' text times the print scale."""
    import re
    import statistics

    boxes = subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), "-bbox", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', boxes)
    return statistics.median(float(bottom) - float(top) for top, bottom in found)


@pytest.mark.slow
def test_pdf_has_one_employee_per_page(sample, tmp_path):
    require()
    out, _ = sample
    pdf = to_pdf(out / "hr-appraisal-2026q1.appraisal.xlsx", tmp_path)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    heads = [
        subprocess.run(
            ["pdftotext", "-f", str(p), "-l", str(p), "-layout", str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .splitlines()[0]
        for p in range(1, pages + 1)
    ]
    forms = [h for h in heads if "总览" not in h]
    # each form on its one page at 70 % or more: 10-point cells print 9.6 points tall at 100 % (measured)
    for page in (p for p, head in enumerate(heads, 1) if "总览" not in head):
        assert _median_word_height(pdf, page) >= 0.7 * FULL_SIZE_WORD_PT, page
    assert [next(n for n in ("王伟", "李娜", "张强", "刘洋", "周杰") if n in h) for h in forms] == [
        "王伟",
        "李娜",
        "张强",
        "刘洋",
        "周杰",
    ]


def test_weights_written_three_ways_and_employees_in_error(tmp_path, settings):
    rows = [
        # 甲: 40 / 0.4 / "40%" style weights, all accepted: 100 %
        ["甲", "A1", "一部", "2026Q1", "销售额", "财务类", 100, 110, 40, "越高越好", 4, 4],
        ["甲", "A1", "一部", "2026Q1", "回款", "财务类", 100, 90, 0.4, "越高越好", 4, 4],
        ["甲", "A1", "一部", "2026Q1", "投诉", "形象类", 10, 5, "20%", "越低越好", 4, 4],
        # 乙: weights add to 90 %
        ["乙", "B2", "一部", "2026Q1", "销售额", "财务类", 100, 100, 50, "越高越好", 2, 2],
        ["乙", "B2", "一部", "2026Q1", "回款", "财务类", 100, 100, 40, "越高越好", 2, 2],
        # 丙: no target
        ["丙", "C3", "二部", "2026Q1", "销售额", "财务类", None, 100, 100, "越高越好", 3, 2],
    ]
    path = export(tmp_path / "hr.xlsx", rows)
    outcome = export_appraisal(path, tmp_path / "out", settings)
    people = {e["employee"]: e for e in outcome.employees}
    # 甲: 110 × 0.4 + 90 × 0.4 + (10 / 5 = 2 → capped 1.2) 120 × 0.2 = 104 → A
    assert people["甲"]["weighted_score"] == pytest.approx(104.0) and people["甲"]["grade"] == "A"
    for name, code in (("乙", "appraisal_weights"), ("丙", "appraisal_no_target")):
        assert people[name]["weighted_score"] is None and people[name]["grade"] is None
        assert code in [i["code"] for i in people[name]["issues"]]
    wb = openpyxl.load_workbook(tmp_path / "out" / "hr.appraisal.xlsx")
    assert wb.sheetnames == ["总览", "甲 A1"]
    status = [wb["总览"].cell(r, 11).value for r in range(5, 8)]
    assert status[0] == "已生成考核表" and "90.0%" in status[1] and "没有目标" in status[2]


def test_split_file_names_are_safe_and_unique(tmp_path, settings):
    rows = [
        [name, eid, "一部", "2026Q1", "销售额", "财务类", 100, 100, 100, "越高越好", 3, 3]
        for name, eid in (("王/伟", "E:1"), ("王/伟", "E:2"), ("CON", None), ("李四.", "x"))
    ]
    outcome = export_appraisal(export(tmp_path / "hr.xlsx", rows), tmp_path / "out", settings, split=True)
    names = sorted(p.name for p in outcome.outputs)
    assert names == sorted(
        [
            "hr.王_伟_E_1.appraisal.xlsx",
            "hr.王_伟_E_2.appraisal.xlsx",
            "hr._CON.appraisal.xlsx",
            "hr.李四_x.appraisal.xlsx",
            "hr.appraisal.json",
        ]
    )
    assert all((tmp_path / "out" / n).is_file() for n in names)
    one = openpyxl.load_workbook(tmp_path / "out" / "hr.王_伟_E_1.appraisal.xlsx")
    assert one.sheetnames == ["王_伟 E_1"]


@pytest.mark.parametrize(
    "text, safe",
    [("a/b\\c", "a_b_c"), ("NUL", "_NUL"), ("com1.txt", "_com1.txt"), ("  . ", "_"), ("张三", "张三")],
)
def test_safe_file_part(text, safe):
    assert safe_file_part(text) == safe


def test_process_and_watch_turn_an_hr_export_into_forms(tmp_path, settings):
    outcome = process(
        SAMPLES / "hr-appraisal-2026q1.xlsx", tmp_path, settings, RunOptions(dt.date(2026, 3, 31))
    )
    names = sorted(p.name for p in outcome.outputs)
    assert names == [
        "hr-appraisal-2026q1.appraisal.json",
        "hr-appraisal-2026q1.appraisal.xlsx",
        "hr-appraisal-2026q1.report.json",
    ]


@pytest.mark.slow
def test_cli_exit_codes(tmp_path):
    import sys

    ok = subprocess.run(
        [
            sys.executable,
            "-m",
            "kamxl",
            "appraisal",
            str(SAMPLES / "hr-appraisal-2026q1.xlsx"),
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0 and "5 名员工:5 份考核表,0 人有错误" in ok.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "kamxl", "appraisal", str(SAMPLES / "form-pnl.xlsx"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1 and "没有考核表" in bad.stderr


def test_a_wide_export_gives_the_same_forms(tmp_path, settings):
    import openpyxl as ox

    wb = ox.Workbook()
    ws = wb.active
    ws.title = "考核"
    ws.append(["员工", "工号", "销售额", None, None, "回款率", None, None])
    ws.append([None, None, "目标", "实际", "权重", "目标", "实际", "权重"])
    ws.append(["王伟", "E001", 100, 95, "60%", 0.9, 0.99, 40])
    wb.save(tmp_path / "wide.xlsx")
    outcome = export_appraisal(tmp_path / "wide.xlsx", tmp_path / "out", settings)
    [wang] = outcome.employees
    # 95 × 60 % + (0.99 / 0.9 = 1.1) 110 × 40 % = 57 + 44 = 101 → A
    assert wang["weighted_score"] == pytest.approx(101.0) and wang["grade"] == "A"
    assert openpyxl.load_workbook(tmp_path / "out" / "wide.appraisal.xlsx").sheetnames == [
        "总览",
        "王伟 E001",
    ]


@pytest.mark.slow
def test_pdf_without_libreoffice_says_so(tmp_path):
    import sys
    from pathlib import Path

    env = {"PATH": str(Path(sys.executable).parent), "HOME": str(tmp_path)}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "kamxl",
            "appraisal",
            str(SAMPLES / "hr-appraisal-2026q1.xlsx"),
            "--out",
            str(tmp_path),
            "--pdf",
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0 and "未安装 LibreOffice" in result.stderr
    assert (tmp_path / "hr-appraisal-2026q1.appraisal.xlsx").is_file() and not list(tmp_path.glob("*.pdf"))


# ----------------------------------------------------- the printed form (issue 15) ---
def _form_texts(ws) -> list[str]:
    return [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


def _cell_right_of(ws, label: str):
    found = next(c for row in ws.iter_rows() for c in row if c.value == label)
    return ws.cell(found.row, found.column + 1)


def test_the_form_prints_its_grading_rule_from_the_settings(sample, tmp_path):
    from kamxl.config import load_settings

    form = openpyxl.load_workbook(sample[0] / "hr-appraisal-2026q1.appraisal.xlsx")["王伟 E001"]
    rule = (
        "评级规则(加权总分):≥ 90 为 A 优秀;≥ 80 为 B 良好;≥ 70 为 C 合格;≥ 60 为 D 待改进;"
        "低于 60 为 E 不合格。"
    )
    # 王伟's total is 111.42: the rule says a total over 100 is possible (attainment counts up to 120 %)
    assert rule + "达成率最高按 120% 计,加权总分可超过 100(最高 120)。" in _form_texts(form)
    config = tmp_path / "grades.toml"
    config.write_text("[appraisal]\ngrades = { A = 95.0, B = 85.0, C = 75.0, D = 65.0 }\n", "utf-8")
    export_appraisal(SAMPLES / "hr-appraisal-2026q1.xlsx", tmp_path / "out", load_settings(config))
    changed = openpyxl.load_workbook(tmp_path / "out" / "hr-appraisal-2026q1.appraisal.xlsx")["王伟 E001"]
    assert any(text.startswith("评级规则(加权总分):≥ 95 为 A 优秀;≥ 85") for text in _form_texts(changed))


def test_rates_print_as_percentages_and_the_total_with_two_decimals(sample):
    form = openpyxl.load_workbook(sample[0] / "hr-appraisal-2026q1.appraisal.xlsx")["王伟 E001"]
    rate = next(row for row in form.iter_rows() if row[1].value == "回款率")
    assert (rate[3].value, rate[3].number_format) == (0.95, "0.0%")
    assert (rate[4].value, rate[4].number_format) == (0.97, "0.0%")
    sales = next(row for row in form.iter_rows() if row[1].value == "销售额")
    assert sales[3].number_format == "#,##0"  # 1,000,000, not 1000000
    total = next(c for row in form.iter_rows() for c in row if str(c.value).startswith("=SUM(I"))
    assert total.number_format == "0.00"  # 111.42, not 111.421053


def test_the_form_has_reviewer_position_next_targets_and_an_improvement_plan(sample):
    form = openpyxl.load_workbook(sample[0] / "hr-appraisal-2026q1.appraisal.xlsx")["王伟 E001"]
    texts = _form_texts(form)
    for label in (
        "岗位",
        "考核人",
        "下期目标",
        "本期目标",
        "改进计划(改进项、措施、负责人、完成日期)",
        "评语",
    ):
        assert label in texts, label
    # the sample exports neither position nor reviewer: lines to fill in, open to typing
    for label in ("岗位", "考核人"):
        line = _cell_right_of(form, label)
        assert line.value is None and line.protection.locked is False
    # one line per indicator (this target printed, the next to fill in) and two blank ones
    head = next(c for row in form.iter_rows() for c in row if c.value == "本期目标")
    lines = [form.cell(head.row + k, 1).value for k in range(1, 8)]
    assert lines == ["销售额", "回款率", "新客户数", "客户投诉", "报告及时率", None, None]
    assert form.cell(head.row + 1, head.column).value == 1_000_000
    assert form.cell(head.row + 1, head.column + 1).protection.locked is False


def _export_with_position(tmp_path):
    wb = xlsxwriter.Workbook(tmp_path / "hr.xlsx")
    ws = wb.add_worksheet("考核导出")
    ws.write_row(0, 0, [*HEAD, "岗位", "考核人", "下期目标"])
    ws.write_row(1, 0, ["王伟", "E001", "一部", "2026Q1", "销售额", "财务类", 100, 100, 1, "越高越好", 4, 4])
    ws.write_row(1, 12, ["大客户主任", "刘总", 120])
    wb.close()
    return tmp_path / "hr.xlsx"


def _filled_in(form) -> None:
    assert _cell_right_of(form, "岗位").value == "大客户主任"
    assert _cell_right_of(form, "考核人").value == "刘总"
    head = next(c for row in form.iter_rows() for c in row if c.value == "本期目标")
    assert form.cell(head.row + 1, head.column + 1).value == 120


def test_position_reviewer_and_next_targets_of_the_table_fill_the_form_in(tmp_path, settings):
    """The appraisal's table with the three columns (as the reader gives them once it reads them)."""
    from kamxl.calc.appraisal import appraise
    from kamxl.read import read_workbook
    from kamxl.write.xlsx.appraisal_forms import write_appraisal_book

    table = read_workbook(_export_with_position(tmp_path), settings).table("appraisal").reset_index(drop=True)
    table = table.assign(position="大客户主任", reviewer="刘总", next_target=120.0)
    indicators, employees, _ = appraise(table, settings)
    write_appraisal_book(indicators, employees, tmp_path / "forms.xlsx", settings, "hr.xlsx")
    _filled_in(openpyxl.load_workbook(tmp_path / "forms.xlsx")["王伟 E001"])


def test_an_export_with_position_reviewer_and_next_targets_fills_them_in(tmp_path, settings):
    export_appraisal(_export_with_position(tmp_path), tmp_path / "out", settings)
    _filled_in(openpyxl.load_workbook(tmp_path / "out" / "hr.appraisal.xlsx")["王伟 E001"])


def test_formulas_are_protected_and_inputs_open_without_a_password(sample):
    form = openpyxl.load_workbook(sample[0] / "hr-appraisal-2026q1.appraisal.xlsx")["王伟 E001"]
    assert form.protection.sheet and not form.protection.password
    formulas = [c for row in form.iter_rows() for c in row if str(c.value).startswith("=")]
    assert formulas and all(c.protection.locked is not False for c in formulas)
    sales = next(row for row in form.iter_rows() if row[1].value == "销售额")
    assert all(sales[col].protection.locked is False for col in (3, 4, 5))  # target, actual, weight
    ability = _cell_right_of(form, "能力")
    assert isinstance(ability.value, (int, float)) and ability.protection.locked is False
    plan = next(c for row in form.iter_rows() for c in row if str(c.value).startswith("改进计划"))
    assert form.cell(plan.row + 1, 1).protection.locked is False  # the box to write in


def test_an_employees_form_carries_no_product_name(tmp_path, settings):
    outcome = export_appraisal(SAMPLES / "hr-appraisal-2026q1.xlsx", tmp_path, settings, split=True)
    book = next(path for path in outcome.outputs if path.name.endswith("王伟_E001.appraisal.xlsx"))
    wb = openpyxl.load_workbook(book)
    assert "kamxl" not in f"{wb.properties.creator} {wb.properties.description}".lower()
    form = wb.active
    printed = [form.oddHeader.left.text, form.oddHeader.center.text, form.oddHeader.right.text]
    printed += [form.oddFooter.left.text, form.oddFooter.center.text, form.oddFooter.right.text]
    assert not any("kamxl" in (text or "").lower() for text in printed)
    assert "王伟 E001" in (form.oddHeader.center.text or "") and "华东大客户部" in (
        form.oddHeader.left.text or ""
    )


def test_the_matrix_names_each_employee(sample):
    import re
    import zipfile

    with zipfile.ZipFile(sample[0] / "hr-appraisal-2026q1.appraisal.xlsx") as package:
        charts = [package.read(n).decode() for n in package.namelist() if n.startswith("xl/charts/chart")]
    matrix = next(chart for chart in charts if "能力与意愿分析矩阵" in chart)
    points = re.search(r"<c:ser>.*?</c:ser>", matrix, re.S).group(0)  # the employees' series comes first
    assert '<c:showVal val="1"/>' in points
    assert sorted(re.findall(r"<a:t>([^<]+)</a:t>", points)) == sorted(
        ["王伟", "李娜", "张强", "刘洋", "周杰"]
    )


def test_the_overview_prints_on_one_page_with_its_matrix(sample, tmp_path):
    """The ranking, the grades and the matrix on one landscape page: the matrix went alone to a second
    page (under a repeated header, or with a stray rule left at the foot of the first)."""
    out, _ = sample
    overview = openpyxl.load_workbook(out / "hr-appraisal-2026q1.appraisal.xlsx")["总览"]
    assert overview.print_title_rows is None
    assert overview.page_setup.orientation == "landscape" and overview.sheet_properties.pageSetUpPr.fitToPage
    assert overview.page_setup.fitToHeight in (None, 1)
    require()
    pdf = to_pdf(out / "hr-appraisal-2026q1.appraisal.xlsx", tmp_path)
    pages = [
        subprocess.run(
            ["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.replace(" ", "")
        for page in (1, 2)
    ]
    assert "考核总览" in pages[0] and "能力与意愿分析矩阵" in pages[0] and "等级分布" in pages[0]
    assert "能力与意愿分析矩阵" not in pages[1] and "考核总览" not in pages[1]


def _column_widths(ws) -> dict[int, float]:
    """Each column's width by its 1-based index (openpyxl keeps a run of equal columns as one entry)."""
    return {
        col: dimension.width
        for dimension in ws.column_dimensions.values()
        for col in range(dimension.min, dimension.max + 1)
    }


def test_every_form_numbers_its_pages_and_keeps_one_score_width(sample):
    wb = openpyxl.load_workbook(sample[0] / "hr-appraisal-2026q1.appraisal.xlsx")
    forms = [ws for ws in wb.worksheets if ws.title != "总览"]
    assert len(forms) == 5
    for form in forms:
        assert form.oddFooter.center.text == "第 &P 页 / 共 &N 页"
        assert "kamxl" not in (form.oddFooter.center.text or "").lower()
    # weight, attainment, score, weighted score (F–I): the same width whatever each employee's figures
    widths = {tuple(_column_widths(form).get(col) for col in (6, 7, 8, 9)) for form in forms}
    assert len(widths) == 1, widths


def test_the_quadrant_note_says_which_scores_place_the_employee(sample, tmp_path, settings):
    form = openpyxl.load_workbook(sample[0] / "hr-appraisal-2026q1.appraisal.xlsx")["王伟 E001"]
    texts = _form_texts(form)
    assert "按“能力”“意愿”两项评分定象限,≥ 3 为“高”。" in texts
    assert not any("意愿取" in text for text in texts)
