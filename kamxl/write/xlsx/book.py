"""The report workbook's shared machinery: formats, safe cell writers, widths, charts, print setup.

Every cell the report writes goes through ``Sheet``: input text always as
text (never a formula or link), numbers with their format, formulas with the
cached value Python computed, and column widths that fit CJK text. The look
(formats, widths, chart sizes and colours) comes from the settings'
``[formats]`` and ``[charts]``, so a user changes it without touching code.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from numbers import Real
from pathlib import Path
from typing import Any, NamedTuple

import xlsxwriter
from xlsxwriter.utility import quote_sheetname
from xlsxwriter.worksheet import Worksheet

try:  # XlsxWriter's cell records, for FormulaWorksheet's shortcuts
    from xlsxwriter.utility import xl_rowcol_to_cell_fast
    from xlsxwriter.worksheet import CellFormulaTuple, CellNumberTuple, CellStringTuple

    SHORTCUTS = True
except (
    ImportError
):  # pragma: no cover - an XlsxWriter that keeps its cells otherwise: its own writers, one cell at a time
    SHORTCUTS = False

from kamxl.config import Settings
from kamxl.issues import Issue, column_letter
from kamxl.text import display_width

MAX_TEXT = 32767  # Excel's limit on one cell's text
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
# Conditional formats: no base font or alignment, the cell keeps its own
CONDITIONAL_FORMATS = frozenset({"good", "bad", "grid"})

EXCEL_EPOCH = dt.datetime(
    1899, 12, 30
)  # serial 0 of Excel's 1900 date system, for dates after its phantom 1900-02-29
DEFAULT_WIDTH = 8.43  # Excel's default column width, in characters
NARROWEST = 6  # a fitted column is never narrower
FIT_CAP = 48  # nor wider, unless set: longer text wraps or runs on
HEADER_CAP = 24  # a header wraps rather than widen its column further
HIDDEN_WIDTH = 8
DATE_WIDTH = 12
PERCENT_WIDTH = 8
LINE_HEIGHT = 15.0  # points per line of 10-point text in a CJK font (YaHei / Noto CJK lines are ~1.4 em)
ROW_PADDING = 4.0
DEFAULT_ROW_POINTS = 15.0  # a row of 10-point text as Excel sets it (LibreOffice prints it print.row_px high)
MAX_ROW_HEIGHT = 409  # Excel's limit on a row's height, in points
ROW_PX = 20  # a default row's height in pixels (15 points at 96 dpi)
A4 = 9  # XlsxWriter's paper code

# Excel's dynamic-array functions, which XlsxWriter must prefix with _xlfn.; kamxl's own formulas use none.
_DYNAMIC = re.compile(
    r"\b(?:ANCHORARRAY|BYCOL|BYROW|CHOOSECOLS|CHOOSEROWS|DROP|EXPAND|FILTER|HSTACK|LAMBDA|MAKEARRAY|MAP|RANDARRAY|"
    r"REDUCE|SCAN|SINGLE|SEQUENCE|SORT|SORTBY|SWITCH|TAKE|TEXTSPLIT|TOCOL|TOROW|UNIQUE|VSTACK|WRAPCOLS|WRAPROWS|XLOOKUP)\("
)
_NO_DIGITS = str.maketrans("", "", "0123456789")


class KeyCell(NamedTuple):
    """A key figure's cell, which the summary sheet links to: where it is, its value and how to show it."""

    sheet: str
    row: int
    col: int
    value: Any
    fmt: str


KeyCells = dict[str, KeyCell]  # "receivables.total_owed" -> its cell


class PlacedChart(NamedTuple):
    """A chart on a sheet: where its top-left corner is, how tall it is, and the chart (its width can still
    change before the workbook is closed)."""

    row: int
    col: int
    x_offset: int  # pixels right of its column's left edge
    height: int
    chart: Any

    @property
    def width(self) -> int:
        return int(self.chart.width)


