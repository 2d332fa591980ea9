"""Customer value tier (METHOD §1): two axis scores from factors, tier 1–4, playbook."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamxl.calc.cells import CellMap, fmt
from kamxl.config import Settings
from kamxl.issues import Issue

FACTOR_PREFIX = "f_"
# axis -> (factor key prefix in forms.customers.factors, weights section)
AXES = {
    "attractiveness": ("attr", "tier.attractiveness_weights"),
    "advantage": ("adv", "tier.advantage_weights"),
}


def factor_weights(axis: str, settings: Settings) -> pd.Series:
    """Weights of one axis's factors, indexed by their table column (f_attr.profit …)."""
    prefix, key = AXES[axis]
    return pd.Series({f"{FACTOR_PREFIX}{prefix}.{name}": float(w) for name, w in settings.get(key).items()})


def renormalised_weights(scores: pd.DataFrame, weights: pd.Series) -> pd.DataFrame:
    """Per row, the weights of the factors actually scored, rescaled to sum to 1.

    A blank factor is "not assessed": it drops out and the others share its
    weight. Rows with no scored factor get all-NaN weights.
    """
    present = scores.notna().astype(float)
    w = present.mul(weights.reindex(scores.columns).fillna(0.0), axis=1)
    total = w.sum(axis=1)
    return w.div(total.where(total > 0), axis=0)


def factor_means(scores: pd.DataFrame, weights: pd.Series) -> pd.Series:
    """Weighted mean of the scored factors (NaN where none is scored)."""
    if scores.shape[1] == 0:
        return pd.Series(np.nan, index=scores.index)
    w = renormalised_weights(scores, weights)
    mean = (scores.fillna(0.0) * w.fillna(0.0)).sum(axis=1)
    return mean.where(w.notna().any(axis=1))


def score_axes(
    customers: pd.DataFrame, settings: Settings, cells: CellMap | None = None
) -> tuple[pd.DataFrame, list[Issue]]:
    """Add each axis's final score, its high/low reading and where it came from.

    Columns added per axis: ``<axis>_factors`` (factor mean), ``<axis>``
    (the score used: factors win over a direct score), ``<axis>_high``
    (True/False/None) and ``<axis>_source`` (factors | direct | level | None).
    """
    cells = cells or CellMap()
    out = customers.copy()
    issues: list[Issue] = []
    lo, hi = settings.get("tier.score_min"), settings.get("tier.score_max")
    threshold = settings.get("tier.high_threshold")
    tolerance = settings.get("tier.mismatch_tolerance")
    for axis in AXES:
        weights = factor_weights(axis, settings)
        cols = [c for c in weights.index if c in out.columns]
        scores = out[cols].apply(pd.to_numeric, errors="coerce") if cols else pd.DataFrame(index=out.index)
        bad = scores.notna() & ((scores < lo) | (scores > hi))
        for col in cols:
            for idx in bad.index[bad[col]]:
                row = out.loc[idx]
                issues.append(
                    settings.issue(
                        "score_out_of_range",
                        row["sheet"],
                        cells.cell(row["sheet"], col, row["row"]),
                        column=settings.label(f"factors.{col[len(FACTOR_PREFIX) :]}"),
                        value=fmt(scores.at[idx, col]),
                        low=fmt(lo),
                        high=fmt(hi),
                    )
                )
        scores = scores.mask(bad)
        means = factor_means(scores, weights)
        direct = pd.to_numeric(out.get(axis, pd.Series(np.nan, index=out.index)), errors="coerce")
        bad_direct = direct.notna() & ((direct < lo) | (direct > hi))
        for idx in bad_direct.index[bad_direct]:
            row = out.loc[idx]
            issues.append(
                settings.issue(
                    "score_out_of_range",
                    row["sheet"],
                    cells.cell(row["sheet"], axis, row["row"]),
                    column=settings.label(f"headers.customers.{axis}"),
                    value=fmt(direct[idx]),
                    low=fmt(lo),
                    high=fmt(hi),
                )
            )
        direct = direct.mask(bad_direct)
        level = out.get(f"{axis}_level", pd.Series(None, index=out.index, dtype=object))
        final = means.where(means.notna(), direct)
        source = pd.Series(
            np.select(
                [means.notna(), direct.notna(), level.notna()], ["factors", "direct", "level"], default=""
            ),
            index=out.index,
        )
        high = pd.Series(
            np.where(final.notna(), final >= threshold, np.where(level.notna(), level == "high", None)),
            index=out.index,
            dtype=object,
        )
        high = high.where(source != "", None)
        out[f"{axis}_factors"] = means
        out[axis] = final
        out[f"{axis}_high"] = high
        out[f"{axis}_source"] = source.replace("", None)
        # mismatches: the direct score (or 高/低) disagrees with the factors
        gap = (direct - means).abs()
        split = (direct >= threshold) != (means >= threshold)
        level_split = level.notna() & ((level == "high") != (means >= threshold))
        mismatch = means.notna() & (
            (direct.notna() & ((gap > tolerance) | split)) | (direct.isna() & level_split)
        )
        for idx in mismatch.index[mismatch]:
            row = out.loc[idx]
            shown = (
                fmt(direct[idx]) if direct.notna()[idx] else settings.label(f"values.high_low.{level[idx]}")
            )
            issues.append(
                settings.issue(
                    "axis_mismatch",
                    row["sheet"],
                    cells.cell(row["sheet"], axis, row["row"]),
                    customer=row["customer"],
                    axis=settings.label(f"headers.customers.{axis}"),
                    direct=shown,
                    factors=fmt(round(means[idx], 2)),
                )
            )
        # nothing at all on this axis
        for sheet, part in out.groupby("sheet", sort=False):
            has_column = any(cells.has(sheet, c) for c in cols) or cells.has(sheet, axis) or not cells.columns
            missing = part.index[out.loc[part.index, f"{axis}_source"].isna()]
            if not has_column and cells.columns:
                issues.append(
                    settings.issue("no_tier_columns", sheet, axis=settings.label(f"headers.customers.{axis}"))
                )
                continue
            for idx in missing:
                row = out.loc[idx]
                issues.append(
                    settings.issue(
                        "no_axis_score",
                        sheet,
                        cells.cell(sheet, "customer", row["row"]),
                        customer=row["customer"],
                        axis=settings.label(f"headers.customers.{axis}"),
                    )
                )
    return out, issues


def assign_tiers(scored: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Tier 1–4 from the two high/low readings, and the tier's playbook actions."""
    out = scored.copy()
    a, b = out["attractiveness_high"], out["advantage_high"]
    known = a.notna() & b.notna()
    tier = np.select(
        [a.eq(True) & b.eq(True), a.eq(True) & b.eq(False), a.eq(False) & b.eq(True)], [1, 2, 3], default=4
    )
    out["tier"] = pd.array(np.where(known, tier, 0), dtype="Int64")
    out.loc[~known, "tier"] = pd.NA
    playbook = {i: list(settings.get(f"playbook.tier{i}")) for i in range(1, 5)}
    out["actions"] = [playbook[int(t)] if pd.notna(t) else [] for t in out["tier"]]
    return out
