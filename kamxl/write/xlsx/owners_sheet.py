"""负责人 / By owner: each salesperson's collections, pipeline, P1 customers, plans, time; aging per customer.

The figures are docs/method.md §13.1's (kamxl.calc.owners). Where the
source rows are on another sheet of the report, a figure is a live SUMIFS
over them (the receivables sheet's plan and actual to date, the priorities
sheet's open amounts per class), so a reviewer who corrects an owner there
sees it move here; the unassigned row is the region's total less the named
owners', so the rows always add up. Counts of distinct customers, the mean
attainment and the hours are values. Under it, when the receivables have
due dates, the outstanding balance per customer and aging bucket (§5.6),
as SUMIFS over the receivables sheet's rows; without due dates, a sentence
says there is no aging.
"""

from __future__ import annotations

import pandas as pd
from xlsxwriter.utility import quote_sheetname

from kamxl.calc.funnel import CLASSES
from kamxl.calc.owners import OWNER_COLUMNS
from kamxl.calc.receivables import Receivables
from kamxl.results import Results
from kamxl.text import display_width
from kamxl.write.xlsx.book import LINE_HEIGHT, ROW_PADDING, Book, Sheet, cell, column_of, quote, rng
from kamxl.write.xlsx.customers import PRIORITY_COLUMNS, Counted
from kamxl.write.xlsx.receivables_sheet import (
    FIRST_ROW,
    FIXED,
    ReceivablesLayout,
    criteria_safe,
    write_customer_aging,
)
from kamxl.write.xlsx.work import attainment_colours

HEAD = 3
OWNER = "\0owner"  # in a formula template: the owner's cell on this sheet (sheet names may hold braces)
FORMATS = {
    "owner": "text",
    "collections_plan": "money",
    "collections_actual": "money",
    "collections_rate": "percent",
    "pipeline": "money",
    "weighted_pipeline": "money",
    "p1_customers": "int",
    "plan_attainment": "percent",
    "hours": "number",
}
TOTAL_FORMATS = {
    "money": "total_money",
    "percent": "total_percent",
    "int": "total_number",
    "number": "total_number",
}
# a column no row has a figure in is left out (and why said once): the figures that go with each
GROUPS = {
    "collections_plan": ("collections_plan", "collections_actual", "collections_rate"),
    "pipeline": ("pipeline", "weighted_pipeline"),
    "plan_attainment": ("plan_attainment",),
    "hours": ("hours",),
}
EXCEL_DEFAULT_WIDTH = 8.43  # characters: a column no text widened


def write_owners(book: Book, results: Results, counted: Counted | None) -> None:
    """The 负责人 sheet, after the receivables and priorities sheets its formulas sum over."""
    owners = results.owners
    assert owners is not None  # the caller writes the sheet only with owners
    sheet = book.add("owners", book.label("owners.sheet"))
    sheet.title(book.label("owners.title"))
    columns = _shown_columns(owners)
    _OwnerTable(book, sheet, results, counted, columns).write()
    _subtitle(book, sheet, _note(book, results.receivables), len(columns))
    end = HEAD + len(owners) + 1
    for key in _left_out(results, columns):
        end += 1
        sheet.text(end, 0, book.label(f"owners.left_out.{key}"), "note", fit=False)
    titled = owners.attrs.get("titled_hours")
    if titled and "hours" in columns:  # hours from a log titled with its owner's name: the others have none
        end += 1
        names = book.label("owners.separator").join(titled)
        sheet.text(end, 0, book.label("owners.hours_from_title", owners=names), "note", fit=False)
    rec = results.receivables
    if rec is not None:
        # SUMIFS over the receivables sheet's rows, when it was written and its customers' names match exactly
        live = "receivables" in book.sheets and criteria_safe(column_of(rec.rows, "customer"))
        where = f"{quote_sheetname(book.sheets['receivables'].name)}!" if live else None
        end = write_customer_aging(book, sheet, rec, end + 3, where)
    sheet.finish(HEAD, len(columns) - 1, None, filter_=False, freeze_cols=1, repeat=False)


