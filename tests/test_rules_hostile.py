"""Hostile input found by a security review: each defect, pinned by the input that showed it.

Threads that share stdout with the EDTF parser, cells built to make the parser slow, impossible days
behind X digits, seasons, invisible characters, codes that differ only in case, one-character quotes.
"""

import fnmatch
import sys
import threading
import time
import unicodedata
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import duckdb
import pytest
from azru.domain import REQUIRED_FIELDS
from azru.edtf_dates import EdtfError, bounds, precision
from azru.package import load
from azru.text import FORBIDDEN, is_forbidden
from azru.validate import CHECKS, render, validate
from azru.validate.rules import Finding
from hypothesis import given
from hypothesis import strategies as st
from strategies import REPO, findings, fixture_data, write_package, write_rows

# validations and timings: the slow tier (tests/conftest.py)
pytestmark = pytest.mark.slow

# --- threads --------------------------------------------------------------------------------------------


def test_ten_validations_at_once_each_print_the_same_complete_report(capsys: pytest.CaptureFixture[str]) -> None:
    """The repository's dates include X digits and intervals, which take the EDTF parser's path."""
    expected = render(validate(REPO), "text", 0)
    assert expected.rpartition("\n")[2].startswith(("valid", "invalid"))  # the summary: the report is whole

    def report(_: int) -> str:
        text = render(validate(REPO), "text", 0)
        sys.stdout.write(text + "\n")  # one write, so that reports printed at once do not interleave
        return text

    with ThreadPoolExecutor(max_workers=10) as pool:
        reports = list(pool.map(report, range(10)))
    assert reports == [expected] * 10
    assert capsys.readouterr().out == (expected + "\n") * 10


def test_what_other_threads_print_while_dates_parse_is_kept(capsys: pytest.CaptureFixture[str]) -> None:
    """2024-01-3X makes the parser fail inside a parse action, which prints unless silenced."""
    stop = threading.Event()
    printed: list[int] = []

    def chatter() -> None:
        while not stop.is_set():
            print(f"line {len(printed)}")
            printed.append(len(printed))
            time.sleep(0.001)

    thread = threading.Thread(target=chatter)
    thread.start()
    try:
        for _ in range(20):
            with pytest.raises(EdtfError):
                bounds("2024-01-3X")
    finally:
        stop.set()
        thread.join()
    assert capsys.readouterr().out.splitlines() == [f"line {n}" for n in printed]


# --- slow parses ----------------------------------------------------------------------------------------


