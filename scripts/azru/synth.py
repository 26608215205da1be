"""`azru synth`: a valid synthetic package of any size, with its own archive, for tests and benchmarks.

Every cell is a pure function of its row index and the seed (see `Draws`), so a table can refer to
another table's rows (its ids, a detention's head count, a source's language) by recomputing them
instead of keeping that table in memory, and the output is byte-identical for a given seed.
Columns are built as polars expressions, so a million events take seconds, not minutes.
"""

import argparse
import hashlib
import random
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import BinaryIO

import polars as pl

import azru
from azru import exits
from azru.ids import CROCKFORD, PREFIXES, RANDOM_LENGTH
from azru.package import DESCRIPTOR, Package, load

REPO_ROOT = Path(azru.__file__).resolve().parents[2]
ARCHIVE_DIR = "archive"

# 2**31 - 1 is prime, and residues below it multiply without overflowing Int64.
PRIME = 2_147_483_647
ID_SPACE = len(CROCKFORD) ** RANDOM_LENGTH
ID_HALF = 2**25
ID_ROUNDS = 3
# The ids of the tables others refer to stay in memory (about 25 bytes a row): ten million events
# keep that to some hundreds of megabytes.
MAX_EVENTS = 10_000_000
# Rows built and written at a time: bounds memory whatever the number of events.
CHUNK_ROWS = 250_000

# The countries synthetic rows use; also the codelist written when the repository has none yet
# (`azru schemas` generates it).
COUNTRIES = {
    "AZ": "Azerbaijan",
    "RU": "Russian Federation",
    "UA": "Ukraine",
    "KZ": "Kazakhstan",
    "FR": "France",
    "TR": "Türkiye",
    "GE": "Georgia",
    "AM": "Armenia",
}

FIRST_DAY = date(2017, 1, 1)
# Leaves room for intervals and release dates so that every date stays inside 2017–2025.
DAY_SPAN = (date(2025, 6, 30) - FIRST_DAY).days
MAX_LATER_DAYS = 180

# Weighted by repetition: 40% days, 15% months, 10% years, 10% uncertain days, 10% intervals, 15% none.
DATE_FORMS = ["day"] * 8 + ["month"] * 3 + ["year"] * 2 + ["uncertain"] * 2 + ["interval"] * 2 + ["none"] * 3
PRECISION_OF_FORM = {
    "day": "day",
    "month": "month",
    "year": "year",
    "uncertain": "day",
    "interval": "month",
    "none": "unknown",
}
KNOWN_DATE_BASES = ["stated"] * 3 + ["inferred-from-publication", "inferred-from-context"]
DATE_NOTES = [
    "Resolved 'on Tuesday' against the publication date of the cited source.",
    "Bounded by the arrest and the first court hearing, both dated in the sources.",
    "The source says 'last month', counted from its dateline.",
]

LANGUAGES = ["en", "ru", "ar", "az"]
# Source i is in LANGUAGES[LANGUAGE_CYCLE[i % 8]]: every even source is English, so the English
# spelling of a name can always be placed in an English source and the others in a non-English one.
LANGUAGE_CYCLE = [0, 1, 0, 2, 0, 3, 0, 1]

