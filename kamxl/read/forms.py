"""One parser per form: a recognised sheet's header block and body to tidy tables.

Each table has a fixed column schema (see SCHEMAS) whatever the layout the
user chose, plus ``sheet`` and ``row`` so results can point back at cells.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from kamxl.read.header import HeaderBlock, is_month_label, split_measure
from kamxl.read.sheet import SheetContext, SheetData

FACTOR_PREFIX = "f_"

# field -> how its cells are parsed, per form (the main table's schema).
FLAT_FIELDS: dict[str, dict[str, str]] = {
    "receivables": {
        "customer": "text",
        "product": "text",
        "qty": "number",
        "total_owed": "number",
        "due_date": "date",
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
        "expected_close": "date",
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
        "indicator": "text",
        "indicator_class": "label:indicator_class",
        "target": "number",
        "actual": "number",
        "weight": "percent",
        "direction": "label:direction",
        "personality": "number",
        "drive": "number",
        "ability": "number",
        "willingness": "number",
    },
}
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


def _columns(form: str) -> list[str]:
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
SCHEMAS["receivables"]["months"] = ["sheet", "row", "month", "plan", "actual", "plan_col", "actual_col"]
SCHEMAS["activities"]["months"] = ["sheet", "row", "month", "mark", "amount", "col"]
SCHEMAS["pnl"] = {
    "main": ["sheet", "row", "month", "group", "line", "plan", "actual", "plan_col", "actual_col"]
}
SCHEMAS["calendar"] = {"main": ["sheet", "row", "col", "date", "day", "text"]}


def _frame(records: list[dict], columns: list[str]) -> pd.DataFrame:
    return (
        pd.DataFrame.from_records(records, columns=columns)
        if records
        else pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    )


def _field_columns(ctx: SheetContext, block: HeaderBlock) -> dict[str, int]:
    """Map each known field to the first column whose header names it."""
    found: dict[str, int] = {}
    for c in sorted(block.paths):
        for label in block.paths[c]:
            f = ctx.spec.field_of(label)
            if f is None:
                continue
            if f in found:
                ctx.issue(
                    "duplicate_column",
                    block.top,
                    c,
                    column=label,
                    used=ctx.letter(found[f]),
                    ignored=ctx.letter(c),
                )
            else:
                found[f] = c
            break
    return found


def _missing(ctx: SheetContext, block: HeaderBlock, cols: dict) -> bool:
    for req in ctx.spec.required:
        if req not in cols:
            ctx.issue(
                "missing_column",
                block.top,
                None,
                form=ctx.settings.form_name(ctx.spec.name),
                row=block.top + 1,
                column=ctx.header_label(req),
            )
            return True
    return False


def _read_fields(ctx: SheetContext, r: int, cols: dict[str, int], form: str) -> dict:
    """One row's fields, parsed by the form's field kinds."""
    rec: dict = {"sheet": ctx.sheet, "row": r + 1}
    for name, kind in FLAT_FIELDS[form].items():
        _read_field(ctx, r, cols.get(name), name, kind, rec)
    return rec


def _read_rows(ctx: SheetContext, rows: list[int], cols: dict[str, int], form: str) -> list[dict]:
    """``_read_fields`` for every row, a column at a time.

    Plain text and numbers (most cells of a big sheet) are taken without a call
    per cell; every other cell goes through ``_read_field`` in reading order,
    so issues come out as they would row by row.
    """
    fields = list(FLAT_FIELDS[form].items())
    recs = [{"sheet": ctx.sheet, "row": r + 1} for r in rows]
    slow: list[tuple[int, int]] = []
    for k, (name, kind) in enumerate(fields):
        c, parser = cols.get(name), _pure_parser(ctx, kind)
        simple = kind in ("text", "number") or parser is not None
        if c is None and simple:  # no column: nothing to read, nothing to say
            for rec in recs:
                rec[name] = None
            continue
        if (
            not simple
        ):  # kinds with more to them (quantities, axes, funnel parts, status, weeks): cell by cell
            slow += [(i, k) for i in range(len(rows))]
            continue
        values, left = ctx.quick_column(rows, c, kind, parser)
        for rec, v in zip(recs, values):
            rec[name] = v
        slow += [(i, k) for i in left]
    for i, k in sorted(slow):
        name, kind = fields[k]
        _read_field(ctx, rows[i], cols.get(name), name, kind, recs[i])
    return recs


def _pure_parser(ctx: SheetContext, kind: str):
    """``value -> (parsed, ok)`` for the kinds whose cells ``ctx.parse`` reads with no more than a parser; None for the others.

    Labels are looked up once per distinct text: a column of 50,000 rows holds a handful of them.
    """
    if kind in ("date", "time", "percent"):
        return getattr(ctx.values, kind)
    if kind.startswith("label:"):
        vocab, label, seen = kind[6:], ctx.values.label, {}

        def parse(v):
            if type(v) is not str:
                return label(vocab, v)
            found = seen.get(v)
            if found is None:
                found = seen[v] = label(vocab, v)
            return found

        return parse
    return None


def _read_field(ctx: SheetContext, r: int, c: int | None, name: str, kind: str, rec: dict) -> None:
    label = ctx.header_label(name)
    if kind == "quantity":
        q = ctx.parse("quantity", r, c, label)
        rec[name], rec[f"{name}_unit"] = q if q else (None, None)
    elif kind == "axis":
        v = ctx.raw(r, c)
        num, ok = ctx.values.number(v)
        level = None
        if not ok:
            level, ok = ctx.values.label("high_low", v)
            if not ok:
                ctx.issue("invalid_label", r, c, value=v, column=label, allowed="1–5 / 高 / 低")
        rec[name], rec[f"{name}_level"] = num, level
    elif kind.startswith("funnel:"):
        rec[name] = _funnel_part(ctx, r, c, kind[7:], label)
    elif kind == "status":
        rec[name] = _status(ctx, r, c, label)
    elif kind == "week":
        rec[name] = _week(ctx, r, c, label)
    else:
        rec[name] = ctx.parse(kind, r, c, label) if c is not None else None


def _funnel_part(ctx: SheetContext, r: int, c: int | None, part: str, label: str):
    """Order size / likelihood as a code, from a label or its score (5.1 -> over)."""
    v = ctx.raw(r, c)
    if ctx.values.is_blank(v):
        return None
    code, ok = ctx.values.label(part, v)
    if ok and code:
        return code
    num, ok = ctx.values.number(v)
    scores = ctx.settings.get(f"funnel.{'size_scores' if part == 'order_size' else 'likelihood_scores'}")
    if ok and num is not None:
        for code, score in scores.items():
            if abs(num - score) < 0.05:
                return code
    allowed = "/".join(ctx.values.aliases(part)) + " / " + "/".join(f"{s:g}" for s in scores.values())
    ctx.issue("invalid_label", r, c, value=v, column=label, allowed=allowed)
    return None


def _status(ctx: SheetContext, r: int, c: int | None, label: str):
    """Completion as a fraction: 完成 = 1, 未完成 = 0, "60%" = 0.6."""
    v = ctx.raw(r, c)
    if ctx.values.is_blank(v):
        return None
    code, ok = ctx.values.label("done", v)
    if ok and code:
        return 1.0 if code == "done" else 0.0
    share, ok = ctx.values.percent(v)
    if ok and share is not None and 0 <= share <= 1:
        return share
    ctx.issue("invalid_label", r, c, value=v, column=label, allowed="完成/未完成/done/not done/0–100%")
    return None


def _week(ctx: SheetContext, r: int, c: int | None, label: str):
    v = ctx.raw(r, c)
    if ctx.values.is_blank(v):
        return None
    num, ok = ctx.values.number(v)
    if ok:
        return int(num)
    digits = "".join(ch for ch in str(v) if ch.isdigit())
    if digits:
        return int(digits)
    return ctx.as_text(v)


def _split(ctx: SheetContext, path: tuple) -> tuple[int | None, str | None]:
    """A month-and-measure header path -> (month, "plan"|"actual")."""
    month = measure = None
    for label in path:
        if isinstance(label, str) and measure is None:
            code, _ = ctx.values.label("measure", label)
            if code:
                measure = code
                continue
            parts = split_measure(label, ctx.values)
            if parts:
                m = is_month_label(parts[0], ctx.values)
                if m:
                    month, measure = m, parts[1]
                    continue
        m = is_month_label(label, ctx.values)
        if m and month is None:
            month = m
    return month, measure


def _month_columns(ctx: SheetContext, block: HeaderBlock, taken: set[int]) -> dict[tuple[int, str], int]:
    out: dict[tuple[int, str], int] = {}
    for c, path in sorted(block.paths.items()):
        if c in taken:
            continue
        month, measure = _split(ctx, path)
        if month and measure and (month, measure) not in out:
            out[(month, measure)] = c
    return out


def _row_has_values(ctx: SheetContext, r: int, cols) -> bool:
    return any(not ctx.values.is_blank(ctx.grid.value(r, c)) for c in cols)


def _flat(ctx: SheetContext, block: HeaderBlock, form: str, on_row=None):
    """Shared reading of a one-row-per-item form; returns (cols, main, totals) or None."""
    cols = _field_columns(ctx, block)
    if _missing(ctx, block, cols):
        return None
    key = KEY_FIELD[form]
    main, totals = [], []
    for r, kind in ctx.body(block, cols.get(key), section=on_row):
        if kind == "total":
            totals.append(r)
            continue
        if ctx.values.is_blank(ctx.grid.value(r, cols[key])):
            if _row_has_values(ctx, r, [c for f, c in cols.items() if f != key]):
                ctx.issue("missing_value", r, cols[key], row=r + 1, column=ctx.header_label(key))
            continue
        main.append(r)
    return cols, main, totals


def _sheet(
    ctx: SheetContext, block: HeaderBlock, cols: dict[str, int], tables: dict, meta: dict | None = None
) -> SheetData:
    meta = {"title": _title(ctx, block)} | (
        meta or {}
    )  # the title names the region and period a history files it under
    return SheetData(
        ctx.sheet, ctx.spec.name, block.top + 1, tables, {f: ctx.letter(c) for f, c in cols.items()}, meta
    )


# ----------------------------------------------------------------- forms ---


def parse_receivables(ctx: SheetContext, block: HeaderBlock) -> SheetData | None:
    flat = _flat(ctx, block, "receivables")
    if flat is None:
        return None
    cols, rows, total_rows = flat
    months = _month_columns(ctx, block, set(cols.values()))
    month_list = sorted({m for m, _ in months})
    plan_cs, actual_cs = (
        [months.get((m, "plan")) for m in month_list],
        [months.get((m, "actual")) for m in month_list],
    )
    schema = SCHEMAS["receivables"]

    def month_table(rs: list[int]) -> pd.DataFrame:
        """One row per (row, month), row by row: the month grid is most of a big plan's cells, so it is read a column at a time."""
        n = len(rs)
        if not n or not month_list:
            return _frame([], schema["months"])
        values = ctx.numbers(rs, [c for c in plan_cs + actual_cs if c is not None])
        blank = [None] * n

        def flat(cs: list) -> list:  # rows × months, row-major
            return [
                v for per_row in zip(*(values[c] if c is not None else blank for c in cs)) for v in per_row
            ]

        return pd.DataFrame(
            {
                "sheet": ctx.sheet,
                "row": [r + 1 for r in rs for _ in month_list],
                "month": month_list * n,
                "plan": flat(plan_cs),
                "actual": flat(actual_cs),
                "plan_col": [ctx.letter(c) for c in plan_cs] * n,
                "actual_col": [ctx.letter(c) for c in actual_cs] * n,
            },
            columns=schema["months"],
        )

    main = _read_rows(ctx, rows, cols, "receivables")
    totals = _read_rows(ctx, total_rows, cols, "receivables")
    tables = {
        "main": _frame(main, schema["main"]),
        "months": month_table(rows),
        "totals": _frame(totals, schema["main"]),
        "total_months": month_table(total_rows),
    }
    return _sheet(ctx, block, cols, tables, {"months": month_list})


