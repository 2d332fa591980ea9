"""Staff appraisal (docs/method.md §9): attainment, scores, weighted total, grade, ability × willingness.

The HR export lists each employee's indicators with a target, an actual and
a weight. The course scores each indicator by its attainment (capped, and
inverted where less is better), grades the weighted total, and reads the
employee's ability and willingness into a leadership style: delegate,
motivate, train or direct.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from kamxl.calc.cells import CellMap
from kamxl.calc.frames import as_floats, divide
from kamxl.calc.numbers import as_number, pct
from kamxl.config import Settings
from kamxl.issues import Issue

QUADRANT_ACTIONS = {
    (True, True): "delegate",
    (True, False): "motivate",
    (False, True): "train",
    (False, False): "direct",
}
EMPLOYEE_FIELDS = (
    "employee_id",
    "department",
    "position",
    "reviewer",
    "period",
    "personality",
    "drive",
    "ability",
    "willingness",
)


def score_indicators(rows: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Per indicator: attainment (capped), score and weighted score."""
    out = rows.copy()
    cap = settings.get("appraisal.cap")
    target = as_floats(out["target"])
    actual = as_floats(out["actual"])
    weight = as_floats(out["weight"])
    lower = out["direction"].eq("lower") if "direction" in out else pd.Series(False, index=out.index)
    more_is_better = divide(actual.fillna(0.0), target)
    # less is better: target / actual; an actual of 0 is as good as it gets
    less_is_better = pd.Series(
        np.where(actual.isna(), 0.0, np.where(actual == 0, cap, divide(target, actual))),
        index=out.index,
    )
    less_is_better = less_is_better.where(target.notna() & (target != 0))
    raw = pd.Series(np.where(lower, less_is_better, more_is_better), index=out.index).astype(float)
    out["attainment"] = raw.clip(upper=cap)
    out["score"] = out["attainment"] * 100.0
    out["weighted_score"] = out["score"] * weight
    return out


def grade_of(total: float | None, settings: Settings) -> str | None:
    """The grade whose floor the weighted total reaches, highest first; E below every floor."""
    if total is None or total != total:
        return None
    floors: dict[str, float] = settings.get("appraisal.grades")
    for grade, floor in sorted(floors.items(), key=lambda grade_floor: -grade_floor[1]):
        if total >= floor:
            return grade
    return "E"


def quadrant_of(ability: float | None, willingness: float | None, settings: Settings) -> str | None:
    """The leadership style for an ability × willingness pair (high at or above the threshold)."""
    if ability is None or willingness is None or ability != ability or willingness != willingness:
        return None
    high = settings.get("appraisal.high_threshold")
    return QUADRANT_ACTIONS[(ability >= high, willingness >= high)]


def appraise(
    rows: pd.DataFrame, settings: Settings, cells: CellMap | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, list[Issue]]:
    """(indicators scored, one row per employee, issues).

    An employee whose weights do not add up to 100%, or who lacks a target,
    gets an error and no total; the others proceed.
    """
    cells = cells or CellMap()
    scored = score_indicators(rows, settings)
    issues: list[Issue] = []
    people = []
    # an employee: the ID when the export has one, and the name
    key = scored["employee_id"].fillna("").astype(str) + "\x00" + scored["employee"].astype(str)
    for _, indicators in scored.groupby(key, sort=False):
        errors = employee_errors(indicators, settings, cells)
        warnings = no_actual_warnings(indicators, settings, cells)
        issues += warnings + errors
        people.append(employee_record(indicators, errors, warnings, settings))
    return scored, pd.DataFrame(people), issues


def employee_record(
    indicators: pd.DataFrame, errors: list[Issue], warnings: list[Issue], settings: Settings
) -> dict[str, Any]:
    """One employee's row: who, their fields, their issues, weighted score, grade and quadrant."""
    first = indicators.iloc[0]
    record: dict[str, Any] = {
        "employee": first["employee"],
        "sheet": first["sheet"],
        "row": int(first["row"]),
        "indicators": int(len(indicators)),
    }
    for name in EMPLOYEE_FIELDS:
        values = indicators[name].dropna() if name in indicators else pd.Series(dtype=object)
        record[name] = values.iloc[0] if len(values) else None
    # willingness: the 意愿 score, else the 动力 (drive) factor
    record["will"] = record["willingness"] if record["willingness"] is not None else record["drive"]
    record["issues"] = errors + warnings
    record["weight_total"] = float(pd.to_numeric(indicators["weight"], errors="coerce").sum())
    record["error"] = bool(errors)
    record["weighted_score"] = None if errors else float(indicators["weighted_score"].sum())
    record["grade"] = grade_of(record["weighted_score"], settings)
    record["quadrant"] = quadrant_of(as_number(record["ability"]), as_number(record["will"]), settings)
    return record


def employee_errors(indicators: pd.DataFrame, settings: Settings, cells: CellMap) -> list[Issue]:
    """Weights that do not add up to 100% (or are missing), and indicators without a target."""
    first = indicators.iloc[0]
    errors: list[Issue] = []
    weights = pd.to_numeric(indicators["weight"], errors="coerce")
    total_weight = float(weights.sum())
    if weights.isna().any() or abs(total_weight - 1.0) > settings.get("appraisal.weight_tolerance"):
        errors.append(
            settings.issue(
                "appraisal_weights",
                first["sheet"],
                cells.cell(first["sheet"], "weight", first["row"]),
                employee=first["employee"],
                total=pct(total_weight),
            )
        )
    no_target = indicators[pd.to_numeric(indicators["target"], errors="coerce").fillna(0) == 0]
    return errors + _indicator_issues("appraisal_no_target", "target", no_target, settings, cells)


def no_actual_warnings(indicators: pd.DataFrame, settings: Settings, cells: CellMap) -> list[Issue]:
    """Indicators without an actual: they score 0, which the reviewer should know."""
    no_actual = indicators[pd.to_numeric(indicators["actual"], errors="coerce").isna()]
    return _indicator_issues("appraisal_no_actual", "actual", no_actual, settings, cells)


def _indicator_issues(
    code: str, field: str, indicators: pd.DataFrame, settings: Settings, cells: CellMap
) -> list[Issue]:
    """One ``code`` issue per indicator row, at its ``field`` cell."""
    return [
        settings.issue(
            code,
            row["sheet"],
            cells.cell(row["sheet"], field, row["row"]),
            employee=row["employee"],
            indicator=row["indicator"],
        )
        for row in indicators.to_dict("records")
    ]
