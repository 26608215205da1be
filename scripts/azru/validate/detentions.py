"""Checks of the counts of detentions: no loop of parent detentions, no subgroup larger than its group, and a
count_basis that says what the pair of counts is."""

from collections.abc import Iterator

from .context import Context, check
from .rules import (
    COUNT_BASIS_INCONSISTENT,
    DETENTION_CHILD_LARGER,
    DETENTION_CYCLE,
    LISTED_PER_CODE,
    Finding,
    More,
    show,
)
from .sql import LINE_COLUMN

TABLE = "detentions"
PARENT = "parent_detention_id"


@check(emits=(DETENTION_CYCLE,))  # parent_detention_id is a reference, which is never dropped
def cycles(ctx: Context) -> Iterator[Finding | More]:
    """Each detention whose chain of parents comes back to it; chains are short, so they are walked here."""
    if not ctx.has_fields(TABLE, "detention_id", PARENT):
        return
    rows = ctx.rows(
        f"SELECT {LINE_COLUMN}, detention_id, {PARENT} FROM {TABLE} WHERE {PARENT} IS NOT NULL ORDER BY {LINE_COLUMN}"
    )
    parent_of = {child: parent for _, child, parent in rows}
    looped: list[tuple[int, str, str]] = []
    for line, child, parent in rows:
        path, seen = [child], {child}
        while parent in parent_of and parent not in seen:
            path.append(parent)
            seen.add(parent)
            parent = parent_of[parent]
        if parent == child:
            looped.append((line, child, " -> ".join([*path, child])))
    yield More(DETENTION_CYCLE, max(0, len(looped) - LISTED_PER_CODE))
    for line, child, chain in looped[:LISTED_PER_CODE]:
        yield ctx.finding(DETENTION_CYCLE, TABLE, line, PARENT, parent_of[child], path=chain)


@check(reads=("people_count_min",), emits=(DETENTION_CHILD_LARGER,))
def subgroup_counts(ctx: Context) -> Iterator[Finding | More]:
    if not ctx.has_fields(TABLE, "detention_id", PARENT, "people_count_min"):
        return
    rows, more = ctx.listed(
        f"SELECT c.{LINE_COLUMN}, c.people_count_min, p.people_count_min, p.detention_id "
        f"FROM {TABLE} AS c JOIN {TABLE} AS p ON p.detention_id = c.{PARENT} "
        "WHERE TRY_CAST(c.people_count_min AS BIGINT) > TRY_CAST(p.people_count_min AS BIGINT) "
        f"AND {judged(ctx, 'people_count_min', 'c.')} AND {judged(ctx, 'people_count_min', 'p.')} "
        f"ORDER BY c.{LINE_COLUMN}"
    )
    yield More(DETENTION_CHILD_LARGER, more)
    for line, count, parent_count, parent in rows:
        yield ctx.finding(
            DETENTION_CHILD_LARGER, TABLE, line, "people_count_min", count, parent_count=parent_count, parent=parent
        )


# Why a count_basis does not fit the counts, or NULL when it does; LOW and HIGH are the two counts.
BASIS_MISFITS = """CASE
    WHEN count_basis IS NULL AND (LOW IS NOT NULL OR HIGH IS NOT NULL) THEN 'a count needs a count_basis'
    WHEN count_basis = 'unknown' AND (LOW IS NOT NULL OR HIGH IS NOT NULL) THEN 'unknown means no count'
    WHEN count_basis <> 'unknown' AND LOW IS NULL THEN 'this basis needs people_count_min'
    WHEN count_basis = 'stated-exact' AND HIGH IS DISTINCT FROM LOW THEN 'one figure is min = max'
    WHEN count_basis = 'stated-range' AND (HIGH IS NULL OR HIGH <= LOW) THEN 'a range has max above min'
    WHEN count_basis = 'stated-lower-bound' AND HIGH IS NOT NULL THEN 'a floor leaves max empty'
END"""


def judged(ctx: Context, count: str, alias: str = "") -> str:
    """SQL true where a count is empty or a valid number: a count that is no integer, or below the field's
    minimum, is reported by the cell checks already, and judging it again would report one cell twice."""
    minimum = ctx.package.tables[TABLE].field(count).constraints.get("minimum")
    number = f"TRY_CAST({alias}{count} AS BIGINT)"
    floor = "" if minimum is None else f" AND {number} >= {int(minimum)}"
    return f"({alias}{count} IS NULL OR ({number} IS NOT NULL{floor}))"


@check(reads=("people_count_min", "people_count_max", "count_basis"), emits=(COUNT_BASIS_INCONSISTENT,))
def count_basis(ctx: Context) -> Iterator[Finding | More]:
    if not ctx.has_fields(TABLE, "people_count_min", "people_count_max", "count_basis"):
        return
    misfit = BASIS_MISFITS.replace("LOW", "TRY_CAST(people_count_min AS BIGINT)").replace(
        "HIGH", "TRY_CAST(people_count_max AS BIGINT)"
    )
    rows, more = ctx.listed(
        f"SELECT {LINE_COLUMN}, count_basis, people_count_min, people_count_max, {misfit} AS reason "
        f"FROM {TABLE} WHERE reason IS NOT NULL AND {ctx.known(TABLE, 'count_basis')} "
        f"AND {judged(ctx, 'people_count_min')} AND {judged(ctx, 'people_count_max')} ORDER BY {LINE_COLUMN}"
    )
    yield More(COUNT_BASIS_INCONSISTENT, more)
    for line, basis, low, high, reason in rows:
        yield ctx.finding(
            COUNT_BASIS_INCONSISTENT, TABLE, line, "count_basis", basis, low=show(low), high=show(high), reason=reason
        )
