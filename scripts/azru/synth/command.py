"""`azru synth`: write a valid synthetic package of any size, for tests and benchmarks."""

import argparse
import sys
import time
from pathlib import Path

from azru import exits, guarded
from azru.cli import output_folder
from azru.package import DESCRIPTOR, load

from . import write_package
from .context import MAX_EVENTS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--events",
        type=int,
        required=True,
        metavar="N",
        help="number of events; the other tables scale with it",
    )
    parser.add_argument("out", type=output_folder, metavar="OUT", help="directory to write; must be new or empty")
    parser.add_argument("--seed", type=int, default=0, help="the same seed gives the same bytes (default 0)")
    parser.add_argument(
        "--like",
        type=Path,
        default=Path("."),
        metavar="PATH",
        help="the package to imitate, one `azru validate` accepts: its descriptor and codelists are copied "
        "(default: the current folder)",
    )


def run(args: argparse.Namespace) -> int:
    if not 1 <= args.events <= MAX_EVENTS:
        return refuse(f"--events must be between 1 and {MAX_EVENTS}", exits.USAGE)
    if args.out.exists() and any(args.out.iterdir()):
        return refuse(f"{args.out} is not empty", exits.USAGE)
    if not args.like.is_dir():
        return refuse(f"{args.like} is not a folder (--like names the package to imitate)", exits.USAGE)
    try:
        like = load(args.like)
    except guarded.Refused as error:
        if error.reason == "missing":
            where = args.like.resolve()
            return refuse(
                f"{where} holds no {DESCRIPTOR}: run in a package folder or name one with --like", exits.USAGE
            )
        return refuse(f"cannot read {args.like / DESCRIPTOR}: {error}", exits.INVALID)
    except ValueError as error:  # not UTF-8, or not JSON
        return refuse(f"{args.like / DESCRIPTOR} is not JSON: {error}", exits.INVALID)
    started = time.perf_counter()
    try:
        write_package(args.out, like, args.events, args.seed)
    except guarded.Refused as error:
        return refuse(f"cannot imitate {args.like}: {error}", exits.INVALID)
    except OSError as error:  # the output folder could not be written: full, read-only, or not a real folder
        return refuse(f"cannot write {args.out}: {error}", exits.INVALID)
    print(f"azru synth: wrote {args.events} events to {args.out} in {time.perf_counter() - started:.1f} s")
    return exits.OK


def refuse(message: str, exit_code: int) -> int:
    print(f"azru synth: {message}", file=sys.stderr)
    return exit_code
