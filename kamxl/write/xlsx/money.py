"""应收帐款 · 损益 · 活动: plan against actual in money, as live formulas with kamxl's values cached.

A reviewer who corrects an actual in the report sees every total, rate and
flag follow, so each sheet is written in parts: its columns, the rows, the
合计 row, the tables under it and the chart. The receivables sheet is in
``receivables_sheet``; the P&L and the activity plan (docs/method.md §6, §7.1) are here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from kamxl.calc.activities import Activities
from kamxl.calc.months import has_years, month_heading, month_key, periods, spans_years
from kamxl.calc.numbers import pct
from kamxl.calc.pnl import PnL
from kamxl.text import display_width
from kamxl.write.xlsx.book import (
    LINE_HEIGHT,
    ROW_PADDING,
    Book,
    KeyCell,
    KeyCells,
    Sheet,
    cell,
    has_data,
    is_blank,
    quote,
    records,
    rng,
)

# P&L: the month's figures right of the lines, in this order
PNL_FIGURES = (
    "revenue_plan",
    "revenue_actual",
    "expense_plan",
    "expense_actual",
    "profit_plan",
    "profit_actual",
    "revenue_variance",
    "revenue_variance_pct",
    "expense_variance",
    "expense_variance_pct",
    "profit_variance",
    "profit_variance_pct",
    "margin_plan",
    "margin_actual",
    "revenue_plan_ytd",
    "revenue_actual_ytd",
    "profit_plan_ytd",
    "profit_actual_ytd",
)
LINE_GROUPS = ("revenue", "expense")
GROUPS = ("revenue", "expense", "profit")
GOOD_SIGN = {"revenue": ">", "expense": "<", "profit": ">"}  # a favourable variance
YEAR = range(1, 13)


def month_label(book: Book, month: int) -> str:
    return book.label(f"values.month.{int(month)}")


# ---------------------------------------------------------------------- P&L ---
@dataclass
class _PnlLayout:
    """Where the P&L sheet's parts go: a column pair (plan, actual) per line, then the month's figures."""

    lines: list[tuple[str, str]]  # (group, line) in column order
    line_cols: dict[tuple[str, str], int]  # its plan column; the actual is the next
    figures: dict[str, int]  # PNL_FIGURES -> column
    months: list[int]
    to_date: int = 0  # the month rows up to the last month with an actual (0: none yet)
    top: int = 3
    sub: int = 4

    @property
    def first(self) -> int:
        return self.sub + 1

    @property
    def total_row(self) -> int:
        """The first row under the months: plan to date against actual to date (when there are actuals)."""
        return self.first + len(self.months)

    @property
    def year_row(self) -> int:
        """The full year's plan, apart."""
        return self.total_row + (1 if self.to_date else 0)

    def at(self, row: int, figure: str) -> str:
        return cell(row, self.figures[figure])


def write_pnl(book: Book, pnl: PnL, keys: KeyCells) -> None:
    """The projected P&L: each line's plan and actual per month; group totals, variances, margins, YTD."""
    sheet = book.add("pnl")
    allowed = pct(1 - float(book.settings.get("formats.behind_below")))
    sheet.title(book.label("report.titles.pnl"), book.label("report.notes.pnl", allowed=allowed))
    lines = pnl.lines
    order = [
        (group, line)
        for group in LINE_GROUPS
        for line in dict.fromkeys(lines.loc[lines["group"] == group, "line"])
    ]
    base = 1 + 2 * len(order)
    layout = _PnlLayout(
        lines=order,
        line_cols={line: 1 + 2 * i for i, line in enumerate(order)},
        figures={name: base + i for i, name in enumerate(PNL_FIGURES)},
        months=[int(period) for period in periods(pnl.months)],  # in time order; see calc.months
    )
    last = pnl.last_period  # the last month with an actual, as a period like layout.months
    layout.to_date = 0 if last is None else sum(1 for period in layout.months if period <= last)
    _pnl_columns(book, sheet, layout)
    _pnl_months(book, sheet, pnl, layout)
    _pnl_totals(book, sheet, pnl, layout)
    _pnl_colours(book, sheet, layout)
    _pnl_keys(sheet, pnl, layout, keys)
    _pnl_chart(book, sheet, pnl, layout)
    sheet.ws.freeze_panes(layout.first, 1)
    sheet.finish(layout.sub, max(layout.figures.values()), None, filter_=False, freeze_cols=1)
    sheet.ws.repeat_rows(layout.top, layout.sub)


