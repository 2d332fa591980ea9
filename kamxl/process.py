"""``process``: one workbook in, its results out. The CLI and the watcher are shells over it.

read → build results → write each output (the report workbook, then
the review summary, then report.json). It never raises for a
bad input file: every problem is an Issue in the outcome and in report.json.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Callable

from kamxl.config import Settings
from kamxl.issues import Issue
from kamxl.outcome import Filed, Outcome


def _workbook_writer(results, out_dir: Path, stem: str, settings: Settings) -> tuple[list[Path], list[Issue]]:
    from kamxl.write.xlsx import write_workbook

    target = out_dir / f"{stem}.kamxl.xlsx"
    return [target], write_workbook(results, target, settings)


def _summary_writer(results, out_dir: Path, stem: str, settings: Settings) -> tuple[list[Path], list[Issue]]:
    from kamxl.write.summary import write_summary

    return write_summary(results, out_dir, stem, settings)


def _appraisal_writer(
    results, out_dir: Path, stem: str, settings: Settings
) -> tuple[list[Path], list[Issue]]:
    from kamxl.write.appraisal_files import write_appraisal

    indicators, employees = results.appraisal
    return write_appraisal(indicators, employees, out_dir, stem, settings, results.source.name)


# Writers that render the results (report.json is written last, so it carries
# their issues too); each takes (results, out_dir, stem, settings) and
# returns (paths written, issues about the output).
WRITERS: list[Callable] = [_workbook_writer, _summary_writer]


def _apply_history(results, path: Path, settings: Settings, region: str | None, strict: bool) -> None:
    import sqlite3

    from kamxl.store import HistoryError, HistoryStore, apply_history

    store = HistoryStore(
        path, retries=settings.get("history.busy_retries"), timeout=settings.get("history.busy_timeout_s")
    )
    try:
        apply_history(results, store, settings, region)
    except (sqlite3.Error, HistoryError, OSError) as exc:
        if strict:
            raise
        results.issues.append(settings.issue("history_failed", path=str(path), detail=str(exc)[:200]))
        return
    h = results.history
    previous = (
        settings.label("ui.compared_with", period=h["previous_period"])
        if h["previous_period"]
        else settings.label("ui.first_snapshot")
    )
    results.issues.append(
        settings.issue("history_filed", region=h["region"], period=h["period"], previous=previous)
    )


def process(
    path: str | Path,
    out_dir: str | Path,
    settings: Settings,
    as_of: dt.date | None = None,
    strict: bool = False,
    history: str | Path | None = None,
    region: str | None = None,
    stem: str | None = None,
    link: Path | None = None,
) -> Outcome:
    """Read, calculate and write the outputs of one workbook into ``out_dir``.

    With ``history`` (a SQLite file), the workbook's snapshot is filed there
    under (region, period) and the results gain movement, stuck and trends.
    ``stem`` names the outputs (default: the file's own stem); ``link`` is
    where the input will be kept, for the issue links (default: where it is).
    """
    from kamxl.read import read_workbook
    from kamxl.results import build_results
    from kamxl.write.report import report_dict, unreadable_report, write_report

    started = time.perf_counter()
    path, out_dir = Path(path), Path(out_dir)
    as_of = as_of or dt.date.today()
    outcome = Outcome(path)
    results = None
    try:
        wb = read_workbook(path, settings, strict=strict)
        if wb.kind is None:
            outcome.issues = list(wb.issues)
            report = unreadable_report(path, as_of, outcome.issues)
        else:
            results = build_results(wb, settings, as_of, strict=strict)
            results.link = link
            if history is not None:
                _apply_history(results, Path(history), settings, region, strict)
            outcome.issues = list(results.issues)
            outcome.forms = list(results.forms)
            report = report_dict(results)
    except Exception as exc:
        if strict:
            raise
        outcome.issues.append(
            settings.issue("unexpected_error", name=path.name, detail=f"{type(exc).__name__}: {exc}"[:200])
        )
        report = unreadable_report(path, as_of, outcome.issues)
        results = None
    outcome.results = results
    if results is not None and results.history is not None:
        h = results.history
        outcome.filed = Filed(h["region"], h["period"], tuple(h["compared_with"]))  # TEMP (shell)
    stem = stem or path.stem
    try:
        if results is not None:
            # an HR export and nothing else: its appraisal forms are the output (kamxl watch gets them too)
            writers = (
                [_appraisal_writer]
                if set(results.forms) == {"appraisal"} and results.appraisal is not None
                else WRITERS
            )
            for writer in writers:
                try:
                    written, issues = writer(results, out_dir, stem, settings)
                except OSError:
                    raise
                except Exception as exc:  # a bug in one writer must not cost the other outputs
                    if strict:
                        raise
                    written, issues = (
                        [],
                        [
                            settings.issue(
                                "unexpected_error",
                                name=path.name,
                                detail=f"{type(exc).__name__}: {exc}"[:200],
                            )
                        ],
                    )
                outcome.outputs += written
                if issues:
                    results.issues += issues
                    outcome.issues += issues
                    report = report_dict(results)
        outcome.outputs.insert(0, write_report(report, out_dir / f"{stem}.report.json"))
    except OSError as exc:
        if strict:
            raise
        outcome.issues.append(settings.issue("write_failed", path=str(out_dir / stem), detail=str(exc)[:200]))
    outcome.seconds = time.perf_counter() - started
    return outcome
