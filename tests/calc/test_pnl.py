"""docs/method.md §6: variances, favourable/unfavourable, margin, YTD, the input's own 预期盈亏 checked."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from kamxl.calc.pnl import analyse, favourable, variance

COLS = {
    ("revenue", "产品A"): ("B", "C"),
    ("expense", "区域广告"): ("D", "E"),
    ("profit", "预期盈亏"): ("F", "G"),
}


def pnl(rows):
    """rows: (month, group, line, plan, actual) → the reader's P&L table (months as rows from row 4)."""
    return pd.DataFrame(
        [
            {
                "sheet": "损益",
                "row": 3 + m,
                "month": m,
                "group": g,
                "line": line,
                "plan": p,
                "actual": a,
                "plan_col": COLS[(g, line)][0],
                "actual_col": COLS[(g, line)][1],
            }
            for m, g, line, p, a in rows
        ]
    )


HAND = pnl(
    [
        (1, "revenue", "产品A", 100.0, 110.0),
        (1, "expense", "区域广告", 30.0, 40.0),
        (1, "profit", "预期盈亏", 70.0, 70.0),
        (2, "revenue", "产品A", 100.0, 90.0),
        (2, "expense", "区域广告", 30.0, 20.0),
        (2, "profit", "预期盈亏", 70.0, 75.0),
        (3, "revenue", "产品A", 100.0, np.nan),
        (3, "expense", "区域广告", 30.0, np.nan),
        (3, "profit", "预期盈亏", 70.0, 0.0),
    ]
)


def test_hand_computed_months(settings):
    result, _ = analyse(HAND, settings)
    m = result.months.set_index("month")
    assert (
        m.loc[1, "revenue_variance"],
        m.loc[1, "revenue_variance_pct"],
        m.loc[1, "revenue_favourable"],
    ) == (10.0, 0.1, True)
    assert (
        m.loc[1, "expense_variance"] == 10.0
        and m.loc[1, "expense_variance_pct"] == pytest.approx(1 / 3)
        and m.loc[1, "expense_favourable"] is False
    )
    assert (m.loc[1, "profit_plan"], m.loc[1, "profit_actual"], m.loc[1, "profit_favourable"]) == (
        70.0,
        70.0,
        None,
    )
    assert m.loc[2, "revenue_favourable"] is False and m.loc[2, "expense_favourable"] is True
    assert m.loc[2, "revenue_actual_ytd"] == 200.0 and m.loc[3, "revenue_plan_ytd"] == 300.0
    assert m.loc[2, "margin_actual"] == pytest.approx(70 / 90) and m.loc[1, "margin_plan"] == pytest.approx(
        0.7
    )
    # month 3 has no actuals: not happened yet, so no actual, variance or YTD actual
    assert (
        np.isnan(m.loc[3, "revenue_actual"])
        and np.isnan(m.loc[3, "profit_variance"])
        and np.isnan(m.loc[3, "revenue_actual_ytd"])
    )


def test_hand_computed_totals(settings):
    result, _ = analyse(HAND, settings)
    s = result.summary
    assert (s["revenue_plan"], s["revenue_actual"], s["expense_plan"], s["expense_actual"]) == (
        300.0,
        200.0,
        90.0,
        60.0,
    )
    assert (s["profit_plan"], s["profit_actual"], s["last_month"]) == (210.0, 140.0, 2)
    assert s["revenue_plan_to_date"] == 200.0 and s["profit_variance_to_date"] == 0.0
    assert s["margin_actual"] == pytest.approx(0.7) and s["margin_plan"] == pytest.approx(0.7)


def test_written_profit_is_checked_with_its_cell(settings):
    _, issues = analyse(HAND, settings)
    # February's 预期盈亏 actual says 75 but 90 − 20 = 70; March's 0 is not checked (no actuals yet)
    assert [(i.code, i.sheet, i.cell) for i in issues] == [("profit_mismatch", "损益", "G5")]
    assert "75" in settings.message(issues[0]) and "70" in settings.message(issues[0])


def test_total_row_checked(settings):
    totals = pd.DataFrame(
        [
            {
                "sheet": "损益",
                "row": 7,
                "month": None,
                "group": "revenue",
                "line": "产品A",
                "plan": 300.0,
                "actual": 190.0,
                "plan_col": "B",
                "actual_col": "C",
            }
        ]
    )
    _, issues = analyse(HAND, settings, totals)
    assert [(i.code, i.cell) for i in issues if i.code == "total_mismatch"] == [("total_mismatch", "C7")]


@pytest.mark.parametrize(
    "group, var, fav",
    [
        ("revenue", 5.0, True),
        ("revenue", -5.0, False),
        ("expense", -5.0, True),
        ("expense", 5.0, False),
        ("profit", 1.0, True),
        ("revenue", 0.0, None),
        ("expense", np.nan, None),
    ],
)
def test_favourable_by_line_type(group, var, fav):
    assert favourable(pd.Series([group]), pd.Series([var])).item() == fav


def test_variance_pct_uses_the_absolute_plan():
    # a planned loss of −100 that came in at −50 is 50 better: +50 %
    var, pct = variance(pd.Series([-100.0, 0.0]), pd.Series([-50.0, 10.0]))
    assert var.tolist() == [50.0, 10.0] and pct.iloc[0] == 0.5 and np.isnan(pct.iloc[1])


money = st.integers(-(10**6), 10**7).map(float)


@pytest.mark.slow
@hsettings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(money, money, money, money), min_size=1, max_size=12))
def test_variance_is_actual_minus_plan_and_totals_add_up(months):
    from kamxl.config import load_settings

    rows = []
    for m, (rp, ra, ep, ea) in enumerate(months, start=1):
        rows += [(m, "revenue", "产品A", rp, ra), (m, "expense", "区域广告", ep, ea)]
    result, _ = analyse(pnl(rows), load_settings())
    mm = result.months
    has = mm["revenue_actual"].notna()
    for g in ("revenue", "expense", "profit"):
        assert np.allclose(
            mm.loc[has, f"{g}_variance"], mm.loc[has, f"{g}_actual"] - mm.loc[has, f"{g}_plan"]
        )
    assert np.allclose(mm["profit_plan"], mm["revenue_plan"] - mm["expense_plan"])
    assert result.summary["revenue_plan"] == pytest.approx(sum(rp for rp, *_ in months))
    assert result.summary["profit_plan"] == pytest.approx(sum(rp - ep for rp, _, ep, _ in months))
    assert mm["revenue_plan_ytd"].iloc[-1] == pytest.approx(result.summary["revenue_plan"])
