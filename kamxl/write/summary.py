"""<stem>.summary.md and <stem>.summary.html: the review summary a director reads.

The decisions and risks come first, then the course's plan review: 计划摘要
(the key figures to date against plan, and against last month), 漏斗与健康度,
客户策略, 应收, 损益, 活动, 时间管理, 问题清单. It is short on purpose: the
workbook holds every row; no table shows months still to come. One context is built from the
results (numbers stay numbers; sentences are formatted here, from the label
catalogue) and rendered by two Jinja2 templates shipped in ``templates/``.
A user's ``summary.template_dir`` may hold their own copies.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from kamxl import __version__
from kamxl.calc.activities import Activities
from kamxl.calc.decisions import sentence
from kamxl.calc.funnel import PRIORITY_ORDER
from kamxl.calc.months import has_years, month_heading, periods, spans_years
from kamxl.calc.numbers import as_number, pct
from kamxl.calc.pnl import PnL
from kamxl.calc.receivables import Receivables
from kamxl.config import Settings
from kamxl.issues import Issue, by_severity
from kamxl.results import Results
from kamxl.write import svg
from kamxl.write.files import atomic_path
from kamxl.write.heading import review_heading
from kamxl.write.summary_figures import month_over_month, to_date_rows
from kamxl.write.summary_forms import forms_nav, with_forms_section
from kamxl.write.words import (
    action_plan,
    actions_text,
    by_priority,
    class_label,
    counted,
    customers_behind,
    decision_groups,
    decision_where,
    health_label,
    health_note,
    health_tone,
    is_rate_indicator,
    month_name,
    move_tone,
    period_of,
    rate_tone,
    trend_health,
    value_label,
    variance_tone,
)

SECTIONS = (
    "decisions",
    "plan",
    "funnel",
    "strategy",
    "receivables",
    "pnl",
    "activities",
    "time",
    "issues",
)
TEMPLATES = {"md": "summary.md.j2", "html": "summary.html.j2"}
MOVES = ("up", "down", "same", "new", "won", "lost", "dropped")
PRIORITY_FIRST = "P1"  # the summary lists these customers with their actions
GROWTH_NOISE = 0.0005  # a month-on-month change smaller than this reads "about the same"

Context = dict[str, Any]


# ------------------------------------------------------------------ numbers ---
def money(value: Any, signed: bool = False) -> str:
    """1234567 → 1,234,567; cents only where there are any; − for negatives."""
    number = as_number(value)
    if number is None:
        return "—"
    size = abs(number)
    text = f"{size:,.0f}" if abs(number - round(number)) < 0.005 else f"{size:,.2f}"
    sign = "−" if number < 0 and text.strip("0.,") else ("+" if signed and number > 0 else "")
    return sign + text


def number(value: Any) -> str:
    found = as_number(value)
    if found is None:
        return "—"
    return f"{found:,.0f}" if found == int(found) else f"{found:,.3f}".rstrip("0").rstrip(".")


def _text_or_blank(value: Any) -> str:
    return value if isinstance(value, str) else ""


# ------------------------------------------------------------------ context ---
def summary_context(results: Results, settings: Settings, workbook_name: str | None = None) -> Context:
    """Everything the templates show, in the chosen language; charts as inline SVG."""
    label = settings.label
    context: Context = {
        "lang": "zh-CN" if settings.lang == "zh" else "en",
        "title": label("summary.title", **review_heading(results, settings)),
        "meta": label(
            "summary.meta", as_of=results.as_of.isoformat(), period=period_of(results), version=__version__
        ),
        "workbook_note": label("summary.workbook_note", workbook=workbook_name) if workbook_name else None,
        "sections": forms_nav(
            [(key, label(f"summary.sections.{key}")) for key in SECTIONS], results, settings
        ),
    }
    limit = int(settings.get("summary.top_rows"))
    context["decisions"] = _decisions(results, settings, workbook_name)
    context["contribution"] = _contribution(results, settings, limit)
    context["funnel"] = _funnel(results, settings)
    context["strategy"] = _strategy(results, settings)
    context["receivables"] = _receivables(results.receivables, settings)
    context["pnl"] = _pnl(results.pnl, settings)
    context["activities"] = _activities(results.activities, settings)
    context["time"] = _time(results, settings)
    context["issues"] = _issues(results, settings)
    context["history"] = _history(results, settings)
    context["plan"] = _plan(results, settings, context)
    context["changes"] = month_over_month(results, settings)
    return context


def _palette(settings: Settings) -> svg.Palette:
    """The summary's colours; tiers and funnel classes in the workbook's colours (``charts.colours``)."""
    palette: dict[str, Any] = dict(settings.get("charts.summary"))
    colours = settings.get("charts.colours")
    palette["tiers"] = [colour.lower() for colour in colours["tiers"]]
    palette["funnel"] = [colour.lower() for colour in colours["classes"].values()]  # A first, at the top
    return palette


# ---------------------------------------------------------------- decisions ---
def _decisions(results: Results, settings: Settings, workbook_name: str | None = None) -> Context:
    """The first ``decisions.top`` lines of decisions and risks (docs/method.md §14), a customer's together
    as on the dashboard (``decision_groups``), each with its input cells; the rest are counted and the
    reader sent to the report workbook's issues sheet, which lists them all (not to report.json)."""
    groups = decision_groups(results.decisions, int(settings.get("decisions.top")))
    rows = []
    for group in groups:
        severity = group[0].severity(settings)  # ranked: the first is the heaviest
        rows.append(
            {
                "severity": severity,
                "severity_label": settings.label(f"decisions.severity.{severity}"),
                "kind": settings.label(f"decisions.kinds.{group[0].kind}"),
                "text": settings.label("ui.sentence_sep").join(
                    sentence(decision, settings) for decision in group
                ),
                "where": decision_where(group),
            }
        )
    more = len(results.decisions) - sum(len(group) for group in groups)
    where = settings.label(
        "summary.changes.decisions_more",
        count=more,
        workbook=f" {workbook_name} " if workbook_name else "",
        sheet=settings.label("report.sheets.issues"),
    )
    return {"rows": rows, "more": more, "more_text": " ".join(where.split()) if workbook_name else where}


