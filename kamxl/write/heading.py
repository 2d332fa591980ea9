"""What a review is about, as its outputs' titles say it: the region and the month, not a file name.

A director reads "华东区 · 2026 年 3 月", not "east-2026-03.xlsx". The region is
the one the history filed the review under, else the one the titles, the
owner or the file name give (kamxl.calc.snapshots.region_of).
"""

from __future__ import annotations

from kamxl.calc.snapshots import region_of
from kamxl.config import Settings
from kamxl.results import Results


def review_heading(results: Results, settings: Settings) -> dict[str, str]:
    """``region`` and ``period`` (the month in words) for a title's placeholders."""
    if results.history and results.history.get("region"):
        region = str(results.history["region"])
    else:
        region = region_of(results.titles, results.source.stem, results.customers, settings)
    if results.period is None:
        period = results.as_of.isoformat()
    else:
        year, month = results.period.year, results.period.month
        period = settings.label(
            "heading.period", year=year, month=month, name=settings.label(f"values.month.{month}")
        )
    return {"region": region, "period": period}
