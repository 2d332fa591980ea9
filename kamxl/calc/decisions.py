"""Decisions and risks (docs/method.md §14): the facts a manager or director has to decide on, ranked.

The other calculations say how each form reads; this one picks out of
their results what cannot wait for the next review: a 一级 customer behind
on collections, a big A-class deal with a customer who pays late, A-class
deals due 本月内 still open at the review date, a customer stuck in C/D whose
playbook suggests a price cut, expense lines over plan to date, activities
over the advertising budget, monthly targets missed. The rules and their
weights are the settings' ``[decisions]``; each decision carries its
evidence figures and the input cell it comes from, so the reader can check it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

import pandas as pd

from kamxl.calc.calendar import month_end
from kamxl.calc.cells import CellMap, cell_at
from kamxl.calc.receivables import customer_to_date, customers_behind
from kamxl.config import Settings

if TYPE_CHECKING:
    from kamxl.calc.activities import Activities
    from kamxl.calc.pnl import PnL
    from kamxl.calc.receivables import Receivables

KINDS = (
    "tier1_behind",
    "big_deal_late_payer",
    "slipped",
    "stuck_price_cut",
    "expense_over",
    "activities_over_budget",
    "monthly_missed",
)
# evidence keys shown as a share, not as money
SHARES = frozenset({"rate", "share", "attainment"})


@dataclass(frozen=True)
class Decision:
    """One fact to decide on: its rule, how much it weighs, its evidence and where it is in the input."""

    kind: str
    weight: int
    stake: float  # ranks decisions of one weight: money at stake, or the share missed
    sheet: str | None
    cell: str | None
    evidence: dict[str, Any] = field(default_factory=dict)  # the sentence's figures and names

    def severity(self, settings: Settings) -> str:
        """ "high" from ``decisions.high_weight`` up, else "medium"."""
        return "high" if self.weight >= int(settings.get("decisions.high_weight")) else "medium"


@dataclass(frozen=True)
class Inputs:
    """What the rules read: the results of the other calculations (any may be missing)."""

    as_of: dt.date
    month: tuple[int, int] | None = None  # (year, month) under review
    customers: pd.DataFrame | None = None
    receivables: Receivables | None = None
    pnl: PnL | None = None
    activities: Activities | None = None
    monthly: pd.DataFrame | None = None
    stuck: pd.DataFrame | None = None  # kamxl.calc.snapshots.stuck's rows; None without history
    activities_sheet: str | None = None
    cells: Mapping[str, CellMap] = field(default_factory=dict)  # form -> its column letters

    def cell(self, form: str, sheet: Any, name: str, row: Any) -> str | None:
        found = self.cells.get(form)
        return None if found is None or not isinstance(sheet, str) else found.cell(sheet, name, row)


def decide(inputs: Inputs, settings: Settings) -> list[Decision]:
    """Every rule's decisions, the heaviest first and, within a weight, the most at stake first."""
    found: list[Decision] = []
    for rule in RULES:
        found += rule(inputs, settings)
    return sorted(
        found, key=lambda item: (-item.weight, -item.stake, KINDS.index(item.kind), item.cell or "")
    )


def _weight(settings: Settings, kind: str) -> int:
    return int(settings.get(f"decisions.weights.{kind}"))


class Late(NamedTuple):
    """A customer behind on collections with all its lines together: its to-date sums and first line."""

    plan: float
    actual: float
    sheet: Any
    row: Any


def _late_customers(inputs: Inputs, settings: Settings) -> dict[str, Late]:
    """The customers behind on collections as the receivables sheet and the summary count them
    (``customers_behind``: all a customer's lines together, so 朗通 at 96.7 % in all is not behind
    because its 产品B line is at 88 %), with where each customer's first line is."""
    if inputs.receivables is None or inputs.receivables.rows.empty:
        return {}
    rows = inputs.receivables.rows
    sums = customer_to_date(rows)
    first = rows.assign(_name=rows["customer"].astype(str)).drop_duplicates("_name").set_index("_name")
    return {
        name: Late(
            float(sums.at[name, "plan_to_date"]),
            float(sums.at[name, "actual_to_date"]),
            first.at[name, "sheet"],
            first.at[name, "row"],
        )
        for name in customers_behind(rows, float(settings.get("receivables.behind")))
    }


def _tiers(customers: pd.DataFrame | None) -> dict[str, int]:
    """Each customer's value tier (the first row's where a customer has several opportunities)."""
    if customers is None or customers.empty:
        return {}
    known = customers.dropna(subset=["tier"]).drop_duplicates("customer")
    return {str(name): int(tier) for name, tier in zip(known["customer"], known["tier"], strict=True)}


