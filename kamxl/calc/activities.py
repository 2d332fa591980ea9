"""Regional activity plan (docs/method.md §7): budget per month and owner, against the P&L's advertising plan.

The activity plan lists the region's marketing activities, who runs each,
its budget (费用预算) and the months it takes place. The review spreads each
budget over its months, checks every activity has an owner, months and a
budget, and compares each month's spending with the 区域广告 (regional
advertising) line the P&L planned for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypedDict

import numpy as np
import pandas as pd

from kamxl.calc.cells import CellMap
from kamxl.calc.frames import as_floats, has_text
from kamxl.calc.months import has_years, month_heading, month_key, periods, spans_years
from kamxl.calc.numbers import fmt
from kamxl.config import Settings
from kamxl.issues import Issue
from kamxl.text import normalise_loose

ROW_KEYS = ["sheet", "row"]  # one activity: its sheet and Excel row


class OwnerBudget(TypedDict):
    """One owner's share of the plan."""

    owner: str | None  # None: activities nobody owns
    budget: float
    activities: int


class ActivitiesSummary(TypedDict):
    """The plan's key figures (report.json's ``activities``, in this order)."""

    budget: float
    # months are keyed 1..12, or YYYYMM (calc.months.month_key) when the plan runs into a second year
    by_month: dict[int, float]
    by_owner: list[OwnerBudget]
    advertising_plan: dict[int, float] | None  # None: the workbook's P&L has no advertising line
    over_advertising: list[int]  # months whose activities cost more than the advertising plan


@dataclass
class Activities:
    """The activity plan's results per activity, per activity × month, per month and per owner."""

    rows: pd.DataFrame  # one per activity, with its months and budget used
    months: pd.DataFrame  # activity × month: amount (written or spread)
    by_month: pd.DataFrame  # month: budget, advertising plan, over
    by_owner: pd.DataFrame  # owner: budget, activities
    summary: ActivitiesSummary


def spread_budget(main: pd.DataFrame, months: pd.DataFrame) -> pd.DataFrame:
    """Each activity's amount per month.

    A number in a month cell is that month's amount; marked months without a
    number share what is left of the 费用预算 evenly.
    """
    spread = months[["sheet", "row", "month", "amount"]].copy()
    spread["period"] = periods(months)  # a rolling plan's two Novembers are two months (calc.months)
    spread["year"] = months["year"] if "year" in months.columns else None
    spread["amount"] = as_floats(spread["amount"])
    budget = main.set_index(ROW_KEYS)["budget"].astype(float)
    spread = spread.join(budget, on=ROW_KEYS)
    per_activity = spread.groupby(ROW_KEYS, sort=False)
    written = per_activity["amount"].transform("sum")
    marked_only = per_activity["amount"].transform(lambda amounts: amounts.isna().sum())
    rest = (spread["budget"].fillna(0.0) - written).clip(lower=0.0)
    spread["spread"] = spread["amount"].isna()
    spread["amount"] = spread["amount"].where(
        spread["amount"].notna(), rest / marked_only.where(marked_only > 0)
    )
    return spread.drop(columns="budget")


