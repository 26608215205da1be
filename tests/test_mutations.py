"""One mutation per rule of `azru validate`: break exactly that rule in the valid fixture package and
expect exactly that finding, at exactly that place, and nothing else.

Each mutation draws where to break its rule (table, row, field, bad value) from Hypothesis. Every rule
runs once with Hypothesis's first draw (`test_each_rule_is_caught`, which fails for a rule whose mutation
is missing or does not run: skipped, it would cover nothing); `test_any_rule_anywhere` lets
Hypothesis pick rule and place together as often as the profile allows: a validation costs a fraction
of a second, so one property over all rules keeps the ci run short while `thorough` explores widely.
"""

import csv
import datetime
import hashlib
import importlib
import io
import json
import os
import pkgutil
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from azru import validate as validator
from azru.cli import main
from azru.domain import REQUIRED_FIELDS as REQUIRED
from azru.edtf_dates import precision
from azru.guarded import MAX_TABLE_BYTES
from azru.package import DESCRIPTOR
from azru.text import FORBIDDEN_RANGES, normalise_whitespace
from azru.validate import CHECKS, STAGES, rules, trusted, validate
from azru.validate.context import Check
from azru.validate.rules import RULES, Finding, Rule
from azru.validate.semantics import QUOTE_SHORTEST
from azru.validate.tokenizer import MAX_RECORD
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st
from strategies import (
    EVIDENCED,
    FACT_TABLES,
    FIELD_NAMES,
    KEYS,
    LINKS,
    PACKAGE,
    REPO,
    RESOURCES,
    SPECS,
    TARGET_OF,
    Draw,
    Row,
    T,
    Written,
    findings,
    fixture_data,
    ids,
    is_codelist,
    is_english,
    not_matching,
    referenced,
    write_package,
)

BOM = b"\xef\xbb\xbf"
# Fields whose value the provenance check compares with the archive: changing them has a second effect.
PROVENANCE_FIELDS = {
    ("sources", "file_name"),
    ("sources", "sha256"),
    ("sources", "bytes"),
    ("claims", "quote"),
    ("actor_names", "name"),
}
# Characters the rules call invisible or control (test_units pins the SQL class to the Python test,
# test_rules_hostile the characters a review found).
FORBIDDEN = [chr(c) for start, end in FORBIDDEN_RANGES for c in range(start, end + 1)]
PADDING = [" ", "\u00a0", "\u2002", "\u2009", "\u202f", "\u3000"]
DECOMPOSED = ["e\u0301", "S\u0327", "\u0438\u0306", "A\u030a", "\u0627\u0653"]
FORMULA_STARTS = "=+-@"
# Well-formed but unregistered BCP 47 tags (no such language, script or region subtag).
INVALID_LANGUAGES = ["xx", "zz", "qz", "xx-Latn", "ru-XYZ12", "ar-Qqqq5", "az-Latn-XQ123"]
HOSTILE_PATHS = [
    "../x.csv",
    "/etc/passwd",
    "http://example.org/x.csv",
    "data/../../x.csv",
    "data\\x.csv",
    "C:/x.csv",
    "file:///etc/passwd",
    "data/codelists/[i]nstruments.csv",
    "data/*.csv",
    "data/./events.csv",
]


@dataclass(frozen=True)
class Expected:
    code: str
    file: str | None = DESCRIPTOR
    line: int | None = None
    column: int | None = None
    value: str | None = None
    message_start: str = ""
    with_archive: bool = True
    # judged by the unchanged fixture's rules, as `azru validate --trusted` does
    trusted: bool = False
    # descriptor problems may be reported by both the shape check and the Data Package profile
    repeats: bool = False


Mutation = Callable[[Written, Draw], Expected]
MUTATIONS: dict[str, Mutation] = {}


def mutation(code: str) -> Callable[[Mutation], Mutation]:
    def register(function: Mutation) -> Mutation:
        MUTATIONS[code] = function
        return function

    return register


# --- places in the package ------------------------------------------------------------------------------

Place = tuple[str, int, str]  # table, row index, field


def file_of(table: str) -> str:
    return str(RESOURCES[table]["path"])


def column_of(table: str, name: str) -> int:
    return FIELD_NAMES[table].index(name) + 1


def at(code: str, table: str, index: int, name: str | None = None) -> Expected:
    """The finding for row `index` (0-based, below the header) of `table`, in field `name`."""
    return Expected(code, file_of(table), index + 2, column_of(table, name) if name else None)


def is_edtf(table: str, name: str) -> bool:
    return PACKAGE.tables[table].field(name).is_edtf


def places(pkg: Written, keep: Callable[[str, Row, str], bool], tables: list[str] | None = None) -> list[Place]:
    return [
        (table, index, name)
        for table in tables or list(RESOURCES)
        for index, row in enumerate(pkg.rows(table))
        for name in FIELD_NAMES[table]
        if keep(table, row, name)
    ]


def choose(draw: Draw, options: list[Place]) -> Place:
    assert options, "the fixture offers no place for this mutation"
    return draw(st.sampled_from(options))


def set_cell(pkg: Written, table: str, index: int, name: str, value: str | None) -> None:
    rows = pkg.rows(table)
    rows[index][name] = value
    pkg.write_rows(table, rows)


def constraints(table: str, name: str) -> dict[str, Any]:
    return dict(SPECS[(table, name)].get("constraints", {}))


def is_free_text(table: str, name: str) -> bool:
    """A string field with no form, reference or archive to agree with: breaking it has one effect."""
    spec = SPECS[(table, name)]
    return (
        spec.get("type", "string") == "string"
        and "pattern" not in constraints(table, name)
        and (table, name) not in TARGET_OF
        and (table, name) not in PROVENANCE_FIELDS
    )


def filled_text(table: str, row: Row, name: str) -> bool:
    return is_free_text(table, name) and bool(row[name])


def free_keys(pkg: Written) -> Callable[[str, Row, str], bool]:
    """Primary-key cells nothing points at."""
    used = referenced(pkg.all_rows())
    return lambda table, row, name: name == KEYS[table] and row[name] not in used


def any_table(draw: Draw) -> str:
    return draw(st.sampled_from(sorted(str(name) for name in RESOURCES)))


def unloadable_table(draw: Draw) -> str:
    """A table whose file a mutation makes unreadable: any but sources, without which the archive is not
    read and the quotes are reported unverified as well."""
    return draw(st.sampled_from(sorted(str(name) for name in RESOURCES if name != "sources")))


def lines_of(pkg: Written, table: str) -> list[bytes]:
    return pkg.path(table).read_bytes().splitlines(keepends=True)


def csv_line(cells: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells)
    return out.getvalue()


# --- descriptor -----------------------------------------------------------------------------------------


@mutation("descriptor-missing")
def remove_descriptor(pkg: Written, draw: Draw) -> Expected:
    (pkg.root / DESCRIPTOR).unlink()
    return Expected("descriptor-missing")


@mutation("descriptor-invalid-json")
def trailing_comma(pkg: Written, draw: Draw) -> Expected:
    """A comma after the last member of an object or array: JSON points at the closing bracket."""
    pkg.write_descriptor(pkg.descriptor())  # indented, so every closing bracket starts its own line
    text = (pkg.root / DESCRIPTOR).read_text(encoding="utf-8")
    bracket = draw(st.sampled_from([m.end() - 1 for m in re.finditer(r"\n *[}\]]", text)]))
    line_end = text.rindex("\n", 0, bracket)
    broken = text[:line_end] + "," + text[line_end:]
    (pkg.root / DESCRIPTOR).write_text(broken, encoding="utf-8")
    line_start = text.rindex("\n", 0, bracket) + 1
    return Expected("descriptor-invalid-json", line=text.count("\n", 0, bracket) + 1, column=bracket - line_start + 1)


