"""The rule catalogue: every rule `azru validate` enforces, each defined once below as a constant named
after its code, the stable kebab-case name findings carry; docs/errors.md is generated from it.

How to add a rule (tests/test_mutations.py fails until all of it is done):
1. Define it here in its group: NEW_RULE = _rule("semantic", "new-rule", title, message, hint). The
   message and hint templates take `{value}`, `{field}` and the parameters the finding passes.
2. Report it from one stage, and add it to what that stage declares: `emits` of a check
   (`@check(reads=..., emits=...)` in keys.py, dates.py, semantics.py or provenance.py), or EMITS of
   descriptor.py, scan.py, load.py or cells.py. A stage reporting a rule it does not declare is a bug:
   the run stops with an internal error (exit 3).
3. Add a mutation in tests/test_mutations.py that breaks exactly this rule in the fixture package and
   expects exactly its finding; it must run (not skip) to count.
4. Run `azru schemas` to regenerate docs/errors.md.
"""

import dataclasses
from dataclasses import dataclass
from typing import Literal

Level = Literal["error", "notice"]


@dataclass(frozen=True, eq=False)  # each rule is one object, compared and hashed as such
class Rule:
    code: str
    group: str
    title: str
    message: str
    hint: str
    level: Level = "error"


RULES: dict[str, Rule] = {}  # by code, in the order of the error catalogue


def _rule(group: str, code: str, title: str, message: str, hint: str, level: Level = "error") -> Rule:
    if code in RULES:
        raise ValueError(f"two rules have the code {code}")
    RULES[code] = Rule(code, group, title, message, hint, level)
    return RULES[code]


