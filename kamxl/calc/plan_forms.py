"""Calculations on the course's competitor, SWOT, targets-breakdown and plan-review forms (pure).

The competitor rows become the course's side-by-side comparison on its 4P1S
dimensions and a list per contested customer; the targets breakdown is
checked to add up (each row to its annual target, the pieces to the 合计
row: a mismatch is a warning at the total's cell, and the pieces' sum is
used) and set against the P&L's revenue or the receivables' collections
month by month; the review's attainment is actual ÷ target per indicator,
with the weeks held against the month.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from kamxl.calc.numbers import fmt
from kamxl.config import Settings
from kamxl.issues import Issue

DIMENSIONS = ("channel", "sales_model", "service", "price", "products")
QUADRANTS = ("strengths", "weaknesses", "opportunities", "threats", "actions")
# the strategy matrix: SO 增长型, WO 扭转型, ST 多种经营, WT 防御型 (docs/forms.md, swot)
STRATEGIES = ("so", "wo", "st", "wt")
WEEKS = ("week1", "week2", "week3", "week4", "week5")
NOTE_KINDS = ("notes", "next_focus", "week_events")
# How users separate several customers in one cell: 朗通、泰岳 / 朗通,泰岳 / 朗通;泰岳 / one per line.
_CUSTOMER_SPLIT = re.compile(r"[、,，;；/\n]+")
# How users separate a competitor's moves in one cell: 3月降价;4月试用 / 3月降价。4月试用 / one per line.
_MOVE_SPLIT = re.compile(r"[;；。\n]+")


@dataclass
class Competition:
    """The competitor rows, the 4P1S comparison (dimension × competitor) and the contested customers."""

    rows: pd.DataFrame
    comparison: pd.DataFrame  # index: dimension; a column per competitor; text cells
    # customer, competitor, moves (only those naming the customer), strengths, weaknesses, sheet, row
    per_customer: pd.DataFrame


@dataclass
class Targets:
    """The targets per row and month, the months' totals against actuals, and the region's target."""

    rows: pd.DataFrame  # sheet, row, product, market, total (as written), pieces (its months' sum), months
    by_month: pd.DataFrame  # month, plan (pieces' sum), written (the 合计 row's), actual, attainment
    total: float  # the region's target: the pieces' sum
    written_total: float | None  # what the 合计 row says, if there is one
    source: str  # where the actuals come from: "pnl", "receivables" or "none"
    months: list[int] = field(default_factory=list)
    # product, month, plan (its rows' sum), actual (the P&L revenue line of that name), attainment
    by_product: pd.DataFrame = field(default_factory=pd.DataFrame)
    # customer, target_rows, month, plan, collected, attainment: the rows naming a receivables customer
    by_customer: pd.DataFrame = field(default_factory=pd.DataFrame)
    # the period the targets cover, as (kind, number): ("year", 0), ("quarter", 1…4), ("half", 1 or 2),
    # ("months", 0) for other months (the first to the last of ``months``), ("none", 0) when unsaid
    period: tuple[str, int] = ("none", 0)


@dataclass
class Review:
    """The review's indicators with attainment, the weeks against the month, and its notes by kind."""

    rows: (
        pd.DataFrame
    )  # indicator, target, actual, weeks_sum, attainment, behind, week1…week5, attainment_note
    # indicator, week, value, cumulative, share (cumulative ÷ target); week_target where the weekly layout
    # (周计划审查, one row per week) gives each week's target
    weeks: pd.DataFrame
    notes: dict[str, list[str]]
    behind: int
    counted: int  # indicators with a target and an actual


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""


def _number(value: Any) -> float | None:
    """A table cell as a float, None when blank."""
    if _blank(value):
        return None
    return float(value)


