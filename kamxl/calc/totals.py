"""The 合计 (total) rows users write under a table, checked against the sum of the rows above them."""

from __future__ import annotations

import pandas as pd


def mismatched_totals(details: pd.DataFrame, totals: pd.DataFrame, keys: list[str], measures: list[str], tolerance: float,
                      rows_required: bool = False) -> list[dict]:
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
    out = []
    for rec in t.to_dict("records"):
        for m in measures:
            written = pd.to_numeric(pd.Series([rec[m]]), errors="coerce").iloc[0]
            computed = rec[f"{m}__sum"]
            computed = 0.0 if pd.isna(computed) else float(computed)
            if pd.notna(written) and abs(written - computed) > tolerance:
                out.append({**{k: v for k, v in rec.items() if not k.endswith("__sum")}, "measure": m, "written": float(written), "computed": computed})
    return out
