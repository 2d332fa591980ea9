"""<stem>.summary.md and <stem>.summary.html: the review summary a director reads.

It follows the course's regional marketing plan: 计划摘要, 客户贡献, 漏斗与健康度,
客户策略, 应收, 损益, 活动, 时间管理, 问题清单. One context is built from the
results (numbers stay numbers; sentences are formatted here, from the label
catalogue) and rendered by two Jinja2 templates shipped in ``templates/``.
A user's ``summary.template_dir`` may hold their own copies.
"""

from __future__ import annotations

import math
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from kamxl import __version__
from kamxl.config import Settings
from kamxl.issues import Issue
from kamxl.results import Results
from kamxl.write import svg
from kamxl.write.files import atomic_path
from kamxl.write.words import actions_text, health_text, value_label

SECTIONS = (
    "plan",
    "contribution",
    "funnel",
    "strategy",
    "receivables",
    "pnl",
    "activities",
    "time",
    "issues",
)
TEMPLATES = {"md": "summary.md.j2", "html": "summary.html.j2"}
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
PRIORITY_ORDER = {"P1": 0, "P2": 1, "P3": 2, "P4": 3}


# ------------------------------------------------------------------ numbers ---
def _num(value) -> float | None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) or math.isinf(v) else v


def money(value, signed: bool = False) -> str:
    """1234567 → 1,234,567; cents only where there are any; − for negatives."""
    v = _num(value)
    if v is None:
        return "—"
    text = f"{abs(v):,.0f}" if abs(v - round(v)) < 0.005 else f"{abs(v):,.2f}"
    sign = "−" if v < 0 and text.strip("0.,") else ("+" if signed and v > 0 else "")
    return sign + text


def pct(value, signed: bool = False) -> str:
    v = _num(value)
    if v is None:
        return "—"
    text = f"{abs(v):.1%}" if v == 0 or abs(v) >= 0.0005 else "<0.1%"  # one of 13,000 customers is not 0.0 %
    return ("−" if v < 0 and text != "0.0%" else ("+" if signed and v > 0 else "")) + text


def number(value) -> str:
    v = _num(value)
    if v is None:
        return "—"
    return f"{v:,.0f}" if v == int(v) else f"{v:,.3f}".rstrip("0").rstrip(".")


def tone(value, good_when_positive: bool = True) -> str:
    """ "good"/"bad"/"" for colouring a variance."""
    v = _num(value)
    if not v:
        return ""
    return "good" if (v > 0) == good_when_positive else "bad"


# ------------------------------------------------------------------ context ---
def summary_context(results: Results, settings: Settings, workbook_name: str | None = None) -> dict[str, Any]:
    """Everything the templates show, in the chosen language; charts as inline SVG."""
    S = settings.label
    r = results
    period = _period(r)
    ctx: dict[str, Any] = {
        "lang": "zh-CN" if settings.lang == "zh" else "en",
        "title": S("summary.title", source=r.source.name),
        "meta": S("summary.meta", as_of=r.as_of.isoformat(), period=period, version=__version__),
        "workbook_note": S("summary.workbook_note", workbook=workbook_name) if workbook_name else None,
        "sections": [(key, S(f"summary.sections.{key}")) for key in SECTIONS],
    }
    limit = int(settings.get("summary.top_rows"))
    ctx["contribution"] = _contribution(r, settings, limit)
    ctx["funnel"] = _funnel(r, settings)
    ctx["strategy"] = _strategy(r, settings)
    ctx["receivables"] = _receivables(r, settings)
    ctx["pnl"] = _pnl(r, settings)
    ctx["activities"] = _activities(r, settings)
    ctx["time"] = _time(r, settings)
    ctx["issues"] = _issues(r, settings)
    ctx["history"] = _history(r, settings)
    ctx["plan"] = _plan(r, settings, ctx)
    return ctx


def _period(r: Results) -> str:
    if r.calendar:
        return f"{r.calendar['year']}-{r.calendar['month']:02d}"
    return f"{r.as_of.year}-{r.as_of.month:02d}"