# --------------------------------------------------------------------- plan ---
def _plan(results: Results, settings: Settings, context: Context) -> Context:
    """The key figures and what they say, one sentence each."""
    label = settings.label
    figures: list[Context] = []
    points: list[str] = []
    if results.pnl is not None:
        _pnl_points(results.pnl, settings, figures, points)
    if results.receivables is not None:
        collections = results.receivables.summary
        rate = pct(collections["collection_rate"])
        figures.append(
            _figure(settings, "collection_rate", rate, rate_tone(settings, collections["collection_rate"]))
        )
        points.append(
            label(
                "summary.text.collections",
                rate=rate,
                month=month_name(settings, collections["last_month"] or None),
                balance=money(collections["balance"]),
                behind=counted(
                    settings,
                    len(customers_behind(results.receivables.rows, settings.get("receivables.behind"))),
                    "customers",
                ),
            )
        )
    if results.funnel is not None:
        funnel = context["funnel"]
        weighted = money(funnel["weighted_total"])
        figures.append(_figure(settings, "weighted_pipeline", weighted))
        figures.append(_figure(settings, "health", funnel["grade"], funnel["tone"]))
    if results.time is not None:
        figures.append(_figure(settings, "m2_share", pct(results.time[1]["m2_share"])))
    monthly = _monthly_plan(results.monthly, settings, points)
    counts = context["issues"]["counts"]
    errors, warnings = (
        counted(settings, counts["error"], "errors"),
        counted(settings, counts["warning"], "warnings"),
    )
    points.append(label("summary.text.issues_count", errors=errors, warnings=warnings))
    return {
        "figures": figures,
        "points": points,
        "monthly": monthly,
        "to_date": to_date_rows(results, settings),
    }