def _shown_columns(owners: pd.DataFrame) -> list[str]:
    """The table's columns: a group (collections, pipeline, plan attainment, hours) left out when no row
    has a figure in its first column, rather than a column of blanks."""
    empty = {column for first, group in GROUPS.items() if owners[first].isna().all() for column in group}
    return [column for column in OWNER_COLUMNS if column not in empty]


def _left_out(results: Results, columns: list[str]) -> list[str]:
    """Why each group of columns is left out (an ``owners.left_out`` key), once under the table; the
    collections' is the subtitle's (no receivables plan)."""
    reasons = []
    if "pipeline" not in columns:
        reasons.append("pipeline")
    if "plan_attainment" not in columns:
        reasons.append("plan_attainment")
    if "hours" not in columns:
        reasons.append("hours_no_owner" if {"todo", "worklog"} & set(results.forms) else "hours_no_form")
    return reasons


def _note(book: Book, receivables: Receivables | None) -> str:
    """What the figures are: collections to the last month with actuals (by name, "三月"), or plainly that
    there is no receivables plan, or no actual in it yet."""
    if receivables is None:
        return book.label("owners.note_no_receivables")
    last = receivables.summary["last_month"]
    if not last:
        return book.label("owners.note_no_actuals")
    return book.label("owners.note", month=book.label(f"values.month.{last}"))


