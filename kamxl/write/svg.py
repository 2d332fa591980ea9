"""Small inline SVG charts for the review summary.

The summary must be one self-contained file that reads on a phone and
prints: no scripts, no fonts or images to fetch. Each chart scales to its
container (a viewBox, no fixed size), names itself in <title> for screen
readers, and escapes every text that came from the input. Colours come from
the settings' ``[charts.summary]``; the geometry is fixed here, in viewBox units.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from markupsafe import Markup, escape

Palette = Mapping[str, Any]
Series = tuple[str, Sequence[float | None], str]  # (name, a value per category or None, colour)

FONT = 14  # charts are ~500 wide, so text stays legible when a phone scales them down
WIDTH = 520  # the bar and column charts'
BAR_ROW = 28  # a horizontal bar's row
LABEL_MAX = 180  # the widest a horizontal bar's label column gets
FUNNEL_ROW = 40
FUNNEL_CENTRE, FUNNEL_WIDEST = 220, 260
SCATTER_SIZE = 360  # the square plot of the tier matrix
SCORES = (1, 2, 3, 4, 5)  # its axes


@lru_cache(maxsize=1)
def default_palette() -> Palette:
    """The shipped ``charts.summary`` colours, for a chart drawn without settings."""
    from kamxl.config import load_settings

    palette: Palette = load_settings().get("charts.summary")
    return palette


def nice_max(value: float) -> tuple[float, float]:
    """An axis maximum ≥ value on a 1-2-5 step, and its step (four or five ticks)."""
    if not value or value <= 0 or not math.isfinite(value):
        return 1.0, 0.25
    raw = value / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return step * math.ceil(value / step - 1e-9), step


def short_number(value: float) -> str:
    """Axis labels: 1,200,000 → 1.2M; a tick label has room for little."""
    size = abs(value)
    for divisor, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if size >= divisor:
            return f"{value / divisor:.3g}{suffix}"
    return f"{value:.3g}"


def _svg(width: int, height: float, title: str, body: list[str]) -> Markup:
    return Markup(
        f'<svg class="chart" viewBox="0 0 {width} {height:.0f}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg" font-size="{FONT}" preserveAspectRatio="xMidYMid meet">'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def _text(x: float, y: float, text: str, anchor: str = "start", **attrs: str) -> str:
    extra = "".join(f' {name.replace("_", "-")}="{escape(value)}"' for name, value in attrs.items())
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{extra}>{escape(text)}</text>'


def _line(x1: float, y1: float, x2: float, y2: float, stroke: str, extra: str = "") -> str:
    return f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{stroke}"{extra}/>'


def _legend(items: Sequence[tuple[str, str, bool]], x: float, y: float) -> list[str]:
    """(label, colour, is_line) swatches in a row."""
    out = []
    for label, colour, is_line in items:
        if is_line:
            out.append(_line(x, y - 4, x + 14, y - 4, colour, ' stroke-width="2.5"'))
        else:
            out.append(f'<rect x="{x:.1f}" y="{y - 10:.1f}" width="12" height="12" fill="{colour}"/>')
        out.append(_text(x + 18, y, label))
        x += 30 + FONT * _width(label)
    return out


def _width(text: str) -> float:
    """Approximate text width in em: CJK characters are a full em, Latin about half."""
    return sum(1.0 if ord(ch) > 0x2E80 else 0.55 for ch in text)


# ---------------------------------------------------------------- columns ---
@dataclass(frozen=True)
class _Plot:
    """A column chart's plot area and its value scale."""

    left: int
    right: int  # room right of the plot (a rate axis)
    top: int
    bottom: int
    top_value: float
    low_value: float
    width: int = WIDTH
    height: int = 290

    @property
    def plot_w(self) -> int:
        return self.width - self.left - self.right

    @property
    def plot_h(self) -> int:
        return self.height - self.top - self.bottom

    def y_of(self, value: float) -> float:
        return self.top + self.plot_h * (self.top_value - value) / (self.top_value - self.low_value or 1.0)


