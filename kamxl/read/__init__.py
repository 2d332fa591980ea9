"""Read a planning workbook: recognise each sheet's form and parse it to tidy tables.

Users fill in the course's forms in whatever spreadsheet program they have, and
rename, rearrange, merge and annotate them; the calculations must not care. The
reader runs in stages, in this order, each a module with one entry point:
``container`` (what the file really is, and is it safe: ``open_container``),
``grid`` (cached cell values, merges, hidden state: ``load_grids``),
``recognise`` (which form, where its header is: ``recognise``), the sheets to
read (``_Chooser``, here: a hidden or duplicate copy is left out), ``tables``
(every table on the sheet: ``find_tables``), ``header`` (the header model:
``build_block``), ``forms`` (the body rows, read through a ``sheet``
context: ``PARSERS``) and ``ledger`` (what became of every cell: ``account``).
docs/forms.md describes the forms and the layouts read.

``read_workbook`` never raises for a bad file: what cannot be read becomes an
Issue with its sheet and cell, and whatever can be read is returned.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kamxl.config import Settings
from kamxl.issues import Issue, a1, describe
from kamxl.read.container import Kind, Refused, open_container
from kamxl.read.grid import Grid, load_grids
from kamxl.read.header import FORM_NAMES, build_block, form_specs
from kamxl.read.ledger import Ledger, Reading, account, kept_columns, loose_cells
from kamxl.read.recognise import _by_name as _by_name  # imported from here by the reader's tests
from kamxl.read.recognise import no_header, recognise, values_of
from kamxl.read.sheet import SheetContext, SheetData
from kamxl.read.tables import Area, Table, find_tables, restrict, unread_block
from kamxl.read.values import CellValue

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["read_workbook", "recognise", "WorkbookData", "SheetInfo", "SheetData", "FORM_NAMES", "form_specs"]
_values = values_of  # the value parsers of some settings, by the name the reader's tests import


@dataclass
class SheetInfo:
    """How one sheet, or one table of a sheet holding several, was understood: its form and rows read.

    ``form`` None: the sheet is not used.
    """

    name: str
    form: str | None
    header_row: int | None = None
    rows: int = 0
    header_words: tuple[int, int] = (0, 0)  # header labels in Chinese and in English: the input's language
    left_out: str | None = None  # why a sheet holding a form was not used: "hidden" or "duplicate"
    same_as: str | None = None  # the sheet of that form used instead
    area: str | None = None  # "A10:G14" when the sheet holds several tables, each listed on its own


@dataclass
class WorkbookData:
    """Everything read from one file: what each sheet is, the forms' tables, and the issues found."""

    path: Path
    kind: Kind | None  # None when the file was refused
    sheets: list[SheetInfo] = field(default_factory=list)
    forms: dict[str, list[SheetData]] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    ledgers: list[Ledger] = field(default_factory=list)  # one per table read: what became of its cells

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    def table(self, form: str, name: str = "main") -> pd.DataFrame | None:
        """One form's table across all sheets of that form (None if absent)."""
        import pandas as pd

        frames = [sheet.tables[name] for sheet in self.forms.get(form, []) if name in sheet.tables]
        if not frames:
            return None
        if len(frames) == 1:
            return frames[0]
        return pd.concat(frames, ignore_index=True)

    def sheet_of(self, form: str) -> str | None:
        """The first sheet of a form, for issues about the form as a whole."""
        sheets = self.forms.get(form)
        return sheets[0].sheet if sheets else None


def parse_sheet(
    grid: Grid, form: str, header_row: int, settings: Settings
) -> tuple[SheetData | None, list[Issue], SheetContext]:
    """A recognised sheet's tables, the issues met reading its cells, and its context (for the ledger)."""
    from kamxl.read.forms import PARSERS

    spec = form_specs(settings)[form]
    ctx = SheetContext(grid, settings, values_of(settings), spec)
    block = build_block(grid, header_row, spec, ctx.values)
    ctx.block = block
    data = PARSERS[form](ctx, block)
    if data is not None and data.rows == 0 and form != "calendar":
        ctx.issue("no_rows", form=settings.form_name(form))
    if data is not None:
        data.end = max([block.bottom, *(int(table["row"].max()) - 1 for table in _row_tables(data))])
    return data, ctx.finish(), ctx


def _row_tables(data: SheetData) -> list[pd.DataFrame]:
    """The sheet's tables that have rows, each with its Excel row numbers."""
    return [table for table in data.tables.values() if "row" in table and not table.empty]


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]{2,}")


def _header_words(cells: Sequence[CellValue]) -> tuple[int, int]:
    """How many of a header row's labels are Chinese, and how many English (the report follows them)."""
    texts = [cell for cell in cells if isinstance(cell, str)]
    chinese = sum(1 for text in texts if _CJK.search(text))
    english = sum(1 for text in texts if not _CJK.search(text) and _LATIN.search(text))
    return chinese, english


