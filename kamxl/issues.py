"""The one Issue record used by the reader, the calculations and every output."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import lru_cache

SEVERITIES = ("error", "warning", "info")
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}  # TEMP (shell): the lead adds the real one


@dataclass(frozen=True, slots=True)
class Issue:
    """A problem found at a place: severity, stable snake_case code, sheet, A1 cell."""

    severity: str
    code: str
    sheet: str | None
    cell: str | None
    message: str

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def place(self) -> str:
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or ""


def cap(issues: list[Issue], limit: int, more) -> list[Issue]:
    """At most ``limit`` issues per sheet and code, then ``more(sheet, code, n)`` for the rest.

    A sheet of 50,000 rows all missing their hours is one problem to fix, not
    50,000 lines to read; the reader caps its cell issues the same way.
    """
    seen: dict[tuple[str, str], int] = {}
    kept = []
    for i in issues:
        if i.sheet is None or i.code == "more_cell_issues":
            kept.append(i)
            continue
        n = seen[(i.sheet, i.code)] = seen.get((i.sheet, i.code), 0) + 1
        if n <= limit:
            kept.append(i)
    kept += [more(sheet, code, n - limit) for (sheet, code), n in seen.items() if n > limit]
    return kept


def count(issues, severity: str) -> int:
    return sum(1 for i in issues if i.severity == severity)


@lru_cache(maxsize=None)
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


def describe(exc: BaseException, limit: int = 200) -> str:  # TEMP (shell): the lead adds the real one
    return f"{type(exc).__name__}: {exc}"[:limit]
