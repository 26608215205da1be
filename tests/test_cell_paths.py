"""The cell rules run in two shapes: per table, one column per field (cells.findings, which lists the
findings), and for small tables all cells in one column (cells.tables_with_bad_cells, which only says
which tables have a bad cell). Both are built from the same conditions; here they must agree on any
cells. So must sql.collapsed, which skips the regex replace where it changes nothing, and Python's
normalise_whitespace."""

import functools
import itertools
from pathlib import Path

import duckdb
from azru.package import Package, Table
from azru.text import FORBIDDEN_RANGES, normalise_whitespace
from azru.validate import cells, load
from azru.validate.context import Context
from azru.validate.sql import WHITESPACE_BUT_SPACE, collapsed, sql_name
from hypothesis import given
from hypothesis import strategies as st

FORBIDDEN = [chr(low) for low, _ in FORBIDDEN_RANGES] + [chr(high) for _, high in FORBIDDEN_RANGES]
# pieces that make or miss a rule: padding, formula starts, controls, a decomposed letter, digits, quotes
PIECES = ["a", "Z", "7", "-", "+", "=", "@", " ", "\u00a0", "\u3000", "\t", "e\u0301", "é", '"', ",", "ж", *FORBIDDEN]
# mostly cells that break nothing, so that a table's one bad cell decides whether it is flagged
GOOD = ["ab", "ab-7", "AZ", "3", "true", "yes"]
CELLS = (
    st.sampled_from(GOOD)
    | st.sampled_from(GOOD)
    | st.none()
    | st.lists(st.sampled_from(PIECES), max_size=5).map("".join)
)
PATTERNS = [
    None,
    None,
    "^[a-z0-9]+(-[a-z0-9]+)*$",  # printable ASCII alone: the character rules reduce to the formula rule
    "^[A-Z]{2}$",
    "^.{1,4}$",  # any character: every character rule applies
]


@st.composite
def fields(draw: st.DrawFn, number: int) -> dict[str, object]:
    kind = draw(st.sampled_from(["string", "string", "integer", "boolean"]))
    constraints: dict[str, object] = {"required": draw(st.sampled_from([False, False, True]))}
    if kind == "string":
        pattern = draw(st.sampled_from(PATTERNS))
        constraints |= {"pattern": pattern} if pattern else {}
        constraints |= draw(st.sampled_from([{}, {}, {"maxLength": 4}, {"minLength": 2}]))
    if kind == "integer":
        constraints |= draw(st.sampled_from([{}, {}, {"minimum": 0}, {"maximum": 5}]))
    spec: dict[str, object] = {"name": f"f{number}", "type": kind, "constraints": constraints}
    return spec | ({"trueValues": ["yes"], "falseValues": ["no"]} if kind == "boolean" and draw(st.booleans()) else {})


Drawn = tuple[Package, list[list[list[str | None]]]]  # the tables, and the rows of each


@st.composite
def packages(draw: st.DrawFn) -> Drawn:
    resources, rows = [], []
    for number in range(draw(st.integers(1, 3))):
        specs = [draw(fields(position)) for position in range(draw(st.integers(1, 4)))]
        resources.append({"name": f"t{number}", "path": f"data/t{number}.csv", "schema": {"fields": specs}})
        rows.append(draw(st.lists(st.lists(CELLS, min_size=len(specs), max_size=len(specs)), max_size=4)))
    return Package(Path("."), {"resources": resources}), rows


@functools.cache
def database() -> duckdb.DuckDBPyConnection:
    return duckdb.connect(config={"threads": 1})


def stored(drawn: Drawn) -> list[Table]:
    """Each table stored as loading leaves it, then published whole, as findings() reads it."""
    con = database()
    package, rows = drawn
    for table, table_rows in zip(package.tables.values(), rows, strict=True):
        columns = ", ".join(f"{sql_name(name)} VARCHAR" for name in table.field_names)
        con.execute(f"CREATE OR REPLACE TABLE {load.stored_name(table)} ({columns})")
        if table_rows:
            marks = ", ".join("?" for _ in table.field_names)
            con.executemany(f"INSERT INTO {load.stored_name(table)} VALUES ({marks})", table_rows)
        load.publish(con, table, lines_stored=False, kept=table.field_names)
    return list(package.tables.values())


@given(drawn=packages())
def test_the_small_tables_query_flags_the_tables_findings_reports(drawn: Drawn) -> None:
    loaded = stored(drawn)
    ctx = Context(drawn[0], database(), {table.name for table in loaded}, None)
    flagged = cells.tables_with_bad_cells(ctx, loaded)
    assert flagged == {table.name for table in loaded if list(cells.findings(ctx, table))}


WHITESPACE_PIECES = [" ", "  ", "\t", "\n", "\u00a0", "\u2003", "\u3000", "\u200b", "a", "b", "é"]


@given(text=st.lists(st.sampled_from(WHITESPACE_PIECES), max_size=8).map("".join))
def test_sql_collapsed_is_python_normalise_whitespace(text: str) -> None:
    ((result,),) = database().execute(f"SELECT {collapsed('t')} FROM (SELECT ? AS t)", [text]).fetchall()
    assert result == normalise_whitespace(text)


def test_whitespace_but_space_is_python_whitespace_but_space() -> None:
    characters = [chr(c) for c in itertools.chain(range(0x3100), range(0xFE00, 0x10000)) if chr(c) != "\x00"]
    (found,) = database().execute(
        f"SELECT list_filter(?::VARCHAR[], lambda c: regexp_matches(c, '{WHITESPACE_BUT_SPACE}'))", [characters]
    ).fetchone() or ([],)
    assert found == [c for c in characters if c.isspace() and c != " "]
