"""Customer value tier (docs/method.md §1): two axis scores from factors, tier 1–4, playbook.

The course places each customer on two axes, how attractive the customer is
to us and how strong our advantage is with them, each scored 1–5 from
weighted factors (or written directly, or as 高/低). High or low on each
axis gives the customer's tier, and each tier has its playbook of actions.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from kamxl.calc.cells import CellMap
from kamxl.calc.frames import optional_column
from kamxl.calc.numbers import fmt
from kamxl.config import Settings
from kamxl.issues import Issue

FACTOR_PREFIX = "f_"
"""How the reader names a factor's column in the customers table: f_attr.profit, f_adv.people …"""
# axis -> (factor key prefix in forms.customers.factors, weights section)
AXES = {
    "attractiveness": ("attr", "tier.attractiveness_weights"),
    "advantage": ("adv", "tier.advantage_weights"),
}


class ScoreLimits(NamedTuple):
    """The settings an axis score is judged by."""

    low: float  # the lowest valid score
    high: float  # the highest valid score
    threshold: float  # a score at or above it is high
    tolerance: float  # how far a direct score may be from the factors' mean

    @classmethod
    def of(cls, settings: Settings) -> ScoreLimits:
        return cls(
            settings.get("tier.score_min"),
            settings.get("tier.score_max"),
            settings.get("tier.high_threshold"),
            settings.get("tier.mismatch_tolerance"),
        )


def factor_column(factor: str) -> str:
    """The customers table's column of a factor: "attr.profit" → "f_attr.profit"."""
    return f"{FACTOR_PREFIX}{factor}"


def factor_of_column(column: str) -> str:
    """The factor a customers table column holds: "f_attr.profit" → "attr.profit"."""
    return column[len(FACTOR_PREFIX) :]


def factor_weights(axis: str, settings: Settings) -> pd.Series:
    """Weights of one axis's factors, indexed by their table column (f_attr.profit …)."""
    prefix, key = AXES[axis]
    return pd.Series(
        {factor_column(f"{prefix}.{name}"): float(weight) for name, weight in settings.get(key).items()}
    )


def renormalised_weights(scores: pd.DataFrame, weights: pd.Series) -> pd.DataFrame:
    """Per row, the weights of the factors actually scored, rescaled to sum to 1.

    A blank factor is "not assessed": it drops out and the others share its
    weight. Rows with no scored factor get all-NaN weights.
    """
    present = scores.notna().astype(float)
    scored_weights = present.mul(weights.reindex(scores.columns).fillna(0.0), axis=1)
    total = scored_weights.sum(axis=1)
    return scored_weights.div(total.where(total > 0), axis=0)


def factor_means(scores: pd.DataFrame, weights: pd.Series) -> pd.Series:
    """Weighted mean of the scored factors (NaN where none is scored)."""
    if scores.shape[1] == 0:
        return pd.Series(np.nan, index=scores.index)
    row_weights = renormalised_weights(scores, weights)
    mean = (scores.fillna(0.0) * row_weights.fillna(0.0)).sum(axis=1)
    return mean.where(row_weights.notna().any(axis=1))


def score_axes(
    customers: pd.DataFrame, settings: Settings, cells: CellMap | None = None
) -> tuple[pd.DataFrame, list[Issue]]:
    """Add each axis's final score, its high/low reading and where it came from.

    Columns added per axis: ``<axis>_factors`` (factor mean), ``<axis>``
    (the score used: factors win over a direct score), ``<axis>_high``
    (True/False/None) and ``<axis>_source`` (factors | direct | level | None).
    Scores outside the valid range are left out with a warning.
    """
    cells = cells or CellMap()
    out = customers.copy()
    issues: list[Issue] = []
    for axis in AXES:
        issues += score_axis(out, axis, settings, cells)
    return out, issues


def score_axis(out: pd.DataFrame, axis: str, settings: Settings, cells: CellMap) -> list[Issue]:
    """Add one axis's columns to ``out``; its issues in the order a reviewer fixes them."""
    limits = ScoreLimits.of(settings)
    weights = factor_weights(axis, settings)
    columns = [column for column in weights.index if column in out.columns]
    scores = out[columns].apply(pd.to_numeric, errors="coerce") if columns else pd.DataFrame(index=out.index)
    labels = {column: f"factors.{factor_of_column(column)}" for column in columns}
    scores, issues = out_of_range(out, scores, labels, limits, settings, cells)
    means = factor_means(scores, weights)
    direct = pd.to_numeric(optional_column(out, axis, np.nan), errors="coerce").to_frame(axis)
    direct, direct_issues = out_of_range(
        out, direct, {axis: f"headers.customers.{axis}"}, limits, settings, cells
    )
    issues += direct_issues
    level = optional_column(out, f"{axis}_level")
    _set_axis(out, axis, means, direct[axis], level, limits.threshold)
    issues += mismatch_issues(out, axis, means, direct[axis], level, limits, settings, cells)
    issues += missing_axis_issues(out, axis, columns, settings, cells)
    return issues


