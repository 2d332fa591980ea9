"""Contribution by customer and by product, and the share of the top few (the 80/20 look).

The course's regional marketing plan asks where the region's money comes
from. METHOD is silent on the figure, so kamxl takes the first basis the
workbook has, in the order the settings list (``contribution.*_basis``), and
says which one it used.
"""

from __future__ import annotations

import math

import pandas as pd

from kamxl.config import Settings


def rank_contribution(values: pd.Series, top_share: float) -> tuple[pd.DataFrame, dict]:
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
    n_top = max(1, math.ceil(top_share * len(ordered))) if len(ordered) else 0
    table = pd.DataFrame({"name": [str(n) for n in ordered.index], "value": ordered.to_numpy(dtype=float)})
    table["top"] = table.index < n_top
    if total > 0:
        table["share"] = table["value"] / total
        table["cum_share"] = table["share"].cumsum()
        top_total = float(table.loc[table["top"], "value"].sum())
        summary = {"total": total, "count": len(table), "top_count": n_top, "top_share": top_total / total}
    else:
        table["share"] = None
        table["cum_share"] = None
        summary = {"total": total, "count": len(table), "top_count": n_top, "top_share": None}
    return table[["name", "value", "share", "cum_share", "top"]], summary


def _customer_values(basis: str, customers: pd.DataFrame | None, receivables) -> pd.Series | None:
    if basis == "receivables" and receivables is not None and not receivables.rows.empty:
        rows = receivables.rows.dropna(subset=["customer"])
        return pd.Series(rows["total_owed"].to_numpy(), index=rows["customer"].astype(str))
    if basis == "opportunities" and customers is not None and not customers.empty:
        live = customers[customers["status"] != "lost"].dropna(subset=["customer"])
        return pd.Series(live["amount"].to_numpy(), index=live["customer"].astype(str))
    return None


def _product_values(basis: str, pnl, receivables) -> tuple[pd.Series | None, str]:
    if basis == "pnl" and pnl is not None:
        lines = pnl.lines[pnl.lines["group"] == "revenue"]
        last = pnl.summary.get("last_month")
        if last:  # the year so far: what the products brought in
            done = lines[lines["month"] <= last]
            return pd.Series(done["actual"].to_numpy(), index=done["line"].astype(str)), "pnl_actual"
        if not lines.empty:
            return pd.Series(lines["plan"].to_numpy(), index=lines["line"].astype(str)), "pnl_plan"
    if basis == "receivables" and receivables is not None and "product" in receivables.rows:
        rows = receivables.rows.dropna(subset=["product"])
        if not rows.empty:
            return pd.Series(rows["total_owed"].to_numpy(), index=rows["product"].astype(str)), "receivables"
    return None, basis


def contributions(customers: pd.DataFrame | None, receivables, pnl, settings: Settings) -> dict:
    """{"customers": (table, summary) | None, "products": (table, summary) | None}, each summary naming its basis."""
    top = float(settings.get("contribution.top_share"))
    out: dict = {"customers": None, "products": None}
    for basis in settings.get("contribution.customer_basis"):
        values = _customer_values(basis, customers, receivables)
        if values is not None and len(values):
            table, summary = rank_contribution(values, top)
            out["customers"] = (table, summary | {"basis": basis})
            break
    for basis in settings.get("contribution.product_basis"):
        values, used = _product_values(basis, pnl, receivables)
        if values is not None and len(values):
            table, summary = rank_contribution(values, top)
            out["products"] = (table, summary | {"basis": used})
            break
    return out
