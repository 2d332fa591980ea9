"""Finding a form's header: title rows above, merged and multi-level headers.

Users put a title or two above the table, merge a month over its 计划/实收
pair, stack 收入项 over product lines over measures, or write "一月计划" in
one cell. A HeaderBlock turns all of those into one path of labels per
column, top to bottom, which the form parsers then interpret.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import NamedTuple

from kamxl.config import Settings
from kamxl.read.grid import Grid
from kamxl.read.values import CellValue, Values, YearMonth
from kamxl.text import normalise, normalise_loose

Cell = tuple[int, int]  # (row, column), 0-based as in the Grid
TitleDate = tuple[int, int | None]  # the (year, month or None) a title names
# Signature tokens that stand for a kind of column rather than a field.
SPECIAL = ("@months", "@groups", "@weekdays", "@factors")
# Labels that sit under an indicator's name in the wide appraisal layout.
APPRAISAL_SUBS = ("target", "actual", "weight", "direction", "indicator_class")


_INLINE_LABEL_END = re.compile(r"[:：\n]")  # where an inline label ends and its text begins


@dataclass
class FormSpec:
    """One form's recognition data, built from the settings once, so a user's aliases extend every form."""

    name: str
    titles: list[str]
    required: list[str]
    signatures: list[list[str]]
    fields: dict[str, set[str]]
    factors: dict[str, set[str]] = field(default_factory=dict)
    inline_labels: bool = False  # a label may carry its text after it in the same cell: "优势(S):品牌强"

    @classmethod
    def from_settings(cls, name: str, settings: Settings) -> FormSpec:
        """The form's titles and header aliases, normalised once, both strictly and loosely."""
        data = settings.get(f"forms.{name}")

        def keys(aliases: list[str]) -> set[str]:
            return {normalise(alias) for alias in aliases} | {normalise_loose(alias) for alias in aliases}

        return cls(
            name=name,
            titles=[normalise(title) for title in data["titles"]],
            required=list(data["required"]),
            signatures=[list(signature) for signature in data["signatures"]],
            fields={field_name: keys(aliases) for field_name, aliases in data["fields"].items()},
            factors={factor: keys(aliases) for factor, aliases in data.get("factors", {}).items()},
            inline_labels=bool(data.get("inline_labels", False)),
        )

    def field_of(self, text: CellValue) -> str | None:
        """The field a header label names, if any."""
        return _lookup(self.fields, text)

    def heading_field_of(self, text: CellValue) -> str | None:
        """The field a header cell names: the whole cell, or, for a form whose labels carry their text
        inline ("优势(S):品牌强"), the label before the first colon or line break."""
        found = self.field_of(text)
        if found is None and self.inline_labels and isinstance(text, str):
            head = _INLINE_LABEL_END.split(text, maxsplit=1)[0]
            found = self.field_of(head) if head != text else None
        return found

    def factor_of(self, text: CellValue) -> str | None:
        """The value-tier factor a header label names, if any."""
        return _lookup(self.factors, text)


def _lookup(table: dict[str, set[str]], text: CellValue) -> str | None:
    """The name whose aliases hold the text, strictly or with bracketed units dropped."""
    if not isinstance(text, str) or not text.strip():
        return None
    for key in (normalise(text), normalise_loose(text)):
        for name, aliases in table.items():
            if key in aliases:
                return name
    return None


FORM_NAMES = (
    "receivables",
    "pnl",
    "activities",
    "calendar",
    "todo",
    "weekly",
    "monthly",
    "worklog",
    "customers",
    "appraisal",
    "competitors",
    "swot",
    "targets",
    "review",
)


def form_specs(settings: Settings) -> dict[str, FormSpec]:
    """Every form's spec, built once per Settings (each sheet of each workbook asks)."""
    return settings.cached(
        "specs", lambda: {name: FormSpec.from_settings(name, settings) for name in FORM_NAMES}
    )


