"""Many workbooks at once: ``process`` on every core, in a process pool.

Files are independent except through the history: a review compares with
the region's earlier snapshots, and in a parallel batch March may be done
before February is filed. After the pool, every review whose earlier
snapshots changed since it ran is done again, oldest period first, so a
batch gives the same results as processing the files one by one in order.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kamxl.config import Settings
from kamxl.issues import describe
from kamxl.outcome import Filed, Outcome
from kamxl.pipeline import RunOptions, process

if TYPE_CHECKING:
    from kamxl.store import HistoryStore


def default_jobs() -> int:
    """The cores this process may use (the affinity mask where the OS has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class _Job:
    """What every file of a batch is processed with; pickled once per file into the pool."""

    out: Path
    settings: Settings
    as_of: dt.date | None
    strict: bool
    history: Path | None
    region: str | None


def _one(path: Path, job: _Job) -> Outcome:
    """Process one file and drop its tables: the outcome crosses back from the worker small."""
    outcome = process(path, job.out, job.settings, RunOptions(job.as_of, job.history, job.region, job.strict))
    outcome.results = None
    return outcome


def run_batch(
    files: list[Path],
    out: Path,
    settings: Settings,
    as_of: dt.date | None = None,
    *,
    history: Path | None = None,
    region: str | None = None,
    jobs: int | None = None,
    strict: bool = False,
    on_done: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Process ``files`` into ``out`` on ``jobs`` processes; outcomes in the order of ``files``.

    ``on_done`` is called in this process as each file finishes (for a
    progress bar). One bad file never stops the batch: it is an outcome
    with its errors.
    """
    job = _Job(out, settings, as_of, strict, history, region)
    jobs = min(jobs or default_jobs(), max(1, len(files)))
    if jobs == 1:
        return _run_serial(files, job, on_done)
    ordered = _run_pool(files, job, jobs, on_done)
    if history is not None:
        _redo_stale(ordered, job, history)
    return ordered


def _run_serial(files: list[Path], job: _Job, on_done: Callable[[Outcome], None] | None) -> list[Outcome]:
    """One file after the other in this process: nothing to redo, each review sees the ones before."""
    outcomes = []
    for path in files:
        outcomes.append(_one(path, job))
        if on_done:
            on_done(outcomes[-1])
    return outcomes


def _run_pool(
    files: list[Path], job: _Job, jobs: int, on_done: Callable[[Outcome], None] | None
) -> list[Outcome]:
    """Every file in a pool of ``jobs`` processes; outcomes in the order of ``files``."""
    outcomes: dict[int, Outcome] = {}
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(_one, path, job): i for i, path in enumerate(files)}
        for future in as_completed(futures):
            index = futures[future]
            outcomes[index] = _result_of(future, files[index], job)
            if on_done:
                on_done(outcomes[index])
    return [outcomes[i] for i in range(len(files))]


def _result_of(future: Future[Outcome], path: Path, job: _Job) -> Outcome:
    """The worker's outcome, or, when the worker died (killed, out of memory), an outcome saying so."""
    try:
        return future.result()
    except Exception as exc:  # the file failed, the batch goes on
        if job.strict:
            raise
        outcome = Outcome(path)
        outcome.issues.append(job.settings.issue("unexpected_error", name=path.name, detail=describe(exc)))
        return outcome


def _redo_stale(outcomes: list[Outcome], job: _Job, history: Path) -> None:
    """Process again, oldest period first, every review whose earlier snapshots changed after it ran.

    Several files of the same region and period replace each other's
    snapshot; one by one in name order the last name keeps it, so it is
    filed again here if another finished after it.
    """
    from kamxl.store import HistoryStore

    settings = job.settings
    store = HistoryStore(
        history, retries=settings.get("history.busy_retries"), timeout=settings.get("history.busy_timeout_s")
    )
    _refile_last_of_each_period(outcomes, job, store)
    oldest_first = sorted(_filed_outcomes(outcomes), key=lambda pair: (pair[1].region, pair[1].period))
    for i, filed in oldest_first:
        if tuple(store.earlier_digests(filed.region, filed.period)) != tuple(filed.compared_with):
            outcomes[i] = _one(outcomes[i].source, job)


def _refile_last_of_each_period(outcomes: list[Outcome], job: _Job, store: HistoryStore) -> None:
    """Of the files filed under one (region, period), the last in name order must keep the snapshot."""
    last: dict[tuple[str, str], int] = {}
    for i, filed in sorted(_filed_outcomes(outcomes), key=lambda pair: outcomes[pair[0]].source.name):
        last[(filed.region, filed.period)] = i
    for (region, period), i in sorted(last.items()):
        kept = [snap["source"] for snap in store.snapshots(region, period) if snap["period"] == period]
        if kept and kept[-1] != outcomes[i].source.name:
            outcomes[i] = _one(outcomes[i].source, job)


def _filed_outcomes(outcomes: list[Outcome]) -> list[tuple[int, Filed]]:
    """The index and filing of every outcome whose snapshot went into the history."""
    return [(i, outcome.filed) for i, outcome in enumerate(outcomes) if outcome.filed is not None]
