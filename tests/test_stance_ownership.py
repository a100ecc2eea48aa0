"""A stance belongs to its annotator. An editor cannot change or remove another annotator's
stance on any path; a reviewer can, the stance keeps its annotator and the history names the
reviewer. The annotator is always the logged-in user."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from claims.models import Stance

from .api_helpers import client_for, error_message
from .factories import ClaimFactory, PropositionFactory, SourceFactory, StanceFactory, UserFactory
from .test_admin_conflicts import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def carol(db):
    user = UserFactory(username="carol", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def stance(carol):
    source = SourceFactory(body="Moscow backs the corridor. Tehran calls it a red line.")
    claim = ClaimFactory(source=source, span=(0, 6))
    return StanceFactory(claim=claim, annotator=carol, label="supports", note="Carol's reading")


def unchanged(stance) -> bool:
    stored = Stance.objects.filter(pk=stance.pk).first()
    return (
        stored is not None
        and (stored.label, stored.note, stored.annotator_id)
        == ("supports", "Carol's reading", stance.annotator_id)
        and stored.version == stance.version
    )


def last_history_user(stance):
    return Stance.history.filter(id=stance.pk).order_by("-history_date").first().history_user


# --- the paths ------------------------------------------------------------------------------


def api_patch(user, stance):
    url = reverse("api:stance-detail", args=[stance.pk])
    etag = client_for(user).get(url)["ETag"]
    return client_for(user).patch(url, {"label": "mixed"}, format="json", HTTP_IF_MATCH=etag)


def api_delete(user, stance):
    url = reverse("api:stance-detail", args=[stance.pk])
    etag = client_for(user).get(url)["ETag"]
    return client_for(user).delete(url, HTTP_IF_MATCH=etag)


def screen(client, user, stance, label):
    client.force_login(user)
    url = reverse("admin:claims_source_annotate", args=[stance.claim.source_id])
    data = {"action": "set-stance", "stance_id": stance.pk, "label": label}
    return client.post(url, {**data, "version": stance.version})


def screen_set(client, user, stance):
    return screen(client, user, stance, "mixed")


def screen_remove(client, user, stance):
    return screen(client, user, stance, "remove")


def inline_form(client, user, stance):
    client.force_login(user)
    url = reverse("admin:claims_claim_change", args=[stance.claim_id])
    data = form_data(client.get(url))
    prefix = next(key for key, value in data.items() if value == str(stance.pk) and "-id" in key)
    return url, data, prefix.removesuffix("-id")


def inline_change(client, user, stance):
    url, data, prefix = inline_form(client, user, stance)
    data[f"{prefix}-label"] = "mixed"
    return client.post(url, data)


def inline_delete(client, user, stance):
    url, data, prefix = inline_form(client, user, stance)
    data[f"{prefix}-DELETE"] = "on"
    return client.post(url, data)


def stance_admin_change(client, user, stance):
    client.force_login(user)
    url = reverse("admin:claims_stance_change", args=[stance.pk])
    page = client.get(url)
    data = form_data(page)
    data["label"] = "mixed"
    return client.post(url, data)


def stance_admin_delete(client, user, stance):
    client.force_login(user)
    url = reverse("admin:claims_stance_delete", args=[stance.pk])
    return client.post(url, {"post": "yes"})


CHANGES = [api_patch, screen_set, inline_change, stance_admin_change]
REMOVALS = [api_delete, screen_remove, inline_delete, stance_admin_delete]


def call(path, client, user, stance):
    if path in (api_patch, api_delete):
        return path(user, stance)
    return path(client, user, stance)


@pytest.mark.parametrize("path", CHANGES + REMOVALS, ids=lambda p: p.__name__)
def test_an_editor_cannot_touch_another_annotators_stance(client, editor, stance, path):
    response = call(path, client, editor, stance)
    assert response.status_code in {200, 403}, response.status_code
    assert unchanged(stance)
    if path in (api_patch, api_delete):
        assert response.status_code == 403
        assert "carol's" in error_message(response)


@pytest.mark.parametrize("path", CHANGES, ids=lambda p: p.__name__)
def test_a_reviewer_may_change_it_and_is_named_in_the_history(client, reviewer, stance, path):
    response = call(path, client, reviewer, stance)
    assert response.status_code in {200, 302}, response.status_code
    stored = Stance.objects.get(pk=stance.pk)
    assert stored.label == "mixed"
    assert stored.annotator.username == "carol"
    assert last_history_user(stance) == reviewer


@pytest.mark.parametrize("path", REMOVALS, ids=lambda p: p.__name__)
def test_a_reviewer_may_remove_it_and_is_named_in_the_history(client, reviewer, stance, path):
    response = call(path, client, reviewer, stance)
    assert response.status_code in {204, 302}, response.status_code
    assert not Stance.objects.filter(pk=stance.pk).exists()
    assert last_history_user(stance) == reviewer


@pytest.mark.parametrize("path", CHANGES + REMOVALS, ids=lambda p: p.__name__)
def test_the_annotator_may_change_and_remove_their_own(client, carol, stance, path):
    response = call(path, client, carol, stance)
    assert response.status_code in {200, 204, 302}, response.status_code
    assert not unchanged(stance)


def test_the_screen_offers_set_only_on_stances_one_may_change(client, editor, carol, stance):
    mine = StanceFactory(claim=stance.claim, annotator=editor, proposition=PropositionFactory())
    client.force_login(editor)
    page = client.get(reverse("admin:claims_source_annotate", args=[stance.claim.source_id]))
    html = page.content.decode()
    assert f'name="stance_id" value="{mine.pk}"' in html
    assert f'name="stance_id" value="{stance.pk}"' not in html


def test_the_stance_admin_has_no_annotator_choice(client, editor, stance):
    client.force_login(editor)
    add = client.get(reverse("admin:claims_stance_add"))
    assert "annotator" not in add.context["adminform"].form.fields
    data = {
        "claim": stance.claim_id,
        "proposition": PropositionFactory().pk,
        "label": "neutral",
        "annotator": stance.annotator_id,  # ignored: the stance is the editor's own
    }
    response = client.post(reverse("admin:claims_stance_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Stance.objects.get(label="neutral", claim=stance.claim).annotator == editor


def test_the_inline_makes_new_stances_the_editors_own(client, editor, stance):
    url, data, _prefix = inline_form(client, editor, stance)
    total = int(data["stances-TOTAL_FORMS"])
    new = f"stances-{total - 1}"
    data[f"{new}-proposition"] = str(PropositionFactory().pk)
    data[f"{new}-label"] = "contradicts"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    assert Stance.objects.get(label="contradicts", claim=stance.claim).annotator == editor


def test_the_api_refuses_a_stance_for_someone_else(editor, carol, stance):
    data = {
        "claim": stance.claim_id,
        "proposition": PropositionFactory().slug,
        "label": "mixed",
        "annotator": "carol",
    }
    response = client_for(editor).post(reverse("api:stance-list"), data, format="json")
    assert response.status_code == 400
    assert "annotator" in response.json()["error"]["fields"]
    data["annotator"] = "alice"
    response = client_for(editor).post(reverse("api:stance-list"), data, format="json")
    assert response.status_code == 201 and response.json()["annotator"] == "alice"
