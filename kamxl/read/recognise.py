"""Which form a sheet holds, and where its header is: the reader's second stage, after the grid.

A title cell and the header's signature outrank the sheet's name, which is
weak evidence ("3月计划" may hold a receivables plan). docs/forms.md,
"Recognising a sheet", states the rules. One entry point: ``recognise``.
"""

from __future__ import annotations

import re
import unicodedata

from kamxl.config import Settings
from kamxl.issues import Issue
from kamxl.read.grid import Grid
from kamxl.read.header import FormSpec, RowFeatures, form_specs, row_features
from kamxl.read.values import Values
from kamxl.text import normalise

__all__ = ["recognise", "values_of", "no_header"]


def values_of(settings: Settings) -> Values:
    """The value parsers of these settings, built once (their vocabularies are indexed when built)."""
    return settings.cached("values", lambda: Values(settings))


def _title_texts(grid: Grid, scan: int) -> list[str]:
    """Cells that look like a title: alone in their row, or merged wide, near the top."""
    wide = {(r0, c0) for r0, c0, r1, c1 in grid.merged if c1 - c0 >= 2}
    out: list[str] = []
    for r in range(min(scan, grid.nrows)):
        cells = [
            (c, value) for c, value in enumerate(grid.rows[r]) if isinstance(value, str) and value.strip()
        ]
        if len(cells) == 1 or any((r, c) in wide for c, _ in cells):
            out += [text for c, text in cells if len(cells) == 1 or (r, c) in wide]
    return out


def _longest(hits: list[tuple[int, str]]) -> str | None:
    """The form of the longest matching title; None when none matched or two forms tie."""
    if not hits:
        return None
    top = max(length for length, _ in hits)
    forms = {form for length, form in hits if length == top}
    return forms.pop() if len(forms) == 1 else None


def _by_title_cell(grid: Grid, specs: dict[str, FormSpec], settings: Settings) -> str | None:
    """The form a title cell names; the longest matching title wins.

    Titles cells are prose ("本工作簿用于三月计划评审"), so inside them only
    titles of ``limits.title_cell_min_chars`` or more count unless the whole cell is the title.
    """
    min_len: int = settings.get("limits.title_cell_min_chars")
    hits: list[tuple[int, str]] = []
    for text in _title_texts(grid, settings.get("limits.title_rows")):
        key = normalise(text)
        for spec in specs.values():
            lengths = [len(t) for t in spec.titles if t and (t == key or (len(t) >= min_len and t in key))]
            if lengths:
                hits.append((max(lengths), spec.name))
    return _longest(hits)


def _name_words(name: str) -> set[str]:
    """A sheet name's words, split at whatever is not a letter: "应收 (2)" and "2026应收" give 应收."""
    words = re.split(r"[\W\d_]+", unicodedata.normalize("NFKC", name))
    return {normalise(word) for word in words if word}


def _by_name(grid: Grid, specs: dict[str, FormSpec], settings: Settings) -> str | None:
    """The form a sheet's name suggests; the longest matching title wins.

    A short title (应收, 客户, 考核) is too common a word to be found inside a
    name: "客户回款计划" is no customer assessment. It names a sheet only as
    the whole name or one of its words; longer titles may sit anywhere in it.
    """
    short: int = settings.get("limits.short_name_chars")
    key, words = normalise(grid.name), _name_words(grid.name)
    hits: list[tuple[int, str]] = []
    for spec in specs.values():
        lengths = [
            len(t) for t in spec.titles if t and (t == key or t in words or (len(t) > short and t in key))
        ]
        if lengths:
            hits.append((max(lengths), spec.name))
    return _longest(hits)


def _candidate_rows(grid: Grid, spec: FormSpec, values: Values, scan: int) -> list[RowFeatures]:
    """What each of the first ``scan`` rows would give ``spec`` as its header row."""
    return [row_features(grid, r, spec, values) for r in range(scan)]


def _fitting(candidates: list[RowFeatures], spec: FormSpec) -> list[RowFeatures]:
    """The rows that meet one of the form's header signatures."""
    return [row for row in candidates if any(row.satisfies(signature) for signature in spec.signatures)]


def _best(rows: list[RowFeatures]) -> RowFeatures:
    """The highest-scoring row; the topmost of equals (a title row repeats the header's words less)."""
    return max(rows, key=lambda row: (row.score, -row.row))


def _named_header(candidates: list[RowFeatures], spec: FormSpec) -> int | None:
    """The header row of a form named by title or sheet name: a fitting row, else the best partial one."""
    pool = _fitting(candidates, spec) or [row for row in candidates if row.score > 0]
    return _best(pool).row if pool else None


def _by_signature(
    grid: Grid, specs: dict[str, FormSpec], values: Values, scan: int
) -> list[tuple[int, str, int]]:
    """(score, form, header row) of every form whose header signature some row meets."""
    found: list[tuple[int, str, int]] = []
    for spec in specs.values():
        fitting = _fitting(_candidate_rows(grid, spec, values, scan), spec)
        if fitting:
            best = _best(fitting)
            found.append((best.score, spec.name, best.row))
    return found


def recognise(grid: Grid, settings: Settings) -> tuple[str | None, int | None, list[Issue]]:
    """(form, header row) for a sheet: by title cell, then header signature, then sheet name.

    The sheet name is weak evidence ("3月计划" may hold a receivables plan):
    it decides only when its form's signature fits the header too, or when
    no form's signature fits at all. A name the header overrules is said.
    """
    specs = form_specs(settings)
    values = values_of(settings)
    scan = min(grid.nrows, settings.get("limits.header_scan_rows"))
    titled = _by_title_cell(grid, specs, settings)
    if titled:
        return titled, _named_header(_candidate_rows(grid, specs[titled], values, scan), specs[titled]), []
    named = _by_name(grid, specs, settings)
    if named:
        candidates = _candidate_rows(grid, specs[named], values, scan)
        fitting = _fitting(candidates, specs[named])
        if fitting:
            return named, _best(fitting).row, []
    found = _by_signature(grid, specs, values, scan)
    if not found:
        return (named, _named_header(candidates, specs[named]), []) if named else (None, None, [])
    top = max(score for score, _, _ in found)
    winners = [(form, row) for score, form, row in found if score == top]
    if len(winners) > 1:
        names = " / ".join(settings.form_name(form) for form, _ in winners)
        return None, None, [settings.issue("ambiguous_form", grid.name, forms=names)]
    form, row = winners[0]
    if not named:
        return form, row, []
    overruled = settings.issue(
        "sheet_name_overruled", grid.name, named=settings.form_name(named), form=settings.form_name(form)
    )
    return form, row, [overruled]


def no_header(grid: Grid, form: str, settings: Settings) -> Issue:
    """A sheet titled as a form whose header is not found: the column it needs, named."""
    spec = form_specs(settings)[form]
    column = settings.label(f"headers.{form}.{spec.required[0]}") if spec.required else "周一"
    scan = settings.get("limits.header_scan_rows")
    return settings.issue("no_header", grid.name, form=settings.form_name(form), rows=scan, column=column)
