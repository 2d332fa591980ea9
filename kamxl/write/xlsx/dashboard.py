"""仪表板: the report workbook's first sheet, one A4 landscape page a director reads before any other.

Region and period in the title; the key figures as tiles (collections and
the P&L to date against plan, each with its change against last month);
collections by month; the funnel A–D and its health with the rule; the
decisions and risks (docs/method.md §14) with the input cell each comes
from; and, when the results have them, the figures per salesperson. A tile
whose figure is on another sheet links to it with a live formula.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from kamxl.calc.decisions import sentence
from kamxl.calc.funnel import CLASSES
from kamxl.calc.plan_forms import Targets
from kamxl.results import Results
from kamxl.text import display_width
from kamxl.write.heading import review_heading
from kamxl.write.summary_figures import last_two, previous_trend
from kamxl.write.words import (
    decision_groups,
    decision_where,
    health_label,
    health_note,
    rate_tone,
    variance_tone,
)
from kamxl.write.xlsx.book import (
    LINE_HEIGHT,
    ROW_PADDING,
    Book,
    KeyCells,
    Sheet,
    cell,
    chart_rows,
    has_data,
    ref,
)

COLUMNS = 12  # the page: six tiles of two columns each
TILE_COLS = 2
HIDDEN = 14  # first of the hidden columns the charts read (months, plan, actual; the funnel's offsets)
FUNNEL_COL = 7  # the funnel's table, right of the collections chart
FUNNEL_WIDTH = 5  # columns: class, count, amount, weighted amount (two)
DECISION_TEXT = (2, 9)  # the decision's sentence spans these columns
TEXT_NARROWING = 0.75  # printed text is narrower than a column's character widths (a digit's) say
OWNER_COLUMNS = (
    ("owner", "text"),
    ("collections_plan", "money"),
    ("collections_actual", "money"),
    ("collections_rate", "percent"),
    ("pipeline", "money"),
    ("weighted_pipeline", "money"),
    ("p1_customers", "int"),
    ("plan_attainment", "percent"),
    ("hours", "number"),
)


@dataclass
class Tile:
    """One key figure: its label, value (a live formula when ``formula``), and lines under it."""

    label: str
    value: float | str | None
    fmt: str  # "money", "signed_money" (a variance: +1,200 / −83,500), "percent" or "text" ("1/4")
    formula: str | None = None
    notes: list[tuple[str, str]] = field(default_factory=list)  # (text, tone: "good", "bad" or "")


def _label(book: Book, key: str, **args: Any) -> str:
    return book.label(f"dashboard.{key}", **args)


def write_dashboard(book: Book, sheet: Sheet, results: Results, keys: KeyCells) -> None:
    """The whole page, top to bottom; fitted to one A4 landscape page."""
    sheet.ws.merge_range(
        0,
        0,
        0,
        COLUMNS - 1,
        _label(book, "title", **review_heading(results, book.settings)),
        book.fmt["title"],
    )
    subtitle = _label(book, "subtitle", as_of=results.as_of.isoformat(), source=results.source.name)
    sheet.ws.merge_range(1, 0, 1, COLUMNS - 1, subtitle, book.fmt["subtitle"])
    row = _write_tiles(book, sheet, _tiles(book, results, keys), 3)
    row = _middle(book, sheet, results, row + 1)
    row = _decisions(book, sheet, results, row + 1)
    if results.owners is not None:
        row = _owners(book, sheet, results.owners, row + 1)
    for col in range(COLUMNS):
        sheet.widths[col] = book.width("dashboard_column")
    sheet.one_page = True
    sheet.finish(None, COLUMNS - 1, filter_=False)
    sheet.ws.hide_gridlines(2)


# -- tiles ---------------------------------------------------------------------------------------------
def _tiles(book: Book, results: Results, keys: KeyCells) -> list[Tile]:
    tiles: list[Tile] = []
    if results.receivables is not None:
        tiles += _collection_tiles(book, results, keys)
    if results.pnl is not None and results.pnl.summary["last_month"] is not None:
        tiles += _pnl_tiles(book, results, keys)
    tiles += _plan_form_tiles(book, results)
    return tiles[: COLUMNS // TILE_COLS]  # one row of tiles: the page's width holds six


def _plan_form_tiles(book: Book, results: Results) -> list[Tile]:
    """The targets breakdown's attainment to date and the plan review's indicators behind, when the
    workbook has those forms (营销目标及分解, 月度计划审查): the strategy workbook's key figures."""
    tiles = []
    targets = results.targets
    if targets is not None and len(targets.by_month):
        known = targets.by_month[targets.by_month["actual"].notna()]
        plan, actual = float(known["plan"].sum()), float(known["actual"].sum())
        if len(known) and plan:
            tile = Tile(_target_tile_label(book, targets), actual / plan, "percent")
            text = _label(book, "notes.target_to_date", plan=_money(plan), actual=_money(actual))
            tile.notes.append((text, rate_tone(book.settings, actual / plan)))
            tile.notes += _target_second_note(book, results, targets, plan)
            tiles.append(tile)
    review = results.review
    if review is not None and review.counted:
        line = f"{book.settings.get('forms.review.behind_below'):.0%}"
        tile = Tile(_label(book, "tiles.review_behind"), f"{review.behind}/{review.counted}", "text")
        text = _label(book, "notes.review_behind_rule", line=line)  # what the count is, not the count again
        tile.notes.append((text, "bad" if review.behind else "good"))
        late = review.rows[review.rows["behind"] == True]  # noqa: E712 (an object column: True, False, None)
        names = book.label("ui.list_sep").join(
            f"{row['indicator']} {row['attainment']:.1%}" for row in late.to_dict("records")
        )
        if names:
            tile.notes.append((names, ""))
        tiles.append(tile)
    return tiles


