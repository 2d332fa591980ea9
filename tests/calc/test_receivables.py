"""docs/method.md §5, each rule with a hand-computed expectation, plus invariants."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from kamxl.calc.cells import CellMap
from kamxl.calc.receivables import aging_bucket, collect, last_actual_month
from kamxl.issues import column_letter

SHEET = "应收"
CELLS = CellMap({SHEET: {"customer": "A", "product": "B", "qty": "C", "total_owed": "AB"}})


def tables(rows):
    """rows: (customer, owed, plans, actuals) → the reader's main and months tables."""
    main, months = [], []
    for i, (cust, owed, plans, actuals) in enumerate(rows):
        r = 5 + i
        main.append(
            {
                "sheet": SHEET,
                "row": r,
                "customer": cust,
                "product": None,
                "qty": None,
                "total_owed": owed,
                "due_date": None,
                "owner": None,
            }
        )
        for m, (p, a) in enumerate(zip(plans, actuals, strict=True), start=1):
            months.append(
                {
                    "sheet": SHEET,
                    "row": r,
                    "month": m,
                    "plan": p,
                    "actual": a,
                    "plan_col": column_letter(1 + 2 * m),
                    "actual_col": column_letter(2 + 2 * m),
                }
            )
    return pd.DataFrame(main), pd.DataFrame(months)


HAND = [
    ("朗通", 1000.0, [100, 100, 100], [100, 50, np.nan]),
    ("泰岳", 500.0, [200, 200, 0], [180, np.nan, np.nan]),
]


def test_hand_computed_plan(settings):
    main, months = tables(HAND)
    rec, issues = collect(main, months, settings, dt.date(2026, 3, 31), cells=CELLS)
    s = rec.summary
    # m* = 2 (the last month with any actual); plan to date 200 + 400, actual 150 + 180
    assert s["last_month"] == 2
    assert (s["plan"], s["actual"], s["plan_to_date"], s["actual_to_date"]) == (700.0, 330.0, 600.0, 330.0)
    assert s["collection_rate"] == pytest.approx(0.55)
    assert s["balance"] == 1170.0 and s["total_owed"] == 1500.0
    assert s["behind"] == ["朗通", "泰岳"]  # 150/200 = 75 %, 180/400 = 45 %
    rows = rec.rows.set_index("customer")
    assert rows.loc["朗通", "balance"] == 850.0 and rows.loc["泰岳", "plan_coverage"] == pytest.approx(0.8)
    # both plans collect less than is owed: one warning each, at the 总欠款 cell
    assert [(i.code, i.cell) for i in issues] == [("plan_short", "AB5"), ("plan_short", "AB6")]


def test_month_rates_cumulative_and_blanks(settings):
    main, months = tables(HAND)
    rec, _ = collect(main, months, settings, dt.date(2026, 3, 31))
    m = rec.months.set_index(["row", "month"])
    # 泰岳 month 2: blank actual up to m* is 0 collected; month 3 plan 0 → rate blank, not an error
    assert m.loc[(6, 2), "actual"] == 0.0 and m.loc[(6, 2), "rate"] == 0.0
    assert m.loc[(6, 2), "cum_plan"] == 400.0 and m.loc[(6, 2), "cum_rate"] == pytest.approx(0.45)
    assert np.isnan(m.loc[(6, 3), "rate"])
    # month 3 is after m*: not happened yet, so no actual and no rate
    assert np.isnan(m.loc[(5, 3), "actual"]) and np.isnan(m.loc[(5, 3), "cum_rate"])
    by = rec.by_month.set_index("month")
    assert (
        by.loc[1, "rate"] == pytest.approx(280 / 300)
        and by.loc[2, "cum_actual"] == 330.0
        and np.isnan(by.loc[3, "actual"])
    )


@pytest.mark.parametrize("actual, behind", [(90.0, False), (89.99, True), (100.0, False), (0.0, True)])
def test_behind_plan_at_ninety_percent(settings, actual, behind):
    main, months = tables(
        [("A", 100.0, [100.0], [actual if actual else np.nan]), ("B", 100.0, [100.0], [100.0])]
    )
    rec, _ = collect(main, months, settings, dt.date(2026, 1, 31))
    assert bool(rec.rows["behind"].iloc[0]) is behind


