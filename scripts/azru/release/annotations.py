"""annotations.jsonld: the claims as W3C Web Annotations (https://www.w3.org/TR/annotation-model/), so that
anyone holding an archived source can highlight every claim in it.

One annotation for each row a claim supports (each row of the link table), in one AnnotationCollection
with one embedded AnnotationPage, sorted by id. Its target is the quote in the archived file: the file
named by its SHA-256 (an RFC 6920 `ni:` IRI) and its source_id, the quote selected twice, by
TextQuoteSelector (the file's exact characters, with up to CONTEXT characters before and after) and by
TextPositionSelector. Offsets count Unicode code points of the file's bytes decoded as UTF-8, nothing
else changed: no newline translation, no markup removed, a byte order mark is a character (as validation
reads the file). A quote matches its source after whitespace is collapsed (azru.text), so it is found in
the raw text with any run of whitespace where the quote has whitespace, and `exact` is the file's own.

The body holds the English rendering (purpose describing), the claim's status code (classifying), the
claimant's page (identifying; none when the source speaks in its own voice) and the supported row's page
(linking); a row beyond the site's page cap has no page, and so no link. IRIs are relative to the release
folder: an annotation is `#<link id>`, a row `site/<table>/<id>.html`.
"""

import base64
import hashlib
import itertools
import json
import re
import urllib.parse
from pathlib import Path
from typing import Any

import polars as pl

from azru import domain, guarded
from azru.package import Package
from azru.release.site.model import Site
from azru.typed import BuildError

CONTEXT = 32  # characters of prefix and suffix: enough to tell repeated quotes apart, short enough to read
ENGLISH, CLAIMANT = "quote_en", "claimant_actor_id"  # optional claims fields, read when the descriptor has them
COLLECTION, PAGE = "#collection", "#page-1"
FILE_FIELDS = ("source_id", "file_name", "sha256")
PASSAGE = {
    "claim_id": pl.String,
    "iri": pl.String,  # of the archived file
    "start": pl.Int64,
    "end": pl.Int64,
    "exact": pl.String,
    "prefix": pl.String,
    "suffix": pl.String,
}
Passage = tuple[str, str, int, int, str, str, str]  # a row of PASSAGE


def write_annotations(package: Package, frames: dict[str, pl.DataFrame], archive: Path, path: Path) -> Path:
    """Write every claim-row link as an annotation of its quote in the archived source into `path`, one
    annotation a line, so that the file can be read or compared line by line too."""
    rows = annotated_links(package, frames, archive)
    site = Site(package, frames)
    claimants = next((t for f, t, _ in package.tables[domain.CLAIMS].references() if f == CLAIMANT), None)
    descriptor = package.descriptor
    collection: dict[str, Any] = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": COLLECTION,
        "type": "AnnotationCollection",
        "label": f"{descriptor.get('title') or descriptor['name']} {descriptor['version']}: the quote of every "
        "claim in its archived source, one annotation for each row the claim supports",
        "total": rows.height,
    }
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        if rows.height == 0:  # a collection without annotations has no first page
            out.write(json.dumps(collection, ensure_ascii=False) + "\n")
            return path
        collection["first"] = {"id": PAGE, "type": "AnnotationPage", "partOf": COLLECTION, "startIndex": 0, "items": []}
        opening, closing = json.dumps(collection, ensure_ascii=False).rsplit("[]", 1)  # the items, the last key
        out.write(opening + "[\n")
        for index, row in enumerate(rows.iter_rows(named=True)):
            out.write((",\n" if index else "") + json.dumps(annotation(row, site, claimants), ensure_ascii=False))
        out.write("\n]" + closing + "\n")
    return path


def annotation(row: dict[str, Any], site: Site, claimants: str | None) -> dict[str, Any]:
    body: list[dict[str, Any]] = []
    if row[ENGLISH]:
        english = {"type": "TextualBody", "purpose": "describing", "value": row[ENGLISH]}
        body.append(english | {"language": "en", "format": "text/plain"})
    body.append({"type": "TextualBody", "purpose": "classifying", "value": row["status"]})
    for purpose, table, row_id in [("identifying", claimants, row[CLAIMANT]), ("linking", row["table"], row["row"])]:
        page = site.path(table, row_id) if table else None
        if page is not None:
            body.append({"type": "SpecificResource", "purpose": purpose, "source": f"site/{page}"})
    quoted = {"type": "TextQuoteSelector", "exact": row["exact"]}
    quoted |= {part: row[part] for part in ("prefix", "suffix") if row[part]}
    source = {"id": row["iri"], "type": "Text", "format": "text/plain"}
    source |= {"language": row["language"]} if row["language"] else {}
    return {
        "id": "#" + urllib.parse.quote(row["link"], safe=""),
        "type": "Annotation",
        "motivation": "describing",
        "body": body,
        "target": {
            "type": "SpecificResource",
            "source": source | {"dcterms:identifier": row["source_id"]},
            "selector": [quoted, {"type": "TextPositionSelector", "start": row["start"], "end": row["end"]}],
        },
    }


