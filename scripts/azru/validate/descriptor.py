"""datapackage.json as azru reads it: parsed strictly, held to the shape azru can check fully, held to the
domain's invariants, and compared with a trusted copy so that a pull request cannot loosen its own rules."""

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from .. import domain, guarded, strict_json
from .. import package as package_module
from ..guarded import path_problem
from ..package import (
    EDTF,
    EVIDENCED,
    FIELD_PROPERTIES,
    ID_PREFIX,
    NAMESPACE,
    RESOURCE_PROPERTIES,
    SEARCHABLE,
    SINGULAR,
    Package,
)
from . import profile, verdicts
from .rules import (
    DESCRIPTOR_CHANGED,
    DESCRIPTOR_INVALID_JSON,
    DESCRIPTOR_NOT_CONFORMING,
    DESCRIPTOR_WEAKENED,
    INVARIANT_BROKEN,
    RESOURCE_PATH_UNSAFE,
    RULES,
    Finding,
)

if TYPE_CHECKING:  # jsonschema is imported only when a descriptor is judged afresh (see problems)
    import jsonschema

DESCRIPTOR = "datapackage.json"
EMITS = frozenset(
    {
        DESCRIPTOR_INVALID_JSON,
        DESCRIPTOR_NOT_CONFORMING,
        RESOURCE_PATH_UNSAFE,
        INVARIANT_BROKEN,
        DESCRIPTOR_WEAKENED,
        DESCRIPTOR_CHANGED,
    }
)
NAME = {"type": "string", "pattern": "^[a-z0-9_]{1,64}$"}
WEB_URL = {"type": "string", "pattern": "^https?://[^\\s<>\"']+$"}
ONE_FIELD = {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 1}
BOOLEAN_WORDS = {"type": "array", "items": {"type": "string", "pattern": "^[A-Za-z0-9]{1,16}$"}, "minItems": 1}
# What azru reads a table as; a dialect may only restate it.
DIALECT = {"delimiter": ",", "quoteChar": '"', "doubleQuote": True, "header": True, "headerRows": [1]}

