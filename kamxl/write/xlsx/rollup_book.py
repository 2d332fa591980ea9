"""<org>-<period>.rollup.xlsx: the workbook a sales director opens for the review across regions.

A one-page dashboard first, then every region side by side, the salespeople's
league table, the trends, completeness and the matters needing attention.
Totals are SUM formulas and rates are ratios of those sums, each with the
roll-up's value cached (a test recalculates them in LibreOffice); ranks are
RANK formulas. Charts start at zero and have titled axes.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kamxl import __version__
from kamxl.calc.funnel import CLASSES
from kamxl.calc.rollup import FIGURE_FORM, RATIOS, SUMMED, VARIANCES, Rollup, decision_lines, period_end
from kamxl.config import Settings
from kamxl.issues import Issue
from kamxl.write.files import atomic_path
from kamxl.write.rollup_json import completeness_notes, filed_count_text
from kamxl.write.xlsx.book import (
    DEFAULT_WIDTH,
    LINE_HEIGHT,
    MAX_ROW_HEIGHT,
    ROW_PADDING,
    Book,
    Sheet,
    cell,
    chart_rows,
    new_workbook,
    rng,
)
from kamxl.write.xlsx.book import _wrapped_lines as wrapped_lines

HEAD = 3

# (figure, kind): how a column of the regions' table is written
REGION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("rank", "rank"),
    ("region", "region"),
    ("filed", "forms"),
    ("receivables_plan_to_date", "money"),
    ("receivables_actual_to_date", "money"),
    ("collection_rate", "ratio"),
    ("receivables_balance", "money"),
    *(
        (f"{group}_{part}", "variance" if part == "variance" else "money")
        for group in ("revenue", "expense", "profit")
        for part in ("plan_to_date", "actual_to_date", "variance")
    ),
    *((cls, "count") for cls in CLASSES),
    ("open", "open"),
    ("weighted_total", "money"),
    ("health", "health"),
    ("stuck_count", "count"),
    ("stuck_base", "stuck_base"),
    ("stuck_share", "ratio"),
    ("plans_judged", "count"),
    ("plans_met", "count"),
    ("plan_attainment", "ratio"),
    ("errors", "count"),
    ("warnings", "count"),
    ("stuck", "list"),
)
DASHBOARD_COLUMNS: tuple[tuple[str, str], ...] = (
    ("rank", "rank"),
    ("region", "region"),
    ("receivables_plan_to_date", "money"),
    ("receivables_actual_to_date", "money"),
    ("collection_rate", "ratio"),
    ("profit_plan_to_date", "money"),
    ("profit_actual_to_date", "money"),
    ("profit_variance", "variance"),
    ("weighted_total", "money"),
    ("health", "health"),
    ("stuck_count", "count"),
    ("stuck_base", "count"),
    ("stuck_share", "ratio"),
    ("errors", "count"),
)
OWNER_COLUMNS: tuple[tuple[str, str], ...] = (
    ("rank", "rank"),
    ("owner", "text"),
    ("region", "text"),
    ("receivables_plan_to_date", "money"),
    ("receivables_actual_to_date", "money"),
    ("collection_rate", "ratio"),
    ("weighted_total", "money"),
    ("open", "count"),
    ("p1", "count"),
    ("plans_judged", "count"),
    ("plans_met", "count"),
    ("plan_attainment", "mean"),  # the mean of the indicators' attainment (method.md §13.1): no formula
)
# a figure named differently where it means something else: a salesperson's mean attainment (§13.1)
OWNER_LABELS = {"plan_attainment": "owner_plan_attainment"}
OWNER_RATIOS = {"collection_rate": RATIOS["collection_rate"]}
OWNER_COUNTS = ("plans_judged", "plans_met")  # shown where some owner has them
NUMBER_FORMATS = {
    "money": "money",
    "variance": "signed_money",  # +1,200 / −83,500 (formats.cells.signed_money), as the summary writes it
    "count": "int",
    "open": "int",
    "stuck_base": "int",
    "mean": "percent",
}


@dataclass
class Table:
    """Where a table of the workbook is (its sheet, columns, first and last data rows), the ratios its
    rate columns divide, and the setting that names its ranked figure."""

    sheet: Sheet
    columns: tuple[tuple[str, str], ...]
    first: int
    last: int
    ratios: Mapping[str, tuple[str, str]] = field(default_factory=lambda: RATIOS)
    rank_by: str = "rollup.rank_by"

    def col(self, name: str) -> int:
        return [key for key, _ in self.columns].index(name)

    def at(self, row: int, name: str) -> str:
        return cell(row, self.col(name))

    def column_range(self, name: str, absolute: bool = True) -> str:
        col = self.col(name)
        return rng(self.first, col, self.last, col, absolute)


def _label(book: Book, key: str) -> str:
    return book.label(f"rollup.figures.{key}")


def _columns(columns: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    return tuple(column for column in columns if column[1] != "skip")


# ---------------------------------------------------------------- the cells ---
def _formula_of(table: Table, row: int, name: str, kind: str, ratios: Mapping[str, tuple[str, str]]) -> str:
    """The live formula of a derived figure in ``row`` (a region's, or the total's)."""
    if kind == "ratio":
        numerator, denominator = (table.at(row, part) for part in ratios[name])
        return f'IF(OR({numerator}="",{denominator}="",{denominator}=0),"",{numerator}/{denominator})'
    if kind == "variance":
        actual, plan = (table.at(row, part) for part in VARIANCES[name])
        return f'IF(OR({actual}="",{plan}=""),"",{actual}-{plan})'
    if kind == "open":
        return f"SUM({table.at(row, 'A')}:{table.at(row, 'D')})"
    stuck = table.at(row, "stuck_count")
    return f'IF({stuck}="","",{table.at(row, "C")}+{table.at(row, "D")})'


def _write_value(
    book: Book, table: Table, row: int, column: tuple[str, str], figures: Mapping[str, Any]
) -> None:
    """One cell of a region's (or an owner's) row: text, a number, or a formula with its value cached."""
    sheet, (name, kind) = table.sheet, column
    col, value = table.col(name), figures.get(name)
    if kind in ("text", "region"):
        sheet.text(row, col, value)
    elif kind == "forms":  # a count keeps the row one line: the forms themselves are listed on 提交情况
        sheet.text(row, col, book.label("rollup.forms_count", count=len(value)) if value else None)
    elif kind == "health":  # centred: a grade right after an amount would read as one ("1,002,500 良")
        sheet.text(row, col, book.label(f"values.health.{value}") if value else None, "text_centre")
    elif kind == "list":  # indented: after a right-aligned number a list would read as one ("0南星、岭南")
        sheet.text(row, col, book.label("rollup.separator").join(value) if value else None, "text_indent")
    elif kind == "rank":
        _rank(book, table, row, figures)
    elif kind in ("ratio", "variance", "open", "stuck_base") and (kind != "open" or value is not None):
        sheet.formula(row, col, _formula_of(table, row, name, kind, table.ratios), value, _format(kind))
    else:
        sheet.number(row, col, value, NUMBER_FORMATS.get(kind, "money"))


def _format(kind: str) -> str:
    return "percent" if kind == "ratio" else NUMBER_FORMATS.get(kind, "money")


def _rank(book: Book, table: Table, row: int, figures: Mapping[str, Any]) -> None:
    """RANK over the ranked figure's column (blank where the figure is); 1 is best."""
    settings = book.settings
    by = settings.get(table.rank_by)
    col = table.col("rank")
    if by not in [key for key, _ in table.columns]:
        table.sheet.number(row, col, figures.get("rank"), "int")
        return
    order = 1 if by in settings.get("rollup.lower_is_better") else 0
    here = table.at(row, by)
    formula = f'IF({here}="","",RANK({here},{table.column_range(by)},{order}))'
    table.sheet.formula(row, col, formula, figures.get("rank"), "int")


