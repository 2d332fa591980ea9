"""应收帐款 · 损益 · 活动: plan against actual in money, as live formulas with kamxl's values cached."""

from __future__ import annotations

import pandas as pd

from kamxl.write.xlsx.book import Book, cell, col_letter, is_blank, quote, records, rng

KeyCells = dict  # name -> (sheet, row, col, value, fmt)


def _month_label(book: Book, m: int) -> str:
    return book.label(f"values.month.{int(m)}")


def write_receivables(book: Book, rec, keys: KeyCells) -> None:
    sh = book.add("receivables")
    L = lambda k: book.label(f"report.cols.{k}")  # noqa: E731
    s = book.settings
    sh.title(
        book.label("report.titles.receivables"),
        book.label("report.notes.receivables", behind=f"{s.get('receivables.behind'):.0%}"),
    )
    rows, months = rec.rows, rec.months
    month_list = sorted(int(m) for m in months["month"].unique())
    m_star = rec.summary["last_month"] or 0
    plan_label, actual_label = L("plan"), L("actual")
    # row 2: m* (the last month with actuals) — a formula over the month table below
    helper, top, sub = 3, 4, 5
    first = sub + 1
    fixed = ["customer", "product", "owner", "total_owed"]
    mc0 = len(fixed)
    mcols = {m: mc0 + 2 * i for i, m in enumerate(month_list)}
    after = mc0 + 2 * len(month_list)
    extra = [
        "plan_total",
        "actual_total",
        "plan_to_date",
        "actual_to_date",
        "rate_to_date",
        "balance",
        "plan_coverage",
        "behind",
        "aging",
    ]
    has_aging = rec.aging is not None
    if not has_aging:
        extra = extra[:-1]
    X = {name: after + i for i, name in enumerate(extra)}
    for i, f in enumerate(fixed):
        sh.ws.merge_range(top, i, sub, i, L(f), book.fmt["header"])
        sh.fit(i, L(f))
    for m, c in mcols.items():
        sh.ws.merge_range(top, c, top, c + 1, _month_label(book, m), book.fmt["header"])
        sh.ws.write_string(sub, c, plan_label, book.fmt["header"])
        sh.ws.write_string(sub, c + 1, actual_label, book.fmt["header"])
        sh.ws.write_number(helper, c, m)
        sh.ws.write_number(helper, c + 1, m)
    for name, c in X.items():
        sh.ws.merge_range(top, c, sub, c, L(name), book.fmt["header"])
        sh.widths[c] = 13
    sh.ws.set_row(helper, None, None, {"hidden": True})
    c_first, c_last = mc0, after - 1
    months_abs = rng(helper, c_first, helper, c_last, True)
    meas_abs = rng(sub, c_first, sub, c_last, True)
    by_cell = months.set_index(["sheet", "row", "month"])
    n = len(rows)
    total_row = first + n
    mt_head = total_row + 3
    mt_first = mt_head + 1
    mt_last = mt_first + len(month_list) - 1
    mstar_cell = cell(2, 1, True, True)
    behind = s.get("receivables.behind")
    # plan and actual per row and month, looked up once as two arrays (rows × months)
    row_keys = pd.MultiIndex.from_arrays([rows["sheet"], rows["row"]])
    grid = {
        f: by_cell[f].unstack("month").reindex(index=row_keys, columns=month_list) for f in ("plan", "actual")
    }
    plans, actuals = grid["plan"].to_numpy(dtype=float), grid["actual"].to_numpy(dtype=float)
    # the sheet is mostly this table: written a column at a time, its formulas built from column letters once
    sh.text_column(first, 0, rows["customer"].tolist())
    sh.text_column(first, 1, rows["product"].tolist())
    sh.text_column(first, 2, rows["owner"].tolist())
    sh.number_column(first, 3, rows["total_owed"].tolist())
    for j, c in enumerate(mcols.values()):
        # a month without a figure (actuals after m*) is no cell at all: a rule below borders the empty ones
        sh.number_column(first, c, plans[:, j].tolist(), blanks=False)
        sh.number_column(first, c + 1, actuals[:, j].tolist(), blanks=False)
    sh.ws.conditional_format(
        first, c_first, first + max(n, 1) - 1, c_last, {"type": "blanks", "format": book.fmt["grid"]}
    )
    nums = [str(r + 1) for r in range(first, first + n)]  # Excel's row numbers
    A, Z, owed = col_letter(c_first), col_letter(c_last), col_letter(3)
    C = {name: col_letter(c) for name, c in X.items()}
    plan_q, actual_q, mstar = quote(plan_label), quote(actual_label), f'"<="&{mstar_cell}'
    sh.formula_column(
        first,
        X["plan_total"],
        [f"SUMIFS({A}{k}:{Z}{k},{meas_abs},{plan_q})" for k in nums],
        rows["plan"].tolist(),
    )
    sh.formula_column(
        first,
        X["actual_total"],
        [f"SUMIFS({A}{k}:{Z}{k},{meas_abs},{actual_q})" for k in nums],
        rows["actual"].tolist(),
    )
    sh.formula_column(
        first,
        X["plan_to_date"],
        [f"SUMIFS({A}{k}:{Z}{k},{meas_abs},{plan_q},{months_abs},{mstar})" for k in nums],
        rows["plan_to_date"].tolist(),
    )
    sh.formula_column(
        first,
        X["actual_to_date"],
        [f"SUMIFS({A}{k}:{Z}{k},{meas_abs},{actual_q},{months_abs},{mstar})" for k in nums],
        rows["actual_to_date"].tolist(),
    )
    ptd, atd = C["plan_to_date"], C["actual_to_date"]
    sh.formula_column(
        first,
        X["rate_to_date"],
        [f'IF({ptd}{k}=0,"",{atd}{k}/{ptd}{k})' for k in nums],
        rows["rate_to_date"].tolist(),
        "percent",
    )
    sh.formula_column(
        first,
        X["balance"],
        [f'IF({owed}{k}="","",{owed}{k}-{C["actual_total"]}{k})' for k in nums],
        rows["balance"].tolist(),
    )
    sh.formula_column(
        first,
        X["plan_coverage"],
        [f'IF(N({owed}{k})<=0,"",{C["plan_total"]}{k}/{owed}{k})' for k in nums],
        rows["plan_coverage"].tolist(),
        "percent",
    )
    flag = L("behind_flag")
    sh.formula_column(
        first,
        X["behind"],
        [f'IF(AND({ptd}{k}>0,{atd}{k}<{behind}*{ptd}{k}),{quote(flag)},"")' for k in nums],
        [flag if b else "" for b in rows["behind"].tolist()],
        "text",
    )
    if has_aging:
        sh.text_column(
            first,
            X["aging"],
            [None if is_blank(a) else book.label(f"values.aging.{a}") for a in rows["aging"].tolist()],
        )
    # totals
    sh.text(total_row, 0, book.label("ui.total"), "total_label")
    for c in (1, 2):
        sh.text(total_row, c, None, "total_label")
    summary = rec.summary
    col_sum = lambda c: f"SUM({rng(first, c, total_row - 1, c)})"  # noqa: E731
    sh.formula(total_row, 3, col_sum(3), summary["total_owed"], "total_money")
    bm = rec.by_month.set_index("month")
    for m, c in mcols.items():
        sh.formula(total_row, c, col_sum(c), bm.at[m, "plan"], "total_money")
        # a month with no figures yet (after m*) totals to blank, not 0: the month table and its chart show nothing collected yet
        actual_rng = rng(first, c + 1, total_row - 1, c + 1)
        sh.formula(
            total_row,
            c + 1,
            f'IF(COUNT({actual_rng})=0,"",SUM({actual_rng}))',
            bm.at[m, "actual"],
            "total_money",
        )
    for name, key in (
        ("plan_total", "plan"),
        ("actual_total", "actual"),
        ("plan_to_date", "plan_to_date"),
        ("actual_to_date", "actual_to_date"),
        ("balance", "balance"),
    ):
        sh.formula(total_row, X[name], col_sum(X[name]), summary[key], "total_money")
    ptd, atd = cell(total_row, X["plan_to_date"]), cell(total_row, X["actual_to_date"])
    sh.formula(
        total_row,
        X["rate_to_date"],
        f'IF({ptd}=0,"",{atd}/{ptd})',
        summary["collection_rate"],
        "total_percent",
    )
    owed = cell(total_row, 3)
    sh.formula(
        total_row,
        X["plan_coverage"],
        f'IF({owed}<=0,"",{cell(total_row, X["plan_total"])}/{owed})',
        summary["plan_coverage"],
        "total_percent",
    )
    sh.formula(
        total_row,
        X["behind"],
        f"COUNTIF({rng(first, X['behind'], total_row - 1, X['behind'])},{quote(L('behind_flag'))})",
        len(rows[rows["behind"]]),
        "total_number",
    )
    if has_aging:
        sh.text(total_row, X["aging"], None, "total_label")
    keys["receivables.total_owed"] = (sh.name, total_row, 3, summary["total_owed"], "money")
    keys["receivables.actual_to_date"] = (
        sh.name,
        total_row,
        X["actual_to_date"],
        summary["actual_to_date"],
        "money",
    )
    keys["receivables.collection_rate"] = (
        sh.name,
        total_row,
        X["rate_to_date"],
        summary["collection_rate"],
        "percent",
    )
    keys["receivables.balance"] = (sh.name, total_row, X["balance"], summary["balance"], "money")
    sh.ws.conditional_format(
        first,
        0,
        total_row - 1,
        X["behind"],
        {
            "type": "formula",
            "criteria": f'=${cell(first, X["behind"])[: -len(str(first + 1))]}{first + 1}<>""',
            "format": book.fmt["bad"],
        },
    )
    # m* and the month table
    sh.text(2, 0, L("last_month"), "key")
    actual_col = rng(mt_first, 2, mt_last, 2, True)
    sh.formula(
        2,
        1,
        f"SUMPRODUCT(MAX(ISNUMBER({actual_col})*({actual_col}<>0)*{rng(mt_first, 0, mt_last, 0, True)}))",
        m_star,
        "int",
    )
    sh.header(
        mt_head, [L(c) for c in ("month", "plan", "actual", "cum_plan", "cum_actual", "rate", "cum_rate")]
    )
    for i, m in enumerate(month_list):
        r = mt_first + i
        c = mcols[m]
        sh.number(r, 0, m, "int")
        sh.formula(r, 1, cell(total_row, c), bm.at[m, "plan"])
        sh.formula(r, 2, cell(total_row, c + 1), bm.at[m, "actual"])
        sh.formula(r, 3, f"SUM({cell(mt_first, 1, True, False)}:{cell(r, 1)})", bm.at[m, "cum_plan"])
        sh.formula(
            r,
            4,
            f'IF({cell(r, 0)}>{mstar_cell},"",SUM({cell(mt_first, 2, True, False)}:{cell(r, 2)}))',
            bm.at[m, "cum_actual"],
        )
        sh.formula(
            r,
            5,
            f'IF(OR({cell(r, 0)}>{mstar_cell},{cell(r, 1)}=0),"",{cell(r, 2)}/{cell(r, 1)})',
            bm.at[m, "rate"],
            "percent",
        )
        sh.formula(
            r,
            6,
            f'IF(OR({cell(r, 4)}="",{cell(r, 3)}=0),"",{cell(r, 4)}/{cell(r, 3)})',
            bm.at[m, "cum_rate"],
            "percent",
        )
    chart = book.wb.add_chart({"type": "column"})
    cats = [sh.name, mt_first, 0, mt_last, 0]
    chart.add_series(
        {
            "name": [sh.name, mt_head, 1],
            "categories": cats,
            "values": [sh.name, mt_first, 1, mt_last, 1],
            "fill": {"color": "#A9C4EB"},
        }
    )
    chart.add_series(
        {
            "name": [sh.name, mt_head, 2],
            "categories": cats,
            "values": [sh.name, mt_first, 2, mt_last, 2],
            "fill": {"color": "#2F5597"},
        }
    )
    line = book.wb.add_chart({"type": "line"})
    line.add_series(
        {
            "name": [sh.name, mt_head, 6],
            "categories": cats,
            "values": [sh.name, mt_first, 6, mt_last, 6],
            "y2_axis": True,
            "marker": {"type": "circle"},
            "line": {"color": "#C00000"},
        }
    )
    chart.combine(line)
    chart.set_title({"name": book.label("report.charts.receivables")})
    chart.set_x_axis({"name": L("month")})
    chart.set_y_axis(
        {"num_format": "#,##0", "major_gridlines": {"visible": True, "line": {"color": "#E0E0E0"}}}
    )
    line.set_y2_axis({"num_format": "0%", "min": 0})
    chart.set_legend({"position": "bottom"})
    sh.chart(mt_head, 8, chart, 720, 320)
    if has_aging:
        ar = mt_last + 2
        sh.header(ar, [L("aging"), L("balance")])
        aging_rng, bal_rng = (
            rng(first, X["aging"], total_row - 1, X["aging"], True),
            rng(first, X["balance"], total_row - 1, X["balance"], True),
        )
        for i, (bucket, value) in enumerate(rec.aging["balance"].items()):
            r = ar + 1 + i
            label = book.label(f"values.aging.{bucket}")
            sh.text(r, 0, label)
            sh.formula(r, 1, f"SUMIF({aging_rng},{cell(r, 0)},{bal_rng})", value)
    sh.ws.freeze_panes(first, 1)
    sh.finish(sub, max(X.values()), None, filter_=False, freeze_cols=1)
    sh.ws.autofilter(sub, 0, total_row - 1, max(X.values()))
    sh.ws.repeat_rows(top, sub)


