"""SHA256SUMS: the hash of every file a build wrote, so a release can be checked by rebuilding it."""

import hashlib
from pathlib import Path

from azru.release.output import MANIFEST, write_text


def write_manifest(out: Path, built: list[Path]) -> Path:
    """`sha256sum -c SHA256SUMS` format, one line a file, sorted by path."""
    names = sorted(p.relative_to(out).as_posix() for p in built)
    return write_text(out / MANIFEST, "".join(f"{sha256_file(out / n)}  {n}\n" for n in names))


def sha256_file(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
