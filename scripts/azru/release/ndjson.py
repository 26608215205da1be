"""An NDJSON file per table and per flat table: one JSON object a line. A table's objects hold the descriptor's
fields only, the CSV rows typed; a flat table's hold all its columns, days as YYYY-MM-DD.

Each line is what `json.dumps(row, ensure_ascii=False)` writes, made by polars a column at a time: the rows
of a million events would take json.dumps a minute."""

import json
from collections.abc import Mapping
from pathlib import Path

import polars as pl

from azru import flat
from azru.package import Package

ROWS_PER_WRITE = 10_000  # so a table's text is never all in memory at once
WRAPPER = ('{"v":', "}")  # around a value that polars encodes as a one-field object


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
    line = json_line(frame.columns)
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        for start in range(0, frame.height, ROWS_PER_WRITE):
            handle.write("".join(frame.slice(start, ROWS_PER_WRITE).select(line).to_series()))
    return path


def json_line(names: list[str]) -> pl.Expr:
    """A row as `json.dumps(row, ensure_ascii=False)` and a line end: polars escapes a string as json.dumps does,
    and separators are json.dumps's `, ` and `: `."""
    parts: list[pl.Expr] = []
    for position, name in enumerate(names):
        opening = "{" if position == 0 else ", "
        encoded = pl.struct(pl.col(name).alias("v")).struct.json_encode()
        parts += [
            pl.lit(f"{opening}{json.dumps(name, ensure_ascii=False)}: "),
            encoded.str.strip_prefix(WRAPPER[0]).str.strip_suffix(WRAPPER[1]),
        ]
    return pl.concat_str([*parts, pl.lit("}\n")])
