"""Package-level checks: small functions over the loaded tables, each yielding findings.

Every check runs column-wise in DuckDB (or on distinct values) so a million rows cost seconds, not
minutes; only the offending rows come back to Python.
"""

import hashlib
import re
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import duckdb
import langcodes
import pyarrow as pa

from . import domain, edtf_dates, files, guarded
from .files import LINE_COLUMN, sql_name
from .package import EDTF_FIELDS, Package, Table
from .rules import LISTED_PER_CODE, Finding, More, show
from .text import FORBIDDEN, NFC_SUSPECTS, is_forbidden, normalise_whitespace
from .trusted import Trusted

# Python's str.isspace() set, so SQL and Python collapse the same whitespace.
WHITESPACE = r"[\s\x{0B}\x{1C}-\x{1F}\x{85}\p{Z}]"
NOT_WHITESPACE = "[^" + WHITESPACE[1:]
FORMULA_CHARACTERS = "=+-@"
FORMULA_START = "^[" + FORMULA_CHARACTERS.replace("-", r"\-") + "]"
CLAIM_TARGETS = tuple(domain.EVIDENCED.values())
ROWS_LISTED = LISTED_PER_CODE  # rows of a query's result turned into findings; the rest are counted
# Characters a quote needs once its whitespace is collapsed. The shortest in data/claims.csv has 15
# (three Arabic words, "9 people were arrested"); below 10 a quote is a word or two that nearly any
# source contains, and one character (".") was shown to verify.
QUOTE_SHORTEST = 10


