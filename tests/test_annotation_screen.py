"""The annotation screen, driven as a browser without JavaScript would: plain form posts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.models import Claim, Proposition, Source, Stance
from claims.revisions import start_revision

from .factories import ClaimFactory, SourceFactory, StanceFactory, UserFactory

pytestmark = pytest.mark.django_db

BODY = "😀 Moscow backs the corridor.\n\nTehran calls it a red line."


@pytest.fixture
def source():
    return SourceFactory(body=BODY)


def url_for(source) -> str:
    return reverse("admin:claims_source_annotate", args=[source.pk])


def save(client, source, **fields):
    data = {"action": "save", "source": source.pk, "kind": "analysis", "note": "", **fields}
    return client.post(url_for(source), data)


def test_anonymous_is_sent_to_login(client, source):
    response = client.get(url_for(source))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_staff_without_claim_permissions_is_refused(client, source):
    client.force_login(UserFactory(username="visitor", is_staff=True))
    assert client.get(url_for(source)).status_code == 403


def test_screen_shows_the_text_with_claims_and_the_form(client, editor):
    published = Source.objects.get(slug="russia-and-iran-new-divides")
    # A published source is read-only: its working copy is where claims are edited.
    source = start_revision(source=published, by=editor)
    client.force_login(editor)
    response = client.get(url_for(source))
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-annotate-text" in html and 'id="claim-form"' in html
    claim = Claim.objects.filter(source=source).first()
    assert f'id="claim-{claim.pk}"' in html
    assert html.count('data-claims="') >= Claim.objects.filter(source=source).count()
    assert "annotate.js" in html
    # Linked from the source's change page.
    change = client.get(reverse("admin:claims_source_change", args=[source.pk]))
    assert url_for(source) in change.content.decode()


def test_offsets_are_code_points_after_an_emoji(client, editor, source):
    client.force_login(editor)
    # "😀 " is two code points (three UTF-16 units): "Moscow" starts at 2.
    response = save(
        client,
        source,
        start=2,
        end=8,
        quote="Moscow",
        **{"stance-proposition": "", "stance-label": ""},
    )
    assert response.status_code == 302, response.content[:2000]
    claim = Claim.objects.get(source=source)
    assert claim.quote == "Moscow" == source.body[claim.start : claim.end]


def test_create_a_claim_with_a_new_proposition_and_stance(client, editor, source):
    client.force_login(editor)
    response = save(
        client,
        source,
        start=2,
        end=28,
        quote="Moscow backs the corridor.",
        **{
            "stance-new_proposition": "Moscow backs the corridor project.",
            "stance-label": "supports",
            "stance-topic": "",
        },
    )
    assert response.status_code == 302
    claim = Claim.objects.get(source=source)
    stance = claim.stances.get()
    assert stance.label == "supports" and stance.annotator == editor
    assert stance.proposition.text == "Moscow backs the corridor project."
    assert stance.proposition.created_by == editor
    assert response["Location"].endswith(f"#claim-{claim.pk}")


def test_stance_on_an_existing_proposition_by_slug(client, editor, source):
    client.force_login(editor)
    save(
        client,
        source,
        start=2,
        end=28,
        **{"stance-proposition": "russia-backs-zangezur-corridor", "stance-label": "supports"},
    )
    claim = Claim.objects.get(source=source)
    assert claim.stances.get().proposition.slug == "russia-backs-zangezur-corridor"


@pytest.mark.parametrize(
    ("fields", "error_field", "words"),
    [
        ({"start": 0, "end": 500}, "end", "end"),
        ({"start": 28, "end": 30}, "end", "whitespace"),
        ({"start": 5, "end": 5}, "end", "start"),
        ({"start": 2, "end": 8, "quote": "Tehran"}, "quote", "reads “Moscow”"),
        (
            {"start": 2, "end": 8, "stance-label": "supports"},
            "proposition",
            "Choose the proposition",
        ),
        (
            {"start": 2, "end": 8, "stance-proposition": "no-such-thing", "stance-label": "mixed"},
            "proposition",
            "No proposition has that name",
        ),
    ],
)
def test_bad_input_shows_form_errors_and_saves_nothing(
    client, editor, source, fields, error_field, words
):
    client.force_login(editor)
    response = save(client, source, **fields)
    assert response.status_code == 400
    forms = [response.context["claim_form"], response.context["stance_form"]]
    errors = " ".join(str(e) for form in forms for e in form.errors.get(error_field, []))
    assert words in errors, [form.errors for form in forms]
    assert not Claim.objects.filter(source=source).exists()


def test_duplicate_stance_is_a_form_error(client, editor, source):
    claim = ClaimFactory(source=source, span=(2, 8))
    StanceFactory(
        claim=claim, annotator=editor, proposition=Proposition.objects.get(slug="russia-in-decline")
    )
    client.force_login(editor)
    response = client.post(
        url_for(source),
        {
            "action": "save",
            "claim_id": claim.pk,
            "source": source.pk,
            "start": 2,
            "end": 8,
            "kind": "analysis",
            "seen_version": claim.version,
            "stance-proposition": "russia-in-decline",
            "stance-label": "contradicts",
        },
    )
    assert response.status_code == 400
    assert "already gave this claim a stance" in str(response.context["stance_form"].errors)
    assert claim.stances.get().label == "supports"


def test_edit_change_a_stance_then_delete_and_restore(client, editor, source):
    client.force_login(editor)
    save(
        client,
        source,
        start=2,
        end=28,
        **{"stance-proposition": "russia-backs-zangezur-corridor", "stance-label": "supports"},
    )
    claim = Claim.objects.get(source=source)
    stance = claim.stances.get()

    edit = client.get(url_for(source) + f"?claim={claim.pk}")
    assert edit.context["editing"] == claim
    response = client.post(
        url_for(source),
        {
            "action": "save",
            "claim_id": claim.pk,
            "source": source.pk,
            "start": 2,
            "end": 8,
            "kind": "factual",
            "seen_version": claim.version,
        },
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.quote, claim.kind) == ("Moscow", "factual")

    client.post(
        url_for(source),
        {"action": "set-stance", "stance_id": stance.pk, "label": "mixed", "version": 1},
    )
    assert Stance.objects.get(pk=stance.pk).label == "mixed"

    client.post(url_for(source), {"action": "delete", "claim_id": claim.pk})
    assert not Claim.objects.filter(pk=claim.pk).exists()
    page = client.get(url_for(source))
    assert [r.id for r in page.context["deleted"]] == [claim.pk]

    client.post(url_for(source), {"action": "restore", "claim_id": claim.pk})
    restored = Claim.objects.get(pk=claim.pk)
    assert (restored.quote, restored.kind) == ("Moscow", "factual")
    assert restored.stances.get().label == "mixed"
    assert not client.get(url_for(source)).context["deleted"]


def test_restore_after_the_text_changed_reanchors(client, editor, source):
    from claims.editing import replace_body

    claim = ClaimFactory(source=source, span=(2, 8))
    client.force_login(editor)
    client.post(url_for(source), {"action": "delete", "claim_id": claim.pk})
    replace_body(source=source, body="Preface.\n\n" + BODY)
    client.post(url_for(source), {"action": "restore", "claim_id": claim.pk})
    restored = Claim.objects.get(pk=claim.pk)
    assert restored.anchor_state == "reanchored"
    assert restored.source.body[restored.start : restored.end] == "Moscow"


def test_restoring_through_another_sources_screen_changes_nothing_and_says_why(
    client, editor, source
):
    claim = ClaimFactory(source=source, span=(2, 8))
    other = SourceFactory(title="Another dispatch", body=BODY)
    client.force_login(editor)
    client.post(url_for(source), {"action": "delete", "claim_id": claim.pk})
    response = client.post(url_for(other), {"action": "restore", "claim_id": claim.pk}, follow=True)
    assert response.status_code == 200
    assert not Claim.objects.filter(pk=claim.pk).exists()
    message = " ".join(str(m) for m in response.context["messages"])
    assert "deleted from another source" in message and source.title in message
    # From its own screen it comes back as before.
    client.post(url_for(source), {"action": "restore", "claim_id": claim.pk})
    assert Claim.objects.get(pk=claim.pk).source == source


def test_orphaned_claims_are_listed_and_can_be_reattached(client, editor, source):
    claim = ClaimFactory(source=source, span=(2, 8))
    Claim.objects.filter(pk=claim.pk).update(anchor_state="orphaned")
    client.force_login(editor)
    page = client.get(url_for(source))
    assert [c.pk for c in page.context["orphaned"]] == [claim.pk]
    response = client.post(
        url_for(source),
        {
            "action": "save",
            "claim_id": claim.pk,
            "source": source.pk,
            "start": 9,
            "end": 14,
            "kind": "analysis",
            "seen_version": claim.version,
        },
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.quote, claim.anchor_state) == ("backs", "anchored")


def test_stale_edit_from_the_screen_is_refused(client, editor, source):
    claim = ClaimFactory(source=source, span=(2, 8), note="first")
    stale = claim.version
    claim.note = "someone else"
    claim.save()
    client.force_login(editor)
    response = client.post(
        url_for(source),
        {
            "action": "save",
            "claim_id": claim.pk,
            "source": source.pk,
            "start": 2,
            "end": 8,
            "kind": "analysis",
            "note": "mine",
            "seen_version": stale,
        },
    )
    assert response.status_code == 409
    assert "Someone else saved this claim" in str(response.context["claim_form"].errors)
    assert Claim.objects.get(pk=claim.pk).note == "someone else"


def test_reviewer_can_annotate_too(client, reviewer, source):
    client.force_login(reviewer)
    assert save(client, source, start=2, end=8).status_code == 302


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_query_count_does_not_grow_with_claims(client, editor, source):
    # 15 queries: session, user, user's groups' permissions, user's own permissions, source,
    # claims (with speakers), their actors, their stances (with propositions and annotators),
    # recently deleted claims, the source's readers (assignments), propositions worth checking
    # for silence, confirmed silences, topics, and the speaker and actor lists. No query reads
    # every proposition.
    StanceFactory(claim=ClaimFactory(source=source, span=(2, 8)))
    client.force_login(editor)
    first = queries(client, url_for(source))
    assert first == 15
    for start in range(9, 14):
        StanceFactory(claim=ClaimFactory(source=source, span=(start, start + 1)))
    assert queries(client, url_for(source)) == first


def test_the_screen_does_not_carry_the_propositions(client, editor, source):
    """Propositions are found by search as the editor types (the suggest endpoint, a few at a
    time): more propositions in the corpus add neither queries nor words to the page."""
    from .factories import PropositionFactory

    client.force_login(editor)
    before = queries(client, url_for(source))
    size = len(client.get(url_for(source)).content)
    added = PropositionFactory.create_batch(30)
    assert queries(client, url_for(source)) == before
    page = client.get(url_for(source)).content.decode()
    assert not [p for p in added if p.text in page or p.slug in page]
    assert len(page.encode()) == size
