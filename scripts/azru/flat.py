"""The flat tables: `events_flat`, one row per event, and `detentions_flat`, one row per detention, each
row with its codes spelled out, its place's coordinates, its actors, figures and sources, as users of ACLED
and UCDP GED expect a table they can load without joins.

They are derived at build time, never stored in `data/`. Each column is declared here once, with its type,
its meaning and the ACLED and UCDP GED column it corresponds to: the Table Schemas in the release's zip, the
Parquet, NDJSON and SQLite tables, the datasette notes and the codebook section are made from these
declarations, and the values by one DuckDB query per table over the typed tables (azru.typed). A value comes
from a cell of the row, of a row it names or of its linked claims, or from pycountry for the country codes
and names: an empty input stays empty, nothing is filled in.
"""

from collections.abc import Mapping
from dataclasses import dataclass

import duckdb
import polars as pl
import pycountry

from azru import figures
from azru.sql import identifier
from azru.typed import DAY, BuildError

DERIVED_DIR = "data/derived/"  # where the flat tables' CSVs are in the release's zip
SEPARATOR = "; "  # between the items of a list column
# The participant roles that make an event's actor 1 and actor 2 in ACLED's sense.
ACTOR1_ROLES = ("perpetrator", "alleged-perpetrator")
ACTOR2_ROLES = ("victim", "target")
FIGURES = {"fatalities": "killed", "injured": "injured"}  # column prefix: measure
# The tables the queries read, and pycountry's countries under the name they read them by.
READS = (
    "events",
    "detentions",
    "participants",
    "actors",
    "claims",
    "claim_links",
    "sources",
    "places",
    "cases",
    "event_types",
    "date_precisions",
    "location_precisions",
    "coordinate_precisions",
)
ISO_COUNTRIES = "iso_countries"
DUCKDB_TYPES = {"string": "VARCHAR", "integer": "BIGINT", "number": "DOUBLE", "boolean": "BOOLEAN", DAY: "DATE"}


@dataclass(frozen=True)
class Column:
    """A column of a flat table: its value is `sql`, an expression over the query's relations."""

    name: str
    type: str  # a Table Schema type: a key of DUCKDB_TYPES
    sql: str
    meaning: str
    acled: str = ""  # the ACLED column it corresponds to, if any
    ucdp: str = ""  # the UCDP GED column it corresponds to, if any
    required: bool = False

    @property
    def description(self) -> str:
        """The meaning, then the ACLED and UCDP GED columns it corresponds to."""
        like = [
            f"{dataset} `{column}`" for dataset, column in (("ACLED", self.acled), ("UCDP GED", self.ucdp)) if column
        ]
        return f"{self.meaning} Corresponds to {' and '.join(like)}." if like else self.meaning


@dataclass(frozen=True)
class FlatTable:
    name: str
    flattens: str  # the table it has one row per row of, in that table's order
    description: str
    columns: tuple[Column, ...]
    relations: dict[str, str]  # name: query, the relations the columns read beside the typed tables
    joins: str  # the query's FROM clause: the flattened table as `t`, then what is joined to it
    label_column: str  # the column that names a row in datasette
    facets: tuple[str, ...]  # the columns datasette offers to group rows by

    @property
    def key(self) -> str:
        return self.columns[0].name

    @property
    def path(self) -> str:
        return f"{DERIVED_DIR}{self.name}.csv"

    def query(self) -> str:
        relations = ",\n".join(f"{name} AS ({sql})" for name, sql in self.relations.items())
        selected = ",\n  ".join(
            f"CAST({column.sql} AS {DUCKDB_TYPES[column.type]}) AS {identifier(column.name)}" for column in self.columns
        )
        return f"WITH {relations}\nSELECT\n  {selected}\nFROM {self.flattens} AS t{self.joins}"


def literals(values: tuple[str, ...] | frozenset[str]) -> str:
    return ", ".join(f"'{value}'" for value in sorted(values))


