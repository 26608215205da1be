"""`azru validate`: every rule in azru.rules, over the descriptor, the files, the cells, the keys,
the semantics and (with an archive) the provenance of a package. Finds everything in one run."""

import argparse
import json
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any

import duckdb
import jsonschema

from . import checks, files
from .package import DESCRIPTOR, Package
from .rules import Finding

EXIT_VALID, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
DEFAULT_LIMIT = 20

# The shape azru itself relies on, beyond what the Data Package profile requires.
WEB_ADDRESS = {"type": "string", "pattern": r"^https?://\S+$"}
SHAPE = {
    "type": "object",
    "required": ["resources"],
    "properties": {
        # datasette and data portals make links of these: a web address, never javascript: or data:
        "homepage": WEB_ADDRESS,
        "licenses": {"type": "array", "items": {"type": "object", "properties": {"path": WEB_ADDRESS}}},
        "resources": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["name", "path", "schema"],
                "properties": {
                    "name": {"type": "string", "pattern": "^[a-z0-9_]+$"},
                    "path": {"type": "string"},
                    "schema": {
                        "type": "object",
                        "required": ["fields"],
                        "properties": {
                            "fields": {
                                "type": "array",
                                "minItems": 1,
                                "items": {
                                    "type": "object",
                                    "required": ["name"],
                                    "properties": {
                                        "name": {"type": "string", "pattern": "^[a-z0-9_]+$"},
                                        # the types whose cells azru checks and builds can store
                                        "type": {"enum": ["string", "integer", "boolean"]},
                                    },
                                    # the cell checks compare integers with these limits in SQL
                                    "if": {"properties": {"type": {"const": "integer"}}, "required": ["type"]},
                                    "then": {
                                        "properties": {
                                            "constraints": {
                                                "properties": {
                                                    "minimum": {"type": "integer"},
                                                    "maximum": {"type": "integer"},
                                                }
                                            }
                                        }
                                    },
                                },
                            },
                            "primaryKey": {"type": "array", "items": {"type": "string"}},
                        },
                    },
                },
            },
        },
    },
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("package", nargs="?", default=".", help="package folder (default: .)")
    parser.add_argument(
        "--archive",
        default=os.environ.get("AZRU_ARCHIVE") or None,
        help="folder of archived source documents (default: $AZRU_ARCHIVE)",
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
        return EXIT_USAGE
    if archive is not None and not archive.is_dir():
        print(f"azru validate: archive {archive} is not a folder", file=sys.stderr)
        return EXIT_USAGE
    found = validate(root, archive)
    print(render(found, args.format, args.max_per_code))
    return EXIT_INVALID if any(f.rule.level == "error" for f in found) else EXIT_VALID


def validate(root: Path, archive: Path | None = None) -> list[Finding]:
    """All findings for the package at root, in a stable order."""
    found: list[Finding] = []
    descriptor = yield_into(found, check_descriptor(root))
    if descriptor is None:
        return found
    package = Package(root, descriptor)
    # in memory, spilling to a temporary folder past 600 MB so a million rows stay under 1 GiB; its
    # blocks are allocated once and reused, not handed back to the system and faulted in again (0.35 s
    # less system time at 1M rows); no automatic checkpoint, which would compress each table again
    # (measured: 0.4 s per table at 1M rows)
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
        ctx = checks.Context(package, con, set(), archive)
        # the tables with quotes go first, so the archive's texts can be checked and dropped early
        present = sorted(
            (table for table in package.tables.values() if (root / table.path).is_file()),  # others: descriptor
            key=lambda table: table.name not in checks.PROVENANCE_TABLES,
        )
        # the byte scans and then the archive's file work are plain Python, run beside DuckDB's loading
        # and checking, which free the GIL; DuckDB reads each file while its bytes are scanned
        signs = {table.name: pool.submit(files.looks_plain, root / table.path) for table in present}
        for position, table in enumerate(present, start=1):
            table_findings, ok = files.load_table(con, table, root, signs[table.name])
            found += table_findings
            if ok:
                ctx.loaded.add(table.name)
                found += run_check(f"cells of {table.name}", partial(checks.settle, ctx, table))
            if ok and table.name == "sources" and archive is not None:
                ctx.archive_read = pool.submit(checks.read_archive, ctx.apart())
            if (
                ctx.archive_read
                and not ctx.verbatim_read
                and checks.PROVENANCE_TABLES.isdisjoint(later.name for later in present[position:])
            ):
                ctx.verbatim_read = pool.submit(checks.check_verbatim, ctx.apart())
        # two at a time, each on its own cursor: one's Python fills the other's gaps in DuckDB
        with ThreadPoolExecutor(max_workers=2) as checking:
            results = [
                checking.submit(run_check, check.run.__name__, partial(check.run, ctx.apart()))
                for check in checks.CHECKS
            ]
            for result in results:
                found += result.result()
    return sorted(found, key=_order)


def run_check(name: str, check: Callable[[], Iterable[Finding]]) -> list[Finding]:
    """A check whose SQL meets a table the descriptor reshaped reports that, instead of crashing."""
    try:
        return list(check())
    except duckdb.Error as error:
        first_line = str(error).splitlines()[0]
        where = f"check {name}"
        return [Finding("descriptor-not-conforming", DESCRIPTOR, params={"where": where, "error": first_line})]


def _order(f: Finding) -> tuple[str, int, int, str]:
    return (f.file or "", f.line or 0, f.column or 0, f.code)


def yield_into(found: list[Finding], steps: Iterator[Finding | dict[str, Any]]) -> dict[str, Any] | None:
    """Collect a generator's findings; its last non-finding item is the usable descriptor, if any."""
    result = None
    for item in steps:
        if isinstance(item, Finding):
            found.append(item)
        else:
            result = item
    return result


def check_descriptor(root: Path) -> Iterator[Finding | dict[str, Any]]:
    """Findings about datapackage.json; ends by yielding the descriptor when the package can be read."""
    path = root / DESCRIPTOR
    if not path.is_file():
        yield Finding("descriptor-missing", DESCRIPTOR)
        return
    try:
        descriptor = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as error:
        yield Finding("descriptor-invalid-json", DESCRIPTOR, params={"error": f"not UTF-8 ({error.reason})"})
        return
    except json.JSONDecodeError as error:
        yield Finding("descriptor-invalid-json", DESCRIPTOR, error.lineno, error.colno, params={"error": error.msg})
        return
    except RecursionError:
        yield Finding("descriptor-invalid-json", DESCRIPTOR, params={"error": "nested too deeply"})
        return
    shape_errors = sorted(jsonschema.Draft7Validator(SHAPE).iter_errors(descriptor), key=lambda e: list(e.path))
    for issue in shape_errors:
        where = "/".join(str(p) for p in issue.absolute_path) or "descriptor"
        yield Finding("descriptor-not-conforming", DESCRIPTOR, params={"where": where, "error": issue.message})
    if shape_errors:
        return
    unsafe = False
    for resource in descriptor["resources"]:
        if not is_safe_path(resource["path"]):
            unsafe = True
            yield Finding("resource-path-unsafe", DESCRIPTOR, value=resource["path"])
        elif not (root / resource["path"]).is_file():
            yield Finding("resource-file-missing", DESCRIPTOR, value=resource["path"])
    if unsafe:
        return
    profile_errors = list(profile_findings(descriptor)) or list(reference_findings(descriptor))
    yield from profile_errors
    if not profile_errors:
        yield descriptor


def reference_findings(descriptor: dict[str, Any]) -> Iterator[Finding]:
    """Foreign keys into a resource that does not exist, which would otherwise silently check nothing."""
    names = {resource["name"] for resource in descriptor["resources"]}
    for i, resource in enumerate(descriptor["resources"]):
        for j, key in enumerate(resource["schema"].get("foreignKeys", [])):
            target = key["reference"].get("resource")
            if target and target not in names:
                where = f"resources/{i}/schema/foreignKeys/{j}/reference/resource"
                yield Finding(
                    "descriptor-not-conforming",
                    DESCRIPTOR,
                    params={"where": where, "error": f"no resource is named {target!r}"},
                )


def profile_findings(descriptor: dict[str, Any]) -> Iterator[Finding]:
    """Data Package v2 conformance as frictionless-py judges it (it reads no files here)."""
    from frictionless import Package as FrictionlessPackage  # slow to import; only needed here

    try:
        notes = [str(error.note) for error in FrictionlessPackage.metadata_validate(descriptor)]
    except Exception as error:  # frictionless raises assorted types on hostile descriptors
        notes = [f"frictionless could not read it ({type(error).__name__})"]
    for note in notes:
        where, _, message = note.rpartition(" at property ")
        yield Finding(
            "descriptor-not-conforming",
            DESCRIPTOR,
            params={"where": message.strip("'") if where else "descriptor", "error": where or note},
        )


def is_safe_path(path: str) -> bool:
    """A relative POSIX path that stays inside the package: no URL, no '..', no absolute or drive path."""
    if not path or "://" in path or "\\" in path or ":" in path or path.startswith("/"):
        return False
    return ".." not in PurePosixPath(path).parts


def render(found: list[Finding], fmt: str, limit: int) -> str:
    shown, hidden = _limit(found, limit)
    if fmt == "json":
        return json.dumps(
            {
                "valid": not any(f.rule.level == "error" for f in found),
                "counts": dict(sorted(Counter(f.code for f in found).items())),
                "not_shown": hidden,
                "findings": [f.as_dict() for f in shown],
            },
            ensure_ascii=False,
            indent=1,
        )
    if fmt == "github":
        return "\n".join(_github(f) for f in shown)
    lines = [_text(f) for f in shown]
    lines.append(summary(found, hidden))
    return "\n".join(lines)


def _limit(found: list[Finding], limit: int) -> tuple[list[Finding], dict[str, int]]:
    seen: Counter[str] = Counter()
    shown = []
    for f in found:
        seen[f.code] += 1
        if limit <= 0 or seen[f.code] <= limit:
            shown.append(f)
    hidden = {code: n - limit for code, n in sorted(seen.items()) if limit > 0 and n > limit}
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


def summary(found: list[Finding], hidden: dict[str, int]) -> str:
    errors = [f for f in found if f.rule.level == "error"]
    notices = len(found) - len(errors)
    if not errors:
        head = "valid" + (f" ({_count(notices, 'notice')})" if notices else "")
        return head
    counts = Counter(f.code for f in errors)
    files_hit = len({f.file for f in errors})
    by_code = ", ".join(f"{code} {n}" for code, n in counts.most_common())
    more = ", ".join(f"{n} more {code}" for code, n in hidden.items())
    text = f"invalid: {_count(len(errors), 'error')} in {_count(files_hit, 'file')} ({by_code})"
    return text + (f"; not shown: {more} (use --max-per-code 0)" if more else "")
