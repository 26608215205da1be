"""`azru build PACKAGE --out DIST`: the release files, every one derived from the CSVs and the descriptor.

Built: the data package as a zip (sizes and hashes filled in), Parquet and NDJSON per table, one SQLite
database with keys, full-text search and claim views, its datasette metadata, the timeline figure and a
SHA256SUMS manifest. Building the same package twice gives byte-identical files, wherever it is built,
so a release can be checked by rebuilding it.
"""

import argparse
import contextlib
import copy
import functools
import hashlib
import json
import os
import re
import sqlite3
import stat
import sys
import time
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from azru import edtf_dates, exits, guarded, timeline, validate
from azru.package import DESCRIPTOR, EDTF_FIELDS, Field, Package, Table, load

# The table whose rows are the evidence; views join it to what each claim supports.
EVIDENCE_TABLE = "claims"
# (table, column) pairs the `search` full-text index covers; row_id is the table's primary key.
SEARCHABLE = (
    ("events", "summary"),
    ("actors", "name_en"),
    ("actor_names", "name"),
    ("claims", "quote"),
    ("claims", "quote_en"),
)
SEARCH_TABLE = "search"
# FTS5 keeps the index of `search` in tables named after it.
SEARCH_SHADOWS = ("data", "idx", "content", "docsize", "config")
# The fields build reads by name, for the search index and the timeline.
NEEDED = (*SEARCHABLE, ("events", "event_type"), ("events", "date"), ("event_types", "code"), ("event_types", "label"))
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can record
ZIP_MODE = 0o100644  # a regular file, rw-r--r--
ZIP_UNIX = 3  # "made on Unix", so the mode bits are read the same everywhere
SQLITE_PAGE_SIZE = 4096
PARQUET_COMPRESSION = "zstd"
MANIFEST = "SHA256SUMS"
DATASETTE_METADATA = "metadata.json"
TIMELINE = "timeline.svg"
WEB_ADDRESS = re.compile(r"https?://\S+")
# The folders of the one-file-per-table formats, and the suffix of their files.
TABLE_FOLDERS = {"parquet": ".parquet", "ndjson": ".ndjson"}
MAX_MANIFEST_BYTES = guarded.MIB  # a line for each of thousands of files


class BuildError(Exception):
    """The package cannot be built as it stands; the message says which table and why."""


@dataclass(frozen=True)
class Kind:
    """How one Table Schema type is stored in each format."""

    polars: type[pl.DataType]
    arrow: pa.DataType
    sqlite: str
    sqlite_check: str = ""


KINDS = {
    "string": Kind(pl.String, pa.string(), "TEXT"),
    "integer": Kind(pl.Int64, pa.int64(), "INTEGER"),
    "boolean": Kind(pl.Boolean, pa.bool_(), "INTEGER", "IN (0, 1)"),
}
# SQLite has no date type; ISO 8601 text sorts and compares as dates and works with date().
DAY = Kind(pl.Date, pa.date32(), "TEXT")
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
    def kind(self) -> Kind:
        if self.bound:
            return DAY
        if self.field.type not in KINDS:
            raise BuildError(f"field {self.field.name}: no storage defined for type {self.field.type!r}")
        return KINDS[self.field.type]

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
            "empty when there is no date. An open interval end gives 0001-01-01 or 9999-12-31."
        )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("package", type=Path, nargs="?", default=Path("."), help="package folder (default: .)")
    parser.add_argument("--out", type=Path, default=Path("dist"), help="output folder (default: dist)")
    parser.add_argument(
        "--archive",
        type=Path,
        default=os.environ.get("AZRU_ARCHIVE") or None,
        help="folder of archived source documents, for the validation before building (default: $AZRU_ARCHIVE)",
    )


