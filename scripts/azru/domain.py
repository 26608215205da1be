"""Domain facts no descriptor can switch off: which tables are the evidence, which rows need it, and
the keys that tie them together. `azru validate` enforces them whatever descriptor it is given."""

SOURCES = "sources"
CLAIMS = "claims"
# Each table whose rows stand for a fact, with its key, which is also the claims column pointing at it.
EVIDENCED = {
    "events": "event_id",
    "detentions": "detention_id",
    "diplomatic_summons": "summons_id",
    "actors": "actor_id",
}
KEYS = {SOURCES: "source_id", CLAIMS: "claim_id", **EVIDENCED}
# (table, field, referenced table, referenced field): a claim cites a source and supports a fact row.
REFERENCES = (
    (CLAIMS, "source_id", SOURCES, "source_id"),
    *((CLAIMS, key, table, key) for table, key in EVIDENCED.items()),
)
# Fields that must exist and be required: without them a claim or a source proves nothing.
REQUIRED_FIELDS = {
    SOURCES: ("source_id", "file_name", "sha256", "bytes", "language"),
    CLAIMS: ("claim_id", "source_id", "quote", "status"),
}
# Tables holding text that must be verbatim in an archived source.
VERBATIM_TABLES = {SOURCES, CLAIMS, "actor_names"}
