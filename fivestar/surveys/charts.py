"""Charts of the analysis and the review as server-rendered SVG (DESIGN: charts offline, Chinese
labels readable): no script, no outside request, no inline style (CSP) — only SVG attributes.
The text is escaped; the numbers are the figures' own."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from fivestar.surveys.models import DIMENSIONS, Dimension

#: One colour per dimension, distinguishable and dark enough on white.
COLOURS = {"timeliness": "#1f5fbf", "ability": "#b35900", "attitude": "#2e7d32",
           "professionalism": "#7b1fa2", "communication": "#c62828"}
FONT = ('font-family="system-ui, \'PingFang SC\', \'Microsoft YaHei\', '
        '\'Noto Sans CJK SC\', sans-serif"')


def dimension_bars(means: dict[str, float | None], *, threshold: float = 7.0,
                   title: str = "") -> SafeString:
    """Horizontal bars of the five dimension means on a 0–10 scale, with the threshold line."""
    width, left, row, top = 560, 130, 34, 28
    scale = (width - left - 50) / 10
    height = top + row * len(DIMENSIONS) + 24
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'role="img" aria-label="{escape(title)}" class="chart chart-bars" {FONT}>']
    if title:
        parts.append(f'<text x="0" y="16" font-size="14" font-weight="600">{escape(title)}</text>')
    for i, d in enumerate(DIMENSIONS):
        y = top + i * row
        value = means.get(d)
        parts.append(f'<text x="{left - 8}" y="{y + 19}" font-size="13" text-anchor="end">'
                     f'{escape(Dimension(d).label)}</text>')
        if value is not None:
            w = max(1.0, value * scale)
            fill = "#c62828" if value < threshold else COLOURS[d]
            parts.append(f'<rect x="{left}" y="{y + 5}" width="{w:.1f}" height="20" '
                         f'fill="{fill}"/>')
            parts.append(f'<text x="{left + w + 6:.1f}" y="{y + 20}" font-size="13">'
                         f'{value:.2f}</text>')
        else:
            parts.append(f'<text x="{left}" y="{y + 20}" font-size="13" fill="#555">—</text>')
    x = left + threshold * scale
    parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{height - 20}" '
                 f'stroke="#333" stroke-dasharray="4 3"/>')
    parts.append(f'<text x="{x:.1f}" y="{height - 6}" font-size="11" text-anchor="middle">'
                 f'{threshold:.1f}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # built from escaped text and numbers


def trend_lines(labels: list[str], series: dict[str, list[float | None]], *,
                title: str = "") -> SafeString:
    """One line per dimension over the periods (``labels``), 0–10 scale from 5 up, with a
    legend; a period without a fit sample leaves a gap."""
    width, height, left, right, top, bottom = 620, 260, 40, 130, 28, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    low, high = 5.0, 10.0

    def x(i: int) -> float:
        return left + (plot_w * i / max(1, len(labels) - 1))

    def y(v: float) -> float:
        return top + plot_h * (1 - (min(max(v, low), high) - low) / (high - low))

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'role="img" aria-label="{escape(title)}" class="chart chart-trend" {FONT}>']
    if title:
        parts.append(f'<text x="0" y="16" font-size="14" font-weight="600">{escape(title)}</text>')
    for tick in (5, 6, 7, 8, 9, 10):
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(tick):.1f}" '
                     f'y2="{y(tick):.1f}" stroke="{"#999" if tick == 7 else "#e2e2e2"}"/>')
        parts.append(f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" font-size="11" '
                     f'text-anchor="end">{tick}</text>')
    for i, label in enumerate(labels):
        parts.append(f'<text x="{x(i):.1f}" y="{height - 10}" font-size="11" '
                     f'text-anchor="middle">{escape(label)}</text>')
    for n, d in enumerate(DIMENSIONS):
        values = series.get(d, [])
        segment: list[str] = []
        segments: list[list[str]] = []
        for i, v in enumerate(values):
            if v is None:
                if segment:
                    segments.append(segment)
                segment = []
                continue
            segment.append(f"{x(i):.1f},{y(v):.1f}")
            parts.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="{COLOURS[d]}"/>')
        if segment:
            segments.append(segment)
        for points in segments:
            parts.append(f'<polyline points="{" ".join(points)}" fill="none" '
                         f'stroke="{COLOURS[d]}" stroke-width="2"/>')
        ly = top + 16 * n
        parts.append(f'<rect x="{width - right + 12}" y="{ly}" width="12" height="12" '
                     f'fill="{COLOURS[d]}"/>')
        parts.append(f'<text x="{width - right + 30}" y="{ly + 11}" font-size="12">'
                     f'{escape(Dimension(d).label)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # built from escaped text and numbers
