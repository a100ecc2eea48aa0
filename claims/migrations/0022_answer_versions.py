"""Versions per group of public answers, and publications that leave the public version alone.

A publication changes the stamps of the answers it changes (`claims.freshness`), so the one
public version no longer moves for it: otherwise every cached page and answer would go stale
with every publication. Every other edit of public material still moves the public version.

PostgreSQL: the trigger function of 0013 returns at once for a source row listed in the
transaction-local setting `claims.scoped_sources` (",12,40,"), which `claims.publishing` sets.
SQLite: the source update trigger skips a source for which the publishing transaction holds a
`publishing:<id>` row in claims_answerversion (it removes the row before committing).
"""

from importlib import import_module

from django.db import migrations, models

previous = import_module("claims.migrations.0013_reliability")

SCOPED = """
    IF TG_TABLE_NAME = 'claims_source'
       AND position(',' || (CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END)::text || ','
                    IN coalesce(current_setting('claims.scoped_sources', true), '')) > 0 THEN
        RETURN NULL;
    END IF;
"""
POSTGRES_FUNCTION = previous.POSTGRES_FUNCTION.replace(
    "CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"
).replace("BEGIN\n", "BEGIN\n" + SCOPED, 1)
POSTGRES_PREVIOUS = previous.POSTGRES_FUNCTION.replace(
    "CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"
)

SOURCE_UPDATE = previous._sqlite_name("claims_source", "UPDATE")
SQLITE_FORWARD = [
    f"DROP TRIGGER IF EXISTS {SOURCE_UPDATE};",
    f"CREATE TRIGGER {SOURCE_UPDATE} AFTER UPDATE ON claims_source "
    f"WHEN ({previous._sqlite_condition('claims_source', 'UPDATE')}) AND NOT EXISTS "
    "(SELECT 1 FROM claims_answerversion WHERE tag = 'publishing:' || NEW.id) "
    f"BEGIN {previous.SQLITE_BUMP} END;",
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {SOURCE_UPDATE};",
    previous._sqlite_create("claims_source", "UPDATE"),
]


def forward(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": [POSTGRES_FUNCTION], "sqlite": SQLITE_FORWARD}.get(vendor)
    if statements is None:
        raise RuntimeError(f"No public version trigger is written for {vendor}.")
    for statement in statements:
        schema_editor.execute(statement)


def backward(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": [POSTGRES_PREVIOUS], "sqlite": SQLITE_BACKWARD}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def create_sqlite_triggers(apps, schema_editor) -> None:
    """For a later migration that rebuilds claims_source on SQLite: 0013's triggers, then this
    one's source update trigger."""
    previous.create_sqlite_triggers(apps, schema_editor)
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("claims", "0021_search_folding_and_trigrams")]

    operations = [
        migrations.CreateModel(
            name="AnswerVersion",
            fields=[
                ("tag", models.CharField(max_length=200, primary_key=True, serialize=False)),
                ("stamp", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(forward, backward),
    ]
