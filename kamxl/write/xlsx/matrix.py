"""The 2×2 matrix charts (value tiers, ability × willingness): helper cells for the threshold lines and the quadrant names."""

from __future__ import annotations

from xlsxwriter.utility import quote_sheetname

from kamxl.write.xlsx.book import Book, Sheet, cell


def matrix_helper(
    sh: Sheet,
    row: int,
    lo: float,
    hi: float,
    threshold: float,
    quadrants: list[tuple[str, bool, bool]],
    note: str,
) -> tuple[int, int]:
    """Write the cells a 2×2 scatter draws from: the two threshold lines, and where each quadrant's name sits.

    ``quadrants``: (name, x high, y high). Returns (first row of the lines, first row of the names).
    """
    sh.text(row, 0, note, "note", fit=False)
    for i, (x, y) in enumerate(((lo, threshold), (hi, threshold), (threshold, lo), (threshold, hi))):
        sh.number(row + 1 + i, 0, x, "score")
        sh.number(row + 1 + i, 1, y, "score")
    low, high = (lo + threshold) / 2, (threshold + hi) / 2
    for i, (name, x_high, y_high) in enumerate(quadrants):
        r = row + 6 + i
        sh.number(r, 0, high if x_high else low, "score")
        sh.number(r, 1, high if y_high else low, "score")
        sh.text(r, 2, name, fit=False)
    return row + 1, row + 6


def add_matrix_guides(book: Book, chart, sheet: str, lines_row: int, names_row: int, count: int = 4) -> None:
    """The dashed threshold lines and the grey quadrant names, as series of ``chart``."""
    for a in (lines_row, lines_row + 2):
        chart.add_series(
            {
                "categories": [sheet, a, 0, a + 1, 0],
                "values": [sheet, a, 1, a + 1, 1],
                "marker": {"type": "none"},
                "line": {"color": "#A6A6A6", "dash_type": "dash", "width": 1.25},
            }
        )
    chart.add_series(
        {
            "categories": [sheet, names_row, 0, names_row + count - 1, 0],
            "values": [sheet, names_row, 1, names_row + count - 1, 1],
            "marker": {"type": "none"},
            "data_labels": {
                "custom": [
                    {"value": f"={quote_sheetname(sheet)}!{cell(names_row + i, 2, True, True)}"}
                    for i in range(count)
                ],
                "position": "center",
                "font": {"color": "#7F7F7F", "size": 9},
            },
        }
    )
