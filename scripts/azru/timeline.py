"""The timeline figure: events by date and type as plain SVG, written by hand so the bytes are reproducible.

Each event is a dot at its earliest possible day in its type's row; when the date is not exact, a faint
bar runs on to the latest possible day, so imprecision stays visible instead of looking like a point.
Drawn from the typed frames (azru.typed) of TABLES, by `azru build` and `azru schemas` alike.
"""

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from azru.edtf_dates import LATEST

if TYPE_CHECKING:  # only the frames' methods are called: drawing needs no polars of its own
    import polars as pl

TITLE = "Events by date and type"
WIDTH = 900
ROW_HEIGHT = 20
TOP = 48  # room for the title
BOTTOM = 44  # room for the year labels
LINE_HEIGHT = 18  # of each caption line
RIGHT = 24
CHAR_WIDTH = 6.6  # average width of a 12 px sans-serif character, to fit the row labels
MAX_TICKS = 12
INK, GRID, BAND = "#1d4ed8", "#d1d5db", "#f3f4f6"
TABLES = ("events", "event_types")  # the typed frames the figure is drawn from
# wider than this (unknown year, open interval) a date cannot be placed on the axis
PLOTTABLE_SPAN = timedelta(days=3653)


@dataclass(frozen=True)
class Point:
    lower: date
    upper: date
    label: str  # the event type's label: the row it is drawn in


def figure(frames: Mapping[str, "pl.DataFrame"]) -> str:
    """The figure of the events in `frames`, a row for each event type in the codelist's order."""
    events, types = frames["events"], frames["event_types"]
    labels = dict(types.select("code", "label").iter_rows())
    rows = events.select("event_type", "date_lower", "date_upper").iter_rows()
    # an event whose type has no label (a code no codelist row has, or a row without one) goes under its code
    points = [
        Point(lower, upper, labels.get(kind) or kind or "(no type)")
        for kind, lower, upper in rows
        if lower is not None and upper is not None and upper - lower <= PLOTTABLE_SPAN
    ]
    order = [labels[code] for code in types["code"]]
    return render(points, order, undated=events.height - len(points))


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def caption(shown: int, undated: int) -> list[str]:
    """The lines under the figure (each short enough for its width)."""
    lines = [
        f"{plural(shown, 'dated event')}, each at its earliest possible day; "
        "a bar runs on to the latest possible day when the date is inexact."
        if shown
        else "No dated events yet."
    ]
    if undated:
        lines.append(
            f"{plural(undated, 'event')} without a date, or dated too loosely to place "
            "(unknown year, open interval, over ten years), not shown."
        )
    return lines


def render(points: Sequence[Point], order: Sequence[str], undated: int) -> str:
    """The figure for `points`, rows in the order of `order` (labels with no point are left out)."""
    counts = Counter(p.label for p in points)
    rows = [label for label in order if counts[label]] + sorted(set(counts) - set(order))
    row_labels = [f"{label} ({counts[label]})" for label in rows]
    left = 16 + math.ceil(CHAR_WIDTH * max((len(t) for t in row_labels), default=0))
    bottom = TOP + ROW_HEIGHT * len(rows)
    lines = caption(len(points), undated)
    height = bottom + BOTTOM + LINE_HEIGHT * len(lines)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="title desc" '
        'font-family="sans-serif" font-size="12">',
        f'<title id="title">{TITLE}</title>',
        f'<desc id="desc">{escape(" ".join(lines))}</desc>',
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        f'<text x="16" y="26" font-size="16" font-weight="bold">{TITLE}</text>',
    ]
    if points:
        scale = Scale.fitting(points, left, WIDTH - RIGHT)
        parts += bands(row_labels, left, WIDTH - RIGHT)
        parts += axis(scale, bottom)
        parts += dots(points, rows, scale)
    for index, line in enumerate(lines):
        parts.append(f'<text x="16" y="{bottom + BOTTOM + LINE_HEIGHT * index}">{escape(line)}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


@dataclass(frozen=True)
class Scale:
    """Days to x positions over whole years."""

    start: date
    end: date
    left: float
    right: float

    @classmethod
    def fitting(cls, points: Sequence[Point], left: float, right: float) -> "Scale":
        # an open end (LATEST) would stretch the axis to the year 9999; its bar is cut at the edge
        last = max([p.lower for p in points] + [p.upper for p in points if p.upper < LATEST])
        first = min(p.lower for p in points)
        end = date(last.year + 1, 1, 1) if last.year < LATEST.year else LATEST  # there is no year 10000
        return cls(date(first.year, 1, 1), end, left, right)

    def x(self, day: date) -> float:
        day = min(max(day, self.start), self.end)
        share = (day - self.start).days / (self.end - self.start).days
        return self.left + share * (self.right - self.left)


def row_y(index: int) -> float:
    return TOP + ROW_HEIGHT * index + ROW_HEIGHT / 2


def bands(row_labels: Sequence[str], left: float, right: float) -> list[str]:
    parts = []
    for index, label in enumerate(row_labels):
        if index % 2 == 0:
            parts.append(
                f'<rect x="{left}" y="{TOP + ROW_HEIGHT * index}" width="{right - left:.1f}" '
                f'height="{ROW_HEIGHT}" fill="{BAND}"/>'
            )
        parts.append(f'<text x="{left - 8}" y="{row_y(index) + 4:.1f}" text-anchor="end">{escape(label)}</text>')
    return parts


def axis(scale: Scale, bottom: float) -> list[str]:
    years = range(scale.start.year, scale.end.year + 1)
    step = math.ceil(len(years) / MAX_TICKS)
    parts = []
    for year in years[::step]:
        x = scale.x(date(year, 1, 1))
        parts.append(f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{bottom}" stroke="{GRID}"/>')
        parts.append(f'<text x="{x:.1f}" y="{bottom + 16}" text-anchor="middle">{year}</text>')
    return parts


def dots(points: Sequence[Point], rows: Sequence[str], scale: Scale) -> list[str]:
    parts = [f'<g fill="{INK}" stroke="{INK}">']
    for point in sorted(points, key=lambda p: (rows.index(p.label), p.lower, p.upper)):
        x, y = scale.x(point.lower), row_y(rows.index(point.label))
        when = point.lower.isoformat()
        if point.upper > point.lower:
            end = scale.x(point.upper)
            when += f" to {point.upper.isoformat()}" if point.upper < LATEST else " onwards (open end)"
            parts.append(
                f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{end:.1f}" y2="{y:.1f}" stroke-width="4" '
                'stroke-opacity="0.25" stroke-linecap="round"/>'
            )
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill-opacity="0.7" stroke="none">'
            f"<title>{escape(point.label)}: {when}</title></circle>"
        )
    parts.append("</g>")
    return parts
