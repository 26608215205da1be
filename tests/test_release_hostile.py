"""`azru build`, `diff` and `new` on pull requests written to do harm: paths out of the package, symbolic
links, descriptors that validate but the release formats cannot hold, planted manifests, zip bombs, script
in URLs and labels. Each package is the repository's, copied and edited."""

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from azru import guarded
from azru.build import build
from azru.cli import main

REPO = Path(__file__).parents[1]
Descriptor = dict[str, Any]


@pytest.fixture(autouse=True)
def no_archive_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """CI sets AZRU_ARCHIVE for the real package; these copies are checked without it."""
    monkeypatch.delenv("AZRU_ARCHIVE", raising=False)


def copy_package(root: Path, change: Callable[[Descriptor], object] = lambda _: None) -> Path:
    """The repository's descriptor, data and schemas in `root`, the descriptor changed by `change`."""
    shutil.copytree(REPO / "data", root / "data")
    shutil.copytree(REPO / "schemas", root / "schemas")
    descriptor = json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))
    change(descriptor)
    (root / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8")
    return root


def resource(descriptor: Descriptor, name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(r for r in descriptor["resources"] if r["name"] == name)
    return found


def outside(tmp_path: Path, table: str) -> Path:
    """A copy of a table's file beside the package, where no path in it may lead."""
    target = tmp_path / "outside" / f"{table}.csv"
    target.parent.mkdir(exist_ok=True)
    shutil.copy(REPO / "data" / f"{table}.csv", target)
    return target


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- 1. every file a package names is opened by azru.guarded ----------------------------------------


def test_build_never_reads_or_zips_a_path_outside(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outside(tmp_path, "events")
    package = copy_package(tmp_path / "package", lambda d: resource(d, "events").update(path="../outside/events.csv"))

    code, _, err = run(capsys, "build", str(package), "--out", str(tmp_path / "dist"))

    assert code == 1, err
    assert not list((tmp_path / "dist").glob("*.zip"))
    with pytest.raises(guarded.Refused, match=r"\.\./outside/events\.csv: "):
        build(package, tmp_path / "unchecked")  # without the validation `azru build` does first


def test_build_refuses_a_symlinked_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    package = copy_package(tmp_path / "package")
    (package / "data" / "events.csv").unlink()
    (package / "data" / "events.csv").symlink_to(outside(tmp_path, "events"))

    code, _, err = run(capsys, "build", str(package), "--out", str(tmp_path / "dist"))

    assert code == 1
    assert "data/events.csv: events.csv is a symbolic link" in err


def test_diff_never_prints_a_file_out_of_the_package(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    secret = outside(tmp_path, "events")
    secret.write_text("event_id\nevt-secret00001\n", encoding="utf-8")
    old = copy_package(tmp_path / "old")
    new = copy_package(tmp_path / "new", lambda d: resource(d, "events").update(path="../outside/events.csv"))

    code, out, err = run(capsys, "diff", str(old), str(new))

    assert (code, out) == (1, "")
    assert "../outside/events.csv: empty, '.' and '..' components are not allowed" in err


def test_new_never_appends_out_of_the_package(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    package = copy_package(tmp_path / "package", lambda d: resource(d, "events").update(path="../outside/new.csv"))

    code, out, _ = run(capsys, "new", "event", "--package", str(package), "--no-input")

    assert (code, out) == (1, "")
    assert not (tmp_path / "outside").exists()


def test_new_never_appends_to_a_symlinked_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    package = copy_package(tmp_path / "package")
    target = outside(tmp_path, "claims")
    before = target.read_bytes()
    (package / "data" / "claims.csv").unlink()
    (package / "data" / "claims.csv").symlink_to(target)

    code, out, err = run(capsys, "new", "claim", "--package", str(package), "--no-input")

    assert (code, out) == (1, "")
    assert "data/claims.csv: claims.csv is a symbolic link" in err
    assert target.read_bytes() == before


def test_new_for_an_id_reads_its_table_through_guarded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    package = copy_package(tmp_path / "package")
    (package / "data" / "events.csv").unlink()
    (package / "data" / "events.csv").symlink_to(outside(tmp_path, "events"))
    before = (package / "data" / "claims.csv").read_bytes()

    code, _, err = run(capsys, "new", "claim", "--for", "evt-0000000000", "--package", str(package), "--no-input")

    assert code == 1
    assert "data/events.csv: events.csv is a symbolic link" in err
    assert (package / "data" / "claims.csv").read_bytes() == before
