"""The key figures a review opens with, and how each moved since last month (the dashboard and the summary).

To date against plan: collections, revenue, expense, profit. Month over
month: this month's collections, revenue and profit against last month's
(both in the workbook's own month tables), the cumulative collection rate,
and, when a history was kept, the open and weighted pipeline and the
funnel's grade against the region's previous review.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from kamxl.calc.months import periods
from kamxl.calc.numbers import pct
from kamxl.config import Settings
from kamxl.results import Results
from kamxl.write.words import health_label, rate_tone, trend_health, variance_tone

Context = dict[str, Any]
NOISE = 0.0005  # a change smaller than this (0.05 %, or 0.05 points) reads "level"


def last_two(frame: pd.DataFrame, column: str, last_period: int | None) -> tuple[float | None, float | None]:
    """The figure of the last month with actuals and of the month before it (None where there is none)."""
    if last_period is None or frame.empty or column not in frame:
        return None, None
    by_period = dict(zip(periods(frame), pd.to_numeric(frame[column], errors="coerce"), strict=True))

    def known(period: int) -> float | None:
        value = by_period.get(period)
        return None if value is None or value != value else float(value)

    return known(last_period), known(last_period - 1)


def previous_trend(results: Results, figure: str) -> Any:
    """Last month's figure from the history (the region's previous review), if there is one."""
    history = results.history
    if not history or history.get("trends") is None or not len(history["trends"]):
        return None
    trends = history["trends"]
    earlier = trends[trends["period"] < history["period"]]
    if earlier.empty:
        return None
    value = earlier.iloc[-1][figure]
    return None if value is None or (isinstance(value, float) and value != value) else value


def arrow(change: float) -> str:
    return "▲" if change > NOISE else "▼" if change < -NOISE else "="


def tone(change: float, good_when_up: bool = True) -> str:
    if abs(change) <= NOISE:
        return ""
    return "good" if (change > 0) == good_when_up else "bad"


def _money(value: float) -> str:
    return f"{value:,.0f}".replace("-", "−")


def _row(settings: Settings, key: str, now: str, before: str | None, change: str, look: str) -> Context:
    """A figure now and last month; ``tone`` colours the change, ``value_tone`` the figure itself."""
    label = settings.label(f"summary.changes.{key}")
    return {
        "label": label,
        "now": now,
        "before": before or "—",
        "change": change,
        "tone": look,
        "value_tone": "",
    }


def _money_row(settings: Settings, key: str, now: float, before: float | None) -> Context:
    if not before:
        return _row(settings, key, _money(now), None if before is None else _money(before), "—", "")
    change = (now - before) / abs(before)
    return _row(
        settings, key, _money(now), _money(before), f"{arrow(change)} {pct(abs(change))}", tone(change)
    )


def _rate_row(settings: Settings, key: str, now: float, before: float | None) -> Context:
    if before is None:
        return _row(settings, key, pct(now), None, "—", "")
    points = now - before
    change = settings.label("summary.changes.points", change=f"{arrow(points)} {abs(points) * 100:.1f}")
    return _row(settings, key, pct(now), pct(before), change, tone(points))


def month_over_month(results: Results, settings: Settings) -> list[Context]:
    """This month against last month, for every key figure that has both."""
    rows: list[Context] = []
    receivables = results.receivables
    if receivables is not None:
        now, before = last_two(receivables.by_month, "actual", receivables.last_period)
        if now is not None:
            rows.append(_money_row(settings, "collected", now, before))
        rate = receivables.summary["collection_rate"]
        previous = previous_trend(results, "collection_rate")
        if previous is None:
            previous = last_two(receivables.by_month, "cum_rate", receivables.last_period)[1]
        if rate is not None:
            rows.append(_rate_row(settings, "collection_rate", rate, previous))
            rows[-1]["value_tone"] = rate_tone(settings, rate)  # one colour rule: red only when behind
    if results.pnl is not None:
        for figure in ("revenue", "profit"):
            now, before = last_two(results.pnl.months, f"{figure}_actual", results.pnl.last_period)
            if now is not None:
                rows.append(_money_row(settings, figure, now, before))
    rows += _funnel_rows(results, settings)
    return rows


def _funnel_rows(results: Results, settings: Settings) -> list[Context]:
    """Open and weighted pipeline, and the grade, against the previous review (a history's only)."""
    if results.funnel is None or results.health is None:
        return []
    open_now, weighted = int(results.funnel["count"].sum()), float(results.funnel["weighted"].sum())
    open_before, weighted_before = previous_trend(results, "open"), previous_trend(results, "weighted_total")
    change = (
        "—" if open_before is None else f"{arrow(open_now - open_before)} {abs(open_now - open_before):.0f}"
    )
    look = "" if open_before is None else tone(open_now - open_before)
    rows = [
        _row(
            settings,
            "open",
            str(open_now),
            None if open_before is None else f"{open_before:.0f}",
            change,
            look,
        )
    ]
    rows.append(
        _money_row(
            settings, "weighted", weighted, None if weighted_before is None else float(weighted_before)
        )
    )
    grade, rule = results.health
    before, before_rule = previous_trend(results, "health"), previous_trend(results, "health_rule")
    rows.append(
        _row(
            settings,
            "health",
            health_label(settings, grade, rule),
            trend_health(settings, before, before_rule),
            "",
            "",
        )
    )
    return rows


def to_date_rows(results: Results, settings: Settings) -> list[Context]:
    """Collections, revenue, expense and profit to date: plan, actual, variance and its share of plan."""
    rows: list[Context] = []
    figures: list[tuple[str, float, float, bool]] = []
    if results.receivables is not None:
        summary = results.receivables.summary
        figures.append(("collections", summary["plan_to_date"], summary["actual_to_date"], True))
    pnl = results.pnl
    if pnl is not None and pnl.summary["last_month"] is not None:
        for group, good in (("revenue", True), ("expense", False), ("profit", True)):
            plan, actual = pnl.summary[f"{group}_plan_to_date"], pnl.summary[f"{group}_actual"]  # type: ignore[literal-required]
            figures.append((group, plan, actual, good))
    for key, plan, actual, good in figures:
        variance = actual - plan
        rows.append(
            {
                "label": settings.label(f"summary.changes.{key}_to_date"),
                "plan": plan,
                "actual": actual,
                "variance": variance,
                "pct": variance / abs(plan) if plan else None,
                "tone": variance_tone(settings, variance, plan, good),
            }
        )
    return rows
