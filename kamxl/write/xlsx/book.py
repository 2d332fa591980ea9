"""The report workbook's shared machinery: formats, safe cell writers, widths, print setup.

Every cell the report writes goes through ``Sheet``: input text always as
text (never a formula or link), numbers with their format, formulas with the
cached value Python computed, and column widths that fit CJK text.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from functools import lru_cache

from xlsxwriter.utility import quote_sheetname, xl_col_to_name, xl_rowcol_to_cell
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
from kamxl.issues import Issue
from kamxl.text import display_width

MAX_TEXT = 32767  # Excel's limit on one cell's text
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")

FORMATS = {
    "title": {"bold": True, "font_size": 14},
    "subtitle": {"italic": True, "font_color": "#595959"},
    "header": {"bold": True, "bg_color": "#DCE6F1", "border": 1, "align": "center", "text_wrap": True},
    "text": {"border": 1},
    "grid": {"border": 1},  # a conditional format: borders the empty cells of a table without writing them
    "wrap": {"border": 1, "text_wrap": True, "valign": "top"},
    "money": {"border": 1, "num_format": "#,##0.00"},
    "number": {"border": 1, "num_format": "#,##0.##"},
    "score": {"border": 1, "num_format": "0.00"},
    "int": {"border": 1, "num_format": "0"},
    "percent": {"border": 1, "num_format": "0.0%"},
    "date": {"border": 1, "num_format": "yyyy-mm-dd"},
    "total_label": {"bold": True, "border": 1, "top": 2},
    "total_money": {"bold": True, "border": 1, "top": 2, "num_format": "#,##0.00"},
    "total_percent": {"bold": True, "border": 1, "top": 2, "num_format": "0.0%"},
    "total_number": {"bold": True, "border": 1, "top": 2, "num_format": "#,##0.##"},
    "key": {"bold": True, "border": 1, "bg_color": "#F2F2F2"},
    "note": {"italic": True, "font_color": "#666666"},
    "link": {"border": 1, "font_color": "#0563C1", "underline": 1},
    "good": {"bg_color": "#C6EFCE", "font_color": "#006100"},
    "bad": {"bg_color": "#FFC7CE", "font_color": "#9C0006"},
    "mark": {"border": 1, "bg_color": "#9BC2E6", "num_format": "#,##0.##"},
    "day": {"bold": True, "border": 1, "bg_color": "#F2F2F2", "align": "left"},
    "day_out": {"border": 1, "bg_color": "#FAFAFA"},
    "event": {"border": 1, "text_wrap": True, "valign": "top", "font_size": 9},
    "error": {"border": 1, "font_color": "#9C0006", "bold": True},
    "warning": {"border": 1, "font_color": "#9C5700"},
    "info": {"border": 1, "font_color": "#595959"},
}


# Excel's dynamic-array functions, which XlsxWriter must prefix with _xlfn.; kamxl's own formulas use none.
_DYNAMIC = re.compile(
    r"\b(?:ANCHORARRAY|BYCOL|BYROW|CHOOSECOLS|CHOOSEROWS|DROP|EXPAND|FILTER|HSTACK|LAMBDA|MAKEARRAY|MAP|RANDARRAY|"
    r"REDUCE|SCAN|SINGLE|SEQUENCE|SORT|SORTBY|SWITCH|TAKE|TEXTSPLIT|TOCOL|TOROW|UNIQUE|VSTACK|WRAPCOLS|WRAPROWS|XLOOKUP)\("
)


_NO_DIGITS = str.maketrans("", "", "0123456789")


class FormulaWorksheet(Worksheet):
    """XlsxWriter's worksheet (through its documented ``worksheet_class`` hook) with its per-cell work made cheaper for big tables.

    XlsxWriter's ``_prepare_formula`` runs a substitution per dynamic-array
    function on every formula; a report of 100,000 rows has 800,000 formulas.
    When none occurs (kamxl writes none, and ``use_future_functions`` is off)
    the formula needs only its "=" removed; otherwise XlsxWriter does its work.
    ``put_column``, ``_write_cell`` and ``_calculate_spans`` are below; tests
    compare what each stores and writes with XlsxWriter's own, byte for byte.
    """

    def _prepare_formula(self, formula, expand_future_functions=False):
        if (
            not self.use_future_functions
            and not expand_future_functions
            and formula[:1] != "{"
            and not _DYNAMIC.search(formula)
        ):
            return formula[1:] if formula.startswith("=") else formula
        return super()._prepare_formula(formula, expand_future_functions)

    def _write_cell(self, row, col, cell):
        """XlsxWriter's innermost loop, taken in one step for the three kinds of cell a big report is made of.

        A formatted number, a formatted shared string and a formula with a
        number cached are written with one f-string; the XML is byte for byte
        what XlsxWriter writes (a test compares them), and every other cell
        goes through XlsxWriter. At 500,000 cells this is a fifth of the run.
        """
        kind, fmt = cell.__class__, cell.format
        if SHORTCUTS and fmt is not None:
            if kind is CellNumberTuple:
                self.fh.write(
                    f'<c r="{xl_rowcol_to_cell_fast(row, col)}" s="{fmt._get_xf_index()}"><v>{cell.number:.16G}</v></c>'
                )
                return
            if (
                kind is CellStringTuple and not self.constant_memory
            ):  # the string is its index in the shared strings
                self.fh.write(
                    f'<c r="{xl_rowcol_to_cell_fast(row, col)}" s="{fmt._get_xf_index()}" t="s"><v>{cell.string}</v></c>'
                )
                return
            if kind is CellFormulaTuple and type(cell.value) is float:
                formula = cell.formula
                if "&" in formula or "<" in formula or ">" in formula:
                    formula = formula.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                self.fh.write(
                    f'<c r="{xl_rowcol_to_cell_fast(row, col)}" s="{fmt._get_xf_index()}"><f>{formula}</f><v>{cell.value}</v></c>'
                )
                return
        super()._write_cell(row, col, cell)

    def _calculate_spans(self) -> None:
        """XlsxWriter's row spans (the columns in use per block of 16 rows), from each row's columns at once instead of testing every column."""
        if self.comments or self.dim_rowmin is None:
            return super()._calculate_spans()
        spans, lo, hi, table = {}, None, None, self.table
        for row_num in range(self.dim_rowmin, self.dim_rowmax + 1):
            cols = table.get(row_num)
            if cols:
                a, b = min(cols), max(cols)
                lo, hi = (a, b) if lo is None else (min(lo, a), max(hi, b))
            if (row_num + 1) % 16 == 0 or row_num == self.dim_rowmax:
                if lo is not None:
                    spans[row_num // 16] = f"{lo + 1}:{hi + 1}"
                    lo = None
        self.row_spans = spans

    def put_column(self, row0: int, col: int, kind: str, items: list, cell_format) -> None:
        """One column of cells from ``row0`` down, stored as XlsxWriter's writers store them, their checks done once per column.

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
            # a column's formulas differ in their row numbers: check each shape once (no dynamic function's name has a digit)
            shapes = set("\n".join(f for f, _ in items).translate(_NO_DIGITS).split("\n"))
            fast = not self.use_future_functions and not any(
                f[:1] in ("{", "=") or _DYNAMIC.search(f) for f in shapes
            )
        table = self.table
        if kind == "number":
            for r, v in enumerate(items, row0):
                if v is not None:
                    if fast:
                        table[r][col] = CellNumberTuple(v, cell_format)
                    else:
                        self.write_number(r, col, v, cell_format)
        elif kind == "string":
            index = self.str_table._get_shared_string_index
            for r, s in enumerate(items, row0):
                if s is None:
                    self.write_blank(r, col, None, cell_format)
                elif (
                    fast and len(s) <= self.xls_strmax // 2
                ):  # no longer than XlsxWriter's own quick length check passes
                    table[r][col] = CellStringTuple(index(s), cell_format)
                else:
                    self.write_string(r, col, s, cell_format)
        else:
            for r, (formula, value) in enumerate(items, row0):
                if fast:
                    table[r][col] = CellFormulaTuple(formula, cell_format, value)
                else:
                    self.write_formula(r, col, formula, cell_format, value)


