"""`azru schemas`: everything derived from datapackage.json and azru.rules, written by one command.

JSON Schemas (draft-07, one per table, describing a typed row as in the NDJSON release), the
codebook, the error catalogue, the ISO 3166 country codelist, the timeline figure, the
descriptor's `sources` list (from data/sources.csv), CITATION.cff and .zenodo.json (azru.citation) and the
counts quoted in DATASHEET.md.
tests/test_generated.py fails with "run `make schemas`" when any of them is stale.
"""

import argparse
import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pycountry

from . import citation, exits, flat, timeline
from .package import EDTF, EVIDENCED, ID_PREFIX, NAMESPACE, SEARCHABLE, SINGULAR, Package, Table, load
from .typed import typed_frame
from .validate.rules import RULES

JSON_SCHEMA_DRAFT = "http://json-schema.org/draft-07/schema#"
JSON_TYPES = {"string": "string", "integer": "integer", "boolean": "boolean"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("package", nargs="?", default=".", help="package folder (default: .)")


def run(args: argparse.Namespace) -> int:
    root = Path(args.package)
    for rel, content in generated_files(root).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != content:
            path.write_text(content, encoding="utf-8", newline="\n")
            print(f"wrote {rel}")
    return exits.OK


def generated_files(root: Path) -> dict[str, str]:
    """Relative path -> exact content of every generated file."""
    countries = countries_csv()
    files = {"data/codelists/countries.csv": countries}
    package = load(root)
    codes = {t.name: _codes(root / t.path) for t in package.codelists}
    codes["countries"] = [row[0] for row in csv.reader(io.StringIO(countries))][1:]
    for table in package.fact_tables:
        files[f"schemas/{table.name}.schema.json"] = _dump(json_schema(table, package, codes))
    files["docs/codebook.md"] = codebook(package, root)
    files["docs/errors.md"] = error_catalogue()
    files["docs/timeline.svg"] = timeline_figure(package)
    descriptor = {**package.descriptor, "sources": descriptor_sources(package)}
    files["datapackage.json"] = _dump(descriptor)
    files[citation.CITATION] = citation.citation_cff(descriptor)
    files[citation.ZENODO] = citation.zenodo_json(descriptor)
    files[DATASHEET] = with_counts((root / DATASHEET).read_text(encoding="utf-8"), package)
    return files


DATASHEET = "DATASHEET.md"
# <!-- count:TABLE -->…<!-- /count --> or <!-- count:TABLE.FIELD=VALUE -->…<!-- /count -->, VALUE as the CSV has it
COUNT_MARKER = re.compile(
    r"<!-- count:(?P<key>(?P<table>[a-z_]+)(?:\.(?P<field>[a-z_]+)=(?P<value>\S*))?) -->.*?<!-- /count -->"
)


def with_counts(text: str, package: Package) -> str:
    """The text with every count marker holding the number of rows it names, so prose never goes stale."""
    rows: dict[str, list[dict[str, str]]] = {}

    def count(marker: re.Match[str]) -> str:
        table, field, value = marker["table"], marker["field"], marker["value"]
        if table not in package.tables or (field and field not in package.tables[table].field_names):
            raise ValueError(f"{DATASHEET}: {marker[0]} names no table or field of the package")
        if table not in rows:
            data = package.read_bytes(package.tables[table].path).decode("utf-8")
            rows[table] = list(csv.DictReader(io.StringIO(data, newline="")))
        n = sum(1 for row in rows[table] if field is None or row[field] == value)
        return f"<!-- count:{marker['key']} -->{n}<!-- /count -->"

    return COUNT_MARKER.sub(count, text)


def timeline_figure(package: Package) -> str:
    """The timeline of the package's events, as a release draws it."""
    return timeline.figure({name: typed_frame(package, package.tables[name]) for name in timeline.TABLES})


def descriptor_sources(package: Package) -> list[dict[str, str]]:
    """The descriptor's `sources`, one per archived document, derived from data/sources.csv: its title (in
    English when it has a rendering), its file in the archive, and the hash of the archived copy as its
    version, so that a later copy of the same address is a different source."""
    data = package.read_bytes(package.tables["sources"].path).decode("utf-8")
    return [
        {"title": row["title_en"] or row["title"], "path": row["file_name"], "version": f"sha256:{row['sha256']}"}
        for row in csv.DictReader(io.StringIO(data, newline=""))
    ]


def countries_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["code", "label", "definition"])
    for country in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        writer.writerow(
            [
                country.alpha_2,
                country.name,
                f"ISO 3166-1 alpha-2 code of {country.name} (numeric {country.numeric}).",
            ]
        )
    return out.getvalue()


