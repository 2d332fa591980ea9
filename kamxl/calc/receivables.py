"""Receivables collection plan (docs/method.md §5): cumulative figures, rates, balance, aging.

A key-account manager plans, month by month, how each customer's debt will
be collected, and writes what actually came in. The review asks how much of
the plan to date was collected, which customers fall behind, whether each
plan collects the whole debt, and how old the outstanding balance is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, TypedDict

import numpy as np
import pandas as pd

from kamxl.calc.cells import CellMap, row_label
from kamxl.calc.frames import as_floats, divide
from kamxl.calc.months import has_years, month_of, period_of, periods, year_of
from kamxl.calc.numbers import fmt, pct
from kamxl.calc.totals import mismatched_totals, total_mismatch_issue, written_cell
from kamxl.config import Settings
from kamxl.issues import Issue

AGING = ("not_due", "d1_30", "d31_60", "d61_90", "over_90")
ROW_KEYS = ["sheet", "row"]  # one receivable: its sheet and Excel row


class ReceivablesSummary(TypedDict):
    """The sheet's key figures (report.json's ``receivables``, in this order)."""

    total_owed: float
    plan: float
    actual: float
    last_month: int | None  # m*: the last month with an actual
    plan_to_date: float
    actual_to_date: float
    collection_rate: float | None  # actual ÷ plan to date; None with nothing planned
    balance: float
    plan_coverage: float | None  # plan ÷ total owed; None when nothing is owed
    behind: list[str]  # customers below the behind share of their plan to date


@dataclass
class Receivables:
    """Results per row, per row × month, per month, and the sheet's key figures."""

    rows: pd.DataFrame  # one per receivable: owed, plan, actual, to date, balance, coverage, behind, aging
    months: pd.DataFrame  # row × month: plan, actual, cumulative, rates (see month_table)
    by_month: pd.DataFrame  # month (in time order; period and year too): the sheet's plan, actual, rates
    summary: ReceivablesSummary
    aging: pd.DataFrame | None = None  # aging bucket: balance; None without due dates
    last_period: int | None = None  # m* as a period (calc.months), to compare months across years
    aging_by_customer: pd.DataFrame | None = (
        None  # customer, a balance per bucket, total; None without due dates
    )


def last_actual_month(months: pd.DataFrame) -> int | None:
    """m*: the month number of the last month with any (non-zero) actual amount in the sheet."""
    return month_of(last_actual_period(months))


def last_actual_period(months: pd.DataFrame, as_of: dt.date | None = None) -> int | None:
    """m* as a period: the last month, in time, with any (non-zero) actual amount in the sheet.

    Zeros do not count: templates are often pre-filled with 0 for months to
    come. Where the months carry their years, "to date" never runs past the
    review date: an actual written for a later month is not yet counted.
    """
    actual = pd.to_numeric(months["actual"], errors="coerce")
    period = periods(months)
    hit = actual.notna() & (actual != 0)
    if as_of is not None and has_years(months):
        hit &= period <= period_of(as_of)
    return int(period[hit].max()) if hit.any() else None


def month_table(months: pd.DataFrame, m_star: int | None) -> pd.DataFrame:
    """Per row × month: plan, actual, cumulative plan and actual, rate, cumulative rate.

    ``m_star`` is a period (calc.months). Up to m* a blank actual is 0
    collected; after m* the month has not happened yet, so actual, its
    cumulative and its rates stay blank. Months are in time order.
    """
    table = months[["sheet", "row", "month", "plan", "actual"]].copy()
    table["period"] = periods(months)
    table["year"] = year_of(months, table["period"])
    table["plan"] = as_floats(table["plan"])
    table["actual"] = as_floats(table["actual"])
    past = table["period"] <= (m_star if m_star is not None else -1)
    table["actual"] = table["actual"].fillna(0.0).where(past)
    table = table.sort_values(["sheet", "row", "period"], kind="stable").reset_index(drop=True)
    keys = [table["sheet"], table["row"]]
    table["cum_plan"] = table["plan"].fillna(0.0).groupby(keys, sort=False).cumsum()
    cum_actual = table["actual"].fillna(0.0).groupby(keys, sort=False).cumsum()
    table["cum_actual"] = cum_actual.where(table["actual"].notna())
    table["rate"] = divide(table["actual"], table["plan"])
    table["cum_rate"] = divide(table["cum_actual"], table["cum_plan"])
    return table


def aging_bucket(days_overdue: pd.Series, settings: Settings) -> pd.Series:
    """not_due (≤ 0 days), 1–30, 31–60, 61–90, over 90 by default; None without a date."""
    d30, d60, d90 = settings.get("receivables.aging_days")
    bucket = np.select(
        [days_overdue <= 0, days_overdue <= d30, days_overdue <= d60, days_overdue <= d90],
        list(AGING[:4]),
        default=AGING[4],
    )
    return pd.Series(bucket, index=days_overdue.index, dtype=object).where(days_overdue.notna(), None)