def _pnl_keys(sheet: Sheet, pnl: PnL, layout: _PnlLayout, keys: KeyCells) -> None:
    """The P&L figures the summary sheet and the dashboard's tiles link to: the year's planned profit, and
    revenue and profit planned and actual to date (the to-date row; the actuals are to date by nature)."""
    summary: Mapping[str, Any] = pnl.summary
    keys["pnl.profit_plan"] = KeyCell(
        sheet.name, layout.year_row, layout.figures["profit_plan"], summary["profit_plan"], "money"
    )
    if not layout.to_date:
        return
    # key -> (column's figure, value) on the to-date row
    to_date = {
        "pnl.revenue_plan_to_date": ("revenue_plan", summary["revenue_plan_to_date"]),
        "pnl.revenue_actual": ("revenue_actual", summary["revenue_actual"]),
        "pnl.profit_plan_to_date": ("profit_plan", summary["profit_plan_to_date"]),
        "pnl.profit_actual": ("profit_actual", summary["profit_actual"]),
    }
    for key, (figure, value) in to_date.items():
        keys[key] = KeyCell(sheet.name, layout.total_row, layout.figures[figure], value, "money")


def _pnl_columns(book: Book, sheet: Sheet, layout: _PnlLayout) -> None:
    top, sub, header = layout.top, layout.sub, book.fmt["header"]
    sheet.ws.merge_range(top, 0, sub, 0, book.heading("month"), header)
    width = book.width("pnl_figure")
    widest = 0
    for (group, line), col in layout.line_cols.items():
        heading = f"{book.label(f'report.groups.{group}')} · {line}"
        widest = max(widest, display_width(heading))
        sheet.ws.merge_range(top, col, top, col + 1, heading, header)
        sheet.ws.write_string(sub, col, book.heading("plan"), header)
        sheet.ws.write_string(sub, col + 1, book.heading("actual"), header)
        sheet.widths[col] = sheet.widths[col + 1] = width
    for name, col in layout.figures.items():
        sheet.ws.merge_range(top, col, sub, col, book.heading(f"pnl_{name}"), header)
        sheet.widths[col] = width
    if widest > 2 * width - 2:  # "Expense · Regional advertising" wraps over its two columns: room for it
        sheet.ws.set_row(top, 2 * LINE_HEIGHT + ROW_PADDING)


def _pnl_months(book: Book, sheet: Sheet, pnl: PnL, layout: _PnlLayout) -> None:
    """A row per month: each line's plan and actual as written, the month's figures as formulas."""
    lines = pnl.lines
    written: dict[tuple[Any, str, str], tuple[Any, Any]] = {}  # (period, group, line) -> (plan, actual)
    keys = zip(periods(lines), lines["group"], lines["line"], strict=True)
    for key, plan, actual in zip(keys, lines["plan"], lines["actual"], strict=True):
        written.setdefault(key, (plan, actual))
    figures = pnl.months.set_index(periods(pnl.months)).to_dict("index")
    rates = {name for name in PNL_FIGURES if "pct" in name or "margin" in name}
    spanning, dated = spans_years(pnl.months), has_years(pnl.months)
    for row, month in enumerate(layout.months, layout.first):
        sheet.text(row, 0, month_heading(book, month, spanning, dated))
        for (group, line), col in layout.line_cols.items():
            plan, actual = written.get((month, group, line), (None, None))
            sheet.number(row, col, plan)
            sheet.number(row, col + 1, actual)
        formulas = _pnl_month_formulas(layout, row)
        for name in PNL_FIGURES:
            value = figures[month][name]
            sheet.formula(row, layout.figures[name], formulas[name], value, _figure_look(name, rates))


