"""Data Package v2 conformance as frictionless-py judges a descriptor, remembered per descriptor.

frictionless takes longer to import and to judge than the rest of a small package's validation, and a
contributor validates the same descriptor over and over; so its verdict (the notes it made, none for a
conforming descriptor) is kept in a cache folder under a hash of the descriptor's exact text and of
frictionless's version, and reused only for that very descriptor judged by that very version. A cache
that cannot be read or written is no error: frictionless is asked again.
"""

import hashlib
import json
import os
import tempfile
from importlib.metadata import version
from pathlib import Path
from typing import Any

CACHE_VARIABLE = "AZRU_CACHE"  # a folder; the default is azru/ in the user's cache folder


def notes(descriptor: dict[str, Any]) -> list[str]:
    """What frictionless says is wrong with the descriptor (it reads no files here)."""
    entry = _cache_folder() / f"profile-{_key(descriptor)}.json"
    known = _read(entry)
    if known is not None:
        return known
    found = _judge(descriptor)
    _write(entry, found)
    return found


def _judge(descriptor: dict[str, Any]) -> list[str]:
    from frictionless import Package as FrictionlessPackage

    try:
        return [str(error.note) for error in FrictionlessPackage.metadata_validate(_v1_self_references(descriptor))]
    except Exception as error:  # frictionless raises assorted types on hostile descriptors
        return [f"frictionless could not read it ({type(error).__name__})"]


def _v1_self_references(descriptor: dict[str, Any]) -> dict[str, Any]:
    """The descriptor with each self-reference spelt `"resource": ""`: Data Package v2 omits `resource` in a
    foreign key to the same table, but frictionless's profile check (unlike its reading) still requires it."""
    copied = json.loads(json.dumps(descriptor))
    for resource in copied.get("resources", []) if isinstance(copied, dict) else []:
        schema = resource.get("schema") if isinstance(resource, dict) else None
        for key in schema.get("foreignKeys", []) if isinstance(schema, dict) else []:
            reference = key.get("reference") if isinstance(key, dict) else None
            if isinstance(reference, dict):
                reference.setdefault("resource", "")
    return copied  # type: ignore[no-any-return]


def _key(descriptor: dict[str, Any]) -> str:
    text = json.dumps([version("frictionless"), descriptor], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _cache_folder() -> Path:
    chosen = os.environ.get(CACHE_VARIABLE)
    if chosen:
        return Path(chosen)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "azru"


def _read(entry: Path) -> list[str] | None:
    try:
        found = json.loads(entry.read_bytes())
    except (OSError, ValueError):
        return None
    if isinstance(found, list) and all(isinstance(note, str) for note in found):
        return found
    return None


def _write(entry: Path, found: list[str]) -> None:
    """Written whole or not at all, so a reader never meets half a verdict."""
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        handle, written = tempfile.mkstemp(dir=entry.parent, prefix=entry.name, suffix=".part")
    except OSError:
        return
    try:
        with open(handle, "w", encoding="utf-8") as out:
            json.dump(found, out)
        os.replace(written, entry)
    except OSError:
        Path(written).unlink(missing_ok=True)
