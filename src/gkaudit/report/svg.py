"""Inline SVG charts for the HTML report: no script, no external resource, readable on paper.

Pure functions from numbers to SVG text; every label is escaped.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

STATUS_COLORS = {
    "pass": "#2e7d32", "warn": "#f9a825", "fail": "#c62828", "error": "#6a1b9a",
    "inconclusive": "#78909c", "skipped": "#cfd8dc", "waived": "#0277bd",
}
LINE_COLORS = ["#1565c0", "#ef6c00", "#2e7d32", "#6a1b9a", "#00838f", "#ad1457", "#5d4037", "#455a64"]


@dataclass(frozen=True)
class StackedRow:
    """One bar: a label and the count of each status, drawn in STATUS_COLORS order."""

    label: str
    counts: dict[str, int]
    note: str = ""  # printed at the right end, e.g. "通过率 80%"


def stacked_bars(rows: list[StackedRow], width: int = 720, bar_height: int = 22, label_width: int = 170) -> str:
    """Horizontal 100% stacked bars, one per row, each segment titled with its status and count."""
    gap = 10
    note_width = 110
    plot = width - label_width - note_width
    height = len(rows) * (bar_height + gap) + gap + 24
    parts = [_svg_open(width, height, "各检查项结果分布 / results per check")]
    for index, row in enumerate(rows):
        y = gap + index * (bar_height + gap)
        total = sum(row.counts.values())
        parts.append(_text(label_width - 8, y + bar_height * 0.7, row.label, anchor="end"))
        x = float(label_width)
        for status, color in STATUS_COLORS.items():
            count = row.counts.get(status, 0)
            if not count or not total:
                continue
            segment = plot * count / total
            parts.append(f'<rect x="{x:.1f}" y="{y}" width="{segment:.1f}" height="{bar_height}" fill="{color}">'
                         f"<title>{escape(status)}: {count}</title></rect>")
            if segment >= 18:
                parts.append(_text(x + segment / 2, y + bar_height * 0.7, str(count), anchor="middle",
                                   fill="#fff" if status not in ("warn", "skipped") else "#222"))
            x += segment
        if not total:
            parts.append(f'<rect x="{label_width}" y="{y}" width="{plot}" height="{bar_height}" fill="#eceff1"/>')
        parts.append(_text(label_width + plot + 8, y + bar_height * 0.7, row.note))
    parts.append(_legend(gap + len(rows) * (bar_height + gap) + 6, label_width))
    parts.append("</svg>")
    return "".join(parts)


def _legend(y: float, x0: float) -> str:
    parts = []
    x = x0
    for status, color in STATUS_COLORS.items():
        parts.append(f'<rect x="{x}" y="{y}" width="10" height="10" fill="{color}"/>')
        parts.append(_text(x + 14, y + 9, status, size=11))
        x += 14 + 8 * len(status) + 14
    return "".join(parts)


@dataclass(frozen=True)
class Series:
    """One line of a trend chart: a name and a value in [0, 1] (or None: no data) per point."""

    name: str
    values: list[float | None]


def line_chart(points: list[str], series: list[Series], width: int = 720, height: int = 260) -> str:
    """A line chart of rates (0–100%) over `points` (x labels, e.g. dates), with a legend."""
    left, right, top, bottom = 48, 16, 14, 44
    legend_rows = (len(series) + 3) // 4
    total_height = height + legend_rows * 18
    plot_w, plot_h = width - left - right, height - top - bottom
    parts = [_svg_open(width, total_height, "通过率趋势 / pass-rate trend")]
    for tick in range(0, 101, 25):
        y = top + plot_h * (1 - tick / 100)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#e0e0e0"/>')
        parts.append(_text(left - 6, y + 4, f"{tick}%", anchor="end", size=11))

    def x_of(index: int) -> float:
        return left + (plot_w * index / (len(points) - 1) if len(points) > 1 else plot_w / 2)

    # Many points: label every n-th so dates do not overlap (about 70 px each).
    every = max(1, -(-len(points) * 70 // plot_w))
    points = [p if i % every == 0 or i == len(points) - 1 else "" for i, p in enumerate(points)]

    for index, label in enumerate(points):  # the outer labels stay inside the chart
        anchor = "middle" if len(points) == 1 or 0 < index < len(points) - 1 else "start" if index == 0 else "end"
        parts.append(_text(x_of(index), top + plot_h + 18, label, anchor=anchor, size=11))
    for number, line in enumerate(series):
        color = LINE_COLORS[number % len(LINE_COLORS)]
        coords = [(x_of(i), top + plot_h * (1 - v)) for i, v in enumerate(line.values) if v is not None]
        stroke = 3 if number == 0 else 1.6
        if len(coords) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="{stroke}"/>')
        for (x, y), value in zip(coords, [v for v in line.values if v is not None], strict=True):
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}">'
                         f"<title>{escape(line.name)}: {value:.0%}</title></circle>")
        lx = left + (number % 4) * (plot_w / 4)
        ly = height + (number // 4) * 18
        parts.append(f'<rect x="{lx:.1f}" y="{ly - 9}" width="14" height="4" fill="{color}"/>')
        parts.append(_text(lx + 18, ly - 4, line.name, size=11))
    parts.append("</svg>")
    return "".join(parts)


def _svg_open(width: int, height: float, title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height:.0f}" width="100%" '
            f'role="img" aria-label="{escape(title)}" class="chart"><title>{escape(title)}</title>')


def _text(x: float, y: float, text: str, anchor: str = "start", size: int = 12, fill: str = "#222") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}">'
            f"{escape(text)}</text>")
