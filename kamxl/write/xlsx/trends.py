"""趋势 Trends: month over month from the history — funnel counts, collections, profit; the funnel's movement."""

from __future__ import annotations

from kamxl.calc.funnel import CLASSES
from kamxl.write.xlsx.book import Book, cell, records, rng

SERIES_COLOURS = {"A": "#2F5597", "B": "#5B9BD5", "C": "#EF6C00", "D": "#A6A6A6"}


def write_trends(book: Book, history: dict) -> None:
    """The trend table with live totals and variances, three line charts, and the movement since last month."""
    sh = book.add("trends")
    L = lambda k: book.label(f"report.cols.{k}")  # noqa: E731
    V = book.label
    sh.title(
        V("report.titles.trends", region=history["region"], period=history["period"]),
        V("report.notes.trends", previous=history["previous_period"] or "—"),
    )
    trends = history["trends"]
    r0 = 3
    cols = [
        "period",
        *CLASSES,
        "open",
        "collection_rate",
        "profit_plan",
        "profit_actual",
        "profit_variance",
        "health",
    ]
    sh.header(r0, [L(c) if c not in CLASSES else V(f"values.class.{c}") for c in cols])
    first = r0 + 1
    for i, t in enumerate(records(trends)):
        r = first + i
        sh.text(r, 0, t["period"])
        for j, c in enumerate(CLASSES):
            sh.number(r, 1 + j, t[c], "int")
        counts = [t[c] for c in CLASSES]
        sh.formula(
            r,
            5,
            f"SUM({rng(r, 1, r, 4)})",
            sum(x or 0 for x in counts) if any(x is not None and x == x for x in counts) else 0,
            "int",
        )
        sh.number(r, 6, t["collection_rate"], "percent")
        sh.number(r, 7, t["profit_plan"])
        sh.number(r, 8, t["profit_actual"])
        plan, actual = t["profit_plan"], t["profit_actual"]
        known = plan is not None and actual is not None and plan == plan and actual == actual
        sh.formula(
            r,
            9,
            f'IF(OR({cell(r, 7)}="",{cell(r, 8)}=""),"",{cell(r, 8)}-{cell(r, 7)})',
            actual - plan if known else None,
        )
        sh.text(r, 10, V(f"values.health.{t['health']}") if isinstance(t["health"], str) else None)
    last = first + max(len(trends), 1) - 1
    cats = [sh.name, first, 0, last, 0]
    charts = [
        ("trend_funnel", [(1 + j, SERIES_COLOURS[c]) for j, c in enumerate(CLASSES)], "0"),
        ("trend_collection", [(6, "#C00000")], "0%"),
        ("trend_profit", [(7, "#A9C4EB"), (8, "#2F5597")], "#,##0"),
    ]
    chart_row = last + 2
    for k, (key, series, num_format) in enumerate(charts):
        chart = book.wb.add_chart({"type": "line"})
        for col, colour in series:
            chart.add_series(
                {
                    "name": [sh.name, r0, col],
                    "categories": cats,
                    "values": [sh.name, first, col, last, col],
                    "line": {"color": colour, "width": 2.25},
                    "marker": {"type": "circle", "fill": {"color": colour}, "border": {"color": colour}},
                }
            )
        chart.set_title({"name": V(f"report.charts.{key}")})
        chart.set_y_axis(
            {"num_format": num_format, "major_gridlines": {"visible": True, "line": {"color": "#E0E0E0"}}}
        )
        chart.set_legend({"position": "bottom"})
        sh.chart(chart_row, k * 5, chart, 400, 260)
    r = chart_row + 15
    moves = history.get("movement")
    if moves is not None:
        sh.text(
            r,
            0,
            V("report.titles.movement", previous=history["previous_period"], period=history["period"]),
            "key",
        )
        r += 1
        sh.header(r, [L(c) for c in ("customer", "project", "previous_class", "current_class", "move")])
        for m in records(moves):
            r += 1
            sh.text(r, 0, m["customer"])
            sh.text(r, 1, m["project"] if isinstance(m["project"], str) else None)
            sh.text(r, 2, _class_text(book, m["previous"]))
            sh.text(r, 3, _class_text(book, m["current"]))
            sh.text(
                r,
                4,
                V(f"values.move.{m['move']}"),
                "good"
                if m["move"] in ("up", "won")
                else "bad"
                if m["move"] in ("down", "lost", "dropped")
                else "text",
            )
        r += 2
        sh.header(r, [L("conversion"), L("conversion_rate")])
        for step, rate in history["conversion"].items():
            r += 1
            sh.text(r, 0, step.replace("won", V("values.move.won")))
            sh.number(r, 1, rate, "percent")
        r += 2
    stuck = history.get("stuck")
    if stuck is not None:
        sh.text(r, 0, V("report.titles.stuck", months=book.settings.get("health.stuck_months")), "key")
        r += 1
        sh.header(r, [L("customer"), L("project"), L("classes")])
        for s in records(stuck):
            r += 1
            sh.text(r, 0, s["customer"])
            sh.text(r, 1, s["project"] if isinstance(s["project"], str) else None)
            sh.text(r, 2, " → ".join(s["classes"]))
        if stuck.empty:
            sh.text(r + 1, 0, "—")
    sh.finish(r0, len(cols) - 1, None, filter_=False)


def _class_text(book: Book, code) -> str | None:
    if not isinstance(code, str):
        return None
    return (
        book.label(f"values.move.{code}") if code in ("won", "lost") else book.label(f"values.class.{code}")
    )