@dataclass
class _Recognised:
    """A sheet recognised but not yet parsed: what choosing the sheets to read needs to know."""

    grid: Grid
    form: str | None
    header: int | None
    notes: list[Issue]


def _recognise_all(grids: list[Grid], path: Path, settings: Settings, strict: bool) -> list[_Recognised]:
    """Every sheet's form before any is parsed: a hidden sheet is read only if no visible one holds it."""
    out: list[_Recognised] = []
    for grid in grids:
        try:
            out.append(_Recognised(grid, *recognise(grid, settings)))
        except Exception as exc:
            if strict:
                raise
            out.append(_Recognised(grid, None, None, [_unexpected(exc, path, grid, settings)]))
    return out


def _unexpected(exc: Exception, path: Path, grid: Grid, settings: Settings) -> Issue:
    """A bug met on one sheet, said on that sheet so the others are still read."""
    name = f"{path.name} / {grid.name}"
    return settings.issue("unexpected_error", grid.name, name=name, detail=describe(exc))


def _fingerprint(data: SheetData) -> str | None:
    """A hash of a sheet's tidy rows without their sheet and row: equal for a copy of the sheet.

    What the sheet says besides its rows (its title: region and period; a
    calendar's month) is part of it, so two days' identical to-do lists
    under different titles are not one copied. None when the sheet has no
    rows (two blank forms are not one copied twice).
    """
    digest = hashlib.sha256()
    said = {key: value for key, value in data.meta.items() if key != "layout"}
    digest.update(repr(sorted(said.items())).encode("utf-8"))
    any_rows = False
    for name, frame in sorted(data.tables.items()):
        if frame.empty:
            continue
        any_rows = True
        place = [column for column in ("sheet", "row") if column in frame.columns]
        digest.update(name.encode("utf-8"))
        digest.update(frame.drop(columns=place).to_csv(index=False).encode("utf-8"))
    return digest.hexdigest() if any_rows else None


def _row_runs(rows: list[int]) -> str:
    """Sorted row numbers as runs: [5, 6, 7, 9] gives "5-7, 9"."""
    runs: list[list[int]] = []
    for row in rows:
        if runs and row == runs[-1][-1] + 1:
            runs[-1].append(row)
        else:
            runs.append([row])
    return ", ".join(str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}" for run in runs)


def _hidden_rows_read(grid: Grid, data: SheetData, settings: Settings) -> list[Issue]:
    """An info issue for the hidden rows that were read (known for .xlsx only: the sheet XML says)."""
    hidden = {row + 1 for row in grid.parts.hidden_rows}
    read = {
        int(row) for frame in data.tables.values() if "row" in frame.columns for row in frame["row"].dropna()
    }
    rows = sorted(hidden & read)
    if not rows:
        return []
    return [settings.issue("hidden_rows_read", grid.name, (rows[0] - 1, 0), rows=_row_runs(rows))]


# why a sheet was left out -> the issue that says so
_LEFT_OUT = {"hidden": "hidden_sheet_left_out", "duplicate": "duplicate_sheet_left_out"}


class _Chooser:
    """Which recognised sheets are read: a hidden copy of a visible form, or a second copy of rows, is not.

    docs/forms.md ("Which sheets are read") gives the rule; each sheet left out is a warning that names it.
    """

    def __init__(self, recognised: list[_Recognised], settings: Settings, result: WorkbookData) -> None:
        self.settings, self.result = settings, result
        self.visible: dict[str, str] = {}  # form -> the first visible sheet holding it
        for item in recognised:
            if item.form is not None and not item.grid.hidden:
                self.visible.setdefault(item.form, item.grid.name)
        self.seen: dict[tuple[str, str], str] = {}  # (form, fingerprint) -> the sheet first read with them

    def leave_out(self, grid: Grid, form: str, reason: str, used: str) -> None:
        """Record a sheet that holds a form but is not used, and the warning that says why."""
        name = self.settings.form_name(form)
        self.result.issues.append(self.settings.issue(_LEFT_OUT[reason], grid.name, form=name, used=used))
        self.result.sheets.append(SheetInfo(grid.name, None, left_out=reason, same_as=used))

    def hidden_copy(self, grid: Grid, form: str) -> bool:
        """A hidden sheet of a form a visible sheet holds: left out."""
        used = self.visible.get(form)
        if not grid.hidden or used is None:
            return False
        self.leave_out(grid, form, "hidden", used)
        return True

    def duplicate(self, grid: Grid, form: str, data: SheetData) -> bool:
        """A sheet whose rows are those of a sheet already read: left out."""
        fingerprint = _fingerprint(data)
        if fingerprint is None:
            return False
        used = self.seen.setdefault((form, fingerprint), grid.name)
        if used == grid.name:
            return False
        self.leave_out(grid, form, "duplicate", used)
        return True


