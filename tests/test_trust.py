"""The package under review cannot weaken, blind or turn the validator: each attack of issue 12, as a
hostile pull request would make it, ends in a located finding (exit 1) or a usage error (exit 2), reads
nothing outside the package or the archive, and finishes in seconds."""

import csv
import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from azru.cli import main
from azru.validate import descriptor, load, validate

ROOT = Path(__file__).resolve().parents[1]
SEEDS = Path(os.environ["AZRU_ARCHIVE"]) if os.environ.get("AZRU_ARCHIVE") else None
SECRET = "AZRU_TEST_SECRET=hunter2"


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """A copy of the repository's package, as a pull request would send it."""
    root = tmp_path / "package"
    root.mkdir()
    shutil.copy(ROOT / "datapackage.json", root)
    shutil.copytree(ROOT / "data", root / "data")
    return root


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """A copy of the source archive (the seeds), so a test may plant files in it."""
    if SEEDS is None:
        pytest.skip("AZRU_ARCHIVE is not set")
    folder = tmp_path / "archive"
    shutil.copytree(SEEDS, folder)
    return folder


def edit_descriptor(root: Path, change: Callable[[dict[str, Any]], object]) -> None:
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    change(descriptor)
    (root / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False, indent=1), encoding="utf-8")


def resource(descriptor: dict[str, Any], name: str) -> dict[str, Any]:
    return next(r for r in descriptor["resources"] if r["name"] == name)


def field(descriptor: dict[str, Any], table: str, name: str) -> dict[str, Any]:
    return next(f for f in resource(descriptor, table)["schema"]["fields"] if f["name"] == name)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any], float]:
    started = time.perf_counter()
    code = main(["validate", *argv, "--format", "json", "--max-per-code", "0"])
    elapsed = time.perf_counter() - started
    out = capsys.readouterr().out
    return code, json.loads(out) if out.startswith("{") else {"counts": {}, "findings": [], "raw": out}, elapsed


def codes(report: dict[str, Any]) -> set[str]:
    return set(report["counts"])