@dataclass
class RowFeatures:
    """What one candidate header row offers a form, to be held against the form's signatures."""

    row: int
    fields: dict[str, int]
    months: int
    groups: int
    weekdays: int
    factors: int

    def satisfies(self, signature: list[str]) -> bool:
        """The row has every field and kind of column a signature asks for."""
        for token in signature:
            if token == "@months" and self.months < 1:
                return False
            if token == "@groups" and self.groups < 1:
                return False
            if token == "@weekdays" and self.weekdays < 5:
                return False
            if token == "@factors" and self.factors < 2:
                return False
            if token not in SPECIAL and token not in self.fields:
                return False
        return True

    @property
    def score(self) -> int:
        """How much of a form the row shows; the best-scoring row is taken as the header."""
        return (
            len(self.fields)
            + (self.months > 0)
            + (self.groups > 0)
            + (self.weekdays >= 5)
            + (self.factors >= 2)
        )


def split_measure(text: str, values: Values) -> tuple[str, str] | None:
    """ "一月计划" -> ("一月", "plan"); "Jan actual" -> ("Jan", "actual").

    "一月计划（万元）" -> ("一月", "plan"): a unit in brackets is the column's (read from
    the header path separately), no part of the month or the measure.
    """
    text = without_units(text)
    key = normalise(text)
    for alias, code in values.measure_aliases():
        if not alias or alias == key:
            continue
        if key.endswith(alias):
            rest = text.strip()
            # cut the alias off the raw text by its normalised length from the end
            cut = _cut_suffix(rest, alias)
            if cut:
                return cut, code
        if key.startswith(alias):
            cut = _cut_prefix(text.strip(), alias)
            if cut:
                return cut, code
    return None


_BRACKETED = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")


def without_units(text: str) -> str:
    """The text with its bracketed parts (units such as (万元), notes such as (含税)) left out."""
    return _BRACKETED.sub("", text).strip() if _BRACKETED.search(text) else text


def _cut_suffix(raw: str, alias: str) -> str | None:
    """The raw text before a trailing alias, found by normalised length (users add spaces, widths)."""
    for i in range(len(raw) - 1, 0, -1):
        if normalise(raw[i:]) == alias:
            return raw[:i].strip() or None
    return None


def _cut_prefix(raw: str, alias: str) -> str | None:
    """The raw text after a leading alias (see ``_cut_suffix``)."""
    for i in range(1, len(raw)):
        if normalise(raw[:i]) == alias:
            return raw[i:].strip() or None
    return None


def is_month_label(label: CellValue, values: Values) -> int | None:
    """The month (1..12) a header names: a date, "三月", "2026-03", or "三月计划" with its measure."""
    year_month = header_month(label, values)
    return year_month[1] if year_month else None


_NAMED_MONTH_YEAR = re.compile(r"^([a-z]{3,9})[\s\-/.',]*(\d{2}|\d{4})$")
_SHORT_YEAR_MONTH = re.compile(r"^(\d{2})\s*年\s*(\d{1,2})\s*月份?$")  # 26年1月


def header_month(label: CellValue, values: Values) -> YearMonth | None:
    """(year or None, month) a header names: a date, 2026.01 (a number), "2026-01", "2026年1月", "26年1月",
    "Jan-26", "一月", or any of these with a measure ("2026年1月计划")."""
    if isinstance(label, bool):
        return None
    if isinstance(label, (dt.date, dt.datetime)):
        return label.year, label.month
    if isinstance(label, (int, float)):
        return _number_month(float(label), values)
    if not isinstance(label, str):
        return None
    if without_units(label) != label:  # "一月(万元)", "2026年1月实收(万元)"
        stripped = without_units(label)
        return header_month(stripped, values) if stripped else None
    year_month, _ = values.month(label)
    if year_month is not None:
        return year_month
    text = unicodedata.normalize("NFKC", label).strip().casefold()
    short = _SHORT_YEAR_MONTH.match(text)
    if short and 1 <= int(short.group(2)) <= 12:
        return 2000 + int(short.group(1)), int(short.group(2))
    named = _NAMED_MONTH_YEAR.match(text)
    if named:
        month, _ = values.month(named.group(1))
        if month is not None and month[0] is None:
            year = int(named.group(2))
            return (year + 2000 if year < 100 else year), month[1]
    parts = split_measure(label, values)
    return header_month(parts[0], values) if parts else None


def _number_month(number: float, values: Values) -> YearMonth | None:
    """2026.01 typed as a number: the year, and the month in the first two decimals (2026.1 is October)."""
    if float(number).is_integer() and 1 <= number <= 12:
        return None, int(number)
    first, last = values.settings.get("limits.month_years")
    year = int(number)
    month = round((number - year) * 100)
    if first <= year <= last and 1 <= month <= 12 and abs((number - year) * 100 - month) < 1e-6:
        return year, month
    return None


