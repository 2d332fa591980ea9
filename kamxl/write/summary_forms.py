"""The summary's section on competitors, SWOT, targets and the plan review, as HTML or Markdown.

Kept apart from the summary's templates so that a workbook without these
forms gets the summary it always had; with them, the section goes in before
the issues: who contests which customer, the 4P1S comparison, the SWOT 2×2
with its action directions, the targets against actuals, and the review's
attainment with its 特别纪要 carried over as written.
"""

from __future__ import annotations

import html
from typing import Any

from kamxl.calc.numbers import fmt
from kamxl.calc.plan_forms import DIMENSIONS
from kamxl.config import Settings
from kamxl.results import Results

Table = tuple[list[str], list[list[str]]]  # header, rows
SWOT_PAIRS = (("strengths", "weaknesses"), ("opportunities", "threats"))
HTML_MARK = '<section id="issues">'
MD_MARK = "## 9. "


def _pct(value: Any) -> str:
    return "—" if value is None or value != value else f"{float(value):.1%}"


def _text(value: Any) -> str:
    return "" if value is None or value != value else str(value)


def _money(value: Any) -> str:
    return "—" if value is None or value != value else fmt(value, 0)


def _number(value: Any) -> str:
    return "—" if value is None or value != value else fmt(value)


def _parts(results: Results, settings: Settings) -> list[tuple[str, list[str], list[Table]]]:
    """(heading, paragraphs, tables) for each of the four forms the workbook had."""
    label = settings.label
    parts: list[tuple[str, list[str], list[Table]]] = []
    if results.competition is not None:
        found = results.competition
        names = [str(name) for name in found.comparison.columns]
        comparison = [
            [label(f"headers.competitors.{d}")] + [_text(found.comparison.loc[d, n]) for n in names]
            for d in DIMENSIONS
        ]
        columns = ["customer", "competitor", "moves"] + (
            ["priority"] if "priority" in found.per_customer else []
        )
        customers = [[_text(row[name]) for name in columns] for row in found.per_customer.to_dict("records")]
        head = [label("plan_forms.customer"), label("headers.competitors.competitor")]
        head += [label("headers.competitors.moves")] + [label("plan_forms.priority")] * (len(columns) - 3)
        tables = [([label("plan_forms.dimension"), *names], comparison)]
        tables += [(head, customers)] if customers else []
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
    return (actions if parts["actions"] else []), [(["", ""], rows)]


def _targets(results: Results, settings: Settings) -> tuple[list[str], list[Table]]:
    targets = results.targets
    assert targets is not None
    label = settings.label
    text = [f"{label('headers.targets.total')}: {_money(targets.total)}"]
    text[0] += f" ({label('plan_forms.written_total')}: {_money(targets.written_total)})"
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
    return text, [(head, rows)]


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
        for head, rows in tables:
            cells = "".join(f"<th>{html.escape(h)}</th>" for h in head)
            body = "".join(
                "<tr>" + "".join(f'<td class="wrap">{html.escape(c)}</td>' for c in row) + "</tr>"
                for row in rows
            )
            table = f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>"
            out.append(f'<div class="scroll">{table}</div>')
    return "\n".join(out) + "\n</section>\n\n"


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _markdown(heading: str, parts: list[tuple[str, list[str], list[Table]]]) -> str:
    out = [f"## {heading}", ""]
    for title, paragraphs, tables in parts:
        out += [f"### {title}", ""]
        out += [line for text in paragraphs for line in (_md_cell(text), "")]
        for head, rows in tables:
            out.append("| " + " | ".join(_md_cell(h) or " " for h in head) + " |")
            out.append("|" + "---|" * len(head))
            out += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
            out.append("")
    return "\n".join(out) + "\n"


def forms_section(results: Results, settings: Settings, kind: str) -> str:
    """The section as ``kind`` ("html" or "md"); "" when the workbook has none of the four forms."""
    parts = _parts(results, settings)
    if not parts:
        return ""
    heading = settings.label("plan_forms.summary_section")
    return _html(heading, parts) if kind == "html" else _markdown(heading, parts)


def with_forms_section(text: str, results: Results, settings: Settings, kind: str) -> str:
    """The rendered summary with the section before its issues (at the end if a template has none)."""
    section = forms_section(results, settings, kind)
    if not section:
        return text
    mark = HTML_MARK if kind == "html" else MD_MARK
    at = text.find(mark)
    return text + section if at < 0 else text[:at] + section + text[at:]
