"""A valid synthetic package of any size, imitating a given package, with its own archive.

Every cell is a pure function of its row index and the seed (see `draws`), so a table can refer to
another table's rows (its ids, a detention's head count, a source's language) by recomputing them
instead of keeping that table in memory, and the output is byte-identical for a given seed. Columns
are polars expressions evaluated a chunk of rows at a time, never Python code run row by row.
"""

from pathlib import Path

from azru.package import Package, load

from . import tables
from .archive import Archive, archived
from .context import Sizes, new_context
from .output import check_paths, copy_schema, write_table

ARCHIVE_DIR = "archive"


def write_package(out: Path, like: Package, n_events: int, seed: int) -> None:
    """Write a package with `like`'s descriptor and codelists and `n_events` events into `out`.

    Tables are written a chunk of rows at a time; sources go last, once the archive is complete.
    Raises guarded.Refused, before writing anything, for a table path that could lead out of `out`.
    """
    check_paths(like)
    out.mkdir(parents=True, exist_ok=True)
    (out / ARCHIVE_DIR).mkdir()
    copy_schema(like, out)
    package = load(out)
    ctx = new_context(package, seed, Sizes(n_events))
    listing = tables.sources(ctx)
    archive = Archive(out / ARCHIVE_DIR, listing)
    sizes = ctx.sizes
    write_table(package, "actors", ctx.chunked(tables.actors, sizes.actors))
    write_table(package, "actor_names", archived(ctx.chunked(tables.actor_names, sizes.actors), archive, "name"))
    write_table(package, "cases", ctx.chunked(tables.cases, sizes.cases))
    write_table(package, "places", [tables.places(ctx)])
    write_table(package, "events", ctx.chunked(tables.events, sizes.events))
    write_table(package, "participants", ctx.chunked(tables.participants, sizes.participants))
    write_table(package, "detentions", ctx.chunked(tables.detentions, sizes.detentions))
    write_table(package, "diplomatic_summons", ctx.chunked(tables.diplomatic_summons, sizes.summons))
    write_table(package, "claims", archived(tables.claims(ctx), archive, "quote"))
    write_table(package, ctx.link_table, tables.claim_links(ctx))
    write_table(package, "sources", [listing.join(archive.finish(), on="source")])
    write_table(package, "tombstones", [tables.tombstones(ctx)])
