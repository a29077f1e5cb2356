"""Server-rendered SVG bar charts (no JavaScript, no inline style: CSP-safe).

A chart is a ``markupsafe.Markup`` assembled only with ``Markup.format``, which escapes every
argument, so a label taken from a report or a build name can never inject markup. The chart is
one ``role="img"`` with an ``aria-label`` summary and a ``<title>``; pages show the numbers in a
table next to it for screen readers and for copying.

Texts arrive already translated: this module holds no messages (it sits outside the console and
portal folders, so a message here would land in the shared catalogue part)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup

# Colours as presentation attributes: the page CSS may override them, and a chart saved on its
# own still renders. Contrast of bars and text against white meets WCAG AA.
BAR_FILL = "#1d4ed8"
AXIS_STROKE = "#4b5563"
GRID_STROKE = "#d0d7de"
TEXT_FILL = "#1f2328"
MAX_LABEL_CHARS = 12
MAX_BAR_WIDTH = 48.0


@dataclass(frozen=True, slots=True)
class Bar:
    label: str  # short axis label
    value: int
    title: str = ""  # tooltip; defaults to "label: value"


def nice_ceiling(value: int, ticks: int = 4) -> tuple[int, int]:
    """An axis maximum at or above `value` and its tick step (1, 2 or 5 times a power of ten),
    so gridlines fall on round numbers. Counts are whole, so the step is at least 1."""
    value = max(int(value), 1)
    raw = value / ticks
    power = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    step = max(int(step), 1)
    return step * math.ceil(value / step), step


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"


def _num(value: float) -> str:
    """Coordinates with at most two decimals: short markup, stable test output."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    summary: str,
    x_label: str,
    y_label: str,
    number: Callable[[int], str] = str,
    width: int = 640,
    height: int = 260,
    max_labels: int = 8,
) -> Markup:
    """A vertical bar chart. `summary` is the spoken description (``aria-label``); `number`
    formats values for the reader's locale. Axis labels thin out so at most `max_labels` show,
    which keeps one bar and 200 bars equally legible."""
    left, right, top, bottom = 52, 12, 12, 56
    plot_w = width - left - right
    plot_h = height - top - bottom
    y_max, step = nice_ceiling(max((b.value for b in bars), default=0))
    parts: list[Markup] = [
        Markup(
            '<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" '
            'role="img" aria-label="{}" focusable="false">'
        ).format(width, height, summary),
        Markup("<title>{}</title>").format(title),
    ]
    # Gridlines and y-axis ticks.
    for tick in range(0, y_max + 1, step):
        y = top + plot_h - plot_h * tick / y_max
        parts.append(
            Markup('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>').format(
                left, _num(y), left + plot_w, _num(y), GRID_STROKE
            )
        )
        parts.append(
            Markup(
                '<text x="{}" y="{}" text-anchor="end" dominant-baseline="middle" fill="{}">'
                "{}</text>"
            ).format(left - 6, _num(y), TEXT_FILL, number(tick))
        )
    n = len(bars)
    if n:
        slot = plot_w / n
        gap = min(slot * 0.2, 6.0)
        # A few bars stay bar-shaped instead of filling the plot; 200 stay at least visible.
        bar_w = min(max(slot - gap, 0.5), MAX_BAR_WIDTH)
        label_every = max(1, math.ceil(n / max_labels))
        for i, bar in enumerate(bars):
            x = left + i * slot + (slot - bar_w) / 2
            h = plot_h * max(bar.value, 0) / y_max
            tip = bar.title or f"{bar.label}: {number(bar.value)}"
            parts.append(
                Markup(
                    '<rect class="bar" x="{}" y="{}" width="{}" height="{}" fill="{}">'
                    "<title>{}</title></rect>"
                ).format(_num(x), _num(top + plot_h - h), _num(bar_w), _num(h), BAR_FILL, tip)
            )
            if i % label_every == 0:
                parts.append(
                    Markup('<text x="{}" y="{}" text-anchor="middle" fill="{}">{}</text>').format(
                        _num(left + i * slot + slot / 2),
                        top + plot_h + 16,
                        TEXT_FILL,
                        _short(bar.label),
                    )
                )
    # Axes and their titles.
    parts.append(
        Markup('<path d="M{} {}V{}H{}" fill="none" stroke="{}" stroke-width="1"/>').format(
            left, top, top + plot_h, left + plot_w, AXIS_STROKE
        )
    )
    parts.append(
        Markup('<text class="axis" x="{}" y="{}" text-anchor="middle" fill="{}">{}</text>').format(
            _num(left + plot_w / 2), height - 8, TEXT_FILL, x_label
        )
    )
    parts.append(
        Markup(
            '<text class="axis" x="{}" y="{}" text-anchor="middle" fill="{}" '
            'transform="rotate(-90 {} {})">{}</text>'
        ).format(12, _num(top + plot_h / 2), TEXT_FILL, 12, _num(top + plot_h / 2), y_label)
    )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def day_buckets(
    counts: Mapping[date, int], start: date, end: date, max_bars: int = 200
) -> tuple[int, list[tuple[date, int]]]:
    """Counts per day from `start` to `end` inclusive, days without reports as zero. A span
    longer than `max_bars` days is grouped into buckets of whole weeks (or more) so a chart
    never gets thinner than `max_bars` bars. Returns (days per bucket, [(first day, count)])."""
    if end < start:
        start, end = end, start
    span = (end - start).days + 1
    size = 1 if span <= max_bars else 7 * math.ceil(span / (7 * max_bars))
    buckets: list[tuple[date, int]] = []
    day = start
    while day <= end:
        total = 0
        for offset in range(size):
            d = day + timedelta(days=offset)
            if d > end:
                break
            total += counts.get(d, 0)
        buckets.append((day, total))
        day += timedelta(days=size)
    return size, buckets


