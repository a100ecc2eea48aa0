"""The public version: one row that triggers change with every edit of public material.

The public pages are cached under this value (`claims.pagecache`). The triggers run inside the
editing transaction, so the new value becomes visible exactly when the edit does. PostgreSQL
bumps once per statement (and on TRUNCATE); SQLite has only row-level triggers, so it bumps
once per changed row. The bump is an upsert, so that a table emptied by a flush or a restore
gets its row back on the next edit.

SQLite drops a table's triggers when a migration rebuilds it: such a migration calls
`drop_sqlite_triggers` before and `create_sqlite_triggers` after the rebuild, as 0006 does for
the quote triggers.
"""

from django.db import migrations, models

# Every table a public page reads.
TABLES = (
    "claims_publisher",
    "claims_author",
    "claims_authorship",
    "claims_source",
    "claims_topic",
    "claims_actor",
    "claims_proposition",
    "claims_proposition_topics",
    "claims_claim",
    "claims_claim_actors",
    "claims_stance",
)
EVENTS = ("INSERT", "UPDATE", "DELETE")

SQLITE_BUMP = """
    INSERT INTO claims_publicversion (id, counter, stamp) VALUES (1, 1, random())
    ON CONFLICT (id) DO UPDATE SET counter = counter + 1, stamp = random();
"""


def _sqlite_name(table: str, event: str) -> str:
    return f"{table}_public_version_{event.lower()}"


SQLITE_FORWARD = [
    f"CREATE TRIGGER {_sqlite_name(table, event)} AFTER {event} ON {table} BEGIN {SQLITE_BUMP} END;"
    for table in TABLES
    for event in EVENTS
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {_sqlite_name(table, event)};" for table in TABLES for event in EVENTS
]

POSTGRES_FORWARD = [
    """
    CREATE FUNCTION claims_bump_public_version() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO claims_publicversion (id, counter, stamp)
        VALUES (1, 1, floor(random() * 9.2e18)::bigint)
        ON CONFLICT (id) DO UPDATE
            SET counter = claims_publicversion.counter + 1, stamp = EXCLUDED.stamp;
        RETURN NULL;
    END $$;
    """
] + [
    statement
    for table in TABLES
    for statement in (
        f"CREATE TRIGGER public_version AFTER INSERT OR UPDATE OR DELETE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION claims_bump_public_version();",
        f"CREATE TRIGGER public_version_truncate AFTER TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION claims_bump_public_version();",
    )
]
POSTGRES_BACKWARD = [
    statement
    for table in TABLES
    for statement in (
        f"DROP TRIGGER IF EXISTS public_version ON {table};",
        f"DROP TRIGGER IF EXISTS public_version_truncate ON {table};",
    )
] + ["DROP FUNCTION IF EXISTS claims_bump_public_version();"]

STATEMENTS = {
    "sqlite": (SQLITE_FORWARD, SQLITE_BACKWARD),
    "postgresql": (POSTGRES_FORWARD, POSTGRES_BACKWARD),
}


def _run(schema_editor, direction: int) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in STATEMENTS:
        raise RuntimeError(f"No public version trigger is written for {vendor}.")
    for statement in STATEMENTS[vendor][direction]:
        schema_editor.execute(statement)


def forward(apps, schema_editor) -> None:
    _run(schema_editor, 0)


def backward(apps, schema_editor) -> None:
    _run(schema_editor, 1)


def drop_sqlite_triggers(apps, schema_editor) -> None:
    """Before a later migration rebuilds one of TABLES on SQLite."""
    if schema_editor.connection.vendor == "sqlite":
        backward(apps, schema_editor)


def create_sqlite_triggers(apps, schema_editor) -> None:
    """After that rebuild: SQLite dropped the rebuilt table's triggers with the old table."""
    if schema_editor.connection.vendor == "sqlite":
        drop_sqlite_triggers(apps, schema_editor)
        forward(apps, schema_editor)


def create_row(apps, schema_editor) -> None:
    apps.get_model("claims", "PublicVersion").objects.using(
        schema_editor.connection.alias
    ).get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("claims", "0006_versions_and_actor_history")]

    operations = [
        migrations.CreateModel(
            name="PublicVersion",
            fields=[
                (
                    "id",
                    models.PositiveSmallIntegerField(
                        default=1, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("counter", models.BigIntegerField(default=0)),
                ("stamp", models.BigIntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("id", 1)), name="public_version_single_row"
                    )
                ],
            },
        ),
        migrations.RunPython(create_row, migrations.RunPython.noop),
        migrations.RunPython(forward, backward),
    ]
