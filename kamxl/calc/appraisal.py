"""Staff appraisal (METHOD §9): attainment, scores, weighted total, grade, ability × willingness."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamxl.calc.cells import CellMap, pct
from kamxl.config import Settings
from kamxl.issues import Issue

QUADRANT_ACTIONS = {
    (True, True): "delegate",
    (True, False): "motivate",
    (False, True): "train",
    (False, False): "direct",
}
EMPLOYEE_FIELDS = ("employee_id", "department", "period", "personality", "drive", "ability", "willingness")


def score_indicators(rows: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Per indicator: attainment (capped), score and weighted score."""
    out = rows.copy()
    cap = settings.get("appraisal.cap")
    target = pd.to_numeric(out["target"], errors="coerce").astype(float)
    actual = pd.to_numeric(out["actual"], errors="coerce").astype(float)
    weight = pd.to_numeric(out["weight"], errors="coerce").astype(float)
    lower = out["direction"].eq("lower") if "direction" in out else pd.Series(False, index=out.index)
    up = actual.fillna(0.0) / target.where(target != 0)
    # less is better: target / actual; an actual of 0 is as good as it gets
    down = pd.Series(
        np.where(actual.isna(), 0.0, np.where(actual == 0, cap, target / actual.where(actual != 0))),
        index=out.index,
    )
    down = down.where(target.notna() & (target != 0))
    raw = pd.Series(np.where(lower, down, up), index=out.index).astype(float)
    out["attainment"] = raw.clip(upper=cap)
    out["score"] = out["attainment"] * 100.0
    out["weighted_score"] = out["score"] * weight
    return out


def grade_of(total: float | None, settings: Settings) -> str | None:
    if total is None or total != total:
        return None
    for grade, floor in sorted(settings.get("appraisal.grades").items(), key=lambda kv: -kv[1]):
        if total >= floor:
            return grade
    return "E"


def quadrant_of(ability, willingness, settings: Settings) -> str | None:
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
    tolerance = settings.get("appraisal.weight_tolerance")
    issues: list[Issue] = []
    people = []
    key = scored["employee_id"].fillna("").astype(str) + "\x00" + scored["employee"].astype(str)
    for _, part in scored.groupby(key, sort=False):
        first = part.iloc[0]
        rec = {
            "employee": first["employee"],
            "sheet": first["sheet"],
            "row": int(first["row"]),
            "indicators": int(len(part)),
        }
        for f in EMPLOYEE_FIELDS:
            vals = part[f].dropna() if f in part else pd.Series(dtype=object)
            rec[f] = vals.iloc[0] if len(vals) else None
        # willingness: the 意愿 score, else the 动力 (drive) factor
        rec["will"] = rec["willingness"] if rec["willingness"] is not None else rec["drive"]
        errors = []
        weights = pd.to_numeric(part["weight"], errors="coerce")
        total_w = float(weights.sum())
        if weights.isna().any() or abs(total_w - 1.0) > tolerance:
            errors.append(
                settings.issue(
                    "appraisal_weights",
                    first["sheet"],
                    cells.cell(first["sheet"], "weight", first["row"]),
                    employee=first["employee"],
                    total=pct(total_w),
                )
            )
        no_target = part[pd.to_numeric(part["target"], errors="coerce").fillna(0) == 0]
        for r in no_target.to_dict("records"):
            errors.append(
                settings.issue(
                    "appraisal_no_target",
                    r["sheet"],
                    cells.cell(r["sheet"], "target", r["row"]),
                    employee=r["employee"],
                    indicator=r["indicator"],
                )
            )
        warnings = [
            settings.issue(
                "appraisal_no_actual",
                r["sheet"],
                cells.cell(r["sheet"], "actual", r["row"]),
                employee=r["employee"],
                indicator=r["indicator"],
            )
            for r in part[pd.to_numeric(part["actual"], errors="coerce").isna()].to_dict("records")
        ]
        issues += warnings + errors
        rec["issues"] = errors + warnings
        rec["weight_total"] = total_w
        rec["error"] = bool(errors)
        rec["weighted_score"] = None if errors else float(part["weighted_score"].sum())
        rec["grade"] = grade_of(rec["weighted_score"], settings)
        ability = _num(rec["ability"])
        rec["quadrant"] = quadrant_of(ability, _num(rec["will"]), settings)
        people.append(rec)
    return scored, pd.DataFrame(people), issues


def _num(v):
    try:
        return float(v) if v is not None else None
    except (TypeError, ValueError):
        return None