def write_pnl(book: Book, pnl, keys: KeyCells) -> None:
    sh = book.add("pnl")
    L = lambda k: book.label(f"report.cols.{k}")  # noqa: E731
    sh.title(book.label("report.titles.pnl"), book.label("report.notes.pnl"))
    lines = pnl.lines
    order = [
        (g, line)
        for g in ("revenue", "expense")
        for line in dict.fromkeys(lines.loc[lines["group"] == g, "line"])
    ]
    months = pnl.months.set_index("month")
    top, sub = 3, 4
    first = sub + 1
    sh.ws.merge_range(top, 0, sub, 0, L("month"), book.fmt["header"])
    lc = {}
    for i, (g, line) in enumerate(order):
        c = 1 + 2 * i
        lc[(g, line)] = c
        sh.ws.merge_range(
            top, c, top, c + 1, f"{book.label(f'report.groups.{g}')} · {line}", book.fmt["header"]
        )
        sh.ws.write_string(sub, c, L("plan"), book.fmt["header"])
        sh.ws.write_string(sub, c + 1, L("actual"), book.fmt["header"])
        sh.widths[c] = sh.widths[c + 1] = 12
    base = 1 + 2 * len(order)
    names = [
        "revenue_plan",
        "revenue_actual",
        "expense_plan",
        "expense_actual",
        "profit_plan",
        "profit_actual",
        "revenue_variance",
        "revenue_variance_pct",
        "expense_variance",
        "expense_variance_pct",
        "profit_variance",
        "profit_variance_pct",
        "margin_plan",
        "margin_actual",
        "revenue_plan_ytd",
        "revenue_actual_ytd",
        "profit_plan_ytd",
        "profit_actual_ytd",
    ]
    X = {n: base + i for i, n in enumerate(names)}
    for n, c in X.items():
        sh.ws.merge_range(top, c, sub, c, L(f"pnl_{n}"), book.fmt["header"])
        sh.widths[c] = 12
    # (month, group, line) -> (plan, actual), looked up per cell
    cell_of: dict = {}
    for key, plan, actual in zip(
        zip(lines["month"], lines["group"], lines["line"]), lines["plan"], lines["actual"]
    ):
        cell_of.setdefault(key, (plan, actual))
    month_values = months.to_dict("index")
    month_list = list(months.index)
    total_row = first + len(month_list)
    pct = {n for n in names if "pct" in n or "margin" in n}
    for i, m in enumerate(month_list):
        r = first + i
        sh.text(r, 0, _month_label(book, m))
        for (g, line), c in lc.items():
            plan, actual = cell_of.get((m, g, line), (None, None))
            sh.number(r, c, plan)
            sh.number(r, c + 1, actual)
        plans = {
            g: ",".join(cell(r, c) for (gg, _), c in lc.items() if gg == g) for g in ("revenue", "expense")
        }
        acts = {
            g: ",".join(cell(r, c + 1) for (gg, _), c in lc.items() if gg == g)
            for g in ("revenue", "expense")
        }
        all_acts = ",".join(cell(r, c + 1) for c in lc.values())
        f = {
            "revenue_plan": f"SUM({plans['revenue'] or 0})",
            "expense_plan": f"SUM({plans['expense'] or 0})",
            "revenue_actual": f'IF(COUNT({all_acts})=0,"",SUM({acts["revenue"] or 0}))',
            "expense_actual": f'IF(COUNT({all_acts})=0,"",SUM({acts["expense"] or 0}))',
            "profit_plan": f"{cell(r, X['revenue_plan'])}-{cell(r, X['expense_plan'])}",
            "profit_actual": f'IF({cell(r, X["revenue_actual"])}="","",{cell(r, X["revenue_actual"])}-{cell(r, X["expense_actual"])})',
        }
        for g in ("revenue", "expense", "profit"):
            a, p, v = cell(r, X[f"{g}_actual"]), cell(r, X[f"{g}_plan"]), cell(r, X[f"{g}_variance"])
            f[f"{g}_variance"] = f'IF({a}="","",{a}-{p})'
            f[f"{g}_variance_pct"] = f'IF(OR({a}="",{p}=0),"",{v}/ABS({p}))'
        rp, ra = cell(r, X["revenue_plan"]), cell(r, X["revenue_actual"])
        f["margin_plan"] = f'IF({rp}=0,"",{cell(r, X["profit_plan"])}/{rp})'
        f["margin_actual"] = f'IF(OR({ra}="",N({ra})=0),"",{cell(r, X["profit_actual"])}/{ra})'
        for g in ("revenue", "profit"):
            pc, ac = X[f"{g}_plan"], X[f"{g}_actual"]
            f[f"{g}_plan_ytd"] = f"SUM({cell(first, pc, True, False)}:{cell(r, pc)})"
            f[f"{g}_actual_ytd"] = (
                f'IF({cell(r, ac)}="","",SUM({cell(first, ac, True, False)}:{cell(r, ac)}))'
            )
        for n in names:
            sh.formula(r, X[n], f[n], month_values[m][n], "percent" if n in pct else "money")
    summary = pnl.summary
    sh.text(total_row, 0, book.label("ui.total"), "total_label")
    for c in range(1, base):
        sh.formula(
            total_row, c, f"SUM({rng(first, c, total_row - 1, c)})", _line_total(pnl, order, c), "total_money"
        )
    for g in ("revenue", "expense", "profit"):
        for meas in ("plan", "actual"):
            c = X[f"{g}_{meas}"]
            sh.formula(
                total_row, c, f"SUM({rng(first, c, total_row - 1, c)})", summary[f"{g}_{meas}"], "total_money"
            )
        a, p, v = (
            cell(total_row, X[f"{g}_actual"]),
            cell(total_row, X[f"{g}_plan"]),
            cell(total_row, X[f"{g}_variance"]),
        )
        sh.formula(
            total_row,
            X[f"{g}_variance"],
            f"{a}-{p}",
            summary[f"{g}_actual"] - summary[f"{g}_plan"],
            "total_money",
        )
        var = summary[f"{g}_actual"] - summary[f"{g}_plan"]
        sh.formula(
            total_row,
            X[f"{g}_variance_pct"],
            f'IF({p}=0,"",{v}/ABS({p}))',
            var / abs(summary[f"{g}_plan"]) if summary[f"{g}_plan"] else None,
            "total_percent",
        )
    rp, ra = cell(total_row, X["revenue_plan"]), cell(total_row, X["revenue_actual"])
    sh.formula(
        total_row,
        X["margin_plan"],
        f'IF({rp}=0,"",{cell(total_row, X["profit_plan"])}/{rp})',
        summary["margin_plan"],
        "total_percent",
    )
    sh.formula(
        total_row,
        X["margin_actual"],
        f'IF({ra}=0,"",{cell(total_row, X["profit_actual"])}/{ra})',
        summary["profit_actual"] / summary["revenue_actual"] if summary["revenue_actual"] else None,
        "total_percent",
    )
    for n in ("revenue_plan_ytd", "revenue_actual_ytd", "profit_plan_ytd", "profit_actual_ytd"):
        sh.text(total_row, X[n], None, "total_label")
    for g, good_sign in (("revenue", ">"), ("expense", "<"), ("profit", ">")):
        for n in (f"{g}_variance", f"{g}_variance_pct"):
            c = X[n]
            ref_ = cell(first, c, False, True)
            bad_sign = "<" if good_sign == ">" else ">"
            sh.ws.conditional_format(
                first,
                c,
                total_row,
                c,
                {
                    "type": "formula",
                    "criteria": f"=AND(ISNUMBER({ref_}),{ref_}{good_sign}0)",
                    "format": book.fmt["good"],
                },
            )
            sh.ws.conditional_format(
                first,
                c,
                total_row,
                c,
                {
                    "type": "formula",
                    "criteria": f"=AND(ISNUMBER({ref_}),{ref_}{bad_sign}0)",
                    "format": book.fmt["bad"],
                },
            )
    keys["pnl.profit_plan"] = (sh.name, total_row, X["profit_plan"], summary["profit_plan"], "money")
    keys["pnl.profit_actual"] = (sh.name, total_row, X["profit_actual"], summary["profit_actual"], "money")
    keys["pnl.revenue_actual"] = (sh.name, total_row, X["revenue_actual"], summary["revenue_actual"], "money")
    chart = book.wb.add_chart({"type": "column"})
    cats = [sh.name, first, 0, total_row - 1, 0]
    for n, colour in (("profit_plan", "#A9C4EB"), ("profit_actual", "#2F5597")):
        chart.add_series(
            {
                "name": [sh.name, top, X[n]],
                "categories": cats,
                "values": [sh.name, first, X[n], total_row - 1, X[n]],
                "fill": {"color": colour},
            }
        )
    line = book.wb.add_chart({"type": "line"})
    line.add_series(
        {
            "name": [sh.name, top, X["margin_actual"]],
            "categories": cats,
            "values": [sh.name, first, X["margin_actual"], total_row - 1, X["margin_actual"]],
            "y2_axis": True,
            "marker": {"type": "circle"},
            "line": {"color": "#C00000"},
        }
    )
    chart.combine(line)
    line.set_y2_axis({"num_format": "0%"})
    chart.set_title({"name": book.label("report.charts.pnl")})
    chart.set_y_axis({"num_format": "#,##0"})
    chart.set_legend({"position": "bottom"})
    sh.chart(total_row + 2, 0, chart, 720, 320)
    sh.ws.freeze_panes(first, 1)
    sh.finish(sub, max(X.values()), None, filter_=False, freeze_cols=1)
    sh.ws.repeat_rows(top, sub)