DESCRIPTOR_BREAKS: dict[str, Callable[[dict[str, Any]], None]] = {
    "schema removed": lambda resource: resource.pop("schema"),
    "name not a slug": lambda resource: resource.update(name="Bad Name"),
    "fields empty": lambda resource: resource["schema"].update(fields=[]),
    "path not a string": lambda resource: resource.update(path=42),
    "primaryKey not a list": lambda resource: resource["schema"].update(primaryKey="x"),
}


@mutation("descriptor-not-conforming")
def break_resource(pkg: Written, draw: Draw) -> Expected:
    descriptor = pkg.descriptor()
    index = draw(st.integers(0, len(descriptor["resources"]) - 1))
    DESCRIPTOR_BREAKS[draw(st.sampled_from(sorted(DESCRIPTOR_BREAKS)))](descriptor["resources"][index])
    pkg.write_descriptor(descriptor)
    return Expected("descriptor-not-conforming", message_start=f"resources/{index}", repeats=True)


@mutation("resource-path-unsafe")
def hostile_path(pkg: Written, draw: Draw) -> Expected:
    descriptor = pkg.descriptor()
    path = draw(st.sampled_from(HOSTILE_PATHS))
    draw(st.sampled_from(descriptor["resources"]))["path"] = path
    pkg.write_descriptor(descriptor)
    return Expected("resource-path-unsafe", value=path)


@mutation("file-not-regular")
def table_as_link(pkg: Written, draw: Draw) -> Expected:
    table = unloadable_table(draw)
    path = pkg.root / file_of(table)
    path.rename(pkg.root / "elsewhere.csv")
    path.symlink_to(pkg.root / "elsewhere.csv")
    return Expected("file-not-regular", value=file_of(table))


@mutation("file-too-large")
def huge_table(pkg: Written, draw: Draw) -> Expected:
    """A sparse file past the size limit: refused by its size, before a byte of it is read."""
    table = unloadable_table(draw)
    os.truncate(pkg.root / file_of(table), MAX_TABLE_BYTES + draw(st.integers(1, 1024)))
    return Expected("file-too-large", value=file_of(table))


@mutation("descriptor-not-trusted")
def unchanged(pkg: Written, draw: Draw) -> Expected:
    return Expected("descriptor-not-trusted")


def any_field_spec(
    pkg: Written, draw: Draw, keep: Callable[[dict[str, Any]], bool]
) -> tuple[dict[str, Any], str, dict[str, Any]]:
    """The descriptor, and one of its fields that `keep` picks, by `table.field` and as written."""
    descriptor = pkg.descriptor()
    specs = [(f"{r['name']}.{f['name']}", f) for r in descriptor["resources"] for f in r["schema"]["fields"]]
    where, spec = draw(st.sampled_from([(where, spec) for where, spec in specs if keep(spec)]))
    return descriptor, where, spec


@mutation("descriptor-weakened")
def loosen_a_rule(pkg: Written, draw: Draw) -> Expected:
    descriptor, where, spec = any_field_spec(pkg, draw, lambda f: bool(f.get("constraints")))
    constraint = draw(st.sampled_from(sorted(spec["constraints"])))
    if constraint in ("required", "unique", "pattern"):
        del spec["constraints"][constraint]
    else:
        spec["constraints"][constraint] += -1 if constraint.startswith("min") else 1
    pkg.write_descriptor(descriptor)
    return Expected("descriptor-weakened", message_start=where, trusted=True)


@mutation("descriptor-changed")
def tighten_a_rule(pkg: Written, draw: Draw) -> Expected:
    descriptor, where, spec = any_field_spec(pkg, draw, lambda f: f["type"] == "string")
    spec.setdefault("constraints", {})["maxLength"] = spec.get("constraints", {}).get("maxLength", 100_000) - 1
    pkg.write_descriptor(descriptor)
    return Expected("descriptor-changed", message_start=where, trusted=True)


@mutation("invariant-broken")
def evidence_optional(pkg: Written, draw: Draw) -> Expected:
    descriptor = pkg.descriptor()
    table = draw(st.sampled_from(["sources", "claims"]))
    resource = next(r for r in descriptor["resources"] if r["name"] == table)
    name = draw(st.sampled_from([f["name"] for f in resource["schema"]["fields"] if f["name"] in REQUIRED[table]]))
    del next(f for f in resource["schema"]["fields"] if f["name"] == name)["constraints"]["required"]
    pkg.write_descriptor(descriptor)
    return Expected("invariant-broken", message_start=f"{table}.{name}")


@mutation("codelist-code-added")
def new_code(pkg: Written, draw: Draw) -> Expected:
    table = draw(st.sampled_from(sorted(t for t in RESOURCES if is_codelist(t) and t != "countries")))
    rows = pkg.rows(table)
    rows.append({**rows[0], "code": "zz-new-code"})
    pkg.write_rows(table, rows)
    return replace(at("codelist-code-added", table, len(rows) - 1, "code"), trusted=True)


@mutation("resource-file-missing")
def remove_table_file(pkg: Written, draw: Draw) -> Expected:
    table = unloadable_table(draw)
    pkg.path(table).unlink()
    return Expected("resource-file-missing", value=file_of(table))


# --- files ----------------------------------------------------------------------------------------------


@mutation("file-empty")
def empty_file(pkg: Written, draw: Draw) -> Expected:
    table = unloadable_table(draw)
    pkg.path(table).write_bytes(b"")
    return Expected("file-empty", file_of(table), 1)


MARK = "\u2603"


@mutation("encoding-invalid")
def invalid_byte(pkg: Written, draw: Draw) -> Expected:
    """A byte that is not UTF-8 inside a text cell; the finding gives its line and character column."""
    table, index, name = choose(draw, places(pkg, filled_text))
    value = pkg.rows(table)[index][name] or ""
    cut = draw(st.integers(0, len(value)))
    set_cell(pkg, table, index, name, value[:cut] + MARK + value[cut:])
    text = pkg.path(table).read_text(encoding="utf-8")
    offset = text.index(MARK)
    pkg.path(table).write_bytes(text.encode("utf-8").replace(MARK.encode("utf-8"), b"\xff"))
    line_start = text.rfind("\n", 0, offset) + 1
    return Expected("encoding-invalid", file_of(table), text.count("\n", 0, offset) + 1, offset - line_start + 1)


@mutation("bom-present")
def byte_order_mark(pkg: Written, draw: Draw) -> Expected:
    table = any_table(draw)
    pkg.path(table).write_bytes(BOM + pkg.path(table).read_bytes())
    return Expected("bom-present", file_of(table), 1, 1)


def line_endings_from(pkg: Written, table: str, draw: Draw, ending: bytes) -> int:
    """`ending` instead of LF from a drawn line to the end of the file; returns that line's number."""
    lines = lines_of(pkg, table)
    first = draw(st.integers(0, len(lines) - 1))
    pkg.path(table).write_bytes(
        b"".join(line.replace(b"\n", ending) if n >= first else line for n, line in enumerate(lines))
    )
    return first + 1


