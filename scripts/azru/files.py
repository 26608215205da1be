"""Reading one table file into DuckDB, with every file-level problem as a finding.

Clean files (the normal case) take the fast path: DuckDB's parallel CSV reader, whose load stands only
when it read the file as the exact tokenizer below does (see load_fast). Any other file is streamed
through the exact tokenizer, which knows the physical line of every record. Every pass reads the file
in blocks and counts lines as it goes, so time grows with the file and memory with its longest record
(at most MAX_RECORD characters are kept), whatever the file holds; findings come as they are found.
Either way the table lands in DuckDB with a line column, so every later check can say where a cell is.
"""

import codecs
import csv
import io
import os
import re
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import partial
from itertools import chain, islice
from pathlib import Path
from typing import TextIO

import duckdb
import pyarrow as pa

from .package import Table
from .rules import LISTED_PER_CODE, Finding, More

CHUNK = 16 * 1024 * 1024  # bytes per read of looks_plain, which reuses its buffer
BLOCK = 1024 * 1024  # bytes per read of the passes that copy or decode what they read
BOM = b"\xef\xbb\xbf"
# The longest record kept, in characters, not counting the newline that ends it; DuckDB's fast path
# refuses lines longer in bytes, so it never keeps a record the tokenizer would not.
MAX_RECORD = 16 * 1024 * 1024
HEADER_LIMIT = 1024 * 1024  # characters read for the header: no schema's header is longer
BATCH_ROWS = 50_000  # the exact tokenizer's rows go to DuckDB in batches of this many rows
BATCH_CHARS = 8 * 1024 * 1024  # or of about this many characters, whichever comes first
CELL_END = re.compile(r"[,\n]")
STRAY_QUOTE = "a quote inside a cell that does not start with a quote"
BLANK_LINE = re.compile(rb"\n(?=\r?\n)")  # the newline before an empty line, or one of a lone CR
UNDECODABLE = re.compile("[\udc80-\udcff]+")  # bytes that are not UTF-8, as surrogateescape keeps them
# A line of well-formed cells: unquoted without a quote, or quoted with every quote inside doubled.
CELL = r'(?:"[^"]*+(?:""[^"]*+)*+"|[^",]*+)'
WELL_FORMED = re.compile(rf"{CELL}(?:,{CELL})*+")