def _codes(path: Path) -> list[str]:
    if not path.is_file():
        return []
    with open(path, encoding="utf-8", newline="") as handle:
        return [row["code"] for row in csv.DictReader(handle)]


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"


def json_schema(table: Table, package: Package, codes: dict[str, list[str]]) -> dict[str, Any]:
    """A row of the table with typed values (as in the NDJSON release); codelist fields as enums."""
    codelist_of = {local: target for local, target, _ in table.references() if package.tables[target].is_codelist}
    properties = {}
    for spec in table.fields:
        prop: dict[str, Any] = {"description": spec.description}
        c = spec.constraints
        if spec.name in codelist_of:
            prop["enum"] = codes[codelist_of[spec.name]]
        for key in ("pattern", "maxLength", "minLength", "minimum", "maximum"):
            if key in c:
                prop[key] = c[key]
        kind = JSON_TYPES.get(spec.type, "string")
        if spec.required:
            prop["type"] = kind
        else:
            prop["type"] = [kind, "null"]
            if "enum" in prop:
                prop["enum"] = [*prop["enum"], None]
        properties[spec.name] = prop
    return {
        "$schema": JSON_SCHEMA_DRAFT,
        "$id": f"{table.name}.schema.json",
        "title": table.name,
        "description": table.description,
        "type": "object",
        "properties": properties,
        "required": [f.name for f in table.fields],
        "additionalProperties": False,
    }


