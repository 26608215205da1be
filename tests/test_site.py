"""The website `azru build` writes into site/: a page for every row claims refer to by key, escaping of every
cell, page paths only from valid ids, the cap on pages, and the schema.org Dataset that Google Dataset Search
reads. The browser's view of it is tests/test_browser.py."""

import json
import re
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from azru.package import load
from azru.release import output
from azru.release.manifest import Hashes
from azru.release.site import model, write_site
from azru.typed import typed_frame
from releases import REPO, Built

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
JSON_LD = re.compile(r'<script type="application/ld\+json">\n(.*?)\n</script>', re.DOTALL)
# Google Dataset Search: required, then recommended, properties of a Dataset.
REQUIRED = ("name", "description")
RECOMMENDED = ("license", "temporalCoverage", "spatialCoverage", "distribution", "version", "identifier", "creator")


def json_ld(site: Path) -> dict[str, Any]:
    found = JSON_LD.search((site / "index.html").read_text(encoding="utf-8"))
    assert found is not None
    described: dict[str, Any] = json.loads(found[1])
    return described


def test_every_row_has_a_page_with_every_claim_linked_to_it(repository: Built) -> None:
    site, package = repository.out / "site", repository.package
    kinds = {"events", "detentions", "diplomatic_summons", "actors", "sources"}
    assert kinds <= {p.name for p in site.iterdir() if p.is_dir()}
    for name in kinds:
        (key,) = package.tables[name].primary_key
        ids = package.read(name)[key].to_list()
        assert sorted(p.stem for p in (site / name).glob("*.html")) == sorted(ids), name
    sources = dict(package.read("claims").select("claim_id", "source_id").iter_rows())
    links = package.read("claim_links").filter(pl.col("claim_id").is_duplicated())  # claims on several rows
    for link in links.iter_rows(named=True):
        for name, key in package.claim_targets().items():
            if link[key] is not None:
                page = (site / name / f"{link[key]}.html").read_text(encoding="utf-8")
                assert f'id="{link["claim_id"]}"' in page and f"../sources/{sources[link['claim_id']]}.html" in page


def test_the_landing_page_describes_a_dataset_as_google_dataset_search_reads_it(repository: Built) -> None:
    described = json_ld(repository.out / "site")
    assert (described["@context"], described["@type"]) == ("https://schema.org/", "Dataset")
    assert [p for p in REQUIRED + RECOMMENDED if not described.get(p)] == []
    assert 50 <= len(described["description"]) <= 5000
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}/\d{4}-\d{2}-\d{2}", described["temporalCoverage"])
    assert described["license"].startswith("https://")
    for download in described["distribution"]:
        assert download["@type"] == "DataDownload" and download["contentUrl"] and download["encodingFormat"]
    assert all(place["@type"] == "Country" and place["name"] for place in described["spatialCoverage"])


def test_the_landing_page_lists_each_download_with_its_size_and_hash(repository: Built) -> None:
    landing = (repository.out / "site" / "index.html").read_text(encoding="utf-8")
    descriptor = repository.package.descriptor
    # the repository's homepage is on GitHub, where a release's files are assets with flat names
    assets = f"{descriptor['homepage']}/releases/download/v{descriptor['version']}"
    for line in (repository.out / output.MANIFEST).read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ")
        if not name.startswith(f"{output.SITE}/"):
            size = (repository.out / name).stat().st_size
            url = f"{assets}/{Path(name).name}"
            assert f'href="{url}"' in landing and digest in landing and f"{size:,}" in landing, name


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's site with a script in a summary and a quote, and an event whose id is a path."""
    package = load(REPO)
    frames = {name: typed_frame(package, table) for name, table in package.tables.items()}
    events = frames["events"]
    frames["events"] = events.with_columns(
        summary=pl.when(pl.int_range(pl.len()) == 0).then(pl.lit(HOSTILE)).otherwise(pl.col("summary")),
        event_id=pl.when(pl.int_range(pl.len()) == 1).then(pl.lit("../../x")).otherwise(pl.col("event_id")),
    )
    frames["claims"] = frames["claims"].with_columns(quote=pl.lit(HOSTILE))
    out = tmp_path_factory.mktemp("hostile") / "site"
    write_site(package, frames, out, released=[], hashes=Hashes(), figure="<svg></svg>", event_map="<svg></svg>")
    return out


def test_every_cell_is_text_however_hostile(hostile_site: Path) -> None:
    pages = [p.read_text(encoding="utf-8") for p in hostile_site.rglob("*.html")]
    assert not [page for page in pages if "<script>alert" in page or "<img src=x" in page]
    assert any("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page for page in pages)


def test_a_page_path_is_made_only_from_a_valid_id(hostile_site: Path) -> None:
    made = [p.relative_to(hostile_site).as_posix() for p in hostile_site.rglob("*") if p.is_file()]
    assert [
        name
        for name in made
        if ".." in name or not re.fullmatch(r"[a-z_]+/[a-z]{3}-[0-9a-z]{10}\.html|[^/]+|assets/[^/]+", name)
    ] == []


def test_a_table_past_the_cap_gets_that_many_pages_and_a_notice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(model, "PAGE_CAP", 3)
    monkeypatch.setattr("azru.release.site.landing.PAGE_CAP", 3)
    package = load(REPO)
    frames = {name: typed_frame(package, table) for name, table in package.tables.items()}
    write_site(package, frames, tmp_path / "site", released=[], hashes=Hashes(), figure="", event_map="")
    assert len(list((tmp_path / "site" / "events").glob("*.html"))) == 3
    assert "shows the first 3 rows of each table" in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")


def test_a_link_in_place_of_the_site_folder_is_removed_not_followed(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.html").write_text("mine", encoding="utf-8")
    out = tmp_path / "dist"
    out.mkdir()
    (out / output.SITE).symlink_to(elsewhere, target_is_directory=True)
    output.remove_previous_build(out, load(REPO))
    assert not (out / output.SITE).exists() and (elsewhere / "keep.html").read_text(encoding="utf-8") == "mine"
