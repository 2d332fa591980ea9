"""``process``: one workbook in, its outputs out. The CLI, the batch and the watcher are shells over it.

read → build results → file the history snapshot → write each output (the
report workbook, the review summary, then report.json, which carries the
others' issues too). It never raises for a bad input file: every problem is
an Issue in the outcome and in report.json.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kamxl.config import Settings
from kamxl.issues import Issue, describe
from kamxl.outcome import Filed, Outcome

if TYPE_CHECKING:
    from kamxl.results import Results


@dataclass(frozen=True)
class RunOptions:
    """How a run treats every file it processes (the command line's options, the watcher's settings).

    ``as_of`` is the review date (None: today): it decides 本月内 / 考核期内 for
    close dates and the aging of receivables. With ``history`` (an SQLite
    file) each review is filed there and compared with the region's earlier
    months; ``region`` overrides the region found in the workbook.
    ``strict`` raises on a bug instead of turning it into an issue (``--debug``).
    """

    as_of: dt.date | None = None
    history: Path | None = None
    region: str | None = None
    strict: bool = False

    @property
    def review_date(self) -> dt.date:
        return self.as_of or dt.date.today()


# A writer renders the results into out_dir under a stem: (paths written, issues about the output).
Writer = Callable[["Results", Path, str, Settings], tuple[list[Path], list[Issue]]]


def _workbook_writer(
    results: Results, out_dir: Path, stem: str, settings: Settings
) -> tuple[list[Path], list[Issue]]:
    from kamxl.write.xlsx import write_workbook

    target = out_dir / f"{stem}.kamxl.xlsx"
    return [target], write_workbook(results, target, settings)


def _summary_writer(
    results: Results, out_dir: Path, stem: str, settings: Settings
) -> tuple[list[Path], list[Issue]]:
    from kamxl.write.summary import write_summary

    return write_summary(results, out_dir, stem, settings)


def _appraisal_writer(
    results: Results, out_dir: Path, stem: str, settings: Settings
) -> tuple[list[Path], list[Issue]]:
    from kamxl.write.appraisal_files import write_appraisal

    assert results.appraisal is not None  # chosen only for an appraisal export
    indicators, employees = results.appraisal
    return write_appraisal(indicators, employees, out_dir, stem, settings, results.source.name)


# Writers that render a review; report.json is written after them, so it carries their issues too.
WRITERS: list[Writer] = [_workbook_writer, _summary_writer]


def _writers_for(results: Results) -> list[Writer]:
    """An HR export and nothing else: its appraisal forms are the output (kamxl watch gets them too)."""
    if set(results.forms) == {"appraisal"} and results.appraisal is not None:
        return [_appraisal_writer]
    return WRITERS


def _apply_history(results: Results, path: Path, settings: Settings, options: RunOptions) -> None:
    import sqlite3

    from kamxl.store import HistoryError, HistoryStore, apply_history

    store = HistoryStore(
        path, retries=settings.get("history.busy_retries"), timeout=settings.get("history.busy_timeout_s")
    )
    try:
        apply_history(results, store, settings, options.region)
    except (sqlite3.Error, HistoryError, OSError) as exc:
        if options.strict:
            raise
        results.issues.append(settings.issue("history_failed", path=str(path), detail=describe(exc)))
        return
    filed = results.history
    assert filed is not None  # apply_history sets it
    previous = (
        settings.label("ui.compared_with", period=filed["previous_period"])
        if filed["previous_period"]
        else settings.label("ui.first_snapshot")
    )
    results.issues.append(
        settings.issue("history_filed", region=filed["region"], period=filed["period"], previous=previous)
    )


def _calculate(
    path: Path, settings: Settings, options: RunOptions, link: Path | None
) -> Results | list[Issue]:
    """The workbook's results, or the issues that say why it could not be read."""
    from kamxl.read import read_workbook
    from kamxl.results import build_results

    workbook = read_workbook(path, settings, strict=options.strict)
    if workbook.kind is None:
        return list(workbook.issues)
    results = build_results(workbook, settings, options.review_date, strict=options.strict)
    results.link = link
    if options.history is not None and results.forms:  # a workbook with no form is no region's review
        _apply_history(results, options.history, settings, options)
    _decide(results, workbook, settings, options.strict)
    return results


