"""Small SVG charts for the PDF report (a PDF runs no JavaScript, so ECharts cannot draw there): grouped bars and
lines over a few categories, with axes, grid lines, a legend and the values' scale. Plain strings of SVG markup,
escaped here, inlined in the print template."""

from __future__ import annotations

import math
from html import escape

PALETTE = ["#b71c1c", "#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#5d4037", "#455a64"]
WIDTH, HEIGHT = 680, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 16, 86
FONT = "WenQuanYi Micro Hei, sans-serif"

Series = tuple[str, list[float | None]]


def _nice_max(value: float, percent: bool) -> float:
    if percent:
        return 1.0 if value <= 1 else math.ceil(value * 10) / 10
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _label(value: float, percent: bool) -> str:
    if percent:
        return f"{value * 100:.0f}%"
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


def _frame(categories: list[str], top: float, percent: bool, title: str) -> list[str]:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'role="img" aria-label="{escape(title)}" font-family="{FONT}" font-size="10">',
        f"<title>{escape(title)}</title>",
    ]
    for step in range(5):
        value = top * step / 4
        y = TOP + plot_h - plot_h * step / 4
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + plot_w}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(
            f'<text x="{LEFT - 4}" y="{y + 3:.1f}" text-anchor="end" fill="#444">{_label(value, percent)}</text>'
        )
    parts.append(f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" stroke="#666"/>')
    slot = plot_w / max(len(categories), 1)
    for index, category in enumerate(categories):
        x = LEFT + slot * (index + 0.5)
        y = TOP + plot_h + 12
        parts.append(
            f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="end" fill="#333" '
            f'transform="rotate(-35 {x:.1f} {y:.1f})">{escape(category)}</text>'
        )
    return parts


def _legend(series: list[Series], parts: list[str]) -> None:
    x, y = LEFT, HEIGHT - 10
    for index, (label, _values) in enumerate(series):
        color = PALETTE[index % len(PALETTE)]
        parts.append(f'<rect x="{x}" y="{y - 8}" width="10" height="10" fill="{color}"/>')
        parts.append(f'<text x="{x + 14}" y="{y + 1}" fill="#222">{escape(label)}</text>')
        x += 24 + 11 * len(label)
        if x > WIDTH - 120:
            x, y = LEFT, y + 14


def _top(series: list[Series], percent: bool) -> float:
    values = [v for _label_, vs in series for v in vs if v is not None]
    return _nice_max(max(values, default=0), percent)


def bar_chart(categories: list[str], series: list[Series], *, title: str, percent: bool = False) -> str:
    """Grouped columns: one group per category, one column per series (a missing value draws nothing)."""
    top = _top(series, percent)
    parts = _frame(categories, top, percent, title)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(categories), 1)
    width = slot * 0.8 / max(len(series), 1)
    for s_index, (_name, values) in enumerate(series):
        color = PALETTE[s_index % len(PALETTE)]
        for c_index, value in enumerate(values):
            if not value:
                continue
            height = plot_h * min(value, top) / top
            x = LEFT + slot * c_index + slot * 0.1 + width * s_index
            y = TOP + plot_h - height
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" fill="{color}">'
                f"<title>{escape(_label(value, percent))}</title></rect>"
            )
    _legend(series, parts)
    parts.append("</svg>")
    return "".join(parts)


def line_chart(categories: list[str], series: list[Series], *, title: str, percent: bool = False) -> str:
    """One line per series with a dot at each value; a missing value breaks the line."""
    top = _top(series, percent)
    parts = _frame(categories, top, percent, title)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(categories), 1)
    for s_index, (_name, values) in enumerate(series):
        color = PALETTE[s_index % len(PALETTE)]
        runs: list[list[tuple[float, float]]] = [[]]
        for c_index, value in enumerate(values):
            if value is None:
                runs.append([])
                continue
            x = LEFT + slot * (c_index + 0.5)
            y = TOP + plot_h - plot_h * min(value, top) / top
            runs[-1].append((x, y))
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{color}"/>')
        for run in runs:
            if len(run) > 1:
                points = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                parts.append(f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="2"/>')
    _legend(series, parts)
    parts.append("</svg>")
    return "".join(parts)
