"""Months keyed by year and month (kamxl/calc/months.py): a rolling plan's second January is its own month,
"the last month with actuals" is the last in time, and "to date" never runs past the review date."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from kamxl.calc.months import month_heading, month_key, periods, spans_years
from kamxl.calc.pnl import analyse
from kamxl.calc.receivables import collect, last_actual_month, last_actual_period

# 2025-11, 2025-12, 2026-01 … 2026-11: thirteen months
YEAR_MONTHS = [(2025, 11), (2025, 12)] + [(2026, month) for month in range(1, 12)]


def receivables(actuals, years=True):
    """One customer owed 13,000, planned 1,000 a month; ``actuals`` by position (None: blank)."""
    main = pd.DataFrame(
        [{"sheet": "应收", "row": 4, "customer": "朗通", "product": None, "qty": None, "total_owed": 13000.0}]
    )
    months = pd.DataFrame(
        [
            {
                "sheet": "应收",
                "row": 4,
                "month": month,
                "plan": 1000.0,
                "actual": actuals[i] if i < len(actuals) else None,
                "plan_col": "C",
                "actual_col": "D",
                "year": year if years else None,
                "period": year * 12 + month - 1 if years else (year - 2025) * 12 + month - 1,
            }
            for i, (year, month) in enumerate(YEAR_MONTHS)
        ]
    )
    return main, months


@pytest.mark.parametrize(
    "actuals, as_of, m_star, plan_to_date, actual_to_date",
    [
        # collected 2025-11 … 2026-02: m* is February 2026, four months to date (not "month 12")
        ([500, 600, 700, 800], dt.date(2026, 2, 28), 2, 4000, 2600),
        # collected in the second November too (the 13th month): it is the last in time
        ([500] + [None] * 11 + [900], dt.date(2026, 11, 30), 11, 13000, 1400),
        # reviewed as of January: February's actual has not happened yet, and is not counted
        ([500, 600, 700, 800], dt.date(2026, 1, 31), 1, 3000, 1800),
        # reviewed before the plan starts: nothing to date
        ([500], dt.date(2025, 10, 31), None, 0, 0),
    ],
)
def test_to_date_runs_to_the_last_month_with_actuals_and_never_past_the_review(
    settings, actuals, as_of, m_star, plan_to_date, actual_to_date
):
    main, months = receivables(actuals)
    rec, _ = collect(main, months, settings, as_of)
    summary = rec.summary
    assert summary["last_month"] == m_star
    assert (summary["plan_to_date"], summary["actual_to_date"]) == (plan_to_date, actual_to_date)
    assert summary["plan"] == 13000  # thirteen months, the two Novembers apart
    assert len(rec.by_month) == 13 and rec.by_month["period"].is_monotonic_increasing
    assert rec.by_month["year"].tolist() == [year for year, _ in YEAR_MONTHS]


def test_without_years_the_months_keep_the_order_written_and_the_review_date_does_not_cut(settings):
    main, months = receivables([500, 600, 700, 800], years=False)
    rec, _ = collect(main, months, settings, dt.date(2020, 1, 1))
    assert rec.summary["last_month"] == 2 and rec.summary["plan_to_date"] == 4000
    assert rec.by_month["cum_actual"].tolist()[:4] == [500, 1100, 1800, 2600]


def test_last_actual_month_is_the_last_in_time():
    _, months = receivables([500, None, 700])
    assert last_actual_month(months) == 1  # 2026-01, not 12 (2025-12 has no actual)
    assert last_actual_period(months) == 2026 * 12
    assert last_actual_period(months, dt.date(2025, 11, 30)) == 2025 * 12 + 10


def test_a_total_row_of_the_second_january_is_checked_against_that_month(settings):
    main, months = receivables([500, 600, 700])
    totals = main.assign(row=5, customer="合计")
    total_months = months.assign(row=5, actual=None)
    total_months.loc[total_months["period"] == 2026 * 12 + 10, "plan"] = 1500.0  # 2026-11 written wrong
    _, issues = collect(main, months, settings, dt.date(2026, 3, 31), totals, total_months)
    [issue] = [i for i in issues if i.code == "total_mismatch"]
    assert "1,500" in settings.message(issue)


def pnl(actual_months: int, years=True):
    """Revenue planned 100 and expense 20 a month for 13 months; actuals 110 and 25 in the first ones."""
    rows = []
    for i, (year, month) in enumerate(YEAR_MONTHS):
        for group, line, plan, actual, cols in (
            ("revenue", "产品A", 100.0, 110.0, ("B", "C")),
            ("expense", "区域广告", 20.0, 25.0, ("D", "E")),
        ):
            rows.append(
                {
                    "sheet": "损益",
                    "row": 5 + i,
                    "month": month,
                    "group": group,
                    "line": line,
                    "plan": plan,
                    "actual": actual if i < actual_months else np.nan,
                    "plan_col": cols[0],
                    "actual_col": cols[1],
                    "year": year if years else None,
                    "period": year * 12 + month - 1,
                }
            )
    return pd.DataFrame(rows)


def test_pnl_of_a_rolling_year(settings):
    result, issues = analyse(pnl(4), settings, as_of=dt.date(2026, 3, 31))
    summary = result.summary
    assert not issues
    assert summary["last_month"] == 2 and result.last_period == 2026 * 12 + 1
    assert summary["revenue_plan"] == 1300 and summary["revenue_actual"] == 440
    assert summary["revenue_plan_to_date"] == 400 and summary["profit_plan_to_date"] == 320
    assert summary["profit_variance_to_date"] == pytest.approx((440 - 100) - 320)
    months = result.months
    assert months["year"].tolist() == [year for year, _ in YEAR_MONTHS]
    assert months["revenue_plan_ytd"].tolist()[-1] == 1300  # cumulated in time order across the year end


def test_pnl_actuals_after_the_review_date_are_not_yet_counted(settings):
    result, _ = analyse(pnl(4), settings, as_of=dt.date(2025, 12, 31))
    assert result.summary["last_month"] == 12
    assert result.summary["revenue_actual"] == 220 and result.summary["revenue_plan_to_date"] == 200


def test_a_pnl_within_one_year_keeps_the_columns_it_always_had(settings):
    one_year = pnl(4)  # actuals 2025-11 … 2026-02; only 2026 is kept
    one_year = one_year[one_year["year"] == 2026]
    result, _ = analyse(one_year, settings, as_of=dt.date(2026, 12, 31))
    assert "period" not in result.months and "year" not in result.months
    assert result.summary["last_month"] == 2 and result.last_period == 1  # period counted from January


@pytest.mark.parametrize(
    "frame, expected",
    [
        (pd.DataFrame({"month": [1, 2, 3]}), [0, 1, 2]),  # built by hand: January is period 0
        (pd.DataFrame({"month": [12, 1], "period": [2025 * 12 + 11, 2026 * 12]}), [24311, 24312]),
    ],
)
def test_periods(frame, expected):
    assert periods(frame).tolist() == expected


def test_spans_years_and_report_headings(settings):
    assert spans_years(pd.DataFrame({"month": [12, 1], "period": [24311, 24312]}))
    assert not spans_years(pd.DataFrame({"month": [1, 12]}))
    assert month_key(24312, spanning=True) == 202601 and month_key(24312, spanning=False) == 1
    assert month_heading(settings, 24312, spanning=True) == "2026-01"
    assert month_heading(settings, 24312, spanning=False) == "一月"
    assert month_heading(settings, 12, spanning=True, dated=False) == "一月"


def test_an_advertising_month_a_rolling_pnl_holds_twice_is_not_compared(settings):
    """The activity plan names months by number: two Novembers give no one advertising plan for 十一月."""
    from kamxl.calc.activities import advertising_plan

    lines = pd.DataFrame(
        {
            "group": ["expense"] * 3,
            "line": ["区域广告"] * 3,
            "month": [11, 12, 11],
            "plan": [10.0, 20.0, 30.0],
            "period": [2025 * 12 + 10, 2025 * 12 + 11, 2026 * 12 + 10],
        }
    )
    assert advertising_plan(lines, settings).to_dict() == {12: 20.0}
    assert advertising_plan(lines.iloc[:2].drop(columns="period"), settings).to_dict() == {11: 10.0, 12: 20.0}
