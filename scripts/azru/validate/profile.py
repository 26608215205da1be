"""Data Package v2 conformance as frictionless-py judges a descriptor (descriptor.py remembers the verdict,
as frictionless takes longer to import and to judge than the rest of a small package's validation)."""

import json
from typing import Any


def notes(descriptor: dict[str, Any]) -> list[str]:
    """What frictionless says is wrong with the descriptor (it reads no files here)."""
    from frictionless import Package as FrictionlessPackage

    try:
        return [str(error.note) for error in FrictionlessPackage.metadata_validate(_v1_self_references(descriptor))]
    except Exception as error:  # frictionless raises assorted types on hostile descriptors
        return [f"frictionless could not read it ({type(error).__name__})"]


def _v1_self_references(descriptor: dict[str, Any]) -> dict[str, Any]:
    """The descriptor with each self-reference spelt `"resource": ""`: Data Package v2 omits `resource` in a
    foreign key to the same table, but frictionless's profile check (unlike its reading) still requires it."""
    copied = json.loads(json.dumps(descriptor))
    for resource in copied.get("resources", []) if isinstance(copied, dict) else []:
        schema = resource.get("schema") if isinstance(resource, dict) else None
        for key in schema.get("foreignKeys", []) if isinstance(schema, dict) else []:
            reference = key.get("reference") if isinstance(key, dict) else None
            if isinstance(reference, dict):
                reference.setdefault("resource", "")
    return copied  # type: ignore[no-any-return]
