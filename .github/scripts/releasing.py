"""What the release scripts beside this file read: the tag, the version each metadata file states, the
CHANGELOG's sections, and dist/ against its SHA256SUMS.

Standard library only, so that every script runs from a fresh clone with any Python from 3.11 on, before `make`
has set up .venv. Every problem is a ReleaseError whose message is one line.
"""

import hashlib
import json
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

TAG = re.compile(r"v(?P<version>(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*))")
# Keep a Changelog: "## [0.1.0] - 2026-11-22", and "## [Unreleased]" above the released ones.
SECTION = re.compile(r"## \[(?P<name>[^\]]+)\](?: - (?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2}))?[ \t]*")
# Link reference definitions ("[0.1.0]: https://...") close the file and belong to no section.
LINK_DEFINITION = re.compile(r"\[[^\]]+\]: \S")
UNRELEASED = "Unreleased"
SUMS = "SHA256SUMS"


class ReleaseError(Exception):
    """A disagreement or a missing piece, said in one line."""


@dataclass(frozen=True)
class Section:
    name: str  # a version, or "Unreleased"
    date: str | None
    body: str


def version_of_tag(tag: str) -> str:
    match = TAG.fullmatch(tag)
    if match is None:
        raise ReleaseError(f"tag {tag!r} is not of the form vMAJOR.MINOR.PATCH (e.g. v0.2.0)")
    return match["version"]


def changelog_sections(text: str) -> list[Section]:
    """The `## [...]` sections in file order, each body without its heading and surrounding blank lines."""
    sections: list[Section] = []
    heading: re.Match[str] | None = None
    lines: list[str] = []

    def close() -> None:
        if heading is not None:
            sections.append(Section(heading["name"], heading["date"], "\n".join(lines).strip("\n")))

    for line in text.splitlines():
        if line.startswith("## ") or LINK_DEFINITION.match(line):
            close()
            heading, lines = SECTION.fullmatch(line), []
            if heading is None and line.startswith("## "):
                raise ReleaseError(f"CHANGELOG.md heading {line!r} is not '## [VERSION] - YYYY-MM-DD'")
        elif heading is not None:
            lines.append(line)
    close()
    return sections


def newest_release(sections: Sequence[Section]) -> Section:
    released = [s for s in sections if s.name != UNRELEASED]
    if not released:
        raise ReleaseError("CHANGELOG.md has no released section ('## [VERSION] - YYYY-MM-DD')")
    return released[0]


def release_notes(changelog: str, version: str) -> str:
    """The CHANGELOG section of `version`, as the GitHub release's notes."""
    for section in changelog_sections(changelog):
        if section.name == version:
            if not section.body.strip():
                raise ReleaseError(f"CHANGELOG.md section [{version}] is empty")
            return section.body + "\n"
    raise ReleaseError(f"CHANGELOG.md has no section [{version}]")


def top_level_scalar(yaml_text: str, key: str, file: str) -> str:
    """A top-level plain or quoted scalar of a YAML mapping such as CITATION.cff, without a YAML library."""
    for line in yaml_text.splitlines():
        match = re.fullmatch(rf"{re.escape(key)}:[ \t]+(?P<value>.*?)[ \t]*(?:#.*)?", line)
        if match:
            value = match["value"]
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            return value
    raise ReleaseError(f"{file} has no top-level {key!r}")


def read_text(root: Path, name: str) -> str:
    try:
        return (root / name).read_text(encoding="utf-8")
    except OSError as error:
        raise ReleaseError(f"cannot read {name}: {error.strerror}") from None


def json_version(root: Path, name: str) -> str:
    try:
        version = json.loads(read_text(root, name)).get("version")
    except (json.JSONDecodeError, AttributeError):
        raise ReleaseError(f"{name} is not a JSON object") from None
    if not isinstance(version, str):
        raise ReleaseError(f"{name} has no string 'version'")
    return version


