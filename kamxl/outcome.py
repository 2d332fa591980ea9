"""What processing one file produced: the record every shell (CLI, batch, watcher) reports from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from kamxl.issues import Issue


class Filed(NamedTuple):  # TEMP (shell): the lead adds the real one
    region: str
    period: str
    compared_with: tuple[str, ...]


@dataclass
class Outcome:
    """What processing one file produced."""

    source: Path
    outputs: list[Path] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    forms: list[str] = field(default_factory=list)
    results: object | None = None
    filed: Filed | None = None  # (region, period, digests compared with) when a history was used
    seconds: float = 0.0

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]


@dataclass
class AppraisalOutcome(Outcome):
    """An Outcome that also lists each employee's result (appraisal.json's entries)."""

    employees: list[dict] = field(default_factory=list)
