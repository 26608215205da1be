"""`azru build`, `diff` and `new` on pull requests written to do harm: paths out of the package, symbolic
links, descriptors that validate but the release formats cannot hold, planted manifests, zip bombs, script
in URLs and labels. Each package is the repository's, copied and edited."""

import asyncio
import json
import shutil
import stat
import tempfile
import warnings
import zipfile
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from azru import diff, guarded, timeline
from azru.cli import main
from azru.release import build
from datasette.app import Datasette

REPO = Path(__file__).parents[1]
VERSION = json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))["version"]
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


def field(descriptor: Descriptor, table: str, name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(f for f in resource(descriptor, table)["schema"]["fields"] if f["name"] == name)
    return found


def rename_resource(descriptor: Descriptor, old: str, new: str) -> None:
    resource(descriptor, old)["name"] = new
    for other in descriptor["resources"]:
        for key in other["schema"].get("foreignKeys", []):
            if key["reference"].get("resource") == old:
                key["reference"]["resource"] = new


def drop_references(descriptor: Descriptor, table: str, target: str) -> None:
    schema = resource(descriptor, table)["schema"]
    schema["foreignKeys"] = [key for key in schema["foreignKeys"] if key["reference"]["resource"] != target]


def rename_column(path: Path, old: str, new: str) -> None:
    header, _, rows = path.read_text(encoding="utf-8").partition("\n")
    names = header.split(",")
    names[names.index(old)] = new
    path.write_text(",".join(names) + "\n" + rows, encoding="utf-8")


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


@pytest.mark.slow
def test_build_refuses_a_symlinked_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    package = copy_package(tmp_path / "package")
    (package / "data" / "events.csv").unlink()
    (package / "data" / "events.csv").symlink_to(outside(tmp_path, "events"))

    code, _, err = run(capsys, "build", str(package), "--out", str(tmp_path / "dist"))

    assert code == 1
    assert "file-not-regular: 'data/events.csv': events.csv is a symbolic link" in err


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


# --- 2. `azru build` validates first, and what validates can be built or is refused in words ---------


def test_build_refuses_an_invalid_package_with_validates_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    package = copy_package(tmp_path / "package", lambda d: field(d, "events", "summary").update(type="number"))
    invalid, findings, _ = run(capsys, "validate", str(package))

    code, out, err = run(capsys, "build", str(package), "--out", str(tmp_path / "dist"))

    assert (invalid, code, out) == (1, 1, "")
    assert err == f"{findings}azru build: {package} is not valid, so nothing was built\n"
    assert "datapackage.json: descriptor-not-conforming:" in err and "/schema/fields/" in err
    assert not (tmp_path / "dist").exists()


def test_build_takes_an_archive_like_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "build", str(REPO), "--out", str(tmp_path / "dist"), "--archive", str(tmp_path / "no"))

    assert code == 2
    assert err == f"azru build: archive {tmp_path / 'no'} is not a folder\n"


@pytest.mark.slow
def test_build_names_the_fields_and_names_it_needs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def change(d: Descriptor) -> None:
        del d["version"]
        field(d, "event_types", "label")["name"] = "title"

    package = copy_package(tmp_path / "package", change)
    rename_column(package / "data" / "codelists" / "event_types.csv", "label", "title")

    code, _, err = run(capsys, "build", str(package), "--out", str(tmp_path / "dist"))

    assert code == 1
    assert err == (
        "azru build: build needs a string field label in a table event_types; "
        "the descriptor needs a version (a string) to name the release files\n"
    )