# (English, Russian, Arabic, Azerbaijani) renderings, one tuple per phrase.
QUOTES = [
    (
        "Security officers detained him at his home, his lawyer said",
        "Сотрудники силовых структур задержали его дома, заявил его адвокат",
        "احتجزه عناصر الأمن في منزله، بحسب محاميه",
        "Təhlükəsizlik əməkdaşları onu evində saxladılar, vəkili bildirib",
    ),
    (
        "The ministry summoned the ambassador and handed over a protest note",
        "Министерство вызвало посла и вручило ноту протеста",
        "استدعت الوزارة السفير وسلمته مذكرة احتجاج",
        "Nazirlik səfiri çağırdı və etiraz notası təqdim etdi",
    ),
    (
        "Relatives say the detainees were beaten, threatened and denied a lawyer",
        "Родственники утверждают, что задержанных избивали, им угрожали и не допускали адвоката",
        "يقول أقارب المحتجزين إنهم تعرضوا للضرب والتهديد وحرموا من محام",
        "Qohumlar deyir ki, saxlanılanlar döyülüb, hədələnib və vəkildən məhrum ediliblər",
    ),
    (
        "Officials denied the allegations, calling them a provocation",
        "Официальные лица опровергли обвинения, назвав их провокацией",
        "نفى المسؤولون الاتهامات، ووصفوها بأنها استفزاز",
        "Rəsmilər iddiaları təkzib edərək onları təxribat adlandırdılar",
    ),
    (
        "The court extended the pre-trial detention by three months",
        "Суд продлил срок содержания под стражей на три месяца",
        "مددت المحكمة فترة الحبس الاحتياطي ثلاثة أشهر",
        "Məhkəmə həbs müddətini üç ay uzatdı",
    ),
    (
        "Rights groups called for an independent investigation, citing medical reports",
        "Правозащитники призвали к независимому расследованию, сославшись на медицинские заключения",
        "دعت منظمات حقوقية إلى تحقيق مستقل، مستندة إلى تقارير طبية",
        "Hüquq müdafiəçiləri tibbi rəylərə istinad edərək müstəqil araşdırmaya çağırıblar",
    ),
]
# Each quote ends with a case number so that quotes differ and each one can be found in its archive text.
CASE_WORDS = ("case", "дело", "القضية", "iş")
TITLES = [
    (
        "Relations between Moscow and Baku deteriorate",
        "Отношения между Москвой и Баку ухудшаются",
        "تدهور العلاقات بين موسكو وباكو",
        "Moskva ilə Bakı arasında münasibətlər pisləşir",
    ),
    (
        "Detentions, summonses and protests: a chronology",
        "Задержания, вызовы и протесты: хроника",
        "اعتقالات واستدعاءات واحتجاجات: تسلسل زمني",
        "Saxlanmalar, çağırışlar və etirazlar: xronologiya",
    ),
]
FIRST_NAMES = [
    ("Rauf", "Рауф", "رؤوف", "Rauf"),
    ("Leyla", "Лейла", "ليلى", "Leyla"),
    ("Elchin", "Эльчин", "إلتشين", "Elçin"),
    ("Gunel", "Гюнель", "غونيل", "Günel"),
    ("Tofig", "Тофиг", "توفيق", "Tofiq"),
    ("Aynur", "Айнур", "آينور", "Aynur"),
    ("Ramil", "Рамиль", "راميل", "Ramil"),
    ("Sevinj", "Севиндж", "سفينج", "Sevinc"),
]
LAST_NAMES = [
    ("Mammadov", "Мамедов", "محمدوف", "Məmmədov"),
    ("Aliyeva", "Алиева", "علييفا", "Əliyeva"),
    ("Huseynov", "Гусейнов", "حسينوف", "Hüseynov"),
    ("Guliyeva", "Гулиева", "قولييفا", "Quliyeva"),
    ("Hasanov", "Гасанов", "حسنوف", "Həsənov"),
    ("Ismayilova", "Исмаилова", "إسماعيلوفا", "İsmayılova"),
    ("Karimov", "Каримов", "كريموف", "Kərimov"),
    ("Safarova", "Сафарова", "صفروفا", "Səfərova"),
]
# (place, country, location precision); "" for a missing place or country.
PLACES = [
    ("Baku", "AZ", "town"),
    ("Sputnik Azerbaijan office, Baku", "AZ", "site"),
    ("Nakhchivan", "AZ", "region"),
    ("Yekaterinburg", "RU", "town"),
    ("Moscow", "RU", "town"),
    ("near Aktau", "KZ", "near-town"),
    ("over the Caspian Sea", "", "airspace"),
    ("", "AZ", "country"),
    ("", "RU", "country"),
    ("", "", "unknown"),
]
SUMMARIES = [
    "Security forces raided an office, detaining several staff members",
    "Relatives allege that a detainee was tortured in custody; officials deny it",
    "A ministry summoned a foreign diplomat over the treatment of its citizens",
    "A court sentenced a journalist, according to his lawyer",
    "Two men died during a police raid, the investigators said",
    "Rights groups published a report naming those they hold responsible",
]
ACTOR_DESCRIPTIONS = [
    "Journalist",
    "Opposition activist, Baku",
    "Lawyer for several detainees",
    "Security service",
    "Ministry of foreign affairs",
    "Regional court",
]
PUBLISHERS = ["Turan", "Meydan TV", "Caucasian Knot", "Sputnik Azerbaijan", ""]
GROUPS = [
    "staff of a news agency, Baku office",
    "migrant workers from Azerbaijan",
    "protesters outside the embassy",
    "relatives of a detained blogger",
]
CHARGES = [
    "Smuggling, illegal entrepreneurship and money laundering",
    "Espionage",
    "Hooliganism",
    "",
]
LEGAL_ARTICLES = "206.3.2; 193-1.3.1"
SUMMONS_REASONS = [
    "Deaths of citizens during a police raid",
    "Detention of journalists, described as politically motivated",
    "Statements by officials, called unfriendly",
]
SUMMONS_DEMANDS = [
    "A thorough investigation and punishment of those responsible",
    "Release of the detainees",
    "",
]
NOTES = [
    "Synthetic row written by azru synth; not real data.",
    "Wording checked against the archived source.",
    "",
]
# Arabic in a text field so that every table with notes exercises multi-byte UTF-8 and right-to-left text.
ARABIC_NOTE = "الاسم كما ورد في المصدر: باكو"
FILLER = (
    "This synthetic document was written by azru synth for tests and benchmarks. "
    "It carries the quotes and name spellings that the synthetic tables cite."
)


