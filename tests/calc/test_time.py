"""docs/method.md §3 and §7: the time-management matrix and time per priority group against 60/30/10."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kamxl.calc.time import match_customers, time_by_group, time_matrix


def todo(rows):
    return pd.DataFrame(
        [
            {
                "sheet": "待办",
                "row": 5 + i,
                "date": None,
                "category": c,
                "task": t,
                "related": rel,
                "hours": h,
                "status": s,
            }
            for i, (c, t, rel, h, s) in enumerate(rows)
        ]
    )


def test_hours_share_m2_and_completion(settings):
    t = todo(
        [
            ("M1", "投诉", "万星", 1.5, 1.0),
            ("M2", "方案", "泰岳", 2.0, 1.0),
            ("M2", "拜访", "朗通", 2.5, 0.5),
            ("M3", "报销", None, 1.0, 0.0),
            ("M4", "邮件", None, np.nan, None),
        ]
    )
    q, summary, issues = time_matrix(t, settings)
    q = q.set_index("quadrant")
    assert q["hours"].to_dict() == {"M1": 1.5, "M2": 4.5, "M3": 1.0, "M4": 0.0}
    assert summary["hours"] == 7.0 and summary["m2_share"] == pytest.approx(4.5 / 7)
    # completion: (1 + 1 + 0.5 + 0) / 4 rated tasks; the unrated one does not count
    assert summary["completion_rate"] == pytest.approx(0.625)
    assert q.at["M4", "tasks"] == 1 and [i.code for i in issues] == ["no_hours"]


@pytest.mark.parametrize(
    "text, name",
    [
        ("拜访朗通,沟通二期需求", "朗通"),
        ("朗通", "朗通"),
        ("拜訪朗通", "朗通"),
        ("部门周报", None),
        (None, None),
        ("华信大厦华信银行", "华信银行"),
    ],
)
def test_match_customers_longest_name_wins(text, name):
    names = pd.Series(["朗通", "华信", "华信银行"])
    assert match_customers(pd.Series([text], dtype=object), names).item() == name


def test_time_per_group_against_the_guideline(settings):
    opps = pd.DataFrame(
        {
            "customer": ["朗通", "泰岳", "万星", "瑞丰", "朗通"],
            "group": ["key", "ordinary", "prospects", None, "ordinary"],
        }
    )
    entries = pd.DataFrame(
        {"text": ["朗通", "泰岳方案", "万星", "部门会", "朗通"], "hours": [3.0, 2.0, 1.0, 4.0, 2.0]}
    )
    g = time_by_group(entries, opps, settings).set_index("group")
    # 朗通 counts once, in its best group (key); 部门会 is no customer's time
    assert g["customers"].to_dict() == {"key": 1, "ordinary": 1, "prospects": 1}
    assert g["hours"].to_dict() == {"key": 5.0, "ordinary": 2.0, "prospects": 1.0}
    assert g.at["key", "time_share"] == pytest.approx(5 / 8) and g.at["key", "guideline_time"] == 0.6
    assert g.at["prospects", "time_gap"] == pytest.approx(1 / 8 - 0.1)


# -- the days the shares are based on (docs/method.md §7.3, time.min_days = 5) --------------------------
@pytest.mark.parametrize(
    ("days", "indicative"),
    [(0, True), (1, True), (4, True), (5, False), (20, False)],  # 5 days, exactly the setting: enough
)
def test_shares_from_fewer_than_min_days_are_indicative(settings, days, indicative):
    from kamxl.calc.time import is_indicative

    assert is_indicative(days, settings) is indicative


@pytest.mark.parametrize(
    ("dates", "days"),
    [
        (["2026-03-03", "2026-03-02", "2026-03-03"], ["2026-03-02", "2026-03-03"]),  # distinct, in order
        (["2026-03-02", None, "not a date"], ["2026-03-02"]),  # what is not a date is no day
        ([None, None], []),
    ],
)
def test_todo_days_are_the_distinct_dates_in_order(dates, days):
    import datetime as dt

    from kamxl.calc.time import todo_days

    todo = pd.DataFrame({"date": dates, "hours": [1.0] * len(dates)})
    assert todo_days(todo) == [dt.date.fromisoformat(day) for day in days]
    assert todo_days(todo.drop(columns="date")) == []
