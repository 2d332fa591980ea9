"""Cross-form checks (docs/method.md §13.2): a figure two forms both state must agree.

The monthly plan repeats figures other forms already hold: its 回款 target
is the receivables plan's month, its 销售额 the P&L's revenue for the month;
the P&L's advertising line and the activity plan budget the same money. A
manager who changes one form and forgets the other presents two numbers for
one thing. Each disagreement beyond a tolerance is a warning naming both
cells. Money in the monthly plan is in the unit it names (万元); the other
forms are read in 元, so the plan's figure is converted first, and a money
indicator with no unit is not compared (an info issue says so).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

import pandas as pd

from kamxl.calc.cells import CellMap, cell_at
from kamxl.calc.frames import as_floats, optional_column
from kamxl.calc.months import has_years, periods
from kamxl.calc.numbers import fmt
from kamxl.calc.plans import core_name
from kamxl.config import Settings
from kamxl.issues import Issue
from kamxl.text import normalise_loose

if TYPE_CHECKING:
    from kamxl.calc.plan_forms import Targets

_BRACKETED = re.compile(r"[（(【\[]([^）)】\]]+)[）)】\]]")
MONTHLY_MEASURES = (("target", "plan", "target"), ("actual", "actual", "actual"))  # (plan's, other's, label)


class Figure(NamedTuple):
    """One form's statement of a figure: where it is written and its value in 元."""

    sheet: str
    cell: str
    value: float
    shown: str  # as the form writes it: "120 万元"


def agree(first: float, second: float, settings: Settings) -> bool:
    """Whether two statements agree within ``crossform.tolerance`` 元 or ``crossform.tolerance_share``."""
    allowed = max(
        float(settings.get("crossform.tolerance")),
        float(settings.get("crossform.tolerance_share")) * max(abs(first), abs(second)),
    )
    return abs(first - second) <= allowed


def mismatch_issue(figure: str, first: Figure, second: Figure, settings: Settings) -> Issue:
    """The warning: at the first figure's (first) cell, naming both figures' cells and values."""
    return settings.issue(
        "crossform_mismatch",
        first.sheet,
        re.split("[:,]", first.cell)[0] or None,
        figure=figure,
        sheet_a=first.sheet,
        cell_a=first.cell,
        value_a=first.shown,
        sheet_b=second.sheet,
        cell_b=second.cell,
        value_b=second.shown,
        difference=fmt(abs(first.value - second.value)),
    )


def money_factor(indicator: object, units: list[object], settings: Settings) -> tuple[str, float] | None:
    """(unit, factor to 元) of a monthly indicator: its unit column, its figure's unit or its brackets."""
    vocab: dict[str, list[str]] = settings.get("vocab.money_unit")
    known = {normalise_loose(word): (word, float(code)) for code, words in vocab.items() for word in words}
    name = indicator if isinstance(indicator, str) else ""
    for text in [*units, *_BRACKETED.findall(name)]:
        if isinstance(text, str) and normalise_loose(text) in known:
            return text.strip(), known[normalise_loose(text)][1]
    return None


def in_month(frame: pd.DataFrame, year: int, month: int) -> pd.Series:
    """The rows of the review month: by year and month where the form writes years, else by month."""
    if has_years(frame):
        return periods(frame) == year * 12 + month - 1
    return pd.to_numeric(frame["month"], errors="coerce") == month


def cross_check(
    monthly: pd.DataFrame | None,
    receivable_months: pd.DataFrame | None,
    pnl: pd.DataFrame | None,
    activity_months: pd.DataFrame | None,
    review_month: tuple[int, int],
    settings: Settings,
    cells: CellMap | None = None,
) -> list[Issue]:
    """Every disagreement between two forms about the review month's figures.

    ``activity_months`` are the activity plan's month cells with their
    amounts (written, or the budget spread: calc.activities) and column letter.
    """
    cells = cells or CellMap()
    year, month = review_month
    month_name = settings.label(f"values.month.{month}")
    others = {
        "collections": _receivables_figures(receivable_months, year, month),
        "revenue": _pnl_figures(pnl, year, month, "revenue", None, settings),
    }
    issues = _monthly_checks(monthly, others, month_name, settings, cells)
    advertising = _pnl_figures(pnl, year, month, "expense", "vocab.pnl_line.advertising", settings)
    activities = _activity_figure(activity_months, year, month)
    planned = advertising.get("plan")
    # more than the advertising plan is activities_over_advertising's (§7.1); less is a disagreement too
    short = planned is not None and activities is not None and activities.value < planned.value
    if (
        short
        and planned is not None
        and activities is not None
        and not agree(planned.value, activities.value, settings)
    ):
        figure = settings.label("owners.figure.advertising", month=month_name)
        issues.append(mismatch_issue(figure, planned, activities, settings))
    return issues


