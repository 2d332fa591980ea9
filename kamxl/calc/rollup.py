"""The director's roll-up: every region side by side for one period, from the history.

Its contract is docs/report-json.md, rollup.json.

A sales director reviews a dozen regions at once: whose collections, P&L,
funnel and monthly plan keep to plan, who sells what across regions, how
each region moved month by month, and — the first question — who has not
filed. Pure functions over what the history store keeps per (region,
period) (``Filing``): its figures, each form's source file and each input's
issue counts. A history written by an older kamxl lacks some of them (the
P&L to date, the receivables balance, the monthly plan, the per-owner
collections, the issue counts): those are read from the report.json files
processed for that region and period instead.

Totals are sums, and the organisation's rates are ratios of those sums
(Σ actual ÷ Σ plan), never an average of the regions' rates.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from kamxl.calc.funnel import CLASSES, priority_of
from kamxl.calc.numbers import as_number
from kamxl.calc.snapshots import GUESSED_SOURCES, stuck
from kamxl.config import Settings

ROLLUP_FORMS = ("customers", "receivables", "pnl")  # the forms whose figures a roll-up shows
PNL_GROUPS = ("revenue", "expense", "profit")
# figure -> the form it comes from: a region that filed the form yet lacks the figure leaves the total unknown
FIGURE_FORM: dict[str, str] = {
    "receivables_plan_to_date": "receivables",
    "receivables_actual_to_date": "receivables",
    "receivables_balance": "receivables",
    **{f"{group}_{part}": "pnl" for group in PNL_GROUPS for part in ("plan_to_date", "actual_to_date")},
    **{cls: "customers" for cls in CLASSES},
    "open": "customers",
    "weighted_total": "customers",
    "stuck_count": "customers",
    "stuck_base": "customers",
    "plans_judged": "monthly",
    "plans_met": "monthly",
    "errors": "report",
    "warnings": "report",
}
SUMMED = tuple(FIGURE_FORM)
# ratio -> (numerator, denominator), each a summed figure: the total's ratio is the ratio of the total's sums
RATIOS: dict[str, tuple[str, str]] = {
    "collection_rate": ("receivables_actual_to_date", "receivables_plan_to_date"),
    "stuck_share": ("stuck_count", "stuck_base"),
    "plan_attainment": ("plans_met", "plans_judged"),
}
# variance -> (actual, plan)
VARIANCES: dict[str, tuple[str, str]] = {
    f"{group}_variance": (f"{group}_actual_to_date", f"{group}_plan_to_date") for group in PNL_GROUPS
}
NUMERIC = (*SUMMED, *RATIOS, *VARIANCES)
TREND_FIGURES = (
    *CLASSES,
    "open",
    "weighted_total",
    "collection_rate",
    "receivables_plan_to_date",
    "receivables_actual_to_date",
    "revenue_plan_month",
    "revenue_actual_month",
    "profit_plan_month",
    "profit_actual_month",
)
_OWNER_SEPARATORS = re.compile(r"[;；,，、/]+")


@dataclass(frozen=True)
class Report:
    """One report.json processed for a region and period: its file name (for the link) and its content."""

    name: str
    data: Mapping[str, Any]


@dataclass(frozen=True)
class Filing:
    """One snapshot of the history: a region's figures for a period, and the reports processed for it.

    ``opportunities`` is None where the roll-up does not need them (periods
    before the stuck window), an empty frame where the snapshot kept none.
    ``forms``: form -> the file it came from and the files it replaced;
    ``inputs``: file -> review date, issue counts, where its region came from.
    """

    region: str
    period: str
    totals: Mapping[str, Any]
    opportunities: pd.DataFrame | None = None
    reports: tuple[Report, ...] = ()
    forms: Mapping[str, Any] = field(default_factory=dict)
    inputs: Mapping[str, Any] = field(default_factory=dict)

    @property
    def counted(self) -> bool:
        """The store kept every input's issue counts (a history of an older kamxl did not)."""
        return bool(self.inputs) and all("errors" in entry for entry in self.inputs.values())

    @property
    def region_guessed(self) -> bool:
        """Every input of the period named no region: the region's name is a guess."""
        sources = [entry.get("region_from") for entry in self.inputs.values()]
        return bool(sources) and all(source in GUESSED_SOURCES for source in sources)


