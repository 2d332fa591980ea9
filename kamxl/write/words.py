"""Codes turned into the words and order every output shows: one place, so workbook and summary agree."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from kamxl.calc.decisions import Decision
from kamxl.calc.funnel import PRIORITY_ORDER
from kamxl.calc.receivables import customers_behind as customers_behind  # its callers import it from here
from kamxl.config import Settings

if TYPE_CHECKING:
    from kamxl.results import Results

# Issues are listed errors first; customers P1 first (a priority kamxl does not know goes last)
UNKNOWN_LAST = 9


def by_priority(customers: pd.DataFrame, keys: Sequence[str] = ()) -> pd.DataFrame:
    """Customers P1 first, then by ``keys`` (e.g. the class), the biggest amount first within each."""
    ranked = customers.assign(
        _p=customers["priority"].map(PRIORITY_ORDER).fillna(UNKNOWN_LAST), _a=-customers["amount"].fillna(0)
    )
    return ranked.sort_values(["_p", *keys, "_a"], kind="stable", na_position="last")


def period_of(results: Results) -> str:
    """The month under review, "2026-03" (decided once, when the results were built)."""
    return str(results.period) if results.period else f"{results.as_of.year}-{results.as_of.month:02d}"


def _missing(value: Any) -> bool:
    """None, NaN, NA or empty text: nothing to show."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))  # None, NaN, NaT, pd.NA
    except (TypeError, ValueError):  # a list of actions is not missing
        return False


def value_label(settings: Settings, vocab: str, code: Any) -> str | None:
    """A code of the method (tier 1, class A, "this_month") in words; None for a blank."""
    if _missing(code):
        return None
    return settings.label(f"values.{vocab}.{int(code) if vocab == 'tier' else code}")


def class_label(settings: Settings, code: Any) -> str | None:
    """A funnel class in words, or won / lost (a customer's place in one month of the history); None: none."""
    if not isinstance(code, str):
        return None
    return settings.label(f"values.move.{code}" if code in ("won", "lost") else f"values.class.{code}")


def move_tone(move: str) -> str:
    """How a customer's move through the funnel reads: "good" (up, won), "bad" (down, lost, dropped) or ""."""
    if move in ("up", "won"):
        return "good"
    return "bad" if move in ("down", "lost", "dropped") else ""


def is_rate_indicator(settings: Settings, item: Mapping[str, Any]) -> bool:
    """Whether a plan's indicator is a rate (费用率 0.12): shown as a percentage beside the other ones."""
    formats = settings.get("formats")
    name = str(item["indicator"]).lower()
    if not any(word.lower() in name for word in formats["rate_indicator_words"]):
        return False
    figures = [item.get(key) for key in ("target", "actual", "last_actual")]
    known = [float(figure) for figure in figures if isinstance(figure, (int, float)) and not _missing(figure)]
    return all(abs(figure) <= formats["rate_indicator_max"] for figure in known)


def rate_tone(settings: Settings, rate: Any) -> str:
    """The colour rule (``formats.behind_below``) for actual ÷ plan: "good" from 100 %, "bad" under the
    behind line, else "" (a 90.6 % collection rate is not red when "behind" means under 90 %)."""
    if _missing(rate) or not isinstance(rate, (int, float)):
        return ""
    if rate >= 1:
        return "good"
    return "bad" if rate < settings.get("formats.behind_below") else ""


def variance_tone(settings: Settings, variance: Any, plan: Any, good_when_positive: bool = True) -> str:
    """The colour rule for a variance from plan, the same as ``rate_tone``'s: on plan (a variance of exactly
    0) or favourable green, unfavourable beyond the behind line red, in between uncoloured
    (docs/method.md, Display: "a figure at or better than plan is green")."""
    if _missing(variance) or _missing(plan):
        return ""
    favourable = not variance or (variance > 0) == good_when_positive
    if favourable:
        return "good"
    if not plan:
        return "bad"
    return "bad" if 1 - abs(variance) / abs(plan) < settings.get("formats.behind_below") else ""


def health_tone(grade: str) -> str:
    """The funnel's grade: 优 green, 良 amber (its rule warns: stuck or bottom-heavy), 中 and 差 red."""
    return {"excellent": "good", "good": "warn"}.get(grade, "bad")


def actions_text(settings: Settings, actions: Any, sep: str = "\n") -> str:
    """The playbook actions, numbered as the course numbers them (cached: a few sets recur on every row)."""
    numbers = tuple(actions) if actions is not None and len(actions) else ()
    return settings.cached(
        ("actions_text", numbers, sep),
        lambda: sep.join(f"{n}. {settings.label(f'actions.{n}')}" for n in numbers),
    )


