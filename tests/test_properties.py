"""Properties of `azru validate` over generated input.

Differential: azru accepts every generated valid package; once one cell breaks a Table Schema rule,
azru, frictionless-py and the JSON Schemas (row by row) each report that row and field, and nothing else.
Round trips: rows written with the csv module read back unchanged, by the csv module, by
`Package.read` and by the validator's own tokenizer. Robustness: no bytes, as a table or as the
descriptor, and no hostile descriptor makes the validator raise, exit 3 or touch the network.
"""

import contextlib
import io
import json
import re
import shutil
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import frictionless
import jsonschema
import pytest
from azru.cli import main
from azru.package import DESCRIPTOR, Package
from azru.validate.rules import RULES, Finding
from azru.validate.tokenizer import tokenize
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import (
    DESCRIPTOR_JSON,
    FACT_TABLES,
    FIELD_NAMES,
    KEYS,
    REPO,
    RESOURCES,
    SCHEMAS,
    SPECS,
    TARGET_OF,
    PackageData,
    Row,
    findings,
    fixture_data,
    ids,
    not_matching,
    packages,
    read_rows,
    referenced,
    write_package,
    write_rows,
)

# Generating a whole package takes a while; the data, not the machine, decides how long.
SLOW_DATA = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
TABLE_SCHEMA_GROUPS = {"cell", "key"}
VALIDATORS = {t: jsonschema.Draft7Validator(SCHEMAS[t]) for t in FACT_TABLES}
Place = tuple[str | None, int | None, str | None]  # table, physical line (header = 1), field


def typed(table: str, row: Row) -> dict[str, Any]:
    """A row as the JSON Schemas describe it: integers as int, booleans as bool, empty cells as null."""
    out: dict[str, Any] = {}
    for name in FIELD_NAMES[table]:
        value: Any = row.get(name)
        kind = SPECS[(table, name)].get("type")
        if value is not None and kind == "integer" and re.fullmatch(r"[+-]?[0-9]+", value):
            value = int(value)
        elif value is not None and kind == "boolean" and value in ("true", "false"):
            value = value == "true"
        out[name] = value
    return out


def schema_places(tables: dict[str, list[Row]]) -> set[Place]:
    return {
        (table, n + 2, str(error.path[0]))
        for table in FACT_TABLES
        for n, row in enumerate(tables[table])
        for error in VALIDATORS[table].iter_errors(typed(table, row))
    }


def frictionless_places(report: frictionless.Report) -> set[Place]:
    """Row (header = 1, as azru counts lines) and field of each error; a primary-key error names no field."""
    places: set[Place] = set()
    for task in report.tasks:
        for error in task.errors:
            names = getattr(error, "field_names", None) or [getattr(error, "field_name", None) or KEYS[task.name]]
            places.add((task.name, getattr(error, "row_number", 0), names[0]))
    return places


def azru_places(found: list[Finding]) -> set[Place]:
    tables = {r["path"]: name for name, r in RESOURCES.items()}
    return {(tables.get(f.file or ""), f.line, f.field) for f in found if f.rule.group in TABLE_SCHEMA_GROUPS}


# --- one broken cell ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Break:
    rule: str
    table: str
    index: int
    name: str
    value: str | None


BROKEN_RULES = ("required", "pattern", "maxLength", "type", "foreignKey", "unique")


def codes(table: str) -> set[str | None]:
    return {row["code"] for row in read_rows(REPO / RESOURCES[table]["path"])}


def candidates(data: PackageData, rule: str) -> list[tuple[str, int, str]]:
    """Cells where `rule` can be broken alone: never a key that something else points at."""
    used = referenced(data.tables)

    def fits(table: str, index: int, name: str) -> bool:
        row, spec = data.tables[table][index], SPECS[(table, name)]
        c = spec.get("constraints", {})
        return (
            not (name == KEYS[table] and row[name] in used)
            and {
                "required": bool(c.get("required")) and row[name] is not None,
                "pattern": "pattern" in c and row[name] is not None,
                "maxLength": "maxLength" in c,
                "type": spec.get("type") in ("integer", "boolean"),
                "foreignKey": (table, name) in TARGET_OF,
                "unique": name == KEYS[table] and index > 0,
            }[rule]
        )

    return [
        (table, index, name)
        for table in FACT_TABLES
        for index in range(len(data.tables[table]))
        for name in FIELD_NAMES[table]
        if fits(table, index, name)
    ]