def collect(
    main: pd.DataFrame,
    months: pd.DataFrame,
    settings: Settings,
    as_of: dt.date,
    totals: pd.DataFrame | None = None,
    total_months: pd.DataFrame | None = None,
    cells: CellMap | None = None,
) -> tuple[Receivables, list[Issue]]:
    """Everything docs/method.md §5 asks of one workbook's receivables plan."""
    cells = cells or CellMap()
    m_star = last_actual_period(months, as_of)
    per_month = month_table(months, m_star)
    rows = row_figures(main, per_month, m_star, settings)
    aging = age_balances(rows, as_of, settings)
    summary = summarise(rows, month_of(m_star))
    issues = row_issues(rows, settings, cells)
    issues += check_totals(rows, per_month, totals, total_months, settings, cells)
    receivables = Receivables(
        rows.reset_index(drop=True), per_month, sheet_months(per_month), summary, aging, m_star
    )
    if aging is not None:
        receivables.aging_by_customer = customer_aging(rows)
    return receivables, issues


def aging_issues(receivables: Receivables, settings: Settings) -> list[Issue]:
    """Say plainly when the sheet has no due dates, rather than show an aging of zeros (an info issue)."""
    if receivables.aging is not None:
        return []
    rows = receivables.rows
    return [settings.issue("no_due_dates", str(rows["sheet"].iloc[0]) if len(rows) else None)]


def customer_aging(rows: pd.DataFrame) -> pd.DataFrame:
    """The outstanding balance per customer and aging bucket (rows aged by ``age_balances``), and its total.

    Customers in order of their first row; a customer with nothing outstanding has no row. The columns
    add up to the aging table's balances.
    """
    aged = rows.dropna(subset=["aging"])
    if aged.empty:
        return pd.DataFrame(columns=["customer", *AGING, "total"])
    table = (
        aged.pivot_table(index="customer", columns="aging", values="balance", aggfunc="sum", sort=False)
        .reindex(columns=list(AGING))
        .fillna(0.0)
    )
    table.columns.name = None
    table["total"] = table[list(AGING)].sum(axis=1)
    return table.rename_axis("customer").reset_index()


def row_figures(
    main: pd.DataFrame, per_month: pd.DataFrame, m_star: int | None, settings: Settings
) -> pd.DataFrame:
    """Each receivable: plan and actual (in all and to m*, a period), balance, coverage and behind flag."""
    rows = main.copy()
    rows["total_owed"] = as_floats(rows["total_owed"])
    # (named aggregations cost ~10× more per call)
    sums = per_month.groupby(ROW_KEYS, sort=False)[["plan", "actual"]].sum()
    to_date = (
        per_month[per_month["period"] <= (m_star if m_star is not None else -1)]
        .groupby(ROW_KEYS, sort=False)[["plan", "actual"]]
        .sum()
        .rename(columns={"plan": "plan_to_date", "actual": "actual_to_date"})
    )
    rows = rows.join(sums, on=ROW_KEYS).join(to_date, on=ROW_KEYS)
    for column in ("plan", "actual", "plan_to_date", "actual_to_date"):
        rows[column] = rows[column].fillna(0.0)
    rows["balance"] = rows["total_owed"] - rows["actual"]
    rows["plan_coverage"] = rows["plan"] / rows["total_owed"].where(rows["total_owed"] > 0)
    rows["rate_to_date"] = divide(rows["actual_to_date"], rows["plan_to_date"])
    behind_share = settings.get("receivables.behind")
    rows["behind"] = (rows["plan_to_date"] > 0) & (
        rows["actual_to_date"] < behind_share * rows["plan_to_date"]
    )
    return rows


def age_balances(rows: pd.DataFrame, as_of: dt.date, settings: Settings) -> pd.DataFrame | None:
    """Add each row's days overdue and aging bucket at the review date; the balance per bucket.

    None (and blank columns) when the sheet has no due dates. A row with
    nothing outstanding has no bucket.
    """
    if "due_date" not in rows.columns or not rows["due_date"].notna().any():
        rows["days_overdue"] = np.nan
        rows["aging"] = None
        return None
    due = pd.to_datetime(rows["due_date"], errors="coerce")
    days = (pd.Timestamp(as_of) - due).dt.days
    rows["days_overdue"] = days
    rows["aging"] = aging_bucket(days, settings).where(rows["balance"] > 0, None)
    return (
        rows.dropna(subset=["aging"])
        .groupby("aging")["balance"]
        .sum()
        .reindex(list(AGING))
        .fillna(0.0)
        .rename("balance")
        .to_frame()
    )


def sheet_months(per_month: pd.DataFrame) -> pd.DataFrame:
    """The sheet's figures per month (the sum over its rows), in time order.

    Columns: month, plan, actual, cum_plan, cum_actual, rate, cum_rate, then
    period and year (None when the months carry no year).
    """
    grouped = per_month.groupby("period")
    by_month = pd.DataFrame(
        {
            "month": grouped["month"].first().astype(int),
            "plan": grouped["plan"].sum(),
            "actual": grouped["actual"].sum(min_count=1),
        }
    ).sort_index()
    by_month["cum_plan"] = by_month["plan"].cumsum()
    by_month["cum_actual"] = by_month["actual"].cumsum().where(by_month["actual"].notna())
    by_month["rate"] = divide(by_month["actual"], by_month["plan"])
    by_month["cum_rate"] = divide(by_month["cum_actual"], by_month["cum_plan"])
    by_month["year"] = grouped["year"].first()
    return by_month.reset_index().reindex(
        columns=["month", "plan", "actual", "cum_plan", "cum_actual", "rate", "cum_rate", "period", "year"]
    )


