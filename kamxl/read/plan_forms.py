"""The course's planning forms besides the money plans: competitors, SWOT, targets breakdown, plan review.

竞争对手信息表 / 竞争者比照, SWOT (优势 劣势 机会 威胁 → 具体行动趋向),
营销目标及分解 / 市场、产品贡献规划表 and 月度计划审查 / 周计划审查 each
turn into tidy tables with ``sheet`` and ``row`` (and ``col`` where a
place needs it) so the calculations and the report can point back at cells.
A competitor table is one row per competitor, or the course's comparison
(比照项目 down the side, one column per competitor); a SWOT is a 2×2 block
read from its quadrant labels, not a row table; a review's 特别纪要 and
下月大事 blocks below its table are kept as notes, not read as indicators.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from kamxl.issues import column_letter
from kamxl.read.header import HeaderBlock, is_month_label
from kamxl.read.sheet import Layout, SheetContext, SheetData, SheetMeta
from kamxl.read.values import CellValue
from kamxl.text import normalise

Record = dict[str, object]

# The fields read as text, per form, in the order the tables keep them.
COMPETITOR_FIELDS = (
    "competitor",
    "products",
    "price",
    "channel",
    "sales_model",
    "service",
    "strengths",
    "weaknesses",
    "customers",
    "moves",
)
# The course's 4P1S dimensions of the comparison (竞争者比照), in its order.
DIMENSIONS = ("channel", "sales_model", "service", "price", "products")
QUADRANTS = ("strengths", "weaknesses", "opportunities", "threats")
# the strategy matrix: SO 增长型, WO 扭转型, ST 多种经营, WT 防御型
STRATEGIES = ("so", "wo", "st", "wt")
SWOT_PARTS = (*QUADRANTS, "actions", *STRATEGIES)
WEEKS = ("week1", "week2", "week3", "week4", "week5")
REVIEW_NOTES = ("next_focus", "week_events", "notes")
REVIEW_NUMBERS = ("target", "actual", *WEEKS)
# the weekly layout's week targets, one per week column (blank in the indicator layout)
WEEK_TARGETS = tuple(f"{week}_target" for week in WEEKS)
_SEPARATORS = ":："

SCHEMAS: dict[str, dict[str, list[str]]] = {
    # cells: the comparison layout's values, each at its cell
    "competitors": {
        "main": ["sheet", "row", *COMPETITOR_FIELDS],
        "cells": ["sheet", "row", "col", "competitor", "dimension", "text"],
    },
    "swot": {"main": ["sheet", "row", "col", "quadrant", "text"]},
    "targets": {
        "main": ["sheet", "row", "product", "market", "total", "total_col"],
        "months": ["sheet", "row", "month", "plan", "col"],
        "totals": ["sheet", "row", "kind", "span", "total", "total_col"],
        "total_months": ["sheet", "row", "month", "plan", "col"],
    },
    "review": {
        "main": [
            "sheet",
            "row",
            "indicator",
            *REVIEW_NUMBERS,
            "target_col",
            "actual_col",
            "attainment_note",
            *REVIEW_NOTES,
            *WEEK_TARGETS,
        ],
        "notes": ["sheet", "row", "col", "kind", "text"],
    },
}


def _frame(records: list[Record], columns: list[str]) -> pd.DataFrame:
    """A table with exactly the schema's columns, even when empty."""
    if records:
        return pd.DataFrame.from_records(records, columns=columns)
    return pd.DataFrame({column: pd.Series(dtype="object") for column in columns})


def _title(ctx: SheetContext, top: int) -> str | None:
    """The first text above the header: it names the region and period the history files the sheet under."""
    for r in range(min(top, ctx.grid.nrows)):
        cells = [value for value in ctx.grid.rows[r] if isinstance(value, str) and value.strip()]
        if cells:
            return cells[0].strip()
    return None