def _figure(settings: Settings, key: str, value: str, look: str = "") -> Context:
    return {"label": settings.label(f"report.summary.{key}"), "value": value, "tone": look}


def _pnl_points(pnl: PnL, settings: Settings, figures: list[Context], points: list[str]) -> None:
    """Revenue and profit to date against plan (this month against last is in the month-over-month table)."""
    summary = pnl.summary
    last = summary.get("last_month")
    if last:
        # months by period (calc.months), so a plan that runs into a second year compares months in time
        months = pnl.months.set_index(periods(pnl.months))
        now_at = pnl.last_period if pnl.last_period is not None else last - 1
        revenue_plan = float(months.loc[:now_at, "revenue_plan"].sum())
        revenue = float(months.loc[:now_at, "revenue_actual"].sum())
        revenue_tone = variance_tone(settings, revenue - revenue_plan, revenue_plan)
        figures.append(_figure(settings, "revenue_actual", money(revenue), revenue_tone))
        profit, profit_plan = summary["profit_actual"], summary["profit_plan_to_date"]
        profit_tone = variance_tone(settings, profit - profit_plan, profit_plan)
        figures.append(_figure(settings, "profit_actual", money(profit), profit_tone))
    figures.append(_figure(settings, "profit_plan", money(summary["profit_plan"])))


def _monthly_plan(
    monthly: pd.DataFrame | None, settings: Settings, points: list[str]
) -> list[Context] | None:
    """The monthly plan's indicators and how many are behind."""
    if monthly is None or monthly.empty:
        return None
    behind = int(monthly["behind"].fillna(False).astype(bool).sum())
    points.append(settings.label("summary.text.plans_behind", behind=behind, total=len(monthly)))
    return [
        {
            "indicator": item["indicator"],
            "target": as_number(item["target"]),
            "actual": as_number(item["actual"]),
            "attainment": as_number(item["attainment"]),
            "tone": rate_tone(settings, as_number(item["attainment"])),
            "rate": is_rate_indicator(settings, item),
            "behind": bool(item["behind"])
            if item["behind"] is not None and not pd.isna(item["behind"])
            else False,
        }
        for item in monthly.to_dict("records")
    ]


# ------------------------------------------------------------- contribution ---
def _ranked(found: Any, settings: Settings, limit: int, what: str) -> Context | None:
    """The top customers or products by value with their shares, the rest summed as "others"."""
    if found is None:
        return None
    table, summary = found
    if len(table) == limit + 1:  # "1 other" says less than its name
        limit += 1
    rows: list[Context] = [
        {
            "name": item["name"],
            "value": item["value"],
            "share": as_number(item["share"]),
            "cum_share": as_number(item["cum_share"]),
            "top": bool(item["top"]),
        }
        for item in table.head(limit).to_dict("records")
    ]
    rest = table.iloc[limit:]
    others: Context | None = None
    if len(rest):
        rest_value = float(rest["value"].sum())
        others = {
            "name": settings.label("summary.others", count=len(rest)),
            "value": rest_value,
            "share": rest_value / summary["total"] if summary["total"] > 0 else None,
        }
    sentence = None
    # over a few names (two products) "the top 1 holds 70.8 %" is noise: the table says it
    if summary["top_share"] is not None and summary["count"] >= settings.get(
        "contribution.sentence_min_names"
    ):
        sentence = settings.label(
            f"summary.text.top_{what}",
            top_count=summary["top_count"],
            # what share of the names they really are: 3 of 11 is 27 %, not the setting's 20 %
            top_pct=pct(summary["top_count"] / summary["count"]).replace(".0%", "%"),
            share=pct(summary["top_share"]),
            count=summary["count"],
            measure=settings.label(f"summary.text.measure_{summary['basis']}"),
        )
    return {
        "rows": rows,
        "others": others,
        "total": summary["total"],
        "sentence": sentence,
        "basis": settings.label(f"summary.text.basis_{summary['basis']}"),
        "chart": _ranked_chart(settings, rows, others),
    }


