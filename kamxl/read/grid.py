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
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from kamxl.config import Settings
from kamxl.issues import Issue
from kamxl.read.container import Container, Refused
from kamxl.read.formulas import SuspectFormula, scan_part, sheet_parts


@dataclass
class Grid:
    name: str
    rows: list[list]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r0, c0, r1, c1 inclusive
    suspects: dict[tuple[int, int], SuspectFormula] = field(default_factory=dict)

    @property
    def nrows(self) -> int:
        return len(self.rows)

    @property
    def ncols(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def value(self, r: int, c: int):
        if 0 <= r < len(self.rows):
            row = self.rows[r]
            if 0 <= c < len(row):
                return row[c]
        return None


def _blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _detail(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]


_SUFFIXES = {
    "xlsx": (".xlsx", ".xlsm", ".xltx", ".xltm"),
    "xls": (".xls",),
    "ods": (".ods",),
    "xlsb": (".xlsb",),
}


@contextmanager
def _opened(container: Container):
    """Open with calamine by the sniffed kind, not the file's (possibly wrong) extension.

    calamine picks its parser from the extension and reports a precise error
    (e.g. a password) only then; a file whose extension lies is opened
    through a symlink with the right one. The input itself is never touched.
    """
    import python_calamine as pc

    if container.path.suffix.lower() in _SUFFIXES[container.kind]:
        wb = pc.CalamineWorkbook.from_path(str(container.path))
        try:
            yield wb
        finally:
            wb.close()
        return
    with tempfile.TemporaryDirectory(prefix="kamxl-") as tmp:
        link = Path(tmp) / ("book" + _SUFFIXES[container.kind][0])
        try:
            os.symlink(container.path.resolve(), link)
        except OSError:
            link = container.path
        wb = pc.CalamineWorkbook.from_path(str(link))
        try:
            yield wb
        finally:
            wb.close()


def load_grids(container: Container, settings: Settings) -> tuple[list[Grid], list[Issue]]:
    """Every worksheet of the workbook as a Grid; unreadable sheets become issues."""
    import python_calamine as pc

    name = container.path.name
    issues: list[Issue] = []
    try:
        with _opened(container) as wb:
            metas = list(wb.sheets_metadata)
            grids: list[Grid] = []
            max_cells = settings.get("limits.max_sheet_cells")
            for meta in metas:
                if "WorkSheet" not in str(meta.typ):
                    continue  # chart and macro sheets hold no form data
                try:
                    sheet = wb.get_sheet_by_name(meta.name)
                    # rows are materialised from A1, so the extent counts from A1 too
                    nrows, ncols = (sheet.end[0] + 1, sheet.end[1] + 1) if sheet.end else (0, 0)
                    cells = nrows * ncols
                    if cells > max_cells:
                        issues.append(
                            settings.issue(
                                "sheet_too_large",
                                meta.name,
                                rows=f"{nrows:,}",
                                cols=f"{ncols:,}",
                                limit=f"{max_cells:,}",
                            )
                        )
                        continue
                    rows = sheet.to_python(skip_empty_area=False) if cells else []
                    merged = [(a[0], a[1], b[0], b[1]) for a, b in (sheet.merged_cell_ranges or [])]
                except pc.PasswordError:
                    raise
                except Exception as exc:  # calamine raises several error kinds per sheet
                    issues.append(settings.issue("sheet_unreadable", meta.name, detail=_detail(exc)))
                    continue
                grids.append(Grid(meta.name, rows, merged))
    except pc.PasswordError:
        raise Refused(settings.issue("encrypted", name=name)) from None
    except Refused:
        raise
    except Exception as exc:  # a file calamine cannot open at all
        raise Refused(settings.issue("corrupt_file", name=name, detail=_detail(exc))) from None
    if container.kind == "xlsx" and grids:
        issues += _attach_suspects(container, grids, settings)
    if not grids:
        raise Refused(settings.issue("no_worksheets", name=name))
    if all(not any(not _blank(v) for row in g.rows for v in row) for g in grids):
        raise Refused(settings.issue("empty_workbook", name=name))
    return grids, issues


_ARITH = re.compile(r"^=[\s$A-Z\d:+\-()]*$", re.I)
_REFS = re.compile(r"\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?", re.I)


def _col(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def _zero_is_right(grid: Grid, formula: str) -> bool:
    """A cached 0 is the true result of a sum or difference of blank/zero cells.

    Scripts (and kamxl's own templates) write 合计 rows and profit columns as
    formulas over still-empty cells; their 0 is right, not a stale placeholder.
    """
    plain = re.sub(r"SUM", "", formula, flags=re.I)
    if not _ARITH.match(plain):
        return False
    for m in _REFS.finditer(plain):
        c0, r0 = _col(m.group(1)), int(m.group(2)) - 1
        c1, r1 = (_col(m.group(3)), int(m.group(4)) - 1) if m.group(3) else (c0, r0)
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
        with zipfile.ZipFile(container.path) as zf:
            parts, full_calc = sheet_parts(zf)
            for grid in grids:
                part = parts.get(grid.name)
                if part is None:
                    continue
                try:
                    data = zf.read(part)
                except KeyError:
                    continue
                for s in scan_part(data, full_calc):
                    if s.problem == "stale_zero" and _zero_is_right(grid, s.formula):
                        continue
                    grid.suspects[(s.row, s.col)] = s
    except Exception as exc:  # the values were read; only this extra check failed
        return [settings.issue("formula_check_failed", detail=_detail(exc))]
    return []
