"""Search: the normalisation both sides of a search go through (azru.search); the full-text indexes of the
repository's release, query by query against a plain scan of the same rows; and datasette's search, labels
and facets, through datasette's own test client."""

import json
import re
import sqlite3
import unicodedata
from contextlib import closing

import pytest
from azru import search
from azru.release.datasette import ARABIC_BLOCK, folding_steps
from azru.release.sqlite import searched_columns
from azru.sql import identifier
from datasette.utils import escape_fts
from hypothesis import given
from hypothesis import strategies as st
from releases import REPO, Built, datasette_get, search_hits

QUERYING = REPO / "docs" / "querying.md"
ARABIC_QUERIES = [
    # marks: harakat and tanwin in the text or in the query
    "قتل",
    "قُتل",
    "اعتقل",
    "شخصا",
    "شخصًا",
    "تحقيقًا",
    "أُمر",
    # alef with hamza or madda, bare alef
    "أذربيجان",
    "اذربيجان",
    "آذربيجان",
    "إيلهام",
    "ايلهام",
    "اعمال",
    "اشخاص",
    # ى and ي, ة and ه, hamza carriers
    "على",
    "لدي",
    "روسيه",
    "مدينه",
    "مسؤول",
    "الشئون",
    # prefixes (ال، و، ب) and words inside words, tatweel, Arabic-Indic digits
    "الروسية",
    "باكو",
    "تعذيب",
    "كرملين",
    "يكاترينبورغ",
    "إيكاترينبرغ",
    "روسـيا",
    "٢٠٢٤",
    # several terms, a phrase, either of two
    "قلق جاد",
    '"الخارجية الروسية"',
    "الامنية OR امنيه",
    "ألييف OR علييف",
]
ENGLISH_QUERIES = [
    "raid",
    "torture OR tortured",
    "tortur*",
    "tortured",
    "Yekaterinburg",
    "Sputnik",
    "Aliyev",
    "ambassador",
    "Baku",
    "killed",
    "detained",
    '"security forces"',
    "Putin",
    "aircraft crash",
    "Azerbaijan Airlines",
    "Grozny",
    "journalists",
    "protest",
    "Zelensky",
    "Kremlin",
    "MUSTAFAYEV",
    "FSB",
    "apology",
    "Chechnya",
    "embassy",
    "chargé",
]
MIN_RECALL = 0.95
Row = tuple[str, str]  # (table, primary key)


# --- the normalisation ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("قُتِلَ", "قتل"),  # harakat
        ("شخصًا", "شخصا"),  # tanwin
        ("شدّة", "شده"),  # shadda; teh marbuta
        ("رحمٰن", "رحمن"),  # superscript alef
        ("عـــربي", "عربي"),  # tatweel
        ("أإآٱا", "ااااا"),  # alef forms
        ("مسؤول مسئول", "مسءول مسءول"),  # hamza carriers
        ("على ی", "علي ي"),  # alef maqsura, Persian yeh
        ("ﻻ ﺃﺫﺭﺑﻴﺠﺎﻥ", "لا اذربيجان"),  # presentation forms
        ("٢٥ ۱۹", "25 19"),  # Arabic-Indic digits
        ("Chargé d'Affaires", "charge d'affaires"),  # case, accents
        ("STRAßE İlham Ёлка", "strasse ilham елка"),  # full case folding, marks in every script
        ("a\u200cb\u200fc\u00add", "abcd"),  # zero-width non-joiner, direction mark, soft hyphen
    ],
)
def test_normalise_folds_marks_letter_forms_and_case(text: str, expected: str) -> None:
    assert search.normalise(text) == expected


@given(st.text() | st.text(st.characters(min_codepoint=ARABIC_BLOCK.start, max_codepoint=ARABIC_BLOCK.stop - 1)))
def test_normalised_text_has_no_marks_and_normalises_to_itself(text: str) -> None:
    normalised = search.normalise(text)
    assert search.normalise(normalised) == normalised
    assert not [c for c in normalised if unicodedata.category(c) in search.REMOVED_CATEGORIES or c in search.REPLACED]


def test_a_query_keeps_its_operators_and_folds_its_terms() -> None:
    assert search.normalise_query('"Security Forces" OR أُمر NOT Baku*') == '"security forces" OR امر NOT baku*'


def test_connect_registers_the_sql_functions() -> None:
    with closing(search.connect(":memory:")) as con:
        row = con.execute("SELECT azru_normalise('أُمر'), azru_normalise(NULL), azru_query('Raid OR Torture')")
        assert row.fetchone() == ("امر", None, "raid OR torture")


# --- the full-text indexes against a scan ------------------------------------------------------------------


@pytest.fixture(scope="module")
def texts(repository: Built) -> dict[Row, list[str]]:
    """The normalised searchable texts of every row that has any, read from the tables (not the indexes)."""
    package, found = repository.package, {}
    with closing(sqlite3.connect(repository.database)) as con:
        for name, searched in searched_columns(package).items():
            (key,) = package.tables[name].primary_key
            for row_key, *values in con.execute(
                f"SELECT {identifier(key)}, {', '.join(map(identifier, searched))} FROM {identifier(name)}"
            ):
                found[(name, row_key)] = [search.normalise(value) for value in values if value is not None]
    return found


def scan(texts: dict[Row, list[str]], query: str) -> set[Row]:
    """The rows a plain substring scan finds for `query`: all of its terms (a word, or a quoted phrase) in
    one of the row's texts, for any one of its `OR` alternatives; a trailing `*` adds nothing to a substring."""
    hits = set()
    for alternative in query.split(" OR "):
        terms = [search.normalise(t.strip('"').removesuffix("*")) for t in re.findall(r'"[^"]*"|\S+', alternative)]
        hits |= {row for row, found in texts.items() if all(any(term in text for text in found) for term in terms)}
    return hits