@mutation("line-ending-crlf")
def crlf_from(pkg: Written, draw: Draw) -> Expected:
    """Windows line endings from one line to the end of the file (the first one is reported)."""
    table = any_table(draw)
    return Expected("line-ending-crlf", file_of(table), line_endings_from(pkg, table, draw, b"\r\n"))


@mutation("line-ending-cr")
def cr_from(pkg: Written, draw: Draw) -> Expected:
    """Old Mac line endings from one line to the end of the file: the file is not read, and nothing else in it
    is reported (the first such line is)."""
    table = unloadable_table(draw)
    return Expected("line-ending-cr", file_of(table), line_endings_from(pkg, table, draw, b"\r"))


@mutation("final-newline-missing")
def no_final_newline(pkg: Written, draw: Draw) -> Expected:
    table = any_table(draw)
    data = pkg.path(table).read_bytes()
    pkg.path(table).write_bytes(data.removesuffix(b"\n"))
    return Expected("final-newline-missing", file_of(table), data.count(b"\n"))


@mutation("blank-line")
def blank_line(pkg: Written, draw: Draw) -> Expected:
    table = any_table(draw)
    lines = lines_of(pkg, table)
    after = draw(st.integers(1, len(lines)))
    pkg.path(table).write_bytes(b"".join([*lines[:after], b"\n", *lines[after:]]))
    return Expected("blank-line", file_of(table), after + 1)


def rewrite_line(pkg: Written, table: str, index: int, line: str) -> None:
    lines = lines_of(pkg, table)
    lines[index + 1] = line.encode("utf-8")
    pkg.path(table).write_bytes(b"".join(lines))


@mutation("csv-quote-malformed")
def stray_quote(pkg: Written, draw: Draw) -> Expected:
    """A quote in the middle of a cell that is not itself quoted."""
    table, index, name = choose(draw, places(pkg, filled_text))
    row = pkg.rows(table)[index]
    word = draw(st.text(alphabet="abcxyz", min_size=1, max_size=5))
    cells = [row[n] or "" for n in FIELD_NAMES[table]]
    position = FIELD_NAMES[table].index(name)
    line = csv_line([*cells[:position], MARK, *cells[position + 1 :]]).replace(MARK, f'{word}"{word}')
    rewrite_line(pkg, table, index, line)
    return Expected("csv-quote-malformed", file_of(table), index + 2)


def loose_rows(pkg: Written) -> list[tuple[str, int]]:
    """Rows whose loss orphans nothing: no reference points at them, and they are not the only link of a
    row or of a claim."""
    used = referenced(pkg.all_rows())
    links = pkg.rows(LINKS)
    support = [next(row[c] for c in EVIDENCED.values() if row[c]) for row in links]
    claims = [row["claim_id"] for row in links]
    sole = {n for n, row in enumerate(links) if support.count(support[n]) == 1 or claims.count(row["claim_id"]) == 1}
    return [
        (table, index)
        for table in RESOURCES
        for index, row in enumerate(pkg.rows(table))
        if row[KEYS[table]] not in used and not (table == LINKS and index in sole)
    ]


@mutation("row-field-count")
def cell_count(pkg: Written, draw: Draw) -> Expected:
    table, index = draw(st.sampled_from(loose_rows(pkg)))
    row = pkg.rows(table)[index]
    cells = [row[n] or "" for n in FIELD_NAMES[table]]
    cells = [*cells, "extra"] if draw(st.booleans()) else cells[:-1]
    rewrite_line(pkg, table, index, csv_line(cells))
    return Expected("row-field-count", file_of(table), index + 2)


@mutation("record-too-long")
def long_record(pkg: Written, draw: Draw) -> Expected:
    """A row with a cell longer than the validator keeps (it reads the row to its end and goes on)."""
    table, index = draw(st.sampled_from(loose_rows(pkg)))
    row = pkg.rows(table)[index]
    cells = [row[n] or "" for n in FIELD_NAMES[table]]
    cells[-1] = "x" * (MAX_RECORD + 1)
    rewrite_line(pkg, table, index, csv_line(cells))
    return Expected("record-too-long", file_of(table), index + 2)


@mutation("header-mismatch")
def header_changed(pkg: Written, draw: Draw) -> Expected:
    table = unloadable_table(draw)
    names = list(FIELD_NAMES[table])
    n = draw(st.integers(0, len(names) - 2))
    change = draw(st.sampled_from(["swap", "drop", "rename"]))
    if change == "swap":
        names[n], names[n + 1] = names[n + 1], names[n]
    elif change == "drop":
        del names[n]
    else:
        names[n] = names[n].upper()
    lines = lines_of(pkg, table)
    pkg.path(table).write_bytes(b"".join([csv_line(names).encode("utf-8"), *lines[1:]]))
    return Expected("header-mismatch", file_of(table), 1)


# --- cells ----------------------------------------------------------------------------------------------


@mutation("required-missing")
def blank_required(pkg: Written, draw: Draw) -> Expected:
    used = referenced(pkg.all_rows())
    table, index, name = choose(
        draw,
        places(
            pkg,
            lambda t, row, n: bool(
                constraints(t, n).get("required") and row[n] and not (n == KEYS[t] and row[n] in used)
            ),
        ),
    )
    set_cell(pkg, table, index, name, None)
    return at("required-missing", table, index, name)


def typed_cells(
    kind: str, extra: Callable[[str, Row, str], bool] = lambda t, row, n: True
) -> Callable[[str, Row, str], bool]:
    return lambda t, row, n: (
        SPECS[(t, n)].get("type") == kind and bool(row[n]) and extra(t, row, n) and (t, n) not in PROVENANCE_FIELDS
    )


NOT_INTEGER = st.text(st.characters(codec="utf-8"), min_size=1, max_size=20).filter(
    lambda v: not re.fullmatch(r"[+-]?[0-9]{1,18}", v)
)


@mutation("type-integer")
def not_integer(pkg: Written, draw: Draw) -> Expected:
    table, index, name = choose(draw, places(pkg, typed_cells("integer")))
    set_cell(pkg, table, index, name, draw(NOT_INTEGER))
    return at("type-integer", table, index, name)


@mutation("type-boolean")
def not_boolean(pkg: Written, draw: Draw) -> Expected:
    table, index, name = choose(draw, places(pkg, typed_cells("boolean")))
    set_cell(
        pkg, table, index, name, draw(st.text(min_size=1, max_size=8).filter(lambda v: v not in ("true", "false")))
    )
    return at("type-boolean", table, index, name)


def is_upper_end(name: str) -> bool:
    """The upper figure of a range: below the minimum it would also fall below the lower figure."""
    return name.endswith("_max")


@mutation("value-too-small")
def below_minimum(pkg: Written, draw: Draw) -> Expected:
    table, index, name = choose(
        draw,
        places(pkg, typed_cells("integer", lambda t, row, n: "minimum" in constraints(t, n) and not is_upper_end(n))),
    )
    minimum = int(constraints(table, name)["minimum"])
    set_cell(pkg, table, index, name, str(draw(st.integers(-(10**17), minimum - 1))))
    return at("value-too-small", table, index, name)


