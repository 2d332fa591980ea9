"""客户分级 · 销售漏斗 · 行动: the customers' tiers, the funnel and the manager's priorities.

The priorities sheet lists every opportunity; the funnel sheet counts it
with COUNTIF/SUMIF, so the two cannot disagree. The tier matrix is a native
scatter chart drawn from the tiers sheet's own columns.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import pandas as pd
from xlsxwriter.utility import quote_sheetname

from kamxl.calc.funnel import CLASSES
from kamxl.issues import column_letter
from kamxl.text import display_width
from kamxl.write.words import (
    action_plan,
    actions_text,
    by_priority,
    counted,
    health_label,
    health_note,
    value_label,
)
from kamxl.write.xlsx.book import (
    LINE_HEIGHT,
    ROW_PADDING,
    Book,
    Sheet,
    cell,
    chart_rows,
    column_of,
    is_blank,
    quote,
    rng,
)
from kamxl.write.xlsx.matrix import add_matrix_guides, matrix_axis, matrix_helper, point_series

PRIORITY_COLUMNS = (
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
)
FUNNEL_COLUMNS = ("class", "class_label", "opportunity_count", "share", "amount", "weighted_amount", "offset")
AMOUNT_COL = PRIORITY_COLUMNS.index("amount")
ACTIONS_COL = PRIORITY_COLUMNS.index("actions")
TIER_COLUMNS = ("customer", "owner", "attractiveness", "advantage", "tier", "source", "actions")
# where each tier's name sits in the matrix: (tier, attractive, strong advantage)
TIER_QUADRANTS = ((1, True, True), (2, False, True), (3, True, False), (4, False, False))


class Counted(NamedTuple):
    """The priorities sheet's rows and the columns the funnel sheet counts and sums."""

    sheet: str
    first: int
    last: int
    class_col: int
    amount_col: int
    weighted_col: int

    def column(self, col: int) -> str:
        """One column of the rows, absolute, on the priorities sheet: '行动'!$F$5:$F$40."""
        return f"{quote_sheetname(self.sheet)}!{rng(self.first, col, self.last, col, True)}"


# -------------------------------------------------------------- priorities ---
def write_priorities(book: Book, customers: pd.DataFrame) -> Counted:
    """Every customer, P1 first, with its playbook actions; returns the columns the funnel sheet counts."""
    sheet = book.add("priorities")
    head = sheet.title(book.label("report.titles.priorities"), book.label("report.notes.priorities"))
    sheet.headings(head, PRIORITY_COLUMNS)
    data = by_priority(customers, ["class"])
    first = head + 1
    _absent_note(book, sheet, data, head - 1)
    _priority_columns(book, sheet, data, first)
    sheet.widths[ACTIONS_COL] = book.width("actions")
    last = max(head + len(data), head + 1)
    sheet.finish(head, len(PRIORITY_COLUMNS) - 1, last, freeze_cols=2)
    p1 = {"type": "cell", "criteria": "==", "value": quote("P1"), "format": book.fmt["good"]}
    sheet.ws.conditional_format(first, 0, last, 0, p1)
    return Counted(sheet.name, first, last, class_col=5, amount_col=AMOUNT_COL, weighted_col=AMOUNT_COL + 2)


def _priority_columns(book: Book, sheet: Sheet, data: pd.DataFrame, first: int) -> None:
    """The table a column at a time: a closed opportunity has no score or win probability."""
    settings = book.settings
    probability = settings.get("funnel.win_probability")

    def col(name: str) -> list[Any]:
        return column_of(data, name)

    def labels(vocab: str) -> list[str | None]:
        return [value_label(settings, vocab, code) for code in col(vocab)]

    is_open = col("open")
    for index, name in enumerate(("priority", "customer", "project", "owner")):
        sheet.text_column(first, index, col(name))
    sheet.text_column(first, 4, labels("tier"))
    sheet.text_column(first, 5, col("class"))
    scores = [score if open_ else None for score, open_ in zip(col("score"), is_open, strict=True)]
    sheet.number_column(first, 6, scores, "score")
    sheet.text_column(first, 7, labels("order_size"))
    sheet.text_column(first, 8, labels("likelihood"))
    sheet.text_column(first, AMOUNT_COL - 1, labels("status"))
    sheet.number_column(first, AMOUNT_COL, col("amount"))
    chances = [
        probability.get(likelihood) if open_ and not is_blank(likelihood) else None
        for likelihood, open_ in zip(col("likelihood"), is_open, strict=True)
    ]
    sheet.number_column(first, AMOUNT_COL + 1, chances, "percent")
    amount, chance = column_letter(AMOUNT_COL), column_letter(AMOUNT_COL + 1)
    weighted = [
        f'IF(OR({amount}{k}="",{chance}{k}=""),"",{amount}{k}*{chance}{k})'
        for k in range(first + 1, first + len(data) + 1)
    ]
    sheet.formula_column(first, AMOUNT_COL + 2, weighted, col("weighted_amount"))
    sheet.text_column(first, ACTIONS_COL, _action_texts(settings, data), "wrap", fit=False)


