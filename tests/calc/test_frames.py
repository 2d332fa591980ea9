"""The column idioms the calculations share: numbers from cells, optional columns, ratios, choices."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kamxl.calc.frames import as_floats, choose, divide, has_text, optional_column


def values(series: pd.Series) -> list:
    return [None if pd.isna(value) else value for value in series]


def test_as_floats_reads_text_numbers_and_blanks_the_rest():
    got = as_floats(pd.Series([1, "2.5", None, "x", True], dtype=object))
    assert got.dtype == float and values(got) == [1.0, 2.5, None, None, 1.0]


@pytest.mark.parametrize(
    "default, dtype, expected",
    [
        (None, object, [None, None]),  # text columns: None, not NaN
        (np.nan, float, [None, None]),
        (False, bool, [False, False]),
    ],
)
def test_optional_column_absent(default, dtype, expected):
    frame = pd.DataFrame({"a": [1, 2]}, index=[5, 7])
    got = optional_column(frame, "missing", default)
    assert got.dtype == dtype and list(got.index) == [5, 7] and values(got) == expected


def test_optional_column_present_is_the_column_itself():
    frame = pd.DataFrame({"a": [1, 2]})
    assert optional_column(frame, "a", default=0).tolist() == [1, 2]


@pytest.mark.parametrize(
    "numerator, denominator, expected",
    [
        ([1.0, 2.0, 3.0], [2.0, 0.0, np.nan], [0.5, None, None]),  # 0 planned: unknown, not infinite
        ([0.0, -4.0], [5.0, 2.0], [0.0, -2.0]),
    ],
)
def test_divide(numerator, denominator, expected):
    assert values(divide(pd.Series(numerator), pd.Series(denominator))) == expected


def test_has_text():
    got = has_text(pd.Series(["王伟", " ", "", None, np.nan, 3], dtype=object))
    assert got.tolist() == [True, False, False, False, False, False]


@pytest.mark.parametrize("choices", [["written", "derived"], [True, False]])
def test_choose_first_condition_wins_else_none(choices):
    first = pd.Series([True, False, False])
    second = pd.Series([True, True, False])  # holds in row 0 too, but the first condition comes first
    got = choose([first, second], choices)
    assert got.dtype == object and list(got) == [choices[0], choices[1], None]


def test_choose_is_numpy_where_with_none():
    signed = pd.Series([1.0, -1.0, 0.0, np.nan])
    nested = np.where(signed > 0, True, np.where(signed < 0, False, None))
    got = choose([signed > 0, signed < 0], [True, False])
    assert list(got) == list(nested) and [type(value) for value in got] == [
        bool,
        bool,
        type(None),
        type(None),
    ]
