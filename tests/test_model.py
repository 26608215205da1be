"""The questions an analyst asks of the data answered from the files alone, with no notes read: how many
people were detained and died in one case, which events fall in a month; no figure counted twice."""

import csv
from datetime import date
from pathlib import Path

import pytest
from azru.edtf_dates import known_bounds
from azru.figures import Estimate, case_figures, estimate

ROOT = Path(__file__).resolve().parents[1]
TABLES = ("cases", "events", "detentions", "claims", "claim_links")


def rows(table: str) -> list[dict[str, str | None]]:
    with open(ROOT / "data" / f"{table}.csv", encoding="utf-8", newline="") as handle:
        return [{k: v or None for k, v in row.items()} for row in csv.DictReader(handle)]


@pytest.fixture(scope="module")
def tables() -> dict[str, list[dict[str, str | None]]]:
    return {table: rows(table) for table in TABLES}


def case_named(tables: dict[str, list[dict[str, str | None]]], name: str) -> str:
    (case_id,) = [row["case_id"] for row in tables["cases"] if row["name"] == name]
    return case_id or ""


def test_tartar_case_people_detained(tables: dict[str, list[dict[str, str | None]]]) -> None:
    """'More than 1,000', stored on the detention event and on the group detention, counts once; the
    subgroups (25 convicted, 9 or 11 who died) are in it, not added to it."""
    found = estimate(case_figures(tables, case_named(tables, "Tartar case"), "detained"))
    assert found == Estimate(1000, 1000, 1000, high_open=True, claims=("clm-9pcbfqhbpa",))


def test_tartar_case_deaths(tables: dict[str, list[dict[str, str | None]]]) -> None:
    """Nine (one source), eleven (the PACE document) and 'dozens' (the author): three accounts of one toll,
    each stated once however many rows it supports. The two numbers give the figures; 'dozens' (24 at the
    least) gives none beside them, and opens the high."""
    found = estimate(case_figures(tables, case_named(tables, "Tartar case"), "killed"))
    assert found == Estimate(9, 9, 11, high_open=True, claims=("clm-1nhpe2z9nw", "clm-5jcb6qw163", "clm-a5kk9jmyb2"))


def test_a_case_total_never_adds_the_same_deaths(tables: dict[str, list[dict[str, str | None]]]) -> None:
    """The two Yekaterinburg deaths are stated in four claims of two sources: still two."""
    found = estimate(
        case_figures(tables, case_named(tables, "Raids on homes of Azerbaijanis in Yekaterinburg"), "killed")
    )
    assert found is not None and (found.low, found.best, found.high, found.high_open) == (2, 2, 2, False)


def test_estimate_of_no_claims_is_none() -> None:
    assert estimate([]) is None


def events_in(month_start: date, month_end: date) -> tuple[set[str], set[str]]:
    """The events certainly in a period (their whole span inside it) and those possibly in it (their span
    overlaps it), by the bounds the release publishes; an unknown side is unknown, never 0001 or 9999."""
    certainly, possibly = set(), set()
    for row in rows("events"):
        if not row["date"]:
            continue
        lower, upper = known_bounds(row["date"])
        assert lower is None or lower.year > 1
        assert upper is None or upper.year < 9999
        if lower is None and upper is None:
            continue
        if (lower is None or lower <= month_end) and (upper is None or upper >= month_start):
            possibly.add(row["event_id"] or "")
            if lower is not None and upper is not None and lower >= month_start and upper <= month_end:
                certainly.add(row["event_id"] or "")
    return certainly, possibly


def test_events_of_june_2025() -> None:
    """The Yekaterinburg raid and deaths are in June 2025; the Tuesday events bounded to 28 June - 4 July
    may be; a date with no year (14-15 July of some year) is in no period."""
    certainly, possibly = events_in(date(2025, 6, 1), date(2025, 6, 30))
    assert certainly == {"evt-14mzqwf7pj", "evt-sx65at0zan"}
    assert "evt-r198bt4q8f" not in possibly  # XXXX-07-14/XXXX-07-15
    assert {"evt-smwe8rkn6j", "evt-dwezffpf59", "evt-9h42byzgss"} <= possibly
    assert "evt-b3th539av8" in possibly  # written after 29 October 2019, open end


@pytest.mark.parametrize(
    ("value", "lower", "upper"),
    [
        ("XXXX-03-20", None, None),
        ("XXXX-07-14/XXXX-07-15", None, None),
        ("../2022-01-11", None, date(2022, 1, 11)),
        ("2019?-10-29/..", date(2019, 10, 29), None),
        ("2019?-10-29", date(2019, 10, 29), date(2019, 10, 29)),
        ("2019-10?-29", date(2019, 10, 29), date(2019, 10, 29)),
        ("2019-10-29?", date(2019, 10, 29), date(2019, 10, 29)),
        ("2019-10-29~", date(2019, 10, 29), date(2019, 10, 29)),
        ("2019-10~", date(2019, 10, 1), date(2019, 10, 31)),
        ("2019~-10", date(2019, 10, 1), date(2019, 10, 31)),
        ("19XX", date(1900, 1, 1), date(1999, 12, 31)),
    ],
)
def test_published_bounds_ignore_qualifiers_and_refuse_unknown_years(
    value: str, lower: date | None, upper: date | None
) -> None:
    assert known_bounds(value) == (lower, upper)
