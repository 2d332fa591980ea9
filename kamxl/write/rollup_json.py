"""<org>-<period>.rollup.json: the roll-up for other programs (contract: docs/report-json.md, rollup.json).

The same rules as report.json: codes not labels, fractions for rates, null
for what is not known, written atomically.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from kamxl import __version__
from kamxl.calc.decisions import Decision, sentence
from kamxl.calc.funnel import CLASSES
from kamxl.calc.numbers import fmt, pct
from kamxl.calc.rollup import PNL_GROUPS, Rollup
from kamxl.config import Settings
from kamxl.issues import Issue
from kamxl.write.files import atomic_path
from kamxl.write.words import health_text

_TRAILING_STOP = re.compile(r"[。.;;,,\s]+$")  # a sentence's end, where a label adds its own


def funnel_section(figures: Mapping[str, Any]) -> dict[str, Any] | None:
    """Counts, weighted pipeline, health and the stuck ones; null without a customer form."""
    if figures.get("open") is None:
        return None
    return {
        "counts": {cls: figures[cls] for cls in CLASSES},
        "open": figures["open"],
        "weighted_total": figures["weighted_total"],
        "health": figures.get("health"),
        "health_rule": figures.get("health_rule"),
        "stuck": figures.get("stuck"),
        "stuck_count": figures["stuck_count"],
        "stuck_share": figures["stuck_share"],
    }


def receivables_section(figures: Mapping[str, Any]) -> dict[str, Any] | None:
    if figures.get("receivables_plan_to_date") is None and figures.get("receivables_balance") is None:
        return None
    return {
        "plan_to_date": figures["receivables_plan_to_date"],
        "actual_to_date": figures["receivables_actual_to_date"],
        "collection_rate": figures["collection_rate"],
        "balance": figures["receivables_balance"],
    }


def pnl_section(figures: Mapping[str, Any]) -> dict[str, Any] | None:
    if all(figures.get(f"{group}_plan_to_date") is None for group in PNL_GROUPS):
        return None
    out: dict[str, Any] = {}
    for group in PNL_GROUPS:
        out |= {
            f"{group}_plan_to_date": figures[f"{group}_plan_to_date"],
            f"{group}_actual_to_date": figures[f"{group}_actual_to_date"],
            f"{group}_variance_to_date": figures[f"{group}_variance"],
        }
    return out


def plans_section(figures: Mapping[str, Any]) -> dict[str, Any] | None:
    if figures.get("plans_judged") is None:
        return None
    return {
        "judged": figures["plans_judged"],
        "met": figures["plans_met"],
        "attainment": figures["plan_attainment"],
    }


def issues_section(figures: Mapping[str, Any]) -> dict[str, Any] | None:
    if figures.get("errors") is None:
        return None
    return {"error": figures["errors"], "warning": figures["warnings"]}


def figures_dict(figures: Mapping[str, Any]) -> dict[str, Any]:
    """A region's (or the total's, or the median's) figures in sections, as report.json has them."""
    return {
        "funnel": funnel_section(figures),
        "receivables": receivables_section(figures),
        "pnl": pnl_section(figures),
        "plans": plans_section(figures),
        "issues": issues_section(figures),
    }


def total_dict(total: Mapping[str, Any]) -> dict[str, Any]:
    """The organisation's figures, and for each form some regions lack: how many regions have it."""
    coverage = total.get("coverage") or {}
    return figures_dict(total) | {
        "coverage": {form: {"regions": have, "of": of} for form, (have, of) in sorted(coverage.items())}
    }


def region_dict(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "region": row["region"],
        "period": row["period"],
        "filed": row["filed"],
        "as_of": row["as_of"],
        "report": row["link"] or None,
        "region_guessed": row.get("region_guessed", False),
        **figures_dict(row),
        "rank": row["rank"],
        "ranks": row["ranks"],
    }


def decision_dict(
    decision: Mapping[str, Any], rank: int, result: Rollup, settings: Settings
) -> dict[str, Any]:
    """rollup.json's entry: the roll-up's own matters and the regions' decisions, ranked together."""
    weight = int(decision["weight"])
    high = weight >= int(settings.get("decisions.high_weight"))
    return {
        "rank": rank,
        "region": decision["region"],
        "customer": decision["customer"],
        "code": decision["code"],
        "kind": decision.get("kind"),
        "weight": weight,
        "score": decision.get("score"),
        "severity": "high" if high else "medium",
        "amount": decision["amount"],
        "sheet": decision.get("sheet"),
        "cell": decision.get("cell"),
        "evidence": decision["evidence"],
        "message": decision_message(decision, result, settings),
    }


def whole_money(value: float | None) -> str:
    """Money in whole 元 as the roll-up's workbook shows it (#,##0): a shortfall of 35,000 computed from
    sums of floats is not "35,000.00"."""
    return fmt(None if value is None else round(value))


def region_sentence(decision: Mapping[str, Any], settings: Settings) -> str:
    """A region's decision re-worded in the roll-up's language from its evidence; as the region's review
    worded it where this kamxl knows no such kind (a region reviewed by a newer kamxl)."""
    evidence = dict(decision["evidence"])
    try:
        return sentence(Decision(decision["kind"], decision["weight"], 0.0, None, None, evidence), settings)
    except (KeyError, IndexError, ValueError):
        return str(decision.get("text") or decision["kind"])


