"""docs/method.md §1–§3 rules, table-driven with hand-computed expectations, plus invariants."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamxl.calc.cells import CellMap
from kamxl.calc.funnel import (
    PRIORITY_ORDER,
    assign_priorities,
    classify_opportunities,
    derive_likelihood,
    derive_order_size,
    funnel_class,
    funnel_counts,
    funnel_health,
    period_end,
    priority_of,
    score_funnel,
    tier_of,
)

# All 16 order size × likelihood combinations: (size, likelihood, total, class), by hand.
COMBINATIONS = [
    ("over", "this_month", 10.0, "A"),
    ("over", "this_period", 9.0, "A"),
    ("over", "later", 8.0, "B"),
    ("over", "intent", 7.0, "B"),
    ("major", "this_month", 9.0, "A"),
    ("major", "this_period", 8.0, "B"),
    ("major", "later", 7.0, "B"),
    ("major", "intent", 6.0, "C"),
    ("partial", "this_month", 8.0, "B"),
    ("partial", "this_period", 7.0, "B"),
    ("partial", "later", 6.0, "C"),
    ("partial", "intent", 5.0, "C"),
    ("minor", "this_month", 7.0, "B"),
    ("minor", "this_period", 6.0, "C"),
    ("minor", "later", 5.0, "C"),
    ("minor", "intent", 4.0, "D"),
]


@pytest.mark.parametrize("size, likely, total, cls", COMBINATIONS)
def test_all_sixteen_combinations(settings, size, likely, total, cls):
    out = score_funnel(pd.DataFrame({"order_size": [size], "likelihood": [likely]}), settings)
    assert out["score"].item() == total and out["class"].item() == cls


def test_every_class_is_reachable(settings):
    assert {c for *_, c in COMBINATIONS} == {"A", "B", "C", "D"}


@pytest.mark.parametrize(
    "total, cls",
    [(10.0, "A"), (8.05, "A"), (8.04, "B"), (8.0, "B"), (6.0, "C"), (4.0, "D"), (4.1, "C"), (0.0, "D")],
)
def test_class_ranges_are_closed_at_the_top(settings, total, cls):
    assert funnel_class(total, settings) == cls


def test_float_sums_never_flip_a_class(settings):
    assert 0.1 + 0.2 > 0.3  # the kind of float noise a sum of scores can carry
    assert funnel_class(8.0 + 4e-15, settings) == "B" and funnel_class(6.000000000000001, settings) == "C"


@pytest.mark.parametrize(
    "attr, adv, tier",
    [(3.0, 3.0, 1), (2.99, 3.0, 3), (3.0, 2.99, 2), (2.0, 2.0, 4), (5, 1, 2), (1, 5, 3), (None, 3.0, None)],
)
def test_tier_threshold_at_exactly_three(settings, attr, adv, tier):
    assert tier_of(attr, adv, settings) == tier


PRIORITIES = {
    (1, "A"): "P1",
    (1, "B"): "P1",
    (1, "C"): "P2",
    (1, "D"): "P2",
    (2, "A"): "P1",
    (2, "B"): "P2",
    (2, "C"): "P2",
    (2, "D"): "P3",
    (3, "A"): "P3",
    (3, "B"): "P4",
    (3, "C"): "P4",
    (3, "D"): "P4",
    (4, "A"): "P4",
    (4, "B"): "P4",
    (4, "C"): "P4",
    (4, "D"): "P4",
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
    hi = score_funnel(
        pd.DataFrame({"order_size": [SIZES[min(3, i + di)]], "likelihood": [LIKELY[min(3, j + dj)]]}), s
    )["class"].item()
    assert "ABCD".index(hi) <= "ABCD".index(lo)


# -- deriving order size and likelihood (docs/method.md §2) -------------------


@pytest.mark.parametrize(
    "amount, target, size",
    [
        (100, 100, "over"),
        (150, 100, "over"),
        (99.99, 100, "major"),
        (30, 100, "major"),
        (29.99, 100, "partial"),
        (10, 100, "partial"),
        (9.99, 100, "minor"),
        (0, 100, "minor"),
        (50, None, None),
        (50, 0, None),
        (None, 100, None),
    ],
)
def test_order_size_from_amount_and_target(settings, amount, target, size):
    got = derive_order_size(
        pd.Series([amount], dtype=float), pd.Series([target], dtype=float), settings
    ).item()
    assert got == size


AS_OF = dt.date(2026, 2, 15)  # review in February; the assessment period is Q1 (to 31 March)


@pytest.mark.parametrize(
    "close, likely, overdue",
    [
        (dt.date(2026, 2, 1), "this_month", False),
        (dt.date(2026, 2, 28), "this_month", False),
        (dt.date(2026, 1, 31), "this_month", True),
        (dt.date(2025, 12, 1), "this_month", True),
        (dt.date(2026, 3, 1), "this_period", False),
        (dt.date(2026, 3, 31), "this_period", False),
        (dt.date(2026, 4, 1), "later", False),
        (None, "intent", False),
    ],
)
def test_likelihood_from_the_close_date(settings, close, likely, overdue):
    code, late = derive_likelihood(pd.Series([close], dtype=object), AS_OF, settings)
    assert code.item() == likely and bool(late.item()) == overdue


@pytest.mark.parametrize(
    "as_of, period, end",
    [
        (dt.date(2026, 3, 15), "quarter", dt.date(2026, 3, 31)),
        (dt.date(2026, 2, 1), "quarter", dt.date(2026, 3, 31)),
        (dt.date(2026, 11, 23), "quarter", dt.date(2026, 12, 31)),
        (dt.date(2026, 5, 2), "half", dt.date(2026, 6, 30)),
        (dt.date(2026, 2, 10), "month", dt.date(2026, 2, 28)),
        (dt.date(2026, 7, 1), "year", dt.date(2026, 12, 31)),
    ],
)
def test_assessment_period_end(as_of, period, end):
    assert period_end(as_of, period) == end


def test_in_the_last_month_of_the_quarter_next_month_is_later(settings):
    # review in March (last month of Q1): an April close is beyond the assessment period
    code, _ = derive_likelihood(
        pd.Series([dt.date(2026, 4, 1)], dtype=object), dt.date(2026, 3, 31), settings
    )
    assert code.item() == "later"


def nones(values) -> list:
    """NaN (pandas' missing text) as None, to compare with hand-written lists."""
    return [None if pd.isna(v) else v for v in values]


def opps(**cols):
    n = len(next(iter(cols.values())))
    base = {"sheet": ["客户"] * n, "row": list(range(4, 4 + n)), "customer": [f"c{i}" for i in range(n)]}
    return pd.DataFrame(base | cols)


def test_classify_written_derived_and_weighted(settings):
    df = opps(
        order_size=["over", None, None, None],
        likelihood=[None, "later", None, None],
        amount=[300000.0, 40000.0, 50000.0, np.nan],
        period_target=[np.nan, 100000.0, np.nan, np.nan],
        expected_close=[dt.date(2026, 2, 20), None, dt.date(2026, 3, 10), None],
        status=["open", "open", "open", None],
        owner=["王", "王", "李", "李"],
    )
    out, issues = classify_opportunities(
        df, settings, AS_OF, CellMap({"客户": {"period_target": "K", "amount": "J", "customer": "A"}})
    )
    # row 0: 超额 written + close in February → 本月内 → 10.0 A, weighted 300000 × 0.9
    # row 1: 40000 / 100000 = 0.4 → 重要, 更长期 written → 7.0 B
    # row 2: no target of its own or its owner's → no order size: warning, no class
    # row 3: nothing about a deal → not in the funnel, no warning
    assert nones(out["order_size"]) == ["over", "major", None, None]
    assert nones(out["likelihood"]) == ["this_month", "later", "this_period", None]
    assert nones(out["class"]) == ["A", "B", None, None]
    assert out["weighted_amount"].iloc[0] == pytest.approx(270000.0)
    assert out["weighted_amount"].iloc[1] == pytest.approx(12000.0)
    assert [(i.code, i.cell) for i in issues] == [("no_order_size", "K6")]
    assert list(out["open"]) == [True, True, True, False]


def test_owner_target_written_once_applies_to_all_their_rows(settings):
    df = opps(
        owner=["王", "王"],
        amount=[50000.0, 5000.0],
        period_target=[100000.0, np.nan],
        likelihood=["intent", "intent"],
    )
    out, _ = classify_opportunities(df, settings, AS_OF)
    assert list(out["order_size"]) == ["major", "minor"]


def test_overdue_opportunity_is_this_month_with_a_warning(settings):
    df = opps(order_size=["major"], expected_close=[dt.date(2026, 1, 31)], amount=[1.0])
    out, issues = classify_opportunities(df, settings, AS_OF, CellMap({"客户": {"expected_close": "L"}}))
    assert out["likelihood"].item() == "this_month" and out["class"].item() == "A"
    assert [(i.code, i.cell) for i in issues] == [("opportunity_overdue", "L4")]


def test_won_and_lost_leave_the_funnel(settings):
    df = opps(
        order_size=["over", "over", "over"],
        likelihood=["this_month"] * 3,
        status=["won", "lost", "open"],
        amount=[1.0, 2.0, 4.0],
        tier=pd.array([1, 1, 1], dtype="Int64"),
    )
    out, _ = classify_opportunities(df, settings, AS_OF)
    out = assign_priorities(out, settings)
    assert nones(out["class"]) == [None, None, "A"] and list(out["priority"]) == [None, None, "P1"]
    counts = funnel_counts(out)
    assert counts["count"].to_dict() == {"A": 1, "B": 0, "C": 0, "D": 0} and counts.at["A", "amount"] == 4.0


@pytest.mark.parametrize("tier, cls", list(itertools.product([1, 2, 3, 4], "ABCD")))
def test_priorities_vectorised_match_the_matrix(settings, tier, cls):
    df = pd.DataFrame({"tier": pd.array([tier], dtype="Int64"), "class": [cls]})
    out = assign_priorities(df, settings)
    assert out["priority"].item() == PRIORITIES[(tier, cls)]
    assert (
        out["group"].item()
        == {"P1": "key", "P2": "ordinary", "P3": "prospects", "P4": "prospects"}[PRIORITIES[(tier, cls)]]
    )


# -- funnel health (docs/method.md §4): each rule, and the boundaries of each --
@pytest.mark.parametrize(
    "counts, stuck, grade, rule",
    [
        ({"A": 3, "B": 2, "C": 1, "D": 1}, None, "poor", "sparse"),  # N = 7 < 8
        (
            {"A": 4, "B": 2, "C": 1, "D": 1},
            None,
            "excellent",
            "no_history",
        ),  # N = 8, C+D = 2 = 25%: not fair; A+B 75%
        ({"A": 5, "B": 2, "C": 1, "D": 0}, None, "fair", "no_back_end"),  # C+D = 1 < 2
        ({"A": 1, "B": 0, "C": 4, "D": 5}, None, "good", "bottom_heavy"),  # A+B = 1 < 20% of 10
        (
            {"A": 1, "B": 1, "C": 4, "D": 4},
            None,
            "excellent",
            "no_history",
        ),  # A+B = 2 = 20%: not bottom-heavy
        (
            {"A": 1, "B": 0, "C": 4, "D": 5},
            0.4,
            "excellent",
            "history",
        ),  # with history the stuck rule replaces bottom-heavy
        ({"A": 4, "B": 2, "C": 2, "D": 2}, 0.5, "good", "stuck"),  # stuck share exactly 50%
        ({"A": 1, "B": 1, "C": 1, "D": 5}, 0.49, "excellent", "history"),
    ],
)
def test_funnel_health_rules(settings, counts, stuck, grade, rule):
    assert funnel_health(counts, settings, stuck) == (grade, rule)


def test_health_is_a_named_grade_and_rule_that_still_unpacks(settings):
    health = funnel_health({"A": 1}, settings)
    grade, rule = health
    assert (health.grade, health.rule) == (grade, rule) == ("poor", "sparse")
    assert health[0] == "poor" and tuple(health) == ("poor", "sparse")


def test_priority_order_sorts_p1_first():
    assert sorted(["P3", "P1", "P4", "P2"], key=PRIORITY_ORDER.__getitem__) == ["P1", "P2", "P3", "P4"]
    assert list(PRIORITY_ORDER) == ["P1", "P2", "P3", "P4"]
