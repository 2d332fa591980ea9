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
CHARTED = {"仪表板", "客户分级", "销售漏斗", "应收帐款", "损益", "活动", "时间"}
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
    assert (
        receivables.page_setup.fitToWidth == 2 and receivables.print_title_cols == "$A:$B"
    )  # 客户 and 产品: two 朗通 rows stay apart
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


# -------------------------------------------------------------- issue 15 ---
PAGE_WIDTH_IN = {"landscape": 11.69, "portrait": 8.27}


def _printed_scale(ws) -> float:
    """The scale a sheet prints at, from the file alone: its pages wide over its columns' width (Excel's
    7 pixels a character; hidden columns and charts past the last column are not counted)."""
    from openpyxl.utils import get_column_letter

    margins = ws.page_margins
    page = (PAGE_WIDTH_IN[ws.page_setup.orientation or "portrait"] - margins.left - margins.right) * 96
    width = 0.0
    for col in range(1, ws.max_column + 1):
        found = ws.column_dimensions.get(get_column_letter(col))
        if found is not None and found.hidden:
            continue
        width += (found.width if found is not None and found.width else 8.43) * 7 + 5
    return min(1.0, (ws.page_setup.fitToWidth or 1) * page / width)


@pytest.mark.slow
def test_every_sheet_prints_at_seventy_percent_or_more(printed):
    workbook = openpyxl.load_workbook(printed[0])
    for ws in workbook.worksheets:
        assert _printed_scale(ws) >= 0.7, (ws.title, _printed_scale(ws))


@pytest.mark.slow
def test_print_titles_are_only_the_tables_header_rows(printed):
    """Not the title above (cut on the pages across), not a header over an unrelated table, not 12 rows."""
    workbook = openpyxl.load_workbook(printed[0])
    for ws in workbook.worksheets:
        titles = ws.print_title_rows
        if titles is None:
            continue
        first, last = (int(part.strip("$")) for part in titles.split(":"))
        assert first > 1 and last - first <= 1, (ws.title, titles)  # one or two header rows, no title
        header = [found.value for found in ws[first] if found.value is not None]
        assert header and all(isinstance(text, str) for text in header), (ws.title, header)
    assert workbook["计划"].print_title_rows is None  # several tables: no header belongs over all of them


@pytest.mark.slow
def test_no_chart_is_cut_by_a_page_break(printed):
    """A chart's title and its value axis's title (with the unit) print on the same page."""
    import re
    import zipfile

    workbook, pdf, _, per_page = printed
    pages = [_page_text(pdf, page + 1) for page in range(len(per_page))]
    with zipfile.ZipFile(workbook) as package:
        charts = [package.read(name).decode() for name in package.namelist() if name.startswith("xl/charts/")]
    checked = 0
    for chart in charts:
        texts = re.findall(r"<a:t>([^<]+)</a:t>", chart)
        title, axes = texts[0], [text for text in texts[1:] if "(" in text and ")" in text]
        if not axes:
            continue
        with_title = [page for page, text in enumerate(pages) if title in text.replace(" ", "")]
        for axis in axes:
            assert any(axis.replace(" ", "") in pages[page].replace(" ", "") for page in with_title), (
                title,
                axis,
            )
        checked += 1
    assert checked >= 4


def _median_word_height(pdf, page: int) -> float:
    """The median height of the words on a page: the cells' 10-point text times the print scale."""
    import re
    import statistics

    boxes = subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), "-bbox", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    heights = [
        float(y1) - float(y0)
        for y0, y1 in re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', boxes)
    ]
    return statistics.median(heights)


@pytest.mark.slow
def test_libreoffice_prints_every_page_at_seventy_percent_or_more(printed):
    """Measured on the PDF: the words of each page against those of the summary, which prints at 100 %."""
    _, pdf, _, per_page = printed
    full_size = _median_word_height(pdf, 1)
    for page, name in enumerate(per_page, 1):
        assert _median_word_height(pdf, page) >= 0.7 * full_size, (name, page)


# ------------------------------------------------------- issue 15, review ---
def _sheet_pages(printed, name: str) -> list[str]:
    """The text of each page of one sheet, without the page header and with no spaces."""
    _, pdf, _, per_page = printed
    return [
        "\n".join(_page_text(pdf, page).splitlines()[1:]).replace(" ", "")
        for page, sheet in enumerate(per_page, 1)
        if sheet == name
    ]


@pytest.mark.slow
def test_the_plans_tables_are_not_split_by_a_page_break(printed):
    """計划 has four small tables and no header repeats over all of them: each page after the first starts
    with a table's title, never with rows cut from a table on the page before (the 回款 row alone)."""
    titles = ("月度计划", "周计划表", "各周目标是否达到月目标", "目标的四个特性")
    pages = _sheet_pages(printed, "计划")
    assert len(pages) >= 2
    for text in pages[1:]:
        first_line = next(line for line in text.splitlines() if line.strip())
        assert first_line.startswith(titles), first_line
    found = [title for text in pages for title in titles if title in text.splitlines()]
    assert sorted(found) == sorted(titles)  # each table's title prints once, with its rows


@pytest.mark.slow
def test_the_receivables_month_table_prints_once_with_month_names(printed):
    """The month table sat under the repeated key columns A:B and printed again, as a stray 月份/计划
    table of 1–12, on the page across; it starts right of them and names its months."""
    pages = _sheet_pages(printed, "应收帐款")
    with_table = [text for text in pages if any(line.startswith("月份") for line in text.splitlines())]
    assert len(with_table) == 1 and "月份计划实际累计计划" in with_table[0]
    assert "一月" in with_table[0] and "十二月" in with_table[0]


@pytest.mark.slow
def test_the_tier_matrix_prints_under_no_orphan_header(printed):
    """The matrix prints first, on the sheet's first page: under the table it printed on a page of its own
    under the table's repeated header row."""
    pages = _sheet_pages(printed, "客户分级")
    assert "客户吸引力×我们的优势" in pages[0]
    assert all("客户吸引力×我们的优势" not in text for text in pages[1:])
