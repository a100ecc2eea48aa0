from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("claims", "0022_answer_versions")]

    operations = [
        migrations.AddIndex(
            model_name="source",
            index=models.Index(fields=["-published_on", "title", "-id"], name="source_order_idx"),
        ),
    ]
