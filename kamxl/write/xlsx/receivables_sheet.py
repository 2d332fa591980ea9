"""应收帐款: the collection plan per customer and month, its totals, the month table, the chart and the aging.

The sheet is mostly one table: a row per customer and product, a column
pair (plan, actual) per month, then totals, rates and the behind-plan flag
as live formulas over the months up to m* (the last month with actuals).
m* itself is a formula over the month table under it, so a reviewer who
enters April's actuals sees every to-date figure move on. A big table is
written a column at a time, each column's formulas built from its letters once.
Under the month table, when the plan has due dates, the balance per aging
bucket and per customer and bucket (SUMIFS over the rows; the 负责人 sheet
shows the same block over this sheet's rows); without, one sentence says so.
The figures are those of docs/method.md §5.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from kamxl.calc.months import has_years, month_heading, month_key, periods, spans_years
from kamxl.calc.receivables import AGING, Receivables
from kamxl.issues import column_letter
from kamxl.write.words import counted, customers_behind
from kamxl.write.xlsx.book import (
    Book,
    KeyCell,
    KeyCells,
    Sheet,
    cell,
    column_of,
    has_data,
    is_blank,
    quote,
    rng,
)

FIXED = ("customer", "product", "owner", "total_owed")  # the columns left of the months
FIGURES = (  # the columns right of the months
    "plan_total",
    "actual_total",
    "plan_to_date",
    "actual_to_date",
    "rate_to_date",
    "balance",
    "plan_coverage",
    "behind",
    "aging",
)
SUMMED = (  # figures whose 合计 is their column's sum: (column, summary key)
    ("plan_total", "plan"),
    ("actual_total", "actual"),
    ("plan_to_date", "plan_to_date"),
    ("actual_to_date", "actual_to_date"),
    ("balance", "balance"),
)
MONTH_TABLE = ("month", "plan", "actual", "cum_plan", "cum_actual", "rate", "cum_rate")
M_STAR_ROW = 2  # m*, the last month with actuals: a formula over the month table
HELPER_ROW = 3  # hidden: each month column's month number, for SUMIFS up to m*
TOP, SUB = 4, 5  # the two header rows: month over (plan, actual)
OWED_COL = FIXED.index("total_owed")
FIRST_MONTH_COL = len(FIXED)
FIRST_ROW = SUB + 1  # the first customer's row
M_STAR = cell(M_STAR_ROW, 1, True, True)
KEY_COLS = 2  # 客户 and 产品: repeated on every page across, so a continued row says whose it is
# the month table and its chart start right of the repeated key columns: under them they would print
# again, as a stray two-column table, on the page across
TABLE_COL = KEY_COLS
CHART_GAP_PX = 12  # between the month table and its chart
AGING_ROWS = len(AGING) + 1  # the aging table: its header and a row per bucket
_CRITERIA_SIGNS = ("*", "?", "~")  # a SUMIFS criterion with these is a pattern, not the name itself


def criteria_safe(names: list[Any]) -> bool:
    """Whether SUMIFS finds exactly these names: text as written, no pattern or comparison, no two alike but
    for case (SUMIFS ignores case, kamxl does not)."""
    texts = [name for name in names if isinstance(name, str)]
    if any(name != name.strip() or not name for name in texts):
        return False
    if any(sign in name for name in texts for sign in _CRITERIA_SIGNS) or any(
        name[0] in "=<>" for name in texts
    ):
        return False
    return len({name.casefold() for name in texts}) == len(set(texts))


@dataclass
class ReceivablesLayout:
    """Where the receivables sheet's parts go; the 负责人 sheet's SUMIFS read its columns from it too."""

    months: list[int]
    count: int  # customer rows
    aging: bool  # the input has due dates: an aging column and table
    figures: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        after = FIRST_MONTH_COL + 2 * len(self.months)
        names = FIGURES if self.aging else FIGURES[:-1]
        self.figures = {name: after + i for i, name in enumerate(names)}

    @classmethod
    def of(cls, rec: Receivables) -> ReceivablesLayout:
        """The layout the sheet of ``rec`` has: months as periods in time order (calc.months), so a rolling
        plan's two Januaries are two months."""
        months = sorted(int(period) for period in periods(rec.months).unique())
        return cls(months, len(rec.rows), rec.aging is not None)

    def month_col(self, index: int) -> int:
        """The plan column of the ``index``-th month; its actual is the next."""
        return FIRST_MONTH_COL + 2 * index

    @property
    def last_month_col(self) -> int:
        return FIRST_MONTH_COL + 2 * len(self.months) - 1

    @property
    def last_col(self) -> int:
        return max(self.figures.values())

    @property
    def total_row(self) -> int:
        return FIRST_ROW + self.count

    @property
    def number_col(self) -> int:
        """The hidden column right of the figures holding the month table's month numbers (m*'s input):
        the table itself shows the months' names."""
        return self.last_col + 1

    @property
    def table_head(self) -> int:
        """The month table's header, under the 合计 row."""
        return self.total_row + 3

    @property
    def table_first(self) -> int:
        return self.table_head + 1

    @property
    def table_last(self) -> int:
        return self.table_first + len(self.months) - 1


