"""`azru validate --trusted PATH_OR_GIT_REF`: the package whose rules a pull request is checked against.

A pull request can edit datapackage.json and the codelists, which are the rules themselves; so the
rules come from a copy it cannot touch: a package folder, its datapackage.json, or a git revision of
the repository the package is in (the base branch, in CI).
"""

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import guarded
from .descriptor import DESCRIPTOR, parse, problems
from .rules import Finding

GIT_TIMEOUT = 30  # seconds
# A revision as people write them (main, origin/main, HEAD~1, a hash, v0.1.0); never an option.
REVISION = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._/@^~{}-]{0,199}")


class TrustError(Exception):
    """The trusted copy cannot be had or is not a usable package: a usage error."""


@dataclass(frozen=True)
class Trusted:
    origin: str
    descriptor: dict[str, Any]
    read: Callable[[str], bytes | None]  # a file of the trusted package by its path; None if absent

    def codes(self, path: str, key: str) -> set[str] | None:
        """The values of one column of a trusted codelist, or None when it has no such file."""
        data = self.read(path)
        if data is None:
            return None
        rows = csv.DictReader(io.StringIO(data.decode("utf-8", "replace")))
        return {row[key] for row in rows if row.get(key)}


def load(spec: str, package_root: Path) -> Trusted:
    path = Path(spec)
    if path.is_dir():
        return _from_folder(spec, path)
    if path.is_file():
        if path.name != DESCRIPTOR:
            raise TrustError(f"--trusted {spec}: a file must be a {DESCRIPTOR}")
        return _from_folder(spec, path.parent)
    if not REVISION.fullmatch(spec):
        raise TrustError(f"--trusted {spec}: neither a folder, a {DESCRIPTOR} nor a git revision")
    return _from_git(spec, package_root)


def _from_folder(origin: str, folder: Path) -> Trusted:
    def read(path: str) -> bytes | None:
        try:
            return guarded.read_bytes(folder, path, guarded.MAX_TABLE_BYTES)
        except guarded.Refused as error:
            if error.reason == "missing":
                return None
            raise TrustError(f"--trusted {origin}: {path}: {error}") from None

    return _checked(origin, read)


def _from_git(revision: str, package_root: Path) -> Trusted:
    prefix = _git(package_root, "rev-parse", "--show-prefix").decode().strip()

    def read(path: str) -> bytes | None:
        try:
            return _git(package_root, "cat-file", "blob", f"{revision}:{prefix}{path}")
        except TrustError:
            return None

    if _git(package_root, "cat-file", "-t", revision + "^{commit}").strip() != b"commit":
        raise TrustError(f"--trusted {revision}: not a commit")
    return _checked(revision, read)


def _git(folder: Path, *args: str) -> bytes:
    import subprocess  # only a git revision needs it, and most runs have none

    try:
        done = subprocess.run(
            ["git", "-C", str(folder), *args],
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise TrustError(f"git {args[0]} failed: {error}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise TrustError(f"git {' '.join(args)}: {message[-1] if message else 'failed'}")
    return done.stdout


def _checked(origin: str, read: Callable[[str], bytes | None]) -> Trusted:
    data = read(DESCRIPTOR)
    if data is None:
        raise TrustError(f"--trusted {origin}: no {DESCRIPTOR}")
    descriptor = parse(data)
    if isinstance(descriptor, Finding):
        raise TrustError(f"--trusted {origin}: {descriptor.message}")
    found = problems(descriptor)
    if found:
        raise TrustError(f"--trusted {origin}: {found[0].message}")
    return Trusted(origin, descriptor, read)