def columns(
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    line: Series | None = None,
    line_format: Callable[[float], str] | None = None,
    palette: Palette | None = None,
) -> Markup:
    """Clustered columns (one cluster per category), and a line on a right-hand 0–max(100%) axis if given."""
    palette = palette or default_palette()
    values = [value for _, values, _ in series for value in values if value is not None]
    top_value, step = nice_max(max([0.0] + values))
    low = min([0.0] + values)
    low_value = -step * math.ceil(-low / step) if low < 0 else 0.0
    plot = _Plot(
        left=52, right=48 if line else 12, top=34, bottom=30, top_value=top_value, low_value=low_value
    )
    body = _value_axis(plot, step, palette)
    body += _column_bars(plot, categories, series, palette)
    body.append(_gridline(plot, plot.y_of(0), palette["axis"]))
    legend = [(name, colour, False) for name, _, colour in series]
    if line:
        body += _rate_line(plot, len(categories), line, line_format or (lambda value: f"{value:.0%}"))
        legend.append((line[0], line[2], True))
    body += _legend(legend, plot.left, 18)
    return _svg(plot.width, plot.height, title, body)


def _value_axis(plot: _Plot, step: float, palette: Palette) -> list[str]:
    """A gridline and a label per step, from the lowest tick to the top."""
    body = []
    tick = plot.low_value
    while tick <= plot.top_value + 1e-9:
        y = plot.y_of(tick)
        body.append(_gridline(plot, y, palette["grid"]))
        body.append(_text(plot.left - 6, y + 4, short_number(tick), "end", fill=palette["axis"]))
        tick += step
    return body


def _gridline(plot: _Plot, y: float, colour: str) -> str:
    return (
        f'<line x1="{plot.left}" y1="{y:.1f}" x2="{plot.width - plot.right}" y2="{y:.1f}" stroke="{colour}"/>'
    )


def _column_bars(
    plot: _Plot, categories: Sequence[str], series: Sequence[Series], palette: Palette
) -> list[str]:
    """A cluster of columns per category, and its label where there is room (else every few)."""
    body = []
    slot = plot.plot_w / max(1, len(categories))
    bar = slot * 0.8 / max(1, len(series))
    for i, category in enumerate(categories):
        x0 = plot.left + i * slot + slot * 0.1
        for j, (_, values, colour) in enumerate(series):
            value = values[i]
            if value is None:
                continue
            y, y0 = plot.y_of(max(value, 0.0)), plot.y_of(min(value, 0.0))
            body.append(
                f'<rect x="{x0 + j * bar:.1f}" y="{y:.1f}" width="{bar * 0.92:.1f}" '
                f'height="{max(y0 - y, 0.5):.1f}" fill="{colour}"/>'
            )
        label_w = FONT * _width(category)
        if slot >= label_w + 2 or i % max(2, math.ceil(label_w / slot)) == 0:
            x = plot.left + i * slot + slot / 2
            body.append(_text(x, plot.height - plot.bottom + 18, category, "middle", fill=palette["axis"]))
    return body


def _rate_line(plot: _Plot, count: int, line: Series, label: Callable[[float], str]) -> list[str]:
    """A line with dots on its own right-hand axis from 0 to 100 % (or its highest value)."""
    _, values, colour = line
    line_top = max([1.0] + [value for value in values if value is not None])

    def y_of(value: float) -> float:
        return plot.top + plot.plot_h * (1 - value / line_top)

    body = []
    for k in range(5):
        value = line_top * k / 4
        body.append(_text(plot.width - plot.right + 6, y_of(value) + 4, label(value), "start", fill=colour))
    slot = plot.plot_w / max(1, count)
    points = [
        (plot.left + i * slot + slot / 2, y_of(value)) for i, value in enumerate(values) if value is not None
    ]
    if points:
        body.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2.5" points="'
            + " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            + '"/>'
        )
        body += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>' for x, y in points]
    return body


