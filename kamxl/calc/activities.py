"""Regional activity plan (METHOD §7): budget per month and owner, against the P&L's advertising plan."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kamxl.calc.cells import CellMap, fmt
from kamxl.config import Settings
from kamxl.issues import Issue
from kamxl.text import normalise_loose


@dataclass
class Activities:
    rows: pd.DataFrame  # one per activity, with its months and budget used
    months: pd.DataFrame  # activity × month: amount (written or spread)
    by_month: pd.DataFrame  # month: budget, advertising plan, over
    by_owner: pd.DataFrame  # owner: budget, activities
    summary: dict = field(default_factory=dict)


def spread_budget(main: pd.DataFrame, months: pd.DataFrame) -> pd.DataFrame:
    """Each activity's amount per month.

    A number in a month cell is that month's amount; marked months without a
    number share what is left of the 费用预算 evenly.
    """
    m = months[["sheet", "row", "month", "amount"]].copy()
    m["amount"] = pd.to_numeric(m["amount"], errors="coerce").astype(float)
    budget = main.set_index(["sheet", "row"])["budget"].astype(float)
    m = m.join(budget, on=["sheet", "row"])
    g = m.groupby(["sheet", "row"], sort=False)
    written = g["amount"].transform("sum")
    marked_only = g["amount"].transform(lambda s: s.isna().sum())
    rest = (m["budget"].fillna(0.0) - written).clip(lower=0.0)
    m["spread"] = m["amount"].isna()
    m["amount"] = m["amount"].where(m["amount"].notna(), rest / marked_only.where(marked_only > 0))
    return m.drop(columns="budget")


def advertising_plan(pnl_main: pd.DataFrame | None, settings: Settings) -> pd.Series | None:
    """The P&L's 区域广告 plan per month (None when the workbook has no such line)."""
    if pnl_main is None or pnl_main.empty:
        return None
    names = {normalise_loose(a) for a in settings.get("vocab.pnl_line.advertising")}
    hit = pnl_main[
        (pnl_main["group"] == "expense") & pnl_main["line"].map(lambda x: normalise_loose(str(x)) in names)
    ]
    if hit.empty:
        return None
    return hit.groupby(hit["month"].astype(int))["plan"].sum(min_count=1).astype(float)


def plan_activities(
    main: pd.DataFrame,
    months: pd.DataFrame,
    settings: Settings,
    pnl_main: pd.DataFrame | None = None,
    cells: CellMap | None = None,
) -> tuple[Activities, list[Issue]]:
    cells = cells or CellMap()
    issues: list[Issue] = []
    rows = main.copy()
    rows["budget"] = pd.to_numeric(rows["budget"], errors="coerce").astype(float)
    spread = spread_budget(rows, months)
    per_row = spread.groupby(["sheet", "row"], sort=False).agg(
        months=("month", lambda s: sorted(int(x) for x in s)), planned=("amount", "sum")
    )
    rows = rows.join(per_row, on=["sheet", "row"])
    rows["months"] = [m if isinstance(m, list) else [] for m in rows["months"]]
    rows["planned"] = rows["planned"].fillna(0.0)
    tolerance = settings.get("activities.amount_tolerance")
    all_written = spread.groupby(["sheet", "row"], sort=False)["spread"].sum() == 0
    # the rules as columns; issues only for the rows that break one, in row order
    flags = pd.DataFrame(
        {
            "no_owner": ~rows["owner"].map(lambda x: isinstance(x, str) and bool(x.strip())),
            "no_month": rows["months"].map(len) == 0,
            "no_budget": rows["budget"].isna(),
            "all_written": [bool(all_written.get(key, False)) for key in zip(rows["sheet"], rows["row"])],
        },
        index=rows.index,
    )
    flags["mismatch"] = (
        ~flags["no_month"]
        & ~flags["no_budget"]
        & flags["all_written"]
        & ((rows["planned"] - rows["budget"]).abs() > tolerance)
    )
    broken = flags[["no_owner", "no_month", "no_budget", "mismatch"]].any(axis=1)
    for r in rows[broken].join(flags[broken]).to_dict("records"):
        where = lambda f: cells.cell(r["sheet"], f, r["row"])  # noqa: E731
        if r["no_owner"]:
            issues.append(
                settings.issue("activity_no_owner", r["sheet"], where("owner"), activity=r["activity"])
            )
        if r["no_month"]:
            issues.append(
                settings.issue("activity_no_month", r["sheet"], where("activity"), activity=r["activity"])
            )
        if r["no_budget"]:
            issues.append(
                settings.issue("activity_no_budget", r["sheet"], where("budget"), activity=r["activity"])
            )
        elif r["mismatch"]:
            issues.append(
                settings.issue(
                    "activity_amounts_mismatch",
                    r["sheet"],
                    where("budget"),
                    activity=r["activity"],
                    months=fmt(r["planned"]),
                    budget=fmt(r["budget"]),
                )
            )
    # the budget used: month amounts when the activity has months, else the 费用预算
    rows["budget_used"] = np.where(rows["months"].map(len) > 0, rows["planned"], rows["budget"].fillna(0.0))
    by_month = spread.groupby(spread["month"].astype(int))["amount"].sum().rename("budget").to_frame()
    ad = advertising_plan(pnl_main, settings)
    if ad is not None:
        by_month = by_month.join(ad.rename("advertising_plan"), how="outer").fillna({"budget": 0.0})
        by_month["over"] = by_month["budget"] > by_month["advertising_plan"].fillna(0.0) + tolerance
        sheet = rows["sheet"].iloc[0] if len(rows) else None
        for month, r in by_month[by_month["over"]].to_dict("index").items():
            issues.append(
                settings.issue(
                    "activities_over_advertising",
                    sheet,
                    None,
                    month=settings.label(f"values.month.{int(month)}"),
                    activities=fmt(r["budget"]),
                    plan=fmt(r["advertising_plan"]),
                )
            )
    else:
        by_month["advertising_plan"] = np.nan
        by_month["over"] = False
    by_month.index.name = "month"
    owners = rows["owner"].where(rows["owner"].map(lambda x: isinstance(x, str) and bool(x.strip())), "")
    by_owner = (
        rows.assign(owner=owners)
        .groupby("owner", sort=False)
        .agg(budget=("budget_used", "sum"), activities=("activity", "size"))
        .reset_index()
    )
    summary = {
        "budget": float(rows["budget_used"].sum()),
        "by_month": {int(m): float(b) for m, b in by_month["budget"].items()},
        "by_owner": [
            {"owner": o or None, "budget": float(b), "activities": int(n)}
            for o, b, n in zip(by_owner["owner"], by_owner["budget"], by_owner["activities"])
        ],
        "advertising_plan": {int(m): float(v) for m, v in by_month["advertising_plan"].items() if pd.notna(v)}
        if ad is not None
        else None,
        "over_advertising": [int(m) for m in by_month.index[by_month["over"]]],
    }
    return Activities(rows.reset_index(drop=True), spread, by_month.reset_index(), by_owner, summary), issues
