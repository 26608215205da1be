"""`azru diff OLD NEW`: per table, the rows added, removed and changed between two versions.

Rows are matched by primary key. The Markdown output is laid out for a CHANGELOG release section
(Added / Changed / Removed) and for reviewers; `--format json` gives the same facts to scripts.
A published row removed without a tombstone breaks every citation of its id, so it is flagged.
"""

import argparse
import json
import shutil
import stat
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import polars as pl

from azru import exits, guarded
from azru.package import DESCRIPTOR, Package, load, naming

Rows = dict[str, dict[str, str | None]]
# A zip is read within bounds far beyond a release of this package (whose CSVs deflate 2 to 10 times)
# and far below what fills a disk: a zip bomb unpacks a thousand times its size.
MAX_MEMBERS = 10_000
MAX_UNPACKED_BYTES = guarded.MAX_TABLE_BYTES
MAX_RATIO = 200
ENCRYPTED = 0x1  # the zip flag bit


class UsageError(Exception):
    """An argument that is not a package: one line on stderr, exit 2."""


class VersionError(Exception):
    """A version that cannot be compared (a file missing or refused, a zip out of bounds): exit 1."""


@dataclass(frozen=True)
class Version:
    """A package and the argument that named it, for messages: its root may be a zip's temporary folder."""

    argument: Path
    package: Package

    def has_ids(self, name: str) -> bool:
        """Whether the version's table holds made ids (with a prefix) rather than codes."""
        table = self.package.tables.get(name)
        return table is not None and table.id_prefix is not None

    def field_names(self, name: str) -> list[str]:
        table = self.package.tables.get(name)
        return table.field_names if table else []

    def rows(self, name: str) -> Rows:
        """A table's rows keyed by primary key; none when the version lacks the table."""
        table = self.package.tables.get(name)
        if table is None:
            return {}
        try:
            frame = self.package.read(name)
        except guarded.Refused as error:
            raise VersionError(f"{self.argument}: {error}") from None
        except pl.exceptions.PolarsError as error:  # the CSV does not fit its descriptor
            first_line = str(error).splitlines()[0]
            raise VersionError(
                f"{self.argument}: {table.path} cannot be read ({first_line}); run azru validate"
            ) from None
        return {"/".join(row[k] or "" for k in table.primary_key): row for row in frame.iter_rows(named=True)}


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
        return exits.USAGE
    except VersionError as exc:
        print(f"azru diff: {exc}", file=sys.stderr)
        return exits.INVALID
    if args.format == "json":
        report = {"old": str(args.old), "new": str(args.new), "tables": [asdict(d) for d in diffs]}
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(markdown(diffs), end="")
    return exits.OK


@contextmanager
def opened(path: Path) -> Iterator[Version]:
    """The package in a folder, or in a zip unpacked for as long as the context lasts, with every file
    its descriptor names: a missing one would otherwise read as all its rows removed."""
    with ExitStack() as stack:
        try:
            if (path / DESCRIPTOR).is_file():
                root = path
            elif path.is_file() and zipfile.is_zipfile(path):
                root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="azru-diff-")))
                with zipfile.ZipFile(path) as archive:
                    unpack(archive, path, root)
            else:
                raise UsageError(f"{path} is neither a package folder (with {DESCRIPTOR}) nor a zip")
            package = present(root)
        except (VersionError, guarded.Refused) as error:
            raise VersionError(f"{path}: {error}") from None
        except (zipfile.BadZipFile, zlib.error, EOFError) as error:
            raise VersionError(f"{path}: not a zip azru can read ({error})") from None
        yield Version(path, package)


def present(root: Path) -> Package:
    """The package at root, once each file it names is found readable."""
    package = read_descriptor(root)
    for table in package.tables.values():
        with naming(table.path), guarded.opened(root, table.path, guarded.MAX_TABLE_BYTES):
            pass
    return package


def read_descriptor(root: Path) -> Package:
    try:
        return load(root)
    except ValueError as error:  # azru.strict_json.NotJson
        raise VersionError(f"{DESCRIPTOR} is not JSON in UTF-8 ({error})") from None


