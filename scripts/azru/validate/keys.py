"""Checks of keys and codes: uniqueness, codes differing only in case, references, and (against trusted
rules) codes a codelist gained."""

from collections.abc import Iterator

from .context import ROWS_LISTED, Context, check
from .rules import (
    CODE_CASE_DUPLICATE,
    CODE_NOT_IN_CODELIST,
    CODELIST_CODE_ADDED,
    FOREIGN_KEY_DANGLING,
    PRIMARY_KEY_DUPLICATE,
    UNIQUE_DUPLICATE,
    Finding,
    More,
    Rule,
    show,
)
from .sql import LINE_COLUMN, literal, sql_name


@check(emits=(PRIMARY_KEY_DUPLICATE, UNIQUE_DUPLICATE))
def uniqueness(ctx: Context) -> Iterator[Finding | More]:
    """Primary keys and `unique` fields: every repeat after the first, pointing at the first."""
    keys: list[tuple[str, str, Rule]] = []  # (table, field, rule)
    for table in ctx.package.tables.values():
        if table.name not in ctx.loaded:
            continue
        primary = set(table.primary_key) if len(table.primary_key) == 1 else set()
        for spec in table.fields:
            if spec.name in primary or spec.constraints.get("unique"):
                rule = PRIMARY_KEY_DUPLICATE if spec.name in primary else UNIQUE_DUPLICATE
                keys.append((table.name, spec.name, rule))
    # the repeated values first, so that lines are listed for them alone
    repeated = [
        f"SELECT {sql_name(name)} FROM {sql_name(source)} WHERE {sql_name(name)} IS NOT NULL "
        f"GROUP BY {sql_name(name)} HAVING count(*) > 1"
        for source, name, _ in keys
    ]
    for (source, name, rule), values, any_repeated in zip(keys, repeated, ctx.nonempty(repeated), strict=True):
        if any_repeated:
            yield from _repeats(ctx, source, name, rule, values)


def _repeats(ctx: Context, table: str, name: str, rule: Rule, repeated: str) -> Iterator[Finding | More]:
    col, source = sql_name(name), sql_name(table)
    rows, more = ctx.listed(
        f"SELECT {col}, list_slice(list({LINE_COLUMN} ORDER BY {LINE_COLUMN}), 1, {ROWS_LISTED}), count(*) "
        f"FROM {source} WHERE {col} IN ({repeated}) GROUP BY {col} ORDER BY min({LINE_COLUMN})"
    )
    for value, lines, count in rows:
        for line in lines[1:]:
            yield ctx.finding(rule, table, line, name, value, other_line=lines[0])
        yield More(rule, count - len(lines))
    if more:
        ((uncounted,),) = ctx.rows(
            f"SELECT sum(n - 1) FROM (SELECT count(*) AS n FROM {source} WHERE {col} IS NOT NULL "
            f"GROUP BY {col} HAVING n > 1 ORDER BY min({LINE_COLUMN}) OFFSET {ROWS_LISTED})"
        )
        yield More(rule, int(uncounted))


@check(emits=(CODE_CASE_DUPLICATE,))
def code_case(ctx: Context) -> Iterator[Finding]:
    """Codelist codes that differ only in case: each later spelling, pointing at the first.

    Exact repeats are primary-key-duplicate already, so each spelling counts once, at its first line.
    All codelists are asked in one query, each its own partition.
    """
    codelists = [table for table in ctx.package.codelists if table.name in ctx.loaded and len(table.primary_key) == 1]
    if not codelists:
        return
    spellings = " UNION ALL ".join(
        f"SELECT {number} AS list, {sql_name(table.primary_key[0])} AS code, min({LINE_COLUMN}) AS line "
        f"FROM {sql_name(table.name)} WHERE {sql_name(table.primary_key[0])} IS NOT NULL GROUP BY 2"
        for number, table in enumerate(codelists)
    )
    first = "OVER (PARTITION BY list, lower(code) ORDER BY line)"
    rows = ctx.rows(
        f"SELECT list, line, code, first_value(code) {first} AS first_code, first_value(line) {first} AS first_line "
        f"FROM ({spellings}) QUALIFY code <> first_code ORDER BY list, line"
    )
    for number, line, code, first_code, first_line in rows:
        table = codelists[number]
        yield ctx.finding(
            CODE_CASE_DUPLICATE,
            table.name,
            line,
            table.primary_key[0],
            code,
            other=show(first_code),
            other_line=first_line,
        )


@check(emits=(FOREIGN_KEY_DANGLING, CODE_NOT_IN_CODELIST))
def foreign_keys(ctx: Context) -> Iterator[Finding | More]:
    """Every reference resolves; references into codelists get their own code and hint.

    All references into one key are checked in one query, so its hash table is built once.
    """
    into: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for table in ctx.package.tables.values():
        for local, target, remote in table.references():
            if ctx.has(table.name, target):
                into.setdefault((target, remote), []).append((table.name, local))
    dangling = []
    for (target, remote), sources in into.items():
        referring = " UNION ALL ".join(
            f"SELECT {literal(table)}, {literal(local)}, {LINE_COLUMN}, {sql_name(local)} AS value "
            f"FROM {sql_name(table)} WHERE {sql_name(local)} IS NOT NULL"
            for table, local in sources
        )
        key = sql_name(remote)
        keys = f"SELECT {key} FROM {sql_name(target)} WHERE {key} IS NOT NULL"
        dangling.append(f"SELECT * FROM ({referring}) WHERE value NOT IN ({keys})")
    for (target, remote), query, found in zip(into, dangling, ctx.nonempty(dangling), strict=True):
        if not found:
            continue
        rows, more = ctx.listed(f"{query} ORDER BY 1, 3")
        rule = CODE_NOT_IN_CODELIST if ctx.package.tables[target].is_codelist else FOREIGN_KEY_DANGLING
        for table, local, line, value in rows:
            yield ctx.finding(rule, table, line, local, value, target=target, target_field=remote)
        yield More(rule, more)


@check(emits=(CODELIST_CODE_ADDED,))
def codelist_codes(ctx: Context) -> Iterator[Finding | More]:
    """With trusted rules, a code the trusted codelist lacks is a loosening a maintainer must accept."""
    if ctx.trusted is None:
        return
    for table in ctx.package.codelists:
        (key,) = table.primary_key or (table.field_names[0],)
        codes = ctx.trusted.codes(table.path, key)
        if codes is None or table.name not in ctx.loaded:
            continue
        rows, more = ctx.listed(
            f"SELECT {LINE_COLUMN}, {sql_name(key)} FROM {sql_name(table.name)} "
            f"WHERE {sql_name(key)} NOT IN (SELECT unnest(?)) ORDER BY {LINE_COLUMN}",
            [sorted(codes)],
        )
        yield More(CODELIST_CODE_ADDED, more)
        for line, code in rows:
            yield ctx.finding(CODELIST_CODE_ADDED, table.name, line, key, code, table=table.name)
