"""The data package as published: a zip of the descriptor (with each file's bytes and hash), every CSV and
the release's documents, with fixed timestamps and modes so the same package always zips to the same bytes."""

import copy
import hashlib
import json
import zipfile
from pathlib import Path

from azru.package import DESCRIPTOR, Package

ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can record
ZIP_MODE = 0o100644  # a regular file, rw-r--r--
ZIP_UNIX = 3  # "made on Unix", so the mode bits are read the same everywhere


def write_zip(package: Package, path: Path, documents: dict[str, bytes]) -> Path:
    """`documents` by their path in the package, where the zip puts them too, so their links still work."""
    descriptor = copy.deepcopy(package.descriptor)
    members = dict(documents)
    for resource in descriptor["resources"]:
        data = package.read_bytes(resource["path"])  # so each member's name is a plain path inside the package
        resource["bytes"] = len(data)
        resource["hash"] = f"sha256:{hashlib.sha256(data).hexdigest()}"
        members[resource["path"]] = data
    members[DESCRIPTOR] = (json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n").encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIMESTAMP)
            info.create_system = ZIP_UNIX
            info.external_attr = ZIP_MODE << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, members[name], compresslevel=9)
    return path
