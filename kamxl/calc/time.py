"""Where the manager's time goes (METHOD §3, §7): the time-management matrix and the 60/30/10 guideline."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from kamxl.calc.cells import CellMap
from kamxl.config import Settings
from kamxl.issues import Issue
from kamxl.text import normalise_loose

QUADRANTS = ("M1", "M2", "M3", "M4")


@dataclass
class TimeUse:
    quadrants: pd.DataFrame  # quadrant: tasks, hours, share, done
    groups: pd.DataFrame | None  # key/ordinary/prospects: customers, hours, shares, guideline
    summary: dict = field(default_factory=dict)


def match_customers(texts: pd.Series, names: pd.Series) -> pd.Series:
    """The customer each text names (the longest name it contains), or None.

    "拜访朗通,沟通二期需求" → 朗通. Matching ignores width, case and 繁/简.
    """
    keys = sorted(
        {(normalise_loose(n), n) for n in names.dropna().astype(str) if normalise_loose(n)},
        key=lambda kv: -len(kv[0]),
    )

    def one(text):
        if not isinstance(text, str):
            return None
        t = normalise_loose(text)
        return next((name for key, name in keys if key in t), None)

    return texts.map(one)


def time_matrix(
    todo: pd.DataFrame, settings: Settings, cells: CellMap | None = None
) -> tuple[pd.DataFrame, dict, list[Issue]]:
    """Hours and share per quadrant M1–M4, the M2 share and the completion rate."""
    cells = cells or CellMap()
    issues = []
    t = todo.copy()
    t["hours"] = pd.to_numeric(t["hours"], errors="coerce").astype(float)
    t["status"] = pd.to_numeric(t["status"], errors="coerce").astype(float)
    missing = t[t["hours"].isna()]
    issues += [
        settings.issue("no_hours", sheet, cells.cell(sheet, "start", row), task=task)
        for sheet, row, task in zip(
            missing["sheet"].tolist(), missing["row"].tolist(), missing["task"].tolist()
        )
    ]
    per_quadrant = t.groupby("category")
    q = pd.DataFrame(
        {
            "tasks": per_quadrant.size(),
            "hours": per_quadrant["hours"].sum(),
            "done": per_quadrant["status"].mean(),
        }
    ).reindex(list(QUADRANTS))
    q = q.fillna({"tasks": 0, "hours": 0.0}).astype({"tasks": int})
    total = float(q["hours"].sum())
    q["share"] = q["hours"] / total if total else float("nan")
    q.index.name = "quadrant"
    rated = t["status"].dropna()
    summary = {
        "tasks": int(len(t)),
        "hours": total,
        "m2_share": float(q.at["M2", "hours"] / total) if total else None,
        "completion_rate": float(rated.mean()) if len(rated) else None,
        "days": int(pd.to_datetime(t["date"], errors="coerce").dt.date.nunique()) if "date" in t else 0,
    }
    return q.reset_index(), summary, issues


def time_by_group(entries: pd.DataFrame, opps: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Customers and hours per priority group against the guideline (METHOD §3).

    ``entries`` has ``text`` (customer or related) and ``hours``; ``opps`` has
    ``customer`` and ``group``. A customer in several groups counts in its best.
    """
    spec = settings.get("time_guideline")
    order = list(spec)
    ranked = (
        opps.dropna(subset=["group"]).assign(rank=lambda d: d["group"].map(order.index)).sort_values("rank")
    )
    best = ranked.drop_duplicates("customer").set_index("customer")["group"]
    e = entries.copy()
    e["customer"] = match_customers(e["text"], pd.Series(best.index))
    e["group"] = e["customer"].map(best)
    hours = pd.to_numeric(e["hours"], errors="coerce").groupby(e["group"]).sum()
    counts = best.value_counts()
    out = pd.DataFrame({"group": order})
    out["customers"] = out["group"].map(counts).fillna(0).astype(int)
    out["hours"] = out["group"].map(hours).fillna(0.0).astype(float)
    n, h = out["customers"].sum(), out["hours"].sum()
    out["customer_share"] = out["customers"] / n if n else float("nan")
    out["time_share"] = out["hours"] / h if h else float("nan")
    out["guideline_customers"] = [spec[g]["customers"] for g in order]
    out["guideline_time"] = [spec[g]["time"] for g in order]
    out["time_gap"] = out["time_share"] - out["guideline_time"]
    return out