@pytest.mark.slow
def test_build_refuses_names_that_clash_or_leave_the_output_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def change(d: Descriptor) -> None:
        d["name"] = "../escaped"
        rename_resource(d, "tombstones", "events_fts")
        rename_resource(d, "participants", "sqlite_participants")
        rename_resource(d, "instruments", "event_claims")
        rename_resource(d, "measures", "idx_claim_links_event_id")
        field(d, "events", "notes")["name"] = "date_lower"
        resource(d, "claim_statuses")["schema"]["primaryKey"] = ["label"]

    package = copy_package(tmp_path / "package", change)
    rename_column(package / "data" / "events.csv", "notes", "date_lower")

    code, _, err = run(capsys, "build", str(package), "--out", str(tmp_path / "dist"))

    assert code == 1
    for problem in [
        f"'../escaped-{VERSION}.zip' is not a plain file name",
        "'../escaped.db' is not a plain file name",
        "events would have two columns named date_lower",
        "claims.status: SQLite can enforce a foreign key only into the primary key of claim_statuses, not into code",
        "two objects in the database would be named events_fts ",
        "two objects in the database would be named event_claims ",
        "two objects in the database would be named idx_claim_links_event_id ",
        "SQLite keeps names starting sqlite_ to itself: sqlite_participants",
    ]:
        assert problem in err
    assert not (tmp_path / "escaped.db").exists() and not (tmp_path / "dist").exists()


@pytest.mark.slow
def test_what_validates_and_build_can_hold_is_built(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A licence with a path only, an event type no codelist row labels and a field in two foreign keys
    each crashed build."""

    def change(d: Descriptor) -> None:
        d["licenses"] = [{"path": "https://creativecommons.org/licenses/by/4.0/"}]
        drop_references(d, "events", "event_types")
        schema = resource(d, "participants")["schema"]
        schema["foreignKeys"].append(
            {"fields": ["event_id"], "reference": {"resource": "events", "fields": ["event_id"]}}
        )

    package = copy_package(tmp_path / "package", change)
    codelist = package / "data" / "codelists" / "event_types.csv"
    codelist.write_text(
        "".join(line for line in codelist.read_text(encoding="utf-8").splitlines(True) if not line.startswith("raid,")),
        encoding="utf-8",
    )

    code, _, err = run(capsys, "build", str(package), "--out", str(tmp_path / "dist"))

    assert code == 0, err
    timeline = (tmp_path / "dist" / "timeline.svg").read_text(encoding="utf-8")
    assert ">raid (2)</text>" in timeline
    metadata = json.loads((tmp_path / "dist" / "metadata.json").read_text(encoding="utf-8"))
    assert (metadata["license"], metadata["license_url"]) == ("", "https://creativecommons.org/licenses/by/4.0/")


def test_a_timeline_of_the_last_year_there_is() -> None:
    last = date(9999, 3, 1)
    svg = timeline.render([timeline.Point(last, last, "Raid")], ["Raid"], undated=0)
    assert ">9999</text>" in svg


def test_a_key_only_sqlite_would_check_is_refused_first(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """validate checks keys of one field; a composite key, which only SQLite would check, is refused."""

    def change(d: Descriptor) -> None:
        resource(d, "value_qualifiers")["schema"]["primaryKey"] = ["code", "label"]
        del field(d, "value_qualifiers", "code")["constraints"]["unique"]
        drop_references(d, "claims", "value_qualifiers")

    package = copy_package(tmp_path / "package", change)
    codelist = package / "data" / "codelists" / "value_qualifiers.csv"
    lines = codelist.read_text(encoding="utf-8").splitlines(True)
    codelist.write_text("".join([*lines, lines[1]]), encoding="utf-8")

    code, _, err = run(capsys, "build", str(package), "--out", str(tmp_path / "dist"))

    assert code == 1
    assert "keys of more than one field are not supported" in err
    assert not (tmp_path / "dist").exists()


# --- 3. a rebuild deletes only what a build writes, inside the output folder --------------------------


def test_a_planted_manifest_deletes_nothing_build_did_not_write(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    (out / "parquet").mkdir(parents=True)
    victims = [tmp_path / "victim", tmp_path / "victim.zip", out / "notes.txt", out / "parquet" / "notes.txt"]
    for victim in victims:
        victim.write_text("not built by azru", encoding="utf-8")
    listed = ["../victim", "../victim.zip", "parquet/../../victim", str(tmp_path / "victim"), "notes.txt"]
    (out / "SHA256SUMS").write_text(
        "".join(f"{'0' * 64}  {name}\n" for name in [*listed, "parquet/notes.txt"]), encoding="utf-8"
    )

    build(REPO, out)

    assert all(victim.read_text(encoding="utf-8") == "not built by azru" for victim in victims)


def test_links_in_the_output_folder_are_replaced_not_written_through(tmp_path: Path) -> None:
    out, elsewhere = tmp_path / "dist", tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "events.parquet").write_text("not built by azru", encoding="utf-8")
    (elsewhere / "bashrc").write_text("not built by azru", encoding="utf-8")
    out.mkdir()
    (out / "parquet").symlink_to(elsewhere)
    (out / "metadata.json").symlink_to(elsewhere / "bashrc")
    (out / "SHA256SUMS").symlink_to(elsewhere / "bashrc")

    build(REPO, out)

    assert sorted(p.name for p in elsewhere.iterdir()) == ["bashrc", "events.parquet"]
    assert {p.read_text(encoding="utf-8") for p in elsewhere.iterdir()} == {"not built by azru"}
    assert not any(p.is_symlink() for p in out.rglob("*"))
    assert (out / "parquet" / "events.parquet").is_file()


# --- 4. `azru diff` reads zips within bounds, and a missing file is an error --------------------------

Member = tuple[str | zipfile.ZipInfo, bytes]


def zip_of(package: Path, destination: Path, members: Sequence[Member] = ()) -> Path:
    """The package's descriptor and data as a zip, but for `members`, written last (a name may come twice)."""
    replaced = {name if isinstance(name, str) else name.filename for name, _ in members}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile's warning of a name written twice
        with zipfile.ZipFile(destination, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(package.rglob("*")):
                name = path.relative_to(package).as_posix()
                if path.is_file() and not name.startswith("schemas/") and name not in replaced:
                    archive.write(path, name)
            for member, data in members:
                archive.writestr(member, data)
    return destination


def member(name: str, mode: int = stat.S_IFREG | 0o644, method: int = zipfile.ZIP_DEFLATED) -> Member:
    info = zipfile.ZipInfo(name)
    info.create_system, info.external_attr, info.compress_type = 3, mode << 16, method
    return info, b"event_id\n"


@pytest.mark.parametrize(
    ("members", "problem"),
    [
        ([("data/events.csv", b"0" * 20 * guarded.MIB)], "member 'data/events.csv' unpacks to more than 200 times"),
        ([("notes/zeros.txt", b"0" * 20 * guarded.MIB)], "member 'notes/zeros.txt' unpacks to more than 200 times"),
        ([("../evil.csv", b"x")], "member '../evil.csv': empty, '.' and '..' components are not allowed"),
        ([member("data/events.csv", stat.S_IFLNK | 0o777)], "member 'data/events.csv' is a symbolic link"),
        ([("data/events.csv", b"a"), ("data/events.csv", b"b")], "a member name appears twice"),
        ([("data/events.csv", b"code,label\n")], "data/events.csv cannot be read (unable to find column"),
        ([member("data/events.csv", method=zipfile.ZIP_BZIP2)], "member 'data/events.csv' is encrypted or compressed"),
    ],
)
def test_a_zip_out_of_bounds_is_refused(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    members: list[Member],
    problem: str,
) -> None:
    package = copy_package(tmp_path / "package")
    archive = zip_of(package, tmp_path / "old.zip", members)
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))

    code, out, err = run(capsys, "diff", str(archive), str(package))

    assert (code, out) == (1, "")
    assert err.startswith(f"azru diff: {archive}: {problem}")
    assert not list((tmp_path / "tmp").iterdir())


