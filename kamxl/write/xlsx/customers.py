"""客户分级 · 销售漏斗 · 行动: the customers' tiers, the funnel and the manager's priorities."""

from __future__ import annotations

import pandas as pd
from xlsxwriter.utility import quote_sheetname

from kamxl.calc.funnel import CLASSES
from kamxl.write.words import actions_text, health_text, value_label
from kamxl.issues import column_letter as col_letter
from kamxl.write.xlsx.book import Book, cell, column_of, is_blank, quote, rng
from kamxl.write.xlsx.matrix import add_matrix_guides, matrix_helper

PRIORITY_ORDER = {"P1": 0, "P2": 1, "P3": 2, "P4": 3}


def write_priorities(book: Book, customers: pd.DataFrame) -> dict:
    """Every customer, P1 first, with its playbook actions; returns the ranges the funnel sheet counts."""
    sh = book.add("priorities")
    L = lambda k: book.label(f"report.cols.{k}")  # noqa: E731
    r0 = sh.title(book.label("report.titles.priorities"), book.label("report.notes.priorities"))
    cols = [
        "priority",
        "customer",
        "project",
        "owner",
        "tier",
        "class",
        "score",
        "order_size",
        "likelihood",
        "status",
        "amount",
        "probability",
        "weighted_amount",
        "actions",
    ]
    sh.header(r0, [L(c) for c in cols])
    data = customers.assign(
        _p=customers["priority"].map(PRIORITY_ORDER).fillna(9), _a=-customers["amount"].fillna(0)
    )
    data = data.sort_values(["_p", "class", "_a"], kind="stable", na_position="last")
    probability = book.settings.get("funnel.win_probability")
    st, first, n = book.settings, r0 + 1, len(data)
    col = lambda name: column_of(data, name)  # noqa: E731
    labels = lambda vocab, name: [value_label(st, vocab, v) for v in col(name)]  # noqa: E731
    is_open = col("open")
    sh.text_column(first, 0, col("priority"))
    sh.text_column(first, 1, col("customer"))
    sh.text_column(first, 2, col("project"))
    sh.text_column(first, 3, col("owner"))
    sh.text_column(first, 4, labels("tier", "tier"))
    sh.text_column(first, 5, col("class"))
    sh.number_column(first, 6, [v if o else None for v, o in zip(col("score"), is_open)], "score")
    sh.text_column(first, 7, labels("order_size", "order_size"))
    sh.text_column(first, 8, labels("likelihood", "likelihood"))
    sh.text_column(first, 9, labels("status", "status"))
    sh.number_column(first, 10, col("amount"))
    sh.number_column(
        first,
        11,
        [
            probability.get(lk) if o and not is_blank(lk) else None
            for lk, o in zip(col("likelihood"), is_open)
        ],
        "percent",
    )
    amount, prob = col_letter(10), col_letter(11)
    sh.formula_column(
        first,
        12,
        [
            f'IF(OR({amount}{k}="",{prob}{k}=""),"",{amount}{k}*{prob}{k})'
            for k in range(first + 1, first + n + 1)
        ],
        col("weighted_amount"),
    )
    sh.text_column(first, 13, [actions_text(st, a) for a in col("actions")], "wrap", fit=False)
    r = r0 + n
    sh.widths[13] = 44
    last = max(r, r0 + 1)
    sh.finish(r0, len(cols) - 1, last, freeze_cols=2)
    sh.ws.conditional_format(
        r0 + 1,
        0,
        last,
        0,
        {"type": "cell", "criteria": "==", "value": quote("P1"), "format": book.fmt["good"]},
    )
    return {
        "sheet": sh.name,
        "class": (r0 + 1, 5, last),
        "amount": (r0 + 1, 10, last),
        "weighted": (r0 + 1, 12, last),
    }