def _subtitle(book: Book, sheet: Sheet, note: str, width: int) -> None:
    """The note under the title, wrapped over the table's columns: on one line it widened the page (and so
    shrank the print) to its length."""
    chars = sum(sheet.widths.get(col, EXCEL_DEFAULT_WIDTH) for col in range(width))
    lines = -(-display_width(note) // max(int(chars), 1))
    sheet.ws.merge_range(1, 0, 1, width - 1, note, book.fmt["subtitle_wrap"])
    sheet.ws.set_row(1, LINE_HEIGHT * max(lines, 1) + ROW_PADDING)


class _OwnerTable:
    """The owners' rows, their 合计, and where on the other sheets their sources are."""

    def __init__(
        self, book: Book, sheet: Sheet, results: Results, counted: Counted | None, columns: list[str]
    ):
        self.book, self.sheet, self.results, self.columns = book, sheet, results, columns
        self.col = {name: index for index, name in enumerate(columns)}
        assert results.owners is not None  # write_owners's caller checks
        self.owners: pd.DataFrame = results.owners
        self.first, self.last = HEAD + 1, HEAD + len(self.owners)
        self.unassigned = self.owners["owner"].tolist()[-1] == self.owners.attrs.get("unassigned")
        self.counted = counted if counted is not None and results.customers is not None else None

    def write(self) -> None:
        sheet, owners = self.sheet, self.owners
        sheet.header(HEAD, [self.book.label(f"owners.cols.{name}") for name in self.columns])
        sheet.text_column(self.first, 0, column_of(owners, "owner"))
        self._collections()
        self._pipeline()
        valued: list[str] = ["p1_customers", "plan_attainment", "hours"]
        for name in [name for name in valued if name in self.columns]:
            sheet.number_column(self.first, self.col[name], column_of(owners, name), FORMATS[name])
        self._rate(self.first, self.last)
        self._total()
        rated = [column for column in ("collections_rate", "plan_attainment") if column in self.columns]
        for name in rated:  # one colour rule everywhere (formats.behind_below)
            attainment_colours(self.book, sheet, self.first, self.last + 1, self.col[name])

    def _named_rows(self) -> list[int]:
        """The rows of named owners (every row but an unassigned last one)."""
        return list(range(self.first, self.last + (0 if self.unassigned else 1)))

    def _live_column(self, name: str, total: str, sums: list[str]) -> None:
        """A column of formulas: each named owner's ``sums`` (``OWNER`` marks the owner's cell), then for
        the unassigned row the region's ``total`` less the named rows above."""
        col, named = self.col[name], self._named_rows()
        formulas = ["+".join(part.replace(OWNER, cell(row, 0)) for part in sums) for row in named]
        if self.unassigned:
            above = f"SUM({rng(self.first, col, self.last - 1, col)})" if named else "0"
            formulas.append(f"({total})-{above}")
        self.sheet.formula_column(self.first, col, formulas, column_of(self.owners, name), FORMATS[name])

    def _values(self, *names: str) -> None:
        for name in names:
            self.sheet.number_column(self.first, self.col[name], column_of(self.owners, name), FORMATS[name])

    def _collections(self) -> None:
        if "collections_plan" not in self.col:
            return
        rec = self.results.receivables
        names = column_of(rec.rows, "owner") if rec is not None else []
        if rec is None or "receivables" not in self.book.sheets or not criteria_safe(names):
            self._values("collections_plan", "collections_actual")
            return
        layout = ReceivablesLayout.of(rec)
        where = quote_sheetname(self.book.sheets["receivables"].name)
        last = FIRST_ROW + len(rec.rows) - 1
        owners = f"{where}!{rng(FIRST_ROW, FIXED.index('owner'), last, FIXED.index('owner'), True)}"
        for name, figure in (("collections_plan", "plan_to_date"), ("collections_actual", "actual_to_date")):
            col = layout.figures[figure]
            summed = f"{where}!{rng(FIRST_ROW, col, last, col, True)}"
            self._live_column(name, f"SUM({summed})", [f"SUMIFS({summed},{owners},{OWNER})"])

    def _pipeline(self) -> None:
        """Open amounts per owner: a SUMIFS per class, for an open opportunity is one with a class (the funnel
        sheet counts the same)."""
        if "pipeline" not in self.col:
            return
        customers, counted = self.results.customers, self.counted
        names = column_of(customers, "owner") if customers is not None else []
        if customers is None or counted is None or not criteria_safe(names):
            self._values("pipeline", "weighted_pipeline")
            return
        owners, classes = counted.column(PRIORITY_COLUMNS.index("owner")), counted.column(counted.class_col)
        for name, col in (("pipeline", counted.amount_col), ("weighted_pipeline", counted.weighted_col)):
            summed = counted.column(col)
            total = "+".join(f"SUMIF({classes},{quote(klass)},{summed})" for klass in CLASSES)
            sums = [f"SUMIFS({summed},{owners},{OWNER},{classes},{quote(klass)})" for klass in CLASSES]
            self._live_column(name, total, sums)

    def _rate(self, first: int, last: int) -> None:
        if "collections_rate" not in self.col:
            return
        plan, actual = self.col["collections_plan"], self.col["collections_actual"]
        formulas = [
            f'IF(N({cell(row, plan)})=0,"",{cell(row, actual)}/{cell(row, plan)})'
            for row in range(first, last + 1)
        ]
        self.sheet.formula_column(
            first,
            self.col["collections_rate"],
            formulas,
            column_of(self.owners, "collections_rate"),
            "percent",
        )

    def _total(self) -> None:
        """合计: the sums of the summed columns, the rate of the sums; the mean attainment is not summed."""
        sheet, owners, row = self.sheet, self.owners, self.last + 1
        sheet.total_label(row, [self.col["plan_attainment"]] if "plan_attainment" in self.columns else [])
        summed = (
            "collections_plan",
            "collections_actual",
            "pipeline",
            "weighted_pipeline",
            "p1_customers",
            "hours",
        )
        for name in [name for name in summed if name in self.columns]:
            col, values = self.col[name], owners[name]
            total = float(values.sum()) if values.notna().any() else None
            fmt = TOTAL_FORMATS[FORMATS[name]]
            if total is None:
                sheet.text(row, col, None, "total_label")
            else:
                sheet.formula(row, col, f"SUM({rng(self.first, col, self.last, col)})", total, fmt)
        if "collections_rate" not in self.col:
            return
        plan, actual = (owners[name].sum() for name in ("collections_plan", "collections_actual"))
        rate = actual / plan if owners["collections_plan"].notna().any() and plan else None
        plan_cell, actual_cell = (
            cell(row, self.col["collections_plan"]),
            cell(row, self.col["collections_actual"]),
        )
        sheet.formula(
            row,
            self.col["collections_rate"],
            f'IF(N({plan_cell})=0,"",{actual_cell}/{plan_cell})',
            rate,
            "total_percent",
        )
