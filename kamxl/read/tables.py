"""Find every table on a sheet: blocks stacked with blank rows between, or side by side.

Managers put a P&L under the receivables plan, or next to it. The form parsers
read one table from its header down, so each table is handed to them as its
own area: a copy of the grid with everything outside the area blanked (cell
positions stay absolute, so issues still name the user's cells). A table
starts where a header row meets one of a form's signatures within the first
``limits.table_head_rows`` rows of a block that follows a blank row (stacked)
or a fully blank column (side by side). docs/forms.md, "Several tables on one
sheet", states the rules.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import overload

from kamxl.config import Settings
from kamxl.issues import a1
from kamxl.read.grid import Grid, Row
from kamxl.read.header import FormSpec, RowFeatures, form_specs, is_sub_label, row_features
from kamxl.read.values import CellValue, Values
from kamxl.text import normalise, normalise_loose


@dataclass(frozen=True)
class Area:
    """A rectangle of the grid, 0-based and inclusive; ``right`` None = to the sheet's last column."""

    top: int
    left: int
    bottom: int
    right: int | None

    def a1(self, grid: Grid) -> str:
        """The area as the user names it: "A10:G14"."""
        right = self.right if self.right is not None else max(grid.ncols - 1, self.left)
        return f"{a1(self.top, self.left)}:{a1(self.bottom, right)}"

    def cols(self, width: int) -> range:
        """The area's columns of a row ``width`` cells wide."""
        return range(self.left, min(width, self.right + 1) if self.right is not None else width)


@dataclass(frozen=True)
class Table:
    """One table found on a sheet: its area, and its form and header row when one was recognised."""

    area: Area
    form: str | None
    header: int | None


def filled(value: CellValue, values: Values) -> bool:
    """A non-blank cell (0 is a value)."""
    if value is None or value == "":
        return False
    if type(value) is float:
        return value == value  # not NaN
    return type(value) is not str or not values.is_blank(value)


def _cells(row: Row, area: Area, values: Values) -> list[tuple[int, CellValue]]:
    """The row's non-blank (column, value) inside the area's columns."""
    return [(c, row[c]) for c in area.cols(len(row)) if filled(row[c], values)]


class _Window(Sequence[Row]):
    """The grid's rows ``rows`` within the area's columns (and the row under them); every other row blank.

    Built for each block looked at, so it copies nothing until a row is asked for.
    """

    def __init__(self, grid: Grid, rows: range, area: Area):
        self._grid, self._rows, self._area = grid, range(rows.start, rows.stop + 1), area

    def __len__(self) -> int:
        return self._grid.nrows

    @overload
    def __getitem__(self, index: int) -> Row: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Row]: ...
    def __getitem__(self, index: int | slice) -> Row | Sequence[Row]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index not in self._rows or index >= self._grid.nrows:
            return ()
        row = self._grid.rows[index]
        return [value if c in self._area.cols(len(row)) else None for c, value in enumerate(row)]


def _header_words(settings: Settings) -> frozenset[str]:
    """Every form's header labels, normalised: a row without one of them is no header row."""

    def build() -> frozenset[str]:
        return frozenset(
            alias
            for spec in form_specs(settings).values()
            for aliases in spec.fields.values()
            for alias in aliases
        )

    return settings.cached("table_header_words", build)


def _may_head(row: Row, area: Area, settings: Settings, values: Values) -> bool:
    """The row names a column of some form (or a weekday): worth testing against the signatures.

    Most rows of a long sheet are items; this spares them the test per form.
    """
    words = _header_words(settings)
    for c in area.cols(len(row)):
        value = row[c]
        if (
            isinstance(value, str)
            and value.strip()
            and (
                normalise(value) in words
                or normalise_loose(value) in words
                or values.label("weekday", value)[0]
            )
        ):
            return True
    return False


def restrict(grid: Grid, area: Area) -> Grid:
    """A copy of the grid holding only the area's cells, at their own positions."""
    rows: list[Row] = []
    for r, row in enumerate(grid.rows[: area.bottom + 1]):
        if r < area.top:
            rows.append(())
        elif area.left == 0 and (area.right is None or area.right >= len(row) - 1):
            rows.append(row)
        else:
            rows.append([value if c in area.cols(len(row)) else None for c, value in enumerate(row)])

    def inside(row: int, col: int) -> bool:
        return area.top <= row <= area.bottom and col in area.cols(col + 1)

    merged = [cells for cells in grid.merged if inside(cells[0], cells[1])]
    suspects = {cell: suspect for cell, suspect in grid.suspects.items() if inside(*cell)}
    return dataclasses.replace(grid, rows=rows, merged=merged, suspects=suspects)


def column_bands(grid: Grid, values: Values) -> list[Area]:
    """The sheet cut at fully blank columns: one area per run of columns holding something."""
    used = [False] * grid.ncols
    for row in grid.rows:
        for c, value in enumerate(row):
            if not used[c] and filled(value, values):
                used[c] = True
    bands: list[Area] = []
    start: int | None = None
    bottom = max(grid.nrows - 1, 0)
    for c, holds in enumerate([*used, False]):
        if holds and start is None:
            start = c
        elif not holds and start is not None:
            bands.append(Area(0, start, bottom, c - 1))
            start = None
    return bands


