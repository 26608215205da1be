"""The text normalisation behind full-text search, the same for the indexed text and for the query.

Readers type Arabic without vowel marks, with or without hamza, and English in any case; quotes keep the
spelling of their source. Both sides are folded to one form, in this order:

1. Unicode NFKD: compatibility forms become plain letters (Arabic presentation forms, ligatures such as
   ﻻ, full-width Latin) and letters split into a base letter and marks (أ = ا + hamza above,
   ؤ = و + hamza above, ئ = ي + hamza above, آ = ا + madda, é = e + acute).
2. Hamza on a carrier, و or ي followed by hamza above, becomes the hamza alone: ء.
3. Case folding as Python's `str.casefold` (full Unicode folding: ß → ss, ς → σ, İ → i).
4. Removed: every nonspacing mark (Unicode category Mn, in every script) — Arabic harakat, tanwin, shadda,
   sukun, superscript alef and the hamza and madda split off alef in step 1, Latin accents, й → и,
   ё → е — every format character (category Cf: zero-width joiners, direction marks, soft hyphen), and
   tatweel ـ.
5. Replaced: alef wasla ٱ → ا; alef maqsura ى and Persian yeh ی → ي; teh marbuta ة → ه; Arabic-Indic
   digits ٠–٩ and ۰–۹ → 0–9.

Why these: hamza on alef is often left out in writing, so أ إ آ ٱ and ا are one letter; on و and ي the
carrier varies with the spelling convention (مسؤول and مسئول, شؤون and شئون) while the hamza is rarely left
out, so the carrier goes and ء stays (both spellings become مسءول). Teh marbuta and heh, alef maqsura and
yeh, are written for each other, and search engines fold them so (Lucene's ArabicNormalizer); the price is
that على (on) and علي (Ali) become one word. Words keep their prefixes (ال، و، ب، ل، ف، ك): the index matches
substrings, so «قتل» finds «وقتل» and «القتل» without stripping them.

This module needs only the standard library, so it can be copied next to a downloaded release.
"""

import re
import sqlite3
import sys
import unicodedata
from collections.abc import Callable
from functools import cache
from pathlib import Path

NORMALISE_FUNCTION = "azru_normalise"
QUERY_FUNCTION = "azru_query"
TATWEEL = "\u0640"
HAMZA, HAMZA_ABOVE = "\u0621", "\u0654"
CARRIERS = ("\u0648", "\u064a")  # waw, yeh
REPLACED = {
    "\u0671": "\u0627",  # alef wasla → alef
    "\u0649": "\u064a",  # alef maqsura → yeh
    "\u06cc": "\u064a",  # Persian yeh → yeh
    "\u0629": "\u0647",  # teh marbuta → heh
    **{chr(0x0660 + digit): str(digit) for digit in range(10)},
    **{chr(0x06F0 + digit): str(digit) for digit in range(10)},
}
REMOVED_CATEGORIES = ("Mn", "Cf")
# FTS5's operators are upper case, so a query's operators are kept while its terms are folded.
QUERY_OPERATOR = re.compile(r"\b(AND|OR|NOT|NEAR)\b")


def normalise(text: str) -> str:
    """`text` folded as the module's docstring says."""
    if text.isascii():  # no marks, format characters or compatibility forms: only the case to fold
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    for carrier in CARRIERS:
        decomposed = decomposed.replace(carrier + HAMZA_ABOVE, HAMZA)
    return decomposed.casefold().translate(folding())


def normalise_query(query: str) -> str:
    """An FTS5 query with every term normalised and its operators AND, OR, NOT and NEAR left as they are."""
    # split() puts the operators it matched at the odd places
    parts = QUERY_OPERATOR.split(query)
    return "".join(part if place % 2 else normalise(part) for place, part in enumerate(parts))


@cache
def folding() -> dict[int, str | None]:
    """The `str.translate` table of steps 4 and 5, made on first use: finding the marks reads all of Unicode."""
    removed = (char for char in map(chr, range(sys.maxunicode + 1)) if unicodedata.category(char) in REMOVED_CATEGORIES)
    return {ord(char): None for char in [*removed, TATWEEL]} | {ord(old): new for old, new in REPLACED.items()}


def register(con: sqlite3.Connection) -> None:
    """Make `azru_normalise(text)` and `azru_query(fts5_query)` callable in SQL on `con`; NULL stays NULL."""
    con.create_function(NORMALISE_FUNCTION, 1, keep_null(normalise), deterministic=True)
    con.create_function(QUERY_FUNCTION, 1, keep_null(normalise_query), deterministic=True)


def keep_null(function: Callable[[str], str]) -> Callable[[str | None], str | None]:
    return lambda text: None if text is None else function(text)


def connect(database: str | Path) -> sqlite3.Connection:
    """A connection to a release's database with the normalising functions registered."""
    con = sqlite3.connect(database)
    register(con)
    return con
