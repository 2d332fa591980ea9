"""<stem>.kamxl.xlsx: the workbook a regional manager opens in the monthly review.

Sheets appear when their input form did. Totals, variances, rates and
cumulative figures are live formulas with kamxl's results as cached values;
input text is always written as text. Same input, same bytes. The dashboard
and the summary come first but are written last: they link to key cells of the others.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pandas as pd
from xlsxwriter.utility import quote_sheetname

from kamxl import __version__
from kamxl.calc.decisions import sentence
from kamxl.config import Settings
from kamxl.issues import Issue, by_severity
from kamxl.results import Results
from kamxl.write.files import atomic_path
from kamxl.write.heading import review_heading
from kamxl.write.words import action_plan, actions_text, customers_behind, health_verdict, period_of
from kamxl.write.xlsx.book import Book, KeyCells, Sheet, new_workbook, quote, records, ref
from kamxl.write.xlsx.customers import write_funnel, write_priorities, write_tiers
from kamxl.write.xlsx.dashboard import write_dashboard
from kamxl.write.xlsx.money import write_activities, write_pnl
from kamxl.write.xlsx.owners_sheet import write_owners
from kamxl.write.xlsx.plan_forms_sheet import write_plan_forms
from kamxl.write.xlsx.receivables_sheet import write_receivables
from kamxl.write.xlsx.trends import write_trends
from kamxl.write.xlsx.work import write_calendar, write_plans, write_time

__all__ = ["write_workbook"]

# The summary sheet's linked figures: (key cell, label), shown when the sheet holding it was written
KEY_FIGURES = (
    ("receivables.total_owed", "total_owed"),
    ("receivables.actual_to_date", "collected"),
    ("receivables.plan_to_date", "plan_to_date"),  # right above the rate: collected ÷ this, checked by eye
    ("receivables.collection_rate", "collection_rate"),
    ("receivables.balance", "balance"),
    ("pnl.revenue_actual", "revenue_actual"),
    ("pnl.profit_plan", "profit_plan"),
    ("pnl.profit_plan_to_date", "profit_plan_to_date"),
    ("pnl.profit_actual", "profit_actual"),
    ("activities.budget", "activities_budget"),
    ("time.m2_share", "m2_share"),
    ("time.completion", "completion"),
)
# no code column: a reader wants the message; the codes are in report.json for programs
ISSUE_COLUMNS = ("severity", "sheet", "cell", "message")
MAX_URL = 2000  # Excel's limit on a link's length
HEAD = 3


def _rows(results: Results) -> int:
    """The rows of the report's biggest tables, which decide how big the workbook is."""
    frames = [
        results.customers,
        results.receivables.rows if results.receivables else None,
        results.todo,
        results.appraisal[0] if results.appraisal else None,
    ]
    return sum(len(frame) for frame in frames if frame is not None)


def write_workbook(results: Results, target: Path, settings: Settings) -> list[Issue]:
    """Write the report workbook atomically; returns issues about the output itself."""
    with atomic_path(target) as tmp:
        wb = new_workbook(tmp, settings, _rows(results))
        meta = {
            "source": results.source.name,
            "period": period_of(results),
            "as_of": results.as_of.isoformat(),
            "version": __version__,
        }
        book = Book(wb, settings, meta)
        wb.set_properties(
            {
                "title": settings.label("report.doc_title", source=results.source.name),
                "subject": meta["period"],
                "author": "kamxl",
                "company": "",
                "comments": settings.label("report.doc_comment", version=__version__),
                "created": dt.datetime.combine(results.as_of, dt.time()),
            }
        )
        wb.set_custom_property("kamxl_version", __version__)
        dashboard = book.add("dashboard")  # page one: what a director reads first
        summary = book.add("summary")
        keys = _write_sheets(book, results)
        issues_sheet = book.add("issues")  # the diagnostics last, in tab order and in print
        _write_issues(book, issues_sheet, results, target)
        _write_summary(book, summary, results, keys, issues_sheet.name)
        write_dashboard(book, dashboard, results, keys)
        dashboard.ws.activate()
        book.close()
    return book.issues