@mutation("value-too-large")
def above_maximum(pkg: Written, draw: Draw) -> Expected:
    """A figure above its field's maximum. A field without one is given a maximum every row meets first;
    a lower figure of a range is left alone, as above the maximum it may also pass the upper one."""
    table, index, name = choose(draw, places(pkg, typed_cells("integer", lambda t, row, n: not n.endswith("_min"))))
    descriptor = pkg.descriptor()
    resource = next(r for r in descriptor["resources"] if r["name"] == table)
    limits = next(f for f in resource["schema"]["fields"] if f["name"] == name).setdefault("constraints", {})
    if "maximum" not in limits:
        highest = max(int(row[name] or 0) for row in pkg.rows(table))
        limits["maximum"] = draw(st.integers(highest, highest + 1000))
        pkg.write_descriptor(descriptor)
    set_cell(pkg, table, index, name, str(draw(st.integers(int(limits["maximum"]) + 1, 10**17))))
    return at("value-too-large", table, index, name)


def has_pattern_only(table: str, row: Row, name: str) -> bool:
    """A patterned field with nothing else to agree with (no reference, date, language or archive)."""
    return (
        "pattern" in constraints(table, name)
        and (table, name) not in TARGET_OF
        and not is_edtf(table, name)
        and name != "language"
        and (table, name) not in PROVENANCE_FIELDS
        and bool(row[name])
    )


@mutation("pattern-mismatch")
def wrong_form(pkg: Written, draw: Draw) -> Expected:
    unreferenced = free_keys(pkg)
    table, index, name = choose(
        draw, places(pkg, lambda t, row, n: has_pattern_only(t, row, n) and (n != KEYS[t] or unreferenced(t, row, n)))
    )
    c = constraints(table, name)
    taken = {row[name] for row in pkg.rows(table)}
    value = draw(not_matching(c["pattern"], min(30, c.get("maxLength", 30))).filter(lambda v: v not in taken))
    set_cell(pkg, table, index, name, value)
    return at("pattern-mismatch", table, index, name)


@mutation("too-long")
def too_long(pkg: Written, draw: Draw) -> Expected:
    table, index, name = choose(
        draw, places(pkg, lambda t, row, n: filled_text(t, row, n) and "maxLength" in constraints(t, n))
    )
    limit = int(constraints(table, name)["maxLength"])
    letter = draw(st.sampled_from("aяا"))
    set_cell(pkg, table, index, name, letter * draw(st.integers(limit + 1, limit + 20)))
    return at("too-long", table, index, name)


@mutation("too-short")
def too_short(pkg: Written, draw: Draw) -> Expected:
    """No field asks for more than one character, so the descriptor is given a longer minimum first."""

    def long_enough(table: str, row: Row, name: str) -> bool:
        return filled_text(table, row, name) and all(len(r[name] or "xx") >= 2 for r in pkg.rows(table))

    table, index, name = choose(draw, places(pkg, long_enough, FACT_TABLES))
    descriptor = pkg.descriptor()
    resource = next(r for r in descriptor["resources"] if r["name"] == table)
    spec = next(f for f in resource["schema"]["fields"] if f["name"] == name)
    spec.setdefault("constraints", {})["minLength"] = 2
    pkg.write_descriptor(descriptor)
    set_cell(pkg, table, index, name, draw(st.sampled_from("xяا")))
    return at("too-short", table, index, name)


def edit_text(
    draw: Draw,
    pkg: Written,
    code: str,
    change: Callable[[str], str],
    keep: Callable[[str, Row, str], bool] = filled_text,
) -> Expected:
    table, index, name = choose(draw, places(pkg, keep))
    set_cell(pkg, table, index, name, change(pkg.rows(table)[index][name] or ""))
    return at(code, table, index, name)


@mutation("whitespace-padding")
def padded(pkg: Written, draw: Draw) -> Expected:
    """Padding around any text, quotes and names included: it is reported, not mistaken for a changed quote."""
    space = draw(st.sampled_from(PADDING))
    before, after = draw(st.sampled_from([(space, ""), ("", space), (space, space)]))
    quoted = {("claims", "quote"), ("actor_names", "name")}
    return edit_text(
        draw,
        pkg,
        "whitespace-padding",
        lambda v: before + v + after,
        lambda t, row, n: filled_text(t, row, n) or ((t, n) in quoted and bool(row[n])),
    )


@mutation("not-nfc")
def decomposed(pkg: Written, draw: Draw) -> Expected:
    letters = draw(st.sampled_from(DECOMPOSED))
    return edit_text(draw, pkg, "not-nfc", lambda v: f"{v} {letters}")


@mutation("forbidden-character")
def invisible_character(pkg: Written, draw: Draw) -> Expected:
    """An invisible or control character inside a cell (not at its ends, where it would also be padding)."""
    character = draw(st.sampled_from(FORBIDDEN))
    table, index, name = choose(draw, places(pkg, lambda t, row, n: filled_text(t, row, n) and len(row[n] or "") >= 2))
    value = pkg.rows(table)[index][name] or ""
    cut = draw(st.integers(1, len(value) - 1))
    set_cell(pkg, table, index, name, value[:cut] + character + value[cut:])
    return at("forbidden-character", table, index, name)


@mutation("formula-prefix")
def formula(pkg: Written, draw: Draw) -> Expected:
    start = draw(st.sampled_from(FORMULA_STARTS))
    return edit_text(draw, pkg, "formula-prefix", lambda v: start + v)


@mutation("unique-duplicate")
def duplicate_unique(pkg: Written, draw: Draw) -> Expected:
    """No field besides the keys is unique, so the descriptor makes one so; then two rows share a value."""
    options = []
    for table in FACT_TABLES:
        rows = pkg.rows(table)
        for name in FIELD_NAMES[table]:
            values = [row[name] for row in rows if row[name]]
            if is_free_text(table, name) and len(values) == len(rows) >= 2 and len(set(values)) == len(values):
                options.append((table, name))
    table, name = draw(st.sampled_from(options))
    rows = pkg.rows(table)
    first = draw(st.integers(0, len(rows) - 2))
    second = draw(st.integers(first + 1, len(rows) - 1))
    descriptor = pkg.descriptor()
    resource = next(r for r in descriptor["resources"] if r["name"] == table)
    next(f for f in resource["schema"]["fields"] if f["name"] == name).setdefault("constraints", {})["unique"] = True
    pkg.write_descriptor(descriptor)
    set_cell(pkg, table, second, name, rows[first][name])
    return at("unique-duplicate", table, second, name)


# --- keys -----------------------------------------------------------------------------------------------


@mutation("primary-key-duplicate")
def duplicate_key(pkg: Written, draw: Draw) -> Expected:
    unreferenced = free_keys(pkg)
    table, second, name = choose(draw, [p for p in places(pkg, unreferenced) if p[1] > 0])
    first = draw(st.integers(0, second - 1))
    set_cell(pkg, table, second, name, pkg.rows(table)[first][name])
    return at("primary-key-duplicate", table, second, name)


@mutation("foreign-key-dangling")
def dangling(pkg: Written, draw: Draw) -> Expected:
    """A reference to a row that does not exist (what a link points at is left to the claim rules)."""
    table, index, name = choose(
        draw,
        places(
            pkg,
            lambda t, row, n: (t, n) in TARGET_OF and not is_codelist(TARGET_OF[(t, n)]) and t != LINKS,
        ),
    )
    target = TARGET_OF[(table, name)]
    existing = {row[KEYS[target]] for row in pkg.rows(target)}
    set_cell(pkg, table, index, name, draw(ids(target).filter(lambda key: key not in existing)))
    return at("foreign-key-dangling", table, index, name)


def takes_unknown_code(table: str, row: Row, name: str) -> bool:
    """A codelist cell, but date precision and basis, which are left to the date rules."""
    return (
        (table, name) in TARGET_OF
        and is_codelist(TARGET_OF[(table, name)])
        and name not in ("date_precision", "date_basis")
    )