def write_funnel(book: Book, results, ranges: dict) -> None:
    """Counts and amounts per class as COUNTIF/SUMIF over the priorities sheet, a funnel-shaped chart, the health grade."""
    sh = book.add("funnel")
    L = lambda k: book.label(f"report.cols.{k}")  # noqa: E731
    r0 = sh.title(book.label("report.titles.funnel"))
    funnel = results.funnel
    grade, rule = results.health
    s = book.settings
    rule_text = health_text(book.settings, rule)
    sh.text(r0, 0, L("health"), "key")
    sh.ws.merge_range(r0, 1, r0, 5, f"{s.label(f'values.health.{grade}')} — {rule_text}", book.fmt["text"])
    r = r0 + 2
    sh.header(
        r, [L(c) for c in ("class", "class_label", "count", "share", "amount", "weighted_amount", "offset")]
    )
    cls_rng = rng(*ranges["class"][:2], ranges["class"][2], ranges["class"][1], absolute=True)
    amt = rng(
        ranges["amount"][0], ranges["amount"][1], ranges["amount"][2], ranges["amount"][1], absolute=True
    )
    wtd = rng(
        ranges["weighted"][0],
        ranges["weighted"][1],
        ranges["weighted"][2],
        ranges["weighted"][1],
        absolute=True,
    )
    other = ranges["sheet"]
    first = r + 1
    total_row = first + len(CLASSES)
    n = int(funnel["count"].sum())
    peak = int(funnel["count"].max()) if len(funnel) else 0
    for i, c in enumerate(CLASSES):
        rr = first + i
        sh.text(rr, 0, c)
        sh.text(rr, 1, s.label(f"values.class.{c}"))
        sh.formula(
            rr,
            2,
            f"COUNTIF({quote_sheetname(other)}!{cls_rng},{quote(c)})",
            int(funnel.at[c, "count"]),
            "int",
        )
        sh.formula(
            rr,
            3,
            f'IF({cell(total_row, 2)}=0,"",{cell(rr, 2)}/{cell(total_row, 2)})',
            funnel.at[c, "count"] / n if n else None,
            "percent",
        )
        sh.formula(
            rr,
            4,
            f"SUMIF({quote_sheetname(other)}!{cls_rng},{quote(c)},{quote_sheetname(other)}!{amt})",
            float(funnel.at[c, "amount"]),
        )
        sh.formula(
            rr,
            5,
            f"SUMIF({quote_sheetname(other)}!{cls_rng},{quote(c)},{quote_sheetname(other)}!{wtd})",
            float(funnel.at[c, "weighted"]),
        )
        # the funnel's shape: an invisible bar of half the gap centres each class's bar
        sh.formula(
            rr,
            6,
            f"(MAX({rng(first, 2, first + 3, 2, True)})-{cell(rr, 2)})/2",
            (peak - int(funnel.at[c, "count"])) / 2,
            "number",
        )
    sh.text(total_row, 0, book.label("ui.total"), "total_label")
    sh.text(total_row, 1, None, "total_label")
    sh.formula(total_row, 2, f"SUM({rng(first, 2, total_row - 1, 2)})", n, "total_number")
    sh.formula(total_row, 3, f'IF({cell(total_row, 2)}=0,"",1)', 1.0 if n else None, "total_percent")
    sh.formula(
        total_row, 4, f"SUM({rng(first, 4, total_row - 1, 4)})", float(funnel["amount"].sum()), "total_money"
    )
    sh.formula(
        total_row,
        5,
        f"SUM({rng(first, 5, total_row - 1, 5)})",
        float(funnel["weighted"].sum()),
        "total_money",
    )
    sh.hide_column(6)
    chart = book.wb.add_chart({"type": "bar", "subtype": "stacked"})
    chart.add_series(
        {
            "name": L("offset"),
            "categories": [sh.name, first, 1, first + 3, 1],
            "values": [sh.name, first, 6, first + 3, 6],
            "fill": {"none": True},
            "border": {"none": True},
        }
    )
    chart.add_series(
        {
            "name": L("count"),
            "categories": [sh.name, first, 1, first + 3, 1],
            "values": [sh.name, first, 2, first + 3, 2],
            "fill": {"color": "#4472C4"},
            "gap": 20,
            "data_labels": {"value": True, "position": "center", "font": {"color": "white", "bold": True}},
        }
    )
    chart.set_title({"name": book.label("report.charts.funnel")})
    chart.set_legend({"none": True})
    chart.show_hidden_data()
    chart.set_x_axis({"visible": False, "major_gridlines": {"visible": False}})
    chart.set_y_axis({"reverse": True})
    sh.chart(total_row + 2, 0, chart, 520, 300)
    sh.finish(first - 1, 5, None, filter_=False, portrait=True)


