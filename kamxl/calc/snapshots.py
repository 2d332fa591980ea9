"""Month over month (METHOD §8, and the history rules of §4): snapshots, movement, stuck, trends.

Pure functions over snapshots; the SQLite store that keeps them is
``kamxl.store``. An opportunity is known across months by its customer and
project. Where the method is silent kamxl decides so (README): an opportunity
that was in the funnel and is absent now without 赢单/丢单 has "dropped";
conversion X→Y is the share of last month's class-X opportunities that are
now in Y or better (or won).
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pandas as pd

from kamxl.calc.funnel import CLASSES
from kamxl.config import Settings

RANK = {c: i for i, c in enumerate(reversed(CLASSES))}  # D 0 … A 3: higher is closer to the funnel's mouth
MOVES = ("up", "down", "same", "new", "won", "lost", "dropped")
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


# ------------------------------------------------------------ identity ---
def opportunity_key(customer, project) -> str:
    """Customer and project, as one key ("朗通\x1f二期扩容")."""

    def part(x):
        return "" if x is None or (isinstance(x, float) and x != x) or x is pd.NA else str(x).strip()

    return f"{part(customer)}\x1f{part(project)}"


def find_region(texts: list[str], settings: Settings) -> str | None:
    """The first region a title names (华东区, 华南大区, East region …), by the patterns in ``history.region_patterns``."""
    for pattern in settings.get("history.region_patterns"):
        rx = re.compile(pattern)
        for text in texts:
            m = rx.search(text or "")
            if m:
                return m.group(1).strip()
    return None


def find_period(texts: list[str]) -> str | None:
    """The month most titles name ("2026年3月", "2026-03"), as YYYY-MM."""
    found: Counter = Counter()
    for text in texts:
        for y, m in re.findall(r"(20\d\d)\s*年\s*(\d{1,2})\s*月", text or "") + re.findall(
            r"(?<!\d)(20\d\d)[-/.](\d{1,2})(?!\d)", text or ""
        ):
            if 1 <= int(m) <= 12:
                found[f"{y}-{int(m):02d}"] += 1
    return found.most_common(1)[0][0] if found else None


def identify(
    titles: list[str],
    stem: str,
    calendar: dict | None,
    customers: pd.DataFrame | None,
    as_of,
    settings: Settings,
    region: str | None = None,
) -> tuple[str, str]:
    """(region or owner, period YYYY-MM) of a workbook: what its snapshot is filed under.

    Region: given, else named in a sheet title, else the one owner of every
    opportunity, else the file name without its dates. Period: the calendar's
    month, else the month the titles name, else the file name's, else the
    review date's.
    """
    if not region:
        region = find_region(titles, settings)
    if not region and customers is not None and "owner" in customers:
        owners = customers["owner"].dropna().astype(str).str.strip()
        owners = owners[owners != ""].unique()
        if len(owners) == 1:
            region = owners[0]
    if not region:
        region = re.sub(r"[-_ .]*(20\d\d)([-_.]?\d{1,2})?([-_.]?\d{1,2})?", "", stem).strip("-_ .") or stem
    if calendar and calendar.get("month"):
        period = f"{calendar['year']}-{calendar['month']:02d}"
    else:
        period = find_period(titles) or find_period([stem]) or f"{as_of.year}-{as_of.month:02d}"
    return region, period


# ----------------------------------------------------------- snapshots ---
def opportunities_of(customers: pd.DataFrame | None) -> pd.DataFrame:
    """The rows a snapshot keeps: every opportunity with its tier, class and status."""
    if customers is None or customers.empty:
        return pd.DataFrame(columns=OPPORTUNITY_COLUMNS)
    c = customers
    out = pd.DataFrame(
        {
            "key": [
                opportunity_key(a, b)
                for a, b in zip(c["customer"], c["project"] if "project" in c else [None] * len(c))
            ],
            "customer": c["customer"].astype(object),
            "project": c["project"].astype(object) if "project" in c else None,
            "owner": c["owner"].astype(object) if "owner" in c else None,
            "tier": c["tier"].astype(object),
            "class": c["class"].astype(object),
            "status": c["status"].astype(object),
            "amount": pd.to_numeric(c["amount"], errors="coerce"),
            "weighted_amount": pd.to_numeric(c["weighted_amount"], errors="coerce"),
        }
    )
    # rows that say nothing about a deal (no class, still open) are not opportunities
    keep = out["class"].notna() | out["status"].isin(["won", "lost"])
    return out[keep].drop_duplicates("key", keep="first").reset_index(drop=True)


def _states(snapshot: pd.DataFrame) -> pd.Series:
    """Each opportunity's place: "won"/"lost" once decided, else its class (A–D), else None."""
    status, cls = snapshot["status"], snapshot["class"]
    return pd.Series(
        np.where(status.isin(["won", "lost"]), status, np.where(cls.isin(list(RANK)), cls, None)),
        index=snapshot.index,
        dtype=object,
    )


