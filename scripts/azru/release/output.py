"""The output folder: the names a build gives its files, made from the descriptor, and the clearing of the
last build's files before a new one is written."""

import contextlib
import shutil
import stat
from pathlib import Path

from azru import flat, guarded
from azru.package import Package

MANIFEST = "SHA256SUMS"
DATASETTE_METADATA = "metadata.json"
TIMELINE = "timeline.svg"
MAP = "map.svg"
ANNOTATIONS = "annotations.jsonld"  # written only when the source archive is at hand
SITE = "site"  # the website's folder (azru.release.site), deleted whole before each build
# The folders of the one-file-per-table formats, and the suffix of their files.
TABLE_FOLDERS = {"parquet": ".parquet", "ndjson": ".ndjson"}
# The documents a release carries beside the data: their path in the package, their name in the output folder.
DOCUMENTS = {
    "README.md": "README.md",
    "LICENSE": "LICENSE",
    "CITATION.cff": "CITATION.cff",
    "DATASHEET.md": "DATASHEET.md",
    "docs/codebook.md": "codebook.md",
}
MAX_MANIFEST_BYTES = guarded.MIB  # a line for each of thousands of files


def zip_name(package: Package) -> str:
    return f"{package.descriptor['name']}-{package.descriptor['version']}.zip"


def database_name(package: Package) -> str:
    return f"{package.descriptor['name']}.db"


def release_files(package: Package) -> list[str]:
    """Every file a build of `package` may write (a document only if the package has it), relative to the
    output folder."""
    names = [*package.tables, *(table.name for table in flat.TABLES)]
    tables = [f"{folder}/{name}{suffix}" for folder, suffix in TABLE_FOLDERS.items() for name in names]
    return [
        zip_name(package),
        database_name(package),
        DATASETTE_METADATA,
        TIMELINE,
        MAP,
        ANNOTATIONS,
        MANIFEST,
        *DOCUMENTS.values(),
        *tables,
    ]


def is_release_file(name: str) -> bool:
    """Whether `name`, relative to the output folder, has a form a build gives its files: a plain file name
    in the output folder or, for the per-table formats, in the format's folder."""
    folder, _, file = name.rpartition("/")
    if not guarded.COMPONENT.fullmatch(file):
        return False
    if folder:
        return folder in TABLE_FOLDERS and file.endswith(TABLE_FOLDERS[folder])
    named = (DATASETTE_METADATA, TIMELINE, MAP, ANNOTATIONS, MANIFEST, *DOCUMENTS.values())
    return file in named or file.endswith((".zip", ".db"))


def remove_previous_build(out: Path, package: Package) -> None:
    """Delete the files the last build listed, so none outlives its table, and those this build writes, so
    none is written through a link left in their place.

    The output folder may come with the package, manifest and links included: only names of a form build
    gives its files are deleted, a link is deleted rather than followed, and a format's folder that is not
    a folder (a link to one elsewhere, say) is deleted to be made afresh.
    """
    try:
        listed = guarded.read_bytes(out, MANIFEST, MAX_MANIFEST_BYTES).decode("utf-8", "replace").splitlines()
    except guarded.Refused:  # none, or not a plain file: deleted below all the same
        listed = []
    for folder in TABLE_FOLDERS:
        with contextlib.suppress(FileNotFoundError):
            if not stat.S_ISDIR((out / folder).lstat().st_mode):
                (out / folder).unlink()
    with contextlib.suppress(FileNotFoundError):
        if stat.S_ISDIR((out / SITE).lstat().st_mode):
            shutil.rmtree(out / SITE)  # removes links inside rather than following them
        else:
            (out / SITE).unlink()
    for name in {line.partition("  ")[2] for line in listed} | set(release_files(package)):
        if is_release_file(name):
            (out / name).unlink(missing_ok=True)


def write_text(path: Path, text: str) -> Path:
    """UTF-8 with \\n line ends whatever the platform, so the bytes are the same wherever a release is built."""
    path.write_text(text, encoding="utf-8", newline="\n")
    return path
