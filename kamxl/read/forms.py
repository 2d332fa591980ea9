"""One parser per form: a recognised sheet's header block and body to tidy tables.

Users lay the same form out in many ways (columns in any order, months as
columns or rows, wide or long appraisals, one day or several per to-do list).
Each parser turns whichever layout it finds into tables with a fixed column
schema (see SCHEMAS), plus ``sheet`` and ``row`` so results can point back at
cells, and the calculations never see the layout.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import NamedTuple

import pandas as pd

from kamxl.calc.numbers import fmt
from kamxl.calc.tier import factor_column
from kamxl.calc.totals import row_ranges, subtotal_mismatches
from kamxl.issues import column_letter
from kamxl.read.formulas import column_index
from kamxl.read.header import (
    APPRAISAL_SUBS,
    Cell,
    HeaderBlock,
    HeaderPath,
    Month,
    header_month,
    is_month_label,
    place_months,
    split_measure,
    title_year,
)
from kamxl.read.plan_forms import parse_competitors, parse_review, parse_swot, parse_targets
from kamxl.read.sheet import Layout, PureParser, SheetContext, SheetData, SheetMeta
from kamxl.read.values import CellValue, Parsed, YearMonth, hours_minutes, is_hours_minutes
from kamxl.text import normalise

# field -> how its cells are parsed, per form (the main table's schema).
FLAT_FIELDS: dict[str, dict[str, str]] = {
    "receivables": {
        "customer": "text",
        "product": "text",
        "qty": "number",
        "total_owed": "number",
        "due_date": "close",
        "owner": "text",
    },
    "activities": {
        "activity": "text",
        "owner": "text",
        "support": "text",
        "budget": "number",
        "expected": "text",
    },
    "todo": {
        "date": "date",
        "category": "label:quadrant",
        "start": "time",
        "end": "time",
        "hours": "number",
        "task": "text",
        "related": "text",
        "notes": "text",
        "status": "status",
    },
    "weekly": {
        "week": "week",
        "goal": "text",
        "weekly_target": "quantity",
        "actual": "quantity",
        "monthly_item": "text",
        "owner": "text",
        "unit": "text",
        "notes": "text",
    },
    "monthly": {
        "indicator": "text",
        "category": "label:indicator_class",
        "target": "quantity",
        "actual": "quantity",
        "owner": "text",
        "unit": "text",
        "next_focus": "text",
        "notes": "text",
        "last_actual": "quantity",
    },
    "worklog": {
        "date": "date",
        "start": "time",
        "end": "time",
        "hours": "number",
        "customer": "text",
        "activity": "text",
        "outcome": "text",
    },
    "customers": {
        "customer": "text",
        "owner": "text",
        "industry": "text",
        "project": "text",
        "amount": "number",
        "expected_close": "close",
        "period_target": "number",
        "status": "label:status",
        "attractiveness": "axis",
        "advantage": "axis",
        "order_size": "funnel:order_size",
        "likelihood": "funnel:likelihood",
    },
    "appraisal": {
        "employee": "text",
        "employee_id": "text",
        "department": "text",
        "period": "text",
        "position": "text",
        "reviewer": "text",
        "indicator": "text",
        "indicator_class": "label:indicator_class",
        "target": "number",
        "actual": "number",
        "next_target": "number",
        "weight": "percent",
        "direction": "label:direction",
        "personality": "score",
        "drive": "score",
        "ability": "score",
        "willingness": "score",
    },
}
# The field whose cell makes a row an item of the form (a row without it is a remark or a gap).
KEY_FIELD = {
    "receivables": "customer",
    "activities": "activity",
    "todo": "task",
    "weekly": "goal",
    "monthly": "indicator",
    "worklog": "activity",
    "customers": "customer",
    "appraisal": "employee",
}


Record = dict[str, object]  # one row of a table, by column
Parser = Callable[[SheetContext, HeaderBlock], SheetData | None]


def _columns(form: str) -> list[str]:
    """The main table's columns: the fields, with a unit or level column after those that have one."""
    cols = ["sheet", "row"]
    for name, kind in FLAT_FIELDS[form].items():
        cols.append(name)
        if kind == "quantity":
            cols.append(f"{name}_unit")
        if kind == "axis":
            cols.append(f"{name}_level")
    if form in ("todo", "worklog") and "hours" not in cols:
        cols.append("hours")
    return cols


# Column schemas of every table the reader produces.
SCHEMAS: dict[str, dict[str, list[str]]] = {form: {"main": _columns(form)} for form in FLAT_FIELDS}
# month is 1..12; year is None when nothing writes it; period orders months across years (see header.Month)
SCHEMAS["receivables"]["months"] = [
    "sheet",
    "row",
    "month",
    "plan",
    "actual",
    "plan_col",
    "actual_col",
    "year",
    "period",
]
SCHEMAS["activities"]["months"] = ["sheet", "row", "month", "mark", "amount", "col", "year", "period"]
SCHEMAS["pnl"] = {
    "main": [
        "sheet",
        "row",
        "month",
        "group",
        "line",
        "plan",
        "actual",
        "plan_col",
        "actual_col",
        "year",
        "period",
    ]
}
SCHEMAS["calendar"] = {"main": ["sheet", "row", "col", "date", "day", "text"]}


def _frame(records: list[Record], columns: list[str]) -> pd.DataFrame:
    """A table with exactly the schema's columns, even when empty (object columns then)."""
    return (
        pd.DataFrame.from_records(records, columns=columns)
        if records
        else pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    )


def _read_fields(ctx: SheetContext, row: int, cols: dict[str, int], form: str) -> Record:
    """One row's fields, parsed by the form's field kinds."""
    rec: Record = {"sheet": ctx.sheet, "row": row + 1}
    for name, kind in FLAT_FIELDS[form].items():
        _read_field(ctx, row, cols.get(name), name, kind, rec)
    return rec


def _read_rows(ctx: SheetContext, rows: list[int], cols: dict[str, int], form: str) -> list[Record]:
    """``_read_fields`` for every row, a column at a time.

    Plain text and numbers (most cells of a big sheet) are taken without a call
    per cell; every other cell goes through ``_read_field`` in reading order,
    so issues come out as they would row by row.
    """
    fields = list(FLAT_FIELDS[form].items())
    recs: list[Record] = [{"sheet": ctx.sheet, "row": r + 1} for r in rows]
    slow: list[tuple[int, int]] = []
    for k, (name, kind) in enumerate(fields):
        col, parser = cols.get(name), _pure_parser(ctx, kind)
        if not (kind in ("text", "number") or parser is not None):
            # kinds with more to them (quantities, axes, funnel parts, status, weeks): cell by cell
            slow += [(i, k) for i in range(len(rows))]
            continue
        if col is None:  # no column: nothing to read, nothing to say
            for rec in recs:
                rec[name] = None
            continue
        values, left = ctx.quick_column(rows, col, kind, parser)
        for rec, value in zip(recs, values, strict=True):
            rec[name] = value
        slow += [(i, k) for i in left]
    for i, k in sorted(slow):
        name, kind = fields[k]
        _read_field(ctx, rows[i], cols.get(name), name, kind, recs[i])
    return recs


