"""Projected P&L (METHOD §6): plan vs actual per line and month, variances, margin, YTD."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kamxl.calc.cells import fmt
from kamxl.calc.totals import mismatched_totals
from kamxl.config import Settings
from kamxl.issues import Issue

GROUPS = ("revenue", "expense", "profit")
# sign of a favourable variance per group: more revenue and profit, less expense
FAVOURABLE_SIGN = {"revenue": 1.0, "expense": -1.0, "profit": 1.0}


@dataclass
class PnL:
    lines: pd.DataFrame  # month × line: plan, actual, variance, variance_pct, favourable
    months: pd.DataFrame  # month: <group>_plan/_actual/_variance/_variance_pct/_ytd…, margins
    summary: dict = field(default_factory=dict)


def variance(plan: pd.Series, actual: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(actual − plan, (actual − plan) / |plan|); NaN where actual is missing or plan is 0."""
    var = actual - plan
    return var, var / plan.abs().where(plan != 0)


def favourable(group: pd.Series | str, var: pd.Series) -> pd.Series:
    """True for revenue/profit above plan or expense below plan, False for the opposite, None at 0 or unknown."""
    sign = group.map(FAVOURABLE_SIGN) if isinstance(group, pd.Series) else FAVOURABLE_SIGN[group]
    signed = var * sign
    out = pd.Series(
        np.where(signed > 0, True, np.where(signed < 0, False, None)), index=var.index, dtype=object
    )
    return out.where(var.notna() & (var != 0), None)


def months_with_actuals(lines: pd.DataFrame) -> list[int]:
    act = lines.loc[lines["group"].isin(["revenue", "expense"])]
    a = pd.to_numeric(act["actual"], errors="coerce")
    return sorted(int(m) for m in act.loc[a.notna() & (a != 0), "month"].unique())


def analyse(
    main: pd.DataFrame, settings: Settings, totals: pd.DataFrame | None = None
) -> tuple[PnL, list[Issue]]:
    """Everything §6 asks of one workbook's P&L."""
    issues: list[Issue] = []
    data = main.copy()
    data["plan"] = pd.to_numeric(data["plan"], errors="coerce").astype(float)
    data["actual"] = pd.to_numeric(data["actual"], errors="coerce").astype(float)
    data["month"] = data["month"].astype(int)
    with_actuals = months_with_actuals(data)
    # a month without any actual has not happened yet: its actuals are unknown, not 0
    data.loc[~data["month"].isin(with_actuals), "actual"] = np.nan
    items = data[data["group"].isin(["revenue", "expense"])].copy()
    items["variance"], items["variance_pct"] = variance(items["plan"], items["actual"])
    items["favourable"] = favourable(items["group"], items["variance"])
    index = pd.Index(sorted(data["month"].unique()), name="month")
    has = index.isin(with_actuals)
    m: dict[str, pd.Series] = {}  # the month table's columns, built as Series and framed once
    for g in ("revenue", "expense"):
        part = items[items["group"] == g].groupby("month")
        m[f"{g}_plan"] = part["plan"].sum(min_count=1).reindex(index).fillna(0.0)
        actual = part["actual"].sum(min_count=1).reindex(index)
        m[f"{g}_actual"] = actual.where(
            ~has | actual.notna(), 0.0
        )  # a month with actuals: a line left blank is 0
    m["profit_plan"] = m["revenue_plan"] - m["expense_plan"]
    m["profit_actual"] = m["revenue_actual"] - m["expense_actual"]
    for g in GROUPS:
        m[f"{g}_variance"], m[f"{g}_variance_pct"] = variance(m[f"{g}_plan"], m[f"{g}_actual"])
        m[f"{g}_favourable"] = favourable(g, m[f"{g}_variance"])
        m[f"{g}_plan_ytd"] = m[f"{g}_plan"].cumsum()
        m[f"{g}_actual_ytd"] = m[f"{g}_actual"].cumsum().where(m[f"{g}_actual"].notna())
    m["margin_plan"] = m["profit_plan"] / m["revenue_plan"].where(m["revenue_plan"] != 0)
    m["margin_actual"] = m["profit_actual"] / m["revenue_actual"].where(m["revenue_actual"] != 0)
    months = pd.DataFrame(m, index=index).reset_index()
    # the input's own 预期盈亏, checked against revenue − expense
    tolerance = settings.get("pnl.profit_tolerance")
    written = data[data["group"] == "profit"]
    check = written.join(months.set_index("month")[["profit_plan", "profit_actual"]], on="month")
    for w in check.to_dict("records"):
        for measure, col in (("plan", "plan_col"), ("actual", "actual_col")):
            value, computed = w[measure], w[f"profit_{measure}"]
            if pd.isna(value) or pd.isna(computed):
                continue
            if abs(value - computed) > tolerance:
                issues.append(
                    settings.issue(
                        "profit_mismatch",
                        w["sheet"],
                        f"{w[col]}{int(w['row'])}" if w[col] else None,
                        month=settings.label(f"values.month.{int(w['month'])}"),
                        measure=settings.label(f"values.measure.{measure}"),
                        written=fmt(value),
                        computed=fmt(computed),
                    )
                )
    issues += _check_totals(items, written, totals, settings)
    summary = {f"{g}_{m}": _total(months[f"{g}_{m}"]) for g in GROUPS for m in ("plan", "actual")}
    last = max(with_actuals) if with_actuals else None
    to_date = months[months["month"] <= (last or 0)]
    summary.update(
        {
            "last_month": last,
            **{f"{g}_plan_to_date": float(to_date[f"{g}_plan"].sum()) for g in GROUPS},
            "margin_plan": _ratio(summary["profit_plan"], summary["revenue_plan"]),
            "margin_actual": _ratio(summary["profit_actual"], summary["revenue_actual"]) if last else None,
        }
    )
    for g in GROUPS:
        summary[f"{g}_variance_to_date"] = (
            summary[f"{g}_actual"] - summary[f"{g}_plan_to_date"] if last else None
        )
    return PnL(items.reset_index(drop=True), months, summary), issues


def _total(col: pd.Series) -> float:
    return float(col.sum()) if col.notna().any() else 0.0


def _ratio(a, b):
    return a / b if b else None


def _check_totals(
    items: pd.DataFrame, written_profit: pd.DataFrame, totals: pd.DataFrame | None, settings: Settings
) -> list[Issue]:
    """The 合计 row of each line against the sum of its months."""
    if totals is None or totals.empty:
        return []
    issues = []
    tolerance = settings.get("receivables.total_tolerance")
    both = pd.concat([items, written_profit])
    for t in mismatched_totals(
        both, totals, ["sheet", "group", "line"], ["plan", "actual"], tolerance, rows_required=True
    ):
        measure, col = t["measure"], f"{t['measure']}_col"
        issues.append(
            settings.issue(
                "total_mismatch",
                t["sheet"],
                f"{t[col]}{int(t['row'])}" if t[col] else None,
                written=fmt(t["written"]),
                computed=fmt(t["computed"]),
                column=f"{t['line']} {settings.label(f'values.measure.{measure}')}",
            )
        )
    return issues