def sql_name(name: str) -> str:
    """A name quoted as an SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


# The column with each row's line, quoted for SQL: the colon keeps it apart from every field name.
LINE_COLUMN = sql_name("line:")
BATCH_VIEW = "batch:"  # likewise apart from every table name


@dataclass(frozen=True)
class Signs:
    """What one pass over a file's bytes says. DuckDB skips blank lines and may read a record over
    several lines, so its load stands only for a plain file (no BOM or CR) with one record per line."""

    plain: bool
    newlines: int  # counted while the file looks plain, as are quotes
    quotes: int
    size: int  # in bytes
    final_newline: bool

    @property
    def lines(self) -> int:
        return self.newlines + (not self.final_newline)


def looks_plain(path: Path) -> Signs:
    """Read in chunks rather than mapped, since mapped pages count as the process's memory; into one
    buffer, since fresh pages for every chunk cost more than scanning them."""
    buffer = bytearray(CHUNK)
    with open(path, "rb", buffering=0) as handle:
        size = handle.readinto(buffer)
        plain, newlines, quotes = not buffer[:3].startswith(BOM), 0, 0
        while size and plain:
            chunk = buffer if size == CHUNK else buffer[:size]
            plain = b"\r" not in chunk
            newlines += chunk.count(b"\n")
            quotes += chunk.count(b'"')
            size = handle.readinto(buffer)
        end = handle.seek(0, os.SEEK_END)
        if end == 0:
            return Signs(plain, 0, 0, 0, final_newline=False)
        handle.seek(-1, os.SEEK_END)
        return Signs(plain, newlines, quotes, end, final_newline=handle.read(1) == b"\n")


def careful_scan(path: Path, rel: str) -> Iterator[Finding | More]:
    """Every BOM, blank line, CR LF (the first) and a missing final newline, with line numbers, for a file
    the exact tokenizer reads. Each block is searched together with the two bytes before it, so that a
    pattern split between blocks is found once; a newline before the file stands for its start, where
    line 1 may be blank too."""
    crlf = False
    tail, offset, newlines = b"\n", -1, -1  # the bytes carried over, their offset, the newlines before them
    reported = -2  # the offset of the last blank line's newline already reported
    listed = unlisted = 0
    with open(path, "rb") as handle:
        if handle.read(len(BOM)) == BOM:
            yield Finding("bom-present", rel, 1, 1)
        handle.seek(0)
        for block in iter(partial(handle.read, BLOCK), b""):
            data = tail + block
            counted, lines = 0, newlines
            for match in BLANK_LINE.finditer(data):
                if offset + match.start() > reported:
                    reported = offset + match.start()
                    if listed == LISTED_PER_CODE:  # a million blank lines are counted, not each made a finding
                        unlisted += 1
                        continue
                    listed += 1
                    lines += data.count(b"\n", counted, match.end())
                    counted = match.end()
                    yield Finding("blank-line", rel, lines + 1)
            if not crlf and (found := data.find(b"\r\n")) >= 0:
                crlf = True
                yield Finding("line-ending-crlf", rel, newlines + data.count(b"\n", 0, found) + 1)
            tail = data[-2:]
            newlines += data.count(b"\n", 0, len(data) - len(tail))
            offset += len(data) - len(tail)
    if unlisted:
        yield More("blank-line", unlisted)
    if not tail.endswith(b"\n"):
        yield Finding("final-newline-missing", rel, newlines + tail.count(b"\n") + 1)


def encoding_findings(path: Path, rel: str) -> Iterator[Finding]:
    """Every byte sequence that is not UTF-8, at its line and column, which counts characters as a
    replacing decoder does: one for each bad sequence. Each block is decoded once, its bad bytes kept
    as lone surrogates, and lines are counted as the search goes."""
    decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
    line, before = 1, 0  # the current line, and its characters in earlier blocks
    with open(path, "rb") as handle:
        for block in chain(iter(partial(handle.read, BLOCK), b""), [b""]):
            text = decoder.decode(block, final=not block)
            start, position, shrink = 0, 0, 0  # where the line starts here, how far it is read, surplus surrogates
            try:
                text.encode("utf-8")  # fails on a lone surrogate, and is far quicker than searching for one
                runs: Iterator[re.Match[str]] = iter(())
            except UnicodeEncodeError:
                runs = UNDECODABLE.finditer(text)
            for run in runs:
                if newlines := text.count("\n", position, run.start()):
                    line += newlines
                    start, before, shrink = text.rindex("\n", position, run.start()) + 1, 0, 0
                position = run.end()
                column = before + run.start() - start - shrink
                for cut, sequence in enumerate(_bad_sequences(run.group().encode("utf-8", "surrogateescape")), 1):
                    yield Finding("encoding-invalid", rel, line, column + cut, value=sequence.hex(" "))
                shrink += len(run.group()) - cut
            if newlines := text.count("\n", position):
                line += newlines
                start, before, shrink = text.rindex("\n", position) + 1, 0, 0
            before += len(text) - start - shrink


def _bad_sequences(raw: bytes) -> Iterator[bytes]:
    """Bytes that are not UTF-8, cut where Python's decoder cuts them. Every cut starts a sequence that
    cannot be decoded and spans at most three bytes, so decoding four from there finds where it ends."""
    start = 0
    while start < len(raw):
        try:
            raw[start : start + 4].decode("utf-8")
        except UnicodeDecodeError as error:
            yield raw[start : start + error.end]
            start += error.end


def read_header(path: Path) -> list[str]:
    """The first record as csv reads it, from at most HEADER_LIMIT characters; a cell longer than csv
    allows makes the header the raw first line."""
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as handle:
        start = handle.read(HEADER_LIMIT)
    try:
        return next(csv.reader(io.StringIO(start, newline="")), [])
    except csv.Error:
        return [start.partition("\n")[0]]


@dataclass(slots=True)
class Record:
    line: int
    cells: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    too_long: bool = False  # longer than MAX_RECORD: read to its end, its cells not kept


class _Lines:
    """A text read a line at a time (a line longer than MAX_RECORD characters comes in pieces), with the
    number of the line the next piece starts on."""

    def __init__(self, handle: TextIO) -> None:
        self.pieces = iter(partial(handle.readline, MAX_RECORD + 1), "")
        self.line = 1

    def next(self) -> str:
        text = next(self.pieces, "")
        self.line += text.endswith("\n")
        return text


def records(handle: TextIO) -> Iterator[Record]:
    """RFC 4180 records with the physical line each starts on; malformed quoting is named, not fatal.

    Most lines are split by C code (see _quick_cells); any other is read a cell at a time, and a quoted
    cell there may go on over lines.
    """
    lines = _Lines(handle)
    while text := lines.next():
        if text in ("\n", "\r\n"):
            continue
        record = Record(lines.line - text.endswith("\n"))
        if len(text) - text.endswith("\n") > MAX_RECORD:
            _skip(record, text, lines, quoted=False)
        elif not _quick_cells(record, text):
            _careful_cells(record, text, lines)
        yield record


def tokenize(text: str) -> Iterator[Record]:
    """The records of a text in memory."""
    return records(io.StringIO(text, newline="\n"))


def _quick_cells(record: Record, text: str) -> bool:
    """The cells of a line that needs no care, split by C code: no CR but one at its end (which the
    tokenizer drops), and no quote, only well-formed quoting, or no quoted cell at all (so that every
    quote is a stray); whether the line was one."""
    body = text.removesuffix("\n").removesuffix("\r")
    if "\r" in body:
        return False
    if '"' not in body:
        record.cells = body.split(",")
    elif WELL_FORMED.fullmatch(body):
        try:
            record.cells = next(csv.reader([body]))
        except csv.Error:  # a cell longer than csv allows
            return False
    elif not body.startswith('"') and ',"' not in body:
        record.cells = body.split(",")
        record.errors = [STRAY_QUOTE] * sum('"' in cell for cell in record.cells)
    else:
        return False
    return True


def _cell_end(text: str, i: int) -> int:
    match = CELL_END.search(text, i)
    return match.start() if match else len(text)


def _careful_cells(record: Record, text: str, lines: _Lines) -> None:
    """The cells of a record from its first line, taking further lines while a quoted cell is open."""
    i, size = 0, len(text)
    while True:
        if text.startswith('"', i):
            parts = []
            i += 1
            while (close := text.find('"', i)) < 0 or text.startswith('""', close):
                if close >= 0:
                    parts.append(text[i : close + 1])
                    i = close + 2
                    continue
                parts.append(text[i:])
                text, i = lines.next(), 0
                size += len(text)
                if not text:
                    record.errors.append("a quoted cell is never closed")
                    break
                if size - text.endswith("\n") > MAX_RECORD:
                    return _skip(record, text, lines, quoted=True)
            else:
                parts.append(text[i:close])
                i = close + 1
            end = _cell_end(text, i)
            trailing = text[i:end].removesuffix("\r")
            if trailing:
                record.errors.append(f"text after a closing quote: {trailing[:20]!r}")
                parts.append(trailing)
            cell = "".join(parts)
        else:
            end = _cell_end(text, i)
            cell = text[i:end].removesuffix("\r")
            if '"' in cell:
                record.errors.append(STRAY_QUOTE)
        record.cells.append(cell)
        if not text.startswith(",", end):
            return
        i = end + 1


def _skip(record: Record, text: str, lines: _Lines, quoted: bool) -> None:
    """Read past a record too long to keep, from `text`, which starts the record or goes on inside a
    quoted cell: the tokenizer's states, without its cells. A piece of a long line can end anywhere."""
    record.too_long, record.cells, record.errors = True, [], []
    state = "quoted" if quoted else "cell"
    while text:
        i = 0
        while i < len(text):
            if state in ("cell", "closing"):  # at a cell's start, or just past a quote in a quoted cell
                state, i = ("quoted", i + 1) if text[i] == '"' else ("plain", i)
            elif state == "plain":
                end = _cell_end(text, i)
                if text.startswith("\n", end):
                    return
                state, i = ("cell", end + 1) if end < len(text) else ("plain", end)
            else:
                close = text.find('"', i)
                state, i = ("closing", close + 1) if close >= 0 else ("quoted", len(text))
        text = lines.next()
    if state == "quoted":
        record.errors.append("a quoted cell is never closed")


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
                yield Finding("csv-quote-malformed", rel, record.line, params={"error": error})
            if record.too_long:
                yield Finding("record-too-long", rel, record.line, params={"limit": f"{MAX_RECORD:,}"})
            elif len(record.cells) != len(names):
                found, expected = str(len(record.cells)), str(len(names))
                yield Finding("row-field-count", rel, record.line, params={"found": found, "expected": expected})
            elif batch.add(record):
                batch.insert(con, stored)
    batch.insert(con, stored)
    con.execute(f"CREATE OR REPLACE VIEW {sql_name(table.name)} AS SELECT * FROM {stored}").fetchall()


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
            f"max_line_size={MAX_RECORD})",
            [str(path)],
        ).fetchall()
    except duckdb.Error:  # DuckDB refuses the file; the exact tokenizer says why, line by line
        return None
    quoting = _quoting_if_alike(con, table, path, rel, signs.result(), records)
    if quoting is None:
        con.execute(f"DROP TABLE {stored}").fetchall()
        return None
    con.execute(f"CREATE OR REPLACE VIEW {sql_name(table.name)} AS SELECT rowid + 2 AS {LINE_COLUMN}, * FROM {stored}")
    return quoting


