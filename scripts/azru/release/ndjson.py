"""An NDJSON file per table and per flat table: one JSON object a line. A table's objects hold the descriptor's
fields only, the CSV rows typed; a flat table's hold all its columns, days as YYYY-MM-DD."""

import json
from collections.abc import Mapping
from pathlib import Path

import polars as pl

from azru import flat
from azru.package import Package
from azru.release.output import write_text


def write_ndjson(
    package: Package, frames: Mapping[str, pl.DataFrame], flat_frames: Mapping[str, pl.DataFrame], folder: Path
) -> list[Path]:
    folder.mkdir(exist_ok=True)
    paths = [
        write_lines(folder / f"{name}.ndjson", frames[name].select(table.field_names))
        for name, table in package.tables.items()
    ]
    return paths + [
        write_lines(
            folder / f"{table.name}.ndjson",
            flat_frames[table.name].with_columns(pl.col(pl.Date).dt.to_string("%Y-%m-%d")),
        )
        for table in flat.TABLES
    ]


def write_lines(path: Path, frame: pl.DataFrame) -> Path:
    return write_text(path, "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in frame.iter_rows(named=True)))
