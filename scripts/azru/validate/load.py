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
# A table file of at most this many bytes is small: its rows are copied under its name (see publish), and
# its cells are checked with the other small tables' (cells.tables_with_bad_cells).
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


def read_fast(con: duckdb.DuckDBPyConnection, table: Table, path: Path) -> int | None:
    """Read a file into its stored table with DuckDB's strict parallel reader: the number of records, or
    None when DuckDB refuses the file (the exact tokenizer then says why, line by line)."""
    columns = "{" + ", ".join(f"'{n}': 'VARCHAR'" for n in table.field_names) + "}"
    try:
        ((records,),) = con.execute(
            f"CREATE OR REPLACE TABLE {stored_name(table)} AS SELECT * FROM read_csv(?, header=true, "
            f"auto_detect=false, columns={columns}, delim=',', quote='\"', escape='\"', new_line='\\n', "
            f"strict_mode=true, max_line_size={tokenizer.MAX_RECORD})",
            [str(path)],
        ).fetchall()
    except duckdb.Error:
        return None
    return int(records)


Measure = tuple[int, bool]  # the bytes in a stored table's cells, and whether one holds a quote


def measure(con: duckdb.DuckDBPyConnection, tables: list[Table]) -> list[Measure]:
    """The measure of each table read fast, all asked in one query."""
    if not tables:
        return []
    # a row's cells joined (an empty cell adds nothing), which one expression measures for every field
    branches = [
        f"SELECT {number} AS t, coalesce(sum(strlen(row)), 0), coalesce(bool_or(contains(row, '\"')), false) "
        f"FROM (SELECT concat({', '.join(sql_name(name) for name in table.field_names)}) AS row "
        f"FROM {stored_name(table)})"
        for number, table in enumerate(tables)
    ]
    found = {
        number: (int(size), bool(quoted))
        for number, size, quoted in con.execute(" UNION ALL ".join(branches)).fetchall()
    }
    return [found[number] for number in range(len(tables))]


def fast_findings(
    con: duckdb.DuckDBPyConnection, table: Table, path: Path, scanned: Signs, records: int, measured: Measure
) -> Iterator[Finding] | None:
    """The findings on a file DuckDB read fast, if its load stands; else None, and the stored table is dropped
    for the exact tokenizer's.

    DuckDB reads while another thread scans the bytes. Its load stands only if it read the file as the
    exact tokenizer does: a plain file whose records fill its lines one each, so that a record's line is
    its row number plus the header's, which publish adds; every row with a quote in a cell (a doubled
    quote, or a stray one DuckDB tolerates) read alike by the tokenizer, whose findings on them are
    returned; and every byte of the file, quotes aside, in the header, a cell, a comma or a newline, as
    DuckDB silently drops the spaces around a quoted cell and empty cells past the last column.
    """
    quoting = _quoting_if_alike(con, table, path, scanned, records, measured)
    if quoting is None:
        con.execute(f"DROP TABLE {stored_name(table)}").fetchall()
        return None
    final = [] if scanned.final_newline else [Finding(FINAL_NEWLINE_MISSING, table.path, scanned.newlines + 1)]
    return chain(quoting, final)


def _quoting_if_alike(
    con: duckdb.DuckDBPyConnection, table: Table, path: Path, scanned: Signs, records: int, measured: Measure
) -> Iterator[Finding] | None:
    """The tokenizer's findings on the rows DuckDB loaded, if it read them as the tokenizer does (see
    fast_findings), else None."""
    if not scanned.plain or records != scanned.lines - 1:  # a blank line or a multi-line record
        return None
    names, (cell_bytes, quoted) = table.field_names, measured
    cell_quotes, errors = 0, 0
    for _, values, record in _quoted_rows(con, table, path) if quoted else ():
        if [cell or None for cell in record.cells] != values:
            return None
        cell_quotes += sum(value.count('"') for value in values if value)
        errors += len(record.errors)
    between = len(",".join(names).encode()) + (len(names) - 1) * records + scanned.newlines  # header, commas, newlines
    if scanned.size - scanned.quotes != between + cell_bytes - cell_quotes:
        return None
    return _stray_quotes(con, table, path) if errors else iter(())


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


