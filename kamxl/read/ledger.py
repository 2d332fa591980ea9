"""The ledger: every non-blank cell of a table's area accounted for, and every cell not read said.

Rules for layouts are a list of cases; a ledger makes "never silently wrong" a
property. After a form's parser ran, each non-blank cell of the table's area
is put in one of five columns: read as a value, read as a header label, kept
aside as a total or subtotal row, kept aside as a note (a title or units row
above the header, a note or signature line under the body), or not read. A
cell not read is an issue at its cell, unless an issue already names it: a
warning when it looks like a figure (a number kamxl did not count), info when
it is text (a remark beside the table). Cells not read next to each other
are one issue naming their range, so a column nobody reads is one line, not
a thousand. docs/forms.md, "The ledger", states the rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from kamxl.config import Settings
from kamxl.issues import Issue, a1
from kamxl.read.grid import Grid, Row
from kamxl.read.header import header_month
from kamxl.read.sheet import SheetContext
from kamxl.read.tables import Area, filled
from kamxl.read.values import CellValue, Values

Cell = tuple[int, int]
# the ledger's columns, in the order check --json lists them
COLUMNS = ("values", "headers", "totals", "notes", "unread")
# Issues at a header cell that say its column is not read: they report the column's cells below too.
COLUMN_CODES = frozenset(
    {"no_subheader", "unknown_subheader", "month_unreadable", "orphan_measure", "duplicate_column"}
)


@dataclass
class Ledger:
    """One table's cells by what became of them; ``unread``: each cell not read -> the issue saying so."""

    sheet: str
    form: str
    area: str  # "A1:H20"
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COLUMNS, 0))
    unread: dict[Cell, Issue] = field(default_factory=dict)
    cells: int = 0  # the area's non-blank cells: the sum of ``counts``

    def as_dict(self) -> dict[str, object]:
        """The ledger as ``check --json`` lists it."""
        return {"sheet": self.sheet, "form": self.form, "area": self.area, "cells": self.cells} | self.counts


@dataclass(frozen=True)
class Reading:
    """What is known of one table after its parser ran: where it is and what it read."""

    grid: Grid  # the grid as the file has it (keys filled down are the parser's own copy)
    area: Area
    ctx: SheetContext
    below: Issue | None = None  # a block under the table already reported whole (table_not_read)
    kept: dict[int, str] = field(default_factory=dict)  # column -> its ledger column (``kept_columns``)


def kept_columns(ctx: SheetContext) -> dict[int, str]:
    """Columns kept aside by their header: 合计 (totals across the row), 备注 (notes), 序号 (row labels)."""
    kept: dict[int, str] = {}
    block = ctx.block
    for col, path in (block.paths if block is not None else {}).items():
        if any(ctx.values.is_total(label) for label in path):
            kept[col] = "totals"
        elif path and ctx.values.is_note(path[-1]):
            kept[col] = "notes"
        elif path and ctx.values.label("row_number", path[-1])[0]:
            kept[col] = "headers"  # 序号 1, 2, 3: each row's label, not a figure
    return kept


