"""By salesperson (负责人, docs/method.md §13): each owner's collections, pipeline, P1 customers, plans, time.

A director reads the region's figures per salesperson: who collects what
was planned, who carries the pipeline, who owns the P1 customers and who
reaches the monthly targets. Each form names its rows' owner in its own
负责人 column; the rows of one owner are gathered across the forms. A row
with no owner is never dropped: it goes to one explicit unassigned row, so
that the owners' rows add up to the region's totals.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from kamxl.calc.frames import as_floats, divide, optional_column
from kamxl.config import Settings

OWNER_COLUMNS = [
    "owner",
    "collections_plan",
    "collections_actual",
    "collections_rate",
    "pipeline",
    "weighted_pipeline",
    "p1_customers",
    "plan_attainment",
    "hours",
]
SUMMED = ["collections_plan", "collections_actual", "pipeline", "weighted_pipeline", "p1_customers", "hours"]
_UNASSIGNED = "\0unassigned"  # the unassigned row's key while grouping: no real name sorts or clashes with it


def owner_keys(owners: pd.Series) -> pd.Series:
    """Each row's owner as a grouping key: the name without surrounding spaces; a blank is unassigned."""
    stripped = owners.map(lambda owner: owner.strip() if isinstance(owner, str) else None)
    return stripped.where(stripped.map(bool, na_action="ignore").fillna(False).astype(bool), _UNASSIGNED)


def split_owners(rows: pd.DataFrame, separators: list[str]) -> pd.DataFrame:
    """One row per person of an owner cell that names several ("王伟; 李娜"): a shared goal is each one's."""
    names = optional_column(rows, "owner").map(lambda owner: _names(owner, separators))
    return rows.assign(owner=names).explode("owner")


def _names(owner: object, separators: list[str]) -> list[str | None]:
    if not isinstance(owner, str):
        return [None]
    for separator in separators:
        owner = owner.replace(separator, "\n")
    names = [name.strip() for name in owner.split("\n") if name.strip()]
    return list(names) or [None]


def _sums(rows: pd.DataFrame | None, columns: dict[str, str]) -> pd.DataFrame:
    """Per owner key: the sum of each source column, under its new name."""
    if rows is None or rows.empty:
        return pd.DataFrame(columns=list(columns.values()), dtype=float)
    keys = owner_keys(optional_column(rows, "owner"))
    numbers = pd.DataFrame({new: as_floats(rows[old]).fillna(0.0) for old, new in columns.items()})
    return numbers.groupby(keys.rename("key"), sort=False).sum()


def by_owner(
    customers: pd.DataFrame | None,
    receivables: pd.DataFrame | None,
    monthly: pd.DataFrame | None,
    time_entries: pd.DataFrame | None,
    settings: Settings,
) -> pd.DataFrame | None:
    """One row per owner (columns ``OWNER_COLUMNS``), the unassigned row last; None without any owner column.

    ``customers`` are the prioritised opportunities (open, class, amount,
    weighted_amount, priority), ``receivables`` the receivables rows
    (plan_to_date, actual_to_date), ``monthly`` the monthly plan with its
    attainment, ``time_entries`` rows with hours and, where the form has
    one, an owner; without an owner the hours stay blank.
    """
    parts = [
        _sums(receivables, {"plan_to_date": "collections_plan", "actual_to_date": "collections_actual"}),
        _pipeline(customers),
        _p1_customers(customers),
        _attainment(monthly, settings),
        _hours(time_entries),
    ]
    separators = settings.get("goals.owner_separators")
    monthly_owners = None if monthly is None else split_owners(monthly, separators)
    keys = _key_order([receivables, customers, monthly_owners, time_entries])
    if not keys:
        return None
    table = pd.concat(parts, axis=1).reindex(keys)
    for source, columns in ((receivables, SUMMED[:2]), (customers, SUMMED[2:4])):
        for column in columns:  # a form the workbook lacks leaves its figures blank, not 0
            table[column] = table[column].astype(float).fillna(0.0) if source is not None else np.nan
    table["p1_customers"] = (
        table["p1_customers"].astype(float).fillna(0.0).astype(int) if customers is not None else np.nan
    )
    table["collections_rate"] = divide(table["collections_actual"], table["collections_plan"])
    # an owner with no time entries logged none: blank, not 0 (which would say 0 hours spent)
    table["hours"] = table["hours"].astype(float)
    table["plan_attainment"] = table["plan_attainment"].astype(float)
    unassigned = settings.label("owners.unassigned")
    table.index = [unassigned if key == _UNASSIGNED else key for key in table.index]
    out = table.rename_axis("owner").reset_index()[OWNER_COLUMNS]
    out.attrs["unassigned"] = unassigned  # report.json writes that row's owner as null: its values are codes
    return out


