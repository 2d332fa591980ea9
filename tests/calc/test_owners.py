"""docs/method.md §13.1: by salesperson, hand-computed, and the owners' rows adding up to the region."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from kamxl.calc.owners import OWNER_COLUMNS, by_owner, owner_keys, region_totals, with_titled_owner


def opportunities(rows):
    """(customer, owner, open, class, amount, weighted, priority) → the prioritised opportunities."""
    columns = ["customer", "owner", "open", "class", "amount", "weighted_amount", "priority"]
    return pd.DataFrame(rows, columns=columns)


def receivables(rows):
    """(owner, plan to date, actual to date) → receivables rows."""
    return pd.DataFrame(rows, columns=["owner", "plan_to_date", "actual_to_date"])


def monthly(rows):
    """(owner, attainment) → the monthly plan's rows."""
    return pd.DataFrame(rows, columns=["owner", "attainment"])


CUSTOMERS = opportunities(
    [
        ("朗通", "王伟", True, "A", 500.0, 450.0, "P1"),
        ("朗通", "王伟", True, "B", 100.0, 60.0, "P1"),  # the same P1 customer twice: counted once
        ("泰岳", " 王伟 ", True, "C", 200.0, 60.0, "P2"),  # spaces around the name: the same owner
        ("万星", "李娜", False, None, 900.0, np.nan, None),  # closed: not in the pipeline
        ("华信", "李娜", True, "A", 300.0, 270.0, "P1"),
        ("金桥", None, True, "D", 50.0, 5.0, "P4"),  # no owner: unassigned
    ]
)
RECEIVABLES = receivables(
    [("李娜", 400.0, 300.0), ("王伟", 200.0, 200.0), ("", 100.0, 0.0), ("王伟", 0.0, 0.0)]
)
MONTHLY = monthly([("王伟", 1.0), ("王伟; 李娜", 0.5), ("李娜", np.nan), ("张强", 1.2)])


def test_hand_computed(settings):
    table = by_owner(CUSTOMERS, RECEIVABLES, MONTHLY, None, settings)
    assert list(table.columns) == OWNER_COLUMNS
    # first seen: receivables (李娜, 王伟, blank), customers, the monthly plan (张强); unassigned last
    assert table["owner"].tolist() == ["李娜", "王伟", "张强", "未指定"]
    rows = table.set_index("owner")
    assert rows.loc["李娜", ["collections_plan", "collections_actual"]].tolist() == [400.0, 300.0]
    assert rows.loc["李娜", "collections_rate"] == pytest.approx(0.75)
    assert rows.loc["王伟", "collections_rate"] == 1.0
    assert rows.loc["张强", ["collections_plan", "collections_actual"]].tolist() == [0.0, 0.0]
    assert pd.isna(rows.loc["张强", "collections_rate"])  # nothing planned: unknown, not 0
    assert rows.loc["未指定", "collections_plan"] == 100.0 and rows.loc["未指定", "collections_rate"] == 0.0
    assert rows.loc["王伟", ["pipeline", "weighted_pipeline"]].tolist() == [800.0, 570.0]
    assert rows.loc["李娜", ["pipeline", "weighted_pipeline"]].tolist() == [300.0, 270.0]
    assert rows.loc["未指定", ["pipeline", "weighted_pipeline"]].tolist() == [50.0, 5.0]
    assert rows["p1_customers"].tolist() == [1, 1, 0, 0]
    # 王伟: (1.0 + 0.5) / 2; 李娜: the shared 0.5 (her blank attainment is not judged); 张强 1.2
    assert rows.loc["王伟", "plan_attainment"] == pytest.approx(0.75)
    assert rows.loc["李娜", "plan_attainment"] == pytest.approx(0.5)
    assert rows.loc["张强", "plan_attainment"] == pytest.approx(1.2)
    assert pd.isna(rows.loc["未指定", "plan_attainment"])
    assert rows["hours"].isna().all()  # no time form


def test_the_rows_add_up_to_the_region(settings):
    table = by_owner(CUSTOMERS, RECEIVABLES, MONTHLY, None, settings)
    totals = region_totals(CUSTOMERS, RECEIVABLES)
    assert totals == {
        "collections_plan": 700.0,
        "collections_actual": 500.0,
        "pipeline": 1150.0,
        "weighted_pipeline": 845.0,
    }
    for column, total in totals.items():
        assert table[column].sum() == pytest.approx(total)


@pytest.mark.parametrize(
    ("forms", "blank"),
    [
        ({"customers"}, ["collections_plan", "collections_actual", "collections_rate", "plan_attainment"]),
        ({"receivables"}, ["pipeline", "weighted_pipeline", "p1_customers", "plan_attainment"]),
        ({"monthly"}, ["collections_plan", "pipeline", "weighted_pipeline", "p1_customers"]),
    ],
)
def test_a_form_the_workbook_lacks_leaves_its_figures_blank(settings, forms, blank):
    table = by_owner(
        CUSTOMERS if "customers" in forms else None,
        RECEIVABLES if "receivables" in forms else None,
        MONTHLY if "monthly" in forms else None,
        None,
        settings,
    )
    assert table[blank].isna().all().all()