def _ranked_chart(settings: Settings, rows: list[Context], others: Context | None) -> Any:
    """A bar per name, and one for the others that does not set the scale."""
    shown = [*rows, others] if others else rows
    bars = [
        (row["name"], max(row["value"], 0.0), f"{money(row['value'])} · {pct(row['share'])}") for row in shown
    ]
    title = settings.label("summary.sections.contribution")
    return svg.hbars(title, bars, rest=others is not None, palette=_palette(settings))


def _contribution(results: Results, settings: Settings, limit: int) -> Context | None:
    if results.contribution is None:
        return None
    return {
        "customers": _ranked(results.contribution.get("customers"), settings, limit, "customers"),
        "products": _ranked(results.contribution.get("products"), settings, limit, "products"),
    }


# ------------------------------------------------------------------- funnel ---
def _funnel(results: Results, settings: Settings) -> Context | None:
    if results.funnel is None or results.health is None:
        return None
    funnel, (grade, rule) = results.funnel, results.health
    total = int(funnel["count"].sum())
    rows: list[Context] = [
        {
            "class": klass,
            "label": settings.label(f"values.class.{klass}"),
            "count": int(funnel.at[klass, "count"]),
            "share": funnel.at[klass, "count"] / total if total else None,
            "amount": float(funnel.at[klass, "amount"]),
            "weighted": float(funnel.at[klass, "weighted"]),
        }
        for klass in funnel.index
    ]
    chart = svg.funnel(
        settings.label("report.charts.funnel"),
        [(row["label"], row["count"], f"{row['count']} · {money(row['amount'])}") for row in rows],
        palette=_palette(settings),
    )
    return {
        "rows": rows,
        "open": total,
        "amount": float(funnel["amount"].sum()),
        "weighted_total": float(funnel["weighted"].sum()),
        "grade": health_label(settings, grade, rule),
        "rule": health_note(settings, rule, (results.history or {}).get("stuck_share")),
        "tone": health_tone(grade),
        "chart": chart,
    }


# ------------------------------------------------------------------ history ---
def _history(results: Results, settings: Settings) -> Context | None:
    """Month over month, when a history was kept and has more than this review."""
    history = results.history
    if history is None or len(history["trends"]) < 2:
        return None
    rows = [_trend_row(settings, month) for month in history["trends"].to_dict("records")]
    out: Context = {
        "title": settings.label("summary.text.trends", region=history["region"]),
        "rows": rows,
        "moves": None,
        "stuck": None,
    }
    if history.get("movement") is not None:
        out["moves"] = _moves(settings, history)
    if history.get("stuck") is not None:
        out["stuck"] = _stuck(settings, history)
    return out


def _trend_row(settings: Settings, month: dict[str, Any]) -> Context:
    return {
        "period": month["period"],
        **{klass: month[klass] for klass in ("A", "B", "C", "D")},
        "open": month["open"],
        "collection_rate": as_number(month["collection_rate"]),
        "profit_plan": as_number(month["profit_plan"]),
        "profit_actual": as_number(month["profit_actual"]),
        "health": trend_health(settings, month["health"], month.get("health_rule")) or "",
    }