def customer_to_date(rows: pd.DataFrame) -> pd.DataFrame:
    """Each customer's lines together: plan and actual to date summed, the customers in input order.

    A customer is judged on all its lines (products) at once, the way the
    receivables sheet, the summary and the decisions count customers; a
    single late line is the sheet's line flag (``behind``), not the customer's.
    """
    if rows.empty:
        return pd.DataFrame(columns=["plan_to_date", "actual_to_date"], dtype=float)
    names = rows["customer"].astype(str)
    return rows.groupby(names, sort=False)[["plan_to_date", "actual_to_date"]].sum()


def customers_behind(rows: pd.DataFrame, behind: float) -> list[str]:
    """The customers behind on collections as customers: their lines' plan and actual to date summed, the
    sum under ``behind`` × plan (``receivables.behind``). A customer with one late product of several
    (朗通: 88 % on 产品B, 96.7 % in all) is not behind; the sheet flags that line, not the customer."""
    sums = customer_to_date(rows)
    if sums.empty:
        return []
    late = (sums["plan_to_date"] > 0) & (sums["actual_to_date"] < behind * sums["plan_to_date"])
    return [str(name) for name in sums.index[late]]


def summarise(rows: pd.DataFrame, m_star: int | None) -> ReceivablesSummary:
    """The sheet's key figures from its rows."""
    plan_to_date = float(rows["plan_to_date"].sum())
    actual_to_date = float(rows["actual_to_date"].sum())
    total_owed = float(rows["total_owed"].sum())
    return {
        "total_owed": total_owed,
        "plan": float(rows["plan"].sum()),
        "actual": float(rows["actual"].sum()),
        "last_month": m_star,
        "plan_to_date": plan_to_date,
        "actual_to_date": actual_to_date,
        "collection_rate": actual_to_date / plan_to_date if plan_to_date else None,
        "balance": total_owed - float(rows["actual"].sum()),
        "plan_coverage": float(rows["plan"].sum()) / total_owed if total_owed > 0 else None,
        "behind": list(dict.fromkeys(rows.loc[rows["behind"], "customer"].astype(str))),
    }


def row_issues(rows: pd.DataFrame, settings: Settings, cells: CellMap) -> list[Issue]:
    """Rows whose plan does not collect the whole debt, then rows which collected more than owed."""

    def at_total_owed(code: str, row: dict[str, Any], **params: str) -> Issue:
        cell = cells.cell(row["sheet"], "total_owed", row["row"])
        return settings.issue(code, row["sheet"], cell, **params)

    short = rows[rows["plan_coverage"] < 1.0 - 1e-9].to_dict("records")
    over = rows[rows["balance"] < -settings.get("receivables.total_tolerance")].to_dict("records")
    return [
        at_total_owed(
            "plan_short",
            row,
            customer=_label(row),
            plan=fmt(row["plan"]),
            owed=fmt(row["total_owed"]),
            coverage=pct(row["plan_coverage"]),
        )
        for row in short
    ] + [
        at_total_owed(
            "overcollected", row, customer=_label(row), actual=fmt(row["actual"]), owed=fmt(row["total_owed"])
        )
        for row in over
    ]


def _label(row: dict[str, Any]) -> str:
    """A receivable in a message: the customer, and its product if any."""
    return row_label(row["customer"], row.get("product"))


def check_totals(
    rows: pd.DataFrame,
    per_month: pd.DataFrame,
    totals: pd.DataFrame | None,
    total_months: pd.DataFrame | None,
    settings: Settings,
    cells: CellMap | None = None,
) -> list[Issue]:
    """Compare each written 合计 cell with the sum of the rows above it (per sheet)."""
    cells = cells or CellMap()
    tolerance = settings.get("receivables.total_tolerance")
    measures = [
        name
        for name in ("total_owed", "qty")
        if name in rows.columns and (totals is None or name in totals.columns)
    ]
    issues = [
        total_mismatch_issue(
            settings,
            mismatch,
            cells.cell(mismatch["sheet"], mismatch["measure"], mismatch["row"]),
            settings.label(f"headers.receivables.{mismatch['measure']}"),
        )
        for mismatch in mismatched_totals(rows, totals, ["sheet"], measures, tolerance)
    ]
    if total_months is not None:  # a 合计 row's months are matched by their place in time
        total_months = total_months.assign(period=periods(total_months))
    for mismatch in mismatched_totals(
        per_month, total_months, ["sheet", "period"], ["plan", "actual"], tolerance
    ):
        month = settings.label(f"values.month.{int(mismatch['month'])}")
        measure = settings.label(f"values.measure.{mismatch['measure']}")
        issues.append(total_mismatch_issue(settings, mismatch, written_cell(mismatch), f"{month} {measure}"))
    return issues
