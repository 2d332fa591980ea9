"""METHOD §1–§3 rules, table-driven with hand-computed expectations, plus invariants."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamxl.calc.funnel import funnel_class, priority_of, score_funnel, tier_of

# All 16 order size × likelihood combinations: (size, likelihood, total, class), by hand.
COMBINATIONS = [
    ("over", "this_month", 10.0, "A"), ("over", "this_period", 9.0, "A"), ("over", "later", 8.0, "B"), ("over", "intent", 7.0, "B"),
    ("major", "this_month", 9.0, "A"), ("major", "this_period", 8.0, "B"), ("major", "later", 7.0, "B"), ("major", "intent", 6.0, "C"),
    ("partial", "this_month", 8.0, "B"), ("partial", "this_period", 7.0, "B"), ("partial", "later", 6.0, "C"), ("partial", "intent", 5.0, "C"),
    ("minor", "this_month", 7.0, "B"), ("minor", "this_period", 6.0, "C"), ("minor", "later", 5.0, "C"), ("minor", "intent", 4.0, "D"),
]


@pytest.mark.parametrize("size, likely, total, cls", COMBINATIONS)
def test_all_sixteen_combinations(settings, size, likely, total, cls):
    out = score_funnel(pd.DataFrame({"order_size": [size], "likelihood": [likely]}), settings)
    assert out["score"].item() == total and out["class"].item() == cls


def test_every_class_is_reachable(settings):
    assert {c for *_, c in COMBINATIONS} == {"A", "B", "C", "D"}


@pytest.mark.parametrize("total, cls", [(10.0, "A"), (8.05, "A"), (8.04, "B"), (8.0, "B"), (6.0, "C"), (4.0, "D"), (4.1, "C"), (0.0, "D")])
def test_class_ranges_are_closed_at_the_top(settings, total, cls):
    assert funnel_class(total, settings) == cls


def test_float_sums_never_flip_a_class(settings):
    assert 0.1 + 0.2 > 0.3  # the kind of float noise a sum of scores can carry
    assert funnel_class(8.0 + 4e-15, settings) == "B" and funnel_class(6.000000000000001, settings) == "C"


@pytest.mark.parametrize("attr, adv, tier", [(3.0, 3.0, 1), (2.99, 3.0, 3), (3.0, 2.99, 2), (2.0, 2.0, 4), (5, 1, 2), (1, 5, 3), (None, 3.0, None)])
def test_tier_threshold_at_exactly_three(settings, attr, adv, tier):
    assert tier_of(attr, adv, settings) == tier


PRIORITIES = {
    (1, "A"): "P1", (1, "B"): "P1", (1, "C"): "P2", (1, "D"): "P2",
    (2, "A"): "P1", (2, "B"): "P2", (2, "C"): "P2", (2, "D"): "P3",
    (3, "A"): "P3", (3, "B"): "P4", (3, "C"): "P4", (3, "D"): "P4",
    (4, "A"): "P4", (4, "B"): "P4", (4, "C"): "P4", (4, "D"): "P4",
}


@pytest.mark.parametrize("tier, cls", list(itertools.product([1, 2, 3, 4], "ABCD")))
def test_all_sixteen_priorities(settings, tier, cls):
    assert priority_of(tier, cls, settings) == PRIORITIES[(tier, cls)]


SIZES = ["minor", "partial", "major", "over"]
LIKELY = ["intent", "later", "this_period", "this_month"]


@given(st.integers(0, 3), st.integers(0, 3), st.integers(0, 3), st.integers(0, 3))
def test_class_never_falls_when_a_score_rises(i, j, di, dj):
    from kamxl.config import load_settings

    s = load_settings()
    lo = score_funnel(pd.DataFrame({"order_size": [SIZES[i]], "likelihood": [LIKELY[j]]}), s)["class"].item()
    hi = score_funnel(pd.DataFrame({"order_size": [SIZES[min(3, i + di)]], "likelihood": [LIKELY[min(3, j + dj)]]}), s)["class"].item()
    assert "ABCD".index(hi) <= "ABCD".index(lo)
