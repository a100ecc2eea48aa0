"""Published revisions and working copies (claims.revisions).

The public sees a source as a reviewer published it: an editor's changes to the text, claims and
stances go to a working copy, and reach every public surface only when a reviewer publishes it.
A claim whose words changed has its stances marked for re-checking: they count nowhere, and the
copy cannot be published, until an editor confirms them. Orphaned claims never appear publicly.
"""

import json
import time
from dataclasses import asdict

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims import revisions, summaries
from claims.anchoring import make_anchor
from claims.annotating import NotOwner
from claims.editing import replace_body
from claims.importing.annotations import load_annotations
from claims.importing.documents import Document
from claims.importing.manifest import load as load_manifest
from claims.importing.seeds import SEEDS_DIR
from claims.importing.sources import ImportFailure, import_documents
from claims.models import AnchorState, Claim, Source, Stance
from claims.pagecache import current_version
from claims.publishing import WorkflowError, publish_source
from claims.revisions import PublishedReadOnly

from .api_helpers import client_for, error_message
from .corpus import normalised, page_urls
from .factories import ClaimFactory, SourceFactory, StanceFactory, reviewer_user

pytestmark = pytest.mark.django_db

SLUG = "russia-and-iran-new-divides"
PUTIN = "Putin appears to be aligning more closely with Azerbaijani interests"
OUTSIDE = "Nagorno-Karabakh region through a military operation in September 2023."
API_URLS = [
    "/api/v1/sources/",
    f"/api/v1/sources/{SLUG}/",
    "/api/v1/claims/",
    "/api/v1/stances/",
    "/api/v1/propositions/russia-tilts-toward-azerbaijan/",
    "/api/v1/annotations/",
    "/api/v1/exports/annotations.jsonld",
    "/api/v1/exports/claims.csv",
    "/api/v1/exports/positions.csv",
]


def published() -> Source:
    return Source.objects.get(slug=SLUG)


def putin_claim(source: Source) -> Claim:
    return Claim.objects.get(source=source, quote__startswith=PUTIN)


