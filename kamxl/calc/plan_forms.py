"""Calculations on the course's competitor, SWOT, targets-breakdown and plan-review forms (pure).

The competitor rows become the course's side-by-side comparison on its 4P1S
dimensions and a list per contested customer; the targets breakdown is
checked to add up (each row to its annual target, the pieces to the 合计
row: a mismatch is a warning at the total's cell, and the pieces' sum is
used) and set against the P&L's revenue or the receivables' collections
month by month; the review's attainment is actual ÷ target per indicator,
with the weeks held against the month.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from kamxl.calc.numbers import fmt
from kamxl.config import Settings
from kamxl.issues import Issue

DIMENSIONS = ("channel", "sales_model", "service", "price", "products")
QUADRANTS = ("strengths", "weaknesses", "opportunities", "threats", "actions")
WEEKS = ("week1", "week2", "week3", "week4", "week5")
NOTE_KINDS = ("notes", "next_focus", "week_events")
# How users separate several customers in one cell: 朗通、泰岳 / 朗通,泰岳 / 朗通;泰岳 / one per line.
_CUSTOMER_SPLIT = re.compile(r"[、,，;；/\n]+")


@dataclass
class Competition:
    """The competitor rows, the 4P1S comparison (dimension × competitor) and the contested customers."""

    rows: pd.DataFrame
    comparison: pd.DataFrame  # index: dimension; a column per competitor; text cells
    per_customer: pd.DataFrame  # customer, competitor, moves, strengths, weaknesses, sheet, row


@dataclass
class Targets:
    """The targets per row and month, the months' totals against actuals, and the region's target."""

    rows: pd.DataFrame  # sheet, row, product, market, total (as written), pieces (its months' sum), months
    by_month: pd.DataFrame  # month, plan (pieces' sum), written (the 合计 row's), actual, attainment
    total: float  # the region's target: the pieces' sum
    written_total: float | None  # what the 合计 row says, if there is one
    source: str  # where the actuals come from: "pnl", "receivables" or "none"
    months: list[int] = field(default_factory=list)


@dataclass
class Review:
    """The review's indicators with attainment, the weeks against the month, and its notes by kind."""

    rows: pd.DataFrame  # indicator, target, actual, weeks_sum, attainment, behind, + week1…week5
    weeks: pd.DataFrame  # indicator, week, value, cumulative, share (cumulative ÷ target)
    notes: dict[str, list[str]]
    behind: int
    counted: int  # indicators with a target and an actual


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""


def _number(value: Any) -> float | None:
    """A table cell as a float, None when blank."""
    if _blank(value):
        return None
    return float(value)


# ------------------------------------------------------------------ competitors ---
def competition(main: pd.DataFrame) -> Competition:
    """The comparison on the 4P1S dimensions and the per-customer list, from the competitor rows."""
    comparison = pd.DataFrame(
        {str(row["competitor"]): [row[d] for d in DIMENSIONS] for _, row in main.iterrows()},
        index=list(DIMENSIONS),
    )
    contested: list[dict[str, Any]] = []
    for _, row in main.iterrows():
        text = "" if _blank(row["customers"]) else str(row["customers"])
        for name in (part.strip() for part in _CUSTOMER_SPLIT.split(text)):
            if name:
                contested.append(
                    {
                        "customer": name,
                        "competitor": row["competitor"],
                        "moves": row["moves"],
                        "strengths": row["strengths"],
                        "weaknesses": row["weaknesses"],
                        "sheet": row["sheet"],
                        "row": row["row"],
                    }
                )
    columns = ["customer", "competitor", "moves", "strengths", "weaknesses", "sheet", "row"]
    per_customer = pd.DataFrame(contested, columns=columns)
    per_customer = per_customer.sort_values(["customer", "row"], kind="stable").reset_index(drop=True)
    return Competition(main.reset_index(drop=True), comparison, per_customer)


def swot_quadrants(main: pd.DataFrame) -> dict[str, list[str]]:
    """Each SWOT part's items in the order written (a part not written: an empty list)."""
    return {part: [str(t) for t in main.loc[main["quadrant"] == part, "text"]] for part in QUADRANTS}


# ---------------------------------------------------------------------- targets ---
def _mismatch(
    settings: Settings, sheet: str, cell: str, what: str, written: float, computed: float
) -> Issue | None:
    """A targets_mismatch issue when ``written`` and ``computed`` differ by more than the tolerance."""
    tolerance: float = settings.get("forms.targets.tolerance")
    if abs(written - computed) <= tolerance:
        return None
    return settings.issue(
        "targets_mismatch", sheet, cell, what=what, written=fmt(written), computed=fmt(computed)
    )


