"""The history store: one snapshot per (region, period) in an embedded SQLite database (METHOD §8).

Two watchers, or a watcher and a batch, may write at once: the database is
in WAL mode, each snapshot is replaced in one IMMEDIATE transaction, and a
busy database is waited for and retried. Processing a period again replaces
its snapshot, so the store is idempotent.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from contextlib import closing
from pathlib import Path

import pandas as pd

from kamxl.calc.snapshots import OPPORTUNITY_COLUMNS

SCHEMA = """
CREATE TABLE IF NOT EXISTS snapshots (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    region TEXT NOT NULL,
    period TEXT NOT NULL,              -- YYYY-MM
    source TEXT,
    as_of TEXT,
    kamxl_version TEXT,
    totals TEXT NOT NULL,              -- JSON: funnel counts, collection rate, profit of the month …
    digest TEXT NOT NULL,              -- of the content: saving the same content again changes nothing
    UNIQUE (region, period)
);
CREATE TABLE IF NOT EXISTS opportunities (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
    key TEXT NOT NULL, customer TEXT, project TEXT, owner TEXT,
    tier INTEGER, class TEXT, status TEXT, amount REAL, weighted_amount REAL
);
CREATE INDEX IF NOT EXISTS opportunities_snapshot ON opportunities(snapshot_id);
"""
SCHEMA_VERSION = 1


class HistoryError(RuntimeError):
    """The history database cannot be used (not a kamxl history, or from a newer kamxl)."""


class HistoryStore:
    """Snapshots of processed workbooks; opened per use, safe to share between processes."""

    def __init__(self, path: str | Path, retries: int = 5, timeout: float = 30.0):
        self.path, self.retries, self.timeout = Path(path), retries, timeout

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        con.execute("PRAGMA foreign_keys = ON")
        version = con.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            con.close()
            raise HistoryError(f"{self.path} was written by a newer kamxl (schema {version})")
        if version == 0:
            self._retry(lambda: self._create(con))
        return con

    def _create(self, con: sqlite3.Connection) -> None:
        con.execute(
            "PRAGMA journal_mode = WAL"
        )  # readers never block the one writer; must be set outside a transaction
        con.execute("BEGIN IMMEDIATE")
        try:
            if (
                con.execute("PRAGMA user_version").fetchone()[0] == 0
            ):  # another process may have created it meanwhile
                for statement in SCHEMA.split(";"):
                    if statement.strip():
                        con.execute(statement)
                con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    def _retry(self, work):
        for attempt in range(self.retries + 1):
            try:
                return work()
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc) or attempt == self.retries:
                    raise
                time.sleep(0.05 * 2**attempt)

    def save(
        self,
        region: str,
        period: str,
        opportunities: pd.DataFrame,
        totals: dict,
        source: str = "",
        as_of: str = "",
        version: str = "",
    ) -> int:
        """Store (or replace) the snapshot of (region, period); returns its content digest."""
        rows = [
            tuple(_sql(v) for v in r)
            for r in opportunities.reindex(columns=OPPORTUNITY_COLUMNS).itertuples(index=False, name=None)
        ]
        totals_json = json.dumps(totals, ensure_ascii=False, sort_keys=True)
        digest = hashlib.sha256(
            json.dumps(
                [region, period, source, as_of, totals_json, rows], ensure_ascii=False, default=str
            ).encode()
        ).hexdigest()[:16]

        def work():
            with closing(self._connect()) as con:
                con.execute("BEGIN IMMEDIATE")
                try:
                    same = con.execute(
                        "SELECT 1 FROM snapshots WHERE region = ? AND period = ? AND digest = ?",
                        (region, period, digest),
                    ).fetchone()
                    if same:
                        con.execute("COMMIT")
                        return digest
                    con.execute("DELETE FROM snapshots WHERE region = ? AND period = ?", (region, period))
                    cur = con.execute(
                        "INSERT INTO snapshots (region, period, source, as_of, kamxl_version, totals, digest) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (region, period, source, as_of, version, totals_json, digest),
                    )
                    sid = cur.lastrowid
                    con.executemany(
                        "INSERT INTO opportunities (snapshot_id, key, customer, project, owner, tier, class, status, amount, weighted_amount)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [(sid, *r) for r in rows],
                    )
                    con.execute("COMMIT")
                    return digest
                except BaseException:
                    con.execute("ROLLBACK")
                    raise

        return self._retry(work)

    def snapshots(self, region: str, until: str | None = None) -> list[dict]:
        """(id, period, source, totals, digest) of a region's snapshots up to and including ``until``, oldest first."""

        def work():
            with closing(self._connect()) as con:
                sql = (
                    "SELECT id, period, source, totals, digest FROM snapshots WHERE region = ?"
                    + (" AND period <= ?" if until else "")
                    + " ORDER BY period"
                )
                return [
                    {"id": i, "period": p, "source": s, "totals": json.loads(t), "digest": d}
                    for i, p, s, t, d in con.execute(sql, (region, until) if until else (region,))
                ]

        return self._retry(work)

    def earlier_digests(self, region: str, period: str) -> list[str]:
        """What a review of (region, period) compares with: the digests of the region's earlier snapshots."""
        return [s["digest"] for s in self.snapshots(region, period) if s["period"] < period]

    def opportunities(self, snapshot_id: int) -> pd.DataFrame:
        def work():
            with closing(self._connect()) as con:
                cur = con.execute(
                    f"SELECT {', '.join(OPPORTUNITY_COLUMNS)} FROM opportunities WHERE snapshot_id = ? ORDER BY rowid",
                    (snapshot_id,),
                )
                return pd.DataFrame(cur.fetchall(), columns=OPPORTUNITY_COLUMNS)

        return self._retry(work)

    def regions(self) -> list[str]:
        def work():
            with closing(self._connect()) as con:
                return [r for (r,) in con.execute("SELECT DISTINCT region FROM snapshots ORDER BY region")]

        return self._retry(work)


