"""Reading one table file into DuckDB, with every file-level problem as a finding.

Clean files (the normal case) take the fast path: DuckDB's parallel CSV reader. A file with any
sign of trouble (bad bytes, BOM, CR, blank lines, stray quotes, rows DuckDB rejects) is re-read by
the exact tokenizer below, which knows the physical line of every record. Either way the table lands
in DuckDB with a `_line` column, so every later check can say where a cell is.
"""

import csv
import re
from collections.abc import Iterator
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
    """What a pass over the raw bytes found; `suspect` sends the file to the exact tokenizer."""

    findings: list[Finding]
    newlines: int
    crlf: bool
    suspect: bool


def _line_and_column(data: bytes, offset: int, first_line: int) -> tuple[int, int]:
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", "replace")) + 1
    return first_line + data.count(b"\n", 0, offset), column


def scan_bytes(path: Path, rel: str) -> ByteScan:
    """Count lines, and look for what only the careful scan can locate (BOM, CR, blank lines)."""
    newlines, tail, trouble = 0, b"\n", False
    with open(path, "rb") as handle:
        trouble = handle.read(len(BOM)) == BOM
        handle.seek(0)
        while chunk := handle.read(CHUNK):
            newlines += chunk.count(b"\n")
            trouble = trouble or b"\r" in chunk or b"\n\n" in chunk or (tail == b"\n" and chunk[:1] == b"\n")
            tail = chunk[-1:]
    return careful_scan(path, rel) if trouble else ByteScan([], newlines, crlf=False, suspect=False)


def careful_scan(path: Path, rel: str) -> ByteScan:
    """Every BOM, CR LF and blank line with its line number; the file then goes to the exact tokenizer."""
    findings: list[Finding] = []
    newlines = 0
    crlf = suspect = False
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
                suspect = True
            first = False
            suspect |= _scan_chunk(chunk, rel, newlines + 1, findings)
            if b"\r\n" in chunk and not crlf:
                crlf = True
                line, _ = _line_and_column(chunk, chunk.find(b"\r\n"), newlines + 1)
                findings.append(Finding("line-ending-crlf", rel, line))
            newlines += chunk.count(b"\n")
            if not block:
                break
    return ByteScan(findings, newlines, crlf, suspect=True)


def _scan_chunk(chunk: bytes, rel: str, first_line: int, findings: list[Finding]) -> bool:
    """Append this chunk's blank lines; True when the exact tokenizer must read the file.

    UTF-8 is not decoded here: DuckDB rejects bad bytes, which sends the file to load_exact.
    """
    suspect = False
    for offset in _blank_line_offsets(chunk, at_file_start=first_line == 1):
        findings.append(Finding("blank-line", rel, _line_and_column(chunk, offset, first_line)[0]))
        suspect = True
    return suspect or b"\r" in chunk


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


def check_final_newline(path: Path, rel: str, newlines: int) -> Iterator[Finding]:
    with open(path, "rb") as handle:
        handle.seek(-1, 2)
        if handle.read(1) != b"\n":
            yield Finding("final-newline-missing", rel, newlines + 1)


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
    con.execute(f'CREATE OR REPLACE TABLE "{table.name}" AS SELECT * FROM exact_rows').fetchall()
    con.unregister("exact_rows")


def load_fast(con: duckdb.DuckDBPyConnection, table: Table, path: Path, newlines: int) -> bool:
    """Load with DuckDB; False when it rejected rows or lines and records disagree (use load_exact)."""
    columns = "{" + ", ".join(f"'{n}': 'VARCHAR'" for n in table.field_names) + "}"
    con.execute(
        f'CREATE OR REPLACE TABLE "{table.name}" AS SELECT row_number() OVER () + 1 AS {LINE_COLUMN}, * '
        f"FROM read_csv(?, header=true, auto_detect=false, columns={columns}, delim=',', quote='\"', "
        "escape='\"', new_line='\\n', strict_mode=true, store_rejects=true, "
        "rejects_table='azru_rejects', rejects_scan='azru_reject_scans', max_line_size=16777216)",
        [str(path)],
    ).fetchall()
    (rejected,) = con.execute("SELECT count(*) FROM azru_rejects").fetchall()[0]
    con.execute("DROP TABLE IF EXISTS azru_rejects").fetchall()
    con.execute("DROP TABLE IF EXISTS azru_reject_scans").fetchall()
    (loaded,) = con.execute(f'SELECT count(*) FROM "{table.name}"').fetchall()[0]
    return bool(rejected == 0 and loaded == newlines - 1)


def load_table(con: duckdb.DuckDBPyConnection, table: Table, root: Path) -> tuple[list[Finding], bool]:
    """Check one table's file and load it; the flag says whether its rows are in DuckDB."""
    path, rel = root / table.path, table.path
    if path.stat().st_size == 0:
        return [Finding("file-empty", rel, 1)], False
    scan = scan_bytes(path, rel)
    findings = list(scan.findings)
    findings += check_final_newline(path, rel, scan.newlines)
    header = read_header(path)
    if header != table.field_names:
        expected = ",".join(table.field_names)
        findings.append(Finding("header-mismatch", rel, 1, value=",".join(header), params={"expected": expected}))
        return findings, False
    if scan.suspect or not load_fast(con, table, path, _records_expected(path, scan.newlines)):
        findings += load_exact(con, table, path, rel)
    else:
        findings += stray_quotes(con, table, path, rel)
    return findings, True


def stray_quotes(con: duckdb.DuckDBPyConnection, table: Table, path: Path, rel: str) -> Iterator[Finding]:
    """Quoting DuckDB tolerates (a quote inside an unquoted cell), re-read exactly.

    A cell can hold a quote character only through such a slip or a doubled quote inside a quoted
    cell, so only those rows, usually none, are tokenized again.
    """
    has_quote = " OR ".join(f'contains("{name}", \'"\')' for name in table.field_names)
    lines = {line for (line,) in con.execute(f'SELECT {LINE_COLUMN} FROM "{table.name}" WHERE {has_quote}').fetchall()}
    if not lines:
        return
    with open(path, encoding="utf-8", newline="") as handle:
        for number, text in enumerate(handle, start=1):
            if number in lines:
                for record in tokenize(text):
                    for error in record.errors:
                        yield Finding("csv-quote-malformed", rel, number, params={"error": error})


def _records_expected(path: Path, newlines: int) -> int:
    """Lines in a file whose last line may lack its newline."""
    with open(path, "rb") as handle:
        handle.seek(-1, 2)
        return newlines + (handle.read(1) != b"\n")