@dataclass
class Context:
    package: Package
    con: duckdb.DuckDBPyConnection
    loaded: set[str]
    archive: Path | None
    trusted: Trusted | None = None
    # provenance work started in a worker thread: the archive, then (once the tables are in) the quotes
    archive_read: Future[list[Finding | More]] | None = None
    verbatim_read: Future[list[Finding | More]] | None = None

    def apart(self) -> "Context":
        """This context on a DuckDB cursor of its own, for work in another thread."""
        return replace(self, con=self.con.cursor())

    def has(self, *tables: str) -> bool:
        return all(t in self.loaded for t in tables)

    def column(self, table: str, name: str) -> int:
        return self.package.tables[table].field_names.index(name) + 1

    def rows(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        return self.con.execute(sql, params or []).fetchall()

    def listed(self, sql: str, params: list[Any] | None = None) -> tuple[list[tuple[Any, ...]], int]:
        """The first ROWS_LISTED rows of a query, and how many more it has: a million bad rows cost a count."""
        rows = self.rows(f"{sql} LIMIT {ROWS_LISTED}", params)
        if len(rows) < ROWS_LISTED:
            return rows, 0
        ((total,),) = self.rows(f"SELECT count(*) FROM ({sql})", params)
        return rows, total - len(rows)

    def finding(
        self, code: str, table: str, line: int | None, name: str | None, value: Any = None, /, **params: Any
    ) -> Finding:
        column = self.column(table, name) if name else None
        text = None if value is None else str(value)
        return Finding(
            code,
            self.package.tables[table].path,
            line,
            column,
            name,
            text,
            {k: str(v) for k, v in params.items()},
        )


Check = Callable[[Context], Iterator[Finding | More]]


@dataclass(frozen=True)
class Registered:
    run: Check
    reads: frozenset[str]  # the fields it reads besides keys and references, in any table


CHECKS: list[Registered] = []


def check(*reads: str) -> Callable[[Check], Check]:
    """Register a package-level check with the fields it reads; settle() keeps no others."""

    def register(function: Check) -> Check:
        CHECKS.append(Registered(function, frozenset(reads)))
        return function

    return register


def settle(ctx: Context, table: Table) -> list[Finding | More]:
    """The cell checks of a table just loaded; then its fields that no package-level check reads are
    dropped, so that less of a million rows spills past the memory limit to disk (issue 4)."""
    found = list(cells(ctx, table))
    keys = {*table.primary_key, *(local for local, _, _ in table.references())}
    keys |= {spec.name for spec in table.fields if spec.constraints.get("unique")}
    for other in ctx.package.tables.values():
        keys |= {remote for _, target, remote in other.references() if target == table.name}
    read = keys.union(*(registered.reads for registered in CHECKS))
    unread = [name for name in table.field_names if name not in read]
    if len(unread) == len(table.field_names):  # DuckDB keeps a table's last column
        unread = unread[1:]
    files.drop_fields(ctx.con, table, unread)
    return found


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
        conditions["type-boolean"] = f"{col} NOT IN ({', '.join(_literal(v) for v in allowed)})"
    else:
        conditions["forbidden-character"] = f"regexp_matches({col}, '{FORBIDDEN}')"
        conditions["whitespace-padding"] = f"regexp_matches({col}, '^{WHITESPACE}|{WHITESPACE}$')"
        conditions["formula-prefix"] = _starts_like_a_formula(col)
        conditions["not-nfc"] = f"nfc_normalize({col}) <> {col}"
        if "pattern" in c:
            conditions["pattern-mismatch"] = f"NOT regexp_full_match({col}, {_literal(c['pattern'])})"
        if "maxLength" in c:
            conditions["too-long"] = f"length({col}) > {int(c['maxLength'])}"
        if "minLength" in c:
            conditions["too-short"] = f"length({col}) < {int(c['minLength'])}"
    return conditions


def _starts_like_a_formula(col: str) -> str:
    """Range comparisons, which DuckDB answers from each string's inline prefix, without a regex."""
    return " OR ".join(f"({col} >= '{c}' AND {col} < '{chr(ord(c) + 1)}')" for c in FORMULA_CHARACTERS)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def cells(ctx: Context, table: Table) -> Iterator[Finding | More]:
    """Required, type, range, pattern, length and character rules: one scan of the table.

    The WHERE clause keeps only rows with a bad cell, so the per-rule flags are computed for those alone.
    """
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


@check()
def uniqueness(ctx: Context) -> Iterator[Finding | More]:
    """Primary keys and `unique` fields: every repeat after the first, pointing at the first."""
    for table in ctx.package.tables.values():
        if table.name not in ctx.loaded:
            continue
        keys = set(table.primary_key) if len(table.primary_key) == 1 else set()
        for spec in table.fields:
            if spec.name not in keys and not spec.constraints.get("unique"):
                continue
            code = "primary-key-duplicate" if spec.name in keys else "unique-duplicate"
            col, source = sql_name(spec.name), sql_name(table.name)
            # counting first and listing lines only for repeated values halves the time at a million rows
            repeated = f"SELECT {col} FROM {source} WHERE {col} IS NOT NULL GROUP BY {col} HAVING count(*) > 1"
            rows, more = ctx.listed(
                f"SELECT {col}, list_slice(list({LINE_COLUMN} ORDER BY {LINE_COLUMN}), 1, {ROWS_LISTED}), count(*) "
                f"FROM {source} WHERE {col} IN ({repeated}) GROUP BY {col} ORDER BY min({LINE_COLUMN})"
            )
            for value, lines, count in rows:
                for line in lines[1:]:
                    yield ctx.finding(code, table.name, line, spec.name, value, other_line=lines[0])
                yield More(code, count - len(lines))
            if more:
                ((uncounted,),) = ctx.rows(
                    f"SELECT sum(n - 1) FROM (SELECT count(*) AS n FROM {source} WHERE {col} IS NOT NULL "
                    f"GROUP BY {col} HAVING n > 1 ORDER BY min({LINE_COLUMN}) OFFSET {ROWS_LISTED})"
                )
                yield More(code, int(uncounted))


@check()
def code_case(ctx: Context) -> Iterator[Finding]:
    """Codelist codes that differ only in case: each later spelling, pointing at the first.

    Exact repeats are primary-key-duplicate already, so each spelling counts once, at its first line.
    """
    for table in ctx.package.codelists:
        if table.name not in ctx.loaded or len(table.primary_key) != 1:
            continue
        col = sql_name(table.primary_key[0])
        spellings = (
            f"SELECT {col} AS code, min({LINE_COLUMN}) AS line FROM {sql_name(table.name)} "
            f"WHERE {col} IS NOT NULL GROUP BY {col}"
        )
        first = "OVER (PARTITION BY lower(code) ORDER BY line)"
        rows = ctx.rows(
            f"SELECT line, code, first_value(code) {first} AS first_code, first_value(line) {first} AS first_line "
            f"FROM ({spellings}) QUALIFY code <> first_code ORDER BY line"
        )
        for line, code, first_code, first_line in rows:
            yield ctx.finding(
                "code-case-duplicate",
                table.name,
                line,
                table.primary_key[0],
                code,
                other=show(first_code),
                other_line=first_line,
            )


@check()
def foreign_keys(ctx: Context) -> Iterator[Finding | More]:
    """Every reference resolves; references into codelists get their own code and hint.

    All references into one key are checked in one query, so its hash table is built once (five
    references into events.event_id: 0.43 s apart at a million events).
    """
    into: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for table in ctx.package.tables.values():
        for local, target, remote in table.references():
            if ctx.has(table.name, target):
                into.setdefault((target, remote), []).append((table.name, local))
    for (target, remote), sources in into.items():
        referring = " UNION ALL ".join(
            f"SELECT {_literal(table)}, {_literal(local)}, {LINE_COLUMN}, {sql_name(local)} AS value "
            f"FROM {sql_name(table)} WHERE {sql_name(local)} IS NOT NULL"
            for table, local in sources
        )
        key = sql_name(remote)
        keys = f"SELECT {key} FROM {sql_name(target)} WHERE {key} IS NOT NULL"
        rows, more = ctx.listed(f"SELECT * FROM ({referring}) WHERE value NOT IN ({keys}) ORDER BY 1, 3")
        code = "code-not-in-codelist" if ctx.package.tables[target].is_codelist else "foreign-key-dangling"
        for table, local, line, value in rows:
            yield ctx.finding(code, table, line, local, value, target=target, target_field=remote)
        yield More(code, more)


def _distinct(ctx: Context, table: str, name: str, pattern: str | None = None) -> list[str]:
    """The distinct values of a field, only those that fit the pattern when one is given."""
    col = sql_name(name)
    fits = "" if pattern is None else f" AND regexp_full_match({col}, ?)"
    return [
        v
        for (v,) in ctx.rows(
            f"SELECT DISTINCT {col} FROM {sql_name(table)} WHERE {col} IS NOT NULL{fits}",
            None if pattern is None else [pattern],
        )
    ]


def _lines_with(ctx: Context, table: str, name: str, values: list[str]) -> tuple[list[tuple[Any, ...]], int]:
    """(line, value) of the rows whose field holds one of `values`, listed as far as ROWS_LISTED."""
    if not values:
        return [], 0
    return ctx.listed(
        f"SELECT {LINE_COLUMN}, {sql_name(name)} FROM {sql_name(table)} WHERE {sql_name(name)} IN "
        f"(SELECT unnest(?)) ORDER BY {LINE_COLUMN}",
        [values],
    )


def date_bounds(ctx: Context, table: str, name: str) -> dict[str, tuple[Any, Any] | str]:
    """Distinct EDTF values of a field -> (earliest, latest) days, or the reason they are invalid.

    Only values that fit the field's pattern: the others are reported as pattern-mismatch already, and the
    EDTF parser must not meet them, as its time grows faster than their length (one 10 KB cell: 87 s).
    """
    spec = ctx.package.tables[table]
    # a field the descriptor lacks is left to the query, whose error run_check reports
    pattern = spec.field(name).constraints.get("pattern") if name in spec.field_names else None
    out: dict[str, tuple[Any, Any] | str] = {}
    for value in _distinct(ctx, table, name, pattern):
        try:
            out[value] = edtf_dates.bounds(value)
        except edtf_dates.EdtfError as error:
            out[value] = str(error)
    return out


@check(*EDTF_FIELDS)
def edtf_values(ctx: Context) -> Iterator[Finding | More]:
    for table in ctx.package.tables.values():
        for name in EDTF_FIELDS:
            if table.name not in ctx.loaded or name not in table.field_names:
                continue
            invalid = {v: r for v, r in date_bounds(ctx, table.name, name).items() if isinstance(r, str)}
            rows, more = _lines_with(ctx, table.name, name, list(invalid))
            yield More("edtf-invalid", more)
            for line, value in rows:
                reason = invalid[value]
                if reason == "reversed":
                    yield ctx.finding("edtf-interval-reversed", table.name, line, name, value)
                else:
                    yield ctx.finding("edtf-invalid", table.name, line, name, value, error=reason)


@check("date", "date_precision", "date_basis", "date_note")
def date_metadata(ctx: Context) -> Iterator[Finding | More]:
    """date_precision and date_basis agree with the date; inferred dates carry a note.

    Judged once per distinct combination; only rows with a bad combination are fetched.
    """
    for table in ctx.package.tables.values():
        if table.name not in ctx.loaded or "date_precision" not in table.field_names:
            continue
        columns = "date, date_precision, date_basis, date_note IS NULL"
        combinations = ctx.rows(f"SELECT DISTINCT {columns} FROM {sql_name(table.name)}")
        bad = [c for c in combinations if next(_date_metadata_findings(ctx, table.name, 0, *c), None)]
        if not bad:
            continue
        names = ["date", "date_precision", "date_basis", "note_missing"]
        ctx.con.register("bad_dates", pa.table({n: [c[i] for c in bad] for i, n in enumerate(names)}))
        same = (
            " AND ".join(f"t.{n} IS NOT DISTINCT FROM b.{n}" for n in names[:3])
            + " AND (t.date_note IS NULL) = b.note_missing"
        )
        rows, more = ctx.listed(
            f"SELECT t.{LINE_COLUMN}, t.date, t.date_precision, t.date_basis, t.date_note IS NULL "
            f"FROM {sql_name(table.name)} t JOIN bad_dates b ON {same} ORDER BY t.{LINE_COLUMN}"
        )
        ctx.con.unregister("bad_dates")
        for line, *combination in rows:
            yield from _date_metadata_findings(ctx, table.name, line, *combination)
        yield More("date-precision-mismatch", more)


def _date_metadata_findings(
    ctx: Context,
    table: str,
    line: int,
    date: str | None,
    precision: str | None,
    basis: str | None,
    note_missing: bool,
) -> Iterator[Finding | More]:
    if precision is not None:
        expected = _expected_precision(date, precision)
        if expected:
            yield ctx.finding(
                "date-precision-mismatch",
                table,
                line,
                "date_precision",
                precision,
                date=date or "(empty)",
                expected=expected,
            )
    if basis is not None and (date is None) != (basis == "unknown"):
        expected = "an empty date has date_basis unknown" if date is None else "a date needs its basis"
        yield ctx.finding(
            "date-basis-mismatch", table, line, "date_basis", basis, date=date or "(empty)", expected=expected
        )
    if basis is not None and basis.startswith("inferred") and note_missing:
        yield ctx.finding("date-note-missing", table, line, "date_note", basis)


def _expected_precision(date: str | None, precision: str) -> str | None:
    """What the precision should be, in words, or None when it fits."""
    if date is None:
        return None if precision == "unknown" else "an empty date has date_precision unknown"
    if precision == "unknown":
        return "a date that is given has a precision other than unknown"
    implied = edtf_dates.precision(date)
    return None if implied in (None, precision) else f"date {date} has precision {implied}"


@check("date", "release_date")
def release_order(ctx: Context) -> Iterator[Finding | More]:
    if not ctx.has("detentions"):
        return
    held = date_bounds(ctx, "detentions", "date")
    released = date_bounds(ctx, "detentions", "release_date")
    rows = ctx.rows(
        f"SELECT {LINE_COLUMN}, date, release_date FROM detentions WHERE date IS NOT NULL AND "
        f"release_date IS NOT NULL ORDER BY {LINE_COLUMN}"
    )
    for line, date, release in rows:
        start, end = held.get(date), released.get(release)
        if isinstance(start, tuple) and isinstance(end, tuple) and end[1] < start[0]:
            yield ctx.finding("release-before-detention", "detentions", line, "release_date", release, date=date)


@check("language")
def languages(ctx: Context) -> Iterator[Finding | More]:
    for table in ("sources", "actor_names"):
        if not ctx.has(table):
            continue
        bad = [v for v in _distinct(ctx, table, "language") if not langcodes.tag_is_valid(v)]
        rows, more = _lines_with(ctx, table, "language", bad)
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
        if not ctx.has(table):
            continue
        rows, more = ctx.listed(
            f"SELECT {LINE_COLUMN}, {low}, {high} FROM {sql_name(table)} "
            f"WHERE TRY_CAST({low} AS BIGINT) > TRY_CAST({high} AS BIGINT) ORDER BY {LINE_COLUMN}"
        )
        yield More("figure-range-inverted", more)
        for line, lo, hi in rows:
            yield ctx.finding("figure-range-inverted", table, line, low, lo, other_field=high, other=hi)
    if ctx.has("claims"):
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
    if not ctx.has("claims"):
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
    if not ctx.has("claims", "sources"):
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
    if not ctx.has("tombstones"):
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


@check()
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
        yield More("codelist-code-added", more)
        for line, code in rows:
            yield ctx.finding("codelist-code-added", table.name, line, key, code, table=table.name)


ARCHIVE_BATCH = 2000  # source texts held in Python at once; the rest wait in DuckDB, which can spill
ARCHIVE_TEXTS = '"archive:texts"'  # a name no resource can have


@check("source_id", "file_name", "sha256", "bytes", "quote", "name")
def provenance(ctx: Context) -> Iterator[Finding | More]:
    """Archived files match their hash and size; quotes and names are verbatim in them."""
    if ctx.archive_read is None or ctx.verbatim_read is None:  # no archive, or no sources table to read it by
        yield Finding("quotes-not-verified")
        return
    yield from ctx.archive_read.result()
    yield from ctx.verbatim_read.result()


def read_archive(ctx: Context) -> list[Finding | More]:
    """Hash, size and UTF-8 of every archived source; their texts go to DuckDB as they are.

    Run in a thread (on ctx.apart()) while the main one loads other tables: the file work is plain
    Python that the DuckDB queries leave room for. A file_name is a plain name in the archive folder,
    whatever the descriptor's pattern says, and is read through azru.guarded.
    """
    assert ctx.archive is not None
    con = ctx.con
    rows = con.execute(
        f"SELECT {LINE_COLUMN}, source_id, file_name, sha256, bytes FROM sources "
        f"WHERE source_id IS NOT NULL AND file_name IS NOT NULL ORDER BY {LINE_COLUMN}"
    ).fetchall()
    con.execute(f"CREATE OR REPLACE TABLE {ARCHIVE_TEXTS} (source_id VARCHAR, text VARCHAR)").fetchall()
    found: list[Finding | More] = []
    batch: dict[str, str] = {}
    for line, source_id, file_name, sha256, size in rows:
        try:
            if "/" in file_name:
                raise guarded.Refused("unsafe-path", "a file name, not a path")
            data = guarded.read_bytes(ctx.archive, file_name, guarded.MAX_SOURCE_BYTES)
        except guarded.Refused as refused:
            code, params = "archive-file-refused", {"problem": str(refused)}
            if refused.reason == "missing":
                code, params = "archive-file-missing", {"archive": str(ctx.archive)}
            found.append(ctx.finding(code, "sources", line, "file_name", file_name, **params))
            continue
        found += _file_findings(ctx, line, file_name, sha256, size, data)
        try:
            batch[source_id] = data.decode("utf-8")
        except UnicodeDecodeError as error:
            found.append(ctx.finding("source-unreadable", "sources", line, "file_name", file_name, error=error.reason))
        if len(batch) >= ARCHIVE_BATCH:
            _store_texts(con, batch)
    _store_texts(con, batch)
    return found


def _file_findings(
    ctx: Context, line: int, file_name: str, sha256: str | None, size: str | None, data: bytes
) -> Iterator[Finding | More]:
    actual = hashlib.sha256(data).hexdigest()
    if sha256 is not None and actual != sha256:
        yield ctx.finding("source-hash-mismatch", "sources", line, "sha256", sha256, file_name=file_name, actual=actual)
    if size is not None and str(len(data)) != size:
        yield ctx.finding(
            "source-bytes-mismatch", "sources", line, "bytes", size, file_name=file_name, actual=len(data)
        )


def _store_texts(con: duckdb.DuckDBPyConnection, batch: dict[str, str]) -> None:
    frame = pa.table(
        {"source_id": pa.array(list(batch), pa.string()), "text": pa.array(list(batch.values()), pa.string())}
    )
    con.register("text_batch", frame)
    con.execute(f"INSERT INTO {ARCHIVE_TEXTS} SELECT * FROM text_batch").fetchall()
    con.unregister("text_batch")
    batch.clear()


def check_verbatim(ctx: Context) -> list[Finding | More]:
    """Quotes and names against the archived texts that read_archive stored, which it then drops."""
    found = list(_verbatim(ctx))
    ctx.con.execute(f"DROP TABLE {ARCHIVE_TEXTS}").fetchall()
    return found


def _verbatim(ctx: Context) -> Iterator[Finding | More]:
    """A quote is verbatim when it, or it with its whitespace collapsed, is in the source with its
    whitespace collapsed. A quote found in the text as it stands is (its words are consecutive there
    too), so the text is collapsed only for the few that are not: collapsing every text in Python
    cost 0.7 s at a million events."""
    collapsed_text = f"trim(regexp_replace(s.text, '{WHITESPACE}+', ' ', 'g'))"
    for table, name, code in [("claims", "quote", "quote-not-verbatim"), ("actor_names", "name", "name-not-in-source")]:
        if not ctx.has(table):
            continue
        # trim, so padding is reported once, as padding
        collapsed = f"trim(regexp_replace(c.{name}, '{WHITESPACE}+', ' ', 'g'))"
        rows, more = ctx.listed(
            f"SELECT c.{LINE_COLUMN}, c.{name}, c.source_id FROM {table} c JOIN {ARCHIVE_TEXTS} s "
            f"USING (source_id) WHERE c.{name} IS NOT NULL AND NOT {_contains('s.text', 'c.' + name)} "
            f"AND NOT contains({collapsed_text}, c.{name}) AND NOT contains({collapsed_text}, {collapsed}) "
            f"ORDER BY c.{LINE_COLUMN}"
        )
        yield More(code, more)
        collapsed_texts: dict[str, str] = {}
        for line, value, source_id in rows:
            params = {"source": source_id}
            if code == "quote-not-verbatim":
                if source_id not in collapsed_texts:
                    ((text,),) = ctx.rows(f"SELECT text FROM {ARCHIVE_TEXTS} WHERE source_id = ?", [source_id])
                    collapsed_texts[source_id] = normalise_whitespace(text)
                params |= _divergence(normalise_whitespace(value), collapsed_texts[source_id])
            yield ctx.finding(code, table, line, name, value, **params)


def _contains(text: str, part: str) -> str:
    """contains(), by LIKE when the part has no wildcard: DuckDB's LIKE finds it sooner (1.0 s against
    1.2 s for 1.4M quotes at a million events)."""
    return (
        f"CASE WHEN contains({part}, '%') OR contains({part}, '_') THEN contains({text}, {part}) "
        f"ELSE {text} LIKE '%' || {part} || '%' END"
    )


def _divergence(quote: str, text: str) -> dict[str, str]:
    """How far the quote matches the source before it departs, to show the contributor where."""
    low, high = 0, len(quote)
    while low < high:
        middle = (low + high + 1) // 2
        if quote[:middle] in text:
            low = middle
        else:
            high = middle - 1
    context = f"then {quote[low : low + 20]!r}" if low else "not even its first character"
    return {"matched": str(low), "context": context}