def _stray_quotes(con: duckdb.DuckDBPyConnection, table: Table, path: Path) -> Iterator[Finding]:
    for line, _, record in _quoted_rows(con, table, path):
        for error in record.errors:
            yield Finding(CSV_QUOTE_MALFORMED, table.path, line, params={"error": error})


def stored_name(table: Table) -> str:
    """Where a table's rows are loaded: a name no resource can have; checks read them by the table's name,
    with the line of every row (see publish)."""
    return sql_name(table.name + ":rows")


def is_small(path: Path) -> bool:
    return path.stat().st_size <= SMALL_TABLE_BYTES


def publish(con: duckdb.DuckDBPyConnection, table: Table, lines_stored: bool, kept: list[str] | None = None) -> None:
    """Give the loaded rows the table's name, with the line of every row: a view of every field, or a copy
    of a small table with the `kept` fields alone, which costs less than dropping the others and than the
    view (DuckDB binds a view's query again in every query that reads it)."""
    line = [] if lines_stored else [f"rowid + 2 AS {LINE_COLUMN}"]
    if kept is None:
        rows = ", ".join([*line, "*"])
        con.execute(f"CREATE OR REPLACE VIEW {sql_name(table.name)} AS SELECT {rows} FROM {stored_name(table)}")
        return
    rows = ", ".join([*line, *([LINE_COLUMN] if lines_stored else []), *map(sql_name, kept)])
    con.execute(f"CREATE OR REPLACE TABLE {sql_name(table.name)} AS SELECT {rows} FROM {stored_name(table)}")


def drop_fields(con: duckdb.DuckDBPyConnection, table: Table, names: list[str], small: bool) -> None:
    """Free the memory of fields no later check reads (DuckDB drops a column without copying the rest);
    a check that reads one it does not declare then fails, on a small package as on a large one."""
    rows = sql_name(table.name) if small else stored_name(table)  # see publish
    for name in names:
        con.execute(f"ALTER TABLE {rows} DROP COLUMN {sql_name(name)}").fetchall()


def unreadable(table: Table, path: Path, signs: Future[Signs]) -> Iterator[Finding | More] | None:
    """The findings on a file that cannot be loaded (empty, with lines that end with CR alone, or with a header
    other than the schema's), or None for one that can; `signs` are looks_plain's, which tell whether the file
    holds a CR at all."""
    if path.stat().st_size == 0:
        return iter([Finding(FILE_EMPTY, table.path, 1)])
    if not signs.result().plain and (cr := scan.lone_cr(path, table.path)):
        return iter([cr])
    header = read_header(path)
    if header != table.field_names:
        expected = ",".join(table.field_names)
        mismatch = Finding(HEADER_MISMATCH, table.path, 1, value=",".join(header), params={"expected": expected})
        return chain(careful_scan(path, table.path), [mismatch])
    return None


def load_careful(con: duckdb.DuckDBPyConnection, table: Table, path: Path) -> Iterator[Finding | More]:
    """A file DuckDB did not read as the exact tokenizer does, read by the tokenizer and scanned byte by
    byte; its stored table holds the line of every row."""
    yield from careful_scan(path, table.path)
    yield from load_exact(con, table, path, table.path)


def load_table(
    con: duckdb.DuckDBPyConnection, table: Table, path: Path, signs: Future[Signs]
) -> tuple[Iterator[Finding | More], bool]:
    """Check one table's file (opened by azru.guarded; `path` names it for the engines) and load it,
    given looks_plain's signs as they come: its findings, which come as they are found, and whether its
    rows are in DuckDB once they have all been read. Its rows are published as a view."""
    problems = unreadable(table, path, signs)
    if problems is not None:
        return problems, False
    return _load(con, table, path, signs), True


def _load(con: duckdb.DuckDBPyConnection, table: Table, path: Path, signs: Future[Signs]) -> Iterator[Finding | More]:
    found = load_fast(con, table, path, signs)
    yield from load_careful(con, table, path) if found is None else found
    publish(con, table, lines_stored=found is None)


def load_fast(
    con: duckdb.DuckDBPyConnection, table: Table, path: Path, signs: Future[Signs]
) -> Iterator[Finding] | None:
    """A file read fast: its findings if the load stands (see fast_findings), else None."""
    records = read_fast(con, table, path)
    if records is None:
        return None
    return fast_findings(con, table, path, signs.result(), records, measure(con, [table])[0])