def records(frame) -> list[dict]:
    """A DataFrame's rows as dicts, column by column (several times faster than ``to_dict("records")``)."""
    cols = list(frame.columns)
    return (
        [dict(zip(cols, values)) for values in zip(*(frame[c].tolist() for c in cols))]
        if cols
        else [{} for _ in range(len(frame))]
    )


def column_of(frame, name: str) -> list:
    """A column's values as a list, or blanks when the table has no such column (an optional field)."""
    return frame[name].tolist() if name in frame else [None] * len(frame)


def is_blank(value) -> bool:
    return value is None or value is _NA or (isinstance(value, float) and math.isnan(value))


try:  # pandas' NA, without importing pandas at module import for nothing
    import pandas as _pd

    _NA = _pd.NA
except ImportError:  # pragma: no cover
    _NA = object()


def safe_sheet_name(name: str) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\ ."""
    return _BAD_SHEET_CHARS.sub("_", name)[:31] or "Sheet"


def ref(sheet: str, row: int, col: int, absolute: bool = False) -> str:
    """A reference to a cell of another sheet: '应收帐款'!$B$5."""
    return f"{quote_sheetname(sheet)}!{xl_rowcol_to_cell(row, col, absolute, absolute)}"


def cell(row: int, col: int, row_abs: bool = False, col_abs: bool = False) -> str:
    return xl_rowcol_to_cell(row, col, row_abs, col_abs)


def col_letter(col: int) -> str:
    """A column's letters (0 -> A), for building a column's formulas once."""
    return xl_col_to_name(col)


def rng(r0: int, c0: int, r1: int, c1: int, absolute: bool = False) -> str:
    return f"{cell(r0, c0, absolute, absolute)}:{cell(r1, c1, absolute, absolute)}"


def quote(text: str) -> str:
    """A string literal inside a formula."""
    return '"' + text.replace('"', '""') + '"'


class Book:
    """The report workbook: formats shared by its sheets, and warnings about the output."""

    def __init__(self, wb, settings: Settings, meta: dict):
        self.wb, self.settings, self.meta = wb, settings, meta
        base = {
            "font_name": "Microsoft YaHei" if settings.lang == "zh" else "Calibri",
            "font_size": 10,
            "valign": "vcenter",
        }
        self.fmt = {
            name: wb.add_format(base | spec) if name not in ("good", "bad", "grid") else wb.add_format(spec)
            for name, spec in FORMATS.items()
        }
        self.issues: list[Issue] = []
        self.sheets: dict[str, "Sheet"] = {}

    def label(self, key: str, **args) -> str:
        return self.settings.label(key, **args)

    def close(self) -> None:
        """Settle what depends on the whole sheet (column widths, pages wide), then write the file."""
        for sheet in self.sheets.values():
            sheet.apply_widths()
            sheet.fit_rows()
            sheet.fit_pages()
        self.wb.close()

    def add(self, key: str, name: str | None = None) -> "Sheet":
        """The sheet for ``key``, created on first use (so tab order is the order of first use).

        Its name is the catalogue's ``report.sheets.<key>``, or ``name`` made
        safe and unique (an employee's sheet)."""
        if key in self.sheets:
            return self.sheets[key]
        if name is None:
            name = safe_sheet_name(self.label(f"report.sheets.{key}"))
        else:
            base, n, taken = safe_sheet_name(name), 1, {s.name.lower() for s in self.sheets.values()}
            name = base
            while name.lower() in taken:
                n += 1
                name = f"{base[: 31 - len(str(n)) - 1]}~{n}"
        sheet = Sheet(self, self.wb.add_worksheet(name, worksheet_class=FormulaWorksheet), name)
        self.sheets[key] = sheet
        return sheet


class Sheet:
    """One worksheet of the report, with safe writers and width tracking."""

    def __init__(self, book: Book, ws, name: str):
        self.book, self.ws, self.name = book, ws, name
        self.fmt = book.fmt
        self.widths: dict[int, float] = {}
        self.hidden: set[int] = set()
        self.charts: list[tuple[int, int]] = []  # (first column, width in px) of each chart
        self.portrait, self.freeze_cols = False, 0
        self.one_page = False  # a form: the whole sheet on one page (an appraisal)
        self.wrapped: dict[int, list[tuple[int, str]]] = {}  # row -> (column, text) of wrapping cells
        self.numbers: dict[int, tuple[float, str]] = {}  # column -> (largest magnitude, format) written

    # -- widths --------------------------------------------------------------
    def fit(self, col: int, text, cap: int = 48) -> None:
        current = self.widths.get(col, 6)
        if current >= cap:
            return
        text = str(text)
        width = (
            max(display_width(line) for line in text.split("\n")) if "\n" in text else display_width(text)
        ) + 2
        self.widths[col] = max(current, min(width, cap))

    def fit_rows(self) -> None:
        """Rows tall enough for their wrapped text: neither Excel nor LibreOffice grows them on opening a file."""
        for r, cells in sorted(self.wrapped.items()):
            lines = max(_wrapped_lines(text, self.widths.get(c, DEFAULT_WIDTH)) for c, text in cells)
            if lines > 1:
                self.ws.set_row(r, min(LINE_HEIGHT * lines + ROW_PADDING, MAX_ROW_HEIGHT))

    def apply_widths(self) -> None:
        self._number_widths()
        for col, width in sorted(self.widths.items()):
            self.ws.set_column(col, col, width, None, {"hidden": col in self.hidden})

    def hide_column(self, col: int) -> None:
        self.hidden.add(col)
        self.widths.setdefault(col, 8)

    def _fit_number(self, c: int, value, fmt: str) -> None:
        """Remember the widest number per column; its width is worked out once, when the sheet is closed."""
        largest, kind = self.numbers.get(c, (0.0, fmt))
        self.numbers[c] = (
            max(largest, abs(float(value))),
            fmt if fmt in ("money", "total_money") else kind,
        )  # money, once seen, sizes it

    def _number_widths(self) -> None:
        for c, (v, fmt) in self.numbers.items():
            if fmt in ("money", "total_money"):
                width = len(f"{-v:,.2f}") + 2
            elif fmt in ("percent", "total_percent"):
                width = 8
            else:
                width = len(f"{-v:,.2f}".rstrip("0").rstrip(".")) + 2
            self.widths[c] = max(self.widths.get(c, 6), width)
        self.numbers.clear()

    # -- cells ----------------------------------------------------------------
    def text(self, r: int, c: int, value, fmt: str = "text", fit: bool = True) -> None:
        """Text, always as text: input like '=HYPERLINK(…)' or a URL stays what it was."""
        if is_blank(value):
            self.ws.write_blank(r, c, None, self.fmt[fmt])
            return
        s = str(value)
        if len(s) > MAX_TEXT:
            s = s[:MAX_TEXT]
            self.book.issues.append(
                self.book.settings.issue("text_truncated", self.name, cell(r, c), limit=MAX_TEXT)
            )
        self.ws.write_string(r, c, s, self.fmt[fmt])
        if fmt == "wrap":
            self.wrapped.setdefault(r, []).append((c, s))
        if fit:
            self.fit(c, s)

    def number(self, r: int, c: int, value, fmt: str = "money") -> None:
        if is_blank(value) or value - value != 0:  # NaN and ±inf: no number to show
            self.ws.write_blank(r, c, None, self.fmt[fmt])
        else:
            self.ws.write_number(r, c, float(value), self.fmt[fmt])
            self._fit_number(c, value, fmt)

    # -- whole columns: a big table is written a column at a time, its width fitted once per column --------
    def text_column(self, r0: int, c: int, values, fmt: str = "text", fit: bool = True) -> None:
        """``values`` as text from row ``r0`` down; the same rules as ``text``, one call per column."""
        texts, widest, seen = [], 0, set()
        for r, v in enumerate(values, r0):
            if v is None or v is _NA or (type(v) is float and v != v):
                texts.append(None)
                continue
            s = v if type(v) is str else str(v)
            if len(s) > MAX_TEXT:
                s = s[:MAX_TEXT]
                self.book.issues.append(
                    self.book.settings.issue("text_truncated", self.name, cell(r, c), limit=MAX_TEXT)
                )
            texts.append(s)
            if fmt == "wrap":
                self.wrapped.setdefault(r, []).append((c, s))
            if fit and s not in seen:
                seen.add(s)
                if len(s) * 2 > widest:  # a string can be no wider than twice its length
                    widest = max(widest, max(display_width(line) for line in s.split("\n")))
        self._put(r0, c, "string", texts, fmt)
        if widest:
            self.fit(c, "x" * widest)

    def number_column(self, r0: int, c: int, values, fmt: str = "money", blanks: bool = True) -> None:
        """``values`` as numbers from row ``r0`` down; a blank is a formatted empty cell, or no cell at all with ``blanks=False``."""
        numbers = [
            float(v) if v is not None and v is not _NA and v - v == 0 else None for v in values
        ]  # v - v: NaN and ±inf are blanks
        self._put(r0, c, "number", numbers, fmt)
        if blanks:
            for r, v in enumerate(numbers, r0):
                if v is None:
                    self.ws.write_blank(r, c, None, self.fmt[fmt])
        present = [abs(v) for v in numbers if v is not None]
        if present:
            self._fit_number(c, max(present), fmt)

    def formula_column(self, r0: int, c: int, formulas, values, fmt: str = "money") -> None:
        """A column of live formulas from row ``r0`` down, each with kamxl's value cached ("" for a blank result)."""
        cached = [
            ""
            if v is None or v is _NA or (type(v) is float and v != v)
            else float(v)
            if isinstance(v, (int, float)) and not isinstance(v, bool)
            else v
            for v in values
        ]
        self._put(r0, c, "formula", [(f.lstrip("="), v) for f, v in zip(formulas, cached)], fmt)
        numbers = [abs(v) for v in cached if type(v) is float]
        if numbers:
            self._fit_number(c, max(numbers), fmt)

    def _put(self, r0: int, c: int, kind: str, items: list, fmt: str) -> None:
        self.ws.put_column(r0, c, kind, items, self.fmt[fmt])

    def date_column(self, r0: int, c: int, values, fmt: str = "date") -> None:
        """``values`` (dates, datetimes or blanks) as dates from row ``r0`` down."""
        # what ``date`` stores (the day, no time), without write_datetime's per-cell conversion: days since Excel's epoch
        serials = [
            float((dt.datetime(v.year, v.month, v.day) - EXCEL_EPOCH).days)
            if isinstance(v, dt.date) and (v.year, v.month) >= (1900, 3)
            else None
            for v in values
        ]
        self._put(r0, c, "number", serials, fmt)
        for r, (v, serial) in enumerate(zip(values, serials), r0):
            if serial is None:
                self.date(r, c, v, fmt)
        self.widths[c] = max(self.widths.get(c, 6), 12)

    def date(self, r: int, c: int, value, fmt: str = "date") -> None:
        if is_blank(value):
            self.ws.write_blank(r, c, None, self.fmt[fmt])
            return
        if isinstance(value, dt.datetime):
            value = value.date()
        self.ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), self.fmt[fmt])
        self.widths[c] = max(self.widths.get(c, 6), 12)

    def formula(self, r: int, c: int, formula: str, value, fmt: str = "money") -> None:
        """A live formula whose cached value is what kamxl computed ("" for a blank result)."""
        cached = (
            ""
            if is_blank(value)
            else (float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value)
        )
        self.ws.write_formula(r, c, "=" + formula.lstrip("="), self.fmt[fmt], cached)
        if isinstance(cached, float):
            self._fit_number(c, cached, fmt)

    def chart(self, r: int, c: int, chart, width: int, height: int) -> None:
        """Insert a native chart, remembering how far right it reaches (it prints with the sheet)."""
        chart.set_size({"width": width, "height": height})
        self.ws.insert_chart(r, c, chart)
        self.charts.append((c, width))

    def print_width_px(self) -> float:
        """How wide the sheet prints at 100 %: every column written, or further where a chart reaches."""
        last = max(list(self.widths) + [c for c, _ in self.charts] + [0])
        px = [
            0.0 if c in self.hidden else column_px(self.widths.get(c, DEFAULT_WIDTH)) for c in range(last + 1)
        ]
        return max([sum(px)] + [sum(px[:c]) + width for c, width in self.charts])

    def fit_pages(self) -> int:
        """Fit to as few pages wide as keep the print at ``print.min_scale`` or more; returns how many."""
        settings = self.book.settings
        margins = settings.get("print.margins_in")
        paper = settings.get(f"print.paper_width_in.{'portrait' if self.portrait else 'landscape'}")
        page_px = (paper - margins["left"] - margins["right"]) * 96
        repeat_px = sum(column_px(self.widths.get(c, DEFAULT_WIDTH)) for c in range(self.freeze_cols))
        wide = pages_wide(self.print_width_px(), page_px, settings.get("print.min_scale"), repeat_px)
        if self.one_page:
            self.ws.fit_to_pages(1, 1)
            return 1
        self.ws.fit_to_pages(wide, 0)
        if wide > 1 and self.freeze_cols:
            self.ws.repeat_columns(0, self.freeze_cols - 1)
        return wide

    def header(self, r: int, labels: list[str], c0: int = 0) -> None:
        for i, label in enumerate(labels):
            self.ws.write_string(r, c0 + i, label, self.fmt["header"])
            self.fit(c0 + i, label, cap=24)

    def title(self, text: str, subtitle: str | None = None) -> int:
        """Title (and subtitle) at the top; returns the first free row."""
        self.ws.write_string(0, 0, text, self.fmt["title"])
        if subtitle:
            self.ws.write_string(1, 0, subtitle, self.fmt["subtitle"])
        return 3

    # -- the page -------------------------------------------------------------
    def finish(
        self,
        header_row: int | None,
        last_col: int,
        last_row: int | None = None,
        filter_: bool = True,
        freeze_cols: int = 0,
        portrait: bool = False,
    ) -> None:
        """Frozen header, filter, and a page that prints: A4, header rows repeated (Book.close fits the width)."""
        ws = self.ws
        if header_row is not None:
            ws.freeze_panes(header_row + 1, freeze_cols)
            ws.repeat_rows(0, header_row)
            if filter_ and last_row is not None and last_row > header_row:
                ws.autofilter(header_row, 0, last_row, last_col)
        ws.set_paper(9)  # A4
        if portrait:
            ws.set_portrait()
        else:
            ws.set_landscape()
        self.portrait, self.freeze_cols = portrait, freeze_cols
        self.ws.set_margins(**self.book.settings.get("print.margins_in"))
        meta = self.book.meta
        # a font size code must not touch the text after it: "&8" + "2026" would read as size 82026
        ws.set_header(f"&L&8 {_amp(meta['source'])}&C&9&B {_amp(self.name)}&R&8 {_amp(meta['period'])}")
        ws.set_footer(
            f"&L&8 kamxl {_amp(meta['version'])}&C&8 {_amp(self.book.label('report.page'))} &P / &N&R&8 {_amp(meta['as_of'])}"
        )


