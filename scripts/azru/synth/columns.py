"""Column expressions several tables share: dates, places, notes, actors, names and head counts."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import polars as pl

from .context import NULL_INTEGER, Context, place_rows
from .draws import choose
from .phrases import ARABIC_NOTE, DATE_NOTES, FIRST_NAMES, LANGUAGE_CYCLE, LANGUAGES, LAST_NAMES, NOTES

FIRST_DAY = date(2017, 1, 1)
# Leaves room for intervals and release dates so that every date stays inside 2017–2025.
DAY_SPAN = (date(2025, 6, 30) - FIRST_DAY).days
MAX_LATER_DAYS = 180

# Weighted by repetition: 40% days, 15% months, 10% years, 10% uncertain days, 10% intervals, 15% none.
DATE_FORMS = ["day"] * 8 + ["month"] * 3 + ["year"] * 2 + ["uncertain"] * 2 + ["interval"] * 2 + ["none"] * 3
PRECISION_OF_FORM = {
    "day": "day",
    "month": "month",
    "year": "year",
    "uncertain": "day",
    "interval": "month",
    "none": "unknown",
}
KNOWN_DATE_BASES = ["stated"] * 3 + ["inferred-from-publication", "inferred-from-context"]


def source_language(source: pl.Expr) -> pl.Expr:
    """Index into LANGUAGES of source row `source`."""
    return (source % len(LANGUAGE_CYCLE)).replace_strict(dict(enumerate(LANGUAGE_CYCLE)), return_dtype=pl.Int64)


def in_language(language: pl.Expr, phrase: pl.Expr, table: Sequence[tuple[str, ...]]) -> pl.Expr:
    """table[phrase][language]: the rendering of a phrase in a source's language."""
    flat = [rendering for renderings in table for rendering in renderings]
    return choose(phrase * len(LANGUAGES) + language, flat)


def day(ctx: Context, index: pl.Expr, salt: str) -> pl.Expr:
    return pl.lit(FIRST_DAY) + pl.duration(days=ctx.draws.below(index, f"{salt}/day", DAY_SPAN))


def dated(ctx: Context, index: pl.Expr, salt: str) -> dict[str, pl.Expr]:
    """date, date_precision, date_basis and date_note, consistent with each other."""
    form = ctx.draws.pick(index, f"{salt}/form", DATE_FORMS)
    start = day(ctx, index, salt)
    text = start.dt.strftime("%Y-%m-%d")
    # 31 days on always lands in a later month.
    later = 31 + ctx.draws.below(index, f"{salt}/span", MAX_LATER_DAYS - 31)
    end = (start + pl.duration(days=later)).dt.strftime("%Y-%m")
    basis = (
        pl.when(form == "none")
        .then(pl.lit("unknown"))
        .otherwise(ctx.draws.pick(index, f"{salt}/basis", KNOWN_DATE_BASES))
    )
    return {
        "date": pl.when(form == "day")
        .then(text)
        .when(form == "month")
        .then(text.str.slice(0, 7))
        .when(form == "year")
        .then(text.str.slice(0, 4))
        .when(form == "uncertain")
        .then(text + "?")
        .when(form == "interval")
        .then(pl.concat_str([text.str.slice(0, 7), pl.lit("/"), end])),
        "date_precision": form.replace_strict(PRECISION_OF_FORM, return_dtype=pl.String),
        "date_basis": basis,
        "date_note": pl.when(basis.str.starts_with("inferred-")).then(
            ctx.draws.pick(index, f"{salt}/note", DATE_NOTES)
        ),
    }


def located(ctx: Context, index: pl.Expr, salt: str) -> dict[str, pl.Expr]:
    place = ctx.draws.below(index, salt, len(ctx.places))
    row_of = {(named, country): n for n, (named, country, _) in enumerate(place_rows(ctx.places))}
    place_ids = [ctx.ids["places"][row_of[named, country]] if named else "" for _, country, _, named in ctx.places]
    return {
        "place": choose(place, [name for name, _, _, _ in ctx.places]),
        "place_id": choose(place, place_ids),
        "country": choose(place, [country for _, country, _, _ in ctx.places]),
        "location_precision": choose(place, [precision for _, _, precision, _ in ctx.places]),
    }


def notes(ctx: Context, index: pl.Expr, salt: str) -> pl.Expr:
    return (
        pl.when(ctx.draws.chance(index, f"{salt}/arabic", 5))
        .then(pl.lit(ARABIC_NOTE))
        .otherwise(ctx.draws.pick(index, salt, NOTES))
    )


# Every fourth actor is an organisation and the others are people, so that either kind can be
# drawn without looking at the table.
def person(ctx: Context, index: pl.Expr, salt: str) -> pl.Expr:
    quartets = ctx.sizes.actors // 4
    return 4 * ctx.draws.below(index, f"{salt}/quartet", quartets) + 1 + ctx.draws.below(index, salt, 3)


def organisation(ctx: Context, index: pl.Expr, salt: str) -> pl.Expr:
    return 4 * ctx.draws.below(index, salt, (ctx.sizes.actors + 3) // 4)


def actor_name(ctx: Context, actor: pl.Expr, language: pl.Expr) -> pl.Expr:
    first = in_language(language, ctx.draws.below(actor, "actor/first", len(FIRST_NAMES)), FIRST_NAMES)
    last = in_language(language, ctx.draws.below(actor, "actor/last", len(LAST_NAMES)), LAST_NAMES)
    return pl.concat_str([first, pl.lit(" "), last])


@dataclass(frozen=True)
class HeadCount:
    """A detention's head count, shared by the detention row and the claim that states it."""

    named: pl.Expr
    low: pl.Expr
    high: pl.Expr


def head_count(ctx: Context, detention: pl.Expr) -> HeadCount:
    named = ctx.draws.chance(detention, "detention/named", 60)
    low = pl.when(named).then(1).otherwise(2 + ctx.draws.below(detention, "detention/low", 40))
    high = (
        pl.when(named)
        .then(1)
        .when(ctx.draws.chance(detention, "detention/open", 30))
        .then(NULL_INTEGER)
        .otherwise(low + ctx.draws.below(detention, "detention/extra", 10))
    )
    return HeadCount(named, low, high)