def _monthly_checks(
    monthly: pd.DataFrame | None,
    others: dict[str, dict[str, Figure]],
    month_name: str,
    settings: Settings,
    cells: CellMap,
) -> list[Issue]:
    """The monthly plan's collections and revenue indicators against the other forms' month."""
    if monthly is None or monthly.empty:
        return []
    words = {kind: {normalise_loose(w) for w in settings.get(f"crossform.{kind}")} for kind in others}
    issues: list[Issue] = []
    for item in monthly.to_dict("records"):
        core = normalise_loose(core_name(item["indicator"]))
        kind = next((kind for kind, names in words.items() if core in names), None)
        if kind is None or not others[kind]:
            continue
        units = [item.get("unit"), item.get("target_unit"), item.get("actual_unit")]
        unit = money_factor(item["indicator"], units, settings)
        if unit is None:
            other = settings.label(f"owners.other.{'receivables' if kind == 'collections' else 'pnl'}")
            issues.append(
                settings.issue(
                    "crossform_no_unit",
                    item["sheet"],
                    cells.cell(item["sheet"], "target", item["row"]),
                    indicator=item["indicator"],
                    other=other,
                )
            )
            continue
        issues += _compare_item(item, kind, unit, others[kind], month_name, settings, cells)
    return issues


def _compare_item(
    item: dict[str, object],
    kind: str,
    unit: tuple[str, float],
    other: dict[str, Figure],
    month_name: str,
    settings: Settings,
    cells: CellMap,
) -> list[Issue]:
    """One monthly indicator's target and actual against the other form's plan and actual for the month."""
    issues = []
    text, factor = unit
    for field, measure, label in MONTHLY_MEASURES:
        raw = as_floats(pd.Series([item.get(field)])).iloc[0]
        where = cells.cell(str(item["sheet"]), field, item["row"])  # type: ignore[arg-type]
        if raw != raw or measure not in other or where is None:
            continue
        mine = Figure(str(item["sheet"]), where, float(raw) * factor, f"{fmt(raw)} {text}")
        if not agree(mine.value, other[measure].value, settings):
            figure = settings.label(f"owners.figure.{kind}_{label}", month=month_name)
            issues.append(mismatch_issue(figure, mine, other[measure], settings))
    return issues


def _span(letters: list[object], rows: list[object]) -> str:
    """The cells a sum covers: one column over rows (H5:H16), or the cells of one row (B12,D12)."""
    columns = list(dict.fromkeys(str(letter) for letter in letters if isinstance(letter, str)))
    numbers = sorted({int(row) for row in rows if isinstance(row, (int, float)) and row == row})
    if not columns or not numbers:
        return ""
    if len(columns) == 1:
        first, last = f"{columns[0]}{numbers[0]}", f"{columns[0]}{numbers[-1]}"
        return first if first == last else f"{first}:{last}"
    return ",".join(cell_at(column, numbers[0]) or "" for column in columns)


def _receivables_figures(months: pd.DataFrame | None, year: int, month: int) -> dict[str, Figure]:
    """The receivables plan's month: plan, and actual when any is written (first sheet only)."""
    if months is None or months.empty:
        return {}
    rows = months[in_month(months, year, month) & (months["sheet"] == months["sheet"].iloc[0])]
    if rows.empty:
        return {}
    return _plan_and_actual(rows)


def _pnl_figures(
    pnl: pd.DataFrame | None, year: int, month: int, group: str, vocab: str | None, settings: Settings
) -> dict[str, Figure]:
    """The P&L's month: the sum of a group's lines (or of the lines ``vocab`` names), plan and actual."""
    if pnl is None or pnl.empty:
        return {}
    rows = pnl[in_month(pnl, year, month) & (pnl["group"] == group) & (pnl["sheet"] == pnl["sheet"].iloc[0])]
    if vocab is not None:
        names = {normalise_loose(name) for name in settings.get(vocab)}
        rows = rows[rows["line"].map(lambda line: normalise_loose(str(line)) in names)]
    if rows.empty:
        return {}
    return _plan_and_actual(rows)