def _region_cell(book: Book, table: Table, row: int, figures: Mapping[str, Any]) -> None:
    """The region's name, a link to its own report workbook when there is one."""
    link = figures.get("link")
    if link:
        tip = book.label("rollup.open_report")
        table.sheet.ws.write_url(
            row, table.col("region"), f"external:{link}", book.fmt["link"], figures["region"], tip
        )
        table.sheet.fit(table.col("region"), figures["region"])


# ------------------------------------------------------------ region tables ---
def region_table(
    book: Book, sheet: Sheet, result: Rollup, columns: tuple[tuple[str, str], ...], head: int
) -> Table:
    """The regions side by side from ``head`` (the header row), then the organisation's total and the
    median region; returns where it is."""
    columns = _columns(columns)
    sheet.header(head, [_label(book, name) for name, _ in columns])
    rows = result.regions
    table = Table(sheet, columns, head + 1, head + max(len(rows), 1))
    for row, figures in enumerate(rows, table.first):
        for column in columns:
            _write_value(book, table, row, column, figures)
        _region_cell(book, table, row, figures)
    _total_row(book, table, result.total, table.last + 1)
    _median_row(book, table, result.median, table.last + 2)
    return table


def _total_row(book: Book, table: Table, total: Mapping[str, Any], row: int) -> None:
    """Σ of each summed figure (blank when unknown), the rates and variances of those sums."""
    sheet = table.sheet
    sheet.text(row, 0, None, "total_label")
    sheet.text(row, table.col("region"), book.label("rollup.total"), "total_label")
    said: set[str] = set()  # "1/3 区域" once per form, under its first column
    for col, (name, kind) in enumerate(table.columns):
        if name in ("rank", "region"):
            continue
        value = total.get(name)
        short = _coverage_text(book, total, name)
        if short is not None:  # too few regions have the form: no organisation's figure, say how many
            form = FIGURE_FORM[(RATIOS.get(name) or VARIANCES.get(name) or (name,))[0]]
            sheet.text(row, col, None if form in said else short, "total_label")
            said.add(form)
        elif kind in ("ratio", "variance"):
            formula = _formula_of(table, row, name, kind, RATIOS)
            fmt = "total_percent" if kind == "ratio" else "total_signed_money"
            sheet.formula(row, col, formula, value, fmt)
        elif name in SUMMED and value is not None:
            fmt = "total_money" if kind == "money" else "total_number"
            sheet.formula(row, col, f"SUM({table.column_range(name, False)})", value, fmt)
        else:
            sheet.text(row, col, None, "total_label")


