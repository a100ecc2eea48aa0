"""Two editors on the same record, on every write path: the second save, based on an older
version, is refused, keeps what was typed, shows what the other changed (word by word for long
texts), and saving again never drops the other's change without a choice. Nothing is lost."""

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from claims.annotating import add_stance, delete_claim, set_stance, update_claim
from claims.models import Claim, Source, Stance

from .api_helpers import client_for
from .factories import ClaimFactory, PropositionFactory, SourceFactory, UserFactory
from .test_admin_conflicts import form_data

pytestmark = pytest.mark.django_db

PARAGRAPH = (
    "Moscow backs the corridor through Syunik, officials said on Tuesday, while Tehran calls "
    "any change of borders in the South Caucasus a red line and has moved troops to the Aras. "
)
LONG_BODY = PARAGRAPH * 6 + "The last sentence says nothing new."


@pytest.fixture
def bob(db):
    user = UserFactory(username="bob-editor", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def conflict_html(response) -> str:
    form = response.context["adminform"].form
    return " ".join(str(e) for e in form.non_field_errors())


# --- the source change form -----------------------------------------------------------------


def test_source_form_shows_a_word_level_diff_and_keeps_both_edits(client, editor, bob):
    source = SourceFactory(title="First title", body=LONG_BODY)
    url = reverse("admin:claims_source_change", args=[source.pk])
    client.force_login(editor)
    alice = form_data(client.get(url))

    # Bob changes one word deep in the long text.
    client.force_login(bob)
    bobs = form_data(client.get(url))
    bob_body = LONG_BODY.replace("The last sentence says nothing new.", "The last one is new.")
    bobs["body"] = bob_body
    assert client.post(url, bobs).status_code == 302

    # Alice, from the page she opened before, changes the title.
    client.force_login(editor)
    alice["title"] = "Alice's title"
    refused = client.post(url, alice)
    assert refused.status_code == 200
    html = conflict_html(refused)
    assert "Someone else saved this source" in html
    assert "The last <del>sentence</del><ins>one</ins> <del>says nothing</del><ins>is</ins>" in html
    assert "unchanged words" in html  # the long unchanged stretch is shortened
    assert "blocks" not in html.lower() and "[{" not in html
    # What Alice typed is still in the form.
    assert refused.context["adminform"].form["title"].value() == "Alice's title"
    assert Source.objects.get(pk=source.pk).title == "First title"

    # Saving again without choosing is refused again: Bob's text is not dropped silently.
    again = form_data(refused)
    again["resolve_version"] = re.search(r'name="resolve_version" value="(\d+)"', html)[1]
    second = client.post(url, again)
    assert second.status_code == 200
    assert Source.objects.get(pk=source.pk).body == bob_body

    # Alice takes Bob's text and keeps her title: both edits are in.
    again["resolve-body"] = "theirs"
    assert client.post(url, again).status_code == 302
    stored = Source.objects.get(pk=source.pk)
    assert (stored.title, stored.body) == ("Alice's title", bob_body)


def test_keeping_mine_is_a_choice_made_per_field(client, editor, bob):
    source = SourceFactory(title="First title", body=LONG_BODY)
    url = reverse("admin:claims_source_change", args=[source.pk])
    client.force_login(editor)
    alice = form_data(client.get(url))
    client.force_login(bob)
    bobs = form_data(client.get(url))
    bobs["title"] = "Bob's title"
    assert client.post(url, bobs).status_code == 302

    client.force_login(editor)
    alice["title"] = "Alice's title"
    refused = client.post(url, alice)
    html = conflict_html(refused)
    assert "First title → Bob&#x27;s title" in html or "First title → Bob's title" in html
    again = form_data(refused)
    again["resolve_version"] = re.search(r'name="resolve_version" value="(\d+)"', html)[1]
    again["resolve-title"] = "mine"
    assert client.post(url, again).status_code == 302
    assert Source.objects.get(pk=source.pk).title == "Alice's title"


# --- the claim change form and its stance inline ---------------------------------------------


def test_claim_form_merges_when_each_changed_a_different_field(client, editor, bob):
    claim = ClaimFactory(span=(0, 6), note="original", kind="analysis")
    url = reverse("admin:claims_claim_change", args=[claim.pk])
    client.force_login(editor)
    alice = form_data(client.get(url))
    update_claim(claim=Claim.objects.get(pk=claim.pk), version=1, by=bob, kind="opinion")

    alice["note"] = "Alice's note"
    refused = client.post(url, alice)
    assert refused.status_code == 200
    html = conflict_html(refused)
    assert "Analysis" in html or "analysis" in html
    again = form_data(refused)
    assert again["note"] == "Alice's note"
    again["resolve_version"] = "2"
    again["resolve-kind"] = "theirs"
    assert client.post(url, again).status_code == 302
    stored = Claim.objects.get(pk=claim.pk)
    assert (stored.kind, stored.note) == ("opinion", "Alice's note")


def test_stance_inline_lists_the_change_and_does_not_overwrite_it(client, editor, reviewer):
    claim = ClaimFactory(span=(0, 6))
    stance = add_stance(claim=claim, proposition=PropositionFactory(), label="supports", by=editor)
    url = reverse("admin:claims_claim_change", args=[claim.pk])
    client.force_login(editor)
    alice = form_data(client.get(url))
    # A reviewer corrects the label meanwhile.
    set_stance(stance=Stance.objects.get(pk=stance.pk), version=1, by=reviewer, label="mixed")

    alice["stances-0-note"] = "Alice's note on the stance"
    refused = client.post(url, alice)
    assert refused.status_code == 200
    formset = refused.context["inline_admin_formsets"][0].formset
    error = " ".join(str(e) for e in formset.forms[0].non_field_errors())
    assert "Someone else saved this stance" in error
    assert "supports → mixed" in error
    assert formset.forms[0]["note"].value() == "Alice's note on the stance"
    assert Stance.objects.get(pk=stance.pk).label == "mixed"

    again = form_data(refused)
    again["stances-0-resolve_version"] = "2"
    again["stances-0-resolve-label"] = "theirs"
    assert client.post(url, again).status_code == 302
    stored = Stance.objects.get(pk=stance.pk)
    assert (stored.label, stored.note) == ("mixed", "Alice's note on the stance")


def test_a_claim_deleted_meanwhile_is_said_so_and_can_come_back_with_the_edits(client, editor, bob):
    claim = ClaimFactory(span=(0, 6), note="original")
    url = reverse("admin:claims_claim_change", args=[claim.pk])
    client.force_login(editor)
    alice = form_data(client.get(url))
    delete_claim(claim=Claim.objects.get(pk=claim.pk), version=1, by=bob)

    alice["note"] = "Alice's note"
    refused = client.post(url, alice)
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "This claim was deleted by bob-editor at " in page
    assert 'value="Alice&#x27;s note"' in page or 'value="Alice\'s note"' in page

    kept = {name: value for name, value in refused.context["typed"]}
    response = client.post(url, {**kept, "restore-claim": "1"})
    assert response.status_code == 302
    assert Claim.objects.get(pk=claim.pk).note == "Alice's note"


# --- the annotation screen ------------------------------------------------------------------


def screen_url(source) -> str:
    return reverse("admin:claims_source_annotate", args=[source.pk])


def test_set_stance_on_the_screen_checks_the_version(client, editor, reviewer):
    claim = ClaimFactory(span=(0, 6))
    stance = add_stance(claim=claim, proposition=PropositionFactory(), label="supports", by=editor)
    set_stance(stance=Stance.objects.get(pk=stance.pk), version=1, by=reviewer, note="checked")

    client.force_login(editor)
    data = {"action": "set-stance", "stance_id": stance.pk, "label": "contradicts", "version": 1}
    refused = client.post(screen_url(claim.source), data)
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "someone else changed this stance" in page and "checked" in page
    # Her choice is still selected, next to the current version number.
    assert '<option value="contradicts" selected>' in page
    assert f'name="version" value="{stance.version + 1}"' in page
    assert Stance.objects.get(pk=stance.pk).label == "supports"

    data["version"] = 2
    assert client.post(screen_url(claim.source), data).status_code == 302
    stored = Stance.objects.get(pk=stance.pk)
    assert (stored.label, stored.note) == ("contradicts", "checked")


def test_claim_edit_on_the_screen_keeps_both_edits(client, editor, bob):
    source = SourceFactory(body="Moscow backs the corridor. Tehran calls it a red line.")
    claim = ClaimFactory(source=source, span=(0, 6), note="original")
    update_claim(claim=Claim.objects.get(pk=claim.pk), version=1, by=bob, note="Bob's note")

    client.force_login(editor)
    data = {
        "action": "save",
        "claim_id": claim.pk,
        "source": source.pk,
        "start": 0,
        "end": 6,
        "kind": "opinion",
        "note": "original",
        "seen_version": 1,
    }
    refused = client.post(screen_url(source), data)
    assert refused.status_code == 409
    form = refused.context["claim_form"]
    assert form["kind"].value() == "opinion"
    assert "original → Bob" in str(form.non_field_errors()).replace("&#x27;", "'")
    data.update({"resolve_version": "2", "resolve-note": "theirs"})
    assert client.post(screen_url(source), data).status_code == 302
    stored = Claim.objects.get(pk=claim.pk)
    assert (stored.kind, stored.note) == ("opinion", "Bob's note")


def test_claim_deleted_while_edited_on_the_screen(client, editor, bob):
    source = SourceFactory(body="Moscow backs the corridor. Tehran calls it a red line.")
    claim = ClaimFactory(source=source, span=(0, 6), note="original")
    delete_claim(claim=Claim.objects.get(pk=claim.pk), version=1, by=bob)

    client.force_login(editor)
    data = {
        "action": "save",
        "claim_id": claim.pk,
        "source": source.pk,
        "start": 0,
        "end": 6,
        "kind": "analysis",
        "note": "typed meanwhile",
        "seen_version": 1,
    }
    refused = client.post(screen_url(source), data)
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "This claim was deleted by bob-editor" in page
    assert "typed meanwhile" in page
    assert 'value="restore-save"' in page

    assert client.post(screen_url(source), {**data, "action": "restore-save"}).status_code == 302
    assert Claim.objects.get(pk=claim.pk).note == "typed meanwhile"


def test_delete_on_the_screen_checks_the_version(client, editor, bob):
    source = SourceFactory(body="Moscow backs the corridor. Tehran calls it a red line.")
    claim = ClaimFactory(source=source, span=(0, 6))
    update_claim(claim=Claim.objects.get(pk=claim.pk), version=1, by=bob, note="Bob's note")
    client.force_login(editor)
    data = {"action": "delete", "claim_id": claim.pk, "version": 1}
    client.post(screen_url(source), data)
    assert Claim.objects.get(pk=claim.pk).note == "Bob's note"


# --- the API ---------------------------------------------------------------------------------


def test_api_refuses_a_write_based_on_an_old_etag(editor, reviewer):
    claim = ClaimFactory(span=(0, 6))
    stance = add_stance(claim=claim, proposition=PropositionFactory(), label="supports", by=editor)
    for url, change in (
        (reverse("api:claim-detail", args=[claim.pk]), {"note": "mine"}),
        (reverse("api:stance-detail", args=[stance.pk]), {"label": "mixed"}),
    ):
        etag = client_for(editor).get(url)["ETag"]
        other = client_for(reviewer).patch(
            url, {"note": "theirs"}, format="json", HTTP_IF_MATCH=etag
        )
        assert other.status_code == 200
        stale = client_for(editor).patch(url, change, format="json", HTTP_IF_MATCH=etag)
        assert stale.status_code == 412
        assert client_for(editor).get(url).json()["note"] == "theirs"


# --- admin bulk actions ----------------------------------------------------------------------


@pytest.mark.parametrize("model", ["claim", "stance"])
def test_bulk_delete_acts_on_the_versions_the_list_showed(client, editor, reviewer, model):
    claim = ClaimFactory(span=(0, 6), note="original")
    stance = add_stance(claim=claim, proposition=PropositionFactory(), label="supports", by=editor)
    row = claim if model == "claim" else stance
    lookup = "source__id__exact" if model == "claim" else "claim__source__id__exact"
    changelist = reverse(f"admin:claims_{model}_changelist") + f"?{lookup}={claim.source_id}"
    client.force_login(editor)
    listed = client.get(changelist).content.decode()
    seen = re.search(rf'name="seen-{row.pk}" value="(\d+)"', listed)[1]
    action = {"action": "delete_selected", "_selected_action": [row.pk], f"seen-{row.pk}": seen}

    # Someone changes the row after the list was shown: the batch stops, nothing is deleted.
    if model == "claim":
        update_claim(claim=Claim.objects.get(pk=row.pk), version=1, by=reviewer, note="new")
    else:
        set_stance(stance=Stance.objects.get(pk=row.pk), version=1, by=reviewer, note="new")
    refused = client.post(changelist, action, follow=True)
    assert "Nothing was deleted" in refused.content.decode()
    assert type(row).objects.filter(pk=row.pk).exists()

    # From a fresh list: the confirmation page, then a change before confirming stops it too.
    listed = client.get(changelist).content.decode()
    action[f"seen-{row.pk}"] = re.search(rf'name="seen-{row.pk}" value="(\d+)"', listed)[1]
    confirm = client.post(changelist, action)
    assert confirm.status_code == 200 and "Are you sure" in confirm.content.decode()
    current = type(row).objects.get(pk=row.pk)
    if model == "claim":
        update_claim(claim=current, version=current.version, by=reviewer, note="newer")
    else:
        set_stance(stance=current, version=current.version, by=reviewer, note="newer")
    client.post(changelist, {**action, "post": "yes"})
    assert type(row).objects.filter(pk=row.pk).exists()

    # Confirmed on what the page showed: deleted.
    listed = client.get(changelist).content.decode()
    action[f"seen-{row.pk}"] = re.search(rf'name="seen-{row.pk}" value="(\d+)"', listed)[1]
    client.post(changelist, action)
    client.post(changelist, {**action, "post": "yes"})
    assert not type(row).objects.filter(pk=row.pk).exists()


def test_opening_a_deleted_claim_says_who_deleted_it(client, editor, bob):
    claim = ClaimFactory(span=(0, 6))
    delete_claim(claim=Claim.objects.get(pk=claim.pk), version=1, by=bob)
    client.force_login(editor)
    for url in (
        reverse("admin:claims_claim_change", args=[claim.pk]),
        screen_url(claim.source) + f"?claim={claim.pk}",
    ):
        page = client.get(url, follow=True)
        assert page.status_code == 200
        assert "This claim was deleted by bob-editor at " in page.content.decode()


def test_deleting_a_claim_in_the_admin_goes_through_the_service(client, editor, monkeypatch):
    claim = ClaimFactory(span=(0, 6))
    stance = add_stance(claim=claim, proposition=PropositionFactory(), label="supports", by=editor)
    calls = []
    monkeypatch.setattr(
        "claims.annotating.delete_claim",
        lambda **kwargs: calls.append((kwargs["claim"].pk, kwargs["by"])) or delete_claim(**kwargs),
    )
    client.force_login(editor)
    client.post(reverse("admin:claims_claim_delete", args=[claim.pk]), {"post": "yes"})
    assert calls == [(claim.pk, editor)]
    assert not Claim.objects.filter(pk=claim.pk).exists()
    for model, pk in ((Claim, calls[0][0]), (Stance, stance.pk)):
        record = model.history.get(id=pk, history_type="-")
        assert record.history_user == editor
