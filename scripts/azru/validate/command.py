"""`azru validate`: every rule in the catalogue, over the descriptor, the files, the cells, the keys, the
semantics and (with an archive) the provenance of a package. Finds everything in one run."""

import argparse
import os
import sys
from pathlib import Path

from .. import exits
from . import trusted, validate
from .report import DEFAULT_LIMIT, render


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("package", nargs="?", default=".", help="package folder (default: .)")
    parser.add_argument(
        "--archive",
        default=os.environ.get("AZRU_ARCHIVE") or None,
        help="folder of archived source documents (default: $AZRU_ARCHIVE)",
    )
    parser.add_argument(
        "--trusted",
        metavar="PATH_OR_GIT_REF",
        help="take the rules from this trusted copy (a package folder, its datapackage.json, or a git revision "
        "such as origin/main) and report every way the package's own datapackage.json differs from it",
    )
    parser.add_argument("--format", choices=("text", "json", "github"), default="text")
    parser.add_argument(
        "--max-per-code",
        type=int,
        default=DEFAULT_LIMIT,
        metavar="N",
        help=f"show at most N findings of each code, 0 for all (default {DEFAULT_LIMIT})",
    )


def run(args: argparse.Namespace) -> int:
    root = Path(args.package)
    archive = Path(args.archive) if args.archive else None
    if not root.is_dir():
        print(f"azru validate: {root} is not a folder", file=sys.stderr)
        return exits.USAGE
    if archive is not None and not archive.is_dir():
        print(f"azru validate: archive {archive} is not a folder", file=sys.stderr)
        return exits.USAGE
    try:
        rules = trusted.load(args.trusted, root) if args.trusted else None
    except trusted.TrustError as error:
        print(f"azru validate: {error}", file=sys.stderr)
        return exits.USAGE
    report = validate(root, archive, rules)
    print(render(report, args.format, args.max_per_code))
    return exits.INVALID if report.invalid else exits.OK
