"""Weekly and monthly plans (METHOD §7): attainment, weeks adding up to the month, goal lint."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from kamxl.calc.cells import CellMap, fmt
from kamxl.config import Settings
from kamxl.issues import Issue
from kamxl.text import normalise_loose

CHECKS = ("specific", "measurable", "individual", "realistic")
_BRACKET = re.compile(r"[（(【\[]([^）)】\]]+)[）)】\]]")
_NUMBER = re.compile(r"[-+]?\d[\d,]*(?:\.\d+)?")


def _has_word(text, words) -> bool:
    if not isinstance(text, str):
        return False
    t = text.casefold()
    return any(w.casefold() in t for w in words)


def lower_is_better(names: pd.Series, settings: Settings) -> pd.Series:
    words = settings.get("goals.lower_is_better")
    return names.map(lambda n: _has_word(n, words))


def attainment(target: pd.Series, actual: pd.Series, lower: pd.Series | None = None) -> pd.Series:
    """actual / target; target / actual where less is better. NaN when either is unknown or 0."""
    target = pd.to_numeric(target, errors="coerce").astype(float)
    actual = pd.to_numeric(actual, errors="coerce").astype(float)
    up = actual / target.where(target != 0)
    if lower is None:
        return up
    down = target / actual.where(actual != 0)
    return pd.Series(np.where(lower.astype(bool), down, up), index=target.index)


def core_name(text) -> str:
    """A goal's name without its unit in brackets: 回款(万元) → 回款."""
    return normalise_loose(_BRACKET.sub("", str(text))) if isinstance(text, str) else ""


def first_number(text) -> float | None:
    m = _NUMBER.search(text) if isinstance(text, str) else None
    return float(m.group(0).replace(",", "")) if m else None


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
    indicators = []
    if monthly is not None and not monthly.empty:
        indicators = [
            (core_name(i), t)
            for i, t in zip(monthly["indicator"], pd.to_numeric(monthly["target"], errors="coerce"))
            if core_name(i)
        ]
        indicators.sort(key=lambda kv: -len(kv[0]))

    def month_target(item, goal):
        item = item if isinstance(item, str) and item.strip() else None
        for core, target in indicators:
            if (
                core
                and ((item and core in normalise_loose(item)) or core == core_name(goal))
                and pd.notna(target)
            ):
                return float(target)
        return first_number(item)

    goals["month_target"] = [month_target(i, g) for i, g in zip(goals["monthly_item"], goals["goal"])]
    goals["short"] = goals["month_target"].notna() & (goals["weeks_target"] < goals["month_target"] - 1e-9)
    issues = [
        settings.issue(
            "weeks_short",
            g["sheet"],
            cells.cell(g["sheet"], "weekly_target", g["row"]),
            goal=g["goal"],
            weeks=fmt(g["weeks_target"]),
            month=fmt(g["month_target"]),
        )
        for g in goals[goals["short"]].to_dict("records")
    ]
    return rows, goals, issues


def monthly_review(monthly: pd.DataFrame, settings: Settings) -> pd.DataFrame:
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
    seps = settings.get("goals.owner_separators")
    growth = settings.get("goals.realistic_growth")
    target = pd.to_numeric(out["target"], errors="coerce").astype(float)
    has_unit = out["unit"].map(lambda u: isinstance(u, str) and bool(u.strip()))
    bracket = out["name"].map(lambda n: isinstance(n, str) and bool(_BRACKET.search(n)))
    rate = out["name"].map(lambda n: _has_word(n, rate_words))
    out["specific"] = has_unit | bracket | rate
    out["measurable"] = target.notna()
    out["individual"] = out["owner"].map(
        lambda o: isinstance(o, str) and bool(o.strip()) and not any(s in o for s in seps)
    )
    last = pd.to_numeric(out.get("last_actual", pd.Series(np.nan, index=out.index)), errors="coerce").astype(
        float
    )
    lower = out.get("lower", pd.Series(False, index=out.index)).astype(bool)
    ok_up = target <= last * (1.0 + growth)
    ok_down = target >= last * (1.0 - growth)
    realistic = pd.Series(np.where(lower, ok_down, ok_up), index=out.index, dtype=object)
    out["realistic"] = realistic.where(last.notna() & target.notna(), None)
    failed = {
        c: out[c].map(lambda v: v is False or v is np.False_).tolist() for c in CHECKS
    }  # None: not judged, not a failure
    out["fails"] = (
        [[c for c, bad in zip(CHECKS, flags) if bad] for flags in zip(*failed.values())] if len(out) else []
    )
    return out


def goal_rows(weekly: pd.DataFrame | None, monthly: pd.DataFrame | None, settings: Settings) -> pd.DataFrame:
    """Every goal of the weekly (once per goal) and monthly plans, in the shape lint_goals takes."""
    frames = []
    if monthly is not None and not monthly.empty:
        unit = (
            monthly["unit"]
            .fillna(monthly["target_unit"].replace("", None))
            .fillna(monthly["actual_unit"].replace("", None))
        )
        frames.append(
            pd.DataFrame(
                {
                    "form": "monthly",
                    "sheet": monthly["sheet"],
                    "row": monthly["row"],
                    "name": monthly["indicator"],
                    "target": monthly["target"],
                    "unit": unit,
                    "owner": monthly["owner"],
                    "last_actual": monthly["last_actual"],
                    "lower": lower_is_better(monthly["indicator"], settings),
                }
            )
        )
    if weekly is not None and not weekly.empty:
        first = weekly.drop_duplicates(["sheet", "goal"])
        unit = (
            first["unit"]
            .fillna(first["weekly_target_unit"].replace("", None))
            .fillna(first["actual_unit"].replace("", None))
        )
        frames.append(
            pd.DataFrame(
                {
                    "form": "weekly",
                    "sheet": first["sheet"],
                    "row": first["row"],
                    "name": first["goal"],
                    "target": first["weekly_target"],
                    "unit": unit,
                    "owner": first["owner"],
                    "last_actual": np.nan,
                    "lower": lower_is_better(first["goal"], settings),
                }
            )
        )
    if not frames:
        return pd.DataFrame(
            columns=["form", "sheet", "row", "name", "target", "unit", "owner", "last_actual", "lower"]
        )
    return pd.concat(frames, ignore_index=True)
