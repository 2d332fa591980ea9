"""The column idioms every calculation shares, written once.

The calculations work on whole columns (no row-at-a-time loops): a column of
cells read as numbers, an optional column that may be absent from a form, a
ratio that is unknown where the divisor is 0, and a choice per row among
labels. Each helper keeps the exact pandas/numpy expression the calculations
used inline, so results are bit-for-bit the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

# numpy fills an object array with this where no condition holds; a 0-d object
# array, because numpy's type stubs do not accept a bare None as a choice
_NONE = np.array(None, dtype=object)


def as_floats(values: Any) -> pd.Series:
    """The values read as numbers (float): text that spells a number counts, anything else is NaN."""
    return pd.to_numeric(values, errors="coerce").astype(float)


def optional_column(frame: pd.DataFrame, name: str, default: object = None) -> pd.Series:
    """The frame's column ``name``, or a column of ``default`` where the form has none.

    A None default gives an object column (None, not NaN), as the reader's
    text columns are.
    """
    if name in frame.columns:
        return frame[name]
    return pd.Series(default, index=frame.index, dtype=object if default is None else None)


def has_text(values: pd.Series) -> pd.Series:
    """True where a value is text with something other than spaces in it (an owner, a unit)."""
    return values.map(lambda value: isinstance(value, str) and bool(value.strip()))


def divide(numerator: Any, denominator: pd.Series) -> pd.Series:
    """numerator ÷ denominator, NaN where the denominator is 0: a rate of nothing planned is unknown."""
    return numerator / denominator.where(denominator != 0)


def choose(conditions: Sequence[Any], choices: Sequence[str | float]) -> np.ndarray:
    """Per row, the choice of the first condition that holds, else None (an object array)."""
    return np.select(list(conditions), list(choices), default=_NONE)
