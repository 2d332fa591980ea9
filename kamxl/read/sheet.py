"""Reading the cells of one recognised sheet, with issues at their places."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from kamxl.config import Settings
from kamxl.issues import Issue, a1, column_letter
from kamxl.read.grid import Grid
from kamxl.read.header import FormSpec, HeaderBlock
from kamxl.read.values import Values

_SUSPECT_CODES = {
    "no_value": "formula_no_value",
    "stale_zero": "formula_stale_zero",
    "error": "formula_error_value",
}


@dataclass
class SheetData:
    """One recognised sheet: tidy tables, its header place and metadata.

    Every table has the columns ``sheet`` and ``row`` (the Excel row number),
    so later calculations can point issues at cells.
    """

    sheet: str
    form: str
    header_row: int  # 1-based Excel row of the top header row
    tables: dict = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)  # field -> column letter
    meta: dict = field(default_factory=dict)

    @property
    def rows(self) -> int:
        main = self.tables.get("main")
        return 0 if main is None or main.empty else int(main["row"].nunique())


class SheetContext:
    """Parses cells of one sheet, collecting capped issues with their cells."""

    def __init__(self, grid: Grid, settings: Settings, values: Values, spec: FormSpec):
        self.grid = grid
        self.settings = settings
        self.values = values
        self.spec = spec
        self.issues: list[Issue] = []
        self._counts: Counter = Counter()
        self._cap = settings.get("limits.max_cell_issues")
        self._labels: dict[str, str] = {}

    @property
    def sheet(self) -> str:
        return self.grid.name

    def issue(self, code: str, r: int | None = None, c: int | None = None, **args) -> None:
        self._counts[code] += 1
        if self._counts[code] > self._cap:
            return
        cell = a1(r, c) if r is not None and c is not None else None
        self.issues.append(self.settings.issue(code, self.sheet, cell, **args))

    def finish(self) -> list[Issue]:
        for code, n in self._counts.items():
            if n > self._cap:
                self.issues.append(
                    self.settings.issue("more_cell_issues", self.sheet, count=n - self._cap, kind=code)
                )
        self._counts.clear()
        return self.issues

    def header_label(self, fieldname: str) -> str:
        """The field's header in the user's language, for messages (asked for every cell read: remembered)."""
        label = self._labels.get(fieldname)
        if label is None:
            try:
                label = self.settings.label(f"headers.{self.spec.name}.{fieldname}")
            except KeyError:
                label = fieldname
            self._labels[fieldname] = label
        return label

    # -- cell reading ----------------------------------------------------------
    def raw(self, r: int, c: int | None):
        if c is None:
            return None
        suspect = self.grid.suspects.get((r, c))
        if suspect is not None:
            code = _SUSPECT_CODES[suspect.problem]
            self.issue(code, r, c, formula=suspect.formula or "", value=suspect.value)
            if suspect.problem == "error":
                return None
        return self.grid.value(r, c)

    def text(self, r: int, c: int | None) -> str | None:
        return self.as_text(self.raw(r, c))

    def as_text(self, v) -> str | None:
        if self.values.is_blank(v):
            return None
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        if isinstance(v, (dt.datetime, dt.date)):
            return v.isoformat()
        return str(v).strip()

    def parse(self, kind: str, r: int, c: int | None, column: str = "", **kw):
        """Parse a cell as ``kind``; warn at the cell when it cannot be read."""
        if kind == "number" and c is not None and (r, c) not in self.grid.suspects:
            # the common case, a plain number or nothing, without the general path's calls
            v = self.grid.value(r, c)
            t = type(v)
            if t is float and v - v == 0:  # neither NaN nor ±inf
                return v
            if t is int:
                return float(v)
            if v is None or v == "":  # calamine gives "" for an empty cell inside the used range
                return None
        v = self.raw(r, c)
        if kind == "text":
            return self.as_text(v)
        if kind.startswith("label:"):
            vocab = kind[6:]
            value, ok = self.values.label(vocab, v)
            if not ok:
                allowed = "/".join(self.values.aliases(vocab))
                self.issue("invalid_label", r, c, value=v, column=column, allowed=allowed)
            return value
        parser = getattr(self.values, kind)
        value, ok = parser(v, **kw)
        if not ok:
            code = {
                "number": "invalid_number",
                "quantity": "invalid_number",
                "percent": "invalid_percent",
                "date": "invalid_date",
                "time": "invalid_time",
                "month": "invalid_label",
            }[kind]
            self.issue(code, r, c, value=v, column=column, allowed="1–12")
        return value

    def quick_column(self, rows: list[int], c: int, kind: str, parser=None) -> tuple[list, list[int]]:
        """Column ``c`` of ``rows`` where a type check (or ``parser``, pure: value -> (parsed, ok)) is enough to read a cell.

        Returns the values and the indices of the rows left for the general path
        (text such as "1,200" or "3万", a label not known, formulas in doubt),
        which also says what is wrong with a cell. Most cells of a big sheet are
        plain, so a column is read without a call per cell.
        """
        grid, is_blank = self.grid.rows, self.values.is_blank
        doubtful = {r for r, cc in self.grid.suspects if cc == c}
        values, slow = [None] * len(rows), []
        for i, r in enumerate(rows):
            row = grid[r]
            v = row[c] if c < len(row) else None
            t = type(v)
            if r in doubtful:
                slow.append(i)
            elif v is None or v == "":  # calamine gives "" for an empty cell inside the used range
                pass
            elif kind == "number" and t is float and v - v == 0:  # neither NaN nor ±inf
                values[i] = v
            elif kind == "number" and t is int:
                values[i] = float(v)
            elif kind == "text" and t is str:
                values[i] = None if is_blank(v) else v.strip()
            elif parser is not None and (parsed := parser(v))[1]:
                values[i] = parsed[0]
            else:
                slow.append(i)
        return values, slow

    def numbers(self, rows: list[int], cols: list[int]) -> dict[int, list]:
        """``parse("number", r, c)`` for every row of each column, as one list per column; issues in reading order."""
        out: dict[int, list] = {}
        slow: list[tuple[int, int]] = []
        for c in cols:
            out[c], left = self.quick_column(rows, c, "number")
            slow += [(i, c) for i in left]
        for i, c in sorted(slow):
            out[c][i] = self.parse("number", rows[i], c)
        return out

    def letter(self, c: int | None) -> str | None:
        return None if c is None else column_letter(c)

    # -- body rows -------------------------------------------------------------
    def first_cells(self, row: list) -> list[tuple[int, object]]:
        """The row's first two non-blank (column, value): all ``body`` looks at, without testing every cell of a wide row."""
        found = []
        is_blank = self.values.is_blank
        for c, v in enumerate(row):
            t = type(v)
            if (t is float and v == v) or t is int or (v is not None and t is not float and not is_blank(v)):
                found.append((c, v))
                if len(found) == 2:
                    break
        return found

    def body(self, block: HeaderBlock, key_col: int | None, section=None):
        """Yield (row, kind) under the header: kind is "data" or "total".

        Blank spacer rows are skipped; a note row ("备注:…") ends the table;
        a lone text cell outside the key column is a remark, not data.
        ``section(r)`` may claim a row first (e.g. a date heading); it is skipped.
        """
        values = self.values
        after_total = False
        for r in range(block.bottom + 1, self.grid.nrows):
            cells = self.first_cells(self.grid.rows[r])
            if not cells:
                continue
            if section is not None and section(r):
                continue
            first_c, first_v = cells[0]
            if any(values.is_total(v) for _, v in cells[:2]):
                after_total = True
                yield r, "total"
                continue
            if values.is_note(first_v):
                return
            if len(cells) == 1 and isinstance(first_v, str) and (after_total or first_c != key_col):
                if after_total:
                    return
                continue
            yield r, "data"