def title_year(grid: Grid, top: int, values: Values) -> TitleDate | None:
    """(year, month or None) the title rows above a header name, else the sheet's name, if any.

    "华东区 2026年3月 应收帐款规划表" gives (2026, 3): the month the plan is
    for, which a rolling plan's months must include; "2026年 预期损益表" gives
    (2026, None). The title is written for this table; a sheet name ("2025备份",
    a copied tab) is weaker evidence, read only when no title names a year.
    """
    first, last = values.settings.get("limits.month_years")
    texts = [value for r in range(min(top, grid.nrows)) for value in grid.rows[r]] + [grid.name]
    for text in texts:
        if not isinstance(text, str):
            continue
        year_month = values.month_in_text(text)
        if year_month and first <= year_month[0] <= last:
            return year_month
        for found in _YEAR.finditer(unicodedata.normalize("NFKC", text)):
            if first <= int(found.group(0)) <= last:
                return int(found.group(0)), None
    return None


_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")


class Month(NamedTuple):
    """A month of a plan, placed in time: ``period`` orders months across years (year × 12 + month − 1).

    ``year`` is None when neither the header nor the title writes one; the
    months are then ordered as written, a later month lower than the one
    before it being in the next year (``period`` then counts from year 0).
    """

    period: int
    year: int | None
    month: int


def place_months(
    found: list[tuple[Cell, YearMonth]], title: TitleDate | None
) -> tuple[dict[Cell, Month], list[Cell]]:
    """Month headers placed in time (see ``_place_from``); ``title`` is the title's (year, month or None).

    When only the title dates the months and names a month too ("2026年3月"),
    the plan is the one that contains that month: 11月 … 10月 under
    "2026年3月" runs from 2025-11, not 2026-11.
    """
    year, month = title if title else (None, None)
    if year is None or month is None or any(written is not None for _, (written, _m) in found):
        return _place_from(found, year)
    for start in (year, year - 1):
        placed, guessed = _place_from(found, start)
        if placed and min(placed.values()).period <= year * 12 + month - 1 <= max(placed.values()).period:
            return placed, guessed
    return _place_from(found, year)