def validate_hostile_dates(folder: Path, cells: int, size: int) -> tuple[float, list[Finding]]:
    """Seconds to validate the fixture with `cells` more events dated `[n,2024,2024,...]` (`size` characters)."""
    data = fixture_data()
    events = data.tables["events"]
    for n in range(cells):
        date = f"[{n}," + ",".join(["2024"] * (size // 5)) + "]"
        events.append(events[0] | {"event_id": f"evt-{n + 100:010d}", "date": date})
    pkg = write_package(folder, data)
    start = time.perf_counter()
    found = findings(pkg.root, pkg.archive)
    return time.perf_counter() - start, found


def test_dates_that_break_their_pattern_are_not_parsed(tmp_path: Path) -> None:
    """One 10 KB cell took 87 s (twenty, about half an hour): the EDTF parser's time grows faster than its input."""
    small, found = validate_hostile_dates(tmp_path / "small", 20, 10_000)
    large, _ = validate_hostile_dates(tmp_path / "large", 20, 20_000)
    codes = Counter((f.code, f.field) for f in found)
    assert codes[("pattern-mismatch", "date")] == 20 and not codes[("edtf-invalid", "date")]
    assert small < 20
    assert large < 2 * small + 1


def fields_checks_read_by_name() -> list[tuple[str, str]]:
    """(table, field) of each field a check names that no key, reference or invariant requires."""
    package = load(REPO)
    keys = {(table, name) for table, names in REQUIRED_FIELDS.items() for name in names}
    for table in package.tables.values():
        keys |= {(table.name, key) for key in table.primary_key}
        for local, target, remote in table.references():
            keys |= {(table.name, local), (target, remote)}
    read = set().union(*(check.reads for check in CHECKS))
    return sorted(
        (table.name, name)
        for table in package.tables.values()
        for name in table.field_names
        if name in read and (table.name, name) not in keys
    )


@pytest.mark.parametrize(("table", "name"), fields_checks_read_by_name())
def test_a_field_a_check_reads_may_be_missing(tmp_path: Path, table: str, name: str) -> None:
    """A package without, say, release_date has no release to put before its detention: each check reads
    a table only when it has the fields the check names, so their absence is no finding and no crash."""
    pkg = write_package(tmp_path, fixture_data())
    descriptor = pkg.descriptor()
    schema = next(r for r in descriptor["resources"] if r["name"] == table)["schema"]
    schema["fields"] = [f for f in schema["fields"] if f["name"] != name]
    pkg.write_descriptor(descriptor)
    write_rows(pkg.path(table), [f["name"] for f in schema["fields"]], pkg.rows(table))
    assert findings(pkg.root, pkg.archive) == []


@pytest.mark.parametrize("pattern", ["^a++$", "^(?>a)$", "^a\\Z", "^\\u0061$", "(?x)^a $", "^(a{100}){100}$"])
def test_a_pattern_re2_refuses_is_a_descriptor_finding(tmp_path: Path, pattern: str) -> None:
    """Python's re reads these, but RE2, which checks the cells, does not: the descriptor is refused."""
    pkg = write_package(tmp_path, fixture_data())
    descriptor = pkg.descriptor()
    index, resource = next((i, r) for i, r in enumerate(descriptor["resources"]) if r["name"] == "events")
    field = next(j for j, f in enumerate(resource["schema"]["fields"]) if f["name"] == "summary")
    resource["schema"]["fields"][field].setdefault("constraints", {})["pattern"] = pattern
    pkg.write_descriptor(descriptor)
    [finding] = findings(pkg.root, pkg.archive)
    assert (finding.code, finding.params["where"]) == (
        "descriptor-not-conforming",
        f"resources/{index}/schema/fields/{field}/constraints/pattern",
    )
    assert finding.params["error"].startswith("not a regular expression RE2 reads (")


def test_a_long_value_is_refused_unparsed() -> None:
    start = time.perf_counter()
    with pytest.raises(EdtfError, match=r"^longer than 64 characters$"):
        bounds("2024," * 2000)
    assert time.perf_counter() - start < 0.1


# --- days behind X digits, and seasons ------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "XXXX-02-30",  # no year has 30 February
        "20XX-02-30",
        "19X1-02-29",  # 1901, 1911, ..., 1991: none is a leap year
        "X900-02-29",  # 0900, 1900, ..., 9900: none is a multiple of 400
        "XXXX-04-31",
        "2024-XX-32",
    ],
)
def test_x_digits_that_can_give_no_calendar_day_are_refused(value: str) -> None:
    reason = f"{value} is not a calendar day, whatever its X digits stand for"
    with pytest.raises(EdtfError, match=f"^{reason}$"):
        bounds(value)
    with pytest.raises(EdtfError, match=f"^{reason}$"):
        bounds(f"2017/{value}")


def test_a_level_2_qualifier_inside_a_date_does_not_hide_an_impossible_day() -> None:
    with pytest.raises(EdtfError, match=r"^2023-02-30 is not a calendar day$"):
        bounds("2023-?02-~30")


@pytest.mark.parametrize("value", ["XXXX-02-29", "19X2-02-29", "XX00-02-29", "1X00-02-29", "2024-XX-31"])
def test_x_digits_that_can_give_a_calendar_day_are_kept(value: str) -> None:
    bounds(value)


