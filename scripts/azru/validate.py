"""`azru validate`: every rule in azru.rules, over the descriptor, the files, the cells, the keys,
the semantics and (with an archive) the provenance of a package. Finds everything in one run."""

import argparse
import contextlib
import json
import os
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import duckdb

from . import checks, descriptor, domain, exits, files, guarded, trusted
from .package import DESCRIPTOR, Package
from .rules import LISTED_PER_CODE, RULES, Finding, More

DEFAULT_LIMIT = 20

KEPT_PER_CODE = LISTED_PER_CODE  # findings of one code kept for the report; the rest are only counted


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("package", nargs="?", default=".", help="package folder (default: .)")
    parser.add_argument(
        "--archive",
        default=os.environ.get("AZRU_ARCHIVE") or None,
        help="folder of archived source documents (default: $AZRU_ARCHIVE)",
    )
    parser.add_argument(
        "--trusted",
        metavar="PATH_OR_GIT_REF",
        help="take the rules from this trusted copy (a package folder, its datapackage.json, or a git revision "
        "such as origin/main) and report every way the package's own datapackage.json differs from it",
    )
    parser.add_argument("--format", choices=("text", "json", "github"), default="text")
    parser.add_argument(
        "--max-per-code",
        type=int,
        default=DEFAULT_LIMIT,
        metavar="N",
        help=f"show at most N findings of each code, 0 for all (default {DEFAULT_LIMIT})",
    )


def run(args: argparse.Namespace) -> int:
    root = Path(args.package)
    archive = Path(args.archive) if args.archive else None
    if not root.is_dir():
        print(f"azru validate: {root} is not a folder", file=sys.stderr)
        return exits.USAGE
    if archive is not None and not archive.is_dir():
        print(f"azru validate: archive {archive} is not a folder", file=sys.stderr)
        return exits.USAGE
    try:
        rules = trusted.load(args.trusted, root) if args.trusted else None
    except trusted.TrustError as error:
        print(f"azru validate: {error}", file=sys.stderr)
        return exits.USAGE
    report = validate(root, archive, rules)
    print(render(report, args.format, args.max_per_code))
    return exits.INVALID if report.invalid else exits.OK


@dataclass
class Report:
    findings: list[Finding]  # in a stable order, at most KEPT_PER_CODE of each code
    counts: Counter[str]  # of every finding, kept or not

    @property
    def invalid(self) -> bool:
        return any(RULES[code].level == "error" for code in self.counts)


class Tally:
    """Findings as checks yield them, in any thread: the first KEPT_PER_CODE of each code, and counts."""

    def __init__(self) -> None:
        self.kept: list[Finding] = []
        self.counts: Counter[str] = Counter()
        self.kept_counts: Counter[str] = Counter()
        self.lock = threading.Lock()

    def add(self, items: Iterable[Finding | More]) -> None:
        for item in items:
            with self.lock:
                if isinstance(item, More):
                    if item.count > 0:
                        self.counts[item.code] += item.count
                    continue
                self.counts[item.code] += 1
                if self.kept_counts[item.code] < KEPT_PER_CODE:
                    self.kept_counts[item.code] += 1
                    self.kept.append(item)

    def report(self) -> Report:
        return Report(sorted(self.kept, key=_order), self.counts)


def validate(root: Path, archive: Path | None = None, rules: trusted.Trusted | None = None) -> Report:
    """Every finding for the package at root, judged by the trusted rules when given."""
    tally = Tally()
    descriptor = yield_into(tally, rules_of(root, rules))
    if descriptor is None:
        return tally.report()
    package = Package(root, descriptor)
    with contextlib.ExitStack() as stack:
        present = open_tables(package, tally, stack)
        check_tables(package, present, archive, rules, tally)
    return tally.report()


def open_tables(package: Package, tally: Tally, stack: contextlib.ExitStack) -> dict[str, Path]:
    """Each table's file opened through azru.guarded and held open for the whole run, by the name the
    engines read it by; a file that is missing, a link, a FIFO or too large is a finding instead."""
    present = {}
    for table in package.tables.values():
        try:
            handle = stack.enter_context(guarded.opened(package.root, table.path, guarded.MAX_TABLE_BYTES))
        except guarded.Refused as refused:
            code = REFUSED_CODES[refused.reason]
            tally.add([Finding(code, DESCRIPTOR, value=table.path, params={"problem": str(refused)})])
            continue
        present[table.name] = Path(guarded.engine_path(handle))
    return present