def run(args: argparse.Namespace) -> int:
    if not (args.package / DESCRIPTOR).is_file():
        print(f"azru build: {args.package} has no {DESCRIPTOR}", file=sys.stderr)
        return exits.USAGE
    if args.archive is not None and not args.archive.is_dir():
        print(f"azru build: archive {args.archive} is not a folder", file=sys.stderr)
        return exits.USAGE
    started = time.perf_counter()
    # a release is built only from a valid package: everything below relies on what validate checks
    report = validate.validate(args.package, args.archive)
    if report.invalid:
        print(validate.render(report, "text", validate.DEFAULT_LIMIT), file=sys.stderr)
        print(f"azru build: {args.package} is not valid, so nothing was built", file=sys.stderr)
        return exits.INVALID
    try:
        built = build(args.package, args.out)
    except (BuildError, guarded.Refused) as exc:
        print(f"azru build: {exc}", file=sys.stderr)
        return exits.INVALID
    total = sum(path.stat().st_size for path in built)
    print(f"built {len(built)} files ({total:,} bytes) in {args.out} in {time.perf_counter() - started:.1f} s")
    return exits.OK


def build(root: Path, out: Path) -> list[Path]:
    """Write every release file into `out`; returns their paths, the manifest last."""
    package = load(root)
    problems = unbuildable(package)
    if problems:
        raise BuildError("; ".join(problems))
    frames = {name: typed_frame(package, table) for name, table in package.tables.items()}
    out.mkdir(parents=True, exist_ok=True)
    remove_previous_build(out, package)
    database = out / database_name(package)
    built = [
        write_zip(package, out / zip_name(package)),
        *write_parquet(package, frames, out / "parquet"),
        write_sqlite(package, frames, database),
        write_datasette_metadata(package, database, out / DATASETTE_METADATA),
        *write_ndjson(package, frames, out / "ndjson"),
        write_text(out / TIMELINE, timeline_svg(frames)),
    ]
    return [*built, write_manifest(out, built)]


def zip_name(package: Package) -> str:
    return f"{package.descriptor['name']}-{package.descriptor['version']}.zip"


def database_name(package: Package) -> str:
    return f"{package.descriptor['name']}.db"


def release_files(package: Package) -> list[str]:
    """Every file a build of `package` writes, relative to the output folder."""
    tables = [f"{folder}/{name}{suffix}" for folder, suffix in TABLE_FOLDERS.items() for name in package.tables]
    return [zip_name(package), database_name(package), DATASETTE_METADATA, TIMELINE, MANIFEST, *tables]


def is_release_file(name: str) -> bool:
    """Whether `name`, relative to the output folder, has a form a build gives its files: a plain file name
    in the output folder or, for the per-table formats, in the format's folder."""
    folder, _, file = name.rpartition("/")
    if not guarded.COMPONENT.fullmatch(file):
        return False
    if folder:
        return folder in TABLE_FOLDERS and file.endswith(TABLE_FOLDERS[folder])
    return file in (DATASETTE_METADATA, TIMELINE, MANIFEST) or file.endswith((".zip", ".db"))


def unbuildable(package: Package) -> list[str]:
    """What a valid package can hold but a release cannot, each in a sentence."""
    return missing_parts(package) or name_clashes(package)  # names are made of the parts


def missing_parts(package: Package) -> list[str]:
    """The fields, keys and names that build reads by name but validate does not require."""
    problems = []
    for table_name, name in NEEDED:
        fields = package.tables[table_name].fields if table_name in package.tables else ()
        if not any(field.name == name and field.type == "string" for field in fields):
            problems.append(f"build needs a string field {name} in a table {table_name}")
    for table_name, _ in SEARCHABLE:
        if table_name in package.tables and len(package.tables[table_name].primary_key) != 1:
            problems.append(f"the search index needs {table_name} to have a primary key of one field")
    return problems + [
        f"the descriptor needs a {key} (a string) to name the release files"
        for key in ("name", "version")
        if not isinstance(package.descriptor.get(key), str)
    ]


