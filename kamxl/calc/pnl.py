"""Projected P&L (docs/method.md §6): plan vs actual per line and month, variances, margin, YTD.

The manager plans the region's revenue lines and expense lines month by
month and writes the actuals as months pass. The review wants each
variance with its direction (more revenue is good, more expense is not),
the margin, the year to date, and a check of the profit row the user wrote
by hand against revenue − expense.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TypedDict

import numpy as np
import pandas as pd

from kamxl.calc.cells import cell_at
from kamxl.calc.frames import as_floats, choose, divide
from kamxl.calc.months import has_years, month_of, period_of, periods, spans_years, year_of
from kamxl.calc.numbers import fmt
from kamxl.calc.totals import mismatched_totals, total_mismatch_issue, written_cell
from kamxl.config import Settings
from kamxl.issues import Issue

GROUPS = ("revenue", "expense", "profit")
ITEM_GROUPS = ("revenue", "expense")  # the lines a user plans; profit is computed from them
# sign of a favourable variance per group: more revenue and profit, less expense
FAVOURABLE_SIGN = {"revenue": 1.0, "expense": -1.0, "profit": 1.0}


class PnLSummary(TypedDict):
    """The year's key figures (report.json's ``pnl``, in this order)."""

    revenue_plan: float
    revenue_actual: float
    expense_plan: float
    expense_actual: float
    profit_plan: float
    profit_actual: float
    last_month: int | None  # the last month with an actual
    revenue_plan_to_date: float
    expense_plan_to_date: float
    profit_plan_to_date: float
    margin_plan: float | None
    margin_actual: float | None  # None before any actual
    revenue_variance_to_date: float | None  # actual − plan to date; None before any actual
    expense_variance_to_date: float | None
    profit_variance_to_date: float | None


@dataclass
class PnL:
    """The P&L's results per line and month, per month, and the year's key figures."""

    lines: pd.DataFrame  # month × line: plan, actual, variance, variance_pct, favourable, period, year
    # month (in time order): <group>_plan/_actual/_variance/_variance_pct/_ytd…, margins; and period and
    # year when the months run into a second year (a month number then names two months)
    months: pd.DataFrame
    summary: PnLSummary
    last_period: int | None = None  # the last month with an actual as a period (calc.months)


def variance(plan: pd.Series, actual: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(actual − plan, (actual − plan) / |plan|); NaN where actual is missing or plan is 0."""
    difference = actual - plan
    return difference, difference / plan.abs().where(plan != 0)


def favourable(group: pd.Series | str, difference: pd.Series) -> pd.Series:
    """True where revenue/profit beat the plan or expense stayed below it, False for the opposite.

    None where the variance is 0 or unknown.
    """
    sign = group.map(FAVOURABLE_SIGN) if isinstance(group, pd.Series) else FAVOURABLE_SIGN[group]
    signed = difference * sign
    out = pd.Series(choose([signed > 0, signed < 0], [True, False]), index=difference.index, dtype=object)
    return out.where(difference.notna() & (difference != 0), None)


def months_with_actuals(lines: pd.DataFrame, as_of: dt.date | None = None) -> list[int]:
    """The months (as periods, calc.months) in which any revenue or expense line has a (non-zero) actual.

    Where the months carry their years, none after the review date: that month has not happened yet.
    """
    items = lines.loc[lines["group"].isin(list(ITEM_GROUPS))]
    actual = pd.to_numeric(items["actual"], errors="coerce")
    period = periods(items)
    hit = actual.notna() & (actual != 0)
    if as_of is not None and has_years(items):
        hit &= period <= period_of(as_of)
    return sorted(int(month) for month in period[hit].unique())


def analyse(
    main: pd.DataFrame, settings: Settings, totals: pd.DataFrame | None = None, as_of: dt.date | None = None
) -> tuple[PnL, list[Issue]]:
    """Everything docs/method.md §6 asks of one workbook's P&L (``as_of``: the review date)."""
    data = main.copy()
    data["plan"] = as_floats(data["plan"])
    data["actual"] = as_floats(data["actual"])
    data["month"] = data["month"].astype(int)
    data["period"] = periods(data)
    data["year"] = year_of(main, data["period"])
    with_actuals = months_with_actuals(data, as_of)
    # a month without any actual has not happened yet: its actuals are unknown, not 0
    data.loc[~data["period"].isin(with_actuals), "actual"] = np.nan
    items = data[data["group"].isin(list(ITEM_GROUPS))].copy()
    items["variance"], items["variance_pct"] = variance(items["plan"], items["actual"])
    items["favourable"] = favourable(items["group"], items["variance"])
    months = month_table(items, sorted(data["period"].unique()), with_actuals)
    written_profit = data[data["group"] == "profit"]
    issues = profit_issues(written_profit, months, settings)
    issues += _check_totals(items, written_profit, totals, settings)
    last = max(with_actuals) if with_actuals else None
    summary = summarise(months, with_actuals)
    if not spans_years(data):
        # within one year a month number names its month: months as report.json has always had them,
        # and periods counted from January (period = month − 1), as calc.months reads a table without them
        months = months.drop(columns=["period", "year"])
        items["period"] = items["month"] - 1
        last = None if last is None else last % 12
    return PnL(items.reset_index(drop=True), months, summary, last), issues


