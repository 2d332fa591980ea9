"""<stem>.appraisal.xlsx: one printable appraisal form per employee, and HR's overview (docs/method.md §9).

Attainment, scores, weighted scores, the total, the grade and the quadrant's
action are live formulas with kamxl's results cached, so a reviewer who
corrects an actual sees the grade follow. An employee in error (weights not
100 %, a missing target) gets no form; the overview says why.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
from xlsxwriter.utility import quote_sheetname

from kamxl import __version__
from kamxl.config import Settings
from kamxl.issues import Issue
from kamxl.write.files import atomic_path
from kamxl.write.words import is_rate_indicator
from kamxl.write.xlsx.book import Book, Sheet, cell, chart_rows, new_workbook, quote, records, rng
from kamxl.write.xlsx.matrix import add_matrix_guides, matrix_axis, matrix_helper, point_series

CLASS_ORDER = ("financial", "market", "image", "management")
GRADES = ("A", "B", "C", "D", "E")
COLS = ("indicator", "direction", "target", "actual", "weight", "attainment", "score", "weighted_score")
DETAILS = ("employee", "employee_id", "department", "position")  # the form's head, then period, reviewer
FACTORS = ("personality", "drive", "ability", "willingness")
OVERVIEW_COLUMNS = (  # (label group, key): a field of the HR export or the appraisal's own label
    ("field", "employee"),
    ("field", "employee_id"),
    ("field", "department"),
    ("own", "period"),
    ("own", "col_total"),
    ("own", "grade"),
    ("own", "grade_label"),
    ("field", "ability"),
    ("own", "will"),
    ("own", "quadrant"),
    ("own", "status"),
)
# where each action's name sits in the ability × willingness matrix: (action, able, willing)
ACTION_QUADRANTS = (
    ("delegate", True, True),
    ("motivate", True, False),
    ("train", False, True),
    ("direct", False, False),
)
WEIGHT_COL, SCORE_COL, WEIGHTED_COL = 5, 7, 8
ABILITY_COL, WILL_COL, STATUS_COL = 7, 8, 10
SIGNATURE_HEIGHT = 30  # points: room to sign
MATRIX_GAP_PX = 16  # between the grades chart and the matrix beside it
COMMENT_ROWS = 3  # lines of the comments box
CREATED = dt.datetime(2000, 1, 1)  # a fixed date: the same export gives the same bytes


def _text(settings: Settings, key: str, **args: Any) -> str:
    """The appraisal's own words (``appraisal.<key>``)."""
    return settings.label(f"appraisal.{key}", **args)


def _field(settings: Settings, key: str) -> str:
    """A field's name as the HR export's headers have it (``headers.appraisal.<key>``)."""
    return settings.label(f"headers.appraisal.{key}")


def employee_key(employee: Any, employee_id: Any) -> str:
    return f"{employee_id or ''}\x00{employee}"


def _name_of(person: dict[str, Any]) -> str:
    employee_id = person.get("employee_id")
    if isinstance(employee_id, str) and employee_id:
        return f"{person['employee']} {employee_id}"
    return str(person["employee"])


def _known(value: Any) -> bool:
    return value is not None and value == value


def grade_formula(total: str, settings: Settings) -> str:
    """Nested IFs over the grade floors (≥ 90 A …, else E)."""
    floors = sorted(settings.get("appraisal.grades").items(), key=lambda grade_floor: -grade_floor[1])
    formula = quote("E")
    for grade, floor in reversed(floors):
        formula = f"IF({total}>={floor:g},{quote(grade)},{formula})"
    return f'IF({total}="","",{formula})'


def quadrant_formula(ability: str, will: str, settings: Settings) -> str:
    """The action for the ability × willingness quadrant: delegate, motivate, train or direct."""
    high = f"{settings.get('appraisal.high_threshold'):g}"

    def action(quadrant: str) -> str:
        return quote(settings.label(f"values.quadrant_action.{quadrant}"))

    return (
        f'IF(OR({ability}="",{will}=""),"",IF(AND({ability}>={high},{will}>={high}),{action("delegate")},'
        f"IF({ability}>={high},{action('motivate')},IF({will}>={high},{action('train')},{action('direct')}))))"
    )