def test_no_form_no_table(settings):
    assert by_owner(None, None, None, None, settings) is None


def test_hours_where_the_time_form_names_owners(settings):
    entries = pd.DataFrame({"owner": ["王伟", None, "王伟"], "hours": [2.0, 1.5, "3"]})
    table = by_owner(None, RECEIVABLES, None, entries, settings).set_index("owner")
    assert table.loc["王伟", "hours"] == 5.0 and table.loc["未指定", "hours"] == 1.5
    assert pd.isna(table.loc["李娜", "hours"])  # logged no time: blank, not 0 hours spent
    without = by_owner(None, RECEIVABLES, None, entries.drop(columns="owner"), settings)
    assert without["hours"].isna().all()


def test_english_label_for_the_unassigned_row(settings_en):
    table = by_owner(None, receivables([(None, 1.0, 1.0)]), None, None, settings_en)
    assert table["owner"].tolist() == ["unassigned"] and table.attrs["unassigned"] == "unassigned"


@pytest.mark.parametrize(
    ("written", "key"),
    [("王伟", "王伟"), (" 王伟\u3000", "王伟"), ("", None), ("   ", None), (None, None), (np.nan, None)],
)
def test_owner_keys(written, key):
    found = owner_keys(pd.Series([written], dtype=object)).item()
    assert (found == key) if key else found.startswith("\0")


names = st.sampled_from(["王伟", "李娜", " 王伟", "", None, "张强"])
money = st.integers(0, 10**6).map(float)


@pytest.mark.slow
@hsettings(max_examples=80, deadline=None)
@given(
    st.lists(st.tuples(names, money, money), max_size=8),
    st.lists(
        st.tuples(names, st.booleans(), st.sampled_from(["A", "B", "C", "D", None]), money, money), max_size=8
    ),
)
def test_owners_add_up_to_the_region_whatever_the_owners(receivable_rows, opportunity_rows):
    from kamxl.config import load_settings

    settings = load_settings()
    rec = receivables(receivable_rows)
    opps = opportunities(
        [
            (f"c{i}", owner, open_, cls, amount, weighted, "P1")
            for i, (owner, open_, cls, amount, weighted) in enumerate(opportunity_rows)
        ]
    )
    table = by_owner(opps, rec, None, None, settings)
    if table is None:
        assert not receivable_rows and not opportunity_rows
        return
    for column, total in region_totals(opps, rec).items():
        assert table[column].sum() == pytest.approx(total)
    assert table["owner"].is_unique
    assert table["p1_customers"].sum() == len(opps)  # every customer is P1, and has one owner


LOG = pd.DataFrame({"sheet": ["日志", "日志", "待办"], "hours": [2.0, 3.0, 1.0]})


@pytest.mark.parametrize(
    ("titles", "owners"),
    [
        ({"日志": "工作日志 — 王伟 2026年3月", "待办": "待办单"}, ["王伟", "王伟", None]),
        (
            {"日志": "工作日志 — 王伟、李娜", "待办": "李娜的待办单"},
            [None, None, "李娜"],
        ),  # two named: neither
        ({"日志": "工作日志", "待办": None}, None),  # no title names an owner: no owner column
        ({"日志": "工作日志 — 赵六"}, None),  # a name no form knows
    ],
)
def test_a_time_form_titled_with_one_owner_is_that_owners(titles, owners):
    found = with_titled_owner(LOG, titles, ["王伟", "李娜", "张强"])
    if owners is None:
        assert "owner" not in found.columns
    else:
        assert [None if pd.isna(owner) else owner for owner in found["owner"]] == owners


def test_a_time_form_with_an_owner_column_keeps_it():
    entries = LOG.assign(owner=["张强", None, "张强"])
    assert with_titled_owner(entries, {"日志": "工作日志 — 王伟"}, ["王伟"]) is entries


def test_the_samples_work_log_is_wang_weis(settings):
    """east-2026-03's work log is titled 工作日志 — 王伟 2026年3月: its 26.5 hours (by hand: the log's
    rows) are 王伟's; 李娜 and 张强 logged none, so theirs are blank."""
    import datetime as dt

    from kamxl.read import read_workbook
    from kamxl.results import build_results
    from tests.conftest import SAMPLES

    results = build_results(
        read_workbook(SAMPLES / "east-2026-03.xlsx", settings), settings, dt.date(2026, 3, 31)
    )
    hours = results.owners.set_index("owner")["hours"]
    assert hours["王伟"] == 26.5 and hours[["李娜", "张强"]].isna().all()
    assert results.owners.attrs["titled_hours"] == ["王伟"]