def _moves(settings: Settings, history: dict[str, Any]) -> Context:
    """How many customers moved up, down … since last month; who moved; the conversion between classes."""
    moves = history["movement"]
    counts = moves["move"].value_counts()
    if settings.lang == "zh":
        summary = "、".join(
            f"{settings.label(f'values.move.{m}')} {int(counts[m])}" for m in MOVES if m in counts
        )
    else:
        summary = ", ".join(
            f"{int(counts[m])} {settings.label(f'values.move.{m}')}" for m in MOVES if m in counts
        )
    moved = moves[moves["move"] != "same"]
    limit = int(settings.get("summary.list_rows"))
    won = settings.label("values.move.won")
    return {
        "sentence": settings.label(
            "summary.text.movement", previous=history["previous_period"], counts=summary
        ),
        "more": max(0, len(moved) - limit),
        "rows": [
            {
                "customer": move["customer"],
                "project": _text_or_blank(move["project"]),
                "previous": class_label(settings, move["previous"]) or "—",
                "current": class_label(settings, move["current"]) or "—",
                "move": settings.label(f"values.move.{move['move']}"),
                "tone": move_tone(move["move"]),
            }
            for move in moved.head(limit).to_dict("records")
        ],
        "conversion": [
            {"step": step.replace("won", won), "rate": rate} for step, rate in history["conversion"].items()
        ],
    }


def _stuck(settings: Settings, history: dict[str, Any]) -> Context:
    """The opportunities stuck in one class for months."""
    stuck = history["stuck"]
    limit = int(settings.get("summary.list_rows"))
    return {
        "sentence": settings.label(
            "summary.text.stuck", count=len(stuck), share=pct(history.get("stuck_share"))
        ),
        "more": max(0, len(stuck) - limit),
        "rows": [
            {
                "customer": opportunity["customer"],
                "project": _text_or_blank(opportunity["project"]),
                "classes": " → ".join(opportunity["classes"]),
            }
            for opportunity in stuck.head(limit).to_dict("records")
        ],
    }


# ----------------------------------------------------------------- strategy ---
def _strategy(results: Results, settings: Settings) -> Context | None:
    """Customers per value tier, the priorities counted, and the P1 opportunities with their tier's actions
    (once per tier: the playbook is the tier's); the rest are on the workbook's 行动 sheet."""
    customers = results.customers
    if customers is None:
        return None
    per_customer = customers.drop_duplicates("customer")
    limit = int(settings.get("summary.list_rows"))
    ordered = by_priority(customers)
    shown = ordered[ordered["priority"] == PRIORITY_FIRST].head(limit)
    p1: list[Context] = []
    for tier, in_tier in shown.groupby("tier", sort=True):
        names = [
            f"{row['customer']}{' / ' + row['project'] if isinstance(row.get('project'), str) else ''}"
            f" ({_text_or_blank(row['class'])}, {money(row['amount'])})"
            for row in in_tier.to_dict("records")
        ]
        p1.append(
            {
                "tier": value_label(settings, "tier", tier) or "",
                "names": settings.label("ui.list_sep").join(names),
                "actions": actions_text(settings, in_tier.iloc[0]["actions"], "; "),
                # who does them and by when, in the words of the workbook's 行动 sheet
                "plans": [action_plan(settings, row) for row in in_tier.to_dict("records")],
            }
        )
    return {
        "tiers": _tier_lists(settings, per_customer, limit),
        "priorities": [
            {"priority": p, "count": int((customers["priority"] == p).sum())} for p in PRIORITY_ORDER
        ],
        "p1": p1,
        "more": max(0, int((ordered["priority"] == PRIORITY_FIRST).sum()) - limit),
    }


def _tier_lists(settings: Settings, per_customer: pd.DataFrame, limit: int) -> list[Context]:
    """Each tier's customers (the first ``limit`` named, the rest counted) and its playbook actions."""
    tiers = []
    for tier in (1, 2, 3, 4):
        names = [str(name) for name in per_customer.loc[per_customer["tier"] == tier, "customer"]]
        others = [settings.label("summary.others", count=len(names) - limit)] if len(names) > limit else []
        tiers.append(
            {
                "label": settings.label(f"values.tier.{tier}"),
                "count": len(names),
                "customers": names[:limit] + others,
                "actions": actions_text(settings, settings.get(f"playbook.tier{tier}"), "; "),
            }
        )
    return tiers


