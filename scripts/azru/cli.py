"""The `azru` command: one sub-command per module, each with `add_arguments` and `run`."""

import argparse
import importlib
import sys
from collections.abc import Sequence

# sub-command -> (module, one-line help)
COMMANDS = {
    "validate": ("azru.validate", "check the package: schema, files, keys, semantics, provenance"),
    "build": ("azru.build", "build dist/: zip, Parquet, SQLite, NDJSON, codebook, figure"),
    "schemas": ("azru.generate", "regenerate JSON Schemas, codebook, error catalogue, countries"),
    "synth": ("azru.synth", "write a valid synthetic package with its own archive"),
    "new": ("azru.new", "scaffold a row with a fresh id"),
    "diff": ("azru.diff", "summarise rows added, changed and removed between two versions"),
}

EXIT_INTERNAL = 3


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="azru", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    modules = {}
    for name, (module_name, help_text) in COMMANDS.items():
        module = importlib.import_module(module_name)
        modules[name] = module
        module.add_arguments(sub.add_parser(name, help=help_text, description=help_text))
    args = parser.parse_args(argv)
    try:
        return int(modules[args.command].run(args))
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the last line of defence: a bug, never bad input
        print(f"azru: internal error ({type(exc).__name__}: {exc}); please report it", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