def _plan(r: Results, s: Settings, ctx: dict) -> dict:
    """The key figures and what they say, one sentence each."""
    S = s.label
    figures: list[dict] = []
    points: list[str] = []
    if r.pnl is not None:
        p = r.pnl.summary
        m = p.get("last_month")
        if m:
            months = r.pnl.months.set_index("month")
            rev_plan = float(months.loc[:m, "revenue_plan"].sum())
            rev_act = float(months.loc[:m, "revenue_actual"].sum())
            var = rev_act - rev_plan
            points.append(
                S(
                    "summary.text.revenue_to_date",
                    month=m,
                    actual=money(rev_act),
                    plan=money(rev_plan),
                    variance=money(var, True),
                    pct=pct(var / abs(rev_plan), True) if rev_plan else "—",
                )
            )
            figures.append(
                {"label": S("report.summary.revenue_actual"), "value": money(rev_act), "tone": tone(var)}
            )
            pvar = p["profit_actual"] - p["profit_plan_to_date"]
            points.append(
                S(
                    "summary.text.profit_to_date",
                    month=m,
                    actual=money(p["profit_actual"]),
                    plan=money(p["profit_plan_to_date"]),
                    variance=money(pvar, True),
                    pct=pct(pvar / abs(p["profit_plan_to_date"]), True) if p["profit_plan_to_date"] else "—",
                )
            )
            figures.append(
                {
                    "label": S("report.summary.profit_actual"),
                    "value": money(p["profit_actual"]),
                    "tone": tone(pvar),
                }
            )
            if m - 1 in months.index:
                now, before = _num(months.at[m, "revenue_actual"]), _num(months.at[m - 1, "revenue_actual"])
                if now is not None and before:
                    change = now / before - 1
                    direction = "up" if change > 0.0005 else "down" if change < -0.0005 else "same"
                    points.append(
                        S(
                            "summary.text.growth",
                            month=m,
                            previous=m - 1,
                            actual=money(now),
                            pct=pct(abs(change)),
                            direction=S(f"summary.text.growth_{direction}"),
                        )
                    )
        figures.append(
            {"label": S("report.summary.profit_plan"), "value": money(p["profit_plan"]), "tone": ""}
        )
    if r.receivables is not None:
        rs = r.receivables.summary
        figures.append(
            {
                "label": S("report.summary.collection_rate"),
                "value": pct(rs["collection_rate"]),
                "tone": "bad" if rs["behind"] else "",
            }
        )
        points.append(
            S(
                "summary.text.collections",
                rate=pct(rs["collection_rate"]),
                month=rs["last_month"] or "—",
                balance=money(rs["balance"]),
                behind=len(rs["behind"]),
            )
        )
    if r.funnel is not None:
        f = ctx["funnel"]
        figures.append(
            {"label": S("report.summary.weighted_pipeline"), "value": money(f["weighted_total"]), "tone": ""}
        )
        figures.append({"label": S("report.summary.health"), "value": f["grade"], "tone": f["tone"]})
        points.append(
            S(
                "summary.text.pipeline",
                open=f["open"],
                weighted=money(f["weighted_total"]),
                health=f["grade"],
                rule=f["rule"],
            )
        )
    if r.time is not None:
        figures.append(
            {"label": S("report.summary.m2_share"), "value": pct(r.time[1]["m2_share"]), "tone": ""}
        )
    monthly = None
    if r.monthly is not None and not r.monthly.empty:
        rows = r.monthly
        behind = int(rows["behind"].fillna(False).astype(bool).sum())
        points.append(S("summary.text.plans_behind", behind=behind, total=len(rows)))
        monthly = [
            {
                "indicator": x["indicator"],
                "target": _num(x["target"]),
                "actual": _num(x["actual"]),
                "attainment": _num(x["attainment"]),
                "behind": bool(x["behind"])
                if x["behind"] is not None and not pd.isna(x["behind"])
                else False,
            }
            for x in rows.to_dict("records")
        ]
    if ctx.get("history") and ctx["history"]["moves"]:
        points.append(ctx["history"]["moves"]["sentence"])
    counts = ctx["issues"]["counts"]
    points.append(S("summary.text.issues_count", errors=counts["error"], warnings=counts["warning"]))
    return {"figures": figures, "points": points, "monthly": monthly}