def _coverage_text(book: Book, total: Mapping[str, Any], name: str) -> str | None:
    """ "1/3 区域" in a total's rate where too few regions have its form for an organisation's figure
    (``rollup.organisation_min_share``); None where the total stands."""
    figures = RATIOS.get(name) or VARIANCES.get(name) or (name,)
    if name not in SUMMED and name not in RATIOS and name not in VARIANCES:
        return None
    form = FIGURE_FORM.get(figures[0])
    have = (total.get("coverage") or {}).get(form)
    if have is None or any(total.get(part) is not None for part in figures):
        return None
    return book.label("rollup.coverage", regions=have[0], of=have[1])


def _median_row(book: Book, table: Table, median: Mapping[str, Any], row: int) -> None:
    """Each figure's median over the regions that have it (a count's median may be a half: 3.5, not 4)."""
    sheet = table.sheet
    sheet.text(row, table.col("region"), book.label("rollup.median"), "key")
    for col, (name, kind) in enumerate(table.columns):
        value = median.get(name)
        if name in median and value is not None:
            fmt = _format(kind)
            fmt = "number" if fmt == "int" else fmt
            sheet.formula(row, col, f"MEDIAN({table.column_range(name, False)})", value, fmt)


def _collections_chart(book: Book, table: Table, row: int) -> None:
    """Collections plan and actual to date per region, columns from zero, both axes titled."""
    sheet, colours = table.sheet, book.colours
    chart = book.add_chart("column")
    region_col = table.col("region")
    for name, colour in (
        ("receivables_plan_to_date", colours["plan"]),
        ("receivables_actual_to_date", colours["actual"]),
    ):
        col = table.col(name)
        chart.add_series(
            {
                "name": [sheet.name, table.first - 1, col],
                "categories": [sheet.name, table.first, region_col, table.last, region_col],
                "values": [sheet.name, table.first, col, table.last, col],
                "fill": {"color": colour},
                "border": {"color": colour},
            }
        )
    chart.set_title({"name": book.label("rollup.chart_collections")})
    chart.set_x_axis({"name": book.label("rollup.axis_region")})
    chart.set_y_axis(_value_axis(book, book.label("rollup.axis_amount"), "money_axis"))
    chart.set_legend({"position": "bottom"})
    sheet.place_chart(row, chart, "rollup")


def _value_axis(book: Book, title: str, style: str) -> dict[str, Any]:
    """A value axis from zero, titled, with light gridlines."""
    gridlines = {"visible": True, "line": {"color": book.colours["gridlines"]}}
    return {"name": title, "min": 0, "num_format": book.style[style], "major_gridlines": gridlines}


