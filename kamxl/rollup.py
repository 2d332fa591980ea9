"""``rollup``: the director's review of every region for one period, from the history and the reports.

The history store keeps, per (region, period), every figure a roll-up shows:
the funnel, the collections to date and the balance, the month's and the
year-to-date P&L, the monthly plan's attainment, each owner's figures, every
opportunity with its owner, each form's source file and each input's issue
counts. The report.json files in the output folder give the links to each
region's workbook, and, for a history written by an older kamxl, the
figures it did not keep. Given workbooks or folders of them, they are
processed first, as ``kamxl process`` would.

Writes ``<org>-<period>.rollup.xlsx``, ``.rollup.json`` and
``.summary.md`` / ``.summary.html`` into the output folder, atomically.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kamxl.calc.rollup import Filing, Report, Rollup, build_rollup, latest_period
from kamxl.config import Settings
from kamxl.issues import Issue, Severity, describe
from kamxl.outcome import Outcome


@dataclass
class RollupOutcome:
    """What a roll-up produced: its files, its issues, the roll-up and the workbooks processed first."""

    period: str | None
    outputs: list[Path] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    rollup: Rollup | None = None
    processed: list[Outcome] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.severity == Severity.ERROR]

    @property
    def warnings(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.severity == Severity.WARNING]


def read_reports(folder: Path, links_from: Path | None = None) -> dict[tuple[str, str], list[Report]]:
    """Every report.json in ``folder`` filed in a history, by (region, period), oldest review first; each
    links to its workbook by a path relative to ``links_from`` (the roll-up's folder; default ``folder``).

    A file that is not a kamxl report (or half-written by another program)
    is skipped: the roll-up then lacks only what it would have said.
    """
    found: list[tuple[str, float, str, str, str, Report]] = []
    for path in sorted(folder.glob("*.report.json")):
        try:
            data = json.loads(path.read_text("utf-8"))
            filed = data.get("history") or {}
            region, period = filed["region"], filed["period"]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue
        workbook = path.name.removesuffix(".report.json") + ".kamxl.xlsx"
        link = os.path.relpath(folder / workbook, links_from) if links_from else workbook
        report = Report(Path(link).as_posix() if (folder / workbook).exists() else "", data)
        found.append((str(data.get("as_of") or ""), path.stat().st_mtime, path.name, region, period, report))
    reports: dict[tuple[str, str], list[Report]] = {}
    for *_, region, period, report in sorted(found, key=lambda item: item[:3]):
        reports.setdefault((region, period), []).append(report)
    return reports


def read_history(
    store: Any, reports: dict[tuple[str, str], list[Report]], period: str | None, months: int
) -> dict[str, list[Filing]]:
    """Each region's filings, oldest first, with the opportunities of its last ``months`` filings up to
    ``period`` (the latest, when None): the stuck rule and the league table need them."""
    history: dict[str, list[Filing]] = {}
    for region in store.regions():
        snapshots = store.snapshots(region)
        upto = [snapshot["id"] for snapshot in snapshots if period is None or snapshot["period"] <= period]
        needed = set(upto[-months:])
        history[region] = [
            Filing(
                region,
                snapshot["period"],
                snapshot["totals"],
                store.opportunities(snapshot["id"]) if snapshot["id"] in needed else None,
                tuple(reports.get((region, snapshot["period"]), ())),
                snapshot.get("forms") or {},
                snapshot.get("inputs") or {},
            )
            for snapshot in snapshots
        ]
    return history


def _process_first(
    inputs: Sequence[Path],
    out_dir: Path,
    history: Path,
    settings: Settings,
    as_of: dt.date | None,
    jobs: int | None,
    strict: bool,
) -> list[Outcome]:
    """The workbooks given, processed into ``out_dir`` and filed in ``history`` (``kamxl process``)."""
    from kamxl.batch import run_batch
    from kamxl.pipeline import RunOptions

    return run_batch(list(inputs), out_dir, settings, RunOptions(as_of, history, None, strict), jobs=jobs)


def rollup(
    history: str | Path,
    period: str | None,
    out_dir: str | Path,
    settings: Settings,
    *,
    inputs: Sequence[Path] = (),
    as_of: dt.date | None = None,
    jobs: int | None = None,
    strict: bool = False,
    reports_dir: str | Path | None = None,
) -> RollupOutcome:
    """The roll-up of ``period`` (default: the latest period filed) from ``history``, written into
    ``out_dir``, all its files or none; ``inputs`` (workbooks) are processed into ``out_dir`` and filed
    first. The regions' report.json files are read from ``reports_dir`` (default: ``out_dir``)."""
    history, out_dir = Path(history), Path(out_dir)
    reports = Path(reports_dir) if reports_dir is not None else out_dir
    outcome = RollupOutcome(period)
    if inputs:
        outcome.processed = _process_first(inputs, out_dir, history, settings, as_of, jobs, strict)
    filings = _load(history, (reports, out_dir), period, settings, outcome)
    if filings is None:
        return outcome
    latest = latest_period(filings)
    outcome.period = period = period or latest
    if period is None or not any(filing.period == period for items in filings.values() for filing in items):
        code = "rollup_no_period" if latest else "rollup_no_history"
        outcome.issues.append(settings.issue(code, period=period, latest=latest, path=str(history)))
        return outcome
    outcome.rollup = build_rollup(filings, period, settings)
    outcome.issues += _unreported(filings, period, settings)
    result = outcome.rollup
    outcome.outputs = publish(
        out_dir, lambda folder: write_rollup(result, folder, settings, history, outcome.issues)
    )
    return outcome


def _load(
    history: Path, folders: tuple[Path, Path], period: str | None, settings: Settings, outcome: RollupOutcome
) -> dict[str, list[Filing]] | None:
    """The filings of the history (None, with an issue, when it cannot be read)."""
    from kamxl.store import HistoryError, HistoryStore

    if not history.exists():
        outcome.issues.append(settings.issue("rollup_no_history", path=str(history)))
        return None
    store = HistoryStore(
        history, retries=settings.get("history.busy_retries"), timeout=settings.get("history.busy_timeout_s")
    )
    try:
        reports_dir, out_dir = folders
        links_from = out_dir if out_dir.resolve() != reports_dir.resolve() else None
        reports = read_reports(reports_dir, links_from) if reports_dir.is_dir() else {}
        return read_history(store, reports, period, int(settings.get("health.stuck_months")))
    except (sqlite3.Error, HistoryError, OSError) as exc:
        outcome.issues.append(settings.issue("history_failed", path=str(history), detail=describe(exc)))
        return None


def _unreported(filings: dict[str, list[Filing]], period: str, settings: Settings) -> list[Issue]:
    """A notice per region of the period whose snapshot (of an older kamxl) lacks figures and has no
    report.json to read them from: they are unknown."""
    return [
        settings.issue("rollup_no_report", region=region, period=period)
        for region, items in sorted(filings.items())
        if any(filing.period == period and not filing.reports and not filing.counted for filing in items)
    ]


def write_rollup(
    result: Rollup, out_dir: Path, settings: Settings, history: Path, issues: list[Issue]
) -> list[Path]:
    """The roll-up workbook, rollup.json and the summary; returns the paths written."""
    from kamxl.write.rollup_json import write_rollup_json
    from kamxl.write.rollup_summary import write_rollup_summary
    from kamxl.write.xlsx.rollup_book import write_rollup_book

    stem = f"{settings.get('rollup.org')}-{result.period}"
    workbook = out_dir / f"{stem}.rollup.xlsx"
    issues += write_rollup_book(result, workbook, settings, history.name)
    summaries = write_rollup_summary(result, out_dir, stem, settings)
    report = write_rollup_json(result, out_dir / f"{stem}.rollup.json", settings, issues)
    return [workbook, report, *summaries]


STAGING_PREFIX = ".kamxl-rollup-"
LOCK_NAME = ".kamxl-rollup.lock"


@contextlib.contextmanager
def rollup_lock(folder: Path) -> Iterator[None]:
    """Held while one process builds and publishes a roll-up into ``folder``: several watchers (or a
    watcher and ``kamxl rollup``) sharing it take turns. The one that holds it last read the history
    last, so the roll-up left in place is never older than one another process wrote. An advisory
    ``flock``, released by the OS when its holder dies; where there is none (Windows), the last writer
    wins, each file still replaced atomically."""
    folder.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    with open(folder / LOCK_NAME, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def publish(folder: Path, write: Callable[[Path], list[Path]]) -> list[Path]:
    """All the roll-up's files or none: ``write(staging)`` writes them into a staging folder inside
    ``folder`` (returning their paths), then each is renamed into ``folder``. A failure leaves the
    previous roll-up as it was. Under ``rollup_lock``; staging folders a killed process left are removed
    (the lock holder is the only writer)."""
    folder.mkdir(parents=True, exist_ok=True)
    with rollup_lock(folder):
        for stale in folder.glob(STAGING_PREFIX + "*"):
            shutil.rmtree(stale, ignore_errors=True)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=folder))
        try:
            written = [Path(path) for path in write(staging)]
            for path in written:  # each written with an output's permissions (write.files.atomic_path)
                os.replace(path, folder / path.name)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return [folder / path.name for path in written]