def _ranked(found, s: Settings, limit: int, what: str) -> dict | None:
    if found is None:
        return None
    table, summary = found
    if len(table) == limit + 1:  # "1 other" says less than its name
        limit += 1
    rows = [
        {
            "name": x["name"],
            "value": x["value"],
            "share": _num(x["share"]),
            "cum_share": _num(x["cum_share"]),
            "top": bool(x["top"]),
        }
        for x in table.head(limit).to_dict("records")
    ]
    rest = table.iloc[limit:]
    others = None
    if len(rest):
        others = {
            "name": s.label("summary.others", count=len(rest)),
            "value": float(rest["value"].sum()),
            "share": float(rest["value"].sum()) / summary["total"] if summary["total"] > 0 else None,
        }
    sentence = None
    if summary["top_share"] is not None:
        sentence = s.label(
            f"summary.text.top_{what}",
            top_count=summary["top_count"],
            top_pct=pct(s.get("contribution.top_share")).replace(".0%", "%"),
            share=pct(summary["top_share"]),
            count=summary["count"],
        )
    chart_rows = [(x["name"], max(x["value"], 0.0), f"{money(x['value'])} · {pct(x['share'])}") for x in rows]
    if others:
        chart_rows.append(
            (others["name"], max(others["value"], 0.0), f"{money(others['value'])} · {pct(others['share'])}")
        )
    return {
        "rows": rows,
        "others": others,
        "total": summary["total"],
        "sentence": sentence,
        "basis": s.label(f"summary.text.basis_{summary['basis']}"),
        "chart": svg.hbars(s.label("summary.sections.contribution"), chart_rows, rest=others is not None),
    }


def _contribution(r: Results, s: Settings, limit: int) -> dict | None:
    if r.contribution is None:
        return None
    return {
        "customers": _ranked(r.contribution.get("customers"), s, limit, "customers"),
        "products": _ranked(r.contribution.get("products"), s, limit, "products"),
    }


def _funnel(r: Results, s: Settings) -> dict | None:
    if r.funnel is None:
        return None
    f = r.funnel
    grade, rule = r.health
    total = int(f["count"].sum())
    rows = [
        {
            "class": c,
            "label": s.label(f"values.class.{c}"),
            "count": int(f.at[c, "count"]),
            "share": f.at[c, "count"] / total if total else None,
            "amount": float(f.at[c, "amount"]),
            "weighted": float(f.at[c, "weighted"]),
        }
        for c in f.index
    ]
    chart = svg.funnel(
        s.label("report.charts.funnel"),
        [(x["label"], x["count"], f"{x['count']} · {money(x['amount'])}") for x in reversed(rows)],
    )
    return {
        "rows": rows,
        "open": total,
        "amount": float(f["amount"].sum()),
        "weighted_total": float(f["weighted"].sum()),
        "grade": s.label(f"values.health.{grade}"),
        "rule": health_text(s, rule),
        "tone": "good" if grade in ("excellent", "good") else "bad",
        "chart": chart,
    }