def decision_fact(decision: Mapping[str, Any], result: Rollup, settings: Settings) -> str:
    """A decision's fact in words, without its region, in the settings' language, with the figures behind
    it: "利润比计划少 106,000 元。"."""
    if decision["code"] == "region_decision":
        return region_sentence(decision, settings)
    row = next((row for row in result.regions if row["region"] == decision["region"]), {})
    health = row.get("health")
    rule = row.get("health_rule")
    return settings.label(
        f"rollup.decisions.{decision['code']}",
        period=result.period,
        customer=decision["customer"] or "",
        amount=whole_money(decision["amount"]),
        rate=pct(row.get("collection_rate")),
        alert=pct(settings.get("rollup.collection_rate_alert")),
        health=settings.label(f"values.health.{health}") if health else "",
        # the rule's words end the sentence: without a stop of their own
        rule=_TRAILING_STOP.sub("", health_text(settings, rule)) if rule else "",
        forms=settings.label("rollup.separator").join(
            settings.form_name(form) for form in decision["evidence"].get("missing_forms") or []
        ),
        as_of=decision["evidence"].get("as_of") or "",
        days=settings.get("rollup.late_days"),
    )


def decision_message(decision: Mapping[str, Any], result: Rollup, settings: Settings) -> str:
    """A decision in words, one pattern for every matter: "区域:事实。"."""
    return line_message([decision], result, settings)


def line_message(line: Sequence[Mapping[str, Any]], result: Rollup, settings: Settings) -> str:
    """A line of the attention list: the region once, then each of its facts ("华东区:A 类大单 海川 …。A 类
    商机 海川 … 已延期。")."""
    facts = settings.label("rollup.fact_separator").join(
        decision_fact(item, result, settings) for item in line
    )
    return settings.label("rollup.decisions.region_decision", region=line[0]["region"], text=facts)


def line_figures(line: Sequence[Mapping[str, Any]], settings: Settings) -> dict[str, Any]:
    """A line's severity (its heaviest matter's), customer and money at stake (the largest: a deal both
    slipped and with a late payer is one deal, not two)."""
    high = int(settings.get("decisions.high_weight"))
    amounts = [float(item["amount"]) for item in line if item["amount"] is not None]
    customer = next((item["customer"] for item in line if item["customer"]), None)
    return {
        "severity": "high" if max(int(item["weight"]) for item in line) >= high else "medium",
        "region": line[0]["region"],
        "customer": str(customer).split(" / ")[0] if customer else None,
        "amount": max(amounts) if amounts else None,
    }


def filed_count_text(result: Rollup, settings: Settings) -> str:
    """The director's first question in a line: "3/3 按时提交", or how many filed, how many on time."""
    entries = result.completeness
    filed = [entry for entry in entries if entry["status"] != "missing"]
    on_time = [entry for entry in filed if entry["late"] is False]
    if len(on_time) == len(entries):
        return settings.label("rollup.all_on_time", regions=len(entries))
    return settings.label("rollup.filed_count", filed=len(filed), regions=len(entries), on_time=len(on_time))


def completeness_notes(result: Rollup, settings: Settings) -> list[str]:
    """What the director should know of the filings themselves: regions whose name was guessed (their
    workbooks name none), and each form filed twice, naming both files."""
    notes = []
    guessed = [entry["region"] for entry in result.completeness if entry.get("region_guessed")]
    if guessed:
        names = settings.label("rollup.separator").join(guessed)
        notes.append(settings.label("rollup.region_guessed_note", regions=names))
    for entry in result.completeness:
        for form, files in (entry.get("refiled_files") or {}).items():
            if len(files) < 2:
                continue
            notes.append(
                settings.label(
                    "rollup.refiled_note",
                    region=entry["region"],
                    form=settings.form_name(form),
                    earlier=settings.label("rollup.separator").join(files[:-1]),
                    later=files[-1],
                )
            )
    return notes


def rollup_dict(result: Rollup, settings: Settings, issues: list[Issue]) -> dict[str, Any]:
    """The whole rollup.json."""
    return {
        "kamxl_version": __version__,
        "org": settings.get("rollup.org"),
        "period": result.period,
        "rank_by": settings.get("rollup.rank_by"),
        "regions": [region_dict(row) for row in result.regions],
        "total": total_dict(result.total),
        "median": figures_dict(result.median),
        "owners": result.owners,
        "trends": result.trends,
        "completeness": result.completeness,
        "missing": result.missing,
        "notes": completeness_notes(result, settings),
        "decisions": [
            decision_dict(decision, rank, result, settings)
            for rank, decision in enumerate(result.decisions, 1)
        ],
        "issues": [settings.issue_dict(issue) for issue in issues],
    }


def write_rollup_json(result: Rollup, target: Path, settings: Settings, issues: list[Issue]) -> Path:
    """Write rollup.json atomically; returns its path."""
    text = json.dumps(rollup_dict(result, settings, issues), ensure_ascii=False, indent=2, allow_nan=False)
    with atomic_path(target) as tmp:
        tmp.write_text(text + "\n", "utf-8")
    return target