def _action(settings: Settings, person: dict[str, Any]) -> str:
    quadrant = person.get("quadrant")
    return settings.label(f"values.quadrant_action.{quadrant}") if isinstance(quadrant, str) else ""


def write_appraisal_book(
    indicators: pd.DataFrame,
    employees: pd.DataFrame,
    target: Path,
    settings: Settings,
    source: str,
    only: str | None = None,
    overview: bool = True,
) -> tuple[list[Issue], dict[str, str]]:
    """Write the workbook (every employee, or ``only`` one key).

    Returns the issues about the output, and each employee key's sheet name.
    """
    with atomic_path(target) as tmp:
        wb = new_workbook(tmp, settings, len(indicators))
        periods = employees.get("period", pd.Series(dtype=object)).dropna()
        period = next(iter(periods), "") if len(employees) else ""
        meta = {"source": source, "period": str(period or ""), "as_of": "", "version": __version__}
        book = Book(wb, settings, meta)
        # an employee's own workbook (no overview) goes to them: no tool's name in it
        branded = {"author": "kamxl", "comments": settings.label("report.doc_comment", version=__version__)}
        wb.set_properties(
            {"title": _text(settings, "doc_title", source=source), "created": CREATED}
            | (branded if overview else {})
        )
        people = [
            person
            for person in records(employees)
            if only is None or employee_key(person["employee"], person.get("employee_id")) == only
        ]
        summary = book.add("appraisal_overview", _text(settings, "overview")) if overview else None
        totals, sheets = _write_forms(book, indicators, people)
        if summary is not None:
            _write_overview(book, summary, people, totals)
            summary.ws.activate()
        book.close()
    return book.issues, sheets


def _write_forms(
    book: Book, indicators: pd.DataFrame, people: list[dict[str, Any]]
) -> tuple[dict[str, tuple[str, int, int]], dict[str, str]]:
    """A form per employee not in error; returns where each total is, and each employee's sheet name."""
    totals: dict[str, tuple[str, int, int]] = {}
    sheets: dict[str, str] = {}
    for person in people:
        if person["error"]:
            continue
        key = employee_key(person["employee"], person.get("employee_id"))
        theirs = indicators[
            (indicators["employee"] == person["employee"])
            & (indicators["employee_id"].fillna("") == (person.get("employee_id") or ""))
        ]
        sheet = book.add(f"employee:{key}", _name_of(person))
        totals[key] = _write_form(book, sheet, person, theirs)
        sheets[key] = sheet.name
    return totals, sheets


# -------------------------------------------------------------------- form ---
def _write_form(book: Book, sheet: Sheet, person: dict[str, Any], rows: pd.DataFrame) -> tuple[str, int, int]:
    """One employee's A4 form; returns where its total sits (sheet, row, col).

    The sheet is protected without a password: what a reviewer fills in or corrects (targets, actuals,
    weights, factor scores, the lines and boxes) is unlocked, the formulas are not."""
    settings = book.settings
    sheet.title(_text(settings, "form_title", period=person.get("period") or ""))
    row = _details(book, sheet, person, 2)
    head = row + 1
    sheet.header(
        head, [_field(settings, "indicator_class")] + [_text(settings, f"col_{col}") for col in COLS]
    )
    total_row = _indicators(book, sheet, rows, head + 1)
    _form_total(book, sheet, person, rows, head + 1, total_row)
    row = _grade(book, sheet, person, cell(total_row, WEIGHTED_COL, True, True), total_row + 2)
    row = _factors(book, sheet, person, row + 2)
    row = _next_targets(book, sheet, rows, row + 2)
    row = _box(book, sheet, "improvement", int(settings.get("appraisal.plan_rows")), row + 2)
    row = _box(book, sheet, "comments", COMMENT_ROWS, row + 1)
    row = _signatures(book, sheet, row + 1)
    sheet.at_least(1, book.width("appraisal_indicator"))
    # one width on every employee's form, whatever the figures (not widened again when the sheet closes)
    for col in range(WEIGHT_COL, WEIGHTED_COL + 1):
        sheet.widths[col] = book.width("appraisal_score")
        sheet.numbers.pop(col, None)
    sheet.finish(head, WEIGHTED_COL, None, filter_=False, portrait=True)
    _form_header_footer(book, sheet, person)
    sheet.ws.print_area(0, 0, row, WEIGHTED_COL)
    sheet.ws.protect("", {"format_columns": True, "format_rows": True})
    sheet.one_page = True
    return (sheet.name, total_row, WEIGHTED_COL)


