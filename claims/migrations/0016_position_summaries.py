"""Summaries of graded positions, from the sources' own claims.

The summaries gain the two leaning labels (`claims.positions` grades a source's position in
five steps), and a claim whose attribution changes marks the summaries of its propositions,
since only a source's own claims make its position. Every row is then recomputed with the
current SQL of `claims.summaries` (0008 no longer fills them).

The new columns have database defaults because the marking triggers insert rows naming only
the columns of 0008. SQLite rebuilds the summary table to add them, and the triggers naming
it are taken down around that and put back after.
"""

import importlib

from django.db import migrations, models

_0008 = importlib.import_module("claims.migrations.0008_proposition_summary")
_0010 = importlib.import_module("claims.migrations.0010_summary_delete_marks_only")


def _mark_claims_of(rows: str) -> str:
    return _0008._mark("st.proposition_id", rows)


SQLITE_ATTRIBUTION = (
    "CREATE TRIGGER summary_marks_claim_attribution AFTER UPDATE OF attribution ON claims_claim "
    "WHEN OLD.attribution <> NEW.attribution BEGIN "
    + _mark_claims_of("FROM claims_stance st WHERE st.claim_id = NEW.id")
    + " END;"
)
SQLITE_DROP_ATTRIBUTION = "DROP TRIGGER IF EXISTS summary_marks_claim_attribution;"


def _claim_function(condition: str) -> str:
    return f"""
    CREATE OR REPLACE FUNCTION claims_mark_claim_summaries() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        {
        _mark_claims_of(
            "FROM new_rows n JOIN old_rows o ON o.id = n.id "
            f"JOIN claims_stance st ON st.claim_id = n.id WHERE {condition}"
        )
    }
        RETURN NULL;
    END $$;
    """


POSTGRES_FORWARD = _claim_function("o.source_id <> n.source_id OR o.attribution <> n.attribution")
POSTGRES_BACKWARD = _claim_function("o.source_id <> n.source_id")


def drop_sqlite_triggers(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_DROP_ATTRIBUTION)
        _0008.backward(apps, schema_editor)


def create_sqlite_triggers(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        _0008.backward(apps, schema_editor)
        _0008.forward(apps, schema_editor)
        _0010.forward(apps, schema_editor)


def mark_attribution(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_DROP_ATTRIBUTION)
        schema_editor.execute(SQLITE_ATTRIBUTION)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD)
    else:
        raise RuntimeError(f"No proposition summary trigger is written for {vendor}.")


def unmark_attribution(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_DROP_ATTRIBUTION)
    else:
        schema_editor.execute(POSTGRES_BACKWARD)


def fill(apps, schema_editor) -> None:
    # Filled by 0019_revisions_and_rechecks instead: the summary SQL of `claims.summaries` now
    # reads columns that this migration does not create yet.
    pass


class Migration(migrations.Migration):
    dependencies = [("claims", "0013_reliability")]

    operations = [
        migrations.RunPython(drop_sqlite_triggers, create_sqlite_triggers),
        migrations.AddField(
            model_name="propositionsummary",
            name="leans_supports",
            field=models.PositiveIntegerField(db_default=0, default=0),
        ),
        migrations.AddField(
            model_name="propositionsummary",
            name="leans_contradicts",
            field=models.PositiveIntegerField(db_default=0, default=0),
        ),
        migrations.RunPython(create_sqlite_triggers, drop_sqlite_triggers),
        migrations.RunPython(mark_attribution, unmark_attribution),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
