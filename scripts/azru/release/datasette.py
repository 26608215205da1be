"""Metadata for `datasette DB -m metadata.json`: package title and licence, table, view and column notes."""

import json
import re
from pathlib import Path

from azru.package import Package
from azru.release.output import write_text
from azru.release.sqlite import SEARCH_TABLE, claim_views
from azru.typed import columns

WEB_ADDRESS = re.compile(r"https?://\S+")


def write_datasette_metadata(package: Package, database: Path, path: Path) -> Path:
    descriptor = package.descriptor
    tables = {
        name: {"description": table.description, "columns": {c.name: c.description for c in columns(table)}}
        for name, table in package.tables.items()
    }
    tables |= {name: {"description": description} for name, description, _ in claim_views(package)}
    tables[SEARCH_TABLE] = {
        "description": "Full-text index of event summaries, actor names and claim quotes: "
        "`text` is the indexed text, `row_id` the primary key of its row in `table_name`."
    }
    metadata = {
        "title": descriptor.get("title", descriptor["name"]),
        "description": descriptor.get("description", ""),
        "source": f"Data package {descriptor['name']} {descriptor['version']}",
        "databases": {database.stem: {"tables": tables}},
    }
    for licence in descriptor.get("licenses", [])[:1]:
        url = licence.get("path", "")  # datasette makes a link of it: a web address only, never javascript:
        metadata |= {"license": licence.get("name", ""), "license_url": url if WEB_ADDRESS.fullmatch(url) else ""}
    return write_text(path, json.dumps(metadata, ensure_ascii=False, indent=2) + "\n")
