"""Line charts as inline SVG, drawn on the server (no JavaScript, readable as a table too)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape

from markupsafe import Markup

__all__ = ["Series", "line_chart"]

WIDTH, HEIGHT = 560, 190
LEFT, RIGHT, TOP, BOTTOM = 52, 12, 12, 30
COLOURS = ("#2563eb", "#d97706", "#059669")


@dataclass
class Series:
    label: str
    values: list[float | None]  # one per bucket; None = no data in that bucket


def _scale_max(series: list[Series], fixed: float | None) -> float:
    if fixed is not None:
        return fixed
    top = max((v for s in series for v in s.values if v is not None), default=0.0)
    return top * 1.1 if top > 0 else 1.0


def _number(value: float, unit: str) -> str:
    return f"{value:.0f}{unit}" if value >= 10 or value == 0 else f"{value:.1f}{unit}"


def line_chart(
    title: str, starts: list[datetime], series: list[Series], *, unit: str, top: float | None
) -> Markup:
    """An accessible SVG: title, y gridlines, one polyline per series, gaps where no data."""
    high = _scale_max(series, top)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(starts) - 1, 1)

    def x(i: int) -> float:
        return LEFT + i * step

    def y(v: float) -> float:
        return TOP + plot_h - (v / high) * plot_h

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for k in range(5):
        value = high * k / 4
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" '
            f'y2="{y(value):.1f}"/><text class="tick" x="{LEFT - 6}" y="{y(value) + 4:.1f}" '
            f'text-anchor="end">{escape(_number(value, unit))}</text>'
        )
    last = len(starts) - 1
    for i in sorted({0, last // 2, last}) if starts else ():
        anchor = "start" if i == 0 else "end" if i == last else "middle"
        parts.append(
            f'<text class="tick" x="{x(i):.1f}" y="{HEIGHT - 10}" text-anchor="{anchor}">'
            f"{starts[i].strftime('%m-%d %H:%M')}</text>"
        )
    for colour, line in zip(COLOURS, series, strict=False):
        for run in _runs(line.values):
            points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in run)
            parts.append(f'<polyline fill="none" stroke="{colour}" points="{points}"/>')
            parts += [
                f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="2.5" fill="{colour}"/>' for i, v in run
            ]
    parts.append("</svg>")
    return Markup("".join(parts))


def _runs(values: list[float | None]) -> list[list[tuple[int, float]]]:
    """Consecutive buckets with data; a bucket without data breaks the line."""
    runs: list[list[tuple[int, float]]] = [[]]
    for i, value in enumerate(values):
        if value is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append((i, value))
    return [run for run in runs if run]
