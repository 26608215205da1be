"""The contributor and release tooling works as documented: pre-commit hooks, the release scripts."""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from releases import Built

ROOT = Path(__file__).resolve().parents[1]
RELEASE_SCRIPTS = ROOT / ".github" / "scripts"
VERSION = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))["version"]


def run(*args: str | Path, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=600, env=env, check=False
    )


def test_every_pre_commit_hook_runs_a_make_target_that_exists() -> None:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    assert {hook["id"] for hook in hooks} == {"ruff", "mypy", "azru-validate"}
    for hook in hooks:
        command, flag, target = hook["entry"].split()
        assert (command, flag) == ("make", "-s")
        assert run("make", "-n", target).returncode == 0, f"hook {hook['id']}: no make target {target}"


@pytest.mark.slow
@pytest.mark.skipif(not (ROOT / ".git").exists(), reason="pre-commit needs a git checkout")
def test_pre_commit_hooks_pass_on_the_repository(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path),
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    }
    result = run(Path(sys.executable).parent / "pre-commit", "run", "--all-files", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("Passed") == 3, result.stdout


def test_check_version_agrees_with_the_files() -> None:
    result = run(sys.executable, RELEASE_SCRIPTS / "check-version", f"v{VERSION}")
    assert (result.returncode, result.stdout.strip()) == (0, VERSION), result.stderr


def test_check_version_names_each_file_that_disagrees() -> None:
    result = run(sys.executable, RELEASE_SCRIPTS / "check-version", "v9.9.9")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"check-version: tag v9.9.9 is version 9.9.9 but {name} says {VERSION}"
        for name in ("datapackage.json", "CITATION.cff", ".zenodo.json", "CHANGELOG.md (newest section)")
    ]


def test_release_notes_are_the_changelog_section() -> None:
    notes = run(sys.executable, RELEASE_SCRIPTS / "release-notes", f"v{VERSION}")
    assert notes.returncode == 0, notes.stderr
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert notes.stdout.strip() and notes.stdout.strip() in changelog


def test_release_notes_refuse_a_version_the_changelog_lacks() -> None:
    notes = run(sys.executable, RELEASE_SCRIPTS / "release-notes", "v9.9.9")
    assert notes.returncode != 0 and notes.stdout == ""
    assert notes.stderr.startswith("release-notes: ") and len(notes.stderr.splitlines()) == 1


def test_release_assets_are_the_files_sha256sums_lists(tmp_path: Path) -> None:
    (tmp_path / "parquet").mkdir()
    (tmp_path / "parquet" / "events.parquet").write_bytes(b"x")
    (tmp_path / "events.ndjson").write_bytes(b"")
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_bytes(b"<p>")
    digests = {
        "parquet/events.parquet": hashlib.sha256(b"x"),
        "events.ndjson": hashlib.sha256(b""),
        "site/index.html": hashlib.sha256(b"<p>"),
    }
    sums = "".join(f"{digest.hexdigest()}  {name}\n" for name, digest in digests.items())
    (tmp_path / "SHA256SUMS").write_text(sums, encoding="utf-8")
    listed = run(sys.executable, RELEASE_SCRIPTS / "release-assets", tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == [str(tmp_path / "parquet" / "events.parquet"), str(tmp_path / "SHA256SUMS")]
    assert "events.ndjson is empty" in listed.stderr


def test_release_assets_refuse_a_file_sha256sums_does_not_list(tmp_path: Path) -> None:
    (tmp_path / "SHA256SUMS").write_text("", encoding="utf-8")
    (tmp_path / "stray.csv").write_bytes(b"x")
    listed = run(sys.executable, RELEASE_SCRIPTS / "release-assets", tmp_path)
    assert listed.returncode != 0 and listed.stdout == ""
    assert "stray.csv" in listed.stderr


def test_a_tag_dry_run_gives_notes_and_the_built_files_as_assets(repository: Built) -> None:
    """What the release workflow does on a tag, minus the upload: check the version, write the notes, list
    the assets of a real build (every file SHA256SUMS lists outside the website, and SHA256SUMS last)."""
    assert run(sys.executable, RELEASE_SCRIPTS / "check-version", f"v{VERSION}").returncode == 0
    assert run(sys.executable, RELEASE_SCRIPTS / "release-notes", f"v{VERSION}").stdout.strip()
    listed = run(sys.executable, RELEASE_SCRIPTS / "release-assets", repository.out)
    assert listed.returncode == 0, listed.stderr
    manifest = (repository.out / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    expected = {name for _, name in (line.split("  ") for line in manifest) if not name.startswith("site/")}
    empty = {name for name in expected if (repository.out / name).stat().st_size == 0}
    attached = [Path(line).relative_to(repository.out).as_posix() for line in listed.stdout.splitlines()]
    assert attached[-1] == "SHA256SUMS" and set(attached[:-1]) == expected - empty
