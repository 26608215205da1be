"""Checks of what the rows say: languages, evidence for every fact, figures, quotes, translations and
tombstones."""

from collections.abc import Iterator

import langcodes

from .. import domain
from ..text import normalise_whitespace
from .context import Context, check
from .rules import Finding, More
from .sql import LINE_COLUMN, WHITESPACE, sql_name

NOT_WHITESPACE = "[^" + WHITESPACE[1:]
CLAIM_TARGETS = tuple(domain.EVIDENCED.values())
# Characters a quote needs once its whitespace is collapsed. The shortest in data/claims.csv has 15
# (three Arabic words, "9 people were arrested"); below 10 a quote is a word or two that nearly any
# source contains, and one character (".") was shown to verify.
QUOTE_SHORTEST = 10


@check("language")
def languages(ctx: Context) -> Iterator[Finding | More]:
    for table in ("sources", "actor_names"):
        if not ctx.has_fields(table, "language"):
            continue
        bad = [v for v in ctx.distinct(table, "language") if not langcodes.tag_is_valid(v)]
        rows, more = ctx.lines_with(table, "language", bad)
        yield More("language-invalid", more)
        for line, value in rows:
            yield ctx.finding("language-invalid", table, line, "language", value)


@check(*CLAIM_TARGETS)
def evidence(ctx: Context) -> Iterator[Finding | More]:
    """Every fact row has a claim, and every claim supports exactly one row."""
    if not ctx.has(domain.CLAIMS):
        return
    for table, key in domain.EVIDENCED.items():
        if not ctx.has(table):
            continue
        rows, more = ctx.listed(
            f"SELECT {LINE_COLUMN}, {key} FROM {sql_name(table)} WHERE {key} IS NOT NULL AND {key} NOT IN "
            f"(SELECT {key} FROM claims WHERE {key} IS NOT NULL) ORDER BY {LINE_COLUMN}"
        )
        yield More("claim-missing", more)
        for line, value in rows:
            yield ctx.finding("claim-missing", table, line, key, value)
    count = " + ".join(f"({t} IS NOT NULL)::INT" for t in CLAIM_TARGETS)
    rows, more = ctx.listed(f"SELECT {LINE_COLUMN}, {count} AS n FROM claims WHERE n <> 1 ORDER BY {LINE_COLUMN}")
    yield More("claim-target-count", more)
    for line, n in rows:
        yield ctx.finding("claim-target-count", "claims", line, None, count=n)


@check("value_min", "value_max", "people_count_min", "people_count_max", "measure")
def figures(ctx: Context) -> Iterator[Finding | More]:
    pairs = [("claims", "value_min", "value_max"), ("detentions", "people_count_min", "people_count_max")]
    for table, low, high in pairs:
        if not ctx.has_fields(table, low, high):
            continue
        rows, more = ctx.listed(
            f"SELECT {LINE_COLUMN}, {low}, {high} FROM {sql_name(table)} "
            f"WHERE TRY_CAST({low} AS BIGINT) > TRY_CAST({high} AS BIGINT) ORDER BY {LINE_COLUMN}"
        )
        yield More("figure-range-inverted", more)
        for line, lo, hi in rows:
            yield ctx.finding("figure-range-inverted", table, line, low, lo, other_field=high, other=hi)
    if ctx.has_fields("claims", "value_min", "measure"):
        rows, more = ctx.listed(
            f"SELECT {LINE_COLUMN}, value_min FROM claims WHERE value_min IS NOT NULL AND measure IS NULL "
            f"ORDER BY {LINE_COLUMN}"
        )
        yield More("figure-measure-missing", more)
        for line, value in rows:
            yield ctx.finding("figure-measure-missing", "claims", line, "measure", value)


@check("quote")
def quote_length(ctx: Context) -> Iterator[Finding]:
    """Quotes of at least QUOTE_SHORTEST characters once their whitespace is collapsed.

    A quote with that many characters besides whitespace is long enough, which an anchored regex sees
    in its first few characters (0.15 s for 1.4M quotes; collapsing them all in SQL took 7.6 s); only the
    others are measured, in Python, as the quote check collapses them.
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
            yield ctx.finding("quote-too-short", "claims", line, "quote", quote, length=length, limit=QUOTE_SHORTEST)


@check("quote_en", "source_id", "language")
def translations(ctx: Context) -> Iterator[Finding | More]:
    if not (ctx.has_fields("claims", "quote_en", "source_id") and ctx.has_fields("sources", "source_id", "language")):
        return
    rows, more = ctx.listed(
        f"SELECT c.{LINE_COLUMN}, s.language FROM claims c JOIN sources s USING (source_id) "
        f"WHERE c.quote_en IS NULL AND lower(s.language) <> 'en' AND NOT starts_with(lower(s.language), 'en-') "
        f"ORDER BY c.{LINE_COLUMN}"
    )
    yield More("quote-translation-missing", more)
    for line, language in rows:
        yield ctx.finding("quote-translation-missing", "claims", line, "quote_en", None, language=language)


@check("retired_id", "replaced_by")
def tombstones(ctx: Context) -> Iterator[Finding | More]:
    if not ctx.has_fields("tombstones", "retired_id", "replaced_by"):
        return
    id_columns = [
        (t.name, t.primary_key[0])
        for t in ctx.package.fact_tables
        if t.name != "tombstones" and t.name in ctx.loaded and len(t.primary_key) == 1
    ]
    # only the ids tombstones mention, so a million live rows cost one hash probe each, not a union
    mentioned = "SELECT retired_id FROM tombstones UNION SELECT replaced_by FROM tombstones"
    live = " UNION ALL ".join(
        f"SELECT {sql_name(k)} AS id, '{t}' AS tbl FROM {sql_name(t)} WHERE {sql_name(k)} IN ({mentioned})"
        for t, k in id_columns
    )
    if not live:
        return
    rows, more = ctx.listed(
        f"SELECT x.{LINE_COLUMN}, x.retired_id, live.tbl FROM tombstones x "
        f"JOIN ({live}) live ON live.id = x.retired_id "
        f"ORDER BY x.{LINE_COLUMN}"
    )
    yield More("tombstone-id-in-use", more)
    for line, value, table in rows:
        yield ctx.finding("tombstone-id-in-use", "tombstones", line, "retired_id", value, table=table)
    if any(t.name not in ctx.loaded for t in ctx.package.fact_tables):
        return  # the replacement may be a row of a table that could not be read (reported there)
    rows, more = ctx.listed(
        f"SELECT {LINE_COLUMN}, replaced_by FROM tombstones WHERE replaced_by IS NOT NULL AND replaced_by NOT IN "
        f"(SELECT id FROM ({live})) ORDER BY {LINE_COLUMN}"
    )
    yield More("tombstone-replacement-missing", more)
    for line, value in rows:
        yield ctx.finding("tombstone-replacement-missing", "tombstones", line, "replaced_by", value)
