"""The history store: one snapshot per (region, period) in an embedded SQLite database (docs/method.md §8).

Two watchers, or a watcher and a batch, may write at once: the database is
in WAL mode, each snapshot is replaced in one IMMEDIATE transaction, and a
busy database is waited for and retried. Processing a period again replaces
its snapshot, so the store is idempotent.

Its health: ``health`` runs SQLite's quick integrity check; a corrupt
database is moved aside (``quarantine``) and rebuilt from the report.json
files that were written with it (``rebuild``), each of which holds what its
snapshot held.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import os
import sqlite3
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pandas as pd

from kamxl.calc.months import periods, spans_years
from kamxl.calc.snapshots import OPPORTUNITY_COLUMNS

if TYPE_CHECKING:
    from kamxl.config import Settings
    from kamxl.results import Results

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
    forms TEXT NOT NULL DEFAULT '{}',  -- JSON: form -> its file, review date, the files it replaced
    inputs TEXT NOT NULL DEFAULT '{}', -- JSON: file -> review date, issue counts, where its region came from
    UNIQUE (region, period)
);
CREATE TABLE IF NOT EXISTS opportunities (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
    key TEXT NOT NULL, customer TEXT, project TEXT, owner TEXT,
    tier INTEGER, class TEXT, status TEXT, amount REAL, weighted_amount REAL
);
CREATE INDEX IF NOT EXISTS opportunities_snapshot ON opportunities(snapshot_id);
"""
SCHEMA_VERSION = 2
# schema 1 -> 2: each form's source and each input's issue counts (a period merges its files form by form)
MIGRATIONS = {
    1: (
        "ALTER TABLE snapshots ADD COLUMN forms TEXT NOT NULL DEFAULT '{}'",
        "ALTER TABLE snapshots ADD COLUMN inputs TEXT NOT NULL DEFAULT '{}'",
    ),
}
INSERT_SNAPSHOT = (
    "INSERT INTO snapshots (region, period, source, as_of, kamxl_version, totals, digest, forms, inputs)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
# totals key -> the form it comes from: a later file's form replaces these figures of the earlier file's
TOTALS_FORM = {
    **dict.fromkeys(
        ("funnel_counts", "open", "amount_total", "weighted_total", "health", "health_rule"), "customers"
    ),
    **dict.fromkeys(("collection_rate", "receivables_balance"), "receivables"),
    **dict.fromkeys(("plans_judged", "plans_met"), "monthly"),
}
TOTALS_PREFIX_FORM = (
    ("receivables_", "receivables"),
    ("revenue_", "pnl"),
    ("expense_", "pnl"),
    ("profit_", "pnl"),
)
# results.owners columns -> the form that gives them (the rest of a workbook's owner figures are not kept)
OWNER_FORMS = {
    "receivables": ("collections_plan", "collections_actual", "collections_rate"),
    "customers": ("pipeline", "weighted_pipeline", "p1_customers"),
    "monthly": ("plan_attainment",),
}
INSERT_OPPORTUNITY = (
    "INSERT INTO opportunities"
    " (snapshot_id, key, customer, project, owner, tier, class, status, amount, weighted_amount)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)

Answer = TypeVar("Answer")  # what a retried piece of database work returns


class HistoryError(RuntimeError):
    """The history database cannot be used (not a kamxl history, or from a newer kamxl)."""


class HistoryStore:
    """Snapshots of processed workbooks; opened per use, safe to share between processes."""

    def __init__(self, path: str | Path, retries: int = 5, timeout: float = 30.0):
        self.path, self.retries, self.timeout = Path(path), retries, timeout

    def _connect(self) -> sqlite3.Connection:
        """A connection in autocommit mode (transactions are explicit), the schema created on first use."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        con.execute("PRAGMA foreign_keys = ON")
        version = con.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            con.close()
            raise HistoryError(f"{self.path} was written by a newer kamxl (schema {version})")
        if version == 0:
            self._retry(lambda: self._create(con))
        elif version < SCHEMA_VERSION:
            self._retry(lambda: self._migrate(con))
        return con

    def _migrate(self, con: sqlite3.Connection) -> None:
        """Bring a history of an older kamxl to this schema, in one transaction (another process may be
        doing it at the same moment: the version is read again inside it). A schema-1 snapshot's forms
        are those its figures show, each from the snapshot's one source; its issue counts are unknown
        (the roll-up then reads them from report.json)."""
        con.execute("BEGIN IMMEDIATE")
        try:
            version = con.execute("PRAGMA user_version").fetchone()[0]
            for step in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[step]:
                    con.execute(statement)
            if version < SCHEMA_VERSION:
                rows = con.execute("SELECT id, source, as_of, totals FROM snapshots").fetchall()
                for snapshot_id, source, as_of, totals in rows:
                    forms = {
                        form: _form_entry(source or "", as_of or "")
                        for form in forms_of_totals(json.loads(totals))
                    }
                    inputs = {source: {"as_of": as_of or None}} if source else {}
                    con.execute(
                        "UPDATE snapshots SET forms = ?, inputs = ? WHERE id = ?",
                        (_json(forms), _json(inputs), snapshot_id),
                    )
                con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            con.execute("COMMIT")
        except BaseException:
            _rollback(con)
            raise

    def _create(self, con: sqlite3.Connection) -> None:
        """The tables, once, even when several processes open a new database at the same moment."""
        # readers never block the one writer; must be set outside a transaction
        con.execute("PRAGMA journal_mode = WAL")
        con.execute("BEGIN IMMEDIATE")
        try:
            # another process may have created it meanwhile
            if con.execute("PRAGMA user_version").fetchone()[0] == 0:
                for statement in SCHEMA.split(";"):
                    if statement.strip():
                        con.execute(statement)
                con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            con.execute("COMMIT")
        except BaseException:
            _rollback(con)
            raise

    def _retry(self, work: Callable[[], Answer]) -> Answer:
        """``work()``, tried again with a growing pause while another process holds the database."""
        for attempt in itertools.count():
            try:
                return work()
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc) or attempt >= self.retries:
                    raise
                time.sleep(0.05 * 2**attempt)
        raise AssertionError("unreachable")  # pragma: no cover - itertools.count() never ends

    def save(
        self,
        region: str,
        period: str,
        opportunities: pd.DataFrame,
        totals: dict[str, Any],
        source: str = "",
        as_of: str = "",
        version: str = "",
        *,
        forms: dict[str, Any] | None = None,
        inputs: dict[str, Any] | None = None,
    ) -> str:
        """Store (or replace) the snapshot of (region, period); returns its content digest.

        ``forms`` (form -> its source) and ``inputs`` (file -> its issue
        counts) default to every form the totals show, from ``source``.
        """
        rows = [
            tuple(_sql(v) for v in row)
            for row in opportunities.reindex(columns=OPPORTUNITY_COLUMNS).itertuples(index=False, name=None)
        ]
        if forms is None:
            forms = {form: _form_entry(source, as_of) for form in forms_of_totals(totals)}
        if inputs is None:
            inputs = {source: {"as_of": as_of or None}} if source else {}
        totals_json, forms_json, inputs_json = _json(totals), _json(forms), _json(inputs)
        digest = hashlib.sha256(
            json.dumps(
                [region, period, source, as_of, totals_json, rows, forms_json, inputs_json],
                ensure_ascii=False,
                default=str,
            ).encode()
        ).hexdigest()[:16]
        snapshot = (region, period, source, as_of, version, totals_json, digest, forms_json, inputs_json)

        def work() -> str:
            with closing(self._connect()) as con:
                con.execute("BEGIN IMMEDIATE")
                try:
                    _replace_snapshot(con, snapshot, rows)
                    con.execute("COMMIT")
                    return digest
                except BaseException:
                    _rollback(con)
                    raise

        return self._retry(work)

    def snapshots(self, region: str, until: str | None = None) -> list[dict[str, Any]]:
        """(id, period, source, totals, digest, forms, inputs) of a region's snapshots up to and including
        ``until``, oldest first."""

        def work() -> list[dict[str, Any]]:
            with closing(self._connect()) as con:
                sql = (
                    "SELECT id, period, source, totals, digest, forms, inputs FROM snapshots WHERE region = ?"
                    + (" AND period <= ?" if until else "")
                    + " ORDER BY period"
                )
                return [
                    {
                        "id": i,
                        "period": p,
                        "source": s,
                        "totals": json.loads(t),
                        "digest": d,
                        "forms": json.loads(f),
                        "inputs": json.loads(n),
                    }
                    for i, p, s, t, d, f, n in con.execute(sql, (region, until) if until else (region,))
                ]

        return self._retry(work)

    def earlier_digests(self, region: str, period: str) -> list[str]:
        """What a review of (region, period) compares with: the digests of the region's earlier snapshots."""
        return [s["digest"] for s in self.snapshots(region, period) if s["period"] < period]

    def opportunities(self, snapshot_id: int) -> pd.DataFrame:
        """The opportunities a snapshot kept, in the order they were saved."""

        def work() -> pd.DataFrame:
            with closing(self._connect()) as con:
                cur = con.execute(
                    f"SELECT {', '.join(OPPORTUNITY_COLUMNS)} FROM opportunities"
                    " WHERE snapshot_id = ? ORDER BY rowid",
                    (snapshot_id,),
                )
                return pd.DataFrame(cur.fetchall(), columns=OPPORTUNITY_COLUMNS)

        return self._retry(work)

    def health(self) -> tuple[str, str | None]:
        """("ok" | "missing" | "corrupt" | "failing", what is wrong): SQLite's quick integrity check.

        "corrupt" is a database to move aside and rebuild; "failing" one
        that cannot be used now but must be kept (busy, a full disk, a newer
        kamxl's schema).
        """
        if not self.path.exists():
            return "missing", None
        try:
            with closing(sqlite3.connect(self.path, timeout=self.timeout)) as con:
                found = [row[0] for row in con.execute("PRAGMA quick_check")]
                version = con.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.OperationalError as exc:  # busy, locked, full, unreadable: not damage
            return "failing", str(exc)
        except sqlite3.DatabaseError as exc:  # "file is not a database", "malformed"
            return "corrupt", str(exc)
        if found != ["ok"]:
            return "corrupt", "; ".join(map(str, found[:3]))
        if version > SCHEMA_VERSION:
            return "failing", f"{self.path} was written by a newer kamxl (schema {version})"
        return "ok", None

    def quarantine(self) -> Path | None:
        """Move the database (and its WAL and shared-memory files) aside as ``<name>.corrupt-<when>``;
        where it went, or None when another process moved it first."""
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        try:
            os.rename(self.path, target)
        except FileNotFoundError:
            return None
        for extra in ("-wal", "-shm"):
            side = self.path.with_name(self.path.name + extra)
            if side.exists():
                os.replace(side, target.with_name(target.name + extra))
        return target

    def rebuild(self, reports: list[Path]) -> int:
        """File the snapshot each report.json holds, oldest report first (as they were filed); the
        number of snapshots filed."""
        dated = []
        for path in reports:
            try:
                dated.append((path.stat().st_mtime, path.name, path))
            except OSError:
                continue
        filed = 0
        for _, _, path in sorted(dated):
            try:
                report = json.loads(path.read_text("utf-8"))
            except (OSError, ValueError):
                continue
            found = snapshot_from_report(report)
            if found is None:
                continue
            region, period, opportunities, totals = found
            self._file_merged(region, period, opportunities, totals, report)
            filed += 1
        return filed

    def _file_merged(
        self, region: str, period: str, opportunities: pd.DataFrame, totals: dict[str, Any], report: dict
    ) -> None:
        """Save a rebuilt snapshot as ``_file_snapshot`` would have: merged form by form with the period's."""
        kept = [s for s in self.snapshots(region, period) if s["period"] == period]
        source, as_of = str(report.get("source") or ""), str(report.get("as_of") or "")
        read = list(report.get("forms") or {}) or forms_of_totals(totals)
        issues = report.get("issues") or []
        counts = {
            "as_of": as_of or None,
            "errors": sum(1 for issue in issues if issue.get("severity") == "error"),
            "warnings": sum(1 for issue in issues if issue.get("severity") == "warning"),
            "region_from": _region_from(report, issues),
        }
        merged = merge_snapshot(kept[-1] if kept else None, totals, read, source, counts)
        if kept and report.get("customers") is None:
            opportunities = self.opportunities(kept[-1]["id"])
        self.save(
            region,
            period,
            opportunities,
            merged["totals"],
            source=source,
            as_of=as_of,
            version=str(report.get("kamxl_version") or ""),
            forms=merged["forms"],
            inputs=merged["inputs"],
        )

    def withdraw_empty(self, region: str, period: str, source: str) -> bool:
        """Remove the snapshot of (region, period) if ``source`` filed it with nothing in it (a workbook
        with no form kamxl recognises); True if it did."""

        def work() -> bool:
            with closing(self._connect()) as con:
                cur = con.execute(
                    "DELETE FROM snapshots WHERE region = ? AND period = ? AND source = ? AND totals = '{}'"
                    " AND NOT EXISTS (SELECT 1 FROM opportunities WHERE snapshot_id = snapshots.id)",
                    (region, period, source),
                )
                return cur.rowcount > 0

        return self._retry(work)

    def periods(self) -> list[tuple[str, str]]:
        """Every (region, period) with a snapshot, in order."""

        def work() -> list[tuple[str, str]]:
            with closing(self._connect()) as con:
                return [
                    (r, p)
                    for r, p in con.execute("SELECT region, period FROM snapshots ORDER BY region, period")
                ]

        return self._retry(work)

    def forget(self, region: str, period: str) -> None:
        """Remove the snapshot of (region, period) (a batch files a period's workbooks again, in order)."""

        def work() -> None:
            with closing(self._connect()) as con:
                con.execute("DELETE FROM snapshots WHERE region = ? AND period = ?", (region, period))

        self._retry(work)

    def regions(self) -> list[str]:
        """Every region with a snapshot, in order."""

        def work() -> list[str]:
            with closing(self._connect()) as con:
                return [r for (r,) in con.execute("SELECT DISTINCT region FROM snapshots ORDER BY region")]

        return self._retry(work)


def _rollback(con: sqlite3.Connection) -> None:
    """Undo the transaction if SQLite has not already (it rolls back by itself on a full disk, and a second
    ROLLBACK would hide the real error behind "no transaction is active")."""
    if con.in_transaction:
        con.execute("ROLLBACK")


def _replace_snapshot(
    con: sqlite3.Connection, snapshot: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    """Inside the caller's transaction: (region, period)'s snapshot becomes ``snapshot`` with ``rows``,
    unless it already has the same digest (saving the same content again changes nothing)."""
    region, period, digest = snapshot[0], snapshot[1], snapshot[6]
    same = con.execute(
        "SELECT 1 FROM snapshots WHERE region = ? AND period = ? AND digest = ?", (region, period, digest)
    ).fetchone()
    if same:
        return
    con.execute("DELETE FROM snapshots WHERE region = ? AND period = ?", (region, period))
    snapshot_id = con.execute(INSERT_SNAPSHOT, snapshot).lastrowid
    con.executemany(INSERT_OPPORTUNITY, [(snapshot_id, *row) for row in rows])


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _sql(value: Any) -> Any:
    """pandas/numpy scalars to what sqlite3 stores; NaN/NA to NULL."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def snapshot_totals(results: Results, period: str) -> dict[str, Any]:
    """The key figures a snapshot keeps: funnel, collections to date and balance, the month's and the
    year-to-date P&L, the monthly plan's attainment, and each owner's figures (where Results has them).
    The roll-up reads them from here; report.json is only its fallback for older histories."""
    totals: dict[str, Any] = {}
    if results.funnel is not None:
        counts = results.funnel["count"]
        totals["funnel_counts"] = {cls: int(number) for cls, number in counts.items()}
        totals["open"] = int(counts.sum())
        totals["amount_total"] = float(results.funnel["amount"].sum())
        totals["weighted_total"] = float(results.funnel["weighted"].sum())
        assert results.health is not None  # the funnel's health is graded with the funnel
        totals["health"], totals["health_rule"] = results.health
    if results.receivables is not None:
        summary = results.receivables.summary
        totals |= {
            "collection_rate": summary.get("collection_rate"),
            "receivables_plan_to_date": summary.get("plan_to_date"),
            "receivables_actual_to_date": summary.get("actual_to_date"),
            "receivables_last_month": summary.get("last_month"),
            "receivables_balance": _number(summary.get("balance")),
        }
    if results.pnl is not None:
        decided = getattr(results, "period", None)  # where the period came from (calendar.Period)
        totals |= _month_profit(results.pnl, period, decided.source if decided is not None else None)[0]
        totals |= _pnl_to_date(results.pnl.summary)
    totals |= _plan_attainment(results.monthly)
    owners = _owner_figures(getattr(results, "owners", None), results.forms)
    if owners:
        totals["owners"] = owners
    return totals


def _number(value: Any) -> float | None:
    """A float, or None for a missing or NaN value (JSON has no NaN)."""
    if value is None or value is pd.NA:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number else number


def _pnl_to_date(summary: Mapping[str, Any]) -> dict[str, float | None]:
    """Revenue, expense and profit to date: the plan over the months with actuals, and the actuals."""
    figures: dict[str, float | None] = {}
    for group in ("revenue", "expense", "profit"):
        figures[f"{group}_plan_to_date"] = _number(summary.get(f"{group}_plan_to_date"))
        figures[f"{group}_actual_to_date"] = _number(summary.get(f"{group}_actual"))
    return figures


def _plan_attainment(monthly: pd.DataFrame | None) -> dict[str, int]:
    """How many of the monthly plan's indicators were judged, and how many are on plan (attainment ≥ 1)."""
    if monthly is None or "attainment" not in monthly:
        return {}
    judged = [number for number in map(_number, monthly["attainment"].tolist()) if number is not None]
    return {"plans_judged": len(judged), "plans_met": sum(1 for number in judged if number >= 1)}


def _owner_figures(owners: pd.DataFrame | None, forms: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """form -> owner -> the owner's figures that form gives (``OWNER_FORMS``), for the forms the workbook
    has: a later file's form replaces them as it replaces the form's totals."""
    if owners is None or "owner" not in owners or owners.empty:
        return {}
    kept: dict[str, dict[str, Any]] = {}
    for form, columns in OWNER_FORMS.items():
        present = [column for column in columns if column in owners]
        if form not in forms or not present:
            continue
        kept[form] = {
            str(row["owner"]): {column: _number(row[column]) for column in present}
            for row in owners.to_dict("records")
            if isinstance(row["owner"], str) and row["owner"].strip()
        }
    return kept


def forms_of_totals(totals: Mapping[str, Any]) -> list[str]:
    """The forms whose figures a snapshot's totals hold."""
    return sorted(
        {form for key in totals if (form := form_of_total(key)) is not None} | set(totals.get("owners") or {})
    )


def form_of_total(key: str) -> str | None:
    """The form a totals key comes from (None for ``owners``, which is kept per form)."""
    if key in TOTALS_FORM:
        return TOTALS_FORM[key]
    return next((form for prefix, form in TOTALS_PREFIX_FORM if key.startswith(prefix)), None)


def _form_entry(source: str, as_of: str, replaced: list[str] | None = None) -> dict[str, Any]:
    return {"source": source, "as_of": as_of or None, "replaced": replaced or []}


def merge_snapshot(
    kept: Mapping[str, Any] | None,
    totals: dict[str, Any],
    forms: Sequence[str],
    source: str,
    counts: dict[str, Any],
) -> dict[str, Any]:
    """A period's snapshot after one more file: form by form, the file's forms replace the same forms of
    the snapshot (their figures, owners and source, which is remembered as replaced when it was another
    file); the other forms stay. ``counts`` is the file's review date, issue counts and region source.
    {"totals", "forms", "inputs"}."""
    if kept is None:
        kept = {"totals": {}, "forms": {}, "inputs": {}}
    # only the file's own forms: a report's snapshot totals were already merged with the period's
    read = set(forms) or set(forms_of_totals(totals))
    merged = {key: value for key, value in kept["totals"].items() if form_of_total(key) not in read}
    merged.pop("owners", None)
    # a figure of no known form: the later file's, as before forms were kept
    merged |= {
        key: value
        for key, value in totals.items()
        if form_of_total(key) in read or (form_of_total(key) is None and key != "owners")
    }
    owners = {form: v for form, v in (kept["totals"].get("owners") or {}).items() if form not in read}
    owners |= {form: v for form, v in (totals.get("owners") or {}).items() if form in read}
    if owners:
        merged["owners"] = owners
    entries = dict(kept["forms"])
    for form in sorted(read):
        earlier = entries.get(form)
        replaced = [name for name in (earlier or {}).get("replaced", []) if name != source]
        if earlier and earlier["source"] and earlier["source"] != source:
            replaced.append(earlier["source"])
        entries[form] = _form_entry(source, counts.get("as_of") or "", replaced)
    current = {entry["source"] for entry in entries.values()}
    inputs = {name: value for name, value in kept["inputs"].items() if name in current and name != source}
    if source:
        inputs[source] = counts
    return {"totals": merged, "forms": entries, "inputs": inputs}


def _month_profit(
    pnl: Any, period: str, source: str | None = None
) -> tuple[dict[str, float | None], int | None]:
    """Revenue and profit, plan and actual, of the period's month (else of the P&L's last month with
    actuals), and the P&L's year when it is not the period's (then no figures: they are another year's).

    A period decided from the review date (``source`` "review_date") is a guess: the P&L's last month
    with actuals says more than that month's plan with no actual yet."""
    # months by their place in time (calc.months): a rolling P&L holds a month number twice
    months = pnl.months.set_index(periods(pnl.months))
    year, month_number = (int(part) for part in period.split("-")[:2])
    spanning = spans_years(pnl.months)
    written = None if spanning else _pnl_year(pnl)
    if written is not None and written != year:
        return {}, written
    wanted = year * 12 + month_number - 1 if spanning else month_number - 1
    month = wanted if wanted in months.index else pnl.last_period
    if source == "review_date" and pnl.last_period is not None:
        month = pnl.last_period
    if spanning and month is not None and int(month) // 12 != year:
        return {}, int(month) // 12  # a rolling P&L that does not reach the period's year
    return _profit_figures(months, month), None


def _pnl_year(pnl: Any) -> int | None:
    """The one year a P&L within one year plans, where its title or headers wrote it; else None."""
    lines = pnl.lines
    if "year" not in lines:
        return None
    years = pd.to_numeric(lines["year"], errors="coerce").dropna().astype(int).unique()
    return int(years[0]) if len(years) == 1 else None


def _profit_figures(months: pd.DataFrame, month: Any) -> dict[str, float | None]:
    """One month's revenue and profit, plan and actual (nothing when the P&L has no such month)."""
    figures: dict[str, float | None] = {}
    if month is not None and month in months.index:
        row = months.loc[month]
        for key in ("revenue_plan", "revenue_actual", "profit_plan", "profit_actual"):
            value = row.get(key)
            figures[f"{key}_month"] = None if value is None or value != value else float(value)
    return figures


def apply_history(
    results: Results, store: HistoryStore, settings: Settings, region: str | None = None
) -> None:
    """File the workbook's snapshot and add what the history says: movement, stuck, trends, and health
    by its rules.

    Sets ``results.history`` (region, period, previous period, the snapshot
    ids it compared with, movement, transitions, conversion, stuck, trends)
    and, when being stuck can be judged, the funnel's health by the stuck rule.
    """
    from kamxl.calc import snapshots

    region, region_from = snapshots.region_and_source(
        results.titles, results.source.stem, results.customers, settings, region
    )
    if region_from in snapshots.GUESSED_SOURCES:
        # the workbook names no region: say where it was filed, and how to file it elsewhere
        results.issues.append(
            settings.issue(
                "region_guessed", region=region, how=settings.label(f"ui.region_from_{region_from}")
            )
        )
    assert results.period is not None  # build_results decides it before any calculation
    period = str(results.period)
    if results.pnl is not None and (year := _month_profit(results.pnl, period)[1]) is not None:
        # the P&L's month figures are another year's: not filed under this period, and said so
        results.issues.append(settings.issue("history_pnl_other_year", year=year, period=period))
    earlier = [s for s in store.snapshots(region, period) if s["period"] < period]
    current = snapshots.opportunities_of(results.customers)
    info: dict[str, Any] = {
        "region": region,
        "region_from": region_from,
        "period": period,
        "previous_period": earlier[-1]["period"] if earlier else None,
        "compared_with": [s["digest"] for s in earlier],
        "movement": None,
        "transitions": None,
        "conversion": None,
        "stuck": None,
    }
    if results.customers is not None:
        info |= _compare(results, store, settings, earlier, current)
    totals, filed = _file_snapshot(results, store, region, (period, region_from), current)
    # what was filed, for report.json to keep (a corrupt history is rebuilt from the reports)
    info["snapshot"] = {"totals": totals, "opportunities": filed}
    series = [(s["period"], s["totals"]) for s in store.snapshots(region, period)]
    info["trends"] = snapshots.trends(series)
    results.history = info


def _compare(
    results: Results,
    store: HistoryStore,
    settings: Settings,
    earlier: list[dict[str, Any]],
    current: pd.DataFrame,
) -> dict[str, Any]:
    """Movement since the previous snapshot, and the opportunities stuck over the last months; sets the
    funnel's health by the stuck rule when the share of stuck ones can be judged."""
    from kamxl.calc import snapshots
    from kamxl.calc.funnel import funnel_health

    info: dict[str, Any] = {}
    months = int(settings.get("health.stuck_months"))
    past = [store.opportunities(s["id"]) for s in earlier[-(months - 1) :]] if months > 1 else []
    if earlier:
        moves = snapshots.movement(past[-1] if past else store.opportunities(earlier[-1]["id"]), current)
        info |= {
            "movement": moves,
            "transitions": snapshots.transitions(moves),
            "conversion": snapshots.conversion(moves),
        }
    stuck_rows = snapshots.stuck(past + [current], months)
    info["stuck"] = stuck_rows
    assert results.funnel is not None  # the funnel is counted whenever there are customers
    counts = results.funnel["count"].to_dict()
    share = snapshots.stuck_share(stuck_rows, counts)
    info["stuck_share"] = share
    if share is not None:
        results.health = funnel_health(counts, settings, stuck_share=share)
    return info


def _file_snapshot(
    results: Results, store: HistoryStore, region: str, filed: tuple[str, str], current: pd.DataFrame
) -> tuple[dict[str, Any], pd.DataFrame]:
    """Save the period's snapshot (``filed``: the period and where the region came from); its totals and
    opportunities as saved. A workbook holding only some forms (a P&L alone) replaces those forms and
    keeps the rest of the period's snapshot (``merge_snapshot``)."""
    from kamxl import __version__
    from kamxl.issues import Severity

    period, region_from = filed
    totals = snapshot_totals(results, period)
    kept = [s for s in store.snapshots(region, period) if s["period"] == period]
    if kept and results.customers is None:
        current = store.opportunities(kept[-1]["id"])
    counts = {
        "as_of": results.as_of.isoformat(),
        "errors": sum(1 for issue in results.issues if issue.severity == Severity.ERROR),
        "warnings": sum(1 for issue in results.issues if issue.severity == Severity.WARNING),
        "region_from": region_from,
    }
    merged = merge_snapshot(
        kept[-1] if kept else None, totals, list(results.forms), results.source.name, counts
    )
    store.save(
        region,
        period,
        current,
        merged["totals"],
        source=results.source.name,
        as_of=results.as_of.isoformat(),
        version=__version__,
        forms=merged["forms"],
        inputs=merged["inputs"],
    )
    return merged["totals"], current


def snapshot_from_report(report: dict[str, Any]) -> tuple[str, str, pd.DataFrame, dict[str, Any]] | None:
    """(region, period, opportunities, totals) of the snapshot a report.json was filed with; None for a
    report without history. A report with a ``history.snapshot`` section gives it as it was; an older
    one is read back from its funnel, receivables, P&L and customers, which hold the same figures."""
    from kamxl.calc.snapshots import opportunities_of

    history = report.get("history")
    if not isinstance(history, dict) or not history.get("region") or not history.get("period"):
        return None
    region, period = str(history["region"]), str(history["period"])
    kept = history.get("snapshot")
    if isinstance(kept, dict) and "totals" in kept:
        frame = pd.DataFrame(kept.get("opportunities") or [], columns=OPPORTUNITY_COLUMNS)
        return region, period, frame, dict(kept["totals"])
    customers = pd.DataFrame(report.get("customers") or [])
    for column in ("customer", "project", "owner", "tier", "class", "status", "amount", "weighted_amount"):
        if column not in customers:
            customers[column] = None
    frame = opportunities_of(customers if len(customers) else None)
    return region, period, frame, _totals_from_report(report, period)


def _totals_from_report(report: dict[str, Any], period: str) -> dict[str, Any]:
    """What ``snapshot_totals`` kept, from the sections of report.json that show the same figures."""
    totals: dict[str, Any] = {}
    funnel = report.get("funnel")
    if isinstance(funnel, dict) and funnel.get("counts") is not None:
        totals["funnel_counts"] = {cls: int(n) for cls, n in funnel["counts"].items()}
        totals["open"] = int(sum(funnel["counts"].values()))
        totals["amount_total"] = float(sum(v or 0 for v in (funnel.get("amounts") or {}).values()))
        totals["weighted_total"] = float(funnel.get("weighted_total") or 0.0)
        totals["health"], totals["health_rule"] = funnel.get("health"), funnel.get("health_rule")
    receivables = report.get("receivables")
    if isinstance(receivables, dict):
        totals |= {
            "collection_rate": receivables.get("collection_rate"),
            "receivables_plan_to_date": receivables.get("plan_to_date"),
            "receivables_actual_to_date": receivables.get("actual_to_date"),
            "receivables_last_month": receivables.get("last_month"),
        }
    pnl = report.get("pnl")
    if isinstance(pnl, dict):
        totals |= _report_month_profit(pnl, period)
    return totals


def _report_month_profit(pnl: Mapping[str, Any], period: str) -> dict[str, float | None]:
    """``_month_profit`` from report.json's P&L: months keyed by period (a rolling P&L's second
    November is its own month), the period's month else the last with actuals (``last_period``, or
    ``last_month`` where the months carry no year)."""
    rows = [row for row in pnl.get("months") or [] if isinstance(row, dict) and row.get("month") is not None]
    spanning = any(row.get("period") is not None for row in rows)
    months = {int(row["period"]) if spanning else int(row["month"]) - 1: row for row in rows}
    year, month_number = (int(part) for part in period.split("-")[:2])
    wanted = year * 12 + month_number - 1 if spanning else month_number - 1
    last = pnl.get("last_period")
    if spanning and isinstance(last, str):
        last_year, last_month = (int(part) for part in last.split("-")[:2])
        fallback: int | None = last_year * 12 + last_month - 1
    else:
        fallback = int(pnl["last_month"]) - 1 if pnl.get("last_month") is not None else None
    month = wanted if wanted in months else fallback
    if month is None or month not in months:
        return {}
    return {
        f"{key}_month": None if months[month].get(key) is None else float(months[month][key])
        for key in ("revenue_plan", "revenue_actual", "profit_plan", "profit_actual")
    }


def _region_from(report: Mapping[str, Any], issues: list[dict[str, Any]]) -> str | None:
    """How a report's region was decided: as its history recorded it, else "guessed" when it warned so."""
    recorded = (report.get("history") or {}).get("region_from")
    if recorded:
        return str(recorded)
    return "guessed" if any(issue.get("code") == "region_guessed" for issue in issues) else None