PLAN_PARTS = ("expected_close", "next_step")  # the parts of a P1's plan the assessment may not have at all


def absent_plan_parts(data: pd.DataFrame) -> list[str]:
    """The plan parts no row of the assessment gives (the form has no such column): said once above the
    table, and left out of each row, rather than 未指定 on every P1 row."""
    return [part for part in PLAN_PARTS if part not in data or data[part].map(is_blank).all()]


def _action_texts(settings: Any, data: pd.DataFrame) -> list[str]:
    """The playbook actions; a P1 customer's led by who does them and by when (from the data, else 未指定),
    so the action is a plan, not a page of the course."""
    texts, absent = [], absent_plan_parts(data)
    for record in data.to_dict("records"):
        actions = actions_text(settings, record.get("actions"))
        if record.get("priority") == "P1":
            plan = _plan(settings, record, absent)
            actions = f"{plan}\n{actions}" if actions else plan
        texts.append(actions)
    return texts


def _plan(settings: Any, record: dict[str, Any], absent: list[str]) -> str:
    """Who does a P1's actions and by when: the whole line (未指定 where a row's own cell is blank), or
    without the parts the form does not have."""
    if not absent:
        return action_plan(settings, record)
    unset = settings.label("values.words.unset")
    owner = record.get("owner")
    name = str(record.get("customer", ""))
    if not is_blank(record.get("project")):
        name += f" / {record.get('project')}"
    text = settings.label(
        "values.words.action_plan_owner", customer=name, owner=unset if is_blank(owner) else str(owner)
    )
    if "expected_close" not in absent:
        close = record.get("expected_close")
        date = unset if is_blank(close) else pd.Timestamp(close).date().isoformat()
        text += settings.label("values.words.action_plan_close", date=date)
    if "next_step" not in absent:
        step = record.get("next_step")
        text += settings.label("values.words.action_plan_step", step=unset if is_blank(step) else str(step))
    return text


def _absent_note(book: Book, sheet: Sheet, data: pd.DataFrame, row: int) -> None:
    """One sentence above the priorities: which plan columns the assessment does not have."""
    absent = absent_plan_parts(data)
    if not absent or "priority" not in data or not (data["priority"] == "P1").any():
        return
    names = book.label("ui.list_sep").join(
        book.label(f"values.words.action_plan_{part.split('_')[-1]}_name") for part in absent
    )
    sheet.text(row, 0, book.label("values.words.action_plan_absent", columns=names), "note", fit=False)


