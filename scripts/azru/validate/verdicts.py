"""Verdicts that take long to make and never change, remembered in a cache folder of the user's.

Judging a descriptor (its shape by jsonschema, its profile by frictionless) and the EDTF dates the
general parser reads take longer, imports included, than checking a small package's tables, and a
contributor validates the same package over and over. So a verdict is kept under a hash of everything it
depends on: what is judged, the versions of Python and of the libraries that judge it, and the code of the
azru modules that do. The folder is the user's ($AZRU_CACHE, else azru/ in the user's cache folder), never
the package's, which a pull request could fill with verdicts. A cache that cannot be read or written is no
error: the verdict is made again.
"""

import hashlib
import json
import os
import sys
import tempfile
from functools import cache
from importlib.metadata import version
from pathlib import Path
from types import ModuleType
from typing import Any

CACHE_VARIABLE = "AZRU_CACHE"  # a folder; the default is azru/ in the user's cache folder


def entry(kind: str, subject: Any, libraries: tuple[str, ...], modules: tuple[ModuleType, ...]) -> Path:
    """Where the verdict on `subject` (JSON) by these libraries (distribution names) and modules is kept."""
    text = json.dumps([_judges(libraries, modules), subject], ensure_ascii=False)
    return _cache_folder() / f"{kind}-{hashlib.sha256(text.encode('utf-8', 'surrogatepass')).hexdigest()}.json"


@cache
def _judges(libraries: tuple[str, ...], modules: tuple[ModuleType, ...]) -> list[str]:
    """Python's version, the libraries' and a hash of each module's code, which one run does not change."""
    code = [hashlib.sha256(Path(str(module.__file__)).read_bytes()).hexdigest() for module in modules]
    return [sys.version, *(version(name) for name in libraries), *code]


def _cache_folder() -> Path:
    chosen = os.environ.get(CACHE_VARIABLE)
    if chosen:
        return Path(chosen)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "azru"


def read(place: Path) -> Any:
    """The verdict kept there, as JSON, or None."""
    try:
        return json.loads(place.read_bytes())
    except (OSError, ValueError):
        return None


def write(place: Path, verdict: Any) -> None:
    """Written whole or not at all, so a reader never meets half a verdict."""
    try:
        place.parent.mkdir(parents=True, exist_ok=True)
        handle, written = tempfile.mkstemp(dir=place.parent, prefix=place.name, suffix=".part")
    except OSError:
        return
    try:
        with open(handle, "w", encoding="utf-8") as out:
            json.dump(verdict, out)
        os.replace(written, place)
    except OSError:
        Path(written).unlink(missing_ok=True)