def _details(book: Book, sheet: Sheet, person: dict[str, Any], row: int) -> int:
    """Who is appraised, for which period and by whom: the export's fields, a line to fill in where it has
    none (position and reviewer are often not exported); returns the row after."""
    settings = book.settings
    fields = [(_field(settings, key), person.get(key)) for key in DETAILS]
    fields += [
        (_text(settings, "period"), person.get("period")),
        (_field(settings, "reviewer"), person.get("reviewer")),
    ]
    for label, value in fields:
        sheet.text(row, 0, label, "key")
        sheet.ws.merge_range(row, 1, row, 2, "", book.fmt["input"])
        if _known(value):
            sheet.text(row, 1, value, "input")
        row += 1
    return row


def _indicators(book: Book, sheet: Sheet, rows: pd.DataFrame, first: int) -> int:
    """The indicators by class (financial, market, image, management, then none); returns the row after."""
    settings = book.settings
    order = {code: i for i, code in enumerate(CLASS_ORDER)}
    ordered = rows.assign(_o=rows["indicator_class"].map(order).fillna(len(order)))
    row = first
    for _, part in ordered.sort_values(["_o"], kind="stable").groupby("_o", sort=True):
        code = part["indicator_class"].iloc[0]
        if isinstance(code, str):
            in_class = settings.label(f"values.indicator_class.{code}")
        else:
            in_class = _text(settings, "no_class")
        for item in records(part):
            _indicator(book, sheet, row, in_class, item)
            row += 1
    return row


def _indicator(book: Book, sheet: Sheet, row: int, in_class: str, item: dict[str, Any]) -> None:
    """One indicator: as written, then attainment, score and weighted score as live formulas.

    Attainment is actual / target (target / actual where less is better), capped at ``appraisal.cap``.
    """
    settings, direction = book.settings, item.get("direction")
    sheet.text(row, 0, in_class)
    sheet.text(row, 1, item["indicator"])
    sheet.text(
        row, 2, settings.label(f"values.direction.{direction}") if isinstance(direction, str) else None
    )
    figure = _figure_format(settings, item, "input")
    sheet.number(row, 3, item["target"], figure)
    sheet.number(row, 4, item["actual"], figure)
    sheet.number(row, WEIGHT_COL, item["weight"], "input_percent")
    cap, target, actual = f"{float(settings.get('appraisal.cap')):g}", cell(row, 3), cell(row, 4)
    if direction == "lower":
        capped = f'IF({actual}="",0,IF({actual}=0,{cap},MIN({cap},{target}/{actual})))'
    else:
        capped = f"MIN({cap},N({actual})/{target})"
    attainment, score = cell(row, 6), cell(row, SCORE_COL)
    sheet.formula(row, 6, f'IF(N({target})=0,"",{capped})', item["attainment"], "percent")
    sheet.formula(row, SCORE_COL, f'IF({attainment}="","",{attainment}*100)', item["score"], "score")
    weighted = f'IF({score}="","",{score}*{cell(row, WEIGHT_COL)})'
    sheet.formula(row, WEIGHTED_COL, weighted, item["weighted_score"], "score")


