"""Country outlines for the map, read from the installed countryinfo package (pinned in
requirements/release.txt), so a build needs no network: a JSON file a country, whose GeoJSON is Natural
Earth's 1:110m Admin 0 countries (public domain), by way of the world.geo.json collection.

The package has no outline for a few countries large enough to have one at that scale (Hungary, Serbia and
Montenegro among them); those come with their central point, so the map can say which outlines it lacks.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import metadata, resources
from typing import Any

import pycountry

SOURCE = "countryinfo"
SMALLEST_OUTLINED = 10_000  # km²: Natural Earth's 1:110m countries leave out most that are smaller
Point = tuple[float, float]  # longitude, latitude in degrees
Ring = tuple[Point, ...]


@dataclass(frozen=True)
class Country:
    name: str
    area: float  # km², as the package states it
    centre: Point | None  # the package's central point of the country
    rings: tuple[Ring, ...]  # outer rings and holes alike: the map draws lines, never fills

    @property
    def lacks_outline(self) -> bool:
        """No outline, though large enough to have one at 1:110m."""
        return not self.rings and self.area >= SMALLEST_OUTLINED


def attribution() -> str:
    return f"Natural Earth 1:110m countries (public domain), from the {SOURCE} {metadata.version(SOURCE)} package"


@cache
def countries() -> tuple[Country, ...]:
    """Every country the package has that is one today (its code is in ISO 3166-1), in the order of its file
    names; a former one (Serbia and Montenegro) is left out."""
    folder = resources.files(SOURCE).joinpath("data")
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".json")), key=lambda f: f.name)
    found = (country(json.loads(f.read_text(encoding="utf-8"))) for f in files)
    return tuple(c for c in found if c is not None)


def country(record: dict[str, Any]) -> Country | None:
    current = pycountry.countries.get(alpha_2=str((record.get("ISO") or {}).get("alpha2", "")))
    if current is None:
        return None
    features = (record.get("geoJSON") or {}).get("features", [])
    latitude, longitude = record.get("latlng") or (None, None)
    return Country(
        name=current.name,
        area=float(record.get("area") or 0),
        centre=None if latitude is None or longitude is None else (float(longitude), float(latitude)),
        rings=tuple(
            tuple((float(point[0]), float(point[1])) for point in ring)
            for feature in features
            for ring in polygon_rings(feature["geometry"])
        ),
    )


def polygon_rings(geometry: dict[str, Any]) -> Iterator[list[list[float]]]:
    polygons = {"Polygon": [geometry["coordinates"]], "MultiPolygon": geometry["coordinates"]}
    for polygon in polygons.get(geometry["type"], []):
        yield from polygon
