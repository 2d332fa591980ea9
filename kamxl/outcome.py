"""What processing one file produced: the record every shell (CLI, batch, watcher) reports from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from kamxl.issues import Issue, Severity

if TYPE_CHECKING:
    from kamxl.results import Results


class Filed(NamedTuple):
    """Where a review's snapshot went in the history, and which earlier snapshots it was compared with.

    A batch redoes a review whose earlier months changed after it ran; the
    digests say what it saw.
    """

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
    results: Results | None = None  # dropped before an outcome crosses between processes
    filed: Filed | None = None  # when a history was used
    seconds: float = 0.0

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == Severity.ERROR]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == Severity.WARNING]


@dataclass
class AppraisalOutcome(Outcome):
    """An Outcome that also lists each employee's result (appraisal.json's entries)."""

    employees: list[dict[str, Any]] = field(default_factory=list)