# ------------------------------------------------------------------ competitors ---
def competition(main: pd.DataFrame) -> Competition:
    """The comparison on the 4P1S dimensions and the per-customer list, from the competitor rows."""
    comparison = main.set_index(main["competitor"].astype(str))[list(DIMENSIONS)].T
    comparison.columns.name = None
    columns = ["customer", "competitor", "moves", "strengths", "weaknesses", "sheet", "row"]
    names = main["customers"].where(main["customers"].notna(), "").astype(str).str.split(_CUSTOMER_SPLIT)
    per_customer = main.assign(customer=names).explode("customer")
    per_customer["customer"] = per_customer["customer"].str.strip()
    per_customer = per_customer[per_customer["customer"].fillna("") != ""].reindex(columns=columns)
    for column in ("moves", "strengths", "weaknesses"):  # a competitor's items that name the customer
        per_customer[column] = [
            moves_naming(text, customer)
            for text, customer in zip(per_customer[column], per_customer["customer"], strict=True)
        ]
    per_customer = per_customer.sort_values(["customer", "row"], kind="stable").reset_index(drop=True)
    return Competition(main.reset_index(drop=True), comparison, per_customer)


def contested(customers: Any) -> list[str]:
    """The customers one 争夺客户 cell names, in the order written (users separate them with 、 , ; or
    a line each; the report lists them with one separator)."""
    if _blank(customers):
        return []
    return [name.strip() for name in _CUSTOMER_SPLIT.split(str(customers)) if name.strip()]


def moves_naming(moves: Any, customer: str) -> str | None:
    """The items of a competitor's 竞争者动向 (or 优势, 劣势) that name the customer; None when none does.

    A competitor contests several customers but "3月起对泰岳降价 8%" is a move against 泰岳 only, and
    "与朗通高层关系深" a strength at 朗通 only: shown against every customer it contests, it would pin
    the item on customers it does not concern (the competitor's own list shows every item once).
    Names are matched as users write them (width, script and punctuation aside).
    """
    from kamxl.text import normalise

    key = normalise(customer)
    if _blank(moves) or not key:
        return None
    found = [move.strip() for move in _MOVE_SPLIT.split(str(moves)) if key in normalise(move)]
    return "; ".join(found) or None


def with_priorities(found: Competition, customers: pd.DataFrame) -> Competition:
    """Each contested customer's priority from the customer assessment (its best), if named there; the
    customers sorted P1 first (the ones a manager must defend), those without a priority last.

    Names are matched as users write them (width, script and punctuation aside).
    """
    from kamxl.text import normalise

    keys = customers["customer"].map(normalise)
    best = customers.assign(key=keys).dropna(subset=["priority"]).groupby("key")["priority"].min()
    per_customer = found.per_customer.copy()
    per_customer["priority"] = per_customer["customer"].map(normalise).map(best)
    # P1 first, then P2 …, customers the assessment gives no priority last (stable: by name within one)
    per_customer = per_customer.sort_values("priority", kind="stable", na_position="last")
    return Competition(found.rows, found.comparison, per_customer.reset_index(drop=True))


def swot_quadrants(main: pd.DataFrame) -> dict[str, list[str]]:
    """Each SWOT part's items in the order written (a part not written: an empty list); the strategy
    matrix's SO / WO / ST / WT too where the sheet has one (a sheet without keeps the parts it always had)."""
    parts = {part: [str(t) for t in main.loc[main["quadrant"] == part, "text"]] for part in QUADRANTS}
    if main["quadrant"].isin(STRATEGIES).any():
        parts |= {part: [str(t) for t in main.loc[main["quadrant"] == part, "text"]] for part in STRATEGIES}
    return parts


# ---------------------------------------------------------------------- targets ---
def _over(written: pd.Series, computed: pd.Series, settings: Settings) -> pd.Series:
    """Where a written total and its pieces' sum differ by more than the tolerance (both known)."""
    tolerance: float = settings.get("forms.targets.tolerance")
    return written.notna() & computed.notna() & ((written - computed).abs() > tolerance)


def targets_add_up(targets: Targets, settings: Settings) -> bool | None:
    """Whether each month's pieces and the whole add up to what the 合计 row says (within the tolerance);
    None when there is no 合计 row to hold them against. A report shows the check only when they do not."""
    written = pd.to_numeric(targets.by_month["written"], errors="coerce") if len(targets.by_month) else None
    if (written is None or written.isna().all()) and targets.written_total is None:
        return None
    months = pd.Series(dtype=float) if written is None else written
    plans = pd.to_numeric(targets.by_month["plan"], errors="coerce") if len(targets.by_month) else months
    whole = pd.Series([targets.written_total], dtype=float), pd.Series([targets.total], dtype=float)
    return not (_over(months, plans, settings).any() or _over(*whole, settings).any())


