"""Editors and Reviewers exist from the migrations, with the permissions their roles need."""

import pytest
from django.contrib.auth.models import Group

pytestmark = pytest.mark.django_db


def codenames(group: str) -> set[str]:
    return set(Group.objects.get(name=group).permissions.values_list("codename", flat=True))


def test_editors_edit_everything_but_cannot_publish():
    editors = codenames("Editors")
    for model in ["source", "claim", "stance", "proposition", "topic", "actor"]:
        assert {f"add_{model}", f"change_{model}", f"delete_{model}", f"view_{model}"} <= editors
    assert "view_historicalclaim" in editors
    assert "publish_source" not in editors


def test_reviewers_can_also_publish_assign_and_adjudicate():
    assert codenames("Reviewers") == codenames("Editors") | {
        "publish_source",
        "add_assignment",
        "change_assignment",
        "delete_assignment",
        "adjudicate_source",
        "view_historicaladjudication",
        "view_historicalassignment",
    }
    # Editors see their queue and the decisions, but neither assign nor adjudicate.
    assert {"view_assignment", "view_adjudication"} <= codenames("Editors")
    assert "adjudicate_source" not in codenames("Editors")


def test_role_fixtures_have_the_permissions(editor, reviewer):
    assert editor.has_perm("claims.change_claim") and not editor.has_perm("claims.publish_source")
    assert reviewer.has_perm("claims.publish_source")
