"""Build the results of one workbook: every calculation of the method, run on the tables read.

This is the step between reading and writing: ``build_results`` takes the
reader's tidy tables, runs the pure calculations of ``kamxl.calc`` with the
settings, and gathers their tables, key figures and issues in one
``Results`` that every writer (report.json, workbook, summary) renders.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

import pandas as pd

from kamxl.calc.calendar import Period, PeriodSource, inferred_period_issue, last_actuals, review_period
from kamxl.calc.cells import CellMap
from kamxl.config import Settings
from kamxl.issues import Issue, cap, describe
from kamxl.read import SheetInfo, WorkbookData

if TYPE_CHECKING:
    from collections.abc import Callable

    from kamxl.calc.activities import Activities
    from kamxl.calc.contribution import Contributions
    from kamxl.calc.decisions import Decision
    from kamxl.calc.funnel import Health
    from kamxl.calc.plan_forms import Competition, Review, Targets
    from kamxl.calc.pnl import PnL
    from kamxl.calc.receivables import Receivables
    from kamxl.calc.time import TimeUse


class CalendarMonth(TypedDict):
    """The review month's calendar: its events from every form, and the calendar sheet's own notes."""

    year: int
    month: int
    source: PeriodSource
    events: pd.DataFrame
    key_events: list[str]
    notes: list[str]


@dataclass
class Results:
    source: Path
    as_of: dt.date
    kind: str | None = None
    sheets: list[SheetInfo] = field(default_factory=list)
    forms: dict[str, list[str]] = field(default_factory=dict)  # form -> its sheets
    customers: pd.DataFrame | None = None
    funnel: pd.DataFrame | None = None  # class: count, amount, weighted
    health: Health | None = None
    groups: pd.DataFrame | None = None  # time per priority group vs guideline
    receivables: Receivables | None = None
    pnl: PnL | None = None
    activities: Activities | None = None
    time: TimeUse | None = None
    todo: pd.DataFrame | None = None  # the to-do rows the time matrix was computed from
    weekly: tuple[pd.DataFrame, pd.DataFrame] | None = None
    monthly: pd.DataFrame | None = None
    goals: pd.DataFrame | None = None
    calendar: CalendarMonth | None = None
    appraisal: tuple[pd.DataFrame, pd.DataFrame] | None = None
    contribution: Contributions | None = None
    owners: pd.DataFrame | None = None
    titles: list[str] = field(default_factory=list)  # the recognised sheets' titles (region, period)
    period: Period | None = None  # the month the workbook plans; set once the actuals are known
    history: dict[str, Any] | None = None  # set by kamxl.store's apply_history: movement, stuck, trends
    decisions: list[Decision] = field(default_factory=list)  # ranked; kamxl.pipeline sets them after history
    link: Path | None = None  # where the input will be (watch moves it to done/): issue links point there
    competition: Competition | None = None  # 竞争对手信息表 / 竞争者比照 (calc.plan_forms)
    swot: dict[str, list[str]] | None = None  # SWOT part -> its items, as written
    targets: Targets | None = None  # 营销目标及分解: checked to add up, against the actuals
    review: Review | None = None  # 月度计划审查 / 周计划审查: attainment, weeks, 特别纪要
    issues: list[Issue] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def unused_sheets(self) -> list[str]:
        return [s.name for s in self.sheets if s.form is None]


@dataclass
class _Input:
    """The reader's tables of one workbook, as the calculation steps ask for them."""

    workbook: WorkbookData
    as_of: dt.date
    cells: dict[str, CellMap]

    def table(self, form: str, name: str = "main") -> pd.DataFrame | None:
        found = self.workbook.table(form, name)
        return None if found is None else found.reset_index(drop=True)

    def has(self, form: str) -> bool:
        return self.workbook.table(form) is not None


