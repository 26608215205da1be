"""Hostile table files: every file check takes time in proportion to the file, and memory bounded by
its longest record, whatever it holds; DuckDB's fast CSV path loads exactly what the exact tokenizer
loads, with the same lines and findings, or leaves the file to it.

A check is linear when twice the input takes at most about twice the time: the limit is three times,
for noise, and the inputs are large enough that the quadratic passes these tests replace fail (a bad
byte per line: 1.8 s, then 6.4 s; blank lines: 6.3 s, then 25 s). Time is the process's
CPU time, which other work on a shared machine barely changes.
"""

import functools
import gc
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import duckdb
import pytest
from azru.package import DESCRIPTOR, Field, Table
from azru.validate import load as loading
from azru.validate import scan, tokenizer, validate
from azru.validate.rules import Finding, More
from hypothesis import given
from hypothesis import strategies as st

# timings and whole files: the slow tier (tests/conftest.py)
pytestmark = pytest.mark.slow

NAMES = ["a", "b", "c"]
TABLE = Table("t", "t.csv", "", tuple(Field(name, "string", "", {}, {}) for name in NAMES), (), ())
HEADER = b"a,b,c\n"

Loaded = tuple[list[tuple[Any, ...]] | None, list[tuple[Any, ...]]]


def signs_of(path: Path) -> "Future[scan.Signs]":
    signs: Future[scan.Signs] = Future()
    signs.set_result(scan.looks_plain(path))
    return signs


@functools.cache
def database() -> duckdb.DuckDBPyConnection:
    # once: a connection costs more than loading a small table; one thread, for steadier CPU times
    return duckdb.connect(config={"threads": 1})


def fresh() -> duckdb.DuckDBPyConnection:
    """The database with no table t, stored or viewed."""
    con = database()
    con.execute(f"DROP VIEW IF EXISTS t; DROP TABLE IF EXISTS {loading.stored_name(TABLE)}").fetchall()
    return con


def load(root: Path, exact: bool = False) -> Loaded:
    """The rows (with their lines) and the findings of loading t.csv: fast path first, or exact only."""
    con = fresh()
    with pytest.MonkeyPatch.context() as patch:
        if exact:
            patch.setattr(loading, "load_fast", lambda *args: None)
        reported, loaded = loading.load_table(con, TABLE, root / TABLE.path, signs_of(root / TABLE.path))
        found = list(reported)
        listed = [f for f in found if isinstance(f, Finding)]
        assert len(listed) == len(found), "a small table's findings are all listed, none only counted"
        findings = sorted((f.code, f.line or 0, f.column or 0, f.value or "", sorted(f.params.items())) for f in listed)
    rows = con.execute("SELECT * FROM t ORDER BY 1").fetchall() if loaded else None
    return rows, findings


def takes_fast_path(root: Path) -> bool:
    con = fresh()
    path = root / TABLE.path
    return loading.load_fast(con, TABLE, path, signs_of(path)) is not None


def write(root: Path, content: bytes) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / TABLE.path).write_bytes(content)
    return root


# --- the fast path and the exact tokenizer agree ---------------------------------------------------------