def content(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def snapshot(client) -> dict[str, str]:
    """Every public page and API answer, as an anonymous visitor gets them."""
    pages = {url: normalised(client.get(url)) for url in page_urls()}
    api = client_for()
    for url in API_URLS:
        response = api.get(url)
        assert response.status_code == 200, url
        pages[url] = content(response)
    pages["etag"] = current_version()
    return pages


# --- Starting a revision ---------------------------------------------------------------------


def test_start_revision_makes_one_draft_clone_pointing_at_the_published_rows(editor):
    source = published()
    copy = revisions.start_revision(source=source, by=editor)
    assert (copy.status, copy.slug, copy.revision_of) == ("draft", f"{SLUG}-revision", source)
    assert (copy.body, copy.blocks, copy.title) == (source.body, source.blocks, source.title)
    assert list(copy.authors.all()) == list(source.authors.all())
    originals = {claim.pk: claim for claim in source.claims.all()}
    copies = list(copy.claims.all())
    assert sorted(claim.revision_of_id for claim in copies) == sorted(originals)
    for claim in copies:
        original = originals[claim.revision_of_id]
        assert (claim.quote, claim.start, claim.created_by_id) == (
            original.quote,
            original.start,
            original.created_by_id,
        )
        assert set(claim.actors.all()) == set(original.actors.all())
    stances = Stance.objects.filter(claim__source=copy)
    assert stances.count() == Stance.objects.filter(claim__source=source).count()
    for stance in stances:
        assert stance.annotator_id == stance.revision_of.annotator_id
        assert stance.claim.revision_of_id == stance.revision_of.claim_id
    # Asked again (or given the copy itself), the same working copy comes back.
    assert revisions.start_revision(source=source, by=editor) == copy
    assert revisions.start_revision(source=copy, by=editor) == copy


def test_a_draft_has_no_revision(editor):
    with pytest.raises(revisions.RevisionError, match="not published"):
        revisions.start_revision(source=SourceFactory(), by=editor)


# --- The whole round: edit the copy, nothing public moves, publish, everything does ----------


def test_edits_reach_the_public_only_when_a_reviewer_publishes(client, editor, reviewer):
    source = published()
    claim = putin_claim(source)
    stance = claim.stances.order_by("pk").first()
    claim_ids = set(source.claims.values_list("pk", flat=True))
    before = snapshot(client)

    copy = revisions.start_revision(source=source, by=editor)
    new_body = copy.body.replace(OUTSIDE, "Nagorno-Karabakh region by a new course entirely.")
    replace_body(source=copy, body=new_body)
    twin = putin_claim(copy)
    twin.kind, twin.note = Claim.Kind.FORECAST, "Revised reading of the tilt."
    twin.save()
    twin_stance = twin.stances.order_by("pk").first()
    twin_stance.label = Stance.Label.MIXED
    twin_stance.save()
    doomed = copy.claims.exclude(pk=twin.pk).order_by("start").first()
    doomed_public_id = doomed.revision_of_id
    doomed.delete()
    added = Claim.objects.create(
        source=copy, created_by=editor, **asdict(make_anchor(copy.body, 0, 20))
    )

    assert snapshot(client) == before, "a working copy changed a public surface"

    result = publish_source(source=copy, by=reviewer)
    assert result == source
    assert not Source.objects.filter(pk=copy.pk).exists()
    assert not Source.objects.filter(revision_of=source).exists()
    source.refresh_from_db()
    assert "by a new course entirely" in source.body
    assert source.published_by == reviewer
    claim.refresh_from_db()
    stance.refresh_from_db()
    # Same public ids, new content.
    assert (claim.kind, claim.note) == ("forecast", "Revised reading of the tilt.")
    assert source.body[claim.start : claim.end] == claim.quote
    assert stance.label == "mixed"
    assert not Claim.objects.filter(pk=doomed_public_id).exists()
    new_ids = set(source.claims.values_list("pk", flat=True))
    assert new_ids - claim_ids == {source.claims.get(start=0, end=20).pk}
    assert claim_ids - new_ids == {doomed_public_id}
    assert not Claim.objects.filter(pk=added.pk).exists()

    after = snapshot(client)
    assert after["etag"] != before["etag"]
    assert "by a new course entirely" in after[f"/sources/{SLUG}/"]
    assert "Revised reading of the tilt." in after[f"/api/v1/sources/{SLUG}/"]
    detail = client_for().get(f"/api/v1/claims/{claim.pk}/").json()
    assert detail["kind"] == "forecast"
    labels = {row["id"]: row["label"] for row in detail["stances"]}
    assert labels[stance.pk] == "mixed"
    assert f"/api/v1/annotations/{claim.pk}/" in after["/api/v1/exports/annotations.jsonld"]


def test_publishing_changes_the_public_version_once_per_publication(editor, reviewer):
    copy = revisions.start_revision(source=published(), by=editor)
    replace_body(source=copy, body=copy.body.replace(OUTSIDE, "Nagorno-Karabakh region, in short."))
    version = current_version()
    publish_source(source=copy, by=reviewer)
    assert current_version() != version


# --- Published rows are read-only on every path ---------------------------------------------


def test_model_writes_to_the_published_revision_are_refused():
    source = published()
    claim = putin_claim(source)
    stance = claim.stances.order_by("pk").first()
    source.title = "Something else"
    with pytest.raises(PublishedReadOnly, match="Edit it in a new revision"):
        source.save()
    with pytest.raises(PublishedReadOnly):
        replace_body(source=published(), body=source.body + " More.")
    claim.note = "changed"
    with pytest.raises(PublishedReadOnly):
        claim.save()
    with pytest.raises(PublishedReadOnly):
        claim.delete()
    stance.label = "contradicts"
    with pytest.raises(PublishedReadOnly):
        stance.save()
    with pytest.raises(PublishedReadOnly):
        stance.delete()
    with pytest.raises(PublishedReadOnly):
        ClaimFactory(source=published(), span=(0, 10))
    # Moving a draft's claim onto a published source is a write to it too.
    draft_claim = ClaimFactory(source=SourceFactory(body=source.body), span=(0, 10))
    draft_claim.source = published()
    with pytest.raises(PublishedReadOnly):
        draft_claim.save()
    assert putin_claim(published()).note == ""
    # So is moving a published claim off its source, or a published stance off its claim.
    draft = SourceFactory(body=source.body)
    leaving = putin_claim(published())
    leaving.source = draft
    with pytest.raises(PublishedReadOnly):
        leaving.save()
    moving = putin_claim(published()).stances.order_by("pk").first()
    moving.claim = ClaimFactory(source=draft, span=(0, 10))
    with pytest.raises(PublishedReadOnly):
        moving.save()
    assert moving.claim_id != Stance.objects.get(pk=moving.pk).claim_id
    # Links to actors are written past Claim.save: refused all the same.
    with pytest.raises(PublishedReadOnly), transaction.atomic():
        claim.actors.clear()
    assert claim.actors.exists()


def test_workflow_fields_of_a_published_source_still_change(reviewer):
    from claims.publishing import unpublish_source

    source = unpublish_source(source=published(), by=reviewer_user())
    assert source.status == "draft"


def test_admin_change_forms_of_published_rows_are_read_only(client, editor):
    source = published()
    claim = putin_claim(source)
    stance = claim.stances.order_by("pk").first()
    client.force_login(editor)
    page = client.get(reverse("admin:claims_source_change", args=[source.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Published revision: read-only" in html
    assert "Edit in a new revision" in html
    assert 'name="title"' not in html
    posted = client.post(
        reverse("admin:claims_source_change", args=[source.pk]), {"title": "Changed"}
    )
    assert posted.status_code == 403
    for name, obj in (("claim", claim), ("stance", stance)):
        url = reverse(f"admin:claims_{name}_change", args=[obj.pk])
        assert client.post(url, {"note": "changed"}).status_code == 403
        assert (
            client.post(
                reverse(f"admin:claims_{name}_delete", args=[obj.pk]), {"post": "yes"}
            ).status_code
            == 403
        )
    added = client.post(
        reverse("admin:claims_claim_add"),
        {
            "source": source.pk,
            "start": 0,
            "end": 10,
            "quote": "",
            "kind": "analysis",
            "attribution": "own",
            "note": "",
            "stances-TOTAL_FORMS": "0",
            "stances-INITIAL_FORMS": "0",
            "stances-MIN_NUM_FORMS": "0",
            "stances-MAX_NUM_FORMS": "1000",
        },
    )
    assert added.status_code == 200
    assert "is published" in str(added.context["adminform"].form.errors["source"])
    assert published().title != "Changed"
    assert putin_claim(published()).note == ""


def test_admin_button_opens_the_working_copy(client, editor):
    source = published()
    client.force_login(editor)
    url = reverse("admin:claims_source_revision", args=[source.pk])
    assert client.get(url).status_code == 405
    response = client.post(url)
    copy = Source.objects.get(revision_of=source)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:claims_source_change", args=[copy.pk])
    # The published source's form now links to it; the copy's form is editable and says
    # what it revises, with the changes so far.
    html = client.get(reverse("admin:claims_source_change", args=[source.pk])).content.decode()
    assert "Open the working copy" in html
    page = client.get(response["Location"])
    html = page.content.decode()
    assert 'name="title"' in html and "Working copy" in html
    assert "Changes since the published revision" in html
    again = client.post(url, {"next": "annotate"})
    assert again["Location"] == reverse("admin:claims_source_annotate", args=[copy.pk])
    assert Source.objects.filter(revision_of=source).count() == 1


def test_annotation_screen_of_a_published_source_refuses_writes(client, editor):
    source = published()
    claim = putin_claim(source)
    stance = claim.stances.order_by("pk").first()
    client.force_login(editor)
    url = reverse("admin:claims_source_annotate", args=[source.pk])
    html = client.get(url).content.decode()
    assert "Edit in a new revision" in html
    assert 'value="set-stance"' not in html
    for data in (
        {"action": "set-stance", "stance_id": stance.pk, "label": "contradicts"},
        {"action": "set-stance", "stance_id": stance.pk, "label": "remove"},
        {"action": "delete", "claim_id": claim.pk},
        {"action": "save", "start": 0, "end": 10},
    ):
        response = client.post(url, data, follow=True)
        assert response.status_code == 200
        assert any("is published" in str(m) for m in response.context["messages"])
    stance.refresh_from_db()
    assert stance.label == "supports"
    assert Claim.objects.filter(pk=claim.pk).exists()
    assert published().claims.count() == Source.objects.get(pk=source.pk).claims.count()


def test_api_writes_to_published_rows_answer_409_naming_the_working_copy(editor, reviewer):
    source = published()
    claim = putin_claim(source)
    stance = claim.stances.order_by("pk").first()
    api = client_for(editor)
    # The stance is another annotator's: the editor is refused that first (403); a reviewer, who
    # may change anyone's stance, meets the published rule alone.
    assert stance.annotator != editor
    stances_api = client_for(reviewer)
    endpoint = f"/api/v1/sources/{SLUG}/revision/"
    for client, method, url, data in (
        (api, "patch", f"/api/v1/claims/{claim.pk}/", {"note": "changed"}),
        (api, "delete", f"/api/v1/claims/{claim.pk}/", None),
        (stances_api, "patch", f"/api/v1/stances/{stance.pk}/", {"label": "contradicts"}),
        (stances_api, "delete", f"/api/v1/stances/{stance.pk}/", None),
    ):
        response = getattr(client, method)(url, data, format="json", HTTP_IF_MATCH="*")
        assert response.status_code == 409, (url, response.content)
        body = response.json()["error"]
        assert body["code"] == "published_read_only"
        assert body["working_copy"] == endpoint
        assert endpoint in body["message"]
    created = api.post("/api/v1/claims/", {"source": SLUG, "start": 0, "end": 10}, format="json")
    assert created.status_code in (400, 409), created.content
    # Sources are read-only through the API altogether.
    assert api.patch(f"/api/v1/sources/{SLUG}/", {"title": "x"}, format="json").status_code == 405
    assert api.delete(f"/api/v1/sources/{SLUG}/").status_code == 405
    assert putin_claim(published()).note == ""
    assert Stance.objects.get(pk=stance.pk).label == "supports"


def test_api_makes_the_working_copy_and_shows_its_changes(editor, reviewer):
    api = client_for(editor)
    made = api.post(f"/api/v1/sources/{SLUG}/revision/")
    assert made.status_code == 201, made.content
    copy_slug = made.json()["slug"]
    assert (copy_slug, made.json()["revision_of"]) == (f"{SLUG}-revision", SLUG)
    assert api.post(f"/api/v1/sources/{SLUG}/revision/").status_code == 200
    # Editors edit the copy through the usual endpoints.
    twin = putin_claim(Source.objects.get(slug=copy_slug))
    patched = api.patch(
        f"/api/v1/claims/{twin.pk}/", {"note": "Copy note."}, format="json", HTTP_IF_MATCH="*"
    )
    assert patched.status_code == 200, patched.content
    changes = client_for(reviewer).get(f"/api/v1/sources/{copy_slug}/changes/")
    assert changes.status_code == 200
    changed = changes.json()["claims"]["changed"]
    assert [row["fields"] for row in changed] == [{"note": {"before": "", "after": "Copy note."}}]
    assert changed[0]["published_id"] == twin.revision_of_id
    # The published source's slug leads to its copy's changes too.
    assert api.get(f"/api/v1/sources/{SLUG}/changes/").json() == changes.json()
    assert client_for().post(f"/api/v1/sources/{SLUG}/revision/").status_code in (401, 403)
    assert client_for().get(f"/api/v1/sources/{SLUG}/changes/").status_code in (401, 403)


def test_api_changes_of_a_source_without_working_copy_is_404(editor):
    response = client_for(editor).get(f"/api/v1/sources/{SLUG}/changes/")
    assert response.status_code == 404
    assert "nothing has changed" in error_message(response)


def test_importing_annotations_onto_a_published_source_is_refused(tmp_path, editor):
    path = tmp_path / "annotations.json"
    claim = {"source": SLUG, "quote": OUTSIDE, "kind": "factual", "stances": []}
    path.write_text(json.dumps({"annotator": {"username": "importer"}, "claims": [claim]}))
    with pytest.raises(ImportFailure, match="published revision is read-only"):
        load_annotations(path)
    revisions.start_revision(source=published(), by=editor)
    with pytest.raises(ImportFailure, match=f"{SLUG}-revision"):
        load_annotations(path)
    path.write_text(path.read_text().replace(SLUG, f"{SLUG}-revision"))
    load_annotations(path)
    copy = Source.objects.get(slug=f"{SLUG}-revision")
    assert copy.claims.filter(quote=OUTSIDE).exists()
    assert not published().claims.filter(quote=OUTSIDE).exists()


def test_importing_a_new_text_of_a_published_source_goes_to_its_working_copy(reviewer):
    # The seed manifest says `status = "published"`, which only a user who may publish may
    # import; even their import of a new text leaves the published revision alone.
    manifest = load_manifest(SEEDS_DIR / "manifest.toml")
    name = "000_178888a787cec25a.txt"
    text = (
        (SEEDS_DIR / name)
        .read_text(encoding="utf-8")
        .replace(OUTSIDE, "Nagorno-Karabakh, moved on.")
    )
    sources, report = import_documents(
        documents=[Document(name, text.encode())], manifest=manifest, user=reviewer
    )
    copy = sources[0]
    assert copy.revision_of == published()
    assert "Nagorno-Karabakh, moved on." in copy.body
    assert OUTSIDE in published().body
    assert any("working copy" in message for message in report.messages)
    # Importing the published text again changes nothing and makes no copy.
    copy.delete()
    import_documents(
        documents=[Document(name, (SEEDS_DIR / name).read_bytes())],
        manifest=manifest,
        user=reviewer,
    )
    assert not Source.objects.filter(revision_of=published()).exists()


# --- Meaning changes need a human -------------------------------------------------------------


def edit_putin(copy: Source, words: str):
    return replace_body(source=copy, body=copy.body.replace("Putin appears", words))


def test_changed_words_mark_the_stances_and_block_publishing(editor, reviewer):
    copy = revisions.start_revision(source=published(), by=editor)
    change = edit_putin(copy, "Putin does not appear")
    twin = Claim.objects.get(source=copy, quote__startswith="Putin does not appear")
    stance = twin.stances.order_by("pk").first()
    assert twin.anchor_state == AnchorState.WORDS_CHANGED
    assert change.words_changed == [twin.pk]
    assert change.rechecks == list(twin.stances.order_by("pk").values_list("pk", flat=True))
    assert change.old_quotes[twin.pk].startswith(PUTIN)
    assert stance.needs_recheck

    with pytest.raises(WorkflowError, match="stance\\(s\\) to re-check") as refused:
        publish_source(source=copy, by=reviewer)
    assert "Putin does not appear" in str(refused.value)
    assert Source.objects.filter(pk=copy.pk).exists()
    assert putin_claim(published()).quote.startswith(PUTIN)

    with pytest.raises(PermissionDenied):
        revisions.confirm_stance(stance=stance, by=None)
    # The stance is its annotator's: another editor may not confirm it; a reviewer may.
    assert stance.annotator != editor
    with pytest.raises(NotOwner):
        revisions.confirm_stance(stance=stance, by=editor, label="contradicts")
    revisions.confirm_stance(stance=stance, by=reviewer, label="contradicts")
    stance.refresh_from_db()
    twin.refresh_from_db()
    assert (stance.needs_recheck, stance.label) == (False, "contradicts")
    # Another stance of the claim still waits: still refused, then confirmed unchanged.
    assert twin.anchor_state == AnchorState.WORDS_CHANGED
    with pytest.raises(WorkflowError, match="1 stance\\(s\\) to re-check"):
        publish_source(source=copy, by=reviewer)
    for other in twin.stances.filter(needs_recheck=True):
        revisions.confirm_stance(stance=other, by=reviewer)
    twin.refresh_from_db()
    assert twin.anchor_state == AnchorState.REANCHORED
    public = publish_source(source=copy, by=reviewer)
    claim = Claim.objects.get(source=public, quote__startswith="Putin does not appear")
    assert claim.stances.order_by("pk").first().label == "contradicts"


def test_a_pure_move_keeps_the_stances_counting(editor):
    copy = revisions.start_revision(source=published(), by=editor)
    change = replace_body(source=copy, body="A new opening sentence.\n\n" + copy.body)
    assert not change.words_changed and not change.rechecks
    assert twin_state(copy) == AnchorState.REANCHORED
    assert not Stance.objects.filter(claim__source=copy, needs_recheck=True).exists()


def twin_state(copy: Source) -> str:
    return putin_claim(copy).anchor_state


def test_a_stance_awaiting_recheck_counts_nowhere_public(client):
    source = published()
    stance = putin_claim(source).stances.order_by("pk").first()
    proposition = stance.proposition

    def counted() -> int:
        sql = summaries._QUOTES.format(only=f"AND st.id = {stance.pk}")
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({sql}) q")
            return cursor.fetchone()[0]

    assert counted() == 1
    with revisions.published_writes():
        Stance.objects.filter(pk=stance.pk).update(needs_recheck=True)
    assert counted() == 0
    assert not Stance.objects.published().filter(pk=stance.pk).exists()
    listed = client_for().get("/api/v1/stances/", {"proposition": proposition.slug}).json()
    assert stance.pk not in [row["id"] for row in listed["results"]]
    detail = client_for().get(f"/api/v1/sources/{SLUG}/").json()
    shown = [s["id"] for claim in detail["claims"] for s in claim["stances"]]
    assert stance.pk not in shown


def test_the_annotation_screen_confirms_a_stance_to_recheck(client, editor, reviewer):
    copy = revisions.start_revision(source=published(), by=editor)
    edit_putin(copy, "Putin does not appear")
    stance = Stance.objects.filter(claim__source=copy, needs_recheck=True).first()
    # Another annotator's stance: a reviewer confirms it (its annotator could too).
    assert stance.annotator != editor
    client.force_login(reviewer)
    url = reverse("admin:claims_source_annotate", args=[copy.pk])
    html = client.get(url).content.decode()
    assert "to re-check" in html and "words changed" in html
    assert PUTIN in html  # the published words, beside the new ones
    response = client.post(
        url,
        {
            "action": "set-stance",
            "stance_id": stance.pk,
            "label": stance.label,
            "version": stance.version,  # the version the page showed
        },
    )
    assert response.status_code == 302
    stance.refresh_from_db()
    assert not stance.needs_recheck


def test_the_admin_lists_claims_whose_words_changed(client, editor, reviewer):
    copy = revisions.start_revision(source=published(), by=editor)
    client.force_login(editor)
    form = {
        "title": copy.title,
        "slug": copy.slug,
        "publisher": copy.publisher_id or "",
        "url": copy.url,
        "published_on": copy.published_on or "",
        "language": copy.language,
        "translated_from": copy.translated_from,
        "body": copy.body.replace("Putin appears", "Putin does not appear"),
        "seen_version": copy.version,
        "authorships-TOTAL_FORMS": "0",
        "authorships-INITIAL_FORMS": "0",
        "authorships-MIN_NUM_FORMS": "0",
        "authorships-MAX_NUM_FORMS": "1000",
    }
    response = client.post(reverse("admin:claims_source_change", args=[copy.pk]), form, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert any("must be re-checked" in m and "Putin does not appear" in m for m in messages), (
        messages
    )
    twin = Claim.objects.get(source=copy, quote__startswith="Putin does not appear")
    html = client.get(reverse("admin:claims_claim_change", args=[twin.pk])).content.decode()
    assert "Words before the edit" in html and PUTIN in html
    stance = twin.stances.order_by("pk").first()
    # Another annotator's stance: a reviewer confirms it (its annotator could too).
    assert stance.annotator != editor
    client.force_login(reviewer)
    client.post(
        reverse("admin:claims_stance_changelist"),
        {"action": "confirm_action", "_selected_action": [stance.pk]},
    )
    stance.refresh_from_db()
    assert not stance.needs_recheck


def test_orphaned_claims_block_publishing(editor, reviewer):
    copy = revisions.start_revision(source=published(), by=editor)
    quote = putin_claim(copy).quote
    replace_body(source=copy, body=copy.body.replace(quote, "Nothing of the kind is said."))
    with pytest.raises(WorkflowError, match="orphaned"):
        publish_source(source=copy, by=reviewer)


def test_an_orphaned_published_claim_is_absent_everywhere_public(client):
    source = published()
    claim = putin_claim(source)
    proposition = claim.stances.order_by("pk").first().proposition
    with revisions.published_writes():
        Claim.objects.filter(pk=claim.pk).update(anchor_state=AnchorState.ORPHANED)
    assert PUTIN not in client.get(f"/propositions/{proposition.slug}/").content.decode()
    api = client_for()
    assert api.get(f"/api/v1/claims/{claim.pk}/").status_code == 404
    assert PUTIN not in content(api.get("/api/v1/exports/claims.csv"))
    assert PUTIN not in content(api.get("/api/v1/exports/annotations.jsonld"))
    detail = api.get(f"/api/v1/sources/{SLUG}/").json()
    assert claim.pk not in [row["id"] for row in detail["claims"]]
    assert not Stance.objects.published().filter(claim=claim).exists()


# --- What a working copy changes ------------------------------------------------------------


def test_diff_of_a_long_text_shows_only_the_changed_regions():
    words = [f"w{n}" for n in range(10_000)]
    old = " ".join(words)
    words[5000] = "CHANGED"
    del words[8000:8003]
    new = " ".join(words)
    started = time.perf_counter()
    hunks = revisions.text_diff(old, new)
    elapsed = time.perf_counter() - started
    assert len(hunks) == 2
    first = hunks[0]
    assert [part["op"] for part in first] == ["equal", "delete", "insert", "equal"]
    assert first[1]["text"] == "w5000" and first[2]["text"] == "CHANGED"
    assert len(first[0]["text"].split()) == revisions.CONTEXT_WORDS
    assert hunks[1][1] == {"op": "delete", "text": "w8000 w8001 w8002"}
    assert elapsed < 2.0


def test_diff_lists_metadata_claims_and_stances(editor):
    copy = revisions.start_revision(source=published(), by=editor)
    copy.title = "A new title"
    copy.save()
    twin = putin_claim(copy)
    stance = twin.stances.order_by("pk").first()
    stance.note = "Read again."
    stance.save()
    gone = copy.claims.exclude(pk=twin.pk).order_by("start").first()
    gone.delete()
    extra = StanceFactory(claim=twin, annotator=editor, label="neutral")
    changes = revisions.diff(copy)
    assert changes["metadata"] == [
        {"field": "title", "before": published().title, "after": "A new title"}
    ]
    assert changes["text"] == []
    assert [row["quote"] for row in changes["claims"]["removed"]] == [gone.quote]
    assert changes["claims"]["added"] == [] and changes["claims"]["changed"] == []
    assert [row["fields"] for row in changes["stances"]["changed"]] == [
        {"note": {"before": "", "after": "Read again."}}
    ]
    assert [row["id"] for row in changes["stances"]["added"]] == [extra.pk]
    assert len(changes["stances"]["removed"]) == gone.revision_of.stances.count()


def test_changes_endpoint_query_count_does_not_grow_with_claims(editor):
    api = client_for(editor)
    api.post(f"/api/v1/sources/{SLUG}/revision/")
    copy = Source.objects.get(slug=f"{SLUG}-revision")

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get(f"/api/v1/sources/{copy.slug}/changes/").status_code == 200
        return len(captured)

    few = count()
    for start in range(0, 200, 20):
        ClaimFactory(source=copy, span=(start, start + 10))
    assert count() == few
