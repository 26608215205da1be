"""`azru synth`: deterministic, proportional, and valid by the rules `azru validate` enforces."""

import codecs
import hashlib
import json
import re
import shutil
import unicodedata
from datetime import date
from pathlib import Path

import frictionless
import polars as pl
import pytest
from azru.cli import main
from azru.package import Package, load
from azru.synth import ARCHIVE_DIR, write_package
from azru.synth.context import Sizes
from azru.synth.phrases import COUNTRIES
from edtf import parse_edtf

REPO = Path(__file__).resolve().parents[1]
EVENTS = 1000
# Tables whose every row needs a claim, and the claims column that points at them.
CLAIMED = load(REPO).claim_targets()
FULL_DATE = re.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}")
DATE_COLUMNS = ["date", "date_precision", "date_basis", "date_note"]
# Bidi controls, zero-width characters and the BOM: invisible, and never wanted inside a cell.
INVISIBLE = {chr(c) for c in [*range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0xFEFF]}


@pytest.fixture(scope="module")
def repo() -> Package:
    return load(REPO)


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory, repo: Package) -> Path:
    path = tmp_path_factory.mktemp("synth") / "package"
    write_package(path, repo, EVENTS, seed=7)
    return path


@pytest.fixture(scope="module")
def package(out: Path) -> Package:
    return load(out)


def archive_text(package: Package) -> dict[str, str]:
    """Each source's archived text with whitespace runs collapsed, by source_id."""
    sources = package.read("sources")
    return {
        source_id: " ".join((package.root / ARCHIVE_DIR / file_name).read_text(encoding="utf-8").split())
        for source_id, file_name in sources.select("source_id", "file_name").iter_rows()
    }


