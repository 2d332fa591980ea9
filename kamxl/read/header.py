"""Finding a form's header: title rows above, merged and multi-level headers.

Users put a title or two above the table, merge a month over its 计划/实收
pair, stack 收入项 over product lines over measures, or write "一月计划" in
one cell. A HeaderBlock turns all of those into one path of labels per
column, top to bottom, which the form parsers then interpret.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from kamxl.config import Settings
from kamxl.read.grid import Grid
from kamxl.read.values import CellValue, Values
from kamxl.text import normalise, normalise_loose

# Signature tokens that stand for a kind of column rather than a field.
SPECIAL = ("@months", "@groups", "@weekdays", "@factors")
# Labels that sit under an indicator's name in the wide appraisal layout.
APPRAISAL_SUBS = ("target", "actual", "weight", "direction", "indicator_class")


@dataclass
class FormSpec:
    """One form's recognition data, built from the settings once, so a user's aliases extend every form."""

    name: str
    titles: list[str]
    required: list[str]
    signatures: list[list[str]]
    fields: dict[str, set[str]]
    factors: dict[str, set[str]] = field(default_factory=dict)

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
        )

    def field_of(self, text: CellValue) -> str | None:
        """The field a header label names, if any."""
        return _lookup(self.fields, text)

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
    """ "一月计划" -> ("一月", "plan"); "Jan actual" -> ("Jan", "actual")."""
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
    if isinstance(label, (dt.date, dt.datetime)):
        return label.month
    if isinstance(label, str):
        year_month, _ = values.month(label)
        if year_month is not None:
            return year_month[1]
        parts = split_measure(label, values)
        if parts:
            year_month, _ = values.month(parts[0])
            return year_month[1] if year_month else None
    return None


def row_features(grid: Grid, row: int, spec: FormSpec, values: Values) -> RowFeatures:
    """What row ``row`` would give ``spec`` if it were the header row."""
    cells = grid.rows[row] if row < grid.nrows else []
    fields: dict[str, int] = {}
    months = groups = weekdays = factors = 0
    below = grid.rows[row + 1] if row + 1 < grid.nrows else []
    for c, label in enumerate(cells):
        if label is None or label == "":
            continue
        field_name = spec.field_of(label)
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

    def label(self, col: int) -> str:
        """A column's header as one text ("一月 / 计划"), for messages."""
        return " / ".join(str(label) for label in self.paths.get(col, ()))


def is_sub_label(label: CellValue, spec: FormSpec, values: Values) -> bool:
    """A label that sits under a group header: 计划/实收, or an appraisal measure."""
    if not isinstance(label, str):
        return False
    if values.label("measure", label)[0]:
        return True
    return spec.name == "appraisal" and spec.field_of(label) in APPRAISAL_SUBS


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
    cells = _spread_merged(grid, top, bottom, ncols)
    for i in range(depth - 1):
        _carry_group_labels(cells[i], cells[i + 1], spec, values)
    paths = {}
    for c in range(ncols):
        path = _column_path([cells[i][c] for i in range(depth)])
        if path:
            paths[c] = path
    return HeaderBlock(top, bottom, paths)


def _header_depth(grid: Grid, top: int, spec: FormSpec, values: Values) -> int:
    """How many rows the header takes: a row of measures (or, in a P&L, of lines over measures) adds one."""
    text1, measure1 = _sub_labels(grid, top + 1, spec, values)
    if text1 and measure1:
        return 2
    if text1 and spec.name in ("pnl",):
        text2, measure2 = _sub_labels(grid, top + 2, spec, values)
        if text2 and measure2:
            return 3
    return 1


def _spread_merged(grid: Grid, top: int, bottom: int, ncols: int) -> list[list[CellValue]]:
    """The header rows' cells with each merged range's value in every cell it covers."""
    cells = [[grid.value(r, c) for c in range(ncols)] for r in range(top, bottom + 1)]
    for r0, c0, r1, c1 in grid.merged:
        if r1 < top or r0 > bottom:
            continue
        value = grid.value(r0, c0)
        for r in range(max(r0, top), min(r1, bottom) + 1):
            for c in range(c0, min(c1, ncols - 1) + 1):
                cells[r - top][c] = value
    return cells


def _carry_group_labels(
    upper: list[CellValue], lower: list[CellValue], spec: FormSpec, values: Values
) -> None:
    """Fill a blank group cell from its left neighbour where the row below goes on with sub-labels.

    Users leave "一月" over 计划 and write nothing over 实收 instead of merging the two cells.
    """
    for c in range(1, len(upper)):
        blank = upper[c] is None or upper[c] == ""
        if (
            blank
            and upper[c - 1] not in (None, "")
            and lower[c] not in (None, "")
            and lower[c - 1] not in (None, "")
            and (is_sub_label(lower[c], spec, values) or not spec.field_of(lower[c]))
        ):
            upper[c] = upper[c - 1]


def _column_path(labels: list[CellValue]) -> HeaderPath:
    """One column's labels top to bottom, blanks and repeats (from merged cells) left out."""
    path: list[CellValue] = []
    for label in labels:
        if label is None or (isinstance(label, str) and not label.strip()):
            continue
        label = label.strip() if isinstance(label, str) else label
        if not path or path[-1] != label:
            path.append(label)
    return tuple(path)