def fits(digits: str, number: int) -> bool:
    return fnmatch.fnmatchcase(f"{number:0{len(digits)}d}", digits.replace("X", "?"))


def some_day(year: str, month: str, day: str) -> bool:
    """By brute force: is there a calendar day from year 1 to 9999 that the digits can stand for?"""
    for y in (y for y in range(1, 10000) if fits(year, y)):
        for m in (m for m in range(1, 13) if fits(month, m)):
            for d in (d for d in range(1, 32) if fits(day, d)):
                try:
                    date(y, m, d)
                except ValueError:
                    continue
                return True
    return False


DIGIT_OR_X = st.sampled_from("0123456789") | st.just("X")


def digits(n: int) -> st.SearchStrategy[str]:
    return st.lists(DIGIT_OR_X, min_size=n, max_size=n).map("".join)


@given(year=digits(4), month=st.sampled_from(["02", "0X", "X2", "XX", "04", "11", "1X"]) | digits(2), day=digits(2))
def test_a_date_is_a_calendar_day_exactly_when_some_year_gives_one(year: str, month: str, day: str) -> None:
    try:
        bounds(f"{year}-{month}-{day}")
    except EdtfError as error:
        refused = "not a calendar day" in str(error)
    else:
        refused = False
    assert refused == (not some_day(year, month, day))


@pytest.mark.parametrize(
    ("value", "earliest", "latest"),
    [  # the edtf library's months for each season; it keeps winter within its year
        ("2024-21", date(2024, 3, 1), date(2024, 5, 31)),
        ("2024-22", date(2024, 6, 1), date(2024, 8, 31)),
        ("2024-23", date(2024, 9, 1), date(2024, 11, 30)),
        ("2024-24", date(2024, 12, 1), date(2024, 12, 31)),
        ("2023-23/2024-21", date(2023, 9, 1), date(2024, 5, 31)),
    ],
)
def test_seasons_are_dates_with_the_bounds_of_their_months(value: str, earliest: date, latest: date) -> None:
    assert bounds(value) == (earliest, latest)
    assert precision(value) is None


@pytest.mark.parametrize("value", ["2024-20", "2024-21-05", "2024-13"])
def test_a_season_is_no_month_and_has_no_days(value: str) -> None:
    with pytest.raises(EdtfError):
        bounds(value)


# --- invisible characters -------------------------------------------------------------------------------

# Default_Ignorable_Code_Point, copied from Unicode 15.1's DerivedCoreProperties.txt.
DEFAULT_IGNORABLE = [
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
]
BIDI_CONTROLS = {"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"}
# Each was accepted in a cell before the review.
FOUND_BY_REVIEW = ["\u061c", "\u2028", "\u2029", "\u00ad", "\U000e0001", "\U000e0041", "\ufff9", "\ufffb", "\u3164"]


def test_forbidden_characters_are_controls_default_ignorables_separators_and_annotations() -> None:
    forbidden = {point for point in range(0x110000) if is_forbidden(chr(point))}
    expected = {*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029, 0xFFF9, 0xFFFA, 0xFFFB}
    expected |= {point for low, high in DEFAULT_IGNORABLE for point in range(low, high + 1)}
    assert forbidden == expected
    # and, apart from that list, what unicodedata calls a control, a separator or a bidi control
    named = {
        point
        for point in range(0x110000)
        if unicodedata.category(chr(point)) in ("Cc", "Zl", "Zp")
        or unicodedata.bidirectional(chr(point)) in BIDI_CONTROLS
    }
    assert named | {0x061C, 0x200E, 0x200F} <= forbidden  # with the marks: ALM, LRM and RLM


@pytest.mark.parametrize("char", FOUND_BY_REVIEW)
def test_each_character_the_review_found_is_forbidden_in_sql_and_python(char: str) -> None:
    with duckdb.connect() as sql:
        ((found,),) = sql.execute("SELECT regexp_matches(?, ?)", [f"a{char}b", FORBIDDEN]).fetchall()
    assert found and is_forbidden(char)