def _place_from(
    found: list[tuple[Cell, YearMonth]], year: int | None
) -> tuple[dict[Cell, Month], list[Cell]]:
    """Each month header's place in time, and the headers placed in a year that nothing wrote.

    ``found`` holds the month headers in the order written (left to right, or
    top to bottom), each cell once. A year written in a header holds; a
    header without one takes the year of the header before it, one more when
    its month is lower (a rolling plan goes 11月, 12月, 1月 …), and headers
    before the first year written count back from it. Without any year in the
    headers the title's year starts the first month; without one there either,
    the months are placed relative to the first, and each roll into a next
    year is returned, to be reported at its cell.
    """
    if not found:
        return {}, []
    anchor = next((i for i, (_, (written, _month)) in enumerate(found) if written is not None), None)
    relative = anchor is None and year is None
    index = anchor or 0
    written_first = found[index][1][0]
    first_year = written_first if written_first is not None else (year or 0)
    placed: dict[Cell, Month] = {}
    guessed: list[Cell] = []

    def put(cell: Cell, year_of: int, month: int) -> Month:
        placed[cell] = Month(year_of * 12 + month - 1, None if relative else year_of, month)
        return placed[cell]

    previous = put(found[index][0], first_year, found[index][1][1])
    for cell, (written, month) in found[index + 1 :]:
        rolls = month < previous.month
        if written is None and rolls and relative:
            guessed.append(cell)
        previous = put(cell, written if written is not None else previous.period // 12 + rolls, month)
    following = placed[found[index][0]]
    for cell, (_, month) in reversed(found[:index]):
        following = put(cell, following.period // 12 - (month > following.month), month)
    return placed, guessed


def row_features(grid: Grid, row: int, spec: FormSpec, values: Values) -> RowFeatures:
    """What row ``row`` would give ``spec`` if it were the header row."""
    cells = grid.rows[row] if row < grid.nrows else []
    fields: dict[str, int] = {}
    months = groups = weekdays = factors = 0
    below = grid.rows[row + 1] if row + 1 < grid.nrows else []
    for c, label in enumerate(cells):
        if label is None or label == "":
            continue
        field_name = spec.heading_field_of(label)
        if field_name and field_name not in fields:
            fields[field_name] = c
            continue
        if spec.factor_of(label):
            factors += 1
            continue
        if isinstance(label, str):
            if values.label("weekday", label)[0]:
                weekdays += 1
                continue
            if spec.name == "pnl" and values.label("pnl_group", label)[0]:
                groups += 1
                continue
        if is_month_label(label, values) is not None:
            months += 1
    if spec.name == "appraisal" and "employee" in fields:
        # wide form: indicator names over target/actual/weight sub-headers
        subs = {spec.field_of(label) for label in below}
        groups = int(len(subs & {"target", "actual", "weight"}) >= 2)
    return RowFeatures(row, fields, months, groups, weekdays, factors)


HeaderPath = tuple[CellValue, ...]


@dataclass
class HeaderBlock:
    """The header rows of a table, as one path of labels per column, top row first."""

    top: int
    bottom: int
    paths: dict[int, HeaderPath]  # column -> labels from the top header row down
    # column -> the cell each label of its path is written in (a merged or spread label: its first cell)
    sources: dict[int, tuple[Cell, ...]] = field(default_factory=dict)

    def label(self, col: int) -> str:
        """A column's header as one text ("一月 / 计划"), for messages."""
        return " / ".join(str(label) for label in self.paths.get(col, ()))

    def cell_of(self, col: int, index: int = -1) -> Cell:
        """Where label ``index`` of a column's path is written, so an issue about it points at that cell."""
        cells = self.sources.get(col, ())
        return cells[index] if cells else (self.top, col)


def is_sub_label(label: CellValue, spec: FormSpec, values: Values) -> bool:
    """A label that sits under a group header: 计划/实收, or an appraisal measure."""
    if not isinstance(label, str):
        return False
    if values.label("measure", label)[0]:
        return True
    return spec.name == "appraisal" and spec.field_of(label) in APPRAISAL_SUBS


def _has_groups(spec: FormSpec) -> bool:
    """Whether the form's header can have column groups (months, P&L groups, indicators) over sub-headers.

    Only these forms take a second header row: in the others a first body row of
    text that happens to hold 回款 or 预算 (an indicator, a budget) is data.
    """
    return any(token in ("@months", "@groups") for signature in spec.signatures for token in signature)


def _sub_labels(grid: Grid, row: int, spec: FormSpec, values: Values) -> tuple[bool, bool]:
    """(row holds only text, row holds a measure-like sub-label): is it a second header row?"""
    if row >= grid.nrows:
        return False, False
    only_text, measure = True, False
    nonblank = 0
    for label in grid.rows[row]:
        if label is None or label == "":
            continue
        nonblank += 1
        if not isinstance(label, str):
            if isinstance(label, (dt.date, dt.datetime)):
                continue  # month headers written as dates
            only_text = False
            continue
        if is_sub_label(label, spec, values):
            measure = True
        elif values.is_total(label):
            only_text = False
    return only_text and nonblank > 0, measure


def build_block(grid: Grid, top: int, spec: FormSpec, values: Values) -> HeaderBlock:
    """The header block starting at ``top``: one, two or (P&L) three rows, merged cells spread out."""
    depth = _header_depth(grid, top, spec, values)
    bottom = top + depth - 1
    ncols = max((len(grid.rows[r]) for r in range(top, min(bottom + 1, grid.nrows))), default=0)
    cells, sources = _spread_merged(grid, top, bottom, ncols)
    merged = {
        (r - top, c) for r in range(top, bottom + 1) for c in range(ncols) if sources[r - top][c] != (r, c)
    }
    merged |= {
        (r0 - top, c0) for r0, c0, r1, c1 in grid.merged if top <= r0 <= bottom and (r1, c1) != (r0, c0)
    }
    _spread_groups(cells, sources, merged, spec, values)
    paths, path_sources = {}, {}
    for c in range(ncols):
        path, where = _column_path([cells[i][c] for i in range(depth)], [sources[i][c] for i in range(depth)])
        if path:
            paths[c], path_sources[c] = path, where
    return HeaderBlock(top, bottom, paths, path_sources)


def _header_depth(grid: Grid, top: int, spec: FormSpec, values: Values) -> int:
    """How many rows the header takes: a row of measures (or, in a P&L, of lines over measures) adds one."""
    if not _has_groups(spec):
        return 1
    text1, measure1 = _sub_labels(grid, top + 1, spec, values)
    if text1 and measure1:
        return 2
    if text1 and spec.name in ("pnl",):
        text2, measure2 = _sub_labels(grid, top + 2, spec, values)
        if text2 and measure2:
            return 3
    return 1


def _spread_merged(
    grid: Grid, top: int, bottom: int, ncols: int
) -> tuple[list[list[CellValue]], list[list[Cell]]]:
    """The header rows' cells, each merged range's value in every cell it covers, and where each came from."""
    cells = [[grid.value(r, c) for c in range(ncols)] for r in range(top, bottom + 1)]
    sources = [[(r, c) for c in range(ncols)] for r in range(top, bottom + 1)]
    for r0, c0, r1, c1 in grid.merged:
        if r1 < top or r0 > bottom:
            continue
        value = grid.value(r0, c0)
        for r in range(max(r0, top), min(r1, bottom) + 1):
            for c in range(c0, min(c1, ncols - 1) + 1):
                cells[r - top][c] = value
                sources[r - top][c] = (r0, c0)
    return cells, sources


def _blank_label(label: CellValue) -> bool:
    return label is None or (isinstance(label, str) and not label.strip())


def _spread_groups(
    cells: list[list[CellValue]],
    sources: list[list[Cell]],
    merged: set[Cell],
    spec: FormSpec,
    values: Values,
) -> None:
    """A group label covers the blank header cells to its right, as a merge over them would.

    Users centre a group across its columns (跨列居中, ``centerContinuous``)
    instead of merging, leave "一月" over 计划 and nothing over 实收, and an
    .ods has no merged ranges at all (calamine reports none): in each case the
    text sits in the group's first cell and the cells to its right are blank.
    The styles are not needed: a label spreads only while (1) the cell is
    blank, (2) it is under the same labels above (a line never crosses its
    group), (3) the column has a sub-header below it, and only (4) from a
    label that is itself over a sub-header (a column header merged down, or
    alone, is no group). A blank cell under which nothing is written, or under
    which a field of its own is named, ends the group. A merged label
    (``merged``: its cells, by header level and column) already covers what it
    means to: it does not spread further.
    """
    for level in range(len(cells) - 1):
        row = cells[level]
        for c, label in enumerate(row):
            if _blank_label(label) or (level, c) in merged or not _is_group(cells, level, c):
                continue
            for right in range(c + 1, len(row)):
                if not _blank_label(row[right]) or not _same_parent(cells, level, c, right):
                    break
                if not _has_sub_header(cells, level, right, spec, values):
                    break
                row[right], sources[level][right] = label, sources[level][c]


def _is_group(cells: list[list[CellValue]], level: int, col: int) -> bool:
    """A label with a different label under it in the header (not a column header merged down)."""
    label = cells[level][col]
    return any(not _blank_label(below[col]) and below[col] != label for below in cells[level + 1 :])


def _same_parent(cells: list[list[CellValue]], level: int, col: int, other: int) -> bool:
    """Two columns under the same labels in every header row above ``level``."""
    return all(cells[above][col] == cells[above][other] for above in range(level))


def _has_sub_header(
    cells: list[list[CellValue]], level: int, col: int, spec: FormSpec, values: Values
) -> bool:
    """The column holds a sub-header below ``level``: a measure, or a label that is no field of its own."""
    return any(
        not _blank_label(label) and (is_sub_label(label, spec, values) or not spec.field_of(label))
        for label in (below[col] for below in cells[level + 1 :])
    )


def _column_path(labels: list[CellValue], cells: list[Cell]) -> tuple[HeaderPath, tuple[Cell, ...]]:
    """A column's labels top to bottom, blanks and repeats (from merged cells) left out, and their cells."""
    path: list[CellValue] = []
    where: list[Cell] = []
    for label, cell in zip(labels, cells, strict=True):
        if label is None or (isinstance(label, str) and not label.strip()):
            continue
        label = label.strip() if isinstance(label, str) else label
        if not path or path[-1] != label:
            path.append(label)
            where.append(cell)
    return tuple(path), tuple(where)
