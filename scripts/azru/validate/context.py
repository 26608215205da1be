"""What every package-level check is given (the package, its loaded tables, a DuckDB cursor), the queries
checks share, and how a check declares the fields it reads and the rules it reports."""

import contextlib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import duckdb

from ..package import Field, Package, Table
from .rules import LISTED_PER_CODE, Finding, InternalError, More, Rule, Stage
from .sql import LINE_COLUMN, sql_name
from .trusted import Trusted

ROWS_LISTED = LISTED_PER_CODE  # rows of a query's result turned into findings; the rest are counted


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

    def has_fields(self, table: str, *names: str) -> bool:
        """Whether a table is loaded with these fields: a check reads a field only where the descriptor
        gives it, as a package without it has nothing there to check."""
        return table in self.loaded and all(name in self.package.tables[table].field_names for name in names)

    def known(self, table: str, name: str) -> str:
        """SQL true where a cell is empty or holds a value its foreign key finds (or the target is not loaded):
        a value it does not find is reported by the key checks, and judging it again would report it twice."""
        for local, target, key in self.package.tables[table].references():
            if local == name and self.has_fields(target, key):
                return f"({sql_name(name)} IS NULL OR {sql_name(name)} IN (SELECT {sql_name(key)} FROM {target}))"
        return "true"

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

    def nonempty(self, queries: list[str]) -> list[bool]:
        """Whether each query finds a row, asked in one round trip. A query on a small table costs more to
        plan than to run, and a valid package's checks find nothing: so a check that asks many asks first
        which find anything, and lists those alone."""
        if not queries:
            return []
        asked = " UNION ALL ".join(f"SELECT {number} WHERE EXISTS ({sql})" for number, sql in enumerate(queries))
        found = {number for (number,) in self.rows(asked)}
        return [number in found for number in range(len(queries))]

    def distinct(self, table: str, name: str, pattern: str | None = None) -> list[str]:
        """The distinct values of a field, only those that fit the pattern when one is given."""
        col = sql_name(name)
        fits = "" if pattern is None else f" AND regexp_full_match({col}, ?)"
        return [
            v
            for (v,) in self.rows(
                f"SELECT DISTINCT {col} FROM {sql_name(table)} WHERE {col} IS NOT NULL{fits}",
                None if pattern is None else [pattern],
            )
        ]

    def lines_with(self, table: str, name: str, values: list[str]) -> tuple[list[tuple[Any, ...]], int]:
        """(line, value) of the rows whose field holds one of `values`, listed as far as ROWS_LISTED."""
        if not values:
            return [], 0
        return self.listed(
            f"SELECT {LINE_COLUMN}, {sql_name(name)} FROM {sql_name(table)} WHERE {sql_name(name)} IN "
            f"(SELECT unnest(?)) ORDER BY {LINE_COLUMN}",
            [values],
        )

    def finding(
        self, rule: Rule, table: str, line: int | None, name: str | None, value: Any = None, /, **params: Any
    ) -> Finding:
        column = self.column(table, name) if name else None
        text = None if value is None else str(value)
        return Finding(
            rule,
            self.package.tables[table].path,
            line,
            column,
            name,
            text,
            {k: str(v) for k, v in params.items()},
        )


Run = Callable[[Context], Iterator[Finding | More]]


@dataclass(frozen=True)
class Check(Stage):
    """A package-level check, run once every table is loaded."""

    run: Run
    reads: frozenset[str]  # the fields it reads besides keys and references, in any table
    reads_where: Callable[[Field], bool] | None  # and the fields a domain fact of the descriptor marks


def check(
    *, reads: Iterable[str] = (), reads_where: Callable[[Field], bool] | None = None, emits: Iterable[Rule]
) -> Callable[[Run], Check]:
    """Make a function a check that reads these fields and reports these rules. Once a table's cells are
    checked, the fields no check reads are dropped (see unread); reporting another rule is a bug."""

    def make(function: Run) -> Check:
        return Check(function.__name__, frozenset(emits), function, frozenset(reads), reads_where)

    return make


def unread(package: Package, table: Table, checks: tuple[Check, ...]) -> list[str]:
    """The fields of a table that no check reads, which can be dropped once its cells are checked, so that
    less of a million rows spills past the memory limit to disk; a table keeps at least one field."""
    keys = {*table.primary_key, *(local for local, _, _ in table.references())}
    keys |= {spec.name for spec in table.fields if spec.constraints.get("unique")}
    for other in package.tables.values():
        keys |= {remote for _, target, remote in other.references() if target == table.name}
    read = keys.union(*(check.reads for check in checks))
    read |= {field.name for field in table.fields for check in checks if check.reads_where and check.reads_where(field)}
    names = [name for name in table.field_names if name not in read]
    return names[1:] if len(names) == len(table.field_names) else names  # DuckDB keeps a table's last column


def run_check(name: str, check: Callable[[], Iterable[Finding | More]]) -> list[Finding | More]:
    with engine_errors_are_bugs(f"check {name}"):
        return list(check())


@contextlib.contextmanager
def engine_errors_are_bugs(where: str) -> Iterator[None]:
    """The engine refusing the validator's own SQL is a bug in azru, whatever the package holds: the
    descriptor checks refuse every descriptor whose tables that SQL could not read."""
    try:
        yield
    except duckdb.Error as error:
        raise InternalError(f"{where}: {str(error).splitlines()[0]}") from error
