"""<stem>.kamxl.xlsx: the workbook a regional manager opens in the monthly review.

Sheets appear when their input form did. Totals, variances, rates and
cumulative figures are live formulas with kamxl's results as cached values;
input text is always written as text. Same input, same bytes.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import quote_sheetname

from kamxl import __version__
from kamxl.config import Settings
from kamxl.issues import Issue
from kamxl.results import Results
from kamxl.write.files import atomic_path
from kamxl.write.words import actions_text, health_text
from kamxl.write.xlsx.book import Book, quote, records, ref
from kamxl.write.xlsx.customers import write_funnel, write_priorities, write_tiers
from kamxl.write.xlsx.money import write_activities, write_pnl
from kamxl.write.xlsx.receivables_sheet import write_receivables
from kamxl.write.xlsx.trends import write_trends
from kamxl.write.xlsx.work import write_calendar, write_plans, write_time

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def period_of(results: Results) -> str:
    if results.calendar:
        return f"{results.calendar['year']}-{results.calendar['month']:02d}"
    return f"{results.as_of.year}-{results.as_of.month:02d}"


def _rows(results: Results) -> int:
    """The rows of the report's biggest tables, which decide how big the workbook is."""
    frames = [
        results.customers,
        results.receivables.rows if results.receivables else None,
        results.todo,
        results.appraisal[0] if results.appraisal else None,
    ]
    return sum(len(f) for f in frames if f is not None)


def write_workbook(results: Results, target: Path, settings: Settings) -> list[Issue]:
    """Write the report workbook atomically; returns issues about the output itself."""
    with atomic_path(target) as tmp:
        wb = xlsxwriter.Workbook(
            str(tmp),
            {
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "nan_inf_to_errors": False,
                "in_memory": _rows(results) < settings.get("output.in_memory_rows"),
            },
        )
        meta = {
            "source": results.source.name,
            "period": period_of(results),
            "as_of": results.as_of.isoformat(),
            "version": __version__,
        }
        book = Book(wb, settings, meta)
        created = dt.datetime.combine(results.as_of, dt.time())
        wb.set_properties(
            {
                "title": settings.label("report.doc_title", source=results.source.name),
                "subject": meta["period"],
                "author": "kamxl",
                "company": "",
                "comments": settings.label("report.doc_comment", version=__version__),
                "created": created,
            }
        )
        wb.set_custom_property("kamxl_version", __version__)
        keys: dict = {}
        summary = book.add("summary")
        if results.customers is not None:
            for key in (
                "tiers",
                "funnel",
                "priorities",
            ):  # tab order: tiers, funnel, then the list they count
                book.add(key)
            counted = write_priorities(book, results.customers)
            write_tiers(book, results.customers)
            write_funnel(book, results.funnel, results.health, counted)
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
        if results.history is not None and len(results.history["trends"]):
            write_trends(book, results.history)
        issues_sheet = book.add("issues")
        _write_issues(book, issues_sheet, results, target)
        _write_summary(book, summary, results, keys, issues_sheet.name)
        summary.ws.activate()
        book.close()
    return book.issues


def _write_issues(book: Book, sh, results: Results, target: Path) -> None:
    L = lambda k: book.label(f"report.cols.{k}")  # noqa: E731
    sh.title(book.label("report.titles.issues"), book.label("report.notes.issues"))
    r0 = 3
    sh.header(r0, [L("severity"), L("code"), L("sheet"), L("cell"), L("message")])
    try:
        link_base = os.path.relpath((results.link or results.source).resolve(), target.resolve().parent)
    except ValueError:  # another drive on Windows
        link_base = str((results.link or results.source).resolve())
    ordered = sorted(results.issues, key=lambda i: SEVERITY_ORDER.get(i.severity, 3))
    for i, issue in enumerate(ordered):
        r = r0 + 1 + i
        sh.text(r, 0, book.label(f"ui.{issue.severity}"), issue.severity)
        sh.text(r, 1, issue.code)
        sh.text(r, 2, issue.sheet)
        if issue.sheet and issue.cell:
            url = f"external:{link_base}#{quote_sheetname(issue.sheet)}!{issue.cell}"
            if len(url) <= 2000:
                sh.ws.write_url(r, 3, url, book.fmt["link"], issue.cell, book.label("report.open_cell"))
            else:
                sh.text(r, 3, issue.cell)
        else:
            sh.text(r, 3, issue.cell)
        sh.text(r, 4, issue.message, "wrap", fit=False)
    sh.widths[4] = 90
    last = r0 + max(1, len(ordered))
    sh.finish(r0, 4, last)


