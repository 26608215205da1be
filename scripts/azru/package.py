"""The descriptor as the one source of truth: tables, fields, keys, codelists, and the domain facts.

The domain facts are custom properties in one namespace, `azru:`, which the Data Package standard
allows and other readers ignore. This module is the only one that reads them:

- on a resource, `azru:idPrefix` (ids of its rows are the prefix, `-` and 10 random characters),
  `azru:singular` (the name `azru new` also accepts) and `azru:evidenced` (each row needs a claim);
- which claim supports which row is a table of links, found by its shape rather than by a property: the
  table with a foreign key claim_id -> claims.claim_id, whose foreign key <key> -> table.<key> (<key> the
  primary key) names the evidenced row; so a passage that supports several rows is stored once;
- on a field, `azru:edtf` (an EDTF date held as a string) and `azru:searchable` (in the release's
  full-text index).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from azru import domain, guarded, strict_json

if TYPE_CHECKING:  # polars is slow to import and `azru validate` does not need it
    import polars as pl

DESCRIPTOR = "datapackage.json"
CODELIST_DIR = "data/codelists/"
NAMESPACE = "azru:"
ID_PREFIX = "azru:idPrefix"
SINGULAR = "azru:singular"
EVIDENCED = "azru:evidenced"
EDTF = "azru:edtf"
SEARCHABLE = "azru:searchable"
RESOURCE_PROPERTIES = (ID_PREFIX, SINGULAR, EVIDENCED)
FIELD_PROPERTIES = (EDTF, SEARCHABLE)


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

    @property
    def is_edtf(self) -> bool:
        """Whether the field holds EDTF dates (Table Schema has no EDTF type; `azru validate` parses them)."""
        return self.spec.get(EDTF) is True

    @property
    def searchable(self) -> bool:
        return self.spec.get(SEARCHABLE) is True


@dataclass(frozen=True)
class Table:
    name: str
    path: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[dict[str, Any], ...]
    spec: dict[str, Any] = dataclass_field(default_factory=dict)  # the resource as the descriptor gives it

    @property
    def is_codelist(self) -> bool:
        return self.path.startswith(CODELIST_DIR)

    @property
    def id_prefix(self) -> str | None:
        """What every id of the table starts with (before a `-`); None for a table without made ids."""
        prefix: str | None = self.spec.get(ID_PREFIX)
        return prefix

    @property
    def singular(self) -> str | None:
        """The name `azru new` also accepts for the table (`event` for `events`)."""
        singular: str | None = self.spec.get(SINGULAR)
        return singular

    @property
    def evidenced(self) -> bool:
        """Whether each row stands for a fact, and so needs a claim pointing at it."""
        return self.spec.get(EVIDENCED) is True

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

    def field_pointing_at(self, target: "Table") -> str | None:
        """The field of this table that holds ids of ``target``'s rows: the foreign key into its primary
        key that carries the key's own name, so claim_links.actor_id (the actor a claim is about) and not
        claims.claimant_actor_id."""
        if len(target.primary_key) != 1:
            return None
        (key,) = target.primary_key
        return key if (key, target.name, key) in self.references() else None


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
                spec=res,
            )
        return out

    @property
    def fact_tables(self) -> list[Table]:
        return [t for t in self.tables.values() if not t.is_codelist]

    @property
    def codelists(self) -> list[Table]:
        return [t for t in self.tables.values() if t.is_codelist]

    def evidenced_tables(self) -> list[Table]:
        return [t for t in self.tables.values() if t.evidenced]

    def claim_links(self) -> Table | None:
        """The table tying each claim to the rows it supports: the first, other than claims, with a foreign
        key from its claim_id into the claims' key."""
        claim_key = ("claim_id", domain.CLAIMS, "claim_id")
        return next((t for t in self.tables.values() if t.name != domain.CLAIMS and claim_key in t.references()), None)

    def claim_targets(self) -> dict[str, str]:
        """Each evidenced table with the link field that points at it, in the order of the link table's fields."""
        links = self.claim_links()
        if links is None:
            return {}
        pointing = {column: t.name for t in self.evidenced_tables() if (column := links.field_pointing_at(t))}
        return {pointing[name]: name for name in links.field_names if name in pointing}

    def id_tables(self) -> list[Table]:
        """The tables whose rows get ids made by `azru new`."""
        return [t for t in self.tables.values() if t.id_prefix]

    def table_for_prefix(self, prefix: str) -> Table | None:
        return next((t for t in self.id_tables() if t.id_prefix == prefix), None)

    def table_for_singular(self, singular: str) -> Table | None:
        return next((t for t in self.tables.values() if t.singular == singular), None)

    def searchable_fields(self) -> list[tuple[Table, Field]]:
        """The fields of the release's full-text index, in descriptor order."""
        return [(t, f) for t in self.tables.values() for f in t.fields if f.searchable]

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
    return Package(root=root, descriptor=strict_json.loads(data))