@mutation("code-not-in-codelist")
def unknown_code(pkg: Written, draw: Draw) -> Expected:
    """A well-formed code the codelist lacks."""
    table, index, name = choose(draw, places(pkg, takes_unknown_code))
    codes = {row["code"] for row in pkg.rows(TARGET_OF[(table, name)])}
    c = constraints(table, name)
    form = str(c["pattern"]).removeprefix("^").removesuffix("$")
    code = draw(
        st.from_regex(form, fullmatch=True).filter(lambda v: v not in codes and len(v) <= int(c.get("maxLength", 40)))
    )
    set_cell(pkg, table, index, name, code)
    return at("code-not-in-codelist", table, index, name)


@mutation("code-case-duplicate")
def code_in_other_case(pkg: Written, draw: Draw) -> Expected:
    """A codelist row whose code is another's with letters of its first part in the other case (the
    pattern allows upper case there), inserted anywhere: the later of the two is reported."""
    options = [
        (table, index)
        for table in RESOURCES
        if is_codelist(table)
        for index, row in enumerate(pkg.rows(table))
        if any(c.isalpha() for c in (row[KEYS[table]] or "").partition("-")[0])
    ]
    table, index = draw(st.sampled_from(options))
    rows = pkg.rows(table)
    head, dash, tail = (rows[index][KEYS[table]] or "").partition("-")
    letters = [n for n, c in enumerate(head) if c.isalpha()]
    flipped = set(draw(st.lists(st.sampled_from(letters), min_size=1, unique=True)))
    code = "".join(c.swapcase() if n in flipped else c for n, c in enumerate(head)) + dash + tail
    position = draw(st.integers(0, len(rows)))
    rows.insert(position, rows[index] | {KEYS[table]: code})
    pkg.write_rows(table, rows)
    original = index + 1 if position <= index else index
    return at("code-case-duplicate", table, max(position, original), KEYS[table])


# --- semantics ------------------------------------------------------------------------------------------


@st.composite
def impossible_days(draw: Draw) -> str:
    """A YYYY-MM-DD the calendar does not have: Feb 29 of a common year, day 31 of a short month, ..."""
    year = draw(st.integers(2017, 2025))
    month, day = draw(
        st.sampled_from(
            [
                (2, 29 if year % 4 else 30),
                (2, 30),
                (4, 31),
                (6, 31),
                (9, 31),
                (11, 31),
                (1, 32),
                (0, 10),
                (13, 1),
                (5, 0),
            ]
        )
    )
    return f"{year:04d}-{month:02d}-{day:02d}"


def dated_rows(pkg: Written) -> list[tuple[str, int]]:
    return [
        (t, n)
        for t in FACT_TABLES
        if "date_precision" in FIELD_NAMES[t]
        for n, row in enumerate(pkg.rows(t))
        if row["date"]
    ]


@mutation("edtf-invalid")
def not_a_day(pkg: Written, draw: Draw) -> Expected:
    table, index, name = choose(draw, places(pkg, lambda t, row, n: is_edtf(t, n) and bool(row[n])))
    day = draw(impossible_days())
    row = pkg.rows(table)[index]
    # an interval implies no precision, so a row whose precision is not `day` keeps agreeing with its date
    as_day = name != "date" or row["date_precision"] == "day"
    set_cell(pkg, table, index, name, day if as_day and draw(st.booleans()) else f"{day}/..")
    return at("edtf-invalid", table, index, name)


@mutation("edtf-interval-reversed")
def reversed_interval(pkg: Written, draw: Draw) -> Expected:
    table, index, name = choose(draw, places(pkg, lambda t, row, n: is_edtf(t, n) and bool(row[n])))
    start = draw(st.dates(datetime.date(2017, 1, 2), datetime.date(2025, 12, 31)))
    end = draw(st.dates(datetime.date(2017, 1, 1), start - datetime.timedelta(days=1)))
    set_cell(pkg, table, index, name, f"{start.isoformat()}/{end.isoformat()}")
    return at("edtf-interval-reversed", table, index, name)


@mutation("date-precision-mismatch")
def wrong_precision(pkg: Written, draw: Draw) -> Expected:
    table, index = draw(st.sampled_from(dated_rows(pkg)))
    implied = precision(pkg.rows(table)[index]["date"] or "")
    codes = [row["code"] for row in pkg.rows("date_precisions") if row["code"] != implied]
    set_cell(pkg, table, index, "date_precision", draw(st.sampled_from(codes)))
    return at("date-precision-mismatch", table, index, "date_precision")


@mutation("date-basis-mismatch")
def unknown_basis(pkg: Written, draw: Draw) -> Expected:
    table, index = draw(st.sampled_from(dated_rows(pkg)))
    set_cell(pkg, table, index, "date_basis", "unknown")
    return at("date-basis-mismatch", table, index, "date_basis")


@mutation("date-note-missing")
def inferred_without_note(pkg: Written, draw: Draw) -> Expected:
    table, index = draw(st.sampled_from(dated_rows(pkg)))
    rows = pkg.rows(table)
    basis = draw(
        st.sampled_from([row["code"] for row in pkg.rows("date_bases") if (row["code"] or "").startswith("inferred")])
    )
    rows[index] |= {"date_basis": basis, "date_note": None}
    pkg.write_rows(table, rows)
    return at("date-note-missing", table, index, "date_note")


@mutation("release-before-detention")
def early_release(pkg: Written, draw: Draw) -> Expected:
    index = draw(st.sampled_from([n for n, row in enumerate(pkg.rows("detentions")) if row["date"]]))
    held = datetime.date.fromisoformat(pkg.rows("detentions")[index]["date"] or "")
    release = draw(st.dates(datetime.date(2017, 1, 1), held - datetime.timedelta(days=1)))
    set_cell(pkg, "detentions", index, "release_date", release.isoformat())
    return at("release-before-detention", "detentions", index, "release_date")


@mutation("language-invalid")
def unregistered_language(pkg: Written, draw: Draw) -> Expected:
    """An unregistered tag for a name, or for a source that needs translations anyway."""
    table, index, name = choose(
        draw,
        places(
            pkg,
            lambda t, row, n: n == "language" and (t == "actor_names" or not is_english(row[n])),
            ["sources", "actor_names"],
        ),
    )
    set_cell(pkg, table, index, name, draw(st.sampled_from(INVALID_LANGUAGES)))
    return at("language-invalid", table, index, name)


def unsupport(pkg: Written, column: str, key: str | None = None) -> None:
    """Remove the links naming `key` (any row when None) in `column`, and the claims left with none."""
    links = [row for row in pkg.rows(LINKS) if row[column] is None or (key is not None and row[column] != key)]
    linked = {row["claim_id"] for row in links}
    pkg.write_rows(LINKS, links)
    pkg.write_rows("claims", [row for row in pkg.rows("claims") if row["claim_id"] in linked])


@mutation("claim-missing")
def remove_claims(pkg: Written, draw: Draw) -> Expected:
    table = draw(st.sampled_from(sorted(t for t in EVIDENCED if pkg.rows(t))))  # the fixture has no cases
    index = draw(st.integers(0, len(pkg.rows(table)) - 1))
    unsupport(pkg, EVIDENCED[table], pkg.rows(table)[index][KEYS[table]])
    return at("claim-missing", table, index, KEYS[table])


