"""Many workbooks at once: ``process`` on every core, in a process pool.

Files are independent except through the history: a review compares with
the region's earlier snapshots, and in a parallel batch March may be done
before February is filed. The results must not depend on the number of
cores nor on the files' names, so every batch (``--jobs 1`` too) ends the
same way: after the first pass, the reviews are settled in (region, period)
order. A review whose earlier snapshots changed since it ran is done again;
the files of one region and period are done again one by one in name order,
from the snapshot the period had before the batch. The outcome is what
processing the files one by one in (region, period, name) order gives.
"""

from __future__ import annotations

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
    options: RunOptions

    @property
    def history(self) -> Path | None:
        return self.options.history

    @property
    def strict(self) -> bool:
        return self.options.strict


def _one(path: Path, job: _Job) -> Outcome:
    """Process one file and drop its tables: the outcome crosses back from the worker small."""
    outcome = process(path, job.out, job.settings, job.options)
    outcome.results = None
    return outcome


def run_batch(
    files: list[Path],
    out: Path,
    settings: Settings,
    options: RunOptions | None = None,
    *,
    jobs: int | None = None,
    on_done: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Process ``files`` into ``out`` on ``jobs`` processes; outcomes in the order of ``files``.

    ``options`` are ``process``'s, the same for every file. ``on_done`` is
    called in this process as each file finishes (for a progress bar). One
    bad file never stops the batch: it is an outcome with its errors.
    """
    options = options or RunOptions()
    job = _Job(out, settings, options)
    history = options.history
    jobs = min(jobs or default_jobs(), max(1, len(files)))
    before = _periods_filed(job)
    ordered = _run_serial(files, job, on_done) if jobs == 1 else _run_pool(files, job, jobs, on_done)
    if history is not None:
        _settle(ordered, job, history, before)
    return ordered


def _periods_filed(job: _Job) -> set[tuple[str, str]]:
    """The (region, period) the history holds before the batch (none without one, or when it cannot be
    read: then every period counts as new)."""
    if job.history is None:
        return set()
    try:
        return set(_store(job).periods())
    except Exception:  # the history's troubles are reported by each file's process()
        return set()


def _store(job: _Job) -> HistoryStore:
    from kamxl.store import HistoryStore

    assert job.history is not None  # only called with a history
    settings = job.settings
    return HistoryStore(
        job.history,
        retries=settings.get("history.busy_retries"),
        timeout=settings.get("history.busy_timeout_s"),
    )


def _run_serial(files: list[Path], job: _Job, on_done: Callable[[Outcome], None] | None) -> list[Outcome]:
    """One file after the other in this process (in the order given: the history settles them after)."""
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


def _settle(outcomes: list[Outcome], job: _Job, history: Path, before: set[tuple[str, str]]) -> None:
    """Make the first pass's results those of processing one by one in (region, period, name) order.

    In (region, period) order: a lone file of its period is done again
    when the earlier snapshots it was compared with have changed since; the
    files sharing a period are all done again in name order (a workbook
    holding only some forms merges into its period's snapshot, so their
    order matters), after the snapshot the batch gave that period is
    removed, unless the period was in the history before the batch.
    """
    store = _store(job)
    groups: dict[tuple[str, str], list[int]] = {}
    for i, filed in sorted(_filed_outcomes(outcomes), key=lambda pair: outcomes[pair[0]].source.name):
        groups.setdefault((filed.region, filed.period), []).append(i)
    for (region, period), members in sorted(groups.items()):
        if len(members) == 1:
            alone = outcomes[members[0]].filed
            assert alone is not None  # grouped from the filed outcomes
            if tuple(store.earlier_digests(region, period)) == tuple(alone.compared_with):
                continue
        elif (region, period) not in before:
            store.forget(region, period)
        for i in members:
            outcomes[i] = _one(outcomes[i].source, job)


def _filed_outcomes(outcomes: list[Outcome]) -> list[tuple[int, Filed]]:
    """The index and filing of every outcome whose snapshot went into the history."""
    return [(i, outcome.filed) for i, outcome in enumerate(outcomes) if outcome.filed is not None]