REFUSED_CODES = {
    "unsafe-path": "resource-path-unsafe",
    "missing": "resource-file-missing",
    "not-regular": "file-not-regular",
    "too-large": "file-too-large",
}


def check_tables(
    package: Package, paths: dict[str, Path], archive: Path | None, rules: trusted.Trusted | None, tally: Tally
) -> None:
    # in memory, spilling to a temporary folder past 600 MB so a million rows stay under 1 GiB; its
    # blocks are allocated once and reused; no automatic checkpoint, which would compress each table again
    config: dict[str, str | int] = {
        "threads": 2,
        "memory_limit": "600MB",
        "block_allocator_memory": "600MB",
        "checkpoint_threshold": "1TB",
    }
    with (
        tempfile.TemporaryDirectory(prefix="azru-") as spill,
        duckdb.connect(config={**config, "temp_directory": spill}) as con,
        ThreadPoolExecutor(max_workers=1) as pool,
    ):
        # DuckDB may read the opened tables and spill to its folder, and nothing else (no extensions,
        # no other files, no URLs), whatever a query says
        con.execute("SET allowed_paths = ?", [[str(path) for path in paths.values()]])
        con.execute("SET allowed_directories = ?", [[spill]])
        con.execute("SET enable_external_access = false")
        ctx = checks.Context(package, con, set(), archive, rules)
        # the tables with quotes go first, so the archive's texts can be checked and dropped early
        present = sorted(
            (table for table in package.tables.values() if table.name in paths),
            key=lambda table: table.name not in domain.VERBATIM_TABLES,
        )
        # the byte scans and then the archive's file work are plain Python, run beside DuckDB's loading
        # and checking, which free the GIL; DuckDB reads each file while its bytes are scanned
        signs = {table.name: pool.submit(files.looks_plain, paths[table.name]) for table in present}
        for position, table in enumerate(present, start=1):
            table_findings, ok = files.load_table(con, table, paths[table.name], signs[table.name])
            tally.add(table_findings)
            if ok:
                ctx.loaded.add(table.name)
                tally.add(run_check(f"cells of {table.name}", partial(checks.settle, ctx, table)))
            if ok and table.name == domain.SOURCES and archive is not None:
                ctx.archive_read = pool.submit(checks.read_archive, ctx.apart())
            if (
                ctx.archive_read
                and not ctx.verbatim_read
                and domain.VERBATIM_TABLES.isdisjoint(later.name for later in present[position:])
            ):
                ctx.verbatim_read = pool.submit(checks.check_verbatim, ctx.apart())
        # two at a time, each on its own cursor: one's Python fills the other's gaps in DuckDB
        with ThreadPoolExecutor(max_workers=2) as checking:
            results = [
                checking.submit(run_check, check.run.__name__, partial(check.run, ctx.apart()))
                for check in checks.CHECKS
            ]
            for result in results:
                tally.add(result.result())


def run_check(name: str, check: Callable[[], Iterable[Finding | More]]) -> list[Finding | More]:
    """A check whose SQL meets a table the descriptor reshaped reports that, instead of crashing."""
    try:
        return list(check())
    except duckdb.Error as error:
        first_line = str(error).splitlines()[0]
        where = f"check {name}"
        return [Finding("descriptor-not-conforming", DESCRIPTOR, params={"where": where, "error": first_line})]


def _order(f: Finding) -> tuple[str, int, int, str]:
    return (f.file or "", f.line or 0, f.column or 0, f.code)


def yield_into(tally: Tally, steps: Iterator[Finding | dict[str, Any]]) -> dict[str, Any] | None:
    """Collect a generator's findings; its last non-finding item is the usable descriptor, if any."""
    result = None
    for item in steps:
        if isinstance(item, Finding):
            tally.add([item])
        else:
            result = item
    return result


