"""The map of events (map.svg): each circle on its place's gazetteer point by the projection its description
states, sized by the people killed, hollow where a town or capital stands in for a region or country; no
marker without coordinates; the same bytes from every build; nothing external, no script."""

import csv
import os
import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import polars as pl
import pytest
from azru.package import load
from azru.release import output
from azru.release.map import TABLES, Place, event_map, radius, render
from azru.release.site.landing import MAP
from azru.typed import typed_frame
from releases import REPO, Built

SVG = "{http://www.w3.org/2000/svg}"
PROJECTION = re.compile(
    r"x = (?P<left>\d+) \+ \(longitude − \((?P<west>-?\d+)\)\) × (?P<scale>\d+) and "
    r"y = (?P<top>\d+) \+ \((?P<north>-?\d+) − latitude\) × (?P=scale)"
)
MOST_KILLED = 38  # the Azerbaijan Airlines crash near Aktau, the deadliest event with a place


def frames() -> dict[str, pl.DataFrame]:
    package = load(REPO)
    return {name: typed_frame(package, package.tables[name]) for name in TABLES}


def places() -> dict[str, dict[str, str]]:
    with open(REPO / "data" / "places.csv", encoding="utf-8", newline="") as handle:
        return {row["place_id"]: row for row in csv.DictReader(handle)}


def markers(svg: str) -> dict[str, ElementTree.Element]:
    """The places' circles by place id (the legend's circles have none)."""
    found = ElementTree.fromstring(svg).iter(f"{SVG}circle")
    return {circle.attrib["data-place-id"]: circle for circle in found if "data-place-id" in circle.attrib}


@pytest.fixture(scope="module")
def drawn(repository: Built) -> str:
    return (repository.out / output.MAP).read_text(encoding="utf-8")


def test_each_circle_stands_on_its_places_point_by_the_stated_projection(drawn: str) -> None:
    stated = PROJECTION.search(ElementTree.fromstring(drawn).findtext(f"{SVG}desc") or "")
    assert stated is not None
    left, west, scale, top, north = (int(stated[name]) for name in ("left", "west", "scale", "top", "north"))
    gazetteer = places()
    for place_id, circle in markers(drawn).items():
        longitude = west + (float(circle.attrib["cx"]) - left) / scale
        latitude = north - (float(circle.attrib["cy"]) - top) / scale
        assert abs(longitude - int(gazetteer[place_id]["longitude_e5"]) / 1e5) <= 1e-5, place_id
        assert abs(latitude - int(gazetteer[place_id]["latitude_e5"]) / 1e5) <= 1e-5, place_id


def test_a_circle_for_each_place_with_events_and_none_without_coordinates(drawn: str) -> None:
    located = {key for key, row in places().items() if row["latitude_e5"]}
    with open(REPO / "data" / "events.csv", encoding="utf-8", newline="") as handle:
        events = list(csv.DictReader(handle))
    assert set(markers(drawn)) == {event["place_id"] for event in events if event["place_id"] in located}
    unplaced = sum(event["place_id"] not in located for event in events)
    assert f"{unplaced} events without coordinates not shown." in drawn


def test_an_event_whose_place_lost_its_coordinates_gets_no_circle() -> None:
    given = frames()
    aktau = pl.col("name") == "Aktau"
    given["places"] = given["places"].with_columns(
        latitude_e5=pl.when(aktau).then(None).otherwise(pl.col("latitude_e5")),
        longitude_e5=pl.when(aktau).then(None).otherwise(pl.col("longitude_e5")),
    )
    drawn = event_map(given)
    assert "Aktau" not in drawn and len(markers(drawn)) == len(markers(event_map(frames()))) - 1


def test_circles_are_sized_by_the_people_killed_in_the_deadliest_event(drawn: str) -> None:
    """Aktau: the crash's 38; Yekaterinburg: the two deaths of its raids, stated in four claims, counted once."""
    named = {place["name"]: markers(drawn)[key] for key, place in places().items() if key in markers(drawn)}
    assert named["Aktau"].attrib["r"] == f"{radius(38, MOST_KILLED):.2f}"
    assert named["Yekaterinburg"].attrib["r"] == f"{radius(2, MOST_KILLED):.2f}"
    assert named["Baku"].attrib["r"] == f"{radius(0, MOST_KILLED):.2f}"
    assert f">{MOST_KILLED} killed</text>" in drawn


def test_a_stand_in_point_is_hollow(drawn: str) -> None:
    standing_in = {key for key, row in places().items() if row["coordinate_precision"] != "place-point"}
    assert standing_in
    for place_id, circle in markers(drawn).items():
        assert (circle.attrib["fill"] == "none") == (place_id in standing_in), place_id
    assert "a stand-in point</text>" in drawn


def test_the_description_lists_every_place_with_its_events(drawn: str) -> None:
    described = ElementTree.fromstring(drawn).findtext(f"{SVG}desc") or ""
    assert "Aktau (KZ): 1 event, 38 killed" in described
    assert "Yekaterinburg (RU): 3 events, 2 killed" in described
    assert "Tartar (AZ, a stand-in point): 2 events, 9 killed" in described
    assert "Natural Earth" in described


def test_nothing_external_and_no_script(drawn: str) -> None:
    root = ElementTree.fromstring(drawn)
    tags = {element.tag.removeprefix(SVG) for element in root.iter()}
    assert not tags & {"script", "foreignObject", "image", "a", "use", "style"}
    values = [value for element in root.iter() for name, value in element.attrib.items() if "href" not in name]
    assert not [name for element in root.iter() for name in element.attrib if "href" in name]
    assert [value for value in values if "url(" in value] == ["url(#map-area)"]
    assert "http" not in drawn.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_the_bytes_are_the_same_on_every_build(drawn: str) -> None:
    assert event_map(frames()) == drawn


@pytest.mark.slow  # a second Python, with another hash seed, loads the package
def test_the_bytes_do_not_depend_on_the_hash_seed(drawn: str) -> None:
    code = "import sys, test_map; sys.stdout.write(test_map.event_map(test_map.frames()))"
    environment = {**os.environ, "PYTHONHASHSEED": "1", "PYTHONPATH": os.pathsep.join(sys.path)}
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True, env=environment)
    assert found.stdout.decode("utf-8") == drawn


def test_a_hostile_name_is_text() -> None:
    name = '<script>alert("x")</script>'
    drawn = render([Place("plc-0000000000", name, "AZ", 4000000, 5000000, True, 1, 0)], unplaced=0, countries=[])
    assert "<script" not in drawn and name in "".join(ElementTree.fromstring(drawn).itertext())


def test_the_landing_page_shows_the_map_with_its_places_in_words(repository: Built) -> None:
    site = repository.out / output.SITE
    landing = (site / "index.html").read_text(encoding="utf-8")
    assert f'<img src="{MAP}" alt="Events at 9 places: Aktau (KZ): 1 event, 38 killed; ' in landing
    assert (site / MAP).read_bytes() == (repository.out / output.MAP).read_bytes()


def test_a_rebuild_clears_the_last_map(tmp_path: Path) -> None:
    (tmp_path / output.MAP).write_text("<svg/>", encoding="utf-8")
    output.remove_previous_build(tmp_path, load(REPO))
    assert not (tmp_path / output.MAP).exists()