def _sheet(
    ctx: SheetContext,
    top: int,
    cols: dict[str, int],
    tables: dict[str, pd.DataFrame],
    layout: Layout | None = None,
) -> SheetData:
    """The parsed sheet with its title (and layout, when the form has more than one)."""
    meta = SheetMeta(title=_title(ctx, top))
    if layout is not None:
        meta["layout"] = layout
    columns = {name: column_letter(c) for name, c in cols.items()}
    return SheetData(ctx.sheet, ctx.spec.name, top + 1, tables, columns, meta)


def _has_values(ctx: SheetContext, row: int, skip: set[int]) -> bool:
    """Whether the row holds anything outside ``skip`` (a plain check: no issues raised)."""
    cells = ctx.grid.rows[row]
    return any(not ctx.values.is_blank(value) for c, value in enumerate(cells) if c not in skip)


def item_rows(
    ctx: SheetContext,
    block: HeaderBlock,
    cols: dict[str, int],
    keys: tuple[str, ...],
    section: Callable[[int], bool] | None = None,
) -> tuple[list[int], list[int]]:
    """The body's item rows and total rows; a row with figures but none of its ``keys`` is reported.

    The form's ``fill_down`` columns are filled first (a product written once over its markets).
    """
    ctx.start_fill(cols)
    main: list[int] = []
    totals: list[int] = []
    first_key = next((cols[key] for key in keys if key in cols), None)
    for r, kind in ctx.body(block, first_key, section=section):
        if kind == "total":
            totals.append(r)
            continue
        ctx.fill_row(r, main[-1] if main and main[-1] == r - 1 else None, keys[0])
        key_cols = {cols[key] for key in keys if key in cols}
        if all(ctx.values.is_blank(ctx.grid.value(r, c)) for c in key_cols):
            if _has_values(ctx, r, key_cols) and first_key is not None:
                ctx.issue("missing_value", r, first_key, row=r + 1, column=ctx.header_label(keys[0]))
            continue
        main.append(r)
    return main, totals


# ------------------------------------------------------------------ competitors ---
def parse_competitors(ctx: SheetContext, block: HeaderBlock) -> SheetData | None:
    """One row per competitor; or the comparison layout, its dimensions down the first column."""
    cols = ctx.field_columns(block)
    if "competitor" not in cols:
        comparison = _comparison(ctx, block)
        if comparison is not None:
            return comparison
    if ctx.lacks_required(block, cols):
        return None
    rows, _ = item_rows(ctx, block, cols, ("competitor",))
    records = []
    for r in rows:
        record: Record = {"sheet": ctx.sheet, "row": r + 1}
        for name in COMPETITOR_FIELDS:
            col = cols.get(name)
            record[name] = ctx.parse("text", r, col, ctx.header_label(name)) if col is not None else None
        records.append(record)
    return _sheet(ctx, block.top, cols, {"main": _frame(records, SCHEMAS["competitors"]["main"])})


def _dimension_rows(ctx: SheetContext) -> tuple[int, dict[int, str]]:
    """The label column and the rows whose first cell there names a dimension (渠道运作, 价格水平…)."""
    found: dict[int, str] = {}
    label_col = 0
    for r in range(ctx.grid.nrows):
        first = next((c for c, v in enumerate(ctx.grid.rows[r]) if not ctx.values.is_blank(v)), None)
        name = ctx.spec.field_of(ctx.grid.value(r, first)) if first is not None else None
        if (
            first is not None
            and name in DIMENSIONS
            and name not in found.values()
            and (not found or first == label_col)
        ):
            label_col = first
            found[r] = name
            ctx.mark(r, first)  # the dimension's label heads its row: read, as a header is
    return label_col, found


