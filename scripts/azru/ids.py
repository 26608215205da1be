"""Row identifiers that never collide between pull requests made at the same time.

An id is a table's prefix (`azru:idPrefix` in the descriptor) plus 10 random Crockford base32
characters (50 bits): two contributors scaffolding rows in parallel draw from 2**50 values, so no
coordination (and no "next integer") is needed.
"""

import secrets

CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
RANDOM_LENGTH = 10


def new_id(prefix: str) -> str:
    """Return a fresh id starting with ``prefix``."""
    body = "".join(secrets.choice(CROCKFORD) for _ in range(RANDOM_LENGTH))
    return f"{prefix}-{body}"
