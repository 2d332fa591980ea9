"""<stem>.appraisal.xlsx: one printable appraisal form per employee, and HR's overview (METHOD §9).

Attainment, scores, weighted scores, the total, the grade and the quadrant's
action are live formulas with kamxl's results cached, so a reviewer who
corrects an actual sees the grade follow. An employee in error (weights not
100 %, a missing target) gets no form; the overview says why.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import xlsxwriter
from xlsxwriter.utility import quote_sheetname

from kamxl import __version__
from kamxl.config import Settings
from kamxl.issues import Issue
from kamxl.write.files import atomic_path
from kamxl.write.xlsx.book import Book, Sheet, cell, quote, records, rng
from kamxl.write.xlsx.matrix import add_matrix_guides, matrix_helper

CLASS_ORDER = ("financial", "market", "image", "management")
GRADES = ("A", "B", "C", "D", "E")
COLS = ("indicator", "direction", "target", "actual", "weight", "attainment", "score", "weighted_score")


def employee_key(employee, employee_id) -> str:
    return f"{employee_id or ''}\x00{employee}"


def _name_of(e: dict) -> str:
    return (
        f"{e['employee']} {e['employee_id']}"
        if isinstance(e.get("employee_id"), str) and e["employee_id"]
        else str(e["employee"])
    )


def grade_formula(total: str, settings: Settings) -> str:
    """Nested IFs over the grade floors (≥ 90 A …, else E)."""
    floors = sorted(settings.get("appraisal.grades").items(), key=lambda kv: -kv[1])
    formula = quote("E")
    for grade, floor in reversed(floors):
        formula = f"IF({total}>={floor:g},{quote(grade)},{formula})"
    return f'IF({total}="","",{formula})'


def quadrant_formula(ability: str, will: str, settings: Settings) -> str:
    high = f"{settings.get('appraisal.high_threshold'):g}"
    L = lambda q: quote(settings.label(f"values.quadrant_action.{q}"))  # noqa: E731
    return (
        f'IF(OR({ability}="",{will}=""),"",IF(AND({ability}>={high},{will}>={high}),{L("delegate")},'
        f"IF({ability}>={high},{L('motivate')},IF({will}>={high},{L('train')},{L('direct')}))))"
    )


def write_appraisal_book(
    indicators: pd.DataFrame,
    employees: pd.DataFrame,
    target: Path,
    settings: Settings,
    source: str,
    only: str | None = None,
    overview: bool = True,
) -> tuple[list[Issue], dict[str, str]]:
    """Write the workbook (every employee, or ``only`` one key); returns (issues about the output, employee key → sheet name)."""
    with atomic_path(target) as tmp:
        wb = xlsxwriter.Workbook(
            str(tmp),
            {
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "nan_inf_to_errors": False,
                "in_memory": len(indicators) < settings.get("output.in_memory_rows"),
            },
        )
        period = (
            next((p for p in employees.get("period", pd.Series(dtype=object)).dropna()), "")
            if len(employees)
            else ""
        )
        book = Book(
            wb, settings, {"source": source, "period": str(period or ""), "as_of": "", "version": __version__}
        )
        wb.set_properties(
            {
                "title": settings.label("appraisal.doc_title", source=source),
                "author": "kamxl",
                "created": dt.datetime(2000, 1, 1),
                "comments": settings.label("report.doc_comment", version=__version__),
            }
        )
        people = [
            e
            for e in records(employees)
            if only is None or employee_key(e["employee"], e.get("employee_id")) == only
        ]
        totals: dict[str, tuple[str, int, int]] = {}
        summary = book.add("appraisal_overview", settings.label("appraisal.overview")) if overview else None
        sheets: dict[str, str] = {}
        for e in people:
            if e["error"]:
                continue
            key = employee_key(e["employee"], e.get("employee_id"))
            mine = indicators[
                (indicators["employee"] == e["employee"])
                & (indicators["employee_id"].fillna("") == (e.get("employee_id") or ""))
            ]
            sh = book.add(f"employee:{key}", _name_of(e))
            totals[key] = _write_form(book, sh, e, mine)
            sheets[key] = sh.name
        if summary is not None:
            _write_overview(book, summary, people, totals)
            summary.ws.activate()
        book.close()
    return book.issues, sheets


def _write_form(book: Book, sh: Sheet, e: dict, rows: pd.DataFrame) -> tuple[str, int, int]:
    """One employee's A4 form; returns where its total sits (sheet, row, col)."""
    s = book.settings
    A = lambda k, **kw: s.label(f"appraisal.{k}", **kw)  # noqa: E731
    H = lambda k: s.label(f"headers.appraisal.{k}")  # noqa: E731
    sh.title(A("form_title", period=e.get("period") or ""))
    r = 2
    for label, value in (
        (H("employee"), e["employee"]),
        (H("employee_id"), e.get("employee_id")),
        (H("department"), e.get("department")),
        (A("period"), e.get("period")),
    ):
        sh.text(r, 0, label, "key")
        sh.text(r, 1, value)
        r += 1
    r += 1
    head = r
    sh.header(head, [H("indicator_class")] + [A(f"col_{c}") for c in COLS])
    cap = float(s.get("appraisal.cap"))
    first = head + 1
    r = first
    order = {c: i for i, c in enumerate(CLASS_ORDER)}
    rows = rows.assign(_o=rows["indicator_class"].map(order).fillna(len(order))).sort_values(
        ["_o"], kind="stable"
    )
    item_rows = []
    for klass, part in rows.groupby("_o", sort=True):
        code = part["indicator_class"].iloc[0]
        label = s.label(f"values.indicator_class.{code}") if isinstance(code, str) else A("no_class")
        for x in records(part):
            sh.text(r, 0, label)
            sh.text(r, 1, x["indicator"])
            lower = x.get("direction") == "lower"
            sh.text(
                r,
                2,
                s.label(f"values.direction.{x['direction']}")
                if isinstance(x.get("direction"), str)
                else None,
            )
            sh.number(r, 3, x["target"], "number")
            sh.number(r, 4, x["actual"], "number")
            sh.number(r, 5, x["weight"], "percent")
            t, a = cell(r, 3), cell(r, 4)
            if lower:
                att = f'IF(N({t})=0,"",IF({a}="",0,IF({a}=0,{cap:g},MIN({cap:g},{t}/{a}))))'
            else:
                att = f'IF(N({t})=0,"",MIN({cap:g},N({a})/{t}))'
            sh.formula(r, 6, att, x["attainment"], "percent")
            sh.formula(r, 7, f'IF({cell(r, 6)}="","",{cell(r, 6)}*100)', x["score"], "score")
            sh.formula(
                r, 8, f'IF({cell(r, 7)}="","",{cell(r, 7)}*{cell(r, 5)})', x["weighted_score"], "score"
            )
            item_rows.append(r)
            r += 1
    last = r - 1
    total_row = r
    sh.text(total_row, 0, s.label("ui.total"), "total_label")
    for c in (1, 2, 3, 4, 6, 7):
        sh.text(total_row, c, None, "total_label")
    sh.formula(total_row, 5, f"SUM({rng(first, 5, last, 5)})", float(rows["weight"].sum()), "total_percent")
    sh.formula(total_row, 8, f"SUM({rng(first, 8, last, 8)})", e["weighted_score"], "total_number")
    total = cell(total_row, 8, True, True)
    r = total_row + 2
    sh.text(r, 0, A("grade"), "key")
    sh.formula(r, 1, grade_formula(total, s), e["grade"], "text")
    labels = [(g, s.label(f"values.grade.{g}")) for g in GRADES]
    label_f = quote("")
    for g, text in reversed(labels):
        label_f = f"IF({cell(r, 1)}={quote(g)},{quote(text)},{label_f})"
    sh.formula(r, 2, label_f, s.label(f"values.grade.{e['grade']}") if e["grade"] else "", "text")
    r += 2
    sh.text(r, 0, A("factors"), "key")
    r += 1
    factor_cells = {}
    for k in ("personality", "drive", "ability", "willingness"):
        sh.text(r, 0, H(k))
        sh.number(r, 1, e.get(k), "score")
        factor_cells[k] = cell(r, 1)
        r += 1
    will = (
        e.get("willingness")
        if e.get("willingness") is not None and e.get("willingness") == e.get("willingness")
        else e.get("drive")
    )
    sh.text(r, 0, A("quadrant"), "key")
    will_ref = f'IF({factor_cells["willingness"]}="",{factor_cells["drive"]},{factor_cells["willingness"]})'
    action = s.label(f"values.quadrant_action.{e['quadrant']}") if isinstance(e.get("quadrant"), str) else ""
    sh.formula(r, 1, quadrant_formula(factor_cells["ability"], will_ref, s), action, "text")
    sh.text(
        r,
        2,
        A(
            "quadrant_note",
            threshold=f"{s.get('appraisal.high_threshold'):g}",
            will=H("willingness")
            if e.get("willingness") is not None and e.get("willingness") == e.get("willingness")
            else H("drive"),
        ),
        "note",
        fit=False,
    )
    del will
    r += 2
    sh.text(r, 0, A("comments"), "key")
    sh.ws.merge_range(r + 1, 0, r + 5, 8, "", book.fmt["wrap"])
    r += 7
    for who in ("employee_sign", "manager_sign"):
        sh.text(r, 0, A(who), "key")
        sh.ws.merge_range(r, 1, r, 4, "", book.fmt["text"])
        sh.text(r, 5, A("date"), "key")
        sh.ws.merge_range(r, 6, r, 8, "", book.fmt["text"])
        sh.ws.set_row(r, 30)
        r += 2
    sh.widths[1] = max(sh.widths.get(1, 0), 18)
    sh.finish(head, 8, None, filter_=False, portrait=True)
    sh.ws.print_area(0, 0, r, 8)
    sh.one_page = True
    return (sh.name, total_row, 8)


