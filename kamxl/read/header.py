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
from kamxl.read.values import Values
from kamxl.text import normalise, normalise_loose

SPECIAL = ("@months", "@groups", "@weekdays", "@factors")


@dataclass
class FormSpec:
    """One form's recognition data, built from the settings."""

    name: str
    titles: list[str]
    required: list[str]
    signatures: list[list[str]]
    fields: dict[str, set[str]]
    factors: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, name: str, settings: Settings) -> "FormSpec":
        data = settings.get(f"forms.{name}")

        def keys(aliases):
            return {normalise(a) for a in aliases} | {normalise_loose(a) for a in aliases}

        return cls(
            name=name,
            titles=[normalise(t) for t in data["titles"]],
            required=list(data["required"]),
            signatures=[list(s) for s in data["signatures"]],
            fields={f: keys(a) for f, a in data["fields"].items()},
            factors={f: keys(a) for f, a in data.get("factors", {}).items()},
        )

    def field_of(self, text) -> str | None:
        """The field a header label names, if any."""
        return _lookup(self.fields, text)

    def factor_of(self, text) -> str | None:
        """The value-tier factor a header label names, if any."""
        return _lookup(self.factors, text)


def _lookup(table: dict[str, set[str]], text) -> str | None:
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
    cached = settings._cache.get("specs")
    if cached is None:
        cached = settings._cache["specs"] = {n: FormSpec.from_settings(n, settings) for n in FORM_NAMES}
    return cached


@dataclass
class RowFeatures:
    """What one candidate header row offers a form."""

    row: int
    fields: dict[str, int]
    months: int
    groups: int
    weekdays: int
    factors: int

    def satisfies(self, signature: list[str]) -> bool:
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
    for i in range(len(raw) - 1, 0, -1):
        if normalise(raw[i:]) == alias:
            return raw[:i].strip() or None
    return None


def _cut_prefix(raw: str, alias: str) -> str | None:
    for i in range(1, len(raw)):
        if normalise(raw[:i]) == alias:
            return raw[i:].strip() or None
    return None


def is_month_label(v, values: Values) -> int | None:
    if isinstance(v, (dt.date, dt.datetime)):
        return v.month
    if isinstance(v, str):
        (ym, ok) = values.month(v)
        if ym is not None:
            return ym[1]
        parts = split_measure(v, values)
        if parts:
            ym, _ = values.month(parts[0])
            return ym[1] if ym else None
    return None


def row_features(grid: Grid, r: int, spec: FormSpec, values: Values) -> RowFeatures:
    row = grid.rows[r] if r < grid.nrows else []
    fields: dict[str, int] = {}
    months = groups = weekdays = factors = 0
    below = grid.rows[r + 1] if r + 1 < grid.nrows else []
    for c, v in enumerate(row):
        if v is None or v == "":
            continue
        f = spec.field_of(v)
        if f and f not in fields:
            fields[f] = c
            continue
        if spec.factor_of(v):
            factors += 1
            continue
        if isinstance(v, str):
            if values.label("weekday", v)[0]:
                weekdays += 1
                continue
            if spec.name == "pnl" and values.label("pnl_group", v)[0]:
                groups += 1
                continue
        if is_month_label(v, values) is not None:
            months += 1
    if spec.name == "appraisal" and "employee" in fields:
        # wide form: indicator names over target/actual/weight sub-headers
        subs = {spec.field_of(v) for v in below}
        groups = int(len(subs & {"target", "actual", "weight"}) >= 2)
    return RowFeatures(r, fields, months, groups, weekdays, factors)


@dataclass
class HeaderBlock:
    top: int
    bottom: int
    paths: dict[int, tuple]  # column -> labels from the top header row down

    def label(self, col: int) -> str:
        return " / ".join(str(p) for p in self.paths.get(col, ()))


def is_sub_label(v, spec: FormSpec, values: Values) -> bool:
    """A label that sits under a group header: 计划/实收, or an appraisal measure."""
    if not isinstance(v, str):
        return False
    if values.label("measure", v)[0]:
        return True
    return spec.name == "appraisal" and spec.field_of(v) in (
        "target",
        "actual",
        "weight",
        "direction",
        "indicator_class",
    )


def _sub_labels(grid: Grid, r: int, spec: FormSpec, values: Values) -> tuple[bool, bool]:
    """(row holds only text, row holds a measure-like sub-label)."""
    if r >= grid.nrows:
        return False, False
    only_text, measure = True, False
    nonblank = 0
    for v in grid.rows[r]:
        if v is None or v == "":
            continue
        nonblank += 1
        if not isinstance(v, str):
            if isinstance(v, (dt.date, dt.datetime)):
                continue  # month headers written as dates
            only_text = False
            continue
        if is_sub_label(v, spec, values):
            measure = True
        elif values.is_total(v):
            only_text = False
    return only_text and nonblank > 0, measure


def build_block(grid: Grid, top: int, spec: FormSpec, values: Values) -> HeaderBlock:
    depth = 1
    text1, measure1 = _sub_labels(grid, top + 1, spec, values)
    if text1 and measure1:
        depth = 2
    elif text1 and spec.name in ("pnl",):
        text2, measure2 = _sub_labels(grid, top + 2, spec, values)
        if text2 and measure2:
            depth = 3
    bottom = top + depth - 1
    ncols = max((len(grid.rows[r]) for r in range(top, min(bottom + 1, grid.nrows))), default=0)
    cells = [[grid.value(r, c) for c in range(ncols)] for r in range(top, bottom + 1)]
    for r0, c0, r1, c1 in grid.merged:
        if r1 < top or r0 > bottom:
            continue
        v = grid.value(r0, c0)
        for r in range(max(r0, top), min(r1, bottom) + 1):
            for c in range(c0, min(c1, ncols - 1) + 1):
                cells[r - top][c] = v
    for i in range(depth - 1):
        for c in range(1, ncols):
            blank = cells[i][c] is None or cells[i][c] == ""
            if (
                blank
                and cells[i][c - 1] not in (None, "")
                and cells[i + 1][c] not in (None, "")
                and cells[i + 1][c - 1] not in (None, "")
                and (is_sub_label(cells[i + 1][c], spec, values) or not spec.field_of(cells[i + 1][c]))
            ):
                cells[i][c] = cells[i][c - 1]
    paths = {}
    for c in range(ncols):
        path: list = []
        for i in range(depth):
            v = cells[i][c]
            if v is None or (isinstance(v, str) and not v.strip()):
                continue
            v = v.strip() if isinstance(v, str) else v
            if not path or path[-1] != v:
                path.append(v)
        if path:
            paths[c] = tuple(path)
    return HeaderBlock(top, bottom, paths)