def test_zeros_do_not_move_the_last_actual_month():
    months = pd.DataFrame({"month": [1, 2, 3], "actual": [5.0, 0.0, 0.0]})
    assert last_actual_month(months) == 1
    assert last_actual_month(pd.DataFrame({"month": [1], "actual": [np.nan]})) is None


def test_no_actual_at_all_gives_no_rate(settings):
    main, months = tables([("A", 100.0, [50.0, 50.0], [np.nan, np.nan])])
    rec, _ = collect(main, months, settings, dt.date(2026, 1, 31))
    assert rec.summary["collection_rate"] is None and rec.summary["behind"] == []


@pytest.mark.parametrize(
    "written, warned", [(1500.0, False), (1500.5, False), (1500.51, True), (1400.0, True)]
)
def test_total_row_owed_checked_with_its_cell(settings, written, warned):
    main, months = tables(HAND)
    totals = pd.DataFrame(
        [{"sheet": SHEET, "row": 7, "customer": "合计", "total_owed": written, "qty": None}]
    )
    _, issues = collect(main, months, settings, dt.date(2026, 3, 31), totals=totals, cells=CELLS)
    hits = [i for i in issues if i.code == "total_mismatch"]
    assert [i.cell for i in hits] == (["AB7"] if warned else [])


def test_total_row_months_checked_with_their_cells(settings):
    main, months = tables(HAND)
    tm = pd.DataFrame(
        [
            {
                "sheet": SHEET,
                "row": 7,
                "month": 1,
                "plan": 300.0,
                "actual": 279.0,
                "plan_col": "D",
                "actual_col": "E",
            }
        ]
    )
    _, issues = collect(main, months, settings, dt.date(2026, 3, 31), total_months=tm, cells=CELLS)
    hits = [i for i in issues if i.code == "total_mismatch"]
    assert [(i.cell, i.severity) for i in hits] == [("E7", "warning")]
    assert "279" in settings.message(hits[0]) and "280" in settings.message(hits[0])


@pytest.mark.parametrize(
    "days, bucket",
    [
        (-5, "not_due"),
        (0, "not_due"),
        (1, "d1_30"),
        (30, "d1_30"),
        (31, "d31_60"),
        (60, "d31_60"),
        (61, "d61_90"),
        (90, "d61_90"),
        (91, "over_90"),
        (None, None),
    ],
)
def test_aging_buckets(settings, days, bucket):
    assert aging_bucket(pd.Series([days], dtype=float), settings).item() == bucket


def test_aging_of_outstanding_balances(settings):
    main, months = tables(
        [("A", 100.0, [100.0], [40.0]), ("B", 50.0, [50.0], [50.0]), ("C", 70.0, [70.0], [np.nan])]
    )
    main["due_date"] = [dt.date(2026, 2, 1), dt.date(2025, 1, 1), dt.date(2026, 4, 30)]
    rec, _ = collect(main, months, settings, dt.date(2026, 3, 31))
    # A: 60 balance, 58 days overdue → 31–60; B: fully collected → no bucket; C: not due yet
    assert rec.rows["aging"].tolist()[0] == "d31_60" and pd.isna(rec.rows["aging"].tolist()[1])
    assert rec.aging["balance"].to_dict() == {
        "not_due": 70.0,
        "d1_30": 0.0,
        "d31_60": 60.0,
        "d61_90": 0.0,
        "over_90": 0.0,
    }


money = st.one_of(st.none(), st.integers(0, 10**7).map(float))