# -- lines and intervals (the install base page) ------------------------------------------------

# One colour per series, each at least 4.5:1 against white; series past the eighth reuse them
# (pages keep series few, and the legend and tooltips name each one).
SERIES_COLOURS = (
    "#1d4ed8",
    "#b91c1c",
    "#047857",
    "#7c3aed",
    "#b45309",
    "#0e7490",
    "#be185d",
    "#4b5563",
)
LEGEND_ITEM_WIDTH = 120


@dataclass(frozen=True, slots=True)
class Line:
    label: str  # legend text
    values: tuple[float, ...]  # one per x position
    title: str = ""  # tooltip; defaults to the label


@dataclass(frozen=True, slots=True)
class Interval:
    label: str  # short axis label
    value: float
    low: float
    high: float
    title: str = ""  # tooltip; defaults to "label: value [low, high]"


def nice_float_ceiling(value: float, ticks: int = 4) -> tuple[float, float]:
    """`nice_ceiling` for real values (rates, shares): an axis maximum at or above `value` and
    a tick step of 1, 2 or 5 times a power of ten."""
    if value <= 0:
        return 1.0, 0.25
    raw = value / ticks
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw * (1 - 1e-9))
    return step * math.ceil(value / step - 1e-9), step


def _frame(
    parts: list[Markup],
    *,
    plot: tuple[float, float, float, float],
    y_max: float,
    step: float,
    number: Callable[[float], str],
    x_label: str,
    y_label: str,
) -> None:
    """Gridlines, y ticks, axes and axis titles of a plot at (left, top, width, height)."""
    left, top, plot_w, plot_h = plot
    ticks = round(y_max / step)
    for i in range(ticks + 1):
        tick = step * i
        y = top + plot_h - plot_h * tick / y_max
        parts.append(
            Markup('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>').format(
                _num(left), _num(y), _num(left + plot_w), _num(y), GRID_STROKE
            )
        )
        parts.append(
            Markup(
                '<text x="{}" y="{}" text-anchor="end" dominant-baseline="middle" fill="{}">'
                "{}</text>"
            ).format(_num(left - 6), _num(y), TEXT_FILL, number(tick))
        )
    parts.append(
        Markup('<path d="M{} {}V{}H{}" fill="none" stroke="{}" stroke-width="1"/>').format(
            _num(left), _num(top), _num(top + plot_h), _num(left + plot_w), AXIS_STROKE
        )
    )
    parts.append(
        Markup('<text class="axis" x="{}" y="{}" text-anchor="middle" fill="{}">{}</text>').format(
            _num(left + plot_w / 2), _num(top + plot_h + 36), TEXT_FILL, x_label
        )
    )
    parts.append(
        Markup(
            '<text class="axis" x="{}" y="{}" text-anchor="middle" fill="{}" '
            'transform="rotate(-90 {} {})">{}</text>'
        ).format(12, _num(top + plot_h / 2), TEXT_FILL, 12, _num(top + plot_h / 2), y_label)
    )


def _open(width: int, height: int, title: str, summary: str) -> list[Markup]:
    return [
        Markup(
            '<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" '
            'role="img" aria-label="{}" focusable="false">'
        ).format(width, height, summary),
        Markup("<title>{}</title>").format(title),
    ]


def _x_labels(
    parts: list[Markup], labels: Sequence[str], xs: Sequence[float], y: float, max_labels: int
) -> None:
    every = max(1, math.ceil(len(labels) / max_labels))
    for i, (label, x) in enumerate(zip(labels, xs, strict=True)):
        if i % every == 0:
            parts.append(
                Markup('<text x="{}" y="{}" text-anchor="middle" fill="{}">{}</text>').format(
                    _num(x), _num(y), TEXT_FILL, _short(label)
                )
            )