PLAIN = st.text(st.sampled_from("ab é\x00"), max_size=4)
QUOTED = st.text(st.sampled_from('ab ,"\n\ré'), max_size=5).map(lambda text: '"' + text.replace('"', '""') + '"')
SLIPS = st.sampled_from(['"a"b', ' "a"', '"a" ', "a b", 'a"b', '"', '"""', 'a""b', '"a', "a\r", ""])
CELL = st.one_of(PLAIN, QUOTED, PLAIN, QUOTED, SLIPS)
ROW = st.one_of(
    st.lists(st.one_of(PLAIN, QUOTED), min_size=3, max_size=3),  # mostly clean rows, for the fast path
    st.lists(CELL, min_size=3, max_size=3),
    st.lists(CELL, min_size=1, max_size=5),
).map(",".join)
ENDING = st.sampled_from(["\n"] * 6 + ["\r\n", "\n\n", ",\n", ",,\n", "\r", ""])
BAD_BYTES = st.sampled_from([b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\xe2\x82", b"\xf4\x90\x80\x80", b"\xef\xbf\xbd"])


@st.composite
def table_bytes(draw: st.DrawFn) -> bytes:
    """A header that fits TABLE (or nearly: a BOM, CR LF, quotes) and a few rows, some broken."""
    bom = draw(st.sampled_from(["", "", "", "\ufeff"]))
    header = draw(st.sampled_from(["a,b,c\n", "a,b,c\n", '"a",b,c\n', "a,b,c\r\n"]))
    rows = "".join(row + ending for row, ending in draw(st.lists(st.tuples(ROW, ENDING), max_size=6)))
    data = (bom + header + rows).encode("utf-8")
    if draw(st.integers(0, 3)) == 0:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(BAD_BYTES) + data[at:]
    return data


@given(content=table_bytes())
def test_the_fast_path_loads_what_the_exact_tokenizer_loads(
    tmp_path_factory: pytest.TempPathFactory, content: bytes
) -> None:
    root = write(tmp_path_factory.mktemp("csv"), content)
    assert load(root) == load(root, exact=True)


@given(content=table_bytes(), block=st.integers(1, 8))
def test_what_the_exact_path_finds_does_not_depend_on_where_blocks_end(
    tmp_path_factory: pytest.TempPathFactory, content: bytes, block: int
) -> None:
    root = write(tmp_path_factory.mktemp("csv"), content)
    whole = load(root, exact=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(scan, "BLOCK", block)
        assert load(root, exact=True) == whole


def decoding_errors(data: bytes) -> list[tuple[int, int, str]]:
    """Line, column and bytes of each sequence Python cannot decode, found one decode at a time."""
    found: list[tuple[int, int, str]] = []
    position = 0
    while True:
        try:
            data[position:].decode("utf-8")
            return found
        except UnicodeDecodeError as error:
            start, position = position + error.start, position + error.end
            line_start = data.rfind(b"\n", 0, start) + 1
            column = len(data[line_start:start].decode("utf-8", "replace")) + 1
            found.append((data.count(b"\n", 0, start) + 1, column, data[start:position].hex(" ")))


@given(content=table_bytes(), bad=st.lists(st.tuples(st.integers(0, 200), BAD_BYTES), max_size=4))
def test_bad_bytes_are_found_where_a_decoder_finds_them(
    tmp_path_factory: pytest.TempPathFactory, content: bytes, bad: list[tuple[int, bytes]]
) -> None:
    for at, sequence in bad:
        content = content[:at] + sequence + content[at:]
    path = write(tmp_path_factory.mktemp("csv"), content) / TABLE.path
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(scan, "BLOCK", 3)
        found = [(f.line, f.column, f.value) for f in scan.encoding_findings(path, TABLE.path)]
    assert found == decoding_errors(content)


DISAGREED = {  # what DuckDB loads without a word, and the exact tokenizer reports
    "a row ending in a comma": (b"x,y,z,\n", "row-field-count"),
    "empty cells past the last column": (b"x,y,z,,,\n", "row-field-count"),
    "an empty quoted cell past the last column": (b'x,y,z,""\n', "row-field-count"),
    "a row of commas": (b",,,\n", "row-field-count"),
    "a space after a quoted cell": (b'"x" ,y,z\n', "csv-quote-malformed"),
    "a space before a quoted cell": (b' "x",y,z\n', "csv-quote-malformed"),
    "spaces after the last quoted cell": (b'x,y,"z"  \n', "csv-quote-malformed"),
    "a space after a quoted cell with a doubled quote": (b'x,y,"z""" \n', "csv-quote-malformed"),
}


@pytest.mark.parametrize(("row", "code"), DISAGREED.values(), ids=DISAGREED.keys())
def test_what_duckdb_tolerates_is_left_to_the_exact_tokenizer(tmp_path: Path, row: bytes, code: str) -> None:
    root = write(tmp_path, HEADER + b"1,2,3\n" + row + b"4,5,6\n")
    assert not takes_fast_path(root)
    rows, findings = load(root)
    assert [(found, line) for found, line, *_ in findings] == [(code, 3)]
    assert [line for line, *_ in rows or []] == ([2, 4] if code == "row-field-count" else [2, 3, 4])


CLEAN = b'1,"two, three","say ""hi"""\n,,\n"","",""\n\xc3\xa9,"line",\x00\nx,"a ""quoted"" word", y \n'


def test_clean_files_take_the_fast_path(tmp_path: Path) -> None:
    root = write(tmp_path, HEADER + CLEAN)
    assert takes_fast_path(root)
    assert load(root) == load(root, exact=True)


def test_a_stray_quote_is_named_on_either_path(tmp_path: Path) -> None:
    root = write(tmp_path, HEADER + b'1,2,3\nx,a"b,z\n')
    assert takes_fast_path(root)
    rows, findings = load(root)
    assert rows == [(2, "1", "2", "3"), (3, "x", 'a"b', "z")]
    assert [(code, line) for code, line, *_ in findings] == [("csv-quote-malformed", 3)]
    assert load(root) == load(root, exact=True)


# --- bounded work and memory -----------------------------------------------------------------------------


def cpu_seconds(action: Callable[[], object]) -> float:
    """CPU time of `action`, without the cyclic garbage collector, whose pauses grow with whatever else
    the test process holds (after the whole suite, a pause can outlast a check)."""
    gc.collect()
    gc.disable()
    try:
        start = time.process_time()
        action()
        return time.process_time() - start
    finally:
        gc.enable()


def assert_linear(tmp_path: Path, content: Callable[[int], bytes], check: Callable[[Path], object], n: int) -> None:
    """`check` of content(2n) takes under 10 s and under three times as long as of content(n), with 0.2 s
    to spare for other work on the machine."""

    small, large = write(tmp_path / "small", content(n)), write(tmp_path / "large", content(2 * n))
    small_runs, large_runs = [], []
    for _ in range(2):  # the better of two runs each, in turns, so that a busy moment slows both sizes
        small_runs.append(cpu_seconds(lambda: check(small)))
        large_runs.append(cpu_seconds(lambda: check(large)))
    first, second = min(small_runs), min(large_runs)
    assert second < 10, f"{second:.1f} s"
    assert second < 3 * first + 0.2, f"{first:.2f} s, then {second:.2f} s for twice the input"


def last(findings: Iterable[Finding | More]) -> Finding | More:
    """The last finding, the others let go as they come."""
    *_, final = findings
    return final


def load_findings(root: Path) -> Iterator[Finding | More]:
    found, _ = loading.load_table(fresh(), TABLE, root / TABLE.path, signs_of(root / TABLE.path))
    return found


def test_a_bad_byte_on_every_line_takes_linear_time(tmp_path: Path) -> None:
    def check(root: Path) -> None:
        found = last(scan.encoding_findings(root / TABLE.path, TABLE.path))
        assert isinstance(found, Finding) and (found.column, found.value) == (3, "ff")

    assert_linear(tmp_path, lambda n: HEADER + b"x,\xff,z\n" * n, check, 25_000)


def test_blank_lines_take_linear_time(tmp_path: Path) -> None:
    def check(root: Path) -> None:
        assert last(scan.careful_scan(root / TABLE.path, TABLE.path)).code == "blank-line"

    assert_linear(tmp_path, lambda n: HEADER + b"\n" * n, check, 100_000)


@pytest.mark.parametrize(
    ("row", "n"),
    [(b"x,y\n", 25_000), (b'"x"y,z,w\n', 12_000), (b'x,a"b,z\n', 8_000), (b"x,y,z\r\n", 25_000)],
    ids=["too few cells", "text after a closing quote", "a stray quote", "CR LF"],
)
def test_a_problem_on_every_row_takes_linear_time(tmp_path: Path, row: bytes, n: int) -> None:
    assert_linear(tmp_path, lambda count: HEADER + row * count, lambda root: last(load_findings(root)), n)


MEMORY = """
import json, resource, sys
from concurrent.futures import Future
from pathlib import Path
import duckdb
from azru.package import Field, Table
from azru.validate import load, scan


root = Path(sys.argv[1])
table = Table("t", "t.csv", "", tuple(Field(n, "string", "", {}, {}) for n in ["a", "b", "c"]), (), ())
con = duckdb.connect(config={"memory_limit": "64MB", "temp_directory": str(root / "spill")})
signs = Future()
signs.set_result(scan.looks_plain(root / "t.csv"))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
found, _ = load.load_table(con, table, root / table.path, signs)
codes = sorted({f.code for f in found})
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
rows = con.execute("SELECT count(*) FROM t").fetchone()[0]
print(json.dumps({"growth_mib": (after - before) / 1024, "codes": codes, "rows": rows}))
"""


def test_a_large_file_the_exact_tokenizer_reads_takes_bounded_memory(tmp_path: Path) -> None:
    """40 MB with one CR: it was read whole, decoded, and kept as lists of cells (about 640 MiB)."""
    row = b'hello,"a quoted, cell with ""quotes""",' + b"and a long plain cell " * 8 + b"\n"
    write(tmp_path, HEADER + b"x,y,z\r\n" + row * (40_000_000 // len(row)))
    out = subprocess.run([sys.executable, "-c", MEMORY, str(tmp_path)], capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    assert result["codes"] == ["line-ending-crlf"]
    assert result["rows"] == 40_000_000 // len(row) + 1
    assert result["growth_mib"] < 150


def test_a_record_longer_than_the_limit_is_reported_and_not_kept(tmp_path: Path) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tokenizer, "MAX_RECORD", 10)
        root = write(tmp_path, HEADER + b"1,2,3\n" + b"x," * 20 + b"\n" + b'4,"5\n' + b"6" * 30 + b'",6\n7,8,9\n')
        rows, findings = load(root)
    assert rows == [(2, "1", "2", "3"), (6, "7", "8", "9")]
    assert [(code, line) for code, line, *_ in findings] == [("record-too-long", 3), ("record-too-long", 4)]


def test_a_quote_left_open_makes_one_record_not_kept_whole(tmp_path: Path) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tokenizer, "MAX_RECORD", 100)
        root = write(tmp_path, HEADER + b'1,"2,3\n' + b"4,5,6\n" * 100)
        rows, findings = load(root)
    assert rows == []
    errors = [(code, line, params) for code, line, _, _, params in findings]
    assert errors == [
        ("csv-quote-malformed", 2, [("error", "a quoted cell is never closed")]),
        ("record-too-long", 2, [("limit", "100")]),
    ]


def test_a_header_cell_longer_than_csv_allows_is_a_mismatch(tmp_path: Path) -> None:
    root = write(tmp_path, b'a,"' + b"b" * 200_000 + b'"\n1,2,3\n')
    (finding,) = list(load_findings(root))
    assert finding.code == "header-mismatch"


# --- the line column ------------------------------------------------------------------------------------

LINE_FIELD_PACKAGE = {
    "name": "lines",
    "resources": [
        {
            "name": "notes",
            "path": "notes.csv",
            "schema": {
                "fields": [
                    {"name": "_line", "type": "integer", "constraints": {"required": True, "maximum": 100}},
                    {"name": "text", "type": "string"},
                ],
                "primaryKey": ["_line"],
            },
        }
    ],
}


@pytest.mark.parametrize("ending", [b"\n", b"\r\n"], ids=["fast path", "exact path"])
def test_a_field_may_be_named_like_the_line_column(tmp_path: Path, ending: bytes) -> None:
    (tmp_path / DESCRIPTOR).write_text(json.dumps(LINE_FIELD_PACKAGE), encoding="utf-8")
    rows = [b"_line,text", b"1,a", b",b", b"500,c", b"7,d", b"7,e"]
    (tmp_path / "notes.csv").write_bytes(b"".join(row + ending for row in rows))
    findings = validate(tmp_path).findings  # and invariant-broken: this package is not the dataset
    found = [(f.code, f.line, f.field) for f in findings if f.file == "notes.csv" and f.code != "line-ending-crlf"]
    assert found == [
        ("required-missing", 3, "_line"),
        ("value-too-large", 4, "_line"),
        ("primary-key-duplicate", 6, "_line"),
    ]