# ------------------------------------------------------------------ hbars ---
def hbars(
    title: str,
    rows: Sequence[tuple[str, float, str]],
    colour: str | None = None,
    marks: Sequence[float | None] | None = None,
    mark_label: str | None = None,
    rest: bool = False,
    palette: Palette | None = None,
) -> Markup:
    """Horizontal bars, one per (label, value, value text); optional marks (a guideline) as ticks on each bar.

    With ``rest`` the last row is "the others": it does not set the scale (13,000
    small customers would flatten the ten named ones to nothing); a longer bar
    is cut at the plot's edge and drawn with a break.
    """
    palette = palette or default_palette()
    colour = colour or palette["actual"]
    label_w = min(LABEL_MAX, 12 + FONT * max([_width(row[0]) for row in rows] + [2]))
    top = 30 if marks else 8
    height = top + BAR_ROW * len(rows) + 8
    plot_w = WIDTH - label_w - 16 - FONT * max([_width(row[2]) for row in rows] + [2])
    scaled = rows[:-1] if rest and len(rows) > 1 else rows
    top_value = max(
        [value for _, value, _ in scaled] + [mark for mark in (marks or []) if mark is not None] + [0.0]
    )
    top_value = top_value or 1.0
    body = []
    for i, (label, value, text) in enumerate(rows):
        y = top + i * BAR_ROW
        body.append(_text(label_w - 8, y + 19, label, "end"))
        width = plot_w * max(value, 0.0) / top_value
        body += _bar(label_w, y, min(width, plot_w), colour)
        if width > plot_w:  # a break: two white strokes across the bar
            body += _break(label_w, y, plot_w, palette["background"])
        body.append(_text(label_w + min(width, plot_w) + 6, y + 19, text, fill=palette["axis"]))
        mark = marks[i] if marks else None
        if mark is not None:
            x = label_w + plot_w * mark / top_value
            body.append(
                f'<line x1="{x:.1f}" y1="{y + 1}" x2="{x:.1f}" y2="{y + BAR_ROW - 1}" '
                f'stroke="{palette["line"]}" stroke-width="3"/>'
            )
    if marks and mark_label:
        body += _legend([(mark_label, palette["line"], True)], label_w, 18)
    return _svg(WIDTH, height, title, body)


def _bar(x: float, y: float, width: float, colour: str) -> list[str]:
    return [
        f'<rect x="{x}" y="{y + 5}" width="{max(width, 0.5):.1f}" height="{BAR_ROW - 10}" fill="{colour}"/>'
    ]


def _break(left: float, y: float, plot_w: float, colour: str) -> list[str]:
    """Two strokes across a bar cut at the plot's edge."""
    out = []
    for offset in (-0.22, -0.17):
        x = left + plot_w * (1 + offset)
        out.append(
            f'<line x1="{x:.1f}" y1="{y + BAR_ROW - 3}" x2="{x + 8:.1f}" y2="{y + 3}" '
            f'stroke="{colour}" stroke-width="3"/>'
        )
    return out


