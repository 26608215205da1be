"""What the site shows, read from the typed frames: which tables get a page per row, those rows, their pages'
paths and titles, and the labels of codes.

A table gets pages when claims support its rows (a link names them) or cite them by its key
(`claims.<key>`): the evidenced tables (`azru:evidenced`) and the sources, and any such table a descriptor
adds. Each gets at most PAGE_CAP pages, the first rows of its file, so a synthetic package of a million
events still builds in minutes; the landing page says when a table was capped. A page's path is made
from its table's name and its row's id, and only when both have the form of a name and an id: a cell is
never trusted as a path.
"""

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import polars as pl

from azru import domain
from azru.package import Package, Table
from azru.release.datasette import CODELIST_LABEL, LABEL_COLUMNS

PAGE_CAP = 5000
ID = re.compile(r"[a-z]{3}-[0-9a-z]{10}")
TABLE_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
MAX_TITLE = 120
ABOUT = "row about"  # the column of the row a claim is about, while claims are grouped: no field's name
Row = dict[str, Any]


@dataclass(frozen=True)
class Site:
    package: Package
    frames: dict[str, pl.DataFrame]

    @cached_property
    def page_tables(self) -> list[Table]:
        """The tables whose rows claims support (through the link table) or cite by key: the evidenced
        tables in the order of the link table's fields, then the others in the order of claims' fields."""
        claims = self.package.tables.get(domain.CLAIMS)
        if claims is None:
            return []
        supported = [self.package.tables[name] for name in self.package.claim_targets()]
        cited = [self.package.tables[target] for _, target, _ in claims.references()]
        wanted = [
            t
            for t in [*supported, *(t for t in cited if claims.field_pointing_at(t))]
            if not t.is_codelist and TABLE_NAME.fullmatch(t.name)
        ]
        return list({t.name: t for t in wanted}.values())

    @cached_property
    def rows(self) -> dict[str, list[Row]]:
        """Each page table's rows that get a page, as dicts of its descriptor fields."""
        return {t.name: self.frames[t.name].select(t.field_names).head(PAGE_CAP).to_dicts() for t in self.page_tables}

    def capped(self) -> dict[str, int]:
        """The page tables with more rows than pages, with their number of rows."""
        return {t.name: self.frames[t.name].height for t in self.page_tables if self.frames[t.name].height > PAGE_CAP}

    @cached_property
    def titles(self) -> dict[str, dict[str, str]]:
        """{table: {id: title}} of every row with a page; a row without a valid id gets none."""
        titles: dict[str, dict[str, str]] = {}
        for table in self.page_tables:
            (key,) = table.primary_key
            column = LABEL_COLUMNS.get(table.name)
            titles[table.name] = {
                row[key]: shortened(row[column] or "" if column else "") or f"{table.singular or table.name} {row[key]}"
                for row in self.rows[table.name]
                if isinstance(row[key], str) and ID.fullmatch(row[key])
            }
        return titles

    def path(self, table: str, row_id: object) -> str | None:
        """The page of a row, relative to the site's root; None for a row without one."""
        if isinstance(row_id, str) and row_id in self.titles.get(table, {}):
            return f"{table}/{row_id}.html"
        return None

    @cached_property
    def labels(self) -> dict[str, dict[str, str]]:
        """{codelist: {code: label}}."""
        return {
            t.name: dict(self.frames[t.name].select("code", CODELIST_LABEL).iter_rows())
            for t in self.package.codelists
            if {"code", CODELIST_LABEL} <= set(t.field_names)
        }

    def claims_about(self, table: Table) -> dict[str, list[Row]]:
        """The claims supporting or citing each row of `table` that has a page: by a claims field in the order
        of the claims file, or through the link table in the order of its file."""
        claims = self.package.tables[domain.CLAIMS]
        frame = self.frames[domain.CLAIMS].select(claims.field_names)
        links = self.package.claim_links()
        if field := claims.field_pointing_at(table):
            frame = frame.with_columns(pl.col(field).alias(ABOUT))
        elif links is not None and (field := links.field_pointing_at(table)):
            pairs = self.frames[links.name].select(pl.col(field).alias(ABOUT), "claim_id")
            frame = pairs.join(frame, on="claim_id", how="left", maintain_order="left")
        else:
            return {}
        found: dict[str, list[Row]] = {}
        for claim in frame.filter(pl.col(ABOUT).is_in(list(self.titles[table.name]))).iter_rows(named=True):
            found.setdefault(claim.pop(ABOUT), []).append(claim)
        return found

    @cached_property
    def source_languages(self) -> dict[str, str]:
        """{source id: language code} of every source, for the quotes' `lang`."""
        sources = self.frames.get(domain.SOURCES)
        if sources is None or not {"source_id", "language"} <= set(sources.columns):
            return {}
        return {key: language for key, language in sources.select("source_id", "language").iter_rows() if language}


def shortened(title: str) -> str:
    title = " ".join(title.split())
    return title if len(title) <= MAX_TITLE else title[: MAX_TITLE - 1] + "…"
