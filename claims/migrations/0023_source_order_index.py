from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("claims", "0021_search_folding_and_trigrams")]

    operations = [
        migrations.AddIndex(
            model_name="source",
            index=models.Index(fields=["-published_on", "title", "-id"], name="source_order_idx"),
        ),
    ]
