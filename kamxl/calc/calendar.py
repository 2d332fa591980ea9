"""The month's calendar (METHOD §7): events gathered from every form, per day."""

from __future__ import annotations

import calendar as _cal
import datetime as dt

import pandas as pd

SOURCES = ("calendar", "activity", "todo", "close")


def month_grid(year: int, month: int) -> list[list[dt.date | None]]:
    """Weeks of the month, Monday first; days outside the month are None."""
    return [[d if d.month == month else None for d in week] for week in _cal.Calendar(firstweekday=0).monthdatescalendar(year, month)]


def gather_events(year: int, month: int, calendar: pd.DataFrame | None = None, activities: pd.DataFrame | None = None,
                  todo: pd.DataFrame | None = None, opps: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per event in the month: date (None = the whole month), source, text.

    Activities marked in the month carry no day, so they are month events;
    to-dos are listed on their date; opportunities on their expected close.
    """
    rows: list[dict] = []

    def in_month(d) -> bool:
        return isinstance(d, dt.date) and d.year == year and d.month == month

    if calendar is not None:
        for d, text in zip(calendar["date"], calendar["text"]):
            if in_month(d):
                rows.append({"date": d, "source": "calendar", "text": text})
    if activities is not None:
        for _, a in activities.iterrows():
            if month in a["months"]:
                rows.append({"date": None, "source": "activity", "text": a["activity"]})
    if todo is not None and "date" in todo:
        for d, text in zip(todo["date"], todo["task"]):
            if in_month(d):
                rows.append({"date": d, "source": "todo", "text": text})
    if opps is not None and "expected_close" in opps:
        for _, o in opps[opps["open"]].iterrows():
            d = o["expected_close"]
            d = d.date() if isinstance(d, dt.datetime) else d
            if in_month(d):
                label = o["customer"] if not isinstance(o.get("project"), str) else f"{o['customer']} / {o['project']}"
                rows.append({"date": d, "source": "close", "text": label})
    out = pd.DataFrame(rows, columns=["date", "source", "text"])
    # the same text on the same day from two forms is one event
    out["_k"] = out["text"].astype(str).str.strip()
    out = out.drop_duplicates(["date", "_k"]).drop(columns="_k")
    order = {s: i for i, s in enumerate(SOURCES)}
    out["_o"] = out["source"].map(order)
    out["_d"] = out["date"].map(lambda d: d or dt.date(year, month, 1))
    return out.sort_values(["_d", "_o"], kind="stable").drop(columns=["_o", "_d"]).reset_index(drop=True)