# The shape azru itself relies on, beyond the Data Package profile: whatever it cannot check is refused
# here, so no descriptor can make a rule silently check less (a composite key checked on its first
# field, a `number` field checked as text, a formula as a boolean's true value).
SHAPE = {
    "type": "object",
    "required": ["resources"],
    "properties": {
        "homepage": WEB_URL,
        "licenses": {"type": "array", "items": {"type": "object", "properties": {"path": WEB_URL}}},
        "resources": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["name", "path", "schema"],
                "properties": {
                    "name": NAME,
                    "path": {"type": "string"},
                    "encoding": {"enum": ["utf-8", "UTF-8"]},
                    "format": {"const": "csv"},
                    "mediatype": {"const": "text/csv"},
                    ID_PREFIX: {"type": "string", "pattern": "^[a-z][a-z0-9]{0,15}$"},
                    SINGULAR: NAME,
                    EVIDENCED: {"type": "boolean"},
                    "dialect": {
                        "type": "object",
                        "properties": {key: {"const": value} for key, value in DIALECT.items()},
                        "additionalProperties": False,
                    },
                    "schema": {
                        "type": "object",
                        "required": ["fields"],
                        "properties": {
                            "fields": {"type": "array", "minItems": 1, "items": {"$ref": "#/definitions/field"}},
                            "missingValues": {"const": [""]},
                            "primaryKey": ONE_FIELD,
                            "foreignKeys": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "required": ["fields", "reference"],
                                    "properties": {
                                        "fields": ONE_FIELD,
                                        "reference": {
                                            "type": "object",
                                            "required": ["fields"],
                                            "properties": {"resource": {"type": "string"}, "fields": ONE_FIELD},
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    },
    "definitions": {
        "field": {
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": NAME,
                "type": {"enum": ["string", "integer", "boolean"]},
                "format": {"const": "default"},
                "missingValues": {"const": [""]},
                "trueValues": BOOLEAN_WORDS,
                "falseValues": BOOLEAN_WORDS,
                EDTF: {"type": "boolean"},
                SEARCHABLE: {"type": "boolean"},
                "constraints": {
                    "type": "object",
                    "properties": {
                        "required": {"type": "boolean"},
                        "unique": {"type": "boolean"},
                        "pattern": {"type": "string", "maxLength": 1000},
                        "minLength": {"type": "integer", "minimum": 0},
                        "maxLength": {"type": "integer", "minimum": 0},
                        # the cell checks compare integers with these limits in SQL
                        "minimum": {"type": "integer"},
                        "maximum": {"type": "integer"},
                    },
                    "additionalProperties": False,
                },
            },
        }
    },
}


def parse(data: bytes) -> dict[str, Any] | Finding:
    """The descriptor, or the finding that says why it cannot be read (azru.strict_json)."""
    try:
        descriptor = strict_json.loads(data)
    except strict_json.NotJson as error:
        return Finding(DESCRIPTOR_INVALID_JSON, DESCRIPTOR, error.line, error.column, params={"error": error.reason})
    if not isinstance(descriptor, dict):
        return Finding(DESCRIPTOR_INVALID_JSON, DESCRIPTOR, params={"error": "the top level is not an object"})
    return descriptor


# The libraries that judge a descriptor, besides Python's re (whose version goes with Python's).
JUDGING_LIBRARIES = ("jsonschema", "frictionless")


def problems(descriptor: dict[str, Any]) -> list[Finding]:
    """Everything that keeps azru from checking a package fully by this descriptor; none means usable.

    The verdict is remembered (see verdicts.py) with the code that makes it: this module, the profile
    check, the names of package.py and the path rule of guarded.py.
    """
    judges = (sys.modules[__name__], profile, package_module, guarded)
    place = verdicts.entry("descriptor", descriptor, JUDGING_LIBRARIES, judges)
    known = verdicts.read(place)
    if isinstance(known, list):
        try:
            return [_restored(item) for item in known]
        except (KeyError, TypeError, ValueError):
            pass  # not a verdict azru wrote: judged again
    found = _judged(descriptor)
    verdicts.write(place, [_stored(finding) for finding in found])
    return found


def _stored(finding: Finding) -> dict[str, Any]:
    return {
        "code": finding.code,
        "file": finding.file,
        "line": finding.line,
        "column": finding.column,
        "field": finding.field,
        "value": finding.value,
        "params": finding.params,
    }


def _restored(stored: dict[str, Any]) -> Finding:
    rule = RULES[stored["code"]]
    if rule not in EMITS or not isinstance(stored["params"], dict):
        raise ValueError("not a verdict on a descriptor")
    return Finding(
        rule, stored["file"], stored["line"], stored["column"], stored["field"], stored["value"], stored["params"]
    )


def _judged(descriptor: dict[str, Any]) -> list[Finding]:
    found = list(_shape(descriptor))
    if found:
        return found
    found = list(_structure(descriptor))
    return found or list(_profile(descriptor))


def _shape(descriptor: dict[str, Any]) -> Iterator[Finding]:
    import jsonschema

    errors = jsonschema.Draft7Validator(SHAPE).iter_errors(descriptor)
    for error in sorted(errors, key=lambda e: [str(p) for p in e.absolute_path]):
        yield _not_conforming("/".join(str(p) for p in error.absolute_path) or "descriptor", _plain(error))


def _plain(error: "jsonschema.ValidationError") -> str:
    """jsonschema's message in words a contributor reads, with what azru accepts."""
    schema = error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "pattern":
        return f"{_short(error.instance)} does not have the accepted form ({schema.get('pattern')})"
    if error.validator == "enum":
        return f"{_short(error.instance)} is not one of {', '.join(map(str, schema['enum']))}"
    if error.validator == "const":
        return f"{_short(error.instance)} is not supported; azru reads only {json.dumps(schema['const'])}"
    if error.validator == "maxItems" and schema.get("maxItems") == 1:
        return "keys of more than one field are not supported: azru checks single-field keys"
    if error.validator == "additionalProperties":
        return f"{error.message.split('(')[-1].rstrip(')')}: azru does not check these, so they are refused"
    return str(error.message)


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:59] + "…"


def _not_conforming(where: str, error: str) -> Finding:
    return Finding(DESCRIPTOR_NOT_CONFORMING, DESCRIPTOR, params={"where": where, "error": error})


def _structure(descriptor: dict[str, Any]) -> Iterator[Finding]:
    """Names unique, paths plain, patterns compilable, every key naming fields that exist, and the
    azru: properties usable."""
    resources = descriptor["resources"]
    yield from _unknown_properties("", descriptor, ())
    yield from _domain_properties(resources)
    fields = {r["name"]: [f["name"] for f in r["schema"]["fields"]] for r in resources}
    seen_resources: set[str] = set()
    for i, resource in enumerate(resources):
        where = f"resources/{i}"
        if resource["name"] in seen_resources:
            yield _not_conforming(f"{where}/name", f"another resource is named {resource['name']!r}")
        seen_resources.add(resource["name"])
        problem = path_problem(resource["path"])
        if problem:
            yield Finding(RESOURCE_PATH_UNSAFE, DESCRIPTOR, value=resource["path"], params={"problem": problem})
        names = fields[resource["name"]]
        for j, name in enumerate(names):
            if name in names[:j]:
                yield _not_conforming(f"{where}/schema/fields/{j}/name", f"another field is named {name!r}")
        for j, field in enumerate(resource["schema"]["fields"]):
            pattern = field.get("constraints", {}).get("pattern")
            if pattern is not None and (error := _pattern_error(pattern)):
                yield _not_conforming(f"{where}/schema/fields/{j}/constraints/pattern", error)
        schema = resource["schema"]
        for key in schema.get("primaryKey", []):
            if key not in names:
                yield _not_conforming(f"{where}/schema/primaryKey", f"no field is named {key!r}")
        for j, fk in enumerate(schema.get("foreignKeys", [])):
            target = fk["reference"].get("resource") or resource["name"]
            if fk["fields"][0] not in names:
                yield _not_conforming(
                    f"{where}/schema/foreignKeys/{j}/fields", f"no field is named {fk['fields'][0]!r}"
                )
            if target not in fields:
                yield _not_conforming(
                    f"{where}/schema/foreignKeys/{j}/reference/resource", f"no resource is named {target!r}"
                )
            elif fk["reference"]["fields"][0] not in fields[target]:
                error = f"{target} has no field {fk['reference']['fields'][0]!r}"
                yield _not_conforming(f"{where}/schema/foreignKeys/{j}/reference/fields", error)


def _domain_properties(resources: list[dict[str, Any]]) -> Iterator[Finding]:
    """Each id prefix and singular names one table, made ids have a key to hold them, and only string
    fields hold EDTF dates or search text."""
    owners: dict[tuple[str, str], str] = {}
    for i, resource in enumerate(resources):
        where = f"resources/{i}"
        yield from _unknown_properties(f"{where}/", resource, RESOURCE_PROPERTIES)
        for key in (ID_PREFIX, SINGULAR):
            value = resource.get(key)
            if value is None:
                continue
            owner = owners.setdefault((key, value), resource["name"])
            if owner != resource["name"]:
                yield _not_conforming(f"{where}/{key}", f"the resource {owner!r} has {value!r} already")
        if ID_PREFIX in resource and not resource["schema"].get("primaryKey"):
            yield _not_conforming(f"{where}/{ID_PREFIX}", "made ids need a primaryKey to hold them")
        for j, field in enumerate(resource["schema"]["fields"]):
            yield from _unknown_properties(f"{where}/schema/fields/{j}/", field, FIELD_PROPERTIES)
            for key in FIELD_PROPERTIES:
                if field.get(key) and field.get("type", "string") != "string":
                    yield _not_conforming(f"{where}/schema/fields/{j}/{key}", "only a string field can have it")


def _unknown_properties(where: str, spec: dict[str, Any], known: tuple[str, ...]) -> Iterator[Finding]:
    """A misspelt azru: property would silently declare nothing, so it is refused."""
    for key in spec:
        if key.startswith(NAMESPACE) and key not in known:
            accepted = f"it reads {', '.join(known)} here" if known else "it reads none here"
            yield _not_conforming(f"{where}{key}", f"azru has no such property; {accepted}")


# RE2 (DuckDB's engine) refuses backreferences and lookaround; Python's re is the reference syntax.
NOT_RE2 = re.compile(r"\\[1-9]|\(\?[=!<]")


def _pattern_error(pattern: str) -> str | None:
    try:
        re.compile(pattern)
    except re.error as error:
        return f"not a regular expression ({error})"
    if NOT_RE2.search(pattern):
        return "backreferences and lookaround are not supported"
    return None


def engine_problems(descriptor: dict[str, Any], con: duckdb.DuckDBPyConnection) -> Iterator[Finding]:
    """The patterns that RE2, the engine that checks the cells, refuses though Python's re reads them
    (possessive quantifiers, `\\Z`, `\\u` escapes, ...); one query asks for all of them."""
    places = [
        (f"resources/{i}/schema/fields/{j}/constraints/pattern", field["constraints"]["pattern"])
        for i, resource in enumerate(descriptor["resources"])
        for j, field in enumerate(resource["schema"]["fields"])
        if "pattern" in field.get("constraints", {})
    ]
    patterns = sorted({pattern for _, pattern in places})
    if _re2_refusal(con, patterns) is None:
        return
    refused = {pattern: reason for pattern in patterns if (reason := _re2_refusal(con, [pattern]))}
    for place, pattern in places:
        if pattern in refused:
            yield _not_conforming(place, f"not a regular expression RE2 reads ({refused[pattern]})")


def _re2_refusal(con: duckdb.DuckDBPyConnection, patterns: list[str]) -> str | None:
    try:
        con.execute("SELECT count(regexp_full_match('', p)) FROM unnest(?::VARCHAR[]) t(p)", [patterns]).fetchall()
    except duckdb.Error as error:
        return str(error).splitlines()[0].partition(": ")[2]
    return None


def _profile(descriptor: dict[str, Any]) -> Iterator[Finding]:
    """Data Package v2 conformance as frictionless-py judges it."""
    for note in profile.notes(descriptor):
        where, _, message = note.rpartition(" at property ")
        yield _not_conforming(message.strip("'") if where else "descriptor", where or note)


def invariant_findings(descriptor: dict[str, Any]) -> Iterator[Finding]:
    """The evidence model, which every descriptor must keep: the evidence tables of azru.domain, and a
    link table with a field pointing at each table whose rows the descriptor says need evidence."""
    schemas = {r["name"]: r["schema"] for r in descriptor["resources"]}
    for table, key in domain.KEYS.items():
        schema = schemas.get(table)
        if schema is None:
            yield _broken(table, "the resource is missing")
            continue
        if schema.get("primaryKey") != [key]:
            yield _broken(table, f"primaryKey is not [{key}]")
    for table, names in domain.REQUIRED_FIELDS.items():
        specs = {f["name"]: f for f in schemas.get(table, {}).get("fields", [])}
        for name in names:
            if not specs.get(name, {}).get("constraints", {}).get("required"):
                yield _broken(f"{table}.{name}", "the field is missing or not required")
    table, name, target, key = domain.CITATION
    wanted = {"fields": [name], "reference": {"resource": target, "fields": [key]}}
    if wanted not in schemas.get(table, {}).get("foreignKeys", []):
        yield _broken(f"{table}.{name}", f"no foreign key into {target}.{key}")
    yield from _evidence_links(Package(Path("."), descriptor))  # reads no file


def _evidence_links(package: Package) -> Iterator[Finding]:
    """A link table, and a field of it pointing at each table that the descriptor says needs evidence."""
    evidenced = package.evidenced_tables()
    if not evidenced:
        yield _broken(domain.CLAIMS, f"no resource has {EVIDENCED}, so claims would support nothing")
    links = package.claim_links()
    if links is None:
        yield _broken(domain.CLAIMS, "no resource has a foreign key claim_id -> claims.claim_id to link claims to rows")
    elif not links.field("claim_id").required:
        yield _broken(f"{links.name}.claim_id", "the field is not required, so a link could name no claim")
    for table in evidenced:
        if not table.primary_key:
            yield _broken(table.name, f"a resource with {EVIDENCED} needs a primaryKey for claims to point at")
        elif links is not None and links.field_pointing_at(table) is None:
            (key,) = table.primary_key
            yield _broken(f"{links.name}.{key}", f"no foreign key into {table.name}.{key}")


def _broken(where: str, error: str) -> Finding:
    return Finding(INVARIANT_BROKEN, DESCRIPTOR, params={"where": where, "error": error})


# --- trusted against proposed ----------------------------------------------------------------------

# Field properties that say nothing about what a cell may hold.
PROSE = {"description", "title", "example", "rdfType"}
LOWER_BOUNDS = ("minLength", "minimum")
UPPER_BOUNDS = ("maxLength", "maximum")
FLAGS = ("required", "unique")
# The azru: properties that, set, make the validator refuse more rows.
SWITCHES = (EVIDENCED, EDTF)


def changes(trusted: dict[str, Any], proposed: dict[str, Any]) -> Iterator[Finding]:
    """Each way the proposed descriptor's rules differ from the trusted one's: a loosening is
    `descriptor-weakened` (an error), any other change `descriptor-changed` (a notice)."""
    for key in sorted((trusted.keys() | proposed.keys()) - {"resources"}):
        if trusted.get(key) != proposed.get(key):
            yield _changed(key, f"{_short(trusted.get(key))} became {_short(proposed.get(key))}")
    old = {r["name"]: r for r in trusted["resources"]}
    new = {r.get("name"): r for r in proposed.get("resources", []) if isinstance(r, dict)}
    for name in old:
        if name not in new:
            yield _weakened(name, "resource removed")
    for name in new:
        if name not in old:
            yield _changed(str(name), "resource added; its file is not checked until a maintainer accepts it")
    for name in old.keys() & new.keys():
        yield from _resource_changes(name, old[name], new[name])


def _weakened(where: str, change: str) -> Finding:
    return Finding(DESCRIPTOR_WEAKENED, DESCRIPTOR, params={"where": where, "change": change})


def _changed(where: str, change: str) -> Finding:
    return Finding(DESCRIPTOR_CHANGED, DESCRIPTOR, params={"where": where, "change": change})


def _resource_changes(name: str, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Finding]:
    for key in sorted((old.keys() | new.keys()) - {"schema", "description", "title", *RESOURCE_PROPERTIES}):
        if old.get(key) != new.get(key):
            yield _weakened(f"{name}/{key}", f"{_short(old.get(key))} became {_short(new.get(key))}")
    yield from _domain_changes(name, old, new, RESOURCE_PROPERTIES)
    old_schema = old["schema"]
    new_schema: dict[str, Any] = new["schema"] if isinstance(new.get("schema"), dict) else {}
    for key in ("primaryKey", "missingValues"):
        if old_schema.get(key) != new_schema.get(key):
            yield _weakened(f"{name}/{key}", f"{_short(old_schema.get(key))} became {_short(new_schema.get(key))}")
    old_keys, new_keys = old_schema.get("foreignKeys", []), new_schema.get("foreignKeys", [])
    for fk in old_keys:
        if fk not in new_keys:
            yield _weakened(f"{name}/foreignKeys", f"{_short(fk)} removed")
    for fk in new_keys:
        if fk not in old_keys:
            yield _changed(f"{name}/foreignKeys", f"{_short(fk)} added")
    old_fields = {f["name"]: f for f in old_schema["fields"]}
    new_fields = {f.get("name"): f for f in new_schema.get("fields", []) if isinstance(f, dict)}
    for field in old_fields:
        if field not in new_fields:
            yield _weakened(f"{name}.{field}", "field removed")
    for field in new_fields:
        if field not in old_fields:
            yield _changed(f"{name}.{field}", "field added")
    if [f for f in new_fields if f in old_fields] != [f for f in old_fields if f in new_fields]:
        yield _changed(name, "fields reordered")
    for field in old_fields.keys() & new_fields.keys():
        yield from _field_changes(f"{name}.{field}", old_fields[field], new_fields[field])


def _field_changes(where: str, old: dict[str, Any], new: dict[str, Any]) -> Iterator[Finding]:
    unchecked = PROSE | {"constraints", "name", "trueValues", "falseValues", *FIELD_PROPERTIES}
    for key in sorted((old.keys() | new.keys()) - unchecked):
        if old.get(key) != new.get(key):
            yield _weakened(f"{where}/{key}", f"{_short(old.get(key))} became {_short(new.get(key))}")
    yield from _domain_changes(where, old, new, FIELD_PROPERTIES)
    for key in ("trueValues", "falseValues"):
        added = [v for v in new.get(key, []) if v not in old.get(key, [])]
        if added:
            yield _weakened(f"{where}/{key}", f"{_short(added)} added")
        elif old.get(key) != new.get(key):
            yield _changed(f"{where}/{key}", f"{_short(old.get(key))} became {_short(new.get(key))}")
    old_c, new_c = old.get("constraints", {}), new.get("constraints", {})
    new_c = new_c if isinstance(new_c, dict) else {}
    for key in sorted(old_c.keys() | new_c.keys()):
        before, after = old_c.get(key), new_c.get(key)
        if before == after:
            continue
        change = f"{key} {_short(before)} became {_short(after)}"
        if _looser(key, before, after):
            yield _weakened(where, change)
        else:
            yield _changed(where, change)


def _domain_changes(where: str, old: dict[str, Any], new: dict[str, Any], keys: tuple[str, ...]) -> Iterator[Finding]:
    """A domain fact switched off lets through rows the trusted rules refuse; any other change of an
    azru: property (a prefix, a singular, a fact switched on) is for a maintainer to accept."""
    for key in keys:
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        change = f"{key} {_short(before)} became {_short(after)}"
        if key in SWITCHES and before is True and after is not True:
            yield _weakened(where, change)
        else:
            yield _changed(where, change)


def _looser(key: str, before: Any, after: Any) -> bool:
    """Whether a constraint lets through some value the trusted one refused."""
    if after is None:
        return bool(before) or key not in FLAGS
    if before is None:
        return key in FLAGS and not after
    if key in FLAGS:
        return bool(before) and not after
    numbers = isinstance(before, int) and isinstance(after, int)
    if key in LOWER_BOUNDS and numbers:
        return bool(after < before)
    if key in UPPER_BOUNDS and numbers:
        return bool(after > before)
    return True  # a changed pattern (or anything else) cannot be proved tighter