def _target_tile_label(book: Book, targets: Targets) -> str:
    """The targets tile named with the period its targets cover (第1季度营销目标达成): beside the P&L's
    revenue plan to date the reader must see the two are different figures."""
    kind, number = targets.period
    if kind in ("year", "quarter"):
        period = _label(book, f"periods.{kind}", number=number)
    elif kind == "half":
        period = _label(book, f"periods.half{number}")
    elif kind == "months" and targets.months:
        first, last = (
            book.label(f"values.month.{month}") for month in (min(targets.months), max(targets.months))
        )
        period = _label(book, "periods.months", first=first, last=last)
    else:
        return _label(book, "tiles.target_attainment")
    return _label(book, "tiles.target_attainment_of", period=period)


def _target_second_note(book: Book, results: Results, targets: Targets, plan: float) -> list[tuple[str, str]]:
    """The tile's second line: how far the targets to date are from the P&L's revenue plan to date (when
    the actuals are the P&L's, so the months are the same and the two figures sit side by side), else
    the targets' total when it is more than the months to date; nothing that repeats the first line."""
    if targets.source == "pnl" and results.pnl is not None:
        revenue_plan = float(results.pnl.summary["revenue_plan_to_date"])
        if round(plan - revenue_plan):
            return [(_label(book, "notes.target_vs_pnl", amount=_money(abs(plan - revenue_plan))), "")]
    if round(targets.total - plan):
        return [(_label(book, "notes.target_year", amount=_money(targets.total)), "")]
    return []


def _linked(keys: KeyCells, key: str) -> str | None:
    found = keys.get(key)
    return None if found is None else ref(found.sheet, found.row, found.col, True)