def coarser(location: str, coordinates: str) -> str:
    """The larger (coarser) of two precision numbers: the location's alone when the row names no place;
    empty when either has none."""
    return (
        f"CASE WHEN t.place_id IS NULL THEN CAST({location} AS BIGINT) "
        f"WHEN {location} IS NOT NULL AND {coordinates} IS NOT NULL "
        f"THEN greatest(CAST({location} AS BIGINT), CAST({coordinates} AS BIGINT)) END"
    )


def joined(items: str, field: str = "") -> str:
    """A list made by list() as text: sorted, then each item (or its `field`) joined by SEPARATOR. Sorting the
    list is much quicker than an ordered aggregate."""
    picked = f"list_transform(list_sort({items}), lambda item: item.{field})" if field else f"list_sort({items})"
    return f"array_to_string({picked}, '{SEPARATOR}')"


def evidence(target: str) -> dict[str, str]:
    """Per row of the table claim_links.`target` points at: its claims and their statuses (`evidence`), and
    their sources (`cited`)."""
    linked = f"SELECT DISTINCT {target} AS id, claim_id FROM claim_links WHERE {target} IS NOT NULL"
    citation = "concat_ws(', ', s.publisher, s.title || coalesce(' [' || s.title_en || ']', ''), s.published)"
    return {
        "linked": linked,
        "evidence": f"""
  SELECT l.id, count(*) AS claims, {joined("list_distinct(list(c.status))")} AS statuses
  FROM linked AS l JOIN claims AS c ON c.claim_id = l.claim_id GROUP BY l.id""",
        "cited": f"""
  SELECT u.id, count(*) AS sources, {joined("list({'id': u.source_id, 'text': " + citation + "})", "id")} AS ids,
    {joined("list({'id': u.source_id, 'text': " + citation + "})", "text")} AS citations
  FROM (SELECT DISTINCT l.id, c.source_id FROM linked AS l JOIN claims AS c ON c.claim_id = l.claim_id) AS u
  JOIN sources AS s ON s.source_id = u.source_id GROUP BY u.id""",
    }


def evidence_joins(key: str) -> str:
    return f"""
LEFT JOIN evidence AS ev ON ev.id = t.{key}
LEFT JOIN cited ON cited.id = t.{key}"""


def actors(roles: tuple[str, ...]) -> str:
    """Per event: its participants in `roles`, each actor once, by id, with their English names in the same
    order, and the roles that put them there."""
    named = "list({'id': p.actor_id, 'name': a.name_en})"
    return f"""
  SELECT p.event_id, count(*) AS n, {joined(named, "id")} AS ids, {joined(named, "name")} AS names,
    {joined("list_distinct(flatten(list(p.roles)))")} AS roles
  FROM (
    SELECT event_id, actor_id, list(role) AS roles FROM participants WHERE role IN ({literals(roles)})
    GROUP BY event_id, actor_id) AS p
  JOIN actors AS a ON a.actor_id = p.actor_id GROUP BY p.event_id"""


def dated(what: str) -> tuple[Column, ...]:
    return (
        Column(
            "date_start",
            DAY,
            "t.date_lower",
            f"Earliest possible day of the {what}, from `date_edtf`; empty when there is no date, the start is "
            "open (`..`) or the year is unknown (`XXXX`). Qualifiers (`?`, `~`, `%`) do not move it. ACLED's one "
            "day when it equals `date_end`.",
            acled="event_date",
            ucdp="date_start",
        ),
        Column(
            "date_end",
            DAY,
            "t.date_upper",
            f"Latest possible day of the {what}, from `date_edtf`; empty when there is no date, the end is open "
            "(`..`) or the year is unknown.",
            ucdp="date_end",
        ),
        Column("date_edtf", "string", "t.date", f"When the {what} happened as the sources say, in EDTF."),
        Column(
            "date_precision",
            "string",
            "t.date_precision",
            "Precision of the date (codelist `date_precisions`).",
            required=True,
        ),
        Column(
            "acled_time_precision",
            "integer",
            "dp.acled_time_precision",
            "ACLED time precision of `date_precision` (codelist `date_precisions`); empty where ACLED has none.",
            acled="time_precision",
        ),
        Column(
            "ucdp_date_prec",
            "integer",
            "dp.ucdp_date_prec",
            "UCDP GED date precision of `date_precision` (codelist `date_precisions`); empty where UCDP has none.",
            ucdp="date_prec",
        ),
        Column(
            "date_basis",
            "string",
            "t.date_basis",
            "How the date was obtained (codelist `date_bases`).",
            required=True,
        ),
    )


