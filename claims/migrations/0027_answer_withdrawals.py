from django.db import migrations, models

# A column added in place: on SQLite, Django would rebuild the table, which the triggers of
# migration 0022 name.
ADD = "ALTER TABLE claims_answerversion ADD COLUMN withdrawn bigint NOT NULL DEFAULT 0"
DROP = "ALTER TABLE claims_answerversion DROP COLUMN withdrawn"


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0026_proposition_notes_vectors"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(ADD, DROP)],
            state_operations=[
                migrations.AddField(
                    model_name="answerversion",
                    name="withdrawn",
                    field=models.BigIntegerField(default=0),
                ),
            ],
        ),
    ]