# ------------------------------------------------------------------- money ---
def _receivables(receivables: Receivables | None, settings: Settings) -> Context | None:
    """Collections per month against plan, and the customers behind (the largest shortfalls first)."""
    if receivables is None:
        return None
    by_month = receivables.by_month
    dating = spans_years(by_month), has_years(by_month)
    months: list[Context] = [
        {
            "month": int(month["month"]),
            "label": month_heading(settings, period, *dating),
            "plan": as_number(month["plan"]),
            "actual": as_number(month["actual"]),
            "cum_rate": as_number(month["cum_rate"]),
        }
        for month, period in zip(by_month.to_dict("records"), periods(by_month), strict=True)
    ]
    limit = int(settings.get("summary.list_rows"))
    behind = _behind_customers(receivables.rows, settings)
    palette = _palette(settings)
    chart = svg.columns(
        settings.label("report.charts.receivables"),
        [str(month["month"]) for month in months],
        [
            (settings.label("report.cols.plan"), [month["plan"] for month in months], palette["plan"]),
            (settings.label("report.cols.actual"), [month["actual"] for month in months], palette["actual"]),
        ],
        line=(
            settings.label("report.cols.cum_rate"),
            [month["cum_rate"] for month in months],
            palette["line"],
        ),
        palette=palette,
    )
    more = max(0, len(behind) - limit)
    done = list(periods(by_month) <= receivables.last_period) if receivables.last_period is not None else []
    return {
        "summary": receivables.summary,
        "rate_tone": rate_tone(settings, receivables.summary["collection_rate"]),
        "months": [month for month, happened in zip(months, done, strict=False) if happened],
        "behind": behind[:limit],
        "behind_more": more,
        "chart": chart,
    }


def _behind_customers(rows: pd.DataFrame, settings: Settings) -> list[Context]:
    """The customers behind on all their lines together (``customers_behind``: 朗通, one product late but
    96.7 % in all, is not), their lines summed, the late products named; the largest shortfall first."""
    names = customers_behind(rows, settings.get("receivables.behind"))
    found: list[Context] = []
    for name in names:
        lines = rows[rows["customer"].astype(str) == name]
        late = lines[lines["behind"].fillna(False).astype(bool)]
        plan, actual = float(lines["plan_to_date"].sum()), float(lines["actual_to_date"].sum())
        products = [str(product) for product in late.get("product", pd.Series(dtype=object)).dropna()]
        found.append(
            {
                "customer": name,
                "product": settings.label("ui.list_sep").join(products),
                "plan_to_date": plan,
                "actual_to_date": actual,
                "rate": actual / plan,  # customers_behind keeps only a plan above zero
                "balance": as_number(lines["balance"].sum(min_count=1)),
            }
        )
    return sorted(found, key=lambda row: row["actual_to_date"] - row["plan_to_date"])


def _pnl(pnl: PnL | None, settings: Settings) -> Context | None:
    """Each month's revenue, expense and profit, and the three to date against plan."""
    if pnl is None:
        return None
    dating = spans_years(pnl.months), has_years(pnl.months)
    rows: list[Context] = [
        {
            "month": int(month["month"]),
            "label": month_heading(settings, period, *dating),
            **{
                f"{group}_{measure}": as_number(month.get(f"{group}_{measure}"))
                for group in ("revenue", "expense", "profit")
                for measure in ("plan", "actual", "variance")
            },
        }
        for month, period in zip(pnl.months.to_dict("records"), periods(pnl.months), strict=True)
    ]
    last = pnl.summary.get("last_month")
    to_date, now_at = [], -1
    if last:
        now_at = pnl.last_period if pnl.last_period is not None else last - 1
        done = [row for row, period in zip(rows, periods(pnl.months), strict=True) if period <= now_at]
        for group, good in (("revenue", True), ("expense", False), ("profit", True)):
            plan = sum(row[f"{group}_plan"] or 0 for row in done)
            actual = sum(row[f"{group}_actual"] or 0 for row in done)
            to_date.append(
                {
                    "label": settings.label(f"report.groups.{group}"),
                    "plan": plan,
                    "actual": actual,
                    "variance": actual - plan,
                    "pct": (actual - plan) / abs(plan) if plan else None,
                    "tone": variance_tone(settings, actual - plan, plan, good),
                }
            )
    happened = [
        row for row, period in zip(rows, periods(pnl.months), strict=True) if last and period <= now_at
    ]
    return {
        "summary": pnl.summary,
        "months": happened,
        "to_date": to_date,
        "last_month": last,
    }