def build_results(
    workbook: WorkbookData, settings: Settings, as_of: dt.date | None = None, strict: bool = False
) -> Results:
    """Every calculation of docs/method.md §1–§7, §9 and §11 that the workbook's forms allow."""
    as_of = as_of or dt.date.today()
    results = Results(
        workbook.path,
        as_of,
        workbook.kind,
        list(workbook.sheets),
        {f: [s.sheet for s in sheets] for f, sheets in workbook.forms.items()},
        issues=list(workbook.issues),
    )
    results.titles = [
        title for sheets in workbook.forms.values() for sheet in sheets if (title := sheet.meta.get("title"))
    ]
    src = _Input(workbook, as_of, {form: CellMap.of(sheets) for form, sheets in workbook.forms.items()})
    _run(ACTUAL_STEPS, results, src, settings, strict)
    results.period = _period(results, workbook, settings)
    _run(PERIOD_STEPS, results, src, settings, strict)
    results.issues = cap(
        results.issues,
        settings.get("limits.max_cell_issues"),
        lambda sheet, code, n: settings.issue("more_cell_issues", sheet, count=n, kind=code),
    )
    return results


def _period(results: Results, workbook: WorkbookData, settings: Settings) -> Period:
    """The month the workbook plans (calc.calendar.review_period), and an info issue when kamxl had to
    infer it: from the last month with actuals (the receivables and P&L already calculated), else from
    the review date."""
    meta = workbook.forms["calendar"][0].meta if "calendar" in workbook.forms else {}
    year, month = meta.get("year"), meta.get("month")
    calendar_month = (int(year), int(month)) if year and month else None
    actuals = last_actuals(results.receivables, results.pnl)
    period = review_period(calendar_month, results.titles, workbook.path.stem, results.as_of, actuals)
    issue = inferred_period_issue(period, results.as_of, workbook.path.name, settings)
    if issue is not None:
        results.issues.append(issue)
    return period


def _run(
    steps: list[tuple[str, Callable[[Results, _Input, Settings], None]]],
    results: Results,
    src: _Input,
    settings: Settings,
    strict: bool,
) -> None:
    """Run calculation steps in order; a bug in one form's step must not cost the others their results."""
    for form, step in steps:
        try:
            step(results, src, settings)
        except Exception as exc:
            if strict:
                raise
            results.issues.append(
                settings.issue("calculation_failed", form=settings.form_name(form), detail=describe(exc))
            )


def _customers(results: Results, src: _Input, settings: Settings) -> None:
    if not src.has("customers"):
        return
    from kamxl.calc.funnel import assign_priorities, classify_opportunities, funnel_counts, funnel_health
    from kamxl.calc.tier import assign_tiers, score_axes

    scored, issues = score_axes(src.table("customers"), settings, src.cells["customers"])
    results.issues += issues
    opps, issues = classify_opportunities(
        assign_tiers(scored, settings), settings, src.as_of, src.cells["customers"]
    )
    results.issues += issues
    results.customers = assign_priorities(opps, settings)
    results.funnel = funnel_counts(results.customers)
    results.health = funnel_health(results.funnel["count"].to_dict(), settings, stuck_share=None)


def _receivables(results: Results, src: _Input, settings: Settings) -> None:
    if not src.has("receivables"):
        return
    from kamxl.calc.receivables import aging_issues, collect

    results.receivables, issues = collect(
        src.table("receivables"),
        src.table("receivables", "months"),
        settings,
        src.as_of,
        src.table("receivables", "totals"),
        src.table("receivables", "total_months"),
        src.cells["receivables"],
    )
    results.issues += issues + aging_issues(results.receivables, settings)


def _pnl(results: Results, src: _Input, settings: Settings) -> None:
    lines = src.table("pnl")
    if lines is None or lines.empty:
        return
    from kamxl.calc.pnl import analyse

    results.pnl, issues = analyse(lines, settings, src.table("pnl", "totals"), src.as_of)
    results.issues += issues


def _activities(results: Results, src: _Input, settings: Settings) -> None:
    if not src.has("activities"):
        return
    from kamxl.calc.activities import plan_activities

    results.activities, issues = plan_activities(
        src.table("activities"),
        src.table("activities", "months"),
        settings,
        src.table("pnl"),
        src.cells["activities"],
    )
    results.issues += issues


