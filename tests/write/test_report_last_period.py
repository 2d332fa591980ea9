"""report.json's ``last_period``: the last month with an actual with its year ("2026-02"), beside
``last_month`` (its number alone, kept for older readers). In a rolling plan from 2025-11 the number
says 2 where the period says 2026-02, after 2025-11 and 2025-12."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from kamxl.pipeline import RunOptions, process
from kamxl.write.report import last_period
from tests.read.test_month_years import _pnl_rolling, _receivables


def _report(path, tmp_path, settings):
    out = tmp_path / "out"
    process(path, out, settings, RunOptions(dt.date(2026, 2, 28), history=None, strict=True))
    return json.loads((out / f"{path.stem}.report.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("period", "dated", "expected"),
    [
        (2026 * 12 + 1, True, "2026-02"),
        (2025 * 12 + 10, True, "2025-11"),
        (2026 * 12 + 11, True, "2026-12"),
        (2, False, None),  # months without a year: last_month says all that is known
        (None, True, None),  # no actual yet
    ],
)
def test_last_period(period, dated, expected):
    assert last_period(period, dated) == expected


def test_a_rolling_receivables_plan_reports_its_last_period_with_its_year(tmp_path, settings):
    """Actuals 2025-11 … 2026-02 (the test's ACTUAL): m* is 2026-02, its number 2."""
    report = _report(_receivables(tmp_path / "r.xlsx", "chinese"), tmp_path, settings)
    assert (report["receivables"]["last_month"], report["receivables"]["last_period"]) == (2, "2026-02")


def test_a_rolling_pnl_reports_its_last_period_with_its_year(tmp_path, settings):
    report = _report(_pnl_rolling(tmp_path / "p.xlsx", lambda y, m: f"{y}-{m:02d}"), tmp_path, settings)
    assert (report["pnl"]["last_month"], report["pnl"]["last_period"]) == (2, "2026-02")


def test_a_plan_without_years_has_no_last_period(tmp_path, settings):
    report = _report(
        _receivables(tmp_path / "r.xlsx", "month_only", title="应收帐款规划表"), tmp_path, settings
    )
    assert report["receivables"]["last_period"] is None