def write_tiers(book: Book, customers: pd.DataFrame) -> None:
    """The two axis scores and the tier per customer, and the 2×2 matrix as a native scatter chart."""
    sh = book.add("tiers")
    L = lambda k: book.label(f"report.cols.{k}")  # noqa: E731
    r0 = sh.title(
        book.label("report.titles.tiers"),
        book.label("report.notes.tiers", threshold=f"{book.settings.get('tier.high_threshold'):g}"),
    )
    cols = ["customer", "owner", "attractiveness", "advantage", "tier", "source", "actions"]
    sh.header(r0, [L(c) for c in cols])
    data = (
        customers.drop_duplicates("customer")
        .assign(_t=lambda d: d["tier"].fillna(9))
        .sort_values(["_t", "customer"], kind="stable")
    )
    st, first, n = book.settings, r0 + 1, len(data)
    col = lambda name: column_of(data, name)  # noqa: E731
    sh.text_column(first, 0, col("customer"))
    sh.text_column(first, 1, col("owner"))
    for c, axis in ((2, "attractiveness"), (3, "advantage")):
        scores, levels = col(axis), col(f"{axis}_level")
        if any(
            is_blank(v) and not is_blank(lv) for v, lv in zip(scores, levels)
        ):  # "高" / "低" given instead of a score
            for r, (v, lv) in enumerate(zip(scores, levels), first):
                if is_blank(v) and not is_blank(lv):
                    sh.text(r, c, book.label(f"values.high_low.{lv}"))
                else:
                    sh.number(r, c, v, "score")
        else:
            sh.number_column(first, c, scores, "score")
    sh.text_column(first, 4, [value_label(st, "tier", t) for t in col("tier")])
    sh.text_column(
        first,
        5,
        [
            " / ".join(book.label(f"report.source.{x}") for x in pair if not is_blank(x))
            for pair in zip(col("attractiveness_source"), col("advantage_source"))
        ],
    )
    sh.text_column(first, 6, [actions_text(st, a) for a in col("actions")], "wrap", fit=False)
    # each tier's rows with both scores, for its chart series (rows are sorted by tier)
    spans: dict[int, tuple[int, int]] = {}
    for r, (t, a, b) in enumerate(zip(col("tier"), col("attractiveness"), col("advantage")), first):
        if not is_blank(t) and not is_blank(a) and not is_blank(b):
            lo, _ = spans.get(int(t), (r, r))
            spans[int(t)] = (lo, r)
    r = r0 + n
    sh.widths[6] = 44
    last = max(r, r0 + 1)
    # helper cells: the 3.0 lines and where the tier names sit (tier 1: both high; 2: attractive, weak advantage; 3: the opposite)
    hr = last + 3
    th = book.settings.get("tier.high_threshold")
    lo, hi = book.settings.get("tier.score_min"), book.settings.get("tier.score_max")
    lines_row, names_row = matrix_helper(
        sh,
        hr,
        lo,
        hi,
        th,
        [
            (book.label(f"values.tier.{t}"), x, y)
            for t, x, y in ((1, True, True), (2, False, True), (3, True, False), (4, False, False))
        ],
        L("chart_helper"),
    )
    chart = book.wb.add_chart({"type": "scatter"})
    colours = {1: "#2E7D32", 2: "#1565C0", 3: "#EF6C00", 4: "#757575"}
    labelled = sum(b - a + 1 for a, b in spans.values()) <= book.settings.get(
        "charts.max_labels"
    )  # names on a crowded chart say nothing
    for t, (a, b) in sorted(spans.items()):
        chart.add_series(
            {
                "name": book.label(f"values.tier.{t}"),
                "categories": [sh.name, a, 3, b, 3],
                "values": [sh.name, a, 2, b, 2],
                "marker": {
                    "type": "circle",
                    "size": 8,
                    "fill": {"color": colours[t]},
                    "border": {"color": colours[t]},
                },
                **(
                    {
                        "data_labels": {
                            "custom": [
                                {"value": f"={quote_sheetname(sh.name)}!{cell(rr, 0, True, True)}"}
                                for rr in range(a, b + 1)
                            ],
                            "position": "right",
                            "font": {"size": 8},
                        }
                    }
                    if labelled
                    else {}
                ),
            }
        )
    add_matrix_guides(book, chart, sh.name, lines_row, names_row)
    chart.set_title({"name": book.label("report.charts.tiers")})
    chart.set_x_axis(
        {"name": L("advantage"), "min": lo, "max": hi, "major_unit": 1, "major_gridlines": {"visible": False}}
    )
    chart.set_y_axis(
        {
            "name": L("attractiveness"),
            "min": lo,
            "max": hi,
            "major_unit": 1,
            "major_gridlines": {"visible": False},
        }
    )
    chart.set_legend({"position": "bottom", "delete_series": list(range(len(spans), len(spans) + 3))})
    sh.chart(hr, 4, chart, 620, 460)  # under the table, beside its helper cells: the page stays one wide
    sh.ws.set_h_pagebreaks([hr - 1])  # and the chart starts a page rather than being cut by one
    sh.finish(r0, len(cols) - 1, last)