def files(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def test_the_same_seed_writes_the_same_bytes(out: Path, repo: Package, tmp_path: Path) -> None:
    write_package(tmp_path / "again", repo, EVENTS, seed=7)
    assert files(tmp_path / "again") == files(out)


def test_another_seed_writes_other_rows(out: Path, repo: Package, tmp_path: Path) -> None:
    write_package(tmp_path / "other", repo, EVENTS, seed=8)
    assert (tmp_path / "other" / "data" / "events.csv").read_bytes() != (out / "data" / "events.csv").read_bytes()


@pytest.mark.slow
def test_frictionless_finds_the_package_valid(out: Path) -> None:
    report = frictionless.validate(str(out / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


@pytest.mark.slow
def test_a_single_event_still_makes_a_valid_package(tmp_path: Path) -> None:
    assert main(["synth", "--events", "1", "--like", str(REPO), str(tmp_path / "one")]) == 0
    assert load(tmp_path / "one").read("detentions").height == 0
    assert frictionless.validate(str(tmp_path / "one" / "datapackage.json")).valid


@pytest.mark.slow
def test_without_a_countries_codelist_a_fallback_list_is_written(tmp_path: Path) -> None:
    like = tmp_path / "like"
    shutil.copytree(REPO / "data" / "codelists", like / "data" / "codelists", ignore=lambda *_: ["countries.csv"])
    shutil.copy(REPO / "datapackage.json", like)
    write_package(tmp_path / "out", load(like), 100, seed=0)
    assert load(tmp_path / "out").read("countries")["code"].to_list() == list(COUNTRIES)
    assert frictionless.validate(str(tmp_path / "out" / "datapackage.json")).valid


def test_row_counts_follow_the_number_of_events(package: Package) -> None:
    sizes = Sizes(EVENTS)
    counts = {table.name: package.read(table.name).height for table in package.fact_tables}
    assert counts["events"] == EVENTS
    assert counts["sources"] == sizes.sources >= 3 and counts["actors"] == EVENTS // 20
    assert counts["detentions"] == EVENTS // 10 and counts["diplomatic_summons"] == EVENTS // 50
    assert counts["participants"] == EVENTS * 3 // 2
    assert counts["actors"] <= counts["actor_names"] <= 2 * counts["actors"]
    assert counts["claims"] == sizes.claims_per_row + sizes.claims_extra
    assert 1.15 < counts["claims"] / sizes.claims_per_row < 1.25


def test_files_are_utf8_with_lf_and_a_final_newline(package: Package) -> None:
    for table in package.fact_tables:
        data = (package.root / table.path).read_bytes()
        assert data.endswith(b"\n") and b"\r" not in data and not data.startswith(codecs.BOM_UTF8), table.name
        assert data.decode("utf-8").split("\n", 1)[0] == ",".join(table.field_names)


def test_every_cell_is_clean(package: Package) -> None:
    for table in package.fact_tables:
        for column in package.read(table.name).iter_columns():
            max_length = table.field(column.name).constraints.get("maxLength")
            for cell in column.drop_nulls():
                where = f"{table.name}.{column.name}: {cell!r}"
                assert cell == cell.strip() and cell == unicodedata.normalize("NFC", cell), where
                assert cell[0] not in "=+-@" and '"' not in cell, where
                assert not any(unicodedata.category(c) == "Cc" or c in INVISIBLE for c in cell), where
                assert max_length is None or len(cell) <= max_length, where


def test_some_cells_need_quoting_and_some_are_arabic(package: Package) -> None:
    cells = pl.concat([package.read(table.name).unpivot()["value"] for table in package.fact_tables]).drop_nulls()
    assert cells.str.contains(",").any()
    assert cells.str.contains("[\u0600-\u06ff]").any()


def test_ids_are_unique_and_never_reused(package: Package) -> None:
    ids = pl.concat([package.read(table.name)[table.primary_key[0]] for table in package.fact_tables])
    assert ids.n_unique() == ids.len()


@pytest.mark.parametrize("table", ["events", "detentions", "diplomatic_summons"])
def test_dates_are_edtf_with_real_days(package: Package, table: str) -> None:
    dates = package.read(table)["date"].drop_nulls()
    for value in dates:
        for day in FULL_DATE.findall(value):
            date.fromisoformat(day)
    # The general parser is slow: one value of each shape (day, month, year, uncertain, interval).
    examples = {re.sub("[0-9]", "0", value): value for value in dates}
    assert len(examples) == 5
    for value in examples.values():
        parse_edtf(value)


@pytest.mark.parametrize("table", ["events", "detentions", "diplomatic_summons"])
def test_dates_agree_with_their_precision_basis_and_note(package: Package, table: str) -> None:
    for value, precision, basis, note in package.read(table).select(DATE_COLUMNS).iter_rows():
        if value is None:
            assert (precision, basis) == ("unknown", "unknown")
            continue
        first = value.split("/")[0].rstrip("?")
        assert precision == {10: "day", 7: "month", 4: "year"}[len(first)], value
        assert (note is not None) == basis.startswith("inferred-"), (basis, note)


def test_release_never_precedes_detention(package: Package) -> None:
    released = package.read("detentions").filter(pl.col("release_date").is_not_null())
    assert released.height > 0
    assert (released["release_date"] >= released["date"]).all()


def test_every_row_has_a_claim_and_every_link_one_target(package: Package) -> None:
    links = package.read("claim_links")
    assert (links.select(pl.sum_horizontal(pl.col(*CLAIMED.values()).is_not_null())).to_series() == 1).all()
    assert set(package.read("claims")["claim_id"]) == set(links["claim_id"])
    for table, column in CLAIMED.items():
        assert set(package.read(table)[column]) <= set(links[column].drop_nulls()), table


def test_foreign_keys_resolve(package: Package) -> None:
    for table in package.tables.values():
        frame = package.read(table.name)
        for local, target, remote in table.references():
            missing = set(frame[local].drop_nulls()) - set(package.read(target)[remote])
            assert not missing, (table.name, local, sorted(missing)[:3])


def test_figures_are_ordered_and_measured(package: Package) -> None:
    claims = package.read("claims").with_columns(pl.col("value_min", "value_max").cast(pl.Int64))
    both = claims.filter(pl.col("value_max").is_not_null())
    assert (both["value_min"] <= both["value_max"]).all()
    assert claims.filter(pl.col("value_min").is_not_null())["measure"].null_count() == 0
    counts = package.read("detentions").select(pl.col("people_count_min", "people_count_max").cast(pl.Int64))
    assert (counts["people_count_min"] <= counts["people_count_max"]).all()


def test_quotes_and_names_are_verbatim_in_their_archived_source(package: Package) -> None:
    texts = archive_text(package)
    for table, column in [("claims", "quote"), ("actor_names", "name")]:
        for source_id, value in package.read(table).select("source_id", column).iter_rows():
            assert " ".join(value.split()) in texts[source_id], (table, value)


def test_quotes_not_in_english_are_translated(package: Package) -> None:
    claims = package.read("claims").join(package.read("sources").select("source_id", "language"), on="source_id")
    english = pl.col("language") == "en"
    assert claims.filter(~english)["quote_en"].is_not_null().all()
    assert claims.filter(english)["quote_en"].is_null().all()


def test_sources_carry_the_hash_and_size_of_their_archive_file(package: Package) -> None:
    for file_name, sha256, size in package.read("sources").select("file_name", "sha256", "bytes").iter_rows():
        data = (package.root / ARCHIVE_DIR / file_name).read_bytes()
        assert (hashlib.sha256(data).hexdigest(), len(data)) == (sha256, int(size))


def test_the_command_refuses_a_directory_with_files(out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["synth", "--events", "10", "--like", str(REPO), str(out)]) == 2
    assert "is not empty" in capsys.readouterr().err


def test_the_command_refuses_zero_events(tmp_path: Path) -> None:
    assert main(["synth", "--events", "0", "--like", str(REPO), str(tmp_path / "none")]) == 2
    assert not (tmp_path / "none").exists()


def test_the_package_imitated_is_the_current_folder_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["synth", "--events", "10", str(tmp_path / "out")]) == 2
    assert f"{tmp_path} holds no datapackage.json" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_table_path_leading_out_of_the_package_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    descriptor = json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"][0]["path"] = "../escaped.csv"
    (tmp_path / "like").mkdir()
    (tmp_path / "like" / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    assert main(["synth", "--events", "10", "--like", str(tmp_path / "like"), str(tmp_path / "out" / "package")]) == 1
    assert "../escaped.csv" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_synth_passes_azru_validate(out: Path) -> None:
    pytest.importorskip("azru.validate")
    assert main(["validate", str(out), "--archive", str(out / ARCHIVE_DIR)]) == 0
