"""时间 · 计划 · 日历: where the time goes, how the plans are doing, and the month on one page.

The time sheet carries the to-do list itself, so the hours per quadrant are
SUMIFs a reviewer can follow; the plans sheet checks that the weeks add up
to the month; the calendar puts every form's dated events in one grid.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd

from kamxl.calc.calendar import month_grid
from kamxl.calc.time import QUADRANTS, TimeUse, is_indicative, todo_days
from kamxl.results import CalendarMonth, Results
from kamxl.write.words import is_rate_indicator
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
    records,
    rng,
)

TODO_COLUMNS = ("date", "quadrant", "task", "related", "hours", "done")
QUADRANT_COLUMNS = ("quadrant", "quadrant_label", "tasks", "hours", "share", "completion")
GROUP_COLUMNS = (
    "group",
    "customers",
    "customer_share",
    "guideline_customers",
    "hours",
    "time_share",
    "guideline_time",
    "time_gap_points",
)
MONTHLY_COLUMNS = ("indicator", "category", "target", "actual", "attainment", "owner", "last_actual")
WEEKLY_COLUMNS = ("week", "goal", "weekly_target", "actual", "attainment", "monthly_item", "owner")
WEEKS_COLUMNS = ("goal", "weeks", "weeks_target", "month_target", "gap", "short")
GOAL_CHECKS = ("specific", "measurable", "individual", "realistic")
CHECK_MARKS = {True: "✓", False: "✗", None: "—"}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
KEY_LINE_HEIGHT = 15  # points per line of the calendar's key events (10-point text)
EVENT_LINE_HEIGHT = 14  # and of a day's events (9-point text)
TOP = 3  # the first row under the title


# -------------------------------------------------------------------- time ---
def write_time(
    book: Book,
    todo: pd.DataFrame | None,
    time: TimeUse | None,
    groups: pd.DataFrame | None,
    keys: KeyCells,
) -> None:
    """Hours per quadrant over the to-do list, and time per priority group against the guideline."""
    sheet = book.add("time")
    sheet.title(book.label("report.titles.time"), book.label("report.notes.time"))
    row = TOP
    if time is not None and todo is not None:
        quadrants, summary = time
        # the quadrants count the to-do lists, the groups below the work log: each table names its form
        source = book.label("forms.todo")
        sheet.text(row - 1, 0, book.label("report.titles.time_quadrants", source=source), "key", fit=False)
        last = _todo_list(book, sheet, todo, row + 8)
        indicative = is_indicative(summary["days"], book.settings)
        _quadrant_table(book, sheet, quadrants.set_index("quadrant"), summary, row, last, indicative)
        _days_covered(book, sheet, todo_days(todo), row + 7, indicative)
        keys["time.m2_share"] = KeyCell(sheet.name, row + 2, 4, summary["m2_share"], "percent")
        keys["time.completion"] = KeyCell(sheet.name, row + 5, 5, summary["completion_rate"], "percent")
        if has_data(quadrants["hours"]):
            _quadrant_chart(book, sheet, row)
        sheet.finish(row + 8, 5, last, freeze_cols=0)
        row = last + 3
    if groups is not None:
        _guideline_table(book, sheet, groups, row)
        if has_data([*groups["time_share"], *groups["guideline_time"]]):
            _guideline_chart(book, sheet, row, row + 1 + len(groups))
        if time is None:
            sheet.finish(row, 7, None, filter_=False)


def _todo_list(book: Book, sheet: Sheet, todo: pd.DataFrame, head: int) -> int:
    """The to-do rows the quadrant table counts; returns the last row."""
    sheet.headings(head, TODO_COLUMNS)
    first = head + 1
    sheet.date_column(first, 0, todo["date"].tolist())
    sheet.text_column(first, 1, todo["category"].tolist())
    sheet.text_column(first, 2, todo["task"].tolist())
    sheet.text_column(first, 3, column_of(todo, "related"))
    sheet.number_column(first, 4, todo["hours"].tolist(), "number")
    sheet.number_column(first, 5, todo["status"].tolist(), "percent")
    return max(first + len(todo) - 1, first)


def _days_covered(book: Book, sheet: Sheet, days: list[dt.date], row: int, indicative: bool) -> None:
    """One sentence under the quadrant table: how many days (and which) the shares are based on, and, when
    fewer than ``time.min_days``, that they are indicative only."""
    if days:
        dates = [_day(book, day) for day in (days[0], days[-1])]
        span = dates[0] if dates[0] == dates[1] else "–".join(dates)
        text = book.label("report.time_days.based", days=len(days), dates=span)
    else:
        text = book.label("report.time_days.undated")
    if indicative:
        text += book.label("report.time_days.indicative", min_days=book.settings.get("time.min_days"))
    sheet.text(row, 0, text, "indicative_note" if indicative else "note", fit=False)


def _day(book: Book, day: dt.date) -> str:
    """A day as the sheet's language writes it without its year: 3月2日, 2 Mar."""
    month_name = book.label(f"values.month.{day.month}")
    return book.label("report.time_days.date", month=day.month, day=day.day, month_name=month_name)