def _pure_parser(ctx: SheetContext, kind: str) -> PureParser | None:
    """``value -> (parsed, ok)`` for the kinds ``ctx.parse`` reads with no more than a parser, else None.

    Labels are looked up once per distinct text: a column of 50,000 rows holds a handful of them.
    """
    values = ctx.values
    if kind == "date":
        return values.date
    if kind == "close":
        return values.close_date
    if kind == "score":
        return values.score
    if kind == "time":
        return values.time
    if kind == "percent":
        return values.percent
    if kind.startswith("label:"):
        vocab, label = kind[6:], values.label
        seen: dict[str, Parsed[str]] = {}

        def parse(value: CellValue) -> Parsed[str]:
            if type(value) is not str:
                return label(vocab, value)
            found = seen.get(value)
            if found is None:
                found = seen[value] = label(vocab, value)
            return found

        return parse
    return None


def _read_field(ctx: SheetContext, row: int, col: int | None, name: str, kind: str, rec: Record) -> None:
    """One cell into ``rec`` by its field's kind (some kinds fill a second column: unit, level)."""
    label = ctx.header_label(name)
    if kind == "quantity":
        quantity = ctx.parse("quantity", row, col, label)
        rec[name], rec[f"{name}_unit"] = quantity if quantity else (None, None)
    elif kind == "axis":
        rec[name], rec[f"{name}_level"] = _axis(ctx, row, col, label)
    elif kind.startswith("funnel:"):
        rec[name] = _funnel_part(ctx, row, col, kind[7:], label)
    elif kind == "status":
        rec[name] = _status(ctx, row, col, label)
    elif kind == "week":
        rec[name] = _week(ctx, row, col)
    else:
        rec[name] = ctx.parse(kind, row, col, label) if col is not None else None
        value = ctx.grid.value(row, col) if col is not None else None
        if name.endswith("_id") and type(value) in (int, float) and not ctx.grid.parts.formats_known:
            ctx.once("id_as_number", row, col, column=label)


def _axis(ctx: SheetContext, row: int, col: int | None, label: str) -> tuple[float | None, str | None]:
    """A portfolio axis as a score (1–5) or a level (高/低): users rate either way."""
    value = ctx.raw(row, col)
    score, ok = ctx.values.score(value)
    level = None
    if not ok:
        level, ok = ctx.values.label("high_low", value)
        if not ok:
            ctx.issue("invalid_label", row, col, value=value, column=label, allowed="1–5 / 高 / 低")
    return score, level


def _funnel_part(ctx: SheetContext, row: int, col: int | None, part: str, label: str) -> str | None:
    """Order size / likelihood as a code, from a label or its score (5.1 -> over)."""
    value = ctx.raw(row, col)
    if ctx.values.is_blank(value):
        return None
    code, ok = ctx.values.label(part, value)
    if ok and code:
        return code
    number, ok = ctx.values.number(value)
    scores: dict[str, float] = ctx.settings.get(
        f"funnel.{'size_scores' if part == 'order_size' else 'likelihood_scores'}"
    )
    if ok and number is not None:
        for code, score in scores.items():
            if abs(number - score) < 0.05:
                return code
    allowed = "/".join(ctx.values.aliases(part)) + " / " + "/".join(f"{s:g}" for s in scores.values())
    ctx.issue("invalid_label", row, col, value=value, column=label, allowed=allowed)
    return None


def _status(ctx: SheetContext, row: int, col: int | None, label: str) -> float | None:
    """Completion as a fraction: 完成 = 1, 未完成 = 0, "60%" = 0.6."""
    value = ctx.raw(row, col)
    if ctx.values.is_blank(value):
        return None
    code, ok = ctx.values.label("done", value)
    if ok and code:
        return 1.0 if code == "done" else 0.0
    share, ok = ctx.values.percent(value)
    if ok and share is not None and 0 <= share <= 1:
        return share
    ctx.issue(
        "invalid_label", row, col, value=value, column=label, allowed="完成/未完成/done/not done/0–100%"
    )
    return None


def _week(ctx: SheetContext, row: int, col: int | None) -> int | str | None:
    """A week number from 3, "3", "第3周" or "W3"; other text is kept as written."""
    value = ctx.raw(row, col)
    if ctx.values.is_blank(value):
        return None
    number, ok = ctx.values.number(value)
    if ok and number is not None:
        return int(number)
    digits = "".join(ch for ch in str(value) if ch.isdigit())
    if digits:
        return int(digits)
    return ctx.as_text(value)


class MonthHeader(NamedTuple):
    """What a month column's header path says: the month, the measure, and which label names the month."""

    year_month: YearMonth | None
    measure: str | None
    at: int  # which label of the path names the month


def _split(ctx: SheetContext, path: HeaderPath) -> MonthHeader:
    """A month-and-measure header path -> ((year, month), "plan"|"actual", the month label's place)."""
    year_month: YearMonth | None = None
    measure, index = None, 0
    for i, label in enumerate(path):
        if isinstance(label, str) and measure is None:
            code, _ = ctx.values.label("measure", label)
            if code:
                measure = code
                continue
            parts = split_measure(label, ctx.values)
            if parts:
                named = header_month(parts[0], ctx.values)
                if named:
                    year_month, measure, index = named, parts[1], i
                    continue
        named = header_month(label, ctx.values)
        if named and year_month is None:
            year_month, index = named, i
    return MonthHeader(year_month, measure, index)


def _place(
    ctx: SheetContext, block: HeaderBlock, sequences: Iterable[list[tuple[Cell, YearMonth]]]
) -> dict[Cell, Month]:
    """Month headers placed in time, one sequence (e.g. the plan columns) at a time.

    Each measure's months are placed in their own order, so a sheet that puts
    every plan column before every actual column does not read the second
    run as the next year. A roll into a next year that no year backs is
    reported at its header.
    """
    title = title_year(ctx.grid, block.top, ctx.values)
    placed: dict[Cell, Month] = {}
    for found in sequences:
        months, guessed = place_months(found, title)
        for cell in guessed:
            if cell not in placed:
                before = found[[c for c, _ in found].index(cell) - 1][1][1]
                ctx.issue("month_year_assumed", *cell, label=ctx.grid.value(*cell), before=before)
        for cell, month in months.items():
            placed.setdefault(cell, month)
    return placed