def _history(r: Results, s: Settings) -> dict | None:
    """Month over month, when a history was kept and has more than this review."""
    h = r.history
    if h is None or len(h["trends"]) < 2:
        return None
    trends = h["trends"].to_dict("records")
    rows = [
        {
            "period": t["period"],
            **{c: t[c] for c in ("A", "B", "C", "D")},
            "open": t["open"],
            "collection_rate": _num(t["collection_rate"]),
            "profit_plan": _num(t["profit_plan"]),
            "profit_actual": _num(t["profit_actual"]),
            "health": s.label(f"values.health.{t['health']}") if isinstance(t["health"], str) else "",
        }
        for t in trends
    ]
    colours = {"A": "#2F5597", "B": "#5B9BD5", "C": "#EF6C00", "D": "#A6A6A6"}
    chart = svg.columns(
        s.label("report.charts.trend_funnel"),
        [x["period"] for x in rows],
        [
            (
                s.label(f"values.class.{c}"),
                [float(x[c]) if x[c] is not None else None for x in rows],
                colours[c],
            )
            for c in "ABCD"
        ],
        line=(
            s.label("report.cols.collection_rate"),
            [x["collection_rate"] for x in rows],
            svg.PALETTE["line"],
        ),
    )
    out: dict[str, Any] = {
        "title": s.label("summary.text.trends", region=h["region"]),
        "rows": rows,
        "chart": chart,
        "moves": None,
        "stuck": None,
    }
    if h.get("movement") is not None:
        moves = h["movement"]
        counts = moves["move"].value_counts()
        summary = (
            "、".join(
                f"{s.label(f'values.move.{m}')} {int(counts[m])}"
                for m in ("up", "down", "same", "new", "won", "lost", "dropped")
                if m in counts
            )
            if s.lang == "zh"
            else ", ".join(
                f"{int(counts[m])} {s.label(f'values.move.{m}')}"
                for m in ("up", "down", "same", "new", "won", "lost", "dropped")
                if m in counts
            )
        )
        moved = moves[moves["move"] != "same"]
        limit = int(s.get("summary.list_rows"))
        out["moves"] = {
            "sentence": s.label("summary.text.movement", previous=h["previous_period"], counts=summary),
            "more": max(0, len(moved) - limit),
            "rows": [
                {
                    "customer": m["customer"],
                    "project": m["project"] if isinstance(m["project"], str) else "",
                    "previous": _class_label(s, m["previous"]),
                    "current": _class_label(s, m["current"]),
                    "move": s.label(f"values.move.{m['move']}"),
                    "tone": "good"
                    if m["move"] in ("up", "won")
                    else "bad"
                    if m["move"] in ("down", "lost", "dropped")
                    else "",
                }
                for m in moved.head(limit).to_dict("records")
            ],
            "conversion": [
                {"step": k.replace("won", s.label("values.move.won")), "rate": v}
                for k, v in h["conversion"].items()
            ],
        }
    if h.get("stuck") is not None:
        stuck = h["stuck"]
        limit = int(s.get("summary.list_rows"))
        out["stuck"] = {
            "sentence": s.label("summary.text.stuck", count=len(stuck), share=pct(h.get("stuck_share"))),
            "more": max(0, len(stuck) - limit),
            "rows": [
                {
                    "customer": x["customer"],
                    "project": x["project"] if isinstance(x["project"], str) else "",
                    "classes": " → ".join(x["classes"]),
                }
                for x in stuck.head(limit).to_dict("records")
            ],
        }
    return out


def _class_label(s: Settings, code) -> str:
    if not isinstance(code, str):
        return "—"
    return s.label(f"values.move.{code}") if code in ("won", "lost") else s.label(f"values.class.{code}")


