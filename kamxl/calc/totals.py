"""The 合计 (total) rows users write under a table, checked against the sum of the rows above them.

A total typed by hand drifts from its rows when a row is added or changed
later; the reviewer wants to know, with both figures, rather than trust it.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from kamxl.calc.cells import cell_at
from kamxl.calc.numbers import fmt
from kamxl.config import Settings
from kamxl.issues import Issue

Mismatch = dict[str, Any]
"""A total row's own fields, plus ``measure``, ``written`` and ``computed``."""


def mismatched_totals(
    details: pd.DataFrame,
    totals: pd.DataFrame | None,
    keys: list[str],
    measures: list[str],
    tolerance: float,
    rows_required: bool = False,
) -> list[Mismatch]:
    """The written totals that differ from their rows' sum by more than ``tolerance``.

    Each total row is matched to the detail rows with the same ``keys``; blank
    written totals are not checked. A total with no rows counts against 0,
    or is skipped with ``rows_required``. Returns the total row's fields plus
    ``measure``, ``written`` and ``computed``, in the order of the total rows
    and ``measures``.
    """
    if totals is None or totals.empty:
        return []
    numeric = details.assign(
        **{measure: pd.to_numeric(details[measure], errors="coerce") for measure in measures}
    )
    sums = numeric.groupby(keys, sort=False, dropna=False)[measures].sum().add_suffix("__sum")
    matched = totals.reset_index(drop=True).join(sums, on=keys, how="inner" if rows_required else "left")
    written = {measure: pd.to_numeric(matched[measure], errors="coerce") for measure in measures}
    computed = {measure: matched[f"{measure}__sum"].astype(float).fillna(0.0) for measure in measures}
    wrong = pd.concat(
        [
            written[measure].notna() & ((written[measure] - computed[measure]).abs() > tolerance)
            for measure in measures
        ],
        axis=1,
    )
    found: list[Mismatch] = []
    for i in wrong.index[wrong.any(axis=1)]:
        total_row = {name: matched.at[i, name] for name in totals.columns}
        found += [
            total_row
            | {
                "measure": measure,
                "written": float(written[measure][i]),
                "computed": float(computed[measure][i]),
            }
            for j, measure in enumerate(measures)
            if wrong.iat[i, j]
        ]
    return found


def subtotal_mismatches(
    details: pd.DataFrame,
    subtotals: pd.DataFrame,
    groups: pd.DataFrame,
    keys: list[str],
    measures: list[str],
    tolerance: float,
) -> list[Mismatch]:
    """The subtotals that differ from the sum of their own group by more than ``tolerance``.

    ``groups`` pairs each subtotal's ``total_row`` with the ``row`` of every
    item it sums (the rows since the previous subtotal, or those of the owner
    it names), so a subtotal is never held against the whole table. Items
    match a subtotal on ``keys`` too (the P&L's line, the month). A subtotal
    whose group read no item is not checked. Same answer as ``mismatched_totals``.
    """
    if subtotals.empty or groups.empty:
        return []
    pairs = groups.merge(details, on="row")
    pairs["row"] = pairs.pop("total_row")  # every item counted under the subtotal that sums it
    return mismatched_totals(pairs, subtotals, [*keys, "row"], measures, tolerance, rows_required=True)


def row_ranges(rows: list[int]) -> str:
    """Excel rows as a short text for messages: [5, 6, 7, 9] -> "5–7, 9"."""
    ordered = sorted(set(rows))
    runs: list[list[int]] = []
    for row in ordered:
        if runs and row == runs[-1][-1] + 1:
            runs[-1].append(row)
        else:
            runs.append([row])
    return ", ".join(f"{run[0]}–{run[-1]}" if len(run) > 1 else str(run[0]) for run in runs)


def written_cell(mismatch: Mismatch) -> str | None:
    """The cell a total was written in, for total rows that carry their column letters (``plan_col`` …)."""
    return cell_at(mismatch[f"{mismatch['measure']}_col"], mismatch["row"])


def total_mismatch_issue(settings: Settings, mismatch: Mismatch, cell: str | None, column: str) -> Issue:
    """The issue for one written total that is not its rows' sum, pointed at ``cell``."""
    return settings.issue(
        "total_mismatch",
        mismatch["sheet"],
        cell,
        written=fmt(mismatch["written"]),
        computed=fmt(mismatch["computed"]),
        column=column,
    )