def tier1_behind(inputs: Inputs, settings: Settings) -> list[Decision]:
    """A 一级 customer behind on collections: all its lines' plan and actual to date, at its first line."""
    tiers = _tiers(inputs.customers)
    out = []
    for customer, late in _late_customers(inputs, settings).items():
        if tiers.get(customer) != 1:
            continue
        shortfall = late.plan - late.actual
        evidence = {"customer": customer, "plan": late.plan, "actual": late.actual, "shortfall": shortfall}
        evidence["rate"] = late.actual / late.plan  # customers_behind keeps only a plan above zero
        where = inputs.cell("receivables", late.sheet, "customer", late.row)
        kind = "tier1_behind"
        out.append(Decision(kind, _weight(settings, kind), shortfall, late.sheet, where, evidence))
    return out


def _open_class_a(customers: pd.DataFrame | None) -> pd.DataFrame:
    if customers is None or customers.empty:
        return pd.DataFrame(columns=["customer", "project", "amount", "likelihood", "sheet", "row"])
    return customers[(customers["class"] == "A") & customers["open"].fillna(False).astype(bool)]


def big_deal_late_payer(inputs: Inputs, settings: Settings) -> list[Decision]:
    """An open A-class deal of ``decisions.big_deal_amount`` or more whose customer is behind on all its
    lines together (the customer's rate, as the receivables sheet shows it)."""
    rates = {
        customer: late.actual / late.plan for customer, late in _late_customers(inputs, settings).items()
    }
    deals = _open_class_a(inputs.customers)
    big = deals[pd.to_numeric(deals["amount"], errors="coerce") >= settings.get("decisions.big_deal_amount")]
    out = []
    for deal in big.to_dict("records"):
        if str(deal["customer"]) not in rates:
            continue
        evidence = {
            "customer": deal["customer"],
            "project": _text(deal.get("project")),
            "amount": float(deal["amount"]),
        }
        evidence["rate"] = rates[str(deal["customer"])]
        where = inputs.cell("customers", deal["sheet"], "amount", deal["row"])
        kind = "big_deal_late_payer"
        out.append(
            Decision(kind, _weight(settings, kind), float(deal["amount"]), deal["sheet"], where, evidence)
        )
    return out


def slipped(inputs: Inputs, settings: Settings) -> list[Decision]:
    """A-class deals due 本月内 still open at the review date, once the month is (nearly) over."""
    if inputs.month is None:
        return []
    last_day = month_end(dt.date(inputs.month[0], inputs.month[1], 1))
    if inputs.as_of < last_day - dt.timedelta(days=int(settings.get("decisions.slip_within_days"))):
        return []  # the month still has time to close them
    deals = _open_class_a(inputs.customers)
    out = []
    for deal in deals[deals["likelihood"] == "this_month"].to_dict("records"):
        amount = float(deal["amount"]) if pd.notna(deal["amount"]) else 0.0
        evidence = {"customer": deal["customer"], "project": _text(deal.get("project")), "amount": amount}
        where = inputs.cell("customers", deal["sheet"], "likelihood", deal["row"])
        out.append(Decision("slipped", _weight(settings, "slipped"), amount, deal["sheet"], where, evidence))
    return out


def stuck_price_cut(inputs: Inputs, settings: Settings) -> list[Decision]:
    """A customer stuck in C/D over the last reviews for whom the tier playbook suggests a price cut."""
    if inputs.stuck is None or inputs.stuck.empty or inputs.customers is None:
        return []
    cuts = set(settings.get("decisions.price_cut_actions"))
    customers = inputs.customers
    out = []
    for stuck in inputs.stuck.to_dict("records"):
        same = customers[customers["customer"] == stuck["customer"]]
        if "project" in customers and isinstance(stuck.get("project"), str):
            same = same[same["project"] == stuck["project"]]
        if same.empty or not cuts & set(same.iloc[0]["actions"] or ()):
            continue
        row = same.iloc[0]
        amount = float(row["amount"]) if pd.notna(row["amount"]) else 0.0
        evidence = {"customer": stuck["customer"], "project": _text(stuck.get("project")), "amount": amount}
        evidence |= {
            "classes": " → ".join(str(cls) for cls in stuck["classes"]),
            "months": len(stuck["classes"]),
        }
        where = inputs.cell("customers", row["sheet"], "customer", row["row"])
        kind = "stuck_price_cut"
        out.append(Decision(kind, _weight(settings, kind), amount, row["sheet"], where, evidence))
    return out


