"""Checks of places' coordinates: a whole pair or none, always from a gazetteer record, and a precision that
says whether there are any. Their range is the descriptor's minimum and maximum, checked with the cells."""

from collections.abc import Iterator

from .context import Context, check
from .rules import (
    COORDINATE_PRECISION_MISMATCH,
    COORDINATES_INCOMPLETE,
    COORDINATES_WITHOUT_GAZETTEER,
    Finding,
    More,
)
from .sql import LINE_COLUMN

PLACES = "places"
LATITUDE, LONGITUDE = "latitude_e5", "longitude_e5"
NO_COORDINATES = "none"  # the code of codelist `coordinate_precisions` for a place without coordinates


@check(
    reads=(LATITUDE, LONGITUDE, "gazetteer", "gazetteer_id", "coordinate_precision"),
    emits=(COORDINATES_INCOMPLETE, COORDINATES_WITHOUT_GAZETTEER, COORDINATE_PRECISION_MISMATCH),
)
def coordinates(ctx: Context) -> Iterator[Finding | More]:
    if not ctx.has_fields(PLACES, LATITUDE, LONGITUDE, "gazetteer", "gazetteer_id", "coordinate_precision"):
        return
    for given, missing in ((LATITUDE, LONGITUDE), (LONGITUDE, LATITUDE)):
        rows, more = ctx.listed(
            f"SELECT {LINE_COLUMN}, {given} FROM {PLACES} WHERE {given} IS NOT NULL AND {missing} IS NULL "
            f"ORDER BY {LINE_COLUMN}"
        )
        yield More(COORDINATES_INCOMPLETE, more)
        for line, value in rows:
            yield ctx.finding(COORDINATES_INCOMPLETE, PLACES, line, given, value, other_field=missing)
    rows, more = ctx.listed(
        f"SELECT {LINE_COLUMN}, coalesce({LATITUDE}, {LONGITUDE}), {LATITUDE} IS NULL FROM {PLACES} "
        f"WHERE ({LATITUDE} IS NOT NULL OR {LONGITUDE} IS NOT NULL) AND (gazetteer IS NULL OR gazetteer_id IS NULL) "
        f"ORDER BY {LINE_COLUMN}"
    )
    yield More(COORDINATES_WITHOUT_GAZETTEER, more)
    for line, value, only_longitude in rows:
        name = LONGITUDE if only_longitude else LATITUDE
        yield ctx.finding(COORDINATES_WITHOUT_GAZETTEER, PLACES, line, name, value)
    rows, more = ctx.listed(
        f"SELECT {LINE_COLUMN}, coordinate_precision, {LATITUDE} IS NULL AND {LONGITUDE} IS NULL AS bare FROM {PLACES} "
        f"WHERE coordinate_precision IS NOT NULL AND {ctx.known(PLACES, 'coordinate_precision')} "
        f"AND (coordinate_precision = ?) <> bare ORDER BY {LINE_COLUMN}",
        [NO_COORDINATES],
    )
    yield More(COORDINATE_PRECISION_MISMATCH, more)
    for line, precision, bare in rows:
        problem = "but the place has no coordinates" if bare else "but the place has coordinates"
        yield ctx.finding(
            COORDINATE_PRECISION_MISMATCH, PLACES, line, "coordinate_precision", precision, problem=problem
        )
