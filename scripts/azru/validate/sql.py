"""Quoting for the SQL the validator writes, and the column that gives every loaded row its line."""


def sql_name(name: str) -> str:
    """A name quoted as an SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    """A text quoted as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


# The column with each row's line, quoted for SQL: the colon keeps it apart from every field name.
LINE_COLUMN = sql_name("line:")
# Python's str.isspace() set as a regex class, so SQL and Python collapse the same whitespace; spelt out
# rather than with \p{Z}, whose Unicode table RE2 compiles again for every use in every query.
WHITESPACE = r"[\t-\r\x{1C}-\x{20}\x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}]"
# WHITESPACE but the space, which collapsing leaves as it is where it stands alone inside a text.
WHITESPACE_BUT_SPACE = (
    r"[\t-\r\x{1C}-\x{1F}\x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}]"
)


def collapsed(text: str) -> str:
    """SQL for a text with every run of whitespace made one space and its ends trimmed, as
    text.normalise_whitespace does; replaced only where that changes it, which a match finds far sooner."""
    changes = f"^{WHITESPACE}|{WHITESPACE}$|{WHITESPACE}{{2}}|{WHITESPACE_BUT_SPACE}"
    return (
        f"CASE WHEN regexp_matches({text}, '{changes}') "
        f"THEN trim(regexp_replace({text}, '{WHITESPACE}+', ' ', 'g')) ELSE {text} END"
    )
