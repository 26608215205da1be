"""Checks of detentions nested in group detentions: no loop of parents, no subgroup larger than its group."""

from collections.abc import Iterator

from .context import Context, check
from .rules import DETENTION_CHILD_LARGER, DETENTION_CYCLE, LISTED_PER_CODE, Finding, More
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
        f"ORDER BY c.{LINE_COLUMN}"
    )
    yield More(DETENTION_CHILD_LARGER, more)
    for line, count, parent_count, parent in rows:
        yield ctx.finding(
            DETENTION_CHILD_LARGER, TABLE, line, "people_count_min", count, parent_count=parent_count, parent=parent
        )
