"""Create the Editors and Reviewers groups with their permissions.

Editors create and change sources, claims, stances, propositions, topics, actors, publishers and
authors, but cannot publish. Reviewers can do all of that and publish or unpublish.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITABLE = [
    "publisher",
    "author",
    "source",
    "authorship",
    "topic",
    "actor",
    "proposition",
    "claim",
    "stance",
]
HISTORY = ["historicalsource", "historicalclaim", "historicalstance", "historicalproposition"]


def editor_codenames() -> list[str]:
    codenames = [
        f"{action}_{model}" for model in EDITABLE for action in ("add", "change", "delete", "view")
    ]
    return codenames + [f"view_{model}" for model in HISTORY]


def create_groups(apps, schema_editor) -> None:
    # Permissions are normally created after all migrations have run; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editor_permissions = list(
        Permission.objects.filter(content_type__app_label="claims", codename__in=editor_codenames())
    )
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.set(editor_permissions)
    reviewers, _ = Group.objects.get_or_create(name="Reviewers")
    publish = Permission.objects.get(content_type__app_label="claims", codename="publish_source")
    reviewers.permissions.set([*editor_permissions, publish])


def remove_groups(apps, schema_editor) -> None:
    apps.get_model("auth", "Group").objects.filter(name__in=["Editors", "Reviewers"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0002_claim_quote_matches_body"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