def _titled(grid: Grid, rows: range, area: Area, specs: dict[str, FormSpec], values: Values) -> set[str]:
    """The forms a lone title cell in ``rows`` names ("预期损益表" over a header both forms could fit)."""
    named: set[str] = set()
    for r in rows:
        cells = _cells(grid.rows[r], area, values)
        if len(cells) == 1 and isinstance(cells[0][1], str):
            key = normalise(cells[0][1])
            named |= {spec.name for spec in specs.values() for t in spec.titles if len(t) >= 2 and t in key}
    return named


def header_in(
    grid: Grid, rows: range, area: Area, settings: Settings, values: Values
) -> tuple[str, int] | None:
    """(form, header row) of the best header signature met in ``rows``; None when none or a tie.

    Only the header signatures count, never the sheet's name: a second table on
    a sheet named 应收 may well be a P&L. A tie is broken by a title in the rows.
    """
    specs = form_specs(settings)
    masked = dataclasses.replace(grid, rows=_Window(grid, rows, area), merged=[], suspects={})
    found: list[RowFeatures] = []
    forms: list[str] = []
    for spec in specs.values():
        fitting = [
            features
            for r in rows
            if (features := row_features(masked, r, spec, values))
            and any(features.satisfies(signature) for signature in spec.signatures)
        ]
        if fitting:
            found.append(max(fitting, key=lambda features: (features.score, -features.row)))
            forms.append(spec.name)
    if not found:
        return None
    top = max(features.score for features in found)
    winners = [
        (form, features.row) for form, features in zip(forms, found, strict=True) if features.score == top
    ]
    if len(winners) > 1:
        named = _titled(grid, rows, area, specs, values)
        winners = [winner for winner in winners if winner[0] in named]
    return winners[0] if len(winners) == 1 else None


def _starts(grid: Grid, band: Area, settings: Settings, values: Values) -> list[tuple[int, str, int]]:
    """(first row, form, header row) of each block of the band that opens with a header.

    A block opens at the band's first row, after a blank row, or right under a
    total or note row (where a table's body ends); its header may sit under a
    title or a units row, within ``limits.table_head_rows`` rows.
    """
    head_rows: int = settings.get("limits.table_head_rows")
    found: list[tuple[int, str, int]] = []
    heads: dict[int, bool] = {}  # row -> ``_may_head``, asked once per row though windows overlap
    opens = True
    for r in range(band.top, min(band.bottom + 1, grid.nrows)):
        cells = _cells(grid.rows[r], band, values)
        if not cells:
            opens = True
            continue
        if opens:
            window = range(r, min(r + head_rows, band.bottom + 1, grid.nrows))
            for w in window:
                if w not in heads:
                    heads[w] = _may_head(grid.rows[w], band, settings, values)
            hit = header_in(grid, window, band, settings, values) if any(heads[w] for w in window) else None
            if hit is not None and _figures_above(grid, range(r, hit[1]), band, values):
                hit = None  # rows of figures (an item under a 小计) are no title: the block opens lower down
            if hit is not None and not any(hit[1] == header for _, _, header in found):
                found.append((r, *hit))
        opens = values.is_total(cells[0][1]) or values.is_note(cells[0][1])
    return found


def _figures_above(grid: Grid, rows: range, band: Area, values: Values) -> bool:
    """Whether any of ``rows`` (those between a block's first row and its header) holds a number.

    A table's head is text (a title, a units row); a row of figures right under
    a 小计 is the table's next item, and must not be taken into the head of a
    table further down, where it would vanish.
    """
    return any(
        isinstance(value, (int, float)) and not isinstance(value, bool)
        for r in rows
        for _, value in _cells(grid.rows[r], band, values)
    )


def split_band(
    band: Area, starts: list[tuple[int, str, int]], first: tuple[str, int] | None, head_rows: int
) -> list[Table]:
    """The band cut into one area per table, top to bottom.

    ``first`` is the sheet's recognised (form, header row): the area that holds
    that header is read as that form, whatever the signatures say, so a sheet
    read right today is read the same. A start found inside its head is its own.
    """
    if first is not None:  # the block whose head holds the recognised header is that table
        form, header = first
        starts = [
            (top, form, header) if hit == header or top <= header < top + head_rows else (top, hit_form, hit)
            for top, hit_form, hit in starts
        ]
        starts = [
            start for i, start in enumerate(starts) if start[2] not in {hit for _, _, hit in starts[:i]}
        ]
    tops = sorted({band.top, *(start[0] for start in starts)})
    tables: list[Table] = []
    for i, top in enumerate(tops):
        bottom = tops[i + 1] - 1 if i + 1 < len(tops) else band.bottom
        area = Area(top, band.left, bottom, band.right)
        hit = next(((f, h) for r, f, h in starts if r == top), None)
        if first is not None and top <= first[1] <= bottom:
            hit = first
        tables.append(Table(area, *(hit or (None, None))))
    if len(tables) > 1 and tables[0].form is None:
        # the rows above the first table are its head too (title, units row): they stay in its area,
        # and are still looked at for a block no form reads
        head = tables[1]
        tables[1] = Table(dataclasses.replace(head.area, top=band.top), head.form, head.header)
    return tables