def looks_like_figure(value: CellValue, values: Values) -> bool:
    """A number, a date, or text that reads as a number ("1,200", "3万"): something a total could miss."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float, dt.date, dt.datetime)):
        return True
    number, ok = values.number(value)
    return ok and number is not None


def _place(reading: Reading, row: int, col: int, value: CellValue) -> str:
    """The ledger column of a non-blank cell outside the header block and the total rows."""
    ctx, block = reading.ctx, reading.ctx.block
    top = block.top if block is not None else reading.area.top
    if row in ctx.read.get(col, ()):
        return "values"
    kept = reading.kept.get(col)
    if kept is not None and row > top:
        return kept  # under a 合计 column (kept aside like a total row) or a 备注 column (notes)
    if _in_block_below(reading.below, (row, col)):
        return "unread"  # a table no form reads, reported whole
    figure = looks_like_figure(value, ctx.values)
    if row < top and not figure:
        return "notes"  # a title, a units row, a line naming the region and period
    if row in ctx.noted and not (figure and not isinstance(value, (dt.date, dt.datetime))):
        return "notes"  # a note or signature line ("制表日期 2026-03-31"), but never a number in it
    if ctx.noted and row > min(ctx.noted) and not figure:
        return "notes"  # the text under a note or signature line
    return "unread"


def _total_place(reading: Reading, col: int, value: CellValue) -> str:
    """A cell of a total row is kept aside with it, unless it is a figure in a column nobody reads."""
    ctx = reading.ctx
    if col in ctx.read or col in reading.kept or not looks_like_figure(value, ctx.values):
        return "totals"
    return "unread"


def _header_place(reading: Reading, value: CellValue) -> str:
    """A cell of the header rows is a header unless it is a figure: text or a month (2026.01, a date).

    A number typed in a header row, even over a column read, is no label: it is not read.
    """
    values = reading.ctx.values
    if not looks_like_figure(value, values) or header_month(value, values) is not None:
        return "headers"
    return "unread"


def _filled_cells(row: Row, cols: range, values: Values) -> list[tuple[int, CellValue]]:
    """The row's non-blank (column, value) in ``cols``, plain numbers told apart without a call."""
    out: list[tuple[int, CellValue]] = []
    for c in cols:
        value = row[c]
        kind = type(value)
        if kind is float:
            if value == value:  # not NaN
                out.append((c, value))
        elif kind is int or filled(value, values):
            out.append((c, value))
    return out


def _whole_row(reading: Reading, row: int) -> str | None:
    """The ledger column of every cell of a header row or a total row; None for other rows."""
    block = reading.ctx.block
    if block is not None and block.top <= row <= block.bottom:
        return "headers"
    return "totals" if row in reading.ctx.total_rows else None


def _tally(reading: Reading, ledger: Ledger) -> list[tuple[int, int, CellValue]]:
    """Count each non-blank cell of the area in its column; the cells not read, in reading order.

    A row at a time: most rows are items whose every cell was read.
    """
    grid, area, ctx = reading.grid, reading.area, reading.ctx
    unread: list[tuple[int, int, CellValue]] = []
    counts, read, nothing = ledger.counts, ctx.read, frozenset[int]()
    cells = values = 0  # counted in locals: this loop sees every cell of a big sheet
    for r in range(area.top, min(area.bottom + 1, grid.nrows)):
        row = grid.rows[r]
        whole = _whole_row(reading, r)
        if whole is not None:
            for c, value in _filled_cells(row, area.cols(len(row)), ctx.values):
                place = (
                    _total_place(reading, c, value) if whole == "totals" else _header_place(reading, value)
                )
                counts[place] += 1
                cells += 1
                if place == "unread":
                    unread.append((r, c, value))
            continue
        for c in area.cols(len(row)):
            value = row[c]
            kind = type(value)
            if kind is float:
                if value != value:  # NaN
                    continue
            elif kind is not int and not filled(value, ctx.values):
                continue
            cells += 1
            if r in read.get(c, nothing):
                values += 1
                continue
            place = _place(reading, r, c, value)
            counts[place] += 1
            if place == "unread":
                unread.append((r, c, value))
    counts["values"] += values
    ledger.cells += cells
    return unread


def _in_block_below(below: Issue | None, cell: Cell) -> bool:
    """The cell lies in the block under the table that ``table_not_read`` reports (its first cell on)."""
    if below is None or below.row is None or below.col is None:
        return False
    return cell[0] > below.row or (cell[0] == below.row and cell[1] >= below.col)


def _column_reports(reading: Reading, at: dict[Cell, Issue]) -> dict[int, Issue]:
    """column -> the issue at one of its header cells that says the column is not read."""
    block = reading.ctx.block
    if block is None:
        return {}
    out: dict[int, Issue] = {}
    for col in block.paths:
        cells = block.sources.get(col) or ((block.top, col),)
        found = [at[cell] for cell in cells if cell in at and at[cell].code in COLUMN_CODES]
        if found:
            out[col] = found[0]
    return out


def _report_of(
    reading: Reading, cell: Cell, at: dict[Cell, Issue], columns: dict[int, Issue]
) -> Issue | None:
    """The issue already said of a cell not read: at it, over its column, its row, or the block below."""
    if _in_block_below(reading.below, cell):
        return reading.below
    if cell[0] in reading.ctx.skipped:  # a row skipped: the issue that says why, in the row
        said = [issue for (row, _), issue in at.items() if row == cell[0]]
        if said:
            return said[0]
    return at.get(cell) or columns.get(cell[1])


