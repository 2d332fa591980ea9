"""Receivables collection plan (METHOD §5): cumulative figures, rates, balance, aging."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kamxl.calc.cells import CellMap, fmt, pct
from kamxl.calc.totals import mismatched_totals
from kamxl.config import Settings
from kamxl.issues import Issue

AGING = ("not_due", "d1_30", "d31_60", "d61_90", "over_90")


@dataclass
class Receivables:
    """Results per row, per row × month, per month, and the sheet's key figures."""

    rows: pd.DataFrame
    months: pd.DataFrame
    by_month: pd.DataFrame
    summary: dict = field(default_factory=dict)
    aging: pd.DataFrame | None = None


def last_actual_month(months: pd.DataFrame) -> int | None:
    """m*: the last month with any (non-zero) actual amount in the sheet.

    Zeros do not count: templates are often pre-filled with 0 for months to come.
    """
    actual = pd.to_numeric(months["actual"], errors="coerce")
    hit = months.loc[actual.notna() & (actual != 0), "month"]
    return int(hit.max()) if len(hit) else None


def month_table(months: pd.DataFrame, m_star: int | None) -> pd.DataFrame:
    """Per row × month: plan, actual, cumulative plan and actual, rate, cumulative rate.

    Up to m* a blank actual is 0 collected; after m* the month has not
    happened yet, so actual, its cumulative and its rates stay blank.
    """
    m = months[["sheet", "row", "month", "plan", "actual"]].copy()
    m["plan"] = pd.to_numeric(m["plan"], errors="coerce").astype(float)
    m["actual"] = pd.to_numeric(m["actual"], errors="coerce").astype(float)
    past = m["month"] <= (m_star or 0)
    m["actual"] = m["actual"].fillna(0.0).where(past)
    m = m.sort_values(["sheet", "row", "month"], kind="stable").reset_index(drop=True)
    keys = [m["sheet"], m["row"]]
    m["cum_plan"] = m["plan"].fillna(0.0).groupby(keys, sort=False).cumsum()
    m["cum_actual"] = m["actual"].fillna(0.0).groupby(keys, sort=False).cumsum().where(m["actual"].notna())
    m["rate"] = m["actual"] / m["plan"].where(m["plan"] != 0)
    m["cum_rate"] = m["cum_actual"] / m["cum_plan"].where(m["cum_plan"] != 0)
    return m


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
    """Everything §5 asks of one workbook's receivables plan."""
    cells = cells or CellMap()
    issues: list[Issue] = []
    m_star = last_actual_month(months)
    mt = month_table(months, m_star)
    rows = main.copy()
    rows["total_owed"] = pd.to_numeric(rows["total_owed"], errors="coerce").astype(float)
    sums = mt.groupby(["sheet", "row"], sort=False)[
        ["plan", "actual"]
    ].sum()  # (named aggregations cost ~10× more per call)
    to_date = (
        mt[mt["month"] <= (m_star or 0)]
        .groupby(["sheet", "row"], sort=False)[["plan", "actual"]]
        .sum()
        .rename(columns={"plan": "plan_to_date", "actual": "actual_to_date"})
    )
    rows = rows.join(sums, on=["sheet", "row"]).join(to_date, on=["sheet", "row"])
    for c in ("plan", "actual", "plan_to_date", "actual_to_date"):
        rows[c] = rows[c].fillna(0.0)
    rows["balance"] = rows["total_owed"] - rows["actual"]
    rows["plan_coverage"] = rows["plan"] / rows["total_owed"].where(rows["total_owed"] > 0)
    rows["rate_to_date"] = rows["actual_to_date"] / rows["plan_to_date"].where(rows["plan_to_date"] != 0)
    behind_share = settings.get("receivables.behind")
    rows["behind"] = (rows["plan_to_date"] > 0) & (
        rows["actual_to_date"] < behind_share * rows["plan_to_date"]
    )
    # aging of the outstanding balance at the review date
    aging = None
    if "due_date" in rows.columns and rows["due_date"].notna().any():
        due = pd.to_datetime(rows["due_date"], errors="coerce")
        days = (pd.Timestamp(as_of) - due).dt.days
        rows["days_overdue"] = days
        rows["aging"] = aging_bucket(days, settings).where(rows["balance"] > 0, None)
        aging = (
            rows.dropna(subset=["aging"])
            .groupby("aging")["balance"]
            .sum()
            .reindex(list(AGING))
            .fillna(0.0)
            .rename("balance")
            .to_frame()
        )
    else:
        rows["days_overdue"] = np.nan
        rows["aging"] = None
    # the sheet's figures per month (sum over rows)
    per_month = mt.groupby("month")
    by_month = pd.DataFrame(
        {"plan": per_month["plan"].sum(), "actual": per_month["actual"].sum(min_count=1)}
    ).sort_index()
    by_month["cum_plan"] = by_month["plan"].cumsum()
    by_month["cum_actual"] = by_month["actual"].cumsum().where(by_month["actual"].notna())
    by_month["rate"] = by_month["actual"] / by_month["plan"].where(by_month["plan"] != 0)
    by_month["cum_rate"] = by_month["cum_actual"] / by_month["cum_plan"].where(by_month["cum_plan"] != 0)
    plan_to_date = float(rows["plan_to_date"].sum())
    actual_to_date = float(rows["actual_to_date"].sum())
    total_owed = float(rows["total_owed"].sum())
    summary = {
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
    # rows whose plan does not collect the whole debt, or which collected more than owed
    for row in rows[rows["plan_coverage"] < 1.0 - 1e-9].to_dict("records"):
        issues.append(
            settings.issue(
                "plan_short",
                row["sheet"],
                cells.cell(row["sheet"], "total_owed", row["row"]),
                customer=_label(row),
                plan=fmt(row["plan"]),
                owed=fmt(row["total_owed"]),
                coverage=pct(row["plan_coverage"]),
            )
        )
    for row in rows[rows["balance"] < -settings.get("receivables.total_tolerance")].to_dict("records"):
        issues.append(
            settings.issue(
                "overcollected",
                row["sheet"],
                cells.cell(row["sheet"], "total_owed", row["row"]),
                customer=_label(row),
                actual=fmt(row["actual"]),
                owed=fmt(row["total_owed"]),
            )
        )
    issues += check_totals(rows, mt, totals, total_months, settings, cells)
    return Receivables(rows.reset_index(drop=True), mt, by_month.reset_index(), summary, aging), issues


def _label(row) -> str:
    product = row.get("product")
    return f"{row['customer']} / {product}" if isinstance(product, str) and product else str(row["customer"])


def check_totals(
    rows: pd.DataFrame,
    mt: pd.DataFrame,
    totals: pd.DataFrame | None,
    total_months: pd.DataFrame | None,
    settings: Settings,
    cells: CellMap | None = None,
) -> list[Issue]:
    """Compare each written 合计 cell with the sum of the rows above it (per sheet)."""
    cells = cells or CellMap()
    issues: list[Issue] = []
    tolerance = settings.get("receivables.total_tolerance")
    header = lambda f: settings.label(f"headers.receivables.{f}")  # noqa: E731
    measures = [
        f for f in ("total_owed", "qty") if f in rows.columns and (totals is None or f in totals.columns)
    ]
    for t in mismatched_totals(rows, totals, ["sheet"], measures, tolerance):
        f = t["measure"]
        issues.append(
            settings.issue(
                "total_mismatch",
                t["sheet"],
                cells.cell(t["sheet"], f, t["row"]),
                written=fmt(t["written"]),
                computed=fmt(t["computed"]),
                column=header(f),
            )
        )
    for t in mismatched_totals(mt, total_months, ["sheet", "month"], ["plan", "actual"], tolerance):
        measure, col = t["measure"], f"{t['measure']}_col"
        name = f"{settings.label('values.month.' + str(int(t['month'])))} {settings.label('values.measure.' + measure)}"
        issues.append(
            settings.issue(
                "total_mismatch",
                t["sheet"],
                f"{t[col]}{int(t['row'])}" if t[col] else None,
                written=fmt(t["written"]),
                computed=fmt(t["computed"]),
                column=name,
            )
        )
    return issues