@dataclass(frozen=True)
class Sizes:
    events: int

    @property
    def sources(self) -> int:
        return max(3, self.events // 20)  # about 28 quotes per document, as in a news archive

    @property
    def actors(self) -> int:
        return max(5, self.events // 20)

    @property
    def detentions(self) -> int:
        return self.events // 10

    @property
    def summons(self) -> int:
        return self.events // 50

    @property
    def participants(self) -> int:
        return self.events + self.events // 2

    @property
    def claims_per_row(self) -> int:
        return self.events + self.detentions + self.summons + self.actors

    @property
    def claims_extra(self) -> int:
        return self.claims_per_row // 5

    @property
    def tombstones(self) -> int:
        return 3


class Draws:
    """Pseudo-random integers per row, from (seed, salt, row index) alone."""

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def _constants(self, salt: str, count: int, limit: int) -> list[int]:
        rng = random.Random(f"{self.seed}/{salt}")
        return [rng.randrange(1, limit) for _ in range(count)]

    def draw(self, index: pl.Expr, salt: str) -> pl.Expr:
        """A value in [0, 2**31 - 1), well spread for consecutive indices."""
        a, b, c, d = self._constants(salt, 4, PRIME)
        x = (index * a + b) % PRIME
        x = x.xor(x // 2**16)  # folds high bits into the low ones, which `% k` keeps
        return (x * c + d) % PRIME

    def below(self, index: pl.Expr, salt: str, bound: int | pl.Expr) -> pl.Expr:
        return self.draw(index, salt) % bound

    def chance(self, index: pl.Expr, salt: str, percent: int) -> pl.Expr:
        return self.below(index, salt, 100) < percent

    def pick(self, index: pl.Expr, salt: str, values: Sequence[str]) -> pl.Expr:
        return choose(self.below(index, salt, len(values)), values)

    def id(self, table: str, index: pl.Series) -> pl.Series:
        """The ids of rows `index` of `table`: a bijection of the index, so ids never collide."""
        constants = self._constants(f"ids/{table}", 2 * ID_ROUNDS, ID_HALF)
        # Each step (odd multiplier, addition, xor of the high half into the low one) is invertible
        # modulo 2**50; together they scatter consecutive rows over the whole id space. Series rather
        # than expressions, so that each step is computed once.
        x = index
        for multiplier, offset in zip(constants[::2], constants[1::2], strict=True):
            x = (times_mod_id_space(x, multiplier | 1) + offset) % ID_SPACE
            x = x ^ (x // ID_HALF)
        digit_pairs = pl.Series([a + b for a in CROCKFORD for b in CROCKFORD])
        base = len(digit_pairs)
        pairs = [digit_pairs.gather((x // base**k) % base) for k in reversed(range(RANDOM_LENGTH // 2))]
        return pl.select(pl.concat_str([pl.lit(f"{PREFIXES[table]}-"), *pairs])).to_series()


def times_mod_id_space(x: pl.Series, multiplier: int) -> pl.Series:
    """(x * multiplier) mod 2**50 for multiplier < 2**25, in halves so that no product overflows Int64."""
    high, low = x // ID_HALF, x % ID_HALF
    return (low * multiplier + (high * multiplier % ID_HALF) * ID_HALF) % ID_SPACE


def choose(index: pl.Expr, values: Sequence[str]) -> pl.Expr:
    """values[index], with "" standing for an empty cell."""
    mapping = {i: value or None for i, value in enumerate(values)}
    return index.replace_strict(mapping, return_dtype=pl.String)


def span(start: int, stop: int) -> pl.Series:
    return pl.int_range(start, stop, dtype=pl.Int64, eager=True)


def rows(start: int, stop: int) -> pl.DataFrame:
    return pl.DataFrame({"i": span(start, stop)})


def chunks(start: int, stop: int) -> Iterator[tuple[int, int]]:
    """start..stop in slices of CHUNK_ROWS; at least one, maybe empty, so that every CSV gets its header."""
    for low in range(start, max(stop, start + 1), CHUNK_ROWS):
        yield low, min(low + CHUNK_ROWS, stop)


ROW = pl.col("i")
NULL = pl.lit(None, dtype=pl.String)
NULL_INTEGER = pl.lit(None, dtype=pl.Int64)


@dataclass
class Context:
    draws: Draws
    sizes: Sizes
    version: str
    codes: dict[str, list[str]]
    countries: list[str]
    places: list[tuple[str, str, str]]
    # Ids of the tables other tables refer to, by row.
    ids: dict[str, pl.Series]

    def ref(self, table: str, index: pl.Expr) -> pl.Expr:
        return pl.lit(self.ids[table]).gather(index)

    def code(self, index: pl.Expr, salt: str, codelist: str) -> pl.Expr:
        return self.draws.pick(index, salt, self.codes[codelist])

    def random_row(self, index: pl.Expr, salt: str, table: str) -> pl.Expr:
        return self.draws.below(index, salt, len(self.ids[table]))

    def chunked(self, build: Callable[["Context", int, int], pl.DataFrame], count: int) -> Iterator[pl.DataFrame]:
        return (build(self, low, high) for low, high in chunks(0, count))


def source_language(source: pl.Expr) -> pl.Expr:
    """Index into LANGUAGES of source row `source`."""
    return (source % len(LANGUAGE_CYCLE)).replace_strict(dict(enumerate(LANGUAGE_CYCLE)), return_dtype=pl.Int64)


def in_language(language: pl.Expr, phrase: pl.Expr, table: Sequence[tuple[str, ...]]) -> pl.Expr:
    """table[phrase][language]: the rendering of a phrase in a source's language."""
    flat = [rendering for renderings in table for rendering in renderings]
    return choose(phrase * len(LANGUAGES) + language, flat)


def day(ctx: Context, index: pl.Expr, salt: str) -> pl.Expr:
    return pl.lit(FIRST_DAY) + pl.duration(days=ctx.draws.below(index, f"{salt}/day", DAY_SPAN))


def dated(ctx: Context, index: pl.Expr, salt: str) -> dict[str, pl.Expr]:
    """date, date_precision, date_basis and date_note, consistent with each other."""
    form = ctx.draws.pick(index, f"{salt}/form", DATE_FORMS)
    start = day(ctx, index, salt)
    text = start.dt.strftime("%Y-%m-%d")
    # 31 days on always lands in a later month.
    later = 31 + ctx.draws.below(index, f"{salt}/span", MAX_LATER_DAYS - 31)
    end = (start + pl.duration(days=later)).dt.strftime("%Y-%m")
    basis = (
        pl.when(form == "none")
        .then(pl.lit("unknown"))
        .otherwise(ctx.draws.pick(index, f"{salt}/basis", KNOWN_DATE_BASES))
    )
    return {
        "date": pl.when(form == "day")
        .then(text)
        .when(form == "month")
        .then(text.str.slice(0, 7))
        .when(form == "year")
        .then(text.str.slice(0, 4))
        .when(form == "uncertain")
        .then(text + "?")
        .when(form == "interval")
        .then(pl.concat_str([text.str.slice(0, 7), pl.lit("/"), end])),
        "date_precision": form.replace_strict(PRECISION_OF_FORM, return_dtype=pl.String),
        "date_basis": basis,
        "date_note": pl.when(basis.str.starts_with("inferred-")).then(
            ctx.draws.pick(index, f"{salt}/note", DATE_NOTES)
        ),
    }


def located(ctx: Context, index: pl.Expr, salt: str) -> dict[str, pl.Expr]:
    place = ctx.draws.below(index, salt, len(ctx.places))
    return {
        "place": choose(place, [name for name, _, _ in ctx.places]),
        "country": choose(place, [country for _, country, _ in ctx.places]),
        "location_precision": choose(place, [precision for _, _, precision in ctx.places]),
    }


def notes(ctx: Context, index: pl.Expr, salt: str) -> pl.Expr:
    return (
        pl.when(ctx.draws.chance(index, f"{salt}/arabic", 5))
        .then(pl.lit(ARABIC_NOTE))
        .otherwise(ctx.draws.pick(index, salt, NOTES))
    )


# Every fourth actor is an organisation and the others are people, so that either kind can be
# drawn without looking at the table.
def person(ctx: Context, index: pl.Expr, salt: str) -> pl.Expr:
    quartets = ctx.sizes.actors // 4
    return 4 * ctx.draws.below(index, f"{salt}/quartet", quartets) + 1 + ctx.draws.below(index, salt, 3)


def organisation(ctx: Context, index: pl.Expr, salt: str) -> pl.Expr:
    return 4 * ctx.draws.below(index, salt, (ctx.sizes.actors + 3) // 4)


def actor_name(ctx: Context, actor: pl.Expr, language: pl.Expr) -> pl.Expr:
    first = in_language(language, ctx.draws.below(actor, "actor/first", len(FIRST_NAMES)), FIRST_NAMES)
    last = in_language(language, ctx.draws.below(actor, "actor/last", len(LAST_NAMES)), LAST_NAMES)
    return pl.concat_str([first, pl.lit(" "), last])


def actors(ctx: Context, start: int, stop: int) -> pl.DataFrame:
    organisation_types = [code for code in ctx.codes["actor_types"] if code != "person"]
    # Parents come earlier in the table, so the hierarchy has no cycles.
    earlier_organisation = 4 * ctx.draws.below(ROW, "actor/parent", pl.max_horizontal((ROW + 3) // 4, 1))
    return rows(start, stop).select(
        actor_id=ctx.ref("actors", ROW),
        name_en=actor_name(ctx, ROW, pl.lit(0)),
        actor_type=pl.when(ROW % 4 == 0)
        .then(ctx.draws.pick(ROW, "actor/type", organisation_types))
        .otherwise(pl.lit("person")),
        country=ctx.draws.pick(ROW, "actor/country", [*ctx.countries, ""]),
        parent_actor_id=pl.when((ROW > 0) & ctx.draws.chance(ROW, "actor/has-parent", 30)).then(
            ctx.ref("actors", earlier_organisation)
        ),
        description=ctx.draws.pick(ROW, "actor/description", [*ACTOR_DESCRIPTIONS, ""]),
        sensitive=ctx.draws.chance(ROW, "actor/sensitive", 2),
        notes=notes(ctx, ROW, "actor/notes"),
    )


def actor_names(ctx: Context, start: int, stop: int) -> pl.DataFrame:
    """Names of actors start..stop-1: each one's English name from an English source, and for half
    of them a second spelling from a source in another language. Name row 2a (+1) is actor a's."""
    n_sources = ctx.sizes.sources
    english = rows(start, stop).select(
        name_row=2 * ROW, actor=ROW, source=2 * ctx.draws.below(ROW, "name/en-source", (n_sources + 1) // 2)
    )
    other = (
        rows(start, stop)
        .filter(ctx.draws.chance(ROW, "name/second", 50))
        .select(name_row=2 * ROW + 1, actor=ROW, source=2 * ctx.draws.below(ROW, "name/source", n_sources // 2) + 1)
    )
    both = pl.concat([english, other]).sort("name_row")
    actor, source = pl.col("actor"), pl.col("source")
    language = source_language(source)
    return both.select(
        name_id=ctx.draws.id("actor_names", both["name_row"]),
        actor_id=ctx.ref("actors", actor),
        name=actor_name(ctx, actor, language),
        language=choose(language, LANGUAGES),
        source_id=ctx.ref("sources", source),
        notes=notes(ctx, pl.col("name_row"), "name/notes"),
        source=source,
    )


def events(ctx: Context, start: int, stop: int) -> pl.DataFrame:
    return rows(start, stop).select(
        event_id=ctx.ref("events", ROW),
        event_type=ctx.code(ROW, "event/type", "event_types"),
        **dated(ctx, ROW, "event/date"),
        **located(ctx, ROW, "event/place"),
        summary=pl.concat_str([ctx.draws.pick(ROW, "event/summary", SUMMARIES), pl.lit(", record "), ROW]),
        sensitive=ctx.draws.chance(ROW, "event/sensitive", 3),
        notes=notes(ctx, ROW, "event/notes"),
    )


def participants(ctx: Context, start: int, stop: int) -> pl.DataFrame:
    """One participant per event, then a second, different actor for every other event."""
    n_events, n_actors = ctx.sizes.events, ctx.sizes.actors
    first = ROW.lt(n_events)
    event = pl.when(first).then(ROW).otherwise(2 * (ROW - n_events))
    first_actor = ctx.draws.below(event, "participant/actor", n_actors)
    other_actor = (first_actor + 1 + ctx.draws.below(ROW, "participant/other", n_actors - 1)) % n_actors
    return rows(start, stop).select(
        participant_id=ctx.draws.id("participants", span(start, stop)),
        event_id=ctx.ref("events", event),
        actor_id=ctx.ref("actors", pl.when(first).then(first_actor).otherwise(other_actor)),
        role=ctx.code(ROW, "participant/role", "participant_roles"),
        notes=notes(ctx, ROW, "participant/notes"),
    )


@dataclass(frozen=True)
class HeadCount:
    """A detention's head count, shared by the detention row and the claim that states it."""

    named: pl.Expr
    low: pl.Expr
    high: pl.Expr


def head_count(ctx: Context, detention: pl.Expr) -> HeadCount:
    named = ctx.draws.chance(detention, "detention/named", 60)
    low = pl.when(named).then(1).otherwise(2 + ctx.draws.below(detention, "detention/low", 40))
    high = (
        pl.when(named)
        .then(1)
        .when(ctx.draws.chance(detention, "detention/open", 30))
        .then(NULL_INTEGER)
        .otherwise(low + ctx.draws.below(detention, "detention/extra", 10))
    )
    return HeadCount(named, low, high)


def detentions(ctx: Context, start: int, stop: int) -> pl.DataFrame:
    when = dated(ctx, ROW, "detention/date")
    status = ctx.code(ROW, "detention/status", "detention_statuses")
    # A release date only after a detention known to the day, so that the order can be checked.
    exact_day = when["date"].str.len_chars() == len("2017-01-01")
    held = 1 + ctx.draws.below(ROW, "detention/held", MAX_LATER_DAYS)
    release = (day(ctx, ROW, "detention/date") + pl.duration(days=held)).dt.strftime("%Y-%m-%d")
    years = 1 + ctx.draws.below(ROW, "detention/years", 12)
    count = head_count(ctx, ROW)
    return rows(start, stop).select(
        detention_id=ctx.ref("detentions", ROW),
        event_id=pl.when(ctx.draws.chance(ROW, "detention/has-event", 70)).then(
            ctx.ref("events", ctx.random_row(ROW, "detention/event", "events"))
        ),
        detainee_actor_id=pl.when(count.named).then(ctx.ref("actors", person(ctx, ROW, "detention/detainee"))),
        group_description=pl.when(~count.named).then(ctx.draws.pick(ROW, "detention/group", GROUPS)),
        people_count_min=count.low,
        people_count_max=count.high,
        detaining_actor_id=pl.when(ctx.draws.chance(ROW, "detention/has-detainer", 90)).then(
            ctx.ref("actors", organisation(ctx, ROW, "detention/detainer"))
        ),
        **when,
        **located(ctx, ROW, "detention/place"),
        charges=ctx.draws.pick(ROW, "detention/charges", CHARGES),
        legal_articles=pl.when(ctx.draws.chance(ROW, "detention/has-articles", 20)).then(pl.lit(LEGAL_ARTICLES)),
        status=status,
        sentence=pl.when(status == "convicted").then(
            pl.concat_str([pl.lit("Prison term of "), years, pl.lit(" years")])
        ),
        release_date=pl.when((status == "released") & exact_day).then(release),
        torture_alleged=ctx.draws.chance(ROW, "detention/torture", 20),
        coercion_alleged=ctx.draws.chance(ROW, "detention/coercion", 10),
        sensitive=ctx.draws.chance(ROW, "detention/sensitive", 2),
        notes=notes(ctx, ROW, "detention/notes"),
    )


def diplomatic_summons(ctx: Context, start: int, stop: int) -> pl.DataFrame:
    # Azerbaijan summons a Russian diplomat, or the other way round.
    by_baku = ctx.draws.chance(ROW, "summons/direction", 50)
    return rows(start, stop).select(
        summons_id=ctx.ref("diplomatic_summons", ROW),
        event_id=pl.when(ctx.draws.chance(ROW, "summons/has-event", 80)).then(
            ctx.ref("events", ctx.random_row(ROW, "summons/event", "events"))
        ),
        **dated(ctx, ROW, "summons/date"),
        summoning_actor_id=ctx.ref("actors", organisation(ctx, ROW, "summons/summoning")),
        summoning_country=pl.when(by_baku).then(pl.lit("AZ")).otherwise(pl.lit("RU")),
        summoned_actor_id=pl.when(ctx.draws.chance(ROW, "summons/named", 60)).then(
            ctx.ref("actors", person(ctx, ROW, "summons/summoned"))
        ),
        summoned_rank=ctx.code(ROW, "summons/rank", "diplomatic_ranks"),
        summoned_country=pl.when(by_baku).then(pl.lit("RU")).otherwise(pl.lit("AZ")),
        instrument=ctx.code(ROW, "summons/instrument", "instruments"),
        reasons=ctx.draws.pick(ROW, "summons/reasons", SUMMONS_REASONS),
        demands=ctx.draws.pick(ROW, "summons/demands", SUMMONS_DEMANDS),
        note_in_return=pl.when(ctx.draws.chance(ROW, "summons/note-back", 10)).then(
            pl.lit("A note of protest, in return")
        ),
        trigger_event_id=pl.when(ctx.draws.chance(ROW, "summons/has-trigger", 50)).then(
            ctx.ref("events", ctx.random_row(ROW, "summons/trigger", "events"))
        ),
        notes=notes(ctx, ROW, "summons/notes"),
    )


def figures(ctx: Context, claim: pl.Expr) -> dict[str, pl.Expr]:
    """A figure for a quarter of the claims: a measure, a value or range, and its qualifier."""
    qualifier = pl.when(ctx.draws.chance(claim, "claim/has-figure", 25)).then(
        ctx.draws.pick(claim, "claim/qualifier", ["exact", "at-least", "range"])
    )
    low = pl.when(qualifier.is_not_null()).then(ctx.draws.below(claim, "claim/value", 50))
    high = (
        pl.when(qualifier == "exact")
        .then(low)
        .when(qualifier == "range")
        .then(low + 1 + ctx.draws.below(claim, "claim/spread", 20))
    )
    return {
        "measure": pl.when(qualifier.is_not_null()).then(ctx.code(claim, "claim/measure", "measures")),
        "value_min": low,
        "value_max": high,
        "value_qualifier": qualifier,
    }


def head_count_figures(ctx: Context, detention: pl.Expr) -> dict[str, pl.Expr]:
    """The figure a detention's claim states: exactly its head count."""
    count = head_count(ctx, detention)
    return {
        "measure": pl.lit("detained"),
        "value_min": count.low,
        "value_max": count.high,
        "value_qualifier": pl.when(count.high.is_null())
        .then(pl.lit("at-least"))
        .when(count.high == count.low)
        .then(pl.lit("exact"))
        .otherwise(pl.lit("range")),
    }


NO_FIGURES = {"measure": NULL, "value_min": NULL_INTEGER, "value_max": NULL_INTEGER, "value_qualifier": NULL}
CLAIM_TARGETS = {
    "events": "event_id",
    "detentions": "detention_id",
    "diplomatic_summons": "summons_id",
    "actors": "actor_id",
}


def quote(language: pl.Expr, phrase: pl.Expr, claim: pl.Expr) -> pl.Expr:
    parts = [
        in_language(language, phrase, QUOTES),
        pl.lit(", "),
        choose(language, CASE_WORDS),
        pl.lit(" "),
        claim,
    ]
    return pl.concat_str(parts)


def claims_chunk(
    ctx: Context, start: int, stop: int, target: str, target_row: pl.Expr, figure: dict[str, pl.Expr]
) -> pl.DataFrame:
    """Claims start..stop-1 about rows `target_row` of `target`, with the source row kept for the archive."""
    source = ctx.random_row(ROW, "claim/source", "sources")
    language = source_language(source)
    phrase = ctx.draws.below(ROW, "claim/phrase", len(QUOTES))
    return rows(start, stop).select(
        claim_id=ctx.draws.id("claims", span(start, stop)),
        **{column: ctx.ref(table, target_row) if table == target else NULL for table, column in CLAIM_TARGETS.items()},
        source_id=ctx.ref("sources", source),
        quote=quote(language, phrase, ROW),
        quote_en=pl.when(language != 0).then(quote(pl.lit(0), phrase, ROW)),
        claimant_actor_id=pl.when(ctx.draws.chance(ROW, "claim/has-claimant", 40)).then(
            ctx.ref("actors", ctx.random_row(ROW, "claim/claimant", "actors"))
        ),
        status=ctx.code(ROW, "claim/status", "claim_statuses"),
        **figure,
        sensitive=ctx.draws.chance(ROW, "claim/sensitive", 2),
        notes=notes(ctx, ROW, "claim/notes"),
        source=source,
    )


def claims(ctx: Context) -> Iterator[pl.DataFrame]:
    """One claim per event, detention, summons and actor, in that order, then a fifth more about events."""
    sizes = ctx.sizes
    start = 0
    for target, count in [
        ("events", sizes.events),
        ("detentions", sizes.detentions),
        ("diplomatic_summons", sizes.summons),
        ("actors", sizes.actors),
    ]:
        target_row = ROW - start
        figure = {"events": figures(ctx, ROW), "detentions": head_count_figures(ctx, target_row)}
        for low, high in chunks(start, start + count):
            yield claims_chunk(ctx, low, high, target, target_row, figure.get(target, NO_FIGURES))
        start += count
    extra_event = ctx.random_row(ROW, "claim/extra-event", "events")
    for low, high in chunks(start, start + sizes.claims_extra):
        yield claims_chunk(ctx, low, high, "events", extra_event, figures(ctx, ROW))


def sources(ctx: Context) -> pl.DataFrame:
    """Sources without sha256 and bytes, which come from the archive written later."""
    language = source_language(ROW)
    phrase = ctx.draws.below(ROW, "source/title", len(TITLES))
    part = pl.concat_str([pl.lit(", part "), ROW + 1])
    has_date = ctx.draws.chance(ROW, "source/has-date", 70)
    return rows(0, ctx.sizes.sources).select(
        source=ROW,
        source_id=ctx.ref("sources", ROW),
        file_name=pl.concat_str([pl.lit("synthetic_"), ctx.ref("sources", ROW).str.slice(4), pl.lit(".txt")]),
        title=pl.concat_str([in_language(language, phrase, TITLES), part]),
        title_en=pl.when(language != 0).then(pl.concat_str([in_language(pl.lit(0), phrase, TITLES), part])),
        language=choose(language, LANGUAGES),
        publisher=ctx.draws.pick(ROW, "source/publisher", PUBLISHERS),
        published=pl.when(has_date).then(day(ctx, ROW, "source/published").dt.strftime("%Y-%m-%d")),
        published_basis=pl.when(has_date).then(pl.lit("stated")).otherwise(pl.lit("unknown")),
        description=pl.lit("Synthetic news article written by azru synth, with the quotes its claims cite"),
        notes=notes(ctx, ROW, "source/notes"),
    )


def tombstones(ctx: Context) -> pl.DataFrame:
    """Retired events, with ids from past the live rows (so never live), merged or retracted in turn."""
    n_events = ctx.sizes.events
    merged = ROW % 2 == 0
    return rows(0, ctx.sizes.tombstones).select(
        retired_id=ctx.draws.id("events", span(n_events, n_events + ctx.sizes.tombstones)),
        table=pl.lit("events"),
        reason=pl.when(merged).then(pl.lit("merged")).otherwise(pl.lit("retracted")),
        replaced_by=pl.when(merged).then(ctx.ref("events", ctx.random_row(ROW, "tombstone/replaced-by", "events"))),
        retired_in=pl.lit(ctx.version),
        explanation=pl.when(merged)
        .then(pl.lit("Duplicate of another event, which replaces it"))
        .otherwise(pl.lit("Not supported by its sources on review")),
    )


class Archive:
    """The synthetic source texts: a title, the name spellings and quotes cited from it, a filler.

    The cited texts are gathered chunk by chunk (a column each, far smaller than the chunks) and each
    file is written once at the end: appending to tens of thousands of files per chunk is slower.
    """

    def __init__(self, directory: Path, listing: pl.DataFrame) -> None:
        self.directory = directory
        self.listing = listing.select("source", "file_name", "title")
        self.cited: list[pl.DataFrame] = []

    def add(self, frame: pl.DataFrame, column: str) -> None:
        self.cited.append(frame.select("source", text=pl.col(column)))

    def finish(self) -> pl.DataFrame:
        """Write every text; return its sha256 and size in bytes, by source row."""
        cited = pl.concat(self.cited, rechunk=False)
        self.cited.clear()
        texts = cited.group_by("source", maintain_order=True).agg(pl.col("text").str.join("\n"))
        files = self.listing.join(texts, on="source", how="left").sort("source")
        digests, sizes = [], []
        for file_name, title, text in files.select("file_name", "title", "text").iter_rows():
            data = "\n\n".join(part for part in (title, text, FILLER) if part).encode() + b"\n"
            (self.directory / file_name).write_bytes(data)
            digests.append(hashlib.sha256(data).hexdigest())
            sizes.append(len(data))
        return files.select("source", sha256=pl.Series(digests), bytes=pl.Series(sizes, dtype=pl.Int64))


def archived(frames: Iterable[pl.DataFrame], archive: Archive, column: str) -> Iterator[pl.DataFrame]:
    for frame in frames:
        archive.add(frame, column)
        yield frame


def write_csv(frame: pl.DataFrame, file: Path | BinaryIO, include_header: bool = True) -> None:
    # RFC 4180 with LF line ends, UTF-8 without a BOM, and an empty cell for null.
    frame.write_csv(file, include_header=include_header, line_terminator="\n", null_value="")


def write_table(package: Package, name: str, frames: Iterable[pl.DataFrame]) -> None:
    table = package.tables[name]
    with open(package.root / table.path, "wb") as file:
        for number, frame in enumerate(frames):
            write_csv(frame.select(table.field_names), file, include_header=number == 0)


def copy_schema(out: Path) -> None:
    """The repository's descriptor, unchanged, and its codelists."""
    repo = load(REPO_ROOT)
    shutil.copyfile(REPO_ROOT / DESCRIPTOR, out / DESCRIPTOR)
    for table in repo.tables.values():
        (out / table.path).parent.mkdir(parents=True, exist_ok=True)
    for table in repo.codelists:
        if table.name == "countries" and not (REPO_ROOT / table.path).exists():
            write_csv(fallback_countries(), out / table.path)
        else:
            shutil.copyfile(REPO_ROOT / table.path, out / table.path)


def fallback_countries() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "code": list(COUNTRIES),
            "label": list(COUNTRIES.values()),
            "definition": [f"ISO 3166-1 alpha-2 code of {name}." for name in COUNTRIES.values()],
        }
    )


def new_context(package: Package, seed: int, sizes: Sizes) -> Context:
    draws = Draws(seed)
    codes = {table.name: package.read(table.name)["code"].to_list() for table in package.codelists}
    countries = [code for code in COUNTRIES if code in set(codes["countries"])]
    referenced = {
        "sources": sizes.sources,
        "actors": sizes.actors,
        "events": sizes.events,
        "detentions": sizes.detentions,
        "diplomatic_summons": sizes.summons,
    }
    return Context(
        draws=draws,
        sizes=sizes,
        version=package.descriptor["version"],
        codes=codes,
        countries=countries,
        places=[place for place in PLACES if place[1] in {"", *countries}],
        ids={table: draws.id(table, span(0, count)) for table, count in referenced.items()},
    )


def write_package(out: Path, n_events: int, seed: int) -> None:
    """Write the package a chunk of rows at a time; sources go last, once the archive is complete."""
    out.mkdir(parents=True, exist_ok=True)
    (out / ARCHIVE_DIR).mkdir()
    copy_schema(out)
    package = load(out)
    ctx = new_context(package, seed, Sizes(n_events))
    listing = sources(ctx)
    archive = Archive(out / ARCHIVE_DIR, listing)
    write_table(package, "actors", ctx.chunked(actors, ctx.sizes.actors))
    write_table(package, "actor_names", archived(ctx.chunked(actor_names, ctx.sizes.actors), archive, "name"))
    write_table(package, "events", ctx.chunked(events, ctx.sizes.events))
    write_table(package, "participants", ctx.chunked(participants, ctx.sizes.participants))
    write_table(package, "detentions", ctx.chunked(detentions, ctx.sizes.detentions))
    write_table(package, "diplomatic_summons", ctx.chunked(diplomatic_summons, ctx.sizes.summons))
    write_table(package, "claims", archived(claims(ctx), archive, "quote"))
    write_table(package, "sources", [listing.join(archive.finish(), on="source")])
    write_table(package, "tombstones", [tombstones(ctx)])


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--events",
        type=int,
        required=True,
        metavar="N",
        help="number of events; the other tables scale with it",
    )
    parser.add_argument("out", type=Path, metavar="OUT", help="directory to write; must be new or empty")
    parser.add_argument("--seed", type=int, default=0, help="the same seed gives the same bytes (default 0)")


def run(args: argparse.Namespace) -> int:
    if not 1 <= args.events <= MAX_EVENTS:
        print(f"azru synth: --events must be between 1 and {MAX_EVENTS}", file=sys.stderr)
        return exits.USAGE
    if args.out.exists() and any(args.out.iterdir()):
        print(f"azru synth: {args.out} is not empty", file=sys.stderr)
        return exits.USAGE
    started = time.perf_counter()
    write_package(args.out, args.events, args.seed)
    print(f"azru synth: wrote {args.events} events to {args.out} in {time.perf_counter() - started:.1f} s")
    return exits.OK
