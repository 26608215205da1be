"""annotations.jsonld: every selector found again in the archived file it names, one annotation for each link
of a quoted claim, the Web Annotation shape, nothing else in the release changed by it, and archive files
that are links or too large refused in words.

The repository is built with its archive ($AZRU_ARCHIVE, set in CI) once for this module; without the
archive those tests are skipped.
"""

import base64
import contextlib
import csv
import hashlib
import io
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from azru.cli import main
from azru.package import Package, load
from azru.release import build
from azru.release.annotations import CONTEXT, find_quote, write_annotations
from azru.text import normalise_whitespace
from azru.typed import BuildError, typed_frame
from hypothesis import given
from hypothesis import strategies as st
from releases import REPO, Built

# resolved: make passes it relative to the repository, and a test changes folder
ARCHIVE = Path(os.environ["AZRU_ARCHIVE"]).resolve() if os.environ.get("AZRU_ARCHIVE") else None
needs_archive = pytest.mark.skipif(ARCHIVE is None, reason="AZRU_ARCHIVE is not set (it is in CI)")
QUERYING = REPO / "docs" / "querying.md"
NI = re.compile(r"ni:///sha-256;([A-Za-z0-9_-]{43})")
PURPOSES = {"describing", "classifying", "identifying", "linking"}


@pytest.fixture(scope="module")
def annotated(tmp_path_factory: pytest.TempPathFactory) -> Built:
    assert ARCHIVE is not None
    out = tmp_path_factory.mktemp("annotated") / "dist"
    build(REPO, out, ARCHIVE)
    return Built(REPO, out)


def items(built: Built) -> list[dict[str, Any]]:
    page: list[dict[str, Any]] = json.loads((built.out / "annotations.jsonld").read_text(encoding="utf-8"))["first"][
        "items"
    ]
    return page


def rows(table: str) -> dict[str, dict[str, str]]:
    """A table of the repository by its key (the first column)."""
    with open(REPO / "data" / f"{table}.csv", encoding="utf-8", newline="") as handle:
        return {row[next(iter(row))]: row for row in csv.DictReader(handle)}


def sha256_of(ni: str) -> str:
    match = NI.fullmatch(ni)
    assert match, ni
    return base64.urlsafe_b64decode(match[1] + "=").hex()


@needs_archive
def test_every_selector_is_found_again_in_the_archived_file(annotated: Built) -> None:
    sources, claims, links = rows("sources"), rows("claims"), rows("claim_links")
    assert ARCHIVE is not None
    for annotation in items(annotated):
        target = annotation["target"]
        source = sources[target["source"]["dcterms:identifier"]]
        data = (ARCHIVE / source["file_name"]).read_bytes()
        assert sha256_of(target["source"]["id"]) == hashlib.sha256(data).hexdigest() == source["sha256"]
        text = data.decode("utf-8")
        quoted, position = target["selector"]
        exact, prefix, suffix = quoted["exact"], quoted.get("prefix", ""), quoted.get("suffix", "")
        assert text[position["start"] : position["end"]] == exact, annotation["id"]
        assert text[: position["start"]].endswith(prefix) and text[position["end"] :].startswith(suffix)
        assert prefix == text[max(0, position["start"] - CONTEXT) : position["start"]]
        assert suffix == text[position["end"] : position["end"] + CONTEXT]
        claim = claims[links[annotation["id"].removeprefix("#")]["claim_id"]]
        assert normalise_whitespace(exact) == normalise_whitespace(claim["quote"])
        assert target["source"].get("language") == source["language"]


@needs_archive
def test_one_annotation_for_each_link_of_a_quoted_claim(annotated: Built) -> None:
    claims = rows("claims")
    quoted_links = {key for key, link in rows("claim_links").items() if claims[link["claim_id"]]["quote"]}
    ids = [annotation["id"] for annotation in items(annotated)]
    assert len(ids) == len(set(ids)) == len(quoted_links) > 0
    assert ids == sorted(ids) == sorted(f"#{key}" for key in quoted_links)


