"""docs/method.md §1: factor means with blanks left out, direct scores, 高/低, mismatches, tiers, playbook."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamxl.calc.cells import CellMap
from kamxl.calc.tier import (
    ScoreLimits,
    assign_tiers,
    factor_column,
    factor_means,
    factor_of_column,
    factor_weights,
    renormalised_weights,
    score_axes,
)


def frame(**cols):
    n = len(next(iter(cols.values())))
    base = {"sheet": ["客户"] * n, "row": list(range(4, 4 + n)), "customer": [f"c{i}" for i in range(n)]}
    return pd.DataFrame(base | cols)


def test_factor_mean_leaves_blanks_out(settings):
    # profit 5, volume 4, growth blank: equal weights → (5 + 4) / 2 = 4.5, not (5 + 4 + 0) / 3
    df = frame(**{"f_attr.profit": [5.0], "f_attr.volume": [4.0], "f_attr.growth": [np.nan]})
    out, _ = score_axes(df, settings)
    assert out["attractiveness"].item() == 4.5 and out["attractiveness_source"].item() == "factors"


def test_weights_from_settings_are_renormalised(settings):
    # profit weight 3, volume 1, growth blank → (3·5 + 1·1) / 4 = 4.0
    w = factor_weights("attractiveness", settings).copy()
    w["f_attr.profit"] = 3.0
    scores = pd.DataFrame({"f_attr.profit": [5.0], "f_attr.volume": [1.0], "f_attr.growth": [np.nan]})
    assert factor_means(scores, w).item() == pytest.approx(4.0)


@given(
    st.lists(st.one_of(st.none(), st.floats(1, 5)), min_size=10, max_size=10),
    st.lists(st.floats(0.1, 10), min_size=10, max_size=10),
)
def test_renormalised_weights_sum_to_one(scores, weights):
    cols = [f"f{i}" for i in range(10)]
    df = pd.DataFrame([[np.nan if s is None else s for s in scores]], columns=cols)
    w = renormalised_weights(df, pd.Series(weights, index=cols))
    if any(s is not None for s in scores):
        assert w.iloc[0].sum() == pytest.approx(1.0)
        assert (w.iloc[0][df.iloc[0].isna()].fillna(0) == 0).all()
        mean = factor_means(df, pd.Series(weights, index=cols)).item()
        present = [s for s in scores if s is not None]
        assert min(present) - 1e-9 <= mean <= max(present) + 1e-9
    else:
        assert w.iloc[0].isna().all()


def test_factors_win_over_a_direct_score_and_a_mismatch_is_warned(settings):
    # factors average 2.0 (low), direct says 4.0 (high): factors used, warning with the direct cell
    df = frame(**{"f_adv.product": [2.0], "f_adv.people": [2.0], "advantage": [4.0]})
    out, issues = score_axes(
        df, settings, CellMap({"客户": {"advantage": "O", "f_adv.product": "K", "customer": "A"}})
    )
    assert out["advantage"].item() == 2.0
    hit = [i for i in issues if i.code == "axis_mismatch"]
    assert len(hit) == 1 and hit[0].cell == "O4" and hit[0].severity == "warning"


@pytest.mark.parametrize(
    "factors, direct, warned",
    [
        (3.2, 3.6, False),  # same side, within 0.5
        (3.2, 3.8, True),  # gap 0.6 > 0.5
        (2.9, 3.1, True),  # 0.2 apart but on either side of 3.0: the tier changes
        (3.0, 3.0, False),
    ],
)
def test_mismatch_rule(settings, factors, direct, warned):
    df = frame(**{"f_attr.profit": [factors], "attractiveness": [direct]})
    _, issues = score_axes(df, settings)
    assert any(i.code == "axis_mismatch" for i in issues) == warned


def test_direct_score_and_high_low_level(settings):
    df = frame(
        attractiveness=[np.nan, 3.0],
        attractiveness_level=["high", None],
        advantage=[np.nan, 2.99],
        advantage_level=["low", None],
    )
    out, issues = score_axes(df, settings)
    assert list(out["attractiveness_high"]) == [True, True] and list(out["advantage_high"]) == [False, False]
    assert list(out["attractiveness_source"]) == ["level", "direct"]
    assert list(assign_tiers(out, settings)["tier"]) == [2, 2]
    assert not issues


def test_factor_out_of_range_is_left_out_with_a_warning(settings):
    df = frame(**{"f_attr.profit": [7.0], "f_attr.volume": [3.0]})
    out, issues = score_axes(df, settings, CellMap({"客户": {"f_attr.profit": "E", "customer": "A"}}))
    assert out["attractiveness"].item() == 3.0
    assert [(i.code, i.cell) for i in issues if i.code == "score_out_of_range"] == [
        ("score_out_of_range", "E4")
    ]


def test_no_score_on_an_axis_gives_no_tier_and_a_warning(settings):
    df = frame(attractiveness=[4.0], advantage=[np.nan])
    out, issues = score_axes(
        df, settings, CellMap({"客户": {"attractiveness": "J", "advantage": "O", "customer": "A"}})
    )
    tiers = assign_tiers(out, settings)
    assert pd.isna(tiers["tier"].item()) and tiers["actions"].item() == []
    assert [(i.code, i.cell) for i in issues] == [("no_axis_score", "A4")]


@pytest.mark.parametrize(
    "attr, adv, tier, actions",
    [
        (3.0, 3.0, 1, [3, 4, 15, 16]),
        (3.0, 2.9, 2, [6, 7, 8, 9]),
        (2.9, 3.0, 3, [1, 2, 5, 14]),
        (1.0, 1.0, 4, [10, 11, 12, 13]),
    ],
)
def test_tier_and_playbook(settings, attr, adv, tier, actions):
    out, _ = score_axes(frame(attractiveness=[attr], advantage=[adv]), settings)
    row = assign_tiers(out, settings).iloc[0]
    assert row["tier"] == tier and row["actions"] == actions


@pytest.mark.parametrize("factor, column", [("attr.profit", "f_attr.profit"), ("adv.people", "f_adv.people")])
def test_factor_columns_are_named_one_way(factor, column):
    assert factor_column(factor) == column and factor_of_column(column) == factor


def test_factor_weights_are_indexed_by_column(settings):
    assert all(column.startswith("f_attr.") for column in factor_weights("attractiveness", settings).index)


def test_score_limits_from_the_settings(settings):
    assert ScoreLimits.of(settings) == (1.0, 5.0, 3.0, 0.5)


def test_a_sheet_without_any_column_of_an_axis_is_one_warning(settings):
    df = frame(attractiveness=[4.0, 4.5], advantage=[np.nan, np.nan])
    _, issues = score_axes(df, settings, CellMap({"客户": {"attractiveness": "J", "customer": "A"}}))
    assert [(i.code, i.cell) for i in issues] == [("no_tier_columns", None)]


def test_direct_score_out_of_range_is_left_out(settings):
    df = frame(attractiveness=[6.0], advantage=[3.0])
    out, issues = score_axes(df, settings, CellMap({"客户": {"attractiveness": "J", "advantage": "O"}}))
    assert pd.isna(out["attractiveness"].item()) and pd.isna(out["attractiveness_source"].item())
    assert [(i.code, i.cell) for i in issues] == [("score_out_of_range", "J4"), ("no_axis_score", None)]