class FormulaWorksheet(Worksheet):  # type: ignore[misc,unused-ignore]
    """XlsxWriter's worksheet (through its ``worksheet_class`` hook) with its per-cell work made cheaper.

    XlsxWriter's ``_prepare_formula`` runs a substitution per dynamic-array
    function on every formula; a report of 100,000 rows has 800,000 formulas.
    When none occurs (kamxl writes none, and ``use_future_functions`` is off)
    the formula needs only its "=" removed; otherwise XlsxWriter does its work.
    ``put_column``, ``_write_cell`` and ``_calculate_spans`` are below; tests
    compare what each stores and writes with XlsxWriter's own, byte for byte.
    """

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        if (
            not self.use_future_functions
            and not expand_future_functions
            and formula[:1] != "{"
            and not _DYNAMIC.search(formula)
        ):
            return formula[1:] if formula.startswith("=") else formula
        return str(super()._prepare_formula(formula, expand_future_functions))

    def _write_cell(self, row: int, col: int, cell: Any) -> None:
        """XlsxWriter's innermost loop, taken in one step for the three kinds of cell a big report is made of.

        A formatted number, a formatted shared string and a formula with a
        number cached are written with one f-string; the XML is byte for byte
        what XlsxWriter writes (a test compares them), and every other cell
        goes through XlsxWriter. At 500,000 cells this is a fifth of the run.
        """
        kind, fmt = cell.__class__, cell.format
        if SHORTCUTS and fmt is not None:
            if kind is CellNumberTuple:
                where, style = xl_rowcol_to_cell_fast(row, col), fmt._get_xf_index()
                self.fh.write(f'<c r="{where}" s="{style}"><v>{cell.number:.16G}</v></c>')
                return
            if (
                kind is CellStringTuple and not self.constant_memory
            ):  # the string is its shared string's index
                where, style = xl_rowcol_to_cell_fast(row, col), fmt._get_xf_index()
                self.fh.write(f'<c r="{where}" s="{style}" t="s"><v>{cell.string}</v></c>')
                return
            if kind is CellFormulaTuple and type(cell.value) is float:
                where, style, formula = xl_rowcol_to_cell_fast(row, col), fmt._get_xf_index(), cell.formula
                if "&" in formula or "<" in formula or ">" in formula:
                    formula = formula.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                self.fh.write(f'<c r="{where}" s="{style}"><f>{formula}</f><v>{cell.value}</v></c>')
                return
        super()._write_cell(row, col, cell)

    def _calculate_spans(self) -> None:
        """XlsxWriter's row spans (the columns in use per 16 rows), from each row's columns at once."""
        if self.comments or self.dim_rowmin is None:
            super()._calculate_spans()
            return
        spans: dict[int, str] = {}
        low: int | None = None
        high = 0
        table = self.table
        for row_num in range(self.dim_rowmin, self.dim_rowmax + 1):
            cols = table.get(row_num)
            if cols:
                first, last = min(cols), max(cols)
                low, high = (first, last) if low is None else (min(low, first), max(high, last))
            if ((row_num + 1) % 16 == 0 or row_num == self.dim_rowmax) and low is not None:
                spans[row_num // 16] = f"{low + 1}:{high + 1}"
                low = None
        self.row_spans = spans

    def put_column(self, row0: int, col: int, kind: str, items: Sequence[Any], cell_format: Any) -> None:
        """One column of cells from ``row0`` down, stored as XlsxWriter's writers store them, checked once.

        ``kind`` is "number" (floats; None: no cell), "string" (str; None: a
        blank cell with the format) or "formula" ((formula without "=",
        cached value) pairs). Whatever the shortcut does not cover (constant
        memory, cells out of the sheet, long strings, array or dynamic
        formulas) goes through XlsxWriter's own writers, one cell at a time.
        """
        present = (
            [i for i, item in enumerate(items) if item is not None] if kind == "number" else range(len(items))
        )
        if not present:
            return
        fast = (
            SHORTCUTS
            and not self.constant_memory
            and self._check_dimensions(row0 + present[0], col) == 0
            and self._check_dimensions(row0 + present[-1], col) == 0
        )
        if fast and kind == "formula":
            fast = self._plain_formulas([formula for formula, _ in items])
        if kind == "number":
            self._put_numbers(row0, col, items, cell_format, fast)
        elif kind == "string":
            self._put_strings(row0, col, items, cell_format, fast)
        else:
            self._put_formulas(row0, col, items, cell_format, fast)

    def _plain_formulas(self, formulas: list[str]) -> bool:
        """No array or dynamic formula among them: a column's formulas differ in their row numbers, so
        each shape is checked once (no dynamic function's name has a digit)."""
        shapes = set("\n".join(formulas).translate(_NO_DIGITS).split("\n"))
        return not self.use_future_functions and not any(
            shape[:1] in ("{", "=") or _DYNAMIC.search(shape) for shape in shapes
        )

    def _put_numbers(self, row0: int, col: int, numbers: Sequence[Any], cell_format: Any, fast: bool) -> None:
        table = self.table
        for row, number in enumerate(numbers, row0):
            if number is not None:
                if fast:
                    table[row][col] = CellNumberTuple(number, cell_format)
                else:
                    self.write_number(row, col, number, cell_format)

    def _put_strings(self, row0: int, col: int, strings: Sequence[Any], cell_format: Any, fast: bool) -> None:
        table, index = self.table, self.str_table._get_shared_string_index
        quick_length = self.xls_strmax // 2  # no longer than XlsxWriter's own quick length check passes
        for row, string in enumerate(strings, row0):
            if string is None:
                self.write_blank(row, col, None, cell_format)
            elif fast and len(string) <= quick_length:
                table[row][col] = CellStringTuple(index(string), cell_format)
            else:
                self.write_string(row, col, string, cell_format)

    def _put_formulas(self, row0: int, col: int, pairs: Sequence[Any], cell_format: Any, fast: bool) -> None:
        table = self.table
        for row, (formula, value) in enumerate(pairs, row0):
            if fast:
                table[row][col] = CellFormulaTuple(formula, cell_format, value)
            else:
                self.write_formula(row, col, formula, cell_format, value)


try:  # pandas' NA, without importing pandas at module import for nothing
    import pandas as _pd

    _NA: Any = _pd.NA
except ImportError:  # pragma: no cover
    _NA = object()


def records(frame: Any) -> list[dict[str, Any]]:
    """A DataFrame's rows as dicts, column by column (several times faster than ``to_dict("records")``)."""
    cols = list(frame.columns)
    if not cols:
        return [{} for _ in range(len(frame))]
    columns = [frame[name].tolist() for name in cols]
    return [dict(zip(cols, values, strict=True)) for values in zip(*columns, strict=True)]


def column_of(frame: Any, name: str) -> list[Any]:
    """A column's values as a list, or blanks when the table has no such column (an optional field)."""
    return list(frame[name].tolist()) if name in frame else [None] * len(frame)


def is_blank(value: Any) -> bool:
    return value is None or value is _NA or (isinstance(value, float) and math.isnan(value))


def safe_sheet_name(name: str) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\ ."""
    return _BAD_SHEET_CHARS.sub("_", name)[:31] or "Sheet"


def cell(row: int, col: int, row_abs: bool = False, col_abs: bool = False) -> str:
    """A 0-based cell as A1 text, either part absolute: cell(4, 1, True, True) is $B$5."""
    return f"{'$' if col_abs else ''}{column_letter(col)}{'$' if row_abs else ''}{row + 1}"


def ref(sheet: str, row: int, col: int, absolute: bool = False) -> str:
    """A reference to a cell of another sheet: '应收帐款'!$B$5."""
    return f"{quote_sheetname(sheet)}!{cell(row, col, absolute, absolute)}"


def rng(row0: int, col0: int, row1: int, col1: int, absolute: bool = False) -> str:
    """A range as A1 text, all absolute or all relative."""
    return f"{cell(row0, col0, absolute, absolute)}:{cell(row1, col1, absolute, absolute)}"


def quote(text: str) -> str:
    """A string literal inside a formula."""
    return '"' + text.replace('"', '""') + '"'


def new_workbook(path: Path, settings: Settings, rows: int) -> Any:
    """An XlsxWriter workbook that writes text as text (never a formula, link or number) and NaN as blank.

    A workbook of fewer than ``output.in_memory_rows`` table rows is put
    together in memory: for a small one XlsxWriter's temporary files cost more.
    """
    return xlsxwriter.Workbook(
        str(path),
        {
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "nan_inf_to_errors": False,
            "in_memory": rows < settings.get("output.in_memory_rows"),
        },
    )


def cell_formats(workbook: Any, settings: Settings, names: Iterable[str] | None = None) -> dict[str, Any]:
    """XlsxWriter formats from ``formats.cells`` (only ``names`` if given).

    All but the conditional ones are on the base font."""
    base = {"font_name": settings.get(f"formats.font.{settings.lang}"), **settings.get("formats.base")}
    specs: Mapping[str, dict[str, Any]] = settings.get("formats.cells")
    wanted = specs if names is None else names
    return {
        name: workbook.add_format(dict(specs[name]) if name in CONDITIONAL_FORMATS else base | specs[name])
        for name in wanted
    }


class Book:
    """The report workbook: formats shared by its sheets, the look from the settings, warnings about it."""

    def __init__(self, wb: Any, settings: Settings, meta: Mapping[str, str]):
        self.wb, self.settings, self.meta = wb, settings, meta
        self.fmt = cell_formats(wb, settings)
        self.issues: list[Issue] = []
        self.sheets: dict[str, Sheet] = {}

    def label(self, key: str, **args: Any) -> str:
        return self.settings.label(key, **args)

    def heading(self, key: str) -> str:
        """A column's heading: the catalogue's ``report.cols.<key>``."""
        return self.settings.label(f"report.cols.{key}")

    def width(self, name: str) -> float:
        """A column width the settings decide (``formats.widths``)."""
        return float(self.settings.get(f"formats.widths.{name}"))

    @property
    def colours(self) -> Mapping[str, Any]:
        """The charts' colours (``charts.colours``)."""
        colours: Mapping[str, Any] = self.settings.get("charts.colours")
        return colours

    @property
    def style(self) -> Mapping[str, Any]:
        """The charts' axis formats, marker and line sizes (``charts.style``)."""
        style: Mapping[str, Any] = self.settings.get("charts.style")
        return style

    def chart_spec(self, name: str) -> Mapping[str, Any]:
        """One chart's size and place (``charts.<name>``)."""
        spec: Mapping[str, Any] = self.settings.get(f"charts.{name}")
        return spec

    def value_axis(
        self, key: str, number_format: str, values: Iterable[Any] = (), **extra: Any
    ) -> dict[str, Any]:
        """A value axis titled with what it measures and its unit (``report.axes.<key>``), from 0.

        Excel starts a column chart's axis near its smallest bar: 261,000 against 296,500 on an axis
        from 240,000 looks like a 40 % shortfall. An axis whose figures are all negative ends at 0 instead.
        """
        numbers = [float(value) for value in values if _finite(value)]
        axis: dict[str, Any] = {
            "name": self.label(f"report.axes.{key}"),
            "num_format": self.style[number_format],
        }
        if not numbers or min(numbers) >= 0:
            axis["min"] = 0
        elif max(numbers) <= 0:
            axis["max"] = 0
        return {**axis, **extra}

    def add_chart(self, kind: str, subtype: str | None = None) -> Any:
        return self.wb.add_chart({"type": kind} if subtype is None else {"type": kind, "subtype": subtype})

    def close(self) -> None:
        """Settle what depends on the whole sheet (column widths, pages wide), then write the file."""
        for sheet in self.sheets.values():
            sheet.apply_widths()
            sheet.fit_rows()
            sheet.fit_pages()
        self.wb.close()

    def add(self, key: str, name: str | None = None) -> Sheet:
        """The sheet for ``key``, created on first use (so tab order is the order of first use).

        Its name is the catalogue's ``report.sheets.<key>``, or ``name`` made
        safe and unique (an employee's sheet)."""
        if key in self.sheets:
            return self.sheets[key]
        if name is None:
            name = safe_sheet_name(self.label(f"report.sheets.{key}"))
        else:
            name = self._unique(safe_sheet_name(name))
        sheet = Sheet(self, self.wb.add_worksheet(name, worksheet_class=FormulaWorksheet), name)
        self.sheets[key] = sheet
        return sheet

    def _unique(self, base: str) -> str:
        """``base``, or ``base~2``, ``base~3`` … cut to Excel's 31 characters: sheet names ignore case."""
        taken = {sheet.name.lower() for sheet in self.sheets.values()}
        name, number = base, 1
        while name.lower() in taken:
            number += 1
            name = f"{base[: 31 - len(str(number)) - 1]}~{number}"
        return name


class Sheet:
    """One worksheet of the report, with safe writers and width tracking."""

    def __init__(self, book: Book, ws: Any, name: str):
        self.book, self.ws, self.name = book, ws, name
        self.fmt = book.fmt
        self.widths: dict[int, float] = {}
        self.hidden: set[int] = set()
        self.charts: list[PlacedChart] = []
        self.kept: list[tuple[int, int]] = []  # (first, last) rows of a table printed on one page if they fit
        self.titles: list[tuple[str, str]] = []  # (text, format) of the title rows, from row 0
        self.portrait, self.freeze_cols = False, 0
        self.one_page = False  # a form: the whole sheet on one page (an appraisal)
        self.wrapped: dict[int, list[tuple[int, str]]] = {}  # row -> (column, text) of wrapping cells
        # column -> (largest magnitude, format, whether any is negative) of the numbers written
        self.numbers: dict[int, tuple[float, str, bool]] = {}

    # -- widths --------------------------------------------------------------
    def fit(self, col: int, text: Any, cap: int = FIT_CAP) -> None:
        current = self.widths.get(col, NARROWEST)
        if current >= cap:
            return
        text = str(text)
        lines = text.split("\n") if "\n" in text else [text]
        width = max(display_width(line) for line in lines) + 2
        self.widths[col] = max(current, min(width, cap))

    def at_least(self, col: int, width: float) -> None:
        """Widen a column to ``width`` if it is narrower."""
        self.widths[col] = max(self.widths.get(col, 0), width)

    def fit_rows(self) -> None:
        """Rows tall enough for their wrapped text: neither Excel nor LibreOffice grows them on opening."""
        for row, cells in sorted(self.wrapped.items()):
            lines = max(_wrapped_lines(text, self.widths.get(col, DEFAULT_WIDTH)) for col, text in cells)
            if lines > 1:
                self.ws.set_row(row, min(LINE_HEIGHT * lines + ROW_PADDING, MAX_ROW_HEIGHT))

    def apply_widths(self) -> None:
        self._number_widths()
        for col, width in sorted(self.widths.items()):
            self.ws.set_column(col, col, width, None, {"hidden": col in self.hidden})

    def hide_column(self, col: int) -> None:
        self.hidden.add(col)
        self.widths.setdefault(col, HIDDEN_WIDTH)

    def _fit_number(self, col: int, value: Any, fmt: str) -> None:
        """Remember the widest number per column; its width is worked out once, when the sheet is closed.

        The widest is kept signed when negative: a minus sign needs its room, a column of positive
        figures does not (24 month columns a character narrower keep a wide sheet on fewer pages).
        """
        largest, kind, negative = self.numbers.get(col, (0.0, fmt, False))
        money = fmt in ("money", "total_money")  # money, once seen, sizes it
        number = float(value)
        self.numbers[col] = (max(largest, abs(number)), fmt if money else kind, negative or number < 0)

    def _number_widths(self) -> None:
        for col, (magnitude, fmt, negative) in self.numbers.items():
            largest = -magnitude if negative else magnitude
            if fmt in ("money", "total_money"):
                width: float = len(f"{largest:,.0f}") + 2
            elif fmt in ("percent", "total_percent"):
                width = PERCENT_WIDTH
            else:
                width = len(f"{largest:,.2f}".rstrip("0").rstrip(".")) + 2
            self.widths[col] = max(self.widths.get(col, NARROWEST), width)
        self.numbers.clear()

    # -- cells ----------------------------------------------------------------
    def text(self, row: int, col: int, value: Any, fmt: str = "text", fit: bool = True) -> None:
        """Text, always as text: input like '=HYPERLINK(…)' or a URL stays what it was."""
        if is_blank(value):
            self.ws.write_blank(row, col, None, self.fmt[fmt])
            return
        text = self._capped(row, col, str(value))
        self.ws.write_string(row, col, text, self.fmt[fmt])
        if fmt == "wrap":
            self.wrapped.setdefault(row, []).append((col, text))
        if fit:
            self.fit(col, text)

    def _capped(self, row: int, col: int, text: str) -> str:
        """Text within Excel's limit on a cell, with a warning where it was cut."""
        if len(text) <= MAX_TEXT:
            return text
        self.book.issues.append(
            self.book.settings.issue("text_truncated", self.name, cell(row, col), limit=MAX_TEXT)
        )
        return text[:MAX_TEXT]

    def number(self, row: int, col: int, value: Any, fmt: str = "money") -> None:
        if is_blank(value) or value - value != 0:  # NaN and ±inf: no number to show
            self.ws.write_blank(row, col, None, self.fmt[fmt])
        else:
            self.ws.write_number(row, col, float(value), self.fmt[fmt])
            self._fit_number(col, value, fmt)

    # -- whole columns: a big table is written a column at a time, its width fitted once per column --------
    def text_column(
        self, row0: int, col: int, values: Iterable[Any], fmt: str = "text", fit: bool = True
    ) -> None:
        """``values`` as text from row ``row0`` down; the same rules as ``text``, one call per column."""
        texts: list[str | None] = []
        widest, seen = 0, set()
        for row, value in enumerate(values, row0):
            if value is None or value is _NA or (type(value) is float and value != value):
                texts.append(None)
                continue
            text = value if type(value) is str else str(value)
            if len(text) > MAX_TEXT:
                text = self._capped(row, col, text)
            texts.append(text)
            if fmt == "wrap":
                self.wrapped.setdefault(row, []).append((col, text))
            if fit and text not in seen:
                seen.add(text)
                if len(text) * 2 > widest:  # a string can be no wider than twice its length
                    widest = max(widest, max(display_width(line) for line in text.split("\n")))
        self._put(row0, col, "string", texts, fmt)
        if widest:
            self.fit(col, "x" * widest)

    def number_column(
        self, row0: int, col: int, values: Iterable[Any], fmt: str = "money", blanks: bool = True
    ) -> None:
        """``values`` as numbers from ``row0`` down; a blank an empty cell (no cell if not ``blanks``)."""
        numbers = [  # value - value: NaN and ±inf are blanks
            float(value) if value is not None and value is not _NA and value - value == 0 else None
            for value in values
        ]
        self._put(row0, col, "number", numbers, fmt)
        if blanks:
            for row, number in enumerate(numbers, row0):
                if number is None:
                    self.ws.write_blank(row, col, None, self.fmt[fmt])
        present = [number for number in numbers if number is not None]
        if present:
            self._fit_number(col, max(present, key=abs), fmt)
            if min(present) < 0:
                self._fit_number(col, min(present), fmt)

    def formula_column(
        self, row0: int, col: int, formulas: Iterable[str], values: Iterable[Any], fmt: str = "money"
    ) -> None:
        """Live formulas from ``row0`` down, each with kamxl's value cached ("" for a blank result)."""
        cached = [  # _cached, inline: a big report has 800,000 formulas
            ""
            if value is None or value is _NA or (type(value) is float and value != value)
            else float(value)
            if isinstance(value, (int, float)) and not isinstance(value, bool)
            else value
            for value in values
        ]
        pairs = [(formula.lstrip("="), value) for formula, value in zip(formulas, cached, strict=True)]
        self._put(row0, col, "formula", pairs, fmt)
        numbers = [value for value in cached if type(value) is float]
        if numbers:
            self._fit_number(col, max(numbers, key=abs), fmt)
            if min(numbers) < 0:
                self._fit_number(col, min(numbers), fmt)

    def _put(self, row0: int, col: int, kind: str, items: Sequence[Any], fmt: str) -> None:
        self.ws.put_column(row0, col, kind, items, self.fmt[fmt])

    def date_column(self, row0: int, col: int, values: Sequence[Any], fmt: str = "date") -> None:
        """``values`` (dates, datetimes or blanks) as dates from row ``row0`` down."""
        # what ``date`` stores (the day, no time) without write_datetime's work per cell: days since Excel's 0
        serials = [
            float((dt.datetime(value.year, value.month, value.day) - EXCEL_EPOCH).days)
            if isinstance(value, dt.date) and (value.year, value.month) >= (1900, 3)
            else None
            for value in values
        ]
        self._put(row0, col, "number", serials, fmt)
        for row, (value, serial) in enumerate(zip(values, serials, strict=True), row0):
            if serial is None:
                self.date(row, col, value, fmt)
        self.widths[col] = max(self.widths.get(col, NARROWEST), DATE_WIDTH)

    def date(self, row: int, col: int, value: Any, fmt: str = "date") -> None:
        if is_blank(value):
            self.ws.write_blank(row, col, None, self.fmt[fmt])
            return
        if isinstance(value, dt.datetime):
            value = value.date()
        self.ws.write_datetime(row, col, dt.datetime.combine(value, dt.time()), self.fmt[fmt])
        self.widths[col] = max(self.widths.get(col, NARROWEST), DATE_WIDTH)

    def formula(self, row: int, col: int, formula: str, value: Any, fmt: str = "money") -> None:
        """A live formula whose cached value is what kamxl computed ("" for a blank result)."""
        cached = "" if is_blank(value) else _cached(value)
        self.ws.write_formula(row, col, "=" + formula.lstrip("="), self.fmt[fmt], cached)
        if isinstance(cached, float):
            self._fit_number(col, cached, fmt)

    def header(self, row: int, labels: Sequence[str], col0: int = 0) -> None:
        for i, label in enumerate(labels):
            self.ws.write_string(row, col0 + i, label, self.fmt["header"])
            self.fit(col0 + i, label, cap=HEADER_CAP)

    def headings(self, row: int, keys: Iterable[str], col0: int = 0) -> None:
        """A header row of the catalogue's column headings (``report.cols.<key>``)."""
        self.header(row, [self.book.heading(key) for key in keys], col0)

    def total_label(self, row: int, blank_cols: Iterable[int] = ()) -> None:
        """The 合计 label in column A of a total row, and the row's look on ``blank_cols``."""
        self.text(row, 0, self.book.label("ui.total"), "total_label")
        for col in blank_cols:
            self.text(row, col, None, "total_label")

    def title(self, text: str, subtitle: str | None = None) -> int:
        """Title (and subtitle) at the top; returns the first free row."""
        self.ws.write_string(0, 0, text, self.fmt["title"])
        self.titles = [(text, "title")]
        if subtitle:
            self.ws.write_string(1, 0, subtitle, self.fmt["subtitle"])
            self.titles.append((subtitle, "subtitle"))
        return 3

    # -- charts ----------------------------------------------------------------
    def chart(self, row: int, col: int, chart: Any, width: int, height: int, x_offset: int = 0) -> None:
        """Insert a native chart, remembering how far right it reaches (it prints with the sheet)."""
        chart.set_size({"width": width, "height": height})
        self.ws.insert_chart(row, col, chart, {"x_offset": x_offset} if x_offset else None)
        self.charts.append(PlacedChart(row, col, x_offset, height, chart))

    def place_chart(self, row: int, chart: Any, name: str, col: int | None = None, x_offset: int = 0) -> None:
        """Insert a chart at ``row``, sized and (unless ``col`` is given) placed as ``charts.<name>`` says;
        ``x_offset`` pixels right of its column (charts side by side, whatever the columns' widths)."""
        spec = self.book.chart_spec(name)
        column = spec["column"] if col is None else col
        self.chart(row, column, chart, spec["width"], spec["height"], x_offset)

    # -- the page -------------------------------------------------------------
    def print_width_px(self) -> float:
        """How wide the sheet prints at 100 %: every column written, or further where a chart reaches."""
        last = max(list(self.widths) + [placed.col for placed in self.charts] + [0])
        px = [
            0.0 if col in self.hidden else column_px(self.widths.get(col, DEFAULT_WIDTH))
            for col in range(last + 1)
        ]
        return max(
            [sum(px)] + [sum(px[: placed.col]) + placed.x_offset + placed.width for placed in self.charts]
        )

    def fit_pages(self) -> int:
        """Fit to as few pages wide as keep the print at ``print.min_scale`` or more; returns how many."""
        settings = self.book.settings
        margins = settings.get("print.margins_in")
        paper = settings.get(f"print.paper_width_in.{'portrait' if self.portrait else 'landscape'}")
        page_px = (paper - margins["left"] - margins["right"]) * 96
        repeat_px = sum(column_px(self.widths.get(col, DEFAULT_WIDTH)) for col in range(self.freeze_cols))
        wide = pages_wide(self.print_width_px(), page_px, settings.get("print.min_scale"), repeat_px)
        if self.one_page:
            self.ws.fit_to_pages(1, 1)
            return 1
        self.ws.fit_to_pages(wide, 0)
        if wide > 1 and self.freeze_cols:
            self.ws.repeat_columns(0, self.freeze_cols - 1)
            self._title_past_repeated_columns()
        scale = min(1.0, wide * page_px / max(self.print_width_px(), 1.0))
        if wide > 1:
            self._charts_within_first_page(page_px / scale * settings.get("print.libreoffice_scale"))
        self._keep_charts_whole(scale * settings.get("print.libreoffice_scale"))
        return wide

    def _charts_within_first_page(self, page: float) -> None:
        """Narrow a chart that would reach past the first page across (``page`` pixels of the sheet), so
        that no vertical page break cuts it; a chart starting past that page is left as it is."""
        px = [
            column_px(self.widths.get(col, DEFAULT_WIDTH)) for col in range(max(self.widths, default=0) + 1)
        ]
        for placed in self.charts:
            left = sum(px[: placed.col]) + placed.x_offset
            if left < page < left + placed.width:
                placed.chart.width = int(page - left)

    def _keep_charts_whole(self, scale: float) -> None:
        """Start a new page above a chart that a page break would cut in two, at the print ``scale``.

        The pages are laid out as LibreOffice prints them (the way the reviews are printed and checked):
        its rows of 10-point text are ``print.row_px`` high, not Excel's 20 pixels.
        """
        row_px = self.book.settings.get("print.row_px")
        page = self._printable_height_px() / scale - 2 * row_px  # a header repeats
        blocks = [(placed.row, placed.height) for placed in self.charts]
        blocks += [(first, self._rows_height(first, last, row_px)) for first, last in self.kept]
        for row, height in sorted(blocks):
            top = self._row_y(row, row_px)
            breaks = [self._row_y(brk, row_px) for brk in self.ws.hbreaks if brk <= row]
            start = max(breaks, default=0.0)
            start += (top - start) // page * page  # the automatic breaks since the last manual one
            if top + height > start + page and height <= page and row not in self.ws.hbreaks:
                self.ws.set_h_pagebreaks(sorted([*self.ws.hbreaks, row]))

    def keep_together(self, first: int, last: int) -> None:
        """Print rows ``first``..``last`` (a table's title line to its last row) on one page when they fit
        on one: a page break before them rather than through them, by the rule that keeps a chart whole.

        A sheet of several tables (计划) has no one header to repeat on every page, so a table split across
        two pages would leave rows without a header.
        """
        self.kept.append((first, last))

    def fits_on_a_page(self, last: int) -> bool:
        """Whether rows 0..``last`` fit on the first page at full size (landscape unless the sheet is
        portrait): a table that does needs no header repeated on further pages, where it would print above
        a chart."""
        row_px = self.book.settings.get("print.row_px")
        return self._rows_height(0, last, row_px) <= self._printable_height_px()

    def _printable_height_px(self) -> float:
        """The page's height inside its margins, in pixels at 96 dpi and full size."""
        settings = self.book.settings
        margins = settings.get("print.margins_in")
        height_in = settings.get(f"print.paper_width_in.{'landscape' if self.portrait else 'portrait'}")
        return float((height_in - margins["top"] - margins["bottom"]) * 96)

    def _rows_height(self, first: int, last: int, row_px: float) -> int:
        """How tall rows ``first``..``last`` print, measured when the pages are laid out (after rows with
        wrapped text were made taller): ``print.row_px`` a row unless set otherwise."""
        total = 0.0
        for row in range(first, last + 1):
            found = self.ws.row_info.get(row)
            set_to = None if found is None else (0.0 if found.hidden else found.height)
            total += row_px if set_to is None else set_to * row_px / DEFAULT_ROW_POINTS
        return int(total)

    def _row_y(self, row: int, row_px: float) -> float:
        """How far down the sheet ``row`` starts, in pixels (rows set taller, or hidden, as they are)."""
        extra = sum(
            (0 if info.hidden else info.height) - row_px for at, info in self.ws.row_info.items() if at < row
        )
        return float(row * row_px + extra)

    def _title_past_repeated_columns(self) -> None:
        """Move the title right of the repeated key columns: in column A it would print again, cut at
        that column's edge, on every further page across; past them it prints once, on the first."""
        for row, (text, look) in enumerate(self.titles):
            self.ws.write_blank(
                row, 0, None, self.fmt[look]
            )  # a blank needs a format, or XlsxWriter skips it
            self.ws.write_string(row, self.freeze_cols, text, self.fmt[look])

    def finish(
        self,
        header_row: int | None,
        last_col: int,
        last_row: int | None = None,
        filter_: bool = True,
        freeze_cols: int = 0,
        portrait: bool = False,
        repeat: bool = True,
    ) -> None:
        """Frozen header, filter, and a page that prints: A4, the header row repeated on every page (only
        it: not the title, nor tables above it; not at all when ``repeat`` is off, for a sheet of several
        tables), Book.close fits it."""
        ws = self.ws
        if header_row is not None:
            ws.freeze_panes(header_row + 1, freeze_cols)
            if repeat:
                ws.repeat_rows(header_row, header_row)
            if filter_ and last_row is not None and last_row > header_row:
                ws.autofilter(header_row, 0, last_row, last_col)
        ws.set_paper(A4)
        if portrait:
            ws.set_portrait()
        else:
            ws.set_landscape()
        self.portrait, self.freeze_cols = portrait, freeze_cols
        ws.set_margins(**self.book.settings.get("print.margins_in"))
        self._header_footer()

    def _header_footer(self) -> None:
        """The source, the sheet and the period above; kamxl's version, the page and the review date below."""
        meta, page = self.book.meta, _amp(self.book.label("report.page"))
        # a font size code must not touch the text after it: "&8" + "2026" would read as size 82026
        self.ws.set_header(f"&L&8 {_amp(meta['source'])}&C&9&B {_amp(self.name)}&R&8 {_amp(meta['period'])}")
        self.ws.set_footer(f"&L&8 kamxl {_amp(meta['version'])}&C&8 {page} &P / &N&R&8 {_amp(meta['as_of'])}")


def _cached(value: Any) -> Any:
    """A formula's cached value as XlsxWriter wants it: numbers as floats, a blank as ""."""
    if value is None or value is _NA or (type(value) is float and value != value):
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return value


@lru_cache(maxsize=4096)
def _wrapped_lines(text: str, width: float) -> int:
    """Lines ``text`` takes wrapped in a column ``width`` characters wide (cached: playbook texts recur)."""
    return sum(max(1, math.ceil(display_width(part) / max(width - 1, 1))) for part in text.split("\n"))


def has_data(values: Iterable[Any]) -> bool:
    """Whether a chart's figures hold a number other than 0: a chart of nothing is not drawn."""
    return any(_finite(value) and value != 0 for value in values)


def _finite(value: Any) -> bool:
    """A number a chart can draw (numpy's too): not text, a blank, NaN or ±inf."""
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)


def column_px(width: float) -> float:
    """A column's width in pixels at 96 dpi, as Excel converts it (7 px per character + 5)."""
    return width * 7 + 5


def chart_rows(height: int) -> int:
    """Rows of the default height a chart ``height`` pixels tall covers."""
    return math.ceil(height / ROW_PX)


def pages_wide(width_px: float, page_px: float, min_scale: float, repeat_px: float = 0.0) -> int:
    """The fewest pages wide that print ``width_px`` at ``min_scale`` or more, each repeating ``repeat_px``
    (the frozen columns)."""
    per_page = page_px / min_scale
    if width_px <= per_page:
        return 1
    usable = max(per_page - repeat_px, per_page / 2)
    return max(1, math.ceil((width_px - repeat_px) / usable))


def _amp(text: str) -> str:
    """Header/footer text: & is a control character there."""
    return str(text).replace("&", "&&")
