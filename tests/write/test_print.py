"""The report workbook on paper: LibreOffice prints it to PDF.

Every sheet on sensible pages, charts drawn, Chinese as text."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess

import openpyxl
import pytest

from kamxl.pipeline import RunOptions, process
from kamxl.write.xlsx.book import pages_wide
from tests.conftest import SAMPLES
from tests.write.libreoffice import convert, soffice

AS_OF = dt.date(2026, 3, 31)
# sheets with a native chart: their pages must show the chart's colours
CHARTED = {"客户分级", "销售漏斗", "应收帐款", "损益", "活动", "时间"}
MAX_PAGES = {"应收帐款": 3, "损益": 3, "客户分级": 4, "行动": 3}


def _tools():
    if soffice() is None or shutil.which("pdftoppm") is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice and poppler-utils are required in CI (.ci/run installs them)")
        pytest.skip("LibreOffice or pdftoppm is not installed")


def _page_text(pdf, page: int) -> str:
    return subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


# series colours the report's charts use and its cells never do
# (links are #0563C1, so the tiers' #1565C0 is left out)
CHART_COLOURS = [
    (0x2F, 0x55, 0x97),
    (0x44, 0x72, 0xC4),
    (0x2E, 0x7D, 0x32),
    (0xEF, 0x6C, 0x00),
    (0xC0, 0x00, 0x00),
]


def _chart_pixels(pdf, page: int) -> int:
    """Pixels in a chart series colour on one page rendered at 50 dpi."""
    ppm = subprocess.run(
        ["pdftoppm", "-f", str(page), "-l", str(page), "-r", "50", str(pdf)], capture_output=True, check=True
    ).stdout
    data = ppm.split(b"\n", 3)[3]  # binary PPM: "P6\n<w> <h>\n255\n" then RGB bytes
    count = 0
    for i in range(0, len(data) - 2, 3):
        r, g, b = data[i], data[i + 1], data[i + 2]
        if any(abs(r - cr) + abs(g - cg) + abs(b - cb) < 40 for cr, cg, cb in CHART_COLOURS):
            count += 1
    return count


@pytest.fixture(scope="module")
def printed(tmp_path_factory, settings):
    _tools()
    out = tmp_path_factory.mktemp("print")
    process(SAMPLES / "east-2026-03.xlsx", out, settings, RunOptions(AS_OF, strict=True))
    workbook = out / "east-2026-03.kamxl.xlsx"
    pdf = convert(workbook, out / "pdf", "pdf")
    pages = int(
        next(
            line.split()[-1]
            for line in subprocess.run(
                ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True
            ).stdout.splitlines()
            if line.startswith("Pages:")
        )
    )
    # the page header names the sheet (centre section), so each page is attributed to its sheet
    names = openpyxl.load_workbook(workbook, read_only=True).sheetnames
    per_page = []
    for page in range(1, pages + 1):
        head = _page_text(pdf, page).strip().splitlines()[0]
        per_page.append(next(n for n in names if f" {n} " in f" {head} "))
    return workbook, pdf, names, per_page


@pytest.mark.slow
def test_every_sheet_prints_on_a_few_pages(printed):
    _, _, names, per_page = printed
    assert sorted(set(per_page), key=names.index) == names, "every sheet prints"
    assert per_page == sorted(per_page, key=names.index), "in tab order"
    for name in names:
        assert per_page.count(name) <= MAX_PAGES.get(name, 2), (name, per_page.count(name))
    assert len(per_page) <= 24


@pytest.mark.slow
def test_charts_are_on_their_pages(printed):
    _, pdf, names, per_page = printed
    for name in names:
        pages = [i + 1 for i, n in enumerate(per_page) if n == name]
        drawn = max(_chart_pixels(pdf, p) for p in pages)
        if name in CHARTED:
            assert drawn > 200, (name, drawn)
        else:
            assert drawn < 100, (name, drawn)


@pytest.mark.slow
def test_chinese_prints_as_text_in_a_cjk_font(printed):
    _, pdf, _, per_page = printed
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    if "CJK" not in fonts and not os.environ.get("CI"):
        pytest.skip("no CJK font installed (Debian: fonts-noto-cjk)")
    assert "CJK" in fonts
    assert "应收帐款规划表 — 计划与实收" in _page_text(pdf, per_page.index("应收帐款") + 1)


@pytest.mark.slow
def test_wide_sheets_repeat_their_key_column(printed):
    workbook = openpyxl.load_workbook(printed[0])
    receivables = workbook["应收帐款"]
    assert receivables.page_setup.fitToWidth == 2 and receivables.print_title_cols == "$A:$A"
    assert workbook["摘要"].page_setup.fitToWidth in (None, 1)


@pytest.mark.parametrize(
    "width, page, scale, repeat, wide",
    [
        (900, 1000, 0.6, 0, 1),  # fits at 100 %
        (1600, 1000, 0.6, 0, 1),  # fits at 62.5 %
        (1700, 1000, 0.6, 0, 2),  # would need 59 %: two pages
        (3400, 1000, 0.6, 100, 3),  # (3400 − 100) / (1667 − 100) = 2.1 → 3
        (5000, 1000, 1.0, 900, 9),  # a huge repeated column never leaves less than half a page
    ],
)
def test_pages_wide(width, page, scale, repeat, wide):
    assert pages_wide(width, page, scale, repeat) == wide