def _row_pieces(
    main: pd.DataFrame, months: pd.DataFrame, settings: Settings
) -> tuple[pd.DataFrame, list[Issue]]:
    """Each row's months summed (its pieces), checked against its annual target where it has one."""
    issues: list[Issue] = []
    plan = pd.to_numeric(months["plan"], errors="coerce")
    sums = plan.groupby(months["row"]).sum(min_count=1)
    rows = main.copy()
    rows["pieces"] = [_number(sums.get(row)) for row in rows["row"]]
    for _, item in rows.iterrows():
        written, pieces = _number(item["total"]), item["pieces"]
        if written is None or pieces is None or _blank(pieces) or _blank(item["total_col"]):
            continue
        name = " · ".join(str(v) for v in (item["product"], item["market"]) if not _blank(v))
        what = settings.label("plan_forms.row_total", row=int(item["row"]), name=name)
        found = _mismatch(
            settings, item["sheet"], f"{item['total_col']}{int(item['row'])}", what, written, pieces
        )
        if found is not None:
            issues.append(found)
    rows["pieces"] = [
        p if not _blank(p) else _number(t) for p, t in zip(rows["pieces"], rows["total"], strict=True)
    ]
    return rows, issues


def _check_total_row(
    total: pd.Series, rows: pd.DataFrame, months: pd.DataFrame, total_months: pd.DataFrame, settings: Settings
) -> list[Issue]:
    """One 合计/小计 row against the rows it sums: each month's cell and its annual target."""
    span = set(total["span"]) or set(rows["row"])
    issues: list[Issue] = []
    mine = months[months["row"].isin(span)]
    for _, cell in total_months[total_months["row"] == total["row"]].iterrows():
        written = _number(cell["plan"])
        computed = pd.to_numeric(mine.loc[mine["month"] == cell["month"], "plan"], errors="coerce").sum()
        if written is None:
            continue
        month = settings.label(f"values.month.{int(cell['month'])}")
        what = settings.label("plan_forms.month_total", month=month)
        found = _mismatch(
            settings, total["sheet"], f"{cell['col']}{int(total['row'])}", what, written, computed
        )
        issues += [found] if found else []
    written_total = _number(total["total"])
    if written_total is not None and not _blank(total["total_col"]):
        computed = float(pd.to_numeric(rows.loc[rows["row"].isin(span), "pieces"], errors="coerce").sum())
        where = f"{total['total_col']}{int(total['row'])}"
        what = settings.label("plan_forms.grand_total")
        found = _mismatch(settings, total["sheet"], where, what, written_total, computed)
        issues += [found] if found else []
    return issues


def _actuals(pnl_months: pd.DataFrame | None, collected: pd.DataFrame | None) -> tuple[dict[int, float], str]:
    """Actual sales per month: the P&L's revenue where there is a P&L, else the receivables collected."""
    for frame, column, source in (
        (pnl_months, "revenue_actual", "pnl"),
        (collected, "actual", "receivables"),
    ):
        if frame is not None and column in frame.columns and not frame.empty:
            sums = pd.to_numeric(frame[column], errors="coerce").groupby(frame["month"]).sum(min_count=1)
            return {int(m): float(v) for m, v in sums.items() if not _blank(v)}, source
    return {}, "none"


def check_targets(
    tables: dict[str, pd.DataFrame],
    settings: Settings,
    pnl_months: pd.DataFrame | None = None,
    collected: pd.DataFrame | None = None,
) -> tuple[Targets, list[Issue]]:
    """The targets checked to add up, and set against the actuals month by month.

    ``tables`` are the reader's main, months, totals and total_months tables.
    """
    main, months = tables["main"], tables["months"]
    rows, issues = _row_pieces(main, months, settings)
    totals, total_months = tables["totals"], tables["total_months"]
    for _, total in totals.iterrows():
        issues += _check_total_row(total, rows, months, total_months, settings)
    grand = totals[totals["kind"] == "total"]
    written_total = _number(grand["total"].iloc[-1]) if len(grand) else None
    actual, source = _actuals(pnl_months, collected)
    by_month = _by_month(months, grand, total_months, actual)
    for month in sorted(set(months["month"].dropna().astype(int))):
        rows[f"m{month}"] = [
            _number(months.loc[(months["row"] == r) & (months["month"] == month), "plan"].sum(min_count=1))
            for r in rows["row"]
        ]
    total = float(pd.to_numeric(rows["pieces"], errors="coerce").sum())
    month_list = [int(m) for m in by_month["month"]]
    return Targets(rows, by_month, total, written_total, source, month_list), issues