def new_value(draw: Callable[..., Any], data: PackageData, rule: str, table: str, index: int, name: str) -> str | None:
    """A value for the cell that breaks `rule` and, as far as Table Schema can tell, nothing else."""
    c = SPECS[(table, name)].get("constraints", {})
    target = TARGET_OF.get((table, name), "")
    if rule == "required":
        return None
    if rule == "unique":
        return str(draw(st.sampled_from([row[name] for row in data.tables[table][:index]])))
    if rule == "pattern":
        return str(draw(not_matching(c["pattern"], min(30, c.get("maxLength", 30)))))
    if rule == "maxLength":
        return str(draw(st.sampled_from("aяا")) * draw(st.integers(c["maxLength"] + 1, c["maxLength"] + 10)))
    if rule == "type" and SPECS[(table, name)]["type"] == "integer":
        return str(draw(st.text(alphabet="abcxyz.,e½", min_size=1, max_size=8)))
    if rule == "type":
        return str(draw(st.sampled_from(["yes", "no", "True", "FALSE", "1", "0", "t"])))
    if target in FACT_TABLES:
        existing = {row[KEYS[target]] for row in data.tables[target]}
        return str(draw(ids(target).filter(lambda key: key not in existing)))
    form, known = str(c["pattern"]).removeprefix("^").removesuffix("$"), codes(target)
    return str(draw(st.from_regex(form, fullmatch=True).filter(lambda v: v not in known and len(v) <= 40)))


@st.composite
def breaks(draw: Callable[..., Any], data: PackageData) -> Break:
    options = {rule: candidates(data, rule) for rule in BROKEN_RULES}
    rule = draw(st.sampled_from([rule for rule in BROKEN_RULES if options[rule]]))
    table, index, name = draw(st.sampled_from(options[rule]))
    return Break(rule, table, index, name, new_value(draw, data, rule, table, index, name))


def row_schema_sees(b: Break) -> bool:
    """A JSON Schema judges one row: it knows forms, types, lengths and codelists, not other tables."""
    target = TARGET_OF.get((b.table, b.name))
    return b.rule not in ("unique", "foreignKey") or (target is not None and target not in FACT_TABLES)


@pytest.mark.slow
@SLOW_DATA
@given(data=st.data())
def test_azru_frictionless_and_json_schema_agree_on_valid_and_broken_packages(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    """azru accepts the package; after one cell breaks, all three report that cell and nothing else
    (JSON Schema only when a row schema can see the rule)."""
    package = data.draw(packages(), label="package")
    pkg = write_package(tmp_path_factory.mktemp("package"), package)
    assert [f.as_dict() for f in findings(pkg.root, pkg.archive)] == []
    broken = data.draw(breaks(package), label="break")
    rows = [dict(row) for row in package.tables[broken.table]]
    rows[broken.index][broken.name] = broken.value
    package.tables[broken.table] = rows
    pkg.write_rows(broken.table, rows)
    expected = {(broken.table, broken.index + 2, broken.name)}
    assert azru_places(findings(pkg.root, pkg.archive)) == expected
    assert frictionless_places(frictionless.validate(str(pkg.root / DESCRIPTOR))) == expected
    assert schema_places(package.tables) == (expected if row_schema_sees(broken) else set())


# --- round trips ----------------------------------------------------------------------------------------

# Any text but a lone CR: Python 3.11's csv writer leaves it unquoted when lines end in LF (3.12 quotes it);
# the validator forbids CR in cells, so a valid package never holds one.
CELL_TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\r"), min_size=1, max_size=12)
PUNCTUATED = st.lists(st.sampled_from(['"', ",", "\n", "«", "»", "وزارة", "Гейдар", "ə", " ", "''"]), min_size=1).map(
    "".join
)
ROUND_TRIP_TABLE = "claims"


@given(
    rows=st.lists(
        st.fixed_dictionaries({name: st.none() | CELL_TEXT | PUNCTUATED for name in FIELD_NAMES[ROUND_TRIP_TABLE]}),
        max_size=4,
    )
)
def test_rows_survive_a_csv_round_trip(tmp_path_factory: pytest.TempPathFactory, rows: list[Row]) -> None:
    folder = tmp_path_factory.mktemp("round-trip")
    path = folder / RESOURCES[ROUND_TRIP_TABLE]["path"]
    write_rows(path, FIELD_NAMES[ROUND_TRIP_TABLE], rows)
    assert read_rows(path) == rows
    assert Package(folder, DESCRIPTOR_JSON).read(ROUND_TRIP_TABLE).to_dicts() == rows
    records = list(tokenize(path.read_text(encoding="utf-8")))
    assert [r.cells for r in records[1:]] == [[row[n] or "" for n in FIELD_NAMES[ROUND_TRIP_TABLE]] for row in rows]
    assert all(not r.errors for r in records)


# --- robustness -----------------------------------------------------------------------------------------


@contextlib.contextmanager
def offline(attempts: list[object]) -> Iterator[None]:
    """Record, and refuse, every attempt to resolve a host name or open a connection."""

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError("tests run offline")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket, "getaddrinfo", refuse)
        patch.setattr(socket.socket, "connect", refuse)
        yield


