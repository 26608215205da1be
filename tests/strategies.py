"""Valid packages for tests: a small hand-written one, and Hypothesis strategies for rows and packages.

A package is held as `PackageData`: rows per table (every cell text, None for an empty cell) and the
archive of source documents (file name -> text). `write_package` turns one into a folder pair that
`azru validate` accepts: the package (the repository's datapackage.json and codelists, our rows)
and the archive. Nothing here reads data/*.csv, which other people are filling in.
"""

import csv
import datetime
import functools
import hashlib
import json
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from azru.ids import CROCKFORD
from azru.package import CODELIST_DIR, DESCRIPTOR, Package
from azru.text import normalise_whitespace
from azru.validate import validate
from azru.validate.rules import Finding
from azru.validate.semantics import QUOTE_SHORTEST
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

REPO = Path(__file__).parents[1]
DESCRIPTOR_JSON: dict[str, Any] = json.loads((REPO / DESCRIPTOR).read_text(encoding="utf-8"))
PACKAGE = Package(REPO, DESCRIPTOR_JSON)
RESOURCES = {r["name"]: r for r in DESCRIPTOR_JSON["resources"]}
FIELD_NAMES = {name: [f["name"] for f in r["schema"]["fields"]] for name, r in RESOURCES.items()}
FACT_TABLES = [name for name, r in RESOURCES.items() if not r["path"].startswith(CODELIST_DIR)]
SCHEMAS: dict[str, dict[str, Any]] = {
    name: json.loads((REPO / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8")) for name in FACT_TABLES
}
KEYS = {name: r["schema"]["primaryKey"][0] for name, r in RESOURCES.items()}
SPECS = {(t, f["name"]): f for t, r in RESOURCES.items() for f in r["schema"]["fields"]}
# (table, field) of every foreign key -> the table it points at
TARGET_OF = {
    (t, fk["fields"][0]): fk["reference"].get("resource") or t
    for t, r in RESOURCES.items()
    for fk in r["schema"].get("foreignKeys", [])
}
# The tables whose rows need a claim, and the claims column that points at them.
EVIDENCED = PACKAGE.claim_targets()
LINKS = "claim_links"
# The tables whose ids azru new makes, with a prefix.
ID_TABLES = [table.name for table in PACKAGE.id_tables()]


def findings(root: Path, archive: Path | None) -> list[Finding]:
    """What `azru validate` finds, less the notice that the rules came from the package itself."""
    return [f for f in validate(root, archive).findings if f.code != "descriptor-not-trusted"]


Cell = str | None
Row = dict[str, Cell]
T = TypeVar("T")


class Draw(Protocol):
    """What draws a value from a strategy: Hypothesis's `draw`, or a first-example finder."""

    def __call__(self, strategy: st.SearchStrategy[T], /) -> T: ...


@dataclass
class PackageData:
    tables: dict[str, list[Row]]
    archive: dict[str, str] = field(default_factory=dict)

    def ids(self, table: str) -> list[str]:
        return [key for row in self.tables.get(table, []) if (key := row[KEYS[table]])]


@dataclass(frozen=True)
class Written:
    """A package folder and its archive folder, with row-level access to the package's files."""

    root: Path
    archive: Path

    def path(self, table: str) -> Path:
        return self.root / str(RESOURCES[table]["path"])

    def rows(self, table: str) -> list[Row]:
        return read_rows(self.path(table))

    def all_rows(self) -> dict[str, list[Row]]:
        return {table: self.rows(table) for table in RESOURCES}

    def write_rows(self, table: str, rows: list[Row]) -> None:
        write_rows(self.path(table), FIELD_NAMES[table], rows)

    def descriptor(self) -> dict[str, Any]:
        descriptor: dict[str, Any] = json.loads((self.root / DESCRIPTOR).read_text(encoding="utf-8"))
        return descriptor

    def write_descriptor(self, descriptor: dict[str, Any]) -> None:
        (self.root / DESCRIPTOR).write_text(
            json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )


def referenced(tables: dict[str, list[Row]]) -> set[str]:
    """Every value a foreign key or a tombstone points at: changing such a key would break that reference too."""
    values = {row[local] for table, local in TARGET_OF if table in tables for row in tables[table]}
    values |= {row["replaced_by"] for row in tables.get("tombstones", [])}
    return {v for v in values if v}


def is_codelist(table: str) -> bool:
    return table not in FACT_TABLES


def read_rows(path: Path) -> list[Row]:
    with open(path, encoding="utf-8", newline="") as handle:
        return [{k: v or None for k, v in row.items()} for row in csv.DictReader(handle)]


def write_rows(path: Path, names: list[str], rows: Iterable[Row]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(names)
        writer.writerows([row.get(name) or "" for name in names] for row in rows)


def write_package(folder: Path, data: PackageData) -> Written:
    """Write `data` as a package (repository descriptor and codelists) plus its archive, below folder."""
    written = Written(folder / "package", folder / "archive")
    written.root.mkdir(parents=True)
    written.archive.mkdir()
    shutil.copyfile(REPO / DESCRIPTOR, written.root / DESCRIPTOR)
    for name in RESOURCES:
        if name in FACT_TABLES:
            written.write_rows(name, data.tables.get(name, []))
        else:
            written.path(name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(REPO / RESOURCES[name]["path"], written.path(name))
    for file_name, text in data.archive.items():
        (written.archive / file_name).write_bytes(text.encode("utf-8"))
    return written


def source_row(source_id: str, file_name: str, text: str, **cells: Cell) -> Row:
    """A sources row whose sha256 and bytes describe `text` as archived (UTF-8)."""
    data = text.encode("utf-8")
    return {
        "source_id": source_id,
        "file_name": file_name,
        "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": str(len(data)),
        **cells,
    }


# --- the hand-written fixture ------------------------------------------------------------------------

ENGLISH_TEXT = (
    "The Ministry of Foreign Affairs of Azerbaijan summoned the Russian ambassador Mikhail Yevdokimov "
    "on 28 June 2025.\n"
    "It protested the deaths of two brothers, Huseyn and Ziyaddin Safarov, after a police raid in Yekaterinburg\n"
    'on 27 June 2025. The ministry called the raid "an act of violence", and said at least nine people were injured.\n'
)
RUSSIAN_TEXT = (
    "В Екатеринбурге 27 июня 2025 года силовики задержали девять человек.\nПолиция Екатеринбурга провела рейд.\n"
)
ARABIC_TEXT = "استدعت وزارة الخارجية الأذربيجانية السفير الروسي ميخائيل يفدوكيموف.\n"

SRC_EN, SRC_RU, SRC_AR = "src-0000000001", "src-0000000002", "src-0000000003"
ACT_MFA, ACT_AMBASSADOR, ACT_POLICE = "act-0000000001", "act-0000000002", "act-0000000003"
EVT_RAID, EVT_SUMMONS = "evt-0000000001", "evt-0000000002"
DET_RAID, SUM_AMBASSADOR = "det-0000000001", "sum-0000000001"
PLC_YEKATERINBURG, PLC_UNLISTED = "plc-0000000001", "plc-0000000002"


def _claim(number: int, target: str, source_id: str, quote: str, **cells: Cell) -> tuple[Row, Row]:
    """A claim and its link to the row it supports."""
    claim_id = f"clm-{number:010d}"
    claim = {"claim_id": claim_id, "source_id": source_id, "quote": quote, "status": "reported", "sensitive": "false"}
    return claim | cells, _link(number, claim_id, target)


def _link(number: int, claim_id: str, target: str) -> Row:
    table = PACKAGE.table_for_prefix(target.partition("-")[0])
    assert table is not None, target
    return {"link_id": f"lnk-{number:010d}", "claim_id": claim_id, EVIDENCED[table.name]: target}


def fixture_data() -> PackageData:
    """A few rows per table: every kind of reference, a claim for every fact row, quotes in three scripts."""
    archive = {
        "statement-en.txt": ENGLISH_TEXT,
        "report-ru.txt": RUSSIAN_TEXT,
        "statement-ar.txt": ARABIC_TEXT,
    }
    sources: list[Row] = [
        source_row(
            SRC_EN,
            "statement-en.txt",
            ENGLISH_TEXT,
            title="Azerbaijan summons the Russian ambassador",
            language="en",
            publisher="Ministry of Foreign Affairs",
            published="2025-06-28",
            published_basis="stated",
            description="Press statement on the summons.",
        ),
        source_row(
            SRC_RU,
            "report-ru.txt",
            RUSSIAN_TEXT,
            title="Рейд в Екатеринбурге",
            title_en="Raid in Yekaterinburg",
            language="ru",
            published="2025-06",
            published_basis="inferred-from-context",
            description="News report on the raid.",
            notes="Month from the text.",
        ),
        source_row(
            SRC_AR,
            "statement-ar.txt",
            ARABIC_TEXT,
            title="استدعاء السفير الروسي",
            title_en="Summons of the Russian ambassador",
            language="ar",
            published_basis="unknown",
            description="Arabic rendering of the statement.",
        ),
    ]
    actors: list[Row] = [
        {
            "actor_id": ACT_MFA,
            "name_en": "Ministry of Foreign Affairs of Azerbaijan",
            "actor_type": "state-body",
            "country": "AZ",
            "sensitive": "false",
        },
        {
            "actor_id": ACT_AMBASSADOR,
            "name_en": "Mikhail Yevdokimov",
            "actor_type": "person",
            "country": "RU",
            "description": "Russian ambassador to Azerbaijan.",
            "sensitive": "false",
        },
        {
            "actor_id": ACT_POLICE,
            "name_en": "Police of Yekaterinburg",
            "actor_type": "state-body",
            "country": "RU",
            "parent_actor_id": ACT_AMBASSADOR,
            "sensitive": "false",
            "notes": "Parent is a placeholder for tests.",
        },
    ]
    actor_names: list[Row] = [
        {
            "name_id": "anm-0000000001",
            "actor_id": ACT_MFA,
            "name": "Ministry of Foreign Affairs of Azerbaijan",
            "language": "en",
            "source_id": SRC_EN,
        },
        {
            "name_id": "anm-0000000002",
            "actor_id": ACT_MFA,
            "name": "وزارة الخارجية الأذربيجانية",
            "language": "ar",
            "source_id": SRC_AR,
        },
        {
            "name_id": "anm-0000000003",
            "actor_id": ACT_POLICE,
            "name": "Полиция Екатеринбурга",
            "language": "ru",
            "source_id": SRC_RU,
            "notes": "Genitive form as printed.",
        },
    ]
    events: list[Row] = [
        {
            "event_id": EVT_RAID,
            "event_type": "raid",
            "date": "2025-06-27",
            "date_precision": "day",
            "date_basis": "stated",
            "place": "Yekaterinburg",
            "place_id": PLC_YEKATERINBURG,
            "country": "RU",
            "location_precision": "town",
            "summary": "Police raid on Azerbaijani residents of Yekaterinburg.",
            "sensitive": "false",
        },
        {
            "event_id": EVT_SUMMONS,
            "event_type": "diplomatic-summons",
            "date": "2025-06-28",
            "date_precision": "day",
            "date_basis": "inferred-from-publication",
            "date_note": "Dated by the statement's publication.",
            "country": "AZ",
            "location_precision": "country",
            "summary": "Azerbaijan summons the Russian ambassador.",
            "sensitive": "false",
            "notes": "Second event for ordering tests.",
        },
    ]
    participants: list[Row] = [
        {
            "participant_id": "ptc-0000000001",
            "event_id": EVT_RAID,
            "actor_id": ACT_POLICE,
            "role": "perpetrator",
        },
        {
            "participant_id": "ptc-0000000002",
            "event_id": EVT_SUMMONS,
            "actor_id": ACT_MFA,
            "role": "participant",
            "notes": "Summoning ministry.",
        },
    ]
    detentions: list[Row] = [
        {
            "detention_id": DET_RAID,
            "event_id": EVT_RAID,
            "group_description": "Azerbaijani residents of Yekaterinburg",
            "people_count_min": "9",
            "people_count_max": "10",
            "count_basis": "sources-disagree",
            "detaining_actor_id": ACT_POLICE,
            "date": "2025-06-27",
            "date_precision": "day",
            "date_basis": "stated",
            "place": "Yekaterinburg",
            "place_id": PLC_YEKATERINBURG,
            "country": "RU",
            "location_precision": "town",
            "status": "released",
            "release_date": "2025-07",
            "torture_alleged": "true",
            "coercion_alleged": "false",
            "sensitive": "false",
            "notes": "Counts differ.",
        },
    ]
    summonses: list[Row] = [
        {
            "summons_id": SUM_AMBASSADOR,
            "event_id": EVT_SUMMONS,
            "date": "2025-06-28",
            "date_precision": "day",
            "date_basis": "stated",
            "summoning_actor_id": ACT_MFA,
            "summoning_country": "AZ",
            "summoned_actor_id": ACT_AMBASSADOR,
            "summoned_rank": "ambassador",
            "summoned_country": "RU",
            "instrument": "protest-note",
            "reasons": "Deaths of two brothers after a police raid.",
        },
    ]
    evidence = [
        _claim(1, EVT_RAID, SRC_EN, "after a police raid in Yekaterinburg on 27 June 2025"),
        _claim(
            2,
            EVT_SUMMONS,
            SRC_EN,
            "summoned the Russian ambassador Mikhail Yevdokimov on 28 June 2025. It protested",
            claimant_actor_id=ACT_MFA,
        ),
        _claim(
            3,
            DET_RAID,
            SRC_RU,
            "силовики задержали девять человек",
            quote_en="security forces detained nine people",
            measure="detained",
            value_min="9",
            value_qualifier="exact",
            status="alleged",
        ),
        _claim(
            4,
            SUM_AMBASSADOR,
            SRC_AR,
            "استدعت وزارة الخارجية الأذربيجانية السفير الروسي",
            quote_en="The Azerbaijani foreign ministry summoned the Russian ambassador",
        ),
        _claim(5, ACT_MFA, SRC_EN, "The Ministry of Foreign Affairs of Azerbaijan"),
        _claim(6, ACT_AMBASSADOR, SRC_EN, "the Russian ambassador Mikhail Yevdokimov"),
        _claim(
            7,
            ACT_POLICE,
            SRC_RU,
            "Полиция Екатеринбурга провела рейд",
            quote_en="The Yekaterinburg police held a raid",
            notes="Translation by the editors.",
        ),
        _claim(
            8,
            EVT_RAID,
            SRC_EN,
            'the raid "an act of violence", and said at least nine people were injured',
            measure="injured",
            value_min="9",
            value_qualifier="at-least",
            claimant_actor_id=ACT_MFA,
        ),
    ]
    places: list[Row] = [
        {
            "place_id": PLC_YEKATERINBURG,
            "name": "Yekaterinburg",
            "country": "RU",
            "gazetteer": "geonames",
            "gazetteer_id": "1486209",
            "gazetteer_name": "Yekaterinburg",
            "latitude_e5": "5685733",
            "longitude_e5": "6061529",
            "feature_kind": "populated-place",
            "coordinate_precision": "place-point",
        },
        {
            "place_id": PLC_UNLISTED,
            "name": "A village no gazetteer lists",
            "feature_kind": "populated-place",
            "coordinate_precision": "none",
            "notes": "Kept for its name alone.",
        },
    ]
    claims = [claim for claim, _ in evidence]
    # the summons passage supports the summons event and the summons itself: one claim, two links
    links = [link for _, link in evidence] + [_link(9, "clm-0000000002", SUM_AMBASSADOR)]
    tombstones: list[Row] = [
        {
            "retired_id": "evt-000000000z",
            "table": "events",
            "reason": "merged",
            "replaced_by": EVT_RAID,
            "retired_in": "0.1.0",
            "explanation": "A duplicate of the raid, merged into it.",
        },
    ]
    tables = {
        "sources": sources,
        "actors": actors,
        "actor_names": actor_names,
        "places": places,
        "events": events,
        "participants": participants,
        "detentions": detentions,
        "diplomatic_summons": summonses,
        "claims": claims,
        LINKS: links,
        "tombstones": tombstones,
        "cases": [],
    }
    return PackageData(tables, archive)


# --- strategies ---------------------------------------------------------------------------------------

# Letters of the scripts the sources use, and punctuation a CSV writer must quote; no character that
# starts a spreadsheet formula, no whitespace (words are joined with it), every one already NFC.
LETTERS = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    "əğıöşüçƏĞİÖŞÜÇ"
    "абвгдежзийклмнопрстуфхцчшщъыьэюяАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"
    "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
    "\"',.;:!?()«»’"
)
LONGEST_WORD = 10
LANGUAGES = ("en", "en-GB", "ru", "az", "az-Latn", "ar", "tr", "fr")
FIRST_DAY, LAST_DAY = datetime.date(2017, 1, 1), datetime.date(2025, 12, 31)
DATE_BASES_GIVEN = ("stated", "inferred-from-publication", "inferred-from-context")
# The validator reads integers as 64-bit numbers; the schema has no maximum to say so.
LARGEST_COUNT = 10**9

words = st.text(alphabet=LETTERS, min_size=1, max_size=LONGEST_WORD)


@functools.cache
def texts(min_size: int = 1, max_size: int = 200) -> st.SearchStrategy[str]:
    """Single-line cell text: words joined by one space, so never padded and never empty."""
    most = max(1, min(6, (max_size + 1) // (LONGEST_WORD + 1)))
    return st.lists(words, min_size=1, max_size=most).map(" ".join).filter(lambda s: len(s) >= min_size)


@functools.cache
def ids(table: str) -> st.SearchStrategy[str]:
    body = st.text(alphabet=CROCKFORD, min_size=10, max_size=10)
    prefix = PACKAGE.tables[table].id_prefix
    return body.map(lambda b: f"{prefix}-{b}")


def not_matching(pattern: str, max_size: int = 30) -> st.SearchStrategy[str]:
    """One-line text of symbols no pattern of the descriptor accepts, and no other text rule rejects."""
    return st.text(alphabet="!#§é", min_size=1, max_size=max_size).filter(lambda v: not re.fullmatch(pattern, v))


def _to_cell(value: object) -> Cell:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@functools.cache
def cell_strategy(table: str, name: str, filled: bool = False) -> st.SearchStrategy[Cell]:
    """A valid cell judged by the field alone, from its JSON Schema: enums, numbers, booleans, patterns and
    text; never empty when `filled`. Fields whose validity depends on other rows or cells are drawn by
    `packages` instead."""
    prop = {k: v for k, v in SCHEMAS[table]["properties"][name].items() if k != "description"}
    nullable = isinstance(prop["type"], list) and not filled
    if PACKAGE.tables[table].field(name).is_edtf:  # a pattern admits more than EDTF does
        dated = datings().map(lambda dating: dating.cells["date"]).filter(lambda date: date is not None or nullable)
        return dated
    kind = prop["type"][0] if isinstance(prop["type"], list) else prop["type"]
    prop["type"] = [kind, "null"] if nullable else kind
    if "enum" in prop:
        prop["enum"] = [v for v in prop["enum"] if nullable or v is not None]
    if "enum" in prop or kind == "boolean" or (kind == "string" and "pattern" in prop):
        return from_schema(prop).map(_to_cell)
    if kind == "integer":
        return from_schema({**prop, "maximum": min(prop.get("maximum", LARGEST_COUNT), LARGEST_COUNT)}).map(_to_cell)
    text = texts(prop.get("minLength", 1), prop["maxLength"])
    return st.none() | text if nullable else text


@st.composite
def row(draw: Draw, table: str, /, **fixed: Cell) -> Row:
    """A row of `table` with the cells in `fixed` as given and every other cell drawn by `cell_strategy`."""
    return {name: fixed[name] if name in fixed else draw(cell_strategy(table, name)) for name in FIELD_NAMES[table]}


@dataclass(frozen=True)
class Dating:
    cells: Row
    earliest: datetime.date | None  # a day no later than the date's earliest possible day


@st.composite
def datings(draw: Draw) -> Dating:
    """date, date_precision, date_basis and date_note that agree: EDTF forms from a day to open intervals."""
    day = draw(st.dates(FIRST_DAY, LAST_DAY))
    later = day + datetime.timedelta(days=draw(st.integers(0, 400)))
    forms = {
        "day": (day.isoformat(), "day"),
        "uncertain day": (day.isoformat() + draw(st.sampled_from("?~%")), "day"),
        "month": (day.isoformat()[:7], "month"),
        "year": (day.isoformat()[:4], "year"),
        "interval": (f"{day.isoformat()}/{later.isoformat()}", draw(st.sampled_from(("day", "week", "month")))),
        "open interval": (f"{day.isoformat()}/..", "week"),
        "unspecified day": (day.isoformat()[:8] + "XX", "month"),
        "none": (None, "unknown"),
    }
    date, precision = forms[draw(st.sampled_from(sorted(forms)))]
    basis = draw(st.sampled_from(DATE_BASES_GIVEN)) if date else "unknown"
    note = draw(texts(max_size=500)) if basis.startswith("inferred") else draw(st.none() | texts(max_size=500))
    cells = {"date": date, "date_precision": precision, "date_basis": basis, "date_note": note}
    return Dating(cells, day if date else None)


@dataclass(frozen=True)
class Source:
    row: Row
    words: list[str]
    text: str


@st.composite
def sources(draw: Draw, source_id: str, number: int) -> Source:
    """A source row and its archived text: words with one space or a line break between them; its first
    three words are long enough to quote."""
    text_words = draw(st.lists(words, min_size=3, max_size=15).filter(lambda w: len(" ".join(w[:3])) >= QUOTE_SHORTEST))
    gaps = draw(st.lists(st.sampled_from(" \n"), min_size=len(text_words), max_size=len(text_words)))
    text = "".join(w + gap for w, gap in zip(text_words, gaps, strict=True))
    file_name = f"{number}-{draw(st.text(alphabet=CROCKFORD, min_size=1, max_size=8))}.txt"
    fixed = {"language": draw(st.sampled_from(LANGUAGES)), "published": draw(datings()).cells["date"]}
    cells = draw(row("sources", **fixed, **source_row(source_id, file_name, text)))
    return Source(cells, text_words, text)


def is_english(language: Cell) -> bool:
    return (language or "").lower() == "en" or (language or "").lower().startswith("en-")


@st.composite
def passages(draw: Draw, source: Source) -> str:
    """A verbatim passage of the source, long enough to quote: up to six consecutive words, however the
    text breaks its lines."""
    words = source.words
    spans = [
        (start, end)
        for start in range(len(words))
        for end in range(start + 1, min(start + 6, len(words)) + 1)
        if len(" ".join(words[start:end])) >= QUOTE_SHORTEST
    ]
    start, end = draw(st.sampled_from(spans))
    return " ".join(words[start:end])


def _maybe(draw: Draw, values: list[str]) -> Cell:
    return draw(st.none() | st.sampled_from(values)) if values else None


@st.composite
def figures(draw: Draw) -> Row:
    """measure and value_* of a claim: no figure at all, or a measure with an ordered range."""
    if not draw(st.booleans()):
        return {"measure": None, "value_min": None, "value_max": None, "value_qualifier": None}
    low = draw(st.integers(0, 1000))
    high = draw(st.none() | st.integers(low, 2000))
    measure = draw(cell_strategy("claims", "measure", filled=True))
    return {
        "measure": measure,
        "value_min": str(low),
        "value_max": _to_cell(high),
        "value_qualifier": draw(cell_strategy("claims", "value_qualifier")),
    }


@dataclass(frozen=True)
class Refs:
    """What a row may point at: the sources (with their words, for verbatim passages) and live ids."""

    sources: list[Source]
    actors: list[str]
    events: list[str]
    places: list[str]


@st.composite
def dated_rows(draw: Draw, table: str, /, **fixed: Cell) -> tuple[Row, Dating]:
    dating = draw(datings())
    return draw(row(table, **fixed, **dating.cells)), dating


@st.composite
def actor_rows(draw: Draw, actor_id: str, earlier: list[str]) -> Row:
    """An actor whose parent, if any, is an actor listed before it (so parents never form a cycle)."""
    return draw(row("actors", actor_id=actor_id, parent_actor_id=_maybe(draw, earlier)))


@st.composite
def actor_name_rows(draw: Draw, name_id: str, refs: Refs) -> Row:
    source = draw(st.sampled_from(refs.sources))
    return draw(
        row(
            "actor_names",
            name_id=name_id,
            actor_id=draw(st.sampled_from(refs.actors)),
            name=draw(passages(source)),
            language=draw(st.sampled_from(LANGUAGES)),
            source_id=source.row["source_id"],
        )
    )


@st.composite
def place_rows(draw: Draw, place_id: str) -> Row:
    """A place with a gazetteer record and both coordinates, with a precision that says so, or with none."""
    if not draw(st.booleans()):
        return draw(
            row(
                "places",
                place_id=place_id,
                gazetteer=None,
                gazetteer_id=None,
                gazetteer_name=None,
                latitude_e5=None,
                longitude_e5=None,
                coordinate_precision="none",
            )
        )
    precisions = [code for code in SCHEMAS["places"]["properties"]["coordinate_precision"]["enum"] if code != "none"]
    return draw(
        row(
            "places",
            place_id=place_id,
            gazetteer=draw(cell_strategy("places", "gazetteer", filled=True)),
            gazetteer_id=draw(cell_strategy("places", "gazetteer_id", filled=True)),
            latitude_e5=draw(cell_strategy("places", "latitude_e5", filled=True)),
            longitude_e5=draw(cell_strategy("places", "longitude_e5", filled=True)),
            coordinate_precision=draw(st.sampled_from(precisions)),
        )
    )


@st.composite
def participant_rows(draw: Draw, participant_id: str, refs: Refs) -> Row:
    event_id, actor_id = draw(st.sampled_from(refs.events)), draw(st.sampled_from(refs.actors))
    return draw(row("participants", participant_id=participant_id, event_id=event_id, actor_id=actor_id))


def count_bases(low: int | None, high: int | None) -> st.SearchStrategy[Cell]:
    """A count_basis that fits the counts (codelist count_bases)."""
    if low is None:
        return st.sampled_from([None, "unknown"])
    if high is None:
        return st.sampled_from(["stated-lower-bound", "sources-disagree"])
    return st.sampled_from(
        ["stated-exact", "sources-disagree"] if low == high else ["stated-range", "sources-disagree"]
    )


@st.composite
def detention_rows(draw: Draw, detention_id: str, refs: Refs) -> Row:
    """A detention with ordered head counts, released (if at all) no earlier than it began."""
    low = draw(st.none() | st.integers(1, 100))
    high = None if low is None else draw(st.none() | st.integers(low, 200))
    detention, dating = draw(
        dated_rows(
            "detentions",
            detention_id=detention_id,
            event_id=_maybe(draw, refs.events),
            place_id=_maybe(draw, refs.places),
            detainee_actor_id=_maybe(draw, refs.actors),
            detaining_actor_id=_maybe(draw, refs.actors),
            parent_detention_id=None,
            case_id=None,
            people_count_min=_to_cell(low),
            people_count_max=_to_cell(high),
            count_basis=draw(count_bases(low, high)),
        )
    )
    released = (dating.earliest or FIRST_DAY) + datetime.timedelta(days=draw(st.integers(0, 1000)))
    return {**detention, "release_date": draw(st.none() | st.just(released.isoformat()))}


@st.composite
def summons_rows(draw: Draw, summons_id: str, refs: Refs) -> Row:
    summons, _ = draw(
        dated_rows(
            "diplomatic_summons",
            summons_id=summons_id,
            event_id=_maybe(draw, refs.events),
            trigger_event_id=_maybe(draw, refs.events),
            summoning_actor_id=draw(st.sampled_from(refs.actors)),
            summoned_actor_id=_maybe(draw, refs.actors),
        )
    )
    return summons


@st.composite
def claim_rows(draw: Draw, claim_id: str, refs: Refs) -> Row:
    """A claim: a verbatim passage, translated when not in English."""
    source = draw(st.sampled_from(refs.sources))
    return draw(
        row(
            "claims",
            claim_id=claim_id,
            source_id=source.row["source_id"],
            quote=draw(passages(source)),
            quote_en=draw(cell_strategy("claims", "quote_en", filled=not is_english(source.row["language"]))),
            claimant_actor_id=_maybe(draw, refs.actors),
            via_actor_id=_maybe(draw, refs.actors),
            **draw(figures()),
        )
    )


def statement(claim: Row) -> tuple[Cell, ...]:
    """What makes two claims one statement (the rule quote-stored-twice)."""
    fields = ("source_id", "claimant_actor_id", "via_actor_id", "status", "measure", "value_min", "value_max")
    return (normalise_whitespace(claim["quote"] or ""), *(claim[f] for f in (*fields, "value_qualifier")))


@st.composite
def tombstone_rows(draw: Draw, data: PackageData) -> list[Row]:
    """Retired ids never used by a live row, each optionally replaced by a live row of its table."""
    taken = {key for table in ID_TABLES for key in data.ids(table)}
    rows = []
    for _ in range(draw(st.integers(0, 2))):
        table = draw(st.sampled_from(sorted(ID_TABLES)))
        retired = draw(ids(table).filter(lambda key: key not in taken))
        taken.add(retired)
        rows.append(draw(row("tombstones", retired_id=retired, table=table, replaced_by=_maybe(draw, data.ids(table)))))
    return rows


@st.composite
def packages(draw: Draw) -> PackageData:
    """A whole valid package: every reference resolves, every fact row has one or two verbatim claims."""

    def keys(table: str, low: int, high: int) -> list[str]:
        count = draw(st.integers(low, high))
        return draw(st.lists(ids(table), min_size=count, max_size=count, unique=True))

    found = [draw(sources(source_id, n)) for n, source_id in enumerate(keys("sources", 1, 3))]
    actor_ids = keys("actors", 1, 3)
    refs = Refs(found, actor_ids, keys("events", 0, 3), keys("places", 0, 2))
    data = PackageData(
        {
            "sources": [s.row for s in found],
            "actors": [draw(actor_rows(a, actor_ids[:n])) for n, a in enumerate(actor_ids)],
            "actor_names": [draw(actor_name_rows(n, refs)) for n in keys("actor_names", 0, 3)],
            "places": [draw(place_rows(p)) for p in refs.places],
            "events": [
                draw(dated_rows("events", event_id=e, case_id=None, place_id=_maybe(draw, refs.places)))[0]
                for e in refs.events
            ],
            "participants": [draw(participant_rows(p, refs)) for p in keys("participants", 0, 3 * bool(refs.events))],
            "detentions": [draw(detention_rows(d, refs)) for d in keys("detentions", 0, 2)],
            "diplomatic_summons": [draw(summons_rows(s, refs)) for s in keys("diplomatic_summons", 0, 2)],
            "cases": [],
        },
        {s.row["file_name"] or "": s.text for s in found},
    )
    targets = [(column, key) for table, column in EVIDENCED.items() for key in data.ids(table)]
    supported = [target for target in targets for _ in range(draw(st.integers(1, 2)))]
    claim_ids = keys("claims", len(supported), len(supported))
    link_ids = keys(LINKS, len(supported), len(supported))
    claims: dict[tuple[Cell, ...], Row] = {}  # a statement drawn again is the first claim linked once more
    links: list[Row] = []
    for claim_id, link_id, (column, key) in zip(claim_ids, link_ids, supported, strict=True):
        claim = draw(claim_rows(claim_id, refs))
        first = claims.setdefault(statement(claim), claim)
        link = {c: None for c in EVIDENCED.values()} | {"link_id": link_id, "claim_id": first["claim_id"], column: key}
        if not any(old["claim_id"] == first["claim_id"] and old[column] == key for old in links):
            links.append(link)
    data.tables["claims"] = list(claims.values())
    data.tables[LINKS] = links
    data.tables["tombstones"] = draw(tombstone_rows(data))
    return data