# ------------------------------------------------------------------ funnel ---
def write_funnel(
    book: Book,
    funnel: pd.DataFrame,
    health: tuple[str, str],
    counted: Counted,
    stuck_share: float | None = None,
) -> None:
    """Counts and amounts per class (COUNTIF/SUMIF over the priorities sheet), a funnel chart, the health
    (grade, rule and, when judged by the stuck rule, the share of C and D found stuck)."""
    sheet = book.add("funnel")
    top = sheet.title(book.label("report.titles.funnel"))
    grade, rule = health
    sheet.text(top, 0, book.heading("health"), "key")
    # the grade on its line, the rule that decided it wrapped under it (one line would run off the page)
    sheet.ws.merge_range(top, 1, top, 5, health_label(book.settings, grade, rule), book.fmt["text"])
    note = health_note(book.settings, rule, stuck_share)
    sheet.ws.merge_range(top + 1, 1, top + 1, 5, note, book.fmt["wrap"])
    lines = -(-display_width(note) // book.settings.get("formats.widths.funnel_note"))
    sheet.ws.set_row(top + 1, LINE_HEIGHT * max(lines, 1) + ROW_PADDING)
    head = top + 2
    sheet.headings(head, FUNNEL_COLUMNS)
    first = head + 1
    _funnel_classes(book, sheet, funnel, counted, first)
    _funnel_totals(book, sheet, funnel, first)
    sheet.hide_column(6)
    _funnel_chart(book, sheet, first)
    sheet.finish(head, 5, None, filter_=False, portrait=True)


def _funnel_classes(book: Book, sheet: Sheet, funnel: pd.DataFrame, counted: Counted, first: int) -> None:
    """A row per class: count, share, amounts; and the hidden offset that centres its bar."""
    classes, amounts, weighted = (
        counted.column(col) for col in (counted.class_col, counted.amount_col, counted.weighted_col)
    )
    total_row = first + len(CLASSES)
    total = cell(total_row, 2)
    count = int(funnel["count"].sum())
    peak = int(funnel["count"].max()) if len(funnel) else 0
    for row, klass in enumerate(CLASSES, first):
        sheet.text(row, 0, klass)
        sheet.text(row, 1, book.label(f"values.class.{klass}"))
        in_class = f"{classes},{quote(klass)}"
        sheet.formula(row, 2, f"COUNTIF({in_class})", int(funnel.at[klass, "count"]), "int")
        share = funnel.at[klass, "count"] / count if count else None
        sheet.formula(row, 3, f'IF({total}=0,"",{cell(row, 2)}/{total})', share, "percent")
        sheet.formula(row, 4, f"SUMIF({in_class},{amounts})", float(funnel.at[klass, "amount"]))
        sheet.formula(row, 5, f"SUMIF({in_class},{weighted})", float(funnel.at[klass, "weighted"]))
        # the funnel's shape: an invisible bar of half the gap centres each class's bar
        sheet.formula(
            row,
            6,
            f"(MAX({rng(first, 2, first + 3, 2, True)})-{cell(row, 2)})/2",
            (peak - int(funnel.at[klass, "count"])) / 2,
            "number",
        )


def _funnel_totals(book: Book, sheet: Sheet, funnel: pd.DataFrame, first: int) -> None:
    total_row = first + len(CLASSES)
    count = int(funnel["count"].sum())

    def column_sum(col: int) -> str:
        return f"SUM({rng(first, col, total_row - 1, col)})"

    sheet.total_label(total_row, [1])
    sheet.formula(total_row, 2, column_sum(2), count, "total_number")
    sheet.formula(total_row, 3, f'IF({cell(total_row, 2)}=0,"",1)', 1.0 if count else None, "total_percent")
    sheet.formula(total_row, 4, column_sum(4), float(funnel["amount"].sum()), "total_money")
    sheet.formula(total_row, 5, column_sum(5), float(funnel["weighted"].sum()), "total_money")


def _funnel_chart(book: Book, sheet: Sheet, first: int) -> None:
    """Stacked bars: an invisible offset, then the count, so the bars are centred like a funnel."""
    colours, name, last = book.colours, sheet.name, first + len(CLASSES) - 1
    classes = [name, first, 1, last, 1]
    chart = book.add_chart("bar", "stacked")
    chart.add_series(
        {
            "name": book.heading("offset"),
            "categories": classes,
            "values": [name, first, 6, last, 6],
            "fill": {"none": True},
            "border": {"none": True},
        }
    )
    chart.add_series(
        {
            "name": book.heading("opportunity_count"),
            "categories": classes,
            "values": [name, first, 2, last, 2],
            "fill": {"color": colours["funnel"]},
            "gap": book.style["funnel_gap"],
            "data_labels": {
                "value": True,
                "position": "center",
                "font": {"color": colours["funnel_labels"], "bold": True},
            },
        }
    )
    chart.set_title({"name": book.label("report.charts.funnel")})
    chart.set_legend({"none": True})
    chart.show_hidden_data()
    chart.set_x_axis({"visible": False, "min": 0, "major_gridlines": {"visible": False}})
    chart.set_y_axis({"reverse": True})
    total_row = first + len(CLASSES)
    sheet.place_chart(total_row + book.chart_spec("funnel")["rows_below"], chart, "funnel")


# ------------------------------------------------------------------- tiers ---
def write_tiers(book: Book, customers: pd.DataFrame) -> None:
    """The two axis scores and the tier per customer, and the 2×2 matrix as a native scatter chart."""
    sheet = book.add("tiers")
    threshold = f"{book.settings.get('tier.high_threshold'):g}"
    # what is counted: customers here (one row each), opportunities in the funnel and the priorities
    customers_count = counted(book.settings, int(customers["customer"].nunique()), "customers")
    opportunities = counted(
        book.settings, int(customers["open"].sum()) if "open" in customers else 0, "opportunities"
    )
    head = sheet.title(
        book.label("report.titles.tiers"),
        book.label("report.notes.tiers", threshold=threshold)
        + book.label("report.notes.tiers_counted", customers=customers_count, opportunities=opportunities),
    )
    # the matrix first, then the table: the table's header repeats on the pages it runs over, and LibreOffice
    # repeats it from its first page on, so a chart under the table printed under an orphan header row
    chart_row = head
    head = chart_row + chart_rows(book.chart_spec("tiers")["height"]) + book.chart_spec("tiers")["rows_below"]
    sheet.headings(head, TIER_COLUMNS)
    data = (
        customers.drop_duplicates("customer")
        .assign(_t=lambda frame: frame["tier"].fillna(9))
        .sort_values(["_t", "customer"], kind="stable")
    )
    first = head + 1
    _tier_columns(book, sheet, data, first)
    sheet.widths[6] = book.width("actions")
    last = max(head + len(data), head + 1)
    names = dict(enumerate(column_of(data, "customer"), first))
    _tier_chart(book, sheet, _tier_spans(data, first), names, chart_row)
    # no frozen panes: over the chart they would fill the screen; the header repeats on paper
    sheet.finish(None, len(TIER_COLUMNS) - 1)
    sheet.ws.repeat_rows(head, head)
    sheet.ws.autofilter(head, 0, last, len(TIER_COLUMNS) - 1)


def _tier_columns(book: Book, sheet: Sheet, data: pd.DataFrame, first: int) -> None:
    settings = book.settings

    def col(name: str) -> list[Any]:
        return column_of(data, name)

    sheet.text_column(first, 0, col("customer"))
    sheet.text_column(first, 1, col("owner"))
    for index, axis in ((2, "attractiveness"), (3, "advantage")):
        _axis_column(book, sheet, first, index, col(axis), col(f"{axis}_level"))
    sheet.text_column(first, 4, [value_label(settings, "tier", tier) for tier in col("tier")])
    sources = zip(col("attractiveness_source"), col("advantage_source"), strict=True)
    sheet.text_column(
        first,
        5,
        [" / ".join(book.label(f"report.source.{x}") for x in pair if not is_blank(x)) for pair in sources],
    )
    sheet.text_column(
        first, 6, [actions_text(settings, actions) for actions in col("actions")], "wrap", fit=False
    )


def _axis_column(
    book: Book, sheet: Sheet, first: int, col: int, scores: list[Any], levels: list[Any]
) -> None:
    """An axis's scores, or its "高" / "低" where that was given instead of a score."""
    pairs = list(zip(scores, levels, strict=True))
    if not any(is_blank(score) and not is_blank(level) for score, level in pairs):
        sheet.number_column(first, col, scores, "score")
        return
    for row, (score, level) in enumerate(pairs, first):
        if is_blank(score) and not is_blank(level):
            sheet.text(row, col, book.label(f"values.high_low.{level}"))
        else:
            sheet.number(row, col, score, "score")


def _tier_spans(data: pd.DataFrame, first: int) -> dict[int, tuple[int, int]]:
    """Each tier's rows with both scores, for its chart series (rows are sorted by tier)."""
    spans: dict[int, tuple[int, int]] = {}
    placed = zip(
        column_of(data, "tier"), column_of(data, "attractiveness"), column_of(data, "advantage"), strict=True
    )
    for row, (tier, attractiveness, advantage) in enumerate(placed, first):
        if not is_blank(tier) and not is_blank(attractiveness) and not is_blank(advantage):
            start, _ = spans.get(int(tier), (row, row))
            spans[int(tier)] = (start, row)
    return spans


def _tier_chart(
    book: Book, sheet: Sheet, spans: dict[int, tuple[int, int]], names: dict[int, Any], row: int
) -> None:
    """The value-tier matrix: a series per tier, the threshold lines and the tiers' names (helper cells)."""
    settings = book.settings
    low, high = settings.get("tier.score_min"), settings.get("tier.score_max")
    quadrants = [(book.label(f"values.tier.{tier}"), x, y) for tier, x, y in TIER_QUADRANTS]
    threshold = settings.get("tier.high_threshold")
    helper = matrix_helper(sheet, row, low, high, threshold, quadrants, book.heading("chart_helper"))
    chart = book.add_chart("scatter")
    points = sum(last - first + 1 for first, last in spans.values())
    labelled = points <= settings.get("charts.max_labels")  # names on a crowded chart say nothing
    for tier, rows in sorted(spans.items()):
        name, colour = book.label(f"values.tier.{tier}"), book.colours["tiers"][tier - 1]
        labels = [names.get(point) for point in range(rows[0], rows[1] + 1)] if labelled else None
        chart.add_series(point_series(book, sheet.name, name, rows, (3, 2), colour, labels))
    add_matrix_guides(book, chart, sheet.name, helper, quadrants)
    chart.set_title({"name": book.label("report.charts.tiers")})
    chart.set_x_axis(matrix_axis(book.heading("advantage"), low, high))
    chart.set_y_axis(matrix_axis(book.heading("attractiveness"), low, high))
    guides = range(len(spans), len(spans) + 3)  # the two lines and the names have no legend entry
    chart.set_legend({"position": "bottom", "delete_series": list(guides)})
    sheet.place_chart(row, chart, "tiers")