def _form_total(
    book: Book, sheet: Sheet, person: dict[str, Any], rows: pd.DataFrame, first: int, total_row: int
) -> None:
    """The weights' sum (100 %) and the total score."""
    sheet.total_label(total_row, [1, 2, 3, 4, 6, 7])
    last = total_row - 1
    weights = f"SUM({rng(first, WEIGHT_COL, last, WEIGHT_COL)})"
    sheet.formula(total_row, WEIGHT_COL, weights, float(rows["weight"].sum()), "total_percent")
    total = f"SUM({rng(first, WEIGHTED_COL, last, WEIGHTED_COL)})"
    sheet.formula(total_row, WEIGHTED_COL, total, person["weighted_score"], "total_score")


def _grade(book: Book, sheet: Sheet, person: dict[str, Any], total: str, row: int) -> int:
    """The grade from the total, and its name; returns the row."""
    settings = book.settings
    sheet.text(row, 0, _text(settings, "grade"), "key")
    sheet.formula(row, 1, grade_formula(total, settings), person["grade"], "text")
    name = quote("")
    for grade in reversed(GRADES):
        name = f"IF({cell(row, 1)}={quote(grade)},{quote(settings.label(f'values.grade.{grade}'))},{name})"
    cached = settings.label(f"values.grade.{person['grade']}") if person["grade"] else ""
    sheet.formula(row, 2, name, cached, "text")
    sheet.ws.merge_range(row + 1, 0, row + 1, WEIGHTED_COL, grade_rule(settings), book.fmt["note"])
    return row + 1


def grade_rule(settings: Settings) -> str:
    """How the total is graded, from ``appraisal.grades``: "≥ 90 为 A 优秀;≥ 80 为 B 良好;… 低于 60 为 E"."""
    floors = sorted(settings.get("appraisal.grades").items(), key=lambda grade_floor: -grade_floor[1])
    steps = [
        _text(
            settings,
            "grade_step",
            floor=f"{floor:g}",
            grade=grade,
            name=settings.label(f"values.grade.{grade}"),
        )
        for grade, floor in floors
    ]
    rule = _text(
        settings,
        "grade_rule",
        rules=settings.label("ui.list_sep").join(steps) if settings.lang == "en" else ";".join(steps),
        lowest=f"{floors[-1][1]:g}",
        lowest_name=settings.label("values.grade.E"),
    )
    # a total of 111.42 is not an error: attainment counts up to the cap, so scores run past 100
    cap = settings.get("appraisal.cap")
    over = _text(settings, "grade_cap", cap=f"{cap:.0%}", most=f"{cap * 100:g}")
    return f"{rule}{settings.label('ui.sentence_sep')}{over}"


def _factors(book: Book, sheet: Sheet, person: dict[str, Any], row: int) -> int:
    """The four factor scores and the quadrant's action (willingness, or drive where it is missing)."""
    settings = book.settings
    sheet.text(row, 0, _text(settings, "factors"), "key")
    cells = {}
    for factor_row, factor in enumerate(FACTORS, row + 1):
        sheet.text(factor_row, 0, _field(settings, factor))
        sheet.number(factor_row, 1, person.get(factor), "input_score")
        cells[factor] = cell(factor_row, 1)
    row += 1 + len(FACTORS)
    sheet.text(row, 0, _text(settings, "quadrant"), "key")
    will = f'IF({cells["willingness"]}="",{cells["drive"]},{cells["willingness"]})'
    sheet.formula(
        row, 1, quadrant_formula(cells["ability"], will, settings), _action(settings, person), "text"
    )
    threshold = f"{settings.get('appraisal.high_threshold'):g}"
    # say which two scores place the employee (the willingness axis falls back on drive when unscored)
    names = {key: _field(settings, key) for key in ("ability", "willingness", "drive")}
    key = "quadrant_note" if _known(person.get("willingness")) else "quadrant_note_drive"
    note = _text(settings, key, threshold=threshold, **names)
    sheet.text(row, 2, note, "note", fit=False)
    return row


