"""Working copies of published sources, and stances to re-check when a claim's words change.

`revision_of` ties a working copy (a draft source) and its claims and stances to the published
rows they will replace (claims.revisions); `Stance.needs_recheck` and the anchor state
"words_changed" mark what re-anchoring could not vouch for (claims.editing).

SQLite rebuilds the source, claim and stance tables here, which drops their triggers: they are
dropped first (a rebuild renames tables that other triggers name) and created again after. The
proposition summaries are rebuilt, because orphaned claims stop counting.
"""

import importlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

_0002 = importlib.import_module("claims.migrations.0002_claim_quote_matches_body")
_0013 = importlib.import_module("claims.migrations.0013_reliability")
_0016 = importlib.import_module("claims.migrations.0016_position_summaries")


def drop_sqlite_triggers(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        _0016.drop_sqlite_triggers(apps, schema_editor)
        for statement in _0013.SQLITE_DROP:
            schema_editor.execute(statement)
        _0002.backward(apps, schema_editor)


def create_sqlite_triggers(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        drop_sqlite_triggers(apps, schema_editor)
        _0002.forward(apps, schema_editor)
        _0013.forward(apps, schema_editor)
        _0016.create_sqlite_triggers(apps, schema_editor)
        _0016.mark_attribution(apps, schema_editor)


def rebuild_summaries(apps, schema_editor) -> None:
    summaries = importlib.import_module("claims.summaries")
    for statement in summaries.REBUILD_SQL:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0018_assignments"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(drop_sqlite_triggers, create_sqlite_triggers),
        migrations.RemoveConstraint(
            model_name="claim",
            name="claim_anchor_state_valid",
        ),
        migrations.AddField(
            model_name="claim",
            name="revision_of",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                help_text="In a working copy: the published claim this one will replace when published.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="copies",
                to="claims.claim",
            ),
        ),
        migrations.AddField(
            model_name="historicalclaim",
            name="revision_of",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                editable=False,
                help_text="In a working copy: the published claim this one will replace when published.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="claims.claim",
            ),
        ),
        migrations.AddField(
            model_name="historicalsource",
            name="revision_of",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                editable=False,
                help_text="The published source this draft is a new revision of (its working copy).",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="claims.source",
            ),
        ),
        migrations.AddField(
            model_name="historicalstance",
            name="needs_recheck",
            field=models.BooleanField(
                default=False,
                help_text="Set when the words of the claim changed: the stance counts nowhere until an editor confirms or changes it.",
            ),
        ),
        migrations.AddField(
            model_name="historicalstance",
            name="revision_of",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                editable=False,
                help_text="In a working copy: the published stance this one will replace when published.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="claims.stance",
            ),
        ),
        migrations.AddField(
            model_name="source",
            name="revision_of",
            field=models.OneToOneField(
                blank=True,
                editable=False,
                help_text="The published source this draft is a new revision of (its working copy).",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="working_copy",
                to="claims.source",
            ),
        ),
        migrations.AddField(
            model_name="stance",
            name="needs_recheck",
            field=models.BooleanField(
                default=False,
                help_text="Set when the words of the claim changed: the stance counts nowhere until an editor confirms or changes it.",
            ),
        ),
        migrations.AddField(
            model_name="stance",
            name="revision_of",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                help_text="In a working copy: the published stance this one will replace when published.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="copies",
                to="claims.stance",
            ),
        ),
        migrations.AlterField(
            model_name="claim",
            name="anchor_state",
            field=models.CharField(
                choices=[
                    ("anchored", "Anchored"),
                    ("reanchored", "Re-anchored after an edit"),
                    ("words_changed", "Words changed: stances to re-check"),
                    ("orphaned", "Orphaned: not found in the current text"),
                ],
                default="anchored",
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="historicalclaim",
            name="anchor_state",
            field=models.CharField(
                choices=[
                    ("anchored", "Anchored"),
                    ("reanchored", "Re-anchored after an edit"),
                    ("words_changed", "Words changed: stances to re-check"),
                    ("orphaned", "Orphaned: not found in the current text"),
                ],
                default="anchored",
                max_length=20,
            ),
        ),
        migrations.AddConstraint(
            model_name="claim",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("anchor_state__in", ["anchored", "reanchored", "words_changed", "orphaned"])
                ),
                name="claim_anchor_state_valid",
            ),
        ),
        migrations.RunPython(create_sqlite_triggers, drop_sqlite_triggers),
        migrations.RunPython(rebuild_summaries, migrations.RunPython.noop),
    ]
