"""A Parquet file per table and per flat table, typed, with the descriptions as field and schema metadata."""

from collections.abc import Mapping, Sequence
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from azru import flat, typed
from azru.package import Package
from azru.typed import DAY

# How each typed column (azru.typed, azru.flat) is stored.
ARROW_TYPES = {
    "string": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    DAY: pa.date32(),
}
PARQUET_COMPRESSION = "zstd"


def write_parquet(
    package: Package, frames: Mapping[str, pl.DataFrame], flat_frames: Mapping[str, pl.DataFrame], folder: Path
) -> list[Path]:
    folder.mkdir(exist_ok=True)
    paths = [
        write_table(folder / f"{name}.parquet", frames[name], typed.columns(table), table.description)
        for name, table in package.tables.items()
    ]
    return paths + [
        write_table(folder / f"{table.name}.parquet", flat_frames[table.name], table.columns, table.description)
        for table in flat.TABLES
    ]


def write_table(
    path: Path, frame: pl.DataFrame, columns: Sequence[typed.Column | flat.Column], description: str
) -> Path:
    schema = pa.schema(
        [
            pa.field(c.name, ARROW_TYPES[c.type], nullable=not c.required, metadata={"description": c.description})
            for c in columns
        ],
        metadata={"description": description},
    )
    pq.write_table(frame.to_arrow().cast(schema), path, compression=PARQUET_COMPRESSION)
    return path
