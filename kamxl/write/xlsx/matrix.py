"""The 2×2 matrix charts (value tiers, ability × willingness): points, threshold lines and quadrant names.

A native scatter chart has no lines across it nor text in it, so both come
from helper cells beside the chart: the two threshold lines as two-point
series, and each quadrant's name as the data label of an invisible point.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from xlsxwriter.utility import quote_sheetname

from kamxl.write.xlsx.book import Book, Sheet, cell

QUADRANTS = 4


def matrix_helper(
    sheet: Sheet,
    row: int,
    low: float,
    high: float,
    threshold: float,
    quadrants: Sequence[tuple[str, bool, bool]],
    note: str,
) -> tuple[int, int]:
    """Write the cells a 2×2 scatter draws from: the two threshold lines, and where each quadrant's name sits.

    ``quadrants``: (name, x high, y high). Returns (first row of the lines, first row of the names).
    """
    sheet.text(row, 0, note, "note", fit=False)
    ends = ((low, threshold), (high, threshold), (threshold, low), (threshold, high))
    for line_row, (x, y) in enumerate(ends, row + 1):
        sheet.number(line_row, 0, x, "score")
        sheet.number(line_row, 1, y, "score")
    below, above = (low + threshold) / 2, (threshold + high) / 2
    names_row = row + 2 + len(ends)
    for name_row, (name, x_high, y_high) in enumerate(quadrants, names_row):
        sheet.number(name_row, 0, above if x_high else below, "score")
        sheet.number(name_row, 1, above if y_high else below, "score")
        sheet.text(name_row, 2, name, fit=False)
    return row + 1, names_row


def add_matrix_guides(book: Book, chart: Any, sheet: str, lines_row: int, names_row: int) -> None:
    """The dashed threshold lines and the grey quadrant names, as series of ``chart``."""
    colours, style = book.colours, book.style
    for first in (lines_row, lines_row + 2):
        chart.add_series(
            {
                "categories": [sheet, first, 0, first + 1, 0],
                "values": [sheet, first, 1, first + 1, 1],
                "marker": {"type": "none"},
                "line": {
                    "color": colours["matrix_lines"],
                    "dash_type": "dash",
                    "width": style["matrix_line_width"],
                },
            }
        )
    last = names_row + QUADRANTS - 1
    chart.add_series(
        {
            "categories": [sheet, names_row, 0, last, 0],
            "values": [sheet, names_row, 1, last, 1],
            "marker": {"type": "none"},
            "data_labels": {
                "custom": [{"value": _cell_ref(sheet, row, 2)} for row in range(names_row, last + 1)],
                "position": "center",
                "font": {"color": colours["matrix_names"], "size": style["matrix_name_size"]},
            },
        }
    )


def point_series(
    book: Book,
    sheet: str,
    name: str,
    rows: tuple[int, int],
    cols: tuple[int, int],
    colour: str,
    labelled: bool,
) -> dict[str, Any]:
    """A scatter series of the points in ``rows`` (first, last): x and y from ``cols``, named from column A.

    Unless ``labelled`` is false (names on a crowded chart say nothing), each point shows its row's name.
    """
    (first, last), (x_col, y_col), style = rows, cols, book.style
    series: dict[str, Any] = {
        "name": name,
        "categories": [sheet, first, x_col, last, x_col],
        "values": [sheet, first, y_col, last, y_col],
        "marker": {
            "type": "circle",
            "size": style["marker_size"],
            "fill": {"color": colour},
            "border": {"color": colour},
        },
    }
    if labelled:
        series["data_labels"] = {
            "custom": [{"value": _cell_ref(sheet, row, 0)} for row in range(first, last + 1)],
            "position": "right",
            "font": {"size": style["label_size"]},
        }
    return series


def matrix_axis(name: str, low: float, high: float) -> dict[str, Any]:
    """An axis of a matrix: the score's range in steps of one, no gridlines (the threshold lines are)."""
    return {"name": name, "min": low, "max": high, "major_unit": 1, "major_gridlines": {"visible": False}}


def _cell_ref(sheet: str, row: int, col: int) -> str:
    return f"={quote_sheetname(sheet)}!{cell(row, col, True, True)}"
