"""Sheets as grids of cached cell values, read with python-calamine.

calamine is the fastest correct reader we have (Rust; xlsx, xlsm, xlsb, xls,
ods), never runs macros and does not expand XML entities. A Grid keeps
absolute positions (row 0 is Excel row 1) so every issue can name its cell.
"""

from __future__ import annotations

import os
import re
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine as calamine

from kamxl.config import Settings
from kamxl.issues import Issue
from kamxl.read.container import Container, Refused
from kamxl.read.formulas import SuspectFormula, column_index, scan_part, sheet_parts
from kamxl.read.parts import SheetParts, read_parts
from kamxl.read.values import CellValue

Row = Sequence[CellValue]


@dataclass
class Grid:
    """One worksheet's cached values and merged ranges, as the form parsers see it."""

    name: str
    rows: Sequence[Row]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r0, c0, r1, c1 inclusive
    suspects: dict[tuple[int, int], SuspectFormula] = field(default_factory=dict)
    parts: SheetParts = field(default_factory=SheetParts)  # tables' total rows, zero-padded IDs (xlsx)
    visibility: str = "visible"  # or "hidden", "veryhidden": a hidden sheet is often a backup copy

    @property
    def hidden(self) -> bool:
        return self.visibility != "visible"

    @property
    def nrows(self) -> int:
        return len(self.rows)

    @property
    def ncols(self) -> int:
        return max((len(row) for row in self.rows), default=0)

    def value(self, row: int, col: int) -> CellValue:
        """The cell's value, None outside the grid (rows are ragged)."""
        if 0 <= row < len(self.rows):
            cells = self.rows[row]
            if 0 <= col < len(cells):
                return cells[col]
        return None


def _blank(value: CellValue) -> bool:
    """Empty as a cell, before any vocabulary: used only to tell an empty workbook."""
    return value is None or (isinstance(value, str) and not value.strip())


def _detail(exc: Exception) -> str:
    """The first line of an error, short enough for a message to the user."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]


_SUFFIXES = {
    "xlsx": (".xlsx", ".xlsm", ".xltx", ".xltm"),
    "xls": (".xls",),
    "ods": (".ods",),
    "xlsb": (".xlsb",),
}


@contextmanager
def _opened(container: Container) -> Iterator[calamine.CalamineWorkbook]:
    """Open with calamine by the sniffed kind, not the file's (possibly wrong) extension.

    calamine picks its parser from the extension and reports a precise error
    (e.g. a password) only then; a file whose extension lies is opened
    through a symlink with the right one. The input itself is never touched.
    """
    with ExitStack() as stack:
        path = container.path
        if path.suffix.lower() not in _SUFFIXES[container.kind]:
            tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="kamxl-"))
            link = Path(tmp) / ("book" + _SUFFIXES[container.kind][0])
            try:
                os.symlink(container.path.resolve(), link)
                path = link
            except OSError:
                pass
        with closing(calamine.CalamineWorkbook.from_path(str(path))) as workbook:
            yield workbook


def _visibility(meta: calamine.SheetMetadata) -> str:
    """'visible', 'hidden' or 'veryhidden', from calamine's enum (SheetVisibleEnum.VeryHidden)."""
    return str(meta.visible).rsplit(".", 1)[-1].lower()


def _read_sheet(
    workbook: calamine.CalamineWorkbook, name: str, settings: Settings, issues: list[Issue]
) -> Grid | None:
    """One worksheet as a Grid, or None (with the issue that says why) when it is too large or unreadable."""
    try:
        sheet = workbook.get_sheet_by_name(name)
        # rows are materialised from A1, so the extent counts from A1 too
        nrows, ncols = (sheet.end[0] + 1, sheet.end[1] + 1) if sheet.end else (0, 0)
        cells = nrows * ncols
        max_cells: int = settings.get("limits.max_sheet_cells")
        if cells > max_cells:
            limit = f"{max_cells:,}"
            issues.append(
                settings.issue("sheet_too_large", name, rows=f"{nrows:,}", cols=f"{ncols:,}", limit=limit)
            )
            return None
        rows = sheet.to_python(skip_empty_area=False) if cells else []
        merged = [(start[0], start[1], end[0], end[1]) for start, end in (sheet.merged_cell_ranges or [])]
    except calamine.PasswordError:
        raise
    except Exception as exc:  # calamine raises several error kinds per sheet
        issues.append(settings.issue("sheet_unreadable", name, detail=_detail(exc)))
        return None
    return Grid(name, rows, merged)