# Descriptor
DESCRIPTOR_MISSING = _rule(
    "descriptor",
    "descriptor-missing",
    "Descriptor missing",
    "no datapackage.json in the package folder",
    "run azru validate on the folder that holds datapackage.json",
)
DESCRIPTOR_INVALID_JSON = _rule(
    "descriptor",
    "descriptor-invalid-json",
    "Descriptor is not valid JSON",
    "not valid JSON: {error}",
    "fix the JSON syntax at that line and column",
)
DESCRIPTOR_NOT_CONFORMING = _rule(
    "descriptor",
    "descriptor-not-conforming",
    "Descriptor does not conform",
    "{where}: {error}",
    "compare with the Data Package v2 profile and the other resources",
)
RESOURCE_PATH_UNSAFE = _rule(
    "descriptor",
    "resource-path-unsafe",
    "Resource path not plain",
    "resource path {value} is not a plain relative path inside the package: {problem}",
    "use a relative path below the package folder of letters, digits, '.', '_' and '-', e.g. data/events.csv",
)
DESCRIPTOR_NOT_TRUSTED = _rule(
    "descriptor",
    "descriptor-not-trusted",
    "Rules not checked against a trusted copy",
    "the rules were read from the package itself, which a pull request can change",
    "in CI and reviews pass --trusted with the base branch (e.g. --trusted origin/main) or a trusted folder",
    level="notice",
)
DESCRIPTOR_WEAKENED = _rule(
    "descriptor",
    "descriptor-weakened",
    "Rules loosened",
    "{where}: {change}, which lets through values the trusted rules refuse",
    "revert the change to datapackage.json; only a maintainer can loosen the rules, by validating against "
    "the changed descriptor as the trusted one",
)
DESCRIPTOR_CHANGED = _rule(
    "descriptor",
    "descriptor-changed",
    "Rules changed",
    "{where}: {change}",
    "a maintainer must accept this change to datapackage.json; the trusted rules were applied",
    level="notice",
)
INVARIANT_BROKEN = _rule(
    "descriptor",
    "invariant-broken",
    "Evidence model broken",
    "{where}: {error}",
    "every descriptor keeps sources, claims and the fact tables with their keys and references (azru.domain)",
)
RESOURCE_FILE_MISSING = _rule(
    "descriptor",
    "resource-file-missing",
    "Resource file missing",
    "file {value} does not exist",
    "add the file or fix the resource's path",
)
# Files
FILE_NOT_REGULAR = _rule(
    "file",
    "file-not-regular",
    "Not a regular file",
    "{value}: {problem}",
    "commit the table as a plain file: no symbolic links, FIFOs or devices",
)
FILE_TOO_LARGE = _rule(
    "file", "file-too-large", "File too large", "{value}: {problem}", "split the table or ask a maintainer"
)
FILE_EMPTY = _rule("file", "file-empty", "File empty", "the file is empty", "a table needs at least its header line")
ENCODING_INVALID = _rule(
    "file",
    "encoding-invalid",
    "Not UTF-8",
    "bytes at this position are not UTF-8: {value}",
    "save the file as UTF-8",
)
BOM_PRESENT = _rule(
    "file",
    "bom-present",
    "Byte order mark",
    "the file starts with a UTF-8 byte order mark",
    "save as UTF-8 without BOM",
)
LINE_ENDING_CRLF = _rule(
    "file",
    "line-ending-crlf",
    "CRLF line endings",
    "lines end with CR LF",
    "save with LF (Unix) line endings",
)
LINE_ENDING_CR = _rule(
    "file",
    "line-ending-cr",
    "CR line endings",
    "this line ends with a CR alone (as some Mac programs save), not with LF or CR LF: the file is not read",
    "save with LF (Unix) line endings; a cell may not hold a line break",
)
FINAL_NEWLINE_MISSING = _rule(
    "file",
    "final-newline-missing",
    "No final newline",
    "the last line does not end with a newline",
    "add a newline at the end of the file",
)
BLANK_LINE = _rule("file", "blank-line", "Blank line", "blank line", "delete the blank line")
CSV_QUOTE_MALFORMED = _rule(
    "file",
    "csv-quote-malformed",
    "Malformed quoting",
    "{error}",
    'quote a cell that holds a comma or a quote with "..." and double any quote inside it',
)
ROW_FIELD_COUNT = _rule(
    "file",
    "row-field-count",
    "Wrong number of cells",
    "row has {found} cells, the header has {expected}",
    "each row needs exactly one cell per header column; quote cells that contain commas",
)
RECORD_TOO_LONG = _rule(
    "file",
    "record-too-long",
    "Record too long",
    "the record starting on this line is longer than {limit} characters",
    "close the quoted cell left open on this line, or split the cell",
)
HEADER_MISMATCH = _rule(
    "file",
    "header-mismatch",
    "Header differs from the schema",
    "header is {value}; the schema expects {expected}",
    "the header must list the schema's field names in order (datapackage.json)",
)
# Cells
REQUIRED_MISSING = _rule(
    "cell", "required-missing", "Required cell empty", "{field} is required but empty", "fill in {field}"
)
TYPE_INTEGER = _rule(
    "cell",
    "type-integer",
    "Not an integer",
    "{field} must be a whole number, not {value}",
    "write digits only, e.g. 3",
)
TYPE_BOOLEAN = _rule(
    "cell",
    "type-boolean",
    "Not a boolean",
    "{field} must be true or false, not {value}",
    "write true or false in lowercase",
)
VALUE_TOO_SMALL = _rule(
    "cell",
    "value-too-small",
    "Below minimum",
    "{field} is {value}, below the minimum {limit}",
    "check the figure",
)
VALUE_TOO_LARGE = _rule(
    "cell",
    "value-too-large",
    "Above maximum",
    "{field} is {value}, above the maximum {limit}",
    "check the figure",
)
PATTERN_MISMATCH = _rule(
    "cell",
    "pattern-mismatch",
    "Wrong form",
    "{field} value {value} does not match {pattern}",
    "see the field's description in datapackage.json for the expected form",
)
TOO_LONG = _rule(
    "cell",
    "too-long",
    "Too long",
    "{field} has {length} characters, more than {limit}",
    "shorten it; quotes should be short passages",
)
TOO_SHORT = _rule("cell", "too-short", "Too short", "{field} has {length} characters, fewer than {limit}", "fill it in")
WHITESPACE_PADDING = _rule(
    "cell",
    "whitespace-padding",
    "Leading or trailing whitespace",
    "{field} value {value} starts or ends with whitespace",
    "delete the spaces around the value",
)
NOT_NFC = _rule(
    "cell",
    "not-nfc",
    "Not NFC",
    "{field} value {value} is not in Unicode NFC form",
    "normalise the text to NFC (e.g. unicodedata.normalize('NFC', s))",
)
FORBIDDEN_CHARACTER = _rule(
    "cell",
    "forbidden-character",
    "Forbidden character",
    "{field} contains {character}, a control or invisible formatting character",
    "delete it; cells are single lines of visible text, without controls (C0, C1, DEL), Unicode's default-ignorable "
    "characters (zero-width and bidi controls, soft hyphen, fillers, variation selectors, tags), U+2028, U+2029 "
    "or U+FFF9-FFFB",
)
FORMULA_PREFIX = _rule(
    "cell",
    "formula-prefix",
    "Spreadsheet formula",
    "{field} value {value} starts with {character}",
    "spreadsheets run cells that start with = + - @ as formulas; reword the start of the cell",
)
UNIQUE_DUPLICATE = _rule(
    "cell",
    "unique-duplicate",
    "Duplicate value",
    "{field} value {value} also appears on line {other_line}",
    "{field} must be unique in the table",
)
# Keys
PRIMARY_KEY_DUPLICATE = _rule(
    "key",
    "primary-key-duplicate",
    "Duplicate id",
    "{field} {value} is also used on line {other_line}",
    "ids are never reused: make a fresh one with `azru new`",
)
CODE_CASE_DUPLICATE = _rule(
    "key",
    "code-case-duplicate",
    "Codes differ only in case",
    "{field} {value} differs only in case from {other} on line {other_line}",
    "people and many tools take both for one code: keep one spelling, and delete or rename the other row",
)
FOREIGN_KEY_DANGLING = _rule(
    "key",
    "foreign-key-dangling",
    "Dangling reference",
    "{field} {value} matches no {target_field} in {target}",
    "reference an existing row, or add the row it points to",
)
CODE_NOT_IN_CODELIST = _rule(
    "key",
    "code-not-in-codelist",
    "Unknown code",
    "{field} {value} is not a code in {target}",
    "use one of the codes in data/codelists/{target}.csv",
)
# Semantics
EDTF_INVALID = _rule(
    "semantic",
    "edtf-invalid",
    "Not an EDTF date",
    "{field} {value} is not a valid EDTF date: {error}",
    "write e.g. 2024-12-25, 2017-05, 2025-06-27?, 2017-05/2017-06 or XXXX-03-20",
)
EDTF_INTERVAL_REVERSED = _rule(
    "semantic",
    "edtf-interval-reversed",
    "Interval reversed",
    "{field} {value} ends before it starts",
    "put the earlier date first",
)
DATE_PRECISION_MISMATCH = _rule(
    "semantic",
    "date-precision-mismatch",
    "Date precision disagrees with the date",
    "date_precision {value} does not fit date {date}",
    "{expected}",
)
DATE_BASIS_MISMATCH = _rule(
    "semantic",
    "date-basis-mismatch",
    "Date basis disagrees with the date",
    "date_basis {value} does not fit date {date}",
    "{expected}",
)
DATE_NOTE_MISSING = _rule(
    "semantic",
    "date-note-missing",
    "Inferred date without a note",
    "date_basis is {value} but date_note is empty",
    "say how the date was inferred, citing the text",
)
RELEASE_BEFORE_DETENTION = _rule(
    "semantic",
    "release-before-detention",
    "Release before detention",
    "release_date {value} is before the detention date {date}",
    "check both dates",
)
LANGUAGE_INVALID = _rule(
    "semantic",
    "language-invalid",
    "Not a BCP 47 tag",
    "{field} {value} is not a valid BCP 47 language tag",
    "write e.g. en, ar, ru, az-Latn",
)
CLAIM_MISSING = _rule(
    "semantic",
    "claim-missing",
    "Row without evidence",
    "{field} {value} has no claim",
    "add a claim with a verbatim quote: azru new claim --for {raw}",
)
CLAIM_TARGET_COUNT = _rule(
    "semantic",
    "claim-target-count",
    "Link must point at exactly one row",
    "link sets {count} of event_id, detention_id, summons_id, actor_id, case_id",
    "set exactly one of them: the row the claim supports; a claim supporting several rows has a link for each",
)
CLAIM_UNLINKED = _rule(
    "semantic",
    "claim-unlinked",
    "Claim supporting no row",
    "no link in claim_links uses claim {value}",
    "link it to the row it supports: azru new link --for {raw} --set event_id=... (or retire it in tombstones)",
)
QUOTE_STORED_TWICE = _rule(
    "semantic",
    "quote-stored-twice",
    "The same claim stored twice",
    "{value} repeats {first}: same source, quote, claimant, intermediary, status and figure",
    "keep {first}, point links of it at this claim's rows, and retire this id in tombstones (replaced_by {first})",
)
FIGURE_RANGE_INVERTED = _rule(
    "semantic",
    "figure-range-inverted",
    "Range inverted",
    "{field} {value} is above {other_field} {other}",
    "the lower figure goes in the _min column",
)
FIGURE_MEASURE_MISSING = _rule(
    "semantic",
    "figure-measure-missing",
    "Figure without a measure",
    "value_min is {value} but measure is empty",
    "say what the figure counts (codelist measures)",
)
DETENTION_CYCLE = _rule(
    "semantic",
    "detention-cycle",
    "Detentions nested in a loop",
    "parent_detention_id {value} leads back to this detention ({path})",
    "a subgroup points at the group it is part of, never at itself or at one of its own subgroups",
)
DETENTION_CHILD_LARGER = _rule(
    "semantic",
    "detention-child-larger",
    "Subgroup larger than its group",
    "people_count_min {value} is above {parent_count}, the people_count_min of its parent {parent}",
    "a subgroup's people are among its group's: raise the group's count or check the parent",
)
COUNT_BASIS_INCONSISTENT = _rule(
    "semantic",
    "count-basis-inconsistent",
    "Count basis does not fit the counts",
    "count_basis {value} with people_count_min {low} and people_count_max {high}: {reason}",
    "say what the counts are (codelist count_bases): one figure (min = max), a stated range (min < max), "
    "a floor (max empty), sources that disagree, or unknown (no counts)",
)
QUOTE_TOO_SHORT = _rule(
    "semantic",
    "quote-too-short",
    "Quote too short",
    "quote has {length} characters once its whitespace is collapsed, fewer than {limit}",
    "quote the passage that makes the claim: a word or a mark is found in almost any source, so it proves nothing",
)
QUOTE_TRANSLATION_MISSING = _rule(
    "semantic",
    "quote-translation-missing",
    "Quote without English rendering",
    "quote from a source in {language} has no quote_en",
    "add an English rendering in quote_en",
)
TOMBSTONE_ID_IN_USE = _rule(
    "semantic",
    "tombstone-id-in-use",
    "Retired id still in use",
    "{value} was retired but is still a row of {table}",
    "retired ids are never reused; make a fresh id",
)
TOMBSTONE_REPLACEMENT_MISSING = _rule(
    "semantic",
    "tombstone-replacement-missing",
    "Replacement row missing",
    "replaced_by {value} is not a row of any table",
    "point replaced_by at an existing row",
)
COORDINATES_INCOMPLETE = _rule(
    "semantic",
    "coordinates-incomplete",
    "Half a coordinate pair",
    "{field} {value} is given without {other_field}",
    "run azru places, which copies both from the gazetteer record",
)
COORDINATES_WITHOUT_GAZETTEER = _rule(
    "semantic",
    "coordinates-without-gazetteer",
    "Coordinates without a gazetteer record",
    "{field} {value} is given without the gazetteer and gazetteer_id it comes from",
    "coordinates are never typed by hand: give the gazetteer record and run azru places, or leave them empty",
)
COORDINATE_PRECISION_MISMATCH = _rule(
    "semantic",
    "coordinate-precision-mismatch",
    "Precision does not fit the coordinates",
    "coordinate_precision {value} {problem}",
    "use coordinate_precision none exactly when the place has no coordinates",
)
# Provenance
QUOTES_NOT_VERIFIED = _rule(
    "provenance",
    "quotes-not-verified",
    "Quotes not verified",
    "no archive given: quotes, names and file hashes were not checked against the sources",
    "pass --archive DIR or set AZRU_ARCHIVE to the folder holding the source documents",
    level="notice",
)
CODELIST_CODE_ADDED = _rule(
    "key",
    "codelist-code-added",
    "Code added to a codelist",
    "{value} is not a code of the trusted {table}",
    "a maintainer must accept a new code; until then use one of the trusted codes",
)
ARCHIVE_FILE_MISSING = _rule(
    "provenance",
    "archive-file-missing",
    "Archived source missing",
    "{value} is not in the archive {archive}",
    "put the document in the archive, or fix file_name",
)
ARCHIVE_FILE_REFUSED = _rule(
    "provenance",
    "archive-file-refused",
    "Archived source refused",
    "{value} cannot be read from the archive: {problem}",
    "file_name is a plain file name in the archive folder (no '/'), of a regular file, not a link",
)
SOURCE_HASH_MISMATCH = _rule(
    "provenance",
    "source-hash-mismatch",
    "Source file changed",
    "sha256 of {file_name} is {actual}, not {value}",
    "the archived file differs from the one cited; restore it or update sha256 and bytes",
)
SOURCE_BYTES_MISMATCH = _rule(
    "provenance",
    "source-bytes-mismatch",
    "Source size changed",
    "{file_name} has {actual} bytes, not {value}",
    "the archived file differs from the one cited; restore it or update sha256 and bytes",
)
SOURCE_UNREADABLE = _rule(
    "provenance",
    "source-unreadable",
    "Source not UTF-8",
    "{value} is not UTF-8 text: {error}",
    "archive the document as UTF-8 text",
)
QUOTE_NOT_VERBATIM = _rule(
    "provenance",
    "quote-not-verbatim",
    "Quote not in the source",
    "quote is not verbatim in {source}: it matches up to character {matched} ({context})",
    "copy the passage exactly from the source, keeping its punctuation; only whitespace may differ",
)
NAME_NOT_IN_SOURCE = _rule(
    "provenance",
    "name-not-in-source",
    "Name not in the source",
    "name {value} does not appear in {source}",
    "record the spelling exactly as the source writes it",
)


