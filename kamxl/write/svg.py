"""Small inline SVG charts for the review summary.

The summary must be one self-contained file that reads on a phone and
prints: no scripts, no fonts or images to fetch. Each chart scales to its
container (a viewBox, no fixed size), names itself in <title> for screen
readers, and escapes every text that came from the input.
"""

from __future__ import annotations

import math
from typing import Callable, Sequence

from markupsafe import Markup, escape

PALETTE = {
    "plan": "#9db4d3",
    "actual": "#2f5597",
    "line": "#c55a11",
    "good": "#548235",
    "bad": "#c00000",
    "grid": "#d9d9d9",
    "axis": "#595959",
    "muted": "#a6a6a6",
    "tiers": ("#2f5597", "#548235", "#bf8f00", "#7f7f7f"),
}
FONT = 14  # in viewBox units; charts are ~500 wide so text stays legible when a phone scales them down


def nice_max(value: float) -> tuple[float, float]:
    """An axis maximum ≥ value on a 1-2-5 step, and its step (four or five ticks)."""
    if not value or value <= 0 or not math.isfinite(value):
        return 1.0, 0.25
    raw = value / 4
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    return step * math.ceil(value / step - 1e-9), step


def short_number(value: float) -> str:
    """Axis labels: 1,200,000 → 1.2M; a tick label has room for little."""
    a = abs(value)
    for div, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if a >= div:
            return f"{value / div:.3g}{suffix}"
    return f"{value:.3g}"


def _svg(width: int, height: int, title: str, body: list[str]) -> Markup:
    return Markup(
        f'<svg class="chart" viewBox="0 0 {width} {height:.0f}" role="img" xmlns="http://www.w3.org/2000/svg" '
        f'font-size="{FONT}" preserveAspectRatio="xMidYMid meet"><title>{escape(title)}</title>'
        + "".join(body)
        + "</svg>"
    )


def _text(x: float, y: float, text: str, anchor: str = "start", **attrs: str) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{escape(v)}"' for k, v in attrs.items())
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{extra}>{escape(text)}</text>'


def _legend(items: Sequence[tuple[str, str, bool]], x: float, y: float) -> list[str]:
    """(label, colour, is_line) swatches in a row."""
    out = []
    for label, colour, is_line in items:
        if is_line:
            out.append(
                f'<line x1="{x:.1f}" y1="{y - 4:.1f}" x2="{x + 14:.1f}" y2="{y - 4:.1f}" stroke="{colour}" stroke-width="2.5"/>'
            )
        else:
            out.append(f'<rect x="{x:.1f}" y="{y - 10:.1f}" width="12" height="12" fill="{colour}"/>')
        out.append(_text(x + 18, y, label))
        x += 30 + FONT * _width(label)
    return out


def _width(text: str) -> float:
    """Approximate text width in em: CJK characters are a full em, Latin about half."""
    return sum(1.0 if ord(ch) > 0x2E80 else 0.55 for ch in text)