def _todo(results: Results, src: _Input, settings: Settings) -> None:
    if not src.has("todo"):
        return
    from kamxl.calc.time import TimeUse, time_matrix

    quadrants, summary, issues = time_matrix(src.table("todo"), settings, src.cells["todo"])
    results.time = TimeUse(quadrants, summary)
    results.todo = src.table("todo")
    results.issues += issues


def _groups(results: Results, src: _Input, settings: Settings) -> None:
    """Time per priority group: from the work log when there is one, else the to-do lists.

    Never both: the same visit is usually in each.
    """
    if results.customers is None or not (src.has("worklog") or src.has("todo")):
        return
    from kamxl.calc.time import time_by_group

    log = src.table("worklog")
    if log is not None and not log.empty:
        entries, source = (
            pd.DataFrame({"text": log["customer"].fillna(log["activity"]), "hours": log["hours"]}),
            "worklog",
        )
    else:
        todo = src.table("todo")
        assert todo is not None  # the guard above: a work log or a to-do list
        entries, source = (
            pd.DataFrame({"text": todo["related"].fillna(todo["task"]), "hours": todo["hours"]}),
            "todo",
        )
    results.groups = time_by_group(entries, results.customers, settings)
    results.groups.attrs["source"] = source


def _plans(results: Results, src: _Input, settings: Settings) -> None:
    if not (src.has("weekly") or src.has("monthly")):
        return
    from kamxl.calc.plans import goal_rows, lint_goals, monthly_review, weekly_review

    weekly, monthly = src.table("weekly"), src.table("monthly")
    if weekly is not None:
        rows, goals, issues = weekly_review(weekly, monthly, settings, src.cells["weekly"])
        results.weekly = (rows, goals)
        results.issues += issues
    if monthly is not None:
        results.monthly = monthly_review(monthly, settings)
    results.goals = lint_goals(goal_rows(weekly, monthly, settings), settings)


def _calendar(results: Results, src: _Input, settings: Settings) -> None:
    """The events of the month the workbook plans (``Results.period``), gathered from every form."""
    from kamxl.calc.calendar import gather_events

    workbook = src.workbook
    if not any(f in workbook.forms for f in ("calendar", "activities", "todo")) and results.customers is None:
        return
    assert results.period is not None  # build_results sets it before this step
    meta = workbook.forms["calendar"][0].meta if "calendar" in workbook.forms else {}
    year, month = results.period.year, results.period.month
    events = gather_events(
        year,
        month,
        src.table("calendar"),
        results.activities.rows if results.activities else None,
        src.table("todo"),
        results.customers,
    )
    if events.empty and "calendar" not in workbook.forms:
        return
    results.calendar = {
        "year": year,
        "month": month,
        "source": results.period.source,
        "events": events,
        "key_events": meta.get("key_events", []),
        "notes": meta.get("notes", []),
    }


def _appraisal(results: Results, src: _Input, settings: Settings) -> None:
    if not src.has("appraisal"):
        return
    from kamxl.calc.appraisal import appraise

    indicators, employees, issues = appraise(src.table("appraisal"), settings, src.cells["appraisal"])
    results.appraisal = (indicators, employees)
    results.issues += issues


def _contribution(results: Results, src: _Input, settings: Settings) -> None:
    if results.customers is None and results.receivables is None and results.pnl is None:
        return
    from kamxl.calc.contribution import contributions

    found = contributions(results.customers, results.receivables, results.pnl, settings)
    results.contribution = found if any(found.values()) else None


def _plan_forms(results: Results, src: _Input, settings: Settings) -> None:
    """Competitors, SWOT, targets breakdown (against the P&L or receivables) and the plan review."""
    from kamxl.calc.plan_forms import (
        by_customer,
        check_targets,
        competition,
        review_attainment,
        swot_quadrants,
        with_priorities,
    )

    competitors, swot, review = src.table("competitors"), src.table("swot"), src.table("review")
    if competitors is not None:
        results.competition = competition(competitors)
        if results.customers is not None and "priority" in results.customers:
            results.competition = with_priorities(results.competition, results.customers)
    if swot is not None:
        results.swot = swot_quadrants(swot)
    if src.has("targets"):
        names = ("main", "months", "totals", "total_months")
        tables = {name: src.table("targets", name) for name in names}
        results.targets, issues = check_targets(
            {name: table for name, table in tables.items() if table is not None},
            settings,
            results.pnl.months if results.pnl else None,
            results.receivables.by_month if results.receivables else None,
            results.pnl.lines if results.pnl else None,
            next(iter(src.workbook.forms["targets"])).meta.get("title"),
        )
        results.issues += issues
        receivables = results.receivables
        if receivables is not None:  # the rows naming a receivables customer, against its collections
            results.targets.by_customer = by_customer(results.targets, receivables.rows, receivables.months)
    if review is not None:
        results.review, issues = review_attainment(review, src.table("review", "notes"), settings)
        results.issues += issues