def parse_activities(ctx: SheetContext, block: HeaderBlock) -> SheetData | None:
    flat = _flat(ctx, block, "activities")
    if flat is None:
        return None
    cols, rows, _ = flat
    taken = set(cols.values())
    month_cols = {}
    for c, path in sorted(block.paths.items()):
        if c in taken:
            continue
        m = next((m for p in path if (m := is_month_label(p, ctx.values))), None)
        if m and m not in month_cols:
            month_cols[m] = c
    main, detail = _read_rows(ctx, rows, cols, "activities"), []
    for r in rows:
        for m, c in sorted(month_cols.items()):
            v = ctx.raw(r, c)
            if ctx.values.is_blank(v):
                continue
            amount, ok = ctx.values.number(v)
            detail.append(
                {
                    "sheet": ctx.sheet,
                    "row": r + 1,
                    "month": m,
                    "mark": True,
                    "amount": amount if ok else None,
                    "col": ctx.letter(c),
                }
            )
    schema = SCHEMAS["activities"]
    return _sheet(
        ctx,
        block,
        cols,
        {"main": _frame(main, schema["main"]), "months": _frame(detail, schema["months"])},
        {"months": sorted(month_cols)},
    )


def _date_context(ctx: SheetContext, block: HeaderBlock):
    """A date written in the title rows above the header (one day's to-do list)."""
    for r in range(0, block.top):
        for v in ctx.grid.rows[r]:
            d = ctx.values.date_in_text(v)
            if d:
                return d
    return ctx.values.date_in_text(ctx.sheet)


