"""Low, best and high of a measure (UCDP style), from claims alone, as the codebook states under `measures`.

The figures of one case are alternative accounts of one toll: they are compared, never added. A claim
linked to several rows states its figure once; a subgroup's claims (a detention with a parent) count
people its group's claims already count; a denied or disputed account is no estimate of the toll.
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
    return [
        claim
        for claim in tables["claims"]
        if claim["claim_id"] in supporting
        and claim["measure"] == measure
        and claim["value_min"]
        and claim["status"] not in LEFT_OUT_STATUSES
    ]


def event_figures(tables: Mapping[str, Sequence[Row]], event_id: str, measure: str) -> list[Row]:
    """The claims of `measure` that count towards the event: linked to it through claim_links; not denied or
    disputed; each claim once."""
    supporting = {link["claim_id"] for link in tables["claim_links"] if link["event_id"] == event_id}
    return [
        claim
        for claim in tables["claims"]
        if claim["claim_id"] in supporting
        and claim["measure"] == measure
        and claim["value_min"]
        and claim["status"] not in LEFT_OUT_STATUSES
    ]
