"""竞争 · SWOT · 目标 · 审查: the course's planning forms in the report workbook, a sheet each.

The competitor sheet puts the competitors side by side on the course's 4P1S
dimensions and lists who contests which customer; the SWOT sheet is the
course's 2×2 with the action directions under it; the targets sheet sums the
pieces with live formulas and sets each month against its actual; the review
sheet shows each indicator's attainment (a formula) and the weeks' sum
beside the month, with the 特别纪要 under it.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from kamxl.calc.plan_forms import (
    DIMENSIONS,
    NOTE_KINDS,
    WEEKS,
    Competition,
    Review,
    Targets,
    contested,
    targets_add_up,
)
from kamxl.results import Results
from kamxl.write.summary_forms import total_label
from kamxl.write.xlsx.book import Book, Sheet, cell, is_blank, records, rng

TOP = 3  # the first row under the title
TEXT_WIDTH = 30  # a comparison's or a list's text column, in characters (it wraps)
SWOT_WIDTH = 52  # each half of the 2×2
KEY_WIDTH = 14  # the first column: dimension and customer names
LIST_WIDTH = 20  # the per-customer and information tables' text columns (they wrap)
CUSTOMER_COLUMNS = ("customer", "competitor", "moves", "strengths", "weaknesses")
SWOT_ROWS = (("strengths", "weaknesses"), ("opportunities", "threats"))
STRATEGY_ROWS = (("so", "wo"), ("st", "wt"))


def write_plan_forms(book: Book, results: Results) -> None:
    """A sheet for each of the four forms the workbook had."""
    if results.competition is not None:
        _competitors(book, results.competition)
    if results.swot is not None:
        _swot(book, results.swot)
    if results.targets is not None:
        _targets(book, results.targets)
    if results.review is not None:
        _review(book, results.review)


def _sheet(book: Book, key: str) -> Sheet:
    """The form's sheet, named and titled from the catalogue (``plan_forms.<key>_title``)."""
    return book.add(key, name=book.label(f"forms.{key}"))


def _header(sheet: Sheet, row: int, labels: list[str]) -> None:
    sheet.header(row, labels)


def _heading(book: Book, sheet: Sheet, row: int, text: str, columns: int) -> None:
    """A table's heading on its own row, merged across the table's ``columns``: in one cell it ran on
    through the boxed cells beside it."""
    if columns > 1:
        sheet.ws.merge_range(row, 0, row, columns - 1, text, book.fmt["key"])
    else:
        sheet.text(row, 0, text, "key", fit=False)


def _wrapped(sheet: Sheet, row: int, col: int, value: Any) -> None:
    sheet.text(row, col, None if is_blank(value) else str(value), "wrap", fit=False)


# ------------------------------------------------------------------ competitors ---
def _competitors(book: Book, found: Competition) -> None:
    """The 4P1S comparison, the contested customers, then each competitor's strengths and moves."""
    sheet = _sheet(book, "competitors")
    sheet.title(book.label("plan_forms.competitors_title"))
    head = TOP
    names = list(found.comparison.columns)
    _heading(book, sheet, head - 1, book.label("plan_forms.dimensions_title"), len(names) + 1)
    _header(sheet, head, [book.label("plan_forms.dimension"), *names])
    for row, dimension in enumerate(DIMENSIONS, head + 1):
        sheet.text(row, 0, book.label(f"headers.competitors.{dimension}"), "key")
        for col, name in enumerate(names, 1):
            _wrapped(sheet, row, col, found.comparison.loc[dimension, name])
    sheet.at_least(0, KEY_WIDTH)
    for col in range(1, len(names) + 1):
        sheet.at_least(col, TEXT_WIDTH)
    row = head + len(DIMENSIONS) + 3
    if len(found.per_customer):
        row = _per_customer(book, sheet, found, row)
    columns = ("competitor", "strengths", "weaknesses", "customers", "moves")
    _heading(book, sheet, row - 1, book.label("plan_forms.competitors_title"), len(columns))
    _header(sheet, row, [_column_label(book, name) for name in columns])
    separator = book.label("ui.list_sep")
    for at, item in enumerate(records(found.rows), row + 1):
        item["customers"] = (
            separator.join(contested(item["customers"])) or None
        )  # one separator, not the user's
        for col, name in enumerate(columns):
            _wrapped(sheet, at, col, item[name])
    for col in range(1, len(columns)):
        sheet.at_least(col, LIST_WIDTH)
    last = max(len(names), len(columns) - 1)
    sheet.finish(head, last, None, filter_=False, repeat=False)