def _mismatch(settings: Settings, sheet: str, cell: str, what: str, written: Any, computed: Any) -> Issue:
    """A targets_mismatch issue at the total's cell."""
    return settings.issue(
        "targets_mismatch", sheet, cell, what=what, written=fmt(written), computed=fmt(computed)
    )


def _row_pieces(
    main: pd.DataFrame, months: pd.DataFrame, settings: Settings
) -> tuple[pd.DataFrame, list[Issue]]:
    """Each row's months summed (its pieces), checked against its annual target where it has one."""
    plan = pd.to_numeric(months["plan"], errors="coerce")
    rows = main.copy()
    written = pd.to_numeric(rows["total"], errors="coerce")
    pieces = rows["row"].map(plan.groupby(months["row"]).sum(min_count=1)).astype(float)
    flagged = rows.assign(pieces=pieces)[_over(written, pieces, settings) & rows["total_col"].notna()]
    issues = []
    for item in flagged.to_dict("records"):
        name = " · ".join(str(v) for v in (item["product"], item["market"]) if not _blank(v))
        what = settings.label("plan_forms.row_total", row=int(item["row"]), name=name)
        cell = f"{item['total_col']}{int(item['row'])}"
        issues.append(_mismatch(settings, item["sheet"], cell, what, item["total"], item["pieces"]))
    rows["pieces"] = pieces.fillna(written)
    by_month = plan.groupby([months["row"], months["month"]]).sum(min_count=1).unstack()
    for month in by_month.columns:
        rows[f"m{int(month)}"] = rows["row"].map(by_month[month]).astype(float)
    return rows, issues


def _check_total_row(
    total: dict[str, Any],
    rows: pd.DataFrame,
    months: pd.DataFrame,
    total_months: pd.DataFrame,
    settings: Settings,
) -> list[Issue]:
    """One 合计/小计 row against the rows it sums: each month's cell and its annual target."""
    span = set(total["span"]) or set(rows["row"])
    mine = months[months["row"].isin(span)]
    computed = pd.to_numeric(mine["plan"], errors="coerce").groupby(mine["month"]).sum()
    cells = total_months[total_months["row"] == total["row"]]
    written = pd.to_numeric(cells["plan"], errors="coerce")
    sums = cells["month"].map(computed).fillna(0.0)
    issues = []
    for cell, value, pieces in zip(cells.to_dict("records"), written, sums, strict=True):
        if _over(pd.Series([value]), pd.Series([pieces]), settings).iloc[0]:
            month = settings.label(f"values.month.{int(cell['month'])}")
            what = settings.label("plan_forms.month_total", month=month)
            place = f"{cell['col']}{int(total['row'])}"
            issues.append(_mismatch(settings, total["sheet"], place, what, value, pieces))
    written_total = _number(total["total"])
    if written_total is not None and not _blank(total["total_col"]):
        computed_total = float(
            pd.to_numeric(rows.loc[rows["row"].isin(span), "pieces"], errors="coerce").sum()
        )
        if _over(pd.Series([written_total]), pd.Series([computed_total]), settings).iloc[0]:
            where = f"{total['total_col']}{int(total['row'])}"
            what = settings.label("plan_forms.grand_total")
            issues.append(_mismatch(settings, total["sheet"], where, what, written_total, computed_total))
    return issues


def _actuals(pnl_months: pd.DataFrame | None, collected: pd.DataFrame | None) -> tuple[dict[int, float], str]:
    """Actual sales per month: the P&L's revenue where there is a P&L, else the receivables collected."""
    for frame, column, source in (
        (pnl_months, "revenue_actual", "pnl"),
        (collected, "actual", "receivables"),
    ):
        if frame is not None and column in frame.columns and not frame.empty:
            sums = pd.to_numeric(frame[column], errors="coerce").groupby(frame["month"]).sum(min_count=1)
            return {int(m): float(v) for m, v in sums.items() if not _blank(v)}, source
    return {}, "none"