def _comparison(ctx: SheetContext, block: HeaderBlock) -> SheetData | None:
    """竞争者比照: the dimensions down a column, a column per competitor named above them; else None."""
    label_col, dimensions = _dimension_rows(ctx)
    if len(dimensions) < 2 or min(dimensions) == 0:
        return None
    head = min(dimensions) - 1
    records, cells = [], []
    for c in range(label_col + 1, len(ctx.grid.rows[head])):
        name = ctx.text(head, c)
        if name is None:
            continue
        record: Record = {"sheet": ctx.sheet, "row": head + 1} | dict.fromkeys(COMPETITOR_FIELDS)
        record["competitor"] = name
        for r, field_name in dimensions.items():
            record[field_name] = text = ctx.parse("text", r, c, ctx.header_label(field_name))
            place = {"sheet": ctx.sheet, "row": r + 1, "col": column_letter(c), "competitor": name}
            cells.append(place | {"dimension": field_name, "text": text})
        records.append(record)
    schema = SCHEMAS["competitors"]
    tables = {"main": _frame(records, schema["main"]), "cells": _frame(cells, schema["cells"])}
    return _sheet(ctx, head, {"competitor": label_col}, tables, "wide")


# ------------------------------------------------------------------------- SWOT ---
def _label_at(ctx: SheetContext, value: CellValue) -> tuple[str, str] | None:
    """(part, text after the label) when a cell is a SWOT label ("优势", "优势(S):产品全"), else None."""
    if not isinstance(value, str) or not value.strip():
        return None
    name = ctx.spec.field_of(value)
    if name is not None:
        return name, ""
    first, newline, rest = value.strip().partition("\n")  # "SO 增长型战略" on a line, its items under it
    if newline and (name := ctx.spec.field_of(first)) is not None:
        return name, rest.strip()
    for separator in _SEPARATORS:
        head, found, rest = value.partition(separator)
        if found and (name := ctx.spec.field_of(head)) is not None:
            return name, rest.strip()
    return None


def _swot_labels(ctx: SheetContext) -> dict[str, tuple[int, int, str]]:
    """Where each SWOT part's label is (the first met, row by row): part -> (row, col, inline text)."""
    found: dict[str, tuple[int, int, str]] = {}
    for r in range(ctx.grid.nrows):
        for c, value in enumerate(ctx.grid.rows[r]):
            label = _label_at(ctx, value)
            if label is not None and label[0] not in found:
                found[label[0]] = (r, c, label[1])
                ctx.mark(r, c)  # the label (and the text inline after it) is read; a second one is not
    return found


def _lines(text: str | None) -> list[str]:
    """A cell's items: one per line (a quadrant is often one cell of numbered lines)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _swot_items(ctx: SheetContext, row: int, col: int) -> list[tuple[int, int, str]]:
    """A part's items: the cells below its label down to a blank or a label, else those to its right."""
    items: list[tuple[int, int, str]] = []
    for r in range(row + 1, ctx.grid.nrows):
        value = ctx.grid.value(r, col)
        if ctx.values.is_blank(value) or _label_at(ctx, value) is not None:
            break
        items += [(r, col, line) for line in _lines(ctx.text(r, col))]
    if items:
        return items
    for c in range(col + 1, len(ctx.grid.rows[row])):
        value = ctx.grid.value(row, c)
        if _label_at(ctx, value) is not None:
            break
        items += [(row, c, line) for line in _lines(ctx.text(row, c))]
    return items


def parse_swot(ctx: SheetContext, block: HeaderBlock) -> SheetData | None:
    """The 2×2 of 优势/劣势/机会/威胁 and the 具体行动趋向, each read from under (or beside) its label."""
    labels = _swot_labels(ctx)
    records: list[Record] = []
    for part in SWOT_PARTS:
        where = labels.get(part)
        if where is None:
            if part in ctx.spec.required:
                ctx.issue("swot_quadrant_missing", quadrant=ctx.header_label(part))
            continue
        row, col, inline = where
        items = [(row, col, line) for line in _lines(inline)] + _swot_items(ctx, row, col)
        if not items:
            ctx.issue("swot_quadrant_empty", row, col, quadrant=ctx.header_label(part))
        for r, c, text in items:
            records.append(
                {"sheet": ctx.sheet, "row": r + 1, "col": column_letter(c), "quadrant": part, "text": text}
            )
    if not labels:
        return None
    top = min(row for row, _, _ in labels.values())
    cols = {part: col for part, (_, col, _) in labels.items()}
    return _sheet(ctx, top, cols, {"main": _frame(records, SCHEMAS["swot"]["main"])})