def _collection_tiles(book: Book, results: Results, keys: KeyCells) -> list[Tile]:
    """Plan and actual to date, their variance (a formula over the two tiles) and the rate."""
    assert results.receivables is not None
    summary = results.receivables.summary
    plan, actual = float(summary["plan_to_date"]), float(summary["actual_to_date"])
    money = book.settings
    this, last = last_two(results.receivables.by_month, "actual", results.receivables.last_period)
    plan_tile = Tile(
        _label(book, "tiles.collections_plan"), plan, "money", _linked(keys, "receivables.plan_to_date")
    )
    plan_tile.notes.append((_label(book, "notes.year_plan", amount=_money(summary["plan"])), ""))
    unplanned = float(summary["total_owed"]) - float(summary["plan"])
    if unplanned > 0:  # owed but in no month's plan: the year's plan and the balance differ by it
        plan_tile.notes.append((_label(book, "notes.unplanned", amount=_money(unplanned)), ""))
    actual_tile = Tile(
        _label(book, "tiles.collections_actual"), actual, "money", _linked(keys, "receivables.actual_to_date")
    )
    if this is not None:
        actual_tile.notes.append(_month_note(book, this, last))
    variance = Tile(_label(book, "tiles.collections_variance"), actual - plan, "signed_money", "VARIANCE")
    variance.notes.append((_signed_pct(actual - plan, plan), variance_tone(money, actual - plan, plan)))
    variance.notes.append((_label(book, "notes.balance", amount=_money(summary["balance"])), ""))
    rate = summary["collection_rate"]
    rate_tile = Tile(
        _label(book, "tiles.collection_rate"), rate, "percent", _linked(keys, "receivables.collection_rate")
    )
    rate_tile.notes.append(
        (
            _label(book, "notes.rate_rule", behind=f"{money.get('formats.behind_below'):.0%}"),
            rate_tone(money, rate),
        )
    )
    previous = previous_trend(results, "collection_rate")
    if previous is None:
        previous = last_two(results.receivables.by_month, "cum_rate", results.receivables.last_period)[1]
    if rate is not None and previous is not None:
        rate_tile.notes.append(_points_note(book, rate, previous))
    return [plan_tile, actual_tile, variance, rate_tile]


def _pnl_tiles(book: Book, results: Results, keys: KeyCells) -> list[Tile]:
    """Revenue and profit to date against plan to date, and this month against last month."""
    assert results.pnl is not None
    summary, months = results.pnl.summary, results.pnl.months
    out = []
    for figure, key in (("revenue", "pnl.revenue_actual"), ("profit", "pnl.profit_actual")):
        actual, plan = float(summary[f"{figure}_actual"]), float(summary[f"{figure}_plan_to_date"])  # type: ignore[literal-required]
        tile = Tile(_label(book, f"tiles.{figure}"), actual, "money", _linked(keys, key))
        text = _label(
            book,
            "notes.vs_plan",
            plan=_money(plan),
            variance=_signed(actual - plan),
            pct=_signed_pct(actual - plan, plan),
        )
        tile.notes.append((text, variance_tone(book.settings, actual - plan, plan)))
        this, last = last_two(months, f"{figure}_actual", results.pnl.last_period)
        if this is not None:
            tile.notes.append(_month_note(book, this, last))
        out.append(tile)
    return out


def _write_tiles(book: Book, sheet: Sheet, tiles: Sequence[Tile], top: int) -> int:
    """Each tile two columns wide: label, value, then its notes; returns the row under them."""
    if not tiles:
        return top
    for index, tile in enumerate(tiles):
        col = index * TILE_COLS
        sheet.ws.merge_range(top, col, top, col + 1, tile.label, book.fmt["tile_label"])
        look = f"tile_{'money' if tile.fmt == 'text' else tile.fmt}"  # text in the figures' look
        sheet.ws.merge_range(top + 1, col, top + 1, col + 1, "", book.fmt[look])
        if isinstance(tile.value, str):
            sheet.text(top + 1, col, tile.value, look, fit=False)
        elif tile.formula == "VARIANCE":  # actual − plan, over the two tiles before it
            formula = f"{cell(top + 1, col - TILE_COLS)}-{cell(top + 1, col - 2 * TILE_COLS)}"
            sheet.formula(top + 1, col, formula, tile.value, look)
        elif tile.formula:
            sheet.formula(top + 1, col, tile.formula, tile.value, look)
        else:
            sheet.number(top + 1, col, tile.value, look)
        for line in range(2):
            text, tone = tile.notes[line] if line < len(tile.notes) else ("", "")
            sheet.ws.merge_range(
                top + 2 + line,
                col,
                top + 2 + line,
                col + 1,
                text,
                book.fmt[f"tile_note{'_' + tone if tone else ''}"],
            )
    sheet.ws.set_row(top + 1, book.settings.get("formats.dashboard.value_row"))
    return top + 4


