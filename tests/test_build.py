"""`azru build`: every row in every format and in CSV order, reproducible bytes, a SQLite database that
enforces keys, searches and serves in datasette, a valid zipped data package with the documents beside the
data, and docs whose queries hold.

Each package is built once per session: the repository as it stands, and a small sample with rows in every
fact table (the repository's tables may still be empty) using the repository's descriptor and codelists.
"""

import contextlib
import csv
import hashlib
import io
import json
import re
import shutil
import sqlite3
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import duckdb
import pyarrow.parquet as pq
import pytest
from azru import flat, guarded
from azru.cli import main
from azru.generate import timeline_figure
from azru.package import load
from azru.release import build
from azru.release.output import DOCUMENTS
from azru.release.package_zip import write_zip
from azru.release.parquet import ARROW_TYPES
from azru.release.sqlite import SQLITE_TYPES, search_objects, search_table, searched_columns
from azru.sql import identifier
from azru.typed import DAY, POLARS_TYPES
from frictionless import Package as FrictionlessPackage
from releases import NAME, REPO, Built, datasette_get, search_hits

QUERYING = REPO / "docs" / "querying.md"
README = REPO / "README.md"
RAID, SUMMONS, UNDATED = "evt-0000000001", "evt-0000000002", "evt-0000000003"
AZ, RU, MINISTRY = "act-0000000001", "act-0000000002", "act-0000000003"
SOURCE, DETENTION = "src-0000000001", "det-0000000001"
SAMPLE: dict[str, list[dict[str, str]]] = {
    "sources": [
        {
            "source_id": SOURCE,
            "file_name": "001.txt",
            "title": "Sample report",
            "language": "en",
            "published": "2025-07-01",
            "published_basis": "stated",
            "description": "A sample report.",
            "sha256": "0" * 64,
            "bytes": "120",
        }
    ],
    "actors": [
        {"actor_id": AZ, "name_en": "Azerbaijan", "actor_type": "state", "sensitive": "false"},
        # names its parent before the parent's row: the build must not depend on row order
        {
            "actor_id": MINISTRY,
            "name_en": "Interior ministry",
            "actor_type": "state-body",
            "parent_actor_id": RU,
            "sensitive": "false",
        },
        {"actor_id": RU, "name_en": "Russia", "actor_type": "state", "sensitive": "false"},
    ],
    "actor_names": [
        {"name_id": "anm-0000000001", "actor_id": RU, "name": "Россия", "language": "ru", "source_id": SOURCE}
    ],
    "events": [
        {
            "event_id": RAID,
            "event_type": "raid",
            "date": "2025-06-27",
            "date_precision": "day",
            "date_basis": "stated",
            "place": "Yekaterinburg",
            "location_precision": "town",
            "summary": "Police raid the homes of Azerbaijani families in Yekaterinburg.",
            "sensitive": "false",
        },
        {
            "event_id": SUMMONS,
            "event_type": "diplomatic-summons",
            "date": "2025-06~",
            "date_precision": "month",
            "date_basis": "stated",
            "location_precision": "unknown",
            "summary": "Russia's ambassador is summoned in Baku.",
            "sensitive": "false",
        },
        {
            "event_id": UNDATED,
            "event_type": "statement",
            "date_precision": "unknown",
            "date_basis": "unknown",
            "location_precision": "unknown",
            "summary": "A statement with no date.",
            "sensitive": "false",
        },
    ],
    "participants": [
        {"participant_id": "ptc-0000000001", "event_id": RAID, "actor_id": MINISTRY, "role": "perpetrator"}
    ],
    "detentions": [
        {
            "detention_id": DETENTION,
            "event_id": RAID,
            "group_description": "Two brothers",
            "people_count_min": "2",
            "people_count_max": "2",
            "count_basis": "stated-exact",
            "detaining_actor_id": MINISTRY,
            "date": "2025-06-27",
            "date_precision": "day",
            "date_basis": "stated",
            "location_precision": "town",
            "status": "released",
            "release_date": "2025-07-01/..",
            "torture_alleged": "true",
            "coercion_alleged": "false",
            "sensitive": "true",
        }
    ],
    "diplomatic_summons": [
        {
            "summons_id": "sum-0000000001",
            "event_id": SUMMONS,
            "date": "2025-06~",
            "date_precision": "month",
            "date_basis": "stated",
            "summoning_actor_id": AZ,
            "summoned_rank": "ambassador",
            "instrument": "protest-note",
        }
    ],
    "claims": [
        {
            "claim_id": "clm-0000000001",
            "source_id": SOURCE,
            "quote": "Two men died after the police raid.",
            "status": "reported",
            "measure": "killed",
            "value_min": "2",
            "value_max": "2",
            "value_qualifier": "exact",
            "sensitive": "false",
        },
        {
            "claim_id": "clm-0000000002",
            "source_id": SOURCE,
            "quote": "The brothers were tortured in custody.",
            "claimant_actor_id": AZ,
            "status": "alleged",
            "sensitive": "true",
        },
        {
            "claim_id": "clm-0000000003",
            "source_id": SOURCE,
            "quote": "The ambassador was handed a protest note.",
            "status": "reported",
            "sensitive": "false",
        },
        {
            "claim_id": "clm-0000000004",
            "source_id": SOURCE,
            "quote": "Министерство внутренних дел",
            "quote_en": "Ministry of Internal Affairs",
            "status": "reported",
            "sensitive": "false",
        },
    ],
    "claim_links": [
        {"link_id": "lnk-0000000001", "claim_id": "clm-0000000001", "event_id": RAID},
        {"link_id": "lnk-0000000002", "claim_id": "clm-0000000002", "detention_id": DETENTION},
        {"link_id": "lnk-0000000003", "claim_id": "clm-0000000003", "summons_id": "sum-0000000001"},
        {"link_id": "lnk-0000000004", "claim_id": "clm-0000000004", "actor_id": MINISTRY},
    ],
    "tombstones": [],
    "cases": [],
    "places": [],
}
DUCKDB_TYPES = {"string": "VARCHAR", "integer": "BIGINT", "boolean": "BOOLEAN"}


