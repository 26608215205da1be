"""Checks of dates: EDTF values, precision and basis agreeing with the date, release after detention."""

from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from .. import edtf_dates
from .context import Context, check
from .rules import (
    DATE_BASIS_MISMATCH,
    DATE_NOTE_MISSING,
    DATE_PRECISION_MISMATCH,
    EDTF_INTERVAL_REVERSED,
    EDTF_INVALID,
    RELEASE_BEFORE_DETENTION,
    Finding,
    More,
)
from .sql import LINE_COLUMN, sql_name


def date_bounds(ctx: Context, table: str, name: str) -> dict[str, tuple[Any, Any] | str]:
    """Distinct EDTF values of a field -> (earliest, latest) days, or the reason they are invalid.

    Only values that fit the field's pattern: the others are reported as pattern-mismatch already, and the
    EDTF parser must not meet them, as its time grows faster than their length.
    """
    pattern = ctx.package.tables[table].field(name).constraints.get("pattern")
    out: dict[str, tuple[Any, Any] | str] = {}
    for value in ctx.distinct(table, name, pattern):
        try:
            out[value] = edtf_dates.bounds(value)
        except edtf_dates.EdtfError as error:
            out[value] = str(error)
    return out


@check(reads_where=lambda field: field.is_edtf, emits=(EDTF_INVALID, EDTF_INTERVAL_REVERSED))
def edtf_values(ctx: Context) -> Iterator[Finding | More]:
    for table in ctx.package.tables.values():
        for name in (field.name for field in table.fields if field.is_edtf):
            if not ctx.has_fields(table.name, name):
                continue
            invalid = {v: r for v, r in date_bounds(ctx, table.name, name).items() if isinstance(r, str)}
            rows, more = ctx.lines_with(table.name, name, list(invalid))
            yield More(EDTF_INVALID, more)
            for line, value in rows:
                reason = invalid[value]
                if reason == "reversed":
                    yield ctx.finding(EDTF_INTERVAL_REVERSED, table.name, line, name, value)
                else:
                    yield ctx.finding(EDTF_INVALID, table.name, line, name, value, error=reason)


@check(
    reads=("date", "date_precision", "date_basis", "date_note"),
    emits=(DATE_PRECISION_MISMATCH, DATE_BASIS_MISMATCH, DATE_NOTE_MISSING),
)
def date_metadata(ctx: Context) -> Iterator[Finding | More]:
    """date_precision and date_basis agree with the date; inferred dates carry a note.

    Judged once per distinct combination; only rows with a bad combination are fetched.
    """
    for table in ctx.package.tables.values():
        if not ctx.has_fields(table.name, "date", "date_precision", "date_basis", "date_note"):
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
        yield More(DATE_PRECISION_MISMATCH, more)


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
                DATE_PRECISION_MISMATCH,
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
            DATE_BASIS_MISMATCH, table, line, "date_basis", basis, date=date or "(empty)", expected=expected
        )
    if basis is not None and basis.startswith("inferred") and note_missing:
        yield ctx.finding(DATE_NOTE_MISSING, table, line, "date_note", basis)


def _expected_precision(date: str | None, precision: str) -> str | None:
    """What the precision should be, in words, or None when it fits."""
    if date is None:
        return None if precision == "unknown" else "an empty date has date_precision unknown"
    if precision == "unknown":
        return "a date that is given has a precision other than unknown"
    implied = edtf_dates.precision(date)
    return None if implied in (None, precision) else f"date {date} has precision {implied}"


@check(reads=("date", "release_date"), emits=(RELEASE_BEFORE_DETENTION,))
def release_order(ctx: Context) -> Iterator[Finding | More]:
    if not ctx.has_fields("detentions", "date", "release_date"):
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
            yield ctx.finding(RELEASE_BEFORE_DETENTION, "detentions", line, "release_date", release, date=date)
