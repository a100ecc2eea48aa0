"""One gate on every path: an editor cannot publish, unpublish, delete published material or
re-publish by reverting, through the admin, the API, imports or commands; a reviewer can."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from claims import publishing, revisions
from claims.backup import restore_file, write_corpus
from claims.models import Claim, Proposition, ReviewEvent, Source, Stance, Topic

from .api_helpers import client_for, error_message
from .factories import ActorFactory, ClaimFactory, SourceFactory, StanceFactory, TopicFactory
from .test_admin import source_form

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:claims_source_changelist"


@pytest.fixture
def published(reviewer):
    """A source a reviewer published, with a claim and a stance."""
    source = SourceFactory()
    stance = StanceFactory(claim=ClaimFactory(source=source, span=(0, 6)))
    publishing.publish_source(source=source, by=reviewer)
    source.refresh_from_db()
    source.stance = stance
    return source


def state(source: Source) -> tuple:
    """Everything the gate guards, as stored."""
    row = Source.all_objects.get(pk=source.pk)
    return (
        row.status,
        row.published_at,
        row.published_by_id,
        row.deleted_at,
        Claim.objects.filter(source=source).count(),
        Stance.objects.filter(claim__source=source).count(),
    )


# --- The service itself ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "move", ["publish_source", "unpublish_source", "return_to_editor", "delete_source"]
)
def test_the_service_refuses_editors_and_nobody(editor, published, move):
    function = getattr(publishing, move)
    kwargs = {"comment": "x"} if move == "return_to_editor" else {}
    before = state(published)
    for by in (editor, None):
        with pytest.raises(publishing.NotAllowed):
            function(source=published, by=by, **kwargs)
    assert state(published) == before
    assert issubclass(publishing.NotAllowed, publishing.PermissionDenied)


# --- Admin actions and buttons --------------------------------------------------------------


@pytest.mark.parametrize(
    "action", ["publish_action", "unpublish_action", "return_action", "delete_selected"]
)
def test_admin_actions_refuse_editors(client, editor, published, action):
    draft = SourceFactory()
    before = state(published), state(draft)
    client.force_login(editor)
    client.post(
        reverse(CHANGELIST),
        {
            "action": action,
            "_selected_action": [published.pk, draft.pk],
            "post": "yes",
            "apply": "1",
            "comment": "c",
        },
    )
    assert (state(published), state(draft)) == before


@pytest.mark.parametrize("move", ["publish", "unpublish", "return"])
def test_admin_buttons_refuse_editors(client, editor, published, move):
    in_review = SourceFactory(status=Source.Status.IN_REVIEW)
    target = published if move == "unpublish" else in_review
    before = state(target)
    client.force_login(editor)
    response = client.post(
        reverse("admin:claims_source_review", args=[target.pk]),
        {"move": move, "note": "please"},
        follow=True,
    )
    assert response.status_code == 200
    assert state(target) == before
    assert any("Only reviewers" in str(m) for m in response.context["messages"])


def test_admin_buttons_work_for_reviewers(client, reviewer, published):
    client.force_login(reviewer)
    url = reverse("admin:claims_source_review", args=[published.pk])
    client.post(url, {"move": "unpublish", "note": "pulled"})
    assert state(published)[:3] == ("draft", None, None)
    client.post(url, {"move": "publish"})
    assert state(published)[0] == "published"
    actions = list(published.review_events.values_list("action", flat=True))
    assert actions == ["published", "unpublished", "published"]


def test_change_form_never_writes_publication_state(client, editor, reviewer, published):
    before = state(published)
    client.force_login(editor)
    # A published source's form is read-only: nothing at all is written through it.
    refused = client.post(
        reverse("admin:claims_source_change", args=[published.pk]),
        source_form(
            published,
            title="A better title",
            status="draft",
            published_at="",
            published_by="",
            deleted_at="2020-01-01 00:00",
            seen_version=published.version,
        ),
    )
    assert refused.status_code == 403
    assert state(published) == before
    # Its working copy's form changes the content, never the publication state.
    copy = revisions.start_revision(source=published, by=editor)
    copy_before = state(copy)
    response = client.post(
        reverse("admin:claims_source_change", args=[copy.pk]),
        source_form(
            copy,
            title="A better title",
            status="published",
            published_at="2020-01-01 00:00",
            published_by=editor.pk,
            deleted_at="2020-01-01 00:00",
            seen_version=copy.version,
        ),
    )
    assert response.status_code == 302
    assert state(copy) == copy_before
    assert Source.objects.get(pk=copy.pk).title == "A better title"
    form = client.get(reverse("admin:claims_source_change", args=[copy.pk])).context["adminform"]
    assert not {"status", "published_at", "published_by", "deleted_at"} & set(form.form.fields)
    # The new title reaches the public only through a reviewer's publication.
    assert Source.objects.get(pk=published.pk).title != "A better title"
    publishing.publish_source(source=copy, by=reviewer)
    row = Source.objects.get(pk=published.pk)
    assert (row.title, row.status, row.published_by, row.deleted_at) == (
        "A better title",
        "published",
        reviewer,
        None,
    )


# --- History revert -------------------------------------------------------------------------


def revert(client, source: Source, record, **changes):
    url = reverse("admin:claims_source_simple_history", args=[source.pk, record.history_id])
    return client.post(url, source_form(record.instance, **changes))


@pytest.mark.parametrize("who", ["editor", "reviewer"])
def test_revert_restores_content_never_publication(client, request, reviewer, published, who):
    old_title = published.title
    as_published = published.history.order_by("-history_date").first()
    assert as_published.status == "published"
    publishing.unpublish_source(source=published, by=reviewer)
    Source.objects.filter(pk=published.pk).update(title="Renamed")
    Source.objects.get(pk=published.pk).save()  # a version recorded in the history
    client.force_login(request.getfixturevalue(who))
    assert revert(client, published, as_published).status_code == 302
    row = Source.objects.get(pk=published.pk)
    assert row.title == old_title  # the content came back…
    assert (row.status, row.published_at, row.published_by) == ("draft", None, None)  # …not this
    assert not published.review_events.filter(action="published").exclude(
        pk=published.review_events.order_by("at").first().pk
    )


def test_revert_of_a_published_source_keeps_it_published_as_it_is(client, editor, published):
    older = published.history.order_by("history_date").first()  # a draft version
    assert older.status == "draft"
    before = state(published)
    client.force_login(editor)
    assert revert(client, published, older).status_code == 302
    assert state(published) == before


# --- Deletion ------------------------------------------------------------------------------


def test_editors_cannot_delete_published_sources_anywhere(client, editor, published):
    before = state(published)
    client.force_login(editor)
    url = reverse("admin:claims_source_delete", args=[published.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"post": "yes"}).status_code == 403
    page = client.post(
        reverse(CHANGELIST), {"action": "delete_selected", "_selected_action": [published.pk]}
    )
    assert "published source" in page.content.decode()
    api = client_for(editor).delete(reverse("api:source-detail", args=[published.slug]))
    assert api.status_code in (403, 405)
    assert state(published) == before


def test_editors_may_delete_their_drafts(client, editor):
    draft = SourceFactory()
    client.force_login(editor)
    response = client.post(reverse("admin:claims_source_delete", args=[draft.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Source.objects.filter(pk=draft.pk).exists()
    assert Source.all_objects.get(pk=draft.pk).deleted_at is not None


def test_reviewers_delete_and_restore_through_the_history(client, reviewer, editor, published):
    claims_before = state(published)[4:]
    client.force_login(reviewer)
    response = client.post(
        reverse("admin:claims_source_delete", args=[published.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Source.objects.filter(pk=published.pk).exists()
    assert not Source.objects.published().filter(pk=published.pk).exists()
    assert client.get(f"/sources/{published.slug}/").status_code == 404
    deleted = client.get(reverse(CHANGELIST) + "?deleted=1")
    assert published.title in deleted.content.decode()
    # The change page of a deleted source leads to its history, which lists its versions.
    change = client.get(reverse("admin:claims_source_change", args=[published.pk]))
    assert change.status_code == 302
    history = client.get(change["Location"])
    assert history.status_code == 200
    record = published.history.order_by("-history_date").first()
    assert (
        client.get(
            reverse("admin:claims_source_simple_history", args=[published.pk, record.history_id])
        ).status_code
        == 200
    )

    client.force_login(editor)  # restoring brings back a draft: an editor may do it
    assert revert(client, published, record).status_code == 302
    status, published_at, by, deleted_at, *counts = state(published)
    assert (status, published_at, by, deleted_at) == ("draft", None, None, None)
    assert tuple(counts) == claims_before
    actions = list(published.review_events.values_list("action", flat=True))
    assert actions[-2:] == ["deleted", "restored"]


def test_bulk_delete_by_a_reviewer_is_restorable(client, reviewer, published):
    client.force_login(reviewer)
    client.post(
        reverse(CHANGELIST),
        {"action": "delete_selected", "_selected_action": [published.pk], "post": "yes"},
    )
    assert Source.all_objects.get(pk=published.pk).is_deleted
    client.post(reverse("admin:claims_source_review", args=[published.pk]), {"move": "restore"})
    assert state(published)[0] == "draft" and state(published)[3] is None


def test_a_deleted_sources_claims_leave_the_editors_lists_too(client, editor, reviewer, published):
    claim = published.claims.get()
    publishing.delete_source(source=published, by=reviewer)
    api = client_for(editor)
    claims = api.get(reverse("api:claim-list"), {"source": published.slug})
    assert claims.status_code in (200, 400)
    assert claim.pk not in [c["id"] for c in claims.json().get("results", [])]
    stances = api.get(reverse("api:stance-list")).json()["results"]
    assert published.stance.pk not in [s["id"] for s in stances]
    client.force_login(editor)
    listed = client.get(reverse("admin:claims_claim_changelist"), {"q": claim.quote})
    assert claim.pk not in [c.pk for c in listed.context["cl"].result_list]


# --- API -------------------------------------------------------------------------------------


@pytest.mark.parametrize("move", ["publish", "unpublish", "return"])
def test_api_moves_refuse_editors_with_a_message(editor, published, move):
    target = published
    if move != "unpublish":
        target = SourceFactory(status=Source.Status.IN_REVIEW)
    before = state(target)
    response = client_for(editor).post(
        reverse(f"api:source-{move}", args=[target.slug]), {"note": "n"}, format="json"
    )
    assert response.status_code == 403
    assert "Only reviewers" in error_message(response)
    assert state(target) == before


def test_api_status_is_read_only_and_anonymous_cannot_move(editor, published):
    client = client_for(editor)
    url = reverse("api:source-detail", args=[published.slug])
    assert client.patch(url, {"status": "draft"}, format="json").status_code == 405
    anonymous = client_for().post(reverse("api:source-unpublish", args=[published.slug]))
    assert anonymous.status_code in (401, 403)
    assert state(published)[0] == "published"


def test_api_moves_for_reviewers(editor, reviewer):
    draft = SourceFactory()
    submitted = client_for(editor).post(
        reverse("api:source-submit", args=[draft.slug]), {"note": "ready"}, format="json"
    )
    assert submitted.status_code == 200 and submitted.json()["status"] == "in_review"
    client = client_for(reviewer)
    empty = client.post(reverse("api:source-return", args=[draft.slug]), {}, format="json")
    assert empty.status_code == 400 and "note" in empty.json()["error"]["fields"]
    returned = client.post(
        reverse("api:source-return", args=[draft.slug]), {"note": "fix it"}, format="json"
    )
    assert returned.json()["status"] == "draft"
    wrong = client.post(reverse("api:source-unpublish", args=[draft.slug]))
    assert wrong.status_code == 200  # unpublishing a draft changes nothing
    published = client.post(reverse("api:source-publish", args=[draft.slug]))
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert list(draft.review_events.values_list("action", "by__username")) == [
        ("submitted", "alice"),
        ("returned", "bob"),
        ("published", "bob"),
    ]


# --- Imports and commands --------------------------------------------------------------------

MANIFEST = """
[[sources]]
file = "{name}"
slug = "gated-{name_slug}"
title = "Gated"
status = "{status}"
"""


def manifest_for(tmp_path: Path, status: str) -> tuple[Path, Path]:
    text = tmp_path / "gated.txt"
    text.write_text("A paragraph on the corridor.\n", encoding="utf-8")
    manifest = tmp_path / "manifest.toml"
    manifest.write_text(
        MANIFEST.format(name=text.name, name_slug="one", status=status), encoding="utf-8"
    )
    return text, manifest


def test_a_published_manifest_needs_a_user_who_may_publish(tmp_path, editor, reviewer):
    text, manifest = manifest_for(tmp_path, "published")
    with pytest.raises(CommandError, match=r"status = \"published\".*--as"):
        call_command("import_sources", str(text), "--manifest", str(manifest))
    with pytest.raises(CommandError, match="status"):
        call_command("import_sources", str(text), "--manifest", str(manifest), "--as", "alice")
    with pytest.raises(CommandError, match="--as: no active user"):
        call_command("import_sources", str(text), "--manifest", str(manifest), "--as", "nobody")
    assert not Source.all_objects.filter(slug="gated-one").exists()

    call_command("import_sources", str(text), "--manifest", str(manifest), "--as", "bob")
    source = Source.objects.get(slug="gated-one")
    assert (source.status, source.published_by) == ("published", reviewer)
    assert source.review_events.get().by == reviewer


def test_a_re_import_by_an_editor_keeps_the_existing_sources_status(tmp_path, editor, reviewer):
    text, manifest = manifest_for(tmp_path, "published")
    call_command("import_sources", str(text), "--manifest", str(manifest), "--as", "bob")
    text.write_text("A paragraph on the corridor, revised.\n", encoding="utf-8")
    out = StringIO()
    call_command(
        "import_sources", str(text), "--manifest", str(manifest), "--as", "alice", stdout=out
    )
    published = Source.objects.get(slug="gated-one")
    assert published.status == "published"
    assert published.body == "A paragraph on the corridor."
    copy = Source.objects.get(revision_of=published)
    assert copy.status == "draft" and "revised" in copy.body
    assert "working copy" in out.getvalue()


def test_a_manifest_status_does_not_move_an_existing_draft(tmp_path, editor):
    text, manifest = manifest_for(tmp_path, "draft")
    call_command("import_sources", str(text), "--manifest", str(manifest))
    manifest.write_text(manifest.read_text().replace('"draft"', '"published"'), encoding="utf-8")
    out = StringIO()
    call_command(
        "import_sources", str(text), "--manifest", str(manifest), "--as", "alice", stdout=out
    )
    assert Source.objects.get(slug="gated-one").status == "draft"
    assert "stays draft" in out.getvalue()


def test_an_in_review_manifest_names_its_editor(tmp_path, editor):
    text, manifest = manifest_for(tmp_path, "in_review")
    with pytest.raises(CommandError, match="in_review"):
        call_command("import_sources", str(text), "--manifest", str(manifest))
    call_command("import_sources", str(text), "--manifest", str(manifest), "--as", "alice")
    source = Source.objects.get(slug="gated-one")
    assert source.status == "in_review"
    assert source.review_events.get().by == editor


def test_a_deleted_sources_slug_is_refused_by_name(tmp_path, reviewer):
    text, manifest = manifest_for(tmp_path, "draft")
    call_command("import_sources", str(text), "--manifest", str(manifest))
    source = Source.objects.get(slug="gated-one")
    publishing.delete_source(source=source, by=reviewer)
    with pytest.raises(CommandError, match="deleted source"):
        call_command("import_sources", str(text), "--manifest", str(manifest))


def test_seeds_record_their_publication_in_the_trail():
    source = Source.objects.published().get(slug="corridor-dividing-russia-and-iran")
    event = source.review_events.get(action="published")
    assert event.by is None and "seeds/manifest.toml" in event.note


# --- Backup restore --------------------------------------------------------------------------


def test_restore_keeps_publication_state_and_trail_as_recorded(tmp_path, reviewer, published):
    draft = SourceFactory()
    publishing.submit_for_review(source=draft, by=reviewer)
    publishing.return_to_editor(source=draft, by=reviewer, comment="not yet")
    gone = SourceFactory()
    publishing.delete_source(source=gone, by=reviewer)
    before = {s.pk: state(s) for s in (published, draft, gone)}
    trail = list(ReviewEvent.objects.order_by("pk").values_list("source_id", "action", "note"))
    path = tmp_path / "backup.jsonl.gz"
    write_corpus(path)
    restore_file(path, replace=True)
    assert {s.pk: state(s) for s in (published, draft, gone)} == before
    assert trail == list(
        ReviewEvent.objects.order_by("pk").values_list("source_id", "action", "note")
    )


def test_restore_says_whose_act_it_is(tmp_path, capsys):
    path = tmp_path / "backup.jsonl.gz"
    write_corpus(path)
    call_command("import_corpus", str(path), "--replace")
    assert "as recorded in the backup" in capsys.readouterr().out


# --- Vocabulary in public use ----------------------------------------------------------------


def test_rewording_a_proposition_in_public_use_is_a_reviewers_act(client, editor, reviewer):
    proposition = Proposition.objects.published().first()
    url = reverse("admin:claims_proposition_change", args=[proposition.pk])
    data = {
        "text": "A rewording no reviewer saw.",
        "slug": proposition.slug,
        "topics": [t.pk for t in proposition.topics.all()],
        "notes": proposition.notes,
        "seen_version": proposition.version,
        "confirm_distinct": "on",
    }
    client.force_login(editor)
    response = client.post(url, data)
    assert response.status_code == 200
    assert "only reviewers may change its wording" in str(response.context["adminform"].errors)
    api = client_for(editor)
    detail = reverse("api:proposition-detail", args=[proposition.slug])
    etag = api.get(detail)["ETag"]
    refused = api.patch(
        detail,
        {"text": "Another rewording.", "confirm_distinct": True},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert refused.status_code == 403 and "reviewers" in error_message(refused)
    # Notes are not wording: editors keep them up to date.
    notes = api.patch(detail, {"notes": "Count hedges."}, format="json", HTTP_IF_MATCH=etag)
    assert notes.status_code == 200
    proposition.refresh_from_db()
    assert proposition.text != "A rewording no reviewer saw."

    client.force_login(reviewer)
    data["seen_version"] = proposition.version
    assert client.post(url, data).status_code == 302
    proposition.refresh_from_db()
    assert proposition.text == "A rewording no reviewer saw."


def test_renaming_public_topics_and_actors_is_a_reviewers_act(client, editor):
    topic = Topic.objects.get(pk=next(iter(publishing_topics())))
    actor = Claim.objects.published().exclude(speaker=None).first().speaker
    client.force_login(editor)
    topic_page = client.post(
        reverse("admin:claims_topic_change", args=[topic.pk]),
        {"name": "Renamed topic", "slug": topic.slug, "description": topic.description},
    )
    assert "only reviewers" in str(topic_page.context["adminform"].errors)
    actor_page = client.post(
        reverse("admin:claims_actor_change", args=[actor.pk]),
        {"name": "Renamed actor", "slug": actor.slug, "kind": actor.kind, "wikidata_id": ""},
    )
    assert "only reviewers" in str(actor_page.context["adminform"].errors)
    # Vocabulary only drafts use is the editors' to word.
    draft_topic, draft_actor = TopicFactory(), ActorFactory()
    ok = client.post(
        reverse("admin:claims_topic_change", args=[draft_topic.pk]),
        {"name": "Better name", "slug": draft_topic.slug, "description": ""},
    )
    assert ok.status_code == 302
    ok = client.post(
        reverse("admin:claims_actor_change", args=[draft_actor.pk]),
        {"name": "Better actor", "slug": draft_actor.slug, "kind": draft_actor.kind},
    )
    assert ok.status_code == 302


def publishing_topics() -> set[int]:
    from claims.visibility import public_topic_ids

    return public_topic_ids()


@pytest.mark.parametrize("object_id", ["abc", "99999999", "1" * 30])
def test_malformed_or_missing_ids_are_not_server_errors(client, editor, object_id):
    client.force_login(editor)
    change = client.get(f"/admin/claims/source/{object_id}/change/")
    assert change.status_code in (302, 404)
    moved = client.post(f"/admin/claims/source/{object_id}/review/", {"move": "submit"})
    assert moved.status_code == 404
    assert client.get(reverse("admin:claims_source_review", args=[1])).status_code == 405
