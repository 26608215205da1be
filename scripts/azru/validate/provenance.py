"""Provenance: every archived source matches its hash and size and is UTF-8, and every quote and name is
verbatim in its source. The archive is read in a worker thread while tables load (read_archive); the
quotes are checked once the tables holding them are in (check_verbatim)."""

import hashlib
from collections.abc import Iterator

import duckdb

from .. import guarded
from ..text import normalise_whitespace
from .context import Context, check
from .rules import (
    ARCHIVE_FILE_MISSING,
    ARCHIVE_FILE_REFUSED,
    NAME_NOT_IN_SOURCE,
    QUOTE_NOT_VERBATIM,
    QUOTES_NOT_VERIFIED,
    SOURCE_BYTES_MISMATCH,
    SOURCE_HASH_MISMATCH,
    SOURCE_UNREADABLE,
    Finding,
    More,
)
from .sql import LINE_COLUMN, WHITESPACE

ARCHIVE_BATCH = 2000  # source texts held in Python at once; the rest wait in DuckDB, which can spill
ARCHIVE_TEXTS = '"archive:texts"'  # a name no resource can have


@check(
    reads=("source_id", "file_name", "sha256", "bytes", "quote", "name"),
    emits=(
        QUOTES_NOT_VERIFIED,
        ARCHIVE_FILE_MISSING,
        ARCHIVE_FILE_REFUSED,
        SOURCE_HASH_MISMATCH,
        SOURCE_BYTES_MISMATCH,
        SOURCE_UNREADABLE,
        QUOTE_NOT_VERBATIM,
        NAME_NOT_IN_SOURCE,
    ),
)
def provenance(ctx: Context) -> Iterator[Finding | More]:
    """Archived files match their hash and size; quotes and names are verbatim in them."""
    if ctx.archive_read is None or ctx.verbatim_read is None:  # no archive, or no sources table to read it by
        yield Finding(QUOTES_NOT_VERIFIED)
        return
    yield from ctx.archive_read.result()
    yield from ctx.verbatim_read.result()


def read_archive(ctx: Context) -> list[Finding | More]:
    """Hash, size and UTF-8 of every archived source; their texts go to DuckDB as they are.

    Run in a thread (on ctx.apart()) while the main one loads other tables: the file work is plain
    Python that the DuckDB queries leave room for. A file_name is a plain name in the archive folder,
    whatever the descriptor's pattern says, and is read through azru.guarded.
    """
    assert ctx.archive is not None
    con = ctx.con
    rows = con.execute(
        f"SELECT {LINE_COLUMN}, source_id, file_name, sha256, bytes FROM sources "
        f"WHERE source_id IS NOT NULL AND file_name IS NOT NULL ORDER BY {LINE_COLUMN}"
    ).fetchall()
    con.execute(f"CREATE OR REPLACE TABLE {ARCHIVE_TEXTS} (source_id VARCHAR, text VARCHAR)").fetchall()
    found: list[Finding | More] = []
    batch: dict[str, str] = {}
    for line, source_id, file_name, sha256, size in rows:
        try:
            if "/" in file_name:
                raise guarded.Refused("unsafe-path", "a file name, not a path")
            data = guarded.read_bytes(ctx.archive, file_name, guarded.MAX_SOURCE_BYTES)
        except guarded.Refused as refused:
            rule, params = ARCHIVE_FILE_REFUSED, {"problem": str(refused)}
            if refused.reason == "missing":
                rule, params = ARCHIVE_FILE_MISSING, {"archive": str(ctx.archive)}
            found.append(ctx.finding(rule, "sources", line, "file_name", file_name, **params))
            continue
        found += _file_findings(ctx, line, file_name, sha256, size, data)
        try:
            batch[source_id] = data.decode("utf-8")
        except UnicodeDecodeError as error:
            found.append(ctx.finding(SOURCE_UNREADABLE, "sources", line, "file_name", file_name, error=error.reason))
        if len(batch) >= ARCHIVE_BATCH:
            _store_texts(con, batch)
    _store_texts(con, batch)
    return found


def _file_findings(
    ctx: Context, line: int, file_name: str, sha256: str | None, size: str | None, data: bytes
) -> Iterator[Finding | More]:
    actual = hashlib.sha256(data).hexdigest()
    if sha256 is not None and actual != sha256:
        yield ctx.finding(SOURCE_HASH_MISMATCH, "sources", line, "sha256", sha256, file_name=file_name, actual=actual)
    if size is not None and str(len(data)) != size:
        yield ctx.finding(SOURCE_BYTES_MISMATCH, "sources", line, "bytes", size, file_name=file_name, actual=len(data))


def _store_texts(con: duckdb.DuckDBPyConnection, batch: dict[str, str]) -> None:
    con.execute(
        f"INSERT INTO {ARCHIVE_TEXTS} SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[])",
        [list(batch), list(batch.values())],
    ).fetchall()
    batch.clear()


def check_verbatim(ctx: Context) -> list[Finding | More]:
    """Quotes and names against the archived texts that read_archive stored, which it then drops."""
    found = list(_verbatim(ctx))
    ctx.con.execute(f"DROP TABLE {ARCHIVE_TEXTS}").fetchall()
    return found


def _verbatim(ctx: Context) -> Iterator[Finding | More]:
    """A quote is verbatim when it, or it with its whitespace collapsed, is in the source with its
    whitespace collapsed. A quote found in the text as it stands is (its words are consecutive there
    too), so the text is collapsed only for the few that are not."""
    collapsed_text = f"trim(regexp_replace(s.text, '{WHITESPACE}+', ' ', 'g'))"
    for table, name, rule in [("claims", "quote", QUOTE_NOT_VERBATIM), ("actor_names", "name", NAME_NOT_IN_SOURCE)]:
        if not ctx.has_fields(table, name, "source_id"):
            continue
        # trim, so padding is reported once, as padding
        collapsed = f"trim(regexp_replace(c.{name}, '{WHITESPACE}+', ' ', 'g'))"
        rows, more = ctx.listed(
            f"SELECT c.{LINE_COLUMN}, c.{name}, c.source_id FROM {table} c JOIN {ARCHIVE_TEXTS} s "
            f"USING (source_id) WHERE c.{name} IS NOT NULL AND NOT contains(s.text, c.{name}) "
            f"AND NOT contains({collapsed_text}, c.{name}) AND NOT contains({collapsed_text}, {collapsed}) "
            f"ORDER BY c.{LINE_COLUMN}"
        )
        yield More(rule, more)
        collapsed_texts: dict[str, str] = {}
        for line, value, source_id in rows:
            params = {"source": source_id}
            if rule is QUOTE_NOT_VERBATIM:
                if source_id not in collapsed_texts:
                    ((text,),) = ctx.rows(f"SELECT text FROM {ARCHIVE_TEXTS} WHERE source_id = ?", [source_id])
                    collapsed_texts[source_id] = normalise_whitespace(text)
                params |= _divergence(normalise_whitespace(value), collapsed_texts[source_id])
            yield ctx.finding(rule, table, line, name, value, **params)


def _divergence(quote: str, text: str) -> dict[str, str]:
    """How far the quote matches the source before it departs, to show the contributor where."""
    low, high = 0, len(quote)
    while low < high:
        middle = (low + high + 1) // 2
        if quote[:middle] in text:
            low = middle
        else:
            high = middle - 1
    context = f"then {quote[low : low + 20]!r}" if low else "not even its first character"
    return {"matched": str(low), "context": context}