def _next_targets(book: Book, sheet: Sheet, rows: pd.DataFrame, row: int) -> int:
    """The next period's targets: each indicator with this period's target and its next one as the export
    gives it (else a blank to fill in), and a few blank lines for new indicators; returns the last row."""
    settings = book.settings
    sheet.text(row, 0, _text(settings, "next_targets"), "key")
    head = row + 1
    fmt = book.fmt
    sheet.ws.merge_range(head, 0, head, 1, _text(settings, "col_indicator"), fmt["header"])
    sheet.header(
        head, [_text(settings, key) for key in ("col_this_target", "col_next_target", "col_next_weight")], 2
    )
    sheet.ws.merge_range(head, 5, head, WEIGHTED_COL, _text(settings, "col_next_note"), fmt["header"])
    items = records(rows)
    blank = int(settings.get("appraisal.next_target_rows"))
    for line, item in enumerate([*items, *([None] * blank)], head + 1):
        sheet.ws.merge_range(line, 0, line, 1, "", fmt["input"])
        sheet.ws.merge_range(line, 5, line, WEIGHTED_COL, "", fmt["input"])
        sheet.text(line, 4, None, "input_percent")
        if item is None:
            sheet.text(line, 2, None, "input")
            sheet.text(line, 3, None, "input")
            continue
        sheet.text(line, 0, item["indicator"], "input", fit=False)
        sheet.number(line, 2, item["target"], _figure_format(settings, item, ""))
        sheet.number(line, 3, item.get("next_target"), _figure_format(settings, item, "input"))
    return head + len(items) + blank


def _figure_format(settings: Settings, item: dict[str, Any], kind: str) -> str:
    """An indicator's target and actual as the reader expects them: a rate as a percentage (回款率 95.0 %),
    whole figures with thousands separators (1,000,000), others as written; ``kind`` "input" or ""."""
    if is_rate_indicator(settings, item):
        return "input_percent" if kind else "percent"
    figures = [item.get(key) for key in ("target", "actual", "next_target")]
    known = [float(figure) for figure in figures if isinstance(figure, (int, float)) and _known(figure)]
    if known and all(figure.is_integer() for figure in known):
        return "input_whole" if kind else "money"
    return "input_number" if kind else "number"


def _box(book: Book, sheet: Sheet, key: str, lines: int, row: int) -> int:
    """A labelled box to write in (``appraisal.<key>``), ``lines`` rows high; returns its last row."""
    sheet.text(row, 0, _text(book.settings, key), "key")
    sheet.ws.merge_range(row + 1, 0, row + lines, WEIGHTED_COL, "", book.fmt["input_box"])
    for line in range(row + 1, row + lines + 1):
        sheet.ws.set_row(line, book.settings.get("appraisal.box_line_pt"))
    return row + lines


def _signatures(book: Book, sheet: Sheet, row: int) -> int:
    """The employee's and the reviewer's signature and date (signing is a step of the course); returns the
    last row."""
    settings, line = book.settings, book.fmt["input"]
    for who in ("employee_sign", "manager_sign"):
        row += 1
        sheet.text(row, 0, _text(settings, who), "key")
        sheet.ws.merge_range(row, 1, row, 4, "", line)
        sheet.text(row, 5, _text(settings, "date"), "key")
        sheet.ws.merge_range(row, 6, row, WEIGHTED_COL, "", line)
        sheet.ws.set_row(row, SIGNATURE_HEIGHT)
        row += 1
    return row