def _column_label(book: Book, name: str) -> str:
    """A competitor table's column: 对手优势/对手劣势 rather than the form's 优势/劣势, which beside a
    customer's name would read as the customer's (or our) strengths."""
    if name in ("strengths", "weaknesses"):
        return book.label(f"plan_forms.competitor_{name}")
    return book.label(f"headers.competitors.{name}")


def _per_customer(book: Book, sheet: Sheet, found: Competition, head: int) -> int:
    """Who contests each customer and what they are doing; returns the next table's header row."""
    labels = [book.label("plan_forms.customer")]
    labels += [_column_label(book, name) for name in CUSTOMER_COLUMNS[1:]]
    has_priority = "priority" in found.per_customer
    _heading(book, sheet, head - 1, book.label("plan_forms.per_customer_title"), len(labels) + has_priority)
    _header(sheet, head, labels + ([book.label("plan_forms.priority")] if has_priority else []))
    for row, item in enumerate(records(found.per_customer), head + 1):
        for col, name in enumerate(CUSTOMER_COLUMNS):
            _wrapped(sheet, row, col, item[name])
        if has_priority:
            sheet.text(row, len(CUSTOMER_COLUMNS), None if is_blank(item["priority"]) else item["priority"])
    return head + len(found.per_customer) + 3


# ------------------------------------------------------------------------- SWOT ---
def _swot(book: Book, parts: dict[str, list[str]]) -> None:
    """The course's 2×2 (优势 劣势 / 机会 威胁), a quadrant's items in one cell; actions under it."""
    sheet = _sheet(book, "swot")
    sheet.title(book.label("plan_forms.swot_title"))
    row = TOP
    for pair in SWOT_ROWS:
        for col, part in enumerate(pair):
            sheet.text(row, col, book.label(f"headers.swot.{part}"), "header", fit=False)
            _wrapped(sheet, row + 1, col, "\n".join(f"• {item}" for item in parts[part]) or None)
        row += 2
    tall = [TOP + 1, TOP + 3]
    if "so" in parts:  # the strategy matrix under the 2×2: SO 增长型 WO 扭转型 / ST 多种经营 WT 防御型
        sheet.text(row, 0, book.label("plan_forms.strategies_title"), "key", fit=False)
        row += 1
        for pair in STRATEGY_ROWS:
            for col, part in enumerate(pair):
                sheet.text(row, col, book.label(f"headers.swot.{part}"), "header", fit=False)
                _wrapped(sheet, row + 1, col, "\n".join(f"• {item}" for item in parts[part]) or None)
            tall.append(row + 1)
            row += 2
    sheet.ws.merge_range(row, 0, row, 1, book.label("headers.swot.actions"), book.fmt["header"])
    actions = "\n".join(f"{number}. {item}" for number, item in enumerate(parts["actions"], 1))
    sheet.ws.merge_range(row + 1, 0, row + 1, 1, actions, book.fmt["wrap"])
    lines = max([len(parts["actions"])] + [len(items) for items in parts.values()] + [1])
    for at in (*tall, row + 1):
        sheet.ws.set_row(at, min(409, 16 * max(lines, 4)))
    for col in (0, 1):
        sheet.at_least(col, SWOT_WIDTH)
    sheet.finish(None, 1, None, filter_=False, portrait=True, repeat=False)


