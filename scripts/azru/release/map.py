"""The map of events: a circle for each place events happened at, on the gazetteer's point, its area growing
with the people killed there (UCDP style), over country outlines (azru.release.outlines).

Plain SVG written by hand, so the bytes are reproducible. The projection is equirectangular over the box of
the points, widened by a margin to whole degrees, at a whole number of pixels a degree: a circle's centre is
then an exact decimal of its point's hundred-thousandths of a degree, written out in full, so it stands
exactly on the gazetteer's point.
"""

import math
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import polars as pl

from azru.figures import Row, estimate, event_figures
from azru.release import outlines

TITLE = "Events by place"
KILLED = "killed"  # the measure the circles are sized by
# The coordinate precision of a place's own point; a point of any other stands in for a region or country.
OWN_POINT = "place-point"
E5 = 100_000  # coordinates are stored in hundred-thousandths of a degree
WHOLE = re.compile(r"-?[0-9]{1,12}")
WIDTH = 960
PAD = 16
TOP = 48  # room for the title
MAP_HEIGHT = 560  # at most
MARGIN = 3  # degrees around the points
MAX_SCALE = 200  # pixels a degree, for a map of one place
R_MIN, R_MAX = 3.5, 18.0  # the circle of no death stated, and of the most people killed
LINE_HEIGHT = 18  # of each caption line
LABEL_HEIGHT = 13
CHAR_WIDTH = 6.1  # average width of an 11 px sans-serif character, to keep labels apart
INK, OUTLINE, FRAME = "#b91c1c", "#9ca3af", "#6b7280"
COLUMNS = {
    "events": ("event_id", "place_id"),
    "places": ("place_id", "name", "country", "latitude_e5", "longitude_e5", "coordinate_precision"),
    "claims": ("claim_id", "measure", "value_min", "value_max", "value_qualifier", "status"),
    "claim_links": ("claim_id", "event_id"),
}
TABLES = tuple(COLUMNS)  # the typed frames the map is drawn from
MAX_STEPS = 6  # lines a label may move up or down to stay clear of others
Box = tuple[float, float, float, float]  # left, top, right, bottom


@dataclass(frozen=True)
class Place:
    place_id: str
    name: str
    country: str
    latitude_e5: int
    longitude_e5: int
    own_point: bool  # the gazetteer's point for the place itself, not a town or capital standing in for it
    events: int
    killed: int  # best estimate of the deadliest event there; 0 when none has one

    def sentence(self) -> str:
        where = f"{self.name} ({self.country})" if self.own_point else f"{self.name} ({self.country}, a stand-in point)"
        events = "1 event" if self.events == 1 else f"{self.events} events"
        return f"{where}: {events}, {f'{self.killed} killed' if self.killed else 'no death stated'}"


def event_map(frames: Mapping[str, pl.DataFrame]) -> str:
    """The map of the events in `frames` (the tables of TABLES; a missing table or column leaves its part out)."""
    found = places(frames)
    events = frames["events"].height if "events" in frames else 0
    return render(found, unplaced=events - sum(place.events for place in found), countries=outlines.countries())


def rows(frames: Mapping[str, pl.DataFrame], table: str, keep: pl.Expr) -> Sequence[Row]:
    """The columns the map reads of the rows of `table` that `keep` selects, as text (filtered before they
    become dicts, so a package of a million unplaced events costs little); none when the table or a column
    is missing."""
    frame = frames.get(table)
    if frame is None or not set(COLUMNS[table]) <= set(frame.columns):
        return []
    return frame.select(pl.col(name).cast(pl.String) for name in COLUMNS[table]).filter(keep).to_dicts()