@dataclass
class Rollup:
    """Everything a roll-up shows; the writers only present it."""

    period: str
    regions: list[dict[str, Any]] = field(default_factory=list)
    total: dict[str, Any] = field(default_factory=dict)
    median: dict[str, Any] = field(default_factory=dict)
    owners: list[dict[str, Any]] = field(default_factory=list)
    trends: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    completeness: list[dict[str, Any]] = field(default_factory=list)
    decisions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        """The regions that filed an earlier period but not this one."""
        return [entry["region"] for entry in self.completeness if entry["status"] == "missing"]


# ------------------------------------------------------------------- helpers ---
def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """numerator ÷ denominator; None when either is unknown or the divisor is 0."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def difference(later: float | None, earlier: float | None) -> float | None:
    """later − earlier; None when either is unknown."""
    return None if later is None or earlier is None else later - earlier


def period_end(period: str) -> dt.date:
    """The last day of a YYYY-MM period."""
    year, month = map(int, period.split("-"))
    first_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def rank_values(values: Sequence[float | None], lower_is_better: bool = False) -> list[int | None]:
    """Competition ranks (1, 2, 2, 4) as Excel's RANK gives them; None for an unknown value."""
    known = [value for value in values if value is not None]
    sign = -1.0 if lower_is_better else 1.0
    return [
        None if value is None else 1 + sum(1 for other in known if sign * other > sign * value)
        for value in values
    ]


def median_of(values: Iterable[float | None]) -> float | None:
    """The median of the known values (Excel's MEDIAN ignores blanks too); None when none is known."""
    known = [value for value in values if value is not None]
    return float(statistics.median(known)) if known else None


# ---------------------------------------------------------------- one region ---
def filed_forms(filing: Filing) -> list[str]:
    """The forms a filing holds: what the store's totals show, and every form its reports read."""
    totals = filing.totals
    forms = set()
    if "funnel_counts" in totals:
        forms.add("customers")
    if "collection_rate" in totals or "receivables_plan_to_date" in totals:
        forms.add("receivables")
    if any(key.startswith(("revenue_", "profit_")) for key in totals):
        forms.add("pnl")
    forms.update(filing.forms)
    for report in filing.reports:
        forms.update(report.data.get("forms") or {})
    return sorted(forms)


def merged_section(reports: Sequence[Report], section: str) -> Any:
    """A report section of the region's period: the latest report that has it (the later filing replaces)."""
    for report in reversed(reports):
        value = report.data.get(section)
        if value is not None:
            return value
    return None


def latest_per_source(reports: Sequence[Report]) -> list[Report]:
    """One report per input file (the latest): a file processed twice must not count its issues twice."""
    by_source: dict[str, Report] = {}
    for report in reports:
        by_source[str(report.data.get("source") or report.name)] = report
    return list(by_source.values())


def _funnel_figures(filing: Filing, stuck_rows: pd.DataFrame | None) -> dict[str, Any]:
    """Counts, weighted pipeline and health from the store; the stuck ones by the rule of §4."""
    totals = filing.totals
    counts = totals.get("funnel_counts")
    if counts is None:
        return {}
    figures: dict[str, Any] = {cls: int(counts.get(cls, 0)) for cls in CLASSES}
    figures |= {
        "open": sum(figures[cls] for cls in CLASSES),
        "weighted_total": as_number(totals.get("weighted_total")),
        "health": totals.get("health"),
        "health_rule": totals.get("health_rule"),
    }
    if stuck_rows is not None:
        names = _stuck_names(stuck_rows)
        figures["stuck"] = sorted(names)
        # each one's classes over the window, oldest first: the evidence of a decision
        figures["stuck_classes"] = dict(zip(names, stuck_rows["classes"].tolist(), strict=True))
        figures["stuck_count"] = len(stuck_rows)
        figures["stuck_base"] = figures["C"] + figures["D"]
    return figures


def _stuck_names(stuck_rows: pd.DataFrame) -> list[str]:
    """Customers, or "customer / project" where the customer has several stuck opportunities."""
    customers = stuck_rows["customer"].astype(str).tolist()
    projects = stuck_rows["project"].tolist() if "project" in stuck_rows else [None] * len(customers)
    repeated = {name for name in customers if customers.count(name) > 1}
    return [
        f"{name} / {project}" if name in repeated and isinstance(project, str) else name
        for name, project in zip(customers, projects, strict=True)
    ]


