"""The cell rules (required, type, range, pattern, length, characters) compiled to one SQL scan per table.

The WHERE clause keeps only rows with a bad cell, so the per-rule flags are computed for those alone;
past ROWS_LISTED of them, the rest are counted in one aggregate scan. Small tables are first asked
together whether they have a bad cell at all (tables_with_bad_cells), and scanned only if so.
"""

import re
from collections.abc import Iterator
from typing import Any

from ..package import Field, Table
from ..text import FORBIDDEN, NFC_SUSPECTS, is_forbidden
from .context import ROWS_LISTED, Context
from .load import stored_name
from .rules import (
    FORBIDDEN_CHARACTER,
    FORMULA_PREFIX,
    NOT_NFC,
    PATTERN_MISMATCH,
    REQUIRED_MISSING,
    TOO_LONG,
    TOO_SHORT,
    TYPE_BOOLEAN,
    TYPE_INTEGER,
    VALUE_TOO_LARGE,
    VALUE_TOO_SMALL,
    WHITESPACE_PADDING,
    Finding,
    More,
    Rule,
)
from .sql import LINE_COLUMN, WHITESPACE, literal, sql_name

EMITS = frozenset(
    {
        REQUIRED_MISSING,
        TYPE_INTEGER,
        TYPE_BOOLEAN,
        VALUE_TOO_SMALL,
        VALUE_TOO_LARGE,
        PATTERN_MISMATCH,
        TOO_LONG,
        TOO_SHORT,
        FORBIDDEN_CHARACTER,
        WHITESPACE_PADDING,
        FORMULA_PREFIX,
        NOT_NFC,
    }
)
FORMULA_CHARACTERS = "=+-@"
FORMULA_START = "^[" + FORMULA_CHARACTERS.replace("-", r"\-") + "]"
CELL = "cell"  # the column of every cell in tables_with_bad_cells
ALL_CELLS = sql_name("cells:all")  # the colon keeps it apart from every table name


def _rule_conditions(spec: Field, col: str) -> dict[Rule, str]:
    """Rule -> SQL condition that is true for a bad non-empty cell `col` of this field."""
    c = spec.constraints
    conditions: dict[Rule, str] = {}
    if spec.type == "integer":
        conditions[TYPE_INTEGER] = f"NOT regexp_full_match({col}, '[+-]?[0-9]{{1,18}}')"
        number = f"TRY_CAST({col} AS BIGINT)"
        if "minimum" in c:
            conditions[VALUE_TOO_SMALL] = f"{number} < {int(c['minimum'])}"
        if "maximum" in c:
            conditions[VALUE_TOO_LARGE] = f"{number} > {int(c['maximum'])}"
    elif spec.type == "boolean":
        allowed = [*spec.spec.get("trueValues", ["true"]), *spec.spec.get("falseValues", ["false"])]
        conditions[TYPE_BOOLEAN] = f"{col} NOT IN ({', '.join(literal(v) for v in allowed)})"
    else:
        conditions[FORBIDDEN_CHARACTER] = f"regexp_matches({col}, '{FORBIDDEN}')"
        conditions[WHITESPACE_PADDING] = f"regexp_matches({col}, '^{WHITESPACE}|{WHITESPACE}$')"
        conditions[FORMULA_PREFIX] = _starts_like_a_formula(col)
        conditions[NOT_NFC] = f"nfc_normalize({col}) <> {col}"
        if "pattern" in c:
            conditions[PATTERN_MISMATCH] = f"NOT regexp_full_match({col}, {literal(c['pattern'])})"
        if "maxLength" in c:
            conditions[TOO_LONG] = f"length({col}) > {int(c['maxLength'])}"
        if "minLength" in c:
            conditions[TOO_SHORT] = f"length({col}) < {int(c['minLength'])}"
    return conditions


def _starts_like_a_formula(col: str) -> str:
    """Range comparisons, which DuckDB answers from each string's inline prefix, without a regex."""
    return " OR ".join(f"({col} >= '{c}' AND {col} < '{chr(ord(c) + 1)}')" for c in FORMULA_CHARACTERS)