def _figure_look(name: str, rates: set[str]) -> str:
    """A month's figure as it reads: a rate in %, a variance signed (+ a gain, a true minus), else 元."""
    if name.endswith("_variance_pct"):
        return "signed_percent"
    if name in rates:
        return "percent"
    return "signed_money" if name.endswith("_variance") else "money"


def _pnl_month_formulas(layout: _PnlLayout, row: int) -> dict[str, str]:
    """The formulas of one month's figures, from its line cells and each other."""
    at = layout.at

    def cells_of(group: str, offset: int) -> str:
        return ",".join(
            cell(row, col + offset)
            for (line_group, _), col in layout.line_cols.items()
            if line_group == group
        )

    all_actuals = ",".join(cell(row, col + 1) for col in layout.line_cols.values())
    formulas = {
        "revenue_plan": f"SUM({cells_of('revenue', 0) or 0})",
        "expense_plan": f"SUM({cells_of('expense', 0) or 0})",
        "revenue_actual": f'IF(COUNT({all_actuals})=0,"",SUM({cells_of("revenue", 1) or 0}))',
        "expense_actual": f'IF(COUNT({all_actuals})=0,"",SUM({cells_of("expense", 1) or 0}))',
        "profit_plan": f"{at(row, 'revenue_plan')}-{at(row, 'expense_plan')}",
    }
    revenue, expense = at(row, "revenue_actual"), at(row, "expense_actual")
    formulas["profit_actual"] = f'IF({revenue}="","",{revenue}-{expense})'
    for group in GROUPS:
        actual, plan, variance = (
            at(row, f"{group}_actual"),
            at(row, f"{group}_plan"),
            at(row, f"{group}_variance"),
        )
        formulas[f"{group}_variance"] = f'IF({actual}="","",{actual}-{plan})'
        formulas[f"{group}_variance_pct"] = f'IF(OR({actual}="",{plan}=0),"",{variance}/ABS({plan}))'
    revenue_plan, revenue_actual = at(row, "revenue_plan"), at(row, "revenue_actual")
    formulas["margin_plan"] = f'IF({revenue_plan}=0,"",{at(row, "profit_plan")}/{revenue_plan})'
    formulas["margin_actual"] = (
        f'IF(OR({revenue_actual}="",N({revenue_actual})=0),"",{at(row, "profit_actual")}/{revenue_actual})'
    )
    for group in ("revenue", "profit"):
        plan_col, actual_col = layout.figures[f"{group}_plan"], layout.figures[f"{group}_actual"]
        formulas[f"{group}_plan_ytd"] = (
            f"SUM({cell(layout.first, plan_col, True, False)}:{cell(row, plan_col)})"
        )
        actual = cell(row, actual_col)
        formulas[f"{group}_actual_ytd"] = (
            f'IF({actual}="","",SUM({cell(layout.first, actual_col, True, False)}:{actual}))'
        )
    return formulas


def _pnl_totals(book: Book, sheet: Sheet, pnl: PnL, layout: _PnlLayout) -> None:
    """Two rows under the months, so that every total compares like with like.

    The plan of the whole year against a quarter's actuals reads as a 75 % shortfall; so the first row
    sums the months up to the last one with an actual (plan to date against actual to date, their
    variances and margins), and the second shows the full year's plan on its own, with no actual beside it.
    """
    if layout.to_date:
        _pnl_to_date(book, sheet, pnl, layout)
    _pnl_year_plan(book, sheet, pnl, layout)