# ------------------------------------------------------------------- sheets ---
def write_dashboard(book: Book, result: Rollup, history_name: str) -> None:
    """One landscape page: the key figures side by side, the collections chart, who has not filed, and the
    first matters for the director. Their texts wrap within the table's width (merged cells), so that
    nothing runs past the page's margin."""
    sheet = book.add("dashboard", book.label("rollup.sheets.dashboard"))
    sheet.title(
        book.label("rollup.title", period=result.period),
        book.label("rollup.subtitle", regions=len(result.regions), history=history_name, version=__version__),
    )
    table = region_table(book, sheet, result, DASHBOARD_COLUMNS, HEAD)
    note_row = table.last + 3
    rank_by = _label(book, book.settings.get("rollup.rank_by"))
    lines = Lines(sheet, len(table.columns) - 1)
    lines.add(note_row, 0, book.label("rollup.notes_dashboard", rank_by=rank_by), "note")
    spec = book.chart_spec("rollup")
    chart_row = note_row + spec["rows_below"]
    _collections_chart(book, table, chart_row)
    row = chart_row + chart_rows(spec["height"]) + 1
    row = _short_completeness(book, lines, result, row)
    _short_decisions(book, lines, result, row + 1)
    sheet.one_page = True
    sheet.finish(HEAD, len(table.columns) - 1, None, filter_=False)
    lines.fit_heights()


@dataclass
class Lines:
    """Texts of the dashboard's lists, each in cells merged from its column to the table's last, wrapped;
    their rows are made tall enough once the columns' widths are known (after ``Sheet.finish``)."""

    sheet: Sheet
    last: int
    rows: list[tuple[int, int, str]] = field(default_factory=list)

    def add(self, row: int, col: int, text: str, fmt: str = "wrap") -> None:
        book = self.sheet.book
        style = book.fmt["note_wrap" if fmt == "note" else fmt]
        self.sheet.ws.merge_range(row, col, row, self.last, text, style)
        self.rows.append((row, col, text))

    def heading(self, row: int, text: str) -> None:
        """A list's heading over the first two columns (the rank's column keeps its own width)."""
        self.sheet.ws.merge_range(row, 0, row, 1, text, self.sheet.book.fmt["key"])

    def fit_heights(self) -> None:
        widths = self.sheet.widths
        for row, col, text in self.rows:
            width = sum(widths.get(column, DEFAULT_WIDTH) for column in range(col, self.last + 1))
            lines = wrapped_lines(text, width)
            if lines > 1:
                self.sheet.ws.set_row(row, min(LINE_HEIGHT * lines + ROW_PADDING, MAX_ROW_HEIGHT))


def _short_completeness(book: Book, lines: Lines, result: Rollup, row: int) -> int:
    """The regions that did not file everything this period, and what to know of the filings (a region's
    name guessed, a form filed twice); returns the next free row."""
    sheet = lines.sheet
    lines.heading(row, book.label("rollup.sheets.completeness"))
    gaps = [entry for entry in result.completeness if entry["status"] != "filed" or entry["late"]]
    row += 1
    lines.add(row, 1, filed_count_text(result, book.settings))
    for entry in gaps:
        row += 1
        sheet.text(row, 1, entry["region"])
        lines.add(row, 2, _status_text(book, entry))
    for note in completeness_notes(result, book.settings):
        row += 1
        lines.add(row, 1, note)
    return row + 1


def _status_text(book: Book, entry: Mapping[str, Any]) -> str:
    """A region's filing in words: its status, the forms it lacks, late."""
    text = book.label(f"rollup.status.{entry['status']}")
    if entry["status"] == "partial":
        text += ": " + book.label("rollup.separator").join(
            book.settings.form_name(form) for form in entry["missing_forms"]
        )
    if entry["late"]:
        text += f" ({book.label('rollup.late')})"
    return text


