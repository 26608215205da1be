"""A page per row of a page table (model.Site.page_tables): its fields, then every claim about it with the
verbatim quote in its own language and direction, the English rendering, who claims it, its status and its
source. A sensitive row or claim is shown only after a click, under a notice."""

from azru import domain
from azru.package import Table
from azru.release.site.html import language_attributes, link, page, text
from azru.release.site.model import Row, Site

SENSITIVE = "sensitive"
SENSITIVE_NOTICE = (
    "Marked sensitive: it concerns sexual violence, intimate imagery or minors. Open to read; please take care "
    "in reusing it."
)
# Claim fields shown in a claim's own lines rather than in its table of other fields.
CLAIM_SHOWN = ("claim_id", "quote", "quote_en", "claimant_actor_id", "status", "source_id", SENSITIVE)


def entity_page(site: Site, table: Table, row: Row, claims: list[Row]) -> str:
    (key,) = table.primary_key
    body = fields_list(site, table, row, skip=(SENSITIVE,))
    heading = f"Claims ({len(claims)})"
    about = site.package.tables[domain.CLAIMS].field_pointing_at(table) or ""
    body += f"<h2>{text(heading)}</h2>\n" + "".join(claim_block(site, claim, about) for claim in claims)
    if row.get(SENSITIVE):
        body = sensitive(body)
    title = site.titles[table.name][row[key]]
    intro = f"<p>{text(table.singular or table.name)} <code>{text(row[key])}</code></p>\n"
    return page(title, intro + body, depth=1)


def fields_list(site: Site, table: Table, row: Row, skip: tuple[str, ...]) -> str:
    """The row's filled fields as a definition list, references as links or labels."""
    targets = {local: target for local, target, _ in table.references()}
    items = []
    for name in table.field_names:
        value = row.get(name)
        if value is None or name in skip:
            continue
        items.append(f"<dt>{text(name)}</dt><dd>{cell(site, targets.get(name), value)}</dd>")
    return '<dl class="fields">\n' + "\n".join(items) + "\n</dl>\n" if items else ""


def cell(site: Site, target: str | None, value: object) -> str:
    """A value as HTML: a link to the page it refers to, a code with its label, or text."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if target is not None:
        path = site.path(target, value)
        if path is not None:
            return link(f"../{path}", site.titles[target][str(value)])
        label = site.labels.get(target, {}).get(str(value))
        if label is not None:
            return f"{text(label)} (<code>{text(value)}</code>)"
    return text(value)


def claim_block(site: Site, claim: Row, about: str) -> str:
    """A claim on the page of the row its field `about` names (which it does not repeat)."""
    claims = site.package.tables[domain.CLAIMS]
    targets = {local: target for local, target, _ in claims.references()}
    language = site.source_languages.get(claim.get("source_id") or "")
    lines = [f"<blockquote{language_attributes(language)}>{text(claim.get('quote') or '')}</blockquote>"]
    if claim.get("quote_en"):
        lines.append(f'<p lang="en">In English: {text(claim["quote_en"])}</p>')
    for label, name in (("Claimed by", "claimant_actor_id"), ("Status", "status"), ("Source", "source_id")):
        if claim.get(name) is not None:
            lines.append(f"<p>{label}: {cell(site, targets.get(name), claim[name])}</p>")
    lines.append(fields_list(site, claims, claim, skip=(*CLAIM_SHOWN, about)))
    inner = "\n".join(lines) + "\n"
    if claim.get(SENSITIVE):
        inner = sensitive(inner)
    return f'<div class="claim" id="{text(claim.get("claim_id") or "")}">\n{inner}</div>\n'


def sensitive(inner: str) -> str:
    return f'<details>\n<summary class="notice">{text(SENSITIVE_NOTICE)}</summary>\n{inner}</details>\n'
