"""Metadata for `datasette DB -m metadata.json`: package title and licence; table, view and column notes; the
column that labels each table's rows, the facets offered, each table's full-text search, a canned query
that searches every table with the query folded as the index is, and the flat tables' rows on a map
(datasette-cluster-map, when installed)."""

import json
import re
from pathlib import Path
from typing import Any

from azru import flat, search
from azru.package import Package
from azru.release.output import write_text
from azru.release.sqlite import claim_views, search_table, searched_columns
from azru.sql import identifier
from azru.typed import columns

WEB_ADDRESS = re.compile(r"https?://\S+")
# The column that names a row where another table refers to it (`_labels=on`); a codelist's is its label.
LABEL_COLUMNS = {
    "actors": "name_en",
    "sources": "title",
    "events": "summary",
    "detentions": "group_description",
    "diplomatic_summons": "reasons",
    "cases": "name",
    "places": "name",
    "claims": "quote",
}
CODELIST_LABEL = "label"
# Columns whose values group a table's rows: the kind of event or actor, the country, the status, the source.
FACETS = {
    "events": ["event_type", "country"],
    "claims": ["status", "source_id"],
    "detentions": ["status", "country"],
    "actors": ["actor_type", "country"],
    "places": ["country", "coordinate_precision"],
}
SEARCH_QUERY = "search"
# The plugin that maps rows with coordinates, and the columns it reads them from.
MAP_PLUGIN = "datasette-cluster-map"
MAP_COLUMNS = {"latitude_column": "latitude", "longitude_column": "longitude"}
# Datasette cannot call azru.search.normalise, so the canned query folds in SQL what normalise folds in the
# Arabic block, the script a reader types with marks and hamza; case is folded by the index itself.
ARABIC_BLOCK = range(0x0600, 0x0700)
FOLDS_PER_STEP = 20


def write_datasette_metadata(package: Package, database: Path, path: Path) -> Path:
    descriptor = package.descriptor
    metadata = {
        "title": descriptor.get("title", descriptor["name"]),
        "description": descriptor.get("description", ""),
        "source": f"Data package {descriptor['name']} {descriptor['version']}",
        "databases": {database.stem: {"tables": tables(package), "queries": {SEARCH_QUERY: search_query(package)}}},
    }
    for licence in descriptor.get("licenses", [])[:1]:
        url = licence.get("path", "")  # datasette makes a link of it: a web address only, never javascript:
        metadata |= {"license": licence.get("name", ""), "license_url": url if WEB_ADDRESS.fullmatch(url) else ""}
    return write_text(path, json.dumps(metadata, ensure_ascii=False, indent=2) + "\n")


def tables(package: Package) -> dict[str, dict[str, Any]]:
    """Each table's description, column notes and how datasette shows, facets and searches it."""
    described: dict[str, dict[str, Any]] = {}
    for name, table in package.tables.items():
        names = [c.name for c in columns(table)]
        described[name] = {"description": table.description, "columns": {c.name: c.description for c in columns(table)}}
        label = CODELIST_LABEL if table.is_codelist else LABEL_COLUMNS.get(name)
        if label in names:
            described[name]["label_column"] = label
        if facets := [column for column in FACETS.get(name, []) if column in names]:
            described[name]["facets"] = facets
    described |= {name: {"description": description} for name, description, _ in claim_views(package)}
    described |= {table.name: flat_table(table) for table in flat.TABLES}
    for name, searched in searched_columns(package).items():
        described[name]["fts_table"] = search_table(name)
        described[search_table(name)] = {
            "description": f"Full-text index of {name}: its rowid is the rowid of the {name} row, each column "
            "that row's text normalised for search (docs/querying.md). Search it with MATCH, or with "
            "`_search` on the table itself.",
            "columns": {column: f"`{column}` of the {name} row, normalised" for column in searched},
        }
    return described


def flat_table(table: flat.FlatTable) -> dict[str, Any]:
    return {
        "description": table.description,
        "columns": {column.name: column.description for column in table.columns},
        "label_column": table.label_column,
        "facets": list(table.facets),
        "plugins": {MAP_PLUGIN: MAP_COLUMNS},
    }


def search_query(package: Package) -> dict[str, str]:
    """A canned query finding `text` in every full-text table, with Arabic folded as the index folds it."""
    selects = []
    for name in searched_columns(package):
        (key,) = package.tables[name].primary_key
        index = identifier(search_table(name))
        selects.append(
            f"SELECT {literal(name)} AS table_name, t.{identifier(key)} AS row_id, "
            f"snippet({index}, -1, '[', ']', '…', 12) AS found "
            f"FROM {index} JOIN {identifier(name)} AS t ON t.rowid = {index}.rowid "
            f"WHERE {index} MATCH (SELECT terms FROM wanted)"
        )
    return {
        "title": "Search every table",
        "description": "Finds the words of `text` (each as a substring, all of them) in every full-text index, "
        "with Arabic marks, hamza and letter forms folded as in the index; `found` shows the normalised text.",
        "sql": "WITH " + ",\n".join(folding_steps(":text")) + "\n" + "\nUNION ALL\n".join(selects),
    }


def folding_steps(text: str) -> list[str]:
    """Common table expressions ending in `wanted(terms)`: `text` folded as normalise folds the Arabic block,
    then quoted word by word as datasette's `_search` does (an empty query, which FTS5 refuses, matches
    nothing). The replace() calls are spread over several steps, as SQLite's parser nests only a few dozen."""
    folds = [(char, search.normalise(char)) for char in map(chr, ARABIC_BLOCK) if search.normalise(char) != char]
    steps = [f"folded0(text) AS (SELECT {text})"]
    for step, first in enumerate(range(0, len(folds), FOLDS_PER_STEP), start=1):
        expression = "text"
        for old, new in folds[first : first + FOLDS_PER_STEP]:
            expression = f"replace({expression}, {literal(old)}, {literal(new)})"
        steps.append(f"folded{step}(text) AS (SELECT {expression} FROM folded{step - 1})")
    steps.append(
        f"wanted(terms) AS (SELECT coalesce(nullif(escape_fts(text), ''), '\"\"') FROM folded{len(steps) - 1})"
    )
    return steps


def literal(text: str) -> str:
    """`text` as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"
