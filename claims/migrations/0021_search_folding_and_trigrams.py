"""Search that folds accents and finds spelling variants, on PostgreSQL.

- A text search configuration `claims_search`: PostgreSQL's English stemming of words first
  stripped of their accents (extension `unaccent`). The stored `search_vector` columns of
  migration 0005 are rebuilt with it (same weights, same GIN indexes).
- Extension `pg_trgm` with trigram GIN indexes on the searched text columns, for the strict
  word similarity operator (`<<%`) that finds spelling variants of long query words.

SQLite has neither: `claims.search` applies the same rules in Python there.
"""

from django.db import migrations

CONFIG = "claims_search"

VECTORS = {
    "claims_claim": f"setweight(to_tsvector('{CONFIG}', coalesce(quote, '')), 'A') || "
    f"setweight(to_tsvector('{CONFIG}', coalesce(note, '')), 'C')",
    "claims_proposition": f"setweight(to_tsvector('{CONFIG}', coalesce(text, '')), 'A') || "
    f"setweight(to_tsvector('{CONFIG}', coalesce(notes, '')), 'C')",
    "claims_source": f"setweight(to_tsvector('{CONFIG}', coalesce(title, '')), 'A') || "
    f"setweight(to_tsvector('{CONFIG}', coalesce(body, '')), 'B')",
}
OLD_VECTORS = {table: sql.replace(f"'{CONFIG}'", "'english'") for table, sql in VECTORS.items()}

TRIGRAM_COLUMNS = {
    "claims_claim": ["quote", "note"],
    "claims_proposition": ["text", "notes"],
    "claims_source": ["title", "body"],
}


def _vectors(schema_editor, expressions: dict[str, str]) -> None:
    for table, expression in expressions.items():
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector")
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
            f"GENERATED ALWAYS AS ({expression}) STORED"
        )
        schema_editor.execute(
            f"CREATE INDEX {table}_search_idx ON {table} USING GIN (search_vector)"
        )


def forward(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIG} CASCADE")
    schema_editor.execute(f"CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = english)")
    schema_editor.execute(
        f"ALTER TEXT SEARCH CONFIGURATION {CONFIG} "
        "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem"
    )
    _vectors(schema_editor, VECTORS)
    for table, columns in TRIGRAM_COLUMNS.items():
        for column in columns:
            schema_editor.execute(
                f"CREATE INDEX {table}_{column}_trgm_idx ON {table} "
                f"USING GIN ({column} gin_trgm_ops)"
            )


def backward(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, columns in TRIGRAM_COLUMNS.items():
        for column in columns:
            schema_editor.execute(f"DROP INDEX IF EXISTS {table}_{column}_trgm_idx")
    _vectors(schema_editor, OLD_VECTORS)
    schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIG}")


class Migration(migrations.Migration):
    dependencies = [("claims", "0020_review_trail_and_soft_delete")]

    operations = [migrations.RunPython(forward, backward)]
