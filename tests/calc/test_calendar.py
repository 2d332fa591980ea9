"""The month's calendar and the review's period: one way to name a month, YYYY-MM."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from kamxl.calc.calendar import (
    Period,
    find_period,
    gather_events,
    month_end,
    month_grid,
    month_period,
    period_month,
    review_period,
)


@pytest.mark.parametrize(
    "year, month, period", [(2026, 3, "2026-03"), (2026, 12, "2026-12"), (1999, 1, "1999-01")]
)
def test_month_period(year, month, period):
    assert month_period(year, month) == period and period_month(period) == month


@pytest.mark.parametrize(
    "texts, period",
    [
        (["月度计划 — 华东区 2026年3月"], "2026-03"),
        (["周计划表 — 2026 年 12 月"], "2026-12"),
        (["east-2026-03-en"], "2026-03"),
        (["应收帐款规划表 — 华东区 2026 年度"], None),
        (["2026年3月", "2026年3月", "2026年2月"], "2026-03"),
    ],
)
def test_period_from_titles(texts, period):
    assert find_period(texts) == period


MARCH_9 = dt.date(2026, 3, 9)


@pytest.mark.parametrize(
    "calendar_month, titles, stem, as_of, period",
    [
        # what the workbook writes wins, in this order: its calendar, its titles, its file name
        ((2026, 2), ["华东区 2026年1月"], "east-2025-12", MARCH_9, Period(2026, 2, "calendar")),
        (None, ["华东区 2026年2月"], "east-2025-12", MARCH_9, Period(2026, 2, "title")),
        (None, ["华东区"], "east-2025-12", MARCH_9, Period(2025, 12, "file_name")),
        # only then the review date, and it says it was a guess
        (None, ["华东区"], "east", MARCH_9, Period(2026, 3, "review_date")),
        (None, [], "plan", dt.date(2025, 11, 30), Period(2025, 11, "review_date")),
    ],
)
def test_review_period_trusts_the_workbook_before_the_review_date(
    calendar_month, titles, stem, as_of, period
):
    assert review_period(calendar_month, titles, stem, as_of) == period
    assert str(period) == month_period(period.year, period.month)


@pytest.mark.parametrize(
    "day, end",
    [
        (dt.date(2026, 2, 10), dt.date(2026, 2, 28)),
        (dt.date(2028, 2, 1), dt.date(2028, 2, 29)),
        (dt.date(2026, 12, 31), dt.date(2026, 12, 31)),
        (dt.date(2026, 4, 1), dt.date(2026, 4, 30)),
    ],
)
def test_month_end(day, end):
    assert month_end(day) == end


def test_month_grid_weeks_start_on_monday():
    weeks = month_grid(2026, 3)  # 1 March 2026 is a Sunday
    assert weeks[0][:6] == [None] * 6 and weeks[0][6] == dt.date(2026, 3, 1)
    assert all(len(week) == 7 for week in weeks) and dt.date(2026, 3, 31) in weeks[-1]


def test_events_from_every_form_once_each_in_day_order():
    calendar = pd.DataFrame(
        {"date": [dt.datetime(2026, 3, 5), dt.datetime(2026, 4, 1)], "text": ["拜访朗通", "x"]}
    )
    activities = pd.DataFrame({"activity": ["展会", "培训"], "months": [[3], [4]]})
    todo = pd.DataFrame({"date": [dt.date(2026, 3, 5), dt.date(2026, 3, 2)], "task": [" 拜访朗通", "写周报"]})
    opps = pd.DataFrame(
        {
            "customer": ["朗通", "华科"],
            "project": ["二期", None],
            "open": [True, True],
            "expected_close": [dt.date(2026, 3, 20), dt.date(2026, 3, 2)],
        }
    )
    events = gather_events(2026, 3, calendar, activities, todo, opps)
    assert list(events.itertuples(index=False, name=None)) == [
        (None, "activity", "展会"),  # month events first
        (dt.date(2026, 3, 2), "todo", "写周报"),
        (dt.date(2026, 3, 2), "close", "华科"),
        (
            dt.date(2026, 3, 5),
            "calendar",
            "拜访朗通",
        ),  # the to-do of the same text that day is the same event
        (dt.date(2026, 3, 20), "close", "朗通 / 二期"),
    ]


def test_no_events():
    events = gather_events(2026, 3)
    assert events.empty and list(events.columns) == ["date", "source", "text"]
