"""The dataset's website, built into `site/` of a release: static pages that read offline, from the files
alone, or published on GitHub Pages; no server, and nothing loaded from anywhere else.

index.html        what the dataset is, the provenance promise, timeline, map, counts, downloads, citation, licence
TABLE.html        the rows of a table that gets pages (model.Site.page_tables), TABLE/ID.html a page per row
search.html       search over the same normalised text as the SQLite index (assets/search*.js)
"""

from pathlib import Path

import polars as pl

from azru.package import Package
from azru.release.manifest import Hashes
from azru.release.output import write_text
from azru.release.site.downloads import downloads
from azru.release.site.entity import entity_page
from azru.release.site.html import CSS, STYLE
from azru.release.site.landing import FIGURE, MAP, landing_page, list_page
from azru.release.site.model import Site
from azru.release.site.search_page import INDEX, SCRIPT, search_index, search_page, search_script


def write_site(
    package: Package,
    frames: dict[str, pl.DataFrame],
    out: Path,
    released: list[Path],
    hashes: Hashes,
    figure: str,
    event_map: str,
) -> list[Path]:
    """Write the site into `out` (a fresh folder); `released` are the release's other files, offered for
    download with their `hashes`, `figure` the timeline's SVG and `event_map` the map's. Returns the paths
    written."""
    site = Site(package, frames)
    files = downloads(package, out.parent, released, hashes)
    pages = {
        "index.html": landing_page(site, files),
        "search.html": search_page(),
        STYLE: CSS,
        FIGURE: figure,
        MAP: event_map,
        INDEX: search_index(site),
        SCRIPT: search_script(),
    }
    for table in site.page_tables:
        pages[f"{table.name}.html"] = list_page(site, table)
        (key,) = table.primary_key
        claims = site.claims_about(table)
        for row in site.rows[table.name]:
            page_path = site.path(table.name, row[key])
            if page_path is not None:
                pages[page_path] = entity_page(site, table, row, claims.get(row[key], []))
    written = []
    for relative, content in sorted(pages.items()):
        (out / relative).parent.mkdir(parents=True, exist_ok=True)
        written.append(write_text(out / relative, content))
    return written
