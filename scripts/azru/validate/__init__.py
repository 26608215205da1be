"""The validator: every rule of the catalogue (rules.py) over a package, all findings in one run.

This module runs the stages in order: the descriptor (descriptor.py, trusted.py), then each table file
opened through azru.guarded, scanned and loaded into DuckDB (scan.py, tokenizer.py, load.py) with its
cells checked (cells.py), then the package-level checks (keys.py, dates.py, semantics.py, coordinates.py) and the
provenance of quotes in the archive (provenance.py).
"""

import contextlib
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

import duckdb

from .. import domain, guarded
from ..package import DESCRIPTOR, Package, Table
from . import cells, coordinates, dates, descriptor, detentions, keys, load, provenance, semantics, trusted
from .context import Check, Context, unread
from .report import DEFAULT_LIMIT, Report, Tally, render
from .rules import (
    DESCRIPTOR_MISSING,
    DESCRIPTOR_NOT_TRUSTED,
    FILE_NOT_REGULAR,
    FILE_TOO_LARGE,
    RESOURCE_FILE_MISSING,
    RESOURCE_PATH_UNSAFE,
    Finding,
    InternalError,
    More,
    Stage,
)
from .scan import looks_plain

__all__ = ["DEFAULT_LIMIT", "Report", "render", "validate"]

# In the order they start, two at a time; provenance last, as it waits for the archive's texts.
CHECKS: tuple[Check, ...] = (
    keys.uniqueness,
    keys.code_case,
    keys.foreign_keys,
    dates.edtf_values,
    dates.date_metadata,
    dates.release_order,
    semantics.languages,
    semantics.evidence,
    semantics.duplicate_claims,
    semantics.figures,
    detentions.cycles,
    detentions.subgroup_counts,
    detentions.count_basis,
    semantics.quote_length,
    semantics.translations,
    semantics.tombstones,
    coordinates.coordinates,
    keys.codelist_codes,
    provenance.provenance,
)

# In memory, spilling to a temporary folder past 600 MB so a million rows stay under 1 GiB; its blocks
# are allocated once and reused; no automatic checkpoint, which would compress each table again.
ENGINE: dict[str, str | int] = {
    "threads": 2,
    "memory_limit": "600MB",
    "block_allocator_memory": "600MB",
    "checkpoint_threshold": "1TB",
}

REFUSAL_RULES = {  # why azru.guarded refused a file -> the rule that says so
    "unsafe-path": RESOURCE_PATH_UNSAFE,
    "missing": RESOURCE_FILE_MISSING,
    "not-regular": FILE_NOT_REGULAR,
    "too-large": FILE_TOO_LARGE,
}

# The stages besides the checks, each with every rule it may report.
RULES_READ = Stage(
    "reading the descriptor",
    descriptor.EMITS | {DESCRIPTOR_MISSING, DESCRIPTOR_NOT_TRUSTED, FILE_NOT_REGULAR, FILE_TOO_LARGE},
)
TABLES_OPENED = Stage("opening the tables", frozenset(REFUSAL_RULES.values()))
TABLES_LOADED = Stage("loading the tables", load.EMITS)
CELLS_CHECKED = Stage("checking the cells", cells.EMITS)
STAGES: tuple[Stage, ...] = (RULES_READ, TABLES_OPENED, TABLES_LOADED, CELLS_CHECKED, *CHECKS)


def validate(root: Path, archive: Path | None = None, rules: trusted.Trusted | None = None) -> Report:
    """Every finding for the package at root, judged by the trusted rules when given."""
    tally = Tally()
    rules_in_force = yield_into(tally, rules_of(root, rules))
    if rules_in_force is None:
        return tally.report()
    package = Package(root, rules_in_force)
    with (
        contextlib.ExitStack() as stack,
        tempfile.TemporaryDirectory(prefix="azru-") as spill,
        duckdb.connect(config={**ENGINE, "temp_directory": spill}) as con,
    ):
        refused = list(descriptor.engine_problems(rules_in_force, con))
        tally.add(RULES_READ, refused)
        if refused:
            return tally.report()
        present = open_tables(package, tally, stack)
        check_tables(package, con, spill, present, archive, rules, tally)
    return tally.report()


def yield_into(tally: Tally, steps: Iterator[Finding | dict[str, Any]]) -> dict[str, Any] | None:
    """Collect a generator's findings; its last non-finding item is the usable descriptor, if any."""
    result = None
    for item in steps:
        if isinstance(item, Finding):
            tally.add(RULES_READ, [item])
        else:
            result = item
    return result


