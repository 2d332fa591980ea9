"""The 2×2 matrix charts (value tiers, ability × willingness): points, threshold lines and quadrant names.

A native scatter chart has no lines across it nor text in it, so both come
from helper cells: the two threshold lines as two-point series, and each
quadrant's name as the data label of an invisible point. The helper cells sit
in hidden columns right of the sheet's tables (the chart is told to plot
hidden cells), so they neither print beside the chart nor puzzle a reader.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kamxl.write.xlsx.book import Book, Sheet, is_blank

QUADRANTS = 4
HELPER_COLUMNS = 3  # x, y and a quadrant's name
NAME_INSET_X, NAME_INSET_Y = 0.3, 0.08  # a quadrant's name: how far in from its outer corner, per axis


def matrix_helper(
    sheet: Sheet,
    row: int,
    low: float,
    high: float,
    threshold: float,
    quadrants: Sequence[tuple[str, bool, bool]],
    note: str,
) -> tuple[int, int, int]:
    """Write the cells a 2×2 scatter draws from: the two threshold lines, and where each quadrant's name sits.

    ``quadrants``: (name, x high, y high). The cells go into hidden columns two right of the widest
    table. Returns (first row of the lines, first row of the names, first helper column).
    """
    col = max(sheet.widths, default=0) + 2
    for hidden in range(col, col + HELPER_COLUMNS):
        sheet.hide_column(hidden)
    sheet.text(row, col, note, "note", fit=False)
    ends = ((low, threshold), (high, threshold), (threshold, low), (threshold, high))
    for line_row, (x, y) in enumerate(ends, row + 1):
        sheet.number(line_row, col, x, "score")
        sheet.number(line_row, col + 1, y, "score")
    names_row = row + 2 + len(ends)
    for name_row, (name, x_high, y_high) in enumerate(quadrants, names_row):
        # in the quadrant's outer corner, not its centre, where points (a score of 2 or 4) often sit
        x = high - (high - threshold) * NAME_INSET_X if x_high else low + (threshold - low) * NAME_INSET_X
        y = high - (high - threshold) * NAME_INSET_Y if y_high else low + (threshold - low) * NAME_INSET_Y
        sheet.number(name_row, col, x, "score")
        sheet.number(name_row, col + 1, y, "score")
        sheet.text(name_row, col + 2, name, fit=False)
    return row + 1, names_row, col


def add_matrix_guides(
    book: Book,
    chart: Any,
    sheet: str,
    helper: tuple[int, int, int],
    quadrants: Sequence[tuple[str, bool, bool]],
) -> None:
    """The dashed threshold lines and the grey quadrant names, as series of ``chart``.

    ``helper`` is what ``matrix_helper`` returned: the lines' and names' first rows, and its column.
    """
    colours, style = book.colours, book.style
    lines_row, names_row, col = helper
    chart.show_hidden_data()  # the helper columns are hidden
    for first in (lines_row, lines_row + 2):
        chart.add_series(
            {
                "categories": [sheet, first, col, first + 1, col],
                "values": [sheet, first, col + 1, first + 1, col + 1],
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
            "categories": [sheet, names_row, col, last, col],
            "values": [sheet, names_row, col + 1, last, col + 1],
            "marker": {"type": "none"},
            "data_labels": {
                # a custom label shows only where a show… flag is set: "value" draws each label's own text
                "value": True,
                "custom": [{"value": label_text(name)} for name, _, _ in quadrants],
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
    names: Sequence[Any] | None,
) -> dict[str, Any]:
    """A scatter series of the points in ``rows`` (first, last): x and y from ``cols``.

    Each point shows its name (``names``, one per row), unless ``names`` is None: names on a crowded
    chart say nothing.
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
    if names is not None:
        series["data_labels"] = {
            "value": True,  # the flag without which Excel and LibreOffice draw no custom label
            "custom": [{"delete": True} if is_blank(text) else {"value": label_text(text)} for text in names],
            "position": "right",
            "font": {"size": style["label_size"]},
        }
    return series


def matrix_axis(name: str, low: float, high: float) -> dict[str, Any]:
    """An axis of a matrix: the score's range in steps of one, no gridlines (the threshold lines are)."""
    return {"name": name, "min": low, "max": high, "major_unit": 1, "major_gridlines": {"visible": False}}


def label_text(text: Any) -> str:
    """A point's name as a chart label's own text: LibreOffice draws no label that refers to a cell, and a
    name that starts with "=" stays text (XlsxWriter would take it for a formula)."""
    text = str(text)
    return "\u200b" + text if text.startswith("=") else text
