"""Generated files (JSON Schemas, codebook, error catalogue, countries, datasheet counts) match their sources."""

from pathlib import Path

import pytest
from azru.generate import generated_files

ROOT = Path(__file__).resolve().parents[1]
GENERATED = generated_files(ROOT)


@pytest.mark.parametrize("rel", sorted(GENERATED))
def test_generated_file_is_current(rel: str) -> None:
    path = ROOT / rel
    on_disk = path.read_text(encoding="utf-8") if path.exists() else None
    assert on_disk == GENERATED[rel], f"{rel} is stale: run `make schemas`"


def test_every_table_has_a_json_schema() -> None:
    schemas = {p.name for p in (ROOT / "schemas").glob("*.schema.json")}
    expected = {Path(rel).name for rel in GENERATED if rel.startswith("schemas/")}
    assert schemas == expected, "schemas/ holds a file no table generates: run `make schemas` and delete it"
