"""The 合计 (total) rows users write under a table, checked against the sum of the rows above them."""

from __future__ import annotations

import pandas as pd


def mismatched_totals(
    details: pd.DataFrame,
    totals: pd.DataFrame,
    keys: list[str],
    measures: list[str],
    tolerance: float,
    rows_required: bool = False,
) -> list[dict]:
    """The written totals that differ from their rows' sum by more than ``tolerance``.

    Each total row is matched to the detail rows with the same ``keys``; blank
    written totals are not checked. A total with no rows counts against 0,
    or is skipped with ``rows_required``. Returns the total row's fields plus
    ``measure``, ``written`` and ``computed``, in the order of the total rows
    and ``measures``.
    """
    if totals is None or totals.empty:
        return []
    numeric = details.assign(**{m: pd.to_numeric(details[m], errors="coerce") for m in measures})
    sums = numeric.groupby(keys, sort=False, dropna=False)[measures].sum().add_suffix("__sum")
    t = totals.reset_index(drop=True).join(sums, on=keys, how="inner" if rows_required else "left")
    written = {m: pd.to_numeric(t[m], errors="coerce") for m in measures}
    computed = {m: t[f"{m}__sum"].astype(float).fillna(0.0) for m in measures}
    wrong = pd.concat(
        [written[m].notna() & ((written[m] - computed[m]).abs() > tolerance) for m in measures], axis=1
    )
    out = []
    for i in wrong.index[wrong.any(axis=1)]:
        rec = {k: t.at[i, k] for k in totals.columns}
        out += [
            rec | {"measure": m, "written": float(written[m][i]), "computed": float(computed[m][i])}
            for j, m in enumerate(measures)
            if wrong.iat[i, j]
        ]
    return out