def _month_columns(ctx: SheetContext, block: HeaderBlock, taken: set[int]) -> dict[tuple[Month, str], int]:
    """(month, measure) -> column, for the columns not taken by fields; the first of a pair wins.

    A second column of the same month and measure is reported, not added in.
    """
    headers = {c: _split(ctx, path) for c, path in sorted(block.paths.items()) if c not in taken}
    readable = {c: header for c, header in headers.items() if header.year_month and header.measure}
    sequences: dict[str, dict[Cell, YearMonth]] = {}
    for c, header in readable.items():
        assert header.year_month is not None and header.measure is not None
        sequences.setdefault(header.measure, {}).setdefault(block.cell_of(c, header.at), header.year_month)
    placed = _place(ctx, block, [list(found.items()) for found in sequences.values()])
    out: dict[tuple[Month, str], int] = {}
    for c, header in readable.items():
        assert header.measure is not None
        key = (placed[block.cell_of(c, header.at)], header.measure)
        if key in out:
            row, col = block.cell_of(c)
            used, ignored = ctx.letter(out[key]), ctx.letter(c)
            ctx.issue("duplicate_column", row, col, column=block.label(c), used=used, ignored=ignored)
            continue
        out[key] = c
    return out


def _report_unread_columns(ctx: SheetContext, block: HeaderBlock, used: Iterable[int]) -> None:
    """Every column under a month (or a P&L group) that was not read is reported at its sub-header.

    A sub-header the vocabulary lacks (回款额, 差额 …) would otherwise drop its
    column without a word, and collections would read as 0.
    """
    read = set(used)
    unplaced: set[Cell] = set()  # month headers reported, once each whatever the columns under them
    for c, path in sorted(block.paths.items()):
        if c in read:
            continue
        head = next((i for i, label in enumerate(path) if _is_group_head(ctx, label)), None)
        if head is None:
            _report_unplaced_month(ctx, block, c, path, unplaced)
            continue
        if _split(ctx, path).measure is not None:
            continue  # a measure whose column was reported as a duplicate
        allowed = "/".join(ctx.values.aliases("measure"))
        if len(path) == head + 1:  # nothing under the month or group: no measure at all
            row, col = block.cell_of(c, head)
            ctx.issue("no_subheader", row, col, group=path[head], allowed=allowed)
            continue
        row, col = block.cell_of(c, len(path) - 1)
        ctx.issue("unknown_subheader", row, col, label=path[-1], group=path[head], allowed=allowed)


def _report_unplaced_month(
    ctx: SheetContext, block: HeaderBlock, col: int, path: HeaderPath, reported: set[Cell]
) -> None:
    """A plan or actual column whose month cannot be read ("13月", "2026.13"), or that has none over it,
    is reported at the header above (or at itself).

    A 合计 column (a pair of totals at the end of the months) is no month: it is left to the totals' checks.
    """
    if not ctx.values.label("measure", path[-1])[0]:
        return
    if len(path) == 1:  # a plan or actual with nothing over it (a label centred from its middle cell)
        row, cell_col = block.cell_of(col)
        ctx.issue("orphan_measure", row, cell_col, measure=path[-1])
        return
    if ctx.spec.name == "pnl":
        return  # a P&L line outside any group: the P&L's own reading reports what it cannot place
    label = path[-2]
    if ctx.values.is_total(label) or ctx.spec.field_of(label):
        return
    cell = block.cell_of(col, len(path) - 2)
    if cell not in reported:
        reported.add(cell)
        ctx.issue("month_unreadable", *cell, label=label, measure=path[-1])


def _is_group_head(ctx: SheetContext, label: CellValue) -> bool:
    """A month header, or in a P&L a group header (收入项 / 支出项 / 预期盈亏)."""
    if ctx.spec.name == "pnl" and ctx.values.label("pnl_group", label)[0]:
        return True
    return is_month_label(label, ctx.values) is not None


def _row_has_values(ctx: SheetContext, row: int, cols: Iterable[int]) -> bool:
    """Whether any of ``cols`` holds something in the row (a plain check: no issues raised)."""
    return any(not ctx.values.is_blank(ctx.grid.value(row, col)) for col in cols)


class FlatRows(NamedTuple):
    """Where a one-row-per-item form's fields are, and which body rows are items and totals."""

    cols: dict[str, int]
    rows: list[int]
    totals: list[int]


def _flat(
    ctx: SheetContext, block: HeaderBlock, form: str, on_row: Callable[[int], bool] | None = None
) -> FlatRows | None:
    """Shared reading of a one-row-per-item form; None when a required column is missing.

    A row without its key field but with other values is reported, not read:
    a plan line without a customer cannot be attributed.
    """
    cols = ctx.field_columns(block)
    if ctx.lacks_required(block, cols):
        return None
    main, totals = _item_rows(ctx, block, cols, KEY_FIELD[form], on_row)
    return FlatRows(cols, main, totals)


def _money_columns(
    ctx: SheetContext, block: HeaderBlock, cols: dict[str, int], months: Iterable[int]
) -> None:
    """Read the form's money columns (``money`` in ``[forms.<form>]``) in 元, whatever unit they name.

    ``months`` are the month columns ("@months"): a receivables plan in 万元
    and a P&L in 元 then compare as they should.
    """
    names: list[str] = ctx.settings.get(f"forms.{ctx.spec.name}").get("money", [])
    money = [cols[name] for name in names if name in cols]
    if "@months" in names:
        money += list(months)
    ctx.set_units(block, money)


def _item_rows(
    ctx: SheetContext,
    block: HeaderBlock,
    cols: dict[str, int],
    key: str,
    on_row: Callable[[int], bool] | None = None,
) -> tuple[list[int], list[int]]:
    """The body's item rows and total rows, the form's ``fill_down`` columns filled in.

    A key written once over its group (merged down, or left blank below) is
    read into every row of the group; a row whose key is still blank but
    which holds figures is reported, never dropped without a word: a plan
    line without a customer cannot be attributed.
    """
    ctx.start_fill(cols)
    main: list[int] = []
    totals: list[int] = []
    for r, kind in ctx.body(block, cols.get(key), section=on_row):
        if kind == "total":
            totals.append(r)
            continue
        ctx.fill_row(r, main[-1] if main and main[-1] == r - 1 else None, key)
        if ctx.values.is_blank(ctx.grid.value(r, cols[key])):
            cells = ctx.grid.rows[r]
            if _row_has_values(ctx, r, [c for c in range(len(cells)) if c != cols[key]]):
                ctx.issue("missing_value", r, cols[key], row=r + 1, column=ctx.header_label(key))
                ctx.skipped.add(r)
            continue
        main.append(r)
    return main, totals