def _activity_headings(activities: Activities, settings: Settings) -> dict[int, str]:
    """Each month key of the activity plan's summary (calc.months.month_key) as its heading: 一月, or
    2025-11 when the plan runs into a second year."""
    by_month = activities.by_month
    if "period" not in by_month.columns:
        return {int(month): settings.label(f"values.month.{int(month)}") for month in by_month["month"]}
    spanning, dated = spans_years(by_month), has_years(by_month)
    pairs = zip(by_month["month"], by_month["period"], strict=True)
    return {int(month): month_heading(settings, int(period), spanning, dated) for month, period in pairs}


def _activities(activities: Activities | None, settings: Settings) -> Context | None:
    """The activities' budget per month against the advertising plan, the largest activities, by owner."""
    if activities is None:
        return None
    summary, label = activities.summary, settings.label
    advertising = summary.get("advertising_plan") or {}
    headings = _activity_headings(activities, settings)
    months: list[Context] = [
        {
            "month": month,
            "label": headings[month],
            "budget": budget,
            "advertising_plan": advertising.get(month),
            "over": month in summary["over_advertising"],
        }
        for month, budget in sorted(summary["by_month"].items())
    ]
    rows: list[Context] = [
        {
            "activity": activity["activity"],
            "owner": _text_or_blank(activity["owner"]),
            "budget": as_number(activity["budget_used"]),
            "months": label("ui.list_sep").join(
                label(f"values.month.{month}") for month in activity["months"]
            ),
        }
        for activity in activities.rows.head(int(settings.get("summary.list_rows"))).to_dict("records")
    ]
    over = label("ui.list_sep").join(headings[month] for month in summary["over_advertising"])
    owners = [
        {
            "owner": owner["owner"] or label("report.cols.no_owner"),
            "budget": owner["budget"],
            "activities": owner["activities"],
        }
        for owner in summary["by_owner"]
    ]
    return {
        "budget": summary["budget"],
        "count": len(activities.rows),
        "rows": rows,
        "more": len(activities.rows) - len(rows),
        "months": months,
        "owners": owners,
        "sentence": label(
            "summary.text.activities_total", count=len(activities.rows), budget=money(summary["budget"])
        ),
        "over": label("summary.text.over_advertising", months=over) if over else None,
    }


# -------------------------------------------------------------------- time ---
def _time(results: Results, settings: Settings) -> Context | None:
    if results.time is None and results.groups is None:
        return None
    out: Context = {"quadrants": None, "groups": None}
    if results.time is not None:
        out |= _quadrants(settings, *results.time)
    if results.groups is not None:
        out |= _groups(settings, results.groups)
    return out


def _quadrants(settings: Settings, by_quadrant: pd.DataFrame, summary: Mapping[str, Any]) -> Context:
    """Tasks and hours per urgent/important quadrant, and the sentence that sums them up."""
    quadrants: list[Context] = [
        {
            "quadrant": row["quadrant"],
            "label": settings.label(f"values.quadrant.{row['quadrant']}"),
            "tasks": int(row["tasks"]),
            "hours": float(row["hours"]),
            "share": as_number(row["share"]),
        }
        for row in by_quadrant.to_dict("records")
    ]
    sentence = settings.label(
        "summary.text.time_total",
        tasks=summary["tasks"],
        hours=number(summary["hours"]),
        m2=pct(summary["m2_share"]),
        completion=pct(summary["completion_rate"]),
    )
    return {"quadrants": quadrants, "sentence": sentence}