def write_receivables(book: Book, rec: Receivables, keys: KeyCells) -> None:
    """The 应收帐款 sheet; the key figures the summary sheet links to go into ``keys``."""
    _ReceivablesSheet(book, rec).write(keys)


class _ReceivablesSheet:
    """The sheet's parts, written in order; they share the layout and the month figures."""

    def __init__(self, book: Book, rec: Receivables):
        self.book, self.rec = book, rec
        self.sheet: Sheet = book.add("receivables")
        self.layout = ReceivablesLayout.of(rec)
        self.by_month = rec.by_month.set_index(periods(rec.by_month))
        self.spanning, self.dated = spans_years(rec.months), has_years(rec.months)
        self.flag = book.heading("behind_flag")

    def write(self, keys: KeyCells) -> None:
        book, sheet, layout = self.book, self.sheet, self.layout
        sheet.title(book.label("report.titles.receivables"), self._note())
        self._columns()
        self._inputs()
        self._row_formulas()
        self._totals()
        self._key_cells(keys)
        self._behind_colour()
        self._month_table()
        self._chart()
        head = layout.table_last + 2  # under the month table, a row apart
        if self.rec.aging is not None:
            self._aging(self.rec.aging, head)
            head += AGING_ROWS + 1
        live = criteria_safe(column_of(self.rec.rows, "customer"))
        # its title at head; the sentence without due dates right of the key columns, not repeated across
        write_customer_aging(book, sheet, self.rec, head + 1, "" if live else None, TABLE_COL)
        sheet.ws.freeze_panes(FIRST_ROW, KEY_COLS)
        sheet.finish(SUB, layout.last_col, None, filter_=False, freeze_cols=KEY_COLS)
        sheet.ws.autofilter(SUB, 0, layout.total_row - 1, layout.last_col)
        sheet.ws.repeat_rows(TOP, SUB)

    def _note(self) -> str:
        """The behind rule, and what the flags count: lines (customer · product), while a customer is behind
        only when its lines together are (so 朗通, one product late and 96.7 % in all, is not)."""
        book, share = self.book, self.book.settings.get("receivables.behind")
        customers = customers_behind(self.rec.rows, share)
        settings = book.settings
        return book.label(
            "report.notes.receivables_counted",
            behind=f"{share:.0%}",
            lines=counted(settings, int(self.rec.rows["behind"].sum()), "lines"),
            customers=counted(settings, len(customers), "customers"),
            names=book.label("ui.list_sep").join(customers) if customers else "—",
        )

    def _columns(self) -> None:
        """Two header rows (a month over its plan and actual), and the hidden row of month numbers."""
        book, ws, header = self.book, self.sheet.ws, self.book.fmt["header"]
        for col, name in enumerate(FIXED):
            ws.merge_range(TOP, col, SUB, col, book.heading(name), header)
            self.sheet.fit(col, book.heading(name))
        for index, period in enumerate(self.layout.months):
            col = self.layout.month_col(index)
            ws.merge_range(
                TOP, col, TOP, col + 1, month_heading(book, period, self.spanning, self.dated), header
            )
            ws.write_string(SUB, col, book.heading("plan"), header)
            ws.write_string(SUB, col + 1, book.heading("actual"), header)
            ws.write_number(HELPER_ROW, col, month_key(period, self.spanning))
            ws.write_number(HELPER_ROW, col + 1, month_key(period, self.spanning))
        for name, col in self.layout.figures.items():
            ws.merge_range(TOP, col, SUB, col, book.heading(name), header)
            self.sheet.widths[col] = book.width("receivables_figure")
        ws.set_row(HELPER_ROW, None, None, {"hidden": True})

    def _inputs(self) -> None:
        """The input's columns: customer, product, owner, owed, and each month's plan and actual."""
        sheet, rows, layout = self.sheet, self.rec.rows, self.layout
        first = FIRST_ROW
        # plan and actual per row and month, looked up once as two arrays (rows × months)
        by_cell = self.rec.months.assign(period=periods(self.rec.months)).set_index(
            ["sheet", "row", "period"]
        )
        row_keys = pd.MultiIndex.from_arrays([rows["sheet"], rows["row"]])
        plans, actuals = (
            by_cell[measure]
            .unstack("period")
            .reindex(index=row_keys, columns=layout.months)
            .to_numpy(dtype=float)
            for measure in ("plan", "actual")
        )
        for col, name in enumerate(FIXED[:-1]):
            sheet.text_column(first, col, rows[name].tolist())
        sheet.number_column(first, OWED_COL, rows["total_owed"].tolist())
        for index in range(len(layout.months)):
            # a month without a figure (actuals after m*) is no cell: a rule below borders the empty ones
            col = layout.month_col(index)
            sheet.number_column(first, col, plans[:, index].tolist(), blanks=False)
            sheet.number_column(first, col + 1, actuals[:, index].tolist(), blanks=False)
        sheet.ws.conditional_format(
            first,
            FIRST_MONTH_COL,
            first + max(layout.count, 1) - 1,
            layout.last_month_col,
            {"type": "blanks", "format": self.book.fmt["grid"]},
        )

    def _row_formulas(self) -> None:
        """Each row's totals, to-date figures, rates and flag: SUMIFS over its months up to m*."""
        layout, rows = self.layout, self.rec.rows
        numbers = [str(row + 1) for row in range(FIRST_ROW, layout.total_row)]  # Excel's row numbers
        first, last = column_letter(FIRST_MONTH_COL), column_letter(layout.last_month_col)
        measures = rng(SUB, FIRST_MONTH_COL, SUB, layout.last_month_col, True)
        to_date = f'{rng(HELPER_ROW, FIRST_MONTH_COL, HELPER_ROW, layout.last_month_col, True)},"<="&{M_STAR}'
        plan, actual = quote(self.book.heading("plan")), quote(self.book.heading("actual"))
        for name, key, criteria in (
            ("plan_total", "plan", plan),
            ("actual_total", "actual", actual),
            ("plan_to_date", "plan_to_date", f"{plan},{to_date}"),
            ("actual_to_date", "actual_to_date", f"{actual},{to_date}"),
        ):
            formulas = [f"SUMIFS({first}{k}:{last}{k},{measures},{criteria})" for k in numbers]
            self._formula_column(name, formulas, rows[key].tolist())
        letter = {name: column_letter(col) for name, col in layout.figures.items()}
        owed, planned, collected = column_letter(OWED_COL), letter["plan_to_date"], letter["actual_to_date"]
        self._formula_column(
            "rate_to_date",
            [f'IF({planned}{k}=0,"",{collected}{k}/{planned}{k})' for k in numbers],
            rows["rate_to_date"].tolist(),
            "percent",
        )
        self._formula_column(
            "balance",
            [f'IF({owed}{k}="","",{owed}{k}-{letter["actual_total"]}{k})' for k in numbers],
            rows["balance"].tolist(),
        )
        self._formula_column(
            "plan_coverage",
            [f'IF(N({owed}{k})<=0,"",{letter["plan_total"]}{k}/{owed}{k})' for k in numbers],
            rows["plan_coverage"].tolist(),
            "percent",
        )
        behind, flag = self.book.settings.get("receivables.behind"), quote(self.flag)
        self._formula_column(
            "behind",
            [f'IF(AND({planned}{k}>0,{collected}{k}<{behind}*{planned}{k}),{flag},"")' for k in numbers],
            [self.flag if late else "" for late in rows["behind"].tolist()],
            "text",
        )
        if layout.aging:
            buckets = [
                None if is_blank(bucket) else self.book.label(f"values.aging.{bucket}")
                for bucket in rows["aging"].tolist()
            ]
            self.sheet.text_column(FIRST_ROW, layout.figures["aging"], buckets)

    def _formula_column(self, name: str, formulas: list[str], values: list[Any], fmt: str = "money") -> None:
        self.sheet.formula_column(FIRST_ROW, self.layout.figures[name], formulas, values, fmt)

    def _totals(self) -> None:
        """The 合计 row: sums, a month without actuals yet blank (not 0), and the rates of the sums."""
        sheet, layout, figures = self.sheet, self.layout, self.layout.figures
        summary: Mapping[str, Any] = self.rec.summary
        first, total_row = FIRST_ROW, layout.total_row

        def column_sum(col: int) -> str:
            return f"SUM({rng(first, col, total_row - 1, col)})"

        sheet.total_label(total_row, [1, 2])
        sheet.formula(total_row, OWED_COL, column_sum(OWED_COL), summary["total_owed"], "total_money")
        for index, month in enumerate(layout.months):
            col = layout.month_col(index)
            sheet.formula(total_row, col, column_sum(col), self.by_month.at[month, "plan"], "total_money")
            # a month with no figures yet (after m*) totals to blank, not 0: the month table shows none
            actuals = rng(first, col + 1, total_row - 1, col + 1)
            sheet.formula(
                total_row,
                col + 1,
                f'IF(COUNT({actuals})=0,"",SUM({actuals}))',
                self.by_month.at[month, "actual"],
                "total_money",
            )
        for name, key in SUMMED:
            sheet.formula(total_row, figures[name], column_sum(figures[name]), summary[key], "total_money")
        planned, collected = (
            cell(total_row, figures["plan_to_date"]),
            cell(total_row, figures["actual_to_date"]),
        )
        sheet.formula(
            total_row,
            figures["rate_to_date"],
            f'IF({planned}=0,"",{collected}/{planned})',
            summary["collection_rate"],
            "total_percent",
        )
        owed = cell(total_row, OWED_COL)
        sheet.formula(
            total_row,
            figures["plan_coverage"],
            f'IF({owed}<=0,"",{cell(total_row, figures["plan_total"])}/{owed})',
            summary["plan_coverage"],
            "total_percent",
        )
        flags = rng(first, figures["behind"], total_row - 1, figures["behind"])
        rows = self.rec.rows
        behind = len(rows[rows["behind"]])
        sheet.formula(
            total_row, figures["behind"], f"COUNTIF({flags},{quote(self.flag)})", behind, "total_number"
        )
        if layout.aging:
            sheet.text(total_row, figures["aging"], None, "total_label")

    def _key_cells(self, keys: KeyCells) -> None:
        total_row, name = self.layout.total_row, self.sheet.name
        summary: Mapping[str, Any] = self.rec.summary
        cols = {"total_owed": OWED_COL, **self.layout.figures}
        for key, col, fmt in (
            ("total_owed", "total_owed", "money"),
            ("plan_to_date", "plan_to_date", "money"),
            ("actual_to_date", "actual_to_date", "money"),
            ("collection_rate", "rate_to_date", "percent"),
            ("balance", "balance", "money"),
        ):
            keys[f"receivables.{key}"] = KeyCell(name, total_row, cols[col], summary[key], fmt)

    def _behind_colour(self) -> None:
        """A row behind plan is red across the table."""
        layout, behind = self.layout, self.layout.figures["behind"]
        self.sheet.ws.conditional_format(
            FIRST_ROW,
            0,
            layout.total_row - 1,
            behind,
            {
                "type": "formula",
                "criteria": f'=${column_letter(behind)}{FIRST_ROW + 1}<>""',
                "format": self.book.fmt["bad"],
            },
        )

    def _month_table(self) -> None:
        """m*, and per month: plan and actual from the 合计 row, cumulative figures and rates up to m*."""
        book, sheet, layout = self.book, self.sheet, self.layout
        first, last, number_col = layout.table_first, layout.table_last, layout.number_col
        sheet.text(M_STAR_ROW, 0, book.heading("last_month"), "key")
        actuals = rng(first, TABLE_COL + 2, last, TABLE_COL + 2, True)
        numbers = rng(first, number_col, last, number_col, True)
        sheet.formula(
            M_STAR_ROW,
            1,
            f"SUMPRODUCT(MAX(ISNUMBER({actuals})*({actuals}<>0)*{numbers}))",
            month_key(self.rec.last_period, self.spanning) if self.rec.last_period is not None else 0,
            "int",
        )
        sheet.headings(layout.table_head, MONTH_TABLE, TABLE_COL)
        sheet.hide_column(number_col)
        for index, month in enumerate(layout.months):
            row, total_col = first + index, layout.month_col(index)
            value = self.by_month.loc[
                month
            ]  # plan, actual, cumulative figures and rates as kamxl computed them
            plan, actual, cum_plan, cum_actual = (cell(row, TABLE_COL + col) for col in range(1, 5))
            after_m_star = f"{cell(row, number_col)}>{M_STAR}"
            sheet.number(row, number_col, month_key(month, self.spanning), "int")
            sheet.text(row, TABLE_COL, month_heading(book, month, self.spanning, self.dated))
            sheet.formula(row, TABLE_COL + 1, cell(layout.total_row, total_col), value["plan"])
            sheet.formula(row, TABLE_COL + 2, cell(layout.total_row, total_col + 1), value["actual"])
            cum_plan_formula = f"SUM({cell(first, TABLE_COL + 1, True, False)}:{plan})"
            sheet.formula(row, TABLE_COL + 3, cum_plan_formula, value["cum_plan"])
            cum_actual_formula = (
                f'IF({after_m_star},"",SUM({cell(first, TABLE_COL + 2, True, False)}:{actual}))'
            )
            sheet.formula(row, TABLE_COL + 4, cum_actual_formula, value["cum_actual"])
            rate = f'IF(OR({after_m_star},{plan}=0),"",{actual}/{plan})'
            sheet.formula(row, TABLE_COL + 5, rate, value["rate"], "percent")
            cum_rate = f'IF(OR({cum_actual}="",{cum_plan}=0),"",{cum_actual}/{cum_plan})'
            sheet.formula(row, TABLE_COL + 6, cum_rate, value["cum_rate"], "percent")

    def _chart(self) -> None:
        """Plan and actual per month as columns, the cumulative collection rate as a line (right axis)."""
        book, layout, name = self.book, self.layout, self.sheet.name
        figures = [*self.by_month["plan"], *self.by_month["actual"]]
        if not has_data(figures):
            return
        colours = book.colours
        head, first, last = layout.table_head, layout.table_first, layout.table_last
        months = [name, first, TABLE_COL, last, TABLE_COL]
        chart = book.add_chart("column")
        for col, colour in ((1, colours["plan"]), (2, colours["actual"])):
            chart.add_series(
                {
                    "name": [name, head, TABLE_COL + col],
                    "categories": months,
                    "values": [name, first, TABLE_COL + col, last, TABLE_COL + col],
                    "fill": {"color": colour},
                }
            )
        line = book.add_chart("line")
        line.add_series(
            {
                "name": [name, head, TABLE_COL + 6],
                "categories": months,
                "values": [name, first, TABLE_COL + 6, last, TABLE_COL + 6],
                "y2_axis": True,
                "marker": {"type": "circle"},
                "line": {"color": colours["rate"]},
            }
        )
        chart.combine(line)
        chart.set_title({"name": book.label("report.charts.receivables")})
        chart.set_x_axis({"name": book.heading("month")})
        gridlines = {"visible": True, "line": {"color": colours["gridlines"]}}
        chart.set_y_axis(book.value_axis("collections", "money_axis", figures, major_gridlines=gridlines))
        line.set_y2_axis(book.value_axis("collection_rate", "rate_axis"))
        chart.set_legend({"position": "bottom"})
        # right beside the month table (no blank column): the chart is narrowed to the first page across
        self.sheet.place_chart(
            head, chart, "receivables", col=TABLE_COL + len(MONTH_TABLE), x_offset=CHART_GAP_PX
        )

    def _aging(self, aging: pd.DataFrame, head: int) -> None:
        """The balance per aging bucket, as SUMIF over the rows' buckets."""
        book, sheet, layout = self.book, self.sheet, self.layout
        first, last = FIRST_ROW, layout.total_row - 1
        aging_col, balance_col = layout.figures["aging"], layout.figures["balance"]
        sheet.headings(head, ["aging", "balance"])
        buckets, balances = (
            rng(first, aging_col, last, aging_col, True),
            rng(first, balance_col, last, balance_col, True),
        )
        for row, (bucket, value) in enumerate(aging["balance"].items(), head + 1):
            sheet.text(row, 0, book.label(f"values.aging.{bucket}"))
            sheet.formula(row, 1, f"SUMIF({buckets},{cell(row, 0)},{balances})", value)


