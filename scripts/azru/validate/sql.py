"""Quoting for the SQL the validator writes, and the column that gives every loaded row its line."""


def sql_name(name: str) -> str:
    """A name quoted as an SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    """A text quoted as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


# The column with each row's line, quoted for SQL: the colon keeps it apart from every field name.
LINE_COLUMN = sql_name("line:")
# Python's str.isspace() set as a regex class, so SQL and Python collapse the same whitespace.
WHITESPACE = r"[\s\x{0B}\x{1C}-\x{1F}\x{85}\p{Z}]"
