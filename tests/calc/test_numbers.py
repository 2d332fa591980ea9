"""Numbers as a calculation reads them and as messages write them (one reading, one way of writing)."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pytest

from kamxl.calc.numbers import as_number, fmt, pct


@pytest.mark.parametrize(
    "value, number",
    [
        (12, 12.0),
        (12.5, 12.5),
        (np.float64(0.25), 0.25),
        (np.int64(3), 3.0),
        (Decimal("1.5"), 1.5),
        (True, 1.0),
        ("12.5", 12.5),  # a number typed as text
        (" 7 ", 7.0),
        (None, None),
        (math.nan, None),
        (math.inf, None),
        (-math.inf, None),
        ("abc", None),
        ("", None),
        ([1], None),
        (object(), None),
    ],
)
def test_as_number(value, number):
    assert as_number(value) == number


@pytest.mark.parametrize(
    "value, digits, text",
    [
        (96000, 2, "96,000"),
        (96000.0, 2, "96,000"),
        (1234.5, 2, "1,234.50"),
        (0.125, 3, "0.125"),
        (-2500.25, 2, "-2,500.25"),
        (0, 2, "0"),
        (None, 2, "—"),
        (math.nan, 2, "—"),
    ],
)
def test_fmt(value, digits, text):
    assert fmt(value, digits) == text


@pytest.mark.parametrize(
    "value, signed, text",
    [
        (0.95, False, "95.0%"),
        (1.0, False, "100.0%"),
        (0, False, "0.0%"),
        (0.0004, False, "<0.1%"),  # too small to show, but not none
        (0.0005, False, "0.1%"),
        (-0.025, False, "−2.5%"),  # a true minus sign
        (-0.0001, False, "−<0.1%"),  # a small loss still reads as a loss
        (0.025, True, "+2.5%"),
        (0, True, "0.0%"),
        (-0.025, True, "−2.5%"),
        ("0.5", False, "50.0%"),
        (None, False, "—"),
        (math.nan, False, "—"),
        (math.inf, False, "—"),
        ("n/a", False, "—"),
    ],
)
def test_pct(value, signed, text):
    assert pct(value, signed) == text
