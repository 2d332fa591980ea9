"""<org>-<period>.summary.md / .summary.html: the roll-up in a page, for the director's phone or printer.

Short on purpose: the regions side by side with the organisation's total,
what needs attention, who has not filed, the salespeople at the top of the
league. The workbook holds everything else.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from kamxl.calc.rollup import FIGURE_FORM, RATIOS, Rollup, decision_lines
from kamxl.config import Settings
from kamxl.write.files import atomic_path
from kamxl.write.rollup_json import completeness_notes, filed_count_text, line_message
from kamxl.write.summary import md_cell, money, number, pct

TEMPLATES = {"md": "rollup.summary.md.j2", "html": "rollup.summary.html.j2"}
REGION_FIGURES = (
    ("receivables_plan_to_date", "money"),
    ("receivables_actual_to_date", "money"),
    ("collection_rate", "pct"),
    ("profit_variance", "signed"),
    ("weighted_total", "money"),
    ("health", "health"),
    ("stuck_share", "pct"),
    ("plans_met_of", "met_of"),  # "6/8": how many of the monthly plan's indicators were met
    ("errors", "number"),
    ("warnings", "number"),
)


def _cell(figures: Mapping[str, Any], key: str, kind: str, settings: Settings) -> str:
    """A region's (or the total's, the median's) figure as the summary shows it; "1/3 区域" in the total
    where too few regions have its form."""
    if kind == "met_of":
        met, judged = figures.get("plans_met"), figures.get("plans_judged")
        value: Any = None if met is None or judged is None else f"{number(met)}/{number(judged)}"
        key = "plan_attainment"
    else:
        value = figures.get(key)
    coverage = (figures.get("coverage") or {}).get(FIGURE_FORM.get(RATIOS.get(key, (key,))[0], ""))
    if value is None and coverage is not None:
        return settings.label("rollup.coverage", regions=coverage[0], of=coverage[1])
    return value if kind == "met_of" and value is not None else _shown(value, kind, settings)


def _shown(value: Any, kind: str, settings: Settings) -> str:
    """A figure as the summary shows it."""
    if kind == "met_of":
        return "—"
    if kind == "signed":  # +1,200 / −83,500, as the workbook's signed_money
        return money(None if value is None else round(value), signed=True)
    if kind == "health":
        return settings.label(f"values.health.{value}") if value else "—"
    if kind == "money":  # whole 元, as the workbook shows them
        return money(None if value is None else round(value))
    return {"pct": pct, "number": number}[kind](value)


def _region_rows(result: Rollup, settings: Settings) -> dict[str, Any]:
    """The regions side by side, the total and the median, as the tables show them."""
    figures = [key for key, _ in REGION_FIGURES]
    return {
        "figure_names": [settings.label(f"rollup.figures.{key}") for key in figures],
        "rows": [
            {
                "rank": row["rank"],
                "region": row["region"],
                "cells": [_cell(row, key, kind, settings) for key, kind in REGION_FIGURES],
            }
            for row in result.regions
        ],
        "total": [
            _cell(result.total, key, kind, settings) if kind != "health" else ""
            for key, kind in REGION_FIGURES
        ],
        "median": [
            _shown(result.median.get(key), kind, settings) if kind != "health" else ""
            for key, kind in REGION_FIGURES
        ],
    }


def _owner_rows(result: Rollup, settings: Settings, limit: int) -> dict[str, Any]:
    """The top of the salespeople's league table."""
    keys = ("rank", "owner", "region", "collection_rate", "weighted_total", "p1", "owner_plan_attainment")
    return {
        "owner_names": [settings.label(f"rollup.figures.{key}") for key in keys],
        "owners": [
            {
                "rank": row["rank"],
                "owner": row["owner"],
                "region": row["region"],
                "rate": pct(row["collection_rate"]),
                "weighted": money(None if row["weighted_total"] is None else round(row["weighted_total"])),
                "p1": row["p1"],
                "attainment": pct(row["plan_attainment"]),
            }
            for row in result.owners[:limit]
        ],
    }


def _completeness_rows(result: Rollup, settings: Settings) -> list[dict[str, Any]]:
    return [
        {
            "region": entry["region"],
            "status": settings.label(f"rollup.status.{entry['status']}"),
            "missing": settings.label("rollup.separator").join(
                settings.form_name(form) for form in entry["missing_forms"]
            ),
            "late": bool(entry["late"]),
            "guessed": bool(entry.get("region_guessed")),
        }
        for entry in result.completeness
    ]


def rollup_context(result: Rollup, settings: Settings, stem: str) -> dict[str, Any]:
    """What the templates show, in the settings' language."""
    limit = int(settings.get("summary.top_rows"))
    lines = decision_lines(result.decisions)
    figure = lambda key: settings.label(f"rollup.figures.{key}")  # noqa: E731
    return {
        "lang": "zh-CN" if settings.lang == "zh" else "en",
        "title": settings.label("rollup.title", period=result.period),
        **_region_rows(result, settings),
        **_owner_rows(result, settings, limit),
        # a line per (region, customer), as the workbook lists them; the rest are on its 关注事项 sheet
        "decisions": [line_message(line, result, settings) for line in lines[:limit]],
        "more_decisions": max(0, len(lines) - limit),
        "decisions_sheet": settings.label("rollup.sheets.decisions"),
        "completeness": _completeness_rows(result, settings),
        "filed_count": filed_count_text(result, settings),
        "filing_notes": completeness_notes(result, settings),
        "files": settings.label(
            "rollup.summary_files", workbook=f"{stem}.rollup.xlsx", json=f"{stem}.rollup.json"
        ),
        "rank_name": figure("rank"),
        "region_name": figure("region"),
        "status_name": figure("status"),
        "missing_name": figure("missing_forms"),
        "late": settings.label("rollup.late"),
        "none": settings.label("rollup.none"),
    }


def _environment(kind: str) -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(resources.files("kamxl.templates"))),
        autoescape=kind == "html",
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(md=md_cell)
    return env


def write_rollup_summary(result: Rollup, out_dir: Path, stem: str, settings: Settings) -> list[Path]:
    """Write both summaries atomically; returns their paths."""
    context = rollup_context(result, settings, stem)
    written = []
    for kind in ("md", "html"):
        target = Path(out_dir) / f"{stem}.summary.{kind}"
        text = _environment(kind).get_template(TEMPLATES[kind]).render(**context, L=settings.label)
        with atomic_path(target) as tmp:
            tmp.write_text(text, "utf-8")
        written.append(target)
    return written