PLACE_JOINS = f"""
LEFT JOIN cases AS k ON k.case_id = t.case_id
LEFT JOIN date_precisions AS dp ON dp.code = t.date_precision
LEFT JOIN location_precisions AS lp ON lp.code = t.location_precision
LEFT JOIN places AS p ON p.place_id = t.place_id
LEFT JOIN coordinate_precisions AS cp ON cp.code = p.coordinate_precision
LEFT JOIN {ISO_COUNTRIES} AS iso ON iso.alpha_2 = t.country"""


def located(what: str) -> tuple[Column, ...]:
    return (
        Column(
            "country_alpha2",
            "string",
            "t.country",
            f"Country where the {what} happened, ISO 3166-1 alpha-2, as its row gives it (never from the place).",
        ),
        Column("country_alpha3", "string", "iso.alpha_3", "The country's ISO 3166-1 alpha-3 code, from pycountry."),
        Column(
            "country_numeric",
            "integer",
            "iso.numeric",
            "The country's ISO 3166-1 numeric code, from pycountry.",
            acled="iso",
        ),
        Column(
            "country_name",
            "string",
            "iso.name",
            "The country's English name, from pycountry.",
            acled="country",
            ucdp="country",
        ),
        Column(
            "place",
            "string",
            "t.place",
            "Place name in English as the sources give it.",
            acled="location",
            ucdp="where_coordinates",
        ),
        Column("place_id", "string", "t.place_id", "The row's place in `places`, which gives the coordinates."),
        Column(
            "latitude",
            "number",
            "p.latitude_e5 / 100000",
            "Latitude in decimal degrees (WGS 84): the place's `latitude_e5` divided by 100000, exactly the "
            "gazetteer's; empty when the row names no place or the place has no coordinates.",
            acled="latitude",
            ucdp="latitude",
        ),
        Column(
            "longitude",
            "number",
            "p.longitude_e5 / 100000",
            "Longitude in decimal degrees (WGS 84), as `latitude`.",
            acled="longitude",
            ucdp="longitude",
        ),
        Column("gazetteer", "string", "p.gazetteer", "Gazetteer the coordinates come from (codelist `gazetteers`)."),
        Column(
            "gazetteer_id",
            "string",
            "p.gazetteer_id",
            "Id of the gazetteer's record (for GeoNames, https://www.geonames.org/ID): the coordinates' provenance.",
        ),
        Column(
            "location_precision",
            "string",
            "t.location_precision",
            "Precision of the place as the sources give it (codelist `location_precisions`).",
            required=True,
        ),
        Column(
            "coordinate_precision",
            "string",
            "p.coordinate_precision",
            "How the coordinates stand for the place (codelist `coordinate_precisions`); empty with no place.",
        ),
        Column(
            "acled_geo_precision",
            "integer",
            coarser("lp.acled_geo_precision", "cp.acled_geo_precision"),
            "ACLED geo-precision: the larger (coarser) of the `acled_geo_precision` of `location_precision` and "
            "of `coordinate_precision` in their codelists, or the first alone when the row names no place; "
            "empty when either has none.",
            acled="geo_precision",
        ),
        Column(
            "ucdp_where_prec",
            "integer",
            coarser("lp.ucdp_where_prec", "cp.ucdp_where_prec"),
            "UCDP GED location precision, made as `acled_geo_precision` from the codelists' `ucdp_where_prec`.",
            ucdp="where_prec",
        ),
    )


