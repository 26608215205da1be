"""`azru diff` on small packages built from the repository's own table schemas."""

import csv
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from azru.cli import main

REPO = Path(__file__).parents[1]
KEPT, EDITED, RETRACTED, ADDED = "evt-0000000001", "evt-0000000002", "evt-0000000003", "evt-0000000004"
OLD_EVENTS = [
    {"event_id": KEPT, "event_type": "statement", "summary": "A statement."},
    {"event_id": EDITED, "event_type": "raid", "date": "2025-06", "summary": "A raid."},
    {"event_id": RETRACTED, "event_type": "protest", "summary": "A protest."},
]
NEW_EVENTS = [
    OLD_EVENTS[0],
    {**OLD_EVENTS[1], "date": "2025-06-27", "summary": "A raid in Yekaterinburg."},
    {"event_id": ADDED, "event_type": "detention", "summary": "A detention."},
]
TOMBSTONE = {
    "retired_id": RETRACTED,
    "table": "events",
    "reason": "retracted",
    "retired_in": "0.2.0",
    "explanation": "Not supported by its source on review.",
}


def write_package(root: Path, tables: dict[str, list[dict[str, str]]], drop_fields: tuple[str, ...] = ()) -> Path:
    """A package holding ``tables`` with the repository's schemas, less ``drop_fields``."""
    descriptor = json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))
    resources = [resource for resource in descriptor["resources"] if resource["name"] in tables]
    for resource in resources:
        schema = resource["schema"]
        schema["fields"] = [f for f in schema["fields"] if f["name"] not in drop_fields]
        header = [f["name"] for f in schema["fields"]]
        path = root / resource["path"]
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=header, restval="", extrasaction="ignore", lineterminator="\n")
            writer.writeheader()
            writer.writerows(tables[resource["name"]])
    (root / "datapackage.json").write_text(json.dumps({**descriptor, "resources": resources}), encoding="utf-8")
    return root


def zip_package(root: Path, destination: Path) -> Path:
    with zipfile.ZipFile(destination, "w") as archive:
        for path in sorted(root.rglob("*")):
            archive.write(path, path.relative_to(root))
    return destination


def diff(capsys: pytest.CaptureFixture[str], old: Path, new: Path, *options: str) -> str:
    code = main(["diff", str(old), str(new), *options])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    return out


def diff_json(capsys: pytest.CaptureFixture[str], old: Path, new: Path) -> list[dict[str, Any]]:
    tables: list[dict[str, Any]] = json.loads(diff(capsys, old, new, "--format", "json"))["tables"]
    return tables


@pytest.fixture
def old(tmp_path: Path) -> Path:
    return write_package(tmp_path / "old", {"events": OLD_EVENTS, "tombstones": []})


def test_rows_added_removed_and_changed_are_matched_by_primary_key(
    tmp_path: Path, old: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = write_package(tmp_path / "new", {"events": NEW_EVENTS, "tombstones": []})

    assert diff_json(capsys, old, new) == [
        {
            "table": "events",
            "added": [ADDED],
            "removed": [RETRACTED],
            "removed_without_tombstone": [RETRACTED],
            "changed": {EDITED: ["date", "summary"]},
            "fields_added": [],
            "fields_removed": [],
        }
    ]


def test_markdown_lists_changes_under_changelog_headings(
    tmp_path: Path, old: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = write_package(tmp_path / "new", {"events": NEW_EVENTS, "tombstones": []})

    assert diff(capsys, old, new) == (
        "| table | added | changed | removed |\n"
        "| --- | ---: | ---: | ---: |\n"
        "| events | 1 | 1 | 1 |\n"
        "\n### Added\n\n"
        f"- events (1): `{ADDED}`\n"
        "\n### Changed\n\n"
        f"- events `{EDITED}`: date, summary\n"
        "\n### Removed\n\n"
        f"- events `{RETRACTED}` — **removed without tombstone**\n"
    )


def test_a_removal_with_a_tombstone_is_not_flagged(
    tmp_path: Path, old: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = write_package(tmp_path / "new", {"events": NEW_EVENTS, "tombstones": [TOMBSTONE]})

    events, tombstones = diff_json(capsys, old, new)
    assert (events["removed"], events["removed_without_tombstone"]) == ([RETRACTED], [])
    assert tombstones["added"] == [RETRACTED]
    assert f"- events `{RETRACTED}`\n" in diff(capsys, old, new)


def test_a_removed_code_is_listed_but_not_flagged(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = {"code": "exact", "label": "Exact", "definition": "The figure as stated."}
    old = write_package(tmp_path / "old", {"value_qualifiers": [code]})
    new = write_package(tmp_path / "new", {"value_qualifiers": []})

    (qualifiers,) = diff_json(capsys, old, new)
    assert (qualifiers["removed"], qualifiers["removed_without_tombstone"]) == (["exact"], [])


def test_a_dist_zip_compares_like_its_folder(tmp_path: Path, old: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new = write_package(tmp_path / "new", {"events": NEW_EVENTS, "tombstones": []})
    old_zip = zip_package(old, tmp_path / "old.zip")

    assert diff_json(capsys, old_zip, new) == diff_json(capsys, old, new)


def test_a_dropped_field_is_reported_once_not_as_a_change_to_every_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [{**row, "notes": "Checked."} for row in OLD_EVENTS]
    old = write_package(tmp_path / "old", {"events": rows})
    new = write_package(tmp_path / "new", {"events": rows}, drop_fields=("notes",))

    assert diff(capsys, old, new).endswith("\n### Changed\n\n- events: field `notes` removed\n")


def test_identical_versions_have_no_changes(old: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert diff(capsys, old, old) == "No data changes.\n"


def test_an_argument_that_is_not_a_package_exits_2(
    tmp_path: Path, old: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["diff", str(old), str(tmp_path / "nowhere")])

    assert code == 2
    assert capsys.readouterr().err == (
        f"azru diff: {tmp_path / 'nowhere'} is neither a package folder (with datapackage.json) nor a zip\n"
    )


def test_a_descriptor_naming_half_a_surrogate_pair_exits_1(
    tmp_path: Path, old: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = write_package(tmp_path / "new", {"events": NEW_EVENTS, "tombstones": []})
    text = (new / "datapackage.json").read_text(encoding="utf-8")
    (new / "datapackage.json").write_text('{"x": "\\ud800",' + text[1:], encoding="utf-8")

    code = main(["diff", str(old), str(new)])

    assert code == 1
    assert capsys.readouterr().err == (
        f"azru diff: {new}: datapackage.json is not JSON in UTF-8 (\\ud800 is half of a surrogate pair without its "
        "other half, which no UTF-8 text can hold (line 1, column 8))\n"
    )
