"""Month over month (docs/method.md §8, and the history rules of §4): snapshots, movement, stuck, trends.

A review compares this month's funnel with last month's: which
opportunities moved up or down a class, were won, lost or dropped, how many
converted to the next class, and which sit in C or D month after month
(stuck, the funnel-health rule of §4 once there is history).

Pure functions over snapshots; the SQLite store that keeps them is
``kamxl.store``. An opportunity is known across months by its customer and
project. Where the method is silent kamxl decides so (docs/method.md §8): an
opportunity that was in the funnel and is absent now without 赢单/丢单 has
"dropped"; conversion X→Y is the share of last month's class-X opportunities
that are now in Y or better (or won).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from kamxl.calc.funnel import CLASSES
from kamxl.config import Settings

RANK = {cls: i for i, cls in enumerate(reversed(CLASSES))}  # D 0 … A 3: higher is closer to the mouth
DECIDED = ["won", "lost"]  # statuses of an opportunity that has left the funnel
MOVES = ("up", "down", "same", "new", "won", "lost", "dropped")
MOVEMENT_COLUMNS = ["key", "customer", "project", "previous", "current", "move"]
CONVERSIONS = (("D", "C"), ("C", "B"), ("B", "A"), ("A", "won"))
OPPORTUNITY_COLUMNS = [
    "key",
    "customer",
    "project",
    "owner",
    "tier",
    "class",
    "status",
    "amount",
    "weighted_amount",
]
TREND_COLUMNS = [
    "period",
    *CLASSES,
    "open",
    "weighted_total",
    "collection_rate",
    "profit_plan",
    "profit_actual",
    "health",
    "health_rule",
]
_FILE_DATES = re.compile(r"[-_ .]*(20\d\d)([-_.]?\d{1,2})?([-_.]?\d{1,2})?")


# ------------------------------------------------------------ identity ---
def opportunity_key(customer: object, project: object) -> str:
    """Customer and project, as one key ("朗通\x1f二期扩容")."""
    return f"{_key_part(customer)}\x1f{_key_part(project)}"


def _key_part(value: object) -> str:
    blank = value is None or (isinstance(value, float) and value != value) or value is pd.NA
    return "" if blank else str(value).strip()


def find_region(texts: list[str], settings: Settings) -> str | None:
    """The first region a title names (华东区, 华南大区, East region …).

    By the patterns in ``history.region_patterns``, each tried on every title in turn.
    """
    for pattern in settings.get("history.region_patterns"):
        compiled = re.compile(pattern)
        for text in texts:
            found = compiled.search(text or "")
            if found:
                region: str = found.group(1).strip()
                return region
    return None


def region_of(
    titles: list[str],
    stem: str,
    customers: pd.DataFrame | None,
    settings: Settings,
    region: str | None = None,
) -> str:
    """The region a workbook's snapshot is filed under (its month is ``Results.period``).

    Given, else named in a sheet title, else the one owner of every
    opportunity, else the file name without its dates.
    """
    return region_and_source(titles, stem, customers, settings, region)[0]


REGION_SOURCES = ("option", "title", "file_name", "owner", "file_stem")
# the workbook names no region: the user is told, and may change it ("guessed": rebuilt from a report)
GUESSED_SOURCES = ("owner", "file_stem", "guessed")


def region_and_source(
    titles: list[str],
    stem: str,
    customers: pd.DataFrame | None,
    settings: Settings,
    region: str | None = None,
) -> tuple[str, str]:
    """The region (as ``region_of``) and where it came from, one of ``REGION_SOURCES``: the option, a
    sheet title, a region named in the file name; or, guessed, the one owner or the bare file name."""
    if region:
        return region, "option"
    found = find_region(titles, settings)
    if found:
        return found, "title"
    found = find_region([stem], settings)
    if found:
        return found, "file_name"
    found = _only_owner(customers)
    if found:
        return found, "owner"
    return _FILE_DATES.sub("", stem).strip("-_ .") or stem, "file_stem"


def _only_owner(customers: pd.DataFrame | None) -> str | None:
    """The owner of every opportunity, when there is exactly one."""
    if customers is None or "owner" not in customers:
        return None
    owners = customers["owner"].dropna().astype(str).str.strip()
    owners = owners[owners != ""].unique()
    return str(owners[0]) if len(owners) == 1 else None


# ----------------------------------------------------------- snapshots ---
def opportunities_of(customers: pd.DataFrame | None) -> pd.DataFrame:
    """The rows a snapshot keeps: every opportunity with its tier, class and status."""
    if customers is None or customers.empty:
        return pd.DataFrame(columns=OPPORTUNITY_COLUMNS)
    projects = customers["project"] if "project" in customers else [None] * len(customers)
    out = pd.DataFrame(
        {
            "key": [
                opportunity_key(customer, project)
                for customer, project in zip(customers["customer"], projects, strict=True)
            ],
            "customer": customers["customer"].astype(object),
            "project": customers["project"].astype(object) if "project" in customers else None,
            "owner": customers["owner"].astype(object) if "owner" in customers else None,
            "tier": customers["tier"].astype(object),
            "class": customers["class"].astype(object),
            "status": customers["status"].astype(object),
            "amount": pd.to_numeric(customers["amount"], errors="coerce"),
            "weighted_amount": pd.to_numeric(customers["weighted_amount"], errors="coerce"),
        }
    )
    # rows that say nothing about a deal (no class, still open) are not opportunities
    keep = out["class"].notna() | out["status"].isin(DECIDED)
    return out[keep].drop_duplicates("key", keep="first").reset_index(drop=True)


def _states(snapshot: pd.DataFrame) -> pd.Series:
    """Each opportunity's place: "won"/"lost" once decided, else its class (A–D), else None."""
    status, cls = snapshot["status"], snapshot["class"]
    return pd.Series(
        np.where(status.isin(DECIDED), status, np.where(cls.isin(list(RANK)), cls, None)),
        index=snapshot.index,
        dtype=object,
    )