def _advertising_lines(pnl_main: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """The P&L's rows of its 区域广告 (regional advertising) expense line."""
    names = {normalise_loose(name) for name in settings.get("vocab.pnl_line.advertising")}
    is_advertising = pnl_main["line"].map(lambda line: normalise_loose(str(line)) in names)
    return pnl_main[(pnl_main["group"] == "expense") & is_advertising]


def advertising_plan(pnl_main: pd.DataFrame | None, settings: Settings) -> pd.Series | None:
    """The P&L's 区域广告 plan per month (None when the workbook has no such line)."""
    if pnl_main is None or pnl_main.empty:
        return None
    hit = _advertising_lines(pnl_main, settings)
    if hit.empty:
        return None
    # the activity plan names months by number: a month a rolling P&L holds twice (two Novembers, in two
    # years) has no one advertising plan to hold the activities against, and is left out of the comparison
    month = hit["month"].astype(int)
    twice = hit.assign(period=periods(hit)).groupby(month)["period"].nunique() > 1
    plan = hit.groupby(month)["plan"].sum(min_count=1).astype(float)
    return plan[~twice.reindex(plan.index, fill_value=False)]


def advertising_by_period(
    pnl_main: pd.DataFrame | None, settings: Settings, spread: pd.DataFrame
) -> pd.Series | None:
    """The P&L's 区域广告 plan per month of the activity plan (its ``period``), None without such a line.

    When both forms date their months, each month is held against the same
    month of the same year. Otherwise the P&L's month numbers (``advertising_plan``)
    are placed in the activity plan's months: a month number the activity plan
    holds twice (a rolling plan's two Novembers) has no one plan, and is not compared.
    """
    if pnl_main is None or pnl_main.empty:
        return None
    hit = _advertising_lines(pnl_main, settings)
    if hit.empty:
        return None
    if has_years(hit) and has_years(spread):
        return hit.groupby(periods(hit))["plan"].sum(min_count=1).astype(float)
    by_number = advertising_plan(pnl_main, settings)
    if by_number is None:
        return None
    first = int(spread["period"].min()) if len(spread) else 0
    placed: dict[int, float] = {}
    for month, plan in by_number.items():
        held = sorted({int(period) for period in spread["period"] if int(period) % 12 + 1 == month})
        if len(held) > 1:
            continue
        period = held[0] if held else (first // 12) * 12 + int(month) - 1
        placed[period + 12 if period < first else period] = float(plan)
    return pd.Series(placed, dtype=float)


def plan_activities(
    main: pd.DataFrame,
    months: pd.DataFrame,
    settings: Settings,
    pnl_main: pd.DataFrame | None = None,
    cells: CellMap | None = None,
) -> tuple[Activities, list[Issue]]:
    """Everything docs/method.md §7 asks of the activity plan, with the P&L's advertising plan if any."""
    cells = cells or CellMap()
    tolerance = settings.get("activities.amount_tolerance")
    rows = main.copy()
    rows["budget"] = as_floats(rows["budget"])
    spread = spread_budget(rows, months)
    rows = _with_months(rows, spread)
    issues = row_issues(rows, rule_flags(rows, spread, tolerance), settings, cells)
    # the budget used: month amounts when the activity has months, else the 费用预算
    rows["budget_used"] = np.where(rows["months"].map(len) > 0, rows["planned"], rows["budget"].fillna(0.0))
    advertising = advertising_by_period(pnl_main, settings, spread)
    by_month = month_budget(spread, advertising, tolerance)
    issues += over_advertising_issues(by_month, rows, settings)
    by_owner = owner_budget(rows)
    summary = summarise(rows, by_month, by_owner, has_advertising=advertising is not None)
    activities = Activities(rows.reset_index(drop=True), spread, by_month.reset_index(), by_owner, summary)
    return activities, issues


def _with_months(rows: pd.DataFrame, spread: pd.DataFrame) -> pd.DataFrame:
    """Each activity with its months (a sorted list, [] for none) and the amount they plan."""
    in_time = spread.sort_values("period", kind="stable") if "period" in spread else spread
    per_activity = in_time.groupby(ROW_KEYS, sort=False).agg(
        months=("month", lambda months: [int(month) for month in months]), planned=("amount", "sum")
    )
    rows = rows.join(per_activity, on=ROW_KEYS)
    rows["months"] = [months if isinstance(months, list) else [] for months in rows["months"]]
    rows["planned"] = rows["planned"].fillna(0.0)
    return rows


def rule_flags(rows: pd.DataFrame, spread: pd.DataFrame, tolerance: float) -> pd.DataFrame:
    """The rules as columns, True where a row breaks one.

    ``mismatch``: every month has a written amount and they do not add up to
    the budget (with months marked only, the budget is spread and adds up).
    """
    all_written = spread.groupby(ROW_KEYS, sort=False)["spread"].sum() == 0
    keys = zip(rows["sheet"], rows["row"], strict=True)
    flags = pd.DataFrame(
        {
            "no_owner": ~has_text(rows["owner"]),
            "no_month": rows["months"].map(len) == 0,
            "no_budget": rows["budget"].isna(),
            "all_written": [bool(all_written.get(key, False)) for key in keys],
        },
        index=rows.index,
    )
    flags["mismatch"] = (
        ~flags["no_month"]
        & ~flags["no_budget"]
        & flags["all_written"]
        & ((rows["planned"] - rows["budget"]).abs() > tolerance)
    )
    return flags


def row_issues(rows: pd.DataFrame, flags: pd.DataFrame, settings: Settings, cells: CellMap) -> list[Issue]:
    """One issue per broken rule, in row order."""
    broken = flags[["no_owner", "no_month", "no_budget", "mismatch"]].any(axis=1)
    issues: list[Issue] = []
    for row in rows[broken].join(flags[broken]).to_dict("records"):
        issues += _broken_rules(row, settings, cells)
    return issues


def _broken_rules(row: dict[str, Any], settings: Settings, cells: CellMap) -> list[Issue]:
    """The issues of one activity row; a row without a budget is not also a mismatch."""

    def at(field: str, code: str, **params: str) -> Issue:
        cell = cells.cell(row["sheet"], field, row["row"])
        return settings.issue(code, row["sheet"], cell, activity=row["activity"], **params)

    found: list[Issue] = []
    if row["no_owner"]:
        found.append(at("owner", "activity_no_owner"))
    if row["no_month"]:
        found.append(at("activity", "activity_no_month"))
    if row["no_budget"]:
        found.append(at("budget", "activity_no_budget"))
    elif row["mismatch"]:
        months, budget = fmt(row["planned"]), fmt(row["budget"])
        found.append(at("budget", "activity_amounts_mismatch", months=months, budget=budget))
    return found


def month_budget(spread: pd.DataFrame, advertising: pd.Series | None, tolerance: float) -> pd.DataFrame:
    """Per month: the activities' budget, the advertising plan and whether it is exceeded.

    Months are compared by ``period`` (a rolling plan's two Novembers apart);
    the index ``month`` is each month's key in the report (calc.months.month_key:
    1..12, or YYYYMM when the plan runs into a second year), beside its
    ``period`` and ``year``.
    """
    by_month = spread.groupby(periods(spread))["amount"].sum().rename("budget").to_frame()
    if advertising is not None:
        by_month = by_month.join(advertising.rename("advertising_plan"), how="outer").fillna({"budget": 0.0})
        by_month["over"] = by_month["budget"] > by_month["advertising_plan"].fillna(0.0) + tolerance
    else:
        by_month["advertising_plan"] = np.nan
        by_month["over"] = False
    period = pd.Series(by_month.index.astype(int), index=by_month.index)
    spanning = bool(len(period)) and int(period.max()) // 12 != int(period.min()) // 12
    by_month["period"] = period
    by_month["year"] = (period // 12).astype(object) if has_years(spread) else None
    by_month.index = pd.Index([month_key(int(p), spanning) for p in period], name="month")
    return by_month


def over_advertising_issues(by_month: pd.DataFrame, rows: pd.DataFrame, settings: Settings) -> list[Issue]:
    """A month whose activities cost more than the P&L's advertising plan (on the plan's first sheet)."""
    sheet = rows["sheet"].iloc[0] if len(rows) else None
    spanning, dated = spans_years(by_month), has_years(by_month)
    return [
        settings.issue(
            "activities_over_advertising",
            sheet,
            None,
            month=month_heading(settings, int(figures["period"]), spanning, dated),
            activities=fmt(figures["budget"]),
            plan=fmt(figures["advertising_plan"]),
        )
        for figures in by_month[by_month["over"]].to_dict("records")
    ]


def owner_budget(rows: pd.DataFrame) -> pd.DataFrame:
    """Per owner ("" for nobody), in order of appearance: the budget used and how many activities."""
    owners = rows["owner"].where(has_text(rows["owner"]), "")
    return (
        rows.assign(owner=owners)
        .groupby("owner", sort=False)
        .agg(budget=("budget_used", "sum"), activities=("activity", "size"))
        .reset_index()
    )


def summarise(
    rows: pd.DataFrame, by_month: pd.DataFrame, by_owner: pd.DataFrame, has_advertising: bool
) -> ActivitiesSummary:
    """The plan's key figures; the advertising plan per month only when the P&L has one."""
    owners = zip(by_owner["owner"], by_owner["budget"], by_owner["activities"], strict=True)
    advertising = {
        int(month): float(plan) for month, plan in by_month["advertising_plan"].items() if pd.notna(plan)
    }
    return {
        "budget": float(rows["budget_used"].sum()),
        "by_month": {int(month): float(budget) for month, budget in by_month["budget"].items()},
        "by_owner": [
            {"owner": owner or None, "budget": float(budget), "activities": int(count)}
            for owner, budget, count in owners
        ],
        "advertising_plan": advertising if has_advertising else None,
        "over_advertising": [int(month) for month in by_month.index[by_month["over"]]],
    }