def _breaks_field_rules(spec: Field, col: str) -> str | None:
    """SQL true for a cell `col` that is missing though required, or breaks its type, range, pattern or
    length; None for a field with none of these rules."""
    rules = [f"{col} IS NULL"] if spec.required else []
    rules += [sql for rule, sql in _rule_conditions(spec, col).items() if rule not in CHARACTER_RULES]
    return " OR ".join(rules) or None


def _breaks_character_rules(spec: Field, col: str) -> str | None:
    """SQL true for a cell `col` that breaks a character rule; None for a field without them. The same
    for every field of one kind: text, or text whose pattern lets through printable ASCII alone."""
    character = [sql for rule, sql in _rule_conditions(spec, col).items() if rule in CHARACTER_RULES]
    if not character:
        return None
    if _printable_only(spec.constraints.get("pattern")):
        # a value that fits the pattern can break only the formula rule; one that does not is
        # selected by pattern-mismatch and judged on every rule
        return _starts_like_a_formula(col)
    # one regex keeps NFC and friends off clean cells
    return f"{_suspicious_characters(col)} AND ({' OR '.join(character)})"


def findings(ctx: Context, table: Table) -> Iterator[Finding | More]:
    """Every cell rule over a table just loaded, in one scan of it."""
    conditions = {spec.name: _rule_conditions(spec, sql_name(spec.name)) for spec in table.fields}
    selected, bad = [], []
    for spec in table.fields:
        col = sql_name(spec.name)
        selected += [col, *(f"({sql})" for sql in conditions[spec.name].values())]
        bad += [f"({sql})" for sql in (_breaks_field_rules(spec, col), _breaks_character_rules(spec, col)) if sql]
    where = " OR ".join(bad) or "false"
    rows = ctx.rows(
        f"SELECT {LINE_COLUMN}, {', '.join(selected)} FROM {sql_name(table.name)} WHERE {where} "
        f"ORDER BY {LINE_COLUMN} LIMIT {ROWS_LISTED}"
    )
    if len(rows) == ROWS_LISTED:
        yield from _uncounted(ctx, table, conditions, rows[-1][0])
    for line, *values in rows:
        cells = iter(values)
        for spec in table.fields:
            value = next(cells)
            flags = [next(cells) for _ in conditions[spec.name]]
            if value is None:
                if spec.required:
                    yield ctx.finding(REQUIRED_MISSING, table.name, line, spec.name)
                continue
            for rule, flagged in zip(conditions[spec.name], flags, strict=True):
                if flagged:
                    yield _cell_finding(ctx, table, spec.name, rule, line, value)


def tables_with_bad_cells(ctx: Context, tables: list[Table]) -> set[str]:
    """The tables with a row that findings() would select, asked of all their cells at once, as they are
    stored (load.stored_name) before publishing.

    A small table's query costs far more in compiling its conditions (regexes above all) than in running
    them, once per field. Here the cells of all the tables are one column, each with the kind of its
    field, and each distinct condition is compiled once: a CASE picks the field's own rules, and the
    character rules, the same for every field of a kind, are asked of all cells of that kind together.
    """
    kinds: dict[tuple[str | None, str | None], int] = {}  # (field rules, character rules) on CELL -> kind
    branches = []
    for number, table in enumerate(tables):
        of_field = [
            kinds.setdefault((_breaks_field_rules(spec, CELL), _breaks_character_rules(spec, CELL)), len(kinds))
            for spec in table.fields
        ]
        columns = ", ".join(sql_name(name) for name in table.field_names)
        cells = f"unnest({of_field}) AS kind, unnest([{columns}]) AS {CELL}"
        branches.append(f"SELECT {number} AS t, {cells} FROM {stored_name(table)}")
    field_rules = " ".join(f"WHEN {kind} THEN {sql}" for (sql, _), kind in kinds.items() if sql)
    by_character_rules: dict[str, list[int]] = {}
    for (_, sql), kind in kinds.items():
        if sql:
            by_character_rules.setdefault(sql, []).append(kind)
    bad = [f"CASE kind {field_rules} END"] if field_rules else []
    bad += [f"(kind IN ({', '.join(map(str, of_kind))}) AND ({sql}))" for sql, of_kind in by_character_rules.items()]
    if not bad:
        return set()
    ctx.con.execute(f"CREATE OR REPLACE TEMP TABLE {ALL_CELLS} AS {' UNION ALL '.join(branches)}").fetchall()
    found = ctx.rows(f"SELECT DISTINCT t FROM {ALL_CELLS} WHERE {' OR '.join(bad)}")
    ctx.con.execute(f"DROP TABLE {ALL_CELLS}").fetchall()
    return {tables[number].name for (number,) in found}


