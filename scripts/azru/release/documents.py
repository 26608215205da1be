"""The documents a release carries beside the data (README, licence, citation, datasheet, codebook), read
from the package and written into the output folder under their release names."""

from pathlib import Path

from azru import guarded
from azru.package import Package, naming
from azru.release.output import DOCUMENTS

MAX_DOCUMENT_BYTES = 16 * guarded.MIB


def read_documents(package: Package) -> dict[str, bytes]:
    """The package's documents by their path in it. One it lacks is left out (a sample or synthetic package
    has none); one that is a link, not a regular file or too large refuses the build."""
    found = {}
    for path in DOCUMENTS:
        try:
            with naming(path):
                found[path] = guarded.read_bytes(package.root, path, MAX_DOCUMENT_BYTES)
        except guarded.Refused as refused:
            if refused.reason != "missing":
                raise
    return found


def write_documents(out: Path, documents: dict[str, bytes]) -> list[Path]:
    written = []
    for path, data in documents.items():
        (out / DOCUMENTS[path]).write_bytes(data)
        written.append(out / DOCUMENTS[path])
    return written
