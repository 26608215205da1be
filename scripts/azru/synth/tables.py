"""One builder per table, of rows start..stop-1 or of the whole table.

A builder returns at least the table's columns; one whose rows cite a source also keeps that source's
row number in a `source` column, for the archive, which the CSV leaves out.
"""

from collections.abc import Iterator

import polars as pl

from .columns import (
    MAX_LATER_DAYS,
    actor_name,
    dated,
    day,
    head_count,
    in_language,
    located,
    notes,
    organisation,
    person,
    source_language,
)
from .context import NULL, NULL_INTEGER, ROW, Context, chunks, place_rows, rows, span
from .draws import choose
from .phrases import (
    ACTOR_DESCRIPTIONS,
    CASE_WORDS,
    CHARGES,
    GROUPS,
    LANGUAGES,
    LEGAL_ARTICLES,
    PUBLISHERS,
    QUOTES,
    SUMMARIES,
    SUMMONS_DEMANDS,
    SUMMONS_REASONS,
    TITLES,
)


def actors(ctx: Context, start: int, stop: int) -> pl.DataFrame:
    organisation_types = [code for code in ctx.codes["actor_types"] if code != "person"]
    # Parents come earlier in the table, so the hierarchy has no cycles.
    earlier_organisation = 4 * ctx.draws.below(ROW, "actor/parent", pl.max_horizontal((ROW + 3) // 4, 1))
    return rows(start, stop).select(
        actor_id=ctx.ref("actors", ROW),
        name_en=actor_name(ctx, ROW, pl.lit(0)),
        actor_type=pl.when(ROW % 4 == 0)
        .then(ctx.draws.pick(ROW, "actor/type", organisation_types))
        .otherwise(pl.lit("person")),
        country=ctx.draws.pick(ROW, "actor/country", [*ctx.countries, ""]),
        parent_actor_id=pl.when((ROW > 0) & ctx.draws.chance(ROW, "actor/has-parent", 30)).then(
            ctx.ref("actors", earlier_organisation)
        ),
        description=ctx.draws.pick(ROW, "actor/description", [*ACTOR_DESCRIPTIONS, ""]),
        sensitive=ctx.draws.chance(ROW, "actor/sensitive", 2),
        notes=notes(ctx, ROW, "actor/notes"),
    )


def actor_names(ctx: Context, start: int, stop: int) -> pl.DataFrame:
    """Names of actors start..stop-1: each one's English name from an English source, and for half
    of them a second spelling from a source in another language. Name row 2a (+1) is actor a's."""
    n_sources = ctx.sizes.sources
    english = rows(start, stop).select(
        name_row=2 * ROW, actor=ROW, source=2 * ctx.draws.below(ROW, "name/en-source", (n_sources + 1) // 2)
    )
    other = (
        rows(start, stop)
        .filter(ctx.draws.chance(ROW, "name/second", 50))
        .select(name_row=2 * ROW + 1, actor=ROW, source=2 * ctx.draws.below(ROW, "name/source", n_sources // 2) + 1)
    )
    both = pl.concat([english, other]).sort("name_row")
    actor, source = pl.col("actor"), pl.col("source")
    language = source_language(source)
    return both.select(
        name_id=ctx.draws.id("actor_names", both["name_row"]),
        actor_id=ctx.ref("actors", actor),
        name=actor_name(ctx, actor, language),
        language=choose(language, LANGUAGES),
        source_id=ctx.ref("sources", source),
        notes=notes(ctx, pl.col("name_row"), "name/notes"),
        source=source,
    )


def cases(ctx: Context, start: int, stop: int) -> pl.DataFrame:
    return rows(start, stop).select(
        case_id=ctx.ref("cases", ROW),
        name=pl.concat_str([ctx.draws.pick(ROW, "case/name", SUMMARIES), pl.lit(", case "), ROW]),
        summary=pl.concat_str([ctx.draws.pick(ROW, "case/summary", SUMMARIES), pl.lit(", and what followed")]),
        notes=notes(ctx, ROW, "case/notes"),
    )


def in_a_case(ctx: Context, row: pl.Expr, draw: str) -> pl.Expr:
    """A case id for about a fifth of the rows, once the package has cases."""
    if not ctx.sizes.cases:
        return NULL
    return pl.when(ctx.draws.chance(row, f"{draw}/has-case", 20)).then(
        ctx.ref("cases", ctx.random_row(row, f"{draw}/case", "cases"))
    )


def places(ctx: Context) -> pl.DataFrame:
    """The places the events and detentions point at, by name alone: synthetic places get no coordinates,
    which only a gazetteer gives."""
    named = place_rows(ctx.places)
    return rows(0, len(named)).select(
        place_id=ctx.ref("places", ROW),
        name=choose(ROW, [name for name, _, _ in named]),
        country=choose(ROW, [country for _, country, _ in named]),
        gazetteer=NULL,
        gazetteer_id=NULL,
        gazetteer_name=NULL,
        latitude_e5=NULL_INTEGER,
        longitude_e5=NULL_INTEGER,
        feature_kind=choose(ROW, [kind for _, _, kind in named]),
        coordinate_precision=pl.lit("none"),
        notes=NULL,
    )


def events(ctx: Context, start: int, stop: int) -> pl.DataFrame:
    return rows(start, stop).select(
        event_id=ctx.ref("events", ROW),
        event_type=ctx.code(ROW, "event/type", "event_types"),
        case_id=in_a_case(ctx, ROW, "event"),
        **dated(ctx, ROW, "event/date"),
        **located(ctx, ROW, "event/place"),
        summary=pl.concat_str([ctx.draws.pick(ROW, "event/summary", SUMMARIES), pl.lit(", record "), ROW]),
        sensitive=ctx.draws.chance(ROW, "event/sensitive", 3),
        notes=notes(ctx, ROW, "event/notes"),
    )


def participants(ctx: Context, start: int, stop: int) -> pl.DataFrame:
    """One participant per event, then a second, different actor for every other event."""
    n_events, n_actors = ctx.sizes.events, ctx.sizes.actors
    first = ROW.lt(n_events)
    event = pl.when(first).then(ROW).otherwise(2 * (ROW - n_events))
    first_actor = ctx.draws.below(event, "participant/actor", n_actors)
    other_actor = (first_actor + 1 + ctx.draws.below(ROW, "participant/other", n_actors - 1)) % n_actors
    return rows(start, stop).select(
        participant_id=ctx.draws.id("participants", span(start, stop)),
        event_id=ctx.ref("events", event),
        actor_id=ctx.ref("actors", pl.when(first).then(first_actor).otherwise(other_actor)),
        role=ctx.code(ROW, "participant/role", "participant_roles"),
        notes=notes(ctx, ROW, "participant/notes"),
    )


def detentions(ctx: Context, start: int, stop: int) -> pl.DataFrame:
    when = dated(ctx, ROW, "detention/date")
    status = ctx.code(ROW, "detention/status", "detention_statuses")
    # A release date only after a detention known to the day, so that the order can be checked.
    exact_day = when["date"].str.len_chars() == len("2017-01-01")
    held = 1 + ctx.draws.below(ROW, "detention/held", MAX_LATER_DAYS)
    release = (day(ctx, ROW, "detention/date") + pl.duration(days=held)).dt.strftime("%Y-%m-%d")
    years = 1 + ctx.draws.below(ROW, "detention/years", 12)
    count = head_count(ctx, ROW)
    return rows(start, stop).select(
        detention_id=ctx.ref("detentions", ROW),
        event_id=pl.when(ctx.draws.chance(ROW, "detention/has-event", 70)).then(
            ctx.ref("events", ctx.random_row(ROW, "detention/event", "events"))
        ),
        parent_detention_id=NULL,
        case_id=in_a_case(ctx, ROW, "detention"),
        detainee_actor_id=pl.when(count.named).then(ctx.ref("actors", person(ctx, ROW, "detention/detainee"))),
        group_description=pl.when(~count.named).then(ctx.draws.pick(ROW, "detention/group", GROUPS)),
        people_count_min=count.low,
        people_count_max=count.high,
        count_basis=pl.when(count.high.is_null())
        .then(pl.lit("stated-lower-bound"))
        .when(count.high == count.low)
        .then(pl.lit("stated-exact"))
        .otherwise(pl.lit("stated-range")),
        detaining_actor_id=pl.when(ctx.draws.chance(ROW, "detention/has-detainer", 90)).then(
            ctx.ref("actors", organisation(ctx, ROW, "detention/detainer"))
        ),
        **when,
        **located(ctx, ROW, "detention/place"),
        charges=ctx.draws.pick(ROW, "detention/charges", CHARGES),
        legal_articles=pl.when(ctx.draws.chance(ROW, "detention/has-articles", 20)).then(pl.lit(LEGAL_ARTICLES)),
        status=status,
        sentence=pl.when(status == "convicted").then(
            pl.concat_str([pl.lit("Prison term of "), years, pl.lit(" years")])
        ),
        release_date=pl.when((status == "released") & exact_day).then(release),
        torture_alleged=ctx.draws.chance(ROW, "detention/torture", 20),
        coercion_alleged=ctx.draws.chance(ROW, "detention/coercion", 10),
        sensitive=ctx.draws.chance(ROW, "detention/sensitive", 2),
        notes=notes(ctx, ROW, "detention/notes"),
    )


def diplomatic_summons(ctx: Context, start: int, stop: int) -> pl.DataFrame:
    # Azerbaijan summons a Russian diplomat, or the other way round.
    by_baku = ctx.draws.chance(ROW, "summons/direction", 50)
    return rows(start, stop).select(
        summons_id=ctx.ref("diplomatic_summons", ROW),
        event_id=pl.when(ctx.draws.chance(ROW, "summons/has-event", 80)).then(
            ctx.ref("events", ctx.random_row(ROW, "summons/event", "events"))
        ),
        **dated(ctx, ROW, "summons/date"),
        summoning_actor_id=ctx.ref("actors", organisation(ctx, ROW, "summons/summoning")),
        summoning_country=pl.when(by_baku).then(pl.lit("AZ")).otherwise(pl.lit("RU")),
        summoned_actor_id=pl.when(ctx.draws.chance(ROW, "summons/named", 60)).then(
            ctx.ref("actors", person(ctx, ROW, "summons/summoned"))
        ),
        summoned_rank=ctx.code(ROW, "summons/rank", "diplomatic_ranks"),
        summoned_country=pl.when(by_baku).then(pl.lit("RU")).otherwise(pl.lit("AZ")),
        instrument=ctx.code(ROW, "summons/instrument", "instruments"),
        reasons=ctx.draws.pick(ROW, "summons/reasons", SUMMONS_REASONS),
        demands=ctx.draws.pick(ROW, "summons/demands", SUMMONS_DEMANDS),
        note_in_return=pl.when(ctx.draws.chance(ROW, "summons/note-back", 10)).then(
            pl.lit("A note of protest, in return")
        ),
        trigger_event_id=pl.when(ctx.draws.chance(ROW, "summons/has-trigger", 50)).then(
            ctx.ref("events", ctx.random_row(ROW, "summons/trigger", "events"))
        ),
        notes=notes(ctx, ROW, "summons/notes"),
    )


def figures(ctx: Context, claim: pl.Expr) -> dict[str, pl.Expr]:
    """A figure for a quarter of the claims: a measure, a value or range, and its qualifier."""
    qualifier = pl.when(ctx.draws.chance(claim, "claim/has-figure", 25)).then(
        ctx.draws.pick(claim, "claim/qualifier", ["exact", "at-least", "range"])
    )
    low = pl.when(qualifier.is_not_null()).then(ctx.draws.below(claim, "claim/value", 50))
    high = (
        pl.when(qualifier == "exact")
        .then(low)
        .when(qualifier == "range")
        .then(low + 1 + ctx.draws.below(claim, "claim/spread", 20))
    )
    return {
        "measure": pl.when(qualifier.is_not_null()).then(ctx.code(claim, "claim/measure", "measures")),
        "value_min": low,
        "value_max": high,
        "value_qualifier": qualifier,
    }


def head_count_figures(ctx: Context, detention: pl.Expr) -> dict[str, pl.Expr]:
    """The figure a detention's claim states: exactly its head count."""
    count = head_count(ctx, detention)
    return {
        "measure": pl.lit("detained"),
        "value_min": count.low,
        "value_max": count.high,
        "value_qualifier": pl.when(count.high.is_null())
        .then(pl.lit("at-least"))
        .when(count.high == count.low)
        .then(pl.lit("exact"))
        .otherwise(pl.lit("range")),
    }


NO_FIGURES = {"measure": NULL, "value_min": NULL_INTEGER, "value_max": NULL_INTEGER, "value_qualifier": NULL}


def quote(language: pl.Expr, phrase: pl.Expr, claim: pl.Expr) -> pl.Expr:
    parts = [
        in_language(language, phrase, QUOTES),
        pl.lit(", "),
        choose(language, CASE_WORDS),
        pl.lit(" "),
        claim,
    ]
    return pl.concat_str(parts)


def claims_chunk(ctx: Context, start: int, stop: int, figure: dict[str, pl.Expr]) -> pl.DataFrame:
    """Claims start..stop-1, with the source row kept for the archive."""
    source = ctx.random_row(ROW, "claim/source", "sources")
    language = source_language(source)
    phrase = ctx.draws.below(ROW, "claim/phrase", len(QUOTES))
    return rows(start, stop).select(
        claim_id=ctx.draws.id("claims", span(start, stop)),
        source_id=ctx.ref("sources", source),
        quote=quote(language, phrase, ROW),
        quote_en=pl.when(language != 0).then(quote(pl.lit(0), phrase, ROW)),
        claimant_actor_id=pl.when(ctx.draws.chance(ROW, "claim/has-claimant", 40)).then(
            ctx.ref("actors", ctx.random_row(ROW, "claim/claimant", "actors"))
        ),
        via_actor_id=pl.when(ctx.draws.chance(ROW, "claim/has-via", 5)).then(
            ctx.ref("actors", ctx.random_row(ROW, "claim/via", "actors"))
        ),
        status=ctx.code(ROW, "claim/status", "claim_statuses"),
        **figure,
        sensitive=ctx.draws.chance(ROW, "claim/sensitive", 2),
        notes=notes(ctx, ROW, "claim/notes"),
        source=source,
    )


# A batch of claims: rows start..stop-1, the table they support, which of its rows, and their figures.
Batch = tuple[int, int, str, pl.Expr, dict[str, pl.Expr]]


def claim_batches(ctx: Context) -> Iterator[Batch]:
    """One claim per event, detention, summons, actor and case, in that order, then a fifth more about events."""
    sizes = ctx.sizes
    start = 0
    for target, count in [
        ("events", sizes.events),
        ("detentions", sizes.detentions),
        ("diplomatic_summons", sizes.summons),
        ("actors", sizes.actors),
        ("cases", sizes.cases),
    ]:
        target_row = ROW - start
        figure = {"events": figures(ctx, ROW), "detentions": head_count_figures(ctx, target_row)}
        for low, high in chunks(start, start + count):
            yield low, high, target, target_row, figure.get(target, NO_FIGURES)
        start += count
    extra_event = ctx.random_row(ROW, "claim/extra-event", "events")
    for low, high in chunks(start, start + sizes.claims_extra):
        yield low, high, "events", extra_event, figures(ctx, ROW)


def claims(ctx: Context) -> Iterator[pl.DataFrame]:
    for start, stop, _, _, figure in claim_batches(ctx):
        yield claims_chunk(ctx, start, stop, figure)


def claim_links(ctx: Context) -> Iterator[pl.DataFrame]:
    """A link from each claim to the row it supports, in the order of the claims."""
    for start, stop, target, target_row, _ in claim_batches(ctx):
        yield rows(start, stop).select(
            link_id=ctx.draws.id(ctx.link_table, span(start, stop)),
            claim_id=ctx.draws.id("claims", span(start, stop)),
            **{
                column: ctx.ref(table, target_row) if table == target else NULL
                for table, column in ctx.claim_targets.items()
            },
        )


def sources(ctx: Context) -> pl.DataFrame:
    """Sources without sha256 and bytes, which come from the archive written later."""
    language = source_language(ROW)
    phrase = ctx.draws.below(ROW, "source/title", len(TITLES))
    part = pl.concat_str([pl.lit(", part "), ROW + 1])
    has_date = ctx.draws.chance(ROW, "source/has-date", 70)
    return rows(0, ctx.sizes.sources).select(
        source=ROW,
        source_id=ctx.ref("sources", ROW),
        file_name=pl.concat_str([pl.lit("synthetic_"), ctx.ref("sources", ROW).str.slice(4), pl.lit(".txt")]),
        title=pl.concat_str([in_language(language, phrase, TITLES), part]),
        title_en=pl.when(language != 0).then(pl.concat_str([in_language(pl.lit(0), phrase, TITLES), part])),
        language=choose(language, LANGUAGES),
        publisher=ctx.draws.pick(ROW, "source/publisher", PUBLISHERS),
        published=pl.when(has_date).then(day(ctx, ROW, "source/published").dt.strftime("%Y-%m-%d")),
        published_basis=pl.when(has_date).then(pl.lit("stated")).otherwise(pl.lit("unknown")),
        # a synthetic article states no address of its own, as most of the archived ones do not
        url=pl.lit(None, pl.String),
        archived_url=pl.lit(None, pl.String),
        accessed=pl.lit(None, pl.String),
        description=pl.lit("Synthetic news article written by azru synth, with the quotes its claims cite"),
        notes=notes(ctx, ROW, "source/notes"),
    )


def tombstones(ctx: Context) -> pl.DataFrame:
    """Retired events, with ids from past the live rows (so never live), merged or retracted in turn."""
    n_events = ctx.sizes.events
    merged = ROW % 2 == 0
    return rows(0, ctx.sizes.tombstones).select(
        retired_id=ctx.draws.id("events", span(n_events, n_events + ctx.sizes.tombstones)),
        table=pl.lit("events"),
        reason=pl.when(merged).then(pl.lit("merged")).otherwise(pl.lit("retracted")),
        replaced_by=pl.when(merged).then(ctx.ref("events", ctx.random_row(ROW, "tombstone/replaced-by", "events"))),
        retired_in=pl.lit(ctx.version),
        explanation=pl.when(merged)
        .then(pl.lit("Duplicate of another event, which replaces it"))
        .otherwise(pl.lit("Not supported by its sources on review")),
    )
