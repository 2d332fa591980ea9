"""The month's calendar (docs/method.md §7): events gathered from every form, per day; and review periods.

A manager plans the month on a calendar form, but the month's dates also
sit in the activity plan, the to-do lists and the opportunities' expected
closes. The report shows them on one calendar, each event once.

A review is about one month, its period, written YYYY-MM: the key under which
the history files a workbook's snapshot and the month the report's headers
name. ``review_period`` is the one place that decides it.
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
import re
from collections import Counter
from typing import TYPE_CHECKING, Literal, NamedTuple

import pandas as pd

from kamxl.calc.months import has_years, period_of

if TYPE_CHECKING:
    from kamxl.calc.pnl import PnL
    from kamxl.calc.receivables import Receivables
    from kamxl.config import Settings
    from kamxl.issues import Issue

SOURCES = ("calendar", "activity", "todo", "close")  # also the order of a day's events
EVENT_COLUMNS = ["date", "source", "text"]


# -- periods -------------------------------------------------------------------
def month_period(year: int, month: int) -> str:
    """A month as a period key: 2026, 3 → "2026-03"."""
    return f"{year}-{month:02d}"


# Where a review's month came from, most trusted first: what the workbook
# writes (its calendar, a title "2026年2月", its file name) always beats what
# kamxl infers. Of the inferences, the last month with actuals (the month a
# manager last wrote what came in) beats the review date, which only says when
# the review was run: a plan of January–February reviewed in November is
# February's, not November's.
PeriodSource = Literal["calendar", "title", "file_name", "last_actuals", "review_date"]
# the inferred sources, each a guess that an info issue names
INFERRED: dict[PeriodSource, str] = {
    "last_actuals": "period_from_last_actuals",
    "review_date": "period_from_review_date",
}


class Period(NamedTuple):
    """The month a workbook plans, and where kamxl found it."""

    year: int
    month: int
    source: PeriodSource

    def __str__(self) -> str:
        return month_period(self.year, self.month)


_TITLE_MONTH = re.compile(r"(20\d\d)\s*年\s*(\d{1,2})\s*月")  # 2026年3月
_NUMERIC_MONTH = re.compile(r"(?<!\d)(20\d\d)[-/.](\d{1,2})(?!\d)")  # 2026-03, 2026/3, 2026.03


def find_period(texts: list[str]) -> str | None:
    """The month most titles name ("2026年3月", "2026-03"), as YYYY-MM."""
    found: Counter[str] = Counter()
    for text in texts:
        for year, month in _TITLE_MONTH.findall(text or "") + _NUMERIC_MONTH.findall(text or ""):
            if 1 <= int(month) <= 12:
                found[month_period(int(year), int(month))] += 1
    return found.most_common(1)[0][0] if found else None


def review_period(
    calendar_month: tuple[int, int] | None,
    titles: list[str],
    stem: str,
    as_of: dt.date,
    last_actuals: int | None = None,
) -> Period:
    """The month a workbook plans: its calendar's, else its titles', else its file name's, else the last
    month with actuals, else the review date's.

    ``last_actuals`` is a period (calc.months, year × 12 + month − 1) whose
    year is known; one after the review date has not happened yet and is not
    taken. Only the last two are guesses, and ``source`` says so: a workbook
    titled "华东区 2026年2月" is February's whatever its actuals, close dates
    or the review date.
    """
    if calendar_month is not None:
        return Period(*calendar_month, "calendar")
    found = [(find_period(texts), source) for texts, source in ((titles, "title"), ([stem], "file_name"))]
    for period, source in found:
        if period is not None:
            return Period(int(period[:4]), period_month(period), source)  # type: ignore[arg-type]
    if last_actuals is not None and last_actuals <= period_of(as_of):
        return Period(last_actuals // 12, last_actuals % 12 + 1, "last_actuals")
    return Period(as_of.year, as_of.month, "review_date")


def last_actuals(receivables: Receivables | None, pnl: PnL | None) -> int | None:
    """The last month, in time, with receivables collections or P&L actuals, as a period whose year is
    known; None when neither has an actual with a year.

    Reuses each calculation's own last month (never past the review date
    where the months carry years). A month without a year (a plan headed
    一月…十二月 under a title with no year) cannot name a period and is not
    taken. A P&L within one year keeps its months counted from January, its
    year on its lines.
    """
    found: list[int] = []
    if receivables is not None and receivables.last_period is not None and has_years(receivables.by_month):
        found.append(receivables.last_period)
    if pnl is not None and pnl.last_period is not None:
        if has_years(pnl.months):  # a P&L over two years keeps its periods with their years
            found.append(pnl.last_period)
        elif "year" in pnl.lines and "period" in pnl.lines:
            years = pd.to_numeric(
                pnl.lines.loc[pnl.lines["period"] == pnl.last_period, "year"], errors="coerce"
            )
            if years.notna().any():
                found.append(int(years.dropna().iloc[0]) * 12 + pnl.last_period)
    return max(found, default=None)


def inferred_period_issue(period: Period, as_of: dt.date, file_name: str, settings: Settings) -> Issue | None:
    """An info issue when nothing the workbook writes names its month: which month kamxl assumed, why,
    and how to say it (a title "2026年2月", or the month in the file name ``file_name``)."""
    if period.source not in INFERRED:
        return None
    stem, dot, suffix = file_name.rpartition(".")
    example = f"{stem}-{period}.{suffix}" if dot else f"{file_name}-{period}"
    return settings.issue(
        INFERRED[period.source],
        period=str(period),
        year=period.year,
        month=period.month,
        as_of=as_of.isoformat(),
        file=example,
    )


def period_month(period: str) -> int:
    """The month number of a period key: "2026-03" → 3."""
    return int(period.split("-")[1])


def month_end(day: dt.date) -> dt.date:
    """The last day of ``day``'s month."""
    next_month = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return next_month - dt.timedelta(days=1)


