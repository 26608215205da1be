"""SHA256SUMS: the hash of every file a build wrote, so a release can be checked by rebuilding it."""

import hashlib
from pathlib import Path

from azru.release.output import MANIFEST, write_text


class Hashes(dict[Path, str]):
    """The SHA-256 of each file of one build, read once: the site lists the release's files with their
    hashes, and the manifest lists them again."""

    def of(self, path: Path) -> str:
        if path not in self:
            self[path] = sha256_file(path)
        return self[path]


def write_manifest(out: Path, built: list[Path], hashes: Hashes) -> Path:
    """`sha256sum -c SHA256SUMS` format, one line a file, sorted by path."""
    names = sorted(p.relative_to(out).as_posix() for p in built)
    return write_text(out / MANIFEST, "".join(f"{hashes.of(out / n)}  {n}\n" for n in names))


def sha256_file(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