# ---------------------------------------------------------------------- targets ---
def _targets(book: Book, targets: Targets) -> None:
    """Each piece's months and sum (formulas); per month the pieces against the 合计 row and actual; per
    receivables customer a row names, its target against its collections."""
    sheet = _sheet(book, "targets")
    sheet.title(book.label("plan_forms.targets_title"), _source_note(book, targets))
    head, months = TOP, targets.months
    labels = [book.label("headers.targets.product"), book.label("headers.targets.market")]
    labels += [book.label(f"values.month.{month}") for month in months]
    labels += [book.label("plan_forms.pieces"), total_label(targets, book.label)]
    _header(sheet, head, labels)
    first = head + 1
    sum_col = 2 + len(months)
    for row, item in enumerate(records(targets.rows), first):
        sheet.text(row, 0, item["product"])
        sheet.text(row, 1, item["market"])
        for col, month in enumerate(months, 2):
            sheet.number(row, col, item.get(f"m{month}"), "money")
        pieces = item["pieces"]
        if months:
            sheet.formula(row, sum_col, f"SUM({rng(row, 2, row, sum_col - 1)})", pieces, "money")
        sheet.number(row, sum_col + 1, item["total"], "money")
    last = first + len(targets.rows) - 1
    total_row = last + 1
    sheet.total_label(total_row, [1])
    sums = [float(targets.rows[f"m{month}"].sum()) for month in months] + [targets.total]
    for col, value in enumerate(sums, 2):
        sheet.formula(total_row, col, f"SUM({rng(first, col, last, col)})", value, "total_money")
    sheet.number(total_row, sum_col + 1, targets.written_total, "total_money")
    _by_month(book, sheet, targets, total_row + 3, first, last)
    below = total_row + len(targets.by_month) + 8
    if len(targets.by_product):
        _by_product(book, sheet, targets, below, first, last)
        below += len(targets.by_product) + 4
    if len(targets.by_customer):
        _by_customer(book, sheet, targets, targets.by_customer, below, first)
    sheet.finish(head, sum_col + 1, None, filter_=False, repeat=False)


def _source_note(book: Book, targets: Targets) -> str:
    source = book.label(f"plan_forms.source_{targets.source}")
    return f"{book.label('plan_forms.actual_source')}: {source}"


def _by_month(book: Book, sheet: Sheet, targets: Targets, head: int, first: int, last: int) -> None:
    """Per month: the pieces' SUM over the table above, actual and rate. The 合计 row's figure and the gap
    only when the pieces do not add up to it (the table then titled as a check, the gap in red); when
    they do, one line says so: a column of zero gaps reads like a checksum, not a review."""
    adds_up = targets_add_up(targets, book.settings)
    if adds_up is False:
        keys: tuple[str, ...] = ("month", "pieces", "written_total", "gap", "actual", "attainment")
        title = book.label("plan_forms.targets_check_title")
    else:
        keys, title = ("month", "plan", "actual", "attainment"), book.label("plan_forms.targets_by_month")
    _heading(book, sheet, head - 1, title, len(keys))
    _header(sheet, head, [book.label(f"plan_forms.{key}") for key in keys])
    actual_col = keys.index("actual")
    for row, item in enumerate(records(targets.by_month), head + 1):
        col = 2 + targets.months.index(int(item["month"]))
        sheet.text(row, 0, book.label(f"values.month.{int(item['month'])}"))
        sheet.formula(row, 1, f"SUM({rng(first, col, last, col)})", item["plan"], "money")
        if adds_up is False:
            sheet.number(row, 2, item["written"], "money")
            gap = None if is_blank(item["written"]) else float(item["written"]) - float(item["plan"] or 0)
            sheet.formula(row, 3, f'IF({cell(row, 2)}="","",{cell(row, 2)}-{cell(row, 1)})', gap, "money")
        sheet.number(row, actual_col, item["actual"], "money")
        plan, actual = cell(row, 1), cell(row, actual_col)
        rate = f'IF(OR({actual}="",N({plan})=0),"",{actual}/{plan})'
        sheet.formula(row, actual_col + 1, rate, item["attainment"], "percent")
    end = head + len(targets.by_month)
    if adds_up is False:  # the gaps that are not nil, in red
        rule = {
            "type": "cell",
            "criteria": "not between",
            "minimum": 0,
            "maximum": 0,
            "format": book.fmt["bad"],
        }
        sheet.ws.conditional_format(head + 1, 3, end, 3, rule)
    elif adds_up:
        sheet.text(end + 1, 0, book.label("plan_forms.targets_add_up"), "note", fit=False)


