from django.db import migrations, models


def drop_joint_vectors(apps, schema_editor) -> None:
    """A proposition with notes had one vector for its wording and notes together; the
    wording and the notes are now embedded apart, so those vectors mean something else. They
    are deleted and computed again (lazily by the index, or by `embed_propositions`); a
    proposition without notes keeps its vector, its wording's alone as before."""
    PropositionVector = apps.get_model("claims", "PropositionVector")
    PropositionVector.objects.exclude(proposition__notes="").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0025_position_scale"),
    ]

    operations = [
        migrations.AddField(
            model_name="propositionvector",
            name="notes_vector",
            field=models.BinaryField(
                blank=True,
                help_text="The notes' embedding, computed apart from the wording's (none "
                "without notes).",
                null=True,
            ),
        ),
        migrations.AlterField(
            model_name="propositionvector",
            name="text_hash",
            field=models.CharField(
                help_text="SHA-256 of the texts embedded: the wording, and the notes if any, "
                "joined by U+001F.",
                max_length=64,
            ),
        ),
        migrations.AlterField(
            model_name="propositionvector",
            name="vector",
            field=models.BinaryField(
                help_text="The wording's embedding: little-endian float32 values, unit length."
            ),
        ),
        # Backwards, the older code finds the hashes changed and embeds those again itself.
        migrations.RunPython(drop_joint_vectors, migrations.RunPython.noop),
    ]