def _timed(ctx: SheetContext, block: HeaderBlock, form: str) -> SheetData | None:
    """To-do lists and work logs: rows of timed work, possibly several days per sheet.

    The day comes from a date column, else from the latest date heading row
    ("2026年3月5日") above the row, else from the title.
    """
    current = {"date": _date_context(ctx, block)}
    day_of: dict[int, dt.date | None] = {}

    def section(r: int) -> bool:
        cells = ctx.first_cells(ctx.grid.rows[r])
        d = ctx.values.date_in_text(cells[0][1]) if len(cells) == 1 else None
        if d:
            current["date"] = d
        day_of[r] = current["date"]
        return d is not None

    flat = _flat(ctx, block, form, on_row=section)
    if flat is None:
        return None
    cols, rows, _ = flat
    main = []
    for r, rec in zip(rows, _read_rows(ctx, rows, cols, form)):
        if rec.get("date") is None:
            rec["date"] = day_of.get(r)
        start, end = rec.get("start"), rec.get("end")
        if rec.get("hours") is None and start is not None and end is not None:
            if end >= start:
                rec["hours"] = end - start
            else:
                ctx.issue("invalid_time", r, cols.get("end"), value=ctx.grid.value(r, cols["end"]))
        main.append(rec)
    return _sheet(ctx, block, cols, {"main": _frame(main, SCHEMAS[form]["main"])})


