"""Funnel class (docs/method.md §2), priority (§3) and funnel health (§4) per opportunity.

The course scores each opportunity by its order size (against the owner's
period target) and its likelihood (how soon it closes), and files it in
class A–D of the sales funnel. Class and the customer's value tier give the
manager's priority P1–P4; the counts per class say whether the funnel is
healthy. Where the user wrote no order size or likelihood, kamxl derives
them from the amount, the target and the expected close date.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import numpy as np
import pandas as pd

from kamxl.calc.calendar import month_end, month_period
from kamxl.calc.cells import CellMap, row_label
from kamxl.calc.frames import as_floats, choose, optional_column
from kamxl.config import Settings
from kamxl.issues import Issue

CLASSES = ("A", "B", "C", "D")
SIZES = ("over", "major", "partial", "minor")
LIKELIHOODS = ("this_month", "this_period", "later", "intent")
PRIORITIES = ("P1", "P2", "P3", "P4")
PRIORITY_ORDER = {priority: rank for rank, priority in enumerate(PRIORITIES)}
"""P1 first: the order lists of customers are sorted in."""
PERIOD_MONTHS = {"month": 1, "quarter": 3, "half": 6, "year": 12}


class Health(NamedTuple):
    """The funnel's health grade and the rule of docs/method.md §4 that gave it."""

    grade: str  # excellent | good | fair | poor
    rule: str  # sparse | no_back_end | stuck | history | bottom_heavy | no_history


def funnel_class(total: float | None, settings: Settings) -> str | None:
    """Class of a total score.

    The total is rounded to one decimal first and the ranges are closed at
    the top (8 < total ≤ 10 is A), so float sums never flip a class.
    """
    if total is None or (isinstance(total, float) and np.isnan(total)):
        return None
    total = round(float(total), 1)
    # three bounds for four classes: a total above none of them is D
    for cls, bound in zip(CLASSES, settings.get("funnel.class_bounds"), strict=False):
        if total > bound:
            return cls
    return "D"


