"""`azru diff OLD NEW`: per table, the rows added, removed and changed between two versions.

Rows are matched by primary key. The Markdown output is laid out for a CHANGELOG release section
(Added / Changed / Removed) and for reviewers; `--format json` gives the same facts to scripts.
A published row removed without a tombstone breaks every citation of its id, so it is flagged.
"""

import argparse
import json
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from azru import guarded, ids
from azru.package import DESCRIPTOR, Package, load

Rows = dict[str, dict[str, str | None]]


class UsageError(Exception):
    """An argument that is not a package: one line on stderr, exit 2."""


@dataclass
class TableDiff:
    table: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    removed_without_tombstone: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)
    fields_added: list[str] = field(default_factory=list)
    fields_removed: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return any((self.added, self.removed, self.changed, self.fields_added, self.fields_removed))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("old", type=Path, help="the earlier version: a package folder or a dist zip")
    parser.add_argument("new", type=Path, help="the later version: a package folder or a dist zip")
    parser.add_argument("--format", choices=("markdown", "json"), default="markdown")


def run(args: argparse.Namespace) -> int:
    try:
        with opened(args.old) as old, opened(args.new) as new:
            diffs = diff_packages(old, new)
    except UsageError as exc:
        print(f"azru diff: {exc}", file=sys.stderr)
        return 2
    except guarded.Refused as exc:
        print(f"azru diff: {exc}", file=sys.stderr)
        return 1
    if args.format == "json":
        report = {"old": str(args.old), "new": str(args.new), "tables": [asdict(d) for d in diffs]}
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(markdown(diffs), end="")
    return 0


@contextmanager
def opened(path: Path) -> Iterator[Package]:
    """The package in a folder, or in a zip extracted for as long as the context lasts."""
    if (path / DESCRIPTOR).is_file():
        yield load(path)
    elif path.is_file() and zipfile.is_zipfile(path):
        with tempfile.TemporaryDirectory(prefix="azru-diff-") as tmp:
            with zipfile.ZipFile(path) as archive:
                archive.extractall(tmp)
            descriptors = sorted(Path(tmp).rglob(DESCRIPTOR), key=lambda p: len(p.parts))
            if not descriptors:
                raise UsageError(f"{path} holds no {DESCRIPTOR}")
            yield load(descriptors[0].parent)
    else:
        raise UsageError(f"{path} is neither a package folder (with {DESCRIPTOR}) nor a zip")


def diff_packages(old: Package, new: Package) -> list[TableDiff]:
    """The tables that differ, in the new descriptor's order, then tables only the old one had."""
    names = list(new.tables) + [name for name in old.tables if name not in new.tables]
    retired = set(rows_by_key(new, "tombstones"))  # keyed by retired_id
    diffs = [diff_table(name, old, new, retired) for name in names]
    return [d for d in diffs if d]


def diff_table(name: str, old: Package, new: Package, retired: set[str]) -> TableDiff:
    before, after = rows_by_key(old, name), rows_by_key(new, name)
    old_fields, new_fields = field_names(old, name), field_names(new, name)
    shared_fields = [f for f in new_fields if f in old_fields]
    removed = sorted(before.keys() - after.keys())
    return TableDiff(
        table=name,
        added=sorted(after.keys() - before.keys()),
        removed=removed,
        # only ids with a prefix can be tombstoned; a dropped code is just listed
        removed_without_tombstone=[key for key in removed if name in ids.PREFIXES and key not in retired],
        changed={
            key: fields
            for key in sorted(before.keys() & after.keys())
            if (fields := [f for f in shared_fields if before[key][f] != after[key][f]])
        },
        fields_added=[f for f in new_fields if f not in old_fields],
        fields_removed=[f for f in old_fields if f not in new_fields],
    )


def field_names(package: Package, name: str) -> list[str]:
    table = package.tables.get(name)
    return table.field_names if table else []


def rows_by_key(package: Package, name: str) -> Rows:
    """A table's rows keyed by primary key; none when the version lacks the table."""
    table = package.tables.get(name)
    if table is None:
        return {}
    return {"/".join(row[k] or "" for k in table.primary_key): row for row in package.read(name).iter_rows(named=True)}


def markdown(diffs: list[TableDiff]) -> str:
    if not diffs:
        return "No data changes.\n"
    lines = ["| table | added | changed | removed |", "| --- | ---: | ---: | ---: |"]
    lines += [f"| {d.table} | {len(d.added)} | {len(d.changed)} | {len(d.removed)} |" for d in diffs]
    sections = {
        "Added": [f"- {d.table} ({len(d.added)}): {codes(d.added)}" for d in diffs if d.added],
        "Changed": [line for d in diffs for line in changed_lines(d)],
        "Removed": [line for d in diffs for line in removed_lines(d)],
    }
    for title, items in sections.items():
        if items:
            lines += ["", f"### {title}", "", *items]
    return "\n".join(lines) + "\n"


def changed_lines(d: TableDiff) -> list[str]:
    lines = [f"- {d.table}: field `{f}` added" for f in d.fields_added]
    lines += [f"- {d.table}: field `{f}` removed" for f in d.fields_removed]
    lines += [f"- {d.table} `{key}`: {', '.join(fields)}" for key, fields in d.changed.items()]
    return lines


def removed_lines(d: TableDiff) -> list[str]:
    flag = " — **removed without tombstone**"
    return [f"- {d.table} `{key}`" + (flag if key in d.removed_without_tombstone else "") for key in d.removed]


def codes(keys: list[str]) -> str:
    return ", ".join(f"`{key}`" for key in keys)
