"""Low, best and high of a measure (UCDP style), from claims alone, as the codebook states under `measures`.

The figures of one case, or of one event, are alternative accounts of one toll: they are compared, never
added. A claim linked to several rows states its figure once; a subgroup's claims (a detention with a parent)
count people its group's claims already count; a denied or disputed account is no estimate of the toll.

The rule is executed twice: in Python here, row by row, and in SQL (estimates_sql) for the release's flat
tables, where a million events would take the Python hours; tests/test_flat.py checks on random tables that
the two agree.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

Row = Mapping[str, str | None]
VAGUE = "vague"
OPEN_QUALIFIERS = frozenset({"at-least", "more-than", VAGUE})  # a floor: the true figure may be higher
LEFT_OUT_STATUSES = frozenset({"denied", "disputed"})


@dataclass(frozen=True)
class Estimate:
    low: int
    best: int
    high: int
    high_open: bool  # the high is a floor some claim states, not a ceiling
    claims: tuple[str, ...]  # the claims the figures come from


def estimate(claims: Iterable[Row]) -> Estimate | None:
    """Low, best and high of claims that all state a figure of one measure; None when none does. Each claim
    is one statement (azru validate reports a statement stored twice), so each is counted once.

    A vague word ("dozens") stands for the smallest number it allows, a floor and not a count: where some
    claim writes a number, the words give no figure, and only open the high when they allow more than it."""
    found = sorted(claims, key=lambda claim: claim["claim_id"] or "")
    if not found:
        return None
    numbers = [claim for claim in found if claim["value_qualifier"] != VAGUE] or found
    lows = sorted(value(claim["value_min"]) for claim in numbers)
    high = max(value(claim["value_max"] or claim["value_min"]) for claim in numbers)
    high_open = any(
        not claim["value_max"] and claim["value_qualifier"] in OPEN_QUALIFIERS and value(claim["value_min"]) == high
        for claim in numbers
    ) or any(value(claim["value_min"]) > high for claim in found if claim not in numbers)
    best = lows[(len(lows) - 1) // 2]  # the median, or the lower of the two middle figures
    return Estimate(lows[0], best, high, high_open, tuple(claim["claim_id"] or "" for claim in found))


def value(cell: str | None) -> int:
    return int(cell or 0)


def case_figures(tables: Mapping[str, Sequence[Row]], case_id: str, measure: str) -> list[Row]:
    """The claims of `measure` that count towards the case: linked to the case, its events, or its
    detentions that are not subgroups of another; not denied or disputed; each claim once, however many of
    those rows it supports."""
    events = {row["event_id"] for row in tables["events"] if row["case_id"] == case_id}
    detentions = {
        row["detention_id"]
        for row in tables["detentions"]
        if row["case_id"] == case_id and not row["parent_detention_id"]
    }
    supporting = {
        link["claim_id"]
        for link in tables["claim_links"]
        if link["case_id"] == case_id or link["event_id"] in events or link["detention_id"] in detentions
    }
    return counted(tables, supporting, measure)


def event_figures(tables: Mapping[str, Sequence[Row]], event_id: str, measure: str) -> list[Row]:
    """The claims of `measure` that count towards the event: linked to it through claim_links; not denied or
    disputed; each claim once."""
    supporting = {link["claim_id"] for link in tables["claim_links"] if link["event_id"] == event_id}
    return counted(tables, supporting, measure)


def counted(tables: Mapping[str, Sequence[Row]], supporting: set[str | None], measure: str) -> list[Row]:
    """The claims among `supporting` that state a figure of `measure` and are not left out by their status."""
    return [
        claim
        for claim in tables["claims"]
        if claim["claim_id"] in supporting
        and claim["measure"] == measure
        and claim["value_min"]
        and claim["status"] not in LEFT_OUT_STATUSES
    ]


def estimates_sql(target: str, measures: Sequence[str]) -> str:
    """DuckDB SQL giving estimate() of event_figures() for every row of the table that claim_links.`target`
    points at and every one of `measures` it has claims of: columns id, measure, low, best, high, high_open.
    It reads the typed tables `claims` and `claim_links` (value_min and value_max integers)."""
    statuses, qualifiers, wanted = (
        ", ".join(f"'{code}'" for code in sorted(codes)) for codes in (LEFT_OUT_STATUSES, OPEN_QUALIFIERS, measures)
    )
    counted = f"(c.value_qualifier IS DISTINCT FROM '{VAGUE}' OR NOT has_number)"
    high = f"max(coalesce(c.value_max, c.value_min)) FILTER (WHERE {counted})"
    return f"""
  SELECT id, c.measure, min(c.value_min) FILTER (WHERE {counted}) AS low,
    list_sort(list(c.value_min) FILTER (WHERE {counted}))[(count(*) FILTER (WHERE {counted}) - 1) // 2 + 1] AS best,
    {high} AS high,
    coalesce(max(CASE WHEN {counted} AND c.value_max IS NULL AND c.value_qualifier IN ({qualifiers})
      THEN c.value_min END) = {high}, false)
      OR coalesce(max(CASE WHEN NOT {counted} THEN c.value_min END) > {high}, false) AS high_open
  FROM (
    SELECT l.{target} AS id, c.*,
      bool_or(c.value_qualifier IS DISTINCT FROM '{VAGUE}') OVER (PARTITION BY l.{target}, c.measure) AS has_number
    FROM (SELECT DISTINCT {target}, claim_id FROM claim_links WHERE {target} IS NOT NULL) AS l
    JOIN claims AS c ON c.claim_id = l.claim_id
    WHERE c.measure IN ({wanted}) AND c.value_min IS NOT NULL AND coalesce(c.status, '') NOT IN ({statuses})
  ) AS c
  GROUP BY id, c.measure"""