def _quadrant_table(
    book: Book,
    sheet: Sheet,
    by_quadrant: pd.DataFrame,
    summary: Mapping[str, Any],
    head: int,
    last: int,
    indicative: bool = False,
) -> None:
    """Tasks, hours, share and completion per quadrant (COUNTIF/SUMIF over the to-do list), their total;
    the shares (and the M2 share) in the indicative look when the lists cover too few days."""
    first = head + 9  # the to-do list's first row
    share_look = "indicative_percent" if indicative else "percent"
    quadrant, hours, done = (rng(first, col, last, col, True) for col in (1, 4, 5))
    sheet.headings(head, QUADRANT_COLUMNS)
    total_row = head + 1 + len(QUADRANTS)
    total_hours = cell(total_row, 3)
    for row, code in enumerate(QUADRANTS, head + 1):
        in_quadrant = f"{quadrant},{quote(code)}"
        sheet.text(row, 0, code)
        sheet.text(row, 1, book.label(f"values.quadrant.{code}"))
        sheet.formula(row, 2, f"COUNTIF({in_quadrant})", int(by_quadrant.at[code, "tasks"]), "int")
        sheet.formula(row, 3, f"SUMIF({in_quadrant},{hours})", float(by_quadrant.at[code, "hours"]), "number")
        share = f'IF({total_hours}=0,"",{cell(row, 3)}/{total_hours})'
        sheet.formula(row, 4, share, by_quadrant.at[code, "share"], share_look)
        completion = f'IF(COUNTIFS({in_quadrant},{done},"<>")=0,"",AVERAGEIF({in_quadrant},{done}))'
        sheet.formula(row, 5, completion, by_quadrant.at[code, "done"], "percent")
    sheet.total_label(total_row, [1])
    sheet.formula(total_row, 2, f"SUM({rng(head + 1, 2, head + 4, 2)})", summary["tasks"], "total_number")
    sheet.formula(total_row, 3, f"SUM({rng(head + 1, 3, head + 4, 3)})", summary["hours"], "total_number")
    whole = 1.0 if summary["hours"] else None
    sheet.formula(total_row, 4, f'IF({total_hours}=0,"",1)', whole, "total_percent")
    completion = f'IF(COUNT({done})=0,"",AVERAGE({done}))'
    sheet.formula(total_row, 5, completion, summary["completion_rate"], "total_percent")
    sheet.text(total_row + 1, 0, book.heading("m2_share"), "key")
    sheet.formula(total_row + 1, 3, cell(head + 2, 4), summary["m2_share"], share_look)


def _quadrant_chart(book: Book, sheet: Sheet, head: int) -> None:
    chart = book.add_chart("doughnut")
    chart.add_series(
        {
            "name": book.heading("hours"),
            "categories": [sheet.name, head + 1, 1, head + 4, 1],
            "values": [sheet.name, head + 1, 3, head + 4, 3],
            "data_labels": {"percentage": True},
            "points": [{"fill": {"color": colour}} for colour in book.colours["quadrants"]],
        }
    )
    chart.set_title({"name": book.label("report.charts.time")})
    sheet.place_chart(head, chart, "time")