def parse_todo(ctx: SheetContext, block: HeaderBlock) -> SheetData | None:
    return _timed(ctx, block, "todo")


def parse_worklog(ctx: SheetContext, block: HeaderBlock) -> SheetData | None:
    return _timed(ctx, block, "worklog")


def _simple(form: str):
    def parse(ctx: SheetContext, block: HeaderBlock) -> SheetData | None:
        flat = _flat(ctx, block, form)
        if flat is None:
            return None
        cols, rows, total_rows = flat
        schema = SCHEMAS[form]
        tables = {"main": _frame(_read_rows(ctx, rows, cols, form), schema["main"])}
        if form in ("weekly", "monthly"):
            tables["totals"] = _frame(_read_rows(ctx, total_rows, cols, form), schema["main"])
        return _sheet(ctx, block, cols, tables, {"title": _title(ctx, block)})

    parse.__name__ = f"parse_{form}"
    parse.__doc__ = f"The {form} form: one row per item."
    return parse


parse_weekly = _simple("weekly")
parse_monthly = _simple("monthly")


def _title(ctx: SheetContext, block: HeaderBlock) -> str | None:
    for r in range(block.top):
        cells = [v for v in ctx.grid.rows[r] if isinstance(v, str) and v.strip()]
        if cells:
            return cells[0].strip()
    return None


def parse_customers(ctx: SheetContext, block: HeaderBlock) -> SheetData | None:
    flat = _flat(ctx, block, "customers")
    if flat is None:
        return None
    cols, rows, _ = flat
    taken = set(cols.values())
    factor_cols: dict[str, int] = {}
    for c, path in sorted(block.paths.items()):
        if c in taken:
            continue
        for label in reversed(path):
            f = ctx.spec.factor_of(label)
            if f and f not in factor_cols:
                factor_cols[f] = c
                break
    main = []
    for r, rec in zip(rows, _read_rows(ctx, rows, cols, "customers")):
        for f in ctx.spec.factors:
            c = factor_cols.get(f)
            rec[FACTOR_PREFIX + f] = (
                ctx.parse("number", r, c, str(block.paths.get(c, ("",))[-1])) if c is not None else None
            )
        main.append(rec)
    columns = SCHEMAS["customers"]["main"] + [FACTOR_PREFIX + f for f in ctx.spec.factors]
    all_cols = dict(cols) | {FACTOR_PREFIX + f: c for f, c in factor_cols.items()}
    return _sheet(ctx, block, all_cols, {"main": _frame(main, columns)}, {"factors": sorted(factor_cols)})