EXCEL_EPOCH = dt.datetime(
    1899, 12, 30
)  # serial 0 of Excel's 1900 date system, for dates after its phantom 1900-02-29
DEFAULT_WIDTH = 8.43  # Excel's default column width, in characters
LINE_HEIGHT = 15.0  # points per line of 10-point text in a CJK font (YaHei / Noto CJK lines are ~1.4 em)
ROW_PADDING = 4.0
MAX_ROW_HEIGHT = 409  # Excel's limit on a row's height, in points


@lru_cache(maxsize=4096)
def _wrapped_lines(text: str, width: float) -> int:
    """Lines ``text`` takes wrapped in a column ``width`` characters wide (the same playbook texts recur on every row)."""
    return sum(max(1, math.ceil(display_width(part) / max(width - 1, 1))) for part in text.split("\n"))


def column_px(width: float) -> float:
    """A column's width in pixels at 96 dpi, as Excel converts it (Calibri 11 / YaHei: 7 px per character + 5)."""
    return width * 7 + 5


def pages_wide(width_px: float, page_px: float, min_scale: float, repeat_px: float = 0.0) -> int:
    """The fewest pages wide that print ``width_px`` at ``min_scale`` or more, each page repeating ``repeat_px``."""
    per_page = page_px / min_scale
    if width_px <= per_page:
        return 1
    usable = max(per_page - repeat_px, per_page / 2)
    return max(1, math.ceil((width_px - repeat_px) / usable))


def _amp(text: str) -> str:
    """Header/footer text: & is a control character there."""
    return str(text).replace("&", "&&")
