"""EDTF dates: validity (real calendar days, ordered intervals) and earliest/latest possible day.

A qualifier (`?` uncertain, `~` approximate, `%` both), on the whole date or on one component
(`2019?-10-29`), never moves a bound: the bounds are those of the date as written, the same for every
form and every way below of reading it. Doubt is recorded in the string, not guessed into a wider span.
"""

import calendar
import re
import threading
from collections.abc import Callable
from datetime import date
from functools import cache
from typing import Any

EARLIEST, LATEST = date(1, 1, 1), date(9999, 12, 31)
# A day whose digits may be X (unspecified), once the qualifiers that level 2 puts inside are removed.
DAY = re.compile(r"([0-9X]{4})-([0-9X]{2})-([0-9X]{2})")
QUALIFIER = "[?~%]"
QUALIFIERS = re.compile(QUALIFIER)
OPEN_ENDS = {"", ".."}
# Longer than any EDTF date or interval of days: refused unparsed, as the parser's time grows faster
# than the input (one 10 KB cell took 87 s).
LONGEST = 64


# pyparsing does not promise thread safety, and edtf turns on its packrat cache, which all parses share.
PARSING = threading.Lock()


@cache
def _parser() -> Callable[[str], Any]:
    """edtf's parser, imported when a value first needs it: building its grammar is slow, and nearly every
    value is plain or a day as written (see PLAIN, QUALIFIED_DAY, UNSPECIFIED_DAY)."""
    import edtf
    from edtf.parser import parser_classes

    # The parser prints each failed attempt to stdout (parse_action's `print(f"trying to ...")`). Shadowing
    # `print` in that module silences it without swapping the process-wide sys.stdout, which
    # redirect_stdout would do under the feet of every other thread (validate runs its checks in two).
    parser_classes.print = lambda *args, **kwargs: None  # type: ignore[attr-defined]
    parse: Callable[[str], Any] = edtf.parse_edtf
    return parse


class EdtfError(ValueError):
    """The value is not a usable EDTF date; the message says why in plain words."""


# YYYY, YYYY-MM or YYYY-MM-DD with an optional level-1 qualifier: nearly every real value. A month from
# 20 on is left to the parser: EDTF writes seasons there (2024-21 is spring, 21-24 level 1, 25-41 level 2).
PLAIN = re.compile(rf"(\d{{4}})(?:-([01]\d)(?:-(\d{{2}}))?)?{QUALIFIER}?")
# Days the parser reads as written, so their bounds need no parser: one qualified component by component
# (level 2: `2019?-10-29`, `?2019-~10-29`; a year takes its qualifier on one side only), and one with X
# digits in its year or a month or day wholly X (`XXXX-03-20`, `2024-XX-XX`), without qualifiers.
QUALIFIED_DAY = re.compile(rf"(?:{QUALIFIER}(\d{{4}})|(\d{{4}}){QUALIFIER}?)-{QUALIFIER}?(\d\d)-{QUALIFIER}?(\d\d)")
UNSPECIFIED_DAY = re.compile(r"([0-9X]{4})-(\d\d|XX)-(\d\d|XX)")


def _plain_bounds(match: re.Match[str]) -> tuple[date, date]:
    """Bounds of YYYY, YYYY-MM or YYYY-MM-DD without the (slow) general parser."""
    year, month, day = (int(part) if part else None for part in match.groups())
    assert year is not None  # the pattern always captures the year
    try:
        if month is None:
            return date(year, 1, 1), date(year, 12, 31)
        if day is None:
            return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
        return date(year, month, day), date(year, month, day)
    except ValueError as error:
        raise EdtfError(f"{QUALIFIERS.sub('', match[0])} is not a calendar day") from error


def _fillings(digits: str, numbers: range) -> list[int]:
    """The numbers that digits with X for any digit can stand for."""
    return [n for n in numbers if all(d in ("X", c) for d, c in zip(digits, f"{n:0{len(digits)}d}", strict=True))]


def _is_some_day(year: str, month: str, day: str) -> bool:
    """Whether some filling of the X digits gives a calendar day of a year from 1 to 9999."""
    centuries, ends = _fillings(year[:2], range(100)), _fillings(year[2:], range(100))
    # a leap year is a multiple of 4 not ending in 00, or a multiple of 400 other than 0 (years start at 1)
    leap = any(end % 4 == 0 for end in ends if end) or (0 in ends and any(c % 4 == 0 for c in centuries if c))
    months, days = _fillings(month, range(1, 13)), _fillings(day, range(1, 32))
    longest = max((calendar.monthrange(2000 if leap else 2001, m)[1] for m in months), default=0)
    return (centuries, ends) != ([0], [0]) and any(d <= longest for d in days)