def run_cli(root: Path, archive: Path | None = None) -> tuple[int, dict[str, Any], str]:
    """Exit code, the JSON report and whatever went to stderr, with the network refused."""
    out, err = io.StringIO(), io.StringIO()
    attempts: list[object] = []
    args = ["validate", str(root), "--format", "json", "--max-per-code", "0"]
    with offline(attempts), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([*args, *(["--archive", str(archive)] if archive else [])])
    assert attempts == [], "the validator tried to use the network"
    return code, json.loads(out.getvalue()) if out.getvalue() else {}, err.getvalue()


@pytest.fixture(scope="session")
def one_table_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A package of just the claims table, without foreign keys: cheap to validate, every cell type."""
    root = tmp_path_factory.mktemp("one-table")
    resource = json.loads(json.dumps(RESOURCES[ROUND_TRIP_TABLE]))
    resource["schema"].pop("foreignKeys", None)
    (root / DESCRIPTOR).write_text(json.dumps({**DESCRIPTOR_JSON, "resources": [resource]}), encoding="utf-8")
    write_rows(root / resource["path"], FIELD_NAMES[ROUND_TRIP_TABLE], [])
    return root


HEADER = (",".join(FIELD_NAMES[ROUND_TRIP_TABLE]) + "\n").encode("utf-8")
CSV_LIKE = st.text(st.sampled_from(',"\n\r\t ab1-=@\x00\ufeff\u202eé'), max_size=200)
TABLE_BYTES = st.one_of(
    st.binary(max_size=300),
    CSV_LIKE.map(lambda text: HEADER + text.encode("utf-8")),
    st.tuples(CSV_LIKE, st.binary(max_size=20)).map(lambda parts: HEADER + parts[0].encode("utf-8") + parts[1]),
    CSV_LIKE.map(lambda text: (HEADER.decode() + text).encode("utf-16")),
)


@pytest.mark.slow
@given(content=TABLE_BYTES)
def test_any_bytes_as_a_table_give_findings_not_a_crash(
    one_table_package: Path, tmp_path_factory: pytest.TempPathFactory, content: bytes
) -> None:
    root = tmp_path_factory.mktemp("bytes")
    shutil.copytree(one_table_package, root, dirs_exist_ok=True)
    (root / RESOURCES[ROUND_TRIP_TABLE]["path"]).write_bytes(content)
    code, report, errors = run_cli(root)
    assert errors == ""
    assert code == (0 if report["valid"] else 1)
    if not content.startswith(HEADER):
        assert code == 1


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=10,
)
DESCRIPTOR_BYTES = st.one_of(
    st.binary(max_size=200),
    JSON_VALUES.map(lambda value: json.dumps(value).encode("utf-8")),
    JSON_VALUES.map(lambda value: json.dumps({"resources": value}).encode("utf-8")),
    JSON_VALUES.map(
        lambda value: json.dumps({"resources": [{"name": "x", "path": "x.csv", "schema": value}]}).encode()
    ),
)


@given(content=DESCRIPTOR_BYTES)
def test_any_bytes_as_the_descriptor_give_a_descriptor_finding(
    tmp_path_factory: pytest.TempPathFactory, content: bytes
) -> None:
    root = tmp_path_factory.mktemp("descriptor")
    (root / DESCRIPTOR).write_bytes(content)
    code, report, errors = run_cli(root)
    assert (code, errors) == (1, "")
    assert report["findings"]
    assert {RULES[f["code"]].group for f in report["findings"]} == {"descriptor"}


def _deep(levels: int) -> object:
    value: object = []
    for _ in range(levels):
        value = [value]
    return value


def _set(path: tuple[object, ...], value: object) -> Callable[[dict[str, Any]], None]:
    def change(descriptor: dict[str, Any]) -> None:
        node: Any = descriptor
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value

    return change


CLAIMS = next(n for n, r in enumerate(DESCRIPTOR_JSON["resources"]) if r["name"] == "claims")
CLAIMS_SCHEMA = ("resources", CLAIMS, "schema")
VALUE_MIN = FIELD_NAMES["claims"].index("value_min")
HOSTILE: dict[str, Callable[[dict[str, Any]], None]] = {
    "parent folder path": _set(("resources", CLAIMS, "path"), "../x.csv"),
    "absolute path": _set(("resources", CLAIMS, "path"), "/etc/passwd"),
    "URL path": _set(("resources", CLAIMS, "path"), "http://example.org/x.csv"),
    "file URL path": _set(("resources", CLAIMS, "path"), "file:///etc/passwd"),
    "remote table schema": _set(CLAIMS_SCHEMA, "http://example.org/schema.json"),
    "resources not a list": _set(("resources",), "x"),
    "no resources": _set(("resources",), []),
    "resource a number": _set(("resources", CLAIMS), 5),
    "fields an object": _set((*CLAIMS_SCHEMA, "fields"), {}),
    "field name a number": _set((*CLAIMS_SCHEMA, "fields", 0, "name"), 5),
    "primary key a string": _set((*CLAIMS_SCHEMA, "primaryKey"), "claim_id"),
    "primary key unknown": _set((*CLAIMS_SCHEMA, "primaryKey"), ["nope"]),
    "foreign keys a string": _set((*CLAIMS_SCHEMA, "foreignKeys"), "x"),
    "foreign key to no resource": _set((*CLAIMS_SCHEMA, "foreignKeys", 0, "reference", "resource"), "nope"),
    "constraints a list": _set((*CLAIMS_SCHEMA, "fields", 0, "constraints"), []),
    "minimum not a number": _set((*CLAIMS_SCHEMA, "fields", VALUE_MIN, "constraints", "minimum"), "0; drop table"),
    "pattern not a regex": _set((*CLAIMS_SCHEMA, "fields", 0, "constraints", "pattern"), "(["),
    "nested 100000 deep": lambda d: d.update(resources=_deep(100_000)),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_descriptor_gets_a_clear_finding(tmp_path: Path, case: str) -> None:
    pkg = write_package(tmp_path, fixture_data())
    descriptor = pkg.descriptor()
    HOSTILE[case](descriptor)
    try:
        text = json.dumps(descriptor)
    except RecursionError:
        text = "[" * 100_000  # too deep even to write: the reader must cope with it as text
    (pkg.root / DESCRIPTOR).write_text(text, encoding="utf-8")
    code, report, errors = run_cli(pkg.root, pkg.archive)
    assert (code, errors) == (1, "")
    (finding, *_) = report["findings"]
    assert RULES[finding["code"]].group == "descriptor"
    assert finding["message"] and "Traceback" not in finding["message"]


@pytest.mark.slow
@pytest.mark.parametrize(
    "change",
    [
        _set(("$schema",), "http://example.org/profile.json"),
        _set(("resources", CLAIMS, "dialect"), "http://example.org/dialect.json"),
    ],
    ids=["remote profile", "remote dialect"],
)
def test_remote_references_in_the_descriptor_are_not_fetched(tmp_path: Path, change: Callable[..., None]) -> None:
    pkg = write_package(tmp_path, fixture_data())
    descriptor = pkg.descriptor()
    change(descriptor)
    pkg.write_descriptor(descriptor)
    code, report, errors = run_cli(pkg.root, pkg.archive)  # fails inside if anything was fetched
    # a dialect azru does not read is refused, not fetched; a remote profile is only a name
    refused = [f["message"] for f in report["findings"] if f["level"] == "error"]
    assert errors == ""
    assert all(m.startswith(f"resources/{CLAIMS}/dialect: ") for m in refused) and code == int(bool(refused))
