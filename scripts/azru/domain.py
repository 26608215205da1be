"""The part of the evidence model that the validator's own machinery depends on, so no descriptor can
switch it off: the two evidence tables (a claim quotes a source), the fields without which a claim or a
source proves nothing, and the tables whose text is checked against the archive. The checks read these
tables and fields by name, in code.

Everything else about a table is declared in datapackage.json, as `azru:` properties read through
azru.package: its id prefix, whether its rows need a claim, which fields are EDTF dates or searchable.
"""

SOURCES = "sources"
CLAIMS = "claims"
KEYS = {SOURCES: "source_id", CLAIMS: "claim_id"}
# (table, field, referenced table, referenced field): a claim cites a source.
CITATION = (CLAIMS, "source_id", SOURCES, "source_id")
# Fields that must exist and be required: without them a claim or a source proves nothing.
REQUIRED_FIELDS = {
    SOURCES: ("source_id", "file_name", "sha256", "bytes", "language"),
    CLAIMS: ("claim_id", "source_id", "quote", "status"),
}
# Tables holding text that must be verbatim in an archived source.
VERBATIM_TABLES = {SOURCES, CLAIMS, "actor_names"}