@dataclass(frozen=True)
class Finding:
    """One error or notice, located as precisely as the check can: file, line, column, field, value."""

    rule: Rule
    file: str | None = None
    line: int | None = None
    column: int | None = None
    field: str | None = None
    value: str | None = None
    params: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def code(self) -> str:
        return self.rule.code

    def _fill(self, template: str) -> str:
        return template.format(value=show(self.value), raw=self.value or "", field=self.field or "", **self.params)

    @property
    def message(self) -> str:
        return self._fill(self.rule.message)

    @property
    def hint(self) -> str:
        return self._fill(self.rule.hint)

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "level": self.rule.level,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "field": self.field,
            "value": self.value,
            "message": self.message,
            "hint": self.hint,
        }


# Findings of one code listed in a report; checks count the rest (More) instead of making each one.
LISTED_PER_CODE = 1000


@dataclass(frozen=True)
class More:
    """`count` findings of `rule` that a check counted but did not list."""

    rule: Rule
    count: int

    @property
    def code(self) -> str:
        return self.rule.code


def show(value: str | None, limit: int = 60) -> str:
    """A value as it should appear in a message: quoted, invisible characters escaped, long ones cut."""
    if value is None:
        return "(empty)"
    text = value if len(value) <= limit else value[: limit - 1] + "…"
    escaped = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)
    return f"'{escaped}'"


@dataclass(frozen=True)
class Stage:
    """A part of the validator that reports findings, with every rule it may report."""

    name: str
    emits: frozenset[Rule]

    def vouch(self, item: Finding | More) -> None:
        if item.rule not in self.emits:
            raise InternalError(f"{self.name} reported {item.code}, a rule it does not declare")


class InternalError(Exception):
    """A bug in azru, never bad input: the engine refused the validator's own SQL, or a stage reported a
    rule it does not declare. The command exits 3 and asks for a report."""
