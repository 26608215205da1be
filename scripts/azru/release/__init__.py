"""The release: every file derived from the CSVs and the descriptor.

The data package as a zip (sizes and hashes filled in), Parquet and NDJSON per table, one SQLite database
with keys, full-text search and claim views, its datasette metadata, the timeline figure and the map, the
documents (README, LICENSE, CITATION.cff, DATASHEET.md, the codebook; in the zip too), the website
(release.site), given the source archive the claims as Web Annotations of its files (release.annotations), and
a SHA256SUMS manifest. Building the same package twice gives byte-identical files, wherever it is built, so a
release can be checked by rebuilding it. `azru build` (release.command) validates the package before calling
`build`.

The flat tables (azru.flat) are made before anything is written, and go into the zip, Parquet, NDJSON and
SQLite beside the tables.
"""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from azru import flat, timeline
from azru.package import load
from azru.release.annotations import write_annotations
from azru.release.buildable import unbuildable
from azru.release.datasette import write_datasette_metadata
from azru.release.documents import read_documents, write_documents
from azru.release.manifest import Hashes, write_manifest
from azru.release.map import event_map
from azru.release.ndjson import write_ndjson
from azru.release.output import (
    ANNOTATIONS,
    DATASETTE_METADATA,
    MAP,
    SITE,
    TIMELINE,
    database_name,
    remove_previous_build,
    write_text,
    zip_name,
)
from azru.release.package_zip import write_zip
from azru.release.parquet import write_parquet
from azru.release.site import write_site
from azru.release.sqlite import write_sqlite
from azru.typed import BuildError, typed_frame


def build(root: Path, out: Path, archive: Path | None = None) -> list[Path]:
    """Write every release file into `out`, the annotations only given the `archive` of source documents;
    returns their paths, the manifest last."""
    package = load(root)
    problems = unbuildable(package)
    if problems:
        raise BuildError("; ".join(problems))
    frames = {name: typed_frame(package, table) for name, table in package.tables.items()}
    flat_frames = flat.flat_frames(frames)
    documents = read_documents(package)  # before clearing `out`, which may be the package folder itself
    out.mkdir(parents=True, exist_ok=True)
    remove_previous_build(out, package)
    database = out / database_name(package)
    # The database is the longest writer and spends its time inside SQLite, which lets go of the GIL: it is
    # written on a second thread while this one writes the rest.
    with ThreadPoolExecutor(max_workers=1) as second_thread:
        database_written = second_thread.submit(write_sqlite, package, frames, flat_frames, database)
        figure = timeline.figure(frames)
        places_map = event_map(frames)
        built = [
            write_zip(package, out / zip_name(package), documents, flat_frames),
            *write_parquet(package, frames, flat_frames, out / "parquet"),
            write_datasette_metadata(package, database, out / DATASETTE_METADATA),
            *write_ndjson(package, frames, flat_frames, out / "ndjson"),
            write_text(out / TIMELINE, figure),
            write_text(out / MAP, places_map),
            *write_documents(out, documents),
        ]
        # not offered by the site, which lists the files that do not depend on the archive
        annotated = [write_annotations(package, frames, archive, out / ANNOTATIONS)] if archive is not None else []
        built.append(database_written.result())
    hashes = Hashes()
    built += write_site(package, frames, out / SITE, built, hashes, figure=figure, event_map=places_map)
    built += annotated
    return [*built, write_manifest(out, built, hashes)]