def rules_of(root: Path, rules: trusted.Trusted | None) -> Iterator[Finding | dict[str, Any]]:
    """Findings about datapackage.json; ends by yielding the descriptor whose rules apply: the trusted
    one when given (the package's own is then only compared with it), else the package's own."""
    try:
        proposed = descriptor.parse(guarded.read_bytes(root, DESCRIPTOR, guarded.MAX_DESCRIPTOR_BYTES))
    except guarded.Refused as refused:
        code = "descriptor-missing" if refused.reason == "missing" else REFUSED_CODES[refused.reason]
        proposed = Finding(code, DESCRIPTOR, value=DESCRIPTOR, params={"problem": str(refused)})
    if isinstance(proposed, Finding):
        yield proposed
    if rules is not None:
        if not isinstance(proposed, Finding):  # what the pull request proposes must be checkable too
            yield from descriptor.problems(proposed)
            yield from descriptor.changes(rules.descriptor, proposed)
        yield from descriptor.invariant_findings(rules.descriptor)
        yield rules.descriptor
        return
    yield Finding("descriptor-not-trusted", DESCRIPTOR)
    if isinstance(proposed, Finding):
        return
    problems = descriptor.problems(proposed)
    yield from problems
    if not problems:
        yield from descriptor.invariant_findings(proposed)
        yield proposed


def render(report: Report, fmt: str, limit: int) -> str:
    shown, hidden = _limit(report, limit)
    if fmt == "json":
        return json.dumps(
            {
                "valid": not report.invalid,
                "counts": dict(sorted(report.counts.items())),
                "not_shown": hidden,
                "findings": [f.as_dict() for f in shown],
            },
            ensure_ascii=False,
            indent=1,
        )
    if fmt == "github":
        return "\n".join(_github(f) for f in shown)
    lines = [_text(f) for f in shown]
    lines.append(summary(report, hidden))
    return "\n".join(lines)


def _limit(report: Report, limit: int) -> tuple[list[Finding], dict[str, int]]:
    """The findings to show, at most `limit` of a code (0: all kept), and how many of each are not."""
    seen: Counter[str] = Counter()
    shown = []
    for f in report.findings:
        seen[f.code] += 1
        if limit <= 0 or seen[f.code] <= limit:
            shown.append(f)
    shown_counts = Counter(f.code for f in shown)
    hidden = {code: n - shown_counts[code] for code, n in sorted(report.counts.items()) if n > shown_counts[code]}
    return shown, hidden


def _location(f: Finding) -> str:
    parts = [f.file or DESCRIPTOR, *(str(p) for p in (f.line, f.column) if p is not None)]
    return ":".join(parts)


def _text(f: Finding) -> str:
    return f"{_location(f)}: {f.code}: {f.message} (hint: {f.hint})"


def _github(f: Finding) -> str:
    kind = "error" if f.rule.level == "error" else "notice"
    props = [("file", f.file or DESCRIPTOR), ("line", f.line), ("col", f.column), ("title", f.code)]
    head = ",".join(f"{k}={_escape(str(v), True)}" for k, v in props if v is not None)
    return f"::{kind} {head}::{_escape(f'{f.message} (hint: {f.hint})', False)}"


def _escape(text: str, property_value: bool) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property_value else text


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def summary(report: Report, hidden: dict[str, int]) -> str:
    errors = Counter({code: n for code, n in report.counts.items() if RULES[code].level == "error"})
    notices = report.counts.total() - errors.total()
    if not errors:
        head = "valid" + (f" ({_count(notices, 'notice')})" if notices else "")
        return head
    files_hit = len({f.file for f in report.findings if f.rule.level == "error"})
    by_code = ", ".join(f"{code} {n}" for code, n in sorted(errors.items(), key=lambda item: (-item[1], item[0])))
    more = ", ".join(f"{n} more {code}" for code, n in hidden.items())
    text = f"invalid: {_count(errors.total(), 'error')} in {_count(files_hit, 'file')} ({by_code})"
    listed = f"--max-per-code 0 lists up to {KEPT_PER_CODE} of each"
    return text + (f"; not shown: {more} ({listed})" if more else "")