def _strategy(r: Results, s: Settings) -> dict | None:
    c = r.customers
    if c is None:
        return None
    per_customer = c.drop_duplicates("customer")
    tiers = []
    shown_names = int(s.get("summary.list_rows"))
    for t in (1, 2, 3, 4):
        names = [str(n) for n in per_customer.loc[per_customer["tier"] == t, "customer"]]
        listed = names[:shown_names] + (
            [s.label("summary.others", count=len(names) - shown_names)] if len(names) > shown_names else []
        )
        tiers.append(
            {
                "label": s.label(f"values.tier.{t}"),
                "count": len(names),
                "customers": listed,
                "actions": actions_text(s, s.get(f"playbook.tier{t}"), "; "),
            }
        )
    priorities = [{"priority": p, "count": int((c["priority"] == p).sum())} for p in PRIORITY_ORDER]
    ordered = c.assign(_p=c["priority"].map(PRIORITY_ORDER).fillna(9), _a=-c["amount"].fillna(0)).sort_values(
        ["_p", "_a"], kind="stable"
    )
    limit = int(s.get("summary.list_rows"))
    shown = ordered[ordered["priority"].notna()]
    rows = [
        {
            "priority": x["priority"],
            "customer": x["customer"],
            "project": x.get("project") if isinstance(x.get("project"), str) else "",
            "tier": value_label(s, "tier", x["tier"]) or "",
            "class": x["class"] if isinstance(x["class"], str) else "",
            "amount": _num(x["amount"]),
            "actions": actions_text(s, x["actions"], "; "),
        }
        for x in shown.head(limit).to_dict("records")
    ]
    placed = (
        per_customer[["advantage", "attractiveness", "customer", "tier"]]
        .assign(
            advantage=lambda d: pd.to_numeric(d["advantage"], errors="coerce"),
            attractiveness=lambda d: pd.to_numeric(d["attractiveness"], errors="coerce"),
            tier=lambda d: pd.to_numeric(d["tier"], errors="coerce"),
        )
        .dropna(subset=["advantage", "attractiveness", "tier"])
    )
    points = list(
        zip(
            placed["advantage"].astype(float).tolist(),
            placed["attractiveness"].astype(float).tolist(),
            placed["customer"].astype(str).tolist(),
            placed["tier"].astype(int).tolist(),
        )
    )
    quadrants = {
        (True, True): s.label("values.tier.1"),
        (False, True): s.label("values.tier.2"),
        (True, False): s.label("values.tier.3"),
        (False, False): s.label("values.tier.4"),
    }
    if len(points) > int(
        s.get("charts.max_labels")
    ):  # thousands of names on one chart say nothing: dots only, each place once
        points = list(dict.fromkeys((x, y, "", t) for x, y, _, t in points))
    chart = (
        svg.scatter(
            s.label("report.charts.tiers"),
            points,
            float(s.get("tier.high_threshold")),
            s.label("report.cols.advantage"),
            s.label("report.cols.attractiveness"),
            quadrants,
        )
        if points
        else None
    )
    return {
        "tiers": tiers,
        "priorities": priorities,
        "rows": rows,
        "more": max(0, len(shown) - limit),
        "chart": chart,
    }


def _receivables(r: Results, s: Settings) -> dict | None:
    rec = r.receivables
    if rec is None:
        return None
    m = rec.by_month
    months = [
        {
            "month": int(x["month"]),
            "label": s.label(f"values.month.{int(x['month'])}"),
            "plan": _num(x["plan"]),
            "actual": _num(x["actual"]),
            "cum_rate": _num(x["cum_rate"]),
        }
        for x in m.to_dict("records")
    ]
    behind = rec.rows[rec.rows["behind"].fillna(False).astype(bool)]
    limit = int(s.get("summary.list_rows"))
    if len(behind) > limit:  # the largest shortfalls first
        behind = behind.assign(
            _gap=behind["plan_to_date"].fillna(0) - behind["actual_to_date"].fillna(0)
        ).sort_values("_gap", ascending=False, kind="stable")
    behind_rows = [
        {
            "customer": x["customer"],
            "product": x.get("product") if isinstance(x.get("product"), str) else "",
            "plan_to_date": _num(x["plan_to_date"]),
            "actual_to_date": _num(x["actual_to_date"]),
            "rate": _num(x["rate_to_date"]),
            "balance": _num(x["balance"]),
        }
        for x in behind.head(limit).to_dict("records")
    ]
    chart = svg.columns(
        s.label("report.charts.receivables"),
        [str(x["month"]) for x in months],
        [
            (s.label("report.cols.plan"), [x["plan"] for x in months], svg.PALETTE["plan"]),
            (s.label("report.cols.actual"), [x["actual"] for x in months], svg.PALETTE["actual"]),
        ],
        line=(s.label("report.cols.cum_rate"), [x["cum_rate"] for x in months], svg.PALETTE["line"]),
    )
    return {
        "summary": rec.summary,
        "months": months,
        "behind": behind_rows,
        "behind_more": max(0, len(behind) - limit),
        "chart": chart,
    }