def _key_order(frames: list[pd.DataFrame | None]) -> list[str]:
    """Every owner key in order of first appearance in the forms given, unassigned last.

    A form without an owner column adds nothing.
    """
    seen: dict[str, None] = {}
    for frame in frames:
        if frame is not None and not frame.empty and "owner" in frame.columns:
            seen.update(dict.fromkeys(owner_keys(frame["owner"]).tolist()))
    ordered = [key for key in seen if key != _UNASSIGNED]
    return ordered + ([_UNASSIGNED] if _UNASSIGNED in seen else [])


def named_owners(frames: list[pd.DataFrame | None]) -> list[str]:
    """The owners the forms name, in order of first appearance (the unassigned key left out)."""
    return [key for key in _key_order(frames) if key != _UNASSIGNED]


def _pipeline(customers: pd.DataFrame | None) -> pd.DataFrame:
    """The open opportunities' amount and weighted amount, as the funnel counts them (open, with a class)."""
    if customers is None:
        return _sums(None, {"amount": "pipeline", "weighted_amount": "weighted_pipeline"})
    open_ = customers[customers["open"].astype(bool) & customers["class"].notna()]
    return _sums(open_, {"amount": "pipeline", "weighted_amount": "weighted_pipeline"})


def _p1_customers(customers: pd.DataFrame | None) -> pd.DataFrame:
    """How many customers (by name) each owner has a P1 opportunity with."""
    if customers is None or customers.empty:
        return pd.DataFrame(columns=["p1_customers"], dtype=int)
    p1 = customers[customers["priority"] == "P1"]
    keys = owner_keys(optional_column(p1, "owner")).rename("key")
    return p1["customer"].groupby(keys, sort=False).nunique().rename("p1_customers").to_frame()


def _attainment(monthly: pd.DataFrame | None, settings: Settings) -> pd.DataFrame:
    """The mean attainment of each owner's monthly indicators that have one; a shared goal counts for each."""
    if monthly is None or monthly.empty or "attainment" not in monthly.columns:
        return pd.DataFrame(columns=["plan_attainment"], dtype=float)
    rows = split_owners(monthly, settings.get("goals.owner_separators"))
    keys = owner_keys(rows["owner"]).rename("key")
    return as_floats(rows["attainment"]).groupby(keys, sort=False).mean().rename("plan_attainment").to_frame()


def _hours(time_entries: pd.DataFrame | None) -> pd.DataFrame:
    """Hours per owner, where the time form has an owner column; else nothing (the hours stay blank)."""
    if time_entries is None or "owner" not in time_entries.columns:
        return pd.DataFrame(columns=["hours"], dtype=float)
    return _sums(time_entries, {"hours": "hours"})


def with_titled_owner(
    entries: pd.DataFrame | None, titles: Mapping[str, str | None], known: Iterable[str]
) -> pd.DataFrame | None:
    """A time form without an owner column whose sheet title names exactly one known owner ("工作日志 —
    王伟 2026年3月"): that sheet's rows are the owner's. A title naming none or several leaves its rows
    unassigned; a form with an owner column is left as it is."""
    if entries is None or "owner" in entries.columns or entries.empty:
        return entries
    names = [name for name in dict.fromkeys(known) if name]
    owner_of: dict[str, str] = {}
    for sheet, title in titles.items():
        named = [name for name in names if title and name in title]
        if len(named) == 1:
            owner_of[sheet] = named[0]
    if not owner_of:
        return entries
    return entries.assign(owner=entries["sheet"].map(owner_of))


def region_totals(customers: pd.DataFrame | None, receivables: pd.DataFrame | None) -> dict[str, float]:
    """The region's own totals of the summed figures, which the owners' rows add up to."""
    totals = {"collections_plan": 0.0, "collections_actual": 0.0, "pipeline": 0.0, "weighted_pipeline": 0.0}
    if receivables is not None:
        totals["collections_plan"] = float(as_floats(receivables["plan_to_date"]).sum())
        totals["collections_actual"] = float(as_floats(receivables["actual_to_date"]).sum())
    if customers is not None:
        open_ = customers[customers["open"].astype(bool) & customers["class"].notna()]
        totals["pipeline"] = float(as_floats(open_["amount"]).sum())
        totals["weighted_pipeline"] = float(as_floats(open_["weighted_amount"]).sum())
    return totals