def _guideline_table(book: Book, sheet: Sheet, groups: pd.DataFrame, head: int) -> None:
    """Customers and hours per priority group, their shares against the course's guideline."""
    source = book.label(f"forms.{groups.attrs.get('source', 'worklog')}")
    sheet.text(head - 1, 0, book.label("report.titles.guideline", source=source), "key", fit=False)
    sheet.headings(head, GROUP_COLUMNS)
    total_row = head + 1 + len(groups)
    customers, hours = cell(total_row, 1), cell(total_row, 4)
    for row, group in enumerate(records(groups), head + 1):
        sheet.text(row, 0, book.label(f"values.group.{group['group']}"))
        sheet.number(row, 1, group["customers"], "int")
        customer_share = f'IF({customers}=0,"",{cell(row, 1)}/{customers})'
        sheet.formula(row, 2, customer_share, group["customer_share"], "percent")
        sheet.number(row, 3, group["guideline_customers"], "percent")
        sheet.number(row, 4, group["hours"], "number")
        sheet.formula(row, 5, f'IF({hours}=0,"",{cell(row, 4)}/{hours})', group["time_share"], "percent")
        sheet.number(row, 6, group["guideline_time"], "percent")
        # a difference of two shares: in percentage points (−18.5), not a percentage of anything
        gap = f'IF({cell(row, 5)}="","",({cell(row, 5)}-{cell(row, 6)})*100)'
        points = None if is_blank(group["time_gap"]) else group["time_gap"] * 100
        sheet.formula(row, 7, gap, points, "points")
    sheet.total_label(total_row)
    customers_total = int(groups["customers"].sum())
    sheet.formula(total_row, 1, f"SUM({rng(head + 1, 1, total_row - 1, 1)})", customers_total, "total_number")
    hours_total = float(groups["hours"].sum())
    sheet.formula(total_row, 4, f"SUM({rng(head + 1, 4, total_row - 1, 4)})", hours_total, "total_number")


def _guideline_chart(book: Book, sheet: Sheet, head: int, total_row: int) -> None:
    """Each group's share of the time beside the guideline's."""
    colours, name = book.colours, sheet.name
    groups = [name, head + 1, 0, total_row - 1, 0]
    chart = book.add_chart("column")
    for col, colour in ((5, colours["actual"]), (6, colours["guideline"])):
        chart.add_series(
            {
                "name": [name, head, col],
                "categories": groups,
                "values": [name, head + 1, col, total_row - 1, col],
                "fill": {"color": colour},
            }
        )
    chart.set_title({"name": book.label("report.charts.guideline")})
    chart.set_y_axis(book.value_axis("time_share", "rate_axis", max=1))
    chart.set_legend({"position": "bottom"})
    sheet.place_chart(head, chart, "guideline")


# ------------------------------------------------------------------- plans ---
def write_plans(book: Book, results: Results) -> None:
    """The monthly plan's attainment, the weekly plan's and whether its weeks add up, the goals' checks."""
    sheet = book.add("plans")
    sheet.title(book.label("report.titles.plans"), book.label("report.notes.plans"))
    row, header_row = TOP, None
    if results.monthly is not None:
        _monthly_plan(book, sheet, results.monthly, row)
        header_row = row
        row += len(results.monthly) + 3
    if results.weekly is not None:
        header_row = row if header_row is None else header_row
        row = _weekly_plan(book, sheet, *results.weekly, row)
    if results.goals is not None and len(results.goals):
        _goal_checks(book, sheet, results.goals, row)
    sheet.finish(header_row, 6, None, filter_=False, repeat=False)  # several tables: no one header repeats


def _monthly_plan(book: Book, sheet: Sheet, monthly: pd.DataFrame, head: int) -> None:
    sheet.text(head - 1, 0, book.label("forms.monthly"), "key")
    sheet.headings(head, MONTHLY_COLUMNS)
    for row, item in enumerate(records(monthly), head + 1):
        sheet.text(row, 0, item["indicator"])
        category = item["category"]
        sheet.text(row, 1, None if is_blank(category) else book.label(f"values.indicator_class.{category}"))
        kind = "percent" if is_rate_indicator(book.settings, item) else "number"
        _target_actual(
            sheet, row, item["target"], item["actual"], item["lower_is_better"], item["attainment"], kind
        )
        sheet.text(row, 5, item["owner"])
        sheet.number(row, 6, item["last_actual"], kind)
    attainment_colours(book, sheet, head + 1, head + len(monthly), 4)
    sheet.keep_together(head - 1, head + len(monthly))