def _sheet(
    ctx: SheetContext,
    block: HeaderBlock,
    cols: dict[str, int],
    tables: dict[str, pd.DataFrame],
    meta: SheetMeta | None = None,
) -> SheetData:
    """The parsed sheet, with its title: the title names the region and period a history files it under."""
    full_meta: SheetMeta = {"title": _title(ctx, block)}
    full_meta.update(meta or {})
    columns = {field_name: column_letter(c) for field_name, c in cols.items()}
    _set_subtotals_aside(ctx, cols, tables)
    return SheetData(ctx.sheet, ctx.spec.name, block.top + 1, tables, columns, full_meta)


# The tables of total rows a form keeps, each with the table of items its rows sum, the keys an
# item must share with its total and the figures checked: (totals, items, keys, measures).
_TOTAL_TABLES: dict[str, list[tuple[str, str, list[str], list[str]]]] = {
    "receivables": [
        ("totals", "main", [], ["total_owed", "qty"]),
        ("total_months", "months", ["month"], ["plan", "actual"]),
    ],
    "pnl": [("totals", "main", ["group", "line"], ["plan", "actual"])],
    "activities": [("totals", "main", [], ["budget"])],
    "customers": [("totals", "main", [], ["amount", "period_target"])],
    "weekly": [("totals", "main", [], [])],
    "monthly": [("totals", "main", [], [])],
}
# Columns whose value a subtotal may name ("王伟 小计": the rows whose owner is 王伟).
_GROUP_FIELDS = ("customer", "owner", "employee", "department", "product", "group", "line")


def _set_subtotals_aside(ctx: SheetContext, cols: dict[str, int], tables: dict[str, pd.DataFrame]) -> None:
    """Move subtotal and running-total rows from ``totals`` to ``subtotals``; check each against its group.

    ``totals`` then holds only grand totals, which the calculations check
    against every row; a subtotal checked against every row would blame a
    right figure (docs/forms.md, "Total rows").
    """
    subtotal_rows = {r + 1 for r, total in ctx.total_rows.items() if total.kind != "total"}
    for name, items, keys, measures in _TOTAL_TABLES.get(ctx.spec.name, []):
        frame = tables.get(name)
        if frame is None:
            continue
        is_sub = frame["row"].isin(subtotal_rows)
        tables[name] = frame[~is_sub].reset_index(drop=True)
        sub_name = "sub" + name
        tables[sub_name] = frame[is_sub].reset_index(drop=True)
        present = [m for m in measures if m in tables[sub_name].columns and m in tables[items].columns]
        if present and not tables[sub_name].empty:
            _check_subtotals(ctx, cols, tables[items], tables[sub_name], keys, present)


def _subtotal_groups(ctx: SheetContext, items: pd.DataFrame) -> pd.DataFrame:
    """(total_row, row) for every item a subtotal sums, in Excel rows.

    A subtotal that names a customer or owner the items hold sums those
    items; otherwise the rows since the previous subtotal (a 累计 all rows above it).
    """
    named = [c for c in _GROUP_FIELDS if c in items.columns]
    names = items[named].map(lambda value: normalise(value) if isinstance(value, str) else None)
    pairs: list[tuple[int, int]] = []
    for r, total in ctx.total_rows.items():
        span = [row + 1 for row in total.span]
        if total.name and named:
            hits = items.loc[names.eq(total.name).any(axis=1), "row"]
            span = sorted(set(hits.astype(int))) or span
        pairs += [(r + 1, row) for row in span]
    return pd.DataFrame(pairs, columns=["total_row", "row"])


def _figure_name(ctx: SheetContext, mismatch: dict[str, object], measure: str) -> str:
    """How a message names a checked figure: its header, or a P&L line's or a month's measure."""
    if measure not in ("plan", "actual"):
        return ctx.header_label(measure)
    words = [ctx.settings.label(f"values.measure.{measure}")]
    month = mismatch.get("month")
    if month is not None and not pd.isna(month):
        words.insert(0, ctx.settings.label(f"values.month.{int(float(str(month)))}"))
    line = mismatch.get("line")
    if isinstance(line, str):
        words.insert(0, line)
    return " ".join(words)


def _check_subtotals(
    ctx: SheetContext,
    cols: dict[str, int],
    items: pd.DataFrame,
    subtotals: pd.DataFrame,
    keys: list[str],
    measures: list[str],
) -> None:
    """A warning at each subtotal cell that is not the sum of its own group."""
    groups = _subtotal_groups(ctx, items)
    tolerance = ctx.settings.get("receivables.total_tolerance")
    for mismatch in subtotal_mismatches(items, subtotals, groups, keys, measures, tolerance):
        measure, row = mismatch["measure"], int(mismatch["row"])
        letter = mismatch.get(f"{measure}_col")
        col = column_index(letter) if isinstance(letter, str) else cols.get(measure)
        members = groups.loc[groups["total_row"] == row, "row"].tolist()
        column = _figure_name(ctx, mismatch, measure)
        ctx.issue(
            "subtotal_mismatch",
            row - 1,
            col,
            written=fmt(mismatch["written"]),
            computed=fmt(mismatch["computed"]),
            column=column,
            rows=row_ranges(members),
        )


# ----------------------------------------------------------------- forms ---


def parse_receivables(ctx: SheetContext, block: HeaderBlock) -> SheetData | None:
    """The receivables plan: one row per customer and product, a plan/actual pair per month."""
    flat = _flat(ctx, block, "receivables")
    if flat is None:
        return None
    months = _month_columns(ctx, block, set(flat.cols.values()))
    _report_unread_columns(ctx, block, [*flat.cols.values(), *months.values()])
    month_list = sorted({month for month, _ in months})
    _money_columns(ctx, block, flat.cols, months.values())
    plan_cols = [months.get((month, "plan")) for month in month_list]
    actual_cols = [months.get((month, "actual")) for month in month_list]
    schema = SCHEMAS["receivables"]

    def month_table(rows: list[int]) -> pd.DataFrame:
        return _month_table(ctx, rows, month_list, plan_cols, actual_cols)

    # the order of reading is the order of the issues: main rows, total rows, then their months
    main = _read_rows(ctx, flat.rows, flat.cols, "receivables")
    totals = _read_rows(ctx, flat.totals, flat.cols, "receivables")
    tables = {
        "main": _frame(main, schema["main"]),
        "months": month_table(flat.rows),
        "totals": _frame(totals, schema["main"]),
        "total_months": month_table(flat.totals),
    }
    return _sheet(ctx, block, flat.cols, tables, {"months": [month.month for month in month_list]})


