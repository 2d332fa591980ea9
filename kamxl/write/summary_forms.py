"""The summary's section on competitors, SWOT, targets and the plan review, as HTML or Markdown.

Kept apart from the summary's templates so that a workbook without these
forms gets the summary it always had; with them, the section goes in before
the issues: who contests which customer, the 4P1S comparison, the SWOT 2×2
with its action directions, the targets against actuals, and the review's
attainment with its 特别纪要 carried over as written.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from kamxl.calc.numbers import fmt
from kamxl.calc.plan_forms import DIMENSIONS, Targets, targets_add_up
from kamxl.config import Settings
from kamxl.results import Results

Table = tuple[list[str], list[list[str]]]  # header, rows
SWOT_PAIRS = (("strengths", "weaknesses"), ("opportunities", "threats"))
STRATEGY_PAIRS = (("so", "wo"), ("st", "wt"))
HTML_MARK = '<section id="issues">'
MD_MARK = "## 9. "
SECTION_KEY = "plan_forms"  # the section's anchor, and its entry in the summary's contents
# The issues heading's number, which moves down one when the section goes in before it
_HTML_NUMBER = re.compile(r'(<section id="issues">\s*<h2>)(\d+)(\. )')


def _pct(value: Any) -> str:
    return "—" if value is None or value != value else f"{float(value):.1%}"


def _text(value: Any) -> str:
    return "" if value is None or value != value else str(value)


def _money(value: Any) -> str:
    return "—" if value is None or value != value else fmt(value, 0)


def _number(value: Any) -> str:
    return "—" if value is None or value != value else fmt(value)


def _parts(
    results: Results, settings: Settings, contested_shown: bool = False
) -> list[tuple[str, list[str], list[Table]]]:
    """(heading, paragraphs, tables) for each of the four forms the workbook had (the contested customers
    only where the 客户策略 section does not already show them)."""
    label = settings.label
    parts: list[tuple[str, list[str], list[Table]]] = []
    if results.competition is not None:
        found = results.competition
        names = [str(name) for name in found.comparison.columns]
        comparison = [
            [label(f"headers.competitors.{d}")] + [_text(found.comparison.loc[d, n]) for n in names]
            for d in DIMENSIONS
        ]
        moves = [_text(value) for value in found.rows["moves"]] if "moves" in found.rows else []
        if any(moves):  # each competitor's moves once here; per customer, only the moves naming it
            comparison.append([label("headers.competitors.moves"), *moves])
        columns = ["customer", "competitor", "moves"] + (
            ["priority"] if "priority" in found.per_customer else []
        )
        customers = [[_text(row[name]) for name in columns] for row in found.per_customer.to_dict("records")]
        head = [label("plan_forms.customer"), label("headers.competitors.competitor")]
        head += [label("headers.competitors.moves")] + [label("plan_forms.priority")] * (len(columns) - 3)
        tables = [([label("plan_forms.dimension"), *names], comparison)]
        tables += [(head, customers)] if customers and not contested_shown else []
        parts.append((label("plan_forms.competitors_title"), [], tables))
    if results.swot is not None:
        parts.append((label("plan_forms.swot_title"), *_swot(results.swot, settings)))
    if results.targets is not None:
        parts.append((label("plan_forms.targets_title"), *_targets(results, settings)))
    if results.review is not None:
        parts.append((label("plan_forms.review_title"), *_review(results, settings)))
    return parts


def _swot(parts: dict[str, list[str]], settings: Settings) -> tuple[list[str], list[Table]]:
    """The 2×2 as a two-column table; the action directions as paragraphs under it."""
    rows = []
    for left, right in SWOT_PAIRS:
        rows.append([settings.label(f"headers.swot.{left}"), settings.label(f"headers.swot.{right}")])
        rows.append(["; ".join(parts[left]), "; ".join(parts[right])])
    actions = [f"{settings.label('headers.swot.actions')}: " + "; ".join(parts["actions"])]
    tables: list[Table] = [(["", ""], rows)]
    if "so" in parts:  # the strategy matrix, under the 2×2
        matrix = []
        for left, right in STRATEGY_PAIRS:
            matrix.append([settings.label(f"headers.swot.{left}"), settings.label(f"headers.swot.{right}")])
            matrix.append(["; ".join(parts[left]), "; ".join(parts[right])])
        tables.append(([settings.label("plan_forms.strategies_title"), ""], matrix))
    return (actions if parts["actions"] else []), tables


def total_label(targets: Targets, label: Callable[..., str]) -> str:
    """The targets' total named by the period the form covers: 全年目标 only for a whole year.

    A form of the first quarter is often headed 全年目标 over its three months; its total is the
    quarter's (第1季度目标), and months that are no quarter or half are named first to last.
    """
    kind, number = targets.period
    if kind == "quarter":
        return label("plan_forms.total_quarter", number=number)
    if kind == "half":
        return label(f"plan_forms.total_half{number}")
    if kind == "months" and targets.months:
        first, last = min(targets.months), max(targets.months)
        months = {"first": label(f"values.month.{first}"), "last": label(f"values.month.{last}")}
        return label("plan_forms.total_months", **months)
    return label(f"plan_forms.total_{kind if kind in ('year', 'none') else 'none'}")


def _targets(results: Results, settings: Settings) -> tuple[list[str], list[Table]]:
    targets = results.targets
    assert targets is not None
    label = settings.label
    text = [f"{total_label(targets, label)}: {_money(targets.total)}"]
    adds_up = targets_add_up(targets, settings)
    if (
        adds_up is False
    ):  # the 合计 row beside the pieces only when they disagree; else one word that they agree
        text[0] += f" ({label('plan_forms.written_total')}: {_money(targets.written_total)})"
    elif adds_up:
        text.append(label("plan_forms.targets_add_up"))
    text.append(f"{label('plan_forms.actual_source')}: {label(f'plan_forms.source_{targets.source}')}")
    head = [label(f"plan_forms.{key}") for key in ("month", "plan", "actual", "attainment")]
    rows = [
        [
            label(f"values.month.{int(m['month'])}"),
            _money(m["plan"]),
            _money(m["actual"]),
            _pct(m["attainment"]),
        ]
        for _, m in targets.by_month.iterrows()
    ]
    tables: list[Table] = [(head, rows)]
    customers = targets.by_customer
    if len(customers):  # a row naming a receivables customer: its collections
        keys = ("customer", "month", "plan", "collected", "attainment")
        tables.append(
            (
                [label(f"plan_forms.{key}") for key in keys],
                [
                    [
                        _text(c["customer"]),
                        label(f"values.month.{int(c['month'])}"),
                        _money(c["plan"]),
                        _money(c["collected"]),
                        _pct(c["attainment"]),
                    ]
                    for c in customers.to_dict("records")
                ],
            )
        )
    return text, tables


def _review(results: Results, settings: Settings) -> tuple[list[str], list[Table]]:
    review = results.review
    assert review is not None
    label = settings.label
    line = f"{settings.get('forms.review.behind_below'):.0%}"
    text = [label("plan_forms.behind", behind=review.behind, total=review.counted, line=line)]
    for kind in ("notes", "next_focus"):
        if review.notes[kind]:
            text.append(f"{label(f'plan_forms.{kind}_title')}: " + "; ".join(review.notes[kind]))
    head = [label(f"headers.review.{key}") for key in ("indicator", "target", "actual")]
    head.append(label("plan_forms.attainment"))
    rows = [
        [_text(r["indicator"]), _number(r["target"]), _number(r["actual"]), _pct(r["attainment"])]
        for r in review.rows.to_dict("records")
    ]
    return text, [(head, rows)]


def _html(heading: str, parts: list[tuple[str, list[str], list[Table]]]) -> str:
    out = [f'<section id="plan_forms">\n<h2>{html.escape(heading)}</h2>']
    for title, paragraphs, tables in parts:
        out.append(f"<h3>{html.escape(title)}</h3>")
        out += [f"<p>{html.escape(text)}</p>" for text in paragraphs]
        out += [_html_table(head, rows) for head, rows in tables]
    return "\n".join(out) + "\n</section>\n\n"


def _html_table(head: list[str], rows: list[list[str]]) -> str:
    cells = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f'<td class="wrap">{html.escape(c)}</td>' for c in row) + "</tr>" for row in rows
    )
    return f'<div class="scroll"><table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table></div>'


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _markdown(heading: str, parts: list[tuple[str, list[str], list[Table]]]) -> str:
    out = [f"## {heading}", ""]
    for title, paragraphs, tables in parts:
        out += [f"### {title}", ""]
        out += [line for text in paragraphs for line in (_md_cell(text), "")]
        for head, rows in tables:
            out += [*_md_table(head, rows), ""]
    return "\n".join(out) + "\n"


def _md_table(head: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(_md_cell(h) or " " for h in head) + " |", "|" + "---|" * len(head)]
    return out + ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]


def forms_section(
    results: Results, settings: Settings, kind: str, number: int | None = None, contested_shown: bool = False
) -> str:
    """The section as ``kind`` ("html" or "md"), numbered ``number`` like its neighbours; "" when the
    workbook has none of the four forms."""
    parts = _parts(results, settings, contested_shown)
    if not parts:
        return ""
    heading = settings.label("plan_forms.summary_section")
    heading = heading if number is None else f"{number}. {heading}"
    return _html(heading, parts) if kind == "html" else _markdown(heading, parts)


def forms_nav(sections: list[tuple[str, str]], results: Results, settings: Settings) -> list[tuple[str, str]]:
    """The summary's contents with this section listed where it goes (before the issues), when it is there."""
    if not _parts(results, settings):
        return sections
    entry = (SECTION_KEY, settings.label("plan_forms.summary_section"))
    keys = [key for key, _ in sections]
    at = keys.index("issues") if "issues" in keys else len(sections)
    return [*sections[:at], entry, *sections[at:]]


