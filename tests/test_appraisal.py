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
        "赵敏": ("B", "train"),
        "陈刚": ("E", "direct"),
    }
    assert all(
        set(p) >= {"employee", "employee_id", "department", "weighted_score", "grade", "quadrant", "issues"}
        for p in people.values()
    )


def test_workbook_has_the_overview_and_a_form_each(sample, settings):
    out, outcome = sample
    wb = openpyxl.load_workbook(out / "hr-appraisal-2026q1.appraisal.xlsx")
    assert wb.sheetnames == ["总览", "王伟 E001", "李娜 E002", "张强 E003", "赵敏 E004", "陈刚 E005"]
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
    assert ranked == ["王伟", "李娜", "张强", "赵敏", "陈刚"]  # sorted by weighted total


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
    assert [next(n for n in ("王伟", "李娜", "张强", "赵敏", "陈刚") if n in h) for h in forms] == [
        "王伟",
        "李娜",
        "张强",
        "赵敏",
        "陈刚",
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
