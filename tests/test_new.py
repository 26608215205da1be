"""`azru new` as a contributor uses it, each test in its own copy of the repository's package."""

import csv
import importlib.util
import io
import re
import shutil
import threading
from pathlib import Path

import pytest
from azru.cli import main
from azru.package import load

REPO = Path(__file__).parents[1]
PACKAGE = load(REPO)
# The tables whose rows need a claim, and the claims column that points at them.
EVIDENCED = PACKAGE.claim_targets()
LINKS = "claim_links"
# Everything a contributor's clone has, less the environment, build output and benchmark data.
NOT_COPIED = shutil.ignore_patterns(
    ".venv", ".git", "dist", "work", "__pycache__", ".mypy_cache", ".ruff_cache", ".hypothesis"
)
VALIDATOR_MISSING = importlib.util.find_spec("azru.validate") is None


def copy_package(destination: Path) -> Path:
    shutil.copytree(REPO, destination, ignore=NOT_COPIED)
    return destination


@pytest.fixture
def package(tmp_path: Path) -> Path:
    return copy_package(tmp_path / "package")


def run_new(package: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["new", *args, "--package", str(package), "--no-input"])
    out, err = capsys.readouterr()
    return code, out, err


def scaffold(package: Path, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code, out, err = run_new(package, capsys, *args)
    assert code == 0, err
    return out.strip()


def table_path(package: Path, table: str) -> Path:
    return package / "data" / f"{table}.csv"


def read_rows(package: Path, table: str) -> list[dict[str, str]]:
    with open(table_path(package, table), encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def find_row(package: Path, table: str, row_id: str) -> dict[str, str]:
    (row,) = [row for row in read_rows(package, table) if next(iter(row.values())) == row_id]
    return row


def edit_row(package: Path, table: str, row_id: str, **values: str) -> None:
    """What a contributor does in a spreadsheet or editor: fill cells of the scaffolded row."""
    rows = read_rows(package, table)
    with open(table_path(package, table), "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows({**row, **values} if next(iter(row.values())) == row_id else row for row in rows)


def validate(package: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["validate", str(package)])
    out, err = capsys.readouterr()
    return code, out + err


@pytest.mark.slow
@pytest.mark.skipif(VALIDATOR_MISSING, reason="azru.validate is not written yet")
def test_contributor_adds_an_event_with_its_evidence(
    package: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The quote below is made up, so the archive's verbatim check stays off; it has its own tests.
    monkeypatch.delenv("AZRU_ARCHIVE", raising=False)
    assert validate(package, capsys)[0] == 0, "the repository's package must be valid to start with"

    code, out, err = run_new(
        package, capsys, "event", "--set", "event_type=statement", "--set", "country=AZ",
        "--set", "summary=The Ministry of Foreign Affairs of Azerbaijan issued a statement.",
    )  # fmt: skip
    event_id = out.strip()
    assert code == 0
    assert "still to fill in: location_precision\n" in err
    assert f"add its evidence: azru new claim --for {event_id}\n" in err
    edit_row(package, "events", event_id, location_precision="country")

    code, output = validate(package, capsys)
    assert code == 1
    assert any(
        "claim-missing" in line and f"event_id '{event_id}' has no claim" in line for line in output.splitlines()
    ), output

    source = read_rows(package, "sources")[0]
    claim_id = scaffold(
        package, capsys, "claim", "--for", event_id, "--set", f"source_id={source['source_id']}",
        "--set", "quote=The ministry issued a statement.",
        "--set", "quote_en=The ministry issued a statement.", "--set", "status=reported",
    )  # fmt: skip
    assert [row["event_id"] for row in read_rows(package, LINKS) if row["claim_id"] == claim_id] == [event_id]
    assert validate(package, capsys)[0] == 0


def test_scaffold_fills_only_safe_defaults(package: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_new(package, capsys, "events")
    event_id = out.strip()

    assert code == 0
    assert re.fullmatch(r"evt-[0-9a-hjkmnp-tv-z]{10}", event_id)
    row = find_row(package, "events", event_id)
    assert (row["sensitive"], row["date_precision"], row["date_basis"], row["location_precision"]) == (
        "false", "unknown", "unknown", "unknown",
    )  # fmt: skip
    assert "still to fill in: event_type, summary\n" in err


def test_a_given_date_leaves_its_precision_and_basis_to_the_contributor(
    package: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    event_id = scaffold(package, capsys, "events", "--set", "date=2024-12-25", "--set", "place=Aktau")
    row = find_row(package, "events", event_id)

    assert (row["date"], row["date_precision"], row["date_basis"], row["location_precision"]) == (
        "2024-12-25", "", "", "",
    )  # fmt: skip


def test_appending_leaves_every_existing_byte_in_place(package: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = table_path(package, "actors").read_bytes()
    awkward = 'Baku, "Sputnik Azerbaijan" office'

    actor_id = scaffold(package, capsys, "actor", "--set", f"description={awkward}")
    after = table_path(package, "actors").read_bytes()

    assert after.startswith(before)
    assert after.count(b"\n") == before.count(b"\n") + 1
    assert find_row(package, "actors", actor_id)["description"] == awkward


def test_a_missing_final_newline_is_added_before_the_new_row(package: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = table_path(package, "sources")
    path.write_bytes(path.read_bytes().rstrip(b"\n"))
    before = read_rows(package, "sources")

    source_id = scaffold(package, capsys, "sources")

    assert read_rows(package, "sources") == [*before, find_row(package, "sources", source_id)]
    assert path.read_bytes().endswith(b"\n")


@pytest.mark.parametrize(("table", "column"), EVIDENCED.items())
def test_claim_for_an_id_is_linked_to_it_by_the_column_its_prefix_names(
    package: Path, capsys: pytest.CaptureFixture[str], table: str, column: str
) -> None:
    target_id = scaffold(package, capsys, table)

    claim_id = scaffold(package, capsys, "claim", "--for", target_id)

    (link,) = [row for row in read_rows(package, LINKS) if row["claim_id"] == claim_id]
    assert {name: link[name] for name in EVIDENCED.values()} == {
        name: target_id if name == column else "" for name in EVIDENCED.values()
    }


def test_a_link_for_a_claim_names_the_claim(package: Path, capsys: pytest.CaptureFixture[str]) -> None:
    claim_id = scaffold(package, capsys, "claim")

    link_id = scaffold(package, capsys, "link", "--for", claim_id)

    assert find_row(package, LINKS, link_id)["claim_id"] == claim_id


def test_a_claim_without_target_says_how_to_link_it(package: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_new(package, capsys, "claim")

    assert code == 0
    assert f"azru new link --for {out.strip()} --set FIELD=ID" in err
    assert f"(FIELD one of {', '.join(EVIDENCED.values())})" in err


@pytest.mark.slow
def test_two_pull_requests_scaffolding_at_once_never_collide(tmp_path: Path) -> None:
    branches = [copy_package(tmp_path / "a"), copy_package(tmp_path / "b")]
    existing = {row["event_id"] for row in read_rows(branches[0], "events")}
    per_branch = 200

    def contribute(branch: Path) -> None:
        for _ in range(per_branch):
            main(["new", "events", "--package", str(branch), "--no-input"])

    threads = [threading.Thread(target=contribute, args=(branch,)) for branch in branches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    merged = [row["event_id"] for branch in branches for row in read_rows(branch, "events")]
    new_ids = [event_id for event_id in merged if event_id not in existing]
    assert len(new_ids) == len(set(new_ids)) == 2 * per_branch


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["bogus"], f"unknown table 'bogus'; expected one of: {', '.join(t.name for t in PACKAGE.id_tables())}"),
        (["events", "--set", "colour=red"], "events has no field 'colour'; fields: event_id, event_type,"),
        (["events", "--set", "summary"], "--set expects FIELD=VALUE, not 'summary'"),
        (["events", "--set", "event_id=evt-0000000000"], "event_id is made by azru new and cannot be set"),
        (
            ["claim", "--for", "xyz-0000000000"],
            "--for xyz-0000000000: unknown id prefix; expected one of: src-,",
        ),
        (["claim", "--for", "evt-0000000000"], "--for evt-0000000000: no such row in data/events.csv"),
        (["sources", "--for", "evt-0000000000"], "--for evt-0000000000: a sources row cannot point at"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    package: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    before = {path: path.read_bytes() for path in (package / "data").glob("*.csv")}

    code, out, err = run_new(package, capsys, *args)

    assert (code, out) == (2, "")
    assert err.startswith(f"azru new: {message}")
    assert err.count("\n") == 1
    assert {path: path.read_bytes() for path in before} == before


def test_unknown_table_message_is_pinned(package: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_new(package, capsys, "bogus")[1:] == (
        "",
        "azru new: unknown table 'bogus'; expected one of: sources, actors, actor_names, events, "
        "participants, detentions, diplomatic_summons, claims, claim_links, cases, places\n",
    )


class Terminal(io.StringIO):
    """Typed answers, one a line, on what looks like a terminal."""

    def isatty(self) -> bool:
        return True


def test_terminal_prompts_show_descriptions_and_codes_and_reject_unknown_codes(
    package: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = [
        "not-a-code", "statement",  # event_type, asked again after an unknown code
        "",  # date
        "",  # date_precision: takes the default
        "",  # date_basis: takes the default
        "Baku",  # place
        "AZ",  # country
        "town",  # location_precision
        "The ministry issued a statement.",  # summary
        "",  # sensitive: takes the default
    ]  # fmt: skip
    monkeypatch.setattr("sys.stdin", Terminal("\n".join(answers) + "\n"))

    code = main(["new", "events", "--package", str(package)])
    out, err = capsys.readouterr()

    assert code == 0
    assert re.fullmatch(r"evt-[0-9a-hjkmnp-tv-z]{10}\n", out)
    assert "event_type: Kind of event (codelist `event_types`" in err
    assert "  codes: armed-attack, aircraft-crash, death," in err
    assert "  'not-a-code' is not one of the codes above\n" in err
    assert "date_precision [unknown]: " in err
    row = find_row(package, "events", out.strip())
    assert {k: row[k] for k in ("event_type", "date", "date_precision", "place", "location_precision")} == {
        "event_type": "statement",
        "date": "",
        "date_precision": "unknown",
        "place": "Baku",
        "location_precision": "town",
    }
    assert (row["summary"], row["sensitive"]) == ("The ministry issued a statement.", "false")