def _write_sheets(book: Book, results: Results) -> KeyCells:
    """A sheet per form the workbook had; returns the key cells the summary sheet links to."""
    keys: KeyCells = {}
    counted = None
    if results.customers is not None:
        for key in ("tiers", "funnel", "priorities"):  # tab order: tiers, funnel, then the list they count
            book.add(key)
        counted = write_priorities(book, results.customers)
        write_tiers(book, results.customers)
        if results.funnel is not None and results.health is not None:
            stuck_share = (results.history or {}).get("stuck_share")
            write_funnel(book, results.funnel, results.health, counted, stuck_share=stuck_share)
    if results.receivables is not None:
        write_receivables(book, results.receivables, keys)
    if results.pnl is not None:
        write_pnl(book, results.pnl, keys)
    if results.activities is not None:
        write_activities(book, results.activities, keys)
    if results.time is not None or results.groups is not None:
        write_time(book, results.todo, results.time, results.groups, keys)
    if results.weekly is not None or results.monthly is not None:
        write_plans(book, results)
    if results.calendar is not None:
        write_calendar(book, results.calendar)
    write_plan_forms(book, results)
    if results.owners is not None:  # 负责人: after the receivables and priorities sheets it sums over
        write_owners(book, results, counted)
    if results.history is not None and len(results.history["trends"]):
        write_trends(book, results.history)
    return keys


def _write_issues(book: Book, sheet: Sheet, results: Results, target: Path) -> None:
    """Every issue, errors first, each cell a link into the input workbook.

    The link is relative, so it works while the report sits beside its input (or moves with it); once the
    report is mailed alone it cannot, so the note names the input and the sheet and cell are said in words.
    """
    source_name = (results.link or results.source).name
    sheet.title(book.label("report.titles.issues"), book.label("report.notes.issues", source=source_name))
    sheet.headings(HEAD, ISSUE_COLUMNS)
    source = (results.link or results.source).resolve()
    try:
        link_base = os.path.relpath(source, target.resolve().parent)
    except ValueError:  # another drive on Windows
        link_base = str(source)
    ordered = by_severity(results.issues)
    for row, issue in enumerate(ordered, HEAD + 1):
        sheet.text(row, 0, book.label(f"ui.{issue.severity}"), issue.severity)
        sheet.text(row, 1, issue.sheet)
        url = _link(link_base, issue)
        if url:
            sheet.ws.write_url(row, 2, url, book.fmt["link"], issue.cell, book.label("report.open_cell"))
            sheet.fit(2, issue.cell)
        else:
            sheet.text(row, 2, issue.cell)
        sheet.text(row, 3, book.settings.message(issue), "wrap", fit=False)
    sheet.widths[3] = book.width("issue_message")
    last = HEAD + max(1, len(ordered))
    sheet.finish(HEAD, len(ISSUE_COLUMNS) - 1, last)
    _all_decisions(book, sheet, results, last + 2)


def _all_decisions(book: Book, sheet: Sheet, results: Results, row: int) -> None:
    """Every decision, ranked, under the issues: the dashboard and the summary show the first few and
    send the reader here for the rest (report.json is for programs, not for a manager)."""
    if not results.decisions:
        return
    title = book.label("report.titles.all_decisions", count=len(results.decisions))
    sheet.ws.merge_range(row, 0, row, len(ISSUE_COLUMNS) - 1, title, book.fmt["key"])
    for line, decision in enumerate(results.decisions, row + 1):
        severity = decision.severity(book.settings)
        sheet.text(line, 0, book.label(f"decisions.severity.{severity}"), f"decision_{severity}")
        sheet.text(line, 1, decision.sheet)
        sheet.text(line, 2, decision.cell)
        sheet.text(line, 3, sentence(decision, book.settings), "wrap", fit=False)


def _link(workbook: str, issue: Issue) -> str | None:
    """A link to the issue's cell in the input workbook, if it has one and Excel takes a link so long."""
    if not (issue.sheet and issue.cell):
        return None
    url = f"external:{workbook}#{quote_sheetname(issue.sheet)}!{issue.cell}"
    return url if len(url) <= MAX_URL else None


