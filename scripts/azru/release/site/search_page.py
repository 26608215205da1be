"""The site's search: an index of the same rows and normalised text as the release's SQLite full-text index,
and a script that folds the query as azru.search.normalise does and matches it as the index would.

The index is a script (`window.AZRU_INDEX = [...]`) rather than JSON, as a browser refuses to fetch a file
from a page opened as a file. The folding's tables (marks and format characters removed, letters replaced,
case folded where Python's casefold differs from lower case) are written into the script from azru.search,
so the two cannot drift apart; the rest of normalise is NFKD and lower case, which JavaScript has.
"""

import json
import sys
from functools import cache
from typing import Any

import polars as pl

from azru import search
from azru.release.site.html import page
from azru.release.site.model import Site
from azru.release.sqlite import searched_columns
from azru.text import code_point_ranges

INDEX = "assets/search-index.js"
SCRIPT = "assets/search.js"
MAX_RESULTS = 200

# Each index entry: [table, key, page path or null, title of that page, [normalised texts]]. A row is found
# when, for one of the query's OR alternatives, each term (a word or a quoted phrase, a trailing * dropped)
# is part of one of its texts, which is what the trigram index finds.
SEARCH_JS = """\
"use strict";
(function () {
  const removed = new RegExp("[" + FOLDING.removed + "]", "gu");

  function normalise(text) {
    let decomposed = text.normalize("NFKD");
    for (const carrier of FOLDING.carriers) {
      decomposed = decomposed.split(carrier + FOLDING.hamzaAbove).join(FOLDING.hamza);
    }
    let folded = "";
    for (const char of decomposed) {
      folded += FOLDING.casefold[char] ?? char.toLowerCase();
    }
    let out = "";
    for (const char of folded.replace(removed, "")) {
      out += FOLDING.replaced[char] ?? char;
    }
    return out;
  }

  function terms(alternative) {
    const found = alternative.match(/"[^"]*"|\\S+/g) || [];
    return found.map((term) => normalise(term.replace(/^"+|"+$/g, "").replace(/\\*$/, "")));
  }

  function search(query) {
    if (!query.trim()) {
      return [];
    }
    const alternatives = query.split(" OR ").map(terms);
    return window.AZRU_INDEX.filter(([, , , , texts]) =>
      alternatives.some((wanted) => wanted.every((term) => texts.some((text) => text.includes(term))))
    );
  }

  function show(query) {
    const results = document.getElementById("results");
    const found = search(query);
    results.replaceChildren();
    for (const [table, key, path, title] of found.slice(0, MAX_RESULTS)) {
      const item = document.createElement("li");
      const place = path ? document.createElement("a") : document.createElement("span");
      if (path) {
        place.href = path;
      }
      place.textContent = title;
      item.append(table + " " + key + ": ", place);
      results.append(item);
    }
    const shown = found.length > MAX_RESULTS ? " (the first " + MAX_RESULTS + " shown)" : "";
    document.getElementById("status").textContent = query.trim() ? found.length + " found" + shown : "";
  }

  window.azruSearch = { normalise, search };
  const input = document.getElementById("query");
  if (input) {
    input.addEventListener("input", () => show(input.value));
    document.getElementById("search").addEventListener("submit", (event) => event.preventDefault());
    input.value = new URLSearchParams(window.location.search).get("q") || "";
    show(input.value);
  }
})();
"""

SEARCH_BODY = """\
<p>Finds events, claims, actors, detentions and summonses by their text, in Arabic, English or any language of
the sources. Vowel marks, hamza forms, ى/ي, ة/ه, tatweel, accents and case are ignored, and a word is found
inside longer ones (with ال، و، ب attached). Several words must all appear; <code>OR</code> between words finds
either; quotes find a phrase.</p>
<form id="search" role="search"><label for="query">Search</label>
<input id="query" type="search" autocomplete="off" size="40"></form>
<p id="status" aria-live="polite"></p>
<ol id="results"></ol>
"""


def search_page() -> str:
    return page("Search", SEARCH_BODY, depth=0, scripts=(INDEX, SCRIPT))


def search_script() -> str:
    folding = {
        "carriers": list(search.CARRIERS),
        "hamza": search.HAMZA,
        "hamzaAbove": search.HAMZA_ABOVE,
        "casefold": casefold_differences(),
        "removed": character_class([code for code, new in search.folding().items() if new is None]),
        "replaced": search.REPLACED,
    }
    data = json.dumps(folding, ensure_ascii=True, sort_keys=True)
    return f"const FOLDING = {data};\nconst MAX_RESULTS = {MAX_RESULTS};\n{SEARCH_JS}"


def search_index(site: Site) -> str:
    """Every row with searchable text, linked to its own page or to the first page it refers to; when pages
    were capped, only the rows with a page to link to."""
    entries: list[list[Any]] = []
    capped = bool(site.capped())
    for name, searched in searched_columns(site.package).items():
        table = site.package.tables[name]
        (key,) = table.primary_key
        targets = [(local, target) for local, target, _ in table.references() if target in site.titles]
        if name in site.titles:
            targets.insert(0, (key, name))
        frame = site.frames[name].select(list(dict.fromkeys([key, *searched, *(local for local, _ in targets)])))
        if capped:  # only the rows linked to a page: the rest are not read, let alone normalised
            linked_rows = [pl.col(local).is_in(list(site.titles[target])) for local, target in targets]
            frame = frame.filter(pl.any_horizontal(linked_rows)) if linked_rows else frame.clear()
        for row in frame.iter_rows(named=True):
            texts = [search.normalise(row[column]) for column in searched if row[column] is not None]
            linked = next(((t, row[local]) for local, t in targets if site.path(t, row[local])), None)
            if texts and (linked or not capped):
                path = site.path(*linked) if linked else None
                title = site.titles[linked[0]][linked[1]] if linked else str(row[key])
                entries.append([name, row[key], path, title, texts])
    return "window.AZRU_INDEX = " + json.dumps(entries, ensure_ascii=False, separators=(",", ":")) + ";\n"


@cache
def casefold_differences() -> dict[str, str]:
    """The characters whose Python casefold is not their lower case (ß → ss, ς → σ), which JavaScript lacks;
    made once, as it reads all of Unicode."""
    chars = map(chr, range(sys.maxunicode + 1))
    return {char: char.casefold() for char in chars if char.casefold() != char.lower()}


def character_class(codes: list[int]) -> str:
    """A regular expression character class body (`u` flag) of the code points, as ranges."""
    return "".join(
        f"\\u{{{low:x}}}" + (f"-\\u{{{high:x}}}" if high > low else "") for low, high in code_point_ranges(codes)
    )
