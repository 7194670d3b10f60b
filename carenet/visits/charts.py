"""Small charts drawn on the server as inline SVG: no script, no chart library.

A volunteer's phone on a weak signal should not download a charting library to see whether a
household's life got better. These functions only work out geometry: where each point, line,
grid line and label goes inside a fixed viewBox. `visits/_chart.html` turns a LineChart into
SVG markup (so that Django escapes every label), and `visits/activity.html` draws a BarChart.
The viewBox scales to the width of its box, so one chart serves 360 px and 1280 px alike.

Time runs along x in proportion to the dates, so two assessments a week apart sit close and a
gap of a year looks like one. A value that is missing (a dimension with no applicable
indicator that time) breaks the line instead of drawing through it.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from carenet.core import thaidate
from carenet.core.periods import short_month


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    value: int
    label: str  # the date, for the tooltip
    low: bool = False  # below the pass line


@dataclass(frozen=True)
class Tick:
    position: float
    label: str
    anchor: str = "middle"  # SVG text-anchor, so that the labels at the edges stay inside


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    segments: list[str]  # each an SVG polyline "x,y x,y ..."
    points: list[Point]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    threshold: float | None  # y of the pass line, when there is one

    @property
    def last(self) -> Point | None:
        return self.points[-1] if self.points else None

    @property
    def value_anchor(self) -> str:
        """Where the latest value's label sits: beside the point, inside the chart."""
        last = self.last
        return "end" if last is not None and last.x > self.right - 16 else "middle"

    @property
    def value_dy(self) -> int:
        """Above the point, or below it when the point is at the very top."""
        last = self.last
        return 18 if last is not None and last.y < self.top + 16 else -9

    @property
    def y_label_x(self) -> float:
        return self.left - 6

    @property
    def x_label_y(self) -> float:
        return self.height - 6


def _scale(value: float, low: float, high: float, start: float, end: float) -> float:
    if high == low:
        return (start + end) / 2
    return start + (value - low) * (end - start) / (high - low)


def _spread_ticks(candidates: list[Tick], min_gap: float) -> list[Tick]:
    """Keeps the first and the last label and as many between as fit without touching."""
    if len(candidates) <= 1:
        return candidates
    kept = [candidates[0]]
    last = candidates[-1]
    for tick in candidates[1:-1]:
        if (
            tick.position - kept[-1].position >= min_gap
            and last.position - tick.position >= min_gap
        ):
            kept.append(tick)
    if last.position - kept[-1].position >= min_gap:
        kept.append(last)
    elif len(kept) > 1:
        kept[-1] = last
    return kept


def line_chart(
    values: Sequence[tuple[date, int | None]],
    *,
    width: int = 320,
    height: int = 150,
    y_max: int = 100,
    threshold: int | None = None,
) -> LineChart:
    """A line over time for values 0..y_max; None leaves a gap in the line."""
    left, right, top, bottom = 34.0, width - 12.0, 10.0, height - 24.0
    days = [d.toordinal() for d, _ in values]
    first, last = (min(days), max(days)) if days else (0, 0)
    segments: list[str] = []
    points: list[Point] = []
    current: list[str] = []
    for day, value in values:
        if value is None:
            if current:
                segments.append(" ".join(current))
            current = []
            continue
        x = round(_scale(day.toordinal(), first, last, left, right), 1)
        y = round(_scale(max(0, min(value, y_max)), 0, y_max, bottom, top), 1)
        below = threshold is not None and value < threshold
        points.append(Point(x, y, value, thaidate.format_short(day), below))
        current.append(f"{x},{y}")
    if current:
        segments.append(" ".join(current))
    segments = [s for s in segments if " " in s]  # a lone point is drawn as its dot only
    y_ticks = [
        Tick(round(_scale(v, 0, y_max, bottom, top), 1), str(v)) for v in (0, y_max // 2, y_max)
    ]
    x_candidates: list[Tick] = []
    for day, _value in values:
        x = round(_scale(day.toordinal(), first, last, left, right), 1)
        anchor = "end" if x > right - 24 else "start" if x < left + 24 else "middle"
        tick = Tick(x, short_month(day), anchor)
        if not x_candidates or x_candidates[-1].label != tick.label:
            x_candidates.append(tick)
    return LineChart(
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        segments=segments,
        points=points,
        y_ticks=y_ticks,
        x_ticks=_spread_ticks(x_candidates, min_gap=58),
        threshold=(
            round(_scale(threshold, 0, y_max, bottom, top), 1) if threshold is not None else None
        ),
    )


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: float
    label: str
    text: str  # the value as shown above the bar

    @property
    def center(self) -> float:
        return round(self.x + self.width / 2, 1)


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    baseline: float
    bars: list[Bar]


def bar_chart(
    values: Sequence[tuple[str, float]],
    *,
    width: int = 320,
    height: int = 130,
    value_format: str = "{:g}",
) -> BarChart:
    """Bars for labelled values (months, say), scaled to the largest; zero is a flat line."""
    top, baseline = 16.0, height - 22.0
    count = max(len(values), 1)
    slot = (width - 4) / count
    largest = max((v for _, v in values), default=0) or 1
    bars = []
    for index, (label, value) in enumerate(values):
        bar_height = round((baseline - top) * value / largest, 1)
        bars.append(
            Bar(
                x=round(2 + index * slot + slot * 0.15, 1),
                y=round(baseline - bar_height, 1),
                width=round(slot * 0.7, 1),
                height=bar_height,
                value=value,
                label=label,
                text=value_format.format(value) if value else "",
            )
        )
    return BarChart(width=width, height=height, baseline=baseline, bars=bars)
