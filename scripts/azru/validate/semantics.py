"""Checks of what the rows say: languages, evidence for every fact, figures, quotes, translations and
tombstones."""

from collections.abc import Iterator

from .. import domain
from ..text import normalise_whitespace
from .context import Context, check
from .language_tags import is_valid
from .rules import (
    CLAIM_MISSING,
    CLAIM_TARGET_COUNT,
    CLAIM_UNLINKED,
    FIGURE_MEASURE_MISSING,
    FIGURE_RANGE_INVERTED,
    LANGUAGE_INVALID,
    QUOTE_STORED_TWICE,
    QUOTE_TOO_SHORT,
    QUOTE_TRANSLATION_MISSING,
    TOMBSTONE_ID_IN_USE,
    TOMBSTONE_REPLACEMENT_MISSING,
    Finding,
    More,
)
from .sql import LINE_COLUMN, WHITESPACE, collapsed, sql_name

NOT_WHITESPACE = "[^" + WHITESPACE[1:]
# Characters a quote needs once its whitespace is collapsed: a shorter one is a word or two, or a mark,
# that nearly any source contains, so it proves nothing.
QUOTE_SHORTEST = 10


@check(reads=("language",), emits=(LANGUAGE_INVALID,))
def languages(ctx: Context) -> Iterator[Finding | More]:
    for table in ("sources", "actor_names"):
        if not ctx.has_fields(table, "language"):
            continue
        bad = [v for v in ctx.distinct(table, "language") if not is_valid(v)]
        rows, more = ctx.lines_with(table, "language", bad)
        yield More(LANGUAGE_INVALID, more)
        for line, value in rows:
            yield ctx.finding(LANGUAGE_INVALID, table, line, "language", value)


# the link fields it reads are foreign keys, which are never dropped
@check(emits=(CLAIM_MISSING, CLAIM_TARGET_COUNT, CLAIM_UNLINKED))
def evidence(ctx: Context) -> Iterator[Finding | More]:
    """Every fact row has a claim linked to it, every link names exactly one row, every claim has a link."""
    links = ctx.package.claim_links()
    targets = ctx.package.claim_targets()
    if links is None or not ctx.has(domain.CLAIMS, links.name) or not targets:  # invariant-broken says so
        return
    link_table = sql_name(links.name)
    for table in targets:
        (key,) = ctx.package.tables[table].primary_key
        if not ctx.has(table):
            continue
        column = targets[table]
        rows, more = ctx.listed(
            f"SELECT {LINE_COLUMN}, {key} FROM {sql_name(table)} WHERE {key} IS NOT NULL AND {key} NOT IN "
            f"(SELECT {column} FROM {link_table} WHERE {column} IS NOT NULL) ORDER BY {LINE_COLUMN}"
        )
        yield More(CLAIM_MISSING, more)
        for line, value in rows:
            yield ctx.finding(CLAIM_MISSING, table, line, key, value)
    count = " + ".join(f"({column} IS NOT NULL)::INT" for column in targets.values())
    rows, more = ctx.listed(f"SELECT {LINE_COLUMN}, {count} AS n FROM {link_table} WHERE n <> 1 ORDER BY {LINE_COLUMN}")
    yield More(CLAIM_TARGET_COUNT, more)
    for line, n in rows:
        yield ctx.finding(CLAIM_TARGET_COUNT, links.name, line, None, count=n)
    rows, more = ctx.listed(
        f"SELECT {LINE_COLUMN}, claim_id FROM claims WHERE claim_id IS NOT NULL AND claim_id NOT IN "
        f"(SELECT claim_id FROM {link_table} WHERE claim_id IS NOT NULL) ORDER BY {LINE_COLUMN}"
    )
    yield More(CLAIM_UNLINKED, more)
    for line, value in rows:
        yield ctx.finding(CLAIM_UNLINKED, domain.CLAIMS, line, "claim_id", value)


# What makes two claims one statement: a claim differing in any of these (another claimant repeating the
# same words, a figure read for another measure) is a statement of its own.
STATEMENT = (
    "source_id",
    "claimant_actor_id",
    "via_actor_id",
    "status",
    "measure",
    "value_min",
    "value_max",
    "value_qualifier",
)


@check(reads=("quote", *STATEMENT), emits=(QUOTE_STORED_TWICE,))
def duplicate_claims(ctx: Context) -> Iterator[Finding | More]:
    """A statement stored as several claims, which would count its figure once per claim: the lowest
    claim id is the one to keep."""
    if not ctx.has_fields(domain.CLAIMS, "claim_id", "quote", *STATEMENT):
        return
    statement = ", ".join([collapsed("quote"), *STATEMENT])
    claims = "FROM claims WHERE claim_id IS NOT NULL AND quote IS NOT NULL"
    # one statement stored twice hashes twice alike, so claims whose hashes all differ hold no repeat, which
    # a million claims tell far sooner than by comparing their statements
    (alike,) = ctx.nonempty([f"SELECT hash({statement}) AS h {claims} GROUP BY h HAVING count(*) > 1"])
    if not alike:
        return
    rows, more = ctx.listed(
        f"SELECT {LINE_COLUMN}, claim_id, first FROM (SELECT {LINE_COLUMN}, claim_id, "
        f"min(claim_id) OVER (PARTITION BY {statement}) AS first {claims}) WHERE claim_id <> first "
        f"ORDER BY {LINE_COLUMN}"
    )
    yield More(QUOTE_STORED_TWICE, more)
    for line, value, first in rows:
        yield ctx.finding(QUOTE_STORED_TWICE, domain.CLAIMS, line, "claim_id", value, first=first)