def out_of_range(
    out: pd.DataFrame,
    scores: pd.DataFrame,
    labels: dict[str, str],
    limits: ScoreLimits,
    settings: Settings,
    cells: CellMap,
) -> tuple[pd.DataFrame, list[Issue]]:
    """The scores with those outside the valid range left out, and a warning for each, column by column.

    ``labels`` gives each score column's label key for the message.
    """
    bad = scores.notna() & ((scores < limits.low) | (scores > limits.high))
    issues: list[Issue] = []
    for column in scores.columns:
        for idx in bad.index[bad[column]]:
            row = out.loc[idx]
            issues.append(
                settings.issue(
                    "score_out_of_range",
                    row["sheet"],
                    cells.cell(row["sheet"], column, row["row"]),
                    column=settings.label(labels[column]),
                    value=fmt(scores.at[idx, column]),
                    low=fmt(limits.low),
                    high=fmt(limits.high),
                )
            )
    return scores.mask(bad), issues


def _set_axis(
    out: pd.DataFrame, axis: str, means: pd.Series, direct: pd.Series, level: pd.Series, threshold: float
) -> None:
    """The score used (factors, else direct), high or low (from the score, else 高/低) and its source."""
    final = means.where(means.notna(), direct)
    source = pd.Series(
        np.select([means.notna(), direct.notna(), level.notna()], ["factors", "direct", "level"], default=""),
        index=out.index,
    )
    high = pd.Series(
        np.where(final.notna(), final >= threshold, np.where(level.notna(), level == "high", None)),
        index=out.index,
        dtype=object,
    )
    out[f"{axis}_factors"] = means
    out[axis] = final
    out[f"{axis}_high"] = high.where(source != "", None)
    out[f"{axis}_source"] = source.replace("", None)


def mismatch_issues(
    out: pd.DataFrame,
    axis: str,
    means: pd.Series,
    direct: pd.Series,
    level: pd.Series,
    limits: ScoreLimits,
    settings: Settings,
    cells: CellMap,
) -> list[Issue]:
    """Rows whose direct score (or 高/低) disagrees with their factors.

    A direct score disagrees when it is further than the tolerance from the
    factors' mean or on the other side of the high threshold.
    """
    factors_high = means >= limits.threshold
    far = (direct - means).abs() > limits.tolerance
    split = (direct >= limits.threshold) != factors_high
    level_split = level.notna() & ((level == "high") != factors_high)
    mismatch = means.notna() & ((direct.notna() & (far | split)) | (direct.isna() & level_split))
    issues: list[Issue] = []
    for idx in mismatch.index[mismatch]:
        row = out.loc[idx]
        shown = fmt(direct[idx]) if direct.notna()[idx] else settings.label(f"values.high_low.{level[idx]}")
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
    return issues


def missing_axis_issues(
    out: pd.DataFrame, axis: str, factor_columns: list[str], settings: Settings, cells: CellMap
) -> list[Issue]:
    """Nothing at all on this axis: a sheet without its columns, else each customer without a score."""
    axis_label = settings.label(f"headers.customers.{axis}")
    issues: list[Issue] = []
    for sheet, part in out.groupby("sheet", sort=False):
        known = cells.has(sheet, axis) or any(cells.has(sheet, column) for column in factor_columns)
        if cells.columns and not known:
            issues.append(settings.issue("no_tier_columns", sheet, axis=axis_label))
            continue
        missing = part[part[f"{axis}_source"].isna()]
        issues += [
            settings.issue(
                "no_axis_score",
                sheet,
                cells.cell(sheet, "customer", row),
                customer=customer,
                axis=axis_label,
            )
            for row, customer in zip(missing["row"], missing["customer"], strict=True)
        ]
    return issues


def assign_tiers(scored: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Tier 1–4 from the two high/low readings, and the tier's playbook actions."""
    out = scored.copy()
    attractive, advantaged = out["attractiveness_high"], out["advantage_high"]
    known = attractive.notna() & advantaged.notna()
    tier = np.select(
        [
            attractive.eq(True) & advantaged.eq(True),
            attractive.eq(True) & advantaged.eq(False),
            attractive.eq(False) & advantaged.eq(True),
        ],
        [1, 2, 3],
        default=4,
    )
    out["tier"] = pd.array(np.where(known, tier, 0), dtype="Int64")
    out.loc[~known, "tier"] = pd.NA
    playbook = {tier: list(settings.get(f"playbook.tier{tier}")) for tier in range(1, 5)}
    out["actions"] = [playbook[int(tier)] if pd.notna(tier) else [] for tier in out["tier"]]
    return out