def evidenced(what: str) -> tuple[Column, ...]:
    return (
        Column(
            "claim_statuses",
            "string",
            "ev.statuses",
            f"The statuses of the claims linked to the {what} (codelist `claim_statuses`: reported, alleged, "
            f"denied, acknowledged…), each once, sorted, `{SEPARATOR}`-separated.",
        ),
        Column(
            "claim_count",
            "integer",
            "coalesce(ev.claims, 0)",
            f"Number of claims linked to the {what} in `claim_links`.",
            required=True,
        ),
        Column(
            "source_ids",
            "string",
            "cited.ids",
            f"The sources of those claims, each once, sorted, `{SEPARATOR}`-separated.",
        ),
        Column(
            "source_count",
            "integer",
            "coalesce(cited.sources, 0)",
            "Number of sources in `source_ids`.",
            ucdp="number_of_sources",
            required=True,
        ),
        Column(
            "sources",
            "string",
            "cited.citations",
            "Each source of `source_ids` in that order, for reading: its publisher, title (with its English "
            f"rendering in brackets) and publication date as `sources` gives them, `{SEPARATOR}`-separated.",
            acled="source",
            ucdp="source_article",
        ),
    )


def sensitive(what: str) -> Column:
    return Column(
        "sensitive",
        "boolean",
        "t.sensitive",
        f"The {what}'s `sensitive` flag: it touches sexual violence, intimate imagery or minors; take care.",
        required=True,
    )


def case_columns(what: str) -> tuple[Column, ...]:
    return (
        Column("case_id", "string", "t.case_id", f"The case the {what} belongs to."),
        Column("case_name", "string", "k.name", "The case's name."),
    )


def actor_columns(number: int, roles: tuple[str, ...], meaning: str, acled: str, ucdp: str) -> tuple[Column, ...]:
    listed = " or ".join(f"`{role}`" for role in roles)
    return (
        Column(
            f"actor{number}_ids",
            "string",
            f"a{number}.ids",
            f"{meaning}: the event's participants with role {listed}, each actor once, sorted by id, "
            f"`{SEPARATOR}`-separated.",
            acled=acled,
            ucdp=ucdp,
        ),
        Column(
            f"actor{number}_names",
            "string",
            f"a{number}.names",
            f"The English names (`actors.name_en`) of `actor{number}_ids`, in the same order.",
            acled=acled,
            ucdp=ucdp,
        ),
        Column(
            f"actor{number}_count",
            "integer",
            f"coalesce(a{number}.n, 0)",
            f"Number of actors in `actor{number}_ids`.",
            required=True,
        ),
        Column(
            f"actor{number}_roles",
            "string",
            f"a{number}.roles",
            f"The roles that make them actor {number} (of {listed}: codelist `participant_roles` says which are "
            "established and which alleged), each once, sorted.",
        ),
    )


def figure_columns(prefix: str, measure: str, acled: str = "", ucdp: str = "") -> tuple[Column, ...]:
    """Low, best and high of `measure` on the event (azru.figures), from the `figures` relation."""
    how = (
        f"of the claims with measure `{measure}` linked to the event, leaving out denied and disputed ones, each "
        "claim once (codelist `measures` says how; `azru.figures.event_figures`); empty when there are none"
    )
    return (
        Column(f"{prefix}_low", "integer", f"{prefix}.low", f"Lowest figure {how}.", ucdp=ucdp and "low"),
        Column(
            f"{prefix}_best",
            "integer",
            f"{prefix}.best",
            f"Median figure (the lower middle one of an even number) {how}.",
            acled=acled,
            ucdp=ucdp and "best",
        ),
        Column(
            f"{prefix}_high",
            "integer",
            f"{prefix}.high",
            f"Highest figure, the upper end of a range where one is stated, {how}.",
            ucdp=ucdp and "high",
        ),
        Column(
            f"{prefix}_high_open",
            "boolean",
            f"{prefix}.high_open",
            f'True when `{prefix}_high` is a floor ("at least", "more than", a vague word), not a ceiling.',
        ),
    )


