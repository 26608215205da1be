"""azru.strict_json reads every JSON document Python's json writes, the same; and nothing Python's json reads
that JSON or UTF-8 cannot hold."""

import json
from typing import Any

import pytest
from azru.strict_json import NotJson, loads
from hypothesis import given
from hypothesis import strategies as st

finite_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@given(value=finite_json, ascii_only=st.booleans())
def test_what_json_writes_is_read_back_the_same(value: Any, ascii_only: bool) -> None:
    # ensure_ascii writes each character beyond U+FFFF as a pair of surrogate escapes
    text = json.dumps(value, ensure_ascii=ascii_only)
    assert loads(text.encode("utf-8")) == json.loads(text)


@pytest.mark.parametrize(
    ("text", "reason", "line", "column"),
    [
        ('{"a": "\\\\ud800"}', None, None, None),  # an escaped backslash, then the letters
        ('["\\ud83d\\ude00", "\\ud83d"]', "\\ud83d is half of a surrogate pair without its other half", 1, 19),
        ('["\\ude00\\ud83d"]', "\\ude00 is half of a surrogate pair without its other half", 1, 3),
        ('{"NaN": [1,\n NaN]}', "NaN is not a JSON value", 2, 2),
        ('{"a": -0, "b": 2.5e-400}', None, None, None),
        ('{"a": 1, "a": 2}', "the key 'a' appears twice", None, None),
        ("[" * 100_000, "nested too deeply", None, None),
    ],
)
def test_each_refusal_says_where(text: str, reason: str | None, line: int | None, column: int | None) -> None:
    if reason is None:
        assert loads(text.encode("utf-8")) == json.loads(text)
        return
    with pytest.raises(NotJson) as refused:
        loads(text.encode("utf-8"))
    assert refused.value.reason.startswith(reason)
    assert (refused.value.line, refused.value.column) == (line, column)