@pytest.mark.slow
@hsettings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(1, 10**7).map(float), st.lists(st.tuples(money, money), min_size=12, max_size=12)
        ),
        min_size=1,
        max_size=6,
    )
)
def test_totals_equal_the_sum_of_months(data):
    from kamxl.config import load_settings

    s = load_settings()
    rows = [
        (f"c{i}", owed, [p for p, _ in ms], [np.nan if a is None else a for _, a in ms])
        for i, (owed, ms) in enumerate(data)
    ]
    main, months = tables([(c, o, [np.nan if p is None else p for p in ps], a) for c, o, ps, a in rows])
    rec, _ = collect(main, months, s, dt.date(2026, 12, 31))
    plan = sum(p for _, _, ps, _ in rows for p in ps if p is not None)
    actual = sum(a for _, _, _, acts in rows for a in acts if a == a)
    assert rec.summary["plan"] == pytest.approx(plan) and rec.summary["actual"] == pytest.approx(actual)
    assert rec.by_month["plan"].sum() == pytest.approx(plan)
    assert rec.by_month["cum_plan"].iloc[-1] == pytest.approx(plan)
    assert rec.summary["balance"] == pytest.approx(sum(o for _, o, _, _ in rows) - actual)
    per_row = rec.months.groupby("row")["plan"].sum()
    assert (rec.rows.set_index("row")["plan"] - per_row).abs().max() < 1e-6


def test_aging_per_customer_adds_up_to_the_aging_table(settings):
    main, months = tables(
        [
            ("甲", 100.0, [10.0], [10.0]),
            ("乙", 200.0, [20.0], [0.0]),
            ("甲", 50.0, [0.0], [0.0]),
            ("丙", 80.0, [80.0], [80.0]),
        ]
    )
    main["due_date"] = [dt.date(2026, 3, 1), dt.date(2026, 1, 1), dt.date(2026, 4, 10), dt.date(2025, 11, 1)]
    rec, _ = collect(main, months, settings, dt.date(2026, 3, 31))
    # 甲: 90 left, 30 days overdue (1–30) and 50 not due; 乙: 200 left, 89 days (61–90); 丙: nothing left
    by_customer = rec.aging_by_customer.set_index("customer")
    assert list(by_customer.index) == ["甲", "乙"]
    assert by_customer.loc["甲"].to_dict() == {
        "not_due": 50.0,
        "d1_30": 90.0,
        "d31_60": 0.0,
        "d61_90": 0.0,
        "over_90": 0.0,
        "total": 140.0,
    }
    assert by_customer.loc["乙", "d61_90"] == 200.0 and by_customer.loc["乙", "total"] == 200.0
    assert by_customer[list(rec.aging.index)].sum().to_dict() == rec.aging["balance"].to_dict()


def test_no_due_dates_is_said_not_shown_as_zeros(settings):
    from kamxl.calc.receivables import aging_issues

    main, months = tables(HAND)
    rec, _ = collect(main, months, settings, dt.date(2026, 3, 31))
    assert rec.aging is None and rec.aging_by_customer is None
    assert [(i.code, i.severity, i.sheet) for i in aging_issues(rec, settings)] == [
        ("no_due_dates", "info", SHEET)
    ]
    main["due_date"] = [dt.date(2026, 1, 1), None]
    dated, _ = collect(main, months, settings, dt.date(2026, 3, 31))
    assert aging_issues(dated, settings) == []


def test_a_customer_to_date_is_all_its_lines_together():
    """朗通 of the combined sample: 产品A 150,000 / 150,000 and 产品B 60,000 / 53,000 are one customer at
    210,000 / 203,000 (96.7 %), not behind; 新源's one line at 22,000 / 33,000 (66.7 %) is."""
    from kamxl.calc.receivables import customer_to_date, customers_behind

    rows = pd.DataFrame(
        [("朗通", 150_000, 150_000), ("新源", 33_000, 22_000), ("朗通", 60_000, 53_000)],
        columns=["customer", "plan_to_date", "actual_to_date"],
    )
    sums = customer_to_date(rows)
    assert list(sums.index) == ["朗通", "新源"]
    assert sums.loc["朗通"].tolist() == [210_000, 203_000]
    assert customers_behind(rows, 0.9) == ["新源"]
    assert customer_to_date(rows.iloc[:0]).empty