def _plan_and_actual(rows: pd.DataFrame) -> dict[str, Figure]:
    """The rows' plan and actual summed, each where any is written, with the cells they come from."""
    sheet = str(rows["sheet"].iloc[0])
    found = {}
    for measure in ("plan", "actual"):
        values = as_floats(rows[measure])
        if values.notna().any():
            letters = optional_column(rows, f"{measure}_col").tolist()
            where = _span(letters, rows["row"].tolist())
            found[measure] = Figure(sheet, where, float(values.sum()), fmt(values.sum()))
    return found


def _activity_figure(months: pd.DataFrame | None, year: int, month: int) -> Figure | None:
    """The activity plan's budget for the month: the month column's amounts (written or spread)."""
    if months is None or months.empty:
        return None
    rows = months[(pd.to_numeric(months["month"], errors="coerce") == month)]
    rows = rows[rows["sheet"] == months["sheet"].iloc[0]]
    amounts = as_floats(rows["amount"]) if not rows.empty else pd.Series(dtype=float)
    if amounts.notna().sum() == 0:
        return None
    sheet = str(rows["sheet"].iloc[0])
    total = float(amounts.sum())
    return Figure(
        sheet, _span(optional_column(rows, "col").tolist(), rows["row"].tolist()), total, fmt(total)
    )


# -- the weekly plan's weeks against the monthly plan --------------------------------------------------
def weekly_checks(
    weekly: pd.DataFrame | None,
    monthly: pd.DataFrame | None,
    review_month: tuple[int, int],
    settings: Settings,
    weekly_cells: CellMap | None = None,
    monthly_cells: CellMap | None = None,
) -> list[Issue]:
    """The weekly plan's actuals added up over its weeks against the monthly plan's actual of the same
    indicator (the goal whose 月计划项目 names it, or of its name: as calc.plans matches them).

    The weekly plan holds the review month's weeks; its targets against the month's are ``weeks_short``
    (calc.plans), so only the actuals are compared here. Money is compared in 元 when both name a unit,
    counts as written when neither does; when only one names a money unit, nothing is compared and an
    info issue says so.
    """
    if weekly is None or weekly.empty or monthly is None or monthly.empty:
        return []
    weekly_cells, monthly_cells = weekly_cells or CellMap(), monthly_cells or CellMap()
    month_name = settings.label(f"values.month.{review_month[1]}")
    indicators = sorted(monthly.to_dict("records"), key=lambda item: -len(core_name(item["indicator"])))
    issues: list[Issue] = []
    for (sheet, goal), rows in weekly.groupby(["sheet", "goal"], sort=False):
        item = _indicator_of(goal, rows["monthly_item"].iloc[0], indicators)
        if item is None:
            continue
        weeks = _weeks_figure(str(sheet), goal, rows, weekly_cells, settings)
        row = item["row"]
        where = monthly_cells.cell(
            str(item["sheet"]), "actual", row if isinstance(row, (int, float)) else None
        )
        actual = as_floats(pd.Series([item.get("actual")])).iloc[0]
        if weeks is None or where is None or actual != actual:
            continue
        units = [item.get("unit"), item.get("actual_unit"), item.get("target_unit")]
        month = (str(item["sheet"]), where, float(actual), money_factor(item["indicator"], units, settings))
        issues += _compare_weeks(weeks, month, item["indicator"], month_name, settings)
    return issues


def _indicator_of(
    goal: object, named: object, indicators: list[dict[str, object]]
) -> dict[str, object] | None:
    """The monthly indicator a weekly goal serves: the one its 月计划项目 names, else of its own name."""
    item_text = normalise_loose(named) if isinstance(named, str) else ""
    for indicator in indicators:
        core = normalise_loose(core_name(indicator["indicator"]))
        if core and ((item_text and core in item_text) or core == normalise_loose(core_name(goal))):
            return indicator
    return None


class _Weeks(NamedTuple):
    """A weekly goal's actuals added up, where they are written and the money unit the goal names."""

    sheet: str
    cells: str
    total: float
    goal: str
    unit: tuple[str, float] | None


def _weeks_figure(
    sheet: str, goal: object, rows: pd.DataFrame, cells: CellMap, settings: Settings
) -> _Weeks | None:
    """The weeks' actuals (the weeks that have one) and their cells, or None when none is written."""
    actuals = as_floats(rows["actual"])
    places = [cells.cell(sheet, "actual", row) for row in rows.loc[actuals.notna(), "row"]]
    if not places or any(place is None for place in places):
        return None
    units = [
        value
        for column in ("unit", "actual_unit", "weekly_target_unit")
        for value in optional_column(rows, column).tolist()
    ]
    unit = money_factor(goal, units, settings)
    return _Weeks(sheet, ",".join(str(place) for place in places), float(actuals.sum()), str(goal), unit)


