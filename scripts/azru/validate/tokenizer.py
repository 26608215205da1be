"""The exact CSV tokenizer: RFC 4180 records with the physical line each starts on, malformed quoting
named rather than fatal, and memory bounded by the longest record it keeps (MAX_RECORD characters)."""

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import TextIO

# The longest record kept, in characters, not counting the newline that ends it; DuckDB's fast path
# refuses lines longer in bytes, so it never keeps a record the tokenizer would not.
MAX_RECORD = 16 * 1024 * 1024
CELL_END = re.compile(r"[,\n]")
STRAY_QUOTE = "a quote inside a cell that does not start with a quote"
# A line of well-formed cells: unquoted without a quote, or quoted with every quote inside doubled.
CELL = r'(?:"[^"]*+(?:""[^"]*+)*+"|[^",]*+)'
WELL_FORMED = re.compile(rf"{CELL}(?:,{CELL})*+")


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
