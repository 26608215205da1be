"""Citable and readable by the ecosystem: the descriptor's citation metadata, the dialect every reader needs,
and the v1 `datapackage` library reading every table, of the repository and of the zip, with its keys."""

import csv
import json
import re
import shutil
import warnings
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from azru.package import FIELD_PROPERTIES, NAMESPACE, RESOURCE_PROPERTIES, load
from azru.release.documents import read_documents
from azru.release.package_zip import write_zip
from azru.validate.descriptor import DIALECT

ROOT = Path(__file__).resolve().parents[1]
DESCRIPTOR = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))

# Data Package v2's properties (datapackage.org/standard); anything else must be a documented azru: one.
PACKAGE_PROPERTIES = {
    "$schema", "name", "id", "licenses", "title", "description", "homepage", "image", "version", "created",
    "keywords", "contributors", "sources", "resources",
}  # fmt: skip
RESOURCE_V2_PROPERTIES = {
    "name", "path", "data", "type", "$schema", "title", "description", "homepage", "format", "mediatype",
    "encoding", "bytes", "hash", "sources", "licenses", "dialect", "schema",
}  # fmt: skip
# The roles the v2 spec names as useful, and DataCite's contributor types in the spec's camelCase.
RECOGNISED_ROLES = {
    "creator", "contact", "rightsHolder", "dataCurator", "contactPerson", "dataCollector", "dataManager",
    "distributor", "editor", "hostingInstitution", "producer", "projectLeader", "projectManager",
    "projectMember", "researcher", "researchGroup", "sponsor", "supervisor",
}  # fmt: skip
DIALECT_KEYS = ("delimiter", "quoteChar", "doubleQuote", "header")


def test_every_table_declares_the_dialect_azru_reads() -> None:
    wanted = {key: DIALECT[key] for key in DIALECT_KEYS}
    assert {r["name"]: r.get("dialect") for r in DESCRIPTOR["resources"]} == {
        r["name"]: wanted for r in DESCRIPTOR["resources"]
    }


def test_descriptor_has_only_standard_or_azru_properties() -> None:
    assert set(DESCRIPTOR) <= PACKAGE_PROPERTIES
    for resource in DESCRIPTOR["resources"]:
        assert set(resource) <= RESOURCE_V2_PROPERTIES | set(RESOURCE_PROPERTIES), resource["name"]
        for field in resource["schema"]["fields"]:
            assert {k for k in field if k.startswith(NAMESPACE)} <= set(FIELD_PROPERTIES), field["name"]


def test_descriptor_says_how_to_cite_it() -> None:
    assert re.fullmatch(r"https://\S+", DESCRIPTOR["id"]) and DESCRIPTOR["homepage"] == DESCRIPTOR["id"]
    assert (ROOT / DESCRIPTOR["image"]).is_file()
    assert re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+", DESCRIPTOR["version"])
    assert re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z", DESCRIPTOR["created"])
    data, quotes = DESCRIPTOR["licenses"]
    assert data["name"] == "CC-BY-4.0"
    assert "claims.quote" in quotes["title"] and "right of quotation" in quotes["title"]
    roles = {role for contributor in DESCRIPTOR["contributors"] for role in contributor["roles"]}
    assert "creator" in roles and roles <= RECOGNISED_ROLES


