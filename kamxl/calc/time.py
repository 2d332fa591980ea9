"""Where the manager's time goes (docs/method.md §3, §7): the time-management matrix, the 60/30/10 guideline.

The course sorts a manager's tasks into four quadrants by importance and
urgency (M1–M4) and wants time moved into M2, the important but not urgent
work. It also says how the time should split across the priority groups of
customers (key, ordinary, prospects); the review sets the hours logged
against both.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple, TypedDict

import pandas as pd

from kamxl.calc.cells import CellMap
from kamxl.calc.frames import as_floats
from kamxl.config import Settings
from kamxl.issues import Issue
from kamxl.text import normalise_loose

QUADRANTS = ("M1", "M2", "M3", "M4")


class TimeSummary(TypedDict):
    """The to-do lists' key figures (report.json's ``time``, in this order)."""

    tasks: int
    hours: float
    m2_share: float | None  # None: no hours at all
    completion_rate: float | None  # the mean status of the rated tasks; None: none rated
    days: int  # how many days the lists cover


class TimeUse(NamedTuple):
    """The time matrix: per quadrant (tasks, hours, share, done) and the key figures."""

    quadrants: pd.DataFrame
    summary: TimeSummary


def match_customers(texts: pd.Series, names: pd.Series) -> pd.Series:
    """The customer each text names (the longest name it contains), or None.

    "拜访朗通,沟通二期需求" → 朗通. Matching ignores width, case and 繁/简.
    """
    keys = sorted(
        {(normalise_loose(name), name) for name in names.dropna().astype(str) if normalise_loose(name)},
        key=lambda key_name: -len(key_name[0]),
    )

    def named_in(text: object) -> str | None:
        if not isinstance(text, str):
            return None
        loose = normalise_loose(text)
        return next((name for key, name in keys if key in loose), None)

    return texts.map(named_in)


def time_matrix(
    todo: pd.DataFrame, settings: Settings, cells: CellMap | None = None
) -> tuple[pd.DataFrame, TimeSummary, list[Issue]]:
    """Hours and share per quadrant M1–M4, the M2 share and the completion rate."""
    cells = cells or CellMap()
    tasks = todo.copy()
    tasks["hours"] = as_floats(tasks["hours"])
    tasks["status"] = as_floats(tasks["status"])
    missing = tasks[tasks["hours"].isna()]
    issues = [
        settings.issue("no_hours", sheet, cells.cell(sheet, "start", row), task=task)
        for sheet, row, task in zip(
            missing["sheet"].tolist(), missing["row"].tolist(), missing["task"].tolist(), strict=True
        )
    ]
    per_quadrant = tasks.groupby("category")
    quadrants = pd.DataFrame(
        {
            "tasks": per_quadrant.size(),
            "hours": per_quadrant["hours"].sum(),
            "done": per_quadrant["status"].mean(),
        }
    ).reindex(list(QUADRANTS))
    quadrants = quadrants.fillna({"tasks": 0, "hours": 0.0}).astype({"tasks": int})
    total = float(quadrants["hours"].sum())
    quadrants["share"] = quadrants["hours"] / total if total else float("nan")
    quadrants.index.name = "quadrant"
    rated = tasks["status"].dropna()
    dates = pd.to_datetime(tasks["date"], errors="coerce") if "date" in tasks else None
    summary: TimeSummary = {
        "tasks": int(len(tasks)),
        "hours": total,
        "m2_share": float(quadrants.at["M2", "hours"] / total) if total else None,
        "completion_rate": float(rated.mean()) if len(rated) else None,
        "days": int(dates.dt.date.nunique()) if dates is not None else 0,
    }
    return quadrants.reset_index(), summary, issues


def todo_days(todo: pd.DataFrame) -> list[dt.date]:
    """The distinct days the to-do lists cover, in order: the days ``TimeSummary.days`` counts.

    The shares of time are a sample of the manager's weeks; the reviewer needs to know how big a sample.
    """
    if "date" not in todo:
        return []
    dates = pd.to_datetime(todo["date"], errors="coerce").dropna()
    return sorted(set(dates.dt.date))


def is_indicative(days: int, settings: Settings) -> bool:
    """Whether the to-do lists cover too few days (``time.min_days``) for their shares to be more than a
    hint: two busy days say little about where a month's time goes (docs/method.md §7.3)."""
    return days < int(settings.get("time.min_days"))


def time_by_group(entries: pd.DataFrame, opps: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Customers and hours per priority group against the guideline (docs/method.md §3).

    ``entries`` has ``text`` (customer or related) and ``hours``; ``opps`` has
    ``customer`` and ``group``. A customer in several groups counts in its best.
    """
    guideline = settings.get("time_guideline")
    order = list(guideline)
    ranked = (
        opps.dropna(subset=["group"])
        .assign(rank=lambda frame: frame["group"].map(order.index))
        .sort_values("rank")
    )
    best = ranked.drop_duplicates("customer").set_index("customer")["group"]
    logged = entries.copy()
    logged["customer"] = match_customers(logged["text"], pd.Series(best.index))
    logged["group"] = logged["customer"].map(best)
    hours = pd.to_numeric(logged["hours"], errors="coerce").groupby(logged["group"]).sum()
    counts = best.value_counts()
    out = pd.DataFrame({"group": order})
    out["customers"] = out["group"].map(counts).fillna(0).astype(int)
    out["hours"] = out["group"].map(hours).fillna(0.0).astype(float)
    all_customers, all_hours = out["customers"].sum(), out["hours"].sum()
    out["customer_share"] = out["customers"] / all_customers if all_customers else float("nan")
    out["time_share"] = out["hours"] / all_hours if all_hours else float("nan")
    out["guideline_customers"] = [guideline[group]["customers"] for group in order]
    out["guideline_time"] = [guideline[group]["time"] for group in order]
    out["time_gap"] = out["time_share"] - out["guideline_time"]
    return out