def _by_product(book: Book, sheet: Sheet, targets: Targets, head: int, first: int, last: int) -> None:
    """Per product and month: its rows' target (a SUMIF over the table above), the P&L line's actual, rate."""
    _heading(book, sheet, head - 1, book.label("plan_forms.targets_by_product"), 5)
    keys = ("headers.targets.product", "plan_forms.month", "plan_forms.plan", "plan_forms.actual")
    _header(sheet, head, [book.label(key) for key in (*keys, "plan_forms.attainment")])
    products = rng(first, 0, last, 0, True)
    for row, item in enumerate(records(targets.by_product), head + 1):
        col = 2 + targets.months.index(int(item["month"]))
        sheet.text(row, 0, item["product"])
        sheet.text(row, 1, book.label(f"values.month.{int(item['month'])}"))
        formula = f"SUMIF({products},{cell(row, 0)},{rng(first, col, last, col, True)})"
        sheet.formula(row, 2, formula, item["plan"], "money")
        sheet.number(row, 3, item["actual"], "money")
        plan, actual = cell(row, 2), cell(row, 3)
        sheet.formula(
            row, 4, f'IF(OR({actual}="",N({plan})=0),"",{actual}/{plan})', item["attainment"], "percent"
        )


def _by_customer(
    book: Book, sheet: Sheet, targets: Targets, customers: pd.DataFrame, head: int, first: int
) -> None:
    """Per receivables customer a target row names, and month: the rows' target (their cells above added),
    the customer's collections from the receivables plan, the rate."""
    _heading(book, sheet, head - 1, book.label("plan_forms.targets_by_customer"), 5)
    keys = ("plan_forms.customer", "plan_forms.month", "plan_forms.plan", "plan_forms.collected")
    _header(sheet, head, [book.label(key) for key in (*keys, "plan_forms.attainment")])
    at = {int(row): first + i for i, row in enumerate(targets.rows["row"])}  # input row -> row above
    for row, item in enumerate(records(customers), head + 1):
        col = 2 + targets.months.index(int(item["month"]))
        sheet.text(row, 0, item["customer"])
        sheet.text(row, 1, book.label(f"values.month.{int(item['month'])}"))
        formula = "+".join(cell(at[int(r)], col, True, True) for r in item["target_rows"])
        sheet.formula(row, 2, formula, item["plan"], "money")
        sheet.number(row, 3, item["collected"], "money")
        plan, actual = cell(row, 2), cell(row, 3)
        sheet.formula(
            row, 4, f'IF(OR({actual}="",N({plan})=0),"",{actual}/{plan})', item["attainment"], "percent"
        )