def _month_note(book: Book, this: float, last: float | None) -> tuple[str, str]:
    if last is None or not last:
        return _label(book, "notes.month", amount=_money(this)), ""
    change = (this - last) / abs(last)
    arrow = "▲" if change > 0 else "▼" if change < 0 else "="
    text = _label(book, "notes.month_vs_last", amount=_money(this), change=f"{arrow} {abs(change):.1%}")
    return text, "good" if change > 0 else "bad" if change < 0 else ""


def _points_note(book: Book, rate: float, previous: float) -> tuple[str, str]:
    points = (rate - previous) * 100
    arrow = "▲" if points > 0.05 else "▼" if points < -0.05 else "="
    text = _label(book, "notes.rate_vs_last", change=f"{arrow} {abs(points):.1f}", previous=f"{previous:.1%}")
    return text, "good" if arrow == "▲" else "bad" if arrow == "▼" else ""


def _money(value: Any) -> str:
    return f"{float(value):,.0f}"


def _signed(value: float) -> str:
    return f"{value:+,.0f}".replace("-", "−")


def _signed_pct(variance: float, plan: float) -> str:
    return f"{variance / abs(plan):+.1%}".replace("-", "−") if plan else "—"


# -- collections chart and the funnel ------------------------------------------------------------------
def _middle(book: Book, sheet: Sheet, results: Results, top: int) -> int:
    """Collections by month (left) and the funnel with its health (right); returns the row under both."""
    bottom = top
    if results.receivables is not None:
        bottom = max(bottom, _collections_chart(book, sheet, results.receivables.by_month, top))
    if results.funnel is not None and results.health is not None:
        col = FUNNEL_COL if bottom > top else 0  # beside the collections chart, or in its place
        bottom = max(bottom, _funnel(book, sheet, results, top, col))
    return bottom


def _collections_chart(book: Book, sheet: Sheet, by_month: pd.DataFrame, top: int) -> int:
    months = [book.label(f"values.month.{int(month)}") for month in by_month["month"]]
    plan, actual = by_month["plan"].tolist(), by_month["actual"].tolist()
    if not has_data(plan + actual):
        return top
    first, last = top + 1, top + len(months)
    sheet.text_column(first, HIDDEN, months, fit=False)
    sheet.number_column(first, HIDDEN + 1, plan, blanks=False)
    sheet.number_column(first, HIDDEN + 2, actual, blanks=False)
    sheet.text(top, HIDDEN + 1, book.heading("plan"), fit=False)
    sheet.text(top, HIDDEN + 2, book.heading("actual"), fit=False)
    for col in range(HIDDEN, HIDDEN + 3):
        sheet.hide_column(col)
    chart = book.add_chart("column")
    for col, colour in ((HIDDEN + 1, book.colours["plan"]), (HIDDEN + 2, book.colours["actual"])):
        series = [sheet.name, first, col, last, col]
        chart.add_series(
            {
                "name": [sheet.name, top, col],
                "categories": [sheet.name, first, HIDDEN, last, HIDDEN],
                "values": series,
                "fill": {"color": colour},
            }
        )
    chart.set_title({"name": _label(book, "collections_chart"), "name_font": {"size": 11}})
    chart.set_x_axis({"name": book.heading("month")})
    gridlines = {"visible": True, "line": {"color": book.colours["gridlines"]}}
    chart.set_y_axis(book.value_axis("collections", "money_axis", plan + actual, major_gridlines=gridlines))
    chart.set_legend({"position": "bottom"})
    chart.show_hidden_data()
    spec = book.chart_spec("dashboard_collections")
    sheet.chart(top, 0, chart, spec["width"], spec["height"])
    return top + chart_rows(spec["height"])


