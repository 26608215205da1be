"""The website in a real browser: headless Chromium, the system's own (Debian's `chromium`), driven by
Playwright, opens the built site from file:// URLs as a reader who downloaded the release would.

Every page is watched: a request for anything but the site's own files, or an error on the console, fails
the test. Screenshots go to test-artefacts/screenshots/. The tests are slow (`make test-slow`); without
Chromium (or Playwright) they are skipped, saying why, unless AZRU_BROWSER=required (set by .ci/run), which
makes that a failure.
"""

import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from azru import search
from releases import REPO, Built

# `texts`, a fixture, is used by the name of the tests' parameters, which ruff takes for a redefinition
from test_search import ARABIC_QUERIES, ENGLISH_QUERIES, MIN_RECALL, Row, scan, texts  # noqa: F401

try:
    from playwright import sync_api as playwright
except ImportError:  # said when the tests would start
    playwright = None  # type: ignore[assignment]

SCREENSHOTS = REPO / "test-artefacts" / "screenshots"
pytestmark = pytest.mark.slow  # starting the browser alone takes seconds
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
LATIN_SAMPLE = "Chargé d'Affaires STRAßE İlham Ёлка ﬁnal ΟΔΟΣ Ǆemal Ångström naïve Æsir ŒUVRE ĳ Ǳ ﬀ Ⅻ ①"


@pytest.fixture(scope="module")
def browser() -> Iterator["playwright.Browser"]:
    missing = [
        what
        for what, found in (("Chromium (apt-get install chromium)", CHROMIUM), ("Playwright", playwright))
        if not found
    ]
    if missing:
        reason = f"browser tests not run: {' and '.join(missing)} not installed; .ci/run installs and runs them"
        if os.environ.get("AZRU_BROWSER") == "required":
            pytest.fail(reason)
        pytest.skip(reason)
    with playwright.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM)
        yield launched
        launched.close()


@pytest.fixture
def site(repository: Built) -> Path:
    return repository.out / "site"


@pytest.fixture
def page(browser: "playwright.Browser", site: Path) -> Iterator["playwright.Page"]:
    """A fresh page that records every request and console error, and checks them when the test ends."""
    opened = browser.new_page()
    requested: list[str] = []
    errors: list[str] = []
    opened.on("request", lambda request: requested.append(request.url))
    opened.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    opened.close()
    own = site.as_uri() + "/"
    assert [url for url in requested if not url.startswith(own)] == []
    assert errors == []


def screenshot(page: "playwright.Page", name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def arabic_event(built: Built) -> str:
    """An event with a claim quoted from an Arabic source."""
    with closing(sqlite3.connect(built.database)) as con:
        (event,) = con.execute(
            "SELECT l.event_id FROM claim_links AS l JOIN claims AS c USING (claim_id) "
            "JOIN sources AS s USING (source_id) WHERE s.language = 'ar' AND l.event_id IS NOT NULL "
            "ORDER BY l.rowid LIMIT 1"
        ).fetchone()
    return str(event)


def test_landing_page_shows_the_dataset_its_figures_and_downloads(page: "playwright.Page", site: Path) -> None:
    page.goto((site / "index.html").as_uri())
    assert "Azerbaijan" in page.title()
    assert page.locator("img").evaluate_all("figures => figures.map(f => f.complete && f.naturalWidth > 0)") == [
        True,
        True,
    ]
    assert page.locator('script[type="application/ld+json"]').count() == 1
    assert page.get_by_role("heading", name="Downloads").is_visible()
    screenshot(page, "landing")


def test_an_arabic_event_page_sets_its_quotes_right_to_left(
    page: "playwright.Page", site: Path, repository: Built
) -> None:
    event = arabic_event(repository)
    page.goto((site / "events" / f"{event}.html").as_uri())
    quotes = page.locator('blockquote[lang="ar"][dir="rtl"]')
    assert quotes.count() >= 1
    assert quotes.first.evaluate("quote => getComputedStyle(quote).direction") == "rtl"
    screenshot(page, "arabic-event")


@pytest.mark.parametrize(("query", "name"), [("قُتل", "search-arabic"), ("tortured", "search-english")])
def test_typing_a_query_lists_what_the_index_finds(
    page: "playwright.Page",
    site: Path,
    texts: dict[Row, list[str]],  # noqa: F811
    query: str,
    name: str,
) -> None:
    page.goto((site / "search.html").as_uri())
    page.locator("#query").press_sequentially(query)
    expected = scan(texts, query)
    page.wait_for_function(
        "wanted => document.getElementById('status').textContent.startsWith(wanted)", arg=f"{len(expected)} found"
    )
    assert page.locator("#results li").count() == min(len(expected), 200)
    page.locator("#results a").first.click()
    assert page.url.startswith(site.as_uri()) and page.locator("h1").is_visible()
    screenshot(page, name)


def test_the_site_search_finds_what_a_normalised_substring_scan_finds(
    page: "playwright.Page",
    site: Path,
    texts: dict[Row, list[str]],  # noqa: F811
) -> None:
    page.goto((site / "search.html").as_uri())
    queries = ARABIC_QUERIES + ENGLISH_QUERIES
    found = page.evaluate("queries => queries.map(q => azruSearch.search(q).map(([t, k]) => t + ' ' + k))", queries)
    expected = {(query, f"{table} {key}") for query in queries for table, key in scan(texts, query)}
    hits = {(query, row) for query, rows in zip(queries, found, strict=True) for row in rows}
    assert len(hits & expected) / len(expected) >= MIN_RECALL
    assert len(hits & expected) / len(hits) >= MIN_RECALL


def test_the_site_normalises_as_python_does(page: "playwright.Page", site: Path) -> None:
    page.goto((site / "search.html").as_uri())
    samples = [chr(code) for code in range(0x0600, 0x0700)] + LATIN_SAMPLE.split() + [LATIN_SAMPLE]
    folded = page.evaluate("samples => samples.map(azruSearch.normalise)", samples)
    assert {s: f for s, f in zip(samples, folded, strict=True) if f != search.normalise(s)} == {}
