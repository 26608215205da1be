"""Units under the validator: EDTF bounds, whitespace normalisation (and its SQL twin), character
classes, and row ids."""

# Annotations stay unevaluated: pytest keeps its fixtures and tests alive until late in interpreter shutdown,
# after DuckDB's extension has counted its live objects, so a DuckDB class in their annotations would be
# reported as leaked ("nanobind: leaked ...") although nothing leaks.
from __future__ import annotations

import calendar
import re
import threading
from collections.abc import Callable, Iterator
from datetime import date

import duckdb
import pytest
from azru.edtf_dates import EARLIEST, LATEST, EdtfError, bounds, precision
from azru.ids import CROCKFORD, new_id
from azru.text import FORBIDDEN, NFC_SUSPECTS, is_forbidden, nfc_suspects, normalise_whitespace
from azru.validate import scan
from azru.validate.cells import _printable_only
from azru.validate.sql import WHITESPACE
from hypothesis import given
from hypothesis import strategies as st
from strategies import PACKAGE

# --- EDTF -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "earliest", "latest"),
    [
        ("2024-02-29", date(2024, 2, 29), date(2024, 2, 29)),
        ("2000-02-29", date(2000, 2, 29), date(2000, 2, 29)),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        ("2023-02", date(2023, 2, 1), date(2023, 2, 28)),
        ("2025", date(2025, 1, 1), date(2025, 12, 31)),
        ("2017-05-03?", date(2017, 5, 3), date(2017, 5, 3)),
        ("2017-05-03~", date(2017, 5, 3), date(2017, 5, 3)),
        ("2017-05-03%", date(2017, 5, 3), date(2017, 5, 3)),
        ("2017-05?", date(2017, 5, 1), date(2017, 5, 31)),
        ("201X", date(2010, 1, 1), date(2019, 12, 31)),
        ("2017-XX", date(2017, 1, 1), date(2017, 12, 31)),
        ("2017-05-XX", date(2017, 5, 1), date(2017, 5, 31)),
        ("XXXX-03-20", date(1, 3, 20), date(9999, 3, 20)),
        ("2017-05/2017-06", date(2017, 5, 1), date(2017, 6, 30)),
        ("2025-06-15/2025-06", date(2025, 6, 15), date(2025, 6, 30)),
        ("2025-06-27/..", date(2025, 6, 27), LATEST),
        ("../2025-06-27", EARLIEST, date(2025, 6, 27)),
        ("2025-06-27/", date(2025, 6, 27), LATEST),
        ("/2025", EARLIEST, date(2025, 12, 31)),
    ],
)
def test_edtf_bounds(value: str, earliest: date, latest: date) -> None:
    assert bounds(value) == (earliest, latest)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2023-02-29", "2023-02-29 is not a calendar day"),
        ("1900-02-29", "1900-02-29 is not a calendar day"),
        ("2025-04-31", "2025-04-31 is not a calendar day"),
        ("2025-13", "2025-13 is not a calendar day"),
        ("2025-00-10", "2025-00-10 is not a calendar day"),
        ("2025-06-28/2025-06-27", "reversed"),
        ("2025-07/2025-06", "reversed"),
        ("2026/2025-12-31", "reversed"),
        ("../..", "an interval needs at least one end"),
        ("/", "an interval needs at least one end"),
        ("2025-02-30/..", "2025-02-30 is not a calendar day"),
        ("2025/06/27", "not a form EDTF allows"),
        ("27-06-2025", "not a form EDTF allows"),
        ("2025-6-27", "not a form EDTF allows"),
        ("", "not a form EDTF allows"),
    ],
)
def test_edtf_rejects(value: str, reason: str) -> None:
    with pytest.raises(EdtfError, match=f"^{re.escape(reason)}$"):
        bounds(value)


@pytest.mark.parametrize(
    ("value", "implied"),
    [
        ("2025-06-27", "day"),
        ("2025-06-27?", "day"),
        ("2025-06", "month"),
        ("2025~", "year"),
        ("2025-06/2025-07", None),
        ("2025-XX", None),
        ("XXXX-06-27", None),
    ],
)
def test_precision_a_date_implies(value: str, implied: str | None) -> None:
    assert precision(value) == implied


@given(day=st.dates())
def test_a_day_is_its_own_bounds_and_lies_within_its_month_and_year(day: date) -> None:
    iso = day.isoformat()
    assert bounds(iso) == (day, day)
    assert bounds(iso[:7]) == (day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1]))
    assert bounds(iso[:4]) == (date(day.year, 1, 1), date(day.year, 12, 31))


