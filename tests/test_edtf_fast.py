"""The days whose bounds azru reads without edtf's parser (QUALIFIED_DAY, UNSPECIFIED_DAY) are judged
exactly as the parser judges them, and the repository's package needs no parser at all."""

import csv
from collections.abc import Callable
from datetime import date
from pathlib import Path
from unittest import mock

import pytest
from azru import edtf_dates
from azru.edtf_dates import EdtfError, bounds, known_bounds, precision
from azru.package import load
from azru.validate import dates, validate
from hypothesis import example, given
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]

Verdict = tuple[date, date] | tuple[date | None, date | None] | str | None


def verdict(judge: Callable[[str], Verdict], value: str) -> Verdict:
    try:
        return judge(value)
    except EdtfError as error:
        return f"invalid: {error}"


def by_the_parser(judge: Callable[[str], Verdict], value: str) -> Verdict:
    """The verdict with QUALIFIED_DAY and UNSPECIFIED_DAY switched off: what PLAIN misses goes to the parser."""
    with mock.patch.object(edtf_dates, "_written_day_bounds", lambda _: None):
        return verdict(judge, value)


QUALIFIER = st.sampled_from(["", "", "?", "~", "%"])
YEAR = st.one_of(
    st.integers(0, 9999).map("{:04d}".format),
    st.sampled_from(["2023", "2024", "1900", "2000", "XXXX", "20XX", "XX00", "1X00", "000X"]),
    st.text("0123456789X", min_size=4, max_size=4),
)
MONTH = st.one_of(st.integers(0, 13).map("{:02d}".format), st.sampled_from(["XX", "02", "1X"]))
DAY = st.one_of(st.integers(0, 32).map("{:02d}".format), st.sampled_from(["XX", "29", "30", "31"]))


@st.composite
def written_days(draw: st.DrawFn) -> str:
    """A day with a qualifier or none before or after each component, or X digits, or both."""
    year, month, day = draw(YEAR), draw(MONTH), draw(DAY)
    before, after = draw(st.lists(QUALIFIER, min_size=3, max_size=3)), draw(st.lists(QUALIFIER, min_size=3, max_size=3))
    return "-".join(f"{b}{part}{a}" for b, part, a in zip(before, (year, month, day), after, strict=True))


ENDS = st.one_of(written_days(), st.sampled_from(["", "..", "2025-07-04?", "2019"]))
VALUES = st.one_of(written_days(), st.tuples(ENDS, ENDS).map("/".join))


@given(VALUES)
@example("2025?-06-27")
@example("2025?-06-27/2025-07-04?")
@example("2019?-10-29/..")
@example("XXXX-03-20")
@example("2023-02-29")
@example("XXXX-02-30")
@example("2023?-13-01")
@example("XXXX-02-29")
@example("2023-02-XX")
@example("?2024-~02-?29")
@example("?2024?-01-01")
def test_a_day_as_written_is_judged_as_the_parser_judges_it(value: str) -> None:
    for judge in (bounds, known_bounds, precision):
        assert verdict(judge, value) == by_the_parser(judge, value)


@pytest.mark.parametrize(
    ("value", "earliest", "latest"),
    [
        ("2025?-06-27", date(2025, 6, 27), date(2025, 6, 27)),
        ("?2024-~02-?29", date(2024, 2, 29), date(2024, 2, 29)),
        ("XXXX-03-20", date(1, 3, 20), date(9999, 3, 20)),
        ("20XX-02-XX", date(2000, 2, 1), date(2099, 2, 28)),
    ],
)
def test_a_day_as_written_needs_no_parser(value: str, earliest: date, latest: date) -> None:
    with mock.patch.object(edtf_dates, "_parser") as parser:
        assert bounds(value) == (earliest, latest)
    assert not parser.called


def edtf_values(root: Path) -> set[str]:
    """Every value of an EDTF field in the package at root."""
    values = set()
    for table in load(root).tables.values():
        names = [field.name for field in table.fields if field.is_edtf]
        with open(root / table.path, encoding="utf-8", newline="") as handle:
            values |= {row[name] for row in csv.DictReader(handle) for name in names if row[name]}
    return values


def test_the_repository_dates_need_no_parser() -> None:
    values = edtf_values(ROOT)
    assert any("?-" in value for value in values) and any("X" in value for value in values)
    with mock.patch.object(edtf_dates, "_parser") as parser:
        for value in values:
            bounds(value)
            known_bounds(value)
    assert not parser.called


@pytest.mark.slow
def test_validating_the_repository_package_builds_no_parser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZRU_CACHE", str(tmp_path))  # no dates remembered from earlier runs
    monkeypatch.setattr(dates, "_remembered", {})
    with mock.patch.object(edtf_dates, "_parser") as parser:
        report = validate(ROOT)
    assert not parser.called
    assert not report.invalid