def _funnel(book: Book, sheet: Sheet, results: Results, top: int, col: int) -> int:
    """Count, amount and weighted amount per class, A at the top; the health and its rule under them."""
    assert results.funnel is not None and results.health is not None
    funnel, (grade, rule) = results.funnel, results.health
    last = col + FUNNEL_WIDTH - 1
    sheet.ws.merge_range(top, col, top, last, _label(book, "funnel"), book.fmt["key"])
    sheet.headings(top + 1, ("class", "count", "amount", "weighted_amount"), col)
    sheet.ws.merge_range(
        top + 1, col + 3, top + 1, col + 4, book.heading("weighted_amount"), book.fmt["header"]
    )
    peak = int(funnel["count"].max()) if len(funnel) else 0
    for row, klass in enumerate(CLASSES, top + 2):
        count = int(funnel.at[klass, "count"])
        sheet.text(row, col, book.label(f"values.class.{klass}"), fit=False)
        sheet.number(row, col + 1, count, "int")
        sheet.number(row, col + 2, float(funnel.at[klass, "amount"]))
        sheet.ws.merge_range(row, col + 3, row, col + 4, "", book.fmt["money"])
        sheet.number(row, col + 3, float(funnel.at[klass, "weighted"]))
        sheet.number(row, HIDDEN + 3, (peak - count) / 2, "number")
    sheet.hide_column(HIDDEN + 3)
    total = top + 2 + len(CLASSES)
    sheet.text(total, col, book.label("ui.total"), "total_label")
    sheet.number(total, col + 1, int(funnel["count"].sum()), "total_number")
    sheet.number(total, col + 2, float(funnel["amount"].sum()), "total_money")
    sheet.ws.merge_range(total, col + 3, total, col + 4, "", book.fmt["total_money"])
    sheet.number(total, col + 3, float(funnel["weighted"].sum()), "total_money")
    stuck_share = (results.history or {}).get("stuck_share")
    verdict = _label(
        book,
        "health",
        grade=health_label(book.settings, grade, rule),
        rule=health_note(book.settings, rule, stuck_share),
    )
    tone = {"excellent": "good_text", "good": "warn_text"}.get(grade, "bad_text")
    sheet.ws.merge_range(total + 1, col, total + 2, last, verdict, book.fmt[f"dashboard_{tone}"])
    _funnel_chart(book, sheet, top + 2, total + 3, col)
    return total + 3 + chart_rows(book.chart_spec("dashboard_funnel")["height"])


def _funnel_chart(book: Book, sheet: Sheet, first: int, at: int, col: int) -> None:
    """The funnel drawn as the course draws it: A at the top, bars centred by an invisible offset."""
    name, last = sheet.name, first + len(CLASSES) - 1
    classes = [name, first, col, last, col]
    chart = book.add_chart("bar", "stacked")
    chart.add_series(
        {
            "categories": classes,
            "values": [name, first, HIDDEN + 3, last, HIDDEN + 3],
            "fill": {"none": True},
            "border": {"none": True},
        }
    )
    labels = {
        "value": True,
        "position": "center",
        "font": {"color": book.colours["funnel_labels"], "bold": True},
    }
    chart.add_series(
        {
            "categories": classes,
            "values": [name, first, col + 1, last, col + 1],
            "fill": {"color": book.colours["funnel"]},
            "gap": book.style["funnel_gap"],
            "data_labels": labels,
        }
    )
    chart.set_title({"name": book.label("report.charts.funnel"), "name_font": {"size": 9}})
    chart.set_legend({"none": True})
    chart.show_hidden_data()
    chart.set_x_axis({"visible": False, "min": 0, "major_gridlines": {"visible": False}})
    chart.set_y_axis({"reverse": True})
    spec = book.chart_spec("dashboard_funnel")
    sheet.chart(at, col, chart, spec["width"], spec["height"])


