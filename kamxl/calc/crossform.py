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
from typing import NamedTuple

import pandas as pd

from kamxl.calc.cells import CellMap, cell_at
from kamxl.calc.frames import as_floats, optional_column
from kamxl.calc.months import has_years, periods
from kamxl.calc.numbers import fmt
from kamxl.calc.plans import core_name
from kamxl.config import Settings
from kamxl.issues import Issue
from kamxl.text import normalise_loose

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
    sheet = str(rows["sheet"].iloc[0])
    found = {}
    for measure in ("plan", "actual"):
        values = as_floats(rows[measure])
        if values.notna().any():
            where = _span(rows[f"{measure}_col"].tolist(), rows["row"].tolist())
            found[measure] = Figure(sheet, where, float(values.sum()), fmt(values.sum()))
    return found


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
    sheet = str(rows["sheet"].iloc[0])
    found = {}
    for measure in ("plan", "actual"):
        values = as_floats(rows[measure])
        if values.notna().any():
            letters = optional_column(rows, f"{measure}_col").tolist()
            found[measure] = Figure(
                sheet, _span(letters, rows["row"].tolist()), float(values.sum()), fmt(values.sum())
            )
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
