"""时间 · 计划 · 日历: where the time goes, how the plans are doing, and the month on one page."""

from __future__ import annotations

import pandas as pd

from kamxl.calc.calendar import month_grid
from kamxl.calc.time import QUADRANTS
from kamxl.write.xlsx.book import Book, cell, column_of, is_blank, quote, records, rng


def write_time(book: Book, todo: pd.DataFrame | None, time, groups: pd.DataFrame | None, keys: dict) -> None:
    sh = book.add("time")
    L = lambda k: book.label(f"report.cols.{k}")  # noqa: E731
    sh.title(book.label("report.titles.time"), book.label("report.notes.time"))
    r = 3
    if time is not None and todo is not None:
        quadrants, summary = time
        q = quadrants.set_index("quadrant")
        # the to-do list itself, so hours per quadrant are SUMIFs a reviewer can follow
        lr = r + 8
        sh.header(lr, [L(c) for c in ("date", "quadrant", "task", "related", "hours", "done")])
        first = lr + 1
        sh.date_column(first, 0, todo["date"].tolist())
        sh.text_column(first, 1, todo["category"].tolist())
        sh.text_column(first, 2, todo["task"].tolist())
        sh.text_column(first, 3, column_of(todo, "related"))
        sh.number_column(first, 4, todo["hours"].tolist(), "number")
        sh.number_column(first, 5, todo["status"].tolist(), "percent")
        last = max(first + len(todo) - 1, first)
        cat, hrs, done = (rng(first, c, last, c, True) for c in (1, 4, 5))
        sh.header(r, [L(c) for c in ("quadrant", "quadrant_label", "tasks", "hours", "share", "completion")])
        total = r + 5
        for i, code in enumerate(QUADRANTS):
            rr = r + 1 + i
            sh.text(rr, 0, code)
            sh.text(rr, 1, book.label(f"values.quadrant.{code}"))
            sh.formula(rr, 2, f"COUNTIF({cat},{quote(code)})", int(q.at[code, "tasks"]), "int")
            sh.formula(rr, 3, f"SUMIF({cat},{quote(code)},{hrs})", float(q.at[code, "hours"]), "number")
            sh.formula(
                rr,
                4,
                f'IF({cell(total, 3)}=0,"",{cell(rr, 3)}/{cell(total, 3)})',
                q.at[code, "share"],
                "percent",
            )
            sh.formula(
                rr,
                5,
                f'IF(COUNTIFS({cat},{quote(code)},{done},"<>")=0,"",AVERAGEIF({cat},{quote(code)},{done}))',
                q.at[code, "done"],
                "percent",
            )
        sh.text(total, 0, book.label("ui.total"), "total_label")
        sh.text(total, 1, None, "total_label")
        sh.formula(total, 2, f"SUM({rng(r + 1, 2, r + 4, 2)})", summary["tasks"], "total_number")
        sh.formula(total, 3, f"SUM({rng(r + 1, 3, r + 4, 3)})", summary["hours"], "total_number")
        sh.formula(
            total, 4, f'IF({cell(total, 3)}=0,"",1)', 1.0 if summary["hours"] else None, "total_percent"
        )
        sh.formula(
            total, 5, f'IF(COUNT({done})=0,"",AVERAGE({done}))', summary["completion_rate"], "total_percent"
        )
        sh.text(total + 1, 0, L("m2_share"), "key")
        sh.formula(total + 1, 3, cell(r + 2, 4), summary["m2_share"], "percent")
        keys["time.m2_share"] = (sh.name, r + 2, 4, summary["m2_share"], "percent")
        keys["time.completion"] = (sh.name, total, 5, summary["completion_rate"], "percent")
        chart = book.wb.add_chart({"type": "doughnut"})
        chart.add_series(
            {
                "name": L("hours"),
                "categories": [sh.name, r + 1, 1, r + 4, 1],
                "values": [sh.name, r + 1, 3, r + 4, 3],
                "data_labels": {"percentage": True},
                "points": [{"fill": {"color": c}} for c in ("#C00000", "#2E7D32", "#EF6C00", "#A6A6A6")],
            }
        )
        chart.set_title({"name": book.label("report.charts.time")})
        sh.chart(r, 8, chart, 420, 280)
        r = last + 3
        sh.finish(lr, 5, last, freeze_cols=0)
    if groups is not None:
        g0 = r
        sh.text(
            g0 - 1,
            0,
            book.label(
                "report.titles.guideline", source=book.label(f"forms.{groups.attrs.get('source', 'worklog')}")
            ),
            "key",
        )
        sh.header(
            g0,
            [
                L(c)
                for c in (
                    "group",
                    "customers",
                    "customer_share",
                    "guideline_customers",
                    "hours",
                    "time_share",
                    "guideline_time",
                    "time_gap",
                )
            ],
        )
        total = g0 + 1 + len(groups)
        for i, g in enumerate(records(groups)):
            rr = g0 + 1 + i
            sh.text(rr, 0, book.label(f"values.group.{g['group']}"))
            sh.number(rr, 1, g["customers"], "int")
            sh.formula(
                rr,
                2,
                f'IF({cell(total, 1)}=0,"",{cell(rr, 1)}/{cell(total, 1)})',
                g["customer_share"],
                "percent",
            )
            sh.number(rr, 3, g["guideline_customers"], "percent")
            sh.number(rr, 4, g["hours"], "number")
            sh.formula(
                rr, 5, f'IF({cell(total, 4)}=0,"",{cell(rr, 4)}/{cell(total, 4)})', g["time_share"], "percent"
            )
            sh.number(rr, 6, g["guideline_time"], "percent")
            sh.formula(
                rr, 7, f'IF({cell(rr, 5)}="","",{cell(rr, 5)}-{cell(rr, 6)})', g["time_gap"], "percent"
            )
        sh.text(total, 0, book.label("ui.total"), "total_label")
        sh.formula(
            total, 1, f"SUM({rng(g0 + 1, 1, total - 1, 1)})", int(groups["customers"].sum()), "total_number"
        )
        sh.formula(
            total, 4, f"SUM({rng(g0 + 1, 4, total - 1, 4)})", float(groups["hours"].sum()), "total_number"
        )
        chart = book.wb.add_chart({"type": "column"})
        cats = [sh.name, g0 + 1, 0, total - 1, 0]
        chart.add_series(
            {
                "name": [sh.name, g0, 5],
                "categories": cats,
                "values": [sh.name, g0 + 1, 5, total - 1, 5],
                "fill": {"color": "#2F5597"},
            }
        )
        chart.add_series(
            {
                "name": [sh.name, g0, 6],
                "categories": cats,
                "values": [sh.name, g0 + 1, 6, total - 1, 6],
                "fill": {"color": "#BFBFBF"},
            }
        )
        chart.set_title({"name": book.label("report.charts.guideline")})
        chart.set_y_axis({"num_format": "0%", "max": 1})
        chart.set_legend({"position": "bottom"})
        sh.chart(g0, 9, chart, 420, 260)
        if time is None:
            sh.finish(g0, 7, None, filter_=False)