def expense_over(inputs: Inputs, settings: Settings) -> list[Decision]:
    """P&L expense lines whose actual to date exceeds plan to date by ``decisions.expense_over_share``."""
    pnl = inputs.pnl
    if pnl is None or pnl.last_period is None or pnl.lines.empty:
        return []
    lines = pnl.lines
    to_date = lines[(lines["group"] == "expense") & (lines["period"] <= pnl.last_period)]
    out = []
    for line, rows in to_date.groupby("line", sort=False):
        plan = float(rows["plan"].sum())
        actual = float(pd.to_numeric(rows["actual"], errors="coerce").sum())
        if plan <= 0 or actual <= plan * (1 + settings.get("decisions.expense_over_share")):
            continue
        last = rows.iloc[-1]
        evidence = {"line": line, "plan": plan, "actual": actual, "over": actual - plan}
        evidence |= {"share": (actual - plan) / plan, "month": int(last["month"])}
        where = cell_at(last["actual_col"], last["row"])
        out.append(
            Decision(
                "expense_over",
                _weight(settings, "expense_over"),
                actual - plan,
                last["sheet"],
                where,
                evidence,
            )
        )
    return out


def activities_over_budget(inputs: Inputs, settings: Settings) -> list[Decision]:
    """Months whose activities cost more than the P&L's advertising plan (docs/method.md §7.1)."""
    activities = inputs.activities
    if activities is None or activities.by_month.empty or "over" not in activities.by_month:
        return []
    over = activities.by_month[activities.by_month["over"].fillna(False).astype(bool)]
    kind, out = "activities_over_budget", []
    for month in over.to_dict("records"):
        budget, plan = float(month["budget"]), float(month["advertising_plan"])
        evidence = {"month": int(month["month"]), "budget": budget, "plan": plan, "over": budget - plan}
        out.append(
            Decision(kind, _weight(settings, kind), budget - plan, inputs.activities_sheet, None, evidence)
        )
    return out


def monthly_missed(inputs: Inputs, settings: Settings) -> list[Decision]:
    """Indicators of the monthly plan whose attainment is under 100 % (``behind``)."""
    monthly = inputs.monthly
    if monthly is None or monthly.empty or "behind" not in monthly:
        return []
    rate_words = [str(word).lower() for word in settings.get("goals.rate_words")]
    out = []
    for item in monthly[monthly["behind"].fillna(False).astype(bool)].to_dict("records"):
        attainment = float(item["attainment"]) if pd.notna(item["attainment"]) else 0.0
        name = str(item["indicator"])
        figures = [item.get("target"), item.get("actual")]
        rate = any(word in name.lower() for word in rate_words) and all(
            isinstance(figure, (int, float)) and abs(figure) <= 1 for figure in figures
        )
        evidence = {"indicator": name, "target": item["target"], "actual": item["actual"]}
        evidence |= {"attainment": attainment, "is_rate": rate}
        where = inputs.cell("monthly", item["sheet"], "actual", item["row"])
        kind = "monthly_missed"
        out.append(Decision(kind, _weight(settings, kind), 1 - attainment, item["sheet"], where, evidence))
    return out


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


RULES: tuple[Callable[[Inputs, Settings], list[Decision]], ...] = (
    tier1_behind,
    big_deal_late_payer,
    slipped,
    stuck_price_cut,
    expense_over,
    activities_over_budget,
    monthly_missed,
)


# -- in words -------------------------------------------------------------------------------------------
def sentence(decision: Decision, settings: Settings) -> str:
    """The decision in the settings' language (``decisions.text.<kind>``), its figures formatted."""
    evidence = decision.evidence
    words: dict[str, Any] = {}
    for key, value in evidence.items():
        if key in SHARES or (key in ("target", "actual") and evidence.get("is_rate")):
            words[key] = _share(value)
        elif key == "month":
            words[key] = _month_words(int(value), settings)
        elif key in ("project",):
            words[key] = f" / {value}" if value else ""
        elif isinstance(value, float):
            words[key] = _number(value)
        else:
            words[key] = value
    return settings.label(f"decisions.text.{decision.kind}", **words)


def _month_words(key: int, settings: Settings) -> str:
    """A month key in words: 1..12 is 一月; a rolling plan's YYYYMM key (calc.months.month_key) is 2025-11."""
    if key > 12:  # months of a year
        return f"{key // 100}-{key % 100:02d}"
    return str(settings.label(f"values.month.{key}"))


def _share(value: Any) -> str:
    return "—" if not isinstance(value, (int, float)) or value != value else f"{value:.1%}"


def _number(value: float) -> str:
    """Money in whole yuan (3,650,000); a small figure as written (63.5, 2)."""
    if abs(value) >= 1000 or value == int(value):
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def decision_dict(decision: Decision, rank: int, settings: Settings) -> dict[str, Any]:
    """report.json's entry (docs/report-json.md, ``decisions``)."""
    evidence = {key: value for key, value in decision.evidence.items() if key != "is_rate"}
    return {
        "rank": rank,
        "kind": decision.kind,
        "severity": decision.severity(settings),
        "weight": decision.weight,
        "sheet": decision.sheet,
        "cell": decision.cell,
        "text": sentence(decision, settings),
        "evidence": evidence,
    }
