"""Reading one table file into DuckDB, with every file-level problem as a finding.

Clean files (the normal case) take the fast path: DuckDB's parallel CSV reader, whose load stands only
when it read the file as the exact tokenizer does (see load_fast). Any other file is streamed through
the exact tokenizer, which knows the physical line of every record; findings come as they are found.
Either way the table lands in DuckDB with a line column, so every later check can say where a cell is.
"""

import csv
import io
from collections.abc import Iterator
from concurrent.futures import Future
from itertools import chain, islice
from pathlib import Path

import duckdb

from ..package import Table
from . import scan, tokenizer
from .rules import (
    CSV_QUOTE_MALFORMED,
    FILE_EMPTY,
    FINAL_NEWLINE_MISSING,
    HEADER_MISMATCH,
    RECORD_TOO_LONG,
    ROW_FIELD_COUNT,
    Finding,
    More,
)
from .scan import Signs, careful_scan, encoding_findings
from .sql import LINE_COLUMN, sql_name
from .tokenizer import Record, records, tokenize

# what loading a table reports, the byte scans' findings included
EMITS = scan.EMITS | {
    FILE_EMPTY,
    HEADER_MISMATCH,
    CSV_QUOTE_MALFORMED,
    ROW_FIELD_COUNT,
    RECORD_TOO_LONG,
    FINAL_NEWLINE_MISSING,
}
HEADER_LIMIT = 1024 * 1024  # characters read for the header: no schema's header is longer
BATCH_ROWS = 50_000  # the exact tokenizer's rows go to DuckDB in batches of this many rows
BATCH_CHARS = 8 * 1024 * 1024  # or of about this many characters, whichever comes first
BATCH_VIEW = "batch:"  # the colon keeps it apart from every table name
# A table file of at most this many bytes is small: its rows are copied under its name (see publish), its
# cells are checked with the other small tables' (cells.tables_with_bad_cells), and it keeps every field.
SMALL_TABLE_BYTES = 1024 * 1024


def read_header(path: Path) -> list[str]:
    """The first record as csv reads it, from at most HEADER_LIMIT characters; a cell longer than csv
    allows makes the header the raw first line."""
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as handle:
        start = handle.read(HEADER_LIMIT)
    try:
        return next(csv.reader(io.StringIO(start, newline="")), [])
    except csv.Error:
        return [start.partition("\n")[0]]


def load_exact(con: duckdb.DuckDBPyConnection, table: Table, path: Path, rel: str) -> Iterator[Finding]:
    """Stream the file through the exact tokenizer into DuckDB, in batches."""
    yield from encoding_findings(path, rel)
    names, stored = table.field_names, stored_name(table)
    columns = ", ".join(f"{sql_name(name)} VARCHAR" for name in names)
    con.execute(f"CREATE OR REPLACE TABLE {stored} ({LINE_COLUMN} BIGINT, {columns})").fetchall()
    batch = _Batch(len(names))
    with open(path, encoding="utf-8-sig", errors="replace", newline="\n") as handle:
        rows = records(handle)
        next(rows, None)  # the header, checked before loading
        for record in rows:
            for error in record.errors:
                yield Finding(CSV_QUOTE_MALFORMED, rel, record.line, params={"error": error})
            if record.too_long:
                yield Finding(RECORD_TOO_LONG, rel, record.line, params={"limit": f"{tokenizer.MAX_RECORD:,}"})
            elif len(record.cells) != len(names):
                found, expected = str(len(record.cells)), str(len(names))
                yield Finding(ROW_FIELD_COUNT, rel, record.line, params={"found": found, "expected": expected})
            elif batch.add(record):
                batch.insert(con, stored)
    batch.insert(con, stored)


