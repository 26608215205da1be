"""The pages' common frame: escaping, the layout every page shares and its style sheet.

Every cell is hostile: text reaches a page only through `text()` (or `json_script()` for JSON-LD), and an
address only through `link()` with a path the site made itself, never one taken from a cell.
"""

import html
import json
import re
from typing import Any

STYLE = "assets/site.css"
# Languages written right to left; a quote in one is set `dir="rtl"`.
RIGHT_TO_LEFT = frozenset({"ar", "arc", "ckb", "dv", "fa", "he", "ps", "sd", "ug", "ur", "yi"})
LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{1,8})*")
# Nothing but the site's own files: a page that escaped its escaping still could not load or send anything.
POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'"

CSS = """\
body { font-family: system-ui, sans-serif; line-height: 1.5; margin: 0 auto; max-width: 60rem; padding: 1rem; }
header nav a { margin-right: 1rem; }
table { border-collapse: collapse; }
th, td { border-bottom: 1px solid #d1d5db; padding: 0.25rem 0.5rem; text-align: start; vertical-align: top; }
code { overflow-wrap: anywhere; }
dl.fields { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; }
dl.fields dt { font-weight: bold; }
dl.fields dd { margin: 0; }
.claim { border-left: 4px solid #1d4ed8; margin: 1rem 0; padding: 0.5rem 1rem; background: #f3f4f6; }
blockquote { margin: 0 0 0.5rem; font-size: 1.1rem; }
blockquote[dir="rtl"] { font-size: 1.25rem; }
.notice { background: #fef3c7; padding: 0.5rem 1rem; }
details > summary { cursor: pointer; }
#results li { margin: 0.5rem 0; }
img { max-width: 100%; height: auto; }
"""


def text(value: object) -> str:
    """A cell as HTML text: every character that could start markup is escaped, quotes too."""
    return html.escape(str(value), quote=True)


def link(href: str, label: str) -> str:
    """An `<a>` to a path the site made; `label` is escaped here, and set in its own direction (an Arabic
    title among English)."""
    return f'<a href="{text(href)}" dir="auto">{text(label)}</a>'


def language_attributes(language: object) -> str:
    """`lang` (and `dir="rtl"` for a right-to-left script) for a language code cell; none for a malformed one."""
    if not isinstance(language, str) or not LANGUAGE_TAG.fullmatch(language):
        return ""
    direction = ' dir="rtl"' if language.split("-")[0] in RIGHT_TO_LEFT else ""
    return f' lang="{language}"{direction}'


def json_script(data: Any) -> str:
    """JSON for a `<script type="application/ld+json">`: `<`, `>` and `&` as escapes, so no cell can close it."""
    encoded = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
    encoded = encoded.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    return f'<script type="application/ld+json">\n{encoded}\n</script>'


def page(title: str, body: str, depth: int, head: str = "", scripts: tuple[str, ...] = ()) -> str:
    """A whole page. `depth` is how many folders below the site's root it lies, for its relative links;
    `head` is trusted markup for the head (the JSON-LD), `scripts` paths of the site's own scripts."""
    up = "../" * depth
    loaded = "".join(f'<script src="{up}{path}"></script>\n' for path in scripts)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{text(title)}</title>\n"
        f'<link rel="stylesheet" href="{up}{STYLE}">\n{head}'
        "</head>\n<body>\n"
        f'<header><nav><a href="{up}index.html">Home</a><a href="{up}search.html">Search</a></nav></header>\n'
        f"<main>\n<h1>{text(title)}</h1>\n{body}</main>\n{loaded}</body>\n</html>\n"
    )