def columns(
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None], str]],
    line: tuple[str, Sequence[float | None], str] | None = None,
    line_format: Callable[[float], str] | None = None,
) -> Markup:
    """Clustered columns (one cluster per category), with an optional line on a right-hand 0–max(100%) axis."""
    width, height, left, right, top, bottom = 520, 290, 52, 48 if line else 12, 34, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for _, vals, _ in series for v in vals if v is not None]
    top_value, step = nice_max(max([0.0] + values))
    low = min([0.0] + values)
    low_value = -step * math.ceil(-low / step) if low < 0 else 0.0
    span = top_value - low_value or 1.0
    y_of = lambda v: top + plot_h * (top_value - v) / span  # noqa: E731
    body = []
    tick = low_value
    while tick <= top_value + 1e-9:
        y = y_of(tick)
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{PALETTE["grid"]}"/>'
        )
        body.append(_text(left - 6, y + 4, short_number(tick), "end", fill=PALETTE["axis"]))
        tick += step
    n = max(1, len(categories))
    slot = plot_w / n
    bar = slot * 0.8 / max(1, len(series))
    for i, cat in enumerate(categories):
        x0 = left + i * slot + slot * 0.1
        for j, (_, vals, colour) in enumerate(series):
            v = vals[i]
            if v is None:
                continue
            y, y0 = y_of(max(v, 0.0)), y_of(min(v, 0.0))
            body.append(
                f'<rect x="{x0 + j * bar:.1f}" y="{y:.1f}" width="{bar * 0.92:.1f}" height="{max(y0 - y, 0.5):.1f}" fill="{colour}"/>'
            )
        if slot >= FONT * _width(cat) + 2 or i % max(2, math.ceil(FONT * _width(cat) / slot)) == 0:
            body.append(
                _text(left + i * slot + slot / 2, height - bottom + 18, cat, "middle", fill=PALETTE["axis"])
            )
    body.append(
        f'<line x1="{left}" y1="{y_of(0):.1f}" x2="{width - right}" y2="{y_of(0):.1f}" stroke="{PALETTE["axis"]}"/>'
    )
    legend = [(name, colour, False) for name, _, colour in series]
    if line:
        name, vals, colour = line
        line_top = max([1.0] + [v for v in vals if v is not None])
        ly = lambda v: top + plot_h * (1 - v / line_top)  # noqa: E731
        fmt = line_format or (lambda v: f"{v:.0%}")
        for k in range(5):
            v = line_top * k / 4
            body.append(_text(width - right + 6, ly(v) + 4, fmt(v), "start", fill=colour))
        points = [(left + i * slot + slot / 2, ly(v)) for i, v in enumerate(vals) if v is not None]
        if points:
            body.append(
                f'<polyline fill="none" stroke="{colour}" stroke-width="2.5" points="'
                + " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
                + '"/>'
            )
            body += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>' for x, y in points]
        legend.append((name, colour, True))
    body += _legend(legend, left, 18)
    return _svg(width, height, title, body)


def hbars(
    title: str,
    rows: Sequence[tuple[str, float, str]],
    colour: str = PALETTE["actual"],
    marks: Sequence[float | None] | None = None,
    mark_label: str | None = None,
    rest: bool = False,
) -> Markup:
    """Horizontal bars, one per (label, value, value text); optional marks (a guideline) as ticks on each bar.

    With ``rest`` the last row is "the others": it does not set the scale (13,000
    small customers would flatten the ten named ones to nothing); a longer bar
    is cut at the plot's edge and drawn with a break.
    """
    label_w = min(180, 12 + FONT * max([_width(r[0]) for r in rows] + [2]))
    width, row_h, top = 520, 28, 30 if marks else 8
    height = top + row_h * len(rows) + 8
    plot_w = width - label_w - 16 - FONT * max([_width(r[2]) for r in rows] + [2])
    scaled = rows[:-1] if rest and len(rows) > 1 else rows
    top_value = max([v for _, v, _ in scaled] + [m for m in (marks or []) if m is not None] + [0.0]) or 1.0
    body = []
    for i, (label, value, text) in enumerate(rows):
        y = top + i * row_h
        body.append(_text(label_w - 8, y + 19, label, "end"))
        w = plot_w * max(value, 0.0) / top_value
        cut = w > plot_w
        w = min(w, plot_w)
        body.append(
            f'<rect x="{label_w}" y="{y + 5}" width="{max(w, 0.5):.1f}" height="{row_h - 10}" fill="{colour}"/>'
        )
        if cut:  # a break: two white strokes across the bar
            for dx in (-0.22, -0.17):
                bx = label_w + plot_w * (1 + dx)
                body.append(
                    f'<line x1="{bx:.1f}" y1="{y + row_h - 3}" x2="{bx + 8:.1f}" y2="{y + 3}" stroke="#fff" stroke-width="3"/>'
                )
        body.append(_text(label_w + w + 6, y + 19, text, fill=PALETTE["axis"]))
        if marks and marks[i] is not None:
            mx = label_w + plot_w * marks[i] / top_value
            body.append(
                f'<line x1="{mx:.1f}" y1="{y + 1}" x2="{mx:.1f}" y2="{y + row_h - 1}" stroke="{PALETTE["line"]}" stroke-width="3"/>'
            )
    if marks and mark_label:
        body += _legend([(mark_label, PALETTE["line"], True)], label_w, 18)
    return _svg(width, height, title, body)


