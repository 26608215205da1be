"""The release's other files as the site offers them: name, address, size, SHA-256 and media type.

Offline, the site lies in the release's folder, so a file is `../NAME`. Published on GitHub Pages, the site
is alone: when the descriptor's `homepage` is a GitHub repository, files are addressed as that release's
assets (which have flat names) instead.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from azru.package import Package
from azru.release.manifest import Hashes

GITHUB_REPOSITORY = re.compile(r"https://github\.com/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
MEDIA_TYPES = {
    ".zip": "application/zip",
    ".db": "application/vnd.sqlite3",
    ".parquet": "application/vnd.apache.parquet",
    ".ndjson": "application/x-ndjson",
    ".json": "application/json",
    ".svg": "image/svg+xml",
}


@dataclass(frozen=True)
class Download:
    name: str  # relative to the release's folder
    url: str
    bytes: int
    sha256: str
    media_type: str


def downloads(package: Package, out: Path, files: list[Path], hashes: Hashes) -> list[Download]:
    """The files, sorted by name, each addressed from the site's root."""
    homepage = package.descriptor.get("homepage", "")
    base = (
        f"{homepage}/releases/download/v{package.descriptor['version']}/"
        if GITHUB_REPOSITORY.fullmatch(homepage)
        else None
    )
    found = []
    for path in sorted(files, key=lambda p: p.relative_to(out).as_posix()):
        name = path.relative_to(out).as_posix()
        url = base + path.name if base else f"../{name}"
        media_type = MEDIA_TYPES.get(path.suffix, "application/octet-stream")
        found.append(Download(name, url, path.stat().st_size, hashes.of(path), media_type))
    return found