def _write_summary(book: Book, sh, results: Results, keys: dict, issues_name: str) -> None:
    L = lambda k: book.label(f"report.summary.{k}")  # noqa: E731
    s = book.settings
    sh.title(
        book.label("report.titles.summary", source=results.source.name),
        book.label("report.notes.summary", as_of=results.as_of.isoformat(), period=period_of(results)),
    )
    r = 3
    sh.header(r, [L("figure"), L("value")])
    rows = [
        ("receivables.total_owed", "total_owed"),
        ("receivables.actual_to_date", "collected"),
        ("receivables.collection_rate", "collection_rate"),
        ("receivables.balance", "balance"),
        ("pnl.revenue_actual", "revenue_actual"),
        ("pnl.profit_plan", "profit_plan"),
        ("pnl.profit_actual", "profit_actual"),
        ("activities.budget", "activities_budget"),
        ("time.m2_share", "m2_share"),
        ("time.completion", "completion"),
    ]
    for key, label in rows:
        if key not in keys:
            continue
        r += 1
        sheet, kr, kc, value, fmt = keys[key]
        sh.text(r, 0, L(label))
        sh.formula(r, 1, ref(sheet, kr, kc, True), value, fmt)
    if results.funnel is not None:
        grade, rule = results.health
        funnel = results.funnel
        r += 1
        sh.text(r, 0, L("open_opportunities"))
        sh.number(r, 1, int(funnel["count"].sum()), "int")
        r += 1
        sh.text(r, 0, L("weighted_pipeline"))
        sh.number(r, 1, float(funnel["weighted"].sum()))
        r += 1
        sh.text(r, 0, L("health"))
        sh.text(r, 1, f"{s.label(f'values.health.{grade}')} — {health_text(s, rule)}")
    # issue counts, live over the issues sheet
    r += 1
    sev_rng = f"{quote_sheetname(issues_name)}!$A:$A"
    for sev in ("error", "warning"):
        r += 1
        sh.text(r, 0, L(f"{sev}s"))
        sh.formula(
            r,
            1,
            f"COUNTIF({sev_rng},{quote(book.label(f'ui.{sev}'))})",
            sum(1 for i in results.issues if i.severity == sev),
            "int",
        )
    r += 2
    limit = int(
        s.get("summary.list_rows")
    )  # a summary page: the largest first, the rest counted (every one is on its own sheet)
    if results.customers is not None:
        p1 = results.customers[results.customers["priority"] == "P1"].sort_values(
            "amount", ascending=False, kind="stable"
        )
        sh.text(r, 0, L("p1_actions"), "key")
        sh.text(r, 1, None, "key")
        for c in records(p1.head(limit)):
            r += 1
            sh.text(
                r, 0, f"{c['customer']}" + (f" / {c['project']}" if isinstance(c.get("project"), str) else "")
            )
            sh.text(r, 1, actions_text(s, c["actions"], "; "), fit=False)
        if len(p1) > limit:
            r += 1
            sh.text(r, 0, book.label("report.more", count=len(p1) - limit), "note")
        r += 2
    if results.receivables is not None:
        behind = results.receivables.summary["behind"]
        names = "、".join(behind[:limit]) + (
            "、" + s.label("summary.others", count=len(behind) - limit) if len(behind) > limit else ""
        )
        sh.text(r, 0, L("behind"), "key")
        sh.text(r, 1, names or "—", "wrap", fit=False)
        r += 2
    sh.widths[0] = max(sh.widths.get(0, 0), 22)
    sh.widths[1] = 70
    sh.finish(3, 1, None, filter_=False, portrait=True)