def _owners(results: Results, src: _Input, settings: Settings) -> None:
    """By salesperson (docs/method.md §13.1): the hours of a time form with an owner column, or of a log
    whose title names one owner; else blank (the 负责人 sheet says so)."""
    from kamxl.calc.owners import by_owner, named_owners, split_owners, with_titled_owner

    receivables = results.receivables.rows if results.receivables else None
    monthly = results.monthly
    split = None if monthly is None else split_owners(monthly, settings.get("goals.owner_separators"))
    time_form = next((form for form in ("worklog", "todo") if src.has(form)), None)
    written = src.table(time_form) if time_form else None
    entries = written
    if written is not None and "owner" not in written.columns:  # a log titled with its owner's name
        sheets = src.workbook.forms.get(time_form or "", [])
        titles = {sheet.sheet: sheet.meta.get("title") for sheet in sheets}
        known = named_owners([receivables, results.customers, split])
        entries = with_titled_owner(written, titles, known)
    results.owners = by_owner(results.customers, receivables, monthly, entries, settings)
    if results.owners is not None and entries is not written and entries is not None:
        results.owners.attrs["titled_hours"] = entries["owner"].dropna().unique().tolist()


def _crossform(results: Results, src: _Input, settings: Settings) -> None:
    """Figures that two forms both state, compared (docs/method.md §13.2)."""
    if not src.has("monthly") and not ((src.has("activities") or src.has("targets")) and src.has("pnl")):
        return
    from kamxl.calc.crossform import cross_check, targets_checks, weekly_checks

    assert results.period is not None  # build_results sets it first
    spread, marks = (
        results.activities.months if results.activities else None,
        src.table("activities", "months"),
    )
    if spread is not None and marks is not None:  # the amounts with the month column they are written in
        spread = spread.merge(
            marks[["sheet", "row", "month", "col"]], on=["sheet", "row", "month"], how="left"
        )
    results.issues += cross_check(
        src.table("monthly"),
        src.table("receivables", "months"),
        src.table("pnl"),
        spread,
        (results.period.year, results.period.month),
        settings,
        src.cells.get("monthly", CellMap()),
    )
    period = (results.period.year, results.period.month)
    results.issues += weekly_checks(
        src.table("weekly"),
        src.table("monthly"),
        period,
        settings,
        src.cells.get("weekly"),
        src.cells.get("monthly"),
    )
    tables = {name: src.table("targets", name) for name in ("months", "totals", "total_months")}
    results.issues += targets_checks(results.targets, tables, src.table("pnl"), period[0], settings)


# (form named in a calculation_failed issue, step), in dependency order:
# activities need the P&L; time per group needs the customers; the calendar needs both.
# The steps that find the last month with actuals run before the review's period is decided
# (a workbook that names no month is the month of its last actuals); the rest may use the period.
ACTUAL_STEPS: list[tuple[str, Callable[[Results, _Input, Settings], None]]] = [
    ("customers", _customers),
    ("receivables", _receivables),
    ("pnl", _pnl),
]
PERIOD_STEPS: list[tuple[str, Callable[[Results, _Input, Settings], None]]] = [
    ("activities", _activities),
    ("todo", _todo),
    ("worklog", _groups),
    ("weekly", _plans),
    ("calendar", _calendar),
    ("appraisal", _appraisal),
    ("customers", _contribution),
    ("targets", _plan_forms),
    ("receivables", _owners),
    ("monthly", _crossform),
]
STEPS = ACTUAL_STEPS + PERIOD_STEPS
