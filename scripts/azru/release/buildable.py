"""What a valid package can hold but a release cannot: fields build reads by name, and names it makes (files,
columns, database objects) that cannot be or would be made twice. Found before anything is written."""

from collections import Counter

from azru import flat
from azru.package import Package
from azru.release.output import is_release_file, release_files
from azru.release.sqlite import claim_views, indexes, search_objects, searched_columns
from azru.typed import columns

# The fields build reads by name, for the timeline.
NEEDED = (("events", "event_type"), ("events", "date"), ("event_types", "code"), ("event_types", "label"))


def unbuildable(package: Package) -> list[str]:
    """What stands in the way of a release, each in a sentence."""
    return missing_parts(package) or name_clashes(package)  # names are made of the parts


def missing_parts(package: Package) -> list[str]:
    """The fields, keys and names that build reads by name but validate does not require."""
    problems = []
    for table_name, name in NEEDED:
        fields = package.tables[table_name].fields if table_name in package.tables else ()
        if not any(field.name == name and field.type == "string" for field in fields):
            problems.append(f"build needs a string field {name} in a table {table_name}")
    events = package.tables.get("events")
    if events and "date" in events.field_names and not events.field("date").is_edtf:
        problems.append("the timeline needs events.date to be an EDTF date (azru:edtf)")
    for table_name in searched_columns(package):
        if len(package.tables[table_name].primary_key) != 1:
            problems.append(f"the search index needs {table_name} to have a primary key of one field")
    return problems + [
        f"the descriptor needs a {key} (a string) to name the release files"
        for key in ("name", "version")
        if not isinstance(package.descriptor.get(key), str)
    ]


def name_clashes(package: Package) -> list[str]:
    """File, column and database names made from the descriptor that cannot be, or are made twice."""
    problems = [
        f"{name!r} is not a plain file name (letters, digits, '.', '_' and '-', at most 128): the descriptor's "
        "name and version and the table names make the release's file names"
        for name in release_files(package)
        if not is_release_file(name)
    ]
    for table in package.tables.values():
        problems += [
            f"{table.name} would have two columns named {name} (each EDTF field gets _lower and _upper columns)"
            for name, count in Counter(column.name for column in columns(table)).items()
            if count > 1
        ]
        problems += [
            f"{table.name}.{local}: SQLite can enforce a foreign key only into the primary key of {target}, "
            f"not into {remote}"
            for local, target, remote in table.references()
            if package.tables[target].primary_key != (remote,)
        ]
    objects = [
        *package.tables,
        *(table.name for table in flat.TABLES),
        *search_objects(package),
        *(name for name, _, _ in claim_views(package)),
        *(name for table in package.tables.values() for name, _ in indexes(table)),
    ]
    problems += [
        f"two objects in the database would be named {name} (tables, claim views, indexes and the full-text tables "
        "share one namespace)"
        for name, count in Counter(objects).items()
        if count > 1
    ]
    reserved = [name for name in objects if name.startswith("sqlite_")]
    return problems + [f"SQLite keeps names starting sqlite_ to itself: {name}" for name in reserved]