def test_the_query_set_is_twenty_arabic_and_twenty_english_at_least() -> None:
    assert len(set(ARABIC_QUERIES)) >= 20 and len(set(ENGLISH_QUERIES)) >= 20


@pytest.mark.parametrize("query", ARABIC_QUERIES + ENGLISH_QUERIES)
def test_search_finds_what_a_normalised_substring_scan_finds(
    repository: Built, texts: dict[Row, list[str]], query: str
) -> None:
    expected, found = scan(texts, query), search_hits(repository, query)
    assert expected, f"{query}: the scan finds nothing, so the query tests nothing"
    recall, precision = len(found & expected) / len(expected), len(found & expected) / max(len(found), 1)
    figures = f"{query}: {len(found)} found, {len(expected)} expected, recall {recall:.2f}, precision {precision:.2f}"
    assert recall >= MIN_RECALL, figures
    assert precision >= MIN_RECALL, figures  # finding every row would have full recall


def test_search_recall_over_all_queries(repository: Built, texts: dict[Row, list[str]]) -> None:
    expected = {(query, row) for query in ARABIC_QUERIES + ENGLISH_QUERIES for row in scan(texts, query)}
    found = {(query, row) for query in ARABIC_QUERIES + ENGLISH_QUERIES for row in search_hits(repository, query)}
    assert len(found & expected) / len(expected) >= MIN_RECALL


# --- datasette -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("table", "query"), [("events", "raid"), ("claims", "قتل"), ("actors", "ministry")])
def test_datasette_search_filters_a_table_as_its_index(repository: Built, table: str, query: str) -> None:
    key = repository.package.tables[table].primary_key[0]
    status, page = datasette_get(repository, f"{table}.json?_search={query}&_shape=objects&_size=max")
    assert status == 200
    assert {(table, row[key]) for row in page["rows"]} == {
        hit for hit in search_hits(repository, query) if hit[0] == table
    }


def test_datasette_raw_search_mode_takes_fts5_syntax(repository: Built) -> None:
    status, page = datasette_get(repository, "claims.json?_search=torture+OR+tortured&_searchmode=raw&_size=max")
    expected = {hit for hit in search_hits(repository, "torture OR tortured") if hit[0] == "claims"}
    assert (status, page["filtered_table_rows_count"]) == (200, len(expected))


@pytest.mark.parametrize("query", [q for q in ARABIC_QUERIES if not re.search(r'"|\*| OR ', q)])
def test_datasette_canned_search_folds_arabic_as_typed(repository: Built, query: str) -> None:
    status, page = datasette_get(repository, f"search.json?text={query}&_shape=objects&_size=max")
    assert status == 200
    assert {(row["table_name"], row["row_id"]) for row in page["rows"]} == search_hits(repository, query)


def test_datasette_canned_search_folds_every_arabic_character_as_normalise() -> None:
    con = sqlite3.connect(":memory:")
    con.create_function("escape_fts", 1, escape_fts)
    fold = "WITH " + ", ".join(folding_steps("?")) + " SELECT terms FROM wanted"
    for char in map(chr, ARABIC_BLOCK):
        assert con.execute(fold, [char]).fetchone() == (escape_fts(search.normalise(char)) or '""',), hex(ord(char))
    con.close()


def test_datasette_labels_each_reference_with_a_name(repository: Built) -> None:
    status, page = datasette_get(
        repository, "claims.json?_labels=on&_shape=objects&claimant_actor_id__notblank=1&_size=1"
    )
    (row,) = page["rows"]
    with closing(sqlite3.connect(repository.database)) as con:
        actor = row["claimant_actor_id"]["value"]
        (name,) = con.execute("SELECT name_en FROM actors WHERE actor_id = ?", [actor]).fetchone()
        (label,) = con.execute("SELECT label FROM claim_statuses WHERE code = ?", [row["status"]["value"]]).fetchone()
    assert (status, row["claimant_actor_id"]["label"], row["status"]["label"]) == (200, name, label)


def test_every_referenced_table_has_a_label_column(repository: Built) -> None:
    metadata = json.loads((repository.out / "metadata.json").read_text(encoding="utf-8"))
    described = metadata["databases"][repository.database.stem]["tables"]
    tables = repository.package.tables
    for name in {target for table in tables.values() for _, target, _ in table.references()}:
        assert described[name].get("label_column") in tables[name].field_names, name


@pytest.mark.parametrize(
    ("table", "facets"),
    [("events", {"event_type", "country"}), ("claims", {"status", "source_id"}), ("detentions", {"status", "country"})],
)
def test_datasette_offers_facets(repository: Built, table: str, facets: set[str]) -> None:
    status, page = datasette_get(repository, f"{table}.json")
    assert (status, set(page["facet_results"])) == (200, facets)


def test_datasette_urls_in_the_docs_find_rows(repository: Built) -> None:
    urls = [
        line
        for block in re.findall(r"```datasette\n(.*?)```", QUERYING.read_text(encoding="utf-8"), re.DOTALL)
        for line in block.splitlines()
    ]
    assert urls
    for url in urls:
        page_path, _, query = url.removeprefix(f"/{repository.database.stem}/").partition("?")
        status, page = datasette_get(repository, f"{page_path}.json?{query}")
        assert (status, bool(page["rows"])) == (200, True), url
