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
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Callable

from kamxl.config import Settings
from kamxl.outcome import Outcome
from kamxl.process import process


def default_jobs() -> int:
    """The cores this process may use (the affinity mask where the OS has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


def _one(path: Path, out: Path, settings: Settings, as_of, strict: bool, history, region) -> Outcome:
    outcome = process(path, out, settings, as_of, strict=strict, history=history, region=region)
    outcome.results = None  # the tables stay in the worker; the outcome crosses back small
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
    jobs = min(jobs or default_jobs(), max(1, len(files)))
    outcomes: dict[int, Outcome] = {}
    if jobs == 1:
        for i, path in enumerate(files):
            outcomes[i] = _one(path, out, settings, as_of, strict, history, region)
            if on_done:
                on_done(outcomes[i])
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = {
                pool.submit(_one, path, out, settings, as_of, strict, history, region): i
                for i, path in enumerate(files)
            }
            for future in as_completed(futures):
                i = futures[future]
                try:
                    outcomes[i] = future.result()
                except (
                    Exception
                ) as exc:  # the worker died (killed, out of memory): the file failed, the batch goes on
                    if strict:
                        raise
                    outcome = Outcome(files[i])
                    outcome.issues.append(
                        settings.issue(
                            "unexpected_error",
                            name=files[i].name,
                            detail=f"{type(exc).__name__}: {exc}"[:200],
                        )
                    )
                    outcomes[i] = outcome
                if on_done:
                    on_done(outcomes[i])
    ordered = [outcomes[i] for i in range(len(files))]
    if history is not None and jobs > 1:
        _redo_stale(ordered, out, settings, as_of, strict, history, region)
    return ordered


def _redo_stale(
    outcomes: list[Outcome], out: Path, settings: Settings, as_of, strict: bool, history: Path, region
) -> None:
    """Process again, oldest period first, every review whose earlier snapshots changed after it ran.

    Several files of the same region and period replace each other's
    snapshot; one by one in name order the last name keeps it, so it is
    filed again here if another finished after it.
    """
    from kamxl.store import HistoryStore

    store = HistoryStore(
        history, retries=settings.get("history.busy_retries"), timeout=settings.get("history.busy_timeout_s")
    )
    last: dict[tuple[str, str], int] = {}
    for i in sorted((i for i, o in enumerate(outcomes) if o.filed), key=lambda i: outcomes[i].source.name):
        last[outcomes[i].filed[:2]] = i
    for (reg, period), i in sorted(last.items()):
        kept = [s["source"] for s in store.snapshots(reg, period) if s["period"] == period]
        if kept and kept[-1] != outcomes[i].source.name:
            outcomes[i] = _one(outcomes[i].source, out, settings, as_of, strict, history, region)
    filed = sorted(
        (i for i, o in enumerate(outcomes) if o.filed),
        key=lambda i: (outcomes[i].filed[0], outcomes[i].filed[1]),
    )
    for i in filed:
        reg, period, seen = outcomes[i].filed
        if tuple(store.earlier_digests(reg, period)) != seen:
            outcomes[i] = _one(outcomes[i].source, out, settings, as_of, strict, history, region)