def figure_joins() -> str:
    return "".join(
        f"\nLEFT JOIN figures AS {prefix} ON {prefix}.id = t.event_id AND {prefix}.measure = '{measure}'"
        for prefix, measure in FIGURES.items()
    )


EVENTS_FLAT = FlatTable(
    name="events_flat",
    flattens="events",
    description="One row per event, with its codes spelled out, its place's coordinates, its actors, figures and "
    "sources: for a spreadsheet, R, pandas or a GIS, without joins. Derived from the other tables by `azru build`.",
    columns=(
        Column("event_id", "string", "t.event_id", "The event.", acled="event_id_cnty", ucdp="id", required=True),
        *case_columns("event"),
        Column("event_type", "string", "t.event_type", "Kind of event (codelist `event_types`).", required=True),
        Column("event_type_label", "string", "et.label", "The event type's English label."),
        Column("cameo_code", "string", "et.cameo", "Nearest CAMEO code of the event type, where one exists."),
        Column(
            "acled_sub_event_type",
            "string",
            "et.acled_sub_event_type",
            "Nearest ACLED sub-event type of the event type, where one exists.",
            acled="sub_event_type",
        ),
        Column(
            "summary",
            "string",
            "t.summary",
            "Neutral English summary; allegations are attributed.",
            acled="notes",
            required=True,
        ),
        *dated("event"),
        *located("event"),
        *actor_columns(1, ACTOR1_ROLES, "Who did it, or is alleged to have", acled="actor1", ucdp="side_a"),
        *actor_columns(2, ACTOR2_ROLES, "Who suffered it or was its target", acled="actor2", ucdp="side_b"),
        *figure_columns("fatalities", FIGURES["fatalities"], acled="fatalities", ucdp="deaths"),
        *figure_columns("injured", FIGURES["injured"]),
        Column(
            "detained_low",
            "integer",
            "detained.low",
            "People detained: the sum of `people_count_min` over the event's detentions with no "
            "`parent_detention_id` (a subgroup's people are in its group's count) that state one; empty when none "
            "does.",
        ),
        Column(
            "detained_high",
            "integer",
            "detained.high",
            "The sum of `people_count_max` over the same detentions; empty when one of them states no upper "
            'figure ("at least", or no count at all) or there are none.',
        ),
        *evidenced("event"),
        sensitive("event"),
    ),
    relations={
        "figures": figures.estimates_sql("event_id", tuple(FIGURES.values())),
        "actors1": actors(ACTOR1_ROLES),
        "actors2": actors(ACTOR2_ROLES),
        "detained": """
  SELECT event_id, sum(people_count_min) AS low,
    CASE WHEN count(*) = count(people_count_max) THEN sum(people_count_max) END AS high
  FROM detentions WHERE event_id IS NOT NULL AND parent_detention_id IS NULL GROUP BY event_id""",
        **evidence("event_id"),
    },
    joins=f"""
LEFT JOIN event_types AS et ON et.code = t.event_type{PLACE_JOINS}
LEFT JOIN actors1 AS a1 ON a1.event_id = t.event_id
LEFT JOIN actors2 AS a2 ON a2.event_id = t.event_id{figure_joins()}
LEFT JOIN detained ON detained.event_id = t.event_id{evidence_joins("event_id")}""",
    label_column="summary",
    facets=("event_type", "country_name", "case_name"),
)

