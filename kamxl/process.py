"""``process``: one workbook in, its results out. The CLI and the watcher are shells over it.

read → build results → write each output (report.json now; the report
workbook and the summary slot in as further writers). It never raises for a
bad input file: every problem is an Issue in the outcome and in report.json.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from kamxl.config import Settings
from kamxl.issues import Issue


@dataclass
class Outcome:
    """What processing one file produced."""

    source: Path
    outputs: list[Path] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    forms: list[str] = field(default_factory=list)
    results: object | None = None

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]


def _report_writer(results, report: dict, out_dir: Path, stem: str, settings: Settings) -> Path:
    from kamxl.write.report import write_report

    return write_report(report, out_dir / f"{stem}.report.json")


# Writers run in order after report.json; each gets (results, out_dir, stem, settings).
EXTRA_WRITERS: list[Callable] = []


def process(path: str | Path, out_dir: str | Path, settings: Settings, as_of: dt.date | None = None, strict: bool = False) -> Outcome:
    """Read, calculate and write the outputs of one workbook into ``out_dir``."""
    from kamxl.read import read_workbook
    from kamxl.results import build_results
    from kamxl.write.report import report_dict, unreadable_report

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
            outcome.issues = list(results.issues)
            outcome.forms = list(results.forms)
            report = report_dict(results)
    except Exception as exc:
        if strict:
            raise
        outcome.issues.append(settings.issue("unexpected_error", name=path.name, detail=f"{type(exc).__name__}: {exc}"[:200]))
        report = unreadable_report(path, as_of, outcome.issues)
        results = None
    outcome.results = results
    stem = path.stem
    try:
        outcome.outputs.append(_report_writer(results, report, out_dir, stem, settings))
        if results is not None:
            for writer in EXTRA_WRITERS:
                outcome.outputs.append(writer(results, out_dir, stem, settings))
    except OSError as exc:
        if strict:
            raise
        outcome.issues.append(settings.issue("write_failed", path=str(out_dir / stem), detail=str(exc)[:200]))
    return outcome