def write_sample(root: Path, rows: dict[str, list[dict[str, str]]]) -> Path:
    """The repository's descriptor and codelists with `rows` as the fact tables."""
    root.mkdir(parents=True)
    shutil.copy(REPO / "datapackage.json", root / "datapackage.json")
    package = load(root)
    for table in package.codelists:
        (root / table.path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / table.path, root / table.path)
    for table in package.fact_tables:
        with open(root / table.path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, table.field_names, restval="", extrasaction="ignore", lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows[table.name])
    return root


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Built:
    base = tmp_path_factory.mktemp("sample")
    root = write_sample(base / "package", SAMPLE)
    build(root, base / "dist")
    return Built(root, base / "dist")


@pytest.fixture(params=["repository", "sample"])
def built(request: pytest.FixtureRequest) -> Built:
    result: Built = request.getfixturevalue(request.param)
    return result


def csv_keys(built: Built, table: str) -> list[str]:
    """First primary-key column of each CSV row, read with the csv module rather than the build's reader."""
    spec = built.package.tables[table]
    with open(built.root / spec.path, encoding="utf-8", newline="") as handle:
        return [row[spec.primary_key[0]] for row in csv.DictReader(handle)]


def csv_rows_typed(built: Built, table: str) -> list[dict[str, Any]]:
    """The CSV read with the csv module and typed by hand from the descriptor: the reference rows."""
    spec = built.package.tables[table]
    kinds = {f.name: f.type for f in spec.fields}
    convert: dict[str, Callable[[str], object]] = {"integer": int, "boolean": lambda v: v == "true", "string": str}
    with open(built.root / spec.path, encoding="utf-8", newline="") as handle:
        return [
            {k: (convert[kinds[k]](v) if v != "" else None) for k, v in row.items()} for row in csv.DictReader(handle)
        ]


