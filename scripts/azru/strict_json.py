"""JSON as RFC 8259 has it, read from bytes a pull request may have written.

Python's json reads more than JSON (NaN, Infinity), keeps one of two repeated keys, turns 1e999 into an
infinity that it writes back as `Infinity`, refuses integers of more than 4300 digits with a bare ValueError,
and returns half a surrogate pair from a `\\ud800` escape, which no UTF-8 file can hold. Here each of these is a
NotJson naming the line and column where it can.
"""

import json
import math
import re
from typing import Any

# Python refuses to convert longer digit strings to integers (sys.get_int_max_str_digits).
MAX_INTEGER_DIGITS = 4300
# A JSON string, matched whole so that what a pattern seeks is found outside strings.
JSON_STRING = r'"(?:[^"\\]|\\.)*"'
# A \u escape of a surrogate with the backslashes before it: an even number of them escape each other.
SURROGATE_ESCAPE = re.compile(r"(\\+)u[dD][89a-fA-F][0-9a-fA-F]{2}")


class NotJson(ValueError):
    """Why bytes are not JSON this module reads, and where (line and column from 1) when that is known."""

    def __init__(self, reason: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(f"{reason} (line {line}, column {column})" if line else reason)
        self.reason, self.line, self.column = reason, line, column


class _Unwritable(ValueError):
    def __init__(self, token: str, reason: str) -> None:
        super().__init__(reason)
        self.token, self.reason = token, reason


def loads(data: bytes) -> Any:
    try:
        text = data.decode("utf-8")
        value = json.loads(
            text, object_pairs_hook=_no_repeats, parse_constant=_constant, parse_int=_integer, parse_float=_number
        )
    except UnicodeDecodeError as error:
        raise NotJson(f"not UTF-8 ({error.reason})") from None
    except json.JSONDecodeError as error:
        raise NotJson(error.msg, error.lineno, error.colno) from None
    except _Unwritable as error:
        raise NotJson(error.reason, *_line_and_column(text, _outside_strings(text, re.escape(error.token)))) from None
    except RecursionError:
        raise NotJson("nested too deeply") from None
    if (offset := _lone_surrogate(text)) is not None:
        half = text[offset : offset + 6]
        reason = f"{half} is half of a surrogate pair without its other half, which no UTF-8 text can hold"
        raise NotJson(reason, *_line_and_column(text, offset))
    return value


def _no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:  # parsers keep one of the two, and not every reader keeps the same one
            raise NotJson(f"the key {key!r} appears twice")
        seen[key] = value
    return seen


def _constant(token: str) -> Any:
    raise _Unwritable(token, f"{token} is not a JSON value")


def _integer(token: str) -> int:
    digits = len(token.lstrip("-"))
    if digits > MAX_INTEGER_DIGITS:
        raise _Unwritable(token, f"an integer of {digits} digits, more than {MAX_INTEGER_DIGITS}")
    return int(token)


def _number(token: str) -> float:
    number = float(token)
    if math.isinf(number):
        raise _Unwritable(token, f"{token[:40]} is too large to be read as a number")
    return number


def _outside_strings(text: str, pattern: str) -> int:
    """The offset of the first match of `pattern` outside the JSON strings of `text` (0 if none)."""
    for match in re.finditer(f"{JSON_STRING}|(?:{pattern})", text):
        if not match[0].startswith('"'):
            return match.start()
    return 0


def _lone_surrogate(text: str) -> int | None:
    """The offset of the first \\u escape of half a surrogate pair without its other half right beside it."""
    high_at = None  # where an escape of a high half began that still waits for its low half
    for match in SURROGATE_ESCAPE.finditer(text):
        if len(match[1]) % 2 == 0:
            continue  # escaped backslashes, then a plain "u"
        start = match.end(1) - 1
        is_low = match[0][-3].lower() in "cdef"
        if is_low and high_at is not None and start == high_at + 6:
            high_at = None
        elif high_at is not None:
            return high_at
        elif is_low:
            return start
        else:
            high_at = start
    return high_at


def _line_and_column(text: str, offset: int) -> tuple[int, int]:
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1
