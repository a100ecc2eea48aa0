"""On SQLite, deleting a stance marks its proposition's summary only if the summary exists.

The trigger of 0008 inserted a summary row when there was none. When a whole database is
emptied table by table (Django's flush between transactional tests), the stances can go after
the summaries and before the propositions, and the row it inserted then pointed at a deleted
proposition. A proposition without a summary has nothing to settle, so an update is enough.
PostgreSQL marks per statement in a function and is emptied with TRUNCATE: unchanged.
"""

from django.db import migrations

DROP = "DROP TRIGGER IF EXISTS summary_marks_stance_delete;"
UPDATE_ONLY = (
    "CREATE TRIGGER summary_marks_stance_delete AFTER DELETE ON claims_stance BEGIN "
    "UPDATE claims_propositionsummary SET marks = marks + 1 "
    "WHERE proposition_id = OLD.proposition_id; END;"
)


def forward(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(DROP)
        schema_editor.execute(UPDATE_ONLY)


def backward(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        from importlib import import_module

        previous = import_module("claims.migrations.0008_proposition_summary")
        schema_editor.execute(DROP)
        schema_editor.execute(
            next(s for s in previous.SQLITE_FORWARD if "summary_marks_stance_delete" in s)
        )


class Migration(migrations.Migration):
    dependencies = [("claims", "0009_source_published_index")]

    operations = [migrations.RunPython(forward, backward)]
