"""Reading one table file into DuckDB, with every file-level problem as a finding.

Clean files (the normal case) take the fast path: DuckDB's parallel CSV reader. A file with any
sign of trouble (bad bytes, BOM, CR, blank lines, stray quotes, rows DuckDB rejects) is re-read by
the exact tokenizer below, which knows the physical line of every record. Either way the table lands
in DuckDB with a `_line` column, so every later check can say where a cell is.
"""

import csv
import re
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from .package import Table
from .rules import Finding

CHUNK = 16 * 1024 * 1024
BOM = b"\xef\xbb\xbf"
LINE_COLUMN = "_line"
CELL_END = re.compile(r"[,\n]")


@dataclass
class ByteScan:
    findings: list[Finding]
    newlines: int


def _line_and_column(data: bytes, offset: int, first_line: int) -> tuple[int, int]:
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", "replace")) + 1
    return first_line + data.count(b"\n", 0, offset), column


@dataclass(frozen=True)
class Signs:
    """What one pass over a file's bytes says. DuckDB skips blank lines and may read a record over
    several lines, so its load stands only for a plain file (no BOM or CR) with one record per line."""

    plain: bool
    newlines: int  # counted while the file looks plain
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
        plain, newlines = not buffer[:3].startswith(BOM), 0
        while size and plain:
            chunk = buffer if size == CHUNK else buffer[:size]
            plain = b"\r" not in chunk
            newlines += chunk.count(b"\n")
            size = handle.readinto(buffer)
        if handle.tell() == 0:
            return Signs(plain, 0, final_newline=False)
        handle.seek(-1, 2)
        return Signs(plain, newlines, handle.read(1) == b"\n")


def careful_scan(path: Path, rel: str) -> ByteScan:
    """Every BOM, CR LF and blank line with its line number, for a file the exact tokenizer reads."""
    findings: list[Finding] = []
    newlines = 0
    crlf = False
    carry = b""
    first = True
    with open(path, "rb") as handle:
        while True:
            block = handle.read(CHUNK)
            data = carry + block
            if not block:
                cut = len(data)
            else:
                cut = data.rfind(b"\n") + 1
                if cut == 0:
                    carry = data
                    continue
            chunk, carry = data[:cut], data[cut:]
            if first and chunk.startswith(BOM):
                findings.append(Finding("bom-present", rel, 1, 1))
            first = False
            for offset in _blank_line_offsets(chunk, at_file_start=newlines == 0):
                findings.append(Finding("blank-line", rel, _line_and_column(chunk, offset, newlines + 1)[0]))
            if b"\r\n" in chunk and not crlf:
                crlf = True
                line, _ = _line_and_column(chunk, chunk.find(b"\r\n"), newlines + 1)
                findings.append(Finding("line-ending-crlf", rel, line))
            newlines += chunk.count(b"\n")
            if not block:
                break
    return ByteScan(findings, newlines)


def encoding_findings(data: bytes, rel: str) -> Iterator[Finding]:
    position = 0
    while True:
        try:
            data[position:].decode("utf-8")
            return
        except UnicodeDecodeError as error:
            offset = position + error.start
            line, column = _line_and_column(data, offset, 1)
            bad = data[offset : offset + max(1, error.end - error.start)]
            yield Finding("encoding-invalid", rel, line, column, value=bad.hex(" "))
            position = offset + max(1, error.end - error.start)


def _blank_line_offsets(chunk: bytes, at_file_start: bool) -> Iterator[int]:
    """Offsets of empty lines; a chunk always starts at a line start, right after a newline."""
    if at_file_start and chunk[:1] in (b"\n", b"\r") and chunk.lstrip(b"\r")[:1] == b"\n":
        yield 0
    for separator in (b"\n\n", b"\n\r\n"):
        offset = chunk.find(separator)
        while offset >= 0:
            yield offset + 1
            offset = chunk.find(separator, offset + 1)


def read_header(path: Path) -> list[str]:
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as handle:
        return next(csv.reader(handle), [])


@dataclass
class Record:
    line: int
    cells: list[str]
    errors: list[str]


def tokenize(text: str) -> Iterator[Record]:
    """RFC 4180 records with the physical line each starts on; malformed quoting is named, not fatal."""
    i, n, line = 0, len(text), 1
    while i < n:
        if text.startswith("\n", i) or text.startswith("\r\n", i):
            i = text.index("\n", i) + 1
            line += 1
            continue
        record = Record(line, [], [])
        while True:
            if text.startswith('"', i):
                cell, i, line = _quoted_cell(text, i + 1, line, record.errors)
            else:
                match = CELL_END.search(text, i)
                end = match.start() if match else n
                cell = text[i:end].removesuffix("\r")
                if '"' in cell:
                    record.errors.append("a quote inside a cell that does not start with a quote")
                i = end
            record.cells.append(cell)
            if i < n and text[i] == ",":
                i += 1
                continue
            i += 1
            line += 1
            break
        yield record


