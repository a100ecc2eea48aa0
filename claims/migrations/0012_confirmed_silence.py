"""Confirmed silences: a source checked for a proposition and found to say nothing on it.

The matrices read the new table, so an edit of it changes the public version like an edit of
any table a public page reads (the triggers of 0007, for this table).
"""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models


TABLE = "claims_confirmedsilence"
EVENTS = ("INSERT", "UPDATE", "DELETE")
SQLITE_BUMP = """
    INSERT INTO claims_publicversion (id, counter, stamp) VALUES (1, 1, random())
    ON CONFLICT (id) DO UPDATE SET counter = counter + 1, stamp = random();
"""
STATEMENTS = {
    "sqlite": (
        [
            f"CREATE TRIGGER {TABLE}_public_version_{event.lower()} AFTER {event} ON {TABLE} "
            f"BEGIN {SQLITE_BUMP} END;"
            for event in EVENTS
        ],
        [f"DROP TRIGGER IF EXISTS {TABLE}_public_version_{event.lower()};" for event in EVENTS],
    ),
    "postgresql": (
        [
            f"CREATE TRIGGER public_version AFTER INSERT OR UPDATE OR DELETE ON {TABLE} "
            "FOR EACH STATEMENT EXECUTE FUNCTION claims_bump_public_version();",
            f"CREATE TRIGGER public_version_truncate AFTER TRUNCATE ON {TABLE} "
            "FOR EACH STATEMENT EXECUTE FUNCTION claims_bump_public_version();",
        ],
        [
            f"DROP TRIGGER IF EXISTS public_version ON {TABLE};",
            f"DROP TRIGGER IF EXISTS public_version_truncate ON {TABLE};",
        ],
    ),
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


SILENCE_CODENAMES = [
    *(f"{action}_confirmedsilence" for action in ("add", "change", "delete", "view")),
    "view_historicalconfirmedsilence",
]


def grant(apps, schema_editor) -> None:
    """Editors and reviewers confirm and withdraw silences, as they mark claims."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    permissions = list(
        Permission.objects.filter(content_type__app_label="claims", codename__in=SILENCE_CODENAMES)
    )
    for group in apps.get_model("auth", "Group").objects.filter(name__in=["Editors", "Reviewers"]):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor) -> None:
    apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="claims", codename__in=SILENCE_CODENAMES
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0011_claim_attribution"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalConfirmedSilence",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("confirmed_at", models.DateTimeField(blank=True, editable=False)),
                ("note", models.TextField(blank=True, help_text="Optional: what was checked.")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "confirmed_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "proposition",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="claims.proposition",
                    ),
                ),
                (
                    "source",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="claims.source",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical confirmed silence",
                "verbose_name_plural": "historical confirmed silences",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="ConfirmedSilence",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("confirmed_at", models.DateTimeField(auto_now_add=True)),
                ("note", models.TextField(blank=True, help_text="Optional: what was checked.")),
                (
                    "confirmed_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "proposition",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="silences",
                        to="claims.proposition",
                    ),
                ),
                (
                    "source",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="silences",
                        to="claims.source",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("source", "proposition"), name="confirmed_silence_unique"
                    )
                ],
            },
        ),
        migrations.RunPython(forward, backward),
        migrations.RunPython(grant, revoke),
    ]
