"""The landing page: what the dataset is, the provenance promise, the timeline, the map, counts, downloads, how to
cite and the licence with its exception for quoted text; and a list page per page table."""

from azru.package import Table
from azru.release.map import places, text_alternative
from azru.release.site.downloads import Download
from azru.release.site.html import json_script, link, page, text
from azru.release.site.jsonld import dataset
from azru.release.site.model import PAGE_CAP, Site

FIGURE = "assets/events-by-date.svg"
MAP = "assets/events-by-place.svg"
PROMISE = """\
<h2>The provenance promise</h2>
<ul>
<li>Only facts stated by the sources are in the tables: nothing from memory, nothing guessed; a missing date
stays missing, with its precision said.</li>
<li>Each event, detention, diplomatic summons and actor has at least one claim: an exact passage of a source
document, in its own language, with an English rendering; <code>azru validate</code> checks every quote against
the archived sources, identified by SHA-256.</li>
<li>Who says what is recorded (claimant and status); the dataset itself takes no side.</li>
</ul>
"""
QUOTATION_EXCEPTION = """\
<p>Quoted source text is not relicensed: the verbatim passages (<code>claims.quote</code>), names as a source
writes them (<code>actor_names.name</code>) and source titles (<code>sources.title</code>) belong to their authors
and publishers and are quoted under the right of quotation (Berne Convention, Article 10(1)), each with its source
named. Whoever reuses them relies on the right of quotation, fair dealing or fair use where they are, and should
keep each quote with its source. The English renderings are the maintainers' and under the licence above. See
LICENSE in the repository.</p>
"""


def landing_page(site: Site, files: list[Download]) -> str:
    descriptor = site.package.descriptor
    title = descriptor.get("title") or descriptor["name"]
    body = f"<p>{text(descriptor.get('description', ''))}</p>\n"
    body += f"<p>Version {text(descriptor['version'])}. "
    body += f"{link('search.html', 'Search the claims and records')}.</p>\n"
    body += cap_notice(site) + PROMISE
    body += f'<h2>Timeline</h2>\n<img src="{FIGURE}" alt="Events by date and type">\n'
    body += f'<h2>Map</h2>\n<img src="{MAP}" alt="{text(text_alternative(places(site.frames)))}">\n'
    body += counts(site) + downloads_table(files) + citation(site) + licence(site)
    return page(title, body, depth=0, head=json_script(dataset(site, files)) + "\n")


def cap_notice(site: Site) -> str:
    capped = site.capped()
    if not capped:
        return ""
    tables = ", ".join(f"{name} ({rows:,} rows)" for name, rows in capped.items())
    return (
        f'<p class="notice">This site shows the first {PAGE_CAP:,} rows of each table as pages; {text(tables)} '
        "have more. The downloads hold every row.</p>\n"
    )


def counts(site: Site) -> str:
    pages = {table.name for table in site.page_tables}
    rows = []
    for table in site.package.fact_tables:
        name = link(f"{table.name}.html", table.name) if table.name in pages else text(table.name)
        rows.append(
            f"<tr><td>{name}</td><td>{site.frames[table.name].height:,}</td><td>{text(table.description)}</td></tr>"
        )
    return (
        "<h2>Tables</h2>\n<table>\n<tr><th>Table</th><th>Rows</th><th>What a row is</th></tr>\n"
        + "\n".join(rows)
        + "\n</table>\n"
    )


def downloads_table(files: list[Download]) -> str:
    rows = "\n".join(
        f"<tr><td>{link(file.url, file.name)}</td><td>{file.bytes:,}</td><td><code>{file.sha256}</code></td></tr>"
        for file in files
    )
    return (
        "<h2>Downloads</h2>\n<p>Every file of the release, with its size in bytes and SHA-256 (also listed in "
        "<code>SHA256SUMS</code>, which <code>sha256sum -c</code> checks).</p>\n"
        f"<table>\n<tr><th>File</th><th>Bytes</th><th>SHA-256</th></tr>\n{rows}\n</table>\n"
    )


def citation(site: Site) -> str:
    descriptor = site.package.descriptor
    creators = [c.get("title", "") for c in descriptor.get("contributors", []) if "creator" in c.get("roles", [])]
    year = str(descriptor.get("created", ""))[:4]
    title = descriptor.get("title", descriptor["name"])
    cited = f"{', '.join(creators)} ({year}). {title} (version {descriptor['version']}) [Data set]."
    return (
        "<h2>How to cite</h2>\n"
        f"<p>{text(cited)}</p>\n<p>CITATION.cff in the repository and the release holds the same for reference "
        "managers.</p>\n"
    )


def licence(site: Site) -> str:
    licences = [
        link(item["path"], item.get("title") or item.get("name", ""))
        if str(item.get("path", "")).startswith("https://")
        else text(item.get("title") or item.get("name", ""))
        for item in site.package.descriptor.get("licenses", [])
    ]
    return f"<h2>Licence</h2>\n<p>The data: {', '.join(licences)}.</p>\n{QUOTATION_EXCEPTION}"


def list_page(site: Site, table: Table) -> str:
    titles = site.titles[table.name]
    items = "\n".join(f"<li>{link(f'{table.name}/{row_id}.html', title)}</li>" for row_id, title in titles.items())
    intro = f"<p>{text(table.description)}</p>\n"
    return page(table.name, f"{intro}{cap_notice(site)}<ul>\n{items}\n</ul>\n", depth=0)