def places(frames: Mapping[str, pl.DataFrame]) -> list[Place]:
    """The places with a point that events happened at, in the order of the places table."""
    located = {
        row["place_id"]: row
        for row in rows(frames, "places", pl.col("place_id").is_not_null())
        if WHOLE.fullmatch(row["latitude_e5"] or "")
        and WHOLE.fullmatch(row["longitude_e5"] or "")
        and abs(int(row["latitude_e5"] or 0)) <= 90 * E5
        and abs(int(row["longitude_e5"] or 0)) <= 180 * E5
    }
    events: dict[str, list[str]] = defaultdict(list)
    for event in rows(frames, "events", pl.col("place_id").is_in(list(located)) & pl.col("event_id").is_not_null()):
        events[str(event["place_id"])].append(str(event["event_id"]))
    killed = deaths(frames, [event for ids in events.values() for event in ids])
    return [
        Place(
            place_id=str(place_id),
            name=row["name"] or "",
            country=row["country"] or "",
            latitude_e5=int(row["latitude_e5"] or 0),
            longitude_e5=int(row["longitude_e5"] or 0),
            own_point=row["coordinate_precision"] == OWN_POINT,
            events=len(events[str(place_id)]),
            killed=max(killed.get(event, 0) for event in events[str(place_id)]),
        )
        for place_id, row in located.items()
        if events[str(place_id)]
    ]


def deaths(frames: Mapping[str, pl.DataFrame], events: list[str]) -> dict[str, int]:
    """The best estimate of the people killed in each of `events` that has one. Each event is given only its
    own links and claims, so the time taken grows with the rows, not with their product."""
    figures = {
        claim["claim_id"]: claim
        for claim in rows(frames, "claims", pl.col("measure") == KILLED)
        if WHOLE.fullmatch(claim["value_min"] or "") and WHOLE.fullmatch(claim["value_max"] or "0")
    }
    links: dict[str, list[Row]] = defaultdict(list)
    for link in rows(frames, "claim_links", pl.col("event_id").is_in(events) & pl.col("claim_id").is_in(list(figures))):
        links[str(link["event_id"])].append(link)
    found = {}
    for event, linked in links.items():
        claims = [figures[claim_id] for claim_id in dict.fromkeys(link["claim_id"] for link in linked)]
        counted = estimate(event_figures({"claim_links": linked, "claims": claims}, event, KILLED))
        if counted is not None:
            found[event] = counted.best
    return found


def radius(killed: int, top: int) -> float:
    """The circle's area grows in proportion to the people killed: from the smallest circle's for none to
    the largest's for `top`, the most killed at any place."""
    if top <= 0:
        return R_MIN
    return math.sqrt(R_MIN**2 + (R_MAX**2 - R_MIN**2) * killed / top)


