"""An NDJSON file per table: one JSON object a line with the descriptor's fields only, the CSV rows typed."""

import json
from pathlib import Path

import polars as pl

from azru.package import Package
from azru.release.output import write_text


def write_ndjson(package: Package, frames: dict[str, pl.DataFrame], folder: Path) -> list[Path]:
    folder.mkdir(exist_ok=True)
    paths = []
    for name, table in package.tables.items():
        rows = frames[name].select(table.field_names).iter_rows(named=True)
        lines = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        paths.append(write_text(folder / f"{name}.ndjson", lines))
    return paths