def _by_month(
    months: pd.DataFrame, grand: pd.DataFrame, total_months: pd.DataFrame, actual: dict[int, float]
) -> pd.DataFrame:
    """Per month: the pieces' sum, the 合计 row's figure, the actual and the attainment."""
    plan = pd.to_numeric(months["plan"], errors="coerce").groupby(months["month"]).sum(min_count=1)
    written: dict[int, float | None] = {}
    if len(grand):
        last = total_months[total_months["row"] == grand["row"].iloc[-1]]
        written = {int(m): _number(v) for m, v in zip(last["month"], last["plan"], strict=True)}
    records = []
    for month, value in plan.items():
        got = actual.get(int(month))
        share = got / float(value) if got is not None and not _blank(value) and float(value) != 0 else None
        records.append(
            {
                "month": int(month),
                "plan": _number(value),
                "written": written.get(int(month)),
                "actual": got,
                "attainment": share,
            }
        )
    return pd.DataFrame(records, columns=["month", "plan", "written", "actual", "attainment"])


# ----------------------------------------------------------------------- review ---
def _review_row(item: pd.Series, settings: Settings) -> tuple[dict[str, Any], list[Issue]]:
    """One indicator: the actual (the weeks' sum where none is written), its attainment, the checks."""
    issues: list[Issue] = []
    sheet, row, name = item["sheet"], int(item["row"]), item["indicator"]
    weeks = [_number(item[w]) for w in WEEKS]
    weeks_sum = sum(w for w in weeks if w is not None) if any(w is not None for w in weeks) else None
    target, actual = _number(item["target"]), _number(item["actual"])
    actual_cell = f"{item['actual_col']}{row}" if not _blank(item["actual_col"]) else None
    tolerance: float = settings.get("forms.targets.tolerance")
    if actual is None and weeks_sum is not None:
        actual = weeks_sum
        issues.append(
            settings.issue(
                "review_actual_from_weeks", sheet, actual_cell, indicator=name, weeks=fmt(weeks_sum)
            )
        )
    elif actual is not None and weeks_sum is not None and abs(actual - weeks_sum) > tolerance:
        issues.append(
            settings.issue(
                "review_weeks_mismatch",
                sheet,
                actual_cell,
                indicator=name,
                weeks=fmt(weeks_sum),
                actual=fmt(actual),
            )
        )
    attainment = None
    if target is None or target == 0:
        target_cell = f"{item['target_col']}{row}" if not _blank(item["target_col"]) else None
        issues.append(settings.issue("review_no_target", sheet, target_cell, indicator=name))
    elif actual is not None:
        attainment = actual / target
    line: float = settings.get("forms.review.behind_below")
    record = {"sheet": sheet, "row": row, "indicator": name, "target": target, "actual": actual}
    record |= {"weeks_sum": weeks_sum, "attainment": attainment}
    record["behind"] = None if attainment is None else attainment < line
    record |= dict(zip(WEEKS, weeks, strict=True))
    return record, issues


def _weeks_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Each indicator's weeks: the value, the running sum, and that sum's share of the month's target."""
    records = []
    for _, item in rows.iterrows():
        running = 0.0
        for number, week in enumerate(WEEKS, 1):
            value = item[week]
            if _blank(value):
                continue
            running += float(value)
            target = item["target"]
            share = running / target if not _blank(target) and target != 0 else None
            records.append(
                {
                    "indicator": item["indicator"],
                    "week": number,
                    "value": value,
                    "cumulative": running,
                    "share": share,
                }
            )
    return pd.DataFrame(records, columns=["indicator", "week", "value", "cumulative", "share"])


def review_attainment(
    main: pd.DataFrame, notes: pd.DataFrame | None, settings: Settings
) -> tuple[Review, list[Issue]]:
    """Attainment per indicator against the month, the weeks against the month, the notes by kind."""
    issues: list[Issue] = []
    records = []
    for _, item in main.iterrows():
        record, found = _review_row(item, settings)
        records.append(record)
        issues += found
    columns = ["sheet", "row", "indicator", "target", "actual", "weeks_sum", "attainment", "behind", *WEEKS]
    rows = pd.DataFrame(records, columns=columns)
    by_kind: dict[str, list[str]] = {kind: [] for kind in NOTE_KINDS}
    if notes is not None:
        for kind, text in zip(notes["kind"], notes["text"], strict=True):
            by_kind[str(kind)].append(str(text))
    for kind in ("next_focus", "week_events"):  # written in the table's own columns
        by_kind[kind] += [str(v) for v in main[kind] if not _blank(v)]
    counted = int(rows["attainment"].notna().sum())
    behind = int(rows["behind"].eq(True).sum())  # None (no attainment) is neither
    return Review(rows, _weeks_table(rows), by_kind, behind, counted), issues