def parse_appraisal(ctx: SheetContext, block: HeaderBlock) -> SheetData | None:
    cols = _field_columns(ctx, block)
    if _missing(ctx, block, cols):
        return None
    # wide form: indicator groups (name over target/actual/weight sub-columns)
    groups: dict[str, dict[str, int]] = {}
    for c, path in sorted(block.paths.items()):
        if len(path) >= 2 and ctx.spec.field_of(path[0]) is None:
            sub = ctx.spec.field_of(path[-1])
            if sub in ("target", "actual", "weight", "direction", "indicator_class"):
                groups.setdefault(str(path[0]), {})[sub] = c
    for sub in ("target", "actual", "weight", "direction", "indicator_class"):
        if groups and cols.get(sub) in {c for g in groups.values() for c in g.values()}:
            cols.pop(sub)
    if not groups and "indicator" not in cols:
        ctx.issue(
            "missing_column",
            block.top,
            None,
            form=ctx.settings.form_name("appraisal"),
            row=block.top + 1,
            column=ctx.header_label("indicator"),
        )
        return None
    main = []
    for r, kind in ctx.body(block, cols["employee"]):
        if kind == "total" or ctx.values.is_blank(ctx.grid.value(r, cols["employee"])):
            continue
        if not groups:
            main.append(_read_fields(ctx, r, cols, "appraisal"))
            continue
        base = _read_fields(ctx, r, cols, "appraisal")
        for name, sub in groups.items():
            rec = dict(base, indicator=name)
            for f, c in sub.items():
                kind_ = FLAT_FIELDS["appraisal"][f]
                rec[f] = ctx.parse(kind_, r, c, f"{name} / {ctx.header_label(f)}")
            main.append(rec)
    return _sheet(
        ctx,
        block,
        cols,
        {"main": _frame(main, SCHEMAS["appraisal"]["main"])},
        {"layout": "wide" if groups else "long"},
    )


def parse_pnl(ctx: SheetContext, block: HeaderBlock) -> SheetData | None:
    cols = _field_columns(ctx, block)
    if "month" not in cols and "line" in cols:
        return _parse_pnl_transposed(ctx, block, cols)
    if _missing(ctx, block, cols):
        return None
    measures: dict[tuple[str, str], dict[str, int]] = {}
    for c, path in sorted(block.paths.items()):
        if c in cols.values():
            continue
        group = line = measure = None
        for label in path:
            if not isinstance(label, str):
                continue
            g, _ = ctx.values.label("pnl_group", label)
            m, _ = ctx.values.label("measure", label)
            if g and group is None:
                group, line = g, line or label
            elif m and measure is None:
                measure = m
            elif group is not None:
                line = label
        if group and measure:
            measures.setdefault((group, line or group), {})[measure] = c
    records = []
    for r, kind in ctx.body(block, cols["month"]):
        if kind == "total":
            month = None
        else:
            ym = ctx.parse("month", r, cols["month"], ctx.header_label("month"))
            if ym is None:
                continue
            month = ym[1]
        for (group, line), m in measures.items():
            pc, ac = m.get("plan"), m.get("actual")
            records.append(
                {
                    "sheet": ctx.sheet,
                    "row": r + 1,
                    "month": month,
                    "group": group,
                    "line": line,
                    "plan": ctx.parse("number", r, pc) if pc is not None else None,
                    "actual": ctx.parse("number", r, ac) if ac is not None else None,
                    "plan_col": ctx.letter(pc),
                    "actual_col": ctx.letter(ac),
                }
            )
    return _pnl_tables(ctx, block, cols, records, "months_as_rows")


def _pnl_tables(ctx, block, cols, records, layout):
    frame = _frame(records, SCHEMAS["pnl"]["main"])
    is_total = frame["month"].isna()
    tables = {
        "main": frame[~is_total].reset_index(drop=True),
        "totals": frame[is_total].reset_index(drop=True),
    }
    return _sheet(ctx, block, cols, tables, {"layout": layout})


