"""Blank forms in the course's layout, so users start from a form kamxl reads.

Each template has a title, the (multi-level) header, one example row from
``templates/examples.toml``, number formats, drop-downs on label columns and,
where a total means something, a 合计 row of SUM formulas with cached values.
Most forms are one header row of fields (``FLAT_FORMS``); the receivables plan,
the P&L and the calendar have layouts of their own. The look is the report's
(``[formats]``), so a form and its report read alike.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from kamxl.config import Settings
from kamxl.issues import column_letter
from kamxl.text import display_width
from kamxl.write.files import atomic_path
from kamxl.write.xlsx.book import A4, cell_formats

BLANK_ROWS = 10  # empty rows between the example and the total row
NARROWEST, WIDEST = 8, 40  # a fitted column's width
EVENT_ROW_HEIGHT = 48  # points: a calendar day's room for events
FORMATS = [  # the [formats.cells] a blank form uses
    "title",
    "header",
    "text",
    "money",
    "number",
    "date",
    "time",
    "whole_percent",
    "total_money",
    "total_label",
    "note",
    "day",
    "wrap",
]
CREATED = dt.datetime(2026, 1, 1)  # a fixed date: the same template, the same bytes
MONTHS = 12

Columns = list[tuple[str, str]]  # (field, kind): kind is text, money, number, percent, date or time

# The forms that are one header row of fields: their columns, the columns summed in a 合计 row,
# the drop-downs (field -> vocabulary) and whether a ✓ column per month follows (the activity plan).
FLAT_FORMS: dict[str, dict[str, Any]] = {
    "activities": {
        "columns": [
            ("activity", "text"),
            ("owner", "text"),
            ("support", "text"),
            ("budget", "money"),
            ("expected", "text"),
        ],
        "total_cols": ("budget",),
        "months": True,
    },
    "todo": {
        "columns": [
            ("date", "date"),
            ("category", "text"),
            ("start", "time"),
            ("end", "time"),
            ("task", "text"),
            ("related", "text"),
            ("notes", "text"),
            ("status", "text"),
        ],
        "vocab": {"category": "quadrant", "status": "done"},
    },
    "weekly": {
        "columns": [
            ("week", "number"),
            ("goal", "text"),
            ("weekly_target", "number"),
            ("actual", "number"),
            ("monthly_item", "text"),
            ("owner", "text"),
            ("notes", "text"),
        ],
        "total_cols": ("weekly_target", "actual"),
    },
    "monthly": {
        "columns": [
            ("indicator", "text"),
            ("category", "text"),
            ("target", "number"),
            ("actual", "number"),
            ("owner", "text"),
            ("last_actual", "number"),
            ("next_focus", "text"),
            ("notes", "text"),
        ],
        "vocab": {"category": "indicator_class"},
    },
    "worklog": {
        "columns": [
            ("date", "date"),
            ("start", "time"),
            ("end", "time"),
            ("customer", "text"),
            ("activity", "text"),
            ("outcome", "text"),
        ]
    },
    "customers": {
        "columns": [
            ("customer", "text"),
            ("owner", "text"),
            ("industry", "text"),
            ("project", "text"),
            ("attractiveness", "number"),
            ("advantage", "number"),
            ("order_size", "text"),
            ("likelihood", "text"),
            ("amount", "money"),
            ("expected_close", "date"),
            ("period_target", "money"),
            ("status", "text"),
        ],
        "total_cols": ("amount",),
        "vocab": {"order_size": "order_size", "likelihood": "likelihood", "status": "status"},
    },
    "appraisal": {
        "columns": [
            ("employee", "text"),
            ("employee_id", "text"),
            ("department", "text"),
            ("indicator", "text"),
            ("indicator_class", "text"),
            ("target", "number"),
            ("actual", "number"),
            ("weight", "percent"),
            ("direction", "text"),
            ("personality", "number"),
            ("drive", "number"),
            ("ability", "number"),
            ("willingness", "number"),
        ],
        "vocab": {"indicator_class": "indicator_class", "direction": "direction"},
    },
    "competitors": {
        "columns": [
            ("competitor", "text"),
            ("products", "text"),
            ("price", "text"),
            ("channel", "text"),
            ("sales_model", "text"),
            ("service", "text"),
            ("strengths", "text"),
            ("weaknesses", "text"),
            ("customers", "text"),
            ("moves", "text"),
        ]
    },
    "review": {
        "columns": [
            ("indicator", "text"),
            ("target", "number"),
            ("actual", "number"),
            ("week1", "number"),
            ("week2", "number"),
            ("week3", "number"),
            ("week4", "number"),
            ("week5", "number"),
            ("attainment_note", "text"),
            ("next_focus", "text"),
            ("week_events", "text"),
            ("notes", "text"),
        ]
    },
}


@lru_cache(maxsize=1)
def _examples() -> dict[str, Any]:
    return tomllib.loads(resources.files("kamxl.templates").joinpath("examples.toml").read_text("utf-8"))


class _Sheet:
    """A worksheet plus the formats every template shares."""

    def __init__(self, wb: Any, ws: Any, settings: Settings, form: str):
        self.wb, self.ws, self.settings, self.form = wb, ws, settings, form
        self.widths: dict[int, float] = {}
        self.fmt = cell_formats(wb, settings, FORMATS)

    def width(self, name: str) -> float:
        return float(self.settings.get(f"formats.widths.form_{name}"))

    def fit(self, col: int, text: Any) -> None:
        self.widths[col] = max(self.widths.get(col, NARROWEST), min(display_width(str(text)) + 2, WIDEST))

    def header(
        self, row: int, col: int, text: str, last_row: int | None = None, last_col: int | None = None
    ) -> None:
        if (last_row is not None and last_row != row) or (last_col is not None and last_col != col):
            self.ws.merge_range(row, col, last_row or row, last_col or col, text, self.fmt["header"])
        else:
            self.ws.write_string(row, col, text, self.fmt["header"])
        if last_col in (None, col):
            self.fit(col, text)

    def value(self, row: int, col: int, kind: str, value: Any) -> None:
        """An example value as its kind: a date, a time of day, a number, else text."""
        ws, fmt = self.ws, self.fmt
        if value is None or value == "":
            ws.write_blank(row, col, None, fmt["money" if kind == "money" else "text"])
        elif kind == "date":
            ws.write_datetime(row, col, dt.datetime.combine(value, dt.time()), fmt["date"])
        elif kind == "time":
            hours, minutes = map(int, str(value).split(":"))
            ws.write_datetime(row, col, dt.datetime(1899, 12, 31, hours, minutes), fmt["time"])
        elif kind in ("money", "number", "percent") and isinstance(value, (int, float)):
            ws.write_number(row, col, value, fmt["whole_percent" if kind == "percent" else kind])
        else:
            ws.write_string(row, col, str(value), fmt["text"])
            self.fit(col, value)

    def blank_rows(self, first: int, last: int, kinds: Sequence[str]) -> None:
        for row in range(first, last + 1):
            for col, kind in enumerate(kinds):
                if kind:
                    self.value(row, col, kind, None)

    def total_row(self, row: int, label_col: int, sums: dict[int, float], first: int, last: int) -> None:
        self.ws.write_string(row, label_col, self.settings.label("ui.total"), self.fmt["total_label"])
        for col, cached in sums.items():
            letter = column_letter(col)
            formula = f"=SUM({letter}{first + 1}:{letter}{last + 1})"
            self.ws.write_formula(row, col, formula, self.fmt["total_money"], cached)

    def notes_below(self, row: int) -> None:
        """Where the notes go: under the table, so the reader does not take them for data."""
        self.ws.write_string(row, 0, self.settings.label("ui.notes_below"), self.fmt["note"])

    def dropdown(self, col: int, first: int, last: int, vocab: str) -> None:
        codes = self.settings.get(f"labels.values.{vocab}")
        labels = [self.settings.label(f"values.{vocab}.{code}") for code in codes]
        self.ws.data_validation(
            first, col, last, col, {"validate": "list", "source": labels, "ignore_blank": True}
        )

    def finish(self, header_bottom: int, title: str) -> None:
        ws = self.ws
        for col, width in self.widths.items():
            ws.set_column(col, col, width)
        ws.freeze_panes(header_bottom + 1, 0)
        ws.set_landscape()
        ws.set_paper(A4)
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(0, header_bottom)
        ws.set_header(f'&L&"-,Bold"{title.replace("&", "&&")}&R&D')
        ws.set_footer("&C&P / &N")


def _fields(form: str, settings: Settings) -> dict[str, str]:
    return {
        field: settings.label(f"headers.{form}.{field}") for field in settings.get(f"labels.headers.{form}")
    }


def _month_names(settings: Settings) -> list[str]:
    return [settings.label(f"values.month.{month}") for month in range(1, MONTHS + 1)]


def _flat(
    sheet: _Sheet,
    columns: Columns,
    example: dict[str, Any],
    total_cols: tuple[str, ...] = (),
    vocab: dict[str, str] | None = None,
    months: bool = False,
) -> int:
    """Title, one header row, example, blank rows, optional 合计; returns the header row."""
    head = _fields(sheet.form, sheet.settings)
    top = 2
    names = [head[field] for field, _ in columns] + (_month_names(sheet.settings) if months else [])
    for col, name in enumerate(names):
        sheet.header(top, col, name)
    example_row = top + 1
    kinds = [kind for _, kind in columns] + (["text"] * MONTHS if months else [])
    for col, (field, kind) in enumerate(columns):
        value = example.get(field)
        sheet.value(example_row, col, kind, str(value) if vocab and field in vocab and value else value)
    if months:
        for month in example.get("months", []):
            sheet.value(example_row, len(columns) + month - 1, "text", "✓")
    last = example_row + BLANK_ROWS
    sheet.blank_rows(example_row + 1, last, kinds)
    if total_cols:
        sums = {
            col: float(example.get(field) or 0)
            for col, (field, _) in enumerate(columns)
            if field in total_cols
        }
        sheet.total_row(last + 1, 0, sums, example_row, last)
        sheet.notes_below(last + 3)
    for field, vocabulary in (vocab or {}).items():
        col = next(i for i, (name, _) in enumerate(columns) if name == field)
        sheet.dropdown(col, example_row, last, vocabulary)
    if months:
        for month in range(MONTHS):
            sheet.widths[len(columns) + month] = sheet.width("month")
    sheet.ws.autofilter(top, 0, last, len(names) - 1)
    return top


# ------------------------------------------------------------- receivables ---
RECEIVABLES_FIXED: Columns = [("customer", "text"), ("product", "text"), ("qty", "number")]
RECEIVABLES_TAIL: Columns = [("total_owed", "money"), ("due_date", "date"), ("owner", "text")]


def _receivables(sheet: _Sheet, example: dict[str, Any]) -> int:
    """Customer, product, quantity; plan and actual per month; owed, due date, owner. Returns the header."""
    top, sub = 2, 3
    _receivables_header(sheet, top, sub)
    fixed, tail = RECEIVABLES_FIXED, RECEIVABLES_TAIL
    base = len(fixed) + 2 * MONTHS
    example_row = sub + 1
    kinds = [kind for _, kind in fixed] + ["money"] * 2 * MONTHS + [kind for _, kind in tail]
    for col, (field, kind) in enumerate(fixed):
        sheet.value(example_row, col, kind, example.get(field))
    sums: dict[int, float] = {2: float(example["qty"])}
    for month in range(MONTHS):
        plan = example["plan"][month] if month < len(example["plan"]) else None
        actual = example["actual"][month] if month < len(example["actual"]) else None
        col = len(fixed) + 2 * month
        sheet.value(example_row, col, "money", plan)
        sheet.value(example_row, col + 1, "money", actual)
        sums[col], sums[col + 1] = float(plan or 0), float(actual or 0)
    for i, (field, kind) in enumerate(tail):
        sheet.value(example_row, base + i, kind, example.get(field))
    sums[base] = float(example["total_owed"])
    last = example_row + BLANK_ROWS
    sheet.blank_rows(example_row + 1, last, kinds)
    sheet.total_row(last + 1, 0, sums, example_row, last)
    sheet.notes_below(last + 3)
    for col in range(len(fixed), base):
        sheet.widths[col] = sheet.width("money")
    sheet.widths[base] = sheet.width("total")
    sheet.ws.autofilter(sub, 0, last, base + len(tail) - 1)
    return sub


def _receivables_header(sheet: _Sheet, top: int, sub: int) -> None:
    """Two header rows: each month over its plan and actual; the other fields across both."""
    head = _fields("receivables", sheet.settings)
    fixed, tail = RECEIVABLES_FIXED, RECEIVABLES_TAIL
    for col, (field, _) in enumerate(fixed):
        sheet.header(top, col, head[field], last_row=sub)
    for month, name in enumerate(_month_names(sheet.settings)):
        col = len(fixed) + 2 * month
        sheet.header(top, col, name, last_col=col + 1)
        sheet.header(sub, col, head["plan"])
        sheet.header(sub, col + 1, head["actual"])
    base = len(fixed) + 2 * MONTHS
    for i, (field, _) in enumerate(tail):
        sheet.header(top, base + i, head[field], last_row=sub)


# --------------------------------------------------------------------- P&L ---
def _pnl(sheet: _Sheet, example: dict[str, Any]) -> int:
    """A row per month; plan and actual per revenue and expense line, and the profit as formulas."""
    top = 2
    lines, profit_col = _pnl_header(sheet, example, top)
    first = top + 3
    last = first + MONTHS - 1
    sums: dict[int, float] = {}
    for month, name in enumerate(_month_names(sheet.settings)):
        row = first + month
        sheet.ws.write_string(row, 0, name, sheet.fmt["text"])
        written: dict[tuple[str, int], tuple[float, float]] = {}
        for i, (group, col) in enumerate(lines):
            plan = example["plan"][i] if month == 0 else None
            actual = example["actual"][i] if month == 0 else None
            sheet.value(row, col, "money", plan)
            sheet.value(row, col + 1, "money", actual)
            written[(group, col)] = (plan or 0, actual or 0)
            sums[col] = sums.get(col, 0) + (plan or 0)
            sums[col + 1] = sums.get(col + 1, 0) + (actual or 0)
        for offset in (0, 1):  # plan, actual
            cached = _profit(sheet, lines, written, row, profit_col, offset)
            sums[profit_col + offset] = sums.get(profit_col + offset, 0) + cached
    sheet.total_row(last + 1, 0, sums, first, last)
    for col in range(1, profit_col + 2):
        sheet.widths[col] = sheet.width("pnl")
    return top + 2


def _pnl_header(sheet: _Sheet, example: dict[str, Any], top: int) -> tuple[list[tuple[str, int]], int]:
    """Group, line, plan/actual in three header rows; returns each line's (group, column) and the profit's."""
    head = _fields("pnl", sheet.settings)
    sheet.header(top, 0, head["month"], last_row=top + 2)
    col = 1
    lines: list[tuple[str, int]] = []
    for group in ("revenue", "expense"):
        sheet.header(top, col, head[group], last_col=col + 2 * len(example[group]) - 1)
        for line in example[group]:
            sheet.header(top + 1, col, line, last_col=col + 1)
            sheet.header(top + 2, col, head["plan"])
            sheet.header(top + 2, col + 1, head["actual"])
            lines.append((group, col))
            col += 2
    sheet.header(top, col, head["profit"], last_row=top + 1, last_col=col + 1)
    sheet.header(top + 2, col, head["plan"])
    sheet.header(top + 2, col + 1, head["actual"])
    return lines, col


def _profit(
    sheet: _Sheet,
    lines: list[tuple[str, int]],
    written: dict[tuple[str, int], tuple[float, float]],
    row: int,
    profit_col: int,
    offset: int,
) -> float:
    """The month's profit (revenue lines − expense lines) as a formula; returns its cached value."""
    revenue = [column_letter(col + offset) + str(row + 1) for group, col in lines if group == "revenue"]
    expense = [column_letter(col + offset) + str(row + 1) for group, col in lines if group == "expense"]
    cached = sum(pair[offset] for (group, _), pair in written.items() if group == "revenue") - sum(
        pair[offset] for (group, _), pair in written.items() if group == "expense"
    )
    formula = f"=({'+'.join(revenue)})-({'+'.join(expense)})"
    sheet.ws.write_formula(row, profit_col + offset, formula, sheet.fmt["money"], cached)
    return cached