@mutation("claim-target-count")
def second_target(pkg: Written, draw: Draw) -> Expected:
    """A link that also points at a second row; each target exists, so only the count is wrong."""
    links = pkg.rows(LINKS)
    index = draw(st.integers(0, len(links) - 1))
    column = draw(st.sampled_from([c for t, c in EVIDENCED.items() if not links[index][c] and pkg.rows(t)]))
    table = next(t for t, c in EVIDENCED.items() if c == column)
    set_cell(pkg, LINKS, index, column, draw(st.sampled_from([row[KEYS[table]] for row in pkg.rows(table)])))
    return at("claim-target-count", LINKS, index)


@mutation("claim-unlinked")
def claim_without_link(pkg: Written, draw: Draw) -> Expected:
    """A claim whose only link now names another claim: the row it supported keeps a claim."""
    links, claims = pkg.rows(LINKS), pkg.rows("claims")
    used = [row["claim_id"] for row in links]
    link = draw(st.sampled_from([n for n, row in enumerate(links) if used.count(row["claim_id"]) == 1]))
    other = draw(st.sampled_from([row["claim_id"] for row in claims if row["claim_id"] != used[link]]))
    index = next(n for n, row in enumerate(claims) if row["claim_id"] == used[link])
    set_cell(pkg, LINKS, link, "claim_id", other)
    return at("claim-unlinked", "claims", index, "claim_id")


@mutation("quote-stored-twice")
def claim_stored_again(pkg: Written, draw: Draw) -> Expected:
    """A claim copied under a new id, its quote's whitespace changed, and linked to a row of its own."""
    claims, links = pkg.rows("claims"), pkg.rows(LINKS)
    original = draw(st.sampled_from(claims))
    quote = (original["quote"] or "").replace(" ", draw(st.sampled_from([" ", "  "])))
    copy = {**original, "claim_id": "clm-zzzzzzzzzz", "quote": quote}
    link = {**draw(st.sampled_from(links)), "link_id": "lnk-zzzzzzzzzz", "claim_id": copy["claim_id"]}
    pkg.write_rows("claims", [*claims, copy])
    pkg.write_rows(LINKS, [*links, link])
    return at("quote-stored-twice", "claims", len(claims), "claim_id")


FIGURE_PAIRS = [("claims", "value_min", "value_max"), ("detentions", "people_count_min", "people_count_max")]


@mutation("figure-range-inverted")
def inverted_range(pkg: Written, draw: Draw) -> Expected:
    """The upper figure set below the lower one (both stay within their own minimum)."""
    options = [
        (t, n, low, high)
        for t, low, high in FIGURE_PAIRS
        for n, row in enumerate(pkg.rows(t))
        if int(row[low] or -1) > int(constraints(t, high).get("minimum", 0))
    ]
    table, index, low, high = draw(st.sampled_from(options))
    lowest = int(pkg.rows(table)[index][low] or "")
    below = draw(st.integers(int(constraints(table, high).get("minimum", 0)), lowest - 1))
    set_cell(pkg, table, index, high, str(below))
    return at("figure-range-inverted", table, index, low)


@mutation("detention-cycle")
def detention_its_own_parent(pkg: Written, draw: Draw) -> Expected:
    detentions = pkg.rows("detentions")
    index = draw(st.integers(0, len(detentions) - 1))
    set_cell(pkg, "detentions", index, "parent_detention_id", detentions[index]["detention_id"])
    return at("detention-cycle", "detentions", index, "parent_detention_id")


@mutation("detention-child-larger")
def subgroup_larger_than_group(pkg: Written, draw: Draw) -> Expected:
    """A subgroup, with a claim of its own, counting more people than the group it is part of."""
    detentions = pkg.rows("detentions")
    group = draw(st.sampled_from([row for row in detentions if row["people_count_min"]]))
    larger = int(group["people_count_min"] or "") + draw(st.integers(1, 1000))
    child_id = "det-00000000zz"
    subgroup = {**group, "detention_id": child_id, "parent_detention_id": group["detention_id"]}
    subgroup.update(people_count_min=str(larger), people_count_max=None)
    pkg.write_rows("detentions", [*detentions, subgroup])
    claims = pkg.rows("claims")
    evidence = {**claims[0], "claim_id": "clm-00000000zz", "quote": "It protested the deaths of two brothers"}
    evidence.update(measure=None, value_min=None, value_max=None, value_qualifier=None, source_id="src-0000000001")
    pkg.write_rows("claims", [*claims, evidence])
    link = {"link_id": "lnk-00000000zz", "claim_id": evidence["claim_id"], "detention_id": child_id}
    pkg.write_rows(LINKS, [*pkg.rows(LINKS), link])
    return at("detention-child-larger", "detentions", len(detentions), "people_count_min")


@mutation("count-basis-inconsistent")
def count_basis_misfit(pkg: Written, draw: Draw) -> Expected:
    """A basis that the counts contradict: one figure for a range, a floor with a ceiling, none for a count."""
    detentions = pkg.rows("detentions")
    index = draw(st.sampled_from([n for n, row in enumerate(detentions) if row["people_count_min"]]))
    low, high = detentions[index]["people_count_min"], detentions[index]["people_count_max"]
    misfits = [None, "unknown", "stated-range" if low == high else "stated-exact"]
    misfits += ["stated-lower-bound"] if high else []
    set_cell(pkg, "detentions", index, "count_basis", draw(st.sampled_from(misfits)))
    return at("count-basis-inconsistent", "detentions", index, "count_basis")


@mutation("figure-measure-missing")
def figure_without_measure(pkg: Written, draw: Draw) -> Expected:
    claims = pkg.rows("claims")
    index = draw(st.integers(0, len(claims) - 1))
    if not claims[index]["value_min"]:
        claims[index]["value_min"] = str(draw(st.integers(0, 10**6)))
    claims[index]["measure"] = None
    pkg.write_rows("claims", claims)
    return at("figure-measure-missing", "claims", index, "measure")


@mutation("quote-too-short")
def short_quote(pkg: Written, draw: Draw) -> Expected:
    """A few characters that are verbatim in the claim's source, a mark or a word: they prove nothing."""
    claims = pkg.rows("claims")
    index = draw(st.integers(0, len(claims) - 1))
    text = archived_text(pkg, claims[index]["source_id"])
    starts = [n for n, c in enumerate(text) if not c.isspace() and c not in FORMULA_STARTS]
    start = draw(st.sampled_from(starts))
    ends = [n for n in range(start + 1, min(start + QUOTE_SHORTEST, len(text) + 1)) if not text[n - 1].isspace()]
    set_cell(pkg, "claims", index, "quote", text[start : draw(st.sampled_from(ends))])
    return at("quote-too-short", "claims", index, "quote")


@mutation("quote-translation-missing")
def untranslated(pkg: Written, draw: Draw) -> Expected:
    languages = {row["source_id"]: row["language"] for row in pkg.rows("sources")}
    claims = pkg.rows("claims")
    index = draw(st.sampled_from([n for n, row in enumerate(claims) if not is_english(languages[row["source_id"]])]))
    set_cell(pkg, "claims", index, "quote_en", None)
    return at("quote-translation-missing", "claims", index, "quote_en")


@mutation("tombstone-id-in-use")
def retire_live_id(pkg: Written, draw: Draw) -> Expected:
    live = [row[KEYS[t]] for t in FACT_TABLES if t != "tombstones" for row in pkg.rows(t)]
    index = draw(st.integers(0, len(pkg.rows("tombstones")) - 1))
    set_cell(pkg, "tombstones", index, "retired_id", draw(st.sampled_from(live)))
    return at("tombstone-id-in-use", "tombstones", index, "retired_id")


