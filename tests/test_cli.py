"""The command line as a contributor meets it: exit codes, the three formats, pinned wording."""

import json
import os
import shutil
import subprocess
import sys
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest
from azru import exits
from azru import validate as validator
from azru.cli import main
from azru.package import load
from azru.validate import CHECKS, command
from azru.validate.rules import CLAIM_MISSING

ROOT = Path(__file__).resolve().parents[1]
BAD_EVENT = "evt-0000000000,raid,,2021-02-29,day,stated,,Baku,,AZ,town,Police raid an office.,false,\n"


@pytest.fixture(autouse=True)
def no_archive_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """CI sets AZRU_ARCHIVE for the real package; these fixtures have no archive."""
    monkeypatch.delenv("AZRU_ARCHIVE", raising=False)


@pytest.fixture
def empty_package(tmp_path: Path) -> Path:
    """The real descriptor and codelists with header-only tables: valid, and small."""
    shutil.copy(ROOT / "datapackage.json", tmp_path)
    shutil.copytree(ROOT / "data" / "codelists", tmp_path / "data" / "codelists")
    for table in load(ROOT).fact_tables:
        (tmp_path / table.path).write_text(",".join(table.field_names) + "\n", encoding="utf-8")
    return tmp_path


def with_bad_event(package: Path) -> Path:
    with open(package / "data" / "events.csv", "a", encoding="utf-8") as handle:
        handle.write(BAD_EVENT)
    return package