@pytest.mark.slow
def test_a_table_linked_to_a_file_outside_is_not_read(package: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (package / "data" / "tombstones.csv").unlink()
    (package / "data" / "tombstones.csv").symlink_to("/etc/passwd")
    code, report, _ = run(capsys, str(package))
    assert code == 1, report
    assert any(f["code"] == "file-not-regular" and f["value"] == "data/tombstones.csv" for f in report["findings"])
    assert "root:" not in json.dumps(report)


@pytest.mark.slow
def test_a_folder_linked_outside_is_not_followed(package: Path, capsys: pytest.CaptureFixture[str]) -> None:
    codelists = package / "data" / "codelists"
    codelists.rename(package / "elsewhere")
    codelists.symlink_to(package / "elsewhere")
    code, report, _ = run(capsys, str(package))
    assert code == 1
    refused = [f for f in report["findings"] if f["code"] == "file-not-regular"]
    assert refused and all("codelists is a symbolic link" in f["message"] for f in refused)


@pytest.mark.slow
def test_the_archive_reader_takes_no_path_from_the_package(
    package: Path, archive: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file_name of /proc/self/environ and quotes guessing at it verify nothing and leak nothing."""
    monkeypatch.setenv(*SECRET.split("=", 1))
    edit_descriptor(package, lambda d: field(d, "sources", "file_name")["constraints"].update(pattern="^.*$"))
    sources = (package / "data" / "sources.csv").read_text(encoding="utf-8")
    first = sources.splitlines()[1].split(",")[1]
    (package / "data" / "sources.csv").write_text(sources.replace(first, "/proc/self/environ", 1), encoding="utf-8")
    code, report, elapsed = run(capsys, str(package), "--archive", str(archive), "--trusted", str(ROOT))
    assert code == 1
    assert {"descriptor-weakened", "pattern-mismatch", "archive-file-refused"} <= codes(report)
    assert "hunter2" not in json.dumps(report)
    assert elapsed < 30


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["symlink", "fifo"])
def test_archive_members_that_are_links_or_fifos_are_refused(
    package: Path, archive: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    name = sorted(p.name for p in archive.iterdir())[0]
    (archive / name).unlink()
    if kind == "symlink":
        (archive / name).symlink_to(SEEDS / name)  # type: ignore[operator]
    else:
        os.mkfifo(archive / name)
    code, report, elapsed = run(capsys, str(package), "--archive", str(archive))
    assert code == 1
    assert [f["value"] for f in report["findings"] if f["code"] == "archive-file-refused"] == [name], report
    assert elapsed < 30


def without(table: str) -> Callable[[dict[str, Any]], object]:
    def change(descriptor: dict[str, Any]) -> None:
        descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] != table]
        for other in descriptor["resources"]:
            keys = other["schema"].get("foreignKeys", [])
            other["schema"]["foreignKeys"] = [k for k in keys if k["reference"].get("resource") != table]

    return change


@pytest.mark.slow
@pytest.mark.parametrize("table", ["claims", "sources"])
def test_deleting_an_evidence_table_breaks_the_evidence_model(
    package: Path, capsys: pytest.CaptureFixture[str], table: str
) -> None:
    edit_descriptor(package, without(table))
    (package / "data" / f"{table}.csv").unlink()
    code, report, _ = run(capsys, str(package))
    assert code == 1
    broken = [f["message"] for f in report["findings"] if f["code"] == "invariant-broken"]
    assert f"{table}: the resource is missing" in broken


@pytest.mark.slow
def test_without_sources_an_invented_quote_is_not_verified(
    package: Path, archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit_descriptor(package, without("sources"))
    (package / "data" / "sources.csv").unlink()
    claims = package / "data" / "claims.csv"
    lines = claims.read_text(encoding="utf-8").splitlines(keepends=True)
    cells = lines[1].split(",")
    lines[1] = ",".join([*cells[:6], "An invented sentence no source holds", *cells[7:]])
    claims.write_text("".join(lines), encoding="utf-8")
    code, report, _ = run(capsys, str(package), "--archive", str(archive))
    assert code == 1
    assert {"invariant-broken", "quotes-not-verified"} <= codes(report)


DESCRIPTOR_ATTACKS: dict[str, tuple[Callable[[dict[str, Any]], object], str]] = {
    "composite primary key": (
        lambda d: resource(d, "participants")["schema"].update(primaryKey=["participant_id", "role"]),
        "keys of more than one field are not supported",
    ),
    "integer as number": (
        lambda d: field(d, "sources", "bytes").update(type="number"),
        '"number" is not one of string, integer, boolean',
    ),
    "formula as a true value": (
        lambda d: field(d, "claims", "sensitive").update(trueValues=["=cmd|calc!A1"]),
        "does not have the accepted form",
    ),
    "glob in a path": (
        lambda d: resource(d, "instruments").update(path="data/codelists/[i]nstruments.csv"),
        "may hold only letters, digits",
    ),
    "licence as javascript": (
        lambda d: d["licenses"][0].update(path="javascript:alert(document.domain)"),
        "does not have the accepted form",
    ),
    "a dialect azru does not read": (
        lambda d: resource(d, "events").update(dialect={"delimiter": ";"}),
        'is not supported; azru reads only ","',
    ),
    "a constraint azru does not check": (
        lambda d: field(d, "events", "summary")["constraints"].update(enum=["x"]),
        "azru does not check these",
    ),
    "a path outside the package": (
        lambda d: resource(d, "instruments").update(path="../../../../../../etc/group"),
        "no absolute paths",
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("trusted", [False, True], ids=["own rules", "trusted rules"])
@pytest.mark.parametrize("attack", sorted(DESCRIPTOR_ATTACKS))
def test_a_descriptor_azru_cannot_check_fully_is_refused(
    package: Path, capsys: pytest.CaptureFixture[str], attack: str, trusted: bool
) -> None:
    """Refused by its own shape; with trusted rules, also reported as a change a maintainer must accept."""
    change, message = DESCRIPTOR_ATTACKS[attack]
    edit_descriptor(package, change)
    code, report, _ = run(capsys, str(package), *(["--trusted", str(ROOT / "datapackage.json")] if trusted else []))
    assert code == 1
    assert any(message in f["message"] for f in report["findings"]), report["findings"]
    assert "root:" not in json.dumps(report)
    assert not trusted or {"descriptor-weakened", "descriptor-changed"} & codes(report)


@pytest.mark.slow
def test_a_removed_foreign_key_is_a_weakening(package: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit_descriptor(package, lambda d: resource(d, "participants")["schema"].update(foreignKeys=[]))
    code, report, _ = run(capsys, str(package), "--trusted", str(ROOT))
    assert code == 1
    weakened = [f["message"] for f in report["findings"] if f["code"] == "descriptor-weakened"]
    assert any(m.startswith("participants/foreignKeys: ") and "removed" in m for m in weakened)


def test_repeated_json_keys_are_refused(package: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (package / "datapackage.json").read_text(encoding="utf-8")
    (package / "datapackage.json").write_text(text.replace('"name": ', '"name": "x", "name": ', 1), encoding="utf-8")
    code, report, _ = run(capsys, str(package))
    assert code == 1
    assert report["findings"][0]["message"] == "not valid JSON: the key 'name' appears twice"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("NaN", "not valid JSON: NaN is not a JSON value"),
        ("-Infinity", "not valid JSON: -Infinity is not a JSON value"),
        ("1e999", "not valid JSON: 1e999 is too large to be read as a number"),
        ("7" * 4301, "not valid JSON: an integer of 4301 digits, more than 4300"),
        (
            '"0.2\\ud800"',
            "not valid JSON: \\ud800 is half of a surrogate pair without its other half, which no UTF-8 text can hold",
        ),
        (
            '"0.2\\udc00\\ud83d"',
            "not valid JSON: \\udc00 is half of a surrogate pair without its other half, which no UTF-8 text can hold",
        ),
    ],
)
def test_what_json_cannot_hold_is_refused_where_it_stands(
    package: Path, capsys: pytest.CaptureFixture[str], value: str, message: str
) -> None:
    """Python's json reads these, but the release could not write them back (as JSON, or as UTF-8)."""
    text = (package / "datapackage.json").read_text(encoding="utf-8")
    head, key, tail = text.partition('"version": ')
    _, comma, rest = tail.partition(",")
    (package / "datapackage.json").write_text(head + key + value + comma + rest, encoding="utf-8")
    at = head + key + value[: max(value.find("\\u"), 0)]  # where the finding points: the value or its escape
    code, report, _ = run(capsys, str(package))
    assert code == 1
    (finding,) = [f for f in report["findings"] if f["code"] == "descriptor-invalid-json"]
    assert (finding["message"], finding["line"], finding["column"]) == (
        message,
        at.count("\n") + 1,
        len(at) - at.rfind("\n"),
    )


def test_a_surrogate_pair_spelt_as_escapes_is_one_character(package: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (package / "datapackage.json").read_text(encoding="utf-8")
    (package / "datapackage.json").write_text(
        text.replace('"title": "', '"title": "\\ud83d\\ude00 ', 1), encoding="utf-8"
    )
    _, report, _ = run(capsys, str(package))
    assert "descriptor-invalid-json" not in codes(report)


def git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True)


@pytest.mark.slow
def test_trusted_git_revision_is_the_base_branch(package: Path, capsys: pytest.CaptureFixture[str]) -> None:
    git(package, "init", "-q")
    git(package, "-c", "user.name=t", "-c", "user.email=t@t", "add", ".")
    git(package, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base")
    edit_descriptor(package, lambda d: field(d, "events", "summary")["constraints"].pop("required"))
    with open(package / "data" / "codelists" / "instruments.csv", "a", encoding="utf-8") as handle:
        handle.write("carrier-pigeon,Carrier pigeon,A bird.,\n")
    code, report, _ = run(capsys, str(package), "--trusted", "HEAD")
    assert code == 1
    assert [f["message"] for f in report["findings"] if f["code"] == "descriptor-weakened"] == [
        "events.summary: required true became null, which lets through values the trusted rules refuse"
    ]
    added = [f for f in report["findings"] if f["code"] == "codelist-code-added"]
    assert [(f["file"], f["value"]) for f in added] == [("data/codelists/instruments.csv", "carrier-pigeon")]


@pytest.mark.parametrize("spec", ["no-such-branch", "--upload-pack=evil", "a b"])
def test_an_unusable_trusted_copy_is_a_usage_error(
    package: Path, capsys: pytest.CaptureFixture[str], spec: str
) -> None:
    git(package, "init", "-q")
    assert main(["validate", str(package), f"--trusted={spec}"]) == 2
    assert capsys.readouterr().err.startswith("azru validate: ")


@pytest.mark.slow
def test_clean_tables_take_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """DuckDB's reader is allowed the opened files (and nothing else): a clean package never needs
    the exact tokenizer, so a sandbox too tight for DuckDB cannot hide behind the slow path."""

    def refuse(*args: object) -> None:
        raise AssertionError(f"the exact tokenizer read {args[3]}")

    monkeypatch.setattr(load, "load_exact", refuse)
    assert validate(ROOT).counts == {"descriptor-not-trusted": 1, "quotes-not-verified": 1}


def seconds(root: Path) -> float:
    """CPU time of a validation (every thread's), steadier than the wall clock on a busy machine."""
    started = time.process_time()
    validate(root)
    return time.process_time() - started


@pytest.mark.slow
def test_a_flood_of_empty_rows_is_counted_not_kept(package: Path) -> None:
    """30 MB of `,,,,,` rows once took 8.1 GB: every finding was kept. Now 1,000 of a code are kept,
    the rest counted in SQL, and doubling the rows at most roughly doubles the time past the baseline."""
    baseline = seconds(package)
    tombstones = (package / "data" / "tombstones.csv").read_bytes()

    def flood(rows: int) -> float:
        (package / "data" / "tombstones.csv").write_bytes(tombstones + b",,,,,\n" * rows)
        return seconds(package) - baseline

    once, twice = flood(400_000), flood(800_000)
    report = validate(package)
    assert report.counts["required-missing"] == 800_000 * 5
    assert len([f for f in report.findings if f.code == "required-missing"]) == 1000
    assert twice < 40 and twice < 3 * max(once, 0.5) + 0.5, (once, twice)


# --- the domain facts (azru: properties) -------------------------------------------------------------


def rewrite_cell(root: Path, table: str, row_id: str, name: str, value: str) -> None:
    path = root / "data" / f"{table}.csv"
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows({**row, name: value} if next(iter(row.values())) == row_id else row for row in rows)


def first_id(root: Path, table: str) -> str:
    with open(root / "data" / f"{table}.csv", encoding="utf-8", newline="") as handle:
        return next(iter(next(csv.DictReader(handle)).values()))


def messages(report: dict[str, Any], code: str) -> list[str]:
    return [f["message"] for f in report["findings"] if f["code"] == code]


@pytest.mark.slow
def test_switching_evidence_off_is_a_weakening_and_the_trusted_rules_still_ask_for_it(
    package: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A pull request that drops `azru:evidenced` to add an event without a claim gets neither."""
    edit_descriptor(package, lambda d: resource(d, "events").pop("azru:evidenced"))
    event_id = first_id(package, "events")
    links = (package / "data" / "claim_links.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (package / "data" / "claim_links.csv").write_text("".join(c for c in links if event_id not in c), encoding="utf-8")
    code, report, _ = run(capsys, str(package), "--trusted", str(ROOT))
    assert code == 1
    assert messages(report, "descriptor-weakened") == [
        "events: azru:evidenced true became null, which lets through values the trusted rules refuse"
    ]
    assert any(f["value"] == event_id for f in report["findings"] if f["code"] == "claim-missing")


@pytest.mark.slow
def test_switching_a_date_check_off_is_a_weakening_and_the_trusted_rules_still_check_it(
    package: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit_descriptor(package, lambda d: field(d, "events", "date").pop("azru:edtf"))
    event_id = first_id(package, "events")
    rewrite_cell(package, "events", event_id, "date", "2024-13-45")
    code, report, _ = run(capsys, str(package), "--trusted", str(ROOT))
    assert code == 1
    assert messages(report, "descriptor-weakened") == [
        "events.date: azru:edtf true became null, which lets through values the trusted rules refuse"
    ]
    assert [f["value"] for f in report["findings"] if f["code"] == "edtf-invalid"] == ["2024-13-45"]


@pytest.mark.slow
def test_deleting_an_evidenced_table_is_a_weakening_and_its_file_is_still_required(
    package: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit_descriptor(package, without("events"))
    (package / "data" / "events.csv").unlink()
    code, report, _ = run(capsys, str(package), "--trusted", str(ROOT))
    assert code == 1
    assert "events: resource removed, which lets through values the trusted rules refuse" in messages(
        report, "descriptor-weakened"
    )
    assert any(f["value"] == "data/events.csv" for f in report["findings"] if f["code"] == "resource-file-missing")


def trusted_descriptor() -> dict[str, Any]:
    descriptor: dict[str, Any] = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    return descriptor


def changes_made_by(change: Callable[[dict[str, Any]], object]) -> list[tuple[str, str]]:
    proposed = trusted_descriptor()
    change(proposed)
    return [(f.code, f.message) for f in descriptor.changes(trusted_descriptor(), proposed)]


DOMAIN_CHANGES: dict[str, tuple[Callable[[dict[str, Any]], object], str, str]] = {
    "prefix changed": (
        lambda d: resource(d, "events").update({"azru:idPrefix": "eve"}),
        "descriptor-changed",
        'events: azru:idPrefix "evt" became "eve"',
    ),
    "prefix removed": (
        lambda d: resource(d, "events").pop("azru:idPrefix"),
        "descriptor-changed",
        'events: azru:idPrefix "evt" became null',
    ),
    "singular changed": (
        lambda d: resource(d, "events").update({"azru:singular": "happening"}),
        "descriptor-changed",
        'events: azru:singular "event" became "happening"',
    ),
    "evidence switched on": (
        lambda d: resource(d, "participants").update({"azru:evidenced": True}),
        "descriptor-changed",
        "participants: azru:evidenced null became true",
    ),
    "evidence set to false": (
        lambda d: resource(d, "actors").update({"azru:evidenced": False}),
        "descriptor-weakened",
        "actors: azru:evidenced true became false, which lets through values the trusted rules refuse",
    ),
    "a field made EDTF": (
        lambda d: field(d, "events", "date_note").update({"azru:edtf": True}),
        "descriptor-changed",
        "events.date_note: azru:edtf null became true",
    ),
    "EDTF switched off": (
        lambda d: field(d, "sources", "published").pop("azru:edtf"),
        "descriptor-weakened",
        "sources.published: azru:edtf true became null, which lets through values the trusted rules refuse",
    ),
    "a field no longer searchable": (
        lambda d: field(d, "claims", "quote").pop("azru:searchable"),
        "descriptor-changed",
        "claims.quote: azru:searchable true became null",
    ),
}


@pytest.mark.parametrize("change", sorted(DOMAIN_CHANGES))
def test_a_domain_fact_switched_off_is_a_weakening_any_other_change_a_notice(change: str) -> None:
    edit, code, message = DOMAIN_CHANGES[change]
    assert changes_made_by(edit) == [(code, message)]


DOMAIN_SHAPES: dict[str, tuple[Callable[[dict[str, Any]], object], str]] = {
    "evidenced as a word": (
        lambda d: resource(d, "events").update({"azru:evidenced": "yes"}),
        "resources/3/azru:evidenced: 'yes' is not of type 'boolean'",
    ),
    "a prefix with a dash": (
        lambda d: resource(d, "events").update({"azru:idPrefix": "ev-t"}),
        'resources/3/azru:idPrefix: "ev-t" does not have the accepted form',
    ),
    "a singular with a space": (
        lambda d: resource(d, "events").update({"azru:singular": "an event"}),
        'resources/3/azru:singular: "an event" does not have the accepted form',
    ),
    "EDTF as a number": (
        lambda d: field(d, "events", "date").update({"azru:edtf": 1}),
        "resources/3/schema/fields/3/azru:edtf: 1 is not of type 'boolean'",
    ),
    "a misspelt property": (
        lambda d: resource(d, "events").update({"azru:evidence": True}),
        "resources/3/azru:evidence: azru has no such property; it reads azru:idPrefix, azru:singular, "
        "azru:evidenced here",
    ),
    "a field property on a resource": (
        lambda d: resource(d, "events").update({"azru:edtf": True}),
        "resources/3/azru:edtf: azru has no such property",
    ),
    "a prefix twice": (
        lambda d: resource(d, "detentions").update({"azru:idPrefix": "evt"}),
        "resources/5/azru:idPrefix: the resource 'events' has 'evt' already",
    ),
    "a singular twice": (
        lambda d: resource(d, "detentions").update({"azru:singular": "event"}),
        "resources/5/azru:singular: the resource 'events' has 'event' already",
    ),
    "an integer field as a date": (
        lambda d: field(d, "sources", "bytes").update({"azru:edtf": True}),
        "resources/0/schema/fields/13/azru:edtf: only a string field can have it",
    ),
    "made ids without a key": (
        lambda d: resource(d, "events")["schema"].pop("primaryKey"),
        "resources/3/azru:idPrefix: made ids need a primaryKey to hold them",
    ),
}


@pytest.mark.parametrize("attack", sorted(DOMAIN_SHAPES))
def test_a_domain_fact_of_the_wrong_shape_is_refused(attack: str) -> None:
    change, message = DOMAIN_SHAPES[attack]
    proposed = trusted_descriptor()
    change(proposed)
    found = [f.message for f in descriptor.problems(proposed) if f.code == "descriptor-not-conforming"]
    assert any(m.startswith(message) for m in found), found


@pytest.mark.parametrize(
    ("change", "where", "error"),
    [
        (
            lambda d: resource(d, "participants").update({"azru:evidenced": True}),
            "claim_links.participant_id",
            "no foreign key into participants.participant_id",
        ),
        (
            lambda d: resource(d, "claim_links")["schema"]["foreignKeys"].pop(1),
            "claim_links.event_id",
            "no foreign key into events.event_id",
        ),
        (
            lambda d: resource(d, "claim_links")["schema"]["foreignKeys"].pop(0),
            "claims",
            "no resource has a foreign key claim_id -> claims.claim_id to link claims to rows",
        ),
        (
            lambda d: resource(d, "claim_links")["schema"]["fields"][1]["constraints"].pop("required"),
            "claim_links.claim_id",
            "the field is not required, so a link could name no claim",
        ),
        (
            lambda d: resource(d, "events")["schema"].pop("primaryKey"),
            "events",
            "a resource with azru:evidenced needs a primaryKey for claims to point at",
        ),
        (
            lambda d: [r.pop("azru:evidenced", None) for r in d["resources"]],
            "claims",
            "no resource has azru:evidenced, so claims would support nothing",
        ),
    ],
    ids=[
        "a new evidenced table",
        "a link key removed",
        "no link table",
        "a link without a claim",
        "no key to point at",
        "nothing evidenced",
    ],
)
def test_claims_must_be_able_to_point_at_every_evidenced_table(
    change: Callable[[dict[str, Any]], object], where: str, error: str
) -> None:
    proposed = trusted_descriptor()
    change(proposed)
    assert [f.message for f in descriptor.invariant_findings(proposed)] == [f"{where}: {error}"]