def _form_header_footer(book: Book, sheet: Sheet, person: dict[str, Any]) -> None:
    """The employee's page names them, their department and the period; no tool name (it goes to them)."""

    def amp(text: Any) -> str:
        return str(text or "").replace("&", "&&")

    sheet.ws.set_header(
        f"&L&8 {amp(person.get('department'))}&C&9&B {amp(_name_of(person))}&R&8 {amp(person.get('period'))}"
    )
    sheet.ws.set_footer(f"&C&8 {_text(book.settings, 'page_footer')}")  # page numbers, no tool name


# ---------------------------------------------------------------- overview ---
def _write_overview(
    book: Book, sheet: Sheet, people: list[dict[str, Any]], totals: dict[str, tuple[str, int, int]]
) -> None:
    """Every employee ranked by score, the grades counted, the departments' averages, the matrix."""
    settings = book.settings
    sheet.title(_text(settings, "overview_title"), _text(settings, "overview_note"))
    head = 3
    labels = [
        _field(settings, key) if kind == "field" else _text(settings, key) for kind, key in OVERVIEW_COLUMNS
    ]
    sheet.header(head, labels)
    ranked = sorted(people, key=lambda person: (person["error"], -(person["weighted_score"] or 0)))
    first = head + 1
    for row, person in enumerate(ranked, first):
        _overview_row(book, sheet, person, totals, row)
    last = max(first + len(ranked) - 1, first)
    sheet.widths[STATUS_COL] = book.width("appraisal_status")
    grades_head = last + 2
    _grade_counts(book, sheet, people, rng(first, 5, last, 5, True), grades_head)
    spec = book.chart_spec("appraisal_grades")
    departments_head = grades_head + chart_rows(spec["height"]) + spec["rows_after"]
    _department_averages(book, sheet, people, first, last, departments_head)
    # the matrix right of the grades chart: the overview is one landscape page, the chart under its
    # ranking (below the departments it went to a second page, alone, its table's rule left on the first)
    _matrix_chart(book, sheet, first, ranked, grades_head)
    repeat = not sheet.fits_on_a_page(last)
    sheet.finish(head, len(OVERVIEW_COLUMNS) - 1, last, repeat=repeat)
    sheet.one_page = len(ranked) <= int(settings.get("appraisal.overview_one_page_rows"))


def _overview_row(
    book: Book, sheet: Sheet, person: dict[str, Any], totals: dict[str, tuple[str, int, int]], row: int
) -> None:
    """One employee: the total linked from their form and its grade, or why there is none."""
    settings = book.settings
    key = employee_key(person["employee"], person.get("employee_id"))
    sheet.text(row, 0, person["employee"])
    for col, field in enumerate(("employee_id", "department", "period"), 1):
        sheet.text(row, col, person.get(field))
    if key in totals:
        form, total_row, total_col = totals[key]
        total = f"{quote_sheetname(form)}!{cell(total_row, total_col, True, True)}"
        sheet.formula(row, 4, total, person["weighted_score"], "score")
        sheet.formula(row, 5, grade_formula(cell(row, 4), settings), person["grade"], "text")
        sheet.text(row, 6, settings.label(f"values.grade.{person['grade']}") if person["grade"] else None)
        sheet.text(row, STATUS_COL, _text(settings, "ok"))
    else:
        for col in (4, 5, 6):
            sheet.text(row, col, None)
        errors = " ".join(settings.message(i) for i in person.get("issues", []) if i.severity == "error")
        sheet.text(row, STATUS_COL, errors, "error", fit=False)
    sheet.number(row, ABILITY_COL, person.get("ability"), "score")
    sheet.number(row, WILL_COL, person.get("will"), "score")
    quadrant = quadrant_formula(cell(row, ABILITY_COL), cell(row, WILL_COL), settings)
    sheet.formula(row, 9, quadrant, _action(settings, person), "text")