def _groups(settings: Settings, groups: pd.DataFrame) -> Context:
    """Customers and time per priority group, against the course's guideline."""
    rows: list[Context] = [
        {
            "label": settings.label(f"values.group.{row['group']}"),
            "customers": int(row["customers"]),
            "hours": as_number(row["hours"]),
            "customer_share": as_number(row["customer_share"]),
            "time_share": as_number(row["time_share"]),
            "guideline_time": as_number(row["guideline_time"]),
            "time_gap": as_number(row["time_gap"]),
        }
        for row in groups.to_dict("records")
    ]
    chart = svg.hbars(
        settings.label("report.charts.guideline"),
        [(row["label"], row["time_share"] or 0.0, pct(row["time_share"])) for row in rows],
        marks=[row["guideline_time"] for row in rows],
        mark_label=settings.label("report.cols.guideline_time"),
        palette=_palette(settings),
    )
    return {"groups": rows, "group_chart": chart}


# ------------------------------------------------------------------ issues ---
def _issues(results: Results, settings: Settings) -> Context:
    ordered = by_severity(results.issues)
    counts = {
        severity: sum(1 for issue in results.issues if issue.severity == severity)
        for severity in ("error", "warning", "info")
    }
    limit = int(settings.get("summary.issue_rows"))
    return {
        "rows": [
            {
                "severity": i.severity,
                "severity_label": settings.label(f"ui.{i.severity}"),
                "code": i.code,
                "sheet": i.sheet or "",
                "cell": i.cell or "",
                "message": settings.message(i),
            }
            for i in ordered[:limit]
        ],
        "counts": counts,
        "more": max(0, len(ordered) - limit),
    }


# ---------------------------------------------------------------- rendering ---
def md_cell(value: Any) -> str:
    """Text safe inside a Markdown table cell: no pipes, line breaks or markup from the input."""
    if value is None:
        return ""
    text = str(value).replace("\r", " ").replace("\n", " ")
    for ch in "\\`*_[]<>|#":
        text = text.replace(ch, "\\" + ch)
    return text


@lru_cache(maxsize=4)
def _environment(kind: str, user_dir: str) -> Any:
    import jinja2

    shipped = str(resources.files("kamxl.templates"))
    loaders = [jinja2.FileSystemLoader(user_dir)] if user_dir else []
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([*loaders, jinja2.FileSystemLoader(shipped)]),
        autoescape=kind == "html",
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(money=money, pct=pct, number=number, md=md_cell)
    return env


def render_summary(
    results: Results,
    settings: Settings,
    kind: str,
    workbook_name: str | None = None,
    context: Context | None = None,
) -> str:
    """The summary as Markdown ("md") or HTML ("html") text."""
    context = context or summary_context(results, settings, workbook_name)
    env = _environment(kind, str(settings.get("summary.template_dir") or ""))
    text = str(env.get_template(TEMPLATES[kind]).render(**context, L=settings.label))
    return with_forms_section(text, results, settings, kind)


def write_summary(
    results: Results, out_dir: Path, stem: str, settings: Settings
) -> tuple[list[Path], list[Issue]]:
    """Write both summaries atomically; returns their paths."""
    context = summary_context(results, settings, f"{stem}.kamxl.xlsx")
    written = []
    for kind in ("md", "html"):
        target = Path(out_dir) / f"{stem}.summary.{kind}"
        text = render_summary(results, settings, kind, context=context)
        with atomic_path(target) as tmp:
            tmp.write_text(text, "utf-8")
        written.append(target)
    return written, []
