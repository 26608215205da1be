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
OPEN_QUALIFIERS = frozenset({"at-least", "more-than", "vague"})  # a floor: the true figure may be higher
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
    is one statement (azru validate reports a statement stored twice), so each is counted once."""
    found = sorted(claims, key=lambda claim: claim["claim_id"] or "")
    if not found:
        return None
    lows = sorted(int(claim["value_min"] or 0) for claim in found)
    high = max(int(claim["value_max"] or claim["value_min"] or 0) for claim in found)
    high_open = any(
        not claim["value_max"] and claim["value_qualifier"] in OPEN_QUALIFIERS and int(claim["value_min"] or 0) == high
        for claim in found
    )
    best = lows[(len(lows) - 1) // 2]  # the median, or the lower of the two middle figures
    return Estimate(lows[0], best, high, high_open, tuple(claim["claim_id"] or "" for claim in found))


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
    high = "max(coalesce(c.value_max, c.value_min))"
    return f"""
  SELECT l.{target} AS id, c.measure, min(c.value_min) AS low,
    list_sort(list(c.value_min))[(count(*) - 1) // 2 + 1] AS best,
    {high} AS high,
    coalesce(max(CASE WHEN c.value_max IS NULL AND c.value_qualifier IN ({qualifiers}) THEN c.value_min END)
      = {high}, false) AS high_open
  FROM (SELECT DISTINCT {target}, claim_id FROM claim_links WHERE {target} IS NOT NULL) AS l
  JOIN claims AS c ON c.claim_id = l.claim_id
  WHERE c.measure IN ({wanted}) AND c.value_min IS NOT NULL AND coalesce(c.status, '') NOT IN ({statuses})
  GROUP BY l.{target}, c.measure"""
