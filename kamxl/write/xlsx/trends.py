"""趋势 Trends: month over month from the history — funnel counts, collections, profit; the funnel's movement.

Only a history (``--history``) gives this sheet: one row per month filed,
three line charts over them, and what moved since last month.
"""

from __future__ import annotations

from typing import Any

from kamxl.calc.funnel import CLASSES
from kamxl.write.words import class_label, move_tone, trend_health
from kamxl.write.xlsx.book import Book, Sheet, cell, chart_rows, has_data, records, rng

TREND_COLUMNS = (
    "period",
    *CLASSES,
    "open",
    "collection_rate",
    "profit_plan",
    "profit_actual",
    "profit_variance",
    "health",
)
OPEN_COL, RATE_COL, PLAN_COL, ACTUAL_COL, VARIANCE_COL, HEALTH_COL = range(5, 11)
HEAD = 3


def write_trends(book: Book, history: dict[str, Any]) -> None:
    """The trend table with live totals and variances, three line charts, the movement since last month."""
    sheet = book.add("trends")
    previous = history["previous_period"]
    sheet.title(
        book.label("report.titles.trends", region=history["region"], period=history["period"]),
        book.label("report.notes.trends", previous=previous or "—"),
    )
    sheet.header(
        HEAD, [book.heading(col) if col not in CLASSES else _class(book, col) for col in TREND_COLUMNS]
    )
    last = _trend_rows(book, sheet, history["trends"])
    spec = book.chart_spec("trends")
    charts_row = last + spec["rows_below"]
    _trend_charts(book, sheet, history["trends"], last, charts_row)
    row = charts_row + chart_rows(spec["height"]) + spec["rows_after"]
    if history.get("movement") is not None:
        row = _movement(book, sheet, history, row)
    if history.get("stuck") is not None:
        _stuck(book, sheet, history["stuck"], row)
    sheet.finish(HEAD, len(TREND_COLUMNS) - 1, None, filter_=False)


def _class(book: Book, code: str) -> str:
    return book.label(f"values.class.{code}")


def _trend_rows(book: Book, sheet: Sheet, trends: Any) -> int:
    """A row per month filed; the open count and the profit variance as formulas. Returns the last row."""
    first = HEAD + 1
    for row, month in enumerate(records(trends), first):
        sheet.text(row, 0, month["period"])
        counts = [month[klass] for klass in CLASSES]
        for col, count in enumerate(counts, 1):
            sheet.number(row, col, count, "int")
        known_counts = any(count is not None and count == count for count in counts)
        total = sum(count or 0 for count in counts) if known_counts else 0
        sheet.formula(row, OPEN_COL, f"SUM({rng(row, 1, row, len(CLASSES))})", total, "int")
        sheet.number(row, RATE_COL, month["collection_rate"], "percent")
        plan, actual = month["profit_plan"], month["profit_actual"]
        sheet.number(row, PLAN_COL, plan)
        sheet.number(row, ACTUAL_COL, actual)
        known = plan is not None and actual is not None and plan == plan and actual == actual
        plan_cell, actual_cell = cell(row, PLAN_COL), cell(row, ACTUAL_COL)
        variance = f'IF(OR({plan_cell}="",{actual_cell}=""),"",{actual_cell}-{plan_cell})'
        sheet.formula(row, VARIANCE_COL, variance, actual - plan if known else None, "signed_money")
        # 优 judged without enough history reads 优(未判断停滞), as the funnel sheet says it
        sheet.text(row, HEALTH_COL, trend_health(book.settings, month["health"], month.get("health_rule")))
    return first + max(len(trends), 1) - 1


def _trend_charts(book: Book, sheet: Sheet, trends: Any, last: int, row: int) -> None:
    """Up to three line charts side by side: the classes' counts, the collection rate, profit planned and
    actual; a chart whose figures the history does not hold (a single form's reviews) is left out."""
    colours, style, spec = book.colours, book.style, book.chart_spec("trends")
    charts = [
        (
            "trend_funnel",
            [(col, colours["classes"][klass]) for col, klass in enumerate(CLASSES, 1)],
            ("count_axis", "opportunities"),
        ),
        ("trend_collection", [(RATE_COL, colours["rate"])], ("rate_axis", "rate")),
        (
            "trend_profit",
            [(PLAN_COL, colours["plan"]), (ACTUAL_COL, colours["actual"])],
            ("money_axis", "profit"),
        ),
    ]
    name, first = sheet.name, HEAD + 1
    drawn = [
        (key, series, axis, [value for col, _ in series for value in trends[TREND_COLUMNS[col]]])
        for key, series, axis in charts
    ]
    drawn = [chart for chart in drawn if has_data(chart[3])]
    for index, (key, series, (axis, title), figures) in enumerate(drawn):
        chart = book.add_chart("line")
        for col, colour in series:
            chart.add_series(
                {
                    "name": [name, HEAD, col],
                    "categories": [name, first, 0, last, 0],
                    "values": [name, first, col, last, col],
                    "line": {"color": colour, "width": style["trend_line_width"]},
                    "marker": {"type": "circle", "fill": {"color": colour}, "border": {"color": colour}},
                }
            )
        chart.set_title({"name": book.label(f"report.charts.{key}")})
        gridlines = {"visible": True, "line": {"color": colours["gridlines"]}}
        chart.set_y_axis(book.value_axis(title, axis, figures, major_gridlines=gridlines))
        chart.set_legend({"position": "bottom"})
        sheet.place_chart(row, chart, "trends", col=0, x_offset=index * (spec["width"] + spec["gap_px"]))


def _movement(book: Book, sheet: Sheet, history: dict[str, Any], row: int) -> int:
    """Each customer's class last month and now, the conversion from class to class; returns the next row."""
    title = book.label(
        "report.titles.movement", previous=history["previous_period"], period=history["period"]
    )
    sheet.text(row, 0, title, "key", fit=False)
    row += 1
    sheet.headings(row, ["customer", "project", "previous_class", "current_class", "move"])
    for move in records(history["movement"]):
        row += 1
        sheet.text(row, 0, move["customer"])
        sheet.text(row, 1, move["project"] if isinstance(move["project"], str) else None)
        sheet.text(row, 2, class_label(book.settings, move["previous"]))
        sheet.text(row, 3, class_label(book.settings, move["current"]))
        sheet.text(row, 4, book.label(f"values.move.{move['move']}"), move_tone(move["move"]) or "text")
    row += 2
    sheet.headings(row, ["conversion", "conversion_rate"])
    won = book.label("values.move.won")
    for step, rate in history["conversion"].items():
        row += 1
        sheet.text(row, 0, step.replace("won", won))
        sheet.number(row, 1, rate, "percent")
    return row + 2


def _stuck(book: Book, sheet: Sheet, stuck: Any, row: int) -> None:
    """The opportunities in the same class for ``health.stuck_months`` months or more."""
    months = book.settings.get("health.stuck_months")
    sheet.text(row, 0, book.label("report.titles.stuck", months=months), "key", fit=False)
    row += 1
    sheet.headings(row, ["customer", "project", "classes"])
    for opportunity in records(stuck):
        row += 1
        sheet.text(row, 0, opportunity["customer"])
        sheet.text(row, 1, opportunity["project"] if isinstance(opportunity["project"], str) else None)
        sheet.text(row, 2, " → ".join(opportunity["classes"]))
    if stuck.empty:
        sheet.text(row + 1, 0, "—")