@given(first=st.dates(date(1000, 1, 1)), second=st.dates(date(1000, 1, 1)))
def test_an_interval_of_days_is_reversed_exactly_when_it_ends_first(first: date, second: date) -> None:
    value = f"{first.isoformat()}/{second.isoformat()}"
    if first <= second:
        assert bounds(value) == (first, second)
    else:
        with pytest.raises(EdtfError, match=r"^reversed$"):
            bounds(value)


# --- whitespace and characters --------------------------------------------------------------------------

ANY_TEXT = st.text(st.characters(codec="utf-8"))


@given(text=ANY_TEXT)
def test_normalising_whitespace_is_idempotent_and_changes_only_whitespace(text: str) -> None:
    once = normalise_whitespace(text)
    assert normalise_whitespace(once) == once
    assert [c for c in once if not c.isspace()] == [c for c in text if not c.isspace()]
    assert "  " not in once and once == once.strip()
    assert all(c == " " for c in once if c.isspace())


@pytest.fixture(scope="module")
def sql() -> Iterator[duckdb.DuckDBPyConnection]:
    """A table of every Unicode scalar value but NUL (which SQL's chr() cannot make)."""
    con = duckdb.connect()
    con.execute("CREATE TABLE points AS SELECT i FROM range(1, 1114112) t(i) WHERE i < 55296 OR i > 57343").fetchall()
    yield con
    con.close()


def sql_class(con: duckdb.DuckDBPyConnection, pattern: str) -> set[int]:
    rows = con.execute("SELECT i FROM points WHERE regexp_matches(chr(i::INTEGER), ?)", [pattern]).fetchall()
    return {i for (i,) in rows}


def python_class(keep: Callable[[str], bool]) -> set[int]:
    return {i for i in range(1, 0x110000) if not 0xD800 <= i <= 0xDFFF and keep(chr(i))}


def test_sql_whitespace_is_exactly_python_isspace(sql: duckdb.DuckDBPyConnection) -> None:
    """Quotes are collapsed in SQL and compared with texts collapsed in Python: one set of whitespace."""
    assert sql_class(sql, WHITESPACE) == python_class(str.isspace)


def test_sql_forbidden_characters_are_the_ones_python_names(sql: duckdb.DuckDBPyConnection) -> None:
    """SQL finds a forbidden character, Python names it in the message: they must agree on every one."""
    assert sql_class(sql, FORBIDDEN) == python_class(is_forbidden)
    assert is_forbidden("\x00")


@given(text=ANY_TEXT, cut=st.tuples(st.integers(0, 40), st.integers(0, 40)))
def test_a_passage_of_the_text_as_it_stands_is_verbatim(text: str, cut: tuple[int, int]) -> None:
    """The quote check collapses a source's whitespace only for quotes not found in it as it stands."""
    passage = text[min(cut) : max(cut)]
    assert normalise_whitespace(passage) in normalise_whitespace(text)


@given(text=ANY_TEXT.filter(lambda t: "\x00" not in t))
def test_sql_collapses_whitespace_as_python_does(text: str) -> None:
    with duckdb.connect() as sql:
        ((collapsed,),) = sql.execute(f"SELECT trim(regexp_replace(?, '{WHITESPACE}+', ' ', 'g'))", [text]).fetchall()
    assert collapsed == normalise_whitespace(text)


def test_nfc_suspects_are_current() -> None:
    assert nfc_suspects() == NFC_SUSPECTS, "NFC_SUSPECTS is stale: paste the output of azru.text.nfc_suspects()"


# pieces that NFC changes: letter + mark, Hangul jamo, Arabic alef + madda, a Devanagari nukta
# letter, a singleton (Angstrom sign), a CJK compatibility ideograph, a mark that decomposes
CHANGED_BY_NFC = ["a\u0301", "e\u0308", "c\u0327", "\u1100\u1161\u11a8", "\u0627\u0653", "\u0915\u093c", "\u212b"]
CHANGED_BY_NFC += ["\uf900", "\u0344"]
PIECES = st.sampled_from(CHANGED_BY_NFC) | st.characters(codec="utf-8", exclude_characters="\x00")


