"""The value rules of body rows (kamxl/read/values.py), table-driven at their boundaries."""

from __future__ import annotations

import datetime as dt

import pytest

from kamxl.read.values import Values, hours_minutes, is_hours_minutes, year_dot_month


@pytest.mark.parametrize(
    "number, expected",
    [
        (8.45, True),  # two decimals that can be minutes: h.mm
        (10.15, True),
        (8.59, True),  # 59 minutes: the last that can be
        (8.6, False),  # one decimal: decimal hours
        (8.5, False),
        (8.75, False),  # two decimals that cannot be minutes
        (8.25, True),  # the rule decides: 8:25 (the sheet's other numbers and the warning say so)
        (9.0, False),
        (0.45, False),  # below 1: a fraction of a day, as spreadsheets keep times
        (8.123, False),
    ],
)
def test_is_hours_minutes(number, expected):
    assert is_hours_minutes(number) is expected


@pytest.mark.parametrize(
    "number, hours",
    [(8.45, 8.75), (10.3, 10.5), (9, 9.0), (8.59, 8 + 59 / 60), (8.6, None), (8.75, None), (25.0, None)],
)
def test_hours_minutes(number, hours):
    assert hours_minutes(number) == (pytest.approx(hours) if hours is not None else None)


@pytest.mark.parametrize(
    "number, expected",
    [
        (2026.03, (2026, 3)),
        (2026.12, (2026, 12)),
        (2026.01, (2026, 1)),
        (2026.1, (2026, 0)),  # January or October: unsure
        (2026.2, (2026, 2)),
        (2026.13, None),
        (2026.0, None),  # a year alone
        (1899.05, None),  # outside the years
        (45000.5, None),  # an Excel serial with a time
    ],
)
def test_year_dot_month(number, expected):
    assert year_dot_month(number) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        (2026.03, (dt.date(2026, 3, 31), True)),
        (2026.02, (dt.date(2026, 2, 28), True)),
        (2028.02, (dt.date(2028, 2, 29), True)),  # a leap year's February
        (2026.12, (dt.date(2026, 12, 31), True)),
        (2026.1, (None, False)),
        (2026, (None, False)),  # not 1905-07-18
        (46082, (dt.date(2026, 3, 1), True)),  # a serial date that lost its format is still a date
        ("2026年3月", (dt.date(2026, 3, 31), True)),
        ("2026-03-05", (dt.date(2026, 3, 5), True)),
        (None, (None, True)),
    ],
)
def test_close_date(settings, value, expected):
    assert Values(settings).close_date(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("4.5分", (4.5, True)),
        ("４分", (4.0, True)),
        ("3 pts", (3.0, True)),
        (4, (4.0, True)),
        ("分", (None, False)),
    ],
)
def test_score(settings, value, expected):
    assert Values(settings).score(value) == expected


@pytest.mark.parametrize(
    "text, expected",
    [("1.5万", True), ("3000元", True), ("¥300", True), ("2k", True), ("1500", False), ("1,500", False)],
)
def test_has_unit(settings, text, expected):
    assert Values(settings).has_unit(text) is expected
