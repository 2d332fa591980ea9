"""report.json: the machine-readable results, as docs/report-json.md describes them.

A public contract: fields are only ever added, never renamed. Values are
language-neutral codes; only issue messages are in the chosen language. So
each section's fields are listed here, in the order the contract shows them.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kamxl import __version__
from kamxl.calc.contribution import Ranking
from kamxl.calc.months import has_years
from kamxl.calc.snapshots import OPPORTUNITY_COLUMNS
from kamxl.config import Settings
from kamxl.issues import Issue
from kamxl.results import Results
from kamxl.write.files import atomic_path
from kamxl.write.words import customers_behind

Json = dict[str, Any]

CUSTOMER_FIELDS = [
    "customer",
    "owner",
    "project",
    "attractiveness",
    "advantage",
    "tier",
    "order_size",
    "likelihood",
    "score",
    "class",
    "priority",
    "amount",
    "weighted_amount",
    "actions",
    # added beyond the first contract
    "status",
    "group",
    "expected_close",
    "overdue",
    "attractiveness_source",
    "advantage_source",
    "order_size_source",
    "likelihood_source",
    "sheet",
    "row",
]
RECEIVABLE_FIELDS = [
    "customer",
    "product",
    "owner",
    "total_owed",
    "plan",
    "actual",
    "plan_to_date",
    "actual_to_date",
    "rate_to_date",
    "balance",
    "plan_coverage",
    "behind",
    "due_date",
    "aging",
    "sheet",
    "row",
]
RECEIVABLE_MONTH_FIELDS = ["month", "plan", "actual", "cum_plan", "cum_actual", "rate", "cum_rate"]
PNL_LINE_FIELDS = ["month", "group", "line", "plan", "actual", "variance", "variance_pct", "favourable"]
QUADRANT_FIELDS = ("tasks", "hours", "share", "done")
WEEKLY_FIELDS = [
    "week",
    "goal",
    "weekly_target",
    "actual",
    "attainment",
    "behind",
    "monthly_item",
    "owner",
    "sheet",
    "row",
]
WEEKLY_GOAL_FIELDS = ["goal", "monthly_item", "weeks", "weeks_target", "month_target", "short", "actual"]
MONTHLY_FIELDS = [
    "indicator",
    "category",
    "target",
    "actual",
    "attainment",
    "behind",
    "lower_is_better",
    "owner",
    "sheet",
    "row",
]
GOAL_LINT_FIELDS = [
    "form",
    "name",
    "specific",
    "measurable",
    "individual",
    "realistic",
    "fails",
    "sheet",
    "row",
]
EVENT_FIELDS = ["date", "source", "text"]
EMPLOYEE_FIELDS = [
    "employee",
    "employee_id",
    "department",
    "period",
    "weighted_score",
    "grade",
    "quadrant",
    "personality",
    "drive",
    "ability",
    "willingness",
    "weight_total",
    "error",
    "indicators",
]
INDICATOR_FIELDS = [
    "employee",
    "employee_id",
    "indicator",
    "indicator_class",
    "target",
    "actual",
    "weight",
    "direction",
    "attainment",
    "score",
    "weighted_score",
]
MOVEMENT_FIELDS = ["customer", "project", "previous", "current", "move"]
STUCK_FIELDS = ["customer", "project", "classes"]
INDENT_ROWS = 5000  # a bigger report is written compact


def clean(value: Any) -> Any:
    """numpy/pandas scalars to JSON values; NaN/NA to null; dates to ISO text."""
    if isinstance(value, dict):
        return {str(key): clean(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(item) for item in value]
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        midnight = (value.hour, value.minute, value.second) == (0, 0, 0)
        return value.date().isoformat() if midnight else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, np.ndarray):
        return [clean(item) for item in value.tolist()]
    return value


def _column(series: pd.Series) -> list[Any]:
    """A column as JSON values: numeric columns converted at once, others cell by cell."""
    if pd.api.types.is_float_dtype(series.dtype) and not isinstance(series.dtype, pd.CategoricalDtype):
        values = series.to_numpy(dtype=float, na_value=np.nan)
        return [None if v != v or v in (math.inf, -math.inf) else v for v in values.tolist()]
    if pd.api.types.is_integer_dtype(series.dtype) and not series.hasnans:
        return list(series.astype("int64").tolist())
    if pd.api.types.is_bool_dtype(series.dtype) and not series.hasnans:
        return list(series.astype(bool).tolist())
    return [
        v if type(v) is str or v is None else clean(v) for v in series.tolist()
    ]  # text is most of a column


def _records(frame: pd.DataFrame, columns: list[str]) -> list[Json]:
    """The rows with the ``columns`` the frame has, in that order."""
    present = [name for name in columns if name in frame.columns]
    data = [_column(frame[name]) for name in present]
    if not present:
        return [{} for _ in range(len(frame))]
    return [dict(zip(present, row, strict=True)) for row in zip(*data, strict=True)]


def _all_records(frame: pd.DataFrame) -> list[Json]:
    return _records(frame, list(frame.columns))


def report_dict(results: Results, settings: Settings) -> Json:
    """The whole report.json of one workbook."""
    from kamxl.write.plan_forms_json import plan_forms_json  # it uses ``clean`` from here

    history = results.history
    return {
        "kamxl_version": __version__,
        "source": results.source.name,
        "as_of": results.as_of.isoformat(),
        "forms": {form: sheets[0] for form, sheets in results.forms.items()},
        "unused_sheets": results.unused_sheets,
        "customers": _records(results.customers, CUSTOMER_FIELDS) if results.customers is not None else None,
        "funnel": _funnel(results),
        "receivables": _receivables(results, settings),
        "pnl": _pnl(results),
        # sections added beyond the first contract
        "form_sheets": results.forms,
        "time_guideline": _all_records(results.groups) if results.groups is not None else None,
        "activities": clean(results.activities.summary) if results.activities is not None else None,
        "time": _time(results),
        "plans": _plans(results),
        "calendar": _calendar(results),
        "appraisal": _appraisal(results),
        "contribution": _contribution(results),
        "history": _history(results),
        "trends": _all_records(history["trends"]) if history else None,
        "plan_forms": plan_forms_json(results),
        "owners": _owners(results),
        "decisions": _decisions(results, settings),
        "issues": [settings.issue_dict(issue) for issue in results.issues],
    }


def _owners(results: Results) -> list[Json] | None:
    """By salesperson (docs/method.md §13): a row per owner; the unassigned row has owner null."""
    if results.owners is None:
        return None
    rows = _records(results.owners, list(results.owners.columns))
    unassigned = results.owners.attrs.get("unassigned")
    for row in rows:
        row["unassigned"] = row["owner"] == unassigned
        if row["unassigned"]:
            row["owner"] = None
    return rows


def _decisions(results: Results, settings: Settings) -> list[Json]:
    """The ranked decisions and risks (docs/method.md §14), every one: the summary shows the top few."""
    from kamxl.calc.decisions import decision_dict

    return [clean(decision_dict(item, rank, settings)) for rank, item in enumerate(results.decisions, 1)]


def _funnel(results: Results) -> Json | None:
    if results.funnel is None or results.health is None:
        return None
    funnel, (grade, rule) = results.funnel, results.health
    out: Json = clean(
        {
            "counts": funnel["count"].to_dict(),
            "amounts": funnel["amount"].to_dict(),
            "weighted_amounts": funnel["weighted"].to_dict(),
            "open": int(funnel["count"].sum()),
            "weighted_total": float(funnel["weighted"].sum()),
            "health": grade,
            "health_rule": rule,
        }
    )
    _movement(results, out)
    return out


def _receivables(results: Results, settings: Settings) -> Json | None:
    """The receivables' figures; ``behind`` the customers of late lines (kept for compatibility) and beside
    it ``behind_customers``, the customers behind on all their lines together (the workbook's and the
    summary's count: 朗通, late on one product, 96.7 % in all, is in the first and not the second)."""
    receivables = results.receivables
    if receivables is None:
        return None
    months = _records(receivables.by_month, RECEIVABLE_MONTH_FIELDS)
    rows = _records(receivables.rows, RECEIVABLE_FIELDS)
    aging = clean(receivables.aging["balance"].to_dict()) if receivables.aging is not None else None
    summary: Json = {}
    for key, value in clean(receivables.summary).items():
        summary[key] = value
        if key == "behind":
            summary["behind_customers"] = customers_behind(
                receivables.rows, settings.get("receivables.behind")
            )
    last = last_period(receivables.last_period, has_years(receivables.by_month))
    by_customer = receivables.aging_by_customer
    aging_customers = None if by_customer is None else _all_records(by_customer)
    return summary | {
        "last_period": last,
        "months": months,
        "rows": rows,
        "aging": aging,
        "aging_customers": aging_customers,
    }


def _pnl(results: Results) -> Json | None:
    if results.pnl is None:
        return None
    summary: Json = clean(results.pnl.summary)
    return summary | {
        "last_period": last_period(results.pnl.last_period, has_years(results.pnl.months)),
        "months": _all_records(results.pnl.months),
        "lines": _records(results.pnl.lines, PNL_LINE_FIELDS),
    }


def last_period(period: int | None, dated: bool) -> str | None:
    """The last month with an actual as "2026-03", beside ``last_month`` (its number alone, kept for
    readers of older reports): a rolling plan's 2026-03 comes after its 2025-11, 3 does not after 11.
    None when there is no actual, or when the months carry no year (``last_month`` then says it all)."""
    return None if period is None or not dated else f"{period // 12}-{period % 12 + 1:02d}"


def _time(results: Results) -> Json | None:
    if results.time is None:
        return None
    quadrants, summary = results.time
    by_quadrant = {
        row["quadrant"]: {key: row[key] for key in QUADRANT_FIELDS} for row in _all_records(quadrants)
    }
    cleaned: Json = clean(summary)
    return cleaned | {"quadrants": by_quadrant}


def _plans(results: Results) -> Json | None:
    if results.weekly is None and results.monthly is None:
        return None
    out: Json = {"weekly": None, "weekly_goals": None, "monthly": None}
    if results.weekly is not None:
        weeks, goals = results.weekly
        out["weekly"] = _records(weeks, WEEKLY_FIELDS)
        out["weekly_goals"] = _records(goals, WEEKLY_GOAL_FIELDS)
    if results.monthly is not None:
        out["monthly"] = _records(results.monthly, MONTHLY_FIELDS)
    out["goal_lint"] = _records(results.goals, GOAL_LINT_FIELDS) if results.goals is not None else []
    return out


def _calendar(results: Results) -> Json | None:
    calendar = results.calendar
    if calendar is None:
        return None
    out: Json = clean(
        {
            "year": calendar["year"],
            "month": calendar["month"],
            "key_events": calendar["key_events"],
            "notes": calendar["notes"],
            "events": _records(calendar["events"], EVENT_FIELDS),
        }
    )
    return out


def _appraisal(results: Results) -> Json | None:
    if results.appraisal is None:
        return None
    indicators, employees = results.appraisal
    return {
        "employees": _records(employees, EMPLOYEE_FIELDS),
        "indicators": _records(indicators, INDICATOR_FIELDS),
    }


def unreadable_report(path: Path, as_of: dt.date, issues: list[Issue], settings: Settings) -> Json:
    """The report of a file that could not be read at all: no forms, the error."""
    return {
        "kamxl_version": __version__,
        "source": path.name,
        "as_of": as_of.isoformat(),
        "forms": {},
        "unused_sheets": [],
        "customers": None,
        "funnel": None,
        "receivables": None,
        "pnl": None,
        "issues": [settings.issue_dict(issue) for issue in issues],
    }


def write_report(data: Json, target: Path) -> Path:
    """Write report.json atomically (UTF-8, ensure_ascii=False, stable key order).

    Indented for people to read; a big report is written compact, by the C
    encoder (indenting is pure Python, about five times slower).
    """
    rows = len(data.get("customers") or []) + len((data.get("receivables") or {}).get("rows") or [])
    text = json.dumps(data, ensure_ascii=False, indent=2 if rows <= INDENT_ROWS else None, allow_nan=False)
    with atomic_path(target) as tmp:
        Path(tmp).write_text(text + "\n", encoding="utf-8")
    return target


def _contribution(results: Results) -> Json | None:
    if results.contribution is None:
        return None
    out: Json = {}
    for key in ("customers", "products"):
        found: Ranking | None = results.contribution[key]
        out[key] = None if found is None else clean(found.summary) | {"rows": _all_records(found.table)}
    return out


def _history(results: Results) -> Json | None:
    history = results.history
    if history is None:
        return None
    out: Json = {
        "region": history["region"],
        "region_from": history.get("region_from"),
        "period": history["period"],
        "previous_period": history["previous_period"],
    }
    filed = history.get("snapshot")
    if filed is not None:  # what the history keeps of this review: a corrupt history is rebuilt from it
        out["snapshot"] = {
            "totals": clean(filed["totals"]),
            "opportunities": _records(filed["opportunities"], OPPORTUNITY_COLUMNS),
        }
    return out


def _movement(results: Results, funnel: Json) -> None:
    """funnel.movement / transitions / conversion / stuck from the history (docs/method.md §4, §8)."""
    history = results.history
    if history is None:
        return
    if history.get("movement") is not None:
        funnel["movement"] = _records(history["movement"], MOVEMENT_FIELDS)
        funnel["transitions"] = history["transitions"]
        funnel["conversion"] = clean(history["conversion"])
    if history.get("stuck") is not None:
        funnel["stuck"] = _records(history["stuck"], STUCK_FIELDS)
        funnel["stuck_share"] = clean(history.get("stuck_share"))