def _receivables_figures(filing: Filing, report_receivables: Mapping[str, Any] | None) -> dict[str, Any]:
    """Collections plan and actual to date from the store; the balance from the report."""
    totals = filing.totals
    if "receivables_plan_to_date" not in totals and report_receivables is None:
        return {}
    source: Mapping[str, Any] = totals if "receivables_plan_to_date" in totals else {}
    plan = as_number(source.get("receivables_plan_to_date", (report_receivables or {}).get("plan_to_date")))
    actual = as_number(
        source.get("receivables_actual_to_date", (report_receivables or {}).get("actual_to_date"))
    )
    balance = as_number(
        totals["receivables_balance"]
        if "receivables_balance" in totals
        else (report_receivables or {}).get("balance")
    )
    return {
        "receivables_plan_to_date": plan,
        "receivables_actual_to_date": actual,
        "receivables_balance": balance,
    }


def _pnl_figures(totals: Mapping[str, Any], report_pnl: Mapping[str, Any] | None) -> dict[str, Any]:
    """Revenue, expense and profit to date: plan over the months with actuals, and the actuals; from the
    store, else (an older history) from the report."""
    if "revenue_plan_to_date" in totals:
        return {
            f"{group}_{part}": as_number(totals.get(f"{group}_{part}"))
            for group in PNL_GROUPS
            for part in ("plan_to_date", "actual_to_date")
        }
    if report_pnl is None:
        return {}
    figures: dict[str, Any] = {}
    for group in PNL_GROUPS:
        figures[f"{group}_plan_to_date"] = as_number(report_pnl.get(f"{group}_plan_to_date"))
        figures[f"{group}_actual_to_date"] = as_number(report_pnl.get(f"{group}_actual"))
    return figures


def _plan_figures(totals: Mapping[str, Any], report_plans: Mapping[str, Any] | None) -> dict[str, Any]:
    """How many of the monthly plan's indicators were judged, and how many are on plan (attainment ≥ 1);
    from the store, else from the report."""
    if "plans_judged" in totals:
        return {"plans_judged": totals["plans_judged"], "plans_met": totals.get("plans_met")}
    monthly = (report_plans or {}).get("monthly")
    if not monthly:
        return {}
    attained = [as_number(row.get("attainment")) for row in monthly]
    judged = [value for value in attained if value is not None]
    return {"plans_judged": len(judged), "plans_met": sum(1 for value in judged if value >= 1)}


def _issue_figures(filing: Filing) -> dict[str, Any]:
    """Errors and warnings in the region's inputs of the period, once per input file that still gives a
    form: from the store, else from the reports."""
    if filing.counted:
        return {
            name: sum(int(entry.get(name) or 0) for entry in filing.inputs.values())
            for name in ("errors", "warnings")
        }
    reports = filing.reports
    if not reports:
        return {}
    issues = [issue for report in latest_per_source(reports) for issue in report.data.get("issues") or []]
    return {
        "errors": sum(1 for issue in issues if issue.get("severity") == "error"),
        "warnings": sum(1 for issue in issues if issue.get("severity") == "warning"),
    }


def with_derived(figures: dict[str, Any]) -> dict[str, Any]:
    """Add the ratios and variances of a row's (or the total's) sums."""
    for name, (numerator, denominator) in RATIOS.items():
        figures[name] = ratio(figures.get(numerator), figures.get(denominator))
    for name, (actual, plan) in VARIANCES.items():
        figures[name] = difference(figures.get(actual), figures.get(plan))
    return figures


def main_report(reports: Sequence[Report]) -> Report | None:
    """The report a region's row links to: the one that read the most forms, the latest among equals."""
    if not reports:
        return None
    return max(reversed(reports), key=lambda report: len(report.data.get("forms") or {}))


def region_row(filings: Sequence[Filing], settings: Settings) -> dict[str, Any]:
    """Every figure of a region's period (the last of ``filings``, the region's filings up to it)."""
    filing = filings[-1]
    reports = filing.reports
    months = int(settings.get("health.stuck_months"))
    window = [item.opportunities for item in filings[-months:]]
    current = window[-1]
    # as when the region's review was filed: earlier snapshots without opportunities count as empty ones
    stuck_rows = (
        stuck([frame if frame is not None else current.iloc[0:0] for frame in window], months)
        if current is not None and not current.empty
        else None
    )
    main = main_report(reports)
    row: dict[str, Any] = {
        "region": filing.region,
        "period": filing.period,
        "filed": filed_forms(filing),
        "link": main.name if main else None,
        "as_of": max(
            (str(entry["as_of"]) for entry in filing.inputs.values() if entry.get("as_of")),
            default=main.data.get("as_of") if main else None,
        ),
        "region_guessed": filing.region_guessed,
        "health": None,
        "health_rule": None,
        "stuck": None,
        "stuck_classes": {},
    }
    row |= {name: None for name in NUMERIC}
    row |= _funnel_figures(filing, stuck_rows)
    row |= _receivables_figures(filing, merged_section(reports, "receivables"))
    row |= _pnl_figures(filing.totals, merged_section(reports, "pnl"))
    row |= _plan_figures(filing.totals, merged_section(reports, "plans"))
    row |= _issue_figures(filing)
    return with_derived(row)


