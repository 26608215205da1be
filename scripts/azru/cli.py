"""The `azru` command: one sub-command per module, each with `add_arguments` and `run`."""

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path

from . import exits

# sub-command -> (module, one-line help)
COMMANDS = {
    "validate": ("azru.validate.command", "check the package: schema, files, keys, semantics, provenance"),
    "build": ("azru.release.command", "build dist/: zip, Parquet, SQLite, NDJSON, codebook, figure"),
    "schemas": ("azru.generate", "regenerate JSON Schemas, codebook, error catalogue, countries"),
    "synth": ("azru.synth.command", "write a valid synthetic package with its own archive"),
    "places": ("azru.places", "copy coordinates from the gazetteer into data/places.csv (a maintainer's tool)"),
    "new": ("azru.new", "scaffold a row with a fresh id"),
    "diff": ("azru.diff", "summarise rows added, changed and removed between two versions"),
}


def output_folder(text: str) -> Path:
    """An argument naming the folder a command writes into: refused when empty (which Path reads as the current
    folder) or when it names something that is not a folder, before any work is done."""
    if not text:
        raise argparse.ArgumentTypeError("an empty path names no folder")
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is not a folder")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--version"]:
        print(f"azru {version('azru')}")  # the installed package's, so it cannot drift from pyproject.toml
        return exits.OK
    if not args or args[0] not in COMMANDS:
        listing = "\n".join(f"  {name:<10}{help_text}" for name, (_, help_text) in COMMANDS.items())
        usage = (
            f"usage: azru COMMAND [options]\n       azru --version\n\ncommands:\n{listing}\n\n"
            "azru COMMAND --help for its options"
        )
        asked = bool(args) and args[0] in ("-h", "--help")
        print(usage, file=sys.stdout if asked else sys.stderr)
        if args and not asked:
            print(f"azru: unknown command {args[0]!r}", file=sys.stderr)
        return exits.OK if asked else exits.USAGE
    # only the chosen command's module is imported: a slow or broken one cannot affect the others
    module_name, help_text = COMMANDS[args[0]]
    module = importlib.import_module(module_name)
    parser = argparse.ArgumentParser(prog=f"azru {args[0]}", description=help_text)
    module.add_arguments(parser)
    try:
        parsed = parser.parse_args(args[1:])
    except SystemExit as stop:  # argparse has printed --help (0) or what is wrong with the arguments (2)
        return exits.OK if stop.code == 0 else exits.USAGE
    try:
        return int(module.run(parsed))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # the reader stopped reading, which is its choice, not a bug; stdout is pointed at /dev/null so
        # that flushing it at exit does not fail again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return exits.STDOUT_CLOSED
    except Exception as exc:  # the last line of defence: a bug, never bad input
        print(f"azru: internal error ({type(exc).__name__}: {exc}); please report it", file=sys.stderr)
        return exits.INTERNAL


if __name__ == "__main__":
    sys.exit(main())