def _short_decisions(book: Book, lines: Lines, result: Rollup, row: int) -> None:
    """The first matters for the director, a line per (region, customer), as many as fit under the chart;
    the rest are on the 关注事项 sheet, and the line saying how many more names it."""
    from kamxl.write.rollup_json import line_message

    sheet = lines.sheet
    lines.heading(row, book.label("rollup.summary_heading_decisions"))
    shown = int(book.settings.get("summary.top_rows"))
    grouped = decision_lines(result.decisions)
    for line in grouped[:shown]:
        row += 1
        sheet.text(row, 1, line[0]["region"], "text_top")  # level with its line's first words when it wraps
        lines.add(row, 2, line_message(line, result, book.settings))
    if len(grouped) > shown:
        more = book.label(
            "rollup.more_decisions",
            count=len(grouped) - shown,
            sheet=book.label("rollup.sheets.decisions"),
        )
        lines.add(row + 1, 2, more, "note")
    if not result.decisions:
        sheet.text(row + 1, 1, book.label("rollup.none"))


def write_regions(book: Book, result: Rollup) -> None:
    """Every figure of every region, the total and the median, each region linked to its report."""
    sheet = book.add("regions", book.label("rollup.sheets.regions"))
    rank_by = _label(book, book.settings.get("rollup.rank_by"))
    sheet.title(
        book.label("rollup.title", period=result.period),
        book.label("rollup.notes_dashboard", rank_by=rank_by),
    )
    table = region_table(book, sheet, result, REGION_COLUMNS, HEAD)
    sheet.finish(HEAD, len(table.columns) - 1, None, filter_=False, freeze_cols=2)


def write_owners(book: Book, result: Rollup) -> None:
    """The league table of salespeople across the regions."""
    sheet = book.add("owners", book.label("rollup.sheets.owners"))
    rank_by = _label(book, book.settings.get("rollup.owner_rank_by"))
    sheet.title(book.label("rollup.sheets.owners"), book.label("rollup.notes_owners", rank_by=rank_by))
    # the indicators judged and met are known where the store kept them per owner; a history that kept only
    # the mean attainment leaves them blank for everyone: no column of blanks beside a filled mean
    columns = tuple(
        (name, kind)
        for name, kind in OWNER_COLUMNS
        if name not in OWNER_COUNTS or any(row.get(name) is not None for row in result.owners)
    )
    sheet.header(HEAD, [_label(book, OWNER_LABELS.get(name, name)) for name, _ in columns])
    last = HEAD + max(len(result.owners), 1)
    table = Table(sheet, columns, HEAD + 1, last, OWNER_RATIOS, "rollup.owner_rank_by")
    for row, figures in enumerate(result.owners, table.first):
        for column in columns:
            _write_value(book, table, row, column, figures)
    sheet.finish(HEAD, len(columns) - 1, table.last, freeze_cols=3)


def write_completeness(book: Book, result: Rollup) -> None:
    """Per region: filed, only some forms, not filed; late; forms filed twice."""
    sheet = book.add("completeness", book.label("rollup.sheets.completeness"))
    settings = book.settings
    forms = book.label("rollup.separator").join(
        settings.form_name(form) for form in settings.get("rollup.expected_forms")
    )
    sheet.title(
        book.label("rollup.sheets.completeness"),
        book.label("rollup.notes_completeness", forms=forms, days=settings.get("rollup.late_days")),
    )
    keys = ("region", "status", "last_period", "filed", "missing_forms", "refiled", "as_of", "late")
    sheet.header(HEAD, [_label(book, key) for key in keys])
    for row, entry in enumerate(result.completeness, HEAD + 1):
        guessed = f" ({book.label('rollup.region_guessed')})" if entry.get("region_guessed") else ""
        sheet.text(row, 0, entry["region"] + guessed)
        sheet.text(
            row,
            1,
            book.label(f"rollup.status.{entry['status']}"),
            "bad" if entry["status"] != "filed" else "text",
        )
        sheet.text(row, 2, entry["last_period"])
        for col, key in ((3, "forms"), (4, "missing_forms"), (5, "refiled")):
            # wrapped within rollup_forms: a region that filed every form has a long list
            names = book.label("rollup.separator").join(settings.form_name(form) for form in entry[key])
            sheet.text(row, col, names or None, "wrap", fit=False)
            sheet.at_least(col, book.width("rollup_forms"))
        sheet.text(row, 6, entry["as_of"])
        late = entry["late"]
        sheet.text(row, 7, None if late is None else book.label("rollup.late" if late else "rollup.on_time"))
    notes_row = HEAD + max(len(result.completeness), 1) + 2
    for offset, note in enumerate(completeness_notes(result, settings)):
        sheet.text(notes_row + offset, 0, note, "note", fit=False)
    sheet.finish(HEAD, len(keys) - 1, HEAD + max(len(result.completeness), 1))