@pytest.mark.slow
def test_valid_package_exits_0_with_a_notice(empty_package: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(empty_package), "--trusted", str(ROOT)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "valid (1 notice)"


@pytest.mark.slow
def test_rules_from_the_package_itself_are_said_to_be_untrusted(
    empty_package: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(empty_package)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert (
        "datapackage.json: descriptor-not-trusted: the rules were read from the package itself, which a pull "
        "request can change (hint: in CI and reviews pass --trusted with the base branch (e.g. --trusted "
        "origin/main) or a trusted folder)"
    ) in out
    assert out[-1] == "valid (2 notices)"


@pytest.mark.slow
def test_text_format_pins_location_message_and_hint(empty_package: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(with_bad_event(empty_package)), "--trusted", str(ROOT)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert (
        "data/events.csv:2:4: edtf-invalid: date '2021-02-29' is not a valid EDTF date: 2021-02-29 is not a "
        "calendar day (hint: write e.g. 2024-12-25, 2017-05, 2025-06-27?, 2017-05/2017-06 or XXXX-03-20)" in out
    )
    assert (
        "data/events.csv:2:1: claim-missing: event_id 'evt-0000000000' has no claim (hint: add a claim with a "
        "verbatim quote: azru new claim --for evt-0000000000)" in out
    )
    assert out[-1] == "invalid: 2 errors in 1 file (claim-missing 1, edtf-invalid 1)"


@pytest.mark.slow
def test_json_format_has_every_field(empty_package: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(with_bad_event(empty_package)), "--trusted", str(ROOT), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["valid"] is False
    assert report["counts"] == {"claim-missing": 1, "edtf-invalid": 1, "quotes-not-verified": 1}
    first = report["findings"][0]
    assert set(first) == {"code", "level", "file", "line", "column", "field", "value", "message", "hint"}


@pytest.mark.slow
def test_github_format_annotates_the_line(empty_package: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(with_bad_event(empty_package)), "--trusted", str(ROOT), "--format", "github"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert (
        out[0] == "::notice file=datapackage.json,title=quotes-not-verified::no archive given: quotes, names and "
        "file hashes were not checked against the sources (hint: pass --archive DIR or set AZRU_ARCHIVE to the "
        "folder holding the source documents)"
    )
    assert "::error file=data/events.csv,line=2,col=4,title=edtf-invalid::" in out[2]


@pytest.mark.slow
def test_limit_per_code_counts_the_rest(empty_package: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = empty_package / "data" / "events.csv"
    with open(events, "a", encoding="utf-8") as handle:
        for n in range(5):
            handle.write(BAD_EVENT.replace("0000000000", f"000000000{n}"))
    assert main(["validate", str(empty_package), "--max-per-code", "2", "--trusted", str(ROOT)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert sum(" claim-missing: " in line for line in out) == 2
    assert out[-1].endswith(
        "; not shown: 3 more claim-missing, 3 more edtf-invalid (--max-per-code 0 lists up to 1000 of each)"
    )


@pytest.mark.slow
def test_a_table_no_check_reads_beyond_its_cells_is_valid(
    empty_package: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Fields no later check reads are dropped after the cell checks; a table keeps at least one."""
    (empty_package / "notes.csv").write_text("note,remark\nhello,there\n", encoding="utf-8")
    fields = [{"name": "note", "type": "string"}, {"name": "remark", "type": "string"}]
    descriptor = json.loads((empty_package / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"].append({"name": "notes", "path": "notes.csv", "schema": {"fields": fields}})
    (empty_package / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    assert main(["validate", str(empty_package)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "valid (2 notices)"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["validate", "/nonexistent/package"], "azru validate: /nonexistent/package is not a folder"),
        (["frobnicate"], "azru: unknown command 'frobnicate'"),
        (["build", "--out", ""], "azru build: error: argument --out: an empty path names no folder"),
        (["build", "--out", str(ROOT / "README.md")], f"error: argument --out: {ROOT / 'README.md'} is not a folder"),
        (["synth", "--events", "1", str(ROOT / "README.md")], f"argument OUT: {ROOT / 'README.md'} is not a folder"),
        (["validate", "--frobnicate"], "azru validate: error: unrecognized arguments: --frobnicate"),
    ],
)
def test_usage_errors_exit_2(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_a_bug_exits_3_and_asks_for_a_report(
    empty_package: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(command, "validate", broken)
    assert main(["validate", str(empty_package)]) == 3
    assert capsys.readouterr().err == "azru: internal error (RuntimeError: boom); please report it\n"


@pytest.mark.slow
def test_a_check_reading_a_field_it_does_not_declare_exits_3(
    empty_package: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The fields no check declares are dropped once a table's cells are checked, so such a check fails in
    the engine: a bug in azru, reported as one, not as a finding about the package."""
    forgetful = [replace(check, reads=frozenset()) if check.name == "translations" else check for check in CHECKS]
    monkeypatch.setattr(validator, "CHECKS", tuple(forgetful))
    assert main(["validate", str(empty_package)]) == 3
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("azru: internal error (InternalError: check translations: Binder Error: ")
    assert err.endswith("; please report it\n") and len(err.splitlines()) == 1


@pytest.mark.slow
def test_a_check_reporting_a_rule_it_does_not_declare_exits_3(
    empty_package: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    undeclared = [
        replace(check, emits=check.emits - {CLAIM_MISSING}) if check.name == "evidence" else check for check in CHECKS
    ]
    monkeypatch.setattr(validator, "CHECKS", tuple(undeclared))
    assert main(["validate", str(with_bad_event(empty_package))]) == 3
    out, err = capsys.readouterr()
    assert (out, err) == (
        "",
        "azru: internal error (InternalError: evidence reported claim-missing, a rule it does not declare); "
        "please report it\n",
    )


def test_version_is_the_one_in_pyproject(capsys: pytest.CaptureFixture[str]) -> None:
    """Read from the installed package's metadata: a stale install shows here."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"azru {project['version']}\n"


def test_missing_archive_folder_is_a_usage_error(empty_package: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(empty_package), "--archive", str(empty_package / "nope")]) == 2
    assert "is not a folder" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.parametrize(
    ("row", "message"),
    [
        ('"Raid"x', "text after a closing quote: 'x'"),
        ('Ra"id', "a quote inside a cell that does not start with a quote"),
        ('"Raid', "a quoted cell is never closed"),
    ],
)
def test_each_kind_of_broken_quoting_is_named(
    empty_package: Path, row: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with open(empty_package / "data" / "tombstones.csv", "a", encoding="utf-8") as handle:
        handle.write(f"evt-0000000000,events,merged,,0.1.0,{row}\n")
    assert main(["validate", str(empty_package), "--trusted", str(ROOT)]) == 1
    assert f"data/tombstones.csv:2: csv-quote-malformed: {message} (hint: quote a cell" in capsys.readouterr().out


@pytest.mark.slow
@pytest.mark.parametrize(
    ("event_type", "date", "expected"),
    [
        # a code with a no-break space: it fails its pattern, so every character rule is judged too
        ("\u00a0raid", "2021-02-28", {"pattern-mismatch", "whitespace-padding", "code-not-in-codelist"}),
        # a date (a valid EDTF negative year) that fits its pattern but starts like a formula
        ("raid", "-2021-02-28", {"formula-prefix"}),
    ],
)
def test_patterned_cells_get_every_character_rule(
    empty_package: Path, capsys: pytest.CaptureFixture[str], event_type: str, date: str, expected: set[str]
) -> None:
    row = BAD_EVENT.replace(",raid,,2021-02-29,", f",{event_type},,{date},")
    with open(empty_package / "data" / "events.csv", "a", encoding="utf-8") as handle:
        handle.write(row)
    assert main(["validate", str(empty_package), "--format", "json", "--trusted", str(ROOT)]) == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert {f["code"] for f in findings if f["line"] == 2 and f["column"] in (2, 4)} == expected


def test_a_reader_that_stops_early_is_not_an_internal_error(empty_package: Path) -> None:
    """`azru validate | head` may close the pipe before azru writes: exit as the shell expects, quietly."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before azru writes a byte
    try:
        azru = subprocess.run(
            [sys.executable, "-m", "azru.cli", "validate", str(empty_package)],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        )
    finally:
        os.close(write_end)
    assert (azru.returncode, azru.stderr) == (exits.STDOUT_CLOSED, "")
