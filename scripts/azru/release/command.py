"""`azru build PACKAGE --out DIST`: validate the package, then write its release (azru.release)."""

import argparse
import os
import sys
import time
from pathlib import Path

from azru import exits, guarded
from azru.cli import output_folder
from azru.package import DESCRIPTOR
from azru.release import build
from azru.release.output import ANNOTATIONS
from azru.typed import BuildError
from azru.validate import DEFAULT_LIMIT, render, validate


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("package", type=Path, nargs="?", default=Path("."), help="package folder (default: .)")
    parser.add_argument("--out", type=output_folder, default=Path("dist"), help="output folder (default: dist)")
    parser.add_argument(
        "--archive",
        type=Path,
        default=os.environ.get("AZRU_ARCHIVE") or None,
        help="folder of archived source documents, for the validation before building and for annotations.jsonld "
        "(default: $AZRU_ARCHIVE)",
    )


def run(args: argparse.Namespace) -> int:
    if not (args.package / DESCRIPTOR).is_file():
        print(f"azru build: {args.package} has no {DESCRIPTOR}", file=sys.stderr)
        return exits.USAGE
    if args.archive is not None and not args.archive.is_dir():
        print(f"azru build: archive {args.archive} is not a folder", file=sys.stderr)
        return exits.USAGE
    started = time.perf_counter()
    # a release is built only from a valid package: everything the writers do relies on what validate checks
    report = validate(args.package, args.archive)
    if report.invalid:
        print(render(report, "text", DEFAULT_LIMIT), file=sys.stderr)
        print(f"azru build: {args.package} is not valid, so nothing was built", file=sys.stderr)
        return exits.INVALID
    try:
        built = build(args.package, args.out, args.archive)
    except (BuildError, guarded.Refused) as exc:
        print(f"azru build: {exc}", file=sys.stderr)
        return exits.INVALID
    except OSError as exc:  # the output folder could not be written: full, read-only, or not a real folder
        print(f"azru build: cannot write the release into {args.out}: {exc}", file=sys.stderr)
        return exits.INVALID
    if args.archive is None:
        print(
            f"azru build: no archive given, so no {ANNOTATIONS} (pass --archive DIR or set AZRU_ARCHIVE)",
            file=sys.stderr,
        )
    total = sum(path.stat().st_size for path in built)
    print(f"built {len(built)} files ({total:,} bytes) in {args.out} in {time.perf_counter() - started:.1f} s")
    return exits.OK