def _grade_counts(book: Book, sheet: Sheet, people: list[dict[str, Any]], grades: str, head: int) -> None:
    """How many employees got each grade (COUNTIF over the ranking), and a column chart of it."""
    settings = book.settings
    sheet.header(head, [_text(settings, "grade"), _text(settings, "grade_label"), _text(settings, "count")])
    for row, grade in enumerate(GRADES, head + 1):
        count = sum(1 for person in people if person["grade"] == grade)
        sheet.text(row, 0, grade)
        sheet.text(row, 1, settings.label(f"values.grade.{grade}"))
        sheet.formula(row, 2, f"COUNTIF({grades},{quote(grade)})", count, "int")
    first, last = head + 1, head + len(GRADES)
    chart = book.add_chart("column")
    chart.add_series(
        {
            "name": _text(settings, "count"),
            "categories": [sheet.name, first, 0, last, 0],
            "values": [sheet.name, first, 2, last, 2],
            "fill": {"color": book.colours["actual"]},
            "data_labels": {"value": True},
        }
    )
    chart.set_title({"name": _text(settings, "chart_grades")})
    chart.set_legend({"none": True})
    chart.set_y_axis(book.value_axis("employees", "count_axis", major_unit=1))
    sheet.place_chart(head, chart, "appraisal_grades")


def _department_averages(
    book: Book, sheet: Sheet, people: list[dict[str, Any]], first: int, last: int, head: int
) -> int:
    """The number scored and the average score per department; returns how many departments."""
    settings = book.settings
    sheet.header(head, [_field(settings, "department"), _text(settings, "count"), _text(settings, "average")])
    departments = list(dict.fromkeys(str(person.get("department") or "") for person in people))
    in_department, totals = rng(first, 2, last, 2, True), rng(first, 4, last, 4, True)
    for row, department in enumerate(departments, head + 1):
        scored = [
            person["weighted_score"]
            for person in people
            if str(person.get("department") or "") == department and person["weighted_score"] is not None
        ]
        where = f"{in_department},{quote(department)}"
        sheet.text(row, 0, department or None)
        sheet.formula(row, 1, f'COUNTIFS({where},{totals},"<>")', len(scored), "int")
        average = sum(scored) / len(scored) if scored else None
        sheet.formula(row, 2, f'IFERROR(AVERAGEIF({where},{totals}),"")', average, "score")
    return len(departments)


def _matrix_chart(book: Book, sheet: Sheet, first: int, ranked: list[dict[str, Any]], row: int) -> None:
    """The ability × willingness matrix: employees as points, the high/low lines, the four actions."""
    settings = book.settings
    threshold = float(settings.get("appraisal.high_threshold"))
    low, high = (float(end) for end in book.chart_spec("appraisal_matrix")["scale"])
    quadrants = [
        (settings.label(f"values.quadrant_action.{action}"), x, y) for action, x, y in ACTION_QUADRANTS
    ]
    helper = _text(settings, "matrix_helper")
    guides = matrix_helper(sheet, row, low, high, threshold, quadrants, helper)
    chart = book.add_chart("scatter")
    placed = [
        index
        for index, person in enumerate(ranked)
        if _known(person.get("ability")) and _known(person.get("will"))
    ]
    if placed:
        rows = (first + min(placed), first + max(placed))
        labelled = rows[1] - rows[0] + 1 <= settings.get("charts.max_labels")
        name, colour = _text(settings, "matrix_points"), book.colours["actual"]
        labels = (
            [person.get("employee") for person in ranked[min(placed) : max(placed) + 1]] if labelled else None
        )
        chart.add_series(point_series(book, sheet.name, name, rows, (ABILITY_COL, WILL_COL), colour, labels))
    add_matrix_guides(book, chart, sheet.name, guides, quadrants)
    chart.set_title({"name": _text(settings, "chart_matrix")})
    chart.set_x_axis(matrix_axis(_field(settings, "ability"), low, high))
    chart.set_y_axis(matrix_axis(_text(settings, "will"), low, high))
    chart.set_legend({"none": True})
    grades = book.chart_spec("appraisal_grades")
    sheet.place_chart(row, chart, "appraisal_matrix", grades["column"], grades["width"] + MATRIX_GAP_PX)