@needs_archive
def test_the_body_renders_the_claim_and_links_pages_the_site_has(annotated: Built) -> None:
    claims, links = rows("claims"), rows("claim_links")
    supported = {field: table for table, field in annotated.package.claim_targets().items()}
    for annotation in items(annotated):
        link = links[annotation["id"].removeprefix("#")]
        claim = claims[link["claim_id"]]
        body = {part["purpose"]: part for part in annotation["body"]}
        assert set(body) <= PURPOSES and len(body) == len(annotation["body"])
        assert body["classifying"] == {"type": "TextualBody", "purpose": "classifying", "value": claim["status"]}
        if claim["quote_en"]:
            assert body["describing"]["value"] == claim["quote_en"]
            assert (body["describing"]["language"], body["describing"]["type"]) == ("en", "TextualBody")
        else:
            assert "describing" not in body
        ((field, row_id),) = [(field, link[field]) for field in supported if link[field]]
        assert body["linking"]["source"] == f"site/{supported[field]}/{row_id}.html"
        if claim["claimant_actor_id"]:
            assert body["identifying"]["source"] == f"site/actors/{claim['claimant_actor_id']}.html"
        for part in annotation["body"]:
            if part["type"] == "SpecificResource":
                assert (annotated.out / part["source"]).is_file(), part