def test_every_format_reads_back_the_same_rows_as_the_csv(built: Built) -> None:
    con = sqlite3.connect(built.database)
    for name, table in built.package.tables.items():
        names = table.field_names
        expected = csv_rows_typed(built, name)
        parquet = [
            {k: row[k] for k in names} for row in pq.read_table(built.out / "parquet" / f"{name}.parquet").to_pylist()
        ]
        lines = (built.out / "ndjson" / f"{name}.ndjson").read_text(encoding="utf-8").splitlines()
        ndjson = [json.loads(line) for line in lines]
        booleans = {f.name for f in table.fields if f.type == "boolean"}
        columns = ", ".join(map(identifier, names))
        database = [
            {k: (bool(v) if k in booleans and v is not None else v) for k, v in zip(names, row, strict=True)}
            for row in con.execute(f"SELECT {columns} FROM {identifier(name)} ORDER BY rowid")
        ]
        assert parquet == expected, name
        assert ndjson == expected, name
        assert database == expected, name
    con.close()


def test_every_row_is_in_every_format_in_csv_order(built: Built) -> None:
    con = sqlite3.connect(built.database)
    with zipfile.ZipFile(built.out / f"{NAME}-{built.package.descriptor['version']}.zip") as archive:
        for name, table in built.package.tables.items():
            key = table.primary_key[0]
            expected = csv_keys(built, name)
            parquet = pq.read_table(built.out / "parquet" / f"{name}.parquet").column(key).to_pylist()
            database = [k for (k,) in con.execute(f"SELECT {identifier(key)} FROM {identifier(name)} ORDER BY rowid")]
            lines = (built.out / "ndjson" / f"{name}.ndjson").read_text(encoding="utf-8").splitlines()
            ndjson = [json.loads(line)[key] for line in lines]
            assert parquet == database == ndjson == expected, name
            assert archive.read(table.path) == (built.root / table.path).read_bytes()
    con.close()


def test_rebuilding_gives_identical_bytes_for_every_file(built: Built, tmp_path: Path) -> None:
    build(built.root, tmp_path / "again")
    again = sorted(p.relative_to(tmp_path / "again") for p in (tmp_path / "again").rglob("*") if p.is_file())
    first = sorted(p.relative_to(built.out) for p in built.out.rglob("*") if p.is_file())
    assert again == first
    for relative in again:
        assert (tmp_path / "again" / relative).read_bytes() == (built.out / relative).read_bytes(), relative


def test_release_carries_the_documents_in_the_folder_and_the_zip(built: Built) -> None:
    documents = {path: name for path, name in DOCUMENTS.items() if (built.root / path).is_file()}
    assert documents == (DOCUMENTS if built.root == REPO else {})  # a sample package has none
    with zipfile.ZipFile(built.out / f"{NAME}-{built.package.descriptor['version']}.zip") as archive:
        for path, name in documents.items():
            assert (built.out / name).read_bytes() == (built.root / path).read_bytes() == archive.read(path), path


def test_a_document_that_is_a_link_refuses_the_build(tmp_path: Path) -> None:
    root = write_sample(tmp_path / "package", SAMPLE)
    (root / "LICENSE").symlink_to(REPO / "LICENSE")
    with pytest.raises(guarded.Refused, match="LICENSE"):
        build(root, tmp_path / "dist")