# --------------------------------------------------------------- the regions ---
def organisation_total(rows: Sequence[dict[str, Any]], settings: Settings) -> dict[str, Any]:
    """Σ of each summed figure over the regions; unknown when a region that filed its form lacks it, and
    when fewer than ``rollup.organisation_min_share`` of the regions have the figure at all (one region's
    monthly plan is not the organisation's). ``coverage``: form -> [regions with it, regions], for each
    form some region lacks."""
    total: dict[str, Any] = {}
    least = float(settings.get("rollup.organisation_min_share")) * len(rows)
    coverage: dict[str, list[int]] = {}
    for name in SUMMED:
        form = FIGURE_FORM[name]
        values = [row[name] for row in rows]
        # a region that filed the form but lacks the figure (no report.json) leaves the sum unknown
        gap = any(
            value is None and (form in row["filed"] or form == "report")
            for row, value in zip(rows, values, strict=True)
        )
        known = [value for value in values if value is not None]
        have = sum(
            1 for row in rows if (form in row["filed"] if form != "report" else row["errors"] is not None)
        )
        if have < len(rows):
            coverage[form] = [have, len(rows)]
        total[name] = None if gap or not known or have < least else sum(known)
    total["coverage"] = coverage
    return with_derived(total)


def add_ranks(rows: list[dict[str, Any]], settings: Settings) -> None:
    """Each region's rank on each ranked figure, and its overall rank (by ``rollup.rank_by``)."""
    lower = set(settings.get("rollup.lower_is_better"))
    for name in settings.get("rollup.ranked"):
        for row, rank in zip(rows, rank_values([row[name] for row in rows], name in lower), strict=True):
            row.setdefault("ranks", {})[name] = rank
    by = settings.get("rollup.rank_by")
    for row in rows:
        row["rank"] = row["ranks"][by]


def region_rows(
    history: Mapping[str, Sequence[Filing]], period: str, settings: Settings
) -> list[dict[str, Any]]:
    """A row per region that filed a roll-up form for ``period``, ordered by rank, then name."""
    rows = [
        region_row(filings, settings)
        for region, filings in sorted(history.items())
        if filings and filings[-1].period == period and set(filed_forms(filings[-1])) & set(ROLLUP_FORMS)
    ]
    add_ranks(rows, settings)
    unranked = len(rows) + 1
    rows.sort(key=lambda row: (row["rank"] if row["rank"] is not None else unranked, row["region"]))
    return rows


def median_row(rows: Sequence[dict[str, Any]], settings: Settings) -> dict[str, Any]:
    """The median region: each figure's median over the regions that have it (a figure by figure median);
    blank where fewer than ``rollup.organisation_min_share`` of the regions filed its form, as the total
    (one region's 8 indicators are not the median region's)."""
    least = float(settings.get("rollup.organisation_min_share")) * len(rows)
    median: dict[str, Any] = {}
    for name in NUMERIC:
        form = FIGURE_FORM[(RATIOS.get(name) or VARIANCES.get(name) or (name,))[0]]
        have = sum(
            1 for row in rows if (form in row["filed"] if form != "report" else row["errors"] is not None)
        )
        median[name] = median_of(row[name] for row in rows) if have >= least else None
    return median


# -------------------------------------------------------------- salespeople ---
def _owner_names(text: Any) -> list[str]:
    """The owners a cell names: "王伟; 李娜" is two."""
    if not isinstance(text, str):
        return []
    return [name.strip() for name in _OWNER_SEPARATORS.split(text) if name.strip()]


def _owner_entry(table: dict[tuple[str, str], dict[str, Any]], region: str, owner: str) -> dict[str, Any]:
    """The league-table row of (region, owner), created empty on first use."""
    key = (region, owner)
    if key not in table:
        table[key] = {
            "owner": owner,
            "region": region,
            "receivables_plan_to_date": None,
            "receivables_actual_to_date": None,
            "weighted_total": 0.0,
            "open": 0,
            "p1": 0,
            "plans_judged": None,
            "plans_met": None,
        }
    return table[key]