DETENTIONS_FLAT = FlatTable(
    name="detentions_flat",
    flattens="detentions",
    description="One row per detention, with its people, actors, codes, place's coordinates and sources: for a "
    "spreadsheet, R, pandas or a GIS, without joins. Derived from the other tables by `azru build`.",
    columns=(
        Column("detention_id", "string", "t.detention_id", "The detention.", required=True),
        Column("event_id", "string", "t.event_id", "The event in which the detention took place."),
        Column(
            "parent_detention_id",
            "string",
            "t.parent_detention_id",
            "The group detention this row is a part of: its people are already in the parent's count, so totals "
            "sum only rows where this is empty.",
        ),
        *case_columns("detention"),
        Column("detainee_actor_id", "string", "t.detainee_actor_id", "The person detained; empty for a group."),
        Column("detainee_name", "string", "detainee.name_en", "The detainee's English name (`actors.name_en`)."),
        Column(
            "group_description",
            "string",
            "t.group_description",
            "Who was detained when no single person is named.",
        ),
        Column(
            "people_count_low",
            "integer",
            "t.people_count_min",
            "Lowest number of people detained any claim of the row states (`people_count_min`).",
        ),
        Column(
            "people_count_high",
            "integer",
            "t.people_count_max",
            'Highest number stated (`people_count_max`); empty when no upper figure is ("at least").',
        ),
        Column(
            "count_basis",
            "string",
            "t.count_basis",
            "What the two counts are (codelist `count_bases`): one figure, a range, a floor, or sources that disagree.",
        ),
        Column("detaining_actor_id", "string", "t.detaining_actor_id", "Who detained, as the sources say."),
        Column("detaining_actor_name", "string", "detaining.name_en", "Their English name (`actors.name_en`)."),
        *dated("detention"),
        *located("detention"),
        Column("charges", "string", "t.charges", "Charges as the sources word them."),
        Column(
            "status",
            "string",
            "t.status",
            "Latest status the sources report (codelist `detention_statuses`).",
            required=True,
        ),
        Column(
            "torture_alleged",
            "boolean",
            "t.torture_alleged",
            "True when a claim alleges torture or ill-treatment in this detention.",
            required=True,
        ),
        Column(
            "coercion_alleged",
            "boolean",
            "t.coercion_alleged",
            "True when a claim alleges coercion, threats or blackmail to obtain testimony or a confession.",
            required=True,
        ),
        *evidenced("detention"),
        sensitive("detention"),
    ),
    relations=evidence("detention_id"),
    joins=f"""{PLACE_JOINS}
LEFT JOIN actors AS detainee ON detainee.actor_id = t.detainee_actor_id
LEFT JOIN actors AS detaining ON detaining.actor_id = t.detaining_actor_id{evidence_joins("detention_id")}""",
    label_column="group_description",
    facets=("status", "country_name", "case_name"),
)

TABLES = (EVENTS_FLAT, DETENTIONS_FLAT)


def iso_countries() -> pl.DataFrame:
    countries = sorted(pycountry.countries, key=lambda country: country.alpha_2)
    return pl.DataFrame(
        {
            "alpha_2": [country.alpha_2 for country in countries],
            "alpha_3": [country.alpha_3 for country in countries],
            "numeric": [int(country.numeric) for country in countries],
            "name": [country.name for country in countries],
        }
    )


def flat_frames(frames: Mapping[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """Each flat table from the typed tables, its rows in the order of the table it flattens."""
    missing = [name for name in READS if name not in frames]
    if missing:
        raise BuildError(f"the flat tables need the tables {', '.join(missing)}")
    out = {}
    with duckdb.connect() as con:
        # strings pass between polars and DuckDB as Arrow string views, which neither has to copy
        con.execute("SET produce_arrow_string_view = true")
        for name in READS:
            con.register(name, frames[name].to_arrow(compat_level=pl.CompatLevel.newest()))
        con.register(ISO_COUNTRIES, iso_countries().to_arrow(compat_level=pl.CompatLevel.newest()))
        for table in TABLES:
            try:
                flat = pl.DataFrame(con.sql(table.query()).to_arrow_table())
            except duckdb.Error as error:  # a field the query reads is missing or of another type
                raise BuildError(f"{table.name}: {error}") from error
            order = frames[table.flattens].select(table.key)
            out[table.name] = order.join(flat, on=table.key, how="left", maintain_order="left")
    return out
