"""Make the README's screenshots from what `kamxl demo` writes.

    python scripts/screenshots.py [--out docs/screenshots]

Runs `kamxl demo` into a temporary folder (the bundled samples, reviewed as
of the date they were written for, so the pictures do not change with the
day they are taken), then draws

* ``report-workbook.png``: the report workbook's first printed page (the 仪表板
  sheet), printed by LibreOffice to PDF and rasterised by pdftoppm, cut off
  below the last line of content so the picture holds no blank half page;
* ``summary-html.png``: the first screen of the HTML review summary as
  headless Chromium shows it in a 1280 × 900 window (playwright drives the
  system's Chromium, as tests/write/test_summary.py does).

Needs LibreOffice (soffice), poppler-utils (pdftoppm, pdftotext), Chromium,
a CJK font and the test extra (playwright). Run it again when the report or
the summary changes how it looks.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STEM = "east-2026-03"  # the sample that holds every form
WORKBOOK_DPI = 120
# Words lower than this share of the page are the footer (file name, page number, date).
FOOTER_FROM = 0.92
CROP_MARGIN_PT = 18
WINDOW_WIDTH, WINDOW_HEIGHT = 1280, 900
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


def run_demo(out: Path) -> None:
    """`kamxl demo` exactly as the README's first command runs it, into ``out``."""
    subprocess.run(
        [sys.executable, "-m", "kamxl", "demo", "--out", str(out)], check=True, capture_output=True
    )


def content_bottom(pdf: Path) -> tuple[float, float, float]:
    """Page width, page height and the lowest edge of the first page's content, in points.

    pdftotext's word boxes tell where the content ends; the footer's words are left out.
    """
    xhtml = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", "-bbox", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    page = re.search(r'<page width="([\d.]+)" height="([\d.]+)"', xhtml)
    if page is None:
        raise RuntimeError(f"pdftotext found no page in {pdf}")
    width, height = float(page.group(1)), float(page.group(2))
    bottoms = [float(y) for y in re.findall(r'<word [^>]*yMax="([\d.]+)"', xhtml)]
    body = [y for y in bottoms if y < height * FOOTER_FROM]
    return width, height, max(body, default=height)


def workbook_page(xlsx: Path, work: Path, target: Path) -> Path:
    """The report workbook's first printed page as a PNG, cropped below its content."""
    from kamxl.write.pdf import to_pdf

    pdf = to_pdf(xlsx, work)
    width, height, bottom = content_bottom(pdf)
    scale = WORKBOOK_DPI / 72
    crop_height = min(height, bottom + CROP_MARGIN_PT)
    subprocess.run(
        [
            "pdftoppm",
            "-f",
            "1",
            "-l",
            "1",
            "-r",
            str(WORKBOOK_DPI),
            "-x",
            "0",
            "-y",
            "0",
            "-W",
            str(round(width * scale)),
            "-H",
            str(round(crop_height * scale)),
            "-png",
            "-singlefile",
            str(pdf),
            str(target.with_suffix("")),
        ],
        check=True,
    )
    return target


def summary_screen(html: Path, target: Path) -> Path:
    """The HTML summary's first screen in a 1280 × 900 window of headless Chromium."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if chromium is None:
        raise SystemExit("Chromium is not installed (Debian: apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": WINDOW_WIDTH, "height": WINDOW_HEIGHT})
            page.goto(html.as_uri(), wait_until="load")
            page.screenshot(path=str(target))
        finally:
            browser.close()
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--out", type=Path, default=ROOT / "docs" / "screenshots", help="folder for the PNG files"
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kamxl-screenshots-") as temp:
        work = Path(temp)
        run_demo(work / "demo")
        written = [
            workbook_page(
                work / "demo" / f"{STEM}.kamxl.xlsx", work / "pdf", args.out / "report-workbook.png"
            ),
            summary_screen(work / "demo" / f"{STEM}.summary.html", args.out / "summary-html.png"),
        ]
    for path in written:
        print(f"{path} ({path.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
