"""Claims say whose view they are (`attribution`), apart from their kind.

The "reported speech" kind is retired: such a claim is a factual report of someone else's view,
so it becomes attribution `reported` with kind `factual`, in the claims and in their history
(so that reverting to an old version never brings the retired kind back).

SQLite rebuilds claims_claim to change its constraints and drops the triggers on it with the old
table, so the quote, public-version and summary triggers are taken down around the change and
put back after it, as 0006 does.
"""

import importlib

import django.db.models.deletion
from django.db import migrations, models

ATTRIBUTION_CHOICES = [
    ("own", "Own view"),
    ("reported", "Reported view"),
    ("counterpoint", "Counterpoint"),
    ("background", "Background"),
]
ATTRIBUTION_HELP = (
    "Whose view this is: the source's own; a view it reports (set the speaker); a view it "
    "presents to rebut or concede; or background about an earlier period. Only the source's own "
    "claims count towards its position."
)
KIND_CHOICES = [
    ("factual", "Factual"),
    ("analysis", "Analysis"),
    ("forecast", "Forecast"),
    ("opinion", "Opinion"),
]
SPEAKER_HELP = "Whose view this is, when the source reports someone else's view."

# The trigger sets on claims_claim, in the order they were created.
_TRIGGERS = [
    importlib.import_module(f"claims.migrations.{name}")
    for name in (
        "0002_claim_quote_matches_body",
        "0007_public_version",
        "0008_proposition_summary",
        "0010_summary_delete_marks_only",
    )
]


def drop_sqlite_triggers(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        # 0010 only replaced one trigger of 0008, which 0008's backward drops.
        for module in reversed(_TRIGGERS[:3]):
            module.backward(apps, schema_editor)


def create_sqlite_triggers(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        drop_sqlite_triggers(apps, schema_editor)
        for module in _TRIGGERS:
            module.forward(apps, schema_editor)


def retire_reported_speech(apps, schema_editor) -> None:
    alias = schema_editor.connection.alias
    for model in ("Claim", "HistoricalClaim"):
        apps.get_model("claims", model).objects.using(alias).filter(kind="reported_speech").update(
            kind="factual", attribution="reported"
        )


def restore_reported_speech(apps, schema_editor) -> None:
    # Going back, a reported factual claim is what the old kind described; other reported
    # claims (analysis, opinion…) had no old equivalent and keep their kind.
    alias = schema_editor.connection.alias
    for model in ("Claim", "HistoricalClaim"):
        apps.get_model("claims", model).objects.using(alias).filter(
            attribution="reported", kind="factual"
        ).update(kind="reported_speech")


class Migration(migrations.Migration):
    dependencies = [("claims", "0010_summary_delete_marks_only")]

    operations = [
        migrations.RunPython(drop_sqlite_triggers, create_sqlite_triggers),
        migrations.AddField(
            model_name="claim",
            name="attribution",
            field=models.CharField(
                choices=ATTRIBUTION_CHOICES,
                default="own",
                help_text=ATTRIBUTION_HELP,
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="historicalclaim",
            name="attribution",
            field=models.CharField(
                choices=ATTRIBUTION_CHOICES,
                default="own",
                help_text=ATTRIBUTION_HELP,
                max_length=20,
            ),
        ),
        migrations.RunPython(retire_reported_speech, restore_reported_speech),
        migrations.RemoveConstraint(model_name="claim", name="claim_kind_valid"),
        migrations.AlterField(
            model_name="claim",
            name="kind",
            field=models.CharField(choices=KIND_CHOICES, default="analysis", max_length=20),
        ),
        migrations.AlterField(
            model_name="historicalclaim",
            name="kind",
            field=models.CharField(choices=KIND_CHOICES, default="analysis", max_length=20),
        ),
        migrations.AlterField(
            model_name="claim",
            name="speaker",
            field=models.ForeignKey(
                blank=True,
                help_text=SPEAKER_HELP,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="spoken_claims",
                to="claims.actor",
            ),
        ),
        migrations.AlterField(
            model_name="historicalclaim",
            name="speaker",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text=SPEAKER_HELP,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="claims.actor",
            ),
        ),
        migrations.AddConstraint(
            model_name="claim",
            constraint=models.CheckConstraint(
                condition=models.Q(("kind__in", ["factual", "analysis", "forecast", "opinion"])),
                name="claim_kind_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="claim",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("attribution__in", ["own", "reported", "counterpoint", "background"])
                ),
                name="claim_attribution_valid",
            ),
        ),
        migrations.RunPython(create_sqlite_triggers, drop_sqlite_triggers),
    ]