def write_customer_aging(
    book: Book, sheet: Sheet, rec: Receivables, head: int, source: str | None, note_col: int = 0
) -> int:
    """The outstanding balance per customer and aging bucket (docs/method.md §5.6) with its 合计, the title
    at ``head - 1`` and the header at ``head``; returns the last row written.

    A bucket's cell is a SUMIFS over the receivables sheet's balance, customer and aging columns: ``source``
    is that sheet's name as a formula's prefix ("应收帐款!"), "" on that sheet itself; None writes values
    (a customer's name SUMIFS would not match exactly). Without due dates one sentence (in ``note_col``)
    says there is no aging, rather than a table of zeros.
    """
    if rec.aging_by_customer is None:
        sheet.text(head - 1, note_col, book.label("owners.no_due_dates"), "note", fit=False)
        return head - 1
    table = rec.aging_by_customer
    if table.empty:  # nothing outstanding past a due date
        return head
    sheet.text(head - 1, 0, book.label("owners.aging_title", as_of=book.meta["as_of"]), "key", fit=False)
    labels = [book.label(f"values.aging.{bucket}") for bucket in AGING]
    sheet.header(head, [book.label("owners.cols.customer"), *labels, book.label("owners.cols.total")])
    first, last = head + 1, head + len(table)
    sheet.text_column(first, 0, column_of(table, "customer"))
    figures, end = ReceivablesLayout.of(rec).figures, FIRST_ROW + len(rec.rows) - 1

    def column(col: int) -> str:
        return f"{source}{rng(FIRST_ROW, col, end, col, True)}"

    balances, customers, buckets = column(figures["balance"]), column(0), column(figures["aging"])
    for index, bucket in enumerate(AGING, 1):
        values = column_of(table, bucket)
        if source is None:
            sheet.number_column(first, index, values)
            continue
        formulas = [
            f"SUMIFS({balances},{customers},{cell(row, 0)},{buckets},{cell(head, index, True)})"
            for row in range(first, last + 1)
        ]
        sheet.formula_column(first, index, formulas, values)
    total_col = len(AGING) + 1
    sums = [f"SUM({rng(row, 1, row, len(AGING))})" for row in range(first, last + 1)]
    sheet.formula_column(first, total_col, sums, column_of(table, "total"))
    sheet.total_label(last + 1)
    for col, name in enumerate([*AGING, "total"], 1):
        sheet.formula(
            last + 1, col, f"SUM({rng(first, col, last, col)})", float(table[name].sum()), "total_money"
        )
    return last + 1
