"""Reading the cells of one recognised sheet, with issues at their places.

The form parsers read cells only through a SheetContext, so a value that cannot
be read, a formula whose cached value is doubtful, or a label the vocabularies
lack is reported at its cell (and capped per code) instead of read as a
silent blank or zero.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, TypedDict, overload

from kamxl.config import Settings
from kamxl.issues import Issue, a1, column_letter
from kamxl.read.formulas import Problem
from kamxl.read.grid import Grid, Row
from kamxl.read.header import FormSpec, HeaderBlock
from kamxl.read.values import CellValue, Parsed, Quantity, TotalKind, Values, YearMonth, year_dot_month

if TYPE_CHECKING:
    import pandas as pd

_SUSPECT_CODES: dict[Problem, str] = {
    "no_value": "formula_no_value",
    "stale_zero": "formula_stale_zero",
    "error": "formula_error_value",
}
# The value parsers ``SheetContext.parse`` reads a kind of cell with, and the code of the issue
# it reports when a cell holds something the parser cannot read.
_PARSERS: dict[str, Callable[[Values, CellValue], Parsed[object]]] = {
    "number": Values.number,
    "quantity": Values.quantity,
    "percent": Values.percent,
    "date": Values.date,
    "time": Values.time,
    "month": Values.month,
    "score": Values.score,
    "close": Values.close_date,
}
_INVALID_CODES = {
    "number": "invalid_number",
    "quantity": "invalid_number",
    "percent": "invalid_percent",
    "date": "invalid_date",
    "time": "invalid_time",
    "month": "invalid_label",
    "score": "invalid_number",
    "close": "invalid_date",
}

_BRACKETED = re.compile(r"[(（\[【]([^)）\]】]+)[)）\]】]")
_UNIT_WORD = re.compile(r"^\s*(?:金额)?单位\s*[:：]?\s*|^\s*units?\s*[:：]?\s*", re.I)
_UNITS_ROW = re.compile(r"(?:单位|units?)\s*[:：]\s*([^\s)）,，;；:：]+)", re.I)

PureParser = Callable[[CellValue], Parsed[object]]
RowKind = Literal["data", "total"]
# appraisal: wide | long; pnl: months_as_rows | lines_as_rows
Layout = Literal["wide", "long", "months_as_rows", "lines_as_rows"]


class SheetMeta(TypedDict, total=False):
    """What a sheet says besides its tables; each form sets the keys it has."""

    title: str | None  # the first text above the header: names the region and period
    months: list[int]  # receivables, activities: the months that have columns
    factors: list[str]  # customers: the value-tier factors that have columns
    layout: Layout  # how the user laid the form out
    year: int | None  # calendar: the month it shows, from its title
    month: int | None
    key_events: list[str]  # calendar: the 本月大事 block
    notes: list[str]  # calendar: the 备注 block


@dataclass
class SheetData:
    """One recognised sheet: tidy tables, its header place and metadata.

    Every table has the columns ``sheet`` and ``row`` (the Excel row number),
    so later calculations can point issues at cells.
    """

    sheet: str
    form: str
    header_row: int  # 1-based Excel row of the top header row
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)  # field -> column letter
    meta: SheetMeta = field(default_factory=lambda: SheetMeta())
    area: str | None = None  # "A10:G14" when the sheet holds several tables (kamxl/read/tables.py)
    end: int = 0  # 0-based grid row of the table's last row read (header, items, totals)

    @property
    def rows(self) -> int:
        """Rows of the main table (a wide appraisal row counts once, whatever its indicators)."""
        main = self.tables.get("main")
        return 0 if main is None or main.empty else int(main["row"].nunique())


@dataclass
class TotalRow:
    """A row that sums other rows: what it sums, kept aside to be checked rather than read as an item."""

    kind: TotalKind
    name: str  # the group a subtotal names ("王伟 小计" -> "王伟", normalised), else ""
    span: list[int]  # grid rows of the items it sums: a subtotal's group, the rows above a 累计; [] = all
    col: int | None  # where its label is (None: an Excel table's total row without one)


class SheetContext:
    """Parses cells of one sheet, collecting capped issues with their cells."""

    def __init__(self, grid: Grid, settings: Settings, values: Values, spec: FormSpec):
        self.grid = grid
        self.settings = settings
        self.values = values
        self.spec = spec
        self.issues: list[Issue] = []
        self._counts: Counter[str] = Counter()
        self._cap: int = settings.get("limits.max_cell_issues")
        self._labels: dict[str, str] = {}
        self.total_rows: dict[int, TotalRow] = {}  # filled by ``body``
        self._said: set[str] = set()  # codes reported once per sheet (``once``)
        self.scales: dict[int, float] = {}  # money column -> factor to 元 (``set_units``)
        self._fill_cols: dict[str, int] = {}
        self._merged_below: dict[tuple[int, int], CellValue] = {}
        self._filled: dict[str, list[int]] = {}  # field -> grid rows filled, for ``finish``
        # what the ledger (kamxl/read/ledger.py) accounts for: every cell read, by column -> rows
        self.read: dict[int, set[int]] = {}
        self.skipped: set[int] = set()  # body rows not read, each with an issue in the row that says why
        self.noted: set[int] = set()  # rows kept aside as notes: signature lines, the note that ends the body
        self.block: HeaderBlock | None = None  # the header block the parser read, set by ``parse_sheet``

    @property
    def sheet(self) -> str:
        return self.grid.name

    def issue(self, code: str, row: int | None = None, col: int | None = None, /, **params: object) -> None:
        """Report at a cell (or the sheet); past the cap a code is only counted, for ``finish``."""
        self._counts[code] += 1
        if self._counts[code] > self._cap:
            return
        cell = a1(row, col) if row is not None and col is not None else None
        self.issues.append(self.settings.issue(code, self.sheet, cell, **params))

    def finish(self) -> list[Issue]:
        """The sheet's issues, with one "and N more" per code that passed the cap."""
        for fieldname, rows in self._filled.items():
            col = self._fill_cols[fieldname]
            self.issues.append(
                self.settings.issue(
                    "filled_down",
                    self.sheet,
                    a1(rows[0], col),
                    column=self.header_label(fieldname),
                    count=len(rows),
                )
            )
        self._filled.clear()
        for code, count in self._counts.items():
            if count > self._cap:
                self.issues.append(
                    self.settings.issue("more_cell_issues", self.sheet, count=count - self._cap, kind=code)
                )
        self._counts.clear()
        return self.issues

    def field_columns(self, block: HeaderBlock) -> dict[str, int]:
        """Each field the header names, at the first column that names it (a second one is reported)."""
        found: dict[str, int] = {}
        for c in sorted(block.paths):
            for label in block.paths[c]:
                field_name = self.spec.field_of(label)
                if field_name is None:
                    continue
                if field_name in found:
                    used, ignored = column_letter(found[field_name]), column_letter(c)
                    self.issue("duplicate_column", block.top, c, column=label, used=used, ignored=ignored)
                else:
                    found[field_name] = c
                break
        return found

    def missing_column(self, block: HeaderBlock, field_name: str) -> None:
        """Say the header lacks ``field_name``'s column."""
        form = self.settings.form_name(self.spec.name)
        label = self.header_label(field_name)
        self.issue("missing_column", block.top, None, form=form, row=block.top + 1, column=label)

    def lacks_required(self, block: HeaderBlock, cols: dict[str, int], required: Iterable[str] = ()) -> bool:
        """Report the first required column (the form's, or ``required``) the header lacks: without it the
        form cannot be read."""
        for name in required or self.spec.required:
            if name not in cols:
                self.missing_column(block, name)
                return True
        return False

    def header_label(self, fieldname: str) -> str:
        """The field's header in the user's language, for messages.

        Asked for every cell read, so it is remembered.
        """
        label = self._labels.get(fieldname)
        if label is None:
            try:
                label = self.settings.label(f"headers.{self.spec.name}.{fieldname}")
            except KeyError:
                label = fieldname
            self._labels[fieldname] = label
        return label

    # -- cell reading ----------------------------------------------------------
    def raw(self, row: int, col: int | None) -> CellValue:
        """The cell's value, reporting a formula whose cached value is doubtful (an error reads as blank)."""
        if col is None:
            return None
        self.mark(row, col)
        suspect = self.grid.suspects.get((row, col))
        if suspect is not None:
            code = _SUSPECT_CODES[suspect.problem]
            self.issue(code, row, col, formula=suspect.formula or "", value=suspect.value)
            if suspect.problem == "error":
                return None
        return self.grid.value(row, col)

    def mark(self, row: int, col: int) -> None:
        """Record a cell as read, for the ledger: a parser that reads the grid itself says so here."""
        rows = self.read.get(col)
        if rows is None:
            rows = self.read[col] = set()
        rows.add(row)

    def text(self, row: int, col: int | None) -> str | None:
        """The cell as text (see ``as_text``), its doubtful formula reported."""
        return self.as_text(self.raw(row, col))

    def as_text(self, value: CellValue) -> str | None:
        """A cell as the text a user sees: 3.0 as "3", dates in ISO form, blanks as None."""
        if self.values.is_blank(value):
            return None
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, (dt.datetime, dt.date)):
            return value.isoformat()
        return str(value).strip()

    def _text_at(self, row: int, col: int | None, value: CellValue) -> str | None:
        """A cell as text, a number formatted 00000 with its leading zeros (an ID such as 00123)."""
        width = self.grid.parts.padded.get((row, col)) if col is not None else None
        if width and isinstance(value, (int, float)) and not isinstance(value, bool) and value == int(value):
            return str(int(value)).zfill(width)
        return self.as_text(value)

    def once(self, code: str, row: int | None = None, col: int | None = None, /, **params: object) -> None:
        """Report ``code`` at its first cell only: a habit of the whole sheet is said once."""
        if code not in self._said:
            self._said.add(code)
            self.issue(code, row, col, **params)

    @overload
    def parse(
        self, kind: Literal["number", "percent", "time"], row: int, col: int | None, column: str = ""
    ) -> float | None: ...
    @overload
    def parse(self, kind: Literal["date"], row: int, col: int | None, column: str = "") -> dt.date | None: ...
    @overload
    def parse(
        self, kind: Literal["month"], row: int, col: int | None, column: str = ""
    ) -> YearMonth | None: ...
    @overload
    def parse(
        self, kind: Literal["quantity"], row: int, col: int | None, column: str = ""
    ) -> Quantity | None: ...
    @overload
    def parse(self, kind: Literal["text"], row: int, col: int | None, column: str = "") -> str | None: ...
    @overload
    def parse(self, kind: str, row: int, col: int | None, column: str = "") -> object: ...

    def parse(self, kind: str, row: int, col: int | None, column: str = "") -> object:
        """Parse a cell as ``kind`` ("number", "label:<vocab>", …); warn at the cell when it cannot be read.

        ``column`` is the header named in the warning.
        """
        if kind == "number" and col in self.scales:
            return self._scaled(row, col)
        if kind == "number" and col is not None and (row, col) not in self.grid.suspects:
            # the common case, a plain number or nothing, without the general path's calls
            self.mark(row, col)
            value = self.grid.value(row, col)
            if type(value) is float and value - value == 0:  # neither NaN nor ±inf
                return value
            if type(value) is int:
                return float(value)
            if value is None or value == "":  # calamine gives "" for an empty cell inside the used range
                return None
        value = self.raw(row, col)
        if kind == "text":
            return self._text_at(row, col, value)
        if kind.startswith("label:"):
            vocab = kind[6:]
            code, ok = self.values.label(vocab, value)
            if not ok:
                allowed = "/".join(self.values.aliases(vocab))
                self.issue("invalid_label", row, col, value=value, column=column, allowed=allowed)
            return code
        parsed, ok = _PARSERS[kind](self.values, value)
        if (
            not ok
            and kind == "close"
            and isinstance(value, float)
            and (found := year_dot_month(value)) is not None
            and found[1] == 0
        ):
            self.issue("ambiguous_month", row, col, value=value, year=found[0])  # 2026.1: Jan or Oct?
        elif not ok:
            self.issue(_INVALID_CODES[kind], row, col, value=value, column=column, allowed="1–12")
        return parsed

    def quick_column(
        self, rows: list[int], col: int, kind: str, parser: PureParser | None = None
    ) -> tuple[list[object], list[int]]:
        """Column ``col`` of ``rows`` where a type check (or ``parser``) is enough to read a cell.

        ``parser`` must be pure: value -> (parsed, ok), no issues. Returns the
        values and the indices of the rows left for the general path (text such
        as "1,200" or "3万", a label not known, formulas in doubt), which also
        says what is wrong with a cell. Most cells of a big sheet are plain, so
        a column is read without a call per cell.
        """
        grid, is_blank = self.grid.rows, self.values.is_blank
        self.read.setdefault(col, set()).update(rows)
        doubtful = {r for r, c in self.grid.suspects if c == col}
        values: list[object] = [None] * len(rows)
        slow: list[int] = []
        for i, r in enumerate(rows):
            cells = grid[r]
            value = cells[col] if col < len(cells) else None
            if r in doubtful:
                slow.append(i)
            elif value is None or value == "":  # calamine gives "" for an empty cell inside the used range
                pass
            elif kind == "number" and col in self.scales:  # money in 万元: scaled, text checked for units
                slow.append(i)
            elif kind == "number" and type(value) is float and value - value == 0:  # neither NaN nor ±inf
                values[i] = value
            elif kind == "number" and type(value) is int:
                values[i] = float(value)
            elif kind == "text" and type(value) is str:
                values[i] = None if is_blank(value) else value.strip()
            elif parser is not None and (parsed := parser(value))[1]:
                values[i] = parsed[0]
            else:
                slow.append(i)
        return values, slow

    def numbers(self, rows: list[int], cols: list[int]) -> dict[int, list[object]]:
        """``parse("number", r, c)`` for every row of each column, one list (of float | None) per column.

        Issues come out in reading order, as reading cell by cell would give them.
        """
        out: dict[int, list[object]] = {}
        slow: list[tuple[int, int]] = []
        for col in cols:
            out[col], left = self.quick_column(rows, col, "number")
            slow += [(i, col) for i in left]
        for i, col in sorted(slow):
            out[col][i] = self.parse("number", rows[i], col)
        return out

    def letter(self, col: int | None) -> str | None:
        """The column's letters for a table's ``*_col`` column, None where the form has no such column."""
        return None if col is None else column_letter(col)

    # -- units ------------------------------------------------------------------
    def set_units(self, block: HeaderBlock, cols: Iterable[int]) -> None:
        """Read the money columns ``cols`` in 元, whatever unit the header or a units row names.

        A unit in a column's header (金额(万元), 总欠款（千元）) wins over a units
        row above the header ("单位:万元", "单位：元", or inside the title). One
        info issue per unit says it was applied.
        """
        sheet_unit = self._units_row(block)
        for col in cols:
            unit = self._header_unit(block.paths.get(col, ())) or sheet_unit
            if unit is None or unit[1] == 1:  # in 元 already
                continue
            text, factor = unit
            self.scales[col] = factor
            if f"units:{text}" not in self._said:
                self._said.add(f"units:{text}")
                self.issue("units_applied", block.top, col, unit=text, factor=f"{factor:,.0f}")

    def _money_unit(self, text: str) -> tuple[str, float] | None:
        """(unit as written, factor to 元) of a money unit such as 万元, or None."""
        code, _ = self.values.label("money_unit", text.strip())
        return (text.strip(), float(code)) if code else None

    def _header_unit(self, path: tuple[CellValue, ...]) -> tuple[str, float] | None:
        """The money unit in brackets in a column's header labels: 金额(万元), 应收（单位:千元）."""
        for label in path:
            for inside in _BRACKETED.findall(label if isinstance(label, str) else ""):
                unit = self._money_unit(_UNIT_WORD.sub("", inside))
                if unit:
                    return unit
        return None

    def _units_row(self, block: HeaderBlock) -> tuple[str, float] | None:
        """The unit a cell above the header names: "单位:万元", "金额单位：元", "Unit: CNY 10k"."""
        for r in range(block.top):
            for value in self.grid.rows[r]:
                match = _UNITS_ROW.search(value) if isinstance(value, str) else None
                unit = self._money_unit(match.group(1)) if match else None
                if unit:
                    return unit
        return None

    def _scaled(self, row: int, col: int) -> float | None:
        """A money cell of a column in 万元 (or another unit), in 元.

        "1.5万" in a 万元 column says its unit twice: it is refused at its
        cell (``unit_conflict``), never read as 15,000 nor as 150,000,000.
        """
        value = self.raw(row, col)
        factor = self.scales[col]
        if isinstance(value, str) and factor != 1 and self.values.has_unit(value):
            self.issue("unit_conflict", row, col, value=value)
            return None
        number, ok = self.values.number(value)
        if not ok:
            self.issue("invalid_number", row, col, value=value)
            return None
        return None if number is None else number * factor

    # -- body rows -------------------------------------------------------------
    def first_cells(self, cells: Row) -> list[tuple[int, CellValue]]:
        """The row's first two non-blank (column, value).

        That is all ``body`` looks at, found without testing every cell of a wide row.
        """
        found: list[tuple[int, CellValue]] = []
        is_blank = self.values.is_blank
        for c, value in enumerate(cells):
            value_type = type(value)
            if (
                (value_type is float and value == value)
                or value_type is int
                or (value is not None and value_type is not float and not is_blank(value))
            ):
                found.append((c, value))
                if len(found) == 2:
                    break
        return found

    def body(
        self, block: HeaderBlock, key_col: int | None, section: Callable[[int], bool] | None = None
    ) -> Iterator[tuple[int, RowKind]]:
        """Yield (row, kind) under the header: kind is "data" or "total" (any row that sums others).

        Blank spacer rows are skipped; a note row ("备注:…") ends the table;
        a lone text cell outside the key column is a remark, not data.
        ``section(r)`` may claim a row first (e.g. a date heading); it is skipped.
        Each total row's kind and the rows it sums are kept in ``total_rows``.
        """
        values = self.values
        after_total = False
        since: list[int] = []  # data rows since the last subtotal
        above: list[int] = []  # every data row so far
        for r in range(block.bottom + 1, self.grid.nrows):
            cells = self.first_cells(self.grid.rows[r])
            if not cells:
                continue
            if section is not None and section(r):
                continue
            first_col, first_value = cells[0]
            total = self._total_row(r, cells, since, above)
            if total is not None:
                self.total_rows[r] = total
                if total.kind == "subtotal":
                    since = []
                # a grand total under the rows ends them; one above the rows (on top) does not
                after_total = after_total or (total.kind == "total" and bool(above))
                yield r, "total"
                continue
            if values.is_note(first_value):
                self.noted.add(r)
                return
            if values.is_signature(first_value):  # 制表:王伟 审核:李娜 — a note, not a row
                self.noted.add(r)
                self.issue("signature_row", r, first_col, text=self.as_text(first_value))
                continue
            if len(cells) == 1 and isinstance(first_value, str) and (after_total or first_col != key_col):
                if after_total:  # a remark under the totals ends the table: a note, like 备注
                    self.noted.add(r)
                    return
                continue
            since.append(r)
            above.append(r)
            yield r, "data"

    def _total_row(
        self, row: int, cells: list[tuple[int, CellValue]], since: list[int], above: list[int]
    ) -> TotalRow | None:
        """The row as a total (by the words in its first two cells), or None for an item."""
        named = bool(self.settings.get(f"forms.{self.spec.name}").get("named_totals", False))
        for col, value in cells[:2]:
            found = self.values.total_kind(value, named)
            if found is not None:
                kind, name = found
                span = {"total": [], "subtotal": list(since), "cumulative": list(above)}[kind]
                return TotalRow(kind, name, span, col)
        if row in self.grid.parts.table_total_rows:  # an Excel table's total row, with no label
            return TotalRow("total", "", [], None)
        return None

    # -- keys written once over a group of rows -----------------------------------
    def start_fill(self, cols: dict[str, int]) -> None:
        """Get ready to fill the form's ``fill_down`` columns (defaults.toml, per form) of its item rows.

        The grid's rows are copied first, so the filled values are this sheet
        context's own reading and the Grid itself stays as the file has it.
        """
        fields: list[str] = self.settings.get(f"forms.{self.spec.name}").get("fill_down", [])
        self._fill_cols = {name: cols[name] for name in fields if name in cols}
        if not self._fill_cols:
            return
        self.grid = dataclasses.replace(self.grid, rows=list(self.grid.rows))
        wanted = set(self._fill_cols.values())
        for r0, c0, r1, c1 in self.grid.merged:
            for col in wanted & set(range(c0, c1 + 1)):
                for r in range(r0 + 1, r1 + 1):
                    self._merged_below[(r, col)] = self.grid.value(r0, c0)

    def fill_row(self, row: int, above: int | None, key: str) -> None:
        """Fill the blank ``fill_down`` cells of an item row (see docs/forms.md, "Body rows").

        From the merged range that covers the cell; else, when the row holds
        figures, from ``above`` (the item row right above it, None after a gap,
        a total or a heading). A column other than ``key`` is filled from above
        only while the row goes on with the group above (its key filled or the same):
        a new customer does not inherit the last customer's owner.
        """
        if not self._fill_cols:
            return
        is_blank = self.values.is_blank
        fill_cols = set(self._fill_cols.values())

        def has_figures() -> bool:  # asked only of a row with a blank cell to fill: most rows have none
            return any(
                not is_blank(value) for c, value in enumerate(self.grid.rows[row]) if c not in fill_cols
            )

        same_group = key not in self._fill_cols
        for name in sorted(self._fill_cols, key=lambda field_name: field_name != key):
            col = self._fill_cols[name]
            if not is_blank(self.grid.value(row, col)):
                if name == key and above is not None:
                    same_group = self.grid.value(row, col) == self.grid.value(above, col)
                continue
            value = self._merged_below.get((row, col))
            if value is None and above is not None and (name == key or same_group) and has_figures():
                value = self.grid.value(above, col)
            if is_blank(value):
                continue
            self._set(row, col, value)
            self._filled.setdefault(name, []).append(row)
            same_group = same_group or name == key

    def _set(self, row: int, col: int, value: CellValue) -> None:
        """Write a filled value into this context's copy of the row."""
        cells = list(self.grid.rows[row])
        cells += [None] * (col + 1 - len(cells))
        cells[col] = value
        rows = self.grid.rows
        assert isinstance(rows, list)  # copied by ``start_fill``
        rows[row] = cells