def write_plans(book: Book, results) -> None:
    sh = book.add("plans")
    L = lambda k: book.label(f"report.cols.{k}")  # noqa: E731
    sh.title(book.label("report.titles.plans"))
    r = 3
    header_row = None
    if results.monthly is not None:
        m = results.monthly
        sh.text(r - 1, 0, book.label("forms.monthly"), "key")
        sh.header(
            r,
            [
                L(c)
                for c in ("indicator", "category", "target", "actual", "attainment", "owner", "last_actual")
            ],
        )
        header_row = r
        for i, x in enumerate(records(m)):
            rr = r + 1 + i
            sh.text(rr, 0, x["indicator"])
            sh.text(
                rr,
                1,
                book.label(f"values.indicator_class.{x['category']}")
                if not is_blank(x["category"])
                else None,
            )
            _target_actual(sh, rr, x["target"], x["actual"], x["lower_is_better"], x["attainment"])
            sh.text(rr, 5, x["owner"])
            sh.number(rr, 6, x["last_actual"], "number")
        _attainment_colours(book, sh, r + 1, r + len(m), 4)
        r = r + len(m) + 3
    if results.weekly is not None:
        rows, goals = results.weekly
        sh.text(r - 1, 0, book.label("forms.weekly"), "key")
        sh.header(
            r,
            [
                L(c)
                for c in ("week", "goal", "weekly_target", "actual", "attainment", "monthly_item", "owner")
            ],
        )
        header_row = header_row if header_row is not None else r
        first = r + 1
        for i, x in enumerate(records(rows)):
            rr = first + i
            sh.number(rr, 0, x["week"], "int")
            sh.text(rr, 1, x["goal"])
            _target_actual(sh, rr, x["weekly_target"], x["actual"], x["lower_is_better"], x["attainment"])
            sh.text(rr, 5, x["monthly_item"])
            sh.text(rr, 6, x["owner"])
        last = first + len(rows) - 1
        _attainment_colours(book, sh, first, last, 4)
        gr = last + 3
        sh.text(gr - 1, 0, book.label("report.titles.weeks_add_up"), "key")
        sh.header(gr, [L(c) for c in ("goal", "weeks", "weeks_target", "month_target", "gap", "short")])
        goal_rng, tgt_rng = rng(first, 1, last, 1, True), rng(first, 2, last, 2, True)
        for i, g in enumerate(records(goals)):
            rr = gr + 1 + i
            sh.text(rr, 0, g["goal"])
            sh.number(rr, 1, g["weeks"], "int")
            sh.formula(rr, 2, f"SUMIF({goal_rng},{cell(rr, 0)},{tgt_rng})", g["weeks_target"], "number")
            sh.number(rr, 3, g["month_target"], "number")
            sh.formula(
                rr,
                4,
                f'IF({cell(rr, 3)}="","",{cell(rr, 2)}-{cell(rr, 3)})',
                None if is_blank(g["month_target"]) else g["weeks_target"] - g["month_target"],
                "number",
            )
            flag = L("short_flag")
            sh.formula(
                rr,
                5,
                f'IF({cell(rr, 3)}="","",IF({cell(rr, 2)}<{cell(rr, 3)},{quote(flag)},""))',
                None if is_blank(g["month_target"]) else (flag if g["short"] else ""),
                "text",
            )
        r = gr + len(goals) + 3
    if results.goals is not None and len(results.goals):
        sh.text(r - 1, 0, book.label("report.titles.goal_lint"), "key")
        checks = ("specific", "measurable", "individual", "realistic")
        sh.header(r, [L("form"), L("goal")] + [book.label(f"values.goal_check.{c}") for c in checks])
        mark = {True: "✓", False: "✗", None: "—"}
        for i, g in enumerate(records(results.goals)):
            rr = r + 1 + i
            sh.text(rr, 0, book.label(f"forms.{g['form']}"))
            sh.text(rr, 1, g["name"])
            for j, c in enumerate(checks):
                v = g[c]
                v = None if v is None or (isinstance(v, float) and pd.isna(v)) else bool(v)
                sh.text(rr, 2 + j, mark[v], "bad" if v is False else "text")
    sh.finish(header_row, 6, None, filter_=False)