def check_targets(
    tables: dict[str, pd.DataFrame],
    settings: Settings,
    pnl_months: pd.DataFrame | None = None,
    collected: pd.DataFrame | None = None,
    pnl_lines: pd.DataFrame | None = None,
    title: str | None = None,
) -> tuple[Targets, list[Issue]]:
    """The targets checked to add up, and set against the actuals month by month (and per product).

    ``tables`` are the reader's main, months, totals and total_months tables; ``pnl_lines`` the
    P&L's lines, whose revenue lines named as a product give that product's actuals; ``title``
    the form's title, naming its period when it has no month columns.
    """
    main, months = tables["main"], tables["months"]
    rows, issues = _row_pieces(main, months, settings)
    totals, total_months = tables["totals"], tables["total_months"]
    for total in totals.to_dict("records"):
        issues += _check_total_row(total, rows, months, total_months, settings)
    grand = totals[totals["kind"] == "total"]
    written_total = _number(grand["total"].iloc[-1]) if len(grand) else None
    actual, source = _actuals(pnl_months, collected)
    by_month = _by_month(months, grand, total_months, actual)
    total = float(pd.to_numeric(rows["pieces"], errors="coerce").sum())
    month_list = [int(m) for m in by_month["month"]]
    found = Targets(rows, by_month, total, written_total, source, month_list)
    found.by_product = _by_product(rows, month_list, pnl_lines)
    found.period = target_period(month_list, title, settings)
    return found, issues


def target_period(months: list[int], title: str | None, settings: Settings) -> tuple[str, int]:
    """The period the targets cover: from the form's month columns, else from its title.

    A total is labelled by it, so a quarter's total is never called 全年目标 (the form's own
    total column is often headed 全年目标 whatever the months above it). The title's words for
    a quarter, a half and a year are ``forms.targets.period`` (docs/method.md §12).
    """
    from kamxl.text import normalise

    ordered = sorted(set(months))
    if ordered:
        spans = {"year": 12, "half": 6, "quarter": 3}
        for kind, size in spans.items():
            starts = range(1, 13, size)
            for number, start in enumerate(starts, 1):
                if ordered == list(range(start, start + size)):
                    return kind, 0 if kind == "year" else number
        return "months", 0
    words: dict[str, list[list[str]]] = settings.get("forms.targets.period")
    said = normalise(title)
    for kind in ("quarter", "half", "year"):
        for number, aliases in enumerate(words[kind], 1):
            if said and any(normalise(alias) in said for alias in aliases):
                return kind, 0 if kind == "year" else number
    return "none", 0


def _by_product(rows: pd.DataFrame, months: list[int], lines: pd.DataFrame | None) -> pd.DataFrame:
    """Each product's target per month against the P&L revenue line of the same name (if there is one)."""
    from kamxl.text import normalise

    columns = ["product", "month", "plan", "actual", "attainment"]
    if not months or rows.empty:
        return pd.DataFrame(columns=columns)
    long = rows.melt(id_vars=["product"], value_vars=[f"m{m}" for m in months], var_name="month")
    long["month"] = long["month"].str.removeprefix("m").astype(int)
    out = long.groupby(["product", "month"], sort=False)["value"].sum(min_count=1).reset_index(name="plan")
    out["actual"] = float("nan")
    if lines is not None and not lines.empty:
        revenue = lines[lines["group"] == "revenue"]
        keys = revenue["line"].map(normalise)
        actual = (
            pd.to_numeric(revenue["actual"], errors="coerce")
            .groupby([keys, revenue["month"]])
            .sum(min_count=1)
        )
        index = pd.MultiIndex.from_arrays([out["product"].map(normalise), out["month"]])
        out["actual"] = actual.reindex(index).to_numpy(dtype=float)
    out["attainment"] = out["actual"] / out["plan"].where(out["plan"] != 0)
    order = pd.Categorical(out["product"], categories=list(dict.fromkeys(out["product"])))
    return (
        out.assign(order=order).sort_values(["order", "month"], kind="stable")[columns].reset_index(drop=True)
    )