def _add(entry: dict[str, Any], name: str, value: float | None) -> None:
    """Add ``value`` to a figure that stays unknown until a value comes."""
    if value is not None:
        entry[name] = (entry[name] or 0) + value


def _owner_key(text: Any) -> str | None:
    """An owner cell as one owner, as a region's report keys it (docs/method.md §13.1): "王伟; 李娜" stays
    one owner for the money (splitting it would count the money twice)."""
    return (text.strip() or None) if isinstance(text, str) else None


def _owner_pipeline(table: dict[tuple[str, str], dict[str, Any]], filing: Filing, settings: Settings) -> None:
    """Open opportunities per owner: the weighted pipeline and the P1 customers (customers, not
    opportunities), the store's per-owner figures where it kept them; the open count from the snapshot."""
    frame = filing.opportunities
    stored = (filing.totals.get("owners") or {}).get("customers")
    if frame is not None and not frame.empty and "owner" in frame:
        open_rows = frame[(frame["status"].fillna("open") == "open") & frame["class"].isin(list(CLASSES))]
        p1_customers: dict[str, set[str]] = {}
        unassigned = settings.label("owners.unassigned")  # as the region's 负责人 sheet names the rest
        for row in open_rows.to_dict("records"):
            name = _owner_key(row["owner"]) or unassigned
            entry = _owner_entry(table, filing.region, name)
            entry["open"] += 1
            if stored is None:
                entry["weighted_total"] += float(as_number(row["weighted_amount"]) or 0.0)
                tier = None if row["tier"] is None else as_number(row["tier"])
                if priority_of(tier, row["class"], settings) == "P1":  # type: ignore[arg-type]
                    p1_customers.setdefault(name, set()).add(str(row["customer"]))
        for name, customers in p1_customers.items():
            _owner_entry(table, filing.region, name)["p1"] = len(customers)
    for name, figures in sorted((stored or {}).items()):
        entry = _owner_entry(table, filing.region, name)
        entry["weighted_total"] = as_number(figures.get("weighted_pipeline")) or 0.0
        entry["p1"] = int(as_number(figures.get("p1_customers")) or 0)


def _owner_collections(table: dict[tuple[str, str], dict[str, Any]], filing: Filing) -> None:
    """Collections plan and actual to date per owner: from the store's owner figures, else from the
    report's receivables rows (a shared owner one owner, as the region's report has it)."""
    region = filing.region
    stored = (filing.totals.get("owners") or {}).get("receivables")
    if stored is not None:
        for name, figures in sorted(stored.items()):
            entry = _owner_entry(table, region, name)
            _add(entry, "receivables_plan_to_date", as_number(figures.get("collections_plan")))
            _add(entry, "receivables_actual_to_date", as_number(figures.get("collections_actual")))
        return
    receivables = merged_section(filing.reports, "receivables")
    for row in (receivables or {}).get("rows") or []:
        name = _owner_key(row.get("owner"))
        if name is not None:
            entry = _owner_entry(table, region, name)
            _add(entry, "receivables_plan_to_date", as_number(row.get("plan_to_date")))
            _add(entry, "receivables_actual_to_date", as_number(row.get("actual_to_date")))


def _owner_plans(table: dict[tuple[str, str], dict[str, Any]], filing: Filing) -> None:
    """Monthly-plan attainment per owner: the store's, else the mean attainment of the report's indicators
    naming the owner (an indicator of two owners counts for both), with how many were judged and met."""
    region = filing.region
    stored = (filing.totals.get("owners") or {}).get("monthly")
    if stored is not None:
        for name, figures in sorted(stored.items()):
            attained = as_number(figures.get("plan_attainment"))
            if attained is not None:
                _owner_entry(table, region, name)["plan_attainment_given"] = attained
        return
    plans = merged_section(filing.reports, "plans")
    for row in (plans or {}).get("monthly") or []:
        attained = as_number(row.get("attainment"))
        if attained is None:
            continue
        for name in _owner_names(row.get("owner")):
            entry = _owner_entry(table, region, name)
            _add(entry, "plans_judged", 1)
            _add(entry, "plans_met", 1 if attained >= 1 else 0)
            entry["attainment_sum"] = entry.get("attainment_sum", 0.0) + attained