def _target_actual(sh, r: int, target, actual, lower: bool, attainment) -> None:
    """Target and actual in columns C:D and the attainment formula in E (target / actual where less is better)."""
    sh.number(r, 2, target, "number")
    sh.number(r, 3, actual, "number")
    t, a = cell(r, 2), cell(r, 3)
    f = (
        f'IF(OR({t}="",{a}="",N({a})=0),"",{t}/{a})'
        if lower
        else f'IF(OR({t}="",{a}="",N({t})=0),"",{a}/{t})'
    )
    sh.formula(r, 4, f, attainment, "percent")


def _attainment_colours(book: Book, sh, first: int, last: int, col: int) -> None:
    if last < first:
        return
    ref_ = cell(first, col, False, True)
    sh.ws.conditional_format(
        first,
        col,
        last,
        col,
        {"type": "formula", "criteria": f"=AND(ISNUMBER({ref_}),{ref_}<1)", "format": book.fmt["bad"]},
    )
    sh.ws.conditional_format(
        first,
        col,
        last,
        col,
        {"type": "formula", "criteria": f"=AND(ISNUMBER({ref_}),{ref_}>=1)", "format": book.fmt["good"]},
    )


def write_calendar(book: Book, cal: dict) -> None:
    """The month's Mon–Sun grid: day numbers, and each day's events from every form."""
    sh = book.add("calendar")
    year, month = cal["year"], cal["month"]
    sh.title(book.label("report.titles.calendar", year=year, month=month))
    events: pd.DataFrame = cal["events"]
    r = 2
    key = (
        cal["key_events"]
        + [
            book.label("report.cols.activity")
            + ": "
            + "、".join(events.loc[events["date"].isna(), "text"].astype(str))
        ]
        if (events["date"].isna()).any()
        else list(cal["key_events"])
    )
    sh.text(r, 0, book.label("report.cols.key_events"), "key")
    sh.ws.merge_range(r, 1, r, 6, "\n".join(key), book.fmt["wrap"])
    sh.ws.set_row(r, 15 * max(1, len(key)))
    r += 2
    for i, wd in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun")):
        sh.ws.write_string(r, i, book.label(f"values.weekday.{wd}"), book.fmt["header"])
        sh.widths[i] = 22
    header_row = r
    per_day = {d: events.loc[events["date"] == d] for d in events["date"].dropna().unique()}
    cap = book.settings.get("calendar.max_events_per_day")
    for week in month_grid(year, month):
        r += 1
        for i, d in enumerate(week):
            if d is None:
                sh.ws.write_blank(r, i, None, book.fmt["day_out"])
                sh.ws.write_blank(r + 1, i, None, book.fmt["day_out"])
                continue
            sh.ws.write_number(r, i, d.day, book.fmt["day"])
            day_events = per_day.get(d)
            lines = (
                []
                if day_events is None
                else [
                    f"{book.label(f'report.source_mark.{s}')} {t}"
                    for s, t in zip(day_events["source"], day_events["text"])
                ]
            )
            more = len(lines) - cap
            text = "\n".join(lines[:cap] + ([book.label("report.more", count=more)] if more > 0 else []))
            sh.text(r + 1, i, text or None, "event", fit=False)
        sh.ws.set_row(
            r + 1, 14 * max(2, min(cap + 1, max((len(per_day.get(d, [])) for d in week if d), default=0)))
        )
        r += 1
    if cal["notes"]:
        r += 2
        sh.text(r, 0, book.label("report.cols.notes"), "key")
        sh.ws.merge_range(r, 1, r, 6, "\n".join(cal["notes"]), book.fmt["wrap"])
    sh.finish(header_row, 6, None, filter_=False)