def by_customer(targets: Targets, rows: pd.DataFrame, months: pd.DataFrame) -> pd.DataFrame:
    """Each receivables customer a target row names (市场/客户): per month, its rows' target against the
    customer's collections (the receivables plan's actual that month); empty when no row names one.

    ``rows`` and ``months`` are the receivables' rows and row × month tables. Names are matched as users
    write them (width, script and punctuation aside); a rolling receivables plan (two Januaries) is not
    matched, as a target's month number would name two months."""
    from kamxl.calc.months import spans_years
    from kamxl.text import normalise

    columns = ["customer", "target_rows", "month", "plan", "collected", "attainment"]
    if targets.rows.empty or rows.empty or months.empty or spans_years(months) or not targets.months:
        return pd.DataFrame(columns=columns)
    names = rows.assign(key=rows["customer"].map(normalise))
    spelling = names.drop_duplicates("key").set_index("key")["customer"]
    keyed = months.merge(names[["sheet", "row", "key"]], on=["sheet", "row"], how="left")
    collected = (
        pd.to_numeric(keyed["actual"], errors="coerce")
        .groupby([keyed["key"], keyed["month"]])
        .sum(min_count=1)
    )
    mine = targets.rows.assign(key=targets.rows["market"].map(normalise))
    mine = mine[mine["key"].isin(spelling.index) & (mine["key"] != "")]
    out = []
    for key, group in mine.groupby("key", sort=False):
        for month in targets.months:
            plan = pd.to_numeric(group[f"m{month}"], errors="coerce").sum()  # blank cells add 0, as in Excel
            actual = collected.get((key, month), float("nan"))
            out.append(
                {
                    "customer": spelling[key],
                    "target_rows": tuple(int(r) for r in group["row"]),
                    "month": month,
                    "plan": float(plan),
                    "collected": float(actual),
                }
            )
    found = pd.DataFrame(out, columns=columns[:-1])
    found["attainment"] = found["collected"] / found["plan"].where(found["plan"] != 0)
    return found[columns]


def _by_month(
    months: pd.DataFrame, grand: pd.DataFrame, total_months: pd.DataFrame, actual: dict[int, float]
) -> pd.DataFrame:
    """Per month: the pieces' sum, the 合计 row's figure, the actual and the attainment."""
    plan = (
        pd.to_numeric(months["plan"], errors="coerce").groupby(months["month"].astype(int)).sum(min_count=1)
    )
    out = pd.DataFrame({"month": plan.index.astype(int), "plan": plan.to_numpy(dtype=float)})
    written = pd.Series(dtype=float)
    if len(grand):
        last = total_months[total_months["row"] == grand["row"].iloc[-1]]
        written = pd.to_numeric(last["plan"], errors="coerce").set_axis(last["month"].astype(int))
    out["written"] = out["month"].map(written).astype(float)
    out["actual"] = out["month"].map(pd.Series(actual, dtype=float)).astype(float)
    out["attainment"] = out["actual"] / out["plan"].where(out["plan"] != 0)
    return out