def annotated_links(package: Package, frames: dict[str, pl.DataFrame], archive: Path) -> pl.DataFrame:
    """A row for each link of a claim with a quote to a row: the link, the row and its table, the claim's
    fields the body shows, its passage in the archived file and the file's language, sorted by link id."""
    links = package.claim_links()
    if links is None:
        return pl.DataFrame()
    if len(links.primary_key) != 1:
        raise BuildError(f"annotations: {links.name} needs a primary key of one field to name each annotation")
    (key,) = links.primary_key
    targets = package.claim_targets()
    nothing = pl.lit(None, pl.String)  # the last resort of each coalesce, which also makes one of no targets
    supported = frames[links.name].select(
        pl.col(key).cast(pl.String).alias("link"),
        "claim_id",
        pl.coalesce(*(pl.col(field).cast(pl.String) for field in targets.values()), nothing).alias("row"),
        pl.coalesce(
            *(pl.when(pl.col(field).is_not_null()).then(pl.lit(table)) for table, field in targets.items()), nothing
        ).alias("table"),
    )
    claims = frames[domain.CLAIMS]
    optional = (pl.col(name) if name in claims.columns else nothing.alias(name) for name in (ENGLISH, CLAIMANT))
    shown = claims.select("claim_id", "source_id", "status", *optional)
    sources = frames[domain.SOURCES]
    return (
        supported.join(shown, on="claim_id", how="inner")
        .join(passages(sources, claims, archive), on="claim_id", how="inner")
        .join(sources.select("source_id", "language"), on="source_id", how="left")
        .sort("link")
    )


def passages(sources: pl.DataFrame, claims: pl.DataFrame, archive: Path) -> pl.DataFrame:
    """Where each claim's quote is in its source's archived file, and the file's `ni:` IRI; the files are
    read one at a time, each once."""
    files = {source_id: (name, sha256) for source_id, name, sha256 in sources.select(*FILE_FIELDS).iter_rows()}
    found: list[Passage] = []
    quoted = claims.select("claim_id", "source_id", "quote").drop_nulls().sort("source_id", "claim_id")
    for source_id, group in itertools.groupby(quoted.iter_rows(), key=lambda claim: claim[1]):
        if source_id not in files:
            continue
        file_name, sha256 = files[source_id]
        text, iri = archived_text(archive, file_name, sha256)
        for claim_id, _, quote in group:
            span = find_quote(text, quote)
            if span is None:
                raise BuildError(f"annotations: the quote of {claim_id} is not in the archived {file_name}")
            start, end = span
            before, after = text[max(0, start - CONTEXT) : start], text[end : end + CONTEXT]
            found.append((claim_id, iri, start, end, text[start:end], before, after))
    return pl.DataFrame(found, schema=PASSAGE, orient="row")


def archived_text(archive: Path, file_name: str, sha256: str) -> tuple[str, str]:
    """The text of an archived file and its `ni:` IRI; only the file the sources row names by its hash."""
    try:
        if "/" in file_name:  # a file name in the archive folder, as validation reads it
            raise guarded.Refused("unsafe-path", "a file name, not a path")
        data = guarded.read_bytes(archive, file_name, guarded.MAX_SOURCE_BYTES)
    except guarded.Refused as refused:
        raise BuildError(f"annotations: {file_name} cannot be read from the archive {archive}: {refused}") from None
    digest = hashlib.sha256(data)
    if digest.hexdigest() != sha256:
        raise BuildError(f"annotations: the archived {file_name} has sha256 {digest.hexdigest()}, not {sha256}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BuildError(f"annotations: the archived {file_name} is not UTF-8 ({error.reason})") from None
    return text, "ni:///sha-256;" + base64.urlsafe_b64encode(digest.digest()).decode("ascii").rstrip("=")


def find_quote(text: str, quote: str) -> tuple[int, int] | None:
    """The first span of `text` that is the quote as validation compares them: verbatim, or with any run of
    whitespace (str.isspace, which is what `\\s` matches) where the quote has whitespace."""
    start = text.find(quote)
    if start >= 0:
        return start, start + len(quote)
    words = quote.split()
    found = re.search(r"\s+".join(map(re.escape, words)), text) if words else None
    return found.span() if found else None
