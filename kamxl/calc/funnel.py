"""Funnel class (METHOD §2), priority (§3) and funnel health (§4) per opportunity."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from kamxl.calc.cells import CellMap
from kamxl.config import Settings
from kamxl.issues import Issue

CLASSES = ("A", "B", "C", "D")
SIZES = ("over", "major", "partial", "minor")
LIKELIHOODS = ("this_month", "this_period", "later", "intent")
PERIOD_MONTHS = {"month": 1, "quarter": 3, "half": 6, "year": 12}


def funnel_class(total: float, settings: Settings) -> str | None:
    """Class of a total score; the total is rounded to one decimal first and the
    ranges are closed at the top (8 < total ≤ 10 is A), so float sums never flip a class."""
    if total is None or (isinstance(total, float) and np.isnan(total)):
        return None
    total = round(float(total), 1)
    for cls, bound in zip(CLASSES, settings.get("funnel.class_bounds")):
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
    """The manager's priority P1–P4 from tier × class (METHOD §3)."""
    if tier is None or cls is None or (isinstance(tier, float) and np.isnan(tier)) or tier is pd.NA:
        return None
    return settings.get(f"priority.tier{int(tier)}")[CLASSES.index(cls)]


# -- deriving the two parts --------------------------------------------------
def derive_order_size(amount: pd.Series, target: pd.Series, settings: Settings) -> pd.Series:
    """超额/重要/部分/微小 from amount ÷ period target; None without a positive target."""
    amount = pd.to_numeric(amount, errors="coerce").astype(float)
    target = pd.to_numeric(target, errors="coerce").astype(float)
    ratio = amount / target.where(target > 0)
    over, major, partial = settings.get("funnel.size_ratio")
    size = np.select([ratio >= over, ratio >= major, ratio >= partial], list(SIZES[:3]), default="minor")
    return pd.Series(size, index=amount.index, dtype=object).where(ratio.notna(), None)


def month_end(day: dt.date) -> dt.date:
    nxt = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


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
    issues: list[Issue] = []
    n = len(out)
    col = lambda name: (
        out[name] if name in out.columns else pd.Series([None] * n, index=out.index, dtype=object)
    )  # noqa: E731
    amount = pd.to_numeric(col("amount"), errors="coerce").astype(float)
    target = pd.to_numeric(col("period_target"), errors="coerce").astype(float)
    # the owner's target: written once per owner is enough
    owner = col("owner")
    if owner.notna().any():
        per_owner = target.groupby([out["sheet"], owner.fillna("")]).transform("first")
        target = target.fillna(per_owner)
    size_written, likely_written = col("order_size"), col("likelihood")
    close = col("expected_close")
    in_funnel = size_written.notna() | likely_written.notna() | amount.notna() | close.notna()
    derived_size = derive_order_size(amount, target, settings)
    derived_likely, overdue = derive_likelihood(close, as_of, settings)
    out["order_size"] = size_written.where(size_written.notna(), derived_size).where(in_funnel, None)
    out["order_size_source"] = np.where(
        size_written.notna(), "written", np.where(derived_size.notna() & in_funnel, "derived", None)
    )
    out["likelihood"] = likely_written.where(likely_written.notna(), derived_likely).where(in_funnel, None)
    out["likelihood_source"] = np.where(
        likely_written.notna(), "written", np.where(in_funnel, "derived", None)
    )
    out["overdue"] = overdue & likely_written.isna() & in_funnel
    status = col("status").fillna("open")
    out["status"] = status
    out["open"] = in_funnel & (status == "open")
    out = score_funnel(out, settings)
    out.loc[~out["open"], "class"] = None
    probability = out["likelihood"].map(settings.get("funnel.win_probability")).astype(float)
    out["amount"] = amount
    out["weighted_amount"] = (amount * probability).where(out["open"])
    # warnings
    for idx in out.index[in_funnel & out["order_size"].isna() & (status == "open")]:
        row = out.loc[idx]
        if pd.isna(amount[idx]):
            reason = settings.label("ui.reason_no_amount")
        else:
            reason = settings.label("ui.reason_no_target")
        field = (
            "period_target"
            if cells.has(row["sheet"], "period_target")
            else ("amount" if cells.has(row["sheet"], "amount") else "customer")
        )
        issues.append(
            settings.issue(
                "no_order_size",
                row["sheet"],
                cells.cell(row["sheet"], field, row["row"]),
                customer=_name(row),
                reason=reason,
            )
        )
    for idx in out.index[out["overdue"] & (status == "open")]:
        row = out.loc[idx]
        issues.append(
            settings.issue(
                "opportunity_overdue",
                row["sheet"],
                cells.cell(row["sheet"], "expected_close", row["row"]),
                customer=_name(row),
                date=pd.Timestamp(close[idx]).date().isoformat(),
                month=f"{as_of.year}-{as_of.month:02d}",
            )
        )
    return out, issues


def _name(row) -> str:
    project = row.get("project")
    return f"{row['customer']} / {project}" if isinstance(project, str) and project else str(row["customer"])


def assign_priorities(opps: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Priority P1–P4 from tier × class, and its time-guideline group (key/ordinary/prospects)."""
    out = opps.copy()
    matrix = {
        (t, c): settings.get(f"priority.tier{t}")[i] for t in range(1, 5) for i, c in enumerate(CLASSES)
    }
    out["priority"] = pd.Series(
        [
            matrix.get((int(t), c)) if pd.notna(t) and isinstance(c, str) else None
            for t, c in zip(out["tier"], out["class"])
        ],
        index=out.index,
        dtype=object,
    )
    groups = {p: g for g, spec in settings.get("time_guideline").items() for p in spec["priorities"]}
    out["group"] = pd.Series([groups.get(p) for p in out["priority"]], index=out.index, dtype=object)
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


def funnel_health(
    counts: dict[str, int], settings: Settings, stuck_share: float | None = None
) -> tuple[str, str]:
    """(grade, rule) by METHOD §4, first match wins; ``stuck_share`` None means no history."""
    n = sum(counts.get(c, 0) for c in CLASSES)
    back = counts.get("C", 0) + counts.get("D", 0)
    front = counts.get("A", 0) + counts.get("B", 0)
    if n < settings.get("health.min_open"):
        return "poor", "sparse"
    if back < settings.get("health.back_end_min_share") * n:
        return "fair", "no_back_end"
    if stuck_share is not None:
        if stuck_share >= settings.get("health.stuck_share"):
            return "good", "stuck"
        return "excellent", "history"
    if front < settings.get("health.front_min_share") * n:
        return "good", "bottom_heavy"
    return "excellent", "no_history"
