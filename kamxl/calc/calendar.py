"""The month's calendar (METHOD §7): events gathered from every form, per day."""

from __future__ import annotations

import calendar as _cal
import datetime as dt

import pandas as pd

SOURCES = ("calendar", "activity", "todo", "close")


def month_grid(year: int, month: int) -> list[list[dt.date | None]]:
    """Weeks of the month, Monday first; days outside the month are None."""
    return [
        [d if d.month == month else None for d in week]
        for week in _cal.Calendar(firstweekday=0).monthdatescalendar(year, month)
    ]


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
    parts: list[pd.DataFrame] = []

    def in_month(dates: pd.Series) -> pd.Series:
        d = pd.to_datetime(dates, errors="coerce")
        return (d.dt.year == year) & (d.dt.month == month)

    def days(dates: pd.Series) -> list:
        return [d.date() if isinstance(d, dt.datetime) else d for d in dates]

    if calendar is not None and not calendar.empty:
        c = calendar[in_month(calendar["date"])]
        parts.append(
            pd.DataFrame({"date": days(c["date"]), "source": "calendar", "text": c["text"].tolist()})
        )
    if activities is not None and not activities.empty:
        a = activities[[month in ms for ms in activities["months"]]]
        parts.append(
            pd.DataFrame({"date": [None] * len(a), "source": "activity", "text": a["activity"].tolist()})
        )
    if todo is not None and "date" in todo and not todo.empty:
        t = todo[in_month(todo["date"])]
        parts.append(pd.DataFrame({"date": days(t["date"]), "source": "todo", "text": t["task"].tolist()}))
    if opps is not None and "expected_close" in opps and not opps.empty:
        o = opps[opps["open"].fillna(False).astype(bool)]
        o = o[in_month(o["expected_close"])]
        project = o["project"] if "project" in o else pd.Series(None, index=o.index, dtype=object)
        named = project.map(lambda p: isinstance(p, str))
        label = (
            o["customer"].astype(str).where(~named, o["customer"].astype(str) + " / " + project.astype(str))
        )
        parts.append(
            pd.DataFrame({"date": days(o["expected_close"]), "source": "close", "text": label.tolist()})
        )
    parts = [p for p in parts if not p.empty]
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["date", "source", "text"])
    out["date"] = out["date"].astype(object).where(out["date"].notna(), None)
    # the same text on the same day from two forms is one event
    out["_k"] = out["text"].astype(str).str.strip()
    out = out.drop_duplicates(["date", "_k"]).drop(columns="_k")
    order = {s: i for i, s in enumerate(SOURCES)}
    out["_o"] = out["source"].map(order)
    out["_d"] = out["date"].map(lambda d: d or dt.date(year, month, 1))
    return out.sort_values(["_d", "_o"], kind="stable").drop(columns=["_o", "_d"]).reset_index(drop=True)