def write_decisions(book: Book, result: Rollup) -> None:
    """What needs the director's attention, ranked across the organisation, a line per (region, customer);
    every cell top-aligned, so that a line whose text wraps reads across."""
    from kamxl.write.rollup_json import line_figures, line_message

    sheet = book.add("decisions", book.label("rollup.sheets.decisions"))
    sheet.title(
        book.label("rollup.summary_heading_decisions"), book.label("rollup.title", period=result.period)
    )
    keys = ("rank", "severity", "region", "customer", "amount", "message")
    sheet.header(HEAD, [_label(book, key) for key in keys])
    grouped = decision_lines(result.decisions)
    shown = grouped[: int(book.settings.get("rollup.decision_rows"))]
    for row, line in enumerate(shown, HEAD + 1):
        figures = line_figures(line, book.settings)
        severity = figures["severity"]
        sheet.number(row, 0, row - HEAD, "decision_rank")
        sheet.text(row, 1, book.label(f"decisions.severity.{severity}"), f"decision_{severity}")
        sheet.text(row, 2, figures["region"], "text_top")
        sheet.text(row, 3, figures["customer"], "text_top")
        sheet.number(row, 4, figures["amount"], "money_top")
        sheet.text(row, 5, line_message(line, result, book.settings), "wrap", fit=False)
    if len(grouped) > len(shown):
        more = book.label("rollup.more", count=len(grouped) - len(shown))
        sheet.text(HEAD + len(shown) + 1, 5, more, "note")
    sheet.widths[5] = book.width("issue_message")
    sheet.finish(HEAD, len(keys) - 1, HEAD + max(len(shown), 1))


TREND_AXES = {"collection_rate": ("percent", "rate_axis"), "open": ("int", "count_axis")}
# a change since the month before reads with its sign: +27,000 / −8,000, +1 / −2; a rate's in percentage
# points (+1.3, under a heading that says 个百分点 / pp)
CHANGE_FORMATS = {"money": "signed_money", "percent": "points", "int": "signed_int"}


def write_trends(book: Book, result: Rollup) -> None:
    """A table and a line chart per trend figure (a line per region), then every figure's month-over-month
    change per region."""
    sheet = book.add("trends", book.label("rollup.sheets.trends"))
    sheet.title(book.label("rollup.sheets.trends"), book.label("rollup.notes_trends"))
    periods = sorted({row["period"] for rows in result.trends.values() for row in rows})
    row = HEAD
    for figure in book.settings.get("rollup.trend_figures"):
        row = _trend_block(book, sheet, result, figure, periods, row)
    _changes(book, sheet, result, row)
    # pages across repeat the month (and the change table's region): a continuation page keeps its keys
    sheet.finish(None, len(result.trends) + 2, None, filter_=False, freeze_cols=2)


def _trend_block(
    book: Book, sheet: Sheet, result: Rollup, figure: str, periods: Sequence[str], row: int
) -> int:
    """One figure: a row per period, a column per region, and its line chart beside; returns the next row."""
    regions = list(result.trends)
    fmt, axis = TREND_AXES.get(figure, ("money", "money_axis"))
    name = _label(book, figure)
    # the figure and the month in the first two columns, as the change table's region and month: the
    # columns a page across repeats
    sheet.text(row, 0, name, "key")
    sheet.header(row + 1, [book.label("rollup.figure"), _label(book, "period"), *regions])
    by_region = {
        region: {entry["period"]: entry[figure] for entry in rows} for region, rows in result.trends.items()
    }
    first = row + 2
    for offset, period in enumerate(periods):
        sheet.text(first + offset, 0, name)
        sheet.text(first + offset, 1, period)
        for col, region in enumerate(regions, 2):
            sheet.number(first + offset, col, by_region[region].get(period), fmt)
    last = first + max(len(periods), 1) - 1
    chart = book.add_chart("line")
    for col in range(2, len(regions) + 2):
        chart.add_series(
            {
                "name": [sheet.name, row + 1, col],
                "categories": [sheet.name, first, 1, last, 1],
                "values": [sheet.name, first, col, last, col],
                "line": {"width": book.style["trend_line_width"]},
                "marker": {"type": "circle"},
            }
        )
    chart.set_title({"name": _label(book, figure)})
    chart.set_x_axis({"name": book.label("rollup.axis_period")})
    chart.set_y_axis(_value_axis(book, _label(book, figure), axis) | _rate_max(book, fmt, by_region))
    chart.set_legend({"position": "bottom"})
    spec = book.chart_spec("rollup_trends")
    sheet.place_chart(row, chart, "rollup_trends", col=len(regions) + 3)
    return max(last + 2, row + chart_rows(spec["height"]) + 1)