@needs_archive
def test_collection_page_and_annotations_have_the_web_annotation_shape(annotated: Built) -> None:
    collection = json.loads((annotated.out / "annotations.jsonld").read_text(encoding="utf-8"))
    assert collection["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert (collection["type"], collection["id"]) == ("AnnotationCollection", "#collection")
    assert isinstance(collection["label"], str) and collection["total"] == len(items(annotated))
    page = collection["first"]
    assert (page["type"], page["partOf"], page["startIndex"]) == ("AnnotationPage", collection["id"], 0)
    for annotation in page["items"]:
        assert list(annotation) == ["id", "type", "motivation", "body", "target"]
        assert (annotation["type"], annotation["motivation"]) == ("Annotation", "describing")
        assert all(isinstance(part["value"], str) for part in annotation["body"] if part["type"] == "TextualBody")
        target = annotation["target"]
        assert target["type"] == "SpecificResource"
        assert (target["source"]["type"], target["source"]["format"]) == ("Text", "text/plain")
        quoted, position = target["selector"]
        assert quoted["type"] == "TextQuoteSelector" and isinstance(quoted["exact"], str) and quoted["exact"]
        assert position["type"] == "TextPositionSelector"
        assert isinstance(position["start"], int) and 0 <= position["start"] < position["end"]


@needs_archive
def test_the_file_is_one_annotation_a_line_and_rebuilt_byte_for_byte(annotated: Built, tmp_path: Path) -> None:
    assert ARCHIVE is not None
    written = (annotated.out / "annotations.jsonld").read_bytes()
    lines = written.decode("utf-8").split("\n")
    assert lines[-1] == "" and b"\r" not in written
    assert [json.loads(line.rstrip(","))["id"] for line in lines[1:-2]] == [a["id"] for a in items(annotated)]
    package = load(REPO)
    frames = {name: typed_frame(package, table) for name, table in package.tables.items()}
    assert write_annotations(package, frames, ARCHIVE, tmp_path / "again.jsonld").read_bytes() == written


@needs_archive
def test_the_archive_adds_the_annotations_and_changes_no_other_file(annotated: Built, repository: Built) -> None:
    with_archive = (annotated.out / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    digest = hashlib.sha256((annotated.out / "annotations.jsonld").read_bytes()).hexdigest()
    assert f"{digest}  annotations.jsonld" in with_archive
    without = (repository.out / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    assert [line for line in with_archive if not line.endswith("  annotations.jsonld")] == without
    assert not (repository.out / "annotations.jsonld").exists()


@needs_archive
def test_the_highlighting_example_in_the_docs_prints_the_quotes(
    annotated: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (example,) = re.findall(r"```python\n(import base64.*?)```", QUERYING.read_text(encoding="utf-8"), re.DOTALL)
    assert ARCHIVE is not None
    (tmp_path / "dist").symlink_to(annotated.out)
    (tmp_path / "archive").symlink_to(ARCHIVE)
    monkeypatch.chdir(tmp_path)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(example, {})
    quotes = [a["target"]["selector"][0]["exact"] for a in items(annotated)]
    cited = [line.partition(" ")[2] for line in printed.getvalue().splitlines()]
    assert cited and all(line.strip("»«") in quotes for line in cited)


# --- finding a quote in the raw text -------------------------------------------------------------------

SPACES = "".join(chr(point) for point in range(0x3001) if chr(point).isspace())


def test_a_quote_is_found_across_any_whitespace_and_first_where_it_repeats() -> None:
    text = "\ufeffTitle\r\n\r\nHe said:\tthe  border\u00a0was\r\nclosed. The border was closed."
    start, end = find_quote(text, "the border was closed.") or (0, 0)
    assert text[start:end] == "the  border\u00a0was\r\nclosed."
    assert find_quote(text, "The border was closed.") == (len(text) - 22, len(text))
    assert find_quote(text, "Title") == (1, 6)  # the byte order mark counts as a character
    assert find_quote(text, "the border was open") is None


@given(
    words=st.lists(st.text("abcأبت", min_size=1, max_size=4), min_size=1, max_size=12),
    gaps=st.lists(st.text(SPACES, min_size=1, max_size=3), min_size=13, max_size=13),
    data=st.data(),
)
def test_a_quote_collapsed_as_validation_compares_is_found_as_the_file_has_it(
    words: list[str], gaps: list[str], data: st.DataObject
) -> None:
    text = gaps[0] + "".join(word + gap for word, gap in zip(words, gaps[1:], strict=False))
    first = data.draw(st.integers(0, len(words) - 1))
    last = data.draw(st.integers(first, len(words) - 1))
    quote = " ".join(words[first : last + 1])
    span = find_quote(text, quote)
    assert span is not None
    exact = text[span[0] : span[1]]
    assert normalise_whitespace(exact) == quote and exact == exact.strip()


# --- hostile archives ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def repository_frames() -> tuple[Package, dict[str, pl.DataFrame]]:
    package = load(REPO)
    return package, {name: typed_frame(package, table) for name, table in package.tables.items()}


def hostile_archive(folder: Path, first: str, make: str) -> Path:
    """A copy of the archive whose first source's file is a link to a copy elsewhere, or too large."""
    assert ARCHIVE is not None
    shutil.copytree(ARCHIVE, folder / "archive")
    shutil.copy(ARCHIVE / first, folder / "elsewhere.txt")
    (folder / "archive" / first).unlink()
    if make == "link":
        (folder / "archive" / first).symlink_to(folder / "elsewhere.txt")
    else:
        with open(folder / "archive" / first, "wb") as handle:
            handle.truncate(65 * 1024 * 1024)  # sparse: larger than any source may be, without the bytes
    return folder / "archive"


@needs_archive
@pytest.mark.parametrize(
    ("make", "problem"), [("link", "is a symbolic link"), ("large", "more than the limit of 67,108,864")]
)
def test_an_archived_file_that_is_a_link_or_too_large_is_refused_in_words(
    repository_frames: tuple[Package, dict[str, pl.DataFrame]], tmp_path: Path, make: str, problem: str
) -> None:
    package, frames = repository_frames
    first = sorted(rows("sources").values(), key=lambda source: source["source_id"])[0]["file_name"]
    archive = hostile_archive(tmp_path, first, make)
    with pytest.raises(
        BuildError, match=f"annotations: {re.escape(first)} cannot be read from the archive .*{problem}"
    ):
        write_annotations(package, frames, archive, tmp_path / "annotations.jsonld")


@needs_archive
@pytest.mark.slow
def test_the_command_refuses_a_linked_archive_file_and_says_when_there_is_no_archive(
    annotated: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = next(iter(rows("sources").values()))["file_name"]
    archive = hostile_archive(tmp_path, first, "link")
    assert main(["build", str(REPO), "--out", str(tmp_path / "refused"), "--archive", str(archive)]) == 1
    err = capsys.readouterr().err
    assert "archive-file-refused" in err and f"{first} is a symbolic link" in err and "Traceback" not in err

    out = tmp_path / "dist"
    shutil.copytree(annotated.out, out)
    monkeypatch.delenv("AZRU_ARCHIVE", raising=False)
    assert main(["build", str(REPO), "--out", str(out)]) == 0
    notes = [line for line in capsys.readouterr().err.splitlines() if "annotations" in line]
    assert notes == ["azru build: no archive given, so no annotations.jsonld (pass --archive DIR or set AZRU_ARCHIVE)"]
    assert not (out / "annotations.jsonld").exists()
    assert "annotations.jsonld" not in (out / "SHA256SUMS").read_text(encoding="utf-8")