def test_manifest_lists_every_other_file_with_its_hash(built: Built) -> None:
    listed = {}
    for line in (built.out / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ")
        listed[name] = digest
    files = {p.relative_to(built.out).as_posix() for p in built.out.rglob("*") if p.is_file()}
    assert set(listed) == files - {"SHA256SUMS"}
    assert list(listed) == sorted(listed)
    for name, digest in listed.items():
        assert hashlib.sha256((built.out / name).read_bytes()).hexdigest() == digest


def test_rebuilding_removes_what_the_last_build_made_and_nothing_else(sample: Built, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    build(sample.root, out)
    stale, unrelated = out / "parquet" / "dropped_table.parquet", out / "notes.txt"
    stale.write_bytes(b"from an older descriptor")
    unrelated.write_text("not built by azru", encoding="utf-8")
    with open(out / "SHA256SUMS", "a", encoding="utf-8") as manifest:
        manifest.write(f"{'0' * 64}  parquet/dropped_table.parquet\n")
    build(sample.root, out)
    assert (stale.exists(), unrelated.exists()) == (False, True)


@pytest.mark.slow
def test_zip_extracts_to_a_valid_data_package(built: Built, tmp_path: Path) -> None:
    with zipfile.ZipFile(built.out / f"{NAME}-{built.package.descriptor['version']}.zip") as archive:
        names = archive.namelist()
        assert names == sorted(names)
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        archive.extractall(tmp_path)
    descriptor = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    flat_tables = [table.name for table in flat.TABLES]
    assert [resource["name"] for resource in descriptor["resources"]][-len(flat_tables) :] == flat_tables
    for resource in descriptor["resources"]:
        data = (tmp_path / resource["path"]).read_bytes()
        assert (resource["bytes"], resource["hash"]) == (
            len(data),
            f"sha256:{hashlib.sha256(data).hexdigest()}",
        )
    report = FrictionlessPackage(str(tmp_path / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


def test_parquet_has_descriptor_types_and_edtf_day_columns(built: Built) -> None:
    with duckdb.connect() as con:
        check_parquet_types(con, built)


def check_parquet_types(con: duckdb.DuckDBPyConnection, built: Built) -> None:
    for name, table in built.package.tables.items():
        expected = []
        for field in table.fields:
            expected.append((field.name, DUCKDB_TYPES[field.type]))
            if field.is_edtf:
                expected += [(f"{field.name}_lower", "DATE"), (f"{field.name}_upper", "DATE")]
        path = built.out / "parquet" / f"{name}.parquet"
        described = con.execute("SELECT column_name, column_type FROM (DESCRIBE FROM read_parquet(?))", [str(path)])
        assert described.fetchall() == expected, name


def test_edtf_day_columns_hold_earliest_and_latest_days(sample: Built) -> None:
    def days(table: str, key: str, field: str) -> list[tuple[Any, ...]]:
        path = sample.out / "parquet" / f"{table}.parquet"
        query = f"SELECT {key}, {field}_lower, {field}_upper FROM read_parquet(?)"
        return duckdb.execute(query, [str(path)]).fetchall()

    assert days("events", "event_id", "date") == [
        (RAID, date(2025, 6, 27), date(2025, 6, 27)),
        (SUMMONS, date(2025, 6, 1), date(2025, 6, 30)),
        (UNDATED, None, None),
    ]
    open_end = (DETENTION, date(2025, 7, 1), None)  # an open end has no day, never 9999-12-31
    assert days("detentions", "detention_id", "release_date") == [open_end]


def test_ndjson_rows_are_typed_with_descriptor_keys(sample: Built) -> None:
    lines = (sample.out / "ndjson" / "detentions.ndjson").read_text(encoding="utf-8").splitlines()
    row = json.loads(lines[0])
    assert list(row) == sample.package.tables["detentions"].field_names
    assert (row["people_count_min"], row["torture_alleged"], row["coercion_alleged"], row["charges"]) == (
        2,
        True,
        False,
        None,
    )
    assert "Россия" in (sample.out / "ndjson" / "actor_names.ndjson").read_text(encoding="utf-8")


def test_sqlite_rejects_a_reference_to_a_missing_row(sample: Built, tmp_path: Path) -> None:
    copy = shutil.copy(sample.database, tmp_path / "copy.db")
    con = sqlite3.connect(copy)
    con.execute("PRAGMA foreign_keys = ON")
    insert = "INSERT INTO participants (participant_id, event_id, actor_id, role) VALUES (?, ?, ?, ?)"
    con.execute(insert, ["ptc-0000000002", RAID, AZ, "victim"])
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        con.execute(insert, ["ptc-0000000003", "evt-zzzzzzzzzz", AZ, "victim"])
    con.close()


def test_every_format_stores_every_type_a_column_can_have() -> None:
    assert set(ARROW_TYPES) == set(SQLITE_TYPES) == {*POLARS_TYPES, DAY}


def test_sqlite_columns_are_typed(sample: Built) -> None:
    con = sqlite3.connect(sample.database)
    row = con.execute(
        "SELECT typeof(people_count_min), torture_alleged, coercion_alleged, date_lower, typeof(charges) "
        "FROM detentions"
    ).fetchone()
    con.close()
    assert row == ("integer", 1, 0, "2025-06-27", "null")


def test_every_foreign_key_column_is_indexed(built: Built) -> None:
    con = sqlite3.connect(built.database)
    for name, table in built.package.tables.items():
        indexes = [index for _, index, *_ in con.execute(f"PRAGMA index_list({identifier(name)})")]
        first_columns = {con.execute(f"PRAGMA index_info({identifier(i)})").fetchone()[2] for i in indexes}
        assert {local for local, _, _ in table.references()} <= first_columns, name
    con.close()


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("Yekaterinburg", {("events", RAID)}),
        ("Россия", {("actor_names", "anm-0000000001")}),
        ("tortured", {("claims", "clm-0000000002")}),
        ("ministry internal", {("claims", "clm-0000000004")}),
        ("Interior", {("actors", MINISTRY)}),
        ("brothers", {("detentions", DETENTION), ("claims", "clm-0000000002")}),
    ],
)
def test_search_finds_words_from_summaries_names_and_quotes(
    sample: Built, words: str, expected: set[tuple[str, str]]
) -> None:
    assert search_hits(sample, words) == expected


@pytest.mark.parametrize(
    ("view", "claim", "column", "value"),
    [
        ("event_claims", "clm-0000000001", "summary", SAMPLE["events"][0]["summary"]),
        ("detention_claims", "clm-0000000002", "detention_status", "released"),
        ("summons_claims", "clm-0000000003", "instrument", "protest-note"),
        ("actor_claims", "clm-0000000004", "name_en", "Interior ministry"),
    ],
)
def test_claim_views_join_each_claim_to_what_it_supports(
    sample: Built, view: str, claim: str, column: str, value: str
) -> None:
    con = sqlite3.connect(sample.database)
    rows = con.execute(f"SELECT claim_id, {identifier(column)} FROM {identifier(view)}").fetchall()
    con.close()
    assert rows == [(claim, value)]


@pytest.mark.parametrize(
    ("table", "words"),
    [("events", "Yekaterinburg"), ("claims", "tortured"), ("actors", "Interior"), ("detentions", "two")],
)
def test_datasette_searches_each_table(sample: Built, table: str, words: str) -> None:
    status, page = datasette_get(sample, f"{table}.json?_search={words}")
    assert (status, page["filtered_table_rows_count"]) == (200, 1)


@pytest.mark.parametrize("table", ["events", "event_types", "event_claims"])
def test_datasette_serves_the_database(built: Built, table: str) -> None:
    con = sqlite3.connect(built.database)
    (count,) = con.execute(f"SELECT count(*) FROM {identifier(table)}").fetchone()
    con.close()
    status, page = datasette_get(built, f"{table}.json")
    assert (status, page["filtered_table_rows_count"]) == (200, count)


def test_datasette_metadata_describes_every_table_view_and_column(built: Built) -> None:
    metadata = json.loads((built.out / "metadata.json").read_text(encoding="utf-8"))
    assert metadata["title"] == built.package.descriptor["title"]
    described = metadata["databases"][NAME]["tables"]
    package = built.package
    # FTS5's own tables behind each full-text table
    storage = set(search_objects(package)) - {search_table(name) for name in searched_columns(package)}
    con = sqlite3.connect(built.database)
    objects = con.execute("SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view')").fetchall()
    for name, kind in objects:
        if name in storage:
            continue
        assert described[name]["description"], name
        if kind == "table":
            columns = [column for _, column, *_ in con.execute(f"PRAGMA table_info({identifier(name)})")]
            assert all(described[name]["columns"][c] for c in columns), name
    con.close()


def test_timeline_plots_dated_events_and_counts_the_rest(sample: Built) -> None:
    svg = (sample.out / "timeline.svg").read_text(encoding="utf-8")
    figure = ElementTree.fromstring(svg)
    circles = figure.findall(".//{http://www.w3.org/2000/svg}circle")
    assert len(circles) == 2
    assert "2 dated events" in svg and "1 event without a date" in svg
    assert timeline_figure(load(sample.root)) == svg  # docs/timeline.svg is drawn as the release's


@pytest.mark.slow
def test_cli_builds_and_reports_what_it_cannot_build(tmp_path: Path) -> None:
    # the CLI validates first, and the sample's facts have no claims
    assert main(["build", str(REPO), "--out", str(tmp_path / "dist")]) == 0
    assert main(["build", str(tmp_path), "--out", str(tmp_path / "none")]) == 2
    broken = write_sample(
        tmp_path / "broken",
        {**SAMPLE, "participants": [{**SAMPLE["participants"][0], "event_id": "evt-zzzzzzzzzz"}]},
    )
    assert main(["build", str(broken), "--out", str(tmp_path / "broken-dist")]) == 1


# --- the example queries in docs/querying.md ------------------------------------------------------

QUERY = re.compile(r"```sql (duckdb|sqlite)\n(.*?)```\n(?:\s*```text\n(.*?)```)?", re.DOTALL)


def as_text(columns: list[str], rows: list[tuple[Any, ...]]) -> str:
    """The docs' output format: a header line, then one line a row, cells separated by ` | `."""

    def cell(value: Any) -> str:
        if value is None:
            return "NULL"
        if isinstance(value, bool):
            return str(value).lower()
        return str(value)

    return "".join(" | ".join(map(cell, line)) + "\n" for line in [tuple(columns), *rows])


def test_docs_queries_give_the_output_shown(built: Built, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(built.out.parent)  # the docs read dist/... as after `make release`
    examples = [e for doc in (QUERYING, README) for e in QUERY.findall(doc.read_text(encoding="utf-8"))]
    assert {engine for engine, _, expected in examples if expected} == {"duckdb", "sqlite"}
    ducks, lite = duckdb.connect(), sqlite3.connect(built.database)
    for engine, sql, expected in examples:
        if engine == "duckdb":
            result = ducks.execute(sql)
            names, rows = [d[0] for d in result.description or []], result.fetchall()
        elif expected:
            cursor = lite.execute(sql)
            names, rows = [d[0] for d in cursor.description], cursor.fetchall()
        else:
            lite.executescript(sql)
            continue
        if expected and built.root == REPO:  # the outputs shown are the repository's; the sample's queries only run
            assert as_text(names, rows) == expected, sql
    lite.close()
    ducks.close()


PYTHON_WITH_OUTPUT = re.compile(r"```python\n((?:(?!```).)*)```\n\s*```text\n(.*?)```", re.DOTALL)


def test_docs_python_prints_the_output_shown(built: Built, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(built.out.parent)
    examples = PYTHON_WITH_OUTPUT.findall(QUERYING.read_text(encoding="utf-8"))
    assert examples, "docs/querying.md shows no Python with its output"
    for code, expected in examples:
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(code, "docs/querying.md", "exec"), {})
        if built.root == REPO:
            assert printed.getvalue() == expected, code


def test_zip_fingerprints_a_table_whose_path_sorts_after_the_descriptor(tmp_path: Path) -> None:
    """Members are written in name order, each let go before the next: a table named after
    datapackage.json is fingerprinted before the descriptor that lists it."""
    root = tmp_path / "package"
    shutil.copytree(REPO / "data", root / "data")
    descriptor = json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))
    places = next(r for r in descriptor["resources"] if r["name"] == "places")
    (root / "tables").mkdir()
    shutil.move(root / places["path"], root / "tables" / "places.csv")
    places["path"] = "tables/places.csv"
    (root / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    with zipfile.ZipFile(write_zip(load(root), tmp_path / "package.zip", documents={})) as archive:
        zipped = json.loads(archive.read("datapackage.json"))
        assert archive.namelist()[-1] == "tables/places.csv"
        for resource in zipped["resources"]:
            data = archive.read(resource["path"])
            assert (resource["bytes"], resource["hash"]) == (len(data), f"sha256:{hashlib.sha256(data).hexdigest()}")