@mutation("tombstone-replacement-missing")
def replaced_by_nothing(pkg: Written, draw: Draw) -> Expected:
    live = {row[KEYS[t]] for t in FACT_TABLES for row in pkg.rows(t)}
    index = draw(st.integers(0, len(pkg.rows("tombstones")) - 1))
    table = draw(st.sampled_from(sorted(EVIDENCED)))
    set_cell(pkg, "tombstones", index, "replaced_by", draw(ids(table).filter(lambda key: key not in live)))
    return at("tombstone-replacement-missing", "tombstones", index, "replaced_by")


def placed(pkg: Written) -> list[int]:
    """The places with both coordinates (and so a gazetteer record and a precision other than none)."""
    return [n for n, row in enumerate(pkg.rows("places")) if row["latitude_e5"] and row["longitude_e5"]]


@mutation("coordinates-incomplete")
def half_a_pair(pkg: Written, draw: Draw) -> Expected:
    index = draw(st.sampled_from(placed(pkg)))
    kept, dropped = draw(st.permutations(["latitude_e5", "longitude_e5"]))
    set_cell(pkg, "places", index, dropped, None)
    return at("coordinates-incomplete", "places", index, kept)


@mutation("coordinates-without-gazetteer")
def typed_by_hand(pkg: Written, draw: Draw) -> Expected:
    """Coordinates kept while the gazetteer record they came from is removed."""
    index = draw(st.sampled_from(placed(pkg)))
    for name in draw(st.sampled_from([["gazetteer"], ["gazetteer_id"], ["gazetteer", "gazetteer_id"]])):
        set_cell(pkg, "places", index, name, None)
    return at("coordinates-without-gazetteer", "places", index, "latitude_e5")


@mutation("coordinate-precision-mismatch")
def precision_against_coordinates(pkg: Written, draw: Draw) -> Expected:
    """A place with coordinates said to have none, or one without them given a point's precision."""
    rows = pkg.rows("places")
    index = draw(st.integers(0, len(rows) - 1))
    precision = "none" if rows[index]["latitude_e5"] else draw(st.sampled_from(["place-point", "region-town"]))
    set_cell(pkg, "places", index, "coordinate_precision", precision)
    return at("coordinate-precision-mismatch", "places", index, "coordinate_precision")


# --- provenance -----------------------------------------------------------------------------------------


@mutation("quotes-not-verified")
def without_archive(pkg: Written, draw: Draw) -> Expected:
    return Expected("quotes-not-verified", None, with_archive=False)


def any_source(pkg: Written, draw: Draw) -> tuple[int, Row]:
    rows = pkg.rows("sources")
    index = draw(st.integers(0, len(rows) - 1))
    return index, rows[index]


@mutation("archive-file-refused")
def archived_as_link(pkg: Written, draw: Draw) -> Expected:
    """A link in the archive is not followed, even to a copy of the very file it replaces."""
    index, source = any_source(pkg, draw)
    path = pkg.archive / (source["file_name"] or "")
    path.rename(pkg.archive.parent / "elsewhere")
    path.symlink_to(pkg.archive.parent / "elsewhere")
    return at("archive-file-refused", "sources", index, "file_name")


@mutation("archive-file-missing")
def remove_archived(pkg: Written, draw: Draw) -> Expected:
    index, source = any_source(pkg, draw)
    (pkg.archive / (source["file_name"] or "")).unlink()
    return at("archive-file-missing", "sources", index, "file_name")


@mutation("source-hash-mismatch")
def other_hash(pkg: Written, draw: Draw) -> Expected:
    index, source = any_source(pkg, draw)
    digest = draw(
        st.text(alphabet="0123456789abcdef", min_size=64, max_size=64).filter(lambda d: d != source["sha256"])
    )
    set_cell(pkg, "sources", index, "sha256", digest)
    return at("source-hash-mismatch", "sources", index, "sha256")


@mutation("source-bytes-mismatch")
def other_size(pkg: Written, draw: Draw) -> Expected:
    index, source = any_source(pkg, draw)
    size = draw(st.integers(1, 10**12).filter(lambda n: str(n) != source["bytes"]))
    set_cell(pkg, "sources", index, "bytes", str(size))
    return at("source-bytes-mismatch", "sources", index, "bytes")


@mutation("source-unreadable")
def not_utf8_source(pkg: Written, draw: Draw) -> Expected:
    """The archived text gains a byte that is not UTF-8; sha256 and bytes are updated to match it."""
    index, source = any_source(pkg, draw)
    path = pkg.archive / (source["file_name"] or "")
    data = path.read_bytes()
    cut = draw(st.integers(0, len(data)))
    data = data[:cut] + b"\xff" + data[cut:]
    path.write_bytes(data)
    rows = pkg.rows("sources")
    rows[index] |= {"sha256": hashlib.sha256(data).hexdigest(), "bytes": str(len(data))}
    pkg.write_rows("sources", rows)
    return at("source-unreadable", "sources", index, "file_name")


def archived_text(pkg: Written, source_id: str | None) -> str:
    source = next(row for row in pkg.rows("sources") if row["source_id"] == source_id)
    return normalise_whitespace((pkg.archive / (source["file_name"] or "")).read_text(encoding="utf-8"))


def not_in_source(pkg: Written, draw: Draw, table: str, name: str, code: str) -> Expected:
    """Insert a word into a verbatim passage, at a word boundary, so that it is no longer in its source."""
    index = draw(st.integers(0, len(pkg.rows(table)) - 1))
    row = pkg.rows(table)[index]
    text, words = archived_text(pkg, row["source_id"]), (row[name] or "").split(" ")
    cut = draw(st.integers(0, len(words)))
    changed = draw(
        st.text(alphabet="abcxyzäяا", min_size=1, max_size=6)
        .map(lambda word: " ".join([*words[:cut], word, *words[cut:]]))
        .filter(lambda quote: quote not in text)
    )
    set_cell(pkg, table, index, name, changed)
    return at(code, table, index, name)


@mutation("quote-not-verbatim")
def changed_quote(pkg: Written, draw: Draw) -> Expected:
    return not_in_source(pkg, draw, "claims", "quote", "quote-not-verbatim")


@mutation("name-not-in-source")
def changed_name(pkg: Written, draw: Draw) -> Expected:
    return not_in_source(pkg, draw, "actor_names", "name", "name-not-in-source")


# --- the tests ------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def fixture_package(tmp_path_factory: pytest.TempPathFactory) -> Written:
    written = write_package(tmp_path_factory.mktemp("fixture"), fixture_data())
    assert findings(written.root, written.archive) == []
    return written


def fresh_copy(fixture: Written, folder: Path) -> Written:
    shutil.copytree(fixture.root.parent, folder, dirs_exist_ok=True)
    return Written(folder / fixture.root.name, folder / fixture.archive.name)


def location(f: Finding | Expected) -> tuple[str, str | None, int | None, int | None]:
    return (f.code, f.file, f.line, f.column)