class _Batch:
    """Rows on their way to DuckDB, which makes their empty cells nulls."""

    def __init__(self, width: int) -> None:
        self.cells = ", ".join(f"nullif({sql_name(str(n))}, '')" for n in range(1, width + 1))
        self.clear()

    def clear(self) -> None:
        self.lines: list[int] = []
        self.rows: list[list[str]] = []
        self.chars = 0

    def add(self, record: Record) -> bool:
        """Add a row; whether the batch is full."""
        self.lines.append(record.line)
        self.rows.append(record.cells)
        self.chars += sum(map(len, record.cells))
        return len(self.rows) >= BATCH_ROWS or self.chars >= BATCH_CHARS

    def insert(self, con: duckdb.DuckDBPyConnection, stored: str) -> None:
        if not self.rows:
            return
        import pyarrow as pa  # only files off the fast path come here

        arrays = [
            pa.array(self.lines, pa.int64()),
            *(pa.array(column, pa.string()) for column in zip(*self.rows, strict=True)),
        ]
        con.register(BATCH_VIEW, pa.Table.from_arrays(arrays, names=[str(n) for n in range(len(arrays))]))
        con.execute(f'INSERT INTO {stored} SELECT "0", {self.cells} FROM {sql_name(BATCH_VIEW)}').fetchall()
        con.unregister(BATCH_VIEW)
        self.clear()


def load_fast(
    con: duckdb.DuckDBPyConnection, table: Table, path: Path, rel: str, signs: Future[Signs]
) -> Iterator[Finding] | None:
    """Load a file with DuckDB's strict parallel reader, or None when the exact tokenizer must.

    DuckDB reads while another thread scans the bytes. Its load stands only if it read the file as the
    exact tokenizer does: a plain file whose records fill its lines one each, so that a record's line is
    its row number plus the header's, which the table's view adds; every row with a quote in a cell
    (a doubled quote, or a stray one DuckDB tolerates) read alike by the tokenizer, whose findings on
    them are returned; and every byte of the file, quotes aside, in the header, a cell, a comma or a
    newline, as DuckDB silently drops the spaces around a quoted cell and empty cells past the last column.
    """
    stored = stored_name(table)
    names = table.field_names
    columns = "{" + ", ".join(f"'{n}': 'VARCHAR'" for n in names) + "}"
    try:
        ((records,),) = con.execute(
            f"CREATE OR REPLACE TABLE {stored} AS SELECT * FROM read_csv(?, header=true, auto_detect=false, "
            f"columns={columns}, delim=',', quote='\"', escape='\"', new_line='\\n', strict_mode=true, "
            f"max_line_size={tokenizer.MAX_RECORD})",
            [str(path)],
        ).fetchall()
    except duckdb.Error:  # DuckDB refuses the file; the exact tokenizer says why, line by line
        return None
    quoting = _quoting_if_alike(con, table, path, rel, signs.result(), records)
    if quoting is None:
        con.execute(f"DROP TABLE {stored}").fetchall()
        return None
    return quoting


def _quoting_if_alike(
    con: duckdb.DuckDBPyConnection, table: Table, path: Path, rel: str, scanned: Signs, records: int
) -> Iterator[Finding] | None:
    """The tokenizer's findings on the rows DuckDB loaded, if it read them as the tokenizer does (see
    load_fast), else None."""
    if not scanned.plain or records != scanned.lines - 1:  # a blank line or a multi-line record
        return None
    names = table.field_names
    # a row's cells joined (an empty cell adds nothing), which one expression measures for every field
    joined = f"concat({', '.join(sql_name(name) for name in names)})"
    ((cell_bytes, quoted),) = con.execute(
        f"SELECT coalesce(sum(strlen(row)), 0), count(*) FILTER (WHERE contains(row, '\"')) "
        f"FROM (SELECT {joined} AS row FROM {stored_name(table)})"
    ).fetchall()
    cell_quotes, errors = 0, 0
    for _, values, record in _quoted_rows(con, table, path) if quoted else ():
        if [cell or None for cell in record.cells] != values:
            return None
        cell_quotes += sum(value.count('"') for value in values if value)
        errors += len(record.errors)
    between = len(",".join(names).encode()) + (len(names) - 1) * records + scanned.newlines  # header, commas, newlines
    if scanned.size - scanned.quotes != between + cell_bytes - cell_quotes:
        return None
    return _stray_quotes(con, table, path, rel) if errors else iter(())


def _has_quote(table: Table) -> str:
    return " OR ".join(f"contains({sql_name(name)}, '\"')" for name in table.field_names)