def _quoted_cell(text: str, i: int, line: int, errors: list[str]) -> tuple[str, int, int]:
    parts = []
    while True:
        close = text.find('"', i)
        if close < 0:
            errors.append("a quoted cell is never closed")
            parts.append(text[i:])
            return "".join(parts), len(text), line + text.count("\n", i)
        parts.append(text[i:close])
        line += text.count("\n", i, close)
        if text.startswith('""', close):
            parts.append('"')
            i = close + 2
            continue
        i = close + 1
        break
    match = CELL_END.search(text, i)
    end = match.start() if match else len(text)
    trailing = text[i:end].removesuffix("\r")
    if trailing:
        errors.append(f"text after a closing quote: {trailing[:20]!r}")
        parts.append(trailing)
    return "".join(parts), end, line


def load_exact(con: duckdb.DuckDBPyConnection, table: Table, path: Path, rel: str) -> Iterator[Finding]:
    data = path.read_bytes()
    yield from encoding_findings(data, rel)
    text = data.decode("utf-8", "replace").removeprefix("\ufeff")
    names = table.field_names
    columns: list[list[str | None]] = [[] for _ in names]
    lines: list[int] = []
    records = tokenize(text)
    next(records, None)  # the header, checked before loading
    for record in records:
        for error in record.errors:
            yield Finding("csv-quote-malformed", rel, record.line, params={"error": error})
        if len(record.cells) != len(names):
            found, expected = str(len(record.cells)), str(len(names))
            yield Finding("row-field-count", rel, record.line, params={"found": found, "expected": expected})
            continue
        lines.append(record.line)
        for column, cell in zip(columns, record.cells, strict=True):
            column.append(cell if cell != "" else None)
    arrow = pa.table(
        {
            LINE_COLUMN: pa.array(lines, pa.int64()),
            **{n: pa.array(c, pa.string()) for n, c in zip(names, columns, strict=True)},
        }
    )
    con.register("exact_rows", arrow)
    con.execute(f"CREATE OR REPLACE TABLE {stored_name(table)} AS SELECT * FROM exact_rows").fetchall()
    con.unregister("exact_rows")
    con.execute(f"CREATE OR REPLACE VIEW {sql_name(table.name)} AS SELECT * FROM {stored_name(table)}")


def load_fast(
    con: duckdb.DuckDBPyConnection, table: Table, path: Path, rel: str, signs: Future[Signs]
) -> list[Finding] | None:
    """Load a file with DuckDB's strict parallel reader, or None when the exact tokenizer must.

    DuckDB reads while another thread scans the bytes; the load stands only if the file is plain and
    its records fill its lines one each. Then a record's line is its row number plus the header's,
    which the table's view adds.
    """
    stored = stored_name(table)
    columns = "{" + ", ".join(f"'{n}': 'VARCHAR'" for n in table.field_names) + "}"
    try:
        ((records,),) = con.execute(
            f"CREATE OR REPLACE TABLE {stored} AS SELECT * FROM read_csv(?, header=true, auto_detect=false, "
            f"columns={columns}, delim=',', quote='\"', escape='\"', new_line='\\n', strict_mode=true, "
            "max_line_size=16777216)",
            [str(path)],
        ).fetchall()
    except duckdb.Error:  # DuckDB refuses the file; the exact tokenizer says why, line by line
        return None
    scanned = signs.result()
    if not scanned.plain or records != scanned.lines - 1:  # a blank line or a multi-line record
        con.execute(f"DROP TABLE {stored}").fetchall()
        return None
    con.execute(f"CREATE OR REPLACE VIEW {sql_name(table.name)} AS SELECT rowid + 2 AS {LINE_COLUMN}, * FROM {stored}")
    quoted = " OR ".join(f"contains({sql_name(name)}, '\"')" for name in table.field_names)
    with_quotes = con.execute(f"SELECT rowid + 2 FROM {stored} WHERE {quoted}").fetchall()
    return list(stray_quotes(path, rel, {line for (line,) in with_quotes}))


def sql_name(name: str) -> str:
    """A name quoted as an SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


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
) -> tuple[list[Finding], bool]:
    """Check one table's file (opened by azru.guarded; `path` names it for the engines) and load it,
    given looks_plain's signs as they come; the flag says whether its rows are in DuckDB."""
    rel = table.path
    if path.stat().st_size == 0:
        return [Finding("file-empty", rel, 1)], False
    header = read_header(path)
    header_ok = header == table.field_names
    loaded = load_fast(con, table, path, rel, signs) if header_ok else None
    if loaded is not None:
        findings, newlines = loaded, signs.result().newlines
    else:
        scan = careful_scan(path, rel)
        findings, newlines = scan.findings, scan.newlines
    if not signs.result().final_newline:
        findings.append(Finding("final-newline-missing", rel, newlines + 1))
    if not header_ok:
        expected = ",".join(table.field_names)
        findings.append(Finding("header-mismatch", rel, 1, value=",".join(header), params={"expected": expected}))
        return findings, False
    if loaded is None:
        findings += load_exact(con, table, path, rel)
    return findings, True


def stray_quotes(path: Path, rel: str, lines: set[int]) -> Iterator[Finding]:
    """Quoting DuckDB tolerates (a quote inside an unquoted cell), re-read exactly.

    A cell can hold a quote character only through such a slip or a doubled quote inside a quoted
    cell, so only those rows, usually none, are tokenized again.
    """
    if not lines:
        return
    with open(path, encoding="utf-8", newline="") as handle:
        for number, text in enumerate(handle, start=1):
            if number in lines:
                for record in tokenize(text):
                    for error in record.errors:
                        yield Finding("csv-quote-malformed", rel, number, params={"error": error})