# ---------------------------------------------------------------------- targets ---
def _month_columns(ctx: SheetContext, block: HeaderBlock) -> dict[int, int]:
    """Column -> month (1–12) of the header's month columns (1月, 一月, Jan, 2026-01…)."""
    months: dict[int, int] = {}
    for c, path in block.paths.items():
        for label in reversed(path):
            month = is_month_label(label, ctx.values)
            if month is not None:
                months[c] = month
                break
    return months


def _month_records(ctx: SheetContext, r: int, months: dict[int, int]) -> list[Record]:
    """One row's month figures, in 元."""
    return [
        {
            "sheet": ctx.sheet,
            "row": r + 1,
            "month": month,
            "plan": ctx.parse("number", r, c, ctx.settings.label(f"values.month.{month}")),
            "col": column_letter(c),
        }
        for c, month in sorted(months.items(), key=lambda item: item[1])
    ]


def parse_targets(ctx: SheetContext, block: HeaderBlock) -> SheetData | None:
    """Targets by product × market/customer × month; 合计 and 小计 rows kept aside, to be checked."""
    cols = ctx.field_columns(block)
    if ctx.lacks_required(block, cols):
        return None
    months = _month_columns(ctx, block)
    ctx.set_units(block, [*([cols["total"]] if "total" in cols else []), *months])
    rows, totals = item_rows(ctx, block, cols, ("product", "market"))
    total_col = cols.get("total")
    main, month_rows = [], []
    for r in rows:
        main.append(
            {
                "sheet": ctx.sheet,
                "row": r + 1,
                "product": ctx.parse("text", r, cols.get("product")) if "product" in cols else None,
                "market": ctx.parse("text", r, cols.get("market")) if "market" in cols else None,
                "total": ctx.parse("number", r, total_col) if total_col is not None else None,
                "total_col": ctx.letter(total_col),
            }
        )
        month_rows += _month_records(ctx, r, months)
    total_records, total_months = [], []
    for r in totals:
        found = ctx.total_rows[r]
        span = tuple(row + 1 for row in found.span)
        total = ctx.parse("number", r, total_col) if total_col is not None else None
        total_records.append(
            {
                "sheet": ctx.sheet,
                "row": r + 1,
                "kind": found.kind,
                "span": span,
                "total": total,
                "total_col": ctx.letter(total_col),
            }
        )
        total_months += _month_records(ctx, r, months)
    schema = SCHEMAS["targets"]
    tables = {
        "main": _frame(main, schema["main"]),
        "months": _frame(month_rows, schema["months"]),
        "totals": _frame(total_records, schema["totals"]),
        "total_months": _frame(total_months, schema["total_months"]),
    }
    return _sheet(ctx, block.top, cols, tables)


# ----------------------------------------------------------------------- review ---
def _note_label(ctx: SheetContext, row: int) -> tuple[int, str, str] | None:
    """(column, kind, text after the label) when a row starts a notes block (特别纪要:…), else None."""
    for c, value in enumerate(ctx.grid.rows[row]):
        if ctx.values.is_blank(value):
            continue
        found = _label_at(ctx, value)
        if found is not None and found[0] in REVIEW_NOTES:
            return c, found[0], found[1]
        return None
    return None