def _read_sheet(item: _Recognised, chooser: _Chooser, settings: Settings, result: WorkbookData) -> None:
    """Parse one recognised sheet into ``result``, unless it is a hidden or duplicate copy.

    A copy left out says only why: its other issues repeat those of the sheet it copies.
    """
    grid, form, header = item.grid, item.form, item.header
    if form is None:
        result.issues += item.notes
        result.sheets.append(SheetInfo(grid.name, None))
        return
    if chooser.hidden_copy(grid, form):
        return
    if header is None:
        result.issues += [*item.notes, no_header(grid, form, settings)]
        result.sheets.append(SheetInfo(grid.name, form))
        return
    notes = list(item.notes)
    if grid.hidden:
        notes.append(settings.issue("hidden_sheet_read", grid.name, form=settings.form_name(form)))
    start = len(result.issues)
    tables = find_tables(grid, (form, header), settings, values_of(settings))
    formed = [table for table in tables if table.form is not None]
    kept = []
    for table in tables:
        if table.form is None:  # a block no form reads; the head of the table under it is that table's
            head = any(other.form is not None and _holds(other.area, table.area) for other in tables)
            kept.append(_read_table(grid, table, settings, result, None, chooser, loose=not head))
        elif len(formed) == 1 and table.area.left == 0 and table.area.right is None:
            # the sheet's one table: read as a whole, as it always was
            kept.append(_read_table(grid, Table(table.area, form, header), settings, result, None, chooser))
        else:
            area = table.area.a1(grid)
            kept.append(_read_table(restrict(grid, table.area), table, settings, result, area, chooser))
    if any(kept):  # a copy left out says only why: its notes would repeat the sheet it copies
        result.issues[start:start] = notes


def _holds(outer: Area, inner: Area) -> bool:
    """The area ``outer`` takes in all of ``inner``."""
    right = outer.right is None or (inner.right is not None and inner.right <= outer.right)
    return outer.top <= inner.top and inner.bottom <= outer.bottom and outer.left <= inner.left and right


def _read_table(
    grid: Grid,
    table: Table,
    settings: Settings,
    result: WorkbookData,
    area: str | None,
    chooser: _Chooser,
    loose: bool = True,
) -> bool:
    """Parse one table of a sheet; a block under it that no form reads is a warning at its first cell.

    A table whose rows another sheet already gave is a copy: left out (False), with the warning that says so.
    A block no form reads has each of its cells said (``loose``), unless another table's ledger holds them.
    """
    end = table.area.top - 1
    ctx: SheetContext | None = None  # the context of a table read, for its ledger
    if table.form is not None and table.header is not None:
        data, sheet_issues, ctx = parse_sheet(grid, table.form, table.header, settings)
        if data is not None and chooser.duplicate(grid, table.form, data):
            return False
        result.issues += sheet_issues
        rows = data.rows if data else 0
        words = _header_words(grid.rows[table.header] if table.header < grid.nrows else [])
        result.sheets.append(SheetInfo(grid.name, table.form, table.header + 1, rows, words, area=area))
        if data is not None:
            data.area = area
            result.issues += _hidden_rows_read(grid, data, settings)
            result.forms.setdefault(table.form, []).append(data)
            end = data.end
        else:
            ctx = None
    unread = unread_block(grid, table.area, end, values_of(settings))
    below = None
    if unread is not None:
        row, col, cells = unread
        below = settings.issue("table_not_read", grid.name, (row, col), start=a1(row, col), cells=cells)
        result.issues.append(below)
    if ctx is not None:  # a table read: its ledger
        reading = Reading(grid, table.area, ctx, below, kept_columns(ctx))
        ledger, unsaid = account(reading, result.issues, settings)
        result.ledgers.append(ledger)
        result.issues += unsaid
    elif table.form is None and loose:  # a block no form reads: each cell said, unless the warning above did
        result.issues += loose_cells(grid, table.area, below, values_of(settings), settings)
    return True


def read_workbook(path: str | Path, settings: Settings, strict: bool = False) -> WorkbookData:
    """Read every sheet; ``strict`` re-raises unexpected errors (for --debug).

    Otherwise a bug met on one sheet becomes an issue on that sheet, and the other sheets are still read.
    All sheets are recognised before any is parsed, so that a hidden copy of a visible form is left out.
    """
    path = Path(path)
    try:
        container = open_container(path, settings)
        grids, issues = load_grids(container, settings)
    except Refused as refused:
        return WorkbookData(path, None, issues=[refused.issue])
    result = WorkbookData(path, container.kind, issues=list(issues))
    if container.has_macros:
        result.issues.append(settings.issue("macros_not_run"))
    recognised = _recognise_all(grids, path, settings, strict)
    chooser = _Chooser(recognised, settings, result)
    for item in recognised:
        try:
            _read_sheet(item, chooser, settings, result)
        except Exception as exc:
            if strict:
                raise
            result.issues.append(_unexpected(exc, path, item.grid, settings))
            result.sheets.append(SheetInfo(item.grid.name, None))
    if not result.forms and not result.errors:
        result.issues.append(settings.issue("no_forms", name=path.name))
    return result
