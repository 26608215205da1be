"""One SQLite database: the typed tables with their keys, an index per foreign key, a full-text index per
table with searchable text, a view per kind of fact a claim supports, and the flat tables (azru.flat), stored
as tables so that datasette pages and facets over a million events stay quick.

Built in a fresh file by one connection running the same statements in the same order, so the bytes depend only
on the data and the SQLite version (not on the page cache's size). No VACUUM: the pages the full-text merges
free are mostly reused by the next writes, so it would reclaim a few hundredths of a per cent of the file while
rewriting all of it. SQLite keeps each CREATE statement's text in the file, so that text is part of the
release's bytes.
"""

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import polars as pl

from azru import flat, search, typed
from azru.package import Package, Table
from azru.sql import identifier
from azru.typed import DAY, BuildError, columns

# How each typed column (azru.typed) is stored. SQLite has no date type; ISO 8601 text sorts and compares as
# dates and works with date().
SQLITE_TYPES = {"string": "TEXT", "integer": "INTEGER", "number": "REAL", "boolean": "INTEGER", DAY: "TEXT"}
SQLITE_CHECKS = {"boolean": "IN (0, 1)"}
SQLITE_PAGE_SIZE = 4096
# A fresh scratch file, renamed into place once complete: nothing to recover after a crash, so no journal and no
# waiting for the disk. None of these settings is stored in the file.
SCRATCH_SETTINGS = ("journal_mode = OFF", "synchronous = OFF", "cache_size = -65536")  # a 64 MiB page cache
ROWS_PER_INSERT = 10_000  # rows handed to SQLite at a time: quicker than one by one, and a bounded list
# The table whose rows are the evidence; views join it, through its links, to what each claim supports.
EVIDENCE_TABLE = "claims"
# (table, column) pairs with searchable text. Each table's are indexed together, in the descriptor's order,
# in the full-text table named by search_table(table).
# Trigrams match any substring of three characters or more, so a word is found with the prefixes Arabic
# attaches to it (ال، و، ب، ل، ف، ك) and an English word with its endings; the text is normalised first
# (azru.search), as the trigram tokenizer of this SQLite folds case but no marks.
SEARCH_TOKENIZER = "trigram"
# FTS5 keeps the index of a full-text table in tables named after it.
SEARCH_SHADOWS = ("data", "idx", "content", "docsize", "config")


def write_sqlite(
    package: Package, frames: Mapping[str, pl.DataFrame], flat_frames: Mapping[str, pl.DataFrame], path: Path
) -> Path:
    scratch = path.with_name(path.name + ".tmp")
    scratch.unlink(missing_ok=True)
    con = sqlite3.connect(scratch)
    try:
        con.execute(f"PRAGMA page_size = {SQLITE_PAGE_SIZE}")
        for setting in SCRATCH_SETTINGS:
            con.execute(f"PRAGMA {setting}")
        with con:
            load_tables(con, package, frames)
            for table in flat.TABLES:
                con.execute(create_table_sql(table.name, table.columns, (table.key,)))
                insert(con, table.name, flat_frames[table.name])
            add_search(con, package)
            for name, _, sql in claim_views(package):
                con.execute(f"CREATE VIEW {identifier(name)} AS {sql}")
        check_foreign_keys(con)
    finally:
        con.close()
    scratch.replace(path)
    return path


def create_table_sql(
    name: str,
    stored: Sequence[typed.Column | flat.Column],
    primary_key: Sequence[str],
    references: Sequence[tuple[str, str, str]] = (),
) -> str:
    lines = []
    for column in stored:
        line = f"{identifier(column.name)} {SQLITE_TYPES[column.type]}"
        if column.required:
            line += " NOT NULL"
        if column.type in SQLITE_CHECKS:
            line += f" CHECK ({identifier(column.name)} {SQLITE_CHECKS[column.type]})"
        lines.append(line)
    if primary_key:
        lines.append(f"PRIMARY KEY ({', '.join(map(identifier, primary_key))})")
    for local, target, target_field in references:
        lines.append(f"FOREIGN KEY ({identifier(local)}) REFERENCES {identifier(target)} ({identifier(target_field)})")
    return f"CREATE TABLE {identifier(name)} (\n  " + ",\n  ".join(lines) + "\n)"


def load_tables(con: sqlite3.Connection, package: Package, frames: Mapping[str, pl.DataFrame]) -> None:
    # Foreign keys are off while loading (rows may name a parent later in the same file);
    # check_foreign_keys verifies them all once loaded.
    for name, table in package.tables.items():
        con.execute(create_table_sql(name, columns(table), table.primary_key, table.references()))
        insert(con, name, frames[name])
        for index, local in indexes(table):
            con.execute(f"CREATE INDEX {identifier(index)} ON {identifier(name)} ({identifier(local)})")