def _compare_weeks(
    weeks: _Weeks,
    month: tuple[str, str, float, tuple[str, float] | None],
    indicator: object,
    month_name: str,
    settings: Settings,
) -> list[Issue]:
    """One goal's weeks against the month's actual: in 元 when both name a money unit, as written when
    neither does; only one naming it is not compared (``crossform_weekly_no_unit``)."""
    sheet, cell, actual, unit = month
    if (weeks.unit is None) != (unit is None):
        where = (weeks.sheet, weeks.cells.split(",")[0]) if weeks.unit is None else (sheet, cell)
        return [settings.issue("crossform_weekly_no_unit", *where, goal=weeks.goal, indicator=indicator)]
    weeks_factor, month_factor = (weeks.unit or ("", 1.0))[1], (unit or ("", 1.0))[1]
    mine = Figure(sheet, cell, actual * month_factor, _shown(actual, unit))
    theirs = Figure(weeks.sheet, weeks.cells, weeks.total * weeks_factor, _shown(weeks.total, weeks.unit))
    if agree(mine.value, theirs.value, settings):
        return []
    figure = settings.label("crossform.figure.weekly_actual", month=month_name, indicator=indicator)
    return [mismatch_issue(figure, mine, theirs, settings)]


def _shown(value: float, unit: tuple[str, float] | None) -> str:
    """A figure as its form writes it: "111 万元"; a count bare: "9"."""
    return f"{fmt(value)} {unit[0]}" if unit else fmt(value)


# -- the targets breakdown against the P&L --------------------------------------------------------------
def targets_checks(
    targets: Targets | None,
    tables: Mapping[str, pd.DataFrame | None],
    pnl: pd.DataFrame | None,
    year: int,
    settings: Settings,
) -> list[Issue]:
    """The targets breakdown's monthly targets (营销目标及分解) against the P&L's revenue plan for the
    same months: every month both state, not only the review month, since both are the year's plan.

    ``targets`` are calc.plan_forms' (its months' figures: the 合计 row's where written, else the
    pieces' sum); ``tables`` the reader's targets tables (``months``, ``totals``, ``total_months``),
    for the cells. The months are of the review ``year`` where the P&L writes years.
    """
    if targets is None or targets.by_month.empty or pnl is None or pnl.empty:
        return []
    issues: list[Issue] = []
    for month in targets.by_month.to_dict("records"):
        mine = _target_figure(month, tables)
        theirs = _pnl_figures(pnl, year, int(month["month"]), "revenue", None, settings).get("plan")
        if mine is None or theirs is None or agree(mine.value, theirs.value, settings):
            continue
        figure = settings.label(
            "crossform.figure.targets_revenue", month=settings.label(f"values.month.{int(month['month'])}")
        )
        issues.append(mismatch_issue(figure, mine, theirs, settings))
    return issues


def _target_figure(month: dict[str, Any], tables: Mapping[str, pd.DataFrame | None]) -> Figure | None:
    """A month's target: the grand 合计 row's cell where it is written, else the pieces' column."""
    number = int(month["month"])
    totals, total_months = tables.get("totals"), tables.get("total_months")
    written = month.get("written")
    if isinstance(written, float) and written == written and totals is not None and total_months is not None:
        grand = totals[totals["kind"] == "total"]
        cells = (
            total_months[(total_months["row"] == grand["row"].iloc[-1]) & (total_months["month"] == number)]
            if len(grand)
            else total_months.iloc[:0]
        )
        if len(cells):
            where = _span(cells["col"].tolist(), cells["row"].tolist())
            return Figure(str(cells["sheet"].iloc[0]), where, written, fmt(written))
    plan, pieces = month.get("plan"), tables.get("months")
    if not isinstance(plan, float) or plan != plan or pieces is None or pieces.empty:
        return None
    cells = pieces[pd.to_numeric(pieces["month"], errors="coerce") == number]
    if cells.empty:
        return None
    where = _span(cells["col"].tolist(), cells["row"].tolist())
    return Figure(str(cells["sheet"].iloc[0]), where, plan, fmt(plan))
