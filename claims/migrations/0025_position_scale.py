"""Positions at the ends of the scale now need every sided quote on that side (a lean of 1 or
-1; before, 3/4 was enough). The stored proposition summaries count positions by label, so
they are recomputed, and every cached public answer goes (the public version moves)."""

import random

from django.db import migrations
from django.db.models import F


def regrade(apps, schema_editor) -> None:
    alias = schema_editor.connection.alias
    if apps.get_model("claims", "PropositionSummary").objects.using(alias).exists():
        from claims.summaries import rebuild_proposition_summaries

        rebuild_proposition_summaries()
    apps.get_model("claims", "PublicVersion").objects.using(alias).filter(pk=1).update(
        counter=F("counter") + 1, stamp=random.randint(1, 2**62)
    )


class Migration(migrations.Migration):
    dependencies = [("claims", "0024_proposition_vectors")]

    operations = [migrations.RunPython(regrade, migrations.RunPython.noop, elidable=True)]
