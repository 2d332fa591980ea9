"""The month's P&L figures a snapshot keeps (kamxl/store.py): the right month of the right year, keyed by
period when rebuilt from report.json, and how the region was decided carried through a rebuild."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from kamxl.store import _month_profit, _region_from, _report_month_profit, _totals_from_report

FIGURES = ("revenue_plan", "revenue_actual", "profit_plan", "profit_actual")


def one_year_pnl(year: int | None):
    """January–March: plan 100/200/300, actuals 90 and 210 in January and February, March not yet."""
    months = pd.DataFrame(
        {
            "month": [1, 2, 3],
            "revenue_plan": [100.0, 200.0, 300.0],
            "revenue_actual": [90.0, 210.0, float("nan")],
            "profit_plan": [10.0, 20.0, 30.0],
            "profit_actual": [9.0, 21.0, float("nan")],
        }
    )
    lines = pd.DataFrame({"month": [1, 2, 3], "year": [year] * 3})
    return SimpleNamespace(months=months, lines=lines, last_period=1)  # February: period 1 from January


def month(figures):
    return tuple(figures.get(f"{key}_month") for key in FIGURES)


@pytest.mark.parametrize(
    "source, expected",
    [
        ("title", (300.0, None, 30.0, None)),  # the month the title names: its plan, no actual yet
        ("review_date", (200.0, 210.0, 20.0, 21.0)),  # a guessed month: the last with actuals
        (None, (300.0, None, 30.0, None)),
    ],
)
def test_a_period_from_the_review_date_takes_the_last_month_with_actuals(source, expected):
    figures, other_year = _month_profit(one_year_pnl(None), "2026-03", source)
    assert other_year is None and month(figures) == expected


@pytest.mark.parametrize(
    "year, period, expected, other",
    [
        (2025, "2026-02", (), 2025),  # a 2025 P&L in a 2026-02 workbook: nothing filed, its year said
        (2026, "2026-02", (200.0, 210.0, 20.0, 21.0), None),
        (None, "2026-02", (200.0, 210.0, 20.0, 21.0), None),  # no year written: the month number names it
    ],
)
def test_a_pnl_of_another_year_is_not_filed_under_the_period(year, period, expected, other):
    figures, other_year = _month_profit(one_year_pnl(year), period, "title")
    assert other_year == other
    assert tuple(v for v in month(figures) if figures) == expected


def test_a_rolling_pnl_that_does_not_reach_the_periods_year_files_nothing():
    months = pd.DataFrame(
        {
            "month": [11, 12, 1],
            "period": [2024 * 12 + 10, 2024 * 12 + 11, 2025 * 12],
            "year": [2024, 2024, 2025],
            "revenue_plan": [1.0, 2.0, 3.0],
            "revenue_actual": [1.0, 2.0, 3.0],
            "profit_plan": [1.0, 1.0, 1.0],
            "profit_actual": [1.0, 1.0, 1.0],
        }
    )
    pnl = SimpleNamespace(months=months, lines=pd.DataFrame(), last_period=2025 * 12)
    assert _month_profit(pnl, "2026-03", "title") == ({}, 2025)
    assert month(_month_profit(pnl, "2024-12", "title")[0]) == (2.0, 2.0, 1.0, 1.0)


ROLLING = {
    "last_month": 2,
    "last_period": "2026-02",
    "months": [
        {"month": 11, "period": 2025 * 12 + 10, "year": 2025, "revenue_plan": 110.0, "revenue_actual": 100.0},
        {"month": 2, "period": 2026 * 12 + 1, "year": 2026, "revenue_plan": 20.0, "revenue_actual": 25.0},
        {"month": 11, "period": 2026 * 12 + 10, "year": 2026, "revenue_plan": 220.0, "revenue_actual": None},
    ],
}


@pytest.mark.parametrize(
    "period, expected",
    [
        ("2025-11", (110.0, 100.0)),  # the first November is not overwritten by the second
        ("2026-11", (220.0, None)),
        ("2026-05", (20.0, 25.0)),  # not in the P&L: the last month with actuals, 2026-02
    ],
)
def test_a_rebuilt_rolling_pnl_keys_its_months_by_period(period, expected):
    figures = _report_month_profit(ROLLING, period)
    assert (figures["revenue_plan_month"], figures["revenue_actual_month"]) == expected
    assert _totals_from_report({"pnl": ROLLING}, period)["revenue_plan_month"] == expected[0]


def test_a_rebuilt_pnl_within_one_year_keys_months_by_number():
    pnl = {"last_month": 1, "last_period": None, "months": [{"month": 1, "revenue_plan": 5.0}]}
    assert _report_month_profit(pnl, "2026-01")["revenue_plan_month"] == 5.0
    assert _report_month_profit(pnl, "2026-04")["revenue_plan_month"] == 5.0  # its last with actuals
    assert _report_month_profit({"months": []}, "2026-04") == {}


@pytest.mark.parametrize(
    "history, issues, expected",
    [
        ({"region_from": "title"}, [], "title"),
        ({"region_from": "file_stem"}, [{"code": "region_guessed"}], "file_stem"),
        ({}, [{"code": "region_guessed"}], "guessed"),  # an older report: only its warning tells
        ({}, [], None),
    ],
)
def test_a_rebuilt_snapshot_knows_how_its_region_was_decided(history, issues, expected):
    assert _region_from({"history": history}, issues) == expected


def test_a_pnl_of_another_year_is_warned_and_files_no_month_figures(tmp_path, settings):
    """The 2026 P&L sample filed as 2027-02 (its file name): no month figures, a warning saying why."""
    import datetime as dt
    import json
    import shutil

    from kamxl.pipeline import RunOptions, process
    from tests.conftest import SAMPLES

    path = tmp_path / "east-2027-02.xlsx"
    shutil.copy(SAMPLES / "form-pnl.xlsx", path)
    process(path, tmp_path / "out", settings, RunOptions(dt.date(2027, 3, 5), history=tmp_path / "h.sqlite"))
    report = json.loads((tmp_path / "out" / "east-2027-02.report.json").read_text("utf-8"))
    assert report["history"]["period"] == "2027-02"
    assert not any(key.endswith("_month") for key in report["history"]["snapshot"]["totals"])
    [warned] = [issue for issue in report["issues"] if issue["code"] == "history_pnl_other_year"]
    assert warned["severity"] == "warning" and "2026" in warned["message"]
