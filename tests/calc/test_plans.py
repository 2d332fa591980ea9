"""docs/method.md §7: weekly/monthly attainment, weeks adding up to the month, a goal's four properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kamxl.calc.cells import CellMap
from kamxl.calc.plans import (
    GOAL_COLUMNS,
    attainment,
    core_name,
    failed_checks,
    first_number,
    goal_rows,
    lint_goals,
    month_indicators,
    month_target,
    monthly_review,
    weekly_review,
)


def weekly(rows):
    return pd.DataFrame(
        [
            {
                "sheet": "周",
                "row": 4 + i,
                "week": w,
                "goal": g,
                "weekly_target": t,
                "weekly_target_unit": "",
                "actual": a,
                "actual_unit": "",
                "monthly_item": item,
                "owner": "王伟",
                "unit": None,
                "notes": None,
            }
            for i, (w, g, t, a, item) in enumerate(rows)
        ]
    )


def monthly(rows):
    return pd.DataFrame(
        [
            {
                "sheet": "月",
                "row": 4 + i,
                "indicator": name,
                "category": None,
                "target": t,
                "target_unit": "",
                "actual": a,
                "actual_unit": "",
                "owner": owner,
                "unit": unit,
                "next_focus": None,
                "notes": None,
                "last_actual": last,
                "last_actual_unit": "",
            }
            for i, (name, t, a, owner, unit, last) in enumerate(rows)
        ]
    )


def test_attainment_higher_and_lower_is_better():
    got = attainment(
        pd.Series([100.0, 0.12, 10.0, 0.0]),
        pd.Series([80.0, 0.10, np.nan, 5.0]),
        pd.Series([False, True, False, False]),
    )
    assert (
        got.iloc[0] == 0.8
        and got.iloc[1] == pytest.approx(1.2)
        and np.isnan(got.iloc[2])
        and np.isnan(got.iloc[3])
    )


def test_weeks_add_up_to_the_month_target(settings):
    w = weekly(
        [
            (1, "拜访重点客户", 5.0, 5.0, "重点客户拜访 20 家"),
            (2, "拜访重点客户", 5.0, 4.0, "重点客户拜访 20 家"),
            (1, "回款(万元)", 25.0, 28.0, "回款 120 万"),
            (2, "回款(万元)", 25.0, 20.0, "回款 120 万"),
            (3, "回款(万元)", 25.0, np.nan, "回款 120 万"),
            (4, "回款(万元)", 25.0, np.nan, "回款 120 万"),
            (1, "新增商机", 2.0, 3.0, None),
        ]
    )
    m = monthly(
        [("重点客户拜访(家)", 10.0, 9.0, "王伟", None, None), ("回款(万元)", 120.0, 48.0, "王伟", None, None)]
    )
    rows, goals, issues = weekly_review(w, m, settings, CellMap({"周": {"weekly_target": "C"}}))
    g = goals.set_index("goal")
    # visits: 5 + 5 = 10 = the monthly form's target of 10; 回款: 4 × 25 = 100 < 120 → short
    assert g.loc["拜访重点客户", "month_target"] == 10.0 and not g.loc["拜访重点客户", "short"]
    assert g.loc["回款(万元)", "weeks_target"] == 100.0 and g.loc["回款(万元)", "short"]
    assert np.isnan(g.loc["新增商机", "month_target"])  # no monthly item: nothing to compare
    assert [(i.code, i.cell) for i in issues] == [("weeks_short", "C6")]
    assert rows["behind"].tolist() == [False, True, False, True, False, False, False]


def test_month_target_from_the_item_text_without_a_monthly_form(settings):
    w = weekly([(1, "新增商机", 2.0, 2.0, "新增商机 8 个"), (2, "新增商机", 2.0, 2.0, "新增商机 8 个")])
    _, goals, issues = weekly_review(w, None, settings)
    assert goals["month_target"].item() == 8.0 and goals["short"].item() and len(issues) == 1


def test_monthly_attainment_and_behind(settings):
    m = monthly_review(
        monthly(
            [
                ("销售额(万元)", 60.0, 63.5, "王伟", None, 55.0),
                ("费用率", 0.12, 0.115, "李娜", None, 0.125),
                ("回款(万元)", 120.0, 111.0, "王伟", None, 118.0),
            ]
        ),
        settings,
    )
    assert m["lower_is_better"].tolist() == [False, True, False]
    assert m["attainment"].tolist() == pytest.approx([63.5 / 60, 0.12 / 0.115, 111 / 120])
    assert m["behind"].tolist() == [False, False, True]


@pytest.mark.parametrize(
    "name, target, unit, owner, last, fails",
    [
        ("销售额(万元)", 60.0, None, "王伟", 55.0, []),
        ("拜访客户", 20.0, "家", "王伟", None, []),
        ("拜访客户", 20.0, None, "王伟", None, ["specific"]),  # no unit, not a rate
        ("费用率", 0.12, None, "李娜", 0.125, []),  # a rate needs no unit; lower is better
        ("华信二期签约", np.nan, "项", "王伟", None, ["measurable"]),
        ("周报按时率", 1.0, None, "王伟; 李娜", 0.95, ["individual"]),
        ("团队培训(次)", 2.0, None, None, None, ["individual"]),
        ("新增商机(个)", 15.0, None, "张强", 10.0, []),  # +50 % exactly is still realistic
        ("新增商机(个)", 15.1, None, "张强", 10.0, ["realistic"]),
        ("费用率", 0.05, None, "李娜", 0.125, ["realistic"]),  # a cost cut by more than half
    ],
)
def test_goal_lint(settings, name, target, unit, owner, last, fails):
    goals = goal_rows(None, monthly([(name, target, None, owner, unit, last)]), settings)
    assert lint_goals(goals, settings)["fails"].item() == fails


@pytest.mark.parametrize(
    "name, target, unit, owner, last, reasons",
    [
        ("销售额(万元)", 60.0, None, "王伟", 55.0, []),
        ("拜访重点客户", 20.0, None, "王伟", None, [("specific", "no_unit", {})]),
        ("华信二期签约", np.nan, "项", "王伟", None, [("measurable", "no_target", {})]),
        (
            "周报按时率",
            1.0,
            None,
            "王伟; 李娜",
            0.95,
            [("individual", "several_owners", {"owner": "王伟; 李娜"})],
        ),
        ("团队培训(次)", 2.0, None, None, None, [("individual", "no_owner", {"owner": None})]),
        # 15.1 against 10 × (1 + 50 %) = 15
        (
            "新增商机(个)",
            15.1,
            None,
            "张强",
            10.0,
            [("realistic", "too_high", {"target": "15.10", "last": "10", "limit": "15", "growth": "50.0%"})],
        ),
        # a cost: 0.05 against 0.125 × (1 − 50 %) = 0.0625
        (
            "费用率",
            0.05,
            None,
            "李娜",
            0.125,
            [
                (
                    "realistic",
                    "too_low",
                    {"target": "0.05", "last": "0.12", "limit": "0.06", "growth": "50.0%"},
                )
            ],
        ),
    ],
)
def test_each_failed_check_has_its_reason(settings, name, target, unit, owner, last, reasons):
    goals = goal_rows(None, monthly([(name, target, None, owner, unit, last)]), settings)
    assert lint_goals(goals, settings)["reasons"].item() == reasons


def test_realistic_is_unknown_without_last_period(settings):
    out = lint_goals(
        goal_rows(None, monthly([("回款(万元)", 120.0, None, "王伟", None, None)]), settings), settings
    )
    assert out["realistic"].item() is None


@pytest.mark.parametrize(
    "text, core",
    [("回款(万元)", "回款"), ("回款（万元）", "回款"), ("拜访【重点】客户", "拜访客户"), (None, "")],
)
def test_core_name(text, core):
    assert core_name(text) == core


@pytest.mark.parametrize(
    "text, number",
    [("回款 120 万", 120.0), ("1,200.5 元", 1200.5), ("-3 天", -3.0), ("没有", None), (None, None)],
)
def test_first_number(text, number):
    assert first_number(text) == number


INDICATORS = month_indicators(
    monthly(
        [("回款(万元)", 120.0, None, "王伟", None, None), ("重点客户回款", 50.0, None, "王伟", None, None)]
    )
)


def test_month_indicators_longest_name_first():
    assert [core for core, _ in INDICATORS] == ["重点客户回款", "回款"] and month_indicators(None) == []


@pytest.mark.parametrize(
    "item, goal, target",
    [
        ("重点客户回款 60 万", "x", 50.0),  # the most specific indicator the item names, not its own number
        ("回款任务", "x", 120.0),
        (None, "回款(万元)", 120.0),  # no item: the indicator with the goal's own name
        ("  ", "新增商机", None),
        ("新增商机 8 个", "新增商机", 8.0),  # no such indicator: the number in the item
    ],
)
def test_month_target(item, goal, target):
    assert month_target(item, goal, INDICATORS) == target


def test_failed_checks_none_is_not_a_failure():
    goals = pd.DataFrame(
        {
            "specific": [True, False],
            "measurable": [np.False_, True],
            "individual": [True, True],
            "realistic": [None, False],
        }
    )
    assert failed_checks(goals) == [["measurable"], ["specific", "realistic"]]
    assert failed_checks(goals.iloc[:0]) == []


def test_goal_rows_of_no_plan(settings):
    assert list(goal_rows(None, None, settings).columns) == GOAL_COLUMNS
