"""Read a planning workbook: recognise each sheet's form and parse it to tidy tables.

Users fill in the course's forms in whatever spreadsheet program they have, and
rename, rearrange, merge and annotate them; the calculations must not care. The
reader runs in stages: ``container`` (what the file really is, and is it safe),
``grid`` (cached cell values), ``header`` and ``recognise`` (which form, where
its header is), ``forms`` (the form's tables). docs/forms.md describes the
forms and the layouts read.

``read_workbook`` never raises for a bad file: what cannot be read becomes an
Issue with its sheet and cell, and whatever can be read is returned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kamxl.config import Settings
from kamxl.issues import Issue, a1, describe
from kamxl.read.container import Kind, Refused, open_container
from kamxl.read.grid import Grid, load_grids
from kamxl.read.header import FORM_NAMES, FormSpec, RowFeatures, build_block, form_specs, row_features
from kamxl.read.sheet import SheetContext, SheetData
from kamxl.read.tables import Table, find_tables, restrict, unread_block
from kamxl.read.values import Values
from kamxl.text import normalise

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["read_workbook", "WorkbookData", "SheetInfo", "SheetData", "FORM_NAMES"]


@dataclass
class SheetInfo:
    """How one sheet, or one table of a sheet holding several, was understood: its form and rows read.

    ``form`` None: the sheet is not used.
    """

    name: str
    form: str | None
    header_row: int | None = None
    rows: int = 0
    area: str | None = None  # "A10:G14" when the sheet holds several tables, each listed on its own


@dataclass
class WorkbookData:
    """Everything read from one file: what each sheet is, the forms' tables, and the issues found."""

    path: Path
    kind: Kind | None  # None when the file was refused
    sheets: list[SheetInfo] = field(default_factory=list)
    forms: dict[str, list[SheetData]] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)

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


def _values(settings: Settings) -> Values:
    """The value parsers of these settings, built once (their vocabularies are indexed when built)."""
    return settings.cached("values", lambda: Values(settings))


def _title_texts(grid: Grid, scan: int) -> list[str]:
    """Cells that look like a title: alone in their row, or merged wide, near the top."""
    wide = {(r0, c0) for r0, c0, r1, c1 in grid.merged if c1 - c0 >= 2}
    out: list[str] = []
    for r in range(min(scan, grid.nrows)):
        cells = [
            (c, value) for c, value in enumerate(grid.rows[r]) if isinstance(value, str) and value.strip()
        ]
        if len(cells) == 1 or any((r, c) in wide for c, _ in cells):
            out += [text for c, text in cells if len(cells) == 1 or (r, c) in wide]
    return out


def _by_title(grid: Grid, specs: dict[str, FormSpec]) -> str | None:
    """The form a sheet's name or title names; the longest matching title wins.

    Titles cells are prose ("本工作簿用于三月计划评审"), so inside them only
    titles of four or more characters count unless the whole cell is the title.
    """
    for texts, min_len in (([grid.name], 1), (_title_texts(grid, 5), 4)):
        best: list[tuple[int, str]] = []
        for text in texts:
            key = normalise(text)
            for spec in specs.values():
                hits = [len(t) for t in spec.titles if t and (t == key or (len(t) >= min_len and t in key))]
                if hits:
                    best.append((max(hits), spec.name))
        if best:
            top = max(length for length, _ in best)
            forms = {form for length, form in best if length == top}
            if len(forms) == 1:
                return forms.pop()
    return None


def _candidate_rows(grid: Grid, spec: FormSpec, values: Values, scan: int) -> list[RowFeatures]:
    """What each of the first ``scan`` rows would give ``spec`` as its header row."""
    return [row_features(grid, r, spec, values) for r in range(scan)]


def _fitting(candidates: list[RowFeatures], spec: FormSpec) -> list[RowFeatures]:
    """The rows that meet one of the form's header signatures."""
    return [row for row in candidates if any(row.satisfies(signature) for signature in spec.signatures)]


def _best(rows: list[RowFeatures]) -> RowFeatures:
    """The highest-scoring row; the topmost of equals (a title row repeats the header's words less)."""
    return max(rows, key=lambda row: (row.score, -row.row))


