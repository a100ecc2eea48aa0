"""Stored full-text search vectors on PostgreSQL: generated tsvector columns with GIN indexes.

The vectors are computed by the database when a row is written, never per query. They are not
model fields (SQLite has no tsvector); `claims.search` reads them on PostgreSQL and falls back to
substring matching on SQLite.
"""

from django.db import migrations

VECTORS = {
    "claims_claim": "setweight(to_tsvector('english', coalesce(quote, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(note, '')), 'C')",
    "claims_proposition": "setweight(to_tsvector('english', coalesce(text, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(notes, '')), 'C')",
    "claims_source": "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(body, '')), 'B')",
}


def forward(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, expression in VECTORS.items():
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
            f"GENERATED ALWAYS AS ({expression}) STORED"
        )
        schema_editor.execute(
            f"CREATE INDEX {table}_search_idx ON {table} USING GIN (search_vector)"
        )


def backward(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in VECTORS:
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector")


class Migration(migrations.Migration):
    dependencies = [("claims", "0004_source_url_label")]

    operations = [migrations.RunPython(forward, backward)]
