"""Checks of dates: EDTF values, precision and basis agreeing with the date, release after detention."""

import datetime
import threading
from collections.abc import Iterator
from pathlib import Path

from .. import edtf_dates
from . import verdicts
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

Bounds = tuple[datetime.date, datetime.date]  # the earliest and the latest day a date can be


def date_bounds(ctx: Context, table: str, name: str) -> dict[str, Bounds | str]:
    """Distinct EDTF values of a field -> (earliest, latest) days, or the reason they are invalid.

    Only values that fit the field's pattern: the others are reported as pattern-mismatch already, and the
    EDTF parser must not meet them, as its time grows faster than their length.
    """
    pattern = ctx.package.tables[table].field(name).constraints.get("pattern")
    return _judged(ctx.distinct(table, name, pattern))


# Dates judged in earlier runs, by the same code and parser: edtf's general parser takes long to import and
# milliseconds a value, for the same few dates run after run. A package with more distinct dates than this is
# large enough that judging them is a small part of checking it, and they are not written down.
DATES_REMEMBERED = 10_000
_remembered: dict[str, Bounds | str] = {}
_remembering = threading.Lock()


def _judged(values: list[str]) -> dict[str, Bounds | str]:
    """Each value's (earliest, latest) days, or why it is invalid."""
    with _remembering:
        place = verdicts.entry("dates", None, ("edtf",), (edtf_dates,))
        if not _remembered:
            _remembered.update(_read(place))
        new = {value: _judge(value) for value in values if value not in _remembered}
        if new:
            _remembered.update(new)
            if len(_remembered) <= DATES_REMEMBERED:
                verdicts.write(place, {value: _stored(verdict) for value, verdict in _remembered.items()})
        return {value: _remembered[value] for value in values}


def _judge(value: str) -> Bounds | str:
    try:
        return edtf_dates.bounds(value)
    except edtf_dates.EdtfError as error:
        return str(error)


def _stored(verdict: Bounds | str) -> list[str] | str:
    return verdict if isinstance(verdict, str) else [day.isoformat() for day in verdict]


def _read(place: Path) -> dict[str, Bounds | str]:
    """The verdicts kept there, or none if anything in them is not one azru wrote."""
    known = verdicts.read(place)
    try:
        return {value: _restored(verdict) for value, verdict in known.items() if isinstance(value, str)}
    except (AttributeError, TypeError, ValueError):
        return {}


def _restored(stored: list[str] | str) -> Bounds | str:
    if isinstance(stored, str):
        return stored
    earliest, latest = stored
    return datetime.date.fromisoformat(earliest), datetime.date.fromisoformat(latest)


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
        import pyarrow as pa  # only bad dates come here

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
