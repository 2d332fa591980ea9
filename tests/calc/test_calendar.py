"""The month's calendar and the review's period: one way to name a month, YYYY-MM."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from kamxl.calc.calendar import (
    Period,
    find_period,
    gather_events,
    inferred_period_issue,
    last_actuals,
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
NOV_27 = dt.date(2026, 11, 27)
FEB_2026 = 2026 * 12 + 1  # a period (calc.months): year × 12 + month − 1
DEC_2025 = 2025 * 12 + 11


@pytest.mark.parametrize(
    "calendar_month, titles, stem, as_of, actuals, period",
    [
        # what the workbook writes wins, in this order: its calendar, its titles, its file name
        ((2026, 2), ["华东区 2026年1月"], "east-2025-12", MARCH_9, None, Period(2026, 2, "calendar")),
        (None, ["华东区 2026年2月"], "east-2025-12", MARCH_9, None, Period(2026, 2, "title")),
        (None, ["华东区"], "east-2025-12", MARCH_9, None, Period(2025, 12, "file_name")),
        # ... even over the last month with actuals
        ((2026, 3), [], "east", NOV_27, FEB_2026, Period(2026, 3, "calendar")),
        (None, ["华东区 2026年1月"], "east", NOV_27, FEB_2026, Period(2026, 1, "title")),
        (None, ["应收帐款规划表 2026"], "east-2026-03", NOV_27, FEB_2026, Period(2026, 3, "file_name")),
        # nothing written names a month: the last month with actuals, not the review date's
        (None, ["应收帐款规划表 2026"], "east", NOV_27, FEB_2026, Period(2026, 2, "last_actuals")),
        (None, [], "plan", MARCH_9, DEC_2025, Period(2025, 12, "last_actuals")),
        (None, [], "plan", dt.date(2026, 2, 1), FEB_2026, Period(2026, 2, "last_actuals")),  # same month
        # an actual after the review date has not happened yet: not taken
        (None, [], "plan", dt.date(2026, 1, 31), FEB_2026, Period(2026, 1, "review_date")),
        # only then the review date, and it says it was a guess
        (None, ["华东区"], "east", MARCH_9, None, Period(2026, 3, "review_date")),
        (None, [], "plan", dt.date(2025, 11, 30), None, Period(2025, 11, "review_date")),
    ],
)
def test_review_period_trusts_the_workbook_then_its_actuals_then_the_review_date(
    calendar_month, titles, stem, as_of, actuals, period
):
    assert review_period(calendar_month, titles, stem, as_of, actuals) == period
    assert str(period) == month_period(period.year, period.month)


def test_review_period_without_actuals_reads_as_before():
    assert review_period(None, ["华东区"], "east", MARCH_9) == Period(2026, 3, "review_date")


@pytest.mark.parametrize(
    "source, code",
    [
        ("calendar", None),
        ("title", None),
        ("file_name", None),
        ("last_actuals", "period_from_last_actuals"),
        ("review_date", "period_from_review_date"),
    ],
)
def test_an_inferred_period_is_an_info_issue_that_says_how_to_name_the_month(settings, source, code):
    issue = inferred_period_issue(Period(2026, 2, source), NOV_27, "east.xlsx", settings)
    if code is None:
        assert issue is None
        return
    assert issue is not None and (issue.code, issue.severity.value, issue.sheet) == (code, "info", None)
    message = settings.message(issue)
    assert "2026-02" in message and "2026年2月" in message and "east-2026-02.xlsx" in message


@pytest.mark.parametrize("source", ["last_actuals", "review_date"])
def test_the_inferred_period_issue_reads_in_english_too(settings_en, source):
    issue = inferred_period_issue(Period(2026, 2, source), NOV_27, "plan", settings_en)
    assert issue is not None
    message = settings_en.message(issue)
    assert "2026-02" in message and "2026年2月" in message and "plan-2026-02" in message
    assert ("2026-11-27" in message) == (source == "review_date")


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


def _receivables(settings, actuals, as_of, years=True):
    """The thirteen-month receivables plan of tests/calc/test_month_periods.py (2025-11 … 2026-11)."""
    from kamxl.calc.receivables import collect
    from tests.calc.test_month_periods import receivables

    return collect(*receivables(actuals, years), settings, as_of)[0]


def _pnl(settings, actual_months, as_of, year=None, dated=True):
    """That file's thirteen-month P&L; ``year``: only its months of that year (a P&L within one year);
    not ``dated``: its months carry no year (一月…十二月 under a title without one)."""
    from kamxl.calc.pnl import analyse
    from tests.calc.test_month_periods import pnl

    lines = pnl(actual_months)
    if year is not None:
        lines = lines[lines["year"] == year]
    if not dated:
        lines = lines.drop(columns=["period"]).assign(year=None)
    return analyse(lines.reset_index(drop=True), settings, as_of=as_of)[0]


@pytest.mark.parametrize(
    "receivables, pnl, expected",
    [
        # collected 2025-11 … 2026-02, reviewed in November: February 2026
        (([500, 600, 700, 800], NOV_27), None, FEB_2026),
        # February's collection is after a review of 31 January: not yet, January it is
        (([500, 600, 700, 800], dt.date(2026, 1, 31)), None, 2026 * 12),
        # months without a year name no period
        (([500, 600, 700, 800], NOV_27, False), None, None),
        # a rolling P&L (2025-11 … 2026-11), actuals to 2026-02
        (None, (4, NOV_27), FEB_2026),
        (None, (4, dt.date(2025, 12, 31)), DEC_2025),  # its 2026 actuals are after the review date
        # a P&L of 2026 alone, actuals January–February: its year is on its lines
        (None, (4, NOV_27, 2026), FEB_2026),
        (None, (4, NOV_27, 2026, False), None),  # no year written
        # both: the later of the two
        (([500, 600], NOV_27), (4, NOV_27), FEB_2026),
        (([500, 600, 700, 800, 900], NOV_27), (2, NOV_27), 2026 * 12 + 2),
        (([500, 600], NOV_27), (4, NOV_27, 2026, False), DEC_2025),  # the P&L's year unknown
        (None, None, None),
    ],
)
def test_last_actuals_is_the_last_month_with_collections_or_pnl_actuals_whose_year_is_known(
    settings, receivables, pnl, expected
):
    found = last_actuals(
        _receivables(settings, *receivables) if receivables else None,
        _pnl(settings, *pnl) if pnl else None,
    )
    assert found == expected