def account(reading: Reading, said: Iterable[Issue], settings: Settings) -> tuple[Ledger, list[Issue]]:
    """The table's ledger, and an issue for each block of cells not read that no issue names yet."""
    grid, ctx = reading.grid, reading.ctx
    ledger = Ledger(grid.name, ctx.spec.name, reading.area.a1(grid))
    unread = _tally(reading, ledger)
    if not unread:
        return ledger, []
    at: dict[Cell, Issue] = {}
    for issue in said:
        if issue.sheet == grid.name and issue.row is not None and issue.col is not None:
            at.setdefault((issue.row, issue.col), issue)
    columns = _column_reports(reading, at)
    silent: list[tuple[int, int, CellValue]] = []
    for r, c, value in unread:
        report = _report_of(reading, (r, c), at, columns)
        if report is not None:
            ledger.unread[(r, c)] = report
        else:
            silent.append((r, c, value))
    return ledger, _issues(silent, ledger, ctx.values, settings)


def loose_cells(
    grid: Grid, area: Area, below: Issue | None, values: Values, settings: Settings
) -> list[Issue]:
    """The issues for a block of the sheet no form reads (a band beside tables that opens none).

    Every non-blank cell is said, as in a table's ledger, unless ``table_not_read`` already reports it.
    """
    ledger = Ledger(grid.name, "", area.a1(grid))
    cells = [
        (r, c, value)
        for r in range(area.top, min(area.bottom + 1, grid.nrows))
        for c, value in _filled_cells(grid.rows[r], area.cols(len(grid.rows[r])), values)
        if not _in_block_below(below, (r, c))
    ]
    return _issues(cells, ledger, values, settings)


def _runs(silent: list[tuple[int, int, CellValue]], values: Values) -> list[list[tuple[int, int, CellValue]]]:
    """Cells not read, cut into runs along each row: next to each other (blanks between) and alike.

    Alike: all figures or all text, so each run is one issue of one severity.
    """
    runs: list[list[tuple[int, int, CellValue]]] = []
    for cell in silent:
        last = runs[-1][-1] if runs else None
        if (
            last is not None
            and last[0] == cell[0]
            and looks_like_figure(last[2], values) == looks_like_figure(cell[2], values)
        ):
            runs[-1].append(cell)
        else:
            runs.append([cell])
    return runs


def _blocks(
    runs: list[list[tuple[int, int, CellValue]]], values: Values
) -> list[list[list[tuple[int, int, CellValue]]]]:
    """Runs of the same columns and kind in rows one under another, as one block (a column nobody reads)."""
    blocks: list[list[list[tuple[int, int, CellValue]]]] = []
    open_blocks: dict[tuple[int, int, bool], list[list[tuple[int, int, CellValue]]]] = {}
    for run in runs:
        key = (run[0][1], run[-1][1], looks_like_figure(run[0][2], values))
        block = open_blocks.get(key)
        if block is not None and block[-1][0][0] == run[0][0] - 1:
            block.append(run)
            continue
        block = [run]
        open_blocks[key] = block
        blocks.append(block)
    return blocks


def _shown(value: CellValue) -> str:
    """A cell as the message shows it: 3.0 as "3", a date in ISO form."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value).strip()


def _issues(
    silent: list[tuple[int, int, CellValue]], ledger: Ledger, values: Values, settings: Settings
) -> list[Issue]:
    """One issue per block of cells not read, at its first cell, naming the block's range."""
    out: list[Issue] = []
    for block in _blocks(_runs(silent, values), values):
        first, last = block[0][0], block[-1][-1]
        left, right = min(run[0][1] for run in block), max(run[-1][1] for run in block)
        start, end = a1(first[0], left), a1(last[0], right)
        figure = looks_like_figure(first[2], values)
        issue = settings.issue(
            "figure_not_read" if figure else "text_not_read",
            ledger.sheet,
            (first[0], first[1]),
            cells=start if start == end else f"{start}:{end}",
            count=sum(len(run) for run in block),
            value=_shown(first[2]),
            area=ledger.area,
        )
        out.append(issue)
        ledger.unread.update({(r, c): issue for run in block for r, c, _ in run})
    return out