def _pnl_to_date(book: Book, sheet: Sheet, pnl: PnL, layout: _PnlLayout) -> None:
    """The to-date row: lines and groups summed over the months to the last actual, variances and margins."""
    row, last_row = layout.total_row, layout.first + layout.to_date - 1
    summary: Mapping[str, Any] = pnl.summary
    months = layout.months[: layout.to_date]
    spanning, dated = spans_years(pnl.months), has_years(pnl.months)
    first, last = (month_heading(book, period, spanning, dated) for period in (months[0], months[-1]))
    label = book.label("report.pnl_rows.to_date", first=first, last=last)
    sheet.text(row, 0, label, "total_label")

    def column_sum(col: int) -> str:
        return f"SUM({rng(layout.first, col, last_row, col)})"

    for col in range(1, 1 + 2 * len(layout.lines)):
        total = _line_total(pnl, layout.lines, col, set(months))
        sheet.formula(row, col, column_sum(col), total, "total_money")
    for group in GROUPS:
        plan_col, actual_col = layout.figures[f"{group}_plan"], layout.figures[f"{group}_actual"]
        plan_to_date = summary[f"{group}_plan_to_date"]
        sheet.formula(row, plan_col, column_sum(plan_col), plan_to_date, "total_money")
        sheet.formula(row, actual_col, column_sum(actual_col), summary[f"{group}_actual"], "total_money")
        actual, plan = cell(row, actual_col), cell(row, plan_col)
        variance = summary[f"{group}_variance_to_date"]
        variance_col = layout.figures[f"{group}_variance"]
        sheet.formula(row, variance_col, f"{actual}-{plan}", variance, "total_signed_money")
        sheet.formula(
            row,
            layout.figures[f"{group}_variance_pct"],
            f'IF({plan}=0,"",{cell(row, variance_col)}/ABS({plan}))',
            variance / abs(plan_to_date) if plan_to_date else None,
            "total_signed_percent",
        )
    _pnl_margins(sheet, layout, row, summary["profit_plan_to_date"], summary["revenue_plan_to_date"])
    revenue_actual = layout.at(row, "revenue_actual")
    sheet.formula(
        row,
        layout.figures["margin_actual"],
        f'IF({revenue_actual}=0,"",{layout.at(row, "profit_actual")}/{revenue_actual})',
        summary["profit_actual"] / summary["revenue_actual"] if summary["revenue_actual"] else None,
        "total_percent",
    )
    for name in ("revenue_plan_ytd", "revenue_actual_ytd", "profit_plan_ytd", "profit_actual_ytd"):
        sheet.text(row, layout.figures[name], None, "total_label")


def _pnl_year_plan(book: Book, sheet: Sheet, pnl: PnL, layout: _PnlLayout) -> None:
    """The full year's plan: each line's and group's plan over every month; no actual, so no variance."""
    row, first, last_row = layout.year_row, layout.first, layout.total_row - 1
    summary: Mapping[str, Any] = pnl.summary
    sheet.text(row, 0, book.label("report.pnl_rows.year_plan"), "total_label")

    def column_sum(col: int) -> str:
        return f"SUM({rng(first, col, last_row, col)})"

    for col in range(1, 1 + 2 * len(layout.lines), 2):
        sheet.formula(row, col, column_sum(col), _line_total(pnl, layout.lines, col), "total_money")
        sheet.text(row, col + 1, None, "total_label")
    for group in GROUPS:
        col = layout.figures[f"{group}_plan"]
        sheet.formula(row, col, column_sum(col), summary[f"{group}_plan"], "total_money")
    _pnl_margins(sheet, layout, row, summary["profit_plan"], summary["revenue_plan"])
    planned = {layout.figures[f"{group}_plan"] for group in GROUPS} | {layout.figures["margin_plan"]}
    for col in set(layout.figures.values()) - planned:
        sheet.text(row, col, None, "total_label")


def _pnl_margins(sheet: Sheet, layout: _PnlLayout, row: int, profit: float, revenue: float) -> None:
    """The planned margin of a total row, from its own profit and revenue cells."""
    revenue_plan = layout.at(row, "revenue_plan")
    sheet.formula(
        row,
        layout.figures["margin_plan"],
        f'IF({revenue_plan}=0,"",{layout.at(row, "profit_plan")}/{revenue_plan})',
        profit / revenue if revenue else None,
        "total_percent",
    )