def name_clashes(package: Package) -> list[str]:
    """File, column and database names made from the descriptor that cannot be, or are made twice."""
    problems = [
        f"{name!r} is not a plain file name (letters, digits, '.', '_' and '-', at most 128): the descriptor's "
        "name and version and the table names make the release's file names"
        for name in release_files(package)
        if not is_release_file(name)
    ]
    for table in package.tables.values():
        problems += [
            f"{table.name} would have two columns named {name} (each EDTF field gets _lower and _upper columns)"
            for name, count in Counter(column.name for column in columns(table)).items()
            if count > 1
        ]
        problems += [
            f"{table.name}.{local}: SQLite can enforce a foreign key only into the primary key of {target}, "
            f"not into {remote}"
            for local, target, remote in table.references()
            if package.tables[target].primary_key != (remote,)
        ]
    objects = [
        *package.tables,
        SEARCH_TABLE,
        *(f"{SEARCH_TABLE}_{shadow}" for shadow in SEARCH_SHADOWS),
        *(name for name, _, _ in claim_views(package)),
        *(name for table in package.tables.values() for name, _ in indexes(table)),
    ]
    problems += [
        f"two objects in the database would be named {name} (tables, claim views, indexes and the search index "
        "share one namespace)"
        for name, count in Counter(objects).items()
        if count > 1
    ]
    reserved = [name for name in objects if name.startswith("sqlite_")]
    return problems + [f"SQLite keeps names starting sqlite_ to itself: {name}" for name in reserved]


def timeline_of(root: Path) -> str:
    """The timeline figure of a package (docs/timeline.svg, written by `azru schemas`)."""
    package = load(root)
    frames = {name: typed_frame(package, package.tables[name]) for name in ("events", "event_types")}
    return timeline_svg(frames)


# --- typed tables ---------------------------------------------------------------------------------


def columns(table: Table) -> list[Column]:
    """The built columns in order: each descriptor field, each EDTF field followed by its two days."""
    out = []
    for field in table.fields:
        out.append(Column(field))
        if field.name in EDTF_FIELDS:
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
    return values.cast(column.kind.polars)


@functools.cache  # dates repeat across rows, and parsing EDTF is slow
def edtf_days(value: str) -> tuple[date | None, date | None]:
    try:
        return edtf_dates.bounds(value)
    except edtf_dates.EdtfError:
        return None, None


# --- zip ------------------------------------------------------------------------------------------


def write_zip(package: Package, path: Path) -> Path:
    """The package as published: descriptor (with each file's bytes and hash) and every CSV."""
    descriptor = copy.deepcopy(package.descriptor)
    members = {}
    for resource in descriptor["resources"]:
        data = package.read_bytes(resource["path"])  # so each member's name is a plain path inside the package
        resource["bytes"] = len(data)
        resource["hash"] = f"sha256:{hashlib.sha256(data).hexdigest()}"
        members[resource["path"]] = data
    members[DESCRIPTOR] = (json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n").encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIMESTAMP)
            info.create_system = ZIP_UNIX
            info.external_attr = ZIP_MODE << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, members[name], compresslevel=9)
    return path


# --- Parquet and NDJSON ---------------------------------------------------------------------------


def write_parquet(package: Package, frames: dict[str, pl.DataFrame], folder: Path) -> list[Path]:
    folder.mkdir(exist_ok=True)
    paths = []
    for name, table in package.tables.items():
        schema = pa.schema(
            [
                pa.field(c.name, c.kind.arrow, nullable=not c.required, metadata={"description": c.description})
                for c in columns(table)
            ],
            metadata={"description": table.description},
        )
        path = folder / f"{name}.parquet"
        pq.write_table(frames[name].to_arrow().cast(schema), path, compression=PARQUET_COMPRESSION)
        paths.append(path)
    return paths


def write_ndjson(package: Package, frames: dict[str, pl.DataFrame], folder: Path) -> list[Path]:
    """One JSON object a line with the descriptor's fields only: the CSV rows, typed."""
    folder.mkdir(exist_ok=True)
    paths = []
    for name, table in package.tables.items():
        rows = frames[name].select(table.field_names).iter_rows(named=True)
        lines = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        paths.append(write_text(folder / f"{name}.ndjson", lines))
    return paths


