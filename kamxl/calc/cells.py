"""Where a value came from: the A1 cell behind a table row and field, and the words that name the row.

Calculations stay pure (tables in, tables out); to point an issue at the
input cell they are handed this map of each sheet's column letters. Rows whose
column letters travel with them (the 合计 rows, the P&L's lines) name their
cell with ``cell_at``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol


class SheetColumns(Protocol):
    """What CellMap needs of a sheet the reader recognised (kamxl.read's SheetData)."""

    @property
    def sheet(self) -> str: ...

    @property
    def columns(self) -> Mapping[str, str]: ...


class CellMap:
    """Column letters per sheet and field, as the reader found them."""

    def __init__(self, columns: Mapping[str, Mapping[str, str]] | None = None):
        self.columns = {sheet: dict(cols) for sheet, cols in (columns or {}).items()}

    @classmethod
    def of(cls, sheets: Iterable[SheetColumns]) -> CellMap:
        """From the reader's SheetData list of one form."""
        return cls({sheet.sheet: sheet.columns for sheet in sheets})

    def cell(self, sheet: str | None, field: str, row: float | None) -> str | None:
        """The A1 cell of ``field`` in Excel row ``row``; None when the sheet has no such column or no row."""
        letter = self._columns_of(sheet).get(field)
        if letter is None or row is None or row != row:
            return None
        return f"{letter}{int(row)}"

    def has(self, sheet: str | None, field: str) -> bool:
        """Whether the reader found the field's column on the sheet."""
        return field in self._columns_of(sheet)

    def _columns_of(self, sheet: str | None) -> dict[str, str]:
        return self.columns.get(sheet, {}) if sheet is not None else {}


def cell_at(letter: str | None, row: float) -> str | None:
    """The A1 cell of a column letter the row carried with it ("E" and 12 → "E12"); None without a letter."""
    return f"{letter}{int(row)}" if letter else None


def row_label(customer: object, detail: object) -> str:
    """How a message names a row: the customer, and its project or product if any ("朗通 / 二期")."""
    if isinstance(detail, str) and detail:
        return f"{customer} / {detail}"
    return str(customer)