def month_grid(year: int, month: int) -> list[list[dt.date | None]]:
    """Weeks of the month, Monday first; days outside the month are None."""
    return [
        [day if day.month == month else None for day in week]
        for week in _cal.Calendar(firstweekday=0).monthdatescalendar(year, month)
    ]


# -- events --------------------------------------------------------------------
def gather_events(
    year: int,
    month: int,
    calendar: pd.DataFrame | None = None,
    activities: pd.DataFrame | None = None,
    todo: pd.DataFrame | None = None,
    opps: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per event in the month: date (None = the whole month), source, text.

    Activities marked in the month carry no day, so they are month events;
    to-dos are listed on their date; opportunities on their expected close.
    """
    parts = [
        _calendar_events(calendar, year, month),
        _activity_events(activities, month),
        _todo_events(todo, year, month),
        _close_events(opps, year, month),
    ]
    found = [part for part in parts if part is not None and not part.empty]
    out = pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=EVENT_COLUMNS)
    out["date"] = out["date"].astype(object).where(out["date"].notna(), None)
    # the same text on the same day from two forms is one event
    out["_k"] = out["text"].astype(str).str.strip()
    out = out.drop_duplicates(["date", "_k"]).drop(columns="_k")
    order = {source: i for i, source in enumerate(SOURCES)}
    out["_o"] = out["source"].map(order)
    out["_d"] = out["date"].map(lambda day: day or dt.date(year, month, 1))
    return out.sort_values(["_d", "_o"], kind="stable").drop(columns=["_o", "_d"]).reset_index(drop=True)


def _in_month(dates: pd.Series, year: int, month: int) -> pd.Series:
    """True for the dates in the month; text that is no date is not in it."""
    parsed = pd.to_datetime(dates, errors="coerce")
    return (parsed.dt.year == year) & (parsed.dt.month == month)


def _days(dates: pd.Series) -> list[object]:
    """Dates as datetime.date (the forms give datetimes or dates)."""
    return [value.date() if isinstance(value, dt.datetime) else value for value in dates]


def _events(dates: list[object], source: str, texts: list[object]) -> pd.DataFrame:
    return pd.DataFrame({"date": dates, "source": source, "text": texts})


def _calendar_events(calendar: pd.DataFrame | None, year: int, month: int) -> pd.DataFrame | None:
    """The calendar form's entries in the month, on their day."""
    if calendar is None or calendar.empty:
        return None
    rows = calendar[_in_month(calendar["date"], year, month)]
    return _events(_days(rows["date"]), "calendar", rows["text"].tolist())


def _activity_events(activities: pd.DataFrame | None, month: int) -> pd.DataFrame | None:
    """The activities marked in the month: month events (no day)."""
    if activities is None or activities.empty:
        return None
    rows = activities[[month in months for months in activities["months"]]]
    return _events([None] * len(rows), "activity", rows["activity"].tolist())


def _todo_events(todo: pd.DataFrame | None, year: int, month: int) -> pd.DataFrame | None:
    """The to-do lists' tasks dated in the month, on their day."""
    if todo is None or "date" not in todo or todo.empty:
        return None
    rows = todo[_in_month(todo["date"], year, month)]
    return _events(_days(rows["date"]), "todo", rows["task"].tolist())


def _close_events(opps: pd.DataFrame | None, year: int, month: int) -> pd.DataFrame | None:
    """Open opportunities on their expected close day, named "customer / project"."""
    if opps is None or "expected_close" not in opps or opps.empty:
        return None
    rows = opps[opps["open"].fillna(False).astype(bool)]
    rows = rows[_in_month(rows["expected_close"], year, month)]
    project = rows["project"] if "project" in rows else pd.Series(None, index=rows.index, dtype=object)
    named = project.map(lambda value: isinstance(value, str))
    customer = rows["customer"].astype(str)
    label = customer.where(~named, customer + " / " + project.astype(str))
    return _events(_days(rows["expected_close"]), "close", label.tolist())