# ----------------------------------------------------------------------- review ---
def _numbers(frame: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_numeric(frame[column], errors="coerce").astype(float)


def _review_rows(main: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Each indicator: the actual (the weeks' sum where none is written), its attainment, behind or not."""
    rows = main[["sheet", "row", "indicator", "attainment_note"]].copy()
    weeks = pd.DataFrame({week: _numbers(main, week) for week in WEEKS})
    rows["target"], rows["written_actual"] = _numbers(main, "target"), _numbers(main, "actual")
    rows["weeks_sum"] = weeks.sum(axis=1, min_count=1)
    rows["actual"] = rows["written_actual"].fillna(rows["weeks_sum"])
    rows["attainment"] = rows["actual"] / rows["target"].where(rows["target"] != 0)
    line: float = settings.get("forms.review.behind_below")
    behind = (rows["attainment"] < line).astype(object)
    rows["behind"] = behind.where(rows["attainment"].notna(), None)
    targets = pd.DataFrame(
        {f"{week}_target": _numbers(main, f"{week}_target") for week in WEEKS if f"{week}_target" in main}
    )
    return pd.concat([rows, weeks, targets], axis=1)


def _review_issues(rows: pd.DataFrame, main: pd.DataFrame, settings: Settings) -> list[Issue]:
    """The weeks against the month's actual, an actual taken from the weeks, a target missing."""
    tolerance: float = settings.get("forms.targets.tolerance")
    at_actual = main["actual_col"].fillna("").astype(str) + main["row"].astype(str)
    at_target = main["target_col"].fillna("").astype(str) + main["row"].astype(str)
    places = rows.assign(at_actual=at_actual.where(main["actual_col"].notna()))
    places = places.assign(at_target=at_target.where(main["target_col"].notna()))
    checks = (
        ("review_actual_from_weeks", "at_actual", rows["written_actual"].isna() & rows["weeks_sum"].notna()),
        (
            "review_weeks_mismatch",
            "at_actual",
            (rows["written_actual"] - rows["weeks_sum"]).abs() > tolerance,
        ),
        ("review_no_target", "at_target", rows["target"].isna() | (rows["target"] == 0)),
    )
    issues = []
    for code, place, mask in checks:
        for item in places[mask].to_dict("records"):
            params = {"indicator": item["indicator"], "weeks": fmt(item["weeks_sum"])}
            params |= {"actual": fmt(item["written_actual"])} if code == "review_weeks_mismatch" else {}
            if code == "review_no_target":
                params = {"indicator": item["indicator"]}
            cell = item[place] if isinstance(item[place], str) else None
            issues.append(settings.issue(code, item["sheet"], cell, **params))
    return sorted(issues, key=lambda issue: (issue.row or 0, issue.col or 0))


def _weeks_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Each indicator's weeks: the value, the running sum, and that sum's share of the month's target."""
    long = rows.melt(id_vars=["row", "indicator", "target"], value_vars=list(WEEKS), var_name="week")
    long["week"] = long["week"].str.removeprefix("week").astype(int)
    long = long.dropna(subset=["value"]).sort_values(["row", "week"], kind="stable")
    long["cumulative"] = long.groupby("row")["value"].cumsum()
    long["share"] = long["cumulative"] / long["target"].where(long["target"] != 0)
    columns = ["indicator", "week", "value", "cumulative", "share"]
    targets = [f"{week}_target" for week in WEEKS]
    if all(column in rows for column in targets) and rows[targets].notna().any().any():
        # the weekly layout's own week targets, beside each week's actual
        given = rows.melt(id_vars=["row"], value_vars=targets, var_name="week", value_name="week_target")
        given["week"] = given["week"].str.removeprefix("week").str.removesuffix("_target").astype(int)
        long = long.merge(given, on=["row", "week"], how="left")
        columns.append("week_target")
    return long[columns].reset_index(drop=True)


def review_attainment(
    main: pd.DataFrame, notes: pd.DataFrame | None, settings: Settings
) -> tuple[Review, list[Issue]]:
    """Attainment per indicator against the month, the weeks against the month, the notes by kind."""
    full = _review_rows(main.reset_index(drop=True), settings)
    issues = _review_issues(full, main.reset_index(drop=True), settings)
    columns = ["sheet", "row", "indicator", "target", "actual", "weeks_sum", "attainment", "behind", *WEEKS]
    rows = full[[*columns, "attainment_note"]]
    by_kind: dict[str, list[str]] = {kind: [] for kind in NOTE_KINDS}
    if notes is not None:
        for kind, text in zip(notes["kind"], notes["text"], strict=True):
            by_kind[str(kind)].append(str(text))
    for kind in ("next_focus", "week_events"):  # written in the table's own columns
        by_kind[kind] += [str(v) for v in main[kind] if not _blank(v)]
    counted = int(rows["attainment"].notna().sum())
    behind = int(rows["behind"].eq(True).sum())  # None (no attainment) is neither
    return Review(rows, _weeks_table(full), by_kind, behind, counted), issues