def test_zip_bounds_count_members_declared_sizes_and_encryption() -> None:
    big = zipfile.ZipInfo("data/events.csv")
    big.file_size, big.compress_size = 3 * 1024 * guarded.MIB, 1024 * guarded.MIB
    many = [zipfile.ZipInfo(f"data/{n}.csv") for n in range(diff.MAX_MEMBERS + 1)]
    encrypted = zipfile.ZipInfo("data/events.csv")
    encrypted.flag_bits = 0x1  # zipfile writes no encrypted members, so this one is only described

    assert diff.zip_problem([big]) == "3,221,225,472 bytes unpacked, more than the limit of 2,147,483,648"
    assert diff.zip_problem(many) == "10,001 members, more than the limit of 10,000"
    assert diff.zip_problem([encrypted]) == (
        "member 'data/events.csv' is encrypted or compressed by a method other than deflate"
    )


@pytest.mark.parametrize("as_zip", [False, True])
def test_a_table_missing_from_a_version_is_an_error_not_all_rows_removed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], as_zip: bool
) -> None:
    old = copy_package(tmp_path / "old")
    (old / "data" / "events.csv").unlink()
    version = zip_of(old, tmp_path / "old.zip") if as_zip else old

    code, out, err = run(capsys, "diff", str(version), str(REPO))

    assert (code, out, err) == (1, "", f"azru diff: {version}: data/events.csv: events.csv does not exist\n")