# --- SQLite ---------------------------------------------------------------------------------------


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def create_table_sql(table: Table) -> str:
    lines = []
    for column in columns(table):
        line = f"{quote(column.name)} {column.kind.sqlite}"
        if column.required:
            line += " NOT NULL"
        if column.kind.sqlite_check:
            line += f" CHECK ({quote(column.name)} {column.kind.sqlite_check})"
        lines.append(line)
    if table.primary_key:
        lines.append(f"PRIMARY KEY ({', '.join(map(quote, table.primary_key))})")
    for local, target, target_field in table.references():
        lines.append(f"FOREIGN KEY ({quote(local)}) REFERENCES {quote(target)} ({quote(target_field)})")
    return f"CREATE TABLE {quote(table.name)} (\n  " + ",\n  ".join(lines) + "\n)"


def claim_views(package: Package) -> Iterator[tuple[str, str, str]]:
    """(name, description, SQL) of a view per foreign key from claims to a fact table.

    `event_claims` pairs each claim with the event its `event_id` names, and so on; the target's
    columns that share a name with a claim column are prefixed (`detention_status`).
    """
    claims = package.tables[EVIDENCE_TABLE]
    claim_names = [c.name for c in columns(claims)]
    for local, target, target_field in claims.references():
        if package.tables[target].is_codelist:
            continue
        subject = local.removesuffix("_id")
        selected = [f"c.{quote(n)}" for n in claim_names]
        for name in (c.name for c in columns(package.tables[target]) if c.name != target_field):
            alias = f"{subject}_{name}" if name in claim_names else name
            selected.append(f"t.{quote(name)}" + (f" AS {quote(alias)}" if alias != name else ""))
        sql = (
            f"SELECT {', '.join(selected)} FROM {quote(EVIDENCE_TABLE)} AS c "
            f"JOIN {quote(target)} AS t ON t.{quote(target_field)} = c.{quote(local)} ORDER BY c.rowid"
        )
        description = f"Each claim joined to the {target} row its `{local}` names."
        yield f"{subject}_claims", description, sql


def write_sqlite(package: Package, frames: dict[str, pl.DataFrame], path: Path) -> Path:
    """Typed tables with keys, an index per foreign key, full-text `search` and claim views.

    Built in a fresh file and VACUUMed, so the bytes depend only on the data and the SQLite version.
    """
    scratch = path.with_name(path.name + ".tmp")
    scratch.unlink(missing_ok=True)
    con = sqlite3.connect(scratch)
    try:
        con.execute(f"PRAGMA page_size = {SQLITE_PAGE_SIZE}")
        with con:
            load_tables(con, package, frames)
            add_search(con, package)
            for name, _, sql in claim_views(package):
                con.execute(f"CREATE VIEW {quote(name)} AS {sql}")
        check_foreign_keys(con)
        con.execute("VACUUM")
    finally:
        con.close()
    scratch.replace(path)
    return path


def load_tables(con: sqlite3.Connection, package: Package, frames: dict[str, pl.DataFrame]) -> None:
    # Foreign keys are off while loading (rows may name a parent later in the same file);
    # check_foreign_keys verifies them all once loaded.
    for name, table in package.tables.items():
        con.execute(create_table_sql(table))
        frame = frames[name].with_columns(pl.col(pl.Date).dt.to_string("%Y-%m-%d"))
        placeholders = ", ".join("?" * frame.width)
        try:
            con.executemany(f"INSERT INTO {quote(name)} VALUES ({placeholders})", frame.iter_rows())
        except sqlite3.IntegrityError as error:  # e.g. a repeated primary key of several fields
            raise BuildError(f"{name}: a row does not fit the table ({error})") from error
        for index, local in indexes(table):
            con.execute(f"CREATE INDEX {quote(index)} ON {quote(name)} ({quote(local)})")