def line_chart(
    lines: Sequence[Line],
    x_labels: Sequence[str],
    *,
    title: str,
    summary: str,
    x_label: str,
    y_label: str,
    number: Callable[[float], str] = str,
    y_max: float | None = None,
    width: int = 640,
    height: int = 260,
    max_labels: int = 6,
) -> Markup:
    """One line per series over the x positions (days), with a legend under the plot. Each
    point is also a dot while there are few, so a series of one day still shows."""
    left, right, top, bottom = 52, 12, 12, 56
    per_row = max(1, (width - left - right) // LEGEND_ITEM_WIDTH)
    legend_rows = math.ceil(len(lines) / per_row)
    total_h = height + 18 * legend_rows
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((v for line in lines for v in line.values), default=0.0)
    top_value, step = nice_float_ceiling(y_max if y_max is not None else peak)
    parts = _open(width, total_h, title, summary)
    _frame(
        parts,
        plot=(left, top, plot_w, plot_h),
        y_max=top_value,
        step=step,
        number=number,
        x_label=x_label,
        y_label=y_label,
    )
    n = len(x_labels)
    slot = plot_w / max(n, 1)
    xs = [left + slot * i + slot / 2 for i in range(n)]
    _x_labels(parts, x_labels, xs, top + plot_h + 16, max_labels)
    dots = n <= 40
    for k, line in enumerate(lines):
        colour = SERIES_COLOURS[k % len(SERIES_COLOURS)]
        ys = [top + plot_h - plot_h * max(v, 0.0) / top_value for v in line.values]
        points = " ".join(f"{_num(x)},{_num(y)}" for x, y in zip(xs, ys, strict=True))
        parts.append(
            Markup(
                '<polyline class="series" points="{}" fill="none" stroke="{}" '
                'stroke-width="2"><title>{}</title></polyline>'
            ).format(points, colour, line.title or line.label)
        )
        if dots:
            for x, y in zip(xs, ys, strict=True):
                parts.append(
                    Markup('<circle cx="{}" cy="{}" r="2.5" fill="{}"/>').format(
                        _num(x), _num(y), colour
                    )
                )
        row, col = divmod(k, per_row)
        lx, ly = left + col * LEGEND_ITEM_WIDTH, height + 18 * row
        parts.append(
            Markup(
                '<g class="legend"><rect x="{}" y="{}" width="12" height="4" fill="{}"/>'
                '<text x="{}" y="{}" dominant-baseline="middle" fill="{}">{}</text></g>'
            ).format(_num(lx), _num(ly - 2), colour, _num(lx + 16), _num(ly), TEXT_FILL, line.label)
        )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def interval_chart(
    points: Sequence[Interval],
    *,
    title: str,
    summary: str,
    x_label: str,
    y_label: str,
    number: Callable[[float], str] = str,
    width: int = 640,
    height: int = 260,
    max_labels: int = 8,
) -> Markup:
    """A dot per category at its value, with a whisker from `low` to `high` (an interval)."""
    left, right, top, bottom = 52, 12, 12, 56
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value, step = nice_float_ceiling(max((p.high for p in points), default=0.0))
    parts = _open(width, height, title, summary)
    _frame(
        parts,
        plot=(left, top, plot_w, plot_h),
        y_max=top_value,
        step=step,
        number=number,
        x_label=x_label,
        y_label=y_label,
    )
    n = len(points)
    slot = plot_w / max(n, 1)
    xs = [left + slot * i + slot / 2 for i in range(n)]
    _x_labels(parts, [p.label for p in points], xs, top + plot_h + 16, max_labels)
    cap = min(slot * 0.3, 8.0)

    def y(value: float) -> str:
        return _num(top + plot_h - plot_h * max(value, 0.0) / top_value)

    for p, x in zip(points, xs, strict=True):
        tip = p.title or f"{p.label}: {number(p.value)} [{number(p.low)}, {number(p.high)}]"
        parts.append(
            Markup(
                '<g class="interval"><title>{}</title>'
                '<path d="M{} {}V{}M{} {}H{}M{} {}H{}" stroke="{}" stroke-width="1.5" '
                'fill="none"/><circle cx="{}" cy="{}" r="4" fill="{}"/></g>'
            ).format(
                tip,
                _num(x),
                y(p.low),
                y(p.high),
                _num(x - cap),
                y(p.low),
                _num(x + cap),
                _num(x - cap),
                y(p.high),
                _num(x + cap),
                AXIS_STROKE,
                _num(x),
                y(p.value),
                BAR_FILL,
            )
        )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)