def _uncounted(ctx: Context, table: Table, conditions: dict[str, dict[Rule, str]], last_listed: int) -> Iterator[More]:
    """How many findings of each rule the rows after the listed ones hold, in one aggregate scan."""
    counted: list[tuple[Rule, str]] = []
    for spec in table.fields:
        col = sql_name(spec.name)
        if spec.required:
            counted.append((REQUIRED_MISSING, f"{col} IS NULL"))
        counted += [(rule, f"{col} IS NOT NULL AND ({sql})") for rule, sql in conditions[spec.name].items()]
    totals = ", ".join(f"count(*) FILTER (WHERE {sql})" for _, sql in counted)
    ((*counts,),) = ctx.rows(f"SELECT {totals} FROM {sql_name(table.name)} WHERE {LINE_COLUMN} > {last_listed}")
    per_rule: dict[Rule, int] = {}
    for (rule, _), n in zip(counted, counts, strict=True):
        per_rule[rule] = per_rule.get(rule, 0) + n
    yield from (More(rule, n) for rule, n in per_rule.items() if n)


CHARACTER_RULES = (FORBIDDEN_CHARACTER, WHITESPACE_PADDING, FORMULA_PREFIX, NOT_NFC)


# Pieces of a pattern that can match only printable ASCII other than space: literals, escaped dots
# and hyphens, classes of printable characters (no negation, escapes or nesting), quantifiers, groups.
PRINTABLE_PATTERN = re.compile(
    r"\^?(?:[A-Za-z0-9_-]|\\[.-]|\[[!-Z_-~]+\]|\{[0-9]+(?:,[0-9]*)?\}|[*+?|)]|\((?:\?:)?)*\$?"
)


def _printable_only(pattern: str | None) -> bool:
    return pattern is not None and PRINTABLE_PATTERN.fullmatch(pattern) is not None


def _suspicious_characters(col: str) -> str:
    """One regex that every cell breaking a character rule matches; NFC is confirmed only after it."""
    return f"regexp_matches({col}, '^{WHITESPACE}|{WHITESPACE}$|{FORMULA_START}|{FORBIDDEN}|[{NFC_SUSPECTS}]')"


def _cell_finding(ctx: Context, table: Table, name: str, rule: Rule, line: int, value: str) -> Finding:
    c = table.field(name).constraints
    params: dict[str, Any] = {}
    if rule is PATTERN_MISMATCH:
        params["pattern"] = c["pattern"]
    elif rule in (TOO_LONG, TOO_SHORT):
        params = {"length": len(value), "limit": c["maxLength" if rule is TOO_LONG else "minLength"]}
    elif rule in (VALUE_TOO_SMALL, VALUE_TOO_LARGE):
        params["limit"] = c["minimum" if rule is VALUE_TOO_SMALL else "maximum"]
    elif rule in (FORBIDDEN_CHARACTER, FORMULA_PREFIX):
        bad = value[0] if rule is FORMULA_PREFIX else next(ch for ch in value if is_forbidden(ch))
        params["character"] = f"U+{ord(bad):04X}" if rule is FORBIDDEN_CHARACTER else repr(bad)
    return ctx.finding(rule, table.name, line, name, value, **params)