def _write_overview(
    book: Book, sh: Sheet, people: list[dict], totals: dict[str, tuple[str, int, int]]
) -> None:
    s = book.settings
    A = lambda k, **kw: s.label(f"appraisal.{k}", **kw)  # noqa: E731
    H = lambda k: s.label(f"headers.appraisal.{k}")  # noqa: E731
    sh.title(A("overview_title"), A("overview_note"))
    head = 3
    cols = [
        H("employee"),
        H("employee_id"),
        H("department"),
        A("period"),
        A("col_total"),
        A("grade"),
        A("grade_label"),
        H("ability"),
        A("will"),
        A("quadrant"),
        A("status"),
    ]
    sh.header(head, cols)
    ranked = sorted(people, key=lambda e: (e["error"], -(e["weighted_score"] or 0)))
    first = head + 1
    r = first
    for e in ranked:
        key = employee_key(e["employee"], e.get("employee_id"))
        sh.text(r, 0, e["employee"])
        sh.text(r, 1, e.get("employee_id"))
        sh.text(r, 2, e.get("department"))
        sh.text(r, 3, e.get("period"))
        if key in totals:
            sheet, tr, tc = totals[key]
            sh.formula(
                r, 4, f"{quote_sheetname(sheet)}!{cell(tr, tc, True, True)}", e["weighted_score"], "score"
            )
            sh.formula(r, 5, grade_formula(cell(r, 4), s), e["grade"], "text")
            sh.text(r, 6, s.label(f"values.grade.{e['grade']}") if e["grade"] else None)
            sh.text(r, 10, A("ok"))
        else:
            for c in (4, 5, 6):
                sh.text(r, c, None)
            sh.text(
                r,
                10,
                " ".join(s.message(i) for i in e.get("issues", []) if i.severity == "error"),
                "error",
                fit=False,
            )
        sh.number(r, 7, e.get("ability"), "score")
        will = e.get("will")
        sh.number(r, 8, will, "score")
        sh.formula(
            r,
            9,
            quadrant_formula(cell(r, 7), cell(r, 8), s),
            s.label(f"values.quadrant_action.{e['quadrant']}") if isinstance(e.get("quadrant"), str) else "",
            "text",
        )
        r += 1
    last = max(r - 1, first)
    sh.widths[10] = 60
    # grade distribution
    g0 = last + 2
    sh.header(g0, [A("grade"), A("grade_label"), A("count")])
    grade_rng = rng(first, 5, last, 5, True)
    for i, g in enumerate(GRADES):
        rr = g0 + 1 + i
        sh.text(rr, 0, g)
        sh.text(rr, 1, s.label(f"values.grade.{g}"))
        sh.formula(
            rr, 2, f"COUNTIF({grade_rng},{quote(g)})", sum(1 for e in people if e["grade"] == g), "int"
        )
    chart = book.wb.add_chart({"type": "column"})
    chart.add_series(
        {
            "name": A("count"),
            "categories": [sh.name, g0 + 1, 0, g0 + 5, 0],
            "values": [sh.name, g0 + 1, 2, g0 + 5, 2],
            "fill": {"color": "#2F5597"},
            "data_labels": {"value": True},
        }
    )
    chart.set_title({"name": A("chart_grades")})
    chart.set_legend({"none": True})
    chart.set_y_axis({"major_unit": 1, "min": 0})
    sh.chart(g0, 4, chart, 420, 260)
    # department averages
    d0 = g0 + 16
    sh.header(d0, [H("department"), A("count"), A("average")])
    departments = list(dict.fromkeys(str(e.get("department") or "") for e in people))
    dept_rng, total_rng = rng(first, 2, last, 2, True), rng(first, 4, last, 4, True)
    for i, d in enumerate(departments):
        rr = d0 + 1 + i
        scored = [
            e["weighted_score"]
            for e in people
            if str(e.get("department") or "") == d and e["weighted_score"] is not None
        ]
        sh.text(rr, 0, d or None)
        sh.formula(rr, 1, f'COUNTIFS({dept_rng},{quote(d)},{total_rng},"<>")', len(scored), "int")
        sh.formula(
            rr,
            2,
            f'IFERROR(AVERAGEIF({dept_rng},{quote(d)},{total_rng}),"")',
            sum(scored) / len(scored) if scored else None,
            "score",
        )
    # ability × willingness
    m0 = d0 + len(departments) + 3
    _matrix_chart(book, sh, people, first, ranked, m0)
    sh.finish(head, len(cols) - 1, last)