def _line_total(pnl: PnL, order: list[tuple[str, str]], col: int, months: set[int] | None = None) -> float:
    """The total of one line's plan (odd column) or actual (even column), over ``months`` (default: all)."""
    group, line = order[(col - 1) // 2]
    part = pnl.lines[(pnl.lines["group"] == group) & (pnl.lines["line"] == line)]
    if months is not None:
        part = part[periods(part).isin(months)]  # months here are periods (calc.months)
    measure = "plan" if (col - 1) % 2 == 0 else "actual"
    return float(pd.to_numeric(part[measure], errors="coerce").sum())


def _pnl_colours(book: Book, sheet: Sheet, layout: _PnlLayout) -> None:
    """The colour rule (``formats.behind_below``): a variance at or better than plan green (more revenue and
    profit, less expense), one worse than plan by more than the behind line red, a small one uncoloured.

    Both the variance and its % are judged by the % (variance ÷ plan), so they always agree.
    """
    allowed = 1 - book.settings.get("formats.behind_below")
    for group, good_sign in GOOD_SIGN.items():
        sign = 1 if good_sign == ">" else -1
        pct = cell(layout.first, layout.figures[f"{group}_variance_pct"], False, True)
        rules = (
            (f"=AND(ISNUMBER({pct}),{sign}*{pct}>=0)", "good"),
            (f"=AND(ISNUMBER({pct}),{sign}*{pct}<-{allowed:g})", "bad"),
        )
        for name in (f"{group}_variance", f"{group}_variance_pct"):
            col = layout.figures[name]
            for criteria, look in rules:
                sheet.ws.conditional_format(
                    layout.first,
                    col,
                    layout.total_row,
                    col,
                    {"type": "formula", "criteria": criteria, "format": book.fmt[look]},
                )


def _pnl_chart(book: Book, sheet: Sheet, pnl: PnL, layout: _PnlLayout) -> None:
    """Profit planned and actual per month as columns, the margin as a line on the right-hand axis."""
    figures = [*pnl.months["profit_plan"], *pnl.months["profit_actual"]]
    if not has_data(figures):
        return
    colours = book.colours
    first, last, name = layout.first, layout.total_row - 1, sheet.name
    chart = book.add_chart("column")
    months = [name, first, 0, last, 0]
    for figure, colour in (("profit_plan", colours["plan"]), ("profit_actual", colours["actual"])):
        col = layout.figures[figure]
        chart.add_series(
            {
                "name": [name, layout.top, col],
                "categories": months,
                "values": [name, first, col, last, col],
                "fill": {"color": colour},
            }
        )
    line = book.add_chart("line")
    margin = layout.figures["margin_actual"]
    line.add_series(
        {
            "name": [name, layout.top, margin],
            "categories": months,
            "values": [name, first, margin, last, margin],
            "y2_axis": True,
            "marker": {"type": "circle"},
            "line": {"color": colours["rate"]},
        }
    )
    chart.combine(line)
    line.set_y2_axis(book.value_axis("margin", "rate_axis", pnl.months["margin_actual"]))
    chart.set_title({"name": book.label("report.charts.pnl")})
    chart.set_y_axis(book.value_axis("profit", "money_axis", figures))
    chart.set_legend({"position": "bottom"})
    sheet.place_chart(layout.year_row + book.chart_spec("pnl")["rows_below"], chart, "pnl")


# --------------------------------------------------------------- activities ---
@dataclass
class _ActivityLayout:
    """The activity plan: activity, owner, budget, a column per month, the amount planned, the result."""

    first: int  # the first activity's row
    total_row: int
    head: int = 3
    months_col: int = 3  # January's column
    # the months' keys (calc.months.month_key): January … December, or the plan's months in time order
    # when it runs into a second year (a rolling plan's two Novembers are two columns)
    keys: list[int] = field(default_factory=lambda: list(YEAR))

    @property
    def planned_col(self) -> int:
        return self.months_col + len(self.keys)

    @property
    def expected_col(self) -> int:
        return self.planned_col + 1

    def month_col(self, month: int) -> int:
        return self.months_col + self.keys.index(month)

    @property
    def budget_head(self) -> int:
        """The header of the budget-by-month table under the plan."""
        return self.total_row + 3

    @property
    def owner_head(self) -> int:
        """The header of the by-owner table under that."""
        return self.budget_head + len(self.keys) + 3


def write_activities(book: Book, act: Activities, keys: KeyCells) -> None:
    """The activity plan with live totals, the budget per month against the advertising plan, by owner."""
    sheet = book.add("activities")
    sheet.title(book.label("report.titles.activities"), book.label("report.notes.activities"))
    month_keys, labels = _activity_months(book, act)
    layout = _ActivityLayout(first=4, total_row=4 + len(act.rows), keys=month_keys)
    sheet.header(
        layout.head,
        [book.heading("activity"), book.heading("owner"), book.heading("budget")]
        + [labels[month] for month in month_keys]
        + [book.heading("planned"), book.heading("expected")],
    )
    _activity_rows(book, sheet, act, layout)
    _activity_totals(book, sheet, act, layout)
    keys["activities.budget"] = KeyCell(
        sheet.name, layout.total_row, layout.planned_col, act.summary["budget"], "money"
    )
    _budget_by_month(book, sheet, act, layout)
    advertising = act.summary.get("advertising_plan") or {}
    figures = [*act.by_month["budget"], *advertising.values()]
    if has_data(figures):
        _budget_chart(book, sheet, layout, bool(advertising), figures)
    _activities_by_owner(book, sheet, act, layout)
    sheet.finish(layout.head, layout.expected_col, layout.total_row - 1, freeze_cols=1)


def _activity_months(book: Book, act: Activities) -> tuple[list[int], dict[int, str]]:
    """The month columns' keys and headings: 一月 … 十二月, or each month of a plan that runs into a second
    year with its year (2025-11 … 2026-11), as the receivables and P&L sheets head them."""
    by_month = act.by_month
    if "period" not in by_month.columns or not spans_years(by_month):
        return list(YEAR), {month: month_label(book, month) for month in YEAR}
    dated = has_years(by_month)
    headings = zip(by_month["month"], by_month["period"], strict=True)
    labels = {int(key): month_heading(book, int(period), True, dated) for key, period in headings}
    return sorted(labels), labels


def _spread_keys(act: Activities, layout: _ActivityLayout) -> pd.Series:
    """Each spread month's key, as the month columns are keyed."""
    if layout.keys == list(YEAR):
        return act.months["month"].astype(int)
    return pd.Series([month_key(int(period), True) for period in periods(act.months)], index=act.months.index)


def _activity_rows(book: Book, sheet: Sheet, act: Activities, layout: _ActivityLayout) -> None:
    """A row per activity: its months marked with their amounts, the amount planned as a formula."""
    amounts = act.months.assign(month=_spread_keys(act, layout)).set_index(["row", "month"])["amount"]
    for row, activity in enumerate(records(act.rows), layout.first):
        sheet.text(row, 0, activity["activity"])
        sheet.text(row, 1, activity.get("owner"))
        sheet.number(row, 2, activity["budget"])
        for month in layout.keys:
            key = (activity["row"], month)
            if key in amounts.index:
                sheet.number(row, layout.month_col(month), _amount(amounts.loc[key]), "mark")
            else:
                sheet.number(row, layout.month_col(month), None, "number")
        months = rng(row, layout.months_col, row, layout.planned_col - 1)
        sheet.formula(
            row,
            layout.planned_col,
            f"IF(COUNT({months})=0,N({cell(row, 2)}),SUM({months}))",
            activity["budget_used"],
        )
        sheet.text(row, layout.expected_col, activity.get("expected"), fit=True)
        sheet.at_least(0, book.width("activity"))


def _amount(found: Any) -> float:
    """A month's amount as the spread table has it (the first, if the row is there twice); a blank is 0."""
    if isinstance(found, pd.Series):
        return float(found.iloc[0])
    return 0.0 if is_blank(found) else float(found)


def _activity_totals(book: Book, sheet: Sheet, act: Activities, layout: _ActivityLayout) -> None:
    first, total_row = layout.first, layout.total_row
    by_month = act.by_month.set_index("month")

    def column_sum(col: int) -> str:
        return f"SUM({rng(first, col, total_row - 1, col)})"

    sheet.total_label(total_row, [1])
    sheet.formula(total_row, 2, column_sum(2), float(act.rows["budget"].sum()), "total_money")
    for month in layout.keys:
        col = layout.month_col(month)
        sheet.formula(
            total_row, col, column_sum(col), float(by_month["budget"].get(month, 0.0)), "total_money"
        )
    planned = layout.planned_col
    sheet.formula(total_row, planned, column_sum(planned), act.summary["budget"], "total_money")
    for month in layout.keys:
        sheet.widths[layout.month_col(month)] = book.width("activity_month")


def _budget_by_month(book: Book, sheet: Sheet, act: Activities, layout: _ActivityLayout) -> None:
    """The activities' budget per month against the P&L's 区域广告 plan, flagged where it is over."""
    head = layout.budget_head
    sheet.headings(head, ["month", "activities_budget", "advertising_plan", "headroom", "over"])
    tolerance = book.settings.get("activities.amount_tolerance")
    advertising = act.summary.get("advertising_plan") or {}
    by_month = act.by_month.set_index("month")
    flag = book.heading("over_flag")
    _, labels = _activity_months(book, act)
    for row, month in enumerate(layout.keys, head + 1):
        budget = float(by_month["budget"].get(month, 0.0))
        plan = advertising.get(month)
        budget_cell, plan_cell = cell(row, 1), cell(row, 2)
        sheet.text(row, 0, labels[month])
        sheet.formula(row, 1, cell(layout.total_row, layout.month_col(month)), budget)
        sheet.number(row, 2, plan)
        headroom = None if plan is None else plan - budget
        sheet.formula(row, 3, f'IF({plan_cell}="","",{plan_cell}-{budget_cell})', headroom, "signed_money")
        over = plan is not None and budget > plan + tolerance
        sheet.formula(
            row,
            4,
            f'IF({plan_cell}="","",IF({budget_cell}>{plan_cell}+{tolerance},{quote(flag)},""))',
            flag if over else ("" if plan is not None else None),
            "text",
        )
    sheet.ws.conditional_format(
        head + 1,
        0,
        head + len(layout.keys),
        4,
        {"type": "formula", "criteria": f'=$E{head + 2}<>""', "format": book.fmt["bad"]},
    )


def _budget_chart(
    book: Book, sheet: Sheet, layout: _ActivityLayout, advertising: bool, figures: list[Any]
) -> None:
    """The budget per month as columns, and the advertising plan (where the P&L has one) as a dashed line."""
    colours, head, name = book.colours, layout.budget_head, sheet.name
    first, last = head + 1, head + len(layout.keys)
    months = [name, first, 0, last, 0]
    chart = book.add_chart("column")
    chart.add_series(
        {
            "name": [name, head, 1],
            "categories": months,
            "values": [name, first, 1, last, 1],
            "fill": {"color": colours["actual"]},
        }
    )
    if advertising:
        line = book.add_chart("line")
        line.add_series(
            {
                "name": [name, head, 2],
                "categories": months,
                "values": [name, first, 2, last, 2],
                "line": {"color": colours["rate"], "dash_type": "dash"},
            }
        )
        chart.combine(line)
    chart.set_title({"name": book.label("report.charts.activities")})
    chart.set_y_axis(book.value_axis("budget", "money_axis", figures))
    chart.set_legend({"position": "bottom"})
    sheet.place_chart(head, chart, "activities")


def _activities_by_owner(book: Book, sheet: Sheet, act: Activities, layout: _ActivityLayout) -> None:
    """The amount planned and the number of activities per owner, as SUMIF/COUNTIF over the plan."""
    head, first, last = layout.owner_head, layout.first, layout.total_row - 1
    sheet.headings(head, ["owner", "planned", "count"])
    owners, planned = (
        rng(first, 1, last, 1, True),
        rng(first, layout.planned_col, last, layout.planned_col, True),
    )
    for row, owner in enumerate(act.summary["by_owner"], head + 1):
        if owner["owner"] is None:
            sheet.text(row, 0, book.heading("no_owner"))
            sheet.formula(row, 1, f'SUMIF({owners},"",{planned})', owner["budget"])
            sheet.formula(row, 2, f"COUNTBLANK({owners})", owner["activities"], "int")
        else:
            sheet.text(row, 0, owner["owner"])
            sheet.formula(row, 1, f"SUMIF({owners},{cell(row, 0)},{planned})", owner["budget"])
            sheet.formula(row, 2, f"COUNTIF({owners},{cell(row, 0)})", owner["activities"], "int")