def stated_versions(root: Path) -> dict[str, str]:
    """The version each file that names one states, by file."""
    changelog = newest_release(changelog_sections(read_text(root, "CHANGELOG.md")))
    return {
        "datapackage.json": json_version(root, "datapackage.json"),
        "CITATION.cff": top_level_scalar(read_text(root, "CITATION.cff"), "version", "CITATION.cff"),
        ".zenodo.json": json_version(root, ".zenodo.json"),
        "CHANGELOG.md (newest section)": changelog.name,
    }


def release_date_problems(root: Path, version: str) -> list[str]:
    """CITATION.cff's date-released against the date CHANGELOG.md gives `version` (a missing section is
    the version check's to report)."""
    sections = {s.name: s for s in changelog_sections(read_text(root, "CHANGELOG.md"))}
    if version not in sections:
        return []
    dated = sections[version].date
    released = top_level_scalar(read_text(root, "CITATION.cff"), "date-released", "CITATION.cff")
    if dated is None:
        return [f"CHANGELOG.md section [{version}] has no date ('## [{version}] - YYYY-MM-DD')"]
    if released != dated:
        return [f"CITATION.cff date-released is {released} but CHANGELOG.md dates {version} {dated}"]
    return []


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def listed_sums(dist: Path) -> dict[str, str]:
    """SHA256SUMS as {path relative to dist: hash}; `sha256sum`'s binary marker '*' is accepted."""
    sums: dict[str, str] = {}
    for number, line in enumerate(read_text(dist, SUMS).splitlines(), start=1):
        match = re.fullmatch(r"(?P<hash>[0-9a-f]{64}) [ *](?P<path>\S.*)", line)
        if match is None:
            raise ReleaseError(f"{SUMS} line {number} is not 'HASH  PATH'")
        sums[match["path"]] = match["hash"]
    return sums


SITE = "site/"


def release_assets(dist: Path) -> tuple[list[Path], list[Path]]:
    """(files to attach, empty files GitHub refuses), after checking that SHA256SUMS lists every other
    file of dist/ with its hash and nothing else; SHA256SUMS comes last in the first list."""
    if not dist.is_dir():
        raise ReleaseError(f"{dist} is not a folder (run `make release` first)")
    sums = listed_sums(dist)
    found = {p.relative_to(dist).as_posix(): p for p in sorted(dist.rglob("*")) if p.is_symlink() or not p.is_dir()}
    for name, path in found.items():
        if path.is_symlink() or not path.is_file():
            raise ReleaseError(f"{dist.name}/{name} is not a regular file")
    found.pop(SUMS)
    unlisted, absent = sorted(found.keys() - sums.keys()), sorted(sums.keys() - found.keys())
    if unlisted:
        raise ReleaseError(f"{dist.name}/{unlisted[0]} is not listed in {SUMS}")
    if absent:
        raise ReleaseError(f"{SUMS} lists {absent[0]}, which is not in {dist.name}/")
    for name, path in found.items():
        if _sha256(path) != sums[name]:
            raise ReleaseError(f"{dist.name}/{name} does not match its hash in {SUMS}")
    # The website is published on GitHub Pages, not as assets; SHA256SUMS still covers its files.
    found = {name: path for name, path in found.items() if not name.startswith(SITE)}
    # A release's assets have flat names, so two files of one name in different folders would clash.
    by_name: dict[str, str] = {}
    for name, path in found.items():
        if path.name in by_name:
            raise ReleaseError(f"{by_name[path.name]} and {name} would both be the release asset {path.name}")
        by_name[path.name] = name
    empty = [path for path in found.values() if path.stat().st_size == 0]
    attached = [path for path in found.values() if path.stat().st_size > 0]
    return [*attached, dist / SUMS], empty


def run(main: Callable[[list[str]], int]) -> None:
    """Runs a script's main: a ReleaseError becomes its one-line message on stderr and exit 1."""
    prog = Path(sys.argv[0]).name
    try:
        status = main(sys.argv[1:])
    except ReleaseError as error:
        print(f"{prog}: {error}", file=sys.stderr)
        status = 1
    sys.exit(status)
