"""SQL text built from names the descriptor gives: every identifier goes in through `identifier`."""


def identifier(name: str) -> str:
    """`name` as a quoted SQL identifier: a descriptor's names may hold spaces, quotes or keywords."""
    return '"' + name.replace('"', '""') + '"'
