"""The questions an analyst asks of the data answered from the files alone, with no notes read: how many
people were detained and died in one case, which events fall in a month; no figure counted twice."""

import csv
from pathlib import Path

import pytest
from azru.figures import Estimate, case_figures, estimate

ROOT = Path(__file__).resolve().parents[1]
TABLES = ("cases", "events", "detentions", "claims")


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
    each stated once however many rows carry it."""
    found = estimate(case_figures(tables, case_named(tables, "Tartar case"), "killed"))
    assert found == Estimate(9, 11, 24, high_open=True, claims=("clm-5jcb6qw163", "clm-q49kzm96bg", "clm-zvfe1hvc8c"))


def test_a_case_total_never_adds_the_same_deaths(tables: dict[str, list[dict[str, str | None]]]) -> None:
    """The two Yekaterinburg deaths are stated in four claims of two sources: still two."""
    found = estimate(
        case_figures(tables, case_named(tables, "Raids on homes of Azerbaijanis in Yekaterinburg"), "killed")
    )
    assert found is not None and (found.low, found.best, found.high, found.high_open) == (2, 2, 2, False)


def test_estimate_of_no_claims_is_none() -> None:
    assert estimate([]) is None
