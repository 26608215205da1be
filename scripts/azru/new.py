"""`azru new`: append one scaffolded row with a fresh random id, then say what is still to fill in.

Ids are random (`azru.ids.new_id`), never "the next integer", so two pull requests scaffolding rows at
the same time cannot collide. Rows are appended as they are, without rewriting the lines before them,
so a pull request's diff shows only the new line.
"""

import argparse
import csv
import io
import sys
from pathlib import Path

from azru import domain, exits, guarded, ids
from azru.package import DESCRIPTOR, Field, Package, Table, load, naming

# "unknown" is the honest value of a precision or basis while what it qualifies is empty; once a date
# or place is given, only the contributor can say how precise it is and where it came from.
UNKNOWN_WHILE_EMPTY = {
    "date_precision": ("date",),
    "date_basis": ("date",),
    "published_basis": ("published",),
    "location_precision": ("place", "country"),
}
# Longer codelists (countries) are named rather than printed in full.
MAX_CODES_SHOWN = 40

Row = dict[str, str]


class UsageError(Exception):
    """Input the command cannot act on: one line on stderr, exit 2."""


class PackageError(Exception):
    """The package is in a state a row cannot be appended to: exit 1."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "table", help="table to add a row to: one with an id prefix in datapackage.json, or its singular, e.g. claim"
    )
    parser.add_argument(
        "--set",
        dest="assignments",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="fill a field (repeatable)",
    )
    parser.add_argument(
        "--for",
        dest="target_id",
        metavar="ID",
        help="the row this one belongs to; its id prefix picks the column (evt- sets event_id, src- source_id)",
    )
    parser.add_argument("--package", type=Path, default=Path("."), help="package folder (default: .)")
    parser.add_argument("--no-input", action="store_true", help="never prompt, even on a terminal")


def run(args: argparse.Namespace) -> int:
    try:
        package = open_package(args.package)
        table, prefix = resolve_table(package, args.table)
        row: Row = {}
        supported: Row = {}  # for a claim: the link field naming the row it supports
        if args.target_id and table.name == domain.CLAIMS:
            supported = supported_row(package, args.target_id)
        elif args.target_id:
            row.update(link_to(package, table, args.target_id))
        row.update(parse_assignments(table, args.assignments))
    except UsageError as exc:
        print(f"azru new: {exc}", file=sys.stderr)
        return exits.USAGE
    except guarded.Refused as exc:
        print(f"azru new: {exc}", file=sys.stderr)
        return exits.INVALID
    try:
        if sys.stdin.isatty() and not args.no_input:
            ask_for_missing(package, table, row)
        fill_defaults(table, row)
        row[table.primary_key[0]] = ids.new_id(prefix)
        append_row(package, table, row)
        links = package.claim_links()
        if supported and links is not None and links.id_prefix:
            link = {links.primary_key[0]: ids.new_id(links.id_prefix), "claim_id": row["claim_id"], **supported}
            append_row(package, links, link)
    except (PackageError, guarded.Refused) as exc:
        print(f"azru new: {exc}", file=sys.stderr)
        return exits.INVALID
    report(package, table, row, linked=bool(supported))
    return exits.OK


def open_package(root: Path) -> Package:
    if not (root / DESCRIPTOR).is_file():
        raise UsageError(f"no {DESCRIPTOR} in {root}; pass the package folder with --package")
    return load(root)


def resolve_table(package: Package, name: str) -> tuple[Table, str]:
    """The table named by its name or singular, and the prefix of its ids: azru new makes rows only
    for tables with one."""
    table = package.tables.get(name) or package.table_for_singular(name)
    if table is None or table.id_prefix is None:
        expected = ", ".join(t.name for t in package.id_tables())
        raise UsageError(f"unknown table '{name}'; expected one of: {expected}")
    return table, table.id_prefix


def parse_assignments(table: Table, assignments: list[str]) -> Row:
    row: Row = {}
    for assignment in assignments:
        name, equals, value = assignment.partition("=")
        if not equals:
            raise UsageError(f"--set expects FIELD=VALUE, not '{assignment}'")
        if name not in table.field_names:
            raise UsageError(f"{table.name} has no field '{name}'; fields: {', '.join(table.field_names)}")
        if name in table.primary_key:
            raise UsageError(f"{name} is made by azru new and cannot be set")
        row[name] = value
    return row


def link_to(package: Package, table: Table, target_id: str) -> Row:
    """The column of ``table`` that points at ``target_id``'s table, set to ``target_id``."""
    target = package.table_for_prefix(target_id.partition("-")[0])
    if target is None:
        known = ", ".join(f"{t.id_prefix}-" for t in package.id_tables())
        raise UsageError(f"--for {target_id}: unknown id prefix; expected one of: {known}")
    column = table.field_pointing_at(target)
    if column is None:
        raise UsageError(f"--for {target_id}: a {table.name} row cannot point at a {target.name} row")
    if target_id not in package.read(target.name)[target.primary_key[0]].to_list():
        raise UsageError(f"--for {target_id}: no such row in {target.path}")
    return {column: target_id}