def exact(e5: int) -> str:
    """A non-negative number given in hundred-thousandths, written exactly."""
    whole, fraction = divmod(e5, E5)
    return f"{whole}.{fraction:05d}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class View:
    """Whole degrees on each side and whole pixels a degree."""

    west: int
    east: int
    south: int
    north: int
    scale: int

    @classmethod
    def around(cls, places: Sequence[Place]) -> "View":
        longitudes = [p.longitude_e5 for p in places]
        latitudes = [p.latitude_e5 for p in places]
        west, east = max(-180, min(longitudes) // E5 - MARGIN), min(180, -(-max(longitudes) // E5) + MARGIN)
        south, north = max(-90, min(latitudes) // E5 - MARGIN), min(90, -(-max(latitudes) // E5) + MARGIN)
        scale = min(MAX_SCALE, (WIDTH - 2 * PAD) // (east - west), MAP_HEIGHT // (north - south))
        return cls(west, east, south, north, max(1, scale))

    @property
    def width(self) -> int:
        return (self.east - self.west) * self.scale

    @property
    def height(self) -> int:
        return (self.north - self.south) * self.scale

    def centre(self, place: Place) -> tuple[str, str]:
        """The place's pixel position, exactly."""
        x = PAD * E5 + (place.longitude_e5 - self.west * E5) * self.scale
        y = TOP * E5 + (self.north * E5 - place.latitude_e5) * self.scale
        return exact(x), exact(y)

    def pixel(self, point: outlines.Point) -> tuple[float, float]:
        longitude, latitude = point
        return PAD + (longitude - self.west) * self.scale, TOP + (self.north - latitude) * self.scale

    def touches(self, ring: outlines.Ring) -> bool:
        longitudes, latitudes = [p[0] for p in ring], [p[1] for p in ring]
        return (
            max(longitudes) >= self.west
            and min(longitudes) <= self.east
            and max(latitudes) >= self.south
            and min(latitudes) <= self.north
        )

    def holds(self, point: outlines.Point) -> bool:
        return self.west <= point[0] <= self.east and self.south <= point[1] <= self.north

    def projection(self) -> str:
        return (
            f"Equirectangular projection of longitudes {self.west}° to {self.east}° and latitudes {self.south}° "
            f"to {self.north}°, the box of the points with a margin of {MARGIN}°: x = {PAD} + (longitude − "
            f"({self.west})) × {self.scale} and y = {TOP} + ({self.north} − latitude) × {self.scale}, in pixels, "
            "with longitude and latitude in degrees; each circle is centred on its place's point exactly."
        )


def text_alternative(places: Sequence[Place]) -> str:
    """The places on the map and what happened there, in words, by name."""
    if not places:
        return "No events with coordinates."
    listed = "; ".join(place.sentence() for place in sorted(places, key=lambda p: (p.name, p.place_id)))
    return f"Events at {len(places)} {'place' if len(places) == 1 else 'places'}: {listed}."


def caption(places: Sequence[Place], unplaced: int, missing: Sequence[str]) -> list[str]:
    """The lines under the map, each short enough for its width."""
    lines = [
        "Circle area: people killed in the deadliest event at the place, the best estimate (the median of the "
        "accounts not denied or",
        "disputed); the figures of separate events are not added, as they may count the same deaths. "
        "(n): the events at the place.",
        "A hollow circle is a town or capital standing in for a region or country, not where anything happened.",
    ]
    if not places:
        lines = ["No events with coordinates yet."]
    if unplaced:
        lines.append(f"{unplaced} {'event' if unplaced == 1 else 'events'} without coordinates not shown.")
    if places:
        lines.append(f"Equirectangular projection. Country outlines: {outlines.attribution()}.")
    if missing:
        lines.append(f"The outline source has none for {', '.join(missing)}: only their borders with others are drawn.")
    return lines


def render(places: Sequence[Place], unplaced: int, countries: Sequence[outlines.Country]) -> str:
    """The map of `places`, over the outlines of `countries`."""
    view = View.around(places) if places else None
    missing = sorted({c.name for c in countries if view and c.lacks_outline and c.centre and view.holds(c.centre)})
    lines = caption(places, unplaced, missing)
    bottom = TOP + (view.height + 56 if view else 0)  # the legend's row under the map
    height = bottom + LINE_HEIGHT * len(lines) + 8
    described = " ".join([*lines, view.projection(), text_alternative(places)] if view else lines)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="title desc" '
        'font-family="sans-serif" font-size="12">',
        f'<title id="title">{TITLE}</title>',
        f'<desc id="desc">{escape(described)}</desc>',
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        f'<text x="{PAD}" y="26" font-size="16" font-weight="bold">{TITLE}</text>',
    ]
    if view:
        parts += frame(view) + outline_paths(countries, view) + circles(places, view) + labels(places, view)
        parts += legend(places, bottom - 28)
    for index, line in enumerate(lines):
        parts.append(f'<text x="{PAD}" y="{bottom + LINE_HEIGHT * index + 12}">{escape(line)}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def frame(view: View) -> list[str]:
    box = f'x="{PAD}" y="{TOP}" width="{view.width}" height="{view.height}"'
    return [
        f'<defs><clipPath id="map-area"><rect {box}/></clipPath></defs>',
        f'<rect {box} fill="#f8fafc" stroke="{FRAME}"/>',
    ]


def outline_paths(countries: Sequence[outlines.Country], view: View) -> list[str]:
    """A path for each country with a ring in view, its points rounded to a tenth of a pixel."""
    parts = [f'<g fill="none" stroke="{OUTLINE}" stroke-width="0.75" clip-path="url(#map-area)">']
    for country in countries:
        rings = []
        for ring in (r for r in country.rings if view.touches(r)):
            points = [f"{x:.1f},{y:.1f}" for x, y in (view.pixel(point) for point in ring)]
            rings.append("M" + " ".join(p for i, p in enumerate(points) if i == 0 or p != points[i - 1]) + "Z")
        if rings:
            parts.append(f'<path d="{"".join(rings)}"/>')
    parts.append("</g>")
    return parts


def circles(places: Sequence[Place], view: View) -> list[str]:
    """The larger circles first, so a smaller one is never hidden under them, and of equal ones the hollow
    last, so its ring shows over a filled one at the same point."""
    top = max(place.killed for place in places)
    parts = [f'<g stroke="{INK}" stroke-width="1.5">']
    for place in sorted(places, key=lambda p: (-p.killed, not p.own_point, -p.latitude_e5, p.longitude_e5, p.place_id)):
        x, y = view.centre(place)
        fill = f'fill="{INK}" fill-opacity="0.45"' if place.own_point else 'fill="none"'
        parts.append(
            f'<circle cx="{x}" cy="{y}" r="{radius(place.killed, top):.2f}" {fill} '
            f"data-place-id={quoteattr(place.place_id)}><title>{escape(place.sentence())}</title></circle>"
        )
    parts.append("</g>")
    return parts


def labels(places: Sequence[Place], view: View) -> list[str]:
    """Each place's name and number of events beside its circle, north to south; a label that would cover
    a circle or a label already placed moves to the other side or up and down, with a line to its circle."""
    top = max(place.killed for place in places)
    marks = {p.place_id: (*(float(v) for v in view.centre(p)), radius(p.killed, top)) for p in places}
    taken: list[Box] = [(x - r, y - r, x + r, y + r) for x, y, r in marks.values()]
    parts = ['<g font-size="11" stroke="#ffffff" stroke-width="3" paint-order="stroke">']
    for place in sorted(places, key=lambda p: (-p.latitude_e5, p.longitude_e5, p.place_id)):
        x, y, r = marks[place.place_id]
        label = f"{place.name} ({place.events})"
        left, upper, right, lower = spot(x, y, r + 3, CHAR_WIDTH * len(label), taken, view)
        taken.append((left, upper, right, lower))
        if upper + LABEL_HEIGHT / 2 != y:
            end = left if left > x else right
            parts.append(
                f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{end:.1f}" y2="{upper + LABEL_HEIGHT / 2:.1f}" '
                f'stroke="{FRAME}" stroke-width="0.75"/>'
            )
        parts.append(f'<text x="{left:.1f}" y="{lower - 3:.1f}">{escape(label)}</text>')
    parts.append("</g>")
    return parts


def spot(x: float, y: float, gap: float, width: float, taken: Sequence[Box], view: View) -> Box:
    """The first free place for a label, inside the map: right of (x, y), left of it, then a line lower or
    higher each time; beside it on the right when none is free."""
    inside = (PAD, TOP, PAD + view.width, TOP + view.height)
    for step in sorted(range(-MAX_STEPS, MAX_STEPS + 1), key=lambda s: (abs(s), -s)):
        upper = y - LABEL_HEIGHT / 2 + step * LABEL_HEIGHT
        for left in (x + gap, x - gap - width):
            box = (left, upper, left + width, upper + LABEL_HEIGHT)
            if within(box, inside) and not any(overlap(box, other) for other in taken):
                return box
    return (x + gap, y - LABEL_HEIGHT / 2, x + gap + width, y + LABEL_HEIGHT / 2)


def within(box: Box, outer: Box) -> bool:
    return outer[0] <= box[0] and outer[1] <= box[1] and box[2] <= outer[2] and box[3] <= outer[3]


def overlap(one: Box, other: Box) -> bool:
    return one[0] < other[2] and other[0] < one[2] and one[1] < other[3] and other[1] < one[3]


def legend(places: Sequence[Place], y: float) -> list[str]:
    """Sample circles: none stated, the most killed at any place, and a stand-in point."""
    top = max(place.killed for place in places)
    samples = [(R_MIN, True, "no death stated, or no figure")]
    if top:
        samples.append((radius(top, top), True, f"{top} killed"))
    samples.append((R_MIN, False, "a stand-in point"))
    parts = [f'<g stroke="{INK}" stroke-width="1.5">']
    x = PAD + R_MAX
    for r, filled, label in samples:
        fill = f'fill="{INK}" fill-opacity="0.45"' if filled else 'fill="none"'
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.2f}" {fill}/>')
        parts.append(f'<text x="{x + r + 6:.1f}" y="{y + 4:.1f}" stroke="none" fill="#000000">{escape(label)}</text>')
        x += r + 6 + CHAR_WIDTH * 1.1 * len(label) + 24
    parts.append("</g>")
    return parts