def test_descriptor_sources_name_title_archive_file_and_hash() -> None:
    with open(ROOT / "data" / "sources.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [set(source) for source in DESCRIPTOR["sources"]] == [{"title", "path", "version"}] * len(rows)
    assert [s["version"] for s in DESCRIPTOR["sources"]] == [f"sha256:{row['sha256']}" for row in rows]


# --- the v1 `datapackage` library -------------------------------------------------------------------------


@contextmanager
def v1_library_quietly() -> Iterator[Any]:
    """datapackage-py, whose tableschema subclasses a jsonschema validator and leaves its profile files open:
    its warnings are its own, not the package's."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Subclassing validator classes", DeprecationWarning)
        warnings.simplefilter("ignore", ResourceWarning)
        import datapackage  # slow to import; only these tests need it

        yield datapackage


def csv_rows(path: Path) -> int:
    with open(path, encoding="utf-8", newline="") as handle:
        return sum(1 for _ in csv.DictReader(handle))


@pytest.fixture(scope="module")
def unzipped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("zip")
    with zipfile.ZipFile(write_zip(load(ROOT), out / "package.zip", read_documents(load(ROOT)))) as archive:
        archive.extractall(out / "package")
    return out / "package"


@pytest.mark.slow
@pytest.mark.parametrize("where", ["repository", "zip"])
def test_v1_datapackage_library_reads_every_table_with_its_foreign_keys(where: str, unzipped: Path) -> None:
    root = ROOT if where == "repository" else unzipped
    with v1_library_quietly() as datapackage:
        package = datapackage.Package(str(root / "datapackage.json"))
        assert package.errors == []
        # v1 spells a self-reference `"resource": ""` where v2 omits it: the v1 library calls such a schema
        # invalid, and still reads its table and checks its foreign keys, self-references included
        for resource in package.resources:
            for error in resource.schema.errors:
                assert "'reference': {'fields': [" in str(error) and "resource" not in str(error).split(" is not")[0]
        read = {r.name: len(r.read(relations=True)) for r in package.resources}
    assert read == {r["name"]: csv_rows(root / r["path"]) for r in DESCRIPTOR["resources"]}


@pytest.mark.slow
def test_v1_datapackage_library_checks_the_self_reference(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copy(ROOT / "datapackage.json", tmp_path)
    actors = tmp_path / "data" / "actors.csv"
    with open(actors, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[0]["parent_actor_id"] = "act-0000000000"
    with open(actors, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    with v1_library_quietly() as datapackage:
        resource = datapackage.Package(str(tmp_path / "datapackage.json")).get_resource("actors")
        with pytest.raises(datapackage.exceptions.RelationError, match="act-0000000000"):
            resource.read(relations=True)


# --- CITATION.cff and .zenodo.json ------------------------------------------------------------------------

# The CFF 1.2.0 schema as the cffconvert 2.0.0 wheel ships it (cffconvert/schemas/1.2.0/schema.json, from
# https://github.com/citation-file-format/citation-file-format/blob/1.2.0/schema.json), vendored because
# cffconvert pins jsonschema 3.2, which frictionless's jsonschema>=4.20 rules out.
CFF_SCHEMA = Path(__file__).with_name("citation-file-format-1.2.0.schema.json")


class CffLoader(yaml.SafeLoader):  # type: ignore[misc]
    """YAML as cffconvert reads it: a date stays the string it is written as."""


CffLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


def citation() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.load((ROOT / "CITATION.cff").read_text(encoding="utf-8"), Loader=CffLoader)
    return loaded


def test_citation_cff_is_valid_cff_1_2_0() -> None:
    schema = json.loads(CFF_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    assert [error.message for error in validator.iter_errors(citation())] == []


def test_citation_files_say_what_the_descriptor_says() -> None:
    cff, zenodo = citation(), json.loads((ROOT / ".zenodo.json").read_text(encoding="utf-8"))
    creators = [c["title"] for c in DESCRIPTOR["contributors"] if "creator" in c["roles"]]
    assert (cff["title"], cff["version"], cff["keywords"]) == (
        DESCRIPTOR["title"],
        DESCRIPTOR["version"],
        DESCRIPTOR["keywords"],
    )
    assert (zenodo["title"], zenodo["version"], zenodo["keywords"]) == (
        DESCRIPTOR["title"],
        DESCRIPTOR["version"],
        DESCRIPTOR["keywords"],
    )
    assert [a["name"] for a in cff["authors"]] == [c["name"] for c in zenodo["creators"]] == creators
    assert cff["license"] == DESCRIPTOR["licenses"][0]["name"] == zenodo["license"].upper()
    assert cff["date-released"] == DESCRIPTOR["created"][:10]
    assert cff["url"] == DESCRIPTOR["homepage"]


# --- docs/reading-csv.md: every table read directly, as the document shows ----------------------------------

READING = (ROOT / "docs" / "reading-csv.md").read_text(encoding="utf-8")
PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", READING, re.DOTALL)
SQL_EXAMPLES = re.findall(r"```sql duckdb\n(.*?)```\n\s*```text\n(.*?)```", READING, re.DOTALL)
# What each reader calls the descriptor's types.
READER_TYPES = {
    "pandas": {"string": "string", "integer": "Int64", "boolean": "boolean"},
    "duckdb": {"string": "VARCHAR", "integer": "BIGINT", "boolean": "BOOLEAN"},
    "polars": {"string": "String", "integer": "Int64", "boolean": "Boolean"},
}


def run_block(reader: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The document's Python example for `reader`, run from the repository root; its variables."""
    (block,) = [b for b in PYTHON_BLOCKS if f"import {reader}" in b]
    monkeypatch.chdir(ROOT)
    names: dict[str, Any] = {}
    exec(compile(block, "docs/reading-csv.md", "exec"), names)
    return names


def read_as_documented(reader: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, tuple[list[str], list[Any]]]:
    """Each table's column types and first column, read by the document's example for `reader`."""
    names = run_block(reader, monkeypatch)
    if reader == "duckdb":
        con = names["con"]
        return {
            r["name"]: (
                [kind for _, kind, *_ in con.sql(f"DESCRIBE {r['name']}").fetchall()],
                [row[0] for row in con.sql(f"SELECT * FROM {r['name']}").fetchall()],
            )
            for r in DESCRIPTOR["resources"]
        }
    return {
        name: ([str(dtype) for dtype in frame.dtypes], list(frame[frame.columns[0]]))
        for name, frame in names["tables"].items()
    }


@pytest.mark.parametrize("reader", [pytest.param("pandas", marks=pytest.mark.slow), "duckdb", "polars"])
def test_documented_readers_give_the_descriptor_types_and_keep_namibia(
    reader: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    read = read_as_documented(reader, monkeypatch)
    assert {name: kinds for name, (kinds, _) in read.items()} == {
        r["name"]: [READER_TYPES[reader][f["type"]] for f in r["schema"]["fields"]] for r in DESCRIPTOR["resources"]
    }
    assert {name: len(column) for name, (_, column) in read.items()} == {
        r["name"]: csv_rows(ROOT / r["path"]) for r in DESCRIPTOR["resources"]
    }
    assert "NA" in read["countries"][1]  # Namibia's code, not a missing value


def test_documented_duckdb_queries_give_the_output_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    import duckdb

    monkeypatch.chdir(ROOT)
    assert SQL_EXAMPLES
    for sql, expected in SQL_EXAMPLES:
        result = duckdb.sql(sql)
        assert result is not None, sql
        lines = [result.columns, *result.fetchall()]
        assert "".join(" | ".join(map(str, line)) + "\n" for line in lines) == expected, sql