def _matrix_chart(
    book: Book, sh: Sheet, people: list[dict], first: int, ranked: list[dict], row: int
) -> None:
    """The ability × willingness matrix: employees as points, the high/low lines, the four actions."""
    s = book.settings
    A = lambda k, **kw: s.label(f"appraisal.{k}", **kw)  # noqa: E731
    th = float(s.get("appraisal.high_threshold"))
    lo, hi = 1.0, 5.0
    lines_row, names_row = matrix_helper(
        sh,
        row,
        lo,
        hi,
        th,
        [
            (s.label(f"values.quadrant_action.{q}"), x, y)
            for q, x, y in (
                ("delegate", True, True),
                ("motivate", True, False),
                ("train", False, True),
                ("direct", False, False),
            )
        ],
        A("matrix_helper"),
    )
    chart = book.wb.add_chart({"type": "scatter"})
    points = [
        i
        for i, e in enumerate(ranked)
        if e.get("ability") is not None
        and e.get("will") is not None
        and e.get("ability") == e.get("ability")
        and e.get("will") == e.get("will")
    ]
    if points:
        a, b = first + min(points), first + max(points)
        labels = (
            {
                "data_labels": {
                    "custom": [
                        {"value": f"={quote_sheetname(sh.name)}!{cell(rr, 0, True, True)}"}
                        for rr in range(a, b + 1)
                    ],
                    "position": "right",
                    "font": {"size": 8},
                }
            }
            if b - a + 1 <= s.get("charts.max_labels")
            else {}
        )
        chart.add_series(
            {
                "name": A("matrix_points"),
                "categories": [sh.name, a, 7, b, 7],
                "values": [sh.name, a, 8, b, 8],
                "marker": {
                    "type": "circle",
                    "size": 8,
                    "fill": {"color": "#2F5597"},
                    "border": {"color": "#2F5597"},
                },
                **labels,
            }
        )
    add_matrix_guides(book, chart, sh.name, lines_row, names_row)
    chart.set_title({"name": A("chart_matrix")})
    chart.set_x_axis(
        {
            "name": s.label("headers.appraisal.ability"),
            "min": lo,
            "max": hi,
            "major_unit": 1,
            "major_gridlines": {"visible": False},
        }
    )
    chart.set_y_axis(
        {"name": A("will"), "min": lo, "max": hi, "major_unit": 1, "major_gridlines": {"visible": False}}
    )
    chart.set_legend({"none": True})
    sh.chart(row, 4, chart, 520, 400)