def indexes(table: Table) -> list[tuple[str, str]]:
    """(index, field) for every field that refers to another table, once however many keys it is in."""
    return [
        (f"idx_{table.name}_{local}", local) for local in dict.fromkeys(local for local, _, _ in table.references())
    ]


def add_search(con: sqlite3.Connection, package: Package) -> None:
    con.execute(
        f"CREATE VIRTUAL TABLE {SEARCH_TABLE} USING fts5("
        "table_name UNINDEXED, row_id UNINDEXED, text, tokenize = 'unicode61 remove_diacritics 2')"
    )
    for name, column in SEARCHABLE:
        (key,) = package.tables[name].primary_key
        con.execute(
            f"INSERT INTO {SEARCH_TABLE} (table_name, row_id, text) SELECT ?, {quote(key)}, {quote(column)} "
            f"FROM {quote(name)} WHERE {quote(column)} IS NOT NULL ORDER BY rowid",
            [name],
        )


def check_foreign_keys(con: sqlite3.Connection) -> None:
    dangling = con.execute("PRAGMA foreign_key_check").fetchall()
    if dangling:
        examples = "; ".join(f"{table} row {rowid} -> {parent}" for table, rowid, parent, _ in dangling[:5])
        raise BuildError(f"{len(dangling)} foreign keys name no row (e.g. {examples}); run azru validate")


def write_datasette_metadata(package: Package, database: Path, path: Path) -> Path:
    """Metadata for `datasette DB -m metadata.json`: package title and licence, table and column notes."""
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


# --- timeline and manifest ------------------------------------------------------------------------


# wider than this (unknown year, open interval) a date cannot be placed on the axis
PLOTTABLE_SPAN = timedelta(days=3653)


def timeline_svg(frames: dict[str, pl.DataFrame]) -> str:
    events, types = frames["events"], frames["event_types"]
    labels = dict(types.select("code", "label").iter_rows())
    span = pl.col("date_upper") - pl.col("date_lower")
    dated = events.filter(pl.col("date_lower").is_not_null() & (span <= PLOTTABLE_SPAN))
    # an event whose type has no label (a code no codelist row has, or a row without one) goes under its code
    points = [
        timeline.Point(lower, upper, labels.get(kind) or kind or "(no type)")
        for kind, lower, upper in dated.select("event_type", "date_lower", "date_upper").iter_rows()
    ]
    order = [labels[code] for code in types["code"]]
    return timeline.render(points, order, undated=events.height - dated.height)


def write_text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", newline="\n")
    return path


def sha256_file(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def remove_previous_build(out: Path, package: Package) -> None:
    """Delete the files the last build listed, so none outlives its table, and those this build writes, so
    none is written through a link left in their place.

    The output folder may come with the package, manifest and links included: only names of a form build
    gives its files are deleted, a link is deleted rather than followed, and a format's folder that is not
    a folder (a link to one elsewhere, say) is deleted to be made afresh.
    """
    try:
        listed = guarded.read_bytes(out, MANIFEST, MAX_MANIFEST_BYTES).decode("utf-8", "replace").splitlines()
    except guarded.Refused:  # none, or not a plain file: deleted below all the same
        listed = []
    for folder in TABLE_FOLDERS:
        with contextlib.suppress(FileNotFoundError):
            if not stat.S_ISDIR((out / folder).lstat().st_mode):
                (out / folder).unlink()
    for name in {line.partition("  ")[2] for line in listed} | set(release_files(package)):
        if is_release_file(name):
            (out / name).unlink(missing_ok=True)


def write_manifest(out: Path, built: list[Path]) -> Path:
    """`sha256sum -c SHA256SUMS` format, one line a file, sorted by path."""
    names = sorted(p.relative_to(out).as_posix() for p in built)
    return write_text(out / MANIFEST, "".join(f"{sha256_file(out / n)}  {n}\n" for n in names))