def owner_rows(filings: Sequence[Filing], settings: Settings) -> list[dict[str, Any]]:
    """The league table: every (region, owner) of the period, ranked by ``rollup.owner_rank_by``."""
    table: dict[tuple[str, str], dict[str, Any]] = {}
    for filing in filings:
        _owner_pipeline(table, filing, settings)
        _owner_collections(table, filing)
        _owner_plans(table, filing)
    rows = [with_owner_ratios(entry) for _, entry in sorted(table.items())]
    by = settings.get("rollup.owner_rank_by")
    lower = by in settings.get("rollup.lower_is_better")
    for row, rank in zip(rows, rank_values([row[by] for row in rows], lower), strict=True):
        row["rank"] = rank
    unranked = len(rows) + 1
    rows.sort(
        key=lambda row: (row["rank"] if row["rank"] is not None else unranked, row["region"], row["owner"])
    )
    return rows


def with_owner_ratios(entry: dict[str, Any]) -> dict[str, Any]:
    """An owner's collection rate and plan attainment, from their sums (the attainment as the store kept
    it, where it did)."""
    entry["collection_rate"] = ratio(entry["receivables_actual_to_date"], entry["receivables_plan_to_date"])
    given = entry.pop("plan_attainment_given", None)
    mean = ratio(entry.pop("attainment_sum", None), entry["plans_judged"])  # §13.1: the mean attainment
    entry["plan_attainment"] = given if given is not None else mean
    return entry


# ------------------------------------------------------------------- trends ---
def trend_rows(filings: Sequence[Filing]) -> list[dict[str, Any]]:
    """A region's figures in every period stored (oldest first), each with its change since the period
    before it."""
    rows: list[dict[str, Any]] = []
    for filing in filings:
        totals = filing.totals
        counts = totals.get("funnel_counts") or {}
        row: dict[str, Any] = {"period": filing.period, "health": totals.get("health")}
        for name in TREND_FIGURES:
            row[name] = as_number(totals.get(name))
        # counts as whole numbers, and only where the month had a funnel
        for cls in CLASSES:
            row[cls] = int(counts.get(cls, 0)) if counts else None
        row["open"] = sum(row[cls] for cls in CLASSES) if counts else None
        previous = rows[-1] if rows else {}
        for name in TREND_FIGURES:
            row[f"{name}_change"] = difference(row[name], previous.get(name))
        rows.append(row)
    return rows


# ------------------------------------------------------------- completeness ---
def completeness(
    history: Mapping[str, Sequence[Filing]], period: str, settings: Settings
) -> list[dict[str, Any]]:
    """Per region: filed, filed only some forms, not filed (missing), or filed nothing a roll-up shows;
    late when reviewed more than ``rollup.late_days`` after the period; forms filed twice."""
    expected = list(settings.get("rollup.expected_forms"))
    late_after = period_end(period) + dt.timedelta(days=int(settings.get("rollup.late_days")))
    entries = []
    for region, filings in sorted(history.items()):
        if not filings:
            continue
        last = filings[-1]
        entry: dict[str, Any] = {
            "region": region,
            "last_period": last.period,
            "forms": [],
            "missing_forms": [],
        }
        entry |= {"late": None, "refiled": [], "refiled_files": {}, "as_of": None}
        entry["region_guessed"] = last.region_guessed
        if last.period != period:
            entries.append(entry | {"status": "missing", "missing_forms": expected})
            continue
        forms = filed_forms(last)
        missing = [form for form in expected if form not in forms]
        status = "no_figures" if not set(forms) & set(ROLLUP_FORMS) else "partial" if missing else "filed"
        dates = [str(item["as_of"]) for item in last.inputs.values() if item.get("as_of")] or [
            str(report.data.get("as_of")) for report in last.reports if report.data.get("as_of")
        ]
        as_of = max(dates, default=None)
        refiled = refiled_files(last)
        entry |= {
            "status": status,
            "forms": forms,
            "missing_forms": missing,
            "refiled": sorted(refiled),
            "refiled_files": refiled,
        }
        entry |= {
            "as_of": as_of,
            "late": None if as_of is None else dt.date.fromisoformat(as_of) > late_after,
        }
        entries.append(entry)
    return entries


def refiled_files(filing: Filing) -> dict[str, list[str]]:
    """form -> [the earlier file(s), the later file that replaced them], for each form of the period filed
    in more than one file: from the store, else (an older history) from the reports."""
    stored = {
        form: [*entry["replaced"], entry["source"]]
        for form, entry in sorted(filing.forms.items())
        if entry.get("replaced")
    }
    if filing.forms:
        return stored
    return {form: [] for form in refiled_forms(filing.reports)}