def _decide(results: Results, workbook: Any, settings: Settings, strict: bool) -> None:
    """The ranked decisions and risks (docs/method.md §14): after the history, which says who is stuck."""
    from kamxl.calc.cells import CellMap
    from kamxl.calc.decisions import Inputs, decide

    period = results.period
    stuck = results.history.get("stuck") if results.history else None
    inputs = Inputs(
        results.as_of,
        (period.year, period.month) if period else None,
        results.customers,
        results.receivables,
        results.pnl,
        results.activities,
        results.monthly,
        stuck,
        next(iter(results.forms.get("activities", [])), None),
        {form: CellMap.of(sheets) for form, sheets in workbook.forms.items()},
    )
    try:
        results.decisions = decide(inputs, settings)
    except Exception as exc:  # a bug in a rule costs the decisions, not the review
        if strict:
            raise
        results.issues.append(
            settings.issue("calculation_failed", form=settings.label("decisions.title"), detail=describe(exc))
        )


def _render(
    results: Results, out_dir: Path, stem: str, settings: Settings, options: RunOptions
) -> list[Path]:
    """Every output but report.json; a bug in one writer costs only its output (an issue says so)."""
    written: list[Path] = []
    for writer in _writers_for(results):
        try:
            paths, issues = writer(results, out_dir, stem, settings)
        except OSError:
            raise
        except Exception as exc:
            if options.strict:
                raise
            paths, issues = (
                [],
                [settings.issue("unexpected_error", name=results.source.name, detail=describe(exc))],
            )
        written += paths
        results.issues += issues
    return written


def process(
    path: str | Path,
    out_dir: str | Path,
    settings: Settings,
    options: RunOptions | None = None,
    *,
    stem: str | None = None,
    link: Path | None = None,
) -> Outcome:
    """Read, calculate and write the outputs of one workbook into ``out_dir``.

    ``stem`` names the outputs (default: the file's own stem); ``link`` is
    where the input will be kept, for the issue links (default: where it is).
    """
    from kamxl.write.report import report_dict, unreadable_report, write_report

    started = time.perf_counter()
    path, out_dir, options = Path(path), Path(out_dir), options or RunOptions()
    stem = stem or path.stem
    outcome = Outcome(path)
    try:
        calculated = _calculate(path, settings, options, link)
    except Exception as exc:
        if options.strict:
            raise
        calculated = [settings.issue("unexpected_error", name=path.name, detail=describe(exc))]
    results, issues = (None, calculated) if isinstance(calculated, list) else (calculated, calculated.issues)
    if results is not None:
        from kamxl.write.language import output_settings

        settings = output_settings(results, settings)
    try:
        if results is not None:
            outcome.outputs = _render(results, out_dir, stem, settings, options)
            report: dict[str, Any] = report_dict(results, settings)
        else:
            report = unreadable_report(path, options.review_date, issues, settings)
        outcome.outputs.insert(0, write_report(report, out_dir / f"{stem}.report.json"))
    except OSError as exc:
        if options.strict:
            raise
        issues.append(settings.issue("write_failed", path=str(out_dir / stem), detail=describe(exc)))
    outcome.results, outcome.issues = results, list(issues)
    if results is not None:
        _record(outcome, results)
    outcome.seconds = time.perf_counter() - started
    return outcome


def _record(outcome: Outcome, results: Results) -> None:
    """What the outcome tells the shells beyond the issues: the forms read, where the snapshot was filed."""
    outcome.forms = list(results.forms)
    if results.history is not None:
        filed = results.history
        outcome.filed = Filed(filed["region"], filed["period"], tuple(filed["compared_with"]))
