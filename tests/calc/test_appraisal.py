"""docs/method.md §9: attainment capped, scores, weighted total, grades, ability × willingness.

And errors per employee: one employee's bad weights or missing target cost only them their total.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kamxl.calc.appraisal import appraise, grade_of, quadrant_of
from kamxl.calc.cells import CellMap


def rows(data):
    """data: (employee, indicator, target, actual, weight, direction, ability, willingness)."""
    return pd.DataFrame(
        [
            {
                "sheet": "考核",
                "row": 2 + i,
                "employee": e,
                "employee_id": None,
                "department": "华东",
                "period": "2026Q1",
                "indicator": ind,
                "indicator_class": "financial",
                "target": t,
                "actual": a,
                "weight": w,
                "direction": d,
                "personality": None,
                "drive": None,
                "ability": ab,
                "willingness": wi,
            }
            for i, (e, ind, t, a, w, d, ab, wi) in enumerate(data)
        ]
    )


def test_hand_computed_employee(settings):
    df = rows(
        [
            ("王伟", "销售额", 100.0, 130.0, 0.4, None, 4.0, 3.0),  # 1.3 capped at 1.2 → 120 × 0.4 = 48
            ("王伟", "回款", 100.0, 90.0, 0.3, None, None, None),  # 90 × 0.3 = 27
            ("王伟", "费用", 50.0, 40.0, 0.2, "lower", None, None),  # 50/40 = 1.25 → 1.2 → 120 × 0.2 = 24
            ("王伟", "逾期", 10.0, 20.0, 0.1, "lower", None, None),
        ]
    )  # 10/20 = 0.5 → 50 × 0.1 = 5
    indicators, people, issues = appraise(df, settings)
    assert indicators["score"].tolist() == pytest.approx([120.0, 90.0, 120.0, 50.0])
    p = people.iloc[0]
    assert p["weighted_score"] == pytest.approx(104.0) and p["grade"] == "A" and p["quadrant"] == "delegate"
    assert issues == []


@pytest.mark.parametrize(
    "total, grade",
    [
        (90.0, "A"),
        (89.99, "B"),
        (80.0, "B"),
        (70.0, "C"),
        (69.9, "D"),
        (60.0, "D"),
        (59.99, "E"),
        (None, None),
    ],
)
def test_grade_boundaries(settings, total, grade):
    assert grade_of(total, settings) == grade


@pytest.mark.parametrize(
    "ability, will, action",
    [
        (3.0, 3.0, "delegate"),
        (3.0, 2.9, "motivate"),
        (2.9, 3.0, "train"),
        (1.0, 1.0, "direct"),
        (None, 3.0, None),
    ],
)
def test_ability_willingness_quadrants(settings, ability, will, action):
    assert quadrant_of(ability, will, settings) == action


def test_willingness_falls_back_to_drive(settings):
    df = rows([("李娜", "销售额", 100.0, 100.0, 1.0, None, 2.0, None)]).assign(drive=4.0)
    _, people, _ = appraise(df, settings)
    assert people["quadrant"].item() == "train"


def test_bad_weights_or_missing_target_fail_only_that_employee(settings):
    df = rows(
        [
            ("王伟", "销售额", 100.0, 100.0, 0.5, None, None, None),
            ("王伟", "回款", 100.0, 100.0, 0.4, None, None, None),
            ("李娜", "销售额", np.nan, 100.0, 1.0, None, None, None),
            ("张强", "销售额", 100.0, 80.0, 0.6, None, None, None),
            ("张强", "回款", 100.0, np.nan, 0.4, None, None, None),
        ]
    )
    _, people, issues = appraise(
        df, settings, CellMap({"考核": {"weight": "I", "target": "G", "actual": "H"}})
    )
    p = people.set_index("employee")
    assert (
        pd.isna(p.loc["王伟", "weighted_score"])
        and pd.isna(p.loc["李娜", "grade"])
        and p.loc["王伟", "error"]
    )
    assert (
        p.loc["张强", "weighted_score"] == pytest.approx(48.0) and p.loc["张强", "grade"] == "E"
    )  # missing actual scores 0
    assert [(i.code, i.severity, i.cell) for i in issues] == [
        ("appraisal_weights", "error", "I2"),
        ("appraisal_no_target", "error", "G4"),
        ("appraisal_no_actual", "warning", "H6"),
    ]
