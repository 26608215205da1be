"""The one way azru opens a file named by a package: every path in a package is written by whoever sent it.

A path is a relative POSIX path of plain components (letters, digits, `.`, `_`, `-`; no `..`, no glob
or URL characters), opened one component at a time from the package root without following any
symlink, and only a regular file within its size limit is read: never a FIFO, a device or a file
outside the root. An engine that takes paths (DuckDB) is handed `/dev/fd/N` of the file already
opened and checked here, so what is validated is the very file that is read, and no engine ever sees a
name it could take for a glob or a URL.
"""

import errno
import os
import re
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

MIB = 1024 * 1024
MAX_DESCRIPTOR_BYTES = 16 * MIB
MAX_TABLE_BYTES = 2048 * MIB
MAX_SOURCE_BYTES = 64 * MIB
COMPONENT = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,127}")
MAX_DEPTH = 8
READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC  # O_NONBLOCK: a FIFO cannot hang open()
FOLDER_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_DIRECTORY | os.O_CLOEXEC


class Refused(Exception):
    """A path or file azru will not read; `reason` is "unsafe-path", "missing", "not-regular" or "too-large"
    (validate maps each to a rule), the message says it in words."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def path_problem(path: object) -> str | None:
    """Why `path` is not a plain relative path inside a package, or None when it is."""
    if not isinstance(path, str) or not path:
        return "a path must be a non-empty string"
    parts = path.split("/")
    if len(parts) > MAX_DEPTH:
        return f"more than {MAX_DEPTH} levels deep"
    for part in parts:
        if part in ("", ".", ".."):
            return "empty, '.' and '..' components are not allowed (no absolute paths)"
        if not COMPONENT.fullmatch(part):
            return (
                f"component {part!r} may hold only letters, digits, '.', '_' and '-' "
                "(no URL, glob, drive or backslash characters)"
            )
    return None


def _open_folder(root: Path) -> int:
    try:
        return os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)  # the root is the caller's own
    except OSError as error:
        raise Refused("missing", f"{root} is not a readable folder ({error.strerror})") from None


def _parent(root: Path, path: str) -> tuple[int, str]:
    """The folder holding `path`, opened component by component from root without following symlinks."""
    problem = path_problem(path)
    if problem:
        raise Refused("unsafe-path", problem)
    *folders, name = path.split("/")
    current = _open_folder(root)
    for folder in folders:
        try:
            parent, current = current, os.open(folder, FOLDER_FLAGS, dir_fd=current)
        except OSError as error:
            reason = _why(error, current, folder, "folder ")
            os.close(current)
            raise Refused(*reason) from None
        os.close(parent)
    return current, name


def _open_in(root: Path, path: str, flags: int) -> int:
    folder, name = _parent(root, path)
    try:
        handle = os.open(name, flags, 0o644, dir_fd=folder)
    except OSError as error:
        raise Refused(*_why(error, folder, name)) from None
    finally:
        os.close(folder)
    if not stat.S_ISREG(os.fstat(handle).st_mode):
        os.close(handle)
        raise Refused("not-regular", f"{name} is not a regular file")
    return handle


def open_file(root: Path, path: str, max_bytes: int) -> int:
    """A descriptor of the regular file `root/path`, opened without following any symlink."""
    handle = _open_in(root, path, READ_FLAGS)
    size = os.fstat(handle).st_size
    if size > max_bytes:
        os.close(handle)
        raise Refused("too-large", f"{path} has {size:,} bytes, more than the limit of {max_bytes:,}")
    return handle


def _why(error: OSError, folder: int, name: str, kind: str = "") -> tuple[str, str]:
    """The reason and the words for a component that could not be opened."""
    if error.errno == errno.ENOENT:
        return "missing", f"{kind}{name} does not exist"
    try:
        link = stat.S_ISLNK(os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode)
    except OSError:
        link = False
    if link or error.errno == errno.ELOOP:
        return "not-regular", f"{kind}{name} is a symbolic link"
    if error.errno == errno.ENOTDIR:
        return "not-regular", f"{kind}{name} is not a folder"
    return "not-regular", f"{kind}{name} cannot be opened ({error.strerror})"


def read_from(handle: int, max_bytes: int) -> bytes:
    """All bytes of an open file, refusing more than max_bytes (a file can grow, or lie about its size)."""
    chunks, total = [], 0
    while chunk := os.pread(handle, min(MIB * 16, max_bytes + 1 - total), total):
        chunks.append(chunk)
        total += len(chunk)
        if total > max_bytes:
            raise Refused("too-large", f"more than the limit of {max_bytes:,} bytes")
    return b"".join(chunks)


def read_bytes(root: Path, path: str, max_bytes: int) -> bytes:
    handle = open_file(root, path, max_bytes)
    try:
        return read_from(handle, max_bytes)
    finally:
        os.close(handle)


def engine_path(handle: int) -> str:
    """A name for an open file that engines which only take paths can read: nothing but digits in it."""
    return f"/dev/fd/{handle}"


@contextmanager
def opened(root: Path, path: str, max_bytes: int) -> Iterator[int]:
    handle = open_file(root, path, max_bytes)
    try:
        yield handle
    finally:
        os.close(handle)


def append(root: Path, path: str, data: bytes, max_bytes: int = MAX_TABLE_BYTES) -> None:
    """Append to `root/path` in one O_APPEND write (lines already there stay byte for byte, and parallel
    runs do not interleave), creating a missing file; the same path rules as reading."""
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    handle = _open_in(root, path, flags)
    try:
        if os.fstat(handle).st_size + len(data) > max_bytes:
            raise Refused("too-large", f"{path} would pass the limit of {max_bytes:,} bytes")
        os.write(handle, data)
    finally:
        os.close(handle)


def rewrite(root: Path, path: str, data: bytes, max_bytes: int = MAX_TABLE_BYTES) -> None:
    """Replace the contents of the regular file `root/path`, creating it if missing; the same path rules
    as reading, and nothing is truncated before the file is known to be a regular one."""
    if len(data) > max_bytes:
        raise Refused("too-large", f"{path} would pass the limit of {max_bytes:,} bytes")
    handle = _open_in(root, path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        os.ftruncate(handle, 0)
        written = 0
        while written < len(data):
            written += os.pwrite(handle, data[written:], written)
    finally:
        os.close(handle)