def _weekly_plan(book: Book, sheet: Sheet, weeks: pd.DataFrame, goals: pd.DataFrame, head: int) -> int:
    """The weekly plan, and per goal whether its weeks add up to the month's target; returns the next row."""
    sheet.text(head - 1, 0, book.label("forms.weekly"), "key")
    sheet.headings(head, WEEKLY_COLUMNS)
    first = head + 1
    for row, week in enumerate(records(weeks), first):
        sheet.number(row, 0, week["week"], "int")
        sheet.text(row, 1, week["goal"])
        _target_actual(
            sheet, row, week["weekly_target"], week["actual"], week["lower_is_better"], week["attainment"]
        )
        sheet.text(row, 5, week["monthly_item"])
        sheet.text(row, 6, week["owner"])
    last = first + len(weeks) - 1
    attainment_colours(book, sheet, first, last, 4)
    sheet.keep_together(head - 1, last)
    goals_head = last + 3
    _weeks_add_up(book, sheet, goals, goals_head, rng(first, 1, last, 1, True), rng(first, 2, last, 2, True))
    return goals_head + len(goals) + 3


def _weeks_add_up(book: Book, sheet: Sheet, goals: pd.DataFrame, head: int, names: str, targets: str) -> None:
    """Per goal: the weeks' targets summed (SUMIF over the weekly plan) against the month's; short if less."""
    sheet.text(head - 1, 0, book.label("report.titles.weeks_add_up"), "key", fit=False)
    sheet.headings(head, WEEKS_COLUMNS)
    sheet.keep_together(head - 1, head + len(goals))
    flag = book.heading("short_flag")
    for row, goal in enumerate(records(goals), head + 1):
        weeks_target, month_target = cell(row, 2), cell(row, 3)
        no_target = is_blank(goal["month_target"])
        sheet.text(row, 0, goal["goal"])
        sheet.number(row, 1, goal["weeks"], "int")
        sheet.formula(row, 2, f"SUMIF({names},{cell(row, 0)},{targets})", goal["weeks_target"], "number")
        sheet.number(row, 3, goal["month_target"], "number")
        gap = None if no_target else goal["weeks_target"] - goal["month_target"]
        sheet.formula(row, 4, f'IF({month_target}="","",{weeks_target}-{month_target})', gap, "number")
        short = f'IF({month_target}="","",IF({weeks_target}<{month_target},{quote(flag)},""))'
        sheet.formula(row, 5, short, None if no_target else (flag if goal["short"] else ""), "text")


def _goal_checks(book: Book, sheet: Sheet, goals: pd.DataFrame, head: int) -> None:
    """Each goal's SMART checks: ✓, ✗ (red) or — where it could not be told; beside them why each ✗."""
    sheet.text(head - 1, 0, book.label("report.titles.goal_lint"), "key", fit=False)
    checks = [book.label(f"values.goal_check.{check}") for check in GOAL_CHECKS]
    reasons_col = 2 + len(GOAL_CHECKS)
    sheet.header(
        head, [book.heading("form"), book.heading("goal"), *checks, book.label("values.goal_reason.reasons")]
    )
    sheet.at_least(reasons_col, book.width("goal_reasons"))
    sheet.keep_together(head - 1, head + len(goals))
    for row, goal in enumerate(records(goals), head + 1):
        sheet.text(row, reasons_col, _reasons_text(book, goal.get("reasons")) or None, "wrap", fit=False)
        sheet.text(row, 0, book.label(f"forms.{goal['form']}"))
        sheet.text(row, 1, goal["name"])
        for col, check in enumerate(GOAL_CHECKS, 2):
            passed = goal[check]
            passed = (
                None if passed is None or (isinstance(passed, float) and pd.isna(passed)) else bool(passed)
            )
            sheet.text(row, col, CHECK_MARKS[passed], "bad" if passed is False else "text")


def _reasons_text(book: Book, reasons: Any) -> str:
    """A goal's failed checks, one a line: "明确性:没有单位…"."""
    if not isinstance(reasons, list):
        return ""
    return "\n".join(
        f"{book.label(f'values.goal_check.{check}')}{book.label('ui.colon')}"
        f"{book.label(f'values.goal_reason.{code}', **params)}"
        for check, code, params in reasons
    )