def refiled_forms(reports: Sequence[Report]) -> list[str]:
    """Forms filed in more than one input file of the period: the later replaced the earlier."""
    seen: dict[str, int] = {}
    for report in latest_per_source(reports):
        for form in report.data.get("forms") or {}:
            seen[form] = seen.get(form, 0) + 1
    return sorted(form for form, times in seen.items() if times > 1)


# ---------------------------------------------------------------- decisions ---
# The figures of a region's decision (report.json's evidence) that say what is at stake, in this order
STAKE_KEYS = ("amount", "shortfall", "over")


def _decision(
    row: Mapping[str, Any],
    code: str,
    amount: float | None,
    evidence: dict[str, Any],
    settings: Settings,
    weight_key: str | None = None,
) -> dict[str, Any]:
    """A matter the roll-up finds itself, weighted by ``rollup.weights.<code>`` (or ``<weight_key>``)."""
    weight = int(settings.get(f"rollup.weights.{weight_key or code}"))
    return {
        "region": row["region"],
        "customer": None,
        "code": code,
        "kind": None,
        "weight": weight,
        "amount": amount,
        "evidence": evidence,
        "sheet": None,
        "cell": None,
    }


def _region_decisions(row: Mapping[str, Any], settings: Settings) -> list[dict[str, Any]]:
    """A region's collections under the alert, its profit under plan, a funnel graded poorly; each with the
    figures that decided it."""
    found = []
    rate = row["collection_rate"]
    plan, actual = row["receivables_plan_to_date"], row["receivables_actual_to_date"]
    if rate is not None and rate < float(settings.get("rollup.collection_rate_alert")):
        evidence = {"plan_to_date": plan, "actual_to_date": actual, "collection_rate": rate}
        found.append(_decision(row, "collections_behind", plan - actual, evidence, settings))
    variance = row["profit_variance"]
    if variance is not None and variance < 0:
        evidence = {
            "profit_plan_to_date": row["profit_plan_to_date"],
            "profit_actual_to_date": row["profit_actual_to_date"],
        }
        found.append(_decision(row, "profit_behind", -variance, evidence, settings))
    if row["health"] in settings.get("rollup.alert_health"):
        evidence = {"counts": {cls: row[cls] for cls in CLASSES}, "health_rule": row["health_rule"]}
        # a funnel graded 差 weighs more than one graded 一般
        weight_key = f"funnel_{row['health']}"
        found.append(_decision(row, "funnel_health", None, evidence, settings, weight_key))
    return found


def _stuck_decisions(
    row: Mapping[str, Any], filing: Filing, settings: Settings, decided: set[str]
) -> list[dict[str, Any]]:
    """Each stuck opportunity of a region, with its amount in the snapshot and its classes month by month;
    not those the region's own review already decided on (``decided``: their customers)."""
    frame = filing.opportunities
    if not row["stuck"] or frame is None:
        return []
    amounts = dict(
        zip(frame["customer"].astype(str), pd.to_numeric(frame["amount"], errors="coerce"), strict=True)
    )
    return [
        _decision(
            row,
            "stuck",
            as_number(amounts.get(name.split(" / ")[0])),
            {"classes": row["stuck_classes"][name]},
            settings,
        )
        | {"customer": name}
        for name in row["stuck"]
        if name.split(" / ")[0] not in decided
    ]


def _filing_decisions(entry: Mapping[str, Any], settings: Settings) -> list[dict[str, Any]]:
    """A region that filed only some of the expected forms, or filed late: the director's first question."""
    row = {"region": entry["region"]}
    found = []
    if entry["status"] == "missing":
        found.append(_decision(row, "not_filed", None, {"last_period": entry["last_period"]}, settings))
    elif entry["status"] in ("partial", "no_figures"):
        evidence = {"missing_forms": list(entry["missing_forms"])}
        found.append(_decision(row, "forms_missing", None, evidence, settings))
    if entry.get("late"):
        found.append(_decision(row, "filed_late", None, {"as_of": entry["as_of"]}, settings))
    return found


