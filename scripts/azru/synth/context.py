"""What every table builder shares: the sizes, the draws, the codelists, and the ids others refer to."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import polars as pl

from azru import guarded
from azru.package import Package

from .draws import Draws
from .phrases import COUNTRIES, PLACES

# The ids of the tables others refer to stay in memory (about 25 bytes a row): ten million events
# keep that to some hundreds of megabytes.
MAX_EVENTS = 10_000_000
# Rows built and written at a time: bounds memory whatever the number of events.
CHUNK_ROWS = 250_000

ROW = pl.col("i")
NULL = pl.lit(None, dtype=pl.String)
NULL_INTEGER = pl.lit(None, dtype=pl.Int64)


@dataclass(frozen=True)
class Sizes:
    """Rows per table: every table scales with the number of events."""

    events: int

    @property
    def sources(self) -> int:
        return max(3, self.events // 20)  # about 28 quotes per document, as in a news archive

    @property
    def actors(self) -> int:
        return max(5, self.events // 20)

    @property
    def detentions(self) -> int:
        return self.events // 10

    @property
    def summons(self) -> int:
        return self.events // 50

    @property
    def cases(self) -> int:
        return self.events // 100

    @property
    def participants(self) -> int:
        return self.events + self.events // 2

    @property
    def claims_per_row(self) -> int:
        return self.events + self.detentions + self.summons + self.actors + self.cases

    @property
    def claims_extra(self) -> int:
        return self.claims_per_row // 5

    @property
    def tombstones(self) -> int:
        return 3


def span(start: int, stop: int) -> pl.Series:
    return pl.int_range(start, stop, dtype=pl.Int64, eager=True)


def rows(start: int, stop: int) -> pl.DataFrame:
    return pl.DataFrame({"i": span(start, stop)})


def chunks(start: int, stop: int) -> Iterator[tuple[int, int]]:
    """start..stop in slices of CHUNK_ROWS; at least one, maybe empty, so that every CSV gets its header."""
    for low in range(start, max(stop, start + 1), CHUNK_ROWS):
        yield low, min(low + CHUNK_ROWS, stop)


@dataclass
class Context:
    draws: Draws
    sizes: Sizes
    version: str
    codes: dict[str, list[str]]
    countries: list[str]
    places: list[tuple[str, str, str, str]]
    # Ids of the tables other tables refer to, by row.
    ids: dict[str, pl.Series]
    # The table of links from claims to the rows they support, and each table a claim can support, with
    # the link field that points at it.
    link_table: str
    claim_targets: dict[str, str]

    def ref(self, table: str, index: pl.Expr) -> pl.Expr:
        return pl.lit(self.ids[table]).gather(index)

    def code(self, index: pl.Expr, salt: str, codelist: str) -> pl.Expr:
        return self.draws.pick(index, salt, self.codes[codelist])

    def random_row(self, index: pl.Expr, salt: str, table: str) -> pl.Expr:
        return self.draws.below(index, salt, len(self.ids[table]))

    def chunked(self, build: Callable[["Context", int, int], pl.DataFrame], count: int) -> Iterator[pl.DataFrame]:
        return (build(self, low, high) for low, high in chunks(0, count))


def new_context(package: Package, seed: int, sizes: Sizes) -> Context:
    """The context for writing `package`, whose descriptor and codelists are already in place."""
    draws = Draws(seed, {table.name: table.id_prefix for table in package.id_tables() if table.id_prefix})
    codes = {table.name: package.read(table.name)["code"].to_list() for table in package.codelists}
    countries = [code for code in COUNTRIES if code in set(codes["countries"])]
    places = [place for place in PLACES if place[1] in {"", *countries}]
    links = package.claim_links()
    if links is None:
        raise guarded.Refused("missing", "no table links claims to the rows they support; run azru validate")
    referenced = {
        "sources": sizes.sources,
        "actors": sizes.actors,
        "events": sizes.events,
        "detentions": sizes.detentions,
        "diplomatic_summons": sizes.summons,
        "cases": sizes.cases,
        "places": len(place_rows(places)),
    }
    return Context(
        draws=draws,
        sizes=sizes,
        version=package.descriptor["version"],
        codes=codes,
        countries=countries,
        places=places,
        ids={table: draws.id(table, span(0, count)) for table, count in referenced.items()},
        link_table=links.name,
        claim_targets=package.claim_targets(),
    )


def place_rows(places: list[tuple[str, str, str, str]]) -> list[tuple[str, str, str]]:
    """The rows of `places` the drawn places point at: (name, country, feature kind), in order of first
    mention; a place named as a region is an administrative division, any other a populated place."""
    return list(
        dict.fromkeys(
            (named, country, "administrative-division" if precision == "region" else "populated-place")
            for _, country, precision, named in places
            if named
        )
    )
