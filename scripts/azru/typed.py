"""Tables as a release holds them: each field in its descriptor type, each EDTF field followed by its earliest
and latest possible day. Every format `azru build` writes, and the timeline figure, is made from these frames.

Only polars is needed here, so `azru schemas` can draw the timeline without loading the release's writers.
"""

import functools
from dataclasses import dataclass
from datetime import date

import polars as pl

from azru import edtf_dates
from azru.package import Field, Package, Table


class BuildError(Exception):
    """The package cannot be built as it stands; the message says which table and why."""


# The Table Schema types a release can hold, as polars holds them. Each format maps the same names, and DAY,
# to its own types.
POLARS_TYPES: dict[str, type[pl.DataType]] = {
    "string": pl.String,
    "integer": pl.Int64,
    "number": pl.Float64,  # only derived columns (the flat tables' coordinates): validate allows no such field
    "boolean": pl.Boolean,
}
DAY = "date"  # the type of the derived day columns
# Table Schema's defaults when a boolean field does not list its own values.
TRUE_VALUES = ["true", "True", "TRUE", "1"]
FALSE_VALUES = ["false", "False", "FALSE", "0"]


@dataclass(frozen=True)
class Column:
    """A built column: a descriptor field as typed, or the lower or upper day of an EDTF field."""

    field: Field
    bound: str = ""  # "lower" or "upper" for the derived day columns

    @property
    def name(self) -> str:
        return f"{self.field.name}_{self.bound}" if self.bound else self.field.name

    @property
    def type(self) -> str:
        """A key of POLARS_TYPES, or DAY."""
        if self.bound:
            return DAY
        if self.field.type not in POLARS_TYPES:
            raise BuildError(f"field {self.field.name}: no storage defined for type {self.field.type!r}")
        return self.field.type

    @property
    def required(self) -> bool:
        return self.field.required and not self.bound

    @property
    def description(self) -> str:
        if not self.bound:
            return self.field.description
        extreme = "Earliest" if self.bound == "lower" else "Latest"
        return (
            f"{extreme} possible day of `{self.field.name}`, derived from the EDTF value at build time; "
            "empty when there is no date, on the side of an open interval end, and for a year left unspecified "
            "(XXXX). Qualifiers (?, ~, %) do not move it."
        )


def columns(table: Table) -> list[Column]:
    """The built columns in order: each descriptor field, each EDTF field followed by its two days."""
    out = []
    for field in table.fields:
        out.append(Column(field))
        if field.is_edtf:
            out += [Column(field, "lower"), Column(field, "upper")]
    return out


def typed_frame(package: Package, table: Table) -> pl.DataFrame:
    """A table with descriptor types and the EDTF day columns, rows in CSV order."""
    raw = package.read(table.name)
    try:
        return pl.DataFrame([typed_series(raw, column) for column in columns(table)])
    except pl.exceptions.PolarsError as exc:
        raise BuildError(f"{table.name}: a value does not fit its type ({exc})") from exc


def typed_series(raw: pl.DataFrame, column: Column) -> pl.Series:
    values = raw[column.field.name]
    if column.bound:
        side = 0 if column.bound == "lower" else 1
        days = [None if v is None else edtf_days(v)[side] for v in values.to_list()]
        return pl.Series(column.name, days, dtype=pl.Date)
    if column.field.type == "boolean":
        spec = column.field.spec
        truth = dict.fromkeys(spec.get("trueValues", TRUE_VALUES), True)
        truth |= dict.fromkeys(spec.get("falseValues", FALSE_VALUES), False)
        return values.replace_strict(truth, return_dtype=pl.Boolean)
    return values.cast(POLARS_TYPES[column.type])


@functools.cache  # dates repeat across rows, and parsing EDTF is slow
def edtf_days(value: str) -> tuple[date | None, date | None]:
    try:
        return edtf_dates.known_bounds(value)
    except edtf_dates.EdtfError:
        return None, None
