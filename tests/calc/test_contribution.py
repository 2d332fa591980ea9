"""Contribution by customer and product: the ranking, the top-20% share, the basis chosen."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamxl.calc.contribution import contributions, rank_contribution


@pytest.mark.parametrize(
    "values, top_share, top_count, share",
    [
        # 5 names: the top 20% is one name
        ({"a": 50, "b": 20, "c": 15, "d": 10, "e": 5}, 0.2, 1, 0.5),
        # 11 names: ceil(2.2) = 3 names
        ({f"n{i}": v for i, v in enumerate([40, 20, 10, 5, 5, 5, 5, 4, 3, 2, 1])}, 0.2, 3, 0.7),
        # fewer than five names still names one
        ({"a": 1, "b": 3}, 0.2, 1, 0.75),
        # top half
        ({"a": 1, "b": 1, "c": 1, "d": 1}, 0.5, 2, 0.5),
    ],
)
def test_top_share(values, top_share, top_count, share):
    table, summary = rank_contribution(pd.Series(values), top_share)
    assert summary["top_count"] == top_count
    assert summary["top_share"] == pytest.approx(share)
    assert table["top"].sum() == top_count
    assert table["value"].is_monotonic_decreasing


def test_rows_of_one_name_are_summed_and_ranked():
    table, summary = rank_contribution(pd.Series([100, 300, 250], index=["甲", "乙", "甲"]), 0.2)
    assert list(table["name"]) == ["甲", "乙"] and list(table["value"]) == [350, 300]
    assert summary["total"] == 650 and summary["count"] == 2
    assert table["cum_share"].iloc[-1] == pytest.approx(1.0)


def test_no_positive_total_gives_no_shares():
    table, summary = rank_contribution(pd.Series({"a": 0.0, "b": 0.0}), 0.2)
    assert summary["top_share"] is None and table["share"].isna().all()


@given(
    st.lists(st.floats(min_value=0.01, max_value=1e9, allow_nan=False), min_size=1, max_size=60),
    st.sampled_from([0.1, 0.2, 0.5]),
)
def test_the_top_hold_at_least_their_head_count_share(values, top_share):
    """Ranked high to low, the top k of n hold at least k/n of the total.

    (The Pareto ranking can only concentrate.)
    """
    table, summary = rank_contribution(
        pd.Series(values, index=[f"c{i}" for i in range(len(values))]), top_share
    )
    assert summary["top_count"] == max(1, math.ceil(top_share * len(values)))
    assert summary["top_share"] >= summary["top_count"] / len(values) - 1e-9
    assert table["share"].sum() == pytest.approx(1.0)
    assert table["cum_share"].is_monotonic_increasing


class _Rec:
    def __init__(self, rows):
        self.rows = rows


def test_basis_order_follows_the_settings(settings):
    customers = pd.DataFrame(
        {"customer": ["甲", "乙", "丙"], "amount": [10.0, 20.0, 30.0], "status": ["open", "won", "lost"]}
    )
    receivables = _Rec(
        pd.DataFrame({"customer": ["甲", "乙"], "product": ["X", "Y"], "total_owed": [500.0, 100.0]})
    )
    found = contributions(customers, receivables, None, settings)
    assert found["customers"][1]["basis"] == "receivables" and list(found["customers"][0]["name"]) == [
        "甲",
        "乙",
    ]
    assert found["products"][1]["basis"] == "receivables"  # no P&L: products from the receivables plan
    only_opps = contributions(customers, None, None, settings)
    table, summary = only_opps["customers"]
    assert summary["basis"] == "opportunities"
    assert list(table["name"]) == ["乙", "甲"]  # the lost opportunity is left out
    assert only_opps["products"] is None


def test_rankings_are_named_and_still_unpack(settings):
    customers = pd.DataFrame({"customer": ["甲", "乙"], "amount": [10.0, 30.0], "status": ["open", "open"]})
    ranking = contributions(customers, None, None, settings)["customers"]
    assert ranking is not None
    table, summary = ranking
    assert ranking.table is table and ranking.summary is summary
    assert list(summary) == ["total", "count", "top_count", "top_share", "basis"]  # report.json's order