def funnel(title: str, rows: Sequence[tuple[str, float, str]]) -> Markup:
    """The funnel drawn as centred bands, wide end at the top (D) and the mouth (A) at the bottom."""
    width, row_h = 520, 40
    height = row_h * len(rows) + 10
    top_value = max([v for _, v, _ in rows] + [1.0])
    body = []
    colours = ("#bdd7ee", "#9db4d3", "#5b9bd5", "#2f5597")
    for i, (label, value, text) in enumerate(rows):
        y = 5 + i * row_h
        w = max(20.0, 260 * value / top_value)
        x = 220 - w / 2
        body.append(
            f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{row_h - 6}" rx="4" fill="{colours[i % len(colours)]}"/>'
        )
        body.append(_text(80, y + 22, label, "end", font_weight="bold"))
        body.append(_text(360, y + 22, text, "start", fill=PALETTE["axis"]))
    return _svg(width, height, title, body)


def scatter(
    title: str,
    points: Sequence[tuple[float, float, str, int]],
    threshold: float,
    x_label: str,
    y_label: str,
    quadrant_labels: dict[tuple[bool, bool], str],
) -> Markup:
    """Scores 1–5 on both axes with the high/low lines; points coloured by tier (1–4).

    quadrant_labels: {(x high, y high): text}.
    """
    width, height, left, top, size = 480, 430, 52, 12, 360
    x_of = lambda v: left + size * (v - 1) / 4  # noqa: E731
    y_of = lambda v: top + size * (5 - v) / 4  # noqa: E731
    body = [
        f'<rect x="{left}" y="{top}" width="{size}" height="{size}" fill="none" stroke="{PALETTE["axis"]}"/>'
    ]
    for v in (1, 2, 3, 4, 5):
        body.append(_text(x_of(v), top + size + 16, str(v), "middle", fill=PALETTE["axis"]))
        body.append(_text(left - 8, y_of(v) + 4, str(v), "end", fill=PALETTE["axis"]))
    tx, ty = x_of(threshold), y_of(threshold)
    body.append(
        f'<line x1="{tx:.1f}" y1="{top}" x2="{tx:.1f}" y2="{top + size}" stroke="{PALETTE["line"]}" stroke-dasharray="6 4"/>'
    )
    body.append(
        f'<line x1="{left}" y1="{ty:.1f}" x2="{left + size}" y2="{ty:.1f}" stroke="{PALETTE["line"]}" stroke-dasharray="6 4"/>'
    )
    for (x_high, y_high), text in quadrant_labels.items():  # in the outer corners, where points are rarest
        qx, anchor = (left + size - 6, "end") if x_high else (left + 6, "start")
        qy = top + 20 if y_high else top + size - 8
        body.append(_text(qx, qy, text, anchor, fill=PALETTE["muted"]))
    for x, y, label, tier in points:
        cx, cy = x_of(min(max(x, 1), 5)), y_of(min(max(y, 1), 5))
        colour = PALETTE["tiers"][(tier - 1) % 4] if tier else PALETTE["muted"]
        body.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="5" fill="{colour}"/>')
        if label:
            body.append(_text(cx + 7, cy - 6, label, font_size="12"))
    body.append(_text(left + size / 2, top + size + 38, x_label, "middle"))
    body.append(_text(16, top + size / 2, y_label, "middle", transform=f"rotate(-90 16 {top + size / 2})"))
    return _svg(width, height, title, body)