# ---------------------------------------------------------------- calendar ---
def _calendar(sheet: _Sheet, example: dict[str, Any]) -> int:
    """The month's key events, a Mon–Sun grid of two rows a week (day numbers, events), and notes."""
    settings, ws = sheet.settings, sheet.ws
    year, month = example["year"], example["month"]
    head = _fields("calendar", settings)
    ws.write_string(0, 0, f"{settings.form_name('calendar')}({year}-{month:02d})", sheet.fmt["title"])
    ws.write_string(2, 0, head["key_events"], sheet.fmt["header"])
    ws.merge_range(2, 1, 2, 6, example["key_events"], sheet.fmt["wrap"])
    top = 4
    for col, code in enumerate(settings.get("labels.values.weekday")):
        sheet.header(top, col, settings.label(f"values.weekday.{code}"))
        sheet.widths[col] = sheet.width("calendar_day")
    first = dt.date(year, month, 1)
    day = first - dt.timedelta(days=first.weekday())
    row = top + 1
    events = {int(key): text for key, text in example["events"].items()}
    while day.month == month or day < first:
        for col in range(7):
            date = day + dt.timedelta(days=col)
            if date.month == month:
                ws.write_number(row, col, date.day, sheet.fmt["day"])
                ws.write_string(row + 1, col, events.get(date.day, ""), sheet.fmt["wrap"])
            else:
                ws.write_blank(row, col, None, sheet.fmt["day"])
                ws.write_blank(row + 1, col, None, sheet.fmt["wrap"])
        ws.set_row(row + 1, EVENT_ROW_HEIGHT)
        row += 2
        day += dt.timedelta(days=7)
    ws.write_string(row + 1, 0, head["notes"], sheet.fmt["header"])
    ws.merge_range(row + 1, 1, row + 1, 6, "", sheet.fmt["wrap"])
    return top