# ----------------------------------------------------------------- funnel ---
def funnel(title: str, rows: Sequence[tuple[str, float, str]], palette: Palette | None = None) -> Markup:
    """The funnel as the course lists it, A at the top down to D, each band as wide as its count is
    (the widest count the full width): under the caption "opportunities per class" a band drawn
    narrower than the one above must hold fewer (C with 4 is as wide as A with 4, wider than B with 3).
    Each band says its count and amount beside it, in its class's colour (``charts.colours.classes``).
    """
    palette = palette or default_palette()
    colours = palette["funnel"]
    height = FUNNEL_ROW * len(rows) + 10
    peak = max((float(value) for _, value, _ in rows), default=0.0)
    body = []
    for i, (label, value, text) in enumerate(rows):
        y, band, colour = 5 + i * FUNNEL_ROW, FUNNEL_ROW - 6, colours[i % len(colours)]
        half = FUNNEL_WIDEST * float(value) / peak / 2 if peak > 0 else 0.0
        if half > 0:  # a class with no opportunity has no band, only its "0" beside the place
            corners = (
                f"{FUNNEL_CENTRE - half:.1f},{y} {FUNNEL_CENTRE + half:.1f},{y} "
                f"{FUNNEL_CENTRE + half:.1f},{y + band} {FUNNEL_CENTRE - half:.1f},{y + band}"
            )
            body.append(f'<polygon points="{corners}" fill="{colour}"/>')
        body.append(_text(80, y + 22, label, "end", font_weight="bold"))
        body.append(_text(360, y + 22, text, "start", fill=palette["axis"]))
    return _svg(WIDTH, height, title, body)


# ---------------------------------------------------------------- scatter ---
def scatter(
    title: str,
    points: Sequence[tuple[float, float, str, int]],
    threshold: float,
    x_label: str,
    y_label: str,
    quadrant_labels: dict[tuple[bool, bool], str],
    palette: Palette | None = None,
) -> Markup:
    """Scores 1–5 on both axes with the high/low lines; points coloured by tier (1–4).

    quadrant_labels: {(x high, y high): text}.
    """
    palette = palette or default_palette()
    left, top, size = 52, 12, SCATTER_SIZE
    body = [
        f'<rect x="{left}" y="{top}" width="{size}" height="{size}" fill="none" stroke="{palette["axis"]}"/>'
    ]
    for score in SCORES:
        body.append(_text(_x_of(score), top + size + 16, str(score), "middle", fill=palette["axis"]))
        body.append(_text(left - 8, _y_of(score) + 4, str(score), "end", fill=palette["axis"]))
    x, y = _x_of(threshold), _y_of(threshold)
    dashed = ' stroke-dasharray="6 4"'
    body.append(
        f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + size}" stroke="{palette["line"]}"{dashed}/>'
    )
    body.append(
        f'<line x1="{left}" y1="{y:.1f}" x2="{left + size}" y2="{y:.1f}" stroke="{palette["line"]}"{dashed}/>'
    )
    for (x_high, y_high), text in quadrant_labels.items():  # in the outer corners, where points are rarest
        corner_x, anchor = (left + size - 6, "end") if x_high else (left + 6, "start")
        corner_y = top + 20 if y_high else top + size - 8
        body.append(_text(corner_x, corner_y, text, anchor, fill=palette["muted"]))
    body += _points(points, palette)
    body.append(_text(left + size / 2, top + size + 38, x_label, "middle"))
    middle = top + size / 2
    body.append(_text(16, middle, y_label, "middle", transform=f"rotate(-90 16 {middle})"))
    return _svg(480, 430, title, body)


def _x_of(score: float) -> float:
    low, high = SCORES[0], SCORES[-1]
    return 52 + SCATTER_SIZE * (score - low) / (high - low)


def _y_of(score: float) -> float:
    low, high = SCORES[0], SCORES[-1]
    return 12 + SCATTER_SIZE * (high - score) / (high - low)


def _points(points: Sequence[tuple[float, float, str, int]], palette: Palette) -> list[str]:
    """A dot per (x, y, name, tier), kept inside the plot, named where a name is given."""
    body = []
    low, high = SCORES[0], SCORES[-1]
    for x, y, label, tier in points:
        cx, cy = _x_of(min(max(x, low), high)), _y_of(min(max(y, low), high))
        tiers = palette["tiers"]
        colour = tiers[(tier - 1) % len(tiers)] if tier else palette["muted"]
        body.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="5" fill="{colour}"/>')
        if label:
            body.append(_text(cx + 7, cy - 6, label, font_size="12"))
    return body
