"""The validator: every rule of the catalogue (rules.py) over a package, all findings in one run.

This module runs the stages in order: the descriptor (descriptor.py, trusted.py, its verdict remembered
by verdicts.py), then each table file opened through azru.guarded, scanned and loaded into DuckDB (tables.py,
scan.py, tokenizer.py, load.py) with its cells checked (cells.py), then the package-level checks (keys.py,
dates.py, semantics.py, detentions.py, coordinates.py) and the provenance of quotes in the archive
(provenance.py).
"""

import contextlib
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

import duckdb

from .. import guarded
from ..package import DESCRIPTOR, Package
from . import coordinates, dates, descriptor, detentions, keys, load, provenance, semantics, trusted
from .context import Check, Context, run_check
from .report import DEFAULT_LIMIT, Report, Tally, render
from .rules import (
    DESCRIPTOR_MISSING,
    DESCRIPTOR_NOT_TRUSTED,
    FILE_NOT_REGULAR,
    FILE_TOO_LARGE,
    RESOURCE_FILE_MISSING,
    RESOURCE_PATH_UNSAFE,
    Finding,
    Stage,
)
from .sql import literal
from .tables import CELLS_CHECKED, TABLES_LOADED, Tables

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

# In memory, spilling to a temporary folder past 600 MB so a million rows stay under 1 GiB; no automatic
# checkpoint, which would compress each table again.
ENGINE: dict[str, str | int] = {"threads": 2, "memory_limit": "600MB", "checkpoint_threshold": "1TB"}
# With a large table, the memory's blocks are allocated once and reused, which keeps the peak down; with
# small ones, queries of a few rows each, for which DuckDB's own threads cost more to wake than they save
# (the validator's threads run two at a time anyway), and the allocator more to fill than it saves.
FOR_LARGE_TABLES = {"block_allocator_memory": "600MB"}
FOR_SMALL_TABLES = {"threads": 1}

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
    # DuckDB may read the opened tables and spill to its folder, and nothing else (no extensions, no
    # other files, no URLs), whatever a query says
    con.execute("SET allowed_paths = ?", [[str(path) for path in paths.values()]])
    con.execute("SET allowed_directories = ?", [[spill]])
    con.execute("SET enable_external_access = false")
    for name, value in (FOR_SMALL_TABLES if all(map(load.is_small, paths.values())) else FOR_LARGE_TABLES).items():
        con.execute(f"SET {name} = {literal(str(value))}")
    ctx = Context(package, con, set(), archive, rules)
    with ThreadPoolExecutor(max_workers=1) as worker:
        Tables(ctx, paths, CHECKS, tally, worker).load()
        # two at a time, each on its own cursor: one's Python fills the other's gaps in DuckDB
        with ThreadPoolExecutor(max_workers=2) as checking:
            results = [checking.submit(run_check, check.name, partial(check.run, ctx.apart())) for check in CHECKS]
            for check, result in zip(CHECKS, results, strict=True):
                tally.add(check, result.result())