def supported_row(package: Package, target_id: str) -> Row:
    """The link field naming ``target_id``, a row a claim can support, set to it."""
    links = package.claim_links()
    if links is None:
        raise UsageError(f"--for {target_id}: no table links claims to the rows they support")
    return link_to(package, links, target_id)


def default_for(table: Table, field: Field, row: Row) -> str | None:
    if field.type == "boolean":
        return "false"
    qualified = [name for name in UNKNOWN_WHILE_EMPTY.get(field.name, ()) if name in table.field_names]
    if qualified and not any(row.get(name) for name in qualified):
        return "unknown"
    return None


def fill_defaults(table: Table, row: Row) -> None:
    for field in table.fields:
        default = default_for(table, field, row)
        if not row.get(field.name) and default is not None:
            row[field.name] = default


def ask_for_missing(package: Package, table: Table, row: Row) -> None:
    """Prompt (on stderr, so stdout stays the new id) for each required field still empty.

    The fields that decide a default (date, place, ...) are asked too, just before the field they qualify.
    """
    deciders = {name for qualifier in table.field_names for name in UNKNOWN_WHILE_EMPTY.get(qualifier, ())}
    for field in table.fields:
        wanted = field.required or field.name in deciders
        if field.name in table.primary_key or row.get(field.name) or not wanted:
            continue
        try:
            row[field.name] = ask(field, allowed_codes(package, table, field), default_for(table, field, row))
        except EOFError:
            return


def ask(field: Field, codes: list[str], default: str | None) -> str:
    say(f"\n{field.name}{'' if field.required else ' (optional)'}: {field.description}\n")
    if len(codes) > MAX_CODES_SHOWN:
        say(f"  {len(codes)} codes, e.g. {', '.join(codes[:5])}\n")
    elif codes:
        say(f"  codes: {', '.join(codes)}\n")
    while True:
        say(f"{field.name}{f' [{default}]' if default else ''}: ")
        line = sys.stdin.readline()
        if not line:
            raise EOFError
        answer = line.strip() or default or ""
        if not answer or not codes or answer in codes:
            return answer
        say(f"  '{answer}' is not one of the codes above\n")


def say(text: str) -> None:
    sys.stderr.write(text)
    sys.stderr.flush()


def allowed_codes(package: Package, table: Table, field: Field) -> list[str]:
    """The values a coded field takes: a boolean's two, or the codes of the codelist it references."""
    if field.type == "boolean":
        return [*field.spec.get("trueValues", ["true"]), *field.spec.get("falseValues", ["false"])]
    for local, target, key in table.references():
        codelist = package.tables.get(target)
        if local == field.name and codelist is not None and codelist.is_codelist:
            try:
                return [code for code in package.read(target)[key].to_list() if code is not None]
            except guarded.Refused as error:
                if error.reason == "missing":  # countries.csv is generated by `make schemas` and may not be there yet
                    return []
                raise
    return []


def append_row(package: Package, table: Table, row: Row) -> None:
    header = table.field_names
    try:
        existing = package.read_bytes(table.path).decode("utf-8", "replace")
    except guarded.Refused as error:
        if error.reason != "missing":
            raise
        existing = ""
    found_header = next(csv.reader([existing.partition("\n")[0]]), []) if existing else None
    if found_header is not None and found_header != header:
        raise PackageError(f"the header of {table.path} differs from {DESCRIPTOR}; run azru validate")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if found_header is None:
        writer.writerow(header)
    elif not existing.endswith("\n"):
        buffer.write("\n")
    writer.writerow([row.get(name, "") for name in header])
    with naming(table.path):
        guarded.append(package.root, table.path, buffer.getvalue().encode("utf-8"))


def report(package: Package, table: Table, row: Row, linked: bool = False) -> None:
    row_id = row[table.primary_key[0]]
    print(row_id)
    say(f"added {row_id} to {table.path}\n")
    missing = [f.name for f in table.fields if f.required and not row.get(f.name)]
    if missing:
        say(f"still to fill in: {', '.join(missing)}\n")
    links = package.claim_links()
    if table.name == domain.CLAIMS and links is not None and not linked:
        fields = ", ".join(package.claim_targets().values())
        say(f"link it to each row it supports: azru new {links.singular or links.name} --for {row_id} --set FIELD=ID\n")
        say(f"(FIELD one of {fields}), or scaffold claims with --for ID\n")
    if table.evidenced:
        say(f"add its evidence: azru new claim --for {row_id}\n")