def _line_total(pnl, order, c: int) -> float:
    """The 合计 of one line's plan (odd column) or actual (even column)."""
    g, line = order[(c - 1) // 2]
    part = pnl.lines[(pnl.lines["group"] == g) & (pnl.lines["line"] == line)]
    col = "plan" if (c - 1) % 2 == 0 else "actual"
    return float(pd.to_numeric(part[col], errors="coerce").sum())


def write_activities(book: Book, act, keys: KeyCells) -> None:
    sh = book.add("activities")
    L = lambda k: book.label(f"report.cols.{k}")  # noqa: E731
    sh.title(book.label("report.titles.activities"), book.label("report.notes.activities"))
    rows, spread = act.rows, act.months
    month_list = list(range(1, 13))
    r0 = 3
    sh.header(
        r0,
        [L("activity"), L("owner"), L("budget")]
        + [_month_label(book, m) for m in month_list]
        + [L("planned"), L("expected")],
    )
    mc = {m: 3 + i for i, m in enumerate(month_list)}
    tot_c, exp_c = 3 + len(month_list), 4 + len(month_list)
    amounts = spread.set_index(["row", "month"])["amount"]
    first = r0 + 1
    for i, row in enumerate(records(rows)):
        r = first + i
        sh.text(r, 0, row["activity"])
        sh.text(r, 1, row.get("owner"))
        sh.number(r, 2, row["budget"])
        for m, c in mc.items():
            key = (row["row"], m)
            if key in amounts.index:
                v = amounts.loc[key]
                v = float(v.iloc[0]) if isinstance(v, pd.Series) else float(v) if not is_blank(v) else 0.0
                sh.number(r, c, v, "mark")
            else:
                sh.number(r, c, None, "number")
        months_rng = rng(r, mc[1], r, mc[12])
        sh.formula(
            r, tot_c, f"IF(COUNT({months_rng})=0,N({cell(r, 2)}),SUM({months_rng}))", row["budget_used"]
        )
        sh.text(r, exp_c, row.get("expected"), fit=True)
        sh.widths[0] = max(sh.widths.get(0, 0), 18)
    total_row = first + len(rows)
    sh.text(total_row, 0, book.label("ui.total"), "total_label")
    sh.text(total_row, 1, None, "total_label")
    sh.formula(
        total_row, 2, f"SUM({rng(first, 2, total_row - 1, 2)})", float(rows["budget"].sum()), "total_money"
    )
    by_month = act.by_month.set_index("month")
    for m, c in mc.items():
        sh.formula(
            total_row,
            c,
            f"SUM({rng(first, c, total_row - 1, c)})",
            float(by_month["budget"].get(m, 0.0)),
            "total_money",
        )
    sh.formula(
        total_row,
        tot_c,
        f"SUM({rng(first, tot_c, total_row - 1, tot_c)})",
        act.summary["budget"],
        "total_money",
    )
    for m in month_list:
        sh.widths[mc[m]] = 9
    keys["activities.budget"] = (sh.name, total_row, tot_c, act.summary["budget"], "money")
    # budget by month against the P&L's 区域广告 plan
    br = total_row + 3
    sh.header(br, [L("month"), L("activities_budget"), L("advertising_plan"), L("headroom"), L("over")])
    tol = book.settings.get("activities.amount_tolerance")
    ad = act.summary.get("advertising_plan") or {}
    for i, m in enumerate(month_list):
        r = br + 1 + i
        budget = float(by_month["budget"].get(m, 0.0))
        plan = ad.get(m)
        sh.text(r, 0, _month_label(book, m))
        sh.formula(r, 1, cell(total_row, mc[m]), budget)
        sh.number(r, 2, plan)
        sh.formula(
            r, 3, f'IF({cell(r, 2)}="","",{cell(r, 2)}-{cell(r, 1)})', None if plan is None else plan - budget
        )
        flag = L("over_flag")
        over = plan is not None and budget > plan + tol
        sh.formula(
            r,
            4,
            f'IF({cell(r, 2)}="","",IF({cell(r, 1)}>{cell(r, 2)}+{tol},{quote(flag)},""))',
            flag if over else ("" if plan is not None else None),
            "text",
        )
    sh.ws.conditional_format(
        br + 1,
        0,
        br + 12,
        4,
        {"type": "formula", "criteria": f'=${cell(br + 1, 4)[0]}{br + 2}<>""', "format": book.fmt["bad"]},
    )
    chart = book.wb.add_chart({"type": "column"})
    cats = [sh.name, br + 1, 0, br + 12, 0]
    chart.add_series(
        {
            "name": [sh.name, br, 1],
            "categories": cats,
            "values": [sh.name, br + 1, 1, br + 12, 1],
            "fill": {"color": "#2F5597"},
        }
    )
    if ad:
        line = book.wb.add_chart({"type": "line"})
        line.add_series(
            {
                "name": [sh.name, br, 2],
                "categories": cats,
                "values": [sh.name, br + 1, 2, br + 12, 2],
                "line": {"color": "#C00000", "dash_type": "dash"},
            }
        )
        chart.combine(line)
    chart.set_title({"name": book.label("report.charts.activities")})
    chart.set_y_axis({"num_format": "#,##0"})
    chart.set_legend({"position": "bottom"})
    sh.chart(br, 6, chart, 620, 300)
    # by owner
    orow = br + 15
    sh.header(orow, [L("owner"), L("planned"), L("count")])
    owner_rng, tot_rng = rng(first, 1, total_row - 1, 1, True), rng(first, tot_c, total_row - 1, tot_c, True)
    for i, o in enumerate(act.summary["by_owner"]):
        r = orow + 1 + i
        if o["owner"] is None:
            sh.text(r, 0, L("no_owner"))
            sh.formula(r, 1, f'SUMIF({owner_rng},"",{tot_rng})', o["budget"])
            sh.formula(r, 2, f"COUNTBLANK({owner_rng})", o["activities"], "int")
        else:
            sh.text(r, 0, o["owner"])
            sh.formula(r, 1, f"SUMIF({owner_rng},{cell(r, 0)},{tot_rng})", o["budget"])
            sh.formula(r, 2, f"COUNTIF({owner_rng},{cell(r, 0)})", o["activities"], "int")
    sh.finish(r0, exp_c, total_row - 1, freeze_cols=1)
