"""The one Issue record used by the reader, the calculations and every output.

An Issue keeps data, not prose: its code, where it is (sheet, 0-based row and
column) and the values its message needs. The message is rendered from the
catalogue (labels.toml) when an output is written, in that output's language,
so one run can write a Chinese workbook and an English report from the same
issues, and a test can compare codes and places without parsing sentences.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache, lru_cache
from typing import Any


class Severity(StrEnum):
    """How much an issue matters: an error costs a result, a warning doubts one, info only tells."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


# Most serious first: how lists of issues are sorted for people.
SEVERITY_ORDER: Mapping[str, int] = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}

_A1 = re.compile(r"([A-Z]{1,3})([1-9][0-9]*)")


@dataclass(frozen=True, slots=True)
class Issue:
    """A problem found at a place: severity, stable snake_case code, sheet, cell and the message's values."""

    severity: Severity
    code: str
    sheet: str | None = None
    row: int | None = None  # 0-based, like the reader's grid
    col: int | None = None
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)

    @property
    def cell(self) -> str | None:
        """The A1 reference people read (None when the issue is about a whole sheet or file)."""
        if self.row is None or self.col is None:
            return None
        return a1(self.row, self.col)

    @property
    def place(self) -> str:
        cell = self.cell
        if self.sheet and cell:
            return f"{self.sheet}!{cell}"
        return self.sheet or ""

    def to_dict(self, message: str) -> dict[str, Any]:
        """The report.json entry: the contract's fields, with the message rendered by the caller."""
        return {
            "severity": str(self.severity),
            "code": self.code,
            "sheet": self.sheet,
            "cell": self.cell,
            "message": message,
        }


def cap(issues: Iterable[Issue], limit: int, more: Callable[[str, str, int], Issue]) -> list[Issue]:
    """At most ``limit`` issues per sheet and code, then ``more(sheet, code, n)`` for the rest.

    A sheet of 50,000 rows all missing their hours is one problem to fix, not
    50,000 lines to read; the reader caps its cell issues the same way.
    """
    seen: dict[tuple[str, str], int] = {}
    kept = []
    for issue in issues:
        if issue.sheet is None or issue.code == "more_cell_issues":
            kept.append(issue)
            continue
        key = (issue.sheet, issue.code)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] <= limit:
            kept.append(issue)
    kept += [more(sheet, code, n - limit) for (sheet, code), n in seen.items() if n > limit]
    return kept


def count(issues: Iterable[Issue], severity: str) -> int:
    return sum(1 for issue in issues if issue.severity == severity)


def by_severity(issues: Iterable[Issue]) -> list[Issue]:
    """Errors first, then warnings, then info; the reading order kept within each."""
    return sorted(issues, key=lambda issue: SEVERITY_ORDER[issue.severity])


def describe(exc: BaseException, limit: int = 200) -> str:
    """An unexpected exception in one line for an issue's ``detail``: its type and text, bounded."""
    return f"{type(exc).__name__}: {exc}"[:limit]


@cache
def column_letter(index: int) -> str:
    """0-based column index to Excel letters (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def a1(row: int, col: int) -> str:
    """0-based row and column to an A1 reference."""
    return f"{column_letter(col)}{row + 1}"


@lru_cache(maxsize=4096)
def parse_a1(ref: str) -> tuple[int, int]:
    """An A1 reference to 0-based (row, column); ValueError for anything else."""
    match = _A1.fullmatch(ref)
    if match is None:
        raise ValueError(f"not an A1 cell reference: {ref!r}")
    letters, digits = match.groups()
    col = 0
    for letter in letters:
        col = col * 26 + ord(letter) - 64
    return int(digits) - 1, col - 1
