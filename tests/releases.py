"""A built release as tests see it: the package folder it was built from and its output folder.

The repository's own release is built once per session by the `repository` fixture (conftest.py), for every
test module that reads it.
"""

import asyncio
import json
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from azru import search
from azru.package import Package, load
from azru.release.sqlite import search_table, searched_columns
from azru.sql import identifier
from datasette.app import Datasette

REPO = Path(__file__).parents[1]
NAME = json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))["name"]


@dataclass(frozen=True)
class Built:
    root: Path
    out: Path

    @property
    def package(self) -> Package:
        return load(self.root)

    @property
    def database(self) -> Path:
        return self.out / f"{NAME}.db"


def search_hits(built: Built, query: str) -> set[tuple[str, str]]:
    """(table, primary key) of every row whose full-text index matches `query`, normalised as azru.search does."""
    package = built.package
    hits = set()
    with closing(search.connect(built.database)) as con:
        for name in searched_columns(package):
            (key,) = package.tables[name].primary_key
            index = identifier(search_table(name))
            found = con.execute(
                f"SELECT t.{identifier(key)} FROM {index} JOIN {identifier(name)} AS t ON t.rowid = {index}.rowid "
                f"WHERE {index} MATCH {search.QUERY_FUNCTION}(?)",
                [query],
            )
            hits |= {(name, row_key) for (row_key,) in found}
    return hits


def datasette_get(built: Built, path: str) -> tuple[int, dict[str, Any]]:
    """Status and JSON of the page at `path` (`events.json?_search=raid`) of the release's database, served by
    datasette with the release's metadata, in-process (no network)."""

    async def get() -> tuple[int, dict[str, Any]]:
        metadata = json.loads((built.out / "metadata.json").read_text(encoding="utf-8"))
        ds = Datasette([str(built.database)], metadata=metadata)
        await ds.invoke_startup()
        response = await ds.client.get(f"/{built.database.stem}/{path}")
        return response.status_code, response.json()

    return asyncio.run(get())
