"""Contribution by customer and by product, and the share of the top few (the 80/20 look).

The course's regional marketing plan asks where the region's money comes
from. The method is silent on the figure, so kamxl takes the first basis the
workbook has, in the order the settings list (``contribution.*_basis``), and
says which one it used (docs/method.md, the decisions kamxl made).
"""

from __future__ import annotations

import math
from typing import NamedTuple, TypedDict

import pandas as pd

from kamxl.calc.months import periods
from kamxl.calc.pnl import PnL
from kamxl.calc.receivables import Receivables
from kamxl.config import Settings

RANKING_COLUMNS = ["name", "value", "share", "cum_share", "top"]


class RankSummary(TypedDict):
    """How concentrated a ranking is: the total, and how many names hold what share of it."""

    total: float
    count: int  # how many names
    top_count: int  # how many names make the top share of them
    top_share: float | None  # the share of the total they hold; None when the total is not positive


class ContributionSummary(RankSummary):
    """A ranking's summary and the basis its values came from (report.json's order)."""

    basis: str  # receivables | opportunities | pnl_actual | pnl_plan


class Ranking(NamedTuple):
    """A ranked table (name, value, share, cum_share, top) and its summary."""

    table: pd.DataFrame
    summary: ContributionSummary


class Contributions(TypedDict):
    """The ranking by customer and by product (Results.contribution)."""

    customers: Ranking | None  # None: no basis the workbook has
    products: Ranking | None


def rank_contribution(values: pd.Series, top_share: float) -> tuple[pd.DataFrame, RankSummary]:
    """Rank the summed ``values`` (indexed by name) high to low.

    Returns the table (name, value, share, cum_share, top) and its summary:
    how many names make the top ``top_share`` of them (at least one), and
    the share of the total they hold. Shares are None when the total is not
    positive: a share of nothing says nothing.
    """
    values = pd.to_numeric(values, errors="coerce").dropna()
    summed = values.groupby(level=0, sort=False).sum()
    ordered = summed.sort_values(ascending=False, kind="stable")
    total = float(ordered.sum())
    top_count = max(1, math.ceil(top_share * len(ordered))) if len(ordered) else 0
    table = pd.DataFrame(
        {"name": [str(name) for name in ordered.index], "value": ordered.to_numpy(dtype=float)}
    )
    table["top"] = table.index < top_count
    share_of_top: float | None = None
    if total > 0:
        table["share"] = table["value"] / total
        table["cum_share"] = table["share"].cumsum()
        share_of_top = float(table.loc[table["top"], "value"].sum()) / total
    else:
        table["share"] = None
        table["cum_share"] = None
    summary: RankSummary = {
        "total": total,
        "count": len(table),
        "top_count": top_count,
        "top_share": share_of_top,
    }
    return table[RANKING_COLUMNS], summary


def _customer_values(
    basis: str, customers: pd.DataFrame | None, receivables: Receivables | None
) -> pd.Series | None:
    """Each customer's value on one basis: what they owe, or their live opportunities' amount."""
    if basis == "receivables" and receivables is not None and not receivables.rows.empty:
        rows = receivables.rows.dropna(subset=["customer"])
        return pd.Series(rows["total_owed"].to_numpy(), index=rows["customer"].astype(str))
    if basis == "opportunities" and customers is not None and not customers.empty:
        live = customers[customers["status"] != "lost"].dropna(subset=["customer"])
        return pd.Series(live["amount"].to_numpy(), index=live["customer"].astype(str))
    return None


def _product_values(
    basis: str, pnl: PnL | None, receivables: Receivables | None
) -> tuple[pd.Series | None, str]:
    """Each product's value on one basis, and the basis as used (the P&L's actuals so far, else its plan)."""
    if basis == "pnl" and pnl is not None:
        lines = pnl.lines[pnl.lines["group"] == "revenue"]
        last = pnl.summary.get("last_month")
        if last:  # the year so far: what the products brought in (months in time: calc.months)
            now_at = pnl.last_period if pnl.last_period is not None else last - 1
            done = lines[periods(lines) <= now_at]
            return pd.Series(done["actual"].to_numpy(), index=done["line"].astype(str)), "pnl_actual"
        if not lines.empty:
            return pd.Series(lines["plan"].to_numpy(), index=lines["line"].astype(str)), "pnl_plan"
    if basis == "receivables" and receivables is not None and "product" in receivables.rows:
        rows = receivables.rows.dropna(subset=["product"])
        if not rows.empty:
            return pd.Series(rows["total_owed"].to_numpy(), index=rows["product"].astype(str)), "receivables"
    return None, basis


def contributions(
    customers: pd.DataFrame | None, receivables: Receivables | None, pnl: PnL | None, settings: Settings
) -> Contributions:
    """The ranking by customer and by product, each on the first basis the workbook has (None if none)."""
    top = float(settings.get("contribution.top_share"))
    out: Contributions = {"customers": None, "products": None}
    for basis in settings.get("contribution.customer_basis"):
        values = _customer_values(basis, customers, receivables)
        if values is not None and len(values):
            out["customers"] = _ranking(values, top, basis)
            break
    for basis in settings.get("contribution.product_basis"):
        values, used = _product_values(basis, pnl, receivables)
        if values is not None and len(values):
            out["products"] = _ranking(values, top, used)
            break
    return out


def _ranking(values: pd.Series, top_share: float, basis: str) -> Ranking:
    """The ranking of ``values``, its summary naming the basis used."""
    table, summary = rank_contribution(values, top_share)
    return Ranking(table, {**summary, "basis": basis})