class _Notes:
    """A review's notes blocks: from the first 特别纪要/下月大事 label on, no row is an item."""

    def __init__(self, ctx: SheetContext) -> None:
        self.ctx = ctx
        self.kind: str | None = None
        self.records: list[Record] = []

    def claim(self, row: int) -> bool:
        """Whether the row belongs to the notes (kept here), not to the table."""
        label = _note_label(self.ctx, row)
        if label is not None:
            col, self.kind, inline = label
            self.ctx.mark(row, col)  # the block's label, and any text inline after it
            self._add(row, col, _lines(inline))
            for c in range(col + 1, len(self.ctx.grid.rows[row])):
                self._add(row, c, _lines(self.ctx.text(row, c)))
            return True
        if self.kind is None:
            return False
        for c in range(len(self.ctx.grid.rows[row])):
            self._add(row, c, _lines(self.ctx.text(row, c)))
        return True

    def _add(self, row: int, col: int, lines: list[str]) -> None:
        for line in lines:
            self.records.append(
                {
                    "sheet": self.ctx.sheet,
                    "row": row + 1,
                    "col": column_letter(col),
                    "kind": self.kind,
                    "text": line,
                }
            )


def _review_record(ctx: SheetContext, r: int, cols: dict[str, int]) -> Record:
    """One indicator's row: its figures as numbers, its notes as text."""
    record: Record = {"sheet": ctx.sheet, "row": r + 1}
    record["indicator"] = ctx.parse("text", r, cols["indicator"])
    for name in REVIEW_NUMBERS:
        col = cols.get(name)
        record[name] = ctx.parse("number", r, col, ctx.header_label(name)) if col is not None else None
    record["target_col"], record["actual_col"] = (
        ctx.letter(cols.get("target")),
        ctx.letter(cols.get("actual")),
    )
    for name in ("attainment_note", *REVIEW_NOTES):
        record[name] = ctx.parse("text", r, cols.get(name)) if name in cols else None
    return record | dict.fromkeys(WEEK_TARGETS)


def parse_review(ctx: SheetContext, block: HeaderBlock) -> SheetData | None:
    """The leader's review: each indicator's target, actual and weeks; the notes blocks under it.

    周计划审查 laid out one row per week (周次 down the side) is turned into the same table."""
    cols = ctx.field_columns(block)
    if "week" in cols:
        return parse_weekly_review(ctx, block, cols)
    if "week_target" in cols and "week_events" not in cols:
        cols["week_events"] = cols.pop("week_target")  # beside indicators, 周目标 is the weeks' goals as text
    if ctx.lacks_required(block, cols):
        return None
    notes = _Notes(ctx)
    rows, _ = item_rows(ctx, block, cols, ("indicator",), section=notes.claim)
    records = [_review_record(ctx, r, cols) for r in rows]
    tables = {
        "main": _frame(records, SCHEMAS["review"]["main"]),
        "notes": _frame(notes.records, SCHEMAS["review"]["notes"]),
    }
    return _sheet(ctx, block.top, cols, tables)


# ---------------------------------------------------------------- weekly review ---
def _week_of(ctx: SheetContext, row: int, col: int) -> int | None:
    """The week (1–5) a 周次 cell names: 第1周, 第一週, Week 1, W1 or the number 1; else None."""
    value = ctx.raw(row, col)
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
        return int(value) if 1 <= value <= len(WEEKS) else None
    name = ctx.spec.field_of(value) if isinstance(value, str) else None
    return WEEKS.index(name) + 1 if name in WEEKS else None


class _Weekly:
    """One indicator's weeks and month as read from the weekly layout, gathered in the order met."""

    def __init__(self) -> None:
        self.weeks: dict[str, dict[int, tuple[object, object]]] = {}  # indicator -> week -> (target, actual)
        self.first_row: dict[str, int] = {}
        self.month: dict[str, tuple[int, object, object]] = {}  # indicator -> (total row, target, actual)


