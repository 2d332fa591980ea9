"""Months of a plan in time: ordered by year and month, never by the month number alone.

A rolling plan runs from 2025-11 to 2026-10 (sometimes 13 months): keyed by
its month number, the second January falls onto the first and "the last month
with actuals" becomes the largest number. The reader gives each month a
``period`` (year × 12 + month − 1, or counted from year 0 when no year is
written) and its ``year`` when one is written; a table built by hand without
them is a plain January-to-December plan, whose period is its month − 1.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

import pandas as pd


class Labels(Protocol):
    """Anything that names a month in the output's language (a Book, Settings)."""

    def label(self, key: str, /) -> str: ...


def periods(frame: pd.DataFrame) -> pd.Series:
    """Each row's month as a period that orders months across years."""
    if "period" in frame.columns:
        period = pd.to_numeric(frame["period"], errors="coerce")
        if period.notna().all():
            return period.astype(int)
    return pd.to_numeric(frame["month"], errors="coerce").astype(int) - 1


def has_years(frame: pd.DataFrame) -> bool:
    """Whether the months carry the years they fall in (written in the headers or the title)."""
    return "year" in frame.columns and bool(frame["year"].notna().any())


def spans_years(frame: pd.DataFrame) -> bool:
    """Whether the months run into a second year, so that a month number alone names two months."""
    period = periods(frame)
    return bool(len(period)) and int(period.max()) // 12 != int(period.min()) // 12


def period_of(day: dt.date) -> int:
    """The period of the month a day falls in."""
    return day.year * 12 + day.month - 1


def month_of(period: int | None) -> int | None:
    """The month number (1..12) of a period."""
    return None if period is None else int(period) % 12 + 1


def year_of(frame: pd.DataFrame, period: pd.Series) -> pd.Series:
    """The year of each period where the months carry years, else None."""
    if not has_years(frame):
        return pd.Series([None] * len(period), index=period.index, dtype=object)
    return (period // 12).astype(object)


def month_key(period: int, spanning: bool) -> int:
    """A month's number in a report (its helper cells, its month table): 1..12 within one year; YYYYMM
    (202601) when the plan runs into a second year, so that the numbers still rise with time."""
    month = period % 12 + 1
    return (period // 12) * 100 + month if spanning else month


def month_heading(labels: Labels, period: int, spanning: bool, dated: bool = True) -> str:
    """A month's header in a report: 一月 within one year; 2026-01 when the plan runs into a second year
    (``dated``: its years are known; else the month's name alone)."""
    month = period % 12 + 1
    return f"{period // 12}-{month:02d}" if spanning and dated else labels.label(f"values.month.{month}")