def score_funnel(opps: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Add ``score`` and ``class`` from the ``order_size`` and ``likelihood`` codes."""
    size = opps["order_size"].map(settings.get("funnel.size_scores"))
    likely = opps["likelihood"].map(settings.get("funnel.likelihood_scores"))
    total = (size.astype(float) + likely.astype(float)).round(1)
    out = opps.copy()
    out["score"] = total
    bounds = settings.get("funnel.class_bounds")
    cls = np.select([total > bounds[0], total > bounds[1], total > bounds[2]], list(CLASSES[:3]), default="D")
    out["class"] = pd.Series(cls, index=out.index, dtype=object).where(total.notna(), None)
    return out


def tier_of(attractiveness: float | None, advantage: float | None, settings: Settings) -> int | None:
    """1 = high/high, 2 = high attractiveness/low advantage, 3 = low/high, 4 = low/low."""
    if attractiveness is None or advantage is None or np.isnan(attractiveness) or np.isnan(advantage):
        return None
    high = settings.get("tier.high_threshold")
    return {(True, True): 1, (True, False): 2, (False, True): 3, (False, False): 4}[
        (attractiveness >= high, advantage >= high)
    ]


def priority_of(tier: int | None, cls: str | None, settings: Settings) -> str | None:
    """The manager's priority P1–P4 from tier × class (docs/method.md §3)."""
    if tier is None or cls is None or (isinstance(tier, float) and np.isnan(tier)) or tier is pd.NA:
        return None
    priority: str = settings.get(f"priority.tier{int(tier)}")[CLASSES.index(cls)]
    return priority


# -- deriving the two parts --------------------------------------------------
def derive_order_size(amount: pd.Series, target: pd.Series, settings: Settings) -> pd.Series:
    """超额/重要/部分/微小 from amount ÷ period target; None without a positive target."""
    amount = as_floats(amount)
    target = as_floats(target)
    ratio = amount / target.where(target > 0)
    over, major, partial = settings.get("funnel.size_ratio")
    size = np.select([ratio >= over, ratio >= major, ratio >= partial], list(SIZES[:3]), default="minor")
    return pd.Series(size, index=amount.index, dtype=object).where(ratio.notna(), None)


def period_end(as_of: dt.date, period: str) -> dt.date:
    """Last day of the assessment period holding ``as_of`` (calendar quarter by default)."""
    months = PERIOD_MONTHS[period]
    last_month = ((as_of.month - 1) // months + 1) * months
    return month_end(dt.date(as_of.year, last_month, 1))


def derive_likelihood(close: pd.Series, as_of: dt.date, settings: Settings) -> tuple[pd.Series, pd.Series]:
    """(likelihood code, overdue flag) from expected close dates at the review date.

    In the review month → this_month; by the end of the assessment period →
    this_period; later → later; no date → intent. A date before the review
    month is overdue: classed this_month and flagged.
    """
    dates = pd.to_datetime(close, errors="coerce")
    start = pd.Timestamp(as_of.replace(day=1))
    end = pd.Timestamp(month_end(as_of))
    p_end = pd.Timestamp(period_end(as_of, settings.get("funnel.period")))
    code = np.select(
        [dates.isna(), dates <= end, dates <= p_end], ["intent", "this_month", "this_period"], default="later"
    )
    overdue = dates.notna() & (dates < start)
    return pd.Series(code, index=close.index, dtype=object), overdue


def owner_targets(customers: pd.DataFrame, target: pd.Series) -> pd.Series:
    """Each row's period target, else its owner's: a target written once per owner is enough."""
    owner = optional_column(customers, "owner")
    if not owner.notna().any():
        return target
    per_owner = target.groupby([customers["sheet"], owner.fillna("")]).transform("first")
    return target.fillna(per_owner)


def classify_opportunities(
    customers: pd.DataFrame, settings: Settings, as_of: dt.date, cells: CellMap | None = None
) -> tuple[pd.DataFrame, list[Issue]]:
    """Order size, likelihood (written or derived), score, class and weighted amount.

    A row takes part in the funnel when it says anything about a deal (order
    size, likelihood, amount or expected close). Won and lost deals have left
    the funnel: they keep their tier but get no class.
    """
    cells = cells or CellMap()
    out = customers.copy()
    amount = as_floats(optional_column(out, "amount"))
    close = optional_column(out, "expected_close")
    in_funnel = (
        optional_column(out, "order_size").notna()
        | optional_column(out, "likelihood").notna()
        | amount.notna()
        | close.notna()
    )
    target = owner_targets(out, as_floats(optional_column(out, "period_target")))
    _fill_order_size(out, derive_order_size(amount, target, settings), in_funnel)
    _fill_likelihood(out, derive_likelihood(close, as_of, settings), in_funnel)
    status = optional_column(out, "status").fillna("open")
    out["status"] = status
    out["open"] = in_funnel & (status == "open")
    out = score_funnel(out, settings)
    out.loc[~out["open"], "class"] = None
    probability = out["likelihood"].map(settings.get("funnel.win_probability")).astype(float)
    out["amount"] = amount
    out["weighted_amount"] = (amount * probability).where(out["open"])
    issues = no_order_size_issues(out, settings, cells) + overdue_issues(out, as_of, settings, cells)
    return out, issues


def _fill_order_size(out: pd.DataFrame, derived: pd.Series, in_funnel: pd.Series) -> None:
    """``order_size`` as written, else derived, for rows in the funnel; and where it came from."""
    written = optional_column(out, "order_size")
    out["order_size"] = written.where(written.notna(), derived).where(in_funnel, None)
    out["order_size_source"] = choose([written.notna(), derived.notna() & in_funnel], ["written", "derived"])


def _fill_likelihood(out: pd.DataFrame, derived: tuple[pd.Series, pd.Series], in_funnel: pd.Series) -> None:
    """``likelihood`` as written, else derived from the close date; where it came from; overdue."""
    written = optional_column(out, "likelihood")
    code, overdue = derived
    out["likelihood"] = written.where(written.notna(), code).where(in_funnel, None)
    out["likelihood_source"] = choose([written.notna(), in_funnel], ["written", "derived"])
    out["overdue"] = overdue & written.isna() & in_funnel


def no_order_size_issues(opps: pd.DataFrame, settings: Settings, cells: CellMap) -> list[Issue]:
    """Open opportunities whose order size is neither written nor derivable (no amount or no target)."""
    issues: list[Issue] = []
    for row in opps[opps["open"] & opps["order_size"].isna()].to_dict("records"):
        sheet = row["sheet"]
        reason = "ui.reason_no_amount" if pd.isna(row["amount"]) else "ui.reason_no_target"
        # point at the target the user should fill in, else the amount, else the customer
        field = next((name for name in ("period_target", "amount") if cells.has(sheet, name)), "customer")
        issues.append(
            settings.issue(
                "no_order_size",
                sheet,
                cells.cell(sheet, field, row["row"]),
                customer=row_label(row["customer"], row.get("project")),
                reason=settings.label(reason),
            )
        )
    return issues


def overdue_issues(opps: pd.DataFrame, as_of: dt.date, settings: Settings, cells: CellMap) -> list[Issue]:
    """Open opportunities whose expected close is before the review month (their likelihood derived)."""
    return [
        settings.issue(
            "opportunity_overdue",
            row["sheet"],
            cells.cell(row["sheet"], "expected_close", row["row"]),
            customer=row_label(row["customer"], row.get("project")),
            date=pd.Timestamp(row["expected_close"]).date().isoformat(),
            month=month_period(as_of.year, as_of.month),
        )
        for row in opps[opps["overdue"] & opps["open"]].to_dict("records")
    ]


def assign_priorities(opps: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Priority P1–P4 from tier × class, and its time-guideline group (key/ordinary/prospects)."""
    out = opps.copy()
    matrix = {
        (tier, cls): settings.get(f"priority.tier{tier}")[i]
        for tier in range(1, 5)
        for i, cls in enumerate(CLASSES)
    }
    out["priority"] = pd.Series(
        [
            matrix.get((int(tier), cls)) if pd.notna(tier) and isinstance(cls, str) else None
            for tier, cls in zip(out["tier"], out["class"], strict=True)
        ],
        index=out.index,
        dtype=object,
    )
    groups = {
        priority: group
        for group, spec in settings.get("time_guideline").items()
        for priority in spec["priorities"]
    }
    out["group"] = pd.Series(
        [groups.get(priority) for priority in out["priority"]], index=out.index, dtype=object
    )
    return out


# -- the funnel as a whole ----------------------------------------------------
def funnel_counts(opps: pd.DataFrame) -> pd.DataFrame:
    """Open opportunities per class: count, amount, weighted amount (all four classes listed)."""
    open_ = opps[opps["open"] & opps["class"].notna()]
    per_class = open_.groupby("class")
    grouped = pd.DataFrame(
        {
            "count": per_class.size(),
            "amount": per_class["amount"].sum(),
            "weighted": per_class["weighted_amount"].sum(),
        }
    )
    return (
        grouped.reindex(list(CLASSES))
        .fillna({"count": 0, "amount": 0.0, "weighted": 0.0})
        .astype({"count": int})
    )


def funnel_health(counts: dict[str, int], settings: Settings, stuck_share: float | None = None) -> Health:
    """(grade, rule) by docs/method.md §4, first match wins; ``stuck_share`` None means no history."""
    total = sum(counts.get(cls, 0) for cls in CLASSES)
    back = counts.get("C", 0) + counts.get("D", 0)
    front = counts.get("A", 0) + counts.get("B", 0)
    if total < settings.get("health.min_open"):
        return Health("poor", "sparse")
    if back < settings.get("health.back_end_min_share") * total:
        return Health("fair", "no_back_end")
    if stuck_share is not None:
        if stuck_share >= settings.get("health.stuck_share"):
            return Health("good", "stuck")
        return Health("excellent", "history")
    if front < settings.get("health.front_min_share") * total:
        return Health("good", "bottom_heavy")
    return Health("excellent", "no_history")