def rules_of(root: Path, rules: trusted.Trusted | None) -> Iterator[Finding | dict[str, Any]]:
    """Findings about datapackage.json; ends by yielding the descriptor whose rules apply: the trusted
    one when given (the package's own is then only compared with it), else the package's own."""
    try:
        proposed = descriptor.parse(guarded.read_bytes(root, DESCRIPTOR, guarded.MAX_DESCRIPTOR_BYTES))
    except guarded.Refused as refused:
        rule = DESCRIPTOR_MISSING if refused.reason == "missing" else REFUSAL_RULES[refused.reason]
        proposed = Finding(rule, DESCRIPTOR, value=DESCRIPTOR, params={"problem": str(refused)})
    if isinstance(proposed, Finding):
        yield proposed
    if rules is not None:
        if not isinstance(proposed, Finding):  # what the pull request proposes must be checkable too
            yield from descriptor.problems(proposed)
            yield from descriptor.changes(rules.descriptor, proposed)
        yield from descriptor.invariant_findings(rules.descriptor)
        yield rules.descriptor
        return
    yield Finding(DESCRIPTOR_NOT_TRUSTED, DESCRIPTOR)
    if isinstance(proposed, Finding):
        return
    problems = descriptor.problems(proposed)
    yield from problems
    if not problems:
        yield from descriptor.invariant_findings(proposed)
        yield proposed


def open_tables(package: Package, tally: Tally, stack: contextlib.ExitStack) -> dict[str, Path]:
    """Each table's file opened through azru.guarded and held open for the whole run, by the name the
    engines read it by; a file that is missing, a link, a FIFO or too large is a finding instead."""
    present = {}
    for table in package.tables.values():
        try:
            handle = stack.enter_context(guarded.opened(package.root, table.path, guarded.MAX_TABLE_BYTES))
        except guarded.Refused as refused:
            rule = REFUSAL_RULES[refused.reason]
            tally.add(TABLES_OPENED, [Finding(rule, DESCRIPTOR, value=table.path, params={"problem": str(refused)})])
            continue
        present[table.name] = Path(guarded.engine_path(handle))
    return present


def check_tables(
    package: Package,
    con: duckdb.DuckDBPyConnection,
    spill: str,
    paths: dict[str, Path],
    archive: Path | None,
    rules: trusted.Trusted | None,
    tally: Tally,
) -> None:
    with ThreadPoolExecutor(max_workers=1) as pool:
        # DuckDB may read the opened tables and spill to its folder, and nothing else (no extensions,
        # no other files, no URLs), whatever a query says
        con.execute("SET allowed_paths = ?", [[str(path) for path in paths.values()]])
        con.execute("SET allowed_directories = ?", [[spill]])
        con.execute("SET enable_external_access = false")
        ctx = Context(package, con, set(), archive, rules)
        # the tables with quotes go first, so the archive's texts can be checked and dropped early
        present = sorted(
            (table for table in package.tables.values() if table.name in paths),
            key=lambda table: table.name not in domain.VERBATIM_TABLES,
        )
        # the byte scans and then the archive's file work are plain Python, run beside DuckDB's loading
        # and checking, which free the GIL; DuckDB reads each file while its bytes are scanned
        signs = {table.name: pool.submit(looks_plain, paths[table.name]) for table in present}
        unchecked: list[Table] = []  # small tables loaded, their cells not checked yet
        for position, table in enumerate(present, start=1):
            small = load.is_small(paths[table.name])
            table_findings, ok = load.load_table(con, table, paths[table.name], signs[table.name], small)
            with engine_errors_are_bugs(f"loading {table.path}"):
                tally.add(TABLES_LOADED, table_findings)
            if ok:
                ctx.loaded.add(table.name)
                if small:
                    unchecked.append(table)
                else:  # the small ones first, so that cell findings come in the order of the tables
                    check_small_tables(ctx, unchecked, tally)
                    tally.add(CELLS_CHECKED, run_check(f"cells of {table.name}", partial(settle, ctx, table)))
            if ok and table.name == domain.SOURCES and archive is not None:
                ctx.archive_read = pool.submit(provenance.read_archive, ctx.apart())
            if (
                ctx.archive_read
                and not ctx.verbatim_read
                and domain.VERBATIM_TABLES.isdisjoint(later.name for later in present[position:])
            ):
                ctx.verbatim_read = pool.submit(provenance.check_verbatim, ctx.apart())
        check_small_tables(ctx, unchecked, tally)
        # two at a time, each on its own cursor: one's Python fills the other's gaps in DuckDB
        with ThreadPoolExecutor(max_workers=2) as checking:
            results = [checking.submit(run_check, check.name, partial(check.run, ctx.apart())) for check in CHECKS]
            for check, result in zip(CHECKS, results, strict=True):
                tally.add(check, result.result())


def check_small_tables(ctx: Context, tables: list[Table], tally: Tally) -> None:
    """The cell checks of small tables, asked together whether they have a bad cell; their fields are
    kept, as they take little memory. Empties the list."""
    if not tables:
        return
    with engine_errors_are_bugs("check cells of the small tables"):
        bad = cells.tables_with_bad_cells(ctx, tables)
    for table in tables:
        if table.name in bad:
            tally.add(CELLS_CHECKED, run_check(f"cells of {table.name}", partial(cells.findings, ctx, table)))
    tables.clear()


def settle(ctx: Context, table: Table) -> list[Finding | More]:
    """The cell checks of a table just loaded; then the fields no check reads are dropped."""
    found = list(cells.findings(ctx, table))
    load.drop_fields(ctx.con, table, unread(ctx.package, table, CHECKS))
    return found


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