@check(
    reads=("value_min", "value_max", "people_count_min", "people_count_max", "measure"),
    emits=(FIGURE_RANGE_INVERTED, FIGURE_MEASURE_MISSING),
)
def figures(ctx: Context) -> Iterator[Finding | More]:
    pairs = [("claims", "value_min", "value_max"), ("detentions", "people_count_min", "people_count_max")]
    for table, low, high in pairs:
        if not ctx.has_fields(table, low, high):
            continue
        rows, more = ctx.listed(
            f"SELECT {LINE_COLUMN}, {low}, {high} FROM {sql_name(table)} "
            f"WHERE TRY_CAST({low} AS BIGINT) > TRY_CAST({high} AS BIGINT) ORDER BY {LINE_COLUMN}"
        )
        yield More(FIGURE_RANGE_INVERTED, more)
        for line, lo, hi in rows:
            yield ctx.finding(FIGURE_RANGE_INVERTED, table, line, low, lo, other_field=high, other=hi)
    if ctx.has_fields("claims", "value_min", "measure"):
        rows, more = ctx.listed(
            f"SELECT {LINE_COLUMN}, value_min FROM claims WHERE value_min IS NOT NULL AND measure IS NULL "
            f"ORDER BY {LINE_COLUMN}"
        )
        yield More(FIGURE_MEASURE_MISSING, more)
        for line, value in rows:
            yield ctx.finding(FIGURE_MEASURE_MISSING, "claims", line, "measure", value)


@check(reads=("quote",), emits=(QUOTE_TOO_SHORT,))
def quote_length(ctx: Context) -> Iterator[Finding]:
    """Quotes of at least QUOTE_SHORTEST characters once their whitespace is collapsed.

    A quote with that many characters besides whitespace is long enough, which an anchored regex sees
    in its first few characters, without collapsing every quote; only the others are measured, in
    Python, as the quote check collapses them.
    """
    if not ctx.has_fields("claims", "quote"):
        return
    enough = f"^(?:{WHITESPACE}*{NOT_WHITESPACE}){{{QUOTE_SHORTEST}}}"
    rows = ctx.rows(
        f"SELECT {LINE_COLUMN}, quote FROM claims WHERE quote IS NOT NULL AND NOT regexp_matches(quote, '{enough}') "
        f"ORDER BY {LINE_COLUMN}"
    )
    for line, quote in rows:
        length = len(normalise_whitespace(quote))
        if length < QUOTE_SHORTEST:
            yield ctx.finding(QUOTE_TOO_SHORT, "claims", line, "quote", quote, length=length, limit=QUOTE_SHORTEST)


@check(reads=("quote_en", "source_id", "language"), emits=(QUOTE_TRANSLATION_MISSING,))
def translations(ctx: Context) -> Iterator[Finding | More]:
    if not (ctx.has_fields("claims", "quote_en", "source_id") and ctx.has_fields("sources", "source_id", "language")):
        return
    rows, more = ctx.listed(
        f"SELECT c.{LINE_COLUMN}, s.language FROM claims c JOIN sources s USING (source_id) "
        f"WHERE c.quote_en IS NULL AND lower(s.language) <> 'en' AND NOT starts_with(lower(s.language), 'en-') "
        f"ORDER BY c.{LINE_COLUMN}"
    )
    yield More(QUOTE_TRANSLATION_MISSING, more)
    for line, language in rows:
        yield ctx.finding(QUOTE_TRANSLATION_MISSING, "claims", line, "quote_en", None, language=language)


@check(reads=("retired_id", "replaced_by"), emits=(TOMBSTONE_ID_IN_USE, TOMBSTONE_REPLACEMENT_MISSING))
def tombstones(ctx: Context) -> Iterator[Finding | More]:
    if not ctx.has_fields("tombstones", "retired_id", "replaced_by"):
        return
    id_columns = [
        (t.name, t.primary_key[0])
        for t in ctx.package.fact_tables
        if t.name != "tombstones" and t.name in ctx.loaded and len(t.primary_key) == 1
    ]
    if not id_columns:
        return
    rows, more = ctx.listed(
        f"SELECT x.{LINE_COLUMN}, x.retired_id, live.tbl FROM tombstones x "
        f"JOIN ({_live(id_columns, 'retired_id')}) live ON live.id = x.retired_id "
        f"ORDER BY x.{LINE_COLUMN}"
    )
    yield More(TOMBSTONE_ID_IN_USE, more)
    for line, value, table in rows:
        yield ctx.finding(TOMBSTONE_ID_IN_USE, "tombstones", line, "retired_id", value, table=table)
    if any(t.name not in ctx.loaded for t in ctx.package.fact_tables):
        return  # the replacement may be a row of a table that could not be read (reported there)
    rows, more = ctx.listed(
        f"SELECT {LINE_COLUMN}, replaced_by FROM tombstones WHERE replaced_by IS NOT NULL AND replaced_by NOT IN "
        f"(SELECT id FROM ({_live(id_columns, 'replaced_by')})) ORDER BY {LINE_COLUMN}"
    )
    yield More(TOMBSTONE_REPLACEMENT_MISSING, more)
    for line, value in rows:
        yield ctx.finding(TOMBSTONE_REPLACEMENT_MISSING, "tombstones", line, "replaced_by", value)


def _live(id_columns: list[tuple[str, str]], mentioned: str) -> str:
    """(id, table) of the live rows whose id a column of tombstones mentions: a million live rows cost one
    hash probe each, not a union."""
    return " UNION ALL ".join(
        f"SELECT {sql_name(k)} AS id, '{t}' AS tbl FROM {sql_name(t)} "
        f"WHERE {sql_name(k)} IN (SELECT {mentioned} FROM tombstones)"
        for t, k in id_columns
    )