def _target_actual(
    sheet: Sheet, row: int, target: Any, actual: Any, lower: bool, attainment: Any, kind: str = "number"
) -> None:
    """Target and actual in columns C:D, the attainment formula in E (target / actual if less is better)."""
    sheet.number(row, 2, target, kind)
    sheet.number(row, 3, actual, kind)
    target_cell, actual_cell = cell(row, 2), cell(row, 3)
    blank = f'OR({target_cell}="",{actual_cell}="",N({actual_cell if lower else target_cell})=0)'
    ratio = f"{target_cell}/{actual_cell}" if lower else f"{actual_cell}/{target_cell}"
    sheet.formula(row, 4, f'IF({blank},"",{ratio})', attainment, "percent")


def attainment_colours(book: Book, sheet: Sheet, first: int, last: int, col: int) -> None:
    """The colour rule (``formats.behind_below``): attainment green from 100 %, red under the behind line."""
    if last < first:
        return
    top = cell(first, col, False, True)
    behind = book.settings.get("formats.behind_below")
    for condition, look in ((f"{top}<{behind:g}", "bad"), (f"{top}>=1", "good")):
        sheet.ws.conditional_format(
            first,
            col,
            last,
            col,
            {"type": "formula", "criteria": f"=AND(ISNUMBER({top}),{condition})", "format": book.fmt[look]},
        )


# ---------------------------------------------------------------- calendar ---
def write_calendar(book: Book, cal: CalendarMonth) -> None:
    """The month's Mon–Sun grid: day numbers, and each day's events from every form."""
    sheet = book.add("calendar")
    year, month = cal["year"], cal["month"]
    sheet.title(book.label("report.titles.calendar", year=year, month=month))
    events: pd.DataFrame = cal["events"]
    row = 2
    key_events = _key_events(book, cal, events)
    sheet.text(row, 0, book.heading("key_events"), "key")
    sheet.ws.merge_range(row, 1, row, 6, "\n".join(key_events), book.fmt["wrap"])
    sheet.ws.set_row(row, KEY_LINE_HEIGHT * max(1, len(key_events)))
    header_row = row + 2
    for col, weekday in enumerate(WEEKDAYS):
        sheet.ws.write_string(header_row, col, book.label(f"values.weekday.{weekday}"), book.fmt["header"])
        sheet.widths[col] = book.width("calendar_day")
    row = _month_grid(book, sheet, events, year, month, header_row)
    if cal["notes"]:
        row += 2
        sheet.text(row, 0, book.heading("notes"), "key")
        sheet.ws.merge_range(row, 1, row, 6, "\n".join(cal["notes"]), book.fmt["wrap"])
    sheet.finish(header_row, 6, None, filter_=False)


def _key_events(book: Book, cal: CalendarMonth, events: pd.DataFrame) -> list[str]:
    """The month's key events, and the activities planned for the month without a date."""
    undated = events["date"].isna()
    if not undated.any():
        return list(cal["key_events"])
    activities = book.label("ui.list_sep").join(events.loc[undated, "text"].astype(str))
    return [*cal["key_events"], f"{book.heading('activity')}: {activities}"]


def _month_grid(book: Book, sheet: Sheet, events: pd.DataFrame, year: int, month: int, row: int) -> int:
    """Two rows a week: the day numbers, then each day's events (at most ``calendar.max_events_per_day``)."""
    per_day = {day: events.loc[events["date"] == day] for day in events["date"].dropna().unique()}
    cap = book.settings.get("calendar.max_events_per_day")
    for week in month_grid(year, month):
        row += 1
        for col, day in enumerate(week):
            if day is None:
                sheet.ws.write_blank(row, col, None, book.fmt["day_out"])
                sheet.ws.write_blank(row + 1, col, None, book.fmt["day_out"])
                continue
            sheet.ws.write_number(row, col, day.day, book.fmt["day"])
            sheet.text(row + 1, col, _day_text(book, per_day.get(day), cap) or None, "event", fit=False)
        busiest = max((len(per_day.get(day, [])) for day in week if day), default=0)
        sheet.ws.set_row(row + 1, EVENT_LINE_HEIGHT * max(2, min(cap + 1, busiest)))
        row += 1
    return row


def _day_text(book: Book, day_events: pd.DataFrame | None, cap: int) -> str:
    """A day's events, each marked with its form; past ``cap`` of them, how many more."""
    if day_events is None:
        return ""
    lines = [
        f"{book.label(f'report.source_mark.{source}')} {text}"
        for source, text in zip(day_events["source"], day_events["text"], strict=True)
    ]
    more = len(lines) - cap
    return "\n".join(lines[:cap] + ([book.label("report.more", count=more)] if more > 0 else []))