def insert(con: sqlite3.Connection, name: str, frame: pl.DataFrame) -> None:
    statement = f"INSERT INTO {identifier(name)} VALUES ({', '.join('?' * frame.width)})"
    try:
        for start in range(0, frame.height, ROWS_PER_INSERT):
            rows = frame.slice(start, ROWS_PER_INSERT).with_columns(pl.col(pl.Date).dt.to_string("%Y-%m-%d"))
            con.executemany(statement, rows.rows())
    except sqlite3.IntegrityError as error:  # e.g. a repeated primary key of several fields
        raise BuildError(f"{name}: a row does not fit the table ({error})") from error


def indexes(table: Table) -> list[tuple[str, str]]:
    """(index, field) for every field that refers to another table, once however many keys it is in."""
    return [
        (f"idx_{table.name}_{local}", local) for local in dict.fromkeys(local for local, _, _ in table.references())
    ]


def searched_columns(package: Package) -> dict[str, list[str]]:
    """The searchable columns of each table that has any, tables and columns in the descriptor's order."""
    searched = {
        name: [field.name for field in table.fields if field.searchable] for name, table in package.tables.items()
    }
    return {name: fields for name, fields in searched.items() if fields}


def search_table(name: str) -> str:
    """The full-text table of table `name`; datasette's `fts_table`."""
    return f"{name}_fts"


def search_objects(package: Package) -> list[str]:
    """Every name the full-text tables take in the database, their FTS5 storage included."""
    tables = [search_table(name) for name in searched_columns(package)]
    return [*tables, *(f"{table}_{shadow}" for table in tables for shadow in SEARCH_SHADOWS)]


def add_search(con: sqlite3.Connection, package: Package) -> None:
    """A full-text table per table with searchable text, holding that text normalised.

    Its rowid is the rowid of the row the text comes from, as datasette's `_search` expects; rows with no
    searchable text are left out.
    """
    search.register(con)
    for name, searched in searched_columns(package).items():
        table, names = identifier(search_table(name)), ", ".join(map(identifier, searched))
        con.execute(f"CREATE VIRTUAL TABLE {table} USING fts5({names}, tokenize = '{SEARCH_TOKENIZER}')")
        normalised = ", ".join(f"{search.NORMALISE_FUNCTION}({identifier(column)})" for column in searched)
        any_text = " OR ".join(f"{identifier(column)} IS NOT NULL" for column in searched)
        con.execute(
            f"INSERT INTO {table} (rowid, {names}) SELECT rowid, {normalised} "
            f"FROM {identifier(name)} WHERE {any_text} ORDER BY rowid"
        )


def claim_views(package: Package) -> Iterator[tuple[str, str, str]]:
    """(name, description, SQL) of a view per kind of row a claim supports, then per other foreign key from
    claims to a fact table.

    `event_claims` pairs each claim with each event a link of it names (a claim supporting two events
    appears twice), `source_claims` each claim with its source, and so on; the target's columns that share
    a name with a claim column are prefixed (`detention_status`).
    """
    claims = package.tables[EVIDENCE_TABLE]
    claim_names = [c.name for c in columns(claims)]
    links = package.claim_links()
    joined: list[tuple[Table | None, str, str, str]] = []
    joined += [(links, local, target, key) for local, target, key in links.references()] if links else []
    joined += [(None, local, target, key) for local, target, key in claims.references()]
    for link, local, target, target_field in joined:
        if target == EVIDENCE_TABLE or package.tables[target].is_codelist:
            continue
        subject = local.removesuffix("_id")
        selected = [f"c.{identifier(n)}" for n in claim_names] + ([f"l.{identifier(local)}"] if link else [])
        for name in (c.name for c in columns(package.tables[target]) if c.name != target_field):
            alias = f"{subject}_{name}" if name in claim_names else name
            selected.append(f"t.{identifier(name)}" + (f" AS {identifier(alias)}" if alias != name else ""))
        if link is None:
            source, holder, order = f"{identifier(EVIDENCE_TABLE)} AS c", "c", "c.rowid"
            description = f"Each claim joined to the {target} row its `{local}` names."
        else:
            source = f"{identifier(link.name)} AS l JOIN {identifier(EVIDENCE_TABLE)} AS c ON c.claim_id = l.claim_id"
            holder, order = "l", "l.rowid"
            description = f"Each claim joined to each {target} row a link of it in `{link.name}` names."
        sql = (
            f"SELECT {', '.join(selected)} FROM {source} "
            f"JOIN {identifier(target)} AS t ON t.{identifier(target_field)} = {holder}.{identifier(local)} "
            f"ORDER BY {order}"
        )
        yield f"{subject}_claims", description, sql


def check_foreign_keys(con: sqlite3.Connection) -> None:
    dangling = con.execute("PRAGMA foreign_key_check").fetchall()
    if dangling:
        examples = "; ".join(f"{table} row {rowid} -> {parent}" for table, rowid, parent, _ in dangling[:5])
        raise BuildError(f"{len(dangling)} foreign keys name no row (e.g. {examples}); run azru validate")