def _pnl(r: Results, s: Settings) -> dict | None:
    if r.pnl is None:
        return None
    p = r.pnl.summary
    months = r.pnl.months
    rows = []
    for x in months.to_dict("records"):
        rows.append(
            {
                "month": int(x["month"]),
                "label": s.label(f"values.month.{int(x['month'])}"),
                **{
                    f"{g}_{k}": _num(x.get(f"{g}_{k}"))
                    for g in ("revenue", "expense", "profit")
                    for k in ("plan", "actual", "variance")
                },
            }
        )
    last = p.get("last_month")
    to_date = []
    if last:
        for g, good in (("revenue", True), ("expense", False), ("profit", True)):
            plan = sum(x[f"{g}_plan"] or 0 for x in rows if x["month"] <= last)
            actual = sum(x[f"{g}_actual"] or 0 for x in rows if x["month"] <= last)
            to_date.append(
                {
                    "label": s.label(f"report.groups.{g}"),
                    "plan": plan,
                    "actual": actual,
                    "variance": actual - plan,
                    "pct": (actual - plan) / abs(plan) if plan else None,
                    "tone": tone(actual - plan, good),
                }
            )
    chart = svg.columns(
        s.label("report.charts.pnl"),
        [str(x["month"]) for x in rows],
        [
            (s.label("report.cols.pnl_profit_plan"), [x["profit_plan"] for x in rows], svg.PALETTE["plan"]),
            (
                s.label("report.cols.pnl_profit_actual"),
                [x["profit_actual"] for x in rows],
                svg.PALETTE["actual"],
            ),
        ],
    )
    return {"summary": p, "months": rows, "to_date": to_date, "last_month": last, "chart": chart}


def _activities(r: Results, s: Settings) -> dict | None:
    a = r.activities
    if a is None:
        return None
    summary = a.summary
    ad = summary.get("advertising_plan") or {}
    months = [
        {
            "month": m,
            "label": s.label(f"values.month.{m}"),
            "budget": b,
            "advertising_plan": ad.get(m),
            "over": m in summary["over_advertising"],
        }
        for m, b in sorted(summary["by_month"].items())
    ]
    series = [
        (s.label("report.cols.activities_budget"), [x["budget"] for x in months], svg.PALETTE["actual"])
    ]
    if ad:
        series.insert(
            0,
            (
                s.label("report.cols.advertising_plan"),
                [x["advertising_plan"] for x in months],
                svg.PALETTE["plan"],
            ),
        )
    rows = [
        {
            "activity": x["activity"],
            "owner": x["owner"] if isinstance(x["owner"], str) else "",
            "budget": _num(x["budget_used"]),
            "months": "、".join(s.label(f"values.month.{m}") for m in x["months"]),
        }
        for x in a.rows.head(int(s.get("summary.list_rows"))).to_dict("records")
    ]
    over = "、".join(s.label(f"values.month.{m}") for m in summary["over_advertising"])
    return {
        "budget": summary["budget"],
        "count": len(a.rows),
        "rows": rows,
        "more": len(a.rows) - len(rows),
        "months": months,
        "owners": [
            {
                "owner": o["owner"] or s.label("report.cols.no_owner"),
                "budget": o["budget"],
                "activities": o["activities"],
            }
            for o in summary["by_owner"]
        ],
        "sentence": s.label(
            "summary.text.activities_total", count=len(a.rows), budget=money(summary["budget"])
        ),
        "over": s.label("summary.text.over_advertising", months=over) if over else None,
        "chart": svg.columns(s.label("report.charts.activities"), [str(x["month"]) for x in months], series),
    }


