"""Byte-level checks of a table file: its signs (for the fast path), BOM, blank lines, line endings, a
final newline, and every sequence that is not UTF-8. Each pass reads the file in blocks, so time grows
with the file and memory stays flat, whatever it holds."""

import codecs
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from itertools import chain
from pathlib import Path

from .rules import (
    BLANK_LINE,
    BOM_PRESENT,
    ENCODING_INVALID,
    FINAL_NEWLINE_MISSING,
    LINE_ENDING_CR,
    LINE_ENDING_CRLF,
    LISTED_PER_CODE,
    Finding,
    More,
)

EMITS = frozenset({BOM_PRESENT, BLANK_LINE, LINE_ENDING_CR, LINE_ENDING_CRLF, FINAL_NEWLINE_MISSING, ENCODING_INVALID})

CHUNK = 16 * 1024 * 1024  # bytes per read of looks_plain, which reuses its buffer
BLOCK = 1024 * 1024  # bytes per read of the passes that copy or decode what they read
BOM = b"\xef\xbb\xbf"
BEFORE_BLANK_LINE = re.compile(rb"\n(?=\r?\n)")  # the newline before an empty line, or one of a lone CR
UNDECODABLE = re.compile("[\udc80-\udcff]+")  # bytes that are not UTF-8, as surrogateescape keeps them
LONE_CR = re.compile(rb"\r(?!\n)")


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
    with open(path, "rb", buffering=0) as handle:
        buffer = bytearray(min(CHUNK, os.fstat(handle.fileno()).st_size + 1))  # a small file, a small buffer
        size = handle.readinto(buffer)
        plain, newlines, quotes = not buffer[:3].startswith(BOM), 0, 0
        while size and plain:
            chunk = buffer if size == len(buffer) else buffer[:size]
            plain = b"\r" not in chunk
            newlines += chunk.count(b"\n")
            quotes += chunk.count(b'"')
            size = handle.readinto(buffer)
        end = handle.seek(0, os.SEEK_END)
        if end == 0:
            return Signs(plain, 0, 0, 0, final_newline=False)
        handle.seek(-1, os.SEEK_END)
        return Signs(plain, newlines, quotes, end, final_newline=handle.read(1) == b"\n")


def lone_cr(path: Path, rel: str) -> Finding | None:
    """The first CR that no LF follows, at its line: the exact tokenizer and DuckDB end lines only with LF or
    CR LF, and a file whose lines end with CR alone would read as one long line. Only worth asking of a file
    that looks_plain found holds a CR (or a BOM)."""
    newlines, carried = 0, b""  # the newlines in earlier blocks; a CR that ended the last block
    with open(path, "rb") as handle:
        for block in chain(iter(partial(handle.read, BLOCK), b""), [b""]):
            data = carried + block
            end = len(data) - 1 if block and data.endswith(b"\r") else len(data)  # its LF may come next
            if found := LONE_CR.search(data, 0, end):
                return Finding(LINE_ENDING_CR, rel, newlines + data.count(b"\n", 0, found.start()) + 1)
            carried = data[end:]
            newlines += data.count(b"\n", 0, end)
    return None


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
            yield Finding(BOM_PRESENT, rel, 1, 1)
        handle.seek(0)
        for block in iter(partial(handle.read, BLOCK), b""):
            data = tail + block
            counted, lines = 0, newlines
            for match in BEFORE_BLANK_LINE.finditer(data):
                if offset + match.start() > reported:
                    reported = offset + match.start()
                    if listed == LISTED_PER_CODE:  # a million blank lines are counted, not each made a finding
                        unlisted += 1
                        continue
                    listed += 1
                    lines += data.count(b"\n", counted, match.end())
                    counted = match.end()
                    yield Finding(BLANK_LINE, rel, lines + 1)
            if not crlf and (found := data.find(b"\r\n")) >= 0:
                crlf = True
                yield Finding(LINE_ENDING_CRLF, rel, newlines + data.count(b"\n", 0, found) + 1)
            tail = data[-2:]
            newlines += data.count(b"\n", 0, len(data) - len(tail))
            offset += len(data) - len(tail)
    if unlisted:
        yield More(BLANK_LINE, unlisted)
    if not tail.endswith(b"\n"):
        yield Finding(FINAL_NEWLINE_MISSING, rel, newlines + tail.count(b"\n") + 1)


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
                    yield Finding(ENCODING_INVALID, rel, line, column + cut, value=sequence.hex(" "))
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