def month_table(items: pd.DataFrame, all_months: list[int], with_actuals: list[int]) -> pd.DataFrame:
    """Per month: plan, actual, variance, favourable and year to date of each group, and the margins.

    ``all_months`` and ``with_actuals`` are periods (calc.months); the table is
    in time order, with each month's number, period and year (None when not written).
    """
    index = pd.Index(all_months, name="period")
    has_actuals = index.isin(with_actuals)
    columns: dict[str, pd.Series] = {}  # built as Series and framed once
    for group in ITEM_GROUPS:
        per_month = items[items["group"] == group].groupby("period")
        columns[f"{group}_plan"] = per_month["plan"].sum(min_count=1).reindex(index).fillna(0.0)
        actual = per_month["actual"].sum(min_count=1).reindex(index)
        # a month with actuals: a line left blank is 0
        columns[f"{group}_actual"] = actual.where(~has_actuals | actual.notna(), 0.0)
    columns["profit_plan"] = columns["revenue_plan"] - columns["expense_plan"]
    columns["profit_actual"] = columns["revenue_actual"] - columns["expense_actual"]
    for group in GROUPS:
        plan, actual = columns[f"{group}_plan"], columns[f"{group}_actual"]
        columns[f"{group}_variance"], columns[f"{group}_variance_pct"] = variance(plan, actual)
        columns[f"{group}_favourable"] = favourable(group, columns[f"{group}_variance"])
        columns[f"{group}_plan_ytd"] = plan.cumsum()
        columns[f"{group}_actual_ytd"] = actual.cumsum().where(actual.notna())
    columns["margin_plan"] = divide(columns["profit_plan"], columns["revenue_plan"])
    columns["margin_actual"] = divide(columns["profit_actual"], columns["revenue_actual"])
    table = pd.DataFrame(columns, index=index).reset_index()
    years = items.groupby("period")["year"].first().reindex(index) if "year" in items else None
    table.insert(0, "month", (table["period"] % 12 + 1).astype(int))
    table["year"] = years.to_numpy() if years is not None else None
    return table[["month", *columns, "period", "year"]]


def profit_issues(written_profit: pd.DataFrame, months: pd.DataFrame, settings: Settings) -> list[Issue]:
    """The input's own 预期盈亏 (profit) cells that differ from revenue − expense."""
    tolerance = settings.get("pnl.profit_tolerance")
    computed_profit = months.set_index("period")[["profit_plan", "profit_actual"]]
    issues: list[Issue] = []
    for written in written_profit.join(computed_profit, on="period").to_dict("records"):
        for measure in ("plan", "actual"):
            value, computed = written[measure], written[f"profit_{measure}"]
            if pd.isna(value) or pd.isna(computed) or abs(value - computed) <= tolerance:
                continue
            issues.append(
                settings.issue(
                    "profit_mismatch",
                    written["sheet"],
                    cell_at(written[f"{measure}_col"], written["row"]),
                    month=settings.label(f"values.month.{int(written['month'])}"),
                    measure=settings.label(f"values.measure.{measure}"),
                    written=fmt(value),
                    computed=fmt(computed),
                )
            )
    return issues


def summarise(months: pd.DataFrame, with_actuals: list[int]) -> PnLSummary:
    """The year's totals, the plan to the last month with actuals, the margins and the variances to date."""
    totals = {
        f"{group}_{kind}": _total(months[f"{group}_{kind}"])
        for group in GROUPS
        for kind in ("plan", "actual")
    }
    last = max(with_actuals) if with_actuals else None
    to_date = months[months["period"] <= (last if last is not None else -1)]
    plan_to_date = {group: float(to_date[f"{group}_plan"].sum()) for group in GROUPS}

    def variance_to_date(group: str) -> float | None:
        return totals[f"{group}_actual"] - plan_to_date[group] if last is not None else None

    return {
        "revenue_plan": totals["revenue_plan"],
        "revenue_actual": totals["revenue_actual"],
        "expense_plan": totals["expense_plan"],
        "expense_actual": totals["expense_actual"],
        "profit_plan": totals["profit_plan"],
        "profit_actual": totals["profit_actual"],
        "last_month": month_of(last),
        "revenue_plan_to_date": plan_to_date["revenue"],
        "expense_plan_to_date": plan_to_date["expense"],
        "profit_plan_to_date": plan_to_date["profit"],
        "margin_plan": _ratio(totals["profit_plan"], totals["revenue_plan"]),
        "margin_actual": _ratio(totals["profit_actual"], totals["revenue_actual"])
        if last is not None
        else None,
        "revenue_variance_to_date": variance_to_date("revenue"),
        "expense_variance_to_date": variance_to_date("expense"),
        "profit_variance_to_date": variance_to_date("profit"),
    }


def _total(column: pd.Series) -> float:
    """The column's sum; 0 when every month is blank."""
    return float(column.sum()) if column.notna().any() else 0.0


def _ratio(numerator: float, denominator: float) -> float | None:
    """numerator ÷ denominator; None for a 0 denominator (no revenue planned: no margin)."""
    return numerator / denominator if denominator else None


def _check_totals(
    items: pd.DataFrame, written_profit: pd.DataFrame, totals: pd.DataFrame | None, settings: Settings
) -> list[Issue]:
    """The 合计 row of each line against the sum of its months."""
    if totals is None or totals.empty:
        return []
    # the P&L's totals share the receivables' tolerance (a rounding allowance for hand-typed sums)
    tolerance = settings.get("receivables.total_tolerance")
    keys = ["sheet", "group", "line"]
    both = pd.concat([items, written_profit])
    return [
        total_mismatch_issue(
            settings,
            mismatch,
            written_cell(mismatch),
            f"{mismatch['line']} {settings.label('values.measure.' + mismatch['measure'])}",
        )
        for mismatch in mismatched_totals(
            both, totals, keys, ["plan", "actual"], tolerance, rows_required=True
        )
    ]