def _month_table(
    ctx: SheetContext,
    rows: list[int],
    month_list: list[Month],
    plan_cols: list[int | None],
    actual_cols: list[int | None],
) -> pd.DataFrame:
    """One row per (row, month), row by row.

    The month grid is most of a big plan's cells, so it is read a column at a time.
    """
    count = len(rows)
    if not count or not month_list:
        return _frame([], SCHEMAS["receivables"]["months"])
    values = ctx.numbers(rows, [c for c in plan_cols + actual_cols if c is not None])
    blank: list[object] = [None] * count

    def row_major(cols: list[int | None]) -> list[object]:  # rows × months
        columns = (values[c] if c is not None else blank for c in cols)
        return [value for per_row in zip(*columns, strict=True) for value in per_row]

    return pd.DataFrame(
        {
            "sheet": ctx.sheet,
            "row": [r + 1 for r in rows for _ in month_list],
            "month": [month.month for month in month_list] * count,
            "plan": row_major(plan_cols),
            "actual": row_major(actual_cols),
            "plan_col": [ctx.letter(c) for c in plan_cols] * count,
            "actual_col": [ctx.letter(c) for c in actual_cols] * count,
            "year": [month.year for month in month_list] * count,
            "period": [month.period for month in month_list] * count,
        },
        columns=SCHEMAS["receivables"]["months"],
    )


def parse_activities(ctx: SheetContext, block: HeaderBlock) -> SheetData | None:
    """The activity plan: one row per activity, a mark (or an amount) under each month it runs in."""
    flat = _flat(ctx, block, "activities")
    if flat is None:
        return None
    month_cols = _activity_month_columns(ctx, block, set(flat.cols.values()))
    _money_columns(ctx, block, flat.cols, month_cols.values())
    main = _read_rows(ctx, flat.rows, flat.cols, "activities")
    detail = _activity_months(ctx, flat.rows, month_cols)
    schema = SCHEMAS["activities"]
    tables = {"main": _frame(main, schema["main"]), "months": _frame(detail, schema["months"])}
    tables["totals"] = _money_totals(ctx, flat)
    return _sheet(ctx, block, flat.cols, tables, {"months": [month.month for month in sorted(month_cols)]})


def _activity_months(ctx: SheetContext, rows: list[int], month_cols: dict[Month, int]) -> list[Record]:
    """One record per marked month of each activity: a tick, or an amount (docs/forms.md, "Marks").

    TRUE, ✓, √, ●, x and text mark a month; FALSE, ×, 否 and 0 do not. A 1 is
    a tick in a sheet whose month cells hold nothing but 0 and 1 (checkbox
    habits), else an amount, with a warning.
    """
    cells = [(r, month, c, ctx.raw(r, c)) for r in rows for month, c in sorted(month_cols.items())]
    numbers = [number for *_, value in cells if (number := _mark_number(ctx, value)) is not None]
    ticks_only = all(number in (0, 1) for number in numbers)
    detail: list[Record] = []
    for r, month, c, value in cells:
        marked, amount = _month_mark(ctx, r, c, value, ticks_only)
        if marked:
            record = {"sheet": ctx.sheet, "row": r + 1, "month": month.month, "mark": True, "amount": amount}
            detail.append(record | {"col": ctx.letter(c), "year": month.year, "period": month.period})
    return detail


def _mark_number(ctx: SheetContext, value: CellValue) -> float | None:
    """The number a month cell holds, if it holds one (TRUE/FALSE are marks, not 1 and 0)."""
    if isinstance(value, bool) or ctx.values.is_blank(value):
        return None
    number, ok = ctx.values.number(value)
    return number if ok else None


def _month_mark(
    ctx: SheetContext, row: int, col: int, value: CellValue, ticks_only: bool
) -> tuple[bool, float | None]:
    """(marked, amount in 元) of one activity month cell."""
    if isinstance(value, bool) or ctx.values.is_blank(value):
        return bool(value), None
    code, _ = ctx.values.label("mark", value)
    if code is not None:
        if code == "tick" and isinstance(value, str) and normalise(value) == "x":
            ctx.once("latin_x_mark", row, col)
        return code == "tick", None
    number = _mark_number(ctx, value)
    if number is None:
        return True, None  # a note such as "3月18日" marks the month
    if number == 0 or (number == 1 and ticks_only):
        return number == 1, None
    if number == 1:
        ctx.issue("one_as_amount", row, col)
    return True, ctx.parse("number", row, col)


def _activity_month_columns(ctx: SheetContext, block: HeaderBlock, taken: set[int]) -> dict[Month, int]:
    """month (placed in time, like the receivables plan's) -> the first column under it.

    A rolling plan from 十一月 to the next 十一月 keeps both Novembers, each in
    its year (from the headers, else the title; a roll into a year nothing
    writes is reported at its header). The same month of the same year written
    twice is reported at its second header, not silently left out.
    """
    first_col: dict[Cell, int] = {}  # month header cell -> the first column under it
    found: dict[Cell, YearMonth] = {}
    for c, path in sorted(block.paths.items()):
        if c in taken:
            continue
        at, named = next(
            ((i, month) for i, label in enumerate(path) if (month := header_month(label, ctx.values))),
            (0, None),
        )
        if named is not None:
            first_col.setdefault(block.cell_of(c, at), c)
            found.setdefault(block.cell_of(c, at), named)
    placed = _place(ctx, block, [list(found.items())])
    month_cols: dict[Month, int] = {}
    for cell, c in first_col.items():
        when = placed[cell]
        if when not in month_cols:
            month_cols[when] = c
            continue
        used, ignored = ctx.letter(month_cols[when]), ctx.letter(c)
        ctx.issue("duplicate_column", *cell, column=block.label(c), used=used, ignored=ignored)
    return month_cols


def _date_context(ctx: SheetContext, block: HeaderBlock) -> dt.date | None:
    """A date written in the title rows above the header (one day's to-do list)."""
    for r in range(0, block.top):
        for value in ctx.grid.rows[r]:
            day = ctx.values.date_in_text(value)
            if day:
                return day
    return ctx.values.date_in_text(ctx.sheet)