def _single_bounds(value: str) -> tuple[date, date]:
    plain = PLAIN.fullmatch(value)
    if plain and int(plain[1]) > 0:
        return _plain_bounds(plain)
    # the parser accepts days no year has (XXXX-02-30, 2023-?02-~30), whose bounds then fall back to unknown
    for year, month, day in DAY.findall(QUALIFIERS.sub("", value)):
        if not _is_some_day(year, month, day):
            unspecified = ", whatever its X digits stand for" if "X" in year + month + day else ""
            raise EdtfError(f"{year}-{month}-{day} is not a calendar day{unspecified}")
    return _written_day_bounds(value) or _parsed_bounds(value)


def _written_day_bounds(value: str) -> tuple[date, date] | None:
    """Bounds of a QUALIFIED_DAY or an UNSPECIFIED_DAY as edtf's parser reckons them, else None: X digits of
    the year are 0 for the earliest and 9 for the latest, a month XX is January to December, a day XX the
    first to the last of its month; a moment outside the calendar falls back to unknown (_to_date)."""
    qualified, unspecified = QUALIFIED_DAY.fullmatch(value), UNSPECIFIED_DAY.fullmatch(value)
    if qualified:
        year, month, day = qualified[1] or qualified[2], qualified[3], qualified[4]
    elif unspecified:
        year, month, day = unspecified.groups()
    else:
        return None
    years = int(year.replace("X", "0")), int(year.replace("X", "9"))
    months = (1, 12) if month == "XX" else (int(month), int(month))
    days = (1, calendar.monthrange(years[1], months[1])[1]) if day == "XX" else (int(day), int(day))
    return _to_date((years[0], months[0], days[0]), EARLIEST), _to_date((years[1], months[1], days[1]), LATEST)


def _parsed_bounds(value: str) -> tuple[date, date]:
    """Bounds by edtf's general parser, for the forms no pattern above covers."""
    try:
        with PARSING:
            parsed = _parser()(value)
        lower, upper = parsed.lower_strict(), parsed.upper_strict()
    except Exception as error:  # the parser raises assorted errors on bad input
        raise EdtfError("not a form EDTF allows") from error
    return _to_date(lower, EARLIEST), _to_date(upper, LATEST)


def _to_date(moment: object, fallback: date) -> date:
    try:
        year, month, day = moment[:3]  # type: ignore[index]
        return date(min(max(int(year), 1), 9999), int(month), int(day))
    except (TypeError, ValueError):
        return fallback


def bounds(value: str) -> tuple[date, date]:
    """Earliest and latest possible day of an EDTF date or interval; EdtfError when invalid."""
    if len(value) > LONGEST:
        raise EdtfError(f"longer than {LONGEST} characters")
    if "/" not in value:
        return _single_bounds(value)
    start, _, end = value.partition("/")
    if start in OPEN_ENDS and end in OPEN_ENDS:
        raise EdtfError("an interval needs at least one end")
    lower = EARLIEST if start in OPEN_ENDS else _single_bounds(start)[0]
    upper = LATEST if end in OPEN_ENDS else _single_bounds(end)[1]
    if lower > upper:  # reversed only when every possible start falls after every possible end
        raise EdtfError("reversed")
    return lower, upper


def known_bounds(value: str) -> tuple[date | None, date | None]:
    """The bounds a release publishes: as bounds(), but None on a side with no day to give, an open end
    (`..`) or a year left wholly unspecified (`XXXX-03-20` could be in any year; the 0001 and 9999 of
    bounds() would put it in every period and sort it first). EdtfError when invalid."""
    lower, upper = bounds(value)
    start, slash, end = value.partition("/")
    return (None if _unbounded(start) else lower, None if _unbounded(end if slash else start) else upper)


def _unbounded(side: str) -> bool:
    return side in OPEN_ENDS or QUALIFIERS.sub("", side).startswith("XXXX")


def precision(value: str) -> str | None:
    """The date_precisions code a plain date implies, or None when several fit (intervals, X digits, seasons)."""
    plain = PLAIN.fullmatch(value)
    if plain is None:
        return None
    return "day" if plain[3] else "month" if plain[2] else "year"