def find_tables(grid: Grid, first: tuple[str, int], settings: Settings, values: Values) -> list[Table]:
    """Every table on the sheet; one table (the whole sheet, as recognised) for most sheets.

    Side by side: when two or more column bands (cut at fully blank columns)
    each open a table, each band is read on its own. Otherwise the sheet is one
    band, cut where a block below the recognised table opens with a header.
    """
    head_rows: int = settings.get("limits.table_head_rows")
    bands = column_bands(grid, values)
    if len(bands) > 1:
        headed = [(band, starts) for band in bands if (starts := _starts(grid, band, settings, values))]
        if len(headed) > 1:
            # the band the recognised header lies in keeps the recognised form
            owner = next((band for band in bands if _belongs(grid, band, first, settings, values)), None)
            tables: list[Table] = []
            for band in bands:
                starts = next((found for headed_band, found in headed if headed_band == band), [])
                tables += split_band(band, starts, first if band == owner else None, head_rows)
            return tables
        beside = _beside(grid, bands, first, settings, values)
        if beside:  # the table is read within its own columns, the blocks beside it are looked at
            kept = [band for band in bands if band not in beside]
            own = Area(0, kept[0].left, max(grid.nrows - 1, 0), kept[-1].right)
            tables = split_band(own, _starts(grid, own, settings, values), first, head_rows)
            return tables + [Table(band, None, None) for band in beside]
    whole = Area(0, 0, max(grid.nrows - 1, 0), None)
    return split_band(whole, _starts(grid, whole, settings, values), first, head_rows)


def _belongs(grid: Grid, band: Area, first: tuple[str, int], settings: Settings, values: Values) -> bool:
    """A cell of the band in the recognised table's header rows is one of the form's labels.

    (a month, a field, a P&L group, 计划/实际): the band holds columns of that table.
    """
    form, header = first
    spec = form_specs(settings)[form]
    rows = range(header, min(header + 3, grid.nrows))
    masked = dataclasses.replace(grid, rows=_Window(grid, range(rows.start, rows.stop - 1), band))
    return any(row_features(masked, r, spec, values).score > 0 for r in rows) or any(
        is_sub_label(value, spec, values) for r in rows for _, value in _cells(grid.rows[r], band, values)
    )


def _beside(
    grid: Grid, bands: list[Area], first: tuple[str, int], settings: Settings, values: Values
) -> list[Area]:
    """The column bands at either side of the recognised table that hold a block of their own.

    A band belongs to the table when a cell of it in the table's header rows is
    one of the form's labels (a month, a field, a P&L group, 计划/实际): a blank
    spacer column inside a table does not cut it. A band that does not belong
    and holds a header-like row (``unread_block``) is a block beside the table.
    """
    owned = [i for i, band in enumerate(bands) if _belongs(grid, band, first, settings, values)]
    if not owned:
        return []
    outside = [band for i, band in enumerate(bands) if i < owned[0] or i > owned[-1]]
    return [band for band in outside if unread_block(grid, band, band.top - 1, values) is not None]


def _header_like(cells: list[tuple[int, CellValue]], values: Values) -> bool:
    """Two or more cells, all text, and not a note or a signature line: a table's header row."""
    if len(cells) < 2 or not all(isinstance(value, str) for _, value in cells):
        return False
    first = cells[0][1]
    return not values.is_note(first) and not values.is_signature(first)


def _is_table(block: list[list[tuple[int, CellValue]]], values: Values) -> bool:
    """A header-like row with a row of two or more cells under it: a table, not a line of notes."""
    heads = [i for i, cells in enumerate(block) if _header_like(cells, values)]
    return bool(heads) and any(len(cells) >= 2 for cells in block[heads[0] + 1 :])


def unread_block(grid: Grid, area: Area, after: int, values: Values) -> tuple[int, int, int] | None:
    """(row, column, non-blank cells) of a block below row ``after`` of the area that no form read.

    A block is a run of non-blank rows; it counts as a table when one of its rows
    looks like a header (``_header_like``) with a row of two or more cells under
    it. Notes, signature lines, lone remarks and a units row are not tables.
    The first such block is reported, with every cell from there down.
    """
    first: tuple[int, int] | None = None
    count = 0
    block: list[tuple[int, list[tuple[int, CellValue]]]] = []
    for r in range(after + 1, min(area.bottom + 1, grid.nrows) + 1):
        cells = _cells(grid.rows[r], area, values) if r < grid.nrows and r <= area.bottom else []
        if cells:
            block.append((r, cells))
            continue
        if first is None and _is_table([row_cells for _, row_cells in block], values):
            first = (block[0][0], block[0][1][0][0])
        if first is not None:
            count += sum(len(row_cells) for _, row_cells in block)
        block = []
    return None if first is None else (*first, count)