@pytest.mark.parametrize("char", ["\u200c", "\u200d", "\ufe0f"])
def test_joiners_and_variation_selectors_stay_forbidden(char: str) -> None:
    """ZWNJ and ZWJ belong in Persian and emoji, VS16 in emoji: the data has none, and they stay out."""
    assert is_forbidden(char)


def test_an_invisible_character_is_reported_with_its_code_point(tmp_path: Path) -> None:
    data = fixture_data()
    data.tables["events"][0]["summary"] = "Police\u00adraid"
    pkg = write_package(tmp_path, data)
    [finding] = findings(pkg.root, pkg.archive)
    assert (finding.code, finding.field, finding.line) == ("forbidden-character", "summary", 2)
    assert finding.message == "summary contains U+00AD, a control or invisible formatting character"
    assert finding.hint == (
        "delete it; cells are single lines of visible text, without controls (C0, C1, DEL), Unicode's "
        "default-ignorable characters (zero-width and bidi controls, soft hyphen, fillers, variation selectors, "
        "tags), U+2028, U+2029 or U+FFF9-FFFB"
    )


# --- codes that differ only in case ---------------------------------------------------------------------


def test_a_code_that_differs_only_in_case_is_reported_at_its_line(tmp_path: Path) -> None:
    """Each later spelling points at the first; an exact repeat is a duplicate key, reported once."""
    pkg = write_package(tmp_path, fixture_data())
    rows = pkg.rows("event_types")
    torture = next(n for n, row in enumerate(rows) if row["code"] == "torture")
    rows += [rows[torture] | {"code": "Torture"}, rows[torture] | {"code": "Torture"}]
    pkg.write_rows("event_types", rows)
    first, later, repeat = torture + 2, len(rows), len(rows) + 1
    found = findings(pkg.root, pkg.archive)
    assert [(f.code, f.file, f.line, f.column) for f in found] == [
        ("code-case-duplicate", "data/codelists/event_types.csv", later, 1),
        ("primary-key-duplicate", "data/codelists/event_types.csv", repeat, 1),
    ]
    assert found[0].message == f"code 'Torture' differs only in case from 'torture' on line {first}"
    assert (
        found[0].hint
        == "people and many tools take both for one code: keep one spelling, and delete or rename the other row"
    )


# --- one-character quotes -------------------------------------------------------------------------------


def test_a_one_character_quote_that_is_verbatim_is_too_short(tmp_path: Path) -> None:
    data = fixture_data()
    data.tables["claims"][0]["quote"] = "."
    pkg = write_package(tmp_path, data)
    [finding] = findings(pkg.root, pkg.archive)
    assert (finding.code, finding.file, finding.line, finding.field) == (
        "quote-too-short",
        "data/claims.csv",
        2,
        "quote",
    )
    assert finding.message == "quote has 1 characters once its whitespace is collapsed, fewer than 10"
    assert finding.hint == (
        "quote the passage that makes the claim: a word or a mark is found in almost any source, so it proves nothing"
    )


@pytest.mark.parametrize(
    ("quote", "length"),
    [
        ("abcdefghi", 9),
        ("abcdefghij", None),
        ("ab \n\t\u3000 cd", 5),  # whitespace counts once it is collapsed
        ("a b c d e", 9),
        ("a b c d e f", None),  # six characters besides whitespace, eleven collapsed
        ("a\u00a0\u00a0b c d e f", None),
    ],
)
def test_a_quote_is_measured_with_its_whitespace_collapsed(tmp_path: Path, quote: str, length: int | None) -> None:
    data = fixture_data()
    data.tables["claims"][0]["quote"] = quote
    pkg = write_package(tmp_path, data)
    found = [f for f in findings(pkg.root, None) if f.code == "quote-too-short"]
    assert [f.params["length"] for f in found] == ([] if length is None else [str(length)])
