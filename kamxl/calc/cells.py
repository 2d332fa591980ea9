"""Where a value came from: the A1 cell behind a table row and field.

Calculations stay pure (tables in, tables out); to point an issue at the
input cell they are handed this map of each sheet's column letters.
"""

from __future__ import annotations

from collections.abc import Mapping


class CellMap:
    """Column letters per sheet and field, as the reader found them."""

    def __init__(self, columns: Mapping[str, Mapping[str, str]] | None = None):
        self.columns = {sheet: dict(cols) for sheet, cols in (columns or {}).items()}

    @classmethod
    def of(cls, sheets) -> "CellMap":
        """From the reader's SheetData list of one form."""
        return cls({s.sheet: s.columns for s in sheets})

    def cell(self, sheet, field: str, row) -> str | None:
        letter = self.columns.get(sheet, {}).get(field)
        if letter is None or row is None or row != row:
            return None
        return f"{letter}{int(row)}"

    def has(self, sheet, field: str) -> bool:
        return field in self.columns.get(sheet, {})


def fmt(value, digits: int = 2) -> str:
    """A number as users read it in messages: 96,000 or 1,234.50 or 95.0%."""
    if value is None or value != value:
        return "—"
    value = float(value)
    if value.is_integer():
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def pct(value) -> str:
    if value is None or value != value:
        return "—"
    return f"{float(value):.1%}"