def _rate_max(book: Book, fmt: str, by_region: Mapping[str, Mapping[str, Any]]) -> dict[str, float]:
    """A rate's axis up to its highest value rounded up to ``rollup.rate_axis_step`` (90 % → 100 %, 102 % →
    110 %), not a spreadsheet's 120 % that squashes the lines; other axes as the spreadsheet draws them."""
    values = [value for periods in by_region.values() for value in periods.values() if value is not None]
    if fmt != "percent" or not values or max(values) <= 0:
        return {}
    step = float(book.settings.get("rollup.rate_axis_step"))
    return {"max": round(math.ceil(round(max(values) / step, 9)) * step, 9)}


def _changes(book: Book, sheet: Sheet, result: Rollup, row: int) -> None:
    """Per region and period stored: each trend figure and its change since the region's previous period."""
    from kamxl.calc.rollup import TREND_FIGURES

    sheet.text(row, 0, book.label("rollup.changes_heading"), "key")
    row += 1
    headings = [_label(book, "region"), _label(book, "period")]
    for figure in TREND_FIGURES:
        key = "rollup.change_points" if TREND_AXES.get(figure, ("",))[0] == "percent" else "rollup.change"
        headings += [_label(book, figure), book.label(key, figure=_label(book, figure))]
    sheet.header(row, headings)
    for region, entries in result.trends.items():
        for index, entry in enumerate(entries):
            row += 1
            sheet.text(row, 0, region)
            sheet.text(row, 1, entry["period"])
            for offset, figure in enumerate(TREND_FIGURES):
                col = 2 + 2 * offset
                fmt = TREND_AXES.get(figure, ("money", ""))[0]
                sheet.number(row, col, entry[figure], fmt)
                if index:
                    here, before = cell(row, col), cell(row - 1, col)
                    change: float | None = entry[f"{figure}_change"]
                    if fmt == "percent":  # a rate's change in percentage points: 90.6 % after 89.3 % is +1.3
                        formula = f'IF(OR({here}="",{before}=""),"",({here}-{before})*100)'
                        change = None if change is None else change * 100
                    else:
                        formula = f'IF(OR({here}="",{before}=""),"",{here}-{before})'
                    sheet.formula(row, col + 1, formula, change, CHANGE_FORMATS[fmt])


def write_rollup_book(result: Rollup, target: Path, settings: Settings, history_name: str) -> list[Issue]:
    """Write the roll-up workbook atomically; returns issues about the output itself."""
    with atomic_path(target) as tmp:
        workbook = new_workbook(tmp, settings, len(result.regions) + len(result.owners))
        title = document_title(settings, result.period)
        meta = {  # the page header names the organisation and period, not kamxl's history file
            "source": title,
            "period": result.period,
            "as_of": period_end(result.period).isoformat(),
            "version": __version__,
        }
        book = Book(workbook, settings, meta)
        created = dt.datetime.combine(period_end(result.period), dt.time())
        workbook.set_properties({"title": title, "author": "kamxl", "company": "", "created": created})
        write_dashboard(book, result, history_name)
        write_regions(book, result)
        write_owners(book, result)
        if result.trends:
            write_trends(book, result)
        write_completeness(book, result)
        write_decisions(book, result)
        book.sheets["dashboard"].ws.activate()
        book.close()
    return book.issues


def document_title(settings: Settings, period: str) -> str:
    """ "华东公司 区域汇总 2026-03"; just "区域汇总 2026-03" while ``rollup.org`` is left at its placeholder
    (the organisation not named: "org" on every page would read as a mistake)."""
    org = str(settings.get("rollup.org") or "").strip()
    if not org or org == settings.get("rollup.org_placeholder"):
        return settings.label("rollup.doc_title_unnamed", period=period)
    return settings.label("rollup.doc_title", org=org, period=period)