def _timed(ctx: SheetContext, block: HeaderBlock, form: str) -> SheetData | None:
    """To-do lists and work logs: rows of timed work, possibly several days per sheet.

    The day comes from a date column, else from the latest date heading row
    ("2026年3月5日") above the row, else from the title.
    """
    current = _date_context(ctx, block)
    day_of: dict[int, dt.date | None] = {}

    def section(row: int) -> bool:
        nonlocal current
        cells = ctx.first_cells(ctx.grid.rows[row])
        heading = ctx.values.date_in_text(cells[0][1]) if len(cells) == 1 else None
        if heading:
            current = heading
            ctx.mark(row, cells[0][0])  # a date heading: read as the day of the rows under it
        day_of[row] = current
        return heading is not None

    flat = _flat(ctx, block, form, on_row=section)
    if flat is None:
        return None
    cols = flat.cols
    main = []
    records = _read_rows(ctx, flat.rows, cols, form)
    _times_typed_as_hours_minutes(ctx, flat.rows, cols, records)
    for r, rec in zip(flat.rows, records, strict=True):
        if rec.get("date") is None:
            rec["date"] = day_of.get(r)
        start, end = rec.get("start"), rec.get("end")
        # times are read as hours after midnight (floats), or None
        if rec.get("hours") is None and isinstance(start, float) and isinstance(end, float):
            if end >= start:
                rec["hours"] = end - start
            else:
                ctx.issue("invalid_time", r, cols.get("end"), value=ctx.grid.value(r, cols["end"]))
        main.append(rec)
    return _sheet(ctx, block, cols, {"main": _frame(main, SCHEMAS[form]["main"])})


def _times_typed_as_hours_minutes(
    ctx: SheetContext, rows: list[int], cols: dict[str, int], records: list[Record]
) -> None:
    """Read 开始/结束 typed as numbers 8.45, 10.15 as 8:45 and 10:15 (docs/forms.md, "Values").

    A number with two decimals that can be minutes (8.45, not 8.5 or 8.75)
    marks the sheet's times as h.mm; then every number of 1 or more in those
    columns is h.mm (10.3 is 10:30 typed 10.30), a number whose decimals
    cannot be minutes is refused, and a warning says so once per sheet.
    Without such a number, numbers are decimal hours (8.5 = 8:30), as before.
    """
    cells = [
        (i, name, rows[i], cols[name], value)
        for name in ("start", "end")
        if name in cols
        for i in range(len(rows))
        if isinstance(value := ctx.grid.value(rows[i], cols[name]), (int, float))
        and not isinstance(value, bool)
        and value >= 1
    ]
    first = next((cell for cell in cells if is_hours_minutes(float(cell[4]))), None)
    if first is None:
        return
    example = hours_minutes(float(first[4])) or 0.0
    hour, minute = int(example), round((example - int(example)) * 60)
    ctx.once("time_hours_minutes", first[2], first[3], value=f"{first[4]:g}", time=f"{hour}:{minute:02d}")
    for i, name, row, col, value in cells:
        records[i][name] = hours_minutes(float(value))
        if records[i][name] is None:
            ctx.issue("invalid_time", row, col, value=value)


def parse_todo(ctx: SheetContext, block: HeaderBlock) -> SheetData | None:
    """The daily to-do list (one task per row, a quadrant, times and a status)."""
    return _timed(ctx, block, "todo")


def parse_worklog(ctx: SheetContext, block: HeaderBlock) -> SheetData | None:
    """The work log (what was done for which customer, when)."""
    return _timed(ctx, block, "worklog")


def _simple(form: str) -> Parser:
    """The parser of a form that is one row per item and nothing more (weekly and monthly plans)."""

    def parse(ctx: SheetContext, block: HeaderBlock) -> SheetData | None:
        flat = _flat(ctx, block, form)
        if flat is None:
            return None
        schema = SCHEMAS[form]
        tables = {"main": _frame(_read_rows(ctx, flat.rows, flat.cols, form), schema["main"])}
        if form in ("weekly", "monthly"):
            tables["totals"] = _frame(_read_rows(ctx, flat.totals, flat.cols, form), schema["main"])
        return _sheet(ctx, block, flat.cols, tables, {"title": _title(ctx, block)})

    parse.__name__ = f"parse_{form}"
    parse.__doc__ = f"The {form} form: one row per item."
    return parse


parse_weekly = _simple("weekly")
parse_monthly = _simple("monthly")


def _title(ctx: SheetContext, block: HeaderBlock) -> str | None:
    """The first text above the header, e.g. "华东区 2026年3月 应收帐款规划表"."""
    for r in range(block.top):
        cells = [value for value in ctx.grid.rows[r] if isinstance(value, str) and value.strip()]
        if cells:
            return cells[0].strip()
    return None


def parse_customers(ctx: SheetContext, block: HeaderBlock) -> SheetData | None:
    """The customer assessment: one row per opportunity, with value-tier factor scores if present."""
    flat = _flat(ctx, block, "customers")
    if flat is None:
        return None
    factor_cols = _factor_columns(ctx, block, set(flat.cols.values()))
    _money_columns(ctx, block, flat.cols, [])
    main = []
    for r, rec in zip(flat.rows, _read_rows(ctx, flat.rows, flat.cols, "customers"), strict=True):
        for factor in ctx.spec.factors:
            col = factor_cols.get(factor)
            label = str(block.paths.get(col, ("",))[-1]) if col is not None else ""
            rec[factor_column(factor)] = ctx.parse("score", r, col, label) if col is not None else None
        main.append(rec)
    columns = SCHEMAS["customers"]["main"] + [factor_column(factor) for factor in ctx.spec.factors]
    all_cols = dict(flat.cols) | {factor_column(factor): c for factor, c in factor_cols.items()}
    meta: SheetMeta = {"factors": sorted(factor_cols)}
    tables = {"main": _frame(main, columns), "totals": _money_totals(ctx, flat)}
    return _sheet(ctx, block, all_cols, tables, meta)


def _money_totals(ctx: SheetContext, flat: FlatRows) -> pd.DataFrame:
    """The total rows' money figures (``money`` of the form), kept aside so subtotals are checked."""
    names = [
        name for name in ctx.settings.get(f"forms.{ctx.spec.name}").get("money", []) if name in flat.cols
    ]
    records: list[Record] = [
        {"sheet": ctx.sheet, "row": r + 1} | {name: ctx.parse("number", r, flat.cols[name]) for name in names}
        for r in flat.totals
    ]
    return _frame(records, ["sheet", "row", *names])


def _factor_columns(ctx: SheetContext, block: HeaderBlock, taken: set[int]) -> dict[str, int]:
    """factor -> column, by the lowest header label that names a factor; the first column wins."""
    factor_cols: dict[str, int] = {}
    for c, path in sorted(block.paths.items()):
        if c in taken:
            continue
        for label in reversed(path):
            factor = ctx.spec.factor_of(label)
            if factor and factor not in factor_cols:
                factor_cols[factor] = c
                break
    return factor_cols