@given(text=st.lists(PIECES, max_size=8).map("".join))
def test_text_without_an_nfc_suspect_is_already_nfc(text: str) -> None:
    """The cell scan runs DuckDB's nfc_normalize only on cells the suspect class matches.

    NUL is left out: DuckDB's nfc_normalize stops at it, and a NUL is a forbidden character anyway.
    """
    with duckdb.connect() as sql:
        ((suspect, normalised),) = sql.execute(
            "SELECT regexp_matches(?, ?), nfc_normalize(?)", [text, f"[{NFC_SUSPECTS}]", text]
        ).fetchall()
    assert suspect or normalised == text


@pytest.mark.parametrize(
    ("pattern", "printable"),
    [
        ("^src-[0-9a-hjkmnp-tv-z]{10}$", True),
        ("^[0-9X?~%./-]{2,40}$", True),
        ("^[a-z0-9]+(-[a-z0-9]+)*$", True),
        ("^[A-Za-z0-9][A-Za-z0-9._-]*$", True),
        (".*", False),  # any character
        ("^[^a]$", False),  # a negated class
        ("^[ a]$", False),  # a space
        (r"^\w+$", False),  # an escape that means more than itself
        ("^[[:alpha:]]$", False),  # a nested class
    ],
)
def test_only_patterns_of_printable_ascii_skip_the_character_regex(pattern: str, printable: bool) -> None:
    assert _printable_only(pattern) is printable


# --- ids ------------------------------------------------------------------------------------------------

# The prefix each table's key pattern demands, for the tables whose key is a made id.
PATTERN_PREFIXES = {
    table.name: match[1]
    for table in PACKAGE.fact_tables
    if (match := re.match(r"\^([a-z0-9]+)-", table.field(table.primary_key[0]).constraints.get("pattern", "")))
}


@pytest.mark.parametrize("table", [table.name for table in PACKAGE.id_tables()])
def test_new_ids_match_the_descriptor(table: str) -> None:
    spec = PACKAGE.tables[table]
    assert spec.id_prefix is not None
    assert re.fullmatch(spec.field(spec.primary_key[0]).constraints["pattern"], new_id(spec.id_prefix))


def test_every_table_with_ids_has_its_own_prefix_and_crockford_has_no_ambiguous_letters() -> None:
    declared = {table.name: table.id_prefix for table in PACKAGE.id_tables()}
    assert declared == PATTERN_PREFIXES
    assert len(set(declared.values())) == len(declared)
    retired = re.match(r"\^\(([a-z0-9|]+)\)-", PACKAGE.tables["tombstones"].field("retired_id").constraints["pattern"])
    assert retired and set(retired[1].split("|")) == set(declared.values())  # any made id can be retired
    assert len(set(CROCKFORD)) == 32 and not set("ilou") & set(CROCKFORD)


def test_ids_made_in_parallel_never_collide() -> None:
    made: list[list[str]] = [[] for _ in range(4)]
    barrier = threading.Barrier(len(made))

    def make(out: list[str]) -> None:
        barrier.wait()
        out.extend(new_id("evt") for _ in range(500))

    threads = [threading.Thread(target=make, args=(out,)) for out in made]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [key for out in made for key in out]
    assert len(every) == 2000 and len(set(every)) == 2000


def test_common_language_tags_are_valid_for_langcodes() -> None:
    """The tags taken as valid without langcodes are exactly tags it finds valid."""
    import langcodes
    from azru.validate.language_tags import COMMON_LANGUAGES, COMMON_SCRIPTS, is_common

    tags = [*COMMON_LANGUAGES, *(f"{language}-{script}" for language in COMMON_LANGUAGES for script in COMMON_SCRIPTS)]
    assert all(is_common(tag) and langcodes.tag_is_valid(tag) for tag in tags)
    assert not any(is_common(tag) for tag in ["", "en-", "-Latn", "EN", "en-latn", "en-Latn-", "xx", "en-Latn-US"])


@given(
    content=st.lists(st.sampled_from([b"a", b",", b'"', b"\n", b"\r", b"\r\n"]), max_size=40).map(b"".join),
    block=st.integers(1, 8),
)
def test_a_lone_cr_is_found_on_its_line_wherever_blocks_end(
    tmp_path_factory: pytest.TempPathFactory, content: bytes, block: int
) -> None:
    path = tmp_path_factory.mktemp("csv") / "table.csv"
    path.write_bytes(content)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(scan, "BLOCK", block)
        found = scan.lone_cr(path, "table.csv")
    first = re.search(rb"\r(?!\n)", content)
    assert (found.line if found else None) == (content.count(b"\n", 0, first.start()) + 1 if first else None)
