"""report.json's ``plan_forms``: competitors, SWOT, targets breakdown, plan review (docs/report-json.md)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from kamxl.calc.plan_forms import DIMENSIONS, WEEKS, Competition, Review, Targets
from kamxl.results import Results
from kamxl.write.report import clean

Json = dict[str, Any]
COMPETITOR_FIELDS = [
    "sheet",
    "row",
    "competitor",
    *DIMENSIONS,
    "strengths",
    "weaknesses",
    "customers",
    "moves",
]
REVIEW_FIELDS = [
    "sheet",
    "row",
    "indicator",
    "target",
    "actual",
    "weeks_sum",
    "attainment",
    "behind",
    *WEEKS,
    "attainment_note",
]
# a target row naming a receivables customer, per month, against the customer's collections
BY_CUSTOMER_FIELDS = ["customer", "target_rows", "month", "plan", "collected", "attainment"]


def _rows(frame: pd.DataFrame, columns: list[str]) -> list[Json]:
    present = [name for name in columns if name in frame.columns]
    return [clean({name: row[name] for name in present}) for row in frame.to_dict("records")]


def plan_forms_json(results: Results) -> Json | None:
    """The four forms' results; None when the workbook has none of them (each absent one is null)."""
    found = (results.competition, results.swot, results.targets, results.review)
    if all(part is None for part in found):
        return None
    return {
        "competitors": _competitors(results.competition) if results.competition else None,
        "swot": clean(results.swot),
        "targets": _targets(results.targets) if results.targets else None,
        "review": _review(results.review) if results.review else None,
    }


def _competitors(found: Competition) -> Json:
    comparison = {
        dimension: {
            str(name): clean(found.comparison.loc[dimension, name]) for name in found.comparison.columns
        }
        for dimension in DIMENSIONS
    }
    return {
        "rows": _rows(found.rows, COMPETITOR_FIELDS),
        "comparison": comparison,
        "per_customer": _rows(found.per_customer, list(found.per_customer.columns)),
    }


def _targets(targets: Targets) -> Json:
    rows = []
    for row in targets.rows.to_dict("records"):
        item = clean({name: row[name] for name in ("sheet", "row", "product", "market", "total", "pieces")})
        item["months"] = {str(month): clean(row[f"m{month}"]) for month in targets.months}
        rows.append(item)
    return {
        "total": clean(targets.total),
        "written_total": clean(targets.written_total),
        "actual_source": targets.source,
        "rows": rows,
        "by_month": _rows(targets.by_month, list(targets.by_month.columns)),
        "by_product": _rows(targets.by_product, list(targets.by_product.columns)),
        "by_customer": _rows(targets.by_customer, BY_CUSTOMER_FIELDS) if len(targets.by_customer) else [],
        "period": {"kind": targets.period[0], "number": targets.period[1] or None},
    }


def _review(review: Review) -> Json:
    return {
        "behind": review.behind,
        "counted": review.counted,
        "indicators": _rows(review.rows, REVIEW_FIELDS),
        "weeks": _rows(review.weeks, list(review.weeks.columns)),
        "notes": review.notes,
    }
