"""The files of the package written: the imitated descriptor and codelists, and each table as CSV."""

from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

import polars as pl

from azru import guarded
from azru.package import DESCRIPTOR, Package

from .phrases import COUNTRIES


def write_csv(frame: pl.DataFrame, file: Path | BinaryIO, include_header: bool = True) -> None:
    # RFC 4180 with LF line ends, UTF-8 without a BOM, and an empty cell for null.
    frame.write_csv(file, include_header=include_header, line_terminator="\n", null_value="")


def write_table(package: Package, name: str, frames: Iterable[pl.DataFrame]) -> None:
    table = package.tables[name]
    with open(package.root / table.path, "wb") as file:
        for number, frame in enumerate(frames):
            write_csv(frame.select(table.field_names), file, include_header=number == 0)


def check_paths(like: Package) -> None:
    """Refuse (guarded.Refused) a table path that could lead out of the package written."""
    for table in like.tables.values():
        problem = guarded.path_problem(table.path)
        if problem:
            raise guarded.Refused("unsafe-path", f"{table.path}: {problem}")


def copy_schema(like: Package, out: Path) -> None:
    """The imitated package's descriptor, byte for byte, and its codelists, with a folder for every table.

    Raises guarded.Refused for a file the guarded opener will not read.
    """
    (out / DESCRIPTOR).write_bytes(guarded.read_bytes(like.root, DESCRIPTOR, guarded.MAX_DESCRIPTOR_BYTES))
    for table in like.tables.values():
        (out / table.path).parent.mkdir(parents=True, exist_ok=True)
    for table in like.codelists:
        try:
            codelist = like.read_bytes(table.path)
        except guarded.Refused as error:
            if table.name != "countries" or error.reason != "missing":
                raise
            write_csv(fallback_countries(), out / table.path)
        else:
            (out / table.path).write_bytes(codelist)


def fallback_countries() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "code": list(COUNTRIES),
            "label": list(COUNTRIES.values()),
            "definition": [f"ISO 3166-1 alpha-2 code of {name}." for name in COUNTRIES.values()],
        }
    )