def check_mutation(fixture: Written, folder: Path, code: str, draw: Draw) -> list[Finding]:
    pkg = fresh_copy(fixture, folder)
    try:
        expected = MUTATIONS[code](pkg, draw)
    except pytest.skip.Exception as skipped:  # a rule whose mutation does not run is not covered
        pytest.fail(f"the mutation of {code} did not run: {skipped}")
    rules = trusted.load(str(fixture.root), fixture.root) if expected.trusted else None
    report = validate(pkg.root, pkg.archive if expected.with_archive else None, rules)
    found = [f for f in report.findings if f.code != "descriptor-not-trusted" or code == f.code]
    places_found = [location(f) for f in found]
    if expected.repeats:
        assert set(places_found) == {location(expected)}, found
    else:
        assert places_found == [location(expected)], [f.as_dict() for f in found]
    if expected.value is not None:
        assert found[0].value == expected.value
    assert all(f.message.startswith(expected.message_start) for f in found), [f.message for f in found]
    return found


def first_example(strategy: st.SearchStrategy[T]) -> T:
    """The first value Hypothesis generates, which for most strategies is also the simplest."""
    return find(strategy, lambda _: True, settings=settings(phases=[Phase.generate]))


@pytest.mark.slow
def test_an_unknown_basis_of_no_count_is_one_finding(fixture_package: Written, tmp_path: Path) -> None:
    """The fixture's detention has counts; without them, a basis the codelist lacks is still one mistake."""
    pkg = fresh_copy(fixture_package, tmp_path)
    for name, value in (("people_count_min", None), ("people_count_max", None), ("count_basis", "unknown")):
        set_cell(pkg, "detentions", 0, name, value)
    assert findings(pkg.root, pkg.archive) == []
    set_cell(pkg, "detentions", 0, "count_basis", "guessed")
    found = [location(f) for f in findings(pkg.root, pkg.archive)]
    assert found == [location(at("code-not-in-codelist", "detentions", 0, "count_basis"))]


def first_draw_is(value: object) -> Draw:
    """Draws that give this value first, and then the first examples."""
    given = iter([value])

    def draw(strategy: st.SearchStrategy[T]) -> T:
        return next(given, None) or first_example(strategy)  # type: ignore[return-value]

    return draw


# --- the catalogue's contract: each rule is reported by a stage that declares it, and has a mutation --------


def test_every_rule_has_a_mutation() -> None:
    assert set(MUTATIONS) == set(RULES)


def test_every_rule_is_declared_by_a_stage_that_reports_it() -> None:
    declared = set().union(*(stage.emits for stage in STAGES))
    assert sorted(rule.code for rule in declared) == sorted(RULES)


def test_every_rule_is_a_constant_named_after_its_code() -> None:
    constants = {name: value.code for name, value in vars(rules).items() if isinstance(value, Rule)}
    assert constants == {code.upper().replace("-", "_"): code for code in RULES}


def test_every_check_defined_is_run() -> None:
    modules = [importlib.import_module(f"azru.validate.{m.name}") for m in pkgutil.iter_modules(validator.__path__)]
    defined = {value for module in modules for value in vars(module).values() if isinstance(value, Check)}
    assert defined == set(CHECKS)


@pytest.mark.slow
@pytest.mark.parametrize("code", sorted(RULES))
def test_each_rule_is_caught(fixture_package: Written, tmp_path: Path, code: str) -> None:
    check_mutation(fixture_package, tmp_path, code, first_example)


@pytest.mark.slow
@given(data=st.data())
def test_any_rule_anywhere(
    fixture_package: Written, tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    code = data.draw(st.sampled_from(sorted(MUTATIONS)), label="rule")
    check_mutation(fixture_package, tmp_path_factory.mktemp("mutation"), code, data.draw)


@pytest.mark.slow
def test_an_unreadable_table_is_reported_once_not_as_a_missing_replacement(
    fixture_package: Written, tmp_path: Path
) -> None:
    """The tombstone's replacement is a row of events: an unreadable events file must not orphan it."""
    pkg = fresh_copy(fixture_package, tmp_path)
    pkg.path("events").write_bytes(b"")
    assert [location(f) for f in findings(pkg.root, pkg.archive)] == [("file-empty", file_of("events"), 1, None)]


@pytest.mark.slow
def test_an_unknown_code_anywhere_is_one_finding(fixture_package: Written, tmp_path: Path) -> None:
    """Every cell that test_any_rule_anywhere may give an unknown code, in turn: a check that compares codes
    must not report a code the codelist lacks a second time (it found coordinate_precision doing so)."""
    for n, cell in enumerate(places(fixture_package, takes_unknown_code)):
        check_mutation(fixture_package, tmp_path / str(n), "code-not-in-codelist", first_draw_is(cell))


# --- the words contributors read ------------------------------------------------------------------------

BAD_DAY: list[Callable[[Written], None]] = [  # several mistakes in one package, each in its own row and field
    lambda pkg: set_cell(pkg, "events", 1, "summary", None),
    lambda pkg: set_cell(pkg, "participants", 0, "actor_id", "act-zzzzzzzzzz"),
    lambda pkg: set_cell(pkg, "events", 0, "event_type", "riot"),
    lambda pkg: set_cell(pkg, "events", 0, "summary", "Police\u202eraid"),
    lambda pkg: set_cell(pkg, "detentions", 0, "release_date", "2025-05"),
    lambda pkg: set_cell(pkg, "claims", 0, "quote", "after a police raid in Moscow"),
    # padding around a quote that opens its source: padding, not also a quote missing from the source
    lambda pkg: set_cell(pkg, "claims", 4, "quote", " The Ministry of Foreign Affairs of Azerbaijan"),
    lambda pkg: unsupport(pkg, "detention_id"),
]
PINNED = {
    "required-missing": ("summary is required but empty", "fill in summary"),
    "foreign-key-dangling": (
        "actor_id 'act-zzzzzzzzzz' matches no actor_id in actors",
        "reference an existing row, or add the row it points to",
    ),
    "code-not-in-codelist": (
        "event_type 'riot' is not a code in event_types",
        "use one of the codes in data/codelists/event_types.csv",
    ),
    "forbidden-character": (
        "summary contains U+202E, a control or invisible formatting character",
        "delete it; cells are single lines of visible text, without controls (C0, C1, DEL), Unicode's "
        "default-ignorable characters (zero-width and bidi controls, soft hyphen, fillers, variation selectors, "
        "tags), U+2028, U+2029 or U+FFF9-FFFB",
    ),
    "release-before-detention": ("release_date '2025-05' is before the detention date 2025-06-27", "check both dates"),
    "quote-not-verbatim": (
        "quote is not verbatim in src-0000000001: it matches up to character 23 (then 'Moscow')",
        "copy the passage exactly from the source, keeping its punctuation; only whitespace may differ",
    ),
    "whitespace-padding": (
        "quote value ' The Ministry of Foreign Affairs of Azerbaijan' starts or ends with whitespace",
        "delete the spaces around the value",
    ),
    "claim-missing": (
        "detention_id 'det-0000000001' has no claim",
        "add a claim with a verbatim quote: azru new claim --for det-0000000001",
    ),
}


@pytest.mark.slow
def test_messages_and_hints_as_the_contributor_reads_them(
    fixture_package: Written, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pkg = fresh_copy(fixture_package, tmp_path)
    for change in BAD_DAY:
        change(pkg)
    code = main(["validate", str(pkg.root), "--archive", str(pkg.archive), "--format", "json", "--trusted", str(REPO)])
    report = json.loads(capsys.readouterr().out)
    assert (code, report["valid"]) == (1, False)
    assert {f["code"]: (f["message"], f["hint"]) for f in report["findings"]} == PINNED
    assert len(report["findings"]) == len(PINNED)
