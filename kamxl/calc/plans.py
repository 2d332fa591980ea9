"""Weekly and monthly plans (docs/method.md §7): attainment, weeks adding up to the month, goal lint.

The course asks a manager to break the month's targets into weekly goals
and to write goals with four properties (目标的四个特性): specific,
measurable, individual and realistic. The review reads each goal's
attainment, checks that the weeks' targets reach the month's, and says which
of the four properties a goal lacks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from kamxl.calc.cells import CellMap
from kamxl.calc.frames import as_floats, divide, has_text, optional_column
from kamxl.calc.numbers import fmt, pct
from kamxl.config import Settings
from kamxl.issues import Issue
from kamxl.text import normalise_loose

CHECKS = ("specific", "measurable", "individual", "realistic")
GOAL_COLUMNS = ["form", "sheet", "row", "name", "target", "unit", "owner", "last_actual", "lower"]
_BRACKET = re.compile(r"[（(【\[]([^）)】\]]+)[）)】\]]")
_NUMBER = re.compile(r"[-+]?\d[\d,]*(?:\.\d+)?")

Reason = tuple[str, str, dict[str, object]]
"""Why a goal fails a check: (check, the reason's code, its figures) — the words are the writer's."""

MonthIndicator = tuple[str, float]
"""A monthly plan's indicator by its core name, and its target."""


def _has_word(text: object, words: Iterable[str]) -> bool:
    """True when the text contains any of the words, ignoring case."""
    if not isinstance(text, str):
        return False
    folded = text.casefold()
    return any(word.casefold() in folded for word in words)


def lower_is_better(names: pd.Series, settings: Settings) -> pd.Series:
    """True for goals whose name says less is better (costs, days overdue …, by ``goals.lower_is_better``)."""
    words = settings.get("goals.lower_is_better")
    return names.map(lambda name: _has_word(name, words))


def attainment(target: pd.Series, actual: pd.Series, lower: pd.Series | None = None) -> pd.Series:
    """actual / target; target / actual where less is better. NaN when either is unknown or 0."""
    target = as_floats(target)
    actual = as_floats(actual)
    more_is_better = divide(actual, target)
    if lower is None:
        return more_is_better
    less_is_better = divide(target, actual)
    return pd.Series(np.where(lower.astype(bool), less_is_better, more_is_better), index=target.index)


def core_name(text: object) -> str:
    """A goal's name without its unit in brackets: 回款(万元) → 回款."""
    return normalise_loose(_BRACKET.sub("", str(text))) if isinstance(text, str) else ""


def first_number(text: object) -> float | None:
    """The first number written in a text ("回款 120 万" → 120.0), or None."""
    found = _NUMBER.search(text) if isinstance(text, str) else None
    return float(found.group(0).replace(",", "")) if found else None


def weekly_review(
    weekly: pd.DataFrame, monthly: pd.DataFrame | None, settings: Settings, cells: CellMap | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, list[Issue]]:
    """(rows with attainment, goals with weeks vs month target, issues)."""
    cells = cells or CellMap()
    rows = weekly.copy()
    rows["lower_is_better"] = lower_is_better(rows["goal"], settings)
    rows["attainment"] = attainment(rows["weekly_target"], rows["actual"], rows["lower_is_better"])
    rows["behind"] = rows["attainment"] < 1.0
    goals = (
        rows.groupby(["sheet", "goal"], sort=False)
        .agg(
            row=("row", "first"),
            weeks=("week", "nunique"),
            weeks_target=("weekly_target", "sum"),
            actual=("actual", "sum"),
            monthly_item=("monthly_item", "first"),
        )
        .reset_index()
    )
    indicators = month_indicators(monthly)
    goals["month_target"] = [
        month_target(item, goal, indicators)
        for item, goal in zip(goals["monthly_item"], goals["goal"], strict=True)
    ]
    goals["short"] = goals["month_target"].notna() & (goals["weeks_target"] < goals["month_target"] - 1e-9)
    issues = [
        settings.issue(
            "weeks_short",
            goal["sheet"],
            cells.cell(goal["sheet"], "weekly_target", goal["row"]),
            goal=goal["goal"],
            weeks=fmt(goal["weeks_target"]),
            month=fmt(goal["month_target"]),
        )
        for goal in goals[goals["short"]].to_dict("records")
    ]
    return rows, goals, issues


def month_indicators(monthly: pd.DataFrame | None) -> list[MonthIndicator]:
    """The monthly plan's indicators (core name, target), longest name first so the most specific matches."""
    if monthly is None or monthly.empty:
        return []
    targets = pd.to_numeric(monthly["target"], errors="coerce")
    indicators = [
        (core_name(name), target)
        for name, target in zip(monthly["indicator"], targets, strict=True)
        if core_name(name)
    ]
    indicators.sort(key=lambda indicator: -len(indicator[0]))
    return indicators


def month_target(item: object, goal: object, indicators: list[MonthIndicator]) -> float | None:
    """The month target a weekly goal serves.

    The monthly indicator its 月计划项目 names (or that has the goal's own
    name) when it has a target; else a number written in the item itself.
    """
    named = item if isinstance(item, str) and item.strip() else None
    for core, target in indicators:
        if (
            core
            and ((named and core in normalise_loose(named)) or core == core_name(goal))
            and pd.notna(target)
        ):
            return float(target)
    return first_number(named)


def monthly_review(monthly: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """The monthly plan's rows with attainment (inverted where less is better) and a behind flag."""
    rows = monthly.copy()
    rows["lower_is_better"] = lower_is_better(rows["indicator"], settings)
    rows["attainment"] = attainment(rows["target"], rows["actual"], rows["lower_is_better"])
    rows["behind"] = rows["attainment"] < 1.0
    return rows


def lint_goals(goals: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """The four properties of a goal (目标的四个特性), True/False, or None when unknown.

    ``goals`` has name, target, unit (any unit written), owner and optionally
    last_actual and lower (less is better).
    """
    out = goals.copy()
    rate_words = settings.get("goals.rate_words")
    separators = settings.get("goals.owner_separators")
    growth = settings.get("goals.realistic_growth")
    target = as_floats(out["target"])
    bracket = out["name"].map(lambda name: isinstance(name, str) and bool(_BRACKET.search(name)))
    rate = out["name"].map(lambda name: _has_word(name, rate_words))
    out["specific"] = has_text(out["unit"]) | bracket | rate
    out["measurable"] = target.notna()
    # one person: an owner, and not several joined by a separator
    out["individual"] = out["owner"].map(
        lambda owner: (
            isinstance(owner, str)
            and bool(owner.strip())
            and not any(separator in owner for separator in separators)
        )
    )
    last = as_floats(optional_column(out, "last_actual", np.nan))
    lower = optional_column(out, "lower", False).astype(bool)
    ok_up = target <= last * (1.0 + growth)
    ok_down = target >= last * (1.0 - growth)
    realistic = pd.Series(np.where(lower, ok_down, ok_up), index=out.index, dtype=object)
    out["realistic"] = realistic.where(last.notna() & target.notna(), None)
    out["fails"] = failed_checks(out)
    out["reasons"] = [
        check_reasons(goal, fails, separators, growth)
        for goal, fails in zip(out.to_dict("records"), out["fails"], strict=True)
    ]
    return out


def check_reasons(
    goal: dict[str, object], fails: list[str], separators: Iterable[str], growth: float
) -> list[Reason]:
    """Why each failed check failed, by the check's own rule, so a ✗ is not left without a reason:
    specific — no unit (no unit column, none in brackets in the name, no rate word); measurable — no target
    number; individual — no owner, or several joined by a separator; realistic — the target is past the
    last actual by more than ``goals.realistic_growth`` (under it, where less is better)."""
    reasons: list[Reason] = []
    for check in fails:
        if check == "individual":
            owner = goal.get("owner")
            several = isinstance(owner, str) and any(separator in owner for separator in separators)
            reasons.append((check, "several_owners" if several else "no_owner", {"owner": owner}))
        elif check == "realistic":
            last, target = _as_float(goal.get("last_actual")), _as_float(goal.get("target"))
            lower = bool(goal.get("lower"))
            limit = last * (1.0 - growth if lower else 1.0 + growth)
            figures: dict[str, object] = {
                "target": fmt(target),
                "last": fmt(last),
                "limit": fmt(limit),
                "growth": pct(growth),
            }
            reasons.append((check, "too_low" if lower else "too_high", figures))
        else:
            reasons.append((check, {"specific": "no_unit", "measurable": "no_target"}[check], {}))
    return reasons


def _as_float(value: object) -> float:
    """A figure the checks judged (so a number): as a float."""
    return float(str(value).replace(",", ""))


def failed_checks(goals: pd.DataFrame) -> list[list[str]]:
    """Per goal, the checks it fails; None (not judged) is not a failure."""
    failed = {
        check: goals[check].map(lambda verdict: verdict is False or verdict is np.False_).tolist()
        for check in CHECKS
    }
    per_goal = zip(*failed.values(), strict=True)
    return [[check for check, bad in zip(CHECKS, flags, strict=True) if bad] for flags in per_goal]


def goal_rows(weekly: pd.DataFrame | None, monthly: pd.DataFrame | None, settings: Settings) -> pd.DataFrame:
    """Every goal of the weekly (once per goal) and monthly plans, in the shape lint_goals takes."""
    frames = []
    if monthly is not None and not monthly.empty:
        frames.append(_goals_of("monthly", monthly, "indicator", "target", monthly["last_actual"], settings))
    if weekly is not None and not weekly.empty:
        first = weekly.drop_duplicates(["sheet", "goal"])
        frames.append(_goals_of("weekly", first, "goal", "weekly_target", np.nan, settings))
    if not frames:
        return pd.DataFrame(columns=GOAL_COLUMNS)
    return pd.concat(frames, ignore_index=True)


def _goals_of(
    form: str, plan: pd.DataFrame, name: str, target: str, last_actual: object, settings: Settings
) -> pd.DataFrame:
    """One plan's goals: the unit is the unit column, else the one written beside the target or the actual."""
    unit = (
        plan["unit"]
        .fillna(plan[f"{target}_unit"].replace("", None))
        .fillna(plan["actual_unit"].replace("", None))
    )
    return pd.DataFrame(
        {
            "form": form,
            "sheet": plan["sheet"],
            "row": plan["row"],
            "name": plan[name],
            "target": plan[target],
            "unit": unit,
            "owner": plan["owner"],
            "last_actual": last_actual,
            "lower": lower_is_better(plan[name], settings),
        }
    )
