"""Month over month: movement, transitions, conversion, stuck, and where a snapshot is filed."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamxl.calc.snapshots import (
    conversion,
    find_region,
    movement,
    opportunity_key,
    region_of,
    stuck,
    stuck_share,
    transitions,
    trends,
)


def snap(*rows) -> pd.DataFrame:
    """(customer, class or None, status) rows as a snapshot's opportunities."""
    return pd.DataFrame(
        [
            {"key": opportunity_key(c, None), "customer": c, "project": None, "class": k, "status": s}
            for c, k, s in rows
        ],
        columns=["key", "customer", "project", "class", "status"],
    )


@pytest.mark.parametrize(
    "before, now, move",
    [
        (("甲", "D", "open"), ("甲", "C", "open"), "up"),
        (("甲", "B", "open"), ("甲", "A", "open"), "up"),
        (("甲", "A", "open"), ("甲", "C", "open"), "down"),
        (("甲", "C", "open"), ("甲", "C", "open"), "same"),
        (None, ("甲", "C", "open"), "new"),
        (("甲", "A", "open"), ("甲", "A", "won"), "won"),
        (("甲", "B", "open"), ("甲", "B", "lost"), "lost"),
        (("甲", "B", "open"), None, "dropped"),
        (None, ("甲", None, "won"), "won"),  # won before it was ever seen in the funnel
    ],
)
def test_moves(before, now, move):
    moves = movement(snap(*([before] if before else [])), snap(*([now] if now else [])))
    assert list(moves["move"]) == [move]


def test_results_of_last_time_are_not_movement():
    moves = movement(snap(("甲", "A", "won"), ("乙", "B", "lost")), snap(("甲", "A", "won")))
    assert moves.empty


def test_transitions_and_conversion_by_hand():
    prev = snap(
        ("a", "D", "open"),
        ("b", "D", "open"),
        ("c", "C", "open"),
        ("d", "B", "open"),
        ("e", "A", "open"),
        ("f", "A", "open"),
    )
    cur = snap(
        ("a", "C", "open"),
        ("b", "D", "open"),
        ("c", "A", "open"),
        ("d", "C", "open"),
        ("e", "A", "won"),
        ("g", "D", "open"),
    )
    moves = movement(prev, cur)
    assert transitions(moves) == {
        "A→dropped": 1,
        "A→won": 1,
        "B→C": 1,
        "C→A": 1,
        "D→C": 1,
        "D→D": 1,
        "new→D": 1,
    }
    # D→C: a reached C, b did not (1/2); C→B: c went beyond to A (1/1); B→A: d fell (0/1); A→won: e (1/2)
    assert conversion(moves) == {"D→C": 0.5, "C→B": 1.0, "B→A": 0.0, "A→won": 0.5}
    assert conversion(movement(snap(), cur)) == {"D→C": None, "C→B": None, "B→A": None, "A→won": None}


@pytest.mark.parametrize(
    "path, is_stuck",
    [
        (["C", "C", "C"], True),
        (["D", "D", "D"], True),
        (["C", "C", "D"], True),  # C or D each month, never up
        (["C", "D", "D"], True),
        (["C", "D", "C"], True),  # up once and back: no net progress toward A
        (["D", "C", "D"], True),
        (["D", "C", "C"], False),  # D → C over the window: progress
        (["D", "D", "C"], False),
        (["B", "C", "C"], False),  # was B three months ago
        (["C", "B", "C"], False),  # B inside the window: not C or D in each
        ([None, "C", "C"], False),  # not there three months ago
    ],
)
def test_stuck_rule(path, is_stuck):
    snaps = [snap(("甲", k, "open")) if k else snap() for k in path]
    found = stuck(snaps, 3)
    assert (list(found["customer"]) == ["甲"]) == is_stuck


def test_stuck_needs_enough_snapshots():
    assert stuck([snap(("甲", "C", "open"))] * 2, 3) is None
    assert stuck_share(None, {"C": 3}) is None
    assert stuck_share(pd.DataFrame({"key": ["x"]}), {"C": 1, "D": 1}) == 0.5
    assert stuck_share(pd.DataFrame({"key": []}), {"A": 9}) == 0.0


@pytest.mark.slow
@given(
    st.lists(
        st.tuples(
            st.sampled_from("abcdefgh"),
            st.sampled_from(["A", "B", "C", "D", None]),
            st.sampled_from(["open", "won", "lost"]),
        ),
        max_size=8,
        unique_by=lambda r: r[0],
    ),
    st.lists(
        st.tuples(
            st.sampled_from("abcdefgh"),
            st.sampled_from(["A", "B", "C", "D", None]),
            st.sampled_from(["open", "won", "lost"]),
        ),
        max_size=8,
        unique_by=lambda r: r[0],
    ),
)
def test_every_opportunity_moves_at_most_once(before, now):
    moves = movement(snap(*before), snap(*now))
    assert moves["key"].is_unique
    assert sum(transitions(moves).values()) == len(moves)
    # an opportunity in last time's funnel is always accounted for
    in_funnel = {c for c, k, s in before if k and s == "open"}
    assert in_funnel <= set(moves["customer"])


@pytest.mark.parametrize(
    "titles, region",
    [
        (["客户价值评估与商机 — 华东区 2026年1月"], "华东区"),
        (["区域市场活动协调计划表 — 华南大区 2026"], "华南大区"),
        (["地区经理行事月历(2026-03)", "预期损益表 — 西北分公司"], "西北分公司"),
        (["Receivables plan — East region 2026"], "East region"),
        (["地区经理日工作待办单"], None),
    ],
)
def test_region_from_titles(settings, titles, region):
    assert find_region(titles, settings) == region


def test_region_falls_back_in_order(settings):
    one_owner = pd.DataFrame({"owner": ["王伟", "王伟"]})
    assert region_of([], "plan", one_owner, settings) == "王伟"
    assert region_of([], "north-2026-04", None, settings) == "north"
    assert region_of(["华东区 2026年2月"], "x", one_owner, settings) == "华东区"
    assert region_of(["华东区"], "x", None, settings, region="华东一组") == "华东一组"


def test_trends_keep_the_rule_beside_the_grade():
    """A month's grade and the rule that decided it: 优 judged without history is told from 优 judged."""
    series = [
        (
            "2026-01",
            {
                "funnel_counts": {"A": 2, "B": 4, "C": 4, "D": 2},
                "open": 12,
                "health": "excellent",
                "health_rule": "no_history",
            },
        ),
        ("2026-03", {"funnel_counts": {"A": 4}, "open": 4, "health": "poor", "health_rule": "sparse"}),
        ("2026-04", {"collection_rate": 0.9}),  # a P&L alone: no funnel, no grade
    ]
    rows = trends(series).to_dict("records")
    assert [(row["health"], row["health_rule"]) for row in rows[:2]] == [
        ("excellent", "no_history"),
        ("poor", "sparse"),
    ]
    assert pd.isna(rows[2]["health"]) and pd.isna(rows[2]["health_rule"])