def _parse_pnl_transposed(ctx: SheetContext, block: HeaderBlock, cols: dict[str, int]) -> SheetData | None:
    """Lines as rows, months as columns (a layout seen in practice)."""
    months = _month_columns(ctx, block, set(cols.values()))
    single = {}
    if not months:  # one value per month: take it as the plan
        for c, path in sorted(block.paths.items()):
            m = is_month_label(path[-1], ctx.values) if c not in cols.values() else None
            if m:
                single[(m, "plan")] = c
        months = single
    group = None
    records = []
    for r, kind in ctx.body(block, cols["line"]):
        line = ctx.text(r, cols["line"])
        g_col = cols.get("group")
        g = ctx.values.label("pnl_group", ctx.grid.value(r, g_col))[0] if g_col is not None else None
        own_group = ctx.values.label("pnl_group", line)[0] if line else None
        if own_group and not _row_has_values(ctx, r, [c for c in months.values()]):
            group = own_group  # a section row: 收入项 / 支出项
            continue
        if kind == "total" or (line and any(t in line for t in ("合计", "小计", "总计", "Total", "total"))):
            continue
        grp = g or own_group or group
        if not line or grp is None:
            continue
        for m in sorted({m for m, _ in months}):
            pc, ac = months.get((m, "plan")), months.get((m, "actual"))
            records.append(
                {
                    "sheet": ctx.sheet,
                    "row": r + 1,
                    "month": m,
                    "group": grp,
                    "line": line,
                    "plan": ctx.parse("number", r, pc) if pc is not None else None,
                    "actual": ctx.parse("number", r, ac) if ac is not None else None,
                    "plan_col": ctx.letter(pc),
                    "actual_col": ctx.letter(ac),
                }
            )
    return _pnl_tables(ctx, block, cols, records, "lines_as_rows")


def parse_calendar(ctx: SheetContext, block: HeaderBlock) -> SheetData | None:
    """The Mon–Sun grid: events per date, plus the 本月大事 and 备注 blocks."""
    grid, values = ctx.grid, ctx.values
    ym = values.month_in_text(ctx.sheet)
    for r in range(0, min(block.top + 1, grid.nrows)):
        for v in grid.rows[r]:
            ym = ym or values.month_in_text(v)
    if ym is None:
        ctx.issue("calendar_no_month")
    header = block.top
    weekday_cols = [
        c for c, v in enumerate(grid.rows[header]) if isinstance(v, str) and values.label("weekday", v)[0]
    ]
    labels = [
        (r, c, f)
        for r in range(grid.nrows)
        for c, v in enumerate(grid.rows[r])
        if isinstance(v, str) and (f := ctx.spec.field_of(v)) in ("key_events", "notes")
    ]
    label_rows = sorted({r for r, _, _ in labels} | {header, grid.nrows})
    blocks: dict[str, list[str]] = {"key_events": [], "notes": []}
    for r, c, f in labels:
        blocks[f] += [t for x in grid.rows[r][c + 1 :] if (t := ctx.as_text(x))]
        end = next(x for x in label_rows if x > r)
        for rr in range(r + 1, end):
            blocks[f] += [t for x in grid.rows[rr] if (t := ctx.as_text(x))]
    stop = min((r for r, _, _ in labels if r > header), default=grid.nrows)
    day_at: dict[int, int] = {}
    events = []
    for r in range(header + 1, stop):
        for c in weekday_cols:
            v = ctx.raw(r, c)
            if values.is_blank(v):
                continue
            day, text = _day_and_text(v)
            if day is not None:
                day_at[c] = day
            if not text:
                continue
            d = day if day is not None else day_at.get(c)
            date = None
            if ym and d:
                try:
                    date = dt.date(ym[0], ym[1], d)
                except ValueError:
                    date = None
            events.append(
                {"sheet": ctx.sheet, "row": r + 1, "col": ctx.letter(c), "date": date, "day": d, "text": text}
            )
    meta = {
        "year": ym[0] if ym else None,
        "month": ym[1] if ym else None,
        "key_events": blocks["key_events"],
        "notes": blocks["notes"],
    }
    return SheetData(
        ctx.sheet, "calendar", header + 1, {"main": _frame(events, SCHEMAS["calendar"]["main"])}, {}, meta
    )


def _day_and_text(v):
    if isinstance(v, bool):
        return None, str(v)
    if isinstance(v, (int, float)):
        return (int(v), None) if float(v).is_integer() and 1 <= v <= 31 else (None, str(v))
    if isinstance(v, (dt.date, dt.datetime)):
        return v.day, None
    s = str(v).strip()
    digits = ""
    for ch in s:
        if ch.isdigit() and len(digits) < 2:
            digits += ch
        else:
            break
    if digits and 1 <= int(digits) <= 31:
        rest = s[len(digits) :].lstrip("日号 \n\t:：.、")
        return int(digits), rest or None
    return None, s


PARSERS = {
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
}
