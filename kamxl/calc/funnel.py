"""Value tier (METHOD §1), funnel class (§2) and priority (§3) per opportunity."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamxl.config import Settings

CLASSES = ("A", "B", "C", "D")


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
    total = (size + likely).round(1)
    out = opps.copy()
    out["score"] = total
    out["class"] = [funnel_class(t, settings) for t in total]
    return out


def tier_of(attractiveness: float | None, advantage: float | None, settings: Settings) -> int | None:
    """1 = high/high, 2 = high attractiveness/low advantage, 3 = low/high, 4 = low/low."""
    if attractiveness is None or advantage is None or np.isnan(attractiveness) or np.isnan(advantage):
        return None
    high = settings.get("tier.high_threshold")
    return {(True, True): 1, (True, False): 2, (False, True): 3, (False, False): 4}[(attractiveness >= high, advantage >= high)]


def priority_of(tier: int | None, cls: str | None, settings: Settings) -> str | None:
    """The manager's priority P1–P4 from tier × class (METHOD §3)."""
    if tier is None or cls is None or (isinstance(tier, float) and np.isnan(tier)):
        return None
    return settings.get(f"priority.tier{int(tier)}")[CLASSES.index(cls)]