# ----------------------------------------------------------------------- review ---
def _review(book: Book, review: Review) -> None:
    """Each indicator's target, actual, weeks, their sum and attainment (formulas); the notes under it."""
    sheet = _sheet(book, "review")
    subtitle = book.label(
        "plan_forms.behind",
        behind=review.behind,
        total=review.counted,
        line=f"{book.settings.get('forms.review.behind_below'):.0%}",
    )
    sheet.title(book.label("plan_forms.review_title"), subtitle)
    head = TOP
    weeks = [week for week in WEEKS if review.rows[week].notna().any()]
    labels = [book.label(f"headers.review.{key}") for key in ("indicator", "target", "actual", *weeks)]
    labels += [book.label("plan_forms.weeks_sum"), book.label("plan_forms.attainment")]
    labels.append(book.label("headers.review.attainment_note"))
    _header(sheet, head, labels)
    sum_col = 3 + len(weeks)
    for row, item in enumerate(records(review.rows), head + 1):
        sheet.text(row, 0, item["indicator"])
        sheet.number(row, 1, item["target"], "number")
        sheet.number(row, 2, item["actual"], "number")
        for col, week in enumerate(weeks, 3):
            sheet.number(row, col, item[week], "number")
        if weeks:
            formula = f'IF(COUNT({rng(row, 3, row, sum_col - 1)})=0,"",SUM({rng(row, 3, row, sum_col - 1)}))'
            sheet.formula(row, sum_col, formula, item["weeks_sum"], "number")
        target, actual = cell(row, 1), cell(row, 2)
        rate = f'IF(OR({actual}="",N({target})=0),"",{actual}/{target})'
        sheet.formula(row, sum_col + 1, rate, item["attainment"], "percent")
        _wrapped(sheet, row, sum_col + 2, item.get("attainment_note"))
    sheet.at_least(sum_col + 2, TEXT_WIDTH)
    _colours(book, sheet, head + 1, head + len(review.rows), sum_col + 1)
    row = head + len(review.rows) + 3
    for kind in NOTE_KINDS:
        if review.notes[kind]:
            sheet.text(row - 1, 0, book.label(f"plan_forms.{kind}_title"), "key", fit=False)
            sheet.ws.merge_range(row, 0, row, sum_col + 2, "\n".join(review.notes[kind]), book.fmt["wrap"])
            sheet.ws.set_row(row, min(409, 16 * max(len(review.notes[kind]), 2)))
            row += 3
    if "week_target" in review.weeks:
        _weeks(book, sheet, review, row, head)
    sheet.finish(head, sum_col + 2, None, filter_=False, repeat=False)


def _weeks(book: Book, sheet: Sheet, review: Review, head: int, table_head: int) -> None:
    """The weekly layout's weeks (周计划审查): each week's target and actual, the running actual and its
    share of the month's target in the table above (formulas)."""
    sheet.text(head - 1, 0, book.label("plan_forms.weeks_title"), "key", fit=False)
    keys = ["headers.review.indicator", "headers.review.week", "headers.review.week_target"]
    keys += ["plan_forms.actual", "plan_forms.cumulative", "plan_forms.share"]
    _header(sheet, head, [book.label(key) for key in keys])
    indicators = [str(name) for name in review.rows["indicator"]]
    start: dict[str, int] = {}
    for row, item in enumerate(records(review.weeks), head + 1):
        name = str(item["indicator"])
        first = start.setdefault(name, row)
        month = cell(table_head + 1 + indicators.index(name), 1, True, True)  # its 月目标 above
        sheet.text(row, 0, name)
        sheet.text(row, 1, book.label(f"headers.review.week{int(item['week'])}"))
        sheet.number(row, 2, item["week_target"], "number")
        sheet.number(row, 3, item["value"], "number")
        sheet.formula(row, 4, f"SUM({rng(first, 3, row, 3)})", item["cumulative"], "number")
        share = f'IF(N({month})=0,"",{cell(row, 4)}/{month})'
        sheet.formula(row, 5, share, item["share"], "percent")


def _colours(book: Book, sheet: Sheet, first: int, last: int, col: int) -> None:
    """Attainment green from 100 %, red under the review's behind line."""
    if last < first:
        return
    top = cell(first, col, False, True)
    behind = book.settings.get("forms.review.behind_below")
    for condition, look in ((f"{top}<{behind:g}", "bad"), (f"{top}>=1", "good")):
        criteria = f"=AND(ISNUMBER({top}),{condition})"
        sheet.ws.conditional_format(
            first, col, last, col, {"type": "formula", "criteria": criteria, "format": book.fmt[look]}
        )