def recognise(grid: Grid, settings: Settings) -> tuple[str | None, int | None, list[Issue]]:
    """(form, header row) for a sheet: by title first, then by header signature."""
    specs = form_specs(settings)
    values = _values(settings)
    scan = min(grid.nrows, settings.get("limits.header_scan_rows"))
    titled = _by_title(grid, specs)
    if titled:
        spec = specs[titled]
        candidates = _candidate_rows(grid, spec, values, scan)
        pool = _fitting(candidates, spec) or [row for row in candidates if row.score > 0]
        if not pool:
            return titled, None, []
        return titled, _best(pool).row, []
    found: list[tuple[int, str, int]] = []
    for spec in specs.values():
        fitting = _fitting(_candidate_rows(grid, spec, values, scan), spec)
        if fitting:
            best = _best(fitting)
            found.append((best.score, spec.name, best.row))
    if not found:
        return None, None, []
    top = max(score for score, _, _ in found)
    winners = [(form, row) for score, form, row in found if score == top]
    if len(winners) > 1:
        names = " / ".join(settings.form_name(form) for form, _ in winners)
        return None, None, [settings.issue("ambiguous_form", grid.name, forms=names)]
    return winners[0][0], winners[0][1], []


def parse_sheet(
    grid: Grid, form: str, header_row: int, settings: Settings
) -> tuple[SheetData | None, list[Issue]]:
    """A recognised sheet's tables, and the issues met reading its cells."""
    from kamxl.read.forms import PARSERS

    spec = form_specs(settings)[form]
    ctx = SheetContext(grid, settings, _values(settings), spec)
    block = build_block(grid, header_row, spec, ctx.values)
    data = PARSERS[form](ctx, block)
    if data is not None and data.rows == 0 and form != "calendar":
        ctx.issue("no_rows", form=settings.form_name(form))
    if data is not None:
        data.end = max([block.bottom, *(int(table["row"].max()) - 1 for table in _row_tables(data))])
    return data, ctx.finish()


def _row_tables(data: SheetData) -> list[pd.DataFrame]:
    """The sheet's tables that have rows, each with its Excel row numbers."""
    return [table for table in data.tables.values() if "row" in table and not table.empty]


def _read_sheet(grid: Grid, settings: Settings, result: WorkbookData) -> None:
    """Recognise one sheet, find every table on it (kamxl/read/tables.py) and parse each into ``result``."""
    form, header, notes = recognise(grid, settings)
    result.issues += notes
    if form is None:
        result.sheets.append(SheetInfo(grid.name, None))
        return
    if header is None:
        spec = form_specs(settings)[form]
        column = settings.label(f"headers.{form}.{spec.required[0]}") if spec.required else "周一"
        scan = settings.get("limits.header_scan_rows")
        result.issues.append(
            settings.issue("no_header", grid.name, form=settings.form_name(form), rows=scan, column=column)
        )
        result.sheets.append(SheetInfo(grid.name, form))
        return
    tables = find_tables(grid, (form, header), settings, _values(settings))
    formed = [table for table in tables if table.form is not None]
    for table in tables:
        if table.form is None:  # a block no form reads
            _read_table(grid, table, settings, result, None)
        elif len(formed) == 1 and table.area.left == 0 and table.area.right is None:
            # the sheet's one table: read as a whole, as it always was
            _read_table(grid, Table(table.area, form, header), settings, result, None)
        else:
            _read_table(restrict(grid, table.area), table, settings, result, table.area.a1(grid))


def _read_table(grid: Grid, table: Table, settings: Settings, result: WorkbookData, area: str | None) -> None:
    """Parse one table of a sheet; a block under it that no form reads is a warning at its first cell."""
    end = table.area.top - 1
    if table.form is not None and table.header is not None:
        data, sheet_issues = parse_sheet(grid, table.form, table.header, settings)
        result.issues += sheet_issues
        rows = data.rows if data else 0
        result.sheets.append(SheetInfo(grid.name, table.form, table.header + 1, rows, area))
        if data is not None:
            data.area = area
            result.forms.setdefault(table.form, []).append(data)
            end = data.end
    unread = unread_block(grid, table.area, end, _values(settings))
    if unread is not None:
        row, col, cells = unread
        result.issues.append(
            settings.issue("table_not_read", grid.name, (row, col), start=a1(row, col), cells=cells)
        )


def read_workbook(path: str | Path, settings: Settings, strict: bool = False) -> WorkbookData:
    """Read every sheet; ``strict`` re-raises unexpected errors (for --debug).

    Otherwise a bug met on one sheet becomes an issue on that sheet, and the other sheets are still read.
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
    for grid in grids:
        try:
            _read_sheet(grid, settings, result)
        except Exception as exc:
            if strict:
                raise
            result.issues.append(
                settings.issue(
                    "unexpected_error",
                    grid.name,
                    name=f"{path.name} / {grid.name}",
                    detail=describe(exc),
                )
            )
            result.sheets.append(SheetInfo(grid.name, None))
    if not result.forms and not result.errors:
        result.issues.append(settings.issue("no_forms", name=path.name))
    return result