# ------------------------------------------------------------ SWOT, targets ---
SWOT_LAYOUT = (("strengths", 2, 0), ("weaknesses", 2, 1), ("opportunities", 5, 0), ("threats", 5, 1))


def _swot(sheet: _Sheet, example: dict[str, Any]) -> int:
    """The course's 2×2: each quadrant's label over a cell of its items, the action directions under it."""
    head = _fields("swot", sheet.settings)
    for part, row, col in SWOT_LAYOUT:
        sheet.header(row, col, head[part])
        sheet.ws.write_string(row + 1, col, "\n".join(example[part]), sheet.fmt["wrap"])
        sheet.ws.set_row(row + 1, EVENT_ROW_HEIGHT)
    sheet.header(8, 0, head["actions"])
    for offset, action in enumerate(example["actions"], 9):
        sheet.ws.write_string(offset, 0, action, sheet.fmt["wrap"])
    for col in (0, 1):
        sheet.widths[col] = WIDEST
    return 2


def _targets(sheet: _Sheet, example: dict[str, Any]) -> int:
    """产品 · 市场/客户 · twelve months · 全年目标 (a SUM of the months), blank rows, a 合计 row."""
    head, top = _fields("targets", sheet.settings), 2
    names = [head["product"], head["market"], *_month_names(sheet.settings), head["total"]]
    for col, name in enumerate(names):
        sheet.header(top, col, name)
    row, months = top + 1, example["months"]
    sheet.value(row, 0, "text", example["product"])
    sheet.value(row, 1, "text", example["market"])
    for col, amount in enumerate(months, 2):
        sheet.value(row, col, "money", amount)
    total_col = 2 + MONTHS
    first, last = column_letter(2), column_letter(total_col - 1)
    sheet.ws.write_formula(
        row, total_col, f"=SUM({first}{row + 1}:{last}{row + 1})", sheet.fmt["money"], float(sum(months))
    )
    bottom = row + BLANK_ROWS
    sheet.blank_rows(row + 1, bottom, ["text", "text"] + ["money"] * (MONTHS + 1))
    sums = {col: float(amount) for col, amount in enumerate(months, 2)} | {total_col: float(sum(months))}
    sheet.total_row(bottom + 1, 0, sums, row, bottom)
    for col in range(2, total_col):
        sheet.widths[col] = sheet.width("money")
    return top


PLAN_FORMS = {"swot": _swot, "targets": _targets}


def write_template(form: str, out_dir: Path, settings: Settings) -> Path:
    """Write one blank form as ``out_dir/<form>.xlsx`` and return its path."""
    import xlsxwriter

    example = _examples()[form][settings.lang]
    target = Path(out_dir) / f"{form}.xlsx"
    title = settings.form_name(form)
    with atomic_path(target) as tmp:
        wb = xlsxwriter.Workbook(
            str(tmp), {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
        )
        wb.set_properties({"title": title, "subject": "kamxl template", "created": CREATED})
        ws = wb.add_worksheet(title[:31])
        sheet = _Sheet(wb, ws, settings, form)
        if form != "calendar":
            ws.write_string(0, 0, title, sheet.fmt["title"])
        if form == "receivables":
            bottom = _receivables(sheet, example)
        elif form == "pnl":
            bottom = _pnl(sheet, example)
        elif form == "calendar":
            bottom = _calendar(sheet, example)
        elif form in PLAN_FORMS:
            bottom = PLAN_FORMS[form](sheet, example)
        else:
            bottom = _flat(sheet, example=example, **FLAT_FORMS[form])
        sheet.finish(bottom, title)
        wb.close()
    return target