def movement(previous: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """Per opportunity: its class last time and now, and the move (up, down, same, new, won, lost, dropped).

    Opportunities already won or lost last time are history, not movement.
    Ordered by move (as MOVES lists them), then customer.
    """
    prev = previous.drop_duplicates("key", keep="last").assign(before=lambda frame: _states(frame))
    cur = current.drop_duplicates("key", keep="last").assign(now=lambda frame: _states(frame))
    frame = pd.concat([_moves(prev, cur), _dropped(prev, cur)], ignore_index=True)
    frame = frame.reindex(columns=MOVEMENT_COLUMNS).astype(object)
    frame = frame.where(frame.notna(), None)
    order = {move: i for i, move in enumerate(MOVES)}
    return (
        frame.assign(_o=frame["move"].map(order))
        .sort_values(["_o", "customer"], kind="stable")
        .drop(columns="_o")
        .reset_index(drop=True)
    )


def _moves(prev: pd.DataFrame, cur: pd.DataFrame) -> pd.DataFrame:
    """The move of each opportunity in the current snapshot, except those already decided last time."""
    both = cur.merge(prev[["key", "before"]], on="key", how="left", sort=False)
    before, now = both["before"], both["now"]
    decided = now.isin(DECIDED)
    rank_now, rank_before = now.map(RANK), before.map(RANK)
    move = np.select(
        [
            before.isna() & decided,
            before.isna(),
            decided,
            now.isna(),
            rank_now > rank_before,
            rank_now < rank_before,
        ],
        [now, "new", now, "dropped", "up", "down"],
        default="same",
    )
    keep = ~before.isin(DECIDED) & ~(before.isna() & now.isna())
    return pd.DataFrame(
        {
            "key": both["key"],
            "customer": both["customer"],
            "project": both.get("project"),
            "previous": before,
            "current": now,
            "move": move,
        }
    )[keep]


def _dropped(prev: pd.DataFrame, cur: pd.DataFrame) -> pd.DataFrame:
    """In last time's funnel, gone from this one."""
    gone = prev[~prev["key"].isin(cur["key"]) & prev["before"].isin(list(RANK))]
    return pd.DataFrame(
        {
            "key": gone["key"],
            "customer": gone["customer"],
            "project": gone.get("project"),
            "previous": gone["before"],
            "current": None,
            "move": "dropped",
        }
    )


def transitions(moves: pd.DataFrame) -> dict[str, int]:
    """How many opportunities went from each class to each class or result.

    "B→A": 1, "new→C": 1, "A→won": 1, "C→dropped": 1 ….
    """
    counts: Counter[str] = Counter()
    for before, now in zip(moves["previous"], moves["current"], strict=True):
        counts[f"{_code(before) or 'new'}→{_code(now) or 'dropped'}"] += 1
    return dict(sorted(counts.items()))


def _code(value: object) -> str | None:
    """A class or result, or None for none (new or dropped)."""
    return value if isinstance(value, str) else None


def conversion(moves: pd.DataFrame) -> dict[str, float | None]:
    """D→C, C→B, B→A, A→won: the share of last time's class that reached the next step or beyond.

    None where last time had none of that class to convert.
    """
    out: dict[str, float | None] = {}
    for start, step in CONVERSIONS:
        base = moves[moves["previous"] == start]
        if base.empty:
            out[f"{start}→{step}"] = None
            continue
        reached = base["current"] == "won"
        if step != "won":
            reached = reached | (base["current"].map(RANK) >= RANK[step])
        out[f"{start}→{step}"] = float(reached.sum()) / len(base)
    return out


def stuck(snapshots: list[pd.DataFrame], months: int) -> pd.DataFrame | None:
    """Opportunities in C or D in each of the last ``months`` snapshots (oldest first) with no net progress.

    No net progress: the class now is not above the class at the start of the
    window. C→D→C and D→C→D have gone nowhere toward A, however they moved in
    between; D→D→C has moved up. None when there are fewer snapshots than
    ``months``: being stuck cannot be judged.
    """
    if len(snapshots) < months:
        return None
    window = snapshots[-months:]
    current = window[-1]
    # each current opportunity's class in every snapshot of the window (None where it was absent or decided)
    path = pd.DataFrame(
        {
            i: current["key"].map(
                dict(zip(snapshot["key"], snapshot["class"].where(snapshot["status"] == "open"), strict=True))
            )
            for i, snapshot in enumerate(window)
        }
    )
    ranks = path.apply(lambda column: column.map(RANK))
    back = path.isin(["C", "D"]).all(axis=1)
    no_progress = ranks[months - 1] <= ranks[0]
    hit = back & no_progress
    return pd.DataFrame(
        {
            "key": current.loc[hit, "key"],
            "customer": current.loc[hit, "customer"],
            "project": current.loc[hit, "project"] if "project" in current else None,
            "classes": path[hit].values.tolist(),
        },
        columns=["key", "customer", "project", "classes"],
    ).reset_index(drop=True)


def stuck_share(stuck_rows: pd.DataFrame | None, counts: Mapping[str, int]) -> float | None:
    """Stuck / (n_C + n_D) now; None when not judged. No C or D at all: nothing is stuck (0)."""
    if stuck_rows is None:
        return None
    back = counts.get("C", 0) + counts.get("D", 0)
    return len(stuck_rows) / back if back else 0.0


def trends(series: list[tuple[str, Mapping[str, Any]]]) -> pd.DataFrame:
    """One row per period (oldest first): funnel counts, collection rate, profit plan and actual of the month,
    the funnel's grade and the rule that decided it (a grade alone misleads: 优 judged without history).

    ``series`` holds each period's snapshot totals (kamxl.store's ``snapshot_totals``).
    """
    rows = []
    for period, totals in series:
        counts = totals.get("funnel_counts") or {}
        rows.append(
            {
                "period": period,
                **{cls: counts.get(cls) for cls in CLASSES},
                "open": totals.get("open"),
                "weighted_total": totals.get("weighted_total"),
                "collection_rate": totals.get("collection_rate"),
                "profit_plan": totals.get("profit_plan_month"),
                "profit_actual": totals.get("profit_actual_month"),
                "health": totals.get("health"),
                "health_rule": totals.get("health_rule"),  # 优 without history reads 优(未判断停滞)
            }
        )
    return pd.DataFrame(rows, columns=TREND_COLUMNS)
