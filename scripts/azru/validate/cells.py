"""The cell rules (required, type, range, pattern, length, characters) compiled to one SQL scan per table.

The WHERE clause keeps only rows with a bad cell, so the per-rule flags are computed for those alone;
past ROWS_LISTED of them, the rest are counted in one aggregate scan.
"""

import re
from collections.abc import Iterator
from typing import Any

from ..package import Table
from ..text import FORBIDDEN, NFC_SUSPECTS, is_forbidden
from .context import ROWS_LISTED, Context
from .rules import Finding, More
from .sql import LINE_COLUMN, WHITESPACE, literal, sql_name

FORMULA_CHARACTERS = "=+-@"
FORMULA_START = "^[" + FORMULA_CHARACTERS.replace("-", r"\-") + "]"


def _cell_conditions(table: Table, name: str) -> dict[str, str]:
    """Rule code -> SQL condition that is true for a bad non-empty cell of this field."""
    spec = table.field(name)
    col, c = sql_name(name), spec.constraints
    conditions: dict[str, str] = {}
    if spec.type == "integer":
        conditions["type-integer"] = f"NOT regexp_full_match({col}, '[+-]?[0-9]{{1,18}}')"
        number = f"TRY_CAST({col} AS BIGINT)"
        if "minimum" in c:
            conditions["value-too-small"] = f"{number} < {int(c['minimum'])}"
        if "maximum" in c:
            conditions["value-too-large"] = f"{number} > {int(c['maximum'])}"
    elif spec.type == "boolean":
        allowed = [*spec.spec.get("trueValues", ["true"]), *spec.spec.get("falseValues", ["false"])]
        conditions["type-boolean"] = f"{col} NOT IN ({', '.join(literal(v) for v in allowed)})"
    else:
        conditions["forbidden-character"] = f"regexp_matches({col}, '{FORBIDDEN}')"
        conditions["whitespace-padding"] = f"regexp_matches({col}, '^{WHITESPACE}|{WHITESPACE}$')"
        conditions["formula-prefix"] = _starts_like_a_formula(col)
        conditions["not-nfc"] = f"nfc_normalize({col}) <> {col}"
        if "pattern" in c:
            conditions["pattern-mismatch"] = f"NOT regexp_full_match({col}, {literal(c['pattern'])})"
        if "maxLength" in c:
            conditions["too-long"] = f"length({col}) > {int(c['maxLength'])}"
        if "minLength" in c:
            conditions["too-short"] = f"length({col}) < {int(c['minLength'])}"
    return conditions


def _starts_like_a_formula(col: str) -> str:
    """Range comparisons, which DuckDB answers from each string's inline prefix, without a regex."""
    return " OR ".join(f"({col} >= '{c}' AND {col} < '{chr(ord(c) + 1)}')" for c in FORMULA_CHARACTERS)


def findings(ctx: Context, table: Table) -> Iterator[Finding | More]:
    """Every cell rule over a table just loaded, in one scan of it."""
    conditions = {spec.name: _cell_conditions(table, spec.name) for spec in table.fields}
    selected, bad = [], []
    for spec in table.fields:
        col, rules = sql_name(spec.name), conditions[spec.name]
        selected += [col, *(f"({sql})" for sql in rules.values())]
        if spec.required:
            bad.append(f"{col} IS NULL")
        bad += [sql for code, sql in rules.items() if code not in CHARACTER_RULES]
        character = [sql for code, sql in rules.items() if code in CHARACTER_RULES]
        if character and _printable_only(spec.constraints.get("pattern")):
            # a value that fits the pattern can break only the formula rule; one that does not is
            # selected by pattern-mismatch and judged on every rule
            bad.append(_starts_like_a_formula(col))
        elif character:  # one regex keeps NFC and friends off clean cells
            bad.append(f"{_suspicious_characters(col)} AND ({' OR '.join(character)})")
    where = " OR ".join(f"({sql})" for sql in bad) or "false"
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
                    yield ctx.finding("required-missing", table.name, line, spec.name)
                continue
            for code, flagged in zip(conditions[spec.name], flags, strict=True):
                if flagged:
                    yield _cell_finding(ctx, table, spec.name, code, line, value)


def _uncounted(ctx: Context, table: Table, conditions: dict[str, dict[str, str]], last_listed: int) -> Iterator[More]:
    """How many findings of each code the rows after the listed ones hold, in one aggregate scan."""
    counted: list[tuple[str, str]] = []
    for spec in table.fields:
        col = sql_name(spec.name)
        if spec.required:
            counted.append(("required-missing", f"{col} IS NULL"))
        counted += [(code, f"{col} IS NOT NULL AND ({sql})") for code, sql in conditions[spec.name].items()]
    totals = ", ".join(f"count(*) FILTER (WHERE {sql})" for _, sql in counted)
    ((*counts,),) = ctx.rows(f"SELECT {totals} FROM {sql_name(table.name)} WHERE {LINE_COLUMN} > {last_listed}")
    per_code: dict[str, int] = {}
    for (code, _), n in zip(counted, counts, strict=True):
        per_code[code] = per_code.get(code, 0) + n
    yield from (More(code, n) for code, n in per_code.items() if n)


CHARACTER_RULES = ("forbidden-character", "whitespace-padding", "formula-prefix", "not-nfc")


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


def _cell_finding(ctx: Context, table: Table, name: str, code: str, line: int, value: str) -> Finding:
    c = table.field(name).constraints
    params: dict[str, Any] = {}
    if code == "pattern-mismatch":
        params["pattern"] = c["pattern"]
    elif code in ("too-long", "too-short"):
        params = {"length": len(value), "limit": c["maxLength" if code == "too-long" else "minLength"]}
    elif code in ("value-too-small", "value-too-large"):
        params["limit"] = c["minimum" if code == "value-too-small" else "maximum"]
    elif code in ("forbidden-character", "formula-prefix"):
        bad = value[0] if code == "formula-prefix" else next(ch for ch in value if is_forbidden(ch))
        params["character"] = f"U+{ord(bad):04X}" if code == "forbidden-character" else repr(bad)
    return ctx.finding(code, table.name, line, name, value, **params)