def test_a_descriptor_that_is_not_json_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = copy_package(tmp_path / "old")
    (old / "datapackage.json").write_bytes(b"\xff{")

    code, out, err = run(capsys, "diff", str(old), str(REPO))

    assert (code, out) == (1, "")
    assert err.startswith(f"azru diff: {old}: datapackage.json is not JSON in UTF-8 (")


# --- 5. links are web addresses, and text reaches HTML and SVG escaped -----------------------------

SCRIPT = "<script>alert(document.domain)</script>"


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d["licenses"][0].update(path="javascript:alert(document.domain)"), "licenses/0/path"),
        (lambda d: d.update(homepage="data:text/html,<script>alert(1)</script>"), "homepage"),
    ],
)
def test_validate_refuses_a_link_that_is_not_a_web_address(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: Callable[[Descriptor], object], where: str
) -> None:
    package = copy_package(tmp_path / "package", change)

    code, out, _ = run(capsys, "validate", str(package), "--format", "json")

    (finding,) = [f for f in json.loads(out)["findings"] if f["level"] == "error"]
    assert (code, finding["code"], finding["file"]) == (1, "descriptor-not-conforming", "datapackage.json")
    assert finding["message"].startswith(f"{where}: ")


def test_build_links_only_a_web_address(tmp_path: Path) -> None:
    package = copy_package(tmp_path / "package", lambda d: d["licenses"][0].update(path="javascript:alert(1)"))

    build(package, tmp_path / "dist")  # without the validation `azru build` does first

    metadata = json.loads((tmp_path / "dist" / "metadata.json").read_text(encoding="utf-8"))
    assert (metadata["license"], metadata["license_url"]) == ("CC-BY-4.0", "")


async def datasette_page(database: Path, metadata: dict[str, Any], path: str) -> str:
    """A page served in-process (no network)."""
    ds = Datasette([str(database)], metadata=metadata)
    await ds.invoke_startup()
    response = await ds.client.get(path)
    assert response.status_code == 200, path
    return str(response.text)


def test_titles_descriptions_and_labels_reach_html_and_svg_escaped(tmp_path: Path) -> None:
    def change(d: Descriptor) -> None:
        d["title"] = d["description"] = SCRIPT
        resource(d, "event_types")["description"] = SCRIPT
        field(d, "event_types", "label")["description"] = SCRIPT

    package = copy_package(tmp_path / "package", change)
    codelist = package / "data" / "codelists" / "event_types.csv"
    codelist.write_text(codelist.read_text(encoding="utf-8").replace(",Statement,", f",{SCRIPT},"), encoding="utf-8")

    build(package, tmp_path / "dist")

    svg = (tmp_path / "dist" / "timeline.svg").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(document.domain)&lt;/script&gt; (" in svg and "<script" not in svg
    ElementTree.fromstring(svg)
    metadata = json.loads((tmp_path / "dist" / "metadata.json").read_text(encoding="utf-8"))
    database = tmp_path / "dist" / f"{next(iter(metadata['databases']))}.db"
    for path in ("/", f"/{database.stem}/event_types"):  # the package's, and a table's and its columns' notes
        html = asyncio.run(datasette_page(database, metadata, path))
        assert "&lt;script&gt;alert(document.domain)&lt;/script&gt;" in html and "<script>alert" not in html, path


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc, a folder nothing can be written in")
def test_an_output_folder_that_cannot_be_written_is_said_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    package = copy_package(tmp_path / "package")

    assert main(["build", str(package), "--out", "/proc/self"]) == 1
    assert capsys.readouterr().err.startswith(
        "azru build: cannot write the release into /proc/self: [Errno 2] No such file or directory: "
    )