def _quoted_rows(
    con: duckdb.DuckDBPyConnection, table: Table, path: Path
) -> Iterator[tuple[int, list[str | None], Record]]:
    """DuckDB's rows with a quote in a cell (usually none), each with its line and the record the exact
    tokenizer reads there."""
    selected = ", ".join(sql_name(name) for name in table.field_names)
    with con.cursor() as cursor, open(path, encoding="utf-8", newline="\n") as handle:
        cursor.execute(f"SELECT rowid + 2, {selected} FROM {stored_name(table)} WHERE {_has_quote(table)} ORDER BY 1")
        read = 0  # lines read so far
        while rows := cursor.fetchmany(10_000):
            for line, *values in rows:
                text = next(islice(handle, line - read - 1, None))
                read = line
                yield line, values, next(tokenize(text))


def _stray_quotes(con: duckdb.DuckDBPyConnection, table: Table, path: Path, rel: str) -> Iterator[Finding]:
    for line, _, record in _quoted_rows(con, table, path):
        for error in record.errors:
            yield Finding(CSV_QUOTE_MALFORMED, rel, line, params={"error": error})


def stored_name(table: Table) -> str:
    """Where a table's rows are loaded: a name no resource can have; checks read them by the table's name,
    with the line of every row (see publish)."""
    return sql_name(table.name + ":rows")


def is_small(path: Path) -> bool:
    return path.stat().st_size <= SMALL_TABLE_BYTES


def publish(con: duckdb.DuckDBPyConnection, table: Table, small: bool, lines_stored: bool) -> None:
    """Give the loaded rows the table's name, with the line of every row: a view of a large table, or a copy
    of a small one (it costs little, and DuckDB binds a view's query again in every query that reads it)."""
    line = "" if lines_stored else f"rowid + 2 AS {LINE_COLUMN}, "
    rows = f"SELECT {line}* FROM {stored_name(table)}"
    if not small:
        con.execute(f"CREATE OR REPLACE VIEW {sql_name(table.name)} AS {rows}").fetchall()
        return
    con.execute(f"CREATE OR REPLACE TABLE {sql_name(table.name)} AS {rows}").fetchall()
    con.execute(f"DROP TABLE {stored_name(table)}").fetchall()


def drop_fields(con: duckdb.DuckDBPyConnection, table: Table, names: list[str]) -> None:
    """Free the memory of fields no later check reads (DuckDB drops a column without copying the rest)."""
    for name in names:
        con.execute(f"ALTER TABLE {stored_name(table)} DROP COLUMN {sql_name(name)}").fetchall()


def load_table(
    con: duckdb.DuckDBPyConnection, table: Table, path: Path, signs: Future[Signs], small: bool
) -> tuple[Iterator[Finding | More], bool]:
    """Check one table's file (opened by azru.guarded; `path` names it for the engines) and load it,
    given looks_plain's signs as they come and whether the file is small (is_small, asked once): its
    findings, which come as they are found, and whether its rows are in DuckDB once they have all been read."""
    rel = table.path
    if path.stat().st_size == 0:
        return iter([Finding(FILE_EMPTY, rel, 1)]), False
    header = read_header(path)
    if header != table.field_names:
        expected = ",".join(table.field_names)
        mismatch = Finding(HEADER_MISMATCH, rel, 1, value=",".join(header), params={"expected": expected})
        return chain(careful_scan(path, rel), [mismatch]), False
    return _load(con, table, path, signs, small), True


def _load(
    con: duckdb.DuckDBPyConnection, table: Table, path: Path, signs: Future[Signs], small: bool
) -> Iterator[Finding | More]:
    rel = table.path
    quoting = load_fast(con, table, path, rel, signs)
    if quoting is None:
        yield from careful_scan(path, rel)
        yield from load_exact(con, table, path, rel)
        publish(con, table, small, lines_stored=True)
        return
    yield from quoting
    publish(con, table, small, lines_stored=False)
    scanned = signs.result()
    if not scanned.final_newline:
        yield Finding(FINAL_NEWLINE_MISSING, rel, scanned.newlines + 1)