def parse_appraisal(ctx: SheetContext, block: HeaderBlock) -> SheetData | None:
    """The HR appraisal export: long (one row per indicator) or wide (indicator groups as columns)."""
    cols = ctx.field_columns(block)
    if ctx.lacks_required(block, cols):
        return None
    groups = _indicator_groups(ctx, block, cols)
    if not groups and "indicator" not in cols:
        ctx.missing_column(block, "indicator")
        return None
    main = []
    for r in _item_rows(ctx, block, cols, "employee")[0]:
        base = _read_fields(ctx, r, cols, "appraisal")
        if not groups:
            main.append(base)
            continue
        for name, sub in groups.items():
            rec = dict(base, indicator=name)
            for field_name, c in sub.items():
                kind_of_field = FLAT_FIELDS["appraisal"][field_name]
                rec[field_name] = ctx.parse(kind_of_field, r, c, f"{name} / {ctx.header_label(field_name)}")
            main.append(rec)
    tables = {"main": _frame(main, SCHEMAS["appraisal"]["main"])}
    return _sheet(ctx, block, cols, tables, {"layout": "wide" if groups else "long"})


def _indicator_groups(
    ctx: SheetContext, block: HeaderBlock, cols: dict[str, int]
) -> dict[str, dict[str, int]]:
    """The wide layout's indicator groups: name -> {target/actual/weight/…: column}.

    A sub-column inside a group is not also the sheet-wide column of that field,
    so it is dropped from ``cols``.
    """
    groups: dict[str, dict[str, int]] = {}
    for c, path in sorted(block.paths.items()):
        if len(path) >= 2 and ctx.spec.field_of(path[0]) is None:
            sub = ctx.spec.field_of(path[-1])
            if sub in APPRAISAL_SUBS:
                groups.setdefault(str(path[0]), {})[sub] = c
    for sub in APPRAISAL_SUBS:
        if groups and cols.get(sub) in {c for group in groups.values() for c in group.values()}:
            cols.pop(sub)
    return groups


def parse_pnl(ctx: SheetContext, block: HeaderBlock) -> SheetData | None:
    """The projected P&L: months as rows with line columns, or (transposed) lines as rows."""
    cols = ctx.field_columns(block)
    if "month" not in cols and "line" in cols:
        return _parse_pnl_transposed(ctx, block, cols)
    if ctx.lacks_required(block, cols):
        return None
    measures = _line_columns(ctx, block, cols)
    _money_columns(ctx, block, cols, [c for pair in measures.values() for c in pair.values()])
    _report_unread_columns(ctx, block, [*cols.values(), *(c for m in measures.values() for c in m.values())])
    records = [
        _pnl_record(ctx, r, month, group, line, measure_cols)
        for r, month in _pnl_month_rows(ctx, block, cols["month"])
        for (group, line), measure_cols in measures.items()
    ]
    return _pnl_tables(ctx, block, cols, records, "months_as_rows")


def _pnl_month_rows(ctx: SheetContext, block: HeaderBlock, col: int) -> list[tuple[int, Month | None]]:
    """The body rows of a months-as-rows P&L with each row's month placed in time (None on a total row).

    A rolling plan writes 2025年11月 … 2026年10月, or 11月, 12月, 1月 … under a
    title with its year: the months are placed in order like month headers.
    A month that cannot be read is reported and its row skipped.
    """
    rows: list[tuple[int, YearMonth | None]] = []
    for r, kind in ctx.body(block, col):
        if kind == "total":
            rows.append((r, None))
            continue
        year_month = header_month(ctx.raw(r, col), ctx.values)
        if year_month is None:
            ctx.parse("month", r, col, ctx.header_label("month"))  # reports what cannot be read
            ctx.skipped.add(r)
            continue
        rows.append((r, year_month))
    placed = _place(ctx, block, [[((r, col), ym) for r, ym in rows if ym is not None]])
    return [(r, placed[(r, col)] if ym is not None else None) for r, ym in rows]


def _line_columns(
    ctx: SheetContext, block: HeaderBlock, cols: dict[str, int]
) -> dict[tuple[str, str], dict[str, int]]:
    """(group, line) -> {plan/actual: column}, from header paths such as 收入项 / 产品A / 计划."""
    measures: dict[tuple[str, str], dict[str, int]] = {}
    for c, path in sorted(block.paths.items()):
        if c in cols.values():
            continue
        group = line = measure = None
        for label in path:
            if not isinstance(label, str):
                continue
            group_code, _ = ctx.values.label("pnl_group", label)
            measure_code, _ = ctx.values.label("measure", label)
            if group_code and group is None:
                group, line = group_code, line or label
            elif measure_code and measure is None:
                measure = measure_code
            elif group is not None:
                line = label
        if not (group and measure):
            continue
        found = measures.setdefault((group, line or group), {})
        if measure in found:  # the same line and measure twice: the first is read, the second reported
            row, col = block.cell_of(c)
            used, ignored = ctx.letter(found[measure]), ctx.letter(c)
            ctx.issue("duplicate_column", row, col, column=block.label(c), used=used, ignored=ignored)
            continue
        found[measure] = c
    return measures


def _pnl_record(
    ctx: SheetContext, row: int, month: Month | None, group: str, line: str, measure_cols: dict[str, int]
) -> Record:
    """One P&L line of one month (month None on a total row), whatever the layout."""
    plan_col, actual_col = measure_cols.get("plan"), measure_cols.get("actual")
    return {
        "sheet": ctx.sheet,
        "row": row + 1,
        "month": month.month if month else None,
        "group": group,
        "line": line,
        "plan": ctx.parse("number", row, plan_col) if plan_col is not None else None,
        "actual": ctx.parse("number", row, actual_col) if actual_col is not None else None,
        "plan_col": ctx.letter(plan_col),
        "actual_col": ctx.letter(actual_col),
        "year": month.year if month else None,
        "period": month.period if month else None,
    }


def _pnl_tables(
    ctx: SheetContext, block: HeaderBlock, cols: dict[str, int], records: list[Record], layout: Layout
) -> SheetData:
    """Month rows in ``main``, total rows (month None) in ``totals``."""
    frame = _frame(records, SCHEMAS["pnl"]["main"])
    is_total = frame["month"].isna()
    tables = {
        "main": frame[~is_total].reset_index(drop=True),
        "totals": frame[is_total].reset_index(drop=True),
    }
    return _sheet(ctx, block, cols, tables, {"layout": layout})


def _parse_pnl_transposed(ctx: SheetContext, block: HeaderBlock, cols: dict[str, int]) -> SheetData | None:
    """Lines as rows, months as columns (a layout seen in practice)."""
    months = _transposed_month_columns(ctx, block, cols)
    _money_columns(ctx, block, cols, months.values())
    _report_unread_columns(ctx, block, [*cols.values(), *months.values()])
    month_list = sorted({month for month, _ in months})
    section_group = None
    records = []
    for r, kind in ctx.body(block, cols["line"]):
        line = ctx.text(r, cols["line"])
        group_col = cols.get("group")
        group = (
            ctx.values.label("pnl_group", ctx.grid.value(r, group_col))[0] if group_col is not None else None
        )
        own_group = ctx.values.label("pnl_group", line)[0] if line else None
        if own_group and not _row_has_values(ctx, r, list(months.values())):
            section_group = own_group  # a section row: 收入项 / 支出项
            continue
        if kind == "total" or (
            line and any(word in line for word in ("合计", "小计", "总计", "Total", "total"))
        ):
            continue
        line_group = group or own_group or section_group
        if not line or line_group is None:
            continue
        for month in month_list:
            measure_cols = {
                measure: col
                for measure in ("plan", "actual")
                if (col := months.get((month, measure))) is not None
            }
            records.append(_pnl_record(ctx, r, month, line_group, line, measure_cols))
    return _pnl_tables(ctx, block, cols, records, "lines_as_rows")