def _write_summary(book: Book, sheet: Sheet, results: Results, keys: KeyCells, issues_name: str) -> None:
    """The key figures linked from their sheets, the funnel, issue counts, the P1 actions, who is behind."""
    sheet.title(
        book.label("report.titles.summary", **review_heading(results, book.settings)),
        book.label("report.notes.summary", as_of=results.as_of.isoformat(), period=period_of(results)),
    )
    sheet.header(HEAD, [_summary_label(book, "figure"), _summary_label(book, "value")])
    row = _key_figures(book, sheet, results, keys, HEAD)
    row = _issue_counts(book, sheet, results, issues_name, row + 1)
    # a summary page: the largest first, the rest counted (every one is on its own sheet)
    limit = int(book.settings.get("summary.list_rows"))
    row += 2
    if results.customers is not None:
        row = _p1_actions(book, sheet, results.customers, limit, row) + 2
    if results.receivables is not None:
        # customers, not lines: a customer late on one product of several but on time in all is not behind
        behind = customers_behind(results.receivables.rows, book.settings.get("receivables.behind"))
        others = book.label("summary.others", count=len(behind) - limit)
        separator = book.label("ui.list_sep")
        names = separator.join(behind[:limit]) + (separator + others if len(behind) > limit else "")
        sheet.text(row, 0, _summary_label(book, "behind"), "key")
        sheet.text(row, 1, names or "—", "wrap", fit=False)
    sheet.at_least(0, book.width("summary_label"))
    sheet.widths[1] = book.width("summary_value")
    sheet.finish(HEAD, 1, None, filter_=False, portrait=True)


def _summary_label(book: Book, key: str) -> str:
    return book.label(f"report.summary.{key}")


def _key_figures(book: Book, sheet: Sheet, results: Results, keys: KeyCells, row: int) -> int:
    """The figures linked from the sheets that hold them, then the funnel's; returns the last row."""
    for key, label in KEY_FIGURES:
        if key in keys:
            row += 1
            figure = keys[key]
            sheet.text(row, 0, _summary_label(book, label))
            sheet.formula(row, 1, ref(figure.sheet, figure.row, figure.col, True), figure.value, figure.fmt)
    if results.funnel is not None and results.health is not None:
        grade, rule = results.health
        funnel = results.funnel
        sheet.text(row + 1, 0, _summary_label(book, "open_opportunities"))
        sheet.number(row + 1, 1, int(funnel["count"].sum()), "int")
        sheet.text(row + 2, 0, _summary_label(book, "weighted_pipeline"))
        sheet.number(row + 2, 1, float(funnel["weighted"].sum()))
        sheet.text(row + 3, 0, _summary_label(book, "health"))
        stuck_share = (results.history or {}).get("stuck_share")
        sheet.text(row + 3, 1, health_verdict(book.settings, grade, rule, stuck_share), "wrap", fit=False)
        row += 3
    return row


def _issue_counts(book: Book, sheet: Sheet, results: Results, issues_name: str, row: int) -> int:
    """Errors and warnings, counted live over the issues sheet; returns the last row."""
    severities = f"{quote_sheetname(issues_name)}!$A:$A"
    for severity in ("error", "warning"):
        row += 1
        count = sum(1 for issue in results.issues if issue.severity == severity)
        sheet.text(row, 0, _summary_label(book, f"{severity}s"))
        sheet.formula(row, 1, f"COUNTIF({severities},{quote(book.label(f'ui.{severity}'))})", count, "int")
    return row


def _p1_actions(book: Book, sheet: Sheet, customers: pd.DataFrame, limit: int, row: int) -> int:
    """The P1 customers, biggest first, with who does their playbook actions and by when above the
    actions (the same words as the priorities sheet); returns the last row."""
    p1 = customers[customers["priority"] == "P1"].sort_values("amount", ascending=False, kind="stable")
    sheet.text(row, 0, _summary_label(book, "p1_actions"), "key")
    sheet.text(row, 1, None, "key")
    for customer in records(p1.head(limit)):
        row += 1
        project = customer.get("project")
        sheet.text(row, 0, f"{customer['customer']}" + (f" / {project}" if isinstance(project, str) else ""))
        plan = action_plan(book.settings, customer)
        actions = actions_text(book.settings, customer["actions"], "\n")
        sheet.text(row, 1, f"{plan}\n{actions}" if actions else plan, "wrap", fit=False)
    if len(p1) > limit:
        row += 1
        sheet.text(row, 0, book.label("report.more", count=len(p1) - limit), "note")
    return row