def reviewed_decisions(filing: Filing) -> list[dict[str, Any]]:
    """The decisions of the region's own review of the period (report.json ``decisions``: kind, weight,
    evidence), each once: ranked by the [decisions] settings where the region's review was written."""
    found: dict[str, dict[str, Any]] = {}
    for report in latest_per_source(filing.reports):
        for item in report.data.get("decisions") or []:
            if not item.get("kind") or item.get("weight") is None:
                continue
            evidence = dict(item.get("evidence") or {})
            stake = next((as_number(evidence.get(key)) for key in STAKE_KEYS if key in evidence), None)
            customer = evidence.get("customer")
            found[repr((item["kind"], sorted(evidence.items(), key=lambda pair: pair[0])))] = {
                "region": filing.region,
                "customer": str(customer) if customer else None,
                "code": "region_decision",
                "kind": str(item["kind"]),
                "weight": int(item["weight"]),
                "amount": stake,
                "evidence": evidence,
                "sheet": item.get("sheet"),
                "cell": item.get("cell"),
                "text": item.get("text"),  # as the region's review words it: kept for a kind this kamxl lacks
            }
    return list(found.values())


def decision_score(item: Mapping[str, Any], settings: Settings) -> float:
    """The weight times the money's factor, 1 + log10(1 + amount ÷ ``rollup.money_unit``): a matter without
    money counts its weight; a slipped 500,000 deal (4 × 2.04) comes before a tier-1 customer 15,000 short
    (5 × 1.11), while a region's 差 funnel (6) stays above the small sums (docs/method.md §8.5)."""
    amount = max(float(item["amount"] or 0.0), 0.0)
    return float(item["weight"]) * (1 + math.log10(1 + amount / float(settings.get("rollup.money_unit"))))


def decision_order(item: Mapping[str, Any]) -> tuple[float, float, str, str]:
    """The highest score first (``decision_score``), then the most money, then by region and customer."""
    return (-item["score"], -(item["amount"] or 0.0), item["region"], item["customer"] or "")


def decision_lines(decisions: Sequence[Mapping[str, Any]]) -> list[list[Mapping[str, Any]]]:
    """The ranked decisions a line per (region, customer), at the rank of its first (海川 pays late and its
    A deal slipped: one matter to a director, read once), as a region's dashboard groups them; a matter
    naming no customer is a line of its own. rollup.json keeps every decision apart."""
    lines: list[list[Mapping[str, Any]]] = []
    by_customer: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for item in decisions:
        customer = str(item["customer"]).split(" / ")[0] if item["customer"] else None
        key = (item["region"], customer or "")
        if customer and key in by_customer:
            by_customer[key].append(item)
            continue
        line = [item]
        if customer:
            by_customer[key] = line
        lines.append(line)
    return lines


def decisions(
    rollup: Rollup, history: Mapping[str, Sequence[Filing]], settings: Settings
) -> list[dict[str, Any]]:
    """What needs the director's attention, across the organisation (docs/method.md §8): a region's facts
    (not filed, forms missing, collections far behind, a poor funnel) and the regions' own decisions (a
    tier-1 customer behind, A-class deals slipped) by their score: the weight times the money's factor."""
    found = [item for entry in rollup.completeness for item in _filing_decisions(entry, settings)]
    for row in rollup.regions:
        filing = history[row["region"]][-1]
        reviewed = reviewed_decisions(filing)
        decided = {str(item["customer"]) for item in reviewed if item["kind"].startswith("stuck")}
        found += _region_decisions(row, settings) + reviewed
        found += _stuck_decisions(row, filing, settings, decided)
    for item in found:
        item["score"] = round(decision_score(item, settings), 6)
    return sorted(found, key=decision_order)


# ---------------------------------------------------------------------- all ---
def latest_period(history: Mapping[str, Sequence[Filing]]) -> str | None:
    """The latest period any region filed: the roll-up's period when none is given."""
    return max((filing.period for filings in history.values() for filing in filings), default=None)


def build_rollup(history: Mapping[str, Sequence[Filing]], period: str, settings: Settings) -> Rollup:
    """The roll-up of ``period`` from each region's filings up to it (oldest first)."""
    history = {region: [f for f in filings if f.period <= period] for region, filings in history.items()}
    rows = region_rows(history, period, settings)
    total = organisation_total(rows, settings)
    rollup = Rollup(period, regions=rows, total=total, median=median_row(rows, settings))
    current = [filings[-1] for filings in history.values() if filings and filings[-1].period == period]
    rollup.owners = owner_rows(current, settings)
    rollup.trends = {row["region"]: trend_rows(history[row["region"]]) for row in rows}
    rollup.completeness = completeness(history, period, settings)
    rollup.decisions = decisions(rollup, history, settings)
    return rollup