# -- decisions and salespeople -------------------------------------------------------------------------
def _decisions(book: Book, sheet: Sheet, results: Results, top: int) -> int:
    """The first ``decisions.top`` lines of decisions, a customer's together (``decision_groups``): rank,
    severity (its heaviest), the sentences one under the other, and the input cells as text."""
    settings = book.settings
    groups = decision_groups(results.decisions, int(settings.get("decisions.top")))
    covered = sum(len(group) for group in groups)
    title = (
        _label(book, "decisions_grouped", shown=len(groups), covered=covered, count=len(results.decisions))
        if groups
        else book.label("decisions.title")
    )
    sheet.ws.merge_range(top, 0, top, COLUMNS - 1, title, book.fmt["key"])
    if not groups:
        sheet.ws.merge_range(top + 1, 0, top + 1, COLUMNS - 1, book.label("decisions.none"), book.fmt["text"])
        return top + 2
    sheet.header(top + 1, ["#", _label(book, "cols.severity")])
    first, last = DECISION_TEXT
    sheet.ws.merge_range(top + 1, first, top + 1, last, _label(book, "cols.decision"), book.fmt["header"])
    sheet.ws.merge_range(
        top + 1, last + 1, top + 1, COLUMNS - 1, _label(book, "cols.where"), book.fmt["header"]
    )
    width = (last - first + 1) * book.width("dashboard_column")
    for rank, group in enumerate(groups, 1):
        row = top + 1 + rank
        severity = group[0].severity(settings)  # ranked: the first is the heaviest
        sheet.number(row, 0, rank, "decision_rank")
        sheet.text(row, 1, book.label(f"decisions.severity.{severity}"), f"decision_{severity}", fit=False)
        texts = [sentence(decision, settings) for decision in group]
        sheet.ws.merge_range(row, first, row, last, "\n".join(texts), book.fmt["wrap"])
        sheet.ws.merge_range(row, last + 1, row, COLUMNS - 1, decision_where(group), book.fmt["wrap"])
        lines = sum(max(1, math.ceil(display_width(text) * TEXT_NARROWING / (width - 2))) for text in texts)
        sheet.ws.set_row(row, LINE_HEIGHT * lines + ROW_PADDING)
    return top + 2 + len(groups)


def _owners(book: Book, sheet: Sheet, owners: pd.DataFrame, top: int) -> int:
    """A row per salesperson (负责人): collections, pipeline, P1 customers, plan attainment, hours. A column
    no salesperson has a figure in (no monthly plan, no to-do list by owner) is left out, and a line under
    the table says which and why, once; the header row is as tall as its longest wrapped heading."""
    shown = [(name, fmt) for name, fmt in OWNER_COLUMNS if fmt == "text" or _has_figure(owners, name)]
    left_out = [name for name, _ in OWNER_COLUMNS if (name, _) not in shown]
    sheet.ws.merge_range(top, 0, top, COLUMNS - 1, _label(book, "owners"), book.fmt["key"])
    headings = [_label(book, f"cols.{name}") for name, _ in shown]
    sheet.header(top + 1, headings)
    width = book.width("dashboard_column") - 1  # a cell's padding
    lines = max(math.ceil(display_width(text) / width) for text in headings)
    sheet.ws.set_row(top + 1, LINE_HEIGHT * lines + ROW_PADDING)
    for row, owner in enumerate(owners.to_dict("records"), top + 2):
        for col, (name, fmt) in enumerate(shown):
            value = owner.get(name)
            if fmt == "text":
                sheet.text(row, col, value, fit=False)
            else:
                sheet.number(row, col, value, fmt)
    bottom = top + 2 + len(owners)
    if left_out:
        columns = book.label("ui.list_sep").join(_label(book, f"cols.{name}") for name in left_out)
        note = _label(book, "notes.owners_left_out", columns=columns)
        sheet.ws.merge_range(bottom, 0, bottom, COLUMNS - 1, note, book.fmt["note"])
        bottom += 1
    return bottom


def _has_figure(owners: pd.DataFrame, name: str) -> bool:
    """Whether any salesperson has a figure in the column (a column of blanks says nothing)."""
    return name in owners and bool(pd.to_numeric(owners[name], errors="coerce").notna().any())