def _transposed_month_columns(
    ctx: SheetContext, block: HeaderBlock, cols: dict[str, int]
) -> dict[tuple[Month, str], int]:
    """(month, measure) -> column; a sheet with one value per month has them taken as the plan."""
    months = _month_columns(ctx, block, set(cols.values()))
    if months:
        return months
    found: dict[int, YearMonth] = {}
    for c, path in sorted(block.paths.items()):
        year_month = header_month(path[-1], ctx.values) if c not in cols.values() else None
        if year_month:
            found[c] = year_month
    placed = _place(ctx, block, [[(block.cell_of(c), ym) for c, ym in found.items()]])
    single: dict[tuple[Month, str], int] = {}
    for c in found:
        single.setdefault((placed[block.cell_of(c)], "plan"), c)
    return single


def parse_calendar(ctx: SheetContext, block: HeaderBlock) -> SheetData | None:
    """The Mon–Sun grid: events per date, plus the 本月大事 and 备注 blocks."""
    grid, values = ctx.grid, ctx.values
    year_month = _calendar_month(ctx, block)
    if year_month is None:
        ctx.issue("calendar_no_month")
    header = block.top
    weekday_cols = [
        c
        for c, label in enumerate(grid.rows[header])
        if isinstance(label, str) and values.label("weekday", label)[0]
    ]
    blocks, stop = _calendar_blocks(ctx, header)
    events = _calendar_events(ctx, range(header + 1, stop), weekday_cols, year_month)
    meta: SheetMeta = {
        "year": year_month[0] if year_month else None,
        "month": year_month[1] if year_month else None,
        "key_events": blocks["key_events"],
        "notes": blocks["notes"],
    }
    tables = {"main": _frame(events, SCHEMAS["calendar"]["main"])}
    return SheetData(ctx.sheet, "calendar", header + 1, tables, {}, meta)


def _calendar_month(ctx: SheetContext, block: HeaderBlock) -> tuple[int, int] | None:
    """(year, month) from the sheet's name, else the first one written in the rows down to the header."""
    year_month = ctx.values.month_in_text(ctx.sheet)
    for r in range(0, min(block.top + 1, ctx.grid.nrows)):
        for value in ctx.grid.rows[r]:
            year_month = year_month or ctx.values.month_in_text(value)
    return year_month


def _calendar_blocks(ctx: SheetContext, header: int) -> tuple[dict[str, list[str]], int]:
    """The texts of the 本月大事 and 备注 blocks, and the row where the day grid stops.

    A block's text runs from the right of its label down to the next label (or the header).
    """
    grid = ctx.grid
    labels: list[tuple[int, int, str]] = []
    for r in range(grid.nrows):
        for c, value in enumerate(grid.rows[r]):
            field_name = ctx.spec.field_of(value) if isinstance(value, str) else None
            if field_name in ("key_events", "notes"):
                labels.append((r, c, field_name))
    label_rows = sorted({r for r, _, _ in labels} | {header, grid.nrows})
    blocks: dict[str, list[str]] = {"key_events": [], "notes": []}
    for r, c, field_name in labels:
        ctx.mark(r, c)
        blocks[field_name] += _block_texts(ctx, r, range(c + 1, len(grid.rows[r])))
        end = next(x for x in label_rows if x > r)
        for below in range(r + 1, end):
            blocks[field_name] += _block_texts(ctx, below, range(len(grid.rows[below])))
    stop = min((r for r, _, _ in labels if r > header), default=grid.nrows)
    return blocks, stop


def _block_texts(ctx: SheetContext, row: int, cols: range) -> list[str]:
    """The texts of a calendar block's row in ``cols``, each cell recorded as read."""
    texts: list[str] = []
    for c in cols:
        text = ctx.as_text(ctx.grid.rows[row][c])
        if text:
            ctx.mark(row, c)
            texts.append(text)
    return texts


def _calendar_events(
    ctx: SheetContext, rows: range, weekday_cols: list[int], year_month: tuple[int, int] | None
) -> list[Record]:
    """One record per text in a day cell; a cell without a day number belongs to the day above it."""
    day_at: dict[int, int] = {}
    events: list[Record] = []
    for r in rows:
        for c in weekday_cols:
            value = ctx.raw(r, c)
            if ctx.values.is_blank(value):
                continue
            day, text = _day_and_text(value)
            if day is not None:
                day_at[c] = day
            if not text:
                continue
            day_number = day if day is not None else day_at.get(c)
            date = None
            if year_month and day_number:
                try:
                    date = dt.date(year_month[0], year_month[1], day_number)
                except ValueError:
                    date = None
            events.append(
                {
                    "sheet": ctx.sheet,
                    "row": r + 1,
                    "col": ctx.letter(c),
                    "date": date,
                    "day": day_number,
                    "text": text,
                }
            )
    return events


def _day_and_text(value: CellValue) -> tuple[int | None, str | None]:
    """A calendar cell as (day number, text): "18日 新品推介会" -> (18, "新品推介会")."""
    if isinstance(value, bool):
        return None, str(value)
    if isinstance(value, (int, float)):
        return (int(value), None) if float(value).is_integer() and 1 <= value <= 31 else (None, str(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.day, None
    text = str(value).strip()
    digits = ""
    for ch in text:
        if ch.isdigit() and len(digits) < 2:
            digits += ch
        else:
            break
    if digits and 1 <= int(digits) <= 31:
        rest = text[len(digits) :].lstrip("日号 \n\t:：.、")
        return int(digits), rest or None
    return None, text


PARSERS: dict[str, Parser] = {
    "receivables": parse_receivables,
    "pnl": parse_pnl,
    "activities": parse_activities,
    "calendar": parse_calendar,
    "todo": parse_todo,
    "weekly": parse_weekly,
    "monthly": parse_monthly,
    "worklog": parse_worklog,
    "customers": parse_customers,
    "appraisal": parse_appraisal,
    "competitors": parse_competitors,
    "swot": parse_swot,
    "targets": parse_targets,
    "review": parse_review,
}
