"""A Parquet file per table, typed, with the descriptor's descriptions as field and schema metadata."""

from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from azru.package import Package
from azru.typed import DAY, columns

# How each typed column (azru.typed) is stored.
ARROW_TYPES = {"string": pa.string(), "integer": pa.int64(), "boolean": pa.bool_(), DAY: pa.date32()}
PARQUET_COMPRESSION = "zstd"


def write_parquet(package: Package, frames: dict[str, pl.DataFrame], folder: Path) -> list[Path]:
    folder.mkdir(exist_ok=True)
    paths = []
    for name, table in package.tables.items():
        schema = pa.schema(
            [
                pa.field(c.name, ARROW_TYPES[c.type], nullable=not c.required, metadata={"description": c.description})
                for c in columns(table)
            ],
            metadata={"description": table.description},
        )
        path = folder / f"{name}.parquet"
        pq.write_table(frames[name].to_arrow().cast(schema), path, compression=PARQUET_COMPRESSION)
        paths.append(path)
    return paths