def codebook(package: Package, root: Path) -> str:
    lines = [
        "# Codebook",
        "",
        "Generated by `make schemas` from `datapackage.json` and the codelists; do not edit by hand.",
        "Empty cells mean missing. Dates are EDTF strings; countries ISO 3166-1 alpha-2; languages BCP 47.",
        "",
        f"The domain facts are properties of `datapackage.json` in the `{NAMESPACE}` namespace: a table's",
        f"`{ID_PREFIX}` starts each id `azru new` makes for it (then `-` and 10 random characters), its",
        f"`{SINGULAR}` is a name `azru new` also accepts, and `{EVIDENCED}` means every row needs a claim",
        "linked to it (the link table is the one with a foreign key `claim_id` into `claims`); a field's",
        f"`{EDTF}` makes it an EDTF date (checked by `azru validate`, with its earliest and latest day in the",
        f"release) and `{SEARCHABLE}` puts it in the release's full-text index.",
        "",
    ]
    claim_targets = package.claim_targets()
    links = link_table.name if (link_table := package.claim_links()) else None
    for table in package.fact_tables:
        lines += [
            f"## `{table.name}`",
            "",
            table.description,
            "",
            f"File: `{table.path}`. Primary key: `{', '.join(table.primary_key)}`.",
            *_domain_facts(table, claim_targets, links),
            "",
            "| field | type | required | constraints | references | domain | description |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        refs = {local: f"{target}.{remote}" for local, target, remote in table.references()}
        for spec in table.fields:
            constraints = ", ".join(f"{k} `{v}`" for k, v in spec.constraints.items() if k != "required")
            marks = ", ".join(
                f"`{key}`" for key, marked in ((EDTF, spec.is_edtf), (SEARCHABLE, spec.searchable)) if marked
            )
            lines.append(
                f"| `{spec.name}` | {spec.type} | {'yes' if spec.required else ''} | "
                f"{_cell(constraints)} | {refs.get(spec.name, '')} | {marks} | {_cell(spec.description)} |"
            )
        lines.append("")
    lines += flat_tables_section()
    lines += ["## Codelists", ""]
    for table in package.codelists:
        if table.name == "countries":
            lines += ["### `countries`", "", table.description, ""]
            continue
        lines += [f"### `{table.name}`", "", table.description, ""]
        with open(root / table.path, encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        lines.append("| " + " | ".join(rows[0]) + " |")
        lines.append("|" + " --- |" * len(rows[0]))
        lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows[1:]]
        lines.append("")
    return "\n".join(lines)


def flat_tables_section() -> list[str]:
    """The flat tables of the release (azru.flat), column by column, with their ACLED and UCDP GED equivalents."""
    lines = [
        "## Flat tables",
        "",
        "Derived by `azru build` from the tables above, never stored in `data/`: one row per row of the table",
        "each flattens, in its order, with codes spelled out, the place's coordinates, the actors, figures and",
        f"sources, to load without joins. A list holds each item once, `{flat.SEPARATOR}`-separated; a value",
        "comes from a cell of the row, of a row it names or of its linked claims, or from pycountry, and an",
        "empty input stays empty. In the release: in the zip as `data/derived/NAME.csv` with its Table Schema,",
        "as `parquet/NAME.parquet` and `ndjson/NAME.ndjson`, and as the table `NAME` of the SQLite database.",
        "",
    ]
    for table in flat.TABLES:
        lines += [
            f"### `{table.name}`",
            "",
            table.description,
            "",
            f"One row per row of `{table.flattens}`. Primary key: `{table.key}`.",
            "",
            "| column | type | required | ACLED | UCDP GED | description |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for column in table.columns:
            lines.append(
                f"| `{column.name}` | {column.type} | {'yes' if column.required else ''} | "
                f"{_code(column.acled)} | {_code(column.ucdp)} | {_cell(column.meaning)} |"
            )
        lines.append("")
    return lines


def _code(column: str) -> str:
    return f"`{column}`" if column else ""


def _domain_facts(table: Table, claim_targets: dict[str, str], links: str | None) -> list[str]:
    """The table's azru: properties, in words."""
    facts = []
    if table.id_prefix:
        facts.append(f"Ids: `{table.id_prefix}-` and 10 random characters (`{ID_PREFIX}`).")
    if table.singular:
        facts.append(f"Singular: `{table.singular}` (`{SINGULAR}`).")
    if table.evidenced:
        column = claim_targets.get(table.name)
        pointer = f" through `{links}.{column}`" if column and links else ""
        facts.append(f"Evidence needed: every row needs a claim linked to it{pointer} (`{EVIDENCED}`).")
    return facts


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def error_catalogue() -> str:
    lines = [
        "# Error catalogue",
        "",
        "Every code `azru validate` reports, generated from `scripts/azru/validate/rules.py` by `make schemas`.",
        "Each finding prints as `file:line:column: code: message (hint: ...)`; `--format json` gives all fields,",
        "`--format github` gives workflow annotations. Exit 0 valid, 1 invalid, 2 usage error, 3 internal error.",
        "",
    ]
    groups: dict[str, list[str]] = {}
    for rule in RULES.values():
        groups.setdefault(rule.group, []).append(
            f"| `{rule.code}` | {rule.level} | {_cell(rule.title)} | {_cell(rule.message)} | {_cell(rule.hint)} |"
        )
    for group, rows in groups.items():
        lines += [
            f"## {group}",
            "",
            "| code | level | title | message | hint |",
            "| --- | --- | --- | --- | --- |",
            *rows,
            "",
        ]
    return "\n".join(lines)