def _time(r: Results, s: Settings) -> dict | None:
    if r.time is None and r.groups is None:
        return None
    out: dict[str, Any] = {"quadrants": None, "groups": None}
    if r.time is not None:
        q, summary = r.time
        quads = [
            {
                "quadrant": x["quadrant"],
                "label": s.label(f"values.quadrant.{x['quadrant']}"),
                "tasks": int(x["tasks"]),
                "hours": float(x["hours"]),
                "share": _num(x["share"]),
            }
            for x in q.to_dict("records")
        ]
        out["quadrants"] = quads
        out["sentence"] = s.label(
            "summary.text.time_total",
            tasks=summary["tasks"],
            hours=number(summary["hours"]),
            m2=pct(summary["m2_share"]),
            completion=pct(summary["completion_rate"]),
        )
        out["quadrant_chart"] = svg.hbars(
            s.label("report.charts.time"),
            [(f"{x['quadrant']} {x['label']}", x["hours"], number(x["hours"])) for x in quads],
        )
    if r.groups is not None:
        groups = [
            {
                "label": s.label(f"values.group.{x['group']}"),
                "customers": int(x["customers"]),
                "hours": _num(x["hours"]),
                "customer_share": _num(x["customer_share"]),
                "time_share": _num(x["time_share"]),
                "guideline_time": _num(x["guideline_time"]),
                "time_gap": _num(x["time_gap"]),
            }
            for x in r.groups.to_dict("records")
        ]
        out["groups"] = groups
        out["group_chart"] = svg.hbars(
            s.label("report.charts.guideline"),
            [(x["label"], x["time_share"] or 0.0, pct(x["time_share"])) for x in groups],
            marks=[x["guideline_time"] for x in groups],
            mark_label=s.label("report.cols.guideline_time"),
        )
    return out


def _issues(r: Results, s: Settings) -> dict:
    ordered = sorted(r.issues, key=lambda i: SEVERITY_ORDER.get(i.severity, 3))
    counts = {sev: sum(1 for i in r.issues if i.severity == sev) for sev in ("error", "warning", "info")}
    limit = int(s.get("summary.issue_rows"))
    return {
        "rows": [
            {
                "severity": i.severity,
                "severity_label": s.label(f"ui.{i.severity}"),
                "code": i.code,
                "sheet": i.sheet or "",
                "cell": i.cell or "",
                "message": s.message(i),
            }
            for i in ordered[:limit]
        ],
        "counts": counts,
        "more": max(0, len(ordered) - limit),
    }


# ---------------------------------------------------------------- rendering ---
def md_cell(value) -> str:
    """Text safe inside a Markdown table cell: no pipes, line breaks or markup from the input."""
    if value is None:
        return ""
    text = str(value).replace("\r", " ").replace("\n", " ")
    for ch in "\\`*_[]<>|#":
        text = text.replace(ch, "\\" + ch)
    return text


@lru_cache(maxsize=4)
def _environment(kind: str, user_dir: str):
    import jinja2

    shipped = str(resources.files("kamxl.templates"))
    loaders = [jinja2.FileSystemLoader(user_dir)] if user_dir else []
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders + [jinja2.FileSystemLoader(shipped)]),
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
    context: dict | None = None,
) -> str:
    """The summary as Markdown ("md") or HTML ("html") text."""
    ctx = context or summary_context(results, settings, workbook_name)
    env = _environment(kind, str(settings.get("summary.template_dir") or ""))
    return env.get_template(TEMPLATES[kind]).render(**ctx, L=settings.label)


def write_summary(
    results: Results, out_dir: Path, stem: str, settings: Settings
) -> tuple[list[Path], list[Issue]]:
    """Write both summaries atomically; returns their paths."""
    ctx = summary_context(results, settings, f"{stem}.kamxl.xlsx")
    written = []
    for kind in ("md", "html"):
        target = Path(out_dir) / f"{stem}.summary.{kind}"
        text = render_summary(results, settings, kind, context=ctx)
        with atomic_path(target) as tmp:
            tmp.write_text(text, "utf-8")
        written.append(target)
    return written, []