def unpack(archive: zipfile.ZipFile, version: Path, folder: Path) -> None:
    """The zip's descriptor and the files it names, into `folder`; nothing else is unpacked."""
    members = archive.infolist()
    problem = zip_problem(members)
    if problem:
        raise VersionError(problem)
    names = {member.filename for member in members}
    descriptors = sorted(
        (name for name in names if name.rpartition("/")[2] == DESCRIPTOR), key=lambda n: (n.count("/"), n)
    )
    if not descriptors:
        raise UsageError(f"{version} holds no {DESCRIPTOR}")
    prefix = descriptors[0].removesuffix(DESCRIPTOR)  # a release zip may hold the package in a folder
    copy_member(archive, descriptors[0], folder / DESCRIPTOR)
    paths = dict.fromkeys(table.path for table in read_descriptor(folder).tables.values())
    for path in paths:
        if prefix + path in names and guarded.path_problem(path) is None:
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            copy_member(archive, prefix + path, folder / path)


def copy_member(archive: zipfile.ZipFile, name: str, destination: Path) -> None:
    """A member streamed to a file (a table can be larger than memory would like)."""
    with archive.open(name) as member, open(destination, "wb") as copy:
        shutil.copyfileobj(member, copy)


def zip_problem(members: list[zipfile.ZipInfo]) -> str | None:
    """Why a zip is not read: too many members or bytes, a member name that is not a plain path, a link,
    a name twice (which one would be read?), a member encrypted or compressed in a way a release never is,
    or one that unpacks far beyond its size."""
    if len(members) > MAX_MEMBERS:
        return f"{len(members):,} members, more than the limit of {MAX_MEMBERS:,}"
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_UNPACKED_BYTES:
        return f"{unpacked:,} bytes unpacked, more than the limit of {MAX_UNPACKED_BYTES:,}"
    if len({member.filename for member in members}) < len(members):
        return "a member name appears twice"
    for member in members:
        problem = guarded.path_problem(member.filename.removesuffix("/") if member.is_dir() else member.filename)
        if problem:
            return f"member {member.filename!r}: {problem}"
        if stat.S_ISLNK(member.external_attr >> 16):
            return f"member {member.filename!r} is a symbolic link"
        if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or member.flag_bits & ENCRYPTED:
            return f"member {member.filename!r} is encrypted or compressed by a method other than deflate"
        if member.file_size > MAX_RATIO * member.compress_size:
            return f"member {member.filename!r} unpacks to more than {MAX_RATIO} times its size"
    return None


def diff_packages(old: Version, new: Version) -> list[TableDiff]:
    """The tables that differ, in the new descriptor's order, then tables only the old one had."""
    names = list(new.package.tables) + [name for name in old.package.tables if name not in new.package.tables]
    retired = set(new.rows("tombstones"))  # keyed by retired_id
    diffs = [diff_table(name, old, new, retired) for name in names]
    return [d for d in diffs if d]


def diff_table(name: str, old: Version, new: Version, retired: set[str]) -> TableDiff:
    before, after = old.rows(name), new.rows(name)
    old_fields, new_fields = old.field_names(name), new.field_names(name)
    shared_fields = [f for f in new_fields if f in old_fields]
    removed = sorted(before.keys() - after.keys())
    # either descriptor may say so: an older release may declare no id prefixes, and a dropped table
    # is only in the old one
    made_ids = old.has_ids(name) or new.has_ids(name)
    return TableDiff(
        table=name,
        added=sorted(after.keys() - before.keys()),
        removed=removed,
        # only ids with a prefix can be tombstoned; a dropped code is just listed
        removed_without_tombstone=[key for key in removed if made_ids and key not in retired],
        changed={
            key: fields
            for key in sorted(before.keys() & after.keys())
            if (fields := [f for f in shared_fields if before[key][f] != after[key][f]])
        },
        fields_added=[f for f in new_fields if f not in old_fields],
        fields_removed=[f for f in old_fields if f not in new_fields],
    )


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