def _sql(value):
    """pandas/numpy scalars to what sqlite3 stores; NaN/NA to NULL."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def _month_of(period: str) -> int:
    return int(period.split("-")[1])


def snapshot_totals(results, period: str) -> dict:
    """The key figures a snapshot keeps for the trends: funnel, collections, the month's profit."""
    r = results
    totals: dict = {}
    if r.funnel is not None:
        totals["funnel_counts"] = {c: int(n) for c, n in r.funnel["count"].items()}
        totals["open"] = int(r.funnel["count"].sum())
        totals["amount_total"] = float(r.funnel["amount"].sum())
        totals["weighted_total"] = float(r.funnel["weighted"].sum())
        totals["health"], totals["health_rule"] = r.health
    if r.receivables is not None:
        s = r.receivables.summary
        totals |= {
            "collection_rate": s.get("collection_rate"),
            "receivables_plan_to_date": s.get("plan_to_date"),
            "receivables_actual_to_date": s.get("actual_to_date"),
            "receivables_last_month": s.get("last_month"),
        }
    if r.pnl is not None:
        months = r.pnl.months.set_index("month")
        month = _month_of(period) if _month_of(period) in months.index else r.pnl.summary.get("last_month")
        if month in months.index:
            row = months.loc[month]
            for key in ("revenue_plan", "revenue_actual", "profit_plan", "profit_actual"):
                value = row.get(key)
                totals[f"{key}_month"] = None if value is None or value != value else float(value)
    return totals


def apply_history(results, store: HistoryStore, settings, region: str | None = None) -> None:
    """File the workbook's snapshot and add what the history says: movement, stuck, trends, and health by its rules.

    Sets ``results.history`` (region, period, previous period, the snapshot
    ids it compared with, movement, transitions, conversion, stuck, trends)
    and, when being stuck can be judged, the funnel's health by the stuck rule.
    """
    from kamxl import __version__
    from kamxl.calc import snapshots as h
    from kamxl.calc.funnel import funnel_health

    r = results
    region, period = h.identify(r.titles, r.source.stem, r.calendar, r.customers, r.as_of, settings, region)
    earlier = [s for s in store.snapshots(region, period) if s["period"] < period]
    current = h.opportunities_of(r.customers)
    info: dict = {
        "region": region,
        "period": period,
        "previous_period": earlier[-1]["period"] if earlier else None,
        "compared_with": [s["digest"] for s in earlier],
        "movement": None,
        "transitions": None,
        "conversion": None,
        "stuck": None,
    }
    if r.customers is not None:
        months = int(settings.get("health.stuck_months"))
        past = [store.opportunities(s["id"]) for s in earlier[-(months - 1) :]] if months > 1 else []
        if earlier:
            moves = h.movement(past[-1] if past else store.opportunities(earlier[-1]["id"]), current)
            info |= {
                "movement": moves,
                "transitions": h.transitions(moves),
                "conversion": h.conversion(moves),
            }
        stuck_rows = h.stuck(past + [current], months)
        info["stuck"] = stuck_rows
        counts = r.funnel["count"].to_dict()
        share = h.stuck_share(stuck_rows, counts)
        info["stuck_share"] = share
        if share is not None:
            r.health = funnel_health(counts, settings, stuck_share=share)
    # a workbook holding only some forms (a P&L alone) updates the figures it has and keeps the rest of the period's snapshot
    totals, kept = (
        snapshot_totals(r, period),
        [s for s in store.snapshots(region, period) if s["period"] == period],
    )
    if kept:
        totals = kept[-1]["totals"] | totals
        if r.customers is None:
            current = store.opportunities(kept[-1]["id"])
    store.save(
        region, period, current, totals, source=r.source.name, as_of=r.as_of.isoformat(), version=__version__
    )
    series = [(s["period"], s["totals"]) for s in store.snapshots(region, period)]
    info["trends"] = h.trends(series)
    r.history = info
