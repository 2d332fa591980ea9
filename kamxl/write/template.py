"""Blank forms in the course's layout, so users start from a form kamxl reads.

Each template has a title, the (multi-level) header, one example row from
``templates/examples.toml``, number formats, drop-downs on label columns and,
where a total means something, a 合计 row of SUM formulas with cached values.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from functools import lru_cache
from importlib import resources
from pathlib import Path

from kamxl.config import Settings
from kamxl.issues import column_letter
from kamxl.text import display_width
from kamxl.write.files import atomic_path

BLANK_ROWS = 10  # empty rows between the example and the total row


@lru_cache(maxsize=1)
def _examples() -> dict:
    return tomllib.loads(resources.files("kamxl.templates").joinpath("examples.toml").read_text("utf-8"))


class _Sheet:
    """A worksheet plus the formats every template shares."""

    def __init__(self, wb, ws, settings: Settings, form: str):
        self.wb, self.ws, self.settings, self.form = wb, ws, settings, form
        self.widths: dict[int, int] = {}
        base = {
            "font_name": "Microsoft YaHei" if settings.lang == "zh" else "Calibri",
            "font_size": 10,
            "valign": "vcenter",
        }
        self.fmt = {
            "title": wb.add_format(base | {"bold": True, "font_size": 14}),
            "header": wb.add_format(
                base
                | {"bold": True, "bg_color": "#DCE6F1", "border": 1, "align": "center", "text_wrap": True}
            ),
            "text": wb.add_format(base | {"border": 1}),
            "money": wb.add_format(base | {"border": 1, "num_format": "#,##0.00"}),
            "number": wb.add_format(base | {"border": 1, "num_format": "#,##0.##"}),
            "date": wb.add_format(base | {"border": 1, "num_format": "yyyy-mm-dd"}),
            "time": wb.add_format(base | {"border": 1, "num_format": "hh:mm"}),
            "percent": wb.add_format(base | {"border": 1, "num_format": "0%"}),
            "total": wb.add_format(base | {"bold": True, "border": 1, "top": 2, "num_format": "#,##0.00"}),
            "total_label": wb.add_format(base | {"bold": True, "border": 1, "top": 2}),
            "note": wb.add_format(base | {"italic": True, "font_color": "#666666"}),
            "day": wb.add_format(base | {"bold": True, "border": 1, "align": "left", "bg_color": "#F2F2F2"}),
            "cell": wb.add_format(base | {"border": 1, "text_wrap": True, "valign": "top"}),
        }

    def fit(self, col: int, text) -> None:
        self.widths[col] = max(self.widths.get(col, 8), min(display_width(str(text)) + 2, 40))

    def header(
        self, r: int, c: int, text: str, last_row: int | None = None, last_col: int | None = None
    ) -> None:
        if (last_row is not None and last_row != r) or (last_col is not None and last_col != c):
            self.ws.merge_range(r, c, last_row or r, last_col or c, text, self.fmt["header"])
        else:
            self.ws.write_string(r, c, text, self.fmt["header"])
        if last_col in (None, c):
            self.fit(c, text)

    def value(self, r: int, c: int, kind: str, v) -> None:
        ws, fmt = self.ws, self.fmt
        if v is None or v == "":
            ws.write_blank(r, c, None, fmt["money" if kind == "money" else "text"])
        elif kind == "date":
            ws.write_datetime(r, c, dt.datetime.combine(v, dt.time()), fmt["date"])
        elif kind == "time":
            h, m = map(int, str(v).split(":"))
            ws.write_datetime(r, c, dt.datetime(1899, 12, 31, h, m), fmt["time"])
        elif kind in ("money", "number", "percent") and isinstance(v, (int, float)):
            ws.write_number(r, c, v, fmt[kind])
        else:
            ws.write_string(r, c, str(v), fmt["text"])
            self.fit(c, v)

    def blank_rows(self, first: int, last: int, kinds: list[str]) -> None:
        for r in range(first, last + 1):
            for c, kind in enumerate(kinds):
                if kind:
                    self.value(r, c, kind, None)

    def total_row(self, r: int, label_col: int, sums: dict[int, float], first: int, last: int) -> None:
        self.ws.write_string(r, label_col, self.settings.label("ui.total"), self.fmt["total_label"])
        for c, cached in sums.items():
            col = column_letter(c)
            self.ws.write_formula(r, c, f"=SUM({col}{first + 1}:{col}{last + 1})", self.fmt["total"], cached)

    def dropdown(self, col: int, first: int, last: int, vocab: str) -> None:
        labels = [
            self.settings.label(f"values.{vocab}.{code}")
            for code in self.settings.get(f"labels.values.{vocab}")
        ]
        self.ws.data_validation(
            first, col, last, col, {"validate": "list", "source": labels, "ignore_blank": True}
        )

    def finish(self, header_bottom: int, title: str) -> None:
        ws = self.ws
        for c, w in self.widths.items():
            ws.set_column(c, c, w)
        ws.freeze_panes(header_bottom + 1, 0)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(0, header_bottom)
        ws.set_header(f'&L&"-,Bold"{title.replace("&", "&&")}&R&D')
        ws.set_footer("&C&P / &N")


def _fields(form: str, settings: Settings) -> dict[str, str]:
    return {f: settings.label(f"headers.{form}.{f}") for f in settings.get(f"labels.headers.{form}")}


def _month_names(settings: Settings) -> list[str]:
    return [settings.label(f"values.month.{m}") for m in range(1, 13)]


def _flat(
    s: _Sheet,
    columns: list[tuple[str, str]],
    example: dict,
    total_cols: tuple[str, ...] = (),
    vocab: dict[str, str] | None = None,
    months: list[int] | None = None,
) -> int:
    """Title, one header row, example, blank rows, optional 合计; returns the header row."""
    head = _fields(s.form, s.settings)
    top = 2
    names = [head[f] for f, _ in columns]
    if months is not None:
        names += _month_names(s.settings)
    for c, name in enumerate(names):
        s.header(top, c, name)
    ex_row = top + 1
    kinds = [k for _, k in columns] + (["text"] * 12 if months is not None else [])
    for c, (f, kind) in enumerate(columns):
        v = example.get(f)
        if vocab and f in vocab and v:
            v = str(v)
        s.value(ex_row, c, kind, v)
    if months is not None:
        for m in example.get("months", []):
            s.value(ex_row, len(columns) + m - 1, "text", "✓")
    last = ex_row + BLANK_ROWS
    s.blank_rows(ex_row + 1, last, kinds)
    if total_cols:
        sums = {c: float(example.get(f) or 0) for c, (f, _) in enumerate(columns) if f in total_cols}
        s.total_row(last + 1, 0, sums, ex_row, last)
        s.ws.write_string(last + 3, 0, s.settings.label("ui.notes_below"), s.fmt["note"])
    for f, voc in (vocab or {}).items():
        c = next(i for i, (name, _) in enumerate(columns) if name == f)
        s.dropdown(c, ex_row, last, voc)
    if months is not None:
        for m in range(12):
            s.widths[len(columns) + m] = 6
    s.ws.autofilter(top, 0, last, len(names) - 1)
    return top


def _receivables(s: _Sheet, ex: dict) -> int:
    head, st = _fields("receivables", s.settings), s.settings
    top, sub = 2, 3
    fixed = [("customer", "text"), ("product", "text"), ("qty", "number")]
    for c, (f, _) in enumerate(fixed):
        s.header(top, c, head[f], last_row=sub)
    months = _month_names(st)
    for m, name in enumerate(months):
        c = len(fixed) + 2 * m
        s.header(top, c, name, last_col=c + 1)
        s.header(sub, c, head["plan"])
        s.header(sub, c + 1, head["actual"])
    tail = [("total_owed", "money"), ("due_date", "date"), ("owner", "text")]
    base = len(fixed) + 24
    for i, (f, _) in enumerate(tail):
        s.header(top, base + i, head[f], last_row=sub)
    ex_row = sub + 1
    kinds = [k for _, k in fixed] + ["money"] * 24 + [k for _, k in tail]
    for c, (f, kind) in enumerate(fixed):
        s.value(ex_row, c, kind, ex.get(f))
    sums: dict[int, float] = {2: float(ex["qty"])}
    for m in range(12):
        plan = ex["plan"][m] if m < len(ex["plan"]) else None
        actual = ex["actual"][m] if m < len(ex["actual"]) else None
        s.value(ex_row, len(fixed) + 2 * m, "money", plan)
        s.value(ex_row, len(fixed) + 2 * m + 1, "money", actual)
        sums[len(fixed) + 2 * m] = float(plan or 0)
        sums[len(fixed) + 2 * m + 1] = float(actual or 0)
    for i, (f, kind) in enumerate(tail):
        s.value(ex_row, base + i, kind, ex.get(f))
    sums[base] = float(ex["total_owed"])
    last = ex_row + BLANK_ROWS
    s.blank_rows(ex_row + 1, last, kinds)
    s.total_row(last + 1, 0, sums, ex_row, last)
    s.ws.write_string(last + 3, 0, st.label("ui.notes_below"), s.fmt["note"])
    for c in range(len(fixed), base):
        s.widths[c] = 11
    s.widths[base] = 13
    s.ws.autofilter(sub, 0, last, base + len(tail) - 1)
    return sub


def _pnl(s: _Sheet, ex: dict) -> int:
    head, st = _fields("pnl", s.settings), s.settings
    top = 2
    s.header(top, 0, head["month"], last_row=top + 2)
    c = 1
    cols: list[tuple[str, int]] = []  # (group, first column of the line)
    for group in ("revenue", "expense"):
        lines = ex[group]
        s.header(top, c, head[group], last_col=c + 2 * len(lines) - 1)
        for line in lines:
            s.header(top + 1, c, line, last_col=c + 1)
            s.header(top + 2, c, head["plan"])
            s.header(top + 2, c + 1, head["actual"])
            cols.append((group, c))
            c += 2
    profit_col = c
    s.header(top, c, head["profit"], last_row=top + 1, last_col=c + 1)
    s.header(top + 2, c, head["plan"])
    s.header(top + 2, c + 1, head["actual"])
    first = top + 3
    last = first + 11
    sums: dict[int, float] = {}
    for m, name in enumerate(_month_names(st)):
        r = first + m
        s.ws.write_string(r, 0, name, s.fmt["text"])
        values = {}
        for i, (group, col) in enumerate(cols):
            plan = ex["plan"][i] if m == 0 else None
            actual = ex["actual"][i] if m == 0 else None
            s.value(r, col, "money", plan)
            s.value(r, col + 1, "money", actual)
            values[(group, col)] = (plan or 0, actual or 0)
            sums[col] = sums.get(col, 0) + (plan or 0)
            sums[col + 1] = sums.get(col + 1, 0) + (actual or 0)
        for k in (0, 1):
            rev = [column_letter(col + k) + str(r + 1) for g, col in cols if g == "revenue"]
            exp = [column_letter(col + k) + str(r + 1) for g, col in cols if g == "expense"]
            cached = sum(v[k] for (g, _), v in values.items() if g == "revenue") - sum(
                v[k] for (g, _), v in values.items() if g == "expense"
            )
            s.ws.write_formula(
                r, profit_col + k, f"=({'+'.join(rev)})-({'+'.join(exp)})", s.fmt["money"], cached
            )
            sums[profit_col + k] = sums.get(profit_col + k, 0) + cached
    s.total_row(last + 1, 0, sums, first, last)
    for col in range(1, profit_col + 2):
        s.widths[col] = 12
    return top + 2


def _calendar(s: _Sheet, ex: dict) -> int:
    st, ws = s.settings, s.ws
    year, month = ex["year"], ex["month"]
    head = _fields("calendar", st)
    ws.write_string(0, 0, f"{st.form_name('calendar')}({year}-{month:02d})", s.fmt["title"])
    ws.write_string(2, 0, head["key_events"], s.fmt["header"])
    ws.merge_range(2, 1, 2, 6, ex["key_events"], s.fmt["cell"])
    top = 4
    for c, code in enumerate(st.get("labels.values.weekday")):
        s.header(top, c, st.label(f"values.weekday.{code}"))
        s.widths[c] = 18
    first = dt.date(year, month, 1)
    day = first - dt.timedelta(days=first.weekday())
    r = top + 1
    events = {int(k): v for k, v in ex["events"].items()}
    while day.month == month or day < first:
        for c in range(7):
            d = day + dt.timedelta(days=c)
            if d.month == month:
                ws.write_number(r, c, d.day, s.fmt["day"])
                ws.write_string(r + 1, c, events.get(d.day, ""), s.fmt["cell"])
            else:
                ws.write_blank(r, c, None, s.fmt["day"])
                ws.write_blank(r + 1, c, None, s.fmt["cell"])
        ws.set_row(r + 1, 48)
        r += 2
        day += dt.timedelta(days=7)
    ws.write_string(r + 1, 0, head["notes"], s.fmt["header"])
    ws.merge_range(r + 1, 1, r + 1, 6, "", s.fmt["cell"])
    return top


def _layout(form: str):
    money, text, date, time, number, percent = "money", "text", "date", "time", "number", "percent"
    return {
        "activities": dict(
            columns=[
                ("activity", text),
                ("owner", text),
                ("support", text),
                ("budget", money),
                ("expected", text),
            ],
            total_cols=("budget",),
            months=[],
        ),
        "todo": dict(
            columns=[
                ("date", date),
                ("category", text),
                ("start", time),
                ("end", time),
                ("task", text),
                ("related", text),
                ("notes", text),
                ("status", text),
            ],
            vocab={"category": "quadrant", "status": "done"},
        ),
        "weekly": dict(
            columns=[
                ("week", number),
                ("goal", text),
                ("weekly_target", number),
                ("actual", number),
                ("monthly_item", text),
                ("owner", text),
                ("notes", text),
            ],
            total_cols=("weekly_target", "actual"),
        ),
        "monthly": dict(
            columns=[
                ("indicator", text),
                ("category", text),
                ("target", number),
                ("actual", number),
                ("owner", text),
                ("last_actual", number),
                ("next_focus", text),
                ("notes", text),
            ],
            vocab={"category": "indicator_class"},
        ),
        "worklog": dict(
            columns=[
                ("date", date),
                ("start", time),
                ("end", time),
                ("customer", text),
                ("activity", text),
                ("outcome", text),
            ]
        ),
        "customers": dict(
            columns=[
                ("customer", text),
                ("owner", text),
                ("industry", text),
                ("project", text),
                ("attractiveness", number),
                ("advantage", number),
                ("order_size", text),
                ("likelihood", text),
                ("amount", money),
                ("expected_close", date),
                ("period_target", money),
                ("status", text),
            ],
            total_cols=("amount",),
            vocab={"order_size": "order_size", "likelihood": "likelihood", "status": "status"},
        ),
        "appraisal": dict(
            columns=[
                ("employee", text),
                ("employee_id", text),
                ("department", text),
                ("indicator", text),
                ("indicator_class", text),
                ("target", number),
                ("actual", number),
                ("weight", percent),
                ("direction", text),
                ("personality", number),
                ("drive", number),
                ("ability", number),
                ("willingness", number),
            ],
            vocab={"indicator_class": "indicator_class", "direction": "direction"},
        ),
    }.get(form)


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
        wb.set_properties({"title": title, "subject": "kamxl template", "created": dt.datetime(2026, 1, 1)})
        ws = wb.add_worksheet(title[:31])
        s = _Sheet(wb, ws, settings, form)
        if form != "calendar":
            ws.write_string(0, 0, title, s.fmt["title"])
        if form == "receivables":
            bottom = _receivables(s, example)
        elif form == "pnl":
            bottom = _pnl(s, example)
        elif form == "calendar":
            bottom = _calendar(s, example)
        else:
            layout = _layout(form)
            if "months" in layout:
                layout["months"] = example.get("months", [])
            bottom = _flat(s, example=example, **layout)
        s.finish(bottom, title)
        wb.close()
    return target