def _read_sheets(container: Container, settings: Settings, issues: list[Issue]) -> list[Grid]:
    """Every worksheet that can be read; a file calamine cannot open at all is refused."""
    name = container.path.name
    grids: list[Grid] = []
    try:
        with _opened(container) as workbook:
            for meta in list(workbook.sheets_metadata):
                if "WorkSheet" not in str(meta.typ):
                    continue  # chart and macro sheets hold no form data
                grid = _read_sheet(workbook, meta.name, settings, issues)
                if grid is not None:
                    grid.visibility = _visibility(meta)
                    grids.append(grid)
    except calamine.PasswordError:
        raise Refused(settings.issue("encrypted", name=name)) from None
    except Refused:
        raise
    except Exception as exc:  # a file calamine cannot open at all
        raise Refused(settings.issue("corrupt_file", name=name, detail=_detail(exc))) from None
    return grids


def load_grids(container: Container, settings: Settings) -> tuple[list[Grid], list[Issue]]:
    """Every worksheet of the workbook as a Grid; unreadable sheets become issues."""
    name = container.path.name
    issues: list[Issue] = []
    grids = _read_sheets(container, settings, issues)
    if container.kind == "xlsx" and grids:
        issues += _attach_suspects(container, grids, settings)
        issues += _attach_parts(container, grids, settings)
    if not grids:
        raise Refused(settings.issue("no_worksheets", name=name))
    if all(not any(not _blank(value) for row in grid.rows for value in row) for grid in grids):
        raise Refused(settings.issue("empty_workbook", name=name))
    return grids, issues


_ARITH = re.compile(r"^=[\s$A-Z\d:+\-()]*$", re.I)
_REFS = re.compile(r"\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?", re.I)


def _zero_is_right(grid: Grid, formula: str) -> bool:
    """A cached 0 is the true result of a sum or difference of blank/zero cells.

    Scripts (and kamxl's own templates) write 合计 rows and profit columns as
    formulas over still-empty cells; their 0 is right, not a stale placeholder.
    """
    plain = re.sub(r"SUM", "", formula, flags=re.I)
    if not _ARITH.match(plain):
        return False
    for ref in _REFS.finditer(plain):
        c0, r0 = column_index(ref.group(1)), int(ref.group(2)) - 1
        c1, r1 = (column_index(ref.group(3)), int(ref.group(4)) - 1) if ref.group(3) else (c0, r0)
        if (r1 - r0 + 1) * (c1 - c0 + 1) > 1_000_000:
            return False
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                if grid.value(r, c) not in (None, "", 0, 0.0):
                    return False
    return True


def _attach_suspects(container: Container, grids: list[Grid], settings: Settings) -> list[Issue]:
    """Find formula cells without trustworthy cached values in each sheet part."""
    try:
        with zipfile.ZipFile(container.path) as archive:
            parts, full_calc = sheet_parts(archive)
            for grid in grids:
                part = parts.get(grid.name)
                if part is None:
                    continue
                try:
                    data = archive.read(part)
                except KeyError:
                    continue
                for suspect in scan_part(data, full_calc):
                    if suspect.problem == "stale_zero" and _zero_is_right(grid, suspect.formula):
                        continue
                    grid.suspects[(suspect.row, suspect.col)] = suspect
    except Exception as exc:  # the values were read; only this extra check failed
        return [settings.issue("formula_check_failed", detail=_detail(exc))]
    return []


def _attach_parts(container: Container, grids: list[Grid], settings: Settings) -> list[Issue]:
    """Each sheet's Excel-table total rows, zero-padded number cells and hidden rows (kamxl/read/parts.py)."""
    try:
        found = read_parts(container.path, [grid.name for grid in grids])
    except Exception as exc:  # the values were read; only this extra reading failed
        return [settings.issue("parts_check_failed", detail=_detail(exc))]
    for grid in grids:
        grid.parts = found.get(grid.name, SheetParts())
    return []
