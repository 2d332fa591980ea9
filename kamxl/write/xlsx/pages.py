"""Tables that print whole: a small table, with the line that names it, is not split by a page break.

A sheet of several tables (计划) has no one header to repeat on every page, so a
table split across two pages leaves rows without a header (the 回款 row alone on
the next page). ``keep_together`` marks a table's rows as one block; when the
sheet is closed, the same rule that keeps a chart whole (``Sheet._keep_charts_whole``,
which lays the pages out as LibreOffice prints them) starts a new page above a
block that would be cut, if the block fits on a page. The block stands in the
sheet's list of placed charts as a chart nothing draws, zero pixels wide.
"""

from __future__ import annotations

from dataclasses import dataclass

from kamxl.write.xlsx.book import PlacedChart, Sheet

DEFAULT_ROW_POINTS = (
    15.0  # a row of 10-point text as Excel sets it, which LibreOffice prints print.row_px high
)


@dataclass
class _Rows:
    """A block of rows in place of a chart: no width (so it never widens the page), and a height measured
    when the sheet is closed, after the rows with wrapped text have been made taller."""

    sheet: Sheet
    first: int
    last: int
    width: int = 0

    def height_px(self) -> int:
        """How tall the rows print, as Sheet lays pages out: ``print.row_px`` a row unless set otherwise."""
        row_px = self.sheet.book.settings.get("print.row_px")
        info = self.sheet.ws.row_info
        total = 0.0
        for row in range(self.first, self.last + 1):
            found = info.get(row)
            set_to = None if found is None else (0.0 if found.hidden else found.height)
            total += row_px if set_to is None else set_to * row_px / DEFAULT_ROW_POINTS
        return int(total)


class _KeptBlock(PlacedChart):
    """A PlacedChart whose height is the block's rows' at the time the pages are laid out."""

    __slots__ = ()

    @property
    def height(self) -> int:
        return int(self.chart.height_px())


def keep_together(sheet: Sheet, first: int, last: int) -> None:
    """Print rows ``first``..``last`` (a table's title line to its last row) on one page when they fit on
    one: a page break before them rather than through them."""
    sheet.charts.append(_KeptBlock(first, 0, 0, 0, _Rows(sheet, first, last)))


def fits_on_a_page(sheet: Sheet, last: int) -> bool:
    """Whether rows 0..``last`` fit on the first page at full size (landscape unless the sheet is portrait):
    a table that does needs no header repeated on further pages, where it would print above a chart."""
    settings = sheet.book.settings
    margins = settings.get("print.margins_in")
    height_in = settings.get(f"print.paper_width_in.{'landscape' if sheet.portrait else 'portrait'}")
    page_px = (height_in - margins["top"] - margins["bottom"]) * 96
    return bool(_Rows(sheet, 0, last).height_px() <= page_px)