def with_forms_section(text: str, results: Results, settings: Settings, kind: str) -> str:
    """The rendered summary with the contested customers in its 客户策略 and the section before its issues
    (taking the issues' number, which moves down one; at the end if a template has no issues section)."""
    shown = with_contested(text, results, settings, kind)
    contested_shown, text = shown != text, shown
    issues = settings.label("summary.sections.issues")
    pattern = _HTML_NUMBER if kind == "html" else re.compile(rf"^(## )(\d+)(\. {re.escape(issues)})", re.M)
    found = pattern.search(text)
    if found is None:
        mark = HTML_MARK if kind == "html" else MD_MARK
        at = text.find(mark)
        section = forms_section(results, settings, kind, contested_shown=contested_shown)
        return text + section if at < 0 else text[:at] + section + text[at:]
    number = int(found.group(2))
    section = forms_section(results, settings, kind, number, contested_shown)
    if not section:
        return text
    renumbered = f"{found.group(1)}{number + 1}{found.group(3)}"
    return text[: found.start()] + section + renumbered + text[found.end() :]


# ------------------------------------------------- contested customers ---
def contested_rows(results: Results, settings: Settings) -> list[list[str]]:
    """Each customer a competitor contests (the 竞争对手信息表's 争夺客户): its priority where the customer
    assessment names it, the competitor and its recent moves; P1 customers first."""
    if results.competition is None or results.competition.per_customer.empty:
        return []
    found = results.competition.per_customer
    if "priority" in found:
        found = found.assign(order=found["priority"].fillna("P9")).sort_values(
            ["order", "customer"], kind="stable"
        )
    return [
        [_text(row["customer"]), _text(row.get("priority")), _text(row["competitor"]), _text(row["moves"])]
        for row in found.to_dict("records")
    ]


def with_contested(text: str, results: Results, settings: Settings, kind: str) -> str:
    """The summary with its 客户策略 section closed by the contested customers (unchanged when none are)."""
    rows = contested_rows(results, settings)
    if not rows:
        return text
    label = settings.label
    head = [label("plan_forms.customer"), label("plan_forms.priority")]
    head += [label("headers.competitors.competitor"), label("headers.competitors.moves")]
    title = label("plan_forms.contested_title")
    if kind == "html":
        start = text.find('<section id="strategy">')
        end = text.find("</section>", start)
        if start < 0 or end < 0:
            return text
        block = f"<h3>{html.escape(title)}</h3>\n" + _html_table(head, rows) + "\n"
        return text[:end] + block + text[end:]
    strategy = label("summary.sections.strategy")
    found = re.search(rf"^## \d+\. {re.escape(strategy)}$", text, re.M)
    if found is None:
        return text
    end = text.find("\n## ", found.end())
    end = len(text) if end < 0 else end + 1
    block = "\n".join([f"**{_md_cell(title)}**", "", *_md_table(head, rows), "", ""])
    return text[:end] + block + text[end:]