def movement(previous: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """Per opportunity: its class last time and now, and the move (up, down, same, new, won, lost, dropped).

    Opportunities already won or lost last time are history, not movement.
    """
    prev = previous.drop_duplicates("key", keep="last").assign(before=lambda d: _states(d))
    cur = current.drop_duplicates("key", keep="last").assign(now=lambda d: _states(d))
    both = cur.merge(prev[["key", "before"]], on="key", how="left", sort=False)
    before, now = both["before"], both["now"]
    decided = now.isin(["won", "lost"])
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
    keep = ~before.isin(["won", "lost"]) & ~(before.isna() & now.isna())
    # in last time's funnel, gone from this one
    gone = prev[~prev["key"].isin(cur["key"]) & prev["before"].isin(list(RANK))]
    frame = pd.concat(
        [
            pd.DataFrame(
                {
                    "key": both["key"],
                    "customer": both["customer"],
                    "project": both.get("project"),
                    "previous": before,
                    "current": now,
                    "move": move,
                }
            )[keep],
            pd.DataFrame(
                {
                    "key": gone["key"],
                    "customer": gone["customer"],
                    "project": gone.get("project"),
                    "previous": gone["before"],
                    "current": None,
                    "move": "dropped",
                }
            ),
        ],
        ignore_index=True,
    )
    frame = frame.reindex(columns=["key", "customer", "project", "previous", "current", "move"]).astype(
        object
    )
    frame = frame.where(frame.notna(), None)
    order = {m: i for i, m in enumerate(MOVES)}
    return (
        frame.assign(_o=frame["move"].map(order))
        .sort_values(["_o", "customer"], kind="stable")
        .drop(columns="_o")
        .reset_index(drop=True)
    )


def transitions(moves: pd.DataFrame) -> dict[str, int]:
    """How many opportunities went from each class to each class or result ("B→A": 1, "new→C": 1, "A→won": 1)."""
    counts: Counter = Counter()
    for before, now in zip(moves["previous"], moves["current"]):
        counts[f"{_code(before) or 'new'}→{_code(now) or 'dropped'}"] += 1
    return dict(sorted(counts.items()))


def _code(value) -> str | None:
    return value if isinstance(value, str) else None


def conversion(moves: pd.DataFrame) -> dict[str, float | None]:
    """D→C, C→B, B→A, A→won: the share of last time's class that reached the next step or beyond (None: none to convert)."""
    out: dict[str, float | None] = {}
    for a, b in CONVERSIONS:
        base = moves[moves["previous"] == a]
        if base.empty:
            out[f"{a}→{b}"] = None
            continue
        if b == "won":
            reached = base["current"] == "won"
        else:
            reached = (base["current"] == "won") | (base["current"].map(RANK) >= RANK[b])
        out[f"{a}→{b}"] = float(reached.sum()) / len(base)
    return out


def stuck(snapshots: list[pd.DataFrame], months: int) -> pd.DataFrame | None:
    """Opportunities in C or D in each of the last ``months`` snapshots (oldest first) without ever moving up.

    None when there are fewer snapshots than that: being stuck cannot be judged.
    """
    if len(snapshots) < months:
        return None
    window = snapshots[-months:]
    current = window[-1]
    # each current opportunity's class in every snapshot of the window (None where it was absent or decided)
    path = pd.DataFrame(
        {
            i: current["key"].map(dict(zip(s["key"], s["class"].where(s["status"] == "open"))))
            for i, s in enumerate(window)
        }
    )
    ranks = path.apply(lambda col: col.map(RANK))
    back = path.isin(["C", "D"]).all(axis=1)
    never_up = (
        pd.concat([ranks[i + 1] <= ranks[i] for i in range(months - 1)], axis=1).all(axis=1)
        if months > 1
        else back
    )
    hit = back & never_up
    return pd.DataFrame(
        {
            "key": current.loc[hit, "key"],
            "customer": current.loc[hit, "customer"],
            "project": current.loc[hit, "project"] if "project" in current else None,
            "classes": path[hit].values.tolist(),
        },
        columns=["key", "customer", "project", "classes"],
    ).reset_index(drop=True)


def stuck_share(stuck_rows: pd.DataFrame | None, counts: dict[str, int]) -> float | None:
    """Stuck / (n_C + n_D) now; None when not judged. No C or D at all: nothing is stuck (0)."""
    if stuck_rows is None:
        return None
    back = counts.get("C", 0) + counts.get("D", 0)
    return len(stuck_rows) / back if back else 0.0


def trends(series: list[tuple[str, dict]]) -> pd.DataFrame:
    """One row per period (oldest first): funnel counts, collection rate, profit plan and actual of the month."""
    rows = []
    for period, totals in series:
        counts = totals.get("funnel_counts") or {}
        rows.append(
            {
                "period": period,
                **{c: counts.get(c) for c in CLASSES},
                "open": totals.get("open"),
                "weighted_total": totals.get("weighted_total"),
                "collection_rate": totals.get("collection_rate"),
                "profit_plan": totals.get("profit_plan_month"),
                "profit_actual": totals.get("profit_actual_month"),
                "health": totals.get("health"),
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "period",
            *CLASSES,
            "open",
            "weighted_total",
            "collection_rate",
            "profit_plan",
            "profit_actual",
            "health",
        ],
    )
