"""report.json: the machine-readable results, per ../shared/spec/REPORT_JSON.md.

A public contract: fields are only ever added, never renamed. Values are
language-neutral codes; only issue messages are in the chosen language.
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
from kamxl.config import Settings
from kamxl.issues import Issue
from kamxl.results import Results
from kamxl.write.files import atomic_path


def clean(value: Any) -> Any:
    """numpy/pandas scalars to JSON values; NaN/NA to null; dates to ISO text."""
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return (
            value.date().isoformat()
            if (value.hour, value.minute, value.second) == (0, 0, 0)
            else value.isoformat()
        )
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, np.ndarray):
        return [clean(v) for v in value.tolist()]
    return value


def _column(series: pd.Series) -> list:
    """A column as JSON values: numeric columns converted at once, others cell by cell."""
    if pd.api.types.is_float_dtype(series.dtype) and not isinstance(series.dtype, pd.CategoricalDtype):
        values = series.to_numpy(dtype=float, na_value=np.nan)
        return [None if v != v or v in (math.inf, -math.inf) else v for v in values.tolist()]
    if pd.api.types.is_integer_dtype(series.dtype) and not series.hasnans:
        return series.astype("int64").tolist()
    if pd.api.types.is_bool_dtype(series.dtype) and not series.hasnans:
        return series.astype(bool).tolist()
    return [
        v if type(v) is str or v is None else clean(v) for v in series.tolist()
    ]  # text is most of an object column


def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict]:
    cols = [c for c in columns if c in frame.columns]
    data = [_column(frame[c]) for c in cols]
    return [dict(zip(cols, row)) for row in zip(*data)] if cols else [{} for _ in range(len(frame))]


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


def report_dict(results: Results, settings: Settings) -> dict:
    r = results
    out: dict[str, Any] = {
        "kamxl_version": __version__,
        "source": r.source.name,
        "as_of": r.as_of.isoformat(),
        "forms": {form: sheets[0] for form, sheets in r.forms.items()},
        "unused_sheets": r.unused_sheets,
        "customers": _records(r.customers, CUSTOMER_FIELDS) if r.customers is not None else None,
        "funnel": _funnel(r),
        "receivables": _receivables(r),
        "pnl": _pnl(r),
        # sections added beyond the first contract
        "form_sheets": r.forms,
        "time_guideline": _records(r.groups, list(r.groups.columns)) if r.groups is not None else None,
        "activities": clean(r.activities.summary) if r.activities is not None else None,
        "time": _time(r),
        "plans": _plans(r),
        "calendar": _calendar(r),
        "appraisal": _appraisal(r),
        "contribution": _contribution(r),
        "history": _history(r),
        "trends": _records(r.history["trends"], list(r.history["trends"].columns)) if r.history else None,
        "issues": [settings.issue_dict(i) for i in r.issues],
    }
    return out


def _funnel(r: Results) -> dict | None:
    if r.funnel is None:
        return None
    f = r.funnel
    out = clean(
        {
            "counts": f["count"].to_dict(),
            "amounts": f["amount"].to_dict(),
            "weighted_amounts": f["weighted"].to_dict(),
            "open": int(f["count"].sum()),
            "weighted_total": float(f["weighted"].sum()),
            "health": r.health[0],
            "health_rule": r.health[1],
        }
    )
    _movement(r, out)
    return out


def _receivables(r: Results) -> dict | None:
    if r.receivables is None:
        return None
    rec = r.receivables
    rows = _records(
        rec.rows,
        [
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
        ],
    )
    months = _records(rec.by_month, ["month", "plan", "actual", "cum_plan", "cum_actual", "rate", "cum_rate"])
    aging = clean(rec.aging["balance"].to_dict()) if rec.aging is not None else None
    return clean(rec.summary) | {"months": months, "rows": rows, "aging": aging}


def _pnl(r: Results) -> dict | None:
    if r.pnl is None:
        return None
    months = _records(r.pnl.months, list(r.pnl.months.columns))
    lines = _records(
        r.pnl.lines, ["month", "group", "line", "plan", "actual", "variance", "variance_pct", "favourable"]
    )
    return clean(r.pnl.summary) | {"months": months, "lines": lines}


def _time(r: Results) -> dict | None:
    if r.time is None:
        return None
    quadrants, summary = r.time
    return clean(summary) | {
        "quadrants": {
            q["quadrant"]: {k: q[k] for k in ("tasks", "hours", "share", "done")}
            for q in _records(quadrants, list(quadrants.columns))
        }
    }


def _plans(r: Results) -> dict | None:
    if r.weekly is None and r.monthly is None:
        return None
    out: dict[str, Any] = {"weekly": None, "weekly_goals": None, "monthly": None}
    if r.weekly is not None:
        rows, goals = r.weekly
        out["weekly"] = _records(
            rows,
            [
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
            ],
        )
        out["weekly_goals"] = _records(
            goals, ["goal", "monthly_item", "weeks", "weeks_target", "month_target", "short", "actual"]
        )
    if r.monthly is not None:
        out["monthly"] = _records(
            r.monthly,
            [
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
            ],
        )
    out["goal_lint"] = (
        _records(
            r.goals,
            ["form", "name", "specific", "measurable", "individual", "realistic", "fails", "sheet", "row"],
        )
        if r.goals is not None
        else []
    )
    return out


def _calendar(r: Results) -> dict | None:
    if r.calendar is None:
        return None
    c = r.calendar
    return clean(
        {
            "year": c["year"],
            "month": c["month"],
            "key_events": c["key_events"],
            "notes": c["notes"],
            "events": _records(c["events"], ["date", "source", "text"]),
        }
    )


def _appraisal(r: Results) -> dict | None:
    if r.appraisal is None:
        return None
    indicators, employees = r.appraisal
    return {
        "employees": _records(
            employees,
            [
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
            ],
        ),
        "indicators": _records(
            indicators,
            [
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
            ],
        ),
    }


def unreadable_report(path: Path, as_of: dt.date, issues: list[Issue], settings: Settings) -> dict:
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
        "issues": [settings.issue_dict(i) for i in issues],
    }


INDENT_ROWS = 5000


def write_report(data: dict, target: Path) -> Path:
    """Write report.json atomically (UTF-8, ensure_ascii=False, stable key order)."""
    # indented for people to read; a big report is written compact, by the C encoder (indenting is pure Python, ~5× slower)
    rows = len(data.get("customers") or []) + len((data.get("receivables") or {}).get("rows") or [])
    text = json.dumps(data, ensure_ascii=False, indent=2 if rows <= INDENT_ROWS else None, allow_nan=False)
    with atomic_path(target) as tmp:
        Path(tmp).write_text(text + "\n", encoding="utf-8")
    return target


def _contribution(r: Results) -> dict | None:
    if r.contribution is None:
        return None
    out = {}
    for key, found in r.contribution.items():
        if found is not None:
            table, summary = found
            out[key] = clean(summary) | {"rows": _records(table, list(table.columns))}
        else:
            out[key] = None
    return out


def _history(r: Results) -> dict | None:
    if r.history is None:
        return None
    h = r.history
    return {"region": h["region"], "period": h["period"], "previous_period": h["previous_period"]}


def _movement(r: Results, funnel: dict) -> None:
    """funnel.movement / transitions / conversion / stuck from the history (METHOD §4, §8)."""
    h = r.history
    if h is None:
        return
    if h.get("movement") is not None:
        funnel["movement"] = _records(h["movement"], ["customer", "project", "previous", "current", "move"])
        funnel["transitions"] = h["transitions"]
        funnel["conversion"] = clean(h["conversion"])
    if h.get("stuck") is not None:
        funnel["stuck"] = _records(h["stuck"], ["customer", "project", "classes"])
        funnel["stuck_share"] = clean(h.get("stuck_share"))