def parse_weekly_review(ctx: SheetContext, block: HeaderBlock, cols: dict[str, int]) -> SheetData | None:
    """周次 | 周目标 | 实际完成 | 每周大事: each week's target and actual; the 合计 row is the month's (else
    the weeks' targets add up to the month's target, which is said). An indicator column, where there is
    one, keeps several indicators apart; without one, the weeks are one indicator."""
    target_col = cols.get("week_target", cols.get("target"))
    if target_col is None and ctx.lacks_required(block, cols, ["actual"]):
        return None
    notes = _Notes(ctx)
    rows, totals = item_rows(ctx, block, cols, ("week",), section=notes.claim)
    found = _Weekly()
    default = ctx.settings.label("plan_forms.weekly_indicator")
    for r in rows:
        name = _weekly_name(ctx, r, cols, default)
        week = _week_of(ctx, r, cols["week"])
        if week is None or week in found.weeks.get(name, {}):
            ctx.issue("review_week_unknown", r, cols["week"], row=r + 1, text=ctx.text(r, cols["week"]) or "")
            ctx.skipped.add(r)  # the row is not read: its figures are named by the issue in the row
            continue
        target = (
            ctx.parse("number", r, target_col, ctx.header_label("week_target"))
            if target_col is not None
            else None
        )
        actual = (
            ctx.parse("number", r, cols.get("actual"), ctx.header_label("actual"))
            if "actual" in cols
            else None
        )
        found.weeks.setdefault(name, {})[week] = (target, actual)
        found.first_row.setdefault(name, r)
        events = ctx.text(r, cols["week_events"]) if "week_events" in cols else None
        for line in _lines(events):
            where = {"sheet": ctx.sheet, "row": r + 1, "col": column_letter(cols["week_events"])}
            heading = ctx.settings.label(f"headers.review.week{week}")
            notes.records.append(where | {"kind": "week_events", "text": f"{heading}: {line}"})
    for r in totals:
        total = ctx.parse("number", r, target_col) if target_col is not None else None
        actual = ctx.parse("number", r, cols.get("actual")) if "actual" in cols else None
        found.month.setdefault(_weekly_name(ctx, r, cols, default, total_row=True), (r, total, actual))
    records = [_weekly_record(ctx, cols, target_col, found, name) for name in found.weeks]
    tables = {
        "main": _frame(records, SCHEMAS["review"]["main"]),
        "notes": _frame(notes.records, SCHEMAS["review"]["notes"]),
    }
    return _sheet(ctx, block.top, cols, tables)


def _weekly_name(
    ctx: SheetContext, row: int, cols: dict[str, int], default: str, total_row: bool = False
) -> str:
    """The indicator a weekly row is of: its indicator cell, else the one indicator of the sheet."""
    if "indicator" not in cols:
        return default
    name = ctx.text(row, cols["indicator"])
    return default if name is None or total_row and ctx.spec.field_of(name) is not None else name


def _weekly_record(
    ctx: SheetContext, cols: dict[str, int], target_col: int | None, found: _Weekly, name: str
) -> Record:
    """One indicator's row of the review table: the month from its 合计 row, else the weeks' targets."""
    weeks = found.weeks[name]
    month = found.month.get(name)
    row = month[0] if month is not None else found.first_row[name]
    record: Record = {"sheet": ctx.sheet, "row": row + 1, "indicator": name}
    record |= {week: weeks.get(i + 1, (None, None))[1] for i, week in enumerate(WEEKS)}
    record |= {key: weeks.get(i + 1, (None, None))[0] for i, key in enumerate(WEEK_TARGETS)}
    targets = [float(t) for t, _ in weeks.values() if isinstance(t, int | float)]
    if month is not None and month[1] is not None:
        target: object = month[1]
    elif targets:
        target = sum(targets)
        where = found.first_row[name]
        ctx.issue("review_target_from_weeks", where, target_col, indicator=name, target=f"{target:,g}")
    else:
        target = None
    _, month_target, month_actual = month if month is not None else (None, None, None)
    record |= {
        "target": target,
        "actual": month_actual,
        "target_col": ctx.letter(target_col) if month_target is not None else None,
        "actual_col": ctx.letter(cols.get("actual")) if month_actual is not None else None,
    }
    return record | dict.fromkeys(("attainment_note", *REVIEW_NOTES))


def same_name(left: object, right: object) -> bool:
    """Two names written alike (width, script and punctuation aside)."""
    return bool(normalise(left)) and normalise(left) == normalise(right)
