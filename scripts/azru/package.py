"""The descriptor as the one source of truth: tables, fields, keys, codelists."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from azru import guarded

if TYPE_CHECKING:  # polars is slow to import and `azru validate` does not need it
    import polars as pl

DESCRIPTOR = "datapackage.json"
CODELIST_DIR = "data/codelists/"
# String fields holding EDTF dates (Table Schema has no EDTF type; `azru validate` parses them).
EDTF_FIELDS = ("date", "published", "release_date")


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    description: str
    constraints: dict[str, Any]
    spec: dict[str, Any]

    @property
    def required(self) -> bool:
        return bool(self.constraints.get("required"))


@dataclass(frozen=True)
class Table:
    name: str
    path: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[dict[str, Any], ...]

    @property
    def is_codelist(self) -> bool:
        return self.path.startswith(CODELIST_DIR)

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def references(self) -> list[tuple[str, str, str]]:
        """(local field, referenced table, referenced field) for every single-field foreign key."""
        out = []
        for fk in self.foreign_keys:
            target = fk["reference"].get("resource") or self.name
            out.append((fk["fields"][0], target, fk["reference"]["fields"][0]))
        return out


@dataclass(frozen=True)
class Package:
    root: Path
    descriptor: dict[str, Any]

    @cached_property
    def tables(self) -> dict[str, Table]:
        out = {}
        for res in self.descriptor.get("resources", []):
            schema = res.get("schema", {})
            fields = tuple(
                Field(
                    name=f["name"],
                    type=f.get("type", "string"),
                    description=f.get("description", ""),
                    constraints=f.get("constraints", {}),
                    spec=f,
                )
                for f in schema.get("fields", [])
            )
            out[res["name"]] = Table(
                name=res["name"],
                path=res["path"],
                description=res.get("description", ""),
                fields=fields,
                primary_key=tuple(schema.get("primaryKey", [])),
                foreign_keys=tuple(schema.get("foreignKeys", [])),
            )
        return out

    @property
    def fact_tables(self) -> list[Table]:
        return [t for t in self.tables.values() if not t.is_codelist]

    @property
    def codelists(self) -> list[Table]:
        return [t for t in self.tables.values() if t.is_codelist]

    def read(self, name: str) -> "pl.DataFrame":
        """A table as written: every column a string, empty cells as null."""
        import polars as pl

        table = self.tables[name]
        with naming(table.path), guarded.opened(self.root, table.path, guarded.MAX_TABLE_BYTES) as handle:
            frame = pl.read_csv(guarded.engine_path(handle), infer_schema=False, quote_char='"')
        return frame.select(table.field_names).with_columns(pl.all().replace("", None))  # a quoted "" is missing too

    def read_bytes(self, path: str) -> bytes:
        """The bytes of a file the package names."""
        with naming(path):
            return guarded.read_bytes(self.root, path, guarded.MAX_TABLE_BYTES)


@contextmanager
def naming(path: str) -> Iterator[None]:
    """A refusal that names the path in the package: guarded's own messages name only the last part."""
    try:
        yield
    except guarded.Refused as error:
        raise guarded.Refused(error.reason, f"{path}: {error}") from None


def load(root: str | Path) -> Package:
    """Load a package whose descriptor is already known to be well formed (see `azru validate`)."""
    root = Path(root)
    data = guarded.read_bytes(root, DESCRIPTOR, guarded.MAX_DESCRIPTOR_BYTES)
    return Package(root=root, descriptor=json.loads(data.decode("utf-8")))