def health_text(settings: Settings, rule: str) -> str:
    """The rule that decided the funnel's grade, in words, with its threshold."""
    share = {
        "no_back_end": settings.get("health.back_end_min_share"),
        "bottom_heavy": settings.get("health.front_min_share"),
        "stuck": settings.get("health.stuck_share"),
    }
    return settings.label(
        f"values.health_rule.{rule}",
        min_open=settings.get("health.min_open"),
        months=settings.get("health.stuck_months"),
        share=f"{share.get(rule, 0):.0%}",
    )


def counted(settings: Settings, count: int, what: str) -> str:
    """A count with what it counts: "4 个客户", "13 个商机", "5 条明细" (``values.counted.<what>``); one of
    a thing in the singular ("1 customer", ``<what>_one``), never "customer(s)"."""
    return settings.label(f"values.counted.{what}{'_one' if count == 1 else ''}", count=count)


def month_name(settings: Settings, month: Any) -> str:
    """A month of the plan in a sentence: "3 月", "March" (``values.month_long``); "—" when unknown."""
    if _missing(month):
        return "—"
    return settings.label(f"values.month_long.{int(month)}")


def health_label(settings: Settings, grade: str, rule: str) -> str:
    """The grade in words, qualified where the grade alone misleads: 良 says what holds it back (停滞,
    底部过重) and 优 without history says that being stuck was not judged (docs/method.md §4)."""
    return settings.label(f"values.health_grade.{rule}", grade=settings.label(f"values.health.{grade}"))


def trend_health(settings: Settings, grade: Any, rule: Any) -> str | None:
    """A month's grade in the history (趋势, the summary's trend table), qualified by its rule as this
    month's is; a month filed without its rule keeps the bare grade; None: no funnel that month."""
    if not isinstance(grade, str):
        return None
    if not isinstance(rule, str):
        return settings.label(f"values.health.{grade}")
    return health_label(settings, grade, rule)


def health_verdict(settings: Settings, grade: str, rule: str, stuck_share: float | None = None) -> str:
    """The grade with the rule that decided it, and the share measured when stuck: one line that the label,
    its colour (``health_tone``) and the note agree in."""
    return f"{health_label(settings, grade, rule)} — {health_note(settings, rule, stuck_share)}"


def health_note(settings: Settings, rule: str, stuck_share: float | None = None) -> str:
    """The rule that decided the grade, and the stuck share measured when that rule did."""
    text = health_text(settings, rule)
    if rule == "stuck" and isinstance(stuck_share, (int, float)) and not _missing(stuck_share):
        text += settings.label("values.words.health_measured", share=f"{stuck_share:.0%}")
    return text


def action_plan(settings: Settings, record: Mapping[str, Any]) -> str:
    """Who does a P1 customer's actions and by when, from the data: the customer (and project), its owner,
    its expected close (else the likelihood the user wrote) and next step; 未指定 where the data has none."""
    unset = settings.label("values.words.unset")
    name = str(record.get("customer", ""))
    project = record.get("project")
    if not _missing(project):
        name += f" / {project}"
    owner = record.get("owner")
    close = record.get("expected_close")
    if _missing(close):
        when = unset
        likelihood = value_label(settings, "likelihood", record.get("likelihood"))
        if likelihood:
            when += settings.label("values.words.likelihood_hint", likelihood=likelihood)
    else:
        when = pd.Timestamp(close).date().isoformat()
    step = record.get("next_step")
    return settings.label(
        "values.words.action_plan",
        customer=name,
        owner=unset if _missing(owner) else str(owner),
        date=when,
        step=unset if _missing(step) else str(step),
    )


def decision_groups(decisions: Sequence[Decision], top: int) -> list[list[Decision]]:
    """The first ``top`` lines of the ranked decisions, a customer's decisions on one line at the rank of
    its first (海川 pays late and its A deal slipped: one matter to a director, read once, not two lines
    that look like two customers); a decision naming no customer is a line of its own. report.json keeps
    every decision apart, as ranked."""
    groups: list[list[Decision]] = []
    by_customer: dict[str, list[Decision]] = {}
    for decision in decisions:
        customer = decision.evidence.get("customer")
        if isinstance(customer, str) and customer in by_customer:
            by_customer[customer].append(decision)
            continue
        group = [decision]
        if isinstance(customer, str) and customer:
            by_customer[customer] = group
        groups.append(group)
    return groups[:top]


def decision_where(group: Sequence[Decision]) -> str:
    """The input cells of a line of decisions, by sheet: "客户价值评估 R17, Q17; 应收帐款规划表 A15"."""
    cells: dict[str, list[str]] = {}
    for decision in group:
        if decision.sheet:
            found = cells.setdefault(decision.sheet, [])
            if decision.cell and decision.cell not in found:
                found.append(decision.cell)
    return "; ".join(" ".join((sheet, ", ".join(found))).strip() for sheet, found in cells.items())