def _quoting_if_alike(
    con: duckdb.DuckDBPyConnection, table: Table, path: Path, rel: str, scanned: Signs, records: int
) -> Iterator[Finding] | None:
    """The tokenizer's findings on the rows DuckDB loaded, if it read them as the tokenizer does (see
    load_fast), else None."""
    if not scanned.plain or records != scanned.lines - 1:  # a blank line or a multi-line record
        return None
    names = table.field_names
    lengths = " + ".join(f"coalesce(sum(strlen({sql_name(name)})), 0)" for name in names)
    ((cell_bytes, quoted),) = con.execute(
        f"SELECT {lengths}, count(*) FILTER (WHERE {_has_quote(table)}) FROM {stored_name(table)}"
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
            yield Finding("csv-quote-malformed", rel, line, params={"error": error})


def stored_name(table: Table) -> str:
    """Where a table's rows are stored: a name no resource can have; checks read the view named after
    the table, which has the line of every row."""
    return sql_name(table.name + ":rows")


def drop_fields(con: duckdb.DuckDBPyConnection, table: Table, names: list[str]) -> None:
    """Free the memory of fields no later check reads (DuckDB drops a column without copying the rest)."""
    for name in names:
        con.execute(f"ALTER TABLE {stored_name(table)} DROP COLUMN {sql_name(name)}").fetchall()


def load_table(
    con: duckdb.DuckDBPyConnection, table: Table, path: Path, signs: Future[Signs]
) -> tuple[Iterator[Finding | More], bool]:
    """Check one table's file (opened by azru.guarded; `path` names it for the engines) and load it,
    given looks_plain's signs as they come: its findings, which come as they are found, and whether its
    rows are in DuckDB once they have all been read."""
    rel = table.path
    if path.stat().st_size == 0:
        return iter([Finding("file-empty", rel, 1)]), False
    header = read_header(path)
    if header != table.field_names:
        expected = ",".join(table.field_names)
        mismatch = Finding("header-mismatch", rel, 1, value=",".join(header), params={"expected": expected})
        return chain(careful_scan(path, rel), [mismatch]), False
    return _load(con, table, path, rel, signs), True


def _load(
    con: duckdb.DuckDBPyConnection, table: Table, path: Path, rel: str, signs: Future[Signs]
) -> Iterator[Finding | More]:
    quoting = load_fast(con, table, path, rel, signs)
    if quoting is None:
        yield from careful_scan(path, rel)
        yield from load_exact(con, table, path, rel)
        return
    yield from quoting
    scanned = signs.result()
    if not scanned.final_newline:
        yield Finding("final-newline-missing", rel, scanned.newlines + 1)
